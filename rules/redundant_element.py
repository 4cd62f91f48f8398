"""IAM506 redundant-element."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from iamlint.api import (
    Context,
    Finding,
    PolicyDocument,
    Rule,
    Severity,
    Statement,
    Str,
    Unknown,
    Value,
    catalogue,
    pattern_covers,
    remove_item_fix,
    statement_content,
)

#: comparisons of one list item with a wildcard item, per element of a statement; beyond, only
#: duplicates are found (a hostile list of 10,000 wildcards must not cost 10,000 squared)
MAX_COMPARISONS = 20_000
#: longer items are only compared for duplicates: comparing two patterns costs the product
#: of their lengths over the machine word, and AWS's ARNs are at most 2,048 characters
MAX_LENGTH = 2048

_ELEMENTS = (
    ("Action", "action", True),
    ("NotAction", "not_action", True),
    ("Resource", "resource", False),
    ("NotResource", "not_resource", False),
)


class RedundantElement(Rule):
    """Checks for list items and statements that another one already covers.

    ## What it does
    Flags, each at the redundant element and naming what covers it:

    * an action covered by another of the same `Action` (or `NotAction`) list: a duplicate
      (case does not matter), or one that a wildcard includes (`sqs:SendMessage` beside
      `sqs:*`, `dynamodb:GetItem` beside `dynamodb:Get*`): every action the catalogue says the
      one grants, the other grants too; for actions the catalogue does not know, when the
      wildcard pattern contains the other;
    * a resource covered by another of the same `Resource` (or `NotResource`) list: a
      duplicate, or one the other's wildcards contain (`arn:aws:s3:::b/logs/*` beside
      `arn:aws:s3:::b/*`, anything beside `"*"`);
    * a statement that says exactly what an earlier statement of the policy says (its `Sid`
      aside; the order of list items and conditions does not matter).

    When two items cover each other (a duplicate), the later one is reported. The finding
    points at exactly the item (or statement) that can be deleted without changing what the
    policy grants. Items that are alternatives of one another rather than items of one list
    (the branches of a CloudFormation `Fn::If`, a parameter's allowed values) are not
    compared, nor are statements that are branches of a `Fn::If`, nor the policies SAM
    policy templates expand to (AWS wrote them). On hostile input at most 20,000 comparisons
    are made per list, and items longer than 2,048 characters (longer than any ARN) are only
    compared for duplicates; duplicates are always found.

    ## Why is this bad?
    A redundant item grants nothing more, but it misleads the reader: removing
    `sqs:SendMessage` from a statement that also has `sqs:*` takes nothing away, and a
    reviewer who sees it may believe the statement is scoped to sending. Duplicated
    statements drift apart when one copy is edited. IAM Access Analyzer reports redundant
    actions as suggestions; so does iamlint, as `info`.

    ## Example
    ```json hl_lines="8"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": [
            "sqs:*",
            "sqs:SendMessage"
          ],
          "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "sqs:SendMessage",
          "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders"
        }
      ]
    }
    ```

    ## Fix
    Safe, for a list item: the redundant item is removed, with its comma or its line, in JSON,
    YAML block and flow lists and HCL lists; what the statement grants (or excludes, in
    `NotAction` and `NotResource`) does not change. `iamlint --fix` applies it
    (docs/fixes.md). A repeated statement is not removed for you: say which copy goes.
    """

    code = "IAM506"
    name = "redundant-element"
    severity = Severity.INFO
    security_severity = "2.0"
    precision = "high"
    scopes = ("statement", "document")

    # -- items of one list ---------------------------------------------------------------------------
    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.policy_template is not None:
            return
        for element, field, is_action in _ELEMENTS:
            values = getattr(stmt, field)
            if not values or len(values) < 2 or element in stmt.alternative_elements:
                continue
            within = stmt.element_spans.get(element)
            for value, cover, duplicate in _redundant(values, is_action):
                shown = value.value if isinstance(value, Str) else value.text
                # safe: the item covered grants (or excludes) nothing the other does not
                fix = remove_item_fix(value, values, within, f'Remove "{_short(shown)}"', safe=True)
                yield self.report(value, _message(value, cover, duplicate, element), owner=doc, fix=fix)

    # -- statements of one policy ----------------------------------------------------------------------
    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.policy_template is not None or len(doc.statements) < 2:
            return
        first: dict[Any, Statement] = {}
        for stmt in doc.statements:
            if stmt.alternative or any(_cut(v) for v in _values(stmt)):
                continue
            key = statement_content(stmt)
            earlier = first.get(key)
            if earlier is None:
                first[key] = stmt
                continue
            sid = f" ({earlier.sid.value!r})" if isinstance(earlier.sid, Str) else ""
            where = (
                f"on line {earlier.span.line}"
                if earlier.span.line != stmt.span.line
                else f"at column {earlier.span.column}"
            )
            yield self.report(
                stmt.span,
                f"this statement repeats the statement {where}{sid}: delete one",
                owner=doc,
                value=f"duplicate statement {_statement_name(stmt)}",
            )


def _cut(value: Value) -> bool:
    """Whether an unresolved value's text is cut short (the extractors shorten long source
    text with "..."): two such values may differ after the cut."""
    return isinstance(value, Unknown) and value.text.endswith("...")


def _values(stmt: Statement) -> Iterable[Value]:
    for field in ("action", "not_action", "resource", "not_resource"):
        yield from getattr(stmt, field) or ()
    for p in (stmt.principal, stmt.not_principal):
        if p is not None:
            yield from (e.value for e in p.entries)
    for c in stmt.condition:
        yield from c.values


def _statement_name(stmt: Statement) -> str:
    if isinstance(stmt.sid, Str):
        return stmt.sid.value
    names = [v.value for v in stmt.action or stmt.not_action or () if isinstance(v, Str)]
    return ",".join(sorted(names)) or str(stmt.index)


def _message(value: Value, cover: Value, duplicate: bool, element: str) -> str:
    shown = value.value if isinstance(value, Str) else value.text
    by = cover.value if isinstance(cover, Str) else cover.text
    where = f"line {cover.span.line}" if cover.span.line != value.span.line else f"column {cover.span.column}"
    if duplicate:
        return (
            f'"{_short(shown)}" is a duplicate of "{_short(by)}" ({where}) in this {element} list: delete it'
        )
    return (
        f'"{_short(shown)}" is redundant: "{_short(by)}" ({where}) already covers it in this {element} list'
    )


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def _redundant(values: tuple[Value, ...], is_action: bool) -> Iterable[tuple[Value, Value, bool]]:
    """(redundant item, the item that covers it, whether it is a duplicate) of one list."""
    keyed: list[tuple[Value, str]] = []
    first: dict[str, Value] = {}
    for v in values:
        if isinstance(v, Str):
            key = v.value.strip().lower() if is_action else v.canonical()
        elif _cut(v):
            key = f"?{id(v)}"  # its text is cut short: equal to nothing else
        else:
            key = f"?{v.text}"
        keyed.append((v, key))
    star = next((v for v, k in keyed if k == "*"), None)
    covers = _ActionCover() if is_action else None
    wildcards: list[tuple[Value, str]] = []
    for v, k in keyed:
        if k not in first:
            first[k] = v
            if isinstance(v, Str) and _wild(k) and len(k) <= MAX_LENGTH:
                wildcards.append((v, k))
    budget = MAX_COMPARISONS
    reported: set[int] = set()
    for v, k in keyed:
        earlier = first[k]
        if earlier is not v:
            yield v, earlier, True
            continue
        if star is not None and v is not star:
            yield v, star, False
            continue
        if not isinstance(v, Str) or k == "*" or id(v) in reported or len(k) > MAX_LENGTH:
            continue
        for w, wk in wildcards:
            if w is v or wk == "*":
                continue
            if budget <= 0:
                break
            budget -= 1
            inside = covers.covers(wk, k) if covers is not None else pattern_covers(wk, k)
            if not inside:
                continue
            # covering each other (s3:GetObject, s3:GetObjec?): only the later one is redundant
            back = covers.covers(k, wk) if covers is not None else pattern_covers(k, wk)
            if back and _before(v, w):
                if id(w) not in reported:
                    reported.add(id(w))
                    yield w, v, False
                continue
            reported.add(id(v))
            yield v, w, False
            break


def _before(a: Value, b: Value) -> bool:
    return (a.span.line, a.span.column) < (b.span.line, b.span.column)


class _ActionCover:
    """Whether one action pattern grants everything another does: by the catalogue's
    expansion when it knows the actions, else by pattern containment (case-insensitive)."""

    def __init__(self) -> None:
        self.cat = catalogue()
        self._sets: dict[str, frozenset[str]] = {}

    def expansion(self, pattern: str) -> frozenset[str]:
        got = self._sets.get(pattern)
        if got is None:
            got = frozenset(self.cat.expand(pattern)) if self.cat is not None else frozenset()
            self._sets[pattern] = got
        return got

    def covers(self, general: str, specific: str) -> bool:
        g_service, _, _ = general.partition(":")
        s_service, _, _ = specific.partition(":")
        if not _wild(g_service) and not _wild(s_service) and g_service != s_service:
            return False
        if _wild(g_service) or _wild(s_service):  # expanding across services costs too much
            return pattern_covers(general, specific, ignore_case=True)
        inner = self.expansion(specific)
        outer = self.expansion(general) if inner else frozenset()
        if inner and outer:
            return inner <= outer
        return pattern_covers(general, specific, ignore_case=True)
