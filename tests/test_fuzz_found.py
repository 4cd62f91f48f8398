"""Defects the property-based tests (tests/test_properties.py) and the corpus mutants found,
each reproduced as a user meets it: a real file, linted through the command line."""

from __future__ import annotations

import json
import time


def test_show_source_on_a_long_minified_line_is_linear(tmp_path, run_cli):
    """Every finding of a minified file is on its one line: --show-source measured that line
    (character by character, through a regular expression each) once per finding, so a
    300 KB policy with a hundred findings took most of a minute to print."""
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::b/{'k' * 60}",
        }
        for i in range(3000)
    ]
    statements[0]["Sid"] = "Café"  # not ASCII: each character's width is looked up
    statements += [{"Effect": "Allow", "Action": "*", "Resource": "*"} for _ in range(50)]
    (tmp_path / "min.json").write_text(json.dumps({"Statement": statements}, separators=(",", ":")), "utf-8")
    start = time.monotonic()
    proc = run_cli("--isolated", "--show-source", "--select", "IAM101", "min.json", cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.count("IAM101") == 50
    assert proc.stdout.count(" ^^^") == 50  # each one's caret row under its "*"
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_yaml_positions_count_lines_as_editors_do(tmp_path, run_cli):
    """YAML 1.1 also breaks lines at NEL (U+0085), LS, PS and a lone CR, and PyYAML's marks
    count them: a NEL in a string put every later finding of the template one line too low,
    past the end of the file (found by the property tests)."""
    policy = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]}'
    for name, odd in (("nel.yaml", "\x85"), ("ls.yaml", "\u2028"), ("cr.yaml", "\r")):
        text = (
            f'Description: "a{odd}b"\n'
            "Resources:\n"
            "  P:\n"
            "    Type: AWS::IAM::ManagedPolicy\n"
            "    Properties:\n"
            f"      PolicyDocument: {policy}\n"
        )
        (tmp_path / name).write_bytes(text.encode("utf-8"))
    broken = text.replace("\r", "\x85").replace(policy, "[")  # a flow list never closed
    (tmp_path / "broken.yaml").write_bytes(broken.encode("utf-8"))
    proc = run_cli("--isolated", "--format", "concise", "--select", "IAM101,IAM900", ".", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    column = len("      PolicyDocument: ") + policy.index('"*"') + 1
    lines = sorted(proc.stdout.splitlines()[:4])
    assert [line.split(" ")[0] for line in lines] == [
        "broken.yaml:7:1-7.2:",
        f"cr.yaml:6:{column}-6.{column + 3}:",
        f"ls.yaml:6:{column}-6.{column + 3}:",
        f"nel.yaml:6:{column}-6.{column + 3}:",
    ]


def test_an_intrinsic_whose_argument_is_an_unknown_tag_is_unknown(tmp_path, run_cli):
    """``Fn::Select: !Rain::Embed x`` (and, in JSON, a one-key map whose key starts with
    ``!``) is not judged by shape, as an unknown tag's value is not: Fn::Select then read
    item 1 of a map, IAM903 "KeyError: 1" for the template (found by the long fuzzing run).
    Its value is unknown; the tag is IAM907 where it is written."""
    statement = (
        '{"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Select": {"!x": {"a": null}}}}'
    )
    (tmp_path / "t.json").write_text(
        '{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": '
        '{"Version": "2012-10-17", "Statement": [' + statement + "]}}}}}\n"
    )
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        '        Version: "2012-10-17"\n        Statement:\n          - Effect: Allow\n'
        "            Action: s3:GetObject\n            Resource:\n              Fn::Select: !Rain::Embed x\n"
    )
    out = run_cli("--isolated", "-f", "concise", "t.json", "t.yaml", cwd=tmp_path)
    assert "Traceback" not in out.stderr and "IAM903" not in out.stdout
    assert out.stdout.splitlines() == [
        "t.yaml:11:27-11.39: warning: IAM907 unknown YAML tag !Rain::Embed: not a CloudFormation intrinsic "
        "function, its value is not evaluated; a rain directive: lint the template that 'rain pkg' produces"
    ]
    assert out.returncode == 1
