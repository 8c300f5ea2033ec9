"""Sharper valid steps and free choices of the chain (MATH.md section 10), each a lemma with its source.

``rankbound tighten`` composes these with the lemmas of the default chain (``derive.tighten``); none
lowers a proof constant of an existing lemma: each is a different (valid) statement with constants of
its own.

- ``volumetric-net-sharp``: an internal eps-net of the radius-R ball in R^k with at most
  ``(1 + 2R/eps)^k`` points (a maximal eps-separated set; the volumetric argument puts the disjoint
  eps/2-balls inside the (R + eps/2)-ball), and the centre alone for eps > R.
- ``low-rank-net-ball-sharp``: the Candes-Plan argument with those nets for U, Sigma and V at scales
  eps/(3B), eps/3, eps/(3B): at most ``(1 + 6B/eps)^{(n1+n2+1) r}`` points, the point 0 for eps > B.

Both write "0 past the radius" with the indicator :func:`below` (``min(1, floor(R/eps))``).
- ``logplus-sqrt-integral-additivity``: ``int_a^U = int_0^U - int_0^a`` for the log+ entropy integrand,
  so that Dudley's integral from a lower limit ``alpha > 0`` closes with the existing closed form.
- ``rademacher-trivial-cap``: ``R_S(F) <= sup_f ||f||_{L2(S)} <= b`` (Cauchy-Schwarz), written as
  ``R_S(F) <= min(b, R_S(F))`` so that the next step (Dudley) bounds the second argument of the min.
- ``rademacher-generalisation-expected``: Mohri et al. (2018), Theorem 3.3 in its expected form:
  ``2 E_S[R_S(l o F)] + c sqrt(log(1/delta)/(2n))``.  :class:`SampleExpectation` is ``E_S[.]``; it
  disappears by itself once its argument no longer depends on the sample (the chain's bound on
  ``R_S`` holds for every sample, so its expectation is itself).

References
----------
.. [Ver18] R. Vershynin, High-Dimensional Probability, 2018, Corollary 4.2.13.
.. [CP11] E. J. Candes, Y. Plan, IEEE Trans. Inf. Theory 57(4), 2011, Lemma 3.1.
.. [MRT18] M. Mohri, A. Rostamizadeh, A. Talwalkar, Foundations of Machine Learning, 2nd ed., 2018,
   Theorem 3.3 (inequality (3.3), the expected Rademacher complexity).

Examples
--------
>>> import lemmas
>>> lem = lemmas.get("volumetric-net-sharp")
>>> [c.default for c in lem.constants]
[2]
>>> from lemmas.objects import RademacherComplexity
>>> from lemmas.symbols import F, n
>>> SampleExpectation(RademacherComplexity(F, n))
SampleExpectation(RademacherComplexity(F, n))
>>> SampleExpectation(n + 1)          # nothing depends on the sample: the expectation is the value
n + 1
"""

from __future__ import annotations

import sympy
from sympy import Function, Integral, log, sqrt

from .core import Constant, Hypothesis, Lemma, Source, register
from .covering import euclidean_ball, lowrank_ball
from .generalisation import RAD_CONSTANT, SAMPLE_HYPOTHESES
from .objects import (NORMS, CoveringNumber, GeneralisationGap, LossClass, OutputBound, RademacherComplexity,
                      log_covering, logplus)
from .prior import SUP_S
from .symbols import B, C, C_RAD, D, F, R, U, b, c, delta, eps, k, n, n1, n2, r

__all__ = ["SampleExpectation", "depends_on_sample", "below", "Cap", "VOLUMETRIC_NET_SHARP", "LOW_RANK_NET_BALL_SHARP",
           "LOGPLUS_INTEGRAL_ADDITIVITY", "RADEMACHER_TRIVIAL_CAP", "RADEMACHER_GENERALISATION_EXPECTED",
           "C_VOL_SHARP", "C_NET_SHARP", "C_CONF_EXPECTED", "TIGHTNESS_LEMMAS"]

#: the norms of covers that depend on the sample (the empirical L2 norm, the empirical sup norm)
SAMPLE_NORMS = (NORMS["L2S"], SUP_S)

C_VOL_SHARP = sympy.Symbol("c_vol_sharp", positive=True)
C_NET_SHARP = sympy.Symbol("c_net_sharp", positive=True)
C_CONF_EXPECTED = sympy.Symbol("c_conf_expected", positive=True)
a_lim = sympy.Symbol("a", positive=True)


class Cap(sympy.Min):
    """``min(a, b, ...)``, left as it is while an argument is symbolic (SymPy's ``Min`` compares its arguments
    on every rebuild, which costs seconds for the chain's long expressions); with numbers it is ``Min``.
    Every evaluator and the monotonicity check read it as a ``Min`` (nondecreasing in each argument)."""

    def __new__(cls, *args, **assumptions):
        args = [sympy.sympify(a) for a in args]
        if all(a.is_number for a in args):
            return sympy.Min(*args)
        assumptions["evaluate"] = False
        return super().__new__(cls, *args, **assumptions)

    def _latex(self, printer):
        return r"\min\left(%s\right)" % ", ".join(printer._print(a) for a in self.args)


def below(x, y):
    """``min(1, floor(y/x))`` for ``x, y > 0``: 1 when ``x <= y``, 0 when ``x > y`` (an indicator built from
    functions every evaluator knows; SymPy would fold a Piecewise in the variable of an integral into one
    Piecewise for the whole integrand)."""
    return Cap(1, sympy.floor(y / x))


def depends_on_sample(expr) -> bool:
    """Whether ``expr`` holds an object that depends on the sample S: an empirical Rademacher complexity or
    a covering number in an empirical norm (L2(S), the sup norm on the sample's points)."""
    if not isinstance(expr, sympy.Basic):
        return False
    if expr.atoms(RademacherComplexity):
        return True
    return any(N.args[2] in SAMPLE_NORMS for N in expr.atoms(CoveringNumber))


class SampleExpectation(Function):
    r"""``SampleExpectation(X)``: the expectation ``E_S[X]`` over the i.i.d. sample S.

    Nondecreasing in its argument (expectation is monotone: a bound that holds for every sample bounds
    the expectation), and equal to its argument once the argument no longer depends on the sample
    (:func:`depends_on_sample`): the expectation of a number is that number.
    """

    nargs = 1
    is_extended_real = True
    monotonicity = (1,)          # read by derive.monotone

    @classmethod
    def eval(cls, x):
        if not depends_on_sample(x):
            return x
        return None

    def _eval_is_extended_nonnegative(self):
        return self.args[0].is_extended_nonnegative

    def _latex(self, printer):
        return r"\mathbb{E}_S\left[%s\right]" % printer._print(self.args[0])


# -- sharper nets ------------------------------------------------------------------------------------------
VOLUMETRIC_NET_SHARP = register(Lemma(
    name="volumetric-net-sharp",
    title="internal eps-net of the radius-R ball in R^k with (1 + 2R/eps)^k points (eps <= R); the centre for eps > R",
    params=(k, R, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(euclidean_ball(k, R), eps, "fro"),
                        k * log(1 + C_VOL_SHARP * R / eps) * below(eps, R)),
    constants=(Constant(C_VOL_SHARP, 2, "volumetric net: (1 + c R/eps)^k points (disjoint eps/2-balls in the "
                                        "(R + eps/2)-ball)"),),
    source=Source("Vershynin (2018), High-Dimensional Probability, Corollary 4.2.13", kind="derived", derivation=(
        "a maximal eps-separated subset of the ball is an internal eps-net; the balls of radius eps/2 around its "
        "points are disjoint and lie in the ball of radius R + eps/2, so by volume it has at most "
        "((R + eps/2)/(eps/2))^k = (1 + 2R/eps)^k points; for eps > R the centre alone covers (the factor "
        "min(1, floor(R/eps)) is 1 for eps <= R and 0 beyond)")),
    family="covering",
    variant_of="volumetric-net",
    example={k: 3, R: 2, eps: sympy.Rational(1, 3)},
))

LOW_RANK_NET_BALL_SHARP = register(Lemma(
    name="low-rank-net-ball-sharp",
    title="internal eps-net of the rank-r Frobenius ball of radius B with (1 + 6B/eps)^{(n1+n2+1) r} points "
          "(eps <= B); the point 0 for eps > B",
    params=(n1, n2, r, B, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(lowrank_ball(n1, n2, r, B), eps, "fro"),
                        (n1 + n2 + 1) * r * log(1 + C_NET_SHARP * B / eps) * below(eps, B)),
    constants=(Constant(C_NET_SHARP, 6, "low-rank net: (1 + c B/eps) per dimension (nets of U, Sigma, V at "
                                        "scales eps/(3B), eps/3, eps/(3B))"),),
    source=Source("Candes & Plan (2011), IEEE Trans. Inf. Theory 57(4), Lemma 3.1", kind="derived", derivation=(
        "the proof of Lemma 3.1 with W = U Sigma V^T and maximal separated sets as nets: the columns of U (V) lie "
        "in unit balls, so a maximal eps/(3B)-separated subset of {U: U^T U = I} in ||.||_{1,2} has at most "
        "(1 + 6B/eps)^{n1 r} points, likewise V, and Sigma (an r-ball of radius B) at scale eps/3 at most "
        "(1 + 6B/eps)^r; U' Sigma' V'^T has rank <= r and ||.||_F = ||Sigma'||_F <= B (internal), and "
        "||W - W'||_F <= ||U - U'||_{1,2} B + ||Sigma - Sigma'||_F + B ||V - V'||_{1,2} <= eps; for eps > B the "
        "point 0 covers (the factor min(1, floor(B/eps)) is 1 for eps <= B and 0 beyond)")),
    family="covering",
    variant_of="low-rank-net-ball",
    example={n1: 4, n2: 3, r: 2, B: 2, eps: sympy.Rational(1, 2)},
))

# -- Dudley's integral from alpha > 0 ----------------------------------------------------------------------
_integrand = sqrt(D * logplus(C / eps))

LOGPLUS_INTEGRAL_ADDITIVITY = register(Lemma(
    name="logplus-sqrt-integral-additivity",
    title="int_a^U sqrt(D log+(C/eps)) d eps = int_0^U - int_0^a (additivity over [0, a] u [a, U])",
    params=(D, C, a_lim, U),
    hypotheses=(Hypothesis("lower-limit-below-upper", "0 < a <= U", sympy.Le(a_lim, U, evaluate=False)),),
    conclusion=sympy.Eq(Integral(_integrand, (eps, a_lim, U)),
                        Integral(_integrand, (eps, 0, U)) - Integral(_integrand, (eps, 0, a_lim))),
    source=Source("additivity of the Lebesgue integral over adjacent intervals", kind="derived", derivation=(
        "the integrand is nonnegative and integrable on [0, U] (its integral is the finite closed form of "
        "logplus-sqrt-integral), so int_0^U = int_0^a + int_a^U for 0 < a <= U; subtract the finite int_0^a")),
    family="chaining",
    example={D: 3, C: 2, a_lim: sympy.Rational(1, 4), U: 1},
))

# -- the trivial bound on R_S ------------------------------------------------------------------------------
RADEMACHER_TRIVIAL_CAP = register(Lemma(
    name="rademacher-trivial-cap",
    title="R_S(F) <= min(b, R_S(F)): the empirical Rademacher complexity is at most sup_f ||f||_{L2(S)} <= b",
    params=(F, n, b),
    hypotheses=(Hypothesis("output-bounded", "sup_{f in F} ||f||_{L2(S)} <= b", OutputBound(F, b),
                           discharged_by="transformer-output-bound"),),
    conclusion=sympy.Le(RademacherComplexity(F, n), Cap(b, RademacherComplexity(F, n))),
    source=Source("Cauchy-Schwarz", kind="derived", derivation=(
        "(1/n) sum_i sigma_i f(x_i) <= sqrt((1/n) sum_i sigma_i^2) sqrt((1/n) sum_i f(x_i)^2) = ||f||_{L2(S)} <= b "
        "for every sign vector, so R_S(F) = E_sigma sup_f (1/n) sum_i sigma_i f(x_i) <= b; with R_S(F) <= R_S(F) "
        "this is R_S(F) <= min(b, R_S(F)), whose second argument a later step may bound")),
    family="chaining",
    example={RademacherComplexity(F, n): sympy.Rational(1, 10), b: 1},
))

# -- the expected form of the generalisation theorem ---------------------------------------------------------
RADEMACHER_GENERALISATION_EXPECTED = register(Lemma(
    name="rademacher-generalisation-expected",
    title="uniform deviation bound from the expected Rademacher complexity E_S[R_S(l o F)]",
    params=(F, n, c, delta),
    hypotheses=SAMPLE_HYPOTHESES,
    conclusion=sympy.Le(GeneralisationGap(F, n),
                        C_RAD * SampleExpectation(RademacherComplexity(LossClass(F), n))
                        + C_CONF_EXPECTED * c * sqrt(log(1 / delta) / (2 * n))),
    constants=(RAD_CONSTANT,
               Constant(C_CONF_EXPECTED, 1, "one application of McDiarmid's inequality (expected complexity)")),
    source=Source("Mohri et al. (2018), Foundations of Machine Learning, Theorem 3.3 (inequality (3.3), the "
                  "expected Rademacher complexity; scaled to losses in [0, c])"),
    failure=delta,
    family="generalisation",
    variant_of="rademacher-generalisation",
    example={SampleExpectation(RademacherComplexity(LossClass(F), n)): sympy.Rational(1, 10), n: 1000, c: 1,
             delta: sympy.Rational(1, 20)},
))

#: the lemmas of this module, in the order MATH.md section 10 lists the steps they sharpen
TIGHTNESS_LEMMAS = (VOLUMETRIC_NET_SHARP, LOW_RANK_NET_BALL_SHARP, LOGPLUS_INTEGRAL_ADDITIVITY,
                    RADEMACHER_TRIVIAL_CAP, RADEMACHER_GENERALISATION_EXPECTED)
