"""``rankbound plot --vary n=1e2:1e12:log:100 --out bounds.png [--bounds truong,edelman]``.

Draws the bounds over the grid on log-log axes with the vacuity line c (matplotlib, an optional
extra: without it the command fails with one line).  ``--out`` is checked before any work: its
folder must exist and be writable and its suffix one matplotlib writes (png, pdf, svg, ...).
``--vary n`` alone sweeps n over 1e2:1e14:log:60 (every parameter has a default range: see
``--help``).  ``--variant`` picks the chain of the truong curve; the plot is float64, so there is no
``--dps`` (``rankbound sweep --dps`` gives digits).
"""

from __future__ import annotations

NAME = "plot"
HELP = "plot bounds over a grid of one parameter to an image (matplotlib; --vary n alone: n=1e2:1e14:log:60)"


def configure(parser):
    from numeric.cli.sweep import common_flags
    common_flags(parser)
    parser.add_argument("--bounds", default="truong,edelman,trauger-tewari", help="comma-separated bounds to draw")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="image file to write; the suffix picks the format (png, pdf, svg, ...); its folder "
                             "must exist")


def run(args) -> int:
    from numeric.cli.common import check_output_path
    from numeric.cli.sweep import swept
    from numeric.compare.plot import image_suffixes, plot
    from numeric.compare.sweep import BOUND_NAMES, check, sweep
    from numeric.errors import UsageError
    names = [b.strip() for b in args.bounds.split(",") if b.strip()]
    bad = [b for b in names if b not in BOUND_NAMES]
    if bad or not names:
        raise UsageError(f"--bounds: unknown bound(s) {bad}; choose from {', '.join(BOUND_NAMES)}")
    if len(set(names)) != len(names):
        raise UsageError(f"--bounds: a bound is named twice: {args.bounds!r}")
    import derive
    if args.variant not in derive.VARIANTS:
        raise UsageError(f"--variant: unknown variant {args.variant!r}; known: {', '.join(derive.VARIANTS)}")
    if args.variant != "default" and "truong" not in names:
        raise UsageError("--variant: it picks the chain of the truong curve, which --bounds does not draw")
    check_output_path("--out", args.out, suffixes=image_suffixes(), example="bounds.png")
    params, name, grid, _ = swept(args)
    for b in names:                             # every refusal before the first sweep
        check(b, name, grid, params, variant=args.variant if b == "truong" else "default")
    series = {}
    for b in names:
        label = b if b != "truong" or args.variant == "default" else f"truong ({args.variant})"
        series[label] = sweep(b, name, grid, params, quiet=args.quiet, variant=args.variant if b == "truong"
                              else "default")
    plot(series, name, args.out, c=params["c"])
    print(args.out)
    return 0
