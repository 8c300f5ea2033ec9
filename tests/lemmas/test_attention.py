"""Property tests of the attention lemmas (MATH.md sections 1, 2 and 4).

Every check instantiates the lemma's own right side (``helpers.rhs_at``, constants at their
registered defaults) and compares it with an independent float64 / mpmath computation from
``tests/oracles.py`` on random and adversarial instances.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lemmas
from lemmas.objects import Distance

import oracles as O
from helpers import atom, rhs_at

SOFTMAX = lemmas.get("softmax-lipschitz")
SOFTMAX_SHARP = lemmas.get("softmax-lipschitz-sharp")
OUTPUT = lemmas.get("transformer-output-bound")
PERT = lemmas.get("transformer-perturbation")
PERT_SHARP = lemmas.get("transformer-perturbation-sharp")

seeds = st.integers(0, 2**32 - 1)
lengths = st.one_of(st.integers(1, 16), st.integers(17, 4096), st.sampled_from([1, 2, 4096]))


def _softmax_pair(rng, T, scale, kind):
    """u, u' in R^T: generic, tiny moves, saturated (one dominant score), or sparse moves."""
    u = rng.standard_normal(T) * scale
    if kind == "generic":
        h = rng.standard_normal(T) * scale
    elif kind == "tiny":
        h = rng.choice([-1.0, 1.0], size=T) * 1e-4
    elif kind == "saturated":
        u[int(rng.integers(0, T))] += 30.0
        h = rng.standard_normal(T) * scale
    else:  # sparse: move one coordinate only
        h = np.zeros(T)
        h[int(rng.integers(0, T))] = rng.standard_normal() * scale
    return u, u + h


def _l1_softmax_gap(u, v):
    """||softmax(u) - softmax(v)||_1: mpmath (40 digits) for short vectors, float64 otherwise."""
    if len(u) <= 64:
        p, q = O.softmax_mp(u, dps=40), O.softmax_mp(v, dps=40)
        with mpmath.workdps(40):
            return float(mpmath.fsum(abs(a - b) for a, b in zip(p, q))), 1e-30
    return float(np.sum(np.abs(O.softmax(u) - O.softmax(v)))), 1e-13


@pytest.mark.lemma("softmax-lipschitz")
@pytest.mark.lemma("softmax-lipschitz-sharp")
@given(T=lengths, seed=seeds, scale=st.floats(1e-3, 20.0),
       kind=st.sampled_from(["generic", "tiny", "saturated", "sparse"]))
def test_softmax_lipschitz_both_constants(T, seed, scale, kind):
    rng = np.random.default_rng(seed)
    u, v = _softmax_pair(rng, T, scale, kind)
    lhs, tol = _l1_softmax_gap(u, v)
    dist = float(np.max(np.abs(u - v)))
    for lem in (SOFTMAX, SOFTMAX_SHARP):
        rhs = rhs_at(lem, {atom(lem, Distance, "u"): dist})
        assert lhs <= float(rhs) * (1 + 1e-12) + tol, (lem.name, T, kind, lhs, rhs)


@pytest.mark.lemma("softmax-lipschitz-sharp")
def test_softmax_sharp_constant_is_approached():
    """A search over random near-balanced pairs finds ratio lhs / rhs(sharp) > 0.9 (and never > 1)."""
    rng = np.random.default_rng(2024)
    best = 0.0
    for _ in range(300):
        T = int(rng.choice([2, 3, 8, 64, 4096]))
        u = rng.standard_normal(T) * 10.0 ** rng.uniform(-4, 0)
        a = 10.0 ** rng.uniform(-5, -1)
        v = u + a * rng.choice([-1.0, 1.0], size=T)
        lhs, tol = _l1_softmax_gap(u, v)
        rhs = float(rhs_at(SOFTMAX_SHARP, {atom(SOFTMAX_SHARP, Distance, "u"): float(np.max(np.abs(u - v)))}))
        assert lhs <= rhs * (1 + 1e-12) + tol
        best = max(best, lhs / rhs)
    assert best > 0.9, best
    # the cited constant 2 is twice the sharp one: the same pairs reach only about half of it
    assert float(rhs_at(SOFTMAX, {atom(SOFTMAX, Distance, "u"): 1.0})) == 2 * float(
        rhs_at(SOFTMAX_SHARP, {atom(SOFTMAX_SHARP, Distance, "u"): 1.0}))


# -- the single-head class -------------------------------------------------------------------------

@st.composite
def classes(draw, max_T=4096):
    d = draw(st.integers(1, 6))
    k = draw(st.integers(1, 6))
    return dict(
        d=d, k=k, T=draw(st.one_of(st.integers(1, 12), st.integers(13, max_T))),
        r_w=draw(st.integers(1, d)), r_v=draw(st.integers(1, min(d, k))),
        B_X=draw(st.floats(0.1, 5.0)), B_w=draw(st.floats(0.1, 5.0)), B_V=draw(st.floats(0.1, 5.0)),
        B_QK=draw(st.floats(0.1, 5.0)), L_sigma=draw(st.sampled_from([1.0, 0.5, 2.5])),
    )


def _sigma(L):
    return lambda x: np.tanh(L * x)            # L-Lipschitz, sigma(0) = 0


def _forward(inst, th, L):
    return O.transformer_forward(inst["X"], th["W_QK"], th["W_V"], th["w"], inst["x_cls"], _sigma(L))


@pytest.mark.lemma("transformer-output-bound")
@given(cls=classes(max_T=512), seed=seeds, mode=st.sampled_from(O.INSTANCE_MODES))
def test_output_bound_on_random_instances(cls, seed, mode):
    rng = np.random.default_rng(seed)
    cls = dict(cls)
    L = cls.pop("L_sigma")
    inst = O.random_transformer_instance(rng, mode=mode, **cls)
    rhs = float(rhs_at(OUTPUT, dict(L_sigma=L, B_w=cls["B_w"], B_V=cls["B_V"], B_X=cls["B_X"])))
    for th in (inst["theta"], inst["theta2"]):
        assert abs(_forward(inst, th, L)) <= rhs * (1 + 1e-12)


@pytest.mark.lemma("transformer-output-bound")
@pytest.mark.parametrize("B_X,B_w,B_V,L", [(1.0, 1.0, 1.0, 1.0), (3.0, 0.5, 2.0, 1.5), (0.2, 4.0, 0.7, 0.3)])
def test_output_bound_is_attained(B_X, B_w, B_V, L):
    """All tokens B_X e1, W_V = B_V e1 e1^T, w = B_w e1, sigma(x) = L x: f = L B_w B_V B_X exactly."""
    d, k, T = 3, 2, 5
    X = np.zeros((T, d)); X[:, 0] = B_X
    W_V = np.zeros((d, k)); W_V[0, 0] = B_V
    w = np.zeros(k); w[0] = B_w
    f = O.transformer_forward(X, np.eye(d), W_V, w, X[0], lambda x: L * x)
    rhs = float(rhs_at(OUTPUT, dict(L_sigma=L, B_w=B_w, B_V=B_V, B_X=B_X)))
    assert f == pytest.approx(rhs, rel=1e-12)


def _perturbation_rhs(lem, inst, L):
    th, th2 = inst["theta"], inst["theta2"]
    dists = {
        atom(lem, Distance, "w"): float(np.linalg.norm(th["w"] - th2["w"])),
        atom(lem, Distance, "W_V"): float(np.linalg.norm(th["W_V"] - th2["W_V"], 2)),
        atom(lem, Distance, "W_QK"): float(np.linalg.norm(th["W_QK"] - th2["W_QK"], 2)),
    }
    values = dict(L_sigma=L, B_w=inst["B_w"], B_V=inst["B_V"], B_X=inst["B_X"])
    values.update(dists)
    return float(rhs_at(lem, values))


@pytest.mark.lemma("transformer-perturbation")
@pytest.mark.lemma("transformer-perturbation-sharp")
@given(cls=classes(), seed=seeds, mode=st.sampled_from(O.INSTANCE_MODES),
       blocks=st.sampled_from([None, ("QK",), ("V",), ("w",), ("w", "V", "QK")]))
@example(cls=dict(d=2, k=1, T=2, r_w=1, r_v=1, B_X=2.0, B_w=1.0, B_V=1.0, B_QK=1.0, L_sigma=1.0),
         seed=1, mode="aligned", blocks=("QK",))
def test_perturbation_both_variants(cls, seed, mode, blocks):
    rng = np.random.default_rng(seed)
    cls = dict(cls)
    L = cls.pop("L_sigma")
    inst = O.random_transformer_instance(rng, mode=mode, blocks=blocks, **cls)
    lhs = abs(_forward(inst, inst["theta"], L) - _forward(inst, inst["theta2"], L))
    B_f = L * cls["B_w"] * cls["B_V"] * cls["B_X"]
    for lem in (PERT, PERT_SHARP):
        rhs = _perturbation_rhs(lem, inst, L)
        assert lhs <= rhs * (1 + 1e-9) + 1e-13 * B_f, (lem.name, mode, lhs, rhs)


@pytest.mark.lemma("transformer-perturbation-sharp")
@pytest.mark.parametrize("B_X", [0.5, 1.0, 2.0, 3.0])
def test_perturbation_sharp_is_nearly_attained(B_X):
    """On the aligned score configurations the sharp variant is tight (ratio > 0.9): every power of
    B_X in its score term is exercised, and a lemma with a smaller power fails at B_X > 1."""
    rng = np.random.default_rng(int(B_X * 1000))
    best = {PERT.name: 0.0, PERT_SHARP.name: 0.0}
    for _ in range(60):
        inst = O.random_transformer_instance(rng, d=3, k=2, T=int(rng.choice([2, 4, 4096])), r_w=1, r_v=1,
                                             B_X=B_X, B_w=float(rng.uniform(0.5, 2)),
                                             B_V=float(rng.uniform(0.5, 2)), B_QK=2.0,
                                             mode="aligned", blocks=("QK",))
        lhs = abs(_forward(inst, inst["theta"], 1.0) - _forward(inst, inst["theta2"], 1.0))
        for lem in (PERT, PERT_SHARP):
            rhs = _perturbation_rhs(lem, inst, 1.0)
            assert lhs <= rhs * (1 + 1e-9)
            best[lem.name] = max(best[lem.name], lhs / rhs)
    assert best[PERT_SHARP.name] > 0.9, best
    assert 0.45 < best[PERT.name] <= 0.5 + 1e-9, best     # the cited constant is off by 2 here


@pytest.mark.lemma("transformer-perturbation")
@pytest.mark.lemma("transformer-perturbation-sharp")
@pytest.mark.parametrize("block", ["w", "V"])
def test_perturbation_value_and_readout_paths_are_tight(block):
    """Moving only w or only W_V along e1 on full-norm tokens attains the first two terms."""
    rng = np.random.default_rng(7)
    best = 0.0
    for _ in range(40):
        B_X = float(rng.uniform(0.5, 3))
        inst = O.random_transformer_instance(rng, d=2, k=2, T=3, r_w=1, r_v=1, B_X=B_X, B_w=1.3, B_V=0.8,
                                             B_QK=1.0, mode="aligned", blocks=(block,))
        lhs = abs(_forward(inst, inst["theta"], 1.0) - _forward(inst, inst["theta2"], 1.0))
        for lem in (PERT, PERT_SHARP):
            rhs = _perturbation_rhs(lem, inst, 1.0)
            assert lhs <= rhs * (1 + 1e-9)
            best = max(best, lhs / rhs)
    assert best > 0.5, best
