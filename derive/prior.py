"""The prior bounds, rebuilt on the same footing as the composed theorem (MATH.md section 7).

The published statements of the earlier norm-based bounds hide their absolute
constants.  Here each is rebuilt from its lemma structure with the *same*
generalisation, contraction and Dudley steps as :func:`derive.theorem`, and is
labelled "rebuilt".  Only the class-level cover differs:

- ``edelman``: the data-dependent, layer-by-layer sup-norm cover on the sample
  (``edelman-layer-cover``), each layer covered by Zhang's Theorem 4
  (``zhang-linear-cover-l2``) over the n T (or n T k, or n) positions, the
  ceilings removed by ``ceiling-le-plus-one``.  The errors are allocated by the
  2/3-power rule.  Dudley keeps alpha as a free symbol: the entropy is not of the
  form K^2/eps^2 (its log factor depends on eps), so :mod:`numeric.compare.priors` integrates
  numerically and optimises alpha.

Parameter mapping (stated with every result): the rebuilt class reads B_V and B_QK
as Frobenius radii and drops the rank constraints.  It therefore contains our
class Theta for the same numbers, and also Edelman et al.'s class with (2,1)-norm
radii B_V21 = B_V, B_QK21 = B_QK and spectral radius B_V (||.||_2 <= ||.||_F <=
||.||_{2,1}).

Examples
--------
>>> from derive.prior import prior
>>> pb = prior("edelman")
>>> from lemmas.symbols import T
>>> pb.bound.has(T)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sympy
from sympy import Rational, Symbol, ceiling, sqrt

import lemmas
import lemmas.prior as P
from lemmas.core import Lemma
from lemmas.objects import GeneralisationGap
from lemmas.symbols import B_QK, B_V, B_X, B_f, B_w, L_loss, L_sigma, alpha, c, d, delta, eps, k, n

from .engine import Derivation, DerivationError, refuse_unused_constants
from .theorems import constants_key
from .steps import apply_nets, confidence_part, parameter_cover

CITATIONS = {"edelman": "Edelman, Goel, Kakade & Zhang (ICML 2022)",
             "trauger-tewari": "Trauger & Tewari (AISTATS 2024)"}

__all__ = ["PriorBound", "prior", "PRIORS", "ALPHA", "PRIOR_CONSTANTS", "MAPPING"]

#: Dudley's free lower limit (the lemma's own symbol: declared once, in lemmas.symbols)
ALPHA = alpha
GAP = Symbol("g_alpha", nonnegative=True)   # B_f - alpha during the derivation

#: the named constants of the rebuilt chains (overridable like the theorem's)
PRIOR_CONSTANTS = ("c_zhang", "c_sm", "c_alpha", "c_dudley", "c_rad", "c_conf")

MAPPING = {
    "edelman": (
        "rebuilt Edelman-type class: ||w||_2 <= B_w, ||W_V||_F <= B_V, ||W_QK||_F <= B_QK, tokens ||x_t||_2 <= "
        "B_X, sigma L_sigma-Lipschitz, NO rank constraints (r_w, r_v are ignored). It contains our class Theta "
        "for the same numbers, and Edelman et al.'s class with B_V21 = B_V, B_QK21 = B_QK and ||W_V||_2 <= B_V "
        "(since ||.||_2 <= ||.||_F <= ||.||_{2,1}). Covers are data-dependent: n T score positions, n T k value "
        "positions, n readout points, so T and n enter the logarithm."),
}

MAPPING["trauger-tewari"] = (
    "rebuilt Trauger-Tewari-type class: entrywise-l1 radii ||w||_1 <= M_w, ||W_V||_{1,1} <= M_V, ||W_QK||_{1,1} <= "
    "M_QK, tokens ||x_t||_2 <= B_X, sigma L_sigma-Lipschitz, no rank constraints. Mapped from our parameters so "
    "that it contains our class Theta: M_w = sqrt(k) B_w, M_V = sqrt(d k) B_V, M_QK = d B_QK (since ||A||_{1,1} <= "
    "sqrt(#entries) ||A||_F); its output bound is L_sigma M_w M_V B_X. Covers are parameter-space (Maurey), so "
    "neither n nor T enters the logarithm; the 1/eps^2 entropy keeps a log n after Dudley.")

PRIORS = tuple(MAPPING)


@dataclass(frozen=True, eq=False)
class PriorBound:
    """A rebuilt prior bound: its derivation, the bound (free in ``alpha``) and the Dudley integral in it."""

    name: str
    constants: tuple
    derivation: Derivation
    lemma: Lemma
    integral: Any          # the Dudley Integral (eps from alpha to b)
    confidence: Any
    mapping: str
    split: tuple           # (t_s, t_v, t_w) of the 2/3-power allocation (edelman), () otherwise
    b: Any = B_f           # Dudley's upper limit: the output bound of the rebuilt class

    @property
    def bound(self):
        """The bound, valid for every 0 < alpha <= B_f (Dudley's lower limit ``ALPHA``)."""
        return self.derivation.rhs.xreplace({GAP: self.b - ALPHA})

    @property
    def obligations(self):
        return self.derivation.obligations

    def __repr__(self):
        extra = f", constants={dict(self.constants)!r}" if self.constants else ""
        return f"derive.prior({self.name!r}{extra})"

    def _latex(self, printer):
        return printer._print(self.derivation.conclusion)


def prior(name: str = "edelman", constants: Mapping[str, Any] | None = None) -> PriorBound:
    """The rebuilt prior bound ``name`` (one of :data:`PRIORS`), cached per constants."""
    if name not in MAPPING:
        raise DerivationError(f"unknown prior bound {name!r}; rebuilt so far: {', '.join(PRIORS)}")
    return _prior(name, constants_key(constants, PRIOR_CONSTANTS))


def two_thirds_split(coefficients, scales):
    """The 2/3-power allocation: minimising sum_i A_i / eps_i^2 subject to sum_i beta_i eps_i = eps.

    With eps_i = t_i eps / beta_i the objective is sum_i A_i beta_i^2 / t_i^2 / eps^2, minimal over
    t_1 + ... = 1 at t_i proportional to (A_i beta_i^2)^(1/3), where it equals gamma^3/eps^2 with
    gamma = sum_i (A_i beta_i^2)^(1/3).
    """
    w = [sympy.cbrt(A * beta ** 2) for A, beta in zip(coefficients, scales)]
    total = sympy.Add(*w)
    return tuple(wi / total for wi in w)


@lru_cache(maxsize=None)
def _prior(name: str, constants: tuple) -> PriorBound:
    consts = dict(constants)
    if name == "edelman":
        F, b_out = P.edelman_class(), B_f
    else:
        F = P.tt_class(sqrt(k) * B_w, sqrt(d * k) * B_V, d * B_QK)
        b_out = L_sigma * sqrt(k) * B_w * sqrt(d * k) * B_V * B_X
    der = Derivation(f"{name}-rebuilt", GeneralisationGap(F, n),
                     title=f"rebuilt {name} bound (same Dudley and generalisation steps as ours)", constants=consts)

    def step(lem_name, kind="apply", **mapping):
        getattr(der, kind)(lem_name, **mapping)
        return der.steps[-1]

    step("rademacher-generalisation", F=F, n=n, c=c, delta=delta)
    confidence = confidence_part(der.steps[-1])
    step("contraction", F=F, n=n, L_loss=L_loss)
    # Dudley's lower limit enters as b - GAP with GAP >= 0, so that the integral's limits are ordered
    # structurally and the monotonicity of every later substitution is proved, not left open; the
    # bound is then read with GAP = b - alpha (an equality), valid for 0 < alpha <= b.
    step("dudley", F=F, n=n, alpha=b_out - GAP, b=b_out)
    if name == "edelman":
        t = _edelman_cover(F, step, consts)
    else:
        t = _tt_cover(F, step, der)
    for ce in sorted(der.rhs.atoms(ceiling), key=sympy.default_sort_key):
        step("ceiling-le-plus-one", x=ce.args[0])
    if der.rhs.has(ceiling):
        raise DerivationError(f"a ceiling survived the chain: {der.rhs}")
    refuse_unused_constants(consts, der)
    back = {GAP: b_out - ALPHA}
    (integral,) = der.rhs.xreplace(back).atoms(sympy.Integral)

    suffix = "" if not constants else "[" + ",".join(f"{k_}={v}" for k_, v in constants) + "]"
    in_gap = der.as_lemma(f"{name}-rebuilt-gap{suffix}",
                          title=f"rebuilt {name} bound, Dudley's lower limit written b - g_alpha (g_alpha >= 0)",
                          citation=CITATIONS[name] + ", rebuilt in rankbound (MATH.md section 7)",
                          family="prior-theorem", register=False)
    # the registered lemma reads Dudley's lower limit as alpha: the gap lemma holds for every g_alpha in
    # its domain [0, oo), so it is instantiated (one more step of the engine) at g_alpha = b - alpha, whose
    # domain condition b - alpha >= 0 becomes the hypothesis alpha <= b
    final = Derivation(f"{name}-rebuilt", GeneralisationGap(F, n), title=der.title)
    final.apply(in_gap, **{GAP.name: b_out - ALPHA})
    lem = final.as_lemma(f"{name}-rebuilt{suffix}",
                         title=f"rebuilt {name} bound: for every alpha in [0, b], w.p. >= 1 - delta",
                         citation=CITATIONS[name] + ", rebuilt in rankbound (MATH.md section 7)",
                         family="prior-theorem", example={ALPHA: Rational(1, 2)})
    return PriorBound(name, constants, der, lem, integral, confidence, MAPPING[name], t, b_out)


def _edelman_cover(F, step, consts):
    """Sample sup-norm cover, layer by layer, each layer by Zhang's Theorem 4 (returns the split)."""
    step("cover-L2S-by-supS", F=F, epsilon=eps)
    c_sm = consts.get("c_sm", lemmas.get("edelman-layer-cover").constant("c_sm").default)
    A = ((B_QK * B_X ** 2) ** 2, (B_V * B_X) ** 2, (B_w * L_sigma * B_V * B_X) ** 2)
    beta = (c_sm * B_w * L_sigma * B_V * B_X, B_w * L_sigma * sqrt(k), sympy.Integer(1))
    t = two_thirds_split(A, beta)
    layer = dict(n=n, t_s=t[0], t_v=t[1], t_w=t[2], epsilon=eps)
    layer.update({s.name: s for s in P.EDELMAN_PARAMS})
    step("softmax-lipschitz", kind="establish")
    step("edelman-layer-cover", kind="establish", **layer)
    cover = step("edelman-layer-cover", **layer)
    for atom in sympy.Add.make_args(cover.instance.conclusion.rhs):
        N_ = atom.args[0]
        cls, e, _norm, _internal = N_.args
        a_, b_, count = cls.args[1:]
        step("zhang-linear-cover-l2", a=a_, b=b_, N=count, epsilon=e)
    return t


def _tt_cover(F, step, der):
    """Parameter-space cover: the perturbation lemma, the product net, Maurey nets of the l1 balls."""
    step("cover-L2S-by-sup", F=F, epsilon=eps)
    step("softmax-lipschitz", kind="establish")
    mw, mv, mqk = F.args[5:8]
    step("tt-perturbation", kind="establish", M_w=mw, M_V=mv, M_QK=mqk)
    apply_nets(der, parameter_cover(der, F, eps))     # l11 balls: Maurey nets (derive.steps.NET_LEMMAS)
    return ()
