"""The result cache (docs/cache.md): a warm run prints exactly what a cold one does, in every
format; every input of a result is part of its key; a corrupt, foreign or stale entry is
ignored and rewritten; parallel runs share it safely; it stays under its bound; `iamlint
clean` and --no-cache."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import iamlint_bin

from iamlint import resultcache
from iamlint.config import Resolver
from iamlint.engine import Engine
from iamlint.reporters import FORMATS, render
from iamlint.resultcache import ResultCache
from iamlint.ruleset import default_registry

REG = default_registry()

TEMPLATE = """Resources:
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          # iamlint: ignore[IAM102] the bucket is throwaway
          - Effect: Allow
            Action: ['kms:Encrypt*', 's3:GetObjectt']
            Resource: '*'
"""
MAIN_TF = """resource "aws_iam_policy" "p" {
  policy = file("${path.module}/policy.json")
}
resource "aws_iam_policy" "q" {
  policy = file("${path.module}/later.json")
}
resource "aws_iam_user" "u" {
  name = "u"
}
resource "aws_iam_user_policy_attachment" "a" {
  user       = aws_iam_user.u.name
  policy_arn = aws_iam_policy.p.arn
}
"""
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}\n'
CONFIG = """[tool.iamlint]
[[tool.iamlint.suppress]]
rules = ["IAM501"]
files = ["t.yaml"]
reason = "typo kept on purpose"
until = "2999-12-31"
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "repo"
    (root / "mod").mkdir(parents=True)
    (root / "t.yaml").write_text(TEMPLATE)
    (root / "mod" / "main.tf").write_text(MAIN_TF)
    (root / "mod" / "policy.json").write_text(POLICY)
    (root / "mod" / "dup.tf").write_text(
        'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
    )  # IAM908, related
    (root / "bad.json").write_text('{"Statement": [')
    (root / "p.json").write_text(POLICY.replace('"Version": "2012-10-17", ', ""))
    (root / "pyproject.toml").write_text(CONFIG)
    return root


@pytest.fixture
def cli_project(project):
    """The project without its Terraform module: a fresh cache directory would have the HCL
    parser built again (seconds) in every run of these tests."""
    import shutil

    shutil.rmtree(project / "mod")
    return project


def run(root: Path, cache: ResultCache | None, **options):
    """An in-process run over ``root`` (from inside it), rendered in every format."""
    old = os.getcwd()
    os.chdir(root)
    try:
        engine = Engine(REG, Resolver(REG), cache=cache)
        report = engine.run(["."])
        report.options = {"sources": {}, "fail_on": "info", **options}
        out = {}
        for fmt in FORMATS:
            buf = io.StringIO()
            render(fmt, report, buf, False)
            out[fmt] = buf.getvalue()
        return report, out
    finally:
        os.chdir(old)


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.json"))


@pytest.mark.parametrize(
    "options",
    [{}, {"show_source": True, "show_suppressed": True}, {"statistics": True}],
    ids=["plain", "source", "statistics"],
)
def test_warm_run_is_identical_in_every_format(project, tmp_path, options):
    cold, cold_out = run(project, None, **options)
    cache = ResultCache(REG, str(tmp_path / "cache"))
    first, first_out = run(project, cache, **options)
    assert cache.hits == 0 and cache.written == 5  # four files and one module
    cache = ResultCache(REG, str(tmp_path / "cache"))
    warm, warm_out = run(project, cache, **options)
    assert cache.hits == 5 and cache.written == 0
    assert warm_out == cold_out == first_out
    assert warm.files == cold.files  # findings (with their fixes), suppressed, documents
    assert warm.suppressed == cold.suppressed and len(warm.suppressed) == 2
    # what equality leaves out: the fixes findings carry, the other places they concern
    assert [(f.fix, f.related) for f in warm.findings] == [(f.fix, f.related) for f in cold.findings]
    assert any(f.fix is not None for f in warm.findings) and any(f.related for f in warm.findings)


def _codes(root: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """The findings of a run with the cache, checked against a run without it."""
    report, _ = run(root, ResultCache(REG, str(tmp_path / "cache")))
    fresh, _ = run(root, None)
    assert report.files == fresh.files
    return sorted((os.path.basename(f.span.file), f.code) for f in report.findings)


def test_every_input_of_a_result_is_in_its_key(project, tmp_path):
    before = _codes(project, tmp_path)
    assert ("policy.json", "IAM101") in before and ("later.json", "IAM101") not in before
    # a file's bytes
    (project / "t.yaml").write_text(TEMPLATE.replace("s3:GetObjectt", "s3:GetObject"))
    assert _codes(project, tmp_path) != before
    # a file a module's file() reads
    (project / "mod" / "policy.json").write_text(POLICY.replace('"s3:*"', '"s3:GetObject"'))
    assert ("policy.json", "IAM101") not in _codes(project, tmp_path)
    # a file file() looked for and did not find (IAM905), then created
    assert ("main.tf", "IAM905") in _codes(project, tmp_path)
    (project / "mod" / "later.json").write_text(POLICY)
    got = _codes(project, tmp_path)
    assert ("main.tf", "IAM905") not in got and ("later.json", "IAM101") in got
    # another .tf file of the module
    (project / "mod" / "extra.tf").write_text(
        'resource "aws_iam_user_policy" "x" {\n  user = "u"\n  policy = "{}"\n}\n'
    )
    assert _codes(project, tmp_path) != got
    # the configuration
    got = _codes(project, tmp_path)
    (project / "pyproject.toml").write_text(
        CONFIG + '\n[tool.iamlint.per-file-ignores]\n"p.json" = ["IAM101"]\n'
    )
    assert ("p.json", "IAM101") in got and ("p.json", "IAM101") not in _codes(project, tmp_path)


def test_the_code_and_data_of_the_run_are_in_its_key(project, tmp_path, monkeypatch):
    salt = resultcache.run_salt(REG)
    assert resultcache.run_salt(REG) == salt
    monkeypatch.setattr("iamlint.version.__version__", "99.0")
    assert resultcache.run_salt(REG) != salt
    monkeypatch.undo()
    monkeypatch.setattr(REG, "plugins", ["acme-iam-rules 1.2"])
    assert resultcache.run_salt(REG) != salt


def test_dated_suppressions_hold_for_today_only(project, tmp_path, monkeypatch):
    cache = ResultCache(REG, str(tmp_path / "cache"))
    run(project, cache)
    monkeypatch.setattr(resultcache, "_today", lambda: "2999-01-01")
    cache = ResultCache(REG, str(tmp_path / "cache"))
    run(project, cache)
    # the configuration's entry has an until= date and applies to every file: a result made
    # on another day is not used
    assert cache.hits == 0
    (project / "pyproject.toml").write_text("[tool.iamlint]\n")
    run(project, ResultCache(REG, str(tmp_path / "cache")))
    monkeypatch.setattr(resultcache, "_today", lambda: "2999-01-02")
    cache = ResultCache(REG, str(tmp_path / "cache"))
    run(project, cache)
    assert cache.hits == 5


def test_corrupt_and_foreign_entries_are_ignored_and_rewritten(project, tmp_path):
    directory = tmp_path / "cache"
    _, cold = run(project, ResultCache(REG, str(directory)))
    found = entries(directory)
    assert len(found) == 5
    found[0].write_bytes(b"\x00garbage{")
    found[1].write_text(
        json.dumps({"format": 1, "key": "someone else's", "reads": [], "day": None, "result": {}})
    )
    found[2].write_text(
        '{"format": 1, "key": "'
        + found[2].parent.name
        + found[2].stem
        + '", "day": null, "reads": [], "result": {"reports": [[1]], "used": []}}'
    )
    found[3].write_text("[" * 100000)
    cache = ResultCache(REG, str(directory))
    _, warm = run(project, cache)
    assert warm == cold
    assert cache.hits == 1 and cache.written == 4
    for p in entries(directory):
        json.loads(p.read_text())  # all rewritten whole


def test_eviction_keeps_the_bound_and_the_recently_used(tmp_path):
    cache = ResultCache(REG, str(tmp_path / "cache"))
    for i in range(20):
        cache.put(f"{i:02x}" + "0" * 38, [], {})
    paths = entries(tmp_path / "cache")
    now = time.time()
    for i, p in enumerate(paths):
        os.utime(p, (now - 1000 + i, now - 1000 + i))  # the first written, the least recently used
    os.utime(paths[0], (now, now))  # ... but read just now
    size = sum(p.stat().st_size for p in paths)
    removed = cache.evict(bound=size // 2)
    left = entries(tmp_path / "cache")
    assert removed == len(paths) - len(left) > 0
    assert sum(p.stat().st_size for p in left) <= size // 2 * 0.8
    assert paths[0] in left and paths[1] not in left and paths[-1] in left
    assert cache.evict(bound=size) == 0


def _cli(args, cwd, cache_dir, **kw):
    env = dict(os.environ, IAMLINT_CACHE_DIR=str(cache_dir), NO_COLOR="1")
    return subprocess.run(
        iamlint_bin() + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, **kw
    )


def test_cli_cache_no_cache_and_clean(cli_project, tmp_path):
    project = cli_project
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "notes.txt").write_text("not iamlint's")
    cold = _cli(["--no-cache", "--show-source", "."], project, cache_dir)
    assert not (cache_dir / resultcache.DIRECTORY).exists()  # --no-cache writes nothing
    first = _cli(["--show-source", "."], project, cache_dir)
    warm = _cli(["--show-source", "."], project, cache_dir)
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout, warm.stderr)
    assert first.stdout == cold.stdout and warm.returncode == 2 and "Traceback" not in warm.stderr
    n = len(entries(cache_dir / resultcache.DIRECTORY))
    assert n == 3
    r = _cli(["clean"], project, cache_dir)
    assert (
        r.returncode == 0
        and r.stdout.startswith(f"Removed {n} cached results and ")
        and str(cache_dir) in r.stdout
    )
    assert sorted(p.name for p in cache_dir.iterdir()) == ["notes.txt"]  # nothing else is touched
    r = _cli(["clean"], project, cache_dir)
    assert r.stdout == "Nothing to clean: no iamlint cache entries.\n"
    r = _cli(["clean", "extra"], project, cache_dir)
    assert r.returncode == 2 and "usage: iamlint clean" in r.stderr


def test_parallel_runs_share_the_cache_safely(cli_project, tmp_path):
    project = cli_project
    cache_dir = tmp_path / "cache"
    expected = _cli(["--no-cache", "--format", "json", "."], project, cache_dir).stdout
    env = dict(os.environ, IAMLINT_CACHE_DIR=str(cache_dir))
    procs = [
        subprocess.Popen(
            iamlint_bin() + ["--format", "json", "."], cwd=project, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert outs == [expected] * 3
    assert not [p for p in cache_dir.rglob("*.tmp")]
    assert _cli(["--format", "json", "."], project, cache_dir).stdout == expected


@pytest.mark.skipif(sys.platform == "win32", reason="permissions")
def test_unwritable_cache_directory_is_not_used(cli_project, tmp_path):
    project = cli_project
    cache_dir = tmp_path / "ro"
    cache_dir.mkdir()
    cache_dir.chmod(0o500)
    try:
        r = _cli(["--format", "json", "."], project, cache_dir)
        assert r.returncode == 2 and "Traceback" not in r.stderr and json.loads(r.stdout)
    finally:
        cache_dir.chmod(0o700)
