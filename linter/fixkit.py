"""The fixes a rule declares: helpers that build a finding's `Fix` from the model.

A rule passes the result to `Rule.report` (``fix=...``). Each helper returns None when the
model already shows that no fix can be made (an unresolved value, a replacement that would
need quoting, an element written elsewhere); `iamlint.fixes` checks the source text itself
before it edits anything. Rule authors import these from `iamlint.api`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Fix, PolicyDocument, Span, Str, Unknown, Value

#: the policy language version a fix writes
VERSION = "2012-10-17"
#: text that reads the same in every quoting iamlint edits: a JSON or HCL string, a YAML plain,
#: single- or double-quoted scalar (no quote, backslash, space, ``${``, ``#`` or leading
#: YAML indicator)
_SAFE_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9:*?_./+=,@-]*")


def safe_text(text: str) -> bool:
    """Whether ``text`` can replace a value in any format without quoting or escaping."""
    return len(text) <= 2048 and _SAFE_TEXT.fullmatch(text) is not None


def contains(outer: Span, inner: Span) -> bool:
    """Whether ``inner`` lies within ``outer`` (same file, start and end inside)."""
    return (
        outer.file == inner.file
        and (outer.line, outer.column) <= (inner.line, inner.column)
        and (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)
    )


def written_as_is(value: Str) -> bool:
    """Whether the value's span is as long as its text, bare or in quotes: a value made by a
    function (``!Join``, ``!Sub``, ``format()``), an escape or an interpolation is longer or
    spans lines. The fix engine checks the text itself; this keeps a finding from offering a
    fix that cannot apply."""
    s = value.span
    return s.line == s.end_line and s.end_column - s.column in (len(value.value), len(value.value) + 2)


def replace_fix(value: Value, new: str, title: str, *, safe: bool, within: Span | None = None) -> Fix | None:
    """``value`` becomes ``new``: an action, a condition operator. None when the value is not
    a literal, lies outside ``within`` (the element it must be written in), or ``new`` would
    need quoting."""
    if not isinstance(value, Str) or value.value == new or not safe_text(new) or not written_as_is(value):
        return None
    if within is not None and not contains(within, value.span):
        return None
    return Fix("replace", title, safe, value.span, old=value.value, new=new, within=within)


def remove_item_fix(
    value: Value, items: Sequence[Value], within: Span | None, title: str, *, safe: bool = True
) -> Fix | None:
    """The list item ``value`` of ``items`` (the whole list, in order, written as ``within``)
    goes, with its comma or its line. None when it is the only item, or the list is not
    written as one list (a ``Fn::If``, a ``concat()``: ``within`` is then not its span)."""
    if within is None or len(items) < 2 or not isinstance(value, (Str, Unknown)):
        return None
    spans, members = _item_spans(items, within)
    if value.span not in members:
        return None
    old = value.value if isinstance(value, Str) else value.text
    return Fix("remove", title, safe, value.span, old=old, within=within, items=spans)


#: the list `remove_item_fix` was last asked about, with its items' spans and their set
#: (empty when one is not inside the list's span: no item can be removed). A rule asks once per item of one list, so a
#: list of 8,000 duplicates took 64 million span comparisons and as many references in its
#: fixes (issue "Hostile input"); its fixes now share one tuple of spans. The list itself is
#: held here, so its ``id`` is not reused while it is remembered.
_last_list: tuple = ((), None, None, frozenset())


def _item_spans(items: Sequence[Value], within: Span) -> tuple[tuple[Span, ...], frozenset[Span]]:
    global _last_list
    last = _last_list
    if last[0] is items and last[1] == within:
        return last[2], last[3]
    spans = tuple(v.span for v in items)
    members = frozenset(spans) if all(contains(within, s) for s in spans) else frozenset()
    _last_list = (items, within, spans, members)
    return spans, members


def first_key(doc: PolicyDocument) -> Str | None:
    """The document's first key as written (where a new first key goes)."""
    keys = [k for k in doc.keys if k.span.file == doc.span.file]
    return min(keys, key=lambda k: (k.span.line, k.span.column)) if keys else None


def add_version_fix(doc: PolicyDocument, title: str, *, safe: bool) -> Fix | None:
    """``"Version": "2012-10-17"`` as the document's first key, in the document's own style.
    None when it has a Version or no key to put it before."""
    if doc.version is not None:
        return None
    key = first_key(doc)
    if key is None or not contains(doc.span, key.span) or not written_as_is(key):
        return None
    return Fix("add-version", title, safe, key.span, old=key.value, new=VERSION, within=doc.span)


#: a policy variable as a value writes it: ``${aws:username}``, ``${s3:prefix}``, the special
#: ``${*}``, ``${?}`` and ``${$}``; also inside unresolved text, where CloudFormation's
#: ``Fn::Sub`` escapes it as ``${!aws:username}`` and Terraform as ``&{aws:username}``. A
#: template's own variables (``${Bucket}``, ``${AWS::Region}``, ``${var.name}``) are not.
_POLICY_VARIABLE = re.compile(r"[$&]\{!?(?:[*?$]|[\w.-]+:[\w./-]+)\}")


def document_variables(doc: PolicyDocument) -> list[str]:
    """The policy variables (``${aws:username}``) a document's values use, as written."""
    found: list[str] = []
    for s in doc.statements:
        values: list[Value] = []
        for vs in (s.action, s.not_action, s.resource, s.not_resource):
            values.extend(vs or ())
        for p in (s.principal, s.not_principal):
            values.extend(e.value for e in (p.entries if p is not None else ()))
        for c in s.condition:
            values.extend(c.values)
        for v in values:
            text = v.value if isinstance(v, Str) else v.text
            if "{" not in text:
                continue
            for m in _POLICY_VARIABLE.finditer(text[:4096]):
                if m.group() not in found:
                    found.append(m.group())
    return found
