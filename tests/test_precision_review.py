"""Issue 11, precision: the four findings the corpus review of 2026-12-01
(docs/review-2026-12-01.md) still judged wrong, each reproduced on a small input of the same
shape and linted as a user runs iamlint."""

from __future__ import annotations

import json


def _allow(action, condition: dict) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": "*", "Condition": condition}


# -- IAM101: a wildcard narrowed by a condition on a service key (review B#3) -----------------
PARTNER = {
    "Version": "2012-10-17",
    "Statement": [
        _allow(["partnercentral:*"], {"StringEquals": {"partnercentral:Catalog": "Sandbox"}}),
        _allow(["partnercentral:*"], {"StringNotEquals": {"partnercentral:Catalog": "Sandbox"}}),
        _allow(["partnercentral:*"], {"StringEqualsIfExists": {"partnercentral:Catalog": "Sandbox"}}),
        _allow(["partnercentral:*"], {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        _allow("*", {"StringLike": {"partnercentral:Catalog": ["Sandbox", "AWS"]}}),
        _allow("partnercentral:Create*", {"StringEquals": {"partnercentral:Catalog": "Sandbox"}}),
        _allow("s3:*", {"StringEquals": {"partnercentral:Catalog": "Sandbox"}}),
    ],
}


def test_iam101_counts_only_the_actions_a_service_key_condition_lets_through(run_cli, tmp_path):
    """`StringEquals partnercentral:Catalog` is false for every action whose request has no
    such key: "partnercentral:*" grants only the actions that carry it, and only in that
    catalog. A negated or IfExists operator, or a global key, confines nothing."""
    (tmp_path / "partner.json").write_text(json.dumps(PARTNER, indent=2) + "\n")
    out = run_cli(
        "--format", "concise", "--catalogue", "bundled", "--select", "IAM101", "partner.json", cwd=tmp_path
    )
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    every = 'IAM101 Allow statement grants every action of partnercentral ("partnercentral:*") (138 actions)'
    assert out.stdout.splitlines() == [
        "partner.json:7:9-7.27: warning: IAM101 Allow statement grants 125 of 138 actions of partnercentral "
        '("partnercentral:*"), only where partnercentral:Catalog is Sandbox',
        f"partner.json:19:9-19.27: error: {every}",
        f"partner.json:31:9-31.27: error: {every}",
        f"partner.json:43:9-43.27: error: {every}",
        'partner.json:54:17-54.20: warning: IAM101 Allow statement grants 125 actions of partnercentral ("*"), '
        "only where partnercentral:Catalog matches Sandbox or AWS",
        'partner.json:67:17-67.41: warning: IAM101 "partnercentral:Create*" matches 15 actions, 15 of them write '
        "or permissions management: partnercentral:CreateBenefitApplication, "
        "partnercentral:CreateChannelHandshake, partnercentral:CreateConnectionInvitation and 12 more, "
        "only where partnercentral:Catalog is Sandbox",
    ]
    # the last statement grants nothing (no s3 request carries the key): IAM203 says so
    out = run_cli(
        "--format", "concise", "--catalogue", "bundled", "--select", "IAM203", "partner.json", cwd=tmp_path
    )
    assert out.stdout.splitlines()[0].startswith("partner.json:81:11-81.35: error: IAM203 condition key")


def test_iam101_a_key_no_action_lists_confines_nothing(run_cli, tmp_path):
    """The catalogue lists iottwinmaker:linkedServices for no action: which requests carry it
    cannot be told, so the wildcard is still every action."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            _allow(
                "iottwinmaker:*",
                {"ForAnyValue:StringEquals": {"iottwinmaker:linkedServices": ["IOTSITEWISE"]}},
            )
        ],
    }
    (tmp_path / "twin.json").write_text(json.dumps(policy, indent=2) + "\n")
    out = run_cli("--format", "concise", "--select", "IAM101", "twin.json", cwd=tmp_path)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    assert len(out.stdout.splitlines()) == 1
    assert out.stdout.startswith(
        'twin.json:6:17-6.33: error: IAM101 Allow statement grants every action of iottwinmaker ("iottwinmaker:*")'
    )


# -- raw JSON templates: ${name} is a placeholder, not a literal (review B#2) -------------------
KEY_TEMPLATE = """\
{
  "Version": "2012-10-17",
  "Id": "key-default-1",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::${account_number}:root"
      },
      "Action": "kms:*",
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::${account_number}:role/${role_name}"
      },
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}
"""

TRUST_TEMPLATE = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${trusted_account}:root"},
      "Action": "sts:AssumeRole"
    },
    {
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${aws:PrincipalAccount}:root"},
      "Action": "sts:AssumeRole"
    }
  ]
}
"""


def test_template_placeholder_account_in_a_default_key_policy_is_left_alone(run_cli, tmp_path):
    """A Terraform templatefile() key policy linted on its own: `${account_number}` is filled
    where the file is rendered, so the default statement is AWS's, as through main.tf; kms:*
    to a role is still reported."""
    (tmp_path / "kms-policy.json").write_text(KEY_TEMPLATE)
    out = run_cli("--format", "concise", "--select", "IAM101", "kms-policy.json", cwd=tmp_path)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        'kms-policy.json:19:17-19.24: error: IAM101 Allow statement grants every action of kms ("kms:*") (56 actions)'
    ]


def test_template_placeholder_account_in_a_trust_is_an_input_for_iam202(run_cli, tmp_path):
    """IAM202 names the placeholder as it names a parameter; a policy variable (with a colon)
    is not a placeholder."""
    (tmp_path / "trust.json").write_text(TRUST_TEMPLATE)
    out = run_cli("--format", "concise", "--select", "IAM202", "trust.json", cwd=tmp_path)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "trust.json:6:28-6.66: warning: IAM202 trust policy lets the account in template variable "
        "trusted_account assume this role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition"
    ]


# -- a raw JSON copy of an AWS managed permissions boundary is a boundary (review A#4) ---------
BOUNDARY = "AmazonDataZoneSageMakerEnvironmentRolePermissionsBoundary"


def _not_resource_place(text: str) -> tuple[int, int]:
    for n, line in enumerate(text.splitlines(), 1):
        if '"NotResource"' in line:
            return n, line.index('"NotResource"') + 1
    raise AssertionError("no NotResource")


def test_raw_json_copy_of_an_aws_managed_boundary_is_read_as_a_boundary(run_cli, tmp_path):
    """The file named after an AWS managed policy whose document is exactly that policy's takes
    its identity: AWS publishes this one as a permissions boundary, which grants nothing, so
    IAM103/IAM104 do not apply. The same document under another name, or the name with an
    edited document, is still an identity policy."""
    from iamlint import managed

    policy = managed.get().lookup(BOUNDARY)
    assert policy is not None and policy.is_permissions_boundary
    text = json.dumps(policy.document, indent=2) + "\n"
    (tmp_path / f"{BOUNDARY}.json").write_text(text)
    (tmp_path / "copy.json").write_text(text)
    edited = json.loads(text)
    edited["Statement"][0]["Sid"] = "Edited"
    (tmp_path / "edited").mkdir()
    (tmp_path / "edited" / f"{BOUNDARY}.json").write_text(json.dumps(edited, indent=2) + "\n")
    line, col = _not_resource_place(text)
    out = run_cli("--format", "json", "--isolated", "--select", "IAM103,IAM104", ".", cwd=tmp_path)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    found = sorted(
        (f["file"], f["code"], f["line"], f["column"], f["severity"])
        for f in json.loads(out.stdout)["findings"]
    )
    assert found == [
        ("copy.json", "IAM104", line, col, "warning"),
        (f"edited/{BOUNDARY}.json", "IAM104", line, col, "warning"),
    ]


# -- IAM302 at the attachment; no attachment finding on a resource that creates nothing (A#17) --
USER_MODULE = """\
variable "create_inline_policy" {
  type    = bool
  default = false
}

locals {
  attach = false
}

resource "aws_iam_user" "this" {
  name = "alice"
}

data "aws_iam_policy_document" "inline" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
}

resource "aws_iam_user_policy" "inline" {
  count = var.create_inline_policy ? 1 : 0

  user   = aws_iam_user.this.name
  name   = "reports"
  policy = data.aws_iam_policy_document.inline.json
}

resource "aws_iam_user_policy" "never" {
  count = local.attach ? 1 : 0

  user   = aws_iam_user.this.name
  name   = "never"
  policy = data.aws_iam_policy_document.inline.json
}

resource "aws_iam_user_policy_attachment" "none" {
  for_each = {}

  user       = aws_iam_user.this.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_access_key" "zero" {
  count = 0
  user  = aws_iam_user.this.name
}

resource "aws_iam_user_policy" "written" {
  user = aws_iam_user.this.name
  name = "written"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::reports" }]
  })
}

resource "aws_iam_user_policy_attachment" "maybe" {
  count = var.create_inline_policy ? 1 : 0

  user       = aws_iam_user.this.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}
"""


def test_attachment_findings_stand_on_the_attachment_and_not_on_what_creates_nothing(run_cli, tmp_path):
    """The inline policy from a data source is reported at its aws_iam_user_policy (lines
    21-27), not at the data source (14); count 0 (a literal local), an empty for_each and
    count = 0 attach nothing; a count on a variable may be 1, so its finding stands. The
    document is still linted for its content (IAM101 in the written policy)."""
    (tmp_path / "main.tf").write_text(USER_MODULE)
    out = run_cli("--format", "concise", "--isolated", "main.tf", cwd=tmp_path)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "main.tf:10:1-12.2: warning: IAM301 user aws_iam_user.this has 2 inline policies (reports, written); "
        "iamlint's max-inline-policies allows 1: move them into managed policies",
        # a count on a variable: the caller decides, and the message says so (review D, #3)
        "main.tf:21:1-27.2: warning: IAM302 inline policy reports is attached directly to user "
        "aws_iam_user.this (if its count = var.create_inline_policy ? 1 : 0 creates it); grant it "
        "through a group",
        "main.tf:52:23-55.4: warning: IAM302 inline policy written is attached directly to user "
        "aws_iam_user.this; grant it through a group",
        'main.tf:54:47-54.53: error: IAM101 Allow statement grants every action of s3 ("s3:*") (180 actions)',
        'main.tf:54:47-54.53: warning: IAM201 user aws_iam_user.this is allowed permissions management ("s3:*") '
        "without MFA",
        "main.tf:62:16-62.64: warning: IAM302 managed policy AmazonS3ReadOnlyAccess is attached directly to "
        "user aws_iam_user.this (if its count = var.create_inline_policy ? 1 : 0 creates it); attach it to "
        "a group",
    ]
