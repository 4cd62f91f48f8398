"""IAM903 internal-error."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import INTERNAL_ERROR


class InternalError(DiagnosticRule):
    """Reports a file iamlint could not finish because of a bug in iamlint or a plugin.

    ## What it does
    When an extractor or a rule fails unexpectedly on a file, iamlint reports it here
    instead of printing a traceback, names the failing rule, and goes on with the other
    rules and files. The run exits with code 2. Set `IAMLINT_DEBUG=1` to get the traceback
    for a bug report.

    ## Why is this bad?
    Part of the file went unchecked, so a clean result for it would be misleading.

    ## Example
    ```json hl_lines="1"
    {"Version": "2012-10-17", "Statement": []}
    ```
    (This diagnostic has no input that triggers it by design: any such input is a bug.)

    ## Use instead
    ```json
    {"Version": "2012-10-17", "Statement": []}
    ```
    """

    code, name, severity = INTERNAL_ERROR
