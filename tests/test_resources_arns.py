"""Resources and ARNs (issue 11, item 4): IAM504 resource-mismatch, IAM505 invalid-arn,
IAM506 redundant-element, duplicate Sids as IAM502, the ARN types extractors give references,
and the bad input of the issue (ARNs of 10,000 colons, 10,000 resources, numbers and maps).

Each defect the issue describes is linted as a user lints it: a file in tmp_path, the
installed ``iamlint`` in a subprocess (with a timeout, so that no regression hangs the suite).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from iamlint.api import Str, Unknown, arn_fields, pattern_covers
from iamlint.catalogue import get
from iamlint.extract import extract_file, extract_module
from iamlint.extract.cloudformation.types import ARN_ATTRIBUTES as CFN_ARNS
from iamlint.extract.terraform.types import ARN_ATTRIBUTES as TF_ARNS
from iamlint.model import Span

SPAN = Span("p.json", 1, 1, 1, 2)


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2) + "\n"


def lint_json(run_cli, tmp_path: Path, text: str, *args: str, name: str = "policy.json"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run_cli("--format", "json", *args, name, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, json.loads(proc.stdout)["findings"]


def where(findings, code: str) -> list[tuple[int, int, int, int]]:
    return [(f["line"], f["column"], f["end_line"], f["end_column"]) for f in findings if f["code"] == code]


# -- IAM504 resource-mismatch ----------------------------------------------------------------------
def test_put_object_on_a_bucket_arn_grants_nothing(run_cli, tmp_path):
    text = policy({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports"})
    proc, found = lint_json(run_cli, tmp_path, text)
    assert proc.returncode == 1
    (f,) = [f for f in found if f["code"] == "IAM504"]
    assert (f["file"], f["line"], f["column"], f["end_column"]) == ("policy.json", 7, 19, 41)
    assert f["severity"] == "warning"
    assert f["message"] == (
        's3:PutObject applies to accesspointobject or object resources, not to "arn:aws:s3:::reports" '
        '(a bucket ARN): the statement grants nothing on it; did you mean "arn:aws:s3:::reports/*"?'
    )


def test_the_issues_other_mismatches(run_cli, tmp_path):
    text = policy(
        {"Effect": "Allow", "Action": "s3:ListBucketVersions", "Resource": "arn:aws:s3:::reports/*"},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs"},
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::reports"},
    )
    proc, found = lint_json(run_cli, tmp_path, text)
    messages = [f["message"] for f in found if f["code"] == "IAM504"]
    assert messages[0].startswith("s3:ListBucketVersions applies to accesspoint or bucket resources, not to")
    assert messages[0].endswith('did you mean "arn:aws:s3:::reports"?')
    assert "(a queue ARN)" in messages[1] and messages[1].startswith("sns:Publish applies to topic resources")
    assert messages[2].startswith('s3:ListAllMyBuckets accepts only "*"')
    assert where(found, "IAM504") == [(7, 19, 7, 43), (12, 19, 12, 60), (17, 19, 17, 41)]


def test_what_aws_documents_beyond_the_reference_is_no_mismatch(run_cli, tmp_path):
    """Precision on the corpus: a * ending the account field runs over the colons that follow
    (AWS's Redshift Query Editor v2 policies name secrets so), a value broader than a
    documented ARN names it too (the SAM transform), the EKS Connector's sessions, and
    CodeConnections ARNs for CodeStar Connections actions."""
    allow = [
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:sqlworkbench!*"),
        ("cloudformation:*", "arn:aws:cloudformation:*:*:transform/*"),
        ("ssm:StartSession", "arn:aws:eks:*:*:cluster/*"),
        ("codestar-connections:UseConnection", "arn:aws:codeconnections:*:*:connection/*"),
    ]
    still = [  # no * to run over the colons, or no colon in the format to run to
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:sqlworkbench!*"),
        ("ec2:DeleteSecurityGroup", "arn:aws:ec2:*:*:instance/*"),
        ("cloudformation:DeleteStack", "arn:aws:cloudformation:*:*:transform/*"),
    ]
    text = policy(*({"Effect": "Allow", "Action": a, "Resource": r} for a, r in allow + still))
    proc, found = lint_json(run_cli, tmp_path, text)
    assert proc.returncode == 1
    assert [(f["line"], f["message"].partition(",")[0]) for f in found if f["code"] == "IAM504"] == [
        (27, "secretsmanager:GetSecretValue applies to Secret resources"),
        (32, "ec2:DeleteSecurityGroup applies to security-group resources"),
        (37, "cloudformation:DeleteStack applies to stack resources"),
    ]


def test_a_getatt_of_a_queue_is_a_queue_arn(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  Jobs:\n"
        "    Type: AWS::SQS::Queue\n"
        "  Policy:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: [sns:Publish]\n"
        "            Resource: [!GetAtt Jobs.Arn, !GetAtt Jobs.QueueName, !Ref Jobs]\n"
    )
    proc = run_cli("-f", "concise", "t.yaml", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == [
        't.yaml:12:24-12.40: warning: IAM504 sns:Publish applies to topic resources, not to "!GetAtt Jobs.Arn" '
        "(a queue ARN): the statement grants nothing on it"
    ]


def test_a_terraform_reference_is_typed_by_its_resource_type(tmp_path):
    (tmp_path / "main.tf").write_text(
        'data "aws_iam_policy_document" "d" {\n'
        "  statement {\n"
        '    actions   = ["sns:Publish"]\n'
        "    resources = [aws_sqs_queue.q.arn, data.aws_kms_key.k.arn, aws_sqs_queue.q.id,"
        ' aws_sqs_queue.q[0].arn, "${aws_sqs_queue.q.arn}", "${aws_sqs_queue.q.arn}/x"]\n'
        "  }\n"
        "}\n"
        'resource "aws_iam_policy" "p" {\n'
        "  policy = data.aws_iam_policy_document.d.json\n"
        "}\n"
    )
    main = str(tmp_path / "main.tf")
    ex = extract_module(str(tmp_path), [main], {main: (tmp_path / "main.tf").read_text()})[main]
    (doc,) = ex.documents
    got = [(v.text, v.arn_types) for v in doc.statements[0].resource or () if isinstance(v, Unknown)]
    assert got == [
        ("aws_sqs_queue.q.arn", ("sqs:queue",)),
        ("data.aws_kms_key.k.arn", ("kms:key",)),
        ("aws_sqs_queue.q.id", ()),  # a queue's id is its URL
        ("aws_sqs_queue.q[0].arn", ("sqs:queue",)),
        ("${aws_sqs_queue.q.arn}", ("sqs:queue",)),
        ("${aws_sqs_queue.q.arn}/x", ()),
    ]


def test_cloudformation_refs_are_typed_only_when_they_give_an_arn(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "Resources": {
                    "Topic": {"Type": "AWS::SNS::Topic"},
                    "Bucket": {"Type": "AWS::S3::Bucket"},
                    "Logs": {"Type": "AWS::Logs::LogGroup"},
                    "P": {
                        "Type": "AWS::IAM::ManagedPolicy",
                        "Properties": {
                            "PolicyDocument": {
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "s3:GetObject",
                                        "Resource": [
                                            {"Ref": "Topic"},
                                            {"Ref": "Bucket"},
                                            {"Fn::GetAtt": ["Bucket", "Arn"]},
                                            {"Fn::GetAtt": "Logs.Arn"},
                                            {"Fn::GetAtt": ["Missing", "Arn"]},
                                        ],
                                    }
                                ]
                            }
                        },
                    },
                }
            }
        )
    )
    ex = extract_file(str(path), path.read_text())
    assert ex is not None
    (doc,) = ex.documents
    assert [v.arn_types for v in doc.statements[0].resource or () if isinstance(v, Unknown)] == [
        ("sns:topic",),
        (),  # a bucket's Ref is its name
        ("s3:bucket",),
        ("logs:log-group", "logs:log-stream"),  # the group's Arn ends with ":*"
        (),
    ]


@pytest.mark.parametrize("table", [CFN_ARNS, TF_ARNS], ids=["cloudformation", "terraform"])
def test_every_arn_type_of_the_extractor_tables_is_in_the_catalogue(table):
    cat = get()
    for resource_type, attributes in table.items():
        for attribute, types in attributes.items():
            for name in types:
                service, _, type_name = name.partition(":")
                assert cat.resource_type(service, type_name) is not None, (resource_type, attribute, name)


# -- IAM505 invalid-arn ------------------------------------------------------------------------------
def test_a_13_digit_account_id(run_cli, tmp_path):
    text = policy(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1234567890123:role/ci"}
    )
    proc, found = lint_json(run_cli, tmp_path, text)
    assert proc.returncode == 1
    (f,) = found
    assert (f["code"], f["severity"], f["line"], f["column"]) == ("IAM505", "error", 7, 19)
    assert f["message"] == "account id '1234567890123' has 13 digits, not 12"


@pytest.mark.parametrize(
    "value, message",
    [
        ("arn:aws:iam::12345678901:role/ci", "account id '12345678901' has 11 digits, not 12"),
        ("arn:aws:iam:eu-west-1:123456789012:role/ci", "iam ARNs have no region: remove 'eu-west-1'"),
        (
            "arn:aws:s3::123456789012:reports",
            "s3 bucket and object ARNs have no account id: remove '123456789012'",
        ),
        ("arn:aws-eu:s3:::reports", "unknown partition 'aws-eu'"),
        (
            "arn:aws:s3::reports",
            "an ARN has 6 fields (arn:partition:service:region:account-id:resource); this one has 5",
        ),
        ("reports", "'reports' is not an ARN"),
        ("arn:aws:s3:::home/${aws:username", "policy variable '${aws:username' has no closing '}'"),
        ("arn:aws:sqs::123456789012:jobs", "the region is missing: sqs ARNs have one"),
    ],
)
def test_malformed_arns(run_cli, tmp_path, value, message):
    text = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": value})
    _, found = lint_json(run_cli, tmp_path, text)
    got = [f["message"] for f in found if f["code"] == "IAM505"]
    assert len(got) == 1 and got[0].startswith(message), got


def test_valid_arns_pseudo_values_and_variables_pass(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: iam:PassRole\n"
        "            Resource:\n"
        "              - !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-*\n"
        "          - Effect: Allow\n"
        "            Action: s3:GetObject\n"
        "            Resource: arn:aws:s3:::home/${aws:username}/*\n"
    )
    proc = run_cli("-f", "concise", "t.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_a_lambda_permission_may_name_its_function(run_cli, tmp_path):
    """Lambda's AddPermission takes a function's name, alias or partial ARN beside its ARN:
    only an ARN is judged."""
    permission = (
        "  {0}:\n"
        "    Type: AWS::Lambda::Permission\n"
        "    Properties:\n"
        "      FunctionName: {1}\n"
        "      Action: lambda:InvokeFunction\n"
        "      Principal: s3.amazonaws.com\n"
        "      SourceAccount: '123456789012'\n"
    )
    names = ["reports", "reports:live", "'123456789012:function:reports'"]
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        + "".join(permission.format(f"P{i}", n) for i, n in enumerate(names))
        + permission.format("Bad", "arn:aws:lambda:us-east-1:12345678901:function:reports")
    )
    proc = run_cli("-f", "json", "--select", "IAM505", "t.yaml", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert [(f["line"], f["column"], f["message"]) for f in found] == [
        (26, 21, "account id '12345678901' has 11 digits, not 12")
    ]


def test_a_terraform_lambda_permission_may_name_its_function(run_cli, tmp_path):
    permission = (
        'resource "aws_lambda_permission" "{0}" {{\n'
        '  action         = "lambda:InvokeFunction"\n'
        '  function_name  = "{1}"\n'
        '  principal      = "s3.amazonaws.com"\n'
        '  source_account = "123456789012"\n'
        "}}\n"
    )
    (tmp_path / "main.tf").write_text(
        permission.format("named", "reports")
        + permission.format("bad", "arn:aws:lambda:us-east-1:12345678901:function:reports")
    )
    proc = run_cli("-f", "json", "--select", "IAM505", ".", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    found = json.loads(proc.stdout)["findings"]
    assert [(f["file"], f["line"], f["column"], f["message"]) for f in found] == [
        ("main.tf", 9, 20, "account id '12345678901' has 11 digits, not 12")
    ]


def test_principals(run_cli, tmp_path):
    text = policy(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": ["123456789012", "1234567890", "arn:aws:iam::*:root", "alice"],
                "Service": [
                    "lambda.amazonaws.com",
                    "logs.eu-west-1.amazonaws.com",
                    # Route 53 DNSSEC's principal in a KMS key policy (Route 53 API Reference,
                    # CreateKeySigningKey): AWS's internal suffix is a service principal too
                    "api-service.dnssec.route53.aws.internal",
                    "lambda",
                    "*",
                ],
            },
            "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs",
        }
    )
    _, found = lint_json(run_cli, tmp_path, text)
    assert [f["message"].split(":")[0] for f in found if f["code"] == "IAM505"] == [
        "account id '1234567890' has 10 digits, not 12",
        "a principal ARN cannot hold a wildcard",
        "'alice' is not an AWS principal",
        "'lambda' is not a service principal",
        'a Service principal cannot be "*"',
    ]


# -- IAM506 redundant-element ------------------------------------------------------------------------
def test_an_action_a_wildcard_covers_is_reported_at_the_item(run_cli, tmp_path):
    text = policy(
        {
            "Effect": "Allow",
            "Action": ["sqs:*", "sqs:SendMessage", "dynamodb:Get*", "dynamodb:GetItem"],
            "Resource": "arn:aws:sqs:eu-west-1:123456789012:jobs",
        }
    )
    proc, found = lint_json(run_cli, tmp_path, text)
    redundant = [f for f in found if f["code"] == "IAM506"]
    # exactly the item, quotes included: what a fix deletes
    assert where(found, "IAM506") == [(8, 9, 8, 26), (10, 9, 10, 27)]
    assert [f["message"] for f in redundant] == [
        '"sqs:SendMessage" is redundant: "sqs:*" (line 7) already covers it in this Action list',
        '"dynamodb:GetItem" is redundant: "dynamodb:Get*" (line 9) already covers it in this Action list',
    ]
    assert {f["severity"] for f in redundant} == {"info"}
    assert proc.returncode == 1


def test_covered_resources_and_duplicate_statements(run_cli, tmp_path):
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/*"],
    }
    _, found = lint_json(run_cli, tmp_path, policy(statement, dict(statement, Sid="Again")))
    assert [(f["line"], f["message"]) for f in found if f["code"] == "IAM506"] == [
        (
            9,
            '"arn:aws:s3:::b/logs/*" is redundant: "arn:aws:s3:::b/*" (line 8) already covers it in this Resource list',
        ),
        (12, "this statement repeats the statement on line 4: delete one"),
        (
            17,
            '"arn:aws:s3:::b/logs/*" is redundant: "arn:aws:s3:::b/*" (line 16) already covers it in this Resource list',
        ),
    ]


def test_long_references_that_differ_after_their_shown_text_are_not_duplicates(run_cli, tmp_path):
    """Precision on the corpus: iamlint shows an unresolved value's source text cut at 160
    characters; a table's ARN and its indexes' (the same !Join but for "/index/*") are two."""
    join = (
        '!Join [\'\', ["arn:", "aws:", "dynamodb:", !Ref "AWS::Region", ":",'
        ' !Ref "AWS::AccountId", ":", "table/", !Ref JobsTableWithALongName'
    )
    statement = (
        "          - Effect: Allow\n"
        "            Action: dynamodb:Query\n"
        "            Resource:\n"
        f"              - {join}]]\n"
        f'              - {join}, "/index/*"]]\n'
    )
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  JobsTableWithALongName:\n"
        "    Type: AWS::DynamoDB::Table\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        + statement
        + statement.replace("dynamodb:Query", "dynamodb:Scan")
        + statement.replace("/index/*", "/index/byDate")
    )
    proc = run_cli("-f", "json", "--select", "IAM506", "t.yaml", cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert (proc.returncode, json.loads(proc.stdout)["findings"]) == (0, [])


def test_the_branches_of_an_if_are_not_items_of_one_list(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Conditions:\n"
        "  Wide: !Equals [a, b]\n"
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: s3:GetObject\n"
        "            Resource: !If [Wide, 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/logs/*']\n"
        "          - !If\n"
        "            - Wide\n"
        "            - {Sid: Read, Effect: Allow, Action: s3:PutObject, Resource: 'arn:aws:s3:::b/*'}\n"
        "            - {Sid: Read, Effect: Allow, Action: s3:PutObject, Resource: 'arn:aws:s3:::b/*'}\n"
    )
    proc = run_cli("-f", "concise", "t.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


# -- IAM502: duplicate Sids ---------------------------------------------------------------------------
def test_a_duplicate_sid_is_an_error_in_an_identity_policy(run_cli, tmp_path):
    text = policy(
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"},
    )
    proc, found = lint_json(run_cli, tmp_path, text)
    (f,) = found
    assert (f["code"], f["severity"], f["line"], f["column"]) == ("IAM502", "error", 11, 14)
    assert f["message"] == "duplicate Sid 'Read' (also on line 5): IAM requires unique Sids in a policy"


def test_a_duplicate_sid_is_a_warning_in_a_bucket_policy(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  BP:\n"
        "    Type: AWS::S3::BucketPolicy\n"
        "    Properties:\n"
        "      Bucket: b\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - {Sid: R, Effect: Allow, Principal: {AWS: '123456789012'}, Action: s3:GetObject,"
        " Resource: 'arn:aws:s3:::b/*'}\n"
        "          - {Sid: R, Effect: Allow, Principal: {AWS: '123456789012'}, Action: s3:ListBucket,"
        " Resource: 'arn:aws:s3:::b'}\n"
    )
    proc = run_cli("-f", "json", "t.yaml", cwd=tmp_path)
    (f,) = json.loads(proc.stdout)["findings"]
    assert (f["code"], f["severity"], f["line"]) == ("IAM502", "warning", 10)


# -- bad input ------------------------------------------------------------------------------------------
def lint_in_time(run_cli, tmp_path: Path, name: str, text: str, budget: float = 30.0):
    (tmp_path / name).write_text(text, encoding="utf-8")
    start = time.monotonic()
    proc = run_cli("-f", "json", name, cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert "Traceback" not in proc.stderr, proc.stderr
    assert elapsed < budget, f"took {elapsed:.1f} s"
    return proc, json.loads(proc.stdout)["findings"]


def test_an_arn_of_ten_thousand_colons(run_cli, tmp_path):
    colons = "arn" + ":" * 10_000
    long_role = "arn:aws:iam::123456789012:role/" + ":" * 10_000
    text = policy(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [colons, long_role]},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": colons},
        {"Effect": "Allow", "Principal": {"AWS": colons}, "Action": "sts:AssumeRole"},
    )
    proc, found = lint_in_time(run_cli, tmp_path, "colons.json", text)
    assert proc.returncode == 1
    assert [(f["code"], f["message"]) for f in found if f["code"] in ("IAM504", "IAM505", "IAM506")] == [
        ("IAM505", "the partition is empty (arn:partition:service:region:account-id:resource)"),
        ("IAM505", "the partition is empty (arn:partition:service:region:account-id:resource)"),
        ("IAM505", "the partition is empty (arn:partition:service:region:account-id:resource)"),
    ]


def test_ten_thousand_resources_in_one_statement(run_cli, tmp_path):
    # distinct wildcards sharing a head: the worst case of pairwise coverage, bounded
    resources = [f"arn:aws:s3:::bucket/{i}*x" for i in range(10_000)] + ["arn:aws:s3:::bucket/1*x"]
    actions = [f"s3:Get{i}*" for i in range(2_000)] + ["s3:GetObject", "s3:GetObject"]
    text = policy({"Effect": "Allow", "Action": actions, "Resource": resources})
    proc, found = lint_in_time(run_cli, tmp_path, "many.json", text)
    redundant = [f for f in found if f["code"] == "IAM506"]
    # the duplicates are always found, whatever the bound on comparisons
    assert any(f["message"].startswith('"arn:aws:s3:::bucket/1*x" is a duplicate') for f in redundant)
    assert any(f["message"].startswith('"s3:GetObject" is a duplicate') for f in redundant)


def test_a_resource_that_is_a_number_or_a_map(run_cli, tmp_path):
    text = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": [5, {"Bucket": "b"}, None]})
    proc, found = lint_in_time(run_cli, tmp_path, "odd.json", text)
    assert [(f["line"], f["message"]) for f in found] == [
        (
            8,
            "'5' is not an ARN: a Resource is \"*\" or an ARN (arn:partition:service:region:account-id:resource)",
        ),
        (9, "a Resource value is a string, not a map"),
    ]


# -- the helpers -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "general, specific, covered",
    [
        ("s3:Get*", "s3:GetObject", True),
        ("s3:Get*", "s3:GetObject*", True),
        ("s3:GetObject*", "s3:Get*", False),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/logs/*", True),
        ("arn:aws:s3:::b/logs/*", "arn:aws:s3:::b/*", False),
        ("a?c", "a*c", False),
        ("a*c", "a?c", True),
        ("*x*", "*x*x*", True),
        ("*x*x*", "*x*", False),
        ("a**b", "a*b", True),
    ],
)
def test_pattern_covers(general, specific, covered):
    assert pattern_covers(general, specific) is covered


def test_pattern_covers_is_linear():
    start = time.monotonic()
    assert pattern_covers("a" + "*b" * 3000, "a" + "b" * 20_000)
    assert not pattern_covers("a" + "*b" * 3000 + "c", "a" + "b" * 20_000 + "d")
    assert time.monotonic() - start < 5


def test_arn_fields_mask_variables_and_canonical_pseudo_values():
    value = Str(
        "arn:${AWS::Partition}:s3:::b/${aws:username}/*", SPAN, (("${AWS::Partition}", _partition()),)
    )
    assert arn_fields(value) == ("arn", "aws", "s3", "", "", "b/\x1a/*")
    assert arn_fields(Str("arn:aws:s3", SPAN)) is None
    assert arn_fields(Str("s3:::b", SPAN)) is None


def _partition():
    from iamlint.model import Pseudo

    return Pseudo.PARTITION
