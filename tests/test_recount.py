"""benchmarks/recount_policies.py: its own count of policy-bearing elements, against iamlint's listing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "recount_policies.py"

FILES = {
    # read by iamlint: a trust policy, an inline policy and an IoT policy
    "stack.yaml": """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          AppRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::reports/*"}
          DevicePolicy:
            Type: AWS::IoT::Policy
            Properties:
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Action: "iot:*", Resource: "*"}
        """,
    # a resource built from a data source in another file of the folder, a lone data source and
    # the statement a Lambda permission makes AWS write
    "tf/main.tf": """\
        resource "aws_iam_policy" "read" {
          policy = data.aws_iam_policy_document.read.json
        }
        resource "aws_lambda_permission" "s3" {
          action        = "lambda:InvokeFunction"
          function_name = "f"
          principal     = "s3.amazonaws.com"
        }
        """,
    "tf/data.tf": """\
        data "aws_iam_policy_document" "read" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::reports/*"]
          }
        }
        data "aws_iam_policy_document" "unused" {
          statement {
            actions   = ["s3:ListBucket"]
            resources = ["arn:aws:s3:::reports"]
          }
        }
        """,
    # a stack set's template (owners StackSet/LogicalId) and the statement AWS writes for an
    # event bus policy given by Principal and Action
    "stackset.yaml": """\
        Resources:
          Spread:
            Type: AWS::CloudFormation::StackSet
            Properties:
              TemplateBody: |
                Resources:
                  Queue:
                    Type: AWS::SQS::QueuePolicy
                    Properties:
                      PolicyDocument: {Statement: [{Effect: Allow, Principal: "*", Action: sqs:*, Resource: "*"}]}
          Bus:
            Type: AWS::Events::EventBusPolicy
            Properties: {StatementId: all, Action: events:PutEvents, Principal: "123456789012"}
        """,
    "rcp.json": '{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}\n',
    "package.json": '{"name": "web"}\n',
}


def test_recount_finds_what_iamlint_reads_and_names_what_it_does_not(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text))
    proc = subprocess.run(  # the iamlint next to this Python
        [sys.executable, SCRIPT, str(tmp_path), "--json", "-j", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # every one of them is read: the IoT policy (DocKind.IOT) and the Lambda permission's statement
    assert out["counted"] == 9 and out["listed"] == 9
    assert out["status"] == {"found": 9}
    assert out["missing"] == []
