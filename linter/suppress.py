"""Suppressions: accepted findings, each with a reason, optionally until a date.

Three ways, one per situation:

- a comment ``# iamlint: ignore[IAM101,IAM102] reason`` (``//`` in HCL too) on the offending
  line or the line above it, in YAML and HCL; it covers the statement it sits in (or that
  starts on the next line); ``until=2027-03-31`` in the reason makes it expire;
- a CloudFormation resource's ``Metadata: {iamlint: {ignore: [{rule: IAM101, reason: ...,
  until: ...}]}}``, covering that resource (the only way for JSON templates); the extractor
  returns these as `Suppression` objects;
- ``[[tool.iamlint.ignore]]`` entries of the configuration, matching a file glob, codes, and
  optionally action or resource patterns of the statement (the only way for raw JSON).

A suppression never hides an input error (IAM900, IAM903, IAM904). One that suppresses
nothing is reported as IAM901 unused-suppression; a malformed one is IAM904
invalid-suppression (an input error: exit code 2). An expired one no longer applies, and
the finding it covered says so.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from .model import Finding, PolicyDocument, Severity, Span, Str

NEVER_SUPPRESSED = {"IAM900", "IAM903", "IAM904"}
_COMMENT = re.compile(r"(?:^|\s)(?:#|//)\s*iamlint\s*:\s*(?P<verb>\w+)(?P<rest>.*)$", re.IGNORECASE)
_BRACKET = re.compile(r"^\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*)$")
_UNTIL = re.compile(r"\buntil\s*=\s*(\S+)")
_CODE = re.compile(r"^(ALL|[A-Z]+[0-9]*)$")


@dataclass
class Suppression:
    codes: tuple[str, ...]
    reason: str
    span: Span  # where it is written
    source: str  # "comment", "metadata", "config"
    until: "_dt.date | None" = None
    lines: tuple[int, int] | None = None  # lines of the file it covers (comments)
    owner: str | None = None  # the resource it covers (metadata)
    files: tuple[str, ...] = ()  # globs (config)
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    key: tuple = ()  # identity across work units (config entries)
    used: int = field(default=0, compare=False)

    def covers_code(self, code: str) -> bool:
        return any(c == "ALL" or code.startswith(c) for c in self.codes)

    def describe(self) -> str:
        where = {"comment": "comment", "metadata": "resource metadata", "config": "configuration"}[self.source]
        return f"{self.reason or 'no reason given'} ({where} at {self.span.file}:{self.span.line})"


def _diag(code: str, name: str, message: str, span: Span, severity: Severity) -> Finding:
    return Finding(code=code, name=name, severity=severity, message=message, span=span)


def invalid(message: str, span: Span) -> Finding:
    return _diag("IAM904", "invalid-suppression", message, span, Severity.ERROR)


def parse_until(text: str) -> tuple[str, "_dt.date | None", str | None]:
    """Strip ``until=DATE`` from a reason; return (reason, date, error)."""
    import datetime as _dt

    m = _UNTIL.search(text)
    if not m:
        return text.strip(), None, None
    reason = (text[: m.start()] + text[m.end() :]).strip()
    try:
        return reason, _dt.date.fromisoformat(m.group(1)), None
    except ValueError:
        return reason, None, f"until={m.group(1)} is not a date like 2027-03-31"


def check_codes(codes: Iterable[str], known: set[str]) -> str | None:
    for c in codes:
        if not _CODE.match(c):
            return f"{c!r} is not a rule code"
        if c != "ALL" and not any(k.startswith(c) for k in known):
            return f"{c!r} is not a rule code or prefix (see 'iamlint rules')"
        if c in NEVER_SUPPRESSED:
            return f"{c} reports an input error and cannot be suppressed"
    return None


def statement_ranges(path: str, documents: Iterable[PolicyDocument]) -> list[tuple[int, int]]:
    return sorted(
        {(s.span.line, s.span.end_line) for d in documents for s in d.statements if s.span.file == path}
    )


def from_comments(
    path: str, text: str, ranges: list[tuple[int, int]], known: set[str], require_reason: bool
) -> tuple[list[Suppression], list[Finding]]:
    """Suppression comments of a YAML or HCL file, and IAM904 for malformed ones."""
    out: list[Suppression] = []
    problems: list[Finding] = []
    if "iamlint" not in text:
        return out, problems
    for lineno, line in enumerate(text.splitlines(), 1):
        if "iamlint" not in line:
            continue
        m = _COMMENT.search(line)
        if not m:
            continue
        col = m.start() + (1 if line[m.start()].isspace() else 0) + 1
        span = Span(path, lineno, col, lineno, len(line) + 1)
        if m.group("verb").lower() != "ignore":
            problems.append(invalid(f"unknown iamlint directive {m.group('verb')!r}; write 'iamlint: ignore[CODE] reason'", span))
            continue
        b = _BRACKET.match(m.group("rest").strip())
        if not b:
            problems.append(invalid("write the codes to ignore in brackets: 'iamlint: ignore[IAM101] reason'", span))
            continue
        codes = tuple(c.strip() for c in re.split(r"[,\s]+", b.group("codes")) if c.strip())
        if not codes:
            problems.append(invalid("no rule code between the brackets of 'iamlint: ignore[...]'", span))
            continue
        error = check_codes(codes, known)
        reason, until, date_error = parse_until(b.group("reason"))
        error = error or date_error
        if error is None and require_reason and not reason:
            error = "a suppression needs a reason after the brackets (require-reason is on)"
        if error:
            problems.append(invalid(error, span))
            continue
        first, last = lineno, lineno + 1
        for a, z in ranges:  # the statement it sits in, or that starts on the next line
            if a <= lineno <= z or a == lineno + 1:
                first, last = min(first, a), max(last, z)
        out.append(Suppression(codes, reason, span, "comment", until, lines=(first, last)))
    return out, problems


def from_config(cfg) -> list[Suppression]:
    out = []
    base = cfg.path or "configuration"
    for e in cfg.ignores:
        out.append(
            Suppression(
                codes=e.rules,
                reason=e.reason,
                span=Span(base, _entry_line(cfg.path, e.index), 1, _entry_line(cfg.path, e.index), 2),
                source="config",
                until=e.until,
                files=e.files,
                actions=e.actions,
                resources=e.resources,
                key=(cfg.path, e.index),
            )
        )
    return out


def _entry_line(path: str | None, index: int) -> int:
    """The line of the index-th ``[[...ignore]]``/``[[...suppress]]`` table (TOML gives none)."""
    if not path:
        return 1
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return 1
    n = -1
    for i, line in enumerate(lines, 1):
        if re.match(r"^\s*\[\[\s*(tool\.iamlint\.)?(ignore|suppress)\s*\]\]", line):
            n += 1
            if n == index:
                return i
    return 1


def _statement_at(documents: Iterable[PolicyDocument], span: Span):
    best = None
    for d in documents:
        for s in d.statements:
            ss = s.span
            if ss.file == span.file and (ss.line, ss.column) <= (span.line, span.column) <= (ss.end_line, ss.end_column):
                if best is None or (ss.line, ss.column) >= (best.span.line, best.span.column):
                    best = s
    return best


def _patterns_match(patterns: tuple[str, ...], values: Iterable[str]) -> bool:
    vals = [v.lower() for v in values]
    return any(fnmatch.fnmatchcase(v, p.lower()) for p in patterns for v in vals)


def matches(s: Suppression, f: Finding, rel_path: str, documents) -> bool:
    if f.code in NEVER_SUPPRESSED or not s.covers_code(f.code):
        return False
    if s.source == "comment":
        return s.span.file == f.span.file and s.lines[0] <= f.span.line <= s.lines[1]
    if s.source == "metadata":
        return s.span.file == f.span.file and f.owner is not None and (
            f.owner == s.owner or f.owner.startswith(f"{s.owner} (")
        )
    # configuration entry
    from .config import _glob

    if not any(_glob(rel_path, g) for g in s.files):
        return False
    if s.actions or s.resources:
        stmt = _statement_at(documents, f.span)
        actions = [v.value for v in (stmt.action or ()) if isinstance(v, Str)] if stmt else []
        resources = [v.value for v in (stmt.resource or ()) if isinstance(v, Str)] if stmt else []
        if f.value:
            actions.append(f.value)
            resources.append(f.value)
        if s.actions and not _patterns_match(s.actions, actions):
            return False
        if s.resources and not _patterns_match(s.resources, resources):
            return False
    return True


def apply(
    findings: list[Finding],
    suppressions: list[Suppression],
    rel_path: str,
    documents,
    today: "_dt.date | None" = None,
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Split findings into (kept, suppressed-with-reason); expired suppressions annotate."""
    kept: list[Finding] = []
    hidden: list[tuple[Finding, str]] = []
    for f in findings:
        applied = None
        expired = None
        for s in suppressions:
            if not matches(s, f, rel_path, documents):
                continue
            if s.until is not None and s.until < (today or _today()):
                expired = expired or s
                continue
            applied = s
            break
        if applied is not None:
            applied.used += 1
            hidden.append((f, applied.describe()))
        elif expired is not None:
            expired.used += 1
            kept.append(replace(f, message=f"{f.message} (suppression expired on {expired.until}: {expired.reason})"))
        else:
            kept.append(f)
    return kept, hidden


def _today():
    import datetime

    return datetime.date.today()


def unused(s: Suppression) -> Finding:
    codes = ",".join(s.codes)
    return _diag(
        "IAM901",
        "unused-suppression",
        f"suppression of {codes} matches no finding; remove it",
        s.span,
        Severity.WARNING,
    )
