"""CloudFormation templates (JSON and YAML, SAM and CDK output included).

Entry points, called by `iamlint.extract.extract_file`:

- `extract_yaml(path, text)`: a YAML template (see `iamlint.parse.cfn_yaml` for parsing, short-form tags
  and the guards against hostile input); None when the YAML is not a template;
- `extract_json(path, text, root)`: a JSON template already parsed by `parse_json`.

Both find every IAM policy document the template holds (the tables below), build each with
`DocumentBuilder` and the intrinsic-function hooks of `cfn_intrinsics.Resolver`, and fill
the attachment graph: one `IAMPrincipal` per role, user, group, SSO permission set and
implicit SAM role, with its trust policy, inline policies, managed policies (AWS managed
ones named, customer managed ones of the template resolved by ``Ref``), permissions
boundary, groups and access keys.

Origins name the resource's logical id and type, the property path of the document
(``Properties.Policies[0].PolicyDocument``) and, for CDK output, the construct path from
``Metadata: aws:cdk:path``.

SAM policy templates (``Policies: [{S3ReadPolicy: {BucketName: x}}]``) are expanded into the
statements SAM writes for them (see `sam`), one identity document of the implicit role per
template (``Properties.Policies[2].S3ReadPolicy``); managed policy names and ARNs in
``Policies`` are attachments, like ``ManagedPolicyArns``.

Beyond principals and the resource types of `types.POLICY_PROPERTIES` (docs/extraction.md
lists them), the extractor reads the statements AWS writes for ``AWS::Lambda::Permission``
and ``AWS::Events::EventBusPolicy`` (see `permissions`), the ``x-amazon-apigateway-policy``
of a REST API's OpenAPI definition, and the template of an ``AWS::CloudFormation::StackSet``
as a template of its own, with positions in the outer file (see `nested`); what it cannot
evaluate there is named (IAM906).

A resource's ``Metadata: {iamlint: {ignore: [...]}}`` becomes suppression directives, as
written; the suppression stage judges them.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from ...builder import DocumentBuilder, with_pseudo
from ...diagnostics import INVALID_SUPPRESSION, UNKNOWN_TAG, UNRESOLVED_POLICY, diagnostic, parse_error
from ...directives import Directive
from ...model import (
    DocKind,
    Finding,
    ManagedPolicyRef,
    Origin,
    PolicyDocument,
    Pseudo,
    Severity,
    Span,
    Str,
    Unknown,
    Value,
)
from ...parse.cfn_yaml import Problem
from ...parse.nodes import PDict, PList, PStr
from ...positions import PositionedError
from ..extraction import Extraction, duplicate_keys
from ..graph import PrincipalNode, managed_ref
from ..jsonpolicy import org_policy_kind
from .intrinsics import PSEUDO_PARAMETERS, Resolver, Template, intrinsic_name
from .types import (
    ATTACHED_POLICIES,
    EVENT_BUS_POLICY,
    FORMAT,
    LAMBDA_PERMISSION,
    MANAGED_POLICY,
    OPENAPI_BODIES,
    OPENAPI_POLICY,
    ORG_POLICY_KINDS,
    PERMISSION_SET,
    POLICY_PROPERTIES,
    PRINCIPAL_TYPES,
    ROLE,
    SAM_API,
    SAM_FUNCTION,
    SAM_RESOURCE_POLICY_KEYS,
    SAM_STATE_MACHINE,
    SINGLE_RESOURCE_TYPES,
    STACK_SET,
    USER,
    holds_policies,
    is_cfn_template,
)

_PSEUDO = re.compile(r"\$\{AWS::(AccountId|Partition|Region|URLSuffix)\}")
_PSEUDO_KIND = {
    "AccountId": Pseudo.ACCOUNT,
    "Partition": Pseudo.PARTITION,
    "Region": Pseudo.REGION,
    "URLSuffix": Pseudo.URL_SUFFIX,
}
#: stack sets inside stack sets read at most this deep
MAX_NESTING = 8
_YAML_TEMPLATE = re.compile(r"^(AWSTemplateFormatVersion|Resources)\s*:", re.MULTILINE)


# -- entry points ---------------------------------------------------------------------------------
@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building nodes.

    Reading a template creates millions of small objects that form no reference cycles;
    the collector's repeated full passes over them made a 10 MB template several times
    slower (7.6 s instead of 1.9 s to compose). Reference counting still frees everything.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def extract_yaml(path: str, text: str) -> Extraction | None:
    """A YAML (or JSON-in-.yaml) template; None when it is not CloudFormation."""
    with _gc_paused():
        return _extract_yaml(path, text)


def extract_json_as_yaml(path: str, text: str) -> Extraction | None:
    """A ``.json`` or ``.template`` file that is not JSON, read as YAML, as CloudFormation
    and cfn-lint read a template (flow style with single quotes, trailing commas,
    comments); None when the text is not YAML either, or not a template."""
    with _gc_paused():
        return _extract_yaml(path, text, json_first=False, quiet=True)


def _extract_yaml(path: str, text: str, json_first: bool = True, quiet: bool = False) -> Extraction | None:
    from ...parse.cfn_yaml import load_tree

    if json_first and text.lstrip().startswith("{"):
        from ...parse.json_parser import parse_json

        try:
            root = parse_json(text)
        except PositionedError:
            pass  # JSON-looking YAML: let the YAML reader decide
        else:
            return _Extractor(path, text, root).run() if is_cfn_template(root) else None
    # the comments that may be suppressions, found while composing (see `yaml_comments`)
    comments: list | None = [] if "iamlint" in text else None
    try:
        root, problems, shared = load_tree(text, comments, "iamlint")
    except PositionedError as e:
        if quiet or not _YAML_TEMPLATE.search(text):
            return None  # broken YAML that does not even look like a template: not IaC
        if comments is not None:  # those before the place the YAML lexer stops
            from ...parse.yaml_comments import comments as find_comments

            comments = find_comments(text, containing="iamlint")
        diagnostics = [parse_error(path, e.message, e.line, e.column)]
        return Extraction(FORMAT, diagnostics=diagnostics, comments=comments)
    if not is_cfn_template(root):
        return None
    ex = _Extractor(path, text, root, shared=shared).run()
    ex.comments = comments
    ex.diagnostics[:0] = [_problem(path, p, root) for p in problems]
    _dedupe_diagnostics(ex)
    return ex


def _problem(path: str, p: Problem, root: Any = None) -> Finding:
    """What the YAML reader read past: an unknown tag (IAM907, a warning at the tag, or
    information in the properties of a resource that holds no policy) or an error (IAM900)."""
    if p.kind == "unknown-tag":
        span = Span(path, p.line, p.column, p.line, p.end_column)
        inert = _inert_resource(root, p.line, p.column)
        if inert is not None:
            message = f"{p.message} (in the properties of {inert}, which hold no IAM policy)"
            return diagnostic(UNKNOWN_TAG, message, span, severity=Severity.INFO)
        return diagnostic(UNKNOWN_TAG, p.message, span)
    return parse_error(path, p.message, p.line, p.column)


def _inert_resource(root: Any, line: int, column: int) -> str | None:
    """The type of the resource whose ``Properties`` hold (line, column), when that type
    holds no policy (`types.holds_policies`), else None."""
    resources = root.get("Resources") if isinstance(root, dict) else None
    if not isinstance(resources, dict):
        return None
    for res in resources.values():
        if not isinstance(res, dict):
            continue
        type_, props = res.get("Type"), res.get("Properties")
        where = getattr(props, "pos", None)
        if not isinstance(type_, str) or where is None:
            continue
        if (where[0], where[1]) <= (line, column) < (where[2], where[3]):
            return None if holds_policies(type_) else str(type_)
    return None


def extract_json(path: str, text: str, root: Any) -> Extraction:
    """A JSON template parsed by `parse_json` (positions are the file's)."""
    with _gc_paused():
        return _Extractor(path, text, root).run()


def pseudo_parts(text: str) -> tuple[tuple[str, Pseudo], ...]:
    """CloudFormation's pseudo parameters in a resolved string (see `Str.pseudo`)."""
    return tuple(dict.fromkeys((m.group(0), _PSEUDO_KIND[m.group(1)]) for m in _PSEUDO.finditer(text)))


def _dedupe_diagnostics(ex: Extraction) -> None:
    seen: set[tuple] = set()
    out = []
    for d in ex.diagnostics:
        key = (d.code, d.span.line, d.span.column, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    ex.diagnostics = out


# -- the extractor --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Resource:
    """One entry of ``Resources``: logical id (with its position), type, properties."""

    id: str
    span: Span
    type: str
    properties: dict
    construct: str | None


@dataclass(frozen=True)
class _PendingRef:
    """A ``Ref`` to a customer managed policy of the template, resolved once all are built."""

    policy: str
    node: Any


class _Node(PrincipalNode):
    """A principal of the template: also its permissions boundary as written, resolved last,
    once every managed policy of the template is built."""

    boundary_node: Any = None


class _Extractor:
    """One template: index principals and attachments first, then build documents in
    template order (so that every document knows the principals it attaches to), then
    assemble the graph."""

    def __init__(
        self, path: str, text: str, root: Any, prefix: str = "", depth: int = 0, shared: bool = False
    ):
        """``shared``: a node of the tree may stand in several places (YAML aliases); else
        each statement list of a resource's properties is let go once its document is built
        (see `_owned`), so that the template's tree and model are not held at once."""
        self.path = path
        self.shared = shared
        #: before the logical ids this template's owners and principals are named by (the
        #: template of a stack set: ``StackSet/``), and how deep it is nested
        self.prefix = prefix
        self.depth = depth
        self.t = Template(path, text, root)
        self.r = Resolver(self.t)
        self.builder = DocumentBuilder(
            path, alternatives=self.r.alternatives, scalar=self.r.scalar, pseudo=pseudo_parts, shared=shared
        )
        self.ex = Extraction(FORMAT)
        self.inner: list[Extraction] = []  # the templates of stack sets, linted as templates
        self.ex.diagnostics.extend(duplicate_keys(path, root))
        self.resources = list(self._resources())
        self.by_id = {r.id: r for r in self.resources}
        self.nodes: dict[str, _Node] = {}
        self.names: dict[tuple[str, str], str] = {}
        self.policy_docs: dict[str, list[PolicyDocument]] = {}
        # policy resource id -> principal ids it attaches to (all ways: PolicyDocument.principals)
        self.attach: dict[str, list[str]] = {}
        # policy id -> (principal key, item naming it) of its own Roles/Users/Groups
        self.own_targets: dict[str, list[tuple[str, Any]]] = {}
        self.boundaries: set[str] = set()

    def run(self) -> Extraction:
        self._index_principals()
        self._index_attachments()
        for res in self.resources:
            self._extract(res)
        self._directives()
        self._assemble()
        self.ex.diagnostics.extend(self.t.diagnostics)
        for inner in self.inner:
            self.ex.documents.extend(inner.documents)
            self.ex.principals.extend(inner.principals)
            self.ex.diagnostics.extend(inner.diagnostics)
            self.ex.directives.extend(inner.directives)
        return self.ex

    def _directives(self) -> None:
        """``Metadata: {iamlint: {ignore: [{rule, reason, until}]}}``: covers that resource."""
        for key, res in self.t.resources.items():
            meta = res.get("Metadata") if isinstance(res, dict) else None
            block = meta.get("iamlint") if isinstance(meta, dict) else None
            if block is None:
                continue
            entries = block.get("ignore") if isinstance(block, dict) else None
            if not isinstance(entries, list):
                self.ex.diagnostics.append(
                    diagnostic(
                        INVALID_SUPPRESSION,
                        "Metadata iamlint must be {ignore: [{rule: CODE, reason: ...}]}",
                        self.t.span(block),
                    )
                )
                continue
            for entry in entries:
                span = self.t.span(entry)
                if not isinstance(entry, dict):
                    self.ex.directives.append(
                        Directive(
                            (),
                            "",
                            span,
                            "metadata",
                            owner=self.prefix + str(key),
                            problem="each ignore entry needs a rule: CODE",
                        )
                    )
                    continue
                rule, reason, until = entry.get("rule"), entry.get("reason"), entry.get("until")
                codes = tuple(c.strip() for c in str(rule).split(",")) if isinstance(rule, str) else ()
                self.ex.directives.append(
                    Directive(
                        codes,
                        str(reason).strip() if isinstance(reason, str) else "",
                        span,
                        "metadata",
                        until=None if until is None else str(getattr(until, "value", until)),
                        owner=self.prefix + str(key),
                        problem=None if codes else "each ignore entry needs a rule: CODE",
                    )
                )

    # -- indexing ------------------------------------------------------------------------------
    def _resources(self) -> Iterable[_Resource]:
        for key, res in self.t.resources.items():
            if not isinstance(res, dict):
                continue
            rtype = res.get("Type")
            if not isinstance(rtype, str):
                continue
            props = res.get("Properties")
            meta = res.get("Metadata")
            construct = meta.get("aws:cdk:path") if isinstance(meta, dict) else None
            yield _Resource(
                id=str(key),
                span=self.t.span(key),
                type=str(rtype),
                properties=props if isinstance(props, dict) and intrinsic_name(props) is None else {},
                construct=str(construct) if isinstance(construct, str) else None,
            )

    def _index_principals(self) -> None:
        for res in self.resources:
            if res.type in PRINCIPAL_TYPES:
                kind, name_prop = PRINCIPAL_TYPES[res.type]
                self.nodes[res.id] = _Node(kind, self.prefix + res.id, res.span)
                name = res.properties.get(name_prop) if name_prop else None
                if isinstance(name, str):
                    self.names[(kind, str(name))] = res.id
            elif res.type in (SAM_FUNCTION, SAM_STATE_MACHINE) and "Role" not in res.properties:
                address = res.id + "Role"
                self.nodes[address] = _Node("function-role", self.prefix + address, res.span)

    def _index_attachments(self) -> None:
        for res in self.resources:
            props = res.properties
            if res.type in ATTACHED_POLICIES:
                refs: list[tuple[str, Any]] = []
                for prop, kind in ATTACHED_POLICIES[res.type]:
                    refs.extend(self._principal_refs(props.get(prop), kind))
                self.attach.setdefault(res.id, []).extend(key for key, _ in refs)
                self.own_targets[res.id] = refs
            owner = self._owner_of(res)
            if owner is None:
                continue
            arns = props.get("ManagedPolicies" if res.type == PERMISSION_SET else "ManagedPolicyArns")
            if res.type in (SAM_FUNCTION, SAM_STATE_MACHINE):
                arns = props.get("Policies")
            for item in self._items(arns):
                mp = self._managed_policy_id(item)
                if mp is not None:
                    self.attach.setdefault(mp, []).append(owner)
            boundary = props.get("PermissionsBoundary")
            for alt in self.r.alternatives(boundary) if boundary is not None else ():
                mp = self._managed_policy_id(alt)
                if mp is not None:
                    self.boundaries.add(mp)

    def _owner_of(self, res: _Resource) -> str | None:
        """The principal a resource's own policies belong to (SAM: its implicit role)."""
        if res.type in PRINCIPAL_TYPES:
            return res.id
        if res.type in (SAM_FUNCTION, SAM_STATE_MACHINE) and res.id + "Role" in self.nodes:
            return res.id + "Role"
        return None

    def _items(self, node: Any) -> list:
        """The items of a list-valued property, through ``Fn::If`` at both levels."""
        out: list = []
        if node is None:
            return out
        for alt in self.r.alternatives(node):
            for item in alt if isinstance(alt, list) else [alt]:
                out.extend(self.r.alternatives(item))
        return out

    def _principal_refs(self, node: Any, kind: str) -> list[tuple[str, Any]]:
        """(principal key, the item naming it) for each principal a property names."""
        out = []
        for item in self._items(node):
            key = self._principal_key(item, kind)
            if key is not None:
                out.append((key, item))
        return out

    def _principal_ids(self, node: Any, kind: str) -> list[str]:
        return [key for key, _ in self._principal_refs(node, kind)]

    def _principal_key(self, node: Any, kind: str) -> str | None:
        """The principal a ``Ref`` or a name designates: one of the template, or external.

        A name that no principal of the template carries (``UserName: legacy-jenkins``), or
        a ``Ref`` to a parameter, designates a principal defined elsewhere: it becomes an
        external node, so that what this template attaches to it is still seen.
        """
        kinds = ("role", "function-role") if kind == "role" else (kind,)
        name = intrinsic_name(node)
        if name is not None and self.r.malformed(node):
            return None  # reported (IAM900): it names no principal
        if name == "Ref":
            target = next(iter(node.values()))
            if isinstance(target, str) and target in self.nodes and self.nodes[target].kind in kinds:
                return str(target)
            if isinstance(target, str) and (target in self.by_id or target in PSEUDO_PARAMETERS):
                return None  # another kind of resource: not a principal
            return self._external(kind, self.r.render(node), node)
        if isinstance(node, str):
            return self.names.get((kind, str(node))) or self._external(kind, str(node), node)
        if name is not None and name not in ("Fn::GetAtt", "Condition"):
            return self._external(kind, self.r.render(node), node)
        return None

    def _external(self, kind: str, address: str, node: Any) -> str | None:
        if not address:
            return None
        key = f"{kind} {address}"  # a space: never a logical id
        span = self.t.span(node)
        known = self.nodes.get(key)
        if known is None:
            self.nodes[key] = _Node(kind, address, span)
        elif (span.line, span.column) < (known.span.line, known.span.column):
            known.span = span  # located at its first mention in the file
        return key

    def _addresses(self, keys: Iterable[str]) -> list[str]:
        return [self.nodes[k].address for k in keys]

    def _managed_policy_id(self, node: Any) -> str | None:
        if intrinsic_name(node) == "Ref":
            target = next(iter(node.values()))
            res = self.by_id.get(target) if isinstance(target, str) else None
            if res is not None and res.type == MANAGED_POLICY:
                return res.id
        return None

    # -- documents -----------------------------------------------------------------------------
    def _origin(self, res: _Resource, path: str) -> Origin:
        return Origin(
            file=self.path,
            format=FORMAT,
            owner=self.prefix + res.id,
            owner_type=res.type,
            path=path,
            construct=res.construct,
        )

    def _build(
        self,
        res: _Resource,
        node: Any,
        kind: DocKind,
        path: str,
        principals: Iterable[str] = (),
        name: Value | None = None,
        policy_template: str | None = None,
    ) -> list[PolicyDocument]:
        """Every document a property holds (one per ``Fn::If`` branch), added to the output."""
        if node is None:
            return []
        docs = []
        principals = tuple(dict.fromkeys(self._addresses(principals)))
        managed = res.type == MANAGED_POLICY and path.endswith("PolicyDocument")
        single = res.type in SINGLE_RESOURCE_TYPES
        owned = self._owned(res)
        for d in self.r.documents(node):
            doc = self.builder.document(
                d,
                kind,
                self._origin(res, path),
                principals,
                name,
                managed=managed,
                single_resource=single,
                consume=owned,
            )
            if doc is not None:
                if policy_template is not None:
                    doc = replace(doc, policy_template=policy_template)
                docs.append(doc)
                self.ex.documents.append(doc)
        return docs

    def _owned(self, res: _Resource) -> Callable[[list], bool] | bool:
        """Which statement lists a document of ``res`` may let go once built: those written
        in its properties (nothing else reads them), not one of ``Mappings`` or another
        place that other documents reach through an intrinsic; none in a tree of aliases."""
        where = getattr(res.properties, "pos", None)
        if self.shared or where is None:
            return False
        start, end = (where[0], where[1]), (where[2], where[3])

        def owned(items: list) -> bool:
            p = getattr(items, "pos", None)
            return p is not None and start <= (p[0], p[1]) and (p[2], p[3]) <= end

        return owned

    def _name(self, node: Any) -> Value | None:
        if node is None:
            return None
        vals = self.r.values(node)
        return vals[0] if vals else None

    def _extract(self, res: _Resource) -> None:
        props = res.properties
        if res.type in POLICY_PROPERTIES:
            for prop, kind in POLICY_PROPERTIES[res.type]:
                for path, node in self._at(props, prop.split("."), "Properties"):
                    self._build(res, node, kind, path)
        if res.type in OPENAPI_BODIES:
            self._openapi(res, OPENAPI_BODIES[res.type])
        if res.type in PRINCIPAL_TYPES:
            self._principal(res)
        elif res.type in ATTACHED_POLICIES:
            self._attached_policy(res)
        elif res.type in (SAM_FUNCTION, SAM_STATE_MACHINE):
            self._sam_role(res)
        elif res.type == SAM_API:
            self._sam_api(res)
        elif res.type == "AWS::Organizations::Policy":
            ptype, content = props.get("Type"), props.get("Content")
            # a Type iamlint cannot resolve: the content's shape says SCP or RCP
            org_kind = ORG_POLICY_KINDS.get(ptype) if isinstance(ptype, str) else org_policy_kind(content)
            if org_kind is not None:  # else a tag, backup or AI opt-out policy: not IAM
                self._build(res, content, org_kind, "Properties.Content")
        elif res.type == STACK_SET:
            self._stack_set(res)
        elif res.type == LAMBDA_PERMISSION:
            from .permissions import lambda_permission

            doc = lambda_permission(self.t, self.r, props)
            if doc is not None:
                self._build(res, doc, DocKind.RESOURCE, "Properties")
        elif res.type == EVENT_BUS_POLICY:
            from .permissions import event_bus_policy

            found = event_bus_policy(self.t, self.r, props)
            if found is not None:
                self._build(res, found[1], DocKind.RESOURCE, found[0])
        elif res.type == "AWS::IAM::UserToGroupAddition":
            groups = self._addresses(self._principal_ids(props.get("GroupName"), "group"))
            for user in self._principal_ids(props.get("Users"), "user"):
                self.nodes[user].groups.extend(groups)
        elif res.type == "AWS::IAM::AccessKey":
            for user in self._principal_ids(props.get("UserName"), "user"):
                self.nodes[user].access_keys.append(res.span)

    def _openapi(self, res: _Resource, prop: str) -> None:
        """``x-amazon-apigateway-policy`` of the OpenAPI definition in ``Body`` or
        ``DefinitionBody``: the REST API's resource policy. A definition included with
        ``Fn::Transform`` (``AWS::Include``) lives elsewhere: named as not evaluated (IAM906)."""
        body = res.properties.get(prop)
        if body is None:
            return
        for alt in self.r.alternatives(body):
            if intrinsic_name(alt) == "Fn::Transform":
                self.t.diagnostics.append(
                    diagnostic(
                        UNRESOLVED_POLICY,
                        f"the OpenAPI definition in {prop} is {self._included(alt)}: its "
                        "x-amazon-apigateway-policy, the API's resource policy, is not checked",
                        self.t.span(alt),
                    )
                )
                continue
            if isinstance(alt, str):  # a JSON string: read only when it holds the extension
                definitions = [d for d in [self._openapi_string(alt, prop)] if d is not None]
            else:
                definitions = self.r.documents(alt)
            for definition in definitions:
                if OPENAPI_POLICY in definition:
                    self._build(
                        res,
                        definition[OPENAPI_POLICY],
                        DocKind.RESOURCE,
                        f"Properties.{prop}.{OPENAPI_POLICY}",
                    )

    def _openapi_string(self, text: str, prop: str) -> dict | None:
        if OPENAPI_POLICY not in text:
            return None
        from ...parse.json_parser import parse_json

        emb = self.r.embedded(text)
        if emb is None:
            return None
        try:
            found = parse_json(emb.value, mapper=emb.mapper(self.t.lines))
        except PositionedError as e:
            self.t.error(f"the OpenAPI definition in {prop} is not valid JSON: {e.message}", e.line, e.column)
            return None
        return found if isinstance(found, dict) else None

    def _included(self, node: Any) -> str:
        """How a message names a ``Fn::Transform``: ``included from s3://b/api.yaml by
        AWS::Include``, or its source text."""
        arg = next(iter(node.values()))
        if isinstance(arg, dict):
            name, params = arg.get("Name"), arg.get("Parameters")
            location = params.get("Location") if isinstance(params, dict) else None
            if isinstance(name, str) and isinstance(location, str):
                return f"included from {location} by {name}"
        return f"made by {self.r.render(node)}"

    def _stack_set(self, res: _Resource) -> None:
        """The template of a stack set (``TemplateBody``), linted as a template of its own whose
        owners are named ``StackSet/LogicalId``, with positions in this file (see `nested`)."""
        from .nested import BodyError, read_body

        body = res.properties.get("TemplateBody")
        for alt in self.r.alternatives(body) if body is not None else ():
            text = alt
            if intrinsic_name(alt) == "Fn::Sub":  # the template, with the stack set's values
                arg = next(iter(alt.values()))
                text = arg[0] if isinstance(arg, list) and arg else arg
            if not isinstance(text, str):
                continue  # a parameter, an unknown tag (IAM907): not known here
            emb = self.r.embedded(text)
            if emb is None or not emb.value.strip():
                continue
            if self.depth >= MAX_NESTING:
                self.t.diagnostics.append(
                    diagnostic(
                        UNRESOLVED_POLICY,
                        f"stack sets nested deeper than {MAX_NESTING} levels: this TemplateBody is not read",
                        self.t.span(text),
                    )
                )
                continue
            try:
                root, problems = read_body(emb.value, emb.mapper(self.t.lines))
            except BodyError as e:
                self.t.error(
                    f"the TemplateBody of this stack set is not a template: {e.message}", e.line, e.column
                )
                continue
            if not is_cfn_template(root) or not isinstance(root.get("Resources"), dict):
                self.t.error_at(
                    "the TemplateBody of this stack set is not a template: it declares no resource with a Type",
                    text,
                )
                continue
            # its YAML may share nodes through aliases: read as such
            inner = _Extractor(
                self.path, self.t.text, root, f"{self.prefix}{res.id}/", self.depth + 1, shared=True
            ).run()
            inner.diagnostics[:0] = [_problem(self.path, p) for p in problems]
            self.inner.append(inner)

    def _at(self, node: Any, parts: list[str], path: str) -> Iterator[tuple[str, Any]]:
        """(property path, node) of what a `POLICY_PROPERTIES` path names below ``node``:
        ``ResourcePolicy.PolicyDocument``, ``Replicas[].ResourcePolicy.PolicyDocument`` (each
        item of a list), through ``Fn::If`` at every level but the last (`_build` reads
        that one's)."""
        if not parts:
            yield path, node
            return
        head, rest = parts[0], parts[1:]
        key = head.removesuffix("[]")
        for alt in self.r.alternatives(node):
            if not isinstance(alt, dict) or intrinsic_name(alt) is not None or key not in alt:
                continue
            if head.endswith("[]"):
                for i, item in enumerate(self._items(alt[key])):
                    yield from self._at(item, rest, f"{path}.{key}[{i}]")
            else:
                yield from self._at(alt[key], rest, f"{path}.{key}")

    def _principal(self, res: _Resource) -> None:
        props = res.properties
        node = self.nodes[res.id]
        if res.type == ROLE:
            trust = self._build(
                res,
                props.get("AssumeRolePolicyDocument"),
                DocKind.TRUST,
                "Properties.AssumeRolePolicyDocument",
                (res.id,),
            )
            node.trust = trust[0] if trust else None
        if res.type == PERMISSION_SET:
            node.inline.extend(
                self._build(
                    res, props.get("InlinePolicy"), DocKind.IDENTITY, "Properties.InlinePolicy", (res.id,)
                )
            )
            for item in self._items(props.get("CustomerManagedPolicyReferences")):
                if isinstance(item, dict) and "Name" in item:
                    for v in self.r.values(item["Name"]):
                        node.managed.append(managed_ref(v, FORMAT))
        else:
            node.inline.extend(self._inline_policies(res, props.get("Policies"), (res.id,)))
        if res.type == USER:
            node.groups.extend(self._addresses(self._principal_ids(props.get("Groups"), "group")))
        arns = props.get("ManagedPolicies" if res.type == PERMISSION_SET else "ManagedPolicyArns")
        for item in self._items(arns):
            node.managed.extend(self._managed_refs(item))
        node.boundary_node = props.get("PermissionsBoundary")

    def _inline_policies(
        self, res: _Resource, node: Any, principals: tuple[str, ...]
    ) -> list[PolicyDocument]:
        """``Policies: [{PolicyName, PolicyDocument}]`` of a role, user or group."""
        docs: list[PolicyDocument] = []
        if node is None:
            return docs
        for alt in self.r.alternatives(node):
            if not isinstance(alt, list):
                continue
            for i, item in enumerate(alt):
                for entry in self.r.alternatives(item):
                    if isinstance(entry, dict) and intrinsic_name(entry) is None:
                        docs.extend(
                            self._build(
                                res,
                                entry.get("PolicyDocument"),
                                DocKind.IDENTITY,
                                f"Properties.Policies[{i}].PolicyDocument",
                                principals,
                                self._name(entry.get("PolicyName")),
                            )
                        )
        return docs

    def _attached_policy(self, res: _Resource) -> None:
        props = res.properties
        targets = self.attach.get(res.id, [])
        kind = DocKind.IDENTITY
        if res.type == MANAGED_POLICY and res.id in self.boundaries and not targets:
            kind = DocKind.BOUNDARY
        name_prop = "ManagedPolicyName" if res.type == MANAGED_POLICY else "PolicyName"
        docs = self._build(
            res,
            props.get("PolicyDocument"),
            kind,
            "Properties.PolicyDocument",
            targets,
            self._name(props.get(name_prop)),
        )
        self.policy_docs[res.id] = docs
        if res.type == MANAGED_POLICY:
            return  # attached as a managed policy in _assemble
        for key in dict.fromkeys(targets):
            self.nodes[key].inline.extend(docs)

    def _managed_refs(self, node: Any) -> list[ManagedPolicyRef | _PendingRef]:
        """A managed policy ARN or ``Ref`` (to a customer managed policy of the template)."""
        mp = self._managed_policy_id(node)
        if mp is not None:
            return [_PendingRef(mp, node)]  # its document may come later in the template
        return [self._managed_ref(v) for v in self.r.values(node)]

    def _managed_ref(self, value: Value, boundary: bool = False, bare_name: bool = False) -> ManagedPolicyRef:
        """An attached ARN (or SAM ``Policies`` name), an AWS managed policy's resolved (see
        `managed_ref`)."""
        value = with_pseudo(value, pseudo_parts)
        return managed_ref(
            value, FORMAT, boundary=boundary, bare_name=bare_name, diagnostics=self.t.diagnostics
        )

    def _boundary(self, node: Any) -> ManagedPolicyRef | None:
        if node is None:
            return None
        for alt in self.r.alternatives(node):
            if isinstance(alt, dict) and intrinsic_name(alt) is None:  # SSO permission set form
                if "ManagedPolicyArn" in alt:
                    return self._boundary(alt["ManagedPolicyArn"])
                ref = alt.get("CustomerManagedPolicyReference")
                if isinstance(ref, dict) and "Name" in ref:
                    vals = self.r.values(ref["Name"])
                    return managed_ref(vals[0], FORMAT) if vals else None
                continue
            mp = self._managed_policy_id(alt)
            if mp is not None:
                return self._customer_ref(mp, Unknown(self.r.render(alt), self.t.span(alt)))
            for v in self.r.values(alt):
                return self._managed_ref(v, boundary=True)
        return None

    # -- SAM -----------------------------------------------------------------------------------
    def _sam_role(self, res: _Resource) -> None:
        """``Policies`` of a SAM function or state machine, for its implicit role."""
        props = res.properties
        address = res.id + "Role"
        node = self.nodes.get(address)
        principals = (address,) if node is not None else ()
        if node is not None:
            trust = self._build(
                res,
                props.get("AssumeRolePolicyDocument"),
                DocKind.TRUST,
                "Properties.AssumeRolePolicyDocument",
                principals,
            )
            node.trust = trust[0] if trust else None
            node.boundary_node = props.get("PermissionsBoundary")
        policies = props.get("Policies")
        if policies is None:
            return
        statements: list = []
        for alt in self.r.alternatives(policies):
            items = alt if isinstance(alt, list) else [alt]
            for i, item in enumerate(items):
                path = f"Properties.Policies[{i}]" if isinstance(alt, list) else "Properties.Policies"
                for entry in self.r.alternatives(item):
                    self._sam_policy(res, entry, path, principals, node, statements)
        if statements:
            pos = getattr(policies, "pos", (0, 0, 0, 0))
            body = PList(pos)
            body.extend(statements)
            doc = PDict(pos)
            doc[PStr("Statement", pos)] = body
            docs = self._build(res, doc, DocKind.IDENTITY, "Properties.Policies", principals)
            if node is not None:
                node.inline.extend(docs)

    def _sam_policy(
        self,
        res: _Resource,
        entry: Any,
        path: str,
        principals: tuple[str, ...],
        node: _Node | None,
        statements: list,
    ) -> None:
        managed: list[ManagedPolicyRef | _PendingRef] = []
        if isinstance(entry, str):
            managed.append(self._managed_ref(Str(str(entry), self.t.span(entry)), bare_name=True))
        elif intrinsic_name(entry) is not None:
            managed.extend(self._managed_refs(entry))
        elif isinstance(entry, dict):
            if "Statement" in entry:
                docs = self._build(res, entry, DocKind.IDENTITY, path, principals)
                if node is not None:
                    node.inline.extend(docs)
            elif any(k in entry for k in ("Effect", "Action", "NotAction")):
                statements.append(entry)
            elif len(entry) == 1:  # a policy template: {S3ReadPolicy: {BucketName: x}}
                from .sam import expand

                key = next(iter(entry))
                doc = expand(self.t, self.r, key, entry[key])
                docs = self._build(
                    res, doc, DocKind.IDENTITY, f"{path}.{key}", principals, policy_template=str(key)
                )
                if node is not None:
                    node.inline.extend(docs)
            else:
                self.t.error_at(
                    "a Policies entry is a managed policy name or ARN, a policy document with a Statement, "
                    "or one policy template such as {S3ReadPolicy: {BucketName: ...}}: SAM rejects this "
                    "one at deploy",
                    entry,
                )
        if node is not None:
            node.managed.extend(managed)

    def _sam_api(self, res: _Resource) -> None:
        """``Auth.ResourcePolicy.CustomStatements`` of a SAM API: a resource policy. The
        statements SAM writes from its other keys (``IpRangeBlacklist``, ...) on each method
        are named as not evaluated (IAM906)."""
        auth = res.properties.get("Auth")
        rp = auth.get("ResourcePolicy") if isinstance(auth, dict) else None
        for key in rp if isinstance(rp, dict) and intrinsic_name(rp) is None else ():
            if key != "CustomStatements" and str(key) in SAM_RESOURCE_POLICY_KEYS:
                self.t.diagnostics.append(
                    diagnostic(
                        UNRESOLVED_POLICY,
                        f"SAM writes this API's resource policy statements from {key}: iamlint does not "
                        "evaluate them (CustomStatements it does)",
                        self.t.span(key),
                    )
                )
        custom = rp.get("CustomStatements") if isinstance(rp, dict) else None
        if custom is None:
            return
        pos = getattr(custom, "pos", (0, 0, 0, 0))
        doc = PDict(pos)
        doc[PStr("Statement", pos)] = custom
        self._build(res, doc, DocKind.RESOURCE, "Properties.Auth.ResourcePolicy.CustomStatements")

    # -- the graph -----------------------------------------------------------------------------
    def _assemble(self) -> None:
        """Resolve references to customer managed policies, attach them, freeze the graph."""
        # principal -> (managed policy, the item of its Roles/Users/Groups naming the principal)
        attached: dict[str, list[tuple[str, Any]]] = {}
        for mp, refs in self.own_targets.items():
            if self.by_id[mp].type == MANAGED_POLICY:
                for key, item in refs:
                    attached.setdefault(key, []).append((mp, item))
        for key, node in self.nodes.items():
            seen: set[str] = set()
            for i, m in enumerate(node.managed):
                if isinstance(m, _PendingRef):
                    seen.add(m.policy)
                    value = Unknown(self.r.render(m.node), self.t.span(m.node))
                    node.managed[i] = self._customer_ref(m.policy, value)
            for mp, item in attached.get(key, ()):
                if mp not in seen:
                    seen.add(mp)
                    # located where the attachment is written: the policy's list item
                    value = Unknown(
                        f"!Ref {mp}", self.t.span(item), "customer managed policy of this template"
                    )
                    node.managed.append(self._customer_ref(mp, value))
            if node.boundary_node is not None:
                node.boundary = self._boundary(node.boundary_node)
        self.ex.principals = [
            n.freeze()
            for n in sorted(self.nodes.values(), key=lambda n: (n.span.line, n.span.column, n.address))
        ]

    def _customer_ref(self, policy: str, value: Value) -> ManagedPolicyRef:
        docs = self.policy_docs.get(policy)
        return managed_ref(value, FORMAT, document=docs[0] if docs else None)
