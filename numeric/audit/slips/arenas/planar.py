"""Arena (c): internal versus external covers of a finite set in the plane.

Points on a 1/256 grid and a radius eps; ``N_int`` (centres among the points) and ``N_ext`` (centres
anywhere) are computed exactly in rational arithmetic.  In the plane the minimal enclosing disc of any
coverable subset is centred at a point, the midpoint of two points or the circumcentre of three, so
those candidates suffice for ``N_ext``.  The slip uses an external cover where an internal one is needed.

Examples
--------
>>> from fractions import Fraction as F
>>> pts = [(F(0), F(0)), (F(2), F(0))]
>>> internal_cover_number(pts, F(1)), external_cover_number(pts, F(1))   # the midpoint covers both
(2, 1)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath

from lemmas.objects import CoveringNumber

from ..common import Arena, frac, jitter, loguniform

__all__ = ["ARENA", "GRID", "sample", "perturb", "lhs", "values", "atom", "witness", "shrink",
           "internal_cover_number", "external_cover_number"]

#: coordinates are integers in [-GRID, GRID], divided by GRID
GRID = 256


def sample(rng):
    m = int(rng.integers(2, 6))
    pts = [(int(rng.integers(-GRID, GRID + 1)), int(rng.integers(-GRID, GRID + 1))) for _ in range(m)]
    return {"points": pts, "epsilon": loguniform(rng, 0.05, 2.0)}


def perturb(p, rng):
    pts = [tuple(int(min(GRID, max(-GRID, c + rng.integers(-16, 17)))) for c in pt) for pt in p["points"]]
    if rng.uniform() < 0.2 and len(pts) > 2:
        pts.pop(int(rng.integers(0, len(pts))))
    elif rng.uniform() < 0.2 and len(pts) < 5:
        pts.append((int(rng.integers(-GRID, GRID + 1)), int(rng.integers(-GRID, GRID + 1))))
    return {"points": pts, "epsilon": jitter(rng, p["epsilon"], 0.01, 4.0)}


def _points(p):
    return [(Fraction(x, GRID), Fraction(y, GRID)) for x, y in p["points"]]


def _d2(a, b):
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _min_cover(masks, m):
    """Smallest number of masks whose union is all m points (dynamic programming over subsets)."""
    full = (1 << m) - 1
    best = {0: 0}
    frontier = [0]
    masks = sorted(set(masks))
    for size in range(1, m + 1):
        nxt = []
        for s in frontier:
            for mk in masks:
                t = s | mk
                if t not in best:
                    best[t] = size
                    nxt.append(t)
        if full in best:
            return best[full]
        frontier = nxt
    raise ArithmeticError("no cover")   # pragma: no cover - singletons always cover


def _cover_masks(centres, pts, e2):
    return [sum(1 << i for i, q in enumerate(pts) if _d2(c, q) <= e2) for c in centres]


def _circumcentre(a, b, c):
    d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]))
    if d == 0:
        return None
    sa, sb, sc = a[0] ** 2 + a[1] ** 2, b[0] ** 2 + b[1] ** 2, c[0] ** 2 + c[1] ** 2
    return ((sa * (b[1] - c[1]) + sb * (c[1] - a[1]) + sc * (a[1] - b[1])) / d,
            (sa * (c[0] - b[0]) + sb * (a[0] - c[0]) + sc * (b[0] - a[0])) / d)


def _or(it):
    out = 0
    for x in it:
        out |= x
    return out


def internal_cover_number(pts, eps: Fraction) -> int:
    """Exact N_int: centres among the points (rational arithmetic, squared distances)."""
    return _min_cover(_cover_masks(pts, pts, eps * eps), len(pts))


def external_cover_number(pts, eps: Fraction, return_centres: bool = False):
    """Exact N_ext in the plane: the minimal enclosing disc of any coverable subset is centred at a point,
    the midpoint of two points or the circumcentre of three, so these centres suffice."""
    cands = list(pts) + [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in itertools.combinations(pts, 2)]
    cands += [c for c in (_circumcentre(*t) for t in itertools.combinations(pts, 3)) if c is not None]
    masks = _cover_masks(cands, pts, eps * eps)
    nmin = _min_cover(masks, len(pts))
    if not return_centres:
        return nmin
    for combo in itertools.combinations(range(len(cands)), nmin):
        if _or(masks[i] for i in combo) == (1 << len(pts)) - 1:
            return nmin, [cands[i] for i in combo]
    raise ArithmeticError("no cover")   # pragma: no cover


def lhs(p, dps):
    n = internal_cover_number(_points(p), frac(p["epsilon"]))
    return math.log(n) if dps is None else mpmath.log(n)


def atom(obj, args, p, dps):
    if not isinstance(obj, CoveringNumber):
        raise ValueError(f"arena internal-external cannot evaluate {obj}")
    e = args[1]
    pts = _points(p)
    n = internal_cover_number(pts, e) if obj.args[3] == 1 else external_cover_number(pts, e)
    return n


def shrink(p):
    """Drop one point at a time (a smaller witness is easier to read)."""
    return [{"points": p["points"][:i] + p["points"][i + 1:], "epsilon": p["epsilon"]}
            for i in range(len(p["points"])) if len(p["points"]) > 2]


def values(p):
    return {"epsilon": frac(p["epsilon"])}


def witness(p):
    pts = _points(p)
    e = frac(p["epsilon"])
    n_ext, centres = external_cover_number(pts, e, return_centres=True)
    return {"points": [[str(x), str(y)] for x, y in pts], "epsilon": str(e),
            "N_int(eps)": internal_cover_number(pts, e), "N_ext(eps)": n_ext,
            "external_centres": [[str(x), str(y)] for x, y in centres],
            "N_ext(eps/2)": external_cover_number(pts, e / 2)}


ARENA = Arena("internal-external", "internal and external covers of finite sets in the plane",
              "exact N_int (centres among the points) and N_ext (candidate centres: points, midpoints, "
              "circumcentres) in rational arithmetic", sample, perturb, lhs, values, atom, witness, shrink)
