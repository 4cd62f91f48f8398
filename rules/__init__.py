"""iamlint's built-in rules, one per file, listed explicitly.

A new rule takes the next free code of its group; a code is never reused.
"""

from __future__ import annotations

from .duplicate_key import DuplicateKey
from .internal_error import InternalError
from .not_action import NotAction
from .not_principal import NotPrincipal
from .not_resource import NotResource
from .parse_error import ParseError
from .wildcard_action import WildcardAction
from .wildcard_resource import WildcardResource

BUILTIN = (
    WildcardAction,
    WildcardResource,
    NotAction,
    NotResource,
    NotPrincipal,
    ParseError,
    DuplicateKey,
    InternalError,
)

__all__ = [cls.__name__ for cls in BUILTIN] + ["BUILTIN"]
