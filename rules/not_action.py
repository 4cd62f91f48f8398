"""IAM103 not-action."""

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


class NotAction(StatementRule):
    """Checks for Allow statements that use `NotAction`.

    ## What it does
    Flags `NotAction` in an `Allow` statement. A `Deny` with `NotAction` (the
    deny-unless-MFA and region-lock guards) is the recommended pattern and is not flagged.
    Service control, resource control and session policies and permissions boundaries are
    not checked: their `Allow` grants nothing by itself, it only sets the most that other
    policies may grant (an `Allow` with `NotAction` in an SCP or a boundary is a way to keep the
    listed actions out of that ceiling).

    ## Why is this bad?
    `Allow` with `NotAction` grants every action except the listed ones, including every
    action AWS adds in the future. `"NotAction": "iam:*"` still allows deleting every bucket
    and database in the account. It is almost never what the author meant.

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "NotAction": "iam:*",
          "Resource": "arn:aws:ec2:eu-west-1:123456789012:instance/*"
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
          "Action": ["ec2:StartInstances", "ec2:StopInstances"],
          "Resource": "arn:aws:ec2:eu-west-1:123456789012:instance/*"
        }
      ]
    }
    ```
    """

    code = "IAM103"
    name = "not-action"
    severity = Severity.ERROR
    security_severity = "8.1"
    precision = "very-high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.kind in LIMITS_ONLY:
            return ()
        return allow_with_not_element(self, stmt, doc, "NotAction", "every action except")
