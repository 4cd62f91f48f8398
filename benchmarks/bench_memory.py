"""Peak memory per MB of input, for every format iamlint reads.

    python benchmarks/bench_memory.py [--sizes 1,4,16] [--runs 3] [--formats json,cfn-yaml,...]
                                      [--iamlint PATH] [--keep DIR]

For each format and size, an input of about that many MB is generated (in a temporary
directory, or ``--keep DIR``) and ``iamlint --isolated --timeout 0 --format json FILE`` runs
on it in a fresh process, ``--runs`` times (no time budget: a 16 MB input takes longer than
the default 10 s on a loaded machine, and this measures memory, not time). A run's peak resident memory is that child's own
``ru_maxrss`` (``os.wait4`` in a small wrapper interpreter reports the usage of the one
child it waits for; the wrapper keeps this script's own memory out of the figure). The figure
of merit is (median peak - baseline) / MB of input, where the baseline is the median peak
of the same command on a tiny input of the same format: the interpreter, iamlint's
modules and (for Terraform) the HCL parser, which every run pays once whatever its input.

Formats:

- ``json``: one JSON policy with many statements (indented, as people write them);
- ``json-compact``: the same policy without whitespace, the densest JSON there is;
- ``cfn-json``: a CloudFormation JSON template with many ``AWS::IAM::Policy`` resources;
- ``cfn-yaml``: the same template in YAML block style, with short-form intrinsics;
- ``cfn-yaml-flow``: the same template on one line, YAML flow style;
- ``yaml-anchors``: a template whose statements are defined once with an anchor
  (``&s1``) and used through aliases (``*s1``), many thousands of each;
- ``terraform``: a ``.tf`` module with many ``aws_iam_policy`` resources whose policies
  are heredocs and ``jsonencode`` values, and ``aws_iam_policy_document`` data sources.

Measure with a regular install (``pip install .``), not an editable one, whose import hook
adds memory and time of its own. Only the standard library is imported here.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# iamlint's result cache off for every process started here: measure the work, not a cache hit
os.environ["IAMLINT_NO_CACHE"] = "1"

MB = 1024 * 1024
#: the target: peak memory above the baseline, per MB of input
TARGET_PER_MB = 20.0


def find_iamlint(explicit: str | None) -> list[str]:
    if explicit:
        return [explicit]
    exe = Path(sys.executable).parent / "iamlint"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "iamlint"]


# -- inputs --------------------------------------------------------------------------------------
_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:DeleteObject",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
)


def _statement(i: int) -> dict:
    """A statement that varies with ``i`` (no two alike, as in real policies)."""
    return {
        "Sid": f"Stmt{i}",
        "Effect": "Deny" if i % 7 == 6 else "Allow",
        "Action": [_ACTIONS[i % len(_ACTIONS)], _ACTIONS[(i * 7 + 3) % len(_ACTIONS)]],
        "Resource": [f"arn:aws:s3:::bucket-{i}/*", f"arn:aws:kms:us-east-1:123456789012:key/{i:08d}"],
        "Condition": {
            "StringEquals": {"aws:PrincipalTag/team": f"team-{i % 17}"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": 3600 + i},
        },
    }


def _repeat(size: int, piece: Callable[[int], str], head: str = "", sep: str = "", tail: str = "") -> str:
    parts = [head]
    total = len(head) + len(tail)
    i = 0
    while total < size or not i:  # at least one piece
        p = (sep if i else "") + piece(i)
        parts.append(p)
        total += len(p)
        i += 1
    parts.append(tail)
    return "".join(parts)


def json_policy(size: int) -> str:
    head = '{\n  "Version": "2012-10-17",\n  "Statement": [\n'

    def piece(i: int) -> str:
        return "    " + json.dumps(_statement(i), indent=2).replace("\n", "\n    ")

    return _repeat(size, piece, head, ",\n", "\n  ]\n}\n")


def json_compact(size: int) -> str:
    """The densest JSON: no whitespace at all (as tools write policies)."""

    def piece(i: int) -> str:
        return json.dumps(_statement(i), separators=(",", ":"))

    return _repeat(size, piece, '{"Version":"2012-10-17","Statement":[', ",", "]}")


def _resource(i: int) -> dict:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": f"policy-{i}",
            "Roles": [{"Ref": f"Role{i % 10}"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [_statement(2 * i), _statement(2 * i + 1)],
            },
        },
    }


_ROLES = {
    f"Role{r}": {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        },
    }
    for r in range(10)
}


def cfn_json(size: int) -> str:
    roles = json.dumps(_ROLES, indent=2)[1:-2]
    head = '{\n  "AWSTemplateFormatVersion": "2010-09-09",\n  "Resources": {' + roles + ",\n"

    def piece(i: int) -> str:
        return f'    "Policy{i}": ' + json.dumps(_resource(i), indent=2).replace("\n", "\n    ")

    return _repeat(size, piece, head, ",\n", "\n  }\n}\n")


def _yaml_scalar(v: object) -> str:
    if isinstance(v, int):
        return str(v)
    s = str(v)
    return json.dumps(s) if any(c in s for c in ":*{}[],#&!|>'\"%@`") or s[:1] in "- " else s


def _yaml_block(v: object, indent: int) -> str:
    """A small block-style YAML writer (``!Ref`` for ``{"Ref": x}``), as people write it."""
    pad = " " * indent
    if isinstance(v, dict) and list(v) == ["Ref"]:
        return " !Ref " + str(v["Ref"])
    if isinstance(v, dict):
        return "".join(f"\n{pad}{k}:{_yaml_block(x, indent + 2)}" for k, x in v.items())
    if isinstance(v, list):
        out = []
        for x in v:
            body = _yaml_block(x, indent + 2)
            out.append(
                f"\n{pad}- {body.lstrip()}"
                if isinstance(x, dict) and list(x) != ["Ref"]
                else f"\n{pad}-{body}"
            )
        return "".join(out)
    return " " + _yaml_scalar(v)


def cfn_yaml(size: int) -> str:
    head = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:' + _yaml_block(_ROLES, 2)

    def piece(i: int) -> str:
        return f"\n  Policy{i}:" + _yaml_block(_resource(i), 4)

    return _repeat(size, piece, head, "", "\n")


def cfn_yaml_flow(size: int) -> str:
    roles = json.dumps(_ROLES)[1:-1]
    head = '{AWSTemplateFormatVersion: "2010-09-09", Resources: {' + roles + ", "

    def piece(i: int) -> str:
        return f'"Policy{i}": ' + json.dumps(_resource(i))

    return _repeat(size, piece, head, ", ", "}}\n")


def yaml_anchors(size: int) -> str:
    """Statements defined once each with an anchor, every policy made of aliases to them."""
    per = max(1, size // 4)  # about a quarter of the text defines, the rest refers

    def define(i: int) -> str:
        return f'\n    - &s{i} {{Effect: Allow, Action: "{_ACTIONS[i % len(_ACTIONS)]}", Resource: "arn:aws:s3:::b{i}/*"}}'

    defs = _repeat(per, define, 'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n  Statements:')
    n = defs.count("&s")

    def use(i: int) -> str:
        aliases = ", ".join(f"*s{(i * 8 + k) % n}" for k in range(8))
        return (
            f"\n  P{i}:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p{i}\n"
            f'      Roles: [r]\n      PolicyDocument:\n        Version: "2012-10-17"\n'
            f"        Statement: [{aliases}]"
        )

    return _repeat(size, use, defs + "\nResources:", "", "\n")


def terraform(size: int) -> str:
    def piece(i: int) -> str:
        doc = json.dumps({"Version": "2012-10-17", "Statement": [_statement(3 * i)]}, indent=2)
        st = _statement(3 * i + 1)
        return (
            f'resource "aws_iam_policy" "heredoc_{i}" {{\n  name   = "heredoc-{i}"\n  policy = <<EOF\n{doc}\nEOF\n}}\n\n'
            f'resource "aws_iam_policy" "encode_{i}" {{\n  name   = "encode-{i}"\n'
            f'  policy = jsonencode({{\n    Version = "2012-10-17"\n    Statement = [{{\n'
            f'      Effect   = "{st["Effect"]}"\n      Action   = {json.dumps(st["Action"])}\n'
            f"      Resource = {json.dumps(st['Resource'])}\n    }}]\n  }})\n}}\n\n"
            f'data "aws_iam_policy_document" "doc_{i}" {{\n  statement {{\n    sid       = "D{i}"\n'
            f'    actions   = ["s3:GetObject", "{_ACTIONS[i % len(_ACTIONS)]}"]\n    resources = ["arn:aws:s3:::d-{i}/*"]\n'
            f'    condition {{\n      test     = "StringEquals"\n      variable = "aws:PrincipalTag/team"\n'
            f'      values   = ["t{i % 9}"]\n    }}\n  }}\n}}\n\n'
        )

    return _repeat(size, piece)


FORMATS: dict[str, tuple[str, Callable[[int], str]]] = {
    "json": ("policy.json", json_policy),
    "json-compact": ("compact.json", json_compact),
    "cfn-json": ("template.json", cfn_json),
    "cfn-yaml": ("template.yaml", cfn_yaml),
    "cfn-yaml-flow": ("flow.yaml", cfn_yaml_flow),
    "yaml-anchors": ("anchors.yaml", yaml_anchors),
    "terraform": ("main.tf", terraform),
}


# -- measuring -----------------------------------------------------------------------------------
# A child starts as a copy of its parent, and its peak RSS counts the parent's pages until it
# execs; this script holds the generated inputs, so a small fresh interpreter starts each run.
_WRAPPER = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_, status, usage = os.wait4(p.pid, 0)
sys.stderr.buffer.write(err[-800:])
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def peak_rss(cmd: list[str]) -> tuple[int, int]:
    """(peak resident bytes of one fresh process running ``cmd``, its exit code)."""
    out = subprocess.run([sys.executable, "-S", "-c", _WRAPPER, *cmd], capture_output=True, text=True)
    code, kib = (int(x) for x in out.stdout.split())
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {out.stderr}")
    return kib * 1024, code  # Linux reports KiB


def median_peak(cmd: list[str], runs: int) -> float:
    return statistics.median(peak_rss(cmd)[0] for _ in range(runs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,4,16", help="input sizes in MB (default 1,4,16)")
    ap.add_argument("--runs", type=int, default=3, help="runs per input; the median is reported (default 3)")
    ap.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, of {', '.join(FORMATS)}")
    ap.add_argument("--iamlint", default=None, help="the iamlint executable (default: next to this Python)")
    ap.add_argument("--keep", default=None, help="write the inputs to this directory and keep them")
    args = ap.parse_args()

    iamlint = find_iamlint(args.iamlint)
    sizes = [float(s) for s in args.sizes.split(",") if s]
    formats = [f for f in args.formats.split(",") if f]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SystemExit(f"unknown format(s): {', '.join(unknown)}")
    tmp = None
    if args.keep:
        root = Path(args.keep)
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="iamlint-mem-")
        root = Path(tmp.name)
    print(f"iamlint: {' '.join(iamlint)}; medians of {args.runs} runs; target {TARGET_PER_MB:.0f} MB per MB")
    print(f"{'format':<14} {'input MB':>8} {'peak MB':>8} {'base MB':>8} {'MB per MB':>9}")
    worst = 0.0
    try:
        for fmt in formats:
            name, make = FORMATS[fmt]
            tiny = root / f"tiny-{fmt}" / name
            tiny.parent.mkdir(exist_ok=True)
            tiny.write_text(make(1), encoding="utf-8")
            base = median_peak(
                iamlint + ["--isolated", "--timeout", "0", "--format", "json", str(tiny)], args.runs
            )
            for size in sizes:
                path = root / f"{fmt}-{size:g}MB" / name
                path.parent.mkdir(exist_ok=True)
                path.write_text(make(int(size * MB)), encoding="utf-8")
                mb = path.stat().st_size / MB
                peak = median_peak(
                    iamlint + ["--isolated", "--timeout", "0", "--format", "json", str(path)], args.runs
                )
                per = (peak - base) / MB / mb
                worst = max(worst, per)
                print(f"{fmt:<14} {mb:8.1f} {peak / MB:8.0f} {base / MB:8.0f} {per:9.1f}", flush=True)
                if not args.keep:
                    path.unlink()
    finally:
        if tmp is not None:
            tmp.cleanup()
    verdict = "ok" if worst <= TARGET_PER_MB else "OVER TARGET"
    print(f"worst: {worst:.1f} MB per MB of input (target {TARGET_PER_MB:.0f}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
