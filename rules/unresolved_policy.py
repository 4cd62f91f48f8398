"""IAM906 unresolved-policy."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import UNRESOLVED_POLICY


class UnresolvedPolicy(DiagnosticRule):
    """Names a policy, or part of one, that iamlint cannot evaluate and so did not check.

    ## What it does
    Reports, at the expression, a policy (or the part of one) that is present but whose
    value iamlint cannot know from the files it reads, and says why. In CloudFormation:

    - an OpenAPI definition (`Body` of an `AWS::ApiGateway::RestApi`, `DefinitionBody` of
      an `AWS::Serverless::Api`) included with `Fn::Transform` (`AWS::Include`): its
      `x-amazon-apigateway-policy` lives in a file iamlint does not read;
    - an `AWS::Lambda::Permission` whose `Principal` is a parameter, an import or another
      value iamlint cannot resolve: the statement AWS writes is linted, but whether it
      opens the function to everyone or to another account is not known;
    - the keys of a SAM API's `Auth.ResourcePolicy` from which SAM writes statements
      (`IpRangeBlacklist`, `AwsAccountWhitelist`, `SourceVpcWhitelist`, ...; its
      `CustomStatements` are linted);
    - a stack set nested in stack sets more than eight levels deep.

    In Terraform:

    - a policy argument set to a variable without a default, a module output, remote state
      (`data.terraform_remote_state`), another data source or a resource attribute known
      only once it is applied;
    - the parts of a statement list assembled with `concat`, `flatten`, `merge`, `tolist` or
      `toset` that are not literal (`concat([...], var.extra)`: `var.extra`), and a document
      listed in `source_policy_documents` or `override_policy_documents` that is not known;
    - a `dynamic "statement"` block whose `for_each` is not known and whose `content` holds
      nothing literal (a content that does is linted once, with the iterator's values
      unknown);
    - the items of a `dynamic` block's `for_each` past the first 1,000;
    - a policy argument of a well-known module (`policy_statements`, `policy_json`, ...) set
      to a value that is not known.

    Everything literal around it is linted. The severity is info: nothing is wrong with the
    code, but that part of the policy went unchecked. A Terraform variable with a default, a
    local value, `jsonencode`, `file()` and `templatefile()` are evaluated, not reported;
    `null` and `""` mean no policy.

    ## Why is this bad?
    A linter that stays silent about a policy it could not read lets you believe the
    template or module is clean. Lint the included file, or give the parameter
    `AllowedValues` that show which principals are expected. Reusable Terraform modules
    often take their policies from their callers: lint the callers too, or give the variable
    a default that shows what is expected.

    ## Example
    ```yaml hl_lines="10"
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Caller:
        Type: String
    Resources:
      InvokePermission:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: reports
          Principal: !Ref Caller
          Action: lambda:InvokeFunction
    ```

    ```hcl hl_lines="5"
    variable "reports_policy" {}

    resource "aws_iam_policy" "reports" {
      name   = "reports"
      policy = var.reports_policy
    }
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      Caller:
        Type: String
        AllowedValues: ["111122223333", "444455556666"]
    Resources:
      InvokePermission:
        Type: AWS::Lambda::Permission
        Properties:
          FunctionName: reports
          Principal: !Ref Caller
          Action: lambda:InvokeFunction
    ```

    ```hcl
    resource "aws_iam_policy" "reports" {
      name = "reports"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-reports/*" }]
      })
    }
    ```
    """

    code, name, severity = UNRESOLVED_POLICY
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform")
