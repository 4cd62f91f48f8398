"""CloudFormation templates (JSON and YAML, SAM and CDK output included).

Cheap to import: the extractor itself (`extractor`) loads when a template is met.
"""

from __future__ import annotations

from typing import Any

from ..extraction import Extraction
from .types import is_cfn_template


def extract_yaml(path: str, text: str) -> Extraction | None:
    """A YAML (or JSON-in-.yaml) template; None when it is not CloudFormation."""
    from .extractor import extract_yaml as run

    return run(path, text)


def extract_json_as_yaml(path: str, text: str) -> Extraction | None:
    """A ``.json``/``.template`` file that is not JSON but a YAML template, read as YAML."""
    from .extractor import extract_json_as_yaml as run

    return run(path, text)


def extract_json(path: str, text: str, root: Any) -> Extraction:
    """A JSON template already parsed with positions."""
    from .extractor import extract_json as run

    return run(path, text, root)


__all__ = ["extract_json", "extract_json_as_yaml", "extract_yaml", "is_cfn_template"]
