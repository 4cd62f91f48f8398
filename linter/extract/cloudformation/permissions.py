"""Policies AWS writes from a resource's properties, as documents the builder reads.

Two resource types grant access without a policy document: AWS writes one statement into
a resource policy from their properties, and that statement is what iamlint lints, each
element at the property it comes from (so that a finding points at what to change).

- ``AWS::Lambda::Permission`` (the Lambda ``AddPermission`` API): ``Principal`` becomes the
  statement's principal, ``"*"`` as is, a service name (``s3.amazonaws.com``) as
  ``{"Service": ...}``, an account id or ARN as ``{"AWS": ...}``; ``Action`` the action,
  ``FunctionName`` the resource; ``SourceArn`` an ``ArnLike`` ``AWS:SourceArn`` condition,
  ``SourceAccount``, ``PrincipalOrgID``, ``FunctionUrlAuthType`` and ``EventSourceToken``
  ``StringEquals`` conditions on ``AWS:SourceAccount``, ``aws:PrincipalOrgID``,
  ``lambda:FunctionUrlAuthType`` and ``lambda:EventSourceToken``, ``InvokedViaFunctionUrl``
  a ``Bool`` condition on ``lambda:InvokedViaFunctionUrl``. ``Principal: "*"`` without
  ``SourceArn``, ``SourceAccount`` or ``PrincipalOrgID`` is open to everyone (IAM402 reports
  it at ``Principal``); with ``FunctionUrlAuthType: NONE`` it is a public function URL,
  which is the same finding: anyone may invoke. A ``Principal`` iamlint cannot resolve (a
  parameter, an import) is linted as an ``AWS`` principal and named as not evaluated
  (IAM906): whether it opens the function to everyone is not known. A ``Fn::GetAtt`` of a
  resource of the template is a role or user of the template, not a stranger.
- ``AWS::Events::EventBusPolicy`` (the EventBridge ``PutPermission`` API): a ``Statement``
  property is the statement itself; else ``Principal`` (an account id, or ``"*"``),
  ``Action`` and ``Condition`` (``{Type, Key, Value}``) make one, on the event bus.
"""

from __future__ import annotations

from typing import Any

from ...diagnostics import UNRESOLVED_POLICY, diagnostic
from ...model import Str, Unknown, input_token
from ...parse.nodes import PDict, PList, PStr
from ...positions import Pos
from .intrinsics import Resolver, Template, intrinsic_name

#: Lambda permission property -> (condition operator, condition key) AWS writes for it
LAMBDA_CONDITIONS = {
    "SourceArn": ("ArnLike", "AWS:SourceArn"),
    "SourceAccount": ("StringEquals", "AWS:SourceAccount"),
    "PrincipalOrgID": ("StringEquals", "aws:PrincipalOrgID"),
    "FunctionUrlAuthType": ("StringEquals", "lambda:FunctionUrlAuthType"),
    "EventSourceToken": ("StringEquals", "lambda:EventSourceToken"),
    "InvokedViaFunctionUrl": ("Bool", "lambda:InvokedViaFunctionUrl"),
}
_NOWHERE: Pos = (0, 0, 0, 0)


def _pos(node: Any) -> Pos:
    return getattr(node, "pos", None) or _NOWHERE


def _key(props: dict, name: str) -> PStr:
    """The property's key as written (with its position), or a new one."""
    written = props.key(name) if isinstance(props, PDict) else None
    return written or PStr(name, _pos(props))


def _document(statements: list[PDict], pos: Pos) -> PDict:
    doc = PDict(pos)
    body = PList(pos)
    body.extend(statements)
    doc[PStr("Version", pos)] = PStr("2012-10-17", pos)
    doc[PStr("Statement", pos)] = body
    return doc


def lambda_permission(t: Template, r: Resolver, props: dict) -> PDict | None:
    """The document of the statement AWS writes for an ``AWS::Lambda::Permission``, one
    statement per ``Fn::If`` branch of its ``Principal``; None without a ``Principal``."""
    principal = props.get("Principal")
    if principal is None:
        return None
    conditions = PDict(_pos(props))
    for prop, (operator, key) in LAMBDA_CONDITIONS.items():
        if prop not in props:
            continue
        written = _key(props, prop)
        op = conditions.key(operator)
        block = conditions.get(operator) if op is not None else None
        if block is None:
            op = PStr(operator, written.pos)
            block = PDict(written.pos)
            conditions[op] = block
        block[PStr(key, written.pos)] = props[prop]
    statements = []
    for alt in r.alternatives(principal):
        stmt = PDict(_pos(props))
        stmt[PStr("Effect", _pos(_key(props, "Principal")))] = PStr("Allow", _pos(alt))
        stmt[_key(props, "Principal")] = _lambda_principal(t, r, alt)
        if "Action" in props:
            stmt[_key(props, "Action")] = props["Action"]
        if "FunctionName" in props:
            stmt[PStr("Resource", _pos(_key(props, "FunctionName")))] = props["FunctionName"]
        if conditions:
            stmt[PStr("Condition", _pos(props))] = conditions
        statements.append(stmt)
    return _document(statements, _pos(props)) if statements else None


def _lambda_principal(t: Template, r: Resolver, node: Any) -> Any:
    """``"*"``, ``{"Service": ...}`` or ``{"AWS": ...}``, as AWS writes the principal."""
    values = r.values(node)
    if values and all(isinstance(v, Str) for v in values):
        text = values[0].value if isinstance(values[0], Str) else ""
        if text == "*":
            return node
        kind = "Service" if "." in text and not text.startswith("arn:") else "AWS"
    else:
        kind = "AWS"
        if _may_be_anyone(node, values):
            shown = values[0].text if len(values) == 1 and not isinstance(values[0], Str) else r.render(node)
            t.diagnostics.append(
                diagnostic(
                    UNRESOLVED_POLICY,
                    f"the Principal of this Lambda permission ({shown}) is not known: whether it lets "
                    "everyone or another account invoke the function was not checked",
                    t.span(node),
                )
            )
    out = PDict(_pos(node))
    out[PStr(kind, _pos(node))] = node
    return out


def _may_be_anyone(node: Any, values: list) -> bool:
    """Whether a principal iamlint cannot resolve may be ``"*"`` or anything at all: not a
    ``Fn::GetAtt`` (a role or user of the template) nor a value whose shape is known
    (``arn:aws:iam::${AccountId}:role/${RoleName}``: a role of an account chosen at deploy
    time, a stranger but not everyone)."""
    if intrinsic_name(node) == "Fn::GetAtt":
        return False
    for v in values:
        if isinstance(v, Unknown) and v.inputs:
            shape = v.canonical() or ""
            if not any(shape == input_token(i) for i in range(len(v.inputs))):
                continue  # a known shape around the inputs
        if not isinstance(v, Str):
            return True
    return False


def event_bus_policy(t: Template, r: Resolver, props: dict) -> tuple[str, Any] | None:
    """(property path, document) of the statement an ``AWS::Events::EventBusPolicy`` puts on
    its event bus, or None when it has neither ``Statement`` nor ``Principal``."""
    if "Statement" in props:
        # a map or a JSON string, one per Fn::If branch
        statements = [s for s in r.documents(props["Statement"]) if isinstance(s, PDict)]
        for alt in r.alternatives(props["Statement"]):
            if isinstance(alt, list):  # a list of statements: EventBridge takes one
                t.error_at(
                    "Statement of an AWS::Events::EventBusPolicy is one statement (a map), not a list", alt
                )
        if not statements:
            return None
        return "Properties.Statement", _document(statements, _pos(props["Statement"]))
    if "Principal" not in props:
        return None
    principal = props["Principal"]
    stmt = PDict(_pos(props))
    if "StatementId" in props:
        stmt[PStr("Sid", _pos(_key(props, "StatementId")))] = props["StatementId"]
    stmt[PStr("Effect", _pos(_key(props, "Principal")))] = PStr("Allow", _pos(principal))
    if isinstance(principal, str) and principal == "*":
        stmt[_key(props, "Principal")] = principal
    else:
        wrapped = PDict(_pos(principal))
        wrapped[PStr("AWS", _pos(principal))] = principal
        stmt[_key(props, "Principal")] = wrapped
    if "Action" in props:
        stmt[_key(props, "Action")] = props["Action"]
    bus = props.get("EventBusName")
    name = str(bus) if isinstance(bus, str) else "default" if bus is None else "${EventBusName}"
    where = _pos(_key(props, "EventBusName")) if bus is not None else _pos(props)
    stmt[PStr("Resource", where)] = PStr(
        f"arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{name}", where
    )
    condition = props.get("Condition")
    if condition is not None:
        stmt[_key(props, "Condition")] = _event_bus_condition(condition)
    return "Properties", _document([stmt], _pos(props))


def _event_bus_condition(node: Any) -> Any:
    """``{Type: StringEquals, Key: aws:PrincipalOrgID, Value: o-...}`` as a policy condition;
    a form iamlint cannot read stays an opaque intrinsic (the condition is unresolved)."""
    if isinstance(node, dict) and intrinsic_name(node) is None:
        ctype, key = node.get("Type"), node.get("Key")
        if isinstance(ctype, str) and isinstance(key, str) and "Value" in node:
            block = PDict(_pos(node))
            block[PStr(str(key), _pos(key))] = node["Value"]
            out = PDict(_pos(node))
            out[PStr(str(ctype), _pos(ctype))] = block
            return out
    from ...parse.cfn_yaml import IntrinsicDict

    opaque = IntrinsicDict(_pos(node))
    opaque[PStr("Condition", _pos(node))] = node
    return opaque
