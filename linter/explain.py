"""``iamlint explain``: what a principal can actually do, and why.

    iamlint explain TARGET [PATH ...]      # one principal: logical id or Terraform address
    iamlint explain --all [PATH ...]       # every principal
    iamlint explain --format json ...      # for machines (docs/explain.md)

It discovers and extracts files as a lint run does (the same configuration, exclusions and
time budget), then asks the evaluator (`iamlint.evaluate`) and the escalation catalogue
(`iamlint.escalation`) about each principal: nothing else. Input errors are printed one
line each (``file:line:col: CODE message``) and make the exit code 2; every other file is
still explained.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

EXIT_CLEAN, EXIT_ERROR = 0, 2

#: in the text format, at most this many actions are named per group of equal answers
SHOWN = 6


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="iamlint explain",
        description=(
            "Show a principal's effective permissions (by service and access level, each with "
            "the statement that grants it and what caps or denies it) and its escalation paths."
        ),
        epilog="Exit codes: 0 explained, 2 usage or input errors, or no such principal.",
    )
    p.add_argument("target", nargs="?", metavar="TARGET", help="a logical id or Terraform address")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files and directories to read (default: .)")
    p.add_argument("--all", action="store_true", help="every principal (then every argument is a PATH)")
    p.add_argument("-f", "--format", default="text", choices=("text", "json"), help="output format")
    p.add_argument("--config", metavar="FILE", help="configuration file (as for a lint run)")
    p.add_argument("--isolated", action="store_true", help="ignore configuration files")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="paths to skip")
    return p


def main(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_intermixed_args(list(argv))
    except SystemExit as e:  # argparse's usage errors exit 2 already
        return int(e.code or 0)
    paths = list(args.paths)
    if args.all:
        if args.target is not None:
            paths.insert(0, args.target)
        target = None
    else:
        if args.target is None:
            sys.stderr.write("iamlint: error: explain needs a TARGET (a logical id or address) or --all\n")
            return EXIT_ERROR
        target = args.target
    if args.config and args.isolated:
        sys.stderr.write("iamlint: error: --config and --isolated exclude each other\n")
        return EXIT_ERROR
    from .config import ConfigError, Resolver
    from .ruleset import default_registry

    try:
        reg = default_registry()
        resolver = Resolver(reg, explicit=args.config, isolated=args.isolated)
    except ConfigError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    try:
        found, errors = collect(reg, resolver, paths or ["."], args.exclude)
    except ConfigError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return EXIT_ERROR
    for line in errors:
        sys.stderr.write(line + "\n")
    chosen = found if target is None else [e for e in found if _matches(e.principal.address, target)]
    if target is not None and not chosen:
        known = sorted({e.principal.address for e in found})
        hint = f"; principals: {', '.join(known[:20])}{' ...' if len(known) > 20 else ''}" if known else ""
        sys.stderr.write(f"iamlint: error: no principal {target!r} in {', '.join(paths or ['.'])}{hint}\n")
        return EXIT_ERROR
    out = sys.stdout
    if args.format == "json":
        # one line (the C encoder: an administrator holds 20,000 actions); pipe it to jq to read
        out.write(json.dumps({"principals": [to_json(e) for e in chosen]}))
        out.write("\n")
    else:
        render_text(chosen, out)
    out.flush()
    return EXIT_ERROR if errors else EXIT_CLEAN


def _matches(address: str, target: str) -> bool:
    """A logical id or address as written, or its last parts (``aws_iam_role.app`` for
    ``module.x.aws_iam_role.app``)."""
    return address == target or address.endswith("." + target)


def collect(reg: Any, resolver: Any, paths: list[str], exclude: Iterable[str]) -> tuple[list[Any], list[str]]:
    """The effective permissions of every principal under ``paths`` (one evaluator per file
    or Terraform module), and the input errors, one line each."""
    from .diagnostics import INPUT_ERRORS
    from .engine import Deadline, Engine, UnitTimeout
    from .evaluate import Evaluator
    from .extract import extract_file
    from .extract.terraform import extract_module
    from .model import DocKind
    from .results import display_path

    engine = Engine(reg, resolver, jobs=1)
    units, usage = engine.units(paths, exclude)
    errors = [f"iamlint: error: {u}" for u in usage]
    found: list[Any] = []
    for unit in units:
        cfg = unit.config
        extractions = []
        try:
            with Deadline(cfg.timeout):
                if unit.kind == "module":
                    directory = os.path.dirname(unit.paths[0]) or "."
                    got = extract_module(
                        directory,
                        list(unit.paths),
                        dict(unit.texts),
                        roots=unit.roots or None,
                        max_bytes=cfg.max_file_size,
                    )
                    extractions = [got[p] for p in unit.paths if p in got]
                else:
                    from .discover import read

                    path = unit.paths[0]
                    text, err = read(path, cfg.max_file_size)
                    if text is None:
                        if err is not None:
                            errors.append(_line(err, display_path))
                        continue
                    kind = cfg.kind_for(path)
                    ex = extract_file(path, text, DocKind(kind) if kind else None)
                    extractions = [ex] if ex is not None else []
        except UnitTimeout:
            errors.append(
                f"{display_path(unit.paths[0])}:1:1: took longer than {cfg.timeout:g} s; not explained"
            )
            continue
        except RecursionError:
            errors.append(f"{display_path(unit.paths[0])}:1:1: nested too deeply to read")
            continue
        except Exception as e:  # an extractor bug: one line, the other files go on
            if os.environ.get("IAMLINT_DEBUG"):
                raise
            errors.append(f"{display_path(unit.paths[0])}:1:1: internal error: {type(e).__name__}: {e}")
            continue
        principals: dict[tuple[str, str, int], Any] = {}
        for ex in extractions:
            for d in ex.diagnostics:
                if d.code in INPUT_ERRORS:
                    errors.append(_line(d, display_path))
            for p in ex.principals:
                principals.setdefault((p.address, p.span.file, p.span.line), p)
        if principals:
            org = cfg.settings().get("org-policy-documents") or ()
            ev = Evaluator(list(principals.values()), org)
            found.extend(ev.all())
    return found, list(dict.fromkeys(errors))


def _line(f: Any, display_path: Any) -> str:
    s = f.span
    return f"{display_path(s.file)}:{s.line}:{s.column}: {f.code} {f.message}"


# -- output ---------------------------------------------------------------------------------------
def to_json(eff: Any) -> dict[str, Any]:
    """One principal as ``--format json`` prints it: `Effective.to_json` and its escalation
    paths (open ones, and those open only under conditions)."""
    from .escalation import escalation_paths

    out = eff.to_json()
    out["escalation_paths"] = [p.to_json() for p in escalation_paths(eff, conditional=True)]
    return out


def render_text(chosen: list[Any], out: TextIO) -> None:
    from .escalation import escalation_paths, is_administrator
    from .results import display_path

    for n, eff in enumerate(chosen):
        p = eff.principal
        if n:
            out.write("\n")
        out.write(f"{p.kind} {p.address} ({display_path(p.span.file)}:{p.span.line})\n")
        out.write("  policies:\n")
        if not eff.documents:
            out.write("    none\n")
        for doc, layer, via in eff.documents:
            from .rulekit import document_label

            what = {"identity": "", "group": f" via group {via}", "boundary": " (permissions boundary)"}.get(
                layer, f" ({layer})"
            )
            aws = " (AWS managed)" if doc.aws_managed else ""
            out.write(
                f"    {document_label(doc)}{aws}{what}  {display_path(doc.span.file)}:{doc.span.line}\n"
            )
        for u in dict.fromkeys(eff.unknown):
            out.write(f"  unknown: {u}\n")
        paths = escalation_paths(eff, conditional=True)
        if is_administrator(eff):
            out.write("  escalation: already an administrator (every action on every resource)\n")
        elif not paths:
            out.write("  escalation paths: none\n")
        else:
            out.write("  escalation paths:\n")
            for path in paths:
                tag = "" if path.verdict.value == "allowed" else " (only under conditions)"
                out.write(f"    {path.path.id}{tag}: {path.describe()}\n")
                for d in path.steps:
                    src = d.granted_by[0]
                    out.write(f"      {d.action}: {_where(src, display_path)}\n")
                    for c in d.conditions:
                        out.write(f"        {c}\n")
        _permissions(eff, out, display_path)


def _where(src: Any, display_path: Any) -> str:
    via = f" via {src.via}" if src.via else ""
    return f"{src.policy}{via} ({display_path(src.span.file)}:{src.span.line})"


def _permissions(eff: Any, out: TextIO, display_path: Any) -> None:
    """By service, then access level; each group of actions with the same answer on one line."""
    perms = list(eff.permissions())
    if not perms:
        out.write("  permissions: none granted\n")
        return
    out.write("  permissions:\n")
    service = level = None
    groups: dict[tuple, list[str]] = {}

    def flush() -> None:
        for (resource, verdict, grants, conditions, denied, capped), names in groups.items():
            shown = ", ".join(names[:SHOWN]) + (
                f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
            )
            count = f"{len(names)} action{'s' if len(names) > 1 else ''}"
            why = [f"by {', '.join(grants)}"] if grants else []
            if denied:
                why.append(f"denied by {', '.join(denied)}")
            if capped:
                why.append(f"capped by {', '.join(capped)}")
            out.write(f"      {verdict} on {resource} ({count}): {shown}\n        {'; '.join(why)}\n")
            for c in conditions:
                out.write(f"        {c}\n")
        groups.clear()

    for perm in perms:
        if perm.service != service:
            flush()
            service, level = perm.service, None
            out.write(f"    {service}\n")
        if perm.access_level != level:
            flush()
            level = perm.access_level
            out.write(f"     {level}:\n")
        d = perm.decision
        key = (
            d.resource,
            d.verdict.value,
            tuple(_where(s, display_path) for s in d.granted_by),
            d.conditions,
            tuple(_where(s, display_path) for s in d.denied_by),
            d.capped_by,
        )
        groups.setdefault(key, []).extend(perm.actions)
    flush()
