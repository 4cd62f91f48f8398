"""`Span` keeps two slots (the file and its position packed into one int, issue "Hostile
input", defect 14) and behaves exactly as the frozen dataclass of five fields it replaced:
construction, fields, equality, hash, ordering, repr, str, immutability, pickling, copying
and pattern matching, for every position a parser can produce (huge columns of one-line
files, an end before the start, the (0, 0, 0, 0) placeholder, negative numbers)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import pickle

import pytest

from iamlint.builder import DocumentBuilder
from iamlint.model import Span
from iamlint.parse.cfn_yaml import load
from iamlint.parse.json_parser import parse_json
from iamlint.parse.nodes import PStr, pack, packed_pos


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Reference:
    """What `Span` was: its behaviour is the specification."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


EDGES = (0, 1, 2, 255, 256, 257, 2**30, 2**31 - 1, 2**32 - 1, 2**32, 2**40, -1)
#: positions of every kind: packable or not, one line or many, ends before starts
POSITIONS = [
    (1, 1, 1, 2),
    (0, 0, 0, 0),
    (3, 5, 3, 5),
    (3, 5, 2, 9),
    (1, 2**31, 1, 2**32 - 1),
    (1, 1, 1, 2**40),
    (2**32 - 1, 7, 2**32 - 1, 8),
    (2**32 - 1, 7, 2**32, 8),
    (-1, 0, 0, 0),
    (5, -3, 5, 4),
    *(
        (a, b, a + c, d)
        for a, b, c, d in itertools.product((1, 300, 2**31), EDGES, (0, 1, 2**31), (1, 2**33))
    ),
]


def both(file: str, pos: tuple[int, int, int, int]) -> tuple[Span, Reference]:
    return Span(file, *pos), Reference(file, *pos)


@pytest.mark.parametrize("pos", POSITIONS)
def test_fields_repr_str_and_hashability_are_those_of_the_dataclass(pos):
    span, ref = both("dir/a.json", pos)
    assert (span.file, span.line, span.column, span.end_line, span.end_column) == dataclasses.astuple(ref)
    assert repr(span) == repr(ref).replace("Reference(", "Span(")
    assert str(span) == f"dir/a.json:{pos[0]}:{pos[1]}"
    assert span == Span("dir/a.json", *pos) and hash(span) == hash(Span("dir/a.json", *pos))
    assert {span: 1}[Span("dir/a.json", *pos)] == 1
    assert span != Span("dir/b.json", *pos) and span != ref and span != tuple(pos)
    assert Span.packed("dir/a.json", pack(pos)) == span  # the fast constructor: the same span
    again = pickle.loads(pickle.dumps(span, protocol=pickle.HIGHEST_PROTOCOL))
    assert (again, copy.copy(span), copy.deepcopy(span)) == (span, span, span)
    assert type(again) is Span and repr(again) == repr(span)
    match span:
        case Span(file, line, column, end_line, end_column):
            assert (file, line, column, end_line, end_column) == ("dir/a.json", *pos)
        case _:
            pytest.fail("a span matches Span(file, line, column, end_line, end_column)")


def test_equality_hash_and_ordering_are_those_of_the_dataclass():
    spans = [both(f, p) for f in ("a.json", "b.json") for p in POSITIONS]
    for (s, r), (t, q) in itertools.product(spans, repeat=2):
        assert (s == t, s != t, s < t, s <= t, s > t, s >= t) == (
            r == q,
            r != q,
            r < q,
            r <= q,
            r > q,
            r >= q,
        )
        if s == t:
            assert hash(s) == hash(t)
    assert [repr(s) for s in sorted(s for s, _ in spans)] == [
        repr(r).replace("Reference(", "Span(") for r in sorted(r for _, r in spans)
    ]
    with pytest.raises(TypeError):
        _ = Span("a.json", 1, 1, 1, 2) < ("a.json", 1, 1, 1, 2)  # type: ignore[operator]

    class Sub(Span):  # as for a dataclass: equal and ordered only with its own class
        __slots__ = ()

    sub = Sub("a.json", 1, 1, 1, 2)
    assert sub != Span("a.json", 1, 1, 1, 2) and sub == Sub("a.json", 1, 1, 1, 2)
    assert type(copy.copy(sub)) is Sub and copy.deepcopy(sub) == sub
    with pytest.raises(TypeError):
        _ = sub < Span("a.json", 1, 1, 1, 3)


def test_a_span_is_frozen():
    span = Span("a.json", 1, 2, 3, 4)
    for name in ("file", "line", "column", "end_line", "end_column", "_p", "other"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(span, name, 9)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(span, name)
    assert (span.file, span.line, span.column, span.end_line, span.end_column) == ("a.json", 1, 2, 3, 4)
    assert not hasattr(span, "__dict__")


def test_the_builder_makes_a_nodes_span_from_its_packed_int_without_a_copy():
    """The model outlives the tree: its spans keep the int each node made, no second one."""
    text = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    root = parse_json(" " * 1000 + text)  # columns past 256: each an int object of its own
    yaml, _ = load("Statement:\n- Effect: Allow\n  Sid: 12\n")
    builder = DocumentBuilder("p.json")
    st = root["Statement"][0]
    for node, pos in (
        (root, (1, 1001, 1, 1001 + len(text))),
        (st, (1, 1016, 1, 1078)),
        (st["Action"], (1, 1046, 1, 1060)),
        (yaml["Statement"][0]["Sid"], (3, 8, 3, 10)),
        (yaml["Statement"][0], (2, 3, 3, 10)),  # spans two lines
    ):
        span = builder.span(node)
        assert span == Span("p.json", *pos)
        assert span._p is packed_pos(node)  # the node's own int
    # a position that does not pack, and a string without one (a copy), as before
    odd = PStr("x", (5, 1, 2, 9))
    assert builder.span(odd) == Span("p.json", 5, 1, 2, 9)
    assert builder.span(PStr("y", (0, 0, 0, 0))) is builder.fallback
    assert builder.span("plain") is builder.fallback
