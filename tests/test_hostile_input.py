"""Hostile input: no hang, no traceback, no file read outside the repository.

Every test lints real files written in tmp_path the way a user runs iamlint (a subprocess),
so that a regression that hangs fails on the subprocess's timeout instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import iamlint_bin, without_ends

ADMIN = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]\n}\n'
)
STAR = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n'
STAR_FINDING = (
    ':1:99: IAM102 Allow statement applies to every resource ("Resource": "*"); '
    "s3:GetObject could be scoped to resource ARNs"
)
SECRET = "SECRET-do-not-print-3f9c1e"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
needs_symlinks = pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")


def lines(text: str) -> list[str]:
    """The lines of a report (concise lines without their end and severity)."""
    return [line for line in without_ends(text).splitlines() if line]


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
    (d / "device.json").symlink_to(os.devnull)  # found: outside the directory linted, not read either
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
        "iamlint: error: d/device.json: resolves to a path outside the repository; not read "
        "(--allow-path PATH allows it)",
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


# -- defect 11: Terraform file() reads inside the repository only -----------------------------------
def terraform_repo(tmp_path: Path, target: str) -> Path:
    """tmp_path/repo, a git work tree whose main.tf reads ``target`` with file() at 2:12
    (policies/admin.txt holds a policy that is not linted on its own); tmp_path/outside.json,
    outside the repository, holds a secret that must never be printed."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "policies").mkdir()
    (repo / "policies" / "admin.txt").write_text(ADMIN)
    (repo / "main.tf").write_text(f'resource "aws_iam_policy" "p" {{\n  policy = file("{target}")\n}}\n')
    (tmp_path / "outside.json").write_text(f"{SECRET}\n{ADMIN}")
    return repo


def outside(target: str) -> str:
    return (
        f"main.tf:2:12: IAM905 file(): '{target}' is outside the repository, not read "
        "(--allow-path PATH allows it); its policy cannot be checked"
    )


def assert_never_printed(run_cli, repo: Path, secret: str, env: dict | None = None) -> None:
    """The target is neither counted as a scanned file nor quoted: the text format with
    --show-source quotes the lines of the files findings are in, and counts the files
    (`test_no_output_format_counts_or_quotes_a_file_outside` runs every format)."""
    proc = clean(run_cli("--show-source", ".", cwd=repo, env=env))
    assert proc.returncode == 1, proc.stderr
    assert secret not in proc.stdout + proc.stderr
    assert proc.stdout.endswith("1 file scanned; 0 policies found; 1 finding (1 warning).\n")


@pytest.mark.skipif(not os.path.isfile("/etc/passwd"), reason="no /etc/passwd here")
def test_file_of_etc_passwd_is_not_read(run_cli, tmp_path):
    repo = terraform_repo(tmp_path, "/etc/passwd")
    proc = clean(run_cli("-f", "concise", ".", cwd=repo))
    assert (proc.returncode, proc.stderr) == (1, "")
    assert lines(proc.stdout) == [outside("/etc/passwd")]
    first_line = Path("/etc/passwd").read_text().splitlines()[0]
    assert_never_printed(run_cli, repo, first_line)


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="no /proc here")
def test_file_of_proc_self_environ_is_not_read(run_cli, tmp_path):
    repo = terraform_repo(tmp_path, "/proc/self/environ")
    env = {"IAMLINT_TEST_TOKEN": SECRET}
    proc = clean(run_cli("-f", "concise", ".", cwd=repo, env=env))
    assert (proc.returncode, proc.stderr) == (1, "")
    assert lines(proc.stdout) == [outside("/proc/self/environ")]
    assert_never_printed(run_cli, repo, SECRET, env)


@pytest.mark.parametrize("target", ["../outside.json", "${path.module}/../outside.json", "../missing.json"])
def test_file_escaping_the_repository_with_dotdot_is_not_read(run_cli, tmp_path, target):
    repo = terraform_repo(tmp_path, target)
    proc = clean(run_cli("-f", "concise", ".", cwd=repo))
    # outside is decided before existence: no answer tells what exists out there
    shown = target.replace("${path.module}", ".")
    assert (proc.returncode, proc.stderr, lines(proc.stdout)) == (1, "", [outside(shown)])
    assert_never_printed(run_cli, repo, SECRET)


def test_no_output_format_counts_or_quotes_a_file_outside(tmp_path, monkeypatch, capsys):
    """Every format, one after another in this process (a process each would cost seconds)."""
    from iamlint.cli import main
    from iamlint.reporters import FORMATS

    repo = terraform_repo(tmp_path, "../outside.json")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("NO_COLOR", "1")
    for fmt in FORMATS:
        assert main(["-f", fmt, *(["--show-source"] if fmt == "text" else []), "."]) == 1, fmt
        out, err = capsys.readouterr()
        assert SECRET not in out + err and "outside.json" in out, fmt  # named, never quoted
        if fmt == "json":
            report = json.loads(out)
            assert report["summary"]["files"] == 1
            assert [f["path"] for f in report["files"]] == ["main.tf"]
            assert [(f["code"], f["file"]) for f in report["findings"]] == [("IAM905", "main.tf")]


@needs_symlinks
def test_a_link_inside_the_repository_that_points_outside_is_not_read(run_cli, tmp_path):
    repo = terraform_repo(tmp_path, "policies/link.txt")
    (repo / "policies" / "link.txt").symlink_to(tmp_path / "outside.json")
    (repo / "policies" / "inside.txt").symlink_to("admin.txt")  # a link that stays inside is read
    proc = clean(run_cli("-f", "concise", ".", cwd=repo))
    assert (proc.returncode, proc.stderr, lines(proc.stdout)) == (1, "", [outside("policies/link.txt")])
    assert_never_printed(run_cli, repo, SECRET)
    (repo / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("policies/inside.txt")\n}\n'
    )
    proc = clean(run_cli("-f", "concise", "--select", "IAM101", ".", cwd=repo))
    assert lines(proc.stdout) == [
        'policies/inside.txt:3:47: IAM101 Allow statement grants every action ("*")'
    ]


@needs_fifo
@pytest.mark.parametrize(("target", "kind"), [("fifo.txt", "a FIFO"), ("policies", "a directory")])
def test_file_of_a_fifo_or_a_directory_is_not_read(run_cli, tmp_path, target, kind):
    repo = terraform_repo(tmp_path, target)
    os.mkfifo(repo / "fifo.txt")
    proc = clean(run_cli("-f", "concise", ".", cwd=repo))
    assert (proc.returncode, proc.stderr) == (1, "")
    assert lines(proc.stdout) == [
        f"main.tf:2:12: IAM905 file(): '{target}' is not a regular file ({kind}), not read; "
        "its policy cannot be checked"
    ]


def test_allow_path_and_allow_paths_let_one_file_outside_through(run_cli, tmp_path):
    repo = terraform_repo(tmp_path, "../shared/admin.json")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "admin.json").write_text(ADMIN)
    expected = ['../shared/admin.json:3:47: IAM101 Allow statement grants every action ("*")']
    refused = clean(run_cli("-f", "concise", "--select", "IAM101,IAM905", ".", cwd=repo))
    assert lines(refused.stdout) == [outside("../shared/admin.json")]
    flag = clean(run_cli("-f", "concise", "--select", "IAM101", "--allow-path", "../shared", ".", cwd=repo))
    assert (flag.returncode, flag.stderr, lines(flag.stdout)) == (1, "", expected)
    # allow-paths is relative to the configuration file, wherever iamlint runs from
    (repo / ".iamlint.toml").write_text('select = ["IAM101", "IAM905"]\nallow-paths = ["../shared"]\n')
    key = clean(run_cli("-f", "concise", "repo", cwd=tmp_path))
    assert (key.returncode, key.stderr) == (1, "")
    assert lines(key.stdout) == [line.replace("../shared", "shared") for line in expected]
    # and it lets that directory through, not its neighbours
    (repo / "main.tf").write_text('resource "aws_iam_policy" "p" {\n  policy = file("../outside.json")\n}\n')
    assert lines(clean(run_cli("-f", "concise", ".", cwd=repo)).stdout) == [outside("../outside.json")]


def test_without_git_the_configuration_directory_then_the_path_given_is_the_repository(run_cli, tmp_path):
    from iamlint.discover import repository_root

    if repository_root(str(tmp_path)) is not None:
        pytest.skip(f"the temporary directory is inside a git work tree ({repository_root(str(tmp_path))})")
    project = tmp_path / "project"
    (project / "infra").mkdir(parents=True)
    (project / "policies").mkdir()
    (project / "policies" / "admin.txt").write_text(ADMIN)
    (project / "infra" / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("../policies/admin.txt")\n}\n'
    )
    alone = clean(run_cli("-f", "concise", "--select", "IAM101,IAM905", "infra", cwd=project))
    assert lines(alone.stdout) == [
        "infra/main.tf:2:12: IAM905 file(): '../policies/admin.txt' is outside the repository, not read "
        "(--allow-path PATH allows it); its policy cannot be checked"
    ]
    (project / ".iamlint.toml").write_text('select = ["IAM101", "IAM905"]\n')
    configured = clean(run_cli("-f", "concise", "infra", cwd=project))
    assert lines(configured.stdout) == [
        'policies/admin.txt:3:47: IAM101 Allow statement grants every action ("*")'
    ]


@needs_symlinks
def test_a_link_found_or_given_that_points_outside_the_repository_is_not_read(run_cli, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "outside.json").write_text(f'{{"{SECRET}": [}}\n')  # IAM900 would quote it
    (repo / "evil.json").symlink_to(tmp_path / "outside.json")
    (repo / "p.json").write_text(STAR)
    message = (
        "iamlint: error: evil.json: resolves to a path outside the repository; not read "
        "(--allow-path PATH allows it)\n"
    )
    for args in ((".",), ("evil.json", "p.json")):
        proc = clean(run_cli("-f", "text", "--show-source", *args, cwd=repo))
        assert (proc.returncode, proc.stderr) == (2, message)
        assert SECRET not in proc.stdout
        assert "1 file scanned" in proc.stdout and "p.json:1:99: IAM102" in without_ends(proc.stdout)


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


# -- limits: file size -----------------------------------------------------------------------------
def test_max_file_size_from_the_configuration_and_the_flag(run_cli, tmp_path):
    padded = STAR.rstrip("\n") + " " * 2000 + "\n"  # 2.1 KiB
    (tmp_path / "big.json").write_text(padded)
    (tmp_path / "small.json").write_text(STAR)
    (tmp_path / ".iamlint.toml").write_text('max-file-size = "1KiB"\n')
    over = "big.json:1:1: IAM900 file is 2.1 KiB, over the 1 KiB limit (max-file-size); not read"
    proc = clean(run_cli("-f", "concise", ".", cwd=tmp_path))
    assert (proc.returncode, proc.stderr, lines(proc.stdout)) == (2, "", [over, "small.json" + STAR_FINDING])
    flag = clean(run_cli("-f", "concise", "--max-file-size", "4KiB", ".", cwd=tmp_path))  # the flag wins
    assert (flag.returncode, lines(flag.stdout)) == (
        1,
        ["big.json" + STAR_FINDING, "small.json" + STAR_FINDING],
    )
    stdin = clean(run_cli("-f", "concise", "--max-file-size", "100", "-", cwd=tmp_path, input=padded))
    assert lines(stdin.stdout) == [
        "stdin:1:1: IAM900 file is over the 100 bytes limit (max-file-size); not read"
    ]
    for bad, why in (
        ('max-file-size = "lots"', "expected a size such as 32MiB, 512KiB or a number of bytes, got 'lots'"),
        ("timeout = -1", "expected a number >= 0, got -1"),
    ):
        (tmp_path / ".iamlint.toml").write_text(bad + "\n")
        proc = clean(run_cli("small.json", cwd=tmp_path))
        key = bad.split(" = ")[0]
        assert (proc.returncode, proc.stderr) == (
            2,
            f"iamlint: error: {tmp_path / '.iamlint.toml'}: {key}: {why}\n",
        )
    proc = clean(run_cli("--max-file-size", "32 MB?", "small.json", cwd=tmp_path))
    assert proc.returncode == 2 and "argument --max-file-size: expected a size such as 32MiB" in proc.stderr


# -- limits: time ----------------------------------------------------------------------------------
#: iamlint with a deliberately slow unit, a test-only hook: linting a file or module whose
#: path names "slow" never ends (pure Python, as a pathological input would be)
SLOW_HOOK = """
import signal, sys
import iamlint.engine as engine
from iamlint.cli import main

def forever():
    while True:
        pass

text, file, module = engine.Linter.lint_text, engine.Linter.lint_file, engine.Linter.lint_module
engine.Linter.lint_text = lambda self, p, t: forever() if "slow" in p else text(self, p, t)
engine.Linter.lint_file = lambda self, p: forever() if "slow" in p else file(self, p)
engine.Linter.lint_module = lambda self, d, *a: forever() if "slow" in d else module(self, d, *a)
if sys.argv[1] == "--without-setitimer":  # the fallback of platforms without SIGALRM (Windows)
    import _signal
    del _signal.setitimer, signal.setitimer
    sys.argv.pop(1)
sys.exit(main(sys.argv[1:]))
"""


def run_slow(*args, cwd):
    env = dict(os.environ, NO_COLOR="1")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", SLOW_HOOK, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return clean(proc), time.monotonic() - start


@pytest.mark.skipif(os.name == "nt", reason="the SIGALRM budget is POSIX; the fallback is tested below")
def test_a_unit_over_its_time_budget_is_reported_and_the_run_goes_on(tmp_path):
    for i in range(20):  # enough units for worker processes with -j2
        (tmp_path / f"p{i:02}.json").write_text(STAR)
    (tmp_path / "slow.json").write_text(STAR)
    (tmp_path / "slowmod").mkdir()
    for name in ("main.tf", "other.tf"):
        (tmp_path / "slowmod" / name).write_text('resource "aws_iam_policy" "p" {\n  policy = "{}"\n}\n')
    (tmp_path / ".iamlint.toml").write_text("timeout = 1\n")
    expected = sorted(
        [f"p{i:02}.json" + STAR_FINDING for i in range(20)]
        + [
            f"{p}:1:1: IAM900 took longer than 1 s; not fully linted"
            for p in ("slow.json", "slowmod/main.tf", "slowmod/other.tf")
        ]
    )
    serial, serial_time = run_slow("-f", "concise", "-j1", ".", cwd=tmp_path)
    parallel, _ = run_slow("-f", "concise", "-j2", ".", cwd=tmp_path)
    assert (serial.returncode, serial.stderr) == (2, "")
    assert sorted(lines(serial.stdout)) == expected
    assert parallel.stdout == serial.stdout and parallel.returncode == 2
    assert serial_time < 60  # two units of 1 s each, and start-up


def test_the_time_budget_without_sigalrm(tmp_path):
    (tmp_path / "slow.json").write_text(STAR)
    (tmp_path / "p.json").write_text(STAR)
    (tmp_path / ".iamlint.toml").write_text("timeout = 60\n")  # the flag wins
    proc, elapsed = run_slow("--without-setitimer", "-f", "concise", "--timeout", "1.5", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (2, "")
    assert lines(proc.stdout) == [
        "p.json" + STAR_FINDING,
        "slow.json:1:1: IAM900 took longer than 1.5 s; not fully linted",
    ]
    assert elapsed < 60


def test_a_list_of_8000_duplicates_is_linted_cached_and_fixed_in_linear_time(run_cli, tmp_path):
    """Each of 7,999 duplicates carries a fix that removes it. Each fix once looked at the
    whole list (when made, when written to the result cache, when planned and when checked
    against the fixes taken), so 8,000 items ended in IAM900 "took longer than 10 s" and
    ``--fix`` fixed nothing; 2,000 took 40 s with the cache on."""
    repo = tmp_path / "repo"
    repo.mkdir()
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"] * 8000, "Resource": "arn:aws:s3:::b/*"}],
    }
    path = repo / "p.json"
    path.write_text(json.dumps(policy, indent=1) + "\n")
    env = {"IAMLINT_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the second run reads the entry the first wrote
        r = run_cli("--isolated", "--format", "json", path, env=env)
        assert "Traceback" not in r.stderr
        findings = json.loads(r.stdout)["findings"]
        assert {f["code"] for f in findings} == {"IAM506"}
        assert len(findings) == 7999
        assert (findings[0]["line"], findings[0]["column"]) == (8, 5)  # the second item
    r = run_cli("--isolated", "--fix", "--format", "concise", path, env=env)
    assert "Traceback" not in r.stderr and "IAM900" not in r.stdout, r.stdout[-500:]
    assert json.loads(path.read_text())["Statement"][0]["Action"] == ["s3:GetObject"]
    assert r.returncode == 0
