"""Positions in text: the one line index and the one positioned error every parser uses.

Positions are 1-based ``(line, column)``; a node's position is ``Pos`` =
``(line, column, end_line, end_column)`` with the end exclusive. A `LineIndex` may carry a
``mapper`` that moves positions of a text embedded in another file (a JSON policy in a YAML
block scalar or a Terraform heredoc) back into that file.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable

Pos = tuple[int, int, int, int]
#: (line, column) in an embedded text -> (line, column) in the file that holds it
Mapper = Callable[[int, int], tuple[int, int]]

#: one field of a packed position (see `pack`)
FIELD = 0xFFFFFFFF


def pack(pos: Pos | int) -> int | Pos:
    """A position as one int: line, column, end column and the lines it spans, 32 bits each.

    ``line | column << 32 | end_column << 64 | (end_line - line) << 96``: the count of lines
    spanned is the highest field, so a one-line span needs no more than three 30-bit digits
    (36 bytes). A position these fields cannot hold (a negative or huge number, an end
    before the start) is kept as the tuple it is: `unpack` returns it as is. Parse trees
    (`iamlint.parse.nodes`) and the model's `Span` keep positions this way, so a span is
    made from a node's position without decoding it.
    """
    if isinstance(pos, int):  # packed already (a parser's fast path, `cfn_yaml`)
        return pos
    line, col, end_line, end_col = pos
    lines = end_line - line
    if (line | col | end_col | lines) >> 32:  # one field negative or past 32 bits
        return pos
    return line | col << 32 | end_col << 64 | lines << 96


def unpack(packed: int | Pos) -> Pos:
    """The position `pack` packed."""
    if isinstance(packed, int):  # inlined in `nodes`, and in `Span`: change them together
        line = packed & FIELD
        lines = packed >> 96
        # a one-line span's end line is its line, one int object (past 256 each is its own)
        return (line, packed >> 32 & FIELD, line + lines if lines else line, packed >> 64 & FIELD)
    return packed


class LineIndex:
    """Character offsets of one text <-> 1-based (line, column)."""

    __slots__ = ("starts", "length", "mapper")

    def __init__(self, text: str, mapper: Mapper | None = None):
        # an array of machine ints: a list would hold an int object (32 bytes) per line
        starts = array("q", [0])
        append = starts.append
        find = text.find
        i = find("\n")
        while i != -1:
            append(i + 1)
            i = find("\n", i + 1)
        self.starts = starts
        self.length = len(text)
        self.mapper = mapper

    def at(self, offset: int) -> tuple[int, int]:
        """The (line, column) of an offset (clamped to the text), mapped when there is a mapper."""
        offset = max(0, min(offset, self.length))
        line = bisect.bisect_right(self.starts, offset)
        col = offset - self.starts[line - 1] + 1
        if self.mapper is not None:
            return self.mapper(line, col)
        return line, col

    def offset(self, line: int, column: int) -> int:
        """The offset of a (line, column) of this text (the inverse of `at`, clamped)."""
        line = max(1, min(line, len(self.starts)))
        return min(self.starts[line - 1] + column - 1, self.length)

    def span(self, start: int, end: int) -> Pos:
        a = self.at(start)
        b = self.at(end)
        # one int object for a span on one line: past 256 every int is an object of its own
        return (a[0], a[1], a[0] if a[0] == b[0] else b[0], b[1])


class PositionedError(Exception):
    """Text that cannot be read: a message for people and the 1-based place where reading stopped."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
