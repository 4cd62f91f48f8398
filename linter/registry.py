"""The rule API and the registry.

A rule is a class in its own file under ``rules/`` (installed as ``iamlint.rules``). It
declares ``code``, ``name`` (kebab-case), ``severity`` and a docstring with the sections
*What it does*, *Why is this bad?*, *Example* and *Use instead*, and subclasses the base
class of the scope it looks at:

- `StatementRule`: ``check(statement, document, ctx)``, once per statement;
- `DocumentRule`: ``check(document, ctx)``, once per policy document;
- `PrincipalRule`: ``check(principal, ctx)``, once per IAM principal of the attachment graph;
- `DiagnosticRule`: reported by the engine itself (parse errors), never called.

Built-in rules are listed explicitly in ``iamlint.rules.BUILTIN``. Third-party rules come
from the entry-point group ``iamlint.rules`` (each entry point names a rule class) and are
validated when loaded; a bad plugin is a `RegistryError` with a message that names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator

from .model import Finding, IAMPrincipal, PolicyDocument, Severity, Span, Statement

CODE_RE = re.compile(r"^[A-Z]{2,6}[0-9]{3,4}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
ENTRY_POINT_GROUP = "iamlint.rules"
DOCS_BASE = "https://github.com/iamlint/iamlint/blob/main/docs/rules.md"
#: input formats: raw JSON policy files, CloudFormation templates, Terraform HCL and plan JSON
FORMATS = ("json", "cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")


class RegistryError(Exception):
    """A rule that cannot be registered; the message says which and why."""


@dataclass
class Context:
    """What a rule may know beyond the element it checks.

    ``documents`` and ``principals`` are everything extracted from the file (for a
    Terraform module, the module), for rules that compare across documents.
    ``settings`` holds configuration values (``trusted-accounts``, rule options).
    """

    documents: tuple[PolicyDocument, ...] = ()
    principals: tuple[IAMPrincipal, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    #: per-file memo for rules that compare across documents or principals (key: rule code)
    cache: dict[str, Any] = field(default_factory=dict)

    def option(self, rule: "Rule", name: str) -> Any:
        key = f"{rule.code}.{name}"
        if key in self.settings:
            return self.settings[key]
        if name in self.settings:
            return self.settings[name]
        return rule.options.get(name)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    scope: ClassVar[str] = ""
    #: the input formats (of `FORMATS`) the rule can report findings in
    formats: ClassVar[tuple[str, ...]] = FORMATS
    #: options the rule reads through ``ctx.option``, with their defaults
    options: ClassVar[dict[str, Any]] = {}

    def finding(
        self,
        span: Span,
        message: str,
        owner: str | None = None,
        value: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            span=span,
            owner=owner,
            value=value,
        )

    @classmethod
    def doc(cls) -> str:
        return _dedent(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The docstring's first line, for tables and SARIF short descriptions."""
        return cls.doc().splitlines()[0].strip() if cls.doc() else ""

    @classmethod
    def help_uri(cls) -> str:
        return f"{DOCS_BASE}#{cls.code.lower()}-{cls.name}"


    # The engine calls the check_* method of each scope a rule takes part in. A rule of one
    # scope implements ``check``; a rule that must also look at another scope (IAM201 reads
    # statements and principals) overrides that scope's check_* method as well.
    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return ()

    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return ()

    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        return ()

    @classmethod
    def takes_part_in(cls, scope: str) -> bool:
        method = f"check_{scope}"
        return getattr(cls, method) is not getattr(Rule, method)


class StatementRule(Rule):
    scope = "statement"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return self.check(stmt, doc, ctx)


class DocumentRule(Rule):
    scope = "document"

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return self.check(doc, ctx)


class PrincipalRule(Rule):
    scope = "principal"

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        return self.check(principal, ctx)


class DiagnosticRule(Rule):
    """A diagnostic of the tool itself (parse errors); the engine emits it."""

    scope = "diagnostic"


def _dedent(text: str) -> str:
    import textwrap

    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    first, rest = lines[0].strip(), textwrap.dedent("\n".join(lines[1:]))
    return (first + "\n" + rest).strip() + "\n"


def doc_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring on its ``## Heading`` lines."""
    out: dict[str, str] = {}
    current = None
    buf: list[str] = []
    for line in doc.splitlines():
        m = re.match(r"^##\s+(.+?)\s*$", line)
        if m:
            if current is not None:
                out[current] = "\n".join(buf).strip()
            current, buf = m.group(1), []
        elif current is not None:
            buf.append(line)
    if current is not None:
        out[current] = "\n".join(buf).strip()
    return out


def validate(cls: Any, origin: str, builtin: bool) -> None:
    """Raise `RegistryError` when ``cls`` is not a well-formed rule."""
    where = f"rule {getattr(cls, '__name__', cls)!r} from {origin}"
    if not isinstance(cls, type) or not issubclass(cls, Rule) or cls.scope == "":
        raise RegistryError(
            f"{where}: not a rule class (subclass iamlint.StatementRule, DocumentRule or PrincipalRule)"
        )
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

    def of_scope(self, scope: str) -> list[type[Rule]]:
        return [r for r in self if r.scope == scope]


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
        items = obj if isinstance(obj, (list, tuple)) else [obj]
        for cls in items:
            registry.add(cls, origin=origin, builtin=False)


_DEFAULT: Registry | None = None


def default_registry(plugins: bool = True) -> Registry:
    """The built-in rules plus the installed plugins (cached per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        from iamlint.rules import BUILTIN

        reg = Registry(BUILTIN)
        if plugins:
            load_plugins(reg)
        _DEFAULT = reg
    return _DEFAULT


def BUILTIN_ONLY() -> Registry:
    """The built-in rules alone (for generated docs, which must not depend on plugins)."""
    from iamlint.rules import BUILTIN

    return Registry(BUILTIN)
