"""Deliberately wrong variants of lemmas (the slips of MATH.md section 6.4), and their true controls.

Each slip is a :class:`~lemmas.core.Lemma` with ``wrong=True`` whose
:class:`~lemmas.core.Source` says what the slip is and what the correct step
is.  They exist to test the checkers (``numeric.audit.slips`` must refuse every one
of them with a counterexample), so they are **not registered**: the registry
holds only facts, each with a property test.  They live in the module-level
tuple :data:`SLIPS`.

Some slips vary a registered lemma (``variant_of`` names it); the others vary
a standard fact that the chain does not use directly.  Those true facts are
kept here too, unregistered, in :data:`CONTROLS`, so that the same search can
be run on them (it must find nothing).

Examples
--------
>>> from lemmas.slips import SLIPS, CONTROLS, slip
>>> [s.wrong for s in SLIPS]
[True, True, True, True, True]
>>> import lemmas
>>> any(s.name in lemmas.names() for s in SLIPS + CONTROLS)
False
>>> slip("b").variant_of
'dudley-cauchy-schwarz'

References
----------
.. [Ver18] R. Vershynin, High-Dimensional Probability, 2018, Exercise 4.2.9 (internal
   versus external covering numbers: N_int(eps) <= N_ext(eps/2)).
"""

from __future__ import annotations

import sympy
from sympy import log, sqrt

from .attention import B_V, B_X, B_w, C_SM, L_sigma, TRANSFORMER_PARAMS, _SETTING_HYPS, dQK, dV, df, dw
from .core import Constant, Hypothesis, Lemma, Source
from .covering import NET_CONST, C_NET, lowrank_ball
from .covering import B as B_ball
from .covering import n1, n2, r
from .objects import NORMS, CoveringNumber, LossClass, log_covering, logplus
from .symbols import C, D, F as F_cls, L_loss as L_l, S as S_set, U, eps

__all__ = ["SLIPS", "CONTROLS", "slip", "control",
           "SLIP_SPHERE_NET_FOR_BALL", "SLIP_DUDLEY_LOG", "SLIP_EXTERNAL_FOR_INTERNAL", "SLIP_LOSS_COVER_SCALED",
           "SLIP_PERTURBATION_BX2", "DUDLEY_CAUCHY_SCHWARZ", "INTERNAL_BY_EXTERNAL_HALF", "LOSS_COVER_RESCALED"]



# -- (a) the unit-sphere net used for a ball ------------------------------------------------------
SLIP_SPHERE_NET_FOR_BALL = Lemma(
    name="slip-sphere-net-for-ball",
    title="WRONG: the unit-sphere net count (n1+n2+1) r log(9/eps) used for the radius-B ball",
    params=(n1, n2, r, B_ball, eps),
    hypotheses=(Hypothesis("eps-at-most-1", "0 < eps <= 1", sympy.Le(eps, 1, evaluate=False)),
                Hypothesis("radius-above-1", "B > 1", sympy.Gt(B_ball, 1, evaluate=False))),
    conclusion=sympy.Le(log_covering(lowrank_ball(n1, n2, r, B_ball), eps, "fro"), (n1 + n2 + 1) * r * log(C_NET / eps)),
    constants=(NET_CONST,),
    source=Source("MATH.md section 6.4, slip (a)", kind="derived", derivation=(
        "WRONG on purpose: Candes & Plan's Lemma 3.1 counts a net of the rank-r *unit sphere*; the ball of "
        "radius B needs nets of U, Sigma, V at scale eps/(3B), i.e. log(9B/eps) (lemma low-rank-net-ball). "
        "For B > 1 the ball contains a max(n1, n2) r-dimensional Euclidean ball of radius B, whose covering "
        "number is at least (B/eps)^{max(n1,n2) r}, more than the sphere count allows")),
    family="slips", variant_of="low-rank-net-ball", wrong=True,
    example={n1: 4, n2: 3, r: 2, B_ball: 100, eps: 1},
)

# -- (b) log instead of log+ past eps = C ---------------------------------------------------------
_dudley_lhs = sympy.Integral(sqrt(D * logplus(C / eps)), (eps, 0, U))

DUDLEY_CAUCHY_SCHWARZ = Lemma(
    name="dudley-cauchy-schwarz",
    title="int_0^U sqrt(D log+(C/eps)) d eps <= U sqrt(D (1 + log+(C/U))) (Cauchy-Schwarz)",
    params=(D, C, U),
    hypotheses=(),
    conclusion=sympy.Le(_dudley_lhs, U * sqrt(D * (1 + logplus(C / U)))),
    source=Source("Cauchy-Schwarz on [0, U]", kind="derived", derivation=(
        "(int_0^U sqrt(g))^2 <= U int_0^U g with g = D log+(C/eps); int_0^U log+(C/eps) d eps = U (1 + log(C/U)) "
        "for C >= U and = C <= U for C < U, so it is <= U (1 + log+(C/U)) in both cases")),
    family="slips",
    example={D: 3, C: 2, U: 1},
)

SLIP_DUDLEY_LOG = Lemma(
    name="slip-dudley-log-not-logplus",
    title="WRONG: the Dudley closed form with log in place of log+ past eps = C (C < U)",
    params=(D, C, U),
    hypotheses=(Hypothesis("C-below-U", "C < U (the integral runs past eps = C)", sympy.Lt(C, U, evaluate=False)),),
    conclusion=sympy.Le(_dudley_lhs, U * sqrt(D * (1 + log(C / U)))),
    source=Source("MATH.md section 6.4, slip (b)", kind="derived", derivation=(
        "WRONG on purpose: integrates D log(C/eps) over [0, U] although log N = D log+(C/eps) vanishes past "
        "eps = C; the negative part past C is subtracted, giving U (1 + log(C/U)) < C for C < U. Correct: "
        "dudley-cauchy-schwarz (log+), or the exact closed form logplus-sqrt-integral (C sqrt(pi)/2 for C <= U). "
        "(The erfc closed form itself, used with log for C < U, is not real: its real part happens to be the "
        "right value C sqrt(pi)/2, so the harmful real-valued form of the slip is the one in int log N, "
        "encoded here)")),
    family="slips", variant_of="dudley-cauchy-schwarz", wrong=True,
    example={D: 1, C: 1, U: sympy.Rational(5, 2)},
)

# -- (c) external covers where internal ones are needed ---------------------------------------------

INTERNAL_BY_EXTERNAL_HALF = Lemma(
    name="internal-by-external-half",
    title="N_int(S, eps) <= N_ext(S, eps/2)",
    params=(S_set, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(S_set, eps, "fro", 1), log_covering(S_set, eps / 2, "fro", 0)),
    source=Source("Vershynin (2018), High-Dimensional Probability, Exercise 4.2.9", kind="derived", derivation=(
        "for each external centre z whose eps/2-ball meets S pick a point s of S in it; every point of S within "
        "eps/2 of z is within eps of s")),
    family="slips",
    example={CoveringNumber(S_set, eps / 2, NORMS["fro"], 0): 10},
)

SLIP_EXTERNAL_FOR_INTERNAL = Lemma(
    name="slip-external-for-internal",
    title="WRONG: an external eps-cover used as an internal one (N_int(eps) <= N_ext(eps))",
    params=(S_set, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(S_set, eps, "fro", 1), log_covering(S_set, eps, "fro", 0)),
    source=Source("MATH.md section 6.4, slip (c)", kind="derived", derivation=(
        "WRONG on purpose: the parameter-cover step needs net points inside the class (the perturbation lemma "
        "holds only for theta, theta' both in Theta), but external centres may lie outside it; moving them "
        "inside costs the factor 2: N_int(eps) <= N_ext(eps/2) (internal-by-external-half). Two points at "
        "distance in (eps, 2 eps] have N_ext(eps) = 1 (the midpoint) and N_int(eps) = 2")),
    family="slips", variant_of="internal-by-external-half", wrong=True,
    example={CoveringNumber(S_set, eps, NORMS["fro"], 0): 10},
)

# -- (d) the loss class: rescale eps, do not multiply the entropy -----------------------------------

LOSS_COVER_RESCALED = Lemma(
    name="loss-cover-rescaled-eps",
    title="log N(l o F, eps) <= log N(F, eps / L_l) for an L_l-Lipschitz loss",
    params=(F_cls, L_l, eps),
    hypotheses=(Hypothesis("loss-lipschitz", "the loss is L_loss-Lipschitz in its first argument"),),
    conclusion=sympy.Le(log_covering(LossClass(F_cls), eps, "sup"), log_covering(F_cls, eps / L_l, "sup")),
    source=Source("standard", kind="derived", derivation=(
        "if g is within eps/L_l of f in sup norm then l o g is within eps of l o f; the image of an internal "
        "eps/L_l-net of F is an internal eps-net of l o F")),
    family="slips",
    example={CoveringNumber(F_cls, eps / L_l, NORMS["sup"], 1): 10},
)

SLIP_LOSS_COVER_SCALED = Lemma(
    name="slip-loss-cover-scaled-log",
    title="WRONG: log N(l o F, eps) <= L_l log N(F, eps)",
    params=(F_cls, L_l, eps),
    hypotheses=(Hypothesis("loss-lipschitz", "the loss is L_loss-Lipschitz in its first argument"),),
    conclusion=sympy.Le(log_covering(LossClass(F_cls), eps, "sup"), L_l * log_covering(F_cls, eps, "sup")),
    source=Source("MATH.md section 6.4, slip (d)", kind="derived", derivation=(
        "WRONG on purpose: a Lipschitz loss rescales the cover's radius, not the entropy: the correct step is "
        "log N(l o F, eps) <= log N(F, eps/L_l) (loss-cover-rescaled-eps). The entropy is not linear in the "
        "scale: for F = {x -> w x : |w| <= R} on [-1, 1] and l(y) = L_l y, N(l o F, eps) = ceil(L_l R/eps)")),
    family="slips", variant_of="loss-cover-rescaled-eps", wrong=True,
    example={CoveringNumber(F_cls, eps, NORMS["sup"], 1): 10, L_l: 2},
)

# -- (e) a missing power of B_X in the perturbation lemma -------------------------------------------
SLIP_PERTURBATION_BX2 = Lemma(
    name="slip-perturbation-bx-squared",
    title="WRONG: the perturbation lemma with B_X^2 instead of B_X^3 on the score path",
    params=TRANSFORMER_PARAMS,
    hypotheses=_SETTING_HYPS + (Hypothesis("both-in-class", "theta and theta' both lie in Theta"),),
    conclusion=sympy.Le(df, L_sigma * B_V * B_X * dw + L_sigma * B_w * B_X * dV
                        + C_SM * L_sigma * B_w * B_V * B_X**2 * dQK),
    constants=(Constant(C_SM, 2, "softmax Lipschitz constant used"),),
    source=Source("MATH.md section 6.4, slip (e)", kind="derived", derivation=(
        "WRONG on purpose: the score path gives |s_t - s'_t| <= B_X^2 ||W_QK - W_QK'||_2 (x_cls and x_t), and "
        "the aggregation ||X^T (p - p')||_2 <= B_X ||p - p'||_1 another B_X: B_X^3 (transformer-perturbation). "
        "Dropping one B_X is invisible at B_X = 1 and false for B_X > 1")),
    family="slips", variant_of="transformer-perturbation", wrong=True,
    example={L_sigma: 1, B_w: 1, B_V: 1, B_X: 4, dw: 0, dV: 0, dQK: sympy.Rational(1, 1000)},
)

#: the deliberately wrong variants, keyed (a)-(e) in the order of MATH.md section 6.4
SLIPS = (SLIP_SPHERE_NET_FOR_BALL, SLIP_DUDLEY_LOG, SLIP_EXTERNAL_FOR_INTERNAL, SLIP_LOSS_COVER_SCALED,
         SLIP_PERTURBATION_BX2)
#: true facts that some slips vary and that the chain does not register
CONTROLS = (DUDLEY_CAUCHY_SCHWARZ, INTERNAL_BY_EXTERNAL_HALF, LOSS_COVER_RESCALED)

_KEYS = dict(zip("abcde", SLIPS))


def slip(key: str) -> Lemma:
    """The slip ``key`` in ``'a'``..``'e'`` (MATH.md section 6.4) or by name."""
    if key in _KEYS:
        return _KEYS[key]
    for s in SLIPS:
        if s.name == key:
            return s
    raise KeyError(f"no slip {key!r}; known: {', '.join(_KEYS)} or {', '.join(s.name for s in SLIPS)}")


def control(name: str) -> Lemma:
    """A true control lemma of this module by name."""
    for s in CONTROLS:
        if s.name == name:
            return s
    raise KeyError(f"no control lemma {name!r}; known: {', '.join(s.name for s in CONTROLS)}")
