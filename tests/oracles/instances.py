"""Random and adversarial inputs and parameters: low-rank matrices and transformer instances in Theta.

``random_low_rank`` draws a matrix of exact rank r (optionally at a Frobenius norm);
``random_transformer_instance`` an input and two parameter sets of the class of MATH.md section 1, in
one of the ``INSTANCE_MODES`` (generic, perturb, saturated, aligned).
"""

from __future__ import annotations

import numpy as np

from .common import _fro, _scale_to, _unit

__all__ = ["random_low_rank", "random_transformer_instance", "INSTANCE_MODES"]


def random_low_rank(rng: np.random.Generator, n1: int, n2: int, r: int,
                    frob: float | None = None) -> np.ndarray:
    """Random ``n1 x n2`` matrix of rank exactly ``r`` (almost surely).

    Built as ``G1 @ G2`` with ``G1`` an ``n1 x r`` and ``G2`` an ``r x n2`` standard Gaussian
    matrix; for ``r <= min(n1, n2)`` the product has rank exactly ``r`` with probability one.
    ``r = 0`` gives the zero matrix.  If ``frob`` is given the result is rescaled to Frobenius norm
    ``frob`` (never exceeding it after rounding; ``frob = 0`` gives the zero matrix, rank 0).
    """
    if not 0 <= r <= min(n1, n2):
        raise ValueError(f"rank r={r} must be in [0, min(n1, n2)={min(n1, n2)}]")
    if r == 0:
        return np.zeros((n1, n2))
    A = rng.standard_normal((n1, r)) @ rng.standard_normal((r, n2))
    if frob is not None:
        A = _scale_to(A, float(frob), _fro)
    return A


INSTANCE_MODES = ("generic", "perturb", "saturated", "aligned")


def _random_tokens(rng, T, d, B_X):
    """T tokens with norms spread over [0, B_X]: at least one exactly B_X, some tiny, some zero-ish."""
    X = np.empty((T, d))
    kinds = rng.integers(0, 4, size=T)
    kinds[rng.integers(0, T)] = 0  # guarantee one row at norm exactly B_X
    for t in range(T):
        if kinds[t] == 0:
            r = B_X
        elif kinds[t] == 1:
            r = B_X * rng.uniform()
        elif kinds[t] == 2:
            r = B_X * rng.uniform() ** 8  # small norms
        else:
            r = B_X * (1.0 - rng.uniform() * 1e-3)  # near the boundary
        X[t] = _scale_to(_unit(rng, d), r, _fro)
    return X


def _random_theta(rng, d, k, r_w, r_v, B_w, B_V, B_QK, full=None):
    """Random parameters in Theta; with ``full=True`` all norms are exactly at their radii."""
    full = bool(rng.integers(0, 2)) if full is None else full
    f = (lambda B: B) if full else (lambda B: B * rng.uniform(0.05, 1.0))
    rq = r_w if (full or rng.uniform() < 0.5) else int(rng.integers(1, r_w + 1))
    rv = r_v if (full or rng.uniform() < 0.5) else int(rng.integers(1, r_v + 1))
    return {
        "W_QK": random_low_rank(rng, d, d, rq, frob=f(B_QK)),
        "W_V": random_low_rank(rng, d, k, rv, frob=f(B_V)),
        "w": _scale_to(rng.standard_normal(k), f(B_w), _fro),
    }


def _perturb_low_rank(rng, W, r, B, eta):
    """A nearby matrix of rank <= r and Frobenius norm <= B: perturb the factors, then clip."""
    d1, d2 = W.shape
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    r_eff = max(1, min(r, len(s)))
    A = U[:, :r_eff] * s[:r_eff]
    Bt = Vt[:r_eff]
    scale = max(np.sqrt(max(np.linalg.norm(W), 1e-300)), 1e-12)
    A2 = A + eta * scale * rng.standard_normal(A.shape) / np.sqrt(A.size)
    B2 = Bt + eta * scale * rng.standard_normal(Bt.shape) / np.sqrt(Bt.size)
    W2 = A2 @ B2
    if np.linalg.norm(W2) > B:
        W2 = _scale_to(W2, B, _fro)
    if np.linalg.norm(W2 - W) < 0.1 * eta * np.linalg.norm(W):
        # clipping undid the move (e.g. 1 x 1 at full norm): shrink instead (same rank)
        W2 = (1.0 - eta) * W
    return W2


def random_transformer_instance(rng: np.random.Generator, d: int, k: int, T: int,
                                r_w: int, r_v: int, B_X: float, B_w: float, B_V: float,
                                B_QK: float, mode: str | None = None,
                                blocks: tuple | None = None) -> dict:
    """A random input and two parameter sets in Theta (MATH.md section 1) for lemma checks.

    Returns a dict with keys
      ``X`` (T, d), every row norm <= B_X; ``x_cls`` (d,), norm <= B_X;
      ``theta`` and ``theta2``: dicts with ``W_QK`` (d, d), ``W_V`` (d, k), ``w`` (k,), each with
      rank(W_QK) <= r_w, ||W_QK||_F <= B_QK, rank(W_V) <= r_v, ||W_V||_F <= B_V, ||w||_2 <= B_w
      (checked after rounding: the computed norms never exceed the radii);
      ``B_X, B_w, B_V, B_QK, d, k, T, r_w, r_v`` (the radii/shape of the class), ``mode``,
      ``sigma`` (``np.tanh``, 1-Lipschitz, sigma(0) = 0).

    Modes (``mode=None`` picks one at random, biased towards the adversarial ones):
      ``'generic'``   theta, theta2 independent; rows at varying norms incl. exactly B_X; x_cls a
                      row or a separate vector.
      ``'perturb'``   theta2 a small perturbation of theta in a random non-empty subset of the
                      blocks {w, W_V, W_QK} (relative size 10^-4 .. 10^-1), rank/norm kept.
      ``'saturated'`` large-norm scores: W_QK has a rank-one part of Frobenius norm ~B_QK aligned
                      with x_cls (norm B_X) and two nearly parallel full-norm tokens, so the top
                      scores are ~ B_QK B_X^2 and nearly tied; theta2 perturbs theta.
      ``'aligned'``   hand-built near-extremal configurations, x_cls = B_X e1, w = B_w e1,
                      W_V = beta e1 e1^T, W_QK = 0 at theta; theta2 moves the chosen blocks by
                      rank-one steps along e1 e1^T.  If 'QK' moves: tokens +-B_X e1 in two equal
                      groups (zero token if T is odd), beta = B_V; then for blocks=('QK',), T even,
                      |f - f'| / RHS = 1 - O(move^2) with softmax_const=1 (about 1/2 with 2):
                      the sharp softmax constant is attained.  Otherwise all tokens are B_X e1
                      (value path at full norm); for blocks=('V',) the ratio is again ~1.
    ``blocks``: optional subset of ``('w', 'V', 'QK')`` fixing which blocks theta2 moves in the
    'perturb', 'saturated' and 'aligned' modes (default: a random non-empty subset).
    Requirements: 1 <= r_w <= d, 1 <= r_v <= min(d, k), T >= 1, radii > 0.
    """
    if not (1 <= r_w <= d and 1 <= r_v <= min(d, k) and T >= 1):
        raise ValueError("need 1 <= r_w <= d, 1 <= r_v <= min(d, k), T >= 1")
    B_X, B_w, B_V, B_QK = float(B_X), float(B_w), float(B_V), float(B_QK)
    if mode is None:
        mode = INSTANCE_MODES[int(rng.choice(4, p=[0.2, 0.35, 0.2, 0.25]))]
    if mode not in INSTANCE_MODES:
        raise ValueError(f"unknown mode {mode!r}")

    def eta():
        return 10.0 ** rng.uniform(-4, -1)

    if mode == "aligned":
        e1d = np.zeros(d); e1d[0] = 1.0
        e1k = np.zeros(k); e1k[0] = 1.0
        E_qk = np.outer(e1d, e1d)
        E_v = np.outer(e1d, e1k)
        x_cls = B_X * e1d
        if blocks is None:
            blocks = [b for b in ("w", "V", "QK") if rng.uniform() < 0.5] or ["QK"]
        X = np.zeros((T, d))
        if "QK" in blocks:
            # tokens +-B_X e1 in two equal groups (zero token if T odd); W_QK = 0 gives the two
            # groups equal mass, where the softmax is most sensitive; W_V = B_V e1 e1^T
            half = T // 2
            X[:half] = B_X * e1d
            X[half:2 * half] = -B_X * e1d
            if T == 1:
                X[0] = B_X * e1d
            beta = B_V
        else:
            # all tokens B_X e1, so X^T p = B_X e1 for every p: the value path is at full norm
            X[:] = B_X * e1d
            beta = 0.0 if "V" in blocks else B_V * rng.choice([1.0, rng.uniform()])
        th = {"W_QK": np.zeros((d, d)), "W_V": beta * E_v, "w": B_w * e1k}
        th2 = {k_: v.copy() for k_, v in th.items()}
        # move sizes are set on the scale of the effect (score change / value change in
        # [1e-4, 1e-1]) so float64 cancellation (~1e-16 / move) stays far below the second-order
        # gap (~move^2) by which the configuration falls short of the lemma's RHS
        if "QK" in blocks:
            gam = min(eta() / B_X ** 2, B_QK)      # score change gam * B_X^2
            th2["W_QK"] = gam * E_qk * rng.choice([-1.0, 1.0])
        if "V" in blocks:
            step = min(eta() / B_X, B_V)
            beta2 = beta + step if beta + step <= B_V else beta - step
            th2["W_V"] = beta2 * E_v
        if "w" in blocks:
            th2["w"] = B_w * (1.0 - eta()) * e1k
        if rng.uniform() < 0.5:
            th, th2 = th2, th
    else:
        X = _random_tokens(rng, T, d, B_X)
        if rng.uniform() < 0.5:
            x_cls = X[int(rng.integers(0, T))].copy()
        else:
            x_cls = _scale_to(_unit(rng, d), B_X * rng.choice([1.0, rng.uniform()]), _fro)
        if mode == "generic":
            th = _random_theta(rng, d, k, r_w, r_v, B_w, B_V, B_QK)
            th2 = _random_theta(rng, d, k, r_w, r_v, B_w, B_V, B_QK)
        else:
            th = _random_theta(rng, d, k, r_w, r_v, B_w, B_V, B_QK,
                               full=True if mode == "saturated" else None)
            if mode == "saturated":
                x_cls = _scale_to(_unit(rng, d), B_X, _fro)
                v = _unit(rng, d)
                X[0] = _scale_to(v, B_X, _fro)
                if T > 1:
                    X[1] = _scale_to(v + 1e-2 * rng.standard_normal(d) / np.sqrt(d), B_X, _fro)
                # big rank-one score part u v^T with u along x_cls: s_0 ~ B_QK B_X^2
                big = np.outer(x_cls / np.linalg.norm(x_cls), v)
                if r_w >= 2:
                    rest = random_low_rank(rng, d, d, r_w - 1, frob=1.0)
                    W = 0.9 * big + 0.1 * rest  # rank <= r_w
                else:
                    W = big
                th["W_QK"] = _scale_to(W, B_QK, _fro)
            th2 = {k_: v_.copy() for k_, v_ in th.items()}
            if blocks is None:
                blocks = [b for b in ("w", "V", "QK") if rng.uniform() < 0.5] or [
                    ("w", "V", "QK")[int(rng.integers(0, 3))]]
            if "w" in blocks:
                e_w = eta()
                w2 = th["w"] + e_w * B_w * rng.standard_normal(k) / np.sqrt(k)
                w2 = _scale_to(w2, B_w, _fro) if np.linalg.norm(w2) > B_w else w2
                if np.linalg.norm(w2 - th["w"]) < 0.1 * e_w * np.linalg.norm(th["w"]):
                    w2 = (1.0 - e_w) * th["w"]
                th2["w"] = w2
            if "V" in blocks:
                th2["W_V"] = _perturb_low_rank(rng, th["W_V"], r_v, B_V, eta())
            if "QK" in blocks:
                th2["W_QK"] = _perturb_low_rank(rng, th["W_QK"], r_w, B_QK, eta())

    return {
        "X": X, "x_cls": x_cls, "theta": th, "theta2": th2,
        "B_X": B_X, "B_w": B_w, "B_V": B_V, "B_QK": B_QK,
        "d": d, "k": k, "T": T, "r_w": r_w, "r_v": r_v,
        "mode": mode, "sigma": np.tanh,
        "blocks": tuple(blocks) if mode != "generic" else ("w", "V", "QK"),
    }
