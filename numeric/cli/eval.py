"""``rankbound eval``: the bound at given parameters, with its Arb enclosure (``--json``: one object).

``--bound edelman`` / ``--bound trauger-tewari`` evaluate a rebuilt prior bound instead.
"""

from __future__ import annotations

import json

from numeric.cli.common import add_param_flags, params_from
from numeric.errors import UsageError

NAME = "eval"
HELP = "evaluate the bound at given parameters"

#: the bounds ``eval --bound`` knows (rebuilt prior bounds: MATH.md section 7)
BOUNDS = ("truong", "edelman", "trauger-tewari")


def configure(parser):
    add_param_flags(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--bound", default="truong", choices=BOUNDS,
                        help="which bound: truong (the composed theorem; default), or a rebuilt prior bound")


def run(args) -> int:
    from numeric.backends.arb import certified_evaluate
    from numeric.evaluate import evaluate
    if args.bound != "truong":
        return _eval_prior(args)
    params = params_from(args)
    ev = evaluate(params, dps=args.dps, variant=args.variant)
    cv = certified_evaluate(params, dps=ev.dps, variant=args.variant)
    if args.json:
        print(json.dumps(ev.to_json() | cv.to_json(), indent=2))
    else:
        lo, hi = cv.interval_strings()
        print(f"bound on L(theta) - L_S(theta): {ev.fmt(ev.value)}")
        print(f"  Arb enclosure: [{lo}, {hi}]  ({'certified' if cv.certified else 'NOT certified'} "
              f"to {ev.dps} digits)")
        print(f"  Rademacher term: {ev.fmt(ev.rademacher)}   confidence term: {ev.fmt(ev.confidence)}")
        for b in ev.blocks:
            print(f"  block {b.name:>2}: D = {ev.fmt(b.D)}, C = {ev.fmt(b.C)}, sqrt(D) I(C, U) = {ev.fmt(b.integral)}")
        print(f"  vacuous (>= c): {'yes' if ev.vacuous else 'no'}")
    return 0


def _eval_prior(args) -> int:
    """``eval --bound edelman``: the rebuilt prior bound, its optimal alpha and an Arb enclosure."""
    from derive.prior import PRIORS

    from numeric.compare.crossover import prior_enclosure
    from numeric.compare.priors import evaluate_prior
    if args.bound not in PRIORS:
        raise UsageError(f"--bound {args.bound}: this prior bound is not rebuilt yet; available: truong, "
                         f"{', '.join(PRIORS)}")
    if args.variant != "default":
        raise UsageError("--variant: the rebuilt prior bounds have no variants")
    params = params_from(args)
    ev = evaluate_prior(args.bound, params, dps=args.dps)
    cv = prior_enclosure(args.bound, params, dps=ev.dps)
    if args.json:
        print(json.dumps(ev.to_json() | cv.to_json(), indent=2))
    else:
        lo, hi = cv.interval_strings()
        print(f"rebuilt {args.bound} bound on L(theta) - L_S(theta): {ev.fmt(ev.value)}")
        print(f"  Arb enclosure: [{lo}, {hi}]  ({'certified' if cv.certified else 'NOT certified'} to {ev.dps} digits)")
        print(f"  Dudley alpha = {ev.fmt(ev.alpha)}{' (the upper limit)' if ev.alpha_at_upper else ''}, "
              f"integral = {ev.fmt(ev.integral)}")
        print(f"  vacuous (>= c): {'yes' if ev.vacuous else 'no'}")
        print(f"  mapping: {ev.mapping}")
    return 0


