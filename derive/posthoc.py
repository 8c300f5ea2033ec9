"""Post-hoc bounds for trained weights: a union bound over a grid of radii and ranks fixed in advance
(MATH.md section 9).

Sections 5 and 8 hold for a class fixed before the sample is seen; radii and ranks measured on a trained
model are chosen after.  The repair: fix a grid in advance -- radii ``B = B_0 2^i`` (``i = 0, 1, ...``) with
weight ``pi(i) = 1/((i+1)(i+2))`` for each of ``B_w, B_V, B_QK``, ranks ``r_w, r_v`` in ``{1..d}`` with weight
``1/d`` each -- and instantiate the deep theorem in every cell at ``delta_cell = delta * p_cell`` (``p_cell``
the product of the cell's weights).  The weights sum to 1 (SymPy evaluates the sums), so the grid lemma
``union-bound-grid`` makes every cell's bound hold simultaneously with probability at least ``1 - delta``;
a trained model lies in the cell with each radius rounded up to the grid and its measured ranks.

Examples
--------
>>> th = posthoc_theorem()
>>> th.failure
delta
>>> sorted(str(s) for s in th.indices)
['i_QK', 'i_V', 'i_w']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy
from sympy import Rational, Sum, oo

from lemmas.depth import deep_class
from lemmas.objects import GeneralisationGap
from lemmas.symbols import B_QK, B_V, B_w, H, L, d, delta, n

from .deep import deep_theorem
from .engine import Composed, Derivation

__all__ = ["B0", "radius", "weight", "PosthocTheorem", "posthoc_theorem", "cell_of"]

#: the grid's unit radius (fixed in advance)
B0 = Rational(1, 2 ** 10)
i_w, i_V, i_QK = sympy.symbols("i_w i_V i_QK", nonnegative=True, integer=True)
_i = sympy.Symbol("i", nonnegative=True, integer=True)
_r = sympy.Symbol("r", positive=True, integer=True)


def radius(i):
    """The grid radius of index i: B_0 2^i."""
    return B0 * 2 ** i


def weight(i):
    """The grid weight of radius index i: 1/((i+1)(i+2)) (they sum to 1 over i >= 0)."""
    return 1 / ((i + 1) * (i + 2))


@dataclass(frozen=True, eq=False)
class PosthocTheorem(Composed):
    """Its ``bound`` (Composed) is the cell's bound, free in the cell indices and ranks."""

    derivation: Derivation
    lemma: Any
    p_cell: Any              # the cell's weight
    total: Any               # the sum of the weights over the grid (an unevaluated SymPy Sum product)
    indices: tuple


@lru_cache(maxsize=None)
def posthoc_theorem(variant: str = "default") -> PosthocTheorem:
    """The post-hoc theorem: for every cell of the grid simultaneously, w.p. >= 1 - delta."""
    base = deep_theorem(variant)
    cell = {B_w: radius(i_w), B_V: radius(i_V), B_QK: radius(i_QK)}
    p_cell = weight(i_w) * weight(i_V) * weight(i_QK) / d ** 2
    total = Sum(weight(_i), (_i, 0, oo)) ** 3 * Sum(1 / d, (_r, 1, d)) ** 2
    der = Derivation("posthoc-deep-theorem", GeneralisationGap(deep_class().xreplace(cell), n),
                     title="post-hoc bound: every cell of the grid of radii and ranks at once")
    der.apply(base.lemma, B_w=cell[B_w], B_V=cell[B_V], B_QK=cell[B_QK], delta=delta * p_cell)
    der.union_over_grid("union-bound-grid", delta=delta, p=p_cell, W=total)
    lem = der.as_lemma("posthoc-deep-theorem",
                       title="w.p. >= 1 - delta, for every cell of the grid (radii B_0 2^i, ranks <= d) and every "
                             "model in it: L <= L_S + the cell's bound at delta_cell",
                       citation="MATH.md section 9 (post-hoc repair as in Bartlett, Foster & Telgarsky 2017)",
                       family="theorem", example={i_w: 10, i_V: 10, i_QK: 10, H: 2, L: 2})
    return PosthocTheorem(der, lem, p_cell, total, (i_w, i_V, i_QK))


def cell_of(B_w_measured, B_V_measured, B_QK_measured) -> dict:
    """The grid cell containing measured radii: each index the smallest i >= 0 with B_0 2^i >= the radius.

    Returns ``{"indices": {...}, "radii": {...}}`` with exact values; a radius must be a positive number.
    """
    out_i, out_r = {}, {}
    for name, v in (("B_w", B_w_measured), ("B_V", B_V_measured), ("B_QK", B_QK_measured)):
        x = sympy.nsimplify(v) if not isinstance(v, sympy.Basic) else v
        if not (x.is_number and x.is_positive):
            raise ValueError(f"{name}: the measured radius must be a positive number, got {v!r}")
        i = 0
        while radius(i) < x:
            i += 1
        out_i[name], out_r[name] = i, radius(i)
    return {"indices": out_i, "radii": out_r}
