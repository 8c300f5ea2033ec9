"""Arena (b): the Dudley integral int_0^U sqrt(D log+(C/eps)) d eps.

The slip writes log for log+; the left side is the integral itself, by tanh-sinh quadrature with a
breakpoint at the kink eps = C, confirmed against the closed form ``sqrt(D) C Gamma(3/2, log+(C/U))``.

Examples
--------
>>> import mpmath
>>> with mpmath.workdps(30):                   # C <= U: the whole integral is sqrt(D) C sqrt(pi)/2
...     v = lhs({"D": 4, "C": 1.0, "U": 2.0}, 30)
...     bool(abs(v - mpmath.sqrt(mpmath.pi)) < mpmath.mpf(10) ** -25)
True
"""

from __future__ import annotations

import math

import mpmath

from numeric.backends.mp import to_mpf

from ..common import Arena, frac, jitter, jsonable, loguniform

__all__ = ["ARENA", "sample", "perturb", "lhs", "values", "dudley_quad"]


def sample(rng):
    C = loguniform(rng, 1e-2, 1e2)
    return {"D": int(rng.integers(1, 10001)), "C": C, "U": C * loguniform(rng, 0.1, 10.0)}


def perturb(p, rng):
    q = dict(p)
    q["D"] = int(min(10**4, max(1, round(p["D"] * math.exp(rng.normal(0, 0.3))))))
    q["C"] = jitter(rng, p["C"], 1e-3, 1e3)
    q["U"] = jitter(rng, p["U"], 1e-3, 1e4)
    return q


def dudley_quad(D, C, U):
    """int_0^U sqrt(D log+(C/eps)) d eps by tanh-sinh quadrature, breakpoint at the kink eps = C."""
    f = lambda e: mpmath.sqrt(D * mpmath.log(C / e)) if e < C else mpmath.mpf(0)  # noqa: E731
    pts = [0, C, U] if C < U else [0, U]
    return mpmath.quad(f, pts)


def lhs(p, dps):
    if dps is None:      # the search: the incomplete-gamma route (fast); confirmation adds quadrature
        with mpmath.workdps(15):
            D, C, U = mpmath.mpf(p["D"]), mpmath.mpf(p["C"]), mpmath.mpf(p["U"])
            return float(mpmath.sqrt(D) * C * mpmath.gammainc(1.5, mpmath.log(C / U) if C > U else 0))
    D, C, U = (to_mpf(frac(p[k])) for k in ("D", "C", "U"))
    q = dudley_quad(D, C, U)
    # a second, independent route: C * Gamma(3/2, log+(C/U)) (eps = C e^{-t})
    g = mpmath.sqrt(D) * C * mpmath.gammainc(mpmath.mpf(3) / 2, mpmath.log(C / U) if C > U else 0)
    if abs(q - g) > abs(g) * mpmath.mpf(10) ** (-(mpmath.mp.dps - 8)):
        raise ArithmeticError(f"quadrature {q} and incomplete gamma {g} disagree")
    return q


def values(p):
    return {k: frac(v) for k, v in p.items()}


ARENA = Arena("dudley-integral", "the Dudley integral int_0^U sqrt(D log+(C/eps)) d eps",
              "tanh-sinh quadrature with a breakpoint at eps = C, confirmed against C Gamma(3/2, log+(C/U))",
              sample, perturb, lhs, values, witness=jsonable)
