"""Covering numbers: nets for low-rank matrices and balls, cover comparisons, the linear-class family L1-L6.

MATH.md sections 2 and 3.  The linear-class family is our reconstruction of the
covering lemmas of Truong (2024), whose text we did not have: the constants
(9, 3) are those of the standard nets the reconstruction uses, named and
overridable.

References
----------
.. [CP11] E. J. Candes, Y. Plan, "Tight oracle inequalities for low-rank matrix
   recovery from a minimal number of noisy random measurements", IEEE Trans.
   Inf. Theory 57(4), 2011, Lemma 3.1.
.. [Ver18] R. Vershynin, High-Dimensional Probability, 2018, Corollary 4.2.13.
.. [Tru24] L. V. Truong, "On Rank-Dependent Generalisation Error Bounds for
   Transformers", arXiv:2410.11500, 2024.
"""

from __future__ import annotations

import sympy
from sympy import Symbol, log, sqrt

from .core import Constant, Hypothesis, Lemma, Source, lemma_family, register
from .objects import NORMS, CoveringNumber, FunctionClass, LipschitzInParameters, ParameterSet, Tag, log_covering, logplus
from .symbols import B, C_NET, C_SPLIT, C_VOL, F as F_cls, R, S as S_set, eps, k as kdim, n1, n2, r

__all__ = [
    "LOW_RANK_NET_SPHERE", "LOW_RANK_NET_BALL", "VOLUMETRIC_NET", "COVER_SPEC_BY_FRO",
    "COVER_L2S_BY_SUP", "LIPSCHITZ_PARAMETER_COVER", "LIPSCHITZ_PARAMETER_COVER_2", "lipschitz_parameter_cover",
    "LINEAR_COVER_FROBENIUS", "LINEAR_COVER_SPECTRAL", "LINEAR_COVER_21", "LINEAR_COVER_11",
    "LINEAR_COVER_INPUT_INF", "LINEAR_COVER_INPUT_L1", "LINEAR_COVER_VECTOR", "BILINEAR_SCORE_COVER",
    "lowrank_ball", "lowrank_sphere", "euclidean_ball", "linear_class",
]

d1, d2 = sympy.symbols("d_1 d_2", positive=True, integer=True)
Bx, Bw, Bz = sympy.symbols("B_x B_W B_z", positive=True)

NET_CONST = Constant(C_NET, 9, "low-rank net constant: nets at scale eps/3 for U, Sigma, V, each (3/(eps/3))^dim")
VOL_CONST = Constant(C_VOL, 3, "volumetric net constant: (3R/eps)^k")

CANDES_PLAN = "Candes & Plan (2011), IEEE Trans. Inf. Theory 57(4), Lemma 3.1"
TRUONG = "Truong (2024), arXiv:2410.11500, linear-class covering lemmas"


def lowrank_ball(a, b, rank, radius):
    """{W in R^{a x b}: rank W <= rank, ||W||_F <= radius}."""
    return ParameterSet(Tag("lowrank"), a, b, rank, radius)


def lowrank_sphere(a, b, rank):
    """{W in R^{a x b}: rank W <= rank, ||W||_F = 1}."""
    return ParameterSet(Tag("lowrank_sphere"), a, b, rank)


def euclidean_ball(dim, radius):
    """{v in R^dim: ||v||_2 <= radius}."""
    return ParameterSet(Tag("ball"), dim, radius)


def linear_class(kind, *args):
    """The linear class {x -> W x} of the family L1-L6, tagged by its norm constraint."""
    return FunctionClass(Tag("lin_" + kind), *args)


# -- nets ------------------------------------------------------------------------------------------
LOW_RANK_NET_SPHERE = register(Lemma(
    name="low-rank-net-sphere",
    title="eps-net of the rank-r unit Frobenius sphere",
    params=(n1, n2, r, eps),
    hypotheses=(Hypothesis("eps-at-most-1", "0 < eps <= 1", sympy.Le(eps, 1, evaluate=False)),),
    conclusion=sympy.Le(log_covering(lowrank_sphere(n1, n2, r), eps, "fro"), (n1 + n2 + 1) * r * log(C_NET / eps)),
    constants=(NET_CONST,),
    source=Source(CANDES_PLAN),
    family="covering",
    example={n1: 4, n2: 3, r: 2, eps: sympy.Rational(1, 2)},
))

LOW_RANK_NET_BALL = register(Lemma(
    name="low-rank-net-ball",
    title="internal eps-net of the rank-r Frobenius ball of radius B, all eps > 0",
    params=(n1, n2, r, B, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(lowrank_ball(n1, n2, r, B), eps, "fro"),
                        (n1 + n2 + 1) * r * logplus(C_NET * B / eps)),
    constants=(NET_CONST,),
    source=Source(CANDES_PLAN, kind="derived", derivation=(
        "the proof of Lemma 3.1 with W = U Sigma V^T, internal nets of U (orthonormal columns, "
        "||.||_{1,2}), of Sigma (an r-ball of radius B) and of V, each at scale eps/(3B): size "
        "(9B/eps)^{(n1+n2+1) r} for eps <= 3B; for eps >= B the point 0 covers, so log+ holds for all eps")),
    family="covering",
    example={n1: 4, n2: 3, r: 2, B: 2, eps: sympy.Rational(1, 2)},
))

VOLUMETRIC_NET = register(Lemma(
    name="volumetric-net",
    title="internal eps-net of the radius-R Euclidean ball in R^k, all eps > 0",
    params=(kdim, R, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(euclidean_ball(kdim, R), eps, "fro"), kdim * logplus(C_VOL * R / eps)),
    constants=(VOL_CONST,),
    source=Source("Vershynin (2018), High-Dimensional Probability, Corollary 4.2.13 (volumetric argument); "
                  "for eps >= R the centre covers"),
    family="covering",
    example={kdim: 3, R: 2, eps: sympy.Rational(1, 3)},
))

# -- comparisons of covers -------------------------------------------------------------------------

COVER_SPEC_BY_FRO = register(Lemma(
    name="cover-spec-by-fro",
    title="a Frobenius eps-net is a spectral eps-net (||A||_2 <= ||A||_F)",
    params=(S_set, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(S_set, eps, "spec"), log_covering(S_set, eps, "fro")),
    source=Source("norm relation ||A||_2 <= ||A||_F (Lemma norm-spec-le-fro)", kind="derived",
                  derivation="every Frobenius eps-ball contains the spectral eps-ball's points at Frobenius "
                             "distance <= eps, so a Frobenius net is a spectral net of the same size"),
    family="covering",
    example={CoveringNumber(S_set, eps, NORMS["fro"], 1): 100},
))

COVER_L2S_BY_SUP = register(Lemma(
    name="cover-L2S-by-sup",
    title="sup-norm internal covers dominate external L2(S) covers",
    params=(F_cls, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(F_cls, eps, "L2S", 0), log_covering(F_cls, eps, "sup", 1)),
    source=Source("standard: ||f||_{L2(S)} <= sup_x |f(x)|, and external covers need no more points "
                  "than internal ones (e.g. Mohri et al. 2018, ch. 3)"),
    family="covering",
    example={CoveringNumber(F_cls, eps, NORMS["sup"], 1): 100},
))

@lemma_family(lambda m: "lipschitz-parameter-cover" if m == 3 else f"lipschitz-parameter-cover-{m}", least=1)
def lipschitz_parameter_cover(name: str, m: int) -> Lemma:
    """The product-net lemma for a class Lipschitz in ``m`` parameter blocks (registered once per ``m``).

    ``m = 3`` is registered as ``lipschitz-parameter-cover``, other ``m`` as ``lipschitz-parameter-cover-<m>``.
    Each block gets ``eps / (c_split L_j)`` with ``c_split`` a proof constant proved for ``m`` (the errors
    add up to ``m eps / c_split <= eps``).
    """
    S_ = sympy.symbols(" ".join(f"S_{j}" for j in range(1, m + 1)) + " _", seq=True)[:m]
    M_ = [Symbol(f"m_{j}") for j in range(1, m + 1)]
    L_ = sympy.symbols(" ".join(f"L_{j}" for j in range(1, m + 1)) + " _", positive=True, seq=True)[:m]
    triples = [x for j in range(m) for x in (S_[j], M_[j], L_[j])]
    terms = " + ".join(f"L_{j} ||theta_{j}-theta_{j}'||" for j in range(1, m + 1))
    return Lemma(
        name=name,
        title=f"a class Lipschitz in {m} parameter blocks is covered by products of internal nets",
        params=(F_cls, *triples, eps),
        hypotheses=(Hypothesis(
            "lipschitz-in-parameters",
            f"|f_theta - f_theta'| <= {terms} for theta, theta' in S_1 x ... x S_{m}",
            LipschitzInParameters(F_cls, *triples),
            discharged_by="a lemma providing the Lipschitz fact (e.g. transformer-perturbation)"),),
        conclusion=sympy.Le(
            log_covering(F_cls, eps, "sup"),
            sympy.Add(*[log(CoveringNumber(S_[j], eps / (C_SPLIT * L_[j]), M_[j], 1)) for j in range(m)])),
        constants=(Constant(C_SPLIT, m, f"the eps split: each block gets eps/{m}"),),
        source=Source("standard product-net argument", kind="derived", derivation=(
            f"take internal eps/({m} L_j)-nets of each S_j; for any theta, its nearest net point theta-hat is in "
            f"the class and |f_theta - f_theta-hat| <= sum_j L_j eps/({m} L_j) = eps; the product net has "
            "prod_j N_j points")),
        family="covering",
        example={**{CoveringNumber(S_[j], eps / (m * L_[j]), M_[j], 1): 10 * (j + 1) for j in range(m)},
                 **{L_[j]: j + 1 for j in range(m)}, eps: 1},
    )


LIPSCHITZ_PARAMETER_COVER = lipschitz_parameter_cover(3)
LIPSCHITZ_PARAMETER_COVER_2 = lipschitz_parameter_cover(2)

# -- the linear-class family L1-L6 (reconstructed) ---------------------------------------------------
def _linear(name, title, kind, arg, internal=1):
    """A member of L1-L4: {x -> W x : W in R^{d_1 x d_2}, rank W <= r, <norm of W> <= B_W}."""
    return register(Lemma(
        name=name, title=title,
        params=(d1, d2, r, Bw, Bx, eps),
        hypotheses=(),
        conclusion=sympy.Le(log_covering(linear_class(kind, d1, d2, r, Bw, Bx), eps, "sup", internal),
                            (d1 + d2 + 1) * r * logplus(arg)),
        constants=(NET_CONST,),
        source=Source(TRUONG, kind="derived", derivation=_DERIV[kind]),
        family="covering",
        example={d1: 3, d2: 4, r: 2, Bw: 2, Bx: 1, eps: sympy.Rational(1, 2)},
    ))


_DERIV = {
    "fro": "L1: sup_{||x||_2<=B_x} ||(W-W')x||_2 <= B_x ||W-W'||_F; apply low-rank-net-ball at eps/B_x",
    "spec": "L2: ||W||_F <= sqrt(r) ||W||_2 (norm-fro-le-sqrt-rank-spec), so the class sits in the Frobenius "
            "ball of radius sqrt(r) B_W; apply L1, then project the net onto {||W||_2 <= B_W} (shrinking the "
            "singular values: 1-Lipschitz in Frobenius norm, rank kept) so that the net is internal",
    "21": "L3: ||W||_F <= ||W||_{2,1} (norm-fro-le-21); apply L1 with B_W the (2,1) radius, then project the "
          "net onto the (2,1) ball (column-wise shrinkage: nonexpansive, rank kept) so that it is internal",
    "11": "L3': ||W||_F <= ||W||_{2,1} <= ||W||_{1,1}; apply L1 with B_W the (1,1) radius. The cover is external: "
          "projecting onto the (1,1) ball (entrywise soft-thresholding) can raise the rank, so no internal "
          "net of this size is claimed",
    "xinf": "L4: ||x||_2 <= sqrt(d_2) ||x||_inf, so inputs lie in the l2 ball of radius sqrt(d_2) B_x; apply L1",
    "xl1": "L4: ||x||_2 <= ||x||_1, so L1 applies unchanged",
    "vec": "L5: |<w-w',z>| <= B_z ||w-w'||_2; apply volumetric-net at eps/B_z",
    "bilinear": "L6: |x^T (W-W') y| <= B_x^2 ||W-W'||_F for ||x||,||y|| <= B_x; apply low-rank-net-ball at eps/B_x^2",
}

LINEAR_COVER_FROBENIUS = _linear(
    "linear-cover-frobenius", "L1: rank-r linear maps, Frobenius radius B_W, inputs ||x||_2 <= B_x",
    "fro", C_NET * Bw * Bx / eps)
LINEAR_COVER_SPECTRAL = _linear(
    "linear-cover-spectral", "L2: rank-r linear maps, spectral radius B_W (the only route to a log r)",
    "spec", C_NET * sqrt(r) * Bw * Bx / eps)
LINEAR_COVER_21 = _linear(
    "linear-cover-21", "L3: rank-r linear maps, (2,1)-norm radius B_W", "21", C_NET * Bw * Bx / eps)
LINEAR_COVER_11 = _linear(
    "linear-cover-11", "L3': rank-r linear maps, (1,1)-norm radius B_W (external cover)", "11",
    C_NET * Bw * Bx / eps, internal=0)
LINEAR_COVER_INPUT_INF = _linear(
    "linear-cover-input-inf", "L4: Frobenius radius B_W, inputs ||x||_inf <= B_x",
    "xinf", C_NET * Bw * sqrt(d2) * Bx / eps)
LINEAR_COVER_INPUT_L1 = _linear(
    "linear-cover-input-l1", "L4': Frobenius radius B_W, inputs ||x||_1 <= B_x", "xl1", C_NET * Bw * Bx / eps)

LINEAR_COVER_VECTOR = register(Lemma(
    name="linear-cover-vector",
    title="L5: linear functionals z -> w^T z, ||w||_2 <= B_W, ||z||_2 <= B_z",
    params=(kdim, Bw, Bz, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(linear_class("vec", kdim, Bw, Bz), eps, "sup"), kdim * logplus(C_VOL * Bw * Bz / eps)),
    constants=(VOL_CONST,),
    source=Source(TRUONG, kind="derived", derivation=_DERIV["vec"]),
    family="covering",
    example={kdim: 3, Bw: 2, Bz: 1, eps: sympy.Rational(1, 2)},
))

BILINEAR_SCORE_COVER = register(Lemma(
    name="bilinear-score-cover",
    title="L6: bilinear scores x_cls^T W x_t, rank W <= r, ||W||_F <= B_W, tokens ||x||_2 <= B_x",
    params=(d1, r, Bw, Bx, eps),
    hypotheses=(),
    conclusion=sympy.Le(log_covering(linear_class("bilinear", d1, r, Bw, Bx), eps, "sup"),
                        (2 * d1 + 1) * r * logplus(C_NET * Bw * Bx**2 / eps)),
    constants=(NET_CONST,),
    source=Source(TRUONG, kind="derived", derivation=_DERIV["bilinear"]),
    family="covering",
    example={d1: 3, r: 2, Bw: 2, Bx: 1, eps: sympy.Rational(1, 2)},
))
