"""Greedy packings (certified lower bounds on covering numbers) and empirical covering radii.

``greedy_packing`` keeps a maximal subset with pairwise distances > radius in a named metric ('fro',
'spec', 'sup', 'col') or a callable; ``max_cover_distance`` measures how far samples are from a net.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["greedy_packing", "max_cover_distance"]


def _pairdist_fn(dist):
    """Return ``(x, Y) -> distances from point x to each row of Y`` for a named or callable metric."""
    if callable(dist):
        return lambda x, Y: np.array([float(dist(x, y)) for y in Y])
    if dist == "fro":
        return lambda x, Y: np.sqrt(np.sum((Y - x).reshape(len(Y), -1) ** 2, axis=1))
    if dist == "sup":
        return lambda x, Y: np.max(np.abs(Y - x).reshape(len(Y), -1), axis=1)
    if dist == "spec":
        def spec(x, Y):
            Z = Y - x
            if Z.ndim == 2:  # vectors: spectral norm of a vector is its 2-norm
                return np.sqrt(np.sum(Z ** 2, axis=1))
            return np.linalg.norm(Z, ord=2, axis=(-2, -1))
        return spec
    if dist == "col":  # ||.||_{1,2}: largest column 2-norm, for (N, n, r) stacks
        return lambda x, Y: np.max(np.sqrt(np.sum((Y - x) ** 2, axis=-2)), axis=-1)
    raise ValueError(f"unknown metric {dist!r}")


def _greedy_select(points: np.ndarray, radius: float, dist) -> np.ndarray:
    """Indices of the sequential greedy maximal ``radius``-separated subset of ``points``.

    Scans in order; keeps a point iff its distance to every kept point is > radius.  Implemented
    by elimination: take the first remaining point, drop every remaining point within <= radius
    of it (vectorised), repeat.  Both descriptions give the same set.
    """
    f = _pairdist_fn(dist)
    remaining = np.arange(len(points))
    chosen = []
    while remaining.size:
        i = remaining[0]
        chosen.append(i)
        rest = remaining[1:]
        if rest.size == 0:
            break
        dd = f(points[i], points[rest])
        remaining = rest[dd > radius]
    return np.asarray(chosen, dtype=int)


def greedy_packing(points, radius: float, dist="fro", return_indices: bool = False):
    """Greedy maximal subset of ``points`` with pairwise distances strictly greater than ``radius``.

    ``points``: array (N, ...) of vectors or matrices.  ``dist``: ``'fro'`` (Euclidean/Frobenius
    on the flattened points), ``'spec'`` (spectral norm of the difference of (n1, n2) matrices;
    2-norm for vectors), ``'sup'`` (max absolute entry: the sup norm of function-value vectors),
    ``'col'`` (largest column 2-norm), or a callable ``dist(a, b) -> float`` on single points
    (called pairwise, so slower).

    Why it matters (lower bounds): if a set P has pairwise distances > 2 eps, then no ball of
    radius eps (centre anywhere, i.e. even an *external* cover) contains two points of P, since two
    points in one such ball are within 2 eps of each other by the triangle inequality.  So any
    eps-cover of a set containing P needs >= |P| balls: ``len(greedy_packing(pts, 2*eps))`` is a
    certified lower bound on N(eps) of any set containing ``pts``, in that metric.
    Upper side: by maximality every input point is within <= radius of a selected one, so the
    selection is also an internal ``radius``-net *of the finite input set*.

    Returns the selected points (array), or their indices with ``return_indices=True``.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim == 1:
        pts = pts[:, None]
    idx = _greedy_select(pts, float(radius), dist)
    return idx if return_indices else pts[idx]


def _ball_samples(rng, n, dim, R, boundary_frac=0.3):
    """n points of the closed radius-R ball in R^dim: uniform, plus a share exactly on the sphere."""
    G = rng.standard_normal((n, dim))
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    rad = R * rng.uniform(size=n) ** (1.0 / dim)
    nb = int(boundary_frac * n)
    rad[:nb] = R
    P = G * rad[:, None]
    # guard rounding: never outside the ball
    nr = np.linalg.norm(P, axis=1)
    over = nr > R
    P[over] *= (R / nr[over] * (1 - 4 * np.finfo(float).eps))[:, None]
    return P


def max_cover_distance(net, samples, dist: str = "fro") -> float:
    """Empirical covering radius: max over samples of the distance to the nearest net point.

    ``net`` (N, ...) and ``samples`` (M, ...) are stacks of vectors or matrices; ``dist='fro'``
    uses the Frobenius/Euclidean distance of the flattened points (computed in chunks via
    ``|a|^2 + |b|^2 - 2 a.b`` and refined exactly on the minimiser), ``'sup'`` the max-abs
    distance.  A value <= eps on many random members of a set is evidence (not proof) that
    ``net`` is an eps-net of that set.
    """
    Nt = np.asarray(net, dtype=np.float64).reshape(len(net), -1)
    S = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    if len(Nt) == 0:
        return math.inf
    worst = 0.0
    budget = 4_000_000
    if dist == "fro":
        nn = np.sum(Nt ** 2, axis=1)
        cs = max(1, min(len(S), budget // max(1, len(Nt))))
        cn = max(1, min(len(Nt), budget // cs))
        for a in range(0, len(S), cs):
            Sb = S[a:a + cs]
            ss = np.sum(Sb ** 2, axis=1)
            best = np.full(len(Sb), np.inf)
            arg = np.zeros(len(Sb), dtype=int)
            for b in range(0, len(Nt), cn):
                d2 = ss[:, None] + nn[None, b:b + cn] - 2.0 * Sb @ Nt[b:b + cn].T
                j = np.argmin(d2, axis=1)
                v = d2[np.arange(len(Sb)), j]
                upd = v < best
                best[upd] = v[upd]
                arg[upd] = j[upd] + b
            exact = np.sqrt(np.sum((Sb - Nt[arg]) ** 2, axis=1))
            # the Gram formula can pick a near-tie wrongly by ~1e-8; exact recomputation on the
            # chosen point can only overestimate the true nearest distance by that much
            worst = max(worst, float(np.max(exact)))
        return worst
    if dist == "sup":
        cs = max(1, min(len(S), budget // max(1, len(Nt) * Nt.shape[1])))
        for a in range(0, len(S), cs):
            Sb = S[a:a + cs]
            dd = np.max(np.abs(Sb[:, None, :] - Nt[None, :, :]), axis=2)
            worst = max(worst, float(np.max(np.min(dd, axis=1))))
        return worst
    raise ValueError("dist must be 'fro' or 'sup'")
