"""Conditions as AWS reads them: keys (IAM203), keys the actions evaluate (IAM204), operators
and values (IAM205), and condition blocks that are not what the grammar allows (IAM502).

Each test lints real files written in tmp_path the way a user runs iamlint (a subprocess, with
a timeout, so that a regression that hangs fails instead of hanging the suite).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def lint(run_cli, tmp_path, name: str, text: str, *flags: str) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    proc = run_cli("-f", "concise", *flags, name, cwd=tmp_path)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    return proc


def policy(condition: str, action: str = '"s3:GetObject"', effect: str = "Allow") -> str:
    """A one-statement policy whose Condition (written on line 7) is ``condition``."""
    return (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Statement": [{\n'
        f'    "Effect": "{effect}",\n'
        f'    "Action": {action},\n'
        '    "Resource": "arn:aws:s3:::reports/*",\n'
        f'    "Condition": {condition}\n'
        "  }]\n"
        "}\n"
    )


# -- condition blocks the grammar does not allow: a clear IAM502, never silence ---------------------
def test_a_condition_that_is_a_list_is_a_grammar_error_not_silently_ignored(run_cli, tmp_path):
    proc = lint(run_cli, tmp_path, "p.json", policy('[{"Bool": {"aws:SecureTransport": "true"}}]'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == ["p.json:7:18: IAM502 Condition must be a map of operators, not a list"]


def test_a_condition_value_that_is_a_map_is_a_grammar_error(run_cli, tmp_path):
    proc = lint(run_cli, tmp_path, "p.json", policy('{"StringEquals": {"aws:userid": {"a": "b"}}}'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:50: IAM502 the value of condition key 'aws:userid' must be a string, a number or a "
        "boolean, or a list of them, not a map"
    ]


def test_a_cloudformation_intrinsic_as_a_condition_value_is_no_map(run_cli, tmp_path):
    template = (
        "Parameters:\n"
        "  Vpc: {Type: String}\n"
        "Resources:\n"
        "  P:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        '        Version: "2012-10-17"\n'
        "        Statement:\n"
        "          - Effect: Deny\n"
        "            Action: s3:GetObject\n"
        "            Resource: arn:aws:s3:::reports/*\n"
        "            Condition:\n"
        "              StringNotEquals: {aws:SourceVpc: !Ref Vpc, aws:userid: {Ref: Vpc}}\n"
    )
    proc = lint(run_cli, tmp_path, "t.yaml", template)
    assert (proc.returncode, proc.stdout) == (0, "")


# -- the catalogue: every spelling of a tag-key template ----------------------------------------------
def test_tag_keys_the_service_authorization_reference_writes_as_tag_key_or_nothing_resolve():
    """Secrets Manager's key is ``secretsmanager:ResourceTag/tag-key`` in the SAR, Glacier's
    ``glacier:ResourceTag/``: both are templates, or every Secrets Manager tag condition would
    be unknown."""
    from iamlint import catalogue

    cat = catalogue.get()
    ck = cat.condition_key("secretsmanager:ResourceTag/App")
    assert ck is not None and (ck.name, ck.variable, ck.is_template) == (
        "secretsmanager:ResourceTag/tag-key",
        "App",
        True,
    )
    assert cat.condition_key("glacier:ResourceTag/vault-owner").variable == "vault-owner"
    assert cat.honours("secretsmanager:GetSecretValue", "secretsmanager:ResourceTag/App")
    # ssm:DeregisterManagedInstance lists ssm:resourceTag/tag-key; the lookup gives ${TagKey}
    assert cat.condition_key("ssm:resourceTag/team").name == "ssm:resourceTag/${TagKey}"
    assert cat.honours("ssm:DeregisterManagedInstance", "ssm:resourceTag/team")
    assert "ssm:DeregisterManagedInstance" in cat.actions_honouring("ssm:resourceTag/team")
    assert not cat.honours("s3:PutObject", "s3:delimiter")


def test_null_with_ifexists_says_why_it_is_not_an_operator(run_cli, tmp_path):
    """Access Analyzer's "Null with if exists": IAM502 names the mistake, and nothing else
    reports the same operator again."""
    proc = lint(run_cli, tmp_path, "p.json", policy('{"NullIfExists": {"aws:TokenIssueTime": "true"}}'))
    assert proc.returncode == 1
    assert lines(proc.stdout) == [
        "p.json:7:19: IAM502 condition operator 'NullIfExists': IfExists cannot be added to Null, which "
        "itself tests whether the key is in the request"
    ]
