"""Property-based tests: hostile input of every format never crashes, hangs or misplaces.

The strategies (tests/policygen.py) draw models from each format's grammar and render them
as files: raw JSON policies with wrong types in every element, CloudFormation templates in
JSON and YAML with intrinsics of every shape in every position, Terraform modules with odd
expressions, plan JSON of the wrong shape, policies wrapped as strings, and suppression
comments in comments and in strings. Each example is written to a temporary directory and
linted by the Engine, as a run of iamlint would, under iamlint's own time budget.

Properties of every example: no exception, no IAM903 (internal-error), no file that runs
over the time budget (a hang), every finding's span inside its file and in order, the same
input gives byte-identical JSON, and every output format renders. A sample of batches goes
through the command line: exit code at most 2, no traceback, -j1 and -j2 agree.

How many examples run is the hypothesis profile's (tests/conftest.py): ``max_examples`` of
the profile is the number of documents over all the tests here, shared out by ``SHARE``.
The default profile fits CI; ``pytest tests/test_properties.py --hypothesis-profile=long``
runs 100,000 documents.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import tempfile
import zlib

import pytest

hypothesis = pytest.importorskip("hypothesis")

import policygen as gen  # noqa: E402
from conftest import iamlint_bin  # noqa: E402
from hypothesis import event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from iamlint.config import Config, Resolver  # noqa: E402
from iamlint.diagnostics import INTERNAL_ERROR  # noqa: E402
from iamlint.engine import Engine  # noqa: E402
from iamlint.reporters import FORMATS, render  # noqa: E402
from iamlint.ruleset import default_registry  # noqa: E402

REGISTRY = default_registry()

#: each test's share of the profile's documents (the CLI batches count each file)
SHARE = {
    "json_policy": 0.17,
    "wrapped": 0.05,
    "cfn_json": 0.15,
    "cfn_yaml": 0.20,
    "terraform": 0.18,
    "plan": 0.12,
    "yaml_embedded": 0.05,
    "string_suppression": 0.04,
    "cli_batch": 0.01,
}
HEAVY = ("sarif", "junit", "gitlab")
BATCH = 16  # files of a CLI batch: the engine uses worker processes from 16 units


def examples(name: str, per_example: int = 1) -> settings:
    total = settings.default.max_examples
    return settings(max_examples=max(2, round(total * SHARE[name] / per_example)))


# -- the properties ---------------------------------------------------------------------------------


def lint(files: dict[str, str | bytes]):
    """Write files to a temporary directory, lint it with the Engine (twice), check every
    property, and return the JSON report."""
    with tempfile.TemporaryDirectory(prefix="iamlint-prop-") as d:
        texts = {}
        for name, content in files.items():
            path = os.path.join(d, name)
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(path, "wb") as fh:
                fh.write(data)
            texts[path] = data.decode("utf-8", "replace").replace("\r\n", "\n")
        cfg = Config(root=d)
        engine = Engine(REGISTRY, Resolver.fixed(REGISTRY, cfg), jobs=1)
        report = engine.run([d])
        check_report(report, texts, cfg.timeout)
        first = rendered(report, "json")
        # SARIF, JUnit and GitLab cost a constant 100 ms of rule metadata a report, and a
        # second run as much as the first: one example in four, chosen by its input, does both
        every = zlib.crc32(repr(sorted(texts.items())).encode("utf-8", "surrogatepass")) % 4 == 0
        for fmt in FORMATS:
            if every or fmt not in HEAVY:
                rendered(report, fmt)
        report.options = {"show_source": True, "show_suppressed": True}
        rendered(report, "text")
        if every:
            report.options = {"statistics": True}
            rendered(report, "text")
        if every:
            again = Engine(REGISTRY, Resolver.fixed(REGISTRY, cfg), jobs=1).run([d])
            assert rendered(again, "json") == first, "the same input gave different JSON"
        return json.loads(first)


def rendered(report, fmt: str) -> str:
    out = io.StringIO()
    render(fmt, report, out)
    text = out.getvalue()
    text.encode("utf-8")  # whatever a finding holds, the report can be written as UTF-8
    return text


def check_report(report, texts: dict[str, str], budget: float) -> None:
    for fr in report.files:
        assert [f.sort_key() for f in fr.findings] == sorted(f.sort_key() for f in fr.findings), fr.path
        for f in fr.findings:
            assert f.code != INTERNAL_ERROR.code, f"{f.span}: {f.message}"
            assert "took longer than" not in f.message, f"{f.span}: {f.message} (a hang)"
            check_span(f, texts)


def check_span(f, texts: dict[str, str]) -> None:
    s = f.span
    where = f"{f.code} {s.file}:{s.line}:{s.column}-{s.end_line}:{s.end_column} {f.message!r}"
    assert s.line >= 1 and s.column >= 1, where
    assert (s.end_line, s.end_column) >= (s.line, s.column), where
    text = texts.get(s.file)
    if text is None:  # a file outside the tree (file("/etc/passwd")): named, never read
        return
    lines = text.split("\n")
    assert s.end_line <= len(lines), where
    assert s.column <= len(lines[s.line - 1]) + 1, where
    # an empty span at the end of a line may end one past it (a parse error at the end)
    assert s.end_column <= len(lines[s.end_line - 1]) + 2, where


# -- raw JSON policies ------------------------------------------------------------------------------


@examples("json_policy")
@given(gen.plain_policies.policy(), st.sampled_from([None, 1, 2]), st.booleans())
def test_json_policies_of_every_shape(policy, indent, ascii_only):
    lint({"policy.json": gen.to_json(policy, indent, ascii_only)})


@examples("wrapped")
@given(gen.wrapped_policy())
def test_policies_wrapped_as_json_strings(doc):
    lint({"cli-output.json": gen.to_json(doc, 2)})


# -- CloudFormation -----------------------------------------------------------------------------------


@examples("cfn_json")
@given(gen.cfn_template(), st.sampled_from([None, 2]))
def test_cloudformation_json_templates(template, indent):
    lint({"template.json": gen.to_json(template, indent)})


@examples("cfn_yaml")
@given(gen.cfn_template(), st.randoms(use_true_random=False), st.one_of(st.none(), gen.suppression_text))
def test_cloudformation_yaml_templates(template, rng, comment):
    lint({"template.yaml": gen.yaml_document(template, rng, comment)})


@examples("yaml_embedded")
@given(gen.embedded_policy(gen.cfn_policies), st.randoms(use_true_random=False), gen.comment_like)
def test_policies_in_yaml_block_scalars_and_sub(text, rng, description):
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": description,
        "Resources": {
            "P": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "Description": gen.Block(description + "\n# " + description),
                    "PolicyDocument": rng.choice(
                        [gen.Block(text), gen.Tag("Fn::Sub", gen.Block(text)), text]
                    ),
                },
            }
        },
    }
    lint({"template.yaml": gen.yaml_document(template, rng, rng.choice(gen.SUPPRESSIONS))})


# -- Terraform ----------------------------------------------------------------------------------------


@examples("terraform")
@given(gen.tf_module())
def test_terraform_modules_with_odd_expressions(files):
    lint(files)


@examples("plan")
@given(gen.tf_plan(), st.sampled_from([None, 2]))
def test_terraform_plan_json_of_every_shape(plan, indent):
    lint({"plan.json": gen.to_json(plan, indent)})


# -- text that looks like a suppression, inside a string -----------------------------------------------


def lint_findings(files: dict[str, str]) -> list[tuple]:
    report = lint(files)
    return sorted(
        (
            f["code"],
            f["file"].rsplit("/", 1)[-1],
            f["line"],
            f["column"],
            re.sub(r"\S*iamlint-prop-[^/\s)]+", "<dir>", f["message"]),  # the temporary directory
            bool(f.get("suppressed")),
        )
        for f in report["findings"]
    )


@examples("string_suppression")
@given(gen.cfn_template(), st.integers(0, 2**32), gen.comment_like)
def test_a_suppression_in_a_string_suppresses_nothing_cloudformation(template, seed, text):
    """A template's findings are the same whatever its Description says, even
    ``Build #42 # iamlint: ignore[ALL] because``: suppressions come from comments only."""
    body = gen.yaml_document({k: v for k, v in template.items() if k != "Description"}, random.Random(seed))
    plain = lint_findings({"template.yaml": 'Description: "plain"\n' + body})
    looks = lint_findings({"template.yaml": f"Description: {gen.json_string(text)}\n" + body})
    event("has findings" if plain else "no findings")
    assert looks == plain


BLOCK_HEADER = re.compile(r'\s*[A-Za-z_][\w-]*(\s+"[^"\n]*")*\s*\{\s*$')


@examples("string_suppression")
@given(gen.tf_module(), gen.comment_like)
def test_a_suppression_in_a_string_suppresses_nothing_terraform(files, text):
    """The same for a Terraform string first in each block, where a comment would suppress
    the block's findings: ``description = "x // iamlint: ignore[ALL] because"``."""

    def with_note(note: str) -> str:
        out = []
        for line in files["main.tf"].split("\n"):
            out.append(line)
            if BLOCK_HEADER.match(line):  # not an object in an expression, which messages quote
                out.append(f"  description = {note}")
        return "\n".join(out)

    plain = lint_findings({**files, "main.tf": with_note('"plain"')})
    event("has findings" if plain else "no findings")
    assert lint_findings({**files, "main.tf": with_note(gen.hcl_string(text))}) == plain


# -- through the command line -------------------------------------------------------------------------

any_file = st.one_of(
    gen.plain_policies.policy().map(lambda p: ("policy.json", gen.to_json(p, 2))),
    gen.cfn_template().map(lambda t: ("template.json", gen.to_json(t))),
    st.tuples(gen.cfn_template(), st.randoms(use_true_random=False)).map(
        lambda a: ("template.yaml", gen.yaml_document(a[0], a[1], random.Random(0).choice(gen.SUPPRESSIONS)))
    ),
    gen.tf_plan().map(lambda p: ("plan.json", gen.to_json(p))),
    gen.tf_module().map(lambda m: ("main.tf", m["main.tf"])),
)


@examples("cli_batch", per_example=BATCH)
@given(st.lists(any_file, min_size=BATCH, max_size=BATCH))
def test_a_batch_through_the_command_line(batch):
    """Exit code at most 2, no traceback, and -j1 and -j2 give the same report."""
    with tempfile.TemporaryDirectory(prefix="iamlint-prop-") as d:
        for i, (name, text) in enumerate(batch):
            os.mkdir(os.path.join(d, f"{i:02}"))
            with open(os.path.join(d, f"{i:02}", name), "w", encoding="utf-8") as fh:
                fh.write(text)
        outputs = []
        for jobs in ("1", "2"):
            proc = subprocess.run(
                [*iamlint_bin(), "--isolated", "--format", "json", "-j", jobs, "."],
                cwd=d,
                capture_output=True,
                text=True,
                timeout=300,
                env={**os.environ, "NO_COLOR": "1"},
            )
            assert proc.returncode in (0, 1, 2), proc.stderr
            assert "Traceback" not in proc.stderr, proc.stderr
            codes = {f["code"] for f in json.loads(proc.stdout)["findings"]}
            assert INTERNAL_ERROR.code not in codes, proc.stdout
            outputs.append(proc.stdout)
        assert outputs[0] == outputs[1], "-j1 and -j2 disagree"
