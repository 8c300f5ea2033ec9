"""Explicit nets: the volumetric net of a Euclidean ball and the Candes-Plan net of low-rank matrices.

``candes_plan_net`` follows the proof of Candes & Plan (2011), Lemma 3.1 (MATH.md section 2): nets of
the orthonormal factors and of the singular values, multiplied out.
"""

from __future__ import annotations

import math

import numpy as np

from .packing import _ball_samples, _greedy_select, greedy_packing

__all__ = ["volumetric_ball_net", "candes_plan_net", "candes_plan_net_size_bound"]


def volumetric_ball_net(k: int, R: float, eps: float, rng: np.random.Generator,
                        n_samples: int | None = None) -> np.ndarray:
    """Greedy internal eps-net of the radius-R Euclidean ball in R^k, built from samples.

    Draws ``n_samples`` points of the ball (uniform, 30% exactly on the sphere, plus the centre)
    and keeps the greedy maximal eps-separated subset (``greedy_packing`` with ``radius=eps``).
    Returns an array (m, k) of points inside the ball.

    Guarantees: the points are eps-separated, so the eps/2-balls around them are disjoint and lie
    in the ball of radius R + eps/2; hence m <= (1 + 2R/eps)^k <= (3R/eps)^k for eps <= R -- this
    size bound is rigorous whatever the samples.  Covering is exact only for the samples
    (each sample within eps of the net); for the whole ball it is approximate and should be
    checked empirically with ``max_cover_distance`` (good for k <= 3 with the default sampling).
    Default ``n_samples``: ~ 200 * (1 + 2R/eps)^k, clipped to [2000, 200000].
    """
    if n_samples is None:
        n_samples = int(min(200_000, max(2000, 200 * (1 + 2 * R / eps) ** k)))
    P = _ball_samples(rng, n_samples, k, float(R))
    P = np.vstack([np.zeros((1, k)), P])
    return greedy_packing(P, float(eps), "fro")


def _haar_stiefel(rng, m, n, r):
    """m Haar-distributed n x r matrices with orthonormal columns (QR with sign fix)."""
    G = rng.standard_normal((m, n, r))
    Q, R = np.linalg.qr(G)
    sgn = np.sign(np.diagonal(R, axis1=-2, axis2=-1))
    sgn[sgn == 0] = 1.0
    return Q * sgn[:, None, :]


def _stiefel_net(rng, n, r, s, n_samples):
    """Internal s-net of O_{n,r} = {U: U^T U = I_r} in the ||.||_{1,2} (max column) metric.

    Exact for n = 2, r = 1 (equally spaced points on the unit circle with chord spacing chosen so
    every point of the circle is within chord s of one of them) and for n = 1, r = 1 ({+1, -1}).
    Otherwise greedy maximal s-separated subset of ``n_samples`` Haar samples: exact net of the
    samples, approximate net of O_{n,r}.
    Returns (m, n, r).
    """
    if n == 1 and r == 1:
        return np.array([[[1.0]], [[-1.0]]])
    if n == 2 and r == 1:
        if s >= 2.0:
            m = 1
        else:
            m = max(1, math.ceil(math.pi / (2.0 * math.asin(s / 2.0))))
            # farthest point of the circle from the net is at chord 2 sin(pi / (2m)) <= s
        ang = 2.0 * math.pi * np.arange(m) / m
        return np.stack([np.cos(ang), np.sin(ang)], axis=1)[:, :, None]
    P = _haar_stiefel(rng, n_samples, n, r)
    idx = _greedy_select(P, s, "col")
    return P[idx]


def _sigma_net(rng, r, B, s, n_samples):
    """Internal s-net (Euclidean) of the radius-B ball in R^r (the diagonals of Sigma).

    r = 1: exact grid of m = ceil(B/s) midpoints of equal cells of [-B, B] (cover radius B/m <= s).
    r >= 2: greedy maximal s-separated subset of ball samples (approximate net of the ball).
    Returns (m, r).
    """
    if r == 1:
        m = max(1, math.ceil(B / s))
        c = -B + (2 * np.arange(m) + 1) * (B / m)
        return c[:, None]
    P = np.vstack([np.zeros((1, r)), _ball_samples(rng, n_samples, r, B)])
    return P[_greedy_select(P, s, "fro")]


def candes_plan_net_size_bound(n1: int, n2: int, r: int, eps: float, B: float = 1.0) -> float:
    """(9B/eps)^{(n1+n2+1) r}: the Candes-Plan (ball version) bound on the net size (MATH.md s.2)."""
    return (9.0 * B / eps) ** ((n1 + n2 + 1) * r)


def candes_plan_net(n1: int, n2: int, r: int, eps: float, B: float = 1.0,
                    rng: np.random.Generator | None = None, n_samples: int = 20000,
                    max_points: int = 5_000_000, return_factors: bool = False):
    """Explicit eps-net of {X in R^{n1 x n2}: rank X <= r, ||X||_F <= B}, following the proof of
    Candes & Plan (2011), Lemma 3.1, ball version (MATH.md section 2).

    Construction.  Every member is X = U Sigma V^T with U in O_{n1,r}, V in O_{n2,r}
    (orthonormal columns) and Sigma = diag(sigma), ||sigma||_2 = ||X||_F <= B.  Take
      * an internal (eps/(3B))-net of O_{n1,r} and of O_{n2,r} in the max-column norm ||.||_{1,2},
      * an internal (eps/3)-net of the radius-B ball in R^r (Frobenius on Sigma),
    and return all products Ubar diag(sbar) Vbar^T.  For the nearest factors,
      ||X - Xbar||_F <= ||(U - Ubar) Sigma||_F + ||Sigma - Sigmabar||_F + ||Sigmabar (V - Vbar)^T||_F
                     <= B eps/(3B) + eps/3 + B eps/(3B) = eps,
    using ||A Sigma||_F <= ||A||_{1,2} ||Sigma||_F and Ubar orthonormal.  Because the factor nets
    are internal (orthonormal Ubar, Vbar; ||sbar|| <= B), every net point has rank <= r and
    ||Xbar||_F = ||sbar||_2 <= B: the net is internal.

    How the sub-nets are built (be aware):
      * O_{2,1} (unit circle) and O_{1,1}: exact equally spaced constructions -> for
        n1, n2 <= 2 and r = 1 the whole net is a *proven* eps-net.
      * r = 1 Sigma-ball ([-B, B]): exact grid.
      * everything else (O_{n,r} with n >= 3 or r >= 2; Sigma-ball with r >= 2): greedy maximal
        separated subsets of ``n_samples`` random samples (Haar for O_{n,r}).  These are exact nets
        of the samples but only *approximately* nets of the sets; check coverage with
        ``max_cover_distance`` on random members.
    Size: all factor nets are separated sets at their scale, so (volumetric argument in the
    superset of matrices with unit-norm columns, resp. the ball) their sizes are <= (9B/eps)^{n r}
    resp. (9B/eps)^r for eps <= 3B, and len(net) <= (9B/eps)^{(n1+n2+1) r}
    (``candes_plan_net_size_bound``).  Points are not deduplicated (e.g. sigma = 0 gives the zero
    matrix once per (Ubar, Vbar) pair), so ``len(net)`` is the proof's count, an upper bound on the
    number of distinct points.

    Feasibility (measured, B = 1): building is fast (< 1.5 s) up to ~1e6 points; checking
    coverage with ``max_cover_distance`` costs ~ (#samples x #points).  Sizes:
      (2,2,1): eps=1.0 -> 300, 0.5 -> 2166, 0.1 -> 270750 points;
      (2,3,1): eps=0.5 -> ~34000;  (3,3,1): eps=0.75 -> ~68000, 0.5 -> ~530000;
      (2,2,2): eps=1.0 -> ~22000, 0.75 -> ~63000;  (3,3,2): eps=1.5 -> ~1.3e6 (slow to check).
    For quick tests use (2,2,1) with eps in [0.3, 1] (exact, proven net) or (2,2,2)/(2,3,1) with
    eps >= 0.75.  The empirical covering radius on random members is typically ~0.4-0.45 eps
    (the three-term triangle inequality is loose).  Anything whose product exceeds
    ``max_points`` raises ValueError before allocating.

    Returns an array (N, n1, n2); with ``return_factors=True`` a dict with keys ``net``, ``U``
    (m1, n1, r), ``S`` (ms, r), ``V`` (m2, n2, r), ``scales`` (s_UV, s_Sigma).
    """
    if not (1 <= r <= min(n1, n2)) or eps <= 0 or B <= 0:
        raise ValueError("need 1 <= r <= min(n1, n2), eps > 0, B > 0")
    rng = np.random.default_rng(0) if rng is None else rng
    s_uv = eps / (3.0 * B)
    s_sig = eps / 3.0
    NU = _stiefel_net(rng, n1, r, s_uv, n_samples)
    NV = _stiefel_net(rng, n2, r, s_uv, n_samples)
    NS = _sigma_net(rng, r, float(B), s_sig, n_samples)
    total = len(NU) * len(NS) * len(NV)
    if total > max_points:
        raise ValueError(f"net would have {total} points (> max_points={max_points}); "
                         "use larger eps or smaller dimensions")
    # X[i, j, l] = U_i diag(S_j) V_l^T
    US = NU[:, None, :, :] * NS[None, :, None, :]          # (mU, mS, n1, r)
    net = np.einsum("ijar,lbr->ijlab", US, NV).reshape(-1, n1, n2)
    # rounding in the products can put ||Xbar||_F one ulp above B; pull such points inside
    nrm = np.sqrt(np.sum(net.reshape(len(net), -1) ** 2, axis=1))
    over = nrm > B
    if np.any(over):
        net[over] *= (B / nrm[over] * (1.0 - 4 * np.finfo(float).eps))[:, None, None]
    if return_factors:
        return {"net": net, "U": NU, "S": NS, "V": NV, "scales": (s_uv, s_sig)}
    return net
