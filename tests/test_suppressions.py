"""Suppressions in every format, with reasons, expiry, and reports of unused or malformed ones."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import without_ends

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      ReportsPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              {comment_above}
              - Effect: Allow
                Action: s3:*{trailing}
                Resource: "*"
    """
)


def lint(run_cli, tmp_path, name, content, *flags):
    p = tmp_path / name
    p.write_text(content)
    proc = run_cli("-f", "json", *flags, p.name, cwd=tmp_path)
    doc = json.loads(proc.stdout)
    return proc, [(f["code"], f["line"], f["column"]) for f in doc["findings"]], doc


def template(above="", trailing=""):
    return TEMPLATE.format(comment_above=above or "# no suppression here", trailing=trailing)


def test_comment_on_the_line_above_covers_the_statement(run_cli, tmp_path):
    _, found, _ = lint(run_cli, tmp_path, "t.yaml", template())
    assert found == [("IAM101", 11, 21), ("IAM102", 12, 23)]
    proc, found, _ = lint(
        run_cli,
        tmp_path,
        "t.yaml",
        template(above="# iamlint: ignore[IAM101,IAM102] reporting job, reviewed 2026-11"),
    )
    assert found == [] and proc.returncode == 0


def test_trailing_comment_covers_its_line_and_statement(run_cli, tmp_path):
    _, found, _ = lint(
        run_cli, tmp_path, "t.yaml", template(trailing="  # iamlint: ignore[IAM101] bucket is throwaway")
    )
    assert found == [("IAM102", 12, 23)]


def test_prefix_codes(run_cli, tmp_path):
    _, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM1] sandbox account"))
    assert found == []


def test_expired_suppression_brings_the_finding_back_with_a_note(run_cli, tmp_path):
    proc, found, doc = lint(
        run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101] until=2020-01-31 migration")
    )
    assert found == [("IAM101", 11, 21), ("IAM102", 12, 23)]
    assert "suppression expired on 2020-01-31: migration" in doc["findings"][0]["message"]
    _, found, _ = lint(
        run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101] until=2999-12-31 migration")
    )
    assert found == [("IAM102", 12, 23)]


def test_unused_suppression_is_reported(run_cli, tmp_path):
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM402] not public"))
    assert found == [("IAM901", 9, 11), ("IAM101", 11, 21), ("IAM102", 12, 23)]


@pytest.mark.parametrize(
    "comment, message",
    [
        ("# iamlint: ignore IAM101", "write the codes to ignore in brackets"),
        ("# iamlint: ignore[] reason", "no rule code between the brackets"),
        ("# iamlint: ignore[IAM777] reason", "'IAM777' is not a rule code or prefix"),
        ("# iamlint: ignore[IAM101]", "needs a reason"),
        ("# iamlint: ignore[IAM900] it is fine", "cannot be suppressed"),
        ("# iamlint: ignore[IAM101] until=soon migration", "until=soon is not a date"),
        ("# iamlint: skip[IAM101] reason", "unknown iamlint directive 'skip'"),
    ],
)
def test_malformed_suppressions_are_input_errors(run_cli, tmp_path, comment, message):
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", template(above=comment))
    assert proc.returncode == 2
    bad = [f for f in doc["findings"] if f["code"] == "IAM904"]
    assert len(bad) == 1 and message in bad[0]["message"] and bad[0]["line"] == 9
    assert ("IAM101", 11, 21) in found  # the malformed suppression is not applied


def test_reason_can_be_made_optional(run_cli, tmp_path):
    (tmp_path / ".iamlint.toml").write_text("require-reason = false\n")
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", template(above="# iamlint: ignore[IAM101,IAM102]"))
    assert found == [] and proc.returncode == 0


def test_hcl_comments_both_styles(run_cli, tmp_path):
    tf = textwrap.dedent(
        """\
        data "aws_iam_policy_document" "deploy" {
          statement {
            # iamlint: ignore[IAM101] deploy role manages the whole stack
            actions   = ["cloudformation:*"]
            resources = ["arn:aws:cloudformation:eu-west-1:123456789012:stack/web/*"]
          }
          statement {
            actions   = ["s3:*"] // iamlint: ignore[IAM101] artifacts bucket only
            resources = ["arn:aws:s3:::acme-artifacts/*"]
          }
          statement {
            actions   = ["sqs:*"]
            resources = ["arn:aws:sqs:eu-west-1:123456789012:deploys"]
          }
        }
        """
    )
    (tmp_path / "mod").mkdir()
    proc, found, _ = lint(run_cli, tmp_path / "mod", "main.tf", tf)
    assert found == [("IAM101", 12, 18)]


def test_cloudformation_metadata_covers_the_resource(run_cli, tmp_path):
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"iamlint": {"ignore": [{"rule": "IAM101", "reason": "break-glass policy"}]}},
                "Properties": {
                    "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                },
            },
            "Other": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::x"}]
                    }
                },
            },
        },
    }
    text = json.dumps(doc, indent=2)
    proc, found, report = lint(run_cli, tmp_path, "stack.template.json", text)
    assert [(c, f["owner"]) for (c, *_), f in zip(found, report["findings"], strict=False)] == [
        ("IAM401", "Admin"),  # the metadata names IAM101 only
        ("IAM102", "Admin"),
        ("IAM101", "Other"),
    ]
    assert proc.returncode == 1


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"iamlint": {"ignore": [{"rule": "IAM101"}]}}, "each ignore entry needs a reason"),
        ({"iamlint": {"ignore": [{"reason": "x"}]}}, "each ignore entry needs a rule"),
        ({"iamlint": {"ignore": [{"rule": "IAM777", "reason": "x"}]}}, "'IAM777' is not a rule code"),
        ({"iamlint": {"ignore": [{"rule": "IAM101", "reason": "x", "until": "soon"}]}}, "is not a date"),
        ({"iamlint": "IAM101"}, "must be {ignore: [{rule: CODE, reason: ...}]}"),
    ],
)
def test_malformed_metadata_suppressions(run_cli, tmp_path, metadata, message):
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Admin": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": metadata,
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x/*"}]
                    }
                },
            }
        },
    }
    proc, found, report = lint(run_cli, tmp_path, "stack.json", json.dumps(doc, indent=2))
    assert proc.returncode == 2
    bad = [f for f in report["findings"] if f["code"] == "IAM904"]
    assert len(bad) == 1 and message in bad[0]["message"]
    assert "IAM101" in [f["code"] for f in report["findings"]]


def test_unused_metadata_suppression(run_cli, tmp_path):
    doc = {
        "Resources": {
            "Reader": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"iamlint": {"ignore": [{"rule": "IAM101", "reason": "was broad once"}]}},
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
                        ]
                    }
                },
            }
        },
    }
    proc, found, _ = lint(run_cli, tmp_path, "stack.json", json.dumps(doc, indent=2))
    assert found == [("IAM901", 8, 13)]


def test_config_entries_match_file_code_and_action(run_cli, tmp_path):
    (tmp_path / "policies").mkdir()
    src = Path(__file__).resolve().parent / "fixtures" / "IAM101-wildcard-action" / "fail.json"
    (tmp_path / "policies" / "deploy.json").write_text(src.read_text())
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [[tool.iamlint.suppress]]
            files = "policies/*.json"
            rules = ["IAM101"]
            actions = ["s3:*"]
            reason = "artifacts bucket, reviewed by security"

            [[tool.iamlint.suppress]]
            files = "legacy/**"
            rules = ["IAM102"]
            reason = "no longer deployed"
            """
        )
    )
    proc = run_cli("-f", "concise", ".", cwd=tmp_path)  # the whole repository: every entry is judged
    assert proc.stdout.splitlines() == [
        'policies/deploy.json:20:17-20.20: error: IAM101 Allow statement grants every action ("*")',
        "pyproject.toml:7:1-7.2: warning: IAM901 suppression of IAM102 matches no finding; remove it",
    ]
    assert proc.stderr == ""
    # legacy/ is not in a run of policies/: its entry is not judged
    proc = run_cli("-f", "concise", "policies", cwd=tmp_path)
    assert without_ends(proc.stdout).splitlines() == [
        'policies/deploy.json:20:17: IAM101 Allow statement grants every action ("*")',
    ]


def test_show_suppressed_lists_what_and_why(run_cli, tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text(template(above="# iamlint: ignore[IAM101,IAM102] reporting job, reviewed"))
    proc = run_cli("--show-suppressed", "t.yaml", cwd=tmp_path)
    assert "t.yaml:11:21: IAM101" in without_ends(proc.stdout)
    assert "reporting job, reviewed (comment at t.yaml:9)" in without_ends(proc.stdout)
    assert "2 suppressed" in without_ends(proc.stdout)


def test_a_suppression_never_hides_a_parse_error(run_cli, tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text('AWSTemplateFormatVersion: "2010-09-09"\n# iamlint: ignore[IAM1] x\nResources: [\n')
    proc = run_cli("-f", "concise", "t.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "IAM900" in proc.stdout


# -- only real comments are suppressions: text inside strings is not ----------------------------
# (hostile input, defect 10: ``# iamlint:`` inside a string was read as a comment)
STRING_IN_STATEMENT = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReportsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
            Condition:
              StringEquals:
{condition}
"""
FINDINGS = [("IAM101", 10, 21), ("IAM102", 11, 23)]
DIRECTIVE = "# iamlint: ignore[ALL] x"


def condition(*lines: str) -> str:
    return STRING_IN_STATEMENT.format(condition="\n".join(" " * 16 + ln for ln in lines))


#: YAML strings holding ``# iamlint: ignore[ALL] x`` (or, for plain scalars, what the old reader
#: took for a comment) inside the statement: none of them is a comment
YAML_STRINGS = {
    # plain scalars end at a '#' after a blank; YAML has no '//' comments
    "plain": ["aws:username: build#42#iamlint:ignore[ALL]", "aws:userid: build // iamlint:ignore[ALL] x"],
    "plain-multi-line": ["aws:username: first line", "  // iamlint:ignore[ALL] x"],
    "single-quoted": [f"aws:username: '{DIRECTIVE}'"],
    "double-quoted": [f'aws:username: "a {DIRECTIVE}"'],
    "single-quoted-multi-line": ["aws:username: 'first line", f"  {DIRECTIVE}'"],
    "double-quoted-multi-line": ['aws:username: "first line', f"  {DIRECTIVE}", '  last line"'],
    "literal-block": ["aws:username: |", "  a", f"  {DIRECTIVE}"],
    "folded-block": ["aws:username: >-", f"  {DIRECTIVE}", "  b"],
    "block-with-indentation-indicator": ["aws:username: |2", f"   {DIRECTIVE}"],
    "flow-sequence": [f"aws:username: [a, \"b {DIRECTIVE}\", 'c {DIRECTIVE}']"],
    "flow-sequence-multi-line": ["aws:username: [a,", f'  "b {DIRECTIVE}"]'],
    "keys": [f'"aws:PrincipalTag/a {DIRECTIVE}": b', f"? 'aws:PrincipalTag/b {DIRECTIVE}'", ": c"],
    "tagged": [f'aws:username: !Sub "${{AWS::AccountId}} {DIRECTIVE}"'],
    "anchor-and-alias": ["aws:username: &name |", f"  {DIRECTIVE}", "aws:userid: *name"],
}
#: real comments beside strings: each suppresses both findings
YAML_COMMENTS = {
    "line": [DIRECTIVE, "aws:username: a"],
    "trailing": [f"aws:username: a {DIRECTIVE}"],
    "after-a-string": [f'aws:username: "a" {DIRECTIVE}'],
    "block-header": [f"aws:username: | {DIRECTIVE}", "  a"],
    "after-a-block": ["aws:username: |", "  a", DIRECTIVE[:-1] + "after the block scalar"],
    "in-flow": ["aws:username: [a,", f"  b] {DIRECTIVE}"],
    "after-a-tag": [f"aws:username: !Sub {DIRECTIVE}", '  "a"'],
}


def lint_cases(run_cli, tmp_path, cases: dict[str, str], name: str = "{}.yaml"):
    """Lint every case in one run (a file each, or a folder each for ``{}/main.tf``); return
    the run, each case's (code, line, column) findings and the report."""
    files = {}
    for case, text in cases.items():
        path = tmp_path / name.format(case)
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        files[str(path.relative_to(tmp_path))] = case
    proc = run_cli("-f", "json", *sorted({p.split("/")[0] for p in files}), cwd=tmp_path)
    doc = json.loads(proc.stdout)
    found: dict[str, list] = {case: [] for case in cases}
    for f in doc["findings"]:
        found[files[f["file"]]].append((f["code"], f["line"], f["column"]))
    return proc, found, doc


def test_yaml_strings_are_not_comments(run_cli, tmp_path):
    cases = {case: condition(*lines) for case, lines in YAML_STRINGS.items()}
    proc, found, _ = lint_cases(run_cli, tmp_path, cases)
    assert found == {case: FINDINGS for case in cases}
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_yaml_comments_next_to_strings_still_count(run_cli, tmp_path):
    cases = {case: condition(*lines) for case, lines in YAML_COMMENTS.items()}
    proc, found, doc = lint_cases(run_cli, tmp_path, cases)
    assert found == {case: [] for case in cases}
    assert (proc.returncode, doc["summary"]["suppressed"]) == (0, 2 * len(cases))


def test_yaml_comments_from_the_composed_graph_are_the_scanners():
    """The CloudFormation reader finds comments on the graph it composes anyway (cheap);
    PyYAML's token scanner, used when the text does not compose, is the reference."""
    import yaml

    from iamlint.parse.yaml_comments import comments

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    texts = [condition(*lines) for lines in [*YAML_STRINGS.values(), *YAML_COMMENTS.values()]]
    for text in texts:
        assert comments(text, yaml.compose(text, Loader=loader)) == comments(text), text
    assert comments(condition(*YAML_STRINGS["keys"])) == []
    text = condition(*YAML_COMMENTS["block-header"], *YAML_COMMENTS["after-a-tag"], "x: 1 #", "#!")
    assert comments(text) == [(14, 33, DIRECTIVE), (16, 36, DIRECTIVE), (18, 22, "#"), (19, 17, "#!")]
    assert comments(text, containing="ignore") == [(14, 33, DIRECTIVE), (16, 36, DIRECTIVE)]
    bom = "\ufeffa: 'b # no' # yes\n"  # libyaml does not count a BOM in its marks
    assert comments(bom) == comments(bom, yaml.compose(bom, Loader=loader)) == [(1, 14, "# yes")]


VALID_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Description: "Build #42 # iamlint: see the wiki"
Resources:
  Reader:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:GetObject
            Resource: arn:aws:s3:::acme-reports/*
"""


def test_a_string_that_mentions_iamlint_is_not_a_malformed_suppression(run_cli, tmp_path):
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", VALID_TEMPLATE)
    assert (found, proc.returncode, proc.stderr) == ([], 0, "")


def test_a_real_comment_that_looks_like_a_directive_is_malformed(run_cli, tmp_path):
    text = VALID_TEMPLATE.replace("Resources:", "Resources:  # iamlint: see the wiki")
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", text)
    assert (found, proc.returncode) == ([("IAM904", 3, 13)], 2)
    assert (
        doc["findings"][0]["message"]
        == "unknown iamlint directive 'see'; write 'iamlint: ignore[CODE] reason' "
        "or 'iamlint: ignore-file[CODE] reason'"
    )


def test_a_comment_that_only_mentions_iamlint_is_no_directive(run_cli, tmp_path):
    text = VALID_TEMPLATE.replace("Resources:", "Resources:  # iamlint is great, see iamlint: the docs")
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", text)
    assert (found, proc.returncode) == ([], 0)


def test_broken_yaml_keeps_its_parse_error_and_the_comments_before_it(run_cli, tmp_path):
    text = (
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "# iamlint: ignore[IAM1] reviewed\n"
        'Description: "never closed # iamlint: see the wiki\n'
        "Resources: {}\n"
    )
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", text)
    assert (found, proc.returncode) == ([("IAM901", 2, 1), ("IAM900", 5, 1)], 2)
    assert "found unexpected end of stream" in doc["findings"][1]["message"]
    assert "Traceback" not in proc.stderr


def test_yaml_too_deep_to_read_keeps_its_parse_error(run_cli, tmp_path):
    text = (
        'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n# iamlint: see\nDeep: '
        + "[" * 300
        + "]" * 300
    )
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", text + "\n")
    assert (found, proc.returncode) == ([("IAM904", 3, 1), ("IAM900", 4, 207)], 2)
    assert "nesting deeper than 200 levels" in doc["findings"][1]["message"]
    assert "Traceback" not in proc.stderr


def test_json_templates_have_no_comments(run_cli, tmp_path):
    statement = {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::acme-reports/*",
        "Condition": {"StringEquals": {"aws:username": "x # iamlint: ignore[ALL] x"}},
    }
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Build #42 # iamlint: see the wiki",
        "Resources": {
            "Reports": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": {"Statement": [statement]}},
            }
        },
    }
    proc, found, _ = lint(run_cli, tmp_path, "stack.template", json.dumps(doc, indent=2))
    assert (found, proc.returncode) == ([("IAM101", 12, 25)], 1)


HCL_STATEMENT = """\
data "aws_iam_policy_document" "deploy" {{
  statement {{
    actions   = ["s3:*"]
    resources = ["arn:aws:s3:::acme-artifacts/*"]
    condition {{
      test     = "StringLike"
      variable = "aws:username"
      values   = [{values}]
    }}
  }}
}}
"""


def lint_tf(run_cli, tmp_path, text, *flags):
    (tmp_path / "mod").mkdir(exist_ok=True)
    return lint(run_cli, tmp_path / "mod", "main.tf", text, *flags)


#: HCL strings holding suppression-like text inside the statement: none of them is a comment
HCL_STRINGS = {
    "double-slash": '"x // iamlint: ignore[ALL] because"',
    "hash-and-block": '"x # iamlint: ignore[ALL] because", "y /* iamlint: ignore[ALL] because */"',
    "escaped-quote": '"x \\" # iamlint: ignore[ALL] because"',
    "heredoc": "<<EOF\n# iamlint: ignore[ALL] because\n// iamlint: ignore[ALL] because\nEOF\n",
    "indented-heredoc": (
        "<<-EOT\n        /* iamlint: ignore[ALL] because */\n        # iamlint: ignore[ALL] because\n      EOT\n"
    ),
    "interpolation": '"${replace("a # iamlint: ignore[ALL] because", "a", "b")}"',
    "nested-braces-and-directives": (
        '"${"}"} // iamlint: ignore[ALL] because", "%{ if true }# iamlint: ignore[ALL] x%{ endif }"'
    ),
}


def test_hcl_strings_are_not_comments(run_cli, tmp_path):
    cases = {case: HCL_STATEMENT.format(values=values) for case, values in HCL_STRINGS.items()}
    proc, found, _ = lint_cases(run_cli, tmp_path, cases, "{}/main.tf")
    assert found == {case: [("IAM101", 3, 18)] for case in cases}
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_hcl_description_does_not_suppress_the_statement(run_cli, tmp_path):
    tf = textwrap.dedent(
        """\
        resource "aws_iam_policy" "deploy" {
          description = "x // iamlint: ignore[ALL] because"
          policy = jsonencode({
            Statement = [{
              Effect   = "Allow"
              Action   = "s3:*"
              Resource = "arn:aws:s3:::acme-artifacts/*"
              Sid      = "Artifacts # iamlint: ignore[ALL] because"
            }]
          })
        }
        """
    )
    proc, found, _ = lint_tf(run_cli, tmp_path, tf)
    assert (found, proc.returncode) == ([("IAM101", 6, 18)], 1)


def test_hcl_block_comments_count_also_over_several_lines(run_cli, tmp_path):
    tf = textwrap.dedent(
        """\
        data "aws_iam_policy_document" "deploy" {
          /* iamlint: ignore[IAM101] artifacts
             bucket only */
          statement {
            actions   = ["s3:*"]
            resources = ["arn:aws:s3:::acme-artifacts/*"]
          }
          statement {
            actions   = ["sqs:*"] /* iamlint: ignore[IAM101] the deploy queue */
            resources = ["arn:aws:sqs:eu-west-1:123456789012:deploys"]
          }
          statement {
            /* iamlint: see the wiki */
            actions   = ["sns:*"]
            resources = ["arn:aws:sns:eu-west-1:123456789012:deploys"]
          }
        }
        """
    )
    proc, found, doc = lint_tf(run_cli, tmp_path, tf)
    assert (found, proc.returncode) == ([("IAM904", 13, 5), ("IAM101", 14, 18)], 2)
    assert (doc["findings"][0]["end_line"], doc["findings"][0]["end_column"]) == (13, 32)
    proc = run_cli("--show-suppressed", "main.tf", cwd=tmp_path / "mod")
    reasons = [ln.strip() for ln in proc.stdout.splitlines() if ln.strip().startswith("because:")]
    assert reasons == [
        "because: artifacts bucket only (comment at main.tf:2)",
        "because: the deploy queue (comment at main.tf:9)",
    ]


def test_hcl_syntax_error_keeps_its_parse_error(run_cli, tmp_path):
    tf = 'resource "aws_iam_policy" "p" {\n  description = "x // iamlint: see the wiki\n  policy = "{}"\n}\n'
    proc, found, doc = lint_tf(run_cli, tmp_path, tf)
    assert (found, proc.returncode) == ([("IAM900", 2, 17)], 2)
    assert doc["findings"][0]["message"].startswith("string is not terminated")
    assert "Traceback" not in proc.stderr


# -- issue 15: suppressions judged only where they could have been used ---------------------------
LEGACY_CONFIG = """\
[tool.iamlint]
ignore = ["IAM303"]

[[tool.iamlint.suppress]]
files = "legacy/*.json"
rules = ["IAM101"]
reason = "the legacy deployer, retired in 2027"
"""
ADMIN = Path(__file__).resolve().parent / "fixtures" / "IAM101-wildcard-action" / "fail.json"
CLEAN = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket",'
    ' "Resource": "arn:aws:s3:::acme-logs"}]}\n'
)


@pytest.fixture
def legacy_repo(tmp_path):
    """A repository whose configuration suppresses IAM101 in legacy/*.json, which holds one."""
    (tmp_path / "pyproject.toml").write_text(LEGACY_CONFIG)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "deployer.json").write_text(ADMIN.read_text())
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "clean.json").write_text(CLEAN)
    return tmp_path


def test_a_config_entry_for_files_not_in_the_run_is_not_unused(run_cli, legacy_repo):
    """Issue 15, item 1: linting one other file, a directory without the entry's files, or an
    editor's buffer does not report the entry: its files were not in the run."""
    for args, kwargs in (
        (("policies/clean.json",), {}),
        (("policies",), {}),
        (("--stdin-filename", "policies/clean.json", "-"), {"input": CLEAN}),
        (("--stdin-filename", "clean.json", "-"), {"input": CLEAN}),
    ):
        proc = run_cli("-f", "concise", *args, cwd=legacy_repo, **kwargs)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), args


def test_a_config_entry_is_judged_when_the_run_holds_all_its_files(run_cli, legacy_repo):
    # the whole repository, or the entry's folder: the entry suppressed the finding (used)
    for path in (".", "legacy"):
        proc = run_cli("-f", "concise", path, cwd=legacy_repo)
        assert (proc.returncode, proc.stdout) == (0, ""), path
    # fixed: the entry matches nothing any more, in a run that holds every file it can match
    (legacy_repo / "legacy" / "deployer.json").write_text(CLEAN)
    unused = "pyproject.toml:4:1: IAM901 suppression of IAM101 matches no finding; remove it\n"
    for path in (".", "legacy"):
        proc = run_cli("-f", "concise", path, cwd=legacy_repo)
        assert (proc.returncode, without_ends(proc.stdout)) == (1, unused), path
    # one file of legacy/ is not all of legacy/*.json: not judged
    proc = run_cli("-f", "concise", "legacy/deployer.json", cwd=legacy_repo)
    assert (proc.returncode, proc.stdout) == (0, "")


def test_a_config_entry_for_one_file_is_judged_when_that_file_is_linted(run_cli, legacy_repo):
    (legacy_repo / "pyproject.toml").write_text(
        LEGACY_CONFIG.replace('files = "legacy/*.json"', 'files = "legacy/deployer.json"')
    )
    (legacy_repo / "legacy" / "deployer.json").write_text(CLEAN)
    proc = run_cli("-f", "concise", "legacy/deployer.json", cwd=legacy_repo)
    assert proc.returncode == 1
    assert without_ends(proc.stdout).endswith(
        "pyproject.toml:4:1: IAM901 suppression of IAM101 matches no finding; remove it\n"
    )


UNUSED_COMMENT = template(above="# iamlint: ignore[IAM101] the reporting job, reviewed")


@pytest.mark.parametrize(
    "flags",
    [
        ["--select", "IAM102,IAM9"],
        ["--ignore", "IAM101"],
        ["--ignore", "IAM1", "--extend-select", "IAM102"],
        ["--per-file-ignores", "t.yaml:IAM101"],
    ],
    ids=["select", "ignore", "ignore-prefix", "per-file-ignores"],
)
def test_suppressions_of_rules_that_are_off_are_not_unused(run_cli, tmp_path, flags):
    """Issue 15, item 2: as ruff's unused-noqa check, IAM901 skips rules that do not run."""
    text = UNUSED_COMMENT.replace("Action: s3:*", "Action: s3:GetObject")
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", text, *flags)
    assert (found, proc.returncode) == ([("IAM102", 12, 23)], 1)
    # the same suppression while IAM101 runs is unused
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", text)
    assert found == [("IAM901", 9, 11), ("IAM102", 12, 23)]


def test_metadata_and_config_suppressions_of_rules_that_are_off_are_not_unused(run_cli, tmp_path):
    doc = {
        "Resources": {
            "Reader": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Metadata": {"iamlint": {"ignore": [{"rule": "IAM101", "reason": "was broad once"}]}},
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
                        ]
                    }
                },
            }
        },
    }
    (tmp_path / "stack.json").write_text(json.dumps(doc, indent=2))
    (tmp_path / "policy.json").write_text(CLEAN)
    (tmp_path / ".iamlint.toml").write_text(
        '[[suppress]]\nfiles = "*.json"\nrules = ["IAM101"]\nreason = "reviewed"\n'
    )
    on = run_cli("-f", "concise", ".", cwd=tmp_path)
    assert without_ends(on.stdout).splitlines() == [
        "stack.json:8:13: IAM901 suppression of IAM101 matches no finding; remove it",
        ".iamlint.toml:1:1: IAM901 suppression of IAM101 matches no finding; remove it",
    ]
    for flags in (["--ignore", "IAM101"], ["--select", "IAM5,IAM9"], ["--per-file-ignores", "*.json:IAM1"]):
        proc = run_cli("-f", "concise", *flags, ".", cwd=tmp_path)
        assert (proc.returncode, proc.stdout) == (0, ""), flags


def test_a_config_entry_without_a_reason_is_invalid_at_its_table(run_cli, tmp_path):
    """Issue 15, item 3: IAM904 in the configuration file, naming the entry's key path."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.iamlint]\n"
        'ignore = ["IAM303"]\n'
        "\n"
        "[[tool.iamlint.suppress]]\n"
        'files = "*.json"\n'
        'rules = ["IAM102"]\n'
        'reason = "reviewed"\n'
        "\n"
        "[[tool.iamlint.suppress]]\n"
        'files = "*.json"\n'
        'rules = ["IAM101"]\n'
        "\n"
        "[[tool.iamlint.suppress]]\n"
        'files = "*.json"\n'
        'rules = ["IAM101"]\n'
        'reason = "reviewed"\n'
        'until = "soon"\n'
    )
    (tmp_path / "p.json").write_text(ADMIN.read_text())
    proc = run_cli("-f", "json", "p.json", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    config = "pyproject.toml"
    bad = [
        (f["file"], f["line"], f["column"], f["message"])
        for f in json.loads(proc.stdout)["findings"]
        if f["code"] == "IAM904"
    ]
    assert bad == [
        (
            config,
            9,
            1,
            "configuration suppression tool.iamlint.suppress[1]: each entry needs a reason "
            '(require-reason is on): add reason = "..."',
        ),
        (
            config,
            17,
            1,
            "configuration suppression tool.iamlint.suppress[2].until: 'soon' is not a date like 2027-03-31",
        ),
    ]
    # an invalid entry suppresses nothing: IAM101 stays
    assert [f["code"] for f in json.loads(proc.stdout)["findings"] if f["file"] == "p.json"] == [
        "IAM101",
        "IAM101",
    ]
    # .iamlint.toml names its keys without the table
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / ".iamlint.toml").write_text('[[suppress]]\nfiles = "*.json"\nrules = ["IAM101"]\n')
    proc = run_cli("-f", "concise", "p.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert (
        ".iamlint.toml:1:1: IAM904 configuration suppression suppress[0]: each entry needs "
        'a reason (require-reason is on): add reason = "..."'
    ) in without_ends(proc.stdout).splitlines()


FILE_WIDE = """\
AWSTemplateFormatVersion: "2010-09-09"
# iamlint: ignore-file[IAM102] the sandbox account's reporting stack, reviewed 2026-11
Resources:
  ReportsPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
  OtherPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: "*"
"""


def test_a_file_level_suppression_covers_the_whole_file(run_cli, tmp_path):
    proc, found, doc = lint(run_cli, tmp_path, "t.yaml", FILE_WIDE)
    assert (found, proc.returncode) == ([("IAM101", 10, 21)], 1)
    assert doc["summary"]["suppressed"] == 2
    # anywhere in the file, here at its end
    text = FILE_WIDE.replace("# iamlint: ignore-file[IAM102] the sandbox", "# the sandbox") + (
        "# iamlint: ignore-file[IAM101] sandbox account\n"
    )
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", text)
    assert found == [("IAM102", 11, 23), ("IAM102", 19, 23)]
    # unused, and without a reason
    proc, found, _ = lint(run_cli, tmp_path, "t.yaml", FILE_WIDE.replace("IAM102]", "IAM105]"))
    assert found[0] == ("IAM901", 2, 1)
    proc, found, doc = lint(
        run_cli,
        tmp_path,
        "t.yaml",
        FILE_WIDE.replace(" the sandbox account's reporting stack, reviewed 2026-11", ""),
    )
    assert proc.returncode == 2
    assert [(f["code"], f["line"], f["message"]) for f in doc["findings"] if f["code"] == "IAM904"] == [
        ("IAM904", 2, "a suppression needs a reason after the brackets (require-reason is on)")
    ]


def test_a_file_level_suppression_in_hcl(run_cli, tmp_path):
    tf = (
        "// iamlint: ignore-file[IAM101] the deploy module manages whole services\n"
        'data "aws_iam_policy_document" "deploy" {\n'
        "  statement {\n"
        '    actions   = ["cloudformation:*"]\n'
        '    resources = ["arn:aws:cloudformation:eu-west-1:123456789012:stack/web/*"]\n'
        "  }\n"
        "  statement {\n"
        '    actions   = ["s3:*"]\n'
        '    resources = ["arn:aws:s3:::acme-artifacts/*"]\n'
        "  }\n"
        "}\n"
        'locals { note = "# iamlint: ignore-file[IAM102] in a string: not a suppression" }\n'
    )
    (tmp_path / "mod").mkdir()
    proc, found, doc = lint(run_cli, tmp_path / "mod", "main.tf", tf)
    assert (found, proc.returncode, doc["summary"]["suppressed"]) == ([], 0, 2)
    # a plain ignore[...] on that line covers no statement
    proc, found, _ = lint(
        run_cli, tmp_path / "mod", "main.tf", tf.replace("ignore-file[IAM101]", "ignore[IAM101]")
    )
    assert found == [("IAM901", 1, 1), ("IAM101", 4, 18), ("IAM101", 8, 18)]
