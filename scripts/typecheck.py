#!/usr/bin/env python3
"""Type-check iamlint's source with mypy, as the package it installs as.

    python scripts/typecheck.py [MYPY ARGS ...]

``linter/`` installs as ``iamlint`` and ``rules/`` as ``iamlint.rules``, a layout mypy cannot
map from the source tree (and an editable install hides behind an import hook). This links
the two folders into a temporary ``iamlint`` package, runs ``mypy -p iamlint`` with the
settings of pyproject.toml, and prints every message with its path in the source tree.
Exit status: mypy's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="iamlint-typecheck-") as tmp:
        pkg = Path(tmp) / "iamlint"
        pkg.mkdir()
        for entry in (ROOT / "linter").iterdir():
            if entry.name != "__pycache__":
                (pkg / entry.name).symlink_to(entry)
        (pkg / "rules").symlink_to(ROOT / "rules")
        env = dict(os.environ, MYPYPATH=tmp)
        cmd = [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "-p",
            "iamlint",
            *argv,
        ]
        proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True)
        for stream, text in ((sys.stdout, proc.stdout), (sys.stderr, proc.stderr)):
            text = text.replace("iamlint/rules/", "rules/").replace("iamlint/", "linter/")
            stream.write(text)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
