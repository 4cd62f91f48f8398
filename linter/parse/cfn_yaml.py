"""CloudFormation YAML to positional nodes, from PyYAML's parser events.

`load` parses the text with PyYAML's C loader (``yaml.CSafeLoader``, falling back to the
pure-Python ``yaml.SafeLoader``) and reads its events as PyYAML's composer would, resolving
the tags of untagged values with its resolver, but builds the positional nodes of
`iamlint.parse.nodes` directly: no node graph is composed (it took as much memory as the
tree), and no Python object is ever constructed from a tag.

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

Two guards keep hostile input bounded. The nesting depth is counted as the events arrive
(libyaml's parser is iterative; its composer, which recursed on the C stack and crashed on
very deep nesting, is not used). An alias is the node its anchor made, shared, not a copy,
but it counts as many nodes and as many levels as that node expands to, so a "billion
laughs" document is stopped by a budget of nodes proportional to the file size, and every
walk of the tree stays as bounded as the tree of a file without aliases.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..positions import LineIndex, Pos, PositionedError
from .nodes import PDict, PList, PScalar, PStr

#: deeper than any real template (CDK output nests about 15 levels); keeps every recursive
#: walk of the tree (conversion, the builder, size computations) far from Python's limit
MAX_DEPTH = 200
#: nodes a document may expand to, beyond one per character of the file (aliases)
NODE_ALLOWANCE = 100_000

_YAML = "tag:yaml.org,2002:"
_NOWHERE: Pos = (0, 0, 0, 0)  # a collection's position until its end is read
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
    """A YAML string that remembers its scalar style: '' plain, ``'``, ``"``, ``|`` or ``>``.

    The style is a class attribute (`ystr` picks the subclass of each style): an instance
    attribute would give every string a ``__dict__`` (see `iamlint.parse.nodes`).
    """

    __slots__ = ()
    style: str = ""


#: scalar style -> the YStr subclass of that style
_STYLED: dict[str, type[YStr]] = {}


def ystr(value: str, pos: Pos | int, style: str | None) -> YStr:
    """A `YStr` of ``style`` (None or '' for a plain scalar)."""
    if not style:
        return YStr(value, pos)
    cls = _STYLED.get(style)
    if cls is None:
        cls = _STYLED[style] = type(
            "YStr", (YStr,), {"__slots__": (), "style": style, "__module__": __name__}
        )
    return cls(value, pos)


class IntrinsicDict(PDict):
    """A one-key mapping for an intrinsic function; ``short`` when written as a ``!Tag``."""

    __slots__ = ("short",)

    def __init__(self, pos: Pos | int):
        super().__init__(pos)
        self.short = False


def _loader():
    import yaml

    return yaml, getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


def _odd_breaks(text: str) -> bool:
    """Whether YAML counts lines of ``text`` otherwise than iamlint does: YAML 1.1 also breaks
    lines at NEL, LS, PS and a lone CR, which editors, SARIF and every other parser here do
    not; positions are then taken from the marks' offsets, not their (line, column)."""
    return "\x85" in text or "\u2028" in text or "\u2029" in text or text.count("\r") != text.count("\r\n")


def _mark_at(mark: Any, text: str) -> tuple[int, int]:
    if _odd_breaks(text):
        return LineIndex(text).at(mark.index)
    return mark.line + 1, mark.column + 1


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
            return PositionedError(f"YAML nesting deeper than {MAX_DEPTH} levels", *_mark_at(mark, text))
        return PositionedError(f"invalid YAML: {msg}", *_mark_at(mark, text))
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
    """Parse and convert; return (root node or None, the `Problem` s read past).

    See `load_tree`, which also says whether a node may stand in several places."""
    root, problems, _ = load_tree(text, comments, containing)
    return root, problems


def load_tree(
    text: str, comments: list | None = None, containing: str = ""
) -> tuple[Any, list[Problem], bool]:
    """Parse and convert; return (root node or None, the `Problem` s read past, whether an
    alias made one node stand in several places of the tree).

    Raises `PositionedError` for text that is not YAML, nests too deeply or expands too much.
    The problems are non-fatal (unknown tags, non-scalar keys). With a ``comments`` list, the
    comments of the text that hold ``containing`` are added to it (see `yaml_comments`): only
    a text that holds ``containing`` at all is scanned for them.
    """
    yaml, loader_class = _loader()
    loader = loader_class(text)
    try:
        conv = _Converter(text, NODE_ALLOWANCE + len(text), loader)
        root = conv.document()
    except PositionedError:
        raise
    except RecursionError:
        raise PositionedError(f"YAML nesting deeper than {MAX_DEPTH} levels", 1, 1) from None
    except yaml.YAMLError as e:
        raise _yaml_error(e, text) from None
    finally:
        loader.dispose()
    if comments is not None and containing in text:
        from .yaml_comments import comments as find_comments

        comments.extend(find_comments(text, None, containing))
    return root, conv.problems, conv.aliased


class _Node:
    """What `tagged` needs of a node with a tag: the composer's node, from its events."""

    __slots__ = ("id", "tag", "value", "style", "start_mark", "end_mark")

    def __init__(self, id: str, tag: str, value: Any, style: Any, start_mark: Any, end_mark: Any):
        self.id = id
        self.tag = tag
        self.value = value
        self.style = style
        self.start_mark = start_mark
        self.end_mark = end_mark


class _Converter:
    """Parser events -> positional nodes, counting nodes (aliases expand) and depth.

    No node graph is composed: each value is converted as its events arrive, so only the
    positional tree is ever held. An alias is the very node its anchor made (positions are
    the anchor's, as in the composer's graph), and counts as many nodes, and as deep, as that
    node expands to.
    """

    def __init__(self, text: str, budget: int, loader: Any):
        from yaml.events import (
            AliasEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            StreamEndEvent,
        )
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.text = text
        self.budget = budget
        self.get = loader.get_event
        self.resolve = loader.resolve
        self.count = 0
        self.deepest = 0
        self.aliased = False  # an alias was read: a node of the tree may be in several places
        self.problems: list[Problem] = []
        self._lines: LineIndex | None = None
        self.odd = _odd_breaks(text)  # then every position is from an offset
        self.end: Any = None  # the end mark of the collection read last
        self.last: Any = None  # and its last value
        #: anchor -> (node, nodes it stands for, its height)
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self._events = (AliasEvent, ScalarEvent, MappingStartEvent, MappingEndEvent, SequenceEndEvent)
        self._stream_end = StreamEndEvent
        self._kinds = (ScalarNode, SequenceNode, MappingNode)

    def document(self) -> Any:
        """The one document of the stream (None when it is empty), as ``yaml.compose`` reads it."""
        from yaml.composer import ComposerError

        get = self.get
        get()  # stream start
        event = get()
        if isinstance(event, self._stream_end):
            return None
        first = get()  # after the document start: the root's first event
        root = self.node(first, 0)
        get()  # document end
        event = get()
        if not isinstance(event, self._stream_end):
            raise ComposerError(
                "expected a single document in the stream",
                first.start_mark,
                "but found another document",
                event.start_mark,
            )
        return root

    # -- positions --------------------------------------------------------------------------
    def pos(self, node: Any) -> Pos | int:
        return self.span(node.start_mark, node.end_mark)

    def span(self, s: Any, e: Any) -> Pos | int:
        """The position from start mark ``s`` to end mark ``e``, for a node's constructor:
        packed as `iamlint.parse.nodes.pack` packs it, without a tuple first (a YAML file
        has a position per value), or a tuple when a field does not fit."""
        if self.odd:
            if self._lines is None:
                self._lines = LineIndex(self.text)
            return self._lines.span(s.index, e.index)
        line, col, end_col, lines = s.line + 1, s.column + 1, e.column + 1, e.line - s.line
        if (line | col | end_col | lines) >> 32:
            return (line, col, e.line + 1, end_col)
        return line | col << 32 | end_col << 64 | lines << 96

    def mark(self, m: Any) -> tuple[int, int]:
        return self.at(m.index) if self.odd else (m.line + 1, m.column + 1)

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
        if not self.odd and text.find("\n", mark.index, i) == -1:
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
        if self.odd or text.find("\n", node.start_mark.index, i) != -1:
            line, col = self.at(i)
        return (line, col, line, col + len(node.tag))

    # -- conversion -------------------------------------------------------------------------
    def stop(self, message: str, mark: Any) -> PositionedError:
        return PositionedError(message, *self.mark(mark))

    def too_many(self, mark: Any) -> PositionedError:
        return self.stop(
            f"YAML aliases expand to more than {self.budget} values (an alias bomb?); "
            "the document was not read",
            mark,
        )

    def node(self, event: Any, depth: int) -> Any:
        """The value whose first event is ``event``, at nesting ``depth``."""
        if type(event) is self._events[0]:
            return self.alias(event, depth)
        self.count += 1
        if self.count > self.budget:
            raise self.too_many(event.start_mark)
        if depth > MAX_DEPTH:
            raise self.stop(f"YAML nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        if depth > self.deepest:
            self.deepest = depth
        anchor = event.anchor
        if anchor is None:
            return self.value(event, depth)
        self.check_anchor(event)
        count, deepest = self.count, self.deepest
        self.deepest = depth
        self.anchors[anchor] = (None, 0, 0)  # being read: an alias to it inside it is a loop
        out = self.value(event, depth)
        self.anchors[anchor] = (out, self.count - count + 1, self.deepest - depth)
        self.deepest = max(deepest, self.deepest)
        return out

    def check_anchor(self, event: Any) -> None:
        if event.anchor in self.anchors:
            from yaml.composer import ComposerError

            raise ComposerError(
                "found duplicate anchor; first occurrence", None, "second occurrence", event.start_mark
            )

    def alias(self, event: Any, depth: int) -> Any:
        hit = self.anchors.get(event.anchor)
        if hit is None:
            from yaml.composer import ComposerError

            raise ComposerError(None, None, "found undefined alias", event.start_mark)
        node, size, height = hit
        if node is None or depth + height > MAX_DEPTH:  # an alias inside its own anchor nests forever
            raise self.stop(f"YAML nesting deeper than {MAX_DEPTH} levels", event.start_mark)
        self.count += size
        self.aliased = True
        if self.count > self.budget:
            raise self.too_many(event.start_mark)
        if depth + height > self.deepest:
            self.deepest = depth + height
        return node

    def value(self, event: Any, depth: int) -> Any:
        """A scalar, or a collection whose start event is ``event``, without its anchor."""
        _, scalar_event, mapping_start, _, _ = self._events
        kind = type(event)
        tag = event.tag
        if kind is scalar_event:
            if tag is None or tag == "!":
                tag = self.resolve(self._kinds[0], event.value, event.implicit)
            if tag[0] == "!":
                return self.tagged(event, tag, depth)
            return self.scalar(tag, event.value, event.style, self.span(event.start_mark, event.end_mark))
        if tag is None or tag == "!":
            tag = self.resolve(self._kinds[2 if kind is mapping_start else 1], None, event.implicit)
        if tag[0] == "!":
            return self.tagged(event, tag, depth)
        return self.collection(event, depth)[0]

    def collection(self, event: Any, depth: int) -> tuple[Any, Any]:
        """(the sequence or mapping ``event`` starts, its end mark)."""
        s = event.start_mark
        out: Any = self.mapping(depth) if type(event) is self._events[2] else self.sequence(depth)
        end, last = self.end, self.last
        out.pos = self.span(s, end)
        if last is not None and not event.flow_style:
            _end_at_last(out, last)
        return out, end

    def sequence(self, depth: int) -> PList:
        out = PList(_NOWHERE)
        append, get, node = out.append, self.get, self.node
        end = self._events[4]
        depth += 1
        event = get()
        while type(event) is not end:
            append(node(event, depth))
            event = get()
        self.end = event.end_mark
        self.last = out[-1] if out else None
        return out

    def mapping(self, depth: int) -> PDict:
        alias_event, scalar_event, _, end, _ = self._events
        out = PDict(_NOWHERE)
        get, node = self.get, self.node
        depth += 1
        value: Any = None
        event = get()
        while type(event) is not end:
            kind = type(event)
            key: PStr | None = None
            if kind is scalar_event:
                key = PStr(event.value, self.span(event.start_mark, event.end_mark))
                if event.anchor is not None:  # a key an alias may name later, as a value
                    self.check_anchor(event)
                    self.anchors[event.anchor] = (self.value(event, depth), 1, 0)
            elif kind is alias_event:
                key = self.alias_key(event)
            if key is None:
                self.problems.append(
                    Problem(
                        "a mapping key must be a plain value, not a list or a map",
                        *self.mark(event.start_mark),
                    )
                )
                if kind is not alias_event:
                    node(event, depth)  # read (its anchors may be named later), not kept
                node(get(), depth)  # its value: read, not kept
                event = get()
                continue
            value = node(get(), depth)
            if key in out:
                first = next(k for k in out if k == key)
                out.add_dup(key, getattr(first, "pos", None), key.pos)
                del out[key]
            out[key] = value
            event = get()
        self.end = event.end_mark
        self.last = value
        return out

    def alias_key(self, event: Any) -> PStr | None:
        """The key an alias to a scalar stands for, with the scalar's position; else None."""
        hit = self.anchors.get(event.anchor)
        node = hit[0] if hit is not None else None
        if isinstance(node, PStr):
            return PStr(str(node), node.pos)
        if isinstance(node, PScalar):
            return PStr(node.text, node.pos)
        if hit is None:
            self.alias(event, 0)  # raises: an undefined alias
        return None

    def scalar(self, tag: str, value: str, style: Any, pos: Pos | int) -> Any:
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
        return ystr(value, pos, style)

    def tagged(self, event: Any, tag: str, depth: int) -> Any:
        scalar = type(event) is self._events[1]
        node = _Node(
            "scalar" if scalar else "collection",
            tag,
            event.value if scalar else None,
            event.style if scalar else None,
            event.start_mark,
            event.end_mark,
        )
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
        if scalar:
            line, col = self.value_start(node)
            inner_pos: Pos = (line, col, *self.mark(node.end_mark))
            if long == "Fn::GetAtt":
                inner: Any = self.getatt(node, inner_pos, 1 if node.style in ("'", '"') else 0)
            else:
                inner = ystr(node.value, inner_pos, node.style)
        else:
            inner, node.end_mark = self.collection(event, depth)
            line, col = self.value_start(node)
            inner.pos = (line, col, inner.pos[2], inner.pos[3])
        if long == "Fn::If" and not (isinstance(inner, list) and len(inner) == 3):
            tl, tc, _, _ = self.tag_pos(node)
            self.problems.append(Problem(if_arity_message(inner), tl, tc))
        out = IntrinsicDict(self.pos(node))
        out.short = True
        out[PStr(long, self.tag_pos(node))] = inner
        if not scalar:
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
        value = float(t.replace(".inf", "inf").replace(".Inf", "inf").replace(".INF", "inf"))
    except ValueError:  # more digits than int() reads, or a form Python does not know
        return text
    if value in (_INF, -_INF) and "inf" not in t.lower():
        return text  # beyond a double's range (1.0e+999999), not infinity
    return value


_INF = float("inf")
