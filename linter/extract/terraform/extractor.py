"""Terraform HCL modules: policy documents, with exact positions, and the attachment graph.

`extract_module` reads a module (see `module`), renders its ``aws_iam_policy_document``
data sources (`documents`), builds every policy document its resources hold and the graph
of principals, and returns Extractions for the files that were given (pre-commit passes
changed files only). Documents read by ``file()``/``templatefile()`` keep their positions in
that file (the engine reports them there).

Memory: a block's syntax tree, and the values evaluated from it, go once its documents are
built; of a resource, only what the attachment graph reads later is kept (`GRAPH_TYPES`),
and a data source is parsed and rendered again if one further down the file lists it. A
module's policies are never held as trees and documents at once (``tests/test_memory.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

from ...diagnostics import DUPLICATE_ADDRESS, diagnostic, parse_error
from ...model import (
    DocKind,
    Finding,
    IAMPrincipal,
    ManagedPolicyRef,
    Origin,
    PolicyDocument,
    Span,
    Str,
    Unknown,
    Value,
)
from ...parse.hcl_tree import Block, Body, Expr, Interp, Quoted, Ref, TupleX
from ...parse.nodes import PScalar
from ...positions import Pos
from ..extraction import Extraction
from ..graph import PrincipalNode, managed_policy_name, managed_ref, principal_nodes
from ..jsonpolicy import guess_kind, org_policy_kind
from .calls import MODULE_MARKERS, module_arguments
from .documents import DataDocuments, settle
from .module import Def, Module, Outcome, Scope
from .permissions import statement as permission_statement
from .text import Node, UnknownNode, node_file, relocate, span_of
from .types import (
    ATTACH,
    FORMAT,
    INLINE,
    MEMBERSHIP,
    ORG_POLICY_KINDS,
    PERMISSIONS,
    PRINCIPAL_TYPES,
    RELEVANT,
    RESOURCE_POLICIES,
    SINGLE_RESOURCE_TYPES,
)
from .unresolved import note, statements
from .values import TfBuilder, to_value


def policy_attributes(
    body: Body, specs: tuple[tuple[str, DocKind], ...]
) -> Iterator[tuple[str, DocKind, Expr]]:
    """The policy attributes a resource sets, as (path, kind, expression); ``block.attr``
    is an attribute of each nested ``block``."""
    for attr, kind in specs:
        outer, _, inner = attr.rpartition(".")
        if not outer:
            expr = body.get(attr)
            if expr is not None:
                yield attr, kind, expr
            continue
        for i, blk in enumerate(body.blocks_of(outer)):
            expr = blk.body.get(inner)
            if expr is not None:
                yield f"{outer}[{i}].{inner}", kind, expr


#: the resource types whose blocks the attachment graph reads (`_Extractor.graph`,
#: `_Extractor.policy_attachments`); of any other, only its ``count``, ``for_each`` and ``name``
GRAPH_TYPES = frozenset(PRINCIPAL_TYPES) | frozenset(INLINE) | frozenset(ATTACH) | frozenset(MEMBERSHIP)
#: what is kept of the block of a resource of another type once its documents are built
_KEPT_ATTRIBUTES = ("count", "for_each", "name")


def _kept_part(block: Block) -> Block:
    """The part of a resource block that is read after its documents are built (see
    `GRAPH_TYPES`): its header and position, and the attributes `_KEPT_ATTRIBUTES` as
    parsed (the same objects, so that what was evaluated of them stays evaluated)."""
    body = Body()
    for name in _KEPT_ATTRIBUTES:
        attr = block.body.attributes.get(name)
        if attr is not None:
            body.attributes[name] = attr
    return Block(block.type, block.labels, body, block.pos, block.type_pos)


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
        self.data = DataDocuments(m)
        self.docs: list[_Doc] = []
        self.by_owner: dict[str, list[PolicyDocument]] = {}
        #: documents of each resource block (two definitions of one address have one owner)
        self.by_block: dict[int, list[PolicyDocument]] = {}
        self.block: int | None = None  # the id of the block being extracted
        self.principals: list[IAMPrincipal] = []
        self._names: dict[str, list[tuple[str, str]]] | None = None
        #: (type, name, definition, file) of the resources read, in file order. The blocks
        #: the graph reads are parsed now; the others when their documents are built, after
        #: which only the part the graph reads is kept (`_kept_part`): a module's policies
        #: are never all held at once as syntax trees.
        self.resources: list[tuple[str, str, Def, str]] = [
            (type_, name, d, d.path) for type_, name, d in m.defs(m.resources, RELEVANT)
        ]
        for type_, _name, d, _path in self.resources:
            if type_ in GRAPH_TYPES:
                m.block(d)

    def parsed(self, types: frozenset[str] | None = None) -> Iterator[tuple[str, str, Block, str]]:
        """(type, name, block, file) of the resources (of ``types``) whose block parses."""
        for type_, name, d, path in self.resources:
            if types is None or type_ in types:
                block = self.m.block(d)
                if block is not None:
                    yield type_, name, block, path

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
            for type_, rname, block, path in self.parsed():
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

    def managed(self, expr: Expr, scope: Scope, boundary: bool = False) -> list[ManagedPolicyRef]:
        """Managed policy references of an ARN or a list of ARNs (of a permissions ``boundary``)."""
        items = expr.items if isinstance(expr, TupleX) else [expr]
        out: list[ManagedPolicyRef] = []
        for x in items:
            value = self.m.eval(x, scope)
            if isinstance(value, list):
                out.extend(self.managed_value(v, x, scope, boundary) for v in value)
            else:
                out.append(self.managed_value(value, x, scope, boundary))
        return out

    def managed_value(
        self, value: Node, expr: Expr, scope: Scope, boundary: bool = False
    ) -> ManagedPolicyRef:
        v = to_value(value, scope.file)
        if isinstance(v, Unknown):
            found = self.aws_managed_data(expr, scope, boundary)
            if found is not None:
                return found
        doc = None
        if managed_policy_name(v) is None:  # a customer managed policy of the module?
            for t in self.targets(expr, scope, ("aws_iam_policy",)):
                docs = self.by_owner.get(t)
                if docs:
                    doc = docs[0]
                    break
        problems: list[Finding] = []
        ref = managed_ref(v, FORMAT, boundary=boundary, document=doc, diagnostics=problems)
        self.m.diags.extend((d, scope.file) for d in problems)
        return ref

    def aws_managed_data(self, expr: Expr, scope: Scope, boundary: bool) -> ManagedPolicyRef | None:
        """``data.aws_iam_policy.X.arn`` of a data source that names an AWS managed policy by
        ``arn``, or by a ``name`` iamlint's index knows (another name is a customer managed
        policy of the account): its reference, located at that ARN or name in the data block."""
        if isinstance(expr, Quoted) and len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
            expr = expr.parts[0].expr
        if not isinstance(expr, Ref) or expr.root != "data" or len(expr.steps) != 3:
            return None
        type_, name, attr = expr.steps
        if type_ != "aws_iam_policy" or not isinstance(name, str) or attr != "arn":
            return None
        found = self.m.find_data(type_, name)
        if found is None:
            return None
        block, path = found
        for key, bare in (("arn", False), ("name", True)):
            written = block.body.get(key)
            if written is None:
                continue
            v = to_value(self.m.eval(written, Scope(path)), path)
            if not isinstance(v, Str):
                return None
            problems: list[Finding] = []
            ref = managed_ref(v, FORMAT, boundary=boundary, bare_name=bare, diagnostics=problems)
            self.m.diags.extend((d, path) for d in problems)
            return ref if ref.document is not None or not bare else None
        return None

    # -- documents ---------------------------------------------------------------------------------
    def build(self) -> None:
        m = self.m
        attached, boundaries = self.policy_attachments()
        inline_of: dict[str, list[str]] = {}
        for type_, name, block, path in self.parsed(GRAPH_TYPES):
            if type_ in INLINE:
                attr, ptype = INLINE[type_]
                inline_of[f"{type_}.{name}"] = self.principal_addresses(
                    block.body.get(attr), Scope(path), ptype
                )

        self.duplicates()
        for type_, name, d, path in self.resources:
            parsed = m.block(d)  # parsed now, unless the graph reads it (see GRAPH_TYPES)
            if parsed is None:
                continue
            block = parsed
            address = f"{type_}.{name}"
            scope = Scope(path)
            m.anchor = path
            self.block = id(block)
            if type_ in PERMISSIONS:
                self.permission(type_, address, block, scope)
            specs = RESOURCE_POLICIES.get(type_, ())
            for attr, kind, expr in policy_attributes(block.body, specs):
                if type_ == "aws_organizations_policy":
                    org_type = block.body.get("type")
                    if org_type is not None:
                        t = m.eval(org_type, scope)
                        if isinstance(t, str) and not isinstance(t, UnknownNode):
                            if str(t) not in ORG_POLICY_KINDS:
                                continue  # a tag, backup or AI opt-out policy: not IAM
                            kind = ORG_POLICY_KINDS[str(t)]
                        else:
                            kind = DocKind.UNKNOWN  # add() reads SCP or RCP from the content
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
                for i, (_blk, body, sc) in enumerate(m.expand(block.body, "inline_policy", scope)):
                    inline = body.get("policy")
                    if inline is None:
                        continue
                    n = body.get("name")
                    pname = to_value(m.eval(n, sc), path) if n is not None else None
                    self.add(
                        inline,
                        sc,
                        address,
                        type_,
                        f"inline_policy[{i}].policy",
                        DocKind.IDENTITY,
                        [address],
                        pname,
                    )
            if type_ not in GRAPH_TYPES:  # its syntax tree goes (the graph reads only a part)
                d.block = _kept_part(block)
                self.by_block.pop(id(block), None)
        self.block = None
        for _type, name, d in m.defs(m.modules, ("module",)):
            path = d.path
            m.anchor = path
            for arg in module_arguments(m, name, d, Scope(path)):
                if arg.outcome is not None:
                    self.add_outcome(
                        arg.outcome, arg.scope, arg.owner, "module", arg.attr, arg.kind, [], None, arg.single
                    )
                elif arg.node is not None:
                    kind = arg.kind or guess_kind(arg.node)
                    origin = arg.origin(FORMAT)
                    self.finish(arg.node, origin.file, kind, origin, [], None, arg.single)
        m.anchor = None
        later = {id(d) for _t, _k, _first, d in m.duplicates}  # second definitions of an address
        for type_, name, d in m.defs(m.data, ("aws_iam_policy_document",)):
            parsed = m.block(d)
            if parsed is None:
                continue
            block, path = parsed, d.path
            again = id(d) in later
            if name not in self.data.data_used or again:
                m.anchor = path
                node = self.data.render(block, path) if again else self.data.data_document(name)
                if isinstance(node, dict):
                    owner = f"data.{type_}.{name}"
                    origin = Origin(path, FORMAT, owner, type_, "json")
                    self.finish(node, path, guess_kind(node), origin, [], None)
            # its documents are built: the block and its rendering go (a data source listed
            # by one later in the file is parsed and rendered again when that one needs it)
            self.data.forget(name)
            m.forget(d)
        m.anchor = None

    def duplicates(self) -> None:
        """IAM908 at each later definition of an address the module defines more than once
        (among those iamlint reads), naming the first; both are linted."""
        m = self.m
        for table, (type_, name), first, later in m.duplicates:
            if table is m.resources:
                if type_ not in RELEVANT:
                    continue
                address = f"{type_}.{name}"
            elif table is m.data:
                if type_ != "aws_iam_policy_document":
                    continue
                address = f"data.{type_}.{name}"
            else:
                address = f"module.{name}"
            if table is not m.modules and (m.block(first) is None or m.block(later) is None):
                continue
            here, there = m.header_span(later), m.header_span(first)
            m.anchor = later.path
            m.add_diag(
                diagnostic(
                    DUPLICATE_ADDRESS,
                    f"{address} is defined again (first at {there.file}:{there.line}): Terraform "
                    "rejects a module that defines an address twice; each definition is linted",
                    here,
                    value=f"duplicate {address}",  # the message names a line: not the fingerprint
                    related=((there, f"{address} is first defined here"),),
                )
            )
        m.anchor = None

    def permission(self, type_: str, address: str, block: Block, scope: Scope) -> None:
        """The resource-policy statement an ``aws_lambda_permission`` (or layer version
        permission) makes AWS write (see `permissions`)."""
        m = self.m

        def get(name: str) -> tuple[Node, Pos] | None:
            attr = block.body.attributes.get(name)
            return (m.eval(attr.expr, scope), attr.name_pos) if attr is not None else None

        node = permission_statement(type_, get, block.pos, scope.file)
        if node is not None:
            origin = Origin(scope.file, FORMAT, address, type_, "")
            self.finish(node, scope.file, DocKind.RESOURCE, origin, [], None)

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
        self.add_outcome(self.m.policy(expr, scope), scope, owner, owner_type, attr, kind, principals, name)

    def add_outcome(
        self,
        got: Outcome,
        scope: Scope,
        owner: str,
        owner_type: str,
        attr: str,
        kind: DocKind | None,
        principals: list[str],
        name: Value | None,
        single: bool = False,
    ) -> None:
        """The document a policy attribute holds (see `Module.policy`; each one a conditional
        may hold), or an IAM906 naming what is not known of it. ``kind`` None: the document's
        shape tells (`guess_kind`)."""
        for alt in got.alternatives():
            self.add_one(alt, scope, owner, owner_type, attr, kind, principals, name, single)

    def add_one(
        self,
        got: Outcome,
        scope: Scope,
        owner: str,
        owner_type: str,
        attr: str,
        kind: DocKind | None,
        principals: list[str],
        name: Value | None,
        single: bool,
    ) -> None:
        m = self.m
        node = got.node
        if got.data is not None:
            self.data.data_used.add(got.data)
            node = self.data.data_document(got.data)
            if node is not None and got.scope is not None and m.moves(node_file(node, scope.file), got.scope):
                node = relocate(node, got.ref.pos, got.scope.file)  # type: ignore[union-attr]
        elif got.unknown is not None:
            note(m, got.unknown, attr, "it is not checked")
        if not isinstance(node, dict):
            return
        statements(m, node, attr)
        if kind is DocKind.UNKNOWN and owner_type == "aws_organizations_policy":
            kind = org_policy_kind(node)
        file = node_file(node, scope.file)
        origin = Origin(file, FORMAT, owner, owner_type, attr)
        self.finish(node, file, kind or guess_kind(node), origin, principals, name, single)

    def finish(
        self,
        node: Node,
        file: str,
        kind: DocKind,
        origin: Origin,
        principals: list[str],
        name: Value | None,
        single: bool = False,
    ) -> None:
        builder = TfBuilder(file)
        doc = builder.document(
            settle(node, kind),
            kind,
            origin,
            principals=principals,
            name=name,
            managed=origin.owner_type == "aws_iam_policy",
            single_resource=single or origin.owner_type in SINGLE_RESOURCE_TYPES,
        )
        if doc is None:
            return
        self.docs.append(_Doc(doc, self.m.anchor or file))
        if origin.owner:
            self.by_owner.setdefault(origin.owner, []).append(doc)
        if self.block is not None:
            self.by_block.setdefault(self.block, []).append(doc)

    def policy_attachments(self) -> tuple[dict[str, list[str]], set[str]]:
        """policy address -> principals it is attached to; policies used as boundaries."""
        attached: dict[str, list[str]] = {}
        boundaries: set[str] = set()

        def note(policies: list[str], principal: str) -> None:
            for p in policies:
                lst = attached.setdefault(p, [])
                if principal not in lst:
                    lst.append(principal)

        for type_, name, block, path in self.parsed(GRAPH_TYPES):
            sc = Scope(path)
            body = block.body
            if type_ in ATTACH:
                attr, ptype, pattr = ATTACH[type_]
                pols = self.targets(body.get(pattr), sc, ("aws_iam_policy",))
                for t in self.principal_addresses(body.get(attr), sc, ptype):
                    note(pols, t)
            elif type_ == "aws_iam_policy_attachment":
                pols = self.targets(body.get("policy_arn"), sc, ("aws_iam_policy",))
                for attr, ptype in (
                    ("roles", "aws_iam_role"),
                    ("users", "aws_iam_user"),
                    ("groups", "aws_iam_group"),
                ):
                    for t in self.principal_addresses(body.get(attr), sc, ptype):
                        note(pols, t)
            elif type_ in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                note(
                    self.targets(body.get("managed_policy_arns"), sc, ("aws_iam_policy",)), f"{type_}.{name}"
                )
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
                    out.extend((a, None) for a in named) if named else out.append(
                        (str(v), span_of(v, scope.file))
                    )
        return out

    def attaches_nothing(self, block: Block, scope: Scope) -> bool:
        """Whether a resource block is known to create no instance (see `instances`)."""
        return self.instances(block, scope) is False

    def instances(self, block: Block, scope: Scope) -> str | Literal[False] | None:
        """What a resource block's ``count`` or ``for_each`` says, as far as values are
        evaluated (docs/extraction.md: a conditional on a variable keeps both branches):
        False when it is known to create no instance (``count`` 0, an empty ``for_each``);
        the meta-argument as written when its value is not known (``count = local.create ?
        1 : 0``: it may create nothing, or several); None when it has neither or creates."""
        for meta in ("count", "for_each"):
            expr = block.body.get(meta)
            if expr is None:
                continue
            value = self.m.eval(expr, scope)
            if isinstance(value, UnknownNode):
                text = " ".join(value.text.split())
                return f"{meta} = {text if len(text) <= 80 else text[:77] + '...'}"
            if meta == "count":
                raw = value.value if isinstance(value, PScalar) else value
                zero = (
                    isinstance(raw, (int, float, str))
                    and not isinstance(raw, bool)
                    and str(raw).strip() in ("0", "0.0")
                )
            else:
                zero = isinstance(value, (list, dict)) and not value
            return False if zero else None
        return None

    def principal_addresses(self, expr: Expr | None, scope: Scope, ptype: str) -> list[str]:
        return list(dict.fromkeys(a for a, _ in self.principal_refs(expr, scope, ptype)))

    def graph(self) -> None:
        """The principals of the module, and those it names from elsewhere, with everything
        attached to them."""
        nodes: dict[tuple[str, str], PrincipalNode] = {}
        #: the node of each principal block; a second definition of an address has its own
        node_of: dict[int, PrincipalNode] = {}
        again: dict[tuple[str, str], list[PrincipalNode]] = {}
        for type_, name, block, path in self.parsed():
            if type_ in PRINCIPAL_TYPES:
                address = f"{type_}.{name}"
                key = (PRINCIPAL_TYPES[type_], address)
                n = PrincipalNode(PRINCIPAL_TYPES[type_], address, Span(path, *block.pos))
                if key in nodes:
                    again.setdefault(key, []).append(n)
                else:
                    nodes[key] = n
                node_of[id(block)] = n
                docs = self.by_block.get(id(block), [])
                n.trust = next((d for d in docs if d.kind is DocKind.TRUST), None)
                if not self.attaches_nothing(block, Scope(path)):
                    n.inline = [d for d in docs if d.kind is not DocKind.TRUST]

        def named(expr: Expr | None, sc: Scope, ptype: str) -> list[PrincipalNode]:
            found = principal_nodes(nodes, PRINCIPAL_TYPES[ptype], self.principal_refs(expr, sc, ptype))
            return found + [x for n in found for x in again.get((n.kind, n.address), [])]

        for type_, name, block, path in self.parsed():
            sc = Scope(path)
            body = block.body
            address = f"{type_}.{name}"
            when = self.instances(block, sc)
            if when is False:
                continue  # count 0 or an empty for_each: it attaches nothing (its documents are linted)
            if type_ in INLINE:
                attr, ptype = INLINE[type_]
                for n in named(body.get(attr), sc, ptype):
                    n.attach_inline(self.by_block.get(id(block), []), Span(path, *block.pos), when)
            elif type_ in ATTACH:
                attr, ptype, pattr = ATTACH[type_]
                expr = body.get(pattr)
                refs = self.managed(expr, sc) if expr is not None else []
                if when is not None:
                    refs = [replace(r, when=when) if isinstance(r, ManagedPolicyRef) else r for r in refs]
                for n in named(body.get(attr), sc, ptype):
                    n.managed.extend(refs)
            elif type_ == "aws_iam_policy_attachment":
                expr = body.get("policy_arn")
                refs = self.managed(expr, sc) if expr is not None else []
                for attr, ptype in (
                    ("roles", "aws_iam_role"),
                    ("users", "aws_iam_user"),
                    ("groups", "aws_iam_group"),
                ):
                    for n in named(body.get(attr), sc, ptype):
                        n.managed.extend(refs)
            elif type_ in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                n = node_of[id(block)]
                mpa = body.get("managed_policy_arns")
                if mpa is not None:
                    n.managed.extend(self.managed(mpa, sc))
                pb = body.get("permissions_boundary")
                if pb is not None:
                    refs = self.managed(pb, sc, boundary=True)
                    n.boundary = refs[0] if refs else None
            elif type_ in ("aws_iam_group_membership", "aws_iam_user_group_membership"):
                single = type_ == "aws_iam_group_membership"
                groups = named(body.get("group" if single else "groups"), sc, "aws_iam_group")
                for u in named(body.get("users" if single else "user"), sc, "aws_iam_user"):
                    u.groups.extend(g.address for g in groups if g.address not in u.groups)
            elif type_ == "aws_iam_access_key":
                for u in named(body.get("user"), sc, "aws_iam_user"):
                    u.access_keys.append(Span(path, *block.pos))
        self.principals.extend(n.freeze() for n in nodes.values())
        self.principals.extend(n.freeze() for ns in again.values() for n in ns)


def extract_module(
    directory: str,
    given: list[str],
    texts: dict[str, str],
    roots: tuple[str, ...] | None = None,
    max_bytes: int | None = None,
) -> dict[str, Extraction]:
    """Extract the ``given`` ``.tf`` files of the module in ``directory`` (see the module doc)."""
    m = Module(directory, given, texts, roots, max_bytes)
    m.module_markers = MODULE_MARKERS
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
            out[path].reads = tuple(sorted(m.looked | set(m._texts)))
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
    reads = tuple(sorted(m.looked | set(m._texts)))  # what file() read or looked for: a cache checks them
    for ex in out.values():
        ex.documents.sort(key=lambda d: (d.span.file, d.span.line, d.span.column))
        ex.reads = reads
    return out
