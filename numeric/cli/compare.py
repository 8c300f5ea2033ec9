"""``rankbound compare --vs edelman``: our bound against a rebuilt prior bound (plug-in command).

Prints the two values and their ratio at the given parameters, whether each is vacuous, the
crossover sample size n* (to ``--dps`` digits) with the sign of ours - prior certified by Arb at
the integers on either side, or why there is no crossover; and the parameter mapping between
the two classes.
"""

from __future__ import annotations

import json

NAME = "compare"
HELP = "compare the bound with a rebuilt prior bound (ratio, vacuity, crossover n*)"

#: the prior bounds ``--vs`` accepts (rebuilt so far: see derive.prior.PRIORS)
VS_CHOICES = ("edelman", "trauger-tewari")


def configure(parser):
    from numeric.cli.common import add_param_flags
    add_param_flags(parser)
    parser.add_argument("--vs", required=True, choices=VS_CHOICES, help="which rebuilt prior bound")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-certify", dest="certify", action="store_false",
                        help="skip the Arb certification of the signs around n*")


def run(args) -> int:
    from derive.prior import PRIORS

    from numeric.cli.common import params_from
    from numeric.compare.crossover import compare
    from numeric.errors import UsageError
    if args.vs not in PRIORS:
        raise UsageError(f"--vs {args.vs}: this prior bound is not rebuilt yet; available: {', '.join(PRIORS)}")
    if args.variant != "default":
        raise UsageError("--variant: compare uses the default variant of the composed theorem")
    cmp = compare(args.vs, params_from(args), dps=args.dps, certify=args.certify)
    data = cmp.to_json()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"ours vs rebuilt {args.vs} at n = {data['n']}:")
    print(f"  ours  = {data['ours']}{'  (vacuous)' if data['ours_vacuous'] else ''}")
    print(f"  prior = {data['prior']}{'  (vacuous)' if data['prior_vacuous'] else ''}   "
          f"(Dudley alpha = {data['prior_alpha']})")
    print(f"  ratio ours/prior = {data['ratio_ours_over_prior']}  -> {data['smaller']} is smaller")
    if data["crossover_n"] is None:
        print(f"  {data['crossover']}")
    else:
        print(f"  crossover n* = {data['crossover_n']}{' (both vacuous there)' if data['vacuous_at_crossover'] else ''}:"
              f" {data['crossover']}")
        for chk in data["certified_signs"]:
            status = "certified (Arb)" if chk["certified"] else f"NOT certified: {chk.get('reason', '')}"
            print(f"    n = {chk['n']} ({chk['side']}): {chk.get('smaller', '?')} smaller -- {status}")
    print(f"  mapping: {data['parameter_mapping']}")
    return 0
