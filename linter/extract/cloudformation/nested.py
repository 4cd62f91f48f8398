"""Templates inside a template: the ``TemplateBody`` of an ``AWS::CloudFormation::StackSet``.

A stack set's template is a string (often a YAML block scalar ``|``, or a JSON string of a
JSON template) that CloudFormation deploys as a template of its own. `read_body` parses it
with every position mapped into the outer file, so that the extractor lints it as a
template and its findings point at the outer file's lines and columns:

- JSON is parsed by `parse_json` with the string's `Embedded.mapper`;
- YAML is composed by `cfn_yaml.load` in the string's own coordinates, and every node of the
  result (keys, duplicate-key records and the problems read past included) is then moved
  through the same mapper. A node's end is the position after its last character, so the
  end is mapped from that character (a block scalar's next character may sit on another
  line, past the indentation of the outer file).

A body that is not YAML or JSON, or not a template, is an IAM900 at its place in the outer
file (CloudFormation rejects it when the stack set is created).
"""

from __future__ import annotations

from typing import Any

from ...parse.cfn_yaml import Problem, load
from ...parse.json_parser import parse_json
from ...parse.nodes import PDict, PList, PScalar, PStr
from ...positions import LineIndex, Mapper, Pos, PositionedError


class BodyError(Exception):
    """A body that is not a template: a message and the place in the outer file."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def read_body(text: str, mapper: Mapper) -> tuple[Any, list[Problem]]:
    """The template a ``TemplateBody`` string holds, positions in the outer file, and the
    YAML problems read past (mapped too); raise `BodyError` when it is not YAML or JSON."""
    if text.lstrip().startswith("{"):
        try:
            return parse_json(text, mapper=mapper), []
        except PositionedError:
            pass  # JSON-looking YAML: the YAML reader decides
    try:
        root, problems = load(text)
    except PositionedError as e:
        lines = LineIndex(text)
        last = len(text.rstrip())
        if lines.offset(e.line, e.column) >= last > 0:  # at the end: just after the last character
            line, col = _end(mapper, *lines.at(last))
        else:
            line, col = mapper(e.line, e.column)
        raise BodyError(e.message, line, col) from None
    _move(root, mapper)
    moved = []
    for p in problems:
        line, col = mapper(p.line, p.column)
        stop = _end(mapper, p.line, p.end_column) if p.end_column else (line, col + 1)
        moved.append(p._replace(line=line, column=col, end_column=stop[1] if stop[0] == line else col + 1))
    return root, moved


def _end(mapper: Mapper, line: int, column: int) -> tuple[int, int]:
    """Where an exclusive end position lands: one past the mapped last character."""
    if column > 1:
        ln, col = mapper(line, column - 1)
        return ln, col + 1
    return mapper(line, column)


def _pos(mapper: Mapper, pos: Pos) -> Pos:
    if pos[0] == 0:
        return pos
    line, col = mapper(pos[0], pos[1])
    end_line, end_col = _end(mapper, pos[2], pos[3])
    if (end_line, end_col) < (line, col):
        end_line, end_col = line, col
    return (line, col, end_line, end_col)


def _move(root: Any, mapper: Mapper) -> None:
    """Map the position of every node of a composed tree into the outer file (iteratively:
    the tree may nest as deep as `cfn_yaml.MAX_DEPTH`; a node shared by aliases moves once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or not isinstance(node, (PDict, PList, PStr, PScalar)):
            continue
        seen.add(id(node))
        node.pos = _pos(mapper, node.pos)
        if isinstance(node, PDict):
            node.dups = [(k, _pos(mapper, a) if a else a, _pos(mapper, b)) for k, a, b in node.dups]
            for k, v in node.items():
                stack.append(k)
                stack.append(v)
        elif isinstance(node, PList):
            stack.extend(node)
