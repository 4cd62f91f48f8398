"""Policies passed to ``module`` blocks as arguments.

A module call hands policies to the module that creates the role, bucket or key with them:
``policy_json = data.aws_iam_policy_document.x.json``, ``policy_statements = {...}``. Each
argument whose value is a policy is linted where it is written, owned by ``module.NAME``:

- a policy document: ``jsonencode`` of an object with ``Statement``, a JSON string or
  heredoc with ``Statement``, ``data.aws_iam_policy_document.X.json``, ``file()`` of one
  (for an argument whose name says it is a policy); a list of them;
- a map or list of statement objects, as the terraform-aws-modules take them
  (``policy_statements``, ``trust_policy_permissions``, ``key_statements``): ``effect``,
  ``actions``/``not_actions``, ``resources``/``not_resources``, ``principals``/
  ``not_principals`` (lists of ``{type, identifiers}``), ``condition``/``conditions``
  (lists or maps of ``{test, variable, values}``), ``sid``: one statement each, rendered as
  the modules' ``aws_iam_policy_document`` renders it.

`WELL_KNOWN` names the arguments of the popular terraform-aws-modules and what they hold
(the Terraform section of docs/extraction.md has the table): those are linted with the kind
the module gives them (a bucket policy is a resource policy, ``assume_role_policy_statements``
a trust policy), and one whose value is not known is an IAM906. Any other argument is linted when its
value has the shape of a policy, its kind from its name (``assume``/``trust``: trust; a
bucket, queue, topic, key, repository... policy: resource) or else from the document's shape.
The module is recognised by its ``source``: the registry (``terraform-aws-modules/iam/aws//
modules/iam-role``), git URLs of ``terraform-aws-modules/terraform-aws-NAME``, or a local
path into a copy of one (``../../`` in its examples).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ...diagnostics import PARSE_ERROR
from ...model import DocKind, Origin, Span
from ...parse.hcl_tree import Call, Expr, Heredoc, Interp, ObjectX, Quoted, Ref, TupleX
from ...parse.nodes import PScalar, pos_of
from .module import MAX_DEPTH, Def, Module, Outcome, Scope, describe
from .text import Node, PartialDict, TDict, TList, TStr, UnknownNode, node_file
from .types import SESSION
from .unresolved import note

K = DocKind
DOC, DOCS, STATEMENTS = "document", "documents", "statements"

#: module package -> {argument: (form, kind)}; the package is the NAME of
#: terraform-aws-modules/terraform-aws-NAME (its submodules take the same arguments)
WELL_KNOWN: dict[str, dict[str, tuple[str, DocKind]]] = {
    "iam": {
        "policy": (DOC, K.IDENTITY),  # iam-policy
        "trust_policy_permissions": (STATEMENTS, K.TRUST),  # iam-role
        "inline_policy_permissions": (STATEMENTS, K.IDENTITY),
        "source_inline_policy_documents": (DOCS, K.IDENTITY),
        "override_inline_policy_documents": (DOCS, K.IDENTITY),
        "permissions": (STATEMENTS, K.IDENTITY),  # iam-group, iam-role-for-service-accounts
        "source_policy_documents": (DOCS, K.IDENTITY),
        "override_policy_documents": (DOCS, K.IDENTITY),
        "custom_role_trust_policy": (DOC, K.TRUST),  # v5 iam-assumable-role
        "inline_policy_statements": (STATEMENTS, K.IDENTITY),  # v5 iam-assumable-role(-with-oidc)
    },
    "lambda": {
        "policy_json": (DOC, K.IDENTITY),
        "policy_jsons": (DOCS, K.IDENTITY),
        "policy_statements": (STATEMENTS, K.IDENTITY),
        "assume_role_policy_statements": (STATEMENTS, K.TRUST),
    },
    "step-functions": {
        "policy_json": (DOC, K.IDENTITY),
        "policy_jsons": (DOCS, K.IDENTITY),
        "policy_statements": (STATEMENTS, K.IDENTITY),
    },
    "s3-bucket": {
        "policy": (DOC, K.RESOURCE),  # the bucket policy (and a vector bucket's)
        "table_bucket_policy": (DOC, K.RESOURCE),
        "table_bucket_source_policy_documents": (DOCS, K.RESOURCE),
        "table_bucket_override_policy_documents": (DOCS, K.RESOURCE),
        "table_bucket_policy_statements": (STATEMENTS, K.RESOURCE),
    },
    "kms": {
        "policy": (DOC, K.RESOURCE),
        "key_statements": (STATEMENTS, K.RESOURCE),
        "source_policy_documents": (DOCS, K.RESOURCE),
        "override_policy_documents": (DOCS, K.RESOURCE),
    },
    "sqs": {
        "queue_policy_statements": (STATEMENTS, K.RESOURCE),
        "source_queue_policy_documents": (DOCS, K.RESOURCE),
        "override_queue_policy_documents": (DOCS, K.RESOURCE),
        "dlq_queue_policy_statements": (STATEMENTS, K.RESOURCE),
        "source_dlq_queue_policy_documents": (DOCS, K.RESOURCE),
        "override_dlq_queue_policy_documents": (DOCS, K.RESOURCE),
    },
    "sns": {
        "topic_policy": (DOC, K.RESOURCE),
        "topic_policy_statements": (STATEMENTS, K.RESOURCE),
        "source_topic_policy_documents": (DOCS, K.RESOURCE),
        "override_topic_policy_documents": (DOCS, K.RESOURCE),
    },
    "ecr": {
        "repository_policy": (DOC, K.RESOURCE),
        "repository_policy_statements": (STATEMENTS, K.RESOURCE),
        "registry_policy": (DOC, K.RESOURCE),
    },
    "eks": {
        "iam_role_policy_statements": (STATEMENTS, K.IDENTITY),  # node groups, Fargate profiles
        "iam_policy_statements": (STATEMENTS, K.IDENTITY),  # Karpenter, capabilities
        "iam_role_source_assume_policy_documents": (DOCS, K.TRUST),
        "iam_role_override_assume_policy_documents": (DOCS, K.TRUST),
        "queue_policy_statements": (STATEMENTS, K.RESOURCE),  # Karpenter's interruption queue
        "kms_key_source_policy_documents": (DOCS, K.RESOURCE),
        "kms_key_override_policy_documents": (DOCS, K.RESOURCE),
        "policy_statements": (STATEMENTS, K.IDENTITY),  # hybrid-node-role
        "intermediate_policy_statements": (STATEMENTS, K.IDENTITY),
        "ira_profile_session_policy": (DOC, SESSION),
    },
}

#: arguments whose policies apply to one resource (a key, a repository): see
#: `PolicyDocument.single_resource`
SINGLE_RESOURCE = {
    ("kms", "policy"),
    ("kms", "key_statements"),
    ("kms", "source_policy_documents"),
    ("kms", "override_policy_documents"),
    ("ecr", "repository_policy"),
    ("ecr", "repository_policy_statements"),
    ("eks", "kms_key_source_policy_documents"),
    ("eks", "kms_key_override_policy_documents"),
}

#: statement objects without ``resources`` that the module gives a Resource of its own
DEFAULT_RESOURCE = {
    ("s3-bucket", "table_bucket_policy_statements"): "the tables of the table bucket",
}

#: meta-arguments of every module block
META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})

_TRUST = re.compile(r"assume|trust")
#: an argument whose name says it holds policies: its references are followed
_POLICY_NAME = re.compile(r"polic|statement|permission")
_RESOURCE = re.compile(
    r"(bucket|queue|topic|key|kms|repository|registry|secret|vault|table|domain|resource)_?(polic|statement)"
)
_STATEMENT_KEYS = {"actions", "not_actions"}
_OTHER_KEYS = {"effect", "resources", "not_resources", "principals", "not_principals", "condition", "sid"}


def _markers() -> re.Pattern[str]:
    """What a ``module`` block's text holds when an argument may be a policy: a name of
    `WELL_KNOWN`, a policy-ish name set to a reference, or the text of a policy."""
    names = sorted({n for args in WELL_KNOWN.values() for n in args}, key=len, reverse=True)
    generic = (
        r"(?!attach_|create_|enable_|block_|use_|number_of_)"
        r"\w*(?:policy(?:_jsons?|_documents?)?|statements|permissions)"
    )
    return re.compile(
        r"^[ \t]*(?:" + "|".join(names) + r")[ \t]*="  # any value: a wrong one is reported
        r"|^[ \t]*" + generic + r"[ \t]*=[ \t]*(?![ \t]|true\b|false\b|null\b|[\d\"])"
        r"|Statement|aws_iam_policy_document|\bactions\b",
        re.M,
    )


#: the text of a ``module`` block worth reading (`Module.defs` reads it)
MODULE_MARKERS = _markers()
#: an argument read for its name (its value may be a reference to a policy)
_CANDIDATE = re.compile(r"^(?!attach_|create_|enable_|block_|use_|number_of_).*(polic|statement|permission)")
#: an argument read for its text: a policy written in it
_POLICY_TEXT = re.compile(r"Statement|aws_iam_policy_document|\bactions\b")


def package(source: str, directory: str) -> str | None:
    """The terraform-aws-modules package a ``source`` calls (``lambda``, ``iam``...), or None."""
    s = source.strip()
    m = re.match(r"^(?:registry\.terraform\.io/)?terraform-aws-modules/([\w-]+)/aws(?:$|//|\?)", s)
    if m:
        return m.group(1)
    m = re.search(r"terraform-aws-modules/terraform-aws-([a-z0-9-]+?)(?:\.git)?(?:$|//|\?|/)", s)
    if m:
        return m.group(1)
    if s.startswith(("./", "../")):
        path = os.path.normpath(os.path.join(directory or ".", s))
        for part in reversed(os.path.abspath(path).split(os.sep)):
            m = re.search(r"terraform-aws-([a-z0-9-]+)$", part)
            if m:
                return m.group(1)
    return None


def _generic() -> dict[str, tuple[str, DocKind | None]]:
    """The arguments of every well-known module, for the kind of a policy passed to a module
    iamlint does not recognise (a copy, a fork): a name two modules give different kinds
    (``policy``) takes its kind from the document."""
    out: dict[str, tuple[str, DocKind | None]] = {}
    for args in WELL_KNOWN.values():
        for name, (form, kind) in args.items():
            if name in out and out[name][1] is not kind:
                out[name] = (form, None)
            else:
                out.setdefault(name, (form, kind))
    return out


GENERIC = _generic()


def kind_by_name(name: str) -> DocKind | None:
    if _TRUST.search(name):
        return K.TRUST
    if _RESOURCE.search(name):
        return K.RESOURCE
    return None


class Argument:
    """One policy a module argument holds: a value for `Module.policy` (``outcome``) or a
    document rendered from statement objects (``node``)."""

    __slots__ = ("owner", "attr", "kind", "outcome", "node", "scope", "single")

    def __init__(
        self,
        owner: str,
        attr: str,
        kind: DocKind | None,
        scope: Scope,
        outcome: Outcome | None = None,
        node: Node | None = None,
        single: bool = False,
    ):
        self.owner = owner
        self.attr = attr
        self.kind = kind
        self.scope = scope
        self.outcome = outcome
        self.node = node
        self.single = single

    def origin(self, fmt: str) -> Origin:
        file = node_file(self.node, self.scope.file)
        return Origin(file, fmt, self.owner, "module", self.attr)


class _Calls:
    def __init__(self, m: Module, name: str, d: Def, scope: Scope):
        self.m = m
        self.owner = f"module.{name}"
        self.d = d
        self.scope = scope
        src = m.attribute(d, "source")
        source = m.eval(src.expr, scope) if src is not None else None
        pkg = package(str(source), m.directory) if isinstance(source, str) else None
        self.pkg = pkg
        self.known = WELL_KNOWN.get(pkg or "", {})

    def arguments(self) -> list[Argument]:
        out: list[Argument] = []
        m = self.m
        for name in m.attribute_names(self.d):
            if name in META or (
                not _CANDIDATE.search(name) and name not in self.known and not self.looks(name)
            ):
                continue
            attr = m.attribute(self.d, name)
            if attr is None:
                continue
            spec = self.known.get(name)
            if spec is not None:
                single = (self.pkg, name) in SINGLE_RESOURCE
                out.extend(self.known_argument(name, attr.expr, spec[0], spec[1], single))
                continue
            form = self.shape(attr.expr, self.scope, _POLICY_NAME.search(name) is not None)
            if form is None:
                continue
            generic = GENERIC.get(name) if not self.known else None
            kind = generic[1] if generic is not None else kind_by_name(name)
            out.extend(self.known_argument(name, attr.expr, form, kind, False, quiet=True))
        return out

    def looks(self, name: str) -> bool:
        """Whether an argument's text may hold a policy (before it is parsed)."""
        spans = self.m.attribute_spans(self.d)
        if spans is None or name not in spans:
            return True  # read from the parsed block anyway
        text = self.m.files[self.d.path].text or ""
        _start, a, b = spans[name]
        return _POLICY_TEXT.search(text, a, b) is not None

    # -- what an argument holds ------------------------------------------------------------------
    def known_argument(
        self, name: str, expr: Expr, form: str, kind: DocKind | None, single: bool, quiet: bool = False
    ) -> list[Argument]:
        """The policies of an argument that holds ``form``; what is not known of it is an
        IAM906, unless ``quiet`` (an argument taken for a policy by its shape alone)."""
        m, sc = self.m, self.scope
        if form == DOC:
            got = m.policy(expr, sc)
            if quiet:
                got.unknown = None
            return [Argument(self.owner, name, kind, sc, outcome=got, single=single)]
        if form == DOCS:
            out = []
            for i, (x, xsc, known) in enumerate(m.list_items(expr, sc)):
                if known and quiet and self.shape(x, xsc, True) != DOC:
                    continue  # taken for a list of policies by its shape: only its policies
                if known:
                    got = m.policy(x, xsc)
                    if quiet:
                        got.unknown = None
                    out.append(Argument(self.owner, f"{name}[{i}]", kind, xsc, outcome=got, single=single))
                    continue
                value = m.eval(x, xsc)
                if isinstance(value, UnknownNode):
                    if not quiet:
                        note(m, value, f"{self.owner} {name}", "the documents it lists are not checked")
                elif not (isinstance(value, PScalar) and value.value is None):
                    self.wrong(x, xsc, name, f"a list of policy documents, not {describe(value)}")
            return out
        value = m.eval(expr, sc)
        node = self.statements(name, value, expr, quiet, DEFAULT_RESOURCE.get((self.pkg or "", name)))
        if node is None:
            return []
        return [Argument(self.owner, name, kind, sc, node=node, single=single)]

    def wrong(self, expr: Expr, scope: Scope, name: str, what: str) -> None:
        self.m.diag(
            PARSE_ERROR,
            f"{self.owner} {name} must be {what}: its policy cannot be checked",
            Span(scope.file, *expr.pos),
        )

    def statements(
        self, name: str, value: Node, expr: Expr, quiet: bool, resource: str | None = None
    ) -> TDict | None:
        """The document of a map or list of statement objects (None when there is none);
        ``resource``: what the module puts in a statement without ``resources``."""
        m, sc = self.m, self.scope
        what = f"{self.owner} {name}"
        if isinstance(value, UnknownNode):
            if not quiet:
                note(m, value, what, "its statements are not checked")
            return None
        if isinstance(value, PScalar) and value.value is None:
            return None
        if not isinstance(value, (dict, list)):
            self.wrong(expr, sc, name, f"a map or a list of statements, not {describe(value)}")
            return None
        if isinstance(value, PartialDict) and not quiet:
            for u in value.unresolved:
                note(m, u, f"{what}: some statements", "the other statements are checked")
        items = list(value.values()) if isinstance(value, dict) else list(value)
        file = node_file(value, sc.file)
        pos = pos_of(value) or expr.pos
        sts = TList(pos, file)
        for item in items:
            if isinstance(item, UnknownNode):
                if not quiet:
                    note(m, item, f"{what}: a statement", "the other statements are checked")
                continue
            if not isinstance(item, dict):
                where = pos_of(item) or pos
                m.diag(
                    PARSE_ERROR,
                    f"{what}: a statement must be an object (effect, actions, resources, ...), "
                    f"not {describe(item)}",
                    Span(node_file(item, file), *where),
                )
                continue
            st = statement(item, file)
            if resource is not None and "Resource" not in st and "NotResource" not in st:
                st[TStr("Resource", st.pos, st.file)] = UnknownNode(resource, st.pos, st.file)
            sts.append(st)
        if not sts:
            return None
        doc = TDict(pos, file)
        doc[TStr("Version", pos, file)] = TStr("2012-10-17", pos, file)
        doc[TStr("Statement", pos, file)] = sts
        return doc

    def shape(self, expr: Expr, scope: Scope, policy_name: bool, depth: int = 0) -> str | None:
        """What an argument holds by its shape alone: DOC, DOCS, STATEMENTS or None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, Ref):
            plain = [n for n in expr.attrs() if n is not None]
            if expr.root == "data" and len(plain) == 4 and plain[1] == "aws_iam_policy_document":
                return DOC if plain[3] in ("json", "minified_json") else None
            if not policy_name:  # ``subnet_ids = var.subnet_ids``: not worth reading the variable
                return None
            found = self.m.definition(expr, scope)
            return self.shape(found[0], found[1], policy_name, depth + 1) if found is not None else None
        if isinstance(expr, Call):
            if expr.name == "jsonencode" and len(expr.args) == 1:
                value = self.m.eval(expr.args[0], scope)
                return DOC if isinstance(value, dict) and "Statement" in value else None
            if expr.name in ("file", "templatefile"):
                return DOC if policy_name else None
            if expr.name in ("concat", "tolist", "toset", "flatten", "merge"):
                forms = {self.shape(a, scope, policy_name, depth + 1) for a in expr.args}
                if DOC in forms or DOCS in forms:
                    return DOCS
                return STATEMENTS if STATEMENTS in forms else None
            return None
        if isinstance(expr, Quoted) and len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
            return self.shape(expr.parts[0].expr, scope, policy_name, depth + 1)
        if isinstance(expr, (Quoted, Heredoc)):
            return DOC if "Statement" in expr.text and "{" in expr.text else None
        if isinstance(expr, TupleX):
            forms = {self.shape(x, scope, policy_name, depth + 1) for x in expr.items}
            if DOC in forms:
                return DOCS
            if expr.items and all(_statement_object(x) for x in expr.items):
                return STATEMENTS
            return None
        if isinstance(expr, ObjectX):
            if expr.items and all(_statement_object(it.value) for it in expr.items):
                return STATEMENTS
        return None


def _statement_object(expr: Expr) -> bool:
    """An object with ``actions`` (or ``not_actions``) and another statement attribute."""
    if not isinstance(expr, ObjectX):
        return False
    keys = {it.key for it in expr.items if isinstance(it.key, str)}
    return bool(keys & _STATEMENT_KEYS) and bool(keys & _OTHER_KEYS)


def _get(obj: dict, name: str) -> tuple[Any, Node] | None:
    """(key node, value) of an attribute of an evaluated object."""
    for k, v in obj.items():
        if str(k) == name:
            return k, v
    return None


def _null(v: Node) -> bool:
    return isinstance(v, PScalar) and v.value is None


def statement(obj: dict, file: str) -> TDict:
    """One statement object of a module argument as JSON, as the module renders it."""
    pos = pos_of(obj) or (1, 1, 1, 1)
    f = node_file(obj, file)
    st = TDict(pos, f)
    for attr, key in (
        ("sid", "Sid"),
        ("effect", "Effect"),
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        got = _get(obj, attr)
        if got is not None and not _null(got[1]):
            st[TStr(key, pos_of(got[0]) or pos, f)] = got[1]
        elif key == "Effect":
            st[TStr("Effect", pos, f)] = TStr("Allow", pos, f)
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        got = _get(obj, attr)
        if got is not None and not _null(got[1]):
            st[TStr(key, pos_of(got[0]) or pos, f)] = _principals(got[1], f)
    got = _get(obj, "condition") or _get(obj, "conditions")
    if got is not None and not _null(got[1]):
        st[TStr("Condition", pos_of(got[0]) or pos, f)] = _conditions(got[1], f)
    return st


def _entries(value: Node) -> list[Node]:
    if isinstance(value, dict) and not any(str(k) in ("type", "test") for k in value):
        return list(value.values())  # a map of blocks
    return list(value) if isinstance(value, list) else [value]


def _principals(value: Node, file: str) -> Node:
    """``[{type, identifiers}, ...]`` as a Principal map; unknown as a whole when an entry or
    its type is not known (a map key iamlint cannot name)."""
    if isinstance(value, UnknownNode):
        return value
    out = TDict(pos_of(value) or (1, 1, 1, 1), file)
    for entry in _entries(value):
        if isinstance(entry, UnknownNode):
            return entry
        t = _get(entry, "type") if isinstance(entry, dict) else None
        if t is None:
            continue
        if isinstance(t[1], UnknownNode) or not isinstance(t[1], str):
            return t[1] if isinstance(t[1], UnknownNode) else UnknownNode(str(t[1]), out.pos, file)
        ids = _get(entry, "identifiers")
        key = TStr(str(t[1]), pos_of(t[1]) or out.pos, file)
        values = ids[1] if ids is not None else TList(out.pos, file)
        lst = out.get(key)
        if lst is None:
            lst = out[key] = TList(pos_of(values) or out.pos, file)
        lst.extend(values if isinstance(values, list) else [values])
    return out


def _conditions(value: Node, file: str) -> Node:
    """``[{test, variable, values}, ...]`` (or a map of them) as a Condition map; an entry
    that is not known is an operator with an unknown value (the condition is unresolved)."""
    if isinstance(value, UnknownNode):
        return value
    out = TDict(pos_of(value) or (1, 1, 1, 1), file)
    for entry in _entries(value):
        t = _get(entry, "test") if isinstance(entry, dict) else None
        v = _get(entry, "variable") if isinstance(entry, dict) else None
        if (
            t is None
            or v is None
            or not all(isinstance(x[1], str) and not isinstance(x[1], UnknownNode) for x in (t, v))
        ):
            if isinstance(entry, UnknownNode) or t is not None:
                where = pos_of(entry) or out.pos
                out[TStr(f"condition {len(out)}", where, file)] = UnknownNode(
                    getattr(entry, "text", "condition"), where, file
                )
            continue
        test = TStr(str(t[1]), pos_of(t[1]) or out.pos, file)
        var = TStr(str(v[1]), pos_of(v[1]) or out.pos, file)
        block = out.get(test)
        if not isinstance(block, dict):
            block = out[test] = TDict(pos_of(entry) or out.pos, file)
        vals = _get(entry, "values")
        values = vals[1] if vals is not None else TList(out.pos, file)
        lst = block.get(var)
        if lst is None:
            lst = block[var] = TList(pos_of(values) or out.pos, file)
        lst.extend(values if isinstance(values, list) else [values])
    return out


def module_arguments(m: Module, name: str, d: Def, scope: Scope) -> list[Argument]:
    """The policies the arguments of ``module "name"`` (its definition ``d``) hold (see the
    module doc)."""
    return _Calls(m, name, d, scope).arguments()
