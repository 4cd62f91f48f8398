"""IAM907 unknown-tag."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import UNKNOWN_TAG


class UnknownTag(DiagnosticRule):
    """Reports a YAML tag that is not a CloudFormation intrinsic function.

    ## What it does
    Reports, at the tag, a YAML tag of a CloudFormation template that iamlint does not know:
    a preprocessor's directive such as Rain's `!Rain::Embed` or `!Rain::Module`, or a
    misspelt short form (`!GetAttr`). The tagged value is not evaluated: it stays unknown,
    as a `Ref` to a parameter does, and no rule guesses what it holds. The rest of the
    template is linted as usual, and the file does not make the exit code 2 (a template
    that is not valid YAML does: IAM900). A tag in the properties of a resource whose type
    holds no IAM policy, principal or attachment (a Lambda function's code location, an EC2
    instance's user data) hides nothing iamlint checks: it is reported as information.

    ## Why is this bad?
    CloudFormation does not know the tag either: the template deploys only after the tool
    that owns the tag has rewritten it (`rain pkg`, a macro of your own). What the tag
    stands for (an embedded policy, a module's resources) was not checked. Lint the
    template the tool produces too, or suppress this warning where the tag is expected.

    ## Example
    ```yaml hl_lines="9"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ReportsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: !Rain::Embed actions.txt
                Resource: arn:aws:s3:::acme-reports/*
    ```

    ## Use instead
    ```yaml
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ReportsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-reports/*
    ```
    """

    code, name, severity = UNKNOWN_TAG
    formats = ("cloudformation-yaml",)
