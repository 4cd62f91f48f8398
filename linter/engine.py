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
from dataclasses import dataclass, field, replace
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
    suppressed: list = field(default_factory=list)  # (finding, why) hidden by suppressions


@dataclass
class RunReport:
    files: list[FileReport]
    registry: Registry
    usage_errors: list[str] = field(default_factory=list)
    #: reporter options from the command line: show_source (bool), statistics (bool)
    options: dict[str, Any] = field(default_factory=dict)
    #: findings hidden by suppressions: (finding, reason); stale baseline entries
    suppressed: list = field(default_factory=list)
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
        return bool(self.usage_errors) or any(
            f.code in INPUT_ERROR_CODES for f in self.findings
        )

    def by_severity(self) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            if f.code not in INPUT_ERROR_CODES:
                out[f.severity.value] += 1
        return out


INPUT_ERROR_CODES = {"IAM900", "IAM903", "IAM904"}


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
_TEXT_SUPPRESSIBLE = (".yaml", ".yml", ".template", ".tf")


class Linter:
    """Runs the enabled rules of one configuration on extractions, then filters the findings."""

    def __init__(self, registry: Registry, config=None, select=None):
        from .config import Config

        self.registry = registry
        self.config = config or Config()
        self.settings = self.config.settings()
        enabled = select or self.config.enabled
        rules = [r for r in registry if enabled(r.code)]
        instances = [r() for r in rules]
        self.statement_rules = [r for r in instances if r.takes_part_in("statement")]
        self.document_rules = [r for r in instances if r.takes_part_in("document")]
        self.principal_rules = [r for r in instances if r.takes_part_in("principal")]
        self.enabled = {r.code for r in rules}
        self.known_codes = {r.code for r in registry}
        from .suppress import from_config

        self.config_suppressions = from_config(self.config)

    def check(self, ex: Extraction) -> list[Finding]:
        ctx = Context(tuple(ex.documents), tuple(ex.principals), self.settings)
        out: list[Finding] = [d for d in ex.diagnostics if d.code in self.enabled or d.code in INPUT_ERROR_CODES]
        for doc in ex.documents:
            for rule in self.document_rules:
                out.extend(self._call(rule, doc.span, rule.check_document, doc, ctx))
            for stmt in doc.statements:
                for rule in self.statement_rules:
                    out.extend(self._call(rule, stmt.span, rule.check_statement, stmt, doc, ctx))
        for principal in ex.principals:
            for rule in self.principal_rules:
                out.extend(self._call(rule, principal.span, rule.check_principal, principal, ctx))
        return out

    @staticmethod
    def _call(rule, span: Span, fn, *args) -> list[Finding]:
        try:
            return list(fn(*args) or ())
        except Exception as e:  # a rule bug must not hide the other findings
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            return [internal_error(span, f"rule {rule.code} failed: {type(e).__name__}: {e}")]

    # -- per file: configuration, suppressions --------------------------------------------------
    def finish(self, path: str, ex: Extraction | None, findings: list[Finding], text: str | None) -> FileReport:
        """Filter one file's findings (per-file ignores, severities, suppressions) into its report."""
        from . import suppress

        if ex is None:
            return FileReport(path, "not-iac")
        cfg = self.config
        kept: list[Finding] = []
        for f in findings:
            if cfg.ignored_in(f.code, path):
                continue
            sev = cfg.severity_of(f.code)
            kept.append(replace(f, severity=Severity(sev)) if sev else f)
        sups: list = [s for s in getattr(ex, "suppressions", ()) if s.span.file == path]
        problems: list[Finding] = []
        if text is not None and path.lower().endswith(_TEXT_SUPPRESSIBLE):
            ranges = suppress.statement_ranges(path, ex.documents)
            found, problems = suppress.from_comments(path, text, ranges, self.known_codes, cfg.require_reason)
            sups.extend(found)
        kept, hidden = suppress.apply(
            kept, sups + self.config_suppressions, cfg.relative(path), ex.documents
        )
        if "IAM901" in self.enabled:
            kept.extend(suppress.unused(s) for s in sups if s.used == 0)
        kept.extend(problems)
        status = "policies" if ex.documents else "no-policies"
        if any(f.code == "IAM900" for f in kept) and not ex.documents:
            status = "error"
        return FileReport(path, status, ex.format, len(ex.documents), _dedupe(kept), hidden)

    def report(self, path: str, ex: Extraction | None, text: str | None = None) -> FileReport:
        if ex is None:
            return FileReport(path, "not-iac")
        own = [f for f in self.check(ex) if f.span.file == path or not f.span.file]
        return self.finish(path, ex, own, text)

    def run(self, paths: Iterable[str], exclude: Iterable[str] = ()) -> "RunReport":
        """Lint paths with this linter's registry and defaults (no configuration files)."""
        return Engine(self.registry).run(paths, exclude)

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
        return [self.report(path, ex, text)]

    def lint_module(self, directory: str, given: list[str], texts: dict[str, str] | None = None) -> list[FileReport]:
        """Lint the Terraform files ``given`` with their whole module as context."""
        texts = texts or {}
        try:
            from .sources import terraform

            results = terraform.extract_module(directory, given, texts)
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            results = {
                p: Extraction("terraform", diagnostics=[internal_error(Span(p, 1, 1, 1, 2), f"{type(e).__name__}: {e}")])
                for p in given
            }
        reports: list[FileReport] = []
        # findings inside files a module reads (file("policy.json")) belong to those files
        elsewhere: dict[str, tuple[Extraction, list[Finding]]] = {}
        for path in given:
            ex = results.get(path)
            if ex is None:
                reports.append(FileReport(path, "not-iac"))
                continue
            findings = self.check(ex)
            own = [f for f in findings if f.span.file == path or not f.span.file]
            text = texts.get(path)
            if text is None:
                text, _err = read(path)
            reports.append(self.finish(path, ex, own, text))
            for f in findings:
                if f.span.file and f.span.file != path:
                    elsewhere.setdefault(f.span.file, (ex, []))[1].append(f)
        for other, (ex, fs) in sorted(elsewhere.items()):
            docs = [d for d in ex.documents if d.span.file == other]
            sub = Extraction("json", documents=docs)
            reports.append(self.finish(other, sub, fs, None))
        return reports


@dataclass(frozen=True)
class Unit:
    """One piece of work: a file, or the given .tf files of one Terraform module."""

    kind: str  # "file" or "module"
    paths: tuple[str, ...]
    config: Any
    texts: tuple[tuple[str, str], ...] = ()


_LINTERS: dict[str, Linter] = {}
#: the registry of the running Engine; worker processes inherit it when forked
_REGISTRY: Registry | None = None


def _linter_for(config) -> Linter:
    key = repr(config)
    if key not in _LINTERS:
        from .registry import default_registry

        _LINTERS[key] = Linter(_REGISTRY or default_registry(), config)
    return _LINTERS[key]


def run_unit(unit: Unit) -> tuple[list[FileReport], dict]:
    """Lint one unit; return its reports and the use counts of configuration suppressions."""
    linter = _linter_for(unit.config)
    for s in linter.config_suppressions:
        s.used = 0
    texts = dict(unit.texts)
    if unit.kind == "module":
        directory = os.path.dirname(unit.paths[0]) or "."
        reports = linter.lint_module(directory, list(unit.paths), texts)
    else:
        path = unit.paths[0]
        if path in texts:
            reports = linter.lint_text(path, texts[path])
        else:
            text, err = read(path)
            reports = [FileReport(path, "error", None, 0, [err])] if err else linter.lint_text(path, text)
    used = {s.key: s.used for s in linter.config_suppressions}
    return reports, used


class Engine:
    """Discovery, configuration per file, work units (in parallel with ``jobs`` > 1), the report."""

    def __init__(self, registry: Registry, resolver=None, jobs: int = 1, progress=None):
        from .config import Resolver

        self.registry = registry
        self.resolver = resolver or Resolver(registry, isolated=True)
        self.jobs = max(1, jobs)
        self.progress = progress

    def units(self, paths: Iterable[str], exclude: Iterable[str] = (), texts: dict[str, str] | None = None):
        texts = texts or {}
        paths = list(paths)
        virtual = [p for p in paths if p in texts and not os.path.exists(p)]  # unsaved buffers
        files, errors = discover([p for p in paths if p not in virtual], exclude)
        files = sorted(files + [(p, True) for p in virtual])
        units: list[Unit] = []
        modules: dict[tuple[str, str], list[str]] = {}
        configs: dict[str, Any] = {}
        for path, _explicit in files:
            cfg = self.resolver.for_path(path)
            if cfg.excluded(path):
                continue
            if path.lower().endswith(".tf"):
                key = (os.path.dirname(path) or ".", repr(cfg))
                modules.setdefault(key, []).append(path)
                configs[repr(cfg)] = cfg
                continue
            t = ((path, texts[path]),) if path in texts else ()
            units.append(Unit("file", (path,), cfg, t))
        for (directory, ckey), given in sorted(modules.items()):
            t = tuple((p, texts[p]) for p in given if p in texts)
            units.append(Unit("module", tuple(given), configs[ckey], t))
        return units, errors

    def run(self, paths: Iterable[str], exclude: Iterable[str] = (), texts: dict[str, str] | None = None) -> RunReport:
        global _REGISTRY
        if _REGISTRY is not self.registry:
            _REGISTRY = self.registry
            _LINTERS.clear()
        units, errors = self.units(paths, exclude, texts)
        results = self._execute(units)
        merged: dict[str, FileReport] = {}
        usage: dict[tuple, int] = {}
        for reports, used in results:
            for k, n in used.items():
                usage[k] = usage.get(k, 0) + n
            for r in reports:
                if r.path in merged:  # a file reached twice (directly, and through a module's file())
                    m = merged[r.path]
                    m.findings = _dedupe(m.findings + r.findings)
                    m.suppressed = sorted(m.suppressed + r.suppressed, key=lambda h: (h[0].sort_key(), h[1]))
                    m.documents = max(m.documents, r.documents)
                    if _STATUS_RANK[r.status] > _STATUS_RANK[m.status]:
                        m.status = r.status
                    m.format = min(x for x in (m.format, r.format, "~") if x)
                else:
                    merged[r.path] = r
        files = sorted(merged.values(), key=lambda r: r.path)
        files.extend(self._unused_config_entries(units, usage))
        suppressed = [h for fr in files for h in fr.suppressed]
        return RunReport(files, self.registry, errors, suppressed=suppressed)

    def _execute(self, units: list[Unit]):
        progress = self.progress
        if progress:
            progress.start(len(units))
        results = []
        if self.jobs > 1 and len(units) >= 16:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            # largest first, in small chunks, so that no process is left with the big files at
            # the end; the report is sorted by path afterwards, so the order does not show
            ordered = sorted(units, key=_unit_size, reverse=True)
            with ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context(method)) as pool:
                for res in pool.map(run_unit, ordered, chunksize=4):
                    results.append(res)
                    if progress:
                        progress.advance()
        else:
            for unit in units:
                results.append(run_unit(unit))
                if progress:
                    progress.advance()
        if progress:
            progress.finish()
        return results

    def _unused_config_entries(self, units: list[Unit], usage: dict[tuple, int]) -> list[FileReport]:
        """IAM901 for configuration entries no unit used, reported in the configuration file."""
        from .suppress import from_config, unused

        out: dict[str, FileReport] = {}
        seen = set()
        for unit in units:
            cfg = unit.config
            if cfg.path is None or cfg.path in seen or not cfg.enabled("IAM901"):
                continue
            seen.add(cfg.path)
            for s in from_config(cfg):
                if usage.get(s.key, 0) == 0:
                    fr = out.setdefault(cfg.path, FileReport(cfg.path, "config"))
                    fr.findings.append(unused(s))
        return list(out.values())


_STATUS_RANK = {"config": 0, "not-iac": 1, "no-policies": 2, "policies": 3, "error": 4}


def _unit_size(unit: Unit) -> int:
    total = 0
    for p in unit.paths:
        try:
            total += os.path.getsize(p)
        except OSError:
            pass
    return total


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (code, place, message), whatever order the work units finished in.

    A policy file linted on its own and also read by a Terraform module's file() gives the
    same finding twice; the one that names its owner (the module's resource) is kept.
    """
    seen = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.sort_key(), f.owner is None, f.owner or "")):
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
