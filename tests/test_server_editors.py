"""`iamlint server` in real editors, set up as docs/editors.md says.

Neovim for real: headless, its built-in LSP client started by the documented ``init.lua``,
and the test reads back the diagnostics Neovim holds (``vim.diagnostic.get``). Helix,
VS Code and Emacs are not on the machine: their documented configurations are read and the
command they start is checked to be a working language server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import iamlint_bin

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)


def fence(lang: str, needle: str) -> str:
    """The first ``lang`` block of docs/editors.md that contains ``needle``."""
    text = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    return next(body for kind, body in FENCE.findall(text) if kind == lang and needle in body)


#: reads back what Neovim holds for the current buffer, as JSON, and quits
PROBE = """\
local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    severity = d.severity, source = d.source, message = d.message, code = d.code or lsp.code })
end
local f = io.open(vim.env.IAMLINT_PROBE_OUT, "w")
f:write(vim.fn.json_encode({ waited = ok, filetype = vim.bo.filetype, diagnostics = out }))
f:close()
vim.cmd("qa!")
"""

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - {Sid: "Zugriff für 😀", Effect: Allow, Action: "s3:*", Resource: "arn:aws:s3:::b/*"}
"""

TERRAFORM = """\
resource "aws_iam_policy" "p" {
  # für alle
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "für😀", Effect = "Allow", Action = "iam:*", Resource = "*" }]
  })
}
"""


def _nvim() -> str:
    nvim = shutil.which("nvim")
    if nvim is None:
        pytest.skip("Neovim is not installed (Debian: apt-get install neovim; .ci/run installs it)")
    return nvim


def _byte_column(line: str, column: int) -> int:
    """Neovim's 0-based byte column of iamlint's 1-based code-point column."""
    return len(line[: column - 1].encode("utf-8"))


@pytest.mark.parametrize(
    ("name", "text", "filetypes"),
    [("template.yaml", TEMPLATE, {"yaml"}), ("main.tf", TERRAFORM, {"tf", "terraform"})],
)
def test_neovim_set_up_as_documented_holds_the_servers_diagnostics(tmp_path, run_cli, name, text, filetypes):
    nvim = _nvim()
    work = tmp_path / "work"
    work.mkdir()
    path = work / name
    path.write_text(text, encoding="utf-8")
    (tmp_path / "init.lua").write_text(fence("lua", '"iamlint", "server"'), encoding="utf-8")
    (tmp_path / "probe.lua").write_text(PROBE, encoding="utf-8")
    out = tmp_path / "out.json"

    # what the command line finds, in Neovim's terms (0-based lines, byte columns)
    proc = run_cli("--format", "json", name, cwd=work)
    assert "Traceback" not in proc.stderr
    lines = text.split("\n")
    want = sorted(
        (
            f["code"],
            f["line"] - 1,
            _byte_column(lines[f["line"] - 1], f["column"]),
            f["end_line"] - 1,
            _byte_column(lines[f["end_line"] - 1], f["end_column"]),
            {"error": 1, "warning": 2, "info": 3}[f["severity"]],  # vim.diagnostic.severity
        )
        for f in json.loads(proc.stdout)["findings"]
    )
    assert want and any(c > 0 and not lines[ln].isascii() for _code, ln, c, *_ in want)

    # the documented init.lua starts `iamlint` from the PATH, as a user's does
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(iamlint_bin()[0]).parent), env.get("PATH", "")])
    env["IAMLINT_PROBE_OUT"] = str(out)
    env["XDG_STATE_HOME"] = env["XDG_DATA_HOME"] = env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    run = subprocess.run(
        [
            nvim,
            "--headless",
            "-n",
            "-i",
            "NONE",
            "-u",
            str(tmp_path / "init.lua"),
            "-c",
            "source ../probe.lua",
            name,
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["filetype"] in filetypes
    assert got["waited"] is True, "Neovim got no diagnostics within 30 s"
    diags = got["diagnostics"]
    assert (
        sorted((d["code"], d["lnum"], d["col"], d["end_lnum"], d["end_col"], d["severity"]) for d in diags)
        == want
    )
    assert {d["source"] for d in diags} == {"iamlint"}


def _initializes(command: list[str], cwd: Path) -> None:
    """``command`` is a language server that answers ``initialize`` and exits on ``exit``."""
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    data = b"".join(
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        for body in (json.dumps(m).encode() for m in messages)
    )
    proc = subprocess.run(command, input=data, cwd=cwd, capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert b'"capabilities"' in proc.stdout and b'"name": "iamlint"' in proc.stdout.replace(b'":"', b'": "')
    assert b"Traceback" not in proc.stderr


def test_helix_vscode_and_eglot_configurations_start_the_server(tmp_path):
    # Helix: the language server and the languages that use it, beside their usual servers
    helix = tomllib.loads(fence("toml", "[language-server.iamlint]"))
    server = helix["language-server"]["iamlint"]
    assert [server["command"], *server["args"]] == ["iamlint", "server"]
    languages = {lang["name"]: lang["language-servers"] for lang in helix["language"]}
    assert set(languages) == {"json", "yaml", "hcl"}
    assert all(servers[-1] == "iamlint" and len(servers) == 2 for servers in languages.values())
    # VS Code's generic client
    vscode = json.loads(fence("json", "glspc.server.command"))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["iamlint", "server"]
    assert set(vscode["glspc.server.languageId"]) == {"json", "yaml", "terraform"}
    # eglot
    assert '. ("iamlint" "server")' in fence("elisp", "eglot-server-programs")
    # and that command is a working language server
    _initializes([*iamlint_bin(), "server"], tmp_path)
