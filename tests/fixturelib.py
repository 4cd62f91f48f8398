"""Fixture files and their expected findings (the runner is `iamlint.testing`).

Every file ``X`` under ``tests/fixtures/`` with a sibling ``X.expected`` is a fixture. The
expected file lists every finding of linting ``X`` (all codes), one ``CODE:line:col`` per
line, in output order; blank lines and ``#`` comments are ignored; an empty list means the
file must be clean. Terraform fixtures are linted with their directory as the module, so
each Terraform case has a folder of its own.

``IAMLINT_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py`` rewrites the expected files
from the current output (review the diff before committing it).
"""

from __future__ import annotations

import os
from pathlib import Path

from iamlint.registry import default_registry
from iamlint.testing import assert_fixture, lint_fixture, read_expected

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: IAMLINT_UPDATE_FIXTURES=1 rewrites the expected files instead of comparing
UPDATE = bool(os.environ.get("IAMLINT_UPDATE_FIXTURES"))


def fixture_files() -> list[Path]:
    return sorted(p.with_suffix("") for p in FIXTURES.rglob("*.expected"))


def expected(path: Path) -> list[str]:
    return read_expected(path)


def actual(path: Path) -> list[str]:
    return lint_fixture(path, default_registry())


def check(path: Path) -> None:
    """Compare (or, with IAMLINT_UPDATE_FIXTURES=1, rewrite) one fixture's expected file."""
    assert_fixture(path, default_registry(), update=UPDATE)
