import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every test sees the bundled AWS data, whatever cfn-lint is installed (a newer one would be
# used otherwise: docs/catalogue.md); the tests of that refresh ask for it explicitly.
os.environ["IAMLINT_CATALOGUE"] = "bundled"


def iamlint_bin() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m iamlint``."""
    exe = Path(sys.executable).parent / ("iamlint.exe" if os.name == "nt" else "iamlint")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "iamlint"]


def without_ends(text: str) -> str:
    """A ``concise`` report with each line's end position and severity left out
    (``path:line:col: CODE message``), for tests about what is found rather than how a
    finding is shown."""
    return re.sub(r"^(.*?:\d+:\d+)-\d+\.\d+: (?:error|warning|info): ", r"\1: ", text, flags=re.M)


@pytest.fixture
def run_cli():
    def run(*args, cwd=None, input=None, env=None):
        e = dict(os.environ)
        e.pop("FORCE_COLOR", None)
        e["NO_COLOR"] = "1"
        if env:
            e.update(env)
        return subprocess.run(
            iamlint_bin() + [str(a) for a in args],
            cwd=cwd,
            input=input,
            capture_output=True,
            text=True,
            env=e,
            timeout=120,
        )

    return run
