"""numeric.tighten: every choice's certified value against an independent computation (MATH.md's formulas by
quadrature and closed forms, typed here), the optimised split and alpha against brute-force grids, the tightest
bound between every single choice and a Monte Carlo lower estimate, elasticities against finite differences at
high precision, and the sample sizes and inverse questions checked on both sides."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import flint
import mpmath
import pytest
import sympy

import derive.tighten as T
import numeric
from numeric.backends.arb import arb_eval, to_arb, working_precision
from numeric.params import Params
from numeric.tighten import tighten
from numeric.tighten.chain import compiled_chain, exact_choices
from numeric.tighten.elasticity import elasticities
from numeric.tighten.integrals import certified_integral, sqrt_log_integral
from numeric.tighten.report import outcome
from numeric.tighten.search import best, largest_value, smallest_n

import oracles as O

ALL = T.CHOICE_ORDER
SMALL = Params.from_preset("small")


@pytest.fixture(scope="module")
def report():
    return tighten(SMALL, dps=25, quiet=True)


def _in(cv, x, rel=1e-22):
    """x (an mpf, kept at its own precision) lies in the certified interval, widened by ``rel`` (the oracle's own
    rounding)."""
    from fractions import Fraction
    if not isinstance(x, mpmath.mpf):
        with mpmath.workdps(60):
            x = mpmath.mpf(x)
    man, exp = x.man_exp
    xf = Fraction(int(man)) * Fraction(2) ** int(exp)
    slack = abs(xf) * Fraction(rel)
    return cv.lo - slack <= xf <= cv.hi + slack


# -- independent formulas (MATH.md sections 5 and 10, typed here) ---------------------------------------------
def _I(C, U, a=0):
    """int_a^U sqrt(log+(C/eps)) d eps by the incomplete gamma function (tests/oracles)."""
    out = O.dudley_logplus_integral_gammainc(1, C, U, dps=40)
    return out - (O.dudley_logplus_integral_gammainc(1, C, a, dps=40) if a else 0)


def _setting(p):
    with mpmath.workdps(40):
        P = {k: mpmath.mpf(p[k].numerator) / p[k].denominator if hasattr(p[k], "numerator") else mpmath.mpf(p[k])
             for k in ("n", "d", "k", "r_w", "r_v", "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c", "delta")}
        P["B_f"] = P["L_sigma"] * P["B_w"] * P["B_V"] * P["B_X"]
        P["D"] = (P["k"], (P["d"] + P["k"] + 1) * P["r_v"], (2 * P["d"] + 1) * P["r_w"])
        return P


def _mp(x):
    """An exact number (int, Fraction) or an mpf as an mpf at the current precision."""
    return mpmath.mpf(x.numerator) / x.denominator if hasattr(x, "denominator") else +mpmath.mpf(x)


def oracle(p, split=(Fraction(1, 3),) * 3, alpha=0, U_frac=1, c_sm=2, cap=False, expected=False, sharp=False):
    """The single-head bound of MATH.md sections 5 and 10 straight from the formulas, at 40 digits (exact
    arguments: Fractions, or mpf computed at 40 digits)."""
    P = _setting(p)
    with mpmath.workdps(40):
        B_f, (t1, t2, t3) = P["B_f"], [_mp(t) for t in split]
        alpha, U_frac = _mp(alpha), _mp(U_frac)
        U = B_f * U_frac
        scale = (1, 1, c_sm * P["B_QK"] * P["B_X"] ** 2)        # L_j R_j / B_f of the three blocks
        if sharp:                                             # (1 + c R L/(t eps)) for eps <= R L / t, 0 beyond
            consts = [2 * s / t for s, t in zip(scale, (t1, t2, t3))]
            consts[1] *= 3
            consts[2] *= 3
            total = 0
            for D, K, s, t in zip(P["D"], consts, scale, (t1, t2, t3)):
                cut = min(U, B_f * s / t)
                if cut > alpha:
                    f = lambda e, K=K: mpmath.sqrt(mpmath.log(1 + K * B_f / e))       # noqa: E731
                    total += mpmath.sqrt(D) * mpmath.quad(f, [alpha, cut])
        else:
            C = (3 * B_f / t1, 9 * B_f / t2, 9 * B_f * scale[2] / t3)
            total = sum(mpmath.sqrt(D) * _I(Cj, U, alpha) for D, Cj in zip(P["D"], C))
        R = 4 * alpha + 12 / mpmath.sqrt(P["n"]) * total
        if cap:
            R = min(R, B_f)
        if expected:
            conf = P["c"] * mpmath.sqrt(mpmath.log(1 / P["delta"]) / (2 * P["n"]))
        else:
            conf = 3 * P["c"] * mpmath.sqrt(mpmath.log(2 / P["delta"]) / (2 * P["n"]))
        return 2 * P["L_loss"] * R + conf


# -- the default chain is the theorem `rankbound eval` evaluates --------------------------------------------------
@pytest.mark.parametrize("preset", ["small", "bert-base-head", "minilm"])
def test_the_default_value_is_evals(preset):
    p = Params.from_preset(preset)
    cv = compiled_chain(()).certify(p, {}, dps=25)
    assert cv.certified and _in(cv, numeric.evaluate(p, dps=30).value)
    if preset != "minilm":
        assert _in(cv, O.rademacher_bound_spec(p.as_strings(), dps=40)["value"])


# -- the open integrals -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("K, a, b", [(27, 0, 1), (1e-4, 0, 2), (1e8, 0, 0.5), (3, 0.25, 1), (5, 1e-9, 1),
                                     (0.3, 0.01, 7)])
def test_certified_entropy_integrals_contain_mpmath_quadrature(K, a, b):
    with mpmath.workdps(50):
        K_, a_, b_ = (mpmath.mpf(x) for x in (K, a, b))
        pts = [a_, b_] if a else [mpmath.mpf(0), b_ * mpmath.mpf(10) ** -6, b_]
        ref = mpmath.quad(lambda x: mpmath.sqrt(mpmath.log(1 + K_ / x)), pts)
    with working_precision(160):
        ball = sqrt_log_integral(to_arb(sympy.Float(K)), to_arb(sympy.Float(a)), to_arb(sympy.Float(b)),
                                 zero_start=(a == 0))
        assert ball.rad() < ball.mid() * flint.arb(10) ** -35
        assert abs(ball - flint.arb(mpmath.nstr(ref, 45))) < flint.arb(10) ** -40 * ball.mid()


def test_an_integral_with_its_cut_inside_the_range():
    """sqrt(3 log(1 + 2/x)) for x <= 1/2, 0 beyond, over [0, 2]: only [0, 1/2] counts."""
    x = sympy.Symbol("epsilon", positive=True)
    from lemmas.tightness import below
    integral = sympy.Integral(sympy.sqrt(3 * sympy.log(1 + 2 / x) * below(x, sympy.Rational(1, 2))), (x, 0, 2))
    with mpmath.workdps(40):
        ref = mpmath.sqrt(3) * mpmath.quad(lambda e: mpmath.sqrt(mpmath.log(1 + 2 / e)), [0, 0.001, 0.5])
    with working_precision(140):
        ball = certified_integral(integral, {})
        assert abs(ball - flint.arb(mpmath.nstr(ref, 38))) < flint.arb(10) ** -33


# -- each choice alone, against the formulas -------------------------------------------------------------------------
def _choice(report, name):
    (o,) = [c for c in report.choices if c.name == name]
    return o


def test_the_choices_without_free_values_against_the_formulas(report):
    p = SMALL
    assert _in(report.default.certified, oracle(p))
    assert _in(_choice(report, "sharp-softmax").certified, oracle(p, c_sm=1))
    assert _in(_choice(report, "dudley-half").certified, oracle(p, U_frac=Fraction(1, 2)))
    assert _in(_choice(report, "expected-confidence").certified, oracle(p, expected=True))
    assert _in(_choice(report, "trivial-cap").certified, oracle(p, cap=True))
    assert _in(_choice(report, "sharp-nets").certified, oracle(p, sharp=True), rel=1e-18)
    for o in report.choices:
        assert o.is_theorem and o.certified.certified


def test_sharp_nets_with_the_cut_inside_the_integral():
    """B_QK small: the score block's net is a single point past eps = 2 B_QK B_X^2 B_f / t_3 < B_f."""
    p = SMALL.replace(B_QK="0.05")
    cv = compiled_chain(("sharp-nets",)).certify(p, {}, dps=20)
    assert _in(cv, oracle(p, sharp=True), rel=1e-16)
    assert float(cv.hi) < float(compiled_chain(()).certify(p, {}, dps=20).lo)


def test_the_optimal_split_beats_a_brute_force_grid(report):
    """At H = L = 1 the split has two free weights: a grid over t_1 + t_2 + t_3 = 1 (the oracle's formula at each
    point) finds nothing below the optimised value, which is the oracle's value at the chosen weights."""
    o = _choice(report, "optimal-split")
    u = [o.best.settings.values[s] for s in T.SPLIT_WEIGHTS[:3]]
    assert sum(u) <= 1                                 # exactly (M_j = 1 each): the hypothesis of the lemma
    chosen = oracle(SMALL, split=u)
    assert _in(o.certified, chosen)
    grid = [i / 25 for i in range(1, 25)]
    best_grid = min(oracle(SMALL, split=(Fraction(a), Fraction(b), 1 - Fraction(a) - Fraction(b)))
                    for a, b in itertools.product(grid, grid) if a + b < 1)
    assert float(o.certified.hi) <= float(best_grid) * (1 + 1e-9)
    assert float(o.certified.hi) < float(report.default.certified.lo)


def test_dudley_alpha_against_a_brute_force_grid(report):
    o = _choice(report, "dudley-alpha")
    s = o.best.settings
    B_f = Fraction(SMALL["L_sigma"] * SMALL["B_w"] * SMALL["B_V"] * SMALL["B_X"])
    if T.ALPHA_W in s.values:
        w = s.values[T.ALPHA_W]
        assert _in(o.certified, oracle(SMALL, alpha=B_f / (1 + w)))
    grid = [Fraction(i, 200) * B_f for i in range(0, 201)]
    best_grid = min(oracle(SMALL, alpha=a) for a in grid)
    assert float(o.certified.hi) <= float(best_grid) * (1 + 1e-9)


# -- the tightest bound -----------------------------------------------------------------------------------------------
def test_the_tightest_is_at_most_every_single_choice(report):
    t = report.tightest
    assert t.is_theorem and t.certified.certified
    for o in report.choices + (report.default,):
        assert t.certified.lo <= o.certified.hi, o.name
    assert report.waterfall[-1][1].value == t.value
    values = [float(report.default.value)] + [float(o.value) for _, o in report.waterfall]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(values, values[1:]))


def test_the_tightest_rademacher_bound_is_above_a_monte_carlo_lower_estimate():
    """A small class (n = 16, d = 3, k = 2, ranks 1): the tightest chain's bound on R_S(F) (L_loss = 1) stays above a
    Monte Carlo lower estimate of R_S(F) on a random sample (numeric.audit.tightness), which every valid bound
    must (the chain's bound on R_S holds for every sample)."""
    from numeric.audit.tightness import rademacher_mc
    row = rademacher_mc(n=16, d=3, k=2, r_w=1, r_v=1, T=4, draws=6, restarts=2, steps=8, seed=0)
    p = Params({"n": 16, "d": 3, "k": 2, "r_w": 1, "r_v": 1, "T": 4, "B_X": 1, "B_w": 1, "B_V": 1, "B_QK": 1,
                "L_sigma": 1, "L_loss": 1, "c": 1, "delta": "0.05"})
    o = outcome("tightest", ALL, p, 20)
    th = o.best.chain.th
    with mpmath.workdps(30):
        conf = numeric.evaluate_expr(th.confidence, p.sympy_values(), dps=30)
        R_bound = (mpmath.mpf(float(o.certified.lo)) - conf) / 2
    assert row.lower > 0.05 and R_bound >= row.detail["ci95"][1]


@pytest.mark.parametrize("preset, H, L", [("small", 2, 2), ("small", 3, 1)])
def test_deep_models_tighten_too(preset, H, L):
    p = Params.from_preset(preset, H=H, L=L)
    d = compiled_chain(()).certify(p, {}, dps=15)
    assert _in(d, numeric.evaluate(p, dps=20).value, rel=1e-14)
    o = outcome("tightest", ALL, p, 15)
    M = [int(sympy.Integer(Mj.xreplace(p.sympy_values()))) for _n, Mj in o.best.chain.th.groups]
    vals = o.best.settings.values
    assert sum(m * vals[u] for m, u in zip(M, T.SPLIT_WEIGHTS)) <= 1
    assert o.certified.hi < d.lo and o.is_theorem


# -- elasticities ----------------------------------------------------------------------------------------------------
def _fd_elasticity(expr, point, s, h=mpmath.mpf(10) ** -15):
    """Central difference of log(expr) in log(s) at 60 digits (closed form only)."""
    from numeric.backends.mp import mp_eval
    with mpmath.workdps(60):
        base = dict(point)
        up, dn = dict(base), dict(base)
        up[s] = base[s] * mpmath.exp(h)
        dn[s] = base[s] * mpmath.exp(-h)
        return (mpmath.log(mp_eval(expr, up)) - mpmath.log(mp_eval(expr, dn))) / (2 * h)


def test_elasticities_against_finite_differences():
    e = elasticities((), SMALL, {}, dps=30)
    sym, syms, values = T.symbolic_constants(T.tightened(()))
    with mpmath.workdps(60):
        point = {k: mpmath.mpf(v.p) / v.q for k, v in {**SMALL.sympy_values(), **values}.items()}
    for name in ("c_dudley", "c_net", "c_vol", "c_sm", "c_conf", "c_rad"):
        fd = _fd_elasticity(sym.bound, point, syms[name])
        assert abs(fd - e.constants[name]) < mpmath.mpf(10) ** -20, (name, fd, e.constants[name])
    from lemmas import symbols as S
    for s in (S.n, S.d, S.r_w, S.B_QK, S.B_X, S.delta):
        fd = _fd_elasticity(sym.bound, point, s)
        assert abs(fd - e.parameters[s.name]) < mpmath.mpf(10) ** -20, (s, fd)
    assert e.parameters["n"] == -0.5 and e.parameters["T"] == 0


def _arb_bound(expr, values, prec=220):
    with working_precision(prec):
        balls = {k: to_arb(v) for k, v in values.items()}
        for integral in expr.atoms(sympy.Integral):
            balls[integral] = certified_integral(integral, balls)
        return arb_eval(expr, balls)


def test_elasticities_with_a_cut_inside_an_integral_against_finite_differences():
    """Sharper nets and an optimised split, B_QK small: the score block's integrand jumps to 0 inside the range,
    and its position moves with c_net_sharp, B_QK, ...: the derivative carries the boundary term.  Finite
    differences of certified values (Arb, 220 bits) agree."""
    p = SMALL.replace(B_QK="0.05")
    choices = ("optimal-split", "sharp-nets")
    b = best(choices, p)
    e = elasticities(choices, p, b.settings.values, dps=25)
    sym, syms, values = T.symbolic_constants(T.tightened(choices))
    base = {**p.sympy_values(), **exact_choices(b.settings.values), **values}
    h = sympy.Rational(1, 10**20)
    from lemmas import symbols as S
    for s in (syms["c_net_sharp"], S.B_QK, S.d):
        up = _arb_bound(sym.bound, {**base, s: base[s] * (1 + h)})
        dn = _arb_bound(sym.bound, {**base, s: base[s] * (1 - h)})
        with working_precision(220):
            fd = (up.log() - dn.log()) / (2 * to_arb(h))
        got = e.constants.get(s.name, e.parameters.get(s.name))
        assert abs(float(fd.mid()) - float(got)) < 1e-15, (s, fd, got)
    assert abs(float(e.constants["c_net_sharp"])) > 1e-3


# -- sample sizes and inverse questions ------------------------------------------------------------------------------
def test_smallest_nonvacuous_n_on_both_sides(report):
    n_def = report.sample_sizes["default"]["n"]
    assert n_def == numeric.smallest_nonvacuous_n(SMALL)
    n_t = report.sample_sizes["tightest"]
    assert n_t["n"] < n_def
    ch = n_t["chain"]
    cv = ch.certify(SMALL.replace(n=n_t["n"]), n_t["settings"].values, dps=20)
    assert float(cv.hi) < 1
    assert best(ALL, SMALL, n_t["n"] - 1).value >= 1


def test_largest_rank_and_radius_on_both_sides():
    p = Params.from_preset("bert-base-head", n=10**9)
    r = largest_value((), p, "r_w")
    x = r["value"]
    ch = compiled_chain(())
    assert float(ch.certify(p.replace(r_w=x), {}, dps=15).hi) < 1 <= float(ch.certify(p.replace(r_w=x + 1), {}, 15).lo)
    q = largest_value((), p, "B_QK")
    v = q["value"]
    assert float(ch.certify(p.replace(B_QK=v), {}, dps=15).hi) < 1
    assert float(ch.certify(p.replace(B_QK=v * (1 + sympy.Rational(1, 10**7))), {}, dps=15).lo) >= 1
    t = largest_value(ALL, p, "r_w")
    assert t["value"] >= x


def test_target_gap():
    r = smallest_n((), SMALL, 0.5, strict=False)
    ch = compiled_chain(())
    assert float(ch.certify(SMALL.replace(n=r["n"]), {}, 20).hi) <= 0.5
    assert float(ch.certify(SMALL.replace(n=r["n"] - 1), {}, 20).lo) > 0.5


def test_json_shape(report):
    j = report.to_json()
    assert {"default", "choices", "tightest", "elasticities", "smallest_nonvacuous_n"} <= set(j)
    assert set(j["smallest_nonvacuous_n"]) == {"default", "tightest"}
    assert [c["name"] for c in j["choices"]] == list(ALL)
    for c in j["choices"]:
        assert {"name", "value", "description", "source", "interval", "certified"} <= set(c)
    assert {"value", "choices", "interval", "certified"} <= set(j["tightest"])
    assert "split" in j["tightest"]["choices"]
    assert set(j["elasticities"]) == {"c_alpha", "c_conf", "c_dudley", "c_net", "c_rad", "c_sm", "c_vol"}
    assert math.isclose(float(j["elasticities"]["c_rad"]), 1.0, rel_tol=1e-2)
