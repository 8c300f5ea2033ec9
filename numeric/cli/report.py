"""``rankbound report``: the theorem, its chain with sources, the open obligations, the verdicts on
the paper's claims and the value at a preset (the main job)."""

from __future__ import annotations

from numeric.cli.common import add_param_flags, params_from

NAME = "report"
HELP = "the whole chain, the claims' verdicts and the value at a preset"


def configure(parser):
    add_param_flags(parser)


def run(args) -> int:
    import sympy

    import derive
    from derive.claims import check_claims

    from numeric.evaluate import evaluate, smallest_nonvacuous_n

    params = params_from(args)
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


