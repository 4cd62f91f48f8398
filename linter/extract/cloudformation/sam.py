"""SAM policy templates: ``Policies: [{S3ReadPolicy: {BucketName: reports}}]``, expanded as SAM does.

A SAM function or state machine may list, in ``Policies``, a *policy template*: a map of one
template name to its parameter values. At deploy, SAM's transform replaces it with the
statements of the template, each parameter's value put where the template refers to it
(aws-sam-translator, ``policy_template_processor``). iamlint ships those templates, built from
aws-sam-translator's ``policy_templates.json`` by ``scripts/build_sam_policy_templates.py``
into ``iamlint/data/sam_policy_templates.json.gz`` (see docs/sam-policy-templates.md).
Importing this module reads nothing; the data is read the first time a template needs it.

`expand` turns one template entry into a policy document of positioned nodes, ready for the
model builder: the template's statements, every ``Ref`` to a parameter replaced by the value
the user wrote, so that the template's own intrinsic functions (``Fn::Sub`` with ``${AWS::...}``
pseudo parameters and the parameter's value) are evaluated by the template's
`intrinsics.Resolver` as CloudFormation evaluates them: ``BucketName: "*"`` gives
``arn:${AWS::Partition}:s3:::*``, ``TableName: !Ref Orders`` an unresolved
``arn:...:table/${Orders}``. Positions say where each value comes from: a value built from a
parameter stands where that parameter's value is written; everything the template writes by
itself (its actions, ``"Resource": "*"``) stands on the template's name.

What SAM rejects at deploy is an IAM900 at the place to fix, and the entry is not expanded: an
unknown template (with the closest names), parameters that are not a map (``null``, a list, an
intrinsic function: SAM expands templates before CloudFormation evaluates intrinsics), a
missing parameter, a parameter without a value or with a list or map as its value. A parameter
the template does not take is a warning (IAM909): SAM ignores it, and the entry is expanded.
"""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ...diagnostics import IGNORED_PARAMETER, diagnostic, internal_error
from ...parse.cfn_yaml import IntrinsicDict
from ...parse.nodes import PDict, PList, PScalar, PStr
from ...positions import Pos
from .intrinsics import Resolver, Template, intrinsic_name

__all__ = ["DATA_FILE", "PolicyTemplate", "PolicyTemplates", "SamTemplatesError", "expand", "get", "load"]

DATA_FILE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "data",
    "sam_policy_templates.json.gz",
)
FORMAT = 1


class SamTemplatesError(Exception):
    """The data file is missing, unreadable or of another format."""


class PolicyTemplate(NamedTuple):
    name: str
    description: str
    parameters: tuple[str, ...]
    statements: list  # as AWS wrote them, intrinsic functions and all (plain JSON values)


class PolicyTemplates:
    """The templates of one data file, by name (SAM's names are case-sensitive)."""

    def __init__(self, content: dict[str, Any], path: str):
        self.source: dict[str, Any] = content["source"]
        self._templates: dict[str, dict[str, Any]] = content["templates"]
        self._path = path

    @property
    def version(self) -> str:
        """The aws-sam-translator version the templates come from."""
        return str(self.source.get("version", "unknown"))

    def __len__(self) -> int:
        return len(self._templates)

    def __contains__(self, name: object) -> bool:
        return name in self._templates

    def names(self) -> list[str]:
        return sorted(self._templates)

    def get(self, name: str) -> PolicyTemplate | None:
        t = self._templates.get(name)
        if t is None:
            return None
        try:
            return PolicyTemplate(name, str(t["description"]), tuple(t["parameters"]), list(t["statements"]))
        except (KeyError, TypeError) as e:
            raise SamTemplatesError(f"SAM policy template data {self._path} is corrupt at {name}: {e}") from e

    def suggest(self, name: str) -> list[str]:
        """Template names close to ``name``, best first, ignoring case."""
        import difflib

        lower = {n.lower(): n for n in self._templates}
        return [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)]

    def describe(self) -> str:
        """One line for ``iamlint --version``."""
        return f"SAM policy templates: {len(self)} from {self.source.get('name', '?')} {self.version}"


def load(path: str | os.PathLike[str] | None = None) -> PolicyTemplates:
    """Read a data file (default: the one shipped in the package). Prefer :func:`get`."""
    import gzip
    import json
    import zlib

    target = os.fspath(path) if path is not None else DATA_FILE
    try:
        with open(target, "rb") as f:
            content = json.loads(gzip.decompress(f.read()))
    except (OSError, EOFError, zlib.error, ValueError) as e:
        raise SamTemplatesError(f"cannot read the SAM policy templates {target}: {e}") from e
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        found = content.get("format") if isinstance(content, dict) else None
        raise SamTemplatesError(
            f"SAM policy template data {target} is of format {found!r}, expected {FORMAT}: reinstall iamlint"
        )
    if not isinstance(content.get("source"), dict) or not isinstance(content.get("templates"), dict):
        raise SamTemplatesError(f"SAM policy template data {target} is corrupt: no source or templates")
    return PolicyTemplates(content, target)


_shared: PolicyTemplates | None = None


def get() -> PolicyTemplates:
    """The shipped templates, read on first use and shared afterwards."""
    global _shared
    if _shared is None:
        _shared = load()
    return _shared


# -- expansion ------------------------------------------------------------------------------------
def expand(t: Template, r: Resolver, key: Any, body: Any) -> PDict | None:
    """The policy document SAM writes for ``{key: body}``, or None (problems reported on ``t``)."""
    name = str(key)
    try:
        templates = get()
        template = templates.get(name)
    except SamTemplatesError as e:
        t.diagnostics.append(internal_error(t.span(key), str(e)))
        return None
    if template is None:
        close = templates.suggest(name)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        t.error_at(
            f"unknown SAM policy template {name!r}{hint}: SAM rejects this Policies entry at deploy "
            f"(iamlint knows the {len(templates)} templates of aws-sam-translator {templates.version})",
            key,
        )
        return None
    params = _parameters(t, r, key, template, body)
    if params is None:
        return None
    return _document(template, getattr(key, "pos", (0, 0, 0, 0)), params)


def _null(node: Any) -> bool:
    return node is None or (isinstance(node, PScalar) and node.value is None)


def _describe(node: Any) -> str:
    if isinstance(node, list):
        return "a list"
    if isinstance(node, dict):
        return "a map"
    if _null(node):
        return "null"
    return repr(str(getattr(node, "text", node)))


def _parameters(t: Template, r: Resolver, key: Any, template: PolicyTemplate, body: Any) -> dict | None:
    """The user's value node of each parameter, checked as SAM and CloudFormation check them."""
    name = template.name
    takes = ", ".join(template.parameters)
    shape = "{" + ", ".join(f"{p}: ..." for p in template.parameters) + "}"
    if intrinsic_name(body) is not None:
        function = r.render(body).split(" ", 1)[0]  # !If, Fn::If
        if template.parameters:
            t.error_at(
                f"SAM policy template {name} needs a map of its parameters {shape}, not {function}: "
                "SAM expands policy templates before CloudFormation evaluates intrinsic functions",
                body,
            )
            return None
        t.diagnostics.append(
            diagnostic(
                IGNORED_PARAMETER,
                f"SAM ignores the {function} given as the parameters of policy template {name}, which "
                "takes none: the role gets the template whatever it evaluates to",
                t.span(body),
            )
        )
        return {}
    if not isinstance(body, dict):
        null = _null(body)
        wanted = f"a map of its parameters {shape}" if template.parameters else "{} (it takes no parameters)"
        t.error_at(
            f"SAM policy template {name} needs {wanted}, not {_describe(body)}: SAM rejects it at deploy",
            key if null or not getattr(body, "pos", (0,))[0] else body,
        )
        return None
    given = {str(k): k for k in body}
    missing = [p for p in template.parameters if p not in given]
    extra = [k for k in given if k not in template.parameters]
    if missing:
        import difflib

        near = [
            k for k in extra if difflib.get_close_matches(k.lower(), [m.lower() for m in missing], 1, 0.6)
        ]
        hint = f" (is {near[0]!r} a misspelling?)" if near else ""
        t.error_at(
            f"SAM policy template {name} needs parameter{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}{hint}: SAM rejects it at deploy",
            key,
        )
        return None
    for k in extra:
        t.diagnostics.append(
            diagnostic(
                IGNORED_PARAMETER,
                f"SAM ignores parameter {k!r} of policy template {name}, which takes "
                + (takes if takes else "no parameters"),
                t.span(given[k]),
            )
        )
    values: dict[str, Any] = {}
    ok = True
    for p in template.parameters:
        v = body[given[p]]
        if intrinsic_name(v) is None and (isinstance(v, (list, dict)) or _null(v)):
            where = given[p] if _null(v) or not getattr(v, "pos", (0,))[0] else v
            t.error_at(
                f"parameter {p} of SAM policy template {name} must be a string "
                f"(or an intrinsic function that gives one), not {_describe(v)}: SAM writes it into "
                "a Fn::Sub, which CloudFormation rejects",
                where,
            )
            ok = False
        values[p] = v
    return values if ok else None


def _document(template: PolicyTemplate, at: Pos, params: dict[str, Any]) -> PDict:
    """``{"Statement": [...]}`` of positioned nodes: the template's nodes stand at ``at``."""
    doc = PDict(at)
    body = PList(at)
    body.extend(_node(s, at, params) for s in template.statements)
    doc[PStr("Statement", at)] = body
    return doc


def _node(value: Any, at: Pos, params: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((k, v),) = value.items()
            if k == "Ref" and isinstance(v, str) and v in params:
                return params[v]
            if k == "Fn::Sub" and isinstance(v, list) and len(v) == 2 and isinstance(v[1], dict):
                return _sub(v[0], v[1], at, params)
        out = PDict(at)
        for k, v in value.items():
            out[PStr(k, at)] = _node(v, at, params)
        return out
    if isinstance(value, list):
        lst = PList(at)
        lst.extend(_node(v, at, params) for v in value)
        return lst
    if isinstance(value, str):
        return PStr(value, at)
    return PScalar(value, at, "null" if value is None else str(value).lower())


def _sub(template: Any, variables: dict, at: Pos, params: dict[str, Any]) -> IntrinsicDict:
    """A ``Fn::Sub`` of the template with variables; it stands where the first parameter it
    uses is written. A variable whose value is a ``Ref`` or ``Fn::GetAtt`` (or a plain
    ``Fn::Sub`` string) is written into the string as CloudFormation allows (``${Orders}``,
    ``${Role.Arn}``), so that an unresolved value reads as the ARN the template builds."""
    pos = at
    short = False  # written !Sub when the parameter's value is written with a short tag
    for v in variables.values():
        if isinstance(v, dict) and len(v) == 1 and v.get("Ref") in params:
            node = params[v["Ref"]]
            if getattr(node, "pos", (0,))[0]:
                pos = node.pos
                short = isinstance(node, IntrinsicDict) and node.short
                break
    text = str(template)
    kept = PDict(pos)
    for var, v in variables.items():
        value = _node(v, at, params)
        inline = _inline(value)
        if inline is not None and "${" + var + "}" in text:
            text = text.replace("${" + var + "}", inline)
        else:
            kept[PStr(var, pos)] = value
    sub = IntrinsicDict(pos)
    sub.short = short
    arg: Any = PStr(text, pos)
    if kept:
        arg = PList(pos)
        arg.extend([PStr(text, pos), kept])
    sub[PStr("Fn::Sub", pos)] = arg
    return sub


def _inline(node: Any) -> str | None:
    """How a variable's value reads inside a ``Fn::Sub`` string, if it can."""
    name = intrinsic_name(node)
    arg = next(iter(node.values())) if name else None
    if name == "Ref" and isinstance(arg, str) and arg != "AWS::NoValue":
        return "${" + arg + "}"
    if name == "Fn::GetAtt":
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            return "${" + ".".join(arg) + "}"
        if isinstance(arg, str) and "." in arg:
            return "${" + arg + "}"
    if name == "Fn::Sub" and isinstance(arg, str):
        return str(arg)
    return None
