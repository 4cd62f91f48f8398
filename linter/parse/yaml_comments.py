"""The comments of a YAML text, as PyYAML's lexer reads it.

A ``#`` starts a comment when it stands at the start of a line or after a blank and is not
inside a scalar. Plain scalars, tags and anchors end at such a ``#`` (the lexer stops
there), so the only text that can hide one is the content of a quoted scalar (``'...'``,
``"..."``, over as many lines as it takes) or of a block scalar (the lines after ``|`` or
``>``; a comment on the indicator's own line is a comment). `comments` finds those
scalars with PyYAML (libyaml when available, as `cfn_yaml` reads the file), in one of two
ways:

- from the composed node graph of the text, which `cfn_yaml.load` has anyway: only the
  nodes whose range holds a candidate ``#`` are visited, a small fraction of composing;
- from PyYAML's token scanner (the start and end marks of every token), when there is no
  graph (a text that does not compose); the comments after the place where the scanner
  stops are not known and not returned.

Both give the same comments for a text that composes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

#: libyaml's line breaks (YAML 1.1); a comment ends at one
_BREAKS = "\r\n\x85\u2028\u2029"
_BLANKS = " \t" + _BREAKS
_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")
_QUOTED_OR_BLOCK = ("'", '"', "|", ">")

#: (line, column, text): 1-based, column of the '#', text from '#' to the end of its line
Comment = tuple[int, int, str]


def comments(text: str, root: Any = None, containing: str = "") -> list[Comment]:
    """The comments of ``text`` that hold ``containing``, in order; ``root`` is the text's
    composed node graph, if there is one."""
    candidates = _candidates(text, containing)
    if not candidates:
        return []
    if root is not None:
        hidden, limit = _hidden_by_nodes(text, root, candidates), len(text)
    else:
        hidden, limit = _hidden_by_tokens(text, candidates)
    out: list[Comment] = []
    line, line_start, line_end = 1, 0, -1  # lines counted as '\n', as everywhere in iamlint
    for c in candidates:
        if c >= limit:
            break
        if c < line_end or c in hidden:  # inside the comment before it, or inside a scalar
            continue
        b = _BREAK.search(text, c)
        line_end = b.start() if b else len(text)
        line += text.count("\n", line_start, c)
        line_start = text.rfind("\n", 0, c) + 1
        out.append((line, c - line_start + 1, text[c:line_end]))
    return out


def _candidates(text: str, containing: str) -> list[int]:
    """Offsets of every '#' at the start of a line or after a blank (a comment unless a
    quoted or block scalar holds it) with ``containing`` after it on its line."""
    out = []
    find = text.find
    line_end = -1
    i = find("#")
    while i != -1:
        if i == 0 or text[i - 1] in _BLANKS:
            if containing:
                if i > line_end:
                    b = _BREAK.search(text, i)
                    line_end = b.start() if b else len(text)
                if find(containing, i, line_end) != -1:
                    out.append(i)
            else:
                out.append(i)
        i = find("#", i + 1)
    return out


# -- which candidates quoted and block scalars hide ---------------------------------------------
def _shift(text: str, mark: Any) -> int:
    """libyaml's marks do not count a leading BOM (the pure-Python reader's do)."""
    return 1 if text.startswith("\ufeff") and getattr(mark, "buffer", None) is None else 0


def _hide(text: str, start: int, end: int, style: str, candidates: list[int], hidden: set[int]) -> None:
    """Mark the candidates inside the content of a quoted or block scalar at [start, end)
    (``start``: its quote or block indicator)."""
    if style in "|>":  # the content starts on the line after the indicator
        b = _BREAK.search(text, start, end)
        if b is None:
            return
        start = b.end()
    i = bisect_left(candidates, start)
    while i < len(candidates) and candidates[i] < end:
        hidden.add(candidates[i])
        i += 1


def _value_start(text: str, i: int, end: int) -> int:
    """Where a node's value begins after its ``!tag``, ``&anchor`` and comments between them
    (neither a tag nor an anchor holds a blank)."""
    while i < end:
        ch = text[i]
        if ch in "!&":
            while i < end and text[i] not in _BLANKS:
                i += 1
        elif ch in _BLANKS:
            i += 1
        elif ch == "#":
            b = _BREAK.search(text, i, end)
            i = b.start() if b else end
        else:
            return i
    return end


def _hidden_by_nodes(text: str, root: Any, candidates: list[int]) -> set[int]:
    """The candidates inside quoted or block scalars, from the node graph.

    Every node, keys included, sits once at its own place, inside its parent's range and
    after its previous sibling (an alias is the anchored node itself, met again out of
    order): a walk down to the nodes that hold candidates finds them all.
    """
    hidden: set[int] = set()
    shift = _shift(text, root.start_mark)
    seen: set[int] = set()
    stack = [(root, 0, len(candidates))]  # a node and the candidates in its range
    while stack:
        node, lo, hi = stack.pop()
        kind = node.id
        if kind == "scalar":
            if node.style in _QUOTED_OR_BLOCK:
                start, end = node.start_mark.index + shift, node.end_mark.index + shift
                _hide(text, _value_start(text, start, end), end, node.style, candidates, hidden)
            continue
        if id(node) in seen:  # a recursive alias
            continue
        seen.add(id(node))
        children = node.value if kind == "sequence" else [n for pair in node.value for n in pair]
        j = lo
        for child in children:
            if j >= hi:
                break
            end = child.end_mark.index + shift
            if candidates[j] >= end:
                continue  # none in it (or an alias, met before)
            start = child.start_mark.index + shift
            while j < hi and candidates[j] < start:
                j += 1
            k = j
            while k < hi and candidates[k] < end:
                k += 1
            if k > j:
                stack.append((child, j, k))
            j = k
    return hidden


def _hidden_by_tokens(text: str, candidates: list[int]) -> tuple[set[int], int]:
    """The candidates inside quoted or block scalars, from PyYAML's scanner, and how far it
    read: past the last candidate (the scan stops there), or to the end of the last token
    before an error."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    hidden: set[int] = set()
    scanner = loader(text)
    shift, last, limit = 0, candidates[-1], 0
    try:
        get, scalar = scanner.get_token, yaml.ScalarToken
        tok = get()
        if tok is not None:
            shift = _shift(text, tok.start_mark)
        while tok is not None:
            start, end = tok.start_mark.index + shift, tok.end_mark.index + shift
            if start > last:
                break
            if isinstance(tok, scalar) and tok.style in _QUOTED_OR_BLOCK:
                _hide(text, start, end, tok.style, candidates, hidden)
            limit = end
            tok = get()
        limit = len(text)
    except yaml.YAMLError:
        pass  # not YAML from here on: the comments before are still known
    finally:
        scanner.dispose()
    return hidden, limit
