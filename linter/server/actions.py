"""Code actions that add a suppression for a finding, written where the format allows one.

- YAML (CloudFormation, SAM) and HCL: a comment on the line above the finding,
  ``# iamlint: ignore[CODE] <reason> until=<date>``;
- a CloudFormation JSON template: an entry in the resource's ``Metadata``
  (``{"iamlint": {"ignore": [{"rule": ..., "reason": ..., "until": ...}]}}``);
- a raw JSON policy (no comments, no metadata): a ``[[suppress]]`` entry for the file and
  the code in the configuration that applies to it, or in a new ``.iamlint.toml``.

The reason is a placeholder for the user to replace, and the suppression expires after
`DAYS` days. A suppression is offered only when it works: the edited buffer is linted, and
the action is kept when the finding is gone and nothing new (a broken comment, an invalid
suppression, a parse error) came in its place.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from ..model import Finding
from ..positions import LineIndex

#: the reason written into a new suppression, for the user to replace
REASON = "TODO: say why this finding is accepted"
#: a new suppression expires after this many days
DAYS = 90


class Edit(NamedTuple):
    """Replace the text between two 1-based places (line, column) of a file."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


class Fix(NamedTuple):
    title: str
    edits: tuple[Edit, ...]
    #: a file the edits need created first (a new configuration file), else None
    create: str | None = None


def until(today: _dt.date | None = None) -> str:
    return ((today or _dt.date.today()) + _dt.timedelta(days=DAYS)).isoformat()


def _key(f: Finding) -> tuple:
    return (f.code, f.value, f.owner)


def works(before: list[Finding], after: list[Finding], finding: Finding) -> bool:
    """Whether an edit that lints to ``after`` suppresses ``finding`` and adds nothing."""
    was, now = Counter(map(_key, before)), Counter(map(_key, after))
    if now[_key(finding)] >= was[_key(finding)]:
        return False
    return not (now - was)  # no finding the edit brought in (a broken comment, IAM904, IAM900)


def apply(text: str, edit: Edit) -> str:
    index = LineIndex(text)
    a = index.offset(edit.line, edit.column)
    b = index.offset(edit.end_line, edit.end_column)
    return text[:a] + edit.text + text[b:]


def suppress(
    path: str,
    text: str,
    style: str,
    finding: Finding,
    findings: list[Finding],
    lint: Callable[[str], list[Finding]],
    statement_line: int | None = None,
    today: _dt.date | None = None,
) -> Fix | None:
    """The in-file suppression of ``finding`` that works, else None: a ``comment`` above its
    line (or above its statement's first line), or an entry in its resource's ``metadata``
    (CloudFormation JSON). ``lint(text)``: the findings of the buffer with that text."""
    code = finding.code
    date = until(today)
    if style == "metadata":
        edit = metadata_edit(path, text, finding, date)
        candidates = [edit] if edit is not None else []
        title = f"Suppress {code} in the Metadata of {_logical_id(finding.owner or '')}"
    else:
        lines = [finding.span.line]
        if statement_line is not None and statement_line != finding.span.line:
            lines.append(statement_line)
        candidates = [comment_edit(path, text, n, code, date) for n in lines]
        title = f"Suppress {code} with a comment"
    for edit in candidates:
        if works(findings, lint(apply(text, edit)), finding):
            return Fix(title, (edit,))
    return None


def comment_edit(path: str, text: str, line: int, code: str, date: str) -> Edit:
    """A comment line above ``line``, indented as that line is."""
    lines = text.split("\n")
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    comment = f"{indent}# iamlint: ignore[{code}] {REASON} until={date}\n"
    return Edit(path, line, 1, line, 1, comment)


def _logical_id(owner: str) -> str:
    """The logical id in a finding's owner label (``Role (cdk: Stack/Role/Resource)``)."""
    return owner.split(" (", 1)[0]


def metadata_edit(path: str, text: str, finding: Finding, date: str) -> Edit | None:
    """An entry in the ``Metadata`` of the finding's resource of a CloudFormation JSON template."""
    from ..parse.json_parser import parse_json
    from ..parse.nodes import PDict, PList
    from ..positions import PositionedError

    if not finding.owner:
        return None
    try:
        root = parse_json(text)
    except (PositionedError, RecursionError):
        return None
    resources = root.get("Resources") if isinstance(root, PDict) else None
    resource = resources.get(_logical_id(finding.owner)) if isinstance(resources, PDict) else None
    if not isinstance(resource, PDict):
        return None
    entry = {"rule": finding.code, "reason": REASON, "until": date}
    index = LineIndex(text)
    meta = resource.get("Metadata")
    if meta is None:
        return _insert_member(path, text, index, resource, "Metadata", {"iamlint": {"ignore": [entry]}})
    if not isinstance(meta, PDict):
        return None
    ours = meta.get("iamlint")
    if ours is None:
        return _insert_member(path, text, index, meta, "iamlint", {"ignore": [entry]})
    if not isinstance(ours, PDict):
        return None
    ignore = ours.get("ignore")
    if ignore is None:
        return _insert_member(path, text, index, ours, "ignore", [entry])
    if not isinstance(ignore, PList):
        return None
    # before the closing bracket
    line, column = ignore.pos[2], ignore.pos[3] - 1
    body = json.dumps(entry, ensure_ascii=False)
    return Edit(path, line, column, line, column, (", " if ignore else "") + body)


def _insert_member(path: str, text: str, index: LineIndex, obj, key: str, value) -> Edit:
    """``"key": value`` as the first member of a JSON object, laid out as its members are."""
    line, column = obj.pos[0], obj.pos[1] + 1  # after the opening brace
    member = f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
    first = next(iter(obj), None)
    if first is None:
        return Edit(path, line, column, line, column, member)
    first_line, first_column = first.pos[0], first.pos[1]
    if first_line > line:  # one member a line: a line of its own, indented as the first
        start = index.offset(first_line, 1)
        indent = text[start : index.offset(first_line, first_column)]
        if indent.strip():
            indent = " " * (first_column - 1)
        return Edit(path, line, column, line, column, f"\n{indent}{member},")
    return Edit(path, line, column, line, column, f"{member}, ")


# -- configuration entries (raw JSON policies) ------------------------------------------------
def config_entry(
    path: str,
    finding: Finding,
    config_path: str | None,
    fallback_dir: str,
    registry,
    today: _dt.date | None = None,
) -> Fix | None:
    """A ``[[suppress]]`` entry for ``path`` and the finding's code: appended to the
    configuration file that applies (``config_path``), else in a new ``.iamlint.toml`` in
    ``fallback_dir``. None when the file would not be valid configuration afterwards."""
    target = config_path or os.path.join(fallback_dir, ".iamlint.toml")
    pyproject = os.path.basename(target) == "pyproject.toml"
    root = os.path.dirname(os.path.abspath(target))
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if rel.startswith("../"):
        return None
    header = "[[tool.iamlint.suppress]]" if pyproject else "[[suppress]]"
    body = (
        f"{header}\n"
        f"files = {json.dumps(rel)}\n"
        f'rules = ["{finding.code}"]\n'
        f"reason = {json.dumps(REASON)}\n"
        f'until = "{until(today)}"\n'
    )
    existing = ""
    if config_path is not None:
        try:
            with open(config_path, encoding="utf-8") as fh:
                existing = fh.read().replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError):
            return None
    sep = "" if not existing else ("\n" if existing.endswith("\n") else "\n\n")
    if not _valid(existing + sep + body, target, pyproject, registry):
        return None
    lines = existing.split("\n")
    end_line, end_column = len(lines), len(lines[-1]) + 1
    title = f"Suppress {finding.code} for this file in {os.path.basename(target)}"
    return Fix(
        title,
        (Edit(target, end_line, end_column, end_line, end_column, sep + body),),
        create=None if config_path is not None else target,
    )


def _valid(text: str, path: str, pyproject: bool, registry) -> bool:
    import sys

    from ..config import ConfigError, _jsonable, validate

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = _jsonable(tomllib.loads(text))  # dates as the schema reads them, as `config.load` does
        table = data.get("tool", {}).get("iamlint") if pyproject else data
        if not isinstance(table, dict):
            return False
        validate(table, path, "tool.iamlint" if pyproject else "", registry)
    except (tomllib.TOMLDecodeError, ConfigError, AttributeError, RecursionError):
        return False
    return True
