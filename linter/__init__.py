"""iamlint: a fast, offline, static linter for AWS IAM policy documents in infrastructure-as-code.

The public API for rule authors: the model (`iamlint.model`) and the rule base classes.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .model import (  # noqa: E402
    Condition,
    DocKind,
    Finding,
    IAMPrincipal,
    Origin,
    PolicyDocument,
    Principal,
    PrincipalEntry,
    Severity,
    Span,
    Statement,
    Str,
    Unknown,
)
from .registry import Context, DocumentRule, PrincipalRule, Rule, StatementRule  # noqa: E402

__all__ = [
    "__version__",
    "Condition",
    "Context",
    "DocKind",
    "DocumentRule",
    "Finding",
    "IAMPrincipal",
    "Origin",
    "PolicyDocument",
    "Principal",
    "PrincipalEntry",
    "PrincipalRule",
    "Rule",
    "Severity",
    "Span",
    "Statement",
    "StatementRule",
    "Str",
    "Unknown",
]
