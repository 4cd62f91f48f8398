"""``iamlint explain``, run as a user runs it."""

from __future__ import annotations

import json
import time

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Boundary: {Type: String}
Resources:
  Builders:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: build
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
  Ci:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Builders]
      Policies:
        - PolicyName: launch
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [ec2:RunInstances, "ec2:DescribeInstances"]
                Resource: "*"
              - Effect: Deny
                Action: ec2:DescribeInstances
                Resource: "*"
  Capped:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      PermissionsBoundary: !Ref Boundary
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "iam:PutRolePolicy", Resource: "*"}
"""


def test_text_names_policies_paths_and_permissions(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    r = run_cli("explain", "Ci", "t.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == (
        "user Ci (t.yaml:16)\n"
        "  policies:\n"
        "    launch  t.yaml:23\n"
        "    build via group Builders  t.yaml:11\n"
        "  escalation paths:\n"
        "    passrole-ec2: iam:PassRole on any role with ec2:RunInstances "
        "(launch an instance with an instance profile role and use its credentials)\n"
        "      iam:PassRole: build via Builders (t.yaml:13)\n"
        "      ec2:RunInstances: launch (t.yaml:25)\n"
        "  permissions:\n"
        "    ec2\n"
        "     Write:\n"
        "      allowed on * (1 action): ec2:RunInstances\n"
        "        by launch (t.yaml:25)\n"
        "     List:\n"
        "      denied on * (1 action): ec2:DescribeInstances\n"
        "        by launch (t.yaml:25); denied by launch (t.yaml:28)\n"
        "    iam\n"
        "     Permissions management:\n"
        "      allowed on * (1 action): iam:PassRole\n"
        "        by build via Builders (t.yaml:13)\n"
    )


def test_json_for_machines_and_an_unknown_boundary(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    r = run_cli("explain", "--all", "--format", "json", "t.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, "")
    got = {p["principal"]: p for p in json.loads(r.stdout)["principals"]}
    assert list(got) == ["Builders", "Ci", "Capped"]
    ci = got["Ci"]
    assert [p["path"] for p in ci["escalation_paths"]] == ["passrole-ec2"]
    assert ci["escalation_paths"][0]["verdict"] == "allowed"
    (passrole,) = ci["permissions"]["iam"]["Permissions management"]
    assert passrole["granted_by"] == [
        {"layer": "group", "policy": "build", "file": "t.yaml", "line": 13, "column": 17, "via": "Builders"}
    ]
    capped = got["Capped"]
    assert capped["unknown"] == ["permissions boundary !Ref Boundary cannot be read: it may cap any action"]
    (put,) = capped["permissions"]["iam"]["Permissions management"]
    assert put["verdict"] == "conditional"
    assert put["conditions"] == ["if the permissions boundary !Ref Boundary (unknown) allows it"]
    assert [(p["path"], p["verdict"]) for p in capped["escalation_paths"]] == [
        ("put-inline-policy", "conditional")
    ]


MODULE = """\
variable "policy_arn" {}

resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "extra" {
  role       = aws_iam_role.app.name
  policy_arn = var.policy_arn
}
"""


def test_a_terraform_address_a_bad_file_and_an_unknown_target(tmp_path, run_cli):
    mod = tmp_path / "infra"
    mod.mkdir()
    (mod / "main.tf").write_text(MODULE)
    (tmp_path / "broken.json").write_text('{"Resources": {"R": {"Type": "AWS::IAM::Role", ')
    r = run_cli("explain", "aws_iam_role.app", ".", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (
        r.stderr == "broken.json:1:48: IAM900 expected a property name in double quotes, found end of file\n"
    )
    assert r.stdout.startswith("role aws_iam_role.app (infra/main.tf:3)\n  policies:\n    none\n")
    assert "  unknown: managed policy var.policy_arn cannot be read: it may grant more\n" in r.stdout
    assert r.stdout.endswith("  escalation paths: none\n  permissions: none granted\n")
    r = run_cli("explain", "NoSuchRole", "infra", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == "iamlint: error: no principal 'NoSuchRole' in infra; principals: aws_iam_role.app\n"
    r = run_cli("explain", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == "iamlint: error: explain needs a TARGET (a logical id or address) or --all\n"


def test_a_principal_with_200_policies_and_every_action_in_bounded_time(tmp_path, run_cli):
    policies = [
        {
            "PolicyName": f"p{i}",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["*" if i == 0 else f"s3:Get{i}*"], "Resource": "*"}
                ],
            },
        }
        for i in range(200)
    ]
    deny = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    policies[1]["PolicyDocument"]["Statement"].append(deny)
    doc = {
        "Resources": {
            "Big": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": {"Statement": []}, "Policies": policies},
            }
        }
    }
    (tmp_path / "big.json").write_text(json.dumps(doc))
    start = time.monotonic()
    r = run_cli("explain", "Big", "--format", "json", "big.json", cwd=tmp_path)
    assert time.monotonic() - start < 60
    assert (r.returncode, r.stderr) == (0, "")
    (big,) = json.loads(r.stdout)["principals"]
    assert len(big["policies"]) == 200
    assert {e["verdict"] for e in big["permissions"]["iam"]["Permissions management"]} == {"denied"}
    assert [p["path"] for p in big["escalation_paths"]] == ["lambda-update-code", "glue-update-dev-endpoint"]
