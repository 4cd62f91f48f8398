"""Issue 12, Terraform: every policy a module holds is found, or named as not evaluated.

Each form the issue names is linted as a user runs iamlint (the CLI on real files, one run
per group of cases to keep the suite fast), with exact positions: a duplicate address,
``dynamic "statement"`` blocks over a variable, ``concat`` and friends, policies that
cannot be evaluated (IAM906), module arguments, Lambda permissions, every provider resource
type with a policy argument (one parametrized test over the table, HCL and plan JSON), and
the bad input of each.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from conftest import iamlint_bin

from iamlint.extract.terraform import extract_module
from iamlint.extract.terraform.plan import extract as extract_plan
from iamlint.extract.terraform.types import RESOURCE_POLICIES
from iamlint.model import DocKind, Span, Unknown
from iamlint.parse.json_parser import parse_json

WILD = '{ Effect = "Allow", Action = "s3:*", Resource = "*" }'


def at(text: str, token: str, n: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the n-th occurrence of ``token``."""
    i = -1
    for _ in range(n):
        i = text.index(token, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def inside(text: str, context: str, token: str) -> tuple[int, int]:
    """(line, column) of ``token`` within the first occurrence of ``context``."""
    line, col = at(text, context)
    return line, col + context.index(token)


def write(root: Path, files: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(text).lstrip("\n")
        p.write_text(text, encoding="utf-8")
        out[name] = text
    return out


def lint(run_cli, root: Path, *args: str) -> tuple[int, list[dict]]:
    proc = run_cli("--format", "json", *args, ".", cwd=root)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    report = json.loads(proc.stdout)
    return proc.returncode, report["findings"]


def found(findings: list[dict], file: str, code: str | None = None) -> list[tuple]:
    return [
        (f["code"], f["line"], f["column"])
        for f in findings
        if f["file"] == file and (code is None or f["code"] == code)
    ]


def message(findings: list[dict], file: str, code: str, line: int) -> str:
    (m,) = [f["message"] for f in findings if f["file"] == file and f["code"] == code and f["line"] == line]
    return m


# -- the forms the issue names, linted by the command line ------------------------------------------
CASES = {
    # 1. the same address in two files of a module (and a third time in a third)
    "dup/a.tf": f"""
        resource "aws_iam_policy" "p" {{
          policy = jsonencode({{ Version = "2012-10-17", Statement = [{WILD}] }})
        }}
        """,
    "dup/b.tf": """
        resource "aws_iam_policy" "p" {
          policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "arn:aws:iam::111122223333:role/x" }] })
        }
        """,
    "dup/c.tf": """
        # a third copy
        resource "aws_iam_policy" "p" {
          policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "arn:aws:sqs:eu-west-1:111122223333:q" }] })
        }
        """,
    # 2. dynamic "statement" over a variable: literal content linted once; nothing literal: IAM906
    "dynamic/main.tf": """
        variable "enabled" {}
        variable "statements" {}

        data "aws_iam_policy_document" "d" {
          dynamic "statement" {
            for_each = var.enabled ? [1] : []
            content {
              actions   = ["s3:*"]
              resources = ["*"]
            }
          }
          dynamic "statement" {
            for_each = var.statements
            content {
              actions   = statement.value.actions
              resources = statement.value.resources
              dynamic "principals" {
                for_each = try(statement.value.principals, [])
                content {
                  type        = principals.value.type
                  identifiers = principals.value.identifiers
                }
              }
            }
          }
        }

        resource "aws_iam_policy" "d" {
          policy = data.aws_iam_policy_document.d.json
        }
        """,
    # 3. concat/flatten/merge/tolist/toset over statement lists: literal parts linted, the
    #    rest named
    "concat/main.tf": f"""
        variable "extra" {{}}

        resource "aws_iam_policy" "c" {{
          policy = jsonencode({{
            Version   = "2012-10-17"
            Statement = concat([{WILD}], var.extra)
          }})
        }}

        resource "aws_iam_policy" "f" {{
          policy = jsonencode({{
            Version   = "2012-10-17"
            Statement = flatten([tolist([{WILD}]), toset([])])
          }})
        }}
        """,
    # 4. a policy attribute that cannot be evaluated at all is named; null is no policy
    "unresolved/main.tf": """
        variable "policy" {}
        variable "optional" {
          default = null
        }

        resource "aws_iam_policy" "from_variable" {
          policy = var.policy
        }
        resource "aws_iam_policy" "from_module" {
          policy = module.shared.policy_json
        }
        resource "aws_iam_policy" "from_state" {
          policy = data.terraform_remote_state.org.outputs.policy
        }
        resource "aws_s3_bucket_policy" "none" {
          bucket = "b"
          policy = var.optional
        }
        """,
    # 5. policies passed to module arguments
    "modules/main.tf": """
        data "aws_iam_policy_document" "extra" {
          statement {
            actions   = ["dynamodb:*"]
            resources = ["*"]
          }
        }

        module "lambda" {
          source = "terraform-aws-modules/lambda/aws"

          policy_json = data.aws_iam_policy_document.extra.json
          policy_statements = {
            s3 = {
              effect    = "Allow"
              actions   = ["s3:*"]
              resources = ["arn:aws:s3:::reports/*"]
            }
          }
          assume_role_policy_statements = {
            partner = {
              actions = ["sts:AssumeRole"]
              principals = [{ type = "AWS", identifiers = ["arn:aws:iam::444455556666:root"] }]
            }
          }
          policy = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
        }

        module "bucket" {
          source = "terraform-aws-modules/s3-bucket/aws"
          bucket = "reports"
          policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
          })
        }

        module "custom" {
          source       = "./modules/queue"
          queue_policy = jsonencode({
            Version   = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sqs:SendMessage", Resource = "arn:aws:sqs:eu-west-1:111122223333:q" }]
          })
        }
        """,
    # 6. aws_lambda_permission: the statement AWS writes, reported at the argument
    "permission/main.tf": """
        resource "aws_lambda_permission" "public" {
          action        = "lambda:InvokeFunction"
          function_name = "report"
          principal     = "*"
        }

        resource "aws_lambda_permission" "from_bucket" {
          action        = "lambda:*"
          function_name = "report"
          principal     = "s3.amazonaws.com"
          source_arn    = "arn:aws:s3:::reports"
        }
        """,
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    root = tmp_path_factory.mktemp("found")
    texts = write(root, CASES)
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(
        iamlint_bin() + ["--format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)["findings"], texts


def test_the_run_has_no_input_error(linted):
    code, findings, _ = linted
    assert code == 1
    assert not [f for f in findings if f["code"] in ("IAM900", "IAM903")]


def test_both_definitions_of_an_address_are_linted_and_the_second_is_iam908(linted):
    _, findings, texts = linted
    a, b, c = texts["dup/a.tf"], texts["dup/b.tf"], texts["dup/c.tf"]
    assert ("IAM101", *at(a, '"s3:*"')) in found(findings, "dup/a.tf")
    assert ("IAM101", *at(b, '"iam:*"')) in found(findings, "dup/b.tf")
    assert ("IAM101", *at(c, '"sqs:*"')) in found(findings, "dup/c.tf")
    assert found(findings, "dup/a.tf", "IAM908") == []
    assert found(findings, "dup/b.tf", "IAM908") == [("IAM908", 1, 1)]
    assert found(findings, "dup/c.tf", "IAM908") == [("IAM908", 2, 1)]
    (dup,) = [f for f in findings if f["code"] == "IAM908" and f["file"] == "dup/b.tf"]
    assert (dup["severity"], dup["end_line"], dup["end_column"]) == ("warning", 1, 30)
    assert dup["message"] == (
        "aws_iam_policy.p is defined again (first at dup/a.tf:1): Terraform rejects a module "
        "that defines an address twice; each definition is linted"
    )


def test_a_dynamic_statement_over_a_variable_is_linted_once(linted):
    _, findings, texts = linted
    t = texts["dynamic/main.tf"]
    assert ("IAM101", *at(t, '"s3:*"')) in found(findings, "dynamic/main.tf")
    assert ("IAM102", *at(t, '"*"')) in found(findings, "dynamic/main.tf")
    # content of nothing but the iterator's values: named, not guessed (no IAM502 for a
    # Principal that may not be there)
    assert found(findings, "dynamic/main.tf", "IAM906") == [("IAM906", *at(t, "var.statements"))]
    assert found(findings, "dynamic/main.tf", "IAM502") == []
    assert message(findings, "dynamic/main.tf", "IAM906", at(t, "var.statements")[0]) == (
        'dynamic "statement" block not evaluated: `var.statements` is a variable without a '
        "default (its value comes from the module's caller); its statements are not checked"
    )


def test_concat_lints_the_literal_statements_and_names_the_rest(linted):
    _, findings, texts = linted
    t = texts["concat/main.tf"]
    assert found(findings, "concat/main.tf", "IAM101") == [
        ("IAM101", *at(t, '"s3:*"')),
        ("IAM101", *at(t, '"s3:*"', 2)),
    ]
    assert found(findings, "concat/main.tf", "IAM906") == [("IAM906", *at(t, "var.extra"))]
    assert message(findings, "concat/main.tf", "IAM906", at(t, "var.extra")[0]) == (
        "policy: some statements not evaluated: `var.extra` is a variable without a default "
        "(its value comes from the module's caller); the other statements are checked"
    )


def test_a_policy_that_cannot_be_evaluated_is_named(linted):
    _, findings, texts = linted
    t = texts["unresolved/main.tf"]
    got = [f for f in findings if f["file"] == "unresolved/main.tf"]
    assert [(f["code"], f["line"], f["column"], f["severity"]) for f in got] == [
        ("IAM906", *at(t, "var.policy"), "info"),
        ("IAM906", *at(t, "module.shared"), "info"),
        ("IAM906", *at(t, "data.terraform_remote_state"), "info"),
    ]
    assert [f["message"] for f in got] == [
        "policy not evaluated: `var.policy` is a variable without a default (its value comes "
        "from the module's caller); it is not checked",
        "policy not evaluated: `module.shared.policy_json` is an output of another module; it is not checked",
        "policy not evaluated: `data.terraform_remote_state.org.outputs.policy` is read from "
        "another configuration's remote state; it is not checked",
    ]


def test_policies_passed_to_modules_are_linted(linted):
    _, findings, texts = linted
    t = texts["modules/main.tf"]
    got = found(findings, "modules/main.tf")
    assert ("IAM101", *at(t, '"dynamodb:*"')) in got  # policy_json: the data source
    assert ("IAM101", *at(t, '"s3:*"')) in got  # policy_statements
    assert ("IAM202", *at(t, '"arn:aws:iam::444455556666:root"')) in got  # a trust policy
    assert ("IAM402", *inside(t, 'Principal = "*"', '"*"')) in got  # a bucket policy: a resource policy
    assert ("IAM402", *inside(t, 'AWS = "*"', '"*"')) in got  # any module's queue_policy: by shape
    # the lambda module's `policy` is an ARN: not a document, nothing said
    assert not [g for g in got if g[1] == at(t, "AWSXRayDaemonWriteAccess")[0]]
    owners = {f["owner"] for f in findings if f["file"] == "modules/main.tf"}
    assert owners == {"module.lambda", "module.bucket", "module.custom"}


def test_a_lambda_permission_is_the_statement_aws_writes(linted):
    _, findings, texts = linted
    t = texts["permission/main.tf"]
    assert found(findings, "permission/main.tf") == [
        ("IAM402", *at(t, '"*"')),  # at the principal argument
        ("IAM101", *at(t, '"lambda:*"')),  # at the action argument
    ]


# -- bad input: one clear diagnostic each, nothing else lost ------------------------------------------
BAD = {
    "bad/main.tf": f"""
        module "number" {{
          source      = "terraform-aws-modules/lambda/aws"
          policy_json = 42
        }}

        module "string" {{
          source            = "terraform-aws-modules/lambda/aws"
          policy_statements = "s3:*"
        }}

        data "aws_iam_policy_document" "no_content" {{
          dynamic "statement" {{
            for_each = ["a"]
          }}
        }}

        resource "aws_iam_policy" "string_statements" {{
          policy = jsonencode({{ Version = "2012-10-17", Statement = "s3:*" }})
        }}

        resource "aws_iam_policy" "good" {{
          policy = jsonencode({{ Version = "2012-10-17", Statement = [{WILD}] }})
        }}
        """,
}


def test_bad_input_is_one_clear_diagnostic_each(tmp_path, run_cli):
    texts = write(tmp_path, BAD)
    code, findings = lint(run_cli, tmp_path)
    t = texts["bad/main.tf"]
    assert code == 2
    assert [(f["code"], f["line"], f["column"]) for f in findings] == [
        ("IAM900", *at(t, "42")),
        ("IAM900", *at(t, '"s3:*"')),
        ("IAM900", *at(t, "dynamic")),
        ("IAM502", *at(t, '"s3:*"', 2)),
        ("IAM101", *at(t, '"s3:*"', 3)),  # the good policy is still linted
        ("IAM102", *at(t, '"*"')),
    ]
    assert [f["message"] for f in findings[:4]] == [
        "a policy document must be a JSON object, not a number",
        "module.string policy_statements must be a map or a list of statements, not a string: "
        "its policy cannot be checked",
        'dynamic "statement" block without a content block: Terraform rejects it; its statement '
        "is not linted",
        "a statement must be a JSON object",
    ]


def test_a_huge_literal_for_each_is_capped(tmp_path):
    """1,500 items: the first 1,000 are linted, the rest an IAM906; in a subprocess with a
    generous time bound so that a regression cannot hang the suite."""
    items = ", ".join(f'"s3:Get{i}"' for i in range(1500))
    text = (
        'data "aws_iam_policy_document" "d" {\n'
        '  dynamic "statement" {\n'
        f"    for_each = [{items}]\n"
        '    content {\n      actions = [statement.value]\n      resources = ["arn:aws:s3:::b/*"]\n    }\n'
        "  }\n}\n"
        'resource "aws_iam_policy" "p" {\n  policy = data.aws_iam_policy_document.d.json\n}\n'
    )
    (tmp_path / "main.tf").write_text(text)
    start = time.monotonic()
    proc = subprocess.run(
        iamlint_bin() + ["--format", "json", "--select", "IAM906,IAM900", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert time.monotonic() - start < 60
    assert "Traceback" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert [(f["code"], f["line"], f["column"], f["message"]) for f in report["findings"]] == [
        (
            "IAM906",
            3,
            16,
            'dynamic "statement" block: for_each has 1,500 items; only the first 1,000 are '
            "evaluated, the others are not checked",
        )
    ]
    assert report["files"][0]["policies"] == 1


# -- every provider resource type with a policy argument --------------------------------------------
TABLE = [(t, attr, kind) for t, specs in sorted(RESOURCE_POLICIES.items()) for attr, kind in specs]


def hcl_attribute(attr: str, value: str) -> str:
    outer, _, inner = attr.rpartition(".")
    if not outer:
        return f"  {attr} = {value}\n"
    return f"  {outer} {{\n    {inner} = {value}\n  }}\n"


@pytest.mark.parametrize("type_, attr, kind", TABLE, ids=[f"{t}.{a}" for t, a, _ in TABLE])
def test_every_policy_argument_of_the_provider_is_read(tmp_path, type_, attr, kind):
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    if type_ == "aws_organizations_policy":
        policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'
    text = f'resource "{type_}" "x" {{\n' + hcl_attribute(attr, f"jsonencode({policy})") + "}\n"
    (tmp_path / "main.tf").write_text(text)
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf")], {})
    (doc,) = out[str(tmp_path / "main.tf")].documents
    outer, _, inner = attr.rpartition(".")
    assert (doc.origin.owner, doc.origin.owner_type, doc.kind) == (f"{type_}.x", type_, kind)
    assert doc.origin.path == (f"{outer}[0].{inner}" if outer else attr)
    assert (doc.statements[0].action[0].span.line, doc.statements[0].action[0].value) == (
        2 + bool(outer),
        "*",
    )
    # the same in plan JSON
    values: dict = {attr: policy} if not outer else {outer: [{inner: policy}]}
    plan = json.dumps(
        {
            "format_version": "1.2",
            "planned_values": {
                "root_module": {
                    "resources": [
                        {
                            "address": f"{type_}.x",
                            "mode": "managed",
                            "type": type_,
                            "name": "x",
                            "values": values,
                        }
                    ]
                }
            },
        }
    )
    ex = extract_plan("plan.json", plan, parse_json(plan))
    assert [(d.origin.owner, d.kind) for d in ex.documents] == [(f"{type_}.x", kind)], ex.diagnostics


# -- what the model holds ---------------------------------------------------------------------------
def test_the_duplicate_keeps_both_places(tmp_path):
    write(tmp_path, {k.split("/", 1)[1]: v for k, v in CASES.items() if k.startswith("dup/")})
    given = [str(tmp_path / n) for n in ("a.tf", "b.tf")]
    out = extract_module(str(tmp_path), given, {})
    (dup,) = [f for f in out[given[1]].diagnostics if f.code == "IAM908"]
    assert dup.span == Span(given[1], 1, 1, 1, 30)
    assert dup.related == ((Span(given[0], 1, 1, 1, 30), "aws_iam_policy.p is first defined here"),)
    assert dup.value == "duplicate aws_iam_policy.p"  # its fingerprint does not name a line
    assert [d.origin.owner for ex in out.values() for d in ex.documents] == ["aws_iam_policy.p"] * 2


def test_a_dynamic_element_that_may_be_null_is_absent_where_it_would_break_the_grammar(tmp_path):
    """A statement of a dynamic block whose for_each is not known: its Principal may not be
    there (an identity policy has none), its Resource neither (a trust policy has none), and
    not both Action and NotAction."""
    text = textwrap.dedent(
        """
        data "aws_iam_policy_document" "d" {
          dynamic "statement" {
            for_each = var.statements
            content {
              actions     = ["s3:GetObject"]
              not_actions = statement.value.not_actions
              resources   = statement.value.resources
              dynamic "principals" {
                for_each = statement.value.principals
                content {
                  type        = "AWS"
                  identifiers = principals.value
                }
              }
            }
          }
        }
        resource "aws_iam_policy" "identity" {
          policy = data.aws_iam_policy_document.d.json
        }
        resource "aws_iam_role" "trust" {
          assume_role_policy = data.aws_iam_policy_document.d.json
        }
        """
    )
    (tmp_path / "main.tf").write_text(text)
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf")], {})
    docs = {d.origin.owner: d for d in out[str(tmp_path / "main.tf")].documents}
    identity, trust = docs["aws_iam_policy.identity"], docs["aws_iam_role.trust"]
    assert [k.value for k in identity.statements[0].keys] == ["Effect", "Action", "Resource"]
    assert [k.value for k in trust.statements[0].keys] == ["Effect", "Action", "Principal"]
    (resource,) = identity.statements[0].resource
    assert resource == Unknown("statement.value.resources", resource.span, resource.note)


def test_a_conditional_keeps_both_policies_when_its_condition_is_a_variable(tmp_path):
    text = textwrap.dedent(
        """
        variable "strict" {
          default = true
        }
        locals {
          loose = false
        }
        resource "aws_iam_policy" "either" {
          policy = var.strict ? jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] }) : jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
        }
        resource "aws_iam_policy" "chosen" {
          policy = local.loose ? jsonencode({ Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }] }) : jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }] })
        }
        """
    )
    (tmp_path / "main.tf").write_text(text)
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf")], {})
    actions = [
        (d.origin.owner, d.statements[0].action[0].value) for d in out[str(tmp_path / "main.tf")].documents
    ]
    assert sorted(actions) == [
        ("aws_iam_policy.chosen", "sqs:*"),  # a local is what it is
        ("aws_iam_policy.either", "s3:*"),  # the caller may set the variable either way
        ("aws_iam_policy.either", "s3:GetObject"),
    ]


def test_session_and_endpoint_kinds(tmp_path):
    assert dict(RESOURCE_POLICIES["aws_transfer_user"])["policy"] is DocKind.SESSION
    assert dict(RESOURCE_POLICIES["aws_odb_network"])["sts_policy_document"] is DocKind.ENDPOINT


def test_merge_of_statement_maps_lints_the_literal_ones_and_names_the_rest(tmp_path):
    text = textwrap.dedent(
        """
        variable "more" {}
        module "fn" {
          source = "terraform-aws-modules/lambda/aws"
          policy_statements = merge(
            { logs = { actions = ["logs:*"], resources = ["*"] } },
            var.more,
          )
        }
        """
    ).lstrip()
    (tmp_path / "main.tf").write_text(text)
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf")], {})
    ex = out[str(tmp_path / "main.tf")]
    (doc,) = ex.documents
    assert (doc.origin.owner, doc.origin.path, doc.kind) == (
        "module.fn",
        "policy_statements",
        DocKind.IDENTITY,
    )
    action = doc.statements[0].action[0]
    assert (action.value, action.span.line, action.span.column) == ("logs:*", *at(text, '"logs:*"'))
    (note,) = ex.diagnostics
    assert (note.code, note.span.line, note.span.column) == ("IAM906", *at(text, "var.more"))
    assert note.message.startswith("module.fn policy_statements: some statements not evaluated: `var.more`")


def test_a_lambda_permission_in_a_plan(tmp_path):
    values = {"action": "lambda:InvokeFunction", "function_name": "f", "principal": "*", "source_arn": None}
    plan = json.dumps(
        {
            "format_version": "1.2",
            "planned_values": {
                "root_module": {
                    "resources": [
                        {
                            "address": "aws_lambda_permission.p",
                            "mode": "managed",
                            "type": "aws_lambda_permission",
                            "name": "p",
                            "values": values,
                        }
                    ]
                }
            },
        },
        indent=2,
    )
    ex = extract_plan("plan.json", plan, parse_json(plan))
    (doc,) = ex.documents
    (entry,) = doc.statements[0].principal.entries
    assert (doc.kind, doc.single_resource, entry.kind, entry.value.value) == (
        DocKind.RESOURCE,
        True,
        "*",
        "*",
    )
    assert (entry.value.span.line, entry.value.span.column) == at(plan, '"*"')
    assert doc.statements[0].condition == ()


def test_the_docs_list_every_resource_type_and_module_argument():
    from iamlint.extract.terraform.calls import WELL_KNOWN

    doc = (Path(__file__).resolve().parent.parent / "docs" / "extraction.md").read_text()
    for type_, attr, kind in TABLE:
        assert f"| `{type_}` | `{attr}` | {kind.value} |" in doc, type_
    for package, args in WELL_KNOWN.items():
        for name, (form, kind) in args.items():
            assert f"| {package} | `{name}` | {form} | {kind.value} |" in doc, name


# -- item 5, Terraform half: an account chosen at deploy time is not this account ---------------------
INPUTS = """
variable "partner_account" {}
variable "partner_accounts" {
  type = list(string)
}
variable "vetted_account" {
  type = string
  validation {
    condition     = contains(["111122223333", "444455556666"], var.vetted_account)
    error_message = "Not a vetted account."
  }
}
variable "default_account" {
  default = "444455556666"
}
variable "default_accounts" {
  default = ["444455556666"]
}
data "aws_caller_identity" "current" {}

resource "aws_iam_role" "partner" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.partner_account}:root" } }]
  })
}
resource "aws_iam_role" "partners" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = var.partner_accounts } }]
  })
}
resource "aws_iam_role" "vetted" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.vetted_account}:root" } }]
  })
}
resource "aws_iam_role" "others" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = [
      module.org.audit_role_arn,
      data.terraform_remote_state.org.outputs.account_id,
      var.default_account,
      "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root",
    ] } }]
  })
}
resource "aws_iam_role" "interpolated_list" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.default_accounts}:root" } }]
  })
}
"""


def test_accounts_chosen_at_deploy_time_are_inputs_of_the_model(tmp_path):
    """A variable without a default, a module output and remote state are `Input`s: the
    principal is an `Unknown` whose canonical shape says where the account is (the model
    mechanism IAM202 and IAM201 read, see `iamlint.model.Unknown`); a variable whose
    validation lists its values is each of them; one with a default is its default."""
    from iamlint.model import Str, input_token

    (tmp_path / "main.tf").write_text(INPUTS.lstrip())
    out = extract_module(str(tmp_path), [str(tmp_path / "main.tf")], {})
    got = {}
    for d in out[str(tmp_path / "main.tf")].documents:
        for e in d.statements[0].principal.entries:
            v = e.value
            if isinstance(v, Str):
                got.setdefault(d.origin.owner, []).append(v.canonical())
            else:
                got.setdefault(d.origin.owner, []).append((v.canonical(), [str(i) for _, i in v.inputs]))
    token = input_token(0)
    assert got == {
        "aws_iam_role.partner": [(f"arn:aws:iam::{token}:root", ["variable var.partner_account"])],
        "aws_iam_role.partners": [(token, ["list variable var.partner_accounts"])],
        "aws_iam_role.vetted": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"],
        "aws_iam_role.others": [
            (token, ["module output module.org.audit_role_arn"]),
            (token, ["remote state data.terraform_remote_state.org.outputs.account_id"]),
            "444455556666",
            "arn:aws:iam::<this-account>:root",
        ],
        # a list in a string is a Terraform error, not each of its items: unknown, no input
        "aws_iam_role.interpolated_list": [(None, [])],
    }


def test_iam202_names_the_variable_the_account_comes_from(tmp_path, run_cli):
    (tmp_path / "main.tf").write_text(INPUTS.lstrip())
    (tmp_path / ".iamlint.toml").write_text('trusted-accounts = ["111122223333"]\n')
    code, findings = lint(run_cli, tmp_path, "--select", "IAM202")
    t = INPUTS.lstrip()
    assert [(f["line"], f["column"], f["message"]) for f in findings] == [
        (
            # a variable with a default is its default, reported where it is written
            *inside(t, 'default = "444455556666"', '"'),
            "trust policy lets account 444455556666 assume this role without an sts:ExternalId, "
            "aws:PrincipalOrgID or MFA condition",
        ),
        (
            *inside(t, 'AWS = "arn:aws:iam::${var.partner_account}', '"arn'),
            "trust policy lets the account in variable var.partner_account assume this role without "
            "an sts:ExternalId, aws:PrincipalOrgID or MFA condition",
        ),
        (
            *inside(t, "AWS = var.partner_accounts", "var."),
            "trust policy lets the accounts in list variable var.partner_accounts assume this role "
            "without an sts:ExternalId, aws:PrincipalOrgID or MFA condition",
        ),
        (
            # of the values its validation allows, the one that is not trusted
            *inside(t, 'AWS = "arn:aws:iam::${var.vetted_account}', '"arn'),
            "trust policy lets account 444455556666 assume this role without an sts:ExternalId, "
            "aws:PrincipalOrgID or MFA condition",
        ),
        (
            *at(t, "module.org.audit_role_arn"),
            "trust policy lets the account in module output module.org.audit_role_arn assume this "
            "role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition",
        ),
        (
            *at(t, "data.terraform_remote_state"),
            "trust policy lets the account in remote state data.terraform_remote_state.org.outputs."
            "account_id assume this role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition",
        ),
    ]
    assert code == 1


PRIVILEGED = """
variable "ops_account" {}
variable "ci_account" {
  validation {
    condition     = contains(["111122223333"], var.ci_account)
    error_message = "Only the CI account."
  }
}
resource "aws_iam_role" "admin" {
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = [
      "arn:aws:iam::${var.ops_account}:root",
      "arn:aws:iam::${var.ci_account}:root",
    ] } }]
  })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


def test_iam201_names_the_variable_a_privileged_role_trusts(tmp_path, run_cli):
    """A privileged role assumable by an account a variable names (no default) is IAM201,
    naming the variable; a validated variable is the account its validation allows."""
    (tmp_path / "main.tf").write_text(PRIVILEGED.lstrip())
    (tmp_path / ".iamlint.toml").write_text('trusted-accounts = ["111122223333"]\n')
    code, findings = lint(run_cli, tmp_path, "--select", "IAM201")
    t = PRIVILEGED.lstrip()
    assert [(f["file"], f["line"], f["column"], f["message"]) for f in findings] == [
        (
            "main.tf",
            *at(t, '"arn:aws:iam::${var.ops_account}'),
            "the account in variable var.ops_account can assume the privileged role "
            "aws_iam_role.admin (AdministratorAccess) without an MFA condition or sts:ExternalId",
        ),
        (
            # IAM201 asks MFA of every AWS principal, trusted or not: the validated
            # variable is the one account its validation allows
            "main.tf",
            *at(t, '"arn:aws:iam::${var.ci_account}'),
            "arn:aws:iam::111122223333:root can assume the privileged role aws_iam_role.admin "
            "(AdministratorAccess) without an MFA condition or sts:ExternalId",
        ),
    ]
    assert code == 1
