"""IAM900 parse-error."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import PARSE_ERROR


class ParseError(DiagnosticRule):
    """Reports a file that cannot be read or parsed.

    ## What it does
    Reports malformed JSON, YAML or HCL, files that are not UTF-8, nesting too deep to be a
    real document, and similar input problems, at the line and column where reading
    stopped. Other files are still linted; the run exits with code 2.

    ## Why is this bad?
    A file iamlint cannot read is a file whose policies nobody checked. Deployment tools
    would reject most of these files too, so they are better found before a deploy.

    ## Example
    ```json hl_lines="4"
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
      ]
    }
    ```
    """

    code, name, severity = PARSE_ERROR
