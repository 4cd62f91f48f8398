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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...diagnostics import PARSE_ERROR, diagnostic
from ...model import DocKind, ManagedPolicyRef, Origin, PolicyDocument, Span, Str, Unknown, Value
from ...parse.nodes import PStr
from ...positions import LineIndex
from ..extraction import Extraction
from ..graph import PrincipalNode, managed_policy_name, principal_nodes
from .text import json_string_text, parse_mapped_json
from .types import (
    ATTACH,
    INLINE,
    ORG_IAM_TYPES,
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


def _planned(root: dict) -> list[Planned]:
    out: list[Planned] = []
    seen: set[str] = set()

    def add(r: Any, values: Any) -> None:
        if not isinstance(r, dict) or not isinstance(values, dict):
            return
        address, type_, name = r.get("address"), r.get("type"), r.get("name")
        if not all(isinstance(x, str) for x in (address, type_, name)) or address in seen:
            return
        mode = r.get("mode") if isinstance(r.get("mode"), str) else "managed"
        seen.add(str(address))
        out.append(
            Planned(
                str(address),
                str(type_),
                str(name),
                str(mode),
                values,
                r,
                _module_of(str(address), str(type_), str(name), str(mode)),
            )
        )

    def walk(mod: Any, depth: int = 0) -> None:
        if not isinstance(mod, dict) or depth > 100:
            return
        for r in mod.get("resources") or ():
            if isinstance(r, dict):
                add(r, r.get("values"))
        for child in mod.get("child_modules") or ():
            walk(child, depth + 1)

    pv = root.get("planned_values")
    if isinstance(pv, dict):
        walk(pv.get("root_module"))
    for rc in root.get("resource_changes") or ():
        if isinstance(rc, dict) and isinstance(rc.get("change"), dict):
            add(rc, rc["change"].get("after"))
    return out


def _config_refs(root: dict) -> dict[tuple[str, str], dict]:
    """(module path, config address) -> the resource's ``expressions`` from ``configuration``."""
    out: dict[tuple[str, str], dict] = {}

    def walk(mod: Any, prefix: str, depth: int = 0) -> None:
        if not isinstance(mod, dict) or depth > 100:
            return
        for r in mod.get("resources") or ():
            if (
                isinstance(r, dict)
                and isinstance(r.get("address"), str)
                and isinstance(r.get("expressions"), dict)
            ):
                out[(prefix, str(r["address"]))] = r["expressions"]
        calls = mod.get("module_calls")
        if isinstance(calls, dict):
            for name, call in calls.items():
                if isinstance(call, dict):
                    walk(
                        call.get("module"),
                        f"{prefix}.module.{name}" if prefix else f"module.{name}",
                        depth + 1,
                    )

    cfg = root.get("configuration")
    if isinstance(cfg, dict):
        walk(cfg.get("root_module"), "")
    return out


def _span(path: str, node: Any) -> Span:
    p = getattr(node, "pos", None) or (1, 1, 1, 2)
    return Span(path, p[0], p[1], p[2], p[3])


class _Plan:
    def __init__(self, path: str, text: str, root: dict):
        self.path = path
        self.text = text
        self.locator = LineIndex(text)
        self.resources = [r for r in _planned(root) if r.mode == "managed"]
        self.by_address = {r.address: r for r in self.resources}
        self.config = _config_refs(root)
        self.out = Extraction(FORMAT)
        self.docs_of: dict[str, list[PolicyDocument]] = {}

    # -- linking ---------------------------------------------------------------------------------
    def named(self, type_: str, name: str) -> list[str]:
        return [r.address for r in self.resources if r.type == type_ and r.values.get("name") == name]

    def referenced(self, r: Planned, attr: str, type_: str) -> list[str]:
        """Planned resources of ``type_`` that ``attr`` of ``r`` refers to in the configuration."""
        module, caddr = r.config_key
        expr = self.config.get((module, caddr), {}).get(attr)
        exprs = expr if isinstance(expr, list) else [expr]
        out: list[str] = []
        for e in exprs:
            refs = e.get("references") if isinstance(e, dict) else None
            for ref in refs or ():
                if not isinstance(ref, str) or not ref.startswith(type_ + "."):
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
        value = r.values.get(attr)
        values = value if isinstance(value, list) else [value]
        refs: list[ManagedPolicyRef] = []
        for v in values:
            if isinstance(v, str):
                val: Value = Str(str(v), _span(self.path, v))
                docs = [d for a in self.policy_by_arn(str(v)) for d in self.docs_of.get(a, [])]
                refs.append(ManagedPolicyRef(val, managed_policy_name(val), docs[0] if docs else None))
        if not refs:
            for a in self.referenced(r, attr, "aws_iam_policy"):
                docs = self.docs_of.get(a, [])
                refs.append(
                    ManagedPolicyRef(
                        Unknown(f"{a}.arn", _span(self.path, r.node.get("address"))),
                        None,
                        docs[0] if docs else None,
                    )
                )
        return refs

    # -- documents -------------------------------------------------------------------------------
    def document(
        self, r: Planned, value: Any, attr: str, kind: DocKind, principals: list[str], name: Any
    ) -> None:
        if not isinstance(value, PStr) or not value.strip():
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
                if r.type == "aws_organizations_policy" and r.values.get("type") not in (
                    None,
                    *ORG_IAM_TYPES,
                ):
                    continue
                principals: list[str] = []
                if r.type == "aws_iam_role":
                    principals = [r.address]
                elif r.type in INLINE:
                    principals = [a for a, _ in self.principal_refs(r, *INLINE[r.type])]
                elif r.type == "aws_iam_policy":
                    principals = list(dict.fromkeys(attached.get(r.address, [])))
                    if r.address in boundaries and not principals:
                        kind = DocKind.BOUNDARY
                self.document(r, r.values.get(attr), attr, kind, principals, r.values.get("name"))
            if r.type == "aws_iam_role":
                for i, block in enumerate(r.values.get("inline_policy") or ()):
                    if isinstance(block, dict):
                        self.document(
                            r,
                            block.get("policy"),
                            f"inline_policy[{i}].policy",
                            DocKind.IDENTITY,
                            [r.address],
                            block.get("name"),
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
