"""Independent test oracles for ``rankbound``.

Everything here is written directly from ``/work/shared/MATH.md`` (sections 1-5) using only
numpy and mpmath.  Nothing in this module imports the library packages (``lemmas``, ``derive``,
``numeric``): the point of an oracle is that it shares no code with what it checks.

Conventions
-----------
* Randomness: every random function takes a ``numpy.random.Generator`` (``rng``) and is
  deterministic given it.
* Precision: every mpmath computation runs in a *private* context (``mpmath.MPContext``) at the
  requested ``dps``; the global ``mpmath.mp`` precision is never read or changed.  High-precision
  results are handed back as ordinary ``mpmath.mpf`` objects that carry the full precision of the
  private computation (built with ``mpmath.mp.make_mpf``, which does not round).  Note that any
  further arithmetic on them in the global context rounds to the global precision, so do such
  arithmetic inside ``mpmath.workdps`` or convert with ``float``.
* Matrix norms: ``'fro'`` Frobenius, ``'spec'`` spectral (largest singular value), ``'sup'`` max
  absolute entry; ``||U||_{1,2}`` is the largest column 2-norm (Candes & Plan's notation).
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

import mpmath
import numpy as np

__all__ = [
    "softmax",
    "softmax_mp",
    "random_low_rank",
    "transformer_forward",
    "random_transformer_instance",
    "perturbation_lhs_rhs",
    "dudley_logplus_integral_quad",
    "dudley_logplus_integral_gammainc",
    "candes_plan_net",
    "candes_plan_net_size_bound",
    "max_cover_distance",
    "greedy_packing",
    "volumetric_ball_net",
    "rademacher_bound_spec",
    "INSTANCE_MODES",
]


# ---------------------------------------------------------------------------------------------
# Precision helpers
# ---------------------------------------------------------------------------------------------

def _ctx(dps: int) -> mpmath.MPContext:
    """A fresh private mpmath context at ``dps`` decimal digits (global ``mp`` is untouched)."""
    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


def _export(x) -> mpmath.mpf:
    """Turn a private-context real into a global-type ``mpmath.mpf`` *without rounding*."""
    return mpmath.mp.make_mpf(x._mpf_)


# ---------------------------------------------------------------------------------------------
# Softmax
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Random matrices and norm-safe rescaling
# ---------------------------------------------------------------------------------------------

def _scale_to(A: np.ndarray, target: float, normfn: Callable[[np.ndarray], float]) -> np.ndarray:
    """Rescale ``A`` so that ``normfn(A)`` equals ``target`` up to rounding but never exceeds it.

    Rounding in ``A * (target / norm)`` can leave the computed norm one ulp above ``target``;
    constraint checks such as ``norm <= B`` must not fail for that reason, so shrink by ulps.
    """
    A = np.asarray(A, dtype=np.float64)
    n = normfn(A)
    if n == 0.0 or target == 0.0:
        return np.zeros_like(A)
    B = A * (target / n)
    shrink = 1.0
    while normfn(B) > target:
        shrink *= 1.0 - 4 * np.finfo(float).eps
        B = A * (target / n) * shrink
    return B


def _fro(A):
    return float(np.linalg.norm(A))


def _spec(A):
    A = np.asarray(A)
    return float(np.linalg.norm(A, 2)) if A.ndim == 2 else float(np.linalg.norm(A))


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


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.standard_normal(dim)
    while np.linalg.norm(v) == 0.0:  # pragma: no cover - probability zero
        v = rng.standard_normal(dim)
    return v / np.linalg.norm(v)


# ---------------------------------------------------------------------------------------------
# The single-head model (MATH.md section 1)
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# Dudley log+ integral (MATH.md section 5)
# ---------------------------------------------------------------------------------------------

def dudley_logplus_integral_quad(D, C, U, dps: int = 30, return_error: bool = False,
                                 guard_digits: int = 20):
    """``integral_0^U sqrt(D * max(0, log(C/eps))) d eps`` by mpmath (tanh-sinh) quadrature.

    Runs in a private context at ``dps + guard_digits`` digits.  Breakpoints
    ``[0, min(C, U), U]``: the integrand has an integrable log singularity at 0 (tanh-sinh never
    evaluates the endpoint) and a kink at eps = C, past which it vanishes (log+).
    Why guard digits: when C is just above U (C/U - 1 ~ 1e-16) the square-root singularity at
    eps = C sits just outside [0, U]; tanh-sinh then converges (with a falsely tiny error
    estimate) to a value off by ~1e-28 relative at 33-43 working digits, because the node range
    it truncates near U still carries ~sqrt(C/U - 1) * width.  With 20 guard digits the measured
    relative error is below 10^-(dps+3) for dps in [15, 60] and C/U - 1 in [1e-40, 1e6].
    Returns an ``mpmath.mpf`` (carrying the working precision), or ``(value, error_estimate)``
    with ``return_error=True`` (mpmath's estimate; see the caveat above).
    Requires D >= 0, C > 0, U > 0.
    """
    ctx = _ctx(dps + guard_digits)
    D, C, U = ctx.mpf(D), ctx.mpf(C), ctx.mpf(U)
    if D < 0 or C <= 0 or U <= 0:
        raise ValueError("need D >= 0, C > 0, U > 0")

    def g(e):
        if e <= 0:
            return ctx.inf
        L = ctx.log(C / e)
        return ctx.sqrt(D * L) if L > 0 else ctx.zero

    pts = [ctx.zero, C, U] if C < U else [ctx.zero, U]
    val, err = ctx.quad(g, pts, error=True)
    return (_export(val), _export(ctx.mpf(err))) if return_error else _export(val)


def dudley_logplus_integral_gammainc(D, C, U, dps: int = 30):
    """Independent route to the same integral: ``sqrt(D) * C * Gamma(3/2, log+(C/U))``.

    Substituting eps = C e^{-t} gives C * integral_{log(C/U)}^inf sqrt(t) e^{-t} dt, the upper
    incomplete gamma function (``mpmath.gammainc(3/2, a)``); for C <= U the lower limit is 0 and
    the value is C * Gamma(3/2) = C sqrt(pi)/2.  Private context; returns ``mpmath.mpf``.
    """
    ctx = _ctx(dps)
    D, C, U = ctx.mpf(D), ctx.mpf(C), ctx.mpf(U)
    a = ctx.log(C / U) if C > U else ctx.zero
    return _export(ctx.sqrt(D) * C * ctx.gammainc(ctx.mpf(3) / 2, a))


# ---------------------------------------------------------------------------------------------
# Nets and packings
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# The composed theorem (MATH.md section 5), evaluated straight from the text
# ---------------------------------------------------------------------------------------------

def _I(ctx, C, U):
    """I(C, U) of MATH.md section 5 (closed form with erfc; C sqrt(pi)/2 when C <= U)."""
    if C <= U:
        return C * ctx.sqrt(ctx.pi) / 2
    L = ctx.log(C / U)
    return U * ctx.sqrt(L) + C * (ctx.sqrt(ctx.pi) / 2) * ctx.erfc(ctx.sqrt(L))


def rademacher_bound_spec(params: dict, dps: int | None = None, softmax_const=2) -> dict:
    """The generalisation theorem of MATH.md section 5, evaluated directly from its formulas.

    ``params`` keys: n, d, k, r_w, r_v, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta (others,
    e.g. T, are ignored: the bound does not depend on T).  ``dps`` defaults to
    ``params.get('dps', 30)``; all arithmetic happens in a private mpmath context.

      B_f = L_sigma B_w B_V B_X
      blocks (name, D, C):
        ('w',  k,               9 B_f)
        ('V',  (d+k+1) r_v,     27 L_sigma B_w B_X B_V)
        ('QK', (2d+1) r_w,      27*softmax_const L_sigma B_w B_V B_X^3 B_QK)   [54 if const 2,
                                                                               27 if const 1]
      integral_j = sqrt(D_j) I(C_j, B_f),
        I(C, U) = U sqrt(log(C/U)) + C (sqrt(pi)/2) erfc(sqrt(log(C/U)))  (C > U),
                  C sqrt(pi)/2                                             (C <= U)
      rademacher_complexity R = (12 L_loss / sqrt(n)) * sum_j integral_j     (Dudley, alpha = 0,
                                                                              b = B_f; contraction)
      rademacher_term = 2 R
      confidence = 3 c sqrt(log(2/delta) / (2n))
      value = rademacher_term + confidence   (the bound on L(theta) - L_S(theta))

    Returns a dict with those keys (mpmath.mpf values at full precision), plus ``B_f`` and
    ``blocks`` = [(name, D, C, integral), ...] in the order w, V, QK.
    """
    dps = int(params.get("dps", 30) if dps is None else dps)
    ctx = _ctx(dps)
    P = {key: ctx.mpf(params[key]) for key in
         ("n", "d", "k", "r_w", "r_v", "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c",
          "delta")}
    n, d, k, r_w, r_v = P["n"], P["d"], P["k"], P["r_w"], P["r_v"]
    B_X, B_w, B_V, B_QK = P["B_X"], P["B_w"], P["B_V"], P["B_QK"]
    Ls, Ll, c, delta = P["L_sigma"], P["L_loss"], P["c"], P["delta"]
    sc = ctx.mpf(softmax_const)
    qk_const = ctx.mpf(54) if sc == 2 else (ctx.mpf(27) if sc == 1 else 27 * sc)

    B_f = Ls * B_w * B_V * B_X
    spec = [
        ("w", k, 9 * B_f),
        ("V", (d + k + 1) * r_v, 27 * Ls * B_w * B_X * B_V),
        ("QK", (2 * d + 1) * r_w, qk_const * Ls * B_w * B_V * B_X ** 3 * B_QK),
    ]
    blocks = []
    total = ctx.zero
    for name, D, C in spec:
        integral = ctx.sqrt(D) * _I(ctx, C, B_f)
        total += integral
        blocks.append((name, _export(D), _export(C), _export(integral)))
    R = 12 * Ll / ctx.sqrt(n) * total
    conf = 3 * c * ctx.sqrt(ctx.log(2 / delta) / (2 * n))
    return {
        "value": _export(2 * R + conf),
        "rademacher_term": _export(2 * R),
        "rademacher_complexity": _export(R),
        "confidence": _export(conf),
        "B_f": _export(B_f),
        "blocks": blocks,
        "dps": dps,
        "softmax_const": softmax_const,
    }
