"""``rankbound sweep``: a bound over a grid of one parameter (``rankbound plot`` draws them).

``rankbound sweep --vary n=1e2:1e12:log:200 [--bound truong|edelman|trauger-tewari] [--json|--csv]``
prints the bound at every grid point, in float64 (JSON numbers); ``--dps N`` computes every point
at N digits instead (values as decimal strings; grids past float64's range, n = 1e400, allowed).
``--vary NAME`` alone takes NAME's default range.  Progress goes to stderr on a terminal unless
``--quiet``.  Every flag is honoured or refused: ``--variant`` picks the chain of truong (the prior
bounds have none), a parameter flag may not also be the swept parameter.

Examples
--------
>>> from numeric.cli.main import main
>>> main(["sweep", "--vary", "n=1e4:1e8:log:3", "--dps", "12", "--csv"])
n,value
10000,285.021328384
1000000,28.5021328384
100000000,2.85021328384
0
"""

from __future__ import annotations

import csv
import json
import sys

NAME = "sweep"
HELP = "evaluate a bound over a grid of one parameter (--vary n=1e2:1e12:log:200)"


def vary_help() -> str:
    from numeric.compare.sweep import DEFAULT_RANGES
    ranges = "; ".join(f"{k}: {v}" for k, v in DEFAULT_RANGES.items())
    return ("NAME=START:STOP[:lin|log[:COUNT]] (log and 50 points unless given), or a bare NAME for its default "
            f"range ({ranges}; d = the current d, dk = min(d, k), r = max(r_w, r_v); real parameters "
            "1e-3:1e3:log:60, delta 1e-9:0.5:log:60)")


def common_flags(parser):
    """The flags sweep and plot share (each has its own --dps, or none)."""
    from numeric.cli.common import add_param_flags
    add_param_flags(parser, dps=False, variant_help="named variant of the chain of the truong bound (default, "
                                                    "sharp-softmax, dudley-half); the rebuilt prior bounds have none")
    parser.add_argument("--vary", required=True, metavar="SPEC", help=vary_help())
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def configure(parser):
    common_flags(parser)
    parser.add_argument("--bound", default="truong", choices=("truong", "edelman", "trauger-tewari"))
    parser.add_argument("--dps", default=None, metavar="N",
                        help="evaluate every point at N digits and print decimal strings (default: float64)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object (default)")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header line")


def swept(args):
    """(params, name, grid, dps) from the flags, refusing a parameter flag that is also the swept parameter.

    The swept parameter's preset value is not checked against the others (``--vary r_w --d 32`` with the
    preset's r_w = 64 is fine): the parameters are validated with the grid's ends in its place.
    """
    import re

    from numeric.compare.sweep import parse_vary
    from numeric.errors import UsageError
    from numeric.evaluate import check_dps
    from numeric.params import PRESETS, SPECS, Params
    dps = None if getattr(args, "dps", None) is None else check_dps(args.dps)
    if args.preset not in PRESETS:
        raise UsageError(f"--preset: unknown preset {args.preset!r}; known: {', '.join(PRESETS)}")
    given = {s.name: getattr(args, s.name) for s in SPECS if getattr(args, s.name, None) is not None}
    m = re.match(r"\s*([A-Za-z_]+)", args.vary or "")
    name = m.group(1) if m else None
    if name in given:
        flag = {s.name: s.flag for s in SPECS}[name]
        raise UsageError(f"{flag}: {name} is the swept parameter (--vary {name}=...); give one or the other")
    raw = {**PRESETS[args.preset], **given}
    name, grid = parse_vary(args.vary, dps=dps, params=raw)
    params = Params.from_preset(args.preset, **given, **{name: grid[0]})
    params.replace(**{name: grid[-1]})
    return params, name, grid, dps


def _text(x, dps):
    """A grid or bound value as text: ints exactly, others at dps significant digits."""
    import mpmath
    if isinstance(x, int):
        return str(x)
    with mpmath.workdps(dps):
        v = mpmath.mpf(x.numerator) / x.denominator if hasattr(x, "denominator") else mpmath.mpf(x)
        return mpmath.nstr(v, dps, min_fixed=-5, max_fixed=dps)


def run(args) -> int:
    from numeric.compare.sweep import sweep
    params, name, grid, dps = swept(args)
    rows = sweep(args.bound, name, grid, params, dps=dps, quiet=args.quiet, variant=args.variant)
    if dps is not None:
        rows = [{k: _text(v, dps) for k, v in r.items()} for r in rows]
    if args.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        out = {"bound": args.bound, "vary": name, "float64": dps is None and args.bound == "truong",
               "dps": dps if dps is not None else (15 if args.bound != "truong" else None)}
        if args.bound == "truong":
            out["variant"] = args.variant
        print(json.dumps(out | {"points": rows}, indent=1))
    return 0
