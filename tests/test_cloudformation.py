"""CloudFormation extraction: every policy-bearing resource, positions, intrinsics, the graph.

Positions are asserted as literal (line, column) pairs, 1-based, counted by hand from the
templates below; the uniform layouts (``RESOURCE_YAML``, ``RESOURCE_JSON``) make the counts
the same for every resource type that uses them.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from iamlint.engine import Linter
from iamlint.extract import extract_file
from iamlint.extract.cloudformation import extract_json, extract_yaml
from iamlint.model import DocKind, IAMPrincipal, PolicyDocument, Str, Unknown
from iamlint.parse.json_parser import parse_json
from iamlint.ruleset import default_registry


# -- helpers ------------------------------------------------------------------------------------
def yaml_ex(text: str, path: str = "template.yaml"):
    ex = extract_yaml(path, textwrap.dedent(text).lstrip("\n"))
    assert ex is not None, "not read as a CloudFormation template"
    return ex


def json_ex(text: str, path: str = "template.json"):
    text = textwrap.dedent(text).lstrip("\n")
    return extract_json(path, text, parse_json(text))


def at(value) -> tuple[int, int]:
    """(line, column) of a value, document, principal or span."""
    span = getattr(value, "span", value)
    return (span.line, span.column)


def values(vals) -> list[str]:
    return [v.value if isinstance(v, Str) else v.text for v in vals]


def doc_of(ex, owner: str, path: str | None = None) -> PolicyDocument:
    docs = [d for d in ex.documents if d.origin.owner == owner and (path is None or d.origin.path == path)]
    assert len(docs) == 1, [(d.origin.owner, d.origin.path) for d in ex.documents]
    return docs[0]


def principal_of(ex, address: str) -> IAMPrincipal:
    found = [p for p in ex.principals if p.address == address]
    assert len(found) == 1, [p.address for p in ex.principals]
    return found[0]


def codes(ex) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in ex.diagnostics]


def lint(path, text: str) -> list[tuple[str, int, int]]:
    """Findings (code, line, column) of linting ``text`` as a file at ``path``."""
    reports = Linter(default_registry()).lint_text(str(path), textwrap.dedent(text).lstrip("\n"))
    return [(f.code, f.span.line, f.span.column) for r in reports for f in r.findings]


# -- resource policies: one layout, every type --------------------------------------------------
RESOURCE_YAML = """\
Resources:
  R:
    Type: {type}
    Properties:
      {prop}:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{AWS: "arn:aws:iam::111122223333:root"}}
            Action: "s3:GetObject"
            Resource: "arn:aws:s3:::b/*"
"""
# principal value: 12 spaces + 'Principal: ' (11) + '{AWS: ' (6) -> column 30
YAML_POSITIONS = {"principal": (9, 30), "action": (10, 21), "resource": (11, 23)}

RESOURCE_JSON = """\
{{
  "Resources": {{
    "R": {{
      "Type": "{type}",
      "Properties": {{
        "{prop}": {{
          "Version": "2012-10-17",
          "Statement": [{{
            "Effect": "Allow",
            "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*"
          }}]
        }}
      }}
    }}
  }}
}}
"""
# principal value: 12 spaces + '"Principal": ' (13) + '{"AWS": ' (8) -> column 34
JSON_POSITIONS = {"principal": (10, 34), "action": (11, 23), "resource": (12, 25)}

RESOURCE_TYPES = [
    ("AWS::S3::BucketPolicy", "PolicyDocument", DocKind.RESOURCE),
    ("AWS::SQS::QueuePolicy", "PolicyDocument", DocKind.RESOURCE),
    ("AWS::SNS::TopicPolicy", "PolicyDocument", DocKind.RESOURCE),
    ("AWS::SNS::TopicInlinePolicy", "PolicyDocument", DocKind.RESOURCE),
    ("AWS::KMS::Key", "KeyPolicy", DocKind.RESOURCE),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy", DocKind.RESOURCE),
    ("AWS::ECR::Repository", "RepositoryPolicyText", DocKind.RESOURCE),
    ("AWS::Logs::ResourcePolicy", "PolicyDocument", DocKind.RESOURCE),
    ("AWS::OpenSearchService::Domain", "AccessPolicies", DocKind.RESOURCE),
    ("AWS::Elasticsearch::Domain", "AccessPolicies", DocKind.RESOURCE),
    ("AWS::EC2::VPCEndpoint", "PolicyDocument", DocKind.ENDPOINT),
    ("AWS::Backup::BackupVault", "AccessPolicy", DocKind.RESOURCE),
    ("AWS::EFS::FileSystem", "FileSystemPolicy", DocKind.RESOURCE),
    ("AWS::ApiGateway::RestApi", "Policy", DocKind.RESOURCE),
]


@pytest.mark.parametrize("rtype,prop,kind", RESOURCE_TYPES, ids=[t[0] for t in RESOURCE_TYPES])
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_resource_policy_positions(fmt, rtype, prop, kind):
    if fmt == "yaml":
        ex, pos = yaml_ex(RESOURCE_YAML.format(type=rtype, prop=prop)), YAML_POSITIONS
    else:
        ex, pos = json_ex(RESOURCE_JSON.format(type=rtype, prop=prop)), JSON_POSITIONS
    assert ex.format == "cloudformation"
    assert ex.diagnostics == []
    doc = doc_of(ex, "R")
    assert doc.kind is kind
    assert (doc.origin.owner_type, doc.origin.path, doc.origin.format) == (
        rtype,
        f"Properties.{prop}",
        "cloudformation",
    )
    assert doc.principals == ()
    (stmt,) = doc.statements
    (action,) = stmt.action
    (resource,) = stmt.resource
    (entry,) = stmt.principal.entries
    assert (action.value, at(action)) == ("s3:GetObject", pos["action"])
    assert (resource.value, at(resource)) == ("arn:aws:s3:::b/*", pos["resource"])
    assert (entry.kind, entry.value.value, at(entry.value)) == (
        "AWS",
        "arn:aws:iam::111122223333:root",
        pos["principal"],
    )


@pytest.mark.parametrize(
    "ptype, kind",
    [
        ("SERVICE_CONTROL_POLICY", DocKind.SCP),
        ("RESOURCE_CONTROL_POLICY", DocKind.RCP),
        # a Type iamlint cannot resolve: the Principal of the content makes it an RCP
        ("!Ref PolicyType", DocKind.RCP),
    ],
)
def test_organizations_policy_kind(ptype, kind):
    ex = yaml_ex(
        f"""
        Resources:
          Guard:
            Type: AWS::Organizations::Policy
            Properties:
              Type: {ptype}
              Content:
                Version: "2012-10-17"
                Statement:
                  - Effect: Deny
                    Principal: "*"
                    Action: "s3:DeleteBucket"
                    Resource: "arn:aws:s3:::logs"
        """
    )
    doc = doc_of(ex, "Guard", "Properties.Content")
    assert doc.kind is kind
    (stmt,) = doc.statements
    assert at(stmt.principal.entries[0].value) == (10, 24)
    assert at(stmt.action[0]) == (11, 21)
    assert at(stmt.resource[0]) == (12, 23)


def test_organizations_tag_policy_is_not_iam():
    ex = yaml_ex(
        """
        Resources:
          Tags:
            Type: AWS::Organizations::Policy
            Properties:
              Type: TAG_POLICY
              Content: {tags: {costcenter: {tag_key: {"@@assign": CostCenter}}}}
        """
    )
    assert ex.documents == []


def test_logs_resource_policy_block_string():
    """AWS::Logs::ResourcePolicy takes a JSON string; positions map line by line."""
    ex = yaml_ex(
        """
        Resources:
          DeliveryPolicy:
            Type: AWS::Logs::ResourcePolicy
            Properties:
              PolicyName: delivery
              PolicyDocument: |
                {
                  "Version": "2012-10-17",
                  "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "delivery.logs.amazonaws.com"},
                    "Action": "logs:PutLogEvents",
                    "Resource": "arn:aws:logs:eu-west-1:111122223333:log-group:/app:*"
                  }]
                }
        """
    )
    doc = doc_of(ex, "DeliveryPolicy")
    (stmt,) = doc.statements
    # "Principal" line: 12 spaces + '"Principal": ' (13) + '{"Service": ' (12) -> column 38
    assert at(stmt.principal.entries[0].value) == (11, 38)
    assert at(stmt.action[0]) == (12, 23)
    assert at(stmt.resource[0]) == (13, 25)
    assert at(doc) == (7, 9)  # the document is the JSON object, at its "{"


def test_logs_resource_policy_json_string_with_escapes():
    ex = json_ex(
        r"""
        {"Resources": {"P": {"Type": "AWS::Logs::ResourcePolicy", "Properties": {
          "PolicyName": "p",
          "PolicyDocument": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"es.amazonaws.com\"}, \"Action\": \"logs:*\", \"Resource\": \"*\"}]}"
        }}}}
        """
    )
    (stmt,) = doc_of(ex, "P").statements
    # the string's content starts at column 22; an escaped quote maps to its backslash
    assert at(stmt.principal.entries[0].value) == (3, 92)
    assert at(stmt.action[0]) == (3, 127)
    assert at(stmt.resource[0]) == (3, 153)


# -- identity policies and principals ---------------------------------------------------------------
def test_role_trust_inline_and_principal():
    ex = yaml_ex(
        """
        Resources:
          AppRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
              Policies:
                - PolicyName: app
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Allow
                        Action: s3:GetObject
                        Resource: arn:aws:s3:::b/*
        """
    )
    trust = doc_of(ex, "AppRole", "Properties.AssumeRolePolicyDocument")
    assert trust.kind is DocKind.TRUST and trust.principals == ("AppRole",)
    (t,) = trust.statements
    assert at(t.principal.entries[0].value) == (9, 34)
    assert at(t.action[0]) == (10, 21)
    inline = doc_of(ex, "AppRole", "Properties.Policies[0].PolicyDocument")
    assert inline.kind is DocKind.IDENTITY and inline.principals == ("AppRole",)
    assert isinstance(inline.name, Str) and inline.name.value == "app"
    (s,) = inline.statements
    assert at(s.action[0]) == (17, 25)
    assert at(s.resource[0]) == (18, 27)
    role = principal_of(ex, "AppRole")
    assert (role.kind, role.span.line, role.span.column, role.file) == ("role", 2, 3, "template.yaml")
    assert role.trust is trust and role.inline == (inline,)


@pytest.mark.parametrize("rtype,kind", [("AWS::IAM::User", "user"), ("AWS::IAM::Group", "group")])
def test_user_and_group_inline_policies(rtype, kind):
    ex = yaml_ex(
        f"""
        Resources:
          Who:
            Type: {rtype}
            Properties:
              Policies:
                - PolicyName: read
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: [s3:GetObject]
                        Resource: arn:aws:s3:::b/*
              ManagedPolicyArns:
                - arn:aws:iam::aws:policy/ReadOnlyAccess
        """
    )
    doc = doc_of(ex, "Who")
    assert doc.principals == ("Who",)
    (s,) = doc.statements
    assert at(s.action[0]) == (10, 26)
    assert at(s.resource[0]) == (11, 27)
    p = principal_of(ex, "Who")
    assert (p.kind, at(p)) == (kind, (2, 3))
    assert [(m.name, at(m.value)) for m in p.managed] == [("ReadOnlyAccess", (13, 11))]


ATTACHED = """\
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}}, Action: sts:AssumeRole}}
  Dev:
    Type: AWS::IAM::User
  Devs:
    Type: AWS::IAM::Group
    Properties:
      GroupName: developers
  P:
    Type: {type}
    Properties:
{attach}
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::b/*
"""


@pytest.mark.parametrize(
    "rtype,attach,expected",
    [
        (
            "AWS::IAM::Policy",
            "      PolicyName: p\n      Roles: [app]\n      Users: [!Ref Dev]\n      Groups: [developers]",
            ("AppRole", "Dev", "Devs"),
        ),
        (
            "AWS::IAM::ManagedPolicy",
            "      Roles: [!Ref AppRole]\n      Groups: [!Ref Devs]",
            ("AppRole", "Devs"),
        ),
        ("AWS::IAM::RolePolicy", "      PolicyName: p\n      RoleName: !Ref AppRole", ("AppRole",)),
        ("AWS::IAM::UserPolicy", "      PolicyName: p\n      UserName: !Ref Dev", ("Dev",)),
        ("AWS::IAM::GroupPolicy", "      PolicyName: p\n      GroupName: developers", ("Devs",)),
    ],
)
def test_attached_policy_resources(rtype, attach, expected):
    ex = yaml_ex(ATTACHED.format(type=rtype, attach=attach))
    doc = doc_of(ex, "P", "Properties.PolicyDocument")
    assert doc.kind is DocKind.IDENTITY
    assert doc.principals == expected
    (s,) = doc.statements
    line = 18 + attach.count("\n") + 3
    assert at(s.action[0]) == (line + 1, 21)
    assert at(s.resource[0]) == (line + 2, 23)
    for address in expected:
        p = principal_of(ex, address)
        if rtype == "AWS::IAM::ManagedPolicy":
            assert [m.document for m in p.managed] == [doc]
        else:
            assert doc in p.inline
    assert at(principal_of(ex, "Devs")) == (11, 3)


def test_sso_permission_set_inline_object_and_string():
    ex = yaml_ex(
        """
        Resources:
          Admins:
            Type: AWS::SSO::PermissionSet
            Properties:
              Name: admins
              InstanceArn: arn:aws:sso:::instance/ssoins-1
              ManagedPolicies: [arn:aws:iam::aws:policy/AdministratorAccess]
              InlinePolicy:
                Statement:
                  - Effect: Allow
                    Action: ec2:DescribeInstances
                    Resource: "*"
          Readers:
            Type: AWS::SSO::PermissionSet
            Properties:
              Name: readers
              InstanceArn: arn:aws:sso:::instance/ssoins-1
              InlinePolicy: '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}'
              PermissionsBoundary:
                ManagedPolicyArn: arn:aws:iam::aws:policy/PowerUserAccess
        """
    )
    admins = principal_of(ex, "Admins")
    assert admins.kind == "permission-set" and at(admins) == (2, 3)
    assert [m.name for m in admins.managed] == ["AdministratorAccess"]
    (s,) = admins.inline[0].statements
    assert at(s.action[0]) == (11, 21) and at(s.resource[0]) == (12, 23)
    readers = principal_of(ex, "Readers")
    (s,) = readers.inline[0].statements
    # the single-quoted string opens at column 21
    assert at(s.action[0]) == (18, 67)
    assert at(s.resource[0]) == (18, 95)
    assert readers.boundary is not None and readers.boundary.name == "PowerUserAccess"


# -- SAM ------------------------------------------------------------------------------------------
SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Policies:
        - AWSLambdaBasicExecutionRole
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess
        - S3ReadPolicy:
            BucketName: reports
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: arn:aws:dynamodb:eu-west-1:111122223333:table/t
        - Effect: Allow
          Action: sqs:SendMessage
          Resource: arn:aws:sqs:eu-west-1:111122223333:q
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Policies:
        Statement:
          - Effect: Allow
            Action: lambda:InvokeFunction
            Resource: !GetAtt Fn.Arn
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        ResourcePolicy:
          CustomStatements:
            - Effect: Allow
              Principal: {AWS: "arn:aws:iam::111122223333:root"}
              Action: execute-api:Invoke
              Resource: execute-api:/*
  Mine:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt Existing.Arn
"""


def test_sam_function_policies():
    ex = yaml_ex(SAM)
    role = principal_of(ex, "FnRole")
    assert (role.kind, at(role)) == ("function-role", (4, 3))
    assert [(m.name, values([m.value])[0]) for m in role.managed] == [
        ("AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"),
        ("AmazonS3ReadOnlyAccess", "arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"),
    ]
    template = doc_of(ex, "Fn", "Properties.Policies[2].S3ReadPolicy")  # test_sam_templates.py
    inline = doc_of(ex, "Fn", "Properties.Policies[3]")
    statements = doc_of(ex, "Fn", "Properties.Policies")
    assert role.inline == (template, inline, statements)
    assert template.policy_template == "S3ReadPolicy" and inline.policy_template is None
    assert at(template) == (11, 11)
    assert inline.principals == ("FnRole",) and inline.origin.owner_type == "AWS::Serverless::Function"
    (s,) = inline.statements
    assert at(s.action[0]) == (15, 23) and at(s.resource[0]) == (16, 25)
    (s,) = statements.statements
    assert at(s.action[0]) == (18, 19) and at(s.resource[0]) == (19, 21)


def test_sam_state_machine_api_and_explicit_role():
    ex = yaml_ex(SAM)
    machine = principal_of(ex, "MachineRole")
    (s,) = machine.inline[0].statements
    assert at(s.action[0]) == (26, 21)
    assert isinstance(s.resource[0], Unknown) and s.resource[0].text == "!GetAtt Fn.Arn"
    assert at(s.resource[0]) == (27, 23)
    api = doc_of(ex, "Api")
    assert (
        api.kind is DocKind.RESOURCE and api.origin.path == "Properties.Auth.ResourcePolicy.CustomStatements"
    )
    (s,) = api.statements
    assert at(s.principal.entries[0].value) == (36, 32)
    assert at(s.action[0]) == (37, 23) and at(s.resource[0]) == (38, 25)
    assert "MineRole" not in [p.address for p in ex.principals]  # SAM creates no role


def test_sam_policy_templates_scoped_by_their_parameters_are_clean(tmp_path):
    """Templates are expanded and linted (tests/test_sam_templates.py): scoped ones pass."""
    found = lint(
        tmp_path / "t.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - AWSLambdaBasicExecutionRole
                - DynamoDBCrudPolicy: {TableName: orders}
                - EC2DescribePolicy: {}
        """,
    )
    assert found == []


# -- CDK ------------------------------------------------------------------------------------------
def test_cdk_construct_path_in_origin_and_findings(tmp_path):
    text = """
        {
          "Resources": {
            "HandlerServiceRole8A1B2C3D": {
              "Type": "AWS::IAM::Role",
              "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}]},
                "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Action": "s3:*", "Effect": "Allow", "Resource": "arn:aws:s3:::b"}]}}]
              },
              "Metadata": {"aws:cdk:path": "AppStack/Handler/ServiceRole/Resource"}
            }
          }
        }
        """
    doc = doc_of(json_ex(text), "HandlerServiceRole8A1B2C3D", "Properties.Policies[0].PolicyDocument")
    assert doc.origin.construct == "AppStack/Handler/ServiceRole/Resource"
    assert doc.origin.label == "HandlerServiceRole8A1B2C3D (AppStack/Handler/ServiceRole/Resource)"
    path = tmp_path / "cdk.out" / "AppStack.template.json"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    report = Linter(default_registry()).run([str(path)])
    (finding,) = [f for f in report.findings if f.code == "IAM101"]
    assert (finding.span.line, finding.span.column) == (9, 22)
    assert finding.owner == "HandlerServiceRole8A1B2C3D (AppStack/Handler/ServiceRole/Resource)"


# -- YAML: short forms, duplicates, scalars ----------------------------------------------------------
def test_short_form_tags_become_long_forms():
    from iamlint.parse.cfn_yaml import load
    from iamlint.parse.nodes import to_plain

    root, problems = load(
        textwrap.dedent(
            """
            a: !Ref X
            b: !GetAtt R.Arn
            c: !GetAtt [R, Arn]
            d: !Sub "x-${AWS::Region}"
            e: !If [C, 1, 2]
            f: !Join ["-", [a, b]]
            g: !Select [0, !GetAZs ""]
            h: !Split [",", "a,b"]
            i: !FindInMap [M, K, V]
            j: !ImportValue shared
            k: !Equals [a, b]
            l: !Not [!Condition C]
            m: !And [!Condition C, !Condition D]
            n: !Or [!Condition C, !Condition D]
            o: !Base64 text
            p: !Cidr [10.0.0.0/16, 4, 8]
            q: !Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}
            r: !GetAtt "R.Endpoint.Address"
            """
        )
    )
    assert problems == []
    assert to_plain(root) == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["R", "Arn"]},
        "c": {"Fn::GetAtt": ["R", "Arn"]},
        "d": {"Fn::Sub": "x-${AWS::Region}"},
        "e": {"Fn::If": ["C", 1, 2]},
        "f": {"Fn::Join": ["-", ["a", "b"]]},
        "g": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "h": {"Fn::Split": [",", "a,b"]},
        "i": {"Fn::FindInMap": ["M", "K", "V"]},
        "j": {"Fn::ImportValue": "shared"},
        "k": {"Fn::Equals": ["a", "b"]},
        "l": {"Fn::Not": [{"Condition": "C"}]},
        "m": {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]},
        "n": {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]},
        "o": {"Fn::Base64": "text"},
        "p": {"Fn::Cidr": ["10.0.0.0/16", 4, 8]},
        "q": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}},
        "r": {"Fn::GetAtt": ["R", "Endpoint.Address"]},
    }
    # the value of a short form stands after its tag; GetAtt parts at their own columns
    assert root["a"]["Ref"].pos[:2] == (2, 9)
    assert [p.pos[:2] for p in root["b"]["Fn::GetAtt"]] == [(3, 12), (3, 14)]
    assert [p.pos[:2] for p in root["r"]["Fn::GetAtt"]] == [(19, 13), (19, 15)]


def test_yaml_scalars_keep_their_text():
    ex = yaml_ex(
        """
        Resources:
          B:
            Type: AWS::S3::BucketPolicy
            Properties:
              PolicyDocument:
                Version: 2012-10-17
                Statement:
                  - Effect: Allow
                    Principal: {AWS: 111122223333}
                    Action: s3:GetObject
                    Resource: arn:aws:s3:::b/*
                    Condition:
                      Bool: {aws:SecureTransport: true}
        """
    )
    doc = doc_of(ex, "B")
    assert doc.version == Str("2012-10-17", doc.version.span)  # a timestamp in YAML 1.1, a string here
    (s,) = doc.statements
    assert s.principal.entries[0].value.value == "111122223333"
    assert s.condition[0].values[0].value == "true"


def test_duplicate_keys_warn_with_both_positions_and_last_wins():
    ex = yaml_ex(
        """
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Action: s3:*
                    Resource: arn:aws:s3:::b/*
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: s3:PutObject
                    Action: s3:DeleteObject
                    Resource: arn:aws:s3:::b/*
        """
    )
    dups = [d for d in ex.diagnostics if d.code == "IAM902"]
    assert [(d.span.line, d.span.column) for d in dups] == [(11, 3), (18, 13)]
    assert "first at line 2" in dups[0].message and "first at line 17" in dups[1].message
    (doc,) = ex.documents
    assert values(doc.statements[0].action) == ["s3:DeleteObject"]
    jex = json_ex('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}, "B": {"Type": "AWS::S3::Bucket"}}}')
    assert codes(jex) == [("IAM902", 1, 50)]


# -- intrinsic functions ---------------------------------------------------------------------------
INTRINSICS = """\
Parameters:
  BucketArn:
    Type: String
    Default: arn:aws:s3:::fallback
  ActionParam:
    Type: String
    AllowedValues: ["s3:GetObject", "s3:*"]
  Stage:
    Type: String
Mappings:
  Regions:
    eu-west-1: {Action: "sqs:SendMessage"}
    us-east-1: {Action: "sqs:*"}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: !If [IsProd, "ec2:StartInstances", "ec2:*"]
            Resource:
              - !Ref BucketArn
              - !GetAtt Table.Arn
              - !ImportValue shared-bucket-arn
              - !Sub arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}-${AWS::Region}/*
              - !Sub ["arn:aws:s3:::${Name}/*", {Name: !Join ["-", [data, !Ref "AWS::AccountId"]]}]
              - !Sub "arn:aws:s3:::${Bucket}/*"
              - !Join ["", ["arn:", !Ref AWS::Partition, ":s3:::b/${!literal}"]]
              - !Ref AWS::NoValue
              - !If [IsProd, !Ref AWS::NoValue, arn:aws:s3:::dev/*]
          - Effect: Allow
            Action:
              - !FindInMap [Regions, !Ref "AWS::Region", Action]
              - !FindInMap [Regions, eu-west-1, Action]
              - !Ref ActionParam
            Resource: !Select [1, [a, "arn:aws:s3:::selected"]]
"""


def test_intrinsics_resolve_to_values():
    ex = yaml_ex(INTRINSICS)
    first, second = doc_of(ex, "P").statements
    assert [(v.value, at(v)) for v in first.action] == [("ec2:StartInstances", (23, 34)), ("ec2:*", (23, 56))]
    r = first.resource
    assert isinstance(r[0], Unknown) and (r[0].text, r[0].note, at(r[0])) == (
        "!Ref BucketArn",
        "Default: arn:aws:s3:::fallback",
        (25, 17),
    )
    assert isinstance(r[1], Unknown) and r[1].text == "!GetAtt Table.Arn"
    assert isinstance(r[2], Unknown) and r[2].text == "!ImportValue shared-bucket-arn"
    assert (r[3].value, at(r[3])) == (
        "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}-${AWS::Region}/*",
        (28, 22),
    )
    assert r[4].value == "arn:aws:s3:::data-${AWS::AccountId}/*"
    assert isinstance(r[5], Unknown) and r[5].text == "!Sub arn:aws:s3:::${Bucket}/*"
    assert r[6].value == "arn:${AWS::Partition}:s3:::b/${!literal}"
    assert (r[7].value, at(r[7])) == ("arn:aws:s3:::dev/*", (33, 49))
    assert len(r) == 8  # both AWS::NoValue are gone
    # FindInMap: every value of the table, where it is written; a literal key picks one
    assert [(v.value, at(v)) for v in second.action] == [
        ("sqs:SendMessage", (12, 25)),
        ("sqs:*", (13, 25)),
        ("sqs:SendMessage", (12, 25)),
        ("s3:GetObject", (7, 21)),
        ("s3:*", (7, 37)),
    ]
    assert values(second.resource) == ["arn:aws:s3:::selected"]


def test_intrinsic_values_are_linted_where_they_are_written(tmp_path):
    found = lint(tmp_path / "t.yaml", INTRINSICS)
    assert ("IAM101", 23, 56) in found  # the Fn::If false branch
    assert ("IAM101", 13, 25) in found  # a FindInMap value
    assert ("IAM101", 7, 37) in found  # an allowed value of the parameter
    assert ("IAM101", 23, 34) not in found


def test_json_long_forms_and_unknown_text():
    ex = json_ex(
        """
        {
          "Parameters": {"Arn": {"Type": "String"}},
          "Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
            "Statement": [{"Effect": "Allow", "Action": {"Fn::If": ["C", "s3:GetObject", {"Ref": "AWS::NoValue"}]},
              "Resource": [{"Fn::GetAtt": ["Role", "Arn"]}, {"Ref": "Arn"},
                           {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::b"]]}]}]}}}}
        }
        """
    )
    (s,) = doc_of(ex, "P").statements
    assert [(v.value, at(v)) for v in s.action] == [("s3:GetObject", (4, 66))]
    assert [v.text for v in s.resource[:2]] == ["Fn::GetAtt Role.Arn", "Ref Arn"]
    assert at(s.resource[0]) == (5, 20)
    assert s.resource[2].value == "arn:${AWS::Partition}:s3:::b"


def test_fn_if_in_statement_list_and_document():
    ex = yaml_ex(
        """
        Conditions:
          C: !Equals [a, b]
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument: !If
                - C
                - Statement:
                    - !If [C, {Effect: Allow, Action: "s3:GetObject", Resource: "*"}, !Ref AWS::NoValue]
                - Statement:
                    - {Effect: Allow, Action: "sqs:SendMessage", Resource: "*"}
        """
    )
    docs = [d for d in ex.documents if d.origin.owner == "P"]
    assert [values(d.statements[0].action) for d in docs] == [["s3:GetObject"], ["sqs:SendMessage"]]
    assert at(docs[0].statements[0].action[0]) == (10, 47)
    assert at(docs[1].statements[0].action[0]) == (12, 39)


# -- JSON policies inside strings ---------------------------------------------------------------------
STRING_POLICIES = r"""
Resources:
  Folded:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryPolicyText: >
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                        "Action": "ecr:BatchGetImage", "Resource": "*"}]}
  Quoted:
    Type: AWS::SQS::QueuePolicy
    Properties:
      PolicyDocument: "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",\n  \"Action\": \"sqs:SendMessage\", \"Resource\": \"\u002a\"}]}"
  Subbed:
    Type: AWS::SNS::TopicPolicy
    Properties:
      PolicyDocument: !Sub
        - |
          {"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish", "Resource": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic}"}]}
        - Topic: orders
  Joined:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument: !Join
        - ""
        - - '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "'
          - !Ref AWS::AccountId
          - '"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::'
          - !Ref Bucket
          - '/*"}]}'
  Resolved:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument: "{{resolve:ssm:/policies/bucket}}"
"""


def test_json_strings_are_parsed_with_positions_mapped():
    ex = yaml_ex(STRING_POLICIES)
    assert ex.diagnostics == []
    (s,) = doc_of(ex, "Folded").statements
    assert at(s.principal.entries[0].value) == (7, 65)
    assert at(s.action[0]) == (8, 35)
    assert at(s.resource[0]) == (8, 68)
    (s,) = doc_of(ex, "Quoted").statements
    # content from column 24; escaped quotes map to their backslash; the "\n" escape
    # starts a second line of the policy, still on line 12 of the file
    assert at(s.principal.entries[0].value) == (12, 80)
    assert at(s.action[0]) == (12, 102)
    assert (s.resource[0].value, at(s.resource[0])) == ("*", (12, 137))  # "\u002a"
    (s,) = doc_of(ex, "Subbed").statements
    assert at(s.action[0]) == (19, 23)
    assert (s.resource[0].value, at(s.resource[0])) == (
        "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:orders",
        (19, 50),
    )
    (s,) = doc_of(ex, "Joined").statements
    assert (s.principal.entries[0].value.value, at(s.principal.entries[0].value)) == (
        "${AWS::AccountId}",
        (26, 70),
    )
    assert at(s.action[0]) == (28, 28)
    assert isinstance(s.resource[0], Unknown) and s.resource[0].text == "!Sub arn:aws:s3:::${Bucket}/*"
    assert [d for d in ex.documents if d.origin.owner == "Resolved"] == []


def test_policy_string_that_does_not_parse():
    ex = yaml_ex(
        """
        Resources:
          Broken:
            Type: AWS::Logs::ResourcePolicy
            Properties:
              PolicyName: broken
              PolicyDocument: |
                {
                  "Statement": [{"Effect": "Allow", "Action" "logs:*"}]
                }
          Fine:
            Type: AWS::S3::BucketPolicy
            Properties:
              PolicyDocument:
                Statement: [{Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*"}]
        """
    )
    (err,) = ex.diagnostics
    # the value after "Action", where the ':' is missing
    assert (err.code, err.span.line, err.span.column) == ("IAM900", 8, 54)
    assert "not valid JSON: expected ':' after property name" in err.message
    assert [d.origin.owner for d in ex.documents] == ["Fine"]


def test_policy_string_with_a_trailing_comma_is_reported_and_linted():
    ex = yaml_ex(
        """
        Resources:
          Broken:
            Type: AWS::Logs::ResourcePolicy
            Properties:
              PolicyName: broken
              PolicyDocument: |
                {
                  "Statement": [{"Effect": "Allow", "Action": "logs:*",}]
                }
        """
    )
    (err,) = ex.diagnostics
    assert (err.code, err.span.line, err.span.column) == ("IAM900", 8, 63)
    assert err.message == "policy document is not valid JSON: trailing comma before '}'"
    assert [d.origin.owner for d in ex.documents] == ["Broken"]


# -- the attachment graph -------------------------------------------------------------------------
GRAPH = """\
Resources:
  App:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
        - !Join ["", ["arn:", !Ref AWS::Partition, ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]]
        - arn:aws:iam::aws:policy/IAMFullAccess
        - !Ref Shared
        - !Ref ExternalPolicyArn
      PermissionsBoundary: !Ref Boundary
  Shared:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Users: [!Ref Alice]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}]
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Devs, external-group]
      PermissionsBoundary: arn:aws:iam::aws:policy/PowerUserAccess
  Devs:
    Type: AWS::IAM::Group
    Properties:
      GroupName: developers
  Ops:
    Type: AWS::IAM::Group
  AddAliceToOps:
    Type: AWS::IAM::UserToGroupAddition
    Properties:
      GroupName: !Ref Ops
      Users: [!Ref Alice]
  AliceKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Alice
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Policies: [!Ref Shared]
  WorkerExtra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref WorkerRole]
      PolicyDocument:
        Statement: [{Effect: Allow, Action: sqs:SendMessage, Resource: arn:aws:sqs:eu-west-1:111122223333:q}]
"""


def test_attachment_graph():
    ex = yaml_ex(GRAPH)
    assert [(p.kind, p.address) for p in ex.principals] == [
        ("role", "App"),
        ("user", "Alice"),
        ("group", "external-group"),
        ("group", "Devs"),
        ("group", "Ops"),
        ("function-role", "WorkerRole"),
    ]
    shared = doc_of(ex, "Shared")
    boundary = doc_of(ex, "Boundary")
    assert shared.kind is DocKind.IDENTITY and set(shared.principals) == {"App", "Alice", "WorkerRole"}
    assert boundary.kind is DocKind.BOUNDARY

    app = principal_of(ex, "App")
    assert app.trust is doc_of(ex, "App")
    assert [m.name for m in app.managed] == [
        "AdministratorAccess",
        "AmazonECSTaskExecutionRolePolicy",
        "IAMFullAccess",
        None,
        None,
    ]
    assert app.managed[3].document is shared and app.managed[3].value.text == "!Ref Shared"
    assert at(app.managed[3].value) == (11, 11)
    assert isinstance(app.managed[4].value, Unknown) and app.managed[4].document is None
    assert app.boundary.document is boundary and app.boundary.value.text == "!Ref Boundary"

    alice = principal_of(ex, "Alice")
    assert alice.groups == ("Devs", "external-group", "Ops")
    assert [at(k) for k in alice.access_keys] == [(41, 3)]
    assert [m.document for m in alice.managed] == [shared]
    assert alice.boundary.name == "PowerUserAccess"

    worker = principal_of(ex, "WorkerRole")
    assert [m.document for m in worker.managed] == [shared]
    assert [d.origin.owner for d in worker.inline] == ["WorkerExtra"]
    assert doc_of(ex, "WorkerExtra").principals == ("WorkerRole",)


# -- detection and bad input --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,text",
    [
        (
            "deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    x: AWS::IAM::Role\n",
        ),
        (".github/workflows/ci.yml", "on: push\njobs:\n  deploy:\n    steps:\n      - run: echo AWS::\n"),
        ("serverless.yml", "service: x\nresources:\n  Resources:\n    R:\n      Type: AWS::S3::Bucket\n"),
    ],
)
def test_other_yaml_is_not_iac(name, text):
    assert extract_file(name, text) is None


def test_not_iac_via_cli(tmp_path, run_cli):
    (tmp_path / "k8s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\ndata:\n  note: AWS::Lambda\n")
    out = run_cli("--format", "json", tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["not_iac"] == 1


@pytest.mark.parametrize(
    "text,line,col,words",
    [
        (
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::S3::Bucket\n   Properties: {}\n",
            5,
            4,
            "invalid YAML",
        ),
        ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R: [a, b\n", 4, 1, "invalid YAML"),
        ("AWSTemplateFormatVersion: '2010-09-09'\n---\nResources: {}\n", 2, 1, "invalid YAML"),
        ("AWSTemplateFormatVersion: x\nResources:\n  A: b\x07\n", 3, 7, "control characters"),
    ],
)
def test_malformed_yaml(text, line, col, words):
    ex = extract_yaml("t.yaml", text)
    (err,) = ex.diagnostics
    assert (err.code, err.span.line, err.span.column) == ("IAM900", line, col)
    assert words in err.message
    assert ex.documents == []


def test_malformed_json_template():
    ex = extract_file("t.json", '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {,}\n}\n')
    (err,) = ex.diagnostics
    assert (err.code, err.span.line, err.span.column) == ("IAM900", 3, 17)


def test_unknown_tag_and_wrong_if_arity_keep_linting():
    ex = yaml_ex(
        """
        Resources:
          P:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: !If [IsProd, "s3:GetObject"]
                    Resource: !Rain::Embed policy.txt
                  - Effect: Allow
                    Action: "sqs:SendMessage"
                    Resource: arn:aws:sqs:eu-west-1:111122223333:q
        """
    )
    assert codes(ex) == [("IAM900", 8, 21), ("IAM907", 9, 23)]
    assert "Fn::If needs a list of 3 elements" in ex.diagnostics[0].message
    assert "unknown YAML tag !Rain::Embed" in ex.diagnostics[1].message
    assert (ex.diagnostics[1].span.end_line, ex.diagnostics[1].span.end_column) == (9, 35)
    first, second = doc_of(ex, "P").statements
    # a malformed intrinsic is an Unknown, as every intrinsic iamlint cannot resolve
    assert first.action == (Unknown('!If ["IsProd","s3:GetObject"]', first.action[0].span),)
    assert at(first.action[0]) == (8, 21)
    assert isinstance(first.resource[0], Unknown) and first.resource[0].text == "!Rain::Embed policy.txt"
    assert values(second.action) == ["sqs:SendMessage"]
    jex = json_ex(
        '{"Resources": {"P": {"Type": "AWS::SQS::QueuePolicy", "Properties": {"PolicyDocument": {"Fn::If": ["C", {}]}}}}}'
    )
    assert codes(jex) == [("IAM900", 1, 88)]


def _run_isolated(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (a crash must not take pytest down); it prints JSON."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_yaml_alias_bomb_stops_fast_and_small(tmp_path):
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for prev, cur in zip("abcdefghi", "bcdefghij", strict=False):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("Resources:\n  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *j")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    got = _run_isolated(
        f"""
import json, resource, time
from iamlint.extract.cloudformation import extract_yaml
text = open({str(path)!r}).read()
t = time.perf_counter()
ex = extract_yaml("bomb.yaml", text)
elapsed = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"elapsed": elapsed, "rss": rss, "diags": [(d.code, d.span.line, d.message) for d in ex.diagnostics]}}))
"""
    )
    assert got["elapsed"] < 2.0
    assert got["rss"] < 200 * 1024 * 1024
    ((code, line, message),) = got["diags"]
    assert code == "IAM900" and "alias bomb" in message


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("Resources: " + "[" * 100_000 + "]" * 100_000, 2),  # crashes libyaml's composer unchecked
        ("Resources:\n  X:\n    " + "- " * 60_000 + "x", 4),
        ("Resources:\n  X: " + "[" * 700 + "]" * 700, 3),
    ],
    ids=["flow-100k", "block-60k", "flow-700"],
)
def test_deep_nesting_is_a_diagnostic_not_a_crash(tmp_path, run_cli, body, line):
    """Whichever stops the nesting first (iamlint's depth check or libyaml's own limit, which
    depends on the PyYAML version), the user gets one IAM900 on the nested line, in
    iamlint's words, and the other files are still linted."""
    (tmp_path / "deep.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\n" + body + "\n")
    (tmp_path / "policy.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", '
        '"Resource": "arn:aws:s3:::reports/*"}]}\n'
    )
    out = run_cli("--isolated", "--format", "json", tmp_path)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    report = json.loads(out.stdout)
    found = {(f["file"].rsplit("/", 1)[-1], f["code"], f["line"]) for f in report["findings"]}
    assert ("policy.json", "IAM101", 1) in found
    (deep,) = [f for f in report["findings"] if f["file"].endswith("deep.yaml")]
    assert deep["code"] == "IAM900"
    assert deep["line"] == line  # the line where the nesting is
    assert "nesting deeper than 200 levels" in deep["message"]


def test_ten_megabyte_template(tmp_path):
    """A ~10 MB template: read, with a bad policy string reported in place and the rest linted."""
    role = textwrap.dedent(
        """\
          Role{i}:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement: [{{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}]
              Policies:
                - PolicyName: p{i}
                  PolicyDocument:
                    Statement:
                      - Effect: Allow
                        Action: [s3:GetObject, s3:PutObject]
                        Resource: !Sub arn:${{AWS::Partition}}:s3:::bucket-{i}/*
          Fn{i}:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: |
        {code}
        """
    )
    code = "\n".join(
        f"            print('line {n} of the inline handler source, padding the template')" for n in range(60)
    )
    parts = ["AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"]
    size, i = 0, 0
    while size < 10_000_000:
        chunk = role.format(i=i, code=code)
        parts.append(chunk)
        size += len(chunk)
        i += 1
    bad_line = sum(p.count("\n") for p in parts) + 6
    parts.append(
        "  Broken:\n    Type: AWS::Logs::ResourcePolicy\n    Properties:\n      PolicyName: x\n"
        '      PolicyDocument: |\n        {"Statement": [}\n'
        "  Last:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      PolicyDocument:\n"
        '        Statement: [{Effect: Allow, Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*"}]\n'
    )
    text = "".join(parts)
    assert len(text) >= 10_000_000
    ex = extract_yaml("big.yaml", text)
    assert codes(ex) == [("IAM900", bad_line, 24)]
    assert len(ex.documents) == 2 * i + 1
    (last,) = doc_of(ex, "Last").statements
    assert at(last.action[0]) == (bad_line + 5, 61)


def test_cli_bad_template_does_not_stop_the_others(tmp_path, run_cli):
    (tmp_path / "a-broken.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R: [a, b\n"
    )
    (tmp_path / "b-role.template").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17'\n        Statement:\n"
        "          - {Effect: Allow, Action: 's3:*', Resource: 'arn:aws:s3:::b/*'}\n"
    )
    out = run_cli("--format", "text", tmp_path)
    assert out.returncode == 2, out.stdout + out.stderr  # an input error wins over findings
    assert "Traceback" not in out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith(f"{tmp_path / 'a-broken.yaml'}:4:1: IAM900") for line in lines), lines
    assert any(line.startswith(f"{tmp_path / 'b-role.template'}:8:37: IAM101") for line in lines), lines


def test_extraction_is_deterministic():
    first = yaml_ex(GRAPH)
    second = yaml_ex(GRAPH)
    assert first.documents == second.documents
    assert first.principals == second.principals
    assert first.diagnostics == second.diagnostics


@pytest.mark.parametrize("template", ["INTRINSICS", "STRING_POLICIES", "GRAPH", "SAM"])
def test_pure_python_loader_gives_the_same_model(monkeypatch, template):
    """Without libyaml, PyYAML's SafeLoader is used; the model must not change."""
    import yaml

    from iamlint.parse import cfn_yaml

    text = globals()[template]
    fast = yaml_ex(text)
    monkeypatch.setattr(cfn_yaml, "_loader", lambda: (yaml, yaml.SafeLoader))
    slow = yaml_ex(text)
    assert slow.documents == fast.documents
    assert slow.principals == fast.principals
    assert slow.diagnostics == fast.diagnostics


def test_external_principals_named_by_the_template():
    """Principals defined elsewhere but named here still receive what this template attaches."""
    ex = yaml_ex(
        """
        Parameters:
          DeployRoleName:
            Type: String
        Resources:
          Key:
            Type: AWS::IAM::AccessKey
            Properties:
              UserName: legacy-jenkins
          Extra:
            Type: AWS::IAM::Policy
            Properties:
              PolicyName: extra
              Roles: [!Ref DeployRoleName]
              Users: [legacy-jenkins]
              PolicyDocument:
                Statement: [{Effect: Allow, Action: s3:GetObject, Resource: arn:aws:s3:::b/*}]
        """
    )
    jenkins = principal_of(ex, "legacy-jenkins")
    assert (jenkins.kind, at(jenkins)) == ("user", (8, 17))
    assert [at(k) for k in jenkins.access_keys] == [(5, 3)]
    deploy = principal_of(ex, "!Ref DeployRoleName")
    assert deploy.kind == "role" and at(deploy) == (13, 15)
    doc = doc_of(ex, "Extra")
    assert doc.principals == ("!Ref DeployRoleName", "legacy-jenkins")
    assert jenkins.inline == (doc,) and deploy.inline == (doc,)
