"""Arena (e): perturbations of a single-head transformer (MATH.md section 4).

A point is a recipe (dimensions, radii, a seed, a family: "aligned" hand-built near-extremal
configurations or "random" ones, the blocks theta' moves and by how much); the left side is
``|f_theta(X) - f_theta'(X)|`` by forward passes (float64 in the search, mpmath from the exact float64
entries at confirmation); the right side's distances are spectral norms of the parameter differences.
The slip drops a power of B_X from the W_QK term.

Examples
--------
>>> import numpy as np
>>> p = sample(np.random.default_rng(0))
>>> inst = instance(p)
>>> inst["X"].shape == (p["T"], p["d"]) and inst["theta"]["W_V"].shape == (p["d"], p["k"])
True
>>> 0 <= lhs(p, None) <= 2 * p["B_w"] * p["B_V"] * p["B_X"]
True
"""

from __future__ import annotations

import mpmath
import numpy as np

from lemmas.objects import Distance

from numeric.backends.mp import to_mpf

from ..common import CONFIRM_DPS, Arena, frac, jitter, jsonable, loguniform
from ..transformer import build_instance, forward, forward_mp

__all__ = ["ARENA", "sample", "perturb", "lhs", "values", "atom", "witness", "violations", "instance"]


def sample(rng):
    """A random recipe (aligned or random family, random blocks and move size gamma)."""
    d = int(rng.integers(2, 6))
    k = int(rng.integers(1, 4))
    fam = "aligned" if rng.uniform() < 0.5 else "random"
    blocks = [b for b in ("w", "W_V", "W_QK") if rng.uniform() < 0.5] or ["W_QK"]
    return {"family": fam, "seed": int(rng.integers(0, 2**31)), "d": d, "k": k, "T": int(rng.integers(2, 9)),
            "r_w": int(rng.integers(1, d + 1)), "r_v": int(rng.integers(1, min(d, k) + 1)),
            "B_X": loguniform(rng, 0.25, 8.0), "B_w": loguniform(rng, 0.25, 4.0),
            "B_V": loguniform(rng, 0.25, 4.0), "B_QK": loguniform(rng, 0.25, 4.0),
            "gamma": loguniform(rng, 1e-6, 1e-1), "blocks": blocks}


def perturb(p, rng):
    """A nearby recipe: the radii and gamma jittered, sometimes a new seed."""
    q = dict(p)
    for name, lo, hi in (("B_X", 0.1, 16.0), ("B_w", 0.1, 8.0), ("B_V", 0.1, 8.0), ("B_QK", 0.1, 8.0),
                         ("gamma", 1e-8, 1.0)):
        q[name] = jitter(rng, p[name], lo, hi)
    if rng.uniform() < 0.2:
        q["seed"] = int(rng.integers(0, 2**31))
    return q


_INSTANCES: dict = {}


def instance(p):
    """``build_instance(p)``, cached (the search evaluates both sides at the same point)."""
    key = repr(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in p.items()))
    inst = _INSTANCES.get(key)
    if inst is None:
        if len(_INSTANCES) > 4096:
            _INSTANCES.clear()
        inst = _INSTANCES[key] = build_instance(p)
    return inst


def lhs(p, dps):
    inst = instance(p)
    a = (inst["X"], inst["x_cls"])
    t1, t2 = inst["theta"], inst["theta2"]
    if dps is None:
        return abs(forward(*a, t1["W_QK"], t1["W_V"], t1["w"]) - forward(*a, t2["W_QK"], t2["W_V"], t2["w"]))
    return abs(forward_mp(*a, t1["W_QK"], t1["W_V"], t1["w"]) - forward_mp(*a, t2["W_QK"], t2["W_V"], t2["w"]))


def atom(obj, args, p, dps):
    if not isinstance(obj, Distance):
        raise ValueError(f"arena transformer-perturbation cannot evaluate {obj}")
    name = str(obj.args[0])
    key = {"w": "w", "W_V": "W_V", "W_QK": "W_QK"}[name]
    inst = instance(p)
    Dm = np.asarray(inst["theta"][key]) - np.asarray(inst["theta2"][key])
    if dps is None:
        return float(np.linalg.norm(Dm, 2)) if Dm.ndim == 2 else float(np.linalg.norm(Dm))
    if Dm.ndim == 1:
        return mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(v)) ** 2 for v in Dm))
    # Dm is a difference of two float64 matrices: form it exactly in mpmath
    A = np.asarray(inst["theta"][key]), np.asarray(inst["theta2"][key])
    M = mpmath.matrix([[mpmath.mpf(float(a)) - mpmath.mpf(float(b)) for a, b in zip(ra, rb)]
                       for ra, rb in zip(A[0], A[1])])
    return max(mpmath.svd_r(M, compute_uv=False))


def values(p):
    return {"d": p["d"], "k": p["k"], "r_w": p["r_w"], "r_v": p["r_v"], "T": p["T"], "L_sigma": 1,
            **{k: frac(p[k]) for k in ("B_X", "B_w", "B_V", "B_QK")}}


def violations(p, dps=CONFIRM_DPS) -> list:
    """Violations of membership (tokens and parameters in the class), checked at ``dps`` digits.

    The instances are scaled into the balls in float64, so an exact norm can still exceed its radius by
    rounding; such a point is never confirmed as a counterexample.
    """
    inst = instance(p)
    bad = []
    with mpmath.workdps(dps):
        nrm = lambda v: mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(x)) ** 2 for x in np.ravel(v)))  # noqa
        BX = to_mpf(frac(p["B_X"]))
        if any(nrm(row) > BX for row in inst["X"]) or nrm(inst["x_cls"]) > BX:
            bad.append("a token has norm > B_X")
        for th in (inst["theta"], inst["theta2"]):
            for key, rad, rk in (("w", "B_w", None), ("W_V", "B_V", "r_v"), ("W_QK", "B_QK", "r_w")):
                if nrm(th[key]) > to_mpf(frac(p[rad])):
                    bad.append(f"||{key}|| > {rad}")
                if rk is not None:
                    sv = np.linalg.svd(th[key], compute_uv=False)
                    if int(np.sum(sv > 1e-10 * max(1.0, sv[0] if sv.size else 0))) > p[rk]:
                        bad.append(f"rank {key} > {rk}")
    return bad


def witness(p):
    inst = instance(p)
    return {"recipe": jsonable(p), "sigma": "tanh (1-Lipschitz, sigma(0) = 0)",
            "X": jsonable(inst["X"]), "x_cls": jsonable(inst["x_cls"]),
            "theta": jsonable(inst["theta"]), "theta2": jsonable(inst["theta2"]),
            "class_violations": violations(p)}


ARENA = Arena("transformer-perturbation", "two parameter sets of a single-head transformer, one input",
              "|f_theta(X) - f_theta'(X)| by forward passes (mpmath at dps 50 from the exact float64 entries); "
              "spectral norms of the differences by mpmath SVD", sample, perturb, lhs, values, atom, witness,
              violations=violations)
