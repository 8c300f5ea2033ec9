"""Compare the composed bound with a rebuilt prior bound: ratio, vacuity, crossover n*.

Both bounds are read as functions of a real sample size n, the other parameters fixed.
Ours is ``Q / sqrt(n)`` (Q constant); the prior's ``value * sqrt(n)`` is nondecreasing in n
(its entropy grows with n and Dudley's optimum is a minimum of nondecreasing functions), so
``D(x) = log ours(e^x) - log prior(e^x)`` is nonincreasing in x = log n and there is at most
one crossover n*: the prior is smaller below it, ours above it.  n* is solved with
``mpmath.findroot`` (bracketed in log n) to the requested digits; the sign of ours - prior at
the integers on either side of n* is certified with Arb (:func:`prior_enclosure` encloses the
prior at its optimal alpha rigorously, using the convexity of Dudley's objective in alpha).

"No crossover" is explained: either ours is already smaller at n = 1 (so at every n), or the
prior stays smaller up to ``n_max``.

Examples
--------
>>> from numeric.compare.crossover import compare
>>> cmp = compare("edelman", {"n": 10**8}, dps=15, certify=False)
>>> cmp.ratio < 1       # ours / prior at n = 10^8
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction
from typing import Any, Mapping

import mpmath
import sympy

from derive.prior import ALPHA, PRIORS
from lemmas.symbols import SETTING_SYMBOLS, eps

from numeric.errors import NotCertified, UsageError
from numeric.evaluate import GUARD_DIGITS, check_dps, compiled, evaluate, mp_args
from numeric.backends.mp import to_mpf
from numeric.params import Params
from numeric.compare.priors import compiled_prior, evaluate_prior, prior_value_at

__all__ = ["compare", "Comparison", "prior_enclosure", "crossover"]

N_MAX_EXP = 1000      # look for a crossover up to n = 10^1000


def _ours_at(params: Params, n, variant="default"):
    """Our bound at a real n (mpmath, current precision)."""
    comp = compiled(variant)
    return comp.value(*mp_args(params, n))


def _D(x, vs, params):
    n = mpmath.exp(x)
    return mpmath.log(_ours_at(params, n)) - mpmath.log(prior_value_at(vs, params, n=n)[0])


def crossover(vs: str, params: Params, dps: int = 30):
    """(n*, explanation): the real n where ours = prior, or None with the reason."""
    with mpmath.workdps(dps + GUARD_DIGITS):
        d0 = _D(mpmath.mpf(0), vs, params)
        if d0 <= 0:
            return None, ("no crossover: ours is already <= the rebuilt bound at n = 1, and ours * sqrt(n) is "
                          "constant while the rebuilt bound * sqrt(n) is nondecreasing in n, so ours is smaller "
                          "at every n")
        lo, hi = mpmath.mpf(0), mpmath.mpf(1)
        x_max = N_MAX_EXP * mpmath.log(10)
        with mpmath.workdps(15):                    # bracket and narrow cheaply at low precision ...
            while _D(hi, vs, params) > 0:
                lo, hi = hi, 2 * hi
                if lo > x_max:
                    return None, (f"no crossover up to n = 1e{N_MAX_EXP}: the rebuilt bound stays smaller "
                                  f"(its log-factor growth is too slow to overtake ours before then)")
            d_lo, d_hi = _D(lo, vs, params), _D(hi, vs, params)
            x15 = _bracketed_root(lambda t: _D(t, vs, params), lo, d_lo, hi, d_hi, mpmath.mpf(10) ** -12 * hi)
        # ... then a narrow bracket around it, confirmed at full precision (widened if needed)
        pad = mpmath.mpf(10) ** -10 * max(x15, mpmath.mpf(1))
        lo, hi = max(+x15 - pad, mpmath.mpf(0)), +x15 + pad
        d_lo = _D(lo, vs, params)
        while d_lo <= 0:
            lo = max(lo - pad, mpmath.mpf(0))
            pad *= 16
            d_lo = _D(lo, vs, params)
        d_hi = _D(hi, vs, params)
        while d_hi > 0:
            hi = hi + pad
            pad *= 16
            d_hi = _D(hi, vs, params)
        x = _bracketed_root(lambda t: _D(t, vs, params), lo, d_lo, hi, d_hi,
                            mpmath.mpf(10) ** -(dps + 5) * max(hi, mpmath.mpf(1)))
        n_star = mpmath.exp(x)
    with mpmath.workdps(dps):
        return +n_star, "ours < rebuilt bound for n > n*, ours > rebuilt bound for n < n*"


def _bracketed_root(f, lo, f_lo, hi, f_hi, tol):
    """A root of a decreasing-through-zero f in [lo, hi] (f(lo) > 0 >= f(hi)) to ``tol``.

    Secant steps from the bracket (superlinear, reusing the bracket's values), each kept inside the
    shrinking bracket; bisection when a step leaves it or stalls.
    """
    x0, f0, x1, f1 = lo, f_lo, hi, f_hi
    for _ in range(60):
        if hi - lo <= tol:
            return (lo + hi) / 2
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0) if f1 != f0 else (lo + hi) / 2
        if abs(x2 - x1) <= tol and lo <= x2 <= hi:
            return x2
        if not (lo < x2 < hi):
            x2 = (lo + hi) / 2
        f2 = f(x2)
        if f2 > 0:
            lo = x2
        else:
            hi = x2
        x0, f0, x1, f1 = x1, f1, x2, f2
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _dudley_derivative_parts(vs, constants=None):
    """(dA, dI, g) as SymPy expressions: d value/d alpha = dA - dI g(alpha)."""
    comp = compiled_prior(vs, constants)
    outer = comp.outer_expr
    return sympy.diff(outer, ALPHA), sympy.diff(outer, comp.I), comp.bound.integral.function


@lru_cache(maxsize=None)
def _g_decreasing(g) -> bool:
    """Whether g (the Dudley integrand) is nonincreasing in eps: nondecreasing in z = 1/eps, structurally."""
    from derive.monotone import nondecreasing_in
    z = sympy.Symbol("z_inv", positive=True)
    h = sympy.expand(g.xreplace({eps: 1 / z}), deep=True, log=False, power_base=False)
    return nondecreasing_in(h, z) is True


def prior_enclosure(vs: str, params: Mapping | Params, n: int | None = None, dps: int = 20,
                    constants: Mapping | None = None):
    """A certified enclosure (CertifiedValue) of the rebuilt prior bound at its OPTIMAL alpha.

    Dudley's objective F(alpha) = outer(alpha, int_alpha^b g) is convex in alpha because g is
    nonincreasing in eps (checked structurally); so with alpha_L < alpha* < alpha_U certified by
    the signs of F' = dA - dI g, min F >= F(alpha_0) + min(F'(alpha_0)(alpha_L - alpha_0),
    F'(alpha_0)(alpha_U - alpha_0)) and min F <= F(alpha_0).
    """
    from numeric.backends.arb import (CertifiedValue, _is_certified, arb_endpoints, arb_eval, to_arb, working_precision,
                            GUARD_BITS)
    from numeric.compare.priors import certified_prior
    p = Params.coerce(params)
    if n is not None:
        p = p.replace(n=n)
    dA, dI, g = _dudley_derivative_parts(vs, constants)
    if not _g_decreasing(g):
        raise NotCertified(f"could not prove the {vs} entropy nonincreasing in eps; no certified enclosure")
    with mpmath.workdps(dps + GUARD_DIGITS):
        _, alpha, at_upper, _, b = prior_value_at(vs, p, constants=constants)
        alpha0 = Fraction(mpmath.nstr(alpha, dps + 10))
        spread = Fraction(mpmath.nstr(alpha * mpmath.mpf(10) ** -(dps + 4), 5))
    vals = p.sympy_values()
    exact = {s: p[s.name] for s in SETTING_SYMBOLS}
    prec = int(dps * math.log2(10)) + GUARD_BITS
    comp = compiled_prior(vs, constants)
    b_exact = _upper(vs).xreplace(vals)
    with working_precision(prec):
        dA_b, dI_b = arb_eval(dA.xreplace(vals), {}), arb_eval(dI.xreplace(vals), {})
        g_p = g.xreplace(vals)

        def Fprime(a):
            return dA_b - dI_b * arb_eval(g_p, {eps: to_arb(a)})

        if at_upper:
            # F' is nondecreasing (F convex): F'(b) <= 0 puts the minimum at alpha = b, where the integral is 0
            b_ball = arb_eval(b_exact, {})
            if not Fprime(b_ball) <= 0:
                raise NotCertified("could not certify that the optimal alpha is the upper limit b")
            val = arb_eval(comp.outer_expr.xreplace(vals).xreplace({comp.I: 0}), {ALPHA: b_ball})
            lo, hi = arb_endpoints(val)
            return CertifiedValue(lo, hi, dps, _is_certified(lo, hi, dps), prec, 1)
        aL, aU = alpha0 - spread, alpha0 + spread
        if not (Fprime(aL) < 0 and Fprime(aU) > 0):
            raise NotCertified("could not bracket the optimal alpha with certified signs of the derivative")
        F0 = certified_prior(vs, p, alpha0, dps=dps, constants=constants)
        d0 = Fprime(alpha0)
        drop = (d0 * to_arb(aL - alpha0)).min(d0 * to_arb(aU - alpha0))
        lo = min(arb_endpoints(to_arb(F0.lo) + drop)[0], F0.lo)
        return CertifiedValue(lo, F0.hi, dps, _is_certified(lo, F0.hi, dps), prec, 1)


def _upper(vs):
    comp = compiled_prior(vs)
    return comp.bound.integral.limits[0][2]


@dataclass(frozen=True)
class Comparison:
    vs: str
    params: Params
    dps: int
    ours: Any
    prior: Any
    alpha: Any
    ours_vacuous: bool
    prior_vacuous: bool
    crossover: Any              # mpf or None
    explanation: str
    mapping: str
    checks: tuple = field(default=())   # certified sign checks: dicts
    vacuous_at_crossover: Any = None    # both bounds are >= c at n* (they are equal there)
    prior_trivial_at_crossover: Any = None   # the prior is at its trivial value (alpha = b) at n*

    @property
    def ratio(self):
        return self.ours / self.prior

    def fmt(self, x):
        return mpmath.nstr(x, self.dps, min_fixed=-5, max_fixed=self.dps)

    def to_json(self) -> dict:
        with mpmath.workdps(self.dps):
            return {
                "vs": self.vs,
                "rebuilt": True,
                "dps": self.dps,
                "n": str(self.params["n"]),
                "ours": self.fmt(self.ours),
                "prior": self.fmt(self.prior),
                "ratio_ours_over_prior": self.fmt(self.ratio),
                "smaller": "ours" if self.ours < self.prior else "prior",
                "prior_alpha": self.fmt(self.alpha),
                "ours_vacuous": self.ours_vacuous,
                "prior_vacuous": self.prior_vacuous,
                "crossover_n": None if self.crossover is None else self.fmt(self.crossover),
                "vacuous_at_crossover": self.vacuous_at_crossover,
                "prior_trivial_at_crossover": self.prior_trivial_at_crossover,
                "crossover": self.explanation,
                "certified_signs": list(self.checks),
                "parameter_mapping": self.mapping,
                "params": self.params.as_strings(),
            }


def compare(vs: str = "edelman", params: Mapping | Params | None = None, dps: int = 30,
            certify: bool = True) -> Comparison:
    """Compare our bound with the rebuilt prior bound ``vs`` at ``params`` (and find n*)."""
    if vs not in PRIORS:
        raise UsageError(f"--vs {vs}: no rebuilt prior bound of that name; rebuilt so far: {', '.join(PRIORS)}")
    dps = check_dps(dps)
    p = Params.coerce(params)
    ours = evaluate(p, dps=dps)
    pr = evaluate_prior(vs, p, dps=dps)
    n_star, why = crossover(vs, p, dps=dps)
    checks = []
    if certify and n_star is not None:
        from numeric.backends.arb import certified_evaluate
        for side, n_int in (("below", int(mpmath.floor(n_star))), ("above", int(mpmath.floor(n_star)) + 1)):
            if n_int < 1:
                continue
            o = certified_evaluate(p.replace(n=n_int), dps=20)
            try:
                q = prior_enclosure(vs, p, n=n_int, dps=20)
            except NotCertified as exc:
                checks.append({"n": str(n_int), "side": side, "certified": False, "reason": str(exc)})
                continue
            want = "prior" if side == "below" else "ours"
            ok = (o.lo > q.hi) if side == "below" else (o.hi < q.lo)
            checks.append({"n": str(n_int), "side": side, "smaller": want, "certified": bool(ok),
                           "ours_interval": list(o.interval_strings(23)),
                           "prior_interval": list(q.interval_strings(23))})
    vac = trivial = None
    if n_star is not None:
        with mpmath.workdps(dps + GUARD_DIGITS):
            vac = bool(_ours_at(p, n_star) >= to_mpf(p["c"]))
            trivial = bool(prior_value_at(vs, p, n=n_star)[2])
        if trivial:
            why += (". NOTE: at n* the rebuilt bound sits at its trivial value (Dudley's optimum is alpha = b, "
                    "i.e. R_S <= c_alpha b): this n* is where ours falls below that trivial value, which ours "
                    "admits too; it is not a comparison of the entropies")
    return Comparison(vs, p, dps, ours.value, pr.value, pr.alpha, bool(ours.vacuous), bool(pr.vacuous), n_star, why,
                      pr.mapping, tuple(checks), vac, trivial)
