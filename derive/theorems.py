"""The rank-dependent bound for single-head transformers, composed from the lemma library.

Nothing here types the final formula: the covering number of the class comes
out of the perturbation lemma, the parameter-cover lemma and the nets; the
bound comes out of the generalisation theorem, contraction, Dudley, the cover
comparison, the covering number, sqrt-subadditivity, linearity and the
symbolic log+ integral.  Named variants swap one lemma (the sharp softmax
constant, Dudley's b/2 upper limit) or override named constants.

Examples
--------
>>> from derive.theorems import theorem
>>> th = theorem()
>>> [b.name for b in th.blocks]
['w', 'V', 'QK']
>>> from lemmas.symbols import T
>>> th.bound.has(T)
False
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sympy
from sympy import log

from lemmas.attention import TRANSFORMER_PARAMS, transformer_class
from lemmas.core import Lemma, LemmaError, as_number
from lemmas.objects import NORMS, CoveringNumber
from lemmas.symbols import B_f, eps

from .engine import Composed, Derivation, DerivationError, constants_used
from .steps import apply_nets, generalisation_chain, parameter_cover

__all__ = ["Variant", "VARIANTS", "Block", "Theorem", "theorem", "what_if", "transformer_covering", "ALL_CONSTANTS",
           "constants_key"]


@dataclass(frozen=True)
class Variant:
    """Which lemma to use at each swappable step."""

    name: str
    description: str
    softmax: str = "softmax-lipschitz"
    perturbation: str = "transformer-perturbation"
    dudley: str = "dudley"


VARIANTS = {
    v.name: v for v in (
        Variant("default", "MATH.md section 5: cited softmax constant 2, Dudley upper limit b = B_f"),
        Variant("sharp-softmax", "sharp softmax constant 1 (54 becomes 27)",
                softmax="softmax-lipschitz-sharp", perturbation="transformer-perturbation-sharp"),
        Variant("dudley-half", "Dudley's integral up to B_f/2 (StatsMLlib's statement; the class is closed "
                               "under negation since w -> -w stays in it)", dudley="dudley-half"),
    )
}

#: every named constant of the chain, with the lemma that owns it
ALL_CONSTANTS = ("c_net", "c_vol", "c_split", "c_sm", "c_alpha", "c_dudley", "c_rad", "c_conf")

BLOCK_NAMES = ("w", "V", "QK")   # the order of the blocks in the perturbation lemma's Lipschitz fact


@dataclass(frozen=True)
class Block:
    """One parameter block of the chain: entropy D log+(C/eps), integrated up to U."""

    name: str
    D: Any
    C: Any
    U: Any
    integral: Any     # sqrt(D) I(C, U)


@dataclass(frozen=True, eq=False)
class Theorem(Composed):
    """The composed theorem with the pieces a user inspects (bound, obligations, failure, what_if: Composed)."""

    variant: Variant
    constants: tuple
    covering: Derivation
    covering_lemma: Lemma
    derivation: Derivation
    lemma: Lemma
    blocks: tuple
    confidence: Any
    rademacher_term: Any      # the bound less its confidence term (the LaTeX display checks that they recompose it)

    @property
    def rademacher_complexity(self):
        """The bound on R_S(l o F): the Rademacher term over the c_rad the chain's generalisation step used."""
        return self.rademacher_term / constants_used(self.derivation)["c_rad"]

    def __repr__(self):
        consts = dict(self.constants)
        extra = f", constants={consts!r}" if consts else ""
        fn = "what_if" if self.what_if else "theorem"
        return f"derive.{fn}({self.variant.name!r}{extra})"

    def _latex(self, printer):
        return printer._print(self.derivation.conclusion)

    def _repr_latex_(self):
        from .latex import latex           # the house printer: the bound in paper form
        return "$\\displaystyle %s$" % latex(self)


def constants_key(constants: Mapping[str, Any] | None, allowed) -> tuple:
    """Validated constant overrides as a sorted tuple of (name, exact positive number).

    Only the names in ``allowed`` are known; values are numbers (never strings: nothing is
    sympified).  Whether a value is *proved* (not below the value its lemma proves) is decided by
    the lemma when it is instantiated, so that the refusal names the lemma.
    """
    constants = dict(constants or {})
    unknown = set(constants) - set(allowed)
    if unknown:
        raise DerivationError(f"unknown constants {sorted(unknown)}; the chain's constants are {list(allowed)}")
    out = []
    for k2, v in sorted(constants.items()):
        try:
            val = as_number(v, f"constant {k2}")
        except LemmaError as exc:
            raise DerivationError(str(exc)) from None
        if not (val.is_number and val.is_finite and val.is_positive):
            raise DerivationError(f"constant {k2} must be a positive finite number, got {v!r}")
        out.append((k2, val))
    return tuple(out)


def _key(constants: Mapping[str, Any] | None) -> tuple:
    return constants_key(constants, ALL_CONSTANTS)


def transformer_covering(variant: str = "default", constants: Mapping[str, Any] | None = None,
                         what_if: bool = False):
    """The covering-number derivation of the transformer class (MATH.md section 4)."""
    return _transformer_covering(_variant(variant).name, _key(constants), what_if)


def _variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise DerivationError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}") from None


@lru_cache(maxsize=None)
def _transformer_covering(variant_name: str, constants: tuple, what_if: bool = False):
    var = VARIANTS[variant_name]
    consts = dict(constants)
    F = transformer_class()
    cov = Derivation("transformer-covering", log(CoveringNumber(F, eps, NORMS["sup"], 1)),
                     title="log N_inf(F_Theta, eps) for the single-head class", what_if=what_if, constants=consts)
    cov.establish(var.softmax)
    cov.establish(var.perturbation)
    covers = parameter_cover(cov, F, eps)
    terms = dict(zip(BLOCK_NAMES, apply_nets(cov, covers)))
    cov_lemma = cov.as_lemma(
        "transformer-covering" if variant_name == "default" and not constants else
        f"transformer-covering[{variant_name}{_suffix(constants)}{',what-if' if what_if else ''}]",
        title="log N_inf(F_Theta, eps) <= sum over blocks of D_j log+(C_j/eps)",
        citation="Truong (2024), arXiv:2410.11500 (reconstructed; constants are our choices)",
        family="attention",
        example={sym: 1 for sym in TRANSFORMER_PARAMS} | {eps: sympy.Rational(1, 10)},
    )
    return cov, cov_lemma, terms


def _suffix(constants: tuple) -> str:
    return "".join(f",{k}={v}" for k, v in constants)


def theorem(variant: str = "default", constants: Mapping[str, Any] | None = None) -> Theorem:
    """Compose the generalisation bound of MATH.md section 5 (kept in memory per variant and constants).

    ``constants`` may raise a proof constant (a weaker, still valid theorem), never lower it: a value
    below the one its lemma proves is refused with a :class:`DerivationError` naming the lemma; see
    :func:`what_if` for that.
    """
    return _theorem(_variant(variant).name, _key(constants), False)


def what_if(variant: str = "default", constants: Mapping[str, Any] | None = None) -> Theorem:
    """The chain with proof constants set as given, even below what their lemmas prove: NOT a theorem.

    The result says so (``Theorem.what_if`` names every lowered constant, ``is_theorem`` is False),
    its lemma is never registered, and every output made from it (text, JSON, LaTeX) carries the
    words "not a theorem".  With no lowered constant it is the theorem itself.
    """
    var = _variant(variant).name
    key = _key(constants)
    try:
        return _theorem(var, key, False)
    except DerivationError:
        return _theorem(var, key, True)


@lru_cache(maxsize=None)
def _theorem(variant_name: str, constants: tuple, what_if: bool = False) -> Theorem:
    var = VARIANTS[variant_name]
    consts = dict(constants)
    cov, cov_lemma, terms = _transformer_covering(variant_name, constants, what_if)
    F = transformer_class()

    main, confidence, closed = generalisation_chain(
        "truong-theorem", F, cov_lemma, [terms[b] for b in BLOCK_NAMES], "transformer-output-bound", var.dudley, B_f,
        eps, title="rank-dependent generalisation bound for single-head transformers", what_if=what_if,
        constants=consts)
    blocks = [Block(name, cb.D, cb.C, cb.U, cb.integral) for name, cb in zip(BLOCK_NAMES, closed)]
    suffix = "" if variant_name == "default" and not constants else \
        f"[{variant_name}{_suffix(constants)}{',what-if' if what_if else ''}]"
    lem = main.as_lemma(
        "truong-theorem" + suffix,
        title="w.p. >= 1 - delta, for all theta in Theta: L(theta) <= L_S(theta) + bound",
        citation="Truong (2024), arXiv:2410.11500, main theorem (reconstructed; constants are our choices)",
        family="theorem",
        example={},
        variant_of="" if not suffix else "truong-theorem",
    )
    return Theorem(var, constants, cov, cov_lemma, main, lem, tuple(blocks), confidence,
                   sympy.Add(main.rhs, -confidence))
