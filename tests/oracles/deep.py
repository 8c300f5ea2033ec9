"""The H-head, L-layer model of MATH.md section 8: an independent float64 forward pass and random instances.

Written from ``/work/shared/MATH.md`` section 8 with numpy only (nothing from ``lemmas``, ``derive`` or
``numeric``).  The model:

* tokens ``X`` (T x d), every row in the ``B_X`` ball; ``cls`` the index of the designated token;
* hidden layers l = 1..L-1, each a list of H heads ``(W_QK, W_V)``, both d x d; for every token t,
  ``u_t = sum_h W_V^T X^T softmax(X W_QK^T x_t)`` and ``x_t <- Pi(x_t + u_t)`` (all tokens updated from
  the layer's input), ``Pi(v) = v min(1, B_X / ||v||_2)``;
* the readout: H heads ``(W_QK, W_V)`` with ``W_V`` d x k, and ``w`` (H x k, row h is ``w_h``):
  ``f(X) = sum_h w_h^T sigma(W_V,h^T X^T softmax(X W_QK,h^T x_cls))`` on the last hidden layer's output.

Parameters are a dict ``{"hidden": [[(W_QK, W_V)] * H] * (L - 1), "readout": [(W_QK, W_V)] * H, "w": (H, k)}``.
:func:`deep_theta_leaves` lists its blocks with their kinds (``"hidden W_QK"``, ``"hidden W_V"``,
``"readout W_QK"``, ``"readout W_V"``, ``"w"``) in a fixed order and :func:`deep_theta_from_leaves` puts
them back, so tests can move blocks one at a time.  :func:`deep_group_distances` measures the sums of
block distances the lemmas' ``GroupDistance`` atoms stand for.  :func:`climb` is a random local search
over instances, with moves (:func:`apply_theta_noise`, :func:`jiggle_tokens`) that keep them in the class.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .common import _fro, _scale_to
from .instances import random_low_rank
from .transformers import softmax

__all__ = ["project_ball", "norm_2inf", "attention_head", "hidden_layer_forward", "readout_forward",
           "deep_forward", "deep_token_states", "random_deep_theta", "deep_theta_leaves", "deep_theta_from_leaves",
           "deep_group_distances", "project_low_rank", "DEEP_LEAF_KINDS", "deep_limits", "theta_noise",
           "apply_theta_noise", "jiggle_tokens", "climb"]

DEEP_LEAF_KINDS = ("hidden W_QK", "hidden W_V", "readout W_QK", "readout W_V", "w")


def project_ball(v, B_X: float) -> np.ndarray:
    """``Pi(v) = v min(1, B_X / ||v||_2)`` (the zero vector stays zero)."""
    v = np.asarray(v, dtype=np.float64)
    n = float(np.linalg.norm(v))
    return v if n <= B_X else v * (B_X / n)


def norm_2inf(X) -> float:
    """``||X||_{2,inf} = max_t ||x_t||_2`` (the largest row norm)."""
    return float(np.max(np.linalg.norm(np.asarray(X, dtype=np.float64), axis=1)))


def attention_head(X, x_query, W_QK, W_V) -> np.ndarray:
    """One head read at ``x_query``: ``W_V^T X^T softmax(X W_QK^T x_query)`` (scores s_tau = x_tau^T W_QK^T x_q)."""
    X = np.asarray(X, dtype=np.float64)
    s = np.array([float(x_tau @ (np.asarray(W_QK).T @ x_query)) for x_tau in X])
    p = softmax(s)
    return np.asarray(W_V).T @ (X.T @ p)


def hidden_layer_forward(X, heads, B_X: float) -> np.ndarray:
    """One hidden layer: every token t becomes ``Pi(x_t + sum_h head_h(X, x_t))`` (computed from the input X)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.empty_like(X)
    for t in range(X.shape[0]):
        u = sum(attention_head(X, X[t], W_QK, W_V) for W_QK, W_V in heads)
        out[t] = project_ball(X[t] + u, B_X)
    return out


def readout_forward(X, heads, w, sigma: Callable, cls: int = 0) -> float:
    """``f = sum_h w_h^T sigma(W_V,h^T X^T softmax(X W_QK,h^T x_cls))``, ``x_cls = X[cls]``."""
    X = np.asarray(X, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    return float(sum(w[h] @ sigma(attention_head(X, X[cls], W_QK, W_V)) for h, (W_QK, W_V) in enumerate(heads)))


def deep_token_states(X, theta, B_X: float) -> list:
    """The token matrices entering each layer: ``[X, after hidden layer 1, ..., after hidden layer L-1]``."""
    states = [np.asarray(X, dtype=np.float64)]
    for heads in theta["hidden"]:
        states.append(hidden_layer_forward(states[-1], heads, B_X))
    return states


def deep_forward(X, theta, B_X: float, sigma: Callable, cls: int = 0) -> float:
    """The deep model's output: the L-1 hidden layers, then the readout on their output."""
    return readout_forward(deep_token_states(X, theta, B_X)[-1], theta["readout"], theta["w"], sigma, cls)


def _matrix(rng, n1, n2, r, B, full):
    rank = r if (full or rng.uniform() < 0.5) else int(rng.integers(1, r + 1))
    return random_low_rank(rng, n1, n2, rank, frob=B if full else B * rng.uniform(0.05, 1.0))


def random_deep_theta(rng: np.random.Generator, d: int, k: int, H: int, L: int, r_w: int, r_v: int,
                      B_w: float, B_V: float, B_QK: float, full: bool | None = None) -> dict:
    """Random parameters of the class: ranks <= r_w, r_v, Frobenius norms <= B_QK, B_V, ``||w||_2 <= B_w``
    (``full=True``: every norm at its radius and full rank; ``None``: decided at random per call)."""
    if not (1 <= r_w <= d and 1 <= r_v <= min(d, k) and H >= 1 and L >= 1):
        raise ValueError("need 1 <= r_w <= d, 1 <= r_v <= min(d, k), H >= 1, L >= 1")
    full = bool(rng.integers(0, 2)) if full is None else full
    hidden = [[(_matrix(rng, d, d, r_w, B_QK, full), _matrix(rng, d, d, r_v, B_V, full)) for _ in range(H)]
              for _ in range(L - 1)]
    readout = [(_matrix(rng, d, d, r_w, B_QK, full), _matrix(rng, d, k, r_v, B_V, full)) for _ in range(H)]
    w = rng.standard_normal((H, k))
    w = _scale_to(w, B_w if full else B_w * rng.uniform(0.05, 1.0), _fro)
    return {"hidden": hidden, "readout": readout, "w": w}


def deep_theta_leaves(theta: dict) -> list:
    """The blocks of ``theta`` as ``(kind, array)`` pairs, in a fixed order (hidden layers, readout, w)."""
    out = []
    for heads in theta["hidden"]:
        for W_QK, W_V in heads:
            out += [("hidden W_QK", W_QK), ("hidden W_V", W_V)]
    for W_QK, W_V in theta["readout"]:
        out += [("readout W_QK", W_QK), ("readout W_V", W_V)]
    out.append(("w", theta["w"]))
    return out


def deep_theta_from_leaves(leaves: list, H: int, L: int) -> dict:
    """Inverse of :func:`deep_theta_leaves` (arrays only, or ``(kind, array)`` pairs)."""
    arrs = [a[1] if isinstance(a, tuple) else a for a in leaves]
    if len(arrs) != 2 * H * L + 1:
        raise ValueError(f"expected {2 * H * L + 1} blocks for H={H}, L={L}, got {len(arrs)}")
    it = iter(arrs)
    hidden = [[(next(it), next(it)) for _ in range(H)] for _ in range(L - 1)]
    readout = [(next(it), next(it)) for _ in range(H)]
    return {"hidden": hidden, "readout": readout, "w": next(it)}


def deep_group_distances(theta: dict, theta2: dict) -> dict:
    """Sums of block distances by group: ``w`` (l2 of the whole of w), ``W_V`` / ``W_QK`` (readout heads,
    sum of spectral norms), ``W_V_hidden`` / ``W_QK_hidden`` (all hidden heads of all layers)."""
    spec = lambda A, B: float(np.linalg.norm(np.asarray(A) - np.asarray(B), 2))  # noqa: E731
    out = {"w": float(np.linalg.norm(np.asarray(theta["w"]) - np.asarray(theta2["w"]))),
           "W_V": 0.0, "W_QK": 0.0, "W_V_hidden": 0.0, "W_QK_hidden": 0.0}
    for (q1, v1), (q2, v2) in zip(theta["readout"], theta2["readout"]):
        out["W_QK"] += spec(q1, q2)
        out["W_V"] += spec(v1, v2)
    for heads1, heads2 in zip(theta["hidden"], theta2["hidden"]):
        for (q1, v1), (q2, v2) in zip(heads1, heads2):
            out["W_QK_hidden"] += spec(q1, q2)
            out["W_V_hidden"] += spec(v1, v2)
    return out


def project_low_rank(W, r: int, B: float) -> np.ndarray:
    """A nearby matrix of rank <= r and Frobenius norm <= B: truncated SVD, then shrink if needed."""
    U, s, Vt = np.linalg.svd(np.asarray(W, dtype=np.float64), full_matrices=False)
    s = s.copy()
    s[r:] = 0.0
    out = (U * s) @ Vt
    return _scale_to(out, B, _fro) if _fro(out) > B else out


# -- adversarial search: moves that keep an instance in the class, and a hill climb --------------------------

def deep_limits(d: int, k: int, r_w: int, r_v: int, B_w: float, B_V: float, B_QK: float) -> dict:
    """Per block kind, ``(rank bound or None, Frobenius radius)`` of the class (``w`` is a ball)."""
    return {"hidden W_QK": (r_w, B_QK), "hidden W_V": (r_v, B_V), "readout W_QK": (r_w, B_QK),
            "readout W_V": (r_v, B_V), "w": (None, B_w)}


def theta_noise(rng: np.random.Generator, theta: dict, kinds, share: float = 0.4) -> list:
    """Standard Gaussian noise on a random subset (at least one) of the blocks whose kind is in ``kinds``
    (zero elsewhere), each normalised to Frobenius norm ~1; one list entry per leaf."""
    leaves = deep_theta_leaves(theta)
    idx = [i for i, (kind, _) in enumerate(leaves) if kind in kinds]
    chosen = [i for i in idx if rng.uniform() < share] or [idx[int(rng.integers(0, len(idx)))]]
    out = [np.zeros_like(a) for _, a in leaves]
    for i in chosen:
        out[i] = rng.standard_normal(leaves[i][1].shape) / np.sqrt(leaves[i][1].size)
    return out


def apply_theta_noise(theta: dict, noise: list, eta: float, limits: dict) -> dict:
    """``theta`` moved by ``eta * radius * noise`` block by block, each block projected back into its set
    (rank truncation and Frobenius shrinking; the ``w`` ball by shrinking)."""
    leaves = deep_theta_leaves(theta)
    H = len(theta["readout"])
    new = []
    for (kind, a), z in zip(leaves, noise):
        if not np.any(z):
            new.append(a)
            continue
        r, B = limits[kind]
        b = a + eta * B * z
        new.append(project_low_rank(b, r, B) if r is not None else (_scale_to(b, B, _fro) if _fro(b) > B else b))
    return deep_theta_from_leaves(new, H, len(theta["hidden"]) + 1)


def jiggle_tokens(X, noise, eta: float, B_X: float) -> np.ndarray:
    """Tokens moved by ``eta * B_X * noise``, every row projected back into the B_X ball (never above it)."""
    Y = np.asarray(X, dtype=np.float64) + eta * B_X * noise
    for t in range(Y.shape[0]):
        if np.linalg.norm(Y[t]) > B_X:
            Y[t] = _scale_to(Y[t], B_X, _fro)
    return Y


def climb(rng: np.random.Generator, state, objective: Callable, propose: Callable, iters: int,
          eta: float = 0.3, eta_min: float = 1e-3):
    """Random local search: ``propose(rng, state, eta)`` candidates, keep the best ``objective``; the step
    ``eta`` grows after a success and shrinks after a failure.  Returns ``(best state, best value)``."""
    best = objective(state)
    for _ in range(iters):
        cand = propose(rng, state, eta)
        val = objective(cand)
        if val > best:
            state, best, eta = cand, val, min(1.0, eta * 1.5)
        else:
            eta = max(eta_min, eta * 0.8)
    return state, best
