"""IAM103 and IAM104 on permissions boundaries: a boundary grants nothing by itself, it caps
what identity policies grant, so an Allow with NotAction or NotResource there carves out of the
ceiling and is not reported (corpus review, 2026-12-01: an AWS managed boundary's NotResource
was an IAM104 warning). The same document attached as an identity policy still is."""

from __future__ import annotations

import json
import textwrap

CFN = textwrap.dedent(
    """\
    Resources:
      Ceiling:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                NotAction: iam:*
                Resource: "*"
              - Effect: Allow
                Action: sagemaker:*
                NotResource: arn:aws:sagemaker:*:*:domain/*
      Granted:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          Roles: [!Ref Worker]
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sagemaker:*
                NotResource: arn:aws:sagemaker:*:*:domain/*
      Worker:
        Type: AWS::IAM::Role
        Properties:
          PermissionsBoundary: !Ref Ceiling
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: sagemaker.amazonaws.com}
                Action: sts:AssumeRole
    """
)

TERRAFORM = textwrap.dedent(
    """\
    resource "aws_iam_policy" "ceiling" {
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{ Effect = "Allow", NotAction = "iam:*", Resource = "*" }]
      })
    }

    resource "aws_iam_role" "worker" {
      permissions_boundary = aws_iam_policy.ceiling.arn
      assume_role_policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
      })
    }
    """
)

POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::payroll/*"}]}\n'


def _found(run_cli, cwd, *args):
    proc = run_cli("--format", "json", "--select", "IAM103,IAM104", *args, cwd=cwd)
    assert "Traceback" not in proc.stderr, proc.stderr
    out = json.loads(proc.stdout)
    kinds = sorted({(d["owner"], d["kind"]) for f in out["files"] for d in f["documents"]})
    return [(f["code"], f["line"], f["column"]) for f in out["findings"]], kinds


def test_a_boundary_in_cloudformation_is_not_reported_and_an_identity_policy_is(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(CFN)
    found, kinds = _found(run_cli, tmp_path, "--isolated", "t.yaml")
    assert ("Ceiling", "boundary") in kinds and ("Granted", "identity") in kinds
    assert found == [("IAM104", 23, 13)]


def test_a_boundary_in_terraform_is_not_reported(run_cli, tmp_path):
    (tmp_path / "main.tf").write_text(TERRAFORM)
    found, kinds = _found(run_cli, tmp_path, "--isolated", ".")
    assert ("aws_iam_policy.ceiling", "boundary") in kinds
    assert found == []


def test_a_raw_json_boundary_named_by_the_kinds_configuration(run_cli, tmp_path):
    (tmp_path / "boundaries").mkdir()
    (tmp_path / "boundaries" / "ceiling.json").write_text(POLICY)
    (tmp_path / "granted.json").write_text(POLICY)
    (tmp_path / ".iamlint.toml").write_text('[kinds]\n"boundaries/*.json" = "boundary"\n')
    found, _ = _found(run_cli, tmp_path, ".")
    assert found == [("IAM104", 1, 79)]


def test_iam101_and_iam102_leave_a_boundary_alone_and_check_the_identity_policy(run_cli, tmp_path):
    # the boundary's sagemaker:* caps nothing it grants; the identity policy's grants it
    (tmp_path / "t.yaml").write_text(CFN)
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM101,IAM102", "t.yaml", cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    found = [(f["code"], f["line"], f["column"], f["owner"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("IAM101", 22, 21, "Granted")]
