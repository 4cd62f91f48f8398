"""One parametrized test over every fixture file and its expected findings (see fixturelib)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixturelib import FIXTURES, check, coverage_problems, fixture_files, fixture_format, tree_problems

from iamlint.engine import Linter
from iamlint.ruleset import default_registry

CASES = fixture_files()


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(FIXTURES)) for p in CASES])
def test_fixture(path: Path):
    check(path)


def test_every_fixture_has_expected_findings_and_every_expected_file_a_fixture():
    problems = tree_problems()
    assert not problems, "\n".join(problems)


def test_every_rule_has_failing_and_passing_fixtures_of_each_of_its_formats():
    """A rule with a check has, for every format it applies to, a fixture that triggers it
    and one that does not."""
    problems = coverage_problems(default_registry())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(FIXTURES)) for p in CASES])
def test_fixture_names_say_how_iamlint_reads_them(path: Path):
    """The format a fixture's name declares is the one the engine reads it as, so that the
    coverage above counts what is really tested."""
    declared = fixture_format(path)
    assert declared is not None, f"{path.name}: no format by its name (see fixturelib)"
    family = {"cloudformation-json": "cloudformation", "cloudformation-yaml": "cloudformation"}
    report = Linter(default_registry()).run([str(path)])
    read_as = {fr.format for fr in report.files if fr.path == str(path) or path.is_dir()}
    assert family.get(declared, declared) in read_as, f"{path.name} is named {declared}, read as {read_as}"
