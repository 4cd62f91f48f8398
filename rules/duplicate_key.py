"""IAM902 duplicate-key."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import DUPLICATE_KEY


class DuplicateKey(DiagnosticRule):
    """Reports a key that appears twice in the same JSON or YAML object.

    ## What it does
    Reports the second occurrence of a duplicated key, naming the line of the first. Linting
    goes on with the value the deployment tool would use: the last one.

    ## Why is this bad?
    With duplicate keys only one value takes effect, and which one depends on the reader.
    A reviewer who reads the first `Action` sees a different policy from the one deployed.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "Action": "s3:PutObject",
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": ["s3:GetObject", "s3:PutObject"],
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code, name, severity = DUPLICATE_KEY
