"""Permissions that AWS writes into a resource policy: ``aws_lambda_permission`` and
``aws_lambda_layer_version_permission``.

Neither resource holds a policy document, yet each adds one statement to the resource-based
policy of a function (``AddPermission``) or a layer version (``AddLayerVersionPermission``),
as AWS documents for those APIs: ``Principal`` is the service (``s3.amazonaws.com``), the
account or ``"*"``; ``Action`` the action; ``Resource`` the function (with its qualifier) or
the layer version; and the optional arguments become conditions:

====================================  =============================================
argument                              condition
====================================  =============================================
``source_arn``                        ``ArnLike`` ``AWS:SourceArn``
``source_account``                    ``StringEquals`` ``AWS:SourceAccount``
``principal_org_id``                  ``StringEquals`` ``aws:PrincipalOrgID``
``organization_id`` (layers)          ``StringEquals`` ``aws:PrincipalOrgID``
``function_url_auth_type``            ``StringEquals`` ``lambda:FunctionUrlAuthType``
``event_source_token``                ``StringEquals`` ``lambda:EventSourceToken``
``invoked_via_function_url = true``   ``Bool`` ``lambda:InvokedViaFunctionUrl``
====================================  =============================================

`statement` builds that statement as a one-statement resource policy whose elements stand
where their arguments are written, so that a finding points at the argument that carries the
problem (a public ``principal``, a wildcard ``action``). The HCL and the plan extractors
both use it, each with its own way of reading an argument (`Get`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...parse.nodes import PScalar
from ...positions import Pos
from .text import Node, TDict, TList, TStr, UnknownNode

#: an argument's value and where its name is written; None when it is not set
Get = Callable[[str], "tuple[Node, Pos] | None"]

#: argument -> (condition operator, condition key)
CONDITIONS = (
    ("source_arn", "ArnLike", "AWS:SourceArn"),
    ("source_account", "StringEquals", "AWS:SourceAccount"),
    ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
    ("organization_id", "StringEquals", "aws:PrincipalOrgID"),
    ("function_url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
)

_ACCOUNT = re.compile(r"^(\d{12}|arn:[^:]*:(iam|sts)::.*)$")


def _literal(node: Node) -> str | None:
    if isinstance(node, str) and not isinstance(node, UnknownNode):
        return str(node)
    return None


def principal(value: Node, key_pos: Pos, file: str) -> Node:
    """The ``Principal`` AWS writes for a permission's ``principal``: ``"*"``, a service
    (``{"Service": ...}``) or an account (``{"AWS": ...}``); unknown stays unknown."""
    text = _literal(value)
    if text is None:
        return value
    if text == "*":
        return value
    pos = getattr(value, "pos", key_pos)
    kind = "AWS" if _ACCOUNT.match(text) or "." not in text else "Service"
    out = TDict(pos, file)
    out[TStr(kind, pos, file)] = value
    return out


def statement(type_: str, get: Get, pos: Pos, file: str) -> TDict | None:
    """The resource policy with the one statement a permission adds (None without a
    ``principal`` or an ``action``, which Terraform requires)."""
    got_principal, got_action = get("principal"), get("action")
    if got_principal is None or got_action is None:
        return None
    st = TDict(pos, file)
    value, key_pos = got_principal
    st[TStr("Effect", pos, file)] = TStr("Allow", pos, file)
    st[TStr("Principal", key_pos, file)] = principal(value, key_pos, file)
    action, action_pos = got_action
    st[TStr("Action", action_pos, file)] = action
    resource = _resource(type_, get, pos, file)
    if resource is not None:
        st[TStr("Resource", resource[1], file)] = resource[0]
    conditions = TDict(pos, file)
    for arg, operator, key in CONDITIONS:
        got = get(arg)
        if got is None or (isinstance(got[0], PScalar) and got[0].value is None):
            continue
        block = conditions.get(operator)
        if block is None:
            block = conditions[TStr(operator, got[1], file)] = TDict(got[1], file)
        block[TStr(key, got[1], file)] = got[0]
    via_url = get("invoked_via_function_url")
    if via_url is not None and not (isinstance(via_url[0], PScalar) and via_url[0].value in (False, None)):
        block = conditions[TStr("Bool", via_url[1], file)] = TDict(via_url[1], file)
        block[TStr("lambda:InvokedViaFunctionUrl", via_url[1], file)] = via_url[0]
    if conditions:
        st[TStr("Condition", next(iter(conditions)).pos, file)] = conditions
    doc = TDict(pos, file)
    doc[TStr("Version", pos, file)] = TStr("2012-10-17", pos, file)
    statements = TList(pos, file)
    statements.append(st)
    doc[TStr("Statement", pos, file)] = statements
    return doc


def _resource(type_: str, get: Get, pos: Pos, file: str) -> tuple[Node, Pos] | None:
    """The function (and its qualifier) or the layer version the statement is about."""
    if type_ == "aws_lambda_layer_version_permission":
        layer, version = get("layer_name"), get("version_number")
        if layer is None:
            return None
        name, ver = _literal(layer[0]), version[0] if version is not None else None
        number = ver.text if isinstance(ver, PScalar) else _literal(ver)
        if name is not None and number is not None:
            return TStr(f"{name}:{number}", getattr(layer[0], "pos", pos), file), layer[1]
        return layer
    function = get("function_name")
    if function is None:
        return None
    qualifier = get("qualifier")
    name = _literal(function[0])
    q = _literal(qualifier[0]) if qualifier is not None else None
    if name is not None and q:
        return TStr(f"{name}:{q}", getattr(function[0], "pos", pos), file), function[1]
    return function
