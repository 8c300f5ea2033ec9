"""Prior bounds: the covering lemmas of Zhang (2002) and the steps that rebuild earlier bounds (MATH.md section 7).

The earlier norm-based bounds (Edelman et al. 2022; Trauger & Tewari 2024) state
their results up to absolute constants.  rankbound rebuilds them from their
published lemma structure with the *same* Dudley and generalisation steps as
its own chain, so that constants can be compared; the rebuilt bounds are
labelled "rebuilt".  The lemmas here are the pieces:

- ``zhang-linear-cover-l2``: Zhang (2002), Theorem 4 with p = q = 2 (data-dependent
  sup-norm covers of l2-bounded linear functions on N points);
- ``zhang-maurey-cover``: Zhang (2002), Theorem 3 (Maurey's empirical method,
  l1-bounded weights, l_inf-bounded inputs: the count does not depend on N);
- ``ceiling-le-plus-one``: ceil(x) <= x + 1, which removes the ceiling inside Zhang's
  logarithm so that the Dudley integrand is smooth;
- ``cover-L2S-by-supS``: an eps-cover in the empirical sup norm on the sample is an
  eps-cover in L2(S);
- ``dudley-inverse-square``: Dudley's bound for an entropy K^2/eps^2 at the optimal alpha;
- ``edelman-layer-cover``: the layer-by-layer cover of the single-head class (scores,
  values, readout), with the errors propagated through the softmax lemma.

References
----------
.. [Zha02] T. Zhang, "Covering number bounds of certain regularized linear function
   classes", JMLR 2, 2002, Theorems 3 and 4.
.. [EGKZ22] B. Edelman, S. Goel, S. Kakade, C. Zhang, "Inductive Biases and Variable
   Creation in Self-Attention Mechanisms", ICML 2022.
.. [TT24] J. Trauger, A. Tewari, "Sequence Length Independent Norm-Based
   Generalization Bounds for Transformers", AISTATS 2024.
"""

from __future__ import annotations

import sympy
from sympy import Function, Symbol, ceiling, log, sqrt

from .core import Constant, Hypothesis, Lemma, Source, register
from .objects import (NORMS, CoveringNumber, FunctionClass, Norm, OutputBound, RademacherComplexity, log_covering,
                      SoftmaxLipschitz, Tag)
from .symbols import (B_QK, B_V, B_X, B_w, C_ALPHA, C_DUDLEY, C_SM, C_ZHANG, F, K, L_sigma, T, b, d, eps, k,
                      n)

__all__ = ["ZHANG_LINEAR_COVER_L2", "ZHANG_MAUREY_COVER", "CEILING_LE_PLUS_ONE", "COVER_L2S_BY_SUPS",
           "DUDLEY_INVERSE_SQUARE", "EDELMAN_LAYER_COVER", "SUP_S", "FeatureBound", "linear_l2", "linear_l1",
           "edelman_class", "EDELMAN_PARAMS", "MAUREY_L1_BALL_NET", "TT_PERTURBATION", "tt_class", "l11_ball",
           "TT_PARAMS"]

#: the empirical sup norm on the sample's points (a data-dependent cover, Zhang's N_inf)
SUP_S = Norm("supS")

ZHANG = "Zhang (2002), JMLR 2, 'Covering number bounds of certain regularized linear function classes'"
EDELMAN = "Edelman, Goel, Kakade & Zhang (ICML 2022)"


class FeatureBound(Function):
    """Fact atom: the N points on which the linear class ``F`` is restricted have norm <= its radius b."""

    nargs = 1

    def _latex(self, printer):
        return r"\text{points of } %s \text{ bounded}" % printer._print(self.args[0])


def linear_l2(a, b, N):
    """{x -> <w, x>: ||w||_2 <= a} restricted to N points with ||x||_2 <= b."""
    return FunctionClass(Tag("linear_l2"), a, b, N)


def linear_l1(a, b, m):
    """{x -> <w, x>: w in R^m, ||w||_1 <= a} on points with ||x||_inf <= b."""
    return FunctionClass(Tag("linear_l1"), a, b, m)


#: the parameters of the Edelman-type class (no ranks: it drops the rank constraints)
EDELMAN_PARAMS = (d, k, T, B_X, B_w, B_V, B_QK, L_sigma)


def edelman_class():
    """The single-head class with Frobenius radii and no rank constraints (contains F_Theta)."""
    return FunctionClass(Tag("Edelman"), *EDELMAN_PARAMS)


a = sympy.Symbol("a", positive=True)
N = Symbol("N", positive=True, integer=True)
m = Symbol("m", positive=True, integer=True)


ZHANG_LINEAR_COVER_L2 = register(Lemma(
    name="zhang-linear-cover-l2",
    title="sup-norm cover of l2-bounded linear functions on N points (Zhang 2002, Theorem 4, p = q = 2)",
    params=(a, b, N, eps),
    hypotheses=(Hypothesis("points-bounded", "the N points satisfy ||x_i||_2 <= b", FeatureBound(linear_l2(a, b, N)),
                           discharged_by="edelman-layer-cover"),),
    conclusion=sympy.Le(log_covering(linear_l2(a, b, N), eps, SUP_S, 0),
                        C_ZHANG * (a * b / eps) ** 2 * log(2 * ceiling(4 * a * b / eps + 2) * N + 1)),
    constants=(Constant(C_ZHANG, 36, "Zhang's constant 36 (p - 1) at p = 2"),),
    source=Source(ZHANG + ", Theorem 4 with p = q = 2 (both sides are log2 there; the bases cancel)"),
    family="prior",
    example={a: 1, b: 1, N: 100, eps: sympy.Rational(1, 10)},
))

ZHANG_MAUREY_COVER = register(Lemma(
    name="zhang-maurey-cover",
    title="L2(S) cover of l1-bounded linear functions, independent of the number of points (Zhang 2002, "
          "Theorem 3)",
    params=(a, b, m, eps),
    hypotheses=(Hypothesis("points-bounded-inf", "the points satisfy ||x_i||_inf <= b",
                           FeatureBound(linear_l1(a, b, m))),),
    conclusion=sympy.Le(log_covering(linear_l1(a, b, m), eps, NORMS["L2S"], 0),
                        ceiling(a ** 2 * b ** 2 / eps ** 2) * log(2 * m + 1)),
    source=Source(ZHANG + ", Theorem 3 (Maurey's empirical method: averages of ceil(a^2 b^2/eps^2) points "
                  "among {0, +-a e_i})"),
    family="prior",
    example={a: 1, b: 1, m: 10, eps: sympy.Rational(1, 10)},
))

x = Symbol("x", real=True)

CEILING_LE_PLUS_ONE = register(Lemma(
    name="ceiling-le-plus-one",
    title="ceil(x) <= x + 1",
    params=(x,),
    hypotheses=(),
    conclusion=sympy.Le(ceiling(x), x + 1),
    source=Source("elementary", kind="derived", derivation="ceil(x) is the least integer >= x, and x + 1 > "
                                                           "floor(x) + ... : ceil(x) < x + 1"),
    family="prior",
    example={x: sympy.Rational(5, 2)},
))


COVER_L2S_BY_SUPS = register(Lemma(
    name="cover-L2S-by-supS",
    title="an eps-cover in the sup norm on the sample is an eps-cover in L2(S)",
    params=(F, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(F, eps, NORMS["L2S"], 0), log_covering(F, eps, SUP_S, 0)),
    source=Source("elementary", kind="derived",
                  derivation="||f - g||_{L2(S)} = (mean_i (f - g)(z_i)^2)^(1/2) <= max_i |f - g|(z_i)"),
    family="prior",
    example={CoveringNumber(F, eps, SUP_S, 0): 100, eps: sympy.Rational(1, 10)},
))


DUDLEY_INVERSE_SQUARE = register(Lemma(
    name="dudley-inverse-square",
    title="Dudley's bound for an entropy K^2/eps^2, at the optimal alpha = (c_dudley/c_alpha) K/sqrt(n)",
    params=(F, n, K, b),
    hypotheses=(
        Hypothesis("output-bounded", "sup_{f in F} ||f||_{L2(S)} <= b", OutputBound(F, b)),
        Hypothesis("entropy-inverse-square", "log N(F, eps, L2(S)) <= K^2/eps^2 for 0 < eps <= b"),
        Hypothesis("alpha-below-b", "the optimal alpha (c_dudley/c_alpha) K/sqrt(n) is at most b",
                   sympy.Le(C_DUDLEY * K / (C_ALPHA * sqrt(n)), b, evaluate=False)),
    ),
    conclusion=sympy.Le(RademacherComplexity(F, n),
                        C_DUDLEY * K / sqrt(n) * (1 + log(C_ALPHA * b * sqrt(n) / (C_DUDLEY * K)))),
    constants=(Constant(C_ALPHA, 4, "coefficient of alpha in Dudley's bound"),
               Constant(C_DUDLEY, 12, "coefficient of the entropy integral in Dudley's bound")),
    source=Source("MATH.md section 5 (norm-based entropy)", kind="derived", derivation=(
        "dudley with sqrt(log N) <= K/eps: c_alpha alpha + (c_dudley/sqrt(n)) K log(b/alpha); the derivative "
        "c_alpha - c_dudley K/(sqrt(n) alpha) vanishes at alpha = (c_dudley/c_alpha) K/sqrt(n), where the value "
        "is (c_dudley K/sqrt(n)) (1 + log(c_alpha b sqrt(n)/(c_dudley K)))")),
    family="prior",
    example={n: 10**6, K: 10, b: 1},
))

# -- the layer-by-layer cover of the single-head class (Edelman-type) --------------------------------------
t_s, t_v, t_w = sympy.symbols("t_s t_v t_w", positive=True)
F_E = edelman_class()
_scale = B_w * L_sigma
eps_s = t_s * eps / (C_SM * _scale * B_V * B_X)      # score cover scale (sup over the n T token positions)
eps_v = t_v * eps / (_scale * sqrt(k))                 # value-coordinate cover scale (n T k positions)
eps_w = t_w * eps                                      # readout cover scale (n samples)
eps_a = (t_v + t_s) * eps / _scale                     # the resulting error of a = W_V^T X^T p
SCORE_CLASS = linear_l2(B_QK, B_X ** 2, n * T)
VALUE_CLASS = linear_l2(B_V, B_X, n * T * k)
READOUT_CLASS = linear_l2(B_w, L_sigma * (B_V * B_X + eps_a), n)

EDELMAN_LAYER_COVER = register(Lemma(
    name="edelman-layer-cover",
    title="sup-norm cover of the single-head class on the sample, layer by layer (scores, values, readout)",
    params=(n, t_s, t_v, t_w, eps) + EDELMAN_PARAMS,
    hypotheses=(
        Hypothesis("split-sums-to-one", "t_s + t_v + t_w = 1", sympy.Eq(t_s + t_v + t_w, 1, evaluate=False)),
        Hypothesis("tokens-bounded", "every token x_t (and x_cls) has ||x_t||_2 <= B_X"),
        Hypothesis("sigma-lipschitz", "sigma is L_sigma-Lipschitz with sigma(0) = 0"),
        Hypothesis("softmax-lipschitz", "||softmax(u) - softmax(u')||_1 <= c_sm ||u - u'||_inf for every T",
                   SoftmaxLipschitz(C_SM), discharged_by="softmax-lipschitz"),
    ),
    conclusion=sympy.Le(
        log_covering(F_E, eps, SUP_S, 0),
        log_covering(SCORE_CLASS, eps_s, SUP_S, 0) + log_covering(VALUE_CLASS, eps_v, SUP_S, 0) + log_covering(READOUT_CLASS, eps_w, SUP_S, 0)),
    constants=(Constant(C_SM, 2, "softmax Lipschitz constant (l_inf -> l1), Edelman et al. 2022"),),
    provides=(FeatureBound(SCORE_CLASS), FeatureBound(VALUE_CLASS), FeatureBound(READOUT_CLASS)),
    source=Source(EDELMAN + ", covering argument (rebuilt along MATH.md section 7)", kind="derived", derivation=(
        "scores s_t = <W_QK, x_cls x_t^T>_F: linear in vec(W_QK), ||W_QK||_F <= B_QK, features of norm <= B_X^2, "
        "covered to eps_s over the n T (sample, token) pairs; values v_tj = <W_V e_j, x_t>: ||vec W_V||_2 <= B_V, "
        "features e_j (x) x_t of norm <= B_X, covered to eps_v over n T k pairs, so max_t ||v_t - v^_t||_2 <= "
        "sqrt(k) eps_v; a^ = sum_t p^_t v^_t with p^ = softmax(s^): ||a - a^||_2 <= max_t ||v_t - v^_t||_2 + "
        "||p - p^||_1 max_t ||v_t||_2 <= sqrt(k) eps_v + c_sm eps_s B_V B_X = eps_a; for each such cover element "
        "the readout w is covered to eps_w on the n features sigma(a^(X_i)), of norm <= L_sigma (B_V B_X + "
        "eps_a); |f - f^| <= B_w L_sigma ||a - a^||_2 + eps_w = (t_v + t_s + t_w) eps = eps; the counts multiply")),
    family="prior",
    # the example names the covering numbers as they read with c_sm at its default (evaluate_lemma's convention)
    example={CoveringNumber(SCORE_CLASS, eps_s, SUP_S, 0).xreplace({C_SM: 2}): 10,
             CoveringNumber(VALUE_CLASS, eps_v, SUP_S, 0): 20,
             CoveringNumber(READOUT_CLASS, eps_w, SUP_S, 0): 30, eps: 1, t_s: sympy.Rational(1, 3),
             t_v: sympy.Rational(1, 3), t_w: sympy.Rational(1, 3)},
))

# -- Trauger-Tewari-type: parameter-space Maurey covers of l1 (entrywise) balls ----------------------------
m1, m2 = sympy.symbols("m_1 m_2", positive=True, integer=True)
M = Symbol("M", positive=True)


def l11_ball(rows, cols, radius):
    """{W in R^{rows x cols}: ||W||_{1,1} = sum_ij |W_ij| <= radius} (a vector when cols = 1)."""
    from .objects import ParameterSet
    return ParameterSet(Tag("l11ball"), rows, cols, radius)


MAUREY_L1_BALL_NET = register(Lemma(
    name="maurey-l1-ball-net",
    title="internal Frobenius eps-net of the entrywise l1 ball, by Maurey's empirical method",
    params=(m1, m2, M, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(l11_ball(m1, m2, M), eps, NORMS["fro"], 1),
                        ceiling(M ** 2 / eps ** 2) * log(2 * m1 * m2 + 1)),
    source=Source("Maurey's empirical method (Pisier 1981); as in Zhang (2002), Theorem 3, and Trauger & "
                  "Tewari (AISTATS 2024)", kind="derived", derivation=(
        "W in the l1 ball of radius M is the mean of a random atom among {0, +-M e_ij} (2 m1 m2 + 1 atoms, each "
        "of Frobenius norm <= M); the average of K i.i.d. atoms has E||W - avg||_F^2 <= M^2/K, so some average "
        "with K = ceil(M^2/eps^2) is within eps; the averages lie in the ball (internal) and there are at most "
        "(2 m1 m2 + 1)^K of them")),
    family="prior",
    example={m1: 3, m2: 2, M: 1, eps: sympy.Rational(1, 5)},
))

M_w, M_V, M_QK = sympy.symbols("M_w M_V M_QK", positive=True)
TT_PARAMS = (d, k, T, B_X, M_w, M_V, M_QK, L_sigma)


def tt_class(mw=M_w, mv=M_V, mqk=M_QK):
    """The single-head class with entrywise l1 radii (Trauger & Tewari's norms)."""
    return FunctionClass(Tag("TraugerTewari"), d, k, T, B_X, mw, mv, mqk, L_sigma)


_L_w = L_sigma * M_V * B_X
_L_V = L_sigma * M_w * B_X
_L_QK = C_SM * L_sigma * M_w * M_V * B_X ** 3

from .objects import Distance, LipschitzInParameters  # noqa: E402

TT_PERTURBATION = register(Lemma(
    name="tt-perturbation",
    title="perturbation of the single-head transformer with entrywise-l1 weight radii, free of T",
    params=TT_PARAMS,
    hypotheses=(
        Hypothesis("tokens-bounded", "every token x_t (and x_cls) has ||x_t||_2 <= B_X"),
        Hypothesis("sigma-lipschitz", "sigma is L_sigma-Lipschitz with sigma(0) = 0"),
        Hypothesis("both-in-class", "theta and theta' both lie in the class (||w||_1 <= M_w, ||W_V||_{1,1} <= M_V, "
                                    "||W_QK||_{1,1} <= M_QK)"),
        Hypothesis("softmax-lipschitz", "||softmax(u) - softmax(u')||_1 <= c_sm ||u - u'||_inf for every T",
                   SoftmaxLipschitz(C_SM), discharged_by="softmax-lipschitz"),
    ),
    conclusion=sympy.Le(Distance(Tag("f"), Tag("abs")),
                        _L_w * Distance(Tag("w"), Tag("l2")) + _L_V * Distance(Tag("W_V"), Tag("spec"))
                        + _L_QK * Distance(Tag("W_QK"), Tag("spec"))),
    constants=(Constant(C_SM, 2, "softmax Lipschitz constant used"),),
    provides=(LipschitzInParameters(
        tt_class(),
        l11_ball(k, 1, M_w), NORMS["fro"], _L_w,
        l11_ball(d, k, M_V), NORMS["spec"], _L_V,
        l11_ball(d, d, M_QK), NORMS["spec"], _L_QK),),
    source=Source("transformer-perturbation (MATH.md section 4) with the l1 radii", kind="derived", derivation=(
        "||.||_2 <= ||.||_F <= ||.||_{1,1} (and ||w||_2 <= ||w||_1), so the entrywise-l1 radii bound the radii the "
        "perturbation lemma uses: |f - f'| <= L_s M_V B_X ||w - w'||_2 + L_s M_w B_X ||W_V - W_V'||_2 "
        "+ c_sm L_s M_w M_V B_X^3 ||W_QK - W_QK'||_2")),
    family="prior",
    example={L_sigma: 1, M_w: 1, M_V: 1, B_X: 1, Distance(Tag("w"), Tag("l2")): sympy.Rational(1, 10),
             Distance(Tag("W_V"), Tag("spec")): sympy.Rational(1, 10),
             Distance(Tag("W_QK"), Tag("spec")): sympy.Rational(1, 10)},
))
