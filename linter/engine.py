"""The engine: the pipeline from paths to a run report.

discover (`iamlint.discover`) -> parse and extract (`iamlint.extract`) -> rules
(`iamlint.check`) -> select and suppress (`iamlint.config`, `iamlint.suppress`) -> the
`RunReport` (`iamlint.results`) that reporters render.

Work comes in units: a file, or the given ``.tf`` files of one Terraform module. Units run
in order or, with ``jobs`` > 1, in worker processes; either way the report is the same,
files sorted by path, findings by line, column and code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from . import suppress
from .check import Checker
from .config import Config, Resolver
from .diagnostics import PARSE_ERROR, UNUSED_SUPPRESSION, internal_error, parse_error
from .discover import discover, read
from .extract import extract_file, extract_module
from .extract.extraction import Extraction
from .model import DocKind, Finding, Severity, Span
from .registry import Registry
from .results import DocumentInfo, FileReport, RunReport

# -- running -----------------------------------------------------------------------------------


class Linter:
    """Lints files with the enabled rules of one configuration, then selects and suppresses."""

    def __init__(self, registry: Registry, config: Config | None = None):
        self.registry = registry
        self.config = config or Config()
        self.checker = Checker(registry, self.config.enabled, self.config.settings())
        self.enabled = self.checker.enabled
        self.known_codes = {r.code for r in registry}
        self.config_suppressions, self.config_problems = suppress.validate(
            self.config.suppressions, self.known_codes, self.config.require_reason
        )

    def check(self, ex: Extraction) -> list[Finding]:
        return self.checker.check(ex)

    # -- per file: configuration, suppressions --------------------------------------------------
    def finish(
        self, path: str, ex: Extraction | None, findings: list[Finding], text: str | None
    ) -> FileReport:
        """Filter one file's findings (per-file ignores, severities, suppressions) into its report."""
        if ex is None:
            return FileReport(path, "not-iac")
        cfg = self.config
        kept: list[Finding] = []
        for f in findings:
            if cfg.ignored_in(f.code, path):
                continue
            sev = cfg.severity_of(f.code)
            kept.append(replace(f, severity=Severity(sev)) if sev else f)
        directives = [d for d in ex.directives if d.span.file == path]
        comments = ex.comments
        if comments is None and text is not None and "iamlint" in text and path.lower().endswith(".tf"):
            from .parse.hcl_tree import comments as hcl_comments

            comments = hcl_comments(text)
        if comments:
            ranges = suppress.statement_ranges(path, ex.documents)
            directives.extend(suppress.comment_directives(path, comments, ranges))
        sups, problems = suppress.validate(directives, self.known_codes, cfg.require_reason)
        kept, hidden = suppress.apply(kept, sups + self.config_suppressions, cfg.relative(path), ex.documents)
        if UNUSED_SUPPRESSION.code in self.enabled:
            kept.extend(suppress.unused(s) for s in sups if s.used == 0)
        kept.extend(problems)
        status = "policies" if ex.documents else "no-policies"
        if any(f.code == PARSE_ERROR.code for f in kept) and not ex.documents:
            status = "error"
        info = tuple(sorted((DocumentInfo.of(d) for d in ex.documents), key=_in_file_order))
        return FileReport(path, status, ex.format, len(ex.documents), _dedupe(kept), hidden, info)

    def report(self, path: str, ex: Extraction | None, text: str | None = None) -> FileReport:
        if ex is None:
            return FileReport(path, "not-iac")
        own = [f for f in self.check(ex) if f.span.file == path or not f.span.file]
        return self.finish(path, ex, own, text)

    def run(self, paths: Iterable[str], exclude: Iterable[str] = ()) -> RunReport:
        """Lint paths with this linter's registry and configuration (no configuration files)."""
        return Engine(self.registry, Resolver.fixed(self.registry, self.config)).run(paths, exclude)

    def lint_text(self, path: str, text: str) -> list[FileReport]:
        """Lint one non-Terraform file's text (also used for stdin)."""
        ex: Extraction | None
        kind = self.config.kind_for(path)
        try:
            ex = extract_file(path, text, DocKind(kind) if kind else None)
        except RecursionError:
            ex = Extraction("unknown", diagnostics=[parse_error(path, "document nested too deeply to read")])
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            ex = Extraction(
                "unknown", diagnostics=[internal_error(Span(path, 1, 1, 1, 2), f"{type(e).__name__}: {e}")]
            )
        return [self.report(path, ex, text)]

    def lint_module(
        self, directory: str, given: list[str], texts: dict[str, str] | None = None
    ) -> list[FileReport]:
        """Lint the Terraform files ``given`` with their whole module as context."""
        texts = texts or {}
        try:
            results = extract_module(directory, given, texts)
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            results = {
                p: Extraction(
                    "terraform", diagnostics=[internal_error(Span(p, 1, 1, 1, 2), f"{type(e).__name__}: {e}")]
                )
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
        from .ruleset import default_registry

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
            if text is None:
                reports = [FileReport(path, "error", None, 0, [err] if err else [])]
            else:
                reports = linter.lint_text(path, text)
    used = {s.key: s.used for s in linter.config_suppressions}
    return reports, used


class Engine:
    """Discovery, configuration per file, work units (in parallel with ``jobs`` > 1), the report."""

    def __init__(
        self, registry: Registry, resolver: Resolver | None = None, jobs: int = 1, progress: Any = None
    ):
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
            t: tuple[tuple[str, str], ...] = ((path, texts[path]),) if path in texts else ()
            units.append(Unit("file", (path,), cfg, t))
        for (_directory, ckey), given in sorted(modules.items()):
            t = tuple((p, texts[p]) for p in given if p in texts)
            units.append(Unit("module", tuple(given), configs[ckey], t))
        return units, errors

    def run(
        self, paths: Iterable[str], exclude: Iterable[str] = (), texts: dict[str, str] | None = None
    ) -> RunReport:
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
                    # read on its own and through a module's file(): each reading is listed once
                    extra = [d for d in r.document_info if d not in m.document_info]
                    m.document_info = tuple(sorted((*m.document_info, *extra), key=_in_file_order))
                    if _STATUS_RANK[r.status] > _STATUS_RANK[m.status]:
                        m.status = r.status
                    m.format = min(x for x in (m.format, r.format, "~") if x)
                else:
                    merged[r.path] = r
        files = sorted(merged.values(), key=lambda r: r.path)
        files.extend(self._config_findings(units, usage))
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

    def _config_findings(self, units: list[Unit], usage: dict[tuple, int]) -> list[FileReport]:
        """Findings about the configuration files' own suppressions, reported there: IAM904
        for invalid entries, IAM901 for entries no unit used."""
        out: dict[str, FileReport] = {}
        seen = set()
        for unit in units:
            cfg = unit.config
            if cfg.path is None or cfg.path in seen:
                continue
            seen.add(cfg.path)
            linter = _linter_for(cfg)
            found = list(linter.config_problems)
            if UNUSED_SUPPRESSION.code in linter.enabled:
                found.extend(
                    suppress.unused(s) for s in linter.config_suppressions if usage.get(s.key, 0) == 0
                )
            if found:
                out[cfg.path] = FileReport(cfg.path, "config", findings=found)
        return list(out.values())


_STATUS_RANK = {"config": 0, "not-iac": 1, "no-policies": 2, "policies": 3, "error": 4}


def _in_file_order(d: DocumentInfo) -> tuple:
    return (d.span, d.kind, d.owner or "", d.path)


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
