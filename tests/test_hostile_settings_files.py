"""Hostile configuration, baseline and cache files, and outputs that cannot be written.

Each is one line on stderr that names the file (and the key path where there is one), exit
code 2, and no traceback; the user cache is never needed, so a bad entry is passed over.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import iamlint_bin

ORDINARY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'
DEEP_SELECT = "select = " + "[" * 5000 + "]" * 5000 + "\n"


@pytest.fixture
def repo(tmp_path):
    """A policy with findings (IAM101 at 1:71)."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "p.json").write_text(ORDINARY)
    return root


@pytest.fixture
def env(tmp_path):
    """A user cache of the test's own."""
    return {"IAMLINT_CACHE_DIR": str(tmp_path / "cache")}


def one_error_line(proc) -> str:
    """The run failed as an input error should: exit 2, no report, one line on stderr."""
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("iamlint: error: ")
    return line.removeprefix("iamlint: error: ")


# -- configuration files -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, content, message",
    [
        # a byte that is not UTF-8, even in a comment
        (
            ".iamlint.toml",
            b"# caf\xe9\nselect = []\n",
            "{f}:1:6: invalid TOML: invalid UTF-8 (byte 0xe9); iamlint reads UTF-8 files",
        ),
        (
            "pyproject.toml",
            b"[tool.iamlint]\n# \xff\n",
            "{f}:2:3: invalid TOML: invalid UTF-8 (byte 0xff); iamlint reads UTF-8 files",
        ),
        # too deep for tomllib, and deep enough to trouble everything after it
        (".iamlint.toml", DEEP_SELECT.encode(), "{f}: invalid TOML: arrays or tables nested too deeply"),
        (
            ".iamlint.toml",
            ("select = " + "[" * 300 + "]" * 300 + "\n").encode(),
            "{f}: select[0][0][0]...: nested more than 32 levels deep",
        ),
        (
            ".iamlint.toml",
            ("[options.IAM301]\nmax-inline-policies = " + "1" * 5000 + "\n").encode(),
            "{f}: invalid TOML: a number with too many digits",
        ),
        # a wrong shape anywhere: the key path, and the value cut short
        (
            ".iamlint.toml",
            b"[options.IAM301]\nmax-inline-policies = [[[[[[1]]]]]]\n",
            "{f}: options.IAM301.max-inline-policies: expected integer, got list [[[[...]]]]",
        ),
        (".iamlint.toml", b"suppress = 3\n", "{f}: suppress: expected array, got int 3"),
        (
            ".iamlint.toml",
            b'[[suppress]]\nfiles = [[["x"]]]\nrules = ["IAM101"]\n',
            "{f}: suppress[0].files[0]: expected string, got list [['x']]",
        ),
        (
            ".iamlint.toml",
            ('select = ["IAM' + "A" * 5000 + '"]\n').encode(),
            "{f}: select[0]: 'IAM"
            + "A" * 24
            + "..."
            + "A" * 28
            + "' is not a rule code or prefix (see 'iamlint rules')",
        ),
        ("pyproject.toml", b"tool.iamlint = 3\n", "{f}: tool.iamlint: expected object, got int 3"),
    ],
)
def test_a_hostile_configuration_file_is_one_line_and_exit_2(run_cli, repo, env, name, content, message):
    (repo / name).write_bytes(content)
    line = one_error_line(run_cli("p.json", cwd=repo, env=env))
    assert line == message.replace("{f}", str(repo / name))


def test_a_hostile_config_flag_file_is_one_line_and_exit_2(run_cli, repo, env):
    (repo / "strict.toml").write_bytes(b"# \xff\n")
    assert one_error_line(run_cli("--config", "strict.toml", "p.json", cwd=repo, env=env)) == (
        "strict.toml:1:3: invalid TOML: invalid UTF-8 (byte 0xff); iamlint reads UTF-8 files"
    )
    (repo / "folder.toml").mkdir()
    assert one_error_line(run_cli("--config", "folder.toml", "p.json", cwd=repo, env=env)) == (
        "folder.toml: cannot read: Is a directory"
    )


# -- baselines ---------------------------------------------------------------------------------
def baseline(findings) -> str:
    return json.dumps({"format": "iamlint-baseline", "version": 1, "findings": findings})


@pytest.mark.parametrize(
    "content, message",
    [
        (
            ("[" * 100_000 + "]" * 100_000).encode(),
            "{f}: not an iamlint baseline: arrays or objects nested too deeply",
        ),
        (("1" * 5000).encode(), "{f}: not an iamlint baseline: a number with too many digits"),
        (
            b'{"format": "iamlint-baseline",\n "version": "\xff"}',
            "{f}:2:14: not an iamlint baseline: invalid UTF-8 (byte 0xff); iamlint reads UTF-8 files",
        ),
        (
            b'{"format": \n 1,}',
            "{f}:2:4: not an iamlint baseline: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        (
            ('{"format": "iamlint-baseline", "version": ' + "[" * 900 + "]" * 900 + "}").encode(),
            "{f}: version: baseline version [[[[[[[...]]]]]]] is not supported (expected 1)",
        ),
        (baseline({"a": 1}).encode(), "{f}: findings: expected a list of entries, got {'a': 1}"),
        (
            baseline([{"fingerprint": "0" * 32}, [1, 2]]).encode(),
            "{f}: findings[1]: expected an entry (an object), got [1, 2]",
        ),
        (
            baseline([{"fingerprint": "0" * 32}, {"fingerprint": 7}]).encode(),
            "{f}: findings[1].fingerprint: expected a string, got 7",
        ),
    ],
)
def test_a_hostile_baseline_is_one_line_and_exit_2(run_cli, repo, env, content, message):
    (repo / "baseline.json").write_bytes(content)
    line = one_error_line(run_cli("--baseline", "baseline.json", "p.json", cwd=repo, env=env))
    assert line == message.replace("{f}", "baseline.json")


def test_a_baseline_that_cannot_be_written_is_one_line_and_exit_2(run_cli, repo, env):
    (repo / "folder").mkdir()
    proc = run_cli("--write-baseline", "folder", "p.json", cwd=repo, env=env)
    assert one_error_line(proc) == "cannot write baseline folder: Is a directory"
    proc = run_cli("--write-baseline", "missing/b.json", "p.json", cwd=repo, env=env)
    assert one_error_line(proc) == "cannot write baseline missing/b.json: No such file or directory"


def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(run_cli, tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text(ORDINARY)
    (tmp_path / "dir").mkdir()
    to_dir = run_cli("-o", tmp_path / "dir", policy)
    assert to_dir.returncode == 2 and to_dir.stdout == ""
    assert to_dir.stderr == f"iamlint: error: cannot write {tmp_path / 'dir'}: Is a directory\n"
    if not os.path.exists("/dev/full"):
        return
    # a full disk: opening works, the write itself fails
    full = run_cli("-o", "/dev/full", policy)
    assert full.returncode == 2 and full.stdout == ""
    assert full.stderr == "iamlint: error: cannot write /dev/full: No space left on device\n"
    with open("/dev/full", "w") as stdout:
        proc = subprocess.run(
            iamlint_bin() + [str(policy)], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert proc.returncode == 2
    assert proc.stderr == "iamlint: error: cannot write the report to stdout: No space left on device\n"
