"""The engine: find files, read them, extract documents, run the rules, account for every file.

Every file given or found ends in exactly one `FileReport` with a status:

- ``policies``: IaC that holds at least one policy document;
- ``no-policies``: IaC (a template, a Terraform file, a plan) without policy documents;
- ``not-iac``: neither a policy, a template, Terraform nor a plan (skipped quietly);
- ``error``: could not be read or parsed (an IAM900 diagnostic says where and why).

Output order is deterministic: files sorted by path, findings by line, column and code.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from typing import Any, Iterable

from .model import Finding, Severity, Span
from .registry import Context, Registry
from .sources import Extraction, diagnostic, parse_error

EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")
SKIP_DIRS = {".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".venv"}
MAX_BYTES = 32 * 1024 * 1024


@dataclass
class FileReport:
    path: str
    status: str
    format: str | None = None
    documents: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RunReport:
    files: list[FileReport]
    registry: Registry
    usage_errors: list[str] = field(default_factory=list)
    #: reporter options from the command line: show_source (bool), statistics (bool)
    options: dict[str, Any] = field(default_factory=dict)
    #: findings hidden by suppressions: (finding, reason); stale baseline entries
    suppressed: list = field(default_factory=list)
    baseline_stale: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files)

    @property
    def has_input_errors(self) -> bool:
        return bool(self.usage_errors) or any(
            f.code in INPUT_ERROR_CODES for f in self.findings
        )

    def by_severity(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            if f.code not in INPUT_ERROR_CODES:
                out[f.severity.value] += 1
        return out


INPUT_ERROR_CODES = {"IAM900", "IAM903"}


# -- discovery ---------------------------------------------------------------------------------
def _excluded(path: str, patterns: Iterable[str]) -> bool:
    norm = path.replace(os.sep, "/")
    if norm.startswith("./"):
        norm = norm[2:]
    base = os.path.basename(norm)
    for pat in patterns:
        p = pat.rstrip("/")
        if fnmatch.fnmatch(norm, p) or fnmatch.fnmatch(base, p) or fnmatch.fnmatch(norm, p + "/*"):
            return True
        if "/" not in p and any(fnmatch.fnmatch(part, p) for part in norm.split("/")):
            return True
    return False


def discover(paths: Iterable[str], exclude: Iterable[str] = ()) -> tuple[list[tuple[str, bool]], list[str]]:
    """Return ([(path, given_explicitly)], [usage errors]) in a stable order."""
    exclude = list(exclude)
    found: dict[str, bool] = {}
    errors: list[str] = []
    for raw in paths:
        path = os.path.normpath(raw)
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if d not in SKIP_DIRS and not _excluded(os.path.join(root, d), exclude)
                )
                for name in sorted(files):
                    if name.lower().endswith(EXTENSIONS):
                        full = os.path.normpath(os.path.join(root, name))
                        if not _excluded(full, exclude):
                            found.setdefault(full, False)
        elif os.path.exists(path):
            if not _excluded(path, exclude):
                found[path] = True
        else:
            errors.append(f"{raw}: no such file or directory")
    return sorted(found.items()), errors


# -- reading -----------------------------------------------------------------------------------
def decode(path: str, data: bytes) -> tuple[str | None, Finding | None]:
    """Bytes to text: UTF-8 with an optional BOM; CRLF becomes LF (positions are unchanged)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, parse_error(path, "file is UTF-16 encoded; iamlint reads UTF-8 files")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = len(data[data.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        return None, parse_error(
            path, f"invalid UTF-8 (byte 0x{data[e.start]:02x}); iamlint reads UTF-8 files", line, col
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def read(path: str) -> tuple[str | None, Finding | None]:
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            return None, parse_error(
                path, f"file is {size // (1024 * 1024)} MiB, over the {MAX_BYTES // (1024 * 1024)} MiB limit"
            )
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        return None, parse_error(path, f"cannot read file: {e.strerror or e}")
    return decode(path, data)


# -- running -----------------------------------------------------------------------------------
class Linter:
    def __init__(self, registry: Registry, settings: dict[str, Any] | None = None, select=None):
        self.registry = registry
        self.settings = settings or {}
        rules = [r for r in registry if select is None or select(r.code)]
        self.statement_rules = [r() for r in rules if r.scope == "statement"]
        self.document_rules = [r() for r in rules if r.scope == "document"]
        self.principal_rules = [r() for r in rules if r.scope == "principal"]
        self.enabled = {r.code for r in rules}

    def check(self, ex: Extraction) -> list[Finding]:
        ctx = Context(tuple(ex.documents), tuple(ex.principals), self.settings)
        out: list[Finding] = [d for d in ex.diagnostics if d.code in self.enabled or d.code in INPUT_ERROR_CODES]
        for doc in ex.documents:
            for rule in self.document_rules:
                out.extend(self._call(rule, doc.span, rule.check, doc, ctx))
            for stmt in doc.statements:
                for rule in self.statement_rules:
                    out.extend(self._call(rule, stmt.span, rule.check, stmt, doc, ctx))
        for principal in ex.principals:
            for rule in self.principal_rules:
                out.extend(self._call(rule, principal.span, rule.check, principal, ctx))
        return out

    @staticmethod
    def _call(rule, span: Span, fn, *args) -> list[Finding]:
        try:
            return list(fn(*args) or ())
        except Exception as e:  # a rule bug must not hide the other findings
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            return [internal_error(span, f"rule {rule.code} failed: {type(e).__name__}: {e}")]

    def report(self, path: str, ex: Extraction | None) -> FileReport:
        if ex is None:
            return FileReport(path, "not-iac")
        findings = self.check(ex)
        own = [f for f in findings if f.span.file == path or not f.span.file]
        status = "policies" if ex.documents else "no-policies"
        if any(f.code == "IAM900" for f in own) and not ex.documents:
            status = "error"
        return FileReport(path, status, ex.format, len(ex.documents), _dedupe(own))

    def lint_text(self, path: str, text: str) -> list[FileReport]:
        """Lint one non-Terraform file's text (also used for stdin)."""
        try:
            from .sources import extract_file

            ex = extract_file(path, text)
        except RecursionError:
            ex = _error_extraction(path, "document nested too deeply to read")
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            ex = Extraction("unknown", diagnostics=[internal_error(Span(path, 1, 1, 1, 2), f"{type(e).__name__}: {e}")])
        return [self.report(path, ex)]

    def lint_module(self, directory: str, given: list[str], texts: dict[str, str] | None = None) -> list[FileReport]:
        """Lint the Terraform files ``given`` with their whole module as context."""
        try:
            from .sources import terraform

            results = terraform.extract_module(directory, given, texts or {})
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            results = {
                p: Extraction("terraform", diagnostics=[internal_error(Span(p, 1, 1, 1, 2), f"{type(e).__name__}: {e}")])
                for p in given
            }
        reports: list[FileReport] = []
        for path in given:
            reports.append(self.report(path, results.get(path)))
        # findings inside files a module reads (file("policy.json")) belong to those files
        extra: dict[str, list[Finding]] = {}
        for path in given:
            ex = results.get(path)
            if ex is None:
                continue
            for f in self.check(ex):
                if f.span.file and f.span.file != path:
                    extra.setdefault(f.span.file, []).append(f)
        for other, fs in sorted(extra.items()):
            target = next((r for r in reports if r.path == other), None)
            if target is None:
                target = FileReport(other, "policies", "json", 0)
                reports.append(target)
            target.findings = _dedupe(target.findings + fs)
        return reports

    def run(self, paths: Iterable[str], exclude: Iterable[str] = ()) -> RunReport:
        files, errors = discover(paths, exclude)
        reports: list[FileReport] = []
        modules: dict[str, list[str]] = {}
        for path, _explicit in files:
            if path.lower().endswith(".tf"):
                modules.setdefault(os.path.dirname(path) or ".", []).append(path)
                continue
            text, err = read(path)
            if err is not None:
                reports.append(FileReport(path, "error", None, 0, [err]))
                continue
            reports.extend(self.lint_text(path, text))
        for directory, given in sorted(modules.items()):
            reports.extend(self.lint_module(directory, given))
        merged: dict[str, FileReport] = {}
        for r in reports:
            if r.path in merged:
                m = merged[r.path]
                m.findings = _dedupe(m.findings + r.findings)
                m.documents = max(m.documents, r.documents)
            else:
                merged[r.path] = r
        return RunReport(sorted(merged.values(), key=lambda r: r.path), self.registry, errors)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen = set()
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        k = (f.code, f.span, f.message)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def internal_error(span: Span, message: str) -> Finding:
    return diagnostic(
        "IAM903", "internal-error", f"{message} (a bug in iamlint or a plugin; please report it)", span
    )


def _error_extraction(path: str, message: str) -> Extraction:
    return Extraction("unknown", diagnostics=[parse_error(path, message)])
