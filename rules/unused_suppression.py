"""IAM901 unused-suppression."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import UNUSED_SUPPRESSION


class UnusedSuppression(DiagnosticRule):
    """Reports a suppression that matches no finding.

    ## What it does
    Reports an `iamlint: ignore[...]` or `iamlint: ignore-file[...]` comment, a
    CloudFormation `Metadata` ignore entry or a `[[tool.iamlint.suppress]]` configuration
    entry that suppressed nothing in this run, though it could have: only for rules that ran
    (a suppression of a rule turned off by `select`, `ignore` or `per-file-ignores` is not
    judged, as ruff's unused-`noqa` check), and a configuration entry only in a run that
    linted every file its `files` globs can match (its directory, or one that holds it, was
    given: `iamlint .` at the repository's root judges every entry, while linting a few
    files, as pre-commit and editors do, judges none written for other files).

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
