"""The ``rankbound`` command line.

``rankbound report`` prints the theorem, its chain with sources, the open
obligations, the verdicts on the paper's claims and the value at a preset;
``rankbound eval --json`` evaluates the bound at given parameters.  Other
commands live in their own modules (``COMMAND_MODULES``), each exposing
``NAME``, ``HELP``, ``configure(parser)`` and ``run(args)``.

Bad input never produces a traceback: it is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from .errors import NotCertified, UsageError
from .params import DEFAULT_PRESET, PRESETS, SPECS

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

#: the bounds ``eval --bound`` knows (rebuilt prior bounds: MATH.md section 7)
BOUNDS = ("truong", "edelman", "trauger-tewari")

#: modules that add subcommands (NAME, HELP, configure(parser), run(args) -> int)
COMMAND_MODULES = ["numeric.cli_latex", "numeric.cli_weights", "numeric.cli_audit", "numeric.cli_compare", "numeric.cli_sweep", "numeric.cli_plot"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):            # one line, exit 2 (argparse prints usage + message otherwise)
        raise UsageError(message)


def _add_param_flags(p):
    p.add_argument("--preset", default=DEFAULT_PRESET,
                   help=f"parameter preset ({', '.join(PRESETS)}); flags override it")
    for spec in SPECS:
        p.add_argument(spec.flag, dest=spec.name, default=None, metavar="X", help=spec.help)
    p.add_argument("--dps", default="30", help="decimal digits of the results (default 30)")
    p.add_argument("--variant", default="default", help="named variant of the chain (default, sharp-softmax, "
                                                        "dudley-half)")


def _params(args):
    from .params import Params
    return Params.from_preset(args.preset, **{s.name: getattr(args, s.name) for s in SPECS})


def build_parser():
    parser = _Parser(prog="rankbound", description="Compose, check and evaluate rank-dependent generalisation "
                                                   "bounds for transformers (Truong 2024, reconstructed).")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    rep = sub.add_parser("report", help="the whole chain, the claims' verdicts and the value at a preset")
    _add_param_flags(rep)
    ev = sub.add_parser("eval", help="evaluate the bound at given parameters")
    _add_param_flags(ev)
    ev.add_argument("--json", action="store_true", help="print one JSON object")
    ev.add_argument("--bound", default="truong", choices=BOUNDS,
                    help="which bound: truong (the composed theorem; default), or a rebuilt prior bound")
    handlers = {"report": cmd_report, "eval": cmd_eval}
    for modname in COMMAND_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        p = sub.add_parser(mod.NAME, help=mod.HELP)
        mod.configure(p)
        handlers[mod.NAME] = mod.run
    return parser, handlers


def cmd_eval(args) -> int:
    from .certified import certified_evaluate
    from .evaluate import evaluate
    if args.bound != "truong":
        return _eval_prior(args)
    params = _params(args)
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

    from .compare import prior_enclosure
    from .prior import evaluate_prior
    if args.bound not in PRIORS:
        raise UsageError(f"--bound {args.bound}: this prior bound is not rebuilt yet; available: truong, "
                         f"{', '.join(PRIORS)}")
    if args.variant != "default":
        raise UsageError("--variant: the rebuilt prior bounds have no variants")
    params = _params(args)
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


def cmd_report(args) -> int:
    import sympy

    import derive
    from derive.claims import check_claims

    from .evaluate import evaluate, smallest_nonvacuous_n

    params = _params(args)
    ev = evaluate(params, dps=args.dps, variant=args.variant)
    th = derive.theorem(args.variant)
    out = []
    w = out.append
    w("rankbound report: Truong (2024), 'On Rank-Dependent Generalisation Error Bounds for Transformers'")
    w("NOTE: the paper's text was not available; this chain is rankbound's reconstruction (MATH.md) and its")
    w("      constants (9, 3, 2, 4, 12, the eps split) are our named choices, not the paper's words.")
    w("")
    w(f"preset {args.preset} (flags override): " + ", ".join(f"{k}={v}" for k, v in params.as_strings().items()))
    w(f"variant: {th.variant.name}: {th.variant.description}")
    w("")
    w("THEOREM. With probability at least 1 - delta over S, for all theta in Theta:")
    w(f"  L(theta) <= L_S(theta) + {sympy.sstr(th.bound)}")
    w("")
    w("CHAIN")
    for title, der in (("covering number of the class", th.covering), ("generalisation bound", th.derivation)):
        w(f"  {title}: start from {sympy.sstr(der.lhs)}")
        for i, s in enumerate(der.steps, 1):
            w(f"   ({i}) by {s.lemma.name} -- {s.lemma.source}")
            if s.kind == "establish":
                w(f"       {s.note}")
            else:
                w(f"       {s.relation} {sympy.sstr(s.after)}")
    w("")
    w("OPEN OBLIGATIONS (hypotheses not discharged by the chain; assumptions of the theorem)")
    for o in ev.obligations:
        w(f"  - {o}")
    w("")
    w("CLAIMS (checked symbolically on the composed bound)")
    for c in check_claims(th):
        w(f"  [{c.verdict}] {c.statement}")
        w(f"      {c.evidence}")
    w("")
    w(f"VALUE at dps = {ev.dps}")
    w(f"  bound on L - L_S     = {ev.fmt(ev.value)}")
    w(f"  Rademacher term      = {ev.fmt(ev.rademacher)}")
    w(f"  confidence term      = {ev.fmt(ev.confidence)}")
    for b in ev.blocks:
        w(f"  block {b.name:>2}: D = {ev.fmt(b.D)}, C = {ev.fmt(b.C)}, integral = {ev.fmt(b.integral)}")
    n_star = smallest_nonvacuous_n(params, variant=args.variant)
    c = params.as_strings()["c"]
    if ev.vacuous:
        tail = (f"it is non-vacuous from n = {n_star}" if n_star is not None
                else "it stays vacuous for every n up to 1e200")
        w(f"VACUOUS: the bound {ev.fmt(ev.value)} >= c = {c} at n = {params['n']}; {tail}.")
    else:
        w(f"NON-VACUOUS: the bound {ev.fmt(ev.value)} < c = {c} at n = {params['n']}; "
          f"the smallest non-vacuous n is {n_star}.")
    print("\n".join(out))
    return 0


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
