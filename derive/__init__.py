"""rankbound.derive: composition of lemmas into derivations and theorems.

Examples
--------
>>> import derive
>>> th = derive.theorem()
>>> th.lemma.name
'truong-theorem'
"""

from .engine import Derivation, DerivationError, HypothesisRefused, Obligation, Step
from .integrals import logplus_integral
from .monotone import nondecreasing_in
from .theorems import VARIANTS, Block, Theorem, Variant, theorem, transformer_covering, what_if
from .deep import DeepTheorem, deep_theorem, deep_what_if
from .tighten import CHOICES, Tightened, tightened
from . import latex      # registers the theorem's paper-form display with lemmas.printing

__all__ = ["Derivation", "DerivationError", "HypothesisRefused", "Obligation", "Step", "logplus_integral",
           "nondecreasing_in", "VARIANTS", "Block", "Theorem", "Variant", "theorem", "transformer_covering", "what_if",
           "DeepTheorem", "deep_theorem", "deep_what_if",
           "CHOICES", "Tightened", "tightened",
           "register_derived"]


def register_derived():
    """Derive (and so register) the derived lemmas of the default chain and the rebuilt prior bounds."""
    th = theorem()
    deep = deep_theorem()
    from .posthoc import posthoc_theorem
    from .prior import PRIORS, prior
    return [logplus_integral(), th.covering_lemma, th.lemma, deep.covering_lemma, deep.lemma,
            posthoc_theorem().lemma] + [prior(name).lemma for name in PRIORS]
