"""Fixture files and folders and their expected findings (the runner is `iamlint.testing`).

Every file or folder ``X`` under ``tests/fixtures/<CODE>-<name>/`` with a sibling
``X.expected`` is a fixture. A Terraform case is a folder ``tf-*/`` of its own, linted as
one module (and the files its ``file()`` calls read), with its expectations in
``tf-*.expected`` beside the folder.

The expected file lists every finding of the run (all codes, in every file) and its usage
errors, one per line, in output order (files by path, then line, column and code):

- ``CODE:line:col`` for a finding in the fixture file itself;
- ``CODE:FILE:line:col`` for a finding in any other file, ``FILE`` being its path relative
  to the fixture's folder, so every line of a folder fixture names its file, as in
  ``IAM101:main.tf:12:17``;
- ``usage-error: MESSAGE`` for a usage error of the run.

Blank lines and ``#`` comments are ignored; an empty list means the run must be clean.
Input errors (IAM900, IAM903, IAM904) are findings like the others, so a fixture fails on
one its expected file does not list.

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
