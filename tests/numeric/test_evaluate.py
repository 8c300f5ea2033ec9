"""numeric.evaluate against the spec oracle (MATH.md section 5), scaling in n, independence of T,
the JSON record, the smallest non-vacuous n, and precision handling."""

from __future__ import annotations

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
from numeric.errors import ParameterError, UsageError

import oracles as O
import strategies as S
from helpers import scaled

SOFTMAX_CONST = {"default": 2, "sharp-softmax": 1}
variants = st.sampled_from(["default", "sharp-softmax"])
precisions = st.sampled_from([30, 50])


def close(a, b, dps, factor=1):
    """factor * a == b to dps digits (the product is formed at full precision, not in the global context)."""
    with mpmath.workdps(dps + 10):
        a, b = factor * mpmath.mpf(a), mpmath.mpf(b)
        return abs(a - b) <= mpmath.mpf(10) ** (1 - dps) * abs(b)


@given(params=S.parameter_sets(), variant=variants, dps=precisions)
def test_evaluate_equals_spec(params, variant, dps):
    ev = numeric.evaluate(params, dps=dps, variant=variant)
    spec = O.rademacher_bound_spec(params, dps=dps + 10, softmax_const=SOFTMAX_CONST[variant])
    assert close(ev.value, spec["value"], dps), (ev.value, spec["value"])
    assert close(ev.rademacher, spec["rademacher_term"], dps)
    assert close(ev.rademacher_complexity, spec["rademacher_complexity"], dps)
    assert close(ev.confidence, spec["confidence"], dps)
    assert [b.name for b in ev.blocks] == [b[0] for b in spec["blocks"]]
    for b, (name, D, C, integral) in zip(ev.blocks, spec["blocks"]):
        assert close(b.D, D, dps) and close(b.C, C, dps) and close(b.integral, integral, dps), name
        assert close(b.U, spec["B_f"], dps)
    assert ev.vacuous == (spec["value"] >= mpmath.mpf(params["c"]))
    assert ev.dps == dps and ev.variant == variant


@given(params=S.parameter_sets(), variant=variants, dps=precisions)
def test_four_times_n_halves_the_rademacher_term(params, variant, dps):
    a = numeric.evaluate(params, dps=dps, variant=variant)
    b = numeric.evaluate({**params, "n": 4 * params["n"]}, dps=dps, variant=variant)
    assert close(b.rademacher, a.rademacher, dps, factor=2)
    assert close(b.confidence, a.confidence, dps, factor=2)
    assert close(b.value, a.value, dps, factor=2)
    assert not close(b.rademacher, a.rademacher, dps, factor=1.99)


@given(params=S.parameter_sets(), T2=st.integers(1, 10**12), variant=variants)
@settings(max_examples=scaled(15))
def test_T_changes_nothing(params, T2, variant):
    a = numeric.evaluate(params, dps=40, variant=variant).to_json()
    b = numeric.evaluate({**params, "T": T2}, dps=40, variant=variant).to_json()
    assert b["params"].pop("T") == str(T2)
    a["params"].pop("T")
    assert a == b


@given(params=S.parameter_sets(), dps=precisions)
@settings(max_examples=scaled(10))
def test_json_record(params, dps):
    ev = numeric.evaluate(params, dps=dps)
    js = ev.to_json()
    spec = O.rademacher_bound_spec(params, dps=dps + 10)
    for key, skey in (("value", "value"), ("rademacher", "rademacher_term"),
                      ("rademacher_complexity", "rademacher_complexity"), ("confidence", "confidence")):
        assert isinstance(js[key], str)
        assert close(js[key], spec[skey], dps - 1)   # the string is parsed at full precision, key
    assert js["dps"] == dps and js["variant"] == "default" and js["bound"] == "truong"
    assert js["vacuous"] is bool(spec["value"] >= mpmath.mpf(params["c"]))
    assert [b["name"] for b in js["blocks"]] == ["w", "V", "QK"]
    assert isinstance(js["obligations"], list) and js["obligations"]
    assert js["params"]["n"] == str(params["n"])


def test_value_is_the_sum_of_its_terms():
    ev = numeric.evaluate({"n": 12345}, dps=60)
    with mpmath.workdps(60):
        assert abs(ev.value - ev.rademacher - ev.confidence) <= mpmath.mpf(10) ** -58 * ev.value
        assert abs(ev.rademacher - 2 * ev.rademacher_complexity) <= mpmath.mpf(10) ** -58 * ev.rademacher


@pytest.mark.parametrize("preset,variant", [("small", "default"), ("small", "sharp-softmax"),
                                            ("bert-base-head", "default")])
def test_smallest_nonvacuous_n_against_spec(preset, variant):
    p = numeric.Params.from_preset(preset)
    n_star = numeric.smallest_nonvacuous_n(p, variant=variant)
    assert n_star is not None and n_star > 1
    spec = lambda n: O.rademacher_bound_spec({**p.as_strings(), "n": n}, dps=40,  # noqa: E731
                                             softmax_const=SOFTMAX_CONST[variant])["value"]
    c = mpmath.mpf(p.as_strings()["c"])
    assert spec(n_star) < c <= spec(n_star - 1)


def test_precision_is_local():
    before = mpmath.mp.prec
    ev = numeric.evaluate(dps=200)
    assert mpmath.mp.prec == before
    digits = ev.fmt(ev.value).replace(".", "").lstrip("0")
    assert len(digits) >= 190                       # the requested digits were delivered
    spec = O.rademacher_bound_spec(numeric.Params.from_preset().as_strings(), dps=220)["value"]
    assert close(ev.value, spec, 200)


@pytest.mark.parametrize("dps", [0, -3, 10**6, 2.5, "abc", True, "__import__('os')"])
def test_bad_dps(dps):
    with pytest.raises(ParameterError, match="dps"):
        numeric.evaluate(dps=dps)


def test_unknown_variant_and_constants():
    with pytest.raises(UsageError, match="variant"):
        numeric.evaluate(variant="nope")
    with pytest.raises(UsageError, match="c_nope"):
        numeric.evaluate(constants={"c_nope": 2})


def test_evaluate_expr_asks_for_a_symbol_free_beside_an_integral_over_it():
    import sympy
    x = sympy.Symbol("x", positive=True)
    expr = x + sympy.Integral(sympy.sqrt(x), (x, 0, 1))
    with pytest.raises(UsageError, match=r"no value for \['x'\]"):
        numeric.evaluate_expr(expr, {})
    with mpmath.workdps(30):
        assert numeric.evaluate_expr(expr, {x: 2}, dps=20) == pytest.approx(mpmath.mpf(2) + mpmath.mpf(2) / 3, rel=1e-18)
