"""The engine: the pipeline from paths to a run report.

discover (`iamlint.discover`) -> parse and extract (`iamlint.extract`) -> rules
(`iamlint.check`) -> select and suppress (`iamlint.config`, `iamlint.suppress`) -> the
`RunReport` (`iamlint.results`) that reporters render.

Work comes in units: a file, or the given ``.tf`` files of one Terraform module. Units run
in order or, with ``jobs`` > 1, in worker processes; either way the report is the same,
files sorted by path, findings by line, column and code.

Each unit has a time budget (``timeout``, `Deadline`): a unit that runs over it is one
IAM900 per file, and the run goes on. A module's ``file()`` reads stay inside the
repository of the path given (`Engine.repository`) and the ``allow-paths``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from . import suppress
from .check import Checker
from .config import Config, Resolver
from .diagnostics import INTERNAL_ERROR, PARSE_ERROR, UNUSED_SUPPRESSION, internal_error, parse_error
from .discover import discover, not_regular, read, repository_root
from .extract import extract_file, extract_module
from .extract.extraction import Extraction
from .model import DocKind, Finding, Severity, Span
from .parse.nodes import shrink_positions
from .registry import Registry
from .results import DocumentInfo, FileReport, RunReport

# -- running -----------------------------------------------------------------------------------


class Linter:
    """Lints files with the enabled rules of one configuration, then selects and suppresses."""

    def __init__(self, registry: Registry, config: Config | None = None):
        self.registry = registry
        self.config = config or Config()
        self.checker = Checker(
            registry, self.config.enabled, self.config.settings(), self.config.selected_by_name
        )
        self.enabled = self.checker.enabled
        self.known_codes = {r.code for r in registry}
        self.last_reads: tuple[str, ...] = ()
        #: whether a suppression with an ``until`` date applied to the files linted since
        #: this was last reset (their results then hold until the date changes)
        self.dated = False
        self.config_suppressions, self.config_problems = suppress.validate(
            self.config.suppressions, self.known_codes, self.config.require_reason
        )
        #: per configuration entry (by key): the files of this unit its globs matched, and
        #: those of them for which one of the rules it names is on
        self.config_reach: dict[tuple, list[int]] = {}

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
        if any(s.until is not None for s in (*sups, *self.config_suppressions)):
            self.dated = True  # what it hides depends on today's date
        rel = cfg.relative(path)
        kept, hidden = suppress.apply(kept, sups + self.config_suppressions, rel, ex.documents)

        def on(code: str) -> bool:  # a rule that runs on this file
            return code in self.enabled and not cfg.ignored_in(code, path)

        if UNUSED_SUPPRESSION.code in self.enabled:
            kept.extend(
                suppress.unused(s) for s in sups if s.used == 0 and suppress.live(s, self.known_codes, on)
            )
            for s in self.config_suppressions:
                if suppress.covers_file(s.directive, path, rel):
                    reach = self.config_reach.setdefault(s.key, [0, 0])
                    reach[0] += 1
                    reach[1] += suppress.live(s, self.known_codes, on)
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
        return [self.report(path, self._extract(path, text), text)]

    def lint_file(self, path: str) -> list[FileReport]:
        """Read and lint one non-Terraform file. Its text is let go once its documents are
        extracted (the rules read the model only), so it is not held while they run."""
        text, err = read(path, self.config.max_file_size)
        if text is None:
            return [FileReport(path, "error", None, 0, [err] if err else [])]
        ex = self._extract(path, text)
        if not path.lower().endswith(".tf"):  # `finish` reads a .tf file's comments from it
            text = None
        return [self.report(path, ex, text)]

    def _extract(self, path: str, text: str) -> Extraction | None:
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
        shrink_positions()  # the file's tree is gone: its strings' table need not stay that size
        return ex

    def lint_module(
        self,
        directory: str,
        given: list[str],
        texts: dict[str, str] | None = None,
        roots: tuple[str, ...] | None = None,
    ) -> list[FileReport]:
        """Lint the Terraform files ``given`` with their whole module as context; ``file()``
        reads inside ``roots`` (real paths; None: the module's repository)."""
        texts = texts or {}
        max_bytes = self.config.max_file_size
        try:
            results = extract_module(directory, given, texts, roots=roots, max_bytes=max_bytes)
        except Exception as e:
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            results = {
                p: Extraction(
                    "terraform", diagnostics=[internal_error(Span(p, 1, 1, 1, 2), f"{type(e).__name__}: {e}")]
                )
                for p in given
            }
        #: what the module's file() calls read or looked for (`Extraction.reads`)
        self.last_reads = tuple(sorted({r for ex in results.values() for r in ex.reads}))
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
                text, _err = read(path, max_bytes)
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
    #: a module's: the real directories its file() calls may read (repositories, allow-paths)
    roots: tuple[str, ...] = ()
    #: fix the unit's files: "" no, "safe" the safe fixes, "unsafe" every fix
    fix: str = ""


#: a budget longer than this (11 days, or infinite) is no budget: timers cannot count that far
_MAX_BUDGET = 1e6


class UnitTimeout(BaseException):
    """A unit ran over its time budget. A BaseException, so that no ``except Exception`` of an
    extractor or a rule catches it and goes on."""


class Deadline:
    """Raises `UnitTimeout` in the code it guards once ``seconds`` have passed (0: never).

    With SIGALRM (POSIX), a real-time interval timer (``setitimer``) signals the process that
    lints the unit, the main process with one job, a worker process with more; the handler
    raises between two bytecodes of whatever Python code runs, and a blocking system call is
    interrupted too. Without it (Windows), a timer thread interrupts the main thread as
    Ctrl-C would (``_thread.interrupt_main``), which reaches Python code but not a blocking
    call. Neither can stop one long call into C (a regular expression, a decoder) until it
    returns. Not in the main thread (iamlint used as a library from a thread), signals cannot
    be handled: no budget.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = False
        self.fired = False
        self._undo: Any = None
        self._lock: Any = None
        self._sigint: Any = None  # the SIGINT handler the fallback stands in front of

    def __enter__(self) -> Deadline:
        if not 0 < self.seconds <= _MAX_BUDGET:  # 0, or a budget beyond any run's length: none
            return self
        signal = _signals()

        try:
            if hasattr(signal, "setitimer"):
                previous = signal.signal(signal.SIGALRM, self._alarm)
                self.armed = True
                signal.setitimer(signal.ITIMER_REAL, self.seconds)

                def undo() -> None:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    signal.signal(signal.SIGALRM, previous)

            else:
                import threading

                self._lock = threading.Lock()
                previous = self._sigint = signal.signal(signal.SIGINT, self._interrupt)
                timer = threading.Timer(self.seconds, self._expire)
                timer.daemon = True
                self.armed = True
                timer.start()

                def undo() -> None:
                    timer.cancel()
                    signal.signal(signal.SIGINT, previous)

        except ValueError:  # not the main thread
            self.armed = False
            return self
        self._undo = undo
        return self

    def __exit__(self, *exc: object) -> None:
        if self._undo is None:
            return
        if self._lock is not None:
            with self._lock:  # no interrupt from the timer thread after this
                self.armed = False
        self.armed = False
        self._undo()
        self._undo = None

    def _alarm(self, signum: int, frame: Any) -> None:
        if self.armed:
            self.armed = False
            raise UnitTimeout

    def _expire(self) -> None:  # in the timer thread
        import _thread

        with self._lock:
            if self.armed:
                self.fired = True
                _thread.interrupt_main(_signals().SIGINT)  # to the handler below

    def _interrupt(self, signum: int, frame: Any) -> None:
        if not self.fired:  # a real Ctrl-C: what the handler it stands in front of would do
            if callable(self._sigint):
                self._sigint(signum, frame)
                return
            if self._sigint == _signals().SIG_IGN:
                return
            raise KeyboardInterrupt
        if self.armed:
            self.armed = False
            raise UnitTimeout


def _signals() -> Any:
    """``_signal``, the module under `signal` that the interpreter loads at start-up: importing
    `signal` costs 0.6 ms of every run for enums iamlint does not use (``signal`` elsewhere)."""
    try:
        import _signal

        return _signal
    except ImportError:  # pragma: no cover - not CPython
        import signal

        return signal


_LINTERS: dict[str, Linter] = {}
#: the registry of the running Engine; worker processes inherit it when forked
_REGISTRY: Registry | None = None


def _linter_for(config) -> Linter:
    key = repr(config)
    if key not in _LINTERS:
        from .ruleset import default_registry

        _LINTERS[key] = Linter(_REGISTRY or default_registry(), config)
    return _LINTERS[key]


@dataclass(frozen=True)
class Fixed:
    """A file `--fix`/``--diff`` changed: its text as read and as fixed (line ends as the file
    writes them, without a BOM), whether it starts with a UTF-8 BOM, and how many findings the
    fixes applied fixed."""

    path: str
    before: str
    after: str
    applied: int
    bom: bool = False


class UnitResult(NamedTuple):
    """What `run_unit` gives: the unit's reports; for each configuration suppression,
    ``(findings it hid, files it matched, files where a rule it names is on)``; the files
    fixed (their reports are those of the fixed text); the files its ``file()`` calls read or
    looked for; and whether it ran to the end (within its budget, without an internal
    error): only such a result is cached."""

    reports: list[FileReport]
    used: dict
    fixed: list[Fixed]
    reads: tuple[str, ...] = ()
    complete: bool = True
    #: a suppression with an ``until`` date applied: the result holds for today only
    dated: bool = False


def run_unit(unit: Unit) -> UnitResult:
    """Lint one unit within its time budget (and, with ``unit.fix``, fix its files within
    another)."""
    linter = _linter_for(unit.config)
    for s in linter.config_suppressions:
        s.used = 0
    linter.config_reach.clear()
    budget = linter.config.timeout
    linter.last_reads = ()
    linter.dated = False
    complete = True
    try:
        with Deadline(budget):
            reports = _lint_unit(linter, unit)
    except UnitTimeout:
        message = f"took longer than {budget:g} s; not fully linted"
        reports = [FileReport(p, "error", None, 0, [parse_error(p, message)]) for p in unit.paths]
        complete = False
    reads = linter.last_reads
    if complete and any(f.code == INTERNAL_ERROR.code for r in reports for f in r.findings):
        complete = False
    used = {s.key: (s.used, *linter.config_reach.get(s.key, (0, 0))) for s in linter.config_suppressions}
    fixed: list[Fixed] = []
    if unit.fix:  # the uses above are the run's; the re-lints of fixing do not count
        try:
            with Deadline(budget):
                reports, fixed = _fix_unit(linter, unit, reports)
        except UnitTimeout:  # the reports of the unfixed files stand
            fixed = []
    return UnitResult(reports, used, fixed, reads, complete, linter.dated)


def _fix_unit(linter: Linter, unit: Unit, reports: list[FileReport]) -> tuple[list[FileReport], list[Fixed]]:
    """Fix each file of the unit that has a finding with an applicable fix (`iamlint.fixes`,
    re-linting between rounds); its report becomes the fixed text's. Only a unit's own files
    are fixed (not a file a module reads with file(): it is fixed where it is linted itself)."""
    from . import fixes

    unsafe = unit.fix == "unsafe"
    texts = dict(unit.texts)
    out: list[FileReport] = []
    fixed: list[Fixed] = []
    for r in reports:
        if (
            r.path not in unit.paths
            or r.format == "terraform-plan"  # generated: the fix belongs in the configuration
            or not any(fixes.applicable(f, unsafe) for f in r.findings)
        ):
            out.append(r)
            continue
        path = r.path
        bom = False
        if path in texts:
            raw: str | None = texts[path]
        else:
            raw, bom = _raw_text(path, linter.config.max_file_size)
        if raw is None:
            out.append(r)
            continue
        latest: dict[str, FileReport] = {}

        def lint(text: str, path: str = path, latest: dict[str, FileReport] = latest) -> list[Finding]:
            text = text.replace("\r\n", "\n") if "\r" in text else text
            if unit.kind == "module":
                directory = os.path.dirname(path) or "."
                got = linter.lint_module(directory, [path], {**texts, path: text}, unit.roots or None)
            else:
                got = linter.lint_text(path, text)
            mine = next((x for x in got if x.path == path), None)
            if mine is None:
                return []
            latest[text] = mine
            return mine.findings

        result = fixes.fix_text(raw, lint, path, unsafe=unsafe, findings=r.findings)
        if not result.applied or result.text == raw:
            out.append(r)
            continue
        out.append(latest.get(result.text.replace("\r\n", "\n"), r))
        fixed.append(Fixed(path, raw, result.text, len(result.applied), bom))
    return out, fixed


def _raw_text(path: str, max_bytes: int) -> tuple[str | None, bool]:
    """A file's text as it is on disk, line ends kept (fixes edit it and write it back), and
    whether it starts with a UTF-8 BOM; None when it cannot be read as it was linted."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None, False
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None, False
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        return data[3 if bom else 0 :].decode("utf-8"), bom
    except UnicodeDecodeError:
        return None, False


def _lint_unit(linter: Linter, unit: Unit) -> list[FileReport]:
    texts = dict(unit.texts)
    if unit.kind == "module":
        directory = os.path.dirname(unit.paths[0]) or "."
        return linter.lint_module(directory, list(unit.paths), texts, unit.roots or None)
    path = unit.paths[0]
    if path in texts:
        return linter.lint_text(path, texts[path])
    return linter.lint_file(path)


class Engine:
    """Discovery, configuration per file, work units (in parallel with ``jobs`` > 1), the report.

    ``jobs``: the most processes to use; None: as many as there are CPUs, when the input is
    large enough to gain from them (`parallel`). ``warnings``: what the last run has to say
    that is not an error (a directory given with nothing to lint).
    """

    def __init__(
        self,
        registry: Registry,
        resolver: Resolver | None = None,
        jobs: int | None = 1,
        progress: Any = None,
        fix: str = "",
        cache: Any = None,
    ):
        self.registry = registry
        self.resolver = resolver or Resolver(registry, isolated=True)
        self.auto = jobs is None
        self.jobs = max(1, os.cpu_count() or 1) if jobs is None else max(1, jobs)
        self.progress = progress
        #: "" lint only; "safe": apply the safe fixes; "unsafe": every fix (docs/fixes.md).
        #: The run's reports are then those of the fixed texts, and `fixed` lists the files
        #: changed: the engine writes nothing (the caller writes them, or shows a diff).
        self.fix = fix
        self.fixed: list[Fixed] = []
        #: a `iamlint.resultcache.ResultCache`, or None: every unit is linted
        self.cache = cache
        self.warnings: list[str] = []
        self._repositories: dict[tuple[str, bool], str] = {}

    def units(
        self,
        paths: Iterable[str],
        exclude: Iterable[str] = (),
        texts: dict[str, str] | None = None,
        skip: Iterable[str] = (),
    ):
        """The work units of a run and its usage errors. ``skip``: files that are iamlint's own
        (the baseline, the report being written), never linted."""
        texts = texts or {}
        exclude = list(exclude)
        skipped = {os.path.normcase(os.path.realpath(p)) for p in skip}
        found: dict[str, str] = {}  # path -> the repository of the path given that found it
        given_by: dict[str, str] = {}  # path -> the path given that found it
        errors: list[str] = []
        empty: list[str] = []  # directories given in which discovery found nothing
        for raw in paths:
            repo = self.repository(raw)

            def allowed(p: str, repo: str = repo) -> tuple[str, ...]:
                return (repo, *self.resolver.for_path(p).allow_paths)

            if raw in texts:  # a buffer linted from stdin as if it were this file
                try:
                    mode = os.stat(raw).st_mode
                except OSError:  # not saved yet
                    found.setdefault(raw, repo)
                    given_by.setdefault(raw, raw)
                    continue
                if stat.S_ISDIR(mode):
                    errors.append(not_regular(raw, mode))
                    continue
            files, errs = discover([raw], exclude, allowed)
            errors.extend(errs)
            if not files and not errs:
                empty.append(raw)
            for path, _explicit in files:
                if skipped and os.path.normcase(os.path.realpath(path)) in skipped:
                    continue
                found.setdefault(path, repo)
                given_by.setdefault(path, raw)
        units: list[Unit] = []
        modules: dict[tuple[str, str], list[str]] = {}
        configs: dict[str, Any] = {}
        linted: set[str] = set()
        for path, _repo in sorted(found.items()):
            cfg = self.resolver.for_path(path)
            if cfg.excluded(path):
                continue
            linted.add(given_by[path])
            if path.lower().endswith(".tf"):
                key = (os.path.dirname(path) or ".", repr(cfg))
                modules.setdefault(key, []).append(path)
                configs[repr(cfg)] = cfg
                continue
            t: tuple[tuple[str, str], ...] = ((path, texts[path]),) if path in texts else ()
            units.append(Unit("file", (path,), cfg, t, fix=self.fix))
        for (_directory, ckey), given in sorted(modules.items()):
            t = tuple((p, texts[p]) for p in given if p in texts)
            cfg = configs[ckey]
            roots = tuple(dict.fromkeys([*(found[p] for p in given), *cfg.allow_paths]))
            units.append(Unit("module", tuple(given), cfg, t, roots, self.fix))
        self.warnings = self._nothing_to_lint(paths, empty, given_by, linted, exclude, texts)
        return units, errors

    def _nothing_to_lint(self, paths, empty, given_by, linted, exclude, texts) -> list[str]:
        """A line for each directory given that leads to no file to lint, and for each file
        given when no file at all is linted, saying why (ruff's "no files found" warning)."""
        out = []
        for raw in dict.fromkeys(paths):
            if raw in linted:
                continue
            directory = raw not in texts and os.path.isdir(raw)
            if not directory and linted:
                continue  # a file excluded while others are linted: the configuration says so
            if raw in empty:
                if directory and not discover([raw])[0]:
                    why = "it holds no .json, .yaml, .yml, .template or .tf file"
                else:
                    why = f"{'every file in it is' if directory else 'it is'} excluded (--exclude)"
            elif raw in given_by.values():
                where = {self.resolver.for_path(p).path for p, r in given_by.items() if r == raw}
                names = ", ".join(sorted(w for w in where if w)) or "the configuration"
                why = f"{'every file in it is' if directory else 'it is'} excluded (exclude in {names})"
            else:
                continue  # an error was reported for it, or it is iamlint's own file
            out.append(
                f"no files to lint in {raw}: {why}" if directory else f"no files to lint: {raw}: {why}"
            )
        return out

    def repository(self, path: str) -> str:
        """The real path of the repository a path given belongs to, which file() calls may
        read: its nearest enclosing git work tree, else the directory of its configuration
        file when that holds the path, else the path itself (the directory of a file).
        Cached by directory: pre-commit gives every file on its own."""
        directory = path if os.path.isdir(path) else (os.path.dirname(path) or ".")
        linked = directory == path and os.path.islink(path)  # found from where the link is
        key = (os.path.abspath(directory), linked)
        if key not in self._repositories:
            root = repository_root(path)
            if root is None:
                cfg = self.resolver.for_path(path if linked else os.path.join(directory, "_"))
                home = os.path.dirname(os.path.abspath(cfg.path)) if cfg.path is not None else None
                holds = home is not None and key[0].startswith(os.path.join(home, ""))
                root = home if holds and home is not None else directory
            self._repositories[key] = os.path.realpath(root)
        return self._repositories[key]

    def run(
        self,
        paths: Iterable[str],
        exclude: Iterable[str] = (),
        texts: dict[str, str] | None = None,
        skip: Iterable[str] = (),
    ) -> RunReport:
        """Lint ``paths``; ``skip``: files never linted (iamlint's own: the baseline, the report)."""
        global _REGISTRY
        if _REGISTRY is not self.registry:
            _REGISTRY = self.registry
            _LINTERS.clear()
        paths = list(paths)
        units, errors = self.units(paths, exclude, texts, skip)
        results = self._cached(units)
        self.fixed = sorted((x for res in results for x in res.fixed), key=lambda x: x.path)
        merged: dict[str, FileReport] = {}
        usage: dict[tuple, list[int]] = {}
        for reports, used, *_rest in results:
            for k, counts in used.items():
                total = usage.setdefault(k, [0, 0, 0])
                for i, n in enumerate(counts):
                    total[i] += n
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
        files.extend(self._config_findings(units, usage, paths))
        suppressed = [h for fr in files for h in fr.suppressed]
        return RunReport(files, self.registry, errors, suppressed=suppressed)

    def _cached(self, units: list[Unit]) -> list[UnitResult]:
        """The units' results: from the cache where it has them, else linted (and cached,
        unless fixing: the files are about to change)."""
        cache = self.cache
        if cache is None:
            return self._execute(units)
        from .fixes import applicable

        unsafe = self.fix == "unsafe"
        results: list[UnitResult | None] = []
        keys: list[str | None] = []
        todo: list[Unit] = []
        for unit in units:
            key = None if unit.texts else cache.key(unit.kind, unit.paths, unit.config, unit.roots)
            entry = cache.get(key) if key is not None else None
            if entry is not None and self.fix:  # a file with a fix to make is linted again
                if any(applicable(f, unsafe) for r in entry.reports for f in r.findings):
                    entry = None
            if entry is not None:
                results.append(UnitResult(entry.reports, entry.used, []))
            else:
                results.append(None)
                todo.append(unit)
            keys.append(key)
        done = iter(self._execute(todo))
        out: list[UnitResult] = []
        for res, key in zip(results, keys, strict=True):
            if res is None:
                res = next(done)
                if key is not None and res.complete and not self.fix:
                    cache.put(key, res.reports, res.used, res.reads, res.dated)
            out.append(res)
        if cache.written:
            cache.evict()
        return out

    def parallel(self, units: list[Unit]) -> int:
        """How many processes to lint ``units`` with. A pool costs a start (forking, and each
        worker's first rules, catalogue and parser) that only enough work pays back: with
        ``jobs`` given, at least `MIN_UNITS` units; by default, also at least `AUTO_MIN_UNITS`
        units and `AUTO_MIN_BYTES` of input (measured: benchmarks/bench_jobs.py), and CPUs
        that are not already busy (`_busy`)."""
        if self.jobs <= 1 or len(units) < MIN_UNITS:
            return 1
        if self.auto and (len(units) < AUTO_MIN_UNITS or sum(map(_unit_size, units)) < AUTO_MIN_BYTES):
            return 1
        if self.auto and _busy(self.jobs):
            return 1
        return min(self.jobs, len(units))

    def _execute(self, units: list[Unit]) -> list[UnitResult]:
        """Run the units (in worker processes when `parallel` says so); their results, in the
        order of the units."""
        progress = self.progress
        if progress:  # files, as the summary counts them (a module's unit holds several)
            progress.start(sum(len(u.paths) for u in units))
        by_unit: dict[int, UnitResult] = {}

        def done(unit: Unit, result: UnitResult) -> None:
            by_unit[id(unit)] = result
            if progress:
                progress.advance(len(unit.paths))

        jobs = self.parallel(units)
        if jobs > 1:
            _in_pool(units, jobs, done)
        else:
            for unit in units:
                done(unit, run_unit(unit))
        if progress:
            progress.finish()
        return [by_unit[id(u)] for u in units]

    def _config_findings(
        self, units: list[Unit], usage: dict[tuple, list[int]], given: list[str]
    ) -> list[FileReport]:
        """Findings about the configuration files' own suppressions, reported in the file that
        holds each (a file that another extends, too): IAM904 for invalid entries, IAM901 for
        entries that suppressed nothing though they could have (`suppress.covered`: the run
        linted every file the entry can match; `suppress.live`: a rule it names is on)."""
        found: list[Finding] = []
        seen_configs = set()
        seen_keys: set[tuple] = set()
        for unit in units:
            cfg = unit.config
            if cfg.path is None or repr(cfg) in seen_configs:
                continue
            seen_configs.add(repr(cfg))
            linter = _linter_for(cfg)
            found.extend(linter.config_problems)
            if UNUSED_SUPPRESSION.code not in linter.enabled:
                continue
            for s in linter.config_suppressions:
                if s.key in seen_keys:
                    continue
                seen_keys.add(s.key)
                used, matched, live = usage.get(s.key, (0, 0, 0))
                if used or not suppress.covered(s.directive, cfg.root, given):
                    continue
                if live or (
                    not matched and suppress.live(s, linter.known_codes, linter.enabled.__contains__)
                ):
                    found.append(suppress.unused(s))
        out: dict[str, list[Finding]] = {}
        for f in found:
            out.setdefault(f.span.file, []).append(f)
        return [FileReport(path, "config", findings=_dedupe(fs)) for path, fs in sorted(out.items())]


#: with ``jobs`` given, the fewest units worth a process pool
MIN_UNITS = 16
#: by default (``jobs`` None), the fewest units and bytes worth a pool. Measured on 2 CPUs
#: (benchmarks/bench_jobs.py for wall time, CPU time per process for what a pool costs): the pool
#: costs ~0.13 s of CPU (forking, pickling, the workers' page copies) and the parent keeps
#: ~0.17 s of serial work, so 30 corpus files gain nothing, 100 (320 KiB) at best 1.25x on an
#: idle machine and lost 20-45% in every run on a shared one, 300 (1,000 KiB) ~1.5x, the
#: corpus (2,881 units, 12.5 MiB) ~1.7x. Below these, a run is serial: as fast as -j1.
AUTO_MIN_UNITS = 256
AUTO_MIN_BYTES = 768 * 1024

_STATUS_RANK = {"config": 0, "not-iac": 1, "no-policies": 2, "policies": 3, "error": 4}


def _in_file_order(d: DocumentInfo) -> tuple:
    return (d.span, d.kind, d.owner or "", d.path)


#: the idle CPUs a pool needs to beat one process
MIN_IDLE_CPUS = 1.5

#: how long the CPUs are watched to tell how many are idle (only for inputs a pool would take,
#: whose serial run lasts a second or more)
CPU_SAMPLE_SECONDS = 0.1


def _busy(cpus: int) -> bool:
    """Whether too few of the machine's CPUs are idle for a pool to pay (fewer than
    `MIN_IDLE_CPUS`): there a pool's workers only compete with the other processes and with
    each other. Measured with benchmarks/bench_jobs.py on a 2-CPU machine: idle, two processes
    ran the corpus 1.68 times as fast as one; with one CPU taken by other work, 0.91 times; at
    load 4 to 9, 0.75 to 0.83 times. Unknown (neither measure available): not busy."""
    idle = _idle_cpus(cpus)
    return idle is not None and idle < MIN_IDLE_CPUS


def _idle_cpus(cpus: int) -> float | None:
    """How many CPUs are idle now: measured over `CPU_SAMPLE_SECONDS` from the kernel's CPU
    counters where there are some (Linux), else the CPUs less the 1-minute load average (as
    ``make --load-average`` judges; it lags, so a run right after another looks busy), else
    None."""
    sampled = _sampled_idle(cpus)
    if sampled is not None:
        return sampled
    try:
        return cpus - os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _cpu_times() -> list[int] | None:
    """The machine's CPU time counters (``/proc/stat``'s first line: user, nice, system, idle,
    iowait, ...), or None where there are none."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except (OSError, ValueError):
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 6:
        return None
    try:
        return [int(v) for v in fields[1:9]]
    except ValueError:
        return None


def _sampled_idle(cpus: int) -> float | None:
    """Idle CPUs over a short sample of the CPU counters (idle and iowait time against all),
    or None."""
    import time

    before = _cpu_times()
    if before is None:
        return None
    time.sleep(CPU_SAMPLE_SECONDS)
    after = _cpu_times()
    if after is None:
        return None
    total = sum(after) - sum(before)
    if total <= 0:
        return None
    idle = (after[3] + after[4]) - (before[3] + before[4])
    return cpus * idle / total


def _in_pool(units: list[Unit], jobs: int, done) -> None:
    """Lint units in ``jobs`` worker processes, calling ``done(unit, result)`` for each."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    frozen = False
    if method == "fork":
        # the smallest unit of each kind first, here: the workers forked next inherit what it
        # loaded (rules, catalogue, parsers) instead of each loading it again, and, frozen, no
        # collection in a worker copies the pages that hold it
        first = _first_of_each_kind(units)
        for unit in first:
            done(unit, run_unit(unit))
        units = [u for u in units if u not in first]
        import gc

        gc.freeze()
        frozen = True
    try:
        if not units:
            return
        # largest first, in small chunks, so that no process is left with the big files at the
        # end; the report is sorted by path afterwards, so the order does not show
        ordered = sorted(units, key=_unit_size, reverse=True)
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
            for unit, result in zip(ordered, pool.map(run_unit, ordered, chunksize=4), strict=True):
                done(unit, result)
    finally:
        if frozen:
            import gc

            gc.unfreeze()


def _first_of_each_kind(units: list[Unit]) -> list[Unit]:
    """The smallest unit of each kind (a Terraform module, a file of each extension)."""
    first: dict[str, Unit] = {}
    for unit in sorted(units, key=_unit_size):
        kind = "module" if unit.kind == "module" else os.path.splitext(unit.paths[0])[1].lower()
        first.setdefault(kind, unit)
    return list(first.values())


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
