"""``junit``: JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins, ...).

One ``<testsuite name="iamlint">`` (inside a ``<testsuites>`` root, which every consumer
reads) with one ``<testcase classname="iamlint" name="PATH">`` per file scanned, so clean
files show as passing tests. The report agrees with the exit code:

- each finding at or above ``--fail-on`` (``fail-on`` in the configuration; default
  ``info``: every finding) is a ``<failure type="CODE" message="...">`` whose text is the
  ``text`` format's line (``path:line:col: CODE [severity] message (rule-name)``);
- findings below it do not fail the run, so they do not fail the test case either: they are
  listed, one ``text`` line each, in its ``<system-out>`` (a file with only warnings under
  ``--fail-on error`` passes, with its warnings in its output);
- a file that could not be fully checked (an input error: IAM900 parse-error, IAM903
  internal-error, IAM904 invalid-suppression) is an ``<error>`` per input error instead,
  and whatever was found in it anyway is listed in its ``<system-out>``;
- a file that is not IaC (not a policy, template, Terraform file or plan) is ``<skipped>``;
- a path that does not exist (a usage error) is a test case with an ``<error>``, so the
  report does not look green when the run exited 2.

A test case is either passed, failed, in error or skipped, never two of them, and the
counts are those of the test cases: ``tests`` test cases, of which ``failures`` have
``<failure>`` elements, ``errors`` ``<error>`` elements and ``skipped`` a ``<skipped>``.

The document is built with ElementTree, so it is always well-formed; characters XML 1.0
cannot carry (control characters, lone surrogates from a JSON ``\\ud800`` escape) are
written as ``\\xNN``/``\\uNNNN`` text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..diagnostics import INPUT_ERRORS
from ..model import Finding, Severity
from ..results import RunReport, display_path

_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    def repl(m: re.Match) -> str:
        c = ord(m.group())
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _INVALID_XML.sub(repl, text)


def line(f: Finding) -> str:
    s = f.span
    owner = f" [{f.owner}]" if f.owner else ""
    return f"{display_path(s.file)}:{s.line}:{s.column}: {f.code} [{f.severity.value}] {f.message}{owner} ({f.name})"


def _sub(parent: ET.Element, tag: str, attrs: dict[str, str], text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def build(report: RunReport) -> ET.Element:
    threshold = Severity((report.options or {}).get("fail_on") or "info").rank
    suite = ET.Element("testsuite", {"name": "iamlint"})
    tests = failures = errors = skipped = 0
    for fr in report.files:
        tests += 1
        path = display_path(fr.path)
        case = _sub(suite, "testcase", {"classname": "iamlint", "name": path, "file": path})
        input_errors = [f for f in fr.findings if f.code in INPUT_ERRORS]
        failing = [f for f in fr.findings if f.code not in INPUT_ERRORS and f.severity.rank >= threshold]
        kind, elements = ("error", input_errors) if input_errors else ("failure", failing)
        for f in elements:
            message = f.message + (f" [{f.owner}]" if f.owner else "")
            _sub(case, kind, {"type": f.code, "message": message}, line(f))
        shown = {id(f) for f in elements}
        listed = [line(f) for f in fr.findings if id(f) not in shown]
        if listed:
            _sub(case, "system-out", {}, "\n".join(listed))
        if input_errors:
            errors += 1
        elif failing:
            failures += 1
        elif fr.status == "not-iac":
            skipped += 1
            _sub(case, "skipped", {"message": "not a policy, template, Terraform file or plan"})
    for err in report.usage_errors:
        tests += 1
        errors += 1
        case = _sub(suite, "testcase", {"classname": "iamlint", "name": err})
        _sub(case, "error", {"type": "usage", "message": err}, err)
    counts = {"tests": str(tests), "failures": str(failures), "errors": str(errors), "skipped": str(skipped)}
    suite.attrib.update(counts)
    root = ET.Element(
        "testsuites", {"name": "iamlint", **{k: v for k, v in counts.items() if k != "skipped"}}
    )
    root.append(suite)
    return root


def render(report: RunReport, out: TextIO, color: bool) -> None:
    root = build(report)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
