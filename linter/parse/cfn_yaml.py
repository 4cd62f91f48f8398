"""CloudFormation YAML to positional nodes, through PyYAML's composer.

`load` composes the text with PyYAML's C loader (``yaml.CSafeLoader``, falling back to the
pure-Python ``yaml.SafeLoader``): the composer builds a node graph with start and end marks
and constructs nothing, so no Python object is ever created from a tag. The graph is then
converted into the positional nodes of `iamlint.parse.nodes`:

- mappings become ``PDict`` (duplicate keys recorded in ``PDict.dups``, the later value
  winning, as CloudFormation does), sequences ``PList``;
- strings become ``YStr`` (a ``PStr`` that remembers its YAML scalar style, so that a JSON
  policy written inside it can be mapped back to the file); YAML 1.1 timestamps such as an
  unquoted ``2012-10-17`` stay strings; numbers, booleans and null become ``PScalar`` with
  their source text;
- CloudFormation short-form tags become their long form: ``!Ref X`` is ``{"Ref": "X"}``,
  ``!GetAtt A.B`` is ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub ...`` is ``{"Fn::Sub": ...}``.
  The mapping is an ``IntrinsicDict`` flagged ``short`` so messages can show the value as
  the user wrote it. An unknown tag (a preprocessor's, such as Rain's ``!Rain::Embed``) is a
  `Problem` of its own kind, which the extractor reports as a warning (IAM907) at the tag;
  its value is kept as an opaque one-key mapping (``{"!Tag": value}``) that resolves to an
  unknown value, and the rest of the template is read as usual.

Two guards keep hostile input bounded. libyaml's composer recurses on the C stack and
crashes the process on very deep nesting, so a cheap upper bound of the nesting depth is
computed first and, when it is high, the exact depth is measured on the (iterative) event
stream before composing. Aliases are expanded while converting, so a "billion laughs"
document is stopped by counting converted nodes against a budget proportional to the file
size.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ..positions import LineIndex, Pos, PositionedError
from .nodes import PDict, PList, PScalar, PStr

#: deeper than any real template (CDK output nests about 15 levels); keeps every recursive
#: walk of the tree (conversion, the builder, size computations) far from Python's limit
MAX_DEPTH = 200
#: nodes a document may expand to, beyond one per character of the file (aliases)
NODE_ALLOWANCE = 100_000
#: above this bound on the nesting depth, measure the depth before composing
DEPTH_CHECK_BOUND = 1_000

_YAML = "tag:yaml.org,2002:"
_STR = _YAML + "str"

#: short-form tag -> long-form key
SHORT_FORMS: dict[str, str] = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "Transform",
            # Rules-section functions and the AWS::LanguageExtensions transform
            "Contains",
            "EachMemberEquals",
            "EachMemberIn",
            "RefAll",
            "ValueOf",
            "ValueOfAll",
            "Length",
            "ToJsonString",
        )
    },
}


class Problem(NamedTuple):
    """What `load` found wrong but could read past: an error (``kind`` ``error``: a key that
    is a list or a map, ``Fn::If`` of the wrong arity) or a tag it does not know
    (``unknown-tag``, spanning the tag on its line up to ``end_column``)."""

    message: str
    line: int
    column: int
    kind: str = "error"
    end_column: int = 0


class YStr(PStr):
    """A YAML string that remembers its scalar style: '' plain, ``'``, ``"``, ``|`` or ``>``."""

    style: str = ""


class IntrinsicDict(PDict):
    """A one-key mapping for an intrinsic function; ``short`` when written as a ``!Tag``."""

    short: bool = False


def _loader():
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


_BRACKET = re.compile(r"[\[{]")
# An alias (``*name``) follows whitespace, a flow indicator or ``:``; without one, every
# compose node is converted once and may be released as soon as it is.
_ALIAS = re.compile(r"(?:\A|(?<=[\s\[{,:]))\*")
# Block nesting needs indentation or compact indicators (``- - x``, ``? - x``).
_LINE_PREFIX = re.compile(r"^[ \t?-]*", re.MULTILINE)


def _depth_bound(text: str) -> int:
    """A cheap upper bound of the nesting depth, without parsing.

    Every flow level needs its own opener, so flow depth <= the number of brackets that may
    open a collection. Every two block levels need a deeper start column (a sequence may
    sit at its parent key's indentation), reached by spaces or compact ``-``/``?``
    indicators, so block depth <= 2 * (longest such line prefix + 2).
    """
    brackets = text.count("[") + text.count("{")
    longest = max(map(len, text.split("\n"))) if text else 0
    if brackets + 2 * (longest + 2) <= DEPTH_CHECK_BOUND:
        return brackets + 2 * (longest + 2)  # the coarse bound is enough
    flow = _flow_openers(text) if brackets > DEPTH_CHECK_BOUND // 2 else brackets
    prefix = max((len(m) for m in _LINE_PREFIX.findall(text)), default=0)
    return flow + 2 * (prefix + 2)


def _flow_openers(text: str) -> int:
    """Brackets that may open a flow collection.

    A flow collection opens only at the start of a node: after the start of the text,
    whitespace (line breaks included), another opener, ``,``, ``:`` or ``?``. A bracket
    after anything else (``${AWS::Region}``, ``foo[1]``, a tag such as ``!x[``) is text.
    """
    n = 0
    for m in _BRACKET.finditer(text):
        i = m.start()
        before = text[i - 1] if i else " "
        if before.isspace() or before in "[{,:?":
            n += 1
    return n


def _check_depth(yaml: Any, loader: Any, text: str) -> None:
    """Raise PositionedError if the event stream nests deeper than MAX_DEPTH (iterative, safe)."""
    from yaml.events import MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent

    depth = 0
    parser = loader(text)
    try:
        get = parser.get_event
        event = get()
        while event is not None:
            kind = type(event)
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
                if depth > MAX_DEPTH:
                    m = event.start_mark
                    raise PositionedError(
                        f"YAML nesting deeper than {MAX_DEPTH} levels", m.line + 1, m.column + 1
                    )
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
            event = get()
    finally:
        parser.dispose()


def _yaml_error(e: Exception, text: str) -> PositionedError:
    """A PyYAML error as a PositionedError at its place (reader errors carry an offset, no mark)."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None) or getattr(e, "reason", None)
    context = getattr(e, "context", None)
    if problem:
        msg = problem if not context else f"{problem} ({context})"
    else:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if problem and "maximum nesting depth" in problem:
        # libyaml (PyYAML >= 6.0.2) has a nesting limit of its own, which it may reach before
        # iamlint's depth check does: one message, whichever library stopped first
        msg = None
    if mark is not None:
        if msg is None:
            return PositionedError(
                f"YAML nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
            )
        return PositionedError(f"invalid YAML: {msg}", mark.line + 1, mark.column + 1)
    if msg is None:
        return PositionedError(f"YAML nesting deeper than {MAX_DEPTH} levels", 1, 1)
    position = getattr(e, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        char = getattr(e, "character", None)
        if isinstance(char, int):
            msg = f"{msg}: {chr(char)!r}" if char < 0x110000 else msg
        line, col = LineIndex(text).at(position)
        return PositionedError(f"invalid YAML: {msg}", line, col)
    return PositionedError(f"invalid YAML: {msg}", 1, 1)


def load(text: str, comments: list | None = None, containing: str = "") -> tuple[Any, list[Problem]]:
    """Compose and convert; return (root node or None, the `Problem` s read past).

    Raises `PositionedError` for text that is not YAML, nests too deeply or expands too much.
    The problems are non-fatal (unknown tags, non-scalar keys). A ``comments`` list receives
    the text's comments that hold ``containing`` (`yaml_comments.comments`, found on the
    composed graph).
    """
    yaml, loader = _loader()
    try:
        if loader is not yaml.SafeLoader and _depth_bound(text) > DEPTH_CHECK_BOUND:
            _check_depth(yaml, loader, text)
        node = yaml.compose(text, Loader=loader)
    except PositionedError:
        raise
    except RecursionError:
        raise PositionedError(f"YAML nesting deeper than {MAX_DEPTH} levels", 1, 1) from None
    except yaml.YAMLError as e:
        raise _yaml_error(e, text) from None
    if node is None:
        return None, []
    if comments is not None:
        from .yaml_comments import comments as find_comments

        comments.extend(find_comments(text, node, containing))
    conv = _Converter(text, NODE_ALLOWANCE + len(text), release=_ALIAS.search(text) is None)
    root = conv.convert(node, 0)
    return root, conv.problems


class _Converter:
    """Compose nodes -> positional nodes, counting nodes (aliases expand) and depth."""

    def __init__(self, text: str, budget: int, release: bool = False):
        self.text = text
        self.budget = budget
        self.release = release  # drop converted compose subtrees (no aliases): less memory
        self.count = 0
        self.problems: list[Problem] = []
        self._lines: LineIndex | None = None

    # -- positions --------------------------------------------------------------------------
    @staticmethod
    def pos(node: Any) -> Pos:
        s, e = node.start_mark, node.end_mark
        return (s.line + 1, s.column + 1, e.line + 1, e.column + 1)

    def at(self, index: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.at(index)

    def value_start(self, node: Any) -> tuple[int, int]:
        """Where a tagged node's value begins: after its ``!Tag`` and ``&anchor``."""
        text, n = self.text, len(self.text)
        i = node.start_mark.index
        end = node.end_mark.index
        while i < end:
            ch = text[i]
            if ch in "!&":
                while i < n and text[i] not in " \t\n":
                    i += 1
            elif ch in " \t\n":
                i += 1
            elif ch == "#":
                nl = text.find("\n", i)
                i = n if nl == -1 else nl
            else:
                break
        i = min(i, end)
        mark = node.start_mark
        if text.find("\n", mark.index, i) == -1:
            return mark.line + 1, mark.column + 1 + (i - mark.index)
        return self.at(i)

    def tag_pos(self, node: Any) -> Pos:
        """The span of the ``!Tag`` text itself (the anchor, if first, is skipped)."""
        text = self.text
        i = node.start_mark.index
        if text.startswith("&", i):
            sp = text.find(" ", i)
            i = sp + 1 if sp != -1 else i
            while text.startswith((" ", "\t"), i):
                i += 1
        line, col = node.start_mark.line + 1, node.start_mark.column + 1 + (i - node.start_mark.index)
        if text.find("\n", node.start_mark.index, i) != -1:
            line, col = self.at(i)
        return (line, col, line, col + len(node.tag))

    # -- conversion -------------------------------------------------------------------------
    def convert(self, node: Any, depth: int) -> Any:
        self.count += 1
        if self.count > self.budget:
            m = node.start_mark
            raise PositionedError(
                f"YAML aliases expand to more than {self.budget} values (an alias bomb?); "
                "the document was not read",
                m.line + 1,
                m.column + 1,
            )
        if depth > MAX_DEPTH:
            m = node.start_mark
            raise PositionedError(f"YAML nesting deeper than {MAX_DEPTH} levels", m.line + 1, m.column + 1)
        if node.tag[0] == "!":
            return self.tagged(node, depth)
        s, e = node.start_mark, node.end_mark
        return self.plain(node, depth, (s.line + 1, s.column + 1, e.line + 1, e.column + 1))

    def plain(self, node: Any, depth: int, pos: Pos) -> Any:
        """A node without a CloudFormation tag, at ``pos``."""
        kind = node.id
        if kind == "scalar":
            if node.tag == _STR:
                s = YStr(node.value, pos)
                if node.style:
                    s.style = node.style
                return s
            return self.scalar(node, pos)
        if kind == "sequence":
            out = PList(pos)
            append, convert = out.append, self.convert
            depth += 1
            for item in node.value:
                append(convert(item, depth))
            if out and not node.flow_style:
                _end_at_last(out, out[-1])
            if self.release:
                node.value = []
            return out
        return self.mapping(node, depth, pos)

    def scalar(self, node: Any, pos: Pos) -> Any:
        tag, value = node.tag, node.value
        if tag.startswith(_YAML) and tag != _STR:
            kind = tag[len(_YAML) :]
            if kind == "int":
                return PScalar(_number(value, int), pos, value)
            if kind == "float":
                return PScalar(_number(value, float), pos, value)
            if kind == "bool":
                return PScalar(value.lower() in ("true", "yes", "on"), pos, value)
            if kind == "null":
                return PScalar(None, pos, value)
        s = YStr(value, pos)
        if node.style:
            s.style = node.style
        return s

    def mapping(self, node: Any, depth: int, pos: Pos) -> PDict:
        out = PDict(pos)
        convert = self.convert
        depth += 1
        value: Any = None
        for knode, vnode in node.value:
            if knode.id != "scalar":
                m = knode.start_mark
                self.problems.append(
                    Problem(
                        "a mapping key must be a plain value, not a list or a map", m.line + 1, m.column + 1
                    )
                )
                continue
            s, e = knode.start_mark, knode.end_mark
            key = PStr(knode.value, (s.line + 1, s.column + 1, e.line + 1, e.column + 1))
            value = convert(vnode, depth)
            if key in out:
                first = next(k for k in out if k == key)
                out.dups.append((key, getattr(first, "pos", None), key.pos))
                del out[key]
            out[key] = value
        if value is not None and not node.flow_style:
            _end_at_last(out, value)
        if self.release:
            node.value = []
        return out

    def tagged(self, node: Any, depth: int) -> Any:
        tag = node.tag
        long = SHORT_FORMS.get(tag)
        if long is None:
            line, col, _, end = self.tag_pos(node)
            hint = (
                "; a rain directive: lint the template that 'rain pkg' produces"
                if tag.startswith("!Rain::")
                else ""
            )
            self.problems.append(
                Problem(
                    f"unknown YAML tag {tag}: not a CloudFormation intrinsic function, its value is not "
                    f"evaluated{hint}",
                    line,
                    col,
                    "unknown-tag",
                    end,
                )
            )
            long = tag
        line, col = self.value_start(node)
        end = node.end_mark
        inner_pos: Pos = (line, col, end.line + 1, end.column + 1)
        if long == "Fn::GetAtt" and node.id == "scalar":
            inner: Any = self.getatt(node, inner_pos, 1 if node.style in ("'", '"') else 0)
        elif node.id == "scalar":
            inner = YStr(node.value, inner_pos)
            if node.style:
                inner.style = node.style
        else:
            inner = self.plain(node, depth, inner_pos)
        if long == "Fn::If" and not (isinstance(inner, list) and len(inner) == 3):
            tl, tc, _, _ = self.tag_pos(node)
            self.problems.append(Problem(if_arity_message(inner), tl, tc))
        out = IntrinsicDict(self.pos(node))
        out.short = True
        out[PStr(long, self.tag_pos(node))] = inner
        if node.id != "scalar":
            _end_at_last(out, inner)
        return out

    @staticmethod
    def getatt(node: Any, pos: Pos, quote: int) -> PList:
        """``!GetAtt Res.Attr.Sub`` -> ["Res", "Attr.Sub"], each at its own column."""
        value = node.value
        out = PList(pos)
        line, col, eline, ecol = pos
        col += quote
        name, dot, attr = value.partition(".")
        out.append(YStr(name, (line, col, line, col + len(name))))
        if dot:
            c = col + len(name) + 1
            out.append(YStr(attr, (line, c, eline, ecol)))
        return out


def _end_at_last(collection: Any, last: Any) -> None:
    """End a block collection where its last value ends.

    libyaml ends a block collection at the next token (often the start of a later line),
    the pure-Python composer at its last value; this makes both the same, and tighter.
    """
    end = getattr(last, "pos", None)
    if end is not None:
        p = collection.pos
        collection.pos = (p[0], p[1], end[2], end[3])


def if_arity_message(arg: Any) -> str:
    found = f"{len(arg)} element(s)" if isinstance(arg, list) else "a single value"
    return f"Fn::If needs a list of 3 elements [condition, value if true, value if false], found {found}"


def _number(text: str, kind: type) -> Any:
    """The value of a YAML 1.1 number, or its text when Python reads it differently."""
    t = text.replace("_", "")
    try:
        if kind is int:
            if t.lower().startswith(("0x", "0o", "0b", "-0x", "+0x")):
                return int(t, 0)
            return int(t)
        return float(t.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
    except ValueError:
        return text
