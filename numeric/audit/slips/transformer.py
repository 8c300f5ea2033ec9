"""The single-head transformer of MATH.md section 1, and the instances the perturbation arena draws.

``forward`` runs in float64 (the search), ``forward_mp`` in mpmath from the exact float64 entries (the
confirmation); ``build_instance`` turns an arena point (a recipe: dimensions, radii, a seed, a family)
into an input and two parameter sets of the class, deterministically.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
>>> W_QK, W_V, w = np.zeros((2, 2)), np.eye(2)[:, :1], np.ones(1)
>>> import math                          # W_QK = 0: uniform softmax, X^T p = (1/2, 1/2), f = tanh(1/2)
>>> abs(forward(X, X[0], W_QK, W_V, w) - math.tanh(0.5)) < 1e-15
True
>>> float(np.linalg.norm(shrink_to(np.array([3.0, 4.0]), 1.0, fro))) <= 1.0
True
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

__all__ = ["forward", "forward_mp", "shrink_to", "fro", "build_instance"]


def _softmax(s):
    e = np.exp(s - np.max(s))
    return e / e.sum()


def forward(X, x_cls, W_QK, W_V, w) -> float:
    """f(X) = w^T tanh(W_V^T X^T softmax(X W_QK^T x_cls)) in float64 (MATH.md section 1)."""
    p = _softmax(X @ (W_QK.T @ x_cls))
    return float(w @ np.tanh(W_V.T @ (X.T @ p)))


def forward_mp(X, x_cls, W_QK, W_V, w):
    """The same forward pass in mpmath at the current precision, from the exact float64 entries."""
    M = lambda A: mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in np.atleast_2d(A)])  # noqa
    Xm, Wq, Wv = M(X), M(W_QK), M(W_V)
    xc = mpmath.matrix([mpmath.mpf(float(v)) for v in x_cls])
    wm = [mpmath.mpf(float(v)) for v in w]
    s = Xm * (Wq.T * xc)
    smax = max(s[i] for i in range(s.rows))
    ex = [mpmath.exp(s[i] - smax) for i in range(s.rows)]
    Z = mpmath.fsum(ex)
    p = mpmath.matrix([e / Z for e in ex])
    a = Wv.T * (Xm.T * p)
    return mpmath.fsum(wm[j] * mpmath.tanh(a[j]) for j in range(len(wm)))


def shrink_to(A, B, normfn):
    """``A`` scaled into the ball ``normfn <= B`` (unchanged if inside; never one ulp outside after rounding)."""
    A = np.asarray(A, dtype=float)
    nrm = normfn(A)
    if nrm <= B:
        return A
    A = A * (B / nrm)
    while normfn(A) > B:
        A = A * (1 - 1e-15)
    return A


def fro(A) -> float:
    """The Frobenius (Euclidean) norm as a float."""
    return float(np.linalg.norm(A))


def build_instance(p) -> dict:
    """The input X, x_cls and the two parameter sets theta, theta' of an arena point (deterministic)."""
    rng = np.random.default_rng(p["seed"])
    d, k, T, r_w, r_v = p["d"], p["k"], p["T"], p["r_w"], p["r_v"]
    B_X, B_w, B_V, B_QK, g = p["B_X"], p["B_w"], p["B_V"], p["B_QK"], p["gamma"]
    if p["family"] == "aligned":
        e1d, e1k = np.eye(d)[0], np.eye(k)[0]
        X = np.zeros((T, d))
        h = T // 2
        X[:h], X[h:2 * h] = B_X * e1d, -B_X * e1d
        x_cls = B_X * e1d
        th = {"W_QK": np.zeros((d, d)), "W_V": B_V * np.outer(e1d, e1k), "w": B_w * e1k}
        th2 = {"W_QK": min(g, 1.0) * B_QK * np.outer(e1d, e1d), "W_V": th["W_V"].copy(), "w": th["w"].copy()}
    else:
        X = rng.standard_normal((T, d))
        X *= (B_X * rng.uniform(0.2, 1.0, size=T) / np.linalg.norm(X, axis=1))[:, None]
        X[0] *= B_X / np.linalg.norm(X[0])
        x_cls = X[int(rng.integers(0, T))].copy() if rng.uniform() < 0.5 else X[0] * 1.0
        for t in range(T):
            X[t] = shrink_to(X[t], B_X, fro)
        x_cls = shrink_to(x_cls, B_X, fro)

        def lowrank(a, b, r, B):
            return shrink_to(rng.standard_normal((a, r)) @ rng.standard_normal((r, b)) * 1e3, B, fro)

        th = {"W_QK": lowrank(d, d, r_w, B_QK), "W_V": lowrank(d, k, r_v, B_V),
              "w": shrink_to(rng.standard_normal(k) * 1e3, B_w, fro)}
        th2 = {}
        for name, A, B, r in (("W_QK", th["W_QK"], B_QK, r_w), ("W_V", th["W_V"], B_V, r_v),
                              ("w", th["w"], B_w, None)):
            if name in p["blocks"]:
                if r is None:
                    A2 = A + g * B * rng.standard_normal(A.shape) / math.sqrt(A.size)
                else:   # move the factors: the rank stays <= r
                    U, s, Vt = np.linalg.svd(A, full_matrices=False)
                    F1 = U[:, :r] * s[:r] + g * math.sqrt(B) * rng.standard_normal((A.shape[0], r))
                    F2 = Vt[:r] + g * rng.standard_normal((r, A.shape[1]))
                    A2 = F1 @ F2
                th2[name] = shrink_to(A2, B, fro)
            else:
                th2[name] = A.copy()
    return {"X": X, "x_cls": x_cls, "theta": th, "theta2": th2}
