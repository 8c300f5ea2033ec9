"""The entropy integrals the sharper nets leave open: ``int_a^b sqrt(A log(1 + K/x)) 1[x <= cut] dx``.

The sharper nets (``volumetric-net-sharp``, ``low-rank-net-ball-sharp``) have no closed-form Dudley integral,
so their blocks stay ``Integral`` objects in the composed bound.  Each integrand is ``sqrt`` of a coefficient
times ``log(1 + K/x)`` times indicators ``min(1, floor(cut/x))`` (1 for ``x <= cut``, 0 beyond): the
integral is cut at the indicators' breakpoints and each piece is read in that form (:func:`shape`), or the
evaluation is refused.

- :func:`certified_integral`: an Arb ball containing the integral, by ``flint.acb.integral`` (rigorous
  Gauss-Legendre with error bounds) after ``x = e^t`` (the integrand's singularities are then at distance
  pi from the path).  From ``x = 0`` the range ``t < log(b) - S`` is a tail enclosed in ``[0, T]`` with
  ``log(1 + K e^{-t}) <= log(1 + K/b) + (log(b) - t)``, so
  ``T = b e^{-S} (sqrt(c0 + S) + 1/(2 sqrt(c0 + S)))``, ``c0 = log(1 + K/b)`` (from
  ``Gamma(3/2, y) <= e^{-y} (sqrt(y) + 1/(2 sqrt(y)))``).
- :func:`float_integral`: the same integral in float64 by a fixed Gauss-Legendre rule in t = log x (for the
  optimiser only; its values are never reported as bounds).

Examples
--------
>>> import flint, math
>>> from numeric.backends.arb import working_precision
>>> with working_precision(120):
...     v = sqrt_log_integral(flint.arb(27), flint.arb(0), flint.arb(1), zero_start=True)
>>> abs(float(v.mid()) - 2.0653156788238492599) < 1e-15 and float(v.rad()) < 1e-30
True
>>> abs(float_sqrt_log_integral(27.0, 0.0, 1.0) - 2.0653156788238493) < 1e-9
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import flint
import mpmath
import numpy as np
import sympy

from lemmas.tightness import Cap
from numeric.backends.arb import arb_eval
from numeric.errors import NotCertified

__all__ = ["IntegralPlan", "plan_integral", "shape", "certified_integral", "float_integral", "sqrt_log_integral",
           "float_sqrt_log_integral"]


def _indicators(f, x) -> list:
    """``[(atom, cut)]`` for the indicators ``Cap(1, floor(cut/x))`` of ``f`` (cut free of x)."""
    out = []
    for cap in f.atoms(Cap):
        if not cap.has(x):
            continue
        floors = [a for a in cap.args if isinstance(a, sympy.floor)]
        if len(cap.args) != 2 or 1 not in cap.args or len(floors) != 1:
            raise NotCertified(f"cannot integrate: {sympy.sstr(cap)[:200]} is not an indicator min(1, floor(c/x))")
        cut = floors[0].args[0] * x
        if cut.has(x):
            raise NotCertified(f"cannot integrate: the indicator {sympy.sstr(cap)[:200]} is not of the form "
                               f"min(1, floor(c/x))")
        out.append((cap, cut))
    return out


def shape(g, x) -> tuple:
    """``(A, K)`` with ``g = sqrt(A log(1 + K/x))``, A and K free of x; NotCertified if g has another form."""
    sq = sympy.expand_power_base(g ** 2, force=False)
    logs = [lg for lg in sq.atoms(sympy.log) if lg.has(x)]
    if len(logs) == 1:
        (lg,) = logs
        A = sq.xreplace({lg: sympy.S.One})
        K = (lg.args[0] - 1) * x
        if not A.has(x) and not K.has(x) and sympy.simplify(A * lg - sq) == 0:
            return A, K
    raise NotCertified(f"cannot integrate {sympy.sstr(g)[:200]}: not of the form sqrt(A log(1 + K/x))")


@dataclass(frozen=True, eq=False)
class IntegralPlan:
    """An open integral of the bound, read once: its limits, its indicators and, per combination of
    indicator values, the form ``sqrt(A log(1 + K/x))`` of the integrand (None where it vanishes)."""

    integral: object
    var: object
    lo: object
    hi: object
    cuts: tuple              # the indicators' breakpoints (SymPy expressions)
    forms: dict              # tuple of 0/1 per indicator -> (A, K) or None

    def form(self, ones: tuple):
        return self.forms[ones]


@lru_cache(maxsize=None)
def plan_integral(integral) -> IntegralPlan:
    (lim,) = integral.limits
    x, lo, hi = lim
    f = integral.function
    inds = _indicators(f, x)
    forms = {}
    for mask in range(2 ** len(inds)):
        ones = tuple((mask >> i) & 1 for i in range(len(inds)))
        g = f.xreplace({cap: sympy.Integer(v) for (cap, _), v in zip(inds, ones)})
        forms[ones] = None if g == 0 else shape(g, x)
    return IntegralPlan(integral, x, lo, hi, tuple(cut for _, cut in inds), forms)


# -- certified ---------------------------------------------------------------------------------------------
def sqrt_log_integral(K, a, b, zero_start: bool = False):
    """A ball containing ``int_a^b sqrt(log(1 + K/x)) dx`` (``K > 0``; from 0 when ``zero_start``)."""
    prec = flint.ctx.prec
    Ka = flint.acb(K)

    def h(t, analytic):
        u = (1 + Ka * (-t).exp()).log(analytic=analytic)
        return u.sqrt(analytic=analytic) * t.exp()

    t_hi = b.log()
    if zero_start:
        S = flint.arb(int(prec * 0.7) + 20)
        c0 = (1 + K / b).log()
        y = c0 + S
        tail = b * (-S).exp() * (y.sqrt() + 1 / (2 * y.sqrt()))
        body = flint.acb.integral(h, t_hi - S, t_hi).real
        return body + flint.arb(0).union(tail)
    if not a > 0:
        raise NotCertified("a lower limit of an entropy integral is not shown positive")
    return flint.acb.integral(h, a.log(), t_hi).real


def certified_integral(integral, values: dict, exact: dict | None = None):
    """A ball containing ``integral`` at ``values`` (Symbol -> arb, at flint's current precision)."""
    plan = plan_integral(integral)
    lo, hi = arb_eval(plan.lo, values, exact), arb_eval(plan.hi, values, exact)
    if not lo < hi:
        raise NotCertified("the limits of an entropy integral are not shown ordered (lower < upper)")
    cuts = [arb_eval(c_, values, exact) for c_ in plan.cuts]
    total = flint.arb(0)
    zero_lo = plan.lo == 0
    for i, (a, b, ones) in enumerate(_pieces_arb(lo, hi, cuts)):
        form = plan.form(ones)
        if form is None:
            continue
        A, K = (arb_eval(e, values, exact) for e in form)
        if A == 0:
            continue
        total += A.sqrt() * sqrt_log_integral(K, a, b, zero_start=zero_lo and i == 0)
    return total


def _pieces_arb(lo, hi, cuts):
    inside = []
    for cut in cuts:
        if cut <= lo or cut >= hi:
            continue
        if cut > lo and cut < hi:
            inside.append(cut)
            continue
        raise NotCertified("a breakpoint of an entropy integral is too close to a limit to be placed at this "
                           "precision")
    inside.sort(key=lambda p: p.mid())
    pts = [lo] + inside + [hi]
    out = []
    for a, b in zip(pts, pts[1:]):
        mid = (a + b) / 2
        ones = []
        for cut in cuts:
            if mid <= cut:
                ones.append(1)
            elif mid > cut:
                ones.append(0)
            else:
                raise NotCertified("an indicator of an entropy integral is undecided at this precision")
        out.append((a, b, tuple(ones)))
    return out


# -- float64 -----------------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _gl(n: int):
    return np.polynomial.legendre.leggauss(n)


#: the float64 integral ignores x < b e^-_SPAN (a share below e^-_SPAN sqrt(log(1 + K/b) + _SPAN) of it)
_SPAN = 40.0


def float_sqrt_log_integral(K: float, a: float, b: float, nodes: int = 128, log_K: float | None = None) -> float:
    """``int_a^b sqrt(log(1 + K/x)) dx`` in float64: Gauss-Legendre in t = log x on
    ``[max(log a, log b - 40), log b]`` (the integrand is analytic in a strip of width pi around the path,
    so 128 nodes give ~1e-13), with ``log(1 + K e^-t)`` as ``logaddexp(0, log K - t)`` (no overflow; pass
    ``log_K`` when K itself is beyond float64)."""
    if b <= a:
        return 0.0
    t_hi = math.log(b)
    t_lo = max(math.log(a), t_hi - _SPAN) if a > 0 else t_hi - _SPAN
    x, w = _gl(nodes)
    half = 0.5 * (t_hi - t_lo)
    t = t_lo + half * (x + 1.0)
    lk = math.log(K) if log_K is None else log_K
    vals = np.sqrt(np.logaddexp(0.0, lk - t)) * np.exp(t)
    return float(half * np.dot(w, vals))


def float_integral(plan: IntegralPlan, fns: dict, args: tuple, mp: bool = False):
    """The integral in float64; ``fns`` holds the compiled limits, cuts and forms of ``plan``.

    With ``mp`` the compiled functions are mpmath ones (for parameters beyond float64, e.g. rho^(L-2) at large
    L): limits, cuts, A and log K are computed in mpmath, the quadrature itself in float64 (it needs only
    log K), and the result is an mpf."""
    sqrt, log = (mpmath.sqrt, mpmath.log) if mp else (math.sqrt, math.log)
    lo, hi = fns["lo"](*args), fns["hi"](*args)
    if not hi > lo:
        return 0.0
    cuts = [fn(*args) for fn in fns["cuts"]]
    pts = sorted([p for p in cuts if lo < p < hi])
    pts = [lo] + pts + [hi]
    total = 0.0
    for a, b in zip(pts, pts[1:]):
        mid = (a + b) / 2
        ones = tuple(1 if mid <= cut else 0 for cut in cuts)
        form = fns["forms"][ones]
        if form is None:
            continue
        A, K = form[0](*args), form[1](*args)
        if A == 0:
            continue
        total += sqrt(A) * float_sqrt_log_integral(None, float(a), float(b), log_K=float(log(K)))
    return total
