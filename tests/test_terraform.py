"""The Terraform HCL extractor: positions for every policy source form, reference
resolution, the attachment graph, module behaviour and bad input.

Expected positions are found in the test's own source text (``at``), independently of the
extractor, and a few are spelled out as numbers.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import without_ends

from iamlint.api import THIS_ACCOUNT, account_of
from iamlint.extract.terraform import extract_module
from iamlint.model import DocKind, Pseudo, Str, Unknown


# -- helpers -----------------------------------------------------------------------------------
def at(text: str, token: str, n: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of ``token`` in ``text``."""
    i = -1
    for _ in range(n):
        i = text.index(token, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def where(value) -> tuple[int, int]:
    return value.span.line, value.span.column


def module(tmp_path: Path, files: dict[str, str], given: list[str] | None = None, texts=None):
    """Write the files, extract the module; return ({name: Extraction}, {name: text})."""
    written = {}
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(text).lstrip("\n")
        p.write_text(text, encoding="utf-8")
        written[name] = text
    directory = str(tmp_path)
    names = given if given is not None else [n for n in files if n.endswith(".tf") and "/" not in n]
    paths = [os.path.join(directory, n) for n in names]
    out = extract_module(directory, paths, {os.path.join(directory, k): v for k, v in (texts or {}).items()})
    return {os.path.relpath(k, directory): v for k, v in out.items()}, written


def docs(ex) -> list:
    return [d for e in ex.values() for d in e.documents]


def doc_of(ex, owner: str, path: str | None = None):
    found = [d for d in docs(ex) if d.origin.owner == owner and (path is None or d.origin.path == path)]
    assert len(found) == 1, [(d.origin.owner, d.origin.path) for d in docs(ex)]
    return found[0]


def diags(ex, code: str = "IAM900") -> list:
    return [f for e in ex.values() for f in e.diagnostics if f.code == code]


# -- source forms --------------------------------------------------------------------------------
def test_jsonencode_positions(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        resource "aws_iam_role" "app" {
          name = "app"
          assume_role_policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Action    = "sts:AssumeRole"
              Principal = { Service = "lambda.amazonaws.com" }
            }]
          })
        }

        resource "aws_iam_policy" "app" {
          name = "app"
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [
              {
                Effect   = "Allow"
                Action   = ["s3:GetObject", "s3:*"]
                Resource = "arn:aws:s3:::acme/exports/*"
              },
            ]
          })
        }
    """
        },
    )
    text = src["main.tf"]
    trust = doc_of(ex, "aws_iam_role.app")
    assert trust.kind is DocKind.TRUST and trust.origin.path == "assume_role_policy"
    assert trust.origin.format == "terraform" and trust.origin.owner_type == "aws_iam_role"
    principal = trust.statements[0].principal.of_kind("Service")[0]
    assert principal.value == "lambda.amazonaws.com"
    assert where(principal) == at(text, '"lambda.amazonaws.com"') == (8, 31)
    policy = doc_of(ex, "aws_iam_policy.app")
    assert policy.kind is DocKind.IDENTITY and policy.managed
    stmt = policy.statements[0]
    assert [a.value for a in stmt.action] == ["s3:GetObject", "s3:*"]
    assert where(stmt.action[1]) == at(text, '"s3:*"') == (20, 37)
    assert where(stmt.resource[0]) == at(text, '"arn:aws:s3:::acme/exports/*"')
    assert where(stmt.effect) == at(text, '"Allow"', 2)
    assert isinstance(policy.name, Str) and policy.name.value == "app"
    assert stmt.span.file == os.path.join(str(tmp_path), "main.tf")


def test_heredoc_positions(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        resource "aws_s3_bucket_policy" "reports" {
          bucket = "acme-reports"
          policy = <<POLICY
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
              "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::acme-reports/shared/*"
            }
          ]
        }
        POLICY
        }

        resource "aws_iam_policy" "indented" {
          policy = <<-EOT
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"}
              ]
            }
          EOT
        }
    """
        },
    )
    text = src["main.tf"]
    doc = doc_of(ex, "aws_s3_bucket_policy.reports")
    assert doc.kind is DocKind.RESOURCE
    s = doc.statements[0]
    assert where(s.action[0]) == at(text, '"s3:GetObject"') == (10, 17)
    assert where(s.resource[0]) == at(text, '"arn:aws:s3:::acme-reports/shared/*"')
    assert where(s.principal.of_kind("AWS")[0]) == at(text, '"arn:aws:iam::123456789012:role/reader"')
    indented = doc_of(ex, "aws_iam_policy.indented").statements[0]
    # <<- strips the common indentation from the value; positions stay those of the file
    assert where(indented.action[0]) == at(text, '"sqs:SendMessage"') == (23, 40)
    assert where(indented.resource[0]) == at(text, '"arn:aws:sqs:eu-west-1:123456789012:jobs"')


def test_plain_json_string_positions(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": r"""
        resource "aws_sqs_queue_policy" "jobs" {
          queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"
          policy    = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"sns.amazonaws.com\"}, \"Action\": \"sqs:*\", \"Resource\": \"arn:aws:sqs:eu-west-1:123456789012:jobs\"}]}"
        }
    """
        },
    )
    text = src["main.tf"]
    s = doc_of(ex, "aws_sqs_queue_policy.jobs").statements[0]
    # the JSON string's quote is written as \" : the position is the backslash's
    assert where(s.action[0]) == at(text, r"\"sqs:*\"")
    assert where(s.resource[0]) == at(text, r"\"arn:aws:sqs:")
    assert where(s.principal.of_kind("Service")[0]) == at(text, r"\"sns.amazonaws.com\"")
    assert s.action[0].value == "sqs:*"


def test_policy_document_json_and_minified_json(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "trust" {
          statement {
            actions = ["sts:AssumeRole"]
            principals {
              type        = "Service"
              identifiers = ["ecs-tasks.amazonaws.com"]
            }
            principals {
              type        = "AWS"
              identifiers = ["arn:aws:iam::123456789012:root"]
            }
          }
        }

        data "aws_iam_policy_document" "access" {
          statement {
            sid       = "Read"
            actions   = ["dynamodb:GetItem", "dynamodb:Query"]
            resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
          }
          statement {
            effect        = "Deny"
            not_actions   = ["dynamodb:GetItem"]
            not_resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
          }
        }

        resource "aws_iam_role" "task" {
          name               = "task"
          assume_role_policy = data.aws_iam_policy_document.trust.json
        }

        resource "aws_iam_role_policy" "task" {
          role   = aws_iam_role.task.id
          policy = data.aws_iam_policy_document.access.minified_json
        }
    """
        },
    )
    text = src["main.tf"]
    trust = doc_of(ex, "aws_iam_role.task")
    assert trust.kind is DocKind.TRUST and trust.origin.path == "assume_role_policy"
    st = trust.statements[0]
    assert where(st.action[0]) == at(text, '"sts:AssumeRole"') == (3, 16)
    assert where(st.principal.of_kind("Service")[0]) == at(text, '"ecs-tasks.amazonaws.com"')
    assert where(st.principal.of_kind("AWS")[0]) == at(text, '"arn:aws:iam::123456789012:root"')
    # no effect written: Terraform's default, placed on the statement block
    assert st.effect.value == "Allow" and where(st.effect) == at(text, "statement {") == (2, 3)
    assert trust.version.value == "2012-10-17"
    access = doc_of(ex, "aws_iam_role_policy.task")
    assert access.origin.owner_type == "aws_iam_role_policy" and access.origin.path == "policy"
    read, deny = access.statements
    assert read.sid.value == "Read" and where(read.resource[0]) == at(text, '"arn:aws:dynamodb', 1)
    assert where(read.action[1]) == at(text, '"dynamodb:Query"')
    assert deny.is_deny and deny.action is None and deny.not_action[0].value == "dynamodb:GetItem"
    key = next(k for k in deny.keys if k.value == "NotAction")
    assert where(key) == at(text, "not_actions")
    assert where(next(k for k in deny.keys if k.value == "NotResource")) == at(text, "not_resources")
    # each data source is reported through the resource that uses it, not on its own
    assert {d.origin.owner for d in docs(ex)} == {"aws_iam_role.task", "aws_iam_role_policy.task"}


def test_file_function(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "from_file" {
              name   = "from-file"
              policy = file("${path.module}/policies/read.json")
            }
        """,
            "policies/read.json": """
            {
              "Version": "2012-10-17",
              "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme/in/*"}
              ]
            }
        """,
        },
    )
    doc = doc_of(ex, "aws_iam_policy.from_file")
    target = os.path.join(str(tmp_path), "policies", "read.json")
    assert doc.origin.file == target and doc.span.file == target
    s = doc.statements[0]
    assert s.action[0].span.file == target
    assert where(s.action[0]) == at(src["policies/read.json"], '"s3:*"') == (4, 35)
    assert doc in ex["main.tf"].documents  # attached to the .tf file that reads it


def test_file_function_reported_in_the_json_file(tmp_path, run_cli):
    (tmp_path / "p").mkdir()
    (tmp_path / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = file("p/doc.json")\n}\n')
    (tmp_path / "p" / "doc.json").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'
    )
    proc = run_cli("--format", "concise", "--select", "IAM101", "main.tf", cwd=tmp_path)
    assert "p/doc.json:1:46: IAM101" in without_ends(proc.stdout), proc.stdout + proc.stderr


def test_templatefile_placeholders(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_role_policy" "tpl" {
              role = "worker"
              policy = templatefile("${path.module}/worker.json.tftpl", {
                bucket = "acme-data"
                queue  = aws_sqs_queue.jobs.arn
              })
            }
        """,
            "worker.json.tftpl": """
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Action": ["s3:GetObject"],
                  "Resource": "arn:aws:s3:::${bucket}/in/*"
                },
                {
                  "Effect": "Allow",
                  "Action": "sqs:*",
                  "Resource": "${queue}"
                }
              ]
            }
        """,
        },
    )
    tpl = src["worker.json.tftpl"]
    doc = doc_of(ex, "aws_iam_role_policy.tpl")
    s1, s2 = doc.statements
    assert s1.resource[0] == Str("arn:aws:s3:::acme-data/in/*", s1.resource[0].span)
    assert where(s1.resource[0]) == at(tpl, '"arn:aws:s3:::${bucket}')
    assert isinstance(s2.resource[0], Unknown) and s2.resource[0].text == "${queue}"
    assert where(s2.resource[0]) == at(tpl, '"${queue}"')
    assert where(s2.action[0]) == at(tpl, '"sqs:*"') == (11, 17)
    assert s2.action[0].span.file.endswith("worker.json.tftpl")


def test_locals_and_variable_defaults(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        variable "buckets" {
          type    = list(string)
          default = ["arn:aws:s3:::acme-a/*", "arn:aws:s3:::acme-b/*"]
        }

        variable "queue_arn" {
          type = string
        }

        locals {
          read_actions = ["s3:GetObject", "s3:ListBucket"]
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = var.queue_arn }]
          })
        }

        resource "aws_iam_policy" "from_locals" {
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Action = local.read_actions, Resource = var.buckets }]
          })
        }

        resource "aws_iam_policy" "local_document" {
          policy = local.policy
        }
    """
        },
    )
    text = src["main.tf"]
    s = doc_of(ex, "aws_iam_policy.from_locals").statements[0]
    assert [a.value for a in s.action] == ["s3:GetObject", "s3:ListBucket"]
    assert where(s.action[0]) == at(text, '"s3:GetObject"')  # where the literal is written
    assert where(s.resource[1]) == at(text, '"arn:aws:s3:::acme-b/*"') == (3, 39)
    whole = doc_of(ex, "aws_iam_policy.local_document")
    w = whole.statements[0]
    assert where(w.action[0]) == at(text, '"sqs:*"')
    assert w.resource[0] == Unknown("var.queue_arn", w.resource[0].span, "variable without a default")
    assert where(w.resource[0]) == at(text, "var.queue_arn")


def test_dynamic_statements(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        locals {
          grants = {
            read  = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::acme/r/*"] }
            write = { actions = ["s3:PutObject"], resources = ["arn:aws:s3:::acme/w/*"] }
          }
        }

        data "aws_iam_policy_document" "dyn" {
          dynamic "statement" {
            for_each = local.grants
            content {
              sid       = statement.key
              actions   = statement.value.actions
              resources = statement.value.resources
            }
          }

          dynamic "statement" {
            for_each = [{ svc = "sqs:SendMessage", arn = "arn:aws:sqs:eu-west-1:123456789012:q" }]
            iterator = s
            content {
              actions   = [s.value.svc]
              resources = [s.value.arn]
            }
          }

          dynamic "statement" {
            for_each = var.unknown_list
            content {
              actions = ["iam:*"]
            }
          }
        }

        resource "aws_iam_policy" "dyn" {
          policy = data.aws_iam_policy_document.dyn.json
        }
    """
        },
    )
    text = src["main.tf"]
    doc = doc_of(ex, "aws_iam_policy.dyn")
    assert [s.sid.value if s.sid else None for s in doc.statements] == ["read", "write", None, None]
    read, write, send, unknown = doc.statements
    assert where(read.action[0]) == at(text, '"s3:GetObject"')
    assert where(write.resource[0]) == at(text, '"arn:aws:s3:::acme/w/*"') == (4, 56)
    assert where(send.action[0]) == at(text, '"sqs:SendMessage"')
    assert where(read) == at(text, "content {")  # the statement is the content block
    # a for_each that cannot be resolved: its literal content is linted once
    assert [a.value for a in unknown.action] == ["iam:*"]
    assert where(unknown.action[0]) == at(text, '"iam:*"')


def test_source_and_override_documents(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "base" {
          statement {
            sid       = "Logs"
            actions   = ["logs:PutLogEvents"]
            resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/app:*"]
          }
          statement {
            sid       = "Data"
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::acme/data/*"]
          }
        }

        data "aws_iam_policy_document" "merged" {
          source_policy_documents = [data.aws_iam_policy_document.base.json]
          override_policy_documents = [jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Sid = "Data", Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::acme/data/*" }]
          })]

          statement {
            sid       = "Queue"
            actions   = ["sqs:SendMessage"]
            resources = ["arn:aws:sqs:eu-west-1:123456789012:q"]
          }
        }

        resource "aws_iam_policy" "merged" {
          policy = data.aws_iam_policy_document.merged.json
        }
    """
        },
    )
    text = src["main.tf"]
    doc = doc_of(ex, "aws_iam_policy.merged")
    # source statements first, then the document's own, overrides replace same-sid ones in place
    assert [s.sid.value for s in doc.statements] == ["Logs", "Data", "Queue"]
    data = doc.statements[1]
    assert [a.value for a in data.action] == ["s3:*"]
    assert where(data.action[0]) == at(text, '"s3:*"')
    assert where(doc.statements[0].action[0]) == at(text, '"logs:PutLogEvents"')
    # a document used as a source is not reported on its own as well
    assert [d.origin.owner for d in docs(ex)] == ["aws_iam_policy.merged"]


def test_a_data_source_is_read_again_when_a_later_one_lists_it(tmp_path):
    """Each data source's tree and rendering go once its own document is built; one listed by
    a data source further down the file is then parsed and rendered again, with the same
    statements and positions, and the resource between them is read whole."""
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "base" {
          statement {
            sid       = "Everything"
            actions   = ["*"]
            resources = ["*"]
          }
        }

        resource "aws_iam_policy" "p" {
          name   = "p"
          policy = data.aws_iam_policy_document.base.json
        }

        data "aws_iam_policy_document" "merged" {
          source_policy_documents = [data.aws_iam_policy_document.base.json]
          statement {
            sid       = "Queue"
            actions   = ["sqs:SendMessage"]
            resources = ["arn:aws:sqs:eu-west-1:123456789012:q"]
          }
        }

        data "aws_iam_policy_document" "last" {
          source_policy_documents = [data.aws_iam_policy_document.merged.json]
        }
    """
        },
    )
    text = src["main.tf"]
    # merged comes before the data source that lists it: it is also linted on its own
    assert [d.origin.owner for d in docs(ex)] == [
        "aws_iam_policy.p",
        "data.aws_iam_policy_document.merged",
        "data.aws_iam_policy_document.last",
    ]
    for owner in ("aws_iam_policy.p", "data.aws_iam_policy_document.last"):
        doc = doc_of(ex, owner)
        assert [s.sid.value for s in doc.statements][:1] == ["Everything"]
        assert where(doc.statements[0].action[0]) == at(text, '"*"')
        assert where(doc.statements[0].resource[0]) == at(text, '"*"', 2)
    assert [s.sid.value for s in doc_of(ex, "data.aws_iam_policy_document.last").statements] == [
        "Everything",
        "Queue",
    ]
    assert diags(ex) == []


def test_policy_variables_in_policy_documents(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "home" {
          statement {
            actions   = ["s3:PutObject"]
            resources = ["arn:aws:s3:::home/&{aws:username}/*"]
          }
        }
        resource "aws_iam_policy" "home" {
          policy = data.aws_iam_policy_document.home.json
        }
        resource "aws_iam_policy" "escaped" {
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:PutObject", Resource = "arn:aws:s3:::home/$${aws:username}/*" }] })
        }
    """
        },
    )
    home = doc_of(ex, "aws_iam_policy.home").statements[0].resource[0]
    escaped = doc_of(ex, "aws_iam_policy.escaped").statements[0].resource[0]
    assert home.value == escaped.value == "arn:aws:s3:::home/${aws:username}/*"
    assert where(home) == at(src["main.tf"], '"arn:aws:s3:::home/&{')


def test_own_account_partition_and_region(tmp_path):
    ex, _ = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_caller_identity" "current" {}
        data "aws_partition" "current" {}
        data "aws_region" "current" {}

        resource "aws_kms_key" "k" {
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{
              Effect    = "Allow"
              Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
              Action    = "kms:*"
              Resource  = "*"
              Condition = {
                StringEquals = {
                  "kms:CallerAccount" = data.aws_caller_identity.current.account_id
                  "kms:ViaService"    = "s3.${data.aws_region.current.name}.amazonaws.com"
                }
              }
            }]
          })
        }
    """
        },
    )
    s = doc_of(ex, "aws_kms_key.k").statements[0]
    # as the user wrote it (never a CloudFormation pseudo parameter), and known for what it is
    principal = s.principal.of_kind("AWS")[0]
    account = "${data.aws_caller_identity.current.account_id}"
    partition = "${data.aws_partition.current.partition}"
    assert principal.value == f"arn:{partition}:iam::{account}:root"
    assert principal.pseudo == ((partition, Pseudo.PARTITION), (account, Pseudo.ACCOUNT))
    assert principal.canonical() == "arn:aws:iam::<this-account>:root"
    assert account_of(principal) == THIS_ACCOUNT
    conds = {c.key: c.literal_values() for c in s.condition}
    assert conds == {
        "kms:calleraccount": (account,),
        "kms:viaservice": ("s3.${data.aws_region.current.name}.amazonaws.com",),
    }
    (via,) = s.conditions("kms:viaservice")[0].values
    assert via.pseudo == (("${data.aws_region.current.name}", Pseudo.REGION),)


def test_unresolvable_values_keep_their_source_text(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        module "bucket" {
          source = "./bucket"
        }

        resource "aws_iam_policy" "u" {
          policy = jsonencode({
            Statement = [{
              Effect   = "Allow"
              Action   = ["s3:GetObject", var.extra_action, each.value]
              Resource = [module.bucket.arn, "${aws_s3_bucket.b.arn}/*", upper("x")]
            }]
          })
        }

        resource "aws_iam_policy" "whole" {
          policy = module.policies.json
        }
    """
        },
    )
    text = src["main.tf"]
    s = doc_of(ex, "aws_iam_policy.u").statements[0]
    assert [v.text for v in s.action] == ["s3:GetObject", "var.extra_action", "each.value"]
    assert all(isinstance(v, Unknown) for v in s.action[1:])
    assert [v.text for v in s.resource] == ["module.bucket.arn", "${aws_s3_bucket.b.arn}/*", 'upper("x")']
    assert where(s.resource[0]) == at(text, "module.bucket.arn")
    assert where(s.resource[1]) == at(text, '"${aws_s3_bucket.b.arn}/*"')
    # a policy that is entirely unknown is no document, and no error
    assert [d.origin.owner for d in docs(ex)] == ["aws_iam_policy.u"] and not diags(ex)


def test_condition_blocks(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        data "aws_iam_policy_document" "c" {
          statement {
            actions   = ["s3:GetObject"]
            resources = ["arn:aws:s3:::acme/*/x"]
            condition {
              test     = "ForAnyValue:StringLike"
              variable = "aws:PrincipalOrgPaths"
              values   = ["o-abc/r-1/ou-2/*"]
            }
            condition {
              test     = "ForAnyValue:StringLike"
              variable = "aws:PrincipalOrgPaths"
              values   = ["o-abc/r-1/ou-3/*"]
            }
            condition {
              test     = "Bool"
              variable = "aws:SecureTransport"
              values   = ["true"]
            }
          }
        }
    """
        },
    )
    text = src["main.tf"]
    doc = doc_of(ex, "data.aws_iam_policy_document.c")  # used by nothing: reported on its own
    s = doc.statements[0]
    orgs = s.conditions(key="aws:PrincipalOrgPaths")[0]
    assert orgs.base == "stringlike" and orgs.qualifier == "foranyvalue"
    assert orgs.literal_values() == ("o-abc/r-1/ou-2/*", "o-abc/r-1/ou-3/*")
    assert where(orgs.operator) == at(text, '"ForAnyValue:StringLike"')
    assert (orgs.key_span.line, orgs.key_span.column) == at(text, '"aws:PrincipalOrgPaths"')
    assert where(orgs.values[1]) == at(text, '"o-abc/r-1/ou-3/*"')
    assert where(next(k for k in s.keys if k.value == "Condition")) == at(text, "condition {")


def test_document_kinds(tmp_path):
    ex, _ = module(
        tmp_path,
        {
            "main.tf": """
        locals {
          doc = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "s3:*", Resource = "*" }] })
        }
        resource "aws_organizations_policy" "scp" {
          name    = "deny-s3"
          content = local.doc
        }
        resource "aws_organizations_policy" "rcp" {
          name    = "rcp"
          type    = "RESOURCE_CONTROL_POLICY"
          content = local.doc
        }
        resource "aws_organizations_policy" "tags" {
          name    = "tags"
          type    = "TAG_POLICY"
          content = jsonencode({ tags = {} })
        }
        resource "aws_vpc_endpoint_policy" "ep" {
          vpc_endpoint_id = "vpce-1"
          policy          = local.doc
        }
        resource "aws_vpc_endpoint" "inline" {
          vpc_id       = "vpc-1"
          service_name = "com.amazonaws.eu-west-1.s3"
          policy       = local.doc
        }
        resource "aws_iam_policy" "boundary" {
          policy = local.doc
        }
        resource "aws_iam_role" "r" {
          assume_role_policy   = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
          permissions_boundary = aws_iam_policy.boundary.arn
        }
        resource "aws_glacier_vault" "v" {
          name          = "v"
          access_policy = local.doc
        }
        resource "aws_ssoadmin_permission_set_inline_policy" "ps" {
          instance_arn       = "arn:aws:sso:::instance/ssoins-1"
          permission_set_arn = "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
          inline_policy      = local.doc
        }
        resource "aws_cloudwatch_log_resource_policy" "logs" {
          policy_name     = "logs"
          policy_document = local.doc
        }
    """
        },
    )
    kinds = {d.origin.owner: d.kind for d in docs(ex)}
    assert kinds == {
        "aws_organizations_policy.scp": DocKind.SCP,
        "aws_organizations_policy.rcp": DocKind.RCP,
        "aws_vpc_endpoint_policy.ep": DocKind.ENDPOINT,
        "aws_vpc_endpoint.inline": DocKind.ENDPOINT,
        "aws_iam_policy.boundary": DocKind.BOUNDARY,
        "aws_iam_role.r": DocKind.TRUST,
        "aws_glacier_vault.v": DocKind.RESOURCE,
        "aws_ssoadmin_permission_set_inline_policy.ps": DocKind.IDENTITY,
        "aws_cloudwatch_log_resource_policy.logs": DocKind.RESOURCE,
    }


# -- the attachment graph --------------------------------------------------------------------------
GRAPH = """
    resource "aws_iam_role" "app" {
      name = "app"
      assume_role_policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
      })
      managed_policy_arns  = ["arn:aws:iam::aws:policy/ReadOnlyAccess", aws_iam_policy.shared.arn]
      permissions_boundary = aws_iam_policy.boundary.arn

      inline_policy {
        name   = "inline-block"
        policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = "arn:aws:sqs:eu-west-1:123456789012:q" }] })
      }
    }

    resource "aws_iam_role_policy" "extra" {
      name   = "extra"
      role   = aws_iam_role.app.name
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sns:Publish", Resource = "arn:aws:sns:eu-west-1:123456789012:t" }] })
    }

    resource "aws_iam_policy" "shared" {
      name   = "shared"
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme/x/*" }] })
    }

    resource "aws_iam_policy" "boundary" {
      name   = "boundary"
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
    }

    resource "aws_iam_role_policy_attachment" "lambda_basic" {
      role       = "app"
      policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    }

    resource "aws_iam_user" "alice" {
      name = "alice"
    }

    resource "aws_iam_user_policy_attachment" "alice" {
      user       = aws_iam_user.alice.name
      policy_arn = aws_iam_policy.shared.arn
    }

    resource "aws_iam_access_key" "alice" {
      user = aws_iam_user.alice.name
    }

    resource "aws_iam_group" "admins" {
      name = "admins"
    }

    resource "aws_iam_group" "ops" {
      name = "ops"
    }

    resource "aws_iam_group_policy" "admins" {
      group  = aws_iam_group.admins.id
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ec2:DescribeInstances", Resource = "*" }] })
    }

    resource "aws_iam_group_membership" "admins" {
      name  = "admins"
      group = aws_iam_group.admins.name
      users = [aws_iam_user.alice.name]
    }

    resource "aws_iam_user_group_membership" "alice" {
      user   = aws_iam_user.alice.name
      groups = ["ops"]
    }

    resource "aws_iam_policy_attachment" "everyone" {
      name       = "everyone"
      policy_arn = aws_iam_policy.shared.arn
      roles      = [aws_iam_role.app.name]
      groups     = [aws_iam_group.ops.name]
    }
"""


def test_attachment_graph(tmp_path):
    ex, src = module(tmp_path, {"main.tf": GRAPH})
    text = src["main.tf"]
    principals = {p.address: p for e in ex.values() for p in e.principals}
    assert set(principals) == {
        "aws_iam_role.app",
        "aws_iam_user.alice",
        "aws_iam_group.admins",
        "aws_iam_group.ops",
    }
    role = principals["aws_iam_role.app"]
    assert role.kind == "role" and (role.span.line, role.span.column) == at(
        text, 'resource "aws_iam_role" "app"'
    )
    assert role.trust is not None and role.trust.kind is DocKind.TRUST
    assert [d.origin.path for d in role.inline] == ["inline_policy[0].policy", "policy"]
    assert [d.origin.owner for d in role.inline] == ["aws_iam_role.app", "aws_iam_role_policy.extra"]
    assert role.inline[0].name.value == "inline-block"
    managed = [(m.name, m.document.origin.owner if m.document else None) for m in role.managed]
    # an AWS managed policy's document comes from the offline index, owned by the policy
    assert managed == [
        ("ReadOnlyAccess", "ReadOnlyAccess"),
        (None, "aws_iam_policy.shared"),
        ("AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"),  # attached by the role's literal name
        (None, "aws_iam_policy.shared"),  # aws_iam_policy_attachment
    ]
    assert [m.document.aws_managed for m in role.managed] == [
        "ReadOnlyAccess",
        None,
        "AWSLambdaBasicExecutionRole",
        None,
    ]
    assert (
        isinstance(role.managed[1].value, Unknown)
        and role.managed[1].value.text == "aws_iam_policy.shared.arn"
    )
    assert role.boundary is not None and role.boundary.document.origin.owner == "aws_iam_policy.boundary"
    assert role.boundary.document.kind is DocKind.BOUNDARY

    alice = principals["aws_iam_user.alice"]
    assert alice.groups == ("aws_iam_group.admins", "aws_iam_group.ops")
    assert [(s.line, s.column) for s in alice.access_keys] == [at(text, 'resource "aws_iam_access_key"')]
    assert [m.document.origin.owner for m in alice.managed] == ["aws_iam_policy.shared"]
    admins = principals["aws_iam_group.admins"]
    assert [d.origin.owner for d in admins.inline] == ["aws_iam_group_policy.admins"]
    assert [m.document.origin.owner for m in principals["aws_iam_group.ops"].managed] == [
        "aws_iam_policy.shared"
    ]

    shared = doc_of(ex, "aws_iam_policy.shared")
    assert shared.principals == ("aws_iam_role.app", "aws_iam_user.alice", "aws_iam_group.ops")
    assert doc_of(ex, "aws_iam_role_policy.extra").principals == ("aws_iam_role.app",)


def test_principals_defined_elsewhere(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        variable "ci_role" {
          type = string
        }

        resource "aws_iam_role_policy" "ci" {
          role   = var.ci_role
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ecr:PutImage", Resource = "arn:aws:ecr:eu-west-1:1:repository/app" }] })
        }

        resource "aws_iam_access_key" "legacy" {
          user = "legacy-backup"
        }

        resource "aws_iam_user_group_membership" "legacy" {
          user   = "legacy-backup"
          groups = ["admins"]
        }
    """
        },
    )
    text = src["main.tf"]
    principals = {(p.kind, p.address): p for e in ex.values() for p in e.principals}
    assert set(principals) == {("role", "var.ci_role"), ("user", "legacy-backup"), ("group", "admins")}
    ci = principals[("role", "var.ci_role")]
    assert (ci.span.line, ci.span.column) == at(text, "var.ci_role")  # where it is named
    assert [d.origin.owner for d in ci.inline] == ["aws_iam_role_policy.ci"]
    assert doc_of(ex, "aws_iam_role_policy.ci").principals == ("var.ci_role",)
    legacy = principals[("user", "legacy-backup")]
    assert legacy.groups == ("admins",)
    assert [(s.line, s.column) for s in legacy.access_keys] == [at(text, 'resource "aws_iam_access_key"')]
    assert (legacy.span.line, legacy.span.column) == at(text, '"legacy-backup"')  # first named


# -- the module ------------------------------------------------------------------------------------
def test_references_across_files(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_role_policy" "app" {
              role   = aws_iam_role.app.id
              policy = data.aws_iam_policy_document.app.json
            }
        """,
            "iam.tf": """
            resource "aws_iam_role" "app" {
              assume_role_policy = local.trust
            }
            data "aws_iam_policy_document" "app" {
              statement {
                actions   = local.actions
                resources = [var.table_arn]
              }
            }
        """,
            "locals.tf": """
            locals {
              actions = ["dynamodb:GetItem"]
              trust   = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }] })
            }
        """,
            "variables.tf": """
            variable "table_arn" {
              default = "arn:aws:dynamodb:eu-west-1:123456789012:table/t"
            }
        """,
        },
    )
    root = str(tmp_path)
    doc = doc_of(ex, "aws_iam_role_policy.app")
    s = doc.statements[0]
    assert s.action[0].span.file == os.path.join(root, "locals.tf")
    assert where(s.action[0]) == at(src["locals.tf"], '"dynamodb:GetItem"')
    assert s.resource[0].span.file == os.path.join(root, "variables.tf")
    assert doc.span.file == os.path.join(root, "iam.tf")
    assert doc in ex["iam.tf"].documents  # its statements are written in iam.tf
    principals = {p.address: p for e in ex.values() for p in e.principals}
    assert [d.origin.owner for d in principals["aws_iam_role.app"].inline] == ["aws_iam_role_policy.app"]
    assert principals["aws_iam_role.app"].trust.span.file == os.path.join(root, "locals.tf")


def test_only_given_files_are_reported(tmp_path):
    files = {
        "main.tf": """
            resource "aws_iam_policy" "main" {
              policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.actions, Resource = "*" }] })
            }
        """,
        "other.tf": """
            locals {
              actions = ["s3:*"]
            }
            resource "aws_iam_policy" "other" {
              policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ec2:*", Resource = "*" }] })
            }
        """,
    }
    ex, src = module(tmp_path, files, given=["main.tf"])
    assert list(ex) == ["main.tf"]
    assert [d.origin.owner for d in docs(ex)] == ["aws_iam_policy.main"]
    s = docs(ex)[0].statements[0]
    # the literal stands in other.tf, which was not given: reported where main.tf uses it
    assert s.action[0].value == "s3:*"
    assert s.action[0].span.file == os.path.join(str(tmp_path), "main.tf")
    assert where(s.action[0]) == at(src["main.tf"], "local.actions")


def test_texts_replace_the_files_on_disk(tmp_path):
    ex, _ = module(
        tmp_path,
        {"main.tf": 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [] })\n}\n'},
        texts={
            "main.tf": 'resource "aws_iam_policy" "edited" {\n  policy = jsonencode({ Statement = [] })\n}\n'
        },
    )
    assert [d.origin.owner for d in docs(ex)] == ["aws_iam_policy.edited"]


def test_files_without_iam_content_are_not_parsed(tmp_path, monkeypatch):
    from iamlint.parse import hcl_tree

    def boom(*a, **k):
        raise AssertionError("parsed")

    monkeypatch.setattr(hcl_tree, "parse_tree", boom)
    ex, _ = module(
        tmp_path,
        {
            "main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
            "vars.tf": 'variable "x" {\n  default = 1\n}\n',
        },
    )
    assert set(ex) == {"main.tf", "vars.tf"}
    assert all(not e.documents and not e.diagnostics for e in ex.values())


def test_definitions_are_parsed_on_demand(tmp_path, monkeypatch):
    from iamlint.extract.terraform import module as tf_module

    built: list[str] = []
    read: list[str] = []
    light, real_attribute = tf_module.parse_block_light, tf_module.Module.attribute
    monkeypatch.setattr(
        tf_module,
        "parse_block_light",
        lambda text, span, locator: (
            built.append(text[span.start :].split("\n")[0]) or light(text, span, locator)
        ),
    )
    monkeypatch.setattr(
        tf_module.Module,
        "attribute",
        lambda self, d, name: read.append(f"{d.kind}.{name}") or real_attribute(self, d, name),
    )
    ex, _ = module(
        tmp_path,
        {
            "main.tf": """
            resource "aws_iam_policy" "p" {
              policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.a, Resource = "*" }] })
            }
            resource "aws_lambda_function" "f" {
              function_name = "f"
            }
        """,
            "locals.tf": 'locals {\n  a = ["sqs:SendMessage"]\n}\nlocals {\n  unrelated = 1\n}\n',
            "network.tf": 'resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n',
        },
    )
    assert docs(ex)[0].statements[0].action[0].value == "sqs:SendMessage"
    # only the policy's block is built, and of the locals only the one it uses is read
    assert built == ['resource "aws_iam_policy" "p" {']
    assert read == ["locals.a"]


def test_heredoc_closing_marker_with_trailing_blanks(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": (
                'resource "aws_iam_policy" "p" {\n'
                "  policy = <<EOF\n"
                '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/k/*"}]}\n'
                "EOF   \n"
                "}\n"
            )
        },
    )
    s = doc_of(ex, "aws_iam_policy.p").statements[0]
    assert where(s.action[0]) == (3, 46) and not diags(ex)


# -- bad input -------------------------------------------------------------------------------------
GOOD = """
    resource "aws_iam_policy" "good" {
      policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "arn:aws:s3:::b/k/*" }] })
    }
"""


@pytest.mark.parametrize(
    "text, token, message",
    [
        (  # unbalanced braces: the block whose brace is never closed
            'resource "aws_iam_policy" "a" {\n  policy = jsonencode({ Statement = [] })\n\nresource "aws_iam_user" "u" {\n  name = "u"\n}\n',
            "{\n  policy",
            "'{' is never closed",
        ),
        ('resource "aws_iam_user" "u" {\n  name = "u"\n}\n}  # stray\n', "}  # stray", "unexpected '}'"),
        (
            'resource "aws_iam_policy" "h" {\n  policy = <<POLICY\n{"Statement": []}\n}\n',
            "<<POLICY",
            "heredoc <<POLICY is not terminated",
        ),
        (
            'resource "aws_iam_user" "s" {\n  name = "unterminated\n  path = "/"\n}\n',
            '"unterminated',
            "string is not terminated",
        ),
        ('resource "aws_iam_user" "c" {\n  name = @\n}\n', "@", "unexpected character '@'"),
    ],
    ids=["unbalanced-braces", "extra-brace", "unterminated-heredoc", "unterminated-string", "bad-character"],
)
def test_syntax_errors(tmp_path, text, token, message):
    ex, src = module(tmp_path, {"bad.tf": text, "good.tf": GOOD})
    errors = diags(ex)
    assert len(errors) == 1 and errors[0].span.file.endswith("bad.tf")
    assert message in errors[0].message
    assert where(errors[0]) == at(src["bad.tf"], token)
    assert [d.origin.owner for d in docs(ex)] == ["aws_iam_policy.good"]  # the rest is linted


def test_bad_values(tmp_path):
    ex, src = module(
        tmp_path,
        {
            "main.tf": """
        resource "aws_iam_policy" "list" {
          policy = jsonencode(["s3:GetObject"])
        }

        resource "aws_iam_policy" "string" {
          policy = "s3:GetObject"
        }

        resource "aws_iam_policy" "badjson" {
          policy = <<-EOT
            {
              "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*",}
              ]
            }
          EOT
        }

        resource "aws_iam_policy" "missing" {
          policy = file("${path.module}/policies/missing.json")
        }

        locals {
          a = local.b
          b = [local.a]
        }

        resource "aws_iam_policy" "cycle" {
          policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.a, Resource = "*" }] })
        }
    """,
            "good.tf": GOOD,
        },
    )
    text = src["main.tf"]
    got = {(f.span.line, f.span.column): f.message for f in diags(ex)}
    assert got[at(text, '["s3:GetObject"]')].startswith(
        "jsonencode() of a list: a policy document must be a JSON object"
    )
    assert got[at(text, '"s3:GetObject"', 2)].startswith("a policy document must be a JSON object")
    comma = at(text, ",}")  # reported at the comma; the heredoc's document is still linted
    assert got[comma] == "invalid JSON in heredoc: trailing comma before '}'"
    missing = {(f.span.line, f.span.column): f for f in diags(ex, "IAM905")}
    assert (
        "no such file" in missing[at(text, "file(")].message
        and "missing.json" in missing[at(text, "file(")].message
    )
    assert missing[at(text, "file(")].severity.value == "warning"  # not malformed input: exit 1, not 2
    assert got[at(text, "a = local.b")] == "reference cycle between locals: local.a -> local.b -> local.a"
    assert len(got) == 4 and len(missing) == 1
    owners = sorted(d.origin.owner for d in docs(ex))
    # still linted: the trailing-comma heredoc (recovered) and the cycle (Action unknown)
    assert owners == ["aws_iam_policy.badjson", "aws_iam_policy.cycle", "aws_iam_policy.good"]
    cycle = doc_of(ex, "aws_iam_policy.cycle").statements[0]
    assert isinstance(cycle.action[0], Unknown)


def test_invalid_json_in_a_file_read_by_file(tmp_path):
    ex, _ = module(
        tmp_path,
        {
            "main.tf": 'resource "aws_iam_policy" "p" {\n  policy = file("p.json")\n}\n',
            "p.json": '{\n  "Statement": [\n    {"Effect": "Allow" "Action": "*"}\n  ]\n}\n',
        },
    )
    (err,) = diags(ex)
    assert err.span.file == os.path.join(str(tmp_path), "p.json")
    assert (err.span.line, err.span.column) == (3, 24)
    assert err in ex["main.tf"].diagnostics  # the engine reports it in p.json


def test_file_that_is_not_utf8(tmp_path):
    (tmp_path / "main.tf").write_bytes(b'resource "aws_iam_user" "u" {\n  name = "caf\xe9"\n}\n')
    (tmp_path / "good.tf").write_text(textwrap.dedent(GOOD).lstrip())
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf"), str(tmp_path / "good.tf")], {})
    (err,) = out[str(tmp_path / "main.tf")].diagnostics
    assert err.code == "IAM900" and "UTF-8" in err.message and (err.span.line, err.span.column) == (2, 14)
    assert len(out[str(tmp_path / "good.tf")].documents) == 1


def test_cli_bad_module_has_no_traceback(tmp_path, run_cli):
    (tmp_path / "bad.tf").write_text('resource "aws_iam_policy" "a" {\n  policy = <<EOF\n{\n')
    (tmp_path / "worse.tf").write_text(
        'locals {\n  a = local.a\n}\nresource "aws_iam_policy" "b" {\n  policy = jsonencode(local.a)\n}\n'
    )
    (tmp_path / "good.tf").write_text(textwrap.dedent(GOOD).lstrip())
    proc = run_cli("--format", "concise", ".", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    out = without_ends(proc.stdout)
    assert "bad.tf:2:12: IAM900 heredoc <<EOF is not terminated" in out
    assert "worse.tf:2:3: IAM900 reference cycle between locals: local.a -> local.a" in out
    assert "good.tf:2:67: IAM101" in out


# -- the command line ----------------------------------------------------------------------------
def test_cli_given_file_with_siblings_as_context(tmp_path, run_cli):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = local.doc\n}\n')
    (mod / "locals.tf").write_text(
        'locals {\n  doc = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "arn:aws:sqs:eu-west-1:1:q" }] })\n}\n'
        'resource "aws_iam_policy" "other" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sns:*", Resource = "arn:aws:sns:eu-west-1:1:t" }] })\n}\n'
    )
    proc = run_cli("--format", "concise", "--select", "IAM101", "mod/main.tf", cwd=tmp_path)
    # locals.tf was not given: its "sqs:*" is reported where main.tf uses it, and its own
    # policy is not reported at all
    lines = [ln for ln in without_ends(proc.stdout).splitlines() if "IAM101" in ln]
    assert [ln.split(" ")[0] for ln in lines] == ["mod/main.tf:2:12:"], proc.stdout


def test_cli_stdin_with_module_context(tmp_path, run_cli):
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "locals.tf").write_text('locals {\n  actions = ["iam:*"]\n}\n')
    (mod / "main.tf").write_text("# being edited\n")
    edited = 'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.actions, Resource = "arn:aws:iam::1:role/x" }] })\n}\n'
    proc = run_cli(
        "--format",
        "concise",
        "--select",
        "IAM101",
        "-",
        "--stdin-filename",
        "mod/main.tf",
        cwd=tmp_path,
        input=edited,
    )
    # locals.tf is context only: its literal is reported where the edited file uses it
    line, col = at(edited, "local.actions")
    assert [ln.split(" ")[0] for ln in without_ends(proc.stdout).splitlines() if "IAM101" in ln] == [
        f"mod/main.tf:{line}:{col}:"
    ], proc.stdout


def test_cli_child_modules_are_modules_of_their_own(tmp_path, run_cli):
    (tmp_path / "modules" / "role").mkdir(parents=True)
    (tmp_path / "main.tf").write_text('module "role" {\n  source = "./modules/role"\n}\n')
    (tmp_path / "modules" / "role" / "main.tf").write_text(
        'resource "aws_iam_role_policy" "r" {\n  role = "r"\n  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "arn:aws:s3:::b/k/*" }] })\n}\n'
    )
    proc = run_cli("--format", "json", ".", cwd=tmp_path)
    import json

    report = json.loads(proc.stdout)
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["main.tf"]["status"] == "no-policies"
    assert by_path["modules/role/main.tf"]["status"] == "policies"


# -- the parser cache ----------------------------------------------------------------------------
def test_corrupt_parser_cache_is_rebuilt(tmp_path, monkeypatch):
    from iamlint.parse import hcl_parser, hcl_tree

    key = hcl_parser._cache_key()
    cache = tmp_path / "cache"
    cache.mkdir()
    # a copy of lark's own cache, when there is one, spares this test a 3-second build
    for d in hcl_parser.cache_dirs():
        lark_cache = Path(d) / f"hcl2-lark-{key}.cache"
        if lark_cache.exists():
            (cache / lark_cache.name).write_bytes(lark_cache.read_bytes())
            break
    (cache / f"hcl2-parser-{key}.pickle").write_bytes(b"not a pickle")
    monkeypatch.setattr(hcl_parser, "cache_dirs", lambda: [str(cache)])
    monkeypatch.setattr(hcl_parser, "_PARSER", None)
    body = hcl_tree.parse_body('resource "a" "b" {\n  x = "y"\n}\n')
    assert body.blocks[0].labels == ("a", "b")
    # the pickle was rewritten, and loads
    monkeypatch.setattr(hcl_parser, "_PARSER", None)
    assert hcl_parser._load_cached(str(cache / f"hcl2-parser-{key}.pickle"), key) is not None


def test_no_writable_cache_directory(tmp_path, monkeypatch):
    from iamlint.parse import hcl_parser, hcl_tree

    monkeypatch.setattr(hcl_parser, "cache_dirs", lambda: [str(tmp_path / "file" / "below-a-file")])
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(hcl_parser, "_PARSER", None)
    assert hcl_tree.parse_body("locals {\n  a = 1\n}\n").blocks[0].type == "locals"
