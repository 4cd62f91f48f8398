"""iamlint inside cfn-lint: ``cfn-lint template.yaml --append-rules iamlint.cfnlint``.

cfn-lint's ``--append-rules`` (and ``append_rules`` in ``.cfnlintrc``) takes directories and
module names: a value that is not a directory is imported as a module, and every subclass of
cfn-lint's ``CloudFormationLintRule`` in it becomes a rule. This module holds one such class
per iamlint code and severity, in the ``9xxx`` range cfn-lint reserves for users' rules:
``IAMnnn`` is reported as ``E9nnn``, ``W9nnn`` or ``I9nnn``, the letter being the finding's
severity (cfn-lint knows no other), so a severity set in iamlint's configuration changes
the letter. A plugin rule's findings are ``E9000``/``W9000``/``I9000``, their message
starting with the plugin's code. `mapping` is the table docs/cfn-lint.md shows.

The first of these rules that cfn-lint runs on a template lints the template's file as the
iamlint CLI does (the nearest ``.iamlint.toml``/``pyproject.toml``: selection, severities,
per-file ignores, suppressions) and keeps the findings for the others: each rule returns
those of its own id, at the positions iamlint computes, with cfn-lint's path to the resource
that holds them (so that cfn-lint's resource ``Metadata`` ``ignore_checks`` works too).
cfn-lint's own ``--ignore-checks``/``--include-checks`` select among these ids as among its
own. A template cfn-lint cannot parse never reaches a rule (cfn-lint's parse error stands);
one iamlint cannot lint gives one match with iamlint's reason. docs/cfn-lint.md says it all
for users, and why the template goes before ``--append-rules``.

Importing this module imports cfn-lint: only cfn-lint imports it.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import cfnlint.rules

from .diagnostics import INTERNAL_ERROR, PARSE_ERROR, parse_error
from .model import Severity, Span
from .ruleset import builtin_registry

#: cfn-lint's rule id letter for each severity (cfn-lint's severity *is* the letter)
LETTER = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}
#: the number plugin rules (codes other than IAMnnn) are reported under
PLUGIN_NUMBER = "9000"


def cfn_lint_id(code: str, severity: Severity | str) -> str:
    """The cfn-lint rule id iamlint's ``code`` is reported under at ``severity``.

    ``IAM101`` at error is ``E9101``; a plugin's ``ACME101`` at warning is ``W9000``.
    """
    letter = LETTER[Severity(severity)]
    if len(code) == 6 and code.startswith("IAM") and code[3:].isdigit():
        return f"{letter}9{code[3:]}"
    return f"{letter}{PLUGIN_NUMBER}"


class Mapped(NamedTuple):
    """One row of the mapping: an iamlint code and its cfn-lint id at its default severity."""

    code: str
    name: str
    severity: Severity
    cfn_lint_id: str


def mapping() -> list[Mapped]:
    """Every built-in iamlint code and the cfn-lint id it is reported under by default."""
    return [Mapped(r.code, r.name, r.severity, cfn_lint_id(r.code, r.severity)) for r in builtin_registry()]


# -- linting the template cfn-lint loaded ---------------------------------------------------------
class Result(NamedTuple):
    """What one rule reports: its id, the message, iamlint's span, cfn-lint's path."""

    rule_id: str
    message: str
    span: Span
    path: tuple[str, ...]


#: the last template linted and its results: cfn-lint runs every rule on one template
#: before the next, so the first rule lints and the others read (the template object is
#: held, so its identity cannot be reused by another)
_last: tuple[Any, list[Result]] | None = None


def results_for(cfn: Any) -> list[Result]:
    """iamlint's results for the template cfn-lint loaded (``cfn``: cfn-lint's Template)."""
    global _last
    if _last is None or _last[0] is not cfn:
        _last = (cfn, _lint(getattr(cfn, "filename", None), getattr(cfn, "template", None)))
    return _last[1]


def _lint(filename: str | None, template: Any) -> list[Result]:
    if not filename:
        return [
            _one(
                PARSE_ERROR.code,
                Severity.ERROR,
                "iamlint lints a template's file, and cfn-lint read this one from standard "
                "input: give cfn-lint the file name",
                "",
            )
        ]
    from .config import ConfigError
    from .registry import RegistryError

    try:
        return _lint_file(filename, template)
    except ConfigError as e:
        return [_one(PARSE_ERROR.code, Severity.ERROR, f"iamlint configuration: {e}", filename)]
    except RegistryError as e:
        return [_one(INTERNAL_ERROR.code, Severity.ERROR, f"iamlint plugins: {e}", filename)]
    except Exception as e:
        if os.environ.get("IAMLINT_DEBUG"):
            raise
        message = f"{type(e).__name__}: {e} (a bug in iamlint or a plugin; please report it)"
        return [_one(INTERNAL_ERROR.code, Severity.ERROR, message, filename)]


def _one(code: str, severity: Severity, message: str, filename: str) -> Result:
    return Result(cfn_lint_id(code, severity), message, Span(filename, 1, 1, 1, 2), ())


def _lint_file(filename: str, template: Any) -> list[Result]:
    """Lint the file as ``iamlint FILE`` does, as the CloudFormation template cfn-lint found.

    The configuration is the nearest one, read anew for each template: a process that runs
    cfn-lint many times (an editor's language server) sees configuration files as they are
    now. Findings located in the configuration file itself (its unused suppressions) are
    iamlint's to report: they depend on which files a run lints.
    """
    import stat

    from .config import Resolver
    from .discover import read
    from .engine import Linter
    from .extract.cloudformation import extract_yaml
    from .extract.extraction import Extraction
    from .ruleset import default_registry

    registry = default_registry()
    cfg = Resolver(registry).for_path(filename)
    if cfg.excluded(filename):
        return []
    try:
        regular = stat.S_ISREG(os.stat(filename).st_mode)
    except OSError:
        regular = True  # read() says why it cannot be read
    if not regular:
        message = (
            f"iamlint reads the template again from {filename}, which is not a regular file "
            "(a pipe cfn-lint has already read): give cfn-lint the template's file"
        )
        return [_one(PARSE_ERROR.code, Severity.ERROR, message, filename)]
    text, err = read(filename)
    if text is None:
        findings = [err] if err else []
    else:
        ex: Extraction | None
        try:
            # cfn-lint has found a template: read it as one whatever its extension
            ex = extract_yaml(filename, text)
        except RecursionError:
            ex = Extraction(
                "unknown", diagnostics=[parse_error(filename, "document nested too deeply to read")]
            )
        findings = Linter(registry, cfg).report(filename, ex, text).findings
    resources = _resource_lines(template)
    out = []
    for f in findings:
        message = f.message if f.code.startswith("IAM") else f"{f.code}: {f.message}"
        if f.owner:
            message += f" [{f.owner}]"
        out.append(Result(cfn_lint_id(f.code, f.severity), message, f.span, _path(resources, f.span)))
    return out


def _resource_lines(template: Any) -> list[tuple[int, int, str]]:
    """(first line, last line, logical id) of each resource cfn-lint's parser placed (1-based),
    from the line of its logical id to the last line of its value."""
    resources = template.get("Resources") if isinstance(template, dict) else None
    out = []
    if isinstance(resources, dict):
        for name, value in resources.items():
            start = getattr(name, "start_mark", None) or getattr(value, "start_mark", None)
            end = getattr(value, "end_mark", None)
            if start is None or end is None:
                continue  # made by a transform, not read from the file
            # a block ends at the start of the line after it
            last = end.line + 1 if end.column > 0 else end.line
            out.append((start.line + 1, max(last, start.line + 1), str(name)))
    return out


def _path(resources: list[tuple[int, int, str]], span: Span) -> tuple[str, ...]:
    """cfn-lint's path of the resource that holds the span (the innermost), else none."""
    holding = [r for r in resources if r[0] <= span.line <= r[1]]
    if not holding:
        return ()
    return ("Resources", min(holding, key=lambda r: r[1] - r[0])[2])


# -- the cfn-lint rules -----------------------------------------------------------------------
class IamlintRule(cfnlint.rules.CloudFormationLintRule):
    """The base of the rules below; without an id, cfn-lint does not register it."""

    id = ""
    #: the iamlint code (or, for plugins, the severity's catch-all) this rule reports
    code = ""

    def match(self, cfn: Any) -> list:
        return [
            cfnlint.rules.RuleMatch(
                list(r.path),
                r.message,
                # cfn-lint's location is 0-based; iamlint's spans are 1-based, end exclusive
                location=(r.span.line - 1, r.span.column - 1, r.span.end_line - 1, r.span.end_column - 1),
            )
            for r in results_for(cfn)
            if r.rule_id == self.id
        ]


def _rule_classes() -> dict[str, type]:
    """One class per iamlint code and letter, and the plugins' three: cfn-lint instantiates each."""
    out: dict[str, type] = {}
    severities = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
    for r in builtin_registry():
        for sev in Severity:
            rid = cfn_lint_id(r.code, sev)
            description = r.summary()
            if sev is not r.severity:
                description += (
                    f" (reported under this id when the iamlint configuration sets {r.code}'s "
                    f"severity to {severities[sev]}; its default id is {cfn_lint_id(r.code, r.severity)})"
                )
            out[f"Iamlint{rid}"] = type(
                f"Iamlint{rid}",
                (IamlintRule,),
                {
                    "id": rid,
                    "code": r.code,
                    "shortdesc": f"iamlint {r.code} {r.name}",
                    "description": description,
                    "source_url": r.help_uri(),
                    "tags": ["iamlint", "iam", r.code],
                    "__module__": __name__,
                    "__doc__": f"iamlint's {r.code} ({r.name}) at {severities[sev]} severity.",
                },
            )
    for sev in Severity:
        rid = cfn_lint_id("", sev)
        out[f"Iamlint{rid}"] = type(
            f"Iamlint{rid}",
            (IamlintRule,),
            {
                "id": rid,
                "code": "",
                "shortdesc": f"iamlint plugin rules ({severities[sev]})",
                "description": f"Findings of installed iamlint plugin rules at {severities[sev]} severity; "
                "the message starts with the plugin rule's code.",
                "source_url": "https://github.com/iamlint/iamlint/blob/main/docs/cfn-lint.md",
                "tags": ["iamlint", "iam"],
                "__module__": __name__,
                "__doc__": f"iamlint plugin rules at {severities[sev]} severity.",
            },
        )
    return out


globals().update(_rule_classes())


# -- the command line pitfall ---------------------------------------------------------------------
def swallowed_templates(argv: list[str]) -> list[str]:
    """The files among the values of cfn-lint's ``-a``/``--append-rules`` in ``argv``.

    The option takes one or more values (``nargs="+"``), so in ``cfn-lint --append-rules
    iamlint.cfnlint template.yaml`` the template is one of them: cfn-lint would import it as
    a rules module and stop with a traceback. A file is never a rules module (cfn-lint takes
    a directory, or a module's dotted name), so any file there (or glob of files, which
    cfn-lint expands for templates) is a template swallowed.
    """
    out: list[str] = []
    taking = False
    for arg in argv:
        if arg == "--":
            break
        if arg in ("-a", "--append-rules"):
            taking = True
            continue
        if arg.startswith("-"):
            taking = False
            continue
        if taking:
            out.extend(v for v in arg.split(",") if v and _names_files(v))
    return out


def _names_files(value: str) -> bool:
    """A file, or a glob of files (cfn-lint expands quoted template globs itself)."""
    if os.path.isfile(value):
        return True
    if any(c in value for c in "*?["):
        import glob

        return any(os.path.isfile(p) for p in glob.glob(value, recursive=True))
    return False


def _stop_on_swallowed_templates() -> None:
    """Say how to write the command, instead of cfn-lint's traceback, when the template
    follows ``--append-rules`` (only under cfn-lint's own command line)."""
    import sys

    program = os.path.basename(os.path.normcase(sys.argv[0])) if sys.argv else ""
    under_cfn_lint = program in ("cfn-lint", "cfn-lint.exe", "cfn-lint-script.py")
    files = swallowed_templates(sys.argv[1:]) if under_cfn_lint else []
    if files:
        shown = " ".join(files)
        what = "a rules module" if len(files) == 1 else "rules modules"
        sys.stderr.write(
            f"iamlint.cfnlint: error: cfn-lint's --append-rules takes every value after it as a rules module, "
            f"so cfn-lint would import {shown} as {what}: put the templates first (cfn-lint {shown} "
            f"--append-rules iamlint.cfnlint), end the rules with -- (cfn-lint --append-rules iamlint.cfnlint "
            f"-- {shown}), or name the rules in .cfnlintrc (append_rules: [iamlint.cfnlint])\n"
        )
        raise SystemExit(1)


_stop_on_swallowed_templates()
