"""IAM401 privilege-escalation."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocKind,
    DocumentRule,
    Finding,
    PolicyDocument,
    Severity,
    Str,
    catalogue,
    expand,
    literal_actions,
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


def _expanded(value: str) -> set[str]:
    if catalogue() is None:
        return {value.lower()}
    return {a.lower() for a in expand(value)}


class PrivilegeEscalation(DocumentRule):
    """Checks for actions on `"*"` that let the holder grant itself more permissions.

    ## What it does
    Flags, in an identity policy's `Allow` statements whose `Resource` is `"*"`, every
    action value (literal or wildcard, expanded against iamlint's action catalogue) that
    includes a known privilege-escalation action: `iam:PassRole`,
    `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, `iam:Attach{User,Group,Role}Policy`,
    `iam:Put{User,Group,Role}Policy`, `iam:CreateAccessKey`, `iam:CreateLoginProfile`,
    `iam:UpdateLoginProfile`, `iam:UpdateAssumeRolePolicy`, `iam:AddUserToGroup`,
    `lambda:UpdateFunctionCode` and `glue:UpdateDevEndpoint`. When the same document also
    allows a service action that completes a known `iam:PassRole` path (`ec2:RunInstances`,
    `lambda:CreateFunction` with `lambda:InvokeFunction`, `glue:CreateDevEndpoint`,
    `cloudformation:CreateStack`, Data Pipeline), the message says so. Resource policies,
    trust policies and SCPs are not checked.

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

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.kind not in (DocKind.IDENTITY, DocKind.UNKNOWN, DocKind.BOUNDARY):
            return
        on_star = []
        for stmt in doc.statements:
            if (
                stmt.is_allow
                and stmt.resource
                and any(isinstance(r, Str) and r.value == "*" for r in stmt.resource)
            ):
                on_star.extend(literal_actions(stmt))
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
            if "iam:passrole" in hits:
                combos = [why for need, why in PASSROLE_COMBINATIONS if all(n in everything for n in need)]
                if combos:
                    message += "; with the other actions of this policy it can " + combos[0]
            yield self.report(v.span, message, owner=doc, value=v.value)

    @staticmethod
    def _canonical(lower: str) -> str:
        cat = catalogue()
        a = cat.action(lower) if cat is not None else None
        return a.name if a is not None else lower
