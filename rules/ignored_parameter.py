"""IAM909 ignored-parameter."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import IGNORED_PARAMETER


class IgnoredParameter(DiagnosticRule):
    """Reports a SAM policy template parameter that SAM ignores.

    ## What it does
    Reports, at its name, a parameter that a SAM policy template in a function's or state
    machine's `Policies` does not take (`S3ReadPolicy: {BucketName: x, Prefix: y}`), and
    intrinsic functions given as the parameters of a template that takes none. The template
    is expanded and linted as SAM writes it, without them. (A missing parameter or an
    unknown template is an error SAM raises at deploy: IAM900.)

    ## Why is this bad?
    SAM expands a policy template with the parameters it declares and silently drops the
    rest. A `Prefix` or `Region` written to narrow a template narrows nothing: the role gets
    the whole bucket, in every region, while the template reads as if it did not.

    ## Example
    ```yaml hl_lines="10"
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      ReportsFunction:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - S3ReadPolicy:
                BucketName: acme-reports
                Prefix: monthly/
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      ReportsFunction:
        Type: AWS::Serverless::Function
        Properties:
          Policies:
            - Statement:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::acme-reports/monthly/*
    ```
    """

    code, name, severity = IGNORED_PARAMETER
    formats = ("cloudformation-json", "cloudformation-yaml")  # SAM templates
