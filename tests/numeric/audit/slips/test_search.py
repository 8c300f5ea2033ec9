"""The search: seeded, able to refuse a true statement made false, and confirming only points that the
arena admits, at high precision."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath

import lemmas
from lemmas.slips import slip
from numeric.audit.slips import (ARENAS, CHECKS, CONFIRM_DPS, DEFAULT_BUDGET, check_slips, confirm, search,
                                 true_lemmas_for)


def test_search_is_seeded():
    a = [v.to_json() for v in check_slips(budget=60, seed=7, keys="acd")]
    b = [v.to_json() for v in check_slips(budget=60, seed=7, keys="acd")]
    assert a == b


def test_search_can_fail_a_true_statement_made_false():
    # the checker is not vacuous: overriding the net constant 9 -> 1/100 in the true ball lemma makes it
    # false (it then claims log N <= 0 for eps >= B/100), and the same search finds it
    lem = lemmas.get("low-rank-net-ball")
    from dataclasses import replace
    from lemmas.core import Constant
    broken = replace(lem, constants=(Constant(lem.constants[0].symbol, Fraction(1, 100), "broken"),), name="broken")
    assert search(broken, "lowrank-ball-cover", DEFAULT_BUDGET, seed=0).refused


def test_confirm_checks_both_sides_at_high_precision():
    # slip (d) at L_loss = 4, R = 1, eps = 1: N(l o F, 1) = ceil(4) = 4, while the slip claims
    # log N(l o F, eps) <= L_loss log N(F, eps) = 4 log 1 = 0
    p = {"L_loss": 4.0, "R": 1.0, "epsilon": 1.0}
    violated, lhs, rhs = confirm(slip("d"), "loss-cover", p)
    assert violated
    with mpmath.workdps(CONFIRM_DPS):
        assert abs(lhs - mpmath.log(4)) < mpmath.mpf(10) ** -(CONFIRM_DPS - 2) and rhs == 0
    # the true lemma (eps rescaled) holds there: N(l o F, 1) = N(F, 1/4) = 4
    (true,) = true_lemmas_for(CHECKS[3])
    assert true.name == "loss-cover-rescaled-eps" and confirm(true, "loss-cover", p)[0] is False


def test_confirm_never_reports_a_point_the_arena_does_not_admit():
    p = {"L_loss": 4.0, "R": 1.0, "epsilon": 1.0}
    fenced = dataclasses.replace(ARENAS["loss-cover"], violations=lambda point, dps: ["outside the class"])
    assert confirm(slip("d"), ARENAS["loss-cover"], p)[0] is True
    assert confirm(slip("d"), fenced, p) == (False, None, None)
    assert search(slip("d"), fenced, 200, seed=0).refused is False


def test_every_evaluation_is_counted_and_the_budget_kept():
    res = search(lemmas.get("low-rank-net-ball"), "lowrank-ball-cover", 250, seed=1, stop_at_first=False)
    assert not res.refused and res.evaluations == 250 and res.budget == 250
    assert res.best_margin is not None and res.best_margin < 0
