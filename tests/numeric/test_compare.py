"""Comparison with the rebuilt Edelman-type bound: crossover n*, certified signs, the CLI."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as S

import numeric.compare.crossover as C
from numeric.compare.crossover import compare, crossover, prior_enclosure
from numeric.params import Params
from numeric.compare.priors import evaluate_prior, prior_value_at

SMALL = {"n": 10**8, "d": 16, "k": 4, "r_w": 2, "r_v": 2}


def test_crossover_is_a_root_with_certified_signs():
    cmp = compare("edelman", SMALL, dps=20)
    n_star = cmp.crossover
    assert n_star is not None and 1 < n_star < 10**8
    p = Params.from_preset("bert-base-head", **SMALL)
    with mpmath.workdps(45):                                  # independent: both bounds at n*, 45 digits
        ours = C._ours_at(p, n_star)
        prior = prior_value_at("edelman", p, n=n_star)[0]
        assert abs(ours - prior) <= mpmath.mpf(10) ** -17 * ours
        for f, smaller in ((1 - mpmath.mpf(10) ** -6, "prior"), (1 + mpmath.mpf(10) ** -6, "ours")):
            o, q = C._ours_at(p, n_star * f), prior_value_at("edelman", p, n=n_star * f)[0]
            assert (o < q) == (smaller == "ours")
    assert [c["side"] for c in cmp.checks] == ["below", "above"]
    assert all(c["certified"] for c in cmp.checks)
    below, above = cmp.checks
    assert Fraction(below["ours_interval"][0]) > Fraction(below["prior_interval"][1])
    assert Fraction(above["ours_interval"][1]) < Fraction(above["prior_interval"][0])
    assert cmp.ratio < 1 and cmp.to_json()["smaller"] == "ours"     # n = 10^8 is above n*
    default = compare("edelman", {"n": 10**8}, dps=15, certify=False)
    assert default.prior_trivial_at_crossover is False and default.vacuous_at_crossover is True


def test_no_crossover_is_explained(monkeypatch):
    monkeypatch.setattr(C, "N_MAX_EXP", 3)                     # search only up to n = 10^3
    n_star, why = crossover("edelman", Params.from_preset("bert-base-head"), dps=15)
    assert n_star is None and "no crossover up to n = 1e3" in why


@pytest.mark.parametrize("n", [10**6, 10**10])      # alpha at the upper limit, and interior
def test_prior_enclosure_contains_the_optimum(n):
    ev = evaluate_prior("edelman", {"n": n}, dps=30)
    cv = prior_enclosure("edelman", {"n": n}, dps=15)
    assert cv.certified and cv.contains(ev.value)
    assert ev.alpha_at_upper == (n == 10**6)


def _run(argv, capsys):
    from numeric.cli.main import main
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_compare_json(capsys):
    rc, out, err = _run(["compare", "--vs", "edelman", "--json", "--no-certify", "--dps", "15", "--n", "1e8",
                         "--d", "16", "--k", "4", "--r-w", "2", "--r-v", "2"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    for key in ("ours", "prior", "ratio_ours_over_prior", "crossover_n", "crossover", "parameter_mapping",
                "ours_vacuous", "prior_vacuous", "prior_alpha"):
        assert key in data
    assert "NO rank constraints" in data["parameter_mapping"]
    assert float(data["crossover_n"]) == pytest.approx(11000.1978925, rel=1e-9)
    # here the rebuilt bound is still at its trivial value (alpha = b) at n*: said, not hidden
    assert data["prior_trivial_at_crossover"] is True and "trivial value" in data["crossover"]


@pytest.mark.parametrize("argv, word", [
    (["compare", "--vs", "nope"], "--vs"),
    (["compare", "--vs", "edelman", "--n", "-3"], "n"),
])
def test_cli_compare_errors_are_one_line(argv, word, capsys):
    rc, out, err = _run(argv, capsys)
    assert rc == 2 and out == "" and err.count("\n") == 1 and word in err


def test_cli_eval_edelman_json(capsys):
    rc, out, err = _run(["eval", "--bound", "edelman", "--json", "--n", "1e10", "--dps", "20"], capsys)
    assert rc == 0, err
    data = json.loads(out)
    assert data["bound"] == "edelman" and data["rebuilt"] is True and data["certified"] is True
    lo, hi = (Fraction(x) for x in data["interval"])
    assert lo <= Fraction(data["value"]) * (1 + Fraction(1, 10**19)) and Fraction(data["value"]) <= hi * (
        1 + Fraction(1, 10**19))
    assert float(data["alpha"]) == pytest.approx(0.0191023371095220, rel=1e-12)


def test_compare_with_trauger_tewari_has_no_T_and_a_crossover():
    cmp = compare("trauger-tewari", {"n": 10**30}, dps=15, certify=False)
    assert cmp.crossover is not None and "M_QK = d B_QK" in cmp.mapping
    assert cmp.ratio < 1


@settings(max_examples=6)
@given(params=S.parameter_sets(), vs=st.sampled_from(["edelman", "trauger-tewari"]))
def test_prior_enclosure_contains_the_mpmath_value_on_random_parameters(params, vs):
    with mpmath.workdps(40):
        v = prior_value_at(vs, Params.coerce(params))[0]
    cv = prior_enclosure(vs, params, dps=12)
    assert cv.certified and cv.contains(v)
