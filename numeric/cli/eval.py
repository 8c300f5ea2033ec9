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
    parser.add_argument("--constant", action="append", default=[], metavar="NAME=VALUE",
                        help="set a named proof constant (c_net, c_vol, c_split, c_sm, c_alpha, c_dudley, c_rad, "
                             "c_conf); raising one gives a weaker theorem, lowering one needs --what-if")
    parser.add_argument("--what-if", dest="what_if", action="store_true",
                        help="allow proof constants below what their lemmas prove: the result is NOT a theorem")


def _constants(args) -> dict:
    """--constant NAME=VALUE pairs, read by the whitelist number pattern (never sympified)."""
    from numeric.params import parse_number
    out = {}
    for item in args.constant:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--constant: expected NAME=VALUE, got {item!r}")
        if name in out:
            raise UsageError(f"--constant: {name} given twice")
        out[name] = parse_number(f"--constant {name}", value)
    return out


def run(args) -> int:
    from numeric.backends.arb import certified_evaluate
    from numeric.evaluate import evaluate
    if args.bound != "truong":
        if args.constant or args.what_if:
            raise UsageError("--constant/--what-if: the rebuilt prior bounds take no constant overrides here")
        return _eval_prior(args)
    consts = _constants(args)
    if args.what_if and not consts:
        raise UsageError("--what-if: give the constants to set with --constant NAME=VALUE")
    params = params_from(args)
    ev = evaluate(params, dps=args.dps, variant=args.variant, constants=consts, what_if=args.what_if)
    cv = certified_evaluate(params, dps=ev.dps, variant=args.variant, constants=consts, what_if=args.what_if)
    if args.json:
        print(json.dumps(ev.to_json() | cv.to_json(), indent=2))
    else:
        lo, hi = cv.interval_strings()
        if not ev.is_theorem:
            print(f"WHAT-IF, NOT A THEOREM: {ev.what_if}")
        print(f"bound on L(theta) - L_S(theta): {ev.fmt(ev.value)}")
        print(f"  Arb enclosure: [{lo}, {hi}]  ({'certified' if cv.certified else 'NOT certified'} "
              f"to {ev.dps} digits)")
        print(f"  Rademacher term: {ev.fmt(ev.rademacher)}   confidence term: {ev.fmt(ev.confidence)}")
        for b in ev.blocks:
            print(f"  block {b.name:>14}: D = {ev.fmt(b.D)}, C = {ev.fmt(b.C)}, sqrt(D) I(C, U) = {ev.fmt(b.integral)}")
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


