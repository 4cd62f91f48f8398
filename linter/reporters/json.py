"""``json``: the stable machine-readable schema documented in docs/json-output.md."""

from __future__ import annotations

import json
from typing import TextIO

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


def render(report: RunReport, out: TextIO, color: bool) -> None:
    sev = report.by_severity()
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iamlint", "version": __version__},
        "findings": [finding_dict(f) for f in report.findings],
        "files": [
            {
                "path": display_path(fr.path),
                "status": fr.status,
                "format": fr.format,
                "policies": fr.documents,
                "findings": len(fr.findings),
                "documents": [document_dict(d) for d in fr.document_info],
            }
            for fr in report.files
        ],
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
