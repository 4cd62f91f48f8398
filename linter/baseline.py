"""Baselines: accept today's findings so that only new ones fail.

``--write-baseline FILE`` records every finding by its line-independent fingerprint (code,
file, owner, offending value; the same one SARIF's ``partialFingerprints`` carries), so
unrelated edits and moved lines never resurface an old finding. ``--baseline FILE`` hides
the findings it records (as many of each fingerprint as it holds) and counts the entries
that matched nothing as stale. Input errors (IAM900, IAM903, IAM904) are never baselined.
"""

from __future__ import annotations

import json
from collections import Counter

from .diagnostics import INPUT_ERRORS
from .results import RunReport, fingerprint

FORMAT = "iamlint-baseline"
VERSION = 1


class BaselineError(Exception):
    pass


def write(report: RunReport, path: str) -> int:
    from .version import __version__

    entries = [
        {
            "fingerprint": fingerprint(f),
            "code": f.code,
            "file": f.span.file.replace("\\", "/"),
            "owner": f.owner,
            "value": f.value or f.message,
        }
        for f in report.findings
        if f.code not in INPUT_ERRORS
    ]
    doc = {"format": FORMAT, "version": VERSION, "tool": f"iamlint {__version__}", "findings": entries}
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(doc, fh, indent=2)
            fh.write("\n")
    except OSError as e:
        raise BaselineError(f"cannot write baseline {path}: {e.strerror or e}") from None
    return len(entries)


def load(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as e:
        raise BaselineError(f"cannot read baseline {path}: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BaselineError(f"{path} is not an iamlint baseline (not JSON: {e})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f"{path} is not an iamlint baseline (write one with --write-baseline)")
    if doc.get("version") != VERSION:
        raise BaselineError(
            f"{path}: baseline version {doc.get('version')!r} is not supported (expected {VERSION})"
        )
    entries = doc.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(
            f"{path}: malformed baseline: 'findings' must be a list of entries with a fingerprint"
        )
    return Counter(e["fingerprint"] for e in entries)


def apply(report: RunReport, known: Counter) -> None:
    """Hide the findings the baseline holds; record how many were hidden and how many are stale."""
    remaining = Counter(known)
    hidden = 0
    for fr in report.files:
        kept = []
        for f in fr.findings:
            fp = fingerprint(f)
            if f.code not in INPUT_ERRORS and remaining[fp] > 0:
                remaining[fp] -= 1
                hidden += 1
            else:
                kept.append(f)
        fr.findings = kept
    report.baselined = hidden
    report.baseline_stale = sum(remaining.values())
