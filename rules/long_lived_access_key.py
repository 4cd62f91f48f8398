"""IAM303 long-lived-access-key."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import Context, Finding, IAMPrincipal, PrincipalRule, Severity


class LongLivedAccessKey(PrincipalRule):
    """Checks for access keys created for IAM users in code.

    ## What it does
    Flags `AWS::IAM::AccessKey` and `aws_iam_access_key` resources: long-lived access keys
    of IAM users.

    ## Why is this bad?
    An access key never expires by itself. It ends up in CI variables, laptops and
    sometimes public repositories, and stays valid until someone rotates it. Created by
    infrastructure code, its secret also lands in the stack outputs or the Terraform state.
    Roles (for workloads), IAM Identity Center (for people) and OIDC federation (for CI)
    give short-lived credentials instead.

    ## Example
    ```yaml hl_lines="7"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Deployer:
        Type: AWS::IAM::User
        Properties:
          UserName: deployer
      DeployerKey:
        Type: AWS::IAM::AccessKey
        Properties:
          UserName: !Ref Deployer
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      DeployRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  Federated: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals:
                    token.actions.githubusercontent.com:sub: repo:acme/web:ref:refs/heads/main
    ```
    """

    code = "IAM303"
    name = "long-lived-access-key"
    severity = Severity.WARNING
    security_severity = "6.1"
    precision = "very-high"
    # access keys are resources of templates and Terraform; a raw JSON policy file has none
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        for span in principal.access_keys:
            yield self.report(
                span,
                f"long-lived access key for user {principal.address}; use a role or federation "
                "for short-lived credentials",
                owner=principal,
                value=f"access-key:{principal.address}",
            )
