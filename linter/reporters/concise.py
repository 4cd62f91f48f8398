"""``concise``: exactly ``path:line:col: CODE message``, one line per finding (for editors)."""

from __future__ import annotations

from typing import TextIO

from ..results import RunReport, display_path, escape_controls


def render(report: RunReport, out: TextIO, color: bool) -> None:
    for f in report.findings:
        s = f.span
        path, message = escape_controls(display_path(s.file)), escape_controls(f.message)
        out.write(f"{path}:{s.line}:{s.column}: {f.code} {message}\n")
