"""Terraform nodes as model values: the model builder for them, and "this account"."""

from __future__ import annotations

import re
from typing import Any

from ...builder import DocumentBuilder, source_text, with_pseudo
from ...model import Principal, PrincipalEntry, Pseudo, Span, Str, Unknown, Value
from ...parse.nodes import PScalar, pos_of
from .text import Node, PartialDict, TDict, TStr, UnknownNode, node_file, span_of
from .types import PSEUDO

_PSEUDO = re.compile(r"\$\{\s*data\.(aws_caller_identity|aws_partition|aws_region)\.[^{}]*?\.(\w+)\s*\}")


def pseudo_parts(text: str) -> tuple[tuple[str, Pseudo], ...]:
    """Data sources that name this account, partition or region, as interpolations in a string
    (``${data.aws_caller_identity.current.account_id}``): see `Str.pseudo`."""
    out = []
    for m in _PSEUDO.finditer(text):
        kind = PSEUDO.get((m.group(1), m.group(2)))
        if kind is not None:
            out.append((m.group(0), kind))
    return tuple(dict.fromkeys(out))


class TfBuilder(DocumentBuilder):
    """`DocumentBuilder` whose spans follow each node's own file, that turns `UnknownNode`
    into `Unknown` without calling it a structural problem, and that knows how Terraform
    spells this account."""

    def __init__(self, file: str):
        super().__init__(file, scalar=_scalar_hook, pseudo=pseudo_parts)

    def span(self, node: Any, default: Span | None = None) -> Span:
        if node is self._spanned:
            return self._span
        p = pos_of(node)
        if p is None or p[0] == 0:
            return default or self.fallback
        sp = self._span = Span(node_file(node, self.file), p[0], p[1], p[2], p[3])
        self._spanned = node
        return sp

    def problem(self, message: str, node: Any, default: Span | None = None) -> None:
        if isinstance(node, UnknownNode):
            return
        super().problem(message, node, default)

    def principal(self, node: Any) -> Principal:
        """A Principal that is not known as a whole is one unknown principal."""
        if isinstance(node, UnknownNode):
            return Principal(self.span(node), (PrincipalEntry("*", _unknown(node)),))
        return super().principal(node)

    def conditions(self, node: Any) -> Any:
        """Condition operators are read on one line: ``parse_operator`` fails on a line break,
        which a JSON escape or an HCL expression may put in a (meaningless) operator. An
        operator whose keys are not known (``StringEquals = var.x``) leaves the condition
        unresolved."""
        if isinstance(node, dict) and any("\n" in str(k) or "\r" in str(k) for k in node):
            fixed = TDict(pos_of(node) or (0, 0, 0, 0), node_file(node, self.file))
            for k, v in node.items():
                flat = " ".join(str(k).split())
                fixed[TStr(flat, pos_of(k) or fixed.pos, node_file(k, self.file))] = v
            node = fixed
        conds, unresolved = super().conditions(node)
        if isinstance(node, PartialDict) or (
            isinstance(node, dict) and any(isinstance(v, UnknownNode) for v in node.values())
        ):
            unresolved = True
        return conds, unresolved


def _unknown(node: UnknownNode) -> Unknown:
    """The model's `Unknown`, with the shape and inputs of a value built of deployment inputs
    (the builder adds the pseudo parts of its shape)."""
    return Unknown(
        node.text,
        span_of(node, node.file),
        node.note,
        node.shape,
        node.inputs,
        arn_types=node.arn_types,
        refers_to=node.refers_to,
    )


def _scalar_hook(node: Any) -> list[Value] | None:
    if isinstance(node, UnknownNode):
        return [_unknown(node)]
    return None


def to_value(node: Node, file: str) -> Value:
    """A single node as a model value."""
    sp = span_of(node, file)
    if isinstance(node, UnknownNode):
        return with_pseudo(_unknown(node), pseudo_parts)
    if isinstance(node, str):
        return with_pseudo(Str(str(node), sp), pseudo_parts)
    if isinstance(node, PScalar):
        if node.value is None:
            return Unknown("null", sp)
        return Str(node.text if not isinstance(node.value, bool) else str(node.value).lower(), sp)
    return Unknown(source_text(node), sp)
