"""Terraform's conditional expression, ``COND ? A : B``, split into its three parts.

The syntax tree keeps a conditional as one opaque expression (`hcl_tree.Opaque`); policies
are often chosen by one (``var.attach ? data.aws_iam_policy_document.x.json : ""``,
``concat([...], var.extra ? [{...}] : [])``). `split` finds its top-level ``?`` and ``:``
with a light scan that steps over strings (`hcl_tree._skip_string`), heredocs and brackets;
`Module.conditional` parses the parts as expressions with their file positions.
"""

from __future__ import annotations

import re

from ...parse.hcl_tree import _skip_string

_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)[ \t]*\n")


def split(text: str) -> tuple[int, int] | None:
    """The offsets of the ``?`` and the ``:`` of a conditional expression's top level, or
    None when ``text`` is not one (``a ? b : c ? d : e`` splits at its first ``?``)."""
    if "?" not in text or ":" not in text:
        return None
    n = len(text)
    depth = 0
    question: int | None = None
    pending = 0
    i = 0
    while i < n:
        c = text[i]
        if c == '"':
            j = _skip_string(text, i)
            if j is None:
                return None
            i = j
            continue
        if c == "<" and text.startswith("<<", i):
            h = _HEREDOC.match(text, i)
            if h is not None:
                close = re.compile(r"^[ \t]*" + re.escape(h.group(1)) + r"[ \t]*$", re.M).search(
                    text, h.end()
                )
                if close is None:
                    return None
                i = close.end()
                continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and c == "?":
            question = i if question is None else question
            pending += 1
        elif depth == 0 and c == ":" and question is not None:
            if text.startswith("::", i):  # provider::NAME::function
                i += 2
                continue
            pending -= 1
            if pending == 0:
                return question, i
        i += 1
    return None
