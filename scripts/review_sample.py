"""Draw a review sample of findings, before anyone reads them.

    iamlint --format json ../shared/corpus/realworld > corpus.json
    python scripts/review_sample.py corpus.json SEED [CODES|all] [EXCLUDE] > sample.json

For each code (of CODES, comma-separated, or all), three findings chosen by
``random.Random(f"{SEED}-{code}")`` over the code's findings sorted by file, line, column
and message (all of them where a code has fewer). The draw depends only on the report and
the seed, so anyone can repeat it. See docs/review-2026-12-01*.md.
"""

from __future__ import annotations

import collections
import json
import random
import sys


def main(argv: list[str]) -> int:
    report = json.load(open(argv[1], encoding="utf-8"))
    seed = int(argv[2])
    want = set(argv[3].split(",")) if len(argv) > 3 and argv[3] != "all" else None
    exclude = set(argv[4].split(",")) if len(argv) > 4 else set()
    by_code = collections.defaultdict(list)
    for f in report["findings"]:
        by_code[f["code"]].append(f)
    out = []
    for code in sorted(by_code):
        if (want and code not in want) or code in exclude:
            continue
        found = sorted(by_code[code], key=lambda f: (f["file"], f["line"], f["column"], f["message"]))
        rng = random.Random(f"{seed}-{code}")
        pick = found if len(found) <= 3 else rng.sample(found, 3)
        keys = ("code", "severity", "file", "line", "column", "end_line", "end_column", "owner", "message")
        out += [{k: f[k] for k in keys} for f in pick]
    json.dump(out, sys.stdout, indent=1)
    print(f"{len(out)} findings", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
