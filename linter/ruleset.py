"""The rules of a run: iamlint's built-in rules and the installed plugins."""

from __future__ import annotations

from .registry import Registry, load_plugins

_DEFAULT: Registry | None = None


def default_registry(plugins: bool = True) -> Registry:
    """The built-in rules plus the installed plugins (cached per process)."""
    global _DEFAULT
    if not plugins:
        return builtin_registry()
    if _DEFAULT is None:
        reg = builtin_registry()
        load_plugins(reg)
        _DEFAULT = reg
    return _DEFAULT


def builtin_registry() -> Registry:
    """The built-in rules alone (for generated docs, which must not depend on plugins)."""
    from .rules import BUILTIN

    return Registry(BUILTIN)
