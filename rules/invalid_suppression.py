"""IAM904 invalid-suppression."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import INVALID_SUPPRESSION


class InvalidSuppression(DiagnosticRule):
    """Reports a suppression iamlint cannot read.

    ## What it does
    Reports a malformed `iamlint:` comment (no brackets, no code, an unknown code, a bad
    `until=` date), a suppression without a reason while `require-reason` is on (the
    default), and a suppression of an input error (IAM900, IAM903, IAM904 cannot be
    suppressed). The suppression is not applied and the run exits with code 2. A
    configuration entry's is reported in the configuration file, at the entry (or its
    `until` key), and names it by its key path: `tool.iamlint.suppress[0].until`.

    ## Why is this bad?
    A suppression that does not work leaves the finding it was meant for, or worse, the
    author believes a finding is accepted when it is not. A reason tells the next reader
    why the risk was accepted.

    ## Example
    ```yaml hl_lines="9"
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ReportsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              # iamlint: ignore IAM101
              - Effect: Allow
                Action: s3:GetObject
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
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: arn:aws:s3:::acme-reports/*
    ```
    """

    code, name, severity = INVALID_SUPPRESSION
    # comments (YAML, HCL) and CloudFormation Metadata; invalid configuration entries are
    # reported in the configuration file
    formats = ("cloudformation-json", "cloudformation-yaml", "terraform")
