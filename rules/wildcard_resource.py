"""IAM102 wildcard-resource."""

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
    Str,
    catalogue,
    effectively_star,
    expand,
    literal_actions,
    scoped_by_condition,
    shorten,
)

#: kinds of policy whose Allow grants nothing by itself (see the docstring)
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION, DocKind.ENDPOINT)


class WildcardResource(StatementRule):
    """Checks for Allow statements whose Resource is `"*"` where the actions could be scoped.

    ## What it does
    Flags `"Resource": "*"` in an `Allow` statement when at least one of the statement's
    actions supports resource-level permissions, according to iamlint's AWS action
    catalogue; the message names those actions. Actions that accept only `"*"`
    (`s3:ListAllMyBuckets`, `ec2:DescribeInstances`, `xray:PutTraceSegments`) leave no
    choice and are never flagged, nor is a statement whose actions iamlint cannot resolve.
    A partial wildcard counts when most of the actions it matches support resource-level
    permissions (`s3:Put*`: 37 of 40), not when most accept only `"*"` (`ec2:Describe*`:
    177 of 194); `"*"` and `"service:*"` always count.
    Policies attached to one resource are not checked: in a KMS key policy `"*"` means "this
    key", and likewise for Secrets Manager secrets, ECR repositories, EFS file systems,
    backup vaults and CodeArtifact domains. Nor are service control and resource control
    policies, whose `Resource` is conventionally `"*"` and which grant nothing (their Allow
    is the default `FullAWSAccess` or `RCPFullAWSAccess`), nor session policies and VPC
    endpoint policies, which only narrow or filter what other policies grant. `NotAction` with `"*"` is IAM103's
    business. ARNs whose region, account and resource id are all wildcards
    (`arn:*:cloudtrail:*:*:trail/*`, `arn:aws:s3:::*`) are as broad as `"*"` and count too.
    A statement scoped by a condition instead of an ARN is not flagged: tags of the resource
    or the request (`aws:ResourceTag/...`, `ec2:ResourceTag/...`, `aws:RequestTag/...`,
    `aws:TagKeys`), the resource's account or organization (`aws:ResourceAccount`,
    `aws:ResourceOrgID`), the calling service (`aws:CalledVia`, `kms:ViaService`,
    `iam:PassedToService`) or the create call a tagging action belongs to
    (`ec2:CreateAction`, `sagemaker:TaggingAction`); this tag-based access control with `"*"`
    is the pattern AWS recommends. Other service keys (`rds:DatabaseEngine`,
    `ec2:InstanceProfile`) describe the request rather than the resources it may touch and do
    not count, nor do negated operators, `...IfExists` operators and request-wide keys
    (`aws:SecureTransport`, `aws:RequestedRegion`).

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

    ## Other tools
    Where iamlint's verdict differs: checkov's CKV_AWS_355 flags `ec2:Describe*` on `"*"`,
    which iamlint leaves alone (most of those actions accept only `"*"`); cfn_nag's W11
    fixture `embedded_ref.yml` is a violation only when its parameter is given `"*"`, and
    iamlint never guesses a parameter's value.
    """

    code = "IAM102"
    name = "wildcard-resource"
    severity = Severity.WARNING
    security_severity = "5.3"
    precision = "medium"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow or not stmt.resource or doc.kind in LIMITS_ONLY:
            return
        star = next(
            (v for v in stmt.resource if isinstance(v, Str) and effectively_star(v.canonical())), None
        )
        if star is None or stmt.action is None or doc.single_resource:
            return
        if scoped_by_condition(stmt) is not None or stmt.condition_unresolved:
            return
        scopable = self._scopable(stmt)
        if scopable is None:
            return
        if scopable:
            detail = f"; {shorten(scopable)} could be scoped to resource ARNs"
        else:
            detail = ""
        what = '"Resource": "*"' if star.value == "*" else f'"{star.value}" is as broad as "*"'
        yield self.report(
            star.span,
            f"Allow statement applies to every resource ({what}){detail}",
            owner=doc,
            value=f"Resource:{star.value}@{statement_identity(stmt)}",
        )

    @staticmethod
    def _scopable(stmt: Statement) -> list[str] | None:
        """The statement's actions that support resource-level permissions.

        None means "no finding": every action accepts only "*". Without the catalogue every
        literal action counts as scopable (the literal rule of the first releases).
        """
        cat = catalogue()
        names = [v.value for v in literal_actions(stmt)]
        if cat is None:
            return names or None
        out: list[str] = []
        for name in names:
            if name == "*":
                out.append(name)
                continue
            if name.endswith(":*"):
                service = cat.service(name.split(":", 1)[0])
                if service is not None and any(
                    (a := cat.action(n)) is not None and a.supports_resource_level for n in expand(name)
                ):
                    out.append(name)  # an unknown service is IAM501's business, not a claim here
                continue
            matched = [cat.action(a) for a in expand(name)]
            scoped = [a for a in matched if a is not None and a.supports_resource_level]
            if "*" not in name and "?" not in name:
                if scoped:
                    out.append(scoped[0].name)
            elif len(scoped) * 2 > len(matched):
                out.append(name)  # most of what the pattern grants could be scoped
        return sorted(set(out)) or None


def statement_identity(stmt: Statement) -> str:
    """The statement a finding is in, for its fingerprint: its Sid, else its position.

    Not its actions: narrowing `cloudwatch:*` to the one action needed is the fix a reviewer
    asks for, and must not bring a baselined finding back as new.
    """
    if isinstance(stmt.sid, Str) and stmt.sid.value:
        return f"Sid:{stmt.sid.value}"
    return f"#{stmt.index}"
