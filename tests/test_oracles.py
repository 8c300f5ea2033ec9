"""Sanity tests of the independent oracles in the ``tests/oracles`` package (each can fail).

These check the oracles against facts that do not go through the oracle's own formula
(probability simplex, an independent mpmath route to the same integral, numpy's matrix_rank,
pairwise distances, empirical covering), so the library tests can trust them.
"""

from __future__ import annotations


import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:  # tests/conftest.py (and pytest's rootdir insertion) put tests/ on sys.path
    import oracles as O
    import strategies as S
except ImportError:  # pragma: no cover - depends on how pytest was invoked
    from tests import oracles as O
    from tests import strategies as S
from helpers import within

GLOBAL_DPS = mpmath.mp.dps


@pytest.fixture(autouse=True)
def _global_precision_untouched():
    before = mpmath.mp.dps, mpmath.mp.prec
    yield
    assert (mpmath.mp.dps, mpmath.mp.prec) == before


# --- softmax -------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-700, 700, allow_nan=False), min_size=1, max_size=30))
def test_softmax_is_a_probability_vector_and_matches_mp(u):
    p = O.softmax(u)
    assert np.all(p >= 0) and abs(p.sum() - 1.0) < 1e-12
    assert p[int(np.argmax(u))] == p.max()
    q = O.softmax_mp(u, dps=40)
    with mpmath.workdps(40):
        assert abs(mpmath.fsum(q) - 1) < mpmath.mpf(10) ** -35
    np.testing.assert_allclose(p, [float(x) for x in q], rtol=1e-12, atol=1e-300)


def test_softmax_extreme_and_shift_invariant():
    p = O.softmax([1e308, -1e308, 0.0])
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])
    rng = np.random.default_rng(0)
    u = rng.standard_normal(7)
    np.testing.assert_allclose(O.softmax(u), O.softmax(u + 123.456), rtol=1e-12)


# --- random matrices, forward pass ----------------------------------------------------------------

@pytest.mark.parametrize("n1,n2,r", [(3, 3, 1), (5, 4, 3), (6, 2, 2), (4, 4, 4), (5, 3, 0)])
def test_random_low_rank_rank_and_norm(n1, n2, r):
    rng = np.random.default_rng(n1 * 100 + n2 * 10 + r)
    A = O.random_low_rank(rng, n1, n2, r)
    assert A.shape == (n1, n2) and np.linalg.matrix_rank(A) == r
    B = O.random_low_rank(rng, n1, n2, r, frob=2.5)
    assert np.linalg.matrix_rank(B) == r
    if r:
        assert np.linalg.norm(B) <= 2.5 and np.linalg.norm(B) == pytest.approx(2.5, rel=1e-14)


def test_transformer_forward_bounded_by_B_f_and_matches_hand_computation():
    rng = np.random.default_rng(1)
    for _ in range(200):
        d, k, T = (int(x) for x in rng.integers(1, 6, size=3))
        Bs = 10.0 ** rng.uniform(-1, 1, size=4)
        inst = O.random_transformer_instance(rng, d, k, T, int(rng.integers(1, d + 1)),
                                             int(rng.integers(1, min(d, k) + 1)), *Bs)
        for th in (inst["theta"], inst["theta2"]):
            f = O.transformer_forward(inst["X"], th["W_QK"], th["W_V"], th["w"], inst["x_cls"])
            B_f = inst["B_w"] * inst["B_V"] * inst["B_X"]  # L_sigma = 1 for tanh
            assert abs(f) <= B_f * (1 + 1e-12)
    # hand computation, T = 2, d = k = 1
    X = np.array([[1.0], [-2.0]])
    f = O.transformer_forward(X, np.array([[0.5]]), np.array([[3.0]]), np.array([2.0]),
                              np.array([1.0]), sigma=lambda a: a)
    s = np.array([0.5, -1.0])
    p = np.exp(s) / np.exp(s).sum()
    assert f == pytest.approx(2.0 * 3.0 * (p[0] * 1.0 + p[1] * -2.0), rel=1e-14)


def test_instances_lie_in_the_class():
    rng = np.random.default_rng(2)
    seen = set()
    for i in range(300):
        d, k, T = (int(x) for x in rng.integers(1, 6, size=3))
        r_w, r_v = int(rng.integers(1, d + 1)), int(rng.integers(1, min(d, k) + 1))
        B_X, B_w, B_V, B_QK = 10.0 ** rng.uniform(-1, 1, size=4)
        inst = O.random_transformer_instance(rng, d, k, T, r_w, r_v, B_X, B_w, B_V, B_QK)
        seen.add(inst["mode"])
        # the instance scales each row with a norm computed one way; numpy's row-wise norm may round
        # differently (SIMD paths differ by CPU): allow the last bits, never more
        norms = np.linalg.norm(inst["X"], axis=1)
        assert within(norms, B_X) and within(np.linalg.norm(inst["x_cls"]), B_X)
        if inst["mode"] != "aligned":
            assert norms.max() == pytest.approx(B_X, rel=1e-14)
        for th in (inst["theta"], inst["theta2"]):
            assert th["W_QK"].shape == (d, d) and th["W_V"].shape == (d, k)
            assert np.linalg.matrix_rank(th["W_QK"]) <= r_w
            assert np.linalg.matrix_rank(th["W_V"]) <= r_v
            assert np.linalg.norm(th["W_QK"]) <= B_QK
            assert np.linalg.norm(th["W_V"]) <= B_V
            assert np.linalg.norm(th["w"]) <= B_w
    assert seen == set(O.INSTANCE_MODES)


# --- perturbation lemma -------------------------------------------------------------------------

def test_perturbation_lemma_holds_and_aligned_mode_is_near_sharp():
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(1500):
        d, k, T = (int(x) for x in rng.integers(1, 6, size=3))
        B = 10.0 ** rng.uniform(-1, 1, size=4)
        inst = O.random_transformer_instance(rng, d, k, T, int(rng.integers(1, d + 1)),
                                             int(rng.integers(1, min(d, k) + 1)), *B)
        B_f = inst["B_w"] * inst["B_V"] * inst["B_X"]
        for const in (2, 1):
            for norms in ("class", "actual"):
                lhs, rhs = O.perturbation_lhs_rhs(inst, softmax_const=const, norms=norms)
                assert lhs <= rhs * (1 + 1e-9) + 1e-12 * B_f, (inst["mode"], const, norms)
                if rhs > 1e-9 * B_f:
                    worst = max(worst, lhs / rhs)
    assert worst > 0.9  # the generator does find near-extremal instances
    # the sharp softmax constant 1 is attained by the aligned configuration (T even)
    ratios1, ratios2 = [], []
    for T in (2, 4, 6):
        inst = O.random_transformer_instance(rng, 3, 2, T, 2, 1, 0.8, 1.5, 0.7, 2.0,
                                             mode="aligned", blocks=("QK",))
        l1, r1 = O.perturbation_lhs_rhs(inst, softmax_const=1)
        l2, r2 = O.perturbation_lhs_rhs(inst, softmax_const=2)
        ratios1.append(l1 / r1)
        ratios2.append(l2 / r2)
    assert min(ratios1) > 0.95 and max(ratios1) <= 1.0
    assert max(ratios2) <= 0.5 + 1e-12 and min(ratios2) > 0.475


def test_perturbation_rhs_formula_by_hand():
    d = k = 1
    inst = {
        "X": np.array([[2.0], [-1.0]]), "x_cls": np.array([1.5]),
        "theta": {"W_QK": np.array([[0.3]]), "W_V": np.array([[0.5]]), "w": np.array([1.0])},
        "theta2": {"W_QK": np.array([[0.1]]), "W_V": np.array([[0.4]]), "w": np.array([0.7])},
        "B_X": 2.0, "B_w": 1.0, "B_V": 0.5, "B_QK": 0.3, "d": d, "k": k, "T": 2,
    }
    lhs, rhs = O.perturbation_lhs_rhs(inst, L_sigma=1, softmax_const=2)
    assert rhs == pytest.approx(0.5 * 2 * 0.3 + 1.0 * 2 * 0.1 + 2 * 1.0 * 0.5 * 8 * 0.2, rel=1e-14)
    assert lhs <= rhs


# --- Dudley integral ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(S.dudley_triples(), S.precisions())
def test_dudley_quad_matches_incomplete_gamma(triple, dps):
    D, C, U = triple
    q = O.dudley_logplus_integral_quad(D, C, U, dps=dps)
    ctx = mpmath.MPContext()
    ctx.dps = dps + 10
    Dm, Cm, Um = ctx.mpf(D), ctx.mpf(C), ctx.mpf(U)
    a = ctx.log(Cm / Um) if Cm > Um else ctx.zero
    direct = ctx.sqrt(Dm) * Cm * ctx.gammainc(ctx.mpf(3) / 2, a)  # C Gamma(3/2, log+(C/U))
    rel = abs(ctx.mpf(q) - direct) / direct
    assert rel < ctx.mpf(10) ** (-(dps - 5))
    # and the helper agrees too
    g = O.dudley_logplus_integral_gammainc(D, C, U, dps=dps)
    assert abs(ctx.mpf(g) - direct) / direct < ctx.mpf(10) ** (-(dps - 3))


def test_dudley_quad_simple_values():
    # C <= U: integral = sqrt(D) C sqrt(pi)/2 ; the part past C contributes nothing
    q = O.dudley_logplus_integral_quad(4, 1, 10, dps=30)
    with mpmath.workdps(30):
        assert abs(q - 2 * mpmath.sqrt(mpmath.pi) / 2) < mpmath.mpf(10) ** -25


# --- spec theorem -------------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(S.parameter_sets(), S.precisions())
def test_spec_theorem_structure_and_blocks(params, dps):
    res = O.rademacher_bound_spec(params, dps=dps)
    ctx = mpmath.MPContext()
    ctx.dps = dps
    tol = ctx.mpf(10) ** (-(dps - 6))
    R = ctx.mpf(res["rademacher_complexity"])
    assert R > 0 and res["confidence"] > 0
    assert abs(ctx.mpf(res["rademacher_term"]) - 2 * R) <= tol * R
    assert abs(ctx.mpf(res["value"]) - 2 * R - ctx.mpf(res["confidence"])) <= tol * ctx.mpf(res["value"])
    names = [b[0] for b in res["blocks"]]
    assert names == ["w", "V", "QK"]
    D = {b[0]: b[1] for b in res["blocks"]}
    assert D["w"] == params["k"]
    assert D["V"] == (params["d"] + params["k"] + 1) * params["r_v"]
    assert D["QK"] == (2 * params["d"] + 1) * params["r_w"]
    # T independence
    other = dict(params, T=params["T"] + 17)
    assert O.rademacher_bound_spec(other, dps=dps)["value"] == res["value"]


@pytest.mark.parametrize("B_X,B_QK", [(1.3, 0.9), (0.2, 0.01)])  # second: C_QK < B_f (log+ cut)
def test_spec_blocks_match_quadrature_and_softmax_constant(B_X, B_QK):
    p = dict(n=10 ** 6, d=8, k=4, r_w=2, r_v=2, B_X=B_X, B_w=0.7, B_V=2.0, B_QK=B_QK,
             L_sigma=1.0, L_loss=1.5, c=1.0, delta=0.05)
    res = O.rademacher_bound_spec(p, dps=30)
    B_f = res["B_f"]  # full-precision product, not the float64 one
    total = 0
    for name, D, C, integral in res["blocks"]:
        q = O.dudley_logplus_integral_quad(D, C, B_f, dps=30)
        with mpmath.workdps(30):
            assert abs(q - integral) / integral < mpmath.mpf(10) ** -20
            total += integral
    with mpmath.workdps(30):
        R = 12 * p["L_loss"] / mpmath.sqrt(p["n"]) * total
        assert abs(R - res["rademacher_complexity"]) / R < mpmath.mpf(10) ** -20
        conf = 3 * p["c"] * mpmath.sqrt(mpmath.log(2 / mpmath.mpf(p["delta"])) / (2 * p["n"]))
        assert abs(conf - res["confidence"]) / conf < mpmath.mpf(10) ** -20
    C2 = res["blocks"][2][2]
    C1 = O.rademacher_bound_spec(p, dps=30, softmax_const=1)["blocks"][2][2]
    with mpmath.workdps(30):
        assert abs(C2 / C1 - 2) < mpmath.mpf(10) ** -25
        C2_hand = 54 * mpmath.mpf(p["L_sigma"]) * p["B_w"] * p["B_V"] * mpmath.mpf(p["B_X"]) ** 3 * p["B_QK"]
        assert abs(C2 - C2_hand) / C2 < mpmath.mpf(10) ** -25
    assert O.rademacher_bound_spec(p, dps=30, softmax_const=1)["value"] < res["value"]


def test_spec_rate_one_over_sqrt_n():
    p = dict(n=10 ** 4, d=8, k=4, r_w=2, r_v=2, B_X=1.0, B_w=1.0, B_V=1.0, B_QK=1.0,
             L_sigma=1.0, L_loss=1.0, c=1.0, delta=0.1)
    a = O.rademacher_bound_spec(p)["rademacher_term"]
    b = O.rademacher_bound_spec(dict(p, n=10 ** 6))["rademacher_term"]
    with mpmath.workdps(30):
        assert abs(a / b - 10) < mpmath.mpf(10) ** -20


# --- nets and packings --------------------------------------------------------------------------

@pytest.mark.parametrize("dist", ["fro", "spec", "sup", "col", "callable"])
def test_greedy_packing_separated_and_maximal(dist):
    rng = np.random.default_rng(4)
    pts = rng.standard_normal((150, 3, 2))
    metric = (lambda a, b: float(np.abs(a - b).sum())) if dist == "callable" else dist
    P, idx = O.greedy_packing(pts, 1.2, metric), O.greedy_packing(pts, 1.2, metric,
                                                                    return_indices=True)
    np.testing.assert_array_equal(P, pts[idx])

    def dd(a, b):
        if dist == "fro":
            return np.linalg.norm(a - b)
        if dist == "spec":
            return np.linalg.norm(a - b, 2)
        if dist == "sup":
            return np.abs(a - b).max()
        if dist == "col":
            return np.linalg.norm(a - b, axis=0).max()
        return np.abs(a - b).sum()

    assert len(P) >= 2
    for i in range(len(P)):
        for j in range(i + 1, len(P)):
            assert dd(P[i], P[j]) > 1.2
    for x in pts:  # maximality: every point within radius of the packing
        assert min(dd(x, y) for y in P) <= 1.2


def test_volumetric_ball_net_size_and_cover():
    rng = np.random.default_rng(5)
    for k, R, eps in [(1, 1.0, 0.3), (2, 2.0, 0.5), (3, 1.0, 0.5)]:
        net = O.volumetric_ball_net(k, R, eps, rng)
        assert within(np.linalg.norm(net, axis=1), R)
        assert len(net) <= (3 * R / eps) ** k
        G = rng.standard_normal((3000, k))
        G /= np.linalg.norm(G, axis=1, keepdims=True)
        samp = G * (R * rng.uniform(size=(3000, 1)) ** (1 / k))
        samp[:500] = G[:500] * R
        assert O.max_cover_distance(net, samp) <= eps


def _rank_r_members(rng, n1, n2, r, B, m):
    out = []
    for i in range(m):
        rr = int(rng.integers(1, r + 1))
        out.append(O.random_low_rank(rng, n1, n2, rr, frob=B if i % 3 == 0 else B * rng.uniform()))
    return np.array(out)


@pytest.mark.parametrize("n1,n2,r,eps,B", [(2, 2, 1, 0.5, 1.0), (2, 2, 1, 1.0, 2.0),
                                           (2, 3, 1, 0.75, 1.0), (2, 2, 2, 1.0, 1.0)])
def test_candes_plan_net_covers_and_obeys_size_bound(n1, n2, r, eps, B):
    rng = np.random.default_rng(6)
    F = O.candes_plan_net(n1, n2, r, eps, B=B, rng=rng, return_factors=True)
    net = F["net"]
    assert len(net) == len(F["U"]) * len(F["S"]) * len(F["V"])
    assert len(net) <= (9 * B / eps) ** ((n1 + n2 + 1) * r)
    # internal: every net point has rank <= r and Frobenius norm <= B
    assert within(np.linalg.norm(net.reshape(len(net), -1), axis=1), B)
    assert max(np.linalg.matrix_rank(x) for x in net[:: max(1, len(net) // 200)]) <= r
    assert np.allclose(np.einsum("mir,mis->mrs", F["U"], F["U"]), np.eye(r), atol=1e-12)
    members = _rank_r_members(rng, n1, n2, r, B, 400)
    assert O.max_cover_distance(net, members) <= eps
    # the factor nets cover at the proof's scales eps/(3B) (U, V) and eps/3 (Sigma); for r = 1
    # the max-column metric is the Euclidean one, so max_cover_distance applies directly
    if r == 1:
        for Nf, n in ((F["U"], n1), (F["V"], n2)):
            G = rng.standard_normal((2000, n))
            G /= np.linalg.norm(G, axis=1, keepdims=True)
            assert O.max_cover_distance(Nf[:, :, 0], G) <= eps / (3 * B)
        grid = np.linspace(-B, B, 2001)[:, None]
        assert O.max_cover_distance(F["S"], grid) <= eps / 3 * (1 + 1e-12)


def test_max_cover_distance_by_hand():
    net = np.array([[0.0, 0.0], [3.0, 0.0]])
    samples = np.array([[1.0, 0.0], [3.0, 2.0], [1.5, 0.0]])
    assert O.max_cover_distance(net, samples) == pytest.approx(2.0)
    assert O.max_cover_distance(net, samples, dist="sup") == pytest.approx(2.0)


def test_global_precision_unchanged_at_end():
    assert mpmath.mp.dps == GLOBAL_DPS
