"""The run report: what a run found, file by file, as every reporter and the baseline read it.

Every file given or found ends in exactly one `FileReport` with a status:

- ``policies``: IaC that holds at least one policy document;
- ``no-policies``: IaC (a template, a Terraform file, a plan) without policy documents;
- ``not-iac``: neither a policy, a template, Terraform nor a plan (skipped quietly);
- ``error``: could not be read or parsed (an IAM900 diagnostic says where and why);
- ``config``: a configuration file that holds findings about itself (IAM901).

`fingerprint` identifies a finding across edits, for baselines, SARIF and GitLab.

Text from the input may hold lone surrogates (a JSON ``"\\ud800"`` escape, a file name that
is not UTF-8, which Python holds as ``"\\udcff"``) that no encoding can write. One policy, for
every output: a fingerprint hashes them losslessly (UTF-8 with ``surrogatepass``, the same
bytes as plain UTF-8 for any other text); text formats show them as ``\\ud800`` escapes
(`escape_surrogates`); JSON formats write them as JSON ``\\ud800`` escapes (``json.dump``
with ``ensure_ascii``), so a reader gets the exact string back; JUnit XML, which cannot carry
them, shows them as ``\\ud800`` text.
"""

from __future__ import annotations

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
    #: reporter options from the command line: show_source (bool), statistics (bool)
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
    and SARIF ``partialFingerprints`` survive edits.
    """
    import hashlib

    key = "\x1f".join((f.code, f.span.file.replace("\\", "/"), f.owner or "", f.value or f.message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def escape_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written as a ``\\ud800`` escape: encodable as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
