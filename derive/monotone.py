"""Structural monotonicity: in which direction does an expression move with a placeholder ``z``?

One rule (:func:`direction`) reads declarations, as CVXPY's composition rule reads each atom's
``is_incr(idx)`` / ``is_decr(idx)``: a SymPy function class declares how it moves in each argument
through a ``monotonicity`` attribute (a tuple with one entry per argument: ``+1`` nondecreasing,
``-1`` nonincreasing, ``0`` does not depend on it, ``None`` neither), or the built-in table
:data:`DECLARED` says it for SymPy's own functions.  A function a researcher adds is checked by
declaring its ``monotonicity``, without editing this module.

Three-valued like every check here, with a direction: :func:`direction` returns ``+1``
(nondecreasing in ``z``), ``-1`` (nonincreasing), ``0`` (constant) or ``None`` (unknown).  The
range of ``z`` is what its assumptions say (a positive placeholder ranges over ``(0, oo)``, a
nonnegative one over ``[0, oo)``, a real one over the reals): the engine gives the placeholder the
sign of the quantity it stands for.

Examples
--------
>>> import sympy
>>> z = sympy.Symbol("z", positive=True)
>>> x = sympy.Symbol("x", positive=True)
>>> direction(3 * sympy.sqrt(z + x), z)
1
>>> direction(1 / (1 + z), z)
-1
>>> direction(sympy.sin(z), z) is None
True
>>> nondecreasing_in(1 / z, z)
False
"""

from __future__ import annotations

import sympy
from sympy import Add, Integral, Mul, Piecewise, Pow

from lemmas.objects import CoveringNumber, logplus

__all__ = ["direction", "nondecreasing_in", "nonnegative", "DECLARED"]

#: monotonicity of SymPy's own functions, per argument (the house objects declare theirs)
DECLARED = {
    sympy.log: (1,),
    sympy.exp: (1,),
    sympy.erf: (1,),
    sympy.erfc: (-1,),
    sympy.atan: (1,),
    sympy.asinh: (1,),
    sympy.ceiling: (1,),
    sympy.floor: (1,),
    sympy.Max: None,          # nondecreasing in every argument (variadic)
    sympy.Min: None,
    sympy.uppergamma: (None, -1),
    sympy.lowergamma: (None, 1),
}
_VARIADIC_INCREASING = (sympy.Max, sympy.Min)


def _declared(expr):
    """The per-argument directions a function declares, or None when it declares none."""
    cls = type(expr)
    own = getattr(cls, "monotonicity", None)
    if own is not None:
        return tuple(own)
    for base, dirs in DECLARED.items():
        if isinstance(expr, base):
            if base in _VARIADIC_INCREASING:
                return (1,) * len(expr.args)
            return dirs
    return None


def _combine(dirs):
    """The direction of a sum of terms moving in ``dirs`` (None if any is unknown or they oppose)."""
    dirs = list(dirs)
    if any(d is None for d in dirs):
        return None
    moving = {d for d in dirs if d != 0}
    if not moving:
        return 0
    return moving.pop() if len(moving) == 1 else None


def _sign(expr):
    """+1 if ``expr >= 0``, -1 if ``expr <= 0`` (proved from assumptions), None otherwise."""
    if nonnegative(expr) is True:
        return 1
    if expr.is_nonpositive:
        return -1
    return None


def direction(expr, z):
    """How ``expr`` moves with ``z`` over ``z``'s range: +1, -1, 0 or None (unknown)."""
    if not expr.has(z):
        return 0
    if expr == z:
        return 1
    if isinstance(expr, Add):
        return _combine(direction(a, z) for a in expr.args)
    if isinstance(expr, Mul):
        moving = [a for a in expr.args if a.has(z)]
        coeff = Mul(*[a for a in expr.args if not a.has(z)])
        s = _sign(coeff)
        if s is None:
            return None
        if len(moving) == 1:
            d = direction(moving[0], z)
            return None if d is None else s * d
        # a product of nonnegative factors all moving the same way moves that way
        if not all(nonnegative(a) is True for a in moving):
            return None
        d = _combine(direction(a, z) for a in moving)
        return None if d is None else s * d
    if isinstance(expr, Pow):
        base, e = expr.args
        if not e.has(z):
            d = direction(base, z)
            if d is None:
                return None
            if e.is_positive and nonnegative(base) is True:
                return d
            if e.is_negative and base.is_positive:
                return -d
            if e.is_integer and e.is_odd and e.is_positive:
                return d
            return None
        if base.has(z):
            return None
        d = direction(e, z)
        if d is None:
            return None
        if (base - 1).is_nonnegative and base.is_positive:
            return d
        if base.is_positive and (base - 1).is_nonpositive:
            return -d
        return None
    if isinstance(expr, Integral):
        return _integral_direction(expr, z)
    if isinstance(expr, Piecewise):
        if any(cond.has(z) for _, cond in expr.args):
            return None
        return _combine(direction(e, z) for e, _ in expr.args)
    dirs = _declared(expr)
    if dirs is not None and len(dirs) == len(expr.args):
        out = []
        for a, dd in zip(expr.args, dirs):
            if not a.has(z):
                continue
            if dd is None or dd == 0:
                return None if dd is None else 0
            d = direction(a, z)
            out.append(None if d is None else dd * d)
        return _combine(out)
    return None


def _integral_direction(expr, z):
    """An integral moves as its integrand when its limits are ordered (lower <= upper); a moving
    upper (lower) limit adds (removes) the mass of a nonnegative integrand, whatever the order
    (d/d hi of int_lo^hi f = f(hi), d/d lo = -f(lo))."""
    f = expr.function
    if len(expr.limits) != 1 or len(expr.limits[0]) != 3:
        return None
    _, lo, hi = expr.limits[0]
    out = []
    fd = direction(f, z)
    if fd is None:
        return None
    if fd != 0:
        if (hi - lo).is_nonnegative is not True:
            return None
        out.append(fd)
    if hi.has(z) or lo.has(z):
        if nonnegative(f) is not True:
            return None
        dh, dl = direction(hi, z), direction(lo, z)
        if dh is None or dl is None:
            return None
        out += [dh, -dl]
    return _combine(out)


def nondecreasing_in(expr, z):
    """Whether ``expr`` is nondecreasing in ``z``: True, False (proved nonincreasing and not constant)
    or None (unknown)."""
    d = direction(expr, z)
    if d in (1, 0):
        return True
    if d == -1:
        return False
    return None


def nonnegative(expr):
    """``expr >= 0``, three-valued; integrals of nonnegative integrands over ordered limits included."""
    if isinstance(expr, Integral):
        for lim in expr.limits:
            if len(lim) != 3 or (lim[2] - lim[1]).is_nonnegative is not True:
                return None
        return nonnegative(expr.function)
    if isinstance(expr, (Add, Mul)) and (expr.has(Integral) or expr.has(CoveringNumber)):
        vals = [nonnegative(a) for a in expr.args]
        if isinstance(expr, Add):
            return True if all(v is True for v in vals) else None
        return True if all(v is True for v in vals) else None
    if isinstance(expr, Pow) and (expr.base.has(Integral) or expr.base.has(CoveringNumber)) and expr.exp.is_positive:
        return nonnegative(expr.base)
    if isinstance(expr, sympy.log) and isinstance(expr.args[0], CoveringNumber):
        return True               # a covering number of a nonempty set is >= 1
    if isinstance(expr, logplus):
        return True
    res = expr.is_nonnegative
    if res is None and isinstance(expr, Add) and all(nonnegative(a) is True for a in expr.args):
        return True
    return res
