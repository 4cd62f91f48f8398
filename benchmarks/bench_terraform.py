"""Terraform benchmarks: a cold run on one small file, and a corpus beside checkov.

    python benchmarks/bench_terraform.py CORPUS_DIR [--checkov PATH] [--runs N] [--cold-runs N]

1. Cold start: ``iamlint`` on one small ``.tf`` file in a new process each time (Python
   start-up included), after one untimed run that fills the parser cache, as any run after
   the first does. Median of ``--cold-runs`` runs (at least 10); the budget is 300 ms. The
   very first run on a machine (building python-hcl2's parser tables) is timed once, apart.
2. Corpus: ``iamlint`` over every ``.tf`` file under CORPUS_DIR, and checkov's Terraform
   scan of the same files with IAM policy checks only, taking turns, network off
   (``unshare -n`` where it works, and ``--skip-download``, no API key). Medians of
   ``--runs`` runs; the ratio checkov / iamlint is the figure of merit (goal: 10 or more).
   iamlint's own JSON report is checked too: every file accounted for, no internal error.

Only the standard library is imported here; the tools run as separate processes.
Bytecode writing is allowed for the measured processes (``PYTHONDONTWRITEBYTECODE`` is
dropped), as an installed package has its modules compiled.
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

#: checkov's checks about IAM policies in Terraform (identity, trust and resource policies)
IAM_CHECKS = (
    "CKV_AWS_1,CKV_AWS_40,CKV_AWS_49,CKV_AWS_60,CKV_AWS_61,CKV_AWS_62,CKV_AWS_63,CKV_AWS_107,"
    "CKV_AWS_108,CKV_AWS_109,CKV_AWS_110,CKV_AWS_111,CKV_AWS_274,CKV_AWS_275,CKV_AWS_283,"
    "CKV_AWS_286,CKV_AWS_287,CKV_AWS_288,CKV_AWS_289,CKV_AWS_290,CKV_AWS_355,CKV_AWS_356,"
    "CKV_AWS_358,CKV2_AWS_40,CKV2_AWS_56,CKV_AWS_32,CKV_AWS_33,CKV_AWS_70,CKV_AWS_72,"
    "CKV_AWS_93,CKV_AWS_167,CKV_AWS_168,CKV_AWS_169"
)
BUDGET_MS = 300.0
GOAL_RATIO = 10.0

SMALL_TF = """\
resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "app"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:GetItem", "dynamodb:PutItem"]
      Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    }]
  })
}
"""


JSON_POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
    "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
  }]
}
"""


def default_iamlint() -> str:
    exe = Path(sys.executable).parent / "iamlint"
    return str(exe) if exe.exists() else shutil.which("iamlint") or "iamlint"


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for k in ("BC_API_KEY", "PRISMA_API_URL"):
        env.pop(k, None)
    env.update({"NO_COLOR": "1", "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    env.update(extra or {})
    return env


def network_off_prefix() -> list[str]:
    """``unshare -n`` when it works here (root or user namespaces), else nothing."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    for prefix in ([unshare, "-n"], [unshare, "-rn"]):
        try:
            if subprocess.run(prefix + ["true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.SubprocessError):
            pass
    return []


def timed(
    cmd: list[str], env: dict[str, str], cwd: str | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    return time.perf_counter() - start, proc


def cold_start(iamlint: str, runs: int, small: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        if small:
            target = small
        else:
            mod = Path(tmp) / "mod"
            mod.mkdir()
            (mod / "main.tf").write_text(SMALL_TF)
            target = str(mod / "main.tf")
        cmd = [iamlint, "--format", "concise", target]
        # the first run ever on a machine builds the parser tables: timed once, with an empty cache
        fresh = {
            "IAMLINT_CACHE_DIR": str(Path(tmp) / "fresh-cache"),
            "XDG_CACHE_HOME": str(Path(tmp) / "xdg"),
        }
        first, proc = timed(cmd, environment(fresh))
        if proc.returncode not in (0, 1):
            raise SystemExit(f"iamlint failed on {target}:\n{proc.stdout}{proc.stderr}")
        env = environment()
        timed(cmd, env)  # fill the user's cache (and bytecode) if needed
        # the same start-up with a raw JSON policy, taking turns with the .tf runs: what the
        # Terraform path adds, apart from the start-up every run pays and the machine's load
        json_file = Path(tmp) / "policy.json"
        json_file.write_text(JSON_POLICY)
        jcmd = [iamlint, "--format", "concise", str(json_file)]
        timed(jcmd, env)
        times, jtimes = [], []
        for _ in range(runs):
            times.append(timed(cmd, env)[0])
            jtimes.append(timed(jcmd, env)[0])
    return {
        "first_run_ms": first * 1000,
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "runs": runs,
        "json_median_ms": statistics.median(jtimes) * 1000,
    }


def corpus(iamlint: str, checkov: str | None, root: Path, runs: int, jobs: int | None) -> dict:
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*.tf") if p.is_file())
    if not files:
        raise SystemExit(f"no .tf files under {root}")
    prefix = network_off_prefix()
    env = environment()
    with tempfile.TemporaryDirectory() as tmp:
        listfile = Path(tmp) / "report.json"
        cmd = [iamlint, "--format", "json", "-o", str(listfile)]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        cmd += files
        timed(cmd, env, cwd=str(root))  # warm: parser cache, bytecode, file system cache
        ccmd = None
        if checkov:
            ccmd = (
                prefix
                + [
                    checkov,
                    "--framework",
                    "terraform",
                    "--check",
                    IAM_CHECKS,
                    "--skip-download",
                    "--quiet",
                    "--compact",
                    "-o",
                    "json",
                    "-f",
                ]
                + files
            )
        ours: list[float] = []
        theirs: list[float] = []
        summary = None
        # the tools take turns, so that both see the same machine load
        for _ in range(runs):
            t, proc = timed(prefix + cmd, env, cwd=str(root))
            if proc.returncode not in (0, 1, 2) or "Traceback" in proc.stderr:
                raise SystemExit(f"iamlint failed on the corpus:\n{proc.stderr[-3000:]}")
            ours.append(t)
            if ccmd is not None:
                t, proc = timed(ccmd, env, cwd=str(root))
                theirs.append(t)
                try:
                    data = json.loads(proc.stdout)
                    data = data if isinstance(data, list) else [data]
                    summary = [d.get("summary") for d in data if isinstance(d, dict)]
                except ValueError:
                    summary = proc.stderr[-500:]
        report = json.loads(listfile.read_text())
    reported = {f["path"] for f in report["files"]}
    missing = [f for f in files if os.path.normpath(f) not in reported]
    tf_reports = [f for f in report["files"] if f["path"].endswith(".tf")]
    out = {
        "files": len(files),
        "unaccounted": missing,
        "policies_in_tf": sum(f.get("policies", 0) for f in tf_reports),
        "policies_all": report["summary"].get("policies"),
        "statuses": {
            s: sum(1 for f in report["files"] if f["status"] == s)
            for s in sorted({f["status"] for f in report["files"]})
        },
        "iamlint_median_s": statistics.median(ours),
        "iamlint_runs": [round(t, 3) for t in ours],
        "network_off": " ".join(prefix) or "flags only",
    }
    if theirs:
        out["checkov_median_s"] = statistics.median(theirs)
        out["checkov_runs"] = [round(t, 3) for t in theirs]
        out["checkov_summary"] = summary
        out["ratio"] = out["checkov_median_s"] / out["iamlint_median_s"]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", help="directory whose .tf files are linted (e.g. ../shared/corpus/realworld)")
    p.add_argument(
        "--iamlint", default=default_iamlint(), help="iamlint executable (default: next to this Python)"
    )
    p.add_argument(
        "--checkov", help="checkov executable, installed in its own environment (skipped if absent)"
    )
    p.add_argument("--runs", type=int, default=3, help="timed corpus runs of each tool (default 3)")
    p.add_argument("--cold-runs", type=int, default=15, help="timed cold runs (default 15, at least 10)")
    p.add_argument("--small", help="the small .tf file for the cold run (default: a built-in 25-line module)")
    p.add_argument("--jobs", type=int, help="iamlint --jobs for the corpus (default: iamlint's own default)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args(argv)

    cold = cold_start(args.iamlint, max(10, args.cold_runs), args.small)
    big = corpus(args.iamlint, args.checkov, Path(args.corpus).resolve(), max(1, args.runs), args.jobs)
    if args.json:
        print(json.dumps({"cold": cold, "corpus": big}, indent=2))
    else:
        ok = cold["median_ms"] <= BUDGET_MS
        print(
            f"cold run, one small .tf file: median {cold['median_ms']:.0f} ms over {cold['runs']} runs "
            f"(min {cold['min_ms']:.0f} ms; budget {BUDGET_MS:.0f} ms: {'ok' if ok else 'OVER'})"
        )
        print(
            f"  same policy as a raw JSON file, same runs: median {cold['json_median_ms']:.0f} ms "
            f"(the Terraform path adds {cold['median_ms'] - cold['json_median_ms']:.0f} ms)"
        )
        print(f"  first run ever (builds the parser cache): {cold['first_run_ms']:.0f} ms")
        print(
            f"corpus: {big['files']} .tf files, {big['policies_in_tf']} policy documents in them "
            f"({big['policies_all']} with the files they read), statuses {big['statuses']}"
        )
        if big["unaccounted"]:
            print(f"  NOT ACCOUNTED FOR: {big['unaccounted'][:10]}")
        print(f"  iamlint: median {big['iamlint_median_s']:.2f} s {big['iamlint_runs']}")
        if "ratio" in big:
            print(
                f"  checkov: median {big['checkov_median_s']:.2f} s {big['checkov_runs']} ({big['network_off']})"
            )
            print(f"  checkov summary: {big['checkov_summary']}")
            print(f"  ratio: iamlint is {big['ratio']:.1f}x faster (goal {GOAL_RATIO:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
