#!/usr/bin/env python3
"""Build iamlint's offline copy of the SAM policy templates: ``linter/data/sam_policy_templates.json.gz``.

    python scripts/build_sam_policy_templates.py WHEEL [-o PATH] [--check]
    python scripts/build_sam_policy_templates.py --download [VERSION] [-o PATH] [--check]

WHEEL is a wheel of AWS's ``aws-sam-translator`` (Apache-2.0), which holds the policy templates
SAM expands in a function's ``Policies`` (``samtranslator/policy_templates_data/policy_templates.json``):

    pip download --no-deps aws-sam-translator==1.115.0 -d /tmp/sam

``--download`` runs that command itself (into a temporary folder; VERSION defaults to `VERSION`
below, the version the committed file is built from).

iamlint does not depend on aws-sam-translator: reading the templates from it at run time would
install boto3, botocore and pydantic with every iamlint (docs/sam-policy-templates.md has the
figures). This script reads the JSON from the wheel, checks that every template has the shape
the extractor relies on (below), and writes the templates with the wheel's version, its SHA-256,
its NOTICE and its licence.

What the extractor (``iamlint.extract.cloudformation.sam``) relies on, checked here so that a
newer version with another shape stops the build instead of being read wrongly:

* a template's name matches SAM's schema (``^[a-zA-Z0-9]+Policy(_v[0-9])?$``); its parameters
  are a map of names to ``{"Description"}``; its definition is ``{"Statement": [...]}`` with at
  least one statement, each a map;
* the intrinsic functions in a definition are ones iamlint's CloudFormation resolver evaluates
  (``Ref``, ``Fn::Sub``, ``Fn::Join``, ``Fn::If``, ``Fn::Select``);
* every ``Ref`` names a parameter of the template or an ``AWS::`` pseudo parameter, and every
  ``Ref`` to a parameter is the value of a ``Fn::Sub`` variable (so a parameter's value must be
  a string, or an intrinsic function that gives one); every parameter is used.

The output is deterministic (templates sorted by name, statements as AWS wrote them, minified
JSON, gzip mtime 0, no build date): two builds of the same wheel are byte-identical, and
``--check`` compares a fresh build with the committed file (``tests/test_sam_templates.py``
does the same when the wheel can be downloaded).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "linter" / "data" / "sam_policy_templates.json.gz"

#: the aws-sam-translator version the committed data file is built from
VERSION = "1.115.0"
DISTRIBUTION = "aws-sam-translator"
TEMPLATES_JSON = "samtranslator/policy_templates_data/policy_templates.json"
REPOSITORY = "https://github.com/aws/serverless-application-model"

# The file (read by linter/extract/cloudformation/sam.py; bump FORMAT in both on any change) is
# one gzip member of compact JSON:
#
#   {"format": 1,
#    "source": {"name", "version", "file", "templates_version", "wheel", "sha256", "url",
#               "license", "notice", "changes", "license_text"},
#    "count": <templates>,
#    "templates": {"<Name>": {"description": "...", "parameters": ["<Param>", ...],
#                             "statements": [{...}, ...]}, ...}}
#
# ``statements`` is the template's ``Definition.Statement`` as AWS wrote it (intrinsic
# functions and all); ``parameters`` are the names of its ``Parameters``, in AWS's order.
FORMAT = 1
GZIP_LEVEL = 9

NAME = re.compile(r"[a-zA-Z0-9]+Policy(_v[0-9])?")
PARAMETER = re.compile(r"[a-zA-Z0-9]+")
INTRINSICS = frozenset({"Ref", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select"})
CHANGES = (
    "iamlint keeps, of samtranslator/policy_templates_data/policy_templates.json, each template's "
    "description, parameter names and statements, minified and sorted by template name"
)


class SourceError(Exception):
    """The wheel is missing something or holds something the extractor cannot read."""


# ---------------------------------------------------------------------------------------
# Reading the wheel


def read_wheel(wheel: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """(policy_templates.json, facts of the wheel: version, licence, notice, sha256, name)."""
    try:
        raw = wheel.read_bytes()
        with zipfile.ZipFile(wheel) as whl:
            names = whl.namelist()
            try:
                templates = json.loads(whl.read(TEMPLATES_JSON), object_pairs_hook=_no_duplicates)
            except KeyError as e:
                raise SourceError(f"{wheel}: no {TEMPLATES_JSON} in it") from e
            metas = [n for n in names if n.endswith(".dist-info/METADATA")]
            if len(metas) != 1:
                raise SourceError(f"{wheel}: expected one .dist-info/METADATA, found {len(metas)}")
            meta = Parser().parsestr(whl.read(metas[0]).decode("utf-8"), headersonly=True)
            info = metas[0].rsplit("/", 1)[0]

            def text(*candidates: str) -> str:
                for c in candidates:
                    if f"{info}/{c}" in names:
                        return whl.read(f"{info}/{c}").decode("utf-8").strip()
                raise SourceError(f"{wheel}: no {' or '.join(candidates)} in {info}")

            licence = text("licenses/LICENSE", "LICENSE")
            notice = text("licenses/NOTICE", "NOTICE")
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError) as e:
        raise SourceError(f"cannot read {wheel}: {e}") from e
    except ValueError as e:  # json.JSONDecodeError
        raise SourceError(f"{wheel}: {TEMPLATES_JSON} is not valid JSON: {e}") from e
    if meta["Name"] != DISTRIBUTION:
        raise SourceError(f"{wheel}: a wheel of {meta['Name']!r}, not {DISTRIBUTION}")
    if "Apache License" not in licence or "Version 2.0" not in licence:
        raise SourceError(f"{wheel}: its LICENSE is not the Apache License 2.0 this build records")
    facts = {
        "version": str(meta["Version"]),
        "license_text": licence,
        "notice": notice,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "wheel": wheel.name,
    }
    return templates, facts


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise SourceError(f"duplicate keys {sorted({k for k in keys if keys.count(k) > 1})}")
    return dict(pairs)


def check_template(name: str, body: Any) -> dict[str, Any]:
    """One template, checked (see the module docstring), as the data file keeps it."""
    if not NAME.fullmatch(name):
        raise SourceError(f"template name {name!r} does not match SAM's schema")
    if not isinstance(body, dict) or not isinstance(body.get("Parameters"), dict):
        raise SourceError(f"{name}: no Parameters map")
    params = body["Parameters"]
    for p, spec in params.items():
        if not PARAMETER.fullmatch(p) or not isinstance(spec, dict):
            raise SourceError(f"{name}: odd parameter {p!r}: {spec!r:.100}")
    definition = body.get("Definition")
    statements = definition.get("Statement") if isinstance(definition, dict) else None
    if not isinstance(statements, list) or not statements or set(definition) != {"Statement"}:
        raise SourceError(f"{name}: Definition is not {{'Statement': [...]}}")
    if not all(isinstance(s, dict) for s in statements):
        raise SourceError(f"{name}: a statement is not a map")
    used: set[str] = set()
    _check_node(name, statements, set(params), used, in_sub_variables=False)
    if set(params) - used:
        raise SourceError(f"{name}: parameters {sorted(set(params) - used)} are never used")
    description = body.get("Description", "")
    return {
        "description": description if isinstance(description, str) else "",
        "parameters": list(params),
        "statements": statements,
    }


def _check_node(name: str, node: Any, params: set[str], used: set[str], in_sub_variables: bool) -> None:
    if isinstance(node, list):
        for item in node:
            _check_node(name, item, params, used, False)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "Ref" and len(node) == 1:
            if not isinstance(value, str):
                raise SourceError(f"{name}: Ref to {value!r}")
            if value in params:
                if not in_sub_variables:
                    raise SourceError(
                        f"{name}: Ref {value} is not the value of a Fn::Sub variable; "
                        "the extractor assumes parameters are strings"
                    )
                used.add(value)
            elif not value.startswith("AWS::"):
                raise SourceError(f"{name}: Ref to {value!r}, neither a parameter nor a pseudo parameter")
        elif (key.startswith("Fn::") or key == "Ref") and len(node) == 1:
            if key not in INTRINSICS:
                raise SourceError(f"{name}: {key} is not an intrinsic function iamlint evaluates")
            if (
                key == "Fn::Sub"
                and isinstance(value, list)
                and len(value) == 2
                and isinstance(value[1], dict)
            ):
                _check_node(name, value[0], params, used, False)
                for v in value[1].values():
                    _check_node(name, v, params, used, True)
            else:
                _check_node(name, value, params, used, False)
        else:
            _check_node(name, value, params, used, False)


def read_templates(data: Any) -> tuple[str, dict[str, dict[str, Any]]]:
    """(the file's own Version, every template checked, sorted by name)."""
    if not isinstance(data, dict) or not isinstance(data.get("Templates"), dict) or not data["Templates"]:
        raise SourceError(f"{TEMPLATES_JSON}: expected {{'Version', 'Templates': {{...}}}}")
    version = data.get("Version")
    return str(version), {n: check_template(n, data["Templates"][n]) for n in sorted(data["Templates"])}


# ---------------------------------------------------------------------------------------
# Writing


def build(wheel: Path) -> tuple[bytes, dict[str, Any]]:
    """Read the wheel and encode its templates: (file bytes, the decoded content)."""
    data, facts = read_wheel(wheel)
    templates_version, templates = read_templates(data)
    content = {
        "format": FORMAT,
        "source": {
            "name": DISTRIBUTION,
            "version": facts["version"],
            "file": TEMPLATES_JSON,
            "templates_version": templates_version,
            "wheel": facts["wheel"],
            "sha256": facts["sha256"],
            "url": REPOSITORY,
            "license": "Apache-2.0",
            "notice": facts["notice"],
            "changes": CHANGES,
            "license_text": facts["license_text"],
        },
        "count": len(templates),
        "templates": templates,
    }
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return gzip.compress(text, compresslevel=GZIP_LEVEL, mtime=0), content


def download(version: str, dest: Path, timeout: float = 120) -> Path:
    """``pip download --no-deps aws-sam-translator==VERSION`` into ``dest``: the wheel's path."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q"]
    cmd += [f"{DISTRIBUTION}=={version}", "-d", str(dest)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SourceError(f"pip download of {DISTRIBUTION}=={version} failed: {e}") from e
    wheels = sorted(dest.glob(f"aws_sam_translator-{version}-*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise SourceError(f"pip download of {DISTRIBUTION}=={version} failed: {last}")
    return wheels[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("wheel", nargs="?", metavar="WHEEL", help="an aws-sam-translator wheel")
    ap.add_argument(
        "--download",
        nargs="?",
        const=VERSION,
        metavar="VERSION",
        help=f"download the wheel with pip instead (default version: {VERSION})",
    )
    ap.add_argument(
        "-o", "--output", default=str(DEFAULT_OUTPUT), help="where to write (default: %(default)s)"
    )
    ap.add_argument(
        "--check", action="store_true", help="do not write: exit 1 if the output differs from a fresh build"
    )
    args = ap.parse_args(argv)
    if (args.wheel is None) == (args.download is None):
        ap.error("give a WHEEL or --download [VERSION], not both")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wheel = Path(args.wheel) if args.wheel else download(args.download, Path(tmp))
            data, content = build(wheel)
    except SourceError as e:
        print(f"build_sam_policy_templates: {e}", file=sys.stderr)
        return 2
    out = Path(args.output)
    src = content["source"]
    if args.check:
        if not out.exists() or out.read_bytes() != data:
            print(
                f"{out} is not what {src['wheel']} builds; rerun scripts/build_sam_policy_templates.py",
                file=sys.stderr,
            )
            return 1
        print(f"{out} is up to date ({DISTRIBUTION} {src['version']})")
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    params = sum(1 for t in content["templates"].values() if t["parameters"])
    print(
        f"wrote {out}: {content['count']} SAM policy templates ({params} with parameters) from "
        f"{DISTRIBUTION} {src['version']} (policy templates {src['templates_version']}), {len(data):,} bytes"
    )
    if src["version"] != VERSION:
        print(
            f"note: built from {src['version']}; set VERSION in {Path(__file__).name} to match",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
