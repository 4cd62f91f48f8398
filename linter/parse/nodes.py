"""Positional nodes: parsed JSON/YAML/HCL values that remember where they stand.

``PDict``, ``PList`` and ``PStr`` are subclasses of ``dict``, ``list`` and ``str``, so
extractors navigate them as plain data; each carries ``pos`` = (line, column, end_line,
end_column), 1-based, end exclusive. Numbers, booleans and null become ``PScalar``.
``PDict.dups`` records duplicate keys as (key, first_pos, second_pos); the later value wins,
as in CloudFormation and most JSON readers.

A tree holds one node per value of its file, so nodes are small: ``PDict``, ``PList`` and
``PScalar`` have ``__slots__`` (and a mapping without duplicates shares one empty ``dups``),
and a ``PStr`` gets a one-key ``__dict__`` of its own (a ``str`` subclass cannot have slots).

Every parser (`json_parser`, `cfn_yaml`, and through the Terraform evaluator `hcl_tree`)
produces these nodes, so extractors and the model builder see one kind of tree.
"""

from __future__ import annotations

from typing import Any

from ..positions import Pos


class PStr(str):
    pos: Pos

    def __new__(cls, value: str, pos: Pos):
        self = super().__new__(cls, value)
        # A str subclass cannot have __slots__; a dict of its own is a third of the size of
        # the one setting an attribute makes (sized for the keys its class may share).
        self.__dict__ = {"pos": pos}
        return self


#: the ``dups`` of every mapping without duplicate keys (nearly all): one shared empty tuple
NO_DUPS: tuple = ()


class PDict(dict):
    __slots__ = ("pos", "dups")
    pos: Pos
    dups: list | tuple

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos
        self.dups = NO_DUPS

    def add_dup(self, key: PStr, first: Pos | None, second: Pos) -> None:
        """Record a duplicate key (the caller keeps the later value)."""
        if not self.dups:
            self.dups = []
        self.dups.append((key, first, second))  # type: ignore[union-attr]

    def key(self, name: str) -> PStr | None:
        """The key object as written (with its position), or None."""
        for k in self:
            if k == name:
                return k if isinstance(k, PStr) else None
        return None


class PList(list):
    __slots__ = ("pos",)
    pos: Pos

    def __init__(self, pos: Pos):
        super().__init__()
        self.pos = pos


class PScalar:
    """A non-string scalar (number, boolean, null) with its position and source text.

    ``value`` is an int, a float, a bool or None; a number too large for Python keeps its
    text (see `number`).
    """

    __slots__ = ("value", "pos", "text")

    def __init__(self, value: Any, pos: Pos, text: str):
        self.value = value
        self.pos = pos
        self.text = text

    def __repr__(self) -> str:
        return f"PScalar({self.value!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PScalar):
            return self.value == other.value
        return self.value == other

    def __hash__(self) -> int:
        return hash(self.value)


def number(text: str) -> int | float | str:
    """The value of a decimal number as JSON and HCL write it, or its text.

    A number Python cannot hold keeps its text as its value: an integer of more digits
    than ``int()`` reads (``sys.get_int_max_str_digits``, 4,300 by default) and a float
    beyond the range of a double (``1e999999`` is a finite number, not infinity). Every
    consumer of a number reads its text (``PScalar.text``); the value serves only
    `to_plain` (policy sizes, messages), so nothing is lost.
    """
    try:
        if "." in text or "e" in text or "E" in text:
            value = float(text)
            return text if value in _INFINITIES else value
        return int(text)
    except ValueError:
        return text


_INFINITIES = (float("inf"), float("-inf"))


def pos_of(node: Any) -> Pos | None:
    return getattr(node, "pos", None)


def to_plain(node: Any) -> Any:
    """Strip positions (for hashing, comparing and size computations)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, PScalar):
        return node.value
    if isinstance(node, str):
        return str(node)
    return node
