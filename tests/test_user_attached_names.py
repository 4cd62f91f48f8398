"""IAM302 names an inline policy whose name is empty (a variable defaulting to "") by its
resource, not as `inline policy  is ...` (corpus review, 2026-12-01: terraform-aws-iam's
iam-user module)."""

from __future__ import annotations

import json
import textwrap

MODULE = textwrap.dedent(
    """\
    variable "name" {
      type    = string
      default = ""
    }

    resource "aws_iam_user" "this" {
      name = "deployer"
    }

    resource "aws_iam_user_policy" "inline" {
      user = aws_iam_user.this.name
      name = var.name
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
      })
    }
    """
)


def test_an_empty_policy_name_is_named_by_its_resource(run_cli, tmp_path):
    (tmp_path / "main.tf").write_text(MODULE)
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM302", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    found = [(f["line"], f["column"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [
        (
            13,
            23,
            "inline policy aws_iam_user_policy.inline is attached directly to user aws_iam_user.this; "
            "grant it through a group",
        )
    ]
