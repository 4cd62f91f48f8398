"""Configuration: ``[tool.iamlint]`` in ``pyproject.toml``, or ``.iamlint.toml``.

Found by walking up from each linted file's directory: the nearest file wins (in one
directory ``.iamlint.toml`` wins over ``pyproject.toml``, and a ``pyproject.toml`` without a
``[tool.iamlint]`` table is passed over). ``--config FILE`` replaces discovery, ``--isolated``
ignores every file. Command-line flags win over the file.

The file is validated against a JSON Schema (`schema`) that includes the options the rules
declare; an unknown key or a wrong type is a `ConfigError` naming the file, the key path and
what was expected.

``extend = "../base.toml"`` inherits a shared file, as ruff's ``extend`` does (`_chain`,
`_overlay`): the path is relative to the file that names it; paths and globs in the extended
file stay relative to the extended file; the extending file wins key by key (tables such as
``severity`` and ``options`` entry by entry); ``extend-select`` adds to the base's unless the
extending file sets ``select``; the ``[[suppress]]`` entries of every file of the chain apply.

Keys mean one thing each: ``ignore`` is a list of codes, suppression entries are
``[[suppress]]`` tables. ``[[ignore]]`` tables, the old spelling of ``[[suppress]]``, still
work; the `Resolver` keeps a deprecation note for each file that uses them (`Resolver.warnings`),
which the command line prints once.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable
from typing import Any, NamedTuple

from .diagnostics import INPUT_ERRORS
from .directives import Directive
from .discover import MAX_BYTES
from .model import DocKind, Span

SEVERITIES = ("error", "warning", "info")
#: what ``[kinds]`` may call a raw JSON policy: every kind of policy iamlint knows
KIND_NAMES = [k.value for k in DocKind if k is not DocKind.UNKNOWN]
DEFAULT_TIMEOUT = 10.0
SIZE_PATTERN = r"^([0-9]+(?:\.[0-9]+)?) ?([KMGkmg]i?[Bb]|[Bb])?$"
_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1 << 10,
    "mib": 1 << 20,
    "gib": 1 << 30,
}


class ConfigError(Exception):
    """A configuration problem; the message is one line: file, key path, what was expected."""


class Config(NamedTuple):
    """The settings that apply to a file. A NamedTuple, not a dataclass: it is built on every
    run, and a frozen dataclass of this size costs ~20 ms of start-up to define."""

    path: str | None = None  # the file it was read from (None: defaults and flags only)
    root: str = "."  # globs are relative to this directory
    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    fail_on: str = "info"
    exclude: tuple[str, ...] = ()
    trusted_accounts: tuple[str, ...] = ()
    require_reason: bool = True
    #: the ``[[suppress]]`` entries, as written (the suppression stage judges them)
    suppressions: tuple[Directive, ...] = ()
    #: rule options: (code, ((name, value), ...)), from ``[options.CODE]`` and flags
    options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    #: real directories outside the repository that ``file()`` may read (``allow-paths``)
    allow_paths: tuple[str, ...] = ()
    #: the size limit of a file, in bytes (``max-file-size``)
    max_file_size: int = MAX_BYTES
    #: the time budget of a file or module, in seconds; 0: none (``timeout``)
    timeout: float = DEFAULT_TIMEOUT
    #: which AWS data a run uses, "auto" or "bundled" (``catalogue``; see docs/catalogue.md)
    catalogue: str = "auto"
    #: ``[kinds]``: (glob, kind name) in file order, the kind of the raw JSON policies it matches
    kinds: tuple[tuple[str, str], ...] = ()
    #: the SCP and RCP files ``org-policies`` names (real paths, sorted): they cap every
    #: principal's effective permissions (see docs/explain.md)
    org_policies: tuple[str, ...] = ()

    # -- selection -----------------------------------------------------------------------------
    def enabled(self, code: str) -> bool:
        """ruff's rule: the most specific matching prefix decides; on a tie, ignore wins."""
        if code in INPUT_ERRORS:
            return True
        best_sel = max((_specificity(p, code) for p in self.select + self.extend_select), default=-1)
        best_ign = max((_specificity(p, code) for p in self.ignore), default=-1)
        return best_sel >= 0 and best_sel > best_ign

    def selected_by_name(self, code: str) -> bool:
        """Whether the code is selected by itself (``IAM507``; not by a prefix, nor ``ALL``,
        which a configuration written before the rule existed may hold) and not ignored: what
        an opt-in rule (`iamlint.rule.Rule.opt_in`) needs."""
        best_sel = len(code) if code in self.select + self.extend_select else -1
        best_ign = max((_specificity(p, code) for p in self.ignore), default=-1)
        return best_sel > 0 and best_sel > best_ign

    def ignored_in(self, code: str, path: str) -> bool:
        if code in INPUT_ERRORS:
            return False
        for pattern, codes in self.per_file_ignores:
            if self.matches(path, pattern) and any(_specificity(c, code) >= 0 for c in codes):
                return True
        return False

    def severity_of(self, code: str) -> str | None:
        return dict(self.severity).get(code)

    def relative(self, path: str) -> str:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return rel.replace(os.sep, "/")

    def matches(self, path: str, pattern: str) -> bool:
        """Whether a file matches a glob of this configuration (relative to its directory, or
        absolute: a glob of a file it extends)."""
        return path_matches(path, self.relative(path), pattern)

    def excluded(self, path: str) -> bool:
        return any(self.matches(path, p) for p in self.exclude)

    def kind_for(self, path: str) -> str | None:
        """The policy kind ``[kinds]`` gives a raw JSON file (the last matching glob wins, as
        in ``.gitattributes``), or None: its shape decides."""
        if not self.kinds:
            return None
        rel = self.relative(path)
        found = None
        for pattern, kind in self.kinds:
            if glob_match(rel, pattern):
                found = kind
        return found

    def settings(self) -> dict[str, Any]:
        """What rules read through ``Context.option`` and ``ctx.settings``."""
        out: dict[str, Any] = {"trusted-accounts": list(self.trusted_accounts)}
        if self.org_policies:
            out["org-policy-documents"] = org_policy_documents(self.org_policies)
        for code, opts in self.options:
            for name, value in opts:
                out[f"{code}.{name}"] = value
        return out


_ORG_POLICIES: dict[tuple[str, ...], tuple[Any, ...]] = {}


def org_policy_documents(paths: tuple[str, ...]) -> tuple[Any, ...]:
    """The documents of the ``org-policies`` files, read once per process: each an SCP, or an
    RCP when it has a ``Principal`` (`iamlint.model.PolicyDocument`)."""
    got = _ORG_POLICIES.get(paths)
    if got is None:
        got = _ORG_POLICIES[paths] = tuple(d for p in paths for d in _read_org_policy(p))
    return got


def _read_org_policy(path: str) -> list[Any]:
    """A policy file of ``org-policies``, or a ConfigError that says what is wrong with it."""
    from dataclasses import replace

    from .discover import read
    from .extract import extract_file

    text, err = read(path)
    if text is None:
        why = err.message if err is not None else "cannot read"
        raise ConfigError(f"org-policies: {path}: {why}")
    ex = extract_file(path if path.lower().endswith(".json") else path + ".json", text, DocKind.SCP)
    bad = [d for d in (ex.diagnostics if ex is not None else []) if d.code in INPUT_ERRORS]
    if ex is None or bad or not ex.documents:
        where = (
            f":{bad[0].span.line}:{bad[0].span.column}: {bad[0].message}"
            if bad
            else ": not a policy document"
        )
        raise ConfigError(f"org-policies: {path}{where}")
    return [
        replace(d, kind=DocKind.RCP) if any(st.principal is not None for st in d.statements) else d
        for d in ex.documents
    ]


def _org_policy_files(patterns: list[str], root: str, path: str | None, prefix: str) -> tuple[str, ...]:
    """The files the ``org-policies`` globs match, relative to the configuration's directory;
    a glob that matches no file is an error (never silently no cap)."""
    import glob

    out: set[str] = set()
    for pattern in patterns:
        found = [f for f in glob.glob(os.path.join(root, pattern), recursive=True) if os.path.isfile(f)]
        if not found:
            raise ConfigError(f"{path}: {_key_path(prefix, ['org-policies'])}: {pattern!r} matches no file")
        out.update(os.path.realpath(f) for f in found)
    files = tuple(sorted(out))
    for f in files:
        _read_org_policy(f)  # a broken policy file stops the run here, with its place
    return files


def parse_size(text: str | int) -> int:
    """A size in bytes from ``32MiB``, ``512 KiB``, ``1GB`` (KB, MB, GB: powers of 1000) or a
    number of bytes; ValueError when it is none of these or not positive."""
    import re

    if isinstance(text, int) and not isinstance(text, bool):
        n = text
    else:
        m = re.match(SIZE_PATTERN, str(text).strip())
        if m is None:
            raise ValueError(f"expected a size such as 32MiB, 512KiB or a number of bytes, got {text!r}")
        n = int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])
    if n < 1:
        raise ValueError(f"expected a size of at least 1 byte, got {text!r}")
    return n


def _specificity(prefix: str, code: str) -> int:
    if prefix == "ALL":
        return 0
    return len(prefix) if code.startswith(prefix) else -1


def glob_match(rel: str, pattern: str) -> bool:
    """A gitignore-like glob: ``**`` spans folders (``a/**/b`` matches ``a/b`` too); a pattern
    without ``/`` matches any part."""
    p = pattern.strip().rstrip("/")
    if p.startswith("./"):
        p = p[2:]
    if fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p + "/*"):
        return True
    if p.startswith("**/") and (fnmatch.fnmatch(rel, p[3:]) or fnmatch.fnmatch(rel, p[3:] + "/*")):
        return True
    if "/**/" in p:
        return glob_match(rel, p.replace("/**/", "/", 1))
    if "/" not in p:
        return any(fnmatch.fnmatch(part, p) for part in rel.split("/"))
    return False


def path_matches(path: str, rel: str, pattern: str) -> bool:
    """`glob_match` of a file by its path relative to the configuration (``rel``), or by its
    absolute path for an absolute glob (one written in a file that another extends)."""
    if os.path.isabs(pattern.strip()):
        return glob_match(os.path.abspath(path).replace(os.sep, "/"), pattern)
    return glob_match(rel, pattern)


# -- the schema ----------------------------------------------------------------------------------
#: a ``[[suppress]]`` entry (also the deprecated ``[[ignore]]`` table)
SUPPRESS_ENTRY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["files", "rules"],
    "properties": {
        "files": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "rules": {
            "type": "array",
            "items": {
                "type": "string",
                "pattern": "^(ALL|[A-Z]+[0-9]*)$",
                "description": "a rule code or prefix such as IAM101",
            },
        },
        "reason": {"type": "string"},
        "actions": {"type": "array", "items": {"type": "string"}},
        "resources": {"type": "array", "items": {"type": "string"}},
        "until": {"type": "string"},
    },
}


def schema(registry) -> dict:
    """The JSON Schema of ``[tool.iamlint]``, with the options each rule declares."""
    codes = sorted(r.code for r in registry)
    code_or_prefix = {
        "type": "string",
        "pattern": "^(ALL|[A-Z]+[0-9]*)$",
        "description": "a rule code or prefix such as IAM101, IAM1 or ALL",
    }
    code_list = {"type": "array", "items": code_or_prefix}
    rule_options: dict[str, Any] = {}
    top_level_options: dict[str, Any] = {}
    for r in registry:
        if not r.options:
            continue
        props = {name: _option_schema(opt) for name, opt in r.options.items()}
        entry = {"type": "object", "properties": props, "additionalProperties": False}
        rule_options[r.code] = entry
        rule_options[r.name] = entry
        top_level_options.update(props)  # a rule option may also be written at the top level
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "extend": {"type": "string", "description": "the path of a configuration file to inherit"},
            "select": code_list,
            # a list of codes; (deprecated) [[tool.iamlint.ignore]] tables are [[suppress]] entries
            "ignore": {"anyOf": [code_list, {"type": "array", "items": SUPPRESS_ENTRY_SCHEMA}]},
            "suppress": {"type": "array", "items": SUPPRESS_ENTRY_SCHEMA},
            "extend-select": code_list,
            "per-file-ignores": {"type": "object", "additionalProperties": code_list},
            "severity": {
                "type": "object",
                "propertyNames": {"enum": codes},
                "additionalProperties": {"enum": list(SEVERITIES)},
            },
            "fail-on": {"enum": list(SEVERITIES)},
            "exclude": {"type": "array", "items": {"type": "string"}},
            "trusted-accounts": {
                "type": "array",
                "items": {
                    "type": "string",
                    "pattern": "^[0-9]{12}$",
                    "description": "a 12-digit AWS account id",
                },
            },
            "require-reason": {"type": "boolean"},
            "allow-paths": {
                "type": "array",
                "items": {
                    "type": "string",
                    "description": "a directory or file outside the repository that file() may read",
                },
            },
            "max-file-size": {
                "anyOf": [
                    {"type": "integer", "minimum": 1},
                    {
                        "type": "string",
                        "pattern": SIZE_PATTERN,
                        "description": "a size such as 32MiB, 512KiB or a number of bytes",
                    },
                ]
            },
            "timeout": {"type": "number", "minimum": 0},
            "catalogue": {
                "enum": ["auto", "bundled"],
                "description": "auto: a newer installed cfn-lint's AWS data when there is one; bundled: iamlint's own",
            },
            "kinds": {"type": "object", "additionalProperties": {"enum": KIND_NAMES}},
            "org-policies": {
                "type": "array",
                "items": {
                    "type": "string",
                    "description": "a glob of SCP or RCP files that govern the account, such as org/scps/*.json",
                },
            },
            "options": {"type": "object", "properties": rule_options, "additionalProperties": False},
            **top_level_options,
        },
    }


def _option_schema(opt: Any) -> dict[str, Any]:
    """A rule option's schema, from its declared default (see `iamlint.rule.Option`)."""
    default = getattr(opt, "default", opt)
    out: dict[str, Any] = {"type": _json_type(default)}
    minimum = getattr(opt, "minimum", None)
    if minimum is not None:
        out["minimum"] = minimum
    return out


def _json_type(default: Any) -> str:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int):
        return "integer"
    if isinstance(default, (list, tuple)):
        return "array"
    return "string"


# -- reading -------------------------------------------------------------------------------------
def _toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    from .discover import decode

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    text, err = decode(path, data)  # UTF-8, as TOML is; where it is not, says where
    if err is not None:
        raise ConfigError(f"{path}:{err.span.line}:{err.span.column}: invalid TOML: {err.message}")
    try:
        return tomllib.loads(text or "")
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except ValueError:  # int() refuses a number of more than 4,300 digits
        raise ConfigError(f"{path}: invalid TOML: a number with too many digits") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None


def _cached_toml(path: str, use_cache: bool = True) -> dict:
    """The parsed TOML, from the user cache when the file has not changed.

    Importing tomllib alone costs ~7 ms, most of the configuration's share of a cold run;
    the cache entry is keyed by the file's absolute path, size and modification time. An
    entry that is not one this function wrote (another ident, no table) is passed over, and
    `load` reads the file itself when the cached table fails validation.
    """
    from binascii import crc32  # a built-in module: hashlib's import alone costs ~5 ms

    from .cache import read_json, write_json
    from .version import __version__

    try:
        st = os.stat(path)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from None
    ident = f"{__version__}\0{os.path.abspath(path)}\0{st.st_size}\0{st.st_mtime_ns}"
    name = f"config-{crc32(ident.encode()):08x}-{len(ident)}.json"  # ident is checked on read
    if use_cache:
        cached = read_json(name)
        if isinstance(cached, dict) and cached.get("ident") == ident and isinstance(cached.get("data"), dict):
            return cached["data"]
    data = _toml(path)
    try:
        write_json(name, {"ident": ident, "data": _jsonable(data)})
    except RecursionError:
        pass  # too deep to cache; validation says where
    return data


def _jsonable(value: Any) -> Any:
    """TOML dates and times become ISO strings (the schema speaks strings for them too)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _table(path: str, use_cache: bool = True) -> tuple[dict | None, str]:
    """The iamlint table of a config file and its key prefix for messages."""
    data = _cached_toml(path, use_cache)
    if os.path.basename(path) == "pyproject.toml":
        tool = data.get("tool", {})
        return (tool.get("iamlint") if isinstance(tool, dict) else None), "tool.iamlint"
    return data, ""


def _key_path(prefix: str, parts: Iterable) -> str:
    """The key path as TOML writes it: a key that is not a bare key (a glob such as
    ``org/scps/*.json``) in quotes, so that its dots are not read as separators."""
    import re

    out = prefix
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            key = str(p) if re.fullmatch(r"[A-Za-z0-9_-]+", str(p)) else _quoted(str(p))
            out += ("." if out else "") + key
    return out or "(top level)"


def _quoted(key: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; control characters escaped, so the
    message stays one line), cut short as `_shown` cuts values."""
    import json

    return json.dumps(key if len(key) <= 60 else key[:57] + "...", ensure_ascii=False)


def _entries(table: dict) -> list[tuple[str, int, Any]]:
    """The suppression entries of one file's table: (key, index, entry), ``[[ignore]]`` tables
    (the deprecated spelling) before ``[[suppress]]`` ones."""
    out: list[tuple[str, int, Any]] = []
    if _ignore_tables(table):
        out.extend(("ignore", i, e) for i, e in enumerate(table["ignore"]))
    suppress = table.get("suppress", [])
    if isinstance(suppress, list):  # the schema judges the rest
        out.extend(("suppress", i, e) for i, e in enumerate(suppress))
    return out


def _ignore_tables(table: dict) -> bool:
    """Whether ``ignore`` holds suppression tables (``[[ignore]]``) rather than codes."""
    ignore = table.get("ignore")
    return isinstance(ignore, list) and bool(ignore) and all(isinstance(e, dict) for e in ignore)


def validate(table: dict, path: str, prefix: str, registry) -> None:
    from .schemacheck import errors, is_valid

    sch = schema(registry)
    if not is_valid(table, sch):
        err = _deepest(errors(table, sch))
        raise ConfigError(f"{path}: {_key_path(prefix, err.absolute_path)}: {_expected(err)}")
    known = {r.code for r in registry}
    for key in ("select", "ignore", "extend-select"):
        for i, code in enumerate(table.get(key, [])):
            if isinstance(code, str) and code != "ALL" and not any(k.startswith(code) for k in known):
                raise ConfigError(
                    f"{path}: {_key_path(prefix, [key, i])}: {_shown(code)} is not a rule code or prefix "
                    "(see 'iamlint rules')"
                )


def _deepest(errs: list):
    """The error that says best what was expected.

    For an ``anyOf`` failure, the branch with the fewest errors is the one the user meant
    (a list of tables is a list of suppression entries, not of codes).
    """
    err = errs[0]
    while err.context:
        branches: dict[int, list] = {}
        for sub in err.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        best = min(
            branches.values(),
            # a "type" error means the value was meant for another branch
            key=lambda b: (
                sum(e.validator == "type" for e in b),
                len(b),
                -max(len(e.absolute_path) for e in b),
            ),
        )
        err = max(best, key=lambda e: len(e.absolute_path))
    return err


def _shown(value: Any) -> str:
    """``repr(value)``, cut short: a message stays one readable line whatever the file holds."""
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxstring, r.maxother, r.maxlong = 3, 60, 60, 40
    return r.repr(value)


def _expected(err) -> str:
    v = err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = ", ".join(sorted(err.schema.get("properties", {}))) or "none"
        return f"unknown key {', '.join(map(_shown, extra))} (expected one of: {allowed})"
    if v == "type":
        return f"expected {err.validator_value}, got {type(err.instance).__name__} {_shown(err.instance)}"
    if v == "enum":
        return f"expected one of {', '.join(map(str, err.validator_value))}, got {_shown(err.instance)}"
    if v == "pattern":
        return f"expected {err.schema.get('description', 'a valid value')}, got {_shown(err.instance)}"
    if v == "required":
        return err.message
    if v == "minimum":
        return f"expected a number >= {err.validator_value}, got {_shown(err.instance)}"
    return err.message


def from_table(
    table: dict,
    path: str | None,
    root: str,
    prefix: str = "",
    registry: Any = None,
    suppressions: tuple[Directive, ...] | None = None,
) -> Config:
    """Build a Config from a validated table (keys as in the file); ``registry`` turns rule
    names in ``[options.NAME]`` into codes and finds the rule of a top-level option.
    ``suppressions``: the entries already made (a chain of files); None: the table's own."""
    if suppressions is None:
        suppressions = tuple(_directives(table, path, prefix))
    options = _options(table, registry)
    ignore = table.get("ignore", [])
    codes_ignore = tuple(c for c in ignore if isinstance(c, str))
    try:
        max_file_size = parse_size(table.get("max-file-size", MAX_BYTES))
    except ValueError as e:
        raise ConfigError(f"{path}: {_key_path(prefix, ['max-file-size'])}: {e}") from None
    return Config(
        path=path,
        root=root,
        select=tuple(table.get("select", ("ALL",))),
        ignore=codes_ignore,
        extend_select=tuple(table.get("extend-select", ())),
        per_file_ignores=tuple((k, tuple(v)) for k, v in table.get("per-file-ignores", {}).items()),
        severity=tuple(table.get("severity", {}).items()),
        fail_on=table.get("fail-on", "info"),
        exclude=tuple(table.get("exclude", ())),
        trusted_accounts=tuple(table.get("trusted-accounts", ())),
        require_reason=table.get("require-reason", True),
        suppressions=suppressions,
        options=tuple((code, tuple(opts.items())) for code, opts in options.items()),
        # relative to the configuration file, resolved as file() targets are
        allow_paths=tuple(os.path.realpath(os.path.join(root, p)) for p in table.get("allow-paths", ())),
        max_file_size=max_file_size,
        timeout=float(table.get("timeout", DEFAULT_TIMEOUT)),
        catalogue=str(table.get("catalogue", "auto")),
        kinds=tuple(table.get("kinds", {}).items()),
        org_policies=_org_policy_files(table.get("org-policies", []), root, path, prefix),
    )


def _options(table: dict, registry: Any) -> dict[str, dict[str, Any]]:
    """Rule options by code: a rule's options written at the top level, then its
    ``[options.CODE]`` or ``[options.NAME]`` table (which wins)."""

    def code_of(key: str) -> str:
        rule = registry.get(key) if registry is not None else None
        return rule.code if rule is not None else key

    options: dict[str, dict[str, Any]] = {}
    if registry is not None:
        for r in registry:
            for name in r.options:
                if name in table:
                    options.setdefault(r.code, {})[name] = table[name]
    for k, v in table.get("options", {}).items():
        options.setdefault(code_of(k), {}).update(v)
    return options


def _directives(table: dict, path: str | None, prefix: str, base: str | None = None) -> list[Directive]:
    """The suppression entries of one file as directives, each with its key path
    (``tool.iamlint.suppress[0]``) and the line of its table. ``base``: the directory its
    globs are relative to, when the file is extended by another (its globs become absolute)."""
    places = _entry_places(path, prefix) if path else {}
    out = []
    for key, i, e in _entries(table):
        files = e["files"] if isinstance(e["files"], list) else [e["files"]]
        if base is not None:
            files = [_rebased(base, g) for g in files]
        where = _key_path(prefix, [key, i])
        line, keys = places.get((key, i), (places.get(key, (1, {}))[0], {}))
        span = Span(path or "configuration", line, 1, line, 2)
        until = e.get("until")
        problem = None
        if until is not None:
            import datetime as _dt

            try:
                _dt.date.fromisoformat(str(until).strip())
            except ValueError:  # said here, where the key path and the line are known
                problem = f"{where}.until: {_shown(str(until))} is not a date like 2027-03-31"
                if "until" in keys:
                    span = Span(
                        span.file, keys["until"][0], keys["until"][1], keys["until"][0], keys["until"][2]
                    )
        out.append(
            Directive(
                codes=tuple(e["rules"]),
                reason=e.get("reason", ""),
                span=span,
                source="config",
                until=None if until is None else str(until),
                files=tuple(files),
                actions=tuple(e.get("actions", ())),
                resources=tuple(e.get("resources", ())),
                key=(path, where),
                problem=problem,
            )
        )
    return out


def _entry_places(path: str, prefix: str) -> dict:
    """Where each suppression entry of a file is: ``{(key, index): (line, {name: (line, column,
    end column)})}`` for ``[[...suppress]]`` and ``[[...ignore]]`` tables, and ``{key: (line,
    {})}`` for an inline array (``suppress = [{...}]``). TOML's parser gives no positions."""
    import re

    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return {}
    table = re.escape(prefix + ".") if prefix else ""
    header = re.compile(r"^\s*\[\[\s*" + table + r"(ignore|suppress)\s*\]\]")
    inline = re.compile(r"^\s*(ignore|suppress)\s*=")
    assignment = re.compile(r"^(\s*)([A-Za-z0-9_-]+)\s*=")
    counts = {"ignore": -1, "suppress": -1}
    current: tuple[str, int] | None = None
    in_table = not prefix  # where a plain key belongs to the iamlint table
    out: dict = {}
    for n, text in enumerate(lines, 1):
        m = header.match(text)
        if m:
            counts[m.group(1)] += 1
            current = (m.group(1), counts[m.group(1)])
            out[current] = (n, {})
            continue
        if text.lstrip().startswith("["):
            current = None
            in_table = bool(prefix) and text.strip() == f"[{prefix}]"
            continue
        if current is not None:
            a = assignment.match(text)
            if a:
                out[current][1].setdefault(a.group(2), (n, len(a.group(1)) + 1, len(text.rstrip()) + 1))
        elif in_table:
            i = inline.match(text)
            if i:
                out.setdefault(i.group(1), (n, {}))
    return out


#: deeper than any value of the schema; deeper values are refused before anything recurses
MAX_DEPTH = 32


def _too_deep(value: Any, limit: int = MAX_DEPTH) -> list | None:
    """The key path of a value nested more than ``limit`` levels deep, if there is one."""
    stack: list[tuple[Any, list]] = [(value, [])]
    while stack:
        v, where = stack.pop()
        if len(where) > limit:
            return where
        if isinstance(v, dict):
            stack.extend((x, [*where, k]) for k, x in v.items())
        elif isinstance(v, list):
            stack.extend((x, [*where, i]) for i, x in enumerate(v))
    return None


#: the longest chain of ``extend``: longer is surely a mistake
MAX_EXTEND = 16


class _Layer(NamedTuple):
    """One file of an ``extend`` chain: its path, key prefix and validated table."""

    path: str
    prefix: str
    table: dict


def load(path: str, registry, missing_ok: bool = False, warnings: list[str] | None = None) -> Config | None:
    """Read, validate and build a configuration file and the files it extends (None: a
    pyproject.toml without our table). Deprecation notes are added to ``warnings``."""
    try:
        return _load(path, registry, missing_ok, use_cache=True, warnings=warnings)
    except ConfigError:
        # the cached copy may be corrupt or hostile: only the file itself can be at fault
        return _load(path, registry, missing_ok, use_cache=False, warnings=warnings)


def _load(
    path: str, registry, missing_ok: bool, use_cache: bool, warnings: list[str] | None = None
) -> Config | None:
    layers = _chain(path, registry, missing_ok, use_cache)
    if layers is None:
        return None
    merged: dict = {}
    directives: list[Directive] = []
    notes = []
    for n, layer in enumerate(layers):
        base = os.path.dirname(os.path.abspath(layer.path)) if n < len(layers) - 1 else None
        directives.extend(_directives(layer.table, layer.path, layer.prefix, base))
        merged = _overlay(merged, _normalised(layer.table, registry, base))
        if _ignore_tables(layer.table):
            old = _key_path(layer.prefix, ["ignore"])
            new = _key_path(layer.prefix, ["suppress"])
            notes.append(
                f"{layer.path}: [[{old}]] tables are deprecated: write them as [[{new}]] "
                f"({old} is the list of codes to disable)"
            )
    if warnings is not None:
        warnings.extend(n for n in notes if n not in warnings)
    top = layers[-1]
    root = os.path.dirname(os.path.abspath(top.path))
    return from_table(merged, top.path, root, top.prefix, registry, suppressions=tuple(directives))


def _chain(path: str, registry, missing_ok: bool, use_cache: bool) -> list[_Layer] | None:
    """The file and the files it extends, validated one by one, the furthest base first."""
    layers: list[_Layer] = []
    current = path
    while True:
        table, prefix = _table(current, use_cache)
        if table is None:
            if not layers and missing_ok:
                return None
            by = f" (extended by {layers[-1].path})" if layers else ""
            raise ConfigError(f"{current}: no [tool.iamlint] table{by}")
        deep = _too_deep(table)
        if deep is not None:
            where = _key_path(prefix, deep[:4]) + "..."
            raise ConfigError(f"{current}: {where}: nested more than {MAX_DEPTH} levels deep")
        # TOML dates arrive as datetime.date; the schema speaks strings
        for _key, _i, e in _entries(table) if isinstance(table, dict) else []:
            if isinstance(e, dict) and hasattr(e.get("until"), "isoformat"):
                e["until"] = e["until"].isoformat()
        validate(table, current, prefix, registry)
        layers.append(_Layer(current, prefix, table))
        target = table.get("extend")
        if target is None:
            return layers[::-1]
        where = f"{current}: {_key_path(prefix, ['extend'])}"
        full = os.path.normpath(
            os.path.join(os.path.dirname(os.path.abspath(current)), os.path.expanduser(target))
        )
        if not os.path.exists(full):
            raise ConfigError(f"{where}: cannot read {_shown(target)}: no such file")
        if not os.path.isfile(full):
            raise ConfigError(f"{where}: {_shown(target)} is not a file")
        seen = [os.path.realpath(layer.path) for layer in layers]
        if os.path.realpath(full) in seen:
            cycle = " -> ".join([*(layer.path for layer in layers), full])
            raise ConfigError(f"{where}: {_shown(target)} extends back to a file of the chain: {cycle}")
        if len(layers) >= MAX_EXTEND:
            raise ConfigError(f"{where}: more than {MAX_EXTEND} files extend one another")
        current = full


def _normalised(table: dict, registry: Any, base: str | None) -> dict:
    """A layer's keys as `_overlay` merges them: without ``extend`` and suppression entries
    (made into directives apart), rule options under ``options`` by code; for an extended
    file (``base``: its directory), its paths and globs made absolute, so that they keep
    meaning what they meant next to it."""
    out = {k: v for k, v in table.items() if k not in ("extend", "suppress")}
    if _ignore_tables(table):
        del out["ignore"]
    if registry is not None:
        for r in registry:
            for name in r.options:
                out.pop(name, None)
    options = _options(table, registry)
    if options:
        out["options"] = options
    if base is not None:
        if "exclude" in out:
            out["exclude"] = [_rebased(base, g) for g in out["exclude"]]
        if "per-file-ignores" in out:
            out["per-file-ignores"] = {_rebased(base, g): v for g, v in out["per-file-ignores"].items()}
        if "allow-paths" in out:
            out["allow-paths"] = [os.path.join(base, p) for p in out["allow-paths"]]
    return out


def _overlay(base: dict, top: dict) -> dict:
    """``top`` over ``base``: key by key; tables entry by entry (``options`` rule by rule);
    ``extend-select`` adds to the base's unless ``top`` sets ``select`` (selection starts over)."""
    out = dict(base)
    for k, v in top.items():
        if k in ("per-file-ignores", "severity"):
            out[k] = {**out.get(k, {}), **v}
        elif k == "options":
            merged = {code: dict(opts) for code, opts in out.get("options", {}).items()}
            for code, opts in v.items():
                merged.setdefault(code, {}).update(opts)
            out[k] = merged
        elif k == "extend-select" and "select" not in top:
            out[k] = [*out.get(k, []), *v]
        else:
            out[k] = v
    if "select" in top and "extend-select" not in top:
        out.pop("extend-select", None)
    return out


def _rebased(base: str, pattern: str) -> str:
    """A glob of an extended file, made absolute against its directory when it names a path
    (a glob without ``/`` matches a name anywhere, wherever it is written)."""
    p = pattern.strip()
    if p.startswith("./"):
        p = p[2:]
    if "/" not in p.rstrip("/") or os.path.isabs(p):
        return pattern
    return os.path.normpath(os.path.join(os.path.abspath(base), p)).replace(os.sep, "/")


class Resolver:
    """Finds and caches the configuration that applies to each linted file.

    ``warnings``: deprecation notes about the configuration files read so far, one per file.
    """

    def __init__(self, registry, explicit: str | None = None, isolated: bool = False, overrides=None):
        self.registry = registry
        self.isolated = isolated
        self.overrides = overrides or {}
        self.warnings: list[str] = []
        self._dirs: dict[str, Config] = {}
        self._files: dict[str, Config | None] = {}
        loaded = load(explicit, registry, warnings=self.warnings) if explicit else None
        self.explicit = self._apply(loaded) if loaded is not None else None
        self.default = self._apply(Config(root=os.getcwd()))

    @classmethod
    def fixed(cls, registry: Any, config: Config) -> Resolver:
        """A resolver that gives every file the same configuration (no discovery)."""
        r = cls(registry, isolated=True)
        r.default = config
        return r

    def _apply(self, cfg: Config) -> Config:
        """Command-line flags win over the file (rule options one by one)."""
        if not self.overrides:
            return cfg
        fields = dict(self.overrides)
        if "allow_paths" in fields:  # --allow-path adds to the file's allow-paths
            fields["allow_paths"] = cfg.allow_paths + tuple(fields["allow_paths"])
        if "options" in fields:
            merged = {code: dict(opts) for code, opts in cfg.options}
            for code, opts in fields["options"]:
                merged.setdefault(code, {}).update(opts)
            fields["options"] = tuple((code, tuple(opts.items())) for code, opts in merged.items())
        return cfg._replace(**fields)

    def for_path(self, path: str) -> Config:
        if self.explicit is not None:
            return self.explicit
        if self.isolated:
            return self.default
        directory = os.path.dirname(os.path.abspath(path))
        return self._for_dir(directory)

    def _for_dir(self, directory: str) -> Config:
        """The configuration of the nearest directory, from ``directory`` up, that has one
        (else the default); a loop, not a recursion: a tree 1,500 directories deep is input."""
        walked: list[str] = []
        found: Config | None = None
        while True:
            if directory in self._dirs:
                found = self._dirs[directory]
                break
            walked.append(directory)
            found = self._own(directory)
            if found is not None:
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                found = self.default
                break
            directory = parent
        for d in walked:
            self._dirs[d] = found
        return found

    def _own(self, directory: str) -> Config | None:
        """The configuration a directory's own files give, or None."""
        for name in (".iamlint.toml", "pyproject.toml"):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                if name == "pyproject.toml" and "tool.iamlint" not in _quick_read(candidate):
                    continue
                cfg = self._load_cached(candidate)
                if cfg is None:  # a pyproject.toml without a [tool.iamlint] table
                    continue
                return self._apply(cfg)
        return None

    def _load_cached(self, path: str) -> Config | None:
        if path not in self._files:
            self._files[path] = load(path, self.registry, missing_ok=True, warnings=self.warnings)
        return self._files[path]


def _quick_read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""
