"""IAM301 inline-policy-overuse."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    Finding,
    IAMPrincipal,
    Option,
    PrincipalRule,
    Severity,
    document_content,
    document_label,
)

#: AWS quotas for the aggregate size of a principal's inline policies (characters, no whitespace)
INLINE_QUOTA = {"role": 10_240, "function-role": 10_240, "user": 2_048, "group": 5_120}


class InlinePolicyOveruse(PrincipalRule):
    """Checks for principals that carry their permissions as inline policies.

    ## What it does
    Flags, on an IAM role, user or group:
    - more inline policies than the `max-inline-policies` setting (default 1), in one
      finding that names them all;
    - an inline policy whose content is the same as another principal's inline policy,
      written twice (one `AWS::IAM::Policy` attached to several roles is written once and is
      not flagged);
    - inline policies that use more than 90% of the AWS quota for their aggregate size
      (role 10,240, user 2,048, group 5,120 characters, whitespace not counted).

    The inline policies SAM writes for the policy templates of a function or state machine
    (`- S3ReadPolicy: {BucketName: reports}`) count towards the size quota, as they do in
    AWS, but not towards the number of inline policies or their copies: AWS maintains their
    statements, and a template is already the reusable form.

    ## Why is this bad?
    Inline policies live and die with their principal: they cannot be reused, versioned or
    attached elsewhere, and copies drift apart. Many inline policies on one principal are
    hard to review, and near the quota the next deploy fails. Customer managed policies
    are reusable, versioned and have a separate, larger quota.

    ## Example
    ```yaml hl_lines="3"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: read-orders
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: dynamodb:GetItem
                    Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
            - PolicyName: write-invoices
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: s3:PutObject
                    Resource: arn:aws:s3:::acme-invoices/*
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AppPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: arn:aws:dynamodb:eu-west-1:123456789012:table/orders
              - Effect: Allow
                Action: s3:PutObject
                Resource: arn:aws:s3:::acme-invoices/*
      AppRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: ecs-tasks.amazonaws.com}
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - !Ref AppPolicy
    ```
    """

    code = "IAM301"
    name = "inline-policy-overuse"
    severity = Severity.WARNING
    security_severity = "3.1"
    precision = "high"
    options = {"max-inline-policies": Option(1, "inline policies allowed per principal", minimum=0)}
    # principals come from templates and Terraform; a raw JSON policy file has none
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        limit = int(ctx.option(self, "max-inline-policies"))
        inline = principal.inline
        written = [d for d in inline if d.policy_template is None]
        if len(written) > limit:
            names = ", ".join(document_label(d) for d in written)
            yield self.report(
                principal.span,
                f"{principal.kind} {principal.address} has {len(written)} inline policies ({names}); "
                f"iamlint's max-inline-policies allows {limit}: move them into managed policies",
                owner=principal,
                value=f"count:{principal.address}",
            )
        yield from self._copies(principal, ctx)
        quota = INLINE_QUOTA.get(principal.kind)
        size = sum(d.size or 0 for d in inline)
        if quota and size > 0.9 * quota:
            yield self.report(
                principal.span,
                f"inline policies of {principal.kind} {principal.address} use {size:,} of the "
                f"{quota:,} characters AWS allows ({size * 100 // quota}%)",
                owner=principal,
                value=f"size:{principal.address}",
            )

    def _copies(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        """The second and later copies of the same inline content, each naming the first."""
        for p, d, fp, fd in self._all_copies(ctx):
            if p is not principal:
                continue
            yield self.report(
                d.span,
                f"inline policy {document_label(d)} of {p.address} repeats the inline policy of "
                f"{fp.address} (line {fd.span.line}); make it one managed policy",
                owner=p.address,
                # the copy itself, not the principal it repeats (renaming that one is no change here)
                value=f"copy:{document_label(d)}",
                related=((fd.span, f"the inline policy of {fp.address} it repeats"),),
            )

    def _all_copies(self, ctx: Context) -> list[tuple]:
        """Every (principal, document, first principal, first document) copy, once per file."""
        if self.code in ctx.cache:
            return ctx.cache[self.code]
        first_seen: dict[tuple, tuple] = {}
        copies: list[tuple] = []
        for p in sorted(ctx.principals, key=lambda p: (p.span.file, p.span.line, p.span.column)):
            for d in p.inline:
                if not d.statements or d.policy_template is not None:
                    continue
                key = document_content(d)
                if key not in first_seen:
                    first_seen[key] = (p, d)
                    continue
                fp, fd = first_seen[key]
                if fd.span != d.span:
                    copies.append((p, d, fp, fd))
        ctx.cache[self.code] = copies
        return copies
