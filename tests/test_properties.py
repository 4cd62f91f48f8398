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

An example is a batch of ``DOCS`` documents of its test's kind, each in a directory of its
own, linted by one Engine run in one temporary directory (a run's fixed cost, the directory,
the engine and the rendering of every format, is shared by the batch; each document is still
its own file or Terraform module). Every format renders once per batch; the byte-identical
re-run is done for one batch in four (chosen by its input), as SARIF, JUnit and GitLab, whose
rule metadata cost a constant 100 ms a report, are.

How many documents run is the hypothesis profile's (tests/conftest.py): ``max_examples`` of
the profile is the number of documents over all the tests here, shared out by ``SHARE``
(a batch of 8 is 8 documents). The default profile fits CI, with batches of 2;
``pytest tests/test_properties.py --hypothesis-profile=long`` runs 100,000 documents, in
batches of 8 (``IAMLINT_FUZZ_BATCH`` sets another size).
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
BATCH = 16  # files of a CLI batch: the engine uses worker processes from 16 units


#: documents linted by one example: a run's fixed cost is shared (a few in CI, where the
#: number of examples matters as much; 8 in a long run, where speed does)
DOCS = int(os.environ.get("IAMLINT_FUZZ_BATCH", "0")) or (8 if settings.default.max_examples > 2000 else 2)

# An example's draws are capped (hypothesis's BUFFER_SIZE, 8 K choices): a batch of 8
# templates passes it four times in five, and each such example is drawn and thrown away
# ("invalid"), which cost most of a long run. The cap grows with the batch. (hypothesis has
# no setting for it: this is its internal constant, read whenever an example is drawn.)
import hypothesis.internal.conjecture.engine as _conjecture  # noqa: E402

_conjecture.BUFFER_SIZE = max(_conjecture.BUFFER_SIZE, 8 * 1024 * DOCS)


def examples(name: str, per_example: int = DOCS) -> settings:
    total = settings.default.max_examples
    return settings(max_examples=max(2, round(total * SHARE[name] / per_example)))


def docs(strategy):
    """A batch of `DOCS` documents drawn from ``strategy``."""
    return st.lists(strategy, min_size=DOCS, max_size=DOCS)


# -- the properties ---------------------------------------------------------------------------------


def lint(*documents: dict[str, str | bytes]) -> list[list[dict]]:
    """Write each document's files to a directory of its own in one temporary directory,
    lint it with one Engine run, check every property, and return each document's findings
    from the JSON report (in the order given)."""
    with tempfile.TemporaryDirectory(prefix="iamlint-prop-") as d:
        texts = {}
        for i, files in enumerate(documents):
            os.mkdir(os.path.join(d, f"{i:02}"))
            for name, content in files.items():
                path = os.path.join(d, f"{i:02}", name)
                data = content.encode("utf-8") if isinstance(content, str) else content
                with open(path, "wb") as fh:
                    fh.write(data)
                texts[path] = data.decode("utf-8", "replace").replace("\r\n", "\n")
        cfg = Config(root=d)
        engine = Engine(REGISTRY, Resolver.fixed(REGISTRY, cfg), jobs=1)
        report = engine.run([d])
        check_report(report, texts, cfg.timeout)
        first = rendered(report, "json")
        # every format once per batch; one batch in four, chosen by its input, is run twice
        for fmt in FORMATS:
            if fmt != "json":
                rendered(report, fmt)
        report.options = {"show_source": True, "show_suppressed": True}
        rendered(report, "text")
        report.options = {"statistics": True}
        rendered(report, "text")
        if zlib.crc32(repr(sorted(texts.items())).encode("utf-8", "surrogatepass")) % 4 == 0:
            again = Engine(REGISTRY, Resolver.fixed(REGISTRY, cfg), jobs=1).run([d])
            assert rendered(again, "json") == first, "the same input gave different JSON"
        found: list[list[dict]] = [[] for _ in documents]
        for f in json.loads(first)["findings"]:
            where = os.path.relpath(os.path.abspath(f["file"]), d).split(os.sep)[0]
            if where.isdigit() and int(where) < len(documents):
                found[int(where)].append(f)
            else:  # a file outside the tree (file("/etc/passwd")): named, never read
                for each in found:
                    each.append(f)
        return found


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
@given(docs(st.tuples(gen.plain_policies.policy(), st.sampled_from([None, 1, 2]), st.booleans())))
def test_json_policies_of_every_shape(batch):
    lint(*({"policy.json": gen.to_json(policy, indent, ascii_only)} for policy, indent, ascii_only in batch))


@examples("wrapped")
@given(docs(gen.wrapped_policy()))
def test_policies_wrapped_as_json_strings(batch):
    lint(*({"cli-output.json": gen.to_json(doc, 2)} for doc in batch))


# -- CloudFormation -----------------------------------------------------------------------------------


@examples("cfn_json")
@given(docs(st.tuples(gen.cfn_template(), st.sampled_from([None, 2]))))
def test_cloudformation_json_templates(batch):
    lint(*({"template.json": gen.to_json(template, indent)} for template, indent in batch))


@examples("cfn_yaml")
@given(
    docs(
        st.tuples(
            gen.cfn_template(), st.randoms(use_true_random=False), st.one_of(st.none(), gen.suppression_text)
        )
    )
)
def test_cloudformation_yaml_templates(batch):
    lint(*({"template.yaml": gen.yaml_document(template, rng, comment)} for template, rng, comment in batch))


def embedded_template(text: str, rng: random.Random, description: str) -> str:
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
    return gen.yaml_document(template, rng, rng.choice(gen.SUPPRESSIONS))


@examples("yaml_embedded")
@given(
    docs(
        st.tuples(gen.embedded_policy(gen.cfn_policies), st.randoms(use_true_random=False), gen.comment_like)
    )
)
def test_policies_in_yaml_block_scalars_and_sub(batch):
    lint(*({"template.yaml": embedded_template(text, rng, description)} for text, rng, description in batch))


# -- Terraform ----------------------------------------------------------------------------------------


@examples("terraform")
@given(docs(gen.tf_module()))
def test_terraform_modules_with_odd_expressions(batch):
    lint(*batch)


@examples("plan")
@given(docs(st.tuples(gen.tf_plan(), st.sampled_from([None, 2]))))
def test_terraform_plan_json_of_every_shape(batch):
    lint(*({"plan.json": gen.to_json(plan, indent)} for plan, indent in batch))


# -- text that looks like a suppression, inside a string -----------------------------------------------


def lint_findings(*documents: dict[str, str]) -> list[list[tuple]]:
    """Each document's findings, as a comparison of two runs needs them (file names, not
    the temporary directory)."""
    return [
        sorted(
            (
                f["code"],
                f["file"].rsplit("/", 1)[-1],
                f["line"],
                f["column"],
                re.sub(r"\S*iamlint-prop-[^/\s)]+", "<dir>", f["message"]),  # the temporary directory
                bool(f.get("suppressed")),
            )
            for f in found
        )
        for found in lint(*documents)
    ]


@examples("string_suppression")
@given(docs(st.tuples(gen.cfn_template(), st.integers(0, 2**32), gen.comment_like)))
def test_a_suppression_in_a_string_suppresses_nothing_cloudformation(batch):
    """A template's findings are the same whatever its Description says, even
    ``Build #42 # iamlint: ignore[ALL] because``: suppressions come from comments only."""
    bodies = [
        (
            gen.yaml_document({k: v for k, v in template.items() if k != "Description"}, random.Random(seed)),
            text,
        )
        for template, seed, text in batch
    ]
    plain = lint_findings(*({"template.yaml": 'Description: "plain"\n' + body} for body, _ in bodies))
    looks = lint_findings(
        *({"template.yaml": f"Description: {gen.json_string(text)}\n" + body} for body, text in bodies)
    )
    event("has findings" if any(plain) else "no findings")
    assert looks == plain


BLOCK_HEADER = re.compile(r'\s*[A-Za-z_][\w-]*(\s+"[^"\n]*")*\s*\{\s*$')


@examples("string_suppression")
@given(docs(st.tuples(gen.tf_module(), gen.comment_like)))
def test_a_suppression_in_a_string_suppresses_nothing_terraform(batch):
    """The same for a Terraform string first in each block, where a comment would suppress
    the block's findings: ``description = "x // iamlint: ignore[ALL] because"``."""

    def with_note(files: dict[str, str], note: str) -> dict[str, str]:
        out = []
        for line in files["main.tf"].split("\n"):
            out.append(line)
            if BLOCK_HEADER.match(line):  # not an object in an expression, which messages quote
                out.append(f"  description = {note}")
        return {**files, "main.tf": "\n".join(out)}

    plain = lint_findings(*(with_note(files, '"plain"') for files, _ in batch))
    event("has findings" if any(plain) else "no findings")
    assert lint_findings(*(with_note(files, gen.hcl_string(text)) for files, text in batch)) == plain


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
