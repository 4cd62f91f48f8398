"""Policy documents the AWS CLI prints as a string inside its JSON output:
``{"PolicyVersion": {"Document": "{\\"Statement\\": ...}"}}``, ``{"Policy": {"PolicyDocument":
"..."}}``, ``{"PolicyDocument": "..."}``, ``{"AssumeRolePolicyDocument": "..."}``, and the
URL-encoded ``AssumeRolePolicyDocument`` of ``aws iam get-role``. They are read, with
findings at their exact place in the file (through the string's escapes), or at the string's
start when the document is URL-encoded; a string that holds no JSON object is an IAM900.

The files are linted by one run of the CLI (a run per file would cost seconds); a few run
alone for the exit code of one file.
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import quote

import pytest
from conftest import iamlint_bin

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Caf\u00e9", "Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def at(text: str, i: int) -> tuple[int, int]:
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def wrap(keys: list[str], value, inner_indent=None) -> str:
    doc = json.dumps(value, indent=inner_indent)
    for k in reversed(keys):
        doc = {k: doc, "VersionId": "v1"} if k == "Document" else {k: doc}
    return json.dumps(doc, indent=2)


def identity(keys: list[str], inner_indent=None):
    text = wrap(keys, ADMIN, inner_indent)
    assert "\\u00e9" in text  # an escape before the finding: positions go through it
    star = text.index('\\"*\\"', text.index('\\"Action\\"'))  # the backslash of \"*\"
    return text, "policies", ("IAM101", *at(text, star), 'Allow statement grants every action ("*")')


def trust(keys: list[str]):
    text = wrap(keys, TRUST)
    star = text.index('\\"*\\"', text.index('\\"AWS\\"'))
    return text, "policies", ("IAM402", *at(text, star), None)


def url_encoded():
    """``aws iam get-role`` in some versions: findings at the string's opening quote."""
    text = json.dumps(
        {"Role": {"RoleName": "app", "AssumeRolePolicyDocument": quote(json.dumps(TRUST), safe="")}}, indent=4
    )
    assert '"%7B%22Version%22' in text
    return text, "policies", ("IAM402", *at(text, text.index('"%7B')), None)


def broken():
    text = json.dumps({"PolicyDocument": '{"Statement": [{"Effect": "Allow",, "Action": "*"}]}'}, indent=2)
    msg = "invalid JSON in the PolicyDocument string: expected a property name in double quotes, found ','"
    return text, "error", ("IAM900", *at(text, text.index(",,") + 1), msg)


def trailing_comma():
    text = json.dumps(
        {"PolicyDocument": '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",}]}'}, indent=2
    )
    msg = "invalid JSON in the PolicyDocument string: trailing comma before '}'"
    return text, "policies", ("IAM900", *at(text, text.index(",}")), msg)


def no_object(value: str, where: int, message: str):
    """``where``: 0 at the string's opening quote, 1 at its first character."""
    text = json.dumps({"Other": 1, "PolicyDocument": value}, indent=2)
    return text, "error", ("IAM900", *at(text, text.index(json.dumps(value)) + where), message)


CASES = {
    "PolicyVersion.Document": identity(["PolicyVersion", "Document"], 4),  # \n escapes in the string
    "Policy.PolicyDocument": identity(["Policy", "PolicyDocument"]),
    "PolicyDocument": identity(["PolicyDocument"]),
    "Document": identity(["Document"]),
    "AssumeRolePolicyDocument": trust(["AssumeRolePolicyDocument"]),
    "Role.AssumeRolePolicyDocument": trust(["Role", "AssumeRolePolicyDocument"]),
    "url-encoded": url_encoded(),
    "broken": broken(),
    "trailing-comma": trailing_comma(),
    "not-json": no_object(
        "not a policy", 1, "invalid JSON in the PolicyDocument string: expected a value, found 'n'"
    ),
    "blank": no_object("   ", 0, "the PolicyDocument string is empty: it holds no policy document"),
    "a-list": no_object(
        "[1, 2]", 1, "the PolicyDocument string must hold a JSON object (a policy document), not a list"
    ),
    "url-encoded-broken": no_object(
        quote('{"Statement": [}', safe=""),
        0,
        "invalid JSON in the URL-encoded PolicyDocument string: expected a value, found '}'",
    ),
    # "Document" is a common word (a translation file): a string under it that does not
    # look like a JSON object is not taken for a policy
    "a-word": (json.dumps({"Document": "Dokument", "File": "Datei"}), "not-iac", None),
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    d = tmp_path_factory.mktemp("wrapped")
    for name, (text, _status, _expected) in CASES.items():
        (d / f"{name}.json").write_text(text)
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        iamlint_bin() + ["--format", "json", "--select", "IAM101,IAM402", "-j1", str(d)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    status = {os.path.basename(f["path"])[: -len(".json")]: f["status"] for f in report["files"]}
    findings: dict[str, list[tuple]] = {name: [] for name in CASES}
    for f in report["findings"]:
        findings[os.path.basename(f["file"])[: -len(".json")]].append(
            (f["code"], f["line"], f["column"], f["message"])
        )
    return status, findings


@pytest.mark.parametrize("case", list(CASES))
def test_wrapped_document(linted, case):
    status, findings = linted
    _text, expected_status, expected = CASES[case]
    assert status[case] == expected_status
    got = findings[case]
    assert not [f for f in got if f[0] == "IAM903"]
    if expected is None:
        assert got == []
        return
    code, line, col, message = expected
    if code == "IAM900":
        assert [f for f in got if f[0] == "IAM900"] == [expected]
    else:  # the document is read: its finding at its place, and no input error
        assert (code, line, col) in [f[:3] for f in got]
        assert message is None or expected in got
        assert not [f for f in got if f[0].startswith("IAM90")]
    if case == "trailing-comma":  # reported, and the rest of the document linted
        assert [f for f in got if f[0] == "IAM101"]


@pytest.mark.parametrize(
    "case, code", [("PolicyDocument", 1), ("url-encoded", 1), ("broken", 2), ("a-word", 0)]
)
def test_exit_code_of_one_file(run_cli, tmp_path, case, code):
    p = tmp_path / "out.json"
    p.write_text(CASES[case][0])
    proc = run_cli(p)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == code
    if code == 0:
        assert "1 file not IaC" in proc.stdout
