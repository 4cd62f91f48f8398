"""iamlint's own diagnostics (IAM9xx): findings about the input and the tool, not the policies.

This module is the one place that knows their codes, names and default severities, which of
them are input errors, and how to make one. Every parser, extractor, the engine and the
suppression handling report through `diagnostic` (or its shorthands), and the documentation
classes in ``rules/`` take their code, name and severity from here.

Input errors (IAM900 parse-error, IAM903 internal-error, IAM904 invalid-suppression) mean a
file was not fully checked: they are always enabled, can never be suppressed or baselined,
and make the exit code 2.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import Finding, Severity, Span


class Diagnostic(NamedTuple):
    code: str
    name: str
    severity: Severity


PARSE_ERROR = Diagnostic("IAM900", "parse-error", Severity.ERROR)
UNUSED_SUPPRESSION = Diagnostic("IAM901", "unused-suppression", Severity.WARNING)
DUPLICATE_KEY = Diagnostic("IAM902", "duplicate-key", Severity.WARNING)
INTERNAL_ERROR = Diagnostic("IAM903", "internal-error", Severity.ERROR)
INVALID_SUPPRESSION = Diagnostic("IAM904", "invalid-suppression", Severity.ERROR)
MISSING_FILE = Diagnostic("IAM905", "missing-file", Severity.WARNING)
UNRESOLVED_POLICY = Diagnostic("IAM906", "unresolved-policy", Severity.INFO)
UNKNOWN_TAG = Diagnostic("IAM907", "unknown-tag", Severity.WARNING)
DUPLICATE_ADDRESS = Diagnostic("IAM908", "duplicate-address", Severity.WARNING)
IGNORED_PARAMETER = Diagnostic("IAM909", "ignored-parameter", Severity.WARNING)

ALL = (
    PARSE_ERROR,
    UNUSED_SUPPRESSION,
    DUPLICATE_KEY,
    INTERNAL_ERROR,
    INVALID_SUPPRESSION,
    MISSING_FILE,
    UNRESOLVED_POLICY,
    UNKNOWN_TAG,
    DUPLICATE_ADDRESS,
    IGNORED_PARAMETER,
)
BY_CODE = {d.code: d for d in ALL}

#: a file was not fully checked: always on, never suppressed or baselined, exit code 2
INPUT_ERRORS = frozenset({PARSE_ERROR.code, INTERNAL_ERROR.code, INVALID_SUPPRESSION.code})


def is_input_error(finding: Finding) -> bool:
    return finding.code in INPUT_ERRORS


def diagnostic(
    kind: Diagnostic | str,
    message: str,
    span: Span,
    severity: Severity | None = None,
    value: str = "",
    related: tuple[tuple[Span, str], ...] = (),
) -> Finding:
    """A finding of one of iamlint's own diagnostics (by `Diagnostic` or by code).

    ``value`` names what it is about for its fingerprint (see `Rule.report`); by default the
    message does, so a message that names another line must give one (and should give that
    place in ``related``).
    """
    d = kind if isinstance(kind, Diagnostic) else BY_CODE[kind]
    return Finding(
        code=d.code,
        name=d.name,
        severity=severity or d.severity,
        message=message,
        span=span,
        value=value,
        related=related,
    )


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """IAM900 at one character of a file."""
    return diagnostic(PARSE_ERROR, message, Span(path, line, column, line, column + 1))


def internal_error(span: Span, message: str) -> Finding:
    """IAM903: a bug in iamlint or a plugin, reported instead of a traceback."""
    return diagnostic(INTERNAL_ERROR, f"{message} (a bug in iamlint or a plugin; please report it)", span)
