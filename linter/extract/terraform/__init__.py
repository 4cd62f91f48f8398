"""Terraform: HCL modules (a directory at a time) and ``terraform show -json`` plan output.

- `types`: the resource types that hold policies or build the attachment graph;
- `module`: a module's files, their blocks (parsed lazily) and the values of expressions;
- `text`: JSON inside heredocs, quoted strings and template files, with file positions;
- `documents`: ``data "aws_iam_policy_document"`` rendered as Terraform does;
- `values`: Terraform nodes as model values, and how Terraform spells this account;
- `extractor`: documents and the attachment graph of a module (`extract_module`);
- `plan`: the same from plan JSON.

Cheap to import: the extractor loads when a ``.tf`` file or a plan is met.
"""

from __future__ import annotations

from ..extraction import Extraction
from .types import is_tf_plan


def extract_module(
    directory: str,
    given: list[str],
    texts: dict[str, str],
    roots: tuple[str, ...] | None = None,
    max_bytes: int | None = None,
) -> dict[str, Extraction]:
    """Extract the ``given`` ``.tf`` files of the module in ``directory``; ``file()`` reads
    inside ``roots`` (real paths; None: the module's repository), files of ``max_bytes`` at most."""
    from .extractor import extract_module as run

    return run(directory, given, texts, roots, max_bytes)


__all__ = ["extract_module", "is_tf_plan"]
