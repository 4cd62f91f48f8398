"""Shared helpers for the benchmark scripts: cold-process timing and medians.

Importing this module turns iamlint's result cache off for every process a benchmark starts
(``IAMLINT_NO_CACHE=1``, inherited): a benchmark measures the work, not a cache hit of its own
previous run (``bench_cache.py``, which measures the cache, turns it back on).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["IAMLINT_NO_CACHE"] = "1"


def find_iamlint(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    exe = Path(sys.executable).parent / "iamlint"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("iamlint")
    if found:
        return [found]
    return [sys.executable, "-m", "iamlint"]


def time_command(cmd: list[str], runs: int, warmup: int = 1, ok=(0, 1)) -> list[float]:
    """Wall times in seconds of ``runs`` fresh processes (after ``warmup`` untimed ones)."""
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
        if i >= warmup:
            times.append(elapsed)
    return times


def describe(label: str, times: list[float]) -> str:
    med = statistics.median(times)
    return (
        f"{label}: median {med * 1000:.0f} ms over {len(times)} runs "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
    )
