"""Suppression directives as they are written, before anything judges them.

Every way of accepting a finding (a comment in YAML or HCL, a CloudFormation resource's
``Metadata``, an entry of the configuration) is parsed where it is found into this one
plain type; `iamlint.suppress` validates all of them in one place (known codes, a reason
when one is required, a real date) and applies them.
"""

from __future__ import annotations

from typing import NamedTuple

from .model import Span


class Directive(NamedTuple):
    """One suppression as written.

    ``codes``: the rule codes or prefixes as written (``ALL`` for every rule).
    ``reason``: the reason as written ('' when none). ``until``: the expiry date as written
    (``None`` when none). ``source``: ``comment``, ``metadata`` or ``config``.
    ``lines``: the lines of its file a comment covers. ``owner``: the resource a metadata
    entry covers. ``files``, ``actions``, ``resources``: the globs and patterns of a
    configuration entry. ``key``: its identity across work units (configuration entries).
    ``problem``: what is wrong with it already at the place it was read (a malformed comment
    or metadata block); such a directive suppresses nothing and is reported as IAM904.
    """

    codes: tuple[str, ...]
    reason: str
    span: Span
    source: str
    until: str | None = None
    lines: tuple[int, int] | None = None
    owner: str | None = None
    files: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    key: tuple = ()
    problem: str | None = None
