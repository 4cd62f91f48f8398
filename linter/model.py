"""The policy model: the one thing every rule sees.

Extractors (raw JSON, CloudFormation, Terraform) turn their input into these small frozen
dataclasses; rules never look at the input format. Every value carries the `Span` of its
place in the original file. A value that cannot be resolved is an explicit `Unknown` that
keeps its source text: it is never dropped and never guessed.

Normalisation happens once, when the model is built (see `iamlint.normalize`): a single
value becomes a one-element tuple, a single-object ``Statement`` becomes a one-statement
tuple, condition operators are parsed into a case-insensitive `Condition`.
"""

from __future__ import annotations

import enum
from dataclasses import FrozenInstanceError, dataclass, field

from .positions import pack


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class DocKind(str, enum.Enum):
    """What a policy document is for; rules decide by it (a trust policy is not an identity one).

    The values are the names users write (``[tool.iamlint.kinds]``) and ``--format json``
    shows. Kinds whose Allow grants nothing by itself: ``boundary`` (a permissions boundary),
    ``scp`` and ``rcp`` (AWS Organizations service and resource control policies),
    ``session`` (a session policy passed to ``AssumeRole`` or ``GetFederationToken``) and
    ``endpoint`` (a VPC endpoint policy): each only sets the most that other policies grant.
    ``iot``: an AWS IoT Core policy (``AWS::IoT::Policy``, ``aws_iot_policy``), attached to
    device certificates, Cognito identities and thing groups: identity-like (no principal),
    its actions ``iot:`` data-plane actions on IoT resources (clients, topics, things).
    """

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SCP = "scp"
    RCP = "rcp"
    SESSION = "session"
    ENDPOINT = "endpoint"
    IOT = "iot"
    UNKNOWN = "unknown"


class Span:
    """A place in a file: 1-based line and column, end inclusive of the last character + 1.

    ``Span(file, line, column, end_line, end_column)``; it reads, compares, orders, hashes,
    pickles and prints as a frozen dataclass of those five fields would, but a model holds
    a span for nearly every value (about 20 a statement), so it keeps two slots: the file
    and the position packed into one int as parse trees keep it
    (`iamlint.positions.pack`); a position that does not pack is kept as its tuple.
    `Span.packed` makes one from a tree node's packed int without decoding it.
    """

    __slots__ = ("file", "_p")
    __match_args__ = ("file", "line", "column", "end_line", "end_column")

    file: str
    _p: int | tuple[int, int, int, int]

    def __init__(self, file: str, line: int, column: int, end_line: int, end_column: int):
        pos = (line, column, end_line, end_column)
        try:
            p: int | tuple[int, int, int, int] = pack(pos)
        except TypeError:  # not ints: kept as given, as the dataclass kept them
            p = pos
        _SET_FILE(self, file)
        _SET_P(self, p)

    @staticmethod
    def packed(file: str, p: int | tuple[int, int, int, int]) -> Span:
        """The span of a position as `iamlint.positions.pack` packed it (a tree node's
        ``_pos``, `iamlint.parse.nodes.packed_pos`): the same int, not a copy."""
        if p.__class__ is not int:
            return Span(file, *p)  # type: ignore[misc]
        span = _NEW(Span)
        _SET_FILE(span, file)
        _SET_P(span, p)
        return span

    # the fields, decoded on access (`iamlint.positions.unpack`, inlined: they are read often)
    @property
    def line(self) -> int:
        try:
            return self._p & 0xFFFFFFFF  # type: ignore[operator]
        except TypeError:
            return self._p[0]  # type: ignore[index]

    @property
    def column(self) -> int:
        try:
            return self._p >> 32 & 0xFFFFFFFF  # type: ignore[operator]
        except TypeError:
            return self._p[1]  # type: ignore[index]

    @property
    def end_line(self) -> int:
        p = self._p
        try:
            return (p & 0xFFFFFFFF) + (p >> 96)  # type: ignore[operator]
        except TypeError:
            return p[2]  # type: ignore[index]

    @property
    def end_column(self) -> int:
        try:
            return self._p >> 64 & 0xFFFFFFFF  # type: ignore[operator]
        except TypeError:
            return self._p[3]  # type: ignore[index]

    def _fields(self) -> tuple:
        p = self._p
        if p.__class__ is tuple:
            return (self.file, *p)
        line = p & 0xFFFFFFFF  # type: ignore[operator]
        return (self.file, line, p >> 32 & 0xFFFFFFFF, line + (p >> 96), p >> 64 & 0xFFFFFFFF)  # type: ignore[operator]

    # a position packs to one int or is kept as its tuple, the same for the same fields: so
    # equal spans have equal ``(file, _p)``
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._p == other._p and self.file == other.file
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._p != other._p or self.file != other.file
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.file, self._p))

    def __lt__(self, other: Span) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() < other._fields()
        return NotImplemented

    def __le__(self, other: Span) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() <= other._fields()
        return NotImplemented

    def __gt__(self, other: Span) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() > other._fields()
        return NotImplemented

    def __ge__(self, other: Span) -> bool:
        if other.__class__ is self.__class__:
            return self._fields() >= other._fields()
        return NotImplemented

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (self.__class__, self._fields())

    def __repr__(self) -> str:
        file, line, column, end_line, end_column = self._fields()
        return (
            f"Span(file={file!r}, line={line!r}, column={column!r}, "
            f"end_line={end_line!r}, end_column={end_column!r})"
        )

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


_NEW = object.__new__
_SET_FILE = Span.__dict__["file"].__set__
_SET_P = Span.__dict__["_p"].__set__


class Pseudo(str, enum.Enum):
    """A fact of the deployment that a value may name without knowing it."""

    ACCOUNT = "account"  # the account that deploys the template or module
    PARTITION = "partition"
    REGION = "region"
    URL_SUFFIX = "url-suffix"


#: what `Str.canonical` puts where a value names this account (no ":" in it, so ARNs split)
THIS_ACCOUNT = "<this-account>"
_CANONICAL = {
    Pseudo.ACCOUNT: THIS_ACCOUNT,
    Pseudo.PARTITION: "aws",
    Pseudo.REGION: "<region>",
    Pseudo.URL_SUFFIX: "amazonaws.com",
}


class Str:
    """A literal string value and where it stands.

    ``pseudo`` lists the parts of ``value`` that stand for a fact of the deployment, each
    as the user spelled it in the source format: ``${AWS::AccountId}`` in CloudFormation,
    ``${data.aws_caller_identity.current.account_id}`` in Terraform. Messages show ``value``
    as written; rules compare `canonical` text, where every format's spelling is the same.

    ``Str(value, span, pseudo=())``; it reads, compares, hashes, pickles and prints as the
    frozen dataclass of those three fields it was, but a model holds one for nearly every
    value, most of them the only holder of their span: so it keeps the span's two parts
    (its file and packed position, see `Span`) and makes the `Span` when ``span`` is read.
    """

    __slots__ = ("value", "_file", "_p", "pseudo")
    __match_args__ = ("value", "span", "pseudo")

    value: str
    pseudo: tuple[tuple[str, Pseudo], ...]
    _file: str
    _p: int | tuple[int, int, int, int]

    def __init__(self, value: str, span: Span, pseudo: tuple[tuple[str, Pseudo], ...] = ()):
        _SET_VALUE(self, value)
        _SET_SFILE(self, span.file)
        _SET_SP(self, span._p)
        _SET_PSEUDO(self, pseudo)

    @property
    def span(self) -> Span:
        return Span.packed(self._file, self._p)

    @property
    def text(self) -> str:
        return self.value

    def canonical(self) -> str:
        """``value`` with each pseudo part replaced by one spelling for every format
        (`THIS_ACCOUNT` for the account, ``aws`` for the partition, ...)."""
        out = self.value
        for spelled, kind in self.pseudo:
            out = out.replace(spelled, _CANONICAL[kind])
        return out

    # as the dataclass's: equal spans have equal ``(file, _p)`` (see `Span.__eq__`)
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (
                self.value == other.value
                and self._p == other._p
                and self._file == other._file
                and self.pseudo == other.pseudo
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.value, Span.packed(self._file, self._p), self.pseudo))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (self.__class__, (self.value, self.span, self.pseudo))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__qualname__}(value={self.value!r}, span={self.span!r}, pseudo={self.pseudo!r})"
        )


_SET_VALUE = Str.__dict__["value"].__set__
_SET_SFILE = Str.__dict__["_file"].__set__
_SET_SP = Str.__dict__["_p"].__set__
_SET_PSEUDO = Str.__dict__["pseudo"].__set__


@dataclass(frozen=True, slots=True)
class Input:
    """A value the deployer chooses and the files do not fix.

    CloudFormation: a parameter without ``AllowedValues`` (``!Ref AccountId``), an import
    (``!ImportValue shared-AccountId``); Terraform: a variable without a default, a module
    output, remote state. ``kind`` says which, in the words messages use (``parameter``,
    ``import``, ``variable``, ``module output``, ``remote state``); ``name`` is as the user
    wrote it (``SourceAWSAcctId``, ``var.account_id``); ``many``: a list (a
    ``CommaDelimitedList`` parameter, ``!Split`` of one), and the value stands for each of
    its items.
    """

    kind: str
    name: str
    many: bool = False

    def __str__(self) -> str:
        """How messages name it: ``parameter SourceAWSAcctId``, ``list parameter Accounts``."""
        return f"{'list ' if self.many else ''}{self.kind} {self.name}"


def input_token(index: int) -> str:
    """What `Unknown.canonical` puts for the ``index``-th input of a value (no ":" in it)."""
    return f"<input-{index}>"


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value the extractor cannot resolve (a ``Ref``, ``var.x`` without default, ...).

    ``text`` is its source text as the user wrote it; ``note`` may add what is known about it
    (for example a parameter's default).

    When the only unknown parts of the value are deployment inputs (see `Input`), the
    extractor also gives its ``shape``: the value with each input (and each pseudo value, as
    in `Str.pseudo`) in the source format's spelling, ``arn:aws:iam::${SourceAWSAcctId}:root``
    for ``!Sub arn:aws:iam::${SourceAWSAcctId}:root``, and ``inputs``, the parts of the shape
    that stand for an input. Rules read it through `canonical`, never through a format's
    syntax. These fields say what is known of the value; they are not part of its identity
    (equality and hashing use ``text``, ``span`` and ``note``).
    """

    text: str
    span: Span
    note: str = ""
    shape: str = field(default="", compare=False)
    inputs: tuple[tuple[str, Input], ...] = field(default=(), compare=False)
    pseudo: tuple[tuple[str, Pseudo], ...] = field(default=(), compare=False)
    #: the IAM resource types whose ARN the value is, as ``service:type`` in the Service
    #: Authorization Reference's names (``sqs:queue``), when the extractor knows them from
    #: the resource the value refers to: ``!GetAtt Queue.Arn`` of an ``AWS::SQS::Queue`` of
    #: the same template, ``aws_sqs_queue.q.arn``. Empty when it does not know. (Each
    #: extractor keeps its table of which attribute of which resource type is which ARN.)
    arn_types: tuple[str, ...] = ()
    #: the resource of the same template or module the value stands for, when it is a
    #: ``Ref``/``Fn::GetAtt`` of a resource of the template (``("AdminRole", "Arn")``) or a
    #: reference to a resource attribute in Terraform (``("aws_iam_role.admin", "arn")``):
    #: its logical id or address, and the attribute (``"Ref"`` for a CloudFormation ``Ref``).
    #: None when the value refers to no resource, or the extractor does not know which.
    #: Like ``shape``, what is known of the value, not part of its identity.
    refers_to: tuple[str, str] | None = field(default=None, compare=False)

    @property
    def value(self) -> None:
        return None

    def canonical(self) -> str | None:
        """``shape`` with each pseudo part as `Str.canonical` spells it and the ``i``-th input
        as `input_token` ``(i)``; None without a shape."""
        if not self.shape:
            return None
        out = self.shape
        for spelled, kind in self.pseudo:
            out = out.replace(spelled, _CANONICAL[kind])
        for i, (spelled, _input) in enumerate(self.inputs):
            out = out.replace(spelled, input_token(i))
        return out


Value = Str | Unknown


@dataclass(frozen=True, slots=True)
class PrincipalEntry:
    """One principal of a ``Principal``/``NotPrincipal`` element.

    ``kind`` is ``"*"`` for the bare string form ``"Principal": "*"``, else the map key as
    written (``AWS``, ``Service``, ``Federated``, ``CanonicalUser``, ...).
    """

    kind: str
    value: Value


@dataclass(frozen=True, slots=True)
class Principal:
    span: Span
    entries: tuple[PrincipalEntry, ...]

    def of_kind(self, kind: str) -> tuple[Value, ...]:
        k = kind.lower()
        return tuple(e.value for e in self.entries if e.kind.lower() == k)

    @property
    def is_wildcard(self) -> bool:
        """``"*"`` or ``{"AWS": "*"}`` (anyone)."""
        return any(
            isinstance(e.value, Str) and e.value.value == "*" and e.kind.lower() in ("*", "aws")
            for e in self.entries
        )


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition key test: ``"ForAnyValue:StringLike": {"aws:PrincipalOrgID": [...]}``.

    ``operator`` is the operator as written; ``base`` is its lower-cased core without
    qualifier and ``IfExists`` (``stringlike``); ``key`` is the condition key lower-cased
    (AWS compares them case-insensitively), `written_key` as written, ``key_span`` where it
    is written.
    """

    operator: Str
    base: str
    qualifier: str | None  # "forallvalues" / "foranyvalue" / None
    if_exists: bool
    key: str
    key_span: Span
    values: tuple[Value, ...]
    #: the key as written (``key`` is lower-cased), for messages; empty when not recorded
    key_text: str = ""

    def literal_values(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values if isinstance(v, Str))

    @property
    def written_key(self) -> str:
        """The key as the user wrote it (``aws:SourceIp``), else the lower-cased ``key``."""
        return self.key_text or self.key


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement with every element normalised to tuples of values.

    An element that is absent is ``None``; an element present but empty is ``()``.
    ``keys`` are the element names as written (for grammar checks), with their spans.
    """

    span: Span
    index: int
    sid: Value | None = None
    effect: Value | None = None
    action: tuple[Value, ...] | None = None
    not_action: tuple[Value, ...] | None = None
    resource: tuple[Value, ...] | None = None
    not_resource: tuple[Value, ...] | None = None
    principal: Principal | None = None
    not_principal: Principal | None = None
    condition: tuple[Condition, ...] = ()
    condition_span: Span | None = None
    condition_unresolved: bool = False  # part of the Condition could not be resolved
    keys: tuple[Str, ...] = ()
    element_spans: dict[str, Span] = field(default_factory=dict, compare=False, hash=False)
    #: elements (``Action``, ``Resource``, ...) some of whose values are alternatives of one
    #: another rather than items of one list: both branches of a CloudFormation ``Fn::If``,
    #: the allowed values of a parameter, the entries of a mapping. Rules that compare the
    #: items of a list with each other (IAM506) leave these elements alone.
    alternative_elements: frozenset[str] = frozenset()
    #: the statement is one of several alternatives (a branch of a ``Fn::If`` in
    #: ``Statement``), not a statement beside the others
    alternative: bool = False

    @property
    def is_allow(self) -> bool:
        return isinstance(self.effect, Str) and self.effect.value == "Allow"

    @property
    def is_deny(self) -> bool:
        return isinstance(self.effect, Str) and self.effect.value == "Deny"

    def conditions(self, key: str | None = None, base: str | None = None) -> tuple[Condition, ...]:
        """Conditions filtered by key and/or base operator, both case-insensitive."""
        k = key.lower() if key else None
        b = base.lower() if base else None
        return tuple(c for c in self.condition if (k is None or c.key == k) and (b is None or c.base == b))


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a document comes from.

    ``format``: ``json`` (raw policy), ``cloudformation``, ``terraform``, ``terraform-plan``.
    ``owner``: the owning resource's address or logical id (``None`` for a raw policy file).
    ``owner_type``: its type (``AWS::IAM::Role``, ``aws_iam_role``).
    ``path``: the property path inside the owner (``Properties.Policies[0].PolicyDocument``).
    ``construct``: the CDK construct path, when the resource carries one.
    """

    file: str
    format: str
    owner: str | None = None
    owner_type: str | None = None
    path: str = ""
    construct: str | None = None

    @property
    def label(self) -> str | None:
        """How findings name the owner: ``Role (cdk: Stack/Role/Resource)``."""
        if self.owner is None:
            return None
        if self.construct:
            return f"{self.owner} ({self.construct})"
        return self.owner


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    kind: DocKind
    origin: Origin
    span: Span
    statements: tuple[Statement, ...]
    version: Value | None = None
    keys: tuple[Str, ...] = ()
    principals: tuple[str, ...] = ()  # addresses of the IAM principals it attaches to
    name: Value | None = None  # policy name, when the source gives one
    size: int | None = None  # characters without whitespace, when known
    problems: tuple[tuple[str, Span], ...] = ()  # structural problems found while building
    managed: bool = False  # a customer managed policy (AWS::IAM::ManagedPolicy, aws_iam_policy)
    #: attached to one resource (a KMS key, a secret, an ECR repository, ...): its "*" (or
    #: absent) Resource means that resource
    single_resource: bool = False
    #: the SAM policy template it expands (``S3ReadPolicy``): AWS wrote its statements, the
    #: user only the parameters
    policy_template: str | None = None
    #: the AWS managed policy it is (AWS's spelling, ``AdministratorAccess``): AWS wrote it, the
    #: user attached it; every value stands where the user wrote its ARN or name. Reached
    #: through `ManagedPolicyRef.document` only, never linted as a document of the file.
    aws_managed: str | None = None


@dataclass(frozen=True, slots=True)
class ManagedPolicyRef:
    """A managed policy attached by ARN, name or reference, located where the user wrote it.

    ``name`` is the AWS managed policy name when the ARN (or a SAM ``Policies`` name) is one:
    AWS's spelling when iamlint's index knows the policy, else as written.
    ``document`` is what the policy says: the customer managed policy of the same
    template/module when resolved, or the AWS managed policy's document from the index
    (`PolicyDocument.aws_managed` set; kind identity, or boundary for a permissions
    boundary). An AWS managed name without a document is one the index does not have.
    ``path`` is an AWS managed policy's path as the index knows it (``/``, ``/service-role/``,
    ``/aws-service-role/``, ``/job-function/``; ``""`` when the index has none), else None.
    """

    value: Value
    name: str | None = None
    document: PolicyDocument | None = None
    path: str | None = None
    #: when the block that attaches it may create nothing: the meta-argument that decides
    #: it as written (``count = var.on ? 1 : 0``), else None
    when: str | None = None

    @property
    def aws_managed(self) -> bool:
        """Whether it names an AWS managed policy (``arn:<partition>:iam::aws:policy/...``)."""
        return self.name is not None


@dataclass(frozen=True, slots=True)
class IAMPrincipal:
    """A node of the attachment graph: a role, user, group or permission set and what it holds."""

    kind: str  # "role", "user", "group", "permission-set", "function-role"
    address: str
    span: Span
    file: str
    trust: PolicyDocument | None = None
    inline: tuple[PolicyDocument, ...] = ()
    managed: tuple[ManagedPolicyRef, ...] = ()
    boundary: ManagedPolicyRef | None = None
    groups: tuple[str, ...] = ()  # for users: group addresses
    access_keys: tuple[Span, ...] = ()  # for users: long-lived access keys created for them
    #: where each of ``inline`` is attached, when that is not where its document is (a
    #: Terraform ``aws_iam_user_policy`` whose ``policy`` is an ``aws_iam_policy_document``
    #: defined elsewhere); None, or no item, for one attached where it is written
    inline_at: tuple[Span | None, ...] = ()
    #: for each of ``inline``, when the block that attaches it may create nothing: the
    #: meta-argument that decides it as written (``count = var.on ? 1 : 0``), else None
    #: (or no item)
    inline_when: tuple[str | None, ...] = ()

    def inline_place(self, i: int) -> Span:
        """Where the ``i``-th inline policy is attached: attachment findings stand there."""
        at = self.inline_at[i] if i < len(self.inline_at) else None
        return at if at is not None else self.inline[i].span

    def inline_condition(self, i: int) -> str | None:
        """What the ``i``-th inline policy's attachment depends on (see ``inline_when``)."""
        return self.inline_when[i] if i < len(self.inline_when) else None


@dataclass(frozen=True, slots=True)
class Fix:
    """The fix a finding carries, in the model's terms: spans and values, never text edits.

    The rule that reports the finding declares it (`iamlint.api`: `replace_fix`,
    `remove_item_fix`, `add_version_fix`); `iamlint.fixes` turns it into text edits on the
    file, after checking that the source holds, at each span, exactly the text the fix
    expects. ``kind``:

    - ``replace``: the value at ``span`` (``old``, as written between its quotes, if any)
      becomes ``new``;
    - ``remove``: the list item at ``span`` goes, with its comma or its line; ``items`` are
      the spans of every item of the list, in order, and ``within`` the list's own span;
    - ``add-version``: ``"Version": "2012-10-17"`` becomes the first key of the document
      whose first key (``old``) is at ``span``; ``within`` is the document's span.

    ``within``, when given, is the element the edit must lie in: a value resolved from
    somewhere else (a Terraform local, a YAML alias) is never edited where it is defined.
    ``safe``: the fix keeps what the policy means (``--fix`` applies it); an unsafe one
    changes it and needs ``--unsafe-fixes``. ``title`` is what a user reads.
    """

    kind: str
    title: str
    safe: bool
    span: Span
    old: str = ""
    new: str = ""
    within: Span | None = None
    items: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports. ``value`` is the offending value's text, used for fingerprints.

    ``related`` are the other places a finding involves, each with what stands there (the
    first of two duplicate keys, the inline policy a copy repeats, the suppression that
    expired): editors show them beside the finding (LSP ``relatedInformation``).
    ``principals`` are the addresses of the IAM principals it concerns: the principal that
    owns it, or those the owning policy is attached to (reports group findings by them).
    ``fix``: the fix it carries, if any (not part of its identity).
    """

    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    owner: str | None = None
    value: str = ""
    #: other places the finding involves, each with what stands there (see above), for
    #: reporters that can show them (LSP ``relatedInformation``, SARIF ``relatedLocations``); not part of its identity
    related: tuple[tuple[Span, str], ...] = field(default=(), compare=False)
    principals: tuple[str, ...] = field(default=(), compare=False)
    #: the fix it carries, if any (not part of its identity either)
    fix: Fix | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.column, self.code, self.message)
