"""The attachment graph as every extractor assembles it, and what an attached ARN names.

`PrincipalNode` is a principal being assembled (the model's `IAMPrincipal` is frozen); the
CloudFormation, Terraform and plan extractors fill the same node, so the graph means the
same thing whatever the input. `managed_policy_name` is the one reading of an AWS managed
policy ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import IAMPrincipal, ManagedPolicyRef, PolicyDocument, Span, Str, Value

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
