#!/usr/bin/env python3
"""Build iamlint's offline index of AWS managed policies: ``linter/data/managed_policies.json.gz``.

    python scripts/build_managed_policies.py DATASET_DIR [-o PATH] [--commit SHA --date YYYY-MM-DD] [--check]

DATASET_DIR is a snapshot of Ian Mckay's iam-dataset (https://github.com/iann0036/iam-dataset,
MIT) laid out as in the project's shared corpus:

* ``managedpolicies_index.json``: a list of ``{"name", "arn", "version", "createdate",
  "updatedate", "deprecated", "file", ...}`` records, one per policy;
* ``aws/managedpolicies/<Name>.json``: the policy document (or a record holding it under
  ``"document"``, as the dataset's own files do);
* ``LICENSE``: the dataset's MIT notice, carried inside the output (MIT asks for it with
  substantial portions, and the wheel ships the documents).

The dataset does not record which commit it is: ``--commit`` and ``--date`` say so, and
default to the row for iann0036/iam-dataset in ``SOURCES.md`` beside DATASET_DIR (the
shared corpus keeps its provenance there). See docs/managed-policies.md.

The output is deterministic (sorted by name, minified documents, gzip mtime 0, no build
date), so two builds from the same snapshot are byte-identical and ``--check`` can compare
a fresh build with the committed file.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "linter" / "data" / "managed_policies.json.gz"
REPOSITORY = "iann0036/iam-dataset"

# The file (read by linter/managed.py; bump FORMAT in both files on any change) is a gzip of
# several members. Decompressed as a whole (``gzip -dc``) it is one compact JSON document:
#
#   {"format": 1,
#    "source": {"name", "repository", "url", "commit", "date", "license", "notice",
#               "policies": <count>, "notes": {<name>: <why its document is special>}},
#    "count": <count>,
#    "names": "<Name> <Name> ...",                # sorted, space-separated (IAM names have no spaces)
#    "records": ["<path> <version> <deprecated 0|1> <updated YYYY-MM-DD> <chunk> <start> <length>", ...],
#    "chunks": [[<offset>, <length>], ...],       # the gzip members holding the documents
#    "documents": [{...}, {...}, ...]}            # documents[i] is the policy names[i]
#
# The first gzip member ends just after ``"documents":[``: the loader decompresses only that
# (names and records; ``?`` marks an unknown path or version). Each further member holds
# the minified documents of consecutive policies, about CHUNK_TARGET bytes of them (with
# the separating commas, and the closing ``]}`` in the last one); ``chunks`` gives each
# member's offset and length in the file, counted from the end of the first member, and
# a record gives its document's chunk and byte range in that chunk's decompressed text.
# So the first lookup of a policy decompresses ~64 KB and parses one document, instead of
# ~3.4 MB and 1,643 documents (benchmarks/bench_managed.py measures both).
FORMAT = 1
DOCUMENTS_KEY = b',"documents":['
CHUNK_TARGET = 64 * 1024
GZIP_LEVEL = 9

NAME = re.compile(r"[\w+=,.@-]{1,128}")
ARN = re.compile(r"arn:aws:iam::aws:policy(?P<path>/(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]+)")
DATE = re.compile(r"(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d")
SHA = re.compile(r"[0-9a-f]{40}")


class SourceError(Exception):
    """The dataset snapshot is missing something or holds something unexpected."""


class Policy(NamedTuple):
    name: str
    path: str | None  # None: the dataset has no ARN for it
    version: str | None
    deprecated: bool
    updated: str  # YYYY-MM-DD
    document: str  # minified JSON


# ---------------------------------------------------------------------------------------
# Reading the snapshot


def _load_json(path: Path) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            dup = sorted({k for k in keys if keys.count(k) > 1})
            raise SourceError(f"{path}: duplicate keys {dup} (json would keep only the last)")
        return dict(pairs)

    try:
        return json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=no_duplicates)
    except (OSError, ValueError) as e:
        raise SourceError(f"cannot read {path}: {e}") from e


def read_policy(dataset: Path, rec: dict[str, Any]) -> Policy:
    """One index record and its document file, checked."""
    name = rec.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise SourceError(f"index record with an invalid name: {rec!r:.200}")
    arn = rec.get("arn")
    path = None
    if arn is not None:
        m = ARN.fullmatch(arn) if isinstance(arn, str) else None
        if m is None or m["name"] != name:
            raise SourceError(f"{name}: ARN {arn!r} is not arn:aws:iam::aws:policy/<path>{name}")
        path = m["path"]
    version = rec.get("version")
    if version is not None and not (isinstance(version, str) and re.fullmatch(r"v\d+", version)):
        raise SourceError(f"{name}: odd version {version!r}")
    deprecated = rec.get("deprecated")
    if deprecated is not None and not isinstance(deprecated, bool):
        raise SourceError(f"{name}: odd deprecated flag {deprecated!r}")
    # The dataset's "createdate" is the CreateDate of the policy's default version, i.e. when
    # its current document was published; "updatedate" (the policy's UpdateDate, from AWS's
    # list) equals it wherever both are known and is missing for policies AWS no longer lists.
    stamp = rec.get("updatedate") or rec.get("createdate")
    m = DATE.match(stamp) if isinstance(stamp, str) else None
    if m is None:
        raise SourceError(f"{name}: no update or creation date")
    file = dataset / rec.get("file", f"aws/managedpolicies/{name}.json")
    doc = _load_json(file)
    if isinstance(doc, dict) and isinstance(doc.get("document"), dict):
        doc = doc["document"]  # the dataset's own record format
    if not isinstance(doc, dict) or "Statement" not in doc:
        raise SourceError(f"{file}: not a policy document")
    minified = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    return Policy(name, path, version, bool(deprecated), m[1], minified)


def read_dataset(dataset: Path) -> tuple[list[Policy], dict[str, str]]:
    """Every policy of the snapshot, sorted by name, and the index's notes by policy name."""
    index = _load_json(dataset / "managedpolicies_index.json")
    if not isinstance(index, list) or not index:
        raise SourceError(f"{dataset / 'managedpolicies_index.json'}: expected a non-empty list of records")
    policies = sorted((read_policy(dataset, rec) for rec in index), key=lambda p: p.name)
    lower = collections.Counter(p.name.lower() for p in policies)
    if len(lower) != len(policies):
        raise SourceError(f"names that differ only in case: {sorted(n for n, c in lower.items() if c > 1)}")
    on_disk = {f.name for f in (dataset / "aws" / "managedpolicies").glob("*.json")}
    listed = {Path(rec.get("file", f"{rec['name']}.json")).name for rec in index}
    if on_disk - listed:
        raise SourceError(f"document files not in the index: {sorted(on_disk - listed)[:10]}")
    notes = {rec["name"]: str(rec["note"]) for rec in index if rec.get("note")}
    return policies, dict(sorted(notes.items()))


def provenance(dataset: Path, sources: Path | None) -> tuple[str | None, str | None]:
    """Commit and date of the snapshot from the corpus's SOURCES.md table, if it has them."""
    path = sources if sources is not None else dataset.parent / "SOURCES.md"
    if not path.exists():
        return None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and REPOSITORY in line:
            m = re.search(r"`([0-9a-f]{40})`\s*\((\d{4}-\d\d-\d\d)\)", line)
            if m:
                return m[1], m[2]
    return None, None


# ---------------------------------------------------------------------------------------
# Writing


def chunked(policies: list[Policy]) -> list[list[int]]:
    """Consecutive policies grouped into chunks of about CHUNK_TARGET bytes of documents."""
    groups: list[list[int]] = [[]]
    size = 0
    for i, p in enumerate(policies):
        if groups[-1] and size + len(p.document.encode()) > CHUNK_TARGET:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += len(p.document.encode()) + 1
    return groups


def encode(policies: list[Policy], source: dict[str, Any]) -> tuple[bytes, int]:
    """The file's bytes, and the size of the JSON it decompresses to."""
    records: list[str] = [""] * len(policies)
    members: list[bytes] = []
    texts: list[bytes] = []
    groups = chunked(policies)
    for c, group in enumerate(groups):
        text = bytearray(b"," if c else b"")
        for j, i in enumerate(group):
            if j:
                text += b","
            p = policies[i]
            raw = p.document.encode()
            records[i] = " ".join(
                [
                    p.path or "?",
                    p.version or "?",
                    "1" if p.deprecated else "0",
                    p.updated,
                    str(c),
                    str(len(text)),
                    str(len(raw)),
                ]
            )
            text += raw
        if c == len(groups) - 1:
            text += b"]}"
        texts.append(bytes(text))
        members.append(gzip.compress(bytes(text), compresslevel=GZIP_LEVEL, mtime=0))
    chunks, offset = [], 0
    for m in members:
        chunks.append([offset, len(m)])
        offset += len(m)
    head = {
        "format": FORMAT,
        "source": source,
        "count": len(policies),
        "names": " ".join(p.name for p in policies),
        "records": records,
        "chunks": chunks,
    }
    head_text = json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode()[:-1] + DOCUMENTS_KEY
    data = gzip.compress(head_text, compresslevel=GZIP_LEVEL, mtime=0) + b"".join(members)
    return data, len(head_text) + sum(map(len, texts))


def build(dataset: Path, commit: str, date: str) -> tuple[bytes, list[Policy], int]:
    """Read the snapshot and encode it: (file bytes, policies, size of the JSON inside)."""
    policies, notes = read_dataset(dataset)
    licence = dataset / "LICENSE"
    if not licence.exists():
        raise SourceError(f"{licence} is missing: the dataset's MIT notice must ship with its data")
    source = {
        "name": "iam-dataset",
        "repository": REPOSITORY,
        "url": f"https://github.com/{REPOSITORY}",
        "commit": commit,
        "date": date,
        "license": "MIT",
        "notice": licence.read_text(encoding="utf-8").strip(),
        "policies": len(policies),
        "notes": notes,
    }
    data, size = encode(policies, source)
    return data, policies, size


def summary(policies: list[Policy]) -> str:
    """What the policies are, by path, for the build's report."""
    paths = collections.Counter(p.path or "unknown" for p in policies)
    by_path = ", ".join(f"{path} {n:,}" for path, n in sorted(paths.items(), key=lambda kv: (-kv[1], kv[0])))
    deprecated = sum(p.deprecated for p in policies)
    no_version = [p.name for p in policies if p.version is None]
    return (
        f"paths: {by_path}; {deprecated} deprecated; "
        f"no version for {len(no_version)}{': ' + ', '.join(no_version) if no_version else ''}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", metavar="DATASET_DIR", help="the iam-dataset snapshot")
    ap.add_argument(
        "-o", "--output", default=str(DEFAULT_OUTPUT), help="where to write (default: %(default)s)"
    )
    ap.add_argument("--commit", help="the dataset commit (default: from SOURCES.md beside DATASET_DIR)")
    ap.add_argument("--date", help="the date of that commit, YYYY-MM-DD (default: from SOURCES.md)")
    ap.add_argument(
        "--sources",
        metavar="SOURCES_MD",
        help="where to read --commit and --date from (default: DATASET_DIR/../SOURCES.md)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="do not write: exit 1 if the output file differs from a fresh build",
    )
    args = ap.parse_args(argv)

    dataset = Path(args.dataset)
    commit, date = provenance(dataset, Path(args.sources) if args.sources else None)
    commit, date = args.commit or commit, args.date or date
    if not commit or not SHA.fullmatch(commit) or not date or not re.fullmatch(r"\d{4}-\d\d-\d\d", date):
        print(
            f"build_managed_policies: the snapshot's commit (40 hex digits) and date (YYYY-MM-DD) are needed: "
            f"got {commit!r} and {date!r}; pass --commit and --date",
            file=sys.stderr,
        )
        return 2
    try:
        data, policies, size = build(dataset, commit, date)
    except SourceError as e:
        print(f"build_managed_policies: {e}", file=sys.stderr)
        return 2
    out = Path(args.output)
    if args.check:
        if not out.exists() or out.read_bytes() != data:
            print(
                f"{out} is not what {dataset} builds; rerun scripts/build_managed_policies.py",
                file=sys.stderr,
            )
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        f"wrote {out}: {len(policies):,} AWS managed policies from iam-dataset {commit[:7]} ({date}), "
        f"{len(data):,} bytes ({size:,} bytes of JSON)"
    )
    print(summary(policies))
    return 0


if __name__ == "__main__":
    sys.exit(main())
