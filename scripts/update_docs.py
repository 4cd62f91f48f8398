#!/usr/bin/env python3
"""Regenerate the documentation generated from the rules: docs/rules.md and the rule table
of docs/cfn-lint.md. Tests fail when either is stale.

    python scripts/update_docs.py
"""

from __future__ import annotations

from pathlib import Path

from iamlint.cfnlint import cfn_lint_id, mapping
from iamlint.docgen import render
from iamlint.ruleset import builtin_registry

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    (ROOT / "docs" / "rules.md").write_text(render(builtin_registry()), encoding="utf-8")
    path = ROOT / "docs" / "cfn-lint.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    rows = [
        f"| {r.code} | {r.name} | {r.severity.value} | {r.cfn_lint_id} | "
        + " / ".join(cfn_lint_id(r.code, s) for s in ("error", "warning", "info"))
        + " |"
        for r in mapping()
    ]
    table = [i for i, line in enumerate(lines) if line.startswith("| IAM")]
    lines[table[0] : table[-1] + 1] = rows
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
