"""``github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE rule-name::message``
(``warning`` for warnings, ``notice`` for info). The output is exactly one command per
finding and nothing else, like ``concise``: every line is for the runner, so it can be
piped, ``tee``'d or concatenated with other tools' commands. The step's exit code says
whether the run failed, and GitHub counts the annotations in the job summary itself.

The runner's rules, which this follows:

- data (the message) escapes ``%``, ``\\r`` and ``\\n``; properties also ``:`` and ``,``;
  before that, a control character from the input (a newline or an ESC in a file name or a
  policy value) is written as a visible escape (``\\n``, ``\\x1b``: `escape_controls`), so it
  can neither start a workflow command of its own nor colour the log;
- ``col``/``endColumn`` are only valid when ``line == endLine`` (the runner drops them, and
  older runners the whole annotation, otherwise), and ``endColumn`` must not be below ``col``;
- ``file`` is resolved against the repository root, so a path is made relative to
  ``$GITHUB_WORKSPACE`` when the file lies inside it (iamlint may run from a subfolder).
"""

from __future__ import annotations

import os
from typing import TextIO

from ..model import Finding
from ..results import RunReport, display_path, escape_controls

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_path(path: str, workspace: str | None = None) -> str:
    """The path GitHub resolves: relative to the workspace when inside it, else relative to
    the working directory when inside that (`display_path`), with ``/``."""
    workspace = os.environ.get("GITHUB_WORKSPACE") if workspace is None else workspace
    shown = display_path(path)
    if workspace:
        try:
            full = os.path.abspath(path)
            root = os.path.abspath(workspace)
            if os.path.commonpath([full, root]) == root:
                shown = os.path.relpath(full, root)
        except ValueError:  # another drive on Windows
            pass
    p = shown.replace(os.sep, "/")
    return p[2:] if p.startswith("./") else p


def command(f: Finding, workspace: str | None = None) -> str:
    s = f.span
    props: list[tuple[str, str]] = []
    if s.file:
        props.append(("file", escape_controls(annotation_path(s.file, workspace))))
    end_line = max(s.end_line, s.line)
    props.append(("line", str(s.line)))
    if end_line == s.line:
        props.append(("col", str(s.column)))
    props.append(("endLine", str(end_line)))
    if end_line == s.line:
        props.append(("endColumn", str(max(s.end_column, s.column))))
    props.append(("title", escape_controls(f"{f.code} {f.name}")))
    message = escape_controls(f.message + (f" [{f.owner}]" if f.owner else ""))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMAND[f.severity.value]} {head}::{escape_data(message)}"


def render(report: RunReport, out: TextIO, color: bool) -> None:
    workspace = os.environ.get("GITHUB_WORKSPACE") or ""
    for f in report.findings:
        out.write(command(f, workspace) + "\n")
