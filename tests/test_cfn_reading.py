"""Templates as CloudFormation reads them (issue 12, items 3 and 4): unknown YAML tags and
``.template``/``.json`` files that are YAML in flow style, linted as a user runs iamlint."""

from __future__ import annotations

import textwrap

from conftest import without_ends


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def _lines(proc) -> list[str]:
    return [line for line in without_ends(proc.stdout).splitlines() if line.strip()]


# -- unknown tags ---------------------------------------------------------------------------------
RAIN = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Function:
        Type: AWS::Lambda::Function
        Properties:
          Code:
            ZipFile: !Rain::Embed handler.py
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          Policies:
            - PolicyName: all
              PolicyDocument:
                Statement:
                  - {Effect: Allow, Action: "*", Resource: arn:aws:s3:::acme/*}
                  - {Effect: Allow, Action: !Rain::S3 actions.txt, Resource: arn:aws:s3:::acme/*}
    """


def test_an_unknown_tag_is_a_warning_at_the_tag_and_the_rest_is_linted(run_cli, tmp_path):
    """Rain's directives made the whole template IAM900 and the run exit 2 (30 corpus files)."""
    tpl = _write(tmp_path, "rain.yaml", RAIN)
    other = _write(
        tmp_path, "policy.json", '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM101,IAM907", tpl, other, cwd=tmp_path)
    assert _lines(proc) == [
        f'{other.name}:1:46: IAM101 Allow statement grants every action ("*")',
        f"{tpl.name}:7:18: IAM907 unknown YAML tag !Rain::Embed: not a CloudFormation intrinsic function, its value "
        "is not evaluated; a rain directive: lint the template that 'rain pkg' produces (in the properties of "
        "AWS::Lambda::Function, which hold no IAM policy)",
        f'{tpl.name}:17:41: IAM101 Allow statement grants every action ("*")',
        f"{tpl.name}:18:41: IAM907 unknown YAML tag !Rain::S3: not a CloudFormation intrinsic function, its value "
        "is not evaluated; a rain directive: lint the template that 'rain pkg' produces",
    ]
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_template_whose_only_problem_is_an_unknown_tag_exits_0_when_warnings_do_not_fail(run_cli, tmp_path):
    tpl = _write(
        tmp_path,
        "macro.yaml",
        """
        Resources:
          Bucket:
            Type: Custom::Bucket
            Properties:
              BucketName: !MyMacro::Name reports
        """,
    )
    proc = run_cli("--format", "json", "--isolated", "--fail-on", "error", tpl, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import json

    out = json.loads(proc.stdout)
    (finding,) = out["findings"]
    assert (finding["code"], finding["name"], finding["severity"]) == ("IAM907", "unknown-tag", "warning")
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (5, 19, 5, 33)
    assert out["summary"]["errors"] == 0


def test_an_unknown_tag_can_be_suppressed_where_it_is_expected(run_cli, tmp_path):
    tpl = _write(
        tmp_path,
        "rain.yaml",
        """
        Resources:
          Function:
            Type: AWS::Lambda::Function
            Properties:
              Code:
                ZipFile: !Rain::Embed handler.py  # iamlint: ignore[IAM907] reason: packaged by rain pkg
        """,
    )
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert (proc.returncode, _lines(proc)) == (0, [])


# -- .template / .json files that are YAML --------------------------------------------------------
FLOW = """\
{
  'AWSTemplateFormatVersion': '2010-09-09',
  # flow style: single quotes, comments and trailing commas, as CloudFormation reads it
  'Resources': {
    'Policy': {
      'Type': 'AWS::IAM::ManagedPolicy',
      'Properties': {
        'PolicyDocument': {
          'Statement': [
            {'Effect': 'Allow', 'Action': '*', 'Resource': 'arn:aws:s3:::reports/*',},
          ],
        },
      },
    },
  },
}
"""


def test_a_template_file_in_yaml_flow_style_is_read_as_yaml_with_positions(run_cli, tmp_path):
    """Was IAM900 (or skipped as not IaC, without a double-quoted key) and its policy unchecked."""
    for name in ("stack.template", "stack.json"):
        tpl = tmp_path / name
        tpl.write_text(FLOW)
        proc = run_cli("--format", "concise", "--isolated", "--select", "IAM", tpl, cwd=tmp_path)
        assert _lines(proc) == [f'{tpl.name}:10:43: IAM101 Allow statement grants every action ("*")'], name
        assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_a_json_template_with_a_trailing_comma_is_read_as_cloudformation_reads_it(run_cli, tmp_path):
    tpl = tmp_path / "stack.json"
    tpl.write_text(
        '{\n  "Resources": {\n    "Policy": {\n      "Type": "AWS::IAM::ManagedPolicy",\n'
        '      "Properties": {"PolicyDocument": {"Statement": [\n'
        '        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"},\n      ]}}\n    }\n  }\n}\n'
    )
    proc = run_cli("--format", "concise", "--isolated", tpl, cwd=tmp_path)
    assert _lines(proc) == [f'{tpl.name}:6:39: IAM101 Allow statement grants every action ("*")']
    assert proc.returncode == 1
    # a raw policy is no template: IAM rejects the comma, and so does iamlint (IAM900)
    raw = tmp_path / "policy.json"
    raw.write_text('{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},]}')
    proc = run_cli("--format", "concise", "--isolated", "--select", "IAM900", raw, cwd=tmp_path)
    assert [line.split(" ", 2)[:2] for line in _lines(proc)] == [[f"{raw.name}:1:78:", "IAM900"]]


def test_a_json_template_that_is_not_yaml_either_is_the_json_error(run_cli, tmp_path):
    """Neither JSON nor YAML: the JSON reader's message, at the place JSON reading stopped
    (YAML's would speak of flow mappings and simple keys to someone who wrote JSON)."""
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {\n    "Policy": {\n'
        '      "Type": "AWS::IAM::ManagedPolicy"\n      "Properties": {}\n    }\n  }\n}\n'
    )
    good = tmp_path / "good.json"
    good.write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    proc = run_cli(
        "--format", "concise", "--isolated", "--select", "IAM101,IAM900", broken, good, cwd=tmp_path
    )
    assert _lines(proc) == [
        f"{broken.name}:6:7: IAM900 expected ',' or '}}', found '\"'",
        f'{good.name}:1:46: IAM101 Allow statement grants every action ("*")',
    ]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_an_unknown_tag_where_no_policy_can_be_is_information(run_cli, tmp_path):
    """Review D (2026-12-01, #20 and #21): a tag on a Lambda code location or EC2 user data
    hides no policy; a tag in a policy, a SAM resource or a module's type still may."""
    tpl = _write(
        tmp_path,
        "rain.yaml",
        """
        Resources:
          Host:
            Type: AWS::EC2::Instance
            Properties:
              UserData: !Rain::Embed boot.sh
          Module:
            Type: !Rain::Module ./bucket.yaml
          Function:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: !Rain::S3 src/
        """,
    )
    proc = run_cli("--format", "json", "--isolated", "--select", "IAM907", tpl, cwd=tmp_path)
    import json

    found = [(f["line"], f["column"], f["severity"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [(5, 17, "info"), (7, 11, "warning"), (11, 16, "warning")]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
