"""A direct mpmath evaluator of SymPy expression trees, integrals included.

Independent of ``lambdify``: it walks the tree and evaluates ``Integral`` by
``mpmath.quad`` (with breakpoints where a log+ integrand has its kink), so it
serves as the step-by-step oracle for the compiled closed form.  Call it
inside a local precision context (``mpmath.workdps``).

Examples
--------
>>> import mpmath, sympy
>>> x = sympy.Symbol("x", positive=True)
>>> with mpmath.workdps(20):
...     v = mp_eval(sympy.Integral(x**2, (x, 0, 1)), {})
>>> mpmath.nstr(v, 10)
'0.3333333333'
"""

from __future__ import annotations

import mpmath
import sympy
from sympy import Integral, Piecewise

from lemmas.objects import logplus

__all__ = ["mp_eval", "NotEvaluable", "mp_logplus", "to_mpf", "MP_MODULES"]


class NotEvaluable(ValueError):
    """The expression holds an unevaluated symbolic object or an unknown symbol."""


def mp_logplus(x):
    """max(0, log x) in the current mpmath context."""
    return mpmath.log(x) if x > 1 else mpmath.mpf(0)


#: ``sympy.lambdify`` modules for mpmath: log+ and the error functions of the closed-form integrals
MP_MODULES = [{"logplus": mp_logplus, "erfc": mpmath.erfc, "erf": mpmath.erf}, "mpmath"]


def to_mpf(v):
    """An exact int/Fraction/sympy number as an mpf at the current precision."""
    from fractions import Fraction
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    if isinstance(v, sympy.Basic):
        return mp_eval(v, {})
    return mpmath.mpf(v)


_FUNCS = {
    sympy.log: mpmath.log, sympy.exp: mpmath.exp, sympy.erf: mpmath.erf, sympy.erfc: mpmath.erfc,
    logplus: mp_logplus, sympy.Abs: abs, sympy.gamma: mpmath.gamma,
    sympy.ceiling: mpmath.ceil, sympy.floor: mpmath.floor, sympy.Min: min, sympy.Max: max,
}


def mp_eval(expr, values: dict):
    """Evaluate ``expr`` with ``values`` (Symbol or object -> number) in the current mpmath context."""
    if expr in values:
        return to_mpf(values[expr])
    if isinstance(expr, sympy.Integer):
        return mpmath.mpf(int(expr))
    if isinstance(expr, sympy.Rational):
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if isinstance(expr, sympy.Float):
        return mpmath.mpf(expr._mpf_) if hasattr(expr, "_mpf_") else mpmath.mpf(str(expr))
    if expr is sympy.pi:
        return +mpmath.pi
    if expr is sympy.E:
        return mpmath.e
    if isinstance(expr, sympy.Add):
        return mpmath.fsum(mp_eval(a, values) for a in expr.args)
    if isinstance(expr, sympy.Mul):
        out = mpmath.mpf(1)
        for a in expr.args:
            out *= mp_eval(a, values)
        return out
    if isinstance(expr, sympy.Pow):
        base, e = expr.args
        if e == sympy.S.Half:
            return mpmath.sqrt(mp_eval(base, values))
        if e == -sympy.S.Half:
            return 1 / mpmath.sqrt(mp_eval(base, values))
        if isinstance(e, sympy.Integer):
            return mp_eval(base, values) ** int(e)
        return mpmath.power(mp_eval(base, values), mp_eval(e, values))
    if isinstance(expr, sympy.uppergamma):
        s, x = expr.args
        return mpmath.gammainc(mp_eval(s, values), mp_eval(x, values), mpmath.inf)
    for f, g in _FUNCS.items():
        if isinstance(expr, f):
            return g(*(mp_eval(a, values) for a in expr.args))
    if isinstance(expr, Piecewise):
        for e, cond in expr.args:
            if cond is sympy.true or _cond(cond, values):
                return mp_eval(e, values)
        raise NotEvaluable(f"no branch of {expr} holds")
    if isinstance(expr, Integral):
        return _integral(expr, values)
    if isinstance(expr, sympy.Symbol):
        raise NotEvaluable(f"no value for the symbol {expr}")
    raise NotEvaluable(f"cannot evaluate {sympy.sstr(expr)[:200]} numerically")


def _cond(cond, values):
    if isinstance(cond, sympy.And):
        return all(_cond(a, values) for a in cond.args)
    if isinstance(cond, sympy.Or):
        return any(_cond(a, values) for a in cond.args)
    if isinstance(cond, sympy.core.relational.Relational):
        a, b = mp_eval(cond.lhs, values), mp_eval(cond.rhs, values)
        return {"<=": a <= b, "<": a < b, ">=": a >= b, ">": a > b, "==": a == b, "!=": a != b}[cond.rel_op]
    raise NotEvaluable(f"cannot decide the condition {cond}")


def _integral(expr: Integral, values):
    if len(expr.limits) != 1 or len(expr.limits[0]) != 3:
        raise NotEvaluable(f"only one definite integral at a time: {expr}")
    x, lo, hi = expr.limits[0]
    a, b = mp_eval(lo, values), mp_eval(hi, values)
    f = expr.function
    # breakpoints: where a log+ argument C/x crosses 1 (the kink), inside (a, b)
    points = [a]
    for lp in f.atoms(logplus):
        kink = sympy.solve(sympy.Eq(lp.args[0], 1), x)
        for k in kink:
            try:
                kv = mp_eval(k, values)
            except NotEvaluable:
                continue
            if a < kv < b:
                points.append(kv)
    points = sorted(set(points)) + [b]

    def g(t):
        vals = dict(values)
        vals[x] = t
        return mp_eval(f, vals)

    return mpmath.quad(g, points)
