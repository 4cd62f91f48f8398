"""iamlint's built-in rules, one per file, listed explicitly.

A new rule takes the next free code of its group; a code is never reused.
"""

from __future__ import annotations

from .broad_managed_policy import BroadManagedPolicy
from .condition_key_not_applicable import ConditionKeyNotApplicable
from .condition_value_mismatch import ConditionValueMismatch
from .duplicate_address import DuplicateAddress
from .duplicate_key import DuplicateKey
from .ignored_parameter import IgnoredParameter
from .inline_policy_overuse import InlinePolicyOveruse
from .internal_error import InternalError
from .invalid_arn import InvalidArn
from .invalid_suppression import InvalidSuppression
from .long_lived_access_key import LongLivedAccessKey
from .missing_external_id import MissingExternalId
from .missing_file import MissingFile
from .missing_mfa import MissingMfa
from .missing_version import MissingVersion
from .not_action import NotAction
from .not_principal import NotPrincipal
from .not_resource import NotResource
from .parse_error import ParseError
from .policy_grammar import PolicyGrammar
from .policy_size import PolicySize
from .privilege_escalation import PrivilegeEscalation
from .public_principal import PublicPrincipal
from .redundant_element import RedundantElement
from .resource_mismatch import ResourceMismatch
from .unknown_action import UnknownAction
from .unknown_condition_key import UnknownConditionKey
from .unknown_tag import UnknownTag
from .unresolved_policy import UnresolvedPolicy
from .unused_suppression import UnusedSuppression
from .user_attached_policy import UserAttachedPolicy
from .wildcard_action import WildcardAction
from .wildcard_resource import WildcardResource

BUILTIN = (
    WildcardAction,
    WildcardResource,
    NotAction,
    NotResource,
    NotPrincipal,
    MissingMfa,
    MissingExternalId,
    UnknownConditionKey,
    ConditionKeyNotApplicable,
    ConditionValueMismatch,
    InlinePolicyOveruse,
    UserAttachedPolicy,
    LongLivedAccessKey,
    BroadManagedPolicy,
    PrivilegeEscalation,
    PublicPrincipal,
    UnknownAction,
    PolicyGrammar,
    PolicySize,
    ResourceMismatch,
    InvalidArn,
    RedundantElement,
    MissingVersion,
    ParseError,
    UnusedSuppression,
    DuplicateKey,
    InternalError,
    InvalidSuppression,
    MissingFile,
    UnresolvedPolicy,
    UnknownTag,
    DuplicateAddress,
    IgnoredParameter,
)

__all__ = [cls.__name__ for cls in BUILTIN] + ["BUILTIN"]
