"""Extractors: from a file's text to policy documents of the model.

`extract_file` decides what a (non-Terraform) file is and hands it to its extractor:
raw JSON policies (`jsonpolicy`), CloudFormation templates (`cloudformation`), Terraform plan
JSON (`terraform.plan`). Terraform HCL is read a module (directory) at a time by
`terraform.extract_module`. A file that is none of these returns None: it is "not IaC" and
is skipped quietly.

Extractors parse with `iamlint.parse`, build documents with `iamlint.builder` and return an
`Extraction`; they never import the engine, the rules or the suppression stage.
"""

from __future__ import annotations

from ..diagnostics import parse_error
from ..model import DocKind
from .extraction import Extraction
from .terraform import extract_module

__all__ = ["Extraction", "extract_file", "extract_module"]

JSON_MARKERS = (
    '"Statement"',
    '"Resources"',
    '"AWSTemplateFormatVersion"',
    '"format_version"',
    # a policy document wrapped as a string (jsonpolicy): its "Statement" is escaped
    '"PolicyDocument"',
    '"AssumeRolePolicyDocument"',
    '"Document"',
)
CFN_MARKERS = ("AWSTemplateFormatVersion", "AWS::", "Custom::")


def extract_file(path: str, text: str, kind: DocKind | None = None) -> Extraction | None:
    """Extract one non-Terraform file, or None when it is not IaC; ``kind`` (from
    ``[tool.iamlint.kinds]``) is the kind of the policies of a raw JSON policy file."""
    lower = path.lower()
    stripped = text.lstrip()
    if lower.endswith((".yaml", ".yml")) or (lower.endswith(".template") and not stripped.startswith("{")):
        if not any(m in text for m in CFN_MARKERS):
            return None
        from . import cloudformation

        return cloudformation.extract_yaml(path, text)
    if not stripped.startswith("{"):
        if not lower.endswith((".json", ".template")) and any(m in text for m in CFN_MARKERS):
            from . import cloudformation

            return cloudformation.extract_yaml(path, text)
        if lower.endswith(".json") and stripped and not stripped.startswith("["):
            # not JSON at all (a JSON5 or templated file): say so rather than skip it
            return _json_error_or_none(path, text)
        return None
    # a template CloudFormation reads as YAML although it starts with "{": flow style with
    # single quotes, trailing commas or comments (CloudFormation and cfn-lint read it)
    maybe_yaml = lower.endswith((".json", ".template")) and any(m in text for m in CFN_MARKERS)
    if not any(m in text for m in JSON_MARKERS):
        return _yaml_template(path, text) if maybe_yaml else None
    from ..parse.json_parser import parse_json
    from ..positions import PositionedError

    recovered: list[PositionedError] = []
    try:
        root = parse_json(text, recovered=recovered)
    except PositionedError as e:
        # not JSON: a YAML template, or the JSON error (the author wrote JSON: its message
        # names the JSON token expected where JSON reading stopped)
        got = _yaml_template(path, text) if maybe_yaml else None
        return got or Extraction("json", diagnostics=[parse_error(path, e.message, e.line, e.column)])
    from .cloudformation import is_cfn_template

    if recovered and maybe_yaml and is_cfn_template(root):
        got = _yaml_template(path, text)  # a trailing comma: YAML, as CloudFormation reads it
        if got is not None:
            return got

    ex: Extraction | None
    from .terraform import is_tf_plan

    if is_cfn_template(root):
        from . import cloudformation

        ex = cloudformation.extract_json(path, text, root)
    elif is_tf_plan(root):
        from .terraform import plan

        ex = plan.extract(path, text, root)
    else:
        from . import jsonpolicy

        ex = jsonpolicy.extract(path, root, text, kind)
    if recovered:  # report the slip, and lint what it did not hide
        ex = ex or Extraction("json")
        ex.diagnostics[:0] = [parse_error(path, e.message, e.line, e.column) for e in recovered]
    return ex


def _yaml_template(path: str, text: str) -> Extraction | None:
    from . import cloudformation

    return cloudformation.extract_json_as_yaml(path, text)


def _json_error_or_none(path: str, text: str) -> Extraction | None:
    if not any(m in text for m in JSON_MARKERS):
        return None
    from ..parse.json_parser import parse_json
    from ..positions import PositionedError

    try:
        parse_json(text)
    except PositionedError as e:
        return Extraction("json", diagnostics=[parse_error(path, e.message, e.line, e.column)])
    return None
