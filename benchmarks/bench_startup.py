"""Cold start: one `iamlint` process on one small raw JSON policy, Python start-up included.

    python benchmarks/bench_startup.py [--runs 20] [--iamlint PATH]

Budget (issue 2): median at most 150 ms. Measure with a regular (non-editable) install,
as users run it: an editable install adds an import finder to every start.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint, time_command  # noqa: E402

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::acme/*"}
  ]
}
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--iamlint", help="the iamlint executable (default: next to this Python, else PATH)")
    args = ap.parse_args()
    cmd = find_iamlint(args.iamlint)
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.json"
        policy.write_text(POLICY)
        times = time_command(cmd + [str(policy)], args.runs, warmup=2)
        baseline = time_command([sys.executable, "-c", "pass"], args.runs, warmup=2)
    print(describe("iamlint, one small raw JSON policy, cold process", times))
    print(describe("python -c pass (interpreter start-up alone)", baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
