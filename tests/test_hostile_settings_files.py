"""Hostile configuration, baseline and cache files, and outputs that cannot be written.

Each is one line on stderr that names the file (and the key path where there is one), exit
code 2, and no traceback; the user cache is never needed, so a bad entry is passed over.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import iamlint_bin, without_ends

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


# -- the user cache ----------------------------------------------------------------------------
ONLY_IAM101 = 'p.json:1:71: IAM101 Allow statement grants every action ("*")\n'


def spoil(kind: str, entry: Path) -> None:
    """Make the configuration's cache entry ``entry`` corrupt, unreadable or hostile."""
    ident = json.loads(entry.read_text())["ident"]  # the entry matches the file: only its data lies
    if kind in ("directory", "fifo", "device"):
        entry.unlink()
    if kind == "not JSON":
        entry.write_text('{"ident": ')
    elif kind == "not UTF-8":
        entry.write_bytes(b'{"ident": "\xff"}')
    elif kind == "nested 100,000 deep":
        entry.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "a 5,000-digit number":
        entry.write_text("1" * 5000)
    elif kind == "data is a list":
        entry.write_text(json.dumps({"ident": ident, "data": [1]}))
    elif kind == "no data":
        entry.write_text(json.dumps({"ident": ident}))
    elif kind == "data of a wrong shape":
        entry.write_text(json.dumps({"ident": ident, "data": {"select": 5}}))
    elif kind == "data nested 900 deep":
        deep = "[" * 900 + "]" * 900
        entry.write_text(f'{{"ident": {json.dumps(ident)}, "data": {{"select": {deep}}}}}')
    elif kind == "huge":  # valid, and it would select IAM102: too large to be one iamlint wrote
        entry.write_text(json.dumps({"ident": ident, "data": {"select": ["IAM102"]}}) + " " * (5 << 20))
    elif kind == "directory":
        entry.mkdir()
    elif kind == "fifo":  # opening it for reading would wait for a writer for ever
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(entry)
    elif kind == "device":
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero here")
        entry.symlink_to("/dev/zero")
    elif kind == "unreadable":
        if not hasattr(os, "geteuid") or os.geteuid() == 0:
            pytest.skip("root reads any file")
        entry.chmod(0)
    else:
        raise AssertionError(kind)


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    """A repository whose configuration has been read once: its cache entry, as written."""
    root = tmp_path_factory.mktemp("cached")
    (root / "p.json").write_text(ORDINARY)
    (root / ".iamlint.toml").write_text('select = ["IAM101"]\n')
    env = dict(os.environ, IAMLINT_CACHE_DIR=str(root / "cache"), NO_COLOR="1")
    cmd = iamlint_bin() + ["-f", "concise", "p.json"]
    first = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert (first.returncode, without_ends(first.stdout), first.stderr) == (1, ONLY_IAM101, "")
    (entry,) = (root / "cache").glob("config-*.json")
    return root, {"IAMLINT_CACHE_DIR": str(root / "cache")}, entry, entry.read_bytes()


@pytest.mark.parametrize(
    "kind",
    [
        "not JSON",
        "not UTF-8",
        "nested 100,000 deep",
        "a 5,000-digit number",
        "data is a list",
        "no data",
        "data of a wrong shape",
        "data nested 900 deep",
        "huge",
        "directory",
        "fifo",
        "device",
        "unreadable",
    ],
)
def test_a_corrupt_or_hostile_cache_entry_never_breaks_a_run(run_cli, cached, kind):
    root, env, entry, pristine = cached
    if entry.is_dir() and not entry.is_symlink():
        entry.rmdir()
    elif entry.exists() or entry.is_symlink():
        entry.unlink()
    entry.write_bytes(pristine)
    spoil(kind, entry)
    proc = run_cli("-f", "concise", "p.json", cwd=root, env=env)
    assert (proc.returncode, without_ends(proc.stdout), proc.stderr) == (1, ONLY_IAM101, "")
    if entry.is_file() and kind != "unreadable":  # rewritten from the file
        assert json.loads(entry.read_text())["data"] == {"select": ["IAM101"]}


def test_a_cache_directory_that_is_a_file_is_not_used(run_cli, repo, tmp_path):
    (tmp_path / "cache").write_text("not a directory")
    (repo / ".iamlint.toml").write_text('select = ["IAM101"]\n')
    proc = run_cli("-f", "concise", "p.json", cwd=repo, env={"IAMLINT_CACHE_DIR": str(tmp_path / "cache")})
    assert (proc.returncode, without_ends(proc.stdout), proc.stderr) == (1, ONLY_IAM101, "")


def test_a_cache_write_never_follows_a_file_already_in_its_place(tmp_path, monkeypatch):
    from iamlint import cache

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "cache").mkdir()
    monkeypatch.setenv("IAMLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    (tmp_path / "cache" / ".entry.json.4242.tmp").symlink_to(victim)
    cache.write_json("entry.json", {"a": 1})
    assert victim.read_text() == "keep me"
    assert cache.read_json("entry.json") is None  # not written rather than written through the link
