"""The rule registry: built-ins listed explicitly, plugins from entry points, validated at load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from iamlint.model import Severity
from iamlint.registry import Registry, RegistryError, validate
from iamlint.rule import StatementRule
from iamlint.ruleset import builtin_registry

DOC = """Flags something.

    ## What it does
    Flags something.

    ## Why is this bad?
    Because.

    ## Example
    ```json
    {"Statement": []}
    ```

    ## Use instead
    ```json
    {"Statement": []}
    ```
    """


def make_rule(code="ACME101", name="acme-thing", doc=DOC, severity=Severity.WARNING):
    cls = type(
        "AcmeRule",
        (StatementRule,),
        {"code": code, "name": name, "severity": severity, "__doc__": doc, "check": lambda self, s, d, c: ()},
    )
    return cls


def test_builtin_rules_are_valid_and_unique():
    reg = builtin_registry()
    codes = [r.code for r in reg]
    assert codes == sorted(set(codes))
    assert {"IAM101", "IAM102", "IAM103", "IAM104", "IAM105", "IAM900"} <= set(codes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"code": "acme1"}, "must be 2-6 capital letters and 3-4 digits"),
        ({"code": "IAM777"}, "reserved for iamlint's own rules"),
        ({"name": "AcmeThing"}, "must be kebab-case"),
        ({"doc": "Flags something.\n\n## What it does\nx\n"}, "lacks the section(s) ## Why is this bad?"),
        ({"severity": "high"}, "severity must be"),
    ],
)
def test_plugin_validation_errors_say_what_is_wrong(kwargs, message):
    with pytest.raises(RegistryError) as err:
        validate(make_rule(**kwargs), "entry point 'acme'", builtin=False)
    assert message in str(err.value) and "entry point 'acme'" in str(err.value)


def test_duplicate_codes_and_names_are_rejected():
    reg = Registry()
    reg.add(make_rule(), "first")
    with pytest.raises(RegistryError, match="code ACME101 is already used"):
        reg.add(make_rule(name="other-name"), "second")
    with pytest.raises(RegistryError, match="name 'acme-thing' is already used"):
        reg.add(make_rule(code="ACME102"), "second")


def test_non_rule_objects_are_rejected():
    with pytest.raises(RegistryError, match="not a rule class"):
        validate(object, "entry point 'x'", builtin=False)


PLUGIN = '''
from iamlint import StatementRule, Severity, Str


class NoS3Delete(StatementRule):
    """Flags s3:DeleteBucket in Allow statements.

    ## What it does
    Flags `s3:DeleteBucket` in Allow statements.

    ## Why is this bad?
    Buckets hold data.

    ## Example
    ```json
    {"Statement": [{"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::b"}]}
    ```

    ## Use instead
    ```json
    {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    ```
    """

    code = "ACME101"
    name = "no-s3-delete"
    severity = Severity.WARNING

    def check(self, stmt, doc, ctx):
        for v in stmt.action or ():
            if stmt.is_allow and isinstance(v, Str) and v.value.lower() == "s3:deletebucket":
                yield self.report(v, "Allow statement may delete buckets")
'''


def install_plugin(root: Path, source: str, entry: str = "acme = acme_rules:NoS3Delete") -> Path:
    """A real distribution on sys.path: a module and a .dist-info with entry_points.txt."""
    (root / "acme_rules.py").write_text(textwrap.dedent(source))
    info = root / "acme_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[iamlint.rules]\n{entry}\n")
    return root


def test_third_party_rule_is_loaded_from_its_entry_point(run_cli, tmp_path):
    (tmp_path / "site").mkdir()
    site = install_plugin(tmp_path / "site", PLUGIN)
    policy = tmp_path / "p.json"
    policy.write_text(
        '{"Statement": [{"Effect": "Allow",\n "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::b"}]}'
    )
    proc = run_cli("-f", "concise", policy, env={"PYTHONPATH": str(site)})
    assert proc.stdout == f"{policy}:2:12-2.29: warning: ACME101 Allow statement may delete buckets\n"
    assert proc.returncode == 1
    assert "ACME101" in run_cli("rules", env={"PYTHONPATH": str(site)}).stdout


@pytest.mark.parametrize(
    "source, entry, message",
    [
        (PLUGIN.replace('"ACME101"', '"IAM101"'), "acme = acme_rules:NoS3Delete", "uses the IAM prefix"),
        (
            PLUGIN.replace("## Why is this bad?", "## Why"),
            "acme = acme_rules:NoS3Delete",
            "lacks the section",
        ),
        (PLUGIN, "acme = acme_rules:Missing", "cannot be loaded: AttributeError"),
        ("raise ImportError('boom')", "acme = acme_rules:X", "cannot be loaded: ImportError: boom"),
    ],
)
def test_bad_plugin_is_one_clear_error(run_cli, tmp_path, source, entry, message):
    (tmp_path / "site").mkdir()
    site = install_plugin(tmp_path / "site", source, entry)
    policy = tmp_path / "p.json"
    policy.write_text('{"Statement": []}')
    proc = run_cli(policy, env={"PYTHONPATH": str(site)})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("iamlint: error: ") and message in line and "'acme'" in line


def test_a_crashing_rule_is_reported_not_raised(run_cli, tmp_path):
    (tmp_path / "site").mkdir()
    crashing = PLUGIN.replace("for v in stmt.action or ():", "raise ValueError('bug')\n        for v in ():")
    site = install_plugin(tmp_path / "site", crashing)
    policy = tmp_path / "p.json"
    policy.write_text('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]}')
    proc = run_cli("-f", "concise", policy, env={"PYTHONPATH": str(site)})
    assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
    assert "IAM903 rule ACME101 failed: ValueError: bug" in proc.stdout
    assert "IAM101" in proc.stdout  # the other rules still ran
