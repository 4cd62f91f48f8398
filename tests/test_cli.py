"""The CLI as users run it: a real subprocess, real files, exit codes and every format."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from iamlint.catalogue import get

HERE = Path(__file__).resolve().parent
FIX = HERE / "fixtures"
ADMIN = FIX / "IAM101-wildcard-action" / "fail.json"
CLEAN = FIX / "IAM101-wildcard-action" / "pass.json"
BROKEN = FIX / "IAM900-parse-error" / "trailing-comma.json"


@pytest.fixture
def project(tmp_path):
    """A small repository: two policies, a parse error, non-IaC files, and skipped folders."""
    shutil.copy(ADMIN, tmp_path / "admin.json")
    shutil.copy(CLEAN, tmp_path / "clean.json")
    (tmp_path / "package.json").write_text('{"name": "web"}')
    for skipped in (".git", "node_modules", ".terraform"):
        (tmp_path / skipped).mkdir()
        shutil.copy(ADMIN, tmp_path / skipped / "admin.json")
    (tmp_path / "cdk.out").mkdir()
    shutil.copy(ADMIN, tmp_path / "cdk.out" / "synth.json")
    return tmp_path


def test_exit_codes(run_cli, tmp_path):
    assert run_cli(CLEAN).returncode == 0
    assert run_cli(ADMIN).returncode == 1
    assert run_cli(BROKEN).returncode == 2
    # 2 wins over 1, and the other file is still reported
    both = run_cli(ADMIN, BROKEN)
    assert both.returncode == 2
    assert "IAM101" in both.stdout and "IAM900" in both.stdout
    missing = run_cli(tmp_path / "nope.json", ADMIN)
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    assert "IAM101" in missing.stdout
    assert run_cli("--format", "xml", ADMIN).returncode == 2
    assert run_cli(ADMIN, "--fail-on", "error").returncode == 1
    warn_only = FIX / "IAM102-wildcard-resource" / "fail.json"
    assert run_cli(warn_only, "--fail-on", "error").returncode == 0
    assert run_cli(warn_only).returncode == 1


def test_text_format(run_cli, project):
    proc = run_cli(".", cwd=project)
    assert proc.returncode == 1
    S3 = len(get().expand("s3:*"))
    assert proc.stdout.splitlines() == [
        f'admin.json:8:9: IAM101 [error] Allow statement grants every action of s3 ("s3:*") ({S3} actions) (wildcard-action)',
        'admin.json:20:17: IAM101 [error] Allow statement grants every action ("*") (wildcard-action)',
        "",
        f'cdk.out/synth.json:8:9: IAM101 [error] Allow statement grants every action of s3 ("s3:*") ({S3} actions) (wildcard-action)',
        'cdk.out/synth.json:20:17: IAM101 [error] Allow statement grants every action ("*") (wildcard-action)',
        "",
        "4 files scanned; 3 policies found; 4 findings (4 errors); 1 file not IaC (skipped).",
    ]
    assert "\x1b[" not in proc.stdout


def test_colour_only_when_forced_or_on_a_tty(run_cli):
    forced = run_cli(ADMIN, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in forced.stdout
    assert "\x1b[" not in run_cli(ADMIN, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_concise_format_is_exactly_one_line_per_finding(run_cli, project):
    proc = run_cli("-f", "concise", "admin.json", cwd=project)
    assert proc.stdout == (
        f'admin.json:8:9-8.15: error: IAM101 Allow statement grants every action of s3 ("s3:*") ({len(get().expand("s3:*"))} actions)\n'
        'admin.json:20:17-20.20: error: IAM101 Allow statement grants every action ("*")\n'
    )


def test_json_format(run_cli, project):
    proc = run_cli("--format", "json", ".", cwd=project)
    doc = json.loads(proc.stdout)
    assert doc["schema_version"] == 1
    assert [
        (f["code"], f["file"], f["line"], f["column"], f["end_line"], f["end_column"])
        for f in doc["findings"]
    ][:2] == [
        ("IAM101", "admin.json", 8, 9, 8, 15),
        ("IAM101", "admin.json", 20, 17, 20, 20),
    ]
    assert {f["path"]: f["status"] for f in doc["files"]} == {
        "admin.json": "policies",
        "cdk.out/synth.json": "policies",
        "clean.json": "policies",
        "package.json": "not-iac",
    }
    assert doc["summary"] == {
        "files": 4,
        "policies": 3,
        "not_iac": 1,
        "errors": 0,
        "findings": {"error": 4, "warning": 0, "info": 0},
        "suppressed": 0,
        "baselined": 0,
        "baseline_stale": 0,
    }
    f = doc["findings"][0]
    assert set(f) == {
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "owner",
        "principals",
        "related",
        "fingerprint",
    }
    admin = next(f for f in doc["files"] if f["path"] == "admin.json")
    assert [(d["kind"], d["owner"], d["property"], d["line"], d["column"]) for d in admin["documents"]] == [
        ("identity", None, None, 1, 1)
    ]
    assert next(f for f in doc["files"] if f["path"] == "package.json")["documents"] == []


def test_json_output_has_exactly_the_documented_fields(run_cli, project):
    """docs/json-output.md's example names every field of the output, at every level."""
    import re

    text = (HERE.parent / "docs" / "json-output.md").read_text(encoding="utf-8")
    documented = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    doc = json.loads(run_cli("--format", "json", ".", cwd=project).stdout)
    admin = next(f for f in doc["files"] if f["path"] == "admin.json")

    def keys(value):
        return sorted(value)

    assert keys(doc) == keys(documented)
    assert keys(doc["tool"]) == keys(documented["tool"])
    assert keys(doc["summary"]) == keys(documented["summary"])
    assert keys(doc["findings"][0]) == keys(documented["findings"][0])
    assert keys(admin) == keys(documented["files"][0])
    assert keys(admin["documents"][0]) == keys(documented["files"][0]["documents"][0])
    for name in [*documented["findings"][0], *documented["files"][0]["documents"][0]]:
        assert f"`{name}`" in text, f"{name} is not described in docs/json-output.md"


def test_output_file(run_cli, tmp_path):
    out = tmp_path / "report.sarif"
    proc = run_cli("-f", "sarif", "-o", out, ADMIN)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text())["version"] == "2.1.0"


def test_sarif_validates_against_the_official_schema(run_cli, project):
    import jsonschema

    schema = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text())
    shutil.copy(BROKEN, project / "broken.json")
    proc = run_cli("-f", "sarif", ".", cwd=project)
    sarif = json.loads(proc.stdout)
    jsonschema.validate(sarif, schema, cls=jsonschema.Draft7Validator)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["IAM101"]["name"] == "wildcard-action"
    assert rules["IAM101"]["defaultConfiguration"]["level"] == "error"
    assert rules["IAM101"]["helpUri"].endswith("rules.md#iam101-wildcard-action")
    assert rules["IAM101"]["shortDescription"]["text"] and rules["IAM101"]["fullDescription"]["text"]
    results = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in run["results"]
    ]
    assert ("IAM900", "broken.json", 7, 48) in results
    assert ("IAM101", "admin.json", 8, 9) in results
    for r in run["results"]:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert r["partialFingerprints"]["iamlint/v1"]


def test_fingerprints_do_not_depend_on_line_numbers(run_cli, tmp_path):
    a = tmp_path / "a" / "p.json"
    b = tmp_path / "b" / "p.json"
    a.parent.mkdir()
    b.parent.mkdir()
    a.write_text(ADMIN.read_text())
    b.write_text("\n\n\n" + ADMIN.read_text().replace('"Sid": "BreakGlass",', '"Sid": "BreakGlass",\n'))
    fa = [
        f["fingerprint"] for f in json.loads(run_cli("-f", "json", "p.json", cwd=a.parent).stdout)["findings"]
    ]
    fb = [
        f["fingerprint"] for f in json.loads(run_cli("-f", "json", "p.json", cwd=b.parent).stdout)["findings"]
    ]
    assert fa == fb and len(set(fa)) == 2


def test_exclude(run_cli, project):
    proc = run_cli("-f", "concise", "--exclude", "cdk.out", "--exclude", "admin.*", ".", cwd=project)
    assert proc.returncode == 0 and proc.stdout == ""


def test_version_and_rule_docs(run_cli):
    v = run_cli("--version")
    assert v.returncode == 0 and v.stdout.startswith("iamlint ") and " rules" in v.stdout
    doc = run_cli("rule", "IAM101")
    assert doc.returncode == 0
    assert doc.stdout.startswith("# wildcard-action (IAM101)")
    assert "## Why is this bad?" in doc.stdout
    assert run_cli("rule", "wildcard-action").stdout == doc.stdout
    bad = run_cli("rule", "IAM999")
    assert bad.returncode == 2 and "no rule 'IAM999'" in bad.stderr
    table = run_cli("rules")
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split() == ["CODE", "NAME", "SEVERITY", "DESCRIPTION"]
    assert any(line.startswith("IAM105  not-principal") for line in table.stdout.splitlines())


def test_python_dash_m(tmp_path):
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "iamlint", "-f", "concise", str(ADMIN)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and proc.stdout.count(": IAM101 ") == 2


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xef\xbb\xbf" + b'{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "x"}]}',
        b'{"Statement": []}\r\n',
        b'{"Statement": [] } trailing',
        b'[{"Statement": []}]',
        b'{"Statement": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"Statement": "caf\xe9"}',
        b"\x00\x01\x02 binary",
    ],
    ids=["empty", "bom", "crlf", "trailing-garbage", "top-level-array", "deep-nesting", "latin1", "binary"],
)
def test_bad_input_never_gives_a_traceback(run_cli, tmp_path, content):
    p = tmp_path / "input.json"
    p.write_bytes(content)
    proc = run_cli(p)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode in (0, 1, 2)
    assert "1 file scanned" in proc.stdout
    if proc.returncode == 2:
        errors = [ln for ln in proc.stdout.splitlines() if "IAM900" in ln]
        assert len(errors) == 1 and errors[0].startswith(str(p) + ":")


# -- issue 15: subcommands, documentation links, summary, colour ----------------------------------
def test_rule_and_rules_are_subcommands_whatever_follows(run_cli, tmp_path):
    (tmp_path / "rules").mkdir()  # a folder named rules: linted as ./rules
    shutil.copy(ADMIN, tmp_path / "rules" / "admin.json")
    listed = run_cli("rules", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0 and listed.stderr == ""
    rules = json.loads(listed.stdout)
    assert [r["code"] for r in rules][:2] == ["IAM101", "IAM102"]
    assert rules[0] == {
        "code": "IAM101",
        "name": "wildcard-action",
        "severity": "error",
        "scopes": ["statement"],
        "formats": ["json", "cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan"],
        "options": [],
        "summary": "Checks for Allow statements that grant every action, or every action of a service.",
        "url": "https://github.com/iamlint/iamlint/blob/main/docs/rules.md#iam101-wildcard-action",
    }
    by_code = {r["code"]: r for r in rules}
    assert by_code["IAM301"]["options"] == [
        {
            "name": "max-inline-policies",
            "default": 1,
            "help": "inline policies allowed per principal",
            "minimum": 0,
        }
    ]
    assert by_code["IAM900"]["scopes"] == []
    one = run_cli("rule", "IAM301", "--format", "json", cwd=tmp_path)
    doc = json.loads(one.stdout)
    assert {k: doc[k] for k in by_code["IAM301"]} == by_code["IAM301"]
    assert doc["documentation"].startswith("Checks for principals that carry their permissions")
    assert "## Why is this bad?" in doc["documentation"]
    linted = run_cli("-f", "concise", "./rules", cwd=tmp_path)
    assert linted.returncode == 1 and linted.stdout.count("rules/admin.json:") == 2
    for bad in (["rules", "--format", "xml"], ["rule"], ["rule", "IAM101", "IAM102"]):
        proc = run_cli(*bad, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr, bad
        assert proc.stderr.startswith("iamlint: error: ") and "--help" in proc.stderr


def test_rule_doc_is_rendered_for_a_terminal_and_ends_with_its_url(run_cli):
    proc = run_cli("rule", "IAM101")
    assert proc.returncode == 0
    text = proc.stdout
    assert "```" not in text and "hl_lines" not in text  # fences and their test markers
    assert "verdict differs" not in text and "checkov" not in text  # notes on other tools
    lines = text.splitlines()
    example = lines.index("## Example")
    assert lines[example + 1 : example + 7] == [
        "    {",
        '      "Version": "2012-10-17",',
        '      "Statement": [',
        "        {",
        '          "Effect": "Allow",',
        '  >       "Action": "s3:*",',  # the offending line, marked
    ]
    assert (
        lines[-1]
        == "Documentation: https://github.com/iamlint/iamlint/blob/main/docs/rules.md#iam101-wildcard-action"
    )


def test_summary_names_input_problems_apart_from_error_findings(run_cli, tmp_path):
    shutil.copy(ADMIN, tmp_path / "admin.json")
    shutil.copy(BROKEN, tmp_path / "broken.json")
    proc = run_cli("admin.json", "broken.json", "missing.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[-1] == (
        "2 files scanned; 2 policies found; 2 findings (2 errors); 2 input problems."
    )
    assert proc.stdout.splitlines()[-1].count("error") == 1


def test_force_color_never_writes_colour_into_a_file(run_cli, tmp_path):
    out = tmp_path / "report.txt"
    proc = run_cli("-o", out, ADMIN, env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert proc.returncode == 1 and proc.stdout == ""
    text = out.read_text()
    assert "IAM101" in text and "\x1b" not in text
    assert "\x1b[" in run_cli(ADMIN, env={"FORCE_COLOR": "1", "NO_COLOR": ""}).stdout  # a pipe: forced


def _on_a_terminal(args, env, cwd):
    """Run iamlint with stdout on a pseudo-terminal; return what it wrote there."""
    import os
    import pty
    import subprocess

    from conftest import iamlint_bin

    primary, secondary = pty.openpty()
    full = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_HYPERLINK", "TERM_PROGRAM")}
    full.update(NO_COLOR="1", TERM="xterm-256color", **env)
    proc = subprocess.Popen(
        iamlint_bin() + [str(a) for a in args], stdout=secondary, stderr=subprocess.PIPE, cwd=cwd, env=full
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # the other end closed (Linux: EIO)
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    proc.wait(timeout=60)
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_rule_codes_link_to_their_documentation_on_capable_terminals(run_cli, tmp_path):
    shutil.copy(ADMIN, tmp_path / "admin.json")
    url = "https://github.com/iamlint/iamlint/blob/main/docs/rules.md#iam101-wildcard-action"
    linked = f"\x1b]8;;{url}\x1b\\IAM101\x1b]8;;\x1b\\"
    out = _on_a_terminal(["admin.json"], {"TERM_PROGRAM": "WezTerm"}, tmp_path)
    assert out.count(linked) == 2 and "admin.json:8:9: " + linked + " [error]" in out
    # turned off, an unknown terminal, a CI log, a file, a pipe: never
    assert "\x1b]8" not in _on_a_terminal(
        ["admin.json"], {"TERM_PROGRAM": "WezTerm", "FORCE_HYPERLINK": "0"}, tmp_path
    )
    assert "\x1b]8" not in _on_a_terminal(["admin.json"], {}, tmp_path)
    assert "\x1b]8" not in _on_a_terminal(["admin.json"], {"TERM_PROGRAM": "WezTerm", "CI": "true"}, tmp_path)
    assert linked in _on_a_terminal(["admin.json"], {"FORCE_HYPERLINK": "1"}, tmp_path)
    _on_a_terminal(["-o", "out.txt", "admin.json"], {"TERM_PROGRAM": "WezTerm"}, tmp_path)
    assert "IAM101" in (tmp_path / "out.txt").read_text() and "\x1b" not in (tmp_path / "out.txt").read_text()
    piped = run_cli("admin.json", cwd=tmp_path, env={"FORCE_HYPERLINK": "1", "TERM_PROGRAM": "WezTerm"})
    assert "\x1b" not in piped.stdout


def test_hyperlink_detection():
    import io

    from iamlint.cli import _hyperlinks

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    assert _hyperlinks(tty, "text", env={"TERM_PROGRAM": "iTerm.app"})
    assert _hyperlinks(tty, "text", env={"VTE_VERSION": "7200"})
    assert _hyperlinks(tty, "text", env={"TERM": "xterm-kitty"})
    assert _hyperlinks(tty, "text", env={"WT_SESSION": "x"})
    assert not _hyperlinks(tty, "text", env={"TERM_PROGRAM": "Apple_Terminal"})
    assert not _hyperlinks(tty, "text", env={"VTE_VERSION": "4800"})
    assert not _hyperlinks(tty, "text", env={"TERM_PROGRAM": "WezTerm", "TERM": "dumb"})
    assert not _hyperlinks(tty, "concise", env={"TERM_PROGRAM": "WezTerm"})
    assert not _hyperlinks(tty, "text", to_file=True, env={"FORCE_HYPERLINK": "1"})
    assert not _hyperlinks(io.StringIO(), "text", env={"FORCE_HYPERLINK": "1"})
