"""IAM502 policy-grammar."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from iamlint.api import (
    Context,
    DocKind,
    DocumentRule,
    Finding,
    PolicyDocument,
    Principal,
    Severity,
    Span,
    Str,
)
from iamlint.schemacheck import errors, is_valid

UNRESOLVED = "${?}"


def grammar() -> dict:
    from iamlint.data import policy_grammar

    return policy_grammar()


@functools.cache
def schema_for(kind: str) -> dict:
    """The grammar of one kind of policy: the common grammar and the kind's statement rules,
    their descriptions naming the kind (``{kind}``: "a resource control policy")."""
    g = grammar()
    kinds = g["kinds"]
    extra = kinds.get(kind, kinds["unknown"])
    title = extra.get("title", "a policy")
    if "same_as" in extra:
        extra = kinds[extra["same_as"]]
    schema = {"$schema": g["$schema"], "definitions": copy.deepcopy(g["definitions"])}
    rules = json.loads(json.dumps(extra.get("statement", {}).get("allOf", [])).replace("{kind}", title))
    schema["definitions"]["statement"]["allOf"] += rules
    schema["$ref"] = "#/definitions/document"
    return schema


def _val(v) -> str:
    return v.value if isinstance(v, Str) else UNRESOLVED


def _principal(p: Principal) -> Any:
    if p.entries and p.entries[0].kind == "*":
        return _val(p.entries[0].value)
    out: dict[str, list[str]] = {}
    for e in p.entries:
        out.setdefault(e.kind, []).append(_val(e.value))
    return out


def instance(doc: PolicyDocument) -> dict:
    """The document as the grammar sees it, rebuilt from the model (unresolved values: ``${?}``)."""
    out: dict[str, Any] = {}
    for k in doc.keys:
        if k.value == "Version":
            out["Version"] = _val(doc.version) if doc.version is not None else UNRESOLVED
        elif k.value == "Statement":
            out["Statement"] = []
        else:
            out[k.value] = UNRESOLVED
    for s in doc.statements:
        st: dict[str, Any] = {}
        for k in s.keys:
            name = k.value
            if name == "Sid":
                st[name] = _val(s.sid) if s.sid is not None else UNRESOLVED
            elif name == "Effect":
                st[name] = _val(s.effect) if s.effect is not None else UNRESOLVED
            elif name in ("Action", "NotAction", "Resource", "NotResource"):
                field = re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()
                st[name] = [_val(v) for v in getattr(s, field) or ()]
            elif name in ("Principal", "NotPrincipal"):
                p = s.principal if name == "Principal" else s.not_principal
                st[name] = _principal(p) if p is not None else UNRESOLVED
            elif name == "Condition":
                cond: dict[str, dict] = {}
                for c in s.condition:
                    cond.setdefault(c.operator.value, {})[c.key] = [_val(v) for v in c.values]
                st[name] = cond
            else:
                st[name] = UNRESOLVED
        out.setdefault("Statement", []).append(st)
    return out


class PolicyGrammar(DocumentRule):
    """Checks policy documents against the IAM policy grammar.

    ## What it does
    Validates every policy document against a JSON Schema of the IAM policy grammar
    (shipped as `iamlint/data/policy_grammar.json`): a missing `Statement` or `Effect`,
    unknown elements such as `Actions` (with a suggestion), `Effect` other than `Allow` or
    `Deny`, a `Version` other than `2012-10-17` or `2008-10-17`, both `Action` and
    `NotAction` (or neither), unknown condition operators, and the rules of each kind of
    policy, as AWS documents them:

    - identity policies, permissions boundaries and session policies: no `Principal` or
      `NotPrincipal`, a `Resource` or `NotResource`;
    - resource policies: a `Principal` (or `NotPrincipal`) and a `Resource` (policies
      attached to one resource, such as ECR repository policies, need no `Resource`);
    - trust policies: a `Principal`, no `NotPrincipal`, no `Resource`;
    - service control policies: no `Principal` or `NotPrincipal`;
    - resource control policies (AWS Organizations, "RCP syntax"): `"Principal": "*"` and
      nothing else (name principals in conditions), no `NotPrincipal` or `NotAction`, a
      `Resource` or `NotResource`, `"Effect": "Deny"` (only the AWS managed
      `RCPFullAWSAccess` allows), and only actions of the services RCPs apply to (Amazon
      S3, AWS STS, AWS KMS, Amazon SQS, AWS Secrets Manager, Amazon Cognito, Amazon
      CloudWatch Logs, Amazon DynamoDB, Amazon ECR, Amazon OpenSearch Serverless);
    - VPC endpoint policies: the common grammar only.

    A document's kind comes from where it is written (`AWS::IAM::Role`'s
    `AssumeRolePolicyDocument` is a trust policy, an `aws_organizations_policy` of type
    `RESOURCE_CONTROL_POLICY` an RCP); a raw JSON file's from its shape (a document with both
    a `Principal` and a `Resource` is a resource policy, never a trust policy) or from
    `[tool.iamlint.kinds]`. Values iamlint cannot resolve (a `Ref`, a Terraform variable) are
    accepted.

    ## Why is this bad?
    AWS rejects a malformed policy at deploy time, after a review that read it as valid;
    worse, some mistakes deploy fine and do something else (`"Effect": "allow"` is rejected,
    but an unknown element in a resource policy may be silently ignored by a service).

    ## Example
    ```json hl_lines="6"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Actions": ["s3:GetObject"],
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
          "Action": ["s3:GetObject"],
          "Resource": "arn:aws:s3:::reports/*"
        }
      ]
    }
    ```
    """

    code = "IAM502"
    name = "policy-grammar"
    severity = Severity.ERROR
    security_severity = None
    precision = "very-high"

    def check(self, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        owner = doc.origin.label
        for message, span in doc.problems:
            yield self.report(span, message, owner=owner, value=message)
        yield from self._duplicate_sids(doc, owner)
        if doc.kind is DocKind.RCP:
            for message, span in _rcp_actions(doc):
                yield self.report(span, message, owner=owner, value=message)
        data = instance(doc)
        kind = doc.kind.value
        if doc.kind is DocKind.RESOURCE and doc.single_resource:
            kind = "resource-implicit"  # ECR repository policies have no Resource element
        schema = schema_for(kind)
        if is_valid(data, schema):  # the fast path; jsonschema only explains what fails it
            return
        seen: set[tuple] = set()
        for err in errors(data, schema):
            for message, span in self._explain(err, doc, data):
                key = (message, span)
                if key not in seen:
                    seen.add(key)
                    yield self.report(span, message, owner=owner, value=message)

    # -- Sids ---------------------------------------------------------------------------------------
    def _duplicate_sids(self, doc: PolicyDocument, owner: str | None) -> Iterable[Finding]:
        """A ``Sid`` an earlier statement of the policy has, at the later one.

        IAM refuses duplicate Sids in the policies it holds (identity, trust and boundary
        policies: "Statement IDs (SID) in a single policy must be unique"), and so do SNS and
        SQS ("Every policy statement must have a unique ID"): an error there. Other resource
        policies, SCPs and endpoint policies are stored as written by services that do not
        promise to accept them (and tools that key statements by Sid lose one): a warning."""
        seen: dict[str, Str] = {}
        for stmt in doc.statements:
            sid = stmt.sid
            if not isinstance(sid, Str) or stmt.alternative or not sid.value:
                continue
            first = seen.get(sid.value)
            if first is None:
                seen[sid.value] = sid
                continue
            if _unique_sids_required(doc):
                service = _service(doc)
                why = _SID_RULE[service] if service else "IAM requires unique Sids in a policy"
                severity = Severity.ERROR
            else:
                severity, why = Severity.WARNING, "AWS's policy grammar asks for unique Sids"
            yield self.report(
                sid,
                f"duplicate Sid {sid.value!r} (also on line {first.span.line}): {why}",
                owner=owner,
                value=f"duplicate Sid {sid.value}",
                severity=severity,
            )

    # -- turning jsonschema errors into messages at the right place -----------------------------
    def _explain(self, err, doc: PolicyDocument, data: dict) -> Iterable[tuple[str, Span]]:
        path = list(err.absolute_path)
        if path[:1] == ["Statement"] and len(path) >= 2:
            stmt = doc.statements[path[1]]
            where = "statement" + (f" {stmt.sid.value!r}" if isinstance(stmt.sid, Str) else "")
            key_spans = {k.value: k.span for k in stmt.keys}
            rest = path[2:]
            if not rest:
                yield from self._object_error(err, where, stmt.span, key_spans, STATEMENT_KEYS)
                return
            element = rest[0]
            span = stmt.element_spans.get(element, key_spans.get(element, stmt.span))
            kind_rule = err.schema.get("description") if isinstance(err.schema, dict) else None
            if element == "Effect":
                if not kind_rule:
                    yield f'Effect must be "Allow" or "Deny", not {err.instance!r}', span
                elif err.instance in ("Allow", "Deny"):  # else the common grammar says what is wrong
                    yield f"{where}: {kind_rule}", span
            elif element == "Principal" and kind_rule:
                yield f"{where}: {kind_rule}", span
            elif element == "Condition" and err.validator in ("propertyNames", "pattern"):
                op = next((c for c in stmt.condition if c.operator.value == err.instance), None)
                where = op.operator.span if op else span
                if op is not None and op.base == "null" and op.if_exists:
                    yield (
                        f"condition operator {err.instance!r}: IfExists cannot be added to Null, which "
                        "itself tests whether the key is in the request",
                        where,
                    )
                else:
                    yield f"unknown condition operator {err.instance!r}", where
            elif element in ("Principal", "NotPrincipal"):
                yield (
                    f'{element} must be "*" or a map with the keys AWS, Service, Federated or CanonicalUser',
                    span,
                )
            else:
                yield f"{element}: {err.message}", span
            return
        key_spans = {k.value: k.span for k in doc.keys}
        if path[:1] == ["Version"]:
            span = doc.version.span if doc.version is not None else key_spans.get("Version", doc.span)
            yield f'Version must be "2012-10-17" (or the obsolete "2008-10-17"), not {err.instance!r}', span
            return
        if not path:
            yield from self._object_error(err, "policy document", doc.span, key_spans, DOCUMENT_KEYS)
            return
        yield err.message, doc.span

    def _object_error(self, err, where: str, span: Span, key_spans: dict, known: tuple):
        import difflib

        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for k in extra:
                close = difflib.get_close_matches(k, known, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield f"unknown element {k!r} in a {where.split(' ')[0]}{hint}", key_spans.get(k, span)
        elif err.validator == "required":
            missing = [r for r in err.validator_value if r not in err.instance]
            yield f"{where} has no {' or '.join(missing)}", span
        elif err.validator in ("allOf", "anyOf", "not"):
            if err.validator == "anyOf" and _explained_by_typo(err, known):
                return  # "Actions" already says "did you mean 'Action'?"
            message = f"{where}: {err.schema.get('description') or describe(err)}"
            # an element that is present but not allowed here: point at the element itself
            present = [k for k in _forbidden(err.schema) if k in err.instance]
            if present:
                for k in present:
                    yield message, key_spans.get(k, span)
            else:
                yield message, span
        else:
            yield f"{where}: {err.message}", span


def _rcp_actions(doc: PolicyDocument) -> Iterable[tuple[str, Span]]:
    """Actions of services that resource control policies do not apply to (AWS Organizations
    refuses such an RCP). A service prefix with a wildcard, or unresolved, is not judged."""
    from iamlint.data import rcp_services

    services = rcp_services()
    for stmt in doc.statements:
        for v in stmt.action or ():
            if not isinstance(v, Str) or ":" not in v.value:
                continue
            service = v.value.split(":", 1)[0]
            if "*" in service or "?" in service or service.lower() in services:
                continue
            yield (
                f"{v.value!r}: resource control policies do not apply to {service} "
                f"(only to {', '.join(sorted(services))})",
                v.span,
            )


def _forbidden(schema: dict) -> list[str]:
    """The elements a kind-specific ``not: {anyOf: [{required: [X]}...]}`` forbids.

    ("Both Action and NotAction", ``not: {required: [A, B]}``, stays on the statement.)
    """
    inner = schema.get("not")
    if not isinstance(inner, dict):
        return []
    return [name for sub in inner.get("anyOf", ()) for name in sub.get("required", ())]


def _explained_by_typo(err, known: tuple) -> bool:
    """A missing element that an unknown key of the same object is a misspelling of."""
    import difflib

    wanted = [r for s in err.schema.get("anyOf", ()) for r in s.get("required", ())]
    extra = [k for k in err.instance if k not in known]
    return any(difflib.get_close_matches(k, wanted, n=1, cutoff=0.6) for k in extra)


#: resource policies whose service refuses duplicate Sids, and what it says
_SID_RULE = {
    "sns": "SNS requires a unique Sid in every statement of a topic policy",
    "sqs": "SQS requires a unique Sid in every statement of a queue policy",
}
_SID_OWNERS = {
    "AWS::SNS::TopicPolicy": "sns",
    "AWS::SNS::TopicInlinePolicy": "sns",
    "AWS::SNS::Topic": "sns",
    "aws_sns_topic_policy": "sns",
    "aws_sns_topic": "sns",
    "AWS::SQS::QueuePolicy": "sqs",
    "AWS::SQS::QueueInlinePolicy": "sqs",
    "aws_sqs_queue_policy": "sqs",
    "aws_sqs_queue": "sqs",
}


def _service(doc: PolicyDocument) -> str | None:
    return _SID_OWNERS.get(doc.origin.owner_type or "")


def _unique_sids_required(doc: PolicyDocument) -> bool:
    """IAM's own policies (and raw policy files, which are usually IAM's), SNS and SQS policies."""
    if doc.kind in (DocKind.IDENTITY, DocKind.TRUST, DocKind.BOUNDARY, DocKind.UNKNOWN):
        return True
    return _service(doc) is not None


STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)
DOCUMENT_KEYS = ("Version", "Id", "Statement")


def describe(err) -> str:
    """A sentence for the key-presence constraints of the grammar."""
    schema = err.schema
    if "not" in schema:
        inner = schema["not"]
        if "required" in inner:
            return f"has both {' and '.join(inner['required'])}; use one"
        names = [r for s in inner.get("anyOf", ()) for r in s.get("required", ())]
        return f"must not have {' or '.join(names)} in this kind of policy"
    if "anyOf" in schema:
        names = [r for s in schema["anyOf"] for r in s.get("required", ())]
        return f"needs {' or '.join(names)}"
    return err.message
