"""Growth of a composed bound in one parameter (heads H, layers L, ...), decided block by block.

A chain closed by :func:`derive.steps.close_entropy_integral` is ``prefactor * sum_j sqrt(D_j) I(C_j, U)``
plus a confidence term, with ``I(C, U) = U g(C/U)`` and ``g(x) = sqrt(log x) + x (sqrt(pi)/2)
erfc(sqrt(log x))`` for ``x > 1`` (``C sqrt(pi)/2`` below).  As ``x -> oo``, ``g(x) ~ sqrt(log x)``
(SymPy decides ``x erfc(sqrt(log x)) / sqrt(log x) -> 0``).  So each block grows like
``s^(e_D/2 + e_U)`` times ``sqrt(log s)`` (when ``log(C/U)`` grows like ``a log s``), ``sqrt(s)`` (when
it grows like ``b s``) or 1 (when it stays bounded), where ``D ~ s^e_D`` and ``U ~ s^e_U``.  Each of
these is a limit of a small expression that SymPy decides; the claim lists them all, and a limit
SymPy cannot decide leaves the claim unknown.

Examples
--------
>>> import derive
>>> from lemmas.symbols import H
>>> growth_claim(derive.deep_theorem(), H).statement
'the bound grows as Theta(H*sqrt(log(H)))'
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import log, oo, sqrt

from .claims import Claim, _conditions_text

__all__ = ["BlockGrowth", "block_growth", "growth_claim", "g_is_sqrt_log"]

_EXPONENTS = (sympy.S.Zero, sympy.Rational(1, 2), sympy.S.One, sympy.Rational(3, 2), sympy.Integer(2))


@dataclass(frozen=True)
class BlockGrowth:
    name: str
    e_D: object            # D ~ s^e_D (None: undecided)
    e_U: object            # U ~ s^e_U
    log_kind: str          # "bounded" | "log" (log(C/U) ~ a log s) | "linear" (log(C/U) ~ b s) | "?"
    rate: object           # log(C/U) / log s -> a, or log(C/U) / s -> b
    vanishes: bool         # D = 0 identically (the block is absent)

    @property
    def growth(self):
        """(power of s, power of log s) of sqrt(D) I(C, U), or None when undecided."""
        if self.e_D is None or self.e_U is None or self.log_kind == "?":
            return None
        p = self.e_D / 2 + self.e_U
        if self.log_kind == "linear":
            return (p + sympy.Rational(1, 2), 0)
        if self.log_kind == "log":
            return (p, sympy.Rational(1, 2))
        return (p, 0)


def _exponent(expr, s):
    """e with expr ~ c s^e (c positive, finite) as s -> oo, among simple exponents; None if none fits."""
    if not expr.has(s):
        return sympy.S.Zero
    for e in _EXPONENTS:
        lim = sympy.limit(expr / s ** e, s, oo)
        if lim.is_finite and lim.is_positive:
            return e
        if lim.is_finite is True and lim.is_zero is not True and lim.free_symbols and lim.is_nonnegative:
            return e             # a coefficient >= 0 that may vanish (e.g. r_v (d+k+1) (L-1): no hidden layer)
    return None


def block_growth(block, s) -> BlockGrowth:
    D, C, U = block.D, block.C, block.U
    if D == 0:
        return BlockGrowth(block.name, None, None, "?", None, True)
    e_D, e_U = _exponent(D, s), _exponent(U, s)
    r = sympy.simplify(C / U)
    kind, rate = "?", None
    if not r.has(s):
        kind, rate = "bounded", sympy.S.Zero
    else:
        b = sympy.limit(log(r) / s, s, oo)
        if b.is_finite and b.is_positive is not False and b != 0:
            kind, rate = "linear", b
        else:
            a = sympy.limit(log(r) / log(s), s, oo)
            if a.is_finite and a != 0:
                kind, rate = "log", a
            elif a == 0:
                kind, rate = "bounded", a
    return BlockGrowth(block.name, e_D, e_U, kind, rate, False)


def g_is_sqrt_log() -> bool:
    """x erfc(sqrt(log x)) / sqrt(log x) -> 0: so g(x) = sqrt(log x) + x (sqrt(pi)/2) erfc(...) ~ sqrt(log x)."""
    x = sympy.Symbol("x", positive=True)
    return sympy.limit(x * sympy.erfc(sqrt(log(x))) / sqrt(log(x)), x, oo) == 0


def growth_claim(theorem, s, key: str | None = None) -> Claim:
    """The growth of ``theorem.bound`` in ``s`` (other parameters fixed), block by block."""
    rows = [block_growth(b, s) for b in theorem.blocks]
    present = [r for r in rows if not r.vanishes]
    conditions = [("g(x) ~ sqrt(log x) as x -> oo (SymPy limit)", g_is_sqrt_log())]
    for r, b in zip(rows, theorem.blocks):
        if r.vanishes:
            continue
        lead = sympy.limit(b.D / s ** r.e_D, s, oo) if r.e_D is not None else None
        note = "" if lead is None or lead.is_positive else f" (present when {sympy.sstr(lead)} > 0)"
        conditions.append((f"block {r.name}{note}: D ~ {s}^{r.e_D}, U ~ {s}^{r.e_U}, log(C/U) {r.log_kind}"
                           + (f" (rate {sympy.sstr(r.rate)})" if r.rate is not None else ""),
                           r.growth is not None))
    conf = theorem.confidence
    conditions.append((f"the confidence term is free of {s}", not conf.has(s)))
    growths = [r.growth for r in present]
    key = key or f"growth-{s}"
    if any(g is None for g in growths) or not all(v is True for _, v in conditions):
        return Claim(key, f"the growth of the bound in {s}", "unknown",
                     "not every limit was decided: " + _conditions_text(conditions), tuple(conditions))
    p, q = max(growths)
    rate = s ** p * log(s) ** q
    statement = f"the bound grows as Theta({sympy.sstr(rate)})"
    table = "; ".join(f"{r.name}: sqrt(D) I(C, U) ~ {sympy.sstr(s ** r.growth[0] * log(s) ** r.growth[1])}"
                      for r in present)
    return Claim(key, statement, "proved",
                 f"blockwise, {table} (with the other parameters fixed); the largest is {sympy.sstr(rate)} "
                 f"[conditions: {_conditions_text(conditions)}]", tuple(conditions))
