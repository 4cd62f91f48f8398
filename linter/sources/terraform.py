"""Terraform HCL modules: policy documents, with exact positions, and the attachment graph.

A module is a directory: every ``.tf`` file in it is read so that ``local.x``, ``var.x``
and data sources resolve across files, and Extractions are returned for the files that
were given (pre-commit passes changed files only).

Parsing is lazy, because python-hcl2's parser is the costly part: files that mention
nothing IAM-related are not parsed at all, and in the others only the top-level blocks
that matter (policy resources, principals, attachments, ``aws_iam_policy_document``) are
parsed, each on its own (`hcl_tree.split_blocks` finds their bounds). Locals, variables
and data sources are parsed when a reference needs them, wherever they are.

Values are evaluated only as far as they are literal: strings, numbers, lists, objects,
``jsonencode``, ``file``, ``templatefile``, locals, variables with a default, dynamic
blocks over literal collections, and the pseudo values of "this account"
(``data.aws_caller_identity.X.account_id`` becomes ``${AWS::AccountId}``, as every
extractor spells it). Anything else becomes an `Unknown` with its source text: never a
guess, never a crash.

Positions: a value is reported where its literal is written. When that is a ``.tf`` file
that was not given, it is reported where the given file refers to it instead, so that
findings stay in the given files. Documents read by ``file()``/``templatefile()`` keep
their positions in that file (the engine reports them there).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Iterable

from ..model import (
    DocKind,
    Finding,
    IAMPrincipal,
    ManagedPolicyRef,
    Origin,
    PolicyDocument,
    Severity,
    Span,
    Str,
    Unknown,
    Value,
)
from ..nodes import PScalar, pos_of
from ..normalize import DocumentBuilder, source_text
from . import Extraction, diagnostic, parse_error
from .hcl_tree import (
    Attribute,
    Block,
    Body,
    Call,
    Expr,
    Heredoc,
    HclSyntaxError,
    Interp,
    Lit,
    Locator,
    ObjectX,
    Quoted,
    BlockSpan,
    Ref,
    TupleX,
    parse_block,
    parse_body,
    parse_expression,
    split_blocks,
)
from .tf_text import (
    MappedText,
    Node,
    Region,
    TDict,
    TList,
    TScalar,
    TStr,
    UnknownNode,
    heredoc_text,
    node_file,
    parse_mapped_json,
    quoted_text,
    relocate,
    span_of,
    template,
)

FORMAT = "terraform"

#: A file is parsed when it holds one of these (case-sensitive, as Terraform is).
MARKERS = ("polic", "aws_iam_")

# Pseudo values: (data source type, attribute) -> the token all extractors use.
PSEUDO = {
    ("aws_caller_identity", "account_id"): "${AWS::AccountId}",
    ("aws_partition", "partition"): "${AWS::Partition}",
    ("aws_region", "name"): "${AWS::Region}",
    ("aws_region", "region"): "${AWS::Region}",
}

K = DocKind
#: resource type -> ((attribute, kind), ...) of its policy documents
RESOURCE_POLICIES: dict[str, tuple[tuple[str, DocKind], ...]] = {
    "aws_iam_policy": (("policy", K.IDENTITY),),
    "aws_iam_role": (("assume_role_policy", K.TRUST),),
    "aws_iam_role_policy": (("policy", K.IDENTITY),),
    "aws_iam_user_policy": (("policy", K.IDENTITY),),
    "aws_iam_group_policy": (("policy", K.IDENTITY),),
    "aws_ssoadmin_permission_set_inline_policy": (("inline_policy", K.IDENTITY),),
    "aws_s3_bucket_policy": (("policy", K.RESOURCE),),
    "aws_s3_bucket": (("policy", K.RESOURCE),),
    "aws_sqs_queue_policy": (("policy", K.RESOURCE),),
    "aws_sqs_queue": (("policy", K.RESOURCE),),
    "aws_sns_topic_policy": (("policy", K.RESOURCE),),
    "aws_sns_topic": (("policy", K.RESOURCE),),
    "aws_kms_key": (("policy", K.RESOURCE),),
    "aws_kms_key_policy": (("policy", K.RESOURCE),),
    "aws_ecr_repository_policy": (("policy", K.RESOURCE),),
    "aws_secretsmanager_secret_policy": (("policy", K.RESOURCE),),
    "aws_secretsmanager_secret": (("policy", K.RESOURCE),),
    "aws_cloudwatch_log_resource_policy": (("policy_document", K.RESOURCE),),
    "aws_opensearch_domain_policy": (("access_policies", K.RESOURCE),),
    "aws_opensearch_domain": (("access_policies", K.RESOURCE),),
    "aws_elasticsearch_domain_policy": (("access_policies", K.RESOURCE),),
    "aws_elasticsearch_domain": (("access_policies", K.RESOURCE),),
    "aws_vpc_endpoint_policy": (("policy", K.ENDPOINT),),
    "aws_vpc_endpoint": (("policy", K.ENDPOINT),),
    "aws_backup_vault_policy": (("policy", K.RESOURCE),),
    "aws_efs_file_system_policy": (("policy", K.RESOURCE),),
    "aws_api_gateway_rest_api_policy": (("policy", K.RESOURCE),),
    "aws_api_gateway_rest_api": (("policy", K.RESOURCE),),
    "aws_glacier_vault": (("access_policy", K.RESOURCE),),
    "aws_organizations_policy": (("content", K.SCP),),
}

#: organizations policy types that hold IAM policy language (RCPs read like SCPs)
ORG_IAM_TYPES = {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}

PRINCIPAL_TYPES = {
    "aws_iam_role": "role",
    "aws_iam_user": "user",
    "aws_iam_group": "group",
    "aws_ssoadmin_permission_set": "permission-set",
}
#: inline policy resources: type -> attribute naming the principal
INLINE = {
    "aws_iam_role_policy": ("role", "aws_iam_role"),
    "aws_iam_user_policy": ("user", "aws_iam_user"),
    "aws_iam_group_policy": ("group", "aws_iam_group"),
    "aws_ssoadmin_permission_set_inline_policy": ("permission_set_arn", "aws_ssoadmin_permission_set"),
}
#: attachment resources: type -> (attribute naming the principal, principal type, policy attribute)
ATTACH = {
    "aws_iam_role_policy_attachment": ("role", "aws_iam_role", "policy_arn"),
    "aws_iam_user_policy_attachment": ("user", "aws_iam_user", "policy_arn"),
    "aws_iam_group_policy_attachment": ("group", "aws_iam_group", "policy_arn"),
    "aws_ssoadmin_managed_policy_attachment": (
        "permission_set_arn",
        "aws_ssoadmin_permission_set",
        "managed_policy_arn",
    ),
}

#: resources that may carry a policy attribute but usually do not
OPTIONAL_POLICY = {
    "aws_s3_bucket",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_kms_key",
    "aws_secretsmanager_secret",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_vpc_endpoint",
    "aws_api_gateway_rest_api",
    "aws_glacier_vault",
}
MEMBERSHIP = ("aws_iam_policy_attachment", "aws_iam_group_membership", "aws_iam_user_group_membership", "aws_iam_access_key")
#: every resource type the extractor reads
RELEVANT = frozenset(RESOURCE_POLICIES) | frozenset(PRINCIPAL_TYPES) | frozenset(INLINE) | frozenset(ATTACH) | frozenset(MEMBERSHIP)

STATEMENT_LISTS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


# -- files and the module ------------------------------------------------------------------------
class Def:
    """A top-level block of the module (resource, data, variable, locals), parsed on first use."""

    __slots__ = ("kind", "labels", "path", "span", "block", "tried")

    def __init__(self, kind: str, labels: tuple[str, ...], path: str, span: BlockSpan | None = None,
                 block: Block | None = None, tried: bool = False):
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
        self.locator: Locator | None = None

    def relevant(self) -> bool:
        return self.text is not None and any(m in self.text for m in MARKERS)


class Scope:
    """Where an expression is evaluated: its file, dynamic-block iterators, template vars."""

    __slots__ = ("file", "iterators", "tvars")

    def __init__(self, file: str, iterators: dict[str, tuple[Node, Node]] | None = None,
                 tvars: dict[str, Node] | None = None):
        self.file = file
        self.iterators = iterators or {}
        self.tvars = tvars  # inside templatefile(): only these names exist

    def with_iterator(self, name: str, key: Node, value: Node) -> "Scope":
        its = dict(self.iterators)
        its[name] = (key, value)
        return Scope(self.file, its, self.tvars)


class Outcome:
    """What a policy attribute holds: a document node, a data source, or nothing known."""

    __slots__ = ("node", "data", "ref", "scope")

    def __init__(self, node: Node | None = None, data: str | None = None, ref: Expr | None = None,
                 scope: Scope | None = None):
        self.node = node
        self.data = data  # aws_iam_policy_document name
        self.ref = ref  # the expression that referred to the data source
        self.scope = scope


class TfBuilder(DocumentBuilder):
    """`DocumentBuilder` whose spans follow each node's own file, and that turns
    `UnknownNode` into `Unknown` without calling it a structural problem."""

    def span(self, node: Any, default: Span | None = None) -> Span:
        p = pos_of(node)
        if p is None or p[0] == 0:
            return default or self.fallback
        return Span(node_file(node, self.file), p[0], p[1], p[2], p[3])

    def problem(self, message: str, node: Any, default: Span | None = None) -> None:
        if isinstance(node, UnknownNode):
            return
        super().problem(message, node, default)

    def conditions(self, node: Any) -> Any:
        """Condition operators are read on one line: ``parse_operator`` fails on a line break,
        which a JSON escape or an HCL expression may put in a (meaningless) operator."""
        if isinstance(node, dict) and any("\n" in str(k) or "\r" in str(k) for k in node):
            fixed = TDict(pos_of(node) or (0, 0, 0, 0), node_file(node, self.file))
            for k, v in node.items():
                flat = " ".join(str(k).split())
                fixed[TStr(flat, pos_of(k) or fixed.pos, node_file(k, self.file))] = v
            node = fixed
        return super().conditions(node)


def _scalar_hook(node: Any) -> list[Value] | None:
    if isinstance(node, UnknownNode):
        return [Unknown(node.text, span_of(node, node.file), node.note)]
    return None


def to_value(node: Node, file: str) -> Value:
    """A single node as a model value."""
    sp = span_of(node, file)
    if isinstance(node, UnknownNode):
        return Unknown(node.text, sp, node.note)
    if isinstance(node, str):
        return Str(str(node), sp)
    if isinstance(node, PScalar):
        if node.value is None:
            return Unknown("null", sp)
        return Str(node.text if not isinstance(node.value, bool) else str(node.value).lower(), sp)
    return Unknown(source_text(node), sp)


def managed_name(value: Value) -> str | None:
    """``AdministratorAccess`` for ``arn:<partition>:iam::aws:policy/[path/]AdministratorAccess``."""
    if not isinstance(value, Str):
        return None
    parts = value.value.replace("${AWS::Partition}", "aws").split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[4] == "aws":
        rest = parts[5]
        if rest.startswith("policy/"):
            return rest.rsplit("/", 1)[-1] or None
    return None


class Module:
    """One directory of ``.tf`` files and everything extracted from it."""

    def __init__(self, directory: str, given: list[str], texts: dict[str, str]):
        self.directory = directory
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
        self._resolving: list[str] = []
        self._cycles: set[frozenset[str]] = set()
        self._data_docs: dict[str, Node] = {}
        self._data_building: set[str] = set()
        self._texts: dict[str, tuple[str | None, Finding | None]] = {}
        self.data_used: set[str] = set()
        self.anchor: str | None = None  # the .tf file of the owner being extracted

    # -- reading -------------------------------------------------------------------------------
    def _read(self, texts: dict[str, str]) -> None:
        from ..engine import read

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
            if np.endswith(".tf") and os.path.normpath(os.path.dirname(np) or ".") == os.path.normpath(self.directory or "."):
                names.add(np)
        norm_texts = {os.path.normpath(k): v for k, v in texts.items()}
        for path in sorted(names):
            if path in norm_texts:
                text, err = norm_texts[path], None
                if "\r" in text:
                    text = text.replace("\r\n", "\n")
            elif path in self.given_set or os.path.isfile(path):
                text, err = read(path)
            else:
                continue
            self.files[path] = TfFile(path, text, err)

    def scan(self, f: TfFile) -> None:
        """Index a file's top-level blocks without parsing them (see `split_blocks`)."""
        if f.scanned or f.text is None:
            return
        f.scanned = True
        f.locator = Locator(f.text)
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
        except HclSyntaxError as e:
            # reported once; the file's other blocks are still parsed one by one
            self.add_diag(parse_error(f.path, e.message, e.line, e.column))
            return None
        if f.defs and len(f.defs) == len(body.blocks):
            for d, b in zip(f.defs, body.blocks):
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
            except HclSyntaxError:
                self.parse_whole(f)
            except RecursionError:
                self.add_diag(parse_error(f.path, "nesting too deep to read", *f.locator.at(d.span.start)))
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

    def locator(self, path: str) -> Locator:
        f = self.files.get(path)
        if f is not None and f.locator is not None:
            return f.locator
        text, _ = self.read_text(path)
        return Locator(text or "")

    def read_text(self, path: str) -> tuple[str | None, Finding | None]:
        """A file read by ``file()``/``templatefile()`` (cached)."""
        if path in self.files and self.files[path].text is not None:
            return self.files[path].text, None
        if path not in self._texts:
            from ..engine import read

            if not os.path.isfile(path):
                self._texts[path] = (None, None)
            else:
                self._texts[path] = read(path)
        return self._texts[path]

    def diag(self, code: str, message: str, span: Span, severity: Severity = Severity.ERROR) -> None:
        name = {"IAM900": "parse-error", "IAM902": "duplicate-key", "IAM905": "missing-file"}.get(code, "diagnostic")
        self.add_diag(diagnostic(code, name, message, span, severity))

    def add_diag(self, finding: Finding) -> None:
        """Record a diagnostic with the ``.tf`` file of the owner being extracted: a problem
        inside a file read by ``file()`` is reported through the file that reads it."""
        self.diags.append((finding, self.anchor))

    def _moves(self, target_file: str, scope: Scope) -> bool:
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

    def eval(self, expr: Expr, scope: Scope) -> Node:
        """The value of an expression as positional nodes (unknown where not literal)."""
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
                self.diag(
                    "IAM902",
                    f"duplicate key {str(key)!r} (first at line {seen[key][0]}); the last value is used",
                    Span(scope.file, *it.key_pos),
                    Severity.WARNING,
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
                return TStr(v.text if not isinstance(v.value, bool) else str(v.value).lower(), q.pos, scope.file)
            return UnknownNode(q.text[1:-1], q.pos, scope.file)
        out: list[str] = []
        from .hcl_tree import unescape

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
                return TStr(PSEUDO[(names[0], names[2])], ref.pos, scope.file)
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
        value = self._local_values[name]
        if self._moves(node_file(value, path), scope):
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
        self.diag("IAM900", f"reference cycle between locals: {shown}", Span(path, *attr.name_pos))

    def var_value(self, name: str, ref: Ref, scope: Scope) -> Node:
        found = self.find_variable(name)
        if found is None:
            return self.unknown(ref, scope, "no such variable")
        block, path = found
        default = block.body.get("default")
        if default is None:
            return self.unknown(ref, scope, "variable without a default")
        value = self.eval(default, Scope(path))
        if self._moves(node_file(value, path), scope):
            return relocate(value, ref.pos, scope.file)
        return value

    def definition(self, ref: Ref, scope: Scope, depth: int = 0) -> tuple[Expr, Scope] | None:
        """The expression ``local.x`` / ``var.x`` (with literal steps) stands for."""
        steps = ref.steps
        if not steps or not isinstance(steps[0], str) or depth > 20 or scope.tvars is not None:
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

    # -- policy values ---------------------------------------------------------------------------
    def policy(self, expr: Expr, scope: Scope, depth: int = 0, default: bool = False) -> Outcome:
        """What a policy attribute holds, following references and reading JSON texts.

        ``default``: the expression is a variable's default, a placeholder the caller may
        override, so a non-JSON default (``""``) is not reported.
        """
        if depth > 20:
            return Outcome()
        if isinstance(expr, Call):
            return self.policy_call(expr, scope)
        if isinstance(expr, Heredoc):
            mt = heredoc_text(expr, scope.file, self.locator(scope.file))
            body = mt.text.strip()
            if len(mt.regions) == 1 and body == mt.regions[0].raw:  # <<EOF ${expr} EOF
                r = mt.regions[0]
                try:
                    inner = parse_expression(r.inner, mt.locator, r.file_offset)
                except HclSyntaxError:
                    return Outcome()
                return self.policy(inner, scope, depth + 1)
            return self.json_text(mt, scope)
        if isinstance(expr, Quoted):
            if len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
                return self.policy(expr.parts[0].expr, scope, depth + 1)
            mt = quoted_text(expr, scope.file, self.locator(scope.file))
            if not mt.text.lstrip().startswith("{"):
                if not (mt.regions or mt.directive or default or not mt.text.strip()):
                    self.diag(
                        "IAM900",
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
                inner = self.policy(found[0], found[1], depth + 1, default or expr.root == "var")
                if inner.node is not None and self._moves(node_file(inner.node, found[1].file), scope):
                    inner.node = relocate(inner.node, expr.pos, scope.file)
                if inner.data is not None and self._moves(found[1].file, scope):
                    inner.ref, inner.scope = expr, scope
                return inner
        return Outcome()

    def policy_call(self, call: Call, scope: Scope) -> Outcome:
        if call.name == "jsonencode" and len(call.args) == 1:
            node = self.eval(call.args[0], scope)
            if isinstance(node, dict):
                return Outcome(node=node)
            empty = (isinstance(node, PScalar) and node.value is None) or (isinstance(node, str) and not node.strip())
            if not isinstance(node, UnknownNode) and not empty:
                what = "a list" if isinstance(node, list) else "a string" if isinstance(node, str) else "a scalar"
                arg = call.args[0]
                self.diag(
                    "IAM900",
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
        text, err = self.read_text(path)
        if text is None:
            if err is not None:
                self.add_diag(err)
            else:
                self.diag(
                    "IAM905",
                    f"{call.name}(): no such file {rel!r} (read from {self.directory or '.'}); "
                    "its policy cannot be checked",
                    Span(scope.file, *call.pos),
                    Severity.WARNING,
                )
            return Outcome()
        locator = Locator(text)
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
        node, diags, problem = parse_mapped_json(mt, lambda r, inside: self.resolve_region(r, inside, scope, mt))
        for code, message, span, severity in diags:
            self.diag(code, message, span, severity)
        if problem is not None:
            if problem.span is not None:
                self.diag("IAM900", problem.message, problem.span)
            return Outcome()
        if node is not None and not isinstance(node, dict):
            if not isinstance(node, UnknownNode):
                self.diag("IAM900", f"{mt.what}: a policy document must be a JSON object", span_of(node, mt.file))
            return Outcome()
        return Outcome(node=node)

    def resolve_region(self, r: Region, inside: bool, scope: Scope, mt: MappedText) -> Node | None:
        """The value of a ``${...}`` in a heredoc or template (None when unknown)."""
        if r.expr is None:
            try:
                r.expr = parse_expression(r.inner, mt.locator, r.file_offset)
            except HclSyntaxError:
                return None
        expr = r.expr
        sc = Scope(mt.file, scope.iterators, scope.tvars)
        if not inside and isinstance(expr, Call) and expr.name == "jsonencode" and len(expr.args) == 1:
            return self.eval(expr.args[0], sc)
        value = self.eval(expr, sc)
        if inside or isinstance(value, PScalar):
            return value
        return None

    # -- aws_iam_policy_document -----------------------------------------------------------------
    def data_document(self, name: str) -> Node | None:
        """The document a ``data "aws_iam_policy_document"`` renders, merged as Terraform does."""
        if name in self._data_docs:
            return self._data_docs[name]
        found = self.find_data("aws_iam_policy_document", name)
        if found is None or name in self._data_building:
            return None
        self._data_building.add(name)
        try:
            doc = self._build_data_document(found[0], Scope(found[1]))
        finally:
            self._data_building.discard(name)
        self._data_docs[name] = doc
        return doc

    def _build_data_document(self, block: Block, scope: Scope) -> Node:
        body = block.body
        doc = TDict(block.pos, scope.file)
        version = body.attributes.get("version")
        if version is not None:
            doc[TStr("Version", version.name_pos, scope.file)] = self.eval(version.expr, scope)
        else:
            doc[TStr("Version", block.type_pos, scope.file)] = TStr("2012-10-17", block.type_pos, scope.file)
        pid = body.attributes.get("policy_id")
        if pid is not None:
            doc[TStr("Id", pid.name_pos, scope.file)] = self.eval(pid.expr, scope)

        merged: list[Node] = []
        for attr in ("source_policy_documents", "source_json"):
            for st in self.listed_statements(body, attr, scope):
                merge_statement(merged, st)
        own: list[Node] = []
        key_pos = block.type_pos
        for blk, sbody, sc in self.expand(body, "statement", scope):
            if not own:
                key_pos = blk.type_pos
            own.append(self.statement(blk, sbody, sc))
        for st in own:
            merge_statement(merged, st)
        for attr in ("override_policy_documents", "override_json"):
            for st in self.listed_statements(body, attr, scope):
                merge_statement(merged, st)
        stmts = TList(block.pos, scope.file)
        stmts.extend(merged)
        doc[TStr("Statement", key_pos, scope.file)] = stmts
        return doc

    def listed_statements(self, body: Body, attr: str, scope: Scope) -> list[Node]:
        """Statements of the documents listed in source/override_policy_documents."""
        expr = body.get(attr)
        if expr is None:
            return []
        items: list[tuple[Expr, Scope]]
        if attr.endswith("_json"):
            items = [(expr, scope)]
        else:
            target: tuple[Expr, Scope] | None = (expr, scope)
            if isinstance(expr, Ref):
                target = self.definition(expr, scope)
            if target is None or not isinstance(target[0], TupleX):
                return []
            items = [(x, target[1]) for x in target[0].items]
        out: list[Node] = []
        for x, sc in items:
            got = self.policy(x, sc)
            node = got.node
            if got.data is not None:
                self.data_used.add(got.data)
                node = self.data_document(got.data)
                if node is not None and got.scope is not None:
                    dfile = node_file(node, scope.file)
                    if self._moves(dfile, got.scope):
                        node = relocate(node, got.ref.pos, got.scope.file)  # type: ignore[union-attr]
            if isinstance(node, dict):
                st = node.get("Statement")
                if isinstance(st, list):
                    out.extend(st)
                elif isinstance(st, dict):
                    out.append(st)
        return out

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
                    pairs = [(TScalar(i, pos_of(v) or fe.pos, str(i), scope.file), v) for i, v in enumerate(coll)]
                elif isinstance(coll, dict):
                    pairs = [(k, coll[k]) for k in sorted(coll, key=str)]
                for key, value in pairs:
                    out.append((contents[0], contents[0].body, scope.with_iterator(name, key, value)))
        return out

    def statement(self, blk: Block, body: Body, scope: Scope) -> TDict:
        st = TDict(blk.pos, scope.file)
        f = scope.file
        for attr_name, key in STATEMENT_LISTS:
            attr = body.attributes.get(attr_name)
            if attr is not None:
                st[TStr(key, attr.name_pos, f)] = self.eval(attr.expr, scope)
            elif key == "Effect":
                st[TStr("Effect", blk.pos, f)] = TStr("Allow", blk.pos, f)
        for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = self.expand(body, block_type, scope)
            if blocks:
                st[TStr(key, blocks[0][0].type_pos, f)] = self.principals(blocks)
        conds = self.expand(body, "condition", scope)
        if conds:
            st[TStr("Condition", conds[0][0].type_pos, f)] = self.conditions(conds)
        return policy_variables(st)

    def principals(self, blocks: list[tuple[Block, Body, Scope]]) -> TDict:
        first = blocks[0][0]
        out = TDict(first.pos, blocks[0][2].file)
        for blk, body, sc in blocks:
            t_expr, ids_expr = body.get("type"), body.get("identifiers")
            if t_expr is None:
                continue
            t = self.eval(t_expr, sc)
            kind = str(t) if isinstance(t, str) and not isinstance(t, UnknownNode) else t_expr.text
            key = TStr(kind, t_expr.pos, sc.file)
            ids = self.eval(ids_expr, sc) if ids_expr is not None else TList(blk.pos, sc.file)
            if key in out:
                merged = out[key]
                merged.extend(ids if isinstance(ids, list) else [ids])
            else:
                lst = TList(pos_of(ids) or blk.pos, sc.file)
                lst.extend(ids if isinstance(ids, list) else [ids])
                out[key] = lst
        return out

    def conditions(self, blocks: list[tuple[Block, Body, Scope]]) -> TDict:
        first = blocks[0][0]
        out = TDict(first.pos, blocks[0][2].file)
        for blk, body, sc in blocks:
            t_expr, v_expr, vals_expr = body.get("test"), body.get("variable"), body.get("values")
            if t_expr is None or v_expr is None:
                continue
            t, v = self.eval(t_expr, sc), self.eval(v_expr, sc)
            test = TStr(str(t) if isinstance(t, str) else t_expr.text, t_expr.pos, sc.file)
            var = TStr(str(v) if isinstance(v, str) else v_expr.text, v_expr.pos, sc.file)
            vals = self.eval(vals_expr, sc) if vals_expr is not None else TList(blk.pos, sc.file)
            block = out.get(test)
            if block is None:
                block = TDict(blk.pos, sc.file)
                out[test] = block
            if var in block:
                existing = block[var]
                existing.extend(vals if isinstance(vals, list) else [vals])
            else:
                lst = TList(pos_of(vals) or blk.pos, sc.file)
                lst.extend(vals if isinstance(vals, list) else [vals])
                block[var] = lst
        return out


def policy_variables(node: Node) -> Node:
    """``&{aws:username}`` becomes ``${aws:username}``, as ``aws_iam_policy_document`` renders
    it (``&{`` is how its users write IAM policy variables without a Terraform interpolation)."""
    if isinstance(node, TStr) and "&{" in node:
        return TStr(str(node).replace("&{", "${"), node.pos, node.file)
    if isinstance(node, dict):
        for k in list(node):
            node[k] = policy_variables(node[k])
    elif isinstance(node, list):
        node[:] = [policy_variables(v) for v in node]
    return node


def merge_statement(merged: list[Node], st: Node) -> None:
    """Terraform's merge: a statement replaces the earlier one with the same (literal) sid."""
    sid = st.get("Sid") if isinstance(st, dict) else None
    if isinstance(sid, str) and not isinstance(sid, UnknownNode) and str(sid):
        for i, old in enumerate(merged):
            old_sid = old.get("Sid") if isinstance(old, dict) else None
            if isinstance(old_sid, str) and str(old_sid) == str(sid):
                merged[i] = st
                return
    merged.append(st)


# -- extraction ----------------------------------------------------------------------------------
class _Doc:
    __slots__ = ("doc", "anchor")

    def __init__(self, doc: PolicyDocument, anchor: str):
        self.doc = doc
        self.anchor = anchor  # the .tf file of the owner


class _Extractor:
    """Documents and principals of a parsed module."""

    def __init__(self, m: Module):
        self.m = m
        self.docs: list[_Doc] = []
        self.by_owner: dict[str, list[PolicyDocument]] = {}
        self.principals: list[IAMPrincipal] = []
        self._names: dict[str, list[tuple[str, str]]] | None = None
        self.resources = m.blocks(m.resources, RELEVANT)

    # -- reference helpers -------------------------------------------------------------------------
    def targets(self, expr: Expr | None, scope: Scope, types: tuple[str, ...], depth: int = 0) -> list[str]:
        """Addresses of module resources of ``types`` an expression names (by reference or by
        their literal ``name``), looking through lists and locals."""
        if expr is None or depth > 10:
            return []
        if isinstance(expr, TupleX):
            return [t for x in expr.items for t in self.targets(x, scope, types, depth + 1)]
        if isinstance(expr, Ref):
            if expr.root in types:
                names = [s for s in expr.steps if isinstance(s, str)]
                if names and self.m.has_resource(expr.root, names[0]):
                    return [f"{expr.root}.{names[0]}"]
                return []
            found = self.m.definition(expr, scope)
            if found is not None:
                return self.targets(found[0], found[1], types, depth + 1)
        if isinstance(expr, Quoted) and len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
            return self.targets(expr.parts[0].expr, scope, types, depth + 1)
        value = self.m.eval(expr, scope)
        if isinstance(value, str) and not isinstance(value, UnknownNode):
            return self.by_name(str(value), types)
        return []

    def literal_names(self) -> dict[str, list[tuple[str, str]]]:
        """Resource type -> [(literal ``name``, address)], computed once."""
        if self._names is None:
            self._names = {}
            for type_, rname, block, path in self.resources:
                n = block.body.get("name")
                if n is None:
                    continue
                v = self.m.eval(n, Scope(path))
                if isinstance(v, str) and not isinstance(v, UnknownNode):
                    self._names.setdefault(type_, []).append((str(v), f"{type_}.{rname}"))
        return self._names

    def by_name(self, name: str, types: tuple[str, ...]) -> list[str]:
        """Module resources whose literal ``name`` is ``name`` (or, for policies, whose ARN
        ends with ``:policy/<name>``)."""
        out = []
        for type_ in types:
            for literal, address in self.literal_names().get(type_, ()):
                if literal == name or (type_ == "aws_iam_policy" and name.endswith(f":policy/{literal}")):
                    out.append(address)
        return out

    def managed(self, expr: Expr, scope: Scope) -> list[ManagedPolicyRef]:
        """Managed policy references of an ARN or a list of ARNs."""
        items = expr.items if isinstance(expr, TupleX) else [expr]
        out = []
        for x in items:
            value = self.m.eval(x, scope)
            if isinstance(value, list):
                out.extend(self.managed_value(v, x, scope) for v in value)
            else:
                out.append(self.managed_value(value, x, scope))
        return out

    def managed_value(self, value: Node, expr: Expr, scope: Scope) -> ManagedPolicyRef:
        v = to_value(value, scope.file)
        name = managed_name(v)
        doc = None
        if name is None:
            for t in self.targets(expr, scope, ("aws_iam_policy",)):
                docs = self.by_owner.get(t)
                if docs:
                    doc = docs[0]
                    break
        return ManagedPolicyRef(v, name, doc)

    # -- documents ---------------------------------------------------------------------------------
    def build(self) -> None:
        m = self.m
        attached, boundaries = self.policy_attachments()
        inline_of: dict[str, list[str]] = {}
        for type_, name, block, path in self.resources:
            if type_ in INLINE:
                attr, ptype = INLINE[type_]
                inline_of[f"{type_}.{name}"] = self.principal_addresses(block.body.get(attr), Scope(path), ptype)

        for type_, name, block, path in self.resources:
            address = f"{type_}.{name}"
            scope = Scope(path)
            m.anchor = path
            specs = RESOURCE_POLICIES.get(type_, ())
            for attr, kind in specs:
                expr = block.body.get(attr)
                if expr is None:
                    continue
                if type_ == "aws_organizations_policy":
                    org_type = block.body.get("type")
                    if org_type is not None:
                        t = m.eval(org_type, scope)
                        if isinstance(t, str) and not isinstance(t, UnknownNode) and str(t) not in ORG_IAM_TYPES:
                            continue
                principals: list[str] = []
                if type_ == "aws_iam_role":
                    principals = [address]
                elif type_ in INLINE:
                    principals = inline_of.get(address, [])
                elif type_ == "aws_iam_policy":
                    principals = attached.get(address, [])
                    if address in boundaries and not principals:
                        kind = DocKind.BOUNDARY
                name_expr = block.body.get("name")
                pname = to_value(m.eval(name_expr, scope), path) if name_expr is not None else None
                self.add(expr, scope, address, type_, attr, kind, principals, pname)
            if type_ == "aws_iam_role":
                for i, (blk, body, sc) in enumerate(m.expand(block.body, "inline_policy", scope)):
                    expr = body.get("policy")
                    if expr is None:
                        continue
                    n = body.get("name")
                    pname = to_value(m.eval(n, sc), path) if n is not None else None
                    self.add(expr, sc, address, type_, f"inline_policy[{i}].policy", DocKind.IDENTITY, [address], pname)
        m.anchor = None
        for type_, name, block, path in m.blocks(m.data, ("aws_iam_policy_document",)):
            if name in m.data_used:
                continue
            node = m.data_document(name)
            if not isinstance(node, dict):
                continue
            from .jsonpolicy import guess_kind

            owner = f"data.{type_}.{name}"
            m.anchor = path
            self.finish(node, path, guess_kind(node), Origin(path, FORMAT, owner, type_, "json"), [], None)
        m.anchor = None

    def add(
        self,
        expr: Expr,
        scope: Scope,
        owner: str,
        owner_type: str,
        attr: str,
        kind: DocKind,
        principals: list[str],
        name: Value | None,
    ) -> None:
        m = self.m
        got = m.policy(expr, scope)
        node = got.node
        if got.data is not None:
            m.data_used.add(got.data)
            node = m.data_document(got.data)
            if node is not None and got.scope is not None and m._moves(node_file(node, scope.file), got.scope):
                node = relocate(node, got.ref.pos, got.scope.file)  # type: ignore[union-attr]
        if not isinstance(node, dict):
            return
        file = node_file(node, scope.file)
        self.finish(node, file, kind, Origin(file, FORMAT, owner, owner_type, attr), principals, name)

    def finish(
        self,
        node: Node,
        file: str,
        kind: DocKind,
        origin: Origin,
        principals: list[str],
        name: Value | None,
    ) -> None:
        builder = TfBuilder(file, scalar=_scalar_hook)
        doc = builder.document(node, kind, origin, principals=principals, name=name)
        if doc is None:
            return
        if origin.owner_type == "aws_iam_policy":
            doc = replace(doc, managed=True)
        self.docs.append(_Doc(doc, self.m.anchor or file))
        if origin.owner:
            self.by_owner.setdefault(origin.owner, []).append(doc)

    def policy_attachments(self) -> tuple[dict[str, list[str]], set[str]]:
        """policy address -> principals it is attached to; policies used as boundaries."""
        attached: dict[str, list[str]] = {}
        boundaries: set[str] = set()

        def note(policies: list[str], principal: str) -> None:
            for p in policies:
                lst = attached.setdefault(p, [])
                if principal not in lst:
                    lst.append(principal)

        for type_, name, block, path in self.resources:
            sc = Scope(path)
            body = block.body
            if type_ in ATTACH:
                attr, ptype, pattr = ATTACH[type_]
                pols = self.targets(body.get(pattr), sc, ("aws_iam_policy",))
                for t in self.principal_addresses(body.get(attr), sc, ptype):
                    note(pols, t)
            elif type_ == "aws_iam_policy_attachment":
                pols = self.targets(body.get("policy_arn"), sc, ("aws_iam_policy",))
                for attr, ptype in (("roles", "aws_iam_role"), ("users", "aws_iam_user"), ("groups", "aws_iam_group")):
                    for t in self.principal_addresses(body.get(attr), sc, ptype):
                        note(pols, t)
            elif type_ in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                note(self.targets(body.get("managed_policy_arns"), sc, ("aws_iam_policy",)), f"{type_}.{name}")
                boundaries.update(self.targets(body.get("permissions_boundary"), sc, ("aws_iam_policy",)))
        return attached, boundaries

    # -- the attachment graph ------------------------------------------------------------------------
    def principal_refs(self, expr: Expr | None, scope: Scope, ptype: str) -> list[tuple[str, Span | None]]:
        """The principals of type ``ptype`` an expression names, as (address, where named).

        A module resource named by reference or by its literal name has its address (and
        None). Any other name, or a reference iamlint cannot follow (``var.user``), names a
        principal defined elsewhere: its address is the name or the source text, as in the
        CloudFormation model, so that what this module attaches to it is still seen.
        """
        if expr is None:
            return []
        out: list[tuple[str, Span | None]] = []
        for x in expr.items if isinstance(expr, TupleX) else [expr]:
            found = self.targets(x, scope, (ptype,))
            if found:
                out.extend((a, None) for a in found)
                continue
            value = self.m.eval(x, scope)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, UnknownNode):
                    out.append((v.text, span_of(v, scope.file)))
                elif isinstance(v, str) and str(v):
                    named = self.by_name(str(v), (ptype,))
                    out.extend((a, None) for a in named) if named else out.append((str(v), span_of(v, scope.file)))
        return out

    def principal_addresses(self, expr: Expr | None, scope: Scope, ptype: str) -> list[str]:
        return list(dict.fromkeys(a for a, _ in self.principal_refs(expr, scope, ptype)))

    def graph(self) -> None:
        """The principals of the module, and those it names from elsewhere, with everything
        attached to them."""
        nodes: dict[tuple[str, str], _Node] = {}
        for type_, name, block, path in self.resources:
            if type_ in PRINCIPAL_TYPES:
                address = f"{type_}.{name}"
                n = nodes[(PRINCIPAL_TYPES[type_], address)] = _Node(PRINCIPAL_TYPES[type_], address, Span(path, *block.pos))
                docs = self.by_owner.get(address, [])
                n.trust = next((d for d in docs if d.kind is DocKind.TRUST), None)
                n.inline = [d for d in docs if d.kind is not DocKind.TRUST]

        def named(expr: Expr | None, sc: Scope, ptype: str) -> list[_Node]:
            return principal_nodes(nodes, PRINCIPAL_TYPES[ptype], self.principal_refs(expr, sc, ptype))

        for type_, name, block, path in self.resources:
            sc = Scope(path)
            body = block.body
            address = f"{type_}.{name}"
            if type_ in INLINE:
                attr, ptype = INLINE[type_]
                for n in named(body.get(attr), sc, ptype):
                    n.inline.extend(self.by_owner.get(address, []))
            elif type_ in ATTACH:
                attr, ptype, pattr = ATTACH[type_]
                expr = body.get(pattr)
                refs = self.managed(expr, sc) if expr is not None else []
                for n in named(body.get(attr), sc, ptype):
                    n.managed.extend(refs)
            elif type_ == "aws_iam_policy_attachment":
                expr = body.get("policy_arn")
                refs = self.managed(expr, sc) if expr is not None else []
                for attr, ptype in (("roles", "aws_iam_role"), ("users", "aws_iam_user"), ("groups", "aws_iam_group")):
                    for n in named(body.get(attr), sc, ptype):
                        n.managed.extend(refs)
            elif type_ in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                n = nodes[(PRINCIPAL_TYPES[type_], address)]
                mpa = body.get("managed_policy_arns")
                if mpa is not None:
                    n.managed.extend(self.managed(mpa, sc))
                pb = body.get("permissions_boundary")
                if pb is not None:
                    refs = self.managed(pb, sc)
                    n.boundary = refs[0] if refs else None
            elif type_ in ("aws_iam_group_membership", "aws_iam_user_group_membership"):
                single = type_ == "aws_iam_group_membership"
                groups = named(body.get("group" if single else "groups"), sc, "aws_iam_group")
                for u in named(body.get("users" if single else "user"), sc, "aws_iam_user"):
                    u.groups.extend(g.address for g in groups if g.address not in u.groups)
            elif type_ == "aws_iam_access_key":
                for u in named(body.get("user"), sc, "aws_iam_user"):
                    u.keys.append(Span(path, *block.pos))
        self.principals.extend(n.principal() for n in nodes.values())


def principal_nodes(nodes: dict, kind: str, refs) -> list["_Node"]:
    """The graph nodes that (address, where) references name, in order, without repeats.

    A principal the module or plan does not define (a literal user name, ``var.role``) gets
    a node of its own, located where it is named; one with no location is left out.
    """
    out: list[_Node] = []
    for address, where in refs:
        n = nodes.get((kind, address))
        if n is None:
            if where is None:
                continue
            n = nodes[(kind, address)] = _Node(kind, address, where)
        if n not in out:
            out.append(n)
    return out


class _Node:
    """A principal of the attachment graph while it is being assembled."""

    __slots__ = ("kind", "address", "span", "trust", "inline", "managed", "boundary", "groups", "keys")

    def __init__(self, kind: str, address: str, span: Span):
        self.kind = kind
        self.address = address
        self.span = span  # its block, or where an external principal is first named
        self.trust: PolicyDocument | None = None
        self.inline: list[PolicyDocument] = []
        self.managed: list[ManagedPolicyRef] = []
        self.boundary: ManagedPolicyRef | None = None
        self.groups: list[str] = []
        self.keys: list[Span] = []

    def principal(self) -> IAMPrincipal:
        return IAMPrincipal(
            kind=self.kind,
            address=self.address,
            span=self.span,
            file=self.span.file,
            trust=self.trust,
            inline=tuple(self.inline),
            managed=tuple(self.managed),
            boundary=self.boundary,
            groups=tuple(self.groups),
            access_keys=tuple(self.keys),
        )


def extract_module(directory: str, given: list[str], texts: dict[str, str]) -> dict[str, Extraction]:
    """Extract the ``given`` ``.tf`` files of the module in ``directory`` (see the module doc)."""
    m = Module(directory, given, texts)
    out: dict[str, Extraction] = {}
    for path in given:
        ex = Extraction(FORMAT)
        f = m.files.get(os.path.normpath(path))
        if f is not None and f.error is not None:
            ex.diagnostics.append(f.error)
        out[path] = ex
    if not m.scan_relevant():
        return out
    ext = _Extractor(m)
    try:
        ext.build()
        ext.graph()
    except RecursionError:
        for path in given:
            out[path].diagnostics.append(parse_error(path, "expressions nested too deeply to evaluate"))
        return out
    key = {os.path.normpath(p): p for p in given}

    def home(*candidates: str | None) -> str | None:
        for c in candidates:
            if c is not None and c in key:
                return key[c]
        return None

    for d in ext.docs:
        doc_file = d.doc.span.file
        target = home(doc_file if doc_file.endswith(".tf") else None, d.anchor)
        if target is not None:
            out[target].documents.append(d.doc)
    for p in ext.principals:
        target = home(p.file)
        if target is not None:
            out[target].principals.append(p)
    seen: set[tuple] = set()
    for diag, anchor in m.diags:
        k = (diag.code, diag.span, diag.message)
        if k in seen:
            continue
        seen.add(k)
        where = diag.span.file
        target = home(where) if where.endswith(".tf") else home(where, anchor)
        if target is not None:
            out[target].diagnostics.append(diag)
    for ex in out.values():
        ex.documents.sort(key=lambda d: (d.span.file, d.span.line, d.span.column))
    return out
