"""Effective permissions: what each principal of the attachment graph can actually do.

The evaluator follows the policy evaluation logic of the IAM User Guide ("Policy evaluation
logic", "Determining whether a request is allowed or denied within an account") for the
policies a template or module holds, with the principal's own account as the only one:

1. an explicit ``Deny`` in any policy that applies (identity policies, the permissions
   boundary, the organization policies named by ``org-policies``) denies;
2. an organization policy (SCP, RCP) named in the configuration must allow the action, each
   of them, or it is denied ("capped");
3. a permissions boundary, when the principal has one, must allow the action;
4. an identity policy must allow it: inline, customer managed, AWS managed, SAM policy
   templates, and for a user the policies of its groups; else it is not granted.

Each answer is a `Decision` with one of four `Verdict`\\ s, and says why: the statements that
grant it, the conditions it depends on, the statements that deny or cap it, and the parts
iamlint could not resolve. How unknown values count:

- an ``Allow`` whose ``Resource`` is unknown (a parameter, ``var.x``) *may grant*: the answer
  is at most ``conditional``, with the unknown value named among its conditions; when the
  value is the ARN of a role of the same template or module (`Unknown.refers_to`), the
  `Decision` names the role (``refers_to``) for `iamlint.escalation` to judge;
- an ``Allow`` or ``Deny`` whose ``Action`` value is unknown matches no action; the value is
  named in `Effective.unknown` ("may grant more" or "may deny more");
- a ``Deny`` with a condition, or with an unknown condition or ``Resource``, *may deny*: an
  allowed answer becomes ``conditional`` ("unless ...");
- a permissions boundary that is unknown, or a managed policy iamlint cannot read (an ARN
  that is a variable, a customer managed policy of another stack): the answer is
  ``conditional`` for the boundary, and `Effective.unknown` names both.

What the evaluator does not model: resource-based policies that grant to the principal
(only identity-based policies are read), session policies, other accounts, the values of
condition keys at request time (a condition is named, never decided), and the role chain
(what a principal can do by assuming another role). See docs/explain.md.

The public API is small and stable: `Evaluator` (one per file or module, caching per
principal), `Effective` (one principal's policies, their decisions and listing),
`Decision`, `Verdict`, `Source`, `Permission`; every answer has ``to_json()``, the form
``iamlint explain --format json`` prints.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import THIS_ACCOUNT, Condition, IAMPrincipal, PolicyDocument, Span, Statement, Str, Unknown
from .rule import Context
from .rulekit import catalogue, document_label, glob_to_regex

__all__ = [
    "Decision",
    "Effective",
    "Evaluator",
    "Permission",
    "Source",
    "Verdict",
    "covers",
    "evaluator",
]


class Verdict(str, enum.Enum):
    """The answer for an action on a resource."""

    ALLOWED = "allowed"
    #: allowed under conditions (`Decision.conditions` says which), or unless a conditional
    #: Deny applies, or when an unknown value allows it
    CONDITIONAL = "conditional"
    #: an explicit Deny, or a permissions boundary or organization policy that does not allow it
    DENIED = "denied"
    NOT_GRANTED = "not-granted"


@dataclass(frozen=True, slots=True)
class Source:
    """A statement that takes part in a decision, and where it stands.

    ``layer``: ``identity`` (a policy of the principal), ``group`` (a policy of one of a
    user's groups, ``via`` the group's address), ``boundary`` or ``org`` (an organization
    policy of the configuration). ``policy`` is how messages name the policy.
    """

    layer: str
    policy: str
    span: Span
    via: str = ""
    aws_managed: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "layer": self.layer,
            "policy": self.policy,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
        }
        if self.via:
            out["via"] = self.via
        if self.aws_managed:
            out["aws_managed"] = True
        return out

    def __str__(self) -> str:
        via = f" via {self.via}" if self.via else ""
        return f"{self.policy}{via} ({self.span.file}:{self.span.line})"


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for ``action`` on ``resource`` (``None``: on some resource)."""

    action: str
    resource: str | None
    verdict: Verdict
    granted_by: tuple[Source, ...] = ()
    #: what the answer depends on: the conditions of the granting statements, "unless" a
    #: conditional Deny, unknown values
    conditions: tuple[str, ...] = ()
    denied_by: tuple[Source, ...] = ()
    #: the boundary or organization policies that do not allow it (or may not)
    capped_by: tuple[str, ...] = ()
    #: when the answer is conditional because ``Resource`` values are unknown that name roles
    #: of the same template or module (``!GetAtt AdminRole.Arn``, ``aws_iam_role.admin.arn``):
    #: each such role's address and the statement that would grant the action on it, when
    #: the statement has no other condition. `iamlint.escalation` decides them.
    refers_to: tuple[tuple[str, Source], ...] = ()
    #: whether such roles are the only reason the answer is conditional: every statement that
    #: may grant it names only roles of the template or module, and nothing else (a
    #: condition, a boundary, a Deny) makes it conditional
    refers_only: bool = False
    #: whether nothing but the granting statements' own reasons (no boundary, organization
    #: policy or conditional Deny) makes the answer conditional
    refers_clean: bool = False

    @property
    def allowed(self) -> bool:
        """Allowed without any condition."""
        return self.verdict is Verdict.ALLOWED

    @property
    def possible(self) -> bool:
        """Allowed, or allowed under conditions."""
        return self.verdict in (Verdict.ALLOWED, Verdict.CONDITIONAL)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "verdict": self.verdict.value,
            "granted_by": [s.to_json() for s in self.granted_by],
            "conditions": list(self.conditions),
            "denied_by": [s.to_json() for s in self.denied_by],
            "capped_by": list(self.capped_by),
        }


@dataclass(frozen=True, slots=True)
class Permission:
    """Actions of one service and access level that a principal's identity policies grant on
    one resource pattern, all with the same answer: ``decision`` (its `Decision.action` is
    one of them), ``actions`` all of them, sorted."""

    service: str
    access_level: str
    decision: Decision
    actions: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"actions": [...], "resource", "verdict", "granted_by", ...}``: `Decision.to_json`
        with the list of actions in place of the one."""
        d = self.decision.to_json()
        del d["action"]
        return {"actions": list(self.actions or (self.decision.action,)), **d}


# -- matching ------------------------------------------------------------------------------------
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@functools.lru_cache(maxsize=8192)
def _rx(pattern: str) -> re.Pattern[str]:
    return glob_to_regex(_VARIABLE.sub("*", pattern))


@functools.lru_cache(maxsize=8192)
def _arn_canonical(text: str) -> str:
    """An ARN's literal 12-digit account as this account (a template names its own)."""
    parts = text.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and re.fullmatch(r"\d{12}", parts[4]):
        parts[4] = THIS_ACCOUNT
        return ":".join(parts)
    return text


def covers(pattern: str, target: str) -> bool:
    """Whether a ``Resource`` pattern of a policy covers every resource ``target`` names.

    ``target`` is read literally (its ``*`` is every resource, which only a pattern that
    matches the text ``*`` covers); policy variables (``${aws:username}``) in ``pattern``
    count as ``*``; a literal 12-digit account in either counts as this account.
    """
    p, t = _arn_canonical(pattern.strip()), _arn_canonical(target.strip())
    if p == "*" or p == t:
        return True
    if len(_VARIABLE.sub("", p)) - p.count("*") > len(t):
        return False
    return bool(_rx(p).match(t))


@functools.lru_cache(maxsize=8192)
def _can_name(action: str, pattern: str) -> bool:
    """Whether a ``Resource`` pattern can name a resource ``action`` acts on: ``*``, or an ARN
    of one of its resource types (through the catalogue; without it, or for an action or
    ARN format it does not know, yes: no evidence against it)."""
    if pattern == "*" or not action:
        return True
    cat = catalogue()
    a = cat.action(action) if cat is not None else None
    if cat is None or a is None:
        return True
    if not a.resource_types:
        return pattern.strip("*") == ""  # an action without resource types takes only "*"
    return bool(cat.match_resource(a.name, pattern))


def _condition_text(c: Condition) -> str:
    values = ", ".join(v.value if isinstance(v, Str) else v.text for v in c.values)
    return f"{c.operator.value} {c.key} {values}".strip()


@dataclass(frozen=True, slots=True)
class _Stmt:
    allow: bool
    source: Source
    actions: tuple[str, ...]  # literal patterns of Action / NotAction
    negated_action: bool
    resources: tuple[str, ...]  # literal patterns of Resource / NotResource (canonical)
    negated_resource: bool
    unknown_resources: tuple[str, ...]
    variable_resources: tuple[str, ...]  # patterns with policy variables (canonical)
    conditions: tuple[str, ...]
    #: for each unknown Resource value, the address of the role of the same template or
    #: module whose ARN it is (`Unknown.refers_to`), or ""
    unknown_refs: tuple[str, ...] = ()

    def refers_only(self, target: str | None) -> bool:
        """Whether the statement may apply to ``target`` only through unknown values that are
        ARNs of roles of the template or module (no condition, no policy variable)."""
        return (
            not self.conditions
            and not self.negated_resource
            and bool(self.unknown_refs)
            and all(self.unknown_refs)
            and not any(target is None or covers(v, target) for v in self.variable_resources)
        )

    def may_match_service(self, service: str) -> bool:
        """Whether an action of ``service`` (lower-cased) can match (always, for NotAction)."""
        if self.negated_action:
            return True
        by_service, anywhere = _patterns(self.actions)
        return bool(anywhere) or service in by_service

    def uniform_on(self, service: str) -> bool:
        """Whether it matches every action of ``service`` or none of them (``*``,
        ``service:*``, another service's patterns; for ``NotAction`` the same, reversed)."""
        by_service, anywhere = _patterns(self.actions)
        if any(p.strip("*") == "" for p in anywhere):
            return True
        entry = by_service.get(service)
        whole = entry is not None and any(p.partition(":")[2].strip("*") == "" for p in entry[1])
        if whole:
            return True
        return not anywhere and entry is None

    def matches_action(self, action: str) -> bool:
        by_service, anywhere = _patterns(self.actions)
        low = action.lower()
        hit = False
        entry = by_service.get(low.partition(":")[0])
        if entry is not None:
            exact, wild = entry
            hit = low in exact or any(_rx(p).match(low) for p in wild)
        if not hit and anywhere:
            hit = any(_action_match(p, action) for p in anywhere)
        return not hit if self.negated_action else hit

    def resource_fit(self, target: str | None, action: str = "") -> str:
        """``all`` when it applies to every resource ``target`` names, ``some`` when only
        perhaps (an unknown value), else ``none``. ``target`` None: on some resource of
        ``action`` (a ``Resource`` ARN that cannot name one of its resource types, such as an
        S3 ARN for ``lambda:UpdateFunctionCode``, does not count)."""
        if self.negated_resource:
            if target is None:
                return "all"
            return "none" if any(covers(p, target) for p in self.resources) else "all"
        if target is None:
            if any(_can_name(action, p) for p in self.resources):
                return "all"
            return "some" if self.maybe(None) else "none"
        if any(covers(p, target) for p in self.resources):
            return "all"
        return "some" if self.maybe(target) else "none"

    def maybe(self, target: str | None) -> tuple[str, ...]:
        """Why the statement may apply to ``target`` without surely applying: its unknown
        ``Resource`` values, and its patterns with policy variables that cover it when the
        variables do (``user/${aws:username}`` is the caller only, not every user)."""
        out = [f"Resource {u} (unknown) names it" for u in self.unknown_resources]
        out += [
            f"Resource {v} names it (when its policy variables do)"
            for v in self.variable_resources
            if target is None or covers(v, target)
        ]
        return tuple(out)


@functools.lru_cache(maxsize=4096)
def _patterns(
    actions: tuple[str, ...],
) -> tuple[dict[str, tuple[frozenset[str], tuple[str, ...]]], tuple[str, ...]]:
    """A statement's Action patterns by service: per service, its literal names (lower-cased)
    and its wildcard patterns; then the patterns of any service (``*``, ``s3*:Get*``). An AWS
    managed policy such as ReadOnlyAccess holds 3,000 patterns: an action is matched against
    those of its own service only, once per run for the policy."""
    exact: dict[str, set[str]] = {}
    wild: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for p in actions:
        prefix, colon, _ = p.partition(":")
        if not colon or "*" in prefix or "?" in prefix:
            anywhere.append(p)
            continue
        key = prefix.lower()
        if "*" in p or "?" in p:
            wild.setdefault(key, []).append(p)
            exact.setdefault(key, set())
        else:
            exact.setdefault(key, set()).add(p.lower())
    by_service = {k: (frozenset(v), tuple(wild.get(k, ()))) for k, v in exact.items()}
    return by_service, tuple(anywhere)


def _action_match(pattern: str, action: str) -> bool:
    if pattern == "*":
        return True
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == action.lower()
    if len(pattern) - pattern.count("*") > len(action):
        return False
    return bool(_rx(pattern).match(action))


# -- one principal -------------------------------------------------------------------------------
@dataclass
class Effective:
    """One principal's policies, read once, and what they let it do.

    ``unknown`` names the parts iamlint could not resolve that may change any answer (a
    managed policy ARN that is a variable, an unknown boundary, an unknown Action value).
    """

    principal: IAMPrincipal
    identity: list[_Stmt] = field(default_factory=list)
    denies: list[_Stmt] = field(default_factory=list)
    #: each cap (the boundary, each organization policy): its name and its statements, or
    #: None for a boundary iamlint cannot read
    caps: list[tuple[str, list[_Stmt] | None]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    documents: list[tuple[PolicyDocument, str, str]] = field(default_factory=list)  # doc, layer, via
    _decided: dict[tuple[str, str | None], Decision] = field(default_factory=dict)
    _index: dict[str, tuple[list[_Stmt], list[_Stmt]]] = field(default_factory=dict)
    _sources: dict[Source, Source] = field(default_factory=dict)
    #: the evaluator of the file or module it belongs to (the other principals' answers)
    evaluator: Evaluator | None = field(default=None, repr=False, compare=False)

    def _source(self, src: Source) -> Source:
        """One object per distinct source (the statements of an AWS managed policy all stand
        at its ARN), so that answers can be grouped by the identity of their sources."""
        return self._sources.setdefault(src, src)

    # -- reading ---------------------------------------------------------------------------
    def _read(self, doc: PolicyDocument, layer: str, via: str = "") -> None:
        self.documents.append((doc, layer, via))
        label = document_label(doc)
        for st in doc.statements:
            s = _statement(st, self._source(Source(layer, label, st.span, via, doc.aws_managed is not None)))
            if s is None:
                continue
            self._note_unknown(st, s)
            if s.allow and layer in ("identity", "group"):
                self.identity.append(s)
            elif not s.allow:
                self.denies.append(s)

    def _note_unknown(self, st: Statement, s: _Stmt) -> None:
        for v in (st.action or ()) + (st.not_action or ()):
            if isinstance(v, Unknown):
                more = "grant" if s.allow else "deny"
                self.unknown.append(f"Action {v.text} in {s.source} is unknown: it may {more} more")

    def _cap(self, name: str, doc: PolicyDocument | None, layer: str) -> None:
        if doc is None:
            self.caps.append((name, None))
            return
        self.documents.append((doc, layer, ""))
        label = document_label(doc)
        allows: list[_Stmt] = []
        for st in doc.statements:
            s = _statement(st, self._source(Source(layer, label, st.span, "", doc.aws_managed is not None)))
            if s is None:
                continue
            self._note_unknown(st, s)
            (allows if s.allow else self.denies).append(s)
        self.caps.append((name, allows))

    # -- deciding --------------------------------------------------------------------------
    def decide(self, action: str, resource: str | None = "*") -> Decision:
        """The answer for ``action`` (AWS's spelling or any case) on ``resource``: a resource
        ARN or pattern, read literally (``"*"``: every resource), or None for "on some
        resource". Cached."""
        key = (action.lower(), resource)
        got = self._decided.get(key)
        if got is None:
            got = self._decided[key] = self._decide(action, resource)
        return got

    def _candidates(self, action: str) -> tuple[list[_Stmt], list[_Stmt]]:
        """The identity Allow and the Deny statements that may match ``action``'s service, in
        order: a principal with hundreds of statements is asked about thousands of actions."""
        service = action.partition(":")[0].lower()
        got = self._index.get(service)
        if got is None:
            got = self._index[service] = (
                [s for s in self.identity if s.may_match_service(service)],
                [s for s in self.denies if s.may_match_service(service)],
            )
        return got

    def _decide(self, action: str, resource: str | None) -> Decision:
        full: list[_Stmt] = []
        partial: list[tuple[_Stmt, tuple[str, ...]]] = []
        identity, denies = self._candidates(action)
        for s in identity:
            if not s.matches_action(action):
                continue
            fit = s.resource_fit(resource, action)
            if fit == "none":
                continue
            why = s.conditions + (s.maybe(resource) if fit == "some" else ())
            if fit == "all" and not s.conditions:
                full.append(s)
            else:
                partial.append((s, why))
        denied: list[Source] = []
        unless: list[str] = []
        for s in denies:
            if not s.matches_action(action):
                continue
            fit = s.resource_fit("*" if resource is None else resource)
            if fit == "all" and not s.conditions:
                denied.append(s.source)
            elif fit != "none":
                cond = " and ".join(s.conditions) or "its Resource names it"
                unless.append(f"unless the Deny of {s.source} applies ({cond})")
        granted = tuple(s.source for s in full) or tuple(s.source for s, _ in partial)
        if denied:
            return Decision(action, resource, Verdict.DENIED, granted, (), tuple(denied))
        if not full and not partial:
            return Decision(action, resource, Verdict.NOT_GRANTED)
        capped: list[str] = []
        cap_conditions: list[str] = []
        for name, allows in self.caps:
            if allows is None:
                cap_conditions.append(f"if the {name} (unknown) allows it")
                continue
            hits = [
                s for s in allows if s.matches_action(action) and s.resource_fit(resource, action) != "none"
            ]
            if not hits:
                capped.append(name)
            elif not any(s.resource_fit(resource, action) == "all" and not s.conditions for s in hits):
                cap_conditions.append(
                    f"if {name} allows it ({' and '.join(hits[0].conditions) or 'resource'})"
                )
        if capped:
            return Decision(action, resource, Verdict.DENIED, granted, (), (), tuple(capped))
        conditions: list[str] = []
        if not full:
            for _, why in partial:
                conditions.extend(w for w in why if w not in conditions)
        conditions += cap_conditions + unless
        verdict = Verdict.CONDITIONAL if conditions else Verdict.ALLOWED
        if full or not any(s.unknown_refs for s, _ in partial):
            return Decision(action, resource, verdict, granted, tuple(conditions))
        named = [s for s, _ in partial if s.refers_only(resource)]
        refers = tuple(dict.fromkeys((a, s.source) for s in named for a in s.unknown_refs))
        return Decision(
            action,
            resource,
            verdict,
            granted,
            tuple(conditions),
            refers_to=refers,
            refers_only=len(named) == len(partial) and not cap_conditions and not unless,
            refers_clean=not cap_conditions and not unless,
        )

    # -- listing ---------------------------------------------------------------------------
    def permissions(self) -> Iterator[Permission]:
        """What the identity policies grant, decided: for each resource pattern they grant on,
        the granted actions of each service and access level, grouped by equal answers, by
        service then access level (Permissions management first) then first action.
        Wildcards and ``NotAction`` expand through the action catalogue (without it: the
        patterns as written). A service whose every statement matches all of its actions
        (``*``, ``s3:*``) is decided once, not per action: an administrator holds 20,000."""
        cat = catalogue()
        #: resource pattern -> service -> action names in order, or None for all of them
        wanted: dict[str, dict[str, dict[str, None] | None]] = {}
        for s in self.identity:
            targets = (
                ["*"]
                if s.negated_resource
                else list(dict.fromkeys(s.resources + s.variable_resources + s.unknown_resources))
            )
            granted = _granted_by_service(cat, s)
            for t in targets:
                per_service = wanted.setdefault(t, {})
                for service, names in granted.items():
                    if names is None:
                        per_service[service] = None
                        continue
                    if service not in per_service:
                        per_service[service] = {}
                    got = per_service[service]
                    if got is not None:
                        got.update(dict.fromkeys(names))
        groups: dict[tuple, list[str]] = {}
        first: dict[tuple, Decision] = {}
        expanded: dict[int, frozenset[str]] = {}

        def covered(st: _Stmt) -> frozenset[str]:
            """The actions (lower-cased) a statement's patterns name, through the catalogue."""
            got = expanded.get(id(st))
            if got is None:
                assert cat is not None
                got = expanded[id(st)] = frozenset(a.lower() for p in st.actions for a in cat.expand(p))
            return got

        for target, by_service in wanted.items():
            for service, listed in by_service.items():
                levels = _levels(cat, service)
                service_names = list(levels) if listed is None else list(listed)
                if not service_names:
                    continue
                shared = self.decide(service_names[0], target) if self._uniform(service) else None
                if shared is not None:  # one answer for the whole service: group by level only
                    if listed is None:
                        per_level = _by_level(cat, service)
                    else:
                        per_level = {}
                        for n in service_names:
                            per_level.setdefault(levels.get(n, "Unknown"), []).append(n)
                    for level, level_names in per_level.items():
                        key = (
                            service,
                            level,
                            target,
                            shared.verdict,
                            tuple(map(id, shared.granted_by)),
                            shared.conditions,
                            tuple(map(id, shared.denied_by)),
                            shared.capped_by,
                        )
                        groups.setdefault(key, []).extend(level_names)
                        first.setdefault(key, shared)
                    continue
                identity, denies = self._candidates(service + ":")
                involved = [*identity, *denies]
                involved += [
                    st for _, allows in self.caps for st in allows or () if st.may_match_service(service)
                ]
                # an answer depends only on the statements that match the action: split the
                # actions by the statements that match them (set operations), decide once each
                original = {n.lower(): n for n in service_names}
                blocks: list[frozenset[str]] = [frozenset(original)]
                if cat is None:
                    blocks = [frozenset((low,)) for low in original]
                else:
                    for st in involved:
                        cov = covered(st)
                        split = []
                        for b in blocks:
                            inside, outside = b & cov, b - cov
                            split += [x for x in (inside, outside) if x]
                        blocks = split
                for block in blocks:
                    block_names = sorted((original[low] for low in block), key=str.lower)
                    d = self.decide(block_names[0], target)
                    per_level = {}
                    for n in block_names:
                        per_level.setdefault(levels.get(n, "Unknown"), []).append(n)
                    for level, level_names in per_level.items():
                        key = (
                            service,
                            level,
                            target,
                            d.verdict,
                            tuple(map(id, d.granted_by)),  # each statement's one Source
                            d.conditions,
                            tuple(map(id, d.denied_by)),
                            d.capped_by,
                        )
                        groups.setdefault(key, []).extend(level_names)
                        first.setdefault(key, d)
        out = []
        for key, names in groups.items():
            names.sort(key=str.lower)
            out.append(Permission(key[0], key[1], first[key], tuple(names)))
        out.sort(key=lambda p: (p.service, _LEVEL_ORDER.get(p.access_level, 9), p.actions[0].lower()))
        yield from out

    def _uniform(self, service: str) -> bool:
        """Whether every statement that may match an action of ``service`` matches all of
        them, so that they all get the same answer."""
        identity, denies = self._candidates(service + ":")
        caps = [s for _, allows in self.caps for s in allows or () if s.may_match_service(service)]
        return all(s.uniform_on(service) for s in (*identity, *denies, *caps))

    def to_json(self, permissions: bool = True) -> dict[str, Any]:
        """The JSON form ``iamlint explain --format json`` prints (escalation paths are added
        by `iamlint.escalation`)."""
        p = self.principal
        out: dict[str, Any] = {
            "principal": p.address,
            "kind": p.kind,
            "file": p.span.file,
            "line": p.span.line,
            "column": p.span.column,
            "policies": [
                {
                    "policy": document_label(d),
                    "layer": layer,
                    **({"via": via} if via else {}),
                    "file": d.span.file,
                    "line": d.span.line,
                    **({"aws_managed": d.aws_managed} if d.aws_managed else {}),
                }
                for d, layer, via in self.documents
            ],
            "unknown": list(dict.fromkeys(self.unknown)),
        }
        if permissions:
            by_service: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for perm in self.permissions():
                entry = perm.to_json()
                by_service.setdefault(perm.service, {}).setdefault(perm.access_level, []).append(entry)
            out["permissions"] = by_service
        return out


_LEVELS: dict[tuple[int, str], dict[str, str]] = {}


def _levels(cat: Any, service: str) -> dict[str, str]:
    """Every action of a service and its access level (AWS's spelling), once per run."""
    if cat is None:
        return {}
    got = _LEVELS.get((id(cat), service))
    if got is None:
        got = _LEVELS[(id(cat), service)] = dict(cat.access_levels(service))
    return got


def _granted_by_service(cat: Any, s: _Stmt) -> dict[str, list[str] | None]:
    """The actions a statement's Action (or NotAction) names, by service; None for every
    action of the service. Without a catalogue, the patterns as written."""
    out: dict[str, list[str] | None] = {}
    if cat is None:
        for p in () if s.negated_action else s.actions:
            out.setdefault(p.partition(":")[0].lower(), []).append(p)  # type: ignore[union-attr]
        return out
    if not s.negated_action and any(p.strip("*") == "" for p in s.actions):
        return dict.fromkeys(cat.services())
    names = {a.lower(): a for p in s.actions for a in cat.expand(p)}
    if s.negated_action:
        touched = {n.partition(":")[0] for n in names}
        for service in cat.services():
            if service not in touched:
                out[service] = None
            else:
                out[service] = [n for n in _levels(cat, service) if n.lower() not in names]
        return out
    for a in names.values():
        out.setdefault(a.partition(":")[0].lower(), []).append(a)  # type: ignore[union-attr]
    return out


_BY_LEVEL: dict[tuple[int, str], dict[str, list[str]]] = {}


def _by_level(cat: Any, service: str) -> dict[str, list[str]]:
    """Every action of a service by access level, each list sorted, once per run."""
    got = _BY_LEVEL.get((id(cat), service))
    if got is None:
        got = {}
        for n, level in _levels(cat, service).items():
            got.setdefault(level, []).append(n)
        for names in got.values():
            names.sort(key=str.lower)
        _BY_LEVEL[(id(cat), service)] = got
    return got


_LEVEL_ORDER = {"Permissions management": 0, "Write": 1, "Tagging": 2, "Read": 3, "List": 4}


def _statement(st: Statement, source: Source) -> _Stmt | None:
    if not (st.is_allow or st.is_deny):
        return None
    negated_action = st.action is None and st.not_action is not None
    act_values = st.not_action if negated_action else st.action
    actions = tuple(v.value.strip() for v in act_values or () if isinstance(v, Str))
    negated_resource = st.resource is None and st.not_resource is not None
    res_values = st.not_resource if negated_resource else st.resource
    literal = [v.canonical().strip() for v in res_values or () if isinstance(v, Str)]
    variable = tuple(r for r in literal if "${" in r and not negated_resource)
    resources = tuple(r for r in literal if r not in variable)
    unknowns = [v for v in res_values or () if isinstance(v, Unknown)]
    unknown_resources = tuple(v.text for v in unknowns)
    unknown_refs = tuple(
        v.refers_to[0] if v.refers_to is not None and "iam:role" in v.arn_types else "" for v in unknowns
    )
    conditions = tuple(_condition_text(c) for c in st.condition)
    if st.condition_unresolved:
        conditions += ("a condition iamlint cannot resolve",)
    return _Stmt(
        st.is_allow,
        source,
        actions,
        negated_action,
        resources,
        negated_resource,
        unknown_resources,
        variable,
        conditions,
        unknown_refs if not negated_resource else (),
    )


# -- the graph -----------------------------------------------------------------------------------
class Evaluator:
    """The effective permissions of the principals of one file or module.

    ``principals``: the attachment graph (`iamlint.model.IAMPrincipal`); groups are found in
    it by address. ``org_policies``: SCPs and RCPs that govern the account, only as the
    configuration names them (``org-policies``): iamlint never assumes a repository's SCPs
    govern its templates. `effective` is computed once per principal.
    """

    def __init__(self, principals: Sequence[IAMPrincipal], org_policies: Sequence[PolicyDocument] = ()):
        self.principals = tuple(principals)
        self.org_policies = tuple(org_policies)
        self._by_address: dict[str, IAMPrincipal] = {}
        for p in self.principals:
            self._by_address.setdefault(p.address, p)
        self._cache: dict[int, Effective] = {}

    def principal(self, address: str) -> IAMPrincipal | None:
        return self._by_address.get(address)

    def effective(self, principal: IAMPrincipal) -> Effective:
        got = self._cache.get(id(principal))
        if got is not None and got.principal is principal:
            return got
        eff = Effective(principal, evaluator=self)
        self._holder(eff, principal, "identity", "")
        if principal.kind == "user":
            seen = {principal.address}
            for g in principal.groups:
                if g in seen:
                    continue  # a membership cycle or a repeat: read each group once
                seen.add(g)
                group = self._by_address.get(g)
                if group is None or group is principal:
                    eff.unknown.append(f"group {g} is not defined here: its policies may grant more")
                    continue
                self._holder(eff, group, "group", group.address)
        if principal.boundary is not None:
            ref = principal.boundary
            name = ref.name or (ref.value.value if isinstance(ref.value, Str) else ref.value.text)
            if ref.document is None:
                eff.unknown.append(f"permissions boundary {name} cannot be read: it may cap any action")
            eff._cap(f"permissions boundary {name}", ref.document, "boundary")
        for doc in self.org_policies:
            eff._cap(f"organization policy {document_label(doc)}", doc, "org")
        self._cache[id(principal)] = eff
        return eff

    @staticmethod
    def _holder(eff: Effective, holder: IAMPrincipal, layer: str, via: str) -> None:
        for doc in holder.inline:
            eff._read(doc, layer, via)
        for ref in holder.managed:
            if ref.document is not None:
                eff._read(ref.document, layer, via)
            else:
                text = ref.value.value if isinstance(ref.value, Str) else ref.value.text
                where = f" (via {via})" if via else ""
                eff.unknown.append(f"managed policy {text}{where} cannot be read: it may grant more")

    def all(self) -> Iterator[Effective]:
        """Every principal's effective permissions, in the graph's order."""
        for p in self.principals:
            yield self.effective(p)


def evaluator(ctx: Context) -> Evaluator:
    """The evaluator of the file or module a rule is checking: one per `Context`, so that
    every rule shares its answers. Organization policies come from the configuration
    (``org-policies``, as documents in ``ctx.settings["org-policy-documents"]``)."""
    got = ctx.cache.get("evaluator")
    if not isinstance(got, Evaluator):
        got = ctx.cache["evaluator"] = Evaluator(
            ctx.principals, ctx.settings.get("org-policy-documents") or ()
        )
    return got
