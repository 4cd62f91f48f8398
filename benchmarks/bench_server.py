"""The language server, warm: save to diagnostics, and memory over many edits.

    python benchmarks/bench_server.py [--runs 30] [--iamlint PATH]

One ``iamlint server`` process spoken to over stdio in raw JSON-RPC, as an editor does.
Each run changes the open document (the whole text, with a bucket name that is new each
time), writes it to disk and saves; the time is from sending ``didSave`` to
receiving the ``publishDiagnostics`` of that version.

Budgets (issue 14): median at most 15 ms for a 200-line template or policy, at most 40 ms
for one changed file in a 10-file Terraform module; the server's resident memory after
1,000 edits within 10% of what it was after the first 10. Memory is read from /proc (Linux).
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import find_iamlint  # noqa: E402

ROLE = """\
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p{i}
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: ["s3:GetObject", "s3:PutObject"]
                Resource: "arn:aws:s3:::bucket-{i}/*"
"""


def template() -> str:
    """A CloudFormation template of about 200 lines: 12 roles with inline policies."""
    return 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + "".join(
        ROLE.format(i=i) for i in range(12)
    )


def policy() -> str:
    """A raw JSON policy of about 200 lines."""
    statements = [
        {
            "Sid": f"S{i}",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::bucket-{i}", f"arn:aws:s3:::bucket-{i}/*"],
        }
        for i in range(15)
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n"


def terraform_file(i: int) -> str:
    return f"""\
resource "aws_iam_role" "r{i}" {{
  name = "role-{i}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "lambda.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
}}

data "aws_iam_policy_document" "d{i}" {{
  statement {{
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::bucket-{i}/*"]
  }}
}}

resource "aws_iam_role_policy" "p{i}" {{
  role   = aws_iam_role.r{i}.id
  policy = data.aws_iam_policy_document.d{i}.json
}}

resource "aws_iam_policy" "m{i}" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["sqs:SendMessage"], Resource = "arn:aws:sqs:us-east-1:111122223333:q{i}" }}]
  }})
}}
"""


def edited(text: str, version: int) -> str:
    """The text as it is after an edit: a bucket name that changes at each version (new
    text every time, so nothing of the edited file is parsed already), same lines."""
    return text.replace("bucket-", f"bucket-v{version}-", 1)


class Server:
    def __init__(self, cmd: list[str], cwd: Path):
        self.proc = subprocess.Popen(
            [*cmd, "server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
        )
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ids = 0

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put((time.perf_counter(), json.loads(out.read(length))))

    def send(self, method: str, params: object, request: bool = False) -> float:
        msg: dict = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.ids += 1
            msg["id"] = self.ids
        body = json.dumps(msg).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()
        return time.perf_counter()

    def wait(self, match, timeout: float = 60.0) -> tuple[float, dict]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if match(got[1]):
                return got

    def published(self, uri: str, version: int) -> float:
        def match(m: dict) -> bool:
            p = m.get("params") or {}
            return (
                m.get("method") == "textDocument/publishDiagnostics"
                and p.get("uri") == uri
                and p.get("version") == version
            )

        return self.wait(match)[0]

    def start(self, root: Path) -> None:
        params = {
            "processId": None,
            "rootUri": root.as_uri(),
            "capabilities": {},
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        }
        self.send("initialize", params, request=True)
        self.wait(lambda m: m.get("id") == self.ids and "result" in m)
        self.send("initialized", {})

    def open(self, path: Path, language: str) -> str:
        uri = path.as_uri()
        self.send(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": path.read_text()}},
        )
        self.published(uri, 1)
        return uri

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self.send("shutdown", None, request=True)
        self.send("exit", None)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def save_times(server: Server, path: Path, language: str, runs: int, warmup: int = 5) -> list[float]:
    uri = server.open(path, language)
    original = path.read_text()
    times = []
    for version in range(2, 2 + warmup + runs):
        text = edited(original, version)
        server.send(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
        path.write_text(text)
        sent = time.perf_counter()
        server.send("textDocument/didSave", {"textDocument": {"uri": uri}})
        got = server.published(uri, version)
        if version >= 2 + warmup:
            times.append(got - sent)
    server.send("textDocument/didClose", {"textDocument": {"uri": uri}})
    return times


def edits_memory(server: Server, path: Path, language: str) -> tuple[int, int]:
    """RSS (KiB) after 10 and after 1,000 edits, each typing one character more into a bucket
    name (so each text is new), waiting for diagnostics after each burst."""
    uri = server.open(path, language)
    lines = path.read_text().split("\n")
    line = next(i for i, text in enumerate(lines) if "bucket-" in text)
    column = lines[line].index("bucket-") + len("bucket-")
    version = 1

    def burst(n: int) -> None:
        nonlocal version
        for _ in range(n):
            version += 1
            at = {"line": line, "character": column + version - 2}
            change = {"range": {"start": at, "end": at}, "text": str(version % 10)}
            server.send(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
        server.published(uri, version)

    burst(10)
    first = server.rss_kib()
    while version < 1001:
        burst(min(110, 1001 - version))
    server.send("textDocument/didClose", {"textDocument": {"uri": uri}})
    return first, server.rss_kib()


def line_count(path: Path) -> int:
    return path.read_text().count("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--iamlint", help="the iamlint executable (default: next to this Python, else PATH)")
    args = ap.parse_args()
    cmd = find_iamlint(args.iamlint)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cfn").mkdir()
        (root / "cfn" / "template.yaml").write_text(template())
        (root / "json").mkdir()
        (root / "json" / "policy.json").write_text(policy())
        module = root / "module"
        module.mkdir()
        for i in range(10):
            (module / f"f{i}.tf").write_text(terraform_file(i))
        (root / "edits").mkdir()
        (root / "edits" / "template.yaml").write_text(template())
        (root / "edits" / "module").mkdir()
        for i in range(10):
            (root / "edits" / "module" / f"f{i}.tf").write_text(terraform_file(i))

        server = Server(cmd, root)
        try:
            server.start(root)
            rows = [
                (
                    f"200-line template ({line_count(root / 'cfn' / 'template.yaml')} lines)",
                    root / "cfn" / "template.yaml",
                    "yaml",
                    15,
                ),
                (
                    f"200-line policy ({line_count(root / 'json' / 'policy.json')} lines)",
                    root / "json" / "policy.json",
                    "json",
                    15,
                ),
                ("one changed file of a 10-file Terraform module", module / "f3.tf", "terraform", 40),
            ]
            failed = False
            for label, path, language, budget in rows:
                times = save_times(server, path, language, args.runs)
                med = statistics.median(times) * 1000
                ok = med <= budget
                failed |= not ok
                print(
                    f"save to diagnostics, {label}: median {med:.1f} ms over {len(times)} saves "
                    f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); budget {budget} ms: "
                    f"{'ok' if ok else 'OVER'}"
                )
            for label, path, language in (
                ("a 200-line template", root / "edits" / "template.yaml", "yaml"),
                ("a file of a 10-file Terraform module", root / "edits" / "module" / "f3.tf", "terraform"),
            ):
                first, after = edits_memory(server, path, language)
                growth = (after - first) / first * 100
                ok = after <= first * 1.10
                failed |= not ok
                print(
                    f"server memory, 1,000 edits of {label}: {first / 1024:.1f} MiB after 10 edits, "
                    f"{after / 1024:.1f} MiB after 1,000 ({growth:+.1f}%); budget +10%: {'ok' if ok else 'OVER'}"
                )
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
