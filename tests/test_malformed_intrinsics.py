"""A malformed intrinsic function is IAM900 where it is written, an Unknown, and nothing more.

Issue "Hostile input", defect 7: ``Resource: !Ref [a]`` or ``Resource: {"Ref": {"a": 1}}`` in a
policy was IAM903 (``TypeError: unhashable type``) and the template then reported "0 policies
found". Every intrinsic function the resolver reads is tried here with arguments of the
wrong shape, in every position of a policy, all in one run of the CLI.
"""

from __future__ import annotations

import json

import pytest

#: (id, the value as written in a YAML flow, where the malformed function starts in it, message)
SHAPES: list[tuple[str, str, str, str]] = [
    ("ref-list", '{"Ref": ["a"]}', "", "Ref takes a logical id or parameter name, not a list"),
    ("ref-map", '{"Ref": {"a": 1}}', "", "Ref takes a logical id or parameter name, not a map"),
    ("ref-number", '{"Ref": 5}', "", "Ref takes a logical id or parameter name, not a number"),
    ("ref-null", '{"Ref": null}', "", "Ref takes a logical id or parameter name, not null"),
    ("ref-empty", '{"Ref": ""}', "", "Ref takes a logical id or parameter name, not an empty string"),
    (
        "ref-function",
        '{"Ref": {"Fn::Sub": "a"}}',
        "",
        "Ref takes a logical id or parameter name, not Fn::Sub",
    ),
    ("short-ref-list", "!Ref [a]", "", "Ref takes a logical id or parameter name, not a list"),
    ("short-ref-map", "!Ref {a: 1}", "", "Ref takes a logical id or parameter name, not a map"),
    (
        "sub-three",
        '{"Fn::Sub": ["a", {}, "b"]}',
        "",
        "Fn::Sub takes a string, or a list of a string and a map of variables, not a list of 3 items",
    ),
    (
        "sub-map",
        '{"Fn::Sub": {"a": 1}}',
        "",
        "Fn::Sub takes a string, or a list of a string and a map of variables, not a map",
    ),
    (
        "sub-number",
        '{"Fn::Sub": 5}',
        "",
        "Fn::Sub takes a string, or a list of a string and a map of variables, not a number",
    ),
    (
        "sub-empty",
        '{"Fn::Sub": []}',
        "",
        "Fn::Sub takes a string, or a list of a string and a map of variables, not an empty list",
    ),
    (
        "sub-list-first",
        '{"Fn::Sub": [["a"], {}]}',
        "",
        "Fn::Sub's first item must be the string to substitute, not a list",
    ),
    (
        "sub-list-variables",
        '{"Fn::Sub": ["${a}", ["b"]]}',
        "",
        "Fn::Sub's variables must be a map, not a list",
    ),
    (
        "short-sub-three",
        "!Sub [a, {}, b]",
        "",
        "Fn::Sub takes a string, or a list of a string and a map of variables, not a list of 3 items",
    ),
    (
        "join-string",
        '{"Fn::Join": "a,b"}',
        "",
        "Fn::Join takes a list of a delimiter and a list of values, not a string",
    ),
    (
        "join-map",
        '{"Fn::Join": {"a": 1}}',
        "",
        "Fn::Join takes a list of a delimiter and a list of values, not a map",
    ),
    (
        "join-three",
        '{"Fn::Join": [",", ["a"], "b"]}',
        "",
        "Fn::Join takes a list of a delimiter and a list of values, not a list of 3 items",
    ),
    (
        "join-list-delimiter",
        '{"Fn::Join": [[","], ["a"]]}',
        "",
        "Fn::Join's delimiter must be a string, not a list",
    ),
    ("join-string-values", '{"Fn::Join": [",", "ab"]}', "", "Fn::Join's values must be a list, not a string"),
    (
        "short-join-string",
        "!Join a",
        "",
        "Fn::Join takes a list of a delimiter and a list of values, not a string",
    ),
    (
        "select-word-index",
        '{"Fn::Select": ["first", ["a", "b"]]}',
        "",
        "Fn::Select's index must be a number from 0, not 'first'",
    ),
    (
        "select-list-index",
        '{"Fn::Select": [["0"], ["a", "b"]]}',
        "",
        "Fn::Select's index must be a number from 0, not a list",
    ),
    (
        "select-negative",
        '{"Fn::Select": [-1, ["a", "b"]]}',
        "",
        "Fn::Select's index must be a number from 0, not -1",
    ),
    (
        "select-superscript-index",
        '{"Fn::Select": ["\u00b2", ["a", "b"]]}',
        "",
        "Fn::Select's index must be a number from 0, not '\u00b2'",
    ),
    (
        "select-out-of-range",
        '{"Fn::Select": ["5", ["a", "b"]]}',
        "",
        "Fn::Select's index 5 is out of range: the list has 2 items",
    ),
    (
        "select-string",
        '{"Fn::Select": "0"}',
        "",
        "Fn::Select takes a list of an index and a list of values, not a string",
    ),
    (
        "select-string-values",
        '{"Fn::Select": ["0", "ab"]}',
        "",
        "Fn::Select's values must be a list, not a string",
    ),
    (
        "short-select-word-index",
        "!Select [first, [a, b]]",
        "",
        "Fn::Select's index must be a number from 0, not 'first'",
    ),
    (
        "findinmap-two",
        '{"Fn::FindInMap": ["M", "k"]}',
        "",
        "Fn::FindInMap takes a list of a map name, a top-level key and a second-level key, not a list of 2 items",
    ),
    (
        "findinmap-five",
        '{"Fn::FindInMap": ["M", "k", "v", {}, "x"]}',
        "",
        "Fn::FindInMap takes a list of a map name, a top-level key and a second-level key, not a list of 5 items",
    ),
    (
        "findinmap-string",
        '{"Fn::FindInMap": "M"}',
        "",
        "Fn::FindInMap takes a list of a map name, a top-level key and a second-level key, not a string",
    ),
    (
        "findinmap-list-name",
        '{"Fn::FindInMap": [["M"], "k", "v"]}',
        "",
        "Fn::FindInMap's map name must be a string, not a list",
    ),
    (
        "findinmap-map-key",
        '{"Fn::FindInMap": ["M", {"a": 1}, "v"]}',
        "",
        "Fn::FindInMap's top-level key must be a string, not a map",
    ),
    (
        "findinmap-list-default",
        '{"Fn::FindInMap": ["M", "k", "v", ["x"]]}',
        "",
        "Fn::FindInMap's fourth item must be a map {DefaultValue: ...}, not a list",
    ),
    (
        "short-findinmap-two",
        "!FindInMap [M, k]",
        "",
        "Fn::FindInMap takes a list of a map name, a top-level key and a second-level key, not a list of 2 items",
    ),
    (
        "if-two",
        '{"Fn::If": ["C", "a"]}',
        "",
        "Fn::If needs a list of 3 elements [condition, value if true, value if false], found 2 element(s)",
    ),
    (
        "if-string",
        '{"Fn::If": "C"}',
        "",
        "Fn::If needs a list of 3 elements [condition, value if true, value if false], found a single value",
    ),
    (
        "if-list-condition",
        '{"Fn::If": [["C"], "a", "b"]}',
        "",
        "Fn::If's condition must be a condition name, not a list",
    ),
    (
        "short-if-two",
        "!If [C, a]",
        "",
        "Fn::If needs a list of 3 elements [condition, value if true, value if false], found 2 element(s)",
    ),
    (
        "getatt-number",
        '{"Fn::GetAtt": 5}',
        "",
        "Fn::GetAtt takes a list of a logical id and an attribute name, or LogicalId.Attribute, not a number",
    ),
    (
        "getatt-map",
        '{"Fn::GetAtt": {"a": 1}}',
        "",
        "Fn::GetAtt takes a list of a logical id and an attribute name, or LogicalId.Attribute, not a map",
    ),
    (
        "getatt-three",
        '{"Fn::GetAtt": ["Role", "Arn", "x"]}',
        "",
        "Fn::GetAtt takes a list of a logical id and an attribute name, or LogicalId.Attribute, not a list of 3 items",
    ),
    (
        "getatt-no-attribute",
        '{"Fn::GetAtt": "Role"}',
        "",
        "Fn::GetAtt 'Role' names no attribute: write LogicalId.Attribute, such as Role.Arn",
    ),
    (
        "getatt-list-name",
        '{"Fn::GetAtt": [["Role"], "Arn"]}',
        "",
        "Fn::GetAtt's logical id must be a string, not a list",
    ),
    (
        "getatt-map-attribute",
        '{"Fn::GetAtt": ["Role", {"a": 1}]}',
        "",
        "Fn::GetAtt's attribute name must be a string, not a map",
    ),
    (
        "short-getatt-no-attribute",
        "!GetAtt Role",
        "",
        "Fn::GetAtt 'Role' names no attribute: write LogicalId.Attribute, such as Role.Arn",
    ),
    (
        "split-string",
        '{"Fn::Split": ","}',
        "",
        "Fn::Split takes a list of a delimiter and a string, not a string",
    ),
    (
        "split-three",
        '{"Fn::Split": [",", "a", "b"]}',
        "",
        "Fn::Split takes a list of a delimiter and a string, not a list of 3 items",
    ),
    (
        "split-list-delimiter",
        '{"Fn::Split": [[","], "a,b"]}',
        "",
        "Fn::Split's delimiter must be a string, not a list",
    ),
    (
        "split-list-string",
        '{"Fn::Split": [",", ["a"]]}',
        "",
        "Fn::Split's string must be a string, not a list",
    ),
    ("base64-list", '{"Fn::Base64": ["a"]}', "", "Fn::Base64 takes a string, not a list"),
    ("base64-map", '{"Fn::Base64": {"a": 1}}', "", "Fn::Base64 takes a string, not a map"),
    ("short-base64-list", "!Base64 [a]", "", "Fn::Base64 takes a string, not a list"),
    (
        "importvalue-list",
        '{"Fn::ImportValue": ["a"]}',
        "",
        "Fn::ImportValue takes the name of an export, not a list",
    ),
    ("getazs-map", '{"Fn::GetAZs": {"a": 1}}', "", "Fn::GetAZs takes a region, not a map"),
    (
        "cidr-two",
        '{"Fn::Cidr": ["10.0.0.0/16", 6]}',
        "",
        "Fn::Cidr takes a list of an address block, a count and a number of mask bits, not a list of 2 items",
    ),
    (
        "tojsonstring-string",
        '{"Fn::ToJsonString": "{}"}',
        "",
        "Fn::ToJsonString takes a map or a list, not a string",
    ),
    ("length-string", '{"Fn::Length": "abc"}', "", "Fn::Length takes a list, not a string"),
    # a malformed function inside a well-formed one: reported where it is, whether or not
    # iamlint resolves the outer one
    (
        "in-sub-variables",
        '{"Fn::Sub": ["${x}", {"x": {"Ref": ["a"]}}]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-join",
        '{"Fn::Join": [",", ["a", {"Ref": {"a": 1}}]]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a map",
    ),
    (
        "in-if",
        '{"Fn::If": ["C", {"Ref": ["a"]}, "b"]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-select",
        '{"Fn::Select": ["0", [{"Ref": ["a"]}]]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-findinmap",
        '{"Fn::FindInMap": ["M", {"Ref": ["a"]}, "v"]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-getatt",
        '{"Fn::GetAtt": ["Role", {"Ref": ["a"]}]}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-base64",
        '{"Fn::Base64": {"Ref": ["a"]}}',
        '{"Ref"',
        "Ref takes a logical id or parameter name, not a list",
    ),
    (
        "in-split",
        '{"Fn::Split": [",", {"Fn::Sub": 5}]}',
        '{"Fn::Sub"',
        "Fn::Sub takes a string, or a list of a string and a map of variables, not a number",
    ),
    (
        "short-in-join",
        "!Join [',', [!Ref [a]]]",
        "!Ref",
        "Ref takes a logical id or parameter name, not a list",
    ),
]

PRINCIPAL = "{AWS: 'arn:aws:iam::111122223333:root'}"
FIRST = {
    "Effect": "Allow",
    "Principal": PRINCIPAL,
    "Action": "'s3:GetObject'",
    "Resource": "'arn:aws:s3:::b/*'",
}
#: where the malformed value goes: (the first statement, or None), the Statement list, the document
POSITIONS: dict[str, tuple[dict | None, str, str]] = {
    "Action": ({**FIRST, "Action": "@X@"}, "", ""),
    "Action item": ({**FIRST, "Action": "['s3:GetObject', @X@]"}, "", ""),
    "NotAction": ({k: v for k, v in {**FIRST, "NotAction": "@X@"}.items() if k != "Action"}, "", ""),
    "Resource": ({**FIRST, "Resource": "@X@"}, "", ""),
    "Resource item": ({**FIRST, "Resource": "['arn:aws:s3:::b/*', @X@]"}, "", ""),
    "Principal": ({**FIRST, "Principal": "@X@"}, "", ""),
    "Principal AWS": ({**FIRST, "Principal": "{AWS: @X@}"}, "", ""),
    "Principal AWS item": ({**FIRST, "Principal": "{AWS: ['arn:aws:iam::111122223333:root', @X@]}"}, "", ""),
    "Condition value": ({**FIRST, "Condition": "{StringEquals: {'aws:SourceAccount': @X@}}"}, "", ""),
    "Condition operator": ({**FIRST, "Condition": "{StringEquals: @X@}"}, "", ""),
    "Condition": ({**FIRST, "Condition": "@X@"}, "", ""),
    "Effect": ({**FIRST, "Effect": "@X@"}, "", ""),
    "Sid": ({**FIRST, "Sid": "@X@"}, "", ""),
    "Statement item": (None, "@X@", ""),
    "Statement": (None, "", "@X@"),
    "PolicyDocument": (None, "", ""),
}
WILD = f"{{Effect: Allow, Principal: {PRINCIPAL}, Action: 's3:*', Resource: 'arn:aws:s3:::b/*'}}"

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Conditions:
  C: !Equals [a, a]
Mappings:
  M: {k: {v: x}}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: b
%s
  Other:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Statement: [{Effect: Allow, Action: 'sqs:*', Resource: '*'}]}
"""


def document(position: str) -> str:
    first, item, statements = POSITIONS[position]
    if position == "PolicyDocument":
        return "      PolicyDocument: @X@"
    if statements:
        return "      PolicyDocument:\n        Statement: " + statements
    head = item or "{" + ", ".join(f"{k}: {v}" for k, v in (first or {}).items()) + "}"
    return f"      PolicyDocument:\n        Statement:\n          - {head}\n          - {WILD}"


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


CASES = [(shape, position) for shape in SHAPES for position in POSITIONS]


def case_id(case) -> str:
    (shape, *_), position = case
    return f"{shape}-{position.replace(' ', '-')}"


def file_name(case) -> str:
    return case_id(case) + ".yaml"


@pytest.fixture(scope="module")
def linted(tmp_path_factory):
    """Every case a file of its own, all linted in one run of the CLI: (run, texts, findings by file)."""
    import os
    import subprocess

    from conftest import iamlint_bin

    root = tmp_path_factory.mktemp("malformed")
    texts = {}
    for case in CASES:
        (_, value, _, _), position = case
        text = (TEMPLATE % document(position)).replace("@X@", value)
        texts[file_name(case)] = (TEMPLATE % document(position), text)
        (root / file_name(case)).write_text(text)
    env = dict(os.environ, NO_COLOR="1")
    run = subprocess.run(
        iamlint_bin() + ["--format", "json", "-j2", "."],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    report = json.loads(run.stdout)
    by_file: dict[str, list[tuple]] = {name: [] for name in texts}
    for f in report["findings"]:
        by_file[os.path.basename(f["file"])].append((f["code"], f["line"], f["column"], f["message"]))
    policies = {os.path.basename(f["path"]): f["policies"] for f in report["files"]}
    return run, texts, by_file, policies


def test_one_run_over_every_malformed_shape(linted):
    run, texts, by_file, policies = linted
    assert "Traceback" not in run.stderr
    assert run.returncode == 2, run.stderr  # input errors, and nothing worse
    assert len(policies) == len(CASES)


@pytest.mark.parametrize("shape", SHAPES, ids=[shape[0] for shape in SHAPES])
def test_malformed_intrinsic_is_iam900_where_it_is_written(linted, shape):
    """The shape in every position (one parameter a shape: a thousand parameters cost seconds)."""
    _, texts, by_file, policies = linted
    _, value, inner, message = shape
    for position in POSITIONS:
        name = file_name((shape, position))
        template, text = texts[name]
        found = by_file[name]
        where = f"{position}: {found}"
        assert not [f for f in found if f[0] == "IAM903"], where
        line, col = line_col(text, template.index("@X@") + value.index(inner))
        errors = [f for f in found if f[0] == "IAM900"]
        assert ("IAM900", line, col, message) in errors, where
        others = [f for f in errors if f != ("IAM900", line, col, message)]
        if position == "PolicyDocument" and inner:
            # a well-formed Fn::Sub, Fn::Join, ... as the document is a JSON string: this one is not
            assert all(f[3].startswith("policy document is not valid JSON") for f in others), where
        else:
            assert others == [], where
        # the rest of the template, and of that policy, is still linted
        other = line_col(text, text.index("'sqs:*'"))
        assert ("IAM101", *other) in [f[:3] for f in found], where
        if position not in ("Statement", "PolicyDocument"):
            wild = line_col(text, text.index("'s3:*'"))
            assert ("IAM101", *wild) in [f[:3] for f in found], where
        # the trust policy, P (not when the malformed function is all of it) and Other
        assert policies[name] == (2 if position == "PolicyDocument" else 3), where


# -- the two the issue names, as a user sees them --------------------------------------------------
@pytest.mark.parametrize(
    "resource,column,message",
    [
        ("!Ref [a]", 23, "Ref takes a logical id or parameter name, not a list"),
        ('{"Ref": {"a": 1}}', 23, "Ref takes a logical id or parameter name, not a map"),
    ],
)
def test_ref_of_a_list_or_a_map_in_a_policy(run_cli, tmp_path, resource, column, message):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Policy:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: s3:GetObject\n"
        f"            Resource: {resource}\n"
        "          - Effect: Allow\n"
        "            Action: '*'\n"
        "            Resource: 'arn:aws:s3:::b'\n"
    )
    out = run_cli("template.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == f"template.yaml:9:{column}: IAM900 [error] {message} (parse-error)"
    assert lines[1].startswith("template.yaml:11:21: IAM101 [error] Allow statement grants every action")
    assert "IAM903" not in out.stdout
    assert "1 file scanned; 1 policy found" in out.stdout


def test_json_template_with_ref_of_a_map(run_cli, tmp_path):
    statements = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Ref": {"a": 1}}},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"},
    ]
    template = {"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {}}}}}
    template["Resources"]["P"]["Properties"]["PolicyDocument"] = {"Statement": statements}
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2))
    out = run_cli("template.json", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == (
        "template.json:11:27: IAM900 [error] Ref takes a logical id or parameter name, not a map (parse-error)"
    )
    assert lines[1].startswith("template.json:19:25: IAM101 [error] Allow statement grants every action")
    assert "1 file scanned; 1 policy found" in out.stdout


# -- outside policy documents: the properties that name principals and policies ---------------------
ELSEWHERE = """\
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref [a], !If [C, x], !GetAtt [Role]]
      ManagedPolicyName: !Sub [a, b, c]
      PolicyDocument: {Statement: [{Effect: Allow, Action: '*', Resource: 'arn:aws:s3:::b'}]}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {AWS: !Ref [a]}, Action: 'sts:AssumeRole'}]}
      ManagedPolicyArns: [!Ref [Policy], !Join a]
      PermissionsBoundary: !Ref {a: 1}
      Policies:
        - !If [C]
        - PolicyName: !Ref [x]
          PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: 'arn:aws:s3:::b'}]}
"""


def test_malformed_intrinsics_outside_policies(run_cli, tmp_path):
    (tmp_path / "template.yaml").write_text(ELSEWHERE)
    out = run_cli("--format", "json", "template.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr
    assert out.returncode == 2, out.stdout + out.stderr
    report = json.loads(out.stdout)
    found = [(f["code"], f["line"], f["column"]) for f in report["findings"]]
    assert found == [
        ("IAM900", 5, 15),  # Roles: !Ref [a]
        ("IAM900", 5, 25),  # Roles: !If [C, x]
        ("IAM900", 5, 37),  # Roles: !GetAtt [Role]
        ("IAM900", 6, 26),  # ManagedPolicyName: !Sub [a, b, c]
        ("IAM101", 7, 60),
        ("IAM900", 11, 79),  # Principal: {AWS: !Ref [a]}
        ("IAM900", 12, 27),  # ManagedPolicyArns: !Ref [Policy]
        ("IAM900", 12, 42),  # ManagedPolicyArns: !Join a
        ("IAM900", 13, 28),  # PermissionsBoundary: !Ref {a: 1}
        ("IAM900", 15, 11),  # Policies: !If [C]
        ("IAM900", 16, 23),  # PolicyName: !Ref [x]
        ("IAM101", 17, 64),
    ], out.stdout
    assert [f["path"] for f in report["files"]] == ["template.yaml"] and report["files"][0]["policies"] == 3
    # a malformed Ref names no principal: no made-up role "!Ref ["a"]" the policy attaches to
    from iamlint.extract.cloudformation import extract_yaml

    ex = extract_yaml("template.yaml", ELSEWHERE)
    assert ex is not None and [p.address for p in ex.principals] == ["Role"]
