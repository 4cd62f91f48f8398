"""IAM501 unknown-action."""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamlint.api import (
    Context,
    Finding,
    IAMPrincipal,
    ManagedPolicyRef,
    PolicyDocument,
    Rule,
    Severity,
    Statement,
    Str,
    catalogue,
    replace_fix,
)

_FORM = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?_-]+$")


class UnknownAction(Rule):
    """Checks for actions, and AWS managed policies, that AWS does not have.

    ## What it does
    Looks up every literal value of `Action` and `NotAction` in iamlint's AWS action
    catalogue (see `iamlint --version` for its sources and date) and flags a service prefix
    the catalogue does not have (the message gives the catalogue's date: a retired service
    such as `deeplens`, one newer than the catalogue, or a typo), an unknown action of a
    known service (with the closest known one: "did you mean `s3:GetObject`?"), a wildcard
    that matches no action of its service, and a value that is not of the form
    `service:action`. Case does not matter, as in AWS. The statements of a SAM policy
    template (`SQSPollerPolicy`, ...) are not checked: SAM writes them, the user only gives
    their parameters and cannot change an action SAM grants (`SQSPollerPolicy` includes
    `sqs:ChangeMessageVisibilityBatch`, which is not an IAM action, beside
    `sqs:ChangeMessageVisibility`, which is).

    It also flags an attached AWS managed policy (`arn:aws:iam::aws:policy/...` in
    `ManagedPolicyArns`, SAM `Policies`, `ManagedPolicies`, Terraform attachments and
    `managed_policy_arns`, or a permissions boundary) that iamlint's offline index of AWS
    managed policies does not have, with the closest names ("did you mean
    `AdministratorAccess`?"), or the policy's real ARN when only the path is wrong
    (`arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole` is under `service-role/`). The
    index is a snapshot (see `iamlint --version`): a policy AWS published after it is
    reported too; an ARN iamlint cannot resolve (a parameter, a variable) is not.

    ## Why is this bad?
    IAM accepts unknown actions without complaint and they grant nothing, so a typo fails
    silently: the workload gets `AccessDenied` in production, or, in a `Deny` or
    `NotAction`, the intended guard does not exist. A managed policy ARN that names no
    policy fails the deployment instead ("Policy ... does not exist or is not attachable").

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "s3:GetObjects",
          "Resource": "arn:aws:s3:::reports/*"
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
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```

    ## Fix
    Unsafe, sometimes: an unknown action becomes the known action it most resembles (the
    "did you mean"). It changes what the statement grants or denies, so it needs
    `--unsafe-fixes` (docs/fixes.md); read the result.
    """

    code = "IAM501"
    name = "unknown-action"
    severity = Severity.WARNING
    security_severity = "3.7"
    precision = "high"
    scopes = ("statement", "principal")

    def check_statement(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        return self.check(stmt, doc, ctx)

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        cat = catalogue()
        if cat is None or doc.policy_template:
            return
        for element, values in (("Action", stmt.action), ("NotAction", stmt.not_action)):
            for v in values or ():
                if not isinstance(v, Str) or v.value == "*" or "${" in v.value:
                    continue
                message, close = self._problem(cat, v.value.strip())
                if message:
                    fix = None
                    if close:  # changes what the statement grants or denies: unsafe
                        fix = replace_fix(
                            v,
                            close,
                            f'Replace "{v.value}" with "{close}"',
                            safe=False,
                            within=stmt.element_spans.get(element),
                        )
                    yield self.report(v.span, message, owner=doc, value=v.value, fix=fix)

    @staticmethod
    def _problem(cat, value: str) -> tuple[str | None, str | None]:
        """What is wrong with an action, and the known action it was probably meant to be."""
        if not _FORM.match(value):
            return f"{value!r} is not an action: write service:action, such as s3:GetObject", None
        service = value.split(":", 1)[0]
        if not cat.has_service(service):
            return (
                f"service prefix {service!r} of {value!r} is not in the catalogue of {cat.built} "
                "(retired, newer, or a typo)",
                None,
            )
        if "*" in value or "?" in value:
            if not cat.expand(value):
                return f"{value!r} matches no {service} action", None
            return None, None
        if cat.action(value) is None:
            close = cat.closest(value)
            hint = f" (did you mean {close}?)" if close else ""
            return f"unknown action {value}{hint}", close or None
        return None, None

    # -- AWS managed policies that do not exist ------------------------------------------------
    def check_principal(self, principal: IAMPrincipal, ctx: Context) -> Iterable[Finding]:
        from iamlint.managed import ManagedPolicyError

        seen: set[tuple] = set()
        for ref in (*principal.managed, *((principal.boundary,) if principal.boundary else ())):
            if ref.name is None or ref.document is not None or not isinstance(ref.value, Str):
                continue  # not an AWS managed policy, resolved, or not literal
            key = (ref.value.span, ref.name)
            if key in seen:
                continue
            seen.add(key)
            try:
                message = unknown_managed_policy(ref)
            except ManagedPolicyError:
                return  # the index cannot be read: the extraction said so (IAM903)
            yield self.report(ref.value, message, owner=principal, value=f"managed:{ref.name[:128]}")


#: an IAM policy name: at most 128 of these (IAM API reference, CreatePolicy)
_POLICY_NAME = re.compile(r"[\w+=,.@-]{1,128}")


def unknown_managed_policy(ref: ManagedPolicyRef) -> str:
    """The message for an AWS managed policy the index does not have (`ManagedPolicyError`
    when the index cannot be read)."""
    from iamlint.managed import get

    assert ref.name is not None and isinstance(ref.value, Str)
    name, written = ref.name, ref.value.value
    shown = written if len(written) <= 120 else written[:117] + "..."
    if not _POLICY_NAME.fullmatch(name):
        return f"{shown} is not an AWS managed policy: a policy name is 1 to 128 letters, digits and +=,.@_-"
    index = get()
    known = index.lookup(name)
    if known is not None and known.path is not None and written.startswith("arn:"):
        head = written[: written.index(":policy/") + len(":policy")]
        return f"{shown} is not an AWS managed policy: {known.name} is {head}{known.path}{known.name}"
    near = index.suggest(name, n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    return f"{shown} is not an AWS managed policy in iamlint's index of {index.source['date']}{hint}"
