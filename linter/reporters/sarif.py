"""``sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

from ..results import RunReport, fingerprint
from ..rule import doc_sections
from ..version import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    p = path.replace(os.sep, "/")
    if os.path.isabs(path):
        return "file://" + ("" if p.startswith("/") else "/") + p
    return p[2:] if p.startswith("./") else p


def render(report: RunReport, out: TextIO, color: bool) -> None:
    rules = list(report.registry)
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        sections = doc_sections(r.doc())
        full = sections.get("What it does", "") + "\n\n" + sections.get("Why is this bad?", "")
        driver_rules.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": full.strip()},
                "help": {"text": r.doc(), "markdown": r.doc()},
                "helpUri": r.help_uri(),
                "defaultConfiguration": {"level": LEVEL[r.severity.value]},
                "properties": {"tags": ["security", "iam"]},
            }
        )
    results = []
    for f in report.findings:
        s = f.span
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": LEVEL[f.severity.value],
            "message": {"text": f.message + (f" [{f.owner}]" if f.owner else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(s.file), "uriBaseId": "%SRCROOT%"}
                        if not os.path.isabs(s.file)
                        else {"uri": _uri(s.file)},
                        "region": {
                            "startLine": s.line,
                            "startColumn": s.column,
                            "endLine": max(s.end_line, s.line),
                            "endColumn": s.end_column
                            if (s.end_line, s.end_column) > (s.line, s.column)
                            else s.column + 1,
                        },
                    }
                }
            ],
            "partialFingerprints": {"iamlint/v1": fingerprint(f)},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.owner:
            result["locations"][0]["logicalLocations"] = [{"name": f.owner, "kind": "resource"}]
        results.append(result)
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iamlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/iamlint/iamlint",
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _srcroot()}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    json.dump(sarif, out, indent=2)
    out.write("\n")


def _srcroot() -> str:
    cwd = os.getcwd().replace(os.sep, "/")
    return "file://" + ("" if cwd.startswith("/") else "/") + cwd.rstrip("/") + "/"
