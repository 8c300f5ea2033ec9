"""The bound for H heads and L layers, composed from the layer lemmas (MATH.md section 8).

Nothing is typed in: the layer lemmas provide their Lipschitz facts, the telescoping lemma reads
them (so the engine checks that the rho and Lambda it composes are the ones the layer lemmas prove)
and provides the grouped Lipschitz fact of the deep class; the grouped product-net lemma (equal eps
split over the ``m = 1 + 2 H L`` blocks by default), the nets, Dudley, contraction and the
generalisation theorem follow as in the single-head chain.  Identical blocks are added before the
square root, so the entropy of H heads contributes sqrt(H), not H.  H and L stay symbols; at H = L = 1
the bound is the single-head theorem's.

Examples
--------
>>> from derive.deep import deep_theorem
>>> th = deep_theorem()
>>> [b.name for b in th.blocks]
['readout w', 'readout values', 'readout scores', 'hidden values', 'hidden scores']
>>> from lemmas.symbols import T
>>> th.bound.has(T)
False
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sympy

import lemmas
from lemmas.depth import DEEP_GROUPS, DEEP_PARAMS, deep_class, hidden_layer, readout_layer
from lemmas.objects import GroupLipschitz, InputLipschitz, log_covering
from lemmas.symbols import H, L, eps

from .engine import Derivation, DerivationError, refuse_unused_constants
from .steps import apply_nets, fact_of, generalisation_chain, group_cover
from .theorems import ALL_CONSTANTS, VARIANTS, Block, Theorem, _variant, constants_key

__all__ = ["deep_theorem", "deep_what_if", "deep_covering", "DeepTheorem"]

#: the sharp softmax variant swaps the softmax lemma; the layer lemmas take c_sm from its fact
_SOFTMAX_CONSTANT = {"softmax-lipschitz": 2, "softmax-lipschitz-sharp": 1}


@dataclass(frozen=True, eq=False)
class DeepTheorem(Theorem):
    """The composed H-head, L-layer theorem (a :class:`derive.theorems.Theorem` with symbolic H and L)."""

    split: tuple = ()

    def __repr__(self):
        extra = f", constants={dict(self.constants)!r}" if self.constants else ""
        return f"derive.deep_theorem({self.variant.name!r}{extra})"


def establish_deep_facts(cov: Derivation, softmax: str) -> None:
    """Establish the softmax lemma, the four layer lemmas and the telescoping lemma in ``cov``.

    The telescoping lemma is instantiated with the rho, Lambda and per-head constants read off the layer
    lemmas' facts, so its hypotheses are discharged by exactly those facts.  The layer lemmas take the
    softmax constant of ``softmax`` (or the chain's ``c_sm`` override).
    """
    cov.establish(softmax)
    c_sm = {"c_sm": cov.constants.get("c_sm", _SOFTMAX_CONSTANT[softmax])}
    for name in ("hidden-layer-input-lipschitz", "readout-input-lipschitz", "hidden-layer-param-lipschitz",
                 "readout-param-lipschitz"):
        cov.establish(name, constants=c_sm)
    rho = fact_of(cov, InputLipschitz, hidden_layer()).args[1]
    lam = fact_of(cov, InputLipschitz, readout_layer()).args[1]
    (_, _, a_V, _), (_, _, a_QK, _) = fact_of(cov, GroupLipschitz, hidden_layer()).groups
    (_, _, b_w, _), (_, _, b_V, _), (_, _, b_QK, _) = fact_of(cov, GroupLipschitz, readout_layer()).groups
    cov.establish("deep-perturbation", rho=rho, Lambda=lam, a_V=a_V, a_QK=a_QK, b_w=b_w, b_V=b_V, b_QK=b_QK)


def deep_covering(variant: str = "default", constants: Mapping[str, Any] | None = None, what_if: bool = False):
    """The covering-number derivation of the deep class: (derivation, its lemma, entropy terms per group)."""
    return _deep_covering(_variant(variant).name, constants_key(constants, ALL_CONSTANTS), what_if, None)


@lru_cache(maxsize=None)
def _deep_covering(variant_name: str, constants: tuple, what_if: bool, split: tuple | None):
    var = VARIANTS[variant_name]
    consts = dict(constants)
    F = deep_class()
    cov = Derivation("deep-covering", log_covering(F, eps, "sup"),
                     title="log N_inf(F_deep, eps) for H heads and L layers", what_if=what_if, constants=consts)
    establish_deep_facts(cov, var.softmax)
    groups = group_cover(cov, F, eps, split=list(split) if split else None)
    nets = apply_nets(cov, [N for _M, N in groups])
    terms = [M * t for (M, _N), t in zip(groups, nets)]
    suffix = "" if variant_name == "default" and not constants and not split else \
        f"[{variant_name}{''.join(f',{k}={v}' for k, v in constants)}{',split' if split else ''}" \
        f"{',what-if' if what_if else ''}]"
    cov_lemma = cov.as_lemma("deep-covering" + suffix,
                             title="log N_inf(F_deep, eps) <= sum over groups of M_j D_j log+(C_j/eps)",
                             citation="MATH.md section 8 (rankbound's derivation; constants are our choices)",
                             family="depth",
                             example={**{s_: 1 for s_ in DEEP_PARAMS}, L: 2, H: 2, eps: sympy.Rational(1, 10)})
    return cov, cov_lemma, terms


def deep_theorem(variant: str = "default", constants: Mapping[str, Any] | None = None,
                 split: tuple | None = None) -> DeepTheorem:
    """The generalisation bound for H heads and L layers (MATH.md section 8), composed.

    ``split`` optionally gives the eps weights of the five groups (a free choice: positive with
    ``sum_j M_j t_j <= 1``); the default is the equal split of MATH.md.
    """
    key = constants_key(constants, ALL_CONSTANTS)
    return _deep_theorem(_variant(variant).name, key, False, tuple(split) if split else None)


def deep_what_if(variant: str = "default", constants: Mapping[str, Any] | None = None) -> DeepTheorem:
    """As :func:`derive.what_if`, for the deep chain: lowered proof constants allowed, NOT a theorem."""
    var, key = _variant(variant).name, constants_key(constants, ALL_CONSTANTS)
    try:
        return _deep_theorem(var, key, False, None)
    except DerivationError:
        return _deep_theorem(var, key, True, None)


@lru_cache(maxsize=None)
def _deep_theorem(variant_name: str, constants: tuple, what_if: bool, split: tuple | None) -> DeepTheorem:
    var = VARIANTS[variant_name]
    cov, cov_lemma, terms = _deep_covering(variant_name, constants, what_if, split)
    F = deep_class()
    B_f = lemmas.get("deep-output-bound").rhs          # Dudley's upper limit: the proved output bound
    main, confidence, closed = generalisation_chain(
        "deep-theorem", F, cov_lemma, terms, "deep-output-bound", var.dudley, B_f, eps,
        title="generalisation bound for H heads and L layers", what_if=what_if, constants=dict(constants))
    refuse_unused_constants(dict(constants), cov, main)
    blocks = tuple(Block(name, cb.D, cb.C, cb.U, cb.integral) for (name, *_), cb in zip(DEEP_GROUPS, closed))
    suffix = cov_lemma.name[len("deep-covering"):]
    lem = main.as_lemma("deep-theorem" + suffix,
                        title="w.p. >= 1 - delta, for all weights of an H-head, L-layer model: L <= L_S + bound",
                        citation="MATH.md section 8 (rankbound's derivation beyond Truong 2024; constants are our "
                                 "choices)",
                        family="theorem", variant_of="" if not suffix else "deep-theorem")
    return DeepTheorem(var, constants, cov, cov_lemma, main, lem, blocks, confidence, sympy.Add(main.rhs, -confidence),
                       split or ())
