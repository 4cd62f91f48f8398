"""The attachment graph as every extractor assembles it, and what an attached ARN names.

`PrincipalNode` is a principal being assembled (the model's `IAMPrincipal` is frozen); the
CloudFormation, Terraform and plan extractors fill the same node, so the graph means the
same thing whatever the input. `managed_policy_name` is the one reading of an AWS managed
policy ARN, and `managed_ref` the one way every extractor turns an attached ARN (or a SAM
``Policies`` name) into a `ManagedPolicyRef`: an AWS managed policy is looked up in the
offline index (`iamlint.managed`, read only when a file attaches one) and its document built
by the model builder, every value located at the ARN or name the user wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..builder import DocumentBuilder
from ..diagnostics import internal_error
from ..model import (
    DocKind,
    Finding,
    IAMPrincipal,
    ManagedPolicyRef,
    Origin,
    PolicyDocument,
    Span,
    Str,
    Value,
)

_PARTITION = re.compile(r"^aws(-cn|-us-gov|-iso[a-z-]*|-eusc)?$")


@dataclass
class PrincipalNode:
    """A role, user, group or permission set while its policies are being attached."""

    kind: str  # "role", "user", "group", "permission-set", "function-role"
    address: str
    span: Span  # its definition, or where a principal defined elsewhere is first named
    trust: PolicyDocument | None = None
    inline: list[PolicyDocument] = field(default_factory=list)
    managed: list[Any] = field(default_factory=list)  # ManagedPolicyRef (or an extractor's pending ref)
    boundary: ManagedPolicyRef | None = None
    groups: list[str] = field(default_factory=list)
    access_keys: list[Span] = field(default_factory=list)
    inline_at: list[Span | None] = field(default_factory=list)
    inline_when: list[str | None] = field(default_factory=list)

    def attach_inline(self, docs: Iterable[PolicyDocument], at: Span | None, when: str | None = None) -> None:
        """Add inline policies attached by the block at ``at`` (see `IAMPrincipal.inline_at`):
        one whose document lies outside that block is placed at the block. ``when``: what
        the block's creation depends on (`IAMPrincipal.inline_when`)."""
        self.inline_at.extend([None] * (len(self.inline) - len(self.inline_at)))
        self.inline_when.extend([None] * (len(self.inline) - len(self.inline_when)))
        for d in docs:
            self.inline.append(d)
            inside = at is not None and d.span.file == at.file and at.line <= d.span.line <= at.end_line
            self.inline_at.append(None if at is None or inside else at)
            self.inline_when.append(when)

    def freeze(self) -> IAMPrincipal:
        """The model's principal (pending references the extractor did not resolve are left out)."""
        return IAMPrincipal(
            kind=self.kind,
            address=self.address,
            span=self.span,
            file=self.span.file,
            trust=self.trust,
            inline=tuple(self.inline),
            managed=tuple(m for m in self.managed if isinstance(m, ManagedPolicyRef)),
            boundary=self.boundary,
            groups=tuple(dict.fromkeys(self.groups)),
            access_keys=tuple(self.access_keys),
            inline_at=tuple(self.inline_at) if any(a is not None for a in self.inline_at) else (),
            inline_when=tuple(self.inline_when) if any(w is not None for w in self.inline_when) else (),
        )


def principal_nodes(
    nodes: dict[tuple[str, str], PrincipalNode], kind: str, refs: Iterable[tuple[str, Span | None]]
) -> list[PrincipalNode]:
    """The graph nodes that (address, where) references name, in order, without repeats.

    A principal the module or plan does not define (a literal user name, ``var.role``) gets
    a node of its own, located where it is named; one with no location is left out.
    """
    out: list[PrincipalNode] = []
    for address, where in refs:
        n = nodes.get((kind, address))
        if n is None:
            if where is None:
                continue
            n = nodes[(kind, address)] = PrincipalNode(kind, address, where)
        if n not in out:
            out.append(n)
    return out


def managed_policy_name(value: Value) -> str | None:
    """``AdministratorAccess`` for ``arn:<partition>:iam::aws:policy/[path/]AdministratorAccess``.

    The partition may be a literal one or the format's spelling of "this partition"
    (``${AWS::Partition}``, ``data.aws_partition.X.partition``).
    """
    if not isinstance(value, Str):
        return None
    parts = value.canonical().split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] != "" or parts[4] != "aws":
        return None
    if not _PARTITION.match(parts[1]) or not parts[5].startswith("policy/"):
        return None
    return parts[5].rsplit("/", 1)[-1] or None


#: an IAM policy name: 1 to 128 of these characters (IAM API reference, CreatePolicy)
_POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}")


def managed_ref(
    value: Value,
    fmt: str,
    *,
    boundary: bool = False,
    bare_name: bool = False,
    document: PolicyDocument | None = None,
    diagnostics: list[Finding] | None = None,
) -> ManagedPolicyRef:
    """The reference an attached managed policy ARN (or name) makes, resolved when iamlint can.

    ``document``: the customer managed policy of the same template or module that the value
    names, when the extractor found it. An AWS managed policy ARN, in any partition
    (``arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess``), or with ``bare_name`` a
    plain name (SAM ``Policies: [AmazonS3ReadOnlyAccess]``), resolves to the policy's
    document in the index: kind identity, or boundary for a permissions ``boundary``, in the
    extractor's format ``fmt``. A name the index does not have keeps ``name`` as written and
    no document (IAM501 says so). A value that is not literal stays unresolved. When the
    index cannot be read, one IAM903 goes to ``diagnostics`` and the reference stays
    unresolved.
    """
    if document is not None:
        return ManagedPolicyRef(value, None, document)
    name = managed_policy_name(value)
    arn = name is not None
    if name is None and bare_name and isinstance(value, Str) and not value.value.startswith("arn:"):
        name = value.value.strip().rsplit("/", 1)[-1] or None
    if name is None or not isinstance(value, Str):
        return ManagedPolicyRef(value)
    if not _POLICY_NAME.fullmatch(name):
        return ManagedPolicyRef(value, name)  # no policy has such a name: IAM501 says so
    from ..managed import ManagedPolicyError, get

    try:
        index = get()
        policy = index.by_arn(value.canonical()) if arn else index.lookup(name)
    except ManagedPolicyError as e:
        if diagnostics is not None and not any(str(e) in d.message for d in diagnostics):
            diagnostics.append(internal_error(value.span, str(e)))
        return ManagedPolicyRef(value, name)
    if policy is None:
        return ManagedPolicyRef(value, name)
    kind = DocKind.BOUNDARY if boundary else DocKind.IDENTITY
    return ManagedPolicyRef(
        value,
        policy.name,
        _aws_document(policy.name, policy.document, value.span, fmt, kind),
        policy.path or "",
    )


def _aws_document(
    name: str, document: dict[str, Any], at: Span, fmt: str, kind: DocKind
) -> PolicyDocument | None:
    """An AWS managed policy's document as the model builder builds any document, from the
    index's JSON: plain values without positions, so that every one of them stands at ``at``."""
    origin = Origin(file=at.file, format=fmt, owner=name, owner_type="AWS managed policy")
    doc = DocumentBuilder(at.file, fallback=at).document(document, kind, origin, name=Str(name, at))
    return None if doc is None else replace(doc, aws_managed=name)
