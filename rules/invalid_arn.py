"""IAM505 invalid-arn."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from iamlint.api import (
    PARTITIONS,
    THIS_ACCOUNT,
    VARIABLE,
    Context,
    Finding,
    PolicyDocument,
    Principal,
    Severity,
    Statement,
    StatementRule,
    Str,
    Unknown,
    arn_fields,
    catalogue,
    pattern_covers,
)

ARN_FORM = "arn:partition:service:region:account-id:resource"


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The value patterns, compiled on first use (a run without ARNs never pays for them)."""
    return {
        "region": re.compile(r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}"),
        "account": re.compile(r"\d{12}"),
        "canonical user": re.compile(r"[0-9a-f]{64}"),
        # the unique ids AWS shows in a policy for a deleted user or role (AIDA..., AROA...)
        "unique id": re.compile(r"A(IDA|ROA)[A-Z0-9]{12,}"),
        # AWS's service principals: lambda.amazonaws.com, s3.ap-east-1.amazonaws.com,
        # ec2.amazonaws.com.cn (China), alexa-appkit.amazon.com, and the isolated partitions'
        "service": re.compile(
            r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9<>](?:[a-z0-9<>-]*[a-z0-9>])?)*"
            r"\.(?:amazonaws\.com|amazonaws\.com\.cn|amazon\.com|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov"
            r"|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|aws\.internal)"
        ),
        "host": re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+"),
    }


#: resources whose policy iamlint writes from properties that take a name as well as an ARN:
#: an AWS::Lambda::Permission's FunctionName, an aws_lambda_permission's function_name
#: (Lambda's AddPermission accepts `reports`, `reports:live`, `123456789012:function:reports`
#: and the ARN)
NAMED_RESOURCES = frozenset({"AWS::Lambda::Permission", "aws_lambda_permission"})

#: accounts AWS itself writes in the account field: AWS managed policies
#: (``arn:aws:iam::aws:policy/...``), CloudFront origin access identities
#: (``arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2...``)
_AWS_ACCOUNTS = ("aws", "cloudfront")


def _wild(text: str) -> bool:
    return "*" in text or "?" in text or VARIABLE in text


class InvalidArn(StatementRule):
    """Checks for malformed ARNs, and values that are not ARNs where AWS expects one.

    ## What it does
    Reads every literal value of `Resource`, `NotResource`, `Principal` and `NotPrincipal`
    and flags, with what is wrong:

    * an ARN with fewer than six fields (`arn:partition:service:region:account-id:resource`),
      an empty service or resource part, `ARN:` in upper case;
    * a partition AWS does not have (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`,
      `aws-iso-e`, `aws-iso-f`, `aws-eusc`), a service no resource type of the catalogue has
      (with "did you mean"), a service in upper case;
    * a region where the resource type has none (IAM, S3 buckets and objects, CloudFront,
      Route 53 are global), no region where every format of the resource type has one, a
      region that is not a region name (`useast1`);
    * an account id that is not 12 digits (`'12345678901' has 11 digits`), or an account id
      where the resource type has none (S3 buckets and objects);
    * a policy variable left open (`${aws:username`);
    * a `Resource` value that is neither `"*"` nor an ARN (API Gateway's shorthand
      `execute-api:/stage/GET/path` for the API's own ARNs is one), or a map (the function
      an `AWS::Lambda::Permission` or `aws_lambda_permission` names may be a name, as Lambda
      accepts);
    * an `AWS` principal that is neither `"*"`, a 12-digit account id, an IAM or STS ARN nor
      a canonical user id, a wildcard inside a principal ARN (AWS matches principals exactly:
      use `"*"` with an `aws:PrincipalArn` condition), a `Service` principal that is not a
      service name such as `lambda.amazonaws.com`, `states.us-east-1.amazonaws.com` or
      `ec2.amazonaws.com.cn` (nor `"*"`, which AWS refuses), a `CanonicalUser` that is not 64
      hexadecimal characters, a `Federated` principal that is neither an identity provider's
      host name nor an IAM ARN.

    The fields are judged against the ARN formats of the resource types the value can be
    (the catalogue's, picked by the service and the start of the resource part). Values
    iamlint cannot resolve are not judged; pseudo values (`${AWS::AccountId}`,
    `${data.aws_caller_identity.current.account_id}`, `${AWS::Region}`), policy variables
    (`${aws:username}`) and wildcards stand for whatever they may hold, in `Resource`; a
    missing account id is not flagged (AWS's own resources, such as public SSM parameters and
    AWS-owned documents, have none).

    ## Why is this bad?
    AWS compares ARNs as text. A malformed ARN matches no resource, so the statement grants
    (or denies) nothing, silently; IAM refuses some outright at deploy time (a `Resource` that
    is not an ARN, a malformed principal), after a review that read them as fine.

    ## Example
    ```json hl_lines="7"
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "arn:aws:iam::12345678901:role/deploy"
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
          "Action": "iam:PassRole",
          "Resource": "arn:aws:iam::123456789012:role/deploy"
        }
      ]
    }
    ```
    """

    code = "IAM505"
    name = "invalid-arn"
    severity = Severity.ERROR
    security_severity = "3.7"
    precision = "high"

    def check(self, stmt: Statement, doc: PolicyDocument, ctx: Context) -> Iterable[Finding]:
        formats = _Formats.shared()
        for element, values in (("Resource", stmt.resource), ("NotResource", stmt.not_resource)):
            for v in values or ():
                if isinstance(v, Unknown):
                    if v.text.startswith("{") and v.text.endswith("}"):
                        yield self.report(v, f"a {element} value is a string, not a map", owner=doc)
                    continue
                if doc.origin.owner_type in NAMED_RESOURCES and not v.value.startswith("arn:"):
                    continue  # a function's name, with its alias or version, or a partial ARN
                message = self._resource(v, element, formats)
                if message:
                    yield self.report(v, message, owner=doc)
        for principal in (stmt.principal, stmt.not_principal):
            for message, v in self._principal(principal, formats):
                yield self.report(v, message, owner=doc)

    # -- Resource, NotResource ---------------------------------------------------------------------
    def _resource(self, v: Str, element: str, formats: _Formats) -> str | None:
        text = v.canonical().strip()
        if text == "*":
            return None
        open_var = _open_variable(text)
        if open_var:
            return open_var
        if text.startswith("execute-api:/"):
            return None  # API Gateway's shorthand for its own API's ARNs in a resource policy
        if text.startswith("${"):
            return None  # a template's placeholder (templatefile's ${bucket_arn}): any text
        if not text.startswith("arn:"):
            if text[:4].lower() == "arn:":
                return f"ARNs begin with 'arn:' in lower case, not {text[:4]!r}"
            return f'{_quote(v.value)} is not an ARN: a {element} is "*" or an ARN ({ARN_FORM})'
        return _arn_problem(v, formats)

    # -- Principal, NotPrincipal -------------------------------------------------------------------
    def _principal(self, principal: Principal | None, formats: _Formats) -> Iterable[tuple[str, Str]]:
        if principal is None:
            return
        for entry in principal.entries:
            v = entry.value
            if not isinstance(v, Str):
                continue
            kind = entry.kind.lower()
            text = v.canonical().strip()
            if text.startswith("${"):
                continue  # a template's placeholder for the whole value
            message = None
            if kind == "aws":
                message = _aws_principal(v, text, formats)
            elif kind == "service":
                message = _service_principal(text)
            elif kind == "canonicaluser":
                if not _patterns()["canonical user"].fullmatch(text):
                    message = f"{_quote(v.value)} is not a canonical user id: 64 hexadecimal characters"
            elif kind == "federated":
                if text.startswith("arn:"):
                    message = _arn_problem(v, formats, principal=True)
                elif not _patterns()["host"].fullmatch(text):
                    message = (
                        f"{_quote(v.value)} is not a federated principal: an identity provider's host "
                        "name (cognito-identity.amazonaws.com) or its IAM ARN (arn:aws:iam::123456789012:"
                        "saml-provider/name)"
                    )
            if message:
                yield message, v


def _quote(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _open_variable(text: str) -> str | None:
    """A ``${`` with no ``}`` after it (before the next ``${``)."""
    start = text.find("${")
    while start >= 0:
        end = text.find("}", start)
        nxt = text.find("${", start + 2)
        if end < 0 or (0 <= nxt < end):
            shown = text[start : (nxt if nxt >= 0 else len(text))][:40]
            return f"policy variable {shown!r} has no closing '}}'"
        start = nxt
    return None


def _aws_principal(v: Str, text: str, formats: _Formats) -> str | None:
    if (
        text in ("*", THIS_ACCOUNT)
        or _patterns()["account"].fullmatch(text)
        or _patterns()["canonical user"].fullmatch(text)
    ):
        return None
    if _patterns()["unique id"].fullmatch(text):
        return None
    if text.isdigit():
        return f"account id {text!r} has {len(text)} digits, not 12"
    if not text.startswith("arn:"):
        if text[:4].lower() == "arn:":
            return f"ARNs begin with 'arn:' in lower case, not {text[:4]!r}"
        return (
            f'{_quote(v.value)} is not an AWS principal: write "*", a 12-digit account id, or an '
            "IAM or STS ARN (arn:aws:iam::123456789012:role/name)"
        )
    return _arn_problem(v, formats, principal=True)


def _service_principal(text: str) -> str | None:
    if "${" in text:  # a placeholder for a part (logs.${region}.amazonaws.com): one label
        text = re.sub(r"\$\{[^}]*\}", "x", text)
    if text == "*":
        return 'a Service principal cannot be "*": name the service, such as lambda.amazonaws.com'
    if _patterns()["service"].fullmatch(text):
        return None
    if _patterns()["service"].fullmatch(text.lower()):
        return f"service principals are lower case: {text.lower()!r}"
    if text.startswith("arn:"):
        return f"{_quote(text)} is an ARN, not a service principal such as lambda.amazonaws.com"
    if re.fullmatch(r"[a-z0-9-]+", text):
        return f"{_quote(text)} is not a service principal: did you mean '{text}.amazonaws.com'?"
    return f"{_quote(text)} is not a service principal (a name such as lambda.amazonaws.com)"


def _arn_problem(v: Str, formats: _Formats, principal: bool = False) -> str | None:
    """What is wrong with an ARN value (None: nothing iamlint can tell)."""
    fields = arn_fields(v)
    if fields is None:
        count = v.canonical().count(":") + 1
        return f"an ARN has 6 fields ({ARN_FORM}); this one has {count}"
    _arn, partition, service, region, account, resource = fields
    if principal and (_wild(partition + service + region + account + resource)):
        if "*" in v.value or "?" in v.value:
            return (
                "a principal ARN cannot hold a wildcard: AWS matches principals exactly "
                '(use "*" with an aws:PrincipalArn condition)'
            )
    if partition not in PARTITIONS and partition != VARIABLE:
        if not partition:
            return f"the partition is empty ({ARN_FORM})"
        if not (_wild(partition) and any(pattern_covers(partition, p) for p in PARTITIONS)):
            return f"unknown partition {partition!r}: AWS's are {', '.join(PARTITIONS)}"
    if not service:
        return f"the service is empty ({ARN_FORM})"
    if not resource:
        return f"the resource part is empty ({ARN_FORM})"
    if _wild(service):
        return None
    known = formats.service(service)
    if known is None:
        if formats.service(service.lower()) is not None:
            return f"the service of an ARN is written in lower case: {service.lower()!r}"
        close = formats.closest(service)
        hint = f"; did you mean {close!r}?" if close else ""
        return f"unknown service {service!r}: no resource type of the catalogue has ARNs of it{hint}"
    if principal and service not in ("iam", "sts"):
        return f"an AWS principal is an IAM or STS ARN, not an ARN of {service}"
    if known.free:
        return None
    shapes = known.candidates(resource)
    if region and not _wild(region):
        if all(not s[0] for s in shapes):
            shown = _spelled(v, region)
            return f"{known.label(shapes, 0)} ARNs have no region: remove {shown!r}"
        if region != "<region>" and not _patterns()["region"].fullmatch(region):
            return f"{region!r} is not a region name (such as us-east-1)"
    elif not region and all(s[0] for s in shapes):
        return (
            f"the region is missing: {known.label(shapes, 0)} ARNs have one (write the region, or * for any)"
        )
    if account and account != THIS_ACCOUNT and not _wild(account):
        if all(not s[1] for s in shapes):
            return f"{known.label(shapes, 1)} ARNs have no account id: remove {account!r}"
        if not _patterns()["account"].fullmatch(account) and account not in _AWS_ACCOUNTS:
            if account.isdigit():
                return f"account id {account!r} has {len(account)} digits, not 12"
            return f"account id {account!r} is not 12 digits"
    return None


def _spelled(v: Str, canonical: str) -> str:
    """How the user wrote the pseudo value that is ``canonical`` (``${AWS::Region}``)."""
    for spelled, kind in v.pseudo:
        if Str(spelled, v.span, ((spelled, kind),)).canonical() == canonical:
            return spelled
    return canonical


class _Service:
    """The ARN formats of one ARN service: (region field, account field, resource head, type)."""

    def __init__(self, name: str, shapes: list[tuple[str, str, str, str]]):
        self.name = name
        self.shapes = shapes
        #: a service whose resource types have no ARN format: nothing to judge the fields by
        self.free = not shapes

    def candidates(self, resource: str) -> list[tuple[str, str, str, str]]:
        """The formats whose resource part may begin like ``resource`` (all when none does)."""
        cut = min(
            (i for i in (resource.find("*"), resource.find("?"), resource.find(VARIABLE)) if i >= 0),
            default=None,
        )
        literal, wild = resource[:cut], cut is not None
        got = [s for s in self.shapes if literal.startswith(s[2]) or (wild and s[2].startswith(literal))]
        return got or self.shapes

    def label(self, shapes: list[tuple[str, str, str, str]], field: int) -> str:
        """How a message names the formats ``shapes``: the service alone when all its formats
        agree on ``field`` (0: region, 1: account), else with the resource types."""
        if len({bool(s[field]) for s in self.shapes}) == 1:
            return self.name
        names = sorted({s[3] for s in shapes})
        return f"{self.name} {' and '.join(names) if len(names) <= 2 else ', '.join(names[:2]) + ', ...'}"


class _Formats:
    """Every ARN format of the catalogue by the service its ARNs name (``ec2`` for SSM's
    ``instance`` too), built once per catalogue."""

    _cache: dict[int, _Formats] = {}

    def __init__(self, cat: Any):
        self.cat = cat
        self._services: dict[str, _Service | None] = {}
        self._all: dict[str, list[tuple[str, str, str, str]]] | None = None

    @classmethod
    def shared(cls) -> _Formats:
        cat = catalogue()
        key = id(cat)
        got = cls._cache.get(key)
        if got is None:
            cls._cache.clear()
            got = cls._cache[key] = cls(cat)
        return got

    @staticmethod
    def _shapes(types: Iterable[Any], service: str) -> list[tuple[str, str, str, str]]:
        out = []
        for t in types:
            for arn in t.arns:
                parts = arn.split(":", 5)
                if len(parts) < 6 or parts[2] != service:
                    continue
                resource = parts[5]
                cut = min((i for i in (resource.find("${"), resource.find("*")) if i >= 0), default=None)
                out.append((parts[3], parts[4], resource[:cut], t.name))
        return out

    def service(self, name: str) -> _Service | None:
        """The formats of ARNs of service ``name`` (case-sensitive, as ARNs are); None when no
        resource type of the catalogue has such ARNs (or there is no catalogue)."""
        if name in self._services:
            return self._services[name]
        got = None
        if self.cat is not None:
            svc = self.cat.service(name) if name == name.lower() else None
            shapes = self._shapes(svc.resource_types, name) if svc is not None else []
            if not shapes:  # ARNs of a service no action prefix names (opensearch: es's)
                shapes = self._everything().get(name, [])
            if shapes:
                got = _Service(name, shapes)
            elif svc is not None:
                got = _Service(name, [])  # a service without ARN formats: nothing to judge by
        self._services[name] = got
        return got

    def _everything(self) -> dict[str, list[tuple[str, str, str, str]]]:
        if self._all is None:
            every: dict[str, list[tuple[str, str, str, str]]] = {}
            for prefix in self.cat.services():
                svc = self.cat.service(prefix)
                for t in svc.resource_types if svc is not None else ():
                    for arn in t.arns:
                        parts = arn.split(":", 5)
                        if len(parts) == 6 and "$" not in parts[2] and "*" not in parts[2]:
                            every.setdefault(parts[2], []).extend(self._shapes([t], parts[2]))
            self._all = every
        return self._all

    def closest(self, name: str) -> str | None:
        import difflib

        if self.cat is None:
            return None
        got = difflib.get_close_matches(name.lower(), list(self.cat.services()), n=1, cutoff=0.75)
        return got[0] if got else None
