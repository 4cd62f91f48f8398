"""The result cache: a cold run (empty cache) against a warm one (the same files,
unchanged), and --fix against a lint run, with identical output.

    python benchmarks/bench_cache.py CORPUS_DIR [--runs 3] [--jobs 1] [--iamlint PATH]

Budgets (issue 14): a warm run takes at most 15% of a cold run's wall time and prints
exactly the same report; --fix over the corpus (a copy in a temporary directory: the
corpus is never modified) takes at most 1.2 times a lint run (both without the cache).
Medians of --runs fresh processes each; run it on a regular install.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint  # noqa: E402

os.environ.pop("IAMLINT_NO_CACHE", None)  # _timing turns the cache off; this benchmark measures it


def timed(cmd: list[str], env: dict, cwd: str | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1, 2) or "Traceback" in proc.stderr:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed, proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--iamlint")
    ap.add_argument("--skip-fix", action="store_true", help="time the cache only")
    args = ap.parse_args()
    base = find_iamlint(args.iamlint) + ["--isolated", "--format", "json", "--jobs", str(args.jobs)]
    corpus = os.path.abspath(args.corpus)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, IAMLINT_CACHE_DIR=os.path.join(tmp, "cache"))
        env.pop("IAMLINT_NO_CACHE", None)
        results = os.path.join(env["IAMLINT_CACHE_DIR"], "results-2")
        timed(base + ["--no-cache", corpus], env)  # the HCL parser's own cache, as any install has it
        plain, cold, warm, outputs = [], [], [], set()
        for _ in range(args.runs):
            t, out = timed(base + ["--no-cache", corpus], env)
            plain.append(t)
            outputs.add(out)
            shutil.rmtree(results, ignore_errors=True)
            t, out = timed(base + [corpus], env)
            cold.append(t)
            outputs.add(out)
            t, out = timed(base + [corpus], env)
            warm.append(t)
            outputs.add(out)
        share = statistics.median(warm) / statistics.median(cold)
        print(describe("--no-cache", plain))
        print(describe("cold (no results cached)", cold))
        print(describe("warm (unchanged)", warm))
        print(
            f"warm/cold {share:.1%} (goal: <= 15%); identical output: {'yes' if len(outputs) == 1 else 'NO'}"
        )
        ok = len(outputs) == 1 and share <= 0.15
        if not args.skip_fix:
            lint, fix = [], []
            for i in range(args.runs):
                copy = os.path.join(tmp, f"corpus-{i}")
                shutil.copytree(corpus, copy, symlinks=True)
                lint.append(timed(base + ["--no-cache", copy], env)[0])
                fix.append(timed(base + ["--no-cache", "--fix", copy], env)[0])
                shutil.rmtree(copy)
            ratio = statistics.median(fix) / statistics.median(lint)
            print(describe("lint (--no-cache)", lint))
            print(describe("--fix (--no-cache)", fix))
            print(f"--fix/lint {ratio:.2f}x (goal: <= 1.2x)")
            ok = ok and ratio <= 1.2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
