"""IAM401 on a policy checked alone: iam:PassRole limited by iam:PassedToService names the
services, a warning when one of them may run the holder's code, information when none does (issue 11, item 5; the corpus review of 2026-12-01 found two AWS
managed policies, AWSCloudTrailFullAccess and AmazonElasticTranscoder_FullAccess, reported as
errors that "pass any role to a service")."""

from __future__ import annotations

import json
import textwrap

import pytest

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudtrail.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"iam:PassedToService": ["autoscaling.amazonaws.com", "ec2.amazonaws.com"]}
            },
        },
        {
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
    ],
}

CFN = textwrap.dedent(
    """\
    Resources:
      Trail:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
                Condition:
                  StringLike: {iam:PassedToService: [cloudtrail.amazonaws.com, elastictranscoder.amazonaws.com]}
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
                Condition:
                  ForAllValues:StringEquals: {iam:PassedToService: cloudtrail.amazonaws.com}
    """
)

TERRAFORM = textwrap.dedent(
    """\
    resource "aws_iam_policy" "trail" {
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = "*"
          Condition = { StringEquals = { "iam:PassedToService" = "cloudtrail.amazonaws.com" } }
        }, {
          Effect    = "Allow"
          Action    = "iam:PassRole"
          Resource  = "*"
          Condition = { StringEqualsIfExists = { "iam:PassedToService" = "cloudtrail.amazonaws.com" } }
        }]
      })
    }
    """
)

LIMITED = "lets the holder pass any role, but only to "
OPEN = "allows privilege escalation: iam:PassRole lets the holder pass any role to a service"


@pytest.mark.parametrize(
    "name, text, expected",
    [
        (
            "policy.json",
            json.dumps(POLICY, indent=2),
            [
                (6, 17, "info", "cloudtrail.amazonaws.com"),
                (16, 17, "error", None),
                (26, 17, "warning", "autoscaling.amazonaws.com, ec2.amazonaws.com"),
                (39, 17, "warning", "ecs-tasks.amazonaws.com"),
            ],
        ),
        (
            "template.yaml",
            CFN,
            [
                (9, 21, "info", "cloudtrail.amazonaws.com, elastictranscoder.amazonaws.com"),
                (14, 21, "error", None),
            ],
        ),
        ("main.tf", TERRAFORM, [(6, 19, "info", "cloudtrail.amazonaws.com"), (11, 19, "error", None)]),
    ],
)
def test_passrole_limited_to_named_services_names_them(run_cli, tmp_path, name, text, expected):
    (tmp_path / name).write_text(text)
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM401", name, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert [(f["line"], f["column"], f["severity"]) for f in found] == [e[:3] for e in expected]
    for f, (_, _, _, services) in zip(found, expected, strict=True):
        if services:
            assert f"{LIMITED}{services} (iam:PassedToService)" in f["message"]
            # a compute service of a known PassRole path may run the holder's code: a warning;
            # CloudTrail, Auto Scaling, Elastic Transcoder use the role for their own work
            assert ("runs none of the holder's code" in f["message"]) == (f["severity"] == "info")
        else:
            assert OPEN in f["message"]
