"""IAM205 condition-value-mismatch."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from iamlint.api import (
    Condition,
    Context,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    catalogue,
    condition_consequence,
    condition_key_written,
    open_policy_variable,
    operator_type,
    policy_variables,
)

if TYPE_CHECKING:
    from iamlint.catalogue import ConditionKey

#: the key types each operator type compares (IAM User Guide, "Condition operators": ARN
#: keys may also be compared with String operators, and String keys that hold ARNs with ARN
#: operators, whose values must then be ARNs)
COMPARES = {
    "String": {"String", "ARN"},
    "ARN": {"ARN", "String"},
    "Numeric": {"Numeric"},
    "Date": {"Date"},
    "Bool": {"Bool"},
    "Binary": {"Binary"},
    "IPAddress": {"IPAddress"},
}
#: what to write instead, by key type
OPERATORS_FOR = {
    "String": "a String operator such as StringEquals or StringLike",
    "ARN": "ArnLike, ArnEquals or a String operator",
    "Numeric": "a Numeric operator such as NumericLessThanEquals",
    "Date": "a Date operator such as DateGreaterThan",
    "Bool": "Bool",
    "Binary": "BinaryEquals",
    "IPAddress": "IpAddress or NotIpAddress",
}
#: operator types whose values AWS does not substitute policy variables in
NO_VARIABLES = {"Numeric", "Date", "IPAddress", "Binary", "Null"}
#: OIDC and SAML keys whose types AWS documents (others are typed by iamlint's guess)
DOCUMENTED_FEDERATION = (
    "saml:",
    "cognito-identity.amazonaws.com:",
    "accounts.google.com:",
    "graph.facebook.com:",
)

_PLACEHOLDER = r"<[^<>]+>"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_EPOCH = r"\d+(?:\.\d+)?"
_DATE = (
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?)?)?)?"
)


class ConditionValueMismatch(StatementRule):
    """Checks for condition operators and values that do not fit their key.

    ## What it does
    Compares each condition's operator with the type of its key, as the Service
    Authorization Reference and the IAM User Guide give it, and each value with what the
    operator compares:

    * an operator of another type than the key: `NumericLessThan` on a String key, `Bool` on
      `aws:SourceIp`, `DateGreaterThan` on a Numeric key. String operators may compare ARN
      keys (AWS documents cases where they match where `ArnLike` does not), and ARN operators
      may compare String keys, whose values must then be ARNs;
    * a value the operator cannot read: a `Bool` or `Null` value other than `true` or
      `false` (`"yes"`), a date that is neither ISO 8601 (`2026-01-31`,
      `2026-01-31T12:00:00Z`) nor epoch seconds, an invalid IP address or CIDR range
      (`10.0.0.256/16`), a `Numeric` value that is not a number, an `Arn*` value that is not
      an ARN, a `BinaryEquals` value that is not base64;
    * a `*` in a `StringEquals` or `StringNotEquals` value (with or without `IgnoreCase`):
      those operators compare it literally, `StringLike` matches a pattern;
    * a policy variable (`${aws:username}`) in the value of an operator that does not replace
      variables (Numeric, Date, IP address, Binary, Null), or one left open (`${aws:username`);
    * `ForAllValues` or `ForAnyValue` on a single-valued key: AWS says to use set operators
      only with multivalued keys (types `ArrayOf...`), and `ForAllValues` is also true when
      the request has no value at all for the key, which makes an `Allow` apply without it;
      and either on `Null`, which makes it always true (`ForAllValues`) or never true;
    * a `Bool` condition with several values, and a key with an empty list of values.

    Values iamlint cannot resolve (a CloudFormation parameter, a Terraform variable) are
    not judged, nor are keys whose type the catalogue does not know; policy variables are
    fine in String, ARN and Bool values. Unknown operators and `Null` with `IfExists` are
    the policy grammar's (IAM502).

    The finding is a warning, as IAM Access Analyzer's "Type mismatch" findings are; it is an
    error when the policy then lets through more than it says: `ForAllValues` on a
    single-valued key in an `Allow`, or a condition (a qualified `Null`, one none of whose
    values can match) that leaves a `Deny` never applying or an `Allow` unrestricted.

    ## Why is this bad?
    IAM accepts these policies, and the condition then compares nothing that can match:
    `"Bool": {"aws:MultiFactorAuthPresent": "yes"}` is never true, so an `Allow` guarded
    by it never applies and a `Deny` guarded by it never denies; a `NotIpAddress` with a
    malformed range restricts nothing.

    ## Example
    ```json hl_lines="9"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "iam:ChangePassword",
          "Resource": "arn:aws:iam::*:user/${aws:username}",
          "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "yes"}
          }
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "iam:ChangePassword",
          "Resource": "arn:aws:iam::*:user/${aws:username}",
          "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "true"}
          }
        }
      ]
    }
    ```
    """

    code = "IAM205"
    name = "condition-value-mismatch"
    severity = Severity.WARNING
    security_severity = "5.3"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.condition:
            return
        for cond in stmt.condition:
            kind = operator_type(cond)
            if kind is None or not _grammatical(cond):
                continue  # IAM502 reports the operator
            if kind == "Null" and cond.qualifier is not None:
                yield self._null_with_qualifier(stmt, doc, cond)
                continue
            ck = self._key(cond, doc)
            mismatch = self._operator(stmt, doc, cond, kind, ck)
            if mismatch is not None:
                yield mismatch
                continue
            yield from self._set_operator(stmt, doc, cond, ck)
            yield from self._values(stmt, doc, cond, kind)

    @staticmethod
    def _key(cond: Condition, doc: PolicyDocument) -> ConditionKey | None:
        cat = catalogue()
        key = cond.written_key
        if cat is None or "${" in key or not condition_key_written(cond, doc):
            return None
        return cat.condition_key(key)

    # -- the operator against the key ------------------------------------------------------------
    def _operator(
        self, stmt: Statement, doc: PolicyDocument, cond: Condition, kind: str, ck: ConditionKey | None
    ) -> Finding | None:
        if ck is None or ck.value_type is None or kind == "Null":
            return None
        types = {ck.value_type, *ck.also}
        if types & COMPARES[kind]:
            return None
        op, key = cond.operator.value, cond.written_key
        article = "an" if ck.value_type[0] in "AI" else "a"
        message = (
            f"{op} compares {kind} values, but {key} is {article} {ck.value_type} key: "
            f"use {OPERATORS_FOR.get(ck.value_type, ck.value_type)}"
        )
        return self.report(cond.operator.span, message, owner=doc, value=f"{op} {key}")

    def _null_with_qualifier(self, stmt: Statement, doc: PolicyDocument, cond: Condition) -> Finding:
        op = cond.operator.value
        holds = cond.qualifier == "forallvalues"
        message = (
            f"{op} is {'always' if holds else 'never'} true, whatever the request: Null tests one key, "
            "not a set of values; use Null"
        )
        effect = condition_consequence(stmt, holds)
        severity = None
        if effect is not None:
            message = message.replace("; use Null", f", {effect[0]}; use Null")
            severity = Severity.ERROR if effect[1] else None
        return self.report(
            cond.operator.span, message, owner=doc, value=f"{op} {cond.written_key}", severity=severity
        )

    def _set_operator(
        self, stmt: Statement, doc: PolicyDocument, cond: Condition, ck: ConditionKey | None
    ) -> Iterator[Finding]:
        if cond.qualifier is None or ck is None or ck.type is None or ck.multivalued or cond.base == "null":
            return
        if ck.kind == "federation" and not ck.name.lower().startswith(DOCUMENTED_FEDERATION):
            return  # an OIDC provider's claim: iamlint only guesses its type
        op, key = cond.operator.value, cond.written_key
        plain = op.split(":", 1)[1] if ":" in op else op
        severity = None
        if cond.qualifier == "forallvalues":
            why = f"ForAllValues is also true when the request has no {key}" + (
                ", so this Allow applies without it" if stmt.is_allow else ""
            )
            severity = Severity.ERROR if stmt.is_allow else None
        else:
            why = "set operators are for multivalued keys"
        message = f"{op} on {key}, a single-valued key: {why}; use {plain}"
        yield self.report(cond.operator.span, message, owner=doc, value=f"{op} {key}", severity=severity)

    # -- the values ---------------------------------------------------------------------------------
    def _values(self, stmt: Statement, doc: PolicyDocument, cond: Condition, kind: str) -> Iterator[Finding]:
        op, key = cond.operator.value, cond.written_key
        if not cond.values:
            yield self.report(
                cond.key_span,
                f"{key} has an empty list of values: {op} has nothing to compare; write the values or remove the key",
                owner=doc,
                value=f"{op} {key}",
            )
            return
        literal = [v for v in cond.values if isinstance(v, Str)]
        distinct = {v.value.strip().lower() for v in literal}
        if kind == "Bool" and len(distinct) > 1:
            why = (
                ": with true and false it matches every request that has the key"
                if distinct == {"true", "false"}
                else ""
            )
            yield self.report(
                cond.key_span,
                f"Bool takes one value, {key} has {len(distinct)}{why}",
                owner=doc,
                value=f"{op} {key}",
            )
        bad: list[tuple[Str, str, bool]] = []  # value, problem, whether it can never match
        for v in literal:
            found = _value_problem(kind, cond, v.canonical())
            if found is not None:
                bad.append((v, found[0], found[1]))
        if not bad:
            return
        suffix, severity = "", None
        if len(bad) == len(cond.values) and all(never for _v, _p, never in bad):
            suffix, severity = self._consequence(stmt, cond)
        for v, message, never in bad:
            yield self.report(
                v, message + (suffix if never else ""), owner=doc, severity=severity if never else None
            )

    @staticmethod
    def _consequence(stmt: Statement, cond: Condition) -> tuple[str, Severity | None]:
        """When no value can match: what the condition then is, and the severity that earns."""
        if cond.if_exists or cond.qualifier is not None or cond.base == "null":
            return "", None
        holds = "not" in cond.base  # a negated operator no value matches is true
        effect = condition_consequence(stmt, holds)
        if effect is None:
            return "", None
        state = "always holds" if holds else "never matches"
        return f"; {cond.operator.value} {state}, {effect[0]}", Severity.ERROR if effect[1] else None


def _grammatical(cond: Condition) -> bool:
    """Whether the policy grammar (IAM502) accepts the operator as written."""
    from iamlint.rules.policy_grammar import grammar

    pattern = grammar()["definitions"]["condition"]["propertyNames"]["pattern"]
    return _compiled(pattern).search(cond.operator.value) is not None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    got = _PATTERNS.get(pattern)
    if got is None:
        got = _PATTERNS[pattern] = re.compile(pattern)
    return got


def _value_problem(kind: str, cond: Condition, text: str) -> tuple[str, bool] | None:
    """What is wrong with one literal value, and whether it can never match; None if nothing."""
    op = cond.operator.value
    shown = repr(text)
    left_open = open_policy_variable(text)
    if left_open is not None:
        return f"policy variable {left_open} is not closed: add }}, or AWS compares it as written", False
    variables = policy_variables(text)
    if variables:
        if kind in NO_VARIABLES:
            return f"{op} does not replace policy variables: ${{{variables[0]}}} is compared as written", True
        return None
    value = text.strip()
    if re.fullmatch(_PLACEHOLDER, value) and kind != "String":
        return f"{shown} is a placeholder left to fill in, not a value {op} can compare", True
    if kind in ("Bool", "Null"):
        if value.lower() in ("true", "false"):
            return None
        if kind == "Bool":
            return f"Bool compares true or false, not {shown}", True
        return f"Null takes true (the key is absent) or false (it is present), not {shown}", False
    if kind == "Numeric":
        return (
            None if re.fullmatch(_NUMBER, value) else (f"{shown} is not a number, which {op} compares", True)
        )
    if kind == "Date":
        return (
            None
            if _is_date(value)
            else (
                f"{shown} is not a date: write ISO 8601 (2026-01-31 or 2026-01-31T12:00:00Z) or epoch seconds",
                True,
            )
        )
    if kind == "IPAddress":
        return None if _is_network(value) else (f"{shown} is not an IP address or CIDR range", True)
    if kind == "Binary":
        return None if _is_base64(value) else (f"{shown} is not base64, which {op} compares", True)
    if kind == "ARN":
        if value == "*" or (value.startswith("arn:") and (len(value.split(":", 5)) == 6 or "*" in value)):
            return None
        return (
            f"{shown} is not an ARN, which {op} compares (arn:partition:service:region:account:resource)",
            True,
        )
    if kind == "String" and cond.base in (
        "stringequals",
        "stringnotequals",
        "stringequalsignorecase",
        "stringnotequalsignorecase",
    ):
        if "*" in value:
            like = "StringNotLike" if "not" in cond.base else "StringLike"
            return (
                f"{op} compares {shown} literally, wildcards included: use {like} to match a pattern",
                False,
            )
    return None


def _is_date(value: str) -> bool:
    import datetime

    if re.fullmatch(_EPOCH, value):
        return True
    m = re.fullmatch(_DATE, value, re.IGNORECASE)
    if m is None:
        return False
    g = m.groupdict()
    try:
        datetime.datetime(
            int(g["y"]),
            int(g["m"] or 1),
            int(g["d"] or 1),
            int(g["H"] or 0),
            int(g["M"] or 0),
            min(int(g["S"] or 0), 59),
        )
    except ValueError:
        return False
    tz = g["tz"]
    return not tz or tz.upper() == "Z" or (int(tz[1:3]) < 24 and int(tz[-2:]) < 60)


def _is_network(value: str) -> bool:
    """An IPv4 or IPv6 address or CIDR range. IPv4 is checked without importing ipaddress (a
    millisecond at every start of a run that meets an IpAddress condition)."""
    m = re.fullmatch(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,2}))?", value)
    if m is not None:
        *octets, prefix = m.groups()
        return all(int(o) <= 255 for o in octets) and (prefix is None or int(prefix) <= 32)
    if ":" not in value:
        return False
    import ipaddress

    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_base64(value: str) -> bool:
    import base64
    import binascii

    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
