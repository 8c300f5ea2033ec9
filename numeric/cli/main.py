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
from numeric.errors import NotCertified, UsageError

__all__ = ["main", "build_parser", "COMMANDS"]

#: the command modules, in the order ``rankbound --help`` lists them
COMMANDS = ("report", "eval", "latex", "weights", "audit", "compare", "sweep", "plot")


def build_parser():
    parser = Parser(prog="rankbound", description="Compose, check and evaluate rank-dependent generalisation "
                                                  "bounds for transformers (Truong 2024, reconstructed).")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    handlers = {}
    for name in COMMANDS:
        mod = importlib.import_module(f"numeric.cli.{name}")
        p = sub.add_parser(mod.NAME, help=mod.HELP)
        mod.configure(p)
        handlers[mod.NAME] = mod.run
    return parser, handlers


def main(argv=None) -> int:
    try:
        parser, handlers = build_parser()
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return handlers[args.command](args)
    except (UsageError, NotCertified) as exc:
        msg = " ".join(str(exc).split())
        print(f"rankbound: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
