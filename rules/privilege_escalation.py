"""IAM401 privilege-escalation."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocKind,
    EscalationPath,
    Finding,
    IAMPrincipal,
    PolicyDocument,
    Rule,
    Severity,
    Span,
    Statement,
    Str,
    action_matches,
    catalogue,
    escalation_paths,
    evaluator,
    expand,
    literal_actions,
    narrows,
    runs_passed_role,
    shorten,
)

#: actions that let their holder grant itself more permissions, when allowed on "*"
ESCALATION = {
    "iam:passrole": "pass any role to a service",
    "iam:createpolicyversion": "rewrite a managed policy it is attached to",
    "iam:setdefaultpolicyversion": "switch a managed policy to a more permissive version",
    "iam:attachuserpolicy": "attach any managed policy to a user",
    "iam:attachgrouppolicy": "attach any managed policy to a group",
    "iam:attachrolepolicy": "attach any managed policy to a role",
    "iam:putuserpolicy": "write any inline policy on a user",
    "iam:putgrouppolicy": "write any inline policy on a group",
    "iam:putrolepolicy": "write any inline policy on a role",
    "iam:createaccesskey": "create access keys for other users",
    "iam:createloginprofile": "set a console password for other users",
    "iam:updateloginprofile": "change other users' console passwords",
    "iam:updateassumerolepolicy": "let itself assume any role",
    "iam:addusertogroup": "add a user to any group",
    "lambda:updatefunctioncode": "run its code as the role of any existing function",
    "glue:updatedevendpoint": "log in to a Glue endpoint that runs as another role",
}

#: iam:PassRole combined with these runs code as the passed role (Rhino Security Labs' list)
PASSROLE_COMBINATIONS = (
    (("ec2:runinstances",), "launch an instance that runs as any role"),
    (
        ("lambda:createfunction", "lambda:invokefunction"),
        "create and invoke a function that runs as any role",
    ),
    (
        ("lambda:createfunction", "lambda:createeventsourcemapping"),
        "create a function that runs as any role and trigger it",
    ),
    (("glue:createdevendpoint",), "create a Glue endpoint that runs as any role"),
    (("cloudformation:createstack",), "create a stack that runs as any role"),
    (
        ("datapipeline:createpipeline", "datapipeline:putpipelinedefinition"),
        "create a pipeline that runs as any role",
    ),
)


def _passed_to(stmt: Statement) -> tuple[str, ...]:
    """The services an ``iam:PassedToService`` condition of the statement limits PassRole to
    (one that `narrows` it to literal values other than every service), or ()."""
    for c in stmt.condition:
        if narrows(c, {"iam:passedtoservice"}):
            values = c.literal_values()
            if values and not {"*", "*.amazonaws.com"} & set(values):
                return values
    return ()


def _expanded(value: str) -> set[str]:
    if catalogue() is None:
        return {value.lower()}
    return {a.lower() for a in expand(value)}


class PrivilegeEscalation(Rule):
    """Checks for principals that can grant themselves more permissions.

    ## What it does
    Looks at each principal (role, user, group, permission set) with all of its policies
    together, as iamlint's evaluator reads them (docs/explain.md): inline, customer managed
    and AWS managed policies, SAM policy templates, a user's groups, less explicit `Deny`
    statements, within its permissions boundary and the organization policies the
    configuration names. It reports each known escalation path whose every step is allowed
    without a condition (docs/escalation.md lists them and their sources): `iam:PassRole`
    on roles together with a compute service's create-and-run actions (EC2, Lambda, ECS,
    Glue, CloudFormation, CodeBuild, SageMaker, Data Pipeline), creating, attaching, putting
    or versioning policies on other principals, access keys and console passwords of other
    users, `iam:UpdateAssumeRolePolicy` with `sts:AssumeRole`, `iam:AddUserToGroup`,
    `lambda:UpdateFunctionCode` and `glue:UpdateDevEndpoint`. The finding stands at the first
    step's action, names the principal and the path, and points at every statement involved
    (SARIF `relatedLocations`). A `Deny`, a boundary or a condition that removes a step
    closes the path; a principal allowed every action on every resource, with nothing that
    takes a step away, is already an administrator (IAM101 and IAM102 report it).
    `iam:PassRole` on a role the same template or module defines (`!GetAtt AdminRole.Arn`,
    `aws_iam_role.admin.arn`) escalates only when that role is more privileged than the
    principal (an administrator, or a role with an escalation path of its own): the message
    names the role and points at its definition; passing a role that is not is no path. A path
    that comes only through a group is reported at the group. Paths that start at the same
    action value are one finding, which names the others.

    A policy attached to no principal (a raw JSON policy file, a managed policy the template
    does not attach) is checked alone: it flags, in its `Allow` statements whose `Resource`
    is `"*"`, every action value (literal or wildcard, expanded against iamlint's action
    catalogue) that
    includes a known privilege-escalation action: `iam:PassRole`,
    `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, `iam:Attach{User,Group,Role}Policy`,
    `iam:Put{User,Group,Role}Policy`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
    `iam:UpdateLoginProfile`, `iam:UpdateAssumeRolePolicy`, `iam:AddUserToGroup`,
    `lambda:UpdateFunctionCode` and `glue:UpdateDevEndpoint`. When the same document also
    allows a service action that completes a known `iam:PassRole` path (`ec2:RunInstances`,
    `lambda:CreateFunction` with `lambda:InvokeFunction`, `glue:CreateDevEndpoint`,
    `cloudformation:CreateStack`, Data Pipeline), the message says so. A statement whose
    only escalation action is `iam:PassRole` and that limits it with `iam:PassedToService`
    (`StringEquals` or `StringLike` on named services) names those services, and is a
    warning when one of them is a compute service of a known PassRole path (EC2, Lambda, ECS
    tasks, Glue, CloudFormation, Data Pipeline, CodeBuild, SageMaker: it may run code the
    holder controls as the role), information when none is (CloudTrail, Auto Scaling or
    Elastic Transcoder use the role for their own work and run none of the holder's code).
    Resource policies, trust policies and SCPs are not checked.

    ## Why is this bad?
    Each of these actions, allowed on every resource, is a path to administrator access:
    write an inline policy on one's own role, attach `AdministratorAccess`, create a new
    version of a policy, or hand a powerful role to a new Lambda function and invoke it.
    (Rhino Security Labs documented these methods; tools such as Pacu automate them.)

    Parliament also counts writing a resource policy (`s3:PutBucketPolicy`,
    `lambda:AddPermission`) as escalation; iamlint does not: those expose a resource to
    others rather than raise the holder's own permissions.

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["iam:PutRolePolicy", "iam:GetRole"],
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
          "Action": ["iam:PutRolePolicy", "iam:GetRole"],
          "Resource": "arn:aws:iam::123456789012:role/app-*"
        }
      ]
    }
    ```
    """

    code = "IAM401"
    name = "privilege-escalation"
    severity = Severity.ERROR
    security_severity = "9.3"
    precision = "high"
    scopes = ("document", "principal")

    # -- a principal's policies together ----------------------------------------------------
    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        eff = evaluator(ctx).effective(principal)
        by_span: dict[Span, Statement] = {}
        for doc, _, _ in eff.documents:
            for stmt in doc.statements:
                by_span.setdefault(stmt.span, stmt)
        # paths that start at the same action value are one finding (iam:* opens seven)
        groups: dict[Span, list[tuple[EscalationPath, list[tuple[Span, str]]]]] = {}
        for path in escalation_paths(eff):
            if principal.kind == "user" and all(s.layer == "group" for s in path.sources):
                continue  # reported at the group
            places = [self._place(path, i, by_span) for i in range(len(path.steps))]
            groups.setdefault(places[0][0], []).append((path, places))
        for at, found in groups.items():
            first = found[0][0]
            related: dict[Span, str] = {}
            for path, places in found:
                for decision, (span, _) in zip(path.steps, places, strict=True):
                    src = decision.granted_by[0]
                    via = f" via {src.via}" if src.via else ""
                    related.setdefault(span, f"{decision.action} allowed by {src.policy}{via}")
                for passable in path.passes:
                    role = passable.principal
                    related.setdefault(role.span, f"{role.kind} {role.address}, which {passable.why}")
            message = (
                f"{principal.kind} {principal.address} can make itself administrator: {first.describe()}"
            )
            if len(found) > 1:
                others = [p.path.id for p, _ in found[1:]]
                message += f"; and {len(others)} more path{'s' if len(others) > 1 else ''}: {shorten(others)}"
            yield self.report(
                at,
                message,
                owner=principal,
                value=f"{principal.address}:{found[0][1][0][1]}",
                related=[(span, what) for span, what in related.items() if span != at],
            )

    @staticmethod
    def _place(path: EscalationPath, i: int, by_span: dict[Span, Statement]) -> tuple[Span, str]:
        """Where step ``i`` is granted: the first granting statement's Action value that
        covers the action (its NotAction key, or the statement, when none does)."""
        decision = path.steps[i]
        src = decision.granted_by[0]
        stmt = by_span.get(src.span)
        if stmt is not None:
            for v in literal_actions(stmt):
                if action_matches(v.value, decision.action):
                    return v.span, v.value
            key = next((k for k in stmt.keys if k.value == "NotAction"), None)
            if key is not None:
                return key.span, "NotAction"
        return src.span, decision.action

    # -- a policy attached to no principal --------------------------------------------------
    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.principals or doc.kind not in (DocKind.IDENTITY, DocKind.UNKNOWN, DocKind.BOUNDARY):
            return
        on_star = []
        services: dict[int, tuple[str, ...]] = {}  # value -> the services iam:PassedToService allows
        for stmt in doc.statements:
            if (
                stmt.is_allow
                and stmt.resource
                and any(isinstance(r, Str) and r.value == "*" for r in stmt.resource)
            ):
                values = literal_actions(stmt)
                on_star.extend(values)
                passed_to = _passed_to(stmt)
                for v in values:
                    if passed_to:
                        services[id(v)] = passed_to
        if not on_star:
            return
        granted: dict[int, set[str]] = {id(v): _expanded(v.value) for v in on_star}
        everything = set().union(*granted.values())
        for v in on_star:
            hits = sorted(a for a in granted[id(v)] if a in ESCALATION)
            if not hits:
                continue
            names = [self._canonical(a) for a in hits]
            how = ESCALATION[hits[0]]
            message = f'"{v.value}" on Resource "*" allows privilege escalation: {shorten(names)}'
            if v.value.lower() != hits[0] or len(hits) > 1:
                message += f" ({names[0]} lets the holder {how})"
            else:
                message += f" lets the holder {how}"
            severity = None
            if "iam:passrole" in hits:
                passed_to = services.get(id(v), ())
                if passed_to and hits == ["iam:passrole"]:
                    # roles can be passed only to the services named: a warning that says so
                    # (issue 11: IAM401 names the condition and is a warning when it limits them)
                    message = (
                        f'"{v.value}" on Resource "*" lets the holder pass any role, but only to '
                        f"{shorten(list(passed_to))} (iam:PassedToService)"
                    )
                    if any(runs_passed_role(s) for s in passed_to):
                        message += (
                            ": an escalation only if that service runs code the holder controls as the role"
                        )
                        severity = Severity.WARNING
                    else:
                        # CloudTrail, Auto Scaling, Elastic Transcoder: the service uses the role
                        # for its own work (review of 2026-12-01, sample C, #9)
                        message += (
                            ", which runs none of the holder's code as the role in any known escalation path"
                        )
                        severity = Severity.INFO
                combos = [why for need, why in PASSROLE_COMBINATIONS if all(n in everything for n in need)]
                if combos and severity is None:
                    message += "; with the other actions of this policy it can " + combos[0]
            yield self.report(v.span, message, owner=doc, value=v.value, severity=severity)

    @staticmethod
    def _canonical(lower: str) -> str:
        cat = catalogue()
        a = cat.action(lower) if cat is not None else None
        return a.name if a is not None else lower
