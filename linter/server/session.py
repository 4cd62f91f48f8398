"""What the language server lints and with which configuration; no LSP in here.

A `Session` lints open buffers with the engine the command line uses (`iamlint.engine`):
a file as one unit, a Terraform buffer with its whole module as context (the other ``.tf``
files of its directory on disk, open buffers taking precedence, and every open buffer of
the module linted at once). Configuration is found per file as the command line finds it
(`iamlint.config.Resolver`), with two differences an editor needs:

- a configuration file that breaks (a ``pyproject.toml`` half edited) is reported
  (`ConfigProblem`) and linting goes on with the last configuration read from it, or as if
  it were not there when none was ever read;
- files are re-read when they change: on the editor's word (`reload`) or when a file read
  before has another size or modification time (`configs_changed`).

Globs of a file with no configuration are relative to the workspace folder that holds it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import Config, ConfigError, Resolver, load
from ..diagnostics import internal_error
from ..discover import over_limit, repository_root
from ..engine import Deadline, Engine, Unit, UnitTimeout, run_unit
from ..extract import Extraction, extract_file, extract_module
from ..model import DocKind, Finding, Span

CONFIG_NAMES = (".iamlint.toml", "pyproject.toml")


@dataclass(frozen=True)
class ConfigProblem:
    """A configuration file iamlint cannot use as it stands, and where it goes wrong."""

    path: str
    line: int
    column: int
    message: str
    #: the TOML does not parse (IAM900), rather than breaking the schema of ``[tool.iamlint]``
    syntax: bool


class _Resolver(Resolver):
    """The command line's resolver, reading configuration files through the session."""

    def __init__(self, session: Session, root: str):
        super().__init__(session.registry)
        self.session = session
        self.default = self.default._replace(root=root)

    def _load_cached(self, path: str) -> Config | None:
        if path not in self._files:
            self._files[path] = self.session._load(path)
        return self._files[path]


class Session:
    def __init__(self, registry: Any):
        self.registry = registry
        self.folders: list[str] = []
        #: the last configuration read from each file (None: a pyproject.toml without our table)
        self.good: dict[str, Config | None] = {}
        #: the files that cannot be used now
        self.problems: dict[str, ConfigProblem] = {}
        #: (size, mtime) of each configuration file as it was read
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._resolvers: dict[str, _Resolver] = {}
        self._engines: dict[str, Engine] = {}

    # -- workspace folders and configuration -------------------------------------------------
    def set_folders(self, folders: Iterable[str]) -> None:
        self.folders = sorted({os.path.abspath(f) for f in folders}, key=len, reverse=True)
        self.reload()

    def folder_of(self, path: str) -> str | None:
        """The innermost workspace folder that holds ``path``."""
        for f in self.folders:  # longest first
            if path == f or path.startswith(os.path.join(f, "")):
                return f
        return None

    def _resolver(self, path: str) -> _Resolver:
        root = self.folder_of(path) or os.getcwd()
        r = self._resolvers.get(root)
        if r is None:
            r = self._resolvers[root] = _Resolver(self, root)
            self._engines[root] = Engine(self.registry, r)
        return r

    def config_for(self, path: str) -> Config:
        return self._resolver(path).for_path(path)

    def reload(self) -> None:
        """Forget what was found and read: the next lint finds and reads it again."""
        self._resolvers.clear()
        self._engines.clear()
        self._stamps.clear()

    def configs_changed(self) -> bool:
        """Whether a configuration file read before has changed on disk since (then `reload`)."""
        return any(_stamp(p) != s for p, s in self._stamps.items())

    def _load(self, path: str) -> Config | None:
        self._stamps[path] = _stamp(path)
        try:
            cfg = load(path, self.registry, missing_ok=True)
        except ConfigError as e:
            self.problems[path] = _problem(path, str(e))
            return self.good.get(path)  # the last good one; none: as if the file were not there
        self.problems.pop(path, None)
        self.good[path] = cfg
        return cfg

    def forget(self, path: str) -> None:
        """A configuration file was deleted: its problem goes with it."""
        self.problems.pop(path, None)
        self.good.pop(path, None)

    # -- linting -----------------------------------------------------------------------------
    def repository(self, path: str) -> str:
        """The real directory ``file()`` may read from: the command line's (the git work tree,
        else the configuration's directory), else the workspace folder that holds the file
        (the command line's is then the file's directory)."""
        self._resolver(path)
        folder = self.folder_of(path)
        if folder is not None and repository_root(path) is None and self.config_for(path).path is None:
            return os.path.realpath(folder)
        return self._engines[folder or os.getcwd()].repository(path)

    def module_of(self, path: str, texts: dict[str, str]) -> list[str]:
        """The open ``.tf`` buffers of ``path``'s module (its directory), ``path`` included."""
        directory = os.path.dirname(path)
        return sorted(
            {path} | {p for p in texts if p.lower().endswith(".tf") and os.path.dirname(p) == directory}
        )

    def lint(self, path: str, texts: dict[str, str]) -> dict[str, list[Finding]]:
        """Lint the buffer of ``path`` (``texts``: every open buffer, by path, normalized):
        the findings of each buffer linted (a Terraform buffer's module: each of its open
        ``.tf`` buffers), and of the files they read or name that hold findings (a module's
        other ``.tf`` files, a policy read with ``file()``), as the command line reports
        them. A file the configuration excludes has none."""
        cfg = self.config_for(path)
        if path.lower().endswith(".tf"):
            given = [p for p in self.module_of(path, texts) if not self.config_for(p).excluded(p)]
            if not given:
                return {p: [] for p in self.module_of(path, texts)}
            directory = os.path.dirname(path)
            module_texts = tuple((p, t) for p, t in texts.items() if os.path.dirname(p) == directory)
            too_big = _too_big(given, texts, cfg)
            if too_big:
                return too_big
            roots = tuple(dict.fromkeys([self.repository(path), *cfg.allow_paths]))
            unit = Unit("module", tuple(given), cfg, module_texts, roots)
        else:
            if cfg.excluded(path):
                return {path: []}
            too_big = _too_big([path], texts, cfg)
            if too_big:
                return too_big
            unit = Unit("file", (path,), cfg, ((path, texts[path]),))
        try:
            reports = run_unit(unit).reports
        except Exception as e:  # a bug: one diagnostic that says so, never a dead server
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            finding = internal_error(Span(path, 1, 1, 1, 2), f"{type(e).__name__}: {e}")
            return {p: [finding] for p in unit.paths}
        out: dict[str, list[Finding]] = {p: [] for p in unit.paths}
        for r in reports:  # a file read twice (itself, and by the module's file()): both
            out.setdefault(r.path, []).extend(f for f in r.findings if f not in out.get(r.path, ()))
        return out

    def extract(self, path: str, texts: dict[str, str]) -> Extraction | None:
        """What the buffer of ``path`` holds (documents, principals), as the linter sees it;
        None when it is not IaC or cannot be read."""
        cfg = self.config_for(path)
        text = texts.get(path)
        if text is None or len(text) > cfg.max_file_size:
            return None
        try:
            with Deadline(cfg.timeout):
                if path.lower().endswith(".tf"):
                    directory = os.path.dirname(path)
                    module = {p: t for p, t in texts.items() if os.path.dirname(p) == directory}
                    roots = tuple(dict.fromkeys([self.repository(path), *cfg.allow_paths]))
                    return extract_module(directory, [path], module, roots, cfg.max_file_size).get(path)
                kind = cfg.kind_for(path)
                return extract_file(path, text, DocKind(kind) if kind else None)
        except UnitTimeout:
            return None
        except Exception:  # RecursionError, a bug: hover and completion have nothing to say
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            return None


def _too_big(paths: list[str], texts: dict[str, str], cfg: Config) -> dict[str, list[Finding]]:
    """IAM900 for the buffers over the size limit, as for a file (empty: none is)."""
    limit = cfg.max_file_size
    out: dict[str, list[Finding]] = {}
    for p in paths:
        t = texts.get(p)
        # a character is at most 4 bytes: count the bytes only of a text that may be over
        if t is not None and len(t) * 4 > limit and len(t.encode("utf-8", "surrogatepass")) > limit:
            out[p] = [over_limit(p, limit)]
    if out:
        for p in paths:
            out.setdefault(p, [])
    return out


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def _problem(path: str, message: str) -> ConfigProblem:
    """Where a `ConfigError` of ``path`` goes wrong, as well as its message tells."""
    text = message
    for prefix in (f"{path}: ", f"{path}:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    line, column = 1, 1
    syntax = "invalid TOML" in text
    m = re.match(r"(\d+):(\d+): ", text)
    if m:  # the decoder's place: "12:3: invalid TOML: invalid UTF-8"
        line, column = int(m.group(1)), int(m.group(2))
        text = text[m.end() :]
    m = _AT.search(text)
    if m:
        line, column = int(m.group(1)), int(m.group(2))
    elif "(at end of document)" in text:
        line, column = _end(path)
    elif not syntax:
        line, column = _key_line(path, text.split(":", 1)[0])
    return ConfigProblem(path, line, column, text, syntax)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _end(path: str) -> tuple[int, int]:
    lines = _read(path).split("\n")
    return len(lines), len(lines[-1]) + 1


def _key_line(path: str, key_path: str) -> tuple[int, int]:
    """The line where the last key of a key path (``tool.iamlint.fail-on``,
    ``options.IAM301.max``, ``suppress[2].until``) is written, else 1:1."""
    parts = [p for p in re.split(r"\.(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", key_path) if p]
    if not parts:
        return 1, 1
    last = re.sub(r"\[\d+\]$", "", parts[-1]).strip('"')
    pattern = re.compile(r"^(\s*)(\"?)" + re.escape(last) + r"\2\s*=")
    header = re.compile(r"^\s*\[\[?\s*[^\]]*\b" + re.escape(last) + r"\s*\]\]?")
    for i, line in enumerate(_read(path).split("\n"), 1):
        m = pattern.match(line)
        if m:
            return i, len(m.group(1)) + 1
        if header.match(line):
            return i, 1
    return 1, 1
