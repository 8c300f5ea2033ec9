"""Arena (a): covering numbers of the rank-r Frobenius ball {W in R^{n1 x n2}: rank W <= r, ||W||_F <= B}.

The slip uses the unit-sphere net for a ball of radius B; the left side is the volumetric lower bound
``max(n1, n2) r log(B/eps)`` on ``log N`` (the ball contains a Euclidean ball of that dimension and radius B).

Examples
--------
>>> import numpy as np
>>> p = sample(np.random.default_rng(0))
>>> 1 <= p["r"] <= min(p["n_1"], p["n_2"])
True
>>> lhs({"n_1": 2, "n_2": 3, "r": 1, "B": 1.0, "epsilon": 2.0}, None)     # eps > B: no lower bound
0.0
"""

from __future__ import annotations

import math

import mpmath

from numeric.backends.mp import to_mpf

from ..common import Arena, frac, jitter, jsonable, loguniform, step_int

__all__ = ["ARENA", "sample", "perturb", "lhs", "values"]


def sample(rng):
    n1, n2 = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    return {"n_1": n1, "n_2": n2, "r": int(rng.integers(1, min(n1, n2) + 1)),
            "B": loguniform(rng, 0.5, 1000.0), "epsilon": loguniform(rng, 1e-3, 2.0)}


def perturb(p, rng):
    q = dict(p)
    q["n_1"] = step_int(rng, p["n_1"], 1, 40)
    q["n_2"] = step_int(rng, p["n_2"], 1, 40)
    q["r"] = step_int(rng, p["r"], 1, min(q["n_1"], q["n_2"]))
    q["B"] = jitter(rng, p["B"], 0.5, 1e4)
    q["epsilon"] = jitter(rng, p["epsilon"], 1e-4, 2.0)
    return q


def lhs(p, dps):
    """Volumetric lower bound: the ball contains an (m = max(n1, n2) r)-dim Euclidean ball of radius B
    (matrices supported on r columns, or r rows), whose external eps-covering number is >= (B/eps)^m."""
    m = max(p["n_1"], p["n_2"]) * p["r"]
    if dps is None:
        return m * max(0.0, math.log(p["B"] / p["epsilon"]))
    B, e = to_mpf(frac(p["B"])), to_mpf(frac(p["epsilon"]))
    return m * max(mpmath.mpf(0), mpmath.log(B / e))


def values(p):
    return {k: (frac(v) if isinstance(v, float) else v) for k, v in p.items()}


ARENA = Arena("lowrank-ball-cover", "covering numbers of {W in R^{n1 x n2}: rank <= r, ||W||_F <= B}",
              "volumetric lower bound max(n1, n2) r log(B/eps) on log N (the ball contains a Euclidean ball of "
              "that dimension and radius B)", sample, perturb, lhs, values, witness=jsonable)
