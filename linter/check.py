"""Running the rules: the enabled rules of one configuration over one extraction.

Each rule is called for the scopes it declares: once per statement, per document or per
principal. A rule that raises does not hide the other findings: its failure becomes one
IAM903 internal-error at the element it was looking at (``IAMLINT_DEBUG=1`` re-raises).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from .diagnostics import INPUT_ERRORS, internal_error
from .extract.extraction import Extraction
from .model import Finding, Span
from .registry import Registry
from .rule import Context, Rule


class Checker:
    """The enabled rules of one configuration, ready to run on extractions."""

    def __init__(
        self,
        registry: Registry,
        enabled: Callable[[str], bool],
        settings: dict[str, Any],
        named: Callable[[str], bool] | None = None,
    ):
        """``enabled``: whether a code is selected; ``named``: whether it is selected by its
        code or a prefix (an opt-in rule runs only then; None: never)."""
        self.settings = settings
        rules = [
            r() for r in registry if (named is not None and named(r.code) if r.opt_in else enabled(r.code))
        ]
        self.enabled = {r.code for r in rules}
        self.statement_rules = [r for r in rules if "statement" in r.scopes]
        self.document_rules = [r for r in rules if "document" in r.scopes]
        self.principal_rules = [r for r in rules if "principal" in r.scopes]

    def check(self, ex: Extraction) -> list[Finding]:
        """The extraction's diagnostics (those enabled, and every input error) and the
        findings of every enabled rule."""
        ctx = Context(tuple(ex.documents), tuple(ex.principals), self.settings)
        out = [d for d in ex.diagnostics if d.code in self.enabled or d.code in INPUT_ERRORS]
        for doc in ex.documents:
            for rule in self.document_rules:
                out.extend(_call(rule, doc.span, rule.check_document, doc, ctx))
            for stmt in doc.statements:
                for rule in self.statement_rules:
                    out.extend(_call(rule, stmt.span, rule.check_statement, stmt, doc, ctx))
        for principal in ex.principals:
            for rule in self.principal_rules:
                out.extend(_call(rule, principal.span, rule.check_principal, principal, ctx))
        return out


def _call(rule: Rule, span: Span, fn: Callable[..., Iterable[Finding] | None], *args: Any) -> list[Finding]:
    try:
        return list(fn(*args) or ())
    except Exception as e:  # a rule bug must not hide the other findings
        if os.environ.get("IAMLINT_DEBUG"):
            raise
        return [internal_error(span, f"rule {rule.code} failed: {type(e).__name__}: {e}")]
