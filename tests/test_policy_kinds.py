"""Kinds of policy (issue 12, item 7): what iamlint takes each document for, and what follows.

A raw JSON file's kind comes from its shape or from ``[tool.iamlint.kinds]``; templates and
Terraform say it themselves (``AWS::Organizations::Policy``/``aws_organizations_policy``
``Type``). IAM502 checks each kind by AWS's grammar for it, and ``--format json`` lists every
document with its kind and owner.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import without_ends

from iamlint.extract import extract_file
from iamlint.extract.jsonpolicy import guess_kind
from iamlint.model import DocKind

#: the issue's case: AWS's data perimeter RCP, which denies sts:AssumeRole among others
RCP = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "EnforceOrgIdentities",
      "Effect": "Deny",
      "Principal": "*",
      "Action": ["s3:*", "sts:AssumeRole", "sts:GetSessionToken", "kms:*", "sqs:*"],
      "Resource": "*",
      "Condition": {
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
      }
    }
  ]
}
"""


def write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def listed(proc) -> dict[str, list[tuple]]:
    """``--format json``'s documents, file by file: (kind, owner, owner_type, property, line, column)."""
    out = json.loads(proc.stdout)
    return {
        f["path"]: [
            (d["kind"], d["owner"], d["owner_type"], d["property"], d["line"], d["column"])
            for d in f["documents"]
        ]
        for f in out["files"]
    }


def test_an_rcp_that_denies_assume_role_is_not_a_trust_policy(run_cli, tmp_path):
    """All 7 IAM502 findings of the corpus: an RCP read as a trust policy, whose Resource and
    Principal IAM502 then rejected."""
    write(tmp_path, {"identity_perimeter_rcp.json": RCP})
    proc = run_cli("identity_perimeter_rcp.json", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "1 file scanned; 1 policy found; no findings.\n"
    proc = run_cli("--format", "json", "identity_perimeter_rcp.json", cwd=tmp_path)
    assert listed(proc) == {"identity_perimeter_rcp.json": [("rcp", None, None, None, 1, 1)]}


@pytest.mark.parametrize(
    "statement, kind",
    [
        # a Principal and a Resource: a resource policy, whatever its actions
        (
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": ["sts:AssumeRole", "s3:GetObject"],
                "Resource": "arn:aws:s3:::reports/*",
            },
            DocKind.RESOURCE,
        ),
        (
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
            "trust",
        ),
        # RCP-shaped, but SNS is not a service RCPs apply to: a topic policy template
        ({"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": "*"}, DocKind.RESOURCE),
        # RCP-shaped, but it names its bucket: a bucket policy
        (
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"},
            DocKind.RESOURCE,
        ),
        ({"Effect": "Deny", "Principal": "*", "Action": "S3:*", "Resource": ["*"]}, DocKind.RCP),
        ({"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}, DocKind.RESOURCE),
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, DocKind.IDENTITY),
    ],
)
def test_shape_guess(statement, kind):
    assert guess_kind({"Statement": [statement]}) == kind


def test_configured_kinds_override_the_shape_guess(run_cli, tmp_path):
    write(
        tmp_path,
        {
            "pyproject.toml": """\
                [project]
                name = "org"

                [tool.iamlint.kinds]
                "org/*.json" = "identity"
                "org/scps/*.json" = "scp"
                "org/rcps/**" = "rcp"
                "sessions/*.json" = "session"
                "roles/*.json" = "identity"
                """,
            # the last matching glob wins: an SCP, which may not name a principal
            "org/scps/deny-regions.json": """\
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Effect": "Deny",
                      "Principal": "*",
                      "NotAction": ["iam:*", "sts:*"],
                      "Resource": "*",
                      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}
                    }
                  ]
                }
                """,
            # the default FullAWSAccess grants nothing: no IAM101/IAM102
            "org/scps/full-access.json": '{"Version": "2012-10-17", "Statement": '
            '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n',
            # an RCP by configuration, with what AWS Organizations refuses in one
            "org/rcps/perimeter.json": """\
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Effect": "Deny",
                      "Principal": {"AWS": "*"},
                      "Action": ["s3:*", "ec2:RunInstances"],
                      "Resource": "*"
                    }
                  ]
                }
                """,
            # a session policy: identity grammar, grants nothing
            "sessions/read-only.json": """\
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject",
                     "Resource": "*"}
                  ]
                }
                """,
            # a wrapper that names its kind keeps it
            "roles/get-role.json": """\
                {"Role": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ]}}}
                """,
        },
    )
    proc = run_cli("-f", "concise", ".", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert without_ends(proc.stdout).splitlines() == [
        'org/rcps/perimeter.json:6:20: IAM502 statement: Principal must be "*" in a resource control policy: '
        "name principals in a condition (aws:PrincipalOrgID, aws:PrincipalArn, ...)",
        "org/rcps/perimeter.json:7:26: IAM502 'ec2:RunInstances': resource control policies do not apply to ec2 "
        "(only to aoss, cognito-identity, cognito-idp, dynamodb, ecr, kms, logs, s3, secretsmanager, sqs, sts)",
        "org/scps/deny-regions.json:6:7: IAM502 statement: must not have a Principal in a service control policy",
        "sessions/read-only.json:5:25: IAM502 statement: must not have a Principal in a session policy",
    ]

    proc = run_cli("-f", "json", ".", cwd=tmp_path)
    assert {path: [d[0] for d in docs] for path, docs in listed(proc).items()} == {
        "org/rcps/perimeter.json": ["rcp"],
        "org/scps/deny-regions.json": ["scp"],
        "org/scps/full-access.json": ["scp"],
        "roles/get-role.json": ["trust"],
        "sessions/read-only.json": ["session"],
    }


KIND_NAMES = "identity, resource, trust, boundary, scp, rcp, session, endpoint, iot"


@pytest.mark.parametrize(
    "name, config, message",
    [
        (
            "pyproject.toml",
            '[tool.iamlint.kinds]\n"org/scps/*.json" = "service-control"\n',
            f"tool.iamlint.kinds.\"org/scps/*.json\": expected one of {KIND_NAMES}, got 'service-control'",
        ),
        (
            ".iamlint.toml",
            '[kinds]\n"org/scps/*.json" = "unknown"\n',
            f"kinds.\"org/scps/*.json\": expected one of {KIND_NAMES}, got 'unknown'",
        ),
        (".iamlint.toml", 'kinds = ["scp"]\n', "kinds: expected object, got list ['scp']"),
        # a key that is no bare key is quoted, its escapes kept: the message stays one line
        (
            ".iamlint.toml",
            '[kinds]\n"org\\nscps" = "scp "\n',
            f"kinds.\"org\\nscps\": expected one of {KIND_NAMES}, got 'scp '",
        ),
    ],
)
def test_a_kind_that_does_not_exist_is_a_configuration_error(run_cli, tmp_path, name, config, message):
    write(tmp_path, {name: config, "org/scps/deny.json": RCP})
    proc = run_cli("org", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "") and "Traceback" not in proc.stderr
    assert proc.stderr == f"iamlint: error: {tmp_path / name}: {message}\n"


def test_json_output_lists_every_document_with_its_kind_and_owner(run_cli, tmp_path):
    write(
        tmp_path,
        {
            "stack.yaml": """\
                AWSTemplateFormatVersion: "2010-09-09"
                Resources:
                  Perimeter:
                    Type: AWS::Organizations::Policy
                    Properties:
                      Name: perimeter
                      Type: RESOURCE_CONTROL_POLICY
                      Content:
                        Version: "2012-10-17"
                        Statement:
                          - Effect: Deny
                            Principal: "*"
                            Action: s3:*
                            Resource: "*"
                  AppRole:
                    Type: AWS::IAM::Role
                    Properties:
                      AssumeRolePolicyDocument:
                        Statement:
                          - Effect: Allow
                            Principal: {Service: lambda.amazonaws.com}
                            Action: sts:AssumeRole
                      Policies:
                        - PolicyName: read
                          PolicyDocument:
                            Statement:
                              - Effect: Allow
                                Action: s3:GetObject
                                Resource: arn:aws:s3:::reports/*
                """,
            "tf/main.tf": """\
                resource "aws_organizations_policy" "guard" {
                  name    = "guard"
                  content = jsonencode({ Statement = [{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }] })
                }
                """,
            "rcp.json": RCP,
        },
    )
    proc = run_cli("-f", "json", ".", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    out = json.loads(proc.stdout)
    assert out["schema_version"] == 1
    assert listed(proc) == {
        "rcp.json": [("rcp", None, None, None, 1, 1)],
        "stack.yaml": [
            ("rcp", "Perimeter", "AWS::Organizations::Policy", "Properties.Content", 9, 9),
            ("trust", "AppRole", "AWS::IAM::Role", "Properties.AssumeRolePolicyDocument", 19, 9),
            ("identity", "AppRole", "AWS::IAM::Role", "Properties.Policies[0].PolicyDocument", 26, 13),
        ],
        "tf/main.tf": [
            ("scp", "aws_organizations_policy.guard", "aws_organizations_policy", "content", 3, 24)
        ],
    }
    (doc,) = next(f for f in out["files"] if f["path"] == "tf/main.tf")["documents"]
    assert doc == {
        "kind": "scp",
        "format": "terraform",
        "owner": "aws_organizations_policy.guard",
        "owner_type": "aws_organizations_policy",
        "property": "content",
        "construct": None,
        "statements": 1,
        "file": "tf/main.tf",
        "line": 3,
        "column": 24,
        "end_line": 3,
        "end_column": 105,
    }
    assert sum(len(f["documents"]) for f in out["files"]) == out["summary"]["policies"] == 5


def test_rcp_scp_and_session_allows_grant_nothing():
    """IAM101, IAM102, IAM103 and IAM402 look for what grants; an SCP's, an RCP's or a session
    policy's Allow does not (the RCP is raw JSON shaped as the default RCPFullAWSAccess,
    which its shape alone would call a VPC endpoint policy)."""
    from dataclasses import replace

    from iamlint.check import Checker
    from iamlint.extract.jsonpolicy import extract
    from iamlint.parse.json_parser import parse_json
    from iamlint.ruleset import default_registry

    text = (
        '{"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},'
        ' {"Effect": "Allow", "Action": "*", "Resource": "*"},'
        ' {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}'
    )
    checker = Checker(default_registry(), lambda code: code in ("IAM101", "IAM102", "IAM103", "IAM402"), {})
    for kind, codes in [
        (DocKind.IDENTITY, ["IAM103", "IAM101", "IAM102", "IAM101", "IAM102", "IAM402"]),
        (DocKind.SCP, []),
        (DocKind.RCP, []),
        (DocKind.SESSION, []),
    ]:
        ex = extract("p.json", parse_json(text), text)
        assert ex is not None
        ex.documents[:] = [replace(d, kind=kind) for d in ex.documents]
        assert [f.code for f in checker.check(ex)] == codes, kind


def test_organizations_policies_in_a_template_grant_nothing():
    """An SCP and an RCP written in a template are read as such: only IAM502 speaks."""
    from iamlint.engine import Linter
    from iamlint.ruleset import default_registry

    text = textwrap.dedent(
        """\
        Resources:
          FullAccess:
            Type: AWS::Organizations::Policy
            Properties:
              Type: SERVICE_CONTROL_POLICY
              Content:
                Statement:
                  - {Effect: Allow, NotAction: "iam:*", Resource: "*"}
                  - {Effect: Allow, Action: "*", Resource: "*"}
          RcpFullAccess:
            Type: AWS::Organizations::Policy
            Properties:
              Type: RESOURCE_CONTROL_POLICY
              Content:
                Statement:
                  - {Effect: Allow, Principal: "*", Action: "*", Resource: "*"}
        """
    )
    ex = extract_file("org.yaml", text)
    assert ex is not None and [d.kind for d in ex.documents] == [DocKind.SCP, DocKind.RCP]
    (report,) = Linter(default_registry()).lint_text("org.yaml", text)
    # AWS refuses an RCP that allows (only its own RCPFullAWSAccess may): IAM502 alone says so
    assert [(f.code, f.span.line, f.message) for f in report.findings] == [
        (
            "IAM502",
            16,
            'statement: Effect must be "Deny" in a resource control policy: '
            "only the AWS managed RCPFullAWSAccess allows",
        )
    ]


def test_an_iot_policy_is_held_to_the_identity_grammar_and_the_iot_quota(run_cli, tmp_path):
    """``iot`` (AWS IoT Core policies): no Principal, at most 2,048 characters."""
    (tmp_path / ".iamlint.toml").write_text('[kinds]\n"devices/*.json" = "iot"\n')
    (tmp_path / "devices").mkdir()
    topics = ", ".join(f'"arn:aws:iot:eu-west-1:123456789012:topic/sensors/{i:04d}"' for i in range(40))
    (tmp_path / "devices" / "sensor.json").write_text(
        '{"Version": "2012-10-17", "Statement": [\n'
        f'  {{"Effect": "Allow", "Action": "iot:Publish", "Resource": [{topics}]}},\n'
        '  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "iot:Connect",'
        ' "Resource": "arn:aws:iot:eu-west-1:123456789012:client/sensor"}\n]}\n'
    )
    proc = run_cli("-f", "concise", "--select", "IAM502,IAM503", ".", cwd=tmp_path)
    lines = without_ends(proc.stdout).strip().splitlines()
    assert lines[0].startswith(
        "devices/sensor.json:1:1: IAM503 AWS IoT Core policy devices/sensor.json has 2,"
    )
    assert lines[0].endswith("characters; AWS accepts at most 2,048")
    assert (
        lines[1]
        == "devices/sensor.json:3:23: IAM502 statement: must not have a Principal in an AWS IoT Core policy"
    )
    assert len(lines) == 2
