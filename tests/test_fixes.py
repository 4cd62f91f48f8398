"""Fixes (docs/fixes.md): each fix per format, as exact text (the finding gone, every other
byte unchanged), never inside a value iamlint could not resolve, and the CLI's --fix, --diff,
--unsafe-fixes and stdin as users run them."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from iamlint import fixes
from iamlint.config import Resolver
from iamlint.engine import Engine
from iamlint.extract import extract_file, extract_module
from iamlint.fixkit import remove_item_fix
from iamlint.model import Finding, Fix, Severity, Span
from iamlint.ruleset import default_registry

REG = default_registry()


def fix_file(tmp_path: Path, name: str, text: str, unsafe: bool = False, extra: dict | None = None):
    """Lint ``name`` (written with ``text``) with fixes on; its fixed text (None: no fix
    applied) and the codes of the findings left in it."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    for other, body in (extra or {}).items():
        (tmp_path / other).write_text(body)
    resolver = Resolver(REG, isolated=True, overrides={"extend_select": ("IAM507",)})  # opt-in
    engine = Engine(REG, resolver, fix="unsafe" if unsafe else "safe")
    report = engine.run([str(path)])
    mine = [x for x in engine.fixed if x.path == str(path)]
    codes = sorted(f.code for f in report.findings if f.span.file == str(path))
    assert path.read_bytes() == text.encode(), "the engine writes nothing"
    return (mine[0].after if mine else None), codes


def only_changed(before: str, after: str, old: str, new: str) -> None:
    """``after`` is ``before`` with the one occurrence of ``old`` replaced by ``new``."""
    assert before.count(old) == 1
    assert after == before.replace(old, new)


# -- IAM101: a partial wildcard that matches one action ------------------------------------------
RAW_JSON = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["kms:Encrypt*", "s3:GetObject"],
      "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k"
    }
  ]
}
"""
CFN_JSON = """{
  "Resources": {
    "P": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt*", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k"}]
        }
      }
    }
  }
}
"""
CFN_YAML = """Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'   # the version
        Statement:
          - Effect: Allow
            Action:
              - 'kms:Encrypt*'   # keep this comment
              - kms:Decrypt*
            Resource: arn:aws:kms:eu-west-1:111122223333:key/k
"""
TF_JSONENCODE = """resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt*"] # a comment
      Resource = "arn:aws:kms:eu-west-1:111122223333:key/k"
    }]
  })
}
"""
TF_DOCUMENT = """data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["kms:Encrypt*"]
    resources = ["arn:aws:kms:eu-west-1:111122223333:key/k"]
  }
}
"""
TF_HEREDOC = """resource "aws_iam_policy" "p" {
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt*", "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k"}]
}
EOF
}
"""


@pytest.mark.parametrize(
    "name,text,old,new",
    [
        ("p.json", RAW_JSON, '"kms:Encrypt*"', '"kms:Encrypt"'),
        ("t.json", CFN_JSON, '"kms:Encrypt*"', '"kms:Encrypt"'),
        ("t.yaml", CFN_YAML, "'kms:Encrypt*'", "'kms:Encrypt'"),
        ("main.tf", TF_JSONENCODE, '"kms:Encrypt*"', '"kms:Encrypt"'),
        ("main.tf", TF_DOCUMENT, '"kms:Encrypt*"', '"kms:Encrypt"'),
        ("main.tf", TF_HEREDOC, '"kms:Encrypt*"', '"kms:Encrypt"'),
    ],
)
def test_partial_wildcard_becomes_its_one_action(tmp_path, name, text, old, new):
    after, codes = fix_file(tmp_path, name, text)
    assert after is not None
    if name == "t.yaml":  # kms:Decrypt* matches one action too (kms:Decrypt): both go, in one round
        only_changed(text.replace("kms:Decrypt*", "kms:Decrypt"), after, old, new)
    else:
        only_changed(text, after, old, new)
    assert "IAM101" not in codes


# -- IAM507: Version added as the first key, in the document's own style -------------------------
@pytest.mark.parametrize(
    "name,text,expected",
    [
        (
            "p.json",
            '{\n    "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]\n}\n',
            '{\n    "Version": "2012-10-17",\n    "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]\n}\n',
        ),
        (
            "p.json",
            '{"Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}',
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}',
        ),
        (
            "t.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
            "        Statement:  # rules\n          - {Effect: Deny, Action: s3:DeleteBucket, Resource: '*'}\n",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
            '        Version: "2012-10-17"\n'
            "        Statement:  # rules\n          - {Effect: Deny, Action: s3:DeleteBucket, Resource: '*'}\n",
        ),
        (
            "t.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            "      PolicyDocument: {Statement: [{Effect: Deny, Action: s3:DeleteBucket, Resource: '*'}]}\n",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            "      PolicyDocument: {Version: \"2012-10-17\", Statement: [{Effect: Deny, Action: s3:DeleteBucket, Resource: '*'}]}\n",
        ),
        (
            "t.json",
            '{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {\n'
            '  "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}}}}\n',
            '{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {\n'
            '  "Version": "2012-10-17",\n'
            '  "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}}}}}\n',
        ),
        (
            "main.tf",
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    # a comment\n'
            '    Statement = [{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }]\n  })\n}\n',
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    # a comment\n    Version = "2012-10-17"\n'
            '    Statement = [{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }]\n  })\n}\n',
        ),
    ],
)
def test_missing_version_is_added(tmp_path, name, text, expected):
    after, codes = fix_file(tmp_path, name, text)
    assert after == expected
    assert "IAM507" not in codes


def test_aws_iam_policy_document_needs_no_version(tmp_path):
    # the data source writes "Version": "2012-10-17" itself when its version argument is unset
    text = 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = ["s3:GetObject"]\n    resources = ["arn:aws:s3:::b/*"]\n  }\n}\n'
    after, codes = fix_file(tmp_path, "main.tf", text)
    assert after is None and "IAM507" not in codes


POLICY_VARIABLE = (
    '{\n  "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
    '"Resource": "arn:aws:s3:::home/${aws:username}/*"}]\n}\n'
)


def test_version_with_policy_variables_is_unsafe(tmp_path):
    # the variables start to work: a change of meaning, so only with --unsafe-fixes
    after, codes = fix_file(tmp_path, "p.json", POLICY_VARIABLE)
    assert after is None and codes.count("IAM507") == 1
    after, codes = fix_file(tmp_path, "p.json", POLICY_VARIABLE, unsafe=True)
    assert after == POLICY_VARIABLE.replace(
        '{\n  "Statement"', '{\n  "Version": "2012-10-17",\n  "Statement"'
    )
    assert "IAM507" not in codes


def test_missing_version_is_selected_by_its_code_only(run_cli, tmp_path):
    # opt-in: ALL (the default) or a prefix does not select it, nor turn it on by surprise
    # in a configuration written before it existed; its code does
    (tmp_path / "p.json").write_text(POLICY_VARIABLE)
    codes = {}
    for args in (
        [],
        ["--select", "ALL"],
        ["--select", "IAM5"],
        ["--extend-select", "IAM507"],
        ["--select", "IAM507"],
        ["--extend-select", "IAM507", "--ignore", "IAM5"],  # the most specific wins, as for any rule
        ["--extend-select", "IAM507", "--ignore", "IAM507"],  # on a tie, ignore wins
    ):
        r = run_cli("-f", "concise", *args, "p.json", cwd=tmp_path)
        assert "Traceback" not in r.stderr
        codes[" ".join(args)] = "p.json:2:3-2.14: warning: IAM507" in r.stdout
    assert codes == {
        "": False,
        "--select ALL": False,
        "--select IAM5": False,
        "--extend-select IAM507": True,
        "--select IAM507": True,
        "--extend-select IAM507 --ignore IAM5": True,
        "--extend-select IAM507 --ignore IAM507": False,
    }


# -- unsafe: IAM501's "did you mean", IAM201's BoolIfExists -> Bool ------------------------------
UNKNOWN = {
    "p.json": '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:GetObjectt"], "Resource": "*"}]}\n',
    "t.yaml": "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
    "        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n"
    '            Action: "s3:GetObjectt"  # typo\n            Resource: "*"\n',
    "main.tf": 'data "aws_iam_policy_document" "d" {\n  statement {\n    effect = "Deny"\n'
    '    actions = ["s3:GetObjectt"]\n    resources = ["*"]\n  }\n}\n',
}


@pytest.mark.parametrize("name", sorted(UNKNOWN))
def test_unknown_action_becomes_did_you_mean_only_when_unsafe(tmp_path, name):
    text = UNKNOWN[name]
    after, codes = fix_file(tmp_path, name, text)
    assert after is None and "IAM501" in codes
    after, codes = fix_file(tmp_path, name, text, unsafe=True)
    only_changed(text, after, "s3:GetObjectt", "s3:GetObject")
    assert "IAM501" not in codes


MFA = {
    "p.json": '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "*",\n'
    '    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}]\n}\n',
    "t.yaml": "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
    "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: ec2:StopInstances\n"
    "            Resource: '*'\n            Condition:\n              BoolIfExists:   # MFA\n"
    "                aws:MultiFactorAuthPresent: 'true'\n",
    "main.tf": 'data "aws_iam_policy_document" "d" {\n  statement {\n    actions   = ["ec2:StopInstances"]\n'
    '    resources = ["*"]\n    condition {\n      test     = "BoolIfExists"\n'
    '      variable = "aws:MultiFactorAuthPresent"\n      values   = ["true"]\n    }\n  }\n}\n',
}


@pytest.mark.parametrize("name", sorted(MFA))
def test_bool_if_exists_mfa_becomes_bool_only_when_unsafe(tmp_path, name):
    text = MFA[name]
    after, codes = fix_file(tmp_path, name, text)
    assert after is None and "IAM201" in codes
    after, codes = fix_file(tmp_path, name, text, unsafe=True)
    only_changed(text, after, "BoolIfExists", "Bool")
    assert "IAM201" not in codes


def test_bool_if_exists_with_another_key_is_not_fixed(tmp_path):
    # Bool would change the other key's test too
    text = MFA["p.json"].replace('"true"}', '"true", "aws:SecureTransport": "true"}')
    after, codes = fix_file(tmp_path, "p.json", text, unsafe=True)
    assert after is None and "IAM201" in codes


# -- never inside a value iamlint could not resolve, nor where the text is not what it expects --
@pytest.mark.parametrize(
    "name,text,extra",
    [
        # a JSON escape: the value is kms:Encrypt*, the text is not
        (
            "p.json",
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Encrypt\\u002a", '
            '"Resource": "arn:aws:kms:eu-west-1:111122223333:key/k"}]}\n',
            None,
        ),
        # a !Sub with a variable, a !Join: text CloudFormation makes
        (
            "t.yaml",
            "Parameters:\n  Svc:\n    Type: String\n    Default: kms\n"
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
            "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action:\n"
            "              - !Sub '${Svc}:Encrypt*'\n              - !Join ['', ['kms:Encrypt', '*']]\n"
            "            Resource: arn:aws:kms:eu-west-1:111122223333:key/k\n",
            None,
        ),
        # a Terraform interpolation
        (
            "main.tf",
            'locals {\n  svc = "kms"\n}\ndata "aws_iam_policy_document" "d" {\n  statement {\n'
            '    actions   = ["${local.svc}:Encrypt*"]\n    resources = ["arn:aws:kms:eu-west-1:111122223333:key/k"]\n  }\n}\n',
            None,
        ),
        # a value written elsewhere (a local): never edited where it is defined
        (
            "main.tf",
            'locals {\n  action = "kms:Encrypt*"\n}\ndata "aws_iam_policy_document" "d" {\n  statement {\n'
            '    actions   = [local.action]\n    resources = ["arn:aws:kms:eu-west-1:111122223333:key/k"]\n  }\n}\n',
            None,
        ),
        # a YAML alias: the anchor is another statement's value
        (
            "t.yaml",
            "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
            "        Version: '2012-10-17'\n        Statement:\n          - Effect: Deny\n"
            "            Action: &a kms:Encrypt*\n            Resource: '*'\n          - Effect: Allow\n"
            "            Action: *a\n            Resource: arn:aws:kms:eu-west-1:111122223333:key/k\n",
            None,
        ),
    ],
)
def test_no_fix_inside_what_iamlint_could_not_resolve(tmp_path, name, text, extra):
    engine = Engine(REG, Resolver(REG, isolated=True), fix="unsafe")
    path = tmp_path / name
    path.write_text(text)
    report = engine.run([str(path)])
    assert engine.fixed == []
    assert all(f.code != "IAM903" for f in report.findings)
    # and no finding offers a fix it cannot make
    assert [f.code for f in report.findings if f.fix is not None] == []


def test_plan_json_is_not_fixed(tmp_path):
    # a plan is generated: the fix belongs in the configuration it was made from
    plan = (
        '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "aws_iam_policy.p",'
        ' "mode": "managed", "type": "aws_iam_policy", "name": "p", "values": {"policy": '
        '"{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": '
        '\\"kms:Encrypt*\\", \\"Resource\\": \\"*\\"}]}"}}]}}}\n'
    )
    after, codes = fix_file(tmp_path, "plan.json", plan, unsafe=True)
    assert after is None and "IAM101" in codes


def test_crlf_and_bom_survive(tmp_path):
    text = RAW_JSON.replace("\n", "\r\n")
    path = tmp_path / "p.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    engine = Engine(REG, Resolver(REG, isolated=True), fix="safe")
    engine.run([str(path)])
    (x,) = engine.fixed
    assert x.bom and x.before == text
    assert x.after == text.replace('"kms:Encrypt*"', '"kms:Encrypt"')


# -- IAM506 redundant-element: a redundant list item removed, per format --------------------------
ARN = "arn:aws:sqs:eu-west-1:123456789012:orders"
REDUNDANT = {
    "p.json": (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": [\n'
        '      "sqs:*",\n      "sqs:SendMessage"\n    ],\n    "Resource": "' + ARN + '"\n  }]\n}\n',
        '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": [\n'
        '      "sqs:*"\n    ],\n    "Resource": "' + ARN + '"\n  }]\n}\n',
    ),
    "t.yaml": (
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action:\n"
        "              - sqs:SendMessage   # sending\n              - sqs:*\n            Resource: ["
        + ARN
        + ", '"
        + ARN
        + "']\n",
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action:\n"
        "              - sqs:*\n            Resource: [" + ARN + "]\n",
    ),
    "main.tf": (
        'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = [\n      "sqs:*",\n'
        '      "sqs:SendMessage", # sending\n    ]\n    resources = ["' + ARN + '", "' + ARN + '"]\n  }\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = ["sqs:*", "sqs:SendMessage"], Resource = "'
        + ARN
        + '" }]\n'
        "  })\n}\n",
        'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = [\n      "sqs:*",\n'
        '    ]\n    resources = ["' + ARN + '"]\n  }\n}\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = ["sqs:*"], Resource = "' + ARN + '" }]\n'
        "  })\n}\n",
    ),
}


@pytest.mark.parametrize("name", sorted(REDUNDANT))
def test_redundant_item_is_removed(tmp_path, name):
    text, expected = REDUNDANT[name]
    after, codes = fix_file(tmp_path, name, text)
    assert after == expected
    assert "IAM506" not in codes


# -- removing a list item, as the engine does it for any rule (test-only findings) ----------------
def _remove(path: str, text: str, k: int, tf: bool = False) -> str | None:
    """The text with action ``k`` of the first statement removed by the remove fix, or None."""
    if tf:
        docs = extract_module(os.path.dirname(path), [path], {path: text})[path].documents
    else:
        docs = extract_file(path, text).documents
    stmt = docs[0].statements[0]
    v = stmt.action[k]
    fix = remove_item_fix(v, stmt.action, stmt.element_spans.get("Action"), "Remove the redundant action")
    finding = Finding("IAM506", "redundant-element", Severity.WARNING, "redundant", v.span, fix=fix)
    planned = fixes.plan(finding, text)
    return None if planned is None else fixes.apply_edits(text, planned.edits)


JSON_LIST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": [\n    "s3:A",\n    "s3:B",\n    "s3:C"\n  ], "Resource": "*"}]}\n'
JSON_FLOW = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": ["s3:A", "s3:B", "s3:C"], "Resource": "*"}]}\n'
YAML_HEAD = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Resource: '*'\n"
YAML_BLOCK = (
    YAML_HEAD + "            Action:\n              - s3:A\n              - s3:B  # b\n              - s3:C\n"
)
YAML_FLOW = YAML_HEAD + "            Action: [s3:A, 's3:B', s3:C]\n"
HCL_HEAD = 'data "aws_iam_policy_document" "d" {\n  statement {\n    effect = "Deny"\n    resources = ["*"]\n'
HCL_LIST = HCL_HEAD + '    actions = [\n      "s3:A",\n      "s3:B", # b\n      "s3:C",\n    ]\n  }\n}\n'
HCL_FLOW = HCL_HEAD + '    actions = ["s3:A", "s3:B", "s3:C"]\n  }\n}\n'


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("p.json", JSON_LIST, ['    "s3:A",\n', '    "s3:B",\n', '    "s3:C"\n', '    "s3:B",\n']),
        ("p.json", JSON_FLOW, ['"s3:A", ', ', "s3:B"', ', "s3:C"']),
        (
            "t.yaml",
            YAML_BLOCK,
            ["              - s3:A\n", "              - s3:B  # b\n", "              - s3:C\n"],
        ),
        ("t.yaml", YAML_FLOW, ["s3:A, ", ", 's3:B'", ", s3:C"]),
        ("main.tf", HCL_LIST, ['      "s3:A",\n', '      "s3:B", # b\n', '      "s3:C",\n']),
        ("main.tf", HCL_FLOW, ['"s3:A", ', ', "s3:B"', ', "s3:C"']),
    ],
)
def test_remove_list_item(tmp_path, name, text, expected):
    path = str(tmp_path / name)
    for k in range(3):
        got = _remove(path, text, k, tf=name.endswith(".tf"))
        gone = expected[k]
        if name == "p.json" and "\n" in JSON_LIST and text == JSON_LIST and k == 2:
            # the last item on its own line: its line, and the comma before it
            assert got == text.replace('    "s3:B",\n    "s3:C"\n', '    "s3:B"\n')
            continue
        assert text.count(gone) == 1
        assert got == text.replace(gone, "", 1), (k, got)


def test_remove_never_edits_a_list_that_is_not_one(tmp_path):
    # concat(): one unresolved value; Fn::If: items of two lists
    tf = HCL_HEAD + '    actions = concat(["s3:A"], ["s3:B", "s3:C"])\n  }\n}\n'
    path = str(tmp_path / "main.tf")
    docs = extract_module(str(tmp_path), [path], {path: tf})[path].documents
    stmt = docs[0].statements[0]
    for v in stmt.action:  # resolved to three values, but not one written list: no edit
        fix = remove_item_fix(v, stmt.action, stmt.element_spans.get("Action"), "x")
        finding = Finding("IAM506", "r", Severity.WARNING, "m", v.span, fix=fix)
        assert fix is None or fixes.plan(finding, tf) is None
    # a remove fix whose spans are not one written list: no edit
    text = JSON_FLOW
    a = Span("p.json", 1, 63, 1, 69)
    b = Span("p.json", 1, 71, 1, 77)
    fix = Fix("remove", "x", True, b, old="s3:B", within=Span("p.json", 1, 60, 1, 78), items=(a, b))
    assert fixes.plan(Finding("IAM506", "r", Severity.WARNING, "m", b, fix=fix), text) is None


# -- rounds: overlapping fixes wait for the next one --------------------------------------------
def test_overlapping_fixes_take_rounds():
    text = '["aa", "bb"]'

    def finding(col: int, old: str, new: str) -> Finding:
        span = Span("f", 1, col, 1, col + len(old) + 2)
        return Finding(
            "T1", "t", Severity.INFO, "m", span, fix=Fix("replace", "t", True, span, old=old, new=new)
        )

    def lint(t: str) -> list[Finding]:
        out = []
        if '"aa"' in t:  # two fixes of the same value: one per round
            out += [finding(2, "aa", "xx"), finding(2, "aa", "yy")]
        if '"bb"' in t:
            out.append(finding(t.index('"bb"') + 1, "bb", "zz"))
        return out

    result = fixes.fix_text(text, lint, "f")
    assert result.text == '["xx", "zz"]'
    assert result.rounds == 1 and len(result.applied) == 2 and result.converged

    def endless(t: str) -> list[Finding]:  # a fix that re-creates a finding: bounded
        s = Span("f", 1, 2, 1, 6)
        old = t[2:4]
        fix = Fix("replace", "t", True, s, old=old, new="ba" if old == "ab" else "ab")
        return [Finding("T1", "t", Severity.INFO, "m", s, fix=fix)]

    result = fixes.fix_text('["ab"]', endless, "f", max_rounds=3)
    assert result.rounds == 3 and not result.converged


# -- the command line -----------------------------------------------------------------------------
def test_cli_fix_writes_in_place_and_says_what_it_did(run_cli, tmp_path):
    p = tmp_path / "p.json"
    p.write_text(RAW_JSON.replace('"s3:GetObject"', '"s3:GetObjectt"'))
    p.chmod(0o640)
    before = p.read_text()
    r = run_cli("--fix", p, cwd=tmp_path)
    assert "Traceback" not in r.stderr
    assert p.read_text() == before.replace('"kms:Encrypt*"', '"kms:Encrypt"')
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert "Fixed 1 finding in 1 file; 1 more with --unsafe-fixes." in r.stdout
    assert "IAM101" not in r.stdout and "p.json:6:33: IAM501" in r.stdout
    assert r.returncode == 1  # the IAM501 that remains
    assert sorted(x.name for x in tmp_path.iterdir()) == ["p.json"]  # no temporary file left
    r = run_cli("--fix", "--unsafe-fixes", p, cwd=tmp_path)
    assert '"Action": ["kms:Encrypt", "s3:GetObject"]' in p.read_text()
    assert "Fixed 1 finding in 1 file." in r.stdout and r.returncode == 0


def test_cli_without_fix_says_what_is_fixable(run_cli, tmp_path):
    p = tmp_path / "p.json"
    p.write_text(RAW_JSON.replace('"s3:GetObject"', '"s3:GetObjectt"'))
    r = run_cli(p, cwd=tmp_path)
    assert r.stdout.endswith("1 finding fixable with --fix; 1 more with --unsafe-fixes.\n")
    assert p.read_text() == RAW_JSON.replace('"s3:GetObject"', '"s3:GetObjectt"')


def test_cli_diff_writes_nothing(run_cli, tmp_path):
    p = tmp_path / "p.json"
    p.write_text(RAW_JSON)
    r = run_cli("--diff", "p.json", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stdout == (
        '--- p.json\n+++ p.json\n@@ -3,7 +3,7 @@\n   "Statement": [\n     {\n'
        '       "Effect": "Allow",\n-      "Action": ["kms:Encrypt*", "s3:GetObject"],\n'
        '+      "Action": ["kms:Encrypt", "s3:GetObject"],\n'
        '       "Resource": "arn:aws:kms:eu-west-1:111122223333:key/k"\n     }\n   ]\n'
    )
    assert r.stderr == "Would fix 1 finding in 1 file.\n"
    assert p.read_text() == RAW_JSON
    p.write_text(RAW_JSON.replace("kms:Encrypt*", "kms:Encrypt"))
    r = run_cli("--diff", "p.json", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "No fixes available.\n")


def test_cli_stdin_fix_prints_the_fixed_text(run_cli, tmp_path):
    r = run_cli("--fix", "--stdin-filename", "p.json", "-", cwd=tmp_path, input=RAW_JSON)
    assert r.stdout == RAW_JSON.replace('"kms:Encrypt*"', '"kms:Encrypt"')
    assert "Fixed 1 finding in 1 file." in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "p.json").exists()


def test_cli_fix_keeps_going_past_bad_input(run_cli, tmp_path):
    (tmp_path / "bad.json").write_text('{"Version": "2012-10-17", "Statement": [')
    (tmp_path / "p.json").write_text(RAW_JSON)
    r = run_cli("--fix", ".", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "bad.json:1:" in r.stdout and "IAM900" in r.stdout
    assert '"kms:Encrypt"' in (tmp_path / "p.json").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_cli_fix_through_a_symlink_edits_its_target(run_cli, tmp_path):
    (tmp_path / "real.json").write_text(RAW_JSON)
    (tmp_path / "link.json").symlink_to("real.json")
    run_cli("--fix", "link.json", cwd=tmp_path)
    assert (tmp_path / "link.json").is_symlink()
    assert '"kms:Encrypt"' in (tmp_path / "real.json").read_text()
