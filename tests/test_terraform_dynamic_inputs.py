"""Values inside a ``dynamic`` block: the variables its ``for_each`` reads (issue 11), and
conditionals decided for each item.

A block whose ``for_each`` is not known (``length(var.x) > 0 ? [true] : []``) exists only for
some values of what the ``for_each`` reads: inside it, those variables (and locals made of
them) are not their defaults. terraform-aws-modules/s3-bucket's log-delivery conditions
(``values = var.lb_log_delivery_policy_source_organizations``, default ``[]``) were an
IAM205 "empty list of values" that AWS never sees.
"""

from __future__ import annotations

import json
import textwrap

EMPTY_ORGS = 'variable "orgs" {\n  type    = list(string)\n  default = []\n}\n'


def at(text: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of the one occurrence of ``token`` in ``text``."""
    assert text.count(token) == 1
    i = text.index(token)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def lint(tmp_path, run_cli, text: str, *args: str):
    (tmp_path / "main.tf").write_text(textwrap.dedent(text))
    proc = run_cli("--format", "json", "--no-cache", *args, "main.tf", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    found = [
        (f["code"], f["file"], f["line"], f["column"], f["message"])
        for f in json.loads(proc.stdout)["findings"]
    ]
    return proc, found


def policy(condition: str) -> str:
    """A bucket policy document whose one statement holds ``condition``."""
    body = textwrap.indent(textwrap.dedent(condition).strip("\n"), "    ")
    return (
        'data "aws_iam_policy_document" "this" {\n'
        "  statement {\n"
        '    actions   = ["s3:GetBucketAcl"]\n'
        '    resources = ["arn:aws:s3:::my-log-bucket"]\n'
        "    principals {\n"
        '      type        = "Service"\n'
        '      identifiers = ["delivery.logs.amazonaws.com"]\n'
        "    }\n" + body + "\n  }\n}\n"
    )


def test_condition_of_a_dynamic_block_on_its_own_for_each_variable_is_not_empty(tmp_path, run_cli):
    # the shape: the block exists only when var.orgs is not empty
    text = EMPTY_ORGS + policy(
        """
        dynamic "condition" {
          for_each = length(var.orgs) > 0 ? [true] : []

          content {
            test     = "StringEquals"
            variable = "aws:ResourceOrgID"
            values   = var.orgs
          }
        }
        """
    )
    proc, found = lint(tmp_path, run_cli, text)
    assert found == []
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_through_a_local_made_of_the_variable(tmp_path, run_cli):
    text = (
        EMPTY_ORGS
        + "locals {\n  orgs = var.orgs\n}\n"
        + policy(
            """
            dynamic "condition" {
              for_each = length(local.orgs) != 0 ? [true] : []
              content {
                test     = "StringEquals"
                variable = "aws:ResourceOrgID"
                values   = local.orgs
              }
            }
            """
        )
    )
    proc, found = lint(tmp_path, run_cli, text)
    assert found == []
    assert proc.returncode == 0, proc.stdout + proc.stderr


EMPTY = (
    "IAM205",
    "aws:ResourceOrgID has an empty list of values: StringEquals has nothing to compare; write "
    "the values or remove the key",
)


def test_a_plain_condition_block_still_reads_the_default(tmp_path, run_cli):
    # no dynamic block: the default [] is what is deployed unless the caller sets it
    text = EMPTY_ORGS + policy(
        """
        condition {
          test     = "StringEquals"
          variable = "aws:ResourceOrgID"
          values   = var.orgs
        }
        """
    )
    proc, found = lint(tmp_path, run_cli, text)
    line, column = at(text, '"aws:ResourceOrgID"')  # the key, as for every IAM205
    assert (line, column) == (15, 18)
    assert found == [(EMPTY[0], "main.tf", line, column, EMPTY[1])]
    assert proc.returncode == 1


def test_a_dynamic_block_over_a_literal_list_still_reads_the_defaults(tmp_path, run_cli):
    text = EMPTY_ORGS + policy(
        """
        dynamic "condition" {
          for_each = ["aws:ResourceOrgID"]
          content {
            test     = "StringEquals"
            variable = condition.value
            values   = var.orgs
          }
        }
        """
    )
    proc, found = lint(tmp_path, run_cli, text)
    line, column = at(text, "condition.value")  # the key comes from the iterator
    assert found == [(EMPTY[0], "main.tf", line, column, EMPTY[1])]
    assert proc.returncode == 1


def test_only_what_the_for_each_reads_is_not_its_default(tmp_path, run_cli):
    # for_each reads var.enabled; var.orgs, which it does not read, is still its default
    text = (
        EMPTY_ORGS
        + 'variable "enabled" {\n  type    = bool\n  default = true\n}\n'
        + policy(
            """
            dynamic "condition" {
              for_each = var.enabled ? [true] : []
              content {
                test     = "StringEquals"
                variable = "aws:ResourceOrgID"
                values   = var.orgs
              }
            }
            """
        )
    )
    proc, found = lint(tmp_path, run_cli, text)
    line, column = at(text, '"aws:ResourceOrgID"')
    assert found == [(EMPTY[0], "main.tf", line, column, EMPTY[1])]
    assert proc.returncode == 1


def test_an_inline_policy_the_for_each_guards_is_not_checked_and_says_why(tmp_path, run_cli):
    # the block exists only when var.inline_policy is set: its default null is not "no policy"
    text = """\
        variable "inline_policy" {
          type    = string
          default = null
        }

        resource "aws_iam_role" "this" {
          name               = "app"
          assume_role_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
          })

          dynamic "inline_policy" {
            for_each = var.inline_policy != null ? [1] : []
            content {
              name   = "app"
              policy = var.inline_policy
            }
          }
        }
        """
    proc, found = lint(tmp_path, run_cli, text)
    assert found == [
        (
            "IAM906",
            "main.tf",
            17,
            16,
            "inline_policy[0].policy not evaluated: `var.inline_policy` depends on a variable its "
            "dynamic block's for_each reads: the block exists only for some of that variable's "
            "values, so its default does not apply; it is not checked",
        )
    ]
    assert proc.returncode == 1


def test_a_conditional_in_a_dynamic_block_is_decided_for_each_item(tmp_path, run_cli):
    # the content is evaluated once per item: its conditional was decided once, with the
    # first item's values, so the second statement read ["s3:GetObject"] (an IAM506 duplicate
    # of the first) instead of "*"
    text = """\
        data "aws_iam_policy_document" "this" {
          dynamic "statement" {
            for_each = [{ admin = false, name = "reader" }, { admin = true, name = "admin" }]
            content {
              sid       = statement.value.name
              actions   = statement.value.admin ? ["*"] : ["s3:GetObject"]
              resources = ["arn:aws:s3:::my-bucket/*"]
            }
          }
        }
        """
    proc, found = lint(tmp_path, run_cli, text)
    line, column = at(textwrap.dedent(text), '"*"')
    assert found == [("IAM101", "main.tf", line, column, 'Allow statement grants every action ("*")')]
    assert proc.returncode == 1
