"""iamlint: a fast, offline, static linter for AWS IAM policy documents in infrastructure-as-code.

Rule authors import from `iamlint.api`. Its classes are also reachable here, as in 0.1
(``from iamlint import StatementRule``), loaded on first use so that ``import iamlint``
stays cheap.
"""

from __future__ import annotations

from typing import Any

from .version import __version__


def __getattr__(name: str) -> Any:
    # 0.1 exported the model and rule classes from here; a lower-case name is a submodule
    # being imported, which must not load the API
    if name[:1].isupper():
        import importlib

        api = importlib.import_module(".api", __name__)
        if name in api.__all__:
            return getattr(api, name)
    raise AttributeError(f"module 'iamlint' has no attribute {name!r}")


__all__ = ["__version__"]
