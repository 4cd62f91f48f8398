"""Wildcard patterns from a policy are matched in linear time, whatever they look like.

Issue "Hostile input", defect 1: ``"Action": "ec2:******x"`` took 0.9 s with 4 stars, 5 s with
5 and never finished with 6, because the pattern became a backtracking regex (``[^ ]*`` per
star) run over the action catalogue.
"""

from __future__ import annotations

import fnmatch
import json
import os
import random
import subprocess
import time

import pytest
from conftest import iamlint_bin

from iamlint.catalogue import get, glob_regex
from iamlint.rulekit import action_matches, glob_to_regex

#: A run of a one-statement policy takes about 0.15 s; before the fix these took minutes.
BOUND_S = 10.0
TIMEOUT_S = 60


def lint_in_time(tmp_path, policy: dict) -> tuple[subprocess.CompletedProcess, float]:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(policy, separators=(",", ":")))  # as the issue writes it
    env = dict(os.environ, NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    start = time.monotonic()
    try:
        out = subprocess.run(
            iamlint_bin() + [path.name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"iamlint did not finish within {TIMEOUT_S} s")
    return out, time.monotonic() - start


def statement(key: str, pattern: str) -> dict:
    return {"Statement": [{"Effect": "Allow", key: pattern, "Resource": "*"}]}


# Columns: "Action": "<pattern>" has its value at 42, "NotAction" at 45 and its key at 33.
ALL = len(get().expand("*"))
MATCHES_X = len(get().expand("*:*x"))  # every action of every service that ends in x


@pytest.mark.parametrize(
    "key,pattern,expected",
    [
        ("Action", "ec2:******x", ["policy.json:1:42: IAM501 [warning] 'ec2:******x' matches no ec2 action"]),
        (
            "Action",
            "ec2:*?*?*?*?*?*?*?x",
            ["policy.json:1:42: IAM501 [warning] 'ec2:*?*?*?*?*?*?*?x' matches no ec2 action"],
        ),
        (
            "Action",
            "**********x:GetObject",
            ["policy.json:1:42: IAM501 [warning] '**********x:GetObject' is not an action: write"],
        ),
        (
            "Action",
            "*:*****x",
            [
                f'policy.json:1:42: IAM101 [warning] "*:*****x" matches {MATCHES_X} actions',
                "policy.json:1:42: IAM501 [warning] '*:*****x' is not an action: write",
                "policy.json:1:64: IAM102 [warning] Allow statement applies to every resource",
            ],
        ),
        (
            "NotAction",
            "ec2:******x",
            [
                f"policy.json:1:33: IAM103 [error] Allow statement with NotAction ec2:******x allows {ALL:,} "
                "actions",
                "policy.json:1:45: IAM501 [warning] 'ec2:******x' matches no ec2 action",
            ],
        ),
        (
            "NotAction",
            "ec2:*?*?*?*?*?*?*?x",
            [
                "policy.json:1:33: IAM103 [error] Allow statement with NotAction ec2:*?*?*?*?*?*?*?x allows "
                f"{ALL:,} actions",
                "policy.json:1:45: IAM501 [warning] 'ec2:*?*?*?*?*?*?*?x' matches no ec2 action",
            ],
        ),
        (
            "NotAction",
            "**********x:GetObject",
            [
                "policy.json:1:33: IAM103 [error] Allow statement with NotAction **********x:GetObject allows "
                f"{ALL:,} actions",
                "policy.json:1:45: IAM501 [warning] '**********x:GetObject' is not an action: write",
            ],
        ),
        (
            "NotAction",
            "*:*****x",
            [
                "policy.json:1:33: IAM103 [error] Allow statement with NotAction *:*****x allows "
                f"{ALL - MATCHES_X:,} actions",
                "policy.json:1:45: IAM501 [warning] '*:*****x' is not an action: write",
            ],
        ),
    ],
)
def test_repeated_wildcards_lint_fast(tmp_path, key, pattern, expected):
    out, elapsed = lint_in_time(tmp_path, statement(key, pattern))
    assert "Traceback" not in out.stderr
    assert out.returncode == 1, out.stderr
    lines = [line for line in out.stdout.splitlines() if line.startswith("policy.json:")]
    assert len(lines) == len(expected), out.stdout
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert elapsed < BOUND_S, f"{pattern!r} in {key} took {elapsed:.1f} s"


def test_long_hostile_patterns_lint_fast(tmp_path):
    """Thousands of wildcards (a policy may be that long) in every shape, in one run."""
    patterns = [
        "ec2:" + "*" * 5000 + "x",
        "ec2:" + "*?" * 3000 + "x",
        "ec2:" + "*a" * 3000 + "x",
        "*" * 5000 + ":" + "*" * 5000 + "Describe" + "*" * 5000,
        "*:" + "*s" * 40 + "*",
    ]
    policy = {
        "Statement": [
            {"Effect": "Deny", "Action": patterns, "Resource": "*"},
            {"Effect": "Allow", "NotAction": patterns, "Resource": "*", "Principal": "*"},
        ]
    }
    out, elapsed = lint_in_time(tmp_path, policy)
    assert "Traceback" not in out.stderr and "IAM903" not in out.stdout
    assert out.returncode == 1, out.stderr
    assert "IAM103" in out.stdout
    assert elapsed < BOUND_S, f"took {elapsed:.1f} s"


# -- the matcher agrees with fnmatch (with no [...] classes), in far less than exponential time ---
def reference(pattern: str, name: str) -> bool:
    return fnmatch.fnmatchcase(name.lower(), pattern.lower().replace("[", "[[]"))


def random_patterns(count: int) -> list[tuple[str, str]]:
    rng = random.Random(20240610)
    names = get().all_actions()
    out = []
    for _ in range(count):
        name = rng.choice(names)
        chars = list(name)
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(chars))
            roll = rng.random()
            if roll < 0.35:
                chars[i] = "*"
            elif roll < 0.6:
                chars[i] = "?"
            elif roll < 0.8:
                chars.insert(i, "*" * rng.randint(1, 3))
            else:
                chars[i : i + rng.randint(1, 8)] = ["*"]
        out.append(("".join(chars), rng.choice((name, rng.choice(names)))))
    return out


def test_action_matches_agrees_with_fnmatch():
    cases = random_patterns(3000) + [
        ("sts:*", "sts:AssumeRole"),
        ("STS:assume*", "sts:AssumeRole"),
        ("sts:Assume?", "sts:AssumeRole"),
        ("s?s:*Role", "sts:AssumeRole"),
        ("*", ""),
        ("?", ""),
        ("a*a*a", "aa"),
        ("a*a*a", "aaa"),
        ("*ab*ab", "abab"),
        ("*a?b*", "axb"),
        ("x[1]*", "x[1]y"),
        ("x.*", "xy"),
    ]
    for pattern, name in cases:
        assert action_matches(pattern, name) == reference(pattern, name), (pattern, name)
    assert sum(action_matches(p, n) for p, n in cases) > 100  # not a test of "never matches"


def test_expand_agrees_with_fnmatch_over_the_catalogue():
    cat = get()
    names = cat.all_actions()
    for pattern, _ in random_patterns(25):
        if ":" not in pattern:
            continue
        want = tuple(n for n in names if reference(pattern, n))
        got = cat.expand(pattern)
        assert sorted(got) == sorted(want), pattern


def test_glob_regex_collapses_wildcard_runs():
    assert glob_regex("ec2:******x") == "ec2:.*x"
    assert glob_regex("ec2:*?*?*?x", "[^ ]") == "ec2:[^ ][^ ][^ ][^ ]*x"
    assert glob_regex("a?b") == "a.b"
    assert glob_to_regex("*").match("anything")


def test_matching_is_not_exponential():
    start = time.monotonic()
    assert not action_matches("ec2:" + "*?" * 30 + "x", "ec2:" + "y" * 60)
    assert not action_matches("*a" * 2000 + "b", "a" * 4000)
    assert not action_matches("*" * 40 + "x", "a" * 45)
    assert get().expand("ec2:" + "*a" * 40 + "*") == ()
    assert time.monotonic() - start < BOUND_S
