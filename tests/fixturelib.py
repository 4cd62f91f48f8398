"""Fixture files and folders and their expected findings (the runner is `iamlint.testing`).

Every file or folder ``X`` under ``tests/fixtures/<CODE>-<name>/`` with a sibling
``X.expected`` is a fixture. A Terraform case is a folder ``tf-*/`` of its own, linted as
one module (and the files its ``file()`` calls read), with its expectations in
``tf-*.expected`` beside the folder.

The expected file lists every finding of the run (all codes, in every file) and its usage
errors, one per line, in output order (files by path, then line, column and code):

- ``CODE:line:col-end_line:end_col`` for a finding in the fixture file itself: the range
  an editor underlines, end column exclusive (``IAM101:6:17-6:23`` is ``"s3:*"`` with its
  quotes, on line 6);
- ``CODE:FILE:line:col-end_line:end_col`` for a finding in any other file, ``FILE`` being
  its path relative to the fixture's folder, so every line of a folder fixture names its
  file, as in ``IAM101:main.tf:12:17-12:23``;
- ``usage-error: MESSAGE`` for a usage error of the run.

Blank lines and ``#`` comments are ignored; an empty list means the run must be clean.
Input errors (IAM900, IAM903, IAM904) are findings like the others, so a fixture fails on
one its expected file does not list.

The tree itself is checked (`tree_problems`), so that no fixture silently stops being tested:
an ``X.expected`` whose ``X`` is gone, an ``.expected`` anywhere but directly in a rule
folder (where no one reads it), and a file or folder of a rule folder without its
``.expected`` are errors. Names starting with ``.`` are ignored.

A fixture's input format comes from its name (`fixture_format`): ``*.cfn.json``
cloudformation-json, ``*.cfn.yaml``/``*.cfn.yml`` cloudformation-yaml, ``*.tfplan.json``
terraform-plan, a folder ``tf-*`` terraform, any other ``*.json`` json. Every rule with a
check needs, for each format of its ``formats``, a failing fixture (its expected file lists
the rule's code) and a passing one (it does not) in its rule folder (`coverage_problems`).

``IAMLINT_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py`` rewrites the expected files
from the current output (review the diff before committing it).
"""

from __future__ import annotations

import os
from pathlib import Path

from iamlint.registry import Registry
from iamlint.rule import DiagnosticRule
from iamlint.ruleset import default_registry
from iamlint.testing import SUFFIX, assert_fixture, expected_path, read_expected

FIXTURES = Path(__file__).resolve().parent / "fixtures"

#: IAMLINT_UPDATE_FIXTURES=1 rewrites the expected files instead of comparing
UPDATE = bool(os.environ.get("IAMLINT_UPDATE_FIXTURES"))


def fixture_files(root: Path = FIXTURES) -> list[Path]:
    """Every fixture: the ``X`` of every ``X.expected`` under ``root``."""
    return sorted(p.with_suffix("") for p in root.rglob("*" + SUFFIX))


def tree_problems(root: Path = FIXTURES) -> list[str]:
    """What is wrong with the layout of a fixture tree, one sentence each (none: [])."""
    out: list[str] = []
    for exp in sorted(root.rglob("*" + SUFFIX)):
        name = exp.relative_to(root)
        if not exp.with_suffix("").exists():
            out.append(f"{name}: its fixture {exp.with_suffix('').name} is missing")
        elif len(name.parts) != 2:
            out.append(
                f"{name}: not directly in a rule folder <CODE>-<name>/, so it is not a case of its own"
            )
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            out.append(f"{entry.name}: not in a rule folder <CODE>-<name>/")
            continue
        for case in sorted(entry.iterdir()):
            if case.name.startswith(".") or case.name.endswith(SUFFIX):
                continue
            if not expected_path(case).exists():
                kind = "folder" if case.is_dir() else "file"
                out.append(f"{case.relative_to(root)}: a fixture {kind} without {case.name}{SUFFIX}")
    return out


def check(path: Path) -> None:
    """Compare (or, with IAMLINT_UPDATE_FIXTURES=1, rewrite) one fixture's expected file."""
    assert_fixture(path, default_registry(), update=UPDATE)


def fixture_format(path: Path) -> str | None:
    """The input format a fixture's name declares (see the module docstring), or None."""
    name = path.name.lower()
    if path.is_dir():
        return "terraform" if name.startswith("tf-") else None
    for suffix, fmt in (
        (".cfn.json", "cloudformation-json"),
        (".cfn.yaml", "cloudformation-yaml"),
        (".cfn.yml", "cloudformation-yaml"),
        (".tfplan.json", "terraform-plan"),
        (".json", "json"),
    ):
        if name.endswith(suffix):
            return fmt
    return None


def coverage_problems(registry: Registry, root: Path = FIXTURES) -> list[str]:
    """Formats a rule declares without a failing and a passing fixture of its own (diagnostic
    rules, reported by the engine itself, are not required to have any)."""
    out: list[str] = []
    cases = fixture_files(root)
    for rule in registry:  # formats were validated when the rule was registered
        if issubclass(rule, DiagnosticRule):
            continue
        folders = sorted(root.glob(f"{rule.code}-*"))
        if not folders:
            out.append(f"{rule.code} has no fixture folder {rule.code}-{rule.name}/")
            continue
        mine = [c for c in cases if any(f in c.parents for f in folders)]
        for fmt in rule.formats:
            of_format = [c for c in mine if fixture_format(c) == fmt]
            fails = [c for c in of_format if any(e.startswith(rule.code + ":") for e in read_expected(c))]
            if not fails:
                out.append(f"{rule.code} has no failing {fmt} fixture")
            if len(fails) == len(of_format):
                out.append(f"{rule.code} has no passing {fmt} fixture")
    return out
