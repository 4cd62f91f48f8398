"""Suppressions in every format, with reasons, expiry, and reports of unused or malformed ones."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ReportsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              {comment_above}
              - Effect: Allow
                Action: s3:*{trailing}
                Resource: "*"
    """
)


def lint(run_cli, tmp_path, name, content, *flags):
    p = tmp_path / name
    p.write_text(content)
    proc = run_cli("-f", "json", *flags, p.name, cwd=tmp_path)
    doc = json.loads(proc.stdout)
    return proc, [(f["code"], f["line"], f["column"]) for f in doc["findings"]], doc


def template(above="", trailing=""):
    return TEMPLATE.format(comment_above=above or "# no suppression here", trailing=trailing)


def test_comment_on_the_line_above_covers_the_statement(run_cli, tmp_path):
    _, found, _ = lint(run_cli, tmp_path, "t.yaml", template())
    assert found == [("IAM101", 11, 21), ("IAM102", 12, 23)]
    proc, found, _ = lint(
        run_cli,
        tmp_path,
        "t.yaml",
        template(above="# iamlint: ignore[IAM101,IAM102] reporting job, reviewed 2026-11"),
    )
    assert found == [] and proc.returncode == 0


def test_trailing_comment_covers_its_line_and_statement(run_cli, tmp_path):
    _, found, _ = lint(
        run_cli, tmp_path, "t.yaml", template(trailing="  # iamlint: ignore[IAM101] bucket is throwaway")
    )
    assert found == [("IAM102", 12, 23)]


def test_prefix_codes(run_cli, tmp_path):
    _, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM1] sandbox account"))
    assert found == []


def test_expired_suppression_brings_the_finding_back_with_a_note(run_cli, tmp_path):
    proc, found, doc = lint(
        run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101] until=2020-01-31 migration")
    )
    assert found == [("IAM101", 11, 21), ("IAM102", 12, 23)]
    assert "suppression expired on 2020-01-31: migration" in doc["findings"][0]["message"]
    _, found, _ = lint(
        run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101] until=2999-12-31 migration")
    )
    assert found == [("IAM102", 12, 23)]


def test_unused_suppression_is_reported(run_cli, tmp_path):
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM402] not public"))
    assert found == [("IAM901", 9, 11), ("IAM101", 11, 21), ("IAM102", 12, 23)]


@pytest.mark.parametrize(
    "comment, message",
    [
        ("# iamlint: ignore IAM101", "write the codes to ignore in brackets"),
        ("# iamlint: ignore[] reason", "no rule code between the brackets"),
        ("# iamlint: ignore[IAM777] reason", "'IAM777' is not a rule code or prefix"),
        ("# iamlint: ignore[IAM101]", "needs a reason"),
        ("# iamlint: ignore[IAM900] it is fine", "cannot be suppressed"),
        ("# iamlint: ignore[IAM101] until=soon migration", "until=soon is not a date"),
        ("# iamlint: skip[IAM101] reason", "unknown iamlint directive 'skip'"),
    ],
)
def test_malformed_suppressions_are_input_errors(run_cli, tmp_path, comment, message):
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", template(above=comment))
    assert proc.returncode == 2
    bad = [f for f in doc["findings"] if f["code"] == "IAM904"]
    assert len(bad) == 1 and message in bad[0]["message"] and bad[0]["line"] == 9
    assert ("IAM101", 11, 21) in found  # the malformed suppression is not applied


def test_reason_can_be_made_optional(run_cli, tmp_path):
    (tmp_path / ".iamlint.toml").write_text("require-reason = false\n")
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101,IAM102]"))
    assert found == [] and proc.returncode == 0


def test_hcl_comments_both_styles(run_cli, tmp_path):
    tf = textwrap.dedent(
        """\
        data "aws_iam_policy_document" "deploy" {
          statement {
            # iamlint: ignore[IAM101] deploy role manages the whole stack
            actions   = ["cloudformation:*"]
            resources = ["arn:aws:cloudformation:eu-west-1:123456789012:stack/web/*"]
          }
          statement {
            actions   = ["s3:*"] // iamlint: ignore[IAM101] artifacts bucket only
            resources = ["arn:aws:s3:::acme-artifacts/*"]
          }
          statement {
            actions   = ["sqs:*"]
            resources = ["arn:aws:sqs:eu-west-1:123456789012:deploys"]
          }
        }
        """
    )
    (tmp_path / "mod").mkdir()
    proc, found, _ = lint(run_cli, tmp_path / "mod", "main.tf", tf)
    assert found == [("IAM101", 12, 18)]


def test_cloudformation_metadata_covers_the_resource(run_cli, tmp_path):
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"iamlint": {"ignore": [{"rule": "IAM101", "reason": "break-glass policy"}]}},
                "Properties": {
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                },
            },
            "Other": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::x"}]
                    }
                },
            },
        },
    }
    text = json.dumps(doc, indent=2)
    proc, found, report = lint(run_cli, tmp_path, "stack.template.json", text)
    assert [(c, f["owner"]) for (c, *_), f in zip(found, report["findings"], strict=False)] == [
        ("IAM401", "Admin"),  # the metadata names IAM101 only
        ("IAM102", "Admin"),
        ("IAM101", "Other"),
    ]
    assert proc.returncode == 1


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"iamlint": {"ignore": [{"rule": "IAM101"}]}}, "each ignore entry needs a reason"),
        ({"iamlint": {"ignore": [{"reason": "x"}]}}, "each ignore entry needs a rule"),
        ({"iamlint": {"ignore": [{"rule": "IAM777", "reason": "x"}]}}, "'IAM777' is not a rule code"),
        ({"iamlint": {"ignore": [{"rule": "IAM101", "reason": "x", "until": "soon"}]}}, "is not a date"),
        ({"iamlint": "IAM101"}, "must be {ignore: [{rule: CODE, reason: ...}]}"),
    ],
)
def test_malformed_metadata_suppressions(run_cli, tmp_path, metadata, message):
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": metadata,
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x/*"}]
                    }
                },
            }
        },
    }
    proc, found, report = lint(run_cli, tmp_path, "stack.json", json.dumps(doc, indent=2))
    assert proc.returncode == 2
    bad = [f for f in report["findings"] if f["code"] == "IAM904"]
    assert len(bad) == 1 and message in bad[0]["message"]
    assert "IAM101" in [f["code"] for f in report["findings"]]


def test_unused_metadata_suppression(run_cli, tmp_path):
    doc = {
        "Resources": {
            "Reader": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"iamlint": {"ignore": [{"rule": "IAM101", "reason": "was broad once"}]}},
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
                        ]
                    }
                },
            }
        },
    }
    proc, found, _ = lint(run_cli, tmp_path, "stack.json", json.dumps(doc, indent=2))
    assert found == [("IAM901", 8, 13)]


def test_config_entries_match_file_code_and_action(run_cli, tmp_path):
    (tmp_path / "policies").mkdir()
    src = Path(__file__).resolve().parent / "fixtures" / "IAM101-wildcard-action" / "fail.json"
    (tmp_path / "policies" / "deploy.json").write_text(src.read_text())
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [[tool.iamlint.ignore]]
            files = "policies/*.json"
            rules = ["IAM101"]
            actions = ["s3:*"]
            reason = "artifacts bucket, reviewed by security"

            [[tool.iamlint.ignore]]
            files = "legacy/**"
            rules = ["IAM102"]
            reason = "no longer deployed"
            """
        )
    )
    proc = run_cli("-f", "concise", "policies", cwd=tmp_path)
    assert proc.stdout.splitlines() == [
        'policies/deploy.json:20:17: IAM101 Allow statement grants every action ("*")',
        f"{tmp_path / 'pyproject.toml'}:7:1: IAM901 suppression of IAM102 matches no finding; remove it",
    ]


def test_show_suppressed_lists_what_and_why(run_cli, tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(template(above="# iamlint: ignore[IAM101,IAM102] reporting job, reviewed"))
    proc = run_cli("--show-suppressed", "t.yaml", cwd=tmp_path)
    assert "t.yaml:11:21: IAM101" in proc.stdout
    assert "reporting job, reviewed (comment at t.yaml:9)" in proc.stdout
    assert "2 suppressed" in proc.stdout


def test_a_suppression_never_hides_a_parse_error(run_cli, tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text('AWSTemplateFormatVersion: "2010-09-09"\n# iamlint: ignore[IAM1] x\nResources: [\n')
    proc = run_cli("-f", "concise", "t.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "IAM900" in proc.stdout
