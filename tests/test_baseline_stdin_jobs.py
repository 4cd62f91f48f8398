"""Baselines survive edits; stdin lints unsaved buffers; --jobs changes nothing but speed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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
