"""IAM901 unused-suppression."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import UNUSED_SUPPRESSION


class UnusedSuppression(DiagnosticRule):
    """Reports a suppression that matches no finding.

    ## What it does
    Reports an `iamlint: ignore[...]` comment, a CloudFormation `Metadata` ignore entry or
    a `[[tool.iamlint.ignore]]` configuration entry that suppressed nothing in this run.

    ## Why is this bad?
    A suppression outlives the finding it was written for: once the policy is fixed, the
    stale comment would silently hide the next, different problem on that line.

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
              # iamlint: ignore[IAM101] the reporting job needs every S3 action
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

    code, name, severity = UNUSED_SUPPRESSION
