"""The result cache: a work unit's reports, kept between runs (docs/cache.md).

An entry holds what linting one unit gave (its `FileReport`s and the use counts of the
configuration's suppressions), under a key made of everything the result depends on:

- the unit: a file, or the given ``.tf`` files of a module, with its path as given, the
  working directory, the real directories its ``file()`` calls may read;
- the bytes of its files: a file's; a module's every ``.tf`` file of its directory, and
  (checked when the entry is read) each file its ``file()`` calls read or looked for;
- the effective configuration of the unit (every setting, option and suppression);
- the code and data of the run (`run_salt`): iamlint's version and the size and time of every
  file of its package (its rules and AWS data included), the rules of the registry and the
  distributions of its plugins (with the size and time of their modules), the AWS service
  catalogue in use, Python's version.

Entries are JSON files under ``results-2/`` in the user cache directory (`iamlint.cache`),
one per key, written atomically (a temporary file renamed into place): runs in parallel
(pre-commit splits files over processes) share no index and never see half an entry. An
entry that cannot be read, is not one iamlint wrote, or does not fit its key is a miss, and
is written again. The directory is kept under `MAX_BYTES`: a run that wrote entries evicts
the least recently used (a hit touches its entry) once the total is over it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .model import Finding, Fix, Severity, Span
from .results import DocumentInfo, FileReport

try:  # the built-in module: importing hashlib costs ~5 ms of every run
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - not CPython
    from hashlib import blake2b as _blake2b

#: the entries' format; a change of it starts a new directory (3: the items of a removal
#: fix are written once per list, in ``"lists"``, and each fix names its list by index)
FORMAT = 3
DIRECTORY = f"results-{FORMAT}"
#: the size the results directory is kept under (``IAMLINT_CACHE_MAX_BYTES`` overrides it)
MAX_BYTES = 200 * 1024 * 1024
#: after an eviction, the directory holds at most this share of the bound
_LOW_WATER = 0.8
#: an entry larger than this is not one iamlint wrote (a unit's reports are far smaller)
_MAX_ENTRY = 64 * 1024 * 1024


def max_bytes() -> int:
    raw = os.environ.get("IAMLINT_CACHE_MAX_BYTES", "")
    try:
        return max(0, int(raw)) if raw.strip() else MAX_BYTES
    except ValueError:
        return MAX_BYTES


def root() -> str | None:
    """The results directory: in the first cache directory that exists or can be made."""
    from .cache import cache_dirs

    for d in cache_dirs():
        target = os.path.join(d, DIRECTORY)
        if os.path.isdir(target):
            return target
        try:
            os.makedirs(target, exist_ok=True)
            return target
        except OSError:
            continue
    return None


# -- keys ----------------------------------------------------------------------------------------
def _digest(data: bytes) -> str:
    return _blake2b(data, digest_size=20).hexdigest()


def file_state(path: str) -> str | None:
    """What a file holds, for a key: the hash of its bytes, ``dir``/``other`` for what is not a
    regular file, None when there is nothing there."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if not stat.S_ISREG(st.st_mode):
        return "other"
    try:
        with open(path, "rb") as fh:
            return _digest(fh.read())
    except OSError:
        return "unreadable"


def _tree_state(top: str) -> list:
    out = []
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                st = os.stat(os.path.join(d, name))
            except OSError:
                continue
            out.append((os.path.relpath(os.path.join(d, name), top), st.st_size, st.st_mtime_ns))
    return out


def run_salt(registry: Any) -> str:
    """What every entry of this run depends on besides its unit: see the module's doc."""
    from . import catalogue
    from .version import __version__

    package = os.path.dirname(os.path.abspath(__file__))
    rules_pkg = sys.modules.get("iamlint.rules")
    rules_dir = (
        os.path.dirname(os.path.abspath(rules_pkg.__file__)) if rules_pkg and rules_pkg.__file__ else ""
    )
    rules = []
    for r in registry:
        mod = sys.modules.get(r.__module__)
        where = getattr(mod, "__file__", None) or ""
        if where and not where.startswith((package, rules_dir or package)):
            try:
                st = os.stat(where)
                where = f"{where}:{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                pass
        else:
            where = ""
        rules.append((r.code, r.__module__, r.__qualname__, where))
    cfn = catalogue._installed_cfn_lint() if catalogue.mode() == "auto" else None
    parts = [
        FORMAT,
        __version__,
        sys.version,
        _tree_state(package),
        _tree_state(rules_dir) if rules_dir and rules_dir != package else [],
        rules,
        sorted(getattr(registry, "plugins", ())),
        catalogue.mode(),
        list(cfn) if cfn else None,
        catalogue._bundled_head(),
    ]
    return _digest(json.dumps(parts, default=str).encode())


def tf_siblings(directory: str) -> list[tuple[str, str | None]]:
    """The ``.tf`` files of a module's directory and their states (all are read as context)."""
    try:
        names = sorted(n for n in os.listdir(directory or ".") if n.endswith(".tf"))
    except OSError:
        return []
    return [(n, file_state(os.path.join(directory, n))) for n in names]


def unit_key(salt: str, kind: str, paths: Iterable[str], config: Any, roots: Iterable[str]) -> str | None:
    """The key of a unit, or None when it cannot be cached (a file that cannot be read)."""
    paths = list(paths)
    if kind == "module":
        directory = os.path.dirname(paths[0]) or "."
        states: list = tf_siblings(directory)
        given = {os.path.basename(p) for p in paths}
        if any(s is None for n, s in states if n in given):
            return None
    else:
        state = file_state(paths[0])
        if state is None or len(state) != 40:
            return None  # missing, a directory, a FIFO: linted each time, as the error it is
        states = [state]
    parts = [salt, kind, paths, os.getcwd(), repr(config), list(roots), states]
    return _digest(json.dumps(parts, default=str).encode())


# -- entries -------------------------------------------------------------------------------------
def _span(s: Span) -> list:
    return [s.file, s.line, s.column, s.end_line, s.end_column]


def _unspan(x: list) -> Span:
    file, line, column, end_line, end_column = x
    if not isinstance(file, str) or not all(type(n) is int for n in (line, column, end_line, end_column)):
        raise ValueError("span")
    return Span(file, line, column, end_line, end_column)


class _Lists:
    """The items of removal fixes, each list written once. Every fix that removes an item of
    one list holds the same tuple of the list's spans (`fixkit.remove_item_fix`): written
    with each fix, a list of n duplicates took n * n spans (issue "Hostile input")."""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}
        self.lists: list[list] = []
        self.held: list[tuple] = []  # keeps each tuple alive, so its id is not reused

    def of(self, items: tuple[Span, ...]) -> int:
        i = self.index.get(id(items))
        if i is None:
            i = self.index[id(items)] = len(self.lists)
            self.lists.append([_span(s) for s in items])
            self.held.append(items)
        return i


def _fix(f: Fix | None, lists: _Lists) -> list | None:
    if f is None:
        return None
    within = _span(f.within) if f.within is not None else None
    return [f.kind, f.title, f.safe, _span(f.span), f.old, f.new, within, lists.of(f.items)]


def _unfix(x: list | None, lists: list[tuple[Span, ...]]) -> Fix | None:
    if x is None:
        return None
    kind, title, safe, span, old, new, within, items = x
    if type(items) is not int:
        raise ValueError("fix")
    return Fix(
        str(kind),
        str(title),
        bool(safe),
        _unspan(span),
        str(old),
        str(new),
        _unspan(within) if within is not None else None,
        lists[items],
    )


def _finding(f: Finding, lists: _Lists) -> list:
    related = [[_span(s), str(what)] for s, what in f.related]
    return [
        f.code,
        f.name,
        f.severity.value,
        f.message,
        _span(f.span),
        f.owner,
        f.value,
        related,
        list(f.principals),
        _fix(f.fix, lists),
    ]


def _unfinding(x: list, lists: list[tuple[Span, ...]]) -> Finding:
    code, name, severity, message, span, owner, value, related, principals, fix = x
    if not all(isinstance(v, str) for v in (code, name, message, value)) or not (
        owner is None or isinstance(owner, str)
    ):
        raise ValueError("finding")
    return Finding(
        code,
        name,
        Severity(severity),
        message,
        _unspan(span),
        owner=owner,
        value=value,
        related=tuple((_unspan(s), str(what)) for s, what in related),
        principals=tuple(str(p) for p in principals),
        fix=_unfix(fix, lists),
    )


def _key_of(x: Any) -> Any:
    """A configuration suppression's key back from JSON (its tuples became lists)."""
    return tuple(_key_of(v) for v in x) if isinstance(x, list) else x


def encode(reports: list[FileReport], used: dict) -> dict:
    lists = _Lists()
    return {
        "reports": [
            [
                r.path,
                r.status,
                r.format,
                r.documents,
                [_finding(f, lists) for f in r.findings],
                [[_finding(f, lists), why] for f, why in r.suppressed],
                [[*d[:7], _span(d.span)] for d in r.document_info],
            ]
            for r in reports
        ],
        "lists": lists.lists,
        "used": [
            [list(k) if isinstance(k, tuple) else k, list(n) if isinstance(n, tuple) else n]
            for k, n in used.items()
        ],
    }


def _document_info(d: list) -> DocumentInfo:
    kind, fmt, owner, owner_type, path, construct, statements, span = d
    if type(statements) is not int:
        raise ValueError("document")
    return DocumentInfo(kind, fmt, owner, owner_type, path, construct, statements, _unspan(span))


def decode(data: dict) -> tuple[list[FileReport], dict]:
    reports = []
    lists = [tuple(_unspan(s) for s in items) for items in data["lists"]]
    for path, status, fmt, documents, findings, suppressed, info in data["reports"]:
        if not isinstance(path, str) or not isinstance(status, str) or type(documents) is not int:
            raise ValueError("report")
        reports.append(
            FileReport(
                path,
                status,
                fmt,
                documents,
                [_unfinding(f, lists) for f in findings],
                [(_unfinding(f, lists), str(why)) for f, why in suppressed],
                tuple(_document_info(d) for d in info),
            )
        )
    used = {_key_of(k): _key_of(n) for k, n in data["used"]}
    return reports, used


@dataclass
class Entry:
    reports: list[FileReport]
    used: dict


class ResultCache:
    """Reads and writes the entries of one run (see the module's doc)."""

    def __init__(self, registry: Any, directory: str | None = None):
        self.directory = directory if directory is not None else root()
        self.salt = run_salt(registry) if self.directory is not None else ""
        self.hits = 0
        self.written = 0

    def _path(self, key: str) -> str:
        assert self.directory is not None
        return os.path.join(self.directory, key[:2], key[2:] + ".json")

    def key(self, kind: str, paths: Iterable[str], config: Any, roots: Iterable[str]) -> str | None:
        if self.directory is None:
            return None
        try:
            return unit_key(self.salt, kind, paths, config, roots)
        except (OSError, ValueError, TypeError):
            return None

    def get(self, key: str) -> Entry | None:
        """The entry of ``key``, or None: none, unreadable, foreign, or a file a module's
        ``file()`` read has changed since."""
        path = self._path(key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            return None
        try:
            with open(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_ENTRY:
                    return None
                data = json.loads(fh.read())
            if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
                return None
            if data["day"] is not None and data["day"] != _today():
                return None
            for dep, state in data["reads"]:
                if file_state(dep) != state:
                    return None
            reports, used = decode(data["result"])
        except (OSError, ValueError, TypeError, KeyError, IndexError, RecursionError, AttributeError):
            return None
        try:
            os.utime(path)  # recently used: the last to be evicted
        except OSError:
            pass
        self.hits += 1
        return Entry(reports, used)

    def put(
        self, key: str, reports: list[FileReport], used: dict, reads: Iterable[str] = (), dated: bool = False
    ) -> None:
        """Write the entry of ``key`` atomically; give up quietly when it cannot be written.
        ``dated``: the result depends on today's date (a suppression with ``until``): it is
        used today only."""
        if self.directory is None:
            return
        try:
            text = json.dumps(
                {
                    "format": FORMAT,
                    "key": key,
                    "reads": [[p, file_state(p)] for p in sorted(set(reads))],
                    "day": _today() if dated else None,
                    "result": encode(reports, used),
                },
                separators=(",", ":"),
            )
        except (TypeError, ValueError, RecursionError):
            return
        path = self._path(key)
        folder = os.path.dirname(path)
        tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
        try:
            os.makedirs(folder, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            return
        try:
            with open(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
            self.written += 1
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def evict(self, bound: int | None = None) -> int:
        """When the directory holds more than ``bound`` bytes, remove the least recently used
        entries (and stray temporary files) until it holds 80% of it. The entries removed."""
        if self.directory is None:
            return 0
        bound = max_bytes() if bound is None else bound
        entries = []
        total = 0
        for sub in _scandir(self.directory):
            if not sub.is_dir(follow_symlinks=False):
                continue
            for e in _scandir(sub.path):
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                entries.append((st.st_mtime, e.path, st.st_size))
                total += st.st_size
        if total <= bound:
            return 0
        removed = 0
        for _mtime, path, size in sorted(entries):
            if total <= bound * _LOW_WATER:
                break
            try:
                os.unlink(path)
                removed += 1
            except OSError:
                pass
            total -= size  # gone, or removed by another run meanwhile
        return removed


def _today() -> str:
    import datetime

    return datetime.date.today().isoformat()


def _scandir(path: str) -> list:
    try:
        with os.scandir(path) as it:
            return list(it)
    except OSError:
        return []


#: the files iamlint keeps in a cache directory besides its results: refreshed AWS data, parsed
#: configuration files, the HCL parser (and their temporary files, which start with a dot)
_OWN_FILES = ("catalogue-", "config-", "hcl2-parser-", "hcl2-lark-")


def clean() -> list[tuple[str, int, int, int]]:
    """Remove iamlint's cache entries from every cache directory: cached results, refreshed
    AWS data, parsed configuration files, the HCL parser, temporary files. Never anything
    else a directory holds. What was removed: (directory, results, other files, bytes)."""
    import shutil

    from .cache import cache_dirs

    out = []
    for d in cache_dirs():
        results = files = size = 0
        for e in _scandir(d):
            name = e.name
            try:
                if e.is_dir(follow_symlinks=False) and name.startswith("results-") and name[8:].isdigit():
                    for dirpath, _dirs, names in os.walk(e.path):
                        for n in names:
                            try:
                                size += os.lstat(os.path.join(dirpath, n)).st_size
                            except OSError:
                                pass
                            results += n.endswith(".json")
                            files += not n.endswith(".json")
                    shutil.rmtree(e.path, ignore_errors=True)
                elif e.is_file(follow_symlinks=False) and name.lstrip(".").startswith(_OWN_FILES):
                    size += e.stat(follow_symlinks=False).st_size
                    os.unlink(e.path)
                    files += 1
            except OSError:
                continue
        if results or files:
            out.append((d, results, files, size))
    return out
