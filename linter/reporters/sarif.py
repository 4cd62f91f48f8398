"""``sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

Locations: GitHub resolves a relative URI against the repository root, so ``%SRCROOT%`` is
the root of the git work tree that holds the working directory (else ``$GITHUB_WORKSPACE``
when the working directory lies in it, else the working directory), given as an absolute
``file://`` URI in ``originalUriBaseIds``. A file inside it, whatever it is (a template, a
configuration file found by walking up), has a relative URI with ``uriBaseId: %SRCROOT%``,
percent-encoded (``dir%20with%20space/%C3%BCn%C3%AF/main.tf``), symbolic links resolved as
GitHub asks; a file outside it has an absolute ``file://`` URI.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO
from urllib.parse import quote

from ..discover import repository_root
from ..results import RunReport, fingerprint
from ..rule import doc_sections
from ..version import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def source_root() -> str:
    """The directory ``%SRCROOT%`` stands for (a real path): see the module docstring."""
    cwd = os.getcwd()
    root = repository_root(cwd)
    if root is None:
        workspace = os.environ.get("GITHUB_WORKSPACE")
        if workspace and _within(cwd, os.path.realpath(workspace)):
            root = workspace
    return os.path.realpath(root or cwd)


def _within(path: str, root: str) -> bool:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return False
    return rel != os.pardir and not rel.startswith(os.pardir + os.sep) and not os.path.isabs(rel)


def file_uri(path: str) -> str:
    """An absolute path as a percent-encoded ``file://`` URI."""
    from pathlib import Path

    return Path(path).as_uri()


def artifact_location(path: str, root: str) -> dict[str, str]:
    """Where a file is: relative to ``root`` with ``uriBaseId``, else an absolute URI."""
    full = os.path.realpath(path)
    if _within(full, root) and full != root:
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        return {"uri": quote(os.fsencode(rel), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": file_uri(full)}


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
    root = source_root()
    locations: dict[str, dict[str, str]] = {}
    results = []
    for f in report.findings:
        s = f.span
        if s.file not in locations:
            locations[s.file] = artifact_location(s.file, root)
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": LEVEL[f.severity.value],
            "message": {"text": f.message + (f" [{f.owner}]" if f.owner else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": dict(locations[s.file]),
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
    root_uri = file_uri(root)
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
                "originalUriBaseIds": {
                    SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    json.dump(sarif, out, indent=2)
    out.write("\n")
