"""Every CloudFormation policy iamlint reads (issue 12, item 1): the types whose schemas hold a
policy document, the statements AWS writes for Lambda permissions and event bus policies,
OpenAPI resource policies, and the templates of stack sets, each at its exact place."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import without_ends

from iamlint.engine import Linter
from iamlint.extract.cloudformation.types import POLICY_PROPERTIES
from iamlint.model import DocKind
from iamlint.ruleset import default_registry

ROOT = Path(__file__).resolve().parent.parent
#: kinds whose Allow grants nothing by itself: IAM101 does not look at them
LIMITS_ONLY = (DocKind.SESSION, DocKind.ENDPOINT)
TABLE = [(t, path, kind) for t, props in POLICY_PROPERTIES.items() for path, kind in props]
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::reports/*"}],
}


def _nest(path: str, value: object) -> dict:
    """``{"A": {"B": [{"C": value}]}}`` for ``A.B[].C``."""
    head, _, rest = path.partition(".")
    inner = _nest(rest, value) if rest else value
    if head.endswith("[]"):
        return {head[:-2]: [inner]}
    return {head: inner}


def _template(rtype: str, path: str, fmt: str) -> str:
    tpl = {"Resources": {"R": {"Type": rtype, "Properties": _nest(path, POLICY)}}}
    if fmt == "json":
        return json.dumps(tpl, indent=2) + "\n"
    return yaml.safe_dump(tpl, sort_keys=False)


def _place(text: str, fmt: str) -> tuple[int, int]:
    """(line, column) of the ``"*"`` of ``"Action": "*"``, as written in the text."""
    m = re.search(r'"Action": ("\*")' if fmt == "json" else r"Action: ('\*')", text)
    assert m is not None
    before = text[: m.start(1)]
    return before.count("\n") + 1, m.start(1) - (before.rfind("\n") + 1) + 1


def _concrete(path: str) -> str:
    return "Properties." + path.replace("[]", "[0]")


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("rtype,path,kind", TABLE, ids=[f"{t} {p}" for t, p, _ in TABLE])
def test_every_policy_property_is_read_at_its_place(rtype, path, kind, fmt):
    text = _template(rtype, path, fmt)
    report = Linter(default_registry()).lint_text(f"stack.{fmt}", text)
    (fr,) = report
    docs = [d for d in fr.document_info]
    assert [(d.owner, d.owner_type, d.path, d.kind) for d in docs] == [
        ("R", rtype, _concrete(path), kind.value)
    ]
    line, col = _place(text, fmt)
    iam101 = [(f.span.line, f.span.column) for f in fr.findings if f.code == "IAM101"]
    assert iam101 == ([] if kind in LIMITS_ONLY else [(line, col)]), text
    assert not [f for f in fr.findings if f.code.startswith("IAM9")], fr.findings


def test_the_docs_table_is_the_extractor_table():
    """docs/extraction.md lists every type, property and kind iamlint reads, and only those."""
    doc = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(AWS::[^`]+)` \| `([^`]+)` \| (\w+) \|", doc, re.MULTILINE)
    assert sorted(rows) == sorted((t, p, k.value) for t, p, k in TABLE)


def test_a_policy_given_as_a_json_string_is_read_with_positions():
    text = textwrap.dedent(
        """\
        Resources:
          SftpUser:
            Type: AWS::Transfer::User
            Properties:
              Policy: |
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
          Logs:
            Type: AWS::Logs::Destination
            Properties:
              DestinationPolicy: '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "logs:*", "Resource": "*"}]}'
        """
    )
    (fr,) = Linter(default_registry()).lint_text("stack.yaml", text)
    assert [(d.owner, d.kind) for d in fr.document_info] == [("SftpUser", "session"), ("Logs", "resource")]
    found = sorted((f.code, f.span.line, f.span.column) for f in fr.findings)
    # 6 spaces, 'DestinationPolicy: ' and its quote: the JSON starts at column 27
    assert found == [("IAM101", 10, 90), ("IAM102", 10, 112), ("IAM402", 10, 75)]


# -- AWS IoT Core policies --------------------------------------------------------------------------
IOT = """\
Resources:
  DevicePolicy:
    Type: AWS::IoT::Policy
    Properties:
      PolicyName: thermostat
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
          - Effect: Allow
            Action: iot:Publish
            Resource: !Sub arn:aws:iot:${AWS::Region}:${AWS::AccountId}:topic/thermostat/${iot:Connection.Thing.ThingName}
            Principal: {AWS: arn:aws:iam::123456789012:root}
"""


def test_an_iot_policy_is_a_kind_of_its_own(run_cli, tmp_path):
    """IoT policies: identity-like, no principal; `"*"` is IAM101, a `"*"` resource of
    data-plane actions IAM102; they grant no IAM action, so no IAM401."""
    tpl = tmp_path / "device.yaml"
    tpl.write_text(IOT)
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    lines = [
        line.split(": ", 1)[0].rsplit(":", 2)[1:] + [line.split(" ")[1]]
        for line in without_ends(proc.stdout).splitlines()
        if ": IAM" in line
    ]
    assert lines == [
        ["10", "21", "IAM101"],
        ["11", "23", "IAM102"],
        ["15", "13", "IAM502"],
    ]
    assert "must not have a Principal in an AWS IoT Core policy" in proc.stdout
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_an_iot_policy_over_2048_characters_is_iam503(run_cli, tmp_path):
    resources = ", ".join(f'"arn:aws:iot:eu-west-1:123456789012:topic/sensors/{i:04d}"' for i in range(40))
    doc = f'{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "iot:Publish", "Resource": [{resources}]}}]}}'
    tpl = tmp_path / "device.json"
    tpl.write_text(
        json.dumps(
            {
                "Resources": {
                    "P": {"Type": "AWS::IoT::Policy", "Properties": {"PolicyDocument": json.loads(doc)}}
                }
            }
        )
    )
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM503", tpl, cwd=tmp_path)
    (line,) = proc.stdout.splitlines()[:1]
    assert "IAM503 AWS IoT Core policy P.Properties.PolicyDocument has 2,333 characters" in line
    assert line.endswith("AWS accepts at most 2,048")


def _findings(proc) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of a concise run's findings."""
    out = []
    for line in without_ends(proc.stdout).splitlines():
        m = re.match(r"^.*?:(\d+):(\d+): (IAM\d+) (.*)$", line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)))
    return out


# -- statements AWS writes ------------------------------------------------------------------------
PERMISSIONS = """\
Parameters:
  Caller: {Type: String}
  Partner: {Type: String}
Resources:
  Public:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Handler.Arn
      Action: lambda:InvokeFunction
      Principal: "*"
  PublicUrl:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:InvokeFunctionUrl
      Principal: "*"
      FunctionUrlAuthType: NONE
  SignedUrl:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:InvokeFunctionUrl
      Principal: "*"
      FunctionUrlAuthType: AWS_IAM
  FromBucket:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:InvokeFunction
      Principal: s3.amazonaws.com
      SourceArn: arn:aws:s3:::acme-uploads
      SourceAccount: !Ref AWS::AccountId
  FromOrganization:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:InvokeFunction
      Principal: "*"
      PrincipalOrgID: o-a1b2c3d4e5
  FromParameter:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:InvokeFunction
      Principal: !Ref Caller
  FromPartnerRole:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Handler
      Action: lambda:*
      Principal: !Sub arn:aws:iam::${Partner}:role/invoker
"""


def test_lambda_permissions_are_the_statements_aws_writes(run_cli, tmp_path):
    tpl = tmp_path / "permissions.yaml"
    tpl.write_text(PERMISSIONS)
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    public = 'Allow statement is open to any principal ("*") without a condition that narrows the callers'
    assert _findings(proc) == [
        (10, 18, "IAM402", public),
        (
            16,
            18,
            "IAM402",
            public + ": a public function URL (FunctionUrlAuthType NONE), anyone may invoke it",
        ),
        (
            45,
            18,
            "IAM906",
            "the Principal of this Lambda permission (!Ref Caller) is not known: whether it lets "
            "everyone or another account invoke the function was not checked",
        ),
        (50, 15, "IAM101", 'Allow statement grants every action of lambda ("lambda:*") (135 actions)'),
    ]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    report = json.loads(run_cli("--format", "json", "--isolated", tpl, cwd=tmp_path).stdout)
    docs = report["files"][0]["documents"]
    assert [(d["owner"], d["owner_type"], d["kind"], d["property"]) for d in docs] == [
        (name, "AWS::Lambda::Permission", "resource", "Properties")
        for name in (
            "Public",
            "PublicUrl",
            "SignedUrl",
            "FromBucket",
            "FromOrganization",
            "FromParameter",
            "FromPartnerRole",
        )
    ]


def test_a_lambda_permission_in_json_with_a_public_principal(run_cli, tmp_path):
    tpl = tmp_path / "permission.json"
    tpl.write_text(
        '{"Resources": {"Invoke": {"Type": "AWS::Lambda::Permission", "Properties": {\n'
        '  "FunctionName": {"Ref": "Handler"},\n'
        '  "Action": "lambda:InvokeFunction",\n'
        '  "Principal": "*"\n'
        "}}}}\n"
    )
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert [f[:3] for f in _findings(proc)] == [(4, 16, "IAM402")]


EVENT_BUS = """\
Resources:
  Everyone:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: everyone
      Action: events:PutEvents
      Principal: "*"
  Organization:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: organization
      Action: events:PutEvents
      Principal: "*"
      Condition:
        Type: StringEquals
        Key: aws:PrincipalOrgID
        Value: o-a1b2c3d4e5
  Partner:
    Type: AWS::Events::EventBusPolicy
    Properties:
      EventBusName: orders
      StatementId: partner
      Statement:
        Effect: Allow
        Principal: {AWS: arn:aws:iam::111122223333:root}
        Action: events:*
        Resource: !Sub arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/orders
"""


def test_event_bus_policies_in_both_forms(run_cli, tmp_path):
    tpl = tmp_path / "bus.yaml"
    tpl.write_text(EVENT_BUS)
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert [f[:3] for f in _findings(proc)] == [(7, 18, "IAM402"), (26, 17, "IAM101")]
    report = json.loads(run_cli("--format", "json", "--isolated", tpl, cwd=tmp_path).stdout)
    docs = report["files"][0]["documents"]
    assert [(d["owner"], d["property"], d["line"]) for d in docs] == [
        ("Everyone", "Properties", 5),
        ("Organization", "Properties", 11),
        ("Partner", "Properties.Statement", 24),
    ]


# -- OpenAPI definitions ----------------------------------------------------------------------------
OPENAPI = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: "3.0.1"
        info: {title: orders}
        x-amazon-apigateway-policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
  SamApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: "3.0.1"
        x-amazon-apigateway-policy:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
            - Effect: Deny
              Principal: "*"
              Action: execute-api:Invoke
              Resource: execute-api:/*
              Condition: {StringNotEquals: {aws:SourceVpce: vpce-0123456789abcdef0}}
  IncludedApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: ./openapi.yaml
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        x-amazon-apigateway-policy: {Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "*"}]}
"""


def test_openapi_resource_policies_are_read_where_an_openapi_body_sits(run_cli, tmp_path):
    tpl = tmp_path / "api.yaml"
    tpl.write_text(OPENAPI)
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert _findings(proc) == [
        (
            13,
            26,
            "IAM402",
            'API resource policy lets any principal ("*") invoke the API: it is public unless its methods '
            "require authorization (AWS_IAM, a Cognito or Lambda authorizer) or a condition such as "
            "aws:SourceVpce or aws:SourceIp narrows the callers",
        ),
        (
            38,
            9,
            "IAM906",
            "the OpenAPI definition in DefinitionBody is included from ./openapi.yaml by AWS::Include: "
            "its x-amazon-apigateway-policy, the API's resource policy, is not checked",
        ),
    ]
    report = json.loads(run_cli("--format", "json", "--isolated", tpl, cwd=tmp_path).stdout)
    docs = report["files"][0]["documents"]
    # HTTP APIs have no resource policies: AWS ignores the extension there, and so does iamlint
    assert [(d["owner"], d["property"], d["line"], d["column"]) for d in docs] == [
        ("RestApi", "Properties.Body.x-amazon-apigateway-policy", 10, 11),
        ("SamApi", "Properties.DefinitionBody.x-amazon-apigateway-policy", 23, 11),
    ]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


# -- stack sets -------------------------------------------------------------------------------------
STACK_SET_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Baseline:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: baseline
      PermissionModel: SERVICE_MANAGED
      TemplateBody: |
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          AuditAccount: {Type: String}
        Resources:
          AuditRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: !Sub "arn:aws:iam::${AuditAccount}:root"}
                    Action: sts:AssumeRole
              Policies:
                - PolicyName: everything
                  PolicyDocument:
                    Statement:
                      - {Effect: Allow, Action: "*", Resource: "*"}
          Tagged:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: !Rain::Embed name.txt
"""


def test_a_stack_set_template_is_linted_with_positions_in_the_outer_file(run_cli, tmp_path):
    tpl = tmp_path / "stackset.yaml"
    tpl.write_text(STACK_SET_YAML)
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM101,IAM202,IAM907", tpl, cwd=tmp_path)
    assert _findings(proc) == [
        (
            19,
            43,
            "IAM202",
            "trust policy lets the account in parameter AuditAccount assume this role without an "
            "sts:ExternalId, aws:PrincipalOrgID or MFA condition",
        ),
        (25, 49, "IAM101", 'Allow statement grants every action ("*")'),
        (
            29,
            27,
            "IAM907",
            "unknown YAML tag !Rain::Embed: not a CloudFormation intrinsic function, its value is not "
            "evaluated; a rain directive: lint the template that 'rain pkg' produces",
        ),
    ]
    concise = run_cli("--isolated", "--select", "IAM101", tpl, cwd=tmp_path).stdout
    assert "[Baseline/AuditRole]" in concise
    report = json.loads(run_cli("--format", "json", "--isolated", tpl, cwd=tmp_path).stdout)
    assert [(d["owner"], d["kind"], d["line"]) for d in report["files"][0]["documents"]] == [
        ("Baseline/AuditRole", "trust", 17),
        ("Baseline/AuditRole", "identity", 24),
    ]


def test_a_stack_set_template_in_a_json_string(run_cli, tmp_path):
    """The corpus's -pkg.json form: a YAML template in a JSON string, positions through its escapes."""
    body = (
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  QueuePolicy:\n    Type: AWS::SQS::QueuePolicy\n"
        "    Properties:\n      Queues: [!Ref Queue]\n      PolicyDocument:\n        Statement:\n"
        '          - Effect: Allow\n            Principal: "*"\n            Action: sqs:SendMessage\n'
        "            Resource: !GetAtt Queue.Arn\n"
    )
    outer = {
        "Resources": {
            "Spread": {"Type": "AWS::CloudFormation::StackSet", "Properties": {"TemplateBody": body}}
        }
    }
    tpl = tmp_path / "stackset.json"
    tpl.write_text(json.dumps(outer, indent=2) + "\n")
    text = tpl.read_text()
    col = text.split("\n")[5].index('Principal: \\"*\\"') + len("Principal: ") + 1
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert [f[:3] for f in _findings(proc)] == [(6, col, "IAM402")]
    assert "Spread/QueuePolicy" in run_cli("--isolated", tpl, cwd=tmp_path).stdout


@pytest.mark.parametrize(
    "body,line,col,message",
    [
        (
            "      TemplateBody: |\n        Resources:\n          Role: [unclosed\n",
            7,
            26,
            "the TemplateBody of this stack set is not a template: invalid YAML",
        ),
        (
            "      TemplateBody: just some words\n",
            5,
            21,
            "the TemplateBody of this stack set is not a template: it declares no resource with a Type",
        ),
    ],
)
def test_a_stack_set_body_that_is_not_a_template_is_iam900_in_the_outer_file(
    run_cli, tmp_path, body, line, col, message
):
    tpl = tmp_path / "stackset.yaml"
    tpl.write_text(
        "Resources:\n  Spread:\n    Type: AWS::CloudFormation::StackSet\n    Properties:\n"
        + body
        + "  Policy:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        '      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}\n'
    )
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM101,IAM900", tpl, cwd=tmp_path)
    (error, wildcard) = _findings(proc)
    assert error[:3] == (line, col, "IAM900") and error[3].startswith(message)
    assert wildcard[2:] == ("IAM101", 'Allow statement grants every action ("*")')  # the rest is linted
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# -- bad input --------------------------------------------------------------------------------------
BAD = """\
Resources:
  Bus:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: many
      Statement:
        - {Effect: Allow, Principal: "*", Action: events:PutEvents}
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: reports
      Action: lambda:InvokeFunction
      Principal: {Fn::ImportValue: shared-Caller}
  Spread:
    Type: AWS::CloudFormation::StackSet
    Properties:
      TemplateBody: '{"Resources": {"Queue": 1}}'
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body: '{"x-amazon-apigateway-policy": [}'
  Included:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body: {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://acme/api.yaml"}}}
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
"""


def test_bad_input_is_one_clear_diagnostic_each_and_the_rest_is_linted(run_cli, tmp_path):
    tpl = tmp_path / "bad.yaml"
    tpl.write_text(BAD)
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM101,IAM9", tpl, cwd=tmp_path)
    assert _findings(proc) == [
        (7, 9, "IAM900", "Statement of an AWS::Events::EventBusPolicy is one statement (a map), not a list"),
        (
            13,
            18,
            "IAM906",
            "the Principal of this Lambda permission (Fn::ImportValue shared-Caller) is not known: whether it lets "
            "everyone or another account invoke the function was not checked",
        ),
        (
            17,
            21,
            "IAM900",
            "the TemplateBody of this stack set is not a template: it declares no resource with a Type",
        ),
        (21, 46, "IAM900", "the OpenAPI definition in Body is not valid JSON: expected a value, found '}'"),
        (
            25,
            13,
            "IAM906",
            "the OpenAPI definition in Body is included from s3://acme/api.yaml by AWS::Include: its "
            "x-amazon-apigateway-policy, the API's resource policy, is not checked",
        ),
        (29, 60, "IAM101", 'Allow statement grants every action ("*")'),
    ]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def _nested_stack_sets(depth: int) -> str:
    """A stack set whose template is a stack set ... ``depth`` levels deep, in JSON strings."""
    inner = {
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                },
            }
        }
    }
    for _ in range(depth):
        inner = {
            "Resources": {
                "Set": {
                    "Type": "AWS::CloudFormation::StackSet",
                    "Properties": {"TemplateBody": json.dumps(inner)},
                }
            }
        }
    return json.dumps(inner)


def test_stack_sets_nested_in_stack_sets_are_read_to_a_bound_in_bounded_time(tmp_path):
    """Each level doubles the escapes of the one inside; past 8 levels, IAM906 says the rest
    is not read. Run in a subprocess with a generous timeout: a regression cannot hang."""
    import subprocess
    import sys

    found = {}
    for depth in (3, 12):
        path = tmp_path / f"nested{depth}.json"
        path.write_text(_nested_stack_sets(depth))
        proc = subprocess.run(
            [sys.executable, "-m", "iamlint", "--format", "json", "--isolated", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Traceback" not in proc.stderr
        found[depth] = [(f["code"], f["owner"]) for f in json.loads(proc.stdout)["findings"]]
    assert ("IAM101", "Set/Set/Set/Policy") in found[3]
    assert [code for code, _ in found[12]] == ["IAM906"]  # the policy 12 levels down is named, not read
