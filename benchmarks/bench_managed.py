"""The AWS managed policy index: what its first use costs, timed in fresh processes.

    python benchmarks/bench_managed.py [--runs 15] [--compare]

Target (the managed-policies issue): the first lookup of a policy, reading the index
included, well under 15 ms (median) on the 2-core development machine. Each run is a new
interpreter that has imported ``iamlint`` and times, separately:

* ``import iamlint.managed`` (must stay cheap: nothing is read at import);
* the first ``get()``: read the file, decompress and parse the index part;
* the first ``lookup("AdministratorAccess").document``: decompress the chunk holding the
  document and parse that one document;
* a second, cold lookup of a policy in another chunk (``ViewOnlyAccess``).

``--compare`` also times two simpler layouts of the same data, written to a temporary
folder from the shipped file, with the same fresh-process method: the whole file as one
gzip member with each document a JSON *string* (``json.loads`` of everything, then of one
string), and one member with the documents as JSON values at recorded *offsets* (parse the
index only, then slice one document). They justify the chunked layout
(docs/managed-policies.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# iamlint's result cache off for every process started here: measure the work, not a cache hit
os.environ["IAMLINT_NO_CACHE"] = "1"

TARGET_MS = 15.0

PROBE = r"""
import json, time
import iamlint
t0 = time.perf_counter()
import iamlint.managed as managed
t1 = time.perf_counter()
mp = managed.get()
t2 = time.perf_counter()
doc = mp.lookup("AdministratorAccess").document
t3 = time.perf_counter()
other = mp.lookup("ViewOnlyAccess").document
t4 = time.perf_counter()
assert doc["Statement"][0]["Action"] == ["*"] and other
print(json.dumps({"import": t1 - t0, "get": t2 - t1, "lookup": t3 - t2, "first": t3 - t1, "second": t4 - t3,
                  "describe": mp.describe()}))
"""

# The alternatives: the time from nothing read to AdministratorAccess's parsed document.
PROBE_STRINGS = r"""
import json, sys, time, zlib
t0 = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    doc = json.loads(zlib.decompress(f.read(), 31))
index = {p[0]: p for p in doc["policies"]}
t1 = time.perf_counter()
policy = json.loads(index["AdministratorAccess"][1])
t2 = time.perf_counter()
print(json.dumps({"get": t1 - t0, "lookup": t2 - t1, "first": t2 - t0}))
"""

PROBE_OFFSETS = r"""
import json, sys, time, zlib
t0 = time.perf_counter()
with open(sys.argv[1], "rb") as f:
    text = zlib.decompress(f.read(), 31)
cut = text.index(b',"documents":[')
head = json.loads(text[:cut] + b"}")
base = cut + len(b',"documents":[')
index = {p[0]: p for p in head["policies"]}
t1 = time.perf_counter()
_, start, length = index["AdministratorAccess"]
policy = json.loads(text[base + start:base + start + length])
t2 = time.perf_counter()
print(json.dumps({"get": t1 - t0, "lookup": t2 - t1, "first": t2 - t0}))
"""


def alternatives(folder: Path) -> dict[str, Path]:
    """The shipped data rewritten in the two simpler layouts (documents re-minified as shipped)."""
    data = Path(__file__).resolve().parent.parent / "linter" / "data" / "managed_policies.json.gz"
    whole = json.loads(gzip.decompress(data.read_bytes()))
    names = whole["names"].split(" ")
    docs = [json.dumps(d, separators=(",", ":")) for d in whole["documents"]]
    strings = {
        "format": 0,
        "source": whole["source"],
        "policies": [[n, d] for n, d in zip(names, docs, strict=True)],
    }
    paths = {"strings": folder / "strings.json.gz", "offsets": folder / "offsets.json.gz"}
    paths["strings"].write_bytes(
        gzip.compress(json.dumps(strings, separators=(",", ":")).encode(), 9, mtime=0)
    )
    entries, pos = [], 0
    for n, d in zip(names, docs, strict=True):
        entries.append([n, pos, len(d)])
        pos += len(d) + 1
    head = json.dumps({"format": 0, "source": whole["source"], "policies": entries}, separators=(",", ":"))
    text = head[:-1] + ',"documents":[' + ",".join(docs) + "]}"
    paths["offsets"].write_bytes(gzip.compress(text.encode(), 9, mtime=0))
    return paths


def run(code: str, runs: int, env: dict[str, str], *args: str) -> list[dict]:
    """The probe's JSON output from ``runs`` fresh interpreters (after one that warms the caches)."""
    results = []
    for i in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(out.stderr)
        if i:
            results.append(json.loads(out.stdout))
    return results


def line(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{label}: median {statistics.median(ms):.2f} ms over {len(ms)} fresh processes "
        f"(min {min(ms):.2f}, max {max(ms):.2f})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15, help="fresh processes to time (default: 15, at least 5)")
    ap.add_argument("--compare", action="store_true", help="also time the two simpler layouts of the data")
    args = ap.parse_args()
    runs = max(5, args.runs)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        # Let the interpreter cache bytecode (as an installed package has), outside the work tree.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(tmp, "pycache")
        results = run(PROBE, runs, env)
        print(results[0]["describe"])
        size = os.path.getsize(
            Path(__file__).resolve().parent.parent / "linter" / "data" / "managed_policies.json.gz"
        )
        print(f"data file: {size:,} bytes")
        for key, label in (
            ("import", "import iamlint.managed (iamlint already imported)"),
            ("get", "first get() (read, decompress and parse the index)"),
            ("lookup", "first lookup('AdministratorAccess').document"),
            ("first", "get() + first lookup"),
            ("second", "a lookup in another chunk ('ViewOnlyAccess')"),
        ):
            print(line(label, [r[key] for r in results]))
        if args.compare:
            for name, path in alternatives(Path(tmp)).items():
                probe = PROBE_STRINGS if name == "strings" else PROBE_OFFSETS
                alt = run(probe, runs, env, str(path))
                print(
                    f"[{name} layout, one gzip member, {path.stat().st_size:,} bytes] "
                    + line("read + first lookup", [r["first"] for r in alt])
                    + f"; of which the lookup {statistics.median(r['lookup'] for r in alt) * 1000:.2f} ms"
                )
    med = statistics.median(r["first"] for r in results) * 1000
    verdict = "within" if med <= TARGET_MS else "OVER"
    print(f"target {TARGET_MS:.0f} ms for get() + first lookup: {verdict} ({med:.2f} ms)")
    return 0 if med <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
