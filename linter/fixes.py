"""Fixes: the text edits of a finding's fix, and applying them, for the CLI and the server.

A rule declares the fix a finding carries in the model's terms (`iamlint.model.Fix`: spans
and values); this module turns it into text edits on the file the finding points into,
never re-serialising a document, so comments, quoting and layout survive in JSON, YAML and
HCL alike. Before it edits, it checks that the source holds, at each span, exactly the text
the fix expects: a value written in quotes the fix does not know, an escape, an
interpolation, a list that is really a ``Fn::If`` or a ``concat()``, gets no edit.

The API, used alike by ``iamlint --fix``/``--diff`` and by the language server's code actions:

- `plan(finding, text)`: the `TextFix` of one finding on ``text`` (its edits, their title,
  whether it is safe), or None;
- `plan_all(findings, text, path, unsafe=...)`: every applicable fix of a file;
- `apply(text, fixes)`: apply those that do not overlap (in file order; one that overlaps an
  earlier one waits for the next round), and say which were applied;
- `apply_edits(text, edits)`: apply edits (non-overlapping) to a text;
- `fix_text(text, lint, unsafe=...)`: fix a text until no fix applies, re-linting between
  rounds (at most `MAX_ROUNDS`), as ruff does.

Positions are iamlint's: 1-based lines and columns counting code points, the end exclusive
(`iamlint.model.Span`). A text with CRLF line ends is edited as it is: columns are the same
as in the LF text iamlint lints, and new line breaks are written as the text writes them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from .model import Finding, Span

__all__ = [
    "MAX_ROUNDS",
    "Edit",
    "FixResult",
    "TextFix",
    "applicable",
    "apply",
    "apply_edits",
    "fix_text",
    "plan",
    "plan_all",
]

#: rounds of fixing and re-linting before `fix_text` gives up converging
MAX_ROUNDS = 10
VERSION_VALUE = '"2012-10-17"'
#: the code of a parse error (IAM900): a fix that produces one is undone
_PARSE_ERROR = "IAM900"
_SAFE_TEXT = re.compile(r"[A-Za-z0-9][A-Za-z0-9:*?_./+=,@-]*")
_SPACE = " \t\r"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (``line``, ``column``) to (``end_line``, ``end_column``), end
    exclusive, with ``text`` (an insertion when both ends are equal). 1-based, code points."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class TextFix:
    """A finding's fix as edits of one file (``file``, the finding's own)."""

    finding: Finding
    edits: tuple[Edit, ...]

    @property
    def title(self) -> str:
        return self.finding.fix.title if self.finding.fix is not None else ""

    @property
    def safe(self) -> bool:
        return self.finding.fix is not None and self.finding.fix.safe

    @property
    def file(self) -> str:
        return self.finding.span.file


@dataclass
class FixResult:
    """What `fix_text` did: the fixed text, the fixes applied (over all rounds), the findings
    of the last lint (of the fixed text), and whether it converged (no fix left to apply)."""

    text: str
    applied: list[TextFix] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rounds: int = 0
    converged: bool = True


def applicable(finding: Finding, unsafe: bool = False) -> bool:
    """Whether the finding carries a fix that applies: a safe one, or any with ``unsafe``."""
    return finding.fix is not None and (finding.fix.safe or unsafe)


# -- positions ---------------------------------------------------------------------------------
class _Text:
    """A text with its line starts: (line, column) <-> offset, strictly (no clamping)."""

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        i = text.find("\n")
        while i != -1:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        self.starts = starts
        #: (id of a list's items, its offsets) -> (the items, its `_List`): see `_remove`
        self.lists: dict[tuple[int, tuple[int, int]], tuple[Sequence[Span], _List | None]] = {}

    def offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.starts) or column < 1:
            return None
        start = self.starts[line - 1]
        stop = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        off = start + column - 1
        return off if off <= stop else None

    def span(self, s: Span) -> tuple[int, int] | None:
        a = self.offset(s.line, s.column)
        b = self.offset(s.end_line, s.end_column)
        if a is None or b is None or b < a:
            return None
        return a, b

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def edit(self, start: int, end: int, text: str) -> Edit:
        a, b = self.position(start), self.position(end)
        return Edit(a[0], a[1], b[0], b[1], text)

    # -- scanning
    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def skip_space(self, i: int, end: int) -> int:
        t = self.text
        while i < end and t[i] in _SPACE:
            i += 1
        return i

    def skip_blank(self, i: int, end: int) -> int:
        """The first offset from ``i`` that is neither white space nor a comment (``#``,
        ``//`` and ``/* */``: whatever a gap between two list items of JSON, YAML or HCL holds
        besides its comma is one of these)."""
        t = self.text
        while i < end:
            c = t[i]
            if c in " \t\r\n\f\v":
                i += 1
            elif c == "#" or t.startswith("//", i, end):
                j = t.find("\n", i, end)
                i = end if j < 0 else j
            elif t.startswith("/*", i, end):
                j = t.find("*/", i + 2, end)
                if j < 0:
                    return i
                i = j + 2
            else:
                break
        return i

    def comma_gap(self, i: int, end: int) -> int | None:
        """The offset of the one comma in ``text[i:end]`` when the rest is blank, else None."""
        j = self.skip_blank(i, end)
        if j >= end or self.text[j] != ",":
            return None
        return j if self.skip_blank(j + 1, end) == end else None

    def rest_of_line(self, i: int) -> int | None:
        """From the end of an element: past spaces and a comment to the line's end; the
        offset after its line break (or the text's end), None when anything else follows."""
        t = self.text
        i = self.skip_space(i, len(t))
        if i < len(t) and (t[i] == "#" or t.startswith("//", i)):
            j = t.find("\n", i)
            i = len(t) if j < 0 else j
        if i >= len(t):
            return len(t)
        return i + 1 if t[i] == "\n" else None


# -- planning ----------------------------------------------------------------------------------
def plan(finding: Finding, text: str, _t: _Text | None = None) -> TextFix | None:
    """The edits of ``finding``'s fix on ``text`` (the text of the finding's file as linted,
    LF or CRLF), or None: it carries no fix, or the source does not hold what the fix
    expects."""
    fix = finding.fix
    if fix is None:
        return None
    t = _t or _Text(text)
    where = t.span(fix.span)
    if where is None:
        return None
    if fix.within is not None:
        if fix.within.file != fix.span.file:
            return None
        outer = t.span(fix.within)
        if outer is None or not (outer[0] <= where[0] and where[1] <= outer[1]):
            return None
    else:
        outer = None
    try:
        if fix.kind == "replace":
            edits = _replace(t, where, fix.old, fix.new)
        elif fix.kind == "remove" and outer is not None:
            edits = _remove(t, where, outer, fix.items)
        elif fix.kind == "add-version" and outer is not None:
            edits = _add_version(t, where, outer, fix.old)
        else:
            edits = None
    except (IndexError, ValueError):  # a span that does not fit the text: no fix
        edits = None
    if not edits:
        return None
    return TextFix(finding, tuple(edits))


def plan_all(findings: Iterable[Finding], text: str, path: str, unsafe: bool = False) -> list[TextFix]:
    """The fixes of the ``findings`` in file ``path`` that apply to ``text`` (safe ones;
    unsafe ones too with ``unsafe``), in file order."""
    t: _Text | None = None
    out: list[TextFix] = []
    for f in findings:
        if f.span.file != path or not applicable(f, unsafe):
            continue
        if t is None:
            t = _Text(text)
        tf = plan(f, text, t)
        if tf is not None:
            out.append(tf)
    out.sort(key=lambda x: (x.edits[0].line, x.edits[0].column, x.finding.code))
    return out


def _quoted(t: _Text, start: int, end: int, expected: str) -> str | None:
    """The quote around ``expected`` at ``text[start:end]`` ('"', "'" or '' for none), or
    None when the text there is anything else (an escape, an interpolation, a tag)."""
    got = t.text[start:end]
    for q in ('"', "'", ""):
        if got == f"{q}{expected}{q}":
            return q
    return None


def _replace(t: _Text, where: tuple[int, int], old: str, new: str) -> list[Edit] | None:
    if not old or not _SAFE_TEXT.fullmatch(new):
        return None
    q = _quoted(t, where[0], where[1], old)
    if q is None:
        return None
    return [t.edit(where[0] + len(q), where[1] - len(q), new)]


@dataclass(frozen=True)
class _List:
    """A list as written, checked once for all the removals of its items: the offsets of its
    items (in order, none overlapping) and each item's index; for a flow list (JSON, YAML
    flow, HCL) the commas between items and the offset of its closing bracket, for a YAML
    block sequence (``- a`` lines) ``commas`` None."""

    spans: list[tuple[int, int]]
    index: dict[tuple[int, int], int]
    commas: list[int] | None = None
    close: int = 0


def _remove(
    t: _Text, where: tuple[int, int], outer: tuple[int, int], items: Sequence[Span]
) -> list[Edit] | None:
    key = (id(items), outer)
    held = t.lists.get(key)
    if held is None:  # the list is held with its shape: its id is not reused meanwhile
        held = t.lists[key] = (items, _list_shape(t, outer, items))
    shape = held[1]
    k = shape.index.get(where) if shape is not None else None
    if shape is None or k is None:
        return None
    if shape.commas is not None:
        return _remove_flow(t, shape, k)
    s, e = shape.spans[k]  # a YAML block sequence: the item's line goes
    end = t.rest_of_line(e)
    assert end is not None
    return [t.edit(t.line_start(s), end, "")]


def _list_shape(t: _Text, outer: tuple[int, int], items: Sequence[Span]) -> _List | None:
    """The list ``items`` written as ``outer``, or None when it is not written as one list
    whose items can be removed one by one. Every fix removing an item of one list holds the
    same ``items`` (`fixkit.remove_item_fix`), so a list is looked at once, not once per
    item: a list of 8,000 duplicates took minutes (issue "Hostile input")."""
    spans: list[tuple[int, int]] = []
    for s in items:
        o = t.span(s)
        if o is None:
            return None
        spans.append(o)
    text = t.text
    a, b = outer
    if len(spans) < 2 or any(x[0] >= y[0] or x[1] > y[0] for x, y in pairwise(spans)):
        return None  # not in order, or overlapping
    if not (a <= spans[0][0] and spans[-1][1] <= b):
        return None
    index = {o: k for k, o in enumerate(spans)}
    if text[a] == "[" and text[b - 1] == "]":
        return _flow_list(t, spans, index, a + 1, b - 1)
    if text[a] == "-" and _block_list(t, spans, a):
        return _List(spans, index)
    return None


def _flow_list(
    t: _Text, spans: list[tuple[int, int]], index: dict[tuple[int, int], int], open_: int, close: int
) -> _List | None:
    """``[a, b, c]`` (JSON, a YAML flow sequence, an HCL list): one comma between items."""
    if t.skip_blank(open_, close) != spans[0][0]:
        return None
    commas = [t.comma_gap(x[1], y[0]) for x, y in pairwise(spans)]
    if any(c is None for c in commas):
        return None  # not one list: items of a Fn::If, a concat(), a function's arguments
    j = t.skip_blank(spans[-1][1], close)
    trailing = j < close and t.text[j] == ","
    if (t.skip_blank(j + 1, close) if trailing else j) != close:
        return None
    return _List(spans, index, [c for c in commas if c is not None], close)


def _remove_flow(t: _Text, shape: _List, k: int) -> list[Edit] | None:
    """The edits that remove item ``k`` of a flow list."""
    spans, commas, close = shape.spans, shape.commas, shape.close
    assert commas is not None
    s, e = spans[k]
    text = t.text
    # on a line of its own: the line goes (and, for the last item, the comma before it)
    before = text[t.line_start(s) : s]
    after = t.skip_space(e, close)
    own_comma = after < close and text[after] == ","
    if before.strip(_SPACE) == "" and (own_comma or k == len(spans) - 1):
        end = t.rest_of_line(after + 1 if own_comma else after)
        if end is not None:
            edits = [t.edit(t.line_start(s), end, "")]
            if k == len(spans) - 1 and not own_comma:
                c = commas[k - 1]
                edits.insert(0, t.edit(c, c + 1, ""))
            return edits
    # among others on one line: the item and the separator before it (after it, for the first)
    if k > 0:
        gap = text[spans[k - 1][1] : s]
        if "#" in gap or "/" in gap:
            return None
        return [t.edit(spans[k - 1][1], e, "")]
    gap = text[e : spans[1][0]]
    if "#" in gap or "/" in gap or "\n" in gap:
        return None
    return [t.edit(s, spans[1][0], "")]


def _block_list(t: _Text, spans: list[tuple[int, int]], a: int) -> bool:
    """Whether the items are a YAML block sequence (``- a`` lines, one indentation, nothing
    else between them) starting at ``a``."""
    text = t.text
    dash = None
    for i, (s, e) in enumerate(spans):
        start = t.line_start(s)
        prefix = text[start:s]
        m = re.fullmatch(r"([ ]*)-[ \t]+", prefix)
        if m is None or (dash is not None and len(m.group(1)) != dash):
            return False
        dash = len(m.group(1))
        if i == 0 and start + dash != a:
            return False
        if t.rest_of_line(e) is None:
            return False
        if i + 1 < len(spans) and t.skip_blank(e, spans[i + 1][0]) != t.line_start(spans[i + 1][0]) + dash:
            return False  # something else between two items
    return True


def _add_version(t: _Text, where: tuple[int, int], outer: tuple[int, int], key: str) -> list[Edit] | None:
    text = t.text
    ks, ke = where
    q = _quoted(t, ks, ke, key)
    if q is None:
        return None
    m = re.compile(r"[ \t]*([:=])[ \t]*").match(text, ke)
    if m is None:
        return None
    sep = m.group()
    newline = "\r\n" if "\r\n" in text else "\n"
    line_start = t.line_start(ks)
    prefix = text[line_start:ks]
    a = outer[0]
    if text[a] == "{" and t.skip_blank(a + 1, ks) == ks:  # JSON, a YAML flow mapping, HCL
        entry = f"{q}Version{q}{sep}{VERSION_VALUE}"
        if prefix.strip(_SPACE) == "":
            comma = "" if m.group(1) == "=" else ","  # HCL separates items by lines
            return [t.edit(ks, ks, f"{entry}{comma}{newline}{prefix}")]
        return [t.edit(ks, ks, f"{entry}, ")]
    if a == ks and m.group(1) == ":" and re.fullmatch(r"[ -]*", prefix):  # a YAML block mapping
        indent = " " * len(prefix)
        return [t.edit(ks, ks, f"{q}Version{q}: {VERSION_VALUE}{newline}{indent}")]
    return None


# -- applying ----------------------------------------------------------------------------------
def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` made (they must not overlap; ValueError otherwise). A ``\\n``
    in an edit's text is written as the text writes its line breaks (CRLF or LF)."""
    t = _Text(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    ranges = []
    for e in edits:
        a, b = t.offset(e.line, e.column), t.offset(e.end_line, e.end_column)
        if a is None or b is None or b < a:
            raise ValueError(f"edit {e} does not fit the text")
        new = e.text.replace("\r\n", "\n").replace("\n", newline) if newline != "\n" else e.text
        ranges.append((a, b, new))
    ranges.sort(key=lambda r: (r[0], r[1]))
    for x, y in pairwise(ranges):
        if y[0] < x[1] or (x[0] == x[1] == y[0]):
            raise ValueError("edits overlap")
    out = []
    pos = 0
    for a, b, new in ranges:
        out.append(text[pos:a])
        out.append(new)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _overlaps(x: tuple[int, int], y: tuple[int, int]) -> bool:
    if x[0] == x[1] or y[0] == y[1]:  # an insertion: at the same place, or inside the other
        return x[0] == y[0] or (y[0] < x[0] < y[1]) or (x[0] < y[0] < x[1])
    return x[0] < y[1] and y[0] < x[1]


def _overlaps_taken(r: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    """Whether ``r`` overlaps one of ``taken``: ranges that overlap none of each other, in
    order, so their ends are in order too, and only those around ``r`` need a look (each
    fix against every one taken was quadratic: 8,000 removals took seconds)."""
    i = bisect.bisect_left(taken, (r[0], -1))
    j = i
    while j > 0 and taken[j - 1][1] >= r[0]:
        j -= 1
    k = i
    while k < len(taken) and taken[k][0] <= r[1]:
        k += 1
    return any(_overlaps(r, o) for o in taken[j:k])


def apply(text: str, fixes: Iterable[TextFix]) -> tuple[str, list[TextFix]]:
    """Apply, in file order, each fix none of whose edits overlaps an edit already taken; the
    others wait for the next round (`fix_text`). Returns the new text and the fixes applied."""
    t = _Text(text)
    taken: list[tuple[int, int]] = []
    chosen: list[TextFix] = []
    edits: list[Edit] = []
    for fx in sorted(fixes, key=lambda x: (x.edits[0].line, x.edits[0].column, x.finding.code)):
        ranges = []
        for e in fx.edits:
            a, b = t.offset(e.line, e.column), t.offset(e.end_line, e.end_column)
            if a is None or b is None:
                break
            ranges.append((a, b))
        else:
            if any(_overlaps_taken(r, taken) for r in ranges) or any(
                _overlaps(r, o) for i, r in enumerate(ranges) for o in ranges[i + 1 :]
            ):
                continue
            for r in ranges:
                bisect.insort(taken, r)
            chosen.append(fx)
            edits.extend(fx.edits)
    if not chosen:
        return text, []
    return apply_edits(text, edits), chosen


def _parse_errors(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.code == _PARSE_ERROR)


def fix_text(
    text: str,
    lint: Callable[[str], Sequence[Finding]],
    path: str,
    *,
    unsafe: bool = False,
    max_rounds: int = MAX_ROUNDS,
    findings: Sequence[Finding] | None = None,
) -> FixResult:
    """Fix ``text`` (the file ``path``): lint it (``lint(text)`` returns the findings iamlint
    reports for it), apply the fixes that do not overlap, and again, until no fix applies or
    ``max_rounds`` rounds have run. A round whose result no longer parses (a new IAM900) is
    undone, and fixing stops there. ``findings``: those of ``text`` when the caller has
    linted it already (the first lint is then skipped)."""
    findings = list(lint(text) if findings is None else findings)
    result = FixResult(text, findings=findings)
    for _ in range(max_rounds):
        fixes = plan_all(findings, text, path, unsafe)
        if not fixes:
            return result
        new, applied = apply(text, fixes)
        if not applied or new == text:
            return result
        after = list(lint(new))
        result.rounds += 1
        if _parse_errors(after) > _parse_errors(findings):
            result.converged = False
            return result
        text, findings = new, after
        result.text, result.findings = text, findings
        result.applied.extend(applied)
    result.converged = not plan_all(findings, text, path, unsafe)
    return result
