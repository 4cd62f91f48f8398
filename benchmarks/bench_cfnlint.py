"""What iamlint adds to a cfn-lint run: ``cfn-lint T`` against ``cfn-lint T --append-rules iamlint.cfnlint``.

    python benchmarks/bench_cfnlint.py [TEMPLATE ...] [--runs 5]

Both commands run in fresh processes, alternately, after one untimed run each; the medians
of the wall time and of the processes' CPU time (user + system) are printed, with the
difference. Without templates, one small template with one role is used. cfn-lint is the
one installed beside this interpreter (iamlint's dependency); exit codes 0-14 (cfn-lint's
bits for findings) are accepted, anything else stops the run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# iamlint's result cache off for every process started here: measure the work, not a cache hit
os.environ["IAMLINT_NO_CACHE"] = "1"

SMALL_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ["s3:GetObject", "s3:PutObject"]
                Resource: "*"
"""


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not 0 <= proc.returncode < 16:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("templates", nargs="*")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    cfn_lint = str(Path(sys.executable).parent / ("cfn-lint.exe" if os.name == "nt" else "cfn-lint"))
    with tempfile.TemporaryDirectory() as tmp:
        templates = args.templates
        if not templates:
            small = Path(tmp) / "template.yaml"
            small.write_text(SMALL_TEMPLATE, encoding="utf-8")
            templates = [str(small)]
        plain = [cfn_lint, *templates]
        plugged = [cfn_lint, *templates, "--append-rules", "iamlint.cfnlint"]
        samples: dict[str, list[tuple[float, float]]] = {"cfn-lint": [], "with iamlint": []}
        for cmd in (plain, plugged):
            timed(cmd)  # warm-up: page cache, .pyc files
        for _ in range(args.runs):
            samples["cfn-lint"].append(timed(plain))
            samples["with iamlint"].append(timed(plugged))
    print(f"{len(templates)} template(s), {args.runs} runs each, alternately")
    med = {}
    for label, s in samples.items():
        wall = statistics.median(w for w, _ in s)
        cpu = statistics.median(c for _, c in s)
        med[label] = (wall, cpu)
        print(f"  {label:13} wall median {wall * 1000:6.0f} ms   CPU median {cpu * 1000:6.0f} ms")
    dw = med["with iamlint"][0] - med["cfn-lint"][0]
    dc = med["with iamlint"][1] - med["cfn-lint"][1]
    print(
        f"  iamlint adds  wall {dw * 1000:+6.0f} ms ({dw / med['cfn-lint'][0]:+.0%})   "
        f"CPU {dc * 1000:+6.0f} ms ({dc / med['cfn-lint'][1]:+.0%})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
