"""H heads and L layers: the Lipschitz facts of a deep attention model and the telescoping perturbation
(MATH.md section 8; constants are rankbound's derivation, checked on random and adversarial instances).

The model: tokens ``X`` with rows in the ``B_X`` ball; ``L - 1`` hidden layers, each with ``H`` heads
(``W_QK,l,h`` and ``W_V,l,h`` in ``R^{d x d}``, ranks ``<= r_w, r_v``, Frobenius norms ``<= B_QK, B_V``)
updating every token as ``x_t <- Pi(x_t + sum_h W_V,l,h^T X^T softmax(X W_QK,l,h^T x_t))`` with ``Pi`` the
projection onto the ``B_X`` ball; a readout layer with ``H`` heads (``W_V,h`` in ``R^{d x k}``) and
``w = (w_1..w_H)``, ``||w||_2 <= B_w``: ``f(X) = sum_h w_h^T sigma(W_V,h^T X^T p_h)``, ``p_h`` the softmax of
``X W_QK,h^T x_cls``.  Distances of token matrices are ``||X - X'||_{2,inf} = max_t ||x_t - x'_t||_2``.

Each layer lemma provides a fact (read off its conclusion); the telescoping lemma takes those facts
as hypotheses, so the engine checks that the constants it composes are the ones the layer lemmas
prove.  Parameters come in groups of identical blocks (heads, layers): :class:`GroupLipschitz` facts,
covered by :func:`lipschitz_group_cover` with a free eps split ``t_j`` per group.

References
----------
.. [EGKZ22] B. Edelman, S. Goel, S. Kakade, C. Zhang, ICML 2022 (softmax Lipschitz lemma, Corollary A.7).
.. [Tru24] L. V. Truong, arXiv:2410.11500, 2024 (single layer, single head: the case H = L = 1).
"""

from __future__ import annotations

import sympy
from sympy import Symbol, sqrt

from .core import Constant, Hypothesis, Lemma, Source, lemma_family, register
from .covering import euclidean_ball, lowrank_ball
from .norms import MatrixNorm
from .objects import (NORMS, Distance, FunctionClass, GroupDistance, GroupLipschitz, InputLipschitz, OutputBound,
                      SoftmaxLipschitz, SupNorm, Tag, log_covering)
from .symbols import B_QK, B_V, B_X, B_w, C_SM, F as F_cls, H, L, L_sigma, T, d, eps, k, r_v, r_w

__all__ = ["DEEP_PARAMS", "deep_class", "hidden_layer", "readout_layer", "rho", "Lam", "B_f_deep",
           "SCORE_PERTURBATION", "HIDDEN_INPUT_LIPSCHITZ", "READOUT_INPUT_LIPSCHITZ", "HIDDEN_PARAM_LIPSCHITZ",
           "READOUT_PARAM_LIPSCHITZ", "DEEP_PERTURBATION", "DEEP_OUTPUT_BOUND", "lipschitz_group_cover",
           "DEEP_GROUPS", "LIPSCHITZ_GROUP_COVER_5"]

DEEP_PARAMS = (d, k, r_w, r_v, T, H, L, B_X, B_w, B_V, B_QK, L_sigma)
HIDDEN_PARAMS = (d, r_w, r_v, H, B_X, B_V, B_QK)
READOUT_PARAMS = (d, k, r_w, r_v, H, B_X, B_w, B_V, B_QK, L_sigma)


def deep_class():
    """The H-head, L-layer class of MATH.md section 8 (T is a parameter of the class)."""
    return FunctionClass(Tag("Deep"), *DEEP_PARAMS)


def hidden_layer():
    """One hidden layer (H heads, the residual update and the projection Pi), as a map of token matrices."""
    return FunctionClass(Tag("HiddenLayer"), *HIDDEN_PARAMS)


def readout_layer():
    """The readout layer (H heads read at x_cls, w, sigma), as a map of token matrices to a number."""
    return FunctionClass(Tag("Readout"), *READOUT_PARAMS)


#: the softmax-perturbation factor of a head, 1 + 2 c_sm B_X^2 B_QK
_head = 1 + 2 * C_SM * B_X ** 2 * B_QK
#: a hidden layer's Lipschitz constant in its input
rho = 1 + H * B_V * _head
#: the readout's Lipschitz constant in its input
Lam = sqrt(H) * L_sigma * B_w * B_V * _head
#: the output bound of the deep class
B_f_deep = sqrt(H) * L_sigma * B_w * B_V * B_X

_SOFTMAX = Hypothesis("softmax-lipschitz", "softmax is c_sm-Lipschitz from l_inf to l_1 (c_sm = 2)",
                      SoftmaxLipschitz(C_SM), discharged_by="softmax-lipschitz")
_TOKENS = Hypothesis("tokens-bounded", "every token of X and X' (and x_cls) has ||x_t||_2 <= B_X")
_IN_CLASS = Hypothesis("weights-in-class", "every head's W_QK and W_V (and w) lie in the class (ranks and radii)")
_SIGMA = Hypothesis("sigma-lipschitz", "sigma is L_sigma-Lipschitz with sigma(0) = 0")
_CSM = Constant(C_SM, 2, "softmax Lipschitz constant, l_inf -> l_1 (valid wherever the softmax fact holds at it)",
                kind="hypothesis")
_SRC = "MATH.md section 8 (H heads, L layers)"


def _dist(name):
    return Distance(Tag(name), Tag("2inf"))


DX = _dist("X")
A = Symbol("A")

SCORE_PERTURBATION = register(Lemma(
    name="score-perturbation",
    title="a bilinear score moves by at most 2 B_X ||A||_2 ||X - X'||_{2,inf} when both tokens move",
    params=(B_X, A),
    hypotheses=(_TOKENS,),
    conclusion=sympy.Le(Distance(Tag("score"), Tag("abs")), 2 * B_X * MatrixNorm(A, Tag("spec")) * DX),
    source=Source(_SRC, kind="derived", derivation=(
        "x_tau^T A x_t - x'_tau^T A x'_t = (x_tau - x'_tau)^T A x_t + x'_tau^T A (x_t - x'_t); each term is at most "
        "||A||_2 B_X ||X - X'||_{2,inf}")),
    family="depth",
    example={B_X: 1, MatrixNorm(A, Tag("spec")): 2, DX: sympy.Rational(1, 10)},
))

HIDDEN_INPUT_LIPSCHITZ = register(Lemma(
    name="hidden-layer-input-lipschitz",
    title="a hidden layer is rho-Lipschitz in its input tokens, rho = 1 + H B_V (1 + 2 c_sm B_X^2 B_QK)",
    params=HIDDEN_PARAMS,
    hypotheses=(_TOKENS, _IN_CLASS, _SOFTMAX),
    conclusion=sympy.Le(_dist("HiddenLayer(X)"), rho * DX),
    constants=(_CSM,),
    provides=(InputLipschitz(hidden_layer(), rho),),
    source=Source(_SRC, kind="derived", derivation=(
        "per head, W_V^T X^T p - W_V^T X'^T p' = W_V^T X^T (p - p') + W_V^T (X - X')^T p': the first is at most "
        "B_V B_X ||p - p'||_1 <= B_V B_X c_sm ||s - s'||_inf <= B_V B_X c_sm 2 B_X B_QK ||X - X'||_{2,inf} "
        "(score-perturbation, ||W_QK||_2 <= B_QK), the second B_V ||X - X'||_{2,inf} (p' is a convex combination); "
        "sum over H heads, add the residual (1) and apply Pi (1-Lipschitz)")),
    family="depth",
    example={H: 2, B_V: 1, B_X: 1, B_QK: 1, DX: sympy.Rational(1, 10)},
))

READOUT_INPUT_LIPSCHITZ = register(Lemma(
    name="readout-input-lipschitz",
    title="the readout is Lambda-Lipschitz in its input tokens, Lambda = sqrt(H) L_sigma B_w B_V (1 + 2 c_sm "
          "B_X^2 B_QK)",
    params=READOUT_PARAMS,
    hypotheses=(_TOKENS, _IN_CLASS, _SOFTMAX, _SIGMA),
    conclusion=sympy.Le(_dist("Readout(X)"), Lam * DX),
    constants=(_CSM,),
    provides=(InputLipschitz(readout_layer(), Lam),),
    source=Source(_SRC, kind="derived", derivation=(
        "|f(X) - f(X')| <= sum_h ||w_h|| L_sigma ||a_h - a_h'|| with ||a_h - a_h'|| <= B_V (1 + 2 c_sm B_X^2 B_QK) "
        "||X - X'||_{2,inf} as for a hidden head (x_cls moves too: score-perturbation covers both tokens); "
        "sum_h ||w_h|| <= sqrt(H) ||w||_2 <= sqrt(H) B_w (Cauchy-Schwarz)")),
    family="depth",
    example={H: 2, L_sigma: 1, B_w: 1, B_V: 1, B_X: 1, B_QK: 1, DX: sympy.Rational(1, 10)},
))

gV, gQK = GroupDistance(Tag("W_V"), Tag("spec"), H), GroupDistance(Tag("W_QK"), Tag("spec"), H)
HIDDEN_V_SET, HIDDEN_QK_SET = lowrank_ball(d, d, r_v, B_V), lowrank_ball(d, d, r_w, B_QK)
READOUT_W_SET, READOUT_V_SET = euclidean_ball(H * k, B_w), lowrank_ball(d, k, r_v, B_V)

HIDDEN_PARAM_LIPSCHITZ = register(Lemma(
    name="hidden-layer-param-lipschitz",
    title="a hidden layer moves by B_X ||dW_V||_2 + c_sm B_V B_X^3 ||dW_QK||_2 per head when its weights move",
    params=HIDDEN_PARAMS,
    hypotheses=(_TOKENS, _IN_CLASS, _SOFTMAX),
    conclusion=sympy.Le(_dist("HiddenLayer(X)"), B_X * gV + C_SM * B_V * B_X ** 3 * gQK),
    constants=(_CSM,),
    provides=(GroupLipschitz(hidden_layer(), HIDDEN_V_SET, NORMS["spec"], B_X, H,
                             HIDDEN_QK_SET, NORMS["spec"], C_SM * B_V * B_X ** 3, H),),
    source=Source(_SRC, kind="derived", derivation=(
        "for the same input X, per head: ||(W_V - W_V')^T X^T p|| <= ||dW_V||_2 B_X, and ||W_V'^T X^T (p - p')|| <= "
        "B_V B_X c_sm ||s - s'||_inf <= B_V B_X c_sm B_X^2 ||dW_QK||_2; sum over heads; the residual does not move "
        "and Pi is 1-Lipschitz")),
    family="depth",
    example={B_X: 1, B_V: 1, gV: sympy.Rational(1, 10), gQK: sympy.Rational(1, 10)},
))

gw, gVr, gQKr = (GroupDistance(Tag("w"), Tag("l2"), 1), GroupDistance(Tag("W_V"), Tag("spec"), H),
                 GroupDistance(Tag("W_QK"), Tag("spec"), H))
_b_w, _b_V, _b_QK = sqrt(H) * L_sigma * B_V * B_X, L_sigma * B_w * B_X, C_SM * L_sigma * B_w * B_V * B_X ** 3

READOUT_PARAM_LIPSCHITZ = register(Lemma(
    name="readout-param-lipschitz",
    title="the readout moves by sqrt(H) L_sigma B_V B_X ||dw|| + per head L_sigma B_w B_X ||dW_V|| + c_sm L_sigma "
          "B_w B_V B_X^3 ||dW_QK||",
    params=READOUT_PARAMS,
    hypotheses=(_TOKENS, _IN_CLASS, _SOFTMAX, _SIGMA),
    conclusion=sympy.Le(_dist("Readout(X)"), _b_w * gw + _b_V * gVr + _b_QK * gQKr),
    constants=(_CSM,),
    provides=(GroupLipschitz(readout_layer(), READOUT_W_SET, NORMS["fro"], _b_w, 1,
                             READOUT_V_SET, NORMS["spec"], _b_V, H, HIDDEN_QK_SET, NORMS["spec"], _b_QK, H),),
    source=Source(_SRC, kind="derived", derivation=(
        "|sum_h (w_h - w_h')^T sigma(a_h)| <= sum_h ||dw_h|| L_sigma B_V B_X <= sqrt(H) ||dw|| L_sigma B_V B_X; per "
        "head, ||w_h|| <= B_w and ||sigma(a_h) - sigma(a_h')|| <= L_sigma (B_X ||dW_V||_2 + B_V B_X c_sm B_X^2 "
        "||dW_QK||_2)")),
    family="depth",
    example={H: 2, L_sigma: 1, B_w: 1, B_V: 1, B_X: 1, gw: sympy.Rational(1, 10), gVr: sympy.Rational(1, 10),
             gQKr: sympy.Rational(1, 10)},
))

# -- the telescoping lemma: it reads the layer facts -----------------------------------------------------------
rho_s, Lam_s = sympy.symbols("rho Lambda", positive=True)
a_V, a_QK, b_w, b_V, b_QK = sympy.symbols("a_V a_QK b_w b_V b_QK", positive=True)
gVh = GroupDistance(Tag("W_V_hidden"), Tag("spec"), (L - 1) * H)
gQKh = GroupDistance(Tag("W_QK_hidden"), Tag("spec"), (L - 1) * H)
_far = Lam_s * rho_s ** (L - 2)      # the largest factor by which a hidden layer's change reaches the output

#: the groups of the deep class, in the order of its GroupLipschitz fact: (name, set, norm, multiplicity)
DEEP_GROUPS = (("readout w", READOUT_W_SET, "fro", sympy.S.One), ("readout values", READOUT_V_SET, "spec", H),
               ("readout scores", HIDDEN_QK_SET, "spec", H), ("hidden values", HIDDEN_V_SET, "spec", (L - 1) * H),
               ("hidden scores", HIDDEN_QK_SET, "spec", (L - 1) * H))

DEEP_PERTURBATION = register(Lemma(
    name="deep-perturbation",
    title="telescoping over L layers: a change in hidden layer l reaches the output multiplied by Lambda "
          "rho^(L-1-l) <= Lambda rho^(L-2)",
    params=DEEP_PARAMS + (rho_s, Lam_s, a_V, a_QK, b_w, b_V, b_QK),
    hypotheses=(
        Hypothesis("hidden-input-lipschitz", "every hidden layer is rho-Lipschitz in its input",
                   InputLipschitz(hidden_layer(), rho_s), discharged_by="hidden-layer-input-lipschitz"),
        Hypothesis("readout-input-lipschitz", "the readout is Lambda-Lipschitz in its input",
                   InputLipschitz(readout_layer(), Lam_s), discharged_by="readout-input-lipschitz"),
        Hypothesis("hidden-param-lipschitz", "a hidden layer moves by a_V ||dW_V|| + a_QK ||dW_QK|| per head",
                   GroupLipschitz(hidden_layer(), HIDDEN_V_SET, NORMS["spec"], a_V, H,
                                  HIDDEN_QK_SET, NORMS["spec"], a_QK, H),
                   discharged_by="hidden-layer-param-lipschitz"),
        Hypothesis("readout-param-lipschitz", "the readout moves by b_w ||dw|| + per head b_V ||dW_V|| + b_QK "
                                              "||dW_QK||",
                   GroupLipschitz(readout_layer(), READOUT_W_SET, NORMS["fro"], b_w, 1,
                                  READOUT_V_SET, NORMS["spec"], b_V, H, HIDDEN_QK_SET, NORMS["spec"], b_QK, H),
                   discharged_by="readout-param-lipschitz"),
        Hypothesis("rho-at-least-1", "rho >= 1 (so rho^(L-1-l) <= rho^(L-2) for every hidden layer l >= 1)",
                   sympy.Ge(rho_s, 1, evaluate=False)),
        Hypothesis("layers-keep-tokens-bounded", "every layer's output tokens lie in the B_X ball (Pi), so the "
                                                 "layer lemmas apply at every depth"),
    ),
    conclusion=sympy.Le(Distance(Tag("f"), Tag("abs")),
                        b_w * gw + b_V * gVr + b_QK * gQKr + _far * a_V * gVh + _far * a_QK * gQKh),
    provides=(GroupLipschitz(deep_class(), READOUT_W_SET, NORMS["fro"], b_w, 1, READOUT_V_SET, NORMS["spec"], b_V, H,
                             HIDDEN_QK_SET, NORMS["spec"], b_QK, H, HIDDEN_V_SET, NORMS["spec"], _far * a_V, (L - 1) * H,
                             HIDDEN_QK_SET, NORMS["spec"], _far * a_QK, (L - 1) * H),),
    source=Source(_SRC, kind="derived", derivation=(
        "hybrid argument: change the layers' weights one layer at a time; the readout's own change is its "
        "parameter Lipschitz bound (b's); hidden layer l's change moves its output by at most a_V ||dW_V|| + a_QK "
        "||dW_QK|| per head (tokens stay in the B_X ball), which the L-1-l later hidden layers multiply by rho each "
        "and the readout by Lambda; rho >= 1 bounds every rho^(L-1-l) by rho^(L-2). T never enters")),
    family="depth",
    example={L: 2, H: 1, rho_s: 2, Lam_s: 2, a_V: 1, a_QK: 1, b_w: 1, b_V: 1, b_QK: 1, gw: sympy.Rational(1, 10),
             gVr: sympy.Rational(1, 10), gQKr: sympy.Rational(1, 10), gVh: sympy.Rational(1, 10),
             gQKh: sympy.Rational(1, 10)},
))

DEEP_OUTPUT_BOUND = register(Lemma(
    name="deep-output-bound",
    title="|f(X)| <= sqrt(H) L_sigma B_w B_V B_X on the deep class",
    params=DEEP_PARAMS,
    hypotheses=(_TOKENS, _IN_CLASS, _SIGMA),
    conclusion=sympy.Le(SupNorm(deep_class()), B_f_deep),
    provides=(OutputBound(deep_class(), B_f_deep),),
    source=Source(_SRC, kind="derived", derivation=(
        "|f| <= sum_h ||w_h|| ||sigma(a_h)|| <= sum_h ||w_h|| L_sigma B_V B_X (p_h is a convex combination of tokens "
        "in the B_X ball) <= sqrt(H) ||w||_2 L_sigma B_V B_X")),
    family="depth",
    example={H: 4, L_sigma: 1, B_w: 1, B_V: 1, B_X: 1},
))


@lemma_family(lambda J: f"lipschitz-group-cover-{J}", least=1)
def lipschitz_group_cover(name: str, J: int) -> Lemma:
    """The product-net lemma for a class Lipschitz in ``J`` groups of identical blocks (once per ``J``).

    Group j has ``M_j`` blocks in ``S_j``; each block gets the scale ``t_j eps / L_j`` where the split
    weights ``t_j > 0`` are a free choice with ``sum_j M_j t_j <= 1`` (equal split: ``t_j = 1/m``,
    ``m = sum_j M_j``).  Then ``log N(F, eps) <= sum_j M_j log N(S_j, t_j eps / L_j)``.
    """
    S_ = [Symbol(f"S_{j}") for j in range(1, J + 1)]
    N_ = [Symbol(f"m_{j}") for j in range(1, J + 1)]
    L_ = [Symbol(f"L_{j}", positive=True) for j in range(1, J + 1)]
    M_ = [Symbol(f"M_{j}", nonnegative=True, integer=True) for j in range(1, J + 1)]
    t_ = [Symbol(f"t_{j}", positive=True) for j in range(1, J + 1)]
    quads = [x for j in range(J) for x in (S_[j], N_[j], L_[j], M_[j])]
    return Lemma(
        name=name,
        title=f"a class Lipschitz in {J} groups of identical parameter blocks is covered by products of internal nets",
        params=(F_cls, *quads, *t_, eps),
        hypotheses=(
            Hypothesis("group-lipschitz", "|f_theta - f_theta'| <= sum_j L_j sum_{i <= M_j} ||theta_{j,i} - "
                                          "theta_{j,i}'|| for theta, theta' in the class",
                       GroupLipschitz(F_cls, *quads), discharged_by="a lemma providing the grouped Lipschitz fact"),
            Hypothesis("split-at-most-one", "the eps split weights satisfy sum_j M_j t_j <= 1",
                       sympy.Le(sympy.Add(*[M * t for M, t in zip(M_, t_)]), 1, evaluate=False)),
        ),
        conclusion=sympy.Le(log_covering(F_cls, eps, "sup"),
                            sympy.Add(*[M_[j] * log_covering(S_[j], t_[j] * eps / L_[j], N_[j], 1) for j in range(J)])),
        source=Source("standard product-net argument", kind="derived", derivation=(
            "take an internal (t_j eps / L_j)-net of S_j for every block of group j; the nearest net point of each "
            "block is in the class and |f_theta - f_theta-hat| <= sum_j M_j L_j t_j eps / L_j <= eps; the product "
            "net has prod_j N_j^{M_j} points")),
        family="covering",
        example={**{sympy.exp(log_covering(S_[j], t_[j] * eps / L_[j], N_[j], 1)): 10 * (j + 1) for j in range(J)},
                 **{L_[j]: j + 1 for j in range(J)}, **{M_[j]: 1 for j in range(J)},
                 **{t_[j]: sympy.Rational(1, J) for j in range(J)}, eps: 1},
    )


LIPSCHITZ_GROUP_COVER_5 = lipschitz_group_cover(5)
