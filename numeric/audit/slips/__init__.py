"""Slip detection: search for counterexamples to a lemma, confirmed at high precision.

Every slip of MATH.md section 6.4 is a deliberately wrong lemma in
:mod:`lemmas.slips`.  This module refuses each one with a concrete
counterexample found by search, and runs the *same* search (same arena, same
budget, same seed) on the true lemma it varies, which must survive.

An **arena** is the search space shared by a slip and its true lemma: it draws
parameter points, perturbs them, computes a certified value (or lower bound)
of the lemma's left side at a point -- a covering number of an explicit set, a
quadrature, a forward pass of a transformer -- and the numeric values of the
objects that appear on the right side (covering numbers, distances).  The right
side itself is always the lemma's own conclusion, evaluated with
:func:`numeric.mpeval.mp_eval`; so the search checks the lemma value, not a
retyped formula.

The search is a random search with restarts and multiplicative hill climbing
on the violation margin ``(lhs - rhs) / max(|lhs|, |rhs|)``, seeded.  A
candidate (margin > 1e-9 in double precision) is confirmed with mpmath at
``dps = 50`` before it is reported: the confirmed margin must exceed
``10**-(dps - 10)``.  Points where a hypothesis of the lemma is false, or where
its right side is not a real number, do not count.

Examples
--------
>>> from numeric.audit.slips import search, ARENAS
>>> from lemmas.slips import slip
>>> res = search(slip("d"), "loss-cover", budget=200, seed=0)
>>> res.refused
True
>>> import lemmas
>>> search(lemmas.get("low-rank-net-ball"), "lowrank-ball-cover", budget=200, seed=0).refused
False
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy

from lemmas.core import Lemma
from lemmas.objects import CoveringNumber, Distance

from numeric.backends.mp import mp_eval, to_mpf

__all__ = ["Arena", "ARENAS", "SearchResult", "SlipCheck", "search", "confirm", "check_slips", "CHECKS",
           "DEFAULT_BUDGET", "CONFIRM_DPS", "true_lemmas_for", "forward", "forward_mp", "build_instance",
           "SlipVerdict", "external_centre_breaks_perturbation", "internal_cover_number", "external_cover_number"]

DEFAULT_BUDGET = 300
CONFIRM_DPS = 50
FLOAT_TOL = 1e-9


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _frac(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    return Fraction(float(x))


def _loguniform(rng, lo, hi) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _jitter(rng, x, lo, hi, s=0.3) -> float:
    return float(min(hi, max(lo, x * math.exp(rng.normal(0.0, s)))))


def _step_int(rng, v, lo, hi) -> int:
    return int(min(hi, max(lo, v + int(rng.integers(-1, 2)))))


def _jsonable(v):
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else int(v.numerator)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()] if v.ndim else _jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


# ---------------------------------------------------------------------------------------------
# the arena protocol
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Arena:
    """A search space shared by a slip and its true lemma.

    ``lhs(point, dps)`` returns a certified value or lower bound of the left side
    (``dps=None``: float64, for the search); ``atom(atom, exact_args, point,
    dps)`` the value of a covering number or distance on the right side;
    ``values(point)`` the lemma's parameters by name (exact numbers).
    """

    key: str
    title: str
    lhs_description: str
    sample: Callable
    perturb: Callable
    lhs: Callable
    values: Callable
    atom: Callable = None
    witness: Callable = None
    shrink: Callable = None      # simpler variants of a point, tried after a confirmed counterexample


# -- (a) covering numbers of the rank-r Frobenius ball ---------------------------------------------

def _a_sample(rng):
    n1, n2 = int(rng.integers(1, 13)), int(rng.integers(1, 13))
    return {"n_1": n1, "n_2": n2, "r": int(rng.integers(1, min(n1, n2) + 1)),
            "B": _loguniform(rng, 0.5, 1000.0), "epsilon": _loguniform(rng, 1e-3, 2.0)}


def _a_perturb(p, rng):
    q = dict(p)
    q["n_1"] = _step_int(rng, p["n_1"], 1, 40)
    q["n_2"] = _step_int(rng, p["n_2"], 1, 40)
    q["r"] = _step_int(rng, p["r"], 1, min(q["n_1"], q["n_2"]))
    q["B"] = _jitter(rng, p["B"], 0.5, 1e4)
    q["epsilon"] = _jitter(rng, p["epsilon"], 1e-4, 2.0)
    return q


def _a_lhs(p, dps):
    """Volumetric lower bound: the ball contains an (m = max(n1, n2) r)-dim Euclidean ball of radius B
    (matrices supported on r columns, or r rows), whose external eps-covering number is >= (B/eps)^m."""
    m = max(p["n_1"], p["n_2"]) * p["r"]
    if dps is None:
        return m * max(0.0, math.log(p["B"] / p["epsilon"]))
    B, e = to_mpf(_frac(p["B"])), to_mpf(_frac(p["epsilon"]))
    return m * max(mpmath.mpf(0), mpmath.log(B / e))


def _a_values(p):
    return {k: (_frac(v) if isinstance(v, float) else v) for k, v in p.items()}


# -- (b) the Dudley integral of a log+ entropy ------------------------------------------------------

def _b_sample(rng):
    C = _loguniform(rng, 1e-2, 1e2)
    return {"D": int(rng.integers(1, 10001)), "C": C, "U": C * _loguniform(rng, 0.1, 10.0)}


def _b_perturb(p, rng):
    q = dict(p)
    q["D"] = int(min(10**4, max(1, round(p["D"] * math.exp(rng.normal(0, 0.3))))))
    q["C"] = _jitter(rng, p["C"], 1e-3, 1e3)
    q["U"] = _jitter(rng, p["U"], 1e-3, 1e4)
    return q


def _dudley_quad(D, C, U):
    """int_0^U sqrt(D log+(C/eps)) d eps by tanh-sinh quadrature, breakpoint at the kink eps = C."""
    f = lambda e: mpmath.sqrt(D * mpmath.log(C / e)) if e < C else mpmath.mpf(0)  # noqa: E731
    pts = [0, C, U] if C < U else [0, U]
    return mpmath.quad(f, pts)


def _b_lhs(p, dps):
    if dps is None:      # the search: the incomplete-gamma route (fast); confirmation adds quadrature
        with mpmath.workdps(15):
            D, C, U = mpmath.mpf(p["D"]), mpmath.mpf(p["C"]), mpmath.mpf(p["U"])
            return float(mpmath.sqrt(D) * C * mpmath.gammainc(1.5, mpmath.log(C / U) if C > U else 0))
    D, C, U = (to_mpf(_frac(p[k])) for k in ("D", "C", "U"))
    q = _dudley_quad(D, C, U)
    # a second, independent route: C * Gamma(3/2, log+(C/U)) (eps = C e^{-t})
    g = mpmath.sqrt(D) * C * mpmath.gammainc(mpmath.mpf(3) / 2, mpmath.log(C / U) if C > U else 0)
    if abs(q - g) > abs(g) * mpmath.mpf(10) ** (-(mpmath.mp.dps - 8)):
        raise ArithmeticError(f"quadrature {q} and incomplete gamma {g} disagree")
    return q


def _b_values(p):
    return {k: _frac(v) for k, v in p.items()}


# -- (c) internal versus external covers of a finite planar set --------------------------------------

_GRID = 256


def _c_sample(rng):
    m = int(rng.integers(2, 6))
    pts = [(int(rng.integers(-_GRID, _GRID + 1)), int(rng.integers(-_GRID, _GRID + 1))) for _ in range(m)]
    return {"points": pts, "epsilon": _loguniform(rng, 0.05, 2.0)}


def _c_perturb(p, rng):
    pts = [tuple(int(min(_GRID, max(-_GRID, c + rng.integers(-16, 17)))) for c in pt) for pt in p["points"]]
    if rng.uniform() < 0.2 and len(pts) > 2:
        pts.pop(int(rng.integers(0, len(pts))))
    elif rng.uniform() < 0.2 and len(pts) < 5:
        pts.append((int(rng.integers(-_GRID, _GRID + 1)), int(rng.integers(-_GRID, _GRID + 1))))
    return {"points": pts, "epsilon": _jitter(rng, p["epsilon"], 0.01, 4.0)}


def _c_points(p):
    return [(Fraction(x, _GRID), Fraction(y, _GRID)) for x, y in p["points"]]


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


def _or(it):
    out = 0
    for x in it:
        out |= x
    return out


def _c_lhs(p, dps):
    n = internal_cover_number(_c_points(p), _frac(p["epsilon"]))
    return math.log(n) if dps is None else mpmath.log(n)


def _c_atom(atom, args, p, dps):
    if not isinstance(atom, CoveringNumber):
        raise ValueError(f"arena internal-external cannot evaluate {atom}")
    e = args[1]
    pts = _c_points(p)
    n = internal_cover_number(pts, e) if atom.args[3] == 1 else external_cover_number(pts, e)
    return n


def _c_shrink(p):
    """Drop one point at a time (a smaller witness is easier to read)."""
    return [{"points": p["points"][:i] + p["points"][i + 1:], "epsilon": p["epsilon"]}
            for i in range(len(p["points"])) if len(p["points"]) > 2]


def _c_values(p):
    return {"epsilon": _frac(p["epsilon"])}


def _c_witness(p):
    pts = _c_points(p)
    e = _frac(p["epsilon"])
    n_ext, centres = external_cover_number(pts, e, return_centres=True)
    return {"points": [[str(x), str(y)] for x, y in pts], "epsilon": str(e),
            "N_int(eps)": internal_cover_number(pts, e), "N_ext(eps)": n_ext,
            "external_centres": [[str(x), str(y)] for x, y in centres],
            "N_ext(eps/2)": external_cover_number(pts, e / 2)}


# -- (d) the loss class of a one-parameter linear class ----------------------------------------------

def _d_sample(rng):
    return {"L_loss": _loguniform(rng, 0.05, 20.0), "R": _loguniform(rng, 1e-2, 1e2),
            "epsilon": _loguniform(rng, 1e-2, 10.0)}


def _d_perturb(p, rng):
    return {"L_loss": _jitter(rng, p["L_loss"], 0.01, 100.0), "R": _jitter(rng, p["R"], 1e-3, 1e3),
            "epsilon": _jitter(rng, p["epsilon"], 1e-3, 100.0)}


def _interval_cover(half_length: Fraction, eps: Fraction) -> int:
    """N(eps) of an interval of length 2a (internal and external): max(1, ceil(a / eps))."""
    q = half_length / eps
    return max(1, -((-q.numerator) // q.denominator))


def _d_lhs(p, dps):
    n = _interval_cover(_frac(p["L_loss"]) * _frac(p["R"]), _frac(p["epsilon"]))
    return math.log(n) if dps is None else mpmath.log(n)


def _d_atom(atom, args, p, dps):
    cls = atom.args[0]
    e = args[1]
    a = _frac(p["R"])
    if type(cls).__name__ == "LossClass":
        a *= _frac(p["L_loss"])
    return _interval_cover(a, e)


def _d_values(p):
    return {"L_loss": _frac(p["L_loss"]), "epsilon": _frac(p["epsilon"])}


def _d_witness(p):
    L, R, e = _frac(p["L_loss"]), _frac(p["R"]), _frac(p["epsilon"])
    return {"class": "F = {x -> w x : |w| <= R} on x in [-1, 1], loss l(y) = L_loss * y (sup norm)",
            "L_loss": str(L), "R": str(R), "epsilon": str(e),
            "N(l o F, eps)": _interval_cover(L * R, e), "N(F, eps)": _interval_cover(R, e),
            "N(F, eps/L_loss)": _interval_cover(R, e / L)}


# -- (e) perturbations of a single-head transformer ----------------------------------------------------

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


def _shrink_to(A, B, normfn):
    A = np.asarray(A, dtype=float)
    nrm = normfn(A)
    if nrm <= B:
        return A
    A = A * (B / nrm)
    while normfn(A) > B:
        A = A * (1 - 1e-15)
    return A


_fro = lambda A: float(np.linalg.norm(A))  # noqa: E731


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
            X[t] = _shrink_to(X[t], B_X, _fro)
        x_cls = _shrink_to(x_cls, B_X, _fro)

        def lowrank(a, b, r, B):
            return _shrink_to(rng.standard_normal((a, r)) @ rng.standard_normal((r, b)) * 1e3, B, _fro)

        th = {"W_QK": lowrank(d, d, r_w, B_QK), "W_V": lowrank(d, k, r_v, B_V),
              "w": _shrink_to(rng.standard_normal(k) * 1e3, B_w, _fro)}
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
                th2[name] = _shrink_to(A2, B, _fro)
            else:
                th2[name] = A.copy()
    return {"X": X, "x_cls": x_cls, "theta": th, "theta2": th2}


def _e_sample(rng):
    d = int(rng.integers(2, 6))
    k = int(rng.integers(1, 4))
    fam = "aligned" if rng.uniform() < 0.5 else "random"
    blocks = [b for b in ("w", "W_V", "W_QK") if rng.uniform() < 0.5] or ["W_QK"]
    return {"family": fam, "seed": int(rng.integers(0, 2**31)), "d": d, "k": k, "T": int(rng.integers(2, 9)),
            "r_w": int(rng.integers(1, d + 1)), "r_v": int(rng.integers(1, min(d, k) + 1)),
            "B_X": _loguniform(rng, 0.25, 8.0), "B_w": _loguniform(rng, 0.25, 4.0),
            "B_V": _loguniform(rng, 0.25, 4.0), "B_QK": _loguniform(rng, 0.25, 4.0),
            "gamma": _loguniform(rng, 1e-6, 1e-1), "blocks": blocks}


def _e_perturb(p, rng):
    q = dict(p)
    for name, lo, hi in (("B_X", 0.1, 16.0), ("B_w", 0.1, 8.0), ("B_V", 0.1, 8.0), ("B_QK", 0.1, 8.0),
                         ("gamma", 1e-8, 1.0)):
        q[name] = _jitter(rng, p[name], lo, hi)
    if rng.uniform() < 0.2:
        q["seed"] = int(rng.integers(0, 2**31))
    return q


def _e_lhs(p, dps):
    inst = _instance(p)
    a = (inst["X"], inst["x_cls"])
    t1, t2 = inst["theta"], inst["theta2"]
    if dps is None:
        return abs(forward(*a, t1["W_QK"], t1["W_V"], t1["w"]) - forward(*a, t2["W_QK"], t2["W_V"], t2["w"]))
    return abs(forward_mp(*a, t1["W_QK"], t1["W_V"], t1["w"]) - forward_mp(*a, t2["W_QK"], t2["W_V"], t2["w"]))


_INSTANCES: dict = {}


def _instance(p):
    key = repr(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in p.items()))
    inst = _INSTANCES.get(key)
    if inst is None:
        if len(_INSTANCES) > 4096:
            _INSTANCES.clear()
        inst = _INSTANCES[key] = build_instance(p)
    return inst


def _e_atom(atom, args, p, dps):
    if not isinstance(atom, Distance):
        raise ValueError(f"arena transformer-perturbation cannot evaluate {atom}")
    name = str(atom.args[0])
    key = {"w": "w", "W_V": "W_V", "W_QK": "W_QK"}[name]
    inst = _instance(p)
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


def _e_values(p):
    return {"d": p["d"], "k": p["k"], "r_w": p["r_w"], "r_v": p["r_v"], "T": p["T"], "L_sigma": 1,
            **{k: _frac(p[k]) for k in ("B_X", "B_w", "B_V", "B_QK")}}


def _e_member(p, dps=CONFIRM_DPS) -> list:
    """Violations of membership (tokens and parameters in the class), checked at ``dps`` digits."""
    inst = _instance(p)
    bad = []
    with mpmath.workdps(dps):
        nrm = lambda v: mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(x)) ** 2 for x in np.ravel(v)))  # noqa
        BX = to_mpf(_frac(p["B_X"]))
        if any(nrm(row) > BX for row in inst["X"]) or nrm(inst["x_cls"]) > BX:
            bad.append("a token has norm > B_X")
        for th in (inst["theta"], inst["theta2"]):
            for key, rad, rk in (("w", "B_w", None), ("W_V", "B_V", "r_v"), ("W_QK", "B_QK", "r_w")):
                if nrm(th[key]) > to_mpf(_frac(p[rad])):
                    bad.append(f"||{key}|| > {rad}")
                if rk is not None:
                    sv = np.linalg.svd(th[key], compute_uv=False)
                    if int(np.sum(sv > 1e-10 * max(1.0, sv[0] if sv.size else 0))) > p[rk]:
                        bad.append(f"rank {key} > {rk}")
    return bad


def _e_witness(p):
    inst = _instance(p)
    return {"recipe": _jsonable(p), "sigma": "tanh (1-Lipschitz, sigma(0) = 0)",
            "X": _jsonable(inst["X"]), "x_cls": _jsonable(inst["x_cls"]),
            "theta": _jsonable(inst["theta"]), "theta2": _jsonable(inst["theta2"]),
            "class_violations": _e_member(p)}


ARENAS = {a.key: a for a in (
    Arena("lowrank-ball-cover", "covering numbers of {W in R^{n1 x n2}: rank <= r, ||W||_F <= B}",
          "volumetric lower bound max(n1, n2) r log(B/eps) on log N (the ball contains a Euclidean ball of "
          "that dimension and radius B)", _a_sample, _a_perturb, _a_lhs, _a_values,
          witness=lambda p: _jsonable(p)),
    Arena("dudley-integral", "the Dudley integral int_0^U sqrt(D log+(C/eps)) d eps",
          "tanh-sinh quadrature with a breakpoint at eps = C, confirmed against C Gamma(3/2, log+(C/U))",
          _b_sample, _b_perturb, _b_lhs, _b_values, witness=lambda p: _jsonable(p)),
    Arena("internal-external", "internal and external covers of finite sets in the plane",
          "exact N_int (centres among the points) and N_ext (candidate centres: points, midpoints, "
          "circumcentres) in rational arithmetic", _c_sample, _c_perturb, _c_lhs, _c_values, _c_atom, _c_witness,
          _c_shrink),
    Arena("loss-cover", "F = {x -> w x : |w| <= R} on [-1, 1] and the loss class of l(y) = L_loss y",
          "exact covering numbers of intervals: N = max(1, ceil(half-length / eps))",
          _d_sample, _d_perturb, _d_lhs, _d_values, _d_atom, _d_witness),
    Arena("transformer-perturbation", "two parameter sets of a single-head transformer, one input",
          "|f_theta(X) - f_theta'(X)| by forward passes (mpmath at dps 50 from the exact float64 entries); "
          "spectral norms of the differences by mpmath SVD", _e_sample, _e_perturb, _e_lhs, _e_values, _e_atom,
          _e_witness),
)}


# ---------------------------------------------------------------------------------------------
# the right side, from the lemma value
# ---------------------------------------------------------------------------------------------

def _point_subs(lemma: Lemma, arena: Arena, p) -> dict:
    vals = arena.values(p)
    out = {}
    for sym in lemma.params:
        if sym.name in vals:
            out[sym] = vals[sym.name]
    return out


def _is_relation(cond) -> bool:
    # modelling assumptions (None) and fact atoms established by other lemmas (the softmax lemma for the
    # perturbation lemma) are not conditions on the point; only relations between parameters are
    return cond is not None and isinstance(cond, (sympy.core.relational.Relational, sympy.And, sympy.Or,
                                                  sympy.Not))


@lru_cache(maxsize=None)
def _prepared(lemma: Lemma):
    """Per lemma, once: the right side with the default constants, its objects, compiled evaluators."""
    consts = lemma.constant_values()
    rhs = lemma.rhs.xreplace(consts)
    params = tuple(lemma.params)
    atoms = tuple(sorted(rhs.atoms(CoveringNumber, Distance), key=sympy.default_sort_key))
    dummies = tuple(sympy.Dummy(f"a{i}") for i in range(len(atoms)))
    body = rhs.xreplace(dict(zip(atoms, dummies)))
    mods = [{"logplus": lambda x: mpmath.log(x) if x > 1 else mpmath.mpf(0)}, "mpmath"]
    fn = sympy.lambdify(params + dummies, body, modules=mods) if not body.free_symbols - set(params) - set(
        dummies) else None
    # exact radius arguments of covering numbers (e.g. eps/2, eps/L_loss), evaluated on Fractions
    radius = tuple(sympy.lambdify(params, a.args[1].xreplace(consts), modules=[{}]) if isinstance(a, CoveringNumber)
                   else None for a in atoms)
    hyps = tuple(sympy.lambdify(params, h.condition) for h in lemma.hypotheses if _is_relation(h.condition))
    return rhs, params, atoms, fn, radius, hyps


def _hypotheses_hold(lemma, subs) -> bool:
    _, params, _, _, _, hyps = _prepared(lemma)
    if not hyps:
        return True
    args = [_frac(subs[s]) if s in subs else None for s in params]
    for h in hyps:
        try:
            ok = bool(h(*args))
        except TypeError:            # a parameter the arena does not set: unknown is never true
            return False
        if not ok:
            return False
    return True


def _atom_values(lemma, arena, p, subs, dps):
    _, params, atoms, _, radius, _ = _prepared(lemma)
    fargs = [_frac(subs[s]) if s in subs else None for s in params]
    vals = []
    for atom, rad in zip(atoms, radius):
        args = list(atom.args)
        if rad is not None:
            args[1] = Fraction(rad(*fargs))
        vals.append(arena.atom(atom, args, p, dps))
    return atoms, vals


def _side_value(expr, lemma, arena, p, subs, dps):
    """The right side of ``lemma`` at the point: constants at their defaults, objects via the arena.

    ``dps=None`` (the search): the compiled right side at 15 digits; otherwise the independent tree walker
    :func:`numeric.mpeval.mp_eval` at ``dps`` digits.
    """
    rhs, params, _, fn, _, _ = _prepared(lemma)
    atoms, avals = _atom_values(lemma, arena, p, subs, dps)
    work = 15 if dps is None else dps
    with mpmath.workdps(work):
        conv = lambda v: v if isinstance(v, mpmath.mpf) else to_mpf(_frac(v))  # noqa: E731
        if dps is None and fn is not None:
            v = fn(*([conv(subs[s]) if s in subs else mpmath.nan for s in params] + [conv(a) for a in avals]))
        else:
            mv = {k: conv(v) for k, v in subs.items()}
            mv.update({a: conv(v) for a, v in zip(atoms, avals)})
            v = mp_eval(rhs, mv)
        if isinstance(v, mpmath.mpc):
            if abs(v.imag) > 0:
                return None
            v = v.real
        if mpmath.isnan(v):
            return None
        return float(v) if dps is None else +v


def _margin(lemma, arena, p, dps=None):
    """(lhs - rhs) / scale (> 0: the lemma is false here), or None where it does not apply."""
    subs = _point_subs(lemma, arena, p)
    if not _hypotheses_hold(lemma, subs):
        return None
    rhs = _side_value(lemma.rhs, lemma, arena, p, subs, dps)
    if rhs is None:
        return None
    lhs = arena.lhs(p, dps)
    if dps is None:
        if not (math.isfinite(lhs) and math.isfinite(rhs)):
            return None
        scale = max(abs(lhs), abs(rhs), 1e-300)
        gap = abs(lhs - rhs) if lemma.conclusion.rel_op == "==" else lhs - rhs
        return gap / scale, lhs, rhs
    scale = max(abs(lhs), abs(rhs), mpmath.mpf(10) ** -300)
    gap = abs(lhs - rhs) if lemma.conclusion.rel_op == "==" else lhs - rhs
    return gap / scale, lhs, rhs


# ---------------------------------------------------------------------------------------------
# search and confirmation
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchResult:
    """The outcome of a counterexample search on one lemma."""

    lemma: str
    wrong: bool
    arena: str
    seed: int
    budget: int
    evaluations: int
    refused: bool
    best_margin: float | None
    counterexample: dict | None = None
    lhs: str | None = None          # at the counterexample, CONFIRM_DPS digits
    rhs: str | None = None
    reason: str = ""
    lhs_description: str = ""

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("lemma", "wrong", "arena", "seed", "budget", "evaluations",
                                               "refused", "best_margin", "counterexample", "lhs", "rhs",
                                               "reason", "lhs_description")}

    def summary(self) -> str:
        if self.refused:
            return (f"REFUSED {self.lemma}: counterexample after {self.evaluations} evaluations "
                    f"(lhs = {self.lhs[:24]} > rhs = {self.rhs[:24]} at dps {CONFIRM_DPS})")
        return (f"survives {self.lemma}: no counterexample in {self.evaluations} evaluations "
                f"(best margin {self.best_margin:.3g})" if self.best_margin is not None else
                f"survives {self.lemma}: no admissible point in {self.evaluations} evaluations")


def confirm(lemma: Lemma, arena: str | Arena, point: dict, dps: int = CONFIRM_DPS):
    """Both sides at ``dps`` digits: ``(violated, lhs, rhs)`` (violated: lhs > rhs beyond 10^-(dps-10))."""
    ar = ARENAS[arena] if isinstance(arena, str) else arena
    if ar.key == "transformer-perturbation" and _e_member(point, dps):
        return False, None, None
    with mpmath.workdps(dps + 10):
        m = _margin(lemma, ar, point, dps + 10)
        if m is None:
            return False, None, None
        g, lhs, rhs = m
        violated = bool(g > mpmath.mpf(10) ** (-(dps - 10)))
    with mpmath.workdps(dps):
        return violated, +lhs, +rhs


def search(lemma: Lemma, arena: str | Arena, budget: int = DEFAULT_BUDGET, seed: int = 0,
           restarts: int | None = None, stop_at_first: bool = True) -> SearchResult:
    """Random search with restarts and hill climbing on the violation margin, then confirmation.

    The same ``(arena, budget, seed)`` draws the same points whatever the lemma,
    so a slip and its true lemma meet the same search.
    """
    ar = ARENAS[arena] if isinstance(arena, str) else arena
    rng = np.random.default_rng(seed)
    restarts = restarts or max(1, budget // 25)
    per = max(1, budget // restarts)
    evals = 0
    best = None
    tried = set()
    for _ in range(restarts):
        p = ar.sample(rng)
        m = _margin(lemma, ar, p)
        evals += 1
        cur = -math.inf if m is None else m[0]
        for _ in range(per - 1):
            if cur > FLOAT_TOL:
                break
            q = ar.perturb(p, rng)
            mq = _margin(lemma, ar, q)
            evals += 1
            vq = -math.inf if mq is None else mq[0]
            if vq >= cur:
                p, cur = q, vq
        if best is None or cur > best[0]:
            best = (cur, p)
        if cur > FLOAT_TOL:
            key = repr(p)
            if key not in tried:
                tried.add(key)
                violated, lhs, rhs = confirm(lemma, ar, p)
                if violated and ar.shrink is not None:
                    p, lhs, rhs = _shrunk(lemma, ar, p, lhs, rhs)
                if violated:
                    return SearchResult(lemma.name, lemma.wrong, ar.key, seed, budget, evals, True, float(cur),
                                        ar.witness(p) if ar.witness else _jsonable(p),
                                        mpmath.nstr(lhs, CONFIRM_DPS), mpmath.nstr(rhs, CONFIRM_DPS),
                                        lemma.source.derivation or str(lemma.source), ar.lhs_description)
        if evals >= budget and stop_at_first:
            break
    bm = None if best is None or best[0] == -math.inf else float(best[0])
    return SearchResult(lemma.name, lemma.wrong, ar.key, seed, budget, evals, False, bm, None, None, None,
                        "" if not lemma.wrong else "no counterexample found within the budget",
                        ar.lhs_description)


def _shrunk(lemma, ar, p, lhs, rhs):
    """Greedily replace a confirmed counterexample by simpler ones that are still confirmed."""
    changed = True
    while changed:
        changed = False
        for q in ar.shrink(p):
            ok, l2, r2 = confirm(lemma, ar, q)
            if ok:
                p, lhs, rhs, changed = q, l2, r2, True
                break
    return p, lhs, rhs


# ---------------------------------------------------------------------------------------------
# the slip table
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SlipCheck:
    """A slip, its arena and the true lemmas that must survive the same search."""

    key: str
    slip: Lemma
    arena: str
    true_names: tuple


def true_lemmas_for(check: SlipCheck) -> list:
    """The true lemma values a slip varies (registered ones from the registry, the others from CONTROLS)."""
    import lemmas
    from lemmas.slips import CONTROLS
    if "logplus-sqrt-integral" in check.true_names:
        from derive.integrals import logplus_integral
        logplus_integral()
    ctrl = {c.name: c for c in CONTROLS}
    return [ctrl[n] if n in ctrl else lemmas.get(n) for n in check.true_names]


@lru_cache(maxsize=None)
def _checks():
    from lemmas.slips import slip
    return (
        SlipCheck("a", slip("a"), "lowrank-ball-cover", ("low-rank-net-ball",)),
        SlipCheck("b", slip("b"), "dudley-integral", ("dudley-cauchy-schwarz", "logplus-sqrt-integral")),
        SlipCheck("c", slip("c"), "internal-external", ("internal-by-external-half",)),
        SlipCheck("d", slip("d"), "loss-cover", ("loss-cover-rescaled-eps",)),
        SlipCheck("e", slip("e"), "transformer-perturbation",
                  ("transformer-perturbation", "transformer-perturbation-sharp")),
    )


class _Checks:
    def __iter__(self):
        return iter(_checks())

    def __len__(self):
        return len(_checks())

    def __getitem__(self, i):
        return _checks()[i]


#: the slips of MATH.md section 6.4 with their arenas and true lemmas
CHECKS = _Checks()


@dataclass(frozen=True)
class SlipVerdict:
    key: str
    slip: SearchResult
    controls: tuple          # SearchResult of each true lemma under the same search
    consequence: dict | None = None   # where known, the step of the chain that the slip breaks

    @property
    def ok(self) -> bool:
        return self.slip.refused and not any(c.refused for c in self.controls)

    def to_json(self) -> dict:
        out = {"key": self.key, "ok": self.ok, "slip": self.slip.to_json(),
               "true_lemmas": [c.to_json() for c in self.controls]}
        if self.consequence is not None:
            out["consequence"] = self.consequence
        return out


def external_centre_breaks_perturbation(B_X=1.0, B_w=1.0, B_V=0.25, delta=0.125, scale=3.0, d=2, k=1, T=2,
                                        dps: int = CONFIRM_DPS) -> dict:
    """Slip (c) in the chain: an external net point breaks the perturbation step.

    theta in Theta: x_cls and all tokens B_X e_1, W_QK = 0, W_V = B_V e_1 e_1^T, w = B_w e_1.  An external
    centre theta' (a point of a cover of the *parameter sets* taken outside them) with w' = scale B_w e_1
    (||w'|| > B_w) and W_V' = (B_V + delta) e_1 e_1^T.  The perturbation lemma's right side uses the class
    radii B_w, B_V, so |f_theta - f_theta'| exceeds it: the step needs internal centres.  Both sides at
    ``dps`` digits (the forward pass from the exact float64 entries).
    """
    e1d, e1k = np.eye(d)[0], np.eye(k)[0]
    X = np.tile(B_X * e1d, (T, 1))
    th = {"W_QK": np.zeros((d, d)), "W_V": B_V * np.outer(e1d, e1k), "w": B_w * e1k}
    th2 = {"W_QK": np.zeros((d, d)), "W_V": (B_V + delta) * np.outer(e1d, e1k), "w": scale * B_w * e1k}
    with mpmath.workdps(dps + 10):
        f1 = forward_mp(X, B_X * e1d, th["W_QK"], th["W_V"], th["w"])
        f2 = forward_mp(X, B_X * e1d, th2["W_QK"], th2["W_V"], th2["w"])
        lhs = abs(f1 - f2)
        m = lambda v: mpmath.mpf(float(v))  # noqa: E731
        rhs = m(B_V) * m(B_X) * m((scale - 1) * B_w) + m(B_w) * m(B_X) * m(delta)   # + 2 ... * 0 (W_QK fixed)
        broken = bool(lhs > rhs)
    with mpmath.workdps(dps):
        return {"statement": "transformer-perturbation with theta' an external centre outside Theta (||w'|| > B_w)",
                "B_X": B_X, "B_w": B_w, "B_V": B_V, "L_sigma": 1, "sigma": "tanh",
                "theta": _jsonable(th), "theta_prime": _jsonable(th2), "x_cls": _jsonable(B_X * e1d),
                "X": _jsonable(X), "lhs |f - f'|": mpmath.nstr(+lhs, dps),
                "rhs (class radii)": mpmath.nstr(+rhs, dps), "broken": broken}


def check_slips(budget: int = DEFAULT_BUDGET, seed: int = 0, keys: str = "abcde") -> list:
    """Search every slip and its true lemmas with the same budget and seed."""
    out = []
    for ch in CHECKS:
        if ch.key not in keys:
            continue
        s = search(ch.slip, ch.arena, budget, seed)
        ctrl = tuple(search(t, ch.arena, budget, seed, stop_at_first=False) for t in true_lemmas_for(ch))
        out.append(SlipVerdict(ch.key, s, ctrl, external_centre_breaks_perturbation() if ch.key == "c" else None))
    return out
