"""Discovery: which files a run lints, and reading them as text.

`discover` walks the paths given (directories recursively, in a stable order) for the file
types iamlint reads; `read` and `decode` turn a file's bytes into text (UTF-8, with an
optional BOM; CRLF becomes LF), or an IAM900 diagnostic that says why they cannot.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable

from .diagnostics import parse_error
from .model import Finding

EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")
SKIP_DIRS = {".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".venv"}
MAX_BYTES = 32 * 1024 * 1024


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


def discover(paths: Iterable[str], exclude: Iterable[str] = ()) -> tuple[list[tuple[str, bool]], list[str]]:
    """Return ([(path, given_explicitly)], [usage errors]) in a stable order."""
    exclude = list(exclude)
    found: dict[str, bool] = {}
    errors: list[str] = []
    for raw in paths:
        path = os.path.normpath(raw)
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude)
                )
                for name in sorted(files):
                    if name.lower().endswith(EXTENSIONS):
                        full = os.path.normpath(os.path.join(root, name))
                        if not _excluded(full, exclude):
                            found.setdefault(full, False)
        elif os.path.exists(path):
            if not _excluded(path, exclude):
                found[path] = True
        else:
            errors.append(f"{raw}: no such file or directory")
    return sorted(found.items()), errors


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


def read(path: str) -> tuple[str | None, Finding | None]:
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            return None, parse_error(
                path, f"file is {size // (1024 * 1024)} MiB, over the {MAX_BYTES // (1024 * 1024)} MiB limit"
            )
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return None, parse_error(path, f"cannot read file: {e.strerror or e}")
    return decode(path, data)
