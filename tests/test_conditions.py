"""Conditions as AWS reads them: keys (IAM203), keys the actions evaluate (IAM204), operators
and values (IAM205), and condition blocks that are not what the grammar allows (IAM502).

Each test lints real files written in tmp_path the way a user runs iamlint (a subprocess, with
a timeout, so that a regression that hangs fails instead of hanging the suite).
"""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

_CONCISE = re.compile(r"^(.*?:\d+:\d+)-\d+\.\d+: (?:error|warning|info): ")


def lines(text: str) -> list[str]:
    """The lines of concise output as ``file:line:col: CODE message``: the end of each range
    is checked by the fixtures, severities through the JSON output (see `severities`)."""
    return [_CONCISE.sub(r"\1: ", line) for line in text.splitlines() if line]


def lint(run_cli, tmp_path, name: str, text: str, *flags: str) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    proc = run_cli("-f", "concise", *flags, name, cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    return proc


def policy(condition: str, action: str = '"s3:GetObject"', effect: str = "Allow") -> str:
    """A one-statement policy whose Condition (written on line 7) is ``condition``."""
    return (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [{\n'
        f'    "Effect": "{effect}",\n'
        f'    "Action": {action},\n'
        '    "Resource": "arn:aws:s3:::reports/*",\n'
        f'    "Condition": {condition}\n'
        "  }]\n"
        "}\n"
    )


# -- condition blocks the grammar does not allow: a clear IAM502, never silence ---------------------
def test_a_condition_that_is_a_list_is_a_grammar_error_not_silently_ignored(run_cli, tmp_path):
    proc = lint(run_cli, tmp_path, "p.json", policy('[{"Bool": {"aws:SecureTransport": "true"}}]'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == ["p.json:7:18: IAM502 Condition must be a map of operators, not a list"]


def test_a_condition_value_that_is_a_map_is_a_grammar_error(run_cli, tmp_path):
    proc = lint(run_cli, tmp_path, "p.json", policy('{"StringEquals": {"aws:userid": {"a": "b"}}}'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:50: IAM502 the value of condition key 'aws:userid' must be a string, a number or a "
        "boolean, or a list of them, not a map"
    ]


def test_a_cloudformation_intrinsic_as_a_condition_value_is_no_map(run_cli, tmp_path):
    template = (
        "Parameters:\n"
        "  Vpc: {Type: String}\n"
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        '        Version: "2012-10-17"\n'
        "        Statement:\n"
        "          - Effect: Deny\n"
        "            Action: s3:GetObject\n"
        "            Resource: arn:aws:s3:::reports/*\n"
        "            Condition:\n"
        "              StringNotEquals: {aws:SourceVpc: !Ref Vpc, aws:userid: {Ref: Vpc}}\n"
    )
    proc = lint(run_cli, tmp_path, "t.yaml", template)
    assert (proc.returncode, proc.stdout) == (0, "")


# -- the catalogue: every spelling of a tag-key template ----------------------------------------------
def test_tag_keys_the_service_authorization_reference_writes_as_tag_key_or_nothing_resolve():
    """Secrets Manager's key is ``secretsmanager:ResourceTag/tag-key`` in the SAR, Glacier's
    ``glacier:ResourceTag/``: both are templates, or every Secrets Manager tag condition would
    be unknown."""
    from iamlint import catalogue

    cat = catalogue.get()
    ck = cat.condition_key("secretsmanager:ResourceTag/App")
    assert ck is not None and (ck.name, ck.variable, ck.is_template) == (
        "secretsmanager:ResourceTag/tag-key",
        "App",
        True,
    )
    assert cat.condition_key("glacier:ResourceTag/vault-owner").variable == "vault-owner"
    assert cat.honours("secretsmanager:GetSecretValue", "secretsmanager:ResourceTag/App")
    # ssm:DeregisterManagedInstance lists ssm:resourceTag/tag-key; the lookup gives ${TagKey}
    assert cat.condition_key("ssm:resourceTag/team").name == "ssm:resourceTag/${TagKey}"
    assert cat.honours("ssm:DeregisterManagedInstance", "ssm:resourceTag/team")
    assert "ssm:DeregisterManagedInstance" in cat.actions_honouring("ssm:resourceTag/team")
    assert not cat.honours("s3:PutObject", "s3:delimiter")


def test_null_with_ifexists_says_why_it_is_not_an_operator(run_cli, tmp_path):
    """Access Analyzer's "Null with if exists": IAM502 names the mistake, and nothing else
    reports the same operator again."""
    proc = lint(run_cli, tmp_path, "p.json", policy('{"NullIfExists": {"aws:TokenIssueTime": "true"}}'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:19: IAM502 condition operator 'NullIfExists': IfExists cannot be added to Null, which "
        "itself tests whether the key is in the request"
    ]


# -- IAM203 unknown-condition-key -------------------------------------------------------------------
def test_a_misspelt_global_key_is_an_error_with_did_you_mean(run_cli, tmp_path):
    """The issue's example: aws:SouceIp passed silently; Access Analyzer calls it an error."""
    proc = lint(run_cli, tmp_path, "p.json", policy('{"IpAddress": {"aws:SouceIp": "203.0.113.0/24"}}'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:33: IAM203 unknown global condition key aws:SouceIp (did you mean aws:SourceIp?): "
        "no request carries it, so this Allow never applies"
    ]
    as_json = json.loads(run_cli("-f", "json", "p.json", cwd=tmp_path).stdout)["findings"]
    assert [(f["code"], f["severity"], f["end_column"]) for f in as_json] == [("IAM203", "error", 46)]


def test_the_key_is_shown_as_written_and_matched_in_any_case(run_cli, tmp_path):
    proc = lint(
        run_cli,
        tmp_path,
        "p.json",
        policy('{"Bool": {"AWS:SecureTRANSPORT": "true", "AWS:SecureTransprot": "true"}}'),
    )
    assert lines(proc.stdout) == [
        "p.json:7:59: IAM203 unknown global condition key AWS:SecureTransprot (did you mean aws:SecureTransport?): "
        "no request carries it, so this Allow never applies"
    ]


def test_a_deny_guarded_by_an_unknown_key_never_applies(run_cli, tmp_path):
    proc = lint(
        run_cli,
        tmp_path,
        "p.json",
        policy('{"Bool": {"aws:SecureTransprt": "false"}}', action='"s3:*"', effect="Deny"),
    )
    assert lines(proc.stdout) == [
        "p.json:7:28: IAM203 unknown global condition key aws:SecureTransprt (did you mean aws:SecureTransport?): "
        "no request carries it, so this Deny never applies"
    ]


def test_a_key_of_another_service_and_of_the_statements_own_service(run_cli, tmp_path):
    cond = '{"StringEquals": {"ec2:InstanceType": "t3.micro", "s3:ExistingObjectTag/team": "data"}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert lines(proc.stdout) == [
        "p.json:7:36: IAM203 condition key ec2:InstanceType belongs to ec2, not to the services of this "
        "statement's actions (s3): no request carries it, so this Allow never applies",
    ]


def test_a_tag_key_form_of_another_service_is_reported(run_cli, tmp_path):
    """A tag-key form with its tag key is still a key of one service: s3:ExistingObjectTag/team
    is not in an ec2 request, and aws:ResourceTag/team (global) is."""
    cond = '{"StringEquals": {"aws:ResourceTag/team": "data", "s3:ExistingObjectTag/team": "data"}}'
    # an instance, not the object of the other tests (which IAM504 reports beside ec2:StartInstances)
    text = policy(cond, action='"ec2:StartInstances"').replace(
        "arn:aws:s3:::reports/*", "arn:aws:ec2:*:*:instance/*"
    )
    proc = lint(run_cli, tmp_path, "p.json", text)
    assert lines(proc.stdout) == [
        "p.json:7:68: IAM203 condition key s3:ExistingObjectTag/team belongs to s3, not to the services of "
        "this statement's actions (ec2): no request carries it, so this Allow never applies",
    ]
    assert "Traceback" not in proc.stderr


def test_keys_the_catalogue_lists_for_an_action_of_another_service_are_seen(run_cli, tmp_path):
    """sts:AssumeRole acts on an IAM role: iam:ResourceTag/... is in its request."""
    cond = '{"StringEquals": {"iam:ResourceTag/team": "${aws:PrincipalTag/team}"}}'
    text = policy(cond, action='"sts:AssumeRole"').replace(
        "arn:aws:s3:::reports/*", "arn:aws:iam::123456789012:role/team/*"
    )
    proc = lint(run_cli, tmp_path, "p.json", text)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_every_service_is_seen_by_a_wildcard_or_notaction_statement_but_unknown_keys_are_not(
    run_cli, tmp_path
):
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"ec2:Region": "eu-west-1", "aws:RequestedRegoin": "eu-west-1"}
                },
            },
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"s3:ExistingObjectTag/x": "true", "foo:Bar": "true"}},
            },
        ],
    }
    proc = lint(run_cli, tmp_path, "p.json", json.dumps(doc, indent=1))
    found = [line.split(": ", 1)[1] for line in lines(proc.stdout)]
    assert found == [
        "IAM203 unknown global condition key aws:RequestedRegoin (did you mean aws:RequestedRegion?): "
        "no request carries it, so it does not narrow this Deny",
        "IAM203 unknown condition key foo:Bar: no service has the prefix 'foo' in the catalogue of 2026-11-30: "
        "no request carries it, so this Deny never applies",
    ]


def test_a_policy_variable_in_a_key_is_reported_and_in_a_value_is_not(run_cli, tmp_path):
    cond = '{"StringEquals": {"aws:ResourceTag/${aws:PrincipalTag/team}": "yes", "aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert lines(proc.stdout) == [
        "p.json:7:36: IAM203 condition key aws:ResourceTag/${aws:PrincipalTag/team} holds a policy variable: "
        "AWS replaces variables in condition values and in Resource, never in keys, so no request carries this key"
    ]


def test_a_tag_key_form_without_its_tag_key_and_a_value_that_is_no_key(run_cli, tmp_path):
    cond = '{"StringEquals": {"aws:RequestTag/": "x", "SourceVpce": "vpce-1"}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert lines(proc.stdout) == [
        "p.json:7:36: IAM203 condition key aws:RequestTag/ needs a tag key (aws:RequestTag/tag-key): "
        "no request carries it, so this Allow never applies",
        "p.json:7:60: IAM203 'SourceVpce' is not a condition key: keys are written service:name, such as "
        "aws:SourceIp (did you mean aws:SourceVpce?)",
    ]


def test_federation_keys_and_keys_aws_writes_itself_are_known(run_cli, tmp_path):
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/site:*"},
                },
            },
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/okta"},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            },
        ],
    }
    topic = {  # the default SNS topic policy AWS writes, aws:SourceOwner and all
        "Version": "2008-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["SNS:Publish", "SNS:Subscribe"],
                "Resource": "arn:aws:sns:eu-west-1:123456789012:alerts",
                "Condition": {"StringEquals": {"AWS:SourceOwner": "123456789012"}},
            }
        ],
    }
    template = {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": trust}},
            "Topic": {"Type": "AWS::SNS::Topic"},
            "TopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": topic},
            },
        }
    }
    proc = lint(run_cli, tmp_path, "t.json", json.dumps(template, indent=1))
    assert [line for line in lines(proc.stdout) if "IAM2" in line] == []


def test_terraform_keys_iamlint_cannot_resolve_are_not_judged_and_resolved_ones_are(run_cli, tmp_path):
    """A heredoc's "aws:${local.k}" key used to reach the rules masked ("aws:xxxxxxxxxx"), and a
    key of an unresolved variable as its source text: neither is the user's key."""
    tf = """\
variable "key" {
  type = string
}

locals {
  k = "SouceIp"
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
    condition {
      test     = "StringEquals"
      variable = var.key
      values   = ["x"]
    }
  }
}

resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.p.json
}

resource "aws_iam_policy" "q" {
  policy = <<EOT
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
  "Resource": "arn:aws:s3:::reports/*",
  "Condition": {"IpAddress": {"aws:${local.k}": "203.0.113.0/24", "aws:ResourceTag/${var.key}": "203.0.113.0/24"}}}]}
EOT
}
"""
    proc = lint(run_cli, tmp_path, "m/main.tf", tf)
    assert lines(proc.stdout) == [
        "m/main.tf:29:31: IAM203 unknown global condition key aws:SouceIp (did you mean aws:SourceIp?): no "
        "request carries it, so this Allow never applies"
    ]


# -- IAM204 condition-key-not-applicable ------------------------------------------------------------
def severities(run_cli, tmp_path, name: str) -> list[tuple[str, str, int, int]]:
    out = json.loads(run_cli("-f", "json", name, cwd=tmp_path).stdout)["findings"]
    return [(f["code"], f["severity"], f["line"], f["column"]) for f in out]


def test_a_key_the_action_never_evaluates_is_reported_with_what_it_does(run_cli, tmp_path):
    """The issue's example: s3:delimiter on s3:PutObject is never in the request."""
    proc = lint(
        run_cli,
        tmp_path,
        "p.json",
        policy('{"StringEquals": {"s3:delimiter": "/"}}', action='"s3:PutObject"'),
    )
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:36: IAM204 condition key s3:delimiter is never in the request of s3:PutObject (it is a key of "
        "s3:ListBucket, s3:ListBucketVersions): StringEquals is never true without it, so this Allow never applies"
    ]
    assert severities(run_cli, tmp_path, "p.json") == [("IAM204", "warning", 7, 36)]


@pytest.mark.parametrize(
    ("effect", "operator", "consequence", "severity"),
    [
        (
            "Deny",
            "StringEquals",
            "StringEquals is never true without it, so this Deny never applies",
            "error",
        ),
        (
            "Deny",
            "StringNotEquals",
            "StringNotEquals is always true without it, so it does not narrow this Deny",
            "warning",
        ),
        (
            "Allow",
            "StringEqualsIfExists",
            "StringEqualsIfExists is always true without it, so it does not restrict this Allow",
            "error",
        ),
        (
            "Allow",
            "ForAnyValue:StringEquals",
            "ForAnyValue:StringEquals is never true without it, so this Allow never applies",
            "warning",
        ),
    ],
)
def test_the_severity_says_whether_the_policy_lets_through_more_than_it_says(
    run_cli, tmp_path, effect, operator, consequence, severity
):
    cond = f'{{"{operator}": {{"s3:x-amz-acl": "public-read"}}}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond, effect=effect))
    (line,) = [line for line in lines(proc.stdout) if ": IAM204 " in line]
    assert line.endswith(": " + consequence), line
    assert [s[:2] for s in severities(run_cli, tmp_path, "p.json") if s[0] == "IAM204"] == [
        ("IAM204", severity)
    ]


def test_wildcard_actions_are_expanded_and_one_that_evaluates_the_key_is_enough(run_cli, tmp_path):
    ok = lint(
        run_cli, tmp_path, "ok.json", policy('{"StringEquals": {"s3:delimiter": "/"}}', action='"s3:List*"')
    )
    assert (ok.returncode, ok.stdout) == (0, "")
    bad = lint(
        run_cli,
        tmp_path,
        "bad.json",
        policy('{"StringEquals": {"s3:delimiter": "/"}}', action='"s3:Delete*"'),
    )
    found = [line for line in lines(bad.stdout) if ": IAM204 " in line]
    assert found == [
        "bad.json:7:36: IAM204 condition key s3:delimiter is never in the request of s3:Delete* (it is a key of "
        "s3:ListBucket, s3:ListBucketVersions): StringEquals is never true without it, so this Allow never applies"
    ]


def test_statements_iamlint_cannot_fully_read_are_not_judged(run_cli, tmp_path):
    """Every action, an unknown one, an unresolved one, one only cfn-lint knows (whose keys the
    catalogue lacks), and a key no action lists (aws-marketplace:AgreementType): no IAM204."""
    star = policy('{"StringEquals": {"s3:delimiter": "/"}}', action='"*"', effect="Deny")
    typo = policy('{"StringEquals": {"s3:delimiter": "/"}}', action='["s3:PutObject", "s3:ListBuckt"]')
    new = policy(
        '{"StringEquals": {"partnercentral:Catalog": "AWS"}}',
        action='"partnercentral:CreateRevenueAttribution"',
    )
    unlisted = policy(
        '{"StringEquals": {"aws-marketplace:AgreementType": "x"}}', action='"aws-marketplace:Subscribe"'
    )
    template = (
        "Parameters:\n"
        "  Action: {Type: String}\n"
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        '        Version: "2012-10-17"\n'
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: [s3:PutObject, !Ref Action]\n"
        "            Resource: arn:aws:s3:::reports/*\n"
        "            Condition: {StringEquals: {s3:delimiter: /}}\n"
    )
    cases = {
        "star.json": star,
        "typo.json": typo,
        "new.json": new,
        "unlisted.json": unlisted,
        "t.yaml": template,
    }
    for name, text in cases.items():
        (tmp_path / "d").mkdir(exist_ok=True)
        (tmp_path / "d" / name).write_text(text, encoding="utf-8")
    proc = run_cli("-f", "concise", "--select", "IAM204", "d", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


# -- IAM205 condition-value-mismatch --------------------------------------------------------------
def test_the_issues_values_are_reported_at_the_value(run_cli, tmp_path):
    """ "Bool": {"aws:MultiFactorAuthPresent": "yes"} and an IpAddress of 10.0.0.256/16 passed
    silently; Access Analyzer reports both."""
    cond = '{"Bool": {"aws:MultiFactorAuthPresent": "yes"}, "IpAddress": {"aws:SourceIp": "10.0.0.256/16"}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:58: IAM205 Bool compares true or false, not 'yes'; Bool never matches, so this Allow never applies",
        "p.json:7:96: IAM205 '10.0.0.256/16' is not an IP address or CIDR range; IpAddress never matches, so this "
        "Allow never applies",
    ]


def test_a_deny_whose_values_can_never_match_is_an_error(run_cli, tmp_path):
    cond = '{"Bool": {"aws:SecureTransport": "no"}}'
    proc = lint(run_cli, tmp_path, "p.json", policy(cond, action='"s3:*"', effect="Deny"))
    assert lines(proc.stdout) == [
        "p.json:7:51: IAM205 Bool compares true or false, not 'no'; Bool never matches, so this Deny never applies"
    ]
    assert severities(run_cli, tmp_path, "p.json") == [("IAM205", "error", 7, 51)]


@pytest.mark.parametrize(
    ("operator", "key", "value", "expected"),
    [
        (
            "NumericLessThan",
            "aws:username",
            '"10"',
            "NumericLessThan compares Numeric values, but aws:username is a String key",
        ),
        (
            "Bool",
            "aws:SourceIp",
            '"true"',
            "Bool compares Bool values, but aws:SourceIp is an IPAddress key: use IpAddress",
        ),
        (
            "DateGreaterThan",
            "aws:MultiFactorAuthAge",
            '"2026-01-01"',
            "DateGreaterThan compares Date values, but aws:MultiFactorAuthAge is a Numeric key",
        ),
        (
            "IpAddress",
            "aws:SourceVpc",
            '"10.0.0.0/16"',
            "IpAddress compares IPAddress values, but aws:SourceVpc is a String key",
        ),
        (
            "NumericLessThan",
            "aws:CurrentTime",
            '"1"',
            "NumericLessThan compares Numeric values, but aws:CurrentTime is a Date key",
        ),
    ],
)
def test_an_operator_of_another_type_than_its_key_is_reported_at_the_operator(
    run_cli, tmp_path, operator, key, value, expected
):
    proc = lint(run_cli, tmp_path, "p.json", policy(f'{{"{operator}": {{"{key}": {value}}}}}'))
    (line,) = lines(proc.stdout)
    assert line.startswith(f"p.json:7:19: IAM205 {expected}"), line


def test_values_and_operators_that_fit_are_not_reported(run_cli, tmp_path):
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": "arn:aws:sqs:eu-west-1:123456789012:q",
                "Condition": {
                    # String operators may compare ARN keys, ARN operators String keys holding ARNs
                    "StringLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"},
                    "ArnEquals": {
                        "aws:PrincipalArn": "arn:aws:iam::123456789012:role/${aws:PrincipalTag/role}"
                    },
                    "DateGreaterThan": {
                        "aws:EpochTime": "1767225600",
                        "aws:TokenIssueTime": "2026-01-01T00:00:00+01:00",
                    },
                    "NumericLessThanEquals": {
                        "aws:EpochTime": 1798761599,
                        "aws:MultiFactorAuthAge": "3600.5",
                    },
                    "Bool": {"aws:SecureTransport": True, "aws:ViaAWSService": "${aws:ViaAWSService}"},
                    "IpAddress": {"aws:SourceIp": ["203.0.113.7", "2001:DB8:1234:5678::/64"]},
                    "StringEquals": {"aws:username": "${aws:username}", "aws:userid": "AIDA*"[:4]},
                    "ForAnyValue:StringLike": {
                        "aws:TagKeys": ["team-*"],
                        "aws:PrincipalOrgPaths": ["o-1/r-1/*"],
                    },
                    "Null": {"aws:SourceVpc": "TRUE"},
                },
            }
        ],
    }
    proc = lint(run_cli, tmp_path, "p.json", json.dumps(doc, indent=1))
    assert (proc.returncode, proc.stdout) == (0, "")


def test_values_iamlint_cannot_resolve_are_never_judged(run_cli, tmp_path):
    template = (
        "Parameters:\n"
        "  Cidr: {Type: String, Default: not-a-cidr}\n"
        "  Mfa: {Type: String}\n"
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        '        Version: "2012-10-17"\n'
        "        Statement:\n"
        "          - Effect: Deny\n"
        "            Action: s3:*\n"
        "            Resource: arn:aws:s3:::reports/*\n"
        "            Condition:\n"
        "              NotIpAddress: {aws:SourceIp: !Ref Cidr}\n"
        "              Bool: {aws:MultiFactorAuthPresent: !Ref Mfa}\n"
    )
    proc = lint(run_cli, tmp_path, "t.yaml", template)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_set_operators_on_single_valued_keys_and_null(run_cli, tmp_path):
    cond = (
        '{"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}, "ForAnyValue:StringEquals": {"aws:PrincipalAccount": "1"}, '
        '"ForAnyValue:Null": {"aws:TokenIssueTime": "true"}}'
    )
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert [line.split(" IAM205 ", 1)[1] for line in lines(proc.stdout)] == [
        "ForAllValues:StringEquals on aws:SourceVpc, a single-valued key: ForAllValues is also true when the request "
        "has no aws:SourceVpc, so this Allow applies without it; use StringEquals",
        "ForAnyValue:StringEquals on aws:PrincipalAccount, a single-valued key: set operators are for multivalued keys; "
        "use StringEquals",
        "ForAnyValue:Null is never true, whatever the request: Null tests one key, not a set of values, so this Allow "
        "never applies; use Null",
    ]
    assert [s[1] for s in severities(run_cli, tmp_path, "p.json")] == ["error", "warning", "warning"]


def test_unknown_operators_are_the_grammars_alone(run_cli, tmp_path):
    proc = lint(
        run_cli,
        tmp_path,
        "p.json",
        policy('{"StringEqualz": {"aws:username": "x"}, "bool": {"aws:SecureTransport": "yes"}}'),
    )
    assert [line.split(": ", 1)[1] for line in lines(proc.stdout)] == [
        "IAM502 unknown condition operator 'StringEqualz'",
        "IAM502 unknown condition operator 'bool'",
    ]


def test_policy_variables_in_values_open_or_where_aws_does_not_replace_them(run_cli, tmp_path):
    cond = (
        '{"StringLike": {"s3:ExistingObjectTag/owner": "${aws:username"}, '
        '"IpAddress": {"aws:SourceIp": "${aws:VpcSourceIp}"}}'
    )
    proc = lint(run_cli, tmp_path, "p.json", policy(cond))
    assert [line.split(": ", 1)[1] for line in lines(proc.stdout)] == [
        "IAM205 policy variable ${aws:username is not closed: add }, or AWS compares it as written",
        "IAM205 IpAddress does not replace policy variables: ${aws:VpcSourceIp} is compared as written; IpAddress "
        "never matches, so this Allow never applies",
    ]


def test_an_empty_list_of_values_and_ten_thousand_values(run_cli, tmp_path):
    """Bad input: a key with no values is one finding; 10,000 values are linted in a bounded time."""
    empty = lint(run_cli, tmp_path, "empty.json", policy('{"StringEquals": {"aws:SourceVpc": []}}'))
    assert lines(empty.stdout) == [
        "empty.json:7:36: IAM205 aws:SourceVpc has an empty list of values: StringEquals has nothing to compare; "
        "write the values or remove the key"
    ]
    many = json.dumps([f"10.{i // 256 % 256}.{i % 256}.0/24" for i in range(9_999)] + ["10.0.0.256/24"])
    started = time.monotonic()
    proc = lint(run_cli, tmp_path, "many.json", policy(f'{{"IpAddress": {{"aws:SourceIp": {many}}}}}'))
    elapsed = time.monotonic() - started
    (line,) = lines(proc.stdout)
    assert line.endswith(": IAM205 '10.0.0.256/24' is not an IP address or CIDR range"), line
    assert elapsed < 30, f"10,000 condition values took {elapsed:.1f} s"


def test_the_condition_key_tables_built_as_needed_answer_as_the_whole_tables_do():
    """Lookups index the global keys, then the service of the key's prefix, then everything:
    whatever the order, every answer is the one the complete tables give."""
    import random

    from iamlint import catalogue

    doc = catalogue._read_document(catalogue.DATA_FILE)
    lazy, whole = catalogue.Catalogue(doc), catalogue.Catalogue(doc)
    whole._key_index().complete()
    keys = sorted({k for p in whole.services() for k in whole.service(p).condition_keys})
    first = lazy.condition_key("aws:SourceIp")
    assert first is not None and lazy._key_index()._indexed == set()  # the global keys alone
    assert lazy.condition_key("s3:prefix") is not None and lazy._key_index()._indexed == {"s3"}
    sample = random.Random(11).sample(keys, 60) + [
        "aws:PrincipalTag/team",
        "ec2:ResourceTag/x",
        "secretsmanager:ResourceTag/App",
        "SAML:aud",
        "token.actions.githubusercontent.com:sub",
        "iam:ResourceTag/t",  # sts lists it too
        "ec2:osuser",  # listed by another service than ec2
        "aws:SouceIp",
        "nosuch:Key",
    ]
    for key in sample:  # each on tables that have only what its own lookup built
        assert catalogue.Catalogue(doc).condition_key(key) == whole.condition_key(key), key
    for key in keys:  # and all of them, one after the other, on one set of tables
        assert lazy.condition_key(key) == whole.condition_key(key), key
    assert catalogue.Catalogue(doc).actions_honouring("ssm:resourceTag/x") == whole.actions_honouring(
        "ssm:resourceTag/x"
    )
    assert catalogue.Catalogue(doc).closest_condition_key("aws:SouceIp") == "aws:SourceIp"


# -- AWS IoT Core policies: iot: keys are IoT Core's policy variables -------------------------------

IOT_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DevicePolicy:
    Type: AWS::IoT::Policy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iot:Connect
            Resource: "arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"
            Condition:
              Bool:
                iot:Connection.Thing.IsAttached: "true"
          - Effect: Allow
            Action: iot:Publish
            Resource: "arn:aws:iot:us-east-1:123456789012:topic/device/stats"
            Condition:
              StringEquals:
                iot:Connection.Thing.ThingTypeName: sensor
                iot:Connection.Thing.Attributes[site]: berlin
                aws:SouceIp: 203.0.113.7
          - Effect: Allow
            Action: iot:Connect
            Resource: "*"
            Condition:
              StringEquals:
                iot:DomainName: devices.example.com
"""


def test_iot_core_policy_variables_in_conditions_are_not_unknown_keys(run_cli, tmp_path):
    """AWS IoT Core's thing policy examples condition on iot:Connection.Thing.IsAttached and
    iot:Connection.Thing.ThingTypeName, which the Service Authorization Reference does not
    list: an IoT policy's iot: keys are not judged, its misspelt global keys still are. IoT
    Core's configurable endpoints condition iot:Connect on iot:DomainName, which the SAR lists
    for the domain configuration actions alone: IAM204 does not judge IoT policies."""
    proc = lint(run_cli, tmp_path, "iot.yaml", IOT_TEMPLATE, "--select", "IAM203,IAM204,IAM205")
    assert lines(proc.stdout) == [
        "iot.yaml:22:17: IAM203 unknown global condition key aws:SouceIp (did you mean aws:SourceIp?): "
        "no request carries it, so this Allow never applies"
    ]
    assert proc.returncode == 1


def test_iot_core_policy_variables_in_a_terraform_iot_policy_are_not_unknown_keys(run_cli, tmp_path):
    tf = (
        'resource "aws_iot_policy" "device" {\n'
        '  name = "device"\n'
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        "    Statement = [{\n"
        '      Effect    = "Allow"\n'
        '      Action    = "iot:Connect"\n'
        '      Resource  = "*"\n'
        '      Condition = { Bool = { "iot:Connection.Thing.IsAttached" = "true", "aws:SecureTransprt" = "true" } }\n'
        "    }]\n"
        "  })\n"
        "}\n"
    )
    proc = lint(run_cli, tmp_path, "main.tf", tf, "--select", "IAM203,IAM204,IAM205")
    assert lines(proc.stdout) == [
        "main.tf:9:74: IAM203 unknown global condition key aws:SecureTransprt (did you mean aws:SecureTransport?): "
        "no request carries it, so this Allow never applies"
    ]
