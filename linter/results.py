"""The run report: what a run found, file by file, as every reporter and the baseline read it.

Every file given or found ends in exactly one `FileReport` with a status:

- ``policies``: IaC that holds at least one policy document;
- ``no-policies``: IaC (a template, a Terraform file, a plan) without policy documents;
- ``not-iac``: neither a policy, a template, Terraform nor a plan (skipped quietly);
- ``error``: could not be read or parsed (an IAM900 diagnostic says where and why);
- ``config``: a configuration file that holds findings about itself (IAM901).

`fingerprint` identifies a finding across edits, for baselines, SARIF and GitLab.

Every format names a file the same way (`display_path`): relative to the working directory
when the file lies inside it (a configuration file found by walking up, a path given as
absolute), else as given.

Text from the input reaches text formats (``text``, ``concise``, ``github``) only through
`escape_controls`: a control character (ESC, BEL, CR, LF, NUL, the C1 controls) or a
bidirectional override in a policy value, a file name or a reason would otherwise move a
reviewer's cursor, recolour their terminal, forge a GitHub workflow command or break the one
line per finding that editors read; it is written as a ``\\x1b``, ``\\n`` or ``\\u202e`` escape.

Text from the input may hold lone surrogates (a JSON ``"\\ud800"`` escape, a file name that
is not UTF-8, which Python holds as ``"\\udcff"``) that no encoding can write. One policy, for
every output: a fingerprint hashes them losslessly (UTF-8 with ``surrogatepass``, the same
bytes as plain UTF-8 for any other text); text formats show them as ``\\ud800`` escapes
(`escape_surrogates`); JSON formats write them as JSON ``\\ud800`` escapes (``json.dump``
with ``ensure_ascii``), so a reader gets the exact string back; JUnit XML, which cannot carry
them, shows them as ``\\ud800`` text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from .diagnostics import INPUT_ERRORS
from .model import Finding, PolicyDocument, Severity, Span

if TYPE_CHECKING:
    from .registry import Registry


class DocumentInfo(NamedTuple):
    """One policy document a file holds, as ``--format json`` lists it for audits: what kind
    iamlint took it for, who holds it and where it is."""

    kind: str
    format: str
    owner: str | None
    owner_type: str | None
    path: str  # the property path inside the owner ("" for a whole raw policy file)
    construct: str | None
    statements: int
    span: Span

    @classmethod
    def of(cls, doc: PolicyDocument) -> DocumentInfo:
        o = doc.origin
        return cls(
            doc.kind.value,
            o.format,
            o.owner,
            o.owner_type,
            o.path,
            o.construct,
            len(doc.statements),
            doc.span,
        )


@dataclass
class FileReport:
    path: str
    status: str
    format: str | None = None
    documents: int = 0
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)  # hidden, and why
    #: the documents counted in ``documents``, in file order
    document_info: tuple[DocumentInfo, ...] = ()


@dataclass
class RunReport:
    files: list[FileReport]
    registry: Registry
    usage_errors: list[str] = field(default_factory=list)
    #: reporter options from the command line: show_source (bool), statistics (bool),
    #: fail_on (the lowest severity that fails the run: "error", "warning" or "info")
    options: dict[str, Any] = field(default_factory=dict)
    #: findings hidden by suppressions: (finding, reason)
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)
    baselined: int = 0
    baseline_stale: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def scanned(self) -> list[FileReport]:
        """The files given or found (not the configuration files that hold IAM901 findings)."""
        return [f for f in self.files if f.status != "config"]

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files)

    @property
    def has_input_errors(self) -> bool:
        return bool(self.usage_errors) or any(f.code in INPUT_ERRORS for f in self.findings)

    def by_severity(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            if f.code not in INPUT_ERRORS:
                out[f.severity.value] += 1
        return out


def fingerprint(f: Finding) -> str:
    """A line-independent fingerprint: code, file, owner and offending value.

    Moving lines or editing unrelated parts of the file leaves it unchanged, so baselines
    and SARIF ``partialFingerprints`` survive edits. The file is named as every report names
    it (`display_path`, with ``/``), so a finding in a configuration file found by walking
    up, or in a file given by its absolute path, does not depend on where the repository is
    checked out.
    """
    import hashlib

    path = display_path(f.span.file).replace("\\", "/")
    key = "\x1f".join((f.code, path, f.owner or "", f.value or f.message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def display_path(path: str) -> str:
    """``path`` as reports show it: relative to the working directory when it lies inside it
    (with the platform's separator), else unchanged (a relative path as given, ``../x``, a
    file elsewhere)."""
    if not path or not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except (ValueError, OSError):  # another drive on Windows; a working directory deleted
        return path
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return rel


#: C0 and C1 controls, DEL, line and paragraph separators and the bidirectional formatting
#: characters (which reorder what a terminal shows: "Trojan Source")
CONTROLS = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_char(ch: str) -> str:
    """One character as a visible escape: ``\\n``, ``\\x1b``, ``\\u202e``."""
    o = ord(ch)
    return _NAMED.get(ch) or (f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")


def escape_controls(text: str) -> str:
    """``text`` with every control or bidirectional formatting character written as an escape
    (see `escape_char`), so it prints as one inert line on any terminal; other text unchanged."""
    pattern = re.compile(CONTROLS)  # compiled on first use (re caches it), not at start-up
    if not pattern.search(text):
        return text
    return pattern.sub(lambda m: escape_char(m.group()), text)


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as a ``\\ud800`` escape: encodable as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
