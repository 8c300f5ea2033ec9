"""Speed figures of rankbound, each against a baseline measured in the same run.

Usage: ``python benchmarks/run.py [--quick] [--no-record]``.  Prints a table and
appends it, with the machine it ran on, to ``benchmarks/RESULTS.md``.  Targets
(issue 6) are checked as ratios or absolute times here, never in the tests.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import mpmath
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def hand_numpy(n, d, k, r_w, r_v, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta):
    """The baseline: MATH.md section 5 typed by hand in numpy (not used by rankbound)."""
    from scipy.special import erfc
    B_f = L_sigma * B_w * B_V * B_X

    def I(C, U):
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.sqrt(np.maximum(0.0, np.log(C / U)))
        return np.where(C <= U, C * np.sqrt(np.pi) / 2, U * a + C * np.sqrt(np.pi) / 2 * erfc(a))

    s = (np.sqrt(k) * I(9 * B_f, B_f) + np.sqrt((d + k + 1) * r_v) * I(27 * L_sigma * B_w * B_X * B_V, B_f)
         + np.sqrt((2 * d + 1) * r_w) * I(54 * L_sigma * B_w * B_V * B_X**3 * B_QK, B_f))
    return 2 * 12 * L_loss / np.sqrt(n) * s + 3 * c * np.sqrt(np.log(2 / delta) / (2 * n))


def hand_mpmath(n, d, k, r_w, r_v, dps=50):
    """The baseline for one high-precision point: the same formula typed by hand in mpmath."""
    with mpmath.workdps(dps + 15):
        def I(C, U):
            if C <= U:
                return C * mpmath.sqrt(mpmath.pi) / 2
            a = mpmath.sqrt(mpmath.log(C / U))
            return U * a + C * mpmath.sqrt(mpmath.pi) / 2 * mpmath.erfc(a)
        s = (mpmath.sqrt(k) * I(9, 1) + mpmath.sqrt((d + k + 1) * r_v) * I(27, 1)
             + mpmath.sqrt((2 * d + 1) * r_w) * I(54, 1))
        return 24 / mpmath.sqrt(n) * s + 3 * mpmath.sqrt(mpmath.log(40) / (2 * n))


def subprocess_time(code, repeat=3):
    return best_of(lambda: subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                                          stdout=subprocess.DEVNULL), repeat)


def compare_rows(quick: bool = False) -> list:
    """Issue 14: ``compare`` at 1000 digits and at d = 1e9 (before: minutes); each against a baseline of this run.

    - the crossover n* to 1000 digits (default preset, prior integral nontrivial there), Gauss-Legendre
      nodes computed afresh, against one hand-typed mpmath evaluation of ours at 1000 digits;
    - ``rankbound compare --vs edelman --dps 1000`` and ``--d 1e9`` (certified signs) end to end in a new
      process, against ``import sympy`` in a new process.
    """
    import numeric.compare.kernels as kernels
    from numeric.compare.crossover import crossover
    from numeric.params import Params
    out = []
    p = Params.from_preset()
    crossover("edelman", p, dps=30)                      # compile once

    def cold_1000():
        kernels._NODES.clear()
        crossover("edelman", p, dps=1000)

    t_x = best_of(cold_1000, 1 if quick else 2)
    t_hand = best_of(lambda: hand_mpmath(23348692, 768, 64, 64, 64, dps=1000), 3)
    out.append(("crossover n* vs edelman, 1000 digits (nodes cold)", f"{t_x:.2f} s",
                f"{t_hand * 1e3:.1f} ms (hand mpmath, ours, 1000 digits)", t_x / t_hand, "< 30 s", t_x < 30))
    t_sympy = subprocess_time("import sympy")
    for label, argv, target in (("compare --vs edelman --dps 1000", ["--dps", "1000"], 30),
                                ("compare --vs edelman --d 1e9 (certified)", ["--d", "1e9", "--dps", "15"], 10)):
        t = best_of(lambda: subprocess.run([sys.executable, "-m", "numeric.cli", "compare", "--vs", "edelman", *argv],
                                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL), 1 if quick else 2)
        out.append((f"rankbound {label} end to end", f"{t:.2f} s", f"{t_sympy:.2f} s (import sympy)", t / t_sympy,
                    f"< {target} s", t < target))
    return out


def tighten_rows(quick: bool = False) -> list:
    """Issue 13: ``rankbound tighten`` end to end at the default preset (every choice alone, the tightest bound,
    the waterfall, the elasticities and both smallest non-vacuous n, certified), against ``rankbound eval`` end to
    end in the same run; target < 30 s."""
    def cli(*argv):
        return lambda: subprocess.run([sys.executable, "-m", "numeric.cli", *argv], check=True, cwd=ROOT,
                                      stdout=subprocess.DEVNULL)
    t_eval = best_of(cli("eval"), 1 if quick else 3)
    t_tighten = best_of(cli("tighten", "--quiet"), 1 if quick else 2)
    return [("rankbound tighten end to end (default preset)", f"{t_tighten:.1f} s",
             f"{t_eval:.2f} s (rankbound eval end to end)", t_tighten / t_eval, "< 30 s", t_tighten < 30)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10^5 grid points instead of 10^6")
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = ap.parse_args(argv)

    import numeric
    from numeric.backends.arb import certified_evaluate
    from numeric.compare.crossover import crossover
    from numeric.params import Params
    from numeric.backends.float64 import evaluate_array

    rows = []   # (figure, measured, baseline, ratio, target, met)

    # 1. float64 grid
    N = 10**5 if args.quick else 10**6
    rng = np.random.default_rng(0)
    grid = {"n": np.round(10 ** rng.uniform(2, 12, N)), "r_w": rng.integers(1, 769, N).astype(float),
            "B_QK": 10 ** rng.uniform(-3, 3, N)}
    evaluate_array(grid)            # compile once
    t_ours = best_of(lambda: evaluate_array(grid))
    fixed = dict(d=768.0, k=64.0, r_v=64.0, B_X=1.0, B_w=1.0, B_V=1.0, L_sigma=1.0, L_loss=1.0, c=1.0, delta=0.05)
    t_base = best_of(lambda: hand_numpy(grid["n"], r_w=grid["r_w"], B_QK=grid["B_QK"], **fixed))
    ours = evaluate_array(grid)
    base = hand_numpy(grid["n"], r_w=grid["r_w"], B_QK=grid["B_QK"], **fixed)
    agree = float(np.max(np.abs(ours - base) / base))
    rows.append((f"float64 grid, {N:.0e} points", f"{t_ours:.3f} s ({N / t_ours:.2e} pt/s)",
                 f"{t_base:.3f} s (hand-written numpy)", t_ours / t_base, "ratio <= 2", t_ours / t_base <= 2))

    # 2. high precision, 50 digits
    numeric.evaluate(dps=50)
    m = 200
    t_mp = best_of(lambda: [numeric.evaluate({"n": 10**6 + i}, dps=50) for i in range(m)], 2) / m
    t_hand = best_of(lambda: [hand_mpmath(10**6 + i, 768, 64, 64, 64) for i in range(m)], 2) / m
    rows.append(("mpmath evaluation, 50 digits", f"{t_mp * 1e3:.2f} ms/pt", f"{t_hand * 1e3:.2f} ms/pt (hand mpmath)",
                 t_mp / t_hand, "< 5 ms/pt", t_mp < 5e-3))

    # 3. certified, 50 digits
    certified_evaluate(dps=50)
    m = 50
    t_arb = best_of(lambda: [certified_evaluate({"n": 10**6 + i}, dps=50) for i in range(m)], 2) / m
    rows.append(("Arb certified evaluation, 50 digits", f"{t_arb * 1e3:.2f} ms/pt", f"{t_mp * 1e3:.2f} ms/pt (mpmath)",
                 t_arb / t_mp, "< 20 ms/pt", t_arb < 20e-3))

    # 4. crossover n* to 30 digits
    p = Params.from_preset()
    crossover("edelman", p, dps=30)
    t_x = best_of(lambda: crossover("edelman", p.replace(B_QK="1.5"), dps=30), 2)
    rows.append(("crossover n* vs edelman, 30 digits", f"{t_x:.3f} s", f"{t_mp * 1e3:.2f} ms (one mp point)",
                 t_x / t_mp, "< 1 s", t_x < 1))

    # 5. cold import + derivation
    t_sympy = subprocess_time("import sympy")
    t_der = subprocess_time("import derive; derive.theorem()")
    rows.append(("import derive + derivation (new process, no cache)", f"{t_der:.2f} s",
                 f"{t_sympy:.2f} s (import sympy)", t_der / t_sympy, "< 2 s", t_der < 2))

    # 6. rankbound report end to end
    t_rep = best_of(lambda: subprocess.run([sys.executable, "-m", "numeric.cli", "report"], check=True, cwd=ROOT,
                                           stdout=subprocess.DEVNULL), 3)
    rows.append(("rankbound report end to end", f"{t_rep:.2f} s", f"{t_sympy:.2f} s (import sympy)",
                 t_rep / t_sympy, "< 3 s", t_rep < 3))

    # 6b. eval with 12 heads and 12 layers against eval with one head (issue 12: within 2x)
    ev = [sys.executable, "-m", "numeric.cli", "eval", "--json"]
    t_one = best_of(lambda: subprocess.run(ev, check=True, cwd=ROOT, stdout=subprocess.DEVNULL), 3)
    t_deep = best_of(lambda: subprocess.run(ev + ["--heads", "12", "--layers", "12"], check=True, cwd=ROOT,
                                            stdout=subprocess.DEVNULL), 3)
    rows.append(("rankbound eval --heads 12 --layers 12", f"{t_deep:.2f} s", f"{t_one:.2f} s (eval, one head)",
                 t_deep / t_one, "ratio < 2", t_deep / t_one < 2))

    # 7. rankbound audit at its largest --budget (issue 14), against the audit without the slip searches
    from numeric.cli.audit import MAX_BUDGET
    audit = [sys.executable, "-m", "numeric.cli", "audit"]
    t_claims = best_of(lambda: subprocess.run(audit + ["--no-slips"], check=True, cwd=ROOT,
                                              stdout=subprocess.DEVNULL), 1)
    t_audit = best_of(lambda: subprocess.run(audit + ["--budget", str(MAX_BUDGET)], check=True, cwd=ROOT,
                                             stdout=subprocess.DEVNULL), 1)
    rows.append((f"rankbound audit --budget {MAX_BUDGET} (the maximum)", f"{t_audit:.1f} s",
                 f"{t_claims:.1f} s (audit --no-slips)", t_audit / t_claims, "< 120 s", t_audit < 120))

    # comparisons at high precision and huge dimension (issue 14); self-contained: its own baselines
    rows += compare_rows(quick=args.quick)
    rows += tighten_rows(quick=args.quick)           # issue 13; self-contained: its own baseline

    header = "| figure | measured | baseline | ratio | target | met |\n|---|---|---|---|---|---|"
    lines = [header] + [f"| {a} | {b} | {c_} | {r:.2f} | {t} | {'yes' if ok else 'NO'} |"
                        for a, b, c_, r, t, ok in rows]
    table = "\n".join(lines)
    machine = (f"{platform.node()}: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"Python {platform.python_version()}, numpy {np.__version__}, mpmath {mpmath.__version__}")
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"rankbound benchmarks, {stamp}\n{machine}\n(float64 grid agrees with the hand formula to "
          f"{agree:.1e} relative)\n")
    print(table)
    if not args.no_record:
        with open(ROOT / "benchmarks" / "RESULTS.md", "a") as fh:
            fh.write(f"\n## {stamp}{' (quick)' if args.quick else ''}\n\n{machine}\n\n{table}\n")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
