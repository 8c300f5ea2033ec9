"""The arenas: every slip is refused with a counterexample that is re-checked here independently
(oracles, mpmath, exact rationals, brute force), and the exact covering numbers the arenas compute agree
with enumeration."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import oracles
from helpers import within
from numeric.audit.slips import CHECKS, DEFAULT_BUDGET, external_cover_number, internal_cover_number, search
from numeric.audit.slips.arenas.loss import interval_cover

CTX = 50


def _ctx():
    ctx = mpmath.MPContext()
    ctx.dps = CTX
    return ctx


def _F(s):
    return Fraction(s)


@pytest.fixture(scope="module")
def refusals():
    return {ch.key: search(ch.slip, ch.arena, DEFAULT_BUDGET, seed=0) for ch in CHECKS}


@pytest.mark.parametrize("key", "abcde")
def test_every_slip_is_refused(refusals, key):
    res = refusals[key]
    assert res.refused, f"slip ({key}) {res.lemma} was not refused: {res}"
    assert res.counterexample and res.reason
    ctx = _ctx()
    assert ctx.mpf(res.lhs) > ctx.mpf(res.rhs)


def test_slip_a_counterexample_rechecked(refusals):
    w = refusals["a"].counterexample
    ctx = _ctx()
    n1, n2, r = w["n_1"], w["n_2"], w["r"]
    B, eps = ctx.mpf(float(w["B"])), ctx.mpf(float(w["epsilon"]))
    assert eps <= 1 and B > 1 and 1 <= r <= min(n1, n2)          # the slip's hypotheses hold
    # the ball contains the Euclidean ball of dimension max(n1, n2) r and radius B (matrices supported on r
    # columns or r rows); any eps-cover of that ball needs vol ratio (B/eps)^m balls
    lower = max(n1, n2) * r * ctx.log(B / eps)
    wrong_rhs = (n1 + n2 + 1) * r * ctx.log(9 / eps)
    true_rhs = (n1 + n2 + 1) * r * max(0, ctx.log(9 * B / eps))
    assert lower > wrong_rhs
    assert lower <= true_rhs


def test_slip_a_volumetric_lower_bound_is_sound_on_an_explicit_packing():
    # the lower bound used by the arena, checked on an explicit 2 eps-packing of a 1-d ball (n1=n2=r=1)
    B, eps = 1000.0, 1.0
    pts = np.arange(-B, B + 1e-9, 2.0 * eps * 1.0001)[:, None]
    P = len(oracles.greedy_packing(pts, 2 * eps))
    assert math.log(P) > 3 * math.log(9 / eps)        # refutes the slip at n1 = n2 = r = 1 on its own


def test_slip_b_counterexample_rechecked(refusals):
    w = refusals["b"].counterexample
    D, C, U = float(w["D"]), float(w["C"]), float(w["U"])
    assert C < U
    q = oracles.dudley_logplus_integral_quad(D, C, U, dps=CTX)
    g = oracles.dudley_logplus_integral_gammainc(D, C, U, dps=CTX)
    ctx = _ctx()
    wrong = ctx.mpf(U) * ctx.sqrt(ctx.mpf(D) * (1 + ctx.log(ctx.mpf(C) / ctx.mpf(U))))
    assert abs(ctx.mpf(q) - ctx.mpf(g)) < ctx.mpf(10) ** -40 * ctx.mpf(g)
    assert ctx.mpf(q) > wrong
    assert ctx.mpf(q) <= ctx.mpf(U) * ctx.sqrt(ctx.mpf(D))     # the log+ version holds there


def _d2(a, b):
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def test_slip_c_counterexample_rechecked(refusals):
    w = refusals["c"].counterexample
    pts = [(_F(x), _F(y)) for x, y in w["points"]]
    e2 = _F(w["epsilon"]) ** 2
    centres = [(_F(x), _F(y)) for x, y in w["external_centres"]]
    # the external centres cover: N_ext(eps) <= len(centres)
    assert all(any(_d2(p, c) <= e2 for c in centres) for p in pts)
    # no set of len(centres) points of the set covers it: N_int(eps) > len(centres)
    for combo in itertools.combinations(pts, len(centres)):
        assert not all(any(_d2(p, c) <= e2 for c in combo) for p in pts)


def test_slip_d_counterexample_rechecked(refusals):
    w = refusals["d"].counterexample
    L, R, eps = (float(_F(w[k])) for k in ("L_loss", "R", "epsilon"))
    # lower bound on N(l o F, eps): a greedy 2 eps-packing of members x -> L w x, seen on inputs x = -1, 1
    ws = np.linspace(-R, R, 20001)
    vals = np.stack([-L * ws, L * ws], axis=1)
    P = len(oracles.greedy_packing(vals, 2 * eps, dist="sup"))
    # upper bound on N(F, eps): an explicit cover of [-R, R] by centres spaced 2 eps
    m = max(1, math.ceil(R / eps - 1e-12))
    centres = -R + eps * (2 * np.arange(m) + 1)
    assert np.max(np.min(np.abs(ws[:, None] - centres[None, :]), axis=1)) <= eps * (1 + 1e-9)
    ctx = _ctx()
    assert ctx.log(P) > ctx.mpf(L) * ctx.log(m)


def test_slip_e_counterexample_rechecked(refusals):
    w = refusals["e"].counterexample
    assert not w["class_violations"]
    X = np.array(w["X"], dtype=float)
    x_cls = np.array(w["x_cls"], dtype=float)
    th = {k: np.array(v, dtype=float) for k, v in w["theta"].items()}
    th2 = {k: np.array(v, dtype=float) for k, v in w["theta2"].items()}
    rec = w["recipe"]
    B_X, B_w, B_V, B_QK = (float(rec[k]) for k in ("B_X", "B_w", "B_V", "B_QK"))
    assert B_X > 1
    assert within(np.linalg.norm(X, axis=1), B_X) and within(np.linalg.norm(x_cls), B_X)
    for t in (th, th2):
        assert np.linalg.norm(t["w"]) <= B_w and np.linalg.norm(t["W_V"]) <= B_V
        assert np.linalg.norm(t["W_QK"]) <= B_QK
        assert np.linalg.matrix_rank(t["W_QK"]) <= rec["r_w"] and np.linalg.matrix_rank(t["W_V"]) <= rec["r_v"]
    f1 = oracles.transformer_forward(X, th["W_QK"], th["W_V"], th["w"], x_cls)
    f2 = oracles.transformer_forward(X, th2["W_QK"], th2["W_V"], th2["w"], x_cls)
    lhs = abs(f1 - f2)
    dw = np.linalg.norm(th["w"] - th2["w"])
    dV = np.linalg.norm(th["W_V"] - th2["W_V"], 2)
    dQ = np.linalg.norm(th["W_QK"] - th2["W_QK"], 2)
    wrong = B_V * B_X * dw + B_w * B_X * dV + 2 * B_w * B_V * B_X ** 2 * dQ
    true = B_V * B_X * dw + B_w * B_X * dV + 2 * B_w * B_V * B_X ** 3 * dQ
    assert lhs > wrong * (1 + 1e-6)
    assert lhs <= true
    # and in 50-digit arithmetic, from the same exact float64 entries
    sm = lambda s: oracles.softmax_mp(s, dps=CTX)  # noqa: E731
    with mpmath.workdps(CTX):
        # scores in mpmath: s_i = sum_{a,b} x_cls[a] W_QK[a, b] X[i, b]
        def fwd(t):
            W = t["W_QK"]
            s = [mpmath.fsum(mpmath.mpf(float(x_cls[a])) * mpmath.mpf(float(W[a, b])) * mpmath.mpf(float(X[i, b]))
                             for a in range(len(x_cls)) for b in range(len(x_cls))) for i in range(len(X))]
            p = sm(s)
            z = [mpmath.fsum(p[i] * mpmath.mpf(float(X[i, a])) for i in range(len(X))) for a in range(X.shape[1])]
            a_ = [mpmath.fsum(mpmath.mpf(float(t["W_V"][a, j])) * z[a] for a in range(len(z)))
                  for j in range(t["W_V"].shape[1])]
            return mpmath.fsum(mpmath.mpf(float(t["w"][j])) * mpmath.tanh(a_[j]) for j in range(len(a_)))
        lhs_mp = abs(fwd(th) - fwd(th2))
        assert lhs_mp > mpmath.mpf(wrong) * (1 + mpmath.mpf(10) ** -6)


# -- the exact covering numbers of the arenas, against enumeration ------------------------------------------

def _brute_internal(pts, eps):
    """Smallest k such that some k of the points cover all of them (squared distances, exact)."""
    e2 = eps * eps
    for k in range(1, len(pts) + 1):
        for combo in itertools.combinations(pts, k):
            if all(any(_d2(p, c) <= e2 for c in combo) for p in pts):
                return k
    raise AssertionError("the points themselves always cover")


def test_planar_cover_numbers_against_enumeration():
    rng = np.random.default_rng(11)
    seen_gap = False
    for _ in range(60):
        m = int(rng.integers(2, 6))
        pts = [(Fraction(int(rng.integers(-8, 9)), 4), Fraction(int(rng.integers(-8, 9)), 4)) for _ in range(m)]
        eps = Fraction(int(rng.integers(1, 12)), 4)
        n_int = internal_cover_number(pts, eps)
        assert n_int == _brute_internal(pts, eps)
        n_ext, centres = external_cover_number(pts, eps, return_centres=True)
        assert len(centres) == n_ext
        assert all(any(_d2(p, c) <= eps * eps for c in centres) for p in pts)     # the centres cover
        # a cover by n_ext - 1 balls would put two points of some 2 eps-packing in one ball: the greedy
        # packing bounds N_ext from below (in floats, with the exact comparison > 2 eps checked first)
        P = oracles.greedy_packing(np.array([[float(x), float(y)] for x, y in pts]), 2 * float(eps) * (1 + 1e-12))
        assert len(P) <= n_ext <= n_int
        assert n_int <= external_cover_number(pts, eps / 2)     # the true lemma (c) varies
        seen_gap |= n_ext < n_int
    assert seen_gap                  # the draws include sets where the external cover is strictly smaller


def test_interval_cover_against_an_explicit_grid():
    for a, e in ((Fraction(3), Fraction(1)), (Fraction(7, 2), Fraction(1)), (Fraction(1, 3), Fraction(5)),
                 (Fraction(10), Fraction(10, 3))):
        n = interval_cover(a, e)
        # n centres spaced 2 eps cover [-a, a]; n - 1 cannot (they cover a length of at most 2 eps (n - 1))
        assert 2 * e * n >= 2 * a and (n == 1 or 2 * e * (n - 1) < 2 * a)
