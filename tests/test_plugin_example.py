"""examples/plugin, an installable third-party rule package, works as its README says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import iamlint_bin

PLUGIN = Path(__file__).resolve().parent.parent / "examples" / "plugin"


def test_its_own_tests_pass_with_iamlint_testing():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PLUGIN / "tests")],
        cwd=PLUGIN,
        env={**os.environ, "PYTHONPATH": str(PLUGIN)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout


def test_installed_it_runs_in_every_iamlint_run(tmp_path):
    """pip-installed (its entry point registered), iamlint loads, validates and runs it."""
    target = tmp_path / "site"
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pip.returncode == 0, pip.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}
    fixture = PLUGIN / "tests" / "fixtures" / "ACME101-no-bucket-deletion" / "fail.json"
    proc = subprocess.run(
        iamlint_bin() + ["--isolated", "--format", "json", str(fixture)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    found = [(f["code"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("ACME101", 6, 34), ("IAM101", 6, 34)]
    doc = subprocess.run(iamlint_bin() + ["rule", "ACME101"], env=env, capture_output=True, text=True)
    assert doc.returncode == 0 and doc.stdout.startswith("# no-bucket-deletion (ACME101)")
