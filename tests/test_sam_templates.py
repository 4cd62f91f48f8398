"""SAM policy templates: the shipped data, its build script, expansion, positions, bad input.

Issue 12, item 2: ``Policies: [{SESCrudPolicy: {IdentityName: "*"}}]`` was recorded by name and
never evaluated. Each template is now expanded into the statements SAM writes (from
aws-sam-translator's policy_templates.json, built into ``iamlint/data`` by
``scripts/build_sam_policy_templates.py``), with the user's parameter values substituted and
findings at the parameter that caused them, or at the template's name.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import iamlint_bin

from iamlint.engine import Linter
from iamlint.extract.cloudformation import extract_json, extract_yaml, sam
from iamlint.model import Str, Unknown
from iamlint.parse.json_parser import parse_json
from iamlint.ruleset import default_registry

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_sam_policy_templates.py"


def build_script():
    spec = importlib.util.spec_from_file_location("build_sam_policy_templates", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["build_sam_policy_templates"] = mod
    spec.loader.exec_module(mod)
    return mod


def yaml_ex(text: str, path: str = "template.yaml"):
    ex = extract_yaml(path, textwrap.dedent(text).lstrip("\n"))
    assert ex is not None
    return ex


def at(value) -> tuple[int, int]:
    span = getattr(value, "span", value)
    return (span.line, span.column)


def text(v) -> str:
    return v.value if isinstance(v, Str) else v.text


def function(policies: str, extra: str = "") -> str:
    """A SAM template whose function ``Fn`` has ``policies`` (YAML lines, indented 8) as Policies.

    ``Policies:`` is on line 8 (with ``extra`` empty), so its first item is on line 9."""
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Transform: AWS::Serverless-2016-10-31\n"
        f"{extra}"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Policies:\n" + textwrap.indent(textwrap.dedent(policies).strip("\n"), " " * 8) + "\n"
    )


def test_function_layout():
    assert function("- X").splitlines()[8] == "        - X"


# -- the shipped data -------------------------------------------------------------------------------
def test_data_records_its_source_version_and_licence():
    data = sam.get()
    src = data.source
    assert (src["name"], src["version"], src["license"]) == ("aws-sam-translator", "1.115.0", "Apache-2.0")
    assert src["version"] == build_script().VERSION  # what `--download` builds by default
    assert src["file"] == "samtranslator/policy_templates_data/policy_templates.json"
    assert "Amazon.com" in src["notice"] and src["license_text"].startswith("Apache License")
    assert len(src["sha256"]) == 64 and src["wheel"] == "aws_sam_translator-1.115.0-py3-none-any.whl"
    assert len(data) == 81 and "S3ReadPolicy" in data and "s3readpolicy" not in data
    assert data.describe() == "SAM policy templates: 81 from aws-sam-translator 1.115.0"
    ses = data.get("SESCrudPolicy")
    assert ses is not None and ses.parameters == ("IdentityName",)
    # docs/licenses keeps the same licence and notice as the data file
    assert (ROOT / "docs/licenses/aws-sam-translator-LICENSE.txt").read_text().strip() == src["license_text"]
    assert (ROOT / "docs/licenses/aws-sam-translator-NOTICE.txt").read_text().strip() == src["notice"]


def test_suggestions_ignore_case():
    data = sam.get()
    assert data.suggest("S3ReedPolicy")[0] == "S3ReadPolicy"
    assert data.suggest("dynamodbcrudpolicy")[0] == "DynamoDBCrudPolicy"
    assert data.suggest("Version") == []


def wheel_for_check() -> Path:
    """The pinned aws-sam-translator wheel: $IAMLINT_SAM_WHEEL, else pip download (skip if offline)."""
    given = os.environ.get("IAMLINT_SAM_WHEEL")
    if given:
        return Path(given)
    script = build_script()
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"iamlint-sam-wheel-{script.VERSION}"
    folder.mkdir(exist_ok=True)
    found = sorted(folder.glob("aws_sam_translator-*.whl"))
    if found:
        return found[0]
    try:
        return script.download(script.VERSION, folder, timeout=90)
    except script.SourceError as e:
        pytest.skip(f"the aws-sam-translator {script.VERSION} wheel is not available offline: {e}")


def test_committed_data_is_what_the_pinned_wheel_builds():
    script = build_script()
    data, content = script.build(wheel_for_check())
    assert content["source"]["version"] == script.VERSION
    assert data == Path(sam.DATA_FILE).read_bytes(), "rerun scripts/build_sam_policy_templates.py --download"


# -- the build script --------------------------------------------------------------------------------
LICENCE = (
    "                                 Apache License\n                           Version 2.0, January 2004\n"
)
TEMPLATES = {
    "Version": "0.0.1",
    "Templates": {
        "ZedPolicy": {
            "Description": "Reads one thing",
            "Parameters": {"ThingName": {"Description": "the thing"}},
            "Definition": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["zed:Get*"],
                        "Resource": {
                            "Fn::Sub": [
                                "arn:${AWS::Partition}:zed:${AWS::Region}:${AWS::AccountId}:thing/${thingName}",
                                {"thingName": {"Ref": "ThingName"}},
                            ]
                        },
                    }
                ]
            },
        },
        "AlphaPolicy": {
            "Description": "Partition-aware, as older templates were",
            "Parameters": {"BucketName": {"Description": "a bucket"}},
            "Definition": {
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": {
                            "Fn::If": [
                                "IsPartitionAws",
                                {"Fn::Sub": ["arn:aws:s3:::${b}/*", {"b": {"Ref": "BucketName"}}]},
                                {
                                    "Fn::Join": [
                                        "",
                                        ["arn:", {"Ref": "AWS::Partition"}, ":s3:::reports/*"],
                                    ]
                                },
                            ]
                        },
                    }
                ]
            },
        },
    },
}


def fake_wheel(folder: Path, templates: dict | str = TEMPLATES, version: str = "9.9.9") -> Path:
    path = folder / f"aws_sam_translator-{version}-py3-none-any.whl"
    info = f"aws_sam_translator-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as z:
        body = templates if isinstance(templates, str) else json.dumps(templates)
        z.writestr("samtranslator/policy_templates_data/policy_templates.json", body)
        z.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.4\nName: aws-sam-translator\nVersion: {version}\n"
        )
        z.writestr(f"{info}/licenses/LICENSE", LICENCE)
        z.writestr(f"{info}/licenses/NOTICE", "serverless-application-model\nCopyright Amazon.com")
    return path


def test_build_is_deterministic_and_check_compares_bytes(tmp_path, capsys):
    script = build_script()
    wheel = fake_wheel(tmp_path)
    one, two = tmp_path / "one.json.gz", tmp_path / "two.json.gz"
    assert script.main([str(wheel), "-o", str(one)]) == 0
    assert script.main([str(wheel), "-o", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0: no build date inside
    content = json.loads(gzip.decompress(one.read_bytes()))
    assert list(content["templates"]) == ["AlphaPolicy", "ZedPolicy"]  # sorted by name
    assert content["source"]["version"] == "9.9.9" and content["source"]["templates_version"] == "0.0.1"
    assert content["templates"]["ZedPolicy"]["parameters"] == ["ThingName"]
    assert script.main([str(wheel), "-o", str(one), "--check"]) == 0
    one.write_bytes(one.read_bytes() + b"\0")
    assert script.main([str(wheel), "-o", str(one), "--check"]) == 1
    assert "rerun scripts/build_sam_policy_templates.py" in capsys.readouterr().err


def broken(statement: dict, parameters: dict | None = None) -> dict:
    params = {"P": {"Description": "p"}} if parameters is None else parameters
    return {
        "Version": "0.0.1",
        "Templates": {"BadPolicy": {"Parameters": params, "Definition": {"Statement": [statement]}}},
    }


SUB = {"Fn::Sub": ["arn:aws:s3:::${p}", {"p": {"Ref": "P"}}]}


@pytest.mark.parametrize(
    "templates, message",
    [
        (broken({"Effect": "Allow", "Action": "s3:*", "Resource": {"Ref": "P"}}), "Ref P is not the value"),
        (broken({"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::GetAZs": ""}}, {}), "Fn::GetAZs"),
        (broken({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "parameters ['P'] are never used"),
        (broken({"Effect": "Allow", "Action": "s3:*", "Resource": {"Ref": "Q"}}), "Ref to 'Q'"),
        (broken({"Effect": "Allow", "Action": "s3:*", "Resource": SUB}, {"P-1": {}}), "odd parameter"),
        ({"Version": "0.0.1", "Templates": {"lower": {}}}, "does not match SAM's schema"),
        ({"Version": "0.0.1"}, "expected {'Version', 'Templates'"),
        ('{"Version": "0.0.1", "Version": "0.0.2"}', "duplicate keys"),
        ("{not json", "is not valid JSON"),
    ],
)
def test_build_stops_on_what_the_extractor_cannot_read(tmp_path, capsys, templates, message):
    script = build_script()
    out = tmp_path / "out.json.gz"
    assert script.main([str(fake_wheel(tmp_path, templates)), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("build_sam_policy_templates: ") and message in err, err
    assert "Traceback" not in err and not out.exists()


def test_build_stops_on_a_wheel_that_is_not_one(tmp_path, capsys):
    script = build_script()
    bad = tmp_path / "x.whl"
    bad.write_bytes(b"not a zip")
    assert script.main([str(bad), "-o", str(tmp_path / "o")]) == 2
    assert "cannot read" in capsys.readouterr().err


# -- expansion ----------------------------------------------------------------------------------------
def test_every_template_expands_into_resolved_statements():
    """All 81 templates, each with literal parameters: one document each, nothing unresolved."""
    data = sam.get()
    lines = []
    for name in data.names():
        params = ", ".join(f"{p}: v{i}" for i, p in enumerate(data.get(name).parameters))
        lines.append(f"- {name}: {{{params}}}")
    ex = yaml_ex(function("\n".join(lines)))
    assert ex.diagnostics == []
    assert [d.policy_template for d in ex.documents] == data.names()
    for i, (name, doc) in enumerate(zip(data.names(), ex.documents, strict=True)):
        template = data.get(name)
        assert doc.origin.path == f"Properties.Policies[{i}].{name}"
        assert doc.principals == ("FnRole",) and doc.kind.value == "identity"
        assert len(doc.statements) == len(template.statements)
        assert at(doc) == (9 + i, 11)
        for s in doc.statements:
            values = [*s.action, *(s.resource or ())] + [v for c in s.condition for v in c.values]
            assert all(isinstance(v, Str) for v in values), (name, values)
            assert all(at(v)[0] == 9 + i for v in values)
            assert "${" not in "".join(v.canonical() for v in values if isinstance(v, Str)), name
    role = next(p for p in ex.principals if p.address == "FnRole")
    assert role.inline == tuple(ex.documents) and role.managed == ()


def test_a_parameter_value_stands_where_it_is_written_and_the_template_on_its_name():
    ex = yaml_ex(function('- AWSLambdaBasicExecutionRole\n- SESCrudPolicy: {IdentityName: "*"}'))
    (doc,) = ex.documents
    (s,) = doc.statements
    assert at(doc) == at(s) == (10, 11)
    assert [text(a) for a in s.action][:2] == ["ses:GetIdentityVerificationAttributes", "ses:SendEmail"]
    assert all(at(a) == (10, 11) for a in s.action) and at(s.effect) == (10, 11)
    (r,) = s.resource
    assert r.value == "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"
    assert r.canonical() == "arn:aws:ses:<region>:<this-account>:identity/*"
    assert (r.span.line, r.span.column, r.span.end_line, r.span.end_column) == (10, 41, 10, 44)  # "*"
    role = next(p for p in ex.principals if p.address == "FnRole")
    assert [m.name for m in role.managed] == ["AWSLambdaBasicExecutionRole"]  # still an attachment


def test_intrinsic_parameter_values_stay_unknown_with_their_text():
    ex = yaml_ex(
        function(
            """
            - DynamoDBCrudPolicy: {TableName: !Ref Orders}
            - SQSPollerPolicy:
                QueueName: !GetAtt Jobs.QueueName
            - S3ReadPolicy: {BucketName: !Sub "${Env}-reports"}
            - KinesisCrudPolicy: {StreamName: !ImportValue shared-stream}
            """,
            "Parameters:\n  Env: {Type: String}\n",
        )
    )
    ddb, sqs, s3, kinesis = ex.documents
    assert [text(v) for v in ddb.statements[0].resource] == [
        "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}",
        "!Sub arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}/index/*",
    ]
    assert all(isinstance(v, Unknown) and at(v) == (11, 43) for v in ddb.statements[0].resource)
    (q,) = sqs.statements[0].resource
    assert isinstance(q, Unknown) and q.text.endswith(":${Jobs.QueueName}") and at(q) == (13, 24)
    assert text(s3.statements[0].resource[0]) == "!Sub arn:${AWS::Partition}:s3:::${Env}-reports"
    assert at(s3.statements[0].resource[0]) == (14, 38)
    (k,) = kinesis.statements[0].resource
    assert isinstance(k, Unknown) and "${streamName}" in k.text and at(k) == (15, 43)


def test_parameters_resolve_as_cloudformation_resolves_them():
    """Pseudo parameters, AllowedValues and Fn::Sub are evaluated by the template's resolver."""
    ex = yaml_ex(
        function(
            """
            - DynamoDBReadPolicy: {TableName: !Sub "${AWS::StackName}-orders"}
            - S3ReadPolicy: {BucketName: !Ref Bucket}
            """,
            'Parameters:\n  Bucket: {Type: String, AllowedValues: [reports, "*"]}\n',
        )
    )
    ddb, s3 = ex.documents
    assert text(ddb.statements[0].resource[0]) == (
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${AWS::StackName}-orders"
    )
    assert [v.canonical() for v in s3.statements[0].resource] == [
        "arn:aws:s3:::reports",
        "arn:aws:s3:::*",
        "arn:aws:s3:::reports/*",
        "arn:aws:s3:::*/*",
    ]


def test_fn_if_entries_single_policies_state_machines_and_explicit_roles():
    ex = yaml_ex(
        """
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Policies:
                - !If [Prod, {S3ReadPolicy: {BucketName: a}}, {S3ReadPolicy: {BucketName: b}}]
          Machine:
            Type: AWS::Serverless::StateMachine
            Properties:
              Policies:
                LambdaInvokePolicy: {FunctionName: worker}
          Mine:
            Type: AWS::Serverless::Function
            Properties:
              Role: !GetAtt Existing.Arn
              Policies: [{EC2DescribePolicy: {}}]
        """
    )
    paths = [(d.origin.owner, d.origin.path, d.principals) for d in ex.documents]
    assert paths == [
        ("Fn", "Properties.Policies[0].S3ReadPolicy", ("FnRole",)),
        ("Fn", "Properties.Policies[0].S3ReadPolicy", ("FnRole",)),
        ("Machine", "Properties.Policies.LambdaInvokePolicy", ("MachineRole",)),
        ("Mine", "Properties.Policies[0].EC2DescribePolicy", ()),  # SAM creates no role
    ]
    assert [ex.documents[i].statements[0].resource[0].canonical() for i in (0, 1)] == [
        "arn:aws:s3:::a",
        "arn:aws:s3:::b",
    ]


def test_json_templates_have_the_same_positions():
    text_ = textwrap.dedent(
        """\
        {
          "Transform": "AWS::Serverless-2016-10-31",
          "Resources": {
            "Fn": {
              "Type": "AWS::Serverless::Function",
              "Properties": {"Policies": [{"S3CrudPolicy": {"BucketName": "*"}}, {"TextractPolicy": {}}]}
            }
          }
        }
        """
    )
    ex = extract_json("t.json", text_, parse_json(text_))
    s3, textract = ex.documents
    assert at(s3) == (6, 36) and at(s3.statements[0].resource[0]) == (6, 67)
    assert at(textract.statements[0].action[0]) == (6, 75)


def test_templates_are_evaluated_with_fn_if_and_fn_join(tmp_path, monkeypatch):
    """Templates may use Fn::If over conditions SAM knows (IsPartitionAws) and Fn::Join: every
    branch is evaluated, as for the template's own intrinsic functions."""
    out = tmp_path / "t.json.gz"
    assert build_script().main([str(fake_wheel(tmp_path)), "-o", str(out)]) == 0
    monkeypatch.setattr(sam, "_shared", sam.load(out))
    ex = yaml_ex(function('- AlphaPolicy: {BucketName: "*"}\n- ZedPolicy: {ThingName: t}'))
    alpha, zed = ex.documents
    (s,) = alpha.statements
    assert [(text(v), at(v)) for v in s.resource] == [
        ("arn:aws:s3:::*/*", (9, 37)),
        ("arn:${AWS::Partition}:s3:::reports/*", (9, 11)),
    ]
    assert text(zed.statements[0].resource[0]).endswith(":thing/t")


def test_iam301_does_not_count_templates_but_their_size():
    reg = default_registry()
    many = function(
        """
        - S3ReadPolicy: {BucketName: a}
        - DynamoDBCrudPolicy: {TableName: t}
        - SQSSendMessagePolicy: {QueueName: q}
        - Statement:
            - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::b/*"}
        """
    )
    found = Linter(reg).lint_text("t.yaml", many)
    assert [f.code for r in found for f in r.findings if f.code == "IAM301"] == []
    # 30 templates: past 90% of the role's 10,240-character quota for inline policies
    big = function("\n".join(f"- DynamoDBCrudPolicy: {{TableName: table{i}}}" for i in range(30)))
    found = [f for r in Linter(reg).lint_text("t.yaml", big) for f in r.findings if f.code == "IAM301"]
    assert [(f.span.line, f.message.split(" use ")[0]) for f in found] == [
        (4, "inline policies of function-role FnRole")
    ]


# -- bad input, as a user runs iamlint ------------------------------------------------------------------
BAD = {
    "unknown.yaml": (
        "- S3ReedPolicy: {BucketName: reports}\n- S3CrudPolicy: {BucketName: '*'}",
        [
            (
                "IAM900",
                9,
                11,
                "unknown SAM policy template 'S3ReedPolicy' (did you mean 'S3ReadPolicy'?): SAM rejects "
                "this Policies entry at deploy (iamlint knows the 81 templates of aws-sam-translator 1.115.0)",
            ),
            ("IAM102", 10, 38, None),  # the rest of the file is still linted
        ],
    ),
    "missing.yaml": (
        "- DynamoDBCrudPolicy: {}",
        [
            (
                "IAM900",
                9,
                11,
                "SAM policy template DynamoDBCrudPolicy needs parameter TableName: SAM rejects it at deploy",
            )
        ],
    ),
    "misspelt.yaml": (
        "- SQSPollerPolicy:\n    QueueNam: jobs",
        [
            (
                "IAM900",
                9,
                11,
                "SAM policy template SQSPollerPolicy needs parameter QueueName (is 'QueueNam' a "
                "misspelling?): SAM rejects it at deploy",
            )
        ],
    ),
    "list.yaml": (
        "- LambdaInvokePolicy: {FunctionName: [a, b]}",
        [
            (
                "IAM900",
                9,
                46,
                "parameter FunctionName of SAM policy template LambdaInvokePolicy must be a string (or an "
                "intrinsic function that gives one), not a list: SAM writes it into a Fn::Sub, which "
                "CloudFormation rejects",
            )
        ],
    ),
    "map.yaml": (
        "- S3ReadPolicy:\n    BucketName: {Name: reports}",
        [("IAM900", 10, 25, None)],
    ),
    "null-parameter.yaml": ("- S3ReadPolicy: {BucketName: ~}", [("IAM900", 9, 26, None)]),
    "null-body.yaml": (
        "- VPCAccessPolicy:",
        [
            (
                "IAM900",
                9,
                11,
                "SAM policy template VPCAccessPolicy needs {} (it takes no parameters), not null: SAM "
                "rejects it at deploy",
            )
        ],
    ),
    "string-body.yaml": (
        "- S3ReadPolicy: reports",
        [
            (
                "IAM900",
                9,
                25,
                "SAM policy template S3ReadPolicy needs a map of its parameters {BucketName: ...}, not "
                "'reports': SAM rejects it at deploy",
            )
        ],
    ),
    "intrinsic-body.yaml": (
        "- S3WritePolicy: !If [Prod, {BucketName: a}, {BucketName: b}]",
        [
            (
                "IAM900",
                9,
                26,
                "SAM policy template S3WritePolicy needs a map of its parameters {BucketName: ...}, not !If: "
                "SAM expands policy templates before CloudFormation evaluates intrinsic functions",
            )
        ],
    ),
    "not-an-entry.yaml": (
        "- PolicyName: reports\n  PolicyDocument: {}",
        [("IAM900", 9, 11, None)],
    ),
    "extra.yaml": (
        "- KMSDecryptPolicy: {KeyId: k, Region: eu-west-1}",
        [
            (
                "IAM909",
                9,
                40,
                "SAM ignores parameter 'Region' of policy template KMSDecryptPolicy, which takes KeyId",
            )
        ],
    ),
}


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    for name, (policies, _) in BAD.items():
        (folder / name).write_text(function(policies))
    other = folder / "zz-policy.json"  # another file of the same run
    other.write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    )
    proc = subprocess.run(
        iamlint_bin() + ["--isolated", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return folder, proc


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_sam_policy_templates_are_one_clear_diagnostic_each(bad_run, name):
    folder, proc = bad_run
    assert "Traceback" not in proc.stderr and proc.returncode == 2, proc.stderr
    got = [
        (f["code"], f["line"], f["column"], f["message"])
        for f in json.loads(proc.stdout)["findings"]
        if f["file"] == str(folder / name)
    ]
    expected = BAD[name][1]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for g, e in zip(got, expected, strict=True):
        if e[3] is not None:
            assert g[3] == e[3]


def test_other_files_of_a_run_with_bad_templates_are_linted(bad_run):
    folder, proc = bad_run
    codes = [f["code"] for f in json.loads(proc.stdout)["findings"] if f["file"].endswith("zz-policy.json")]
    assert "IAM101" in codes and "IAM903" not in proc.stdout


def test_version_names_the_sam_templates_it_knows(run_cli):
    v = run_cli("--version")
    assert v.returncode == 0
    assert "SAM policy templates: 81 from aws-sam-translator 1.115.0" in v.stdout.splitlines()


def test_an_ignored_parameter_is_a_warning_not_an_input_error(run_cli, tmp_path):
    (tmp_path / "t.yaml").write_text(function("- S3ReadPolicy: {BucketName: reports, Prefix: monthly/}"))
    proc = run_cli("--isolated", tmp_path / "t.yaml")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stdout.splitlines()[0] == (
        f"{tmp_path / 't.yaml'}:9:47: IAM909 [warning] SAM ignores parameter 'Prefix' of policy template "
        "S3ReadPolicy, which takes BucketName (ignored-parameter)"
    )


def test_a_damaged_data_file_is_reported_not_a_traceback(tmp_path, monkeypatch):
    bad = tmp_path / "sam.json.gz"
    bad.write_bytes(b"\x1f\x8b broken")
    monkeypatch.setattr(sam, "DATA_FILE", str(bad))
    monkeypatch.setattr(sam, "_shared", None)
    ex = yaml_ex(function("- S3ReadPolicy: {BucketName: reports}"))
    assert [(d.code, at(d)) for d in ex.diagnostics] == [("IAM903", (9, 11))]
    assert "cannot read the SAM policy templates" in ex.diagnostics[0].message
    for content in ({"format": 99}, {"format": 1}):
        bad.write_bytes(gzip.compress(json.dumps(content).encode()))
        with pytest.raises(sam.SamTemplatesError):
            sam.load(bad)


# -- performance ---------------------------------------------------------------------------------------
def test_the_data_is_read_only_for_templates_that_use_a_policy_template(tmp_path):
    plain = tmp_path / "plain.yaml"
    plain.write_text(
        function(
            "- AWSLambdaBasicExecutionRole\n- Statement: [{Effect: Allow, Action: s3:GetObject, Resource: '*'}]"
        )
    )
    uses = tmp_path / "uses.yaml"
    uses.write_text(function("- S3ReadPolicy: {BucketName: reports}"))
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda ev, args: ev == 'open' and 'sam_policy_templates' in str(args[0]) and opened.append(1))\n"
        "from iamlint.engine import Linter\n"
        "from iamlint.ruleset import default_registry\n"
        "Linter(default_registry()).run([sys.argv[1]])\n"
        "assert opened == [], 'read for a template without policy templates'\n"
        "Linter(default_registry()).run([sys.argv[2]])\n"
        "assert opened == [1], opened\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(plain), str(uses)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_many_templates_lint_in_bounded_time(tmp_path):
    """400 functions of 4 templates each (1,600 expansions, every resolver path) in one file."""
    entries = (
        "      Policies:\n"
        "        - S3CrudPolicy: {BucketName: !Ref Bucket}\n"
        "        - DynamoDBCrudPolicy: {TableName: !Sub '${AWS::StackName}-t'}\n"
        "        - SESBulkTemplatedCrudPolicy_v2: {IdentityName: a, TemplateName: b}\n"
        "        - AWSSecretsManagerRotationPolicy: {FunctionName: !GetAtt F.Arn}\n"
    )
    body = "".join(
        f"  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n{entries}" for i in range(400)
    )
    path = tmp_path / "big.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  Bucket: {Type: String, AllowedValues: [a, b, c]}\n"
        f"Resources:\n{body}"
    )
    code = (
        "import sys, time\n"
        "from iamlint.engine import Linter\n"
        "from iamlint.ruleset import default_registry\n"
        "t = time.perf_counter()\n"
        "report = Linter(default_registry()).run([sys.argv[1]])\n"
        "print(time.perf_counter() - t, sum(f.documents for f in report.files))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    seconds, policies = proc.stdout.split()
    assert int(policies) == 1600
    assert float(seconds) < 30  # about 2 s on the 2-core development machine, rules included
