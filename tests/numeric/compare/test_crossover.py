"""Comparison with the rebuilt Edelman-type bound: crossover n*, certified signs, the CLI."""

from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as S
from helpers import run_cli

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


def test_cli_eval_edelman_json():
    rc, out, err = run_cli(["eval", "--bound", "edelman", "--json", "--n", "1e10", "--dps", "20"])
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


# -- issue 14: high precision, huge n*, the trivial value at the queried n ----------------------------------
def test_crossover_to_200_digits_is_a_root_and_consistent():
    """n* at 200 digits: the bounds agree there to 195 digits (ours by numeric.evaluate, the prior by its own
    evaluation), and n* at 230 digits agrees with it to 200."""
    import numeric
    p = Params.from_preset()
    a, _ = crossover("edelman", p, dps=200)
    b, _ = crossover("edelman", p, dps=230)
    with mpmath.workdps(260):
        assert abs(a - b) <= mpmath.mpf(10) ** -199 * b
        n_star = mpmath.mpf(b)
        ours = C._ours_at(p, n_star)
        ours_sqrt = numeric.evaluate(p, dps=240).value * mpmath.sqrt(p["n"])      # ours = Q / sqrt(n)
        assert abs(ours * mpmath.sqrt(n_star) - ours_sqrt) <= mpmath.mpf(10) ** -235 * ours_sqrt
        prior = prior_value_at("edelman", p, n=n_star)[0]
        assert abs(ours - prior) <= mpmath.mpf(10) ** -225 * ours


def test_certification_points_pin_n_star():
    assert C.certification_points(mpmath.mpf("11000.1978925")) == (11000, 11001)
    n_star = mpmath.mpf("4.86204142977935e357")
    lo, hi = C.certification_points(n_star)
    with mpmath.workdps(400):
        assert lo < n_star < hi
        assert 1.9e-12 < (hi - lo) / n_star < 2.1e-12


def test_a_crossover_at_n_1e357_is_certified_on_both_sides():
    """d = 1e9: n* ~ 4.9e357 (before: minutes, and the integers next to n* could not be told apart); the Arb
    enclosures at the two certification points separate the bounds with the right signs."""
    cmp = compare("edelman", {"d": 10 ** 9}, dps=15)
    assert cmp.crossover is not None and mpmath.mpf("4.8e357") < cmp.crossover < mpmath.mpf("4.9e357")
    below, above = cmp.checks
    assert below["certified"] and above["certified"], cmp.checks
    assert int(below["n"]) < cmp.crossover < int(above["n"])
    assert Fraction(below["ours_interval"][0]) > Fraction(below["prior_interval"][1])
    assert Fraction(above["ours_interval"][1]) < Fraction(above["prior_interval"][0])


@pytest.mark.parametrize("n, trivial", [(10**6, True), (10**10, False)])
def test_compare_says_when_the_prior_is_at_its_trivial_value_at_n(n, trivial):
    cmp = compare("edelman", {"n": n}, dps=15, certify=False)
    ev = evaluate_prior("edelman", {"n": n}, dps=15)
    assert cmp.prior_trivial is trivial and cmp.to_json()["prior_trivial"] is trivial
    assert (ev.alpha == ev.b) is trivial                         # the optimum sits at the upper limit b


def test_compare_honours_the_variant():
    import numeric
    sharp = compare("edelman", {"n": 10**8}, dps=20, certify=False, variant="sharp-softmax")
    default = compare("edelman", {"n": 10**8}, dps=20, certify=False)
    assert sharp.ours == numeric.evaluate({"n": 10**8}, dps=20, variant="sharp-softmax").value
    assert sharp.ours < default.ours and sharp.crossover < default.crossover
    assert sharp.to_json()["variant"] == "sharp-softmax"


def test_a_failed_certification_says_why(monkeypatch):
    from numeric.errors import NotCertified

    def refuse(*args, **kwargs):
        raise NotCertified("the alpha bracket failed (test)")

    monkeypatch.setattr(C, "prior_enclosure", refuse)
    cmp = compare("edelman", SMALL, dps=15)
    assert [c["certified"] for c in cmp.checks] == [False, False]
    assert all("alpha bracket failed" in c["reason"] for c in cmp.checks)
