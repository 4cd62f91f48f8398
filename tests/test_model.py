"""Normalisation happens once, in the model: single values, single statements, operators."""

from __future__ import annotations

from iamlint.builder import DocumentBuilder, parse_operator
from iamlint.extract.jsonpolicy import guess_kind
from iamlint.model import DocKind, Origin, Str, Unknown
from iamlint.parse.json_parser import parse_json


def build(text: str):
    root = parse_json(text)
    return DocumentBuilder("p.json").document(root, DocKind.IDENTITY, Origin("p.json", "json"))


def test_single_value_and_list_are_the_same_shape():
    a = build('{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}')
    b = build('{"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}')
    for doc in (a, b):
        (st,) = doc.statements
        assert [v.value for v in st.action] == ["s3:GetObject"]
        assert [v.value for v in st.resource] == ["*"]
        assert st.is_allow and not st.is_deny
        assert st.not_action is None and st.principal is None


def test_condition_operators_are_parsed_case_insensitively():
    doc = build(
        '{"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {'
        '"boolIfExists": {"aws:MultiFactorAuthPresent": false},'
        '"ForAnyValue:StringLike": {"AWS:PrincipalOrgPaths": ["o-1/*", "o-2/*"]}}}]}'
    )
    (st,) = doc.statements
    mfa, org = st.condition
    assert (mfa.base, mfa.qualifier, mfa.if_exists, mfa.key) == (
        "bool",
        None,
        True,
        "aws:multifactorauthpresent",
    )
    assert mfa.literal_values() == ("false",)
    assert (org.base, org.qualifier, org.if_exists) == ("stringlike", "foranyvalue", False)
    assert org.literal_values() == ("o-1/*", "o-2/*")
    assert st.conditions(key="AWS:MultiFactorAuthPresent") == (mfa,)
    assert org.key_span.line == 1


def test_parse_operator_forms():
    assert parse_operator("StringEquals") == ("stringequals", None, False)
    assert parse_operator("ForAllValues:StringNotLikeIfExists") == ("stringnotlike", "forallvalues", True)
    assert parse_operator("Null") == ("null", None, False)


def test_principal_forms():
    doc = build(
        '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},'
        '{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "ec2.amazonaws.com"},'
        ' "Action": "sts:AssumeRole"}]}'
    )
    a, b = doc.statements
    assert a.principal.is_wildcard
    assert [e.kind for e in b.principal.entries] == ["AWS", "Service"]
    assert [v.value for v in b.principal.of_kind("service")] == ["ec2.amazonaws.com"]
    assert not b.principal.is_wildcard


def test_non_string_values_become_unknown_with_their_text():
    doc = build('{"Statement": [{"Effect": "Allow", "Action": [{"Ref": "Actions"}], "Resource": "*"}]}')
    (st,) = doc.statements
    (v,) = st.action
    assert isinstance(v, Unknown) and v.text == '{"Ref":"Actions"}'


def test_structural_problems_are_recorded_not_raised():
    doc = build('{"Statement": ["not a statement", {"Effect": "Allow", "Principal": "me"}]}')
    assert len(doc.statements) == 1
    messages = [m for m, _ in doc.problems]
    assert any("a statement must be a JSON object" in m for m in messages)
    assert any("Principal must be" in m for m in messages)


def test_document_size_ignores_whitespace():
    doc = build('{ "Statement" : [ { "Effect" : "Allow" } ] }')
    assert doc.size == len('{"Statement":[{"Effect":"Allow"}]}')


def test_kind_of_a_raw_policy_is_guessed_from_principals():
    assert (
        guess_kind(parse_json('{"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}')) is DocKind.IDENTITY
    )
    assert guess_kind(parse_json('{"Statement": [{"Principal": "*", "Action": "s3:*"}]}')) is DocKind.RESOURCE
    assert (
        guess_kind(parse_json('{"Statement": [{"Principal": {"AWS": "x"}, "Action": "sts:AssumeRole"}]}'))
        is DocKind.TRUST
    )


def test_wrapped_documents_are_found(tmp_path):
    from iamlint.engine import Linter
    from iamlint.ruleset import default_registry

    p = tmp_path / "role.json"
    p.write_text(
        '{"Role": {"RoleName": "ci", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}}}'
    )
    q = tmp_path / "version.json"
    q.write_text(
        '{"PolicyVersion": {"VersionId": "v3", "Document": {"Statement": '
        '[{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}}'
    )
    report = Linter(default_registry()).run([str(tmp_path)])
    assert [(fr.path.rsplit("/", 1)[-1], fr.status, fr.documents) for fr in report.files] == [
        ("role.json", "policies", 1),
        ("version.json", "policies", 1),
    ]
    assert [f.code for f in report.findings] == ["IAM402", "IAM101", "IAM401", "IAM102"]
    assert isinstance(Str("x", report.findings[0].span), Str)


def test_an_unknown_built_of_inputs_has_a_canonical_shape():
    """The model says "an account from a parameter" without any format's syntax: the value's
    shape, its inputs, and the pseudo parts the builder finds in the shape."""
    from iamlint.builder import with_pseudo
    from iamlint.model import Input, Pseudo, Span, input_token

    span = Span("t.yaml", 3, 5, 3, 40)
    acct = Input("parameter", "SourceAWSAcctId")
    value = Unknown(
        "!Sub arn:${AWS::Partition}:iam::${SourceAWSAcctId}:root",
        span,
        shape="arn:${AWS::Partition}:iam::${SourceAWSAcctId}:root",
        inputs=(("${SourceAWSAcctId}", acct),),
    )
    found = with_pseudo(value, lambda s: (("${AWS::Partition}", Pseudo.PARTITION),) if "AWS::" in s else ())
    assert isinstance(found, Unknown)
    assert found.pseudo == (("${AWS::Partition}", Pseudo.PARTITION),)
    assert found.canonical() == f"arn:aws:iam::{input_token(0)}:root"
    assert ":" not in input_token(0)
    # what is known of the value is not its identity
    assert found == Unknown(value.text, span) and hash(found) == hash(Unknown(value.text, span))
    assert Unknown("!GetAtt Role.Arn", span).canonical() is None
    assert str(acct) == "parameter SourceAWSAcctId"
    assert str(Input("parameter", "Accounts", many=True)) == "list parameter Accounts"
