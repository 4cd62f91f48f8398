"""Raw JSON policy files.

A file whose top-level object is a policy document (it has ``Statement``), or that wraps one
under the keys the AWS CLI and SDKs use: ``PolicyDocument``, ``Document``,
``AssumeRolePolicyDocument`` (a trust policy), ``PolicyVersion.Document``. A wrapped document
may also be a JSON string, as ``aws iam get-policy-version`` prints it URL-decoded.
"""

from __future__ import annotations

from typing import Any

from ..builder import DocumentBuilder
from ..model import DocKind, Origin
from .extraction import Extraction, duplicate_keys

WRAPPERS = (
    (("PolicyDocument",), DocKind.UNKNOWN),
    (("Document",), DocKind.UNKNOWN),
    (("AssumeRolePolicyDocument",), DocKind.TRUST),
    (("PolicyVersion", "Document"), DocKind.UNKNOWN),
    (("Policy", "PolicyDocument"), DocKind.UNKNOWN),
    (("Role", "AssumeRolePolicyDocument"), DocKind.TRUST),
)


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


def guess_kind(node) -> DocKind:
    """A raw policy's kind from its statements: Principal means a resource or trust policy."""
    stmts = node.get("Statement")
    items = stmts if isinstance(stmts, list) else [stmts]
    if looks_like_endpoint_policy(items):
        return DocKind.ENDPOINT
    has_principal = False
    for s in items:
        if isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s):
            has_principal = True
            action = s.get("Action")
            acts = action if isinstance(action, list) else [action]
            if any(isinstance(a, str) and a.lower().startswith("sts:assumerole") for a in acts):
                return DocKind.TRUST
    return DocKind.RESOURCE if has_principal else DocKind.IDENTITY


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


def find_documents(root):
    """Yield (node, kind, path) for each policy document in a raw JSON file."""
    if not isinstance(root, dict):
        return
    if "Statement" in root:
        yield root, guess_kind(root), ""
        return
    for keys, kind in WRAPPERS:
        node: Any = root
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict) and "Statement" in node:
            yield node, (guess_kind(node) if kind is DocKind.UNKNOWN else kind), ".".join(keys)


def extract(path: str, root) -> Extraction | None:
    found = list(find_documents(root))
    if not found:
        return None
    out = Extraction("json")
    out.diagnostics.extend(duplicate_keys(path, root))
    builder = DocumentBuilder(path)
    for node, kind, prop in found:
        doc = builder.document(
            node,
            kind,
            Origin(file=path, format="json", path=prop),
            single_resource=looks_single_resource(node, kind),
            consume=True,  # nothing reads the tree after its documents are built
        )
        if doc is not None:
            out.documents.append(doc)
    return out
