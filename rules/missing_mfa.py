"""IAM201 missing-mfa."""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamlint.api import (
    Condition,
    Context,
    Finding,
    IAMPrincipal,
    ManagedPolicyRef,
    PolicyDocument,
    Rule,
    Severity,
    Statement,
    Str,
    account_input,
    catalogue,
    evaluator,
    expand,
    grants_on_every_resource,
    has_mfa_condition,
    is_this_account_root,
    literal_actions,
    narrows,
    principal_documents,
    replace_fix,
)


def grants_permissions_management(value: str) -> bool:
    """``*``, ``iam:*``, or a pattern that matches a Permissions-management action."""
    if value == "*" or value.lower() == "iam:*":
        return True
    cat = catalogue()
    if cat is None:
        return False
    return any(
        (a := cat.action(name)) is not None and a.access_level == "Permissions management"
        for name in expand(value)
    )


_PM: set[str] = set()
#: Permissions-management actions whose names only read (``iam:GetPolicy`` is Read, but a few
#: such as ``quicksight:DescribeDataSetPermissions`` are classed Permissions management)
_READS = re.compile(r"(Get|List|Describe|Search|BatchGet|View)[A-Z]")


def permissions_management_actions(value: str) -> list[str]:
    """The Permissions-management actions an Action pattern matches that change permissions
    (AWS's spelling), as IAM304 and `grants_on_every_resource` read them."""
    cat = catalogue()
    if cat is None:
        return []
    if not _PM:
        for svc in cat.services():
            _PM.update(
                n.lower()
                for n, lvl in cat.access_levels(svc).items()
                if lvl == "Permissions management" and not _READS.match(n.partition(":")[2])
            )
    return [n for n in expand(value) if n.lower() in _PM]


def effectively_allowed(principal: IAMPrincipal, ctx: Context, value: str) -> bool:
    """Whether the principal's effective permissions (its boundary, Denies and organization
    policies applied) still allow, perhaps under conditions, one of the Permissions-management
    actions ``value`` grants; True without a catalogue (nothing to expand)."""
    names = permissions_management_actions(value)
    if not names:
        return catalogue() is None or value == "*"
    eff = evaluator(ctx).effective(principal)
    return any(eff.decide(n, None).possible for n in names)


def privileged_aws_managed(ref: ManagedPolicyRef) -> bool:
    """An attached AWS managed policy that grants every action, or permissions management,
    on every resource (see `grants_on_every_resource`)."""
    doc = ref.document
    return doc is not None and doc.aws_managed is not None and grants_on_every_resource(doc).privileged


def trusts_named_principals(stmt: Statement) -> bool:
    """A trust to an account's root narrowed by ``aws:PrincipalArn`` to named principals
    (ARNs without wildcards): only those principals can assume the role, not the account."""
    if stmt.principal is None:
        return False
    aws = stmt.principal.of_kind("AWS")
    if not aws or len(aws) != len(stmt.principal.entries):
        return False
    if not all(is_this_account_root(v) or _literal_root(v) for v in aws):
        return False
    return any(
        narrows(c, {"aws:principalarn"})
        and not c.qualifier
        and (vals := c.literal_values())
        and len(vals) == len(c.values)
        and not any("*" in v or "?" in v for v in vals)
        for c in stmt.condition
    )


def _literal_root(v) -> bool:
    return isinstance(v, Str) and bool(re.fullmatch(r"\d{12}|arn:[a-z-]+:iam::\d{12}:root", v.value.strip()))


def is_mfa_guard(stmt: Statement) -> bool:
    """A deny-unless-MFA statement: Deny with (Bool|BoolIfExists) aws:MultiFactorAuthPresent false."""
    return stmt.is_deny and any(
        c.key == "aws:multifactorauthpresent"
        and c.base == "bool"
        and "false" in (v.lower() for v in c.literal_values())
        for c in stmt.condition
    )


def _bool_fix(stmt: Statement, cond: Condition):
    """``BoolIfExists`` becomes ``Bool``, when that operator tests MFA alone (another key under
    it would change meaning too) and the statement has no ``Bool`` already (two keys of one
    name in one map). Unsafe: requests without MFA information are then denied."""
    op = cond.operator
    if not op.value.lower().endswith("ifexists"):
        return None
    new = op.value[: -len("IfExists")]
    same = [c for c in stmt.condition if c.operator.span == op.span]
    if any(c.key != "aws:multifactorauthpresent" for c in same):
        return None
    if any(c.operator.value.lower() == new.lower() for c in stmt.condition):
        return None
    return replace_fix(op, new, f"Replace {op.value} with {new}", safe=False, within=stmt.span)


class MissingMfa(Rule):
    """Checks for privileged access that does not require MFA.

    ## What it does
    Flags three situations:
    - **(a)** an identity policy attached to an IAM user or group that allows a
      Permissions-management action (also through `*`, `iam:*` or a wildcard that matches
      one) in a statement without an MFA condition (`Bool` `aws:MultiFactorAuthPresent`
      `true`, or `NumericLessThan` `aws:MultiFactorAuthAge`), and every privileged AWS
      managed policy attached to them (once, at its ARN), unless the user (or one of its
      groups) carries a deny-unless-MFA guard: a `Deny` conditioned on
      `aws:MultiFactorAuthPresent` `false` under `Bool` or `BoolIfExists`;
    - **(b)** a role trust policy that lets AWS principals (accounts, users, roles) assume
      a privileged role (one with a privileged AWS managed policy, or any policy allowing
      `*` or Permissions-management actions) with neither an MFA condition nor
      `sts:ExternalId`. Roles assumed by services or through federation are never flagged.
      An account chosen at deploy time (a parameter, an import, a Terraform variable
      without a default; see IAM202) is one of those AWS principals; an account's root
      narrowed by a condition on `aws:PrincipalArn` to named principals (ARNs without
      wildcards) is not: only those principals can assume the role;
    - **(c)** the known bad patterns, wherever they appear: an `Allow` conditioned on
      `BoolIfExists` `aws:MultiFactorAuthPresent` `true` (requests signed with long-term
      access keys carry no MFA key, so `IfExists` lets them through), and an `Allow`
      conditioned on `aws:MultiFactorAuthPresent` `false` (it grants only to sessions
      without MFA).

    An AWS managed policy is privileged when its document (from iamlint's offline copy of
    every AWS managed policy) grants every action, or a Permissions-management action, on
    every resource without a condition: `AdministratorAccess`, `PowerUserAccess`,
    `IAMFullAccess`, but also `AmazonS3FullAccess` (`s3:PutBucketPolicy`) or
    `AWSOpsWorksRegisterCLI` (`iam:CreateUser`); read-only ones such as `ReadOnlyAccess`
    are not (IAM304 uses the same reading).

    Trivy's check AVD-AWS-0123 also reports a group that has no policy at all; a group
    without policies grants nothing, so iamlint does not.

    ## Why is this bad?
    A stolen password or access key is enough to use permissions that do not require MFA.
    With permissions management, that is enough to grant oneself anything.

    ## Example
    ```json hl_lines="8"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "ec2:TerminateInstances",
          "Resource": "arn:aws:ec2:eu-west-1:123456789012:instance/*",
          "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
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
          "Action": "ec2:TerminateInstances",
          "Resource": "arn:aws:ec2:eu-west-1:123456789012:instance/*",
          "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        }
      ]
    }
    ```

    ## Fix
    Unsafe, sometimes: `BoolIfExists` on `aws:MultiFactorAuthPresent` `true` in an Allow
    becomes `Bool`, when that operator tests nothing else and the statement has no `Bool`
    already. Requests signed with long-term access keys are then denied, which is the point
    but changes what the policy allows, so it needs `--unsafe-fixes` (docs/fixes.md).
    """

    code = "IAM201"
    name = "missing-mfa"
    severity = Severity.WARNING
    security_severity = "6.5"
    precision = "medium"
    scopes = ("statement", "principal")

    # -- (c) bad patterns, in any Allow statement --------------------------------------------
    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow:
            return
        for c in stmt.condition:
            if c.key != "aws:multifactorauthpresent" or c.base != "bool":
                continue
            values = {v.lower() for v in c.literal_values()}
            if c.if_exists and "true" in values:
                yield self.report(
                    c.operator.span,
                    f"{c.operator.value} aws:MultiFactorAuthPresent true also allows requests signed with "
                    "long-term access keys, which carry no MFA information; use Bool",
                    owner=doc,
                    value=f"ifexists:{c.operator.value}",
                    fix=_bool_fix(stmt, c),
                )
            elif "false" in values:
                yield self.report(
                    c.operator.span,
                    "Allow conditioned on aws:MultiFactorAuthPresent false grants only to sessions without MFA",
                    owner=doc,
                    value=f"false:{c.operator.value}",
                )

    # -- (a) users and groups, (b) privileged roles --------------------------------------------
    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        if principal.kind in ("user", "group"):
            yield from self._user_or_group(principal, ctx)
        elif principal.kind in ("role", "function-role"):
            yield from self._role(principal, ctx)

    def _user_or_group(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        holders = [principal]
        if principal.kind == "user":
            by_address = {p.address: p for p in ctx.principals}
            holders += [by_address[g] for g in principal.groups if g in by_address]
        if any(is_mfa_guard(s) for h in holders for d in principal_documents(h) for s in d.statements):
            return
        for doc in principal_documents(principal):
            if doc.aws_managed is not None:
                continue  # reported once, at its ARN, below
            for stmt in doc.statements:
                if not stmt.is_allow or has_mfa_condition(stmt):
                    continue
                hit = next(
                    (
                        v
                        for v in literal_actions(stmt)
                        if grants_permissions_management(v.value)
                        and effectively_allowed(principal, ctx, v.value)
                    ),
                    None,
                )
                if hit is not None:
                    yield self.report(
                        hit.span,
                        f"{principal.kind} {principal.address} is allowed permissions management "
                        f'("{hit.value}") without MFA',
                        owner=principal,
                        value=f"{principal.address}:{hit.value}",
                    )
        for ref in principal.managed:
            if privileged_aws_managed(ref) and not self._capped(principal, ctx, ref):
                yield self.report(
                    ref.value.span,
                    f"{principal.kind} {principal.address} has {ref.name} without an MFA requirement "
                    "(add a deny-unless-MFA guard)",
                    owner=principal,
                    value=f"{principal.address}:{ref.name}",
                )

    def _role(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        why = self._privileged(principal, ctx)
        if why is None or principal.trust is None:
            return
        for stmt in principal.trust.statements:
            if not stmt.is_allow or stmt.principal is None or has_mfa_condition(stmt):
                continue
            if any(narrows(c, {"sts:externalid"}) for c in stmt.condition) or stmt.condition_unresolved:
                continue
            if trusts_named_principals(stmt):
                continue
            if not any(
                v.value.lower() in ("sts:assumerole", "sts:*", "*")
                or v.value.lower().startswith("sts:assumerole*")
                for v in literal_actions(stmt)
            ):
                continue
            for v in stmt.principal.of_kind("AWS"):
                if isinstance(v, Str):
                    yield self.report(
                        v.span,
                        f"{v.value} can assume the privileged role {principal.address} ({why}) "
                        "without an MFA condition or sts:ExternalId",
                        owner=principal,
                        value=f"{principal.address}:{v.value}",
                    )
                elif (given := account_input(v)) is not None:
                    yield self.report(
                        v.span,
                        f"the account{'s' if given.many else ''} in {given} can assume the privileged role "
                        f"{principal.address} ({why}) without an MFA condition or sts:ExternalId",
                        owner=principal,
                        value=f"{principal.address}:{v.text}",
                    )

    @staticmethod
    def _capped(principal: IAMPrincipal, ctx: Context, ref: ManagedPolicyRef) -> bool:
        """Whether the boundary, Denies or organization policies take away every
        Permissions-management action (or every action) a privileged AWS managed policy grants
        on every resource."""
        assert ref.document is not None
        grants = grants_on_every_resource(ref.document)
        names = list(grants.permissions_management) or (["*"] if grants.everything else [])
        return not any(effectively_allowed(principal, ctx, n) for n in names)

    @classmethod
    def _privileged(cls, principal: IAMPrincipal, ctx: Context) -> str | None:
        """Why a role is privileged by its effective permissions: a privileged AWS managed
        policy or a statement allowing permissions management that its boundary, Denies and
        organization policies leave standing; None when it is not."""
        for ref in principal.managed:
            if privileged_aws_managed(ref) and not cls._capped(principal, ctx, ref):
                return ref.name
        for doc in principal_documents(principal):
            if doc.aws_managed is not None:
                continue  # judged above, by what it grants on every resource
            for stmt in doc.statements:
                if stmt.is_allow:
                    for v in literal_actions(stmt):
                        if grants_permissions_management(v.value) and effectively_allowed(
                            principal, ctx, v.value
                        ):
                            return f'allows "{v.value}"'
        return None
