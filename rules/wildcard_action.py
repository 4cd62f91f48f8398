"""IAM101 wildcard-action."""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamlint.api import (
    KMS_DEFAULT_KEY_POLICY_WILDCARDS,
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    catalogue,
    condition_phrase,
    confining_conditions,
    enables_iam_policies,
    expand,
    granted_under,
    is_key_policy,
    plural,
    replace_fix,
    sensitive,
    shorten,
)

_SERVICE_WILDCARD = re.compile(r"^[a-z0-9-]+:\*$", re.IGNORECASE)
#: AWS's reference classifies a few of these as Write or Permissions management
#: (backup:ListIndexedRecoveryPointsForSearch); for wildcards, iamlint trusts the verb
_READ_VERB = re.compile(r"^(Get|List|Describe|BatchGet|Search|View)[A-Z]")
#: kinds of policy whose Allow grants nothing by itself (see the docstring)
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION, DocKind.ENDPOINT, DocKind.BOUNDARY)
_KEY_POLICY_WILDCARDS = {w.lower() for w in KMS_DEFAULT_KEY_POLICY_WILDCARDS}


class WildcardAction(StatementRule):
    """Checks for Allow statements that grant every action, or every action of a service.

    ## What it does
    Flags, in an `Allow` statement's `Action`:
    - `"*"` and `"service:*"` (such as `"s3:*"`), as errors;
    - partial wildcards (`"s3:Put*"`, `"iam:*Policy"`) that match at least one Write or
      Permissions-management action of iamlint's AWS action catalogue, as warnings; the
      message says how many actions the pattern matches and names the sensitive ones, or,
      when it matches exactly one action (`"kms:Encrypt*"`), names it to write instead.
      A wildcard that matches only List and Read actions (`"ec2:Describe*"`,
      `"s3:Get*Tagging"`) is not flagged: it is the least-privilege way to grant reading.

    For wildcards, actions named with a read verb (`Get`, `List`, `Describe`, `BatchGet`,
    `Search`, `View`) count as reading even where AWS's reference gives them another level
    (`backup:ListIndexedRecoveryPointsForSearch` is listed as Permissions management), so
    `backup:List*` is not flagged.

    Service control policies, resource control policies, session policies, VPC endpoint
    policies and permissions boundaries are not checked: they grant nothing by themselves. An
    SCP that allows `"*"` is the AWS default `FullAWSAccess`, an RCP that allows `"*"` the
    default `RCPFullAWSAccess`; a session policy only narrows what the role's own policies
    grant, an endpoint policy only filters what identity and resource policies grant, and a
    permissions boundary only caps what the identity policies of the principals it is set on
    grant (IAM User Guide, "Permissions boundaries for IAM entities"). The same document
    attached as an identity policy is checked.

    Nor are the statements of AWS's default key policy inside a KMS key policy (AWS KMS
    Developer Guide, "Default key policy"): `kms:*` allowed to this account's root (`"Sid":
    "Enable IAM User Permissions"`), which lets the account's IAM policies grant access to
    the key and keeps the key manageable, and the partial wildcards of the key-administrator
    and key-user statements (`kms:Create*`, `kms:Describe*`, `kms:Enable*`, `kms:List*`,
    `kms:Put*`, `kms:Update*`, `kms:Revoke*`, `kms:Disable*`, `kms:Get*`, `kms:Delete*`,
    `kms:ReEncrypt*`, `kms:GenerateDataKey*`), which in a key policy reach that one key.
    "This account" is the account the template or configuration deploys to
    (`${AWS::AccountId}`, `data.aws_caller_identity`); a raw JSON policy or a Terraform plan
    spells it as a literal id, which iamlint cannot tell from another account's, so `kms:*`
    to a literal root is still reported there. A raw JSON file that is a template
    (`arn:aws:iam::${account_number}:root`, filled by Terraform's `templatefile()`) leaves the
    account to whoever renders it: such a placeholder account counts as this account, as it
    does when iamlint reads the file through the `templatefile()` call that fills it.

    A condition on a service's own key that a request without the key fails (`StringEquals`,
    `StringLike`, `ArnEquals`, `Bool`, ..., not a negated operator, not `...IfExists`, not
    `ForAllValues`, not `Null`) confines the statement to the actions whose requests carry
    that key: for every other action the key is absent, the condition is false and nothing is
    granted (IAM User Guide, "Condition operators"). IAM101 then counts only the actions the
    catalogue lists the key for (an action whose keys the catalogue does not list counts as
    granted), says so ("grants 98 of 138 actions of partnercentral ("partnercentral:*"), only
    where partnercentral:Catalog is Sandbox"), and is a warning; when no action carries the
    key, the statement grants nothing and IAM203/IAM204 say why. Global keys (`aws:...`) are
    in every request and confine nothing this way.

    A pattern that matches no known action is IAM501's business.

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

    ## Fix
    Safe, sometimes: a partial wildcard that matches exactly one action today becomes that
    action (`"kms:Encrypt*"` becomes `"kms:Encrypt"`), so that it grants no action AWS adds
    later. `iamlint --fix` applies it (docs/fixes.md).

    ## Other tools
    Where iamlint's verdict differs: checkov's CKV_AWS_62 and CKV_AWS_63 pass their
    `*.pass.json` CloudFormation fixtures, which allow `s3:PutObject*`; those checks look
    for `"*"` only, while iamlint warns on a wildcard that matches write actions.
    """

    code = "IAM101"
    name = "wildcard-action"
    severity = Severity.ERROR
    security_severity = "9.3"
    precision = "very-high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or not stmt.action or doc.kind in LIMITS_ONLY:
            return
        key_policy = is_key_policy(doc)
        if key_policy and enables_iam_policies(stmt):
            return  # AWS's default key-policy statement (see the docstring)
        confining = confining_conditions(stmt)
        only = f", only where {' and '.join(condition_phrase(c) for c in confining)}" if confining else ""
        for v in stmt.action:
            if not isinstance(v, Str) or (key_policy and v.value.lower() in _KEY_POLICY_WILDCARDS):
                continue
            if v.value == "*" and not confining:
                yield self.report(
                    v.span,
                    'Allow statement grants every action ("*")',
                    owner=doc,
                    value=v.value,
                )
            elif v.value == "*" or _SERVICE_WILDCARD.match(v.value):
                every = expand(v.value)
                count = len(every)
                if confining:  # only the actions whose requests carry the condition's key
                    granted = granted_under(every, confining)
                    if not granted:
                        continue  # the Allow grants nothing: IAM204's business
                    services = sorted({a.split(":", 1)[0].lower() for a in granted})
                    of = services[0] if len(services) == 1 else plural(len(services), "service")
                    what = (
                        f"{plural(len(granted), 'action')} of {of}"
                        if v.value == "*"
                        else f"{len(granted):,} of {plural(count, 'action')} of {of}"
                    )
                    yield self.report(
                        v.span,
                        f'Allow statement grants {what} ("{v.value}"){only}',
                        owner=doc,
                        value=v.value,
                        severity=Severity.WARNING,
                    )
                    continue
                service = v.value.split(":", 1)[0]
                detail = f" ({plural(count, 'action')})" if count else ""
                yield self.report(
                    v.span,
                    f'Allow statement grants every action of {service} ("{v.value}"){detail}',
                    owner=doc,
                    value=v.value,
                )
            elif ("*" in v.value or "?" in v.value) and catalogue() is not None:
                every = expand(v.value)
                matched = granted_under(every, confining)
                narrowed = only if len(matched) < len(every) else ""
                risky = [a for a in sensitive(matched) if not _READ_VERB.match(a.split(":", 1)[1])]
                if risky:
                    fix = None
                    if len(matched) == 1:  # today it is exactly that action: name it
                        fix = replace_fix(
                            v,
                            matched[0],
                            f'Replace "{v.value}" with "{matched[0]}", the one action it matches',
                            safe=True,
                            within=stmt.element_spans.get("Action"),
                        )
                    yield self.report(
                        v.span,
                        (
                            f'"{v.value}" matches one action, write {matched[0]}'
                            if len(matched) == 1
                            else f'"{v.value}" matches {plural(len(matched), "action")}, '
                            f"{len(risky):,} of them write or permissions management: {shorten(risky)}"
                        )
                        + narrowed,
                        owner=doc,
                        value=v.value,
                        severity=Severity.WARNING,
                        fix=fix,
                    )
