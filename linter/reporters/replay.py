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


class ReplayError(ValueError):
    """The file is not a SARIF log of the shape iamlint writes (one line says where)."""


_KINDS = {list: "a list", dict: "an object", str: "a string", int: "an integer"}


def _get(obj: Any, key: str, kind: type, where: str, default: Any = None) -> Any:
    """``obj[key]`` if it is a ``kind`` (``default`` when absent); else a `ReplayError`."""
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict):
        raise ReplayError(f"{where or 'the log'} is not an object")
    value = obj.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ReplayError(f"{path} is not {_KINDS[kind]}")
    return value


def findings(doc: Any) -> list[Finding]:
    """The findings of every run of a SARIF log, in its order (`ReplayError` for a log of
    another shape)."""
    out: list[Finding] = []
    for r, run in enumerate(_get(doc, "runs", list, "", [])):
        where = f"runs[{r}]"
        driver = _get(_get(run, "tool", dict, where, {}), "driver", dict, f"{where}.tool", {})
        rules = _get(driver, "rules", list, f"{where}.tool.driver", [])
        names = {}
        for i, rule in enumerate(rules):
            names[_get(rule, "id", str, f"{where}.tool.driver.rules[{i}]", "")] = _get(
                rule, "name", str, f"{where}.tool.driver.rules[{i}]", ""
            )
        bases = {
            k: _path(_get(v, "uri", str, f"{where}.originalUriBaseIds", ""))
            for k, v in _get(run, "originalUriBaseIds", dict, where, {}).items()
        }
        for n, result in enumerate(_get(run, "results", list, where, [])):
            at = f"{where}.results[{n}]"
            code = _get(result, "ruleId", str, at, "")
            locations = _get(result, "locations", list, at, [])
            phys = _get(locations[0] if locations else {}, "physicalLocation", dict, f"{at}.locations[0]", {})
            art = _get(phys, "artifactLocation", dict, f"{at}.locations[0].physicalLocation", {})
            path = _path(_get(art, "uri", str, f"{at}.locations[0].physicalLocation.artifactLocation", ""))
            base = art.get("uriBaseId")
            if isinstance(base, str) and base in bases:
                path = os.path.join(bases[base], path)
            region = _get(phys, "region", dict, f"{at}.locations[0].physicalLocation", {})
            rat = f"{at}.locations[0].physicalLocation.region"
            line = _get(region, "startLine", int, rat, 1)
            column = _get(region, "startColumn", int, rat, 1)
            span = Span(
                display_path(path),
                line,
                column,
                _get(region, "endLine", int, rat, line),
                _get(region, "endColumn", int, rat, column + 1),
            )
            out.append(
                Finding(
                    code=code,
                    name=names.get(code, ""),
                    severity=SEVERITY.get(_get(result, "level", str, at, "warning"), Severity.WARNING),
                    message=_get(_get(result, "message", dict, at, {}), "text", str, f"{at}.message", ""),
                    span=span,
                )
            )
    return out


def render(doc: Any, fmt: str, out: TextIO, color: bool = False) -> int:
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
    except (OSError, ValueError, RecursionError) as e:
        sys.stderr.write(f"iamlint: error: cannot read the SARIF report {args.sarif}: {e}\n")
        return 2
    try:
        render(doc, args.format, sys.stdout)
    except ReplayError as e:
        sys.stderr.write(f"iamlint: error: {args.sarif}: not an iamlint SARIF report: {e}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
