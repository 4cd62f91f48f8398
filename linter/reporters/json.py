"""``json``: the stable machine-readable schema documented in docs/json-output.md."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from ..diagnostics import INPUT_ERRORS
from ..results import RunReport, display_path, fingerprint
from ..version import __version__

SCHEMA_VERSION = 1


def finding_dict(f) -> dict:
    s = f.span
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "message": f.message,
        "file": display_path(s.file),
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
        "owner": f.owner,
        "principals": list(f.principals),
        "related": [
            {
                "file": display_path(r.file),
                "line": r.line,
                "column": r.column,
                "end_line": r.end_line,
                "end_column": r.end_column,
                "message": what,
            }
            for r, what in f.related
        ],
        "fingerprint": fingerprint(f),
    }


def document_dict(d) -> dict:
    s = d.span
    return {
        "kind": d.kind,
        "format": d.format,
        "owner": d.owner,
        "owner_type": d.owner_type,
        "property": d.path or None,
        "construct": d.construct,
        "statements": d.statements,
        "file": s.file,
        "line": s.line,
        "column": s.column,
        "end_line": s.end_line,
        "end_column": s.end_column,
    }


class _Made(list):
    """A list to `json.dump` whose items are made as they are written (``make(item)`` for
    each of ``items``), so that a report of many findings is never held as dicts all at
    once: json's encoder iterates a list and asks only whether it is empty."""

    def __init__(self, items: Sequence[Any], make: Callable[[Any], dict]):
        super().__init__()
        self._items = items
        self._make = make

    def __iter__(self) -> Iterator[dict]:
        return map(self._make, self._items)

    def __len__(self) -> int:
        return len(self._items)


def _file_dict(fr) -> dict:
    return {
        "path": display_path(fr.path),
        "status": fr.status,
        "format": fr.format,
        "policies": fr.documents,
        "findings": len(fr.findings),
        "documents": _Made(fr.document_info, document_dict),
    }


def render(report: RunReport, out: TextIO, color: bool) -> None:
    sev = report.by_severity()
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iamlint", "version": __version__},
        "findings": _Made(report.findings, finding_dict),
        "files": _Made(report.files, _file_dict),
        "errors": list(report.usage_errors),
        "summary": {
            "files": len(report.scanned),
            "policies": report.documents,
            "not_iac": report.count("not-iac"),
            "errors": sum(1 for f in report.findings if f.code in INPUT_ERRORS) + len(report.usage_errors),
            "findings": sev,
            "suppressed": len(report.suppressed),
            "baselined": report.baselined,
            "baseline_stale": report.baseline_stale,
        },
    }
    json.dump(doc, out, indent=2)
    out.write("\n")
