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
import stat
from collections.abc import Iterable
from typing import Any

from ...diagnostics import DUPLICATE_KEY, MISSING_FILE, PARSE_ERROR, Diagnostic, diagnostic, parse_error
from ...discover import MAX_BYTES, file_kind, inside, read, repository_root
from ...model import Finding, Span
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
    Quoted,
    Ref,
    TupleX,
    parse_block,
    parse_body,
    parse_expression,
    split_blocks,
    unescape,
)
from ...parse.nodes import PScalar, pos_of
from ...positions import LineIndex, PositionedError
from .text import (
    MappedText,
    Node,
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
from .types import MARKERS, OPTIONAL_POLICY, PSEUDO, RESOURCE_POLICIES

#: levels of values, references, policies and data sources evaluated within one another
#: (real modules nest under 20): beyond, "nesting too deep to evaluate"
MAX_DEPTH = 64


# -- files and the module ------------------------------------------------------------------------
class Def:
    """A top-level block of the module (resource, data, variable, locals), parsed on first use."""

    __slots__ = ("kind", "labels", "path", "span", "block", "tried")

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
    """Where an expression is evaluated: its file, dynamic-block iterators, template vars."""

    __slots__ = ("file", "iterators", "tvars")

    def __init__(
        self,
        file: str,
        iterators: dict[str, tuple[Node, Node]] | None = None,
        tvars: dict[str, Node] | None = None,
    ):
        self.file = file
        self.iterators = iterators or {}
        self.tvars = tvars  # inside templatefile(): only these names exist

    def with_iterator(self, name: str, key: Node, value: Node) -> Scope:
        its = dict(self.iterators)
        its[name] = (key, value)
        return Scope(self.file, its, self.tvars)


class Outcome:
    """What a policy attribute holds: a document node, a data source, or nothing known."""

    __slots__ = ("node", "data", "ref", "scope")

    def __init__(
        self,
        node: Node | None = None,
        data: str | None = None,
        ref: Expr | None = None,
        scope: Scope | None = None,
    ):
        self.node = node
        self.data = data  # aws_iam_policy_document name
        self.ref = ref  # the expression that referred to the data source
        self.scope = scope


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
        self.diags: list[tuple[Finding, str | None]] = []  # (diagnostic, .tf file of its owner)
        self._read(texts)
        self._local_values: dict[str, Node] = {}
        self._local_depth: dict[str, int] = {}  # how deeply each local's value nests
        self.depth = 0  # levels of evaluation under way (see MAX_DEPTH)
        self._resolving: list[str] = []
        self._cycles: set[frozenset[str]] = set()
        self._texts: dict[str, tuple[str | None, Finding | None]] = {}
        self.anchor: str | None = None  # the .tf file of the owner being extracted

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
        if d.kind == "locals":
            self.local_defs.append(d)
        elif d.kind == "variable" and len(d.labels) == 1:
            self.variables.setdefault(d.labels[0], d)
        elif d.kind == "resource" and len(d.labels) == 2:
            self.resources.setdefault((d.labels[0], d.labels[1]), d)
        elif d.kind == "data" and len(d.labels) == 2:
            self.data.setdefault((d.labels[0], d.labels[1]), d)

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
                d.block = parse_block(f.text, d.span, f.locator)
            except NestingError as e:  # its position is in the file already
                self.add_diag(parse_error(f.path, e.message, e.line, e.column))
            except PositionedError:
                self.parse_whole(f)
        return d.block

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
        for attempt in range(2):
            if name in self.locals:
                return self.locals[name]
            for d in self.local_defs:
                if not d.tried and name in self.def_text(d):
                    b = self.block(d)
                    if b is not None:
                        for n, attr in b.body.attributes.items():
                            self.locals.setdefault(n, (attr, d.path))
                    if name in self.locals:
                        return self.locals[name]
            if attempt == 0 and not self.scan_mentioning(name):
                break
        return self.locals.get(name)

    def find_variable(self, name: str) -> tuple[Block, str] | None:
        d = self.defs_of(self.variables, name)
        b = self.block(d) if d is not None else None
        return (b, d.path) if b is not None and d is not None else None

    def find_data(self, type_: str, name: str) -> tuple[Block, str] | None:
        d = self.defs_of(self.data, (type_, name))
        b = self.block(d) if d is not None else None
        return (b, d.path) if b is not None and d is not None else None

    def has_resource(self, type_: str, name: str) -> bool:
        return self.defs_of(self.resources, (type_, name)) is not None

    def blocks(self, table: dict, types: Iterable[str]) -> list[tuple[str, str, Block, str]]:
        """Parsed (type, name, block, file) of the definitions of ``types``, in file order.

        A resource that may or may not carry a policy (``aws_s3_bucket``) is parsed only
        when its text names the policy attribute.
        """
        wanted = set(types)
        out = []
        for (type_, name), d in sorted(table.items(), key=lambda kv: self.order(kv[1])):
            if type_ not in wanted:
                continue
            if type_ in OPTIONAL_POLICY and d.span is not None:
                text = self.def_text(d)
                if not any(attr in text for attr, _ in RESOURCE_POLICIES[type_]):
                    continue
            b = self.block(d)
            if b is not None:
                out.append((type_, name, b, d.path))
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
        """The value of an expression as positional nodes (unknown where not literal)."""
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
            return self.unknown(expr, scope)
        finally:
            self.depth -= 1

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
            return UnknownNode(q.text[1:-1], q.pos, scope.file)
        out: list[str] = []
        for p in parts:
            if isinstance(p, Interp):
                s = self.stringify(self.eval(p.expr, scope))
                if s is None:
                    return UnknownNode(q.text[1:-1], q.pos, scope.file)
                out.append(s)
            else:
                out.append(unescape(p.raw) if p.escaped else p.raw)
        return TStr("".join(out), q.pos, scope.file)

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
        return self.unknown(ref, scope)

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
            else:
                return self.unknown(ref, scope)
        if isinstance(node, UnknownNode):
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
            try:
                self._local_values[name] = self.eval(attr.expr, Scope(path))
            finally:
                self._resolving.pop()
            self._local_depth[name] = nesting(self._local_values[name])
        if self.depth + self._local_depth[name] > MAX_DEPTH:
            # a value computed earlier, less deep: used here it would nest too deeply
            return self.too_deep(ref, scope)
        value = self._local_values[name]
        if self.moves(node_file(value, path), scope):
            return relocate(value, ref.pos, scope.file)
        return value

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
        block, path = found
        default = block.body.get("default")
        if default is None:
            return self.unknown(ref, scope, "variable without a default")
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
            if found_v is None or found_v[0].body.get("default") is None:
                return None
            expr, sc = found_v[0].body.get("default"), Scope(found_v[1])  # type: ignore[assignment]
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

    # -- blocks --------------------------------------------------------------------------------
    def expand(self, body: Body, type_: str, scope: Scope) -> list[tuple[Block, Body, Scope]]:
        """Blocks of a type, with ``dynamic`` ones expanded over a literal ``for_each``."""
        out: list[tuple[Block, Body, Scope]] = []
        for b in body.blocks:
            if b.type == type_:
                out.append((b, b.body, scope))
            elif b.type == "dynamic" and b.labels[:1] == (type_,):
                contents = b.body.blocks_of("content")
                fe = b.body.get("for_each")
                if not contents or fe is None:
                    continue
                it = b.body.get("iterator")
                name = it.root if isinstance(it, Ref) and not it.steps else type_
                coll = self.eval(fe, scope)
                pairs: list[tuple[Node, Node]] = []
                if isinstance(coll, list):
                    pairs = [
                        (TScalar(i, pos_of(v) or fe.pos, str(i), scope.file), v) for i, v in enumerate(coll)
                    ]
                elif isinstance(coll, dict):
                    pairs = [(k, coll[k]) for k in sorted(coll, key=str)]
                for key, value in pairs:
                    out.append((contents[0], contents[0].body, scope.with_iterator(name, key, value)))
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
            return self.policy_call(expr, scope)
        if isinstance(expr, Heredoc):
            mt = heredoc_text(expr, scope.file, self.locator(scope.file))
            body = mt.text.strip()
            if len(mt.regions) == 1 and body == mt.regions[0].raw:  # <<EOF ${expr} EOF
                r = mt.regions[0]
                inner = self.region_expr(r, mt)
                if inner is None:
                    return Outcome()
                return self.policy(inner, scope)
            return self.json_text(mt, scope)
        if isinstance(expr, Quoted):
            if len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
                return self.policy(expr.parts[0].expr, scope)
            mt = quoted_text(expr, scope.file, self.locator(scope.file))
            if not mt.text.lstrip().startswith("{"):
                if not (mt.regions or mt.directive or default or not mt.text.strip()):
                    self.diag(
                        PARSE_ERROR,
                        "a policy document must be a JSON object, not a plain string",
                        Span(scope.file, *expr.pos),
                    )
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
                return got
        return Outcome()

    def policy_call(self, call: Call, scope: Scope) -> Outcome:
        if call.name == "jsonencode" and len(call.args) == 1:
            node = self.eval(call.args[0], scope)
            if isinstance(node, dict):
                return Outcome(node=node)
            empty = (isinstance(node, PScalar) and node.value is None) or (
                isinstance(node, str) and not node.strip()
            )
            if not isinstance(node, UnknownNode) and not empty:
                what = (
                    "a list"
                    if isinstance(node, list)
                    else "a string"
                    if isinstance(node, str)
                    else "a scalar"
                )
                arg = call.args[0]
                self.diag(
                    PARSE_ERROR,
                    f"jsonencode() of {what}: a policy document must be a JSON object",
                    Span(scope.file, *arg.pos),
                )
            return Outcome()
        if call.name in ("file", "templatefile") and call.args and scope.tvars is None:
            return self.policy_file(call, scope)
        return Outcome()

    def policy_file(self, call: Call, scope: Scope) -> Outcome:
        target = self.eval(call.args[0], scope)
        if not isinstance(target, str) or isinstance(target, UnknownNode):
            return Outcome()
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
        sc = Scope(mt.file, scope.iterators, scope.tvars)
        if not inside and isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            return self.eval(expr.args[0], sc)
        value = self.eval(expr, sc)
        if inside or isinstance(value, PScalar):
            return value
        return None
