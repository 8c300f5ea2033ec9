"""Certified (Arb) evaluation: the enclosure contains the independent mpmath value (numeric.evaluate)."""

from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy
from hypothesis import example, given
from hypothesis import strategies as st

import strategies as S
from helpers import run_cli
from lemmas.objects import logplus
from numeric import evaluate
from numeric.backends.arb import (CertifiedValue, arb_eval, certified_evaluate, certify_expr, decimal_round,
                               working_precision)
from numeric.errors import NotCertified, UsageError


def _mp_value(params, dps):
    return evaluate(params, dps=dps).value


@given(S.parameter_sets(), st.sampled_from([5, 12, 30]))
@example({"B_QK": Fraction(1, 54), "B_X": 1, "B_V": 1, "B_w": 1, "L_sigma": 1}, 30)   # on the branch boundary
def test_mpmath_value_lies_in_the_arb_enclosure(params, dps):
    cv = certified_evaluate(params, dps=dps)
    assert cv.certified
    v = _mp_value(params, dps + 40)          # mpmath with 40 more digits: its error is far below the ball's width
    assert cv.contains(v), (cv.interval_strings(), v)
    lo, hi = cv.interval_strings()
    assert Fraction(lo) <= cv.lo and cv.hi <= Fraction(hi)


@given(S.parameter_sets())
def test_the_enclosure_is_tight(params):
    """Could fail: a value 10^-(dps-1) off (relative) must fall outside the ball."""
    dps = 12
    cv = certified_evaluate(params, dps=dps)
    v = _mp_value(params, 50)
    with mpmath.workdps(50):
        assert not cv.contains(v * (1 + mpmath.mpf(10) ** -(dps - 1)))
        assert not cv.contains(v * (1 - mpmath.mpf(10) ** -(dps - 1)))


@pytest.mark.parametrize("variant", ["sharp-softmax", "dudley-half"])
def test_variants_are_enclosed(variant):
    cv = certified_evaluate({"n": 10**7}, dps=25, variant=variant)
    assert cv.certified and cv.contains(evaluate({"n": 10**7}, dps=60, variant=variant).value)


def test_constants_override_is_enclosed():
    cv = certified_evaluate(dps=20, constants={"c_net": 18})
    assert cv.contains(evaluate(dps=60, constants={"c_net": 18}).value)
    assert not cv.contains(evaluate(dps=60).value)


def test_logplus_ball_straddling_one_is_enclosed():
    x = sympy.Symbol("x", positive=True)
    with working_precision(64):
        ball = arb_eval(logplus(x), {x: flint.arb(1, 0.1)})
        assert ball.lower() >= 0
        assert ball.contains(0) and ball.contains(flint.arb("1.05").log())
        assert arb_eval(logplus(x), {x: flint.arb("0.5")}) == 0
        assert ball.upper() < flint.arb("0.1")


def test_piecewise_straddle_without_exact_values_takes_the_union():
    x = sympy.Symbol("x", positive=True)
    expr = sympy.Piecewise((x, x <= 1), (2 * x, True))
    with working_precision(64):
        ball = arb_eval(expr, {x: flint.arb(1, 0.001)})
        assert ball.contains(flint.arb("0.9995")) and ball.contains(flint.arb("2.0015"))
        # with the exact value the boundary is decided
        ball = arb_eval(expr, {x: flint.arb(1, 0.001)}, exact={x: sympy.Integer(1)})
        assert not ball.contains(2)


def test_cancellation_is_reported_not_certified():
    x = sympy.Symbol("x", positive=True)
    cv = certify_expr(sympy.log(x) - sympy.log(x) * sympy.Integer(1), {x: Fraction(1, 3)}, dps=10)
    assert isinstance(cv, CertifiedValue)
    # log(x) - log(x) simplifies to 0 in SymPy; build a cancellation SymPy cannot see instead
    cv = certify_expr(sympy.exp(sympy.log(x)) - x, {x: Fraction(1, 3)}, dps=10)
    assert cv.certified is False and cv.lo <= 0 <= cv.hi


def test_no_enclosure_raises_and_restores_precision():
    x = sympy.Symbol("x")
    before = flint.ctx.prec
    with pytest.raises(NotCertified):
        certify_expr(sympy.sqrt(x), {x: -1}, dps=10)
    assert flint.ctx.prec == before


def test_unknown_variant_is_a_usage_error():
    with pytest.raises(UsageError):
        certified_evaluate(variant="nope")


@given(st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**12).filter(lambda q: q != 0),
       st.integers(1, 40))
@example(Fraction(999999, 1000), 3)     # rounding up carries into a new digit
def test_decimal_round_is_directed(x, digits):
    down, up = decimal_round(x, digits, "down"), decimal_round(x, digits, "up")
    with mpmath.workdps(80):                     # the decimal exponent of |x|, computed independently
        e = int(mpmath.floor(mpmath.log10(mpmath.mpf(abs(x.numerator)) / abs(x.denominator))))
    if Fraction(10) ** e > abs(x):              # log10 rounded up across an exact power of 10
        e -= 1
    ulp = Fraction(10) ** (e - digits + 1)
    import math
    assert Fraction(down) == math.floor(x / ulp) * ulp
    assert Fraction(up) == math.ceil(x / ulp) * ulp


# --- the CLI ---------------------------------------------------------------------------------------

def test_cli_eval_json_has_a_certified_interval():
    import json
    rc, out, err = run_cli(["eval", "--json", "--bound", "truong", "--n", "1e8", "--dps", "25"])
    assert rc == 0, err
    data = json.loads(out)
    for key in ("bound", "variant", "dps", "value", "rademacher", "confidence", "vacuous", "blocks", "params",
                "obligations"):
        assert key in data                       # the existing keys are kept
    lo, hi = (Fraction(x) for x in data["interval"])
    assert data["certified"] is True
    assert lo <= hi and (hi - lo) <= hi * Fraction(1, 10**25)
    v = evaluate({"n": 10**8}, dps=60).value
    assert certified_evaluate({"n": 10**8}, dps=25).contains(v)
    assert lo <= Fraction(mpmath.nstr(v, 50)) <= hi


@pytest.mark.parametrize("bound", ["nope", "tt"])
def test_cli_unimplemented_or_unknown_bound_is_one_line_exit_2(bound):
    rc, out, err = run_cli(["eval", "--json", "--bound", bound])
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "--bound" in err
