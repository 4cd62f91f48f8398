"""Positions inside string values: where each character of a string stands in the file.

A policy given as a JSON string (``AWS::Logs::ResourcePolicy``, ``InlinePolicy``, any
``PolicyDocument: !Sub |``) is parsed with `iamlint.nodes.parse_json` and a *mapper* that
sends every position of the string's value back to the file, so that a finding inside it
points at the right line and column.

The map is built by aligning the decoded value with its source text, character by
character, from the start of the scalar's content:

- block scalars (``|``, ``>``): from the line after the indicator; the value is the
  source minus indentation (and, for ``>``, with line breaks folded into spaces), so every
  non-blank character is matched exactly;
- plain and single-quoted scalars: the same; ``''`` maps to its first quote;
- double-quoted scalars (YAML, and every JSON string of a JSON template): escapes are
  decoded first, so an escaped character maps to its backslash;
- line folding (a break read as a space) matches the break.

Approximation: a value character that cannot be found in the source (an exotic escape, a
tab expanded by a reader) is mapped to the current source position without advancing, so
the alignment never runs away; the positions of the JSON tokens around it stay exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...positions import LineIndex

_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


@dataclass(frozen=True)
class Embedded:
    """A string value and, for each of its characters, its offset in the file."""

    value: str
    offsets: tuple[int, ...]
    end: int  # file offset just after the scalar

    def mapper(self, lines: LineIndex) -> Callable[[int, int], tuple[int, int]]:
        """A `parse_json` mapper: (line, column) in the value -> (line, column) in the file."""
        inner = LineIndex(self.value)
        offsets, n = self.offsets, len(self.offsets)

        def to_file(line: int, column: int) -> tuple[int, int]:
            i = inner.offset(line, column)
            if i < n:
                return lines.at(offsets[i])
            return lines.at(offsets[-1] + 1 if n else self.end)

        return to_file

    def __add__(self, other: Embedded) -> Embedded:
        return Embedded(self.value + other.value, self.offsets + other.offsets, other.end)


def constant(value: str, offset: int) -> Embedded:
    """A value that does not appear in the file (a substituted piece): all at ``offset``."""
    return Embedded(value, (offset,) * len(value), offset + 1)


def embed(text: str, start: int, end: int, value: str, style: str) -> Embedded:
    """Align ``value`` with the scalar written at ``text[start:end]`` in the given style."""
    if style in ("|", ">"):
        nl = text.find("\n", start, end)
        i = nl + 1 if nl != -1 else start
        units = None
    elif style in ("'", '"'):
        i = start + 1
        units = _double_quoted(text, i, end) if style == '"' else None
    else:
        i = start
        units = None
    if units is None:
        offsets = _align(text, i, end, value)
    else:
        offsets = _align_units(units, value, i)
    return Embedded(value, tuple(offsets), end)


def _align(src: str, i: int, end: int, value: str) -> list[int]:
    out: list[int] = []
    find = src.find
    for c in value:
        j = find(c, i, end)
        if c == " ":
            k = find("\n", i, end)
            if k != -1 and (j == -1 or k < j):
                j = k
        if j == -1:
            out.append(min(i, max(end - 1, 0)))
            continue
        out.append(j)
        i = j + 1
    return out


def _align_units(units: list[tuple[str, int]], value: str, start: int) -> list[int]:
    out: list[int] = []
    u, n = 0, len(units)
    last = start
    for c in value:
        j = u
        while j < n and units[j][0] != c and not (c == " " and units[j][0] == "\n"):
            j += 1
        if j == n:
            out.append(last)
            continue
        last = units[j][1]
        out.append(last)
        u = j + 1
    return out


def _double_quoted(src: str, i: int, end: int) -> list[tuple[str, int]]:
    """Decode a double-quoted body into (character, source offset) units."""
    units: list[tuple[str, int]] = []
    close = end - 1 if end > i and src[end - 1] == '"' else end
    while i < close:
        ch = src[i]
        if ch != "\\" or i + 1 >= close:
            units.append((ch, i))
            i += 1
            continue
        esc = src[i + 1]
        if esc in _SIMPLE_ESCAPES:
            units.append((_SIMPLE_ESCAPES[esc], i))
            i += 2
        elif esc in _HEX_ESCAPES:
            width = _HEX_ESCAPES[esc]
            digits = src[i + 2 : i + 2 + width]
            try:
                code = int(digits, 16)
            except ValueError:
                units.append((esc, i))
                i += 2
                continue
            step = 2 + width
            if 0xD800 <= code < 0xDC00 and src.startswith("\\u", i + step):
                try:
                    low = int(src[i + step + 2 : i + step + 6], 16)
                except ValueError:
                    low = 0
                if 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    step += 6
            units.append((chr(code) if code <= 0x10FFFF else "?", i))
            i += step
        elif esc == "\n":  # an escaped line break joins the lines
            i += 2
        else:
            units.append((esc, i))
            i += 2
    return units
