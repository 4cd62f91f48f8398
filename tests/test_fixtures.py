"""One parametrized test over every fixture file and its expected findings (see fixturelib)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixturelib import FIXTURES, check, expected, fixture_files, tree_problems

CASES = fixture_files()


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(FIXTURES)) for p in CASES])
def test_fixture(path: Path):
    check(path)


def test_every_fixture_has_expected_findings_and_every_expected_file_a_fixture():
    problems = tree_problems()
    assert not problems, "\n".join(problems)


def test_every_rule_has_failing_and_passing_fixtures():
    """A rule with a check has at least one fixture that triggers it and one that is clean."""
    from iamlint.registry import default_registry

    for rule in default_registry():
        if rule.scope == "diagnostic":
            continue
        folders = list(FIXTURES.glob(f"{rule.code}-*"))
        assert folders, f"no fixture folder for {rule.code}"
        files = [p for f in folders for p in fixture_files() if f in p.parents]
        failing = [p for p in files if any(e.startswith(rule.code + ":") for e in expected(p))]
        passing = [p for p in files if not any(e.startswith(rule.code + ":") for e in expected(p))]
        assert failing, f"{rule.code} has no failing fixture"
        assert passing, f"{rule.code} has no passing fixture"
