"""A Terraform module: its files, their top-level blocks, and the values of expressions.

A module is a directory: every ``.tf`` file in it is read so that ``local.x``, ``var.x``
and data sources resolve across files.

Parsing is lazy, because python-hcl2's parser is the costly part: files that mention
nothing IAM-related are not parsed at all, and in the others only the top-level blocks
that matter (policy resources, principals, attachments, ``aws_iam_policy_document``) are
parsed, each on its own (`hcl_tree.split_blocks` finds their bounds). Locals, variables
and data sources are parsed when a reference needs them, wherever they are.

Values are evaluated only as far as they are literal: strings, numbers, lists, objects,
``jsonencode``, ``file``, ``templatefile``, locals, variables with a default, dynamic
blocks over literal collections, and the data sources that name this account, partition
and region (kept as the interpolation the user wrote, ``${data.aws_caller_identity.X.account_id}``,
which `values.pseudo_parts` recognises). Anything else becomes an `UnknownNode` with its
source text: never a guess, never a crash.

Evaluation is bounded: values, references (``local.a`` -> ``local.b`` -> ...), policies and
data sources nested more than `MAX_DEPTH` levels deep are an IAM900 where the nesting goes
too deep ("nesting too deep to evaluate") and an unknown value from there on, so no input
can exhaust Python's stack; a problem in one file stays that file's diagnostic.

Files read by ``file()``/``templatefile()`` stay inside the repository being linted (the
``roots`` the engine passes: the repository of the path given, and ``allow-paths``): a
target outside, after symbolic links and ``..`` are resolved, or one that is not a regular
file, is an IAM905 at the call and is never read, so that no finding quotes it.

Positions: a value is reported where its literal is written. When that is a ``.tf`` file
that was not given, it is reported where the given file refers to it instead, so that
findings stay in the given files (`Module.moves`).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from typing import Any

from ...diagnostics import (
    DUPLICATE_KEY,
    MISSING_FILE,
    PARSE_ERROR,
    UNRESOLVED_POLICY,
    Diagnostic,
    diagnostic,
    parse_error,
)
from ...discover import MAX_BYTES, file_kind, inside, read, repository_root
from ...model import Finding, Input, Span
from ...parse.hcl_tree import (
    Attribute,
    Block,
    BlockSpan,
    Body,
    Call,
    Expr,
    Heredoc,
    Interp,
    Lit,
    NestingError,
    ObjectX,
    Opaque,
    Quoted,
    Ref,
    TupleX,
    parse_block,
    parse_block_light,
    parse_body,
    parse_expression,
    shifted,
    simple_expression,
    split_attributes,
    split_blocks,
    unescape,
)
from ...parse.nodes import PScalar, pos_of
from ...positions import LineIndex, PositionedError
from .conditional import split
from .text import (
    Choices,
    MappedText,
    Node,
    PartialDict,
    Region,
    TDict,
    TList,
    TScalar,
    TStr,
    UnknownNode,
    heredoc_text,
    nesting,
    node_file,
    parse_mapped_json,
    quoted_text,
    relocate,
    span_of,
    template,
)
from .types import ARN_ATTRIBUTES, MARKERS, OPTIONAL_POLICY, PSEUDO, RESOURCE_POLICIES

#: levels of values, references, policies and data sources evaluated within one another
#: (real modules nest under 20): beyond, "nesting too deep to evaluate"
MAX_DEPTH = 64
#: iterations of one ``dynamic`` block evaluated (real modules have a few dozen): beyond, the
#: others are an IAM906 (unresolved-policy) at its ``for_each``
MAX_ITERATIONS = 1000
#: the size of one value evaluated (its items and keys, and the characters of its strings,
#: counted as written out in full: a part used twice counts twice). AWS's largest policies
#: are 20 KB, and real values stay far below it; beyond, the value is unknown (an IAM906 where
#: a policy uses it): locals that each double the one before (``a = [b, b]``, ``b = [c, c]``,
#: or ``"${b}${b}"``) stand for a value of 2^40 items 40 levels down, and are read in linear time
MAX_VALUE_SIZE = 200_000
TOO_LARGE = "too large"
#: the note of the iterator values of a ``dynamic`` block whose ``for_each`` is not known
UNKNOWN_ITERATION = "an item of a for_each that is not known"
#: the note of a variable (or a local derived from one) read inside a ``dynamic`` block whose
#: ``for_each`` reads it and is not known: the block exists only for some of its values
FOR_EACH_INPUT = "read by the for_each of its dynamic block"
#: the note of a reference to an attribute or element a known value does not have
#: (``try()`` moves on to its next argument)
NO_SUCH_ELEMENT = "no such attribute or element"
_END = object()
_UNSPLIT = object()


_VAR = re.compile(r"(?<![\w.])var\s*\.")
#: ``var.NAME`` and ``local.NAME`` in an expression's text: NAME is group 1
_VAR_NAME = re.compile(r"(?<![\w.])var\s*\.\s*([A-Za-z_][\w-]*)")
_LOCAL_NAME = re.compile(r"(?<![\w.])local\s*\.\s*([A-Za-z_][\w-]*)")
#: ``contains([...], X)`` in a variable's validation: the list is group 1, X group 2
_CONTAINS = re.compile(r"contains\(\s*(\[[^\[\]]*\])\s*,\s*([\w.]+)\s*\)")
#: ``X == null``, ``X != null`` (or ``null != X``): X is group 1 or 4
_NULL_TEST = re.compile(r"^\s*(?:([^=!]+?)\s*(==|!=)\s*null|null\s*(==|!=)\s*([^=!]+?))\s*$")
_DATA_SPLAT = re.compile(r"^data\.aws_iam_policy_document\.([\w-]+)\[\*\]\.(json|minified_json)$")


def _lead(text: str, a: int, b: int) -> int:
    """How many blanks begin ``text[a:b]``."""
    return len(text[a:b]) - len(text[a:b].lstrip())


def _conditional_piece(source: str, a: int, b: int, locator: LineIndex) -> Opaque | None:
    """``source[a:b]`` as the opaque expression the parser would give it, when it is itself
    a conditional (``split`` finds its ``?`` and ``:``), without parsing it: the part of a
    conditional nested in another is read when its own parts are needed, so a chain or
    nest of conditionals costs a scan of each part, not a parse of the rest of the chain
    at every level (thousands deep, that took longer than the time budget)."""
    if b <= a or split(source[a:b]) is None:
        return None
    return Opaque(locator.span(a, b), source, a, b)


def _null(expr: Expr) -> bool:
    return isinstance(expr, Lit) and expr.value is None


def describe(value: Any) -> str:
    """What kind of value this is, for messages: "a list", "a number", ..."""
    if isinstance(value, PScalar):
        value = value.value
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map"
    return "null" if value is None else "a value"


# -- files and the module ------------------------------------------------------------------------
class Def:
    """A top-level block of the module (resource, data, variable, locals), parsed on first use."""

    __slots__ = ("kind", "labels", "path", "span", "block", "tried", "spans", "attrs")

    def __init__(
        self,
        kind: str,
        labels: tuple[str, ...],
        path: str,
        span: BlockSpan | None = None,
        block: Block | None = None,
        tried: bool = False,
    ):
        self.kind = kind
        self.labels = labels
        self.path = path
        self.span = span
        self.block = block
        self.tried = tried
        #: its top-level attributes, found without parsing (`hcl_tree.split_attributes`):
        #: name -> offsets; None when its body cannot be split; `_UNSPLIT` until looked at
        self.spans: Any = _UNSPLIT
        self.attrs: dict[str, Attribute | None] = {}  # those parsed one at a time


class TfFile:
    """A ``.tf`` file of the module: its text (or read error) and its definitions."""

    __slots__ = ("path", "text", "error", "scanned", "whole_tried", "defs", "locator")

    def __init__(self, path: str, text: str | None, error: Finding | None = None):
        self.path = path
        self.text = text
        self.error = error
        self.scanned = False
        self.whole_tried = False
        self.defs: list[Def] = []
        self.locator: LineIndex | None = None

    def relevant(self) -> bool:
        return self.text is not None and any(m in self.text for m in MARKERS)


class Scope:
    """Where an expression is evaluated: its file, dynamic-block iterators, template vars.

    ``dynamic`` is the innermost ``dynamic`` block being expanded with unknown iterator
    values, if any, with the value of its ``for_each`` that is not known (see
    `Module.iterations`). ``hidden`` names the variables that are not their defaults here:
    those the ``for_each`` of an enclosing ``dynamic`` block reads when it is not known (the
    block exists only for some of their values, `Module.iterations`)."""

    __slots__ = ("file", "iterators", "tvars", "dynamic", "hidden")

    def __init__(
        self,
        file: str,
        iterators: dict[str, tuple[Node, Node]] | None = None,
        tvars: dict[str, Node] | None = None,
        dynamic: tuple[Block, UnknownNode] | None = None,
        hidden: frozenset[str] = frozenset(),
    ):
        self.file = file
        self.iterators = iterators or {}
        self.tvars = tvars  # inside templatefile(): only these names exist
        self.dynamic = dynamic
        self.hidden = hidden

    def with_iterator(
        self,
        name: str,
        key: Node,
        value: Node,
        dynamic: tuple[Block, UnknownNode] | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> Scope:
        its = dict(self.iterators)
        its[name] = (key, value)
        return Scope(self.file, its, self.tvars, dynamic or self.dynamic, self.hidden | hidden)

    def unknown_iterators(self) -> list[str]:
        """The names of the iterators whose values are not known."""
        return [n for n, (_k, v) in self.iterators.items() if isinstance(v, UnknownNode)]


class Conditional:
    """``COND ? A : B`` of an opaque expression: its three parts (0, 1, 2), each parsed with
    its file position when first needed (None when it does not parse)."""

    __slots__ = ("m", "expr", "scope", "pieces", "parsed")

    def __init__(self, m: Module, expr: Expr, scope: Scope, pieces: tuple[tuple[int, int], ...]):
        self.m = m
        self.expr = expr
        self.scope = scope
        self.pieces = pieces
        self.parsed: dict[int, Expr | None] = {}

    def text(self, i: int) -> str:
        a, b = self.pieces[i]
        return self.expr.text[a:b].strip()

    def part(self, i: int) -> Expr | None:
        if i not in self.parsed:
            got = self.m.sub_expressions(self.expr, self.scope, (self.pieces[i],))
            self.parsed[i] = got[0] if got else None
        return self.parsed[i]


class Outcome:
    """What a policy attribute holds: a document node, a data source, or nothing known.

    ``unknown`` is the value that could not be evaluated, when that is why there is no
    document (an IAM906 names it); None when there is no policy (``null``, ``""``) or a
    diagnostic already says why."""

    __slots__ = ("node", "data", "ref", "scope", "unknown", "also")

    def __init__(
        self,
        node: Node | None = None,
        data: str | None = None,
        ref: Expr | None = None,
        scope: Scope | None = None,
        unknown: UnknownNode | None = None,
    ):
        self.node = node
        self.data = data  # aws_iam_policy_document name
        self.ref = ref  # the expression that referred to the data source
        self.scope = scope
        self.unknown = unknown
        #: the policies of the other branches of a conditional whose condition is not known
        self.also: list[Outcome] = []

    def alternatives(self) -> list[Outcome]:
        """This outcome and those of the other branches."""
        out: list[Outcome] = []
        todo: list[Outcome] = [self]
        while todo:
            o = todo.pop(0)
            out.append(o)
            todo.extend(o.also)
        return out


class Module:
    """One directory of ``.tf`` files and everything extracted from it."""

    def __init__(
        self,
        directory: str,
        given: list[str],
        texts: dict[str, str],
        roots: tuple[str, ...] | None = None,
        max_bytes: int | None = None,
    ):
        self.directory = directory
        #: the real directories files may be read from (default: the module's repository)
        self.roots = (
            roots if roots is not None else (os.path.realpath(repository_root(directory) or directory),)
        )
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.given = [os.path.normpath(g) for g in given]
        self.given_set = set(self.given)
        self.files: dict[str, TfFile] = {}
        self.locals: dict[str, tuple[Attribute, str]] = {}
        self.local_defs: list[Def] = []
        self.variables: dict[str, Def] = {}
        self.resources: dict[tuple[str, str], Def] = {}
        self.data: dict[tuple[str, str], Def] = {}
        self.modules: dict[tuple[str, str], Def] = {}  # ("module", name) -> its block
        #: (table, key, first definition, a later one) of an address defined more than once:
        #: Terraform rejects the module, iamlint lints each definition (see `blocks`)
        self.duplicates: list[tuple[dict, tuple[str, str], Def, Def]] = []
        self.diags: list[tuple[Finding, str | None]] = []  # (diagnostic, .tf file of its owner)
        self._read(texts)
        self._local_values: dict[str, Node] = {}
        self._local_depth: dict[str, int] = {}  # how deeply each local's value nests
        #: conditionals evaluated whose condition is not known (both branches kept): a
        #: count, so that `iterations` can tell whether a for_each depended on one
        self.undecided = 0
        self._local_undecided: set[str] = set()  # locals whose value depended on one
        self._local_variables: dict[str, frozenset[str]] = {}  # see `variables_read`
        self.depth = 0  # levels of evaluation under way (see MAX_DEPTH)
        self._resolving: list[str] = []
        self._cycles: set[frozenset[str]] = set()
        self._texts: dict[str, tuple[str | None, Finding | None]] = {}
        #: every path file() looked for, read or not (a result cache checks them again)
        self.looked: set[str] = set()
        self.anchor: str | None = None  # the .tf file of the owner being extracted
        self._conditionals: dict[int, tuple[Opaque, Conditional | None]] = {}
        # the size of each list and map evaluated that is not a `TDict` or `TList` (see
        # `_known_size`), by id, with the node itself so that its id is not reused
        self._sizes: dict[int, tuple[Node, int]] = {}
        #: a ``module`` block is parsed when its text matches (set by the extractor, see `calls`)
        self.module_markers: re.Pattern[str] | None = None

    # -- reading -------------------------------------------------------------------------------
    def _read(self, texts: dict[str, str]) -> None:
        names: set[str] = set()
        try:
            for name in os.listdir(self.directory or "."):
                if name.endswith(".tf"):
                    names.add(os.path.normpath(os.path.join(self.directory, name)))
        except OSError:
            pass
        names.update(self.given)
        for p in texts:
            np = os.path.normpath(p)
            if np.endswith(".tf") and os.path.normpath(os.path.dirname(np) or ".") == os.path.normpath(
                self.directory or "."
            ):
                names.add(np)
        norm_texts = {os.path.normpath(k): v for k, v in texts.items()}
        for path in sorted(names):
            text: str | None
            err: Finding | None
            if path in norm_texts:
                text, err = norm_texts[path], None
                if "\r" in norm_texts[path]:
                    text = norm_texts[path].replace("\r\n", "\n")
            elif path in self.given_set:
                text, err = read(path, self.max_bytes)
            elif os.path.isfile(path) and inside(path, self.roots):  # context, never from outside
                text, err = read(path, self.max_bytes)
            else:
                continue
            self.files[path] = TfFile(path, text, err)

    def scan(self, f: TfFile) -> None:
        """Index a file's top-level blocks without parsing them (see `split_blocks`)."""
        if f.scanned or f.text is None:
            return
        f.scanned = True
        f.locator = LineIndex(f.text)
        spans = split_blocks(f.text)
        if spans is None:
            body = self.parse_whole(f)
            for b in body.blocks if body is not None else ():
                self.register(Def(b.type, b.labels, f.path, None, b, True), f)
            return
        for sp in spans:
            self.register(Def(sp.type, sp.labels, f.path, sp), f)

    def register(self, d: Def, f: TfFile) -> None:
        f.defs.append(d)
        table: dict | None = None
        key: Any = None
        if d.kind == "locals":
            self.local_defs.append(d)
        elif d.kind == "variable" and len(d.labels) == 1:
            self.variables.setdefault(d.labels[0], d)
        elif d.kind == "resource" and len(d.labels) == 2:
            table, key = self.resources, (d.labels[0], d.labels[1])
        elif d.kind == "data" and len(d.labels) == 2:
            table, key = self.data, (d.labels[0], d.labels[1])
        elif d.kind == "module" and len(d.labels) == 1:
            table, key = self.modules, ("module", d.labels[0])
        if table is not None:
            if key in table:  # Terraform rejects the module; both are linted (see `duplicates`)
                self.duplicates.append((table, key, table[key], d))
            else:
                table[key] = d

    def parse_whole(self, f: TfFile) -> Body | None:
        """Parse a whole file (once): when its blocks cannot be told apart, or to explain why
        one of them does not parse. A syntax error is one IAM900 for the file; its other
        blocks are still read one by one."""
        if f.whole_tried or f.text is None:
            return None
        f.whole_tried = True
        try:
            body = parse_body(f.text)
        except PositionedError as e:
            # reported once; the file's other blocks are still parsed one by one
            self.add_diag(parse_error(f.path, e.message, e.line, e.column))
            return None
        if f.defs and len(f.defs) == len(body.blocks):
            for d, b in zip(f.defs, body.blocks, strict=False):
                d.block, d.tried = b, True
        return body

    def block(self, d: Def) -> Block | None:
        """The parsed block of a definition (None when its file does not parse)."""
        if d.tried:
            return d.block
        d.tried = True
        f = self.files[d.path]
        if d.span is not None and f.text is not None and f.locator is not None:
            try:
                try:
                    d.block = parse_block_light(f.text, d.span, f.locator)
                except NestingError:
                    raise
                except PositionedError:  # a piece does not parse: the parser explains
                    d.block = parse_block(f.text, d.span, f.locator)
            except NestingError as e:  # its position is in the file already
                self.add_diag(parse_error(f.path, e.message, e.line, e.column))
            except PositionedError:
                self.parse_whole(f)
        return d.block

    def forget(self, d: Def) -> None:
        """Let a definition's parsed block go (its documents are built): it is parsed again
        if something still needs it (a block kept by `keep_parsed_blocks` is not parsed twice)."""
        if d.span is not None and not self.files[d.path].whole_tried:  # else: from the whole file
            d.block, d.tried = None, False

    def header_span(self, d: Def) -> Span:
        """Where a top-level block's header is written: ``resource "type" "name"``."""
        f = self.files[d.path]
        b = d.block
        if f.text is None or f.locator is None or (b is None and d.span is None):
            return Span(d.path, 1, 1, 1, 1)
        start = d.span.start if d.span is not None else f.locator.offset(b.pos[0], b.pos[1])  # type: ignore[union-attr]
        brace = f.text.find("{", start)
        end = start + len(f.text[start : brace if brace != -1 else start + 1].rstrip())
        (l1, c1), (l2, c2) = f.locator.at(start), f.locator.at(max(end, start + 1))
        return Span(d.path, l1, c1, l2, c2)

    def def_text(self, d: Def) -> str:
        text = self.files[d.path].text or ""
        return text[d.span.start : d.span.end] if d.span is not None else text

    def order(self, d: Def) -> tuple:
        if d.span is not None:
            return (d.path, d.span.start)
        return (d.path, -1, d.block.pos if d.block else ())

    def scan_relevant(self) -> bool:
        """Index the files that mention IAM; False when none does (nothing to extract)."""
        relevant = [f for f in self.files.values() if f.relevant()]
        for f in relevant:
            self.scan(f)
        return bool(relevant)

    def scan_mentioning(self, name: str) -> bool:
        """Index the files not yet indexed whose text holds ``name`` (lazy definitions)."""
        found = False
        for f in self.files.values():
            if not f.scanned and f.text is not None and name in f.text:
                self.scan(f)
                found = True
        return found

    def defs_of(self, table: dict, key: Any) -> Def | None:
        if key not in table:
            self.scan_mentioning(key if isinstance(key, str) else key[1])
        return table.get(key)

    def locator(self, path: str) -> LineIndex:
        f = self.files.get(path)
        if f is not None and f.locator is not None:
            return f.locator
        text, _ = self.read_text(path)
        return LineIndex(text or "")

    def read_text(self, path: str) -> tuple[str | None, Finding | None]:
        """A file read by ``file()``/``templatefile()`` (cached); (None, None) when `refusal`
        says it is not read."""
        if path in self.files and self.files[path].text is not None:
            return self.files[path].text, None
        if path not in self._texts:
            if self.refusal(path) is not None:
                self._texts[path] = (None, None)
            else:
                self._texts[path] = read(path, self.max_bytes)
        return self._texts[path]

    def refusal(self, path: str) -> str | None:
        """Why ``file()`` does not read ``path``: outside the repository (decided before its
        existence is looked at), missing, or not a regular file; None to read it."""
        self.looked.add(path)
        if path in self.files:
            return None
        try:
            if not inside(path, self.roots):
                return "outside"
            mode = os.stat(path).st_mode
        except (OSError, ValueError):  # ValueError: a NUL in the name
            return "missing"
        return None if stat.S_ISREG(mode) else file_kind(mode)

    def diag(self, kind: Diagnostic, message: str, span: Span) -> None:
        self.add_diag(diagnostic(kind, message, span))

    def add_diag(self, finding: Finding) -> None:
        """Record a diagnostic with the ``.tf`` file of the owner being extracted: a problem
        inside a file read by ``file()`` is reported through the file that reads it."""
        self.diags.append((finding, self.anchor))

    def moves(self, target_file: str, scope: Scope) -> bool:
        """A definition in a non-given ``.tf`` file, used from a given one, is reported at
        the use."""
        return (
            target_file != scope.file
            and target_file.endswith(".tf")
            and target_file not in self.given_set
            and scope.file in self.given_set
        )

    # -- lookups ---------------------------------------------------------------------------------
    def find_local(self, name: str) -> tuple[Attribute, str] | None:
        """A local value's attribute and file: read alone from the ``locals`` block that
        defines it (the block is parsed whole only when its body cannot be split)."""
        for attempt in range(2):
            if name in self.locals:
                return self.locals[name]
            for d in self.local_defs:
                if not d.tried:
                    spans = self.attribute_spans(d)
                    if spans is not None:
                        attr = self.attribute(d, name) if name in spans else None
                        if attr is not None:
                            self.locals.setdefault(name, (attr, d.path))
                            return self.locals[name]
                        continue
                    if name not in self.def_text(d):
                        continue
                b = self.block(d)
                if b is not None:
                    for n, a in b.body.attributes.items():
                        self.locals.setdefault(n, (a, d.path))
                if name in self.locals:
                    return self.locals[name]
            if attempt == 0 and not self.scan_mentioning(name):
                break
        return self.locals.get(name)

    def find_variable(self, name: str) -> tuple[Expr | None, str] | None:
        """A variable's ``default`` (None when it has none) and its file; None when the
        module declares no such variable (or its block does not parse)."""
        d = self.defs_of(self.variables, name)
        if d is None:
            return None
        default = self.attribute(d, "default")
        if d.tried and d.block is None:
            return None
        return (default.expr if default is not None else None), d.path

    def attribute_spans(self, d: Def) -> dict[str, tuple[int, int, int]] | None:
        """The offsets of a definition's top-level attributes (split once), or None."""
        if d.spans is _UNSPLIT:
            f = self.files[d.path]
            d.spans = split_attributes(f.text, d.span) if d.span is not None and f.text else None
        return d.spans

    def attribute_names(self, d: Def) -> list[str]:
        spans = self.attribute_spans(d) if not d.tried else None
        if spans is not None:
            return list(spans)
        b = self.block(d)
        return list(b.body.attributes) if b is not None else []

    def attribute(self, d: Def, name: str) -> Attribute | None:
        """One top-level attribute of a definition, read alone when its body can be split: the
        rest of a large block (a variable's type, a module's other arguments) is not parsed.
        Else, or when the expression does not parse (reported as the block's error), from
        the parsed block."""
        spans = self.attribute_spans(d) if not d.tried else None
        if spans is None:
            b = self.block(d)
            return b.body.attributes.get(name) if b is not None else None
        if name in d.attrs:
            return d.attrs[name]
        where = spans.get(name)
        attr = None
        if where is not None:
            f = self.files[d.path]
            text, loc = f.text or "", f.locator or LineIndex(f.text or "")
            start, a, end = where
            try:
                expr = simple_expression(text, a, end, loc) or parse_expression(
                    text[a:end], loc, shifted(a), depth=1
                )
            except NestingError as e:
                self.add_diag(parse_error(f.path, e.message, e.line, e.column))
                expr = None
            except PositionedError:
                block = self.block(d)  # reports the syntax error
                return block.body.attributes.get(name) if block is not None else None
            if expr is not None:
                attr = Attribute(name, loc.span(start, start + len(name)), expr, loc.span(start, end))
        d.attrs[name] = attr
        return attr

    def find_data(self, type_: str, name: str) -> tuple[Block, str] | None:
        d = self.defs_of(self.data, (type_, name))
        b = self.block(d) if d is not None else None
        return (b, d.path) if b is not None and d is not None else None

    def has_resource(self, type_: str, name: str) -> bool:
        return self.defs_of(self.resources, (type_, name)) is not None

    def defs(self, table: dict, types: Iterable[str]) -> list[tuple[str, str, Def]]:
        """(type, name, definition) of the definitions of ``types``, in file order (each
        definition of an address defined more than once), without parsing them.

        A resource that may or may not carry a policy (``aws_s3_bucket``) is left out unless
        its text names the policy attribute, and a ``module`` block unless its text may hold
        a policy (`module_markers`).
        """
        wanted = set(types)
        out = []
        found = list(table.items())
        found.extend((key, later) for t, key, _first, later in self.duplicates if t is table)
        for (type_, name), d in sorted(found, key=lambda kv: self.order(kv[1])):
            if type_ not in wanted:
                continue
            if type_ in OPTIONAL_POLICY and d.span is not None:
                text = self.def_text(d)
                if not any(attr.rpartition(".")[2] in text for attr, _ in RESOURCE_POLICIES[type_]):
                    continue
            if d.kind == "module" and d.span is not None and self.module_markers is not None:
                if not self.module_markers.search(self.def_text(d)):
                    continue
            out.append((type_, name, d))
        return out

    # -- evaluation ------------------------------------------------------------------------------
    def unknown(self, expr: Expr, scope: Scope, note: str = "") -> UnknownNode:
        return UnknownNode(expr.text, expr.pos, scope.file, note)

    def too_deep(self, expr: Expr, scope: Scope) -> UnknownNode:
        """IAM900 where evaluation goes more than `MAX_DEPTH` levels deep; the value is unknown."""
        self.diag(
            PARSE_ERROR,
            f"nesting too deep to evaluate (more than {MAX_DEPTH} levels of values and references)",
            Span(scope.file, *expr.pos),
        )
        return self.unknown(expr, scope, "nesting too deep")

    def eval(self, expr: Expr, scope: Scope) -> Node:
        """The value of an expression as positional nodes (unknown where not literal); an
        unknown one (`TOO_LARGE`) where its value would be larger than `MAX_VALUE_SIZE`."""
        value = self.eval_any_size(expr, scope)
        if isinstance(value, (list, dict, str)) and self.size(value) > MAX_VALUE_SIZE:
            return self.too_large(expr, scope)
        return value

    def too_large(self, expr: Expr, scope: Scope) -> UnknownNode:
        """An IAM906 where a value would be larger than `MAX_VALUE_SIZE`; the value is unknown."""
        text = " ".join(expr.text.split())
        if len(text) > 80:
            text = text[:77] + "..."
        self.diag(
            UNRESOLVED_POLICY,
            f"value not evaluated: `{text}` is larger than iamlint evaluates (more than "
            f"{MAX_VALUE_SIZE:,} items and characters written out); what uses it is checked without it",
            Span(scope.file, *expr.pos),
        )
        return self.unknown(expr, scope, TOO_LARGE)

    def size(self, node: Node) -> int:
        """A value's size, as `MAX_VALUE_SIZE` counts it, in time linear in the nodes it is
        built of (a node used twice is measured once): values are built from the values of
        their parts, whose sizes are known by then."""
        if isinstance(node, str):
            return len(node) + 1
        if not isinstance(node, (list, dict)):
            return 1
        got = self._known_size(node)
        if got >= 0:
            return got
        todo: list[tuple[Any, bool]] = [(node, False)]  # a stack: a value may nest deeply
        while todo:
            n, done = todo.pop()
            kids = list(n.values()) if isinstance(n, dict) else n
            if done:
                total = 1 + sum(
                    self._known_size(k) if isinstance(k, (list, dict)) else self.size(k) for k in kids
                )
                if isinstance(n, dict):
                    total += sum(len(k) + 1 for k in n)
                self._remember_size(n, total)
                continue
            if self._known_size(n) >= 0:
                continue
            todo.append((n, True))
            todo.extend((k, False) for k in kids if isinstance(k, (list, dict)) and self._known_size(k) < 0)
        return self._known_size(node)

    def _known_size(self, node: list | dict) -> int:
        """The size `size` measured of a list or map, or -1. A module's own values keep it
        (`TDict`, `TList`) and are freed with it; any other is kept in ``_sizes`` by id, with
        the node itself so that its id is not reused."""
        if isinstance(node, (TDict, TList)):
            return node._size
        got = self._sizes.get(id(node))
        return got[1] if got is not None and got[0] is node else -1

    def _remember_size(self, node: list | dict, size: int) -> None:
        if isinstance(node, (TDict, TList)):
            node._size = size
        else:
            self._sizes[id(node)] = (node, size)

    def eval_any_size(self, expr: Expr, scope: Scope) -> Node:
        if self.depth >= MAX_DEPTH:
            return self.too_deep(expr, scope)
        self.depth += 1
        try:
            if isinstance(expr, Quoted):
                return self.eval_string(expr, scope)
            if isinstance(expr, Lit):
                return TScalar(expr.value, expr.pos, expr.text, scope.file)
            if isinstance(expr, TupleX):
                out = TList(expr.pos, scope.file)
                out.extend(self.eval(x, scope) for x in expr.items)
                return out
            if isinstance(expr, ObjectX):
                return self.eval_object(expr, scope)
            if isinstance(expr, Ref):
                return self.eval_ref(expr, scope)
            if isinstance(expr, Heredoc):
                mt = heredoc_text(expr, scope.file, self.locator(scope.file))
                return self.eval_template_string(mt, expr, scope)
            if isinstance(expr, Call):
                return self.eval_call(expr, scope)
            if isinstance(expr, Opaque):
                return self.eval_conditional(expr, scope)
            return self.unknown(expr, scope)
        finally:
            self.depth -= 1

    def conditional(self, expr: Opaque, scope: Scope) -> Conditional | None:
        """``COND ? A : B`` with its parts parsed when first needed, or None when the
        expression is not a conditional."""
        cached = self._conditionals.get(id(expr))
        if cached is not None and cached[0] is expr:
            return cached[1]
        at = split(expr.text)
        cond = None
        if at is not None:
            q, c = at
            cond = Conditional(self, expr, scope, ((0, q), (q + 1, c), (c + 1, len(expr.text))))
        self._conditionals[id(expr)] = (expr, cond)
        return cond

    def sub_expressions(
        self, expr: Expr, scope: Scope, pieces: tuple[tuple[int, int], ...]
    ) -> list[Expr] | None:
        """Parse pieces (offsets in its text) of an expression the syntax tree keeps opaque,
        with their file positions; None when they do not parse, or when the expression's text
        is not where its position says (inside a template)."""
        text = expr.text
        locator = self.locator(scope.file)
        source, _ = self.read_text(scope.file)
        base = locator.offset(expr.pos[0], expr.pos[1])
        if source is None or source[base : base + len(text)] != text:
            return None
        try:
            return [
                simple_expression(source, base + a + _lead(text, a, b), base + b, locator, 8)
                or _conditional_piece(
                    source, base + a + _lead(text, a, b), base + len(text[:b].rstrip()), locator
                )
                or parse_expression(text[a:b], locator, shifted(base + a))
                for a, b in pieces
            ]
        except NestingError as e:
            self.add_diag(parse_error(scope.file, e.message, e.line, e.column))
        except PositionedError:
            pass
        return None

    def choose(self, cond: Conditional, scope: Scope) -> bool | None:
        """Which branch a conditional takes, when its condition is known (see `condition`),
        evaluated where it is used: a cached `Conditional` keeps the scope of its first use,
        and the content of a ``dynamic`` block is evaluated once per item."""
        if _VAR.search(cond.text(0)):
            return None  # read without parsing it
        part = cond.part(0)
        return self.condition(part, scope) if part is not None else None

    def condition(self, cond: Expr, scope: Scope) -> bool | None:
        """A condition's value when it is a literal bool, or a comparison with ``null`` of a
        value that is known (``local.x != null``), else None. A condition on a variable is
        None: the caller may set it either way, so both branches may be deployed."""
        if _VAR.search(cond.text):
            return None
        if isinstance(cond, Opaque):
            m = _NULL_TEST.match(cond.text)
            if m is None:
                return None
            side = (m.start(1), m.end(1)) if m.group(1) else (m.start(4), m.end(4))
            parsed = self.sub_expressions(cond, scope, (side,))
            if parsed is None:
                return None
            value = self.eval(parsed[0], scope)
            if isinstance(value, UnknownNode):
                return None
            is_null = isinstance(value, PScalar) and value.value is None
            return is_null if (m.group(2) or m.group(3)) == "==" else not is_null
        value = self.eval(cond, scope)
        return value.value if isinstance(value, PScalar) and isinstance(value.value, bool) else None

    def eval_conditional(self, expr: Opaque, scope: Scope) -> Node:
        """``COND ? A : B``: the branch a literal condition chooses; when the condition is not
        known and a branch is a list, the items of both (each may be the value), else
        unknown."""
        cond = self.conditional(expr, scope)
        if cond is None:
            return self.unknown(expr, scope)
        chosen = self.choose(cond, scope)
        if chosen is not None:
            branch = cond.part(1 if chosen else 2)
            return self.eval(branch, scope) if branch is not None else self.unknown(expr, scope)
        self.undecided += 1
        if not any(cond.text(i).startswith("[") for i in (1, 2)):
            return self.unknown(expr, scope)  # not a list: its value is not known
        a, b = cond.part(1), cond.part(2)
        if a is None or b is None:
            return self.unknown(expr, scope)
        out = TList(expr.pos, scope.file)
        for branch in (self.eval(a, scope), self.eval(b, scope)):
            if isinstance(branch, list):
                out.extend(branch)
            elif isinstance(branch, UnknownNode):
                out.append(branch)
            elif not (isinstance(branch, PScalar) and branch.value is None):
                return self.unknown(expr, scope)
        return out

    def eval_call(self, call: Call, scope: Scope) -> Node:
        """The collection functions policies are assembled with, over what is literal.

        ``concat``/``flatten``/``tolist``/``toset`` of lists and ``merge`` of maps keep
        their literal parts; an argument (or item) that is not known stays in the list as
        an `UnknownNode`, standing for the items it may hold, and a map merged from one that
        is not known is a `PartialDict`. ``try``/``lookup``/``coalesce`` take
        the first argument that is not an error or null. Anything else is unknown.
        """
        name, args = call.name, call.args
        if name in ("tolist", "toset", "flatten", "compact", "distinct") and len(args) == 1:
            value = self.eval(args[0], scope)
            if not isinstance(value, list):
                return value if isinstance(value, UnknownNode) else self.unknown(call, scope)
            if name == "flatten":
                return self.flattened(value, call, scope)
            if name in ("toset", "distinct"):
                return self.distinct(value, call, scope)
            if name == "compact":
                out = TList(call.pos, scope.file)
                out.extend(v for v in value if not (isinstance(v, PScalar) and v.value is None) and v != "")
                return out
            return value
        if name == "concat":
            out = TList(call.pos, scope.file)
            for a in args:
                value = self.eval(a, scope)
                if isinstance(value, list):
                    out.extend(value)
                elif isinstance(value, UnknownNode):
                    out.append(value)
                else:
                    return self.unknown(call, scope, "concat() of a value that is not a list")
            return out
        if name == "merge":
            merged = TDict(call.pos, scope.file)
            unresolved: list[UnknownNode] = []
            for a in args:
                value = self.eval(a, scope)
                if isinstance(value, dict):
                    for k, v in value.items():
                        merged.pop(k, None)
                        merged[k] = v
                    if isinstance(value, PartialDict):
                        unresolved.extend(value.unresolved)
                elif isinstance(value, UnknownNode):
                    unresolved.append(value)
                elif not (isinstance(value, PScalar) and value.value is None):
                    return self.unknown(call, scope, "merge() of a value that is not a map")
            if unresolved:
                partial = PartialDict(call.pos, scope.file, unresolved)
                partial.update(merged)
                return partial
            return merged
        if name in ("try", "coalesce") and args:
            for a in args:
                value = self.eval(a, scope)
                if isinstance(value, UnknownNode) and value.note == NO_SUCH_ELEMENT:
                    continue
                if name == "coalesce" and (
                    (isinstance(value, PScalar) and value.value is None)
                    or (isinstance(value, str) and not isinstance(value, UnknownNode) and not value)
                ):
                    continue
                if isinstance(value, UnknownNode):
                    return self.unknown(call, scope, value.note)
                return value
            return self.unknown(call, scope)
        if name == "lookup" and len(args) in (2, 3):
            value = self.eval(args[0], scope)
            key = self.eval(args[1], scope)
            if isinstance(value, dict) and isinstance(key, str) and not isinstance(key, UnknownNode):
                if key in value:
                    return value[key]
                if len(args) == 3:
                    return self.eval(args[2], scope)
            note = value.note if isinstance(value, UnknownNode) else ""
            return self.unknown(call, scope, note)
        return self.unknown(call, scope)

    def flattened(self, value: Node, call: Call, scope: Scope) -> TList:
        """``flatten``: nested lists as one, with a stack rather than recursion."""
        out = TList(call.pos, scope.file)
        todo = [iter(value)]
        while todo:
            item = next(todo[-1], _END)
            if item is _END:
                todo.pop()
            elif isinstance(item, list):
                todo.append(iter(item))
            else:
                out.append(item)
        return out

    @staticmethod
    def distinct(value: Node, call: Call, scope: Scope) -> TList:
        """``toset``: repeated literal strings and numbers once (unknown items are kept)."""
        out = TList(call.pos, scope.file)
        seen: set[tuple[str, str]] = set()
        for item in value:
            key = None
            if isinstance(item, str) and not isinstance(item, UnknownNode):
                key = ("s", str(item))
            elif isinstance(item, PScalar):
                key = ("n", item.text)
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)
            out.append(item)
        return out

    def eval_object(self, expr: ObjectX, scope: Scope) -> TDict:
        d = TDict(expr.pos, scope.file)
        seen: dict[str, Any] = {}
        for it in expr.items:
            if isinstance(it.key, str):
                key = TStr(it.key, it.key_pos, scope.file)
            else:
                k = self.eval(it.key, scope)
                key = TStr(str(k) if isinstance(k, str) else it.key.text, it.key_pos, scope.file)
            if key in seen:
                self.add_diag(
                    diagnostic(
                        DUPLICATE_KEY,
                        f"duplicate key {str(key)!r} (first at line {seen[key][0]}); the last value is used",
                        Span(scope.file, *it.key_pos),
                        value=f"duplicate:{key}",  # not the line of the first one
                        related=((Span(scope.file, *seen[key]), f"the first {str(key)!r}"),),
                    )
                )
                del d[key]
            seen[key] = it.key_pos
            d[key] = self.eval(it.value, scope)
        return d

    def eval_string(self, q: Quoted, scope: Scope) -> Node:
        lit = q.literal()
        if lit is not None:
            return TStr(lit, q.pos, scope.file)
        if q.directive:
            return self.unknown(q, scope)
        parts = q.parts
        if len(parts) == 1 and isinstance(parts[0], Interp):
            v = self.eval(parts[0].expr, scope)
            if isinstance(v, str) and not isinstance(v, UnknownNode):
                return TStr(str(v), q.pos, scope.file)
            if isinstance(v, PScalar) and v.value is not None:
                return TStr(
                    v.text if not isinstance(v.value, bool) else str(v.value).lower(), q.pos, scope.file
                )
            if isinstance(v, Choices):
                return v  # a variable's allowed values
            if isinstance(v, UnknownNode):
                return UnknownNode(
                    q.text[1:-1], q.pos, scope.file, v.note, v.shape, v.inputs, v.arn_types, v.refers_to
                )
            return UnknownNode(q.text[1:-1], q.pos, scope.file)
        out: list[str] = []
        inputs: list[tuple[str, Input]] = []
        choices: list[str] | None = None  # a part that is one of a variable's allowed values
        for p in parts:
            if isinstance(p, Interp):
                value = self.eval(p.expr, scope)
                s = self.stringify(value)
                if s is None and isinstance(value, UnknownNode) and value.inputs:
                    spelled = q.src[p.offset : p.end]  # ${var.x}, as written
                    s = spelled
                    inputs.extend((spelled, given) for _, given in value.inputs[:1])
                elif s is None and isinstance(value, Choices) and choices is None and value:
                    choices = [str(x) for x in value]
                    s = "\0"
                if s is None:
                    return UnknownNode(q.text[1:-1], q.pos, scope.file)
                out.append(s)
            else:
                out.append(unescape(p.raw) if p.escaped else p.raw)
        text = "".join(out)
        if inputs and choices is not None:
            return UnknownNode(q.text[1:-1], q.pos, scope.file)
        if inputs:
            return UnknownNode(q.text[1:-1], q.pos, scope.file, "", text, tuple(inputs))
        if choices is not None:
            strings = TList(q.pos, scope.file)
            strings.extend(TStr(text.replace("\0", c), q.pos, scope.file) for c in choices)
            return strings
        return TStr(text, q.pos, scope.file)

    @staticmethod
    def stringify(v: Node) -> str | None:
        """A value as Terraform interpolates it into a string, or None when unknown."""
        if isinstance(v, UnknownNode):
            return None
        if isinstance(v, str):
            return str(v)
        if isinstance(v, PScalar):
            if v.value is None:
                return None
            if isinstance(v.value, bool):
                return "true" if v.value else "false"
            return v.text
        return None

    def eval_template_string(self, mt: MappedText, expr: Expr, scope: Scope) -> Node:
        """A heredoc used as a plain string value (not as a policy)."""
        if mt.directive:
            return self.unknown(expr, scope)
        out: list[str] = []
        last = 0
        for r in mt.regions:
            out.append(mt.text[last : r.start])
            s = self.stringify(self.resolve_region(r, True, scope, mt))
            if s is None:
                return self.unknown(expr, scope)
            out.append(s)
            last = r.end
        out.append(mt.text[last:])
        return TStr("".join(out), expr.pos, scope.file)

    def eval_ref(self, ref: Ref, scope: Scope) -> Node:
        root, steps = ref.root, ref.steps
        if root in scope.iterators and steps and steps[0] in ("key", "value"):
            key, value = scope.iterators[root]
            return self.navigate(key if steps[0] == "key" else value, steps[1:], ref, scope)
        if scope.tvars is not None:
            if root in scope.tvars:
                return self.navigate(scope.tvars[root], steps, ref, scope)
            return self.unknown(ref, scope)
        first = steps[0] if steps and isinstance(steps[0], str) else None
        if root == "local" and first:
            if scope.hidden and self.variables_read("local", first) & scope.hidden:
                return self.unknown(ref, scope, FOR_EACH_INPUT)
            return self.navigate(self.local_value(first, ref, scope), steps[1:], ref, scope)
        if root == "var" and first:
            return self.navigate(self.var_value(first, ref, scope), steps[1:], ref, scope)
        if root == "data":
            names = [s for s in steps if isinstance(s, str)]
            if len(names) == 3 and (names[0], names[2]) in PSEUDO:
                # kept as written; values.pseudo_parts recognises it in every string it ends up in
                return TStr("${" + ref.text + "}", ref.pos, scope.file)
        if root == "path" and first == "module" and len(steps) == 1:
            return TStr(".", ref.pos, scope.file)
        if root == "module" and len(steps) >= 2:
            return self.input(ref, scope, "module output")
        if root == "data" and steps[:1] == ("terraform_remote_state",) and len(steps) >= 3:
            return self.input(ref, scope, "remote state")
        unknown = self.unknown(ref, scope)
        unknown.arn_types = arn_types(ref)
        unknown.refers_to = refers_to(ref)
        return unknown

    def input(self, ref: Ref, scope: Scope, kind: str, many: bool = False, note: str = "") -> UnknownNode:
        """A value the deployer chooses (see `iamlint.model.Input`): unknown, with its shape."""
        spelled = "${" + ref.text + "}"
        return UnknownNode(
            ref.text, ref.pos, scope.file, note, spelled, ((spelled, Input(kind, ref.text, many)),)
        )

    def variable_is_list(self, name: str) -> bool:
        """Whether a variable's ``type`` is a list, a set or a tuple."""
        d = self.variables.get(name)
        t = self.attribute(d, "type") if d is not None else None
        return t is not None and t.expr.text.lstrip().startswith(("list", "set", "tuple"))

    def allowed_values(self, name: str, ref: Ref, scope: Scope) -> Choices | None:
        """The values a variable's ``validation`` allows (``contains([...], var.x)``, or
        ``alltrue([for a in var.x : contains([...], a)])`` for a list): each may be its value,
        as a CloudFormation parameter's ``AllowedValues`` (placed at the reference)."""
        d = self.variables.get(name)
        block = self.block(d) if d is not None else None
        for v in block.body.blocks_of("validation") if block is not None and d is not None else ():
            cond = v.body.get("condition")
            m = _CONTAINS.search(cond.text) if cond is not None else None
            if (
                cond is None
                or m is None
                or (m.group(2) != f"var.{name}" and f"in var.{name} " not in cond.text)
            ):
                continue
            where = Scope(d.path)  # type: ignore[union-attr]
            got = self.sub_expressions(cond, where, ((m.start(1), m.end(1)),))
            listed = self.eval(got[0], where) if got else None
            if isinstance(listed, list) and all(
                isinstance(x, str) and not isinstance(x, UnknownNode) for x in listed
            ):
                out = Choices(ref.pos, scope.file)
                out.extend(TStr(str(x), ref.pos, scope.file) for x in listed)
                return out
        return None

    def navigate(self, node: Node, steps: Iterable[Any], ref: Ref, scope: Scope) -> Node:
        """Follow ``.attr`` and ``[index]`` steps into a resolved value."""
        for step in steps:
            if isinstance(node, UnknownNode):
                break
            if isinstance(step, Expr):
                k = self.eval(step, scope)
                step = k.value if isinstance(k, PScalar) else (str(k) if isinstance(k, str) else None)
                if isinstance(step, bool) or step is None:
                    return self.unknown(ref, scope)
            if isinstance(node, dict) and isinstance(step, str) and step in node:
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            elif isinstance(node, PartialDict):
                return self.unknown(ref, scope)  # a map merged from one that is not known
            else:
                return self.unknown(ref, scope, NO_SUCH_ELEMENT)
        if isinstance(node, UnknownNode):
            if node.inputs and len(node.inputs) == 1:  # a part of an input is one
                given = node.inputs[0][1]
                many = given.many and node.text == ref.text  # an item of a list is one value
                return self.input(ref, scope, given.kind, many, node.note)
            return UnknownNode(ref.text, ref.pos, scope.file, node.note)
        return node

    def local_value(self, name: str, ref: Ref, scope: Scope) -> Node:
        found = self.find_local(name)
        if found is None:
            return self.unknown(ref, scope, "no such local")
        attr, path = found
        if name in self._resolving:
            self.cycle(name)
            return self.unknown(ref, scope, "reference cycle")
        if name not in self._local_values:
            self._resolving.append(name)
            undecided = self.undecided
            try:
                self._local_values[name] = self.eval(attr.expr, Scope(path))
            finally:
                self._resolving.pop()
            self._local_depth[name] = nesting(self._local_values[name])
            if self.undecided != undecided:
                self._local_undecided.add(name)
        elif name in self._local_undecided:
            self.undecided += 1  # its value, computed earlier, kept both branches of one
        if self.depth + self._local_depth[name] > MAX_DEPTH:
            # a value computed earlier, less deep: used here it would nest too deeply
            return self.too_deep(ref, scope)
        value = self._local_values[name]
        if self.moves(node_file(value, path), scope):
            return relocate(value, ref.pos, scope.file)
        return value

    def variables_read(self, kind: str, name: str) -> frozenset[str]:
        """The variables ``var.NAME`` (kind "var") or ``local.NAME`` (kind "local") reads,
        directly or through the locals it reads, from the text of their definitions."""
        if kind == "var":
            return frozenset((name,))
        if name not in self._local_variables:
            read: set[str] = set()
            seen, todo = {name}, [name]  # a worklist, not recursion: chains may be long
            while todo:
                found = self.find_local(todo.pop())
                text = found[0].expr.text if found is not None else ""
                read.update(_VAR_NAME.findall(text))
                for other in _LOCAL_NAME.findall(text):
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            self._local_variables[name] = frozenset(read)
        return self._local_variables[name]

    def cycle(self, name: str) -> None:
        chain = self._resolving[self._resolving.index(name) :]
        key = frozenset(chain)
        if key in self._cycles:
            return
        self._cycles.add(key)
        attr, path = self.locals[chain[0]]
        shown = " -> ".join(f"local.{n}" for n in chain + [chain[0]])
        self.diag(PARSE_ERROR, f"reference cycle between locals: {shown}", Span(path, *attr.name_pos))

    def var_value(self, name: str, ref: Ref, scope: Scope) -> Node:
        found = self.find_variable(name)
        if found is None:
            return self.unknown(ref, scope, "no such variable")
        default, path = found
        if default is None or name in scope.hidden:
            allowed = self.allowed_values(name, ref, scope)
            if allowed is not None:
                return allowed
            note = "variable without a default" if default is None else FOR_EACH_INPUT
            return self.input(ref, scope, "variable", self.variable_is_list(name), note)
        value = self.eval(default, Scope(path))
        if self.moves(node_file(value, path), scope):
            return relocate(value, ref.pos, scope.file)
        return value

    def definition(self, ref: Ref, scope: Scope, depth: int = 0) -> tuple[Expr, Scope] | None:
        """The expression ``local.x`` / ``var.x`` (with literal steps) stands for."""
        steps = ref.steps
        if not steps or not isinstance(steps[0], str) or scope.tvars is not None:
            return None
        if depth > MAX_DEPTH:
            self.too_deep(ref, scope)
            return None
        if (
            scope.hidden
            and ref.root in ("var", "local")
            and self.variables_read(ref.root, steps[0]) & scope.hidden
        ):
            return None  # not its definition here: see `Scope.hidden`
        if ref.root == "local":
            found = self.find_local(steps[0])
            if found is None:
                return None
            if steps[0] in self._resolving:
                self.cycle(steps[0])
                return None
            expr, sc = found[0].expr, Scope(found[1])
        elif ref.root == "var":
            found_v = self.find_variable(steps[0])
            if found_v is None or found_v[0] is None:
                return None
            expr, sc = found_v[0], Scope(found_v[1])
        else:
            return None
        for step in steps[1:]:
            if isinstance(expr, Ref):
                inner = self.definition(expr, sc, depth + 1)
                if inner is None:
                    return None
                expr, sc = inner
            if isinstance(expr, ObjectX) and isinstance(step, str):
                match = [it for it in expr.items if it.key == step]
                if not match:
                    return None
                expr = match[-1].value
            elif isinstance(expr, TupleX) and isinstance(step, Lit) and isinstance(step.value, int):
                if not 0 <= step.value < len(expr.items):
                    return None
                expr = expr.items[step.value]
            else:
                return None
        return expr, sc

    def list_items(self, expr: Expr, scope: Scope, depth: int = 0) -> list[tuple[Expr, Scope, bool]]:
        """The items of a list as written, with the scope each is written in: a tuple's
        items, through ``local``/``var`` references and ``concat``/``tolist``/``toset``/
        ``flatten``/``compact``/``distinct``. A part that is not a list iamlint can see into is one item with
        ``False`` (its items are not known); ``null`` has none."""
        if depth > MAX_DEPTH:
            self.too_deep(expr, scope)
            return []
        if isinstance(expr, TupleX):
            out: list[tuple[Expr, Scope, bool]] = []
            for x in expr.items:
                out.append((x, scope, True))
            return out
        if isinstance(expr, Ref):
            found = self.definition(expr, scope)
            if found is not None:
                return self.list_items(found[0], found[1], depth + 1)
        if isinstance(expr, Call) and expr.name in (
            "concat",
            "tolist",
            "toset",
            "flatten",
            "compact",
            "distinct",
        ):
            if expr.name != "concat" and len(expr.args) != 1:
                return [(expr, scope, False)]
            return [item for a in expr.args for item in self.list_items(a, scope, depth + 1)]
        if isinstance(expr, Lit) and expr.value is None:
            return []
        cond = self.conditional(expr, scope) if isinstance(expr, Opaque) else None
        then = cond.part(1) if cond is not None else None
        other = cond.part(2) if cond is not None else None
        if cond is not None and then is not None and other is not None:
            chosen = self.choose(cond, scope)
            if chosen is not None:
                return self.list_items(then if chosen else other, scope, depth + 1)
            return [item for b in (then, other) for item in self.list_items(b, scope, depth + 1)]
        if isinstance(expr, Opaque) and _DATA_SPLAT.match(expr.text):
            return [(expr, scope, True)]
        return [(expr, scope, False)]

    # -- blocks --------------------------------------------------------------------------------
    def expand(self, body: Body, type_: str, scope: Scope) -> list[tuple[Block, Body, Scope]]:
        """Blocks of a type, with ``dynamic`` ones expanded: once per item of a literal
        ``for_each`` (at most `MAX_ITERATIONS`, an IAM906 beyond), once with unknown
        iterator values when ``for_each`` is not known (`Scope.unknown_iteration`)."""
        out: list[tuple[Block, Body, Scope]] = []
        for b in body.blocks:
            if b.type == type_:
                out.append((b, b.body, scope))
            elif b.type == "dynamic" and b.labels[:1] == (type_,):
                out.extend(self.iterations(b, type_, scope))
        return out

    def iterations(self, b: Block, type_: str, scope: Scope) -> list[tuple[Block, Body, Scope]]:
        contents = b.body.blocks_of("content")
        fe = b.body.get("for_each")
        what = f'dynamic "{type_}" block'
        if not contents or fe is None:
            missing = "content block" if not contents else "for_each"
            self.diag(
                PARSE_ERROR,
                f"{what} without a {missing}: Terraform rejects it; its {type_} is not linted",
                Span(scope.file, *b.type_pos),
            )
            return []
        it = b.body.get("iterator")
        name = it.root if isinstance(it, Ref) and not it.steps else type_
        undecided = self.undecided
        coll = self.eval(fe, scope)
        hidden: frozenset[str] = frozenset()
        if isinstance(coll, UnknownNode) or self.undecided != undecided:
            # for_each is not known (or keeps both branches of a conditional): the block
            # exists only for some values of what it reads, so inside it those variables
            # are not their defaults (`length(var.x) > 0 ? [true] : []` beside `values = var.x`)
            hidden = frozenset(
                v
                for kind, regex in (("var", _VAR_NAME), ("local", _LOCAL_NAME))
                for n in set(regex.findall(fe.text))
                for v in self.variables_read(kind, n)
            )
        pairs: list[tuple[Node, Node]] = []
        if isinstance(coll, list):
            pairs = [(TScalar(i, pos_of(v) or fe.pos, str(i), scope.file), v) for i, v in enumerate(coll)]
        elif isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll, key=str)]
        elif isinstance(coll, UnknownNode):
            pairs = [(UnknownNode(f"{name}.key", fe.pos, scope.file, UNKNOWN_ITERATION), coll)]
        elif not (isinstance(coll, PScalar) and coll.value is None):
            self.diag(
                PARSE_ERROR,
                f"{what}: for_each must be a list, a set or a map, not {describe(coll)}",
                Span(scope.file, *fe.pos),
            )
        if len(pairs) > MAX_ITERATIONS:
            self.diag(
                UNRESOLVED_POLICY,
                f"{what}: for_each has {len(pairs):,} items; only the first {MAX_ITERATIONS:,} are "
                "evaluated, the others are not checked",
                Span(scope.file, *fe.pos),
            )
            pairs = pairs[:MAX_ITERATIONS]
        out = []
        for key, value in pairs:
            if isinstance(value, UnknownNode):  # for_each, or this item of it, is not known
                sc = scope.with_iterator(
                    name,
                    key,
                    UnknownNode(f"{name}.value", value.pos, value.file, UNKNOWN_ITERATION),
                    (b, value),
                    hidden,
                )
            else:
                sc = scope.with_iterator(name, key, value, hidden=hidden)
            out.append((contents[0], contents[0].body, sc))
        return out

    # -- policy values ---------------------------------------------------------------------------
    def policy(self, expr: Expr, scope: Scope, default: bool = False) -> Outcome:
        """What a policy attribute holds, following references and reading JSON texts.

        ``default``: the expression is a variable's default, a placeholder the caller may
        override, so a non-JSON default (``""``) is not reported.
        """
        if self.depth >= MAX_DEPTH:
            self.too_deep(expr, scope)
            return Outcome()
        self.depth += 1
        try:
            return self._policy(expr, scope, default)
        finally:
            self.depth -= 1

    def _policy(self, expr: Expr, scope: Scope, default: bool) -> Outcome:
        if isinstance(expr, Call):
            return self.policy_call(expr, scope, default)
        if isinstance(expr, Heredoc):
            mt = heredoc_text(expr, scope.file, self.locator(scope.file))
            body = mt.text.strip()
            if len(mt.regions) == 1 and body == mt.regions[0].raw:  # <<EOF ${expr} EOF
                r = mt.regions[0]
                inner = self.region_expr(r, mt)
                if inner is None:
                    return Outcome()
                return self.policy(inner, scope, default)
            return self.json_text(mt, scope)
        if isinstance(expr, Quoted):
            if len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
                return self.policy(expr.parts[0].expr, scope, default)
            mt = quoted_text(expr, scope.file, self.locator(scope.file))
            if not mt.text.lstrip().startswith("{"):
                if not (mt.regions or mt.directive or default or not mt.text.strip()):
                    self.diag(
                        PARSE_ERROR,
                        "a policy document must be a JSON object, not a plain string",
                        Span(scope.file, *expr.pos),
                    )
                if (mt.regions or mt.directive) and not default:
                    return Outcome(unknown=self.unknown(expr, scope))
                return Outcome()
            return self.json_text(mt, scope)
        if isinstance(expr, Ref):
            names = expr.attrs()
            plain = [n for n in names if n is not None]
            if (
                expr.root == "data"
                and len(plain) == 4
                and plain[1] == "aws_iam_policy_document"
                and plain[3] in ("json", "minified_json")
            ):
                return Outcome(data=plain[2], ref=expr, scope=scope)
            found = self.definition(expr, scope)
            if found is not None:
                got = self.policy(found[0], found[1], default or expr.root == "var")
                if got.node is not None and self.moves(node_file(got.node, found[1].file), scope):
                    got.node = relocate(got.node, expr.pos, scope.file)
                if got.data is not None and self.moves(found[1].file, scope):
                    got.ref, got.scope = expr, scope
                if got.unknown is not None and self.moves(got.unknown.file, scope):
                    got.unknown = UnknownNode(got.unknown.text, expr.pos, scope.file, got.unknown.note)
                return got
            value = self.eval(expr, scope)
            return Outcome(unknown=value if isinstance(value, UnknownNode) and not default else None)
        m = _DATA_SPLAT.match(expr.text) if isinstance(expr, Opaque) else None
        if m:  # data.aws_iam_policy_document.X[*].json: the data source with a count
            return Outcome(data=m.group(1), ref=expr, scope=scope)
        cond = self.conditional(expr, scope) if isinstance(expr, Opaque) else None
        if cond is not None:
            return self.policy_conditional(expr, cond, scope, default)
        if isinstance(expr, Lit):
            if expr.value is not None and not default:
                self.diag(
                    PARSE_ERROR,
                    f"a policy document must be a JSON object, not {describe(expr.value)}",
                    Span(scope.file, *expr.pos),
                )
            return Outcome()
        if isinstance(expr, (TupleX, ObjectX)):
            if not default:
                what = "a list" if isinstance(expr, TupleX) else "an object: jsonencode() it"
                self.diag(
                    PARSE_ERROR,
                    f"a policy document must be a JSON string, not {what}",
                    Span(scope.file, *expr.pos),
                )
            return Outcome()
        return Outcome(unknown=None if default else self.unknown(expr, scope))

    def policy_conditional(self, expr: Expr, cond: Conditional, scope: Scope, default: bool) -> Outcome:
        """``COND ? A : B`` as a policy: the branch a literal condition chooses; else each
        branch that holds a policy (the others are `Outcome.also`)."""
        then, other = cond.part(1), cond.part(2)
        if then is None or other is None:
            return Outcome(unknown=None if default else self.unknown(expr, scope))
        chosen = self.choose(cond, scope)
        if chosen is not None:
            return self.policy(then if chosen else other, scope, default)
        found = [self.policy(b, scope, default) for b in (then, other)]
        policies = [o for o in found if o.node is not None or o.data is not None]
        if not policies:
            return Outcome(unknown=next((o.unknown for o in found if o.unknown is not None), None))
        first = policies[0]
        first.also.extend(o for o in found if o is not first)
        return first

    def policy_call(self, call: Call, scope: Scope, default: bool = False) -> Outcome:
        if call.name == "jsonencode" and len(call.args) == 1:
            node = self.eval(call.args[0], scope)
            if isinstance(node, dict):
                return Outcome(node=node)
            if isinstance(node, UnknownNode):
                return Outcome(unknown=node)
            empty = (isinstance(node, PScalar) and node.value is None) or (
                isinstance(node, str) and not node.strip()
            )
            if not empty:
                arg = call.args[0]
                self.diag(
                    PARSE_ERROR,
                    f"jsonencode() of {describe(node)}: a policy document must be a JSON object",
                    Span(scope.file, *arg.pos),
                )
            return Outcome()
        if call.name in ("file", "templatefile") and call.args and scope.tvars is None:
            return self.policy_file(call, scope)
        if call.name in ("try", "coalesce") and call.args:
            # the first alternative that is a policy; one that is not known decides nothing
            for a in call.args:
                got = self.policy(a, scope, default)
                if got.node is not None or got.data is not None:
                    return got
                if got.unknown is not None or (call.name == "try" and not _null(a)):
                    break
        return Outcome(unknown=None if default else self.unknown(call, scope))

    def policy_file(self, call: Call, scope: Scope) -> Outcome:
        target = self.eval(call.args[0], scope)
        if not isinstance(target, str) or isinstance(target, UnknownNode):
            return Outcome(unknown=self.unknown(call, scope, "a file name that is not known"))
        rel = str(target)
        path = rel if os.path.isabs(rel) else os.path.normpath(os.path.join(self.directory, rel))
        why = self.refusal(path)
        if why is not None:
            if why == "missing":
                what = f"no such file {rel!r} (read from {self.directory or '.'})"
            elif why == "outside":
                what = f"{rel!r} is outside the repository, not read (--allow-path PATH allows it)"
            else:
                what = f"{rel!r} is not a regular file ({why}), not read"
            self.diag(
                MISSING_FILE,
                f"{call.name}(): {what}; its policy cannot be checked",
                Span(scope.file, *call.pos),
            )
            return Outcome()
        text, err = self.read_text(path)
        if text is None:
            if err is not None:
                self.add_diag(err)
            return Outcome()
        locator = LineIndex(text)
        if call.name == "file":
            mt = MappedText(text, path, locator, None, what=os.path.basename(path))
            return self.json_text(mt, scope)
        tvars: dict[str, Node] = {}
        if len(call.args) > 1:
            v = self.eval(call.args[1], scope)
            if isinstance(v, dict):
                tvars = {str(k): val for k, val in v.items()}
        mt = template(text, list(range(len(text))), path, locator, os.path.basename(path))
        return self.json_text(mt, Scope(path, tvars=tvars))

    def json_text(self, mt: MappedText, scope: Scope) -> Outcome:
        node, diags, problem = parse_mapped_json(
            mt, lambda r, inside: self.resolve_region(r, inside, scope, mt)
        )
        for d in diags:
            self.add_diag(d)
        if problem is not None:
            if problem.span is not None:
                self.diag(PARSE_ERROR, problem.message, problem.span)
            return Outcome()
        if node is not None and not isinstance(node, dict):
            if not isinstance(node, UnknownNode):
                self.diag(
                    PARSE_ERROR, f"{mt.what}: a policy document must be a JSON object", span_of(node, mt.file)
                )
            return Outcome()
        return Outcome(node=node)

    def region_expr(self, r: Region, mt: MappedText) -> Expr | None:
        """The expression of a ``${...}`` in a heredoc or template (parsed once); None when it
        does not parse, and an IAM900 when it nests too deeply to read."""
        if r.expr is None:
            try:
                r.expr = parse_expression(r.inner, mt.locator, r.file_offset)
            except NestingError as e:
                self.add_diag(parse_error(mt.file, e.message, e.line, e.column))
                return None
            except PositionedError:
                return None
        return r.expr

    def resolve_region(self, r: Region, inside: bool, scope: Scope, mt: MappedText) -> Node | None:
        """The value of a ``${...}`` in a heredoc or template (None when unknown)."""
        expr = self.region_expr(r, mt)
        if expr is None:
            return None
        sc = Scope(mt.file, scope.iterators, scope.tvars, hidden=scope.hidden)
        if not inside and isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            return self.eval(expr.args[0], sc)
        value = self.eval(expr, sc)
        if inside or isinstance(value, PScalar):
            return value
        return None


def arn_types(ref: Ref) -> tuple[str, ...]:
    """The IAM resource types of the ARN an attribute of a resource or data source is
    (``aws_sqs_queue.q.arn``, ``data.aws_iam_role.r.arn``, ``aws_sqs_queue.q[0].arn``), from
    `types.ARN_ATTRIBUTES`; () for anything else. The reference names the type, so the
    resource need not be in the module."""
    names = [ref.root, *ref.steps]
    if names[0] == "data":
        names = names[1:]
    if len(names) < 3 or not all(isinstance(n, str) for n in names[:2]):
        return ()
    attribute = names[-1]
    if not isinstance(attribute, str) or any(isinstance(n, str) for n in names[2:-1]):
        return ()  # only index steps between the name and the attribute
    return ARN_ATTRIBUTES.get(str(names[0]), {}).get(attribute, ())


def refers_to(ref: Ref) -> tuple[str, str] | None:
    """The address of the managed resource and the attribute a reference names
    (``aws_iam_role.admin.arn``, ``aws_iam_role.admin[0].arn``: ``("aws_iam_role.admin",
    "arn")``, `Unknown.refers_to`); None for anything else (a data source, a variable)."""
    names = [ref.root, *ref.steps]
    if len(names) < 3 or names[0] in ("data", "var", "local", "module", "each", "count", "path", "self"):
        return None
    attribute = names[-1]
    if not all(isinstance(n, str) for n in names[:2]) or not isinstance(attribute, str):
        return None
    if any(isinstance(n, str) for n in names[2:-1]):
        return None  # only index steps between the name and the attribute
    return f"{names[0]}.{names[1]}", attribute
