"""iamlint inside cfn-lint (`iamlint.cfnlint`), run by the real cfn-lint as a user runs it.

cfn-lint takes 1-3 s to start, so the runs below are made once, all at the same time, by
the module's `runs` fixture (each in a subprocess with a timeout); the tests read their
results. Every run has its own HOME, so no ~/.cfnlintrc of the machine takes part.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CFN_LINT = Path(sys.executable).parent / ("cfn-lint.exe" if os.name == "nt" else "cfn-lint")

# a template cfn-lint itself finds nothing in; iamlint finds four things, suppresses one
FINDINGS = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: "s3:*"
                Resource: "*"
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: "*" # iamlint: ignore[IAM102] the queue is created by another stack
  Deployer:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: cloudformation:CreateStack
                Resource: !Sub "arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/app-*"
                Condition: {Bool: {aws:MultiFactorAuthPresent: "true"}} # iamlint: ignore[IAM201] no longer needed
"""
M101 = 'Allow statement grants every action of s3 ("s3:*") (180 actions) [AppRole]'
M102 = 'Allow statement applies to every resource ("Resource": "*"); s3:* could be scoped to resource ARNs [AppRole]'
M302 = "inline policy deploy is attached directly to user Deployer; grant it through a group [Deployer]"
M901 = "suppression of IAM201 matches no finding; remove it"
ACME_S3 = 'ACME101: "s3:*" allows deleting S3 buckets [AppRole]'  # the example plugin
#: (id, line, column, end line, end column, message, cfn-lint path): iamlint's own positions
EXPECTED = [
    ("E9101", 16, 25, 16, 31, M101, ["Resources", "AppRole"]),
    ("W9102", 17, 27, 17, 30, M102, ["Resources", "AppRole"]),
    ("W9302", 27, 13, 31, 72, M302, ["Resources", "Deployer"]),
    ("W9901", 31, 73, 31, 115, M901, ["Resources", "Deployer"]),
]
PARSEABLE = [f"findings.yaml:{line}:{c}:{el}:{ec}:{rid}:{msg}" for rid, line, c, el, ec, msg, _ in EXPECTED]

CLEAN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::reports/*
"""

BROKEN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: [unclosed
"""

# iamlint's ACME101 example plugin, for a template it flags
ACME = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Cleaner:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:DeleteBucket
            Resource: arn:aws:s3:::scratch-bucket
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every cfn-lint run of this module: name -> CompletedProcess (made concurrently)."""
    assert CFN_LINT.exists(), "cfn-lint is a dependency of iamlint and must be installed"
    base = tmp_path_factory.mktemp("cfnlint")
    home = base / "home"
    home.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "USERPROFILE": str(home),
        "IAMLINT_CACHE_DIR": str(base / "cache"),
        "NO_COLOR": "1",
    }
    env.pop("IAMLINT_DEBUG", None)
    env.pop("PYTHONPATH", None)

    # the command line: options after the template (see docs/cfn-lint.md)
    cli = base / "cli"
    for name, text in (("findings.yaml", FINDINGS), ("clean.yaml", CLEAN), ("broken.yaml", BROKEN)):
        _write(cli / name, text)

    # .cfnlintrc names the rules; the same template
    rc = base / "rc"
    _write(rc / ".cfnlintrc", "append_rules:\n  - iamlint.cfnlint\n")
    _write(rc / "findings.yaml", FINDINGS)

    # iamlint's configuration (the nearest, as for `iamlint FILE`) and cfn-lint's ignores
    cfg = base / "configured"
    _write(
        cfg / "iac" / ".iamlint.toml",
        'ignore = ["IAM101"]\nexclude = ["excluded.yaml"]\n[severity]\nIAM102 = "error"\n',
    )
    _write(cfg / "iac" / "findings.yaml", FINDINGS)
    _write(cfg / "iac" / "excluded.yaml", FINDINGS)
    _write(cfg / "badconfig" / ".iamlint.toml", "select = IAM1\n")
    _write(cfg / "badconfig" / "findings.yaml", FINDINGS)
    # cfn-lint's own Metadata ignore on one resource
    meta = FINDINGS.replace(
        "  Deployer:\n    Type: AWS::IAM::User\n",
        "  Deployer:\n    Type: AWS::IAM::User\n    Metadata:\n      cfn-lint:\n        config:\n"
        "          ignore_checks: [W9901]\n",
    )
    _write(cfg / "meta" / "findings.yaml", meta)

    # a plugin, registered as pip registers one (an entry point in a dist-info)
    site = base / "site"
    dist = site / "acme_iam_rules-0.1.dist-info"
    _write(dist / "METADATA", "Metadata-Version: 2.1\nName: acme-iam-rules\nVersion: 0.1\n")
    _write(dist / "entry_points.txt", "[iamlint.rules]\nacme = acme_iam_rules:NoBucketDeletion\n")
    _write(base / "plugin" / "acme.yaml", ACME)
    plugin_env = {**env, "PYTHONPATH": os.pathsep.join([str(ROOT / "examples" / "plugin"), str(site)])}

    cfn = str(CFN_LINT)
    templates = [
        "iac/findings.yaml",
        "iac/excluded.yaml",
        "badconfig/findings.yaml",
        "meta/findings.yaml",
        "../plugin/acme.yaml",
    ]
    options = ["--ignore-checks", "W9302", "--format", "parseable", "--append-rules", "iamlint.cfnlint"]
    configured = [cfn, *templates, *options]
    if os.name != "nt":
        # and a template given as a pipe (bash's process substitution), which cfn-lint reads first
        quoted = " ".join(f"'{a}'" for a in [cfn, *templates])
        configured = ["bash", "-c", f"{quoted} <(cat iac/findings.yaml) " + " ".join(options)]
    plan = {
        # the command exactly as the issue writes it
        "as-written": ([cfn, "--append-rules", "iamlint.cfnlint", "findings.yaml"], cli, env, None),
        # options first: -- ends the rules' values
        "parseable": (
            [
                cfn,
                "--format",
                "parseable",
                "--append-rules",
                "iamlint.cfnlint",
                "--",
                "findings.yaml",
                "broken.yaml",
            ],
            cli,
            env,
            None,
        ),
        "stdin": ([cfn, "--append-rules", "iamlint.cfnlint", "--format", "parseable"], cli, env, FINDINGS),
        "rc-json": ([cfn, "findings.yaml", "--format", "json"], rc, env, None),
        "configured": (configured, cfg, plugin_env, None),
        # cfn-lint's command line run several times in one process (as an editor's language
        # server runs it): a clean template, then the other formats through .cfnlintrc
        "in-process": ([sys.executable, "-c", IN_PROCESS, str(cli), str(rc)], rc, env, None),
    }

    def run(item):
        name, (argv, cwd, e, stdin) = item
        proc = subprocess.run(
            argv,
            cwd=cwd,
            env=e,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=180,
        )
        return name, proc

    with ThreadPoolExecutor(max_workers=3) as pool:
        done: dict = dict(pool.map(run, plan.items()))
    done["configured-dir"] = str(cfg)
    # split the in-process runs into one result each
    out = done.pop("in-process")
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stdout + out.stderr
    for chunk in out.stdout.split(SEPARATOR)[1:]:
        head, _, body = chunk.partition("\n")
        name, code = head.split()
        done[name] = subprocess.CompletedProcess([name], int(code), body, "")
    return done


SEPARATOR = "\n=== run "
IN_PROCESS = f"""
import contextlib, io, os, sys
from cfnlint.runner.cli import main

cli, rc = sys.argv[1:3]
runs = [
    ("clean", cli, ["clean.yaml", "--append-rules", "iamlint.cfnlint"]),
    ("rc-default", rc, ["findings.yaml"]),
    ("rc-sarif", rc, ["findings.yaml", "--format", "sarif"]),
    ("rc-junit", rc, ["findings.yaml", "--format", "junit"]),
    ("list-rules", rc, ["--list-rules"]),
]
for name, cwd, args in runs:
    os.chdir(cwd)
    sys.argv = ["cfn-lint", *args]
    buf = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buf):
        try:
            main()
        except SystemExit as e:
            code = e.code or 0
    sys.stdout.write({SEPARATOR!r} + name + " " + str(code) + "\\n" + buf.getvalue())
"""


def lines(proc) -> list[str]:
    return [line for line in proc.stdout.splitlines() if line.strip()]


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stdout, proc.stdout


# -- through --append-rules -------------------------------------------------------------------------
def test_the_command_as_the_issue_writes_it_says_how_to_write_it(runs):
    """cfn-lint's --append-rules takes one or more values, the template included: cfn-lint
    would import findings.yaml as a rules module and stop with a traceback. The plug-in says
    what works instead, in one line."""
    proc = runs["as-written"]
    no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "iamlint.cfnlint: error: cfn-lint's --append-rules takes every value after it as a rules module, "
        "so cfn-lint would import findings.yaml as a rules module: put the templates first (cfn-lint "
        "findings.yaml --append-rules iamlint.cfnlint), end the rules with -- (cfn-lint --append-rules "
        "iamlint.cfnlint -- findings.yaml), or name the rules in .cfnlintrc (append_rules: [iamlint.cfnlint])"
    ]


def of(proc, prefix: str) -> list[str]:
    """The output lines about one file."""
    return [line for line in lines(proc) if line.startswith(prefix)]


def test_append_rules_reports_iamlint_findings_at_iamlint_positions(runs):
    proc = runs["parseable"]
    no_traceback(proc)
    assert of(proc, "findings.yaml:") == PARSEABLE
    assert proc.returncode == 2 | 4  # cfn-lint's bits: an error and a warning


def test_a_clean_template_exits_zero(runs):
    proc = runs["clean"]
    no_traceback(proc)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_template_cfn_lint_cannot_parse_keeps_cfn_lints_error_alone(runs):
    proc = runs["parseable"]
    no_traceback(proc)
    assert of(proc, "broken.yaml:") == ["broken.yaml:6:1:6:2:E0000:did not find expected ',' or ']'"]
    assert len(lines(proc)) == len(PARSEABLE) + 1


def test_a_template_from_stdin_is_one_clear_match(runs):
    """iamlint reads the template's file for its positions; stdin is gone by then."""
    proc = runs["stdin"]
    no_traceback(proc)
    assert lines(proc) == [
        "None:1:1:1:2:E9900:iamlint lints a template's file, and cfn-lint read this one from standard "
        "input: give cfn-lint the file name"
    ]
    assert proc.returncode == 2


@pytest.mark.skipif(os.name == "nt", reason="bash process substitution")
def test_a_template_given_as_a_pipe_is_one_clear_match(runs):
    proc = runs["configured"]
    no_traceback(proc)
    out = of(proc, "/dev/fd/")
    assert len(out) == 1, out
    assert re.fullmatch(
        r"(/dev/fd/\d+):1:1:1:2:E9900:iamlint reads the template again from \1, which is not a regular "
        r"file \(a pipe cfn-lint has already read\): give cfn-lint the template's file",
        out[0],
    ), out


# -- through .cfnlintrc, in cfn-lint's formats ---------------------------------------------------
def test_cfnlintrc_json_has_ids_positions_levels_messages_and_paths(runs):
    proc = runs["rc-json"]
    no_traceback(proc)
    assert proc.returncode == 2 | 4
    got = [
        (
            m["Rule"]["Id"],
            m["Location"]["Start"]["LineNumber"],
            m["Location"]["Start"]["ColumnNumber"],
            m["Location"]["End"]["LineNumber"],
            m["Location"]["End"]["ColumnNumber"],
            m["Message"],
            m["Location"]["Path"],
        )
        for m in json.loads(proc.stdout)
    ]
    assert got == EXPECTED
    first = json.loads(proc.stdout)[0]
    assert first["Filename"] == "findings.yaml"
    assert first["Level"] == "Error"
    assert first["Rule"]["ShortDescription"] == "iamlint IAM101 wildcard-action"
    assert (
        first["Rule"]["Source"]
        == "https://github.com/iamlint/iamlint/blob/main/docs/rules.md#iam101-wildcard-action"
    )
    assert [m["Level"] for m in json.loads(proc.stdout)] == ["Error", "Warning", "Warning", "Warning"]


def test_cfnlintrc_default_format(runs):
    proc = runs["rc-default"]
    no_traceback(proc)
    assert proc.returncode == 2 | 4
    assert lines(proc) == [
        x for rid, line, c, _, _, msg, _ in EXPECTED for x in (f"{rid} {msg}", f"findings.yaml:{line}:{c}")
    ]


def test_cfnlintrc_sarif_regions_are_iamlints(runs):
    proc = runs["rc-sarif"]
    no_traceback(proc)
    assert proc.returncode == 2 | 4
    run = json.loads(proc.stdout)["runs"][0]
    got = []
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]
        reg = loc["region"]
        assert loc["artifactLocation"]["uri"] == "findings.yaml"
        got.append(
            (
                r["ruleId"],
                reg["startLine"],
                reg["startColumn"],
                reg["endLine"],
                reg["endColumn"],
                r["message"]["text"],
                r.get("level", "warning"),  # SARIF's default level is left out
            )
        )
    levels = {"E": "error", "W": "warning"}
    assert got == [(rid, line, c, el, ec, msg, levels[rid[0]]) for rid, line, c, el, ec, msg, _ in EXPECTED]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == sorted(e[0] for e in EXPECTED)
    assert rules["W9302"]["helpUri"].endswith("docs/rules.md#iam302-user-attached-policy")


def test_cfnlintrc_junit_failures_name_the_positions(runs):
    proc = runs["rc-junit"]
    no_traceback(proc)
    assert proc.returncode == 2 | 4
    suite = ET.fromstring(proc.stdout).find("testsuite")
    assert suite is not None
    failures = {}
    for case in suite.iter("testcase"):
        for f in case.iter("failure"):
            failures.setdefault(case.get("name", "").split()[0], []).append(f.get("message"))
    assert failures == {
        rid: [f"{msg} at findings.yaml:{line}:{c}"] for rid, line, c, _, _, msg, _ in EXPECTED
    }


# -- configuration, ignores, suppressions ------------------------------------------------------------
def test_iamlint_configuration_and_cfn_lint_ignores_both_apply(runs):
    """iac/: the nearest .iamlint.toml ignores IAM101, makes IAM102 an error (E9102) and
    excludes excluded.yaml (no iamlint match at all); cfn-lint's --ignore-checks W9302 drops
    IAM302 everywhere; meta/: cfn-lint's Metadata ignore on the Deployer resource drops its
    W9901; badconfig/: a broken .iamlint.toml is one clear match.
    The comment suppression of IAM102 on line 20 holds throughout. The run has the ACME101
    plugin installed, which flags "s3:*" too (E9000)."""
    proc = runs["configured"]
    no_traceback(proc)
    where = runs["configured-dir"]
    assert of(proc, "badconfig/") == [
        "badconfig/findings.yaml:1:1:1:2:E9900:iamlint configuration: "
        f"{where}/badconfig/.iamlint.toml: invalid TOML: Invalid value (at line 1, column 10)"
    ]
    assert of(proc, "iac/") == [
        f"iac/findings.yaml:16:25:16:31:E9000:{ACME_S3}",
        f"iac/findings.yaml:17:27:17:30:E9102:{M102}",
        f"iac/findings.yaml:31:73:31:115:W9901:{M901}",
    ]
    assert of(proc, "meta/") == [
        f"meta/findings.yaml:16:25:16:31:E9000:{ACME_S3}",
        f"meta/findings.yaml:16:25:16:31:E9101:{M101}",
        f"meta/findings.yaml:17:27:17:30:W9102:{M102}",
    ]
    assert proc.returncode == 2 | 4


def test_a_plugin_rule_is_reported_under_the_plugin_id_with_its_code(runs):
    proc = runs["configured"]
    no_traceback(proc)
    assert of(proc, "../plugin/") == [
        '../plugin/acme.yaml:9:21:9:36:E9000:ACME101: "s3:DeleteBucket" allows deleting S3 buckets [Cleaner]'
    ]


# -- the mapping, in process ---------------------------------------------------------------------------
def test_every_code_has_a_cfn_lint_id_in_the_users_range():
    from iamlint.cfnlint import cfn_lint_id, mapping

    rows = mapping()
    assert len(rows) == len({r.code for r in rows}) > 20
    for r in rows:
        assert re.fullmatch(r"[EWI]9\d{3}", r.cfn_lint_id), r
        assert (
            r.cfn_lint_id == {"error": "E", "warning": "W", "info": "I"}[r.severity.value] + "9" + r.code[3:]
        )
    assert cfn_lint_id("IAM102", "error") == "E9102"
    assert cfn_lint_id("ACME101", "info") == "I9000"


def test_cfn_lint_lists_every_id_and_none_of_its_own_rules_uses_the_range(runs):
    from iamlint.cfnlint import cfn_lint_id, mapping

    proc = runs["list-rules"]
    listed = re.findall(r"^([EWI]\d{4}): ", proc.stdout, re.M)
    assert len(listed) > 200  # cfn-lint's own rules are there too
    ours = {cfn_lint_id(r.code, s) for r in mapping() for s in ("error", "warning", "info")}
    ours |= {"E9000", "W9000", "I9000"}
    assert sorted(i for i in listed if i[1] == "9") == sorted(ours)
    assert "E9101: iamlint IAM101 wildcard-action" in proc.stdout


def test_the_docs_table_is_the_mapping():
    from iamlint.cfnlint import cfn_lint_id, mapping

    doc = (ROOT / "docs" / "cfn-lint.md").read_text(encoding="utf-8")
    table = [line for line in doc.splitlines() if line.startswith("| IAM")]
    want = [
        f"| {r.code} | {r.name} | {r.severity.value} | {r.cfn_lint_id} | "
        + " / ".join(cfn_lint_id(r.code, s) for s in ("error", "warning", "info"))
        + " |"
        for r in mapping()
    ]
    assert table == want


def test_swallowed_templates_are_the_files_among_the_rules(tmp_path, monkeypatch):
    from iamlint.cfnlint import swallowed_templates

    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text("x", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    assert swallowed_templates(["--append-rules", "iamlint.cfnlint", "t.yaml"]) == ["t.yaml"]
    assert swallowed_templates(["-a", "rules,t.yaml"]) == ["t.yaml"]
    assert swallowed_templates(["t.yaml", "-a", "iamlint.cfnlint", "rules"]) == []
    assert swallowed_templates(["-a", "iamlint.cfnlint", "-f", "json", "t.yaml"]) == []
    assert swallowed_templates(["-a", "iamlint.cfnlint", "--", "t.yaml"]) == []
    assert swallowed_templates(["-a", "iamlint.cfnlint", "*.yaml", "rules/*.py"]) == ["*.yaml"]


# -- the plug-in's own guards, in process ----------------------------------------------------------
class FakeTemplate:
    """What the plug-in reads of cfn-lint's Template: the file name and the parsed template."""

    def __init__(self, filename, template=None):
        self.filename = filename
        self.template = template


def test_a_bug_in_iamlint_is_one_e9903_match_not_cfn_lints_e0002(monkeypatch):
    import iamlint.cfnlint as plug
    from iamlint.model import Span

    def broken(filename, template):
        raise KeyError("boom")

    monkeypatch.delenv("IAMLINT_DEBUG", raising=False)
    monkeypatch.setattr(plug, "_lint_file", broken)
    assert plug.results_for(FakeTemplate("t.yaml")) == [
        plug.Result(
            "E9903",
            "KeyError: 'boom' (a bug in iamlint or a plugin; please report it)",
            Span("t.yaml", 1, 1, 1, 2),
            (),
        )
    ]
    monkeypatch.setenv("IAMLINT_DEBUG", "1")
    with pytest.raises(KeyError):
        plug.results_for(FakeTemplate("t.yaml"))


def test_each_template_is_linted_once_and_with_the_configuration_as_it_is_now(tmp_path, monkeypatch):
    """cfn-lint runs every rule on a template: the first lints, the others read. A process that
    runs cfn-lint again (an editor's language server) sees an edited configuration."""
    import iamlint.cfnlint as plug

    monkeypatch.setenv("IAMLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IAMLINT_DEBUG", raising=False)
    template = tmp_path / "findings.yaml"
    template.write_text(FINDINGS, encoding="utf-8")
    calls = []
    real = plug._lint_file
    monkeypatch.setattr(plug, "_lint_file", lambda f, t: calls.append(f) or real(f, t))

    first = FakeTemplate(str(template))
    ids = [r.rule_id for r in plug.results_for(first)]
    assert ids == [e[0] for e in EXPECTED]
    assert plug.results_for(first) is plug.results_for(first)
    assert len(calls) == 1

    (tmp_path / ".iamlint.toml").write_text('ignore = ["IAM302"]\n', encoding="utf-8")
    assert [r.rule_id for r in plug.results_for(FakeTemplate(str(template)))] == ["E9101", "W9102", "W9901"]
    assert len(calls) == 2


def test_rules_report_their_own_results_at_cfn_lints_zero_based_location(monkeypatch):
    import iamlint.cfnlint as plug
    from iamlint.model import Span

    results = [
        plug.Result("E9101", "one", Span("t.yaml", 16, 25, 16, 31), ("Resources", "AppRole")),
        plug.Result("W9302", "two", Span("t.yaml", 27, 13, 31, 72), ()),
    ]
    monkeypatch.setattr(plug, "results_for", lambda cfn: results)
    (m,) = plug.IamlintE9101().match(None)
    assert (m.path, m.message, m.location) == (["Resources", "AppRole"], "one", (15, 24, 15, 30))
    (m,) = plug.IamlintW9302().match(None)
    assert (m.path, m.message, m.location) == ([], "two", (26, 12, 30, 71))
    assert plug.IamlintE9302().match(None) == []
