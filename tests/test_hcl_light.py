"""Blocks built piece by piece (`parse_block_light`) are the blocks the parser builds.

The light path splits a block's body without parsing, builds simple values directly and
parses the other expressions one at a time; the extractor relies on getting the same
syntax tree (classes, positions, source texts) as `parse_block`, and on the same errors.
"""

from __future__ import annotations

import pytest

from iamlint.parse.hcl_tree import (
    MAX_NESTING,
    Call,
    Chars,
    Heredoc,
    Lit,
    NestingError,
    ObjectX,
    Opaque,
    Quoted,
    Ref,
    TupleX,
    parse_block,
    parse_block_light,
    simple_expression,
    split_attributes,
    split_blocks,
)
from iamlint.positions import LineIndex, PositionedError

BLOCKS = """
resource "aws_iam_role_policy_attachment" "a" {
  role       = aws_iam_role.r.name   # a comment
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
  count      = 2
  ratio      = 1.5
  empty      = ""
  flags      = [true, false, null]
  list       = ["a", "b",
    "c",]
}

resource "aws_iam_policy" "p" {
  name = "p-${var.env}"
  policy = jsonencode({
    Version = "2012-10-17" // a comment
    "Statement" = [{ Effect = "Allow", Action: ["s3:*"], Resource = "*" },
    ]
    Id = tolist([])
  })
  description = "escaped \\"quote\\" and $${literal}"
  tags = { for k, v in var.tags : k => v }
  neg = -1
  index = aws_iam_role.r[0].name
  splat = aws_iam_role.r[*].arn
  cond = var.x != null ? var.x : "none"
  path = "/"
}

data "aws_iam_policy_document" "d" {
  statement {
    sid     = "One"
    actions = ["s3:GetObject"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition { test = "Bool"
      variable = "aws:SecureTransport"
      values   = ["true"]
    }
  }
  dynamic "statement" {
    for_each = var.statements
    iterator = s
    content {
      actions = s.value.actions
    }
  }
  source_policy_documents = [<<EOF
{"Statement": []}
EOF
  ]
}

variable "v" {
  type = map(object({
    a = optional(string, "x")
  }))
  default = {}
  validation {
    condition     = length(var.v) < 3
    error_message = "Too many."
  }
}
"""


def same_expr(x, y, where: str) -> None:
    assert type(x) is type(y), where
    if isinstance(x, Opaque):  # the parser's may end with the line break and blanks after it
        assert (x.pos[:2], x.text.rstrip()) == (y.pos[:2], y.text), where
        return
    assert (x.pos, x.text) == (y.pos, y.text), where
    if isinstance(x, Lit):
        assert (type(x.value), x.value) == (type(y.value), y.value), where
    if isinstance(x, Ref):
        assert x.root == y.root and len(x.steps) == len(y.steps), where
        for a, b in zip(x.steps, y.steps, strict=True):
            if isinstance(a, str) or isinstance(b, str):
                assert a == b, where
            else:
                same_expr(a, b, where + "[]")
    if isinstance(x, Quoted):
        assert (x.directive, x.literal()) == (y.directive, y.literal()), where
        fx, fy = x.fo or (lambda o: o), y.fo or (lambda o: o)
        for p, q in zip(x.parts, y.parts, strict=True):
            assert type(p) is type(q), where
            if isinstance(p, Chars):
                assert (p.raw, fx(p.offset), p.escaped) == (q.raw, fy(q.offset), q.escaped), where
    if isinstance(x, TupleX):
        for a, b in zip(x.items, y.items, strict=True):
            same_expr(a, b, where + "[]")
    if isinstance(x, ObjectX):
        for a, b in zip(x.items, y.items, strict=True):
            assert (a.key_pos, a.key if isinstance(a.key, str) else a.key.text) == (
                b.key_pos,
                b.key if isinstance(b.key, str) else b.key.text,
            ), where
            same_expr(a.value, b.value, where + "." + str(a.key))
    if isinstance(x, Call):
        assert (x.name, x.name_pos) == (y.name, y.name_pos), where
        for a, b in zip(x.args, y.args, strict=True):
            same_expr(a, b, where + "()")
    if isinstance(x, Heredoc):
        assert (x.token, x.trim, x.offset) == (y.token, y.trim, y.offset), where


def same_block(x, y, where: str = "") -> None:
    assert (x.type, x.labels, x.pos, x.type_pos) == (y.type, y.labels, y.pos, y.type_pos), where
    assert list(x.body.attributes) == list(y.body.attributes), where
    for name, a in x.body.attributes.items():
        b = y.body.attributes[name]
        assert a.name_pos == b.name_pos, where + name
        assert a.pos[:2] == b.pos[:2], where + name  # the parser's end may include a line break
        same_expr(a.expr, b.expr, f"{where}.{name}")
    assert len(x.body.blocks) == len(y.body.blocks), where
    for a, b in zip(x.body.blocks, y.body.blocks, strict=True):
        same_block(a, b, f"{where}/{a.type}")


def test_light_blocks_are_the_parsed_blocks():
    text = BLOCKS.lstrip("\n")
    locator = LineIndex(text)
    spans = split_blocks(text)
    assert [s.type for s in spans] == ["resource", "resource", "data", "variable"]
    for span in spans:
        same_block(parse_block(text, span, locator), parse_block_light(text, span, locator), span.type)


@pytest.mark.parametrize(
    "value, cls",
    [
        ('"plain"', Quoted),
        ("12", Lit),
        ("1.5", Lit),
        ("null", Lit),
        ("aws_iam_role.app.name", Ref),
        ('["a", 1, true, x.y]', TupleX),
        ('jsonencode({ A = "b", "C" : [{}] })', Call),
        ('"with ${var.x}"', None),
        ('"escaped \\" quote"', None),
        ("-1", None),
        ("a[0]", None),
        ("a.b(1)", None),
        ('["a" "b"]', None),  # no comma: the parser explains
        ("{ a = 1 b = 2 }", None),  # two items on a line: the parser explains
        ("x ? 1 : 2", None),
    ],
)
def test_simple_expressions(value, cls):
    text = f"x = {value}\n"
    got = simple_expression(text, 4, len(text) - 1, LineIndex(text))
    assert (type(got) if got is not None else None) is cls


def test_split_attributes_steps_over_strings_heredocs_and_blocks():
    text = (
        'variable "x" {\n'
        '  description = "a { } \\" thing" # c\n'
        "  type = map(object({\n    a = string\n  }))\n"
        '  default = <<EOF\n{"a": "}"}\nEOF\n'
        "  validation {\n    condition = true\n  }\n"
        "}\n"
    )
    spans = split_attributes(text, split_blocks(text)[0])
    assert {k: text[a:b] for k, (_n, a, b) in spans.items()} == {
        "description": '"a { } \\" thing"',
        "type": "map(object({\n    a = string\n  }))",
        "default": '<<EOF\n{"a": "}"}\nEOF',
    }


def test_a_piece_that_does_not_parse_is_an_error_of_both():
    text = 'resource "a" "b" {\n  policy = jsonencode({ A = })\n}\n'
    span = split_blocks(text)[0]
    with pytest.raises(PositionedError):
        parse_block(text, span, LineIndex(text))
    with pytest.raises(PositionedError):
        parse_block_light(text, span, LineIndex(text))


def test_nesting_too_deep_is_reported_where_the_parser_reports_it():
    deep = "[" * (MAX_NESTING + 5) + "]" * (MAX_NESTING + 5)
    text = f"locals {{\n  a = {deep}\n}}\n"
    span = split_blocks(text)[0]
    with pytest.raises(NestingError) as full:
        parse_block(text, span, LineIndex(text))
    with pytest.raises(NestingError) as light:
        parse_block_light(text, span, LineIndex(text))
    assert (light.value.line, light.value.column) == (full.value.line, full.value.column)
