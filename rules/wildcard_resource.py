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
    as_broad_as_star,
    catalogue,
    confining_conditions,
    effectively_star,
    expand,
    granted_under,
    literal_actions,
    scoped_by_condition,
    shorten,
    types_spanned,
)

#: kinds of policy whose Allow grants nothing by itself (see the docstring)
LIMITS_ONLY = (DocKind.SCP, DocKind.RCP, DocKind.SESSION, DocKind.ENDPOINT, DocKind.BOUNDARY)


class WildcardResource(StatementRule):
    """Checks for Allow statements whose Resource is `"*"` where the actions could be scoped.

    ## What it does
    Flags `"Resource": "*"` in an `Allow` statement when at least one of the statement's
    actions acts on a resource of a type the Service Authorization Reference requires for it
    (or on one of several types), according to iamlint's AWS action catalogue; the message
    names those actions. Actions that accept only `"*"` (`s3:ListAllMyBuckets`,
    `ec2:DescribeInstances`, `xray:PutTraceSegments`) leave no choice and are never flagged,
    nor are actions whose only resource type is optional (`rekognition:DetectModerationLabels`
    and `comprehend:DetectEntities` work without a custom model) or whose resource types are
    all singletons, one per account and Region (CloudWatch's `dataset` of
    `cloudwatch:GetMetricData`, `PutMetricData` and `ListMetrics`): for them `"*"` is no
    broader than their ARN. Nor is a statement whose actions iamlint cannot resolve.
    A partial wildcard counts when most of the actions it matches act on required resources
    (`s3:Put*`), not when most are usable on `"*"` (`ec2:Describe*`, `ce:Get*`); `"*"` and
    `"service:*"` always count.
    Policies attached to one resource are not checked: in a KMS key policy `"*"` means "this
    key", and likewise for Secrets Manager secrets, ECR repositories, EFS file systems,
    backup vaults and CodeArtifact domains. Nor are service control and resource control
    policies, whose `Resource` is conventionally `"*"` and which grant nothing (their Allow
    is the default `FullAWSAccess` or `RCPFullAWSAccess`), nor session policies, VPC
    endpoint policies and permissions boundaries, which only narrow, filter or cap what other
    policies grant. `NotAction` with `"*"` is IAM103's
    business. ARNs whose region, account and resource id are all wildcards
    (`arn:*:cloudtrail:*:*:trail/*`, `arn:aws:s3:::*`) count too. The message says such an
    ARN is "as broad as `*`" only for the actions it names every resource of, of every
    resource type they take (`arn:aws:logs:*:*:*` for `logs:PutLogEvents`); otherwise it
    names the types it spans: `arn:aws:s3:::*` names every bucket and object, but not the
    objects reached through access points, which `s3:GetObject` also takes.
    A statement scoped by a condition instead of an ARN is not flagged: tags of the resource
    or the request (`aws:ResourceTag/...`, `ec2:ResourceTag/...`, `aws:RequestTag/...`,
    `aws:TagKeys`), the resource's account or organization (`aws:ResourceAccount`,
    `aws:ResourceOrgID`), the calling service (`aws:CalledVia`, `kms:ViaService`,
    `iam:PassedToService`) or the create call a tagging action belongs to
    (`ec2:CreateAction`, `sagemaker:TaggingAction`); this tag-based access control with `"*"`
    is the pattern AWS recommends. Other service keys (`rds:DatabaseEngine`,
    `ec2:InstanceProfile`) describe the request rather than the resources it may touch and do
    not count, nor do negated operators, `...IfExists` operators and request-wide keys
    (`aws:SecureTransport`, `aws:RequestedRegion`). Such a service key still confines the
    statement to the actions whose requests carry it (as for IAM101): only those are weighed.

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
        what = (
            'every resource ("Resource": "*")' if star.value == "*" else self._breadth(star, scopable or [])
        )
        yield self.report(
            star.span,
            f"Allow statement applies to {what}{detail}",
            owner=doc,
            value=f"Resource:{star.value}@{statement_identity(stmt)}",
        )

    @staticmethod
    def _breadth(value: Str, scopable: list[str]) -> str:
        """What an ARN with wildcards for its Region, account and resource spans: "as broad
        as *" for the actions it names every resource of (`as_broad_as_star`), else the
        resource types it names every one of."""
        arn = value.canonical()
        cat = catalogue()
        if cat is None:
            return f'every resource its wildcards span ("{value.value}")'
        covered: list[str] = []
        types: set[str] = set()
        for name in scopable:
            if name == "*":
                continue
            actions = (
                [a for a in expand(name) if not cat.usable_on_star(a)]
                if "*" in name or "?" in name
                else [name]
            )
            if actions and all(as_broad_as_star(a, arn) for a in actions):
                covered.append(name)
            types.update(t for a in actions for t in types_spanned(a, arn))
        if covered:
            return f'every resource ("{value.value}" is as broad as "*" for {shorten(covered)})'
        if types:
            return f'every {shorten(sorted(types, key=str.lower))} ("{value.value}")'
        return f'every resource its wildcards span ("{value.value}")'

    @staticmethod
    def _scopable(stmt: Statement) -> list[str] | None:
        """The statement's actions that act on resources of a type they require.

        None means "no finding": every action accepts only "*", or is as well granted on
        "*" as on its resources (`Catalogue.usable_on_star`: its resource types are all
        optional, or all singletons). Without the catalogue every
        literal action counts as scopable (the literal rule of the first releases).
        """
        cat = catalogue()
        names = [v.value for v in literal_actions(stmt)]
        if cat is None:
            return names or None
        confining = confining_conditions(stmt)  # only the actions that carry their keys count
        out: list[str] = []
        for name in names:
            if name == "*":
                out.append(name)
                continue
            if name.endswith(":*"):
                service = cat.service(name.split(":", 1)[0])
                granted = granted_under(expand(name), confining)
                if service is not None and any(not cat.usable_on_star(n) for n in granted):
                    out.append(name)  # an unknown service is IAM501's business, not a claim here
                continue
            matched = [cat.action(a) for a in granted_under(expand(name), confining)]
            scoped = [a for a in matched if a is not None and not cat.usable_on_star(a.name)]
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
