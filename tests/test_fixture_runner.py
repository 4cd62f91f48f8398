"""The fixture runner itself (iamlint.testing and fixturelib): it must fail when it should.

Each test builds a small fixture tree under tmp_path and checks that the runner reports
what is wrong with it, or accepts it when nothing is.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fixturelib import coverage_problems, fixture_files, fixture_format, tree_problems

from iamlint.api import Severity, StatementRule, Str
from iamlint.registry import Registry, RegistryError
from iamlint.testing import assert_fixture, expected_path, lint_fixture, read_expected

ADMIN = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "arn:aws:s3:::reports/*"
    }
  ]
}
"""

CLEAN = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::reports/*"
    }
  ]
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def fixture(tmp_path: Path, name: str, text: str, expected: str | None) -> Path:
    """A fixture file under a rule folder, with its .expected (None: no .expected)."""
    path = write(tmp_path / "IAM101-wildcard-action" / name, text)
    if expected is not None:
        write(expected_path(path), expected)
    return path


def failure(path: Path, registry: Registry | None = None) -> str:
    with pytest.raises(AssertionError) as e:
        assert_fixture(path, registry)
    return str(e.value)


# -- comparing findings --------------------------------------------------------------------------
def test_exact_findings_pass(tmp_path):
    path = fixture(tmp_path, "fail.json", ADMIN, "# the s3:* line\nIAM101:6:17-6:23\n\n")
    assert lint_fixture(path) == ["IAM101:6:17-6:23"]
    assert read_expected(path) == read_expected(expected_path(path)) == ["IAM101:6:17-6:23"]
    assert_fixture(path)


def test_a_missing_finding_fails_with_a_diff(tmp_path):
    path = fixture(tmp_path, "fail.json", ADMIN, "")
    message = failure(path)
    assert "fail.json.expected" in message
    assert "\n+IAM101:6:17-6:23" in message


def test_a_stray_expected_line_fails(tmp_path):
    path = fixture(tmp_path, "pass.json", CLEAN, "IAM101:6:17-6:23\n")
    assert "\n-IAM101:6:17-6:23" in failure(path)


@pytest.mark.parametrize(
    "wrong",
    ["IAM101:6:18-6:23", "IAM101:6:17-6:22", "IAM101:6:17-6:17", "IAM101:6:17-7:23", "IAM101:6:17"],
    ids=["start", "end", "zero-width", "end-line", "no-end"],
)
def test_a_wrong_range_fails(tmp_path, wrong):
    path = fixture(tmp_path, "fail.json", ADMIN, wrong + "\n")
    message = failure(path)
    assert f"\n-{wrong}" in message and "\n+IAM101:6:17-6:23" in message


def test_a_fixture_without_expected_file_fails(tmp_path):
    path = fixture(tmp_path, "pass.json", CLEAN, None)
    assert "no pass.json.expected" in failure(path)


def test_update_writes_the_expected_file(tmp_path):
    path = fixture(tmp_path, "fail.json", ADMIN, "")
    assert_fixture(path, update=True)
    assert expected_path(path).read_text(encoding="utf-8") == "IAM101:6:17-6:23\n"
    assert_fixture(path)


# -- a plugin author's registry -------------------------------------------------------------------
class NoBucketDeletion(StatementRule):
    """Checks for statements that allow deleting buckets.

    ## What it does
    Flags `s3:DeleteBucket` in an `Allow` statement.

    ## Why is this bad?
    Buckets hold data.

    ## Example
    ```json
    {"Statement": [{"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"}]}
    ```

    ## Use instead
    ```json
    {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    ```
    """

    code = "ACME101"
    name = "no-bucket-deletion"
    severity = Severity.ERROR

    def check(self, stmt, doc, ctx):
        for v in stmt.action or ():
            if stmt.is_allow and isinstance(v, Str) and v.value == "s3:DeleteBucket":
                yield self.report(v, "allows deleting buckets")


def test_a_plugin_registry_runs_only_its_rules(tmp_path):
    registry = Registry()
    registry.add(NoBucketDeletion, origin="tests")
    text = ADMIN.replace('"s3:*"', '"s3:DeleteBucket"').replace("reports/*", "reports")  # the bucket
    path = fixture(tmp_path, "fail.json", text, "ACME101:6:17-6:34\n")
    assert_fixture(path, registry)
    assert lint_fixture(path) == []  # the default rules do not know ACME101 (s3:DeleteBucket is scoped)


class Crashes(NoBucketDeletion):
    __doc__ = NoBucketDeletion.__doc__
    code = "ACME102"
    name = "crashes"

    def check(self, stmt, doc, ctx):
        raise ValueError("a bug")


def test_a_crashing_rule_fails_the_fixture_as_an_internal_error(tmp_path, monkeypatch):
    monkeypatch.delenv("IAMLINT_DEBUG", raising=False)
    registry = Registry()
    registry.add(Crashes, origin="tests")
    path = fixture(tmp_path, "pass.json", CLEAN, "")
    assert lint_fixture(path, registry) == ["IAM903:4:5-8:6"]
    assert "\n+IAM903:4:5-8:6" in failure(path, registry)


# -- input and usage errors -----------------------------------------------------------------------
def test_a_parse_error_fails_unless_listed(tmp_path):
    text = CLEAN.replace('"arn:aws:s3:::reports/*"', '"arn:aws:s3:::reports/*",')
    path = fixture(tmp_path, "pass.json", text, "")
    assert "\n+IAM900:7:43-7:44" in failure(path)
    write(expected_path(path), "IAM900:7:43-7:44\n")
    assert_fixture(path)


def test_an_invalid_suppression_fails_unless_listed(tmp_path):
    template = """\
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          ReportsPolicy:
            Type: AWS::IAM::ManagedPolicy
            Properties:
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  # iamlint: ignore IAM101
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: arn:aws:s3:::acme-reports/*
        """
    path = fixture(tmp_path, "pass.cfn.yaml", template, "")
    assert "\n+IAM904:9:11-9:35" in failure(path)


def test_a_missing_fixture_fails(tmp_path):
    path = tmp_path / "IAM101-wildcard-action" / "pass.json"
    write(expected_path(path), "")
    assert "its fixture pass.json does not exist" in failure(path)
    # linted anyway, the run's usage error is a line that no expected file lists by accident
    assert lint_fixture(path) == ["usage-error: pass.json: no such file or directory"]


# -- findings in other files ----------------------------------------------------------------------
MODULE = """\
    resource "aws_iam_policy" "reports" {
      name   = "reports"
      policy = file("${path.module}/policy.json")
    }
    """


def test_a_folder_fixture_compares_the_findings_of_every_file(tmp_path):
    folder = tmp_path / "IAM101-wildcard-action" / "tf-file-fail"
    write(folder / "main.tf", MODULE)
    write(folder / "policy.json", ADMIN)
    write(expected_path(folder), "")
    assert lint_fixture(folder) == ["IAM101:policy.json:6:17-6:23"]
    assert "\n+IAM101:policy.json:6:17-6:23" in failure(folder)
    write(expected_path(folder), "IAM101:policy.json:6:17-6:23\n")
    assert_fixture(folder)


def test_a_file_fixture_names_the_other_files_its_findings_are_in(tmp_path):
    main = write(tmp_path / "IAM101-wildcard-action" / "tf-file-fail" / "main.tf", MODULE)
    write(main.parent / "policy.json", ADMIN)
    write(expected_path(main), "")
    assert "\n+IAM101:policy.json:6:17-6:23" in failure(main)


def test_a_stray_file_in_a_folder_fixture_fails(tmp_path):
    folder = tmp_path / "IAM101-wildcard-action" / "tf-pass"
    write(folder / "main.tf", MODULE)
    write(folder / "policy.json", CLEAN)
    write(expected_path(folder), "")
    assert_fixture(folder)
    write(folder / "extra.json", ADMIN)
    assert "\n+IAM101:extra.json:6:17-6:23" in failure(folder)


# -- the fixture tree ----------------------------------------------------------------------------
def complete_tree(tmp_path: Path) -> Path:
    """A rule folder with a file case and a folder case, all with their expected findings."""
    fixture(tmp_path, "fail.json", ADMIN, "IAM101:6:17-6:23\n")
    fixture(tmp_path, "pass.json", CLEAN, "")
    folder = tmp_path / "IAM101-wildcard-action" / "tf-pass"
    write(folder / "main.tf", MODULE)
    write(folder / "policy.json", CLEAN)
    write(expected_path(folder), "")
    return tmp_path


def test_a_complete_tree_has_no_problems(tmp_path):
    root = complete_tree(tmp_path)
    assert tree_problems(root) == []
    cases = fixture_files(root)
    assert [p.relative_to(root).as_posix() for p in cases] == [
        "IAM101-wildcard-action/fail.json",
        "IAM101-wildcard-action/pass.json",
        "IAM101-wildcard-action/tf-pass",
    ]
    for case in cases:
        assert_fixture(case)


def test_a_deleted_fixture_file_is_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    (root / "IAM101-wildcard-action" / "pass.json").unlink()
    assert tree_problems(root) == [
        "IAM101-wildcard-action/pass.json.expected: its fixture pass.json is missing"
    ]


def test_a_deleted_fixture_folder_is_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    folder = root / "IAM101-wildcard-action" / "tf-pass"
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    assert tree_problems(root) == ["IAM101-wildcard-action/tf-pass.expected: its fixture tf-pass is missing"]


def test_a_fixture_file_without_expected_findings_is_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    write(root / "IAM101-wildcard-action" / "fail.cfn.yaml", "AWSTemplateFormatVersion: '2010-09-09'\n")
    assert tree_problems(root) == [
        "IAM101-wildcard-action/fail.cfn.yaml: a fixture file without fail.cfn.yaml.expected"
    ]


def test_a_fixture_folder_without_expected_findings_is_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    write(root / "IAM101-wildcard-action" / "tf-fail" / "main.tf", MODULE)
    assert tree_problems(root) == [
        "IAM101-wildcard-action/tf-fail: a fixture folder without tf-fail.expected"
    ]


def test_expected_findings_inside_a_folder_fixture_are_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    write(root / "IAM101-wildcard-action" / "tf-pass" / "main.tf.expected", "")
    assert tree_problems(root) == [
        "IAM101-wildcard-action/tf-pass/main.tf.expected: not directly in a rule folder <CODE>-<name>/, "
        "so it is not a case of its own"
    ]


def test_a_file_outside_the_rule_folders_is_a_problem(tmp_path):
    root = complete_tree(tmp_path)
    write(root / "stray.json", ADMIN)
    write(root / ".gitattributes", "* text=auto\n")  # names starting with "." are not fixtures
    assert tree_problems(root) == ["stray.json: not in a rule folder <CODE>-<name>/"]


# -- formats: every declared format has a failing and a passing fixture ---------------------------
@pytest.mark.parametrize(
    "name, fmt",
    [
        ("fail.json", "json"),
        ("pass-endpoint-policy.json", "json"),
        ("fail.cfn.json", "cloudformation-json"),
        ("pass.cfn.yaml", "cloudformation-yaml"),
        ("pass.cfn.yml", "cloudformation-yaml"),
        ("fail.tfplan.json", "terraform-plan"),
        ("tf-jsonencode-fail/", "terraform"),
        ("notes.txt", None),
        ("fail.yaml", None),
        ("templates/", None),
    ],
)
def test_fixture_format_comes_from_the_name(tmp_path, name, fmt):
    path = tmp_path / name.rstrip("/")
    path.mkdir() if name.endswith("/") else path.write_text("{}", encoding="utf-8")
    assert fixture_format(path) == fmt


class JsonAndYamlOnly(NoBucketDeletion):
    __doc__ = NoBucketDeletion.__doc__
    formats = ("json", "cloudformation-yaml")


def acme_registry(*rules) -> Registry:
    registry = Registry()
    for rule in rules:
        registry.add(rule, origin="tests")
    return registry


def acme_tree(tmp_path: Path, cases: dict[str, str]) -> Path:
    """A rule folder ACME101-no-bucket-deletion/ with these fixtures: name -> expected lines."""
    for name, expected in cases.items():
        path = tmp_path / "ACME101-no-bucket-deletion" / name.rstrip("/")
        if name.endswith("/"):
            write(path / "main.tf", MODULE)
        else:
            write(path, "{}\n")
        write(expected_path(path), expected)
    return tmp_path


def test_coverage_is_complete_with_a_failing_and_a_passing_fixture_per_format(tmp_path):
    root = acme_tree(
        tmp_path,
        {
            "fail.json": "ACME101:6:17-6:34\n",
            "pass.json": "IAM102:7:19-7:22\n",  # other codes do not make a fixture fail for this rule
            "fail.cfn.yaml": "ACME101:12:21-12:36\n",
            "pass.cfn.yaml": "",
        },
    )
    assert coverage_problems(acme_registry(JsonAndYamlOnly), root) == []


def test_a_declared_format_without_a_failing_or_passing_fixture_is_a_problem(tmp_path):
    root = acme_tree(
        tmp_path,
        {
            "fail.json": "ACME101:6:17-6:34\n",
            "pass.json": "",
            "fail.cfn.yaml": "ACME101:12:21-12:36\n",
            "fail-too.cfn.yaml": "ACME101:12:21-12:36\n",
            "pass.cfn.json": "",  # not a declared format: neither needed nor counted
        },
    )
    assert coverage_problems(acme_registry(JsonAndYamlOnly), root) == [
        "ACME101 has no passing cloudformation-yaml fixture"
    ]


def test_a_rule_for_every_format_needs_fixtures_of_every_format(tmp_path):
    root = acme_tree(tmp_path, {"fail.json": "ACME101:6:17-6:34\n", "pass.json": "", "tf-pass/": ""})
    assert coverage_problems(acme_registry(NoBucketDeletion), root) == [
        "ACME101 has no failing cloudformation-json fixture",
        "ACME101 has no passing cloudformation-json fixture",
        "ACME101 has no failing cloudformation-yaml fixture",
        "ACME101 has no passing cloudformation-yaml fixture",
        "ACME101 has no failing terraform fixture",
        "ACME101 has no failing terraform-plan fixture",
        "ACME101 has no passing terraform-plan fixture",
    ]


def test_a_rule_without_fixture_folder_is_a_problem_and_an_unknown_format_cannot_register(tmp_path):
    class NoFolder(JsonAndYamlOnly):
        __doc__ = NoBucketDeletion.__doc__
        code = "ACME103"
        name = "no-folder"

    assert coverage_problems(acme_registry(NoFolder), tmp_path) == [
        "ACME103 has no fixture folder ACME103-no-folder/"
    ]

    class Typo(NoFolder):
        code = "ACME104"
        name = "typo"
        formats = ("json", "cloudformation")

    with pytest.raises(
        RegistryError, match=r"formats \('json', 'cloudformation'\) must name one or more of json,"
    ):
        acme_registry(Typo)


def test_diagnostic_rules_need_no_fixtures(tmp_path):
    from iamlint.rules import DuplicateKey, MissingFile

    assert coverage_problems(Registry([DuplicateKey, MissingFile]), tmp_path) == []
