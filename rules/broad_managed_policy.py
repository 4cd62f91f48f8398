"""IAM304 broad-managed-policy."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    Finding,
    Grants,
    IAMPrincipal,
    ManagedPolicyRef,
    PrincipalRule,
    Severity,
    grants_on_every_resource,
    plural,
    shorten,
)

SERVICE_LINKED = "/aws-service-role/"


class BroadManagedPolicy(PrincipalRule):
    """Checks for AWS managed policies that grant everything, permissions management, or whole services.

    ## What it does
    Looks at every AWS managed policy attached to a role, user, group or SSO permission set
    (`ManagedPolicyArns`, SAM `Policies` names, `ManagedPolicies`, Terraform's
    `aws_iam_*_policy_attachment`, `aws_iam_policy_attachment`, `managed_policy_arns`,
    `aws_ssoadmin_managed_policy_attachment` and `data "aws_iam_policy"`, plan JSON) in
    iamlint's offline copy of every AWS
    managed policy, and reports, at the ARN or name you wrote, what the policy grants on
    every resource (`"*"`, or an ARN as broad) in statements without a `Condition`:

    - **error**: every action (`AdministratorAccess`), or actions whose access level in the
      Service Authorization Reference is *Permissions management* (`IAMFullAccess`,
      `PowerUserAccess`, `AmazonS3FullAccess` with `s3:PutBucketPolicy`,
      `AmazonSQSFullAccess` with `sqs:AddPermission`); the message names a few of them;
    - **warning**: every action of a service through a wildcard (`cloudwatch:*`) when the
      service has actions that change something (a write action), and nothing of the above.

    A permissions boundary is not checked: it limits, it grants nothing. Read-only policies
    (`ReadOnlyAccess`, `ViewOnlyAccess`, `SecurityAudit`) grant no permissions management and
    are not reported; the few read actions that the reference classes as permissions
    management (`quicksight:DescribeDataSetPermissions`, `billing:GetResourcePolicy`) do
    not count, as their names say they only read. Job function policies
    (`/job-function/`) and service role policies (`/service-role/`) are judged by what they
    grant like any other. A service-linked role's policy (path `/aws-service-role/`) is
    always an error: AWS attaches it to the role its service creates, and IAM refuses to
    attach it to a role, user or group of yours ("Cannot attach a Service Role Policy to a
    Customer Role").

    What a policy grants comes from its document, never from a list of names. The policies
    are those of iamlint's index (`iamlint --version`, docs/managed-policies.md); a policy
    the index does not have is reported by IAM501. One finding per attachment, identified by
    the policy's name.

    ## Why is this bad?
    An AWS managed policy is written for every customer, so the broad ones grant far more
    than one workload needs, on every resource of the account, and AWS widens them when
    services add actions. Permissions management on `"*"` lets the holder change who may do
    what (attach policies to itself, open a bucket or a queue to the world): one stolen
    credential is then enough to take the account.

    ## Example
    ```yaml hl_lines="14"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      WorkerRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  Service: lambda.amazonaws.com
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/AmazonSQSFullAccess
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      WorkerRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  Service: lambda.amazonaws.com
                Action: sts:AssumeRole
          Policies:
            - PolicyName: jobs-queue
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action:
                      - sqs:ReceiveMessage
                      - sqs:DeleteMessage
                      - sqs:GetQueueAttributes
                    Resource: arn:aws:sqs:eu-west-1:123456789012:jobs
    ```
    """

    code = "IAM304"
    name = "broad-managed-policy"
    severity = Severity.ERROR
    security_severity = "8.1"
    precision = "very-high"
    # attachments come from templates and Terraform; a raw JSON policy file has none
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        seen: set[tuple] = set()
        for ref in principal.managed:
            doc = ref.document
            if doc is None or doc.aws_managed is None or ref.name is None:
                continue  # a customer managed policy is linted where it is written
            key = (ref.value.span, ref.name)
            if key in seen:
                continue
            seen.add(key)
            if ref.path == SERVICE_LINKED:
                yield self._report(
                    ref,
                    principal,
                    f"{ref.name} is the policy of a service-linked role ({SERVICE_LINKED}): AWS attaches it "
                    "to the role its service creates, and IAM refuses to attach it to a role, user or "
                    "group of yours",
                    Severity.ERROR,
                )
                continue
            found = describe(ref.name, grants_on_every_resource(doc))
            if found is not None:
                yield self._report(ref, principal, *found)

    def _report(
        self, ref: ManagedPolicyRef, principal: IAMPrincipal, message: str, severity: Severity
    ) -> Finding:
        return self.report(ref.value, message, owner=principal, value=ref.name, severity=severity)


def describe(name: str, g: Grants) -> tuple[str, Severity] | None:
    """What a policy named ``name`` grants, and how severe that is; None when not broad."""
    if g.everything:
        return f"{name} grants every action on every resource", Severity.ERROR
    if g.all_but:
        what = "every action except " + ", ".join(g.all_but)
    elif g.services:
        what = _and([f"{s}:*" for s in g.services])
    else:
        what = ""
    if g.permissions_management:
        few = shorten(g.permissions_management)
        if what:
            return f'{name} grants {what} on "*", including permissions management ({few})', Severity.ERROR
        n = len(g.permissions_management)
        return (
            f'{name} grants {plural(n, "permissions-management action")} on "*": {few}',
            Severity.ERROR,
        )
    if what:
        return f'{name} grants {what} on "*"', Severity.WARNING
    return None


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``, ``a, b, c and 2 more``."""
    if 1 < len(items) <= 3:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return shorten(items)
