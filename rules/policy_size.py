"""IAM503 policy-size."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocKind,
    DocumentRule,
    Finding,
    PolicyDocument,
    Severity,
    document_label,
)

#: AWS quotas, in characters without whitespace
MANAGED_POLICY_QUOTA = 6_144
SCP_QUOTA = 5_120
RCP_QUOTA = 5_120
#: AWS IoT Core: "maximum length of 2048, excluding whitespace" (CreatePolicy)
IOT_QUOTA = 2_048


class PolicySize(DocumentRule):
    """Checks for policies larger than AWS accepts.

    ## What it does
    Flags a customer managed policy over 6,144 characters, a service control policy or a
    resource control policy over 5,120 characters, and an AWS IoT Core policy over 2,048
    characters, whitespace not counted, as AWS measures. (The aggregate quota of a principal's inline policies is checked by IAM301.)
    A raw JSON policy file is checked when it is known to be an SCP or an RCP: by its shape
    (an RCP) or by `[tool.iamlint.kinds]`.

    ## Why is this bad?
    AWS rejects the policy at deploy time (`LimitExceeded: Cannot exceed quota for
    PolicySize`), usually in the middle of a pipeline, after review and merge. Large
    policies are also a sign of permissions grown by accretion: split them by purpose or
    use wildcards that stay within one service's read actions.

    ## Example
    ```json hl_lines="1"
    {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::a-bucket-with-a-very-long-name-0000/*", "..."]}]}
    ```
    (A managed policy whose `Resource` list goes on for 6,144 characters.)

    ## Use instead
    ```json
    {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::a-bucket-with-a-very-long-name-*/*"}]}
    ```
    """

    code = "IAM503"
    name = "policy-size"
    severity = Severity.ERROR
    security_severity = None
    precision = "high"

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if doc.size is None:
            return
        if doc.managed:
            quota, what = MANAGED_POLICY_QUOTA, "managed policy"
        elif doc.kind is DocKind.SCP:
            quota, what = SCP_QUOTA, "service control policy"
        elif doc.kind is DocKind.RCP:
            quota, what = RCP_QUOTA, "resource control policy"
        elif doc.kind is DocKind.IOT:
            quota, what = IOT_QUOTA, "AWS IoT Core policy"
        else:
            return
        if doc.size > quota:
            yield self.report(
                doc.span,
                f"{what} {document_label(doc)} has {doc.size:,} characters; AWS accepts at most {quota:,}",
                owner=doc,
                value=f"size:{document_label(doc)}",
            )
