"""Reporters: render a `RunReport` in one of the output formats.

Each format is a module with ``render(report, out, color) -> None``; they are imported only
when chosen, so a run pays for the one it prints.
"""

from __future__ import annotations

from typing import TextIO

from ..results import RunReport, fingerprint

__all__ = ["FORMATS", "fingerprint", "render"]

FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab")


def render(fmt: str, report: RunReport, out: TextIO, color: bool = False) -> None:
    import importlib

    module = importlib.import_module(f"{__name__}.{fmt}")
    module.render(report, out, color)
