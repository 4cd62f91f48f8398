"""IAM104 not-resource."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    allow_with_not_element,
)

#: kinds of policy whose Allow grants nothing by itself (see the docstring)
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION, DocKind.BOUNDARY)


class NotResource(StatementRule):
    """Checks for Allow statements that use `NotResource`.

    ## What it does
    Flags `NotResource` in an `Allow` statement. A `Deny` with `NotResource` (deny
    everything outside a set of resources) is a guard and is not flagged.
    Service control, resource control and session policies and permissions boundaries are
    not checked: their `Allow` grants nothing by itself, it only sets the most that other
    policies may grant (an `Allow` with `NotResource` in an SCP or a boundary is a way to keep the
    listed resources out of that ceiling).

    ## Why is this bad?
    `Allow` with `NotResource` grants the actions on every resource except the listed ones,
    including every resource created later, in every account the policy reaches.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "NotResource": "arn:aws:s3:::payroll/*"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code = "IAM104"
    name = "not-resource"
    severity = Severity.WARNING
    security_severity = "5.3"
    precision = "very-high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.kind in LIMITS_ONLY:
            return ()
        return allow_with_not_element(self, stmt, doc, "NotResource", "every resource except")
