"""Property tests of contraction and the Rademacher generalisation bound (MATH.md section 2).

Empirical Rademacher complexities of small finite classes are computed exactly by enumerating all
2^n sign vectors; the generalisation bound is checked by simulation on a finite class with a known
distribution (seeded repetitions), and the same simulation with deliberately shrunk constants shows
that the check has the power to fail.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import lemmas
from lemmas.objects import RademacherComplexity

from helpers import atom, rhs_at, scaled

CONTRACTION = lemmas.get("contraction")
GENERALISATION = lemmas.get("rademacher-generalisation")


def signs(n):
    return np.array(list(itertools.product([-1.0, 1.0], repeat=n)))


def rademacher_exact(V, sig=None):
    """E_sigma max_f (1/n) sum_i sigma_i V[f, i] for a finite class given by its values V (m x n)."""
    n = V.shape[1]
    sig = signs(n) if sig is None else sig
    return float(np.mean(np.max(sig @ V.T, axis=1)) / n)


@st.composite
def lipschitz_losses(draw):
    """A per-point L-Lipschitz loss phi_i(t) (it may depend on the label of point i)."""
    L = draw(st.floats(0.1, 5.0))
    kind = draw(st.sampled_from(["linear", "abs", "hinge", "sin", "clipped", "random-pl"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)

    def phi(V, y):
        if kind == "linear":                     # equality case of the contraction
            return L * V
        if kind == "abs":
            return L * np.abs(V - y)
        if kind == "hinge":
            return L * np.maximum(0.0, 1.0 - y * V)
        if kind == "sin":
            return L * np.sin(V + y)
        if kind == "clipped":
            return np.clip(L * (V - y) ** 1, -0.3, 0.7)
        knots = np.sort(rng.uniform(-3, 3, 4))
        slopes = rng.uniform(-L, L, 5)
        out = np.zeros_like(V)
        for j, kn in enumerate(knots):
            out += (slopes[j + 1] - slopes[j]) * np.maximum(0.0, V - kn)
        return out + slopes[0] * V + y
    return L, kind, phi


@pytest.mark.lemma("contraction")
@given(loss=lipschitz_losses(), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 11), m=st.integers(1, 8))
def test_contraction_exact(loss, seed, n, m):
    L, kind, phi = loss
    rng = np.random.default_rng(seed)
    V = rng.uniform(-2, 2, size=(m, n)) * rng.choice([0.1, 1.0], size=(m, 1))
    y = rng.choice([-1.0, 1.0], size=n)
    sig = signs(n)
    R_F = rademacher_exact(V, sig)
    R_lF = rademacher_exact(phi(V, y), sig)
    rhs = float(rhs_at(CONTRACTION, {atom(CONTRACTION, RademacherComplexity): R_F, "L_loss": L}))
    assert R_lF <= rhs + 1e-12 * (1 + abs(rhs)), (kind, R_lF, rhs)
    if kind == "linear":
        assert R_lF == pytest.approx(rhs, rel=1e-9, abs=1e-12)


def _simulate(rng, reps, n, delta, c, constants=None):
    """Fraction of repetitions whose uniform deviation max_f (L(f) - L_S(f)) exceeds the lemma's bound."""
    domain = 5
    probs = rng.dirichlet(np.ones(domain))
    m = 6
    loss = rng.uniform(0, c, size=(m, domain))         # loss of hypothesis f on domain point x, in [0, c]
    loss[0] = c * (rng.uniform(size=domain) < 0.5)
    true = loss @ probs                                # L(f), known exactly
    sig = signs(n)
    inst = GENERALISATION.instantiate({"n": n, "c": c, "delta": delta}, constants=constants,
                                      what_if=bool(constants))   # shrunk constants: a what-if on purpose
    rhs = inst.conclusion.rhs
    (R_atom,) = rhs.atoms(RademacherComplexity)
    bad = 0
    for _ in range(reps):
        idx = rng.choice(domain, size=n, p=probs)
        V = loss[:, idx]                               # loss class on the sample
        gap = float(np.max(true - V.mean(axis=1)))
        bound = float(rhs.xreplace({R_atom: rademacher_exact(V, sig)}))
        bad += gap > bound
    return bad / reps


@pytest.mark.lemma("rademacher-generalisation")
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(4, 10), delta=st.floats(0.02, 0.5),
       c=st.floats(0.1, 3.0))
@settings(max_examples=scaled(5))
def test_generalisation_bound_by_simulation(seed, n, delta, c):
    """P(sup_f L(f) - L_S(f) > bound) <= delta (generously: + 3 binomial standard errors)."""
    rng = np.random.default_rng(seed)
    reps = 200
    freq = _simulate(rng, reps, n, delta, c)
    assert freq <= delta + 3 * np.sqrt(delta * (1 - delta) / reps) + 0.01, freq


@pytest.mark.lemma("rademacher-generalisation")
def test_generalisation_simulation_can_fail():
    """The same simulation rejects a bound with its constants shrunk 50-fold: the check has power."""
    rng = np.random.default_rng(1)
    freq = _simulate(rng, 200, 8, 0.05, 1.0, constants={"c_rad": 0.04, "c_conf": 0.06})
    assert freq > 0.2, freq


# -- union-bound ---------------------------------------------------------------------------------------------
UNION = lemmas.get("union-bound")


@pytest.mark.lemma("union-bound")
@given(st.lists(st.integers(1, 20), min_size=2, max_size=12), st.data())
def test_union_bound_on_finite_probability_spaces(weights, data):
    """Exact check on a finite probability space: P(A fails or B fails) <= the lemma's right side at
    delta_i = P(statement i fails); disjoint failures attain it (so a smaller right side would fail)."""
    from fractions import Fraction
    import mpmath
    total = sum(weights)
    prob = [Fraction(w, total) for w in weights]
    m = len(weights)
    A = data.draw(st.sets(st.integers(0, m - 1)))
    B = data.draw(st.sets(st.integers(0, m - 1)))
    pA, pB = sum(prob[i] for i in A), sum(prob[i] for i in B)
    p_union = sum(prob[i] for i in A | B)
    to_sym = lambda q: sympy.Rational(q.numerator, q.denominator)  # noqa: E731
    rhs = rhs_at(UNION, {"delta_1": to_sym(pA), "delta_2": to_sym(pB)})
    with mpmath.workdps(40):
        union = mpmath.mpf(p_union.numerator) / p_union.denominator
        assert union <= rhs * (1 + mpmath.mpf(10) ** -25)
        if not (A & B):
            assert abs(union - rhs) <= mpmath.mpf(10) ** -25


GRID = lemmas.get("union-bound-grid")


@pytest.mark.lemma("union-bound-grid")
@given(st.lists(st.integers(1, 20), min_size=2, max_size=10), st.integers(2, 6), st.data())
def test_union_bound_grid_on_finite_probability_spaces(weights, cells, data):
    """Exact check: cells c with weights p_c (summing to W <= 1), cell c's statement failing on an event of
    probability <= delta p_c; the probability that some cell fails is at most the lemma's delta W."""
    from fractions import Fraction
    import mpmath
    total = sum(weights)
    prob = [Fraction(w, total) for w in weights]
    m = len(weights)
    raw = [data.draw(st.integers(1, 10)) for _ in range(cells)]
    W = Fraction(data.draw(st.integers(1, 10)), 10)                      # weights sum to W <= 1
    p = [Fraction(x, sum(raw)) * W for x in raw]
    delta = Fraction(data.draw(st.integers(1, 99)), 100)
    failing = set()
    for pc in p:                                                          # an event of probability <= delta p_c
        budget, event = delta * pc, set()
        for i in data.draw(st.permutations(range(m))):
            if sum(prob[j] for j in event | {i}) <= budget:
                event.add(i)
        failing |= event
    to_sym = lambda q: sympy.Rational(q.numerator, q.denominator)  # noqa: E731
    inst = GRID.instantiate({"delta": to_sym(delta), "p": to_sym(p[0]), "W": to_sym(W)})
    assert lemmas.truth(dict((h.name, c) for h, c in inst.hypotheses)["weights-sum-at-most-one"]) is True
    bound = inst.conclusion.rhs
    with mpmath.workdps(40):
        assert mpmath.mpf(sum(prob[i] for i in failing).numerator) / sum(prob[i] for i in failing).denominator \
            <= mpmath.mpf(bound.p) / bound.q * (1 + mpmath.mpf(10) ** -30) if failing else True
