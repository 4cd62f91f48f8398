"""IAM402 public-principal."""

from __future__ import annotations

from typing import Iterable

from iamlint.model import DocKind, Finding, PolicyDocument, Severity, Statement, Str
from iamlint.registry import Context, StatementRule
from iamlint.rulekit import account_of, narrows

#: condition keys that tie a request to specific callers, sources or networks
NARROWING_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
    "lambda:functionurlauthtype",
    "s3:dataaccesspointaccount",
    "cognito-identity.amazonaws.com:aud",
}


class PublicPrincipal(StatementRule):
    """Checks for Allow statements open to any principal, without a condition that narrows them.

    ## What it does
    Flags `"Principal": "*"`, `{"AWS": "*"}` and principals whose account is a wildcard
    (`arn:aws:iam::*:root`) in an `Allow` statement of a resource or trust policy, unless a
    condition restricts the callers: a positive operator (`StringEquals`, `StringLike`,
    `ArnEquals`, `ArnLike`, `IpAddress`, ...) on `aws:SourceArn`, `aws:SourceAccount`,
    `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp`, `aws:PrincipalOrgID`,
    `aws:PrincipalAccount`, `aws:PrincipalArn` and similar keys. Negated operators,
    `...IfExists` operators and wildcard values do not narrow. VPC endpoint policies are not
    checked: their `"*"` principal is already limited to callers inside the network.

    ## Why is this bad?
    A public principal grants the actions to anyone with an AWS account, or to anonymous
    callers: public buckets, queues anyone can read, keys anyone can use, roles anyone can
    assume. Most data leaks from AWS start with one such statement.

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": "*",
          "Action": "sqs:SendMessage",
          "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders"
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
          "Principal": {"Service": "sns.amazonaws.com"},
          "Action": "sqs:SendMessage",
          "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders",
          "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:order-events"}}
        }
      ]
    }
    ```
    """

    code = "IAM402"
    name = "public-principal"
    severity = Severity.ERROR

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or stmt.principal is None or doc.kind is DocKind.ENDPOINT:
            return
        if stmt.condition_unresolved or any(narrows(c, NARROWING_KEYS) for c in stmt.condition):
            return
        for entry in stmt.principal.entries:
            v = entry.value
            if not isinstance(v, Str) or entry.kind.lower() not in ("*", "aws"):
                continue
            if v.value == "*" or account_of(v.value) == "*":
                yield self.finding(
                    v.span,
                    f'Allow statement is open to any principal ("{v.value}") without a condition '
                    "that narrows the callers",
                    owner=doc.origin.label,
                    value=v.value,
                )
