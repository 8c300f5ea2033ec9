"""The single-head model of MATH.md section 1 and both sides of the perturbation lemma (section 4).

``softmax`` (float64, any axis) and ``softmax_mp`` (private mpmath context), the forward pass
``transformer_forward``, and ``perturbation_lhs_rhs`` on an instance from
:func:`oracles.instances.random_transformer_instance`.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from .common import _ctx, _export, _fro, _spec

__all__ = ["softmax", "softmax_mp", "transformer_forward", "perturbation_lhs_rhs"]


def softmax(u, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax in float64: ``exp(u - max u) / sum exp(u - max u)``.

    Works along ``axis`` for arrays of any shape.  Subtracting the maximum makes every exponent
    <= 0, so nothing overflows and the largest term is exactly 1 (the sum is >= 1, no division by
    zero).  ``+inf`` entries are not supported; ``-inf`` entries get probability 0.
    """
    u = np.asarray(u, dtype=np.float64)
    m = np.max(u, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):  # u - m may be -inf for |u| ~ 1e308: exp gives 0, correct
        e = np.exp(u - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_mp(u: Iterable, dps: int = 50) -> list:
    """Softmax of a 1-D sequence in mpmath at ``dps`` digits, in a private context.

    Entries may be floats, ints, strings or mpf.  Returns a list of ``mpmath.mpf`` carrying the
    full ``dps`` precision.  The global mpmath precision is not changed.
    """
    ctx = _ctx(dps)
    vals = [ctx.mpf(x) for x in u]
    if not vals:
        return []
    m = max(vals)
    ex = [ctx.exp(v - m) for v in vals]
    z = ctx.fsum(ex)
    return [_export(e / z) for e in ex]


def transformer_forward(X, W_QK, W_V, w, x_cls, sigma: Callable = np.tanh) -> float:
    """Single-head, scalar-output transformer of MATH.md section 1.

    ``s = X @ W_QK.T @ x_cls`` (shape T, i.e. ``s_t = x_t^T W_QK^T x_cls = x_cls^T W_QK x_t``),
    ``p = softmax(s)``, ``a = W_V.T @ X.T @ p`` (shape k), ``f = w @ sigma(a)``.

    Shapes: X (T, d), W_QK (d, d), W_V (d, k), w (k,), x_cls (d,).  Returns ``f`` as a float.
    Since p is a convex combination, ``|f| <= L_sigma ||w||_2 ||W_V||_2 max_t ||x_t||_2`` when
    ``sigma`` is L_sigma-Lipschitz with sigma(0) = 0.
    """
    X = np.asarray(X, dtype=np.float64)
    s = X @ (np.asarray(W_QK, dtype=np.float64).T @ np.asarray(x_cls, dtype=np.float64))
    p = softmax(s)
    a = np.asarray(W_V, dtype=np.float64).T @ (X.T @ p)
    return float(np.asarray(w, dtype=np.float64) @ sigma(a))


def perturbation_lhs_rhs(inst: dict, L_sigma: float = 1.0, softmax_const: float = 2.0,
                         sigma: Callable | None = None, norms: str = "class") -> tuple:
    """Both sides of the perturbation lemma of MATH.md section 4 on one instance.

    LHS = |f_theta(X) - f_theta2(X)| (float64 forward passes).
    RHS = L_sigma B_V B_X ||w - w2||_2 + L_sigma B_w B_X ||W_V - W_V2||_2
          + softmax_const L_sigma B_w B_V B_X^3 ||W_QK - W_QK2||_2,
    with spectral norms (``ord=2``) of the differences; ``softmax_const=2`` is the cited
    (Edelman et al.) constant written in MATH.md, ``1`` the sharp one.

    ``norms='class'`` (default) takes B_X, B_w, B_V from the instance's class radii (the lemma as
    stated).  ``norms='actual'`` replaces them by the instance's own sizes: B_X -> max of the
    largest row norm and ||x_cls||, B_w -> max ||w||_2, B_V -> max ||W_V||_2 over theta, theta2
    (the proof only uses these), which gives a tighter RHS and a more demanding check.
    ``sigma`` defaults to ``inst['sigma']`` (``np.tanh``); it must be L_sigma-Lipschitz with
    sigma(0) = 0 for the lemma to apply.  Returns ``(lhs, rhs)`` as floats.

    Floating point: ``lhs`` is a float64 difference with absolute error of order
    1e-15 * (|f_theta| + |f_theta2|) (more when a softmax difference cancels), so compare with a
    tolerance, e.g. ``lhs <= rhs * (1 + 1e-9) + 1e-12 * B_f``, B_f = L_sigma B_w B_V B_X.
    """
    sigma = inst.get("sigma", np.tanh) if sigma is None else sigma
    th, th2 = inst["theta"], inst["theta2"]
    X, x_cls = inst["X"], inst["x_cls"]
    f1 = transformer_forward(X, th["W_QK"], th["W_V"], th["w"], x_cls, sigma)
    f2 = transformer_forward(X, th2["W_QK"], th2["W_V"], th2["w"], x_cls, sigma)
    lhs = abs(f1 - f2)
    if norms == "class":
        B_X, B_w, B_V = inst["B_X"], inst["B_w"], inst["B_V"]
    elif norms == "actual":
        B_X = max(float(np.max(np.linalg.norm(X, axis=1))), float(np.linalg.norm(x_cls)))
        B_w = max(_fro(th["w"]), _fro(th2["w"]))
        B_V = max(_spec(th["W_V"]), _spec(th2["W_V"]))
    else:
        raise ValueError("norms must be 'class' or 'actual'")
    dw = _fro(np.asarray(th["w"]) - np.asarray(th2["w"]))
    dV = _spec(np.asarray(th["W_V"]) - np.asarray(th2["W_V"]))
    dQK = _spec(np.asarray(th["W_QK"]) - np.asarray(th2["W_QK"]))
    rhs = (L_sigma * B_V * B_X * dw
           + L_sigma * B_w * B_X * dV
           + softmax_const * L_sigma * B_w * B_V * B_X ** 3 * dQK)
    return float(lhs), float(rhs)
