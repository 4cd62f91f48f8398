"""Attached AWS managed policies resolve to their documents, in every format (issue 11, item 1).

An AWS managed policy attached by ARN or name becomes, in the model, the `ManagedPolicyRef` of
its principal with the policy's document from the offline index (`iamlint.managed`), built by
the model builder, every value located at the ARN or name the user wrote; it is not one of the
file's documents, so statement and document rules never lint it as if the user had written it.
Rules decide "privileged" from what it grants (IAM201, IAM304), and an ARN that names no policy
is an IAM501 warning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from iamlint import managed
from iamlint.engine import Linter
from iamlint.extract import extract_file, extract_module
from iamlint.model import DocKind, IAMPrincipal, ManagedPolicyRef, Str, Unknown
from iamlint.ruleset import default_registry


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def principals_of(path: Path) -> dict[str, IAMPrincipal]:
    if path.suffix == ".tf":
        ex = extract_module(str(path.parent), [str(path)], {str(path): path.read_text()})[str(path)]
    else:
        ex = extract_file(str(path), path.read_text())
    assert ex is not None and ex.diagnostics == []
    # an AWS managed policy's document is reached through its reference only
    assert all(d.aws_managed is None for d in ex.documents)
    return {p.address: p for p in ex.principals}


def at(path: Path, needle: str, skip: int = 0) -> tuple[int, int]:
    """(line, column) of the first character of ``needle`` in the file (1-based)."""
    text = path.read_text()
    i = text.index(needle)
    for _ in range(skip):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def resolved(ref: ManagedPolicyRef, name: str, kind: DocKind = DocKind.IDENTITY) -> tuple[int, int]:
    """Check that ``ref`` is the AWS managed policy ``name`` with AWS's document, every value
    of it located where the ARN is written; return that place."""
    assert ref.name == name and ref.aws_managed
    doc = ref.document
    assert doc is not None and doc.aws_managed == name and doc.kind is kind
    assert ref.path == managed.get().lookup(name).path
    where = ref.value.span
    assert doc.span == where and doc.name == Str(name, where)
    values = [
        v for s in doc.statements for v in (*(s.action or ()), *(s.not_action or ()), *(s.resource or ()))
    ]
    assert values and all(v.span == where for v in values)
    assert all(s.span == where for s in doc.statements)
    expected = managed.get().lookup(name).document["Statement"]
    assert len(doc.statements) == len(expected)
    return where.line, where.column


# -- every format ----------------------------------------------------------------------------------


def test_cloudformation_yaml_every_spelling(tmp_path):
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          ExtraArn:
            Type: String
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/AdministratorAccess
                - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSQSFullAccess
                - !Join ["", ["arn:", !Ref AWS::Partition, ":iam::aws:policy/ReadOnlyAccess"]]
                - !Ref ExtraArn
                - arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
              PermissionsBoundary: !Sub arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: src/
              Policies:
                - AmazonS3ReadOnlyAccess
                - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
                - S3ReadPolicy: {BucketName: reports}
          Admins:
            Type: AWS::SSO::PermissionSet
            Properties:
              InstanceArn: arn:aws:sso:::instance/ssoins-1234567890abcdef
              Name: Admins
              ManagedPolicies:
                - arn:aws:iam::aws:policy/IAMFullAccess
        """,
    )
    p = principals_of(path)
    role = p["Role"].managed
    assert resolved(role[0], "AdministratorAccess") == at(path, "arn:aws:iam::aws:policy/AdministratorAccess")
    assert resolved(role[1], "AmazonSQSFullAccess") == at(
        path, "arn:${AWS::Partition}:iam::aws:policy/AmazonSQS"
    )
    assert resolved(role[2], "ReadOnlyAccess") == at(path, '!Join ["", ["arn:"')
    assert isinstance(role[3].value, Unknown) and role[3] == ManagedPolicyRef(role[3].value)
    assert resolved(role[4], "AWSLambdaBasicExecutionRole") == at(path, "arn:aws-cn:")
    assert resolved(p["Role"].boundary, "PowerUserAccess", DocKind.BOUNDARY) == at(
        path, "arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess"
    )
    fn = p["FnRole"].managed
    assert resolved(fn[0], "AmazonS3ReadOnlyAccess") == at(path, "AmazonS3ReadOnlyAccess")
    assert resolved(fn[1], "AWSLambdaVPCAccessExecutionRole") == at(
        path, "arn:aws:iam::aws:policy/service-role/AWSLambdaVPC"
    )
    assert [d.policy_template for d in p["FnRole"].inline] == [
        "S3ReadPolicy"
    ]  # still expanded, not an attachment
    assert resolved(p["Admins"].managed[0], "IAMFullAccess") == at(
        path, "arn:aws:iam::aws:policy/IAMFullAccess"
    )


def test_cloudformation_json_sub_and_join(tmp_path):
    path = write(
        tmp_path,
        "template.json",
        """
        {
          "Resources": {
            "Ops": {
              "Type": "AWS::IAM::Group",
              "Properties": {
                "ManagedPolicyArns": [
                  {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/job-function/ViewOnlyAccess"},
                  {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, "iam", "", "aws", "policy/SecurityAudit"]]}
                ]
              }
            }
          }
        }
        """,
    )
    ops = principals_of(path)["Ops"].managed
    assert resolved(ops[0], "ViewOnlyAccess") == at(path, '"arn:${AWS::Partition}')
    assert resolved(ops[1], "SecurityAudit") == at(path, '{"Fn::Join"')


def test_terraform_every_attachment(tmp_path):
    path = write(
        tmp_path,
        "main.tf",
        """
        data "aws_partition" "current" {}

        variable "extra_arn" {
          type = string
        }

        resource "aws_iam_role" "app" {
          name                 = "app"
          assume_role_policy   = "{}"
          managed_policy_arns  = ["arn:aws:iam::aws:policy/AmazonSQSFullAccess", var.extra_arn]
          permissions_boundary = "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"
        }

        resource "aws_iam_role_policy_attachment" "admin" {
          role       = aws_iam_role.app.name
          policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess"
        }

        resource "aws_iam_user" "u" {
          name = "u"
        }

        resource "aws_iam_user_policy_attachment" "u" {
          user       = aws_iam_user.u.name
          policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        }

        resource "aws_iam_group" "g" {
          name = "g"
        }

        resource "aws_iam_group_policy_attachment" "g" {
          group      = aws_iam_group.g.name
          policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
        }

        resource "aws_iam_policy_attachment" "s3" {
          name       = "s3"
          roles      = [aws_iam_role.app.name, "legacy"]
          policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
        }

        resource "aws_ssoadmin_permission_set" "ps" {
          name         = "ps"
          instance_arn = "arn:aws:sso:::instance/ssoins-1"
        }

        resource "aws_ssoadmin_managed_policy_attachment" "ps" {
          instance_arn       = "arn:aws:sso:::instance/ssoins-1"
          permission_set_arn = aws_ssoadmin_permission_set.ps.arn
          managed_policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
        }
        """,
    )
    p = principals_of(path)
    app = p["aws_iam_role.app"]
    assert resolved(app.managed[0], "AmazonSQSFullAccess") == at(path, '"arn:aws:iam::aws:policy/AmazonSQS')
    assert isinstance(app.managed[1].value, Unknown) and app.managed[1].document is None
    assert resolved(app.managed[2], "AdministratorAccess") == at(path, '"arn:${data', 1)
    assert resolved(app.managed[3], "AmazonS3FullAccess") == at(path, '"arn:aws:iam::aws:policy/AmazonS3Full')
    assert resolved(app.boundary, "PowerUserAccess", DocKind.BOUNDARY) == at(path, '"arn:${data')
    # one reference for both roles of aws_iam_policy_attachment: one attachment, one document
    assert p["legacy"].managed[0] is app.managed[3]
    assert resolved(p["aws_iam_user.u"].managed[0], "ReadOnlyAccess") == at(
        path, '"arn:aws:iam::aws:policy/ReadOnly'
    )
    assert resolved(p["aws_iam_group.g"].managed[0], "IAMFullAccess") == at(
        path, '"arn:aws:iam::aws:policy/IAMFull'
    )
    ps = p["aws_ssoadmin_permission_set.ps"].managed
    assert resolved(ps[0], "AdministratorAccess") == at(path, '"arn:aws:iam::aws:policy/AdministratorAccess"')


def test_terraform_aws_iam_policy_data_source(tmp_path):
    """``data "aws_iam_policy"`` is how many modules name an AWS managed policy: by ``arn``, or
    by a ``name`` the index knows (another name is a customer managed policy of the account)."""
    path = write(
        tmp_path,
        "main.tf",
        """
        data "aws_iam_policy" "basic" {
          name = "AWSLambdaBasicExecutionRole"
        }

        data "aws_iam_policy" "admin" {
          arn = "arn:aws:iam::aws:policy/AdministratorAccess"
        }

        data "aws_iam_policy" "team" {
          name = "team-policy"
        }

        resource "aws_iam_role" "app" {
          name                = "app"
          assume_role_policy  = "{}"
          managed_policy_arns = [data.aws_iam_policy.basic.arn]
        }

        resource "aws_iam_role_policy_attachment" "admin" {
          role       = aws_iam_role.app.name
          policy_arn = "${data.aws_iam_policy.admin.arn}"
        }

        resource "aws_iam_role_policy_attachment" "team" {
          role       = aws_iam_role.app.name
          policy_arn = data.aws_iam_policy.team.arn
        }
        """,
    )
    app = principals_of(path)["aws_iam_role.app"].managed
    assert resolved(app[0], "AWSLambdaBasicExecutionRole") == at(path, '"AWSLambdaBasicExecutionRole"')
    assert resolved(app[1], "AdministratorAccess") == at(
        path, '"arn:aws:iam::aws:policy/AdministratorAccess"'
    )
    assert isinstance(app[2].value, Unknown) and app[2] == ManagedPolicyRef(app[2].value)


def test_terraform_plan(tmp_path):
    def res(address, type_, values):
        return {
            "address": address,
            "mode": "managed",
            "type": type_,
            "name": address.split(".")[1],
            "values": values,
        }

    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    res(
                        "aws_iam_role.app",
                        "aws_iam_role",
                        {
                            "name": "app",
                            "assume_role_policy": "{}",
                            "managed_policy_arns": ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"],
                            "permissions_boundary": "arn:aws-us-gov:iam::aws:policy/PowerUserAccess",
                        },
                    ),
                    res(
                        "aws_iam_role_policy_attachment.admin",
                        "aws_iam_role_policy_attachment",
                        {"role": "app", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
                    ),
                ]
            }
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan, indent=2))
    app = principals_of(path)["aws_iam_role.app"]
    assert resolved(app.managed[0], "AmazonSQSFullAccess") == at(path, '"arn:aws:iam::aws:policy/AmazonSQS')
    assert resolved(app.managed[1], "AdministratorAccess") == at(
        path, '"arn:aws:iam::aws:policy/Administrator'
    )
    assert resolved(app.boundary, "PowerUserAccess", DocKind.BOUNDARY) == at(path, '"arn:aws-us-gov')


# -- what a user sees --------------------------------------------------------------------------------

ADMIN_ROLE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  LambdaRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
"""


def findings(run_cli, *args):
    out = run_cli("--format", "json", *args)
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, json.loads(out.stdout)["findings"]


def test_admin_access_lambda_role_is_no_longer_clean(run_cli, tmp_path):
    """The issue: a Lambda role with AdministratorAccess linted clean. The finding stands on the
    ARN; AWS's "*" statement is not linted as if the user wrote it (no IAM101/IAM102 there)."""
    path = write(tmp_path, "template.yaml", ADMIN_ROLE)
    code, found = findings(run_cli, path)
    assert code == 1
    assert [
        (f["code"], f["severity"], f["line"], f["column"], f["end_column"], f["message"], f["owner"])
        for f in found
    ] == [
        (
            "IAM304",
            "error",
            13,
            11,
            54,
            "AdministratorAccess grants every action on every resource",
            "LambdaRole",
        )
    ]


def test_fingerprint_value_is_the_policy_name(tmp_path):
    path = write(tmp_path, "template.yaml", ADMIN_ROLE)
    report = Linter(default_registry()).run([str(path)])
    assert [(f.code, f.value) for f in report.findings] == [("IAM304", "AdministratorAccess")]
    moved = write(
        tmp_path, "moved.yaml", ADMIN_ROLE.replace("Resources:\n", "Description: moved\nResources:\n")
    )
    again = Linter(default_registry()).run([str(moved)]).findings[0]
    assert (again.value, again.owner, again.span.line) == ("AdministratorAccess", "LambdaRole", 14)


# -- IAM201: "privileged" from what a policy grants, never from a list of names -------------------


def test_iam201_user_with_a_privileged_policy_missing_from_the_old_names_list(run_cli, tmp_path):
    """AWSOpsWorksRegisterCLI grants iam:CreateUser and iam:CreateAccessKey on "*"; the names list
    of IAM201 did not know it."""
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Registrar:
            Type: AWS::IAM::User
            Properties:
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI
          Readers:
            Type: AWS::IAM::Group
            Properties:
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/ReadOnlyAccess
        """,
    )
    code, found = findings(run_cli, path, "--select", "IAM201")
    assert code == 1
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (
            7,
            11,
            "user Registrar has AWSOpsWorksRegisterCLI without an MFA requirement (add a deny-unless-MFA guard)",
        )
    ]


def test_iam201_role_privileged_by_what_its_managed_policy_grants(run_cli, tmp_path):
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          CrossAccount:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "arn:aws:iam::111122223333:root"}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/AmazonS3FullAccess
          Auditor:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {AWS: "arn:aws:iam::111122223333:root"}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/SecurityAudit
        """,
    )
    code, found = findings(run_cli, path, "--select", "IAM201")
    assert code == 1
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (
            10,
            30,
            "arn:aws:iam::111122223333:root can assume the privileged role CrossAccount (AmazonS3FullAccess) "
            "without an MFA condition or sts:ExternalId",
        )
    ]


# -- bad input -----------------------------------------------------------------------------------------


def test_unknown_managed_policy_is_a_warning_with_did_you_mean(run_cli, tmp_path):
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          LambdaRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/AdministratorAcess
                - !Sub arn:${AWS::Partition}:iam::aws:policy/AWSLambdaBasicExecutionRole
        """,
    )
    code, found = findings(run_cli, path)
    assert code == 1
    assert [(f["code"], f["severity"], f["line"], f["column"], f["message"]) for f in found] == [
        (
            "IAM501",
            "warning",
            13,
            11,
            "arn:aws:iam::aws:policy/AdministratorAcess is not an AWS managed policy in iamlint's index of "
            "2026-08-22 (did you mean AdministratorAccess?)",
        ),
        (
            "IAM501",
            "warning",
            14,
            16,
            "arn:${AWS::Partition}:iam::aws:policy/AWSLambdaBasicExecutionRole is not an AWS managed policy: "
            "AWSLambdaBasicExecutionRole is arn:${AWS::Partition}:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole",
        ),
    ]


def test_unresolvable_arns_stay_unknown(run_cli, tmp_path):
    write(
        tmp_path,
        "cfn/template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          PolicyArn: {Type: String}
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - !Ref PolicyArn
                - !Sub arn:${AWS::Partition}:iam::aws:policy/${PolicyArn}
                - !ImportValue shared-policy-arn
                - !Sub arn:aws:iam::${AWS::AccountId}:policy/app
              PermissionsBoundary: !Ref PolicyArn
        """,
    )
    write(
        tmp_path,
        "tf/main.tf",
        """
        variable "policy_arn" {
          type = string
        }

        resource "aws_iam_role" "app" {
          name                 = "app"
          assume_role_policy   = "{}"
          managed_policy_arns  = [var.policy_arn, "arn:aws:iam::aws:policy/${var.policy_arn}"]
          permissions_boundary = var.policy_arn
        }

        resource "aws_iam_role_policy_attachment" "x" {
          role       = aws_iam_role.app.name
          policy_arn = module.shared.policy_arn
        }
        """,
    )
    code, found = findings(run_cli, tmp_path)
    assert [(f["code"], f["file"]) for f in found if f["code"] in ("IAM304", "IAM501", "IAM903")] == []
    assert code in (0, 1)


def run_timed(args: list[str], timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    """iamlint in a subprocess with a timeout, so that a regression cannot hang the suite."""
    from conftest import iamlint_bin

    env = dict(os.environ, NO_COLOR="1")
    start = time.monotonic()
    out = subprocess.run(iamlint_bin() + args, capture_output=True, text=True, timeout=timeout, env=env)
    return out, time.monotonic() - start


def test_arn_with_ten_thousand_colons(tmp_path):
    arn = "arn:aws:iam::aws:policy/" + ":" * 10_000
    path = write(
        tmp_path,
        "template.yaml",
        f"""
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Role:
            Type: AWS::IAM::User
            Properties:
              ManagedPolicyArns:
                - "{arn}"
              PermissionsBoundary: "arn:aws:iam::aws:policy{":" * 10_000}"
        """,
    )
    out, took = run_timed(["--format", "json", "--select", "IAM3,IAM5,IAM9", str(path)])
    assert "Traceback" not in out.stderr and took < 30, (took, out.stderr)
    found = json.loads(out.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"], f["message"][:60]) for f in found] == [
        ("IAM302", 7, 11, "managed policy " + ":" * 45),
        (
            "IAM501",
            7,
            11,
            "arn:aws:iam::aws:policy/" + ":" * 36,
        ),
    ]
    assert found[1]["message"].endswith(
        "... is not an AWS managed policy: a policy name is 1 to 128 letters, digits and +=,.@_-"
    )
    assert out.returncode == 1


def test_principal_with_two_hundred_managed_policies(tmp_path):
    names = managed.get().names()
    picked = [names[i] for i in range(0, len(names), len(names) // 190)][:190]
    picked += ["ReadOnlyAccess", "PowerUserAccess", "AdministratorAccess", "SecurityAudit", "ViewOnlyAccess"]
    picked += [f"NoSuchPolicy{i}" for i in range(5)]
    arns = "\n".join(f"        - arn:aws:iam::aws:policy/{n}" for n in picked)
    path = tmp_path / "template.yaml"
    path.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Role:\n    Type: AWS::IAM::Role\n'
        "    Properties:\n      AssumeRolePolicyDocument: {Statement: []}\n      ManagedPolicyArns:\n"
        + arns
        + "\n"
    )
    out, took = run_timed(["--format", "json", str(path)])
    assert "Traceback" not in out.stderr and took < 60, (took, out.stderr)
    found = json.loads(out.stdout)["findings"]
    codes = {f["code"] for f in found}
    assert codes <= {"IAM304", "IAM501"}, codes
    unknown = [f["line"] for f in found if f["code"] == "IAM501"]
    assert len(picked) == 200 and len(unknown) >= 5  # the five made-up names (and paths the data lacks)
    assert len({(f["code"], f["line"]) for f in found}) == len(found)  # one finding per attachment


def test_corrupt_index_is_one_internal_error_and_the_rest_is_linted(tmp_path, monkeypatch):
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(b"not gzip")
    monkeypatch.setattr(managed, "DATA_FILE", str(bad))
    monkeypatch.setattr(managed, "_shared", None)
    path = write(
        tmp_path,
        "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          LambdaRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/AdministratorAccess
                - arn:aws:iam::aws:policy/ReadOnlyAccess
              Policies:
                - PolicyName: all
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: "*"
                        Resource: "*"
        """,
    )
    report = Linter(default_registry()).run([str(path)])
    codes = [(f.code, f.span.line) for f in report.findings]
    assert ("IAM101", 21) in codes  # the user's own statement is still linted
    internal = [f for f in report.findings if f.code == "IAM903"]
    assert len(internal) == 1 and "cannot read the managed policy index" in internal[0].message
    assert (internal[0].span.line, internal[0].span.column) == (13, 11)
    assert not any(f.code in ("IAM304", "IAM501") for f in report.findings)


# -- start-up: only a run that meets an AWS managed policy reads the index ------------------------------


@pytest.mark.parametrize(
    "name, text, reads",
    [
        ("policy.json", '{"Version": "2012-10-17", "Statement": []}', False),
        (
            "template.yaml",
            ADMIN_ROLE.replace("arn:aws:iam::aws:policy/AdministratorAccess", "!Ref Other"),
            False,
        ),
        ("template.yaml", ADMIN_ROLE, True),
    ],
    ids=["raw-policy", "template-without-aws-managed", "template-with-aws-managed"],
)
def test_index_is_read_only_when_a_file_attaches_an_aws_managed_policy(tmp_path, name, text, reads):
    path = write(tmp_path, name, text)
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda ev, args: ev == 'open' and 'managed_policies' in str(args[0]) and opened.append(1))\n"
        "from iamlint.cli import main\n"
        f"main([{str(path)!r}, '-o', {str(tmp_path / 'out.txt')!r}])\n"
        "print(bool(opened))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(reads)
