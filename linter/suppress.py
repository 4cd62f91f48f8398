"""Suppressions: accepted findings, each with a reason, optionally until a date.

Three ways, one per situation, each parsed where it is found into a `Directive`:

- a comment ``# iamlint: ignore[IAM101,IAM102] reason`` (``//`` and ``/* */`` in HCL too) on
  the offending line or the line above it, in YAML and HCL; it covers the statement it sits
  in (or that starts on the line after it); ``until=2027-03-31`` in the reason makes it
  expire (`comment_directives`). ``# iamlint: ignore-file[IAM101] reason``, anywhere in the
  file, covers the whole file. Only real comments count, as the format's own lexer finds
  them (`iamlint.parse.yaml_comments`, `iamlint.parse.hcl_tree.comments`): the same text
  inside a string, a block scalar or a heredoc is not a suppression;
- a CloudFormation resource's ``Metadata: {iamlint: {ignore: [{rule: IAM101, reason: ...,
  until: ...}]}}``, covering that resource (the only way for JSON templates; read by the
  CloudFormation extractor);
- ``[[tool.iamlint.suppress]]`` entries of the configuration, matching a file glob, codes, and
  optionally action or resource patterns of the statement (the only way for raw JSON; read
  by `iamlint.config`, which names each by its key path, ``tool.iamlint.suppress[0]``).

`validate` judges every directive in one place: known codes, a reason when
``require-reason`` is on, a real date. A malformed one is IAM904 invalid-suppression (an
input error: exit code 2) and suppresses nothing. A suppression never hides an input error.
One that suppresses nothing is reported as IAM901 unused-suppression, when it could
have: a suppression is judged only for the rules that are on (`live`: selected, and not
turned off for the file by ``per-file-ignores``), as ruff's unused-noqa check skips rules
that are off; and a configuration entry only in a run that linted every file it can match
(`covered`), so that linting one file, a pre-commit run or an editor's buffer never
reports an entry written for other files. An expired one no longer applies, and the
finding it covered says so.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from .config import path_matches
from .diagnostics import INPUT_ERRORS, INVALID_SUPPRESSION, UNUSED_SUPPRESSION, diagnostic
from .directives import Directive
from .model import Finding, PolicyDocument, Span, Statement, Str

#: a directive in a ``#`` or ``//`` comment (after other text of the comment too: ``# x # iamlint: ...``)
_COMMENT = re.compile(r"(?:^|\s)(?:#|//)\s*iamlint\s*:\s*(?P<verb>[\w-]+)(?P<rest>.*)$", re.IGNORECASE)
#: a directive in a ``/* */`` comment, which may span lines
_BLOCK_COMMENT = re.compile(
    r"/\*\s*iamlint\s*:\s*(?P<verb>[\w-]+)(?P<rest>.*?)(?:\*/)?\Z", re.IGNORECASE | re.DOTALL
)
_BRACKET = re.compile(r"^\[(?P<codes>[^\]]*)\]\s*(?P<reason>.*)$")
_UNTIL = re.compile(r"\buntil\s*=\s*(\S+)")
_CODE = re.compile(r"^(ALL|[A-Z]+[0-9]*)$")
_WHERE = {"comment": "comment", "metadata": "resource metadata", "config": "configuration"}
#: the lines an ``ignore-file`` comment covers: all of them
WHOLE_FILE = (1, 1 << 62)


@dataclass
class Suppression:
    """A valid directive while it is applied; ``used`` counts the findings it hid."""

    directive: Directive
    until: _dt.date | None = None
    used: int = field(default=0, compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        return self.directive.codes

    @property
    def span(self) -> Span:
        return self.directive.span

    @property
    def source(self) -> str:
        return self.directive.source

    @property
    def reason(self) -> str:
        return self.directive.reason

    @property
    def key(self) -> tuple:
        return self.directive.key

    def covers_code(self, code: str) -> bool:
        return any(c == "ALL" or code.startswith(c) for c in self.codes)

    def describe(self) -> str:
        return (
            f"{self.reason or 'no reason given'} ({_WHERE[self.source]} at {self.span.file}:{self.span.line})"
        )


# -- judging directives ----------------------------------------------------------------------------
def _code_problem(codes: Iterable[str], known: set[str]) -> str | None:
    for c in codes:
        if not _CODE.match(c):
            return f"{c!r} is not a rule code"
        if c != "ALL" and not any(k.startswith(c) for k in known):
            return f"{c!r} is not a rule code or prefix (see 'iamlint rules')"
        if c in INPUT_ERRORS:
            return f"{c} reports an input error and cannot be suppressed"
    return None


def _problem(d: Directive, known: set[str], require_reason: bool) -> tuple[str | None, _dt.date | None]:
    if d.problem:
        return d.problem, None
    where = _config_key(d)
    if not d.codes:
        return where("rules", "no rule code to ignore"), None
    problem = _code_problem(d.codes, known)
    if problem:
        return where("rules", problem), None
    until = None
    if d.until is not None:
        try:
            until = _dt.date.fromisoformat(d.until.strip())
        except ValueError:
            if d.source == "comment":
                return f"until={d.until} is not a date like 2027-03-31", None
            return where("until", f"{d.until!r} is not a date like 2027-03-31"), None
    if require_reason and not d.reason.strip():
        return where("reason", _NO_REASON[d.source]), None
    return None, until


def _key_path(d: Directive) -> str | None:
    """A configuration entry's key path, ``tool.iamlint.suppress[0]`` (see `iamlint.config`)."""
    if d.source == "config" and len(d.key) > 1 and isinstance(d.key[1], str):
        return d.key[1]
    return None


def _config_key(d: Directive):
    """How a problem of a directive is said: a configuration entry's names its key path
    (``tool.iamlint.suppress[0].until: ...``), the others as they are."""
    path = _key_path(d)

    def where(field: str, problem: str) -> str:
        if path is None:
            return problem
        if field == "reason":
            return f"{path}: {problem}"
        return f"{path}.{field}: {problem}"

    return where


_NO_REASON = {
    "comment": "a suppression needs a reason after the brackets (require-reason is on)",
    "metadata": "each ignore entry needs a reason (require-reason is on)",
    "config": 'each entry needs a reason (require-reason is on): add reason = "..."',
}


_PREFIX = {"comment": "", "metadata": "Metadata iamlint ignore: ", "config": "configuration suppression: "}


def _message(d: Directive, problem: str) -> str:
    path = _key_path(d)
    if path is not None and problem.startswith(path):
        return f"configuration suppression {problem}"
    return _PREFIX[d.source] + problem


def validate(
    directives: Iterable[Directive], known: set[str], require_reason: bool
) -> tuple[list[Suppression], list[Finding]]:
    """The valid directives as suppressions, and an IAM904 finding for each invalid one."""
    valid: list[Suppression] = []
    problems: list[Finding] = []
    for d in directives:
        problem, until = _problem(d, known, require_reason)
        if problem is not None:
            problems.append(diagnostic(INVALID_SUPPRESSION, _message(d, problem), d.span))
        else:
            valid.append(Suppression(d, until))
    return valid, problems


# -- comments --------------------------------------------------------------------------------------
def statement_ranges(path: str, documents: Iterable[PolicyDocument]) -> list[tuple[int, int]]:
    return sorted(
        {(s.span.line, s.span.end_line) for d in documents for s in d.statements if s.span.file == path}
    )


def comment_directives(
    path: str, comments: Iterable[tuple[int, int, str]], ranges: list[tuple[int, int]]
) -> list[Directive]:
    """The ``iamlint:`` directives of a YAML or HCL file's comments, as written (see the module
    doc). ``comments`` are (line, column, text) as the parse stage finds them (text with its
    ``#``, ``//`` or ``/* */``); ``ranges`` the (first, last) lines of the file's statements.
    """
    out: list[Directive] = []
    for lineno, column, text in comments:
        if "iamlint" not in text:
            continue
        block = text.startswith("/*")
        m = _BLOCK_COMMENT.match(text) if block else _COMMENT.search(text)
        if not m:
            continue
        offset = m.start() + (1 if text[m.start()].isspace() else 0)
        end_line = lineno + text.count("\n")
        end_col = (len(text) - text.rfind("\n")) if end_line > lineno else column + len(text)
        span = Span(path, lineno, column + offset, end_line, end_col)
        rest = " ".join(m.group("rest").split()) if block else m.group("rest").strip()

        verb = m.group("verb").lower()
        if verb not in ("ignore", "ignore-file"):
            problem = (
                f"unknown iamlint directive {m.group('verb')!r}; write 'iamlint: ignore[CODE] reason' "
                "or 'iamlint: ignore-file[CODE] reason'"
            )
            out.append(Directive((), "", span, "comment", problem=problem))
            continue
        b = _BRACKET.match(rest)
        if not b:
            problem = f"write the codes to ignore in brackets: 'iamlint: {verb}[IAM101] reason'"
            out.append(Directive((), "", span, "comment", problem=problem))
            continue
        codes = tuple(c.strip() for c in re.split(r"[,\s]+", b.group("codes")) if c.strip())
        if not codes:
            problem = f"no rule code between the brackets of 'iamlint: {verb}[...]'"
            out.append(Directive((), "", span, "comment", problem=problem))
            continue
        reason, until = _split_until(b.group("reason"))
        if verb == "ignore-file":
            out.append(Directive(codes, reason, span, "comment", until=until, lines=WHOLE_FILE))
            continue
        # the statement it sits in, or that starts on the line after it
        first, last = lineno, end_line + 1
        for a, z in ranges:
            if a <= end_line and lineno <= z or a == end_line + 1:
                first, last = min(first, a), max(last, z)
        out.append(Directive(codes, reason, span, "comment", until=until, lines=(first, last)))
    return out


def _split_until(text: str) -> tuple[str, str | None]:
    """Strip ``until=DATE`` from a comment's reason; return (reason, date as written)."""
    m = _UNTIL.search(text)
    if not m:
        return text.strip(), None
    return (text[: m.start()] + text[m.end() :]).strip(), m.group(1)


# -- applying -------------------------------------------------------------------------------------
def _statement_at(documents: Iterable[PolicyDocument], span: Span) -> Statement | None:
    best = None
    for d in documents:
        for s in d.statements:
            ss = s.span
            if ss.file == span.file and (ss.line, ss.column) <= (span.line, span.column) <= (
                ss.end_line,
                ss.end_column,
            ):
                if best is None or (ss.line, ss.column) >= (best.span.line, best.span.column):
                    best = s
    return best


def _patterns_match(patterns: tuple[str, ...], values: Iterable[str]) -> bool:
    vals = [v.lower() for v in values]
    return any(fnmatch.fnmatchcase(v, p.lower()) for p in patterns for v in vals)


def matches(s: Suppression, f: Finding, rel_path: str, documents: Iterable[PolicyDocument]) -> bool:
    if f.code in INPUT_ERRORS or not s.covers_code(f.code):
        return False
    d = s.directive
    if d.source == "comment":
        return d.span.file == f.span.file and d.lines is not None and d.lines[0] <= f.span.line <= d.lines[1]
    if d.source == "metadata":
        return (
            d.span.file == f.span.file
            and f.owner is not None
            and (f.owner == d.owner or f.owner.startswith(f"{d.owner} ("))
        )
    # a configuration entry
    if not covers_file(d, f.span.file, rel_path):
        return False
    if d.actions or d.resources:
        stmt = _statement_at(documents, f.span)
        actions = [v.value for v in (stmt.action or ()) if isinstance(v, Str)] if stmt else []
        resources = [v.value for v in (stmt.resource or ()) if isinstance(v, Str)] if stmt else []
        if f.value:
            actions.append(f.value)
            resources.append(f.value)
        if d.actions and not _patterns_match(d.actions, actions):
            return False
        if d.resources and not _patterns_match(d.resources, resources):
            return False
    return True


def apply(
    findings: list[Finding],
    suppressions: list[Suppression],
    rel_path: str,
    documents: Iterable[PolicyDocument],
    today: _dt.date | None = None,
) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Split findings into (kept, suppressed-with-reason); expired suppressions annotate."""
    kept: list[Finding] = []
    hidden: list[tuple[Finding, str]] = []
    today = today or _dt.date.today()
    for f in findings:
        applied = None
        expired = None
        for s in suppressions:
            if not matches(s, f, rel_path, documents):
                continue
            if s.until is not None and s.until < today:
                expired = expired or s
                continue
            applied = s
            break
        if applied is not None:
            applied.used += 1
            hidden.append((f, applied.describe()))
        elif expired is not None:
            expired.used += 1
            kept.append(
                replace(
                    f,
                    message=f"{f.message} (suppression expired on {expired.until}: {expired.reason})",
                    related=(*f.related, (expired.span, f"the suppression that expired on {expired.until}")),
                )
            )
        else:
            kept.append(f)
    return kept, hidden


def covers_file(d: Directive, path: str, rel_path: str) -> bool:
    """Whether a configuration entry's ``files`` globs match a file (``rel_path``: relative to
    the configuration's directory)."""
    return any(path_matches(path, rel_path, g) for g in d.files)


def live(s: Suppression, known: Iterable[str], on: Callable[[str], bool]) -> bool:
    """Whether a suppression could have been used: one of the rules its codes name is on
    (``on(code)``). A suppression of rules that are all off is not judged (ruff's unused-noqa
    check skips them too): turning a rule off for a run must not fail it."""
    return any(on(k) for k in known if any(c == "ALL" or k.startswith(c) for c in s.codes))


def covered(d: Directive, root: str, given: Iterable[str]) -> bool:
    """Whether a run that was given the paths ``given`` linted every file a configuration
    entry can match: each of its globs' fixed part (``legacy`` of ``legacy/*.json``; the
    configuration's directory ``root`` for a glob that matches a name anywhere) is a path
    given or lies inside a directory given. Only then can "it matched nothing" be told from
    "its files were not in this run" (a pre-commit run, an editor's buffer)."""
    import os

    dirs = [os.path.abspath(p) for p in given]
    for g in d.files:
        base = _fixed_part(g, root)
        if not any(base == p or base.startswith(os.path.join(p, "")) for p in dirs):
            return False
    return bool(d.files)


def _fixed_part(glob: str, root: str) -> str:
    """The path before a glob's first wildcard, absolute: ``root/legacy`` for ``legacy/*.json``,
    ``root`` for ``*.json`` or ``**/x`` (which match anywhere below it)."""
    import os

    p = glob.strip().rstrip("/")
    if p.startswith("./"):
        p = p[2:]
    if "/" not in p:
        return os.path.abspath(root)
    parts = []
    for part in p.split("/"):
        if any(ch in part for ch in "*?["):
            break
        parts.append(part)
    fixed = "/".join(parts)
    if os.path.isabs(p):  # an absolute glob, from a file that another extends
        return os.path.normpath(fixed or "/")
    return os.path.normpath(os.path.join(os.path.abspath(root), fixed)) if fixed else os.path.abspath(root)


def unused(s: Suppression) -> Finding:
    codes = ",".join(s.codes)
    return diagnostic(UNUSED_SUPPRESSION, f"suppression of {codes} matches no finding; remove it", s.span)
