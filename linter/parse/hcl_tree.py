"""HCL syntax trees with exact positions, built from python-hcl2's lark parser.

python-hcl2's dict API drops positions, so this module parses with its grammar and
post-lexer (``hcl2.lark``, ``hcl2.postlexer``) and turns the lark tree into a small,
typed syntax tree (`Body`, `Block`, `Attribute` and the `Expr` classes) whose every node
knows its (line, column, end_line, end_column) in the file and its source text.

The lark parser itself, and its cache on disk, live in `hcl_parser`.

Syntax errors become `PositionedError` with a message and a position meant for people:
an unterminated string or heredoc is reported where it starts, a missing ``}`` at the
brace that is never closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..positions import LineIndex, Pos, PositionedError
from .hcl_parser import get_parser
from .nodes import SLOT_POS, number, pack

Token: Any = None  # lark.Token, imported with the parser

#: blocks and expressions nested deeper than this are not read (real modules nest under 15)
MAX_NESTING = 64


class NestingError(PositionedError):
    """HCL nested deeper than `MAX_NESTING`, at the construct that goes one level too deep
    (the syntax tree is converted by recursion: this bound keeps it within Python's stack)."""


# -- the syntax tree ---------------------------------------------------------------------------
# Plain classes with __slots__ rather than dataclasses: creating some twenty dataclasses costs
# about 10 ms at import, a noticeable part of a cold run on one file.
class Expr:
    """An expression: its position in the file and its source text (``src[start:end]``)."""

    __slots__ = ("_pos", "src", "start", "end")

    def __init__(self, pos: Pos, src: str, start: int, end: int):
        self._pos = pack(pos)  # one int, as a node's (see `iamlint.parse.nodes`)
        self.src = src
        self.start = start
        self.end = end

    pos = SLOT_POS

    @property
    def text(self) -> str:
        return self.src[self.start : self.end]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text[:40]!r} at {self.pos[0]}:{self.pos[1]})"


class Lit(Expr):
    """A number, ``true``, ``false`` or ``null``."""

    __slots__ = ("value",)

    def __init__(self, pos: Pos, src: str, start: int, end: int, value: Any = None):
        super().__init__(pos, src, start, end)
        self.value = value


class Chars:
    """Literal characters of a quoted string: ``raw`` as written (escapes still in it)
    beginning at offset ``offset`` of the parsed text. ``escaped`` is False for ``$${`` /
    ``%%{`` sequences, already turned into ``${`` / ``%{``, whose characters map one to one."""

    __slots__ = ("raw", "offset", "escaped")

    def __init__(self, raw: str, offset: int, escaped: bool = True):
        self.raw = raw
        self.offset = offset
        self.escaped = escaped


class Interp:
    """``${ expr }`` inside a quoted string; ``offset``/``end`` in the parsed text."""

    __slots__ = ("expr", "offset", "end")

    def __init__(self, expr: Expr, offset: int, end: int):
        self.expr = expr
        self.offset = offset
        self.end = end


class Quoted(Expr):
    """A quoted string template: literal `Chars` and `Interp` parts.

    ``directive`` is True when it holds ``%{ ... }`` template directives (never evaluated);
    ``fo`` maps offsets of the parsed text to file offsets (None: they are the same).
    """

    __slots__ = ("parts", "directive", "fo")

    def __init__(self, pos: Pos, src: str, start: int, end: int, fo: Callable[[int], int] | None = None):
        super().__init__(pos, src, start, end)
        self.parts: list = []
        self.directive = False
        self.fo = fo

    def literal(self) -> str | None:
        """The string's value when it has no interpolation or directive, else None."""
        if self.directive or any(isinstance(p, Interp) for p in self.parts):
            return None
        return "".join(unescape(p.raw) if p.escaped else p.raw for p in self.parts)


class Heredoc(Expr):
    """``<<ID`` / ``<<-ID`` heredoc; ``token`` is its text from ``<<`` to the closing line,
    ``offset`` the file offset of ``<<``."""

    __slots__ = ("token", "trim", "offset")

    def __init__(
        self, pos: Pos, src: str, start: int, end: int, token: str = "", trim: bool = False, offset: int = 0
    ):
        super().__init__(pos, src, start, end)
        self.token = token
        self.trim = trim
        self.offset = offset


class TupleX(Expr):
    __slots__ = ("items",)

    def __init__(self, pos: Pos, src: str, start: int, end: int, items: list | None = None):
        super().__init__(pos, src, start, end)
        self.items = items or []


class ObjItem:
    """``key = value`` of an object: ``key`` is a name (identifier or literal string) or an
    expression (``(local.k) = ...``, ``"${x}" = ...``)."""

    __slots__ = ("key", "key_pos", "value")

    def __init__(self, key: str | Expr, key_pos: Pos, value: Expr):
        self.key = key
        self.key_pos = key_pos
        self.value = value


class ObjectX(Expr):
    __slots__ = ("items",)

    def __init__(self, pos: Pos, src: str, start: int, end: int, items: list | None = None):
        super().__init__(pos, src, start, end)
        self.items = items or []


class Ref(Expr):
    """A traversal: ``local.x``, ``data.aws_iam_policy_document.d[0].json``, ``each.value``.

    ``steps`` are attribute names (str) and index expressions (`Expr`).
    """

    __slots__ = ("root", "steps")

    def __init__(self, pos: Pos, src: str, start: int, end: int, root: str = "", steps: tuple = ()):
        super().__init__(pos, src, start, end)
        self.root = root
        self.steps = steps

    def attrs(self) -> list[str | None]:
        """Root and steps, with None for an index step."""
        return [self.root] + [s if isinstance(s, str) else None for s in self.steps]


class Call(Expr):
    __slots__ = ("name", "args", "name_pos")

    def __init__(
        self,
        pos: Pos,
        src: str,
        start: int,
        end: int,
        name: str = "",
        args: list | None = None,
        name_pos: Pos = (0, 0, 0, 0),
    ):
        super().__init__(pos, src, start, end)
        self.name = name
        self.args = args or []
        self.name_pos = name_pos


class Opaque(Expr):
    """Anything iamlint does not evaluate: operators, conditionals, ``for``, splats."""

    __slots__ = ()


class Attribute:
    __slots__ = ("name", "name_pos", "expr", "pos")

    def __init__(self, name: str, name_pos: Pos, expr: Expr, pos: Pos):
        self.name = name
        self.name_pos = name_pos
        self.expr = expr
        self.pos = pos


class Block:
    __slots__ = ("type", "labels", "body", "pos", "type_pos")

    def __init__(self, type_: str, labels: tuple[str, ...], body: Body, pos: Pos, type_pos: Pos):
        self.type = type_
        self.labels = labels
        self.body = body
        self.pos = pos
        self.type_pos = type_pos


class Body:
    __slots__ = ("attributes", "blocks")

    def __init__(self) -> None:
        self.attributes: dict[str, Attribute] = {}
        self.blocks: list[Block] = []

    def get(self, name: str) -> Expr | None:
        a = self.attributes.get(name)
        return a.expr if a is not None else None

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


# -- escapes -----------------------------------------------------------------------------------
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape_map(raw: str) -> tuple[str, list[int]]:
    """HCL quoted-string escapes resolved, with each output character's index in ``raw``."""
    out: list[str] = []
    idx: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n:
            nxt = raw[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                idx.append(i)
                i += 2
                continue
            width = 4 if nxt == "u" else 8 if nxt == "U" else 0
            digits = raw[i + 2 : i + 2 + width]
            if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                try:
                    out.append(chr(int(digits, 16)))
                except (ValueError, OverflowError):
                    out.append("\ufffd")
                idx.append(i)
                i += 2 + width
                continue
        out.append(ch)
        idx.append(i)
        i += 1
    return "".join(out), idx


def unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    return unescape_map(raw)[0]


# -- syntax errors -----------------------------------------------------------------------------
_OPENERS = {
    "LBRACE": "{",
    "LSQB": "[",
    "LPAR": "(",
    "INTERP_START": "${",
    "DIRECTIVE_START": "%{",
    "DBLQUOTE": '"',
}
_TERMINALS = {
    "RBRACE": "'}'",
    "LBRACE": "'{'",
    "RSQB": "']'",
    "LSQB": "'['",
    "RPAR": "')'",
    "LPAR": "'('",
    "EQ": "'='",
    "COLON": "':'",
    "COMMA": "','",
    "DBLQUOTE": "'\"'",
    "NL_OR_COMMENT": "a new line",
    "NAME": "a name",
    "$END": "end of file",
}


def _describe_token(tok: Any) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "STRING_CHARS":  # the contextual lexer's fallback for an unexpected character
        return f"character {str(tok)[:1]!r}"
    if tok.type == "NL_OR_COMMENT":
        return "new line"
    if tok.type in ("HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM"):
        return "heredoc"
    value = str(tok)
    if len(value) > 30:
        value = value[:27] + "..."
    return f"{value!r}"


def _expected(names: Any) -> str:
    shown = sorted({_TERMINALS[n] for n in names or () if n in _TERMINALS})
    if not shown or len(shown) > 4:
        return ""
    return " (expected " + " or ".join(shown) + ")"


def _scan_problem(text: str) -> tuple[int, str] | None:
    """The first unterminated string, heredoc, comment or interpolation, as (offset, message).

    Only used to explain a parse failure: lark's contextual lexer reads an unterminated
    string as string characters up to the next quote, and then fails far from the cause.
    """
    import re

    heredoc = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\r?\n")
    n = len(text)
    i = 0
    # stack of contexts: "s" string (offset of its quote), "x" interpolation/expression depth
    stack: list[tuple[str, int]] = []
    while i < n:
        ch = text[i]
        top = stack[-1][0] if stack else None
        if top == "s":
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                stack.pop()
            elif ch == "\n":
                return stack[-1][1], "string is not terminated: a quoted string must end on its line"
            elif ch in "$%" and text.startswith("{", i + 1):
                stack.append(("x", i))
                i += 2
                continue
            elif ch in "$%" and text.startswith(ch + "{", i + 1):
                i += 3
                continue
            i += 1
            continue
        # code, at top level or inside ${ }
        if ch == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j == -1:
                return i, "comment is not terminated: '/*' has no closing '*/'"
            i = j + 2
            continue
        if ch == '"':
            stack.append(("s", i))
        elif ch == "<" and text.startswith("<<", i):
            m = heredoc.match(text, i)
            if m:
                end = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*\r?$", re.M).search(
                    text, m.end()
                )
                if end is None:
                    return i, f"heredoc <<{m.group(1)} is not terminated: no line holds only {m.group(1)!r}"
                i = end.end()
                continue
        elif ch == "{" and stack:
            stack.append(("b", i))
        elif ch == "}" and stack:
            stack.pop()
        i += 1
    if stack and stack[-1][0] == "s":
        return stack[-1][1], "string is not terminated"
    return None


def _syntax_error(text: str, err: Any, locator: LineIndex) -> PositionedError:
    """A lark error turned into a message and position a person can act on."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line = getattr(err, "line", None)
    column = getattr(err, "column", None)
    at_end = isinstance(err, UnexpectedEOF) or (isinstance(err, UnexpectedToken) and err.token.type == "$END")
    if at_end or not isinstance(line, int) or line < 1 or not isinstance(column, int):
        err_offset = locator.length
    else:
        err_offset = locator.offset(line, column)
    found = _scan_problem(text)
    if found is not None and found[0] <= err_offset:
        ln, col = locator.at(found[0])
        return PositionedError(found[1], ln, col)
    if at_end:
        stack: list[Any] = []
        ip = getattr(err, "interactive_parser", None)
        if ip is not None:
            stack = getattr(ip.parser_state, "value_stack", [])
        from lark import Token

        opened = [t for t in stack if isinstance(t, Token) and t.type in _OPENERS]
        if opened:
            tok = opened[-1]
            sym = _OPENERS[tok.type]
            closer = {"{": "}", "[": "]", "(": ")", "${": "}", "%{": "}", '"': '"'}[sym]
            return PositionedError(
                f"'{sym}' is never closed: the file ends before its '{closer}'",
                tok.line or 1,
                tok.column or 1,
            )
        ln, col = locator.at(locator.length)
        return PositionedError("unexpected end of file", ln, col)
    if isinstance(err, UnexpectedToken):
        tok = err.token
        msg = f"unexpected {_describe_token(tok)}" + _expected(getattr(err, "expected", None))
        return PositionedError(msg, tok.line or 1, tok.column or 1)
    if isinstance(err, UnexpectedCharacters):
        return PositionedError(f"unexpected character {err.char!r}", err.line, err.column)
    return PositionedError(str(err).splitlines()[0] if str(err) else "invalid HCL", line or 1, column or 1)


_HEREDOC_OPEN = None


def normalize_heredocs(text: str) -> str:
    """Move trailing blanks of heredoc closing lines to their start (same length).

    HCL trims the closing line (``EOF  `` closes ``<<EOF``) but python-hcl2's grammar only
    allows blanks before the marker. Rotating them keeps every offset, hence every position,
    unchanged, and a closing line's blanks are not part of the heredoc's value.
    """
    global _HEREDOC_OPEN
    if "<<" not in text:
        return text
    import re

    if _HEREDOC_OPEN is None:
        _HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")
    chars: list[str] | None = None
    i = 0
    while True:
        m = _HEREDOC_OPEN.search(text, i)
        if m is None:
            break
        marker = m.group(1)
        close = re.compile(r"^([ \t]*)" + re.escape(marker) + r"([ \t]+)$", re.M)
        plain = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M)
        end = plain.search(text, m.end())
        if end is None:
            break
        c = close.match(text, end.start())
        if c is not None:
            if chars is None:
                chars = list(text)
            line = c.group(2) + c.group(1) + marker
            chars[end.start() : end.end()] = list(line)
        i = end.end()
    return "".join(chars) if chars is not None else text


_DEPTH_CODE = None
_DEPTH_STRING = None


def too_deep(text: str, depth: int = 0) -> int | None:
    """The offset in ``text`` where its nesting passes `MAX_NESTING`, counting ``depth``
    levels around it, or None: a scan in linear time, before the parser, which reads
    nesting thousands of levels deep slowly (seconds for 30,000 levels) only for the
    conversion to stop at level 65.

    It counts as the conversion does: a block, a list, an object (and its keys and values),
    a function call and a quoted string are a level each; a name, number or string is one
    level below the construct that holds it; parentheses, ``${`` and ``%{`` are none
    (an interpolation's expression is a level of its own, as its string is). Comments and
    heredocs are stepped over (a heredoc's interpolations are parsed, and scanned, on their
    own). It may count fewer levels than the conversion (a chain of indexes), never more
    outside expressions the syntax tree keeps opaque (``for``, conditionals, operators),
    where it can count more and the text is then reported where its brackets pass the limit.
    """
    global _DEPTH_CODE, _DEPTH_STRING
    if _DEPTH_CODE is None:
        import re

        _DEPTH_CODE = re.compile(
            r'"|#|//|/\*|<<-?[A-Za-z][A-Za-z0-9._-]*[ \t]*\r?\n|[A-Za-z0-9_][A-Za-z0-9_.:-]*(?:[ \t]*\()?'
            r"|[\[{(]|[\]})]"
        )
        _DEPTH_STRING = re.compile(r'\\.|"|\$\$\{|%%\{|[$%]\{|\n')
    import re

    code, string = _DEPTH_CODE, _DEPTH_STRING
    assert string is not None
    # each open construct: (kind, levels it adds); "s" a string, "x" an interpolation or
    # directive, "c" code brackets
    stack: list[tuple[str, int]] = []
    n = len(text)
    i = 0
    while i < n:
        if stack and stack[-1][0] == "s":
            m = string.search(text, i)
            if m is None:
                return None
            tok = m.group()
            i = m.end()
            if tok == '"' or tok == "\n":
                depth -= stack.pop()[1]
            elif tok in ("${", "%{"):
                stack.append(("x", 0))
            continue
        m = code.search(text, i)
        if m is None:
            return None
        tok = m.group()
        start = m.start()
        i = m.end()
        c = tok[0]
        if c == '"':
            if depth + 1 > MAX_NESTING:
                return start
            depth += 1
            stack.append(("s", 1))
        elif c == "#" or tok == "//":
            j = text.find("\n", i)
            i = n if j == -1 else j + 1
        elif tok == "/*":
            j = text.find("*/", i)
            i = n if j == -1 else j + 2
        elif c == "<":
            marker = tok.lstrip("<-").split()[0]
            end = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M).search(text, i)
            i = n if end is None else end.end()
        elif c in "[{(":
            levels = 0 if c == "(" else 1
            if depth + levels > MAX_NESTING:
                return start
            depth += levels
            stack.append(("c", levels))
        elif c in "]})":
            if stack:
                depth -= stack.pop()[1]
        else:  # a name or number; with "(", a function call whose arguments are a level deeper
            if depth + 1 > MAX_NESTING:
                return start
            if tok.endswith("("):
                depth += 1
                stack.append(("c", 1))
    return None


def parse_tree(text: str) -> Any:
    """Parse HCL text to python-hcl2's lark tree; raise `PositionedError`."""
    from lark.exceptions import LarkError, UnexpectedInput

    parser = get_parser()
    text = normalize_heredocs(text)
    try:
        return parser.parse(text + "\n")
    except UnexpectedInput as e:
        raise _syntax_error(text, e, LineIndex(text)) from None
    except RecursionError:
        raise PositionedError("nesting too deep to read", 1, 1) from None
    except LarkError as e:
        raise PositionedError(f"invalid HCL: {e}", 1, 1) from None


def parse_body(text: str) -> Body:
    """Parse a ``.tf`` file into a `Body` with file positions; raise `PositionedError`."""
    locator = LineIndex(text)
    deep = too_deep(text)
    if deep is not None:
        raise NestingError(f"nesting too deep to read (more than {MAX_NESTING} levels)", *locator.at(deep))
    tree = parse_tree(text)
    return _Converter(text, locator, None).start(tree)


# -- top-level blocks, for lazy parsing ---------------------------------------------------------
class BlockSpan:
    """A top-level block found by `split_blocks`: header and offsets (end exclusive)."""

    __slots__ = ("type", "labels", "start", "end")

    def __init__(self, type_: str, labels: tuple[str, ...], start: int, end: int):
        self.type = type_
        self.labels = labels
        self.start = start
        self.end = end


_RE: dict[str, Any] = {}


def _re(name: str, pattern: str, flags: int = 0) -> Any:
    r = _RE.get(name)
    if r is None:
        import re

        r = _RE[name] = re.compile(pattern, flags)
    return r


def _skip_string(text: str, i: int) -> int | None:
    """Offset after the quoted string whose opening quote is at ``i`` (None if unterminated).

    Its interpolations may hold strings that hold interpolations, to any depth: they are
    followed with a stack, not by recursion, so that no input can exhaust Python's stack.
    """
    in_string = _re("str", r'["\\\n$%]')
    in_expr = _re("expr", r'[{}"]')
    n = len(text)
    stack = [-1]  # -1: inside a string; k >= 0: inside an interpolation, k braces deep
    i += 1
    while stack:
        if stack[-1] < 0:
            m = in_string.search(text, i)
            if m is None:
                return None
            k = m.start()
            c = text[k]
            if c == '"':
                stack.pop()
                i = k + 1
            elif c == "\\":
                i = k + 2
            elif c == "\n":
                return None
            elif text.startswith("{", k + 1):
                stack.append(0)
                i = k + 2
            elif k + 2 < n and text[k + 1] == c and text[k + 2] == "{":
                i = k + 3
            else:
                i = k + 1
            continue
        m = in_expr.search(text, i)
        if m is None:
            return None
        k = m.start()
        c = text[k]
        if c == '"':
            stack.append(-1)
        elif c == "{":
            stack[-1] += 1
        elif stack[-1] == 0:  # the interpolation's closing brace
            stack.pop()
        else:
            stack[-1] -= 1
        i = k + 1
    return i


def _skip_body(text: str, i: int, comments: list[tuple[int, int]] | None = None) -> int | None:
    """Offset after the ``}`` closing a block body that starts at ``i``; the (start, end)
    offsets of the comments on the way are added to ``comments``, when given."""
    special = _re("body", r'[{}"#/<]')
    heredoc = _re("heredoc", r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")
    n = len(text)
    depth = 0
    while True:
        m = special.search(text, i)
        if m is None:
            return None
        k = m.start()
        c = text[k]
        if c == "{":
            depth += 1
            i = k + 1
        elif c == "}":
            if depth == 0:
                return k + 1
            depth -= 1
            i = k + 1
        elif c == '"':
            j = _skip_string(text, k)
            if j is None:
                return None
            i = j
        elif c == "#" or text.startswith("//", k):
            j = text.find("\n", k)
            i = n if j == -1 else j + 1
            if comments is not None:
                comments.append((k, n if j == -1 else j))
        elif text.startswith("/*", k):
            j = text.find("*/", k + 2)
            if j == -1:
                return None
            i = j + 2
            if comments is not None:
                comments.append((k, i))
        elif c == "<" and text.startswith("<<", k):
            h = heredoc.match(text, k)
            if h is None:
                i = k + 2
                continue
            import re

            close = re.compile(r"^[ \t]*" + re.escape(h.group(1)) + r"[ \t]*$", re.M).search(text, h.end())
            if close is None:
                return None
            i = close.end()
        else:
            i = k + 1


def comments(text: str) -> list[tuple[int, int, str]]:
    """The comments of HCL text (``#`` and ``//`` to the end of their line, ``/* ... */``), as
    (line, column, text), 1-based, text with its delimiters, in order.

    They are what `_skip_body` steps over as comments: quoted strings (with their ``${ }``
    and ``%{ }`` templates, strings inside them included) and heredocs hold none. After an
    unterminated string, heredoc or ``/*`` (a syntax error the parser reports) there are none.
    """
    found: list[tuple[int, int]] = []
    i: int | None = 0
    while i is not None and i < len(text):  # a '}' that closes nothing ends a pass: go on after it
        i = _skip_body(text, i, found)
    if not found:
        return []
    locator = LineIndex(text)
    return [(*locator.at(a), text[a:b].rstrip("\r")) for a, b in found]


def split_blocks(text: str) -> list[BlockSpan] | None:
    """The top-level blocks of a ``.tf`` file, found by a light scan without parsing.

    Only block boundaries are found here (strings, heredocs, comments and interpolations are
    skipped so that their braces do not count); every block is still parsed by python-hcl2.
    Returns None when the text does not look like a sequence of blocks: the caller then
    parses the whole file, which also explains the problem.
    """
    skip = _re("skip", r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)+", 16)  # re.S
    ident = _re("ident", r"[A-Za-z_][A-Za-z0-9_-]*")
    label = _re("label", r'"((?:[^"\\\n$%]|\\.)*)"')
    inline = _re("inline", r"[ \t\r\n]*")
    out: list[BlockSpan] = []
    i, n = 0, len(text)
    while True:
        m = skip.match(text, i)
        if m:
            i = m.end()
        if i >= n:
            return out
        if text.startswith("/*", i):
            return None
        m = ident.match(text, i)
        if m is None:
            return None
        start, type_ = i, m.group()
        i = m.end()
        labels: list[str] = []
        while True:
            i = inline.match(text, i).end()
            if i >= n:
                return None
            if text[i] == "{":
                break
            lm = label.match(text, i) or ident.match(text, i)
            if lm is None:
                return None
            labels.append(unescape(lm.group(1)) if lm.re is label else lm.group())
            i = lm.end()
        end = _skip_body(text, i + 1)
        if end is None:
            return None
        out.append(BlockSpan(type_, tuple(labels), start, end))
        i = end


def split_attributes(text: str, span: BlockSpan) -> dict[str, tuple[int, int, int]] | None:
    """The top-level attributes of a block's body, found by a light scan without parsing:
    name -> (offset of the name, start and end offsets of the expression). Nested blocks are
    stepped over. None when the body does not look like attributes and blocks: the caller
    then parses the block, which also explains the problem.

    A caller that needs one attribute of a large block (a variable's ``default``, a module
    argument) parses that expression alone (`parse_expression`) instead of the whole block.
    """
    items = _split_body(text, span)
    if items is None:
        return None
    out: dict[str, tuple[int, int, int]] = {}
    for item in items:
        if not isinstance(item, BlockSpan):
            out.setdefault(item[0], (item[1], item[2], item[3]))
    return out


def _split_body(text: str, span: BlockSpan) -> list[tuple[str, int, int, int] | BlockSpan] | None:
    """The attributes ((name, name offset, expression start, end)) and nested blocks of a
    block's body, in order; None when it does not look like one."""
    skip = _re("skip", r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)+", 16)  # re.S
    ident = _re("ident", r"[A-Za-z_][A-Za-z0-9_-]*")
    label = _re("label", r'"((?:[^"\\\n$%]|\\.)*)"')
    inline = _re("attr-inline", r"[ \t]*")
    i = _body_start(text, span)
    if i is None:
        return None
    end = span.end - 1  # the closing brace
    out: list[tuple[str, int, int, int] | BlockSpan] = []
    while True:
        m = skip.match(text, i)
        if m:
            i = m.end()
        if i >= end:
            return out if i == end else None
        m = ident.match(text, i)
        if m is None:
            return None
        name, start = m.group(), i
        i = inline.match(text, m.end()).end()
        if text.startswith("=", i) and not text.startswith("==", i):
            j = inline.match(text, i + 1).end()
            k = _expression_end(text, j, end)
            if k is None or k <= j:
                return None
            out.append((name, start, j, k))
            i = k
            continue
        labels: list[str] = []
        while i < end and text[i] != "{":  # a nested block's labels
            lm = label.match(text, i) or ident.match(text, i)
            if lm is None:
                return None
            labels.append(unescape(lm.group(1)) if lm.re is label else lm.group())
            i = inline.match(text, lm.end()).end()
        j = _skip_body(text, i + 1)
        if j is None or j > end:
            return None
        out.append(BlockSpan(name, tuple(labels), start, j))
        i = j


def _body_start(text: str, span: BlockSpan) -> int | None:
    """The offset after the ``{`` that opens a block's body (its labels hold no brace)."""
    i = text.find("{", span.start)
    if i == -1 or i >= span.end or text.count('"', span.start, i) % 2:
        return None
    return i + 1


def _expression_end(text: str, i: int, end: int) -> int | None:
    """The end of the expression that starts at ``i``: the end of its line outside brackets,
    strings, heredocs and comments (a trailing comment is not part of it)."""
    special = _re("expr-end", r'[\n"(\[{)\]}#/<]')
    heredoc = _re("heredoc", r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")
    depth = 0
    while i < end:
        m = special.search(text, i, end)
        if m is None:
            return None if depth else len(text[:end].rstrip())
        k = m.start()
        c = text[k]
        if c == "\n":
            if depth == 0:
                return len(text[:k].rstrip())
            i = k + 1
        elif c == '"':
            j = _skip_string(text, k)
            if j is None:
                return None
            i = j
        elif c in "([{":
            depth += 1
            i = k + 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return None
            i = k + 1
        elif c == "#" or text.startswith("//", k):
            if depth == 0:
                return len(text[:k].rstrip())
            j = text.find("\n", k)
            i = end if j == -1 else j
        elif text.startswith("/*", k):
            j = text.find("*/", k + 2)
            if j == -1:
                return None
            i = j + 2
        elif c == "<" and text.startswith("<<", k):
            h = heredoc.match(text, k)
            if h is None:
                i = k + 2
                continue
            import re

            close = re.compile(r"^[ \t]*" + re.escape(h.group(1)) + r"[ \t]*$", re.M).search(text, h.end())
            if close is None:
                return None
            i = close.end()
        else:
            i = k + 1
    return None if depth else len(text[:end].rstrip())


def shifted(base: int) -> Callable[[int], int]:
    """The file offset of an offset in a piece of text that starts at ``base``."""
    return lambda o: o + base


def _parse_block_light(text: str, span: BlockSpan, locator: LineIndex, depth: int = 0) -> Block:
    """`parse_block`'s result, built piece by piece with the same positions and source
    texts: the body is split without parsing (`_split_body`), nested blocks the same way,
    simple values (`simple_expression`) are built directly, and only the other expressions
    go through python-hcl2's parser, one at a time. Most of a policy's text (strings, lists
    of strings, references) never reaches the parser, which is where a run spends its time.

    Raises `PositionedError` when a piece does not parse or the body cannot be split (the
    caller then parses the block whole, or the file, to explain it), and `NestingError`
    where the nesting goes too deep, as `parse_block` does.
    """
    if depth >= MAX_NESTING:
        raise NestingError(
            f"nesting too deep to read (more than {MAX_NESTING} levels)", *locator.at(span.start)
        )
    items = _split_body(text, span)
    if items is None:
        raise PositionedError("not a block that can be split", *locator.at(span.start))
    body = Body()
    for item in items:
        if isinstance(item, BlockSpan):
            body.blocks.append(_parse_block_light(text, item, locator, depth + 1))
            continue
        name, start, a, b = item
        budget = min(32, MAX_NESTING - depth - 2)
        expr = simple_expression(text, a, b, locator, budget) if budget > 0 else None
        if expr is None:
            expr = parse_expression(text[a:b], locator, shifted(a), depth + 1)
        attr = Attribute(name, locator.span(start, start + len(name)), expr, locator.span(start, b))
        body.attributes.setdefault(name, attr)
    type_end = span.start + len(span.type)
    return Block(
        span.type, span.labels, body, locator.span(span.start, span.end), locator.span(span.start, type_end)
    )


def simple_expression(text: str, a: int, b: int, locator: LineIndex, budget: int = 32) -> Expr | None:
    """The expression ``text[a:b]`` when it is simple enough to build without the parser, or
    None: strings without escapes, templates or line breaks, unsigned numbers, ``true``,
    ``false``, ``null``, references of names (``aws_iam_role.app.name``), and lists, objects
    (``jsonencode({...})``) and function calls of these, nested at most ``budget`` levels.
    The nodes are those the parser's conversion gives (same classes, positions and source
    texts), with the file as their source; anything else (operators, templates, heredocs,
    ``for``, indexes, splats) is left to the parser."""
    got = _Simple(text, b, locator).value(a, budget)
    if got is None:
        return None
    expr, end = got
    return expr if _Simple(text, b, locator).ws(end) == b else None


class _Simple:
    """The recursive descent of `simple_expression` over ``text`` up to ``limit``."""

    __slots__ = ("text", "limit", "locator")

    def __init__(self, text: str, limit: int, locator: LineIndex):
        self.text = text
        self.limit = limit
        self.locator = locator

    def ws(self, i: int, newlines: bool = True) -> int:
        """The offset after blanks and comments (and line breaks, when ``newlines``)."""
        pattern = "simple-ws" if newlines else "simple-ws-inline"
        skip = _re(
            pattern,
            r"(?:[ \t\r\n]+|#[^\n]*|//[^\n]*|/\*.*?\*/)*" if newlines else r"(?:[ \t]+|/\*[^\n]*?\*/)*",
            16,
        )
        return min(skip.match(self.text, i, self.limit).end(), self.limit)

    def value(self, i: int, budget: int) -> tuple[Expr, int] | None:
        if budget <= 0 or i >= self.limit:
            return None
        c = self.text[i]
        if c == "[":
            return self.sequence(i, budget, "]")
        if c == "{":
            return self.object(i, budget)
        atom = _re(
            "simple-atom",
            r'"[^"\\$%\n]*"|[0-9]+(?:\.[0-9]+)?(?![\w.])|[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*',
        )
        m = atom.match(self.text, i, self.limit)
        if m is None:
            return None
        a, b = m.span()
        pos = self.locator.span(a, b)
        word = m.group()
        if c == '"':
            q = Quoted(pos, self.text, a, b)
            if b - a > 2:
                q.parts.append(Chars(word[1:-1], a + 1))
            return q, b
        if c.isdigit():
            return Lit(pos, self.text, a, b, number(word)), b
        if b < self.limit and self.text[b] in "[.(":
            if self.text[b] == "(" and "." not in word:
                return self.call(word, a, b, budget)
            return None  # an index, a splat or a call of a reference: left to the parser
        if word in ("true", "false", "null"):
            return Lit(pos, self.text, a, b, {"true": True, "false": False, "null": None}[word]), b
        names = word.split(".")
        if any(n in ("true", "false", "null") for n in names[1:]) or names[0] in ("for", "if"):
            return None
        return Ref(pos, self.text, a, b, root=names[0], steps=tuple(names[1:])), b

    def sequence(self, a: int, budget: int, close: str) -> tuple[TupleX, int] | None:
        """``[ v, v, ]``: items separated by commas (a trailing one allowed)."""
        items: list[Expr] = []
        i = self.ws(a + 1)
        while i < self.limit and self.text[i] != close:
            got = self.value(i, budget - 1)
            if got is None:
                return None
            items.append(got[0])
            i = self.ws(got[1])
            if i < self.limit and self.text[i] == ",":
                i = self.ws(i + 1)
            elif i >= self.limit or self.text[i] != close:
                return None
        if i >= self.limit:
            return None
        return TupleX(self.locator.span(a, i + 1), self.text, a, i + 1, items=items), i + 1

    def call(self, name: str, a: int, paren: int, budget: int) -> tuple[Call, int] | None:
        """``name(v, v)``: a function call with simple arguments."""
        got = self.sequence(paren, budget, ")")
        if got is None or "..." in self.text[paren : got[1]]:
            return None
        args, end = got[0].items, got[1]
        name_pos = self.locator.span(a, a + len(name))
        return Call(
            self.locator.span(a, end), self.text, a, end, name=name, args=args, name_pos=name_pos
        ), end

    def object(self, a: int, budget: int) -> tuple[ObjectX, int] | None:
        """``{ k = v, "k" : v }``: items separated by commas or line breaks."""
        key_re = _re("simple-key", r'"[^"\\$%\n]*"|[A-Za-z_][A-Za-z0-9_-]*')
        items: list[ObjItem] = []
        i = self.ws(a + 1)
        while i < self.limit and self.text[i] != "}":
            k = key_re.match(self.text, i, self.limit)
            if k is None:
                return None
            key = k.group()[1:-1] if k.group().startswith('"') else k.group()
            if key in ("for",):
                return None
            j = self.ws(k.end(), newlines=False)
            if j >= self.limit or self.text[j] not in "=:" or self.text.startswith("==", j):
                return None
            got = self.value(self.ws(j + 1, newlines=False), budget - 1)
            if got is None:
                return None
            items.append(ObjItem(key, self.locator.span(k.start(), k.end()), got[0]))
            i = self.ws(got[1], newlines=False)
            if i < self.limit and self.text[i] in ",\n#/\r":
                if self.text[i] == ",":
                    i += 1
                elif self.text[i] == "/" and not self.text.startswith("//", i):
                    return None
                i = self.ws(i)
            elif i >= self.limit or self.text[i] != "}":
                return None
        if i >= self.limit:
            return None
        return ObjectX(self.locator.span(a, i + 1), self.text, a, i + 1, items=items), i + 1


#: the blocks parsed last, by their text and where it starts in its file (offset, line and
#: column), when a long-lived process (the language server) asks for it with
#: `keep_parsed_blocks`; None: nothing is kept, as a command-line run parses each block once
_parsed: dict[tuple[str, int, int, int], Block] | None = None
_parsed_max = 0


def keep_parsed_blocks(count: int) -> None:
    """Keep the last ``count`` blocks parsed (0: none), so that a block that has not changed
    is not parsed again. A block's tree is never changed once built, and its positions follow
    from its text and where it starts, so those are the key: a block of a file edited
    elsewhere is kept too, and what is kept is the blocks' text, not their files'."""
    global _parsed, _parsed_max
    _parsed, _parsed_max = ({} if count > 0 else None), count


def parse_block(text: str, span: BlockSpan, locator: LineIndex) -> Block:
    """Parse one top-level block of a file, with file positions; raise `PositionedError`
    (whose position is then relative to the block: parse the file to report it)."""
    return _kept(text, span, locator, _parse_block)


def parse_block_light(text: str, span: BlockSpan, locator: LineIndex) -> Block:
    """`parse_block`'s result without parsing most of the block (see `_parse_block_light`);
    raises `PositionedError` when it cannot, and the caller then uses `parse_block`."""
    return _kept(text, span, locator, _parse_block_light)


def _kept(
    text: str, span: BlockSpan, locator: LineIndex, parse: Callable[[str, BlockSpan, LineIndex], Block]
) -> Block:
    """A top-level block from the blocks kept (both parsers give the same block), else
    parsed by ``parse`` (and kept, when blocks are kept)."""
    if _parsed is None or locator.mapper is not None:
        return parse(text, span, locator)
    key = (text[span.start : span.end], span.start, *locator.at(span.start))
    got = _parsed.pop(key, None)
    if got is None:
        got = parse(text, span, locator)
        while len(_parsed) >= _parsed_max:  # the least recently used goes
            del _parsed[next(iter(_parsed))]
    _parsed[key] = got
    return got


def _parse_block(text: str, span: BlockSpan, locator: LineIndex) -> Block:
    src = text[span.start : span.end]
    base = span.start
    deep = too_deep(src)
    if deep is not None:
        raise NestingError(
            f"nesting too deep to read (more than {MAX_NESTING} levels)", *locator.at(deep + base)
        )
    tree = parse_tree(src)
    body = _Converter(src, locator, lambda o: o + base).start(tree)
    if len(body.blocks) != 1 or body.attributes:
        raise PositionedError("not a single block", 1, 1)
    return body.blocks[0]


_WRAP = "__iamlint__ = "


def parse_expression(
    text: str, locator: LineIndex, file_offset: Callable[[int], int], depth: int = 0
) -> Expr:
    """Parse one expression (a template interpolation's content, an attribute read alone).

    ``file_offset`` maps an offset in ``text`` to its offset in the file ``locator`` indexes,
    so positions and source texts stay exact inside heredocs and template files. ``depth``:
    the levels of nesting around it (1 for an attribute of a top-level block), which count
    towards `MAX_NESTING` as they do when the block is parsed whole.
    """
    deep = too_deep(text, depth)
    if deep is not None:
        raise NestingError(
            f"nesting too deep to read (more than {MAX_NESTING} levels)", *locator.at(file_offset(deep))
        )
    src = _WRAP + text
    tree = parse_tree(src)
    conv = _Converter(src, locator, lambda o: file_offset(o - len(_WRAP)))
    conv.depth = depth
    body = conv.start(tree)
    attr = body.attributes.get("__iamlint__")
    if attr is None or len(body.attributes) != 1 or body.blocks:
        raise PositionedError("invalid expression", *locator.at(file_offset(0)))
    return attr.expr


# -- lark tree -> syntax tree --------------------------------------------------------------------
class _Converter:
    """Walks python-hcl2's lark tree (grammar ``hcl2.lark``, 8.x) into the classes above.

    Blocks and expressions nested more than `MAX_NESTING` levels deep raise `NestingError`
    where the nesting goes too deep (``depth`` counts the levels being converted).
    """

    def __init__(self, src: str, locator: LineIndex, fo: Callable[[int], int] | None):
        global Token
        if Token is None:
            from lark import Token as _T

            Token = _T
        self.src = src
        self.locator = locator
        self.fo = fo
        self.depth = 0

    def deeper(self, start: int) -> None:
        """Enter one more level of nesting at offset ``start`` (the caller leaves it)."""
        if self.depth >= MAX_NESTING:
            raise NestingError(f"nesting too deep to read (more than {MAX_NESTING} levels)", *self.at(start))
        self.depth += 1

    # positions
    def at(self, offset: int) -> tuple[int, int]:
        return self.locator.at(self.fo(offset) if self.fo else offset)

    def span(self, start: int, end: int) -> Pos:
        a = self.at(start)
        b = self.at(end)
        return (a[0], a[1], b[0], b[1])

    def file_offset(self, offset: int) -> int:
        return self.fo(offset) if self.fo else offset

    @staticmethod
    def bounds(t: Any) -> tuple[int, int]:
        if isinstance(t, Token):
            return t.start_pos, t.end_pos
        return t.meta.start_pos, t.meta.end_pos

    # structure
    def start(self, tree: Any) -> Body:
        for c in tree.children:
            if getattr(c, "data", None) == "body":
                return self.body(c)
        return Body()

    def body(self, tree: Any) -> Body:
        out = Body()
        for c in tree.children:
            data = getattr(c, "data", None)
            if data == "attribute":
                a = self.attribute(c)
                out.attributes.setdefault(a.name, a)
            elif data == "block":
                out.blocks.append(self.block(c))
        return out

    def name(self, t: Any) -> tuple[str, Pos]:
        tok = t if isinstance(t, Token) else t.children[0]
        return str(tok), self.span(tok.start_pos, tok.end_pos)

    def attribute(self, t: Any) -> Attribute:
        name, npos = self.name(t.children[0])
        expr = self.expr(t.children[-1])
        s, _ = self.bounds(t.children[0])
        _, e = self.bounds(t.children[-1])
        return Attribute(name, npos, expr, self.span(s, e))

    def block(self, t: Any) -> Block:
        kids = t.children
        s, e = self.bounds(t)
        self.deeper(s)
        try:
            type_, tpos = self.name(kids[0])
            labels: list[str] = []
            body = Body()
            for c in kids[1:]:
                data = getattr(c, "data", None)
                if data in ("identifier", "keyword", "literal_value"):
                    labels.append(self.name(c)[0])
                elif data == "string":
                    q = self.quoted(c)
                    labels.append(q.literal() or q.text.strip('"'))
                elif data == "body":
                    body = self.body(c)
        finally:
            self.depth -= 1
        return Block(type_, tuple(labels), body, self.span(s, e), tpos)

    # expressions
    def expr(self, t: Any) -> Expr:
        while not isinstance(t, Token) and t.data == "expr_term":  # unwrapped without recursion
            kids = [c for c in t.children if getattr(c, "data", None) != "new_line_or_comment"]
            if len(kids) == 1:
                t = kids[0]
                continue
            inner = [c for c in kids if not isinstance(c, Token)]
            if len(inner) != 1:
                break
            t = inner[0]  # ( expression )
        if isinstance(t, Token):
            return Opaque(self.span(t.start_pos, t.end_pos), self.src, t.start_pos, t.end_pos)
        handler = getattr(self, "x_" + str(t.data), None)
        s, e = self.bounds(t)
        if handler is None:
            return Opaque(self.span(s, e), self.src, s, e)
        self.deeper(s)
        try:
            return handler(t, s, e)
        finally:
            self.depth -= 1

    def x_string(self, t: Any, s: int, e: int) -> Quoted:
        return self.quoted(t)

    def quoted(self, t: Any) -> Quoted:
        s, e = self.bounds(t)
        q = Quoted(self.span(s, e), self.src, s, e, self.fo)
        for part in t.children:
            if isinstance(part, Token):  # the quotes
                continue
            inner = part.children[0] if part.children else None
            if isinstance(inner, Token):
                if inner.type == "STRING_CHARS":
                    q.parts.append(Chars(str(inner), inner.start_pos))
                elif inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    q.parts.append(Chars(str(inner)[1:], inner.start_pos + 1, escaped=False))
                else:
                    q.directive = True
            elif inner is not None and getattr(inner, "data", None) == "interpolation":
                exprs = [c for c in inner.children if not isinstance(c, Token)]
                ps, pe = self.bounds(inner)
                if exprs:
                    q.parts.append(Interp(self.expr(exprs[0]), ps, pe))
                else:
                    q.directive = True
            else:
                q.directive = True
        return q

    def x_int_lit(self, t: Any, s: int, e: int) -> Expr:
        # a number too large for Python keeps its text as its value, as in JSON
        return Lit(self.span(s, e), self.src, s, e, number(str(t.children[0])))

    x_float_lit = x_int_lit

    def x_literal_value(self, t: Any, s: int, e: int) -> Expr:
        word = str(t.children[0])
        value = {"true": True, "false": False, "null": None}.get(word)
        return Lit(self.span(s, e), self.src, s, e, value)

    def x_identifier(self, t: Any, s: int, e: int) -> Expr:
        return Ref(self.span(s, e), self.src, s, e, root=str(t.children[0]))

    def x_tuple(self, t: Any, s: int, e: int) -> Expr:
        items = [
            self.expr(c) for c in t.children if not isinstance(c, Token) and c.data != "new_line_or_comment"
        ]
        return TupleX(self.span(s, e), self.src, s, e, items=items)

    def x_object(self, t: Any, s: int, e: int) -> Expr:
        items = []
        for c in t.children:
            if getattr(c, "data", None) != "object_elem":
                continue
            key_tree, value_tree = c.children[0], c.children[-1]
            ks, ke = self.bounds(key_tree)
            kpos = self.span(ks, ke)
            inner = key_tree.children[0]
            if getattr(inner, "data", None) == "keyword":
                key: str | Expr = self.name(inner)[0]
            else:
                kx = self.expr(inner)
                if isinstance(kx, Ref) and not kx.steps:
                    key = kx.root
                elif isinstance(kx, Quoted) and kx.literal() is not None:
                    key = kx.literal()  # type: ignore[assignment]
                elif isinstance(kx, Lit):
                    key = kx.text
                else:
                    key = kx
            items.append(ObjItem(key, kpos, self.expr(value_tree)))
        return ObjectX(self.span(s, e), self.src, s, e, items=items)

    def x_function_call(self, t: Any, s: int, e: int) -> Expr:
        names = [self.name(c)[0] for c in t.children if getattr(c, "data", None) == "identifier"]
        first = t.children[0]
        ns, ne = self.bounds(first)
        args: list[Expr] = []
        for c in t.children:
            if getattr(c, "data", None) == "arguments":
                args = [
                    self.expr(a)
                    for a in c.children
                    if not isinstance(a, Token) and a.data != "new_line_or_comment"
                ]
        return Call(
            self.span(s, e), self.src, s, e, name="::".join(names), args=args, name_pos=self.span(ns, ne)
        )

    def x_heredoc_template(self, t: Any, s: int, e: int, trim: bool = False) -> Expr:
        tok = t.children[0]
        token = str(tok)
        # the token ends with the newline after the closing marker: keep it out of the span
        end = e - 1 if token.endswith("\n") else e
        return Heredoc(
            self.span(s, end), self.src, s, end, token=token, trim=trim, offset=self.file_offset(s)
        )

    def x_heredoc_template_trim(self, t: Any, s: int, e: int) -> Expr:
        return self.x_heredoc_template(t, s, e, trim=True)

    def x_get_attr_expr_term(self, t: Any, s: int, e: int) -> Expr:
        base = self.expr(t.children[0])
        get_attr = t.children[1]
        names = [c for c in get_attr.children if getattr(c, "data", None) in ("identifier", "literal_value")]
        if isinstance(base, Ref) and names:
            return Ref(
                self.span(s, e), self.src, s, e, root=base.root, steps=base.steps + (self.name(names[0])[0],)
            )
        return Opaque(self.span(s, e), self.src, s, e)

    def x_index_expr_term(self, t: Any, s: int, e: int) -> Expr:
        base = self.expr(t.children[0])
        index = t.children[1]
        if not isinstance(base, Ref):
            return Opaque(self.span(s, e), self.src, s, e)
        if index.data == "short_index":
            tok = [c for c in index.children if isinstance(c, Token) and c.type == "INT_LITERAL"][0]
            step: Expr = Lit(
                self.span(tok.start_pos, tok.end_pos), self.src, tok.start_pos, tok.end_pos, number(str(tok))
            )
        else:
            inner = [
                c for c in index.children if not isinstance(c, Token) and c.data != "new_line_or_comment"
            ]
            if not inner:
                return Opaque(self.span(s, e), self.src, s, e)
            step = self.expr(inner[0])
        return Ref(self.span(s, e), self.src, s, e, root=base.root, steps=base.steps + (step,))
