"""The findings of a SARIF report iamlint wrote, shown again without linting again.

The GitHub Action lints once, to SARIF for code scanning, and prints the same findings in
the job log, as ``text`` lines or as ``github`` workflow annotations, from that file:
``python -m iamlint.reporters.replay --format github iamlint.sarif``. SARIF keeps all these
formats print: the file (its URI, resolved against ``%SRCROOT%``), the region, the rule's
code and name, the level and the message (which holds the owner).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO
from urllib.parse import unquote_to_bytes, urlsplit

from ..model import Finding, Severity, Span
from ..results import display_path

SEVERITY = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "note": Severity.INFO,
    "none": Severity.INFO,
}


def _path(uri: str) -> str:
    """A URI's path as a local file name (percent-decoded bytes, as the file system names it)."""
    parts = urlsplit(uri)
    raw = unquote_to_bytes(parts.path)
    if os.name == "nt" and raw[:1] == b"/" and raw[2:3] == b":":
        raw = raw[1:]  # file:///C:/x
    return os.fsdecode(raw)


def findings(doc: dict[str, Any]) -> list[Finding]:
    """The findings of every run of a SARIF log, in its order."""
    out: list[Finding] = []
    for run in doc.get("runs") or []:
        rules = run.get("tool", {}).get("driver", {}).get("rules") or []
        names = {r.get("id"): r.get("name", "") for r in rules}
        bases = {k: _path(v.get("uri", "")) for k, v in (run.get("originalUriBaseIds") or {}).items()}
        for result in run.get("results") or []:
            code = result.get("ruleId", "")
            index = result.get("ruleIndex")
            name = rules[index].get("name", "") if isinstance(index, int) and 0 <= index < len(rules) else ""
            phys = (result.get("locations") or [{}])[0].get("physicalLocation", {})
            art = phys.get("artifactLocation", {})
            path = _path(art.get("uri", ""))
            if art.get("uriBaseId") in bases:
                path = os.path.join(bases[art["uriBaseId"]], path)
            region = phys.get("region", {})
            line, column = region.get("startLine", 1), region.get("startColumn", 1)
            span = Span(
                display_path(path),
                line,
                column,
                region.get("endLine", line),
                region.get("endColumn", column + 1),
            )
            out.append(
                Finding(
                    code=code,
                    name=name or names.get(code, ""),
                    severity=SEVERITY.get(result.get("level", "warning"), Severity.WARNING),
                    message=result.get("message", {}).get("text", ""),
                    span=span,
                )
            )
    return out


def render(doc: dict[str, Any], fmt: str, out: TextIO, color: bool = False) -> int:
    """Print ``doc``'s findings as ``text`` lines (grouped by file, then a count) or ``github``
    annotations; return how many there were."""
    from ..results import escape_surrogates

    found = findings(doc)
    lines: list[str] = []
    if fmt == "github":
        from .github import command

        workspace = os.environ.get("GITHUB_WORKSPACE") or ""
        lines = [command(f, workspace) for f in found]
    else:
        from .text import finding_line

        previous = None
        for f in found:
            if previous is not None and f.span.file != previous:
                lines.append("")
            previous = f.span.file
            lines.append(finding_line(f, color))
        counts = {s.value: sum(1 for f in found if f.severity is s) for s in Severity}
        detail = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts.items() if n)
        if found:
            lines += ["", f"{len(found)} finding{'' if len(found) == 1 else 's'} ({detail})."]
        else:
            lines.append("no findings.")
    out.write(escape_surrogates("".join(line + "\n" for line in lines)))
    return len(found)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m iamlint.reporters.replay",
        description="Print the findings of an iamlint SARIF report as text or GitHub annotations.",
    )
    parser.add_argument("-f", "--format", choices=("text", "github"), default="text")
    parser.add_argument("sarif", help="the SARIF file iamlint wrote")
    args = parser.parse_args(argv)
    try:
        with open(args.sarif, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"iamlint: error: cannot read the SARIF report {args.sarif}: {e}\n")
        return 2
    render(doc, args.format, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
