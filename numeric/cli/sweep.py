"""``rankbound sweep`` and ``rankbound plot`` (plug-in commands).

``rankbound sweep --vary n=1e2:1e12:log:200 [--bound truong|edelman|trauger-tewari] --json|--csv``
prints the bound over the grid (progress on stderr unless ``--quiet``);
``rankbound plot`` (numeric/cli_plot.py) draws them.
"""

from __future__ import annotations

import csv
import json
import sys

NAME = "sweep"
HELP = "evaluate a bound over a grid of one parameter (--vary n=1e2:1e12:log:200)"


def common_flags(parser):
    from numeric.cli.common import add_param_flags
    add_param_flags(parser)
    parser.add_argument("--vary", required=True, help="name=start:stop[:lin|log[:count]], e.g. n=1e2:1e12:log:200")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def configure(parser):
    common_flags(parser)
    parser.add_argument("--bound", default="truong", choices=("truong", "edelman", "trauger-tewari"))
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object (default)")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header line")


def run(args) -> int:
    from numeric.cli.common import params_from
    from numeric.errors import UsageError
    from numeric.compare.sweep import parse_vary, sweep
    if args.variant != "default":
        raise UsageError("--variant: sweep uses the default variant")
    name, grid = parse_vary(args.vary)
    rows = sweep(args.bound, name, grid, params_from(args), dps=min(int(args.dps), 30), quiet=args.quiet)
    if args.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    else:
        print(json.dumps({"bound": args.bound, "vary": name, "float64": args.bound == "truong",
                          "points": rows}, indent=1))
    return 0
