"""The CI and editor outputs: github, junit, gitlab; text --show-source and --statistics;
the progress bar; the composite GitHub Action (action.yml).

Reporters are tested through the Python API (``iamlint.reporters.render``) on reports the real
engine builds from fixture files, plus hand-made findings for the edge cases (escaping,
duplicates, odd characters) that no fixture has.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from iamlint.config import Config
from iamlint.engine import Linter
from iamlint.model import Finding, Severity, Span
from iamlint.reporters import FORMATS, fingerprint, render
from iamlint.results import FileReport, RunReport
from iamlint.ruleset import default_registry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIX = HERE / "fixtures"
ADMIN = FIX / "IAM101-wildcard-action" / "fail.json"
BROKEN = FIX / "IAM900-parse-error" / "trailing-comma.json"
WARN = FIX / "IAM102-wildcard-resource" / "fail.json"
# a policy no rule has reason to flag (a Deny of one action on one bucket)
CLEAN_POLICY = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Deny", "Action": "s3:DeleteBucket",'
    ' "Resource": "arn:aws:s3:::acme-logs"}\n  ]\n}\n'
)
# The rules (and their messages) evolve independently of the reporters: reports built by the
# engine enable only these two, and exact-output tests use hand-made findings.
SELECTED = {"IAM101", "IAM102"}


@pytest.fixture(scope="module")
def registry():
    return default_registry()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A working directory with a bad, a clean, a broken and a non-IaC file."""
    shutil.copy(ADMIN, tmp_path / "admin.json")
    (tmp_path / "clean.json").write_text(CLEAN_POLICY)
    shutil.copy(BROKEN, tmp_path / "broken.json")
    (tmp_path / "package.json").write_text('{"name": "web"}')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    return tmp_path


def lint(registry, *paths, **options) -> RunReport:
    report = Linter(registry, Config(select=tuple(sorted(SELECTED)))).run([str(p) for p in paths])
    report.options = dict(options)
    return report


def out(fmt: str, report: RunReport, color: bool = False) -> str:
    buf = io.StringIO()
    render(fmt, report, buf, color)
    return buf.getvalue()


def finding(
    code="IAM101",
    name="wildcard-action",
    severity=Severity.ERROR,
    message="m",
    file="p.json",
    line=1,
    column=1,
    end_line=None,
    end_column=None,
    owner=None,
    value="",
) -> Finding:
    span = Span(
        file,
        line,
        column,
        line if end_line is None else end_line,
        column + 1 if end_column is None else end_column,
    )
    return Finding(code, name, severity, message, span, owner, value)


def report_of(registry, *findings: Finding, usage_errors=(), clean=(), options=None) -> RunReport:
    files: dict[str, FileReport] = {}
    for f in findings:
        files.setdefault(f.span.file, FileReport(f.span.file, "policies", "json", 1)).findings.append(f)
    for path in clean:
        files[path] = FileReport(path, "policies", "json", 1)
    report = RunReport(sorted(files.values(), key=lambda r: r.path), registry, list(usage_errors))
    report.options = dict(options or {})
    return report


# hand-made findings on admin.json, where the fixture has "s3:*" (8:9-15) and "*" (20:17-20)
S3 = dict(
    code="IAM101",
    name="wildcard-action",
    message='grants every action of s3 ("s3:*")',
    file="admin.json",
    line=8,
    column=9,
    end_column=15,
    value="s3:*",
)
STAR = dict(
    code="IAM101",
    name="wildcard-action",
    message='grants every action ("*")',
    file="admin.json",
    line=20,
    column=17,
    end_column=20,
    value="*",
)


def test_every_new_format_is_registered_and_renders(registry, project):
    report = lint(registry, ".")
    for fmt in ("github", "junit", "gitlab"):
        assert fmt in FORMATS
        assert out(fmt, report)


# -- github ------------------------------------------------------------------------------------
def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse one line the way the Actions runner does (ActionCommand.TryParseV2)."""
    assert line.startswith("::")
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2 :]
    command, _, props_text = head.partition(" ")

    def unescape(s: str, prop: bool) -> str:
        s = s.replace("%0D", "\r").replace("%0A", "\n")
        if prop:
            s = s.replace("%3A", ":").replace("%2C", ",")
        return s.replace("%25", "%")

    props = {}
    for pair in filter(None, props_text.split(",")):
        k, _, v = pair.partition("=")
        props[k] = unescape(v, True)
    return command, props, unescape(data, False)


def test_github_one_command_per_finding_and_nothing_else(registry):
    report = report_of(registry, finding(**S3), finding(**STAR), clean=["clean.json"])
    assert out("github", report) == (
        "::error file=admin.json,line=8,col=9,endLine=8,endColumn=15,title=IAM101 wildcard-action"
        '::grants every action of s3 ("s3:*")\n'
        "::error file=admin.json,line=20,col=17,endLine=20,endColumn=20,title=IAM101 wildcard-action"
        '::grants every action ("*")\n'
    )
    assert out("github", report_of(registry, clean=["clean.json"])) == ""


def test_github_matches_the_engine_findings(registry, project):
    report = lint(registry, ".")
    lines = out("github", report).splitlines()
    assert len(lines) == len(report.findings) >= 3
    for line, f in zip(lines, report.findings, strict=False):
        command, props, data = parse_workflow_command(line)
        assert command == {"error": "error", "warning": "warning"}[f.severity.value]
        assert (props["file"], int(props["line"]), props["title"]) == (
            f.span.file,
            f.span.line,
            f"{f.code} {f.name}",
        )
        assert data.startswith(f.message)
    assert any(parse_workflow_command(x)[1]["title"] == "IAM900 parse-error" for x in lines)
    assert "clean.json" not in "".join(lines) and "package.json" not in "".join(lines)


def test_github_severities(registry):
    report = report_of(
        registry,
        finding(severity=Severity.ERROR, line=1),
        finding(severity=Severity.WARNING, line=2),
        finding(severity=Severity.INFO, line=3),
    )
    assert [parse_workflow_command(x)[0] for x in out("github", report).splitlines()] == [
        "error",
        "warning",
        "notice",
    ]


def test_github_escaping_round_trips_through_the_runner_rules(registry):
    f = finding(
        message="100% bad\r\nsecond line: a, b",
        file="dir,with:odd%/p.json",
        name="odd-name",
        owner="Stack::Role,1",
    )
    line = out("github", report_of(registry, f))
    assert line.count("\n") == 1 and line.endswith("\n")
    assert "\r" not in line
    command, props, data = parse_workflow_command(line.rstrip("\n"))
    assert command == "error"
    assert props["file"] == "dir,with:odd%/p.json"
    assert props["title"] == "IAM101 odd-name"
    # a line break from the input is shown, not obeyed: one annotation on one line
    assert data == "100% bad\\r\\nsecond line: a, b [Stack::Role,1]"
    assert set(props) == {"file", "line", "col", "endLine", "endColumn", "title"}


def test_github_multiline_spans_have_no_columns(registry):
    # the runner rejects col/endColumn when line != endLine (older runners drop the annotation)
    f = finding(line=10, column=5, end_line=17, end_column=6)
    _, props, _ = parse_workflow_command(out("github", report_of(registry, f)).rstrip("\n"))
    assert props == {"file": "p.json", "line": "10", "endLine": "17", "title": "IAM101 wildcard-action"}
    # an empty span still has endColumn >= col
    g = finding(line=3, column=7, end_line=3, end_column=7)
    _, props, _ = parse_workflow_command(out("github", report_of(registry, g)).rstrip("\n"))
    assert int(props["endColumn"]) >= int(props["col"]) == 7


def test_github_paths_are_relative_to_the_workspace(registry, project, monkeypatch):
    sub = project / "infra"
    sub.mkdir()
    shutil.copy(ADMIN, sub / "admin.json")
    monkeypatch.chdir(sub)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project))
    _, props, _ = parse_workflow_command(out("github", lint(registry, "admin.json")).splitlines()[0])
    assert props["file"] == "infra/admin.json"
    _, props, _ = parse_workflow_command(out("github", lint(registry, sub / "admin.json")).splitlines()[0])
    assert props["file"] == "infra/admin.json"
    # outside the workspace: left as given
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project / "elsewhere"))
    _, props, _ = parse_workflow_command(out("github", lint(registry, "./admin.json")).splitlines()[0])
    assert props["file"] == "admin.json"


# -- junit -------------------------------------------------------------------------------------
def test_junit_one_testcase_per_file_with_failures_errors_and_skips(registry, project):
    report = lint(registry, ".")
    xml = out("junit", report)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "iamlint"
    suite = suites[0]
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"admin.json", "broken.json", "clean.json", "package.json"}
    assert all(c.get("classname") == "iamlint" for c in cases.values())
    assert list(cases["clean.json"]) == []
    admin = [f for f in report.findings if f.span.file == "admin.json"]
    failures = cases["admin.json"].findall("failure")
    assert [(x.get("type"), x.get("message")) for x in failures] == [(f.code, f.message) for f in admin]
    first = next(x for x in failures if x.text.startswith("admin.json:8:9: "))
    assert first.text.startswith("admin.json:8:9: IAM101 [error] Allow statement grants every action of s3")
    assert first.text.endswith(" (wildcard-action)")
    errors = cases["broken.json"].findall("error")
    assert [e.get("type") for e in errors] == ["IAM900"]
    assert errors[0].text.startswith("broken.json:") and " IAM900 [error] " in errors[0].text
    assert cases["package.json"].find("skipped") is not None
    counts = {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "4", "failures": "1", "errors": "1", "skipped": "1"}
    assert {k: root.get(k) for k in ("tests", "failures", "errors")} == {
        "tests": "4",
        "failures": "1",
        "errors": "1",
    }


def test_junit_exact_document(registry):
    report = report_of(registry, finding(**S3), clean=["clean.json"])
    assert out("junit", report) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="iamlint" tests="2" failures="1" errors="0">\n'
        '  <testsuite name="iamlint" tests="2" failures="1" errors="0" skipped="0">\n'
        '    <testcase classname="iamlint" name="admin.json" file="admin.json">\n'
        '      <failure type="IAM101" message="grants every action of s3 (&quot;s3:*&quot;)">'
        'admin.json:8:9: IAM101 [error] grants every action of s3 ("s3:*") (wildcard-action)</failure>\n'
        "    </testcase>\n"
        '    <testcase classname="iamlint" name="clean.json" file="clean.json" />\n'
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_junit_clean_run_and_usage_errors(registry, project):
    clean = ET.fromstring(out("junit", lint(registry, "clean.json")))
    suite = clean.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    missing = lint(registry, "clean.json", "nope.json")
    assert missing.usage_errors
    suite = ET.fromstring(out("junit", missing)).find("testsuite")
    assert (suite.get("tests"), suite.get("errors")) == ("2", "1")
    err = [c for c in suite.findall("testcase") if c.find("error") is not None][0]
    assert "nope.json" in err.get("name") and err.find("error").get("type") == "usage"


def test_junit_is_well_formed_whatever_the_messages_hold(registry):
    nasty = 'a <b> & "c" \x00\x01\x1b ]]> \ud800 \uffff end\nsecond'
    f = finding(message=nasty, file="dir/<odd>&\x07.json", owner="R&D")
    xml = out("junit", report_of(registry, f))
    data = xml.encode("utf-8")  # no lone surrogate left: encodable
    root = ET.fromstring(data)
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message").startswith('a <b> & "c" \\x00\\x01\\x1b ]]> \\ud800 \\uffff end')
    assert "second" in failure.get("message")
    assert root.find("testsuite/testcase").get("name") == "dir/<odd>&\\x07.json"


# -- gitlab ------------------------------------------------------------------------------------
# https://docs.gitlab.com/ci/testing/code_quality/#implement-a-custom-tool: every documented field
DOCUMENTED = {
    "description": str,
    "check_name": str,
    "fingerprint": str,
    "severity": str,
    "location.path": str,
    "location.lines.begin": int,
}
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def dig(obj, dotted: str):
    for part in dotted.split("."):
        obj = obj[part]
    return obj


def test_gitlab_has_every_documented_field_with_its_type(registry, project):
    shutil.copy(WARN, project / "warn.json")
    report = lint(registry, ".")
    text = out("gitlab", report)
    assert not text.startswith("\ufeff") and text.isascii()
    issues = json.loads(text)
    assert isinstance(issues, list) and len(issues) == len(report.findings) >= 4
    for issue, f in zip(issues, report.findings, strict=False):
        for field, kind in DOCUMENTED.items():
            value = dig(issue, field)
            assert isinstance(value, kind) and not isinstance(value, bool), field
            if kind is str:
                assert value, field
        assert issue["severity"] in GITLAB_SEVERITIES
        assert (issue["check_name"], issue["description"]) == (
            f.code,
            f.message + (f" [{f.owner}]" if f.owner else ""),
        )
        assert (
            dig(issue, "location.positions.begin.line") == dig(issue, "location.lines.begin") == f.span.line
        )
        assert dig(issue, "location.positions.begin.column") == f.span.column
        assert not issue["location"]["path"].startswith(("./", "/"))
    admin = next(
        i for i in issues if i["location"]["path"] == "admin.json" and i["location"]["lines"]["begin"] == 8
    )
    assert admin["location"] == {
        "path": "admin.json",
        "lines": {"begin": 8, "end": 8},
        "positions": {"begin": {"line": 8, "column": 9}, "end": {"line": 8, "column": 15}},
    }
    assert {i["check_name"]: i["severity"] for i in issues} == {
        "IAM101": "critical",
        "IAM102": "major",
        "IAM900": "blocker",
    }
    info = json.loads(out("gitlab", report_of(registry, finding(severity=Severity.INFO))))
    assert info[0]["severity"] == "info"


def test_gitlab_fingerprints_are_unique_and_line_independent(registry, project):
    report = lint(registry, "admin.json")
    issues = json.loads(out("gitlab", report))
    assert [i["fingerprint"] for i in issues] == [fingerprint(f) for f in report.findings]
    # the same offending value twice in one file: same base fingerprint, distinct in the report
    a = finding(line=3, value="s3:*")
    b = finding(line=9, value="s3:*")
    assert fingerprint(a) == fingerprint(b)
    fps = [i["fingerprint"] for i in json.loads(out("gitlab", report_of(registry, a, b)))]
    assert len(set(fps)) == 2 and fps[0] == fingerprint(a)
    # moving the lines does not change them
    moved = [
        i["fingerprint"]
        for i in json.loads(
            out("gitlab", report_of(registry, finding(line=30, value="s3:*"), finding(line=90, value="s3:*")))
        )
    ]
    assert moved == fps


def test_gitlab_paths(registry, project):
    report = lint(registry, project / "admin.json", "./clean.json")
    assert {i["location"]["path"] for i in json.loads(out("gitlab", report))} == {"admin.json"}
    assert json.loads(out("gitlab", lint(registry, "clean.json"))) == []


# -- text: --show-source -----------------------------------------------------------------------
def test_show_source_prints_the_line_and_a_caret_under_the_element(registry, project):
    report = report_of(registry, finding(**S3), finding(**STAR), options={"show_source": True})
    assert out("text", report).splitlines() == [
        'admin.json:8:9: IAM101 [error] grants every action of s3 ("s3:*") (wildcard-action)',
        "  |",
        '8 |         "s3:*",',
        "  |         ^^^^^^",
        "  |",
        "",
        'admin.json:20:17: IAM101 [error] grants every action ("*") (wildcard-action)',
        "   |",
        '20 |       "Action": "*",',
        "   |                 ^^^",
        "   |",
        "",
        "1 file scanned; 1 policy found; 2 findings (2 errors).",
    ]


def test_show_source_on_engine_findings(registry, project):
    shutil.copy(WARN, project / "warn.json")
    report = lint(registry, ".", show_source=True)
    text = out("text", report)
    for f in report.findings:
        assert f"{f.span.file}:{f.span.line}:{f.span.column}: {f.code}" in text
    assert caret_under(text, '"s3:*"')
    assert text.count("\n\n") == len(report.findings)  # one block per finding


def cells(text: str) -> int:
    """Terminal cells ``text`` takes (wide East Asian characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def caret_under(text: str, needle: str) -> bool:
    """The caret row right under the source row holding ``needle`` starts where it does."""
    rows = text.splitlines()
    for i, row in enumerate(rows[:-1]):
        if needle in row and "|" in row and "^" in rows[i + 1]:
            src = row.split("|", 1)[1]
            carets = rows[i + 1].split("|", 1)[1]
            return carets.index("^") == cells(src[: src.index(needle)]) and carets.count("^") == len(needle)
    return False


def test_show_source_tabs_and_wide_characters_do_not_misalign(registry, project):
    (project / "tabs.json").write_text(
        '{\n\t"Statement": [{"Effect": "Allow",\n\t\t"Sid": "日本", \t"Action": "*", "Resource": "x"}]\n}\n',
        encoding="utf-8",
    )
    line = '\t\t"Sid": "日本", \t"Action": "*", "Resource": "x"}]'
    col = line.index('"*"') + 1
    report = report_of(
        registry,
        finding(file="tabs.json", line=3, column=col, end_column=col + 3),
        options={"show_source": True},
    )
    text = out("text", report)
    assert "\t" not in text
    assert caret_under(text, '"*"')
    # and on what the engine reports for the same file
    assert caret_under(out("text", lint(registry, "tabs.json", show_source=True)), '"*"')


def test_show_source_control_characters_are_made_visible(registry, project):
    (project / "ctl.json").write_bytes(
        b'{"Statement": [{"Sid": "a\xe2\x80\xaeb\x1b[2J", "Effect": "Allow", "Action": "*", "Resource": "x"}]}'
    )
    raw = (project / "ctl.json").read_text(encoding="utf-8")
    col = raw.index('"*"') + 1
    report = report_of(
        registry,
        finding(file="ctl.json", line=1, column=col, end_column=col + 3),
        options={"show_source": True},
    )
    text = out("text", report)
    assert "\u202e" not in text and "\x1b" not in text  # no bidi override, no escape sequence
    assert caret_under(text, '"*"')


def test_show_source_skips_what_it_cannot_read(registry, project):
    gone = finding(file=str(project / "deleted.json"), line=3)
    short = finding(file="admin.json", line=999)
    report = report_of(registry, gone, short, options={"show_source": True})
    rows = out("text", report).splitlines()
    assert "|" not in "".join(rows)
    assert len([r for r in rows if "IAM101" in r]) == 2


def test_show_source_reads_each_file_once_and_prefers_given_sources(registry, project, monkeypatch):
    import iamlint.discover

    report = report_of(registry, finding(**S3), finding(**STAR), options={"show_source": True})
    calls = []
    real = iamlint.discover.read
    monkeypatch.setattr(iamlint.discover, "read", lambda p: calls.append(p) or real(p))
    out("text", report)
    assert calls == ["admin.json"]
    # a buffer linted from stdin: the snippet comes from its text, not the file on disk
    report.options["sources"] = {"admin.json": "\n" * 7 + '        "s3:*", // from the buffer\n'}
    calls.clear()
    assert "// from the buffer" in out("text", report) and calls == []


def test_show_source_multiline_elements_are_cut_short(registry, project):
    statement = finding(file="admin.json", line=4, column=5, end_line=15, end_column=6)
    text = out("text", report_of(registry, statement, options={"show_source": True}))
    assert text.splitlines()[1:11] == [
        "  |",
        "4 |     {",
        "  |     ^",
        '5 |       "Sid": "DeployArtifacts",',
        "  |       ^^^^^^^^^^^^^^^^^^^^^^^^^",
        '6 |       "Effect": "Allow",',
        "  |       ^^^^^^^^^^^^^^^^^^",
        "  | ...",
        "  |",
        "",
    ]
    # a span ending at column 1 of a line ends on the line before
    two = finding(file="admin.json", line=19, column=7, end_line=21, end_column=1)
    rows = out("text", report_of(registry, two, options={"show_source": True})).splitlines()
    assert [r.split("|")[0].strip() for r in rows[1:7]] == ["", "19", "", "20", "", ""]


def test_show_source_colour(registry, project):
    report = report_of(registry, finding(**S3), options={"show_source": True})
    assert "\x1b[31m^^^^^^\x1b[0m" in out("text", report, color=True)
    assert "\x1b[" not in out("text", report)


def test_plain_text_is_unchanged_without_options(registry, project):
    assert out("text", report_of(registry, finding(**S3), finding(**STAR))).splitlines() == [
        'admin.json:8:9: IAM101 [error] grants every action of s3 ("s3:*") (wildcard-action)',
        'admin.json:20:17: IAM101 [error] grants every action ("*") (wildcard-action)',
        "",
        "1 file scanned; 1 policy found; 2 findings (2 errors).",
    ]


# -- text: --statistics ------------------------------------------------------------------------
def test_statistics_counts_per_code(registry):
    fs = [
        finding(code="IAM102", name="wildcard-resource", severity=Severity.WARNING, line=i)
        for i in range(1, 4)
    ]
    fs += [finding(code="IAM101", name="wildcard-action", line=i) for i in range(1, 13)]
    fs += [finding(code="IAM900", name="parse-error", file="broken.json")]
    report = report_of(registry, *fs, options={"statistics": True})
    text = out("text", report)
    assert text.splitlines() == [
        "   12  IAM101  wildcard-action",
        "    3  IAM102  wildcard-resource",
        "    1  IAM900  parse-error",
        "",
        "2 files scanned; 2 policies found; 15 findings (12 errors, 3 warnings); 1 input problem.",
    ]
    # statistics wins over show_source; a clean run is just the summary line
    report.options["show_source"] = True
    assert out("text", report) == text
    assert out("text", report_of(registry, clean=["clean.json"], options={"statistics": True})) == (
        "1 file scanned; 1 policy found; no findings.\n"
    )


def test_statistics_on_engine_findings(registry, project):
    shutil.copy(WARN, project / "warn.json")
    report = lint(registry, ".", statistics=True)
    rows = out("text", report).splitlines()
    table = [r.split() for r in rows[: rows.index("")]]
    assert sum(int(r[0]) for r in table) == len(report.findings)
    assert [int(r[0]) for r in table] == sorted((int(r[0]) for r in table), reverse=True)
    assert {r[1] for r in table} == {f.code for f in report.findings}


def test_statistics_ties_sort_by_code_and_wide_counts_align(registry):
    fs = [finding(code="IAM200", name="b", line=i) for i in range(1, 3)]
    fs += [finding(code="IAM100", name="a", line=i) for i in range(1, 3)]
    fs += [finding(code="IAM9", name="c")] * 123456
    report = report_of(registry, *fs)
    report.options = {"statistics": True}
    assert out("text", report).splitlines()[:3] == [
        "123456  IAM9    c",
        "     2  IAM100  a",
        "     2  IAM200  b",
    ]


# -- progress ----------------------------------------------------------------------------------
class FakeTTY(io.StringIO):
    def __init__(self, tty: bool = True):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_shows_only_on_an_interactive_terminal_for_long_scans():
    from iamlint.progress import THRESHOLD, should_show

    tty, env = FakeTTY(), {"TERM": "xterm-256color"}
    assert THRESHOLD == 300
    assert should_show(tty, 301, env=env)
    assert not should_show(tty, 300, env=env)
    assert not should_show(FakeTTY(tty=False), 5000, env=env)
    assert not should_show(io.StringIO(), 5000, env=env)
    assert not should_show(None, 5000, env=env)
    for ci in ("true", "1", "yes", "gitlab"):
        assert not should_show(tty, 5000, env={**env, "CI": ci})
    for not_ci in ("", "false", "0", "FALSE"):
        assert should_show(tty, 5000, env={**env, "CI": not_ci})
    assert not should_show(tty, 5000, env={"TERM": "dumb"})
    assert should_show(tty, 5000, env={})
    assert should_show(tty, 11, threshold=10, env=env)

    class Closed(FakeTTY):
        def isatty(self):
            raise ValueError("I/O operation on closed file")

    assert not should_show(Closed(), 5000, env=env)


@pytest.mark.parametrize(
    "stream,env,total",
    [
        (FakeTTY(), {"CI": "true"}, 5000),
        (FakeTTY(), {"TERM": "dumb"}, 5000),
        (FakeTTY(tty=False), {}, 5000),
        (FakeTTY(), {}, 10),
    ],
)
def test_progress_writes_nothing_when_disabled(stream, env, total):
    from iamlint.progress import Progress

    with Progress(stream, env=env) as p:
        p.start(total)
        for _ in range(total):
            p.advance()
    assert stream.getvalue() == ""
    assert not p.active


def test_progress_redraws_at_most_ten_times_a_second_and_clears_the_line():
    from iamlint.progress import Progress

    stream, clock = FakeTTY(), Clock()
    p = Progress(stream, env={}, clock=clock)
    p.start(1000)
    assert p.active
    for i in range(999):
        clock.now = i * 0.001  # 999 files in ~1 s
        p.advance()
    draws = stream.getvalue().count("\r")
    assert 2 <= draws <= 12  # the first draw, ~10 redraws, nothing per file
    p.advance()  # the last file is always drawn
    assert "1000/1000 files 100%" in stream.getvalue().rsplit("\r", 1)[1]
    before = stream.getvalue()
    p.finish()
    cleared = stream.getvalue()[len(before) :]
    assert re.fullmatch(r"\r +\r", cleared)
    assert len(cleared) - 2 >= max(len(x) for x in before.split("\r"))
    p.finish()  # idempotent
    p.advance()
    assert stream.getvalue() == before + cleared


def test_progress_bar_fits_the_terminal():
    from iamlint.progress import Progress

    p = Progress(FakeTTY(), env={})
    p.total, p.done = 600, 150
    line = p.line(80)
    assert len(line) < 80 and "[##########" in line and "150/600 files  25%" in line
    assert len(p.line(30)) < 30
    assert p.line(1) == ""


def test_progress_explicit_switch_and_a_broken_stream():
    from iamlint.progress import Progress

    off = FakeTTY()
    p = Progress(off, enabled=False, env={})
    p.start(10_000)
    p.advance(10_000)
    p.finish()
    assert off.getvalue() == ""

    forced = FakeTTY(tty=False)
    p = Progress(forced, enabled=True, env={"CI": "true"})
    p.start(3)
    p.advance(3)
    p.finish()
    assert "3/3 files" in forced.getvalue()

    class Broken(FakeTTY):
        def write(self, s):
            raise OSError("EPIPE")

    p = Progress(Broken(), env={})
    p.start(1000)
    p.advance(5)
    p.finish()
    assert not p.active


# -- action.yml --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def action() -> dict:
    with open(ROOT / "action.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_action_is_a_composite_action_with_the_documented_inputs(action):
    assert action["name"] and action["description"]
    inputs = action["inputs"]
    assert {"paths", "args", "fail-on", "upload-sarif"} <= set(inputs)
    assert inputs["paths"]["default"] == "."
    assert inputs["upload-sarif"]["default"] == "true"
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert isinstance(spec.get("default", ""), str), name  # action inputs are strings
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert uses[0].startswith("actions/setup-python@")
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    for step in steps:
        assert ("uses" in step) != ("run" in step)
        if "run" in step:
            assert step.get("shell"), step["name"]  # composite run steps must name a shell


def test_action_wiring(action):
    steps = action["runs"]["steps"]
    by_id = {s["id"]: s for s in steps if "id" in s}
    install = by_id["install"]
    assert "${{ github.action_path }}" in install["env"].values()
    assert "pip install" in install["run"]
    lint = by_id["lint"]
    assert "--format" in lint["run"] and "sarif" in lint["run"] and "--output" in lint["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"] and "steps.upload.outputs.upload == 'true'" in upload["if"]
    assert by_id["upload"]["env"]["INPUT_UPLOAD_SARIF"] == "${{ inputs.upload-sarif }}"
    assert "always()" in by_id["upload"]["if"]
    assert steps.index(by_id["upload"]) < steps.index(upload)
    assert upload["with"]["sarif_file"] == "${{ steps.lint.outputs.sarif-file }}"
    last = steps[-1]
    assert "always()" in last["if"]
    assert last["env"]["EXIT_CODE"] == "${{ steps.lint.outputs.exit-code }}"
    assert 'exit "$EXIT_CODE"' in last["run"]
    assert steps.index(upload) < steps.index(last)
    # every input referenced exists; inputs never pasted into a script (shell injection)
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for name in re.findall(r"inputs\.([\w-]+)", text):
        assert name in action["inputs"], name
    for step in steps:
        assert "${{" not in step.get("run", ""), step["name"]
    assert set(action["outputs"]) >= {"exit-code", "sarif-file"}


def test_action_uses_the_current_majors(action):
    uses = {s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in action["runs"]["steps"] if "uses" in s}
    assert uses == {
        "actions/setup-python": "v7",
        "actions/cache/restore": "v5",
        "actions/cache/save": "v5",
        "github/codeql-action/upload-sarif": "v4",  # v3 runs on Node 20 and is deprecated
    }


def test_action_pip_cache_wiring(action):
    """pip's cache is restored before the install, used by it, and saved right after it."""
    steps = action["runs"]["steps"]
    by_id = {s["id"]: s for s in steps if "id" in s}
    restore, install, lint = by_id["pip-restore"], by_id["install"], by_id["lint"]
    save = next(s for s in steps if s.get("uses", "").startswith("actions/cache/save@"))
    order = [steps.index(x) for x in (by_id["python"], by_id["pip-cache"], restore, install, save, lint)]
    assert order == sorted(order)
    assert restore["with"] == {
        "path": "${{ steps.pip-cache.outputs.dir }}",
        "key": "${{ steps.pip-cache.outputs.key }}",
        "restore-keys": "${{ steps.pip-cache.outputs.restore-key }}",
    }
    assert save["with"] == {
        "path": "${{ steps.pip-cache.outputs.dir }}",
        "key": "${{ steps.pip-cache.outputs.key }}",
    }
    assert save["if"] == "steps.pip-restore.outputs.cache-hit != 'true'"
    assert install["env"]["PIP_CACHE_DIR"] == "${{ steps.pip-cache.outputs.dir }}"
    assert "no-cache" not in install["run"]


def run_step(action, step_id: str, tmp_path: Path, env: dict[str, str], cwd: Path | None = None):
    """Run a ``run`` step of the action as the runner would: bash, its ``env`` given by the
    caller (what the runner would evaluate), ``$GITHUB_OUTPUT`` a file; return the outputs."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not available")
    step = next(s for s in action["runs"]["steps"] if s.get("id") == step_id)
    assert step["shell"] == "bash"
    assert set(env) >= set(step.get("env", {})), "every env variable of the step is given"
    full = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_"))}
    full.pop("FORCE_COLOR", None)
    gh_out = tmp_path / f"github_output_{step_id}"
    gh_out.write_text("")
    full.update({"GITHUB_OUTPUT": str(gh_out), "NO_COLOR": "1", **env})
    proc = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=cwd or tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in gh_out.read_text().splitlines() if "=" in line)
    return outputs, proc


def test_action_pip_cache_step_keys_on_python_and_iamlints_dependencies(action, tmp_path):
    import hashlib

    env = {
        "IAMLINT_PYTHON": sys.executable,
        "IAMLINT_PYTHON_VERSION": "3.12.7",
        "IAMLINT_SOURCE": str(ROOT),
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_TEMP": str(tmp_path / "runner temp"),
    }
    outputs, proc = run_step(action, "pip-cache", tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    deps = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert outputs == {
        "dir": str(tmp_path / "runner temp" / "iamlint-pip-cache"),
        "key": f"iamlint-pip-Linux-X64-py3.12.7-{deps}",
        "restore-key": "iamlint-pip-Linux-X64-py3.12.7-",
    }


def test_action_install_step_uses_the_pip_cache(action, tmp_path):
    """The install step, with a stand-in interpreter that records what it is asked to do."""
    log = tmp_path / "calls.txt"
    stub = tmp_path / "python-stub"
    stub.write_text(
        "#!/bin/sh\n"
        'printf "%s|PIP_CACHE_DIR=%s\\n" "$*" "$PIP_CACHE_DIR" >> "$STUB_LOG"\n'
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi\n'
    )
    stub.chmod(0o755)
    temp = tmp_path / "runner temp"
    temp.mkdir()
    env = {
        "IAMLINT_PYTHON": str(stub),
        "IAMLINT_SOURCE": str(ROOT),
        "PIP_CACHE_DIR": str(temp / "iamlint-pip-cache"),
        "RUNNER_TEMP": str(temp),
        "STUB_LOG": str(log),
    }
    outputs, proc = run_step(action, "install", tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    venv_python = temp / "iamlint-venv" / "bin" / "python"
    assert outputs == {"python": str(venv_python)}
    cache = f"PIP_CACHE_DIR={temp / 'iamlint-pip-cache'}"
    assert log.read_text().splitlines() == [
        f"-m venv {temp / 'iamlint-venv'}|{cache}",
        f"-m pip install --disable-pip-version-check --quiet {ROOT}|{cache}",
    ]


def run_lint_step(action, tmp_path, **inputs) -> tuple[dict, subprocess.CompletedProcess, list[str]]:
    """Run the action's lint step, with this interpreter as the venv's behind a wrapper that
    records every time it is started; also return those command lines."""
    calls = tmp_path / "python-calls.txt"
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    if calls.exists():
        calls.unlink()
    env = {
        "IAMLINT_PYTHON": str(wrapper),
        "INPUT_PATHS": inputs.get("paths", "."),
        "INPUT_ARGS": inputs.get("args", ""),
        "INPUT_FAIL_ON": inputs.get("fail_on", ""),
        "INPUT_SARIF_FILE": inputs.get("sarif_file", "iamlint.sarif"),
        "INPUT_ANNOTATIONS": inputs.get("annotations", "false"),
    }
    env.update(inputs.get("env", {}))
    outputs, proc = run_step(action, "lint", tmp_path, env, cwd=inputs.get("cwd"))
    return outputs, proc, calls.read_text().splitlines() if calls.exists() else []


def test_action_lint_step_runs(action, tmp_path, run_cli):
    project = tmp_path / "repo"
    (project / "infra").mkdir(parents=True)
    shutil.copy(ADMIN, project / "infra" / "admin policy.json")
    (project / "clean.json").write_text(CLEAN_POLICY)
    shutil.copy(ADMIN, project / "skipped.json")
    outputs, proc, calls = run_lint_step(
        action, tmp_path, paths='"infra/admin policy.json"\n.', args="--exclude 'skip*.json'", cwd=project
    )
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"exit-code": "1", "sarif-file": "iamlint.sarif", "sarif-written": "true"}
    # iamlint ran once: the log comes from the SARIF report, not from a second run
    lints = [c for c in calls if c.startswith("-m iamlint ")]
    assert lints == [
        "-m iamlint --format sarif --output iamlint.sarif --exclude skip*.json -- infra/admin policy.json ."
    ]
    sarif = json.loads((project / "iamlint.sarif").read_text())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert uris == {"infra/admin%20policy.json"}  # percent-encoded, relative to %SRCROOT%
    text = run_cli("--exclude", "skip*.json", "infra/admin policy.json", ".", cwd=project).stdout
    log = proc.stdout.splitlines()
    assert log[:-1] == text.splitlines()[:-1]  # the findings as the text format prints them
    assert log[-1] == "2 findings (2 errors)."

    outputs, proc, calls = run_lint_step(
        action,
        tmp_path,
        paths="infra",
        fail_on="error",
        annotations="true",
        sarif_file="report.sarif",
        cwd=project,
        env={"GITHUB_WORKSPACE": str(project)},
    )
    assert outputs["exit-code"] == "1" and (project / "report.sarif").exists()
    assert len([c for c in calls if c.startswith("-m iamlint ")]) == 1
    direct = run_cli("-f", "github", "infra", cwd=project, env={"GITHUB_WORKSPACE": str(project)}).stdout
    assert proc.stdout == direct  # the same annotations as --format github
    assert proc.stdout.startswith("::error file=infra/admin policy.json,line=8,")

    outputs, proc, _ = run_lint_step(action, tmp_path, paths="clean.json", cwd=project)
    assert outputs["exit-code"] == "0" and proc.stdout == "no findings.\n"

    (project / "report.sarif").write_text("stale")
    outputs, proc, _ = run_lint_step(
        action, tmp_path, paths="missing.json", sarif_file="report.sarif", cwd=project
    )
    assert outputs["exit-code"] == "2"
    assert "iamlint: error: missing.json" in proc.stderr and "Traceback" not in proc.stderr


def test_action_inputs_cannot_inject_shell_code(action, tmp_path):
    (tmp_path / "clean.json").write_text(CLEAN_POLICY)
    outputs, proc, _ = run_lint_step(
        action, tmp_path, paths="clean.json $(touch pwned) `touch pwned2`", args="--exclude '$(touch pwned3)'"
    )
    assert not any((tmp_path / n).exists() for n in ("pwned", "pwned2", "pwned3"))
    assert outputs["exit-code"] == "2"  # the odd "paths" do not exist: a usage error, not code


@pytest.mark.parametrize(
    "event, head, upload_input, expected",
    [
        ("push", "", "true", "true"),
        ("pull_request", "acme/infra", "true", "true"),  # a branch of the repository itself
        ("pull_request", "someone/infra", "true", "false"),  # a fork: read-only token
        ("pull_request_review", "someone/infra", "true", "false"),
        ("pull_request", "", "true", "false"),  # the fork was deleted
        ("pull_request_target", "someone/infra", "true", "true"),  # runs with the base's token
        ("push", "", "false", "false"),
    ],
)
def test_action_skips_the_upload_on_pull_requests_from_forks(
    action, tmp_path, event, head, upload_input, expected
):
    env = {
        "INPUT_UPLOAD_SARIF": upload_input,
        "EVENT_NAME": event,
        "HEAD_REPOSITORY": head,
        "REPOSITORY": "acme/infra",
    }
    outputs, proc = run_step(action, "upload", tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    assert outputs == {"upload": expected}
    notice = [line for line in proc.stdout.splitlines() if line.startswith("::notice ")]
    if expected == "false" and upload_input == "true":
        assert len(notice) == 1 and "cannot upload to code scanning" in notice[0]
    else:
        assert notice == []


@pytest.mark.parametrize("code, message", [("1", "findings at or above fail-on"), ("2", "input errors")])
def test_action_fails_the_step_with_iamlints_exit_code(action, tmp_path, code, message):
    assert action["runs"]["steps"][-1]["id"] == "fail"
    outputs, proc = run_step(action, "fail", tmp_path, {"EXIT_CODE": code})
    assert proc.returncode == int(code)
    assert proc.stdout.startswith("::error title=iamlint::") and message in proc.stdout


# -- docs/ci.md and docs/editors.md ------------------------------------------------------------
FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)


def fences(doc: str, lang: str) -> list[str]:
    return [
        body
        for kind, body in FENCE.findall((ROOT / "docs" / doc).read_text(encoding="utf-8"))
        if kind == lang
    ]


def test_ci_doc_yaml_snippets_parse():
    blocks = fences("ci.md", "yaml")
    assert len(blocks) >= 4
    for body in blocks:
        assert yaml.safe_load(body) is not None
    gitlab = next(yaml.safe_load(b) for b in blocks if "codequality" in b)
    job = gitlab["iamlint"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert any("--format gitlab --output gl-code-quality-report.json" in line for line in job["script"])


def test_ci_snippets_use_versions_that_exist():
    """No snippet names a tag the repository does not have (v0.1.0 did not exist); a workflow
    that uploads SARIF has the permission to; other actions are at the majors action.yml uses."""
    docs = {name: (ROOT / name).read_text(encoding="utf-8") for name in ("README.md", "docs/ci.md")}
    tags: set[str] = set()
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        tags = set(listed.stdout.split())
    refs = []
    for name, text in docs.items():
        refs += [(name, r) for r in re.findall(r"iamlint/iamlint@([^\s\"'#]+)", text)]
        refs += [(name, r) for r in re.findall(r"^\s*rev: ([^\s#]+)", text, re.M)]
    assert len(refs) >= 8
    for name, ref in refs:
        ok = (
            ref == "main" or re.fullmatch(r"[0-9a-f]{40}", ref) or ref in tags or ref.startswith("<")
        )  # a placeholder in prose
        assert ok, f"{name}: {ref!r} is neither main, a commit SHA nor a tag of the repository"
    with open(ROOT / "action.yml", encoding="utf-8") as fh:
        action = yaml.safe_load(fh)
    majors = {
        s["uses"].split("@")[0]: s["uses"].split("@")[1] for s in action["runs"]["steps"] if "uses" in s
    }
    majors["actions/checkout"] = "v7"
    for name, text in docs.items():
        for used, major in re.findall(r"uses: ((?:actions|github)/[\w/-]+)@(v\d+)", text):
            assert majors.get(used) == major, f"{name}: {used}@{major}"
        for body in (b for k, b in FENCE.findall(text) if k == "yaml"):
            workflow = yaml.safe_load(body)
            if (
                isinstance(workflow, dict)
                and "jobs" in workflow
                and ("upload-sarif" in body or "iamlint/iamlint@" in body)
            ):
                assert workflow["permissions"]["security-events"] == "write", name


@pytest.fixture
def concise_output(registry, project) -> str:
    shutil.copy(WARN, project / "warn.json")
    return out("concise", lint(registry, "admin.json", "warn.json", "broken.json"))


def test_editors_vscode_problem_matcher_reads_the_concise_format(registry, concise_output, project):
    task = json.loads(next(b for b in fences("editors.md", "json") if "problemMatcher" in b))["tasks"][0]
    assert task["args"][:2] == ["--format", "concise"]
    matcher = task["problemMatcher"]
    assert "severity" not in matcher  # each finding's own severity, not "warning" for all
    pattern = matcher["pattern"]
    rx = re.compile(pattern["regexp"])
    odd = report_of(
        registry,
        finding(file="dir: with, odd.json", line=3, column=4, code="ACME101", severity=Severity.INFO),
    )
    rows = concise_output.splitlines() + out("concise", odd).splitlines()
    assert len(rows) >= 5
    keys = ("file", "line", "column", "endLine", "endColumn", "severity", "code")
    parsed = []
    for row in rows:
        m = rx.match(row)
        assert m, row
        parsed.append(tuple(m.group(pattern[k]) for k in keys) + (m.group(pattern["message"]),))
    assert ("admin.json", "8", "9", "8", "15", "error", "IAM101") in [p[:7] for p in parsed]
    assert any(p[0] == "warn.json" and p[5:7] == ("warning", "IAM102") for p in parsed)
    assert any(p[0] == "broken.json" and p[5:7] == ("error", "IAM900") for p in parsed)
    assert ("dir: with, odd.json", "3", "4", "3", "5", "info", "ACME101", "m") in parsed
    # the README's short version reads it the same way
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    short = json.loads(next(b for k, b in FENCE.findall(readme) if k == "json" and "problemMatcher" in b))
    assert short["tasks"][0]["problemMatcher"]["pattern"] == pattern


def vim_errorformat(snippet: str) -> str:
    return re.search(r"errorformat=((?:\\ |\S)+)", snippet).group(1)


def test_editors_vim_errorformat_reads_the_concise_format(concise_output, tmp_path):
    vim = shutil.which("vim") or shutil.which("nvim")
    if vim is None:
        pytest.skip("vim is not installed")
    snippet = next(b for b in fences("editors.md", "vim") if "errorformat" in b)
    efm = vim_errorformat(snippet)
    assert efm == "%f:%l:%c-%e.%k:\\ %t%*[a-z]:\\ %m"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert vim_errorformat(next(b for k, b in FENCE.findall(readme) if k == "vim")) == efm
    (tmp_path / "out.txt").write_text(concise_output)
    script = tmp_path / "check.vim"
    script.write_text(
        f"set errorformat={efm}\n"
        "cgetfile out.txt\n"
        "call writefile(map(getqflist(), {_, e -> join([bufname(e.bufnr), e.lnum, e.col, e.end_lnum,"
        " e.end_col, e.type, e.valid, e.text], '|')}), 'qf.txt')\n"
        "qa!\n"
    )
    subprocess.run(
        [vim, "-es", "-u", "NONE", "-i", "NONE", "-N", "-S", str(script)],
        cwd=tmp_path,
        timeout=60,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    entries = [row.split("|", 7) for row in (tmp_path / "qf.txt").read_text().splitlines()]
    rx = re.compile(r"^(.+?):(\d+):(\d+)-(\d+)\.(\d+): (\w)\w*: (.*)$")
    expected = [list(rx.match(row).groups()) for row in concise_output.splitlines()]
    assert [e[:6] + [e[7]] for e in entries] == expected
    assert all(e[6] == "1" for e in entries)
    assert {e[5] for e in entries} == {"e", "w"}  # errors and warnings, not all one kind
    assert entries[0][7].startswith("IAM101 ")


def test_editors_vim_makeprg_snippet_lints_a_path_with_spaces(tmp_path):
    """The on-save autocommand, run by Vim on a file whose path has spaces."""
    vim = shutil.which("vim")
    if vim is None:
        pytest.skip("vim is not installed")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "iamlint").exists():
        pytest.skip("the iamlint command is not installed next to this interpreter")
    (tmp_path / "dir with space").mkdir()
    shutil.copy(ADMIN, tmp_path / "dir with space" / "a b.json")
    (tmp_path / "snippet.vim").write_text(next(b for b in fences("editors.md", "vim") if "makeprg" in b))
    (tmp_path / "check.vim").write_text(
        "source snippet.vim\n"
        "edit dir\\ with\\ space/a\\ b.json\n"
        "write\n"
        "call writefile(map(getloclist(0), {_, e -> join([bufname(e.bufnr), e.lnum, e.col, e.end_col,"
        " e.type, e.valid], '|')}), 'll.txt')\n"
        "qa!\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    subprocess.run(
        [vim, "-es", "-u", "NONE", "-i", "NONE", "-N", "-S", "check.vim"],
        cwd=tmp_path,
        timeout=60,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
    )
    assert (tmp_path / "ll.txt").read_text().splitlines() == [
        "dir with space/a b.json|8|9|15|e|1",
        "dir with space/a b.json|20|17|20|e|1",
    ]


def run_emacs(tmp_path: Path, script: str) -> list[str]:
    emacs = shutil.which("emacs")
    if emacs is None:
        pytest.skip("emacs is not installed")
    (tmp_path / "check.el").write_text(script, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [emacs, "--batch", "-Q", "-l", "check.el"],
        cwd=tmp_path,
        timeout=60,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
    )
    assert "error" not in proc.stderr.lower(), proc.stderr
    return proc.stdout.splitlines()


def test_editors_emacs_compilation_mode_reads_the_concise_format(concise_output, tmp_path):
    """M-x compile: Emacs' built-in GNU pattern, with the range and the severity."""
    (tmp_path / "out.txt").write_text(concise_output)
    rows = run_emacs(
        tmp_path,
        """(require 'compile)
(with-current-buffer (get-buffer-create "*iamlint*")
  (insert-file-contents "out.txt")
  (compilation-mode)
  (font-lock-ensure)
  (goto-char (point-min))
  (while (not (eobp))
    (let ((msg (get-text-property (point) 'compilation-message)))
      (if (null msg)
          (princ "no match\\n")
        (let ((loc (compilation--message->loc msg))
              (end (compilation--message->end-loc msg)))
          (princ (format "%s|%s|%s|%s|%s\\n"
                         (caar (compilation--loc->file-struct loc))
                         (compilation--loc->line loc) (compilation--loc->col loc)
                         (and end (compilation--loc->line end))
                         (compilation--message->type msg))))))
    (forward-line 1)))
""",
    )
    rx = re.compile(r"^(.+?):(\d+):(\d+)-(\d+)\.(\d+): (\w+): ")
    kinds = {"error": "2", "warning": "1", "info": "0"}
    expected = []
    for row in concise_output.splitlines():
        file, line, col, end_line, _end_col, severity = rx.match(row).groups()
        expected.append(f"{file}|{line}|{col}|{end_line}|{kinds[severity]}")
    assert rows == expected


def test_editors_emacs_flymake_backend(tmp_path):
    """The Flymake backend of docs/editors.md, run by Emacs on buffers piped to iamlint."""
    snippet = next(b for b in fences("editors.md", "elisp") if "iamlint-flymake" in b)
    (tmp_path / "snippet.el").write_text(snippet, encoding="utf-8")
    (tmp_path / "dir with space").mkdir()
    shutil.copy(ADMIN, tmp_path / "dir with space" / "a b.json")
    shutil.copy(BROKEN, tmp_path / "broken.json")
    rows = run_emacs(
        tmp_path,
        """(require 'flymake)
(load-file "snippet.el")
(defun pos (p) (save-excursion (goto-char p) (format "%d:%d" (line-number-at-pos) (1+ (current-column)))))
(dolist (file '("dir with space/a b.json" "broken.json"))
  (with-current-buffer (find-file-noselect file)
    (let (got (n 0))
      (iamlint-flymake (lambda (diags &rest _) (setq got (or diags 'none))))
      (while (and (not got) (< n 600)) (accept-process-output nil 0.1) (setq n (1+ n)))
      (dolist (d (if (eq got 'none) nil got))
        (princ (format "%s|%s-%s|%s|%s\\n" file (pos (flymake-diagnostic-beg d)) (pos (flymake-diagnostic-end d))
                       (flymake-diagnostic-type d) (car (split-string (flymake-diagnostic-text d)))))))))
""",
    )
    assert rows[:2] == [
        "dir with space/a b.json|8:9-8:15|:error|IAM101",
        "dir with space/a b.json|20:17-20:20|:error|IAM101",
    ]
    assert [r.split("|")[2:] for r in rows[2:]] == [[":error", "IAM900"]]


def lua_pattern_to_regex(pattern: str) -> str:
    """The subset of Lua patterns the nvim-lint snippet uses, as a Python regular expression."""
    classes = {"d": r"\d", "a": "[A-Za-z]", "S": r"\S", "s": r"\s"}
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "%":
            nxt = pattern[i + 1]
            out.append(classes.get(nxt, re.escape(nxt)))
            i += 2
        elif c == "-" and out:
            out.append("*?")  # Lua's lazy repetition
            i += 1
        elif c == ".":
            out.append(".")
            i += 1
        else:
            out.append(c if c in "^$()+*?" else re.escape(c))
            i += 1
    return "".join(out)


def test_editors_nvim_lint_pattern_reads_the_concise_format(concise_output):
    snippet = next(b for b in fences("editors.md", "lua") if "from_pattern" in b)
    m = re.search(r'from_pattern\(\s*"([^"]+)",\s*\{([^}]*)\}', snippet)
    pattern, groups = m.group(1), re.findall(r'"(\w+)"', m.group(2))
    assert groups == ["lnum", "col", "end_lnum", "end_col", "severity", "code", "message"]
    for name in ("error", "warning", "info"):
        assert f"{name} = vim.diagnostic.severity." in snippet  # the severity map
    rx = re.compile(lua_pattern_to_regex(pattern))
    for row in concise_output.splitlines():
        got = dict(zip(groups, rx.match(row).groups(), strict=True))
        line, rest = row.split(":", 1)[1], row
        assert rest.endswith(f"{got['code']} {got['message']}")
        assert got["severity"] in ("error", "warning")
        assert line.startswith(f"{got['lnum']}:{got['col']}-{got['end_lnum']}.{got['end_col']}: ")
