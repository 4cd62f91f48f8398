"""Build the model from positional nodes, once, for every input format.

`DocumentBuilder` turns a parsed policy document (``PDict``/``PList``/``PStr`` nodes from
`iamlint.parse.nodes`, whatever the source format) into a `PolicyDocument`. It normalises single
values and lists, a single-object ``Statement``, and condition operators, so that no rule
repeats that work.

Two hooks let an extractor handle its own value language without rules knowing about it:

- ``alternatives(node) -> list``: the concrete nodes a node may stand for. CloudFormation's
  ``Fn::If`` yields both branches, ``Ref: AWS::NoValue`` yields nothing. The default is
  ``[node]``. It is applied at every structural level (document, statement list, statement,
  element, element item).
- ``scalar(node) -> list[Value] | None``: resolve a leaf (a ``Ref``, ``Fn::Sub``, a
  Terraform interpolation) to values; return None to use the default, which turns strings
  into `Str` and anything else into `Unknown` with its source text. A value built only of
  literals, pseudo values and deployment inputs (a parameter, a variable without a default,
  an import, a module output) is an `Unknown` whose ``shape`` and ``inputs`` say so (see
  `Input`): the hook fills them, the builder adds the pseudo parts of the shape, and rules
  ask `Unknown.canonical` (``iamlint.api.account_input`` for the account of a principal).

A model outlives the tree it is built from and holds a value for every leaf of it, so its
strings are interned (key names, actions and operators repeat across statements) and a
node's `Span` is made once for an element and its value.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from json.encoder import encode_basestring
from sys import intern
from typing import Any

from .model import (
    Condition,
    DocKind,
    Origin,
    PolicyDocument,
    Principal,
    PrincipalEntry,
    Pseudo,
    Span,
    Statement,
    Str,
    Unknown,
    Value,
)
from .parse.nodes import PScalar, packed_pos, to_plain

#: finds the parts of a string that name a fact of the deployment, as a format spells them
PseudoFinder = Callable[[str], tuple[tuple[str, Pseudo], ...]]

#: the `Statement.alternative_elements` of every statement without alternatives (nearly all)
_NONE: frozenset[str] = frozenset()

_OPERATOR = re.compile(r"^(forallvalues:|foranyvalue:)?(.*?)(ifexists)?$", re.IGNORECASE | re.DOTALL)

ELEMENTS = {
    "Action": "action",
    "NotAction": "not_action",
    "Resource": "resource",
    "NotResource": "not_resource",
}


def parse_operator(op: str) -> tuple[str, str | None, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (``stringlike``, ``foranyvalue``, True)."""
    m = _OPERATOR.match(op)
    assert m is not None
    qual = m.group(1)[:-1].lower() if m.group(1) else None
    base = m.group(2).lower()
    if_exists = bool(m.group(3)) and base != ""
    if not base:  # the operator *is* "IfExists"-less "...IfExists"? keep as written
        base, if_exists = op.lower(), False
    return base, qual, if_exists


def source_text(node: Any, limit: int = 120) -> str:
    """A compact rendering of a node for `Unknown.text` and messages."""
    if isinstance(node, str):
        return str(node)
    if isinstance(node, PScalar):
        return node.text
    try:
        text = json.dumps(to_plain(node), separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(node)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def policy_size(node: Any) -> int:
    """Characters of the document, whitespace not counted, as AWS measures its quotas.

    That is the length of its compact JSON (``json.dumps`` with ``(",", ":")`` separators, not
    ASCII-escaped) less its whitespace, counted value by value: the text of the whole document
    is never made (it and a plain copy of the tree doubled the peak memory of a large file).
    0 when a value has no JSON form (an unresolved Terraform value), as ``json.dumps`` fails.
    """
    try:
        return _json_size(node)
    except (TypeError, ValueError, RecursionError):
        return 0


_SPACE = re.compile(r"\s")


def _json_size(node: Any) -> int:
    if isinstance(node, str):
        return _str_size(str(node))
    if isinstance(node, dict):
        n = 2 * len(node) + 1 if node else 2  # braces, a colon per key, commas between
        for k, v in node.items():
            n += _str_size(str(k)) + _json_size(v)
        return n
    if isinstance(node, list):
        n = len(node) + 1 if node else 2  # brackets, commas between
        for v in node:
            n += _json_size(v)
        return n
    if isinstance(node, PScalar):
        node = node.value
        if isinstance(node, str):  # a number too large for Python, kept as text (a JSON string)
            return _str_size(node)
    if node is None or isinstance(node, (bool, int, float)):
        return len(json.dumps(node))
    raise TypeError(f"{type(node).__name__} has no JSON form")


def _str_size(value: str) -> int:
    text = encode_basestring(value)
    if text.isascii():  # the encoding escapes every other ASCII space
        return len(text) - text.count(" ")
    return len(text) - len(_SPACE.findall(text))


def with_pseudo(value: Value, find: PseudoFinder | None) -> Value:
    """A `Str` with the pseudo parts ``find`` sees in it (see `Str.pseudo`); an `Unknown`
    with the pseudo parts of its ``shape`` (see `Unknown.canonical`)."""
    if find is None:
        return value
    if isinstance(value, Unknown):
        if "${" not in value.shape or value.pseudo:
            return value
        parts = find(value.shape)
        return dataclasses.replace(value, pseudo=parts) if parts else value
    if "${" not in value.value:
        return value
    parts = find(value.value)
    if not parts:
        return value
    return Str(value.value, value.span, parts)


class DocumentBuilder:
    def __init__(
        self,
        file: str,
        alternatives: Callable[[Any], list] | None = None,
        scalar: Callable[[Any], list[Value] | None] | None = None,
        fallback: Span | None = None,
        pseudo: PseudoFinder | None = None,
        shared: bool = False,
    ):
        self.file = file
        #: the tree may hold one node in several places (YAML aliases): a statement node is
        #: built once, and its other uses share the model's `Statement` (see `statement`)
        self._built: dict[int, tuple[Any, Statement, list[tuple[str, Span]]]] | None = {} if shared else None
        self._alternatives = alternatives
        self._scalar = scalar
        self._pseudo = pseudo
        self.fallback = fallback or Span(file, 1, 1, 1, 1)
        self.problems: list[tuple[str, Span]] = []
        #: set when `values` meets alternatives (see `Statement.alternative_elements`)
        self.alternated = False
        # the node whose span was made last, and that span: an element's span and its value's
        # are the same node's, and an alias (YAML) is one node in many statements
        self._spanned: Any = None
        self._span: Span = self.fallback

    # -- helpers ---------------------------------------------------------------------------
    def span(self, node: Any, default: Span | None = None) -> Span:
        if node is self._spanned:
            return self._span
        p = packed_pos(node)  # the int the node keeps, which the span keeps too
        if p is None or (p & 0xFFFFFFFF if p.__class__ is int else p[0]) == 0:  # type: ignore[index]
            return default or self.fallback
        sp = self._span = Span.packed(self.file, p)
        self._spanned = node
        return sp

    def alts(self, node: Any) -> list:
        if self._alternatives is None:
            return [node]
        return self._alternatives(node)

    def problem(self, message: str, node: Any, default: Span | None = None) -> None:
        self.problems.append((message, self.span(node, default)))

    def scalar(self, node: Any) -> list[Value]:
        if self._pseudo is not None:
            return [with_pseudo(v, self._pseudo) for v in self._scalar_values(node)]
        return self._scalar_values(node)

    def _scalar_values(self, node: Any) -> list[Value]:
        if self._scalar is not None:
            got = self._scalar(node)
            if got is not None:
                return got
        sp = self.span(node)
        if isinstance(node, str):
            return [Str(intern(str(node)), sp)]
        if isinstance(node, PScalar):
            if isinstance(node.value, bool):
                return [Str("true" if node.value else "false", sp)]
            if node.value is None:
                return [Unknown("null", sp)]
            return [Str(node.text, sp)]
        return [Unknown(source_text(node), sp)]

    def values(self, node: Any) -> tuple[Value, ...]:
        """An element that may be one value or a list of values, flattened.

        Sets `alternated` when some of them are alternatives of one another (a node with
        several alternatives, a leaf that resolves to several values)."""
        out: list[Value] = []
        alts = self.alts(node)
        if len(alts) > 1:
            self.alternated = True
        for alt in alts:
            if isinstance(alt, list):
                for item in alt:
                    subs = self.alts(item)
                    if len(subs) > 1:
                        self.alternated = True
                    for sub in subs:
                        if isinstance(sub, list):  # a list-valued intrinsic inside a list
                            for x in sub:
                                out.extend(self._leaf(x))
                        else:
                            out.extend(self._leaf(sub))
            else:
                out.extend(self._leaf(alt))
        return tuple(out)

    def _leaf(self, node: Any) -> list[Value]:
        got = self.scalar(node)
        if len(got) > 1:
            self.alternated = True
        return got

    # -- elements ----------------------------------------------------------------------------
    def principal(self, node: Any) -> Principal:
        entries: list[PrincipalEntry] = []
        for alt in self.alts(node):
            if isinstance(alt, dict) and not self._is_opaque(alt):
                for k, v in alt.items():
                    for val in self.values(v):
                        entries.append(PrincipalEntry(intern(str(k)), val))
            elif isinstance(alt, str) or isinstance(alt, PScalar) or self._is_opaque(alt):
                for val in self.scalar(alt):
                    if isinstance(val, Str) and val.value != "*":
                        self.problem(
                            f'Principal must be "*" or a map of principal types, not {val.value!r}',
                            alt,
                        )
                    entries.append(PrincipalEntry("*", val))
            else:
                self.problem('Principal must be "*" or a map such as {"AWS": [...]}', alt)
                entries.append(PrincipalEntry("*", Unknown(source_text(alt), self.span(alt))))
        return Principal(self.span(node), tuple(entries))

    def _is_opaque(self, node: Any) -> bool:
        """A map the extractor resolves as a scalar (an intrinsic such as ``{"Ref": ...}``)."""
        if self._scalar is None or not isinstance(node, dict):
            return False
        got = self._scalar(node)
        return got is not None

    def conditions(self, node: Any) -> tuple[tuple[Condition, ...], bool]:
        """Return the conditions and whether some could not be read (unresolved)."""
        out: list[Condition] = []
        unresolved = False
        for alt in self.alts(node):
            if not isinstance(alt, dict) or self._is_opaque(alt):
                if isinstance(alt, list):
                    self.problem("Condition must be a map of operators, not a list", alt)
                    continue
                if isinstance(alt, dict) or not isinstance(alt, (str, PScalar)):
                    unresolved = True
                    continue
                self.problem("Condition must be a map of operators", alt)
                continue
            for op, block in alt.items():
                opstr = Str(intern(str(op)), self.span(op, self.span(alt)))
                base, qual, if_exists = parse_operator(str(op))
                for b in self.alts(block):
                    if not isinstance(b, dict) or self._is_opaque(b):
                        if isinstance(b, dict):
                            unresolved = True
                        else:
                            self.problem(
                                f"condition operator {str(op)!r} must map condition keys to values",
                                b,
                            )
                        continue
                    for key, vals in b.items():
                        for m in self._maps(vals):
                            self.problem(
                                f"the value of condition key {str(key)!r} must be a string, a number or "
                                "a boolean, or a list of them, not a map",
                                m,
                            )
                        out.append(
                            Condition(
                                operator=opstr,
                                base=base,
                                qualifier=qual,
                                if_exists=if_exists,
                                key=intern(str(key).lower()),
                                key_span=self.span(key, self.span(b)),
                                values=self.values(vals),
                                key_text=str(key),
                            )
                        )
        return tuple(out), unresolved

    def _maps(self, node: Any) -> list:
        """The maps among a condition's values that are not the extractor's to resolve (a
        CloudFormation intrinsic is one): AWS takes only strings, numbers and booleans there."""
        out = []
        for alt in self.alts(node):
            for item in alt if isinstance(alt, list) else (alt,):
                for sub in self.alts(item):
                    if isinstance(sub, dict) and not self._is_opaque(sub):
                        out.append(sub)
        return out

    def statement(self, node: dict, index: int) -> Statement:
        """The model of one statement node (the ``index`` th of its document).

        In a tree whose nodes may be shared (``shared``), a node met again gives the
        `Statement` built the first time (its index set to this one) and the problems it
        had, so that a template of aliases costs its anchors' model, not its aliases'."""
        if self._built is None:
            return self._statement(node, index)
        hit = self._built.get(id(node))
        if hit is None:
            start = len(self.problems)
            st = self._statement(node, index)
            self._built[id(node)] = (node, st, self.problems[start:])  # node kept: its id stays its
            return st
        _, st, problems = hit
        self.problems.extend(problems)
        return st if st.index == index else replace(st, index=index)

    def _statement(self, node: dict, index: int) -> Statement:
        fields: dict[str, Any] = {}
        keys: list[Str] = []
        spans: dict[str, Span] = {}
        stmt_span = self.span(node)
        alternative: set[str] = set()
        for k, v in node.items():
            name = intern(str(k))
            ks = self.span(k, stmt_span)
            keys.append(Str(name, ks))
            spans[name] = self.span(v, ks)
            self.alternated = False
            if name == "Sid":
                vals = self.values(v)
                fields["sid"] = vals[0] if vals else None
            elif name == "Effect":
                vals = self.values(v)
                if len(vals) == 1:
                    fields["effect"] = vals[0]
                elif vals:
                    fields["effect"] = Unknown(source_text(v), self.span(v))
            elif name in ELEMENTS:
                fields[ELEMENTS[name]] = self.values(v)
            elif name == "Principal":
                fields["principal"] = self.principal(v)
            elif name == "NotPrincipal":
                fields["not_principal"] = self.principal(v)
            elif name == "Condition":
                conds, unresolved = self.conditions(v)
                fields["condition"] = conds
                fields["condition_span"] = spans[name]
                if unresolved:
                    fields["condition_unresolved"] = True
            if self.alternated:
                alternative.add(name)
        self.alternated = False
        return Statement(
            span=stmt_span,
            index=index,
            keys=tuple(keys),
            element_spans=spans,
            alternative_elements=frozenset(alternative) if alternative else _NONE,
            **fields,
        )

    # -- the document ------------------------------------------------------------------------
    def document(
        self,
        node: Any,
        kind: DocKind,
        origin: Origin,
        principals: Iterable[str] = (),
        name: Value | None = None,
        managed: bool = False,
        single_resource: bool = False,
        consume: bool | Callable[[list], bool] = False,
    ) -> PolicyDocument | None:
        """Build the document, or None when the node is not a map (recorded as a problem).

        ``managed`` and ``single_resource`` are facts the extractor knows of the owner (see
        `PolicyDocument`). With ``consume`` (the caller needs the tree no more), each
        statement's nodes are let go once it is built, so a large file's tree and model are
        not held at once; a function says which statement lists are the caller's to let go
        (a list that other documents also read, such as a template's mapping, is not)."""
        start = len(self.problems)
        alts = self.alts(node)
        docs = [a for a in alts if isinstance(a, dict)]
        if not docs:
            if alts and not self._is_opaque(alts[0]):
                self.problem("a policy document must be a JSON object", node)
            return None
        size = policy_size(docs[0])
        statements: list[Statement] = []
        keys: list[Str] = []
        version: Value | None = None
        for doc in docs:
            dspan = self.span(doc)
            for k in doc:
                keys.append(Str(intern(str(k)), self.span(k, dspan)))
            if "Version" in doc:
                vals = self.values(doc["Version"])
                version = vals[0] if vals else None
            if "Statement" not in doc:
                continue
            st_alts = self.alts(doc["Statement"])
            for st_alt in st_alts:
                items = st_alt if isinstance(st_alt, list) else [st_alt]
                let_go = consume is True or (callable(consume) and items is st_alt and consume(items))
                for i, item in enumerate(items):
                    alts = self.alts(item)
                    for s in alts:
                        if isinstance(s, dict) and not self._is_opaque(s):
                            st = self.statement(s, len(statements))
                            if len(st_alts) > 1 or len(alts) > 1:
                                st = replace(st, alternative=True)
                            statements.append(st)
                        else:
                            self.problem("a statement must be a JSON object", s, dspan)
                    if let_go:
                        items[i] = None
        return PolicyDocument(
            kind=kind,
            origin=origin,
            span=self.span(node),
            statements=tuple(statements),
            version=version,
            keys=tuple(keys),
            principals=tuple(principals),
            name=name,
            size=size,
            problems=tuple(self.problems[start:]),
            managed=managed,
            single_resource=single_resource,
        )


__all__ = ["DocumentBuilder", "parse_operator", "source_text", "policy_size", "with_pseudo"]
