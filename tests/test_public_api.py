"""IAM402 on an API Gateway API's resource policy: `"*"` allowed to `execute-api:Invoke` is
what a public API's policy says (AWS's own examples begin with it), so it is information that
the API is public; any other action open to `"*"` stays an error (corpus review, 2026-12-01:
a date-window policy of a public API was reported as an exposure error)."""

from __future__ import annotations

import json
import textwrap

SAM = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      TempApi:
        Type: AWS::Serverless::Api
        Properties:
          StageName: Prod
          Auth:
            ResourcePolicy:
              CustomStatements:
                - Effect: Allow
                  Principal: "*"
                  Action: execute-api:Invoke
                  Resource: execute-api:/Prod/*/*
                  Condition:
                    DateGreaterThan: {aws:CurrentTime: "2022-09-01T00:00:00Z"}
      Socket:
        Type: AWS::ApiGateway::RestApi
        Properties:
          Name: socket
          Policy:
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: [execute-api:Invoke, execute-api:ManageConnections]
                Resource: "*"
    """
)

TERRAFORM = textwrap.dedent(
    """\
    resource "aws_api_gateway_rest_api_policy" "public" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = "*"
          Action    = "execute-api:Invoke"
          Resource  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"
        }]
      })
    }

    resource "aws_api_gateway_rest_api_policy" "private" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Principal = "*"
          Action    = "execute-api:Invoke"
          Resource  = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*"
          Condition = { StringEquals = { "aws:SourceVpce" = "vpce-0123456789abcdef0" } }
        }]
      })
    }
    """
)


def _iam402(run_cli, path, cwd):
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM402", path, cwd=cwd)
    assert "Traceback" not in proc.stderr
    return proc.returncode, [
        (f["line"], f["column"], f["end_line"], f["end_column"], f["severity"], f["message"].split(":")[0])
        for f in json.loads(proc.stdout)["findings"]
    ]


def test_invoke_for_anyone_is_information_and_other_actions_an_error_in_cloudformation(run_cli, tmp_path):
    (tmp_path / "template.yaml").write_text(SAM)
    assert _iam402(run_cli, "template.yaml", tmp_path) == (
        1,
        [
            (11, 26, 11, 29, "info", 'API resource policy lets any principal ("*") invoke the API'),
            (
                23,
                24,
                23,
                27,
                "error",
                'Allow statement is open to any principal ("*") without a condition that narrows the callers',
            ),
        ],
    )


def test_invoke_for_anyone_is_information_and_a_vpc_endpoint_narrows_it_in_terraform(run_cli, tmp_path):
    (tmp_path / "main.tf").write_text(TERRAFORM)
    # information is a finding: the exit code follows --fail-on (default: any finding)
    assert _iam402(run_cli, ".", tmp_path) == (
        1,
        [(7, 19, 7, 22, "info", 'API resource policy lets any principal ("*") invoke the API')],
    )
