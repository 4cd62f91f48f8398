"""What the evaluator (effective permissions) costs a lint run, and what ``explain --all`` costs.

    python benchmarks/bench_evaluate.py PATH [--runs 3] [--iamlint BIN]

Targets (issue 13): a lint run with the rules that use the evaluator (IAM401, IAM201) costs
at most 15% more than the same run without them (``--ignore IAM401,IAM201``: the way to turn
the evaluator off), and ``iamlint explain --all --format json`` finishes in under twice the
time of a lint run. Each run is a fresh process with one job (``-j1``), so that the figures
compare the same work on a shared machine; medians are compared. Exit status 1 when a
target is missed. IAM201 also has checks that do not use the evaluator, so the overhead
shown is an upper bound.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import describe, find_iamlint, time_command  # noqa: E402

OVERHEAD = 0.15
EXPLAIN_RATIO = 2.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iamlint", help="the iamlint executable (default: the one beside this Python)")
    args = ap.parse_args()
    exe = find_iamlint(args.iamlint)
    base = [*exe, "--format", "json", "-j1", "--isolated", args.path]
    on = time_command(base, args.runs, ok=(0, 1, 2))
    off = time_command([*base, "--ignore", "IAM401,IAM201"], args.runs, ok=(0, 1, 2))
    explain = time_command(
        [*exe, "explain", "--all", "--format", "json", "--isolated", args.path], args.runs, ok=(0, 2)
    )
    print(describe("lint, evaluator on ", on))
    print(describe("lint, evaluator off", off))
    print(describe("explain --all      ", explain))
    overhead = statistics.median(on) / statistics.median(off) - 1
    ratio = statistics.median(explain) / statistics.median(on)
    print(f"evaluator overhead: {overhead:+.1%} (target at most {OVERHEAD:.0%})")
    print(f"explain --all / lint: {ratio:.2f}x (target under {EXPLAIN_RATIO:g}x)")
    return 0 if overhead <= OVERHEAD and ratio < EXPLAIN_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
