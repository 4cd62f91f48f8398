"""Recount a corpus's policy documents structurally, and check that iamlint reads or names each.

    python benchmarks/recount_policies.py CORPUS [--report REPORT.json] [--iamlint PATH]
                                                 [--jobs N] [--examples N] [--json]

Issue 12 ("Done when"): a count, made independently of iamlint's extractors, of every
policy-bearing element of the corpus, compared with the documents ``iamlint --format json``
lists (``files[].documents``), so that none is unread or unnamed. The recount reads the files
with its own simple readers (``json``, PyYAML accepting any tag, python-hcl2) and counts:

- CloudFormation and SAM (JSON and YAML templates): in every resource's ``Properties``, every
  object whose ``Statement`` holds a statement (an object with ``Effect``, ``Action`` or
  ``NotAction``), and every string holding such a JSON document, at any depth (so a
  ``x-amazon-apigateway-policy`` in an OpenAPI ``Body`` counts); each SAM policy template
  (``- S3ReadPolicy: {BucketName: ...}``) in ``Policies``; a SAM API's
  ``Auth.ResourcePolicy``; an ``AWS::Lambda::Permission``, and an
  ``AWS::Events::EventBusPolicy`` given by ``Principal`` and ``Action`` (the resource-policy
  statement AWS writes for each); the resources of a ``StackSet``'s ``TemplateBody``,
  recounted as a template whose owners are named ``StackSet/LogicalId``, as iamlint names them;
- Terraform: every argument of a ``resource`` or ``module`` block (nested blocks included)
  whose value is a policy document: text with a ``Statement`` (``jsonencode``, heredoc, JSON
  string), a ``data.aws_iam_policy_document.X.json`` reference, a ``local.X`` that holds one
  of these, or a ``file()``/``templatefile()`` of a file with a ``Statement``; every
  ``aws_lambda_permission``; every ``data "aws_iam_policy_document"`` that nothing else in its
  folder refers to (one that is referred to is counted through the argument that uses it);
- Terraform plan JSON: every attribute of a planned resource that holds a document;
- raw JSON: a file whose top-level object has ``Statement`` (one document), else every
  document nested in it (the AWS CLI's wrappers such as ``PolicyVersion.Document``).

A counted element is *found* when iamlint lists a document for the same file and owner
(logical id, Terraform address, or none for a raw file), matched by property path first and
then by count; *named* when the file has an IAM900 parse error or the owner (or file) an
IAM906/IAM907 "not evaluated" diagnostic; else it is *unread and unnamed*, and listed by type.
A report without ``documents`` (iamlint before the listing existed) is compared file by file
with its ``policies`` counts instead.

Folders iamlint skips by design (``.git``, ``node_modules``, ``.terraform``, ...) are skipped
here too. What the recount cannot read (a file neither its JSON, YAML nor HCL reader parses)
is counted apart.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

SKIP_DIRS = {".git", ".hg", ".svn", ".terraform", "node_modules", "__pycache__", ".tox", ".venv"}
EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf")
STATEMENT_KEYS = ("Effect", "Action", "NotAction")
NOT_DOCUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each", "lifecycle"}


class Element(NamedTuple):
    """One policy-bearing element: where it is, who holds it, what type holds it."""

    file: str  # relative to the corpus
    owner: str | None
    type: str
    where: str  # the property path in the owner ("" for a whole raw file)
    #: other owners iamlint may list the document under: the data sources it is built from
    alts: tuple[str, ...] = ()


# -- what a document looks like ---------------------------------------------------------------------
def is_document(value: Any) -> bool:
    if not isinstance(value, dict) or "Statement" not in value:
        return False
    stmts = value["Statement"]
    items = stmts if isinstance(stmts, list) else [stmts]
    return any(isinstance(s, dict) and any(k in s for k in STATEMENT_KEYS) for s in items) or items == []


def text_is_document(text: str) -> bool:
    if "Statement" not in text:
        return False
    try:
        return is_document(json.loads(text))
    except ValueError:
        # a JSON template string (${...} of Fn::Sub): the words are enough
        return (
            text.lstrip().startswith("{")
            and bool(re.search(r'"Statement"\s*:', text))
            and bool(re.search(r'"(Effect|Action)"\s*:', text))
        )


def walk_documents(value: Any, path: str):
    """(path, node) of each policy document in a value, not looking inside a found one."""
    if is_document(value):
        yield path, value
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from walk_documents(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_documents(v, f"{path}[{i}]")
    elif isinstance(value, str) and text_is_document(value):
        yield path, value


# -- readers ----------------------------------------------------------------------------------------
def yaml_load(text: str) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {suffix.lstrip("!"): value}

    Loader.add_multi_constructor("!", any_tag)
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass


def read_structured(path: str, text: str) -> Any:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            if path.lower().endswith(".json") and "AWSTemplateFormatVersion" not in text:
                raise
    return yaml_load(text)


# -- CloudFormation ---------------------------------------------------------------------------------
def is_template(root: Any) -> bool:
    res = root.get("Resources") if isinstance(root, dict) else None
    return isinstance(res, dict) and any(isinstance(r, dict) and "Type" in r for r in res.values())


def count_template(file: str, root: dict, out: list[Element], prefix: str = "") -> None:
    """``prefix``: how the owners of a stack set's template are named (``StackSet/``)."""
    for logical_id, res in root["Resources"].items():
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            continue
        owner = f"{prefix}{logical_id}"
        rtype, props = res["Type"], res.get("Properties")
        if not isinstance(props, dict):
            if rtype == "AWS::Lambda::Permission":
                out.append(Element(file, owner, f"{rtype} (statement AWS writes)", "Properties"))
            continue
        for where, _node in walk_documents(props, "Properties"):
            out.append(Element(file, owner, rtype, where))
        if rtype == "AWS::Lambda::Permission":
            out.append(Element(file, owner, f"{rtype} (statement AWS writes)", "Properties"))
        if rtype == "AWS::Events::EventBusPolicy" and "Statement" not in props and "Principal" in props:
            out.append(Element(file, owner, f"{rtype} (statement AWS writes)", "Properties"))
        policies = props.get("Policies")
        if rtype.startswith("AWS::Serverless::") and policies is not None:
            for i, item in enumerate(policies if isinstance(policies, list) else [policies]):
                if isinstance(item, dict) and len(item) == 1 and not is_document(item):
                    (name,) = item
                    if name not in ("Fn::If", "Ref", "Fn::Sub", "Fn::GetAtt", "Fn::ImportValue"):
                        out.append(
                            Element(
                                file,
                                owner,
                                f"{rtype} (SAM policy template)",
                                f"Properties.Policies[{i}]",
                            )
                        )
        auth = props.get("Auth")
        if rtype == "AWS::Serverless::Api" and isinstance(auth, dict) and auth.get("ResourcePolicy"):
            out.append(Element(file, owner, rtype, "Properties.Auth.ResourcePolicy"))
        body = props.get("TemplateBody")
        if rtype == "AWS::CloudFormation::StackSet" and isinstance(body, str):
            try:
                inner = read_structured(file, body)
            except Exception:
                out.append(Element(file, owner, f"{rtype} (TemplateBody unreadable)", "Properties"))
            else:
                if is_template(inner):
                    count_template(file, inner, out, f"{owner}/")


# -- Terraform plan ---------------------------------------------------------------------------------
def is_plan(root: Any) -> bool:
    return (
        isinstance(root, dict)
        and "format_version" in root
        and ("planned_values" in root or "resource_changes" in root)
    )


def count_plan(file: str, root: dict, out: list[Element]) -> None:
    def module(m: dict) -> None:
        for r in m.get("resources", ()):
            if r.get("mode") != "managed":
                continue
            for where, _node in walk_documents(r.get("values") or {}, ""):
                out.append(Element(file, r.get("address"), r.get("type", "?"), where))
        for child in m.get("child_modules", ()):
            module(child)

    if isinstance(root.get("planned_values"), dict):
        module(root["planned_values"].get("root_module") or {})
    else:
        for rc in root.get("resource_changes", ()):
            after = (rc.get("change") or {}).get("after") or {}
            for where, _node in walk_documents(after, ""):
                out.append(Element(file, rc.get("address"), rc.get("type", "?"), where))


# -- raw JSON ---------------------------------------------------------------------------------------
def count_raw(file: str, root: Any, out: list[Element]) -> None:
    if is_document(root):
        out.append(Element(file, None, "raw JSON policy", ""))
        return
    for where, _node in walk_documents(root, ""):
        if "aws:cdk:cloudformation:props" not in where:  # a CDK tree.json repeats its template
            out.append(Element(file, None, "raw JSON (wrapped document)", where))


# -- Terraform HCL ----------------------------------------------------------------------------------
_DATA_REF = re.compile(r"data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)")
_LOCAL_REF = re.compile(r"\blocal\.([A-Za-z0-9_-]+)")
_FILE_CALL = re.compile(r"\b(?:file|templatefile)\(\s*\"([^\"]+)\"")


def _label(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def tf_values(value: Any, path: str):
    """(path, text) of each attribute of a block, nested blocks included."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("__") or k in NOT_DOCUMENTS:  # python-hcl2's __is_block__, __comments__
                continue
            yield from tf_values(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) and v.get("__is_block__") for v in value):
            for i, v in enumerate(value):
                yield from tf_values(v, f"{path}[{i}]")
        else:
            yield path, json.dumps(value)
    elif value is not None:
        yield path, str(value)


_HEREDOC = re.compile(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_HEADER = re.compile(r'\s*([A-Za-z_][\w-]*)((?:\s+"[^"\n]*"|\s+[A-Za-z_][\w-]*)*)\s*\{')
_ATTR = re.compile(r"\s*([A-Za-z_][\w-]*)\s*=(?!=)")


def _skip(text: str, i: int) -> int:
    """The index after a string, heredoc or comment starting at ``i``, else ``i``."""
    c = text[i]
    if c == '"':
        j = i + 1
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        return j + 1
    if c == "#" or text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        return len(text) if j < 0 else j + 2
    m = _HEREDOC.match(text, i) if c == "<" else None
    if m:
        end = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*$", re.M).search(text, m.end())
        return len(text) if end is None else end.end()
    return i


def _close(text: str, i: int) -> int:
    """The index of the bracket closing the one at ``i``."""
    depth = 0
    while i < len(text):
        j = _skip(text, i)
        if j != i:
            i = j
            continue
        if text[i] in "{[(":
            depth += 1
        elif text[i] in "}])":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def simple_hcl(text: str) -> dict:
    """A forgiving reading of HCL blocks and attributes (values as text), shaped as
    python-hcl2's output, for the files python-hcl2 refuses."""

    def body(start: int, end: int) -> dict:
        out: dict[str, Any] = {"__is_block__": True}
        i = start
        while i < end:
            j = _skip(text, i)
            if j != i or text[i] in " \t\r\n,":
                i = max(j, i + 1)
                continue
            m = _ATTR.match(text, i)
            if m:
                k = m.end()
                while k < end and text[k] != "\n":  # the value: to the end of its line, brackets whole
                    k2 = _skip(text, k)
                    if k2 != k:
                        k = k2
                    elif text[k] in "{[(":
                        k = _close(text, k) + 1
                    else:
                        k += 1
                out[m.group(1)] = text[m.end() : k].strip()
                i = k
                continue
            m = _HEADER.match(text, i)
            if m:
                close = _close(text, m.end() - 1)
                labels = re.findall(r'"[^"]*"|[A-Za-z_][\w-]*', m.group(2))
                node: Any = body(m.end(), close)
                for label in reversed(labels):
                    node = {label: node}
                out.setdefault(m.group(1), []).append(node)
                i = close + 1
                continue
            i += 1
        return out

    return body(0, len(text))


def count_terraform(directory: str, files: list[tuple[str, dict]], corpus: str, out: list[Element]) -> None:
    """One folder (a module): its .tf files parsed by python-hcl2."""
    locals_text: dict[str, str] = {}
    data_docs: list[tuple[str, str, str]] = []  # (file, name, own text)
    users: list[tuple[str, str, str, str, str]] = []  # (file, owner, type, where, text)
    permissions: list[Element] = []
    for file, tree in files:
        for block in tree.get("locals", ()):
            for k, v in block.items():
                if k != "__is_block__":
                    locals_text[k] = json.dumps(v)
        for block in tree.get("data", ()):
            for dtype, named in block.items():
                for name, body in named.items():
                    if _label(dtype) == "aws_iam_policy_document":
                        data_docs.append((file, _label(name), json.dumps(body)))
        for block in tree.get("resource", ()):
            for rtype, named in block.items():
                for name, body in named.items():
                    owner = f"{_label(rtype)}.{_label(name)}"
                    if _label(rtype) == "aws_lambda_permission":
                        permissions.append(
                            Element(file, owner, "aws_lambda_permission (statement AWS writes)", "")
                        )
                    for where, text in tf_values(body, ""):
                        users.append((file, owner, _label(rtype), where, text))
        for block in tree.get("module", ()):
            for name, body in block.items():
                for where, text in tf_values(body, ""):
                    users.append((file, f"module.{_label(name)}", "module argument", where, text))

    def documents_in(text: str, seen: frozenset = frozenset()) -> tuple[bool, set[str]]:
        """Whether an argument's text holds a document, and the data sources it is built from."""
        data = set(_DATA_REF.findall(text))
        found = bool(data) or bool(re.search(r"\bStatement\b", text) and re.search(r"\bEffect\b", text))
        for m in _FILE_CALL.finditer(text):
            target = m.group(1).replace("${path.module}", ".").replace("${path.root}", ".")
            full = os.path.normpath(os.path.join(corpus, directory, target))
            try:
                with open(full, encoding="utf-8", errors="replace") as fh:
                    found = found or "Statement" in fh.read()
            except OSError:
                pass
        for m in _LOCAL_REF.finditer(text):
            name = m.group(1)
            if name not in seen and name in locals_text:
                got, more = documents_in(locals_text[name], seen | {name})
                found, data = found or got, data | more
        return found, data

    for file, owner, rtype, where, text in users:
        found, data = documents_in(text)
        if found:
            alts = tuple(sorted(f"data.aws_iam_policy_document.{n}" for n in data))
            out.append(Element(file, owner, rtype, where, alts))
    # a data source something refers to is counted through what uses it
    referred = set(_DATA_REF.findall("\n".join([t for *_, t in users] + list(locals_text.values()))))
    for file, name, _own in data_docs:
        others = [o for _f, n, o in data_docs if n != name]
        if name in referred or any(f"aws_iam_policy_document.{name}." in o for o in others):
            continue
        out.append(Element(file, f"data.aws_iam_policy_document.{name}", "data aws_iam_policy_document", ""))
    out.extend(permissions)


# -- one file / one folder, in worker processes -----------------------------------------------------
def count_file(args: tuple[str, str]) -> tuple[list[Element], list[str]]:
    corpus, rel = args
    out: list[Element] = []
    try:
        with open(os.path.join(corpus, rel), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return out, [rel]
    if rel.lower().endswith((".yaml", ".yml", ".template")) or not text.lstrip().startswith(("{", "[")):
        if not re.search(r"AWSTemplateFormatVersion|AWS::|Custom::", text):
            return out, []
    try:
        root = read_structured(rel, text)
    except Exception:
        return out, [rel]
    if is_template(root):
        count_template(rel, root, out)
    elif is_plan(root):
        count_plan(rel, root, out)
    elif rel.lower().endswith(".json"):
        count_raw(rel, root, out)
    return out, []


def count_folder(args: tuple[str, str, list[str]]) -> tuple[list[Element], list[str]]:
    import hcl2

    corpus, directory, names = args
    parsed, unread = [], []
    for name in names:
        rel = os.path.join(directory, name) if directory != "." else name
        try:
            with open(os.path.join(corpus, rel), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            unread.append(rel)
            continue
        try:
            parsed.append((rel, hcl2.loads(text)))
        except Exception:  # python-hcl2 refuses some heredocs: read it the simple way
            try:
                parsed.append((rel, simple_hcl(text)))
            except Exception:
                unread.append(rel)
    out: list[Element] = []
    count_terraform(directory, parsed, corpus, out)
    return out, unread


def recount(corpus: str, jobs: int) -> tuple[list[Element], list[str]]:
    singles: list[tuple[str, str]] = []
    folders: dict[str, list[str]] = {}
    for root, dirs, names in os.walk(corpus):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        rel_root = os.path.relpath(root, corpus)
        for name in sorted(names):
            if not name.lower().endswith(EXTENSIONS):
                continue
            if name.lower().endswith(".tf"):
                folders.setdefault(rel_root, []).append(name)
            else:
                singles.append((corpus, os.path.normpath(os.path.join(rel_root, name))))
    work = [(count_file, a) for a in singles] + [(count_folder, (corpus, d, n)) for d, n in folders.items()]
    elements: list[Element] = []
    unread: list[str] = []
    with ProcessPoolExecutor(max(1, jobs)) as pool:
        futures = [pool.submit(fn, a) for fn, a in work]
        for f in futures:
            got, bad = f.result()
            elements.extend(got)
            unread.extend(bad)
    return elements, unread


# -- what iamlint says ------------------------------------------------------------------------------
def iamlint_report(corpus: str, exe: list[str], jobs: int) -> dict:
    proc = subprocess.run(
        [*exe, "--format", "json", "--jobs", str(jobs), corpus], capture_output=True, text=True, check=False
    )
    if proc.returncode not in (0, 1, 2) or not proc.stdout.strip():
        sys.exit(f"iamlint failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    return json.loads(proc.stdout)


def _group(file: str) -> str:
    """Where an owner's documents are matched: a Terraform module's folder (iamlint lists a
    document under the .tf file it sits in, which may not be the resource's), else the file."""
    return os.path.dirname(file) or "." if file.endswith(".tf") else file


def compare(corpus: str, elements: list[Element], report: dict) -> dict:
    def rel(path: str) -> str:
        return os.path.normpath(os.path.relpath(path, corpus))

    files = report.get("files", [])
    listing = any("documents" in f for f in files)
    listed: dict[tuple[str, str | None], list[str]] = collections.defaultdict(list)
    per_file: dict[str, int] = collections.Counter()
    seen: set[tuple] = set()
    for f in files:
        path = rel(f["path"])
        per_file[path] = max(per_file[path], f.get("policies", 0))
        for d in f.get("documents", ()):
            if d.get("format") == "terraform":
                if not path.endswith(".tf"):
                    continue  # a file() target: its module's .tf file lists it too
                where = (
                    _group(path),
                    d.get("owner"),
                    d.get("property"),
                    d.get("file"),
                    d.get("line"),
                    d.get("column"),
                )
                if where in seen:
                    continue
                seen.add(where)
            listed[(_group(path), d.get("owner"))].append(d.get("property") or "")
    parse_errors = {rel(f["file"]) for f in report.get("findings", ()) if f["code"] == "IAM900"}
    not_evaluated: set[tuple[str, str | None]] = set()
    for f in report.get("findings", ()):
        if f["code"] in ("IAM906", "IAM907"):
            not_evaluated.add((_group(rel(f["file"])), f.get("owner")))
            not_evaluated.add((rel(f["file"]), None))

    status: list[tuple[Element, str]] = []
    if listing:
        groups: dict[tuple[str, str | None], list[Element]] = collections.defaultdict(list)
        for e in elements:
            groups[(_group(e.file), e.owner)].append(e)
        unmatched: list[Element] = []
        for key, group in groups.items():
            props = listed.get(key, [])
            rest = []
            for e in group:  # the same property path first
                if e.where in props:
                    props.remove(e.where)
                    status.append((e, "found"))
                else:
                    rest.append(e)
            for e in rest:  # then by count: the spelling of paths may differ
                if props:
                    props.pop()
                    status.append((e, "found"))
                else:
                    unmatched.append(e)
        for e in unmatched:  # linted as the data source it is built from
            alt = next((a for a in e.alts if listed.get((_group(e.file), a))), None)
            if alt is not None:
                listed[(_group(e.file), alt)].pop()
                status.append((e, "found"))
            else:
                status.append((e, _why_missing(e, parse_errors, not_evaluated)))
        extra = sum(len(v) for v in listed.values())
        extra_items = sorted((k[0], k[1] or "(file)", len(v)) for k, v in listed.items() if v)
    else:
        # no listing: compare counts by file (by folder for Terraform, whose documents may be
        # counted in another file of the module); a short group's missing elements are taken
        # to be its last ones, which are those the recount adds after the documents it finds
        # in properties (Lambda permissions, SAM policy templates, StackSet bodies)
        have: dict[str, int] = collections.Counter()
        for f in files:
            if rel(f["path"]).endswith(".tf") or f.get("format") != "terraform":
                have[_group(rel(f["path"]))] += f.get("policies", 0)
        by_group: dict[str, list[Element]] = collections.defaultdict(list)
        for e in elements:
            by_group[_group(e.file)].append(e)
        for g, group in by_group.items():
            for i, e in enumerate(group):
                status.append(
                    (e, "found" if i < have.get(g, 0) else _why_missing(e, parse_errors, not_evaluated))
                )
        extra_items = sorted(
            (g, "(file)", n - len(by_group.get(g, ())))
            for g, n in have.items()
            if n > len(by_group.get(g, ()))
        )
        extra = sum(n for *_, n in extra_items)
    return {
        "listing": listing,
        "status": status,
        "listed": len(seen)
        + sum(1 for f in files for d in f.get("documents", ()) if d.get("format") != "terraform")
        if listing
        else sum(per_file.values()),
        "policies": report.get("summary", {}).get("policies"),
        "extra": extra,
        "extra_items": extra_items,
    }


def _why_missing(e: Element, parse_errors: set, not_evaluated: set) -> str:
    if e.file in parse_errors:
        return "named: file not parsed (IAM900)"
    if (e.file, e.owner) in not_evaluated or (e.file, None) in not_evaluated:
        return "named: not evaluated (IAM906/IAM907)"
    return "unread and unnamed"


# -- output -----------------------------------------------------------------------------------------
def render(corpus: str, elements: list[Element], unread: list[str], result: dict, examples: int) -> str:
    status = result["status"]
    counts = collections.Counter(s for _e, s in status)
    lines = [
        f"Structural recount of {corpus}",
        f"  policy-bearing elements counted: {len(elements):,}"
        + (f" ({len(unread):,} files the recount could not read)" if unread else ""),
        f"  documents iamlint lists: {result['listed']:,}"
        + ("" if result["listing"] else " (per-file 'policies' counts: this iamlint has no document listing)")
        + (f"; summary.policies: {result['policies']:,}" if result["policies"] is not None else ""),
        f"  found: {counts['found']:,}",
        f"  named, not evaluated: {sum(n for s, n in counts.items() if s.startswith('named')):,}"
        + "".join(f"\n    {s[7:]}: {n:,}" for s, n in sorted(counts.items()) if s.startswith("named")),
        f"  unread and unnamed: {counts['unread and unnamed']:,}",
        f"  listed by iamlint, not counted here: {result['extra']:,}",
    ]
    for title, which in (("Unread and unnamed", "unread and unnamed"), ("Named, not evaluated", "named")):
        by_type: dict[str, list[Element]] = collections.defaultdict(list)
        for e, s in status:
            if s.startswith(which):
                by_type[e.type].append(e)
        if not by_type:
            continue
        lines.append(f"\n{title}, by type:")
        for t, es in sorted(by_type.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            lines.append(f"  {len(es):6,}  {t}")
            for e in es[:examples]:
                lines.append(f"            {e.file}: {e.owner or '(file)'} {e.where}".rstrip())
    if result["extra_items"]:
        lines.append(
            "\nListed by iamlint, not counted here (documents the recount does not know, or owners it names otherwise):"
        )
        for where, owner, n in result["extra_items"][: max(examples, 1) * 5]:
            lines.append(f"  {n:6,}  {where}: {owner}")
        if len(result["extra_items"]) > max(examples, 1) * 5:
            lines.append(f"          ... {len(result['extra_items']) - max(examples, 1) * 5} more")
    if unread:
        lines.append("\nFiles the recount could not read (its own readers refuse them):")
        lines.extend(f"          {u}" for u in unread[: max(examples, 1) * 5])
    by_type_all = collections.Counter(e.type for e in elements)
    lines.append("\nCounted, by type (top 25):")
    for t, n in by_type_all.most_common(25):
        lines.append(f"  {n:6,}  {t}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--report", help="compare with this saved 'iamlint --format json CORPUS' output")
    ap.add_argument("--iamlint", help="the iamlint executable (default: next to this Python, else PATH)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--examples", type=int, default=3, help="example places shown per type")
    ap.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = ap.parse_args()
    corpus = os.path.normpath(args.corpus)
    elements, unread = recount(corpus, args.jobs)
    if args.report:
        with open(args.report, encoding="utf-8") as fh:
            report = json.load(fh)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from _timing import find_iamlint

        report = iamlint_report(corpus, find_iamlint(args.iamlint), args.jobs)
    result = compare(corpus, elements, report)
    if args.json:
        out = {
            "counted": len(elements),
            "unreadable_files": unread,
            "listed": result["listed"],
            "status": collections.Counter(s for _e, s in result["status"]),
            "missing": [e._asdict() | {"status": s} for e, s in result["status"] if s != "found"],
        }
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        print(render(corpus, elements, unread, result, args.examples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
