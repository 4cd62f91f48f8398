"""The user cache directory: what iamlint keeps between runs to start faster.

Nothing in it is needed for correctness: every entry is keyed by what it was made from,
an entry that cannot be read is rebuilt, and a directory that cannot be written is simply
not used. ``IAMLINT_CACHE_DIR`` (alone, when set), else ``$XDG_CACHE_HOME/iamlint``,
``%LOCALAPPDATA%/iamlint/Cache`` on Windows, and ``~/.cache/iamlint``.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Any


def cache_dirs() -> list[str]:
    """Where cached data may be kept, most preferred first."""
    if os.environ.get("IAMLINT_CACHE_DIR"):
        return [os.environ["IAMLINT_CACHE_DIR"]]
    out = []
    if os.environ.get("XDG_CACHE_HOME"):
        out.append(os.path.join(os.environ["XDG_CACHE_HOME"], "iamlint"))
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        out.append(os.path.join(os.environ["LOCALAPPDATA"], "iamlint", "Cache"))
    home = os.path.expanduser("~")
    if home and home != "~":
        out.append(os.path.join(home, ".cache", "iamlint"))
    return out


#: an entry larger than this is not one iamlint wrote
MAX_ENTRY_BYTES = 4 * 1024 * 1024


def read_json(name: str) -> Any | None:
    """The entry's JSON, or None. Whatever the file is (not JSON, nested too deeply, a FIFO
    that would block, a device, huge) it is passed over; the caller checks what it holds."""
    for d in cache_dirs():
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below)
            fd = os.open(os.path.join(d, name), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            with open(fd, "rb") as fh:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
                    continue
                return json.loads(fh.read(MAX_ENTRY_BYTES + 1))
        except (OSError, ValueError, RecursionError):
            continue
    return None


def write_json(name: str, data: Any) -> bool:
    """Write atomically to the first writable cache directory; give up quietly otherwise.
    Whether it was written."""
    try:
        text = json.dumps(data)
    except (TypeError, ValueError, RecursionError):
        return False
    for d in cache_dirs():
        tmp = os.path.join(d, f".{name}.{os.getpid()}.tmp")
        try:
            os.makedirs(d, exist_ok=True)
            # O_EXCL: never write through a file or link that is already there
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError:
            continue
        try:
            with open(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, os.path.join(d, name))
            return True
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return False
