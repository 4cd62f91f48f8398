"""The registry: the rules of a run, validated when they are added.

Built-in rules are listed explicitly in ``iamlint.rules.BUILTIN`` and assembled with the
installed plugins by `iamlint.ruleset`. Third-party rules come from the entry-point group
``iamlint.rules`` (each entry point names a rule class, or a list of them) and are validated
when loaded; a bad plugin is a `RegistryError` with a message that names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .model import Severity
from .rule import FORMATS, SCOPES, SECTIONS, DiagnosticRule, Option, Rule, doc_sections

CODE_RE = re.compile(r"^[A-Z]{2,6}[0-9]{3,4}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
OPTION_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ENTRY_POINT_GROUP = "iamlint.rules"
PRECISIONS = ("very-high", "high", "medium", "low")


class RegistryError(Exception):
    """A rule that cannot be registered; the message says which and why."""


def validate(cls: Any, origin: str, builtin: bool) -> None:
    """Raise `RegistryError` when ``cls`` is not a well-formed rule."""
    where = f"rule {getattr(cls, '__name__', cls)!r} from {origin}"
    if not isinstance(cls, type) or not issubclass(cls, Rule) or cls in (Rule, DiagnosticRule):
        raise RegistryError(
            f"{where}: not a rule class (subclass iamlint.api.StatementRule, DocumentRule or PrincipalRule)"
        )
    if not issubclass(cls, DiagnosticRule):
        if not cls.scopes or any(s not in SCOPES for s in cls.scopes):
            raise RegistryError(
                f"{where}: scopes {cls.scopes!r} must name one or more of {', '.join(SCOPES)}"
            )
        for scope in cls.scopes:
            method = SCOPES[scope]
            if getattr(cls, method) is getattr(Rule, method):
                raise RegistryError(f"{where}: declares the {scope} scope but does not implement {method}()")
    elif not builtin:
        raise RegistryError(f"{where}: diagnostic rules are iamlint's own")
    for attr in ("code", "name", "severity"):
        if not hasattr(cls, attr):
            raise RegistryError(f"{where}: missing class attribute {attr!r}")
    if not isinstance(cls.code, str) or not CODE_RE.match(cls.code):
        raise RegistryError(
            f"{where}: code {cls.code!r} must be 2-6 capital letters and 3-4 digits, like ACME101"
        )
    if not builtin and cls.code.startswith("IAM"):
        raise RegistryError(
            f"{where}: code {cls.code!r} uses the IAM prefix, which is reserved for iamlint's own rules"
        )
    if not isinstance(cls.name, str) or not NAME_RE.match(cls.name):
        raise RegistryError(f"{where}: name {cls.name!r} must be kebab-case, like wildcard-action")
    if not isinstance(cls.severity, Severity):
        raise RegistryError(f"{where}: severity must be iamlint.Severity.ERROR, WARNING or INFO")
    if not isinstance(cls.formats, tuple) or not cls.formats or any(f not in FORMATS for f in cls.formats):
        raise RegistryError(f"{where}: formats {cls.formats!r} must name one or more of {', '.join(FORMATS)}")
    if not isinstance(cls.options, dict):
        raise RegistryError(f"{where}: options must be a dict of name -> iamlint.api.Option")
    for oname, opt in cls.options.items():
        if not isinstance(oname, str) or not OPTION_RE.match(oname):
            raise RegistryError(
                f"{where}: option name {oname!r} must be kebab-case, like max-inline-policies"
            )
        default = opt.default if isinstance(opt, Option) else opt
        if not isinstance(default, (bool, int, str, list, tuple)):
            raise RegistryError(f"{where}: option {oname!r} needs a boolean, number, string or list default")
    score = cls.security_severity
    if score not in ("", None):
        try:
            ok = isinstance(score, str) and 0.0 <= float(score) <= 10.0
        except ValueError:
            ok = False
        if not ok:
            raise RegistryError(
                f"{where}: security_severity {score!r} must be a score from '0.0' to '10.0', None or ''"
            )
    if cls.precision not in PRECISIONS:
        raise RegistryError(f"{where}: precision {cls.precision!r} must be one of {', '.join(PRECISIONS)}")
    sections = doc_sections(cls.doc())
    missing = [s for s in SECTIONS if not sections.get(s)]
    if missing:
        raise RegistryError(
            f"{where}: docstring lacks the section(s) {', '.join('## ' + m for m in missing)}"
        )


class Registry:
    def __init__(self, rules: Iterable[type[Rule]] = ()):
        self._by_code: dict[str, type[Rule]] = {}
        self._by_name: dict[str, type[Rule]] = {}
        #: the distributions the plugins came from, as "name version" (a result cache's key)
        self.plugins: list[str] = []
        for r in rules:
            self.add(r, origin="iamlint", builtin=True)

    def add(self, cls: type[Rule], origin: str, builtin: bool = False) -> None:
        validate(cls, origin, builtin)
        if cls.code in self._by_code:
            other = self._by_code[cls.code]
            raise RegistryError(
                f"rule {cls.__name__!r} from {origin}: code {cls.code} is already used by "
                f"{other.__module__}.{other.__name__}"
            )
        if cls.name in self._by_name:
            raise RegistryError(
                f"rule {cls.__name__!r} from {origin}: name {cls.name!r} is already used by "
                f"{self._by_name[cls.name].code}"
            )
        self._by_code[cls.code] = cls
        self._by_name[cls.name] = cls

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(sorted(self._by_code.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, key: str) -> type[Rule] | None:
        return self._by_code.get(key.upper()) or self._by_name.get(key.lower())


def _declared_anywhere() -> bool:
    """Whether any installed distribution declares the ``iamlint.rules`` group.

    A cheap scan of the ``entry_points.txt`` files on ``sys.path``: importing
    ``importlib.metadata`` costs about 25 ms of start-up, which a run without plugins (the
    common case, and every pre-commit call) should not pay. ``importlib.metadata`` stays the
    authority on what is loaded.
    """
    import os
    import sys

    marker = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(entry or ".", name, "entry_points.txt"), encoding="utf-8") as fh:
                        if marker in fh.read():
                            return True
                except OSError:
                    continue
    return False


def load_plugins(registry: Registry) -> None:
    """Add the rules of the ``iamlint.rules`` entry-point group, validating each."""
    if not _declared_anywhere():
        return
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        origin = f"entry point {ep.name!r} ({ep.value})"
        try:
            obj = ep.load()
        except Exception as e:  # a broken plugin must not crash the run with a traceback
            raise RegistryError(f"{origin}: cannot be loaded: {type(e).__name__}: {e}") from None
        dist = getattr(ep, "dist", None)
        registry.plugins.append(f"{dist.name} {dist.version}" if dist is not None else ep.value)
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        for cls in items:
            registry.add(cls, origin=origin, builtin=False)
