"""Reporters: render a `RunReport` in one of the output formats.

Each format is a module with ``render(report, out, color) -> None``; they are imported only
when chosen, so a run pays for the one it prints.
"""

from __future__ import annotations

from typing import TextIO

from ..engine import RunReport
from ..model import Finding

FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab")


def fingerprint(f: Finding) -> str:
    """A line-independent fingerprint: code, file, owner and offending value.

    Moving lines or editing unrelated parts of the file leaves it unchanged, so baselines
    and SARIF ``partialFingerprints`` survive edits.
    """
    import hashlib

    key = "\x1f".join((f.code, f.span.file.replace("\\", "/"), f.owner or "", f.value or f.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def render(fmt: str, report: RunReport, out: TextIO, color: bool = False) -> None:
    import importlib

    module = importlib.import_module(f"{__name__}.{fmt}")
    module.render(report, out, color)
