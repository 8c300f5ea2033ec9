"""The deep chain with the free choices and sharper valid steps of MATH.md section 10, composed.

Every chain here is the H-head, L-layer chain of :mod:`derive.deep` (at H = L = 1 it is the single-head
theorem) with some of these choices made, each by a lemma or a named variant with its source:

- ``optimal-split``: the eps split of the grouped product net is free (``t_j > 0`` with
  ``sum_j M_j t_j <= 1``, lemma ``lipschitz-group-cover-5``).  The chain takes free positive weights
  ``t_j = u_j`` (:data:`SPLIT_WEIGHTS`); the hypothesis ``sum_j M_j u_j <= 1`` stays a condition of the
  theorem, decided at the numbers ``numeric.tighten`` chooses.
- ``dudley-alpha``: Dudley's lower limit alpha is free in ``[0, upper limit]``; the chain takes
  ``alpha = U/(1 + w)`` for a free ``w > 0`` (:data:`ALPHA_W`; written ``U - U w/(1 + w)`` so that SymPy
  sees ``alpha <= U`` structurally) and closes ``int_alpha^U`` by ``logplus-sqrt-integral-additivity``
  and the closed form ``logplus-sqrt-integral`` at U and at alpha.
- ``dudley-half``: Dudley up to b/2 (the named variant ``dudley-half``; the class is closed under negation).
- ``trivial-cap``: ``R_S(F) <= min(B_f, Dudley)`` (``rademacher-trivial-cap``).
- ``sharp-nets``: ``(1 + 2R/eps)^k`` for the ball and ``(1 + 6B/eps)^{(n1+n2+1) r}`` for the low-rank ball
  (``volumetric-net-sharp``, ``low-rank-net-ball-sharp``); their entropy integrals have no closed form and
  stay integrals in the bound (``numeric.tighten`` encloses them with Arb's rigorous quadrature).
- ``sharp-softmax``: the sharp softmax constant 1 (the named variant ``sharp-softmax``).
- ``expected-confidence``: Mohri et al. (2018) Theorem 3.3 in its expected form
  (``rademacher-generalisation-expected``): ``2 E_S[R_S] + c sqrt(log(1/delta)/(2n))``; the chain's bound on
  ``R_S`` holds for every sample, so it bounds the expectation.

No proof constant is lowered: the sharper steps are other lemmas with their own proved constants.  The
choice symbols stay free in the bound; every value of them gives a theorem.

Examples
--------
>>> from derive.tighten import tightened
>>> th = tightened(("sharp-softmax",))
>>> th.is_theorem
True
>>> from derive.deep import deep_theorem
>>> tightened(()).bound == deep_theorem().bound
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sympy

import lemmas
from lemmas.depth import DEEP_GROUPS, deep_class
from lemmas.objects import GeneralisationGap, log_covering
from lemmas.symbols import L_loss, c, delta, eps, n

from .deep import establish_deep_facts
from .engine import Composed, Derivation, DerivationError, constants_used, refuse_unused_constants
from .integrals import logplus_integral
from .steps import (NET_LEMMAS, apply_nets, confidence_part, entropy_blocks, group_cover, group_fact,
                    integral_limits)

__all__ = ["Choice", "CHOICES", "CHOICE_ORDER", "SPLIT_WEIGHTS", "ALPHA_W", "Tightened", "tightened",
           "symbolic_constants", "SHARP_NETS", "close_blocks", "chain_constants"]


@dataclass(frozen=True)
class Choice:
    """A free choice or sharper valid step of MATH.md section 10."""

    name: str
    description: str
    source: str
    lemmas: tuple


CHOICES = {ch.name: ch for ch in (
    Choice("optimal-split", "the eps split of the product net across the parameter groups, optimised (any weights "
                            "t_j > 0 with sum_j M_j t_j <= 1; the default is the equal split 1/m)",
           "lipschitz-group-cover-5 (standard product-net argument): the split weights are a free choice",
           ("lipschitz-group-cover-5",)),
    Choice("dudley-alpha", "Dudley's lower limit alpha > 0, optimised (the default chain takes alpha = 0)",
           "Dudley (1967); Bartlett, Foster & Telgarsky (2017), Lemma A.5: any alpha in [0, upper limit]; "
           "int_alpha^U = int_0^U - int_0^alpha (logplus-sqrt-integral-additivity)",
           ("dudley", "logplus-sqrt-integral-additivity", "logplus-sqrt-integral")),
    Choice("dudley-half", "Dudley's integral up to B_f/2 instead of B_f (the class is closed under negation)",
           "StatsMLlib, Dudley.lean (machine-checked): upper limit c/2 (variant dudley-half)", ("dudley-half",)),
    Choice("trivial-cap", "R_S(F) <= min(B_f, Dudley's bound): the trivial bound sup_f ||f||_{L2(S)} <= B_f",
           "Cauchy-Schwarz (rademacher-trivial-cap)", ("rademacher-trivial-cap",)),
    Choice("sharp-nets", "nets with (1 + 2R/eps)^k points for balls and (1 + 6B/eps)^{(n1+n2+1) r} for low-rank "
                         "balls (instead of (3R/eps)^k and (9B/eps)^{(n1+n2+1) r}); entropy integrals by certified "
                         "quadrature",
           "Vershynin (2018), Corollary 4.2.13; Candes & Plan (2011), Lemma 3.1 with those nets "
           "(volumetric-net-sharp, low-rank-net-ball-sharp)", ("volumetric-net-sharp", "low-rank-net-ball-sharp")),
    Choice("sharp-softmax", "the sharp softmax constant 1 instead of the cited 2",
           "mean value theorem on the Jacobian diag(p) - p p^T (variant sharp-softmax, softmax-lipschitz-sharp)",
           ("softmax-lipschitz-sharp",)),
    Choice("expected-confidence", "the expected-Rademacher form of the generalisation theorem: 2 R_n + c sqrt(log(1/"
                                  "delta)/(2n)) instead of 2 R_S + 3 c sqrt(log(2/delta)/(2n))",
           "Mohri, Rostamizadeh & Talwalkar (2018), Theorem 3.3, inequality (3.3) "
           "(rademacher-generalisation-expected)", ("rademacher-generalisation-expected",)),
)}

#: the order in which choices are listed and applied one after another (waterfall)
CHOICE_ORDER = tuple(CHOICES)

#: free positive weights of the eps split (the lemma's t_j), with the condition sum_j M_j u_j <= 1
SPLIT_WEIGHTS = sympy.symbols("u_1:6", positive=True)
#: Dudley's lower limit is alpha = U/(1 + w), w > 0
ALPHA_W = sympy.Symbol("w_alpha", positive=True)

#: the sharper nets, by parameter-set kind (as derive.steps.NET_LEMMAS, whose parameter mappings they share)
SHARP_NETS = {kind: (name, NET_LEMMAS[kind][1])
              for kind, name in (("lowrank", "low-rank-net-ball-sharp"), ("ball", "volumetric-net-sharp"))}


@dataclass(frozen=True, eq=False)
class Tightened(Composed):
    """One composed chain: the deep chain with ``choices`` made (bound, obligations, failure, what_if: Composed)."""

    choices: tuple
    constants: tuple
    covering: Derivation
    covering_lemma: Any
    derivation: Derivation
    lemma: Any
    confidence: Any
    alpha: Any                 # Dudley's lower limit (0, or U/(1 + w))
    upper: Any                 # Dudley's upper limit
    groups: tuple              # (name, multiplicity M_j) of the parameter groups
    blocks: tuple              # (name, integral term of the block in the bound)

    @property
    def free_choices(self) -> tuple:
        """The choice symbols the bound depends on (split weights, then w)."""
        return tuple(s for s in (*SPLIT_WEIGHTS, ALPHA_W) if self.bound.has(s))

    @property
    def rademacher_term(self):
        return sympy.Add(self.bound, -self.confidence)

    def __repr__(self):
        extra = f", constants={dict(self.constants)!r}" if self.constants else ""
        return f"derive.tighten.tightened({self.choices!r}{extra})"


def _check_choices(choices) -> tuple:
    if isinstance(choices, str):
        choices = (choices,)
    bad = [ch for ch in choices if ch not in CHOICES]
    if bad:
        raise DerivationError(f"unknown choices {bad}; known: {', '.join(CHOICES)}")
    return tuple(ch for ch in CHOICE_ORDER if ch in set(choices))


def _constants_key(constants: Mapping | None) -> tuple:
    out = []
    for k2, v in sorted((constants or {}).items()):
        if isinstance(v, str) or isinstance(v, bool):
            raise DerivationError(f"constant {k2}: pass a number or a SymPy expression, not {v!r}")
        out.append((k2, v if isinstance(v, sympy.Basic) else lemmas.core.as_number(v, f"constant {k2}")))
    return tuple(out)


def tightened(choices=(), constants: Mapping | None = None, what_if: bool = False) -> Tightened:
    """The deep chain with ``choices`` (names in :data:`CHOICES`) made; kept in memory per arguments.

    ``constants`` overrides named constants chain-wide (numbers, or symbols for :func:`symbolic_constants`);
    a proof constant below its lemma's value is refused unless ``what_if`` (then the result says it is not
    a theorem).
    """
    return _tightened(_check_choices(choices), _constants_key(constants), bool(what_if))


@lru_cache(maxsize=None)
def _tightened(choices: tuple, constants: tuple, what_if: bool) -> Tightened:
    chosen = set(choices)
    consts = dict(constants)
    F = deep_class()
    tag = ",".join(choices) or "default"
    cov = Derivation("deep-covering", log_covering(F, eps, "sup"),
                     title="log N_inf(F_deep, eps) for H heads and L layers", what_if=what_if, constants=consts)
    softmax = "softmax-lipschitz-sharp" if "sharp-softmax" in chosen else "softmax-lipschitz"
    establish_deep_facts(cov, softmax)
    mult = [M for *_, M in group_fact(cov, F).groups]
    split = list(SPLIT_WEIGHTS[:len(mult)]) if "optimal-split" in chosen else None
    groups = group_cover(cov, F, eps, split=split)
    nets = apply_nets(cov, [N for _M, N in groups], nets=SHARP_NETS if "sharp-nets" in chosen else None)
    terms = [M * t for (M, _N), t in zip(groups, nets)]
    cov_lemma = cov.as_lemma(f"deep-covering[tighten:{tag}]", register=False,
                             title="log N_inf(F_deep, eps) <= sum over groups of M_j (entropy of a block)",
                             citation="MATH.md sections 8 and 10 (rankbound's derivation)", family="depth")

    main = Derivation("deep-theorem", GeneralisationGap(F, n), title="generalisation bound for H heads and L "
                      "layers, with the choices of MATH.md section 10", what_if=what_if, constants=consts)
    gen = "rademacher-generalisation-expected" if "expected-confidence" in chosen else "rademacher-generalisation"
    main.apply(gen, F=F, n=n, c=c, delta=delta)
    confidence = confidence_part(main.steps[-1])
    main.apply("contraction", F=F, n=n, L_loss=L_loss)
    main.establish("deep-output-bound")
    B_f = lemmas.get("deep-output-bound").rhs
    if "trivial-cap" in chosen:
        main.apply("rademacher-trivial-cap", F=F, n=n, b=B_f)
    dudley = "dudley-half" if "dudley-half" in chosen else "dudley"
    upper = _upper_limit(dudley, B_f)
    alpha = upper - upper * ALPHA_W / (1 + ALPHA_W) if "dudley-alpha" in chosen else sympy.S.Zero
    main.apply(dudley, F=F, n=n, alpha=alpha, b=B_f)
    main.apply("cover-L2S-by-sup", F=F, epsilon=eps)
    main.apply(cov_lemma)
    closed = close_blocks(main, terms, eps)
    refuse_unused_constants(consts, cov, main)
    lem = main.as_lemma(f"deep-theorem[tighten:{tag}]", register=False,
                        title="w.p. >= 1 - delta, for all weights of an H-head, L-layer model: L <= L_S + bound",
                        citation="MATH.md sections 8 and 10 (rankbound's derivation; constants are our choices)",
                        family="theorem", variant_of="deep-theorem")
    names = tuple(name for name, *_ in DEEP_GROUPS)
    return Tightened(choices, constants, cov, cov_lemma, main, lem, confidence, alpha, upper,
                     tuple(zip(names, mult)), tuple(zip(names, closed)))


def _upper_limit(dudley: str, b_value):
    """Dudley's upper limit in the lemma ``dudley`` (b or b/2), at b = ``b_value``."""
    lem = lemmas.get(dudley)
    (integral,) = lem.rhs.atoms(sympy.Integral)
    return integral.limits[0][2].xreplace({lem.param("b"): b_value})


def close_blocks(der: Derivation, terms, eps_) -> list:
    """Split ``int_lo^U sqrt(sum_j a_j)`` into one integral per block (sqrt-subadditivity, linearity) and close
    the blocks of the form ``D log+(C/eps)`` by the log+ closed form (from ``lo > 0`` by additivity first).

    Blocks of another form (the sharper nets) stay integrals.  Returns each block's term in the bound.
    """
    m = len(terms)
    _, lo, U = integral_limits(der.rhs)
    der.apply(lemmas.sqrt_subadditive(m), **{f"a_{j}": t for j, t in enumerate(terms, 1)})
    der.apply(lemmas.integral_linearity(m), lo=lo, hi=U, **{f"f_{j}": sympy.sqrt(t) for j, t in enumerate(terms, 1)})
    out = []
    for term in terms:
        try:
            ((D, C),) = entropy_blocks([term], eps_)
        except DerivationError:
            out.append(sympy.Integral(sympy.sqrt(term), (eps_, lo, U)))       # no closed form: stays an integral
            continue
        if lo == 0:
            der.apply(logplus_integral(), D=D, C=C, U=U)
            out.append(der.steps[-1].instance.conclusion.rhs)
        else:
            der.apply("logplus-sqrt-integral-additivity", D=D, C=C, a=lo, U=U)
            der.apply(logplus_integral(), D=D, C=C, U=U)
            upper_part = der.steps[-1].instance.conclusion.rhs
            der.apply(logplus_integral(), D=D, C=C, U=lo)
            out.append(upper_part - der.steps[-1].instance.conclusion.rhs)
    return out


def chain_constants(th: Tightened) -> dict:
    """The named constants of the chain's lemmas with the values the chain used (name -> value)."""
    return constants_used(th.covering, th.derivation)


def symbolic_constants(th: Tightened) -> tuple:
    """The same chain with every named constant kept as a symbol (a what-if: the constants are not numbers).

    Returns ``(chain, {name: symbol}, {symbol: the value the theorem uses})``: substituting the values gives
    the theorem's bound, and differentiating in a symbol gives the bound's sensitivity to that constant.
    """
    values = chain_constants(th)
    syms = {name: sympy.Symbol(name, positive=True) for name in values}
    sym_chain = tightened(th.choices, {**dict(th.constants), **syms}, what_if=True)
    return sym_chain, syms, {syms[name]: v for name, v in values.items()}
