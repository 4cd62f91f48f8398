"""Extractors: from a file's text to policy documents of the model.

`extract_file` decides what a (non-Terraform) file is and hands it to its extractor:
raw JSON policies (`jsonpolicy`), CloudFormation templates (`cloudformation`), Terraform plan
JSON (`tfplan`). Terraform HCL is read a module (directory) at a time by `terraform`.
A file that is none of these returns None: it is "not IaC" and is skipped quietly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Finding, IAMPrincipal, PolicyDocument, Severity, Span

JSON_MARKERS = ('"Statement"', '"Resources"', '"AWSTemplateFormatVersion"', '"format_version"')
CFN_MARKERS = ("AWSTemplateFormatVersion", "AWS::", "Custom::")


#: resource policies attached to one resource, by owner type in every input format; their
#: "*" (or absent) Resource means that resource (see PolicyDocument.single_resource)
SINGLE_RESOURCE_OWNERS = frozenset({
    "AWS::KMS::Key", "AWS::KMS::ReplicaKey", "aws_kms_key", "aws_kms_key_policy", "aws_kms_replica_key",
    "AWS::SecretsManager::ResourcePolicy", "aws_secretsmanager_secret_policy", "aws_secretsmanager_secret",
    "AWS::ECR::Repository", "AWS::ECR::PublicRepository", "aws_ecr_repository_policy",
    "aws_ecrpublic_repository_policy",
    "AWS::EFS::FileSystem", "aws_efs_file_system_policy",
    "AWS::Backup::BackupVault", "aws_backup_vault_policy",
    "AWS::CodeArtifact::Domain", "AWS::CodeArtifact::Repository",
    "aws_codeartifact_domain_permissions_policy", "aws_codeartifact_repository_permissions_policy",
})


@dataclass
class Extraction:
    """What one file yields: its documents, principals and diagnostics (IAM9xx findings)."""

    format: str
    documents: list[PolicyDocument] = field(default_factory=list)
    principals: list[IAMPrincipal] = field(default_factory=list)
    diagnostics: list[Finding] = field(default_factory=list)
    #: suppressions the source itself declares (CloudFormation resource Metadata)
    suppressions: list = field(default_factory=list)


def diagnostic(code: str, name: str, message: str, span: Span, severity=Severity.ERROR) -> Finding:
    return Finding(code=code, name=name, severity=severity, message=message, span=span)


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return diagnostic(
        "IAM900", "parse-error", message, Span(path, line, column, line, column + 1)
    )


def duplicate_keys(path: str, node, limit: int = 100) -> list[Finding]:
    """IAM902 findings for every duplicated key in a positional tree (breadth bounded)."""
    from ..nodes import PDict

    out: list[Finding] = []
    stack = [node]
    while stack and len(out) < limit:
        n = stack.pop()
        if isinstance(n, dict):
            if isinstance(n, PDict):
                for key, first, second in n.dups:
                    if second:
                        where = f" (first at line {first[0]})" if first else ""
                        out.append(
                            diagnostic(
                                "IAM902",
                                "duplicate-key",
                                f"duplicate key {str(key)!r}{where}; the last value is used",
                                Span(path, second[0], second[1], second[2], second[3]),
                                Severity.WARNING,
                            )
                        )
            stack.extend(n.values())
        elif isinstance(n, list):
            stack.extend(n)
    return sorted(out, key=lambda f: (f.span.line, f.span.column))


def is_cfn_template(node) -> bool:
    if not isinstance(node, dict):
        return False
    if "AWSTemplateFormatVersion" in node:
        return True
    res = node.get("Resources")
    if isinstance(res, dict):
        for r in res.values():
            t = r.get("Type") if isinstance(r, dict) else None
            if isinstance(t, str) and (t.startswith("AWS::") or t.startswith("Custom::")):
                return True
    return False


def is_tf_plan(node) -> bool:
    return (
        isinstance(node, dict)
        and "format_version" in node
        and ("planned_values" in node or "resource_changes" in node)
    )


def extract_file(path: str, text: str) -> Extraction | None:
    """Extract one non-Terraform file, or None when it is not IaC."""
    lower = path.lower()
    stripped = text.lstrip()
    if lower.endswith((".yaml", ".yml")) or (
        lower.endswith(".template") and not stripped.startswith("{")
    ):
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
    if not any(m in text for m in JSON_MARKERS):
        return None
    from ..nodes import ParseError, parse_json

    recovered: list[ParseError] = []
    try:
        root = parse_json(text, recovered=recovered)
    except ParseError as e:
        return Extraction("json", diagnostics=[parse_error(path, e.message, e.line, e.column)])
    if is_cfn_template(root):
        from . import cloudformation

        ex = cloudformation.extract_json(path, text, root)
    elif is_tf_plan(root):
        from . import tfplan

        ex = tfplan.extract(path, text, root)
    else:
        from . import jsonpolicy

        ex = jsonpolicy.extract(path, root)
    if recovered:  # report the slip, and lint what it did not hide
        ex = ex or Extraction("json")
        ex.diagnostics[:0] = [parse_error(path, e.message, e.line, e.column) for e in recovered]
    return ex


def _json_error_or_none(path: str, text: str) -> Extraction | None:
    if not any(m in text for m in JSON_MARKERS):
        return None
    from ..nodes import ParseError, parse_json

    try:
        parse_json(text)
    except ParseError as e:
        return Extraction("json", diagnostics=[parse_error(path, e.message, e.line, e.column)])
    return None
