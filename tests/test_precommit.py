"""The pre-commit hook (.pre-commit-hooks.yaml) with the real pre-commit, in real git repositories.

What the hook's users get: pre-commit clones this repository, pip-installs it into a hook
environment and runs ``iamlint`` on the staged files that match the hook's ``files``.

The repository under test is a *snapshot commit of this working tree* (tracked and untracked
files, minus what .gitignore excludes), not ``try-repo <root>`` itself, because:

- ``pre-commit try-repo <root>`` copies only staged files and changes to *tracked* files into
  its shadow commit (``git add -u``): a new, still untracked module would be missing and the
  hook environment would test something else than this working tree;
- the snapshot is made without touching this repository's index or objects.

``try-repo`` builds its hook environment in a throwaway store every time (it ignores
``PRE_COMMIT_HOME``), so the cases use ``pre-commit run`` with a config naming the snapshot
and revision (which is what ``try-repo`` does internally, and what a ``git commit`` runs),
sharing one ``PRE_COMMIT_HOME`` per test session: the environment is built once. Building it
pip-installs iamlint and its dependencies (~13 s here).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BAD = HERE / "fixtures" / "IAM101-wildcard-action" / "fail.json"
# a policy no rule has reason to flag (the rules evolve; their pass fixtures may gain warnings)
GOOD = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Deny", "Action": "s3:DeleteBucket",'
    ' "Resource": "arn:aws:s3:::acme-logs"}\n  ]\n}\n'
)
HOOK = "iamlint"
TIMEOUT = 900


def _pre_commit() -> list[str] | None:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    exe = shutil.which("pre-commit")
    return [exe] if exe else None


PRE_COMMIT = _pre_commit()
pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[test]')"),
]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the caller's git/pre-commit state (a test run from a git hook
    has GIT_INDEX_FILE and friends set) nor their git configuration (commit signing, hooks)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.pop("FORCE_COLOR", None)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="iamlint tests",
        GIT_AUTHOR_EMAIL="tests@iamlint.invalid",
        GIT_COMMITTER_NAME="iamlint tests",
        GIT_COMMITTER_EMAIL="tests@iamlint.invalid",
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
        cwd=cwd,
        env=env or clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """A one-commit repository holding this working tree: ``(path, revision)``."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to snapshot")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    snap = tmp_path_factory.mktemp("hook-repo")
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():  # deleted but still tracked: not part of the working tree
            dst = snap / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    assert (snap / ".pre-commit-hooks.yaml").is_file()
    git(snap, "init", "-q")
    git(snap, "add", "-A")
    fixed = clean_env(GIT_AUTHOR_DATE="2000-01-01T00:00:00Z", GIT_COMMITTER_DATE="2000-01-01T00:00:00Z")
    git(snap, "commit", "-q", "--no-verify", "-m", "snapshot of the working tree", env=fixed)
    return snap, git(snap, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_config(hook_repo, tmp_path_factory) -> Path:
    repo, rev = hook_repo
    cfg = tmp_path_factory.mktemp("pre-commit-config") / "pre-commit-config.yaml"
    cfg.write_text(f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: {HOOK}\n")
    return cfg


@pytest.fixture
def work(tmp_path) -> Path:
    """A fresh git repository with one commit (pre-commit stashes unstaged changes against it)."""
    repo = tmp_path / "work"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("policies\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "--no-verify", "-m", "init")
    return repo


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        PRE_COMMIT + list(args),
        cwd=cwd,
        env=clean_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    proc.output = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    return proc


def run_hook(work: Path, home: Path, config: Path) -> subprocess.CompletedProcess:
    return pre_commit(work, home, "run", "--config", str(config), "--color", "never", "--verbose")


def test_hook_fails_on_a_staged_bad_policy(work, pre_commit_home, hook_config):
    shutil.copy(BAD, work / "bad.json")
    (work / "good.json").write_text(GOOD)  # untracked: not linted
    git(work, "add", "bad.json")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 1, proc.output
    assert "iamlint" in proc.output and "Failed" in proc.output
    assert 'bad.json:8:9: IAM101 [error] Allow statement grants every action of s3 ("s3:*")' in proc.output
    assert "bad.json:20:17: IAM101" in proc.output
    assert "1 file scanned" in proc.output
    assert "good.json" not in proc.output


def test_hook_passes_on_a_staged_good_policy_and_ignores_untracked_files(work, pre_commit_home, hook_config):
    (work / "good.json").write_text(GOOD)
    shutil.copy(BAD, work / "bad.json")  # in the working tree, never added
    git(work, "add", "good.json")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 0, proc.output
    assert "Passed" in proc.output
    assert "1 file scanned; 1 policy found; no findings." in proc.output
    assert "bad.json" not in proc.output


def test_hook_lints_the_staged_version_not_unstaged_edits(work, pre_commit_home, hook_config):
    (work / "policy.json").write_text(GOOD)
    git(work, "add", "policy.json")
    git(work, "commit", "-q", "--no-verify", "-m", "a good policy")
    shutil.copy(BAD, work / "policy.json")  # an unstaged edit that makes it bad
    (work / "new.json").write_text(GOOD)
    git(work, "add", "new.json")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 0, proc.output
    assert "1 file scanned" in proc.output and "policy.json" not in proc.output
    assert (work / "policy.json").read_bytes() == BAD.read_bytes()  # pre-commit put the edit back
    assert git(work, "diff", "--name-only").split() == ["policy.json"]

    git(work, "add", "policy.json")  # staged now: the hook sees it
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 1, proc.output
    assert "policy.json:8:9: IAM101" in proc.output
    assert "2 files scanned" in proc.output


def test_hook_skips_files_it_does_not_lint(work, pre_commit_home, hook_config):
    (work / "notes.txt").write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')
    (work / "README.md").write_text("more\n")
    git(work, "add", "notes.txt", "README.md")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 0, proc.output
    assert "(no files to check)Skipped" in proc.output


def test_hook_passes_on_a_clean_file_whatever_the_configuration_suppresses_elsewhere(
    work, pre_commit_home, hook_config
):
    """Issue 15, item 1: an entry for legacy/*.json is not judged in a run without those files."""
    (work / "pyproject.toml").write_text(
        "[tool.iamlint]\n\n[[tool.iamlint.suppress]]\n"
        'files = "legacy/*.json"\nrules = ["IAM101"]\nreason = "the retired deployer"\n'
    )
    (work / "legacy").mkdir()
    shutil.copy(BAD, work / "legacy" / "deployer.json")
    git(work, "add", "pyproject.toml", "legacy/deployer.json")
    git(work, "commit", "-q", "--no-verify", "-m", "legacy")
    (work / "good.json").write_text(GOOD)
    git(work, "add", "good.json")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 0, proc.output
    assert "1 file scanned; 1 policy found; no findings." in proc.output
    assert "IAM901" not in proc.output


def test_hook_runs_once_with_one_summary(work, pre_commit_home, hook_config):
    """Issue 15, item 7: require_serial: pre-commit does not split the files over processes
    (it would: 4 files a process on any machine with more than one CPU)."""
    for i in range(12):
        (work / f"p{i:02}.json").write_text(GOOD)
    git(work, "add", ".")
    proc = run_hook(work, pre_commit_home, hook_config)
    assert proc.returncode == 0, proc.output
    assert proc.output.count("files scanned") == 1
    assert "12 files scanned; 12 policies found; no findings." in proc.output
