"""The Arb kernels of the comparisons: compiled programs, Gauss-Legendre pieces, the root searches.

Oracles: Arb's own tree evaluator (numeric.backends.arb.arb_eval) for the programs, closed forms
and mpmath.quad for the integrals, mpmath's sqrt and exp for the roots.
"""

from __future__ import annotations

import flint
import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric.backends.arb import arb_eval, working_precision
from numeric.compare.kernels import (Program, bracketed_root, from_mpf, integrate, log_pieces, ramped_root,
                                     to_mpf)
from numeric.errors import NotCertified

x, a, b = sympy.symbols("x a b", positive=True)
u = sympy.Symbol("u", real=True)

EXPRS = [
    sympy.sqrt(a * x + 1) / x,
    sympy.sqrt(36 * a ** 2 * sympy.log(b * (a / x + 6) + 1) / x ** 2 + a * sympy.log(2 * b + 1)),
    sympy.exp(-2 * u) * sympy.log(a * sympy.exp(-u) + b) + sympy.exp(u) ** 3 + (a + u) ** sympy.Rational(2, 3),
    (x + a) ** -sympy.S.Half * sympy.exp(x / b),
]


@settings(max_examples=30)
@given(i=st.integers(0, len(EXPRS) - 1), av=st.fractions(min_value=0.01, max_value=100),
       bv=st.fractions(min_value=0.01, max_value=1e6), z=st.fractions(min_value=0.05, max_value=20))
def test_program_matches_arbs_tree_evaluation(i, av, bv, z):
    expr = EXPRS[i]
    var = u if expr.has(u) else x
    with working_precision(120):
        balls = {a: flint.arb(av.numerator) / av.denominator, b: flint.arb(bv.numerator) / bv.denominator}
        zb = flint.arb(z.numerator) / z.denominator
        got = Program(expr, var).bind(balls)(zb)
        want = arb_eval(expr, {**balls, var: zb})
        assert got.overlaps(want) and got.rad() < 1e-25 * abs(want.mid())


def test_program_hoists_and_shares_subexpressions():
    """exp(-2u), exp(-u) and exp(u)^3 reuse the one exp(u) (integer powers of it); the parameter-only
    factors are folded into constants computed once per point."""
    prog = Program(EXPRS[2], u)
    kinds = [op[0] for op in prog._code]
    assert prog._code.count(("exp", ("z", 0))) == 1
    assert kinds.count("exp") == 2          # e^u, and the 2/3 power as exp(2/3 log(a + u))
    assert all(not h.has(u) for h in prog.hoisted)


def test_program_refuses_what_it_cannot_compile():
    with pytest.raises(NotCertified, match="cannot compile"):
        Program(sympy.gamma(x) + x, x)


@pytest.mark.parametrize("digits", [15, 60, 200])
def test_integrate_against_a_closed_form(digits):
    """int_1^2 sqrt(3x + 1)/x dx = [2s + log((s - 1)/(s + 1))], s = sqrt(3x + 1)."""
    with working_precision(int(digits * 3.33) + 40):
        f = Program(EXPRS[0], x).bind({a: flint.arb(3)})
        q = integrate(f, flint.arb(1), flint.arb(2), digits=digits)
    with mpmath.workdps(digits + 20):
        s7 = mpmath.sqrt(7)
        exact = 2 * s7 - 4 + mpmath.log(3 * (s7 - 1) / (s7 + 1))
        assert abs(to_mpf(q) - exact) <= mpmath.mpf(10) ** (2 - digits) * exact


@pytest.mark.parametrize("lo_exp", [3, 40, 300])
def test_integrate_over_log_eps_on_doubling_pieces(lo_exp):
    """int over u = log eps from 10^-lo_exp to 1 of sqrt(log(1 + 1e6 e^-u)): mpmath.quad, many fine pieces."""
    g = sympy.sqrt(sympy.log(1 + b * sympy.exp(-u)))
    with working_precision(140):
        f = Program(g, u).bind({b: flint.arb(10) ** 6})
        ua, ub = -lo_exp * flint.arb(10).log(), flint.arb(0)
        q = integrate(f, ua, ub, 30, breakpoints=log_pieces(ua, ub))
    with mpmath.workdps(40):
        lo = -lo_exp * mpmath.log(10)
        pts = mpmath.linspace(lo, 0, max(2, lo_exp // 2))          # pieces of length ~4.6 (analytic in |Im| < pi)
        ref = mpmath.quad(lambda t: mpmath.sqrt(mpmath.log(1 + 10 ** 6 * mpmath.exp(-t))), pts)
        assert abs(to_mpf(q) - ref) <= mpmath.mpf(10) ** -27 * ref


def test_log_pieces_double_away_from_the_upper_end():
    pts = [to_mpf(p) for p in log_pieces(flint.arb(-100), flint.arb(0))]
    assert pts == [-64, -32, -16, -8, -4, -2]


def test_integrate_refuses_what_does_not_converge():
    """sqrt((v - 1/3)^2) = |v - 1/3| has a kink inside: Gauss-Legendre never settles to 60 digits on the
    pieces around it, so an error, not a number."""
    v = sympy.Symbol("v")
    with working_precision(260):
        f = Program(sympy.sqrt((v - sympy.Rational(1, 3)) ** 2), v).bind({})
        with pytest.raises(NotCertified, match="did not converge"):
            integrate(f, flint.arb(0), flint.arb(1), digits=60, max_depth=3)


def test_bracketed_root_is_not_fooled_by_a_steep_far_end():
    """f = e^(-10x) - e^(-30): from the bracket [-60, 20] the first secant step is ~1e-250 long (the far
    end's f is e^600), yet the root is at 3.  A search that stops on a short step returns 20."""
    with mpmath.workdps(40):
        f = lambda t: mpmath.exp(-10 * t) - mpmath.exp(-30)      # noqa: E731
        lo, hi = mpmath.mpf(-60), mpmath.mpf(20)
        tol = mpmath.mpf(10) ** -30
        r = bracketed_root(f, lo, f(lo), hi, f(hi), tol)
        assert abs(r - 3) <= 3 * tol


def test_bracketed_root_of_an_exact_zero_and_of_a_flat_start():
    with mpmath.workdps(30):
        f = lambda t: (mpmath.mpf(1) / 4 - t) ** 3               # noqa: E731   flat at the root: slow secant
        r = bracketed_root(f, mpmath.mpf(-5), f(-5), mpmath.mpf(5), f(5), mpmath.mpf(10) ** -20)
        assert abs(r - mpmath.mpf(1) / 4) <= mpmath.mpf(10) ** -6   # cube: f resolves the root to ~1e-10
        g = lambda t: 1 - t                                           # noqa: E731
        assert bracketed_root(g, mpmath.mpf(0), g(0), mpmath.mpf(2), g(2), mpmath.mpf(10) ** -25) == 1


def test_ramped_root_reaches_1000_digits_with_few_evaluations_at_1000():
    calls = []

    def F(t, digits):
        calls.append(digits)
        with mpmath.workdps(digits):
            return 2 - t * t

    with mpmath.workdps(1020):
        r = ramped_root(F, mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(2), mpmath.mpf(-2), 1015, mpmath.mpf(10) ** -1005)
        assert abs(r - mpmath.sqrt(2)) <= mpmath.mpf(10) ** -1004
    # the precision rises with the digits settled: a fixed-precision search does all ~20 steps at 1015
    assert sum(d >= 900 for d in calls) <= 6 and len(calls) >= 15, calls
    assert calls[0] == 20


def test_mpf_ball_conversions_are_exact():
    with mpmath.workdps(50):
        for v in (mpmath.mpf(-3), mpmath.mpf("1.2345e-400"), mpmath.mpf(2) ** 1000 + 1, mpmath.mpf(0)):
            with working_precision(200):
                assert to_mpf(from_mpf(v)) == v
        with pytest.raises(NotCertified):
            from_mpf(mpmath.inf)
