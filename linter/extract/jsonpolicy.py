"""Raw JSON policy files.

A file whose top-level object is a policy document (it has ``Statement``), or that wraps one
under the keys the AWS CLI and SDKs use: ``PolicyDocument``, ``Document``,
``AssumeRolePolicyDocument`` (a trust policy), ``PolicyVersion.Document``,
``Policy.PolicyDocument``, ``Role.AssumeRolePolicyDocument``.

A wrapped document may also be a JSON *string* that holds the document, as the AWS CLI
prints it for some calls (``{"PolicyVersion": {"Document": "{\\"Statement\\": ...}"}}``). It
is read with its positions mapped through the string's escapes, so that a finding points at
the character of the file (an escaped character at its backslash). Some versions of
``aws iam get-role`` print ``AssumeRolePolicyDocument`` URL-encoded (``"%7B%22Version%22..."``):
it is decoded and read, but a place in the decoded text has no exact place in the file, so
every finding in such a document is reported at the string's start (its opening quote). A
wrapped string that does not hold a JSON object is an IAM900 (at the error in it when its
JSON is broken, else at the string). Under the bare ``Document`` key, a common word, only a
string that looks like a JSON object (``{`` or ``%7B``) is taken for a policy.

A raw file does not say what kind of policy it holds: `guess_kind` reads it from the
document's shape, and a ``[tool.iamlint.kinds]`` glob that matches the file's path replaces
that guess (``kind`` of `extract`). The wrappers that name a trust policy
(``AssumeRolePolicyDocument``) keep saying so.
"""

from __future__ import annotations

import re
from typing import Any

from ..builder import DocumentBuilder
from ..diagnostics import PARSE_ERROR, diagnostic, parse_error
from ..model import DocKind, Input, Origin, Span, Unknown, Value
from ..parse.json_parser import offsets_mapper, parse_json, string_at
from ..positions import LineIndex, PositionedError
from .extraction import Extraction, duplicate_keys

WRAPPERS = (
    (("PolicyDocument",), DocKind.UNKNOWN),
    (("Document",), DocKind.UNKNOWN),
    (("AssumeRolePolicyDocument",), DocKind.TRUST),
    (("PolicyVersion", "Document"), DocKind.UNKNOWN),
    (("Policy", "PolicyDocument"), DocKind.UNKNOWN),
    (("Role", "AssumeRolePolicyDocument"), DocKind.TRUST),
)
#: wrappers whose key is a common word: a string under them is a policy only if it looks like one
_AMBIGUOUS = {("Document",)}


def _is_star(v) -> bool:
    return v == "*" or (isinstance(v, list) and len(v) == 1 and v[0] == "*")


def looks_like_endpoint_policy(items: list) -> bool:
    """The shape of a VPC endpoint policy: every statement open to ``"*"``, and one of them
    allowing ``"Action": "*"`` on ``"Resource": "*"`` (full access through the endpoint,
    filtered by conditions). No bucket or queue policy can say that, and a KMS key policy
    grants ``kms:`` actions.
    """
    full = False
    for s in items:
        if not isinstance(s, dict):
            return False
        p = s.get("Principal")
        if not (_is_star(p) or (isinstance(p, dict) and set(p) == {"AWS"} and _is_star(p["AWS"]))):
            return False
        if _is_star(s.get("Action")) and _is_star(s.get("Resource")):
            full = True
    return full


def _items(value) -> list:
    return value if isinstance(value, list) else [value]


def looks_like_rcp(items: list) -> bool:
    """The shape of a resource control policy (AWS Organizations, "RCP syntax"): every
    statement denies, to ``"Principal": "*"``, actions of the services RCPs apply to (or
    ``"*"``), on ``"Resource": "*"``. A bucket or queue policy names its resource; a key
    policy that only denies would lock everyone out of the key.
    """
    from ..data import rcp_services

    if not items:
        return False
    services = rcp_services()
    for s in items:
        if not isinstance(s, dict) or s.get("Effect") != "Deny" or s.get("Principal") != "*":
            return False
        if "NotAction" in s or "NotPrincipal" in s or not _is_star(s.get("Resource")):
            return False
        for a in _items(s.get("Action")):
            if not isinstance(a, str) or (a != "*" and a.split(":", 1)[0].lower() not in services):
                return False
    return True


def guess_kind(node) -> DocKind:
    """A raw policy's kind from its statements (``[tool.iamlint.kinds]`` overrides it).

    A VPC endpoint policy or a resource control policy by their shapes (see
    `looks_like_endpoint_policy`, `looks_like_rcp`); else a document with a ``Principal``
    is a trust policy when it allows or denies ``sts:AssumeRole*`` and has no ``Resource``
    anywhere (a trust policy has none: a document with both a Principal and a Resource is
    a resource policy, never a trust policy), a resource policy otherwise; a document
    without a Principal is an identity policy.
    """
    items = _items(node.get("Statement"))
    if looks_like_endpoint_policy(items):
        return DocKind.ENDPOINT
    if looks_like_rcp(items):
        return DocKind.RCP
    has_principal = assumes = has_resource = False
    for s in items:
        if not isinstance(s, dict):
            continue
        has_resource = has_resource or "Resource" in s or "NotResource" in s
        if "Principal" in s or "NotPrincipal" in s:
            has_principal = True
            if any(
                isinstance(a, str) and a.lower().startswith("sts:assumerole") for a in _items(s.get("Action"))
            ):
                assumes = True
    if not has_principal:
        return DocKind.IDENTITY
    return DocKind.TRUST if assumes and not has_resource else DocKind.RESOURCE


def org_policy_kind(content) -> DocKind:
    """The kind of an AWS Organizations policy whose type is not known (a parameter, a
    variable): a resource control policy names its principals (``"Principal": "*"``), a
    service control policy never does. ``content`` is the document, a JSON string or an
    expression holding one; a ``Principal`` anywhere in it means an RCP."""
    stack = [content]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "Principal" in node or "NotPrincipal" in node:
                return DocKind.RCP
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and '"Principal"' in node:
            return DocKind.RCP
    return DocKind.SCP


#: services of the policies attached to one resource (a key, a secret, a repository, ...)
SINGLE_RESOURCE_SERVICES = {
    "kms",
    "secretsmanager",
    "ecr",
    "ecr-public",
    "elasticfilesystem",
    "backup",
    "codeartifact",
}


def looks_single_resource(node, kind: DocKind) -> bool:
    """A raw resource policy whose every action belongs to one single-resource service
    (a KMS key policy, a secret's policy): its "*" Resource means that resource."""
    if kind not in (DocKind.RESOURCE, DocKind.UNKNOWN):
        return False
    stmts = node.get("Statement")
    services = set()
    for s in stmts if isinstance(stmts, list) else [stmts]:
        a = s.get("Action") if isinstance(s, dict) else None
        for x in a if isinstance(a, list) else [a]:
            if isinstance(x, str):
                services.add(x.split(":", 1)[0].lower())
    return len(services) == 1 and services <= SINGLE_RESOURCE_SERVICES


def _looks_like_json(value: str) -> bool:
    body = value.lstrip()
    return body.startswith("{") or body[:3].upper() == "%7B"


def find_documents(root, kind: DocKind | None = None):
    """Yield (node, kind, path) for each policy document in a raw JSON file; ``node`` is the
    document, or the string that holds it (see the module's docstring). ``kind`` replaces
    the shape guess (a wrapper that names its kind keeps it); a string's kind stays
    ``UNKNOWN`` until it is read."""
    if not isinstance(root, dict):
        return
    if "Statement" in root:
        yield root, kind or guess_kind(root), ""
        return
    for keys, named in WRAPPERS:
        node: Any = root
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if named is DocKind.UNKNOWN and kind is not None:
            named = kind
        if isinstance(node, dict) and "Statement" in node:
            yield node, (guess_kind(node) if named is DocKind.UNKNOWN else named), ".".join(keys)
        elif isinstance(node, str) and (keys not in _AMBIGUOUS or _looks_like_json(node)):
            yield node, named, ".".join(keys)


def _json_kind(v: Any) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return "a string"
    return "a number, boolean or null"


def read_string(path: str, text: str | None, lines: LineIndex | None, s: str, where: str, out: Extraction):
    """The document a wrapped string holds (positional nodes in the file), or None with an
    IAM900 in ``out`` when it holds none."""
    pos = getattr(s, "pos", None) or (1, 1, 1, 2)
    start = (pos[0], pos[1])
    value = str(s)
    got = string_at(text, lines.offset(*start)) if text is not None and lines is not None else None

    def at_start(line: int, column: int) -> tuple[int, int]:
        return start

    mapper = (
        offsets_mapper(got[0], got[1], lines) if got is not None and got[0] == value and lines else at_start
    )
    what = f"the {where} string"
    if value.lstrip()[:3].upper() == "%7B":
        from urllib.parse import unquote

        value, mapper, what = unquote(value), at_start, f"the URL-encoded {where} string"
    if not value.strip():
        out.diagnostics.append(parse_error(path, f"{what} is empty: it holds no policy document", *start))
        return None
    recovered: list[PositionedError] = []
    try:
        node = parse_json(value, mapper=mapper, recovered=recovered)
    except PositionedError as e:
        out.diagnostics.append(parse_error(path, f"invalid JSON in {what}: {e.message}", e.line, e.column))
        return None
    out.diagnostics.extend(
        parse_error(path, f"invalid JSON in {what}: {e.message}", e.line, e.column) for e in recovered
    )
    if not isinstance(node, dict):
        p = getattr(node, "pos", None) or (*start, *start)
        out.diagnostics.append(
            diagnostic(
                PARSE_ERROR,
                f"{what} must hold a JSON object (a policy document), not {_json_kind(node)}",
                Span(path, *p),
            )
        )
        return None
    out.diagnostics.extend(duplicate_keys(path, node))
    return node


#: a template placeholder, ``${account_number}``: a name without the colon every IAM policy
#: variable has (``${aws:username}``, ``${s3:prefix}``; ``${*}``, ``${?}``, ``${$}`` are
#: IAM's escapes), as Terraform's ``templatefile()`` and other template tools fill them
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_-]*)\}")


def placeholder_value(node: Any, span: Span) -> list[Value] | None:
    """A string with template placeholders is an `Unknown` whose ``shape`` is the string and
    whose ``inputs`` are its placeholders (a "template variable" each, see `Input`): what
    fills them is decided where the file is rendered, not in it. None for any other node
    (the builder's default)."""
    if not isinstance(node, str) or "${" not in node:
        return None
    names = dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(node))
    if not names:
        return None
    text = str(node)
    inputs = tuple((spelled, Input("template variable", spelled[2:-1])) for spelled in names)
    return [Unknown(text, span, "", text, inputs)]


#: what an AWS managed policy's name may be: IAM's policy name characters, and every one of
#: AWS's begins with a capital (``policy.json``, ``s3-read.json`` never load the index)
_POLICY_NAME = re.compile(r"[A-Z][\w+=,.@-]{0,127}")


def aws_managed_kind(path: str, node) -> DocKind | None:
    """The kind of an AWS managed policy a raw JSON file is a copy of, exactly: the file's
    name (its stem) names a policy of the offline index and the document is that policy's.
    A permissions boundary (`ManagedPolicy.is_permissions_boundary`) is ``BOUNDARY``; None
    for any other file. The index is read only for a file whose stem could be a name."""
    import os

    stem = os.path.splitext(os.path.basename(path))[0]
    if not _POLICY_NAME.fullmatch(stem):
        return None
    from .. import managed

    try:
        policy = managed.get().lookup(stem)
    except managed.ManagedPolicyError:
        return None
    if policy is None or not policy.is_permissions_boundary:
        return None
    from ..parse.nodes import to_plain

    return DocKind.BOUNDARY if to_plain(node) == policy.document else None


def extract(path: str, root, text: str | None = None, kind: DocKind | None = None) -> Extraction | None:
    """The policy documents of a raw JSON file already parsed with positions (``text``, the
    file's text, maps positions inside documents wrapped as strings); ``kind``, from the
    configuration, replaces the shape guess."""
    found = list(find_documents(root, kind))
    if not found:
        return None
    out = Extraction("json")
    out.diagnostics.extend(duplicate_keys(path, root))
    builder = DocumentBuilder(path, scalar=lambda node: placeholder_value(node, builder.span(node)))
    lines = LineIndex(text) if text is not None and any(isinstance(f[0], str) for f in found) else None
    for node, found_kind, prop in found:
        if kind is None and not prop and found_kind is DocKind.IDENTITY:
            found_kind = aws_managed_kind(path, node) or found_kind
        if isinstance(node, str):
            node = read_string(path, text, lines, node, prop, out)
            if node is None:
                continue
            found_kind = guess_kind(node) if found_kind is DocKind.UNKNOWN else found_kind
        doc = builder.document(
            node,
            found_kind,
            Origin(file=path, format="json", path=prop),
            single_resource=looks_single_resource(node, found_kind),
            consume=True,  # nothing reads the tree after its documents are built
        )
        if doc is not None:
            out.documents.append(doc)
    return out
