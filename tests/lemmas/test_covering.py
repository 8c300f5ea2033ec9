"""Property tests of the covering lemmas (MATH.md sections 2 and 3).

Upper-bound side: the nets of the proofs are built explicitly (``oracles.candes_plan_net``,
``oracles.volumetric_ball_net``, grids) and checked both for their size against the lemma's
right side and for covering random members.  Lower-bound side: a packing of size M at 2 eps
proves N(eps) >= M, so the lemma's right side must be >= log M.  For the cover comparisons the
covering numbers of small finite sets are computed exactly by brute force.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lemmas
from lemmas.objects import CoveringNumber

import oracles as O
from helpers import atom, rhs_at, within

seeds = st.integers(0, 2**32 - 1)
TOL = 1e-9


# -- helpers -----------------------------------------------------------------------------------------

def low_rank_members(rng, m, n1, n2, r, B, boundary=0.5):
    """m random matrices of rank <= r and Frobenius norm <= B (a share exactly at B)."""
    out = np.empty((m, n1, n2))
    for i in range(m):
        rank = int(rng.integers(1, r + 1))
        radius = B if rng.uniform() < boundary else B * rng.uniform() ** 0.25
        out[i] = O.random_low_rank(rng, n1, n2, rank, frob=radius)
    return out


def min_internal_cover(D, eps):
    """Exact size of a smallest internal eps-cover of a finite set with distance matrix D."""
    m = len(D)
    within = D <= eps
    for size in range(1, m + 1):
        for C in itertools.combinations(range(m), size):
            if np.all(np.any(within[:, C], axis=1)):
                return size
    raise AssertionError("unreachable: the whole set covers itself")


def pairwise(P, metric):
    m = len(P)
    D = np.zeros((m, m))
    for i in range(m):
        diff = P - P[i]
        if metric == "fro":
            D[i] = np.sqrt(np.sum(diff.reshape(m, -1) ** 2, axis=1))
        elif metric == "spec":
            D[i] = np.linalg.norm(diff, 2, axis=(-2, -1))
        elif metric == "sup":
            D[i] = np.max(np.abs(diff.reshape(m, -1)), axis=1)
        else:
            raise ValueError(metric)
    return D


def interval_net(R, s):
    """Internal s-net of [-R, R]: midpoints of m = ceil(R/s) equal cells (covering radius R/m <= s)."""
    m = max(1, math.ceil(R / s))
    return -R + (2 * np.arange(m) + 1) * (R / m)


# -- the low-rank nets -------------------------------------------------------------------------------

BALL = lemmas.get("low-rank-net-ball")
SPHERE = lemmas.get("low-rank-net-sphere")
VOLUMETRIC = lemmas.get("volumetric-net")


@pytest.mark.lemma("low-rank-net-ball")
@given(shape=st.sampled_from([(2, 2), (1, 2), (2, 1), (1, 1)]), B=st.floats(0.1, 10.0),
       t=st.floats(0.3, 3.0), seed=seeds)
@example(shape=(2, 2), B=1.0, t=2.9, seed=0)      # near eps = 3B the net of the proof has 32 points
@example(shape=(2, 2), B=2.0, t=2.5, seed=0)
@settings(max_examples=15)
def test_low_rank_ball_net_of_the_proof(shape, B, t, seed):
    """r = 1, n1, n2 <= 2: the Candes-Plan net is built exactly (circle grids): a proven net."""
    n1, n2 = shape
    eps = t * B
    net = O.candes_plan_net(n1, n2, 1, eps, B=B)
    rhs = rhs_at(BALL, dict(n_1=n1, n_2=n2, r=1, B=B, epsilon=eps))
    assert math.log(len(net)) <= float(rhs) * (1 + TOL)
    # internal: every point has rank <= 1 and Frobenius norm <= B
    assert within(np.linalg.norm(net.reshape(len(net), -1), axis=1), B)
    assert np.all(np.linalg.svd(net, compute_uv=False)[:, 1:] <= 1e-9 * B) if min(shape) > 1 else True
    rng = np.random.default_rng(seed)
    members = low_rank_members(rng, 300, n1, n2, 1, B)
    assert O.max_cover_distance(net, members) <= eps * (1 + TOL)


@pytest.mark.lemma("low-rank-net-ball")
@pytest.mark.parametrize("n1,n2,r,t", [(2, 2, 2, 0.8), (2, 3, 1, 0.75)])
def test_low_rank_ball_sampled_net(n1, n2, r, t):
    """Larger shapes: the sampled factor nets are separated sets, so the size bound is rigorous;
    covering random members is evidence."""
    B = 1.7
    eps = t * B
    rng = np.random.default_rng(n1 * 10 + n2 + r)
    net = O.candes_plan_net(n1, n2, r, eps, B=B, rng=rng)
    rhs = rhs_at(BALL, dict(n_1=n1, n_2=n2, r=r, B=B, epsilon=eps))
    assert math.log(len(net)) <= float(rhs)
    members = low_rank_members(rng, 150, n1, n2, r, B)
    assert O.max_cover_distance(net, members) <= eps


@pytest.mark.lemma("low-rank-net-ball")
@given(shape=st.sampled_from([(2, 2, 1), (2, 2, 2), (3, 2, 1), (3, 3, 2)]), B=st.floats(0.1, 10.0),
       t=st.floats(0.08, 12.0), seed=seeds)
@settings(max_examples=15)
def test_low_rank_ball_packing_lower_bound(shape, B, t, seed):
    n1, n2, r = shape
    eps = t * B
    rng = np.random.default_rng(seed)
    pts = low_rank_members(rng, 2000, n1, n2, r, B)
    M = len(O.greedy_packing(pts, 2 * eps, "fro"))
    rhs = float(rhs_at(BALL, dict(n_1=n1, n_2=n2, r=r, B=B, epsilon=eps)))
    assert math.log(M) <= rhs * (1 + TOL) + TOL
    if eps >= B:                   # the point 0 covers: log N = 0, and the right side is >= 0
        assert rhs >= 0 and within(np.linalg.norm(pts.reshape(len(pts), -1), axis=1), eps)


@pytest.mark.lemma("low-rank-net-sphere")
@given(shape=st.sampled_from([(2, 2), (1, 2), (2, 1)]), eps=st.floats(0.3, 1.0), seed=seeds)
@settings(max_examples=15)
def test_low_rank_sphere_net(shape, eps, seed):
    """Rank one, unit Frobenius norm: X = s u v^T with s = +-1; nets of u and v at eps/3 times {+1, -1}
    give an internal net (the proof of Candes & Plan, Lemma 3.1)."""
    n1, n2 = shape
    f = O.candes_plan_net(n1, n2, 1, eps, B=1.0, return_factors=True)
    U, V = f["U"][:, :, 0], f["V"][:, :, 0]
    net = np.array([s * np.outer(u, v) for u in U for s in (1.0, -1.0) for v in V])
    assert np.allclose(np.linalg.norm(net.reshape(len(net), -1), axis=1), 1.0)
    rhs = rhs_at(SPHERE, dict(n_1=n1, n_2=n2, r=1, epsilon=eps))
    assert math.log(len(net)) <= float(rhs)
    rng = np.random.default_rng(seed)
    members = np.array([np.outer(O._unit(rng, n1), O._unit(rng, n2)) for _ in range(300)])
    assert O.max_cover_distance(net, members) <= eps * (1 + TOL)
    # lower side: a 2 eps-packing of sphere members
    M = len(O.greedy_packing(members, 2 * eps, "fro"))
    assert math.log(M) <= float(rhs)


@pytest.mark.lemma("low-rank-net-sphere")
@pytest.mark.parametrize("n1,n2,r,eps", [(2, 2, 2, 0.3), (3, 3, 1, 0.25), (3, 2, 2, 0.4)])
def test_low_rank_sphere_packing_lower_bound(n1, n2, r, eps):
    rng = np.random.default_rng(n1 + 10 * n2 + 100 * r)
    pts = np.array([O.random_low_rank(rng, n1, n2, int(rng.integers(1, r + 1)), frob=1.0) for _ in range(3000)])
    M = len(O.greedy_packing(pts, 2 * eps, "fro"))
    assert M > 10                  # the check has something to bite on
    assert math.log(M) <= float(rhs_at(SPHERE, dict(n_1=n1, n_2=n2, r=r, epsilon=eps)))


@pytest.mark.lemma("volumetric-net")
@given(k=st.integers(1, 3), R=st.floats(0.1, 10.0), t=st.floats(0.3, 1.0), seed=seeds)
@example(k=2, R=1.0, t=1.0, seed=0)
@example(k=3, R=1.0, t=0.78515625, seed=1000)
@settings(max_examples=12)
def test_volumetric_net(k, R, t, seed):
    """A maximal eps-separated subset of the ball is an internal eps-net, and the lemma bounds its size.
    The greedy net of samples is extended by every fresh member it misses (keeping separation), so the
    result is a separated set that covers all points seen: its size must stay within the bound."""
    eps = t * R
    rng = np.random.default_rng(seed)
    net = O.volumetric_ball_net(k, R, eps, rng, n_samples=20000)
    members = O._ball_samples(rng, 3000, k, R)
    net = O.greedy_packing(np.vstack([net, members]), eps, "fro")   # the old net points are all kept
    rhs = float(rhs_at(VOLUMETRIC, dict(k=k, R=R, epsilon=eps)))
    assert math.log(len(net)) <= rhs * (1 + TOL) + TOL
    assert within(np.linalg.norm(net, axis=1), R)               # internal
    assert O.max_cover_distance(net, members) <= eps * (1 + TOL)
    M = len(O.greedy_packing(members, 2 * eps, "fro"))
    assert math.log(M) <= rhs * (1 + TOL) + TOL


@pytest.mark.lemma("volumetric-net")
def test_volumetric_net_small_eps_packing():
    rng = np.random.default_rng(5)
    for k, t in [(1, 0.01), (2, 0.05), (3, 0.1), (4, 0.2)]:
        pts = O._ball_samples(rng, 4000, k, 2.0)
        M = len(O.greedy_packing(pts, 2 * t * 2.0, "fro"))
        assert math.log(M) <= float(rhs_at(VOLUMETRIC, dict(k=k, R=2.0, epsilon=t * 2.0)))


# -- cover comparisons -------------------------------------------------------------------------------

SPEC_BY_FRO = lemmas.get("cover-spec-by-fro")
L2S_BY_SUP = lemmas.get("cover-L2S-by-sup")


@pytest.mark.lemma("cover-spec-by-fro")
@given(seed=seeds, shape=st.sampled_from([(2, 2), (2, 3), (3, 3)]), q=st.floats(0.05, 0.95))
@settings(max_examples=20)
def test_spec_cover_by_fro_exact_on_finite_sets(seed, shape, q):
    """Exact internal covering numbers of 10 random matrices: N_spec <= N_fro, as the lemma says;
    and a smallest Frobenius net is a spectral net."""
    rng = np.random.default_rng(seed)
    P = low_rank_members(rng, 10, *shape, min(shape), 1.0)
    Dfro, Dspec = pairwise(P, "fro"), pairwise(P, "spec")
    assert np.all(Dspec <= Dfro * (1 + 1e-12) + 1e-15)
    eps = float(np.quantile(Dfro[np.triu_indices(10, 1)], q))
    N_fro, N_spec = min_internal_cover(Dfro, eps), min_internal_cover(Dspec, eps)
    rhs = rhs_at(SPEC_BY_FRO, {atom(SPEC_BY_FRO, CoveringNumber, "fro"): N_fro})
    assert math.log(N_spec) <= float(rhs) + 1e-12
    # explicit: greedy Frobenius nets of P are spectral nets of P
    net_idx = O.greedy_packing(P, eps, "fro", return_indices=True)
    assert np.max(np.min(Dspec[:, net_idx], axis=1)) <= eps


@pytest.mark.lemma("cover-spec-by-fro")
def test_spec_cover_by_fro_on_the_candes_plan_net():
    """The Frobenius net of the proof is a spectral net of random members (2 x 2, rank 1)."""
    rng = np.random.default_rng(11)
    eps = 0.5
    net = O.candes_plan_net(2, 2, 1, eps, B=1.0, rng=rng)
    members = low_rank_members(rng, 100, 2, 2, 1, 1.0)
    worst = max(float(np.min(np.linalg.norm(net - X, 2, axis=(-2, -1)))) for X in members)
    assert worst <= eps
    rhs = rhs_at(SPEC_BY_FRO, {atom(SPEC_BY_FRO, CoveringNumber, "fro"): len(net)})
    assert float(rhs) == pytest.approx(math.log(len(net)), rel=1e-12)


@pytest.mark.lemma("cover-L2S-by-sup")
@given(seed=seeds, n=st.integers(1, 8), q=st.floats(0.05, 0.95))
@settings(max_examples=25)
def test_L2S_cover_by_sup_exact(seed, n, q):
    """A finite class of 10 functions on a domain of 6 points, a sample S of n points (repeats allowed):
    a smallest internal sup net is an L2(S) net, and an L2(S) packing at 2 eps (a lower bound on the
    external L2(S) covering number) is no larger than the exact internal sup covering number."""
    rng = np.random.default_rng(seed)
    F = rng.uniform(-1, 1, size=(10, 6)) * rng.choice([0.1, 1.0, 3.0], size=(10, 1))
    S = rng.integers(0, 6, size=n)
    Dsup = pairwise(F, "sup")
    FS = F[:, S]
    DL2 = np.sqrt(np.mean((FS[:, None, :] - FS[None, :, :]) ** 2, axis=2))
    eps = float(np.quantile(Dsup[np.triu_indices(10, 1)], q))
    N_sup = min_internal_cover(Dsup, eps)
    # the smallest sup nets, each checked as an L2(S) net
    within = Dsup <= eps
    for C in itertools.combinations(range(10), N_sup):
        if np.all(np.any(within[:, C], axis=1)):
            assert np.all(np.min(DL2[:, C], axis=1) <= eps + 1e-12)
    M = len(O.greedy_packing(FS, 2 * eps, lambda a, b: math.sqrt(float(np.mean((a - b) ** 2)))))
    rhs = rhs_at(L2S_BY_SUP, {atom(L2S_BY_SUP, CoveringNumber, "sup"): N_sup})
    assert math.log(M) <= float(rhs) + 1e-12


# -- the product-net lemma ---------------------------------------------------------------------------

@pytest.mark.lemma("lipschitz-parameter-cover")
@pytest.mark.lemma("lipschitz-parameter-cover-2")
@pytest.mark.parametrize("m", [2, 3])
@given(seed=seeds, eps=st.floats(0.05, 2.0), R=st.tuples(*[st.floats(0.2, 3.0)] * 3))
@settings(max_examples=20)
def test_lipschitz_parameter_cover_product_net(m, seed, eps, R):
    """f_theta(x) = theta_1 a(x) + tanh(theta_2 b(x)) [+ theta_3 c(x)] on 12 inputs, theta_j in [-R_j, R_j]:
    L_j = max |a|, max |b|, max |c|.  Internal nets of each block at the lemma's own scales are built
    (grids), and their product must cover the class in the sup norm over the inputs at eps."""
    product = lemmas.lipschitz_parameter_cover(m)
    R = R[:m]
    rng = np.random.default_rng(seed)
    A = rng.uniform(-2, 2, size=(m, 12))
    A[:, 0] = np.max(np.abs(A), axis=1)       # an input attaining every L_j at once
    Ls = np.max(np.abs(A), axis=1)
    blocks = [sympy.Symbol(f"I{j}") for j in range(m)]
    inst = product.instantiate({**{f"S_{j + 1}": blocks[j] for j in range(m)},
                                **{f"L_{j + 1}": Ls[j] for j in range(m)}, "epsilon": eps})
    nets, sizes = {}, {}
    for cov in inst.conclusion.rhs.atoms(CoveringNumber):
        j = blocks.index(cov.args[0])
        scale = float(cov.args[1])
        nets[j] = interval_net(R[j], scale)
        sizes[cov] = len(nets[j])
    assert sorted(nets) == list(range(m))
    rhs = float(sympy.N(inst.conclusion.rhs.xreplace(sizes), 30))
    assert math.log(math.prod(len(nets[j]) for j in range(m))) <= rhs * (1 + 1e-12) + 1e-12

    def f(th):
        out = th[0] * A[0] + np.tanh(th[1] * A[1])
        return out + th[2] * A[2] if m == 3 else out

    # random parameters plus the worst ones: block edges and cell boundaries
    cands = [rng.uniform(-1, 1, m) * np.array(R) for _ in range(100)]
    cands += [np.array([s * r for s, r in zip(signs, R)]) for signs in itertools.product([-1, 1], repeat=m)]
    for j_edge in range(m):
        mids = (nets[j_edge][:-1] + nets[j_edge][1:]) / 2
        for mid in mids[:5]:
            th = np.array(R) * rng.uniform(-1, 1, m)
            th[j_edge] = mid
            cands.append(th)
    for th in cands:
        hat = np.array([nets[j][np.argmin(np.abs(nets[j] - th[j]))] for j in range(m)])
        assert np.max(np.abs(f(th) - f(hat))) <= eps * (1 + 1e-9)


# -- the linear-class family L1-L6: packings in the sup-over-inputs metric ---------------------------

def _scale(W, norm, target):
    return W * (target / norm(W))


def _norm21(W):
    return float(np.sum(np.linalg.norm(W, axis=0)))


def _norm11(W):
    return float(np.sum(np.abs(W)))


LINEAR = {
    # name: (norm of W, which inputs), inputs restricted to a finite subset of the input ball
    "linear-cover-frobenius": (lambda W: float(np.linalg.norm(W)), "l2"),
    "linear-cover-spectral": (lambda W: float(np.linalg.norm(W, 2)), "l2"),
    "linear-cover-21": (_norm21, "l2"),
    "linear-cover-11": (_norm11, "l2"),
    "linear-cover-input-inf": (lambda W: float(np.linalg.norm(W)), "inf"),
    "linear-cover-input-l1": (lambda W: float(np.linalg.norm(W)), "l1"),
}


def _inputs(kind, d2, B_x, rng):
    """Finitely many inputs of the input ball (a restriction gives a smaller metric, so a packing in it
    is a packing in the sup metric)."""
    if kind == "l2":
        X = [B_x * e for e in np.eye(d2)] + [B_x * O._unit(rng, d2) for _ in range(4)]
    elif kind == "inf":
        X = [B_x * np.array(s) for s in itertools.product([-1.0, 1.0], repeat=d2)]
    else:
        X = [B_x * e for e in np.eye(d2)]
    return np.array(X).T          # (d2, m)


@pytest.mark.lemma("linear-cover-frobenius")
@pytest.mark.lemma("linear-cover-spectral")
@pytest.mark.lemma("linear-cover-21")
@pytest.mark.lemma("linear-cover-11")
@pytest.mark.lemma("linear-cover-input-inf")
@pytest.mark.lemma("linear-cover-input-l1")
@given(name=st.sampled_from(sorted(LINEAR)), shape=st.sampled_from([(2, 2, 1), (2, 2, 2), (3, 2, 1), (2, 3, 2)]),
       B_W=st.floats(0.2, 5.0), B_x=st.floats(0.2, 5.0), t=st.floats(0.05, 0.5), seed=seeds)
@settings(max_examples=30)
def test_linear_class_packing_lower_bounds(name, shape, B_W, B_x, t, seed):
    lem = lemmas.get(name)
    norm, kind = LINEAR[name]
    d1, d2, r = shape
    rng = np.random.default_rng(seed)
    Ws = []
    for _ in range(700):
        W = O.random_low_rank(rng, d1, d2, int(rng.integers(1, r + 1)))
        Ws.append(_scale(W, norm, B_W * (1.0 if rng.uniform() < 0.5 else rng.uniform())))
    Ws = np.array(Ws)
    assert all(norm(W) <= B_W * (1 + 1e-12) for W in Ws)
    feats = Ws @ _inputs(kind, d2, B_x, rng)            # (N, d1, m): the outputs on the inputs
    scale = B_W * B_x * (math.sqrt(d2) if kind == "inf" else 1.0)
    eps = t * scale
    M = len(O.greedy_packing(feats, 2 * eps, "col"))  # metric: max over inputs of ||W x - W' x||_2
    rhs = float(rhs_at(lem, dict(d_1=d1, d_2=d2, r=r, B_W=B_W, B_x=B_x, epsilon=eps)))
    assert math.log(M) <= rhs


@pytest.mark.lemma("linear-cover-vector")
@given(k=st.integers(1, 3), B_W=st.floats(0.2, 5.0), B_z=st.floats(0.2, 5.0), t=st.floats(0.05, 1.5), seed=seeds)
@settings(max_examples=15)
def test_linear_vector_class(k, B_W, B_z, t, seed):
    """z -> w^T z: the sup metric over ||z|| <= B_z is exactly B_z ||w - w'||_2, so the volumetric net of
    the w-ball at eps/B_z is a net (checked on random members), and packings bound from below."""
    lem = lemmas.get("linear-cover-vector")
    eps = t * B_W * B_z
    rng = np.random.default_rng(seed)
    rhs = float(rhs_at(lem, dict(k=k, B_W=B_W, B_z=B_z, epsilon=eps)))
    ws = O._ball_samples(rng, 2000, k, B_W)
    M = len(O.greedy_packing(B_z * ws, 2 * eps, "fro"))
    assert math.log(M) <= rhs * (1 + TOL) + TOL
    if eps / B_z <= B_W and t >= 0.3:
        members = O._ball_samples(rng, 500, k, B_W)
        net = O.volumetric_ball_net(k, B_W, eps / B_z, rng, n_samples=20000)
        net = O.greedy_packing(np.vstack([net, members]), eps / B_z, "fro")   # maximal on all points seen
        assert math.log(len(net)) <= rhs * (1 + TOL) + TOL
        Z = np.array([B_z * O._unit(rng, k) for _ in range(50)]).T
        dist = np.max(np.abs((members[:, None, :] - net[None, :, :]) @ Z), axis=2)   # over 50 inputs
        assert np.max(np.min(dist, axis=1)) <= eps * (1 + TOL)


@pytest.mark.lemma("linear-cover-frobenius")
@pytest.mark.lemma("bilinear-score-cover")
@given(B_W=st.floats(0.2, 5.0), B_x=st.floats(0.2, 3.0), t=st.floats(0.3, 3.0), seed=seeds)
@example(B_W=1.0, B_x=1.0, t=2.9, seed=0)
@settings(max_examples=12)
def test_linear_and_bilinear_nets_of_the_proof(B_W, B_x, t, seed):
    """L1 and L6 in 2 x 2, rank 1: the Candes-Plan net at eps/B_x (resp. eps/B_x^2) covers the class in
    the sup-over-inputs metric (B_x ||.||_2, resp. B_x^2 ||.||_2, checked on the nearest net point),
    and its size is within the lemma's bound."""
    rng = np.random.default_rng(seed)
    members = low_rank_members(rng, 150, 2, 2, 1, B_W)
    for name, power in (("linear-cover-frobenius", 1), ("bilinear-score-cover", 2)):
        lem = lemmas.get(name)
        eps = t * B_W * B_x ** power
        net = O.candes_plan_net(2, 2, 1, eps / B_x ** power, B=B_W)
        vals = dict(d_1=2, r=1, B_W=B_W, B_x=B_x, epsilon=eps)
        if power == 1:
            vals["d_2"] = 2
        rhs = float(rhs_at(lem, vals))
        assert math.log(len(net)) <= rhs * (1 + TOL)
        flat = net.reshape(len(net), -1)
        for W in members:
            j = int(np.argmin(np.sum((flat - W.ravel()) ** 2, axis=1)))
            assert B_x ** power * np.linalg.norm(W - net[j], 2) <= eps * (1 + TOL)


@pytest.mark.lemma("bilinear-score-cover")
@given(d=st.integers(2, 3), r=st.integers(1, 2), B_W=st.floats(0.2, 5.0), B_x=st.floats(0.2, 3.0),
       t=st.floats(0.03, 0.5), seed=seeds)
@settings(max_examples=15)
def test_bilinear_packing_lower_bound(d, r, B_W, B_x, t, seed):
    """Scores x^T W y on x, y in {B_x e_i}: the entries of B_x^2 W; packing in the max-entry metric."""
    lem = lemmas.get("bilinear-score-cover")
    rng = np.random.default_rng(seed)
    Ws = low_rank_members(rng, 1500, d, d, r, B_W)
    eps = t * B_W * B_x ** 2
    M = len(O.greedy_packing(B_x ** 2 * Ws, 2 * eps, "sup"))
    assert math.log(M) <= float(rhs_at(lem, dict(d_1=d, r=r, B_W=B_W, B_x=B_x, epsilon=eps)))
