"""IAM906 (unresolved-policy): the parts of a policy that cannot be evaluated, named.

A policy attribute whose value is not known (a variable without a default, a module
output, remote state), the statements ``concat``/``merge`` take from such a value, the
``dynamic "statement"`` blocks whose ``for_each`` is not known and whose content holds
nothing literal: each is one info diagnostic at the expression, naming it and saying why
it is not known, so that a user sees what was not checked. Everything literal around it is
linted as usual.
"""

from __future__ import annotations

import re

from ...diagnostics import UNRESOLVED_POLICY
from ...model import Span
from .module import FOR_EACH_INPUT, NO_SUCH_ELEMENT, UNKNOWN_ITERATION, Module
from .text import Node, PartialDict, UnknownNode

_CALL = re.compile(r"^([A-Za-z_][\w:]*)\s*\(")


def why(u: UnknownNode) -> str:
    """Why a value is not known, for messages: ``var.x is a variable without a default...``."""
    text = " ".join(u.text.split())
    if len(text) > 80:
        text = text[:77] + "..."
    shown = f"`{text}`"
    source = u.text.strip()
    note = u.note
    if note == UNKNOWN_ITERATION:
        return f"{shown} comes from a dynamic block whose for_each is not known"
    if note == FOR_EACH_INPUT:
        return (
            f"{shown} depends on a variable its dynamic block's for_each reads: the block"
            " exists only for some of that variable's values, so its default does not apply"
        )
    if note == "variable without a default":
        return f"{shown} is a variable without a default (its value comes from the module's caller)"
    if note == "no such variable":
        return f"{shown} names a variable this module does not declare"
    if note == NO_SUCH_ELEMENT:
        return f"{shown} names an attribute or element its value does not have"
    m = _CALL.match(source)
    if m and m.group(1) not in EVALUATED:
        return f"{shown} calls {m.group(1)}(), which iamlint does not evaluate"
    if re.match(r"^\[\s*for\b|^\{\s*for\b", source):
        return f"{shown} is a for expression, which iamlint does not evaluate"
    if not m and _CONDITIONAL.search(source):
        return f"{shown} is a conditional expression whose condition is not known"
    if "[*]" in source or re.search(r"\.\*\.", source):
        return f"{shown} is a splat expression, which iamlint does not evaluate"
    refs = [r.group(1) for r in _REF.finditer(source)]
    if "each" in refs or "count" in refs:
        return f"{shown} depends on the for_each or count of its block"
    if any(r.startswith("module.") for r in refs):
        return f"{shown} is an output of another module"
    if any(r.startswith("data.terraform_remote_state") for r in refs):
        return f"{shown} is read from another configuration's remote state"
    if any(r.startswith("data.") for r in refs):
        return f"{shown} is read from a data source when Terraform runs"
    if any(r.startswith("var.") for r in refs):
        return f"{shown} depends on a variable whose value is not known"
    if _RESOURCE_ATTR.match(source):
        return f"{shown} is an attribute of a resource, known only once it is applied"
    return f"{shown} is an expression iamlint does not evaluate"


#: functions whose unknown result comes from an argument (see `Module.eval_call`)
EVALUATED = frozenset(
    {"concat", "flatten", "merge", "tolist", "toset", "try", "coalesce", "lookup", "compact", "distinct"}
)
_CONDITIONAL = re.compile(r"\?[^?]*:")
_REF = re.compile(r"(?<![\w.])((?:each|count|module\.[\w-]+|data\.[\w-]+|var\.[\w-]+))\b")
_RESOURCE_ATTR = re.compile(r"^[a-z][a-z0-9]*_[\w-]*\.[\w-]+\.")


def note(m: Module, u: UnknownNode, what: str, consequence: str) -> None:
    """One IAM906 at ``u``: ``{what} not evaluated: {why}; {consequence}``."""
    p = u.pos
    m.diag(
        UNRESOLVED_POLICY,
        f"{what} not evaluated: {why(u)}; {consequence}",
        Span(u.file, p[0], p[1], p[2], p[3]),
    )


def statements(m: Module, doc: Node, what: str) -> None:
    """An IAM906 for each part of a document's statements that is not known (``Statement =
    var.x``, ``concat([...], var.extra)``), and for a document merged from one."""
    if isinstance(doc, PartialDict):
        for u in doc.unresolved:
            note(m, u, f"{what}: part of the document", "the rest is checked")
    if not isinstance(doc, dict):
        return
    st = doc.get("Statement")
    if isinstance(st, UnknownNode):
        note(m, st, f"{what}: its Statement", "its statements are not checked")
    elif isinstance(st, list):
        for item in st:
            if isinstance(item, UnknownNode):
                note(m, item, f"{what}: some statements", "the other statements are checked")
