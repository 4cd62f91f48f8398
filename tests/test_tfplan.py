"""Terraform plan JSON (``terraform show -json``): positions inside the escaped policy
strings, one report per address, child modules, the attachment graph, bad values."""

from __future__ import annotations

import json
from pathlib import Path

from iamlint.extract import extract_file
from iamlint.extract.terraform.plan import extract
from iamlint.model import DocKind, Unknown
from iamlint.parse.json_parser import parse_json

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def at(text: str, token: str, n: int = 1) -> tuple[int, int]:
    i = -1
    for _ in range(n):
        i = text.index(token, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def where(value) -> tuple[int, int]:
    return value.span.line, value.span.column


def policy(*statements: dict) -> str:
    """A policy as Terraform's jsonencode writes it (compact)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, separators=(",", ":"))


def resource(address: str, values: dict, mode: str = "managed") -> dict:
    parts = address.split(".")
    type_, name = parts[-2], parts[-1].split("[")[0]
    return {"address": address, "mode": mode, "type": type_, "name": name, "values": values}


def plan(
    root: list[dict], children: list[dict] = (), changes: list[dict] = (), config: dict | None = None
) -> str:
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {"resources": root, "child_modules": list(children)}},
        "resource_changes": [
            {
                "address": r["address"],
                "mode": r["mode"],
                "type": r["type"],
                "name": r["name"],
                "change": {"actions": ["create"], "before": None, "after": r["values"]},
            }
            for r in changes
        ],
    }
    if config is not None:
        doc["configuration"] = config
    return json.dumps(doc, indent=2)


def run(text: str, path: str = "plan.json"):
    return extract(path, text, parse_json(text))


ADMIN = {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::acme/x/*"}
TRUST = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}


def test_positions_inside_escaped_policy_strings():
    role = resource("aws_iam_role.app", {"name": "app", "assume_role_policy": policy(TRUST)})
    text = plan([role], changes=[role])
    ex = run(text)
    assert ex.format == "terraform-plan"
    (doc,) = ex.documents
    assert doc.origin.owner == "aws_iam_role.app" and doc.origin.path == "assume_role_policy"
    assert doc.origin.format == "terraform-plan" and doc.kind is DocKind.TRUST
    s = doc.statements[0]
    # the policy's quotes are written \" in the plan: positions are those of the backslash
    assert where(s.action[0]) == at(text, r"\"sts:AssumeRole\"")
    assert where(s.principal.of_kind("Service")[0]) == at(text, r"\"lambda.amazonaws.com\"")
    line = at(text, '"assume_role_policy"')[0]
    assert s.action[0].span.line == line  # on the attribute's line
    assert s.action[0].value == "sts:AssumeRole"


def test_each_policy_once_per_address_with_child_modules():
    root = resource("aws_iam_policy.a", {"name": "a", "policy": policy(ADMIN)})
    child = resource(
        "module.ci.aws_iam_policy.deploy", {"name": "deploy", "path": "/", "policy": policy(ADMIN)}
    )
    only_in_changes = resource(
        "module.ci.module.inner.aws_iam_policy.late", {"name": "late", "policy": policy(ADMIN)}
    )
    text = plan(
        [root],
        children=[{"address": "module.ci", "resources": [child]}],
        changes=[root, child, only_in_changes],
    )
    ex = run(text)
    owners = [d.origin.owner for d in ex.documents]
    assert owners == [
        "aws_iam_policy.a",
        "module.ci.aws_iam_policy.deploy",
        "module.ci.module.inner.aws_iam_policy.late",
    ]
    # planned_values first: the child's document points into planned_values, not resource_changes
    deploy = ex.documents[1]
    assert deploy.statements[0].action[0].span.line == at(text, '"policy"', 2)[0]
    assert all(d.managed for d in ex.documents)


def test_inline_policy_blocks_and_resource_policies():
    role = resource(
        "aws_iam_role.r",
        {
            "name": "r",
            "assume_role_policy": policy(TRUST),
            "inline_policy": [{"name": "inline", "policy": policy(ADMIN)}, {"name": "", "policy": ""}],
        },
    )
    bucket = resource(
        "aws_s3_bucket_policy.b",
        {
            "bucket": "b",
            "policy": policy(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::b/*",
                }
            ),
        },
    )
    scp = resource(
        "aws_organizations_policy.scp",
        {"name": "s", "type": "SERVICE_CONTROL_POLICY", "content": policy(ADMIN)},
    )
    tags = resource(
        "aws_organizations_policy.tags", {"name": "t", "type": "TAG_POLICY", "content": '{"tags": {}}'}
    )
    ex = run(plan([role, bucket, scp, tags]))
    got = [(d.origin.owner, d.origin.path, d.kind) for d in ex.documents]
    assert got == [
        ("aws_iam_role.r", "assume_role_policy", DocKind.TRUST),
        ("aws_iam_role.r", "inline_policy[0].policy", DocKind.IDENTITY),
        ("aws_s3_bucket_policy.b", "policy", DocKind.RESOURCE),
        ("aws_organizations_policy.scp", "content", DocKind.SCP),
    ]
    assert ex.documents[1].name.value == "inline"
    assert not ex.diagnostics


def test_invalid_policy_json_in_a_plan():
    bad = resource("aws_iam_policy.bad", {"name": "bad", "policy": '{"Statement": [{"Effect": "Allow",, }]}'})
    good = resource("aws_iam_policy.good", {"name": "good", "policy": policy(ADMIN)})
    text = plan([bad, good])
    ex = run(text)
    (err,) = ex.diagnostics
    assert err.code == "IAM900" and "aws_iam_policy.bad policy" in err.message
    # the second comma, inside the escaped string
    assert where(err) == (at(text, ",,")[0], at(text, ",,")[1] + 1)
    assert [d.origin.owner for d in ex.documents] == ["aws_iam_policy.good"]


def test_attachment_graph_by_name_and_by_configuration_reference():
    role = resource(
        "aws_iam_role.app",
        {
            "name": "app",
            "assume_role_policy": policy(TRUST),
            "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
    )
    inline = resource("aws_iam_role_policy.extra", {"name": "extra", "role": "app", "policy": policy(ADMIN)})
    pol = resource(
        "module.iam.aws_iam_policy.shared", {"name": "shared", "path": "/", "policy": policy(ADMIN)}
    )
    attach = resource("aws_iam_role_policy_attachment.a", {"role": "app"})  # policy_arn known after apply
    user = resource("aws_iam_user.alice", {"name": "alice"})
    key = resource("aws_iam_access_key.alice", {"user": "alice"})
    group = resource("aws_iam_group.admins", {"name": "admins"})
    member = resource("aws_iam_user_group_membership.alice", {"user": "alice", "groups": ["admins"]})
    uattach = resource(
        "aws_iam_user_policy_attachment.u",
        {"user": "alice", "policy_arn": "arn:aws:iam::123456789012:policy/shared"},
    )
    config = {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_role_policy_attachment.a",
                    "mode": "managed",
                    "type": "aws_iam_role_policy_attachment",
                    "name": "a",
                    "expressions": {
                        "role": {"references": ["aws_iam_role.app.name", "aws_iam_role.app"]},
                        "policy_arn": {"references": ["module.iam.policy_arn", "module.iam"]},
                    },
                }
            ],
            "module_calls": {"iam": {"module": {"resources": []}}},
        }
    }
    text = plan(
        [role, inline, attach, user, key, group, member, uattach],
        children=[{"address": "module.iam", "resources": [pol]}],
        config=config,
    )
    ex = run(text)
    principals = {p.address: p for p in ex.principals}
    app = principals["aws_iam_role.app"]
    assert app.trust.origin.path == "assume_role_policy"
    assert [d.origin.owner for d in app.inline] == ["aws_iam_role_policy.extra"]
    assert [m.name for m in app.managed] == ["ReadOnlyAccess"]
    assert where(app.managed[0].value) == at(text, '"arn:aws:iam::aws:policy/ReadOnlyAccess"')
    alice = principals["aws_iam_user.alice"]
    assert alice.groups == ("aws_iam_group.admins",)
    assert (
        len(alice.access_keys) == 1 and alice.access_keys[0].line == at(text, '"aws_iam_access_key.alice"')[0]
    )
    assert [m.document.origin.owner for m in alice.managed] == ["module.iam.aws_iam_policy.shared"]
    assert doc_principals(ex, "aws_iam_role_policy.extra") == ("aws_iam_role.app",)
    assert doc_principals(ex, "module.iam.aws_iam_policy.shared") == ("aws_iam_user.alice",)


def doc_principals(ex, owner):
    return next(d.principals for d in ex.documents if d.origin.owner == owner)


def test_plan_generated_by_terraform():
    """A plan written by terraform 1.11 with the AWS provider (tests/fixtures/IAM101...)."""
    path = FIXTURES / "IAM101-wildcard-action" / "fail.tfplan.json"
    text = path.read_text()
    ex = extract_file(str(path), text)
    assert ex is not None and ex.format == "terraform-plan"
    owners = sorted({d.origin.owner for d in ex.documents})
    assert owners == [
        "aws_iam_policy.build_agent",
        "aws_iam_policy.cache",
        "aws_iam_policy.worker",
        "aws_iam_role.exporter",
        "aws_iam_role_policy.exporter",
    ]
    role = next(p for p in ex.principals if p.address == "aws_iam_role.exporter")
    # role = aws_iam_role.exporter.id is only known after apply: linked by the configuration
    assert [d.origin.owner for d in role.inline] == ["aws_iam_role_policy.exporter"]
    dynamo = next(
        v for d in ex.documents for s in d.statements for v in s.action or () if v.value == "dynamodb:*"
    )
    assert where(dynamo) == at(text, r"\"dynamodb:*\"")


def test_not_a_plan_object():
    ex = extract("x.json", "[]", parse_json("[]"))
    assert ex.documents == [] and ex.diagnostics == []


def test_unknown_values_in_a_plan_are_left_out():
    # values only known after apply are absent from "after": no document, no error
    change = resource("aws_iam_policy.later", {"name": "later"})
    ex = run(plan([], changes=[change]))
    assert ex.documents == [] and ex.diagnostics == []
    assert not any(isinstance(v, Unknown) for d in ex.documents for s in d.statements for v in s.action or ())


def test_condition_operator_with_a_line_break_does_not_crash():
    odd = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/k/*",
        "Condition": {"String\nEquals": {"aws:SourceAccount": "123456789012"}},
    }
    ex = run(plan([resource("aws_iam_policy.odd", {"name": "odd", "policy": policy(odd)})]))
    (cond,) = ex.documents[0].statements[0].condition
    assert cond.operator.value == "String Equals" and cond.key == "aws:sourceaccount"


def test_principals_defined_elsewhere_in_a_plan():
    key = resource("aws_iam_access_key.legacy", {"user": "legacy-backup"})
    inline = resource("aws_iam_role_policy.ci", {"name": "ci", "role": "ci-runner", "policy": policy(ADMIN)})
    text = plan([key, inline])
    ex = run(text)
    principals = {(p.kind, p.address): p for p in ex.principals}
    assert set(principals) == {("user", "legacy-backup"), ("role", "ci-runner")}
    legacy = principals[("user", "legacy-backup")]
    assert where(legacy) == at(text, '"legacy-backup"') and len(legacy.access_keys) == 1
    assert [d.origin.owner for d in principals[("role", "ci-runner")].inline] == ["aws_iam_role_policy.ci"]
    assert ex.documents[0].principals == ("ci-runner",)
