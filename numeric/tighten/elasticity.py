"""Elasticities of a composed bound: ``d log(bound) / d log(x)`` for its named constants and its parameters.

The chain is composed again with every named constant kept as a symbol (``derive.tighten.symbolic_constants``),
so the derivative is SymPy's exact derivative of the bound's expression, evaluated at the point (mpmath,
integrals by quadrature).  Where the expression is only piecewise smooth, it is first resolved at the point:
the trivial cap ``min(B_f, X)`` becomes its smaller argument, and an open entropy integral is cut at its
indicators' breakpoints into integrals of ``sqrt(A log(1 + K/x))`` whose limits are the breakpoints
themselves -- so the derivative carries the boundary terms (Leibniz's rule) a jump of the integrand
contributes.  The resolved expression is checked to equal the bound at the point.

An elasticity of 0.5 says: raising the constant by 1% raises the bound by about 0.5%.  Where the bound has
no derivative (the hidden-layer blocks carry sqrt(L - 1), so at L = 1 the derivative in L is infinite) the
elasticity is None.

Examples
--------
>>> from numeric.params import Params
>>> e = elasticities((), Params.from_preset(), {}, dps=20)
>>> round(float(e.constants["c_dudley"]), 6), round(float(e.parameters["n"]), 6)
(0.999857, -0.5)
>>> float(e.parameters["T"])          # the bound does not depend on the sequence length
0.0
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import sympy

import derive.tighten as T
from lemmas.symbols import SETTING_SYMBOLS, H, L
from lemmas.tightness import Cap
from numeric.backends.mp import mp_eval, to_mpf
from numeric.errors import NotCertified
from numeric.evaluate import GUARD_DIGITS, Value, check_dps
from numeric.params import Params

from .chain import exact_choices
from .integrals import plan_integral

__all__ = ["Elasticities", "elasticities", "resolve"]

PARAMETERS = tuple(SETTING_SYMBOLS) + (H, L)


@dataclass(frozen=True)
class Elasticities:
    constants: dict          # name -> Value
    parameters: dict         # name -> Value
    value: object            # the bound at the point (mpmath), for the check

    def to_json(self, fmt) -> dict:
        f = lambda v: None if v is None else fmt(v)          # noqa: E731
        return {"constants": {k: f(v) for k, v in self.constants.items()},
                "parameters": {k: f(v) for k, v in self.parameters.items()}}


def resolve(expr, point: dict):
    """``expr`` with its min() outside integrals and its open integrals resolved at ``point`` (see module)."""
    reps = {}
    for integral in expr.atoms(sympy.Integral):
        plan = plan_integral(integral)
        lo, hi = mp_eval(plan.lo, point), mp_eval(plan.hi, point)
        cuts = [(mp_eval(c_, point), c_) for c_ in plan.cuts]
        inside = sorted([(v, e) for v, e in cuts if lo < v < hi], key=lambda t: t[0])
        pts = [(lo, plan.lo)] + inside + [(hi, plan.hi)]
        x = plan.var
        total = sympy.S.Zero
        for (a, ae), (b, be) in zip(pts, pts[1:]):
            mid = (a + b) / 2
            ones = tuple(1 if mid <= v else 0 for v, _ in cuts)
            form = plan.form(ones)
            if form is None:
                continue
            A, K = form
            total += sympy.sqrt(A) * sympy.Integral(sympy.sqrt(sympy.log(1 + K / x)), (x, ae, be))
        reps[integral] = total
    out = expr.xreplace(reps)
    caps = [c_ for c_ in out.atoms(Cap) if not any(isinstance(a, sympy.floor) for a in c_.args)]
    for cap in sorted(caps, key=lambda e: sympy.count_ops(e)):
        vals = [(mp_eval(a, point), a) for a in cap.args]
        out = out.xreplace({cap: min(vals, key=lambda t: t[0])[1]})
    return out


@lru_cache(maxsize=256)
def _derivative(expr, s):
    return sympy.diff(expr, s)


def elasticities(choices: tuple, params: Params, choice_values: dict, dps: int = 30,
                 parameters: bool = True) -> Elasticities:
    """Elasticities of the bound of the chain with ``choices`` at ``params`` and ``choice_values``."""
    dps = check_dps(dps)
    th = T.tightened(choices)
    sym, syms, const_values = T.symbolic_constants(th)
    point_exact = dict(params.sympy_values())
    point_exact.update(exact_choices({s: v for s, v in choice_values.items() if sym.bound.has(s)}))
    point_exact.update(const_values)
    with mpmath.workdps(dps + GUARD_DIGITS):
        point = {s: to_mpf(v) for s, v in point_exact.items()}
        expr = resolve(sym.bound, point)
        value = mp_eval(expr, point)
        check = mp_eval(resolve(th.bound, point), point)
        if not mpmath.almosteq(value, check, rel_eps=mpmath.mpf(10) ** (-dps)):
            raise NotCertified(f"the symbolic-constant chain gives {value} at the point, the theorem {check}")

        def elasticity(s):
            if not expr.has(s):
                return mpmath.mpf(0)
            d = _derivative(expr, s)
            try:
                out = point[s] * mp_eval(d, point) / value
            except ZeroDivisionError:          # e.g. sqrt(L - 1) at L = 1: no derivative there
                return None
            return out if mpmath.isfinite(out) else None

        consts = {name: elasticity(s) for name, s in sorted(syms.items())}
        params_e = {s.name: elasticity(s) for s in PARAMETERS} if parameters else {}
    with mpmath.workdps(dps):
        r = lambda x: None if x is None else Value(+x, dps)      # noqa: E731
        return Elasticities({k: r(v) for k, v in consts.items()}, {k: r(v) for k, v in params_e.items()}, r(value))
