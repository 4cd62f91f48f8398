"""Values of Terraform policies as positional nodes, and JSON texts embedded in files.

Terraform policies reach iamlint in two shapes: HCL values (``jsonencode({...})`` and
``aws_iam_policy_document`` blocks), which `terraform` evaluates into the nodes below, and
JSON *texts* (heredocs, quoted strings, ``file()``, ``templatefile()``, the escaped strings
of plan JSON) that this module parses.

The nodes subclass `iamlint.nodes` (``PStr``, ``PDict``, ``PList``, ``PScalar``) so that
`DocumentBuilder` reads them like any JSON, and add ``file``: a value resolved through
``local.x`` may stand in another file than the resource that uses it. `UnknownNode` is a
value iamlint does not resolve; it becomes `Unknown` with its source text.

A `MappedText` is a string value that knows the file offset of each of its characters, so
that JSON parsed from it gets exact positions in the file even through HCL or JSON escapes
and the indentation that ``<<-`` heredocs strip. Its ``${...}`` interpolations are masked
before parsing (keeping lengths, hence positions) and resolved afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...diagnostics import DUPLICATE_KEY, diagnostic, parse_error
from ...model import Finding, Input, Span
from ...parse.hcl_tree import Expr, Heredoc, Interp, Quoted, unescape_map
from ...parse.json_parser import parse_json, string_at
from ...parse.nodes import PDict, PList, PScalar, PStr
from ...positions import LineIndex, Pos, PositionedError


# -- nodes -------------------------------------------------------------------------------------
class TStr(PStr):
    """A string and the file it stands in: ``file`` is a class attribute, of a subclass per
    file (`_tstr_class`), so that a string has no ``__dict__`` (see `iamlint.parse.nodes`)."""

    __slots__ = ()
    file: str = ""

    def __new__(cls, value: str, pos: Pos, file: str):
        if cls.file != file or cls is TStr:
            cls = _tstr_class(file)
        return super().__new__(cls, value, pos)


#: file -> the TStr subclass of the strings in that file (a few per module)
_TSTR_CLASSES: dict[str, type[TStr]] = {}


def _tstr_class(file: str) -> type[TStr]:
    cls = _TSTR_CLASSES.get(file)
    if cls is None:
        if len(_TSTR_CLASSES) > 4096:  # a long-lived process (the language server) lints many
            _TSTR_CLASSES.clear()
        cls = _TSTR_CLASSES[file] = type(
            "TStr", (TStr,), {"__slots__": (), "file": file, "__module__": __name__}
        )
    return cls


class TDict(PDict):
    #: ``_size``: its size as `module.Module.size` measures it, once measured (-1: not yet),
    #: kept on the node so that no table of sizes keeps every value evaluated alive
    __slots__ = ("file", "_size")

    def __init__(self, pos: Pos, file: str):
        super().__init__(pos)
        self.file = file
        self._size = -1


class PartialDict(TDict):
    """A map merged (``merge()``) from maps of which some are not known: ``unresolved``."""

    def __init__(self, pos: Pos, file: str, unresolved: list[UnknownNode]):
        super().__init__(pos, file)
        self.unresolved = unresolved


class DynStatement(TDict):
    """A statement of a ``dynamic`` block expanded with unknown iterator values: ``maybe``
    names its elements whose value may be null, that is absent (see `documents.settle`)."""

    def __init__(self, pos: Pos, file: str):
        super().__init__(pos, file)
        self.maybe: set[str] = set()


class TList(PList):
    __slots__ = ("file", "_size")  # ``_size``: see `TDict`

    def __init__(self, pos: Pos, file: str):
        super().__init__(pos)
        self.file = file
        self._size = -1


class Choices(TList):
    """The values a variable's ``validation`` allows: its value is one of them (linted as
    each, as CloudFormation's ``AllowedValues``), also inside a string (``"${var.x}"``)."""

    __slots__ = ()


class TScalar(PScalar):
    __slots__ = ("file",)

    def __init__(self, value: Any, pos: Pos, text: str, file: str):
        super().__init__(value, pos, text)
        self.file = file


class UnknownNode:
    """A value iamlint does not resolve (``var.x`` without default, ``module.m.arn``, ...).

    When its only unknown parts are deployment inputs (a variable without a default, a
    module output, remote state), ``shape`` is the value with each of them spelled
    ``${var.x}`` and ``inputs`` names them (see `iamlint.model.Unknown`)."""

    __slots__ = ("text", "pos", "file", "note", "shape", "inputs", "arn_types", "refers_to")

    def __init__(
        self,
        text: str,
        pos: Pos,
        file: str,
        note: str = "",
        shape: str = "",
        inputs: tuple[tuple[str, Input], ...] = (),
        arn_types: tuple[str, ...] = (),
        refers_to: tuple[str, str] | None = None,
    ):
        self.text = text
        self.pos = pos
        self.file = file
        self.note = note
        self.shape = shape
        self.inputs = inputs
        #: the IAM resource types of the ARN it stands for, when known (`Unknown.arn_types`)
        self.arn_types = arn_types
        #: the resource address and attribute it stands for, when known (`Unknown.refers_to`)
        self.refers_to = refers_to

    def __repr__(self) -> str:
        return f"UnknownNode({self.text!r})"


Node = Any  # TStr | TDict | TList | TScalar | UnknownNode


def relocate(node: Node, pos: Pos, file: str) -> Node:
    """A copy of ``node`` with every position moved to ``pos`` in ``file``.

    Used when a value is written in a ``.tf`` file that was not given: findings are then
    reported where the given file refers to it. Copied with a stack, not by recursion, so
    that a value of any depth is copied.
    """

    def copy(n: Node) -> tuple[Node, bool]:
        """The copy of one node (containers empty, filled later) and whether it is one."""
        if isinstance(n, str):
            return TStr(str(n), pos, file), False
        if isinstance(n, PartialDict):
            return PartialDict(
                pos, file, [UnknownNode(u.text, pos, file, u.note) for u in n.unresolved]
            ), True
        if isinstance(n, dict):
            return TDict(pos, file), True
        if isinstance(n, list):
            return TList(pos, file), True
        if isinstance(n, PScalar):
            return TScalar(n.value, pos, n.text, file), False
        if isinstance(n, UnknownNode):
            return UnknownNode(n.text, pos, file, n.note, n.shape, n.inputs, n.arn_types, n.refers_to), False
        return n, False

    out, container = copy(node)
    todo = [(node, out)] if container else []
    while todo:
        src, dst = todo.pop()
        for k, v in src.items() if isinstance(src, dict) else enumerate(src):
            c, is_container = copy(v)
            if isinstance(dst, dict):
                dst[TStr(str(k), pos, file)] = c
            else:
                dst.append(c)
            if is_container:
                todo.append((v, c))
    return out


def nesting(node: Node) -> int:
    """How deeply a value nests (a scalar is 0, ``[]`` is 1), measured with a stack; a part
    shared by several containers is measured once."""
    depth: dict[int, int] = {}
    todo: list[tuple[Any, bool]] = [(node, False)]
    while todo:
        n, done = todo.pop()
        if not isinstance(n, (dict, list)) or (not done and id(n) in depth):
            continue
        kids = [v for v in (n.values() if isinstance(n, dict) else n) if isinstance(v, (dict, list))]
        if done:
            depth[id(n)] = 1 + max((depth[id(v)] for v in kids), default=0)
            continue
        depth[id(n)] = 0  # in progress
        todo.append((n, True))
        todo.extend((v, False) for v in kids if id(v) not in depth)
    return depth.get(id(node), 0)


def node_file(node: Any, default: str) -> str:
    return getattr(node, "file", None) or default


def span_of(node: Any, file: str) -> Span:
    p = getattr(node, "pos", None) or (1, 1, 1, 1)
    return Span(node_file(node, file), p[0], p[1], p[2], p[3])


# -- mapped texts ------------------------------------------------------------------------------
class Region:
    """A ``${...}`` interpolation: ``start``/``end`` in the text, its inner source, and
    ``expr`` once parsed. ``file_offset(k)`` is the file offset of inner character k."""

    __slots__ = ("start", "end", "inner", "file_offset", "expr")

    def __init__(
        self, start: int, end: int, inner: str, file_offset: Callable[[int], int], expr: Expr | None = None
    ):
        self.start = start
        self.end = end
        self.inner = inner
        self.file_offset = file_offset
        self.expr = expr

    @property
    def raw(self) -> str:
        return "${" + self.inner + "}"


class MappedText:
    """A string value with the file offset of each character (``offsets``, one more than
    the characters, for the end); ``offsets`` None means the text *is* the file's text."""

    __slots__ = ("text", "file", "locator", "offsets", "regions", "directive", "what")

    def __init__(
        self,
        text: str,
        file: str,
        locator: LineIndex,
        offsets: list[int] | None = None,
        regions: list[Region] | None = None,
        directive: bool = False,
        what: str = "JSON",
    ):
        self.text = text
        self.file = file
        self.locator = locator
        self.offsets = offsets
        self.regions = regions or []
        self.directive = directive
        self.what = what

    def file_offset(self, i: int) -> int:
        if self.offsets is None:
            return i
        if not self.offsets:
            return 0
        return self.offsets[max(0, min(i, len(self.offsets) - 1))]

    def at(self, i: int) -> tuple[int, int]:
        return self.locator.at(self.file_offset(i))


def _with_end(offsets: list[int], end: int) -> list[int]:
    offsets.append(end)
    return offsets


def _match_close(raw: str, i: int) -> int | None:
    """Index of the ``}`` closing an interpolation whose content starts at ``i``.

    Strings inside it may hold interpolations of their own, to any depth: they are followed
    with a stack, not by recursion."""
    stack = [0]  # -1: inside a string; k >= 0: inside an interpolation, k braces deep
    n = len(raw)
    while i < n:
        ch = raw[i]
        if stack[-1] < 0:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                stack.pop()
            elif raw.startswith("${", i):
                stack.append(0)
                i += 2
                continue
        elif ch == '"':
            stack.append(-1)
        elif ch == "{":
            stack[-1] += 1
        elif ch == "}":
            if stack[-1] == 0:
                stack.pop()
                if not stack:
                    return i
            else:
                stack[-1] -= 1
        i += 1
    return None


def _clamped(offsets: list[int], base: int) -> Callable[[int], int]:
    """Offset ``k`` of a region starting at ``base`` -> its file offset (clamped to the text)."""
    return lambda k: offsets[min(base + k, len(offsets) - 1)]


def _shifted(fo: Callable[[int], int], base: int) -> Callable[[int], int]:
    return lambda k: fo(base + k)


def template(raw: str, raw_offsets: list[int], file: str, locator: LineIndex, what: str) -> MappedText:
    """A template's text (heredoc body, template file): ``$${`` and ``%%{`` unescaped,
    ``${...}`` interpolations recorded as regions, ``%{...}`` directives noted."""
    out: list[str] = []
    offs: list[int] = []
    regions: list[Region] = []
    directive = False
    i, n = 0, len(raw)
    while i < n:
        if raw.startswith("$${", i) or raw.startswith("%%{", i):
            out.append(raw[i + 1 : i + 3])
            offs.extend(raw_offsets[i + 1 : i + 3])
            i += 3
            continue
        if raw.startswith("${", i):
            j = _match_close(raw, i + 2)
            if j is not None:
                base = i + 2
                inner = raw[base:j]
                regions.append(
                    Region(
                        len(out),
                        len(out) + (j + 1 - i),
                        inner,
                        _clamped(raw_offsets, base),
                    )
                )
                out.extend(raw[i : j + 1])
                offs.extend(raw_offsets[i : j + 1])
                i = j + 1
                continue
        if raw.startswith("%{", i):
            directive = True
        out.append(raw[i])
        offs.append(raw_offsets[i])
        i += 1
    end = raw_offsets[-1] + 1 if raw_offsets else 0
    return MappedText("".join(out), file, locator, _with_end(offs, end), regions, directive, what)


def heredoc_text(h: Heredoc, file: str, locator: LineIndex) -> MappedText:
    """A heredoc's value as Terraform reads it (``<<-`` strips the common indentation)."""
    token = h.token
    first = token.find("\n")
    body = token[first + 1 :]
    if body.endswith("\n"):
        body = body[:-1]
    cut = body.rfind("\n")
    body = body[: cut + 1] if cut != -1 else ""  # drop the closing marker line
    base = h.offset + first + 1
    lines = body.split("\n")[:-1] if body else []
    strip = 0
    if h.trim:
        widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        strip = min(widths) if widths else 0
    raw: list[str] = []
    offs: list[int] = []
    pos = base
    for ln in lines:
        lead = len(ln) - len(ln.lstrip(" \t"))
        k = min(strip, lead)
        raw.append(ln[k:] + "\n")
        offs.extend(range(pos + k, pos + len(ln) + 1))
        pos += len(ln) + 1
    return template("".join(raw), offs, file, locator, "heredoc")


def quoted_text(q: Quoted, file: str, locator: LineIndex) -> MappedText:
    """A quoted HCL string's value with per-character file offsets (escapes resolved)."""
    fo = q.fo or (lambda o: o)
    out: list[str] = []
    offs: list[int] = []
    regions: list[Region] = []
    for p in q.parts:
        if isinstance(p, Interp):
            raw = q.src[p.offset : p.end]
            regions.append(
                Region(len(out), len(out) + len(raw), raw[2:-1], _shifted(fo, p.offset + 2), p.expr)
            )
            out.extend(raw)
            offs.extend(fo(p.offset + k) for k in range(len(raw)))
        elif p.escaped:
            value, idx = unescape_map(p.raw)
            out.append(value)
            offs.extend(fo(p.offset + k) for k in idx)
        else:
            out.append(p.raw)
            offs.extend(fo(p.offset + k) for k in range(len(p.raw)))
    end = fo(q.end - 1)
    return MappedText("".join(out), file, locator, _with_end(offs, end), regions, q.directive, "string")


def json_string_text(text: str, quote: int, file: str, locator: LineIndex, what: str) -> MappedText | None:
    """The value of the JSON string literal at offset ``quote`` of ``text`` (plan JSON), with
    the file offset of each character; None when it is not a well-formed string."""
    got = string_at(text, quote)
    if got is None:
        return None
    return MappedText(got[0], file, locator, got[1], what=what)


# -- JSON from a mapped text ---------------------------------------------------------------------
class TextProblem:
    """Why a JSON text gave no document: an IAM900 (syntax) or a silent unknown."""

    __slots__ = ("message", "span")

    def __init__(self, message: str, span: Span | None):
        self.message = message
        self.span = span  # None: nothing to report (a template directive, say)


Resolve = Callable[[Region, bool], Node]  # (region, inside a JSON string) -> node


def _string_flags(text: str, regions: list[Region]) -> list[bool]:
    """For each region: does it stand inside a JSON string literal?"""
    flags: list[bool] = []
    in_str = False
    i = 0
    ri = 0
    n = len(text)
    while i < n:
        if ri < len(regions) and i == regions[ri].start:
            flags.append(in_str)
            i = regions[ri].end
            ri += 1
            continue
        ch = text[i]
        if in_str and ch == "\\":
            i += 2
            continue
        if ch == '"':
            in_str = not in_str
        i += 1
    while len(flags) < len(regions):
        flags.append(in_str)
    return flags


def _mask(text: str, regions: list[Region], flags: list[bool]) -> str:
    parts: list[str] = []
    last = 0
    for r, inside in zip(regions, flags, strict=False):
        parts.append(text[last : r.start])
        width = r.end - r.start
        parts.append("x" * width if inside else '"' + "x" * (width - 2) + '"')
        last = r.end
    parts.append(text[last:])
    return "".join(parts)


def _json_unescape(chunk: str) -> str:
    if "\\" not in chunk:
        return chunk
    try:
        return json.loads('"' + chunk + '"')
    except ValueError:
        return chunk


def parse_mapped_json(
    mt: MappedText, resolve: Resolve | None = None
) -> tuple[Node | None, list[Finding], TextProblem | None]:
    """Parse JSON from a mapped text into nodes with file positions.

    Returns (node, diagnostics, problem): diagnostics for trailing commas and duplicate
    keys; ``problem`` says why there is no node.
    """
    if mt.directive:
        return None, [], TextProblem("template directives are not evaluated", None)
    regions = mt.regions
    flags = _string_flags(mt.text, regions) if regions else []
    masked = _mask(mt.text, regions, flags) if regions else mt.text
    local = LineIndex(masked)
    recovered: list[PositionedError] = []
    try:
        root = parse_json(masked, recovered=recovered)
    except PositionedError as e:
        line, col = mt.at(local.offset(e.line, e.column))
        return (
            None,
            [],
            TextProblem(f"invalid JSON in {mt.what}: {e.message}", Span(mt.file, line, col, line, col + 1)),
        )
    except RecursionError:
        return (
            None,
            [],
            TextProblem(f"JSON in {mt.what} is nested too deeply", Span(mt.file, *mt.at(0), *mt.at(0))),
        )

    def fpos(p: Pos) -> Pos:
        a = mt.at(local.offset(p[0], p[1]))
        b = mt.at(local.offset(p[2], p[3]))
        return (a[0], a[1], b[0], b[1])

    diags: list[Finding] = []
    for r in recovered:  # a trailing comma: reported, and the rest of the document is linted
        line, col = mt.at(local.offset(r.line, r.column))
        diags.append(parse_error(mt.file, f"invalid JSON in {mt.what}: {r.message}", line, col))
    by_start = {r.start: (r, f) for r, f in zip(regions, flags, strict=False)}

    def string(s: PStr) -> Node:
        pos = fpos(s.pos)
        if not regions:
            return TStr(str(s), pos, mt.file)
        a = local.offset(s.pos[0], s.pos[1])
        b = local.offset(s.pos[2], s.pos[3])
        hit = by_start.get(a)
        if hit is not None and not hit[1] and hit[0].end == b:  # a whole ${...} outside strings
            got = resolve(hit[0], False) if resolve else None
            return got if got is not None else UnknownNode(hit[0].raw, pos, mt.file)
        inside = [r for r in regions if a < r.start < b]
        if not inside:
            return TStr(str(s), pos, mt.file)
        raw = mt.text[a + 1 : b - 1]
        pieces: list[str] = []
        last = a + 1
        resolved = True
        for r in inside:
            pieces.append(_json_unescape(mt.text[last : r.start]))
            got = resolve(r, True) if resolve else None
            if isinstance(got, str) and not isinstance(got, UnknownNode):
                pieces.append(str(got))
            elif isinstance(got, PScalar) and got.value is not None and not isinstance(got.value, bool):
                pieces.append(got.text)
            elif isinstance(got, PScalar) and isinstance(got.value, bool):
                pieces.append("true" if got.value else "false")
            else:
                resolved = False
            last = r.end
        pieces.append(_json_unescape(mt.text[last : b - 1]))
        if resolved:
            return TStr("".join(pieces), pos, mt.file)
        whole = len(inside) == 1 and inside[0].start == a + 1 and inside[0].end == b - 1
        ref = got if whole and isinstance(got, UnknownNode) else None
        return UnknownNode(
            raw,
            pos,
            mt.file,
            arn_types=ref.arn_types if ref is not None else (),
            refers_to=ref.refers_to if ref is not None else None,
        )

    def leaf(n: Any) -> Node:
        if isinstance(n, PStr):
            return string(n)
        if isinstance(n, PScalar):
            return TScalar(n.value, fpos(n.pos), n.text, mt.file)
        return n

    def container(n: PDict | PList) -> Node:
        return TDict(fpos(n.pos), mt.file) if isinstance(n, PDict) else TList(fpos(n.pos), mt.file)

    def duplicates(n: PDict) -> None:
        for key, first, second in getattr(n, "dups", ()):
            if second:
                where = f" (first at line {fpos(first)[0]})" if first else ""
                p = fpos(second)
                related = ((Span(mt.file, *fpos(first)), f"the first {str(key)!r}"),) if first else ()
                diags.append(
                    diagnostic(
                        DUPLICATE_KEY,
                        f"duplicate key {str(key)!r}{where}; the last value is used",
                        Span(mt.file, *p),
                        value=f"duplicate:{key}",  # not the line of the first one
                        related=related,
                    )
                )

    def convert(n: Any) -> Node:
        """The nodes with file positions, depth first in document order (interpolations are
        resolved in that order), with a stack rather than recursion."""
        if not isinstance(n, (PDict, PList)):
            return leaf(n)
        top = container(n)
        stack = [(n, top, iter(n.items() if isinstance(n, PDict) else enumerate(n)))]
        while stack:
            src, dst, items = stack[-1]
            item = next(items, None)
            if item is None:
                stack.pop()
                if isinstance(src, PDict):
                    duplicates(src)
                continue
            k, v = item
            c = container(v) if isinstance(v, (PDict, PList)) else leaf(v)
            if isinstance(dst, dict):
                key = string(k) if isinstance(k, PStr) else k
                if isinstance(key, UnknownNode):  # a key with an unresolved ${...}: its source text
                    key = TStr(key.text, key.pos, mt.file)
                dst[key] = c
            else:
                dst.append(c)
            if isinstance(v, (PDict, PList)):
                stack.append((v, c, iter(v.items() if isinstance(v, PDict) else enumerate(v))))
        return top

    return convert(root), diags, None
