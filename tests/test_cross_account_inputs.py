"""Cross-account trust from deployment inputs: an account that a parameter, a list parameter or
an import names is not "this account" (issue 12, item 5, CloudFormation).

The model says so format-free (`Unknown.shape` and `inputs`, see `iamlint.model.Input`), the
rules read `account_input`; these tests lint real templates as a user runs iamlint.
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import without_ends

from iamlint.api import account_input
from iamlint.extract.cloudformation import extract_yaml
from iamlint.model import Input, Str, Unknown


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def _lines(proc) -> list[str]:
    return [line for line in without_ends(proc.stdout).splitlines() if line.strip()]


REPLICATION = """
    AWSTemplateFormatVersion: "2010-09-09"
    Parameters:
      SourceAWSAcctId:
        Description: FSx Source AWS Account ID
        Type: String
        AllowedPattern: ^\\d{12}
    Resources:
      CrossAcctIAMRole:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal:
                  AWS: !Sub "arn:aws:iam::${SourceAWSAcctId}:root"
                Action: sts:AssumeRole
    """


def test_a_trust_principal_from_a_parameter_is_reported_naming_it(run_cli, tmp_path):
    """The corpus's eventbridge-lambda-fsx-openzfs template: IAM202 was silent."""
    tpl = _write(tmp_path, "destination-template.yaml", REPLICATION)
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert _lines(proc) == [
        f"{tpl.name}:16:25: IAM202 trust policy lets the account in parameter SourceAWSAcctId assume "
        "this role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition"
    ]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_every_spelling_of_an_account_chosen_at_deploy_time(run_cli, tmp_path):
    tpl = _write(
        tmp_path,
        "peers.yaml",
        """
        Parameters:
          PeerOwnerIds: {Type: CommaDelimitedList}
          Pipeline: {Type: String, Default: "111122223333"}
        Resources:
          PeerRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal:
                      AWS:
                        - !Split [",", !Ref PeerOwnerIds]
                        - !Ref Pipeline
                        - !ImportValue shared-AccountId
                        - !Join ["", ["arn:aws:iam::", !Select [0, !Ref PeerOwnerIds], ":role/peer"]]
                        - !Split [",", !Sub ["arn:aws:iam::${Ids}:root", {Ids: !Join [":root,arn:aws:iam::", !Ref PeerOwnerIds]}]]
                        - !GetAtt OtherRole.Arn
                        - !Sub arn:aws:iam::${AWS::AccountId}:root
                    Action: sts:AssumeRole
        """,
    )
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM202", tpl, cwd=tmp_path)
    tail = "assume this role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition"
    assert _lines(proc) == [
        f"{tpl.name}:13:19: IAM202 trust policy lets the accounts in list parameter PeerOwnerIds {tail}",
        f"{tpl.name}:14:19: IAM202 trust policy lets the account in parameter Pipeline {tail}",
        f"{tpl.name}:15:19: IAM202 trust policy lets the account in import shared-AccountId {tail}",
        f"{tpl.name}:16:19: IAM202 trust policy lets the account in parameter PeerOwnerIds {tail}",
        f"{tpl.name}:17:19: IAM202 trust policy lets the accounts in list parameter PeerOwnerIds {tail}",
    ]
    assert proc.returncode == 1


def test_allowed_values_that_are_all_trusted_pass_and_one_that_is_not_is_reported(run_cli, tmp_path):
    text = """
        Parameters:
          Operator:
            Type: String
            AllowedValues: ["111122223333", "444455556666"]
        Resources:
          OperatorRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: !Sub "arn:aws:iam::${Operator}:root"}
                    Action: sts:AssumeRole
        """
    tpl = _write(tmp_path, "operator.yaml", text)
    both = ["--trusted-accounts", "111122223333,444455556666"]
    proc = run_cli("--format", "concise", "--isolated", *both, tpl, cwd=tmp_path)
    assert (proc.returncode, _lines(proc)) == (0, [])
    proc = run_cli(
        "--format", "concise", "--isolated", "--trusted-accounts", "111122223333", tpl, cwd=tmp_path
    )
    assert _lines(proc) == [
        f"{tpl.name}:12:35: IAM202 trust policy lets account 444455556666 assume this role without an "
        "sts:ExternalId, aws:PrincipalOrgID or MFA condition"
    ]


def test_a_privileged_role_trusting_a_parameter_is_iam201(run_cli, tmp_path):
    tpl = _write(
        tmp_path,
        "admin.yaml",
        """
        Parameters:
          AdminAccountId: {Type: String}
        Resources:
          AdminRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {AWS: !Ref AdminAccountId}
                    Action: sts:AssumeRole
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
        """,
    )
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM201", tpl, cwd=tmp_path)
    assert _lines(proc) == [
        f"{tpl.name}:10:30: IAM201 the account in parameter AdminAccountId can assume the privileged "
        "role AdminRole (AdministratorAccess) without an MFA condition or sts:ExternalId"
    ]


@pytest.mark.parametrize(
    "principal,expected",
    [
        ("!Ref Acct", Input("parameter", "Acct")),
        ("!Sub arn:${AWS::Partition}:sts::${Acct}:assumed-role/r/s", Input("parameter", "Acct")),
        ("!Split [',', !Ref Accts]", Input("parameter", "Accts", many=True)),
        ("!Select [1, !Ref Accts]", Input("parameter", "Accts")),
        ('!ImportValue {"Fn::Sub": "${Stack}-Account"}', Input("import", "Fn::Sub ${Stack}-Account")),
        # not an account field: a parameter in the role name leaves the account known
        ("!Sub arn:aws:iam::${AWS::AccountId}:role/${Acct}", None),
        ("!Sub arn:aws:iam::${Acct}${AWS::AccountId}:root", None),
        ("!GetAtt Role.Arn", None),
        ("!Ref Role", None),
        ("!Sub arn:aws:iam::${Missing}:root", None),
    ],
)
def test_the_account_of_a_principal_from_an_input(principal, expected):
    text = textwrap.dedent(
        f"""
        Parameters:
          Acct: {{Type: String}}
          Accts: {{Type: "List<String>"}}
          Stack: {{Type: String}}
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: sts:AssumeRole
                    Principal:
                      AWS: {principal}
        """
    ).lstrip("\n")
    ex = extract_yaml("t.yaml", text)
    assert ex is not None and ex.diagnostics == []
    (value,) = ex.documents[0].statements[0].principal.of_kind("AWS")
    assert isinstance(value, (Str, Unknown))
    assert account_input(value) == expected


def test_a_user_or_role_of_another_account_is_named_as_such(run_cli, tmp_path):
    # review of 2026-12-01, sample C, #12: one IAM user of another account is not "account X"
    tpl = _write(
        tmp_path,
        "trust.yaml",
        """
        Resources:
          Role:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal:
                      AWS:
                        - arn:aws:iam::835367859851:user/anton
                        - arn:aws:iam::444455556666:root
                        - arn:aws:iam::777788889999:role/deploy/ci
                    Action: sts:AssumeRole
        """,
    )
    proc = run_cli("--isolated", "--format", "concise", "--select", "IAM202", tpl.name, cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    tail = " assume this role without an sts:ExternalId, aws:PrincipalOrgID or MFA condition"
    assert _lines(proc) == [
        f"trust.yaml:11:19: IAM202 trust policy lets user/anton of account 835367859851{tail}",
        f"trust.yaml:12:19: IAM202 trust policy lets account 444455556666{tail}",
        f"trust.yaml:13:19: IAM202 trust policy lets role/deploy/ci of account 777788889999{tail}",
    ]
