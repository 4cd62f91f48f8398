"""Issue 11, item 5 (precision): findings that AWS's documentation says are not findings,
and messages that say exactly what is wrong. Each case is linted as a user runs iamlint."""

from __future__ import annotations

import json


def lint(run_cli, tmp_path, name: str, policy: dict, *args: str):
    (tmp_path / name).write_text(json.dumps(policy, indent=2) + "\n")
    out = run_cli("--format", "concise", *args, name, cwd=tmp_path)
    assert "Traceback" not in out.stderr
    return out


def allow(action, resource="*", **extra) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}],
    }


# -- IAM102: actions whose resource types are all optional or all singletons ------------------
def test_iam102_leaves_actions_usable_on_star_alone(run_cli, tmp_path):
    """CloudWatch's only resource type of GetMetricData/PutMetricData/ListMetrics is the one
    `dataset` per account and Region; Rekognition's and Comprehend's detection calls take a
    custom model only optionally: "*" is their natural scope."""
    actions = [
        "cloudwatch:GetMetricData",
        "cloudwatch:PutMetricData",
        "cloudwatch:ListMetrics",
        "rekognition:DetectModerationLabels",
        "comprehend:DetectEntities",
    ]
    out = lint(run_cli, tmp_path, "metrics.json", allow(actions), "--select", "IAM102")
    assert out.returncode == 0, out.stdout
    assert out.stdout == ""


def test_iam102_names_only_the_actions_that_need_a_resource(run_cli, tmp_path):
    out = lint(
        run_cli,
        tmp_path,
        "alarms.json",
        allow(["cloudwatch:PutMetricData", "cloudwatch:PutMetricAlarm"]),
        "--select",
        "IAM102",
    )
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        'alarms.json:10:19-10.22: warning: IAM102 Allow statement applies to every resource ("Resource": "*"); '
        "cloudwatch:PutMetricAlarm could be scoped to resource ARNs"
    ]


# -- IAM102: "as broad as *" only where it is ----------------------------------------------------
def test_iam102_says_as_broad_as_star_only_for_the_actions_it_is_true_of(run_cli, tmp_path):
    """arn:aws:logs:*:*:* is every log group and stream: as broad as "*" for the logs actions;
    arn:aws:s3:::* is every object of every bucket, but s3:GetObject also takes the objects of
    access points (arn:aws:s3:<region>:<account>:accesspoint/...), which it does not name."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:*",
            },
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::*"},
        ],
    }
    out = lint(run_cli, tmp_path, "typed.json", policy, "--select", "IAM102")
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        'typed.json:10:19-10.39: warning: IAM102 Allow statement applies to every resource ("arn:aws:logs:*:*:*" '
        'is as broad as "*" for logs:CreateLogStream, logs:PutLogEvents); logs:CreateLogStream, '
        "logs:PutLogEvents could be scoped to resource ARNs",
        'typed.json:15:19-15.35: warning: IAM102 Allow statement applies to every object ("arn:aws:s3:::*"); '
        "s3:GetObject could be scoped to resource ARNs",
        'typed.json:20:19-20.35: warning: IAM102 Allow statement applies to every bucket ("arn:aws:s3:::*"); '
        "s3:ListBucket could be scoped to resource ARNs",
    ]


# -- IAM101: AWS's default key policy ---------------------------------------------------------------
KEY_TEMPLATE = """\
Resources:
  AppKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: Enable IAM User Permissions
            Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
            Action: kms:*
            Resource: "*"
          - Sid: Allow access for Key Administrators
            Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${AWS::AccountId}:role/KeyAdmin
            Action: [kms:Create*, kms:Describe*, kms:Enable*, kms:List*, kms:Put*, kms:Update*,
                     kms:Revoke*, kms:Disable*, kms:Get*, kms:Delete*, kms:TagResource,
                     kms:UntagResource, kms:ScheduleKeyDeletion, kms:CancelKeyDeletion]
            Resource: "*"
          - Sid: Allow use of the key
            Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${AWS::AccountId}:role/App
            Action: [kms:Encrypt, kms:Decrypt, kms:ReEncrypt*, kms:GenerateDataKey*, kms:DescribeKey]
            Resource: "*"
"""


def test_iam101_leaves_aws_default_key_policy_alone(run_cli, tmp_path):
    (tmp_path / "key.yaml").write_text(KEY_TEMPLATE)
    out = run_cli("--format", "concise", "--select", "IAM101", "key.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert (out.returncode, out.stdout) == (0, "")


def test_iam101_still_reports_kms_star_to_a_role_or_a_partial_wildcard_outside_a_key_policy(
    run_cli, tmp_path
):
    template = KEY_TEMPLATE.replace(
        "role/KeyAdmin\n            Action: [kms:Create*", "role/KeyAdmin\n            Action: [kms:*"
    )
    template += """\
  AppPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: kms:Create*
            Resource: "*"
"""
    (tmp_path / "key.yaml").write_text(template)
    out = run_cli("--format", "concise", "--select", "IAM101", "key.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        'key.yaml:18:22-18.27: error: IAM101 Allow statement grants every action of kms ("kms:*") (56 actions)',
        'key.yaml:35:21-35.32: warning: IAM101 "kms:Create*" matches 4 actions, 4 of them write or permissions '
        "management: kms:CreateGrant, kms:CreateAlias, kms:CreateCustomKeyStore and 1 more",
    ]


# -- IAM101: a partial wildcard that matches one action ----------------------------------------
def test_iam101_names_the_one_action_a_partial_wildcard_matches(run_cli, tmp_path):
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    out = lint(
        run_cli, tmp_path, "encrypt.json", allow(["kms:Encrypt*", "kms:Decrypt"], key), "--select", "IAM101"
    )
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        'encrypt.json:7:9-7.23: warning: IAM101 "kms:Encrypt*" matches one action, write kms:Encrypt'
    ]


# -- IAM501: a service the catalogue has never seen ----------------------------------------------
def test_iam501_dates_a_service_it_does_not_have_and_keeps_unknown_for_an_action(run_cli, tmp_path):
    """AWS DeepLens was retired; its prefix is in no catalogue since. "unknown" would say AWS has
    no such service; the catalogue's date says what iamlint knows. s3:GetObjects is a typo."""
    from iamlint.catalogue import get

    out = lint(
        run_cli,
        tmp_path,
        "devices.json",
        allow(["deeplens:ListDevices", "s3:GetObjects"]),
        "--select",
        "IAM501",
    )
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "devices.json:7:9-7.31: warning: IAM501 service prefix 'deeplens' of 'deeplens:ListDevices' is not in the "
        f"catalogue of {get().built} (retired, newer, or a typo)",
        "devices.json:8:9-8.24: warning: IAM501 unknown action s3:GetObjects (did you mean s3:GetObject?)",
    ]


# -- IAM201: a trust to the account narrowed by aws:PrincipalArn ---------------------------------
TRUST_TEMPLATE = """\
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:root
            Action: sts:AssumeRole
            Condition:
              ArnEquals:
                aws:PrincipalArn: !Sub arn:aws:iam::${AWS::AccountId}:role/PIPELINE
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:DeleteRolePolicy
                Resource: arn:aws:iam::123456789012:role/app
"""


def test_iam201_trust_narrowed_to_a_named_principal_is_not_broad(run_cli, tmp_path):
    (tmp_path / "role.yaml").write_text(TRUST_TEMPLATE.replace("PIPELINE", "Deployer"))
    out = run_cli("--format", "concise", "--select", "IAM201", "role.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert (out.returncode, out.stdout) == (0, "")


def test_iam201_trust_narrowed_by_a_wildcard_principal_arn_is_still_broad(run_cli, tmp_path):
    (tmp_path / "role.yaml").write_text(
        TRUST_TEMPLATE.replace("ArnEquals", "ArnLike").replace("PIPELINE", "*")
    )
    out = run_cli("--format", "concise", "--select", "IAM201", "role.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        "role.yaml:10:25-10.74: warning: IAM201 arn:${AWS::Partition}:iam::${AWS::AccountId}:root can assume the "
        'privileged role DeployRole (allows "iam:DeleteRolePolicy") without an MFA condition or sts:ExternalId'
    ]
