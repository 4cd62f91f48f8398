"""Positional nodes: parsed JSON/YAML values that remember where they stand.

``PDict``, ``PList`` and ``PStr`` are subclasses of ``dict``, ``list`` and ``str``, so
extractors navigate them as plain data; each carries ``pos`` = (line, column, end_line,
end_column), 1-based, end exclusive. Numbers, booleans and null become ``PScalar``.
``PDict.dups`` records duplicate keys as (key, first_pos, second_pos); the later value wins,
as in CloudFormation and most JSON readers.

`parse_json` parses JSON text into these nodes. It is strict JSON (RFC 8259) with a depth
limit, and raises `ParseError` with the line and column of the problem. ``mapper`` maps
positions of a JSON document embedded in another file (a heredoc, a block scalar) back
into that file.
"""

from __future__ import annotations

import bisect
import re
from json.decoder import scanstring
from typing import Any, Callable

Pos = tuple[int, int, int, int]
Mapper = Callable[[int, int], tuple[int, int]]

MAX_DEPTH = 200  # real templates nest under 40 levels; this keeps recursion safe


class ParseError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class PStr(str):
    pos: Pos

    def __new__(cls, value: str, pos: Pos):
        self = super().__new__(cls, value)
        self.pos = pos
        return self


class PDict(dict):
    pos: Pos
    dups: list

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.dups = []

    def key(self, name: str) -> PStr | None:
        """The key object as written (with its position), or None."""
        for k in self:
            if k == name:
                return k if isinstance(k, PStr) else None
        return None


class PList(list):
    pos: Pos

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos


class PScalar:
    """A non-string scalar (number, boolean, null) with its position and source text."""

    __slots__ = ("value", "pos", "text")

    def __init__(self, value: Any, pos: Pos, text: str):
        self.value = value
        self.pos = pos
        self.text = text

    def __repr__(self) -> str:
        return f"PScalar({self.value!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PScalar):
            return self.value == other.value
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)


def pos_of(node: Any) -> Pos | None:
    return getattr(node, "pos", None)


def to_plain(node: Any) -> Any:
    """Strip positions (for hashing, comparing and size computations)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, PScalar):
        return node.value
    if isinstance(node, str):
        return str(node)
    return node


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


class _Lines:
    """Index -> (line, column), 1-based, with an optional mapper into an outer file."""

    def __init__(self, text: str, mapper: Mapper | None):
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            self.starts.append(i + 1)
            i = find("\n", i + 1)
        self.mapper = mapper

    def at(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index)
        col = index - self.starts[line - 1] + 1
        if self.mapper:
            return self.mapper(line, col)
        return line, col

    def span(self, start: int, end: int) -> Pos:
        a = self.at(start)
        b = self.at(end)
        return (a[0], a[1], b[0], b[1])


def parse_json(
    text: str, mapper: Mapper | None = None, max_depth: int = MAX_DEPTH, recovered: list | None = None
) -> Any:
    """Parse JSON text into positional nodes; raise `ParseError` at the offending place.

    With a ``recovered`` list, a trailing comma before ``}`` or ``]`` (the most common slip
    in hand-written policies) is recorded there as a `ParseError` and parsing goes on, so the
    caller can report the error *and* lint the rest of the document.
    """
    lines = _Lines(text, mapper)
    n = len(text)
    ws = _WS.match

    def fail(msg: str, idx: int):
        line, col = lines.at(min(idx, n))
        raise ParseError(msg, line, col)

    def describe(idx: int) -> str:
        if idx >= n:
            return "end of file"
        ch = text[idx]
        return repr(ch)

    def value(idx: int, depth: int) -> tuple[Any, int]:
        if idx >= n:
            fail("expected a value, found end of file", idx)
        ch = text[idx]
        if ch == '"':
            try:
                s, end = scanstring(text, idx + 1, True)
            except ValueError as e:
                msg = str(e).split(":")[0]
                pos = getattr(e, "pos", idx)
                fail(f"invalid string: {msg.lower()}", pos)
            return PStr(s, lines.span(idx, end)), end
        if ch == "{":
            if depth >= max_depth:
                fail(f"nesting deeper than {max_depth} levels", idx)
            return obj(idx, depth + 1)
        if ch == "[":
            if depth >= max_depth:
                fail(f"nesting deeper than {max_depth} levels", idx)
            return arr(idx, depth + 1)
        m = _NUMBER.match(text, idx)
        if m and m.end() > idx:
            t = m.group()
            num: Any = float(t) if ("." in t or "e" in t or "E" in t) else int(t)
            return PScalar(num, lines.span(idx, m.end()), t), m.end()
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, idx):
                end = idx + len(word)
                return PScalar(val, lines.span(idx, end), word), end
        fail(f"expected a value, found {describe(idx)}", idx)
        raise AssertionError  # unreachable

    def obj(start: int, depth: int) -> tuple[PDict, int]:
        d = PDict((0, 0, 0, 0))
        idx = ws(text, start + 1).end()
        if idx < n and text[idx] == "}":
            d.pos = lines.span(start, idx + 1)
            return d, idx + 1
        while True:
            if idx >= n or text[idx] != '"':
                fail(f"expected a property name in double quotes, found {describe(idx)}", idx)
            try:
                k, kend = scanstring(text, idx + 1, True)
            except ValueError as e:
                fail(f"invalid string: {str(e).split(':')[0].lower()}", getattr(e, "pos", idx))
            key = PStr(k, lines.span(idx, kend))
            idx = ws(text, kend).end()
            if idx >= n or text[idx] != ":":
                fail(f"expected ':' after property name, found {describe(idx)}", idx)
            idx = ws(text, idx + 1).end()
            v, idx = value(idx, depth)
            if key in d:
                first = next(x for x in d if x == key)
                d.dups.append((key, getattr(first, "pos", None), key.pos))
                del d[key]
            d[key] = v
            idx = ws(text, idx).end()
            if idx < n and text[idx] == ",":
                comma = idx
                idx = ws(text, idx + 1).end()
                if recovered is not None and idx < n and text[idx] == "}":
                    line, col = lines.at(comma)
                    recovered.append(ParseError("trailing comma before '}'", line, col))
                    d.pos = lines.span(start, idx + 1)
                    return d, idx + 1
                continue
            if idx < n and text[idx] == "}":
                d.pos = lines.span(start, idx + 1)
                return d, idx + 1
            fail(f"expected ',' or '}}', found {describe(idx)}", idx)

    def arr(start: int, depth: int) -> tuple[PList, int]:
        out = PList((0, 0, 0, 0))
        idx = ws(text, start + 1).end()
        if idx < n and text[idx] == "]":
            out.pos = lines.span(start, idx + 1)
            return out, idx + 1
        while True:
            v, idx = value(idx, depth)
            out.append(v)
            idx = ws(text, idx).end()
            if idx < n and text[idx] == ",":
                comma = idx
                idx = ws(text, idx + 1).end()
                if recovered is not None and idx < n and text[idx] == "]":
                    line, col = lines.at(comma)
                    recovered.append(ParseError("trailing comma before ']'", line, col))
                    out.pos = lines.span(start, idx + 1)
                    return out, idx + 1
                continue
            if idx < n and text[idx] == "]":
                out.pos = lines.span(start, idx + 1)
                return out, idx + 1
            fail(f"expected ',' or ']', found {describe(idx)}", idx)

    idx = ws(text, 0).end()
    if idx >= n:
        fail("file is empty: expected a JSON value", idx)
    try:
        result, idx = value(idx, 0)
    except RecursionError:
        fail("nesting too deep to read", 0)
    idx = ws(text, idx).end()
    if idx < n:
        fail(f"unexpected content after the JSON value: {describe(idx)}", idx)
    return result
