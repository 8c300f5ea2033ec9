"""The forward passes and instances of the perturbation arena, against the independent oracles."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

import oracles
from numeric.audit.slips.arenas import perturbation as E
from numeric.audit.slips.transformer import build_instance, forward, forward_mp, fro, shrink_to
from helpers import within


def _recipes(n, seed):
    rng = np.random.default_rng(seed)
    return [E.sample(rng) for _ in range(n)]


def test_forward_agrees_with_the_oracle_and_the_mp_pass():
    for p in _recipes(40, 0):
        inst = build_instance(p)
        for th in (inst["theta"], inst["theta2"]):
            ours = forward(inst["X"], inst["x_cls"], th["W_QK"], th["W_V"], th["w"])
            ref = oracles.transformer_forward(inst["X"], th["W_QK"], th["W_V"], th["w"], inst["x_cls"])
            bound = p["B_w"] * p["B_V"] * p["B_X"]          # |f| <= B_w B_V B_X (tanh is 1-Lipschitz, tanh 0 = 0)
            assert abs(ours - ref) <= 1e-13 * max(1.0, bound)
            assert abs(ours) <= bound * (1 + 1e-12)
            with mpmath.workdps(40):
                hp = forward_mp(inst["X"], inst["x_cls"], th["W_QK"], th["W_V"], th["w"])
                assert abs(hp - mpmath.mpf(ours)) <= mpmath.mpf(1e-13) * max(1.0, bound)


def _exact_sq(A) -> Fraction:
    return sum((Fraction(float(x)) ** 2 for x in np.ravel(A)), Fraction(0))


def test_instances_are_in_the_class_up_to_rounding():
    # checked with numpy's own norms and matrix_rank (not the arena's membership check)
    for p in _recipes(60, 1):
        inst = build_instance(p)
        assert within(np.linalg.norm(inst["X"], axis=1), p["B_X"]) and within(np.linalg.norm(inst["x_cls"]), p["B_X"])
        for th in (inst["theta"], inst["theta2"]):
            assert np.linalg.norm(th["w"]) <= p["B_w"]
            assert np.linalg.norm(th["W_V"]) <= p["B_V"] and np.linalg.norm(th["W_QK"]) <= p["B_QK"]
            assert np.linalg.matrix_rank(th["W_V"]) <= p["r_v"] and np.linalg.matrix_rank(th["W_QK"]) <= p["r_w"]



def test_violations_agree_with_exact_arithmetic():
    # the float64 scaling can leave an exact norm one ulp above its radius: the arena's membership check
    # (at 50 digits) must say so exactly when rational arithmetic on the float entries does
    flagged = 0
    for p in _recipes(60, 1):
        inst = build_instance(p)
        bad = set(E.violations(p))
        BX2 = Fraction(p["B_X"]) ** 2
        tokens_out = any(_exact_sq(row) > BX2 for row in inst["X"]) or _exact_sq(inst["x_cls"]) > BX2
        assert ("a token has norm > B_X" in bad) == tokens_out
        for key, rad in (("w", "B_w"), ("W_V", "B_V"), ("W_QK", "B_QK")):
            out = any(_exact_sq(th[key]) > Fraction(p[rad]) ** 2 for th in (inst["theta"], inst["theta2"]))
            assert (f"||{key}|| > {rad}" in bad) == out
        flagged += bool(bad)
    assert flagged < 60           # most instances are admitted


def test_instances_are_deterministic_and_move_only_the_chosen_blocks():
    for p in _recipes(30, 2):
        a, b = build_instance(p), build_instance(dict(p))
        assert all(np.array_equal(a["theta2"][k], b["theta2"][k]) for k in ("w", "W_V", "W_QK"))
        if p["family"] == "random":
            for k in ("w", "W_V", "W_QK"):
                if k not in p["blocks"]:
                    assert np.array_equal(a["theta"][k], a["theta2"][k])


def test_shrink_to_lands_inside_the_ball_and_keeps_points_inside():
    rng = np.random.default_rng(3)
    for _ in range(200):
        A = rng.standard_normal((3, 2)) * 10 ** rng.uniform(-3, 3)
        B = 10 ** rng.uniform(-2, 2)
        S = shrink_to(A, B, fro)
        assert fro(S) <= B
        if fro(A) <= B:
            assert np.array_equal(S, A)
        else:
            assert fro(S) >= B * (1 - 1e-12)                     # scaled to the sphere, not far inside
            assert np.allclose(S / fro(S), A / fro(A), rtol=0, atol=1e-12)
