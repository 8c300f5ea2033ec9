"""From Rademacher complexity to a generalisation bound (MATH.md section 2).

References
----------
.. [MRT18] M. Mohri, A. Rostamizadeh, A. Talwalkar, Foundations of Machine
   Learning, 2nd ed., 2018, Theorem 3.3 and Lemma 5.7 (Talagrand's contraction).
.. [LT91] M. Ledoux, M. Talagrand, Probability in Banach Spaces, 1991.
"""

from __future__ import annotations

import sympy
from sympy import log, sqrt

from .core import Constant, Hypothesis, Lemma, Source, register
from sympy import Function

from .objects import GeneralisationGap, LossClass, RademacherComplexity
from .symbols import C_CONF, C_RAD, F, L_loss, c, delta, n

__all__ = ["CONTRACTION", "RADEMACHER_GENERALISATION", "SAMPLE_HYPOTHESES", "RAD_CONSTANT", "UNION_BOUND", "UnionFailure", "UNION_BOUND_GRID",
           "GridFailure"]


CONTRACTION = register(Lemma(
    name="contraction",
    title="Talagrand's contraction: R_S(l o F) <= L_l R_S(F)",
    params=(F, n, L_loss),
    hypotheses=(
        Hypothesis("loss-lipschitz", "the loss is L_loss-Lipschitz in its first argument"),
        Hypothesis("scalar-class", "F is a class of real-valued functions"),
    ),
    conclusion=sympy.Le(RademacherComplexity(LossClass(F), n), L_loss * RademacherComplexity(F, n)),
    source=Source("Ledoux & Talagrand (1991); Mohri et al. (2018), Lemma 5.7"),
    family="generalisation",
    example={RademacherComplexity(F, n): sympy.Rational(1, 10), L_loss: 2},
))

#: the hypotheses of every form of the Rademacher generalisation theorem
SAMPLE_HYPOTHESES = (
    Hypothesis("delta-below-1", "0 < delta < 1", sympy.Lt(delta, 1, evaluate=False)),
    Hypothesis("iid-sample", "S consists of n i.i.d. draws from the data distribution"),
    Hypothesis("bounded-loss", "the loss takes values in [0, c]"),
)
#: the symmetrisation factor, the same in every form
RAD_CONSTANT = Constant(C_RAD, 2, "symmetrisation factor")

RADEMACHER_GENERALISATION = register(Lemma(
    name="rademacher-generalisation",
    title="uniform deviation bound from the empirical Rademacher complexity",
    params=(F, n, c, delta),
    hypotheses=SAMPLE_HYPOTHESES,
    conclusion=sympy.Le(GeneralisationGap(F, n),
                        C_RAD * RademacherComplexity(LossClass(F), n)
                        + C_CONF * c * sqrt(log(2 / delta) / (2 * n))),
    constants=(RAD_CONSTANT,
               Constant(C_CONF, 3, "two applications of McDiarmid's inequality (empirical complexity)")),
    source=Source("Mohri et al. (2018), Foundations of Machine Learning, Theorem 3.3 (empirical version, "
                  "scaled to losses in [0, c])"),
    failure=delta,
    family="generalisation",
    example={RademacherComplexity(LossClass(F), n): sympy.Rational(1, 10), n: 1000, c: 1,
             delta: sympy.Rational(1, 20)},
))


class UnionFailure(Function):
    """``UnionFailure(delta_1, delta_2)``: the probability that at least one of two statements fails,
    when the first fails with probability at most ``delta_1`` and the second at most ``delta_2``."""

    nargs = 2
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        return r"\Pr[\text{one of two statements fails}]"


delta_1, delta_2 = sympy.symbols("delta_1 delta_2", nonnegative=True)

UNION_BOUND = register(Lemma(
    name="union-bound",
    title="two statements failing with probabilities <= delta_1, delta_2 both hold w.p. >= 1 - delta_1 - delta_2",
    params=(delta_1, delta_2),
    hypotheses=(),
    conclusion=sympy.Le(UnionFailure(delta_1, delta_2), delta_1 + delta_2),
    source=Source("Boole's inequality: P(A u B) <= P(A) + P(B)"),
    family="probability",
    example={UnionFailure(delta_1, delta_2): sympy.Rational(1, 10), delta_1: sympy.Rational(1, 20),
             delta_2: sympy.Rational(1, 20)},
))


class GridFailure(Function):
    """``GridFailure(delta, p)``: the probability that the statement of at least one cell of a grid fixed in
    advance fails, when the statement of a cell of weight ``p`` fails with probability at most ``delta p``."""

    nargs = 2
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        return r"\Pr[\text{some cell of the grid fails}]"


p_cell = sympy.Symbol("p", positive=True)
total_weight = sympy.Symbol("W", positive=True)

UNION_BOUND_GRID = register(Lemma(
    name="union-bound-grid",
    title="statements over a countable grid fixed in advance, cell c failing w.p. <= delta p_c with sum_c p_c = W "
          "<= 1, hold simultaneously w.p. >= 1 - delta W",
    params=(delta, p_cell, total_weight),
    hypotheses=(Hypothesis("weights-sum-at-most-one", "the weights of the grid's cells sum to W <= 1",
                           sympy.Le(total_weight, 1, evaluate=False)),
                Hypothesis("grid-fixed-in-advance", "the grid and its weights are chosen before the sample is seen")),
    conclusion=sympy.Le(GridFailure(delta, p_cell), delta * total_weight),
    source=Source("Boole's inequality over a countable family (the standard repair for data-dependent radii, e.g. "
                  "Bartlett, Foster & Telgarsky 2017, proof of Theorem 1.1)"),
    family="probability",
    example={GridFailure(delta, p_cell): sympy.Rational(1, 20), delta: sympy.Rational(1, 20),
             p_cell: sympy.Rational(1, 2), total_weight: 1},
))
