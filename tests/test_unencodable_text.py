"""Lone surrogates (a JSON ``"\\ud800"`` escape, a file name that is not UTF-8) in every output.

No encoding can write a lone surrogate, and they used to crash every format with a
UnicodeEncodeError. The policy (see `iamlint.results`): text formats show them as
``\\ud800`` escapes, JSON formats write them as JSON ``\\ud800`` escapes (the exact string comes
back), JUnit XML as ``\\ud800`` text, and fingerprints hash them losslessly, leaving every
fingerprint of ordinary text as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest

HERE = Path(__file__).resolve().parent
FORMATS = ("text", "concise", "github", "json", "sarif", "gitlab", "junit")

# lone surrogates in the Sid, NotPrincipal, an action, a resource, a condition key and value;
# the second statement's action is the six characters \ud800 (a backslash, not a surrogate)
POLICY = r"""{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "S\ud800",
      "Effect": "Allow",
      "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/\udfff"},
      "Action": ["s3:Get\ud800", "*"],
      "Resource": "arn:aws:s3:::b\udc00/*",
      "Condition": {"StringEquals": {"aws:\ud800": "v\udbff"}}
    },
    {"Sid": "Caf\u00e9", "Effect": "Allow", "Action": ["s3:Get\\ud800", "caf\u00e9:*"], "Resource": "*"}
  ]
}
"""
TEMPLATE = r"""{"Resources": {"R\ud800": {"Type": "AWS::IAM::Policy", "Properties": {
  "PolicyName": "p", "Roles": ["r"],
  "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "iam:P\udfffass", "Resource": "*"}]}}}}}
"""
TERRAFORM = r"""resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "ec2:R\ud800un", Resource = "*" }]
  })
}
"""
BAD_NAME = os.fsdecode(b"bad\xff.json")  # how Python holds a file name that is not UTF-8
ASCII_C = {"PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "policy.json").write_text(POLICY)
    (root / "template.json").write_text(TEMPLATE)
    (root / "main.tf").write_text(TERRAFORM)
    try:
        (root / BAD_NAME).write_text(POLICY)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    return root


BAD_NAME_SHOWN = "bad\\udcff.json"
NOT_PRINCIPAL = (
    "Allow statement with NotPrincipal grants every principal except arn:aws:iam::123456789012:user/\udfff"
)
EVERY_ACTION = 'Allow statement grants every action ("*")'
NEEDS_PRINCIPAL = "statement 'Caf\u00e9': needs a Principal in a resource policy"
NOT_AN_ACTION = " is not an action: write service:action, such as s3:GetObject"
REDUNDANT = '"s3:Get\ud800" is redundant: "*" (column 34) already covers it in this Action list'
#: (file, line, column, code, severity, name, message, owner): the exact strings, surrogates and all
#: (IAM501 quotes the action with repr(), which escapes a surrogate in the message itself)
UNKNOWN_KEY = "unknown global condition key aws:\ud800: no request carries it, so this Allow never applies"
FINDINGS = [
    *(
        (name, line, col, code, sev, rule, message, None)
        for name in (BAD_NAME, "policy.json")
        for line, col, code, sev, rule, message in (
            (7, 7, "IAM105", "error", "not-principal", NOT_PRINCIPAL),
            (8, 18, "IAM501", "warning", "unknown-action", repr("s3:Get\ud800") + NOT_AN_ACTION),
            (8, 18, "IAM506", "info", "redundant-element", REDUNDANT),
            (8, 34, "IAM101", "error", "wildcard-action", EVERY_ACTION),
            (10, 38, "IAM203", "error", "unknown-condition-key", UNKNOWN_KEY),
            (12, 5, "IAM502", "error", "policy-grammar", NEEDS_PRINCIPAL),
            (12, 56, "IAM501", "warning", "unknown-action", repr("s3:Get\\ud800") + NOT_AN_ACTION),
            (12, 73, "IAM501", "warning", "unknown-action", repr("caf\u00e9:*") + NOT_AN_ACTION),
        )
    ),
    (
        "main.tf",
        3,
        47,
        "IAM501",
        "warning",
        "unknown-action",
        repr("ec2:R\ud800un") + NOT_AN_ACTION,
        "aws_iam_policy.p",
    ),
    (
        "template.json",
        3,
        66,
        "IAM501",
        "warning",
        "unknown-action",
        repr("iam:P\udfffass") + NOT_AN_ACTION,
        "R\ud800",
    ),
]
FINDINGS.sort(key=lambda f: (f[0], f[1], f[2]))


def ascii_shown(text: str) -> str:
    """As a text format shows it on an ASCII locale: surrogates and non-ASCII as escapes."""
    return text.encode("ascii", "backslashreplace").decode()


def with_owner(message: str, owner: str | None) -> str:
    return message + (f" [{owner}]" if owner else "")


def check_report(fmt: str, out: str) -> None:
    """The report in format ``fmt`` holds every finding, exactly, and parses."""
    if fmt == "text":
        fixable = "2 findings fixable with --fix.\n"  # the IAM506 duplicates (docs/fixes.md)
        assert out.endswith(fixable)
        out = out[: -len(fixable)]
        lines = [ln for ln in out.splitlines() if ln][:-1]
        assert lines == [
            ascii_shown(f"{file}:{line}:{col}: {code} [{sev}] {with_owner(msg, owner)} ({rule})")
            for file, line, col, code, sev, rule, msg, owner in FINDINGS
        ]
        assert lines[0].startswith(BAD_NAME_SHOWN + ":7:7: IAM105 [error] Allow statement with")
        assert lines[0].endswith("user/\\udfff (not-principal)")
        assert out.endswith(
            "4 files scanned; 4 policies found; 18 findings (8 errors, 8 warnings, 2 infos).\n"
        )
    elif fmt == "concise":
        lines = out.splitlines()
        assert len(lines) == len(FINDINGS)
        for ln, (file, line, col, code, sev, _r, msg, _o) in zip(lines, FINDINGS, strict=True):
            assert ln.startswith(ascii_shown(f"{file}:{line}:{col}-"))
            assert ln.endswith(ascii_shown(f": {sev}: {code} {msg}"))
    elif fmt == "github":
        cmd = {"error": "error", "warning": "warning", "info": "notice"}
        lines = out.splitlines()
        assert len(lines) == len(FINDINGS)
        for ln, (file, line, col, code, sev, rule, msg, owner) in zip(lines, FINDINGS, strict=True):
            assert ln.startswith(
                ascii_shown(f"::{cmd[sev]} file={file},line={line},col={col},endLine={line},")
            )
            assert ln.endswith(ascii_shown(f",title={code} {rule}::{with_owner(msg, owner)}"))
    elif fmt == "json":
        doc = json.loads(out)  # JSON \ud800 escapes: the exact strings come back
        assert [
            (f["file"], f["line"], f["column"], f["code"], f["severity"], f["name"], f["message"], f["owner"])
            for f in doc["findings"]
        ] == FINDINGS
        assert {f["path"] for f in doc["files"]} == {BAD_NAME, "policy.json", "main.tf", "template.json"}
    elif fmt == "sarif":
        import jsonschema

        doc = json.loads(out)
        schema = json.loads((HERE / "schemas" / "sarif-schema-2.1.0.json").read_text())
        jsonschema.validate(doc, schema, cls=jsonschema.Draft7Validator)
        got = []
        for r in doc["runs"][0]["results"]:
            loc = r["locations"][0]
            phys = loc["physicalLocation"]
            owner = loc.get("logicalLocations", [{}])[0].get("name")
            got.append(
                (
                    phys["artifactLocation"]["uri"],
                    phys["region"]["startLine"],
                    phys["region"]["startColumn"],
                    r["ruleId"],
                    r["message"]["text"],
                    owner,
                )
            )
        # a URI holds the file name's bytes percent-encoded: b"bad\xff.json" is bad%FF.json
        uri = {f[0]: quote(os.fsencode(f[0]), safe="/") for f in FINDINGS}
        assert uri[BAD_NAME] == "bad%FF.json"
        assert got == [(uri[f[0]], f[1], f[2], f[3], with_owner(f[6], f[7]), f[7]) for f in FINDINGS]
    elif fmt == "gitlab":
        doc = json.loads(out)
        got = [
            (
                i["location"]["path"],
                i["location"]["positions"]["begin"]["line"],
                i["location"]["positions"]["begin"]["column"],
                i["check_name"],
                i["description"],
            )
            for i in doc
        ]
        assert got == [(f[0], f[1], f[2], f[3], with_owner(f[6], f[7])) for f in FINDINGS]
        assert len({i["fingerprint"] for i in doc}) == len(doc)
    else:
        root = ET.fromstring(out.encode("utf-8"))  # well-formed XML
        cases = root.findall("testsuite/testcase")
        assert [c.get("name") for c in cases] == [BAD_NAME_SHOWN, "main.tf", "policy.json", "template.json"]
        failures = root.findall("testsuite/testcase/failure")
        # XML cannot carry a lone surrogate: \ud800 as text; other characters as they are
        shown = [ascii_shown(with_owner(f[6], f[7])) for f in FINDINGS]
        assert [f.get("message") for f in failures] == shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_lone_surrogates_on_an_ascii_c_locale(run_cli, project, fmt):
    proc = run_cli("--format", fmt, ".", cwd=project, env=ASCII_C)
    assert proc.stderr == ""
    assert proc.returncode == 1  # findings, no input error
    assert proc.stdout.isascii()
    check_report(fmt, proc.stdout)


@pytest.mark.parametrize("fmt", ("text", "json", "junit"))
def test_an_output_file_is_the_same_report_in_utf8(run_cli, project, tmp_path, fmt):
    report = tmp_path / "report.out"
    to_file = run_cli("--format", fmt, "-o", report, ".", cwd=project, env=ASCII_C)
    assert (to_file.returncode, to_file.stdout, to_file.stderr) == (1, "", "")
    data = report.read_bytes().decode("utf-8")  # valid UTF-8, whatever the locale
    check_report(fmt, ascii_shown(data))  # the same report; the file carries the é as it is
    if fmt != "json":
        assert "Caf\u00e9" in data and "bad\\udcff.json" in data


def test_fingerprints_are_lossless_stable_and_distinct(run_cli, project, tmp_path):
    baseline = tmp_path / "baseline.json"
    wrote = run_cli("--write-baseline", baseline, "-f", "json", ".", cwd=project)
    assert wrote.returncode == 0 and "Traceback" not in wrote.stderr
    entries = json.loads(baseline.read_text())["findings"]
    assert len(entries) == len(FINDINGS)
    for e in entries:  # a hash of the exact text, surrogates and all
        key = "\x1f".join((e["code"], e["file"], e["owner"] or "", e["value"]))
        assert e["fingerprint"] == hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    fps = [e["fingerprint"] for e in entries]
    assert len(set(fps)) == len(fps)  # the surrogate and the backslash text, each file: distinct
    by_file = {(e["file"], e["code"], e["value"]) for e in entries}
    assert (BAD_NAME, "IAM501", "s3:Get\ud800") in by_file
    assert ("policy.json", "IAM501", "s3:Get\\ud800") in by_file
    # the same fingerprints in every format, and the baseline matches every finding again
    doc = json.loads(wrote.stdout)
    assert sorted(f["fingerprint"] for f in doc["findings"]) == sorted(fps)
    sarif = json.loads(run_cli("-f", "sarif", ".", cwd=project).stdout)
    assert sorted(r["partialFingerprints"]["iamlint/v1"] for r in sarif["runs"][0]["results"]) == sorted(fps)
    again = run_cli("--baseline", baseline, ".", cwd=project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.endswith(f"4 files scanned; 4 policies found; no findings; {len(fps)} in baseline.\n")


def test_fingerprints_of_ordinary_text_are_unchanged(run_cli, tmp_path):
    """Baselines hold fingerprints: non-ASCII text hashes as it always did (plain UTF-8)."""
    (tmp_path / "café.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Sid": "Ünïcödé", "Effect": "Allow", '
        '"Action": ["s3:Gét😀", "*"], "Resource": "*"}]}\n',
        encoding="utf-8",
    )
    doc = json.loads(run_cli("-f", "json", "café.json", cwd=tmp_path).stdout)
    fps = {f["code"]: f["fingerprint"] for f in doc["findings"]}
    assert fps["IAM501"] == "6bf44213c7f76595daabb7f2b5c8695d"
    assert fps["IAM101"] == "ee02bc327609207fe7e447c38c0d4d3d"
