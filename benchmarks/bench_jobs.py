"""--jobs 2 against --jobs 1 on a whole corpus, with identical output.

    python benchmarks/bench_jobs.py CORPUS_DIR [--runs 5] [--iamlint PATH]

Budget (issue 6): on a 2-core machine, --jobs 2 is at least 1.6 times faster than --jobs 1,
and both print exactly the same report.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint, time_command  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iamlint")
    args = ap.parse_args()
    cmd = find_iamlint(args.iamlint) + ["--isolated", "--format", "json"]
    outputs = {}
    for jobs in (1, 2):
        proc = subprocess.run(cmd + ["--jobs", str(jobs), args.corpus], capture_output=True, text=True)
        outputs[jobs] = proc.stdout
    identical = outputs[1] == outputs[2]
    # alternate the two, so that both see the same machine (this VM's speed drifts)
    one, two = [], []
    for _ in range(args.runs):
        one += time_command(cmd + ["--jobs", "1", args.corpus], 1, warmup=0, ok=(0, 1, 2))
        two += time_command(cmd + ["--jobs", "2", args.corpus], 1, warmup=0, ok=(0, 1, 2))
    print(describe("--jobs 1", one))
    print(describe("--jobs 2", two))
    pairs = statistics.median(a / b for a, b in zip(one, two, strict=False))
    print(
        f"speed-up {statistics.median(one) / statistics.median(two):.2f}x of the medians, "
        f"{pairs:.2f}x median of the alternating pairs (goal: >= 1.6x); "
        f"identical output: {'yes' if identical else 'NO'}"
    )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
