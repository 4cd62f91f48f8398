"""Configuration as users write it: discovery, validation, selection, flags that win."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

FIX = Path(__file__).resolve().parent / "fixtures"
ADMIN = FIX / "IAM101-wildcard-action" / "fail.json"  # IAM101 at 8:9 and 20:17
STAR_RESOURCE = FIX / "IAM102-wildcard-resource" / "fail.json"  # IAM102 at 8:76


def codes(proc) -> list[str]:
    """The codes of a concise report (``path:line:col-end: severity: CODE message``)."""
    return [line.split(": ")[2].split()[0] for line in proc.stdout.splitlines() if ": IAM" in line]


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "policies").mkdir()
    shutil.copy(ADMIN, tmp_path / "policies" / "admin.json")
    shutil.copy(STAR_RESOURCE, tmp_path / "policies" / "star.json")
    return tmp_path


def test_pyproject_table_is_found_walking_up(run_cli, repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.iamlint]\nignore = ["IAM102"]\n')
    proc = run_cli("-f", "concise", "admin.json", "star.json", cwd=repo / "policies")
    # IAM506: star.json's table ARN beside "*" is redundant
    assert codes(proc) == ["IAM101", "IAM101", "IAM506"]


def test_nearest_file_wins_and_iamlint_toml_beats_pyproject(run_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.iamlint]\nignore = ["IAM102"]\n')
    (repo / "policies" / "pyproject.toml").write_text('[tool.iamlint]\nselect = ["IAM102"]\n')
    (repo / "policies" / ".iamlint.toml").write_text('select = ["IAM101"]\n')
    assert codes(run_cli("-f", "concise", "policies", cwd=repo)) == ["IAM101", "IAM101"]
    (repo / "policies" / ".iamlint.toml").unlink()
    assert codes(run_cli("-f", "concise", "policies", cwd=repo)) == ["IAM102"]


def test_pyproject_without_a_table_is_passed_over(run_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.iamlint]\nselect = ["IAM102"]\n')
    (repo / "policies" / "pyproject.toml").write_text('[project]\nname = "policies"\n')
    assert codes(run_cli("-f", "concise", "policies", cwd=repo)) == ["IAM102"]


def test_config_flag_and_isolated(run_cli, repo, tmp_path_factory):
    (repo / ".iamlint.toml").write_text('select = ["IAM102"]\n')
    other = tmp_path_factory.mktemp("cfg") / "strict.toml"
    other.write_text('select = ["IAM101"]\n')
    assert codes(run_cli("-f", "concise", "--config", other, "policies", cwd=repo)) == ["IAM101", "IAM101"]
    assert sorted(codes(run_cli("-f", "concise", "--isolated", "policies", cwd=repo))) == [
        "IAM101",
        "IAM101",
        "IAM102",
        "IAM506",
    ]


def test_prefix_selection_and_most_specific_wins(run_cli, repo):
    (repo / ".iamlint.toml").write_text('select = ["IAM1"]\nignore = ["IAM10"]\nextend-select = ["IAM102"]\n')
    assert codes(run_cli("-f", "concise", "policies", cwd=repo)) == ["IAM102"]


def test_flags_win_over_the_file(run_cli, repo):
    (repo / ".iamlint.toml").write_text('select = ["IAM102"]\nfail-on = "error"\n')
    proc = run_cli("-f", "concise", "--select", "IAM101", "policies", cwd=repo)
    assert codes(proc) == ["IAM101", "IAM101"]
    star = run_cli("-f", "concise", "policies/star.json", cwd=repo)
    assert codes(star) == ["IAM102"] and star.returncode == 0  # a warning, fail-on = error
    assert run_cli("--fail-on", "warning", "policies/star.json", cwd=repo).returncode == 1


def test_per_file_ignores_severity_and_exclude(run_cli, repo):
    (repo / ".iamlint.toml").write_text(
        '[per-file-ignores]\n"policies/admin*" = ["IAM101"]\n[severity]\nIAM102 = "error"\n'
    )
    proc = run_cli("-f", "json", "policies", cwd=repo)
    found = json.loads(proc.stdout)["findings"]
    assert [(f["code"], f["severity"]) for f in found] == [("IAM506", "info"), ("IAM102", "error")]
    (repo / ".iamlint.toml").write_text('exclude = ["policies/star.json"]\n')
    doc = json.loads(run_cli("-f", "json", "policies", cwd=repo).stdout)
    assert [f["path"] for f in doc["files"]] == ["policies/admin.json"]


def test_trusted_accounts_and_rule_options(run_cli, tmp_path):
    trust = tmp_path / "trust.json"
    trust.write_text(
        '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},'
        ' "Action": "sts:AssumeRole"}]}'
    )
    assert codes(run_cli("-f", "concise", trust, cwd=tmp_path)) == ["IAM202"]
    (tmp_path / ".iamlint.toml").write_text('trusted-accounts = ["111122223333"]\n')
    assert codes(run_cli("-f", "concise", trust, cwd=tmp_path)) == []
    assert (
        codes(
            run_cli("-f", "concise", "--isolated", "--trusted-accounts", "111122223333", trust, cwd=tmp_path)
        )
        == []
    )


def test_rule_options_reach_the_rule_from_every_spelling(run_cli, tmp_path):
    """A rule's declared option, from its flag, --option, the options table or the top level."""
    tpl = tmp_path / "stack.yaml"
    tpl.write_text(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com},"
        " Action: sts:AssumeRole}]}\n"
        "      Policies:\n"
        + "".join(
            f"        - PolicyName: p{i}\n          PolicyDocument: {{Statement: [{{Effect: Allow,"
            f" Action: s3:GetObject, Resource: 'arn:aws:s3:::b{i}/*'}}]}}\n"
            for i in range(2)
        )
    )
    over = ["IAM301"]
    assert codes(run_cli("-f", "concise", "--isolated", tpl)) == over
    assert codes(run_cli("-f", "concise", "--isolated", "--max-inline-policies", "2", tpl)) == []
    assert (
        codes(run_cli("-f", "concise", "--isolated", "--option", "IAM301.max-inline-policies=2", tpl)) == []
    )
    (tmp_path / ".iamlint.toml").write_text("[options.inline-policy-overuse]\nmax-inline-policies = 2\n")
    assert codes(run_cli("-f", "concise", tpl, cwd=tmp_path)) == []
    (tmp_path / ".iamlint.toml").write_text("max-inline-policies = 2\n")
    assert codes(run_cli("-f", "concise", tpl, cwd=tmp_path)) == []
    # the flag wins over the file, one option at a time
    assert (
        codes(run_cli("-f", "concise", "--option", "IAM301.max-inline-policies=1", tpl, cwd=tmp_path)) == over
    )
    for bad, message in (
        ("IAM301.max-inline-policies=two", "--option: IAM301.max-inline-policies expects int, got 'two'"),
        ("IAM301.maximum=2", "--option: IAM301 has no option 'maximum' (its options: max-inline-policies)"),
        ("IAM999.x=1", "--option: 'IAM999' is not a rule code"),
        ("IAM301=2", "--option expects CODE.NAME=VALUE, got 'IAM301=2'"),
    ):
        proc = run_cli("--option", bad, tpl)
        assert proc.returncode == 2 and proc.stderr.startswith(f"iamlint: error: {message}"), proc.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ('selct = ["IAM1"]\n', "tool-file: (top level): unknown key 'selct'"),
        ('fail-on = "high"\n', "tool-file: fail-on: expected one of error, warning, info, got 'high'"),
        ('select = ["IAM7"]\n', "tool-file: select[0]: 'IAM7' is not a rule code or prefix"),
        ('max-inline-policies = "two"\n', "tool-file: max-inline-policies: expected integer, got str 'two'"),
        (
            'trusted-accounts = ["12345"]\n',
            "tool-file: trusted-accounts[0]: expected a 12-digit AWS account id",
        ),
        (
            "[options.IAM301]\nmax-inline-policies = true\n",
            "tool-file: options.IAM301.max-inline-policies: expected integer",
        ),
        ('[[ignore]]\nrules = ["IAM101"]\n', "tool-file: ignore[0]: 'files' is a required property"),
        ("select = [\n", "tool-file: invalid TOML"),
    ],
)
def test_a_broken_config_is_one_clear_line_and_exit_2(run_cli, repo, content, message):
    (repo / ".iamlint.toml").write_text(content)
    proc = run_cli("policies", cwd=repo)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("iamlint: error: ") and str(repo / ".iamlint.toml") in line
    assert message.replace("tool-file: ", "") in line


def test_pyproject_key_paths_name_the_table(run_cli, repo):
    (repo / "pyproject.toml").write_text('[tool.iamlint]\nselect = "IAM1"\n')
    proc = run_cli("policies", cwd=repo)
    assert proc.returncode == 2
    assert "tool.iamlint.select: expected array, got str 'IAM1'" in proc.stderr


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--select", "IAM9x"], "--select: 'IAM9x' is not a rule code or prefix"),
        (["--severity", "IAM101=high"], "--severity expects CODE=error|warning|info"),
        (["--per-file-ignores", "IAM101"], "--per-file-ignores expects GLOB:CODES"),
        (["--config", "missing.toml"], "cannot read"),
        (["--jobs", "0"], "expected at least 1"),
    ],
)
def test_bad_flags_are_usage_errors(run_cli, repo, flags, message):
    proc = run_cli(*flags, "policies", cwd=repo)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
