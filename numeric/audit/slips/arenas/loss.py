"""Arena (d): the loss class of a one-parameter linear class.

F = {x -> w x : |w| <= R} on [-1, 1] with the loss l(y) = L_loss y; in the sup norm every covering number
is that of an interval, known exactly: ``N = max(1, ceil(half-length / eps))``.  The slip multiplies the
entropy by the Lipschitz constant instead of rescaling eps.

Examples
--------
>>> from fractions import Fraction
>>> interval_cover(Fraction(3), Fraction(1)), interval_cover(Fraction(3), Fraction(2)), interval_cover(Fraction(1), Fraction(5))
(3, 2, 1)
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath

from ..common import Arena, frac, jitter, loguniform

__all__ = ["ARENA", "sample", "perturb", "lhs", "values", "atom", "witness", "interval_cover"]


def sample(rng):
    return {"L_loss": loguniform(rng, 0.05, 20.0), "R": loguniform(rng, 1e-2, 1e2),
            "epsilon": loguniform(rng, 1e-2, 10.0)}


def perturb(p, rng):
    return {"L_loss": jitter(rng, p["L_loss"], 0.01, 100.0), "R": jitter(rng, p["R"], 1e-3, 1e3),
            "epsilon": jitter(rng, p["epsilon"], 1e-3, 100.0)}


def interval_cover(half_length: Fraction, eps: Fraction) -> int:
    """N(eps) of an interval of length 2a (internal and external): max(1, ceil(a / eps))."""
    q = half_length / eps
    return max(1, -((-q.numerator) // q.denominator))


def lhs(p, dps):
    n = interval_cover(frac(p["L_loss"]) * frac(p["R"]), frac(p["epsilon"]))
    return math.log(n) if dps is None else mpmath.log(n)


def atom(obj, args, p, dps):
    cls = obj.args[0]
    e = args[1]
    a = frac(p["R"])
    if type(cls).__name__ == "LossClass":
        a *= frac(p["L_loss"])
    return interval_cover(a, e)


def values(p):
    return {"L_loss": frac(p["L_loss"]), "epsilon": frac(p["epsilon"])}


def witness(p):
    L, R, e = frac(p["L_loss"]), frac(p["R"]), frac(p["epsilon"])
    return {"class": "F = {x -> w x : |w| <= R} on x in [-1, 1], loss l(y) = L_loss * y (sup norm)",
            "L_loss": str(L), "R": str(R), "epsilon": str(e),
            "N(l o F, eps)": interval_cover(L * R, e), "N(F, eps)": interval_cover(R, e),
            "N(F, eps/L_loss)": interval_cover(R, e / L)}


ARENA = Arena("loss-cover", "F = {x -> w x : |w| <= R} on [-1, 1] and the loss class of l(y) = L_loss y",
              "exact covering numbers of intervals: N = max(1, ceil(half-length / eps))",
              sample, perturb, lhs, values, atom, witness)
