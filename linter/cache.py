"""The user cache directory: what iamlint keeps between runs to start faster.

Nothing in it is needed for correctness: every entry is keyed by what it was made from,
an entry that cannot be read is rebuilt, and a directory that cannot be written is simply
not used. ``IAMLINT_CACHE_DIR`` (alone, when set), else ``$XDG_CACHE_HOME/iamlint``,
``%LOCALAPPDATA%/iamlint/Cache`` on Windows, and ``~/.cache/iamlint``.
"""

from __future__ import annotations

import json
import os
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


def read_json(name: str) -> Any | None:
    for d in cache_dirs():
        try:
            with open(os.path.join(d, name), encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError):
            continue
    return None


def write_json(name: str, data: Any) -> None:
    """Write atomically to the first writable cache directory; give up quietly otherwise."""
    try:
        text = json.dumps(data)
    except (TypeError, ValueError):
        return
    for d in cache_dirs():
        try:
            os.makedirs(d, exist_ok=True)
            tmp = os.path.join(d, f".{name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, os.path.join(d, name))
            return
        except OSError:
            continue
