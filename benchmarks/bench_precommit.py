"""The pre-commit hook on one staged template: iamlint cold, and a real ``pre-commit run``.

    python benchmarks/bench_precommit.py [--runs 10] [--iamlint PATH] [--no-pre-commit]

1. ``iamlint t.yaml`` in a fresh process, as the hook runs it (one staged CloudFormation
   template, the repository's configuration found by walking up, one process: the hook has
   ``require_serial: true``).
2. ``pre-commit run`` in a git repository with that template staged, with the hook of this
   working tree (a snapshot commit of it, as tests/test_precommit.py makes; its environment is
   built once, untimed). This includes pre-commit's own start, stash and file filtering.

Budget (issue 15): the hook on one staged template, median at most 250 ms (the first figure:
what the hook adds to a commit). Measure with a regular install (``pip install .``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint, time_command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportsRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: reports
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:PutObject]
                Resource: arn:aws:s3:::acme-reports/*
"""
CONFIG = '[tool.iamlint]\nfail-on = "warning"\n'


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@iamlint.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@iamlint.invalid",
    )
    env.update(extra)
    return env


def snapshot(dest: Path, env: dict[str, str]) -> str:
    """This working tree (tracked and untracked files) as a one-commit repository."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard", env=env)
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "init", "-q", env=env)
    git(dest, "add", "-A", env=env)
    git(dest, "commit", "-q", "--no-verify", "-m", "snapshot", env=env)
    return git(dest, "rev-parse", "HEAD", env=env).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--iamlint")
    ap.add_argument("--no-pre-commit", action="store_true", help="time only iamlint itself")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        (work / "pyproject.toml").write_text(CONFIG)
        (work / "t.yaml").write_text(TEMPLATE)
        cmd = find_iamlint(args.iamlint) + [str(work / "t.yaml")]
        hook = time_command(cmd, args.runs, warmup=2)
        print(describe("iamlint t.yaml (the hook's command), cold process", hook))
        print(f"  budget: median at most 250 ms: {'met' if statistics.median(hook) <= 0.25 else 'NOT MET'}")
        if args.no_pre_commit or shutil.which("git") is None:
            return 0
        try:
            import pre_commit  # noqa: F401

            pc = [sys.executable, "-m", "pre_commit"]
        except ImportError:
            found = shutil.which("pre-commit")
            if not found:
                print("pre-commit is not installed: skipped the real pre-commit run")
                return 0
            pc = [found]
        env = clean_env(PRE_COMMIT_HOME=str(Path(tmp) / "home"))
        repo = Path(tmp) / "hook-repo"
        repo.mkdir()
        rev = snapshot(repo, env)
        config = Path(tmp) / "pre-commit-config.yaml"
        config.write_text(
            f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: iamlint\n"
        )
        git(work, "init", "-q", env=env)
        git(work, "add", "pyproject.toml", env=env)
        git(work, "commit", "-q", "--no-verify", "-m", "init", env=env)
        git(work, "add", "t.yaml", env=env)
        run = pc + ["run", "--config", str(config)]
        subprocess.run(pc + ["install-hooks", "--config", str(config)], cwd=work, env=env, check=True)
        times = []
        for i in range(args.runs + 1):
            start = time.perf_counter()
            proc = subprocess.run(run, cwd=work, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                print(proc.stdout + proc.stderr)
                return 1
            if i:
                times.append(elapsed)
        print(describe("pre-commit run, one staged template (pre-commit's own work included)", times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
