"""ACME's own IAM rules for iamlint: one rule, as an example of a plugin."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    action_matches,
)


class NoBucketDeletion(StatementRule):
    """Checks for Allow statements that let the holder delete S3 buckets.

    ## What it does
    Flags an `Allow` statement whose `Action` covers `s3:DeleteBucket`, written out or
    through a wildcard (`s3:Delete*`, `s3:*`, `*`).

    ## Why is this bad?
    At ACME, buckets are deleted by the platform team's pipeline only: an application role
    that can delete a bucket can lose its data and every copy in it.

    ## Example
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::acme-reports"}
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::acme-reports/*"}
      ]
    }
    ```
    """

    code = "ACME101"
    name = "no-bucket-deletion"
    severity = Severity.ERROR
    formats = ("json", "cloudformation-yaml")

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.is_allow:
            return
        for action in stmt.action or ():
            if isinstance(action, Str) and action_matches(action.value, "s3:DeleteBucket"):
                # the finding points at the action as written; its fingerprint is the action
                yield self.report(action, f'"{action.value}" allows deleting S3 buckets', owner=doc)
