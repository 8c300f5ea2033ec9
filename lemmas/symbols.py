"""The symbols of the setting (MATH.md section 1), with declared assumptions.

Counts are positive integers; radii, Lipschitz constants and the loss range
are positive reals; ``delta`` is a positive real (the constraint ``delta < 1``
is a hypothesis of the generalisation lemma, not an assumption).
"""

from __future__ import annotations

from sympy import Symbol, symbols

__all__ = [
    "n", "d", "k", "r_w", "r_v", "T",
    "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c", "delta",
    "eps", "SETTING_SYMBOLS", "COUNT_SYMBOLS", "B_f",
]

# counts
n, d, k, r_w, r_v, T = symbols("n d k r_w r_v T", positive=True, integer=True)

# radii and constants of the class and the loss
B_X = Symbol("B_X", positive=True)
B_w = Symbol("B_w", positive=True)
B_V = Symbol("B_V", positive=True)
B_QK = Symbol("B_QK", positive=True)
L_sigma = Symbol("L_sigma", positive=True)
L_loss = Symbol("L_loss", positive=True)
c = Symbol("c", positive=True)
delta = Symbol("delta", positive=True)

# the scale of covers
eps = Symbol("epsilon", positive=True)

#: the output bound |f(X)| <= B_f (MATH.md section 1)
B_f = L_sigma * B_w * B_V * B_X

COUNT_SYMBOLS = (n, d, k, r_w, r_v, T)
SETTING_SYMBOLS = (n, d, k, r_w, r_v, T, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta)
