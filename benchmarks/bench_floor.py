"""The parse floor: what a full lint of a corpus costs above reading and parsing its files.

    python benchmarks/bench_floor.py CORPUS [--runs 3] [--iamlint PATH]

Times, in the same run and alternating, medians of ``--runs`` cold processes each, in CPU
seconds (user and system: steadier than wall time on a shared machine; wall time is shown
too):

* the floor: one process that finds the files iamlint would lint (its own `discover`),
  reads each and parses it with iamlint's own parsers, as iamlint chooses them: HCL for
  ``.tf`` files (the whole file, `hcl_tree.parse_body`), JSON for text that starts with
  ``{`` and carries a policy, template or plan marker, CloudFormation YAML for ``.yaml``,
  ``.yml`` and ``.template`` files that carry a CloudFormation marker. No extraction, no
  rules, no report. Files with no marker are read and skipped, as the lint skips them;
* the lint: ``iamlint -j1 --format json CORPUS``.

It prints both and the lint's cost above the floor as a multiple of the floor,
``(lint - floor) / floor``: 0.8 means the extraction, the rules and the report together
cost 0.8 times what reading and parsing cost. (The lint parses a Terraform file's blocks
lazily, only those it needs, so its own parsing can cost less than the floor's.)

The floor runs with the Python interpreter of the iamlint measured (the one beside the
``iamlint`` executable), so that both sides use the same version of iamlint's parsers:
to compare two versions, install each in its own virtual environment (a regular install,
not an editable one) and pass its ``iamlint`` with ``--iamlint``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import find_iamlint  # noqa: E402

#: the floor, run in a fresh interpreter: argv[1] is the corpus
FLOOR = r"""
import sys, time
from iamlint.discover import discover
from iamlint.extract import CFN_MARKERS, JSON_MARKERS

cpu = {"hcl": 0.0, "json": 0.0, "yaml": 0.0}
files, _errors = discover([sys.argv[1]])
parsed = skipped = failed = 0
for path, _explicit in files:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError:
        failed += 1
        continue
    lower = path.lower()
    stripped = text.lstrip()
    start = time.process_time()
    try:
        if lower.endswith(".tf"):
            from iamlint.parse.hcl_tree import parse_body

            kind = "hcl"
            parse_body(text)
        elif stripped.startswith("{") and any(m in text for m in JSON_MARKERS):
            from iamlint.parse.json_parser import parse_json

            kind = "json"
            parse_json(text)
        elif lower.endswith((".yaml", ".yml", ".template")) and any(m in text for m in CFN_MARKERS):
            from iamlint.parse.cfn_yaml import load

            kind = "yaml"
            load(text)
        else:
            skipped += 1
            continue
        parsed += 1
    except Exception:
        failed += 1  # a file that does not parse costs what it cost to find out
    cpu[kind] += time.process_time() - start
print(parsed, skipped, failed, *(f"{cpu[k]:.3f}" for k in ("hcl", "json", "yaml")))
"""


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (user and system, of the child) of one run, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"{' '.join(cmd[:3])} ... exited {proc.returncode}: {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="a directory of policies, templates and Terraform modules")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--iamlint", help="the iamlint executable (default: next to this Python, else PATH)")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        ap.error(f"{args.corpus}: not a directory")
    lint = find_iamlint(args.iamlint)
    python = Path(lint[0]).with_name("python") if len(lint) == 1 else Path(sys.executable)
    if not python.exists():
        python = Path(sys.executable)
    floor_cmd = [str(python), "-c", FLOOR, args.corpus]
    lint_cmd = [*lint, "-j1", "--format", "json", args.corpus]
    floor_wall, floor_cpu, lint_wall, lint_cpu = [], [], [], []
    out = ""
    for _ in range(args.runs):
        wall, cpu, out = timed(floor_cmd)
        floor_wall.append(wall)
        floor_cpu.append(cpu)
        wall, cpu, _ = timed(lint_cmd)
        lint_wall.append(wall)
        lint_cpu.append(cpu)
    parsed, skipped, failed, hcl, json_, yaml = out.split()
    med = statistics.median
    floor, full = med(floor_cpu), med(lint_cpu)
    print(
        f"corpus: {args.corpus}; medians of {args.runs} runs, CPU seconds (user + system), wall in brackets"
    )
    print(
        f"floor: {floor:.2f} s [{med(floor_wall):.2f} s]: {parsed} files parsed "
        f"(HCL {float(hcl):.2f} s, JSON {float(json_):.2f} s, YAML {float(yaml):.2f} s), "
        f"{skipped} without a marker, {failed} unreadable or invalid"
    )
    print(f"lint (iamlint -j1 --format json): {full:.2f} s [{med(lint_wall):.2f} s]")
    print(f"lint above the floor: {(full - floor) / floor:.2f}x the floor ((lint - floor) / floor)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
