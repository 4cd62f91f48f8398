"""IAM401 and IAM201 decide from each principal's effective permissions (iamlint.evaluate),
linted as a user runs iamlint."""

from __future__ import annotations

import json

from iamlint.evaluate import Evaluator, Verdict
from iamlint.model import IAMPrincipal, Span

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Builders:
    Type: AWS::IAM::Group
    Properties:
      Policies:
        - PolicyName: build
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: "*"
  Ci:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Builders]
      Policies:
        - PolicyName: launch
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ec2:RunInstances
                Resource: "*"
"""


def test_a_path_across_a_users_group_and_its_own_policy(tmp_path, run_cli):
    """PassRole from the group and RunInstances from the user: neither policy escalates
    alone, the user does; the finding names the user and points at both statements."""
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    r = run_cli("--select", "IAM401", "--format", "sarif", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    (result,) = json.loads(r.stdout)["runs"][0]["results"]
    assert result["message"]["text"] == (
        "user Ci can make itself administrator: iam:PassRole on any role with ec2:RunInstances "
        "(launch an instance with an instance profile role and use its credentials) [Ci]"
    )
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    related = result["relatedLocations"]
    assert [(x["physicalLocation"]["region"]["startLine"], x["message"]["text"]) for x in related] == [
        (24, "ec2:RunInstances allowed by launch")
    ]
    text = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert "    related: t.yaml:24:25: ec2:RunInstances allowed by launch\n" in text.stdout


def test_a_deny_a_boundary_or_a_condition_closes_the_path(tmp_path, run_cli):
    deny = TEMPLATE + (
        "              - Effect: Deny\n                Action: ec2:RunInstances\n                Resource: '*'\n"
    )
    boundary = TEMPLATE.replace(
        "      Groups: [!Ref Builders]\n",
        "      Groups: [!Ref Builders]\n      PermissionsBoundary: arn:aws:iam::aws:policy/AmazonEC2FullAccess\n",
    )
    condition = TEMPLATE.replace(
        '                Action: iam:PassRole\n                Resource: "*"\n',
        '                Action: iam:PassRole\n                Resource: "*"\n'
        '                Condition: {StringEquals: {"iam:PassedToService": lambda.amazonaws.com}}\n',
    )
    for name, text in (("deny", deny), ("boundary", boundary), ("condition", condition)):
        (tmp_path / f"{name}.yaml").write_text(text)
        r = run_cli("--select", "IAM401", f"{name}.yaml", cwd=tmp_path)
        assert (r.returncode, r.stderr) == (0, ""), (name, r.stdout)


ROLE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: arn:aws:iam::111122223333:root}
            Action: sts:AssumeRole
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
"""


def test_iam201_a_boundary_that_caps_an_administrator_policy(tmp_path, run_cli):
    (tmp_path / "admin.yaml").write_text(ROLE)
    r = run_cli("--select", "IAM201", "--format", "concise", "admin.yaml", cwd=tmp_path)
    assert r.returncode == 1
    assert (
        "admin.yaml:10:30-10.60: warning: IAM201 arn:aws:iam::111122223333:root can assume the privileged role Admin (AdministratorAccess) without"
    ) in r.stdout
    capped = ROLE + "      PermissionsBoundary: arn:aws:iam::aws:policy/ReadOnlyAccess\n"
    (tmp_path / "capped.yaml").write_text(capped)
    r = run_cli("--select", "IAM201", "capped.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, ""), r.stdout


def test_a_group_membership_cycle_is_read_once():
    at = Span("m.tf", 1, 1, 1, 2)
    user = IAMPrincipal("user", "u", at, "m.tf", groups=("g", "u", "g", "missing"))
    group = IAMPrincipal("group", "g", at, "m.tf", groups=("u",))
    eff = Evaluator([user, group]).effective(user)
    assert eff.decide("s3:GetObject").verdict is Verdict.NOT_GRANTED
    assert eff.unknown == ["group missing is not defined here: its policies may grant more"]


def test_json_names_each_findings_principals_and_related_places(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    r = run_cli("--select", "IAM401,IAM102", "--format", "json", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr == ""
    got = [
        (f["code"], f["line"], f["owner"], f["principals"], f["related"])
        for f in json.loads(r.stdout)["findings"]
    ]
    assert got == [
        (
            "IAM401",
            12,
            "Ci",
            ["Ci"],
            [
                {
                    "file": "t.yaml",
                    "line": 24,
                    "column": 25,
                    "end_line": 24,
                    "end_column": 41,
                    "message": "ec2:RunInstances allowed by launch",
                }
            ],
        ),
        ("IAM102", 13, "Builders", ["Builders"], []),
        ("IAM102", 25, "Ci", ["Ci"], []),
    ]


def test_text_grouped_by_principal(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    (tmp_path / "raw.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    )
    r = run_cli("--select", "IAM401,IAM102", "--group-by", "principal", "t.yaml", "raw.json", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr == ""
    assert r.stdout == (
        "Ci (t.yaml)\n"
        "  t.yaml:12:25: IAM401 [error] user Ci can make itself administrator: iam:PassRole on any role with "
        "ec2:RunInstances (launch an instance with an instance profile role and use its credentials) [Ci] "
        "(privilege-escalation)\n"
        "      related: t.yaml:24:25: ec2:RunInstances allowed by launch\n"
        '  t.yaml:25:27: IAM102 [warning] Allow statement applies to every resource ("Resource": "*"); '
        "ec2:RunInstances could be scoped to resource ARNs [Ci] (wildcard-resource)\n"
        "\n"
        "Builders (t.yaml)\n"
        '  t.yaml:13:27: IAM102 [warning] Allow statement applies to every resource ("Resource": "*"); '
        "iam:PassRole could be scoped to resource ARNs [Builders] (wildcard-resource)\n"
        "\n"
        "(no principal)\n"
        '  raw.json:1:99: IAM102 [warning] Allow statement applies to every resource ("Resource": "*"); '
        "s3:GetObject could be scoped to resource ARNs (wildcard-resource)\n"
        "\n"
        "2 files scanned; 3 policies found; 4 findings (1 error, 3 warnings).\n"
    )


def _scp(actions_denied: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": actions_denied, "Resource": "*"},
            ],
        }
    )


def test_org_policies_named_by_the_configuration_cap_every_principal(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1  # no configuration: no SCP is assumed
    (tmp_path / "org" / "scps").mkdir(parents=True)
    (tmp_path / "org" / "scps" / "deny-passrole.json").write_text(_scp("iam:PassRole"))
    (tmp_path / ".iamlint.toml").write_text('org-policies = ["org/scps/*.json"]\n')
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert (r.returncode, r.stderr) == (0, ""), r.stdout
    r = run_cli("explain", "Ci", "--format", "json", "t.yaml", cwd=tmp_path)
    (ci,) = json.loads(r.stdout)["principals"]
    (passrole,) = ci["permissions"]["iam"]["Permissions management"]
    assert passrole["verdict"] == "denied"
    scp = str((tmp_path / "org" / "scps" / "deny-passrole.json").resolve())
    assert [(d["layer"], d["policy"], d["file"], d["line"]) for d in passrole["denied_by"]] == [
        ("org", scp, scp, 1)
    ]


def test_org_policies_that_match_nothing_or_do_not_parse(tmp_path, run_cli):
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    (tmp_path / ".iamlint.toml").write_text('org-policies = ["org/*.json"]\n')
    r = run_cli("t.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (
        r.stderr
        == f"iamlint: error: {tmp_path / '.iamlint.toml'}: org-policies: 'org/*.json' matches no file\n"
    )
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "scp.json").write_text('{"Version": "2012-10-17", "Statement": [')
    r = run_cli("t.yaml", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"iamlint: error: org-policies: {tmp_path / 'org' / 'scp.json'}:1:")
