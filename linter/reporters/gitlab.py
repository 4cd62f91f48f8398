"""``gitlab``: a GitLab Code Quality report (``artifacts: reports: codequality:``).

A JSON array with one object per finding, carrying every field GitLab documents for a
custom tool (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format):
``description``, ``check_name``, ``fingerprint``, ``severity``, ``location.path`` and
``location.lines.begin`` (and ``end``). Also, from the Code Climate spec it subsets:
``location.positions`` (begin/end line and column; GitLab accepts ``positions.begin.line``
in place of ``lines.begin``), ``type: "issue"`` and ``categories`` (``Security`` for the
rules about what a policy grants, ``Bug Risk`` for policies AWS rejects and for iamlint's
own diagnostics, as SARIF's tags tell them apart), which GitLab ignores.

- ``fingerprint`` is the line-independent fingerprint of ``json`` and ``sarif``. GitLab shows
  findings with the same fingerprint as one entry in the merge request widget, so when two
  findings share it (the same value flagged twice in one file) the second and later ones get
  a hash of the fingerprint and their occurrence number instead: unique, and still stable
  when lines move.
- ``severity`` maps iamlint's to GitLab's scale (info, minor, major, critical, blocker):
  error -> ``critical``, warning -> ``major``, info -> ``info``, and a file that could not be
  read or parsed (IAM900) or hit an internal error (IAM903) -> ``blocker``, because nothing
  in it was checked. ``critical`` rather than ``blocker`` for errors leaves the top of the
  scale to "this file was not linted at all", above any finding in a file that was.
- ``location.path`` is relative to the working directory (the project root in a GitLab
  job), with ``/`` and without a leading ``./``, as GitLab resolves it against the repository.

The output is ASCII (non-ASCII characters are ``\\u`` escapes) and has no byte order mark,
which GitLab's parser rejects.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import TextIO

from ..diagnostics import INPUT_ERRORS
from ..model import Finding
from ..results import RunReport, display_path, fingerprint
from .sarif import classify

SEVERITY = {"error": "critical", "warning": "major", "info": "info"}
INPUT_ERROR_SEVERITY = "blocker"


def relative_path(path: str) -> str:
    p = display_path(path).replace(os.sep, "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def issue(f: Finding, fp: str, security: bool = True) -> dict:
    s = f.span
    input_error = f.code in INPUT_ERRORS
    line, column = max(s.line, 1), max(s.column, 1)
    end_line = max(s.end_line, line)
    end_column = s.end_column if (s.end_line, s.end_column) > (line, column) else column + 1
    return {
        "type": "issue",
        "description": f.message + (f" [{f.owner}]" if f.owner else ""),
        "check_name": f.code,
        "categories": ["Security" if security and not input_error else "Bug Risk"],
        "fingerprint": fp,
        "severity": INPUT_ERROR_SEVERITY if input_error else SEVERITY[f.severity.value],
        "location": {
            "path": relative_path(s.file),
            "lines": {"begin": line, "end": end_line},
            "positions": {
                "begin": {"line": line, "column": column},
                "end": {"line": end_line, "column": end_column},
            },
        },
    }


def unique_fingerprints(findings: list[Finding]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        fp = fingerprint(f)
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        out.append(fp if n == 0 else hashlib.sha256(f"{fp}\x1f{n}".encode()).hexdigest()[:32])
    return out


def render(report: RunReport, out: TextIO, color: bool) -> None:
    findings = report.findings
    security: dict[str, bool] = {}
    for f in findings:
        if f.code not in security:
            rule = report.registry.get(f.code)
            security[f.code] = rule is None or classify(rule)[0] == "security"
    issues = [
        issue(f, fp, security[f.code]) for f, fp in zip(findings, unique_fingerprints(findings), strict=False)
    ]
    json.dump(issues, out, indent=2)
    out.write("\n")
