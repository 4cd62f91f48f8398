"""`Str` keeps its span's two parts (the file and the packed position) instead of a `Span`
(issue "Hostile input", defect 14: most of a model's spans were held by a `Str` alone) and
behaves exactly as the frozen dataclass of ``value, span, pseudo`` it replaced:
construction, fields, equality, hash, repr, immutability, pickling, copying and pattern
matching, for packed and unpacked positions."""

from __future__ import annotations

import copy
import dataclasses
import gc
import itertools
import pickle

import pytest

from iamlint.model import Pseudo, Span, Str


@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    """What `Str` was: its behaviour is the specification."""

    value: str
    span: Span
    pseudo: tuple[tuple[str, Pseudo], ...] = ()


SPANS = [
    Span("a.json", 1, 1, 1, 2),
    Span("a.json", 0, 0, 0, 0),
    Span("a.json", 3, 5, 2, 9),  # an end before the start
    Span("a.json", 1, 2**31, 1, 2**32 - 1),  # a one-line file's huge column
    Span("a.json", 1, 1, 1, 2**40),  # does not pack: kept as its tuple
    Span("a.json", -1, 0, 0, 0),
    Span("b.json", 1, 1, 1, 2),
]
PSEUDOS = [(), (("${AWS::AccountId}", Pseudo.ACCOUNT),)]
VALUES = ["arn:aws:s3:::b", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root", ""]


def both(value: str, span: Span, pseudo: tuple = ()) -> tuple[Str, Reference]:
    return Str(value, span, pseudo), Reference(value, span, pseudo)


@pytest.mark.parametrize("span", SPANS)
@pytest.mark.parametrize("pseudo", PSEUDOS)
def test_fields_repr_hash_pickling_and_matching_are_those_of_the_dataclass(span, pseudo):
    value = "arn:aws:iam::${AWS::AccountId}:root"
    s, ref = both(value, span, pseudo)
    assert (s.value, s.span, s.pseudo, s.text) == (ref.value, ref.span, ref.pseudo, value)
    assert type(s.span) is Span and repr(s.span) == repr(span)
    assert s.canonical() == (value.replace("${AWS::AccountId}", "<this-account>") if pseudo else value)
    assert repr(s) == repr(ref).replace("Reference(", "Str(")
    assert hash(s) == hash(ref) == hash(Str(value, span, pseudo))
    assert s == Str(value, span, pseudo) and s != ref and s != value
    assert Str(value=value, span=span, pseudo=pseudo) == s  # keywords, as the dataclass's
    same = Span(span.file, span.line, span.column, span.end_line, span.end_column)
    assert {s: 1}[Str(value, same, pseudo)] == 1
    again = pickle.loads(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL))
    assert (again, copy.copy(s), copy.deepcopy(s)) == (s, s, s)
    assert type(again) is Str and repr(again) == repr(s) and hash(again) == hash(s)
    assert Str.__match_args__ == Reference.__match_args__
    match s:
        case Str(v, sp, ps):
            assert (v, sp, ps) == (value, span, pseudo)
        case _:
            pytest.fail("a Str matches Str(value, span, pseudo)")


def test_equality_and_hash_are_those_of_the_dataclass():
    strs = [both(v, sp, ps) for v in VALUES for sp in SPANS for ps in PSEUDOS]
    for (s, r), (t, q) in itertools.product(strs, repeat=2):
        assert (s == t) == (r == q) and (s != t) == (r != q)
        assert hash(s) == hash(r)


def test_immutable_as_the_dataclass():
    s = Str("x", SPANS[0])
    for name in ("value", "span", "pseudo", "_p", "other"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(s, name, "y")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(s, name)
    assert not hasattr(s, "__dict__")
    with pytest.raises(TypeError):
        Str("x")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        hash(Str("x", SPANS[0], [("x", Pseudo.REGION)]))  # type: ignore[arg-type]  # unhashable, as it was


def test_a_str_keeps_no_span_of_its_own():
    """The memory it saves: the span's file and packed int, the very objects, and no `Span`."""
    span = Span("a.json", 3, 400, 3, 420)
    s = Str("v", span)
    held = gc.get_referents(s)
    assert not any(type(o) is Span for o in held)
    assert any(o is span._p for o in held) and any(o is span.file for o in held)
    assert s.span == span and s.span is not span
