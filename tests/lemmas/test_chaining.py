"""Property tests of the chaining lemmas (MATH.md sections 2 and 5).

The closed form of the log+ integral against mpmath quadrature (and the incomplete gamma route);
Dudley's bound against the exact empirical Rademacher complexity of small finite classes (all sign
vectors enumerated; covering numbers computed exactly by brute force); sqrt-subadditivity and
integral linearity on random values and functions by quadrature.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import derive
import lemmas
from lemmas.objects import logplus

import oracles as O
import strategies as S
from helpers import rhs_at, scaled

derive.register_derived()
LOGPLUS = lemmas.get("logplus-sqrt-integral")


@pytest.mark.lemma("logplus-sqrt-integral")
@given(triple=S.dudley_triples(), dps=st.sampled_from([30, 50]))
@example(triple=(1, 0.5, 1.0), dps=30)            # C < U: log+ vanishes on [C, U]
@example(triple=(7, 1e-6, 3.0), dps=50)
@example(triple=(3, 2.0, 2.0), dps=30)
@settings(max_examples=scaled(6))
def test_logplus_integral_closed_form_against_quadrature(triple, dps):
    D, C, U = triple
    value = rhs_at(LOGPLUS, dict(D=D, C=C, U=U), dps=dps)
    quad = O.dudley_logplus_integral_quad(D, C, U, dps=dps)
    gam = O.dudley_logplus_integral_gammainc(D, C, U, dps=dps + 10)
    with mpmath.workdps(dps + 10):
        assert abs(value - quad) <= mpmath.mpf(10) ** (2 - dps) * abs(quad), (triple, value, quad)
        assert abs(value - gam) <= mpmath.mpf(10) ** (2 - dps) * abs(gam)


@pytest.mark.lemma("logplus-sqrt-integral")
@given(triple=S.dudley_triples(max_D=100))
@example(triple=(2, 0.25, 1.0))
@settings(max_examples=10)
def test_logplus_integral_left_side_is_the_log_plus_integral(triple):
    """The lemma's left side, integrated by mpmath from its own integrand, is the oracle's integral:
    the integrand is sqrt(D log+(C/eps)) on [0, U] (not log, which is negative past eps = C)."""
    D, C, U = triple
    # (xreplace on the left side alone: instantiating the whole Eq makes SymPy try to decide it)
    lhs = LOGPLUS.lhs.xreplace({LOGPLUS.param("D"): D, LOGPLUS.param("C"): C, LOGPLUS.param("U"): U})
    assert isinstance(lhs, sympy.Integral)
    (var, lo, hi), = lhs.limits
    f = sympy.lambdify(var, lhs.function, modules=[{"logplus": lambda x: mpmath.log(x) if x > 1 else 0}, "mpmath"])
    with mpmath.workdps(30):
        lo, hi = mpmath.mpf(sympy.N(lo, 40)), mpmath.mpf(sympy.N(hi, 40))
        pts = [lo] + ([mpmath.mpf(C)] if lo < C < hi else []) + [hi]
        got = mpmath.quad(f, pts)
        want = O.dudley_logplus_integral_quad(D, C, U, dps=30)
        assert isinstance(got, mpmath.mpf)
        assert abs(got - want) <= mpmath.mpf(10) ** -20 * want


# -- Dudley on finite classes --------------------------------------------------------------------

def rademacher_exact(F):
    """E_sigma sup_f (1/n) sum_i sigma_i f(x_i) for a finite class F (rows), all 2^n sign vectors."""
    n = F.shape[1]
    signs = np.array(list(itertools.product([-1.0, 1.0], repeat=n)))
    return float(np.mean(np.max(signs @ F.T, axis=1)) / n)


def covering_profile(F):
    """Breakpoints e_0 = 0 < e_1 < ... and the exact internal L2(S) covering numbers on [e_j, e_{j+1})."""
    m = len(F)
    D = np.sqrt(np.mean((F[:, None, :] - F[None, :, :]) ** 2, axis=2))
    brk = sorted(set([0.0] + [float(x) for x in D[np.triu_indices(m, 1)]]))
    Ns = []
    for e in brk:
        within = D <= e + 1e-15
        for size in range(1, m + 1):
            if any(np.all(np.any(within[:, C], axis=1)) for C in itertools.combinations(range(m), size)):
                Ns.append(size)
                break
    return brk, Ns


def entropy_integral(brk, Ns, a, b):
    """int_a^b sqrt(log N(eps)) d eps for the step profile (N internal >= external: an upper value)."""
    total = 0.0
    edges = brk[1:] + [math.inf]
    for lo, hi, N in zip(brk, edges, Ns):
        lo2, hi2 = max(lo, a), min(hi, b)
        if hi2 > lo2:
            total += (hi2 - lo2) * math.sqrt(math.log(N))
    return total


def dudley_rhs(lem, n, alpha, b, profile):
    """The lemma's right side at (n, alpha, b) with its entropy integral computed on the profile over the
    lemma's own limits."""
    inst = lem.instantiate(dict(n=n, alpha=alpha, b=b))
    rhs = inst.conclusion.rhs
    (integ,) = rhs.atoms(sympy.Integral)
    (_, lo, hi), = integ.limits
    val = entropy_integral(*profile, float(lo), float(hi))
    return float(sympy.N(rhs.xreplace({integ: sympy.Float(val, 30)}), 30))


@st.composite
def finite_classes(draw, symmetric=False):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(2, 10))
    m = draw(st.integers(1, 6 if not symmetric else 3))
    kind = draw(st.sampled_from(["uniform", "signs", "clustered"]))
    if kind == "uniform":
        F = rng.uniform(-1, 1, size=(m, n))
    elif kind == "signs":
        F = rng.choice([-1.0, 1.0], size=(m, n))
    else:
        F = rng.choice([-1.0, 1.0], size=(1, n)) + 0.05 * rng.standard_normal((m, n))
    if symmetric:
        F = np.vstack([F, -F])
    return F


@pytest.mark.lemma("dudley")
@pytest.mark.lemma("dudley-half")
@given(F=finite_classes(symmetric=True))
@settings(max_examples=20)
def test_dudley_on_finite_classes(F):
    """R_S(F) <= c_alpha alpha + c_dudley/sqrt(n) int_alpha^upper sqrt(log N(F, eps, L2(S))) for every alpha
    on a grid, with b = max_f ||f||_{L2(S)}; the class is closed under negation (dudley-half)."""
    n = F.shape[1]
    R = rademacher_exact(F)
    b = float(np.max(np.sqrt(np.mean(F ** 2, axis=1))))
    profile = covering_profile(F)
    for name in ("dudley", "dudley-half"):
        lem = lemmas.get(name)
        upper = b if name == "dudley" else b / 2
        for alpha in [0.0] + [e for e in profile[0] if 0 < e <= upper] + [upper]:
            assert R <= dudley_rhs(lem, n, alpha, b, profile) + 1e-12, (name, alpha)


@pytest.mark.lemma("dudley")
@given(F=finite_classes())
@settings(max_examples=20)
def test_dudley_without_symmetry(F):
    n = F.shape[1]
    R = rademacher_exact(F)
    b = float(np.max(np.sqrt(np.mean(F ** 2, axis=1))))
    profile = covering_profile(F)
    best = min(dudley_rhs(lemmas.get("dudley"), n, a, b, profile)
               for a in [0.0] + [e for e in profile[0] if 0 < e <= b])
    assert R <= best + 1e-12


# -- elementary steps --------------------------------------------------------------------------------

SQRT3 = lemmas.get("sqrt-subadditive-3")
LIN3 = lemmas.get("integral-linearity-3")

nonneg = st.one_of(st.just(0.0), st.floats(0, 1e-300), st.floats(0, 1.0), st.floats(0, 1e300))


@pytest.mark.lemma("sqrt-subadditive-3")
@given(a=st.tuples(nonneg, nonneg, nonneg))
@example(a=(0.0, 0.0, 5.0))                 # equality
def test_sqrt_subadditive(a):
    _check_sqrt_subadditive(SQRT3, a)


@pytest.mark.lemma("sqrt-subadditive-2")
@given(a=st.tuples(nonneg, nonneg))
@example(a=(0.0, 5.0))                      # equality
def test_sqrt_subadditive_2(a):
    _check_sqrt_subadditive(lemmas.get("sqrt-subadditive-2"), a)


@pytest.mark.lemma("sqrt-subadditive-5")
@given(a=st.tuples(*[nonneg] * 5))
@example(a=(0.0, 0.0, 0.0, 0.0, 5.0))      # equality
def test_sqrt_subadditive_5(a):
    _check_sqrt_subadditive(lemmas.get("sqrt-subadditive-5"), a)


def _check_sqrt_subadditive(lem, a):
    rhs = rhs_at(lem, {f"a_{i}": x for i, x in enumerate(a, 1)}, dps=50)
    with mpmath.workdps(50):
        lhs = mpmath.sqrt(mpmath.fsum(mpmath.mpf(x) for x in a))
        assert lhs <= rhs * (1 + mpmath.mpf(10) ** -45)
        if sum(x > 0 for x in a) <= 1:
            assert abs(lhs - rhs) <= mpmath.mpf(10) ** -45 * max(lhs, 1e-300)


def _random_function(rng, x):
    kind = int(rng.integers(0, 4))
    c = sympy.Float(float(rng.uniform(0.1, 3)), 30)
    if kind == 0:
        return c * x ** int(rng.integers(0, 4))
    if kind == 1:
        return c * sympy.exp(-sympy.Float(float(rng.uniform(0, 3)), 30) * x)
    if kind == 2:
        return c * sympy.sin(x) ** 2
    return c * sympy.sqrt(x) * sympy.log(1 + x)


@pytest.mark.lemma("integral-linearity-3")
@pytest.mark.lemma("integral-linearity-2")
@pytest.mark.lemma("integral-linearity-5")
@pytest.mark.parametrize("m", [2, 3, 5])
@given(seed=st.integers(0, 2**32 - 1), lo=st.floats(0, 2), width=st.floats(0, 3))
@settings(max_examples=15)
def test_integral_linearity(m, seed, lo, width):
    """The right side (m integrals of the lemma, each integrated by mpmath) equals mpmath's
    integral of the sum computed directly in Python."""
    lin = lemmas.integral_linearity(m)
    rng = np.random.default_rng(seed)
    (x, _, _), = lin.lhs.limits
    fs = [_random_function(rng, x) for _ in range(m)]
    hi = lo + width
    subs = {lin.param(f"f_{i}"): f for i, f in enumerate(fs, 1)} | {lin.param("lo"): lo, lin.param("hi"): hi}
    rhs = lin.rhs.xreplace(subs)      # (not instantiate: SymPy would try to decide the Eq)
    with mpmath.workdps(30):
        total = mpmath.mpf(0)
        for integ in rhs.atoms(sympy.Integral):
            (v, a, b), = integ.limits
            total += mpmath.quad(sympy.lambdify(v, integ.function, "mpmath"),
                                 [mpmath.mpf(sympy.N(a, 40)), mpmath.mpf(sympy.N(b, 40))])
        assert len(rhs.atoms(sympy.Integral)) == m
        g = [sympy.lambdify(x, f, "mpmath") for f in fs]
        direct = mpmath.quad(lambda t: sum(gi(t) for gi in g), [mpmath.mpf(lo), mpmath.mpf(hi)])
        assert abs(total - direct) <= mpmath.mpf(10) ** -20 * (1 + abs(direct))


def test_lemma_families_build_each_member_once_and_refuse_a_bad_index():
    assert lemmas.sqrt_subadditive(3) is lemmas.sqrt_subadditive(3) is lemmas.get("sqrt-subadditive-3")
    for bad in (1, 0, 2.0, True, "3"):
        with pytest.raises(lemmas.LemmaError, match="m must be an integer >= 2"):
            lemmas.integral_linearity(bad)
