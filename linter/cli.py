"""The command line: ``iamlint [PATH ...]``, ``iamlint rule CODE``, ``iamlint rules``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence, TextIO

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("error", "warning", "info")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, exit 2
        self.exit(EXIT_ERROR, f"iamlint: error: {message}\nTry 'iamlint --help'.\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="iamlint",
        description=(
            "Lint AWS IAM policy documents in CloudFormation, Terraform and raw JSON files. "
            "Also: 'iamlint rule CODE' prints a rule's documentation, 'iamlint rules' lists all rules."
        ),
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or input errors.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files and directories to lint (default: .)")
    p.add_argument("-f", "--format", default="text", choices=("text", "concise", "json", "sarif"),
                   help="output format (default: text)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip files and directories matching GLOB (repeatable)")
    p.add_argument("--fail-on", choices=SEVERITIES, default="info",
                   help="lowest severity that makes the exit code 1 (default: info, i.e. any finding)")
    p.add_argument("--version", action="store_true", help="print the version and the number of rules")
    return p


def _out(path: str | None) -> TextIO:
    if path is None:
        return sys.stdout
    return open(path, "w", encoding="utf-8", newline="\n")


def _color(stream: TextIO, fmt: str) -> bool:
    if fmt != "text" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def cmd_rule(args: Sequence[str]) -> int:
    from .registry import RegistryError, default_registry

    if len(args) != 1:
        sys.stderr.write("iamlint: error: usage: iamlint rule CODE (for example: iamlint rule IAM101)\n")
        return EXIT_ERROR
    try:
        reg = default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    rule = reg.get(args[0])
    if rule is None:
        sys.stderr.write(f"iamlint: error: no rule {args[0]!r}; 'iamlint rules' lists them\n")
        return EXIT_ERROR
    sys.stdout.write(render_rule_doc(rule))
    return EXIT_CLEAN


def render_rule_doc(rule) -> str:
    doc = rule.doc()
    lines = doc.splitlines()
    body = "\n".join(lines[1:]).strip() if lines else ""
    return (
        f"# {rule.name} ({rule.code})\n\n"
        f"Default severity: {rule.severity.value}. Scope: {rule.scope}.\n\n"
        f"{lines[0] if lines else ''}\n\n{body}\n"
    )


def cmd_rules() -> int:
    from .registry import RegistryError, default_registry

    try:
        reg = default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    rows = [(r.code, r.name, r.severity.value, r.summary()) for r in reg]
    w1 = max(len(r[1]) for r in rows)
    sys.stdout.write(f"{'CODE':<7} {'NAME':<{w1}} {'SEVERITY':<8} DESCRIPTION\n")
    for code, name, sev, summ in rows:
        sys.stdout.write(f"{code:<7} {name:<{w1}} {sev:<8} {summ}\n")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "rule":
            return cmd_rule(argv[1:])
        if argv and argv[0] == "rules" and len(argv) == 1:
            return cmd_rules()
        return run(argv)
    except KeyboardInterrupt:
        sys.stderr.write("iamlint: interrupted\n")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_ERROR


def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from .registry import RegistryError, default_registry

    try:
        reg = default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    if args.version:
        from . import __version__

        sys.stdout.write(f"iamlint {__version__} ({len(reg)} rules)\n")
        return EXIT_CLEAN

    from .engine import INPUT_ERROR_CODES, Linter
    from .model import Severity

    linter = Linter(reg)
    report = linter.run(args.paths or ["."], exclude=args.exclude)
    for err in report.usage_errors:
        sys.stderr.write(f"iamlint: error: {err}\n")

    from .reporters import render

    try:
        out = _out(args.output)
    except OSError as e:
        sys.stderr.write(f"iamlint: error: cannot write {args.output}: {e.strerror or e}\n")
        return EXIT_ERROR
    try:
        render(args.format, report, out, _color(out, args.format))
    finally:
        if out is not sys.stdout:
            out.close()
        else:
            out.flush()

    if report.has_input_errors:
        return EXIT_ERROR
    threshold = Severity(args.fail_on).rank
    if any(f.severity.rank >= threshold for f in report.findings if f.code not in INPUT_ERROR_CODES):
        return EXIT_FINDINGS
    return EXIT_CLEAN
