"""The rebuilt prior bounds' evaluation (numeric.compare.priors) at extreme n and high precision.

Oracle: the integrand lambdified to mpmath straight from the derived SymPy expression and integrated by
mpmath.quad over eps on geometric pieces (no Arb, no compiled program, no log variable); the optimal
alpha checked by the first-order condition g(alpha) = dA/dI with the same lambdified g.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as S
from helpers import scaled

from derive.prior import ALPHA, prior
from lemmas.symbols import SETTING_SYMBOLS
from numeric.compare.priors import certified_prior, evaluate_prior, prior_point
from numeric.errors import UsageError
from numeric.params import Params


@lru_cache(maxsize=None)
def _lambdified(name):
    """(g(eps, *params), b(*params), outer(alpha, I, *params), dA/dI(*params)) lambdified to mpmath once."""
    pb = prior(name)
    (var, _, hi), = pb.integral.limits
    I = sympy.Symbol("I_ref")
    outer = pb.bound.xreplace({pb.integral: I})
    ratio = sympy.diff(outer, ALPHA) / sympy.diff(outer, I)
    lam = lambda args, e: sympy.lambdify(args, e, "mpmath")            # noqa: E731
    return (lam((var,) + SETTING_SYMBOLS, pb.integral.function), lam(SETTING_SYMBOLS, hi),
            lam((ALPHA, I) + SETTING_SYMBOLS, outer), lam(SETTING_SYMBOLS, ratio))


def _args(p: Params):
    return [mpmath.mpf(Fraction(p[s.name]).numerator) / Fraction(p[s.name]).denominator for s in SETTING_SYMBOLS]


def first_order(name, p: Params, alpha, dps=30):
    """(g(alpha) - dA/dI) / g(alpha), g lambdified to mpmath from the SymPy integrand."""
    g, _, _, ratio = _lambdified(name)
    with mpmath.workdps(dps + 10):
        args = _args(p)
        ga = g(mpmath.mpf(alpha), *args)
        return (ga - ratio(*args)) / ga


def reference(name, p: Params, alpha, dps=30):
    """(value at alpha, g(alpha) - dA/dI) by mpmath.quad on eps-pieces of ratio 16, from the SymPy bound;
    ``alpha=None`` is the upper limit b itself."""
    _, hi, outer, ratio = _lambdified(name)
    pb = prior(name)
    (var, _, _), = pb.integral.limits
    # the integrand with the parameters folded to Floats: one lambdified function of eps per point
    g = sympy.lambdify(var, pb.integral.function.xreplace(
        {s: sympy.Float(sympy.Rational(v.numerator, v.denominator), dps + 20) for s, v in
         ((s, Fraction(p[s.name])) for s in SETTING_SYMBOLS)}).evalf(dps + 20), "mpmath")
    with mpmath.workdps(dps + 10):
        args = _args(p)
        b = hi(*args)
        a = b if alpha is None else mpmath.mpf(alpha)
        pieces = max(2, int(mpmath.ceil(mpmath.log(b / a, 16))))
        pts = [a * (b / a) ** (mpmath.mpf(i) / pieces) for i in range(pieces + 1)]
        integral = mpmath.quad(g, pts) if a < b else mpmath.mpf(0)
        g0 = _lambdified(name)[0]
        ga = g0(a, *args)
        return outer(a, integral, *args), (ga - ratio(*args)) / ga


@settings(max_examples=scaled(5))
@given(params=S.parameter_sets(max_dimension=10**4), log10_n=st.integers(2, 24),
       name=st.sampled_from(["edelman", "trauger-tewari"]))
def test_value_and_optimal_alpha_against_mpmath_quad(params, log10_n, name):
    p = Params.coerce({**params, "n": 10 ** log10_n})
    ev = evaluate_prior(name, p, dps=20)
    # at an interior optimum F'(alpha) = 0, so alpha rounded to 20 digits moves F in the 40th; at alpha = b
    # it does not (F'(b) < 0 there): that case is compared at b itself
    value, foc = reference(name, p, None if ev.alpha_at_upper else ev.alpha, dps=20)
    with mpmath.workdps(30):
        assert abs(ev.value - value) <= mpmath.mpf(10) ** -17 * value
        if ev.alpha_at_upper:            # the optimum at b: the derivative there is still <= 0
            assert foc >= -mpmath.mpf(10) ** -20
        else:
            assert abs(foc) <= mpmath.mpf(10) ** -20


@pytest.mark.parametrize("name, n", [("edelman", 10 ** 357), ("trauger-tewari", 10 ** 300)])
def test_a_dudley_lower_limit_of_1e_minus_175(name, n):
    """alpha ~ 1/sqrt(n): hundreds of decades of eps.  Oracles: Arb's rigorous integrator (acb.integral, its
    own error bounds) at the same alpha, and the first-order condition with the lambdified integrand."""
    p = Params.from_preset(n=n)
    with mpmath.workdps(30):
        pt = prior_point(name, p)
        assert pt.alpha < mpmath.mpf(10) ** -140
        assert abs(first_order(name, p, pt.alpha)) <= mpmath.mpf(10) ** -25
    cv = certified_prior(name, p, Fraction(mpmath.nstr(pt.alpha, 30)), dps=20)
    assert cv.certified and cv.contains(pt.value)


def test_high_precision_is_consistent():
    """The value at 300 digits equals the one at 340 digits to 300 digits (a lower limit of 3.6e-17)."""
    a = evaluate_prior("edelman", {"n": 10 ** 40}, dps=300)
    b = evaluate_prior("edelman", {"n": 10 ** 40}, dps=340)
    with mpmath.workdps(340):
        assert abs(a.value - b.value) <= mpmath.mpf(10) ** -299 * b.value
        assert abs(a.alpha - b.alpha) <= mpmath.mpf(10) ** -297 * b.alpha


def test_a_given_alpha_outside_its_range_is_refused():
    p = Params.from_preset()
    with mpmath.workdps(20):
        with pytest.raises(UsageError, match="alpha"):
            prior_point("edelman", p, alpha=Fraction(3, 2))      # b = B_f = 1
        with pytest.raises(UsageError, match="alpha"):
            prior_point("edelman", p, alpha=mpmath.mpf(0))


@pytest.mark.parametrize("key, flag", [("H", "--heads"), ("L", "--layers")])
def test_more_than_one_head_is_refused(key, flag):
    """The rebuilt prior bounds are single-head, single-layer: evaluating one for H heads would be a silent lie."""
    if key not in Params.from_preset():
        pytest.skip("no multi-head parameters in this tree")
    with pytest.raises(UsageError, match=flag):
        evaluate_prior("edelman", Params.from_preset(**{key: 2}), dps=15)
