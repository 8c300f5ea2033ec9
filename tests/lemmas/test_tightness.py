"""Property tests of the sharper steps of MATH.md section 10 (lemmas/tightness.py), each against an independent
computation: separated sets and the nets of the proofs for the sharper nets, quadrature (and the incomplete
gamma function) for the additivity of the log+ integral, exact Rademacher complexities of finite classes for the
trivial cap, and a simulation (with a shrunk-constant control that must fail) for the expected form of the
generalisation theorem."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lemmas
from lemmas.objects import LossClass, RademacherComplexity
from lemmas.symbols import F, n
from lemmas.tightness import Cap, SampleExpectation, below, depends_on_sample

import oracles as O
from helpers import rhs_at, scaled

seeds = st.integers(0, 2**32 - 1)
TOL = 1e-9

BALL_SHARP = lemmas.get("volumetric-net-sharp")
LOWRANK_SHARP = lemmas.get("low-rank-net-ball-sharp")
ADDITIVITY = lemmas.get("logplus-sqrt-integral-additivity")
CAP = lemmas.get("rademacher-trivial-cap")
EXPECTED = lemmas.get("rademacher-generalisation-expected")


# -- the sharper nets ----------------------------------------------------------------------------------------
@pytest.mark.lemma("volumetric-net-sharp")
@given(k=st.integers(1, 3), R=st.floats(0.1, 10.0), t=st.floats(0.15, 1.0), seed=seeds)
@example(k=1, R=1.0, t=0.25, seed=0)           # k = 1: a maximal separated set of [-R, R] has ~1 + 2R/eps points
@settings(max_examples=scaled(12))
def test_volumetric_sharp_bounds_every_separated_set(k, R, t, seed):
    """A maximal eps-separated subset of the ball is an internal eps-net (it covers what it was built from), and
    the lemma bounds the size of any eps-separated subset: (1 + 2R/eps)^k."""
    eps = t * R
    rng = np.random.default_rng(seed)
    pts = O._ball_samples(rng, 4000 if k > 1 else 1500, k, R)
    if k == 1:                                  # dense enough for the packing to be nearly tight
        pts = np.vstack([pts, np.linspace(-R, R, 2001)[:, None]])
    net = O.greedy_packing(pts, eps, "fro")
    rhs = float(rhs_at(BALL_SHARP, dict(k=k, R=R, epsilon=eps)))
    assert math.log(len(net)) <= rhs * (1 + TOL) + TOL
    assert O.max_cover_distance(net, pts) <= eps * (1 + TOL)
    assert np.all(np.linalg.norm(net, axis=1) <= R * (1 + 1e-12))          # internal


@pytest.mark.lemma("volumetric-net-sharp")
def test_volumetric_sharp_is_tight_in_one_dimension_and_can_fail():
    """In [-R, R] the greedy (strictly) eps-separated set of a fine grid has 2R/eps points: within one of the
    bound 1 + 2R/eps, so a smaller constant (1 + R/eps) fails on the same set."""
    R, eps = 1.0, 0.25
    grid = np.linspace(-R, R, 4001)[:, None]
    size = len(O.greedy_packing(grid, eps, "fro"))
    assert size == math.floor(2 * R / eps)
    assert math.log(size) <= float(rhs_at(BALL_SHARP, dict(k=1, R=R, epsilon=eps))) + TOL
    assert size > 1 + R / eps                   # the constant 1 (instead of 2) would be refuted


@pytest.mark.lemma("volumetric-net-sharp")
@given(k=st.integers(1, 4), R=st.floats(0.1, 10.0), t=st.floats(1.0, 50.0))
def test_volumetric_sharp_past_the_radius_and_against_the_default_net(k, R, t):
    """For eps > R the centre covers: the bound is 0; at every eps it is at most the default (3R/eps)^k net's."""
    eps = t * R * (1 + 1e-9)
    assert float(rhs_at(BALL_SHARP, dict(k=k, R=R, epsilon=eps))) == 0.0
    for s in (0.01, 0.3, 0.9, 1.0, 1.5, 2.9, 3.5):
        e = s * R
        sharp = float(rhs_at(BALL_SHARP, dict(k=k, R=R, epsilon=e)))
        default = float(rhs_at(lemmas.get("volumetric-net"), dict(k=k, R=R, epsilon=e)))
        assert sharp <= default * (1 + 1e-12) + 1e-12, (s, sharp, default)


def _candes_plan_sharp_net(rng, n1, n2, B, eps):
    """The net of the proof, r = 1: maximal separated sets of dense samples of the unit spheres (U, V) at
    eps/(3B) and of [0, B] (Sigma) at eps/3; returns the net and the three separated sets."""
    s = eps / (3 * B)
    U = O.greedy_packing(O._ball_samples(rng, 3000, n1, 1.0, boundary_frac=1.0), s, "fro")
    V = O.greedy_packing(O._ball_samples(rng, 3000, n2, 1.0, boundary_frac=1.0), s, "fro")
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    sig = O.greedy_packing(np.linspace(0.0, B, 2001)[:, None], eps / 3, "fro")[:, 0]
    net = np.array([sg * np.outer(u, v) for u in U for v in V for sg in sig])
    return net, (U, V, sig)


@pytest.mark.lemma("low-rank-net-ball-sharp")
@pytest.mark.parametrize("n1, n2, B, t", [(2, 2, 1.0, 0.6), (2, 3, 1.7, 0.8), (1, 2, 0.5, 0.45)])
def test_low_rank_sharp_net_of_the_proof(n1, n2, B, t):
    """r = 1: the net of the proof, from separated sets, has at most (1 + 6B/eps)^(n1+n2+1) points (each factor
    is bounded by the volumetric argument, checked here on its own) and covers random members within eps."""
    eps = t * B
    rng = np.random.default_rng(int(100 * t) + n1 + n2)
    net, (U, V, sig) = _candes_plan_sharp_net(rng, n1, n2, B, eps)
    s = eps / (3 * B)
    assert len(U) <= (1 + 2 / s) ** n1 and len(V) <= (1 + 2 / s) ** n2 and len(sig) <= 1 + 2 * B / (eps / 3)
    rhs = float(rhs_at(LOWRANK_SHARP, dict(n_1=n1, n_2=n2, r=1, B=B, epsilon=eps)))
    assert math.log(len(net)) <= rhs * (1 + TOL)
    members = np.array([O.random_low_rank(rng, n1, n2, 1, frob=B * rng.uniform() ** 0.5) for _ in range(300)])
    assert O.max_cover_distance(net, members) <= eps * (1 + 1e-6)


@pytest.mark.lemma("low-rank-net-ball-sharp")
@given(shape=st.sampled_from([(2, 2, 1), (2, 2, 2), (3, 2, 1)]), B=st.floats(0.1, 10.0), t=st.floats(0.05, 3.0),
       seed=seeds)
@settings(max_examples=scaled(10))
def test_low_rank_sharp_packing_lower_bound_and_the_default_net(shape, B, t, seed):
    """A 2 eps-separated set of members needs that many eps-balls: the bound is >= its log; and it never exceeds
    the default (9B/eps) net's bound; past eps = B it is 0 (the point 0 covers)."""
    n1, n2, r = shape
    eps = t * B
    rng = np.random.default_rng(seed)
    pts = np.array([O.random_low_rank(rng, n1, n2, int(rng.integers(1, r + 1)), frob=B * rng.uniform() ** 0.3)
                    for _ in range(1500)])
    M = len(O.greedy_packing(pts, 2 * eps, "fro"))
    rhs = float(rhs_at(LOWRANK_SHARP, dict(n_1=n1, n_2=n2, r=r, B=B, epsilon=eps)))
    assert math.log(M) <= rhs * (1 + TOL) + TOL
    default = float(rhs_at(lemmas.get("low-rank-net-ball"), dict(n_1=n1, n_2=n2, r=r, B=B, epsilon=eps)))
    assert rhs <= default * (1 + 1e-12) + 1e-12
    if t > 1:
        assert rhs == 0.0 and float(np.max(np.linalg.norm(pts.reshape(len(pts), -1), axis=1))) <= eps


def test_below_is_the_indicator_of_x_at_most_y():
    x, y = sympy.symbols("x y", positive=True)
    ind = below(x, y)
    for xv, yv, want in [(1, 2, 1), (2, 2, 1), (sympy.Rational(201, 100), 2, 0), (5, 1, 0), (sympy.Rational(1, 9), 3, 1)]:
        assert ind.xreplace({x: xv, y: yv}) == want
    assert isinstance(ind, Cap) and ind.is_nonnegative


# -- the additivity of the log+ integral ------------------------------------------------------------------------
@pytest.mark.lemma("logplus-sqrt-integral-additivity")
@given(D=st.floats(0.1, 1e4), C=st.floats(0.05, 50.0), U=st.floats(0.05, 10.0), q=st.floats(0.001, 1.0))
@settings(max_examples=scaled(10))
def test_additivity_against_quadrature_and_the_incomplete_gamma(D, C, U, q):
    """int_a^U by quadrature directly, against the lemma's right side (two integrals from 0) and against the
    incomplete-gamma closed form of each (tests/oracles)."""
    a = q * U
    with mpmath.workdps(30):
        pts = sorted({mpmath.mpf(a), mpmath.mpf(U)} | ({mpmath.mpf(C)} if a < C < U else set()))
        direct = mpmath.quad(lambda e: mpmath.sqrt(D * max(mpmath.mpf(0), mpmath.log(C / e))), pts)
    rhs = rhs_at(ADDITIVITY, {"D": D, "C": C, "a": a, "U": U})
    gam = O.dudley_logplus_integral_gammainc(D, C, U) - O.dudley_logplus_integral_gammainc(D, C, a)
    with mpmath.workdps(30):
        scale = max(abs(direct), mpmath.mpf(10) ** -20)
        # the right side is a difference of two integrals from 0 (each of size ~ sqrt(D) (C + U)): when a is close
        # to U it cancels, and 30-digit arithmetic leaves an absolute error ~ 1e-30 times their size
        cancel = mpmath.mpf(10) ** -26 * mpmath.sqrt(D) * (C + U)
        assert abs(rhs - direct) <= mpmath.mpf(10) ** -15 * scale + cancel
        assert abs(gam - direct) <= mpmath.mpf(10) ** -15 * scale + cancel


@pytest.mark.lemma("logplus-sqrt-integral-additivity")
def test_additivity_refuses_a_lower_limit_above_the_upper():
    from derive import Derivation, DerivationError
    from lemmas.symbols import C, D
    integral = sympy.Integral(sympy.sqrt(D * lemmas.logplus(C / sympy.Symbol("epsilon", positive=True))),
                              (sympy.Symbol("epsilon", positive=True), 2, 1))
    der = Derivation("t", integral)
    with pytest.raises(DerivationError, match="lower-limit-below-upper"):
        der.apply(ADDITIVITY, D=D, C=C, a=2, U=1)


# -- the trivial cap -----------------------------------------------------------------------------------------
def _signs(m):
    return np.array(list(itertools.product([-1.0, 1.0], repeat=m)))


@pytest.mark.lemma("rademacher-trivial-cap")
@given(seed=seeds, m=st.integers(1, 10), size=st.integers(1, 8))
@settings(max_examples=scaled(20))
def test_trivial_cap_exact_on_finite_classes(seed, m, size):
    """R_S(F), computed exactly over all 2^m sign vectors, is at most max_f ||f||_{L2(S)}; the lemma's right side
    at b = that maximum is R_S itself (the min is attained by R_S)."""
    rng = np.random.default_rng(seed)
    V = rng.normal(0, rng.choice([0.1, 1.0, 10.0]), size=(size, m))
    R = float(np.mean(np.max(_signs(m) @ V.T, axis=1)) / m)
    b = float(np.max(np.sqrt(np.mean(V ** 2, axis=1))))
    assert R <= b * (1 + 1e-12) + 1e-15
    rhs = float(rhs_at(CAP, {RademacherComplexity(F, n): R, "b": b}))
    assert rhs == pytest.approx(min(R, b), rel=1e-12, abs=1e-15)


@pytest.mark.lemma("rademacher-trivial-cap")
def test_trivial_cap_is_attained():
    """F = {f, -f} on one point: R_S = |f(x)| = ||f||_{L2(S)} (Cauchy-Schwarz with equality)."""
    V = np.array([[0.7], [-0.7]])
    R = float(np.mean(np.max(_signs(1) @ V.T, axis=1)))
    assert R == pytest.approx(0.7)
    assert float(rhs_at(CAP, {RademacherComplexity(F, n): R, "b": 0.7})) == pytest.approx(0.7)


# -- the expected form of the generalisation theorem -------------------------------------------------------
def _expected_rademacher(loss, probs, m):
    """E_S R_S(loss class) exactly: every sample of size m from the finite domain, weighted by its probability."""
    domain = len(probs)
    sig = _signs(m)
    total = 0.0
    for idx in itertools.product(range(domain), repeat=m):
        p = float(np.prod(probs[list(idx)]))
        V = loss[:, list(idx)]
        total += p * float(np.mean(np.max(sig @ V.T, axis=1)) / m)
    return total


def _simulate_expected(rng, reps, m, delta, c, constants=None):
    domain = 4
    probs = rng.dirichlet(np.ones(domain))
    loss = rng.uniform(0, c, size=(5, domain))
    loss[0] = c * (rng.uniform(size=domain) < 0.5)
    true = loss @ probs
    ER = _expected_rademacher(loss, probs, m)
    inst = EXPECTED.instantiate({"n": m, "c": c, "delta": delta}, constants=constants, what_if=bool(constants))
    rhs = inst.conclusion.rhs
    (atom,) = rhs.atoms(SampleExpectation)
    bound = float(rhs.xreplace({atom: ER}))
    bad = 0
    for _ in range(reps):
        idx = rng.choice(domain, size=m, p=probs)
        bad += float(np.max(true - loss[:, idx].mean(axis=1))) > bound
    return bad / reps


@pytest.mark.lemma("rademacher-generalisation-expected")
@given(seed=seeds, m=st.integers(3, 6), delta=st.floats(0.02, 0.5), c=st.floats(0.1, 3.0))
@settings(max_examples=scaled(4))
def test_expected_generalisation_by_simulation(seed, m, delta, c):
    """P(sup_f L(f) - L_S(f) > 2 E_S R_S + c sqrt(log(1/delta)/(2m))) <= delta (+ 3 binomial standard errors),
    with E_S R_S computed exactly by enumerating every sample."""
    rng = np.random.default_rng(seed)
    reps = 300
    freq = _simulate_expected(rng, reps, m, delta, c)
    assert freq <= delta + 3 * np.sqrt(delta * (1 - delta) / reps) + 0.01, freq


@pytest.mark.lemma("rademacher-generalisation-expected")
def test_expected_generalisation_simulation_can_fail():
    """The same simulation rejects the bound with its constants shrunk 50-fold: the check has power."""
    rng = np.random.default_rng(3)
    freq = _simulate_expected(rng, 300, 6, 0.05, 1.0, constants={"c_rad": 0.04, "c_conf_expected": 0.02})
    assert freq > 0.2, freq


@pytest.mark.lemma("rademacher-generalisation-expected")
def test_the_expected_term_is_smaller_and_the_expectation_collapses():
    """c sqrt(log(1/delta)/(2n)) < 3 c sqrt(log(2/delta)/(2n)) for every delta in (0, 1); E_S[x] = x for x free of
    the sample, and E_S stays on what depends on it."""
    for delta in (1e-9, 0.01, 0.05, 0.5, 0.99):
        exp_ = float(rhs_at(EXPECTED, {SampleExpectation(RademacherComplexity(LossClass(F), n)): 0, "n": 100,
                                       "c": 1, "delta": delta}))
        emp = float(rhs_at(lemmas.get("rademacher-generalisation"),
                           {RademacherComplexity(LossClass(F), n): 0, "n": 100, "c": 1, "delta": delta}))
        assert exp_ < emp / 3 + 1e-15 or exp_ < emp
    assert SampleExpectation(n + 1) == n + 1
    assert depends_on_sample(RademacherComplexity(F, n)) and not depends_on_sample(n)
    assert isinstance(SampleExpectation(2 * RademacherComplexity(F, n)), SampleExpectation)
