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

from .core import Constant, Hypothesis, Lemma, Source, lemma_family, register
from .objects import NORMS, CoveringNumber, OutputBound, RademacherComplexity
from .symbols import C_ALPHA, C_DUDLEY, F, alpha, b, eps, n

__all__ = ["DUDLEY", "DUDLEY_HALF", "SQRT_SUBADDITIVE_2", "SQRT_SUBADDITIVE_3", "INTEGRAL_LINEARITY_2",
           "INTEGRAL_LINEARITY_3", "SQRT_SUBADDITIVE_5", "INTEGRAL_LINEARITY_5", "sqrt_subadditive",
           "integral_linearity"]


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


@lemma_family(lambda m: f"sqrt-subadditive-{m}", least=2)
def sqrt_subadditive(name: str, m: int) -> Lemma:
    """``sqrt(a_1 + ... + a_m) <= sqrt(a_1) + ... + sqrt(a_m)`` for ``a_i >= 0`` (registered once per ``m``)."""
    a_ = sympy.symbols(" ".join(f"a_{i}" for i in range(1, m + 1)) + " _", nonnegative=True, seq=True)[:m]
    return Lemma(
        name=name,
        title=f"sqrt(a_1 + ... + a_{m}) <= sqrt(a_1) + ... + sqrt(a_{m}) for a_i >= 0",
        params=tuple(a_),
        hypotheses=tuple(Hypothesis(f"a{i}-nonnegative", f"a_{i} >= 0", sympy.Ge(a, 0, evaluate=False))
                         for i, a in enumerate(a_, 1)),
        conclusion=sympy.Le(sqrt(sympy.Add(*a_)), sympy.Add(*[sqrt(a) for a in a_])),
        source=Source("elementary", kind="derived",
                      derivation="square both sides: the right side's square exceeds the left's by 2 sum_{i<j} "
                                 "sqrt(a_i a_j) >= 0"),
        family="chaining",
        example={a: i for i, a in enumerate(a_, 1)},
    )


lo, hi = sympy.symbols("lo hi", nonnegative=True)
x = eps


@lemma_family(lambda m: f"integral-linearity-{m}", least=2)
def integral_linearity(name: str, m: int) -> Lemma:
    """The integral of a sum of ``m`` nonnegative functions is the sum of their integrals (once per ``m``)."""
    f_ = sympy.symbols(" ".join(f"f_{i}" for i in range(1, m + 1)) + " _", nonnegative=True, seq=True)[:m]
    return Lemma(
        name=name,
        title=f"the integral of a sum of {m} nonnegative functions is the sum of their integrals",
        params=(*f_, lo, hi),
        hypotheses=(Hypothesis("integrands-nonnegative", f"f_1, ..., f_{m} >= 0 on [lo, hi] (measurable)",
                               sympy.And(*[sympy.Ge(f, 0, evaluate=False) for f in f_])),),
        conclusion=sympy.Eq(Integral(sympy.Add(*f_), (x, lo, hi)),
                            sympy.Add(*[Integral(f, (x, lo, hi)) for f in f_])),
        source=Source("linearity of the Lebesgue integral for nonnegative measurable functions"),
        family="chaining",
        example={**{f: i for i, f in enumerate(f_, 1)}, lo: 0, hi: 1},
    )


SQRT_SUBADDITIVE_2 = sqrt_subadditive(2)
SQRT_SUBADDITIVE_3 = sqrt_subadditive(3)
INTEGRAL_LINEARITY_2 = integral_linearity(2)
INTEGRAL_LINEARITY_3 = integral_linearity(3)
SQRT_SUBADDITIVE_5 = sqrt_subadditive(5)        # the five groups of the H-head, L-layer chain
INTEGRAL_LINEARITY_5 = integral_linearity(5)
