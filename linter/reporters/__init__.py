"""Reporters: render a `RunReport` in one of the output formats.

Each format is a module with ``render(report, out, color) -> None``; they are imported only
when chosen, so a run pays for the one it prints. `render` writes what a format produced
with its lone surrogates escaped (see `iamlint.results`), so any stream that takes UTF-8 can
take it.
"""

from __future__ import annotations

from typing import TextIO

from ..results import RunReport, escape_surrogates, fingerprint

__all__ = ["FORMATS", "fingerprint", "render"]

FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab", "html")


class _Escaping:
    """The stream a format writes to: what it writes goes on to ``out`` in pieces of about
    `CHUNK` characters with lone surrogates escaped, so that a report is never held whole
    (a JSON report of many findings was written to memory first, then copied twice)."""

    CHUNK = 1 << 16

    def __init__(self, out: TextIO):
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self.CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._out.write(escape_surrogates("".join(self._parts)))
            self._parts.clear()
            self._size = 0


def render(fmt: str, report: RunReport, out: TextIO, color: bool = False) -> None:
    import importlib

    module = importlib.import_module(f"{__name__}.{fmt}")
    stream = _Escaping(out)
    module.render(report, stream, color)
    stream.flush()
