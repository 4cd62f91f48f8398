"""The evaluator (iamlint.evaluate): effective permissions of the principals of a template."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from iamlint.escalation import escalation_paths
from iamlint.evaluate import Evaluator, Verdict, covers
from iamlint.extract import extract_file

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
"""

TRUST = """\
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
"""


def _role(name: str, statements: str, extra: str = "") -> str:
    body = textwrap.indent(textwrap.dedent(statements).strip("\n"), " " * 16)
    return (
        f"  {name}:\n    Type: AWS::IAM::Role\n    Properties:\n{TRUST}{extra}"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument:\n"
        '            Version: "2012-10-17"\n            Statement:\n' + body + "\n"
    )


def _evaluator(tmp_path, text: str) -> Evaluator:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    ex = extract_file(str(path), text)
    assert ex is not None
    return Evaluator(ex.principals)


def _eff(tmp_path, text: str, address: str = "Role"):
    ev = _evaluator(tmp_path, text)
    p = ev.principal(address)
    assert p is not None
    return ev.effective(p)


def test_allow_deny_condition_and_not_granted(tmp_path):
    eff = _eff(
        tmp_path,
        HEAD
        + _role(
            "Role",
            """
            - Effect: Allow
              Action: ["s3:*", "iam:PassRole"]
              Resource: "*"
            - Effect: Deny
              Action: s3:DeleteBucket
              Resource: "*"
            - Effect: Deny
              Action: iam:PassRole
              Resource: "*"
              Condition: {StringNotEquals: {"iam:PassedToService": ec2.amazonaws.com}}
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: "*"
              Condition: {Bool: {"aws:SecureTransport": "true"}}
            """,
        ),
    )
    get = eff.decide("s3:GetObject")
    assert get.verdict is Verdict.ALLOWED
    assert [(s.policy, s.span.line) for s in get.granted_by] == [("p", 17)]
    delete = eff.decide("s3:DeleteBucket")
    assert delete.verdict is Verdict.DENIED and [s.span.line for s in delete.denied_by] == [20]
    passrole = eff.decide("iam:PassRole")
    assert passrole.verdict is Verdict.CONDITIONAL
    assert "StringNotEquals iam:passedtoservice ec2.amazonaws.com" in passrole.conditions[0]
    send = eff.decide("sqs:SendMessage")
    assert send.verdict is Verdict.CONDITIONAL
    assert send.conditions == ("Bool aws:securetransport true",)
    assert eff.decide("ec2:RunInstances").verdict is Verdict.NOT_GRANTED


def test_resource_patterns_cover_literally():
    assert covers("*", "arn:aws:iam::<this-account>:role/*")
    assert covers("arn:aws:iam::*:role/*", "arn:aws:iam::<this-account>:role/*")
    assert covers("arn:aws:iam::123456789012:role/*", "arn:aws:iam::<this-account>:role/*")
    assert not covers("arn:aws:iam::123456789012:role/app-*", "arn:aws:iam::<this-account>:role/*")
    assert not covers("arn:aws:iam::*:role/*", "*")
    assert covers("arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::bucket/key")


def test_boundary_caps_and_unknown_boundary(tmp_path):
    text = (
        HEAD
        + _role(
            "Capped",
            """
            - Effect: Allow
              Action: "*"
              Resource: "*"
            """,
            "      PermissionsBoundary: arn:aws:iam::aws:policy/ReadOnlyAccess\n",
        )
        + _role(
            "Unknown",
            """
            - Effect: Allow
              Action: "*"
              Resource: "*"
            """,
            "      PermissionsBoundary: !Ref BoundaryArn\n",
        )
    )
    ev = _evaluator(tmp_path, "Parameters:\n  BoundaryArn: {Type: String}\n" + text)
    capped = ev.effective(ev.principal("Capped"))
    assert capped.decide("s3:GetObject").verdict is Verdict.ALLOWED
    put = capped.decide("iam:PutRolePolicy")
    assert put.verdict is Verdict.DENIED
    assert put.capped_by == ("permissions boundary ReadOnlyAccess",)
    assert escalation_paths(capped) == []
    unknown = ev.effective(ev.principal("Unknown"))
    d = unknown.decide("iam:PutRolePolicy")
    assert d.verdict is Verdict.CONDITIONAL
    assert d.conditions == ("if the permissions boundary !Ref BoundaryArn (unknown) allows it",)
    assert unknown.unknown == ["permissions boundary !Ref BoundaryArn cannot be read: it may cap any action"]


def test_user_gets_its_groups_policies_and_unknown_managed_arns(tmp_path):
    text = HEAD + textwrap.indent(
        textwrap.dedent(
            """\
          Admins:
            Type: AWS::IAM::Group
            Properties:
              ManagedPolicyArns: [arn:aws:iam::aws:policy/IAMFullAccess]
          Alice:
            Type: AWS::IAM::User
            Properties:
              Groups: [!Ref Admins, !Ref Admins]
              ManagedPolicyArns: [!Ref SomePolicy]
        """
        ),
        "  ",
    )
    ev = _evaluator(tmp_path, "Parameters:\n  SomePolicy: {Type: String}\n" + text)
    alice = ev.effective(ev.principal("Alice"))
    d = alice.decide("iam:CreateAccessKey", "arn:aws:iam::<this-account>:user/*")
    assert d.verdict is Verdict.ALLOWED
    assert [(s.layer, s.policy, s.via, s.aws_managed) for s in d.granted_by] == [
        ("group", "IAMFullAccess", "Admins", True)
    ]
    assert alice.unknown == ["managed policy !Ref SomePolicy cannot be read: it may grant more"]
    assert [p.path.id for p in escalation_paths(alice)][:3] == [
        "create-policy-version",
        "set-default-policy-version",
        "attach-policy",
    ]


def test_not_action_and_unknown_resource(tmp_path):
    text = (
        "Parameters:\n  Bucket: {Type: String}\n"
        + HEAD
        + _role(
            "Role",
            """
        - Effect: Allow
          NotAction: ["iam:*", "organizations:*"]
          Resource: "*"
        - Effect: Allow
          Action: iam:PassRole
          Resource: !Ref Bucket
        """,
        )
    )
    eff = _eff(tmp_path, text)
    assert eff.decide("ec2:RunInstances").verdict is Verdict.ALLOWED
    passrole = eff.decide("iam:PassRole")
    assert passrole.verdict is Verdict.CONDITIONAL
    assert passrole.conditions == ("Resource !Ref Bucket (unknown) names it",)
    assert eff.decide("iam:CreateUser").verdict is Verdict.NOT_GRANTED
    listed = list(eff.permissions())
    assert [a for p in listed if p.service in ("iam", "organizations") for a in p.actions] == ["iam:PassRole"]
    assert {p.decision.verdict for p in eff.permissions() if p.service == "ec2"} == {Verdict.ALLOWED}
    (passrole,) = [p for p in eff.permissions() if "iam:PassRole" in p.actions]
    assert passrole.decision.verdict is Verdict.CONDITIONAL


def test_permissions_json_by_service_and_level(tmp_path):
    eff = _eff(
        tmp_path,
        HEAD
        + _role(
            "Role",
            """
            - Effect: Allow
              Action: ["sqs:SendMessage", "iam:PassRole"]
              Resource: "arn:aws:sqs:*:*:jobs"
            """,
        ),
    )
    out = json.loads(json.dumps(eff.to_json()))
    assert out["principal"] == "Role" and out["kind"] == "role"
    assert out["policies"] == [
        {"policy": "p", "layer": "identity", "file": str(tmp_path / "t.yaml"), "line": 15}
    ]
    assert list(out["permissions"]) == ["iam", "sqs"]
    assert out["permissions"]["sqs"]["Write"][0] == {
        "actions": ["sqs:SendMessage"],
        "resource": "arn:aws:sqs:*:*:jobs",
        "verdict": "allowed",
        "granted_by": [
            {"layer": "identity", "policy": "p", "file": str(tmp_path / "t.yaml"), "line": 17, "column": 19}
        ],
        "conditions": [],
        "denied_by": [],
        "capped_by": [],
    }


_BIG = r"""
import json, sys, time
from iamlint.extract import extract_file
from iamlint.evaluate import Evaluator
from iamlint.escalation import escalation_paths
n, per = int(sys.argv[1]), int(sys.argv[2])
trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
res = {}
for i in range(n):
    policies = [
        {"PolicyName": f"p{j}", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": [f"s3:Get{j}*", "iam:PassRole", "ec2:RunInstances"], "Resource": "*"}]}}
        for j in range(per)
    ]
    res[f"R{i}"] = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": trust, "Policies": policies,
        "ManagedPolicyArns": [{"Ref": "Arn"}], "PermissionsBoundary": {"Ref": "Arn"}}}
doc = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {"Arn": {"Type": "String"}}, "Resources": res}
ex = extract_file("t.json", json.dumps(doc, indent=1))
t = time.monotonic()
ev = Evaluator(ex.principals)
effective = list(ev.all())
found = sum(len(escalation_paths(e, conditional=True)) for e in effective)
sure = sum(len(escalation_paths(e)) for e in effective)
print(len(ex.principals), found, sure, len(effective[0].unknown), round(time.monotonic() - t, 2))
"""


def test_many_principals_and_many_policies_in_bounded_time():
    """5,000 principals in one template, and a principal with 200 policies, each with an
    unknown boundary and a managed policy ARN that is a parameter: every principal gets its
    answer (the PassRole path open only if the unknown boundary allows it), in bounded time."""
    for n, per in ((5000, 1), (1, 200)):
        r = subprocess.run(
            [sys.executable, "-c", _BIG, str(n), str(per)], capture_output=True, text=True, timeout=240
        )
        assert r.returncode == 0, r.stderr
        count, found, sure, unknown, seconds = r.stdout.split()
        assert (int(count), int(found), int(sure), int(unknown)) == (n, n, 0, 2)
        assert float(seconds) < 60


def test_docs_list_every_escalation_path():
    from pathlib import Path

    from iamlint.escalation import PATHS

    text = (Path(__file__).resolve().parent.parent / "docs" / "escalation.md").read_text()
    assert [p.id for p in PATHS if f"| `{p.id}` |" not in text] == []


def test_on_some_resource_counts_only_resources_the_action_can_name(tmp_path):
    """ "*" on an S3 ARN grants no Lambda function: lambda:UpdateFunctionCode is not granted
    on any resource, so no escalation path opens (a stack set fixture of IAM101 showed it)."""
    eff = _eff(
        tmp_path,
        HEAD
        + _role(
            "Role",
            """
            - Effect: Allow
              Action: "*"
              Resource: arn:aws:s3:::operations-*
            """,
        ),
    )
    assert eff.decide("lambda:UpdateFunctionCode", None).verdict is Verdict.NOT_GRANTED
    assert eff.decide("s3:GetObject", None).verdict is Verdict.ALLOWED
    assert escalation_paths(eff) == []
