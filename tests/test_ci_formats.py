"""Where users run it (issue 15): every format names files the same way, SARIF that GitHub
ranks, JUnit that agrees with the exit code, GitLab's documented fields, stable fingerprints,
and text formats that a hostile file cannot turn into terminal escapes or forged workflow
commands.

Each test runs iamlint as a user does (the ``run_cli`` fixture: the installed command, in a
subprocess) on files written in ``tmp_path``.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

ADMIN = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::acme-logs/*"
    }
  ]
}
"""
# a suppression in the configuration that matches nothing in a file of the run (a config entry
# is judged only where the run holds its files): an IAM901 finding located in
# pyproject.toml, line 3
PYPROJECT = """[tool.iamlint]

[[tool.iamlint.suppress]]
rules = ["IAM105"]
files = ["infra/admin.json"]
reason = "legacy stacks keep their NotPrincipal until the migration"
"""


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git work tree (its ``.git`` is all iamlint looks for) with a configuration file at
    its root and a policy in ``infra/``."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "infra" / "admin.json").write_text(ADMIN)
    return root


def clean(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


# -- 4: a finding in the configuration file -----------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "concise", "github", "junit", "gitlab", "json", "sarif"])
def test_config_file_findings_are_named_relative_to_the_working_directory(run_cli, repo, fmt):
    proc = run_cli("-f", fmt, "infra/admin.json", cwd=repo, env={"GITHUB_WORKSPACE": ""})
    clean(proc)
    assert "IAM901" in proc.stdout
    if fmt != "sarif":  # (SARIF names the repository root once, as an absolute file:// URI)
        assert str(repo) not in proc.stdout
    if fmt == "text":
        assert "pyproject.toml:3:1: IAM901 [warning] suppression of IAM105 matches no finding" in proc.stdout
    elif fmt == "concise":
        assert [line.split(":")[0] for line in proc.stdout.splitlines()] == [
            "infra/admin.json",
            "pyproject.toml",
        ]
    elif fmt == "github":
        assert "::warning file=pyproject.toml,line=3,col=1," in proc.stdout
    elif fmt == "junit":
        names = [c.get("name") for c in ET.fromstring(proc.stdout).iter("testcase")]
        assert names == ["infra/admin.json", "pyproject.toml"]
    elif fmt == "gitlab":
        paths = [i["location"]["path"] for i in json.loads(proc.stdout)]
        assert paths == ["infra/admin.json", "pyproject.toml"]
    elif fmt == "json":
        doc = json.loads(proc.stdout)
        assert [f["file"] for f in doc["findings"]] == ["infra/admin.json", "pyproject.toml"]
        assert [f["path"] for f in doc["files"]] == ["infra/admin.json", "pyproject.toml"]
    else:
        run = json.loads(proc.stdout)["runs"][0]
        locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
        assert locations == [
            {"uri": "infra/admin.json", "uriBaseId": "%SRCROOT%"},
            {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"},
        ]
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_from_a_subfolder_sarif_stays_relative_to_the_repository_root(run_cli, repo):
    """iamlint run in infra/: the configuration file is found in the parent directory."""
    sub = repo / "infra"
    sarif = run_cli("-f", "sarif", "admin.json", cwd=sub, env={"GITHUB_WORKSPACE": ""})
    clean(sarif)
    run = json.loads(sarif.stdout)["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]] == [
        {"uri": "infra/admin.json", "uriBaseId": "%SRCROOT%"},
        {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"},
    ]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    github = run_cli("-f", "github", "admin.json", cwd=sub, env={"GITHUB_WORKSPACE": str(repo)})
    clean(github)
    assert [line.split(",")[0] for line in github.stdout.splitlines()] == [
        "::error file=infra/admin.json",
        "::warning file=pyproject.toml",
    ]


def test_absolute_paths_inside_the_working_directory_are_shown_relative(run_cli, repo):
    given = run_cli("-f", "text", "--isolated", repo / "infra" / "admin.json", cwd=repo)
    clean(given)
    assert given.stdout.startswith("infra/admin.json:6:17: IAM101 [error] ")
    # the fingerprint does not depend on where the repository is checked out
    relative = run_cli("-f", "json", "--isolated", "infra/admin.json", cwd=repo)
    absolute = run_cli("-f", "json", "--isolated", repo / "infra" / "admin.json", cwd=repo)
    fingerprints = [
        [f["fingerprint"] for f in json.loads(p.stdout)["findings"]] for p in (relative, absolute)
    ]
    assert fingerprints[0] == fingerprints[1] and len(fingerprints[0]) == 1
    # a file outside the working directory keeps its absolute path
    elsewhere = run_cli("-f", "text", "--isolated", repo / "infra" / "admin.json", cwd=HERE)
    assert elsewhere.stdout.startswith(f"{repo / 'infra' / 'admin.json'}:6:17: IAM101 ")


# -- 9: SARIF that GitHub code scanning ranks --------------------------------------------------
TERRAFORM = """resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""
PUBLIC_BUCKET = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-web/*"}
  ]
}
"""
PRECISIONS = {"very-high", "high", "medium", "low"}


def github_sarif_problems(sarif: dict, root: Path) -> list[str]:
    """What GitHub's "SARIF support for code scanning" page requires and uses, as a list of
    violations (empty: the file meets it). docs.github.com/en/code-security/code-scanning/
    integrating-with-code-scanning/sarif-support-for-code-scanning, and its limits table."""
    from urllib.parse import unquote_to_bytes, urlsplit

    problems: list[str] = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    need(bool(sarif.get("$schema")), "$schema is required")
    need(sarif.get("version") == "2.1.0", "only SARIF 2.1.0 is supported")
    runs = sarif.get("runs") or []
    need(1 <= len(runs) <= 20, "runs[]: 1 to 20 runs")
    for run in runs:
        driver = run.get("tool", {}).get("driver", {})
        need(bool(driver.get("name")), "tool.driver.name is required")
        rules = driver.get("rules")
        need(
            isinstance(rules, list) and len(rules) <= 25_000,
            "tool.driver.rules[] is required (at most 25,000)",
        )
        ids = [r.get("id") for r in rules or []]
        need(len(set(ids)) == len(ids), "rule ids are unique")
        for r in rules or []:
            rid = r.get("id") or "?"
            need(bool(r.get("id")), "reportingDescriptor.id is required")
            need(len(r.get("name", "")) <= 255, f"{rid}: name is limited to 255 characters")
            for key in ("shortDescription", "fullDescription"):
                text = r.get(key, {}).get("text", "")
                need(0 < len(text) <= 1024, f"{rid}: {key}.text is required, at most 1,024 characters")
            need(bool(r.get("help", {}).get("text")), f"{rid}: help.text is required")
            level = r.get("defaultConfiguration", {}).get("level", "warning")
            need(level in ("note", "warning", "error"), f"{rid}: defaultConfiguration.level")
            props = r.get("properties", {})
            tags = props.get("tags", [])
            need(isinstance(tags, list) and len(tags) <= 20, f"{rid}: at most 20 tags")
            need(all(isinstance(t, str) and t for t in tags), f"{rid}: tags are strings")
            need(props.get("precision") in PRECISIONS, f"{rid}: precision is one of {sorted(PRECISIONS)}")
            if "security-severity" in props:
                score = props["security-severity"]
                need(isinstance(score, str), f"{rid}: security-severity is a string")
                need(0.0 < float(score) <= 10.0, f"{rid}: security-severity is over 0.0, up to 10.0")
                need("security" in tags, f"{rid}: security-severity is for rules tagged security")
            else:
                need("security" not in tags, f"{rid}: a security rule has a security-severity")
        bases = run.get("originalUriBaseIds", {})
        results = run.get("results")
        need(isinstance(results, list) and len(results) <= 25_000, "results[] is required (at most 25,000)")
        for res in results or []:
            rid = res.get("ruleId")
            need(bool(rid) and rid in ids, f"result ruleId {rid!r} names a rule")
            if "ruleIndex" in res:
                need(ids[res["ruleIndex"]] == rid, f"{rid}: ruleIndex points at its rule")
            need(res.get("level", "warning") in ("none", "note", "warning", "error"), f"{rid}: level")
            need(bool(res.get("message", {}).get("text")), f"{rid}: message.text is required")
            locations = res.get("locations") or []
            need(1 <= len(locations) <= 10, f"{rid}: 1 to 10 locations")
            fingerprints = res.get("partialFingerprints")
            need(
                isinstance(fingerprints, dict) and fingerprints and all(fingerprints.values()),
                f"{rid}: partialFingerprints",
            )
            for loc in locations[:1]:
                phys = loc.get("physicalLocation", {})
                art = phys.get("artifactLocation", {})
                uri = art.get("uri", "")
                need(bool(uri), f"{rid}: artifactLocation.uri is required")
                need(not urlsplit(uri).scheme and not uri.startswith("/"), f"{rid}: {uri!r} is relative")
                need(art.get("uriBaseId") == "%SRCROOT%", f"{rid}: {uri!r} is relative to %SRCROOT%")
                need(
                    all(c.isascii() and (c.isalnum() or c in "-._~/%!$&'()*+,;=:@") for c in uri),
                    f"{rid}: {uri!r} is percent-encoded",
                )
                base = bases.get(art.get("uriBaseId"), {}).get("uri", "")
                need(
                    base.startswith("file:///") and base.endswith("/"),
                    "%SRCROOT% is an absolute directory URI",
                )
                file = Path(unquote_to_bytes(urlsplit(base).path).decode()) / unquote_to_bytes(uri).decode(
                    "utf-8", "surrogateescape"
                )
                need(file.is_file() and root.resolve() in file.resolve().parents, f"{rid}: {uri!r} is a file")
                region = phys.get("region", {})
                for key in ("startLine", "startColumn", "endLine", "endColumn"):
                    need(isinstance(region.get(key), int) and region[key] >= 1, f"{rid}: region.{key} >= 1")
                if all(
                    isinstance(region.get(k), int)
                    for k in ("startLine", "startColumn", "endLine", "endColumn")
                ):
                    need(region["endLine"] >= region["startLine"], f"{rid}: endLine >= startLine")
                    if region["endLine"] == region["startLine"]:
                        need(region["endColumn"] > region["startColumn"], f"{rid}: endColumn > startColumn")
    return problems


@pytest.fixture
def estate(repo) -> Path:
    """The repository, with a template, a Terraform module in a folder whose name needs
    percent-encoding, a public bucket policy and a file that does not parse."""
    odd = repo / "dir with space" / "ünï"
    odd.mkdir(parents=True)
    (odd / "main.tf").write_text(TERRAFORM, encoding="utf-8")
    (repo / "infra" / "bucket.json").write_text(PUBLIC_BUCKET)
    (repo / "infra" / "broken.json").write_text('{"Version": "2012-10-17", "Statement": [],}')
    return repo


def test_sarif_meets_githubs_documented_requirements(run_cli, estate):
    import jsonschema

    proc = run_cli("-f", "sarif", ".", cwd=estate, env={"GITHUB_WORKSPACE": ""})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr  # broken.json: an input error
    sarif = json.loads(proc.stdout)
    schema = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema, cls=jsonschema.Draft7Validator)
    assert github_sarif_problems(sarif, estate) == []
    run = sarif["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {
        "dir%20with%20space/%C3%BCn%C3%AF/main.tf",
        "infra/admin.json",
        "infra/bucket.json",
        "infra/broken.json",
        "pyproject.toml",
    }
    # the checker is not blind: what used to be written breaks it
    old = json.loads(json.dumps(sarif))
    for rule in old["runs"][0]["tool"]["driver"]["rules"]:
        rule["properties"] = {"tags": ["security", "iam"]}
    old["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] = {
        "uri": (estate / "pyproject.toml").as_uri()
    }
    problems = github_sarif_problems(old, estate)
    assert any("precision" in p for p in problems) and any("security-severity" in p for p in problems)
    assert any("is relative" in p for p in problems)


def severities(sarif: dict) -> dict[str, dict]:
    return {r["id"]: r["properties"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}


def test_sarif_ranks_alerts_and_tells_tool_diagnostics_from_security_findings(run_cli, estate):
    from iamlint.diagnostics import BY_CODE

    sarif = json.loads(run_cli("-f", "sarif", ".", cwd=estate).stdout)
    props = severities(sarif)
    assert set(BY_CODE) == {"IAM900", "IAM901", "IAM902", "IAM903", "IAM904", "IAM905"} | (
        set(BY_CODE) - set()
    )
    for code, p in props.items():
        assert p["precision"] in PRECISIONS, code
        if code in BY_CODE:  # iamlint's own diagnostics: not security alerts
            assert p["tags"] == ["tool-diagnostic"] and "security-severity" not in p, code
        elif code in (
            "IAM502",
            "IAM503",
            "IAM507",
        ):  # AWS rejects the policy, or reads it as another language
            assert p["tags"] == ["correctness", "iam"] and "security-severity" not in p, code
        else:
            assert p["tags"] == ["security", "iam"], code
            assert 0.0 < float(p["security-severity"]) <= 10.0, code

    def rank(code: str) -> str:  # how GitHub shows it
        score = float(props[code]["security-severity"])
        return "critical" if score > 9.0 else "high" if score >= 7.0 else "medium" if score >= 4.0 else "low"

    assert {c: rank(c) for c in ("IAM101", "IAM105", "IAM401", "IAM402")} == dict.fromkeys(
        ("IAM101", "IAM105", "IAM401", "IAM402"), "critical"
    )
    assert rank("IAM103") == "high"
    assert {rank(c) for c in ("IAM102", "IAM104", "IAM201", "IAM202", "IAM303")} == {"medium"}
    assert {rank(c) for c in ("IAM301", "IAM302", "IAM501")} == {"low"}
    assert props["IAM900"]["problem.severity"] == "error" and props["IAM901"]["problem.severity"] == "warning"
    # the results of the run carry their rule's ranking through ruleIndex
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    public = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "IAM402"]
    assert public and rules[public[0]["ruleIndex"]]["properties"]["security-severity"] == "9.3"


def test_sarif_ranking_is_documented(estate, run_cli):
    """docs/ci.md's table says what every rule's SARIF properties are."""
    import re

    doc = (HERE.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (IAM\d{3}(?:.IAM\d{3})?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", doc, re.M)
    documented = {}
    for codes, tags, score, precision in rows:
        first, _, last = codes.partition("–")
        for n in range(int(first[3:]), int((last or first)[3:]) + 1):
            documented[f"IAM{n}"] = (tags.strip(), score.strip(), precision.strip())
    props = severities(json.loads(run_cli("-f", "sarif", ".", cwd=estate).stdout))
    actual = {
        code: (
            ", ".join(f"`{t}`" for t in p["tags"]),
            p.get("security-severity", "—"),
            f"`{p['precision']}`",
        )
        for code, p in props.items()
    }
    # a range (IAM900–IAM909) may name codes no rule has yet; every rule must be documented
    assert {
        code: (t, s.split(" ")[0], pr) for code, (t, s, pr) in documented.items() if code in actual
    } == actual
    assert set(actual) <= set(documented)


def test_sarif_properties_of_a_plugin_rule():
    from iamlint.model import Severity
    from iamlint.reporters.sarif import rule_properties

    class Plugin:
        code, severity = "ACME101", Severity.ERROR

    assert rule_properties(Plugin) == {
        "tags": ["security", "iam"],
        "security-severity": "7.5",
        "precision": "medium",
        "problem.severity": "error",
    }

    class Declared(Plugin):
        security_severity, precision = "9.1", "high"

    assert rule_properties(Declared)["security-severity"] == "9.1"
    assert rule_properties(Declared)["precision"] == "high"

    class Hygiene(Plugin):
        security_severity = None
        severity = Severity.INFO

    assert rule_properties(Hygiene) == {
        "tags": ["correctness", "iam"],
        "precision": "medium",
        "problem.severity": "recommendation",
    }


def test_sarif_descriptions_fit_githubs_limits(run_cli, estate):
    sarif = json.loads(run_cli("-f", "sarif", "infra/admin.json", cwd=estate).stdout)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    long = rules["IAM102"]["fullDescription"]["text"]  # its documentation runs to 2,500 characters
    assert len(long) <= 1024 and long.endswith(" …")
    assert long.startswith('`"*"` applies the statement\'s actions to every resource')  # the reason first
    assert rules["IAM101"]["help"]["text"].startswith("Checks for Allow statements that grant every action")


# -- control characters from the input never reach a terminal or the runner raw ---------------
# ESC sequences (an OSC title, a screen clear), BEL, CR LF followed by a forged workflow
# command, NUL, the C1 CSI and a right-to-left override
HOSTILE_VALUE = "arn:aws:s3:::x\\u001b]0;pwned\\u0007\\u001b[2J\\r\\n::error file=forged.json::forged\\u0000\\u009b31m\\u202e"
SHOWN_VALUE = (
    "arn:aws:s3:::x\\x1b]0;pwned\\x07\\x1b[2J\\r\\n::error file=forged.json::forged\\x00\\x9b31m\\u202e"
)
HOSTILE_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",\n'
    f' "NotResource": "{HOSTILE_VALUE}"}}]}}\n'
)
HOSTILE_NAME = "evil\x1b[31m\n::error file=forged::x.json"
SHOWN_NAME = "evil\\x1b[31m\\n::error file=forged::x.json"
RAW = ("\x1b", "\x07", "\r", "\x00", "\x9b", "\u202e")
SGR = r"\x1b\[[0-9;]*m"  # iamlint's own colours


@pytest.fixture
def hostile(tmp_path) -> Path:
    (tmp_path / "policy.json").write_text(HOSTILE_POLICY)
    try:
        (tmp_path / HOSTILE_NAME).write_text(HOSTILE_POLICY)
    except OSError:  # a file system that refuses such a name
        pytest.skip("file names with control characters are not allowed here")
    # a source line with raw control characters (not valid JSON: an IAM900 points at it)
    (tmp_path / "raw.json").write_bytes(
        b'{"Version": "2012-10-17", "Statement": [{"Sid": "a\x1b]0;pwned\x07\xc2\x9b2J\xe2\x80\xae",'
        b' "Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'
    )
    return tmp_path


def inert(out: str, own_colours: bool = False) -> str:
    """``out`` without iamlint's own colour codes, asserted to hold no raw control character."""
    import re

    if own_colours:
        assert re.search(SGR, out)
        out = re.sub(SGR, "", out)
    for c in RAW:
        assert c not in out, repr(c)
    return out


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_hostile_values_and_file_names_are_escaped(run_cli, hostile, fmt):
    proc = run_cli("-f", fmt, "--isolated", "--select", "IAM104", "policy.json", HOSTILE_NAME, cwd=hostile)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = inert(proc.stdout).splitlines()
    if fmt == "text":
        assert lines == [
            f"{SHOWN_NAME}:2:2: IAM104 [warning] Allow statement with NotResource grants every resource "
            f"except {SHOWN_VALUE} (not-resource)",
            "",
            f"policy.json:2:2: IAM104 [warning] Allow statement with NotResource grants every resource "
            f"except {SHOWN_VALUE} (not-resource)",
            "",
            "2 files scanned; 2 policies found; 2 findings (2 warnings).",
        ]
    elif fmt == "concise":
        assert len(lines) == 2  # one line per finding, whatever the name and the value hold
        assert lines[0].startswith(f"{SHOWN_NAME}:2:2")
        assert lines[1].startswith("policy.json:2:2")
        assert all(
            line.endswith(
                f"IAM104 Allow statement with NotResource grants every resource except {SHOWN_VALUE}"
            )
            for line in lines
        )
    else:
        from test_reporters import parse_workflow_command

        commands = [parse_workflow_command(line) for line in lines]
        assert [(c, p["file"], p["line"]) for c, p, _ in commands] == [
            ("warning", SHOWN_NAME, "2"),
            ("warning", "policy.json", "2"),
        ]
        assert all(
            d == f"Allow statement with NotResource grants every resource except {SHOWN_VALUE}"
            for *_, d in commands
        )


def test_hostile_text_keeps_its_own_colours_and_escapes_source_snippets(run_cli, hostile):
    proc = run_cli(
        "--isolated",
        "--show-source",
        "policy.json",
        HOSTILE_NAME,
        "raw.json",
        cwd=hostile,
        env={"FORCE_COLOR": "1", "NO_COLOR": ""},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    text = inert(proc.stdout, own_colours=True)
    assert f"{SHOWN_NAME}:2:2: IAM104 [warning] " in text
    rows = text.splitlines()
    source = next(r for r in rows if r.startswith("1 | "))
    assert source.startswith(
        '1 | {"Version": "2012-10-17", "Statement": [{"Sid": "a\\x1b]0;pwned\\x07\\x9b2J\\u202e",'
    )
    caret = rows[rows.index(source) + 1]
    assert caret.index("^") == source.index("\\x1b") and caret.count("^") == len("\\x1b")
    snippet = next(r for r in rows if r.startswith('2 |  "NotResource"'))
    assert "\\u001b" in snippet  # the JSON escape as written: already inert


def test_hostile_suppression_reasons_are_escaped(run_cli, hostile):
    (hostile / "pyproject.toml").write_text(
        "[[tool.iamlint.suppress]]\n"
        'rules = ["IAM104"]\n'
        'files = ["policy.json"]\n'
        'reason = "legacy\\u001b[2J\\r\\n::error file=forged::x"\n'
    )
    proc = run_cli("--select", "IAM104", "--show-suppressed", "policy.json", cwd=hostile)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    text = inert(proc.stdout)
    assert "    because: legacy\\x1b[2J\\r\\n::error file=forged::x (configuration at " in text


# -- 8: JUnit agrees with the exit code ---------------------------------------------------------
# an error (IAM101, 6:17) and a warning (IAM102, 7:19) in one statement
MIXED = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}
"""
# warnings only: IAM102 (dynamodb:GetItem could be scoped)
WARN_ONLY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "dynamodb:GetItem",
      "Resource": "*"
    }
  ]
}
"""
CLEAN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::b"}]}\n'


@pytest.fixture
def suite(tmp_path) -> Path:
    (tmp_path / "mixed.json").write_text(MIXED)
    (tmp_path / "warn.json").write_text(WARN_ONLY)
    (tmp_path / "clean.json").write_text(CLEAN)
    (tmp_path / "package.json").write_text('{"name": "web"}\n')
    return tmp_path


def junit(proc) -> tuple[ET.Element, dict[str, ET.Element]]:
    assert "Traceback" not in proc.stderr
    root = ET.fromstring(proc.stdout)
    (testsuite,) = root.findall("testsuite")
    cases = {c.get("name"): c for c in testsuite.findall("testcase")}
    # the counts are those of the test cases, and a case is in one state only
    states = {
        name: [k for k in ("failure", "error", "skipped") if c.find(k) is not None]
        for name, c in cases.items()
    }
    assert all(len(s) <= 1 for s in states.values()), states
    counts = {
        "tests": len(cases),
        "failures": sum(s == ["failure"] for s in states.values()),
        "errors": sum(s == ["error"] for s in states.values()),
        "skipped": sum(s == ["skipped"] for s in states.values()),
    }
    assert {k: int(testsuite.get(k)) for k in counts} == counts
    assert {k: int(root.get(k)) for k in ("tests", "failures", "errors")} == {
        k: counts[k] for k in ("tests", "failures", "errors")
    }
    return testsuite, cases


def failures(case: ET.Element) -> list[tuple[str, str]]:
    return [(f.get("type"), f.text.split(": ", 1)[0]) for f in case.findall("failure")]


def test_junit_under_fail_on_error_a_warning_only_file_passes(run_cli, suite):
    proc = run_cli("-f", "junit", "--isolated", "--fail-on", "error", ".", cwd=suite)
    assert proc.returncode == 1  # mixed.json has an error
    _, cases = junit(proc)
    assert set(cases) == {"clean.json", "mixed.json", "package.json", "warn.json"}
    warn = cases["warn.json"]
    assert warn.find("failure") is None and warn.find("error") is None
    assert warn.find("system-out").text.startswith("warn.json:7:19: IAM102 [warning] Allow statement applies")
    mixed = cases["mixed.json"]
    assert failures(mixed) == [("IAM101", "mixed.json:6:17")]  # one failure per finding at or above error
    assert mixed.find("system-out").text.startswith("mixed.json:7:19: IAM102 [warning] ")
    assert list(cases["clean.json"]) == []
    assert cases["package.json"].find("skipped") is not None
    # the same run without the error: everything passes, as the exit code says
    (suite / "mixed.json").unlink()
    proc = run_cli("-f", "junit", "--isolated", "--fail-on", "error", ".", cwd=suite)
    assert proc.returncode == 0
    testsuite, _ = junit(proc)
    assert (testsuite.get("failures"), testsuite.get("errors")) == ("0", "0")


def test_junit_default_fail_on_and_configuration(run_cli, suite):
    proc = run_cli("-f", "junit", "--isolated", ".", cwd=suite)
    assert proc.returncode == 1
    testsuite, cases = junit(proc)
    assert failures(cases["mixed.json"]) == [("IAM101", "mixed.json:6:17"), ("IAM102", "mixed.json:7:19")]
    assert failures(cases["warn.json"]) == [("IAM102", "warn.json:7:19")]
    assert testsuite.get("failures") == "2"
    # fail-on from the configuration counts as much as --fail-on
    (suite / "pyproject.toml").write_text('[tool.iamlint]\nfail-on = "error"\n')
    proc = run_cli("-f", "junit", ".", cwd=suite)
    assert proc.returncode == 1
    testsuite, cases = junit(proc)
    assert failures(cases["warn.json"]) == [] and testsuite.get("failures") == "1"


def test_junit_a_file_with_an_input_error_is_an_error_with_its_findings_listed(run_cli, suite):
    # a suppression comment that cannot be read (IAM904) in a template with a finding
    (suite / "role.yaml").write_text(
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Statement:\n"
        "          - Effect: Allow  # iamlint: ignore[IAM999]\n"
        "            Action: '*'\n"
        "            Resource: arn:aws:s3:::b\n"
    )
    (suite / "broken.json").write_text('{"Version": "2012-10-17", "Statement": [],}\n')
    proc = run_cli("-f", "junit", "--isolated", ".", "missing.json", cwd=suite)
    assert proc.returncode == 2
    testsuite, cases = junit(proc)
    assert [e.get("type") for e in cases["broken.json"].findall("error")] == ["IAM900"]
    role = cases["role.yaml"]
    assert [e.get("type") for e in role.findall("error")] == ["IAM904"]
    assert role.find("failure") is None
    assert "IAM101 [error]" in role.find("system-out").text  # found anyway, listed
    missing = [c for name, c in cases.items() if "missing.json" in name]
    assert len(missing) == 1 and missing[0].find("error").get("type") == "usage"
    assert testsuite.get("errors") == "3"


# -- GitLab Code Quality -----------------------------------------------------------------------
def test_gitlab_report_meets_gitlabs_documented_format(run_cli, estate):
    import jsonschema

    proc = run_cli("-f", "gitlab", ".", cwd=estate, env={"GITHUB_WORKSPACE": ""})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not proc.stdout.startswith("\ufeff") and proc.stdout.isascii()  # no byte order mark
    issues = json.loads(proc.stdout)
    schema = json.loads((HERE / "schemas" / "gitlab-code-quality.json").read_text())
    jsonschema.validate(issues, schema, cls=jsonschema.Draft7Validator)
    # what iamlint adds to the minimum: both ends of the lines, and distinct fingerprints
    # (GitLab shows findings with the same fingerprint as one)
    assert all(i["location"]["lines"]["end"] >= i["location"]["lines"]["begin"] for i in issues)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_code = {i["check_name"]: i for i in issues}
    assert {c: (i["severity"], i["categories"]) for c, i in by_code.items()} == {
        "IAM101": ("critical", ["Security"]),
        "IAM102": ("major", ["Security"]),
        "IAM401": ("critical", ["Security"]),
        "IAM402": ("critical", ["Security"]),
        "IAM900": ("blocker", ["Bug Risk"]),
        "IAM901": ("major", ["Bug Risk"]),  # a tool diagnostic is not a security finding
    }
    paths = {i["location"]["path"] for i in issues}
    assert paths == {
        "dir with space/ünï/main.tf",
        "infra/admin.json",
        "infra/bucket.json",
        "infra/broken.json",
        "pyproject.toml",
    }
    # the checker is not blind
    bad = json.loads(json.dumps(issues))
    bad[0]["severity"], bad[1]["location"]["path"] = "high", "/abs/path.json"
    for wrong in ([bad[0]], [bad[1]], [{k: v for k, v in issues[0].items() if k != "check_name"}]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema, cls=jsonschema.Draft7Validator)


# -- 10: a fingerprint names the element, not its neighbours ------------------------------------
METRICS = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Metrics",
      "Effect": "Allow",
      "Action": ["cloudwatch:*", "logs:PutLogEvents"],
      "Resource": "*"
    }
  ]
}
"""


def test_narrowing_the_actions_keeps_a_baselined_wildcard_resource_finding(run_cli, tmp_path):
    no_sid = METRICS.replace('"Sid": "Metrics",', "")
    (tmp_path / "sid.json").write_text(METRICS)
    (tmp_path / "nosid.json").write_text(no_sid)
    args = ("--isolated", "--select", "IAM102")
    wrote = run_cli(*args, "--write-baseline", "base.json", "sid.json", "nosid.json", cwd=tmp_path)
    assert wrote.returncode == 0 and "wrote 2 finding(s)" in wrote.stderr
    # the fix a reviewer asks for: cloudwatch:* narrowed to the one action needed; and, in the
    # policy without a Sid (its position names the statement), a statement added after it
    narrowed = METRICS.replace('"cloudwatch:*"', '"cloudwatch:PutMetricData"')
    (tmp_path / "sid.json").write_text(narrowed)
    added = narrowed.replace('"Sid": "Metrics",', "").replace(
        "    }\n  ]",
        '    },\n    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}\n  ]',
    )
    (tmp_path / "nosid.json").write_text(added)
    proc = run_cli(*args, "--baseline", "base.json", "sid.json", "nosid.json", cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert proc.stdout == "2 files scanned; 2 policies found; no findings; 2 in baseline.\n"
    # a second Resource "*" in the same policy is a finding of its own
    (tmp_path / "nosid.json").write_text(added.replace('"Resource": "arn:aws:s3:::b/*"', '"Resource": "*"'))
    proc = run_cli("-f", "concise", *args, "--baseline", "base.json", "sid.json", "nosid.json", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith("nosid.json:10:63-10.66: warning: IAM102 ")
    assert proc.stdout.count("\n") == 1


def test_renaming_the_first_copy_keeps_a_baselined_copy_finding(run_cli, tmp_path):
    role = """  {name}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: codebuild.amazonaws.com}}, Action: sts:AssumeRole}}
      Policies:
        - PolicyName: artifacts
          PolicyDocument:
            Statement:
              - {{Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::artifacts/*"}}
"""
    template = "Resources:\n" + role.format(name="BuildRole") + role.format(name="DeployRole")
    (tmp_path / "t.yaml").write_text(template)
    first = run_cli("-f", "concise", "--isolated", "--select", "IAM301", "t.yaml", cwd=tmp_path)
    assert (
        first.stdout.startswith("t.yaml:22:13-") and "repeats the inline policy of BuildRole" in first.stdout
    )
    wrote = run_cli(
        "--isolated", "--select", "IAM301", "--write-baseline", "base.json", "t.yaml", cwd=tmp_path
    )
    assert wrote.returncode == 0
    (tmp_path / "t.yaml").write_text(template.replace("BuildRole", "BuilderRole"))
    proc = run_cli(
        "-f", "concise", "--isolated", "--select", "IAM301", "--baseline", "base.json", "t.yaml", cwd=tmp_path
    )
    assert (proc.returncode, proc.stdout) == (0, "")


DUPLICATES = {
    "p.json": '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n'
    '    "Action": "s3:GetObject",\n    "Action": "s3:PutObject",\n    "Resource": "arn:aws:s3:::b/*"\n  }]\n}\n',
    "object.tf": 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
    '    Statement = [{\n      Effect = "Allow"\n      Action = "s3:GetObject"\n      Action = "s3:PutObject"\n'
    '      Resource = "arn:aws:s3:::b/*"\n    }]\n  })\n}\n',
    "heredoc.tf": 'resource "aws_iam_policy" "q" {\n  policy = <<EOT\n{"Version": "2012-10-17", "Statement": '
    '[{"Effect": "Allow",\n "Action": "s3:GetObject", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}\n'
    "EOT\n}\n",
}


def test_moving_a_duplicate_key_keeps_its_fingerprint(run_cli, tmp_path):
    """IAM902's message says where the first key is; its fingerprint must not."""
    for name, text in DUPLICATES.items():
        (tmp_path / name).write_text(text)
    args = ("-f", "concise", "--isolated", "--select", "IAM902")
    wrote = run_cli(*args, "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert wrote.returncode == 0 and "wrote 3 finding(s)" in wrote.stderr
    before = run_cli(*args, ".", cwd=tmp_path).stdout
    # two lines above both keys of each file
    for name, text in DUPLICATES.items():
        moved = text.replace("{\n", "{\n\n\n", 1) if name.endswith(".json") else "# moved\n\n" + text
        (tmp_path / name).write_text(moved)
    proc = run_cli(*args, "--baseline", "base.json", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "")
    after = run_cli(*args, ".", cwd=tmp_path).stdout
    assert after.count("IAM902") == 3 and after != before  # the messages moved with the lines
    assert "duplicate key 'Action' (first at line 7)" in after


# -- the Action's single run: annotations and log lines from the SARIF report -----------------
def test_replaying_the_sarif_report_prints_what_the_formats_print(run_cli, estate, tmp_path):
    import subprocess
    import sys

    env = {"GITHUB_WORKSPACE": str(estate)}
    sarif = tmp_path / "report.sarif"
    run_cli("-f", "sarif", "-o", sarif, ".", cwd=estate, env=env)

    def replay(*args):
        return subprocess.run(
            [sys.executable, "-m", "iamlint.reporters.replay", *args],
            cwd=estate,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **env},
        )

    github = replay("--format", "github", str(sarif))
    assert (
        github.returncode == 0 and github.stdout == run_cli("-f", "github", ".", cwd=estate, env=env).stdout
    )
    assert "::error file=dir with space/ünï/main.tf," in github.stdout
    text = replay(str(sarif))
    expected = [line for line in run_cli(".", cwd=estate, env=env).stdout.splitlines()[:-1]]
    assert text.stdout.splitlines()[:-1] == expected
    assert text.stdout.splitlines()[-1].startswith("7 findings (")
    missing = replay(str(tmp_path / "nope.sarif"))
    assert missing.returncode == 2 and missing.stderr.startswith(
        "iamlint: error: cannot read the SARIF report "
    )
    assert "Traceback" not in missing.stderr
    # another file than iamlint's SARIF: one line saying where, exit 2
    for content, where in [
        ("[1]", "the log is not an object"),
        ('{"runs": "x"}', "runs is not a list"),
        (
            '{"runs": [{"results": [{"locations": [{"physicalLocation": {"region": {"startLine": "a"}}}]}]}]}',
            "runs[0].results[0].locations[0].physicalLocation.region.startLine is not an integer",
        ),
    ]:
        sarif.write_text(content)
        proc = replay("--format", "github", str(sarif))
        assert (proc.returncode, proc.stdout) == (2, "")
        assert proc.stderr == f"iamlint: error: {sarif}: not an iamlint SARIF report: {where}\n"
