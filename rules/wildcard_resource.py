"""IAM102 wildcard-resource."""

from __future__ import annotations

from typing import Iterable

from iamlint.model import DocKind, Finding, PolicyDocument, Severity, Statement, Str
from iamlint.registry import Context, StatementRule


class WildcardResource(StatementRule):
    """Checks for Allow statements whose Resource is `"*"`.

    ## What it does
    Flags `"Resource": "*"` in an `Allow` statement. Service control policies are not
    checked, since their `Resource` is conventionally `"*"`.

    ## Why is this bad?
    `"*"` applies the statement's actions to every resource in the account, present and
    future: every bucket, every table, every key. Scoping the resource to the ARNs the
    workload needs limits the damage of a leaked credential or a confused deputy.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "dynamodb:GetItem",
          "Resource": "*"
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
          "Action": "dynamodb:GetItem",
          "Resource": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
        }
      ]
    }
    ```
    """

    code = "IAM102"
    name = "wildcard-resource"
    severity = Severity.WARNING

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or not stmt.resource or doc.kind is DocKind.SCP:
            return
        for v in stmt.resource:
            if isinstance(v, Str) and v.value == "*":
                yield self.finding(
                    v.span,
                    'Allow statement applies to every resource ("Resource": "*")',
                    owner=doc.origin.label,
                    value=v.value,
                )
