"""IAM302 user-attached-policy."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import Context, Finding, IAMPrincipal, PrincipalRule, Severity, Str


class UserAttachedPolicy(PrincipalRule):
    """Checks for policies attached directly to IAM users.

    ## What it does
    Flags every inline policy of an IAM user and every managed policy attached to a user
    directly, at the place where it is attached: for a Terraform `aws_iam_user_policy` whose
    `policy` is an `aws_iam_policy_document` defined elsewhere, that resource. A Terraform
    resource whose `count` is known to be 0 (or whose `for_each` is known to be empty)
    attaches nothing and is not reported (docs/extraction.md); one whose `count` or
    `for_each` is not known (`count = var.create ? 1 : 0`: the caller decides) is reported,
    and the message names that meta-argument as written.

    ## Why is this bad?
    Permissions granted user by user drift apart: nobody can tell who may do what, and a
    person who changes team keeps what they had. AWS recommends granting permissions to
    groups (or, better, roles) and adding users to them.

    ## Example
    ```yaml hl_lines="8"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Alice:
        Type: AWS::IAM::User
        Properties:
          UserName: alice
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/ReadOnlyAccess
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Auditors:
        Type: AWS::IAM::Group
        Properties:
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/ReadOnlyAccess
      Alice:
        Type: AWS::IAM::User
        Properties:
          UserName: alice
          Groups:
            - !Ref Auditors
    ```
    """

    code = "IAM302"
    name = "user-attached-policy"
    severity = Severity.WARNING
    security_severity = "3.1"
    precision = "very-high"
    # principals come from templates and Terraform; a raw JSON policy file has none
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        if principal.kind != "user":
            return
        for i, doc in enumerate(principal.inline):
            # a name that is empty (a Terraform variable defaulting to "") names nothing
            given = doc.name.value if isinstance(doc.name, Str) else ""
            name = given or doc.origin.owner or "inline policy"
            yield self.report(
                principal.inline_place(i),
                f"inline policy {name} is attached directly to user {principal.address}"
                f"{_when(principal.inline_condition(i))}; grant it through a group",
                owner=principal,
                value=f"inline:{name}",
            )
        for ref in principal.managed:
            label = ref.name or (ref.value.value if isinstance(ref.value, Str) else ref.value.text)
            yield self.report(
                ref.value.span,
                f"managed policy {label} is attached directly to user {principal.address}"
                f"{_when(ref.when)}; attach it to a group",
                owner=principal,
                value=f"managed:{label}",
            )


def _when(meta: str | None) -> str:
    """What the attachment depends on, for the message: a module may attach the policy only
    when its caller asks for it (``count = var.create ? 1 : 0``)."""
    return f" (if its {meta} creates it)" if meta else ""
