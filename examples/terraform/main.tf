# A reporting service: an instance role that reads a bucket and writes metrics.

data "aws_caller_identity" "current" {}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "reporting" {
  name               = "reporting"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "reporting" {
  name = "reporting"
  role = aws_iam_role.reporting.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
      },
      {
        Effect   = "Allow"
        Action   = "cloudwatch:*"
        Resource = "*"
      }
    ]
  })
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "NotPrincipal": {"AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/reporting"},
      "Action": "s3:GetObject",
      "Resource": "${aws_s3_bucket.reports.arn}/*"
    }
  ]
}
POLICY
}
