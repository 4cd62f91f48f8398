"""Discovery: which files a run lints, and reading them as text.

`discover` walks the paths given (directories recursively, in a stable order) for the file
types iamlint reads; `read` and `decode` turn a file's bytes into text (UTF-8, with an
optional BOM; CRLF becomes LF), or an IAM900 diagnostic that says why they cannot.

Only regular files are read: a FIFO, socket, device or directory given or found is one
line that names it, never opened (a FIFO would block the run forever). Files are read
inside the repository being linted (`repository_root`, `inside`): a symbolic link found or
given that resolves outside it is one line too, never read.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence

from .diagnostics import parse_error
from .model import Finding

EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")
SKIP_DIRS = {".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".venv"}
#: the default per-file size limit (``max-file-size``, ``--max-file-size``)
MAX_BYTES = 32 * 1024 * 1024

_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)


# -- what a path is --------------------------------------------------------------------------------
def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages: "a FIFO", "a directory"."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "an unknown kind of file"


def not_regular(path: str, mode: int) -> str:
    return f"{path}: not a regular file ({file_kind(mode)}); not read"


def reason(e: OSError) -> str:
    """An OSError as the end of a message: "permission denied", "no such file or directory"."""
    text = e.strerror or str(e)
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def repository_root(path: str) -> str | None:
    """The nearest enclosing git work tree of ``path``: the closest directory, walking up from
    it, that holds a ``.git`` (a directory, or the file of a linked work tree or submodule).
    The walk is lexical: a symbolic link is not followed to find where it sits."""
    d = os.path.abspath(path)
    if os.path.islink(d) or not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def inside(path: str, roots: Sequence[str]) -> bool:
    """Whether ``path``, with its symbolic links and ``..`` resolved, lies in one of ``roots``
    (real paths, see `os.path.realpath`)."""
    real = os.path.normcase(os.path.realpath(path))
    for root in roots:
        r = os.path.normcase(root)
        if real == r or real.startswith(os.path.join(r, "")):
            return True
    return False


def outside(path: str) -> str:
    return f"{path}: resolves to a path outside the repository; not read (--allow-path PATH allows it)"


# -- discovery ---------------------------------------------------------------------------------
def _excluded(path: str, patterns: Iterable[str]) -> bool:
    norm = path.replace(os.sep, "/")
    if norm.startswith("./"):
        norm = norm[2:]
    base = os.path.basename(norm)
    for pat in patterns:
        p = pat.rstrip("/")
        if fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(base, p) or fnmatch.fnmatch(norm, p + "/*"):
            return True
        if "/" not in p and any(fnmatch.fnmatch(part, p) for part in norm.split("/")):
            return True
    return False


def discover(
    paths: Iterable[str],
    exclude: Iterable[str] = (),
    allowed: Callable[[str], Sequence[str]] | None = None,
) -> tuple[list[tuple[str, bool]], list[str]]:
    """Return ([(path, given_explicitly)], [usage errors]) in a stable order.

    ``allowed(path)``: the real directories a path given, or a symbolic link found, may
    resolve into (None: anywhere). Anything that is not a regular file, cannot be read or
    resolves outside is one error naming it, and is not returned.
    """
    exclude = list(exclude)
    found: dict[str, bool] = {}
    errors: list[str] = []
    for raw in paths:
        path = os.path.normpath(raw)
        try:
            st = os.stat(path)
        except OSError as e:
            if os.path.islink(path):
                errors.append(f"{raw}: a broken symbolic link; not read")
            elif isinstance(e, FileNotFoundError):
                errors.append(f"{raw}: no such file or directory")
            else:
                errors.append(f"{raw}: cannot read: {reason(e)}")
            continue
        if allowed is not None and not inside(path, allowed(path)):
            errors.append(outside(raw))
        elif stat.S_ISDIR(st.st_mode):
            _walk(path, exclude, allowed, found, errors)
        elif not stat.S_ISREG(st.st_mode):
            errors.append(not_regular(raw, st.st_mode))
        elif not _excluded(path, exclude):
            found[path] = True
    return sorted(found.items()), errors


def _walk(
    top: str,
    exclude: list[str],
    allowed: Callable[[str], Sequence[str]] | None,
    found: dict[str, bool],
    errors: list[str],
) -> None:
    for root, files in _directories(top, exclude, errors):
        for name in files:
            if not name.lower().endswith(EXTENSIONS):
                continue
            full = os.path.normpath(os.path.join(root, name))
            if _excluded(full, exclude):
                continue
            problem = _check_found(full, allowed)
            if problem:
                errors.append(problem)
            else:
                found.setdefault(full, False)


def _directories(top: str, exclude: list[str], errors: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Each directory under ``top`` (itself first, then depth first, in name order) with the
    sorted names of the entries in it that are not directories; as ``os.walk`` without
    following symbolic links, but with a stack of its own: ``os.walk`` recurses, and a tree
    1,500 directories deep exhausted Python's recursion limit. A directory that cannot be
    listed is an error, not a skip; `SKIP_DIRS` and excluded directories are not entered."""
    stack = [top]
    while stack:
        root = stack.pop()
        try:
            with os.scandir(root) as it:
                entries = list(it)
        except OSError as e:
            errors.append(f"{os.path.normpath(e.filename or root)}: cannot read directory: {reason(e)}")
            continue
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir:
                files.append(entry.name)
            elif not entry.is_symlink() and entry.name not in SKIP_DIRS:
                if not _excluded(os.path.join(root, entry.name), exclude):
                    dirs.append(entry.name)
        yield root, sorted(files)
        stack.extend(os.path.join(root, d) for d in sorted(dirs, reverse=True))


def _check_found(path: str, allowed: Callable[[str], Sequence[str]] | None) -> str | None:
    """Why a file found while walking is not read (None: it is a regular file to read)."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            if allowed is not None and not inside(path, allowed(path)):
                return outside(path)
            try:
                st = os.stat(path)
            except FileNotFoundError:
                return f"{path}: a broken symbolic link; not read"
    except OSError as e:
        return f"{path}: cannot read: {reason(e)}"
    if not stat.S_ISREG(st.st_mode):
        return not_regular(path, st.st_mode)
    return None


# -- reading -----------------------------------------------------------------------------------
def decode(path: str, data: bytes) -> tuple[str | None, Finding | None]:
    """Bytes to text: UTF-8 with an optional BOM; CRLF becomes LF (positions are unchanged)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, parse_error(path, "file is UTF-16 encoded; iamlint reads UTF-8 files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        return None, parse_error(
            path, f"invalid UTF-8 (byte 0x{data[e.start]:02x}); iamlint reads UTF-8 files", line, col
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def size_text(n: int) -> str:
    """A size as people write it: 32 MiB, 1.5 KiB, 100 bytes."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def over_limit(path: str, max_bytes: int, size: int | None = None) -> Finding:
    """IAM900: a file over the size limit (``size`` None: not known, only that it is over)."""
    shown = f"is {size_text(size)}, over" if size is not None else "is over"
    return parse_error(path, f"file {shown} the {size_text(max_bytes)} limit (max-file-size); not read")


def read(path: str, max_bytes: int = MAX_BYTES) -> tuple[str | None, Finding | None]:
    """A regular file's text, at most ``max_bytes`` of it; anything else is an IAM900 that says why.

    The file is checked before it is opened (a device is never opened) and opened without
    blocking (a FIFO put in its place in between does not hang the run).
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None, parse_error(path, f"not a regular file ({file_kind(st.st_mode)}); not read")
        if st.st_size > max_bytes:
            return None, over_limit(path, max_bytes, st.st_size)
        fd = os.open(path, _OPEN_FLAGS)
        with open(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None, parse_error(path, f"not a regular file ({file_kind(st.st_mode)}); not read")
            # what it claims and one byte more (reading max_bytes at once costs an allocation
            # of that size); if there is more, it grew, or claims no size as /proc files do
            data = fh.read(min(st.st_size, max_bytes) + 1)
            if len(data) > st.st_size:
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as e:
        return None, parse_error(path, f"cannot read file: {reason(e)}")
    if len(data) > max_bytes:
        return None, over_limit(path, max_bytes)
    return decode(path, data)
