"""The positional JSON parser: exact positions, strictness, and bad input as one clear error."""

from __future__ import annotations

import pytest

from iamlint.discover import decode
from iamlint.engine import Linter
from iamlint.parse.json_parser import parse_json
from iamlint.parse.nodes import PDict, PList, PScalar
from iamlint.positions import PositionedError
from iamlint.ruleset import default_registry


def test_positions_of_keys_and_values():
    text = '{\n  "Action": ["s3:GetObject",\n    "s3:PutObject"],\n  "N": 12, "B": true\n}'
    root = parse_json(text)
    assert isinstance(root, PDict) and root.pos == (1, 1, 5, 2)
    action = root["Action"]
    assert isinstance(action, PList) and action.pos == (2, 13, 3, 20)
    assert action[0] == "s3:GetObject" and action[0].pos == (2, 14, 2, 28)
    assert action[1].pos == (3, 5, 3, 19)
    assert root.key("Action").pos == (2, 3, 2, 11)
    assert isinstance(root["N"], PScalar) and root["N"].value == 12 and root["N"].pos == (4, 8, 4, 10)
    assert root["B"].value is True


def test_columns_count_characters_not_bytes():
    root = parse_json('{"Sid": "Zürich", "Action": "s3:*"}')
    assert root["Action"].pos[:2] == (1, 29)


def test_escapes_are_decoded_and_positions_kept():
    root = parse_json('{"A": "a\\u0041\\n", "B": "x"}')
    assert root["A"] == "aA\n"
    assert root["B"].pos[:2] == (1, 25)


def test_mapper_moves_positions_into_the_outer_file():
    root = parse_json('{\n"Action": "*"}', mapper=lambda line, col: (line + 10, col + 4))
    assert root["Action"].pos[:2] == (12, 15)


def test_duplicate_keys_are_recorded_and_the_last_wins():
    root = parse_json('{"A": 1,\n "A": 2}')
    assert root["A"].value == 2
    ((key, first, second),) = root.dups
    assert key == "A" and first[:2] == (1, 2) and second[:2] == (2, 2)


@pytest.mark.parametrize(
    "text, message, line, col",
    [
        ("", "file is empty", 1, 1),
        ("   \n", "file is empty", 2, 1),
        ('{"a": 1} x', "unexpected content after the JSON value", 1, 10),
        ('{"a": 1,}', "expected a property name", 1, 9),
        ("[1, 2,]", "expected a value", 1, 7),
        ('{"a" 1}', "expected ':'", 1, 6),
        ('{"a": tru}', "expected a value", 1, 7),
        ('{"a": "b\n"}', "invalid string", 1, 9),
        ("{'a': 1}", "expected a property name in double quotes", 1, 2),
        ('{"a": [1, 2}', "expected ',' or ']'", 1, 12),
        ('{"a": 1', "expected ',' or '}'", 1, 8),
    ],
)
def test_syntax_errors_have_message_and_position(text, message, line, col):
    with pytest.raises(PositionedError) as err:
        parse_json(text)
    assert message in err.value.message
    assert (err.value.line, err.value.column) == (line, col)


def test_deep_nesting_is_an_error_not_a_crash():
    text = "[" * 100_000 + "]" * 100_000
    with pytest.raises(PositionedError) as err:
        parse_json(text)
    assert "nesting deeper than" in err.value.message
    assert err.value.line == 1


def test_decode_handles_bom_crlf_and_bad_bytes():
    text, err = decode("p.json", b'\xef\xbb\xbf{"a":\r\n 1}')
    assert err is None and text == '{"a":\n 1}'
    text, err = decode("p.json", b'{\n  "Sid": "caf\xe9"}')
    assert text is None and err.code == "IAM900"
    assert (err.span.line, err.span.column) == (2, 14)
    assert "invalid UTF-8 (byte 0xe9)" in err.message
    text, err = decode("p.json", b"\xff\xfe{\x00}\x00")
    assert text is None and "UTF-16" in err.message


def _lint(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return Linter(default_registry()).run([str(p)])


def test_crlf_file_positions_are_unchanged(tmp_path):
    body = '{\r\n  "Statement": {\r\n    "Effect": "Allow",\r\n    "Action": "*",\r\n    "Resource": "x"}\r\n}\r\n'
    report = _lint(tmp_path, "crlf.json", body.encode())
    assert [(f.code, f.span.line, f.span.column) for f in report.findings] == [
        ("IAM101", 4, 15),
        ("IAM505", 5, 17),  # "x" is not an ARN
    ]


@pytest.mark.parametrize(
    "name, content, status",
    [
        ("empty.json", "", "not-iac"),
        ("array.json", '[{"Statement": []}]', "not-iac"),
        ("package.json", '{"name": "web", "version": "1.0.0"}', "not-iac"),
        ("tsconfig.json", '{"compilerOptions": {"strict": true}}', "not-iac"),
        ("policy.json", '{"Statement": []}', "policies"),
        ("garbage.json", '{"Statement": [] } }', "error"),
        ("latin1.json", b'{"Statement": [], "Sid": "caf\xe9"}', "error"),
    ],
)
def test_every_file_gets_a_status(tmp_path, name, content, status):
    report = _lint(tmp_path, name, content)
    assert [f.status for f in report.files] == [status]
    errors = [f for f in report.findings if f.code == "IAM900"]
    assert len(errors) == (1 if status == "error" else 0)


def test_trailing_commas_are_recovered_and_reported():
    recovered = []
    root = parse_json('{"A": [1, 2,],\n "B": {"c": 1,},}', recovered=recovered)
    assert [(e.message, e.line, e.column) for e in recovered] == [
        ("trailing comma before ']'", 1, 12),
        ("trailing comma before '}'", 2, 14),
        ("trailing comma before '}'", 2, 16),
    ]
    assert [x.value for x in root["A"]] == [1, 2] and root["B"]["c"].value == 1


def test_recovered_file_is_reported_and_still_linted(tmp_path):
    report = _lint(
        tmp_path, "p.json", '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "x",}]}'
    )
    assert [(f.code, f.span.column) for f in report.findings] == [
        ("IAM101", 46),
        ("IAM505", 63),  # "x" is not an ARN
        ("IAM900", 66),
    ]
    assert report.has_input_errors
