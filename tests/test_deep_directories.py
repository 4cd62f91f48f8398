"""A tree 1,500 directories deep is input like any other: discovery and the configuration
lookup walk it with loops, not recursion (it raised RecursionError, a traceback, in
os.walk and in the search for a configuration file up the tree)."""

from __future__ import annotations

import os

POLICY = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n'


def _remove(levels: list[str]) -> None:
    """Remove the tree deepest first, in a loop (shutil.rmtree, and pytest's clean-up of old
    temporary directories with it, recurse, and would fail on it as iamlint did)."""
    for directory in reversed(levels):
        for name in os.listdir(directory):
            path = os.path.join(directory, name)
            if not os.path.isdir(path):
                os.unlink(path)
        os.rmdir(directory)


def test_a_policy_1500_directories_deep_is_linted(run_cli, tmp_path):
    deep = tmp_path / "tree"
    current = str(deep)
    os.makedirs(current)
    levels = [current]
    for _ in range(1500):
        current = os.path.join(current, "d")
        os.mkdir(current)
        levels.append(current)
    try:
        with open(os.path.join(current, "p.json"), "w") as fh:
            fh.write(POLICY)
        (tmp_path / "tree" / "top.json").write_text(POLICY)
        proc = run_cli("--format", "json", "--no-cache", "--select", "IAM101", "tree", cwd=tmp_path)
    finally:
        _remove(levels)
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr, proc.stderr[-500:]
    assert proc.returncode == 1, proc.stderr[-500:]
    import json

    found = [(f["file"].count("/d"), f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]]
    assert sorted(found) == [(0, 1, 46), (1500, 1, 46)]
