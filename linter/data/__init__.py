"""Data files shipped in the wheel (the action catalogue, the policy grammar schema)."""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def policy_grammar() -> dict[str, Any]:
    """``policy_grammar.json``: the IAM policy grammar by kind of policy (read once)."""
    import json
    import os

    with open(os.path.join(os.path.dirname(__file__), "policy_grammar.json"), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def rcp_services() -> frozenset[str]:
    """The service prefixes whose resources resource control policies apply to (lower case)."""
    return frozenset(s.lower() for s in policy_grammar()["kinds"]["rcp"]["services"])
