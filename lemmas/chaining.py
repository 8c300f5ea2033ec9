"""Chaining: Dudley's entropy integral and the elementary steps that evaluate it (MATH.md sections 2, 5, 7).

The closed form of the log+ integral is not typed here: :mod:`derive.integrals`
computes it by substitution and registers it as the derived lemma
``logplus-sqrt-integral``.

References
----------
.. [Dud67] R. M. Dudley, "The sizes of compact subsets of Hilbert space and
   continuity of Gaussian processes", J. Funct. Anal. 1, 1967.
.. [BFT17] P. Bartlett, D. Foster, M. Telgarsky, "Spectrally-normalized margin
   bounds for neural networks", NeurIPS 2017, Lemma A.5.
.. [StatsMLlib] Dudley.lean, a machine-checked statement with upper limit c/2.
"""

from __future__ import annotations

import sympy
from sympy import Integral, log, sqrt

from .core import Constant, Hypothesis, Lemma, Source, register
from .objects import NORMS, CoveringNumber, OutputBound, RademacherComplexity
from .symbols import C_ALPHA, C_DUDLEY, F, alpha, b, eps, n

__all__ = ["DUDLEY", "DUDLEY_HALF", "SQRT_SUBADDITIVE_3", "INTEGRAL_LINEARITY_3"]


_CONSTS = (Constant(C_ALPHA, 4, "coefficient of alpha in Dudley's bound"),
           Constant(C_DUDLEY, 12, "coefficient of the entropy integral in Dudley's bound"))


def _dudley(name, title, upper, source, extra_hyps=(), variant_of=""):
    return register(Lemma(
        name=name, title=title,
        params=(F, n, alpha, b),
        hypotheses=(
            Hypothesis("alpha-nonnegative", "alpha >= 0", sympy.Ge(alpha, 0, evaluate=False)),
            Hypothesis("alpha-below-upper-limit", "alpha <= upper limit of the integral", sympy.Le(alpha, upper, evaluate=False)),
            Hypothesis("output-bounded", "sup_{f in F} ||f||_{L2(S)} <= b", OutputBound(F, b),
                       discharged_by="transformer-output-bound"),
        ) + tuple(extra_hyps),
        conclusion=sympy.Le(
            RademacherComplexity(F, n),
            C_ALPHA * alpha + C_DUDLEY / sqrt(n)
            * Integral(sqrt(log(CoveringNumber(F, eps, NORMS["L2S"], 0))), (eps, alpha, upper))),
        constants=_CONSTS,
        source=Source(source),
        family="chaining",
        variant_of=variant_of,
        example={n: 100, alpha: sympy.Rational(1, 10), b: 1,
                 # an entropy that makes the integral explicit: log N = 4 for all eps
                 CoveringNumber(F, eps, NORMS["L2S"], 0): sympy.exp(4)},
    ))


DUDLEY = _dudley(
    "dudley", "Dudley's entropy integral (normalised), upper limit b", b,
    "Dudley (1967); in this form Bartlett, Foster & Telgarsky (2017), Lemma A.5")

DUDLEY_HALF = _dudley(
    "dudley-half", "Dudley's entropy integral with upper limit b/2 (class closed under negation)", b / 2,
    "StatsMLlib, Dudley.lean (machine-checked): 4 alpha + 12/sqrt(n) int_alpha^{c/2}",
    extra_hyps=(Hypothesis("closed-under-negation", "f in F implies -f in F"),),
    variant_of="dudley")

a1, a2, a3 = sympy.symbols("a_1 a_2 a_3", nonnegative=True)

SQRT_SUBADDITIVE_3 = register(Lemma(
    name="sqrt-subadditive-3",
    title="sqrt(a1 + a2 + a3) <= sqrt(a1) + sqrt(a2) + sqrt(a3) for a_i >= 0",
    params=(a1, a2, a3),
    hypotheses=tuple(Hypothesis(f"a{i}-nonnegative", f"a_{i} >= 0", sympy.Ge(a, 0, evaluate=False))
                     for i, a in enumerate((a1, a2, a3), 1)),
    conclusion=sympy.Le(sqrt(a1 + a2 + a3), sqrt(a1) + sqrt(a2) + sqrt(a3)),
    source=Source("elementary", kind="derived",
                  derivation="square both sides: the right side's square exceeds the left's by 2 sum_{i<j} "
                             "sqrt(a_i a_j) >= 0"),
    family="chaining",
    example={a1: 1, a2: 2, a3: 3},
))

f1, f2, f3 = sympy.symbols("f_1 f_2 f_3", nonnegative=True)
lo, hi = sympy.symbols("lo hi", nonnegative=True)
x = eps

INTEGRAL_LINEARITY_3 = register(Lemma(
    name="integral-linearity-3",
    title="the integral of a sum of three nonnegative functions is the sum of their integrals",
    params=(f1, f2, f3, lo, hi),
    hypotheses=(Hypothesis("integrands-nonnegative", "f_1, f_2, f_3 >= 0 on [lo, hi] (measurable)",
                           sympy.And(sympy.Ge(f1, 0, evaluate=False), sympy.Ge(f2, 0, evaluate=False), sympy.Ge(f3, 0, evaluate=False))),),
    conclusion=sympy.Eq(Integral(f1 + f2 + f3, (x, lo, hi)),
                        Integral(f1, (x, lo, hi)) + Integral(f2, (x, lo, hi)) + Integral(f3, (x, lo, hi))),
    source=Source("linearity of the Lebesgue integral for nonnegative measurable functions"),
    family="chaining",
    example={f1: 1, f2: 2, f3: 3, lo: 0, hi: 1},
))
