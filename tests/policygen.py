"""Hypothesis strategies for hostile input: IAM policies and the files that hold them.

Each strategy draws a model from the real grammar of its format (the IAM policy language,
CloudFormation's intrinsics, Terraform's expressions, the plan JSON) and renders it as the
text a user's file holds, so that most inputs parse and reach the extractors and the rules.
Any element may instead be a value of the wrong type, huge, deep, or a string with lone
surrogates, control characters, interpolation or something that looks like a suppression.

Used by tests/test_properties.py; nothing here runs iamlint.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

# -- values of the model that a renderer writes in a special way --------------------------------


@dataclass(frozen=True)
class Raw:
    """Text written as it is: a number token JSON's int cannot hold, a malformed token."""

    text: str


@dataclass(frozen=True)
class Pairs:
    """A mapping written with its keys in this order, duplicates kept."""

    items: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Tag:
    """A CloudFormation intrinsic: ``{"Fn::Sub": arg}`` in JSON, ``!Sub arg`` in YAML."""

    name: str  # "Ref", "Fn::Sub", "Condition", or an unknown "Fn::Nope"
    arg: Any


@dataclass(frozen=True)
class Block:
    """A string that a YAML renderer writes as a block scalar (``|``, ``>-``)."""

    text: str


# -- strings ------------------------------------------------------------------------------------------

NASTY_CHARS = [
    "\ud800",
    "\udfff",
    "\x00",
    "\x1b",
    "\u2028",
    "\u0085",
    "\ufeff",
    "\t",
    "\n",
    "\r",
    "*",
    "?",
    "$",
    "{",
    "}",
    "%",
    "\\",
    '"',
    "'",
    "#",
    "/",
    ":",
    "é",
    "𝔸",
]

#: characters of every kind, lone surrogates and the format's special characters included
chars = st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY_CHARS))
any_text = st.text(chars, max_size=30)

SUPPRESSIONS = [
    "iamlint: ignore[ALL] because",
    "iamlint: ignore[IAM102] reviewed",
    "iamlint: ignore[IAM101]",
    "iamlint: ignore[IAM999] nope",
    "iamlint: disable",
    "iamlint: ignore[IAM102] until 2001-02-30",
    "iamlint:ignore",
]
suppression_text = st.sampled_from(SUPPRESSIONS)

#: text that looks like a comment that suppresses, to be put inside strings
comment_like = st.builds(
    lambda lead, mark, s: f"{lead}{mark} {s}",
    st.sampled_from(["", "Build #42 ", "x ", "see "]),
    st.sampled_from(["#", "//", "/*"]),
    suppression_text,
)


def huge_digits(draw_n: int) -> str:
    return "9" * draw_n


big_number = st.builds(
    lambda sign, n, frac: Raw(sign + "1" + "0" * n + frac),
    st.sampled_from(["", "-"]),
    st.sampled_from([20, 310, 4300, 4301, 6000]),
    st.sampled_from(["", ".5", "e400", "E-999"]),
)

odd_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    big_number,
    any_text,
    comment_like,
)

#: any JSON value: wrong types in every place, deep and wide
odd_values = st.recursive(
    odd_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(any_text, inner, max_size=4),
    ),
    max_leaves=12,
)

deep_value = st.builds(
    lambda depth, kind: ("[" * depth + "1" + "]" * depth) if kind else ('{"a":' * depth + "1" + "}" * depth),
    st.sampled_from([50, 900, 3000]),
    st.booleans(),
).map(Raw)

huge_string = st.builds(lambda c, n: c * n, st.sampled_from(["a", "*", "${", "é", "\\"]), st.just(20000))

# -- the IAM policy language --------------------------------------------------------------------------

SERVICES = ["s3", "iam", "ec2", "kms", "sts", "lambda", "sqs", "sns", "dynamodb", "logs", "*", "", "S3"]
ACTION_NAMES = [
    "GetObject",
    "PutObject",
    "*",
    "Get*",
    "PassRole",
    "CreateAccessKey",
    "AssumeRole",
    "Decrypt",
    "List*",
    "******x",
    "*?*?*?*?x",
    "DoesNotExist",
    "",
]
action = st.one_of(
    st.builds(lambda s, a: f"{s}:{a}", st.sampled_from(SERVICES), st.sampled_from(ACTION_NAMES)),
    st.sampled_from(["*", "*:*", "**********x:GetObject", "s3", ":", "s3:Get*Object*"]),
    st.from_regex(r"\A[a-z0-9*?-]{0,8}:[A-Za-z*?]{0,16}\Z"),
)
resource = st.one_of(
    st.sampled_from(
        [
            "*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:kms:us-east-1:123456789012:key/*",
            "arn:${AWS::Partition}:s3:::b/${aws:username}/*",
            "arn:aws:s3:::*",
            "arn:*:*:*:*:*",
            "",
        ]
    ),
    st.from_regex(
        r"\Aarn:(aws|\*|aws-cn|)?:[a-z0-9*-]{0,8}:[a-z0-9-]{0,10}:[0-9*]{0,12}:[A-Za-z0-9/*:$?{}-]{0,24}\Z"
    ),
)
account = st.sampled_from(["123456789012", "*", "111122223333", "12345", "arn:aws:iam::123456789012:root"])
principal_value = st.one_of(
    st.just("*"),
    st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "aws", "Other"]),
        st.one_of(
            account,
            st.sampled_from(["lambda.amazonaws.com", "ec2.amazonaws.com", "cognito-identity.amazonaws.com"]),
            st.lists(account, max_size=3),
        ),
        max_size=3,
    ),
)
CONDITION_OPERATORS = [
    "StringEquals",
    "StringLike",
    "StringNotEquals",
    "ArnLike",
    "ArnEquals",
    "Bool",
    "IpAddress",
    "NumericLessThan",
    "DateGreaterThan",
    "Null",
    "ForAllValues:StringEquals",
    "ForAnyValue:StringLike",
    "StringEqualsIfExists",
    "BoolIfExists",
    "Nope",
    "",
]
CONDITION_KEYS = [
    "aws:SourceIp",
    "aws:PrincipalOrgID",
    "aws:SourceAccount",
    "aws:SourceArn",
    "sts:ExternalId",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "s3:prefix",
    "aws:RequestTag/${aws:username}",
    "kms:ViaService",
    "nope:Nope",
    "",
]
condition_value = st.one_of(
    st.sampled_from(["true", "false", "10.0.0.0/8", "o-abc123", "*", "3600", "${aws:username}"]),
    st.lists(st.sampled_from(["a", "*", "true", "123456789012"]), max_size=3),
    odd_scalars,
)


class PolicyGen:
    """The IAM policy language with a value language: ``wrap`` turns a strategy of plain
    values into one that may also write them in the format's own expressions (an intrinsic,
    a Terraform expression); ``odd`` is the format's value of the wrong shape."""

    def __init__(self, wrap=lambda s: s, odd=odd_values):
        self.wrap = wrap
        self.odd = odd

    def element(self, good: st.SearchStrategy) -> st.SearchStrategy:
        """A policy element: mostly well formed, sometimes an expression, sometimes wrong."""
        return st.one_of(self.wrap(good), good, self.odd, deep_value)

    def one_or_list(self, s: st.SearchStrategy) -> st.SearchStrategy:
        w = self.wrap(s)
        return st.one_of(s, st.lists(w, max_size=4), st.lists(w, min_size=1, max_size=1))

    @functools.cache  # noqa: B019 (two instances, kept for the session)
    def condition(self) -> st.SearchStrategy:
        inner = st.dictionaries(
            st.sampled_from(CONDITION_KEYS), self.one_or_list(condition_value) | self.odd, max_size=3
        )
        return st.dictionaries(st.sampled_from(CONDITION_OPERATORS), inner | self.odd, max_size=3)

    @functools.cache  # noqa: B019
    def statement(self) -> st.SearchStrategy:
        fields = {
            "Sid": self.element(st.from_regex(r"\A[A-Za-z0-9]{0,12}\Z") | any_text),
            "Effect": self.element(st.sampled_from(["Allow", "Deny", "allow", "", "Permit"])),
            "Action": self.element(self.one_or_list(action)),
            "NotAction": self.element(self.one_or_list(action)),
            "Resource": self.element(self.one_or_list(resource)),
            "NotResource": self.element(self.one_or_list(resource)),
            "Principal": self.element(principal_value),
            "NotPrincipal": self.element(principal_value),
            "Condition": self.element(self.condition()),
            "Unknown": odd_values,
        }
        keys = st.lists(st.sampled_from(list(fields)), unique=True, max_size=len(fields))

        @st.composite
        def build(draw):
            chosen = draw(keys)
            items = [(k, draw(fields[k])) for k in chosen]
            if items and draw(st.integers(0, 9)) == 0:  # a duplicate key
                k, _ = items[0]
                items.append((k, draw(fields[k])))
                return Pairs(tuple(items))
            return dict(items)

        return build()

    @functools.cache  # noqa: B019
    def statements(self) -> st.SearchStrategy:
        s = self.statement()
        return st.one_of(st.lists(s, max_size=4), s, self.odd)

    @functools.cache  # noqa: B019
    def policy(self) -> st.SearchStrategy:
        version = self.element(st.sampled_from(["2012-10-17", "2008-10-17", "2012-10-18"]))

        @st.composite
        def build(draw):
            doc: dict[str, Any] = {}
            if draw(st.integers(0, 4)):
                doc["Version"] = draw(version)
            if draw(st.integers(0, 9)):
                doc["Statement"] = draw(self.statements())
            if not draw(st.integers(0, 5)):
                doc["Id"] = draw(odd_values)
            if not draw(st.integers(0, 7)):
                doc[draw(any_text)] = draw(odd_values)
            return doc

        return build()


# -- rendering: JSON ----------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def json_string(s: str, ascii_only: bool = False) -> str:
    """A JSON string literal; a lone surrogate is always written as its escape (a file's
    UTF-8 cannot hold one)."""
    return json.dumps(s, ensure_ascii=ascii_only or bool(_SURROGATE.search(s)))


def to_json(v: Any, indent: int | None = None, ascii_only: bool = False, level: int = 0) -> str:
    """JSON text of a model value: `Tag` as CloudFormation's long form, `Raw` verbatim."""
    pad = "" if indent is None else "\n" + " " * (indent * (level + 1))
    end = "" if indent is None else "\n" + " " * (indent * level)
    sep = ", " if indent is None else ","

    def sub(x):
        return to_json(x, indent, ascii_only, level + 1)

    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Block):
        return json_string(v.text, ascii_only)
    if isinstance(v, Tag):
        v = {v.name: v.arg}
    if isinstance(v, HclExpr):  # in a heredoc: a Terraform template interpolation
        return '"${' + v.text + '}"'
    if isinstance(v, Pairs):
        items = list(v.items)
    elif isinstance(v, dict):
        items = list(v.items())
    elif isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        return "[" + sep.join(pad + sub(x) for x in v) + end + "]"
    elif isinstance(v, bool) or v is None:
        return json.dumps(v)
    elif isinstance(v, int):
        return str(v) if abs(v) < 10**4000 else "1" + "0" * 4400
    elif isinstance(v, float):
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else "0"
    elif isinstance(v, str):
        return json_string(v, ascii_only)
    else:
        raise TypeError(type(v))
    if not items:
        return "{}"
    return "{" + sep.join(pad + json_string(str(k), ascii_only) + ": " + sub(x) for k, x in items) + end + "}"


# -- CloudFormation -----------------------------------------------------------------------------------

PARAMETERS = ["Env", "Bucket", "Account", "Names", "Missing"]
CONDITIONS = ["IsProd", "HasBucket", "NoSuchCondition"]
GETATT = ["Role.Arn", "Bucket.Arn", "Nope.Nope", "Role", ".", "Role.Arn.Extra"]
SUB_TEXTS = [
    "arn:${AWS::Partition}:s3:::${Bucket}/*",
    "${Env}-*",
    "${Names}",
    "${!Literal}",
    "${",
    "${Role.Arn}",
    "${Missing}",
    "${AWS::AccountId}",
    "${P}" * 40,
]


def cfn_intrinsic(inner: st.SearchStrategy) -> st.SearchStrategy:
    """Every intrinsic function, with arguments of the right shape and of the wrong one."""
    anything = st.one_of(inner, odd_values)
    names = st.sampled_from(PARAMETERS + ["AWS::AccountId", "AWS::NoValue", "AWS::Partition", "Role", ""])
    return st.one_of(
        st.builds(Tag, st.just("Ref"), names | anything | st.lists(names, max_size=2)),
        st.builds(
            Tag,
            st.just("Fn::Sub"),
            st.one_of(
                st.sampled_from(SUB_TEXTS),
                any_text,
                st.tuples(
                    st.sampled_from(SUB_TEXTS), st.dictionaries(st.sampled_from(["P", "Env", "X"]), anything)
                ).map(list),
                anything,
            ),
        ),
        st.builds(
            Tag,
            st.just("Fn::Join"),
            st.one_of(
                st.tuples(st.sampled_from(["", ",", ":"]), st.lists(anything, max_size=4)).map(list), anything
            ),
        ),
        st.builds(
            Tag,
            st.just("Fn::If"),
            st.one_of(st.tuples(st.sampled_from(CONDITIONS), anything, anything).map(list), anything),
        ),
        st.builds(
            Tag,
            st.just("Fn::Select"),
            st.one_of(
                st.tuples(
                    st.one_of(st.integers(-2, 5), st.sampled_from(["0", "x"])), st.lists(anything, max_size=3)
                ).map(list),
                anything,
            ),
        ),
        st.builds(
            Tag,
            st.just("Fn::Split"),
            st.one_of(st.tuples(st.sampled_from([",", "", ":"]), anything).map(list), anything),
        ),
        st.builds(
            Tag,
            st.just("Fn::FindInMap"),
            st.one_of(
                st.lists(st.sampled_from(["Map", "Env", "Key", "Nope"]) | anything, max_size=4), anything
            ),
        ),
        st.builds(
            Tag,
            st.just("Fn::GetAtt"),
            st.one_of(
                st.sampled_from(GETATT), st.lists(st.sampled_from(["Role", "Arn"]), max_size=3), anything
            ),
        ),
        st.builds(Tag, st.just("Fn::ImportValue"), anything),
        st.builds(Tag, st.just("Fn::Base64"), anything),
        st.builds(Tag, st.just("Fn::GetAZs"), anything),
        st.builds(Tag, st.just("Fn::Cidr"), anything),
        st.builds(Tag, st.just("Condition"), st.sampled_from(CONDITIONS) | anything),
        st.builds(Tag, st.sampled_from(["Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"]), anything),
        st.builds(
            Tag, st.sampled_from(["Fn::Nope", "Fn::Transform", "Fn::Length", "Fn::ToJsonString"]), anything
        ),
    )


def cfn_wrap(s: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(s, cfn_intrinsic(s))


class Hole:
    """Where a value drawn earlier goes in a shape drawn from a strategy built once."""

    def __repr__(self) -> str:
        return "HOLE"


HOLE = Hole()


def fill(v: Any, value: Any) -> Any:
    if v is HOLE:
        return value
    if isinstance(v, Tag):
        return Tag(v.name, fill(v.arg, value))
    if isinstance(v, list):
        return [fill(x, value) for x in v]
    if isinstance(v, tuple):
        return tuple(fill(x, value) for x in v)
    if isinstance(v, dict):
        return {k: fill(x, value) for k, x in v.items()}
    return v


_INTRINSIC_AROUND_HOLE = cfn_intrinsic(st.just(HOLE))


def intrinsic_around(draw, value: Any) -> Any:
    """``value`` in an intrinsic (or as an argument of the wrong shape next to it)."""
    return fill(draw(_INTRINSIC_AROUND_HOLE), value)


def pick(draw, *choices: Any) -> Any:
    """One of ``choices``: a strategy is drawn from, anything else is the value itself."""
    c = choices[draw(st.integers(0, len(choices) - 1))]
    return draw(c) if isinstance(c, st.SearchStrategy) else c


cfn_policies = PolicyGen(wrap=cfn_wrap)
plain_policies = PolicyGen()

POLICY_RESOURCES = [
    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
    ("AWS::IAM::Policy", "PolicyDocument"),
    ("AWS::IAM::ManagedPolicy", "PolicyDocument"),
    ("AWS::IAM::RolePolicy", "PolicyDocument"),
    ("AWS::S3::BucketPolicy", "PolicyDocument"),
    ("AWS::SQS::QueuePolicy", "PolicyDocument"),
    ("AWS::KMS::Key", "KeyPolicy"),
    ("AWS::SecretsManager::ResourcePolicy", "ResourcePolicy"),
    ("AWS::EC2::VPCEndpoint", "PolicyDocument"),
    ("AWS::Organizations::Policy", "Content"),
    ("AWS::SSO::PermissionSet", "InlinePolicy"),
    ("AWS::Serverless::Function", "Policies"),
]


@st.composite
def embedded_policy(draw, policies: PolicyGen = plain_policies):
    """A policy written as a string: JSON text, as users and the AWS CLI write it."""
    return to_json(draw(policies.policy()), indent=draw(st.sampled_from([None, 2])))


_EMBEDDED = embedded_policy()


_INTRINSIC_OF_SCALARS = cfn_intrinsic(odd_scalars)


@st.composite
def cfn_resource(draw):
    type_, prop = draw(
        st.sampled_from(POLICY_RESOURCES + [("Custom::X", "Policy"), ("AWS::IAM::User", "Policies")])
    )
    props: dict[str, Any] = {}
    doc = draw(cfn_policies.policy())
    if type_ in ("AWS::IAM::Role", "AWS::IAM::User") or draw(st.integers(0, 6)) == 0:
        name = pick(draw, "p", "", HOLE)
        inline = {"PolicyName": intrinsic_around(draw, "p") if name is HOLE else name, "PolicyDocument": doc}
        props["Policies"] = pick(draw, [inline], odd_values, HOLE)
        if props["Policies"] is HOLE:
            props["Policies"] = intrinsic_around(draw, [inline])
    if type_ == "AWS::Serverless::Function":
        doc = pick(
            draw,
            [doc],
            "AmazonS3FullAccess",
            [{"S3ReadPolicy": {"BucketName": Tag("Ref", "Bucket")}}],
            odd_values.map(lambda v: [{"SQSPollerPolicy": v}]),
            odd_values,
        )
    if draw(st.integers(0, 5)) == 0:  # a policy as a JSON string, as in a Fn::Sub
        text = draw(_EMBEDDED)
        doc = pick(draw, Tag("Fn::Sub", text), Block(text), text)
    props[prop] = intrinsic_around(draw, doc) if draw(st.booleans()) else doc
    for extra in (
        "Roles",
        "Users",
        "Groups",
        "ManagedPolicyArns",
        "PermissionsBoundary",
        "RoleName",
        "Bucket",
    ):
        if draw(st.integers(0, 5)) == 0:
            props[extra] = pick(
                draw,
                [Tag("Ref", "Role")],
                ["arn:aws:iam::aws:policy/AdministratorAccess"],
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                _INTRINSIC_OF_SCALARS,
                odd_values,
            )
    res: dict[str, Any] = {"Type": type_, "Properties": pick(draw, props, props, odd_values)}
    if draw(st.integers(0, 4)) == 0:
        res["Condition"] = draw(st.sampled_from(CONDITIONS) | odd_scalars)
    if draw(st.integers(0, 4)) == 0:
        res["Metadata"] = pick(
            draw,
            {"iamlint": {"ignore": [{"code": "IAM102", "reason": "x"}]}},
            odd_values.map(lambda v: {"iamlint": {"ignore": v}}),
            odd_values.map(lambda v: {"iamlint": v}),
        )
    return res


_CFN_RESOURCES = st.dictionaries(
    st.sampled_from(["Role", "Policy", "Bucket", "Key", "Fn", "R" * 300]),
    cfn_resource(),
    min_size=1,
    max_size=3,
)


@st.composite
def cfn_template(draw) -> dict:
    """A template: odd Parameters (AllowedValues of every shape), Mappings and Conditions,
    and resources that hold policies with intrinsics in every position."""
    params = {
        name: {
            "Type": draw(st.sampled_from(["String", "CommaDelimitedList", "Number", "List<String>", 5])),
            **(
                {
                    "AllowedValues": draw(
                        st.one_of(
                            st.lists(
                                st.sampled_from(["a", "b", "*", "123456789012"]) | odd_scalars, max_size=4
                            ),
                            odd_values,
                        )
                    )
                }
                if draw(st.booleans())
                else {}
            ),
            **(
                {"Default": draw(st.sampled_from(["a", "*", "x,y"]) | odd_scalars)}
                if draw(st.booleans())
                else {}
            ),
        }
        for name in draw(st.lists(st.sampled_from(PARAMETERS[:4] + ["P"]), unique=True, max_size=5))
    }
    t: dict[str, Any] = {}
    if draw(st.booleans()):
        t["AWSTemplateFormatVersion"] = draw(st.sampled_from(["2010-09-09"]) | odd_scalars)
    if draw(st.booleans()):
        t["Transform"] = draw(
            st.sampled_from(["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"]) | odd_scalars
        )
    if params or draw(st.booleans()):
        t["Parameters"] = pick(draw, params, params, odd_values)
    if draw(st.booleans()):
        t["Mappings"] = draw(
            st.one_of(
                st.just({"Map": {"Env": {"Key": "arn:aws:s3:::b", "List": ["a", "*"]}}}),
                st.dictionaries(st.sampled_from(["Map", "X"]), odd_values, max_size=2),
                odd_values,
            )
        )
    if draw(st.booleans()):
        t["Conditions"] = draw(
            st.one_of(st.just({"IsProd": Tag("Fn::Equals", [Tag("Ref", "Env"), "prod"])}), odd_values)
        )
    resources = draw(_CFN_RESOURCES)
    t["Resources"] = pick(draw, resources, resources, resources, odd_values)
    if draw(st.integers(0, 5)) == 0:
        t["Outputs"] = draw(odd_values)
    return t


# -- rendering: YAML ----------------------------------------------------------------------------------

SHORT = {"Ref": "!Ref", "Condition": "!Condition"}
_PLAIN = re.compile(r"\A[A-Za-z_][A-Za-z0-9_ ./*-]{0,40}\Z")


def yaml_scalar(v: Any, rng) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, str):
        if (
            _PLAIN.match(v)
            and not v.endswith(" ")
            and v.lower() not in ("yes", "no", "on", "off", "null", "true", "false", "y", "n")
        ):
            if rng.random() < 0.5:
                return v
        if (
            rng.random() < 0.2
            and "'" not in v
            and "\n" not in v
            and not _SURROGATE.search(v)
            and v.isprintable()
        ):
            return "'" + v + "'"
        return json_string(v)
    return to_json(v)


def to_yaml(v: Any, rng, level: int = 0, comment: str | None = None) -> str:
    """YAML text of a model value, as it would follow ``key:`` (starts with a space or a newline)."""
    ind = "  " * (level + 1)

    def tail() -> str:
        if comment is not None and rng.random() < 0.15:
            return f"  # {comment}"
        return ""

    if isinstance(v, Tag):
        short = SHORT.get(v.name) or ("!" + v.name[4:] if v.name.startswith("Fn::") else None)
        if short is None or rng.random() < 0.3:
            return to_yaml({v.name: v.arg}, rng, level, comment)
        arg = v.arg
        if isinstance(arg, (dict, Pairs, list, tuple, Tag)) and arg:
            if rng.random() < 0.5 or isinstance(arg, Tag):
                return " " + short + to_yaml(arg, rng, level, comment)
            return " " + short + " " + to_json(arg).replace("\n", " ")
        return (
            " "
            + short
            + " "
            + (yaml_scalar(arg, rng) if not isinstance(arg, Block) else json_string(arg.text))
        )
    if isinstance(v, Block):
        style = rng.choice(["|", "|-", ">", ">-", "|+"])
        lines = v.text.split("\n")
        body = "\n".join((ind + line) if line else "" for line in lines)
        return f" {style}{tail()}\n{body}"
    if isinstance(v, (dict, Pairs)):
        items = list(v.items) if isinstance(v, Pairs) else list(v.items())
        if not items:
            return " {}"
        if rng.random() < 0.1 and not any(isinstance(x, (Tag, Block)) for _, x in items):
            return " " + to_json(v).replace("\n", " ")
        out = []
        for k, x in items:
            key = yaml_scalar(str(k), rng) if isinstance(k, str) else json_string(str(k))
            out.append(f"{ind}{key}:{to_yaml(x, rng, level + 1, comment)}")
        return tail() + "\n" + "\n".join(out)
    if isinstance(v, (list, tuple)):
        if not v:
            return " []"
        out = []
        for x in v:
            rendered = to_yaml(x, rng, level + 1, comment)
            if rendered.startswith("\n"):
                # a mapping or list in a list item: "- " then its first line
                first, _, rest = rendered[1:].partition("\n")
                out.append(f"{ind}- {first.lstrip()}" + ("\n" + rest if rest else ""))
            else:
                out.append(f"{ind}-{rendered}")
        return tail() + "\n" + "\n".join(out)
    return " " + yaml_scalar(v, rng) + tail()


def yaml_document(v: dict, rng, comment: str | None = None) -> str:
    body = to_yaml(v, rng, -1, comment)
    lead = f"# {comment}\n" if comment is not None and rng.random() < 0.3 else ""
    return lead + body.lstrip("\n") + "\n"


# -- Terraform ------------------------------------------------------------------------------------------

IDENT = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z")
REFERENCES = [
    "var.name",
    "var.missing",
    "local.policy",
    "local.a",
    "local.b",
    "aws_iam_role.r.arn",
    "aws_iam_role.missing.arn",
    "aws_iam_policy.p.arn",
    "data.aws_iam_policy_document.d.json",
    "data.aws_iam_policy_document.missing.json",
    "data.aws_caller_identity.current.account_id",
    "data.aws_partition.current.partition",
    "module.m.out",
    "each.value",
    "each.key",
    "count.index",
    "var.list[*].arn",
    "var.list[0]",
    'var.map["k"]',
    "aws_s3_bucket.b[*].arn",
    "path.module",
]
FUNCTIONS = [
    "jsonencode",
    "jsondecode",
    "concat",
    "merge",
    "format",
    "join",
    "split",
    "lookup",
    "element",
    "flatten",
    "replace",
    "file",
    "templatefile",
    "tolist",
    "toset",
    "coalesce",
    "try",
    "nope",
]


def hcl_string(s: str, raw: bool = False) -> str:
    """An HCL quoted string; ``raw`` leaves ``${`` and ``%{`` as interpolations."""
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif 0xD800 <= ord(ch) <= 0xDFFF or ord(ch) < 32:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    text = "".join(out)
    if not raw:
        text = text.replace("${", "$${").replace("%{", "%%{")
    return '"' + text + '"'


def hcl_expr(leaf: st.SearchStrategy) -> st.SearchStrategy:
    """Terraform expressions: literals of the policy language (``leaf``), references (some
    to nothing), interpolations, function calls, for expressions, splats, conditionals."""
    literal = leaf.map(lambda v: hcl_value(v))
    base = st.one_of(
        literal,
        literal,
        st.sampled_from(REFERENCES),
        st.builds(
            lambda r, s: hcl_string(f"arn:aws:s3:::${{{r}}}/{s}", raw=True),
            st.sampled_from(REFERENCES),
            st.sampled_from(["*", "x", "${x}"]),
        ),
        st.sampled_from(
            ['"${', '"%{ if true }x%{ endif }"', '"${"${"${var.x}"}"}"', "null", "true", "1e400", "9" * 4400]
        ),
    )

    def extend(inner):
        return st.one_of(
            st.builds(
                lambda f, args: f"{f}({', '.join(args)})",
                st.sampled_from(FUNCTIONS),
                st.lists(inner, max_size=3),
            ),
            st.builds(
                lambda c, a, b: f"{c} ? {a} : {b}",
                st.sampled_from(["var.on", "true", "local.a == 1"]),
                inner,
                inner,
            ),
            st.builds(lambda xs: "[" + ", ".join(xs) + "]", st.lists(inner, max_size=3)),
            st.builds(
                lambda src, body: f"[for x in {src} : {body}]",
                st.sampled_from(["var.list", "local.a", "[1, 2]"]),
                inner,
            ),
            st.builds(
                lambda src, body: f"{{for k, v in {src} : k => {body}}}",
                st.sampled_from(["var.map", "local.b"]),
                inner,
            ),
            st.builds(lambda e: f"({e})[*].arn", inner),
            st.builds(lambda e: f"({e})", inner),
        )

    return st.recursive(base, extend, max_leaves=6)


def hcl_value(v: Any) -> str:
    """HCL literal of a model value (objects as HCL objects, some keys quoted)."""
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, Tag):  # not Terraform's: a string
        return hcl_string(str(v.name))
    if isinstance(v, Block):
        return hcl_string(v.text)
    if isinstance(v, Pairs):
        return "{" + ", ".join(f"{hcl_string(str(k))} = {hcl_value(x)}" for k, x in v.items) + "}"
    if isinstance(v, dict):
        parts = []
        for k, x in v.items():
            key = k if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(k)) else hcl_string(str(k))
            parts.append(f"{key} = {hcl_value(x)}")
        return "{\n" + "\n".join(parts) + "\n}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(hcl_value(x) for x in v) + "]"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v) if abs(v) < 10**4000 else "9" * 4400
    if isinstance(v, float):
        return repr(v) if v == v and abs(v) != float("inf") else "0"
    if isinstance(v, HclExpr):
        return v.text
    return hcl_string(str(v))


@dataclass(frozen=True)
class HclExpr:
    text: str


def tf_wrap(s: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(s, hcl_expr(s).map(HclExpr))


tf_policies = PolicyGen(wrap=tf_wrap)


_HCL_HOLE = Raw("\x00hole\x00")
_HCL_EXPR_AROUND_HOLE = hcl_expr(st.just(_HCL_HOLE))


@st.composite
def tf_policy_value(draw) -> str:
    """A policy attribute's expression: jsonencode of an object, a heredoc, a document's json,
    a file() read, a string of JSON."""
    doc = draw(tf_policies.policy())
    choice = draw(st.integers(0, 7))
    if choice <= 2:
        return f"jsonencode({hcl_value(doc)})"
    if choice == 3:
        text = to_json(doc, indent=2)
        marker = draw(st.sampled_from(["EOF", "EOT", "POLICY"]))
        dash = draw(st.sampled_from(["", "-"]))
        return f"<<{dash}{marker}\n{text}\n{marker}"
    if choice == 4:
        return draw(
            st.sampled_from(
                [
                    "data.aws_iam_policy_document.d.json",
                    "data.aws_iam_policy_document.missing.json",
                    "local.policy",
                    "var.policy",
                ]
            )
        )
    if choice == 5:
        return draw(
            st.sampled_from(
                [
                    'file("${path.module}/policy.json")',
                    'file("policy.json")',
                    'file("/etc/passwd")',
                    'file("../../outside.json")',
                    'templatefile("policy.tpl", {x = 1})',
                    'file("missing.json")',
                ]
            )
        )
    if choice == 6:
        return hcl_string(to_json(doc), raw=draw(st.booleans()))
    return draw(_HCL_EXPR_AROUND_HOLE).replace(_HCL_HOLE.text, hcl_value(doc))


@functools.cache
def _block_attributes(gen: PolicyGen) -> dict[str, tuple[st.SearchStrategy, st.SearchStrategy]]:
    """The attributes of a policy document's statement block: name -> (a value of the model
    or of the wrong shape, an expression around one)."""
    models = {
        "sid": any_text,
        "effect": st.sampled_from(["Allow", "Deny", "allow"]),
        "actions": st.lists(action, max_size=3),
        "not_actions": st.lists(action, max_size=2),
        "resources": st.lists(resource, max_size=3),
        "not_resources": st.lists(resource, max_size=2),
        "test": st.sampled_from(CONDITION_OPERATORS),
        "variable": st.sampled_from(CONDITION_KEYS),
        "values": st.lists(condition_value, max_size=2),
        "type": st.sampled_from(["AWS", "Service", "*", "Federated"]),
        "identifiers": st.lists(account, max_size=2),
    }
    return {name: (gen.element(m), hcl_expr(m)) for name, m in models.items()}


def _statement_block(draw, gen: PolicyGen, dynamic: bool) -> str:
    lines = []
    attrs = _block_attributes(gen)
    for attr in ("sid", "effect", "actions", "not_actions", "resources", "not_resources"):
        value, expr = attrs[attr]
        if draw(st.integers(0, 2)):
            lines.append(
                f"  {attr} = {hcl_value(draw(value))}"
                if draw(st.integers(0, 5))
                else f"  {attr} = {draw(expr)}"
            )
    for block in ("principals", "not_principals", "condition"):
        for _ in range(draw(st.integers(0, 2))):
            if block == "condition":
                body = [f"    {a} = {hcl_value(draw(attrs[a][0]))}" for a in ("test", "variable", "values")]
            else:
                body = [f"    {a} = {hcl_value(draw(attrs[a][0]))}" for a in ("type", "identifiers")]
            lines.append(f"  {block} {{\n" + "\n".join(body) + "\n  }")
    inner = "\n".join(lines)
    if dynamic:
        return f'dynamic "statement" {{\n for_each = {draw(st.sampled_from(["var.list", "local.a", "[1]", "{}"]))}\n content {{\n{inner}\n }}\n}}'
    return f"statement {{\n{inner}\n}}"


@st.composite
def tf_module(draw) -> dict[str, str]:
    """A Terraform module: file name -> text. Resources and data sources that hold policies,
    locals that refer to each other (and to themselves), variables, dynamic blocks, and
    comments (some of them suppressions) and strings that only look like them."""
    blocks = []
    n = draw(st.integers(1, 4))
    for i in range(n):
        kind = draw(st.integers(0, 9))
        name = draw(st.sampled_from(["r", "p", "d", "b", f"x{i}"]))
        if kind <= 3:
            type_, attr = draw(
                st.sampled_from(
                    [
                        ("aws_iam_policy", "policy"),
                        ("aws_iam_role", "assume_role_policy"),
                        ("aws_iam_role_policy", "policy"),
                        ("aws_s3_bucket_policy", "policy"),
                        ("aws_kms_key", "policy"),
                        ("aws_organizations_policy", "content"),
                        ("aws_vpc_endpoint", "policy"),
                        ("aws_iam_user_policy", "policy"),
                    ]
                )
            )
            extra = ""
            if type_ == "aws_iam_role" and draw(st.booleans()):
                arns = draw(
                    st.sampled_from(
                        [
                            "[aws_iam_policy.p.arn]",
                            '["arn:aws:iam::aws:policy/AdministratorAccess"]',
                            "var.x",
                            "5",
                        ]
                    )
                )
                extra = f"\n  managed_policy_arns = {arns}"
                extra += f'\n  inline_policy {{\n    name = "i"\n    policy = {draw(tf_policy_value())}\n  }}'
            if type_ == "aws_iam_role_policy":
                role = draw(
                    st.sampled_from(["aws_iam_role.r.id", "aws_iam_role.missing.id", hcl_string("r"), "5"])
                )
                extra = f"\n  role = {role}"
            count = draw(
                st.sampled_from(["", "\n  count = 2", "\n  for_each = var.map", "\n  count = var.n"])
            )
            blocks.append(
                f'resource "{type_}" "{name}" {{{count}\n  {attr} = {draw(tf_policy_value())}{extra}\n}}'
            )
        elif kind <= 5:
            stmts = "\n".join(
                _statement_block(draw, tf_policies, draw(st.integers(0, 4)) == 0)
                for _ in range(draw(st.integers(0, 3)))
            )
            more = ""
            if draw(st.integers(0, 3)) == 0:
                more = f"\n  source_policy_documents = {draw(st.sampled_from(['[data.aws_iam_policy_document.d.json]', '[local.policy]', 'var.x', '[jsonencode({})]']))}"
            blocks.append(f'data "aws_iam_policy_document" "{name}" {{{more}\n{stmts}\n}}')
        elif kind == 6:
            locals_ = [
                f"  policy = {draw(tf_policy_value())}",
                f"  a = {draw(st.sampled_from(['local.b', 'local.a', '[local.b]', 'var.list']))}",
                f"  b = {draw(st.sampled_from(['local.a', '{k = local.policy}', hcl_string('*')]))}",
            ]
            blocks.append("locals {\n" + "\n".join(locals_) + "\n}")
        elif kind == 7:
            default = draw(
                st.one_of(st.sampled_from(['"x"', "[]", "{}", '["a", "*"]', "null"]), st.just(None))
            )
            body = f"\n  default = {default}" if default else ""
            blocks.append(
                f'variable "{draw(st.sampled_from(["name", "list", "map", "policy", "x"]))}" {{{body}\n}}'
            )
        elif kind == 8:
            blocks.append(f'module "m" {{\n  source = "./nope"\n  policy = {draw(tf_policy_value())}\n}}')
        else:
            blocks.append(
                f'resource "aws_iam_user" "u" {{\n  name = {hcl_string(draw(any_text))}\n  description = {hcl_string(draw(comment_like))}\n}}'
            )
    # comments: suppressions in real comments, and text that only looks like them in strings
    out = []
    for b in blocks:
        lines = b.split("\n")
        if draw(st.integers(0, 3)) == 0:
            at = draw(st.integers(0, len(lines)))
            mark = draw(st.sampled_from(["#", "//"]))
            lines.insert(at, f"{mark} {draw(suppression_text)}")
        if draw(st.integers(0, 7)) == 0:
            lines.append(f"/* {draw(suppression_text)} */")
        out.append("\n".join(lines))
    files = {"main.tf": "\n\n".join(out) + "\n"}
    if draw(st.integers(0, 3)) == 0:
        files["policy.json"] = to_json(draw(plain_policies.policy()), indent=2)
    if draw(st.integers(0, 5)) == 0:
        files["policy.tpl"] = (
            "${jsonencode({Statement = []})}" if draw(st.booleans()) else "%{ for x in y }${x}%{ endfor }"
        )
    if draw(st.integers(0, 3)) == 0:
        files["other.tf"] = (
            'variable "x" {}\nlocals {\n  deep = '
            + draw(st.sampled_from(['"' + "${" * 200 + "}" * 200 + '"', "[" * 300 + "]" * 300, "1"]))
            + "\n}\n"
        )
    return files


# -- Terraform plan JSON ------------------------------------------------------------------------------


@st.composite
def plan_resource(draw, odd: bool):
    type_, attr = draw(
        st.sampled_from(
            [
                ("aws_iam_policy", "policy"),
                ("aws_iam_role", "assume_role_policy"),
                ("aws_iam_role_policy", "policy"),
                ("aws_s3_bucket_policy", "policy"),
                ("aws_iam_role_policy_attachment", "policy_arn"),
                ("aws_iam_user", "name"),
                ("aws_iam_policy_attachment", "roles"),
            ]
        )
    )
    values: dict[str, Any] = {}
    if attr in ("policy", "assume_role_policy"):
        values[attr] = pick(draw, _EMBEDDED, _EMBEDDED, odd_values)
    else:
        values[attr] = draw(
            st.one_of(st.just("arn:aws:iam::aws:policy/AdministratorAccess"), st.just(["r"]), odd_values)
        )
    if type_ == "aws_iam_role" and draw(st.booleans()):
        values["inline_policy"] = pick(
            draw, _EMBEDDED.map(lambda p: [{"name": "x", "policy": p}]), odd_values
        )
        values["managed_policy_arns"] = draw(
            st.one_of(st.just(["arn:aws:iam::aws:policy/ReadOnlyAccess"]), odd_values)
        )
    r = {
        "address": f"{type_}.x",
        "mode": draw(st.sampled_from(["managed", "data"])),
        "type": type_,
        "name": "x",
        "values": values,
    }
    if odd:
        key = draw(st.sampled_from(sorted(r)))
        r[key] = draw(odd_values)
    return r


_PLAN_RESOURCES = {odd: st.lists(plan_resource(odd), max_size=3) for odd in (False, True)}
_PLAN_CHANGES = st.lists(
    st.builds(
        lambda r, after: {"address": r["address"], "type": r["type"], "change": {"after": after}},
        plan_resource(False),
        st.one_of(st.just(None), odd_values),
    ),
    max_size=2,
)


@st.composite
def tf_plan(draw) -> dict:
    """``terraform show -json`` of a plan: the right shape, with one element of the wrong one
    here and there."""
    resources = _PLAN_RESOURCES[draw(st.booleans())]
    root: dict[str, Any] = {"resources": draw(st.one_of(resources, resources, odd_values))}
    if draw(st.booleans()):
        root["child_modules"] = draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries({"address": st.just("module.m"), "resources": resources}),
                    max_size=2,
                ),
                odd_values,
            )
        )
    plan: dict[str, Any] = {"format_version": draw(st.sampled_from(["1.2", "0.1"]) | odd_scalars)}
    if draw(st.integers(0, 4)):
        plan["planned_values"] = draw(
            st.one_of(st.just({"root_module": root}), st.just({"root_module": draw(odd_values)}), odd_values)
        )
    if draw(st.booleans()):
        plan["resource_changes"] = pick(draw, _PLAN_CHANGES, odd_values)
    if draw(st.booleans()):
        plan["configuration"] = draw(
            st.one_of(
                st.just(
                    {
                        "root_module": {
                            "resources": [
                                {
                                    "address": "aws_iam_role_policy_attachment.x",
                                    "type": "aws_iam_role_policy_attachment",
                                    "expressions": {
                                        "role": {"references": ["aws_iam_role.x.name", "aws_iam_role.x"]},
                                        "policy_arn": draw(odd_values),
                                    },
                                }
                            ],
                            "module_calls": draw(st.one_of(st.just({}), odd_values)),
                        }
                    }
                ),
                st.builds(lambda v: {"root_module": {"resources": v}}, odd_values),
                odd_values,
            )
        )
    if draw(st.integers(0, 5)) == 0:
        plan["prior_state"] = draw(odd_values)
    return plan


# -- policies wrapped as strings --------------------------------------------------------------------


@st.composite
def wrapped_policy(draw) -> dict:
    """A policy document as a JSON string inside JSON, as the AWS CLI prints it."""
    text = draw(_EMBEDDED)
    key = draw(st.sampled_from(["Document", "PolicyDocument", "AssumeRolePolicyDocument"]))
    value: Any = draw(
        st.sampled_from([text, text, text + "x", text[: len(text) // 2], "%7B%22Statement%22%3A%5B%5D%7D"])
    )
    if draw(st.integers(0, 5)) == 0:
        value = draw(odd_values)
    return draw(
        st.sampled_from(
            [
                {"PolicyVersion": {key: value, "VersionId": "v1"}},
                {"Policy": {key: value}},
                {"Role": {"RoleName": "r", key: value}},
                {key: value},
                {"RolePolicyList": [{"PolicyName": "p", key: value}]},
            ]
        )
    )
