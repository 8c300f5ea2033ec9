"""``rankbound audit``: verdicts on the paper's claims, the slip checks and (on request) the slack per step.

Examples
--------
>>> from numeric.cli.main import main
>>> main(["audit", "--preset", "small", "--no-slips", "--json"]) == 0   # doctest: +ELLIPSIS
{...
True
"""

from __future__ import annotations

import json
import textwrap

from numeric.errors import UsageError
from numeric.params import DEFAULT_PRESET, PRESETS

NAME = "audit"
HELP = "machine-checked verdicts on the paper's claims, the slip checks, and (--tightness) the slack per step"


#: the largest ``--budget``: the slip checks then take about half a minute on one core (the seven true-lemma
#: searches run the whole budget; benchmarks/run.py times the audit at this budget)
MAX_BUDGET = 20000


def configure(p):
    # no heavy imports here: every command's parser is built on every run
    p.add_argument("--preset", default=DEFAULT_PRESET, help=f"parameter preset ({', '.join(PRESETS)})")
    p.add_argument("--variant", default="default",
                   help="named variant of the chain (default: default; an unknown name lists the known ones)")
    p.add_argument("--dps", default="30", help="decimal digits of the numeric evidence, at most 200 (default 30)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tightness", action="store_true", help="also measure the slack of each step (slower)")
    p.add_argument("--no-slips", action="store_true", help="skip the slip checks")
    p.add_argument("--budget", default=None,
                   help=f"evaluations per counterexample search, an integer in [1, {MAX_BUDGET}] (default 300; the "
                        "maximum takes about half a minute); not with --no-slips")
    p.add_argument("--seed", default=None,
                   help="seed of the slip searches and (--tightness) the Monte Carlo runs, an integer in "
                        "[0, 2^32 - 1] (default 0); needs the slip checks or --tightness")


def _int(name, v, lo, hi):
    try:
        x = int(str(v))
    except ValueError:
        raise UsageError(f"--{name}: must be an integer, got {v!r}") from None
    if not lo <= x <= hi:
        raise UsageError(f"--{name}: must be an integer in [{lo}, {hi}], got {x}")
    return x


def run(args) -> int:
    import dataclasses

    import derive
    from numeric.audit.claims import audit
    from numeric.audit.slips import CONFIRM_DPS, DEFAULT_BUDGET, check_slips
    from numeric.evaluate import check_dps
    from numeric.progress import phase

    if args.preset not in PRESETS:
        raise UsageError(f"--preset: unknown preset {args.preset!r}; known: {', '.join(PRESETS)}")
    if args.variant not in derive.VARIANTS:
        raise UsageError(f"--variant: unknown variant {args.variant!r}; known: {', '.join(derive.VARIANTS)}")
    dps = check_dps(args.dps)
    if dps > 200:
        raise UsageError(f"--dps: the audit's evidence is computed at up to 200 digits, got {dps}")
    # a flag that would change nothing is refused rather than silently ignored
    if args.budget is not None and args.no_slips:
        raise UsageError("--budget: sets the slip searches, which --no-slips skips; give one or the other")
    if args.seed is not None and args.no_slips and not args.tightness:
        raise UsageError("--seed: seeds the slip searches and the --tightness runs, and neither runs with "
                         "--no-slips alone")
    budget = DEFAULT_BUDGET if args.budget is None else _int("budget", args.budget, 1, MAX_BUDGET)
    seed = 0 if args.seed is None else _int("seed", args.seed, 0, 2**32 - 1)

    with phase("the claims"):
        a = audit(args.preset, args.variant, dps, slips=False, tightness=False)
    if not args.no_slips:
        with phase(f"the slip checks (12 searches, budget {budget})"):
            a = dataclasses.replace(a, slips=tuple(check_slips(budget=budget, seed=seed)))
    if args.tightness:
        from numeric.audit.tightness import tightness_table
        with phase("the tightness table"):
            a = dataclasses.replace(a, tightness=tightness_table(seed=seed))
    if args.json:
        print(json.dumps(a.to_json(), indent=2, default=str))
        return 0
    w = []
    w.append("rankbound audit: the claims of Truong (2024) against rankbound's reconstruction (MATH.md section 6)")
    w.append(f"preset {args.preset}, variant {args.variant}; verdicts: holds | fails | unknown")
    w.append("")
    for i, c in enumerate(a.claims, 1):
        w.append(f"{i}. [{c.verdict.upper()}] {c.statement}")
        w.append(f"   source: {c.source}")
        for e in c.evidence:
            text = textwrap.fill(e.text, 110, initial_indent=f"   - {e.kind}: ", subsequent_indent="     ")
            w.append(text if len(text) < 1600 else text[:1600] + " ...")
            if e.kind in ("counterexample", "numeric", "illustration") and e.data:
                data = json.dumps(e.to_json()["data"], default=str)
                w.append("     " + (data if len(data) < 600 else data[:600] + " ..."))
        w.append("")
    if a.slips:
        w.append(f"SLIPS (MATH.md 6.4): each wrong variant must be refused with a counterexample confirmed at "
                 f"dps {CONFIRM_DPS}; the true lemmas meet the same search (budget {budget}, seed {seed})")
        for v in a.slips:
            w.append(f"  ({v.key}) {'OK' if v.ok else 'PROBLEM'}: {v.slip.summary()}")
            if v.slip.refused:
                w.append(textwrap.fill(f"why: {v.slip.reason}", 110, initial_indent="      ",
                                       subsequent_indent="      "))
                ce = json.dumps(v.slip.counterexample, default=str)
                w.append("      counterexample: " + (ce if len(ce) < 400 else ce[:400] + " ..."))
            for c in v.controls:
                w.append(f"      {c.summary()}")
            if v.consequence is not None:
                q = v.consequence
                lhs, rhs = q["lhs |f - f'|"][:22], q["rhs (class radii)"][:22]
                w.append(f"      the step it breaks: {q['statement']}: |f - f'| = {lhs} > {rhs} "
                         f"(broken: {q['broken']})")
        w.append("")
    if a.tightness is not None:
        w.append(f"TIGHTNESS (bound / best lower estimate, seed {a.tightness.seed}; small dimensions)")
        w.append(a.tightness.text())
        mc = next(r for r in a.tightness.rows if r.step.startswith("Rademacher")).detail
        w.append(f"  Monte Carlo R_S: mean {mc['mc_mean']:.6g}, 95% CI [{mc['ci95'][0]:.6g}, {mc['ci95'][1]:.6g}] "
                 f"over {mc['draws']} sign draws")
    print("\n".join(w))
    return 0
