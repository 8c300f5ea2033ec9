"""The slip table: the slips are wrong and explained, the same search refuses every slip and spares its
true lemmas, and the witness of what slip (c) breaks further down the chain is re-checked with the oracles."""

from __future__ import annotations

import numpy as np
import pytest

import lemmas
import oracles
from lemmas.slips import CONTROLS, SLIPS, slip
from numeric.audit.slips import CHECKS, DEFAULT_BUDGET, check_slips, true_lemmas_for


def test_slips_are_wrong_unregistered_and_explained():
    registered = set(lemmas.names())
    for s in SLIPS:
        assert s.wrong is True
        assert s.name not in registered
        assert "WRONG" in s.source.derivation and s.variant_of
    for c in CONTROLS:
        assert c.wrong is False and c.name not in registered


@pytest.mark.lemma("low-rank-net-ball")
@pytest.mark.lemma("transformer-perturbation")
@pytest.mark.lemma("transformer-perturbation-sharp")
@pytest.mark.parametrize("seed", [0, 1, 7, 2024])
def test_same_search_refuses_slips_and_spares_true_lemmas(seed):
    """Fixed seeds: the search is random, and at the default budget it misses slip (b) for about 2% of seeds
    (1 in 60 measured), so a test drawing fresh seeds would fail now and then; the audit uses seed 0."""
    for v in check_slips(budget=DEFAULT_BUDGET, seed=seed):
        assert v.slip.refused, f"slip ({v.key}) not refused at seed {seed}"
        for c in v.controls:
            assert not c.refused, f"true lemma {c.lemma} refused at seed {seed}: {c.counterexample}"
            assert c.evaluations == DEFAULT_BUDGET or c.evaluations >= DEFAULT_BUDGET - 25


def test_true_lemmas_are_the_right_ones():
    names = {ch.key: [t.name for t in true_lemmas_for(ch)] for ch in CHECKS}
    assert names["a"] == ["low-rank-net-ball"]
    assert "logplus-sqrt-integral" in names["b"]
    assert names["e"] == ["transformer-perturbation", "transformer-perturbation-sharp"]
    for ch in CHECKS:
        assert ch.slip is slip(ch.key)


def test_slip_c_consequence_external_centre_breaks_perturbation_rechecked():
    from numeric.audit.slips import external_centre_breaks_perturbation
    q = external_centre_breaks_perturbation()
    assert q["broken"] is True
    th = {k: np.array(v, dtype=float) for k, v in q["theta"].items()}
    th2 = {k: np.array(v, dtype=float) for k, v in q["theta_prime"].items()}
    X, x_cls = np.array(q["X"], dtype=float), np.array(q["x_cls"], dtype=float)
    B_X, B_w, B_V = q["B_X"], q["B_w"], q["B_V"]
    assert np.linalg.norm(th["w"]) <= B_w and np.linalg.norm(th["W_V"]) <= B_V      # theta in the class
    assert np.linalg.norm(th2["w"]) > B_w                                            # theta' is not
    lhs = abs(oracles.transformer_forward(X, th["W_QK"], th["W_V"], th["w"], x_cls)
              - oracles.transformer_forward(X, th2["W_QK"], th2["W_V"], th2["w"], x_cls))
    rhs = (B_V * B_X * np.linalg.norm(th["w"] - th2["w"]) + B_w * B_X * np.linalg.norm(th["W_V"] - th2["W_V"], 2)
           + 2 * B_w * B_V * B_X ** 3 * np.linalg.norm(th["W_QK"] - th2["W_QK"], 2))
    assert lhs > rhs * 1.1
    # with theta' moved inside the class (w' scaled back to B_w) the lemma holds again
    th3 = dict(th2, w=th2["w"] * B_w / np.linalg.norm(th2["w"]))
    lhs3 = abs(oracles.transformer_forward(X, th["W_QK"], th["W_V"], th["w"], x_cls)
               - oracles.transformer_forward(X, th3["W_QK"], th3["W_V"], th3["w"], x_cls))
    rhs3 = B_V * B_X * np.linalg.norm(th["w"] - th3["w"]) + B_w * B_X * np.linalg.norm(th["W_V"] - th3["W_V"], 2)
    assert lhs3 <= rhs3


def test_verdict_json_names_the_slip_its_true_lemmas_and_the_consequence():
    (v,) = check_slips(budget=60, seed=2, keys="c")
    out = v.to_json()
    assert out["key"] == "c" and out["ok"] is v.ok
    assert out["slip"]["lemma"] == slip("c").name
    assert [t["lemma"] for t in out["true_lemmas"]] == [t.name for t in true_lemmas_for(CHECKS[2])]
    assert out["consequence"]["broken"] is True
