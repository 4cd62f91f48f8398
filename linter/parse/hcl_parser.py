"""python-hcl2's lark parser for HCL, built once and cached on disk.

python-hcl2's dict API drops positions, so iamlint parses with its grammar and post-lexer
(``hcl2.lark``, ``hcl2.postlexer``) and builds its own syntax tree (`hcl_tree`) from lark's.
Building the LALR tables takes seconds, so the built parser is pickled into the user's
cache directory (``$IAMLINT_CACHE_DIR`` alone when set, else ``$XDG_CACHE_HOME/iamlint`` and
``~/.cache/iamlint``) under a key that covers the grammar, the post-lexer, lark's and
Python's versions. It is pickled before it has parsed anything (a cold run then compiles
only the lexer states it meets), and only after its unpickled copy has parsed a probe
exactly like the original. A cache file that does not load is rebuilt; when no directory
is writable, the parser is built in memory and linting goes on. Loading the pickle (about
15 ms) replaces lark's own cache format, which takes several times longer to deserialize.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..cache import cache_dirs

_FORMAT = "iamlint-hcl2-parser-1"  # bump when what is pickled changes

_PARSER: Any = None
PROBE = (
    'locals {\n  a = "x-${var.y}\\n" # c\n  b = <<-EOT\n    {"k": [1, 2.5, true, null]}\n  EOT\n}\n'
    'resource "t" "n" {\n  p = jsonencode({ K = [for x in local.l : x if x != ""], M = a.b[0].c })\n'
    '  q = f(-1, !true, 1 + 2 * 3 == 7 ? "y" : "n", provider::p::f(x)...)\n'
    '  /* c */ dynamic "d" {\n    for_each = {}\n    content {}\n  }\n}\n'
)


def _hcl2_files() -> tuple[str, str]:
    """Paths of python-hcl2's grammar and post-lexer, found without importing hcl2."""
    found = None
    for base in sys.path:
        d = os.path.join(base or ".", "hcl2")
        if os.path.isfile(os.path.join(d, "hcl2.lark")):
            found = d
            break
    if found is None:
        import importlib.util

        spec = importlib.util.find_spec("hcl2")
        if spec is None or not spec.origin:
            raise ImportError("python-hcl2 is not installed; iamlint needs python-hcl2 8.x to read Terraform")
        found = os.path.dirname(spec.origin)
    grammar, postlexer = os.path.join(found, "hcl2.lark"), os.path.join(found, "postlexer.py")
    if not os.path.isfile(postlexer):
        raise ImportError(f"iamlint needs python-hcl2 8.x to read Terraform; the one in {found} is older")
    return grammar, postlexer


_POSTLEXER_MODULE = "iamlint.parse._hcl2_postlexer"


def _postlexer() -> Any:
    """A python-hcl2 `PostLexer`.

    Its module is loaded from python-hcl2's own file under a private name, because importing
    ``hcl2.postlexer`` first runs ``hcl2/__init__``, which imports python-hcl2's serializers
    and formatters: a sixth of a cold start that iamlint does not use. If that ever fails
    (a future python-hcl2 whose post-lexer needs its package), the regular import is used.
    """
    mod: Any = sys.modules.get(_POSTLEXER_MODULE)
    if mod is None:
        try:
            import types
            from importlib.machinery import SourceFileLoader

            path = _hcl2_files()[1]
            loader = SourceFileLoader(_POSTLEXER_MODULE, path)
            mod = types.ModuleType(_POSTLEXER_MODULE)
            mod.__file__ = path
            mod.__loader__ = loader
            sys.modules[_POSTLEXER_MODULE] = mod
            loader.exec_module(mod)
            mod.PostLexer  # noqa: B018 - it must be there
        except Exception:
            sys.modules.pop(_POSTLEXER_MODULE, None)
            from hcl2 import postlexer as mod
    return mod.PostLexer()


def _cache_key() -> str:
    """Names the cached parser after everything it depends on: python-hcl2's grammar and
    post-lexer (their bytes), lark's and Python's versions, and this module's format."""
    import zlib

    import lark

    grammar, postlexer = _hcl2_files()
    crc = 0
    for p in (grammar, postlexer):
        with open(p, "rb") as fh:
            crc = zlib.crc32(fh.read(), crc)
    crc = zlib.crc32(f"{lark.__version__}|{sys.version}|{_FORMAT}".encode(), crc)
    return f"{crc:08x}-{lark.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"


def _fingerprint(tree: Any) -> str:
    """A digest of a parse tree: rule names, token types, values and positions."""
    import hashlib

    from lark import Token, Tree

    h = hashlib.sha256()
    stack = [tree]
    while stack:
        t = stack.pop()
        if isinstance(t, Token):
            h.update(f"{t.type}|{t.value}|{t.line}|{t.column}|{t.end_line}|{t.end_column};".encode())
        elif isinstance(t, Tree):
            m = t.meta
            where = "" if getattr(m, "empty", True) else f"{m.line}:{m.column}-{m.start_pos}:{m.end_pos}"
            h.update(f"({t.data}@{where}".encode())
            stack.extend(reversed(t.children))
    return h.hexdigest()


def _build(lark_cache: str | None = None) -> Any:
    from lark import Lark

    grammar, _ = _hcl2_files()
    kw: dict[str, Any] = {}
    if lark_cache:
        kw["cache"] = lark_cache
    return Lark.open(grammar, parser="lalr", propagate_positions=True, postlex=_postlexer(), **kw)


def _dumps(obj: Any) -> bytes:
    """Pickle lark objects: modules by name, the LALR action singletons by name (the parser
    compares actions by identity)."""
    import importlib
    import io
    import pickle
    import types

    from lark.parsers import lalr_analysis

    actions = {id(getattr(lalr_analysis, n)): n for n in ("Shift", "Reduce")}

    class _P(pickle.Pickler):
        def reducer_override(self, o: Any) -> Any:
            if isinstance(o, types.ModuleType):
                return importlib.import_module, (o.__name__,)
            name = actions.get(id(o))
            if name is not None:
                return getattr, (lalr_analysis, name)
            return NotImplemented

    buf = io.BytesIO()
    _P(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def _save(parser: Any, key: str, directory: str) -> bool:
    """Pickle a parser that has not parsed anything yet (so that a cold run compiles only
    the lexer states it needs), after checking that the copy parses a probe exactly as
    the original does."""
    import pickle

    path = os.path.join(directory, f"hcl2-parser-{key}.pickle")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        data = _dumps((key, parser))
        copy = pickle.loads(data)[1]
        if _fingerprint(copy.parse(PROBE)) != _fingerprint(parser.parse(PROBE)):
            return False
        os.makedirs(directory, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except Exception:  # an unwritable or full disk, an unpicklable future lark: no cache
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def _load_cached(path: str, key: str) -> Any:
    import pickle

    _postlexer()  # its private module must exist before unpickling refers to it
    with open(path, "rb") as fh:
        stored_key, parser = pickle.load(fh)
    from lark import Lark

    if stored_key != key or not isinstance(parser, Lark):
        return None
    return parser


def get_parser() -> Any:
    """The lark parser for HCL (cached in the process and, pickled, on disk)."""
    global _PARSER
    if _PARSER is not None:
        return _PARSER
    key = _cache_key()
    dirs = cache_dirs()
    for d in dirs:
        path = os.path.join(d, f"hcl2-parser-{key}.pickle")
        if os.path.exists(path):
            try:
                parser = _load_cached(path, key)
            except Exception:  # a stale, truncated or foreign file: rebuild it
                parser = None
            if parser is not None:
                _PARSER = parser
                return parser
    parser = None
    for d in dirs:
        try:
            os.makedirs(d, exist_ok=True)
            parser = _build(os.path.join(d, f"hcl2-lark-{key}.cache"))
        except Exception:
            continue
        _save(parser, key, d)
        break
    if parser is None:
        parser = _build()
    _PARSER = parser
    return parser
