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


def render(fmt: str, report: RunReport, out: TextIO, color: bool = False) -> None:
    import importlib
    import io

    module = importlib.import_module(f"{__name__}.{fmt}")
    buf = io.StringIO()
    module.render(report, buf, color)
    out.write(escape_surrogates(buf.getvalue()))
