"""Numbers Python cannot hold, in every format iamlint reads (issue "Hostile input", defect 5).

``int()`` reads at most 4,300 digits (``sys.get_int_max_str_digits``) and a float such as
``1e999999`` is beyond a double. Such a number in a JSON policy, a CloudFormation template
(JSON or YAML), a Terraform plan, a heredoc or an HCL literal used to end in IAM903 (a bug
of iamlint), and in a heredoc the whole Terraform module lost its findings. A number keeps
its text instead: every file is linted and its findings stand where they stood with a
small number in the same place.
"""

from __future__ import annotations

import json

import pytest

BIG_INT = "1" * 5000  # over Python's 4,300-digit limit
NEGATIVE = "-" + "9" * 5000
BIG_FLOAT = "1.5e+999999"  # overflows a double (JSON, YAML 1.1 and HCL all read this form)
SMALL = "7"

POLICY_JSON = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": NUM}},
      "Action": "*",
      "Resource": "*"
    }
  ]
}
"""

CFN_JSON = """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Age": {"Type": "Number", "Default": NUM}},
  "Metadata": {"Numbers": [NUM, {"n": NUM}]},
  "Resources": {
    "Policy": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": NUM}},
              "Action": "*",
              "Resource": "*"
            }
          ]
        }
      }
    },
    "Selected": {
      "Type": "AWS::IAM::ManagedPolicy",
      "Properties": {
        "PolicyDocument": {
          "Version": "2012-10-17",
          "Statement": [
            {"Effect": "Allow", "Action": {"Fn::Select": ["NUM", ["*"]]}, "Resource": "arn:aws:s3:::b/*"}
          ]
        }
      }
    }
  }
}
"""

CFN_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Age:
    Type: Number
    Default: NUM
Metadata:
  Numbers: [NUM, {n: NUM}]
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Condition:
              NumericLessThan:
                aws:MultiFactorAuthAge: NUM
            Action: "*"
            Resource: "*"
  Selected:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: !Select [NUM, ["*"]]
            Resource: "arn:aws:s3:::b/*"
"""

TERRAFORM = """\
locals {
  age  = NUM
  cond = { "aws:MultiFactorAuthAge" = NUM }
  actions = ["*"]
}

resource "aws_iam_policy" "heredoc" {
  name   = "heredoc"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": NUM}},
    "Action": "*",
    "Resource": "*"
  }]
}
EOF
}

resource "aws_iam_policy" "encoded" {
  name = "encoded"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Condition = { NumericGreaterThan = { "aws:EpochTime" = local.age } }
      Action    = "*"
      Resource  = "*"
    }]
  })
}

resource "aws_iam_policy" "indexed" {
  name = "indexed"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = [local.actions.DIGITS, local.actions[NUM]]
      Resource = "arn:aws:s3:::b/*"
    }]
  })
}
"""


def plan_json(num: str) -> str:
    """A plan whose resource values and escaped policy string both hold the number."""
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 0}},
                }
            ],
        }
    ).replace(": 0}", ": NUM}")
    resource = {
        "address": "aws_iam_policy.p",
        "mode": "managed",
        "type": "aws_iam_policy",
        "name": "p",
        "values": {"name": "p", "size": 0, "policy": policy},
    }
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}}
    return json.dumps(plan, indent=1).replace('"size": 0', '"size": NUM').replace("NUM", num)


# Every finding of the run: (file, code, line, column). The same for every number.
EXPECTED = [
    ("cfn.json", "IAM101", 15, 25),
    ("cfn.json", "IAM102", 16, 27),
    ("cfn.json", "IAM401", 15, 25),
    # Fn::Select's index is out of range (or, for a negative or float, not an index):
    # CloudFormation rejects it, and iamlint says so where it is written, whatever its size
    ("cfn.json", "IAM900", 28, 43),
    ("cfn.yaml", "IAM101", 19, 21),
    ("cfn.yaml", "IAM102", 20, 23),
    ("cfn.yaml", "IAM401", 19, 21),
    ("cfn.yaml", "IAM900", 28, 21),
    ("mod/main.tf", "IAM101", 15, 15),
    ("mod/main.tf", "IAM101", 29, 19),
    ("mod/main.tf", "IAM102", 16, 17),
    ("mod/main.tf", "IAM102", 30, 19),
    ("mod/main.tf", "IAM401", 15, 15),
    ("mod/main.tf", "IAM401", 29, 19),
    ("plan.json", "IAM101", 14, 100),
    ("plan.json", "IAM102", 14, 121),
    ("plan.json", "IAM401", 14, 100),
    ("policy.json", "IAM101", 7, 17),
    ("policy.json", "IAM102", 8, 19),
    ("policy.json", "IAM401", 7, 17),
]


def lint(run_cli, tmp_path, num: str):
    (tmp_path / "policy.json").write_text(POLICY_JSON.replace("NUM", num))
    (tmp_path / "cfn.json").write_text(CFN_JSON.replace("NUM", num))
    (tmp_path / "cfn.yaml").write_text(CFN_YAML.replace("NUM", num))
    (tmp_path / "mod").mkdir()
    digits = num if num.isdigit() else "7"  # local.actions.N takes digits only
    (tmp_path / "mod" / "main.tf").write_text(TERRAFORM.replace("NUM", num).replace("DIGITS", digits))
    (tmp_path / "plan.json").write_text(plan_json(num))
    proc = run_cli("--isolated", "--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    return proc, report


@pytest.mark.parametrize(
    "num", [SMALL, BIG_INT, NEGATIVE, BIG_FLOAT], ids=["small", "int", "negative", "float"]
)
def test_numbers_python_cannot_hold_are_read_as_text(run_cli, tmp_path, num):
    proc, report = lint(run_cli, tmp_path, num)
    got = sorted((f["file"], f["code"], f["line"], f["column"]) for f in report["findings"])
    assert got == EXPECTED  # no IAM903, no other IAM900, and nothing moved
    assert proc.returncode == 2  # the Fn::Select index
    statuses = {f["path"]: (f["status"], f["policies"]) for f in report["files"]}
    assert statuses == {
        "cfn.json": ("policies", 2),
        "cfn.yaml": ("policies", 2),
        "mod/main.tf": ("policies", 3),
        "plan.json": ("policies", 1),
        "policy.json": ("policies", 1),
    }


def test_a_number_keeps_its_text_when_python_cannot_hold_it():
    from iamlint.parse.json_parser import parse_json

    doc = parse_json(f"[{BIG_INT}, {BIG_FLOAT}, 1e-999999, 12, 1.5, -0]")
    assert [(n.value, n.text) for n in doc] == [
        (BIG_INT, BIG_INT),
        (BIG_FLOAT, BIG_FLOAT),  # not infinity
        (0.0, "1e-999999"),
        (12, "12"),
        (1.5, "1.5"),
        (0, "-0"),
    ]
