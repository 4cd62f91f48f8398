"""Hostile input: no hang, no traceback.

Every test lints real files written in tmp_path the way a user runs iamlint (a subprocess),
so that a regression that hangs fails on the subprocess's timeout instead of hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from conftest import iamlint_bin

STAR = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n'
STAR_FINDING = (
    ':1:99: IAM102 Allow statement applies to every resource ("Resource": "*"); '
    "s3:GetObject could be scoped to resource ARNs"
)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def clean(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    return proc


# -- defect 3: only regular files are opened --------------------------------------------------------
@needs_fifo
def test_a_fifo_found_in_a_directory_is_one_line_and_every_other_file_is_linted(run_cli, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / "x.json")  # opening it for reading would block until a writer came: forever
    (d / "p.json").write_text(STAR)
    proc = clean(run_cli("-f", "concise", "d", cwd=tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == "iamlint: error: d/x.json: not a regular file (a FIFO); not read\n"
    assert lines(proc.stdout) == ["d/p.json" + STAR_FINDING]


@needs_fifo
@needs_symlinks
def test_fifos_sockets_devices_and_links_to_them_given_or_found(run_cli, tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    os.mkfifo(d / "fifo.json")
    (d / "link-to-fifo.json").symlink_to("fifo.json")
    (d / "device.json").symlink_to(os.devnull)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(d / "socket.json"))
    (d / "p.json").write_text(STAR)
    try:
        found = clean(run_cli("-f", "concise", "d", cwd=tmp_path))
        given = clean(
            run_cli(
                "-f", "concise", "d/link-to-fifo.json", "d/socket.json", os.devnull, "d/p.json", cwd=tmp_path
            )
        )
    finally:
        server.close()
    assert found.returncode == 2
    assert found.stderr.splitlines() == [
        "iamlint: error: d/device.json: not a regular file (a character device); not read",
        "iamlint: error: d/fifo.json: not a regular file (a FIFO); not read",
        "iamlint: error: d/link-to-fifo.json: not a regular file (a FIFO); not read",
        "iamlint: error: d/socket.json: not a regular file (a socket); not read",
    ]
    assert lines(found.stdout) == ["d/p.json" + STAR_FINDING]
    assert given.returncode == 2
    assert given.stderr.splitlines() == [
        "iamlint: error: d/link-to-fifo.json: not a regular file (a FIFO); not read",
        "iamlint: error: d/socket.json: not a regular file (a socket); not read",
        f"iamlint: error: {os.devnull}: not a regular file (a character device); not read",
    ]
    assert lines(given.stdout) == ["d/p.json" + STAR_FINDING]


@needs_fifo
def test_stdin_filename_naming_a_fifo_or_a_directory(run_cli, tmp_path):
    os.mkfifo(tmp_path / "x.json")
    (tmp_path / "d").mkdir()
    for name, kind in (("x.json", "a FIFO"), ("d", "a directory")):
        proc = clean(run_cli("-f", "concise", "--stdin-filename", name, "-", cwd=tmp_path, input=STAR))
        assert proc.returncode == 2
        assert proc.stderr == f"iamlint: error: {name}: not a regular file ({kind}); not read\n"
        assert proc.stdout == ""
    # stdin itself is a pipe, and that is fine
    proc = clean(run_cli("-f", "concise", "--stdin-filename", "new.json", "-", cwd=tmp_path, input=STAR))
    assert (proc.returncode, proc.stderr, lines(proc.stdout)) == (1, "", ["new.json" + STAR_FINDING])


# -- defect 12: what cannot be read is an error, not a skip -----------------------------------------
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def _without_file_privileges() -> None:  # in the child, before exec
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def unprivileged(tmp_path):
    """Run iamlint where file modes apply: as is for a normal user, and as root without the
    capabilities that let root ignore them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). root
    stays uid 0 and the owner of tmp_path, so mode 000 shuts it out as it would any user; a
    switch to a user like ``nobody`` would not do here, where the interpreter lives in a
    home directory only root may enter."""
    if os.name != "posix":
        pytest.skip("file modes do not restrict reading on this platform")
    preexec = None
    if os.geteuid() == 0:
        probe = tmp_path / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            check = subprocess.run(
                [sys.executable, "-c", f"open({str(probe)!r})"],
                preexec_fn=_without_file_privileges,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as e:
            pytest.skip(f"running as root, and root's file capabilities cannot be dropped here: {e}")
        finally:
            probe.unlink()
        if check.returncode == 0:
            pytest.skip("running as root, and mode 000 still lets this process read")
        preexec = _without_file_privileges

    def run(*args, cwd):
        env = dict(os.environ, NO_COLOR="1")
        env.pop("FORCE_COLOR", None)
        return subprocess.run(
            iamlint_bin() + [str(a) for a in args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            preexec_fn=preexec,
        )

    return run


def test_unreadable_directories_and_files_are_errors_not_skips(unprivileged, tmp_path):
    (tmp_path / "locked" / "sub").mkdir(parents=True)
    (tmp_path / "locked" / "sub" / "p.json").write_text(STAR)
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "p.json").write_text(STAR)
    (tmp_path / "d" / "p.json").write_text(STAR)
    (tmp_path / "d" / "mode000.json").write_text(STAR)
    for p in (tmp_path / "locked", tmp_path / "d" / "sub", tmp_path / "d" / "mode000.json"):
        p.chmod(0)
    try:
        given = clean(unprivileged("-f", "concise", "locked", cwd=tmp_path))
        walked = clean(unprivileged("-f", "concise", "d", cwd=tmp_path))
        inside = clean(unprivileged("-f", "concise", "locked/sub/p.json", "d/p.json", cwd=tmp_path))
        text = clean(unprivileged("locked", cwd=tmp_path))
    finally:
        for p in (tmp_path / "locked", tmp_path / "d" / "sub", tmp_path / "d" / "mode000.json"):
            p.chmod(0o755)
    assert (given.returncode, given.stdout) == (2, "")
    assert given.stderr == "iamlint: error: locked: cannot read directory: permission denied\n"
    assert "0 files scanned" in text.stdout and text.returncode == 2
    assert walked.returncode == 2
    assert walked.stderr == "iamlint: error: d/sub: cannot read directory: permission denied\n"
    assert lines(walked.stdout) == [
        "d/mode000.json:1:1: IAM900 cannot read file: permission denied",
        "d/p.json" + STAR_FINDING,
    ]
    assert inside.returncode == 2
    assert inside.stderr == "iamlint: error: locked/sub/p.json: cannot read: permission denied\n"
    assert lines(inside.stdout) == ["d/p.json" + STAR_FINDING]
