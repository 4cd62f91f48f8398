"""Fixture tests for rules: lint a fixture, compare its findings with its ``.expected`` file.

iamlint's own rules are tested this way, and a plugin's rules can be too::

    import pytest
    from pathlib import Path
    from iamlint.registry import Registry
    from iamlint.rules import BUILTIN
    from iamlint.testing import assert_fixture

    from acme_iam_rules import NoBucketDeletion

    REGISTRY = Registry(BUILTIN)
    REGISTRY.add(NoBucketDeletion, origin="tests")
    CASES = sorted(p.with_suffix("") for p in Path("tests/fixtures").rglob("*.expected"))

    @pytest.mark.parametrize("fixture", CASES, ids=str)
    def test_fixture(fixture):
        assert_fixture(fixture, REGISTRY)

A fixture is a file ``X`` (a raw JSON policy, a CloudFormation template, a Terraform plan,
a ``.tf`` file) with its expected findings in the file ``X.expected`` beside it: every
finding of linting ``X`` with the given rules (all codes), one ``CODE:line:col`` per line,
in output order (by line, column, code). Blank lines and lines starting with ``#`` are
ignored; an empty file means the fixture must lint clean.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Union

from .engine import Linter
from .registry import Registry, default_registry

#: a path as a string or a `pathlib.Path`
PathLike = Union[str, "os.PathLike[str]"]

SUFFIX = ".expected"


def expected_path(fixture: PathLike) -> Path:
    """The ``.expected`` file of a fixture: ``X.expected`` beside ``X``."""
    return Path(os.fspath(fixture) + SUFFIX)


def lint_fixture(fixture: PathLike, registry: Registry | None = None) -> list[str]:
    """Lint ``fixture`` as the command line does (no configuration files) and return its
    findings as ``.expected`` lines.

    ``registry`` holds the rules to run; by default iamlint's rules and the installed
    plugins (`iamlint.registry.default_registry`).
    """
    path = os.path.abspath(os.fspath(fixture))
    report = Linter(registry if registry is not None else default_registry()).run([path])
    return [
        f"{f.code}:{f.span.line}:{f.span.column}"
        for f in report.findings
        if f.span.file == path
    ]


def read_expected(path: PathLike) -> list[str]:
    """The lines of an ``.expected`` file, without blank lines and ``#`` comments.

    ``path`` is the fixture or its ``.expected`` file.
    """
    p = os.fspath(path)
    if not p.endswith(SUFFIX):
        p += SUFFIX
    lines = Path(p).read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def assert_fixture(fixture: PathLike, registry: Registry | None = None, update: bool = False) -> None:
    """Raise `AssertionError`, with a diff, when linting ``fixture`` does not give exactly
    the lines of its ``.expected`` file.

    With ``update``, write the ``.expected`` file from the findings instead (review the diff
    before committing it).
    """
    got = lint_fixture(fixture, registry)
    exp_file = expected_path(fixture)
    if update:
        exp_file.write_text("".join(line + "\n" for line in got), encoding="utf-8")
        return
    if not exp_file.exists():
        raise AssertionError(f"{fixture}: no {exp_file.name}; write the expected findings there")
    want = read_expected(exp_file)
    if got != want:
        diff = difflib.unified_diff(want, got, exp_file.name, "linted", lineterm="")
        raise AssertionError(
            f"{fixture}: the findings differ from {exp_file.name} (- expected, + linted)\n" + "\n".join(diff)
        )
