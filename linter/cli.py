"""The command line: ``iamlint [PATH ...]``, ``iamlint rule CODE``, ``iamlint rules``,
``iamlint server`` (the language server, `iamlint.server`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("error", "warning", "info")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, exit 2
        self.exit(EXIT_ERROR, f"iamlint: error: {message}\nTry '{self.prog} --help'.\n")


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in text.split(",") if c.strip())


def _seconds(text: str) -> float:
    try:
        n = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not n >= 0 or n == float("inf"):
        raise argparse.ArgumentTypeError("expected a number of seconds, 0 for no limit")
    return n


def _size(text: str) -> int:
    from .config import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("expected at least 1")
    return n


def build_parser(registry: Any = None) -> argparse.ArgumentParser:
    """The command line; ``registry`` adds a flag for each option its rules declare."""
    from .reporters import FORMATS

    p = _Parser(
        prog="iamlint",
        description=(
            "Lint AWS IAM policy documents in CloudFormation, Terraform and raw JSON files. "
            "Also: 'iamlint rule CODE' prints a rule's documentation, 'iamlint rules' lists all rules, "
            "'iamlint server' runs the language server for editors (docs/editors.md), "
            "'iamlint explain TARGET|--all [PATH ...]' shows what a principal can do."
        ),
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, configuration or input errors.",
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files and directories to lint (default: .); '-' reads one file from stdin "
        "(its format told from its content unless --stdin-filename names it)",
    )
    out = p.add_argument_group("output")
    out.add_argument("-f", "--format", default="text", choices=FORMATS, help="output format (default: text)")
    out.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--show-source", action="store_true", help="text: show the offending lines with a caret")
    out.add_argument("--statistics", action="store_true", help="text: print the number of findings per code")
    out.add_argument("--show-suppressed", action="store_true", help="text: list suppressed findings and why")
    out.add_argument(
        "--group-by",
        choices=("file", "principal"),
        default="file",
        help="text: group findings by file (default) or by the IAM principal they concern",
    )
    sel = p.add_argument_group("rule selection (flags win over the configuration file)")
    sel.add_argument(
        "--select", type=_codes, metavar="CODES", help="codes or prefixes to enable (e.g. IAM1,IAM402 or ALL)"
    )
    sel.add_argument("--ignore", type=_codes, metavar="CODES", help="codes or prefixes to disable")
    sel.add_argument(
        "--extend-select", type=_codes, metavar="CODES", help="codes or prefixes to enable in addition"
    )
    sel.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="GLOB:CODES",
        help="disable codes for matching files (repeatable)",
    )
    sel.add_argument(
        "--severity",
        action="append",
        metavar="CODE=LEVEL",
        help="override a rule's severity: error, warning or info (repeatable)",
    )
    sel.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="lowest severity that makes the exit code 1 (default: info, i.e. any finding)",
    )
    sel.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even with findings (input errors still exit 2)"
    )
    sel.add_argument(
        "--trusted-accounts",
        type=_codes,
        metavar="IDS",
        help="account ids that IAM202 treats like your own (comma-separated)",
    )
    sel.add_argument(
        "--option",
        action="append",
        metavar="CODE.NAME=VALUE",
        help="set a rule option, such as IAM301.max-inline-policies=2 (repeatable; 'iamlint rule CODE' lists them)",
    )
    taken = {opt for action in p._actions for opt in action.option_strings}
    for rule in registry or ():
        for name, opt in rule.options.items():
            flag = f"--{name}"
            if flag in taken:
                continue  # --option CODE.NAME=VALUE still sets it
            taken.add(flag)
            default = getattr(opt, "default", opt)
            what = getattr(opt, "help", "") or name
            sel.add_argument(
                flag,
                dest=f"ruleopt:{rule.code}:{name}",
                metavar=type(default).__name__.upper(),
                help=f"{rule.code}: {what} (default: {default}; --option {rule.code}.{name}=VALUE)",
            )
    sel.add_argument(
        "--require-reason",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="suppressions must give a reason (default: yes)",
    )
    cfg = p.add_argument_group("configuration")
    cfg.add_argument(
        "--config", metavar="FILE", help="use this configuration file instead of discovering one"
    )
    cfg.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    cfg.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories matching GLOB (repeatable; adds to the configuration's)",
    )
    cfg.add_argument(
        "--allow-path",
        action="append",
        metavar="PATH",
        help="let Terraform file() read PATH, outside the repository being linted (repeatable; adds to allow-paths)",
    )
    cfg.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline")
    cfg.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline")
    fx = p.add_argument_group("fixes (docs/fixes.md)")
    fx.add_argument(
        "--fix",
        action="store_true",
        help="apply the safe fixes to the files in place ('-': print the fixed text)",
    )
    fx.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="with --fix or --diff: apply the unsafe fixes too (they change what a policy means)",
    )
    fx.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff and change nothing (exit code 1 if there is a diff)",
    )
    run = p.add_argument_group("running")
    run.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="with '-': lint stdin as if it were PATH (format, configuration, Terraform siblings)",
    )
    run.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes to use (default: the number of CPUs, when the input is large enough to gain from them)",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor write the result cache (docs/cache.md; 'iamlint clean' empties it)",
    )
    run.add_argument(
        "--max-file-size",
        type=_size,
        metavar="SIZE",
        help="skip (IAM900) files larger than SIZE, such as 32MiB or 512KiB (default: 32MiB)",
    )
    run.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="stop linting a file or Terraform module after SECONDS (IAM900); 0: no limit (default: 10)",
    )
    run.add_argument(
        "--catalogue",
        choices=("auto", "bundled"),
        default=None,
        help="AWS data: 'auto' uses a newer installed cfn-lint's service data when there is one, "
        "'bundled' always the data shipped with iamlint, for reproducible runs "
        "(default: the 'catalogue' setting, else $IAMLINT_CATALOGUE, else auto)",
    )
    run.add_argument(
        "--version",
        action="store_true",
        help="print the version, the number of rules and which AWS data is in use",
    )
    return p


def overrides(args) -> dict:
    """Command-line flags as Config fields (they win over the configuration file)."""
    out: dict = {}
    if args.select is not None:
        out["select"] = args.select
    if args.ignore is not None:
        out["ignore"] = args.ignore
    if args.extend_select is not None:
        out["extend_select"] = args.extend_select
    if args.per_file_ignores:
        pairs = []
        for item in args.per_file_ignores:
            glob, sep, codes = item.rpartition(":")
            if not sep or not glob or not _codes(codes):
                raise UsageError(f"--per-file-ignores expects GLOB:CODES, got {item!r}")
            pairs.append((glob, _codes(codes)))
        out["per_file_ignores"] = tuple(pairs)
    if args.severity:
        pairs = []
        for item in args.severity:
            code, sep, level = item.partition("=")
            if not sep or level not in SEVERITIES:
                raise UsageError(f"--severity expects CODE=error|warning|info, got {item!r}")
            pairs.append((code.strip().upper(), level))
        out["severity"] = tuple(pairs)
    if args.fail_on is not None:
        out["fail_on"] = args.fail_on
    if args.trusted_accounts is not None:
        out["trusted_accounts"] = args.trusted_accounts
    options: dict[str, dict[str, str]] = {}
    for dest, value in vars(args).items():  # the flags of rule options: --max-inline-policies N
        if dest.startswith("ruleopt:") and value is not None:
            _, code, name = dest.split(":", 2)
            options.setdefault(code, {})[name] = value
    for item in args.option or ():
        name, sep, value = item.partition("=")
        code, dot, opt = name.strip().partition(".")
        if not sep or not dot or not code or not opt:
            raise UsageError(f"--option expects CODE.NAME=VALUE, got {item!r}")
        options.setdefault(code.upper(), {})[opt] = value.strip()
    if options:
        out["options"] = options
    if args.require_reason is not None:
        out["require_reason"] = args.require_reason
    if args.allow_path:
        out["allow_paths"] = tuple(os.path.realpath(p) for p in args.allow_path)
    if args.max_file_size is not None:
        out["max_file_size"] = args.max_file_size
    if args.timeout is not None:
        out["timeout"] = args.timeout
    return out


class UsageError(Exception):
    pass


def _check_codes(reg, fields: dict) -> None:
    known = {r.code for r in reg}
    if "options" in fields:
        fields["options"] = _typed_options(reg, fields["options"])
    for key in ("select", "ignore", "extend_select"):
        for code in fields.get(key, ()):
            if code != "ALL" and not any(k.startswith(code) for k in known):
                flag = "--" + key.replace("_", "-")
                raise UsageError(f"{flag}: {code!r} is not a rule code or prefix (see 'iamlint rules')")
    for code, _level in fields.get("severity", ()):
        if code not in known:
            raise UsageError(f"--severity: {code!r} is not a rule code (see 'iamlint rules')")


def _typed_options(reg, given: dict[str, dict[str, str]]) -> tuple:
    """``--option`` values checked against the options the rules declare, in their types."""
    out = []
    for code, opts in given.items():
        rule = reg.get(code)
        if rule is None:
            raise UsageError(f"--option: {code!r} is not a rule code (see 'iamlint rules')")
        typed = []
        for name, raw in opts.items():
            if name not in rule.options:
                declared = ", ".join(sorted(rule.options)) or "none"
                raise UsageError(f"--option: {rule.code} has no option {name!r} (its options: {declared})")
            opt = rule.options[name]
            default = getattr(opt, "default", opt)
            try:
                if isinstance(default, bool):
                    if raw.lower() not in ("true", "false"):
                        raise ValueError
                    value: object = raw.lower() == "true"
                elif isinstance(default, int):
                    value = int(raw)
                    if getattr(opt, "minimum", None) is not None and value < opt.minimum:
                        raise ValueError
                elif isinstance(default, (list, tuple)):
                    value = [v.strip() for v in raw.split(",") if v.strip()]
                else:
                    value = raw
            except ValueError:
                raise UsageError(
                    f"--option: {rule.code}.{name} expects {type(default).__name__}, got {raw!r}"
                ) from None
            typed.append((name, value))
        out.append((rule.code, tuple(typed)))
    return tuple(out)


def _out(path: str | None) -> TextIO:
    """The report's stream. The reporters escape lone surrogates, so UTF-8 carries any report;
    on stdout, a character its encoding cannot carry (any non-ASCII one with an ASCII locale)
    is written as a backslash escape rather than failing the run."""
    if path is None:
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
        return sys.stdout
    return open(path, "w", encoding="utf-8", newline="\n")


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _explained(reg, resolver, paths: list[str], exclude: list[str]) -> list:
    """Every principal's effective permissions, for the HTML report's principals view: what
    ``iamlint explain --all`` reads (`iamlint.explain.collect`, the evaluator and nothing
    else). Its input errors are the lint run's own, already in the report."""
    from .config import ConfigError
    from .explain import collect

    try:
        found, _ = collect(reg, resolver, paths, exclude)
    except ConfigError:
        return []
    return found


def _color(stream: TextIO, fmt: str, to_file: bool = False) -> bool:
    """Colour in the text format: on a terminal; ``NO_COLOR`` turns it off, ``FORCE_COLOR``
    on where it is not a terminal (a pipe to a pager); never in a file written with -o."""
    if fmt != "text" or to_file or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


#: terminals that show OSC 8 hyperlinks, by $TERM_PROGRAM and by $TERM
_LINK_PROGRAMS = ("iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "Tabby", "rio", "WarpTerminal")
_LINK_TERMS = ("xterm-kitty", "xterm-ghostty", "alacritty", "foot", "foot-extra", "wezterm", "contour")


def _hyperlinks(stream: TextIO, fmt: str, to_file: bool = False, env=None) -> bool:
    """OSC 8 links on the rule codes of the text format: only on a terminal (never in a file
    or a pipe, whatever the environment says), not in CI logs, and on terminals known to show
    them (others might print the escape codes). ``FORCE_HYPERLINK=0`` turns them off,
    ``FORCE_HYPERLINK=1`` on for any terminal (the variable other tools read too)."""
    env = os.environ if env is None else env
    if fmt != "text" or to_file or not _isatty(stream):
        return False
    force = env.get("FORCE_HYPERLINK")
    if force is not None and force.strip() != "":
        return force.strip() not in ("0", "false", "no")
    if env.get("CI", "").strip().lower() not in ("", "0", "false", "no") or env.get("TERM") == "dumb":
        return False
    if env.get("WT_SESSION") or env.get("DOMTERM") or env.get("KONSOLE_VERSION"):
        return True
    if env.get("TERM_PROGRAM") in _LINK_PROGRAMS or env.get("TERM") in _LINK_TERMS:
        return True
    try:
        return int(env.get("VTE_VERSION", "0")) >= 5000  # GNOME Terminal and other VTE terminals
    except ValueError:
        return False


#: the first block of a Terraform file: resource "aws_iam_role" "x" {, locals {
_HCL_BLOCK = (
    r"^[ \t]*(?:resource|data|module|locals|variable|output|provider|terraform|moved|import|check)"
    r'(?:[ \t]+"[^"\n]*")*[ \t]*\{'
)
_CFN_MARKERS = ("AWSTemplateFormatVersion", "AWS::", "Custom::")


def sniff_stdin(text: str) -> str:
    """The name stdin is linted under when ``--stdin-filename`` does not say: ``stdin.json``
    for JSON (a policy, a template or a plan: the JSON extractor tells them apart),
    ``stdin.tf`` for Terraform (a module in the current directory), ``stdin.yaml`` for a
    CloudFormation template in YAML; a `UsageError` when it is none of these."""
    head = text.lstrip()
    if head.startswith(("{", "[")):
        return "stdin.json"
    import re

    if re.search(_HCL_BLOCK, text, re.MULTILINE):
        return "stdin.tf"
    if any(m in text for m in _CFN_MARKERS):
        return "stdin.yaml"
    what = "stdin is empty" if not head else "cannot tell what stdin holds"
    raise UsageError(
        f"{what}: not a JSON policy, template or plan, a YAML template nor Terraform; "
        "name the file it is with --stdin-filename PATH"
    )


def _doc_parser(prog: str, what: str) -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description=what)
    p.add_argument(
        "-f",
        "--format",
        default="text",
        choices=("text", "json"),
        help="text for people (default), json for tools",
    )
    return p


def _registry_or_error():
    from .registry import RegistryError
    from .ruleset import default_registry

    try:
        return default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return None


def cmd_rule(args: Sequence[str]) -> int:
    """``iamlint rule CODE [--format json]``: one rule's documentation (CODE or name)."""
    p = _doc_parser("iamlint rule", "Print a rule's documentation and its URL.")
    p.add_argument("code", metavar="CODE", help="a rule code or name, such as IAM101 or wildcard-action")
    opts = p.parse_args(list(args))
    reg = _registry_or_error()
    if reg is None:
        return EXIT_ERROR
    rule = reg.get(opts.code)
    if rule is None:
        sys.stderr.write(f"iamlint: error: no rule {opts.code!r}; 'iamlint rules' lists them\n")
        return EXIT_ERROR
    if opts.format == "json":
        import json

        from .docgen import metadata

        doc = {**metadata(rule), "documentation": rule.doc()}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        sys.stdout.write(render_rule_doc(rule))
    return EXIT_CLEAN


def render_rule_doc(rule) -> str:
    """A rule's documentation for a terminal (see `iamlint.docgen.terminal`)."""
    from .docgen import terminal

    return terminal(rule)


def cmd_rules(args: Sequence[str] = ()) -> int:
    """``iamlint rules [--format json]``: every rule, as a table or as JSON."""
    opts = _doc_parser("iamlint rules", "List every rule (built-in and plugins).").parse_args(list(args))
    reg = _registry_or_error()
    if reg is None:
        return EXIT_ERROR
    if opts.format == "json":
        import json

        from .docgen import metadata

        sys.stdout.write(json.dumps([metadata(r) for r in reg], indent=2) + "\n")
        return EXIT_CLEAN
    rows = [(r.code, r.name, r.severity.value, r.summary()) for r in reg]
    w1 = max(len(r[1]) for r in rows)
    sys.stdout.write(f"{'CODE':<7} {'NAME':<{w1}} {'SEVERITY':<8} DESCRIPTION\n")
    for code, name, sev, summ in rows:
        sys.stdout.write(f"{code:<7} {name:<{w1}} {sev:<8} {summ}\n")
    return EXIT_CLEAN


def cmd_clean(args: Sequence[str]) -> int:
    """``iamlint clean``: remove iamlint's cache entries (cached results, refreshed AWS data)
    from the user cache directories, and say what was removed."""
    if args:
        sys.stderr.write("iamlint: error: usage: iamlint clean (it takes no arguments)\n")
        return EXIT_ERROR
    from .discover import size_text
    from .resultcache import clean

    removed = clean()
    if not removed:
        sys.stdout.write("Nothing to clean: no iamlint cache entries.\n")
    for directory, results, files, size in removed:
        what = f"{results} cached result{'' if results == 1 else 's'}"
        if files:
            what += f" and {files} other cache file{'' if files == 1 else 's'}"
        sys.stdout.write(f"Removed {what} ({size_text(size)}) from {directory}\n")
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        # the subcommands win over paths whatever follows them: lint a folder named rules as ./rules
        if argv and argv[0] == "rule":
            return cmd_rule(argv[1:])
        if argv and argv[0] == "rules":
            return cmd_rules(argv[1:])
        if argv and argv[0] == "explain":
            from .explain import main as explain

            return explain(argv[1:])
        if argv and argv[0] == "clean":
            return cmd_clean(argv[1:])
        if argv and argv[0] == "server":
            from .server import main as server

            return server(argv[1:])
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
    from .registry import RegistryError
    from .ruleset import default_registry

    try:
        reg = default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    args = build_parser(reg).parse_args(argv)
    if args.version:
        from .catalogue import CatalogueError, get
        from .version import __version__

        try:
            _choose_catalogue(args, None, reg)
        except UsageError as e:
            sys.stderr.write(f"iamlint: error: {e}\n")
            return EXIT_ERROR
        sys.stdout.write(f"iamlint {__version__} ({len(reg)} rules)\n")
        try:
            cat = get()
            sys.stdout.write(cat.describe() + "\n")
            for note in cat.notes:
                sys.stdout.write(f"  {note}\n")
        except CatalogueError as e:
            sys.stdout.write(f"catalogue: unavailable ({e})\n")
        from .managed import ManagedPolicyError
        from .managed import get as managed

        try:
            sys.stdout.write(managed().describe() + "\n")
        except ManagedPolicyError as e:
            sys.stdout.write(f"AWS managed policies: unavailable ({e})\n")
        from .extract.cloudformation.sam import SamTemplatesError
        from .extract.cloudformation.sam import get as sam_templates

        try:
            sys.stdout.write(sam_templates().describe() + "\n")
        except SamTemplatesError as e:
            sys.stdout.write(f"SAM policy templates: unavailable ({e})\n")
        return EXIT_CLEAN
    try:
        return lint(args, reg)
    except UsageError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR


def _choose_catalogue(args, resolver, reg) -> None:
    """The AWS data of this run: ``--catalogue``, else ``$IAMLINT_CATALOGUE``, else the
    ``catalogue`` setting of the configuration that applies here, else ``auto``."""
    from . import catalogue

    env = os.environ.get(catalogue.ENV_MODE, "").strip()
    if env and env.lower() not in catalogue.MODES:
        raise UsageError(f"{catalogue.ENV_MODE}={env!r}: expected one of {', '.join(catalogue.MODES)}")
    chosen = args.catalogue
    if chosen is None and not env:
        from .config import ConfigError, Resolver

        try:
            if resolver is None:  # --version: a broken configuration does not stop it
                try:
                    resolver = Resolver(reg, explicit=args.config, isolated=args.isolated)
                except ConfigError:
                    return
            chosen = resolver.for_path(os.path.join(os.getcwd(), "_")).catalogue
        except ConfigError as e:
            raise UsageError(str(e)) from None
    if chosen is not None and chosen != catalogue.mode():
        catalogue.configure(chosen)


def lint(args, reg) -> int:
    from .config import ConfigError, Resolver
    from .diagnostics import INPUT_ERRORS
    from .discover import decode, over_limit
    from .engine import Engine
    from .model import Severity
    from .results import FileReport, RunReport

    fields = overrides(args)
    _check_codes(reg, fields)
    if args.config and args.isolated:
        raise UsageError("--config and --isolated exclude each other")
    paths = args.paths or ["."]
    if "-" in paths and len(paths) != 1:
        raise UsageError("'-' (stdin) cannot be combined with other paths")
    if args.stdin_filename and "-" not in paths:
        raise UsageError("--stdin-filename needs '-' as the path")
    try:
        resolver = Resolver(reg, explicit=args.config, isolated=args.isolated, overrides=fields)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    _choose_catalogue(args, resolver, reg)
    texts: dict[str, str] = {}
    stdin_error = None
    sniffed = False
    if "-" in paths:
        name = os.path.normpath(args.stdin_filename or "stdin")
        try:
            limit = resolver.for_path(name).max_file_size
        except ConfigError as e:
            raise UsageError(str(e)) from None
        data = sys.stdin.buffer.read(limit + 1)  # no more than the limit, however much is sent
        if len(data) > limit:
            text, stdin_error = None, over_limit(name, limit)
        else:
            text, stdin_error = decode(name, data)
        if text is not None and not args.stdin_filename:
            name = sniff_stdin(text)
            sniffed = True
        paths = [name]
        if text is not None:
            texts[name] = text
    progress = None
    if not texts and sys.stderr.isatty():  # the bar draws only on a terminal: skip its import otherwise
        from .progress import Progress

        progress = Progress(sys.stderr)
    fix = ("unsafe" if args.unsafe_fixes else "safe") if (args.fix or args.diff) else ""
    if fix and args.write_baseline:
        raise UsageError("--fix and --diff cannot be combined with --write-baseline")
    cache = None
    if not args.no_cache and not texts and not os.environ.get("IAMLINT_NO_CACHE"):
        from .resultcache import ResultCache

        cache = ResultCache(reg)
    engine = Engine(reg, resolver, jobs=args.jobs, progress=progress, fix=fix, cache=cache)
    # iamlint's own files are never linted (nor counted as "not IaC"): the baseline, the report
    own = [p for p in (args.baseline, args.write_baseline, args.output) if p]
    try:
        if stdin_error is not None:
            report = RunReport([FileReport(paths[0], "error", None, 0, [stdin_error])], reg)
        else:
            report = engine.run(paths, exclude=args.exclude, texts=texts, skip=own)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    if sniffed and [fr.status for fr in report.files if fr.path == paths[0]] == ["not-iac"]:
        raise UsageError(
            "stdin holds JSON that is not a policy, a template or a Terraform plan; "
            "name the file it is with --stdin-filename PATH"
        )
    for note in [*resolver.warnings, *engine.warnings]:  # the configuration is read as files are found
        sys.stderr.write(f"iamlint: warning: {note}\n")
    for err in report.usage_errors:
        sys.stderr.write(f"iamlint: error: {err}\n")
    if args.diff:
        return _show_diff(engine.fixed, report)
    write_failed = False
    fixed = engine.fixed
    if args.fix and not texts:
        fixed = _write_fixed(engine.fixed)
        write_failed = len(fixed) < len(engine.fixed)

    from . import baseline

    if args.baseline:
        try:
            baseline.apply(report, baseline.load(args.baseline))
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
    fail_on = fields.get("fail_on") or resolver.for_path(os.path.join(os.getcwd(), "_")).fail_on
    to_file = args.output is not None
    report.options = {
        "show_source": args.show_source,
        "statistics": args.statistics,
        "show_suppressed": args.show_suppressed,
        "group_by": args.group_by,
        "sources": texts,  # --show-source quotes the stdin buffer, not the file on disk
        "fail_on": fail_on,  # junit: only findings at or above it are failures, as for the exit code
        "hyperlinks": not to_file and _hyperlinks(sys.stdout, args.format),
    }
    if args.format == "html" and not texts:  # the report's principals view
        report.options["principals"] = _explained(reg, resolver, paths, args.exclude)
    if args.write_baseline:
        try:
            n = baseline.write(report, args.write_baseline)
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
        sys.stderr.write(f"iamlint: wrote {n} finding(s) to the baseline {args.write_baseline}\n")

    from .reporters import render

    where = args.output or "the report to stdout"
    stdin_fixed = None
    if args.fix and texts:  # stdin: the fixed text goes to stdout, the report to stderr
        stdin_fixed = engine.fixed[0].after if engine.fixed else texts[paths[0]]
    try:
        out = sys.stderr if stdin_fixed is not None and args.output is None else _out(args.output)
    except OSError as e:
        raise UsageError(f"cannot write {where}: {e.strerror or e}") from None
    try:
        try:
            render(args.format, report, out, _color(out, args.format, to_file))
            if args.format == "text":
                line = _fix_summary(fixed, report, bool(args.fix), args.unsafe_fixes)
                if line:
                    out.write(line + "\n")
            if stdin_fixed is not None:
                sys.stdout.write(stdin_fixed)
                sys.stdout.flush()
        finally:
            if out is not sys.stdout and out is not sys.stderr:
                out.close()
            else:
                out.flush()
    except BrokenPipeError:
        raise
    except OSError as e:  # a full disk, a closed or full stdout
        raise UsageError(f"cannot write {where}: {e.strerror or e}") from None

    if report.has_input_errors or write_failed:
        return EXIT_ERROR
    if args.exit_zero or args.write_baseline:
        return EXIT_CLEAN
    threshold = Severity(fail_on).rank
    if any(f.severity.rank >= threshold for f in report.findings if f.code not in INPUT_ERRORS):
        return EXIT_FINDINGS
    return EXIT_CLEAN


# -- fixes -------------------------------------------------------------------------------------
def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _fixable(report, unsafe: bool) -> tuple[int, int]:
    """How many findings of the report carry a fix that applies, and how many more would with
    ``--unsafe-fixes``."""
    from .fixes import applicable

    found = report.findings
    now = sum(1 for f in found if applicable(f, unsafe))
    more = 0 if unsafe else sum(1 for f in found if applicable(f, True)) - now
    return now, more


def _fix_summary(fixed, report, fixing: bool, unsafe: bool) -> str:
    """The text format's line about fixes: how many findings were fixed, how many fixable
    remain (a fix that overlapped another, one inside a file that could not be written) and
    how many more ``--unsafe-fixes`` would fix. Empty when there is nothing to say."""
    now, more = _fixable(report, unsafe)
    parts = []
    if fixing:
        n = sum(x.applied for x in fixed)
        parts.append(f"Fixed {_count(n, 'finding')} in {_count(len(fixed), 'file')}")
        if now:
            parts.append(f"{now} fixable remaining")
    elif now:
        parts.append(f"{_count(now, 'finding')} fixable with --fix")
    if more:
        parts.append(f"{more} more with --unsafe-fixes")
    return "; ".join(parts) + "." if parts else ""


def _show_diff(fixed, report) -> int:
    """``--diff``: the fixes as a unified diff on stdout, what they fix on stderr; nothing is
    written. Exit code: 2 on input errors, 1 if there is a diff, else 0 (as ruff)."""
    import difflib

    from .results import display_path

    out = _out(None)
    for x in fixed:
        name = display_path(x.path)
        out.writelines(
            difflib.unified_diff(
                x.before.splitlines(keepends=True), x.after.splitlines(keepends=True), name, name
            )
        )
        if not x.after.endswith("\n"):
            out.write("\n\\ No newline at end of file\n")
    out.flush()
    n = sum(x.applied for x in fixed)
    if fixed:
        sys.stderr.write(f"Would fix {_count(n, 'finding')} in {_count(len(fixed), 'file')}.\n")
    else:
        sys.stderr.write("No fixes available.\n")
    if report.has_input_errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fixed else EXIT_CLEAN


def _write_fixed(fixed: list) -> list:
    """``--fix``: write each fixed file in place, atomically (a new file in its directory,
    given the old one's mode, renamed over it; through a symbolic link, its target). A file
    that changed since it was read is left alone. The files written."""
    written = []
    for x in fixed:
        target = os.path.realpath(x.path)
        data = (b"\xef\xbb\xbf" if x.bom else b"") + x.after.encode("utf-8")
        before = (b"\xef\xbb\xbf" if x.bom else b"") + x.before.encode("utf-8")
        tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.iamlint-{os.getpid()}.tmp")
        try:
            st = os.stat(target)
            with open(target, "rb") as fh:
                if fh.read(len(before) + 1) != before:
                    sys.stderr.write(f"iamlint: error: {x.path} changed while it was linted; not fixed\n")
                    continue
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with open(fd, "wb") as fh:
                    fh.write(data)
                os.chmod(tmp, st.st_mode & 0o7777)
                os.replace(tmp, target)
                written.append(x)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as e:
            sys.stderr.write(f"iamlint: error: cannot write the fixes to {x.path}: {e.strerror or e}\n")
    return written
