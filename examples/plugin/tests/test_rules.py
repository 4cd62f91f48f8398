"""ACME's rule on its fixtures, the way iamlint tests its own (see iamlint.testing)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from acme_iam_rules import NoBucketDeletion

from iamlint.testing import assert_fixture, registry_with

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.with_suffix("") for p in FIXTURES.rglob("*.expected"))
REGISTRY = registry_with(NoBucketDeletion)  # iamlint's rules and ours, as a run sees them


@pytest.mark.parametrize("fixture", CASES, ids=[p.name for p in CASES])
def test_fixture(fixture: Path) -> None:
    # IAMLINT_UPDATE_FIXTURES=1 rewrites the .expected files: read every changed line
    assert_fixture(fixture, REGISTRY, update=bool(os.environ.get("IAMLINT_UPDATE_FIXTURES")))
