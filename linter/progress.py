"""A progress bar on stderr for long scans, and nothing at all otherwise.

The engine calls ``start(total)`` once the files are discovered, ``advance(n)`` as it lints
them and ``finish()`` before the report is written (``finish`` is idempotent, and the object
is a context manager that finishes on exit, so an exception or Ctrl-C leaves no bar behind).

The bar is shown only when all of these hold (`should_show`):

- the stream is a terminal (``isatty()``): never in a pipe, a file or a CI log;
- ``CI`` is not set (``CI=false``/``CI=0`` counts as not set): some CI systems give jobs a
  pseudo-terminal, and a redrawn line would fill their logs;
- ``TERM`` is not ``dumb`` (Emacs ``M-x compile`` and similar cannot redraw a line);
- there are more than ``threshold`` files (300): a short scan finishes before a bar helps.

Otherwise every method is a no-op. The line is redrawn at most ``1 / min_interval`` (10)
times a second and cleared by ``finish()``, so the report that follows starts on a clean line
even when stdout and stderr are the same terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TextIO

THRESHOLD = 300
MIN_INTERVAL = 0.1


def should_show(
    stream: TextIO | None, total: int, threshold: int = THRESHOLD, env: Mapping[str, str] | None = None
) -> bool:
    env = os.environ if env is None else env
    if total <= threshold or stream is None:
        return False
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if env.get("TERM", "") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class Progress:
    """``Progress()`` decides by itself; ``Progress(enabled=False)`` never draws."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        threshold: int = THRESHOLD,
        enabled: bool | None = None,
        min_interval: float = MIN_INTERVAL,
        label: str = "Linting",
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.threshold = threshold
        self.enabled = enabled
        self.min_interval = min_interval
        self.label = label
        self.env = env
        self.clock = clock
        self.total = 0
        self.done = 0
        self.active = False
        self._last_draw = float("-inf")
        self._drawn_width = 0
        self._lock = threading.Lock()

    # -- the interface the engine uses ---------------------------------------------------------
    def start(self, total: int) -> None:
        with self._lock:
            self.total = max(0, int(total))
            self.done = 0
            if self.enabled is None:
                self.active = should_show(self.stream, self.total, self.threshold, self.env)
            else:
                self.active = bool(self.enabled) and self.total > 0
            if self.active:
                self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        if not self.active:
            return
        with self._lock:
            self.done = min(self.total, self.done + n)
            self._draw(force=self.done >= self.total)

    def finish(self) -> None:
        with self._lock:
            if self.active and self._drawn_width:
                self._write("\r" + " " * self._drawn_width + "\r")
            self.active = False
            self._drawn_width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.finish()

    # -- drawing -------------------------------------------------------------------------------
    def line(self, columns: int) -> str:
        """The bar for the current count, fitting in ``columns`` - 1 characters."""
        total = max(self.total, 1)
        pct = self.done * 100 // total
        counts = f" {self.done}/{self.total} files {pct:3d}%"
        head = f"{self.label} "
        room = columns - 1 - len(head) - len(counts) - 2
        if room < 10:
            return (head + counts.strip())[: max(columns - 1, 0)]
        bar_width = min(room, 40)
        filled = self.done * bar_width // total
        return f"{head}[{'#' * filled}{'.' * (bar_width - filled)}]{counts}"

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self._last_draw < self.min_interval:
            return
        self._last_draw = now
        text = self.line(self._columns())
        pad = max(0, self._drawn_width - len(text))
        self._write("\r" + text + " " * pad)
        self._drawn_width = max(len(text), self._drawn_width)

    def _columns(self) -> int:
        try:  # the width of the terminal the bar is drawn on (stdout may be redirected)
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            return shutil.get_terminal_size((80, 24)).columns

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not break the scan
            self.active = False
