"""IAM908 duplicate-address."""

from __future__ import annotations

from iamlint.api import DiagnosticRule
from iamlint.diagnostics import DUPLICATE_ADDRESS


class DuplicateAddress(DiagnosticRule):
    """Reports a resource, data source or module call defined twice in one Terraform module.

    ## What it does
    Reports each later definition of an address that a module (a directory of `.tf` files)
    already defines, in the same file or another one, naming the first (`first at
    main.tf:12`): the resources iamlint reads, `aws_iam_policy_document` data sources and
    `module` blocks. Every definition is linted, each with its own policies, so that nothing
    in either copy goes unchecked.

    ## Why is this bad?
    Terraform refuses a module that defines an address twice ("Duplicate resource
    configuration"), so the module cannot be applied as it is. It happens in folders of
    examples or when a file is copied to try a variant: one of the copies is usually not
    the policy that gets deployed, and a reviewer may read the other.

    ## Example
    ```hcl hl_lines="10"
    resource "aws_iam_policy" "reports" {
      name = "reports"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-reports/*" }]
      })
    }

    # copied to try a variant, under the same address
    resource "aws_iam_policy" "reports" {
      name = "reports-v2"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::acme-reports" }]
      })
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_iam_policy" "reports" {
      name = "reports"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::acme-reports/*" }]
      })
    }

    resource "aws_iam_policy" "reports_v2" {
      name = "reports-v2"
      policy = jsonencode({
        Version   = "2012-10-17"
        Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "arn:aws:s3:::acme-reports" }]
      })
    }
    ```
    """

    code, name, severity = DUPLICATE_ADDRESS
    formats = ("terraform",)  # addresses of Terraform modules
