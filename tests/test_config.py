"""Configuration as users write it: discovery, validation, selection, flags that win."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import without_ends

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


# -- issue 15: keys that mean one thing, extend --------------------------------------------------
def test_old_ignore_tables_still_work_with_one_deprecation_note(run_cli, repo):
    (repo / "pyproject.toml").write_text(
        '[tool.iamlint]\nselect = ["IAM1"]\n\n'
        '[[tool.iamlint.ignore]]\nfiles = "policies/*.json"\nrules = ["IAM101"]\nreason = "reviewed"\n'
    )
    (repo / "more").mkdir()
    shutil.copy(ADMIN, repo / "more" / "admin.json")
    proc = run_cli("-f", "concise", "policies", "more", cwd=repo)
    assert codes(proc) == ["IAM101", "IAM101", "IAM102"]  # more/ is not covered by the entry
    assert proc.stderr.splitlines() == [
        f"iamlint: warning: {repo / 'pyproject.toml'}: [[tool.iamlint.ignore]] tables are deprecated: "
        "write them as [[tool.iamlint.suppress]] (tool.iamlint.ignore is the list of codes to disable)"
    ]
    # the new spelling: no note
    (repo / "pyproject.toml").write_text(
        (repo / "pyproject.toml").read_text().replace("[[tool.iamlint.ignore]]", "[[tool.iamlint.suppress]]")
    )
    proc = run_cli("-f", "concise", "policies", "more", cwd=repo)
    assert (codes(proc), proc.stderr) == (["IAM101", "IAM101", "IAM102"], "")


@pytest.fixture
def shared(tmp_path):
    """An organisation's shared configuration next to a repository that extends it."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "iamlint.toml").write_text(
        'fail-on = "warning"\n'
        'extend-select = ["IAM102"]\n'
        'exclude = ["vendored/**"]\n'  # relative to shared/: never a file of the repository
        '[severity]\nIAM102 = "error"\nIAM101 = "info"\n'
        "[options.IAM301]\nmax-inline-policies = 3\n"
        '[[suppress]]\nfiles = "retired/*.json"\nrules = ["IAM101"]\nreason = "retired accounts"\n'
    )
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "vendored").mkdir()
    shutil.copy(ADMIN, repo / "policies" / "admin.json")
    shutil.copy(STAR_RESOURCE, repo / "policies" / "star.json")
    shutil.copy(ADMIN, repo / "vendored" / "admin.json")
    return tmp_path


def test_extend_inherits_a_shared_configuration_key_by_key(run_cli, shared):
    repo = shared / "repo"
    (repo / ".iamlint.toml").write_text(
        'extend = "../shared/iamlint.toml"\nselect = ["IAM1"]\nfail-on = "error"\n[severity]\nIAM101 = "warning"\n'
    )
    proc = run_cli("-f", "json", ".", cwd=repo)
    doc = json.loads(proc.stdout)
    found = [(f["file"], f["code"], f["severity"]) for f in doc["findings"]]
    # select starts over (IAM1), the base's IAM102 severity stays, the repo's IAM101 one wins,
    # vendored/ is linted: the base's exclude is relative to the base
    assert found == [
        ("policies/admin.json", "IAM101", "warning"),
        ("policies/admin.json", "IAM101", "warning"),
        ("policies/star.json", "IAM102", "error"),
        ("vendored/admin.json", "IAM101", "warning"),
        ("vendored/admin.json", "IAM101", "warning"),
    ]
    assert proc.returncode == 1 and proc.stderr == ""  # fail-on = error from the repo, IAM102 is one
    (repo / ".iamlint.toml").write_text('extend = "../shared/iamlint.toml"\nselect = ["IAM101"]\n')
    assert run_cli("--fail-on", "error", ".", cwd=repo).returncode == 0  # IAM101 is info in the base


def test_extend_paths_are_relative_to_the_file_that_writes_them(run_cli, shared):
    repo = shared / "repo"
    (shared / "shared" / "iamlint.toml").write_text(
        'exclude = ["../repo/vendored"]\n'
        # IAM506: star.json's table ARN beside "*" is redundant
        '[per-file-ignores]\n"../repo/policies/star.json" = ["IAM102", "IAM506"]\n'
        '[[suppress]]\nfiles = "../repo/policies/admin.json"\nrules = ["IAM101"]\nreason = "reviewed"\n'
    )
    (repo / ".iamlint.toml").write_text('extend = "../shared/iamlint.toml"\n')
    proc = run_cli("-f", "concise", ".", cwd=repo)
    assert (proc.returncode, without_ends(proc.stdout), proc.stderr) == (0, "", "")
    # the base's entry, used by nothing, is reported in the base, where it is written
    (repo / "policies" / "admin.json").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}]}'
    )
    proc = run_cli("-f", "concise", ".", cwd=repo)
    assert without_ends(proc.stdout) == (
        f"{shared / 'shared' / 'iamlint.toml'}:4:1: IAM901 suppression of IAM101 matches no finding; remove it\n"
    )


def test_extend_chains_and_adds_extend_select(run_cli, shared):
    repo = shared / "repo"
    (shared / "org.toml").write_text('select = ["IAM101"]\n')
    (shared / "shared" / "iamlint.toml").write_text('extend = "../org.toml"\nextend-select = ["IAM102"]\n')
    (repo / "pyproject.toml").write_text(
        '[tool.iamlint]\nextend = "../shared/iamlint.toml"\nexclude = ["vendored"]\n'
    )
    proc = run_cli("-f", "concise", ".", cwd=repo)
    assert codes(proc) == ["IAM101", "IAM101", "IAM102"]


@pytest.mark.parametrize(
    "base, message",
    [
        (None, "{repo}/.iamlint.toml: extend: cannot read '../shared/iamlint.toml': no such file"),
        (
            'extend = "../repo/.iamlint.toml"\n',
            "extends back to a file of the chain: {repo}/.iamlint.toml -> ",
        ),
        (
            'fail-on = "high"\n',
            "{shared}/iamlint.toml: fail-on: expected one of error, warning, info, got 'high'",
        ),
        ("[project]\n", None),
    ],
    ids=["missing", "cycle", "invalid", "not-toml-of-ours"],
)
def test_extend_errors_are_one_clear_line(run_cli, shared, base, message):
    repo = shared / "repo"
    (repo / ".iamlint.toml").write_text('extend = "../shared/iamlint.toml"\n')
    target = shared / "shared" / "iamlint.toml"
    if base is None:
        target.unlink()
    else:
        target.write_text(base)
    proc = run_cli(".", cwd=repo)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    if message is None:  # TOML, but not a configuration: an unknown key
        message = "{shared}/iamlint.toml: (top level): unknown key 'project'"
    assert line.startswith("iamlint: error: ")
    assert message.format(repo=repo, shared=shared / "shared") in line
