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
