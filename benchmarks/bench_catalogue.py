"""Loading the action catalogue: the time of the first ``catalogue.get()`` in fresh processes.

    python benchmarks/bench_catalogue.py [--runs 15]

Budget (the rules issue): loading costs at most 30 ms (median). Each run is a new
interpreter that imports ``iamlint.catalogue`` (timed separately: the import must stay
cheap, the data is read lazily) and then times ``get()`` alone, which decides which data to
use (the cfn-lint check, also timed alone: budget 2 ms) and reads, decompresses and parses
``iamlint/data/catalogue.json.gz``. A few first queries are timed too, among them the first
condition-key lookup, which reads the global keys (the tables are built lazily). Run it with
``IAMLINT_CATALOGUE=bundled`` to time the bundled file whatever cfn-lint is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# iamlint's result cache off for every process started here: measure the work, not a cache hit
os.environ["IAMLINT_NO_CACHE"] = "1"

PROBE = r"""
import json, time
import iamlint
t0 = time.perf_counter()
import iamlint.catalogue as catalogue
t1 = time.perf_counter()
found = catalogue._installed_cfn_lint()
head = catalogue._bundled_head()
found is not None and head is not None and catalogue._newer(found[0], head[1])
t2 = time.perf_counter()
cat = catalogue.get()  # repeats the check, then loads
t3 = time.perf_counter()
cat.action("s3:GetObject")
t4 = time.perf_counter()
cat.expand("s3:Get*")
t5 = time.perf_counter()
cat.expand("*")
t6 = time.perf_counter()
cat.condition_key("aws:PrincipalTag/team")
t7 = time.perf_counter()
cat.match_resource("s3:PutObject", "arn:aws:s3:::bucket/*")
t8 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "check": t2 - t1, "load": t3 - t2, "action": t4 - t3,
                  "expand_s3_get": t5 - t4, "expand_all": t6 - t5, "condition_key": t7 - t6,
                  "match_resource": t8 - t7, "describe": cat.describe()}))
"""

BUDGET_MS = 30.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="fresh processes to time (default: 15, at least 10)")
    args = ap.parse_args()
    runs = max(10, args.runs)
    env = dict(os.environ)
    results = []
    with tempfile.TemporaryDirectory() as cache:
        # Let the interpreter cache bytecode (as an installed package has), outside the work tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
        for i in range(runs + 1):  # the first run only warms the bytecode and file caches
            out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(out.stderr)
            if i:
                results.append(json.loads(out.stdout))
    print(results[0]["describe"])
    for key, label in (
        ("load", "catalogue.get() (the check, read + decompress + parse)"),
        ("check", "the cfn-lint check alone (which data to use)"),
        ("import", "import iamlint.catalogue (iamlint already imported)"),
        ("action", "first action() lookup"),
        ("expand_s3_get", "first expand('s3:Get*')"),
        ("expand_all", "first expand('*')"),
        ("condition_key", "first condition_key() (reads the global keys)"),
        ("match_resource", "first match_resource()"),
    ):
        times = [r[key] * 1000 for r in results]
        print(
            f"{label}: median {statistics.median(times):.1f} ms over {runs} fresh processes "
            f"(min {min(times):.1f}, max {max(times):.1f})"
        )
    med = statistics.median(r["load"] * 1000 for r in results)
    verdict = "within" if med <= BUDGET_MS else "OVER"
    print(f"load budget {BUDGET_MS:.0f} ms: {verdict} ({med:.1f} ms)")
    return 0 if med <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
