"""``concise``: exactly ``path:line:col: CODE message``, one line per finding (for editors)."""

from __future__ import annotations

from typing import TextIO

from ..results import RunReport, display_path


def render(report: RunReport, out: TextIO, color: bool) -> None:
    for f in report.findings:
        s = f.span
        out.write(f"{display_path(s.file)}:{s.line}:{s.column}: {f.code} {f.message}\n")
