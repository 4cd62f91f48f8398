"""CloudFormation: cold start on one small template, and the corpus beside cfn-lint.

    python benchmarks/bench_cfn.py CORPUS_DIR [--cfn-lint PATH] [--runs 15] [--corpus-runs 3]

1. Cold start: ``iamlint`` on one small template in a fresh process (Python start-up
   included), median of ``--runs`` (at least 10) runs after one warm-up. Budget: 200 ms.
2. Corpus: every CloudFormation template under ``CORPUS_DIR`` (the files iamlint itself
   classifies as ``cloudformation`` in a first, untimed run) is linted by one ``iamlint``
   process and by one ``cfn-lint`` process on the same files, alternately, ``--corpus-runs``
   times; the medians and their ratio are printed (goal: iamlint at least 10x faster). The
   untimed run also checks that every file is accounted for and that no IAM903 (internal
   error) occurred.

cfn-lint belongs in a separate environment (``python -m venv /tmp/bench-venvs/cfnlint &&
/tmp/bench-venvs/cfnlint/bin/pip install cfn-lint``); it is never imported here, only run.
Without it, part 2 reports iamlint alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# iamlint's result cache off for every process started here: measure the work, not a cache hit
os.environ["IAMLINT_NO_CACHE"] = "1"

BUDGET_MS = 200.0
GOAL_RATIO = 10.0
DEFAULT_CFN_LINT = "/tmp/bench-venvs/cfnlint/bin/cfn-lint"
SMALL_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: One role with one inline policy.
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ["s3:GetObject", "s3:PutObject"]
                Resource: !Sub "arn:${AWS::Partition}:s3:::reports-${AWS::AccountId}/*"
"""


def iamlint_command() -> list[str]:
    exe = Path(sys.executable).parent / ("iamlint.exe" if os.name == "nt" else "iamlint")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "iamlint"]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, out


def cold_start(iamlint: list[str], env: dict[str, str], runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "small.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(SMALL_TEMPLATE)
        cmd = iamlint + ["--format", "concise", path]
        _, first = timed(cmd, env)  # warm-up: bytecode and file caches
        if first.returncode not in (0, 1):
            raise SystemExit(f"iamlint failed on the small template:\n{first.stdout}{first.stderr}")
        return [timed(cmd, env)[0] for _ in range(runs)]


def cloudformation_files(iamlint: list[str], env: dict[str, str], corpus: str) -> list[str]:
    """The files iamlint reads as CloudFormation, checked for completeness and IAM903."""
    out = subprocess.run(
        iamlint + ["--format", "json", "--exclude", "*.tf", corpus], env=env, capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    files = [f["path"] for f in report["files"] if f.get("format") == "cloudformation"]
    internal = [f for f in report["findings"] if f["code"] == "IAM903"]
    if internal:
        raise SystemExit(f"IAM903 in the corpus: {internal[:3]}")
    return sorted(files)


def corpus_runs(
    iamlint: list[str], cfn_lint: str | None, env: dict[str, str], files: list[str], runs: int
) -> tuple[list[float], list[float]]:
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        t, out = timed(iamlint + ["--format", "json", *files], env)
        report = json.loads(out.stdout)
        if len(report["files"]) != len(files):
            raise SystemExit(f"iamlint reported {len(report['files'])} files of {len(files)}")
        ours.append(t)
        if cfn_lint:
            t, _ = timed([cfn_lint, "--format", "parseable", "--", *files], env)
            theirs.append(t)
    return ours, theirs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="directory of templates (e.g. ../shared/corpus/realworld)")
    ap.add_argument(
        "--cfn-lint", default=None, help=f"cfn-lint executable (default: {DEFAULT_CFN_LINT} or PATH)"
    )
    ap.add_argument("--runs", type=int, default=15, help="cold-start runs (default 15, at least 10)")
    ap.add_argument("--corpus-runs", type=int, default=3, help="runs over the corpus (default 3)")
    ap.add_argument("--skip-cfn-lint", action="store_true", help="time iamlint alone")
    args = ap.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    iamlint = iamlint_command()

    cold = cold_start(iamlint, env, max(10, args.runs))
    med = statistics.median(cold) * 1000
    verdict = "ok" if med <= BUDGET_MS else "OVER BUDGET"
    print(
        f"cold start, one small template: median {med:.0f} ms over {len(cold)} runs "
        f"(min {min(cold) * 1000:.0f}, max {max(cold) * 1000:.0f}); budget {BUDGET_MS:.0f} ms: {verdict}"
    )

    files = cloudformation_files(iamlint, env, args.corpus)
    cfn_lint = None
    if not args.skip_cfn_lint:
        cfn_lint = args.cfn_lint or (
            DEFAULT_CFN_LINT if os.path.exists(DEFAULT_CFN_LINT) else shutil.which("cfn-lint")
        )
        if cfn_lint is None:
            print("cfn-lint not found (give --cfn-lint PATH): timing iamlint alone")
    ours, theirs = corpus_runs(iamlint, cfn_lint, env, files, max(1, args.corpus_runs))
    ours_med = statistics.median(ours)
    print(f"corpus: {len(files)} CloudFormation templates, every file accounted for, no IAM903")
    print(
        f"  iamlint:  median {ours_med:.2f} s over {len(ours)} runs ({', '.join(f'{t:.2f}' for t in ours)})"
    )
    if theirs:
        theirs_med = statistics.median(theirs)
        ratio = theirs_med / ours_med if ours_med else float("inf")
        goal = "ok" if ratio >= GOAL_RATIO else "BELOW GOAL"
        print(
            f"  cfn-lint: median {theirs_med:.2f} s over {len(theirs)} runs ({', '.join(f'{t:.2f}' for t in theirs)})"
        )
        print(f"  ratio: iamlint is {ratio:.1f}x faster than cfn-lint (goal {GOAL_RATIO:.0f}x): {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
