"""IAM501 unknown-action."""

from __future__ import annotations

import re
from collections.abc import Iterable

from iamlint.api import (
    Context,
    Finding,
    PolicyDocument,
    Severity,
    Statement,
    StatementRule,
    Str,
    catalogue,
)

_FORM = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9*?_-]+$")


class UnknownAction(StatementRule):
    """Checks for actions that AWS does not have.

    ## What it does
    Looks up every literal value of `Action` and `NotAction` in iamlint's AWS action
    catalogue (see `iamlint --version` for its sources and date) and flags an unknown
    service prefix, an unknown action (with the closest known one: "did you mean
    `s3:GetObject`?"), a wildcard that matches no action of its service, and a value that
    is not of the form `service:action`. Case does not matter, as in AWS.

    ## Why is this bad?
    IAM accepts unknown actions without complaint and they grant nothing, so a typo fails
    silently: the workload gets `AccessDenied` in production, or, in a `Deny` or
    `NotAction`, the intended guard does not exist.

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
    """

    code = "IAM501"
    name = "unknown-action"
    severity = Severity.WARNING

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        cat = catalogue()
        if cat is None:
            return
        for _element, values in (("Action", stmt.action), ("NotAction", stmt.not_action)):
            for v in values or ():
                if not isinstance(v, Str) or v.value == "*" or "${" in v.value:
                    continue
                message = self._problem(cat, v.value.strip())
                if message:
                    yield self.report(v.span, message, owner=doc, value=v.value)

    @staticmethod
    def _problem(cat, value: str) -> str | None:
        if not _FORM.match(value):
            return f"{value!r} is not an action: write service:action, such as s3:GetObject"
        service = value.split(":", 1)[0]
        if not cat.has_service(service):
            return f"unknown service prefix {service!r} in {value!r}"
        if "*" in value or "?" in value:
            if not cat.expand(value):
                return f"{value!r} matches no {service} action"
            return None
        if cat.action(value) is None:
            close = cat.closest(value)
            hint = f" (did you mean {close}?)" if close else ""
            return f"unknown action {value}{hint}"
        return None
