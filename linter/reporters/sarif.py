"""``sarif``: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).

What GitHub's code scanning reads (docs.github.com, "SARIF support for code scanning"), and
how iamlint fills it in:

- rules (``reportingDescriptor``): ``id``, ``name``, ``shortDescription`` (the docstring's
  first line), ``fullDescription`` (*Why is this bad?*, then *What it does*, cut after a
  sentence to GitHub's 1,024 characters), ``help`` (the whole rule documentation), ``helpUri``, the default
  level, and ``properties``:

  - ``tags``: ``security`` for the rules about what a policy grants, ``correctness`` for
    those about policies AWS rejects, ``tool-diagnostic`` for iamlint's own diagnostics
    (IAM9xx: a file that cannot be parsed, an unused suppression), which are never
    ``security``; plus ``iam`` for every rule of a policy;
  - ``security-severity`` (security rules only; GitHub ranks a score over 9.0 critical,
    7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low): the rule's `security_severity`, set by each
    built-in rule from its severity and impact and documented in docs/ci.md;
  - ``precision`` (every rule): how often a finding is right: ``very-high`` for a syntactic
    match, ``high`` where the AWS catalogue decides, ``medium`` for judgements
    (resource-level support, privileged roles);
  - ``problem.severity``: ``error``, ``warning`` or ``recommendation``.

  A rule that does not set them (a plugin's, usually) is ``security`` with a score from its
  severity and ``medium`` precision; it may set ``security_severity`` (a string such as
  ``"7.5"``, or ``None`` for a rule that is not about security) and ``precision``.
- results: ``ruleId``, ``ruleIndex``, ``level``, ``message.text`` (with the owner), one
  location with its ``region`` (lines and columns from 1, ``endColumn`` the column after the
  element, columns in Unicode code points), the owner as a logical location, the other
  places the finding involves (`Finding.related`: every statement of an escalation path,
  the first of two duplicate keys) as ``relatedLocations`` with their message, and
  ``partialFingerprints["iamlint/v1"]`` (the line-independent fingerprint; the upload
  action adds GitHub's own ``primaryLocationLineHash``).
- locations: GitHub resolves a relative URI against the repository root, so ``%SRCROOT%``
  is the root of the git work tree that holds the working directory (else
  ``$GITHUB_WORKSPACE`` when the working directory lies in it, else the working directory),
  given as an absolute ``file://`` URI in ``originalUriBaseIds``. A file inside it, whatever
  it is (a template, a configuration file found by walking up), has a relative URI with
  ``uriBaseId: %SRCROOT%``, percent-encoded (``dir%20with%20space/%C3%BCn%C3%AF/main.tf``),
  symbolic links resolved as GitHub asks; a file outside it has an absolute ``file://`` URI.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO
from urllib.parse import quote

from ..diagnostics import BY_CODE
from ..discover import repository_root
from ..model import Span
from ..results import RunReport, fingerprint
from ..rule import doc_sections
from ..version import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
#: GitHub's limits for a rule's descriptions (longer ones are cut)
DESCRIPTION_LIMIT = 1024

#: a rule's security-severity when it does not set one (`Rule.security_severity`): from its
#: severity. Each built-in rule sets its own (docs/ci.md has the table and the reasons).
DEFAULT_SECURITY_SEVERITY = {"error": "7.5", "warning": "5.0", "info": "2.0"}
TAGS = {
    "security": ["security", "iam"],
    "correctness": ["correctness", "iam"],
    "tool-diagnostic": ["tool-diagnostic"],
}


def classify(rule: Any) -> tuple[str, str | None, str]:
    """A rule's kind (``security``, ``correctness`` or ``tool-diagnostic``), its
    security-severity (None unless security) and its precision."""
    if rule.code in BY_CODE:
        return "tool-diagnostic", None, "very-high"
    score = getattr(rule, "security_severity", "")
    if score == "":
        score = DEFAULT_SECURITY_SEVERITY[rule.severity.value]
    precision = getattr(rule, "precision", None) or "medium"
    return ("security" if score is not None else "correctness"), score, precision


def rule_properties(rule: Any) -> dict[str, Any]:
    """The ``properties`` bag of a rule: tags, security-severity, precision, problem.severity."""
    severity = rule.severity.value
    kind, score, precision = classify(rule)
    props: dict[str, Any] = {"tags": list(TAGS[kind])}
    if score is not None:
        props["security-severity"] = str(score)
    props["precision"] = precision
    props["problem.severity"] = PROBLEM_SEVERITY[severity]
    return props


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters: after its last whole sentence that fits,
    else its last whole word, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    end = max(head.rfind(". "), head.rfind(".\n"))
    if end > limit // 2:
        return head[: end + 1] + " …"
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip() + "…"


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


def _region(s: Span) -> dict[str, int]:
    line, column = max(s.line, 1), max(s.column, 1)
    return {
        "startLine": line,
        "startColumn": column,
        "endLine": max(s.end_line, line),
        "endColumn": s.end_column if (s.end_line, s.end_column) > (line, column) else column + 1,
    }


def _related(
    i: int, span: Span, what: str, locations: dict[str, dict[str, str]], root: str
) -> dict[str, Any]:
    """A ``relatedLocations`` entry: another place the finding involves (`Finding.related`)."""
    if span.file not in locations:
        locations[span.file] = artifact_location(span.file, root)
    return {
        "id": i,
        "physicalLocation": {"artifactLocation": dict(locations[span.file]), "region": _region(span)},
        "message": {"text": what},
    }


def render(report: RunReport, out: TextIO, color: bool) -> None:
    rules = list(report.registry)
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for r in rules:
        sections = doc_sections(r.doc())
        # the reason first: what survives GitHub's cut is what a reviewer needs most
        full = sections.get("Why is this bad?", "") + "\n\n" + sections.get("What it does", "")
        driver_rules.append(
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": shorten(r.summary())},
                "fullDescription": {"text": shorten(full.strip() or r.summary())},
                "help": {"text": r.doc(), "markdown": r.doc()},
                "helpUri": r.help_uri(),
                "defaultConfiguration": {"level": LEVEL[r.severity.value]},
                "properties": rule_properties(r),
            }
        )
    root = source_root()
    locations: dict[str, dict[str, str]] = {}
    results = []
    for f in report.findings:
        s = f.span
        if s.file not in locations:
            locations[s.file] = artifact_location(s.file, root)
        line, column = max(s.line, 1), max(s.column, 1)
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": LEVEL[f.severity.value],
            "message": {"text": f.message + (f" [{f.owner}]" if f.owner else "")},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": dict(locations[s.file]),
                        "region": {
                            "startLine": line,
                            "startColumn": column,
                            "endLine": max(s.end_line, line),
                            "endColumn": s.end_column
                            if (s.end_line, s.end_column) > (line, column)
                            else column + 1,
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
        if f.related:
            result["relatedLocations"] = [
                _related(i, span, what, locations, root) for i, (span, what) in enumerate(f.related, 1)
            ]
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
