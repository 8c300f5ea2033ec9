"""``rankbound compare --vs edelman``: our bound against a rebuilt prior bound.

Prints the two values and their ratio at the given parameters, whether each is vacuous and
whether the prior sits at its trivial value there (Dudley's optimum at its upper limit), the
crossover sample size n* (to ``--dps`` digits) with the sign of ours - prior certified by Arb on
either side, or why there is no crossover; and the parameter mapping between the two classes.
``--variant`` picks the chain of ours.  Long steps say so on stderr when it is a terminal.
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
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _n_text(n: str) -> str:
    """An integer as text: exactly up to 20 digits, else in scientific notation (the JSON keeps it exact)."""
    if len(n) <= 20:
        return n
    return f"{n[0]}.{n[1:16]}e+{len(n) - 1} (exact in --json)"


def run(args) -> int:
    from derive.prior import PRIORS

    from numeric.cli.common import params_from
    from numeric.compare.crossover import TRIVIAL_NOTE, compare
    from numeric.errors import UsageError
    if args.vs not in PRIORS:
        raise UsageError(f"--vs {args.vs}: this prior bound is not rebuilt yet; available: {', '.join(PRIORS)}")
    cmp = compare(args.vs, params_from(args), dps=args.dps, certify=args.certify, quiet=args.quiet,
                  variant=args.variant)
    data = cmp.to_json()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    chain = "" if args.variant == "default" else f" (variant {args.variant})"
    print(f"ours{chain} vs rebuilt {args.vs} at n = {data['n']}:")
    print(f"  ours  = {data['ours']}{'  (vacuous)' if data['ours_vacuous'] else ''}")
    print(f"  prior = {data['prior']}{'  (vacuous)' if data['prior_vacuous'] else ''}   "
          f"(Dudley alpha = {data['prior_alpha']})")
    if data["prior_trivial"]:
        print(f"  NOTE: at this n {TRIVIAL_NOTE}")
    print(f"  ratio ours/prior = {data['ratio_ours_over_prior']}  -> {data['smaller']} is smaller")
    if data["crossover_n"] is None:
        print(f"  {data['crossover']}")
    else:
        print(f"  crossover n* = {data['crossover_n']}{' (both vacuous there)' if data['vacuous_at_crossover'] else ''}:"
              f" {data['crossover']}")
        for chk in data["certified_signs"]:
            status = ("certified (Arb)" if chk["certified"] else
                      f"NOT certified: {chk.get('reason', 'no reason given')}")
            print(f"    n = {_n_text(chk['n'])} ({chk['side']}): {chk.get('smaller', '?')} smaller -- {status}")
    print(f"  mapping: {data['parameter_mapping']}")
    return 0
