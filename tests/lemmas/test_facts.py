"""Provided facts that do not follow from their lemma's conclusion, each with a property test of its own.

A lemma's ``provides`` are read by later steps (a fact discharges a hypothesis), so they are claims
like the conclusion.  Facts with a ``follows_from`` are read off the conclusion when the lemma is
built; the others are tested here against independent computations and marked
``@pytest.mark.fact(lemma, fact class)`` (tests/test_meta.py asks for one per such fact).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import lemmas
from lemmas.prior import FeatureBound
from lemmas.symbols import B_V, B_X, B_w, C_SM, L_sigma, eps

LAYER = lemmas.get("edelman-layer-cover")


def _feature_radii(values, t):
    """The radii b of the three FeatureBound facts of edelman-layer-cover at the given values."""
    inst = LAYER.instantiate({**t, "epsilon": values[eps]})
    out = []
    for fact in inst.provides:
        assert isinstance(fact, FeatureBound)
        a, b, N = fact.args[0].args[1:]
        out.append(float(b.xreplace(values)))
    return out


def _unit(rng, d):
    v = rng.standard_normal(d)
    return v / np.linalg.norm(v)


@pytest.mark.fact("edelman-layer-cover", "FeatureBound")
@pytest.mark.parametrize("seed", range(6))
def test_edelman_layer_features_lie_in_the_stated_balls(seed):
    """Scores read x_cls x_t^T (Frobenius <= B_X^2), values e_j (x) x_t (norm <= B_X), the readout reads
    sigma(a^) for a cover element a^ within eps_a of a = W_V^T X^T p, whose norm is at most
    L_sigma (B_V B_X + eps_a).  The worst cases (tokens at full norm, a aligned with the error, sigma linear)
    attain each radius, so a smaller stated radius fails."""
    rng = np.random.default_rng(seed)
    d, k, T = 4, 3, 5
    BX, Bw, BV, Ls = (float(x) for x in 10.0 ** rng.uniform(-0.7, 0.7, size=4))
    e = float(10.0 ** rng.uniform(-2, 0))
    ts, tv, tw = rng.dirichlet([1, 1, 1])
    t = {"t_s": sympy.Rational(ts).limit_denominator(10**6), "t_v": sympy.Rational(tv).limit_denominator(10**6)}
    t["t_w"] = 1 - t["t_s"] - t["t_v"]
    values = {B_X: BX, B_w: Bw, B_V: BV, L_sigma: Ls, eps: e, C_SM: 2, lemmas.symbols.k: k}
    r_score, r_value, r_read = _feature_radii(values, t)
    # tokens at full norm, x_cls at full norm
    X = np.array([BX * _unit(rng, d) for _ in range(T)])
    x_cls = BX * _unit(rng, d)
    score_features = [np.outer(x_cls, x) for x in X]
    assert max(np.linalg.norm(f) for f in score_features) <= r_score * (1 + 1e-12)
    assert max(np.linalg.norm(f) for f in score_features) >= r_score * (1 - 1e-12)      # attained
    value_features = [np.kron(np.eye(k)[j], x) for x in X for j in range(k)]
    assert max(np.linalg.norm(f) for f in value_features) <= r_value * (1 + 1e-12)
    # readout: a = W_V^T X^T p at full norm (W_V = B_V u v^T with u along the tokens' mean direction)
    X[:] = BX * _unit(rng, d)
    p = np.full(T, 1.0 / T)
    W_V = BV * np.outer(X[0] / BX, _unit(rng, k))
    a = W_V.T @ X.T @ p
    eps_a = float(((t["t_s"] + t["t_v"]) * e) / (Bw * Ls))
    a_hat = a * (1 + eps_a / np.linalg.norm(a))          # a cover element eps_a away, aligned
    readout = Ls * a_hat                                  # sigma(x) = L_sigma x is L_sigma-Lipschitz, sigma(0) = 0
    assert np.linalg.norm(readout) <= r_read * (1 + 1e-12)
    assert np.linalg.norm(readout) >= r_read * (1 - 1e-9)                                 # attained
