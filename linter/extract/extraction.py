"""What an extractor returns for one file: documents, principals, diagnostics, directives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import DUPLICATE_KEY, diagnostic
from ..directives import Directive
from ..model import Finding, IAMPrincipal, PolicyDocument, Span


@dataclass
class Extraction:
    """What one file yields: its documents, principals and diagnostics (IAM9xx findings)."""

    format: str
    documents: list[PolicyDocument] = field(default_factory=list)
    principals: list[IAMPrincipal] = field(default_factory=list)
    diagnostics: list[Finding] = field(default_factory=list)
    #: suppressions the source itself declares (CloudFormation resource ``Metadata``), as
    #: written: the suppression stage validates them
    directives: list[Directive] = field(default_factory=list)
    #: the file's comments that mention iamlint, as (line, column, text), when its parser
    #: found them (CloudFormation YAML); None: the engine looks for them (HCL) or there are none
    comments: list[tuple[int, int, str]] | None = None
    #: files besides its own that the extraction read or looked for (a Terraform module's
    #: ``file()`` targets), so that a cached result can be checked against them
    reads: tuple[str, ...] = ()


def duplicate_keys(path: str, node: Any, limit: int = 100) -> list[Finding]:
    """IAM902 findings for every duplicated key in a positional tree (breadth bounded)."""
    from ..parse.nodes import PDict

    out: list[Finding] = []
    stack = [node]
    while stack and len(out) < limit:
        n = stack.pop()
        if isinstance(n, dict):
            if isinstance(n, PDict):
                for key, first, second in n.dups:
                    if second:
                        where = f" (first at line {first[0]})" if first else ""
                        related = ((Span(path, *first[:4]), f"the first {str(key)!r}"),) if first else ()
                        out.append(
                            diagnostic(
                                DUPLICATE_KEY,
                                f"duplicate key {str(key)!r}{where}; the last value is used",
                                Span(path, second[0], second[1], second[2], second[3]),
                                value=f"duplicate:{key}",  # not the line of the first one
                                related=related,
                            )
                        )
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return sorted(out, key=lambda f: (f.span.line, f.span.column))
