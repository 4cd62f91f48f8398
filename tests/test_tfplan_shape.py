"""Plan JSON of the wrong shape: every element of a plan that iamlint reads, given a value of
each wrong JSON type, is one IAM900 at that value (naming its path and what was expected),
never an internal error, and the rest of the plan is still linted.

The cases are linted by one run of the CLI over a file per case (a run per case would cost
a minute); `test_wrong_shape_is_an_input_error_alone` runs a few of them alone for the
exit code of one file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from conftest import iamlint_bin

POLICY_STAR = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    separators=(",", ":"),
)
POLICY_OK = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
    separators=(",", ":"),
)
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
        ],
    },
    separators=(",", ":"),
)


def res(address: str, values: dict) -> dict:
    type_, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}


def change(r: dict) -> dict:
    return {**{k: r[k] for k in ("address", "mode", "type", "name")}, "change": {"after": r["values"]}}


def base_plan() -> dict:
    a = res("aws_iam_policy.a", {"name": "a", "policy": POLICY_STAR})
    role = res(
        "aws_iam_role.r",
        {"name": "r", "assume_role_policy": TRUST, "inline_policy": [{"name": "i", "policy": POLICY_OK}]},
    )
    att = res("aws_iam_role_policy_attachment.att", {"role": "r", "policy_arn": None})
    b = res("module.ci.aws_iam_policy.b", {"name": "b", "policy": POLICY_OK})
    c = res("aws_iam_policy.c", {"name": "c", "policy": POLICY_STAR})  # only in resource_changes
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [a, role, att],
                "child_modules": [{"address": "module.ci", "resources": [b], "child_modules": []}],
            }
        },
        "resource_changes": [change(c), change(a)],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_role_policy_attachment.att",
                        "expressions": {
                            "policy_arn": {"references": ["aws_iam_policy.a.arn", "aws_iam_policy.a"]}
                        },
                    }
                ],
                "module_calls": {"ci": {"module": {"resources": []}}},
            }
        },
    }


OBJECT, LIST, STRING = "an object", "a list", "a string"
PV = "planned_values.root_module"
CFG = "configuration.root_module"
#: (path of the element, what it must be, whether null is allowed)
ELEMENTS = [
    ("planned_values", OBJECT, False),
    (PV, OBJECT, False),
    (f"{PV}.resources", LIST, False),
    (f"{PV}.resources[0]", OBJECT, False),
    (f"{PV}.resources[0].address", STRING, False),
    (f"{PV}.resources[0].type", STRING, False),
    (f"{PV}.resources[0].name", STRING, False),
    (f"{PV}.resources[0].mode", STRING, False),
    (f"{PV}.resources[0].values", OBJECT, False),
    (f"{PV}.resources[0].values.policy", STRING, True),
    (f"{PV}.resources[1].values.assume_role_policy", STRING, True),
    (f"{PV}.resources[1].values.inline_policy", LIST, True),
    (f"{PV}.resources[1].values.inline_policy[0]", OBJECT, False),
    (f"{PV}.resources[1].values.inline_policy[0].policy", STRING, True),
    (f"{PV}.resources[1].values.inline_policy[0].name", STRING, True),
    (f"{PV}.child_modules", LIST, False),
    (f"{PV}.child_modules[0]", OBJECT, False),
    (f"{PV}.child_modules[0].resources", LIST, False),
    (f"{PV}.child_modules[0].child_modules", LIST, False),
    (f"{PV}.child_modules[0].resources[0].values", OBJECT, False),
    ("resource_changes", LIST, False),
    ("resource_changes[0]", OBJECT, False),
    ("resource_changes[0].address", STRING, False),
    ("resource_changes[0].type", STRING, False),
    ("resource_changes[0].name", STRING, False),
    ("resource_changes[0].mode", STRING, False),
    ("resource_changes[0].change", OBJECT, False),
    ("resource_changes[0].change.after", OBJECT, True),
    ("configuration", OBJECT, False),
    (CFG, OBJECT, False),
    (f"{CFG}.resources", LIST, False),
    (f"{CFG}.resources[0]", OBJECT, False),
    (f"{CFG}.resources[0].address", STRING, False),
    (f"{CFG}.resources[0].expressions", OBJECT, False),
    (f"{CFG}.resources[0].expressions.policy_arn.references", LIST, False),
    (f"{CFG}.resources[0].expressions.policy_arn.references[0]", STRING, False),
    (f"{CFG}.module_calls", OBJECT, False),
    (f"{CFG}.module_calls.ci", OBJECT, False),
    (f"{CFG}.module_calls.ci.module", OBJECT, False),
]
#: a value of each JSON type, and how a message names it
WRONG = [
    (5, "a number"),
    ("x", STRING),
    (True, "a boolean"),
    (None, "null"),
    ([], LIST),
    ({}, OBJECT),
]
CASES = [
    (path, expected + (" or null" if null else ""), value, kind)
    for path, expected, null in ELEMENTS
    for value, kind in WRONG
    if kind != expected and not (null and value is None)
]
PLACEHOLDER = "@@wrong@@"


def set_path(doc: dict, path: str, value) -> None:
    steps: list = []
    for part in path.split("."):
        steps.append(part.split("[")[0])
        steps.extend(int(i) for i in re.findall(r"\[(\d+)\]", part))
    node = doc
    for s in steps[:-1]:
        node = node[s]
    node[steps[-1]] = value


def case_text(path: str, value) -> tuple[str, int, int]:
    """The plan with ``value`` at ``path``, and the (line, column) where ``value`` is written."""
    doc = base_plan()
    set_path(doc, path, PLACEHOLDER)
    text = json.dumps(doc, indent=2)
    i = text.index(json.dumps(PLACEHOLDER))
    text = text[:i] + json.dumps(value) + text[i + len(json.dumps(PLACEHOLDER)) :]
    return text, text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def case_id(case) -> str:
    path, _expected, value, _kind = case
    return f"{path}={json.dumps(value)}"


@pytest.fixture(scope="module")
def linted(tmp_path_factory, run_cli_module):
    """One CLI run over a plan file per case: {file name: its findings}, and the run."""
    d = tmp_path_factory.mktemp("plans")
    names = {}
    for n, case in enumerate(CASES):
        text, _line, _col = case_text(case[0], case[2])
        (d / f"case{n:03}.json").write_text(text)
        names[case_id(case)] = f"case{n:03}.json"
    proc = run_cli_module("--format", "json", "--select", "IAM101", "-j1", d)  # input errors are always on
    report = json.loads(proc.stdout)
    by_file: dict[str, list[dict]] = {}
    for f in report["findings"]:
        by_file.setdefault(f["file"].replace("\\", "/").rsplit("/", 1)[-1], []).append(f)
    return names, by_file, report, proc


@pytest.fixture(scope="module")
def run_cli_module():
    """`run_cli` for a module-scoped fixture."""

    def run(*args):
        env = {**os.environ, "NO_COLOR": "1"}
        env.pop("FORCE_COLOR", None)
        return subprocess.run(
            iamlint_bin() + [str(a) for a in args], capture_output=True, text=True, env=env, timeout=120
        )

    return run


def test_the_run_over_all_cases(linted):
    names, _by_file, report, proc = linted
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    assert report["summary"]["files"] == len(names)
    assert {f["status"] for f in report["files"]} == {"policies"}  # every file still linted


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_wrong_shape_is_iam900_at_the_element(linted, case):
    path, expected, value, kind = case
    names, by_file, _report, _proc = linted
    findings = by_file[names[case_id(case)]]
    _text, line, col = case_text(path, value)
    assert not [f for f in findings if f["code"] == "IAM903"]
    errors = [(f["line"], f["column"], f["message"]) for f in findings if f["code"] == "IAM900"]
    assert errors == [(line, col, f"{path} must be {expected}, not {kind}")]
    # a policy elsewhere in the same plan is still linted
    survivor = "aws_iam_policy.a" if path.startswith("resource_changes") else "aws_iam_policy.c"
    assert [f for f in findings if f["code"] == "IAM101" and f["owner"] == survivor]


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (f"{PV}.resources", 5, "planned_values.root_module.resources must be a list, not a number"),
        ("resource_changes", True, "resource_changes must be a list, not a boolean"),
        (f"{PV}.child_modules", 0, "planned_values.root_module.child_modules must be a list, not a number"),
        (f"{CFG}.resources", 1.5, "configuration.root_module.resources must be a list, not a number"),
    ],
)
def test_wrong_shape_is_an_input_error_alone(run_cli, tmp_path, path, value, expected):
    """The four plans of the issue, each linted alone: exit code 2, one line at the element."""
    text, line, col = case_text(path, value)
    p = tmp_path / "plan.json"
    p.write_text(text)
    proc = run_cli(p)
    assert "Traceback" not in proc.stderr and "IAM903" not in proc.stdout
    assert proc.returncode == 2
    assert f"{p}:{line}:{col}: IAM900 [error] {expected} (parse-error)" in proc.stdout.splitlines()
    assert [ln for ln in proc.stdout.splitlines() if ": IAM101 " in ln]  # the rest is linted


def test_resource_without_an_address(run_cli, tmp_path):
    doc = base_plan()
    del doc["resource_changes"][0]["address"]
    text = json.dumps(doc, indent=2)
    p = tmp_path / "plan.json"
    p.write_text(text)
    proc = run_cli(p)
    i = text.index('"resource_changes": [') + len('"resource_changes": [\n    ')
    line, col = text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{p}:{line}:{col}: IAM900 [error] resource_changes[0] has no address (parse-error)" in (
        proc.stdout.splitlines()
    )
