"""``rankbound plot --vary n=1e2:1e12:log:100 --out bounds.png [--bounds truong,edelman]`` (plug-in).

Draws the bounds over the grid on log-log axes with the vacuity line c (matplotlib, an optional
extra: without it the command fails with one line).
"""

from __future__ import annotations

NAME = "plot"
HELP = "plot bounds over a grid of one parameter to a PNG (matplotlib)"


def configure(parser):
    from numeric.cli.sweep import common_flags
    common_flags(parser)
    parser.add_argument("--bounds", default="truong,edelman,trauger-tewari", help="comma-separated bounds to draw")
    parser.add_argument("--out", required=True, help="PNG file to write")


def run(args) -> int:
    from numeric.cli.common import params_from
    from numeric.errors import UsageError
    from numeric.compare.sweep import BOUND_NAMES, parse_vary, plot, sweep
    names = [b.strip() for b in args.bounds.split(",") if b.strip()]
    bad = [b for b in names if b not in BOUND_NAMES]
    if bad or not names:
        raise UsageError(f"parameter --bounds: unknown bound(s) {bad}; choose from {', '.join(BOUND_NAMES)}")
    if not args.out.lower().endswith(".png"):
        raise UsageError(f"parameter --out: must name a .png file, got {args.out!r}")
    name, grid = parse_vary(args.vary)
    params = params_from(args)
    series = {b: sweep(b, name, grid, params, dps=15, quiet=args.quiet) for b in names}
    plot(series, name, args.out, c=params["c"])
    print(args.out)
    return 0
