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

from ...parse.hcl_tree import Block, Body, Expr, Ref, TupleX
from ...parse.nodes import pos_of
from .module import MAX_DEPTH, Module, Scope
from .text import Node, TDict, TList, TStr, UnknownNode, node_file, relocate
from .types import STATEMENT_LISTS


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
            if not own:
                key_pos = blk.type_pos
            own.append(self.statement(blk, sbody, sc))
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
                target = self.m.definition(expr, scope)
            if target is None or not isinstance(target[0], TupleX):
                return []
            items = [(x, target[1]) for x in target[0].items]
        out: list[Node] = []
        for x, sc in items:
            got = self.m.policy(x, sc)
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
            if isinstance(node, dict):
                st = node.get("Statement")
                if isinstance(st, list):
                    out.extend(st)
                elif isinstance(st, dict):
                    out.append(st)
        return out

    def statement(self, blk: Block, body: Body, scope: Scope) -> TDict:
        st = TDict(blk.pos, scope.file)
        f = scope.file
        for attr_name, key in STATEMENT_LISTS:
            attr = body.attributes.get(attr_name)
            if attr is not None:
                st[TStr(key, attr.name_pos, f)] = self.m.eval(attr.expr, scope)
            elif key == "Effect":
                st[TStr("Effect", blk.pos, f)] = TStr("Allow", blk.pos, f)
        for block_type, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = self.m.expand(body, block_type, scope)
            if blocks:
                st[TStr(key, blocks[0][0].type_pos, f)] = self.principals(blocks)
        conds = self.m.expand(body, "condition", scope)
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
            t = self.m.eval(t_expr, sc)
            kind = str(t) if isinstance(t, str) and not isinstance(t, UnknownNode) else t_expr.text
            key = TStr(kind, t_expr.pos, sc.file)
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
        first = blocks[0][0]
        out = TDict(first.pos, blocks[0][2].file)
        for blk, body, sc in blocks:
            t_expr, v_expr, vals_expr = body.get("test"), body.get("variable"), body.get("values")
            if t_expr is None or v_expr is None:
                continue
            t, v = self.m.eval(t_expr, sc), self.m.eval(v_expr, sc)
            test = TStr(str(t) if isinstance(t, str) else t_expr.text, t_expr.pos, sc.file)
            var = TStr(str(v) if isinstance(v, str) else v_expr.text, v_expr.pos, sc.file)
            vals = self.m.eval(vals_expr, sc) if vals_expr is not None else TList(blk.pos, sc.file)
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
