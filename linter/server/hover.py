"""What the server says on hover: Markdown about the element under the cursor.

- an action: its service, access level, resource types and condition keys; a wildcard:
  how many actions it matches, by access level, and the first few; an unknown one: the
  nearest known action;
- a condition key: its type, whether it is global, which actions honour it (and which of
  the statement's own actions do);
- an AWS managed policy ARN: what the policy grants.

The element is found in the model the linter builds (`iamlint.extract`), so it is the
same in every format; a buffer that does not parse falls back on the word under the cursor.
Everything comes from the offline data: `iamlint.catalogue` and `iamlint.managed`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..extract import Extraction
from ..model import ManagedPolicyRef, Span, Statement, Str

#: how many names a list shows before "and N more"
SHOWN = 8
_WORD = re.compile(r"[A-Za-z0-9_.:/*?${}+=,@-]+")
_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]*$")
_MANAGED_ARN = re.compile(r"^arn:[a-z-]+:iam::aws:policy/")


def _inside(span: Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) < (span.end_line, span.end_column)


def find(ex: Extraction | None, path: str, line: int, column: int) -> tuple[str, Any, Any, Span] | None:
    """The element of the model at 1-based (line, column): (kind, value, statement or ref,
    span) with kind ``action``, ``not-action``, ``condition-key`` or ``managed``."""
    if ex is None:
        return None
    for doc in ex.documents:
        if doc.span.file != path and not any(s.span.file == path for s in doc.statements):
            continue
        for stmt in doc.statements:
            s = stmt.span
            if s.file != path or not (s.line <= line <= s.end_line):
                continue
            for kind, values in (("action", stmt.action), ("not-action", stmt.not_action)):
                for v in values or ():
                    if isinstance(v, Str) and v.span.file == path and _inside(v.span, line, column):
                        return kind, v.value, stmt, v.span
            for c in stmt.condition:
                if c.key_span.file == path and _inside(c.key_span, line, column):
                    return "condition-key", c.key, stmt, c.key_span
    for p in ex.principals:
        refs: Iterable[ManagedPolicyRef] = (*p.managed, *((p.boundary,) if p.boundary else ()))
        for ref in refs:
            v = ref.value
            if isinstance(v, Str) and v.span.file == path and _inside(v.span, line, column):
                return "managed", v.value, ref, v.span
    return None


def word_at(line_text: str, column: int) -> tuple[str, int, int] | None:
    """The word (an action, a key, an ARN) at 1-based ``column`` of a line: (word, first
    column, column after it)."""
    for m in _WORD.finditer(line_text):
        if m.start() < column <= m.end() or (m.end() == column - 1 and m.end() == len(line_text)):
            return m.group(), m.start() + 1, m.end() + 1
    return None


def hover(
    ex: Extraction | None, path: str, line: int, column: int, line_text: str
) -> tuple[str, Span] | None:
    """Markdown about the element at 1-based (line, column) of ``path``, and its span."""
    found = find(ex, path, line, column)
    if found is not None:
        kind, value, owner, span = found
        if kind in ("action", "not-action"):
            return action_markdown(value, not_action=kind == "not-action"), span
        if kind == "condition-key":
            return condition_key_markdown(value, owner), span
        text = managed_markdown(value, owner)
        return (text, span) if text else None
    # a buffer the linter cannot read (yet): the word under the cursor
    w = word_at(line_text, column)
    if w is None:
        return None
    word, start, end = w
    word = word.strip(".,")
    span = Span(path, line, start, line, end)
    if _MANAGED_ARN.match(word):
        text = managed_markdown(word, None)
        return (text, span) if text else None
    if _ACTION.match(word):
        from .. import catalogue

        cat = catalogue.get()
        if cat.expand(word) or cat.has_service(word.partition(":")[0]):
            if cat.condition_key(word) is not None and not cat.expand(word):
                return condition_key_markdown(word, None), span
            return action_markdown(word), span
    from .. import catalogue

    if ":" in word and catalogue.get().condition_key(word) is not None:
        return condition_key_markdown(word, None), span
    return None


# -- actions -----------------------------------------------------------------------------------
def _names(names: list[str], shown: int = SHOWN) -> str:
    out = ", ".join(f"`{n}`" for n in names[:shown])
    if len(names) > shown:
        out += f" and {len(names) - shown:,} more"
    return out


def _levels(counts: Counter) -> str:
    from ..catalogue import ACCESS_LEVELS

    return ", ".join(f"{level} {counts[level]:,}" for level in ACCESS_LEVELS if counts.get(level))


def action_markdown(name: str, not_action: bool = False) -> str:
    from .. import catalogue

    cat = catalogue.get()
    lead = (
        "In `NotAction`: the statement applies to every action but the ones it names.\n\n"
        if not_action
        else ""
    )
    if "*" not in name and "?" not in name:
        a = cat.action(name)
        if a is None:
            near = cat.closest(name)
            prefix = name.partition(":")[0]
            what = "no such action" if cat.has_service(prefix) else f"no service `{prefix}`"
            hint = f" Did you mean `{near}`?" if near else ""
            return f"{lead}**{name}**: AWS has {what} (catalogue of {cat.built}).{hint}"
        svc = cat.service(a.service)
        title = f" ({svc.name})" if svc and svc.name else ""
        parts = [f"{lead}**{a.name}**{title}", f"Access level: **{a.access_level}**"]
        if a.access_level_inferred:
            parts[-1] += " (guessed from the name: no source classifies it)"
        if a.resource_types:
            required = {t.lower() for t in a.required_resource_types}
            types = [f"`{t}`" + (" (required)" if t.lower() in required else "") for t in a.resource_types]
            parts.append("Resource types: " + ", ".join(types))
        else:
            parts.append('Resource types: none (only `"Resource": "*"` grants it)')
        if a.condition_keys:
            parts.append(f"Condition keys ({len(a.condition_keys)}): " + _names(list(a.condition_keys)))
        return "\n\n".join(parts)
    matched = cat.expand(name)
    if not matched:
        prefix = name.partition(":")[0]
        why = (
            "no action"
            if cat.has_service(prefix) or "*" in prefix or "?" in prefix
            else f"no service `{prefix}`"
        )
        return f"{lead}**{name}** matches {why} (catalogue of {cat.built})."
    services = sorted({n.partition(":")[0] for n in matched})
    counts: Counter = Counter()
    for s in services:
        levels = cat.access_levels(s)
        counts.update(levels[n] for n in matched if n.startswith(s + ":") and n in levels)
    if len(matched) == len(cat):
        head = f"**{name}** matches every action: {len(matched):,} actions in {len(services):,} services"
    elif len(services) == 1:
        one = cat.service(services[0])
        of = f" of {one.name}" if one and one.name else f" of `{services[0]}`"
        head = f"**{name}** matches {len(matched):,} action{'s' if len(matched) != 1 else ''}{of}"
    else:
        head = f"**{name}** matches {len(matched):,} actions in {len(services):,} services"
    return "\n\n".join([lead + head, "By access level: " + _levels(counts), _names(list(matched))])


# -- condition keys ----------------------------------------------------------------------------
def condition_key_markdown(key: str, stmt: Statement | None) -> str:
    from .. import catalogue

    cat = catalogue.get()
    ck = cat.condition_key(key)
    if ck is None:
        services = _services(stmt)
        near = cat.closest_condition_key(key, services or None)
        hint = f" Did you mean `{near}`?" if near else ""
        return f"**{key}**: not a condition key AWS documents (catalogue of {cat.built}).{hint}"
    shown = ck.name if ck.variable is None else f"{ck.name}` (`{ck.variable}`"
    kind = {"global": "global condition key", "federation": "federation key"}.get(
        ck.kind, "service condition key"
    )
    parts = [f"**`{shown}`**: {kind}, type `{ck.type or 'unknown'}`"]
    if ck.also:
        parts[-1] += " (also " + ", ".join(f"`{t}`" for t in ck.also) + ")"
    if ck.multivalued:
        parts.append("Multivalued: test it with `ForAnyValue:` or `ForAllValues:`.")
    if ck.sensitive:
        parts.append("AWS calls this key sensitive: a wildcard in its value has no valid use.")
    if ck.is_global:
        parts.append("Present in the request context of every action (when the request carries it).")
    else:
        honouring = list(cat.actions_honouring(key))
        parts.append(
            f"Honoured by {len(honouring):,} action{'s' if len(honouring) != 1 else ''}: " + _names(honouring)
        )
    if stmt is not None and not ck.is_global:
        mine = _statement_actions(stmt)
        if mine:
            yes = [a for a in mine if cat.honours(a, key)]
            no = [a for a in mine if not cat.honours(a, key)]
            if yes:
                parts.append("Of this statement's actions, honoured by " + _names(yes))
            if no:
                parts.append("Not honoured by " + _names(no) + ": for them the condition has no key to test")
    return "\n\n".join(parts)


#: a wildcard that matches more than this is not expanded for condition keys
MAX_EXPANDED = 2000


def _statement_actions(stmt: Statement) -> list[str]:
    from .. import catalogue

    cat = catalogue.get()
    out: list[str] = []
    for v in stmt.action or ():
        if isinstance(v, Str):
            matched = cat.expand(v.value)
            if len(matched) <= MAX_EXPANDED:
                out.extend(matched)
    return list(dict.fromkeys(out))


def _services(stmt: Statement | None) -> list[str]:
    if stmt is None:
        return []
    return sorted(
        {
            v.value.partition(":")[0].lower()
            for v in stmt.action or ()
            if isinstance(v, Str) and ":" in v.value
        }
    )


# -- AWS managed policies ----------------------------------------------------------------------
def managed_markdown(arn: str, ref: ManagedPolicyRef | None) -> str | None:
    from .. import managed

    try:
        index = managed.get()
    except managed.ManagedPolicyError:
        return None
    policy = index.by_arn(arn) if arn.startswith("arn:") else None
    if policy is None and ref is not None and ref.name:
        policy = index.lookup(ref.name)
    if policy is None:
        if ref is not None and ref.name:
            near = index.suggest(ref.name)
            hint = f" Did you mean {', '.join(f'`{n}`' for n in near)}?" if near else ""
            return f"**{ref.name}**: no AWS managed policy of this name ({index.describe()}).{hint}"
        return None
    where = f"`{policy.path}`" if policy.path else "path unknown"
    head = f"**{policy.name}**: AWS managed policy ({where}"
    if policy.version:
        head += f", version {policy.version}"
    head += f", updated {policy.updated})"
    parts = [head]
    if policy.deprecated:
        parts.append("**Deprecated** by AWS: it cannot be attached anew.")
    parts.extend(grants(policy.document))
    return "\n\n".join(parts)


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def grants(document: dict) -> list[str]:
    """What a policy document (plain JSON) grants, in a few lines of Markdown."""
    from .. import catalogue

    cat = catalogue.get()
    statements = document.get("Statement")
    stmts = (
        statements if isinstance(statements, list) else [statements] if isinstance(statements, dict) else []
    )
    allowed: set[str] = set()
    lines: list[str] = []
    everything = False
    for s in stmts:
        if not isinstance(s, dict):
            continue
        effect = s.get("Effect", "")
        if "NotAction" in s:
            actions = "every action but " + ", ".join(f"`{a}`" for a in _list(s["NotAction"]))
            if effect == "Allow":
                everything = True
        else:
            names = _list(s.get("Action"))
            actions = ", ".join(f"`{a}`" for a in names[:4]) + (
                f" and {len(names) - 4} more" if len(names) > 4 else ""
            )
            if effect == "Allow":
                for a in names:
                    if a.strip("*") == "":
                        everything = True
                    else:
                        allowed.update(cat.expand(a))
        resources = _list(s.get("Resource")) or [
            "every resource but " + ", ".join(_list(s.get("NotResource")))
        ]
        where = ", ".join(f"`{r}`" for r in resources[:2]) + (
            f" and {len(resources) - 2} more" if len(resources) > 2 else ""
        )
        cond = " with conditions" if s.get("Condition") else ""
        if len(lines) < 6:
            lines.append(f"- {effect} {actions} on {where}{cond}")
    if len(stmts) > len(lines):
        lines.append(f"- and {len(stmts) - len(lines)} more statements")
    if everything:
        summary = "Grants **every action** (all of AWS) in at least one statement."
    else:
        services = {a.partition(":")[0] for a in allowed}
        counts: Counter = Counter()
        for svc in services:
            levels = cat.access_levels(svc)
            counts.update(levels[a] for a in allowed if a.startswith(svc + ":") and a in levels)
        summary = f"Grants {len(allowed):,} actions in {len(services):,} services" + (
            f" ({_levels(counts)})" if counts else ""
        )
    return [summary, "\n".join(lines)] if lines else [summary]
