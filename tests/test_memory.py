"""What positions cost in memory (issue "Hostile input", defect 14).

A 30 MiB JSON policy peaked at 2.5 GB, a single-line YAML at 140 MB per MB, a YAML of a
million anchors at 2 GB. Each test lints a generated file of a megabyte or two as a user
does, in a fresh process, and bounds its peak resident memory above the same command's on a
tiny file of the format (the interpreter and iamlint's modules), per MB of input. Each
bound is about a quarter above the figure these inputs gave when it was set (JSON 12.0,
JSON on one line 17.2, YAML block 19.3, YAML flow 23.4, anchors 37.3, Terraform 9.9), so
that a return of any of the costs removed since fails it: a tree and its model held at
once, a statement built again for each alias, a report written to memory whole, a span of
five fields, a Terraform module's blocks all parsed and kept. ``benchmarks/bench_memory.py``
measures the same at larger sizes. What keeps the tree small is also checked directly by
`test_positions_are_packed_and_strings_carry_no_dict`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import iamlint_bin

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="peak RSS of one child: os.wait4 on Linux")

MB = 1024 * 1024


def peak_mb(path) -> tuple[float, dict, str]:
    """(peak RSS in MB of ``iamlint --isolated --format json path``, its report, its stderr).

    A fresh, small interpreter runs iamlint and reports its one child's peak: a child forked
    from pytest would count pytest's own memory until it execs.
    """
    code = (
        "import os, resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(p.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(p.returncode)\n"
        "print(p.stdout)\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code, *iamlint_bin(), "--isolated", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    kib, rc, report = out.stdout.split("\n", 2)
    assert int(rc) in (0, 1), out.stderr
    return int(kib) / 1024, json.loads(report), out.stderr


def per_mb(tmp_path, name: str, big: str, tiny: str) -> tuple[float, dict, str]:
    """(MB of peak memory per MB of ``big`` above ``tiny``'s, big's report, its stderr)."""
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / name).write_text(tiny)
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / name).write_text(big)
    base, _, _ = peak_mb(tmp_path / "tiny" / name)
    peak, report, err = peak_mb(tmp_path / "big" / name)
    return (peak - base) / (len(big) / MB), report, err


def statement(i: int) -> dict:
    return {
        "Sid": f"S{i}",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "kms:Decrypt"],
        "Resource": [f"arn:aws:s3:::bucket-{i}/*", f"arn:aws:kms:us-east-1:123456789012:key/{i:08d}"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{i % 17}"}},
    }


def json_policy(n: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement(i) for i in range(n)]}, indent=2)


def yaml_template(n: int, flow: bool) -> str:
    """A template of ``n`` managed policies, block style or all on one line (flow style)."""
    resources = {
        f"P{i}": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Version": "2012-10-17", "Statement": [statement(i)]}},
        }
        for i in range(n)
    }
    if flow:  # JSON is YAML flow style
        return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Resources:"]
    for name, res in resources.items():
        st = res["Properties"]["PolicyDocument"]["Statement"][0]
        lines += [
            f"  {name}:",
            "    Type: AWS::IAM::ManagedPolicy",
            "    Properties:",
            "      PolicyDocument:",
            '        Version: "2012-10-17"',
            "        Statement:",
            f"          - Sid: {st['Sid']}",
            "            Effect: Allow",
            "            Action: [s3:GetObject, kms:Decrypt]",
            "            Resource:",
            *(f'              - "{r}"' for r in st["Resource"]),
            "            Condition:",
            "              StringEquals:",
            f'                "aws:PrincipalTag/team": {st["Condition"]["StringEquals"]["aws:PrincipalTag/team"]}',
        ]
    return "\n".join(lines) + "\n"


def anchors(n: int) -> str:
    """The issue's shape: ``n`` anchored mappings, each named once by an alias."""
    names = [f"a{i}" for i in range(n)]
    return (
        'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n'
        "  Anchors: [" + ", ".join(f"&{a} {{k: v}}" for a in names) + "]\n"
        "  Uses: [" + ", ".join(f"*{a}" for a in names) + "]\n"
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        '        Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}]\n'
    )


def terraform_module(n: int) -> str:
    """``n`` policies of each kind a module writes: a heredoc, a ``jsonencode`` and an
    ``aws_iam_policy_document`` data source."""
    parts = []
    for i in range(n):
        st = statement(i)
        heredoc = json.dumps({"Version": "2012-10-17", "Statement": [st]}, indent=2)
        resources = ", ".join(f'"{r}"' for r in st["Resource"])
        parts.append(
            f'resource "aws_iam_policy" "heredoc_{i}" {{\n  name   = "heredoc-{i}"\n'
            f"  policy = <<EOF\n{heredoc}\nEOF\n}}\n\n"
            f'resource "aws_iam_policy" "encode_{i}" {{\n  name   = "encode-{i}"\n'
            "  policy = jsonencode({\n"
            '    Version = "2012-10-17"\n'
            "    Statement = [{\n"
            f'      Sid      = "E{i}"\n'
            '      Effect   = "Allow"\n'
            '      Action   = ["s3:PutObject", "kms:Encrypt"]\n'
            f"      Resource = [{resources}]\n"
            "    }]\n  })\n}\n\n"
            f'data "aws_iam_policy_document" "doc_{i}" {{\n  statement {{\n'
            f'    sid       = "D{i}"\n'
            '    actions   = ["s3:GetObject", "kms:Decrypt"]\n'
            f"    resources = [{resources}]\n"
            "    condition {\n"
            '      test     = "StringEquals"\n'
            '      variable = "aws:PrincipalTag/team"\n'
            f'      values   = ["team-{i % 17}"]\n'
            "    }\n  }\n}\n\n"
        )
    return "".join(parts)


def test_json_policy(tmp_path):
    # v0.1: 52 MB per MB; 25 with a 4-tuple per position and a __dict__ per string; now 23
    got, report, err = per_mb(tmp_path, "policy.json", json_policy(5000), json_policy(1))
    assert report["summary"]["policies"] == 1 and report["findings"] == [] and "Traceback" not in err
    assert got < 19, f"{got:.1f} MB per MB of input"


def test_json_policy_on_one_line(tmp_path):
    # every column past 256: 31 MB per MB with a span of five fields (an int object each);
    # 26 with a span of two slots that keeps its node's packed int
    one_line = json.dumps({"Version": "2012-10-17", "Statement": [statement(i) for i in range(5000)]})
    got, report, err = per_mb(tmp_path, "policy.json", one_line, json_policy(1))
    assert report["summary"]["policies"] == 1 and report["findings"] == [] and "Traceback" not in err
    assert got < 28, f"{got:.1f} MB per MB of input"


def test_cloudformation_yaml_block_style(tmp_path):
    # v0.1: 62 MB per MB; 41 with a 4-tuple per position and a __dict__ per string; now 31
    got, report, err = per_mb(tmp_path, "template.yaml", yaml_template(4000, False), yaml_template(1, False))
    assert report["summary"]["policies"] == 4000 and report["findings"] == [] and "Traceback" not in err
    assert got < 24, f"{got:.1f} MB per MB of input"


def test_cloudformation_yaml_on_one_line(tmp_path):
    # v0.1: 73 MB per MB; 52 with a 4-tuple per position and a __dict__ per string; now 40
    got, report, err = per_mb(tmp_path, "template.yaml", yaml_template(4000, True), yaml_template(1, True))
    assert report["summary"]["policies"] == 4000 and report["findings"] == [] and "Traceback" not in err
    assert got < 29, f"{got:.1f} MB per MB of input"


def test_yaml_of_many_anchors(tmp_path):
    # v0.1: 210 MB per MB (a million anchors, 22 MB: 5.1 GB); 63 with a 4-tuple per position
    # and a __dict__ per string; now 40
    got, report, err = per_mb(tmp_path, "anchors.yaml", anchors(100_000), anchors(1))
    assert report["summary"]["policies"] == 1 and "Traceback" not in err
    assert got < 46, f"{got:.1f} MB per MB of input"


def test_terraform_module(tmp_path):
    # 38 MB per MB: every block's syntax tree and every value evaluated were held until the
    # module was done; 34 when values no longer were; 15 now that each policy's tree and
    # rendering go once its document is built
    got, report, err = per_mb(tmp_path, "main.tf", terraform_module(1200), terraform_module(1))
    assert report["summary"]["policies"] == 3600 and report["findings"] == [] and "Traceback" not in err
    assert got < 18, f"{got:.1f} MB per MB of input"


def test_positions_are_packed_and_strings_carry_no_dict():
    """What keeps positions cheap: no ``__dict__`` on a string, one int for a position, and
    a position read back exactly, also for a string whose ``id`` Python has reused."""
    from iamlint.extract.terraform.text import TStr
    from iamlint.parse.cfn_yaml import YStr, load
    from iamlint.parse.json_parser import parse_json
    from iamlint.parse.nodes import PStr, pack, unpack

    root = parse_json('{"Statement": [{"Effect": "Allow", "Sid": 12}]}')
    key = root.key("Statement")
    st = root["Statement"][0]
    assert (key.pos, root.pos, st.pos, st["Effect"].pos, st["Sid"].pos) == (
        (1, 2, 1, 13),
        (1, 1, 1, 48),
        (1, 16, 1, 46),
        (1, 27, 1, 34),
        (1, 43, 1, 45),
    )
    assert not hasattr(key, "__dict__") and not hasattr(st["Effect"], "__dict__")
    doc, _ = load("a: 'x'\nb: |\n  y\nc: z\n")
    assert [(v.style, v.pos) for v in doc.values()] == [
        ("'", (1, 4, 1, 7)),
        ("|", (2, 4, 4, 1)),
        ("", (4, 4, 4, 5)),
    ]
    assert all(isinstance(v, YStr) and not hasattr(v, "__dict__") for v in doc.values())
    t = TStr("v", (3, 1, 3, 4), "main.tf")
    assert (t.file, t.pos, TStr("w", (1, 1, 1, 2), "other.tf").file, t.file) == (
        "main.tf",
        (3, 1, 3, 4),
        "other.tf",
        "main.tf",
    )
    assert not hasattr(t, "__dict__")
    # a string dies and a new one takes its id: the new one's position, never the old one's
    for i in range(2000):
        s = PStr("s", (i + 1, 1, i + 1, 4))
        assert s.pos == (i + 1, 1, i + 1, 4)
        del s
    s = PStr("t", (1, 1, 1, 2))
    s.pos = (7, 8, 9, 10)
    assert s.pos == (7, 8, 9, 10)
    # any position round-trips: huge columns (one-line files), an end before the start (a block
    # collection ended by an alias to an earlier anchor), the placeholder (0, 0, 0, 0)
    for pos in ((0, 0, 0, 0), (1, 2**31, 3, 2**32 - 1), (5, 1, 2, 9), (1, 1, 1, 2**40), (-1, 0, 0, 0)):
        assert unpack(pack(pos)) == pos
    assert isinstance(pack((100_000, 300, 100_000, 400)), int)


def test_a_span_costs_two_slots_and_the_int_its_node_packed():
    """A model keeps a `Span` for nearly every value, about 20 a statement (300,000 for a
    4 MB one-line policy), and outlives the tree: a span is the file and the position packed
    into one int, the very int the tree's node made (`iamlint.parse.nodes.packed_pos`)."""
    import gc

    from iamlint.extract import extract_file
    from iamlint.model import Span, Str

    compact = json.dumps({"Version": "2012-10-17", "Statement": [statement(i) for i in range(300)]})
    ex = extract_file("p.json", compact)
    assert len(ex.documents) == 1 and len(ex.documents[0].statements) == 300
    seen: dict[int, object] = {}
    stack: list = [ex]
    while stack:
        o = stack.pop()
        if id(o) not in seen and not isinstance(o, type):
            seen[id(o)] = o
            stack.extend(gc.get_referents(o))
    spans = [o for o in seen.values() if type(o) is Span]
    strs = [o for o in seen.values() if type(o) is Str]
    # what only spans hold: they and their ints (past 256, as every column of a one-line file)
    ints = {id(i): i for s in spans for i in gc.get_referents(s) if type(i) is int and not -6 <= i <= 256}
    per_span = (sum(map(sys.getsizeof, spans)) + sum(map(sys.getsizeof, ints.values()))) / len(spans)
    assert len(spans) + len(strs) > 15 * 300
    # a `Str` keeps its span's two parts, not a `Span` (most of its spans had no other holder):
    # 3,903 strings and 2,101 spans, where they held 6,000 spans
    assert not any(type(o) is Span for s in strs for o in gc.get_referents(s))
    assert len(strs) > 12 * 300 and len(spans) < 8 * 300, (len(strs), len(spans))
    # a frozen dataclass of five fields: 72 bytes and an int object per field past 256 (128
    # bytes on one line); two slots and the tree's packed int: 84
    assert per_span < 100, f"{per_span:.0f} bytes per span"
