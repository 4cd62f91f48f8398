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
