"""Terraform nested too deeply: ``${`` in ``${`` 500 levels deep, lists, objects and calls
2,000 levels deep, locals and data sources that refer to one another 1,000 deep, a heredoc
whose JSON nests thousands of levels. Each is one IAM900 where the nesting goes too deep, in
its own file; the module's other policies are linted as usual, and no traceback or internal
error (IAM903) reaches the user.

The modules are linted by one run of the CLI (a run per module costs half a second each);
the sibling-file cases run on their own because they depend on which files are given.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamlint.extract.terraform.module import MAX_DEPTH
from iamlint.parse.hcl_tree import MAX_NESTING

GOOD = """resource "aws_iam_policy" "good" {
  name = "good"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""
GOOD_LINE, GOOD_COL = 5, 47  # where IAM101 reports GOOD's "Action": "*"


def nth(text: str, token: str, n: int) -> tuple[int, int]:
    """(line, column) of the n-th occurrence of ``token`` (1-based)."""
    i = -1
    for _ in range(n):
        i = text.index(token, i + 1)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def deep_interpolation() -> tuple[str, tuple[int, int]]:
    n = 500
    deep = '${"' * n + "x" + '"}' * n
    text = GOOD + f'resource "aws_iam_role" "r" {{\n  name = "{deep}"\n  assume_role_policy = "{{}}"\n}}\n'
    # the block is a level, the outer string the next: the MAX_NESTING-th string is one too many
    return text, nth(text, '"', text.count('"', 0, text.index('name = "${')) + MAX_NESTING)


def deep_local(opener: str, closer: str) -> str:
    return (
        GOOD
        + f'locals {{\n  deep = {opener * 2000}"s3:GetObject"{closer * 2000}\n}}\n'
        + 'resource "aws_iam_policy" "deep" {\n  name = "deep"\n'
        + '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.deep, Resource = "*" }] })\n'
        + "}\n"
    )


def deep_list() -> tuple[str, tuple[int, int]]:
    text = deep_local("[", "]")
    return text, nth(text, "[", text.count("[", 0, text.index("deep = ")) + MAX_NESTING)


def deep_call() -> tuple[str, tuple[int, int]]:
    text = deep_local("tolist(", ")")
    return text, nth(text, "tolist(", MAX_NESTING)


def deep_object() -> tuple[str, tuple[int, int]]:
    text = deep_local("{ a = ", "}")
    # an object's key is a level of its own: the key of the (MAX_NESTING - 1)-th object
    line, col = nth(text, "{ a = ", MAX_NESTING - 1)
    return text, (line, col + 2)


def locals_chain(first: str, use: str) -> str:
    chain = "".join(f"  a{i} = local.a{i - 1}\n" for i in range(1, 1000))
    return (
        GOOD
        + f'locals {{\n  a0 = {first}\n{chain}}}\nresource "aws_iam_policy" "deep" {{\n  name = "deep"\n{use}}}\n'
    )


def chain_as_value() -> tuple[str, tuple[int, int]]:
    text = locals_chain(
        '"s3:GetObject"',
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.a999, Resource = "*" }] })\n',
    )
    # jsonencode's object, Statement's list, the statement and Action take 4 levels; then
    # each local.aK is one more: local.a{999 - k} is evaluated at level 4 + k + 1
    k = MAX_DEPTH - 4
    line, col = nth(text, f"  a{1000 - k} = local.a{999 - k}\n", 1)
    return text, (line, col + len(f"  a{1000 - k} = "))


def chain_as_policy() -> tuple[str, tuple[int, int]]:
    text = locals_chain(
        'jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })',
        "  policy = local.a999\n",
    )
    k = MAX_DEPTH  # each reference the policy is followed through is a level
    line, col = nth(text, f"  a{1000 - k} = local.a{999 - k}\n", 1)
    return text, (line, col + len(f"  a{1000 - k} = "))


def data_chain() -> tuple[str, tuple[int, int]]:
    blocks = "".join(
        f'data "aws_iam_policy_document" "d{i}" {{\n'
        f"  source_policy_documents = [data.aws_iam_policy_document.d{i - 1}.json]\n}}\n"
        for i in range(1, 300)
    )
    text = (
        GOOD
        + 'data "aws_iam_policy_document" "d0" {\n  statement {\n    actions   = ["s3:GetObject"]\n'
        + '    resources = ["*"]\n  }\n}\n'
        + blocks
        + 'resource "aws_iam_policy" "deep" {\n  name   = "deep"\n'
        + "  policy = data.aws_iam_policy_document.d299.json\n}\n"
    )
    # the reference that would render the (MAX_DEPTH + 1)-th data source within one another
    k = 299 - MAX_DEPTH
    return text, nth(text, f"data.aws_iam_policy_document.d{k}.json", 1)


def heredoc_json() -> tuple[str, tuple[int, int]]:
    deep = "[" * 5000 + "1" + "]" * 5000
    text = (
        GOOD
        + 'resource "aws_iam_policy" "deep" {\n  name   = "deep"\n  policy = <<EOF\n'
        + '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": '
        + deep
        + "}]}\nEOF\n}\n"
    )
    # the document, Statement and the statement are 3 levels: the 198th "[" is the 201st
    return text, nth(text, "[", text.count("[", 0, text.index('"Condition"')) + 198)


def heredoc_interpolation() -> tuple[str, tuple[int, int]]:
    deep = '"${' * 500 + '"s3:*"' + '}"' * 500
    text = (
        GOOD
        + 'resource "aws_iam_policy" "deep" {\n  name   = "deep"\n  policy = <<EOF\n'
        + '{"Statement": [{"Effect": "Allow", "Action": "${'
        + deep
        + '}", "Resource": "*"}]}\nEOF\n}\n'
    )
    # the interpolation is read on its own: its first string is the first level, and the
    # (MAX_NESTING + 1)-th is one too many
    first = text.index('"${', text.index('"Action": "${') + len('"Action": "${'))
    return text, nth(text, '"${', text.count('"${', 0, first) + MAX_NESTING + 1)


CASES = {
    "interpolation-500": (deep_interpolation, "nesting too deep to read"),
    "list-2000": (deep_list, "nesting too deep to read"),
    "object-2000": (deep_object, "nesting too deep to read"),
    "call-2000": (deep_call, "nesting too deep to read"),
    "locals-chain-value-1000": (chain_as_value, "nesting too deep to evaluate"),
    "locals-chain-policy-1000": (chain_as_policy, "nesting too deep to evaluate"),
    "data-source-chain-300": (data_chain, "nesting too deep to evaluate"),
    "heredoc-json-5000": (heredoc_json, "invalid JSON in heredoc: nesting deeper than 200 levels"),
    "heredoc-interpolation-500": (heredoc_interpolation, "nesting too deep to read"),
}
MESSAGES = {
    "nesting too deep to read": f"nesting too deep to read (more than {MAX_NESTING} levels)",
    "nesting too deep to evaluate": (
        f"nesting too deep to evaluate (more than {MAX_DEPTH} levels of values and references)"
    ),
}


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    """One CLI run over a module per case: (the run, {case: its findings})."""
    import os
    import subprocess

    from conftest import iamlint_bin

    root = tmp_path_factory.mktemp("deep")
    for name, (make, _message) in CASES.items():
        (root / name).mkdir()
        (root / name / "main.tf").write_text(make()[0])
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.run(
        iamlint_bin() + ["--format", "json", "--select", "IAM101", "-j1", str(root)],  # IAM9xx always on
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    report = json.loads(proc.stdout)
    by_case: dict[str, list[dict]] = {name: [] for name in CASES}
    for f in report["findings"]:
        by_case[Path(f["file"]).parent.name].append(f)
    return proc, by_case


def test_the_run_over_all_cases(linted):
    proc, _by_case = linted
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2


@pytest.mark.parametrize("case", list(CASES))
def test_deep_nesting_is_iam900_at_the_place(linted, case):
    _proc, by_case = linted
    make, message = CASES[case]
    _text, (line, col) = make()
    findings = by_case[case]
    assert not [f for f in findings if f["code"] == "IAM903"]
    errors = [(f["line"], f["column"], f["message"]) for f in findings if f["code"] == "IAM900"]
    assert errors == [(line, col, MESSAGES.get(message, message))]
    # the module's other policy is linted as usual
    assert (GOOD_LINE, GOOD_COL, "aws_iam_policy.good") in {
        (f["line"], f["column"], f["owner"]) for f in findings if f["code"] == "IAM101"
    }


@pytest.mark.parametrize("make", [deep_interpolation, deep_list], ids=["interpolation-500", "list-2000"])
def test_a_deep_sibling_does_not_cost_the_given_file_its_findings(run_cli, tmp_path, make):
    """The deep file is only a sibling of the given one: the given file is linted as usual
    (exit 1); linting the directory reports the deep file's IAM900 in that file (exit 2)."""
    text, (line, col) = make()
    (tmp_path / "main.tf").write_text(GOOD)
    (tmp_path / "deep.tf").write_text(text[len(GOOD) :])
    line -= GOOD.count("\n")
    given = run_cli("--format", "text", tmp_path / "main.tf")
    assert "Traceback" not in given.stderr and "IAM903" not in given.stdout
    assert given.returncode == 1
    assert f"{tmp_path / 'main.tf'}:{GOOD_LINE}:{GOOD_COL}: IAM101 " in given.stdout
    whole = run_cli("--format", "text", tmp_path)
    assert "Traceback" not in whole.stderr and "IAM903" not in whole.stdout
    assert whole.returncode == 2
    lines = whole.stdout.splitlines()
    assert (
        f"{tmp_path / 'deep.tf'}:{line}:{col}: IAM900 [error] {MESSAGES['nesting too deep to read']} (parse-error)"
        in lines
    )
    assert [ln for ln in lines if ln.startswith(f"{tmp_path / 'main.tf'}:{GOOD_LINE}:{GOOD_COL}: IAM101 ")]


def test_thousands_of_levels_are_reported_in_linear_time(tmp_path):
    """Nesting far past the limit costs a scan, not the parser's time: a list 200,000
    levels deep is reported where it passes the limit before the parser reads it (the
    parser took half a minute to read it, for the conversion to stop at level 65); a
    conditional nested 2,000 levels deep in its true branches, and a chain of 2,000
    conditionals in their false branches, are evaluated to the evaluation's limit without
    parsing the rest of the nest again at each level (that took minutes: each level parsed
    the text of all the levels inside it). One run, with a time budget per file long
    enough that only the code's own speed is measured."""
    import os
    import subprocess
    import time

    from conftest import iamlint_bin

    def policy(resource: str) -> str:
        return (
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow",'
            f' Action = "s3:GetObject", Resource = {resource} }}] }})\n}}\n'
        )

    n = 2000
    cases = {
        "list": policy("[" * 200_000 + '"*"' + "]" * 200_000),
        "then": policy("true ? " * n + '"*"' + ' : "a"' * n),
        "else": policy('false ? "a" : ' * n + '"*"'),
    }
    for name, text in cases.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text)
    start = time.monotonic()
    proc = subprocess.run(
        [*iamlint_bin(), "-f", "concise", "--timeout", "300", "-j1", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "IAMLINT_NO_CACHE": "1"},
        timeout=300,
    )
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr and "IAM903" not in proc.stdout
    assert proc.returncode == 2
    errors = sorted(ln for ln in proc.stdout.splitlines() if "IAM900" in ln)
    # the list: the block, jsonencode's call and object, Statement's list, the statement
    # are 5 levels: the 60th "[" of Resource is the 65th
    text = cases["list"]
    list_at = nth(text, "[", text.count("[", 0, text.index("Resource = [")) + 60)
    # jsonencode's object, Statement's list, the statement and Resource are 4 levels of
    # evaluation: the 60th conditional is the 65th
    then_at = nth(cases["then"], "true ? ", MAX_DEPTH - 4)
    else_at = nth(cases["else"], "false ? ", MAX_DEPTH - 4)
    evaluate = f"nesting too deep to evaluate (more than {MAX_DEPTH} levels of values and references)"
    read = f"nesting too deep to read (more than {MAX_NESTING} levels)"
    assert errors == [
        f"else/main.tf:{else_at[0]}:{else_at[1]}-2.{else_at[1] + 5}: error: IAM900 {evaluate}",
        f"list/main.tf:{list_at[0]}:{list_at[1]}-2.{list_at[1] + 1}: error: IAM900 {read}",
        f"then/main.tf:{then_at[0]}:{then_at[1]}-2.{then_at[1] + 4}: error: IAM900 {evaluate}",
    ]
    assert elapsed < 40, f"{elapsed:.1f} s"


def test_locals_that_double_are_read_in_linear_time(tmp_path):
    """Each local twice the one before (``l1 = [l0, l0]``, ``l2 = [l1, l1]``, ... and the
    same with strings, ``concat()`` and maps): the policy's value written out has 2^24
    items, and was built (and then walked by the model builder) item by item. A value
    larger than MAX_VALUE_SIZE is unknown: one IAM906 at the local where it passes the cap,
    the rest of the run in a second or two."""
    import os
    import subprocess
    import time

    from conftest import iamlint_bin

    from iamlint.extract.terraform.module import MAX_VALUE_SIZE

    n = 24
    shapes = {
        "list": ('"s3:GetObject"', "[local.l{0}, local.l{0}]"),
        "string": ('"s3:GetObject"', '"${{local.l{0}}}${{local.l{0}}}"'),
        "concat": ('["s3:GetObject"]', "concat(local.l{0}, local.l{0})"),
        "map": ('"s3:GetObject"', "{{ a = local.l{0}, b = local.l{0} }}"),
    }
    for name, (first, double) in shapes.items():
        lines = [f"  l0 = {first}"] + [f"  l{i} = " + double.format(i - 1) for i in range(1, n)]
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(
            "locals {\n" + "\n".join(lines) + "\n}\n"
            'resource "aws_iam_policy" "p" {\n'
            f'  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = local.l{n - 1}, Resource = "*" }}] }})\n'
            "}\n"
        )
    start = time.monotonic()
    proc = subprocess.run(
        [*iamlint_bin(), "-f", "concise", "--select", "IAM906", "--timeout", "300", "-j1", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "IAMLINT_NO_CACHE": "1"},
        timeout=120,
    )
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr and "IAM903" not in proc.stdout
    assert proc.returncode == 1, proc.stdout  # IAM906 selected: four findings
    # written out, l{k} holds 2^k copies of l0: the first over the cap is where it is reported
    first_over = {"list": 14, "string": 15, "concat": 14, "map": 14}
    expected = []
    for name, (_first, double) in sorted(shapes.items()):
        k = first_over[name]
        text = double.format(k - 1)
        line, col = 2 + k, 3 + len(f"l{k} = ")
        expected.append(
            f"{name}/main.tf:{line}:{col}-{line}.{col + len(text)}: info: IAM906 value not evaluated: "
            f"`{text}` is larger than iamlint evaluates (more than {MAX_VALUE_SIZE:,} items and "
            "characters written out); what uses it is checked without it"
        )
    assert [ln for ln in proc.stdout.splitlines() if "IAM906" in ln] == expected
    assert elapsed < 30, f"{elapsed:.1f} s"
