"""The HTML report in a real headless Chromium: its size, and how fast it renders.

    iamlint --format html -j1 -o report.html ../shared/corpus/realworld
    python benchmarks/bench_html.py report.html [--runs 3] [--screenshot docs/html-report.png]

Budget (issue 13): the report of the whole corpus under 10 MB, and in under 3 s Chromium
shows the summary and the first rows (first contentful paint, and the mark the page sets
when its first rows are in the table) and answers a filter (from the change event until
the next frame is painted). Chromium is Debian's ``chromium``, driven over the DevTools
protocol on a pipe (tests/chromelib.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from chromelib import Browser, chromium  # noqa: E402

BUDGET_BYTES = 10 * 1024 * 1024
BUDGET_SECONDS = 3.0

FILTER = """new Promise((done) => {
  const s = document.getElementById('filter-severity');
  const t0 = performance.now();
  s.value = '1';
  s.dispatchEvent(new Event('change'));
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
})"""


def measure(b: Browser, report: Path) -> dict[str, float]:
    t0 = time.monotonic()
    b.open(report)
    b.wait_for("document.documentElement.dataset.ready === '1'")
    loaded = time.monotonic() - t0
    paint = b.eval("(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime")
    rows = b.eval("performance.getEntriesByName('iamlint-rows')[0].startTime")
    filt = b.eval(FILTER, await_promise=True)
    return {"load": loaded, "first_paint": paint / 1000, "first_rows": rows / 1000, "filter": filt / 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--screenshot", type=Path, help="write a PNG of the report's first screen here")
    args = ap.parse_args()
    exe = chromium()
    if exe is None:
        print("Chromium is not installed (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    size = args.report.stat().st_size
    print(f"size: {size / 1024 / 1024:.2f} MB (budget {BUDGET_BYTES // 1024 // 1024} MB)")
    runs = []
    for _ in range(args.runs):
        with Browser(exe, width=1400, height=1000) as b:
            runs.append(measure(b, args.report))
            errors = list(b.errors)
            if args.screenshot and len(runs) == 1:
                b.eval(
                    "(() => { const s = document.getElementById('filter-severity'); s.value = '';"
                    " s.dispatchEvent(new Event('change')); })()"
                )
                time.sleep(0.3)
                b.screenshot(args.screenshot)
        if errors:
            print("console errors:", *errors, sep="\n  ", file=sys.stderr)
            return 1
    worst = 0.0
    for key in ("load", "first_paint", "first_rows", "filter"):
        values = [r[key] for r in runs]
        worst = max(worst, max(values))
        print(f"{key}: median {statistics.median(values):.3f} s, max {max(values):.3f} s")
    within = size < BUDGET_BYTES and worst < BUDGET_SECONDS
    print("within budget" if within else "OVER BUDGET")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
