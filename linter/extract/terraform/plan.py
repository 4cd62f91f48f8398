"""Terraform plan JSON: the output of ``terraform show -json PLAN``.

In a plan every value Terraform could compute is resolved, so this is how users get exact
answers for policies built from variables, modules and data sources. Resources come from
``planned_values`` (root and child modules) and, for addresses not found there, from
``resource_changes[].change.after``: each policy is reported once per resource address.

A policy is a JSON string inside the plan's JSON. Its positions are mapped through the
string's escapes, so a finding points at the exact character of the plan file (on the
line of the attribute). The attachment graph links principals, inline policies and
managed policies by their planned names and ARNs, and by the references recorded in the
plan's ``configuration`` when a value is only known after apply.

A plan of the wrong shape (``"resources": 5``, a resource whose ``address`` is a number, a
``change`` that is a list) is an IAM900 at the element, whose message names its path and
what was expected (``planned_values.root_module.resources must be a list, not a number``);
the element is left out and the rest of the plan is still linted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...diagnostics import PARSE_ERROR, diagnostic
from ...model import DocKind, Finding, ManagedPolicyRef, Origin, PolicyDocument, Span, Str, Unknown, Value
from ...parse.nodes import PScalar, PStr
from ...positions import LineIndex
from ..extraction import Extraction
from ..graph import PrincipalNode, managed_ref, principal_nodes
from .permissions import statement as permission_statement
from .text import json_string_text, parse_mapped_json
from .types import (
    ATTACH,
    INLINE,
    ORG_POLICY_KINDS,
    PERMISSIONS,
    PRINCIPAL_TYPES,
    RESOURCE_POLICIES,
    SINGLE_RESOURCE_TYPES,
)
from .types import (
    PLAN_FORMAT as FORMAT,
)
from .values import TfBuilder


@dataclass
class Planned:
    """A resource of the plan: its address, type, planned values and module path."""

    address: str
    type: str
    name: str
    mode: str
    values: dict
    node: Any  # the resource's object in the plan (for positions)
    module: str  # "" for the root module, else "module.a.module.b" (instance keys kept)
    where: str = ""  # the path of ``values`` in the plan, for messages

    @property
    def config_key(self) -> tuple[str, str]:
        """(module path without instance keys, address in that module's configuration)."""
        return _strip_keys(
            self.module
        ), f"{self.type}.{self.name}" if self.mode != "data" else f"data.{self.type}.{self.name}"


def _strip_keys(module: str) -> str:
    out, depth = [], 0
    for ch in module:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _module_of(address: str, type_: str, name: str, mode: str) -> str:
    local = f"data.{type_}.{name}" if mode == "data" else f"{type_}.{name}"
    i = address.rfind(local)
    return address[: i - 1] if i > 0 else ""


def _kind(v: Any) -> str:
    """A JSON value's type, as a message names it."""
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return "a string"
    value = v.value if isinstance(v, PScalar) else v
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"


def _is_null(v: Any) -> bool:
    return v is None or (isinstance(v, PScalar) and v.value is None)


#: the JSON types a plan's elements may have, as read and as named in messages
_OBJECT, _LIST, _STRING = (dict, "an object"), (list, "a list"), (str, "a string")


class _Shape:
    """Reads the elements of a plan, checking the JSON type of each one it reads: an element
    of the wrong type is an IAM900 at it (naming its path and what was expected) and reads
    as absent."""

    def __init__(self, path: str):
        self.path = path
        self.diagnostics: list[Finding] = []

    def wrong(self, value: Any, where: str, expected: str) -> None:
        self.diagnostics.append(
            diagnostic(
                PARSE_ERROR, f"{where} must be {expected}, not {_kind(value)}", _span(self.path, value)
            )
        )

    def check(self, value: Any, where: str, want: tuple[type, str], null: bool = False) -> Any:
        """``value`` when it has the wanted type; None (reported unless ``null`` allows it) else."""
        if isinstance(value, want[0]):
            return value
        if null and _is_null(value):
            return None
        self.wrong(value, where, want[1] + (" or null" if null else ""))
        return None

    def get(self, node: dict, key: str, where: str, want: tuple[type, str], null: bool = False) -> Any:
        """``node[key]`` when it has the wanted type; None when absent or of another type."""
        if key not in node:
            return None
        return self.check(node[key], f"{where}.{key}" if where else key, want, null)

    def items(self, node: dict, key: str, where: str) -> list[tuple[str, dict]]:
        """The objects of the list ``node[key]``, with their paths."""
        path = f"{where}.{key}" if where else key
        out: list[tuple[str, dict]] = []
        for i, item in enumerate(self.get(node, key, where, _LIST) or ()):
            item = self.check(item, f"{path}[{i}]", _OBJECT)
            if item is not None:
                out.append((f"{path}[{i}]", item))
        return out

    def resource(self, r: dict, where: str) -> tuple[str, str, str, str] | None:
        """The (address, type, name, mode) of a resource object, or None when it lacks one."""
        got = []
        for key in ("address", "type", "name"):
            if key not in r:
                self.diagnostics.append(diagnostic(PARSE_ERROR, f"{where} has no {key}", _span(self.path, r)))
                return None
            v = self.get(r, key, where, _STRING)
            if v is None:
                return None
            got.append(str(v))
        mode = self.get(r, "mode", where, _STRING)
        if mode is None and "mode" in r:
            return None
        return got[0], got[1], got[2], str(mode) if mode is not None else "managed"


def _planned(root: dict, shape: _Shape) -> list[Planned]:
    out: list[Planned] = []
    seen: set[str] = set()

    def add(r: dict, where: str, values: Any, vwhere: str) -> None:
        ident = shape.resource(r, where)
        if ident is None or values is None or ident[0] in seen:
            return
        address, type_, name, mode = ident
        seen.add(address)
        out.append(
            Planned(address, type_, name, mode, values, r, _module_of(address, type_, name, mode), vwhere)
        )

    def walk(mod: dict, where: str, depth: int = 0) -> None:
        if depth > 100:
            return
        for path, r in shape.items(mod, "resources", where):
            add(r, path, shape.get(r, "values", path, _OBJECT), f"{path}.values")
        for path, child in shape.items(mod, "child_modules", where):
            walk(child, path, depth + 1)

    pv = shape.get(root, "planned_values", "", _OBJECT)
    if pv is not None:
        rm = shape.get(pv, "root_module", "planned_values", _OBJECT)
        if rm is not None:
            walk(rm, "planned_values.root_module")
    for path, rc in shape.items(root, "resource_changes", ""):
        change = shape.get(rc, "change", path, _OBJECT)
        if change is not None:
            add(
                rc,
                path,
                shape.get(change, "after", f"{path}.change", _OBJECT, null=True),
                f"{path}.change.after",
            )
    return out


def _config_refs(root: dict, shape: _Shape) -> dict[tuple[str, str], dict[str, list[list[str]]]]:
    """(module path, config address) -> {attribute: the ``references`` of each of its
    expressions} from the plan's ``configuration``."""
    out: dict[tuple[str, str], dict[str, list[list[str]]]] = {}

    def references(expr: Any, where: str) -> list[str]:
        if not isinstance(expr, dict):
            return []
        refs = shape.get(expr, "references", where, _LIST)
        return [
            str(x) for i, x in enumerate(refs or ()) if shape.check(x, f"{where}.references[{i}]", _STRING)
        ]

    def walk(mod: dict, where: str, prefix: str, depth: int = 0) -> None:
        if depth > 100:
            return
        for path, r in shape.items(mod, "resources", where):
            address = shape.get(r, "address", path, _STRING)
            exprs = shape.get(r, "expressions", path, _OBJECT)
            if address is None or exprs is None:
                continue
            refs: dict[str, list[list[str]]] = {}
            for attr, expr in exprs.items():
                at = f"{path}.expressions.{attr}"
                if isinstance(expr, list):
                    refs[str(attr)] = [references(e, f"{at}[{i}]") for i, e in enumerate(expr)]
                else:
                    refs[str(attr)] = [references(expr, at)]
            out[(prefix, str(address))] = refs
        calls = shape.get(mod, "module_calls", where, _OBJECT)
        for name, call in (calls or {}).items():
            at = f"{where}.module_calls.{name}"
            call = shape.check(call, at, _OBJECT)
            module = shape.get(call, "module", at, _OBJECT) if call is not None else None
            if module is not None:
                walk(
                    module,
                    f"{at}.module",
                    f"{prefix}.module.{name}" if prefix else f"module.{name}",
                    depth + 1,
                )

    cfg = shape.get(root, "configuration", "", _OBJECT)
    if cfg is not None:
        rm = shape.get(cfg, "root_module", "configuration", _OBJECT)
        if rm is not None:
            walk(rm, "configuration.root_module", "")
    return out


def _span(path: str, node: Any) -> Span:
    p = getattr(node, "pos", None) or (1, 1, 1, 2)
    return Span(path, p[0], p[1], p[2], p[3])


class _Plan:
    def __init__(self, path: str, text: str, root: dict):
        self.path = path
        self.text = text
        self.locator = LineIndex(text)
        self.shape = _Shape(path)
        self.resources = [r for r in _planned(root, self.shape) if r.mode == "managed"]
        self.by_address = {r.address: r for r in self.resources}
        self.config = _config_refs(root, self.shape)
        self.out = Extraction(FORMAT)
        self.out.diagnostics.extend(self.shape.diagnostics)
        self.shape.diagnostics = self.out.diagnostics  # what is read later reports there too
        self.docs_of: dict[str, list[PolicyDocument]] = {}

    # -- linking ---------------------------------------------------------------------------------
    def named(self, type_: str, name: str) -> list[str]:
        return [r.address for r in self.resources if r.type == type_ and r.values.get("name") == name]

    def referenced(self, r: Planned, attr: str, type_: str) -> list[str]:
        """Planned resources of ``type_`` that ``attr`` of ``r`` refers to in the configuration."""
        module, caddr = r.config_key
        out: list[str] = []
        for refs in self.config.get((module, caddr), {}).get(attr, ()):
            for ref in refs:
                if not ref.startswith(type_ + "."):
                    continue
                target = ".".join(ref.split(".")[:2]).split("[")[0]
                hits = [x.address for x in self.resources if x.config_key == (module, target)]
                if len(hits) == 1 and hits[0] not in out:
                    out.append(hits[0])
                break
        return out

    def targets(self, r: Planned, attr: str, type_: str) -> list[str]:
        """Principals or policies ``attr`` names: by planned name, else by reference."""
        value = r.values.get(attr)
        names = value if isinstance(value, list) else [value]
        out: list[str] = []
        for n in names:
            if isinstance(n, str):
                if type_ == "aws_iam_policy":
                    out.extend(a for a in self.policy_by_arn(n) if a not in out)
                else:
                    out.extend(a for a in self.named(type_, n) if a not in out)
        if not out:
            out = self.referenced(r, attr, type_)
        return out

    def policy_by_arn(self, arn: str) -> list[str]:
        out = []
        for r in self.resources:
            if r.type != "aws_iam_policy":
                continue
            if r.values.get("arn") == arn:
                out.append(r.address)
                continue
            name, path = r.values.get("name"), r.values.get("path") or "/"
            if isinstance(name, str) and isinstance(path, str) and arn.endswith(f":policy{path}{name}"):
                out.append(r.address)
        return out

    def managed_refs(self, r: Planned, attr: str) -> list[ManagedPolicyRef]:
        """Managed policies an attribute attaches (``permissions_boundary``: the boundary)."""
        value = r.values.get(attr)
        values = value if isinstance(value, list) else [value]
        refs: list[ManagedPolicyRef] = []
        boundary = attr == "permissions_boundary"
        for v in values:
            if isinstance(v, str):
                val: Value = Str(str(v), _span(self.path, v))
                docs = [d for a in self.policy_by_arn(str(v)) for d in self.docs_of.get(a, [])]
                refs.append(
                    managed_ref(
                        val,
                        FORMAT,
                        boundary=boundary,
                        document=docs[0] if docs else None,
                        diagnostics=self.out.diagnostics,
                    )
                )
        if not refs:
            for a in self.referenced(r, attr, "aws_iam_policy"):
                docs = self.docs_of.get(a, [])
                unknown = Unknown(f"{a}.arn", _span(self.path, r.node.get("address")))
                refs.append(managed_ref(unknown, FORMAT, document=docs[0] if docs else None))
        return refs

    # -- documents -------------------------------------------------------------------------------
    def permission(self, r: Planned) -> None:
        """The resource-policy statement a Lambda permission makes AWS write (see
        `permissions`), its elements at the planned values."""

        def get(name: str) -> tuple[Any, Any] | None:
            value = r.values.get(name)
            if value is None or (isinstance(value, PScalar) and value.value is None):
                return None
            p = getattr(value, "pos", None) or getattr(r.node, "pos", None) or (1, 1, 1, 1)
            return value, p

        node = permission_statement(r.type, get, getattr(r.node, "pos", None) or (1, 1, 1, 1), self.path)
        if node is None:
            return
        origin = Origin(self.path, FORMAT, r.address, r.type, "")
        doc = TfBuilder(self.path).document(node, DocKind.RESOURCE, origin, single_resource=True)
        if doc is not None:
            self.out.documents.append(doc)
            self.docs_of.setdefault(r.address, []).append(doc)

    def document(
        self,
        r: Planned,
        value: Any,
        attr: str,
        kind: DocKind,
        principals: list[str],
        name: Any,
        within: str | None = None,
    ) -> None:
        """The document of ``attr`` of ``r`` (``within``: the path of the object holding it)."""
        if not isinstance(value, PStr):
            if value is not None:
                key = attr.rpartition(".")[2]
                self.shape.check(value, f"{within or r.where}.{key}", _STRING, null=True)
            return
        if not value.strip():
            return
        start = self.locator.offset(value.pos[0], value.pos[1])
        mt = json_string_text(self.text, start, self.path, self.locator, f"{r.address} {attr}")
        if mt is None:
            return
        node, diags, problem = parse_mapped_json(mt)
        self.out.diagnostics.extend(diags)
        if problem is not None:
            if problem.span is not None:
                self.out.diagnostics.append(diagnostic(PARSE_ERROR, problem.message, problem.span))
            return
        if not isinstance(node, dict):
            self.out.diagnostics.append(
                diagnostic(
                    PARSE_ERROR,
                    f"{r.address} {attr}: a policy document must be a JSON object",
                    _span(self.path, value),
                )
            )
            return
        pname = Str(str(name), _span(self.path, name)) if isinstance(name, str) else None
        origin = Origin(self.path, FORMAT, r.address, r.type, attr)
        doc = TfBuilder(self.path).document(
            node,
            kind,
            origin,
            principals=principals,
            name=pname,
            managed=r.type == "aws_iam_policy",
            single_resource=r.type in SINGLE_RESOURCE_TYPES,
        )
        if doc is None:
            return
        self.out.documents.append(doc)
        self.docs_of.setdefault(r.address, []).append(doc)

    def extract(self) -> Extraction:
        attached: dict[str, list[str]] = {}
        boundaries: set[str] = set()
        for r in self.resources:
            if r.type in ATTACH:
                attr, ptype, pattr = ATTACH[r.type]
                for p in self.targets(r, pattr, "aws_iam_policy"):
                    attached.setdefault(p, []).extend(a for a, _ in self.principal_refs(r, attr, ptype))
            elif r.type == "aws_iam_policy_attachment":
                for p in self.targets(r, "policy_arn", "aws_iam_policy"):
                    for attr, ptype in (
                        ("roles", "aws_iam_role"),
                        ("users", "aws_iam_user"),
                        ("groups", "aws_iam_group"),
                    ):
                        attached.setdefault(p, []).extend(a for a, _ in self.principal_refs(r, attr, ptype))
            elif r.type in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                for p in self.targets(r, "managed_policy_arns", "aws_iam_policy"):
                    attached.setdefault(p, []).append(r.address)
                boundaries.update(self.targets(r, "permissions_boundary", "aws_iam_policy"))

        for r in self.resources:
            for attr, kind in RESOURCE_POLICIES.get(r.type, ()):
                if r.type == "aws_organizations_policy":
                    org_type = r.values.get("type") or "SERVICE_CONTROL_POLICY"
                    if org_type not in ORG_POLICY_KINDS:
                        continue  # a tag, backup or AI opt-out policy: not IAM
                    kind = ORG_POLICY_KINDS[org_type]
                principals: list[str] = []
                if r.type == "aws_iam_role":
                    principals = [r.address]
                elif r.type in INLINE:
                    principals = [a for a, _ in self.principal_refs(r, *INLINE[r.type])]
                elif r.type == "aws_iam_policy":
                    principals = list(dict.fromkeys(attached.get(r.address, [])))
                    if r.address in boundaries and not principals:
                        kind = DocKind.BOUNDARY
                outer, _, inner = attr.rpartition(".")
                if not outer:
                    self.document(r, r.values.get(attr), attr, kind, principals, r.values.get("name"))
                    continue
                for i, item in enumerate(self.shape.get(r.values, outer, r.where, _LIST, null=True) or ()):
                    at = f"{r.where}.{outer}[{i}]"  # a nested block: a list of objects
                    if self.shape.check(item, at, _OBJECT) is not None:
                        path = f"{outer}[{i}].{inner}"
                        self.document(r, item.get(inner), path, kind, principals, None, at)
            if r.type in PERMISSIONS:
                self.permission(r)
            if r.type == "aws_iam_role":
                for i, block in enumerate(
                    self.shape.get(r.values, "inline_policy", r.where, _LIST, null=True) or ()
                ):
                    at = f"{r.where}.inline_policy[{i}]"
                    if self.shape.check(block, at, _OBJECT) is None:
                        continue
                    name = self.shape.get(block, "name", at, _STRING, null=True)
                    self.document(
                        r,
                        block.get("policy"),
                        f"inline_policy[{i}].policy",
                        DocKind.IDENTITY,
                        [r.address],
                        name,
                        at,
                    )
        self.graph()
        return self.out

    def principal_refs(self, r: Planned, attr: str, type_: str) -> list[tuple[str, Span | None]]:
        """Principals ``attr`` of ``r`` names, as (address, where named): planned ones by name
        or configuration reference; a name no planned principal has is a principal defined
        elsewhere (its address is the name), as in the HCL and CloudFormation models."""
        value = r.values.get(attr)
        out: list[tuple[str, Span | None]] = []
        for n in value if isinstance(value, list) else [value]:
            if isinstance(n, str) and n:
                hits = self.named(type_, n)
                out.extend((a, None) for a in hits) if hits else out.append((str(n), _span(self.path, n)))
        if not out:
            out = [(a, None) for a in self.referenced(r, attr, type_)]
        return out

    def graph(self) -> None:
        """The principals of the plan, and those it names from elsewhere, with everything
        attached to them."""
        nodes: dict[tuple[str, str], PrincipalNode] = {}
        for r in self.resources:
            if r.type in PRINCIPAL_TYPES:
                kind = PRINCIPAL_TYPES[r.type]
                n = nodes[(kind, r.address)] = PrincipalNode(
                    kind, r.address, _span(self.path, r.node.get("address"))
                )
                docs = self.docs_of.get(r.address, [])
                n.trust = next((d for d in docs if d.kind is DocKind.TRUST), None)
                n.inline = [d for d in docs if d.kind is not DocKind.TRUST]

        def named(r: Planned, attr: str, ptype: str) -> list[PrincipalNode]:
            return principal_nodes(nodes, PRINCIPAL_TYPES[ptype], self.principal_refs(r, attr, ptype))

        for r in self.resources:
            if r.type in INLINE:
                for n in named(r, *INLINE[r.type]):
                    n.inline.extend(self.docs_of.get(r.address, []))
            elif r.type in ATTACH:
                attr, ptype, pattr = ATTACH[r.type]
                refs = self.managed_refs(r, pattr)
                for n in named(r, attr, ptype):
                    n.managed.extend(refs)
            elif r.type == "aws_iam_policy_attachment":
                refs = self.managed_refs(r, "policy_arn")
                for attr, ptype in (
                    ("roles", "aws_iam_role"),
                    ("users", "aws_iam_user"),
                    ("groups", "aws_iam_group"),
                ):
                    for n in named(r, attr, ptype):
                        n.managed.extend(refs)
            elif r.type in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
                n = nodes[(PRINCIPAL_TYPES[r.type], r.address)]
                n.managed.extend(self.managed_refs(r, "managed_policy_arns"))
                pb = self.managed_refs(r, "permissions_boundary")
                n.boundary = pb[0] if pb else None
            elif r.type in ("aws_iam_group_membership", "aws_iam_user_group_membership"):
                single = r.type == "aws_iam_group_membership"
                groups = named(r, "group" if single else "groups", "aws_iam_group")
                for u in named(r, "users" if single else "user", "aws_iam_user"):
                    u.groups.extend(g.address for g in groups if g.address not in u.groups)
            elif r.type == "aws_iam_access_key":
                for u in named(r, "user", "aws_iam_user"):
                    u.access_keys.append(_span(self.path, r.node.get("address")))
        self.out.principals.extend(n.freeze() for n in nodes.values())


def extract(path: str, text: str, root: Any) -> Extraction:
    """The policies and principals of a plan JSON file already parsed with positions."""
    if not isinstance(root, dict):
        return Extraction(FORMAT)
    return _Plan(path, text, root).extract()
