"""Open documents: their text as iamlint reads it, and positions as LSP counts them.

iamlint's positions are 1-based lines and columns that count code points; LSP's are 0-based
lines and characters that count code units of the negotiated position encoding: UTF-16 by
default, UTF-8 when the client offers it (`ENCODINGS`). Lines are the same in both once the
text is `normalize`\\d: LSP ends a line at ``\\r\\n``, ``\\r`` or ``\\n``, iamlint at ``\\n``.
"""

from __future__ import annotations

from ..model import Span
from ..positions import LineIndex

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
#: the encodings the server speaks, in the order it prefers them when a client offers several
ENCODINGS = (UTF8, UTF16)


def normalize(text: str) -> str:
    """A buffer's text as iamlint reads a file: every line ending a ``\\n`` (as ``decode`` does
    for CRLF; a lone ``\\r`` too, which LSP counts as a line ending)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` ``text`` takes."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def index_of(line: str, character: int, encoding: str) -> int:
    """The code-point index in ``line`` of an LSP character offset (clamped to the line, as
    LSP asks; an offset inside a character's code units stands for that character's start)."""
    if character <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(character, len(line))
    count = 0
    for i, c in enumerate(line):
        size = 1 if ord(c) < 0x80 else (units(c, encoding))
        if count + size > character:
            return i
        count += size
    return len(line)


class Document:
    """One open buffer: its URI, file path, version and normalized text."""

    __slots__ = ("uri", "path", "version", "language", "text", "_index")

    def __init__(self, uri: str, path: str, text: str, version: int | None = None, language: str = ""):
        self.uri = uri
        self.path = path
        self.version = version
        self.language = language
        self.text = normalize(text)
        self._index: LineIndex | None = None

    # -- lines ---------------------------------------------------------------------------------
    @property
    def index(self) -> LineIndex:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index

    @property
    def line_count(self) -> int:
        return len(self.index.starts)

    def line(self, number: int) -> str:
        """The text of 0-based line ``number`` without its line ending ("" past the end)."""
        starts = self.index.starts
        if not 0 <= number < len(starts):
            return ""
        end = starts[number + 1] - 1 if number + 1 < len(starts) else len(self.text)
        return self.text[starts[number] : end]

    # -- positions -------------------------------------------------------------------------------
    def offset(self, line: int, character: int, encoding: str) -> int:
        """The code-point offset in the text of an LSP position (clamped to the text)."""
        starts = self.index.starts
        if line < 0:
            return 0
        if line >= len(starts):
            return len(self.text)
        return starts[line] + index_of(self.line(line), character, encoding)

    def position(self, line: int, column: int, encoding: str) -> tuple[int, int]:
        """The LSP position (0-based line, code units) of iamlint's 1-based line and column
        (clamped to the text: a place past a line's end is its end)."""
        count = self.line_count
        if line < 1:
            return 0, 0
        if line > count:
            last = self.line(count - 1)
            return count - 1, units(last, encoding)
        text = self.line(line - 1)
        return line - 1, units(text[: max(0, column - 1)], encoding)

    def range(self, span: Span, encoding: str) -> tuple[tuple[int, int], tuple[int, int]]:
        """The LSP range of a span: its first character to the one after its last."""
        start = self.position(span.line, span.column, encoding)
        end = self.position(span.end_line, span.end_column, encoding)
        return start, max(start, end)

    def location(self, line: int, character: int, encoding: str) -> tuple[int, int]:
        """iamlint's 1-based (line, column) of an LSP position."""
        text = self.line(line)
        return line + 1, index_of(text, character, encoding) + 1

    # -- edits ---------------------------------------------------------------------------------
    def replace(self, start: int, end: int, new: str) -> None:
        """Replace the code points ``start:end`` of the text with ``new``."""
        self.text = self.text[:start] + normalize(new) + self.text[end:]
        self._index = None

    def set_text(self, text: str) -> None:
        self.text = normalize(text)
        self._index = None
