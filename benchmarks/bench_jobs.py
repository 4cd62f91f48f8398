"""The default --jobs against --jobs 1 and --jobs 2, on inputs of several sizes, with identical output.

    python benchmarks/bench_jobs.py CORPUS_DIR [--runs 5] [--sizes 1,10,100,all] [--iamlint PATH]

For each size, the files are spread evenly over the corpus's sorted list of lintable files
(``all``: the corpus directory itself). The three commands run in turn, ``--runs`` times each
(alternating, so that all three see the same machine: a shared VM's speed drifts), and the
medians are compared.

Budget (issue 15): the default is never slower than --jobs 1 by more than 5% on any size, and
at least 1.6 times faster than --jobs 1 on the whole corpus on a 2-core machine (issue 6:
--jobs 2 at least 1.6 times faster there); every command prints exactly the same report. The
sizes at which --jobs 2 starts to beat --jobs 1 are what the default's threshold
(``AUTO_MIN_UNITS``, ``AUTO_MIN_BYTES`` in iamlint.engine) is set from.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import find_iamlint, time_command  # noqa: E402

EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")
SKIP = {".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".venv"}


def lintable(corpus: str) -> list[str]:
    """The files a run over the corpus lints, as discovery finds them."""
    out = []
    for root, dirs, files in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        out.extend(os.path.join(root, f) for f in sorted(files) if f.lower().endswith(EXTENSIONS))
    return out


def sample(files: list[str], n: int) -> list[str]:
    """``n`` files spread evenly over the list (small, large, every format)."""
    if n >= len(files):
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def describe_input(paths: list[str]) -> str:
    tf_dirs = {os.path.dirname(p) for p in paths if p.endswith(".tf")}
    units = sum(1 for p in paths if not p.endswith(".tf")) + len(tf_dirs)
    size = sum(os.path.getsize(p) for p in paths)
    return f"{len(paths)} files, {units} units, {size / 1024:.0f} KiB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1,10,100,all", help="numbers of files, and 'all' for the corpus")
    ap.add_argument("--iamlint")
    args = ap.parse_args()
    base = find_iamlint(args.iamlint) + ["--isolated", "--format", "json"]
    files = lintable(args.corpus)
    failed = False
    print(f"corpus: {describe_input(files)}; {os.cpu_count()} CPUs; medians of {args.runs} runs")
    for size in args.sizes.split(","):
        paths = [args.corpus] if size == "all" else sample(files, int(size))
        label = describe_input(files if size == "all" else paths)
        commands = {
            "--jobs 1": base + ["--jobs", "1", *paths],
            "--jobs 2": base + ["--jobs", "2", *paths],
            "default": base + paths,
        }
        outputs = {
            name: subprocess.run(cmd, capture_output=True, text=True).stdout for name, cmd in commands.items()
        }
        identical = len(set(outputs.values())) == 1
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name] += time_command(cmd, 1, warmup=0, ok=(0, 1, 2))
        med = {name: statistics.median(t) for name, t in times.items()}
        one = med["--jobs 1"]
        print(
            f"{size:>4} ({label}): "
            + ", ".join(f"{name} {m * 1000:.0f} ms ({one / m:.2f}x)" for name, m in med.items())
            + ("" if identical else "; OUTPUT DIFFERS")
        )
        slower = med["default"] / one - 1
        if slower > 0.05:
            print(f"      the default is {slower:.0%} slower than --jobs 1 (budget: 5%)")
            failed = True
        if size == "all" and one / med["default"] < 1.6:
            print(f"      the default is {one / med['default']:.2f}x --jobs 1 on the corpus (budget: 1.6x)")
            failed = True
        failed |= not identical
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
