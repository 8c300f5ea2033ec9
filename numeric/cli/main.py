"""The ``rankbound`` command line: one module per command under :mod:`numeric.cli`.

Each command module exposes ``NAME``, ``HELP``, ``configure(parser)`` and ``run(args) -> int``;
:data:`COMMANDS` lists them in the order ``--help`` shows.  A command module that fails to import
is an error, never a silently missing command.

Bad input never produces a traceback: it is one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import sys

from numeric.cli.common import Parser
from numeric.errors import NotCertified, UsageError, shorten

__all__ = ["main", "build_parser", "COMMANDS"]

#: the command modules, in the order ``rankbound --help`` lists them
COMMANDS = ("report", "eval", "latex", "weights", "audit", "compare", "sweep", "plot", "tighten")


def build_parser():
    parser = Parser(prog="rankbound", description="Compose, check and evaluate rank-dependent generalisation "
                                                  "bounds for transformers (Truong 2024, reconstructed).")
    parser.add_argument("--version", action="version", version=f"rankbound {version()}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    handlers = {}
    for name in COMMANDS:
        mod = importlib.import_module(f"numeric.cli.{name}")
        p = sub.add_parser(mod.NAME, help=mod.HELP)
        mod.configure(p)
        handlers[mod.NAME] = mod.run
    return parser, handlers


def version() -> str:
    """The installed version (from the package metadata, or pyproject.toml in a source tree)."""
    try:
        from importlib.metadata import version as _v
        return _v("rankbound")
    except Exception:  # pragma: no cover - not installed
        return "unknown"


def check_names(args) -> None:
    """One wording, in every command, for an unknown preset or variant."""
    from numeric.params import PRESETS
    if getattr(args, "preset", None) is not None and args.preset not in PRESETS:
        raise UsageError(f"--preset: unknown preset {shorten(repr(args.preset))}; known: {', '.join(PRESETS)}")
    if getattr(args, "variant", None) is not None:
        import derive
        if args.variant not in derive.VARIANTS:
            raise UsageError(f"--variant: unknown variant {shorten(repr(args.variant))}; known: "
                             f"{', '.join(derive.VARIANTS)}")


def main(argv=None) -> int:
    try:
        parser, handlers = build_parser()
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        check_names(args)
        return handlers[args.command](args)
    except (UsageError, NotCertified) as exc:
        msg = " ".join(str(exc).split())
        if len(msg) > 600:                      # one readable line, whatever the value was
            msg = msg[:560] + " ... " + msg[-30:]
        print(f"rankbound: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
