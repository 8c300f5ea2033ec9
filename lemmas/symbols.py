"""Every symbol shared by more than one module, declared once with its assumptions.

SymPy matches symbols by name *and* assumptions, so a symbol declared twice must be declared
identically; declaring it here once removes that risk.  Three groups:

- the setting (MATH.md section 1): counts are positive integers; radii, Lipschitz constants and the
  loss range are positive reals; ``delta`` is a positive real (``delta < 1`` is a hypothesis of the
  generalisation lemma, not an assumption);
- generic lemma parameters: a function class ``F``, a set ``S``, the scale ``eps`` of covers,
  Dudley's limits ``alpha`` and ``b``, the entropy block ``D, C, U``;
- the named proof constants of the chain (their default values live with the lemmas that prove
  them, as :class:`lemmas.core.Constant`).

Examples
--------
>>> from lemmas.symbols import eps, n
>>> eps.is_positive, n.is_integer
(True, True)
"""

from __future__ import annotations

from sympy import Symbol, symbols

__all__ = [
    "n", "d", "k", "r_w", "r_v", "T", "H", "L",
    "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c", "delta",
    "eps", "SETTING_SYMBOLS", "COUNT_SYMBOLS", "B_f",
    "F", "S", "alpha", "b", "K", "D", "C", "U",
    "n1", "n2", "r", "B", "R",
    "C_NET", "C_VOL", "C_SPLIT", "C_SM", "C_ALPHA", "C_DUDLEY", "C_RAD", "C_CONF", "C_ZHANG",
]

# -- the setting ---------------------------------------------------------------------------------
# counts
n, d, k, r_w, r_v, T = symbols("n d k r_w r_v T", positive=True, integer=True)
#: heads and layers (MATH.md section 8)
H, L = symbols("H L", positive=True, integer=True)

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

# -- generic lemma parameters ---------------------------------------------------------------------
#: a function class and a parameter set, as placeholders in lemmas about any class or set
F = Symbol("F")
S = Symbol("S")
#: Dudley's lower and upper limits
alpha = Symbol("alpha", nonnegative=True)
b = Symbol("b", positive=True)
#: the radius of a norm-based entropy K^2/eps^2
K = Symbol("K", positive=True)
#: an entropy block D log+(C/eps), integrated up to U (D = 0: a group with no blocks, e.g. no hidden layer)
D = Symbol("D", nonnegative=True)
C = Symbol("C", positive=True)
U = Symbol("U", positive=True)
#: matrix shapes, rank and radii of the nets
n1, n2, r = symbols("n_1 n_2 r", positive=True, integer=True)
B = Symbol("B", positive=True)
R = Symbol("R", positive=True)

# -- named proof constants --------------------------------------------------------------------------
C_NET = Symbol("c_net", positive=True)
C_VOL = Symbol("c_vol", positive=True)
C_SPLIT = Symbol("c_split", positive=True)
C_SM = Symbol("c_sm", positive=True)
C_ALPHA = Symbol("c_alpha", positive=True)
C_DUDLEY = Symbol("c_dudley", positive=True)
C_RAD = Symbol("c_rad", positive=True)
C_CONF = Symbol("c_conf", positive=True)
C_ZHANG = Symbol("c_zhang", positive=True)
