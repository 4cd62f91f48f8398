"""iam:PassRole on a role of the same template or module (issue 13): the step is an
escalation only when the role it names is more privileged than the principal, and it is
decided when iamlint knows that role. Linted and explained as a user runs iamlint."""

from __future__ import annotations

import json
import subprocess
import sys

from iamlint.extract import extract_file, extract_module
from iamlint.model import Span, Unknown

ADMIN_ROLE = """\
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AdministratorAccess
  AdminProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles:
        - !Ref AdminRole
"""

LOGS_ROLE = """\
  LogsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: ec2.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: "*"
  LogsProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles:
        - !Ref LogsRole
"""


def worker(resource: str) -> str:
    return f"""\
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: launch
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: iam:PassRole
                Resource: {resource}
              - Effect: Allow
                Action: ec2:RunInstances
                Resource: "*"
"""


def template(*resources: str, parameters: str = "") -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\n' + parameters + "Resources:\n" + "".join(resources)


# the worker's statements stand at these lines when it follows AdminRole (18 lines) or
# LogsRole (26 lines)
ADMIN_WORKER = template(ADMIN_ROLE, worker("!GetAtt AdminRole.Arn"))
LOGS_WORKER = template(LOGS_ROLE, worker("!GetAtt LogsRole.Arn"))

EC2_HOW = "launch an instance with an instance profile role and use its credentials"


def test_passing_an_administrator_role_of_the_template_is_an_escalation(tmp_path, run_cli):
    """The false negative of issue 13: PassRole on `!GetAtt AdminRole.Arn` with
    ec2:RunInstances was only "under conditions", and IAM401 said nothing."""
    (tmp_path / "t.yaml").write_text(ADMIN_WORKER)
    r = run_cli("--select", "IAM401", "--format", "sarif", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    (result,) = json.loads(r.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "IAM401"
    assert result["message"]["text"] == (
        "role WorkerRole can make itself administrator: iam:PassRole on AdminRole, which is an "
        f"administrator, with ec2:RunInstances ({EC2_HOW}) [WorkerRole]"
    )
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (
        36,
        25,
        36,
        37,
    )
    related = [
        (
            x["physicalLocation"]["region"]["startLine"],
            x["physicalLocation"]["region"]["startColumn"],
            x["message"]["text"],
        )
        for x in result["relatedLocations"]
    ]
    assert related == [
        (39, 25, "ec2:RunInstances allowed by launch"),
        (3, 3, "role AdminRole, which is an administrator"),
    ]
    text = run_cli("--select", "IAM401", "--format", "concise", "t.yaml", cwd=tmp_path)
    assert text.returncode == 1
    assert text.stdout == (
        "t.yaml:36:25-36.37: error: IAM401 role WorkerRole can make itself administrator: iam:PassRole on "
        f"AdminRole, which is an administrator, with ec2:RunInstances ({EC2_HOW})\n"
    )


def test_explain_names_the_administrator_role_the_worker_can_pass(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(ADMIN_WORKER)
    r = run_cli("explain", "WorkerRole", "--format", "json", "t.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    (worker_json,) = json.loads(r.stdout)["principals"]
    (path,) = worker_json["escalation_paths"]
    assert path["path"] == "passrole-ec2"
    assert path["verdict"] == "allowed"
    assert path["passes"] == [
        {
            "principal": "AdminRole",
            "kind": "role",
            "why": "is an administrator",
            "file": "t.yaml",
            "line": 3,
            "column": 3,
        }
    ]
    passrole, run = path["steps"]
    assert (passrole["action"], passrole["verdict"], passrole["conditions"]) == (
        "iam:PassRole",
        "allowed",
        [],
    )
    assert [(s["policy"], s["line"]) for s in passrole["granted_by"]] == [("launch", 35)]
    assert (run["action"], run["verdict"]) == ("ec2:RunInstances", "allowed")
    text = run_cli("explain", "WorkerRole", "t.yaml", cwd=tmp_path)
    assert text.returncode == 0
    assert (
        "  escalation paths:\n"
        "    passrole-ec2: iam:PassRole on AdminRole, which is an administrator, with ec2:RunInstances "
        f"({EC2_HOW})\n"
        "      iam:PassRole: launch (t.yaml:35)\n"
        "      ec2:RunInstances: launch (t.yaml:38)\n"
    ) in text.stdout


def test_passing_a_role_that_is_no_more_privileged_is_no_escalation(tmp_path, run_cli):
    (tmp_path / "t.yaml").write_text(LOGS_WORKER)
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "1 file scanned; 4 policies found; no findings.\n", "")
    r = run_cli("explain", "WorkerRole", "--format", "json", "t.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    (worker_json,) = json.loads(r.stdout)["principals"]
    assert worker_json["escalation_paths"] == []
    text = run_cli("explain", "WorkerRole", "t.yaml", cwd=tmp_path)
    assert "  escalation paths: none\n" in text.stdout


def test_a_role_that_can_make_itself_administrator_is_more_privileged(tmp_path, run_cli):
    """The passed role has no administrator policy but an open path of its own."""
    attacher = LOGS_ROLE.replace(
        "Action: [logs:CreateLogStream, logs:PutLogEvents]", "Action: iam:AttachRolePolicy"
    )
    (tmp_path / "t.yaml").write_text(template(attacher, worker("!GetAtt LogsRole.Arn")))
    r = run_cli("--select", "IAM401", "--format", "concise", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.splitlines()[:2] == [
        "t.yaml:19:25-19.45: error: IAM401 role LogsRole can make itself administrator: iam:AttachRolePolicy "
        "on any role (attach AdministratorAccess to itself or another principal)",
        "t.yaml:42:25-42.37: error: IAM401 role WorkerRole can make itself administrator: iam:PassRole on "
        "LogsRole, which can make itself administrator (attach-policy), with ec2:RunInstances "
        f"({EC2_HOW})",
    ]


def test_roles_that_can_pass_each_other_are_decided_without_looping(tmp_path, run_cli):
    """A passes B, B passes A, neither has more than that: no escalation, and an answer."""
    a = worker("!GetAtt RoleB.Arn").replace("WorkerRole:", "RoleA:")
    b = worker("!GetAtt RoleA.Arn").replace("WorkerRole:", "RoleB:")
    (tmp_path / "t.yaml").write_text(template(a, b))
    code = (
        "import subprocess, sys; r = subprocess.run([sys.argv[1], '-m', 'iamlint', '--select', 'IAM401',"
        " 't.yaml'], capture_output=True, text=True); print(r.returncode); print(r.stdout, r.stderr)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, sys.executable], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert r.stdout.splitlines()[0] == "0", r.stdout
    assert "no findings" in r.stdout and "Traceback" not in r.stdout


def test_a_role_arn_from_sub_counts_like_getatt(tmp_path, run_cli):
    sub = '!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AdminRole}"'
    (tmp_path / "t.yaml").write_text(template(ADMIN_ROLE, worker(sub)))
    r = run_cli("--select", "IAM401", "--format", "concise", "t.yaml", cwd=tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.splitlines()[0] == (
        "t.yaml:36:25-36.37: error: IAM401 role WorkerRole can make itself administrator: iam:PassRole on "
        f"AdminRole, which is an administrator, with ec2:RunInstances ({EC2_HOW})"
    )


def test_a_role_arn_from_a_parameter_stays_conditional(tmp_path, run_cli):
    """A parameter may name any role: the path is shown under conditions, not reported."""
    parameters = "Parameters:\n  RoleArn:\n    Type: String\n"
    (tmp_path / "t.yaml").write_text(template(worker("!Ref RoleArn"), parameters=parameters))
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "no findings" in r.stdout and "Traceback" not in r.stderr
    r = run_cli("explain", "WorkerRole", "--format", "json", "t.yaml", cwd=tmp_path)
    (path,) = json.loads(r.stdout)["principals"][0]["escalation_paths"]
    assert (path["path"], path["verdict"]) == ("passrole-ec2", "conditional")
    assert path["steps"][0]["conditions"] == ["Resource !Ref RoleArn (unknown) names it"]
    assert "passes" not in path


def test_a_role_name_is_not_its_arn(tmp_path, run_cli):
    """`!Ref AdminRole` is the role's name: as a Resource it names no role, and nothing changes."""
    (tmp_path / "t.yaml").write_text(template(ADMIN_ROLE, worker("!Ref AdminRole")))
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "no findings" in r.stdout and "Traceback" not in r.stderr


def test_a_condition_on_the_passrole_statement_keeps_it_conditional(tmp_path, run_cli):
    resource = "!GetAtt AdminRole.Arn\n                Condition:\n                  Bool:\n                    aws:MultiFactorAuthPresent: true"
    (tmp_path / "t.yaml").write_text(template(ADMIN_ROLE, worker(resource)))
    r = run_cli("--select", "IAM401", "t.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "no findings" in r.stdout and "Traceback" not in r.stderr
    r = run_cli("explain", "WorkerRole", "--format", "json", "t.yaml", cwd=tmp_path)
    (path,) = json.loads(r.stdout)["principals"][0]["escalation_paths"]
    assert (path["path"], path["verdict"]) == ("passrole-ec2", "conditional")


TF_ADMIN = """\
resource "aws_iam_role" "admin" {
  name = "admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_instance_profile" "admin" {
  name = "admin"
  role = aws_iam_role.admin.name
}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}
"""

TF_DOCUMENT = """
data "aws_iam_policy_document" "launch" {
  statement {
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.admin.arn]
  }
  statement {
    actions   = ["ec2:RunInstances"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "launch" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.launch.json
}
"""

TF_JSONENCODE = """
resource "aws_iam_role_policy" "launch" {
  role = aws_iam_role.worker.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "iam:PassRole", Resource = "${aws_iam_role.admin.arn}" },
      { Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" },
    ]
  })
}
"""


def test_terraform_passing_the_administrator_role_is_an_escalation(tmp_path, run_cli):
    for name, policy, at in (
        ("doc", TF_DOCUMENT, "main.tf:29:18-29.32"),
        ("enc", TF_JSONENCODE, "main.tf:32:36-32.50"),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(TF_ADMIN + policy)
        r = run_cli("--select", "IAM401", "--format", "concise", ".", cwd=tmp_path / name)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert r.stdout.splitlines()[0] == (
            f"{at}: error: IAM401 role aws_iam_role.worker can make itself administrator: iam:PassRole on "
            f"aws_iam_role.admin, which is an administrator, with ec2:RunInstances ({EC2_HOW})"
        ), name
        r = run_cli("explain", "aws_iam_role.worker", "--format", "json", ".", cwd=tmp_path / name)
        (path,) = json.loads(r.stdout)["principals"][0]["escalation_paths"]
        assert (path["verdict"], path["passes"][0]["principal"], path["passes"][0]["line"]) == (
            "allowed",
            "aws_iam_role.admin",
            1,
        )


def test_terraform_passing_a_role_without_more_privileges_is_no_escalation(tmp_path, run_cli):
    logs_only = TF_ADMIN.replace(
        "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"
    )
    (tmp_path / "main.tf").write_text(logs_only + TF_DOCUMENT)
    r = run_cli("--select", "IAM401", ".", cwd=tmp_path)
    assert r.returncode == 0 and "no findings" in r.stdout and "Traceback" not in r.stderr, r.stdout
    r = run_cli("explain", "aws_iam_role.worker", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(r.stdout)["principals"][0]["escalation_paths"] == []


def test_references_know_the_resource_they_name(tmp_path):
    """`Unknown.refers_to` is set where a value is a resource's attribute, and is not part of
    the value's identity."""
    path = tmp_path / "t.yaml"
    path.write_text(template(ADMIN_ROLE, worker("[!GetAtt AdminRole.Arn, !Ref AdminRole, !GetAtt Gone.Arn]")))
    ex = extract_file(str(path), path.read_text())
    assert ex is not None
    worker_doc = next(d for d in ex.documents if d.principals == ("WorkerRole",) and d.statements[0].resource)
    got = [
        (v.text, v.refers_to, v.arn_types)
        for v in worker_doc.statements[0].resource or ()
        if isinstance(v, Unknown)
    ]
    assert got == [
        ("!GetAtt AdminRole.Arn", ("AdminRole", "Arn"), ("iam:role",)),
        ("!Ref AdminRole", ("AdminRole", "Ref"), ()),
        ("!GetAtt Gone.Arn", None, ()),
    ]
    (tmp_path / "main.tf").write_text(TF_ADMIN + TF_DOCUMENT)
    main = str(tmp_path / "main.tf")
    tf = extract_module(str(tmp_path), [main], {main: (tmp_path / "main.tf").read_text()})[main]
    doc = next(d for d in tf.documents if d.statements and d.statements[0].resource)
    (ref,) = doc.statements[0].resource or ()
    assert isinstance(ref, Unknown) and ref.refers_to == ("aws_iam_role.admin", "arn")
    span = Span("f", 1, 1, 1, 2)
    assert Unknown("x", span, refers_to=("A", "Arn")) == Unknown("x", span)


def test_a_long_chain_of_roles_passing_one_another_is_answered_at_once(tmp_path):
    """300 roles, each can pass the next and run instances, the last is an administrator:
    the roles up to 5 passes away from it are reported, the chain is not followed further
    (no RecursionError, no quadratic time)."""
    roles = [worker(f"!GetAtt R{i + 1}.Arn").replace("WorkerRole:", f"R{i}:") for i in range(299)]
    admin = ADMIN_ROLE.replace("AdminRole", "R299").replace("AdminProfile", "R299Profile")
    (tmp_path / "t.yaml").write_text(template(*roles, admin))
    r = subprocess.run(
        [sys.executable, "-m", "iamlint", "--select", "IAM401", "--format", "concise", "t.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    flagged = [line.split(" role ")[1].split(" ")[0] for line in r.stdout.splitlines()]
    assert flagged == ["R293", "R294", "R295", "R296", "R297", "R298"]


def test_roles_that_can_each_pass_every_other_are_answered_at_once(tmp_path):
    """100 roles, each can pass the 99 others and run instances, none has more: no path, and
    the answer comes in seconds (each principal judges at most MAX_JUDGED roles by their
    paths; those beyond stay "maybe", so the step stays conditional)."""
    others = lambda i: "[" + ", ".join(f"!GetAtt R{j}.Arn" for j in range(100) if j != i) + "]"  # noqa: E731
    (tmp_path / "t.yaml").write_text(
        template(*(worker(others(i)).replace("WorkerRole:", f"R{i}:") for i in range(100)))
    )
    r = subprocess.run(
        [sys.executable, "-m", "iamlint", "--select", "IAM401", "t.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (r.returncode, r.stdout, r.stderr) == (0, "1 file scanned; 200 policies found; no findings.\n", "")
