"""Strict JSON (RFC 8259) into positional nodes, with exact positions and a depth limit.

`parse_json` raises `PositionedError` at the offending place. ``mapper`` maps positions of
a JSON document embedded in another file (a heredoc, a block scalar) back into that file.

A JSON document may also be the value of a JSON *string* (a policy in a Terraform plan, a
policy document the AWS CLI prints as a string): `string_at` decodes the string literal with
the offset of each character in the file, and `offsets_mapper` turns those offsets into a
``mapper``, so positions inside the document are exact in the file through its escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from ..positions import LineIndex, Mapper, PositionedError
from .nodes import PDict, PList, PScalar, PStr, number

MAX_DEPTH = 200  # real templates nest under 40 levels; this keeps recursion safe

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def parse_json(
    text: str, mapper: Mapper | None = None, max_depth: int = MAX_DEPTH, recovered: list | None = None
) -> Any:
    """Parse JSON text into positional nodes; raise `PositionedError` at the offending place.

    With a ``recovered`` list, a trailing comma before ``}`` or ``]`` (the most common slip
    in hand-written policies) is recorded there as a `PositionedError` and parsing goes on, so the
    caller can report the error *and* lint the rest of the document.
    """
    lines = LineIndex(text, mapper)
    n = len(text)
    ws: Callable[[str, int], re.Match[str]] = _WS.match  # type: ignore[assignment]  # always matches

    def fail(msg: str, idx: int):
        line, col = lines.at(min(idx, n))
        raise PositionedError(msg, line, col)

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
            return PScalar(number(t), lines.span(idx, m.end()), t), m.end()
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
                d.add_dup(key, getattr(first, "pos", None), key.pos)
                del d[key]
            d[key] = v
            idx = ws(text, idx).end()
            if idx < n and text[idx] == ",":
                comma = idx
                idx = ws(text, idx + 1).end()
                if recovered is not None and idx < n and text[idx] == "}":
                    line, col = lines.at(comma)
                    recovered.append(PositionedError("trailing comma before '}'", line, col))
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
                    recovered.append(PositionedError("trailing comma before ']'", line, col))
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


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def string_at(text: str, quote: int) -> tuple[str, list[int]] | None:
    """The value of the JSON string literal whose opening quote is at offset ``quote`` of
    ``text``, and the offset in ``text`` of each of its characters (an escaped character is
    at its backslash), plus that of the closing quote; None when it is not a well-formed
    string literal."""
    out: list[str] = []
    offs: list[int] = []
    i, n = quote + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            offs.append(i)
            return "".join(out), offs
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                offs.append(i)
                i += 2
                continue
            if nxt == "u":
                try:
                    cp = int(text[i + 2 : i + 6], 16)
                except ValueError:
                    return None
                width = 6
                if 0xD800 <= cp < 0xDC00 and text.startswith("\\u", i + 6):
                    try:
                        lo = int(text[i + 8 : i + 12], 16)
                    except ValueError:
                        lo = 0
                    if 0xDC00 <= lo < 0xE000:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        width = 12
                out.append(chr(cp))
                offs.append(i)
                i += width
                continue
            return None
        out.append(ch)
        offs.append(i)
        i += 1
    return None


def offsets_mapper(value: str, offsets: list[int], lines: LineIndex) -> Mapper:
    """A `parse_json` mapper for ``value``, whose character k stands at offset ``offsets[k]``
    of the text ``lines`` indexes (the end of ``value`` at the last offset)."""
    inner = LineIndex(value)
    last = len(offsets) - 1

    def to_file(line: int, column: int) -> tuple[int, int]:
        return lines.at(offsets[max(0, min(inner.offset(line, column), last))])

    return to_file
