"""CloudFormation's value language: intrinsic functions, parameters, mappings.

`Resolver` provides the two hooks of `iamlint.builder.DocumentBuilder`, so that rules
only ever see `Str` and `Unknown` values:

- ``alternatives``: ``Fn::If`` yields both branches (each keeps its own position);
  ``Ref: AWS::NoValue`` yields nothing; ``Fn::FindInMap`` over the template's literal
  ``Mappings`` yields every value it can take (each where it is written in ``Mappings``);
  a ``Ref`` to a parameter with ``AllowedValues`` yields each allowed value (where it is
  written in ``Parameters``); ``Fn::Select`` of a literal list yields the selected item.
- ``scalar``: ``Fn::Sub`` and ``Fn::Join`` of literals and pseudo parameters become `Str`,
  with pseudo parameters kept symbolic as ``${AWS::AccountId}``, ``${AWS::Partition}``,
  ``${AWS::Region}`` (the spelling every extractor uses for "this account" etc.); a bare
  ``Ref`` to a pseudo parameter becomes the same symbolic string. Anything else (``Ref`` to a
  resource or a free parameter, ``Fn::GetAtt``, ``Fn::ImportValue``, a ``Fn::Sub`` with an
  unresolved part) is an `Unknown` that keeps its text (``!Ref BucketArn``,
  ``Fn::GetAtt Role.Arn``) and, for a parameter, its ``Default`` in the note; a ``Ref`` or
  ``Fn::GetAtt`` that AWS documents as the ARN of a resource of the template also says which
  IAM resource type that ARN is (``Unknown.arn_types``, from `types.ARN_ATTRIBUTES`).
- deployment inputs: a parameter without ``AllowedValues`` and an import are `Input`s. A
  value whose only unresolved parts are inputs (``!Ref Account``,
  ``!Sub arn:aws:iam::${Account}:root``, ``!ImportValue shared-Account``, ``!Join`` of
  such parts, ``!Split`` of a list parameter and ``!Select`` of one of its items) is an
  `Unknown` with its ``shape`` and ``inputs`` (see `iamlint.model.Unknown`), so that rules
  know which account a principal's parameter names without reading CloudFormation.

`Resolver.documents` turns a policy property into concrete policy objects: a map as is, a
JSON string (plain, ``Fn::Sub`` or ``Fn::Join``) parsed with positions mapped back into the
file (see `cfn_strings`), one per ``Fn::If`` branch.

Problems found on the way (an intrinsic function whose argument has the wrong shape, such
as ``Ref`` of a list or ``Fn::If`` of the wrong arity, see `shape_problem`; a policy string
that is not JSON) are IAM900 diagnostics collected on the `Template`. A malformed intrinsic
is an `Unknown`: the rest of the template is linted as usual.

Limits. A template can make one value stand for very many: ``${P}`` ten thousand times in a
``Fn::Sub``, with two ``AllowedValues`` for ``P``, is 2**10000 strings. Resolution is linear
in the template whatever it holds: every expansion path (``Fn::If`` branches, a parameter's
``AllowedValues``, ``Fn::FindInMap`` over a table, the values of a list, and the product of
the parts of a ``Fn::Sub`` or ``Fn::Join``) stops building alternatives once it has
``MAX_ALTERNATIVES`` (64) of them. Those are linted; what lies beyond them is one `Unknown`
with the expression's source text (and a note saying so), never a silent cut.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, NamedTuple

from ...builder import source_text
from ...diagnostics import parse_error
from ...model import Finding, Input, Span, Str, Unknown, Value
from ...parse.cfn_yaml import IntrinsicDict, YStr, if_arity_message
from ...parse.json_parser import parse_json
from ...parse.nodes import PDict, PList, PScalar, PStr
from ...positions import LineIndex, PositionedError
from .strings import Embedded, constant, embed

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::Region",
        "AWS::Partition",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::URLSuffix",
    }
)
#: The most values (or nodes) one expression expands to; beyond them, one `Unknown`.
MAX_ALTERNATIVES = 64
_BEYOND = f"may take more than {MAX_ALTERNATIVES} values; the first {MAX_ALTERNATIVES} are checked"
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
#: ``Fn::Sub`` of the ARN of a role of the template: ``arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Role}``
_SUB_ROLE_ARN = re.compile(
    r"arn:(?:\$\{AWS::Partition\}|aws(?:-[a-z]+)*):iam::\$\{AWS::AccountId\}:role/\$\{(\w+)\}"
)


def intrinsic_name(node: Any) -> str | None:
    """The function name of a one-key intrinsic map (``Ref``, ``Fn::Sub``, ``!Unknown``)."""
    if isinstance(node, dict) and len(node) == 1:
        k = next(iter(node))
        if isinstance(k, str) and (
            k == "Ref" or k == "Condition" or k.startswith("Fn::") or k.startswith("!")
        ):
            return str(k)
    return None


def _arg(node: dict) -> Any:
    return next(iter(node.values()))


# -- the shapes of intrinsic arguments -------------------------------------------------------------
def _what(node: Any, count: bool = False) -> str:
    """How a message names what was written instead: "a list", "a map", "Fn::Sub", ..."""
    if isinstance(node, list):
        if not count:
            return "a list"
        return "an empty list" if not node else f"a list of {len(node)} item{'s' if len(node) > 1 else ''}"
    name = intrinsic_name(node)
    if name is not None:
        return name
    if isinstance(node, dict):
        return "a map"
    if isinstance(node, str):
        return "an empty string" if not node else "a string"
    if isinstance(node, PScalar):
        if node.value is None:
            return "null"
        return "true or false" if isinstance(node.value, bool) else "a number"
    return "a value"


def _is_text(node: Any) -> bool:
    """A string or a number, as a name or a key may be written."""
    return isinstance(node, str) or (
        isinstance(node, PScalar) and node.value is not None and not isinstance(node.value, bool)
    )


def _is_string(node: Any) -> bool:
    """A string, or a YAML tag iamlint does not know (reported where it is read)."""
    return isinstance(node, str) or (intrinsic_name(node) or "").startswith("!")


def _is_value(node: Any) -> bool:
    """A literal scalar or an intrinsic function (that gives one)."""
    return _is_text(node) or intrinsic_name(node) is not None


def _is_list(node: Any) -> bool:
    """A list, or an intrinsic function (that may give one)."""
    return isinstance(node, list) or intrinsic_name(node) is not None


_TAKES = {
    "Ref": "a logical id or parameter name",
    "Fn::Sub": "a string, or a list of a string and a map of variables",
    "Fn::Join": "a list of a delimiter and a list of values",
    "Fn::Select": "a list of an index and a list of values",
    "Fn::FindInMap": "a list of a map name, a top-level key and a second-level key",
    "Fn::GetAtt": "a list of a logical id and an attribute name, or LogicalId.Attribute",
    "Fn::Split": "a list of a delimiter and a string",
    "Fn::Base64": "a string",
    "Fn::ImportValue": "the name of an export",
    "Fn::GetAZs": "a region",
    "Fn::Cidr": "a list of an address block, a count and a number of mask bits",
    "Fn::ToJsonString": "a map or a list",
    "Fn::Length": "a list",
}


def shape_problem(name: str, arg: Any) -> str | None:
    """What is wrong with the argument of intrinsic function ``name``, or None.

    Only the shape is judged (a string where a string belongs, a list of the right length),
    not whether a name exists; an intrinsic function is accepted wherever one may give the
    value. Functions of the ``Conditions`` section and unknown ones are not judged.
    """
    takes = _TAKES.get(name)
    if name == "Fn::If":
        if not (isinstance(arg, list) and len(arg) == 3):
            return if_arity_message(arg)
        if not _is_string(arg[0]):
            return f"Fn::If's condition must be a condition name, not {_what(arg[0])}"
        return None
    if takes is None or (intrinsic_name(arg) or "").startswith("!"):
        return None  # not judged, or an unknown YAML tag (already reported)
    wrong = f"{name} takes {takes}, not {{}}"
    if name == "Ref":
        return None if isinstance(arg, str) and arg else wrong.format(_what(arg))
    if name in ("Fn::Base64", "Fn::ImportValue", "Fn::GetAZs"):
        ok = _is_value(arg) or (name == "Fn::GetAZs" and isinstance(arg, PScalar) and arg.value is None)
        return None if ok else wrong.format(_what(arg))
    if name == "Fn::ToJsonString":
        return None if isinstance(arg, (dict, list)) else wrong.format(_what(arg))
    if name == "Fn::Length":
        return None if _is_list(arg) else wrong.format(_what(arg))
    if name == "Fn::Sub":
        if isinstance(arg, str):
            return None
        if not isinstance(arg, list) or not 1 <= len(arg) <= 2:
            return wrong.format(_what(arg, count=True))
        if not _is_string(arg[0]):
            return f"Fn::Sub's first item must be the string to substitute, not {_what(arg[0])}"
        if len(arg) == 2 and not isinstance(arg[1], dict):
            return f"Fn::Sub's variables must be a map, not {_what(arg[1])}"
        return None
    if name == "Fn::GetAtt":
        if isinstance(arg, str) or (isinstance(arg, list) and len(arg) == 1 and isinstance(arg[0], str)):
            text = str(arg if isinstance(arg, str) else arg[0])
            if "." in text.strip("."):
                return None
            return f"Fn::GetAtt {text!r} names no attribute: write LogicalId.Attribute, such as {text}.Arn"
        if not (isinstance(arg, list) and len(arg) == 2):
            return wrong.format(_what(arg, count=True))
        if not _is_value(arg[0]):  # a Fn::Sub of a Fn::ForEach loop's name, too
            return f"Fn::GetAtt's logical id must be a string, not {_what(arg[0])}"
        if not _is_value(arg[1]):
            return f"Fn::GetAtt's attribute name must be a string, not {_what(arg[1])}"
        return None
    size = 3 if name in ("Fn::FindInMap", "Fn::Cidr") else 2
    if not (isinstance(arg, list) and (len(arg) == size or (name == "Fn::FindInMap" and len(arg) == 4))):
        return wrong.format(_what(arg, count=True))
    if name == "Fn::Join":
        if not _is_string(arg[0]):
            return f"Fn::Join's delimiter must be a string, not {_what(arg[0])}"
        if not _is_list(arg[1]):
            return f"Fn::Join's values must be a list, not {_what(arg[1])}"
    elif name == "Fn::Split":
        if not _is_string(arg[0]):
            return f"Fn::Split's delimiter must be a string, not {_what(arg[0])}"
        if not _is_value(arg[1]):
            return f"Fn::Split's string must be a string, not {_what(arg[1])}"
    elif name == "Fn::Select":
        index = _literal(arg[0])
        if intrinsic_name(arg[0]) is None and (index is None or not index.strip().isdecimal()):
            shown = repr(index) if isinstance(arg[0], str) else index or _what(arg[0])
            return f"Fn::Select's index must be a number from 0, not {shown}"
        if not _is_list(arg[1]):
            return f"Fn::Select's values must be a list, not {_what(arg[1])}"
        digits = (index or "").strip().lstrip("0") or "0"
        if index is not None and isinstance(arg[1], list) and (len(digits) > 9 or int(digits) >= len(arg[1])):
            n = len(arg[1])
            shown = digits if len(digits) <= 20 else f"{digits[:8]}...({len(digits):,} digits)"
            return f"Fn::Select's index {shown} is out of range: the list has {n} item{'s' if n != 1 else ''}"
    elif name == "Fn::FindInMap":
        for item, role in zip(arg, ("map name", "top-level key", "second-level key"), strict=False):
            if not _is_value(item):
                return f"Fn::FindInMap's {role} must be a string, not {_what(item)}"
        if len(arg) == 4 and not (isinstance(arg[3], dict) and intrinsic_name(arg[3]) is None):
            return f"Fn::FindInMap's fourth item must be a map {{DefaultValue: ...}}, not {_what(arg[3])}"
    elif name == "Fn::Cidr":
        if not all(_is_value(item) for item in arg):
            bad = next(item for item in arg if not _is_value(item))
            return f"Fn::Cidr's items must be strings or numbers, not {_what(bad)}"
    return None


def _literal(node: Any) -> str | None:
    """The text of a literal scalar (a string or a number), else None."""
    if isinstance(node, str):
        return str(node)
    if isinstance(node, PScalar) and node.value is not None:
        return node.text
    return None


class Template:
    """One template's sections, its diagnostics, and positions of its file."""

    def __init__(self, path: str, text: str, root: Any):
        self.path = path
        self.text = text
        root = root if isinstance(root, dict) else {}
        self.parameters = _dict(root.get("Parameters"))
        self.mappings = _dict(root.get("Mappings"))
        self.resources = _dict(root.get("Resources"))
        self.diagnostics: list[Finding] = []
        self._reported: set[tuple[int, int, str]] = set()
        self._lines: LineIndex | None = None
        self._allowed: dict[str, list | None] = {}

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def span(self, node: Any, default: Span | None = None) -> Span:
        p = getattr(node, "pos", None)
        if p is None or p[0] == 0:
            return default or Span(self.path, 1, 1, 1, 2)
        return Span(self.path, p[0], p[1], p[2], p[3])

    def error(self, message: str, line: int, column: int) -> None:
        """An IAM900 diagnostic, once per place and message."""
        key = (line, column, message)
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.append(parse_error(self.path, message, line, column))

    def error_at(self, message: str, node: Any) -> None:
        p = getattr(node, "pos", None) or (1, 1, 1, 1)
        self.error(message, p[0], p[1])

    def parameter(self, name: Any) -> dict | None:
        if isinstance(name, str) and name in self.parameters:
            p = self.parameters[name]
            return p if isinstance(p, dict) else None
        return None

    def allowed_values(self, name: Any) -> list | None:
        """A parameter's literal ``AllowedValues`` (shared: do not change the list)."""
        if not isinstance(name, str):
            return None
        if name not in self._allowed:  # read once: a parameter may be named 10,000 times
            p = self.parameter(name)
            allowed = p.get("AllowedValues") if p else None
            if isinstance(allowed, list) and allowed and all(_literal(a) is not None for a in allowed):
                self._allowed[name] = list(allowed)
            else:
                self._allowed[name] = None
        return self._allowed[name]

    def arn_types(self, logical_id: Any, attribute: str) -> tuple[str, ...]:
        """The IAM resource types whose ARN ``Ref`` (``attribute`` "Ref") or ``Fn::GetAtt`` of a
        resource of the template gives (`types.ARN_ATTRIBUTES`); () when not an ARN or unknown."""
        from .types import ARN_ATTRIBUTES

        res = self.resources.get(logical_id) if isinstance(logical_id, str) else None
        rtype = res.get("Type") if isinstance(res, dict) else None
        if not isinstance(rtype, str):
            return ()
        return ARN_ATTRIBUTES.get(rtype, {}).get(attribute, ())

    def offsets(self, node: Any) -> tuple[int, int] | None:
        """File offsets (start, end) of a positioned node."""
        p = getattr(node, "pos", None)
        if p is None or p[0] == 0:
            return None
        lines = self.lines
        return lines.offset(p[0], p[1]), lines.offset(p[2], p[3])


def _dict(node: Any) -> dict:
    return node if isinstance(node, dict) and intrinsic_name(node) is None else {}


class _Shape(NamedTuple):
    """The shape of a value built of deployment inputs (see `iamlint.model.Unknown`)."""

    shape: str
    inputs: tuple[tuple[str, Input], ...]


class _Rest(IntrinsicDict):
    """In a list of alternatives, the place of those beyond `MAX_ALTERNATIVES`.

    A copy of the expression (so that it reads and renders as written) whose value is one
    `Unknown`.
    """

    unknown: Unknown


class Resolver:
    """The `DocumentBuilder` hooks for one template (see the module docstring)."""

    def __init__(self, template: Template):
        self.t = template
        self._scalars: dict[int, list[Value] | None] = {}
        self._variables: dict[tuple[int, str], list[str] | None] = {}
        self._maps: dict[tuple, list] = {}
        self._malformed: dict[int, bool] = {}
        self._keep: list[Any] = []  # nodes whose id() is cached stay alive

    # -- malformed intrinsics ------------------------------------------------------------------
    def malformed(self, node: Any) -> bool:
        """Whether an intrinsic's argument has the wrong shape (see `shape_problem`).

        The first look at an intrinsic judges it and every intrinsic written inside it (also
        those no value is resolved from, such as a ``Ref`` in a ``Fn::GetAtt``), and reports
        each one that is malformed as IAM900 at the function, once.
        """
        key = id(node)
        if key not in self._malformed:
            self._judge(node)
        return self._malformed.get(key, False)

    def _judge(self, root: Any) -> None:
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                name = intrinsic_name(node)
                if name is not None and not isinstance(node, _Rest):
                    if id(node) in self._malformed:
                        continue  # judged with what it holds
                    self._keep.append(node)
                    problem = shape_problem(name, _arg(node))
                    self._malformed[id(node)] = problem is not None
                    if problem is not None:
                        self.t.error_at(problem, node)
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)

    # -- the cap -------------------------------------------------------------------------------
    def beyond(self, node: Any) -> Unknown:
        """The `Unknown` that stands for the values of ``node`` beyond `MAX_ALTERNATIVES`."""
        text = self.render(node) if intrinsic_name(node) else source_text(node)
        return Unknown(text, self.t.span(node), _BEYOND)

    def _capped_nodes(self, nodes: list, node: Any) -> list:
        if len(nodes) <= MAX_ALTERNATIVES:
            return nodes
        rest = _Rest(getattr(node, "pos", (0, 0, 0, 0)))
        rest.update(node if isinstance(node, dict) else {})
        rest.short = isinstance(node, IntrinsicDict) and node.short
        rest.unknown = self.beyond(node)
        return nodes[:MAX_ALTERNATIVES] + [rest]

    def _capped(self, values: list[Value], node: Any, more: bool = False) -> list[Value]:
        if len(values) > MAX_ALTERNATIVES:
            values, more = values[:MAX_ALTERNATIVES], True
        return values + [self.beyond(node)] if more else values

    # -- hooks ---------------------------------------------------------------------------------
    def alternatives(self, node: Any) -> list:
        name = intrinsic_name(node)
        if name is None or isinstance(node, _Rest) or self.malformed(node):
            return [node]  # a malformed intrinsic is an Unknown (see scalar)
        arg = _arg(node)
        if name == "Fn::If":
            out = self.alternatives(arg[1])
            if len(out) <= MAX_ALTERNATIVES:  # no more building once there are enough
                out = out + self.alternatives(arg[2])
            return self._capped_nodes(out, node)
        if name == "Ref":
            if arg == "AWS::NoValue":
                return []
            allowed = self.t.allowed_values(arg)
            if allowed is not None:
                return self._capped_nodes(allowed, node)
        elif name == "Fn::FindInMap":
            found = self.find_in_map(arg)
            if found is not None:
                out = []
                for f in found:
                    out.extend(self.alternatives(f))
                    if len(out) > MAX_ALTERNATIVES:
                        break
                return self._capped_nodes(out, node)
        elif name == "Fn::Select":
            picked = self.select(arg)
            if picked is not None:
                return self.alternatives(picked)
        return [node]

    def scalar(self, node: Any) -> list[Value] | None:
        name = intrinsic_name(node)
        if name is None:
            return None
        if isinstance(node, _Rest):
            return [node.unknown]
        key = id(node)
        if key in self._scalars:
            return self._scalars[key]
        self._keep.append(node)
        self._scalars[key] = None  # a cycle resolves to the builder's default
        got = self._intrinsic(node, name)
        self._scalars[key] = got
        return got

    # -- values ----------------------------------------------------------------------------------
    def values(self, node: Any) -> list[Value]:
        """Every value a node may take, flattened (lists included)."""
        out: list[Value] = []
        for alt in self.alternatives(node):
            if isinstance(alt, list):
                for item in alt:
                    out.extend(self.values(item))
            else:
                out.extend(self.leaf(alt))
            if len(out) > MAX_ALTERNATIVES:
                break
        return self._capped(out, node)

    def leaf(self, node: Any) -> list[Value]:
        got = self.scalar(node)
        if got is not None:
            return got
        span = self.t.span(node)
        lit = _literal(node)
        if lit is not None:
            if isinstance(node, PScalar) and isinstance(node.value, bool):
                lit = "true" if node.value else "false"
            return [Str(lit, span)]
        return [Unknown(source_text(node), span)]

    def _intrinsic(self, node: dict, name: str) -> list[Value]:
        arg = _arg(node)
        span = self.t.span(node)
        if self.malformed(node) or (intrinsic_name(arg) or "").startswith("!"):
            # malformed, or its argument is the value of an unknown tag (reported, IAM907),
            # whose shape `shape_problem` does not judge: unknown
            return [Unknown(self.render(node), span)]
        if name == "Ref":
            if arg == "AWS::NoValue":
                return []
            if arg in PSEUDO_PARAMETERS:
                return [Str(f"${{{arg}}}", span)]
            allowed = self.t.allowed_values(arg)
            if allowed is not None:
                return self._capped([v for a in allowed[: MAX_ALTERNATIVES + 1] for v in self.leaf(a)], node)
            given = self.parameter_input(arg)
            if given is not None:
                spelled = f"${{{arg}}}"
                return [Unknown(self.render(node), span, self.note(arg), spelled, ((spelled, given),))]
            return [
                Unknown(
                    self.render(node),
                    span,
                    self.note(arg),
                    arn_types=self.t.arn_types(arg, "Ref"),
                    refers_to=(str(arg), "Ref") if isinstance(arg, str) and arg in self.t.resources else None,
                )
            ]
        if name == "Fn::Sub":
            return self.sub(node)
        if name == "Fn::Join":
            return self.join(node)
        if name == "Fn::ImportValue":
            export = arg if isinstance(arg, str) else self.render(arg) if intrinsic_name(arg) else None
            if export is not None:
                spelled = f"${{Fn::ImportValue {export}}}"
                return [
                    Unknown(self.render(node), span, "", spelled, ((spelled, Input("import", str(export))),))
                ]
        if name == "Fn::Split":
            # a list input split into its items: each item comes from the input
            shaped = self._shaped(self.values(arg[1]))
            if shaped is not None:
                inputs = tuple((s, replace(i, many=True)) for s, i in shaped.inputs)
                return [Unknown(self.render(node), span, "", shaped.shape, inputs)]
        if name in ("Fn::If", "Fn::FindInMap", "Fn::Select"):
            alts = self.alternatives(node)
            if not (len(alts) == 1 and alts[0] is node):
                out: list[Value] = []
                for a in alts:
                    out.extend(self.values(a) if not isinstance(a, dict) else self.leaf(a))
                    if len(out) > MAX_ALTERNATIVES:
                        break
                return self._capped(out, node)
            if name == "Fn::Select":  # one item of a list input
                shaped = self._shaped(self.values(arg[1]))
                if shaped is not None:
                    inputs = tuple((s, replace(i, many=False)) for s, i in shaped.inputs)
                    return [Unknown(self.render(node), span, "", shaped.shape, inputs)]
        if name == "Fn::GetAtt":
            target = self._getatt_target(arg)
            if target is None:
                return [Unknown(self.render(node), span)]
            return [Unknown(self.render(node), span, arn_types=self.t.arn_types(*target), refers_to=target)]
        return [Unknown(self.render(node), span)]

    def _getatt_target(self, arg: Any) -> tuple[str, str] | None:
        """``(LogicalId, Attribute)`` of ``Fn::GetAtt``'s ``[LogicalId, Attribute]`` or
        ``"LogicalId.Attribute"`` when LogicalId is a resource of the template, else None."""
        if isinstance(arg, list) and len(arg) == 1:
            arg = arg[0]
        if isinstance(arg, str):
            logical_id, _, attribute = str(arg).partition(".")
        elif isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            logical_id, attribute = str(arg[0]), str(arg[1])
        else:
            return None
        if logical_id not in self.t.resources:
            return None
        return logical_id, attribute

    # -- deployment inputs ------------------------------------------------------------------------
    def parameter_input(self, name: Any) -> Input | None:
        """A parameter of the template as an `Input` (a list for the list types), or None."""
        p = self.t.parameter(name)
        if p is None:
            return None
        ptype = p.get("Type")
        many = isinstance(ptype, str) and ("List" in ptype)
        return Input("parameter", str(name), many)

    @staticmethod
    def _shaped(values: list[Value]) -> Unknown | None:
        """The one value of ``values`` when it is built of deployment inputs, else None."""
        if len(values) == 1 and isinstance(values[0], Unknown) and values[0].inputs:
            return values[0]
        return None

    def note(self, name: Any) -> str:
        p = self.t.parameter(name)
        if p is not None and "Default" in p:
            return f"Default: {source_text(p['Default'])}"
        return ""

    def render(self, node: dict) -> str:
        """Readable source text of an intrinsic: ``!Ref Bucket``, ``Fn::GetAtt Role.Arn``."""
        name = intrinsic_name(node) or ""
        arg = _arg(node)
        short = isinstance(node, IntrinsicDict) and node.short
        if name.startswith("!"):
            label = name
        elif short:
            label = "!" + (name[4:] if name.startswith("Fn::") else name)
        else:
            label = name
        if name == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            body = ".".join(arg)
        elif name == "Fn::Sub" and isinstance(arg, list) and arg and isinstance(arg[0], str):
            body = str(arg[0])
        elif isinstance(arg, str):
            body = str(arg)
        else:
            body = source_text(arg)
        text = " ".join(f"{label} {body}".split())
        return text if len(text) <= 160 else text[:157] + "..."

    # -- Fn::Sub, Fn::Join --------------------------------------------------------------------
    def sub(self, node: dict) -> list[Value]:
        arg = _arg(node)
        variables = None
        if isinstance(arg, str):
            template = arg
        elif (
            isinstance(arg, list)
            and 1 <= len(arg) <= 2
            and isinstance(arg[0], str)
            and (len(arg) == 1 or isinstance(arg[1], dict))
        ):
            template = arg[0]
            variables = arg[1] if len(arg) == 2 else None
        else:
            return [Unknown(self.render(node), self.t.span(node))]
        span = self.t.span(template, self.t.span(node))
        got = self.substitute(str(template), variables)
        if got is None:
            role = self._sub_role(str(template), variables)
            if role is not None:
                return [Unknown(self.render(node), span, arn_types=("iam:role",), refers_to=(role, "Arn"))]
            inputs: list[tuple[str, Input]] = []
            return self._shapes(node, span, self.substitute(str(template), variables, inputs), inputs)
        strings, more = got
        return self._capped([Str(s, span) for s in strings], node, more)

    def _sub_role(self, template: str, variables: dict | None) -> str | None:
        """The logical id of the ``AWS::IAM::Role`` whose ARN a ``Fn::Sub`` template is
        (``arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AdminRole}``: its ``Ref`` is
        its name, and its ARN holds its ``Path``, so only a role without one, or with
        ``/``), else None."""
        m = _SUB_ROLE_ARN.fullmatch(template)
        if m is None or (variables is not None and m.group(1) in variables):
            return None
        res = self.t.resources.get(m.group(1))
        if not isinstance(res, dict) or res.get("Type") != "AWS::IAM::Role":
            return None
        props = res.get("Properties")
        path = props.get("Path", "/") if isinstance(props, dict) else "/"
        return m.group(1) if path == "/" else None

    def _shapes(
        self, node: Any, span: Span, got: tuple[list[str], bool] | None, inputs: list[tuple[str, Input]]
    ) -> list[Value]:
        """The `Unknown` values of an expression whose unknown parts are all deployment inputs
        (``got``: their shapes, from `substitute` or `join` given ``inputs``), or one plain
        `Unknown` when some part is not."""
        if got is None or not inputs:
            return [Unknown(self.render(node), span)]
        shapes, more = got
        found = tuple(dict.fromkeys(inputs))
        unknowns: list[Value] = [Unknown(self.render(node), span, "", s, found) for s in shapes]
        return self._capped(unknowns, node, more)

    def substitute(
        self, template: str, variables: dict | None, inputs: list[tuple[str, Input]] | None = None
    ) -> tuple[list[str], bool] | None:
        """The strings a ``Fn::Sub`` template may give (at most `MAX_ALTERNATIVES`) and whether
        it may give more, or None when a part is unresolved.

        Given an ``inputs`` list, a part that is a deployment input (a parameter without
        ``AllowedValues``, a variable given by an import) is kept in its spelling and the
        input added to the list: the strings are then the value's shapes (see
        `iamlint.model.Unknown`)."""
        parts: list[list[str]] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            parts.append([template[pos : m.start()]])
            name = m.group(1)
            if name.startswith("!"):
                parts.append(["${" + name[1:] + "}"])
            else:
                got = self._sub_variable(name.strip(), variables)
                if got is None and inputs is not None:
                    shaped = self._sub_input(name.strip(), variables)
                    if shaped is not None:
                        inputs.extend(shaped.inputs)
                        got = [shaped.shape]
                if got is None:
                    return None
                parts.append(got)
            pos = m.end()
        parts.append([template[pos:]])
        return _product(parts, "")

    def _sub_input(self, name: str, variables: dict | None) -> Unknown | _Shape | None:
        """``${name}`` of a ``Fn::Sub`` as a value built of deployment inputs, or None."""
        if variables is not None and name in variables:
            return self._shaped(self.values(variables[name]))
        given = self.parameter_input(name)
        if given is None:
            return None
        spelled = f"${{{name}}}"
        return _Shape(spelled, ((spelled, given),))

    def _sub_variable(self, name: str, variables: dict | None) -> list[str] | None:
        """The strings ``${name}`` may stand for (shared: do not change the list), or None."""
        key = (id(variables), name)
        if key not in self._variables:  # a template may name it 10,000 times
            if variables is not None:
                self._keep.append(variables)
            self._variables[key] = self._sub_variable_values(name, variables)
        return self._variables[key]

    def _sub_variable_values(self, name: str, variables: dict | None) -> list[str] | None:
        if variables is not None and name in variables:
            vals = self.values(variables[name])
            if not vals or not all(isinstance(v, Str) for v in vals):
                return None
            return [v.value for v in vals if isinstance(v, Str)]
        if name in PSEUDO_PARAMETERS:
            return [f"${{{name}}}"]
        allowed = self.t.allowed_values(name)
        if allowed is not None:
            return [_literal(a) or "" for a in allowed]
        return None

    def join(self, node: dict) -> list[Value]:
        arg = _arg(node)
        span = self.t.span(node)
        unknown: list[Value] = [Unknown(self.render(node), span)]
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)):
            return unknown
        delimiter = str(arg[0])
        out: list[str] = []
        more = False
        inputs: list[tuple[str, Input]] = []
        for items in self.alternatives(arg[1]):
            if not isinstance(items, list):
                # a list input joined: its items, one string (the shape of the input)
                shaped = self._shaped(self.values(items))
                if shaped is None:
                    return unknown
                inputs.extend(shaped.inputs)
                out.append(shaped.shape)
                continue
            parts: list[list[str]] = []
            for item in items:
                vals = self.values(item)
                if not all(isinstance(v, Str) for v in vals):
                    shaped = self._shaped(vals)
                    if shaped is None:
                        return unknown
                    inputs.extend(shaped.inputs)
                    parts.append([shaped.shape])
                elif vals:
                    parts.append([v.value for v in vals if isinstance(v, Str)])
            strings, extra = _product(parts, delimiter)
            out.extend(strings)
            if extra or len(out) > MAX_ALTERNATIVES:
                more = True
                break
        if inputs:
            return self._shapes(
                node, span, (out[:MAX_ALTERNATIVES], more or len(out) > MAX_ALTERNATIVES), inputs
            )
        return self._capped([Str(s, span) for s in out], node, more)

    # -- Fn::FindInMap, Fn::Select ------------------------------------------------------------
    def find_in_map(self, arg: Any) -> list | None:
        """The values ``Fn::FindInMap`` may give over a literal table (one more than
        `MAX_ALTERNATIVES` at most), or None."""
        if not (isinstance(arg, list) and len(arg) in (3, 4)):
            return None
        table = self.t.mappings.get(arg[0]) if isinstance(arg[0], str) else None
        if not isinstance(table, dict):
            return None
        firsts, seconds = self._keys(arg[1]), self._keys(arg[2])
        # The same lookup written many times reads the table once.
        memo = (str(arg[0]), firsts, seconds)
        if memo not in self._maps:
            found: list = []
            for second in self._lookup(table, firsts):
                if isinstance(second, dict):
                    found.extend(self._lookup(second, seconds))
                    found = _unique(found)
                    if len(found) > MAX_ALTERNATIVES:
                        break
            self._maps[memo] = found
        found = self._maps[memo]
        if not found and len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            found = [arg[3]["DefaultValue"]]
        return found or None

    def _keys(self, key: Any) -> tuple[str | None, ...]:
        """The literal keys a lookup key may be (None: any key)."""
        return tuple(_literal(alt) for alt in self.alternatives(key))

    @staticmethod
    def _lookup(table: dict, keys: tuple[str | None, ...]) -> list:
        out: list = []
        for lit in keys:
            if lit is None:
                out.extend(table.values())
            elif lit in table:
                out.append(table[lit])
        return out

    def select(self, arg: Any) -> Any | None:
        if not (isinstance(arg, list) and len(arg) == 2):
            return None
        index = _literal(arg[0])
        alts = self.alternatives(arg[1])
        if index is None or not index.strip().isdecimal() or len(alts) != 1 or not isinstance(alts[0], list):
            return None
        items = alts[0]
        digits = index.lstrip("0") or "0"
        if len(digits) > 9:  # beyond any list, and perhaps beyond the digits int() reads
            return None
        i = int(digits)
        return items[i] if i < len(items) else None

    # -- policy documents -----------------------------------------------------------------------
    def documents(self, node: Any) -> list[dict]:
        """The concrete policy maps a property may hold (see the module docstring)."""
        out: list[dict] = []
        for alt in self.alternatives(node):
            name = intrinsic_name(alt)
            if name is not None and self.malformed(alt):
                continue  # reported; no document
            if name is None:
                if isinstance(alt, dict):
                    out.append(alt)
                elif isinstance(alt, str):
                    doc = self.parse_string(alt, None, None)
                    if doc is not None:
                        out.append(doc)
            elif name == "Fn::Sub":
                doc = self._sub_document(alt)
                if doc is not None:
                    out.append(doc)
            elif name == "Fn::Join":
                doc = self._join_document(alt)
                if doc is not None:
                    out.append(doc)
            elif name == "Fn::ToJsonString":
                out.extend(self.documents(_arg(alt)))
        return out

    def embedded(self, s: str) -> Embedded | None:
        """Where each character of a string value stands in the file."""
        where = self.t.offsets(s)
        if where is None:
            return None
        style = s.style if isinstance(s, YStr) else '"'
        return embed(self.t.text, where[0], where[1], str(s), style)

    def parse_string(self, s: str, variables: dict | None, sub: IntrinsicDict | None) -> dict | None:
        emb = self.embedded(s)
        if emb is None:
            return None
        return self.parse_embedded(emb, variables, sub)

    def parse_embedded(self, emb: Embedded, variables: dict | None, sub: IntrinsicDict | None) -> dict | None:
        """Parse a JSON policy string; with ``sub``, its strings are ``Fn::Sub`` templates."""
        text = emb.value
        stripped = text.strip()
        if stripped.startswith("{{resolve:") or not stripped:
            return None  # a dynamic reference or nothing: unknown, not malformed
        mapper = emb.mapper(self.t.lines)
        recovered: list[PositionedError] = []
        try:
            root = parse_json(text, mapper=mapper, recovered=recovered)
        except PositionedError as e:
            self.t.error(f"policy document is not valid JSON: {e.message}", e.line, e.column)
            return None
        for r in recovered:  # a trailing comma: reported, and the document still linted
            self.t.error(f"policy document is not valid JSON: {r.message}", r.line, r.column)
        if not isinstance(root, dict):
            line, col = mapper(1, 1)
            self.t.error("a policy document must be a JSON object", line, col)
            return None
        if sub is not None:
            root = self._wrap_sub(root, variables, getattr(sub, "short", False))
        return root

    def _sub_document(self, node: IntrinsicDict) -> dict | None:
        arg = _arg(node)
        if isinstance(arg, str):
            return self.parse_string(arg, None, node)
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            return self.parse_string(arg[0], arg[1], node)
        return None

    def _join_document(self, node: dict) -> dict | None:
        """A ``Fn::Join`` of JSON text pieces, read as the equivalent ``Fn::Sub``."""
        arg = _arg(node)
        if not (
            isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list)
        ):
            return None
        delimiter = self.embedded(arg[0]) if arg[0] else None
        pieces: list[Embedded] = []
        variables = PDict(getattr(node, "pos", (0, 0, 0, 0)))
        for i, item in enumerate(arg[1]):
            if i and delimiter is not None:
                pieces.append(_escape_sub(delimiter))
            where = self.t.offsets(item)
            start = where[0] if where else 0
            if isinstance(item, str):
                emb = self.embedded(item)
                pieces.append(_escape_sub(emb) if emb else constant(str(item), start))
            elif isinstance(item, PScalar):
                pieces.append(constant(item.text, start))
            else:
                pieces.append(constant(self._placeholder(item, i, variables), start))
        if not pieces:
            return None
        total = pieces[0]
        for p in pieces[1:]:
            total = total + p
        fake = IntrinsicDict(getattr(node, "pos", (0, 0, 0, 0)))
        fake.short = isinstance(node, IntrinsicDict) and node.short
        return self.parse_embedded(total, variables or None, fake)

    @staticmethod
    def _placeholder(item: Any, index: int, variables: PDict) -> str:
        name = intrinsic_name(item)
        arg = _arg(item) if name else None
        if name == "Ref" and isinstance(arg, str):
            return "" if arg == "AWS::NoValue" else f"${{{arg}}}"
        if name == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return "${{{}}}".format(".".join(arg))
        var = f"Join{index}"
        variables[PStr(var, getattr(item, "pos", (0, 0, 0, 0)))] = item
        return f"${{{var}}}"

    def _wrap_sub(self, node: Any, variables: dict | None, short: bool) -> Any:
        """Make every string of a parsed ``Fn::Sub`` template a ``Fn::Sub`` of its own."""
        if isinstance(node, PDict):
            out = PDict(node.pos)
            out.dups = node.dups
            for k, v in node.items():
                key = k
                if "${" in k:
                    got = self.substitute(str(k), variables)
                    if got is not None and len(got[0]) == 1 and not got[1]:
                        key = PStr(got[0][0], k.pos)
                out[key] = self._wrap_sub(v, variables, short)
            return out
        if isinstance(node, PList):
            lst = PList(node.pos)
            lst.extend(self._wrap_sub(v, variables, short) for v in node)
            return lst
        if isinstance(node, PStr) and "${" in node:
            sub = IntrinsicDict(node.pos)
            sub.short = short
            arg: Any = node
            if variables is not None:
                arg = PList(node.pos)
                arg.extend([node, variables])
            sub[PStr("Fn::Sub", node.pos)] = arg
            return sub
        return node


def _escape_sub(emb: Embedded) -> Embedded:
    """Literal text inside a ``Fn::Sub`` template: ``${`` becomes ``${!``."""
    if "${" not in emb.value:
        return emb
    value: list[str] = []
    offsets: list[int] = []
    v = emb.value
    for i, ch in enumerate(v):
        value.append(ch)
        offsets.append(emb.offsets[i])
        if ch == "{" and i and v[i - 1] == "$":
            value.append("!")
            offsets.append(emb.offsets[i])
    return Embedded("".join(value), tuple(offsets), emb.end)


def _product(parts: list[list[str]], delimiter: str) -> tuple[list[str], bool]:
    """The first `MAX_ALTERNATIVES` strings made of one choice of each part, joined in order
    by ``delimiter``, and whether there are more.

    Linear in the parts: runs of one-choice parts are joined once, the first combinations
    differ only in their last few parts (the ones before stay at their first choice and are
    joined once too), and nothing is built beyond MAX_ALTERNATIVES + 1. (Growing 64 strings
    part by part copied them once per part: quadratic.)
    """
    import itertools

    if not all(parts):
        return [], False
    limit = MAX_ALTERNATIVES + 1
    segments: list[list[str]] = []
    run: list[str] = []
    for choices in parts:
        if len(choices) == 1:
            run.append(choices[0])
            continue
        if run:
            segments.append([delimiter.join(run)])
            run = []
        segments.append(choices[:limit])
    if run:
        segments.append([delimiter.join(run)])
    count, fixed = 1, len(segments)
    while fixed and count < limit:
        fixed -= 1
        count *= len(segments[fixed])
    head = delimiter.join([s[0] for s in segments[:fixed]])
    sep = delimiter if fixed else ""
    combos = itertools.islice(itertools.product(*segments[fixed:]), limit)
    out = [head + sep + delimiter.join(c) for c in combos]
    return out[:MAX_ALTERNATIVES], len(out) > MAX_ALTERNATIVES


def _unique(nodes: list) -> list:
    seen: set[int] = set()
    out = []
    for n in nodes:
        if id(n) not in seen:
            seen.add(id(n))
            out.append(n)
    return out
