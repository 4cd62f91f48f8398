"""IAM402 public-principal."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Condition,
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    account_of,
    action_matches,
    literal_actions,
    narrows,
)

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


_NEGATED = {
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "arnnotequals",
    "arnnotlike",
    "notipaddress",
}


def _public_url(cond: Condition) -> bool:
    """``lambda:FunctionUrlAuthType`` ``NONE``: a function URL that anyone may call unsigned
    (the key narrows the callers to IAM-signed requests only when it is ``AWS_IAM``)."""
    return cond.key == "lambda:functionurlauthtype" and "none" in (v.lower() for v in cond.literal_values())


def _guarded(stmt: Statement, doc: PolicyDocument) -> bool:
    """Whether a Deny of the same document refuses every caller outside a narrowing condition.

    The pattern AWS documents for private APIs and data perimeters: Allow "*", then Deny
    "*" unless ``aws:SourceVpce`` (or ``aws:PrincipalOrgID``, ``aws:SourceIp``, ...) matches.
    The Deny must cover every action the Allow grants.
    """
    allowed = [v.value for v in literal_actions(stmt)]
    if not allowed or len(allowed) != len(stmt.action or ()):
        return False
    for d in doc.statements:
        if not d.is_deny or d.principal is None or not d.principal.is_wildcard or d.resource is None:
            continue
        if not any(
            c.base in _NEGATED and c.key in NARROWING_KEYS and not c.if_exists and c.values
            for c in d.condition
        ):
            continue
        denied = [v.value for v in literal_actions(d)]
        if all(any(action_matches(p, a) for p in denied) for a in allowed):
            return True
    return False


def _api_invoke_only(stmt: Statement) -> bool:
    """Whether the statement grants only ``execute-api:Invoke``: an API Gateway API's own
    resource policy calling it public (see the docstring)."""
    actions = literal_actions(stmt)
    return (
        bool(actions)
        and len(actions) == len(stmt.action or ())
        and all(a.value.lower() == "execute-api:invoke" for a in actions)
    )


#: kinds of policy whose Allow grants nothing by itself (see the docstring)
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION, DocKind.ENDPOINT)


class PublicPrincipal(StatementRule):
    """Checks for Allow statements open to any principal, without a condition that narrows them.

    ## What it does
    Flags `"Principal": "*"`, `{"AWS": "*"}` and principals whose account is a wildcard
    (`arn:aws:iam::*:root`) in an `Allow` statement of a resource or trust policy, unless a
    condition restricts the callers: a positive operator (`StringEquals`, `StringLike`,
    `ArnEquals`, `ArnLike`, `IpAddress`, ...) on `aws:SourceArn`, `aws:SourceAccount`,
    `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceIp`, `aws:PrincipalOrgID`,
    `aws:PrincipalAccount`, `aws:PrincipalArn` and similar keys. Negated operators,
    `...IfExists` operators and wildcard values do not narrow, nor does
    `lambda:FunctionUrlAuthType` `NONE`: that is a public function URL, which anyone may
    call unsigned (`AWS_IAM` narrows the callers to signed requests). A `Deny` of the same document
    that refuses the same actions to `"*"` unless such a key matches (`StringNotEquals`
    `aws:SourceVpce`: the pattern AWS documents for private APIs and data perimeters) narrows
    the `Allow` as well. VPC endpoint policies are not checked: their `"*"` principal is
    already limited to callers inside the network. Nor are resource control policies: their
    `Principal` is always `"*"` and their only `Allow` is the default `RCPFullAWSAccess`,
    which grants nothing; nor service control and session policies, which grant nothing
    either (a `Principal` in them is IAM502's business).

    A statement that grants only `execute-api:Invoke` (an API Gateway API's resource policy)
    is reported as information, not as an error: an API whose methods need no authorization
    is public with or without such a statement, and AWS's own examples of public APIs begin
    with it; whether anyone may call the API is decided by its methods' authorization (IAM,
    a Cognito or Lambda authorizer) or by a narrowing condition (`aws:SourceVpce`,
    `aws:SourceIp`). A date window (`aws:CurrentTime`) narrows when, not who.

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

    ## Other tools
    Where iamlint's verdict differs: Parliament's `test_principals` fixtures
    (`test_policy_with_principal_1.json`, `test_bad_principals_1.json`) are clean there only
    because Parliament has no public-principal check; iamlint reports their `"*"` principal.
    """

    code = "IAM402"
    name = "public-principal"
    severity = Severity.ERROR
    security_severity = "9.3"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or stmt.principal is None or doc.kind in LIMITS_ONLY:
            return
        if stmt.condition_unresolved or any(
            narrows(c, NARROWING_KEYS) and not _public_url(c) for c in stmt.condition
        ):
            return
        url = any(_public_url(c) for c in stmt.condition)
        if _guarded(stmt, doc):
            return
        api = _api_invoke_only(stmt)
        for entry in stmt.principal.entries:
            v = entry.value
            if not isinstance(v, Str) or entry.kind.lower() not in ("*", "aws"):
                continue
            if api and (v.value == "*" or account_of(v) == "*"):
                yield self.report(
                    v.span,
                    f'API resource policy lets any principal ("{v.value}") invoke the API: it is public '
                    "unless its methods require authorization (AWS_IAM, a Cognito or Lambda authorizer) "
                    "or a condition such as aws:SourceVpce or aws:SourceIp narrows the callers",
                    owner=doc,
                    value=v.value,
                    severity=Severity.INFO,
                )
            elif v.value == "*" or account_of(v) == "*":
                yield self.report(
                    v.span,
                    f'Allow statement is open to any principal ("{v.value}") without a condition '
                    "that narrows the callers"
                    + (
                        ": a public function URL (FunctionUrlAuthType NONE), anyone may invoke it"
                        if url
                        else ""
                    ),
                    owner=doc,
                    value=v.value,
                )
