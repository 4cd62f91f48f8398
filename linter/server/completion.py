"""Completion of action names and of condition keys, from the offline catalogue.

Completion runs while the user types, when the buffer often does not parse, so where the
cursor stands is read from the text before it: the last element name written before the
cursor (``Action``, ``NotAction``, ``actions`` in HCL: action names; ``Condition``, HCL's
``variable``: condition keys; any other element name: nothing), and the word being typed.
Condition keys are those the statement's actions honour, with the global keys: the
statement is found in the last model of the buffer that did parse.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..extract import Extraction
from ..model import Statement, Str

#: element names that say what the values after them are
_ACTION_WORDS = {"Action", "NotAction", "actions", "not_actions"}
_KEY_WORDS = {"Condition", "condition", "variable"}
_OTHER_WORDS = {
    "Resource",
    "NotResource",
    "resources",
    "not_resources",
    "Principal",
    "NotPrincipal",
    "principals",
    "not_principals",
    "identifiers",
    "Effect",
    "effect",
    "Sid",
    "sid",
    "Version",
    "values",
    "test",
    "Statement",
    "statement",
}
_ELEMENT = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted(_ACTION_WORDS | _KEY_WORDS | _OTHER_WORDS, key=len, reverse=True))
    + r")(?![\w-])"
    r"""["']?\s*[:=]"""
)
_TYPED = re.compile(r"[A-Za-z0-9_.:/*?${}-]*$")
#: how far back the element name is looked for
LOOKBACK = 4000
#: a wildcard that matches more actions than this adds no service keys (only the global ones)
MAX_EXPANDED = 2000


class Item(NamedTuple):
    label: str
    kind: str  # "service", "action" or "key"
    detail: str
    insert: str


def context(before: str) -> str | None:
    """What the cursor is in, from the text before it: ``action``, ``key`` or None."""
    last = None
    for m in _ELEMENT.finditer(before[-LOOKBACK:]):
        last = m.group(1)
    if last in _ACTION_WORDS:
        return "action"
    if last in _KEY_WORDS:
        return "key"
    return None


def typed(line_before: str) -> str:
    """The part of a name typed before the cursor on its line."""
    m = _TYPED.search(line_before)
    return m.group() if m else ""


def complete(
    before: str, line_before: str, ex: Extraction | None, path: str, line: int
) -> tuple[str, list[Item]]:
    """(the word typed, the items that complete it) at the cursor. ``before``: the buffer's
    text before the cursor; ``line_before``: its line's; ``ex``: the last model of the buffer
    (for the statement at 1-based ``line``)."""
    word = typed(line_before)
    where = context(before)
    if where == "action":
        return word, actions(word)
    if where == "key" and _is_key_position(line_before, word):
        return word, condition_keys(word, statement_at(ex, path, line))
    return word, []


def _is_key_position(line_before: str, word: str) -> bool:
    """Whether the word being typed is a map key (or HCL's ``variable = "..."``), not a value."""
    head = line_before[: len(line_before) - len(word)].rstrip().rstrip("\"'").rstrip()
    return not head or head.endswith(("{", ",", "variable =", "variable=", "-")) or head.endswith("[")


def actions(word: str) -> list[Item]:
    from .. import catalogue

    cat = catalogue.get()
    prefix, colon, short = word.partition(":")
    if "*" in word or "?" in word:
        return []
    if not colon:
        low = prefix.lower()
        out = []
        for p in cat.services():
            if p.startswith(low):
                svc = cat.service(p)
                out.append(Item(f"{p}:", "service", svc.name if svc and svc.name else p, f"{p}:"))
        return out
    svc = cat.service(prefix)
    if svc is None:
        return []
    levels = cat.access_levels(svc.prefix)
    low = short.lower()
    return [
        Item(name, "action", levels.get(name, ""), name)
        for name in svc.actions
        if name.partition(":")[2].lower().startswith(low)
    ]


def statement_at(ex: Extraction | None, path: str, line: int) -> Statement | None:
    """The innermost statement of the buffer whose lines hold ``line``."""
    if ex is None:
        return None
    best: Statement | None = None
    for doc in ex.documents:
        for s in doc.statements:
            sp = s.span
            if sp.file == path and sp.line <= line <= sp.end_line:
                if best is None or (sp.line, sp.column) >= (best.span.line, best.span.column):
                    best = s
    return best


def condition_keys(word: str, stmt: Statement | None) -> list[Item]:
    """The global keys, and the keys the statement's actions honour (or, without a statement,
    those of the service being typed), that start with ``word``."""
    from .. import catalogue

    cat = catalogue.get()
    keys: dict[str, str | None] = {}
    for ck in cat.global_condition_keys():
        keys.setdefault(ck.name, ck.type)
    named: list[str] = []
    if stmt is not None:
        for v in stmt.action or ():
            if isinstance(v, Str):
                matched = cat.expand(v.value)
                if len(matched) <= MAX_EXPANDED:
                    named.extend(matched)
    elif ":" in word:
        svc = cat.service(word.partition(":")[0])
        named = list(svc.actions) if svc else []
    for name in dict.fromkeys(named):
        a = cat.action(name)
        for k in a.condition_keys if a else ():
            if k not in keys:
                known = cat.condition_key(k)
                keys[k] = known.type if known else None
    low = word.lower()
    out = []
    for k, type_ in keys.items():
        insert = re.split(r"\$\{|<", k, maxsplit=1)[0]  # a tag key's template: up to its placeholder
        if insert.lower().startswith(low) or k.lower().startswith(low):
            out.append(Item(k, "key", type_ or "", insert))
    return sorted(out, key=lambda i: i.label.lower())
