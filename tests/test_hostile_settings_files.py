"""Hostile configuration, baseline and cache files, and outputs that cannot be written.

Each is one line on stderr that names the file (and the key path where there is one), exit
code 2, and no traceback; the user cache is never needed, so a bad entry is passed over.
"""

from __future__ import annotations

import os
import subprocess

from conftest import iamlint_bin

ORDINARY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'


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
