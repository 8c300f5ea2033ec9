"""The recurring moves of a parameter-cover chain, written once for every chain that uses them.

A chain that bounds the generalisation gap of a class Lipschitz in its parameters goes through the
same moves whatever the class: read the Lipschitz fact, apply the product-net lemma with as many
blocks as the fact has, cover each parameter set with its net lemma, and, inside Dudley's integral,
split the square root of the entropy with sqrt-subadditivity and linearity and close each block with
the log+ integral.  Each function here applies registered lemmas through :class:`Derivation` (so
every hypothesis is checked as usual) and returns what the caller needs to read the result.

The net lemma of a kind of parameter set is looked up in :data:`NET_LEMMAS`; a researcher adds a
kind with :func:`register_net`.

Examples
--------
>>> import sympy
>>> from lemmas.objects import logplus
>>> from lemmas.symbols import eps, k
>>> entropy_blocks([2 * logplus(5 / eps), 3 * k * logplus(7 / eps)], eps)
[(2, 5), (3*k, 7)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sympy

import lemmas
from lemmas.objects import (NORMS, CoveringNumber, GeneralisationGap, GroupLipschitz, LipschitzInParameters,
                           RademacherComplexity, logplus)
from lemmas.symbols import L_loss, c, delta, n

from .engine import Derivation, DerivationError
from .integrals import logplus_integral

__all__ = ["generalisation_chain", "NET_LEMMAS", "register_net", "fact_of", "lipschitz_fact", "parameter_cover", "group_fact", "group_cover", "apply_nets", "entropy_blocks",
           "close_entropy_integral", "ClosedBlock", "confidence_part", "integral_limits"]

#: parameter-set kind -> (net lemma name, function of the set's arguments giving the lemma's mapping)
NET_LEMMAS: dict[str, tuple[str, Callable]] = {
    "lowrank": ("low-rank-net-ball", lambda n1, n2, r, B: dict(n_1=n1, n_2=n2, r=r, B=B)),
    "ball": ("volumetric-net", lambda k, R: dict(k=k, R=R)),
    "l11ball": ("maurey-l1-ball-net", lambda rows, cols, M: dict(m_1=rows, m_2=cols, M=M)),
}


def register_net(kind: str, lemma_name: str, mapping: Callable) -> None:
    """Use ``lemma_name`` to cover parameter sets ``ParameterSet(Tag(kind), *args)``; ``mapping(*args)``
    gives the lemma's parameters (``epsilon`` is added)."""
    NET_LEMMAS[kind] = (lemma_name, mapping)


def fact_of(der: Derivation, kind, F):
    """The one fact of class ``kind`` (a fact atom such as LipschitzInParameters) established for ``F`` in ``der``."""
    facts = [a for a in der.facts if isinstance(a, kind) and a.args[0] == F]
    if len(facts) != 1:
        raise DerivationError(f"expected one {kind.__name__} fact for {F}, found {len(facts)}: establish the lemma "
                              f"that provides it (e.g. the class's perturbation lemma) first")
    return facts[0]


def lipschitz_fact(der: Derivation, F) -> LipschitzInParameters:
    """The one Lipschitz-in-parameters fact established for ``F`` in ``der``."""
    return fact_of(der, LipschitzInParameters, F)


def parameter_cover(der: Derivation, F, eps) -> list:
    """Apply the product-net lemma with as many blocks as the Lipschitz fact of ``F`` has.

    Returns the covering-number atoms of the blocks, in the fact's order.
    """
    fact = lipschitz_fact(der, F)
    blocks = fact.blocks
    mapping = {"F": F, "epsilon": eps}
    for j, (S, norm, L) in enumerate(blocks, 1):
        mapping.update({f"S_{j}": S, f"m_{j}": norm, f"L_{j}": L})
    der.apply(lemmas.lipschitz_parameter_cover(len(blocks)), **mapping)
    covers = der.steps[-1].instance.conclusion.rhs.atoms(CoveringNumber)
    out = []
    for S, norm, _L in blocks:
        match = [c for c in covers if c.args[0] == S and c.args[2] == norm]
        if len(match) != 1:
            raise DerivationError(f"could not find the cover of the parameter set {S} among {covers}")
        out.append(match[0])
    return out


def group_fact(der: Derivation, F) -> GroupLipschitz:
    """The one grouped Lipschitz fact established for ``F`` in ``der``."""
    return fact_of(der, GroupLipschitz, F)


def group_cover(der: Derivation, F, eps, split=None) -> list:
    """Apply the grouped product-net lemma to the grouped Lipschitz fact of ``F``.

    ``split`` gives the eps weights ``t_j`` of the groups (a free choice with ``sum_j M_j t_j <= 1``); by
    default every block gets the same share ``1/m``, ``m = sum_j M_j``.  Returns ``[(M_j, log N atom)]``.
    """
    fact = group_fact(der, F)
    groups = fact.groups
    if split is None:
        m = sympy.factor(sympy.expand(sympy.Add(*[M for *_, M in groups])))
        split = [1 / m] * len(groups)
    if len(split) != len(groups):
        raise DerivationError(f"the eps split has {len(split)} weights for {len(groups)} groups")
    mapping = {"F": F, "epsilon": eps}
    for j, ((S, norm, L, M), t) in enumerate(zip(groups, split), 1):
        mapping.update({f"S_{j}": S, f"m_{j}": norm, f"L_{j}": L, f"M_{j}": M, f"t_{j}": t})
    der.apply(lemmas.depth.lipschitz_group_cover(len(groups)), **mapping)
    covers = der.steps[-1].instance.conclusion.rhs.atoms(CoveringNumber)
    out = []
    for (S, norm, L, M), t in zip(groups, split):
        scale = t * eps / L
        match = [c for c in covers if c.args[0] == S and c.args[2] == norm and c.args[1] == scale]
        if len(match) != 1:
            raise DerivationError(f"could not find the cover of the group {S} among {covers}")
        out.append((M, match[0]))
    return out


def apply_nets(der: Derivation, covers, nets: dict | None = None) -> list:
    """Cover each parameter set by its net lemma (a spectral cover first by a Frobenius one).

    ``nets`` maps parameter-set kinds to net lemmas as :data:`NET_LEMMAS` does (default: that table), so a
    chain can use other valid nets for some kinds (the sharper nets of ``derive.tighten``).  Returns the
    entropy term each net lemma put in place of ``log N`` (``D log+(C/eps)``), in order.
    """
    table = NET_LEMMAS if nets is None else nets
    terms = []
    for N in covers:
        S, e, norm, _internal = N.args
        if norm == NORMS["spec"]:
            der.apply("cover-spec-by-fro", S=S, epsilon=e)
        kind = str(S.args[0])
        if kind not in table:
            raise DerivationError(f"no net lemma for parameter sets of kind {kind!r} ({S}); register one with "
                                  f"derive.steps.register_net")
        name, mapping = table[kind]
        der.apply(name, epsilon=e, **mapping(*S.args[1:]))
        terms.append(der.steps[-1].instance.conclusion.rhs)
    return terms


def entropy_blocks(terms, eps) -> list:
    """``[(D, C), ...]`` for a sum (or list) of entropy terms ``D log+(C/eps)`` (C free of eps)."""
    if isinstance(terms, sympy.Basic):
        terms = sympy.Add.make_args(terms)
    out = []
    for term in terms:
        lps = term.atoms(logplus)
        if len(lps) != 1:
            raise DerivationError(f"{term} is not of the form D log+(C/eps)")
        (lp,) = lps
        D = term.xreplace({lp: sympy.S.One})          # structurally, so that the pattern matches the bound
        C = lp.args[0] * eps
        if D.has(eps) or C.has(eps):
            raise DerivationError(f"{term} is not of the form D log+(C/eps) with D and C free of {eps}")
        out.append((D, C))
    return out


@dataclass(frozen=True)
class ClosedBlock:
    """One block of a closed entropy integral: sqrt(D) I(C, U)."""

    D: Any
    C: Any
    U: Any
    integral: Any


def integral_limits(expr) -> tuple:
    """The (variable, lower, upper) of the single integral in ``expr``."""
    integrals = expr.atoms(sympy.Integral)
    if len(integrals) != 1:
        raise DerivationError(f"expected one integral in the bound, found {len(integrals)}")
    (integ,) = integrals
    (lim,) = integ.limits
    return lim


def close_entropy_integral(der: Derivation, terms, eps) -> list:
    """Turn ``int_lo^U sqrt(sum_j D_j log+(C_j/eps)) d eps`` in the bound into ``sum_j sqrt(D_j) I(C_j, U)``.

    Applies sqrt-subadditivity and linearity with as many terms as there are blocks, then the closed
    form of the log+ integral for each block.  Returns the blocks as :class:`ClosedBlock`.
    """
    m = len(terms)
    _, lo, U = integral_limits(der.rhs)
    if m >= 2:
        der.apply(lemmas.sqrt_subadditive(m), **{f"a_{j}": t for j, t in enumerate(terms, 1)})
        der.apply(lemmas.integral_linearity(m), lo=lo, hi=U,
                  **{f"f_{j}": sympy.sqrt(t) for j, t in enumerate(terms, 1)})
    out = []
    for D, C in entropy_blocks(terms, eps):
        der.apply(logplus_integral(), D=D, C=C, U=U)
        out.append(ClosedBlock(D, C, U, der.steps[-1].instance.conclusion.rhs))
    if der.rhs.has(sympy.Integral) or der.rhs.has(CoveringNumber):
        raise DerivationError(f"the chain did not close: {der.rhs}")
    return out


def confidence_part(step):
    """The confidence term of a generalisation step: its right side with the Rademacher complexity at 0."""
    rhs = step.instance.conclusion.rhs
    return rhs.xreplace({a: 0 for a in rhs.atoms(RademacherComplexity)})


def generalisation_chain(name: str, F, cover_lemma, terms, output_lemma, dudley: str, b, eps, *, title: str = "",
                         what_if: bool = False, constants: dict | None = None):
    """The bound on the generalisation gap of ``F`` from its covering-number lemma, as every chain here goes.

    Rademacher generalisation theorem, contraction, the output bound (``output_lemma`` establishes it), Dudley
    (``dudley`` with alpha = 0 and upper limit ``b``), sup-norm covers for L2(S) covers, the covering lemma,
    then the entropy integral closed block by block (``terms``: the entropy ``D log+(C/eps)`` of each block).
    Returns ``(derivation, confidence term, closed blocks)``.
    """
    main = Derivation(name, GeneralisationGap(F, n), title=title, what_if=what_if, constants=dict(constants or {}))
    main.apply("rademacher-generalisation", F=F, n=n, c=c, delta=delta)
    confidence = confidence_part(main.steps[-1])
    main.apply("contraction", F=F, n=n, L_loss=L_loss)
    main.establish(output_lemma)
    main.apply(dudley, F=F, n=n, alpha=0, b=b)
    main.apply("cover-L2S-by-sup", F=F, epsilon=eps)
    main.apply(cover_lemma)
    closed = close_entropy_integral(main, terms, eps)
    return main, confidence, closed
