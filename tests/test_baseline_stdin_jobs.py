"""Baselines survive edits; stdin lints unsaved buffers; --jobs changes nothing but speed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import without_ends

from iamlint.catalogue import get

FIX = Path(__file__).resolve().parent / "fixtures"
ADMIN = FIX / "IAM101-wildcard-action" / "fail.json"


def test_baseline_hides_old_findings_even_after_lines_move(run_cli, tmp_path):
    shutil.copy(ADMIN, tmp_path / "p.json")
    wrote = run_cli("--write-baseline", "base.json", "p.json", cwd=tmp_path)
    assert wrote.returncode == 0 and "wrote 2 finding(s)" in wrote.stderr
    base = json.loads((tmp_path / "base.json").read_text())
    assert base["format"] == "iamlint-baseline" and len(base["findings"]) == 2
    # unrelated edits move every line; nothing resurfaces
    (tmp_path / "p.json").write_text(
        "\n\n" + ADMIN.read_text().replace('"Sid": "BreakGlass",', '"Sid": "BreakGlass2",')
    )
    same = run_cli("-f", "concise", "--baseline", "base.json", "p.json", cwd=tmp_path)
    assert same.stdout == "" and same.returncode == 0
    # a new finding is reported; fixing an old one leaves a stale entry
    text = (
        (tmp_path / "p.json")
        .read_text()
        .replace('"s3:*"', '"s3:GetObject"')
        .replace('"cloudfront:CreateInvalidation"', '"sqs:*"')
    )
    (tmp_path / "p.json").write_text(text)
    # (IAM504 would add that s3:GetObject and sqs:* act on neither the bucket nor the distribution)
    new = run_cli("--baseline", "base.json", "--ignore", "IAM504", "p.json", cwd=tmp_path)
    assert new.returncode == 1
    assert [ln for ln in new.stdout.splitlines() if "IAM" in ln and "scanned" not in ln] == [
        f'p.json:11:9: IAM101 [error] Allow statement grants every action of sqs ("sqs:*") '
        f"({len(get().expand('sqs:*'))} actions) (wildcard-action)"
    ]
    assert "1 stale baseline entry" in new.stdout and "1 in baseline" in new.stdout


@pytest.mark.parametrize(
    "content", ["not json", '{"format": "something-else"}', '{"format": "iamlint-baseline", "version": 9}']
)
def test_a_baseline_that_is_not_ours_is_exit_2(run_cli, tmp_path, content):
    (tmp_path / "base.json").write_text(content)
    proc = run_cli("--baseline", "base.json", ADMIN, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("iamlint: error: ") and "baseline" in line


def test_stdin_is_linted_as_the_named_file(run_cli, tmp_path):
    (tmp_path / ".iamlint.toml").write_text('ignore = ["IAM102"]\n')
    proc = run_cli(
        "-f", "concise", "--stdin-filename", "draft.json", "-", cwd=tmp_path, input=ADMIN.read_text()
    )
    assert proc.stdout.splitlines() == [
        f'draft.json:8:9-8.15: error: IAM101 Allow statement grants every action of s3 ("s3:*") ({len(get().expand("s3:*"))} actions)',
        'draft.json:20:17-20.20: error: IAM101 Allow statement grants every action ("*")',
    ]


def test_stdin_terraform_uses_the_sibling_files(run_cli, tmp_path):
    (tmp_path / "locals.tf").write_text('locals {\n  admin_actions = ["*"]\n}\n')
    buffer = (
        'resource "aws_iam_policy" "admin" {\n'
        "  policy = jsonencode({\n"
        '    Version = "2012-10-17"\n'
        '    Statement = [{ Effect = "Allow", Action = local.admin_actions, Resource = "arn:aws:s3:::x" }]\n'
        "  })\n"
        "}\n"
    )
    proc = run_cli("-f", "concise", "--stdin-filename", "main.tf", "-", cwd=tmp_path, input=buffer)
    assert proc.returncode == 1
    assert proc.stdout == 'main.tf:4:47-4.66: error: IAM101 Allow statement grants every action ("*")\n'


def test_stdin_that_is_not_utf8_is_one_clear_error(run_cli, tmp_path):
    import subprocess

    from conftest import iamlint_bin

    proc = subprocess.run(
        iamlint_bin() + ["--stdin-filename", "x.yaml", "-"],
        input=b"\xff\xfe\x00bad",
        capture_output=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"x.yaml:1:1: IAM900" in proc.stdout


def test_jobs_output_is_identical_to_serial(run_cli, tmp_path):
    for i in range(40):
        (tmp_path / f"p{i:02}.json").write_text(ADMIN.read_text())
        (tmp_path / f"m{i:02}").mkdir()
        (tmp_path / f"m{i:02}" / "main.tf").write_text(
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = "Allow", '
            'Action = "s3:*", Resource = "*" }] })\n}\n'
        )
    serial = run_cli("-f", "json", "--jobs", "1", ".", cwd=tmp_path)
    parallel = run_cli("-f", "json", "--jobs", "2", ".", cwd=tmp_path)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    assert len(json.loads(serial.stdout)["findings"]) == 40 * 2 + 40 * 2


# -- issue 15: stdin without a name, runs with nothing to lint, iamlint's own files -------------
FAIL = FIX / "IAM101-wildcard-action"


def expected(path: Path, name: str) -> list[str]:
    """A fixture's expected findings as concise-format prefixes: ``name:line:col: CODE``."""
    out = []
    for line in path.read_text().split():
        code, _, where = line.partition(":")
        where = where.split(":", 1)[1] if where.startswith("main.tf:") else where
        start = where.split("-")[0]
        out.append(f"{name}:{start}: {code}")
    return out


@pytest.mark.parametrize(
    "source, name",
    [
        (FAIL / "fail.cfn.yaml", "stdin.yaml"),
        (FAIL / "fail.cfn.json", "stdin.json"),
        (FAIL / "fail.json", "stdin.json"),
        (FAIL / "fail.tfplan.json", "stdin.json"),
        (FAIL / "tf-jsonencode-fail" / "main.tf", "stdin.tf"),
    ],
    ids=["yaml-template", "json-template", "json-policy", "plan", "terraform"],
)
def test_stdin_without_a_name_is_linted_as_what_it_holds(run_cli, tmp_path, source, name):
    """Issue 15, item 5: a piped template or .tf is no longer "not IaC" and exit 0."""
    proc = run_cli("-f", "concise", "-", cwd=tmp_path, input=source.read_text())
    fixture = source.parent if source.name == "main.tf" else source
    want = expected(fixture.parent / (fixture.name + ".expected"), name)
    got = [
        line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in without_ends(proc.stdout).splitlines()
    ]
    assert (proc.returncode, got, proc.stderr) == (1, want, "")


@pytest.mark.parametrize(
    "content, message",
    [
        (
            '{"name": "web", "version": "1.0.0"}',
            "stdin holds JSON that is not a policy, a template or a Terraform plan",
        ),
        ("apiVersion: v1\nkind: Pod\n", "cannot tell what stdin holds"),
        ("", "stdin is empty"),
    ],
    ids=["package-json", "kubernetes", "empty"],
)
def test_stdin_that_is_not_iac_needs_a_name(run_cli, tmp_path, content, message):
    proc = run_cli("-", cwd=tmp_path, input=content)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"iamlint: error: {message}") and line.endswith("with --stdin-filename PATH")
    # named, it is what its name says: a file that is not IaC is skipped, as on disk
    named = run_cli("--stdin-filename", "package.json", "-", cwd=tmp_path, input=content)
    assert named.returncode == 0 and "not IaC" in named.stdout


def test_a_run_with_nothing_to_lint_says_so(run_cli, tmp_path):
    """ruff's "No files found" warning: a warning line per path, exit 0."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("nothing here")
    (tmp_path / "legacy").mkdir()
    shutil.copy(ADMIN, tmp_path / "legacy" / "admin.json")
    (tmp_path / ".iamlint.toml").write_text('exclude = ["legacy"]\n')
    proc = run_cli("empty", "docs", "legacy", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == [
        "iamlint: warning: no files to lint in empty: it holds no .json, .yaml, .yml, .template or .tf file",
        "iamlint: warning: no files to lint in docs: it holds no .json, .yaml, .yml, .template or .tf file",
        f"iamlint: warning: no files to lint in legacy: every file in it is excluded (exclude in {tmp_path / '.iamlint.toml'})",
    ]
    assert proc.stdout == "0 files scanned; 0 policies found; no findings.\n"
    proc = run_cli("--exclude", "*.json", "--isolated", "legacy/admin.json", cwd=tmp_path)
    assert (
        proc.stderr == "iamlint: warning: no files to lint: legacy/admin.json: it is excluded (--exclude)\n"
    )
    # a folder with nothing next to one with findings: the warning, and the findings' exit code
    shutil.copy(ADMIN, tmp_path / "admin.json")
    proc = run_cli("-f", "concise", "empty", "admin.json", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.count("admin.json:") == 2
    assert proc.stderr.splitlines() == [
        "iamlint: warning: no files to lint in empty: it holds no .json, .yaml, .yml, .template or .tf file"
    ]


def test_the_baseline_and_the_report_are_not_linted(run_cli, tmp_path):
    """Issue 15, item 8: neither is linted nor counted as "not IaC"."""
    shutil.copy(ADMIN, tmp_path / "p.json")
    wrote = run_cli("--write-baseline", ".iamlint-baseline.json", ".", cwd=tmp_path)
    assert "1 file scanned;" in wrote.stdout and "not IaC" not in wrote.stdout
    again = run_cli("--write-baseline", ".iamlint-baseline.json", ".", cwd=tmp_path)
    assert "1 file scanned;" in again.stdout and "not IaC" not in again.stdout
    proc = run_cli(
        "-f", "json", "-o", "report.json", "--baseline", ".iamlint-baseline.json", ".", cwd=tmp_path
    )
    assert proc.returncode == 0
    proc = run_cli(
        "-f", "json", "-o", "report.json", "--baseline", ".iamlint-baseline.json", ".", cwd=tmp_path
    )
    doc = json.loads((tmp_path / "report.json").read_text())
    assert [f["path"] for f in doc["files"]] == ["p.json"]
    assert (doc["summary"]["files"], doc["summary"]["not_iac"], doc["summary"]["baselined"]) == (1, 0, 2)


def test_the_progress_bar_counts_files_as_the_summary_does(tmp_path):
    """Issue 15, item 8: a Terraform module is one unit of work but several files."""
    import io

    from iamlint.config import Resolver
    from iamlint.engine import Engine
    from iamlint.progress import Progress
    from iamlint.ruleset import default_registry

    for m in range(3):
        (tmp_path / f"m{m}").mkdir()
        for i in range(4):
            (tmp_path / f"m{m}" / f"f{i}.tf").write_text(f'locals {{ x{i} = "{i}" }}\n')
    shutil.copy(ADMIN, tmp_path / "p.json")
    bar = io.StringIO()
    reg = default_registry()
    engine = Engine(reg, Resolver(reg, isolated=True), progress=Progress(bar, enabled=True, min_interval=0))
    report = engine.run([str(tmp_path)])
    assert len(report.scanned) == 13
    assert "13/13 files 100%" in bar.getvalue() and "/4 files" not in bar.getvalue()


def test_default_jobs_use_processes_only_for_large_inputs(tmp_path, monkeypatch):
    """Issue 15, item 7: the default starts no pool for a few hundred files, for little input
    or on a machine whose CPUs are busy (the thresholds are measured in
    benchmarks/bench_jobs.py); -j N asks for N processes whenever there is work for them."""
    from iamlint import engine as eng
    from iamlint.config import Resolver
    from iamlint.ruleset import default_registry

    reg = default_registry()
    n = eng.AUTO_MIN_UNITS
    pad = " " * (eng.AUTO_MIN_BYTES // n)  # each file large enough for n of them to be enough
    for i in range(n):
        (tmp_path / "big").mkdir(exist_ok=True)
        (tmp_path / "big" / f"p{i:03}.json").write_text(ADMIN.read_text() + pad)
        (tmp_path / "small").mkdir(exist_ok=True)
        (tmp_path / "small" / f"p{i:03}.json").write_text(ADMIN.read_text())

    def engine(jobs):
        e = eng.Engine(reg, Resolver(reg, isolated=True), jobs=jobs)
        if jobs is None:
            e.jobs = 2  # as on a 2-core machine, whatever this one has
        return e

    import os

    # the 1-minute load average, where the CPU counters cannot be read
    monkeypatch.setattr(eng, "_cpu_times", lambda: None)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.4, 0.3, 0.2), raising=False)  # an idle machine
    big, _ = engine(None).units([str(tmp_path / "big")])
    small, _ = engine(None).units([str(tmp_path / "small")])
    assert len(big) == len(small) == n
    assert engine(None).parallel(big) == 2
    assert engine(None).parallel(big[:-1]) == 1  # one unit short
    assert engine(None).parallel(small) == 1  # too few bytes
    assert engine(2).parallel(small) == 2 and engine(2).parallel(small[: eng.MIN_UNITS - 1]) == 1
    assert engine(1).parallel(big) == 1
    # busy CPUs (fewer than 1.5 idle: one of two taken, or all): the default stays serial
    for load in (2.5, 1.0, 0.6):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, 2.0, 1.0), raising=False)
        assert engine(None).parallel(big) == 1 and engine(2).parallel(big) == 2, load

    def unknown():
        raise OSError("no load average here")

    monkeypatch.setattr(os, "getloadavg", unknown, raising=False)
    assert engine(None).parallel(big) == 2
    # the CPU counters, where the kernel has them: what is idle now, not a minute's average
    # (a run right after another is not busy): user, nice, system, idle, iowait, ...
    monkeypatch.setattr(eng, "CPU_SAMPLE_SECONDS", 0)
    monkeypatch.setattr(os, "getloadavg", lambda: (2.5, 2.0, 1.0), raising=False)
    for idle_share, parallel in ((90, 2), (80, 2), (50, 1), (10, 1)):
        samples = iter([[0, 0, 0, 0, 0, 0, 0, 0], [100 - idle_share, 0, 0, idle_share, 0, 0, 0, 0]])
        monkeypatch.setattr(eng, "_cpu_times", lambda samples=samples: next(samples))
        assert engine(None).parallel(big) == parallel, idle_share


@pytest.mark.skipif(os.name != "posix", reason="a file size limit (RLIMIT_FSIZE) is POSIX")
def test_a_baseline_write_that_fails_half_way_leaves_the_old_baseline(run_cli, tmp_path):
    """The write is interrupted after 300 bytes (a file size limit, as a full disk would):
    one error line and exit 2, the old baseline byte for byte, no temporary file left."""
    import resource
    import subprocess

    from conftest import iamlint_bin

    shutil.copy(ADMIN, tmp_path / "p.json")
    old = json.dumps({"format": "iamlint-baseline", "version": 1, "findings": []}) + "\n"
    (tmp_path / "base.json").write_text(old)
    (tmp_path / "base.json").chmod(0o640)

    def limited() -> None:  # Python ignores SIGXFSZ: a write past the limit is EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))

    env = {**os.environ, "NO_COLOR": "1", "IAMLINT_NO_CACHE": "1"}
    proc = subprocess.run(
        [*iamlint_bin(), "--write-baseline", "base.json", "p.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=limited,
        timeout=120,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == "iamlint: error: cannot write baseline base.json: File too large"
    assert (tmp_path / "base.json").read_text() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "p.json"]
    # unlimited, the same run replaces it whole and keeps its permissions
    wrote = run_cli("--write-baseline", "base.json", "p.json", cwd=tmp_path, env={"IAMLINT_NO_CACHE": "1"})
    assert wrote.returncode == 0 and "wrote 2 finding(s)" in wrote.stderr
    assert len(json.loads((tmp_path / "base.json").read_text())["findings"]) == 2
    assert (tmp_path / "base.json").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "p.json"]
