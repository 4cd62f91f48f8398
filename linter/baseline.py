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
        _write_atomically(path, json.dumps(doc, indent=2) + "\n")
    except OSError as e:
        raise BaselineError(f"cannot write baseline {path}: {e.strerror or e}") from None
    return len(entries)


def _write_atomically(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``: a run
    that is interrupted or fails half-way (a full disk, a file size limit, Ctrl-C) leaves the
    old baseline as it was, never a truncated one. A symbolic link is followed (the file it
    names is replaced, the link stays), and an existing baseline keeps its permissions."""
    import os
    import stat
    import tempfile

    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:  # a new file: what open() would give it
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target)
    )
    try:
        with open(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load(path: str) -> Counter:
    """The fingerprints a baseline holds; a `BaselineError` (one line: the file, the key path
    where there is one, what is wrong) for anything else, whatever the file holds."""
    from .discover import decode

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise BaselineError(f"cannot read baseline {path}: {e.strerror or e}") from None
    text, err = decode(path, data)
    if err is not None:
        raise BaselineError(
            f"{path}:{err.span.line}:{err.span.column}: not an iamlint baseline: {err.message}"
        )
    try:
        doc = json.loads(text or "")
    except json.JSONDecodeError as e:
        raise BaselineError(
            f"{path}:{e.lineno}:{e.colno}: not an iamlint baseline: invalid JSON: {e.msg}"
        ) from None
    except ValueError:  # int() refuses a number of more than 4,300 digits
        raise BaselineError(f"{path}: not an iamlint baseline: a number with too many digits") from None
    except RecursionError:
        raise BaselineError(f"{path}: not an iamlint baseline: arrays or objects nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BaselineError(f"{path} is not an iamlint baseline (write one with --write-baseline)")
    if doc.get("version") != VERSION:
        raise BaselineError(
            f"{path}: version: baseline version {_shown(doc.get('version'))} is not supported (expected {VERSION})"
        )
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: findings: expected a list of entries, got {_shown(entries)}")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise BaselineError(f"{path}: findings[{i}]: expected an entry (an object), got {_shown(entry)}")
        if not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(
                f"{path}: findings[{i}].fingerprint: expected a string, got {_shown(entry.get('fingerprint'))}"
            )
    return Counter(entry["fingerprint"] for entry in entries)


def _shown(value) -> str:
    """``repr(value)``, cut short: the message stays one readable line."""
    import reprlib

    return reprlib.repr(value)


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
