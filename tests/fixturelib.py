"""Fixture files and their expected findings.

Every file ``X`` under ``tests/fixtures/`` with a sibling ``X.expected`` is a fixture. The
expected file lists every finding of linting ``X`` (all codes), one ``CODE:line:col`` per
line, in output order; blank lines and ``#`` comments are ignored; an empty list means the
file must be clean. Terraform fixtures are linted with their directory as the module, so
each Terraform case has a folder of its own.

``IAMLINT_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py`` rewrites the expected files
from the current output (review the diff before committing it).
"""

from __future__ import annotations

from pathlib import Path

from iamlint.engine import Linter
from iamlint.ruleset import default_registry

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_files() -> list[Path]:
    return sorted(p.with_suffix("") for p in FIXTURES.rglob("*.expected"))


def expected(path: Path) -> list[str]:
    lines = Path(str(path) + ".expected").read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def actual(path: Path) -> list[str]:
    report = Linter(default_registry()).run([str(path)])
    target = str(path)
    return [
        f"{f.code}:{f.span.line}:{f.span.column}"
        for f in report.findings
        if f.span.file == target
    ]
