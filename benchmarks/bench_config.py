"""What configuration discovery and suppression handling add to a single-file run.

    python benchmarks/bench_config.py [--runs 20] [--iamlint PATH]

Lints the same small template (a) with --isolated, and (b) from a repository whose
pyproject.toml has a [tool.iamlint] table with selections, per-file ignores and config
suppression entries, the template holding suppression comments. Budget (issue 6): the
difference of the medians is at most 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint, time_command  # noqa: E402

TEMPLATE = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: app
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              # iamlint: ignore[IAM101] the app owns this bucket, reviewed 2026-11
              - Effect: Allow
                Action: s3:*
                Resource: arn:aws:s3:::acme-app/*
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
"""

PYPROJECT = """[project]
name = "app"

[tool.iamlint]
select = ["ALL"]
ignore = ["IAM303"]
fail-on = "warning"
trusted-accounts = ["111122223333"]

[tool.iamlint.per-file-ignores]
"legacy/**" = ["IAM1"]

[[tool.iamlint.suppress]]
files = "policies/*.json"
rules = ["IAM102"]
reason = "read-only dashboards"
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--iamlint")
    args = ap.parse_args()
    cmd = find_iamlint(args.iamlint)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pyproject.toml").write_text(PYPROJECT)
        (root / "stacks").mkdir()
        tpl = root / "stacks" / "app.yaml"
        tpl.write_text(TEMPLATE)
        # alternate the two, so that both see the same machine load
        isolated, configured = [], []
        time_command(cmd + [str(tpl)], 1, warmup=1, ok=(0, 1))  # fills the user cache
        for _ in range(args.runs):
            isolated += time_command(cmd + ["--isolated", str(tpl)], 1, warmup=0, ok=(0, 1))
            configured += time_command(cmd + [str(tpl)], 1, warmup=0, ok=(0, 1))
        inner_iso, inner_cfg = [], []
        python = _python_of(cmd)
        for _ in range(args.runs):
            inner_iso.append(_inner(python, ["--isolated", str(tpl)]))
            inner_cfg.append(_inner(python, [str(tpl)]))
    print(describe("one template, --isolated (no configuration)", isolated))
    print(describe("one template, pyproject.toml + suppressions", configured))
    delta = (statistics.median(configured) - statistics.median(isolated)) * 1000
    print(f"whole process: configuration and suppressions add {delta:.1f} ms to the median")
    print(describe("main() alone, --isolated", inner_iso))
    print(describe("main() alone, with configuration", inner_cfg))
    delta = (statistics.median(inner_cfg) - statistics.median(inner_iso)) * 1000
    print(f"inside the process: configuration and suppressions add {delta:.1f} ms (budget: 10 ms)")
    return 0


_PROBE = (
    "import sys, time, io, contextlib\n"
    "t = time.perf_counter()\n"
    "from iamlint.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main(sys.argv[1:])\n"
    "print(time.perf_counter() - t)\n"
)


def _python_of(cmd: list[str]) -> str:
    """The interpreter of the iamlint being measured (the script's shebang, or cmd[0])."""
    exe = cmd[0]
    if exe.endswith("python") or exe.endswith("python3"):
        return exe
    with open(exe, encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    return first[2:].strip() if first.startswith("#!") else sys.executable


def _inner(python: str, args: list[str]) -> float:
    """Seconds spent in main() (imports it triggers included) in a fresh process."""
    import subprocess

    out = subprocess.run([python, "-c", _PROBE, *args], capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
