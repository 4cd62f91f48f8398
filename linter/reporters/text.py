"""``text``: findings grouped by file, then a summary line. Colour only on a terminal.

Options (``report.options``):

- ``show_source``: under each finding, the offending source line(s) with a ``^^^`` marker
  under the element, in a ``|`` gutter with line numbers (like ruff). Each file is read
  once, lazily; ``report.options["sources"]`` (``{path: text}``) takes precedence over the
  file on disk (for a buffer linted from stdin). A file that cannot be read, or a line it
  does not have, just gets no snippet.
- ``group_by``: ``principal`` (``--group-by principal``) lists the findings in a section per
  IAM principal they concern (`Finding.principals`), then those that concern none.
- the other places a finding involves (`Finding.related`) follow it, one indented
  ``related: path:line:col: what`` line each.
- ``statistics``: instead of the findings, their count per code, most frequent first
  (``   12  IAM101  wildcard-action``), then the summary line.

What comes from the input (file names, messages, owners, suppression reasons, source
lines) is printed through `escape_controls`: a control or bidirectional formatting character
shows as an escape (``\\x1b``), so a hostile file cannot move the cursor or inject escape
sequences; only iamlint's own colour codes reach the terminal.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Callable
from typing import TextIO

from ..diagnostics import INPUT_ERRORS
from ..model import Finding
from ..results import CONTROLS, RunReport, display_path, escape_char, escape_controls

_SEV = {"error": "31", "warning": "33", "info": "36"}
_GUTTER = "1;34"
#: tab stop used to display source lines (tabs are expanded, so carets line up)
TAB_SIZE = 4
#: at most this many lines of a multi-line element are shown
SNIPPET_LINES = 3


def _c(code: str, text: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def link(url: str, text: str) -> str:
    """``text`` as an OSC 8 terminal hyperlink to ``url`` (the command line decides where)."""
    return f"\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\"


def _urls(report: RunReport) -> dict[str, str]:
    """Each rule's documentation URL, when the report is to carry links (``hyperlinks``)."""
    if not (report.options or {}).get("hyperlinks"):
        return {}
    return {r.code: r.help_uri() for r in report.registry}


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: RunReport) -> str:
    sev = report.by_severity()
    total = sum(sev.values())
    parts = [f"{plural(len(report.scanned), 'file')} scanned"]
    parts.append(f"{plural(report.documents, 'policy')}".replace("policys", "policies") + " found")
    if total:
        detail = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in sev.items() if n)
        parts.append(f"{plural(total, 'finding')} ({detail})")
    else:
        parts.append("no findings")
    not_iac = report.count("not-iac")
    if not_iac:
        parts.append(f"{plural(not_iac, 'file')} not IaC (skipped)")
    if report.suppressed:
        parts.append(f"{len(report.suppressed)} suppressed")
    if report.baselined:
        parts.append(f"{report.baselined} in baseline")
    if report.baseline_stale:
        parts.append(plural(report.baseline_stale, "stale baseline entry").replace("entrys", "entries"))
    # "error" is a severity in this line: what made the input fail to lint has its own name
    problems = sum(1 for f in report.findings if f.code in INPUT_ERRORS) + len(report.usage_errors)
    if problems:
        parts.append(plural(problems, "input problem"))
    return "; ".join(parts) + "."


def render_suppressed(report: RunReport, out: TextIO, color: bool) -> None:
    """``--show-suppressed``: what was suppressed, and why."""
    if not report.suppressed:
        return
    urls = _urls(report)
    out.write(_c("1", "Suppressed:", color) + "\n")
    for f, why in sorted(report.suppressed, key=lambda h: h[0].sort_key()):
        out.write(f"  {finding_line(f, color, urls.get(f.code))}\n    because: {escape_controls(why)}\n")
    out.write("\n")


def finding_line(f: Finding, color: bool, url: str | None = None) -> str:
    """One finding; ``url``: its rule's documentation, linked from the code (OSC 8)."""
    s = f.span
    loc = _c("1", f"{escape_controls(display_path(s.file))}:{s.line}:{s.column}:", color)
    code = _c("1;" + _SEV[f.severity.value], escape_controls(f.code), color)
    if url:
        code = link(url, code)
    sev = _c(_SEV[f.severity.value], f"[{f.severity.value}]", color)
    owner = f" [{escape_controls(f.owner)}]" if f.owner else ""
    return f"{loc} {code} {sev} {escape_controls(f.message)}{owner} ({escape_controls(f.name)})"


def render(report: RunReport, out: TextIO, color: bool) -> None:
    options = report.options or {}
    if options.get("statistics"):
        render_statistics(report, out, color)
    elif options.get("show_source"):
        render_with_source(report, out, color, options.get("sources") or {})
    elif options.get("group_by") == "principal":
        render_by_principal(report, out, color)
    else:
        render_plain(report, out, color)
    if options.get("show_suppressed"):
        render_suppressed(report, out, color)
    out.write(summary(report) + "\n")


def render_plain(report: RunReport, out: TextIO, color: bool) -> None:
    urls = _urls(report)
    first = True
    for fr in report.files:
        if not fr.findings:
            continue
        if not first:
            out.write("\n")
        first = False
        for f in fr.findings:
            out.write(finding_line(f, color, urls.get(f.code)) + "\n")
            write_related(f, out, color)
    if not first:
        out.write("\n")


def render_by_principal(report: RunReport, out: TextIO, color: bool) -> None:
    """``--group-by principal``: a section per IAM principal (its address), in order of first
    appearance, then the findings that concern none. A finding that concerns several
    principals (a managed policy attached to two roles) is listed under each."""
    sections: dict[str, list[Finding]] = {}
    nobody: list[Finding] = []
    for f in report.findings:
        # a principal is one of its template (or Terraform module): the same logical id in
        # two templates is two principals
        path = f.span.file
        where = os.path.dirname(path) or "." if path.lower().endswith((".tf", ".tf.json")) else path
        for p in f.principals:
            sections.setdefault(f"{p} ({display_path(where)})", []).append(f)
        if not f.principals:
            nobody.append(f)
    for title, found in [*sections.items(), ("(no principal)", nobody)]:
        if not found:
            continue
        out.write(_c("1", escape_controls(title), color) + "\n")
        for f in found:
            out.write("  " + finding_line(f, color) + "\n")
            write_related(f, out, color, "      ")
        out.write("\n")


def write_related(f: Finding, out: TextIO, color: bool, indent: str = "    ") -> None:
    """The other places a finding involves (`Finding.related`), one line each, indented."""
    for span, what in f.related:
        loc = _c("1", f"{escape_controls(display_path(span.file))}:{span.line}:{span.column}:", color)
        out.write(f"{indent}{_c('2', 'related:', color)} {loc} {escape_controls(what)}\n")


# -- --statistics ------------------------------------------------------------------------------
def statistics(report: RunReport) -> list[tuple[int, str, str, str]]:
    """``(count, code, name, severity)`` per code, most frequent first, then by code."""
    counts: dict[str, list] = {}
    for f in report.findings:
        row = counts.setdefault(f.code, [0, f.name, f.severity.value])
        row[0] += 1
    rows = [(n, code, name, sev) for code, (n, name, sev) in counts.items()]
    rows.sort(key=lambda r: (-r[0], r[1]))
    return rows


def render_statistics(report: RunReport, out: TextIO, color: bool) -> None:
    rows = statistics(report)
    if not rows:
        return
    wn = max(5, len(str(rows[0][0])))
    wc = max(len(r[1]) for r in rows)
    for n, code, name, sev in rows:
        out.write(f"{n:>{wn}}  {_c('1;' + _SEV[sev], code.ljust(wc), color)}  {escape_controls(name)}\n")
    out.write("\n")


# -- --show-source -----------------------------------------------------------------------------
def render_with_source(report: RunReport, out: TextIO, color: bool, sources: dict[str, str]) -> None:
    lines_of = _SourceCache(sources)
    urls = _urls(report)
    for fr in report.files:
        for f in fr.findings:
            out.write(finding_line(f, color, urls.get(f.code)) + "\n")
            for row in snippet(f, lines_of, color):
                out.write(row + "\n")
            write_related(f, out, color)
            out.write("\n")


class _SourceCache:
    """A file's lines, read at most once (``None`` when it cannot be read)."""

    def __init__(self, sources: dict[str, str]):
        self._sources = sources
        self._lines: dict[str, list[str] | None] = {}

    def __call__(self, path: str) -> list[str] | None:
        if path not in self._lines:
            self._lines[path] = self._load(path)
        return self._lines[path]

    def _load(self, path: str) -> list[str] | None:
        text = self._sources.get(path)
        if text is None:
            if not path:
                return None
            from ..discover import read  # same decoding as the linted text: BOM, CRLF, UTF-8

            try:
                text, err = read(path)
            except Exception:
                return None
            if text is None:
                return None
        return text.replace("\r\n", "\n").split("\n")


def snippet(f: Finding, lines_of: Callable[[str], list[str] | None], color: bool) -> list[str]:
    """The gutter, source and caret rows for a finding (empty when the source is unavailable)."""
    s = f.span
    lines = lines_of(s.file)
    if lines is None or not 1 <= s.line <= len(lines):
        return []
    end_line, end_column = s.end_line, s.end_column
    if end_line < s.line or (end_line == s.line and end_column <= s.column):
        end_line, end_column = s.line, s.column + 1  # an empty or inverted span: one caret
    elif end_line > s.line and end_column <= 1:
        end_line -= 1  # ends at the very start of a line: the element ends on the one before
        end_column = 1 << 30
    if end_line > len(lines):
        end_line, end_column = len(lines), 1 << 30
    end_column = min(end_column, len(lines[end_line - 1]) + 1)  # not past the end of its line
    last = min(end_line, s.line + SNIPPET_LINES - 1)
    width = len(str(last))
    caret_color = _SEV[f.severity.value]

    def gutter(label: str = "") -> str:
        return _c(_GUTTER, f"{label:>{width}} |", color)

    rows = [gutter()]
    for n in range(s.line, last + 1):
        raw = lines[n - 1]
        shown, cols = display(raw)
        if n == s.line:
            start = s.column
        else:
            start = len(raw) - len(raw.lstrip()) + 1
        stop = end_column if n == end_line else len(raw) + 1
        rows.append(gutter(str(n)) + (" " + shown if shown else ""))
        if n != s.line and start >= stop:
            continue  # a blank line inside a multi-line element: nothing to underline
        x0, x1 = _x(cols, raw, start), _x(cols, raw, stop)
        rows.append(gutter() + " " + " " * x0 + _c(caret_color, "^" * max(1, x1 - x0), color))
    if last < end_line:
        rows.append(gutter() + " ...")
    rows.append(gutter())
    return rows


@functools.lru_cache(maxsize=8)
def display(text: str) -> tuple[str, list[int]]:
    """A source line as printed, and the display column where each code point starts.

    Tabs are expanded to ``TAB_SIZE`` stops; wide (East Asian) characters take two columns,
    combining marks none; control and format characters (which could move the cursor or
    reorder the line on a terminal) are shown as escapes (``\\x1b``, ``\\u202e``), as in
    the finding lines.

    Linear in the line, and cached: every finding of a minified file is on its one long
    line (the result is shared: do not change it).
    """
    if text.isascii() and text.isprintable():  # no tab, no control, one cell each
        return text, list(range(len(text) + 1))
    control = re.compile(CONTROLS).match
    out: list[str] = []
    cols: list[int] = []
    x = 0
    for ch in text:
        cols.append(x)
        if ch == "\t":
            n = TAB_SIZE - x % TAB_SIZE
            out.append(" " * n)
            x += n
            continue
        if control(ch) or unicodedata.category(ch) in ("Cf", "Cs"):
            shown = escape_char(ch)
            out.append(shown)
            x += len(shown)
            continue
        if unicodedata.combining(ch):
            out.append(ch)
            continue
        out.append(ch)
        x += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    cols.append(x)
    return "".join(out), cols


def _x(cols: list[int], raw: str, column: int) -> int:
    """Display column of 1-based code-point ``column`` (past the end: one cell per column)."""
    i = max(column, 1) - 1
    if i < len(cols):
        return cols[i]
    return cols[-1] + (i - len(raw))
