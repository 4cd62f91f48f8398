"""IAM501 leaves the actions of SAM policy templates alone: SAM writes them, the user cannot
change them (corpus review, 2026-12-01: `SQSPollerPolicy` grants
sqs:ChangeMessageVisibilityBatch, which is not an IAM action, and was an IAM501 finding "did
you mean" at the user's `- SQSPollerPolicy:` line). An action the user writes beside it is
still checked."""

from __future__ import annotations

import json
import textwrap

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Queue:
        Type: AWS::SQS::Queue
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Policies:
            - SQSPollerPolicy:
                QueueName: !GetAtt Queue.QueueName
            - Statement:
                - Effect: Allow
                  Action: sqs:ChangeMessageVisibiltyBatch
                  Resource: !GetAtt Queue.Arn
    """
)


def test_sam_policy_template_actions_are_not_iam501_and_the_users_are(run_cli, tmp_path):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM501", "template.yaml", cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    found = [(f["line"], f["column"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert [(line, col) for line, col, _ in found] == [(16, 23)]
    assert found[0][2].startswith("unknown action sqs:ChangeMessageVisibiltyBatch")
