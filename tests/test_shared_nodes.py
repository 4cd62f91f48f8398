"""Nodes that stand in several places of a template: a statement list of ``Mappings`` that
``Fn::FindInMap`` gives to several documents, and YAML aliases (issue "Hostile input",
defect 14). The CloudFormation extractor lets each statement list of a resource go once its
document is built, and builds an aliased statement once; neither may change what a
document holds: every document keeps its statements, and the findings are those of the
statements as written (at the anchor, for an alias), each once.
"""

from __future__ import annotations

import json

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Mappings:
  Policies:
    Shared:
      Statements:
        - Effect: Allow
          Action: "s3:*"
          Resource: "*"
Metadata:
  Statements:
    - &wide {Effect: Allow, Action: "iam:*", Resource: "*"}
    - &odd {Effect: Alow, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  First:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: first
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: !FindInMap [Policies, Shared, Statements]
  Second:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: second
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: !FindInMap [Policies, Shared, Statements]
  Third:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: third
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [*wide, *odd]
  Fourth:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: fourth
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [*odd, *wide]
"""


def documents(run_cli, path) -> list[tuple[str, int]]:
    out = run_cli("--isolated", "--format", "json", path)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    (f,) = json.loads(out.stdout)["files"]
    return [(d["owner"], d["statements"]) for d in f["documents"]]


def test_a_mapping_read_by_two_documents_gives_both_its_statements(tmp_path, run_cli):
    mapped = TEMPLATE[: TEMPLATE.index("  Third:")]
    mapped = mapped[: mapped.index("Metadata:")] + mapped[mapped.index("Resources:") :]
    (tmp_path / "mapped.yaml").write_text(mapped)
    assert documents(run_cli, tmp_path / "mapped.yaml") == [("Role", 1), ("First", 1), ("Second", 1)]
    out = run_cli("--isolated", "-f", "concise", "mapped.yaml", cwd=tmp_path)
    assert out.stdout.splitlines() == [
        'mapped.yaml:7:19-7.25: error: IAM101 Allow statement grants every action of s3 ("s3:*") (180 actions)',
        'mapped.yaml:8:21-8.24: warning: IAM102 Allow statement applies to every resource ("Resource": "*"); '
        "s3:* could be scoped to resource ARNs",
        "mapped.yaml:10:3-10.7: warning: IAM301 role Role has 2 inline policies (first, second); "
        "iamlint's max-inline-policies allows 1: move them into managed policies",
        "mapped.yaml:33:9-34.61: warning: IAM301 inline policy second of Role repeats the inline policy of Role "
        "(line 25); make it one managed policy",
    ]


def test_an_aliased_statement_is_in_every_document_that_uses_it_with_its_problems(tmp_path, run_cli):
    (tmp_path / "shared.yaml").write_text(TEMPLATE)
    assert documents(run_cli, tmp_path / "shared.yaml") == [
        ("Role", 1),
        ("First", 1),
        ("Second", 1),
        ("Third", 2),
        ("Fourth", 2),
    ]
    out = run_cli("--isolated", "-f", "concise", "shared.yaml", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    got = out.stdout.splitlines()
    # the aliased statements' findings stand at their anchors (lines 11 and 12), once each
    assert [line.split(": ", 2)[0] + " " + line.split(": ", 2)[2].split(" ", 1)[0] for line in got] == [
        "shared.yaml:7:19-7.25 IAM101",
        "shared.yaml:8:21-8.24 IAM102",
        "shared.yaml:11:37-11.44 IAM101",
        "shared.yaml:11:37-11.44 IAM401",
        "shared.yaml:11:56-11.59 IAM102",
        "shared.yaml:12:21-12.25 IAM502",
        "shared.yaml:14:3-14.7 IAM301",
        "shared.yaml:37:9-38.61 IAM301",
        "shared.yaml:53:9-54.33 IAM301",
    ]
    assert got[5] == 'shared.yaml:12:21-12.25: error: IAM502 Effect must be "Allow" or "Deny", not \'Alow\''
    assert got[8] == (
        "shared.yaml:53:9-54.33: warning: IAM301 inline policy fourth of Role repeats the inline policy of Role "
        "(line 45); make it one managed policy"
    )
