"""``junit``: JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins, ...).

One ``<testsuite name="iamlint">`` (inside a ``<testsuites>`` root, which every consumer
reads) with one ``<testcase classname="iamlint" name="PATH">`` per file scanned, so clean
files show as passing tests:

- each finding is a ``<failure type="CODE" message="...">`` whose text is the ``text``
  format's line (``path:line:col: CODE [severity] message (rule-name)``);
- a file that could not be read or parsed (IAM900) or that hit an internal error (IAM903)
  gets an ``<error>`` for it instead, since nothing in it was checked;
- a file that is not IaC (not a policy, template, Terraform file or plan) is ``<skipped>``;
- a path that does not exist (a usage error) is a test case with an ``<error>``, so the
  report does not look green when the run exited 2.

Counts follow the JUnit schema: ``tests`` test cases, of which ``errors`` have an error,
``failures`` have failures (and no error) and ``skipped`` were skipped.

The document is built with ElementTree, so it is always well-formed; characters XML 1.0
cannot carry (control characters, lone surrogates from a JSON ``\\ud800`` escape) are
written as ``\\xNN``/``\\uNNNN`` text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..diagnostics import INPUT_ERRORS
from ..model import Finding
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
    suite = ET.Element("testsuite", {"name": "iamlint"})
    tests = failures = errors = skipped = 0
    for fr in report.files:
        tests += 1
        path = display_path(fr.path)
        case = _sub(suite, "testcase", {"classname": "iamlint", "name": path, "file": path})
        has_error = has_failure = False
        for f in fr.findings:
            message = f.message + (f" [{f.owner}]" if f.owner else "")
            if f.code in INPUT_ERRORS:
                has_error = True
                _sub(case, "error", {"type": f.code, "message": message}, line(f))
            else:
                has_failure = True
                _sub(case, "failure", {"type": f.code, "message": message}, line(f))
        if has_error:
            errors += 1
        elif has_failure:
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
