"""``concise``: one line per finding, for editors, problem matchers and ``grep``::

    path:line:col-end_line.end_col: severity: CODE message

- ``path`` as every format names it (relative to the working directory when the file lies
  inside it);
- where the element starts (``line:col``) and ends (``end_line.end_col``, the column after
  its last character, as SARIF's ``endColumn``), 1-based, columns counting characters;
- ``severity``: ``error``, ``warning`` or ``info``.

It is the GNU form (``file:line:col-line.col: warning: message``) that Emacs' compilation
mode reads as it is, range and severity included, and that one pattern reads in Vim
(``errorformat``), VS Code (a problem matcher) and Neovim (nvim-lint): docs/editors.md has
them. Values from the input are escaped (`escape_controls`), so a line is always a finding.
"""

from __future__ import annotations

from typing import TextIO

from ..model import Finding
from ..results import RunReport, display_path, escape_controls


def line(f: Finding) -> str:
    s = f.span
    end_line = max(s.end_line, s.line)
    end_column = s.end_column if (s.end_line, s.end_column) > (s.line, s.column) else s.column + 1
    path, message = escape_controls(display_path(s.file)), escape_controls(f.message)
    return f"{path}:{s.line}:{s.column}-{end_line}.{end_column}: {f.severity.value}: {f.code} {message}"


def render(report: RunReport, out: TextIO, color: bool) -> None:
    for f in report.findings:
        out.write(line(f) + "\n")
