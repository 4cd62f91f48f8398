"""Fixture tests for rules: lint a fixture, compare its findings with its ``.expected`` file.

iamlint's own rules are tested this way, and a plugin's rules can be too::

    import pytest
    from pathlib import Path
    from iamlint.testing import assert_fixture, registry_with

    from acme_iam_rules import NoBucketDeletion

    REGISTRY = registry_with(NoBucketDeletion)
    CASES = sorted(p.with_suffix("") for p in Path("tests/fixtures").rglob("*.expected"))

    @pytest.mark.parametrize("fixture", CASES, ids=str)
    def test_fixture(fixture):
        assert_fixture(fixture, REGISTRY)

A fixture is a file or a folder ``X`` with its expected findings in the file ``X.expected``
beside it. A file is a raw JSON policy, a CloudFormation template or a Terraform plan; a
folder is linted as a whole, as ``iamlint X/`` would: a Terraform case is a folder, whose
``.tf`` files are one module (the files its ``file()`` calls read are linted too).

``X.expected`` lists every finding of the run, in every file, with the given rules (all
codes), one per line, in output order (files by path, then line, column and code). A line
is the code and the range of the finding, as an editor underlines it (1-based; the end
column is the one after the last character, as in `iamlint.Span`):

- ``CODE:line:col-end_line:end_col`` for a finding in the fixture file itself, such as
  ``IAM101:6:17-6:23`` for ``"s3:*"`` (quotes included) on line 6;
- ``CODE:FILE:line:col-end_line:end_col`` for a finding in any other file, ``FILE`` being
  its path relative to the folder the fixture file is in (for a folder fixture: to the
  folder itself), so that every line of a folder fixture names its file:
  ``IAM101:main.tf:12:17-12:23``, ``IAM102:policies/ci.json:8:19-8:22``;
- ``usage-error: MESSAGE`` for a usage error of the run, such as a path that does not exist.

Input errors (IAM900 parse-error, IAM903 internal-error, IAM904 invalid-suppression) are
findings like the others: a fixture whose ``.expected`` does not list them fails. Blank lines
and lines starting with ``#`` are ignored; an empty file means the run must be clean.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Union

from .config import Config
from .engine import Linter
from .registry import Registry
from .rule import Rule
from .ruleset import builtin_registry, default_registry

#: a path as a string or a `pathlib.Path`
PathLike = Union[str, "os.PathLike[str]"]

SUFFIX = ".expected"


def registry_with(*rules: type[Rule]) -> Registry:
    """iamlint's built-in rules and ``rules`` (a plugin's, validated as the loader does)."""
    registry = builtin_registry()
    for rule in rules:
        registry.add(rule, origin="tests", builtin=False)
    return registry


def expected_path(fixture: PathLike) -> Path:
    """The ``.expected`` file of a fixture: ``X.expected`` beside ``X``."""
    return Path(os.path.normpath(os.fspath(fixture)) + SUFFIX)


def lint_fixture(fixture: PathLike, registry: Registry | None = None) -> list[str]:
    """Lint ``fixture`` (a file or a folder) as the command line does, without configuration
    files, and return the usage errors and findings of the run as ``.expected`` lines.

    ``registry`` holds the rules to run; by default iamlint's rules and the installed
    plugins (`iamlint.ruleset.default_registry`).
    """
    path = os.path.abspath(os.fspath(fixture))
    registry = registry if registry is not None else default_registry()
    # an opt-in rule's own fixtures are linted with it selected (the folder names its code)
    folder = os.path.basename(os.path.dirname(path)).split("-", 1)[0]
    rule = registry.get(folder) if folder else None
    config = Config(extend_select=(rule.code,)) if rule is not None and rule.opt_in else Config()
    report = Linter(registry, config).run([path])
    base = path if os.path.isdir(path) else os.path.dirname(path)
    out = ["usage-error: " + e.replace(os.path.dirname(path) + os.sep, "") for e in report.usage_errors]
    for file_report in report.files:
        for f in file_report.findings:
            file = f.span.file or file_report.path
            where = "" if file == path else os.path.relpath(file, base).replace(os.sep, "/") + ":"
            s = f.span
            out.append(f"{f.code}:{where}{s.line}:{s.column}-{s.end_line}:{s.end_column}")
    return out


def read_expected(path: PathLike) -> list[str]:
    """The lines of an ``.expected`` file, without blank lines and ``#`` comments.

    ``path`` is the fixture or its ``.expected`` file.
    """
    p = os.path.normpath(os.fspath(path))
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
    exp_file = expected_path(fixture)
    if not os.path.exists(fixture):
        raise AssertionError(f"{exp_file}: its fixture {Path(fixture).name} does not exist")
    got = lint_fixture(fixture, registry)
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
