"""Where users run it (issue 15): every format names files the same way, SARIF that GitHub
ranks, JUnit that agrees with the exit code, GitLab's documented fields, stable fingerprints,
and text formats that a hostile file cannot turn into terminal escapes or forged workflow
commands.

Each test runs iamlint as a user does (the ``run_cli`` fixture: the installed command, in a
subprocess) on files written in ``tmp_path``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

ADMIN = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::acme-logs/*"
    }
  ]
}
"""
# a suppression in the configuration that matches nothing: an IAM901 finding located in
# pyproject.toml, line 3
PYPROJECT = """[tool.iamlint]

[[tool.iamlint.suppress]]
rules = ["IAM105"]
files = ["infra/*.json"]
reason = "legacy stacks keep their NotPrincipal until the migration"
"""


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git work tree (its ``.git`` is all iamlint looks for) with a configuration file at
    its root and a policy in ``infra/``."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "infra" / "admin.json").write_text(ADMIN)
    return root


def clean(proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


# -- 4: a finding in the configuration file -----------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "concise", "github", "junit", "gitlab", "json", "sarif"])
def test_config_file_findings_are_named_relative_to_the_working_directory(run_cli, repo, fmt):
    proc = run_cli("-f", fmt, "infra/admin.json", cwd=repo, env={"GITHUB_WORKSPACE": ""})
    clean(proc)
    assert "IAM901" in proc.stdout
    if fmt != "sarif":  # (SARIF names the repository root once, as an absolute file:// URI)
        assert str(repo) not in proc.stdout
    if fmt == "text":
        assert "pyproject.toml:3:1: IAM901 [warning] suppression of IAM105 matches no finding" in proc.stdout
    elif fmt == "concise":
        assert [line.split(":")[0] for line in proc.stdout.splitlines()] == [
            "infra/admin.json",
            "pyproject.toml",
        ]
    elif fmt == "github":
        assert "::warning file=pyproject.toml,line=3,col=1," in proc.stdout
    elif fmt == "junit":
        names = [c.get("name") for c in ET.fromstring(proc.stdout).iter("testcase")]
        assert names == ["infra/admin.json", "pyproject.toml"]
    elif fmt == "gitlab":
        paths = [i["location"]["path"] for i in json.loads(proc.stdout)]
        assert paths == ["infra/admin.json", "pyproject.toml"]
    elif fmt == "json":
        doc = json.loads(proc.stdout)
        assert [f["file"] for f in doc["findings"]] == ["infra/admin.json", "pyproject.toml"]
        assert [f["path"] for f in doc["files"]] == ["infra/admin.json", "pyproject.toml"]
    else:
        run = json.loads(proc.stdout)["runs"][0]
        locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
        assert locations == [
            {"uri": "infra/admin.json", "uriBaseId": "%SRCROOT%"},
            {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"},
        ]
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


def test_from_a_subfolder_sarif_stays_relative_to_the_repository_root(run_cli, repo):
    """iamlint run in infra/: the configuration file is found in the parent directory."""
    sub = repo / "infra"
    sarif = run_cli("-f", "sarif", "admin.json", cwd=sub, env={"GITHUB_WORKSPACE": ""})
    clean(sarif)
    run = json.loads(sarif.stdout)["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]] == [
        {"uri": "infra/admin.json", "uriBaseId": "%SRCROOT%"},
        {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"},
    ]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    github = run_cli("-f", "github", "admin.json", cwd=sub, env={"GITHUB_WORKSPACE": str(repo)})
    clean(github)
    assert [line.split(",")[0] for line in github.stdout.splitlines()] == [
        "::error file=infra/admin.json",
        "::warning file=pyproject.toml",
    ]


def test_absolute_paths_inside_the_working_directory_are_shown_relative(run_cli, repo):
    given = run_cli("-f", "text", "--isolated", repo / "infra" / "admin.json", cwd=repo)
    clean(given)
    assert given.stdout.startswith("infra/admin.json:6:17: IAM101 [error] ")
    # the fingerprint does not depend on where the repository is checked out
    relative = run_cli("-f", "json", "--isolated", "infra/admin.json", cwd=repo)
    absolute = run_cli("-f", "json", "--isolated", repo / "infra" / "admin.json", cwd=repo)
    fingerprints = [
        [f["fingerprint"] for f in json.loads(p.stdout)["findings"]] for p in (relative, absolute)
    ]
    assert fingerprints[0] == fingerprints[1] and len(fingerprints[0]) == 1
    # a file outside the working directory keeps its absolute path
    elsewhere = run_cli("-f", "text", "--isolated", repo / "infra" / "admin.json", cwd=HERE)
    assert elsewhere.stdout.startswith(f"{repo / 'infra' / 'admin.json'}:6:17: IAM101 ")
