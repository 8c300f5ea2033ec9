"""Structural monotonicity: is an expression nondecreasing in a placeholder ``z >= 0``?

Three-valued like every check here: True (proved from the structure and the
symbols' assumptions), False (proved decreasing somewhere), None (unknown).

Examples
--------
>>> import sympy
>>> z = sympy.Symbol("z", nonnegative=True)
>>> x = sympy.Symbol("x", positive=True)
>>> nondecreasing_in(3 * sympy.sqrt(z + x), z)
True
>>> nondecreasing_in(1 / (1 + z), z)
False
>>> nondecreasing_in(sympy.sin(z), z) is None
True
"""

from __future__ import annotations

import sympy
from sympy import Add, Integral, Mul, Piecewise, Pow, log

from lemmas.objects import CoveringNumber, logplus

__all__ = ["nondecreasing_in", "nonnegative"]


def _and(vals):
    vals = list(vals)
    if any(v is False for v in vals):
        return False
    return True if all(v is True for v in vals) else None


def nondecreasing_in(expr, z):
    """Whether ``expr`` is nondecreasing in ``z`` (``z`` ranges over [0, oo))."""
    if not expr.has(z):
        return True
    if expr == z:
        return True
    if isinstance(expr, Add):
        return _and(nondecreasing_in(a, z) for a in expr.args)
    if isinstance(expr, Mul):
        with_z = [a for a in expr.args if a.has(z)]
        without = Mul(*[a for a in expr.args if not a.has(z)])
        if without.is_nonnegative is False or without.is_negative:
            # a negative coefficient turns increasing into decreasing
            inner = nondecreasing_in(Mul(*with_z), z)
            return False if inner is True and not _is_constant(Mul(*with_z), z) else None
        if without.is_nonnegative is not True:
            return None
        if len(with_z) == 1:      # a nonnegative constant times a nondecreasing factor (of any sign)
            return nondecreasing_in(with_z[0], z)
        # product of nonnegative nondecreasing factors is nondecreasing
        return _and([nondecreasing_in(a, z) for a in with_z] + [nonnegative(a) for a in with_z])
    if isinstance(expr, Pow):
        base, e = expr.args
        if e.has(z):
            return None
        if e.is_positive and nonnegative(base):
            return nondecreasing_in(base, z)
        if e.is_negative and base.is_positive:
            inner = nondecreasing_in(base, z)
            return False if inner is True else None
        return None
    if isinstance(expr, (log, logplus, sympy.exp, sympy.erf)):
        return nondecreasing_in(expr.args[0], z)
    if isinstance(expr, sympy.erfc):
        inner = nondecreasing_in(expr.args[0], z)
        return False if inner is True else None
    if isinstance(expr, Integral):
        for lim in expr.limits:
            if len(lim) != 3 or lim[1].has(z) or lim[2].has(z):
                return None
            ordered = (lim[2] - lim[1]).is_nonnegative
            if ordered is not True:
                return None
        return nondecreasing_in(expr.function, z)
    if isinstance(expr, Piecewise):
        if any(cond.has(z) for _, cond in expr.args):
            return None
        return _and(nondecreasing_in(e, z) for e, _ in expr.args)
    return None


def nonnegative(expr):
    """``expr >= 0``, three-valued; integrals of nonnegative integrands over ordered limits included."""
    if isinstance(expr, Integral):
        for lim in expr.limits:
            if len(lim) != 3 or (lim[2] - lim[1]).is_nonnegative is not True:
                return None
        return nonnegative(expr.function)
    if isinstance(expr, (Add, Mul)) and expr.has(Integral):
        return _and(nonnegative(a) for a in expr.args)
    if isinstance(expr, Pow) and expr.base.has(Integral) and expr.exp.is_positive:
        return nonnegative(expr.base)
    if isinstance(expr, log) and isinstance(expr.args[0], CoveringNumber):
        return True               # a covering number of a nonempty set is >= 1
    res = expr.is_nonnegative
    if res is None and isinstance(expr, Add) and all(nonnegative(a) is True for a in expr.args):
        return True
    return res


def _is_constant(expr, z):
    return sympy.diff(expr, z) == 0
