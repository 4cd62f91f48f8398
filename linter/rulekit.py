"""Small helpers shared by built-in rules (and usable by plugins)."""

from __future__ import annotations

from typing import Iterator

from .model import Finding, PolicyDocument, Principal, Statement, Str
from .registry import Rule

_NOT_FIELDS = {"NotAction": "not_action", "NotResource": "not_resource", "NotPrincipal": "not_principal"}


def element_values(stmt: Statement, element: str) -> list[str]:
    value = getattr(stmt, _NOT_FIELDS.get(element, element))
    if value is None:
        return []
    if isinstance(value, Principal):
        return [e.value.value if isinstance(e.value, Str) else e.value.text for e in value.entries]
    return [v.value if isinstance(v, Str) else v.text for v in value]


def allow_with_not_element(
    rule: Rule, stmt: Statement, doc: PolicyDocument, element: str, grants: str
) -> Iterator[Finding]:
    """One finding at the ``Not*`` key of an Allow statement that has it."""
    if not stmt.is_allow or getattr(stmt, _NOT_FIELDS[element]) is None:
        return
    key = next((k for k in stmt.keys if k.value == element), None)
    span = key.span if key else stmt.span
    listed = element_values(stmt, element)
    shown = ", ".join(listed[:3]) + (f", ... ({len(listed)} in all)" if len(listed) > 3 else "")
    yield rule.finding(
        span,
        f"Allow statement with {element} grants {grants} {shown or 'nothing listed'}",
        owner=doc.origin.label,
        value=f"{element}:{','.join(sorted(listed))}",
    )
