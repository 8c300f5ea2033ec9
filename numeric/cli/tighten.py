"""``rankbound tighten``: the tightest valid bound, what each free choice of MATH.md section 10 buys, and what
it would take (``--json``: one object; ``--plot FILE``: the waterfall; ``--solve NAME``, ``--target X``).

Every value printed is a certified Arb enclosure of a composed theorem (``derive.tighten``) at exact
parameters and exact values of its free choices.  Flags are checked before any work; ``--plot`` is checked
like ``rankbound plot --out``.
"""

from __future__ import annotations

import json

from numeric.cli.common import add_param_flags, check_output_path, params_from
from numeric.errors import UsageError

NAME = "tighten"
HELP = "the tightest valid bound, what each free choice buys, elasticities, and the n or r_w it takes"


def configure(parser):
    add_param_flags(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="draw the waterfall from the default bound to the tightest (png, pdf, svg, ...)")
    parser.add_argument("--solve", metavar="NAME", default=None,
                        help="also the largest NAME (r_w, r_v, d, k, B_QK, B_V, B_w, B_X, L_sigma, L_loss, H, L) at "
                             "which the default and the tightest bounds are non-vacuous at the given n")
    parser.add_argument("--target", metavar="X", default=None,
                        help="also the smallest n at which the default and the tightest bounds are at most X")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on a terminal")


def _checked(args):
    """Every flag checked before any work: (params, dps, target or None)."""
    from numeric.evaluate import check_dps
    from numeric.params import parse_number
    from numeric.tighten.search import SOLVABLE
    if args.variant != "default":
        raise UsageError(f"--variant {args.variant}: tighten starts from the default chain; the variants "
                         f"(sharp-softmax, dudley-half) are among the choices it reports")
    dps = check_dps(args.dps)
    if args.solve is not None and args.solve not in SOLVABLE:
        raise UsageError(f"--solve {args.solve}: solve for one of {', '.join(SOLVABLE)} (the bound increases in "
                         f"each; for n use --target)")
    target = None
    if args.target is not None:
        target = parse_number("--target", args.target)
        if target <= 0:
            raise UsageError(f"--target: must be a positive gap, got {args.target!r}")
    if args.plot is not None:
        from numeric.compare.plot import image_suffixes
        check_output_path("--plot", args.plot, suffixes=image_suffixes(), example="waterfall.png")
    return params_from(args), dps, target


def run(args) -> int:
    from numeric.progress import phase
    from numeric.tighten import solve, target, tighten
    params, dps, gap = _checked(args)
    report = tighten(params, dps=dps, quiet=args.quiet)
    if args.solve is not None:
        with phase(f"the largest {args.solve} with a non-vacuous bound", args.quiet):
            report.extra["solve"] = solve(params, args.solve, dps)
    if gap is not None:
        with phase(f"the smallest n with a bound <= {args.target}", args.quiet):
            report.extra["target"] = target(params, gap, dps, label=args.target.strip())
    if args.plot is not None:
        from numeric.tighten.plot import waterfall
        waterfall(report, args.plot)
        report.extra["plot"] = args.plot
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(text(report))
    return 0


def _settings(o) -> str:
    s = o.settings_json()
    parts = []
    if "split" in s:
        parts.append("split " + ", ".join(f"{k} {float(_f(v)):.4g}" for k, v in s["split"].items()))
    if "alpha" in s:
        at_upper = float(s.get("alpha_over_upper_limit", 0)) > 0.999999
        parts.append(f"alpha = {s['alpha']}" + (f" ({s['note']})" if "note" in s else "")
                     + (" (Dudley's upper limit: the entropy integral does not pay here)" if at_upper else ""))
    return f"   [{'; '.join(parts)}]" if parts else ""


def _f(v: str):
    from fractions import Fraction
    return Fraction(v)


def text(report) -> str:
    p = report.params
    lines = [f"rankbound tighten at n = {p['n']}, d = {p['d']}, r_w = {p['r_w']}, r_v = {p['r_v']}, H = {p['H']}, "
             f"L = {p['L']} (every value: a theorem, certified by Arb to {report.dps} digits)"]
    lo, hi = report.default.certified.interval_strings()
    lines.append(f"  default bound: {report.default.value}   [{lo}, {hi}]")
    lines.append("  each choice alone (MATH.md section 10):")
    w = max(len(c.name) for c in report.choices)
    for c in report.choices:
        lines.append(f"    {c.name:<{w}}  {c.value}{_settings(c)}")
    lo, hi = report.tightest.certified.interval_strings()
    cert = "certified" if report.tightest.certified.certified else "NOT certified"
    lines.append(f"  tightest (every choice): {report.tightest.value}   [{lo}, {hi}] ({cert}){_settings(report.tightest)}")
    steps = " -> ".join(f"+{name} {float(o.value):.4g}" for name, o in report.waterfall)
    lines.append(f"  waterfall: default {float(report.default.value):.4g} -> {steps}")
    if report.elasticities is not None:
        e = report.elasticities
        lines.append("  elasticities d log(bound) / d log(x) of the default bound:")
        lines.append("    constants:  " + ", ".join(f"{k} {_num(v)}" for k, v in e.constants.items()))
        lines.append("    parameters: " + ", ".join(f"{k} {_num(v)}" for k, v in e.parameters.items()))
    if report.sample_sizes:
        s = report.sample_sizes
        f = lambda r: "none up to 1e200" if r is None else str(r["n"])          # noqa: E731
        lines.append(f"  smallest n with a non-vacuous bound (< c = {p['c']}): default {f(s['default'])}, "
                     f"tightest {f(s['tightest'])}")
    if "solve" in report.extra:
        r = report.extra["solve"]
        lines.append(f"  largest {r['parameter']} with a non-vacuous bound at n = {r['n']}: "
                     + ", ".join(f"{k} {_solved(r[k])}" for k in ("default", "tightest")))
    if "target" in report.extra:
        r = report.extra["target"]
        lines.append(f"  smallest n with a bound <= {r['target']}: "
                     + ", ".join(f"{k} {'none up to 1e200' if r[k] is None else r[k]['n']}"
                                 for k in ("default", "tightest")))
    if "plot" in report.extra:
        lines.append(f"  waterfall plot: {report.extra['plot']}")
    return "\n".join(lines)


def _num(v) -> str:
    return "undefined" if v is None else f"{float(v):.4g}"


def _solved(r) -> str:
    if r["value"] is None:
        return "none (" + r["note"] + ")"
    return r["value"] + (" (the largest admissible or searched)" if r.get("at_limit") else "")
