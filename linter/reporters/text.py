"""``text``: findings grouped by file, then a summary line. Colour only on a terminal."""

from __future__ import annotations

from typing import TextIO

from ..engine import RunReport

_SEV = {"error": "31", "warning": "33", "info": "36"}


def _c(code: str, text: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: RunReport) -> str:
    sev = report.by_severity()
    total = sum(sev.values())
    parts = [f"{plural(len(report.files), 'file')} scanned"]
    parts.append(f"{plural(report.documents, 'policy')}".replace("policys", "policies") + " found")
    if total:
        detail = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in sev.items() if n)
        parts.append(f"{plural(total, 'finding')} ({detail})")
    else:
        parts.append("no findings")
    not_iac = report.count("not-iac")
    if not_iac:
        parts.append(f"{plural(not_iac, 'file')} not IaC (skipped)")
    errors = sum(1 for f in report.findings if f.code in ("IAM900", "IAM903")) + len(report.usage_errors)
    if errors:
        parts.append(plural(errors, "error"))
    return "; ".join(parts) + "."


def render(report: RunReport, out: TextIO, color: bool) -> None:
    first = True
    for fr in report.files:
        if not fr.findings:
            continue
        if not first:
            out.write("\n")
        first = False
        for f in fr.findings:
            s = f.span
            loc = _c("1", f"{s.file}:{s.line}:{s.column}:", color)
            code = _c("1;" + _SEV[f.severity.value], f.code, color)
            sev = _c(_SEV[f.severity.value], f"[{f.severity.value}]", color)
            owner = f" [{f.owner}]" if f.owner else ""
            out.write(f"{loc} {code} {sev} {f.message}{owner} ({f.name})\n")
    if not first:
        out.write("\n")
    out.write(summary(report) + "\n")
