"""IAM507 missing-version."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocumentRule,
    Finding,
    PolicyDocument,
    Severity,
    add_version_fix,
    document_variables,
)
from iamlint.fixkit import first_key


class MissingVersion(DocumentRule):
    """Checks for policy documents without a `Version` element.

    ## What it does
    Flags a policy document that has no `Version`, at its first element. When the policy
    uses policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${*}`), the
    finding is a warning: without `"Version": "2012-10-17"` AWS reads them as literal text.
    Otherwise it is information, as IAM Access Analyzer's "Missing version" suggestion is.

    Off by default (many policies omit `Version` without using a policy variable): enable it
    with `--extend-select IAM507` or `extend-select = ["IAM507"]` (its code: a prefix such as
    `IAM5`, or `ALL`, does not select it).

    A Terraform `aws_iam_policy_document` is never flagged: the data source writes
    `"Version": "2012-10-17"` itself when its `version` argument is not set. Nor are the
    policies SAM policy templates expand to (AWS wrote them) or AWS managed policies.

    ## Why is this bad?
    AWS reads a policy without `Version` in the obsolete 2008-10-17 language: a policy
    variable such as `${aws:username}` is then a literal string, so a statement meant to
    give each user their own prefix matches a prefix literally named `${aws:username}` and
    grants nothing, or, in a `Deny`, protects nothing. Stating the version also makes the
    policy read the same to every tool and reviewer.

    ## Example
    ```json hl_lines="2"
    {
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::home/${aws:username}/*"
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
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::home/${aws:username}/*"
        }
      ]
    }
    ```

    ## Fix
    `"Version": "2012-10-17"` is added as the document's first element, in the document's
    own style (quoting, separator, indentation). Safe when the policy uses no policy
    variable; unsafe (`--unsafe-fixes`) when it does, since the variables then start to
    work (docs/fixes.md).
    """

    code = "IAM507"
    name = "missing-version"
    severity = Severity.INFO
    security_severity = None
    precision = "very-high"
    opt_in = True

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.version is not None or doc.policy_template is not None or doc.aws_managed is not None:
            return
        key = first_key(doc)
        at = key.span if key is not None else doc.span
        variables = document_variables(doc)
        if variables:
            shown = ", ".join(variables[:3]) + (" and more" if len(variables) > 3 else "")
            message = (
                f"policy document has no Version, so AWS reads its policy variables ({shown}) "
                'as literal text: add "Version": "2012-10-17"'
            )
            severity = Severity.WARNING
            title = 'Add "Version": "2012-10-17" (its policy variables start to work)'
        else:
            message = 'policy document has no Version: add "Version": "2012-10-17"'
            severity = Severity.INFO
            title = 'Add "Version": "2012-10-17"'
        fix = add_version_fix(doc, title, safe=not variables)
        yield self.report(at, message, owner=doc, value="missing-version", severity=severity, fix=fix)
