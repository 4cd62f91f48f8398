"""The distribution as users get it: one import package, `iamlint`, and nothing else."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("linter", "rules"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (whl,) = out.glob("iamlint-*.whl")
    return whl


def test_wheel_holds_only_the_iamlint_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"iamlint"}
    assert "iamlint/rules/__init__.py" in names
    assert "iamlint/rules/wildcard_action.py" in names
    assert "iamlint/reporters/sarif.py" in names
    assert not any(n.startswith(("linter/", "rules/")) for n in names)
    # every module of the source tree is installed (a subpackage missing from pyproject.toml
    # would install a package that fails on import)
    sources = {"iamlint/" + str(p.relative_to(ROOT / "linter")) for p in (ROOT / "linter").rglob("*.py")}
    sources |= {"iamlint/rules/" + p.name for p in (ROOT / "rules").glob("*.py")}
    assert sources <= set(names), sorted(sources - set(names))


def test_wheel_declares_console_script_and_extras(wheel):
    zf = zipfile.ZipFile(wheel)
    info = next(n for n in zf.namelist() if n.endswith(".dist-info/entry_points.txt"))
    assert "iamlint = iamlint.cli:main" in zf.read(info).decode()
    meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    assert "Provides-Extra: test" in meta
    assert "Requires-Python: >=3.10" in meta


def test_readme_rules_table_matches_the_registry():
    from iamlint.ruleset import builtin_registry

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (IAM\d{3}) \| ([a-z-]+) \|", readme, re.M))
    assert rows == {r.code: r.name for r in builtin_registry()}


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in readme and "<!-- quickstart-command -->" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command test-command" in ci and "readme_command quickstart-command" in ci
