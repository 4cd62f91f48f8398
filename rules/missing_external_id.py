"""IAM202 missing-external-id."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    THIS_ACCOUNT,
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    account_input,
    account_of,
    allows_action,
    has_mfa_condition,
    narrows,
    trusted_accounts,
)

_GUARD_KEYS = {"sts:externalid", "aws:principalorgid"}


class MissingExternalId(StatementRule):
    """Checks for trust policies that let another account assume a role without an external id.

    ## What it does
    Flags a trust policy statement that allows `sts:AssumeRole` (also through `sts:*` or
    `*`) to an AWS principal of another account, given as an account id or an ARN in any
    partition, when the statement has none of these conditions: `sts:ExternalId` under
    `StringEquals` or `StringLike` (or their `ForAnyValue:` forms), `aws:PrincipalOrgID`, or
    an MFA condition (`Bool` `aws:MultiFactorAuthPresent` `true`, `NumericLessThan`
    `aws:MultiFactorAuthAge`). The own account (`${AWS::AccountId}` in CloudFormation,
    `data.aws_caller_identity` in Terraform) and the accounts listed in the
    `trusted-accounts` setting are not flagged, nor are services and federated principals.
    An external id given by a parameter or variable counts as present. `Principal: "*"` is
    public exposure and is reported by IAM402 instead.

    An account chosen at deploy time is another account: a CloudFormation parameter
    (`!Sub arn:aws:iam::${SourceAWSAcctId}:root`, `!Ref TrustedAccount`, a
    `CommaDelimitedList` split with `!Split` or joined with `!Join`) or an import
    (`!ImportValue`), a Terraform variable without a default, a module output or remote
    state; the message names it. A parameter with `AllowedValues`, or a Terraform variable
    whose `validation` lists its values (`contains(["111122223333"], var.account)`), is
    checked value by value, so one whose every allowed value is a trusted account is not
    flagged; a variable with a literal default is its default. A principal given by a
    resource of the template (`!GetAtt Role.Arn`) is not flagged.

    ## Why is this bad?
    A third party that assumes roles in its customers' accounts (a SaaS vendor, a CI
    service) can be tricked into using its own access against your account if it only knows
    your role ARN: the confused-deputy problem. A secret external id, which the vendor keeps
    per customer, closes it.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "sts:AssumeRole"
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
          "Principal": {
            "AWS": "arn:aws:iam::111122223333:root"
          },
          "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"sts:ExternalId": "b1f8c2e4-4c1a-4a8e-9d7e-2f6f0c3d9a51"}}
        }
      ]
    }
    ```
    """

    code = "IAM202"
    name = "missing-external-id"
    severity = Severity.WARNING
    security_severity = "6.5"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.kind is not DocKind.TRUST or stmt.principal is None:
            return
        if allows_action(stmt, "sts:AssumeRole") is None:
            return
        if has_mfa_condition(stmt) or any(narrows(c, _GUARD_KEYS) for c in stmt.condition):
            return
        if stmt.condition_unresolved:
            return  # never guess: the unresolved part may hold the external id
        trusted = trusted_accounts(ctx)
        for value in stmt.principal.of_kind("AWS"):
            if not isinstance(value, Str):
                given = account_input(value)
                if given is not None:
                    yield self.report(
                        value.span,
                        f"trust policy lets the account{'s' if given.many else ''} in {given} assume this "
                        "role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition",
                        owner=doc,
                        value=value.text,
                    )
                continue
            account = account_of(value)
            if account is None or account in ("*", THIS_ACCOUNT) or account in trusted:
                continue
            yield self.report(
                value.span,
                f"trust policy lets {_who(value.value, account)} assume this role without an "
                "sts:ExternalId, aws:PrincipalOrgID or MFA condition",
                owner=doc,
                value=value.value,
            )


def _who(text: str, account: str) -> str:
    """The trusted principal as the message names it: "account 111122223333" for an account or
    its root, "user/anton of account 111122223333" for one user or role of it."""
    resource = text.split(":", 5)[5] if text.startswith("arn:") and text.count(":") >= 5 else ""
    if resource and resource != "root" and "/" in resource:
        return f"{resource} of account {account}"
    return f"account {account}"
