"""SAM policy templates: cold runs of one SAM template, and what reading the templates costs.

    python benchmarks/bench_sam.py [--runs 10] [--iamlint PATH] [--sam-translator-python PYTHON]

Times, in fresh processes (medians):

- ``iamlint --isolated`` on one SAM template whose function uses a policy template, and on the
  same template with an inline statement instead (the data is read only for the first); budget
  (issue 12): under 150 ms;
- importing ``iamlint.extract.cloudformation.sam`` once the CloudFormation extractor is imported
  (as in a run), and the first read of its data file (``sam.get()`` and one template);
- with ``--sam-translator-python``, a Python that has aws-sam-translator installed: importing its
  policy template processor and loading its templates, the run-time alternative iamlint does not
  take (docs/sam-policy-templates.md).

Measure with a regular install (``pip install .``): an editable install adds an import hook to
every start.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import describe, find_iamlint  # noqa: E402

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersTable:
    Type: AWS::Serverless::SimpleTable
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src/
      Policies:
        - {policy}
"""
WITH_TEMPLATE = "DynamoDBCrudPolicy: {TableName: !Ref OrdersTable}"
WITHOUT = "Statement: [{Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt OrdersTable.Arn}]"

OURS = """
import time
import iamlint.extract.cloudformation.extractor  # what a run has imported before it meets a template
t = time.perf_counter()
from iamlint.extract.cloudformation import sam
t1 = time.perf_counter()
sam.get().get("DynamoDBCrudPolicy")
t2 = time.perf_counter()
print(t1 - t, t2 - t1)
"""
THEIRS = """
import time
t = time.perf_counter()
from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor as P
t1 = time.perf_counter()
P(P.get_default_policy_templates_json()).get("DynamoDBCrudPolicy")
t2 = time.perf_counter()
print(t1 - t, t2 - t1)
"""


def in_process(python: str, code: str, runs: int) -> tuple[list[float], list[float]]:
    imports, loads = [], []
    for _ in range(runs):
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        imports.append(float(out[0]))
        loads.append(float(out[1]))
    return imports, loads


def interleaved(cmds: dict[str, list[str]], runs: int, warmup: int = 2) -> dict[str, tuple[list, list]]:
    """Wall and CPU seconds of fresh processes, the commands taking turns (a loaded machine
    slows them alike); CPU time (user + system) is what a busy machine changes least."""
    out: dict[str, tuple[list, list]] = {k: ([], []) for k in cmds}
    for i in range(warmup + runs):
        for name, cmd in cmds.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
            if i >= warmup:
                out[name][0].append(wall)
                out[name][1].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--iamlint", help="the iamlint executable (default: next to this Python, else PATH)")
    ap.add_argument(
        "--sam-translator-python", help="a Python with aws-sam-translator, to time the alternative"
    )
    args = ap.parse_args()
    cmd = find_iamlint(args.iamlint)
    with tempfile.TemporaryDirectory() as tmp:
        uses, plain = Path(tmp) / "uses.yaml", Path(tmp) / "plain.yaml"
        uses.write_text(TEMPLATE.format(policy=WITH_TEMPLATE))
        plain.write_text(TEMPLATE.format(policy=WITHOUT))
        got = interleaved(
            {
                "iamlint --isolated, one SAM template with a policy template": cmd
                + ["--isolated", str(uses)],
                "iamlint --isolated, the same with an inline statement": cmd + ["--isolated", str(plain)],
            },
            args.runs,
        )
    for label, (wall, cpu) in got.items():
        print(f"{describe(label, wall)}; CPU median {statistics.median(cpu) * 1000:.0f} ms")
    python = str(Path(cmd[0]).parent / "python") if len(cmd) == 1 else sys.executable
    imports, loads = in_process(python, OURS, args.runs)
    print(
        f"iamlint's data: import sam {statistics.median(imports) * 1000:.2f} ms, "
        f"first get() and lookup {statistics.median(loads) * 1000:.2f} ms (medians of {args.runs})"
    )
    if args.sam_translator_python:
        imports, loads = in_process(args.sam_translator_python, THEIRS, args.runs)
        print(
            f"aws-sam-translator: import processor {statistics.median(imports) * 1000:.0f} ms, "
            f"load templates {statistics.median(loads) * 1000:.0f} ms (medians of {args.runs})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
