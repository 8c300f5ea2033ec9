"""Attention: the softmax Lipschitz lemma, the output bound and the perturbation lemma (MATH.md sections 2, 4).

The perturbation lemma is our reconstruction (constants are our choices): it
was checked numerically on random instances before being encoded, and the
property tests check it again on every run.

References
----------
.. [EGKZ22] B. Edelman, S. Goel, S. Kakade, C. Zhang, "Inductive Biases and
   Variable Creation in Self-Attention Mechanisms", ICML 2022, Corollary A.7.
.. [Tru24] L. V. Truong, arXiv:2410.11500, 2024.
"""

from __future__ import annotations

import sympy

from .core import Constant, Hypothesis, Lemma, Source, register
from .covering import euclidean_ball, lowrank_ball
from .objects import (NORMS, Distance, FunctionClass, LipschitzInParameters, OutputBound, SoftmaxLipschitz,
                      SupNorm, Tag)
from .symbols import B_QK, B_V, B_X, B_f, B_w, C_SM, L_sigma, T, d, k, r_v, r_w

__all__ = ["SOFTMAX_LIPSCHITZ", "SOFTMAX_LIPSCHITZ_SHARP", "TRANSFORMER_OUTPUT_BOUND",
           "TRANSFORMER_PERTURBATION", "TRANSFORMER_PERTURBATION_SHARP", "transformer_class",
           "TRANSFORMER_PARAMS"]

TRANSFORMER_PARAMS = (d, k, r_w, r_v, T, B_X, B_w, B_V, B_QK, L_sigma)


def transformer_class():
    """The single-head class F_Theta of MATH.md section 1 (T is a parameter of the class)."""
    return FunctionClass(Tag("Theta"), *TRANSFORMER_PARAMS)


u_dist = Distance(Tag("u"), Tag("inf"))
p_dist = Distance(Tag("softmax"), Tag("l1"))


def _softmax(name, const, source, variant_of="", title=""):
    return register(Lemma(
        name=name,
        title=title,
        params=(T,),
        hypotheses=(),
        conclusion=sympy.Le(p_dist, C_SM * u_dist),
        constants=(Constant(C_SM, const, "softmax Lipschitz constant, l_inf -> l_1"),),
        provides=(SoftmaxLipschitz(C_SM),),
        source=source,
        family="attention",
        variant_of=variant_of,
        example={u_dist: sympy.Rational(1, 2), T: 512},
    ))


SOFTMAX_LIPSCHITZ = _softmax(
    "softmax-lipschitz", 2, Source("Edelman, Goel, Kakade & Zhang (2022), ICML, Corollary A.7"),
    title="softmax is 2-Lipschitz from l_inf to l_1, for every sequence length T (cited constant)")

SOFTMAX_LIPSCHITZ_SHARP = _softmax(
    "softmax-lipschitz-sharp", 1,
    Source("mean value theorem", kind="derived", derivation=(
        "the Jacobian of softmax at s is J = diag(p) - p p^T; for h in R^T, ||J h||_1 = sum_t p_t |h_t - <p, h>|, "
        "the mean absolute deviation of h under p, which is at most half the range of h, so <= ||h||_inf; "
        "integrate J along the segment from u' to u")),
    variant_of="softmax-lipschitz",
    title="softmax is 1-Lipschitz from l_inf to l_1, for every T (sharp constant)")

F_THETA = transformer_class()
_SETTING_HYPS = (
    Hypothesis("sigma-lipschitz", "sigma is L_sigma-Lipschitz with sigma(0) = 0"),
    Hypothesis("tokens-bounded", "every token x_t (and x_cls) has ||x_t||_2 <= B_X"),
)

TRANSFORMER_OUTPUT_BOUND = register(Lemma(
    name="transformer-output-bound",
    title="|f_theta(X)| <= L_sigma B_w B_V B_X on the class",
    params=TRANSFORMER_PARAMS,
    hypotheses=_SETTING_HYPS,
    conclusion=sympy.Le(SupNorm(F_THETA), B_f),
    provides=(OutputBound(F_THETA, B_f),),
    source=Source("MATH.md section 1", kind="derived", derivation=(
        "p is a convex combination, so ||X^T p||_2 <= B_X; then ||W_V^T X^T p||_2 <= B_V B_X (spectral <= "
        "Frobenius), ||sigma(a)||_2 <= L_sigma ||a||_2, and |w^T sigma(a)| <= B_w L_sigma B_V B_X")),
    family="attention",
    example={L_sigma: 1, B_w: 2, B_V: 3, B_X: sympy.Rational(1, 2)},
))

dw = Distance(Tag("w"), Tag("l2"))
dV = Distance(Tag("W_V"), Tag("spec"))
dQK = Distance(Tag("W_QK"), Tag("spec"))
df = Distance(Tag("f"), Tag("abs"))


def _perturbation(name, const, softmax_lemma, variant_of=""):
    L_w = L_sigma * B_V * B_X
    L_V = L_sigma * B_w * B_X
    L_QK = C_SM * L_sigma * B_w * B_V * B_X**3
    return register(Lemma(
        name=name,
        title="perturbation of a single-head transformer in its parameters, free of T",
        params=TRANSFORMER_PARAMS,
        hypotheses=_SETTING_HYPS + (
            Hypothesis("both-in-class", "theta and theta' both lie in Theta (so the norm radii bound both)"),
            Hypothesis("softmax-lipschitz", f"softmax is c_sm-Lipschitz from l_inf to l_1 (c_sm = {const})",
                       SoftmaxLipschitz(C_SM), discharged_by=softmax_lemma),
        ),
        conclusion=sympy.Le(df, L_w * dw + L_V * dV + L_QK * dQK),
        constants=(Constant(C_SM, const, "softmax Lipschitz constant used (valid wherever the softmax fact holds at "
                                         "it)", kind="hypothesis"),),
        provides=(LipschitzInParameters(
            F_THETA,
            euclidean_ball(k, B_w), NORMS["fro"], L_w,
            lowrank_ball(d, k, r_v, B_V), NORMS["spec"], L_V,
            lowrank_ball(d, d, r_w, B_QK), NORMS["spec"], L_QK),),
        source=Source("Truong (2024), arXiv:2410.11500", kind="derived", derivation=(
            "split w; split the value map; ||X^T (p - p')||_2 <= B_X ||p - p'||_1 (rows bounded); the softmax "
            "lemma; |s_t - s'_t| <= B_X^2 ||W_QK - W_QK'||_2. T never enters")),
        family="attention",
        variant_of=variant_of,
        example={L_sigma: 1, B_w: 1, B_V: 1, B_X: 1, dw: sympy.Rational(1, 10), dV: sympy.Rational(1, 10),
                 dQK: sympy.Rational(1, 10)},
    ))


TRANSFORMER_PERTURBATION = _perturbation("transformer-perturbation", 2, "softmax-lipschitz")
TRANSFORMER_PERTURBATION_SHARP = _perturbation("transformer-perturbation-sharp", 1, "softmax-lipschitz-sharp",
                                               variant_of="transformer-perturbation")
