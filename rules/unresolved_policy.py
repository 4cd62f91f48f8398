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

    Everything literal around it is linted. The severity is info: nothing is wrong with the
    code, but that part of the policy went unchecked.

    ## Why is this bad?
    A linter that stays silent about a policy it could not read lets you believe the
    template is clean. Lint the included file, or give the parameter `AllowedValues` that
    show which principals are expected.

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
    """

    code, name, severity = UNRESOLVED_POLICY
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform")
