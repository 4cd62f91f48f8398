"""IAM105 not-principal."""

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
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION)


class NotPrincipal(StatementRule):
    """Checks for Allow statements that use `NotPrincipal`.

    ## What it does
    Flags `NotPrincipal` in an `Allow` statement of a resource or trust policy. `Deny`
    with `NotPrincipal` is a guard and is not flagged.
    Service control, resource control and session policies are not checked: their
    `Allow` grants nothing by itself, it only sets the most that other policies may
    grant (none of them may have `NotPrincipal` at all: IAM502 reports it).

    ## Why is this bad?
    `Allow` with `NotPrincipal` grants access to every principal except the listed ones:
    anyone on the internet, every account and every anonymous caller. AWS advises against
    it.

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:user/mallory"},
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::reports/*"
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
          "Principal": {"AWS": "arn:aws:iam::123456789012:role/reporting"},
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code = "IAM105"
    name = "not-principal"
    severity = Severity.ERROR
    security_severity = "9.3"
    precision = "very-high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.kind in LIMITS_ONLY:
            return ()
        return allow_with_not_element(self, stmt, doc, "NotPrincipal", "every principal except")
