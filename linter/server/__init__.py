"""``iamlint server``: a Language Server on stdio (docs/editors.md).

The server lints open buffers in process with the engine the command line uses, and
offers hover, completion and code actions. It needs the ``server`` extra (pygls and
lsprotocol): ``pip install 'iamlint[server]'``; nothing else in iamlint imports them.

The modules: `documents` (open buffers, LSP positions), `session` (what is linted with
which configuration), `hover`, `completion` and `actions` (what the features say, with no
LSP types), and `app` (the pygls server that speaks the protocol).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

USAGE = "usage: iamlint server   (a Language Server on stdin and stdout; see docs/editors.md)\n"


def main(argv: Sequence[str] = ()) -> int:
    """Run the server until the client says ``exit`` or closes stdin; the exit code."""
    args = list(argv)
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0
    if args and args != ["--stdio"]:  # --stdio: what some clients add to every server
        sys.stderr.write(f"iamlint: error: 'iamlint server' takes no arguments, got {' '.join(args)!r}\n")
        sys.stderr.write(USAGE)
        return 2
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as e:
        sys.stderr.write(
            f"iamlint: error: the language server needs pygls and lsprotocol ({e}); "
            "install them with: pip install 'iamlint[server]'\n"
        )
        return 2
    from ..registry import RegistryError
    from ..ruleset import default_registry

    try:
        registry = default_registry()
    except RegistryError as e:
        sys.stderr.write(f"iamlint: error: {e}\n")
        return 2
    from .app import serve

    return serve(registry, debug=bool(os.environ.get("IAMLINT_DEBUG")))
