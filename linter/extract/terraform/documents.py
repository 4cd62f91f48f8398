"""``data "aws_iam_policy_document"``: the JSON document Terraform renders from its blocks.

`DataDocuments` renders each data source once, as the AWS provider does: statements of
``source_policy_documents`` (and ``source_json``) first, then its own ``statement`` blocks
(``dynamic`` ones expanded), then ``override_policy_documents`` (``override_json``), a later
statement replacing an earlier one with the same ``sid``; ``&{...}`` becomes ``${...}``. Two of
the data source's own statements with one ``sid``, which Terraform refuses, are both kept (IAM502
reports the second).

A data source that lists another, that lists another..., counts towards the module's
bound on nesting (`module.MAX_DEPTH`): deeper, it is an IAM900 at the reference.
"""

from __future__ import annotations

import re

from ...model import DocKind
from ...parse.hcl_tree import Block, Body, Expr
from ...parse.nodes import PScalar, pos_of
from .module import MAX_DEPTH, Module, Scope
from .text import DynStatement, Node, TDict, TList, TStr, UnknownNode, node_file, relocate
from .types import STATEMENT_LISTS
from .unresolved import note, statements


class DataDocuments:
    """The rendered ``aws_iam_policy_document`` data sources of one module."""

    def __init__(self, m: Module):
        self.m = m
        self._data_docs: dict[str, Node | None] = {}
        self._data_building: set[str] = set()
        #: data sources that some policy attribute or document uses (the others are
        #: linted on their own)
        self.data_used: set[str] = set()

    def data_document(self, name: str) -> Node | None:
        """The document a ``data "aws_iam_policy_document"`` renders, merged as Terraform does."""
        if name in self._data_docs:
            return self._data_docs[name]
        found = self.m.find_data("aws_iam_policy_document", name)
        if found is None or name in self._data_building:
            return None
        self._data_building.add(name)
        self.m.depth += 1
        try:
            doc = self._build_data_document(found[0], Scope(found[1]))
        finally:
            self.m.depth -= 1
            self._data_building.discard(name)
        self._data_docs[name] = doc
        return doc

    def forget(self, name: str) -> None:
        """Let a rendered document go once its documents are built (rendered again if a
        data source that lists it needs it later)."""
        self._data_docs.pop(name, None)

    def render(self, block: Block, path: str) -> Node:
        """The document of one ``aws_iam_policy_document`` block (a second definition of an
        address: `data_document` renders the first)."""
        self.m.depth += 1
        try:
            return self._build_data_document(block, Scope(path))
        finally:
            self.m.depth -= 1

    def _build_data_document(self, block: Block, scope: Scope) -> Node:
        body = block.body
        doc = TDict(block.pos, scope.file)
        version = body.attributes.get("version")
        if version is not None:
            doc[TStr("Version", version.name_pos, scope.file)] = self.m.eval(version.expr, scope)
        else:
            doc[TStr("Version", block.type_pos, scope.file)] = TStr("2012-10-17", block.type_pos, scope.file)
        pid = body.attributes.get("policy_id")
        if pid is not None:
            doc[TStr("Id", pid.name_pos, scope.file)] = self.m.eval(pid.expr, scope)

        merged: list[Node] = []
        for attr in ("source_policy_documents", "source_json"):
            for st in self.listed_statements(body, attr, scope):
                merge_statement(merged, st)
        own: list[Node] = []
        key_pos = block.type_pos
        for blk, sbody, sc in self.m.expand(body, "statement", scope):
            st = self.statement(blk, sbody, sc)
            if sc.dynamic is not None and not literal_content(st):
                # for_each is not known and the content holds nothing literal: named, not linted
                note(self.m, sc.dynamic[1], 'dynamic "statement" block', "its statements are not checked")
                continue
            if not own:
                key_pos = blk.type_pos
            own.append(st)
        own_sids: set[str] = set()
        for st in own:
            sid = _literal_sid(st)
            if sid is not None and sid in own_sids:
                # Terraform refuses two of a document's own statements with one sid ("found
                # duplicate sid"): both are kept, for IAM502 to report the second
                merged.append(st)
                continue
            if sid is not None:
                own_sids.add(sid)
            merge_statement(merged, st)
        for attr in ("override_policy_documents", "override_json"):
            for st in self.listed_statements(body, attr, scope):
                merge_statement(merged, st)
        stmts = TList(block.pos, scope.file)
        stmts.extend(merged)
        doc[TStr("Statement", key_pos, scope.file)] = stmts
        return doc

    def listed_statements(self, body: Body, attr: str, scope: Scope) -> list[Node]:
        """Statements of the documents listed in source/override_policy_documents; an IAM906
        for a listed document (or a list) that is not known."""
        expr = body.get(attr)
        if expr is None:
            return []
        items: list[tuple[Expr, Scope]] = []
        if attr.endswith("_json"):
            items = [(expr, scope)]
        else:
            for x, sc, known in self.m.list_items(expr, scope):
                if known:
                    items.append((x, sc))
                else:
                    value = self.m.eval(x, sc)
                    if isinstance(value, UnknownNode):
                        note(self.m, value, attr, "the documents it lists are not checked")
        out: list[Node] = []
        found = [(alt, x, sc) for x, sc in items for alt in self.m.policy(x, sc).alternatives()]
        for got, x, sc in found:
            node = got.node
            if got.data is not None and self.m.depth >= MAX_DEPTH:
                self.m.too_deep(got.ref or x, got.scope or sc)
            elif got.data is not None:
                self.data_used.add(got.data)
                node = self.data_document(got.data)
                if node is not None and got.scope is not None:
                    dfile = node_file(node, scope.file)
                    if self.m.moves(dfile, got.scope):
                        node = relocate(node, got.ref.pos, got.scope.file)  # type: ignore[union-attr]
            elif got.unknown is not None:
                note(self.m, got.unknown, f"a document of {attr}", "its statements are not checked")
            if isinstance(node, dict):
                statements(self.m, node, f"a document of {attr}")
                st = node.get("Statement")
                if isinstance(st, list):
                    out.extend(x for x in st if not isinstance(x, UnknownNode))
                elif isinstance(st, dict):
                    out.append(st)
        return out

    def statement(self, blk: Block, body: Body, scope: Scope) -> TDict:
        """One ``statement`` block as JSON. An attribute set to ``null`` is absent, as in
        Terraform. In a block expanded with unknown iterator values, an element whose value
        comes from them may be null: `DynStatement.maybe` names it."""
        f = scope.file
        unknown_its = scope.unknown_iterators()
        st: TDict = DynStatement(blk.pos, f) if unknown_its else TDict(blk.pos, f)

        def maybe(key: str, expr_text: str, value: Node) -> None:
            if isinstance(st, DynStatement) and (
                isinstance(value, UnknownNode) or mentions(expr_text, unknown_its)
            ):
                st.maybe.add(key)

        for attr_name, key in STATEMENT_LISTS:
            attr = body.attributes.get(attr_name)
            value = self.m.eval(attr.expr, scope) if attr is not None else None
            if attr is not None and not is_null(value):
                st[TStr(key, attr.name_pos, f)] = value
                if key != "Effect":
                    maybe(key, attr.expr.text, value)
            elif key == "Effect":
                st[TStr("Effect", blk.pos, f)] = TStr("Allow", blk.pos, f)
        for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = self.m.expand(body, block_type, scope)
            if blocks:
                value = self.principals(blocks)
                st[TStr(key, blocks[0][0].type_pos, f)] = value
                if any(sc.dynamic is not scope.dynamic for _b, _body, sc in blocks):
                    maybe(key, "", UnknownNode("", blk.pos, f))
        conds = self.m.expand(body, "condition", scope)
        if conds:
            st[TStr("Condition", conds[0][0].type_pos, f)] = self.conditions(conds)
        return policy_variables(st)

    def principals(self, blocks: list[tuple[Block, Body, Scope]]) -> Node:
        """The ``principals`` blocks as a Principal map; unknown as a whole when the type of
        one of them is not known (a map key iamlint cannot name)."""
        first = blocks[0][0]
        out = TDict(first.pos, blocks[0][2].file)
        for blk, body, sc in blocks:
            t_expr, ids_expr = body.get("type"), body.get("identifiers")
            if t_expr is None:
                continue
            t = self.m.eval(t_expr, sc)
            if not isinstance(t, str) or isinstance(t, UnknownNode):
                return UnknownNode(t_expr.text, blk.type_pos, sc.file, getattr(t, "note", ""))
            key = TStr(str(t), t_expr.pos, sc.file)
            ids = self.m.eval(ids_expr, sc) if ids_expr is not None else TList(blk.pos, sc.file)
            if key in out:
                merged = out[key]
                merged.extend(ids if isinstance(ids, list) else [ids])
            else:
                lst = TList(pos_of(ids) or blk.pos, sc.file)
                lst.extend(ids if isinstance(ids, list) else [ids])
                out[key] = lst
        return out

    def conditions(self, blocks: list[tuple[Block, Body, Scope]]) -> TDict:
        """The ``condition`` blocks as a Condition map. A block whose test or variable is not
        known is an operator with an unknown value: the statement's condition is then
        unresolved (see `TfBuilder.conditions`)."""
        first = blocks[0][0]
        out = TDict(first.pos, blocks[0][2].file)
        for blk, body, sc in blocks:
            t_expr, v_expr, vals_expr = body.get("test"), body.get("variable"), body.get("values")
            if t_expr is None or v_expr is None:
                continue
            t, v = self.m.eval(t_expr, sc), self.m.eval(v_expr, sc)
            if not all(isinstance(x, str) and not isinstance(x, UnknownNode) for x in (t, v)):
                unknown = t if isinstance(t, UnknownNode) else v
                out[TStr(t_expr.text, t_expr.pos, sc.file)] = UnknownNode(
                    f"{t_expr.text} {v_expr.text}", blk.type_pos, sc.file, getattr(unknown, "note", "")
                )
                continue
            test = TStr(str(t), t_expr.pos, sc.file)
            var = TStr(str(v), v_expr.pos, sc.file)
            vals = self.m.eval(vals_expr, sc) if vals_expr is not None else TList(blk.pos, sc.file)
            block = out.get(test)
            if not isinstance(block, dict):
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


def is_null(value: Node) -> bool:
    return isinstance(value, PScalar) and value.value is None


def mentions(text: str, names: list[str]) -> bool:
    """Whether an expression's text refers to one of these iterators."""
    return any(re.search(rf"\b{re.escape(n)}\s*\.\s*(value|key)\b", text) for n in names)


_CONTENT = ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal")


def literal_content(st: Node) -> bool:
    """Whether a statement holds a literal value in an element that rules read (its actions,
    resources or principals), rather than unknown values only."""
    if not isinstance(st, dict):
        return False
    todo = [v for k, v in st.items() if str(k) in _CONTENT]
    while todo:
        n = todo.pop()
        if isinstance(n, UnknownNode):
            continue
        if isinstance(n, str) or isinstance(n, PScalar):
            return True
        todo.extend(n.values() if isinstance(n, dict) else n if isinstance(n, list) else ())
    return False


#: kinds whose statements have no Principal (an identity policy and the like): everything
#: but trust, resource and endpoint policies (and documents of unknown kind)
_WITH_PRINCIPAL = (DocKind.TRUST, DocKind.RESOURCE, DocKind.ENDPOINT, DocKind.UNKNOWN)
_PAIRS = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))


def settle(doc: Node, kind: DocKind) -> Node:
    """The document with each element that may be null (`DynStatement.maybe`) taken as absent
    where its presence would break the grammar of a policy of this kind (an identity policy
    has no Principal, a trust policy no Resource, a statement not both Action and NotAction),
    and as present elsewhere. The document is copied where it changes (it may be shared)."""
    if not isinstance(doc, dict):
        return doc
    sts = doc.get("Statement")
    if not isinstance(sts, list) or not any(isinstance(x, DynStatement) and x.maybe for x in sts):
        return doc
    new_list = TList(pos_of(sts) or (1, 1, 1, 1), node_file(sts, ""))
    for st in sts:
        if isinstance(st, DynStatement) and st.maybe:
            keys = {str(k) for k in st}
            drop = set()
            for a, b in _PAIRS:
                if a in keys and b in keys:
                    drop.add(b if b in st.maybe else a if a in st.maybe else "")
            if kind not in _WITH_PRINCIPAL:
                drop |= st.maybe & {"Principal", "NotPrincipal"}
            if kind is DocKind.TRUST:
                drop |= st.maybe & {"Resource", "NotResource"}
            if drop - {""}:
                copy = TDict(st.pos, st.file)
                for k, v in st.items():
                    if str(k) not in drop:
                        copy[k] = v
                st = copy
        new_list.append(st)
    new_doc = TDict(pos_of(doc) or (1, 1, 1, 1), node_file(doc, ""))
    for k, v in doc.items():
        new_doc[k] = new_list if str(k) == "Statement" else v
    return new_doc


def policy_variables(node: Node) -> Node:
    """``&{aws:username}`` becomes ``${aws:username}``, as ``aws_iam_policy_document`` renders
    it (``&{`` is how its users write IAM policy variables without a Terraform interpolation).
    Containers are changed in place, with a stack rather than recursion."""

    def fix(v: Node) -> Node:
        if isinstance(v, TStr) and "&{" in v:
            return TStr(str(v).replace("&{", "${"), v.pos, v.file)
        return v

    node = fix(node)
    todo = [node] if isinstance(node, (dict, list)) else []
    while todo:
        n = todo.pop()
        for k in list(n) if isinstance(n, dict) else range(len(n)):
            v = n[k] = fix(n[k])
            if isinstance(v, (dict, list)):
                todo.append(v)
    return node


def _literal_sid(st: Node) -> str | None:
    sid = st.get("Sid") if isinstance(st, dict) else None
    if isinstance(sid, str) and not isinstance(sid, UnknownNode) and str(sid):
        return str(sid)
    return None


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
