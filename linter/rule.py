"""The rule API: what a rule declares, what it looks at, and how it reports.

A rule is a class in its own file (built-in ones under ``rules/``, installed as
``iamlint.rules``; third-party ones in any package, registered through the entry-point group
``iamlint.rules``). Rule authors import everything from one public path, `iamlint.api`.

A rule declares ``code``, ``name`` (kebab-case), ``severity``, the ``formats`` it applies to
(all by default), its ``options`` (with defaults), and a docstring with the sections *What it
does*, *Why is this bad?*, *Example* and *Use instead*; it subclasses the base class of the
scope it looks at:

- `StatementRule`: ``check(statement, document, ctx)``, once per statement;
- `DocumentRule`: ``check(document, ctx)``, once per policy document;
- `PrincipalRule`: ``check(principal, ctx)``, once per IAM principal of the attachment graph;
- `DiagnosticRule`: documents one of iamlint's own diagnostics (IAM9xx); never called.

A rule that must look at two scopes subclasses `Rule`, declares them
(``scopes = ("statement", "principal")``) and implements ``check_statement`` and
``check_principal``.

Findings are made with `Rule.report`, which fills in the span, the owner and the value
that the finding's fingerprint is built from (see its docstring).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .model import Finding, Fix, IAMPrincipal, PolicyDocument, Severity, Span, Statement, Str, Unknown

#: the input formats a rule may apply to (`Rule.formats`)
FORMATS = ("json", "cloudformation-json", "cloudformation-yaml", "terraform", "terraform-plan")
#: the scopes a rule may look at, and the method the engine calls for each
SCOPES = {"statement": "check_statement", "document": "check_document", "principal": "check_principal"}
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
DOCS_BASE = "https://github.com/iamlint/iamlint/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Option:
    """A rule option: its default, what it means, and (for numbers) its minimum.

    Users set it in the configuration (``[tool.iamlint.options.IAM301]`` or, for short, at
    the top level of the table) or with ``--option IAM301.NAME=VALUE``.
    """

    default: Any
    help: str = ""
    minimum: int | None = None


@dataclass
class Context:
    """What a rule may know beyond the element it checks.

    ``documents`` and ``principals`` are everything extracted from the file (for a
    Terraform module, the module), for rules that compare across documents.
    ``settings`` holds configuration values (``trusted-accounts``, and rule options as
    ``CODE.name``); rules read their own options with `option`.
    """

    documents: tuple[PolicyDocument, ...] = ()
    principals: tuple[IAMPrincipal, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    #: per-file memo for rules that compare across documents or principals (key: rule code)
    cache: dict[str, Any] = field(default_factory=dict)

    def option(self, rule: Rule, name: str) -> Any:
        """The value of one of ``rule``'s declared options (its default when unset)."""
        key = f"{rule.code}.{name}"
        if key in self.settings:
            return self.settings[key]
        opt = rule.options[name]
        return opt.default if isinstance(opt, Option) else opt


Owner = PolicyDocument | IAMPrincipal | str | None


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    #: the scopes the engine calls this rule for (see `SCOPES`)
    scopes: ClassVar[tuple[str, ...]] = ()
    #: the input formats the rule applies to; its fixtures cover each of them
    formats: ClassVar[tuple[str, ...]] = FORMATS
    #: options the rule reads through ``ctx.option``: name -> `Option` (or a plain default)
    options: ClassVar[dict[str, Any]] = {}
    #: how code scanning ranks its alerts (SARIF ``security-severity``, 0.0-10.0: over 9.0
    #: critical, 7.0 high, 4.0 medium, else low; docs/ci.md): a score such as ``"9.3"``;
    #: ``None`` for a rule about correctness rather than security; ``""`` to derive it from
    #: the severity (error 7.5, warning 5.0, info 2.0)
    security_severity: ClassVar[str | None] = ""
    #: how often a finding is right (SARIF ``precision``): very-high, high, medium or low
    precision: ClassVar[str] = "medium"
    #: off unless selected by its own code (``--extend-select IAM507``), never by a prefix or
    #: ``ALL``: advice most policies would get without a risk behind it
    opt_in: ClassVar[bool] = False

    def report(
        self,
        at: Str | Unknown | Span,
        message: str,
        owner: Owner = None,
        value: str | None = None,
        severity: Severity | None = None,
        related: Iterable[tuple[Span, str]] = (),
        fix: Fix | None = None,
    ) -> Finding:
        """A finding of this rule.

        ``at``: the offending value (its span is where the finding points) or a span.
        ``owner``: the document or principal it belongs to (named by its resource, with the
        CDK construct path when there is one), or a name. A document or principal also
        gives the finding its `Finding.principals`.
        ``value``: what the finding is about, as the user wrote it: the offending value by
        default. The fingerprint that baselines and code-scanning alerts recognise a
        finding by is (code, file, owner, value), so a value must stay the same when
        unrelated lines move or other elements change: name the element (``"s3:*"``,
        ``NotAction:iam:*``, a principal's address), never a line, a count or a list of
        other elements.
        ``related``: the other places the finding involves, as (span, what stands there),
        such as the first copy of what the finding's element repeats.
        ``fix``: the fix the finding carries (`iamlint.api.replace_fix` and its siblings), computed
        from spans of the model; iamlint applies it only where the source holds exactly what it
        expects (see docs/fixes.md).
        """
        if isinstance(at, Span):
            span = at
            shown = ""
        else:
            span = at.span
            shown = at.value if isinstance(at, Str) else at.text
        principals: tuple[str, ...] = ()
        if isinstance(owner, PolicyDocument):
            who = owner.origin.label
            principals = owner.principals
        elif isinstance(owner, IAMPrincipal):
            who = owner.address
            principals = (owner.address,)
        else:
            who = owner
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            span=span,
            owner=who,
            value=shown if value is None else value,
            related=tuple(related),
            principals=principals,
            fix=fix,
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

    @classmethod
    def scope_label(cls) -> str:
        return " and ".join(cls.scopes) if cls.scopes else "diagnostic"

    # The engine calls the check_* method of each declared scope.
    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError


class StatementRule(Rule):
    scopes = ("statement",)

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return self.check(stmt, doc, ctx)


class DocumentRule(Rule):
    scopes = ("document",)

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_document(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return self.check(doc, ctx)


class PrincipalRule(Rule):
    scopes = ("principal",)

    def check(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        raise NotImplementedError

    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        return self.check(principal, ctx)


class DiagnosticRule(Rule):
    """One of iamlint's own diagnostics (parse errors and the like): the engine emits it."""

    scopes = ()


def _dedent(text: str) -> str:
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
