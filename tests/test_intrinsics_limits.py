"""CloudFormation values that stand for very many: linear time, and a cap that is never silent.

Issue "Hostile input", defect 2: a ``!Sub`` with 10,000 ``${P}`` parts, ``P`` having two
``AllowedValues``, took 3.9 s; 100 KB took 16 s and 200 KB 67 s, because the 64 alternatives
kept were grown part by part (every string copied once per part). Every expansion path now
stops at ``MAX_ALTERNATIVES`` values and adds one ``Unknown`` for the rest.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import time

import pytest
from conftest import iamlint_bin

from iamlint.extract.cloudformation import extract_yaml
from iamlint.extract.cloudformation.intrinsics import MAX_ALTERNATIVES
from iamlint.model import Str, Unknown

#: These lint in about 0.3 s; before the fix, minutes.
BOUND_S = 10.0
TIMEOUT_S = 60


def lint_in_time(path) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    start = time.monotonic()
    try:
        out = subprocess.run(
            iamlint_bin() + [path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"iamlint did not finish within {TIMEOUT_S} s")
    return out, time.monotonic() - start


def findings(out: subprocess.CompletedProcess) -> list[str]:
    """``file:line:col: CODE`` of every finding line."""
    return [
        " ".join(line.split()[:2])
        for line in out.stdout.splitlines()
        if line[:1].isalnum() and ": IAM" in line
    ]


HEADER = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Short:
    Type: String
    AllowedValues: ['', '*']
  Long:
    Type: String
    AllowedValues: [aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbb]
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
"""


def test_ten_thousand_part_sub_and_join_lint_fast(tmp_path):
    n = 10_000
    statements = [
        # the second of its first 64 values is arn:aws:s3:::* (IAM102)
        '          - {Effect: Allow, Action: "s3:GetObject", Resource: !Sub "arn:aws:s3:::'
        + "${Short}" * n
        + '"}',
        # 2**10000 strings of 200,000 characters: the slow one
        '          - {Effect: Allow, Action: "s3:PutObject", Resource: !Sub "arn:aws:s3:::'
        + "${Long}" * n
        + '"}',
        "          - {Effect: Allow, Action: 's3:ListBucket', Resource: !Join ['', ['arn:aws:s3:::', "
        + ", ".join(["!Ref Long"] * n)
        + "]]}",
        '          - {Effect: Allow, Action: "iam:PassRole", Resource: "*"}',
    ]
    path = tmp_path / "many.yaml"
    path.write_text(HEADER + "\n".join(statements) + "\n")
    out, elapsed = lint_in_time(path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 1, out.stdout + out.stderr
    assert findings(out) == [
        "many.yaml:14:9: IAM503",  # policy-size: the template is what it is
        "many.yaml:15:68: IAM102",  # arn:aws:s3:::* is the second value of the first !Sub
        "many.yaml:15:68: IAM505",  # arn:aws:s3::: (its first value) has no resource part
        "many.yaml:18:37: IAM401",
        "many.yaml:18:63: IAM102",
    ], out.stdout
    assert "arn:aws:s3:::*" in out.stdout
    assert elapsed < BOUND_S, f"took {elapsed:.1f} s"


def test_200_kb_sub_lints_fast(tmp_path):
    n = 50_000  # "${Long}" is 7 characters: 350 KB of template
    path = tmp_path / "big.yaml"
    path.write_text(
        HEADER
        + '          - {Effect: Allow, Action: "s3:GetObject", Resource: !Sub "arn:aws:s3:::'
        + "${Long}/" * n
        + '"}\n'
        + '          - {Effect: Allow, Action: "s3:*", Resource: "*"}\n'
    )
    assert path.stat().st_size > 200_000
    out, elapsed = lint_in_time(path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 1, out.stdout + out.stderr
    assert findings(out) == [
        "big.yaml:14:9: IAM503",
        "big.yaml:16:37: IAM101",
        "big.yaml:16:55: IAM102",
    ], out.stdout
    assert elapsed < BOUND_S, f"took {elapsed:.1f} s"


# -- the cap: the first MAX_ALTERNATIVES values, then one Unknown with the source text ------------
RESOURCE_LINE = 120  # of Resource in the template below


def resources(resource: str) -> tuple:
    text = textwrap.dedent(
        """\
        Parameters:
          P:
            Type: String
            AllowedValues: [a, b]
          Big:
            Type: String
            AllowedValues: [{big}]
        Conditions:
          C: !Equals [!Ref P, a]
        Mappings:
          Table:
        {table}
        Resources:
          Policy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: {resource}
        """
    ).format(
        big=", ".join(f"v{i}" for i in range(100)),
        table="\n".join(f"    k{i}: {{value: v{i}}}" for i in range(100)),
        resource=resource,
    )
    ex = extract_yaml("t.yaml", text)
    assert ex is not None and not ex.diagnostics, ex and ex.diagnostics
    (doc,) = ex.documents
    (stmt,) = doc.statements
    return stmt.resource


def assert_capped(vals, first: list[str], rest_text: str, line: int, column: int) -> None:
    assert len(vals) == MAX_ALTERNATIVES + 1
    assert all(isinstance(v, Str) for v in vals[:-1])
    assert [v.value for v in vals[: len(first)]] == first
    rest = vals[-1]
    assert isinstance(rest, Unknown)
    assert rest.text == rest_text
    assert (rest.span.line, rest.span.column) == (line, column)
    assert f"more than {MAX_ALTERNATIVES} values" in rest.note


def test_sub_beyond_the_cap_ends_in_an_unknown():
    vals = resources('!Sub "x-${P}-${P}-${P}-${P}-${P}-${P}-${P}"')  # 128 strings
    assert_capped(
        vals,
        ["x-a-a-a-a-a-a-a", "x-a-a-a-a-a-a-b", "x-a-a-a-a-a-b-a"],
        "!Sub x-${P}-${P}-${P}-${P}-${P}-${P}-${P}",
        RESOURCE_LINE,
        23,
    )
    assert vals[-2].value == "x-a-b-b-b-b-b-b"  # the 64th in order: the first part stays a


def test_sub_at_the_cap_is_complete():
    vals = resources('!Sub "x-${P}-${P}-${P}-${P}-${P}-${P}"')  # 64 strings
    assert len(vals) == MAX_ALTERNATIVES and all(isinstance(v, Str) for v in vals)
    assert vals[-1].value == "x-b-b-b-b-b-b"


def test_join_beyond_the_cap_ends_in_an_unknown():
    vals = resources("!Join [':', [!Ref P, !Ref P, !Ref P, !Ref P, !Ref P, !Ref P, !Ref P]]")
    assert_capped(
        vals,
        ["a:a:a:a:a:a:a", "a:a:a:a:a:a:b"],
        '!Join [":",[' + ",".join(['{"Ref":"P"}'] * 7) + "]]",
        RESOURCE_LINE,
        23,
    )


def test_parameter_with_many_allowed_values_ends_in_an_unknown():
    assert_capped(resources("!Ref Big"), ["v0", "v1"], "!Ref Big", RESOURCE_LINE, 23)


def test_find_in_map_over_a_big_table_ends_in_an_unknown():
    assert_capped(
        resources("!FindInMap [Table, !Ref AWS::Region, value]"),
        ["v0", "v1"],
        '!FindInMap ["Table",{"Ref":"AWS::Region"},"value"]',
        RESOURCE_LINE,
        23,
    )


def test_nested_if_beyond_the_cap_ends_in_an_unknown():
    node = "arn:aws:s3:::b"
    for _ in range(7):  # 128 leaves
        node = f"!If [C, {node}, {node}]"
    vals = resources(node)
    assert len(vals) == MAX_ALTERNATIVES + 1
    assert isinstance(vals[-1], Unknown) and vals[-1].text.startswith("!If")
