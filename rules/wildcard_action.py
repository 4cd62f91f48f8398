"""IAM101 wildcard-action."""

from __future__ import annotations

import re
from typing import Iterable

from iamlint.model import DocKind, Finding, PolicyDocument, Severity, Statement, Str
from iamlint.registry import Context, StatementRule

_SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$", re.IGNORECASE)


class WildcardAction(StatementRule):
    """Checks for Allow statements that grant every action, or every action of a service.

    ## What it does
    Flags an `Action` of `"*"` or `"service:*"` (such as `"s3:*"`) in an `Allow` statement.
    Service control policies are not checked: an SCP that allows `"*"` is the AWS default
    `FullAWSAccess` and grants nothing by itself.

    ## Why is this bad?
    A wildcard action grants every present and future action: `"s3:*"` includes deleting
    buckets and rewriting their policies, `"*"` includes creating IAM users with
    administrator rights. Least privilege means listing the actions the workload calls.

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:*",
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
          "Action": ["s3:GetObject", "s3:PutObject"],
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code = "IAM101"
    name = "wildcard-action"
    severity = Severity.ERROR

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or not stmt.action or doc.kind is DocKind.SCP:
            return
        for v in stmt.action:
            if not isinstance(v, Str):
                continue
            if v.value == "*":
                yield self.finding(
                    v.span,
                    'Allow statement grants every action ("*")',
                    owner=doc.origin.label,
                    value=v.value,
                )
            elif _SERVICE_WILDCARD.match(v.value):
                service = v.value.split(":", 1)[0]
                yield self.finding(
                    v.span,
                    f'Allow statement grants every action of {service} ("{v.value}")',
                    owner=doc.origin.label,
                    value=v.value,
                )
