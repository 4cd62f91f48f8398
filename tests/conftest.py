import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Hypothesis (tests/test_properties.py): a profile's max_examples is the number of documents
# generated over all the property tests, which share it out. "default" fits CI (about a
# minute on two shared cores) and is the same on every run; "long"
# (--hypothesis-profile=long) is the fuzzing run of 100,000 documents, random each time (a
# failure prints how to replay it; IAMLINT_FUZZ_DOCUMENTS sets another number).
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the property tests skip themselves
    pass
else:
    _slow = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
    settings.register_profile(
        "default",
        max_examples=250,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=_slow,
    )
    settings.register_profile(
        "long",
        max_examples=int(os.environ.get("IAMLINT_FUZZ_DOCUMENTS", "100000")),
        deadline=None,
        print_blob=True,
        suppress_health_check=_slow,
    )
    settings.load_profile("default")

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
