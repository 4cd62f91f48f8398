"""Positional nodes: parsed JSON/YAML/HCL values that remember where they stand.

``PDict``, ``PList`` and ``PStr`` are subclasses of ``dict``, ``list`` and ``str``, so
extractors navigate them as plain data; each carries ``pos`` = (line, column, end_line,
end_column), 1-based, end exclusive. Numbers, booleans and null become ``PScalar``.
``PDict.dups`` records duplicate keys as (key, first_pos, second_pos); the later value wins,
as in CloudFormation and most JSON readers.

A tree holds one node per value of its file, so nodes are small (issue "Hostile input",
defect 14: a 30 MiB policy peaked at 2.5 GB):

- a position is stored packed into one int (`iamlint.positions.pack`: line, column, end
  column and the number of lines it spans, 32 bits each; about 36 bytes, where a 4-tuple of
  ints took 72 to 160) and ``pos`` decodes it on access, so every consumer still reads the
  4-tuple; `packed_pos` reads it as it is stored, for the model's `Span`, which keeps the
  same int;
- ``PDict``, ``PList`` and ``PScalar`` have ``__slots__`` (and a mapping without duplicates
  shares one empty ``dups``);
- a ``str`` subclass cannot have slots of its own, and a ``__dict__`` per string cost 184
  bytes more than the string: a ``PStr`` has none. Its packed position is in one table,
  ``_STR_POS``, keyed by the string's ``id``; the string's ``__del__`` removes its entry, so
  an ``id`` that Python reuses never finds a stale position. Subclasses keep
  ``__slots__ = ()`` (an attribute they need is a class attribute: `cfn_yaml.YStr` has a
  subclass per scalar style), or they pay for a ``__dict__`` again. A dict never shrinks
  by itself, so `shrink_positions` gives the table's memory back once most of its strings
  are gone (a builder that lets go of a tree as it reads it, the engine after each file).

A node's constructor takes a ``Pos`` or an int `pack` made (a parser may pack without
making the tuple: `cfn_yaml`); `hcl_tree.Expr` packs its position the same way.

Every parser (`json_parser`, `cfn_yaml`, and through the Terraform evaluator `hcl_tree`)
produces these nodes, so extractors and the model builder see one kind of tree.
"""

from __future__ import annotations

from typing import Any

from ..positions import FIELD, Pos, pack
from ..positions import unpack as unpack  # parsers and tests import both from here

_M = FIELD


def _slot_pos(self: Any) -> Pos:
    p = self._pos  # `unpack`, inlined: a position is read often
    if isinstance(p, tuple):
        return p
    line = p & _M
    lines = p >> 96
    return (line, p >> 32 & _M, line + lines if lines else line, p >> 64 & _M)


def _set_slot_pos(self: Any, pos: Pos | int) -> None:
    self._pos = pack(pos)


#: the ``pos`` of a class that keeps its packed position in a ``_pos`` slot (`PDict`,
#: `PList`, `PScalar`, `hcl_tree.Expr`): one property, read like an attribute
SLOT_POS = property(_slot_pos, _set_slot_pos, doc="(line, column, end_line, end_column), 1-based")


#: id of a live PStr -> its packed position (see the module's docstring)
_STR_POS: dict[int, int | Pos] = {}


#: how many strings the table held when `shrink_positions` last looked and it had grown
_HELD = [0]


def shrink_positions() -> None:
    """Rebuild ``_STR_POS`` at its present size when it holds less than half the strings it
    held at its largest: a dict keeps the table of its largest size (1.7 bytes per byte of
    a YAML template) until it is rebuilt. Cheap to call often: a rebuild copies what is
    left, at most once per halving."""
    n = len(_STR_POS)
    if n >= _HELD[0]:
        _HELD[0] = n
    elif n * 2 < _HELD[0]:
        # no Python code runs between these (a PStr's __del__ would change the table): a
        # dict's copy is made in C, and only int keys and values are copied back
        live = _STR_POS.copy()
        _STR_POS.clear()  # frees the table
        _STR_POS.update(live)
        _HELD[0] = n


class PStr(str):
    __slots__ = ()

    def __new__(cls, value: str, pos: Pos | int):
        self = str.__new__(cls, value)
        _STR_POS[id(self)] = pack(pos)
        return self

    @property
    def pos(self) -> Pos:
        p = _STR_POS.get(id(self))
        if p is None:  # not made by __new__ (a copy): no position, as getattr expects
            raise AttributeError("pos")
        if isinstance(p, tuple):  # `unpack`, inlined: a position is read often
            return p
        line = p & _M
        lines = p >> 96
        return (line, p >> 32 & _M, line + lines if lines else line, p >> 64 & _M)

    @pos.setter
    def pos(self, pos: Pos | int) -> None:
        _STR_POS[id(self)] = pack(pos)

    def __del__(self, _forget=_STR_POS.pop) -> None:
        _forget(id(self), None)


#: the ``dups`` of every mapping without duplicate keys (nearly all): one shared empty tuple
NO_DUPS: tuple = ()


class PDict(dict):
    __slots__ = ("_pos", "dups")
    dups: list | tuple

    def __init__(self, pos: Pos | int):
        super().__init__()
        self._pos = pack(pos)
        self.dups = NO_DUPS

    pos = SLOT_POS

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
    __slots__ = ("_pos",)

    def __init__(self, pos: Pos | int):
        super().__init__()
        self._pos = pack(pos)

    pos = SLOT_POS


class PScalar:
    """A non-string scalar (number, boolean, null) with its position and source text.

    ``value`` is an int, a float, a bool or None; a number too large for Python keeps its
    text (see `number`).
    """

    __slots__ = ("value", "_pos", "text")

    def __init__(self, value: Any, pos: Pos | int, text: str):
        self.value = value
        self._pos = pack(pos)
        self.text = text

    pos = SLOT_POS

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


_PSTR_POS = PStr.pos


def packed_pos(node: Any) -> int | Pos | None:
    """A node's position as `pack` packs it: the int the node keeps (not a copy, and not
    decoded), or None for a value without a position.

    ``Span.packed(file, packed_pos(node))`` makes the model's span of a node without a new
    int: a model outlives its tree and has a span for nearly every node."""
    kind = getattr(type(node), "pos", None)
    if kind is SLOT_POS:
        return node._pos
    if kind is _PSTR_POS:
        return _STR_POS.get(id(node))
    p = getattr(node, "pos", None)
    return None if p is None else pack(p)


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
