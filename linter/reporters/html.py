"""``html``: one self-contained page for a security reviewer (docs/html-report.md).

The page is a summary (files, documents, principals, findings by severity and code), then
the findings in a table that can be filtered (severity, code, file, principal, text) and
sorted, each with its code frame (the text format's ``--show-source`` frame, `text.snippet`).

Everything the page shows is in one JSON blob (``<script type="application/json">``) that a
small script (``html.js``, inlined) renders into the DOM with ``textContent``: no value from
the input is ever written as markup, so a hostile file name or policy value cannot inject
HTML. In the blob, ``<``, ``>`` and ``&`` are written as ``\\u003c``-style escapes (the blob
cannot close its element) and every character outside ASCII as a JSON escape. A
Content-Security-Policy meta tag forbids loading anything: the only script and style that
run are the inlined ones, allowed by their SHA-256 hashes.

The table renders its rows lazily (``PAGE`` rows at a time, more as the reader scrolls), so
a report of the whole corpus (5,000+ findings) opens without freezing a browser.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from importlib import resources
from typing import Any, TextIO

from ..diagnostics import INPUT_ERRORS
from ..results import RunReport, display_path
from ..version import __version__
from .text import _SourceCache, snippet

SEVERITIES = ("error", "warning", "info")
#: in the principals view, at most this many actions are named per group of equal answers
#: (the count is always given: an administrator holds 20,000 actions)
SHOWN_ACTIONS = 8


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def embed_json(data: Any) -> str:
    """``data`` as JSON that can sit inside a ``<script>`` element: ASCII only, and no
    ``<``, ``>`` or ``&`` (so no ``</script>``, ``<!--`` or entity can end or change it)."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _where(path: str) -> str:
    """The template (or Terraform module directory) a principal belongs to, as shown."""
    where = os.path.dirname(path) or "." if path.lower().endswith((".tf", ".tf.json")) else path
    return display_path(where)


def _source(src: dict[str, Any]) -> str:
    via = f" via {src['via']}" if src.get("via") else ""
    aws = " (AWS managed)" if src.get("aws_managed") else ""
    return f"{src['policy']}{aws}{via} ({display_path(src['file'])}:{src['line']})"


def _trusted(eff: Any) -> list[str]:
    """Who a role's trust policy lets assume it (``Service: lambda.amazonaws.com``)."""
    from ..model import Str

    trust = getattr(eff.principal, "trust", None)
    out: list[str] = []
    for st in trust.statements if trust is not None else ():
        effect = st.effect.value if isinstance(st.effect, Str) else ""
        if effect != "Allow" or st.principal is None:
            continue
        for e in st.principal.entries:
            value = e.value.value if isinstance(e.value, Str) else "(unknown)"
            out.append(value if e.kind == "*" else f"{e.kind}: {value}")
    return list(dict.fromkeys(out))


def principal_data(eff: Any) -> dict[str, Any]:
    """One principal for the principals view: the JSON form ``iamlint explain --format json``
    prints (`Effective.to_json` and its escalation paths), made compact for a page that may
    hold thousands of principals: each group of equal answers names at most
    ``SHOWN_ACTIONS`` actions (and counts them all) and its first granting statement; an
    administrator (every action on every resource) is said to be one instead of listing
    every action; and who may assume it (its trust policy) is added for the graph."""
    from ..escalation import escalation_paths, is_administrator

    admin = is_administrator(eff)
    data = eff.to_json(permissions=not admin)
    perms = []
    for service, levels in (data.pop("permissions", None) or {}).items():
        for level, entries in levels.items():
            for e in entries:
                perms.append(
                    [
                        service,
                        level,
                        len(e["actions"]),
                        e["actions"][:SHOWN_ACTIONS],
                        e["verdict"],
                        e["resource"] or "",
                        [_source(g) for g in e["granted_by"][:1]],
                        e["conditions"],
                        [_source(d) for d in e["denied_by"]] + list(e["capped_by"]),
                    ]
                )
    paths = [
        {
            "path": p.path.id,
            "verdict": p.verdict.value,
            "how": p.describe(),
            "steps": [
                [d.action, _source(d.granted_by[0].to_json()) if d.granted_by else ""] for d in p.steps
            ],
        }
        for p in escalation_paths(eff, conditional=True)
    ]
    return {
        "principal": data["principal"],
        "key": f"{data['principal']} ({_where(data['file'])})",
        "kind": data["kind"],
        "file": display_path(data["file"]),
        "line": data["line"],
        "where": _where(data["file"]),
        "policies": [[_source({**p, "via": None}), p["layer"], p.get("via") or ""] for p in data["policies"]],
        "unknown": data["unknown"],
        "administrator": admin,
        "trusted_by": _trusted(eff),
        "escalation_paths": paths,
        "permissions": perms,
    }


def report_data(report: RunReport) -> dict[str, Any]:
    """The page's data: lists interned by index so a corpus report stays small."""
    options = report.options or {}
    lines_of = _SourceCache(options.get("sources") or {})
    codes: dict[str, int] = {}
    code_rows: list[list[Any]] = []
    files: dict[str, int] = {}
    principals: dict[str, int] = {}  # "address (template or module)": its index
    names: dict[str, str] = {}
    urls = {r.code: r.help_uri() for r in report.registry}
    findings = []
    for f in report.findings:
        if f.code not in codes:
            codes[f.code] = len(code_rows)
            code_rows.append([f.code, f.name, urls.get(f.code, "")])
        path = display_path(f.span.file)
        if path not in files:
            files[path] = len(files)
        who = []
        for p in f.principals:
            key = f"{p} ({_where(f.span.file)})"
            if key not in principals:
                principals[key] = len(principals)
                names[key] = p
            who.append(principals[key])
        s = f.span
        frame = "\n".join(snippet(f, lines_of, False))
        related = [[display_path(r.file), r.line, r.column, what] for r, what in f.related]
        findings.append(
            [
                SEVERITIES.index(f.severity.value),
                codes[f.code],
                files[path],
                s.line,
                s.column,
                f.message,
                f.owner or "",
                who,
                frame,
                related,
            ]
        )
    sev = report.by_severity()
    return {
        "tool": {"name": "iamlint", "version": __version__},
        "summary": {
            "files": len(report.scanned),
            "documents": report.documents,
            "principals": len(principals),
            "principals_total": len(options.get("principals") or ()),
            "findings": sev,
            "input_errors": sum(1 for f in report.findings if f.code in INPUT_ERRORS)
            + len(report.usage_errors),
            "suppressed": len(report.suppressed),
            "baselined": report.baselined,
        },
        "severities": list(SEVERITIES),
        "codes": code_rows,
        "files": list(files),
        "principals": list(principals),
        "principal_names": [names[k] for k in principals],
        "findings": findings,
        "errors": list(report.usage_errors),
        "principal_view": [principal_data(e) for e in options.get("principals") or ()],
        "explained": options.get("principals") is not None,
    }


def page(data: dict[str, Any]) -> str:
    """The whole page for ``data`` (`report_data`)."""
    css, js = _asset("html.css"), _asset("html.js")
    csp = (
        f"default-src 'none'; script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
        "base-uri 'none'; form-action 'none'"
    )
    title = f"iamlint report ({sum(data['summary']['findings'].values())} findings)"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{css}</style>\n</head>\n<body>\n"
        '<header><h1>iamlint report</h1><span id="tool"></span></header>\n'
        '<main>\n<section id="summary" aria-label="Summary"></section>\n'
        '<section id="findings-section" aria-label="Findings"><h2>Findings</h2>\n'
        '<form id="filters" autocomplete="off"></form>\n<p id="count" role="status"></p>\n'
        '<table id="findings"><thead></thead><tbody></tbody></table>\n'
        '<p id="more-wrap"><button type="button" id="more"></button></p>\n</section>\n'
        '<section id="principals-section" aria-label="Principals"></section>\n'
        '<section id="graph-section" aria-label="Attachment graph"></section>\n'
        "</main>\n"
        f'<script type="application/json" id="iamlint-data">{embed_json(data)}</script>\n'
        f"<script>{js}</script>\n</body>\n</html>\n"
    )


def render(report: RunReport, out: TextIO, color: bool) -> None:
    out.write(page(report_data(report)))
