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
from .objects import GeneralisationGap, LossClass, RademacherComplexity
from .symbols import C_CONF, C_RAD, F, L_loss, c, delta, n

__all__ = ["CONTRACTION", "RADEMACHER_GENERALISATION"]


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

RADEMACHER_GENERALISATION = register(Lemma(
    name="rademacher-generalisation",
    title="uniform deviation bound from the empirical Rademacher complexity",
    params=(F, n, c, delta),
    hypotheses=(
        Hypothesis("delta-below-1", "0 < delta < 1", sympy.Lt(delta, 1, evaluate=False)),
        Hypothesis("iid-sample", "S consists of n i.i.d. draws from the data distribution"),
        Hypothesis("bounded-loss", "the loss takes values in [0, c]"),
    ),
    conclusion=sympy.Le(GeneralisationGap(F, n),
                        C_RAD * RademacherComplexity(LossClass(F), n)
                        + C_CONF * c * sqrt(log(2 / delta) / (2 * n))),
    constants=(Constant(C_RAD, 2, "symmetrisation factor"),
               Constant(C_CONF, 3, "two applications of McDiarmid's inequality (empirical complexity)")),
    source=Source("Mohri et al. (2018), Foundations of Machine Learning, Theorem 3.3 (empirical version, "
                  "scaled to losses in [0, c])"),
    family="generalisation",
    example={RademacherComplexity(LossClass(F), n): sympy.Rational(1, 10), n: 1000, c: 1,
             delta: sympy.Rational(1, 20)},
))
