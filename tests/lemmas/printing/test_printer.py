"""The house printer (lemmas/printing/printer.py): paper forms, house methods, display settings,
and the round trip of any expression through the printed LaTeX.

The round trip reads the LaTeX back with ``tests/latex_reader.py`` (independent of the printer;
why not ``sympy.parsing.latex.parse_latex``: see that module) and compares numerically with
mpmath at 50 digits, at Hypothesis-drawn values.
"""

from __future__ import annotations

import mpmath
import pytest
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from lemmas import symbols as S
from lemmas.objects import (NORMS, CoveringNumber, FunctionClass, LossClass, RademacherComplexity, Tag,
                            logplus)
from lemmas.printing import B_F_ABBREVIATION, HousePrinter, LatexError, house_printer, latex

import latex_reader as R
from latex_helpers import close, symbol_table, value


@pytest.mark.parametrize("expr, tex", [
    (3 * S.c * sympy.sqrt(sympy.log(2 / S.delta) / (2 * S.n)), r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}"),
    (sympy.sqrt(2) * S.c / (2 * sympy.sqrt(S.n)), r"\frac{c}{\sqrt{2 n}}"),
    (S.c / S.n, r"\frac{c}{n}"),
    (sympy.sqrt(S.n) * sympy.sqrt(S.d), r"\sqrt{d n}"),
    (logplus(9 * S.B_X / S.eps), r"\log_+\!\left(\frac{9 B_{X}}{\varepsilon}\right)"),
    (sympy.log(2 / S.delta), r"\log(2/\delta)"),
    (sympy.erfc(sympy.sqrt(sympy.log(9))), r"\operatorname{erfc}\left(\sqrt{\log(9)}\right)"),
    (S.r_v * (S.d + S.k + 1), r"\left(d + k + 1\right) r_{v}"),
    (Tag("c_net") * S.B_X / S.eps, r"\frac{c_{\mathrm{net}} B_{X}}{\varepsilon}"),
    (-S.c * (S.n + S.d), r"-\left(d + n\right) c"),        # count polynomials lead, as (d + k + 1) r_v
    (S.L_loss * RademacherComplexity(LossClass(FunctionClass(Tag("Theta"))), S.n),
     r"L_{\ell} \widehat{\mathfrak{R}}_{S}\left(\ell\circ \mathcal{F}_{\Theta}\right)"),
    (sympy.log(CoveringNumber(FunctionClass(Tag("Theta")), S.eps, NORMS["sup"], 1)),
     r"\log \mathcal{N}^{\mathrm{int}}\left(\mathcal{F}_{\Theta}, \varepsilon, \|\cdot\|_{\infty}\right)"),
])
def test_house_forms(expr, tex):
    assert latex(expr) == tex


def test_confidence_term_keeps_the_paper_form_where_sympy_does_not():
    conf = 3 * S.c * sympy.sqrt(sympy.log(2 / S.delta) / (2 * S.n))
    assert latex(conf) == r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}"
    # SymPy's own printer splits it into a product of square roots; ours must not
    assert r"\sqrt{2}" in sympy.latex(conf)


def test_square_roots_merge_only_where_valid():
    x, y = sympy.symbols("x y", real=True)
    # sqrt(x) sqrt(y) != sqrt(x y) for x, y < 0: never merged
    assert latex(sympy.sqrt(x) * sympy.sqrt(y)) == r"\sqrt{x} \sqrt{y}"
    # sqrt(x) / sqrt(y) != sqrt(x / y) for y < 0
    assert latex(sympy.sqrt(S.n) / sympy.sqrt(y)) == r"\frac{\sqrt{n}}{\sqrt{y}}"


def test_matrix_norms_and_ranks_render():
    from lemmas.norms import MatrixNorm, Rank
    A = sympy.Symbol("A")
    assert latex(MatrixNorm(A, Tag("fro"))) == r"\left\|A\right\|_{F}"
    assert latex(MatrixNorm(A, Tag("spec"))) == r"\left\|A\right\|_{2}"
    assert latex(MatrixNorm(A, Tag("21"))) == r"\left\|A\right\|_{2,1}"
    assert latex(sympy.sqrt(Rank(A)) * MatrixNorm(A, Tag("spec"))) == \
        r"\sqrt{\operatorname{rank}\left(A\right)} \left\|A\right\|_{2}"


def test_house_methods_take_precedence_over_the_objects_own_latex():
    F = FunctionClass(Tag("Theta"), S.d)
    assert sympy.latex(F) == r"\mathcal{F}_{\mathrm{Theta}}"      # the object's own hook
    assert latex(F) == r"\mathcal{F}_{\Theta}"                    # the house printer's method


def test_display_and_abbreviation_settings():
    B_f = S.L_sigma * S.B_w * S.B_V * S.B_X
    p = HousePrinter({"abbreviations": B_F_ABBREVIATION})
    assert p.doprint(54 * S.B_QK * S.B_X ** 2 * B_f / S.eps) == r"\frac{54 B_{QK} B_{X}^{2} B_{f}}{\varepsilon}"
    p = HousePrinter({"display": {S.n: r"\mathsf{N}"}})
    assert p.doprint(S.c / S.n) == r"\frac{c}{\mathsf{N}}"


@pytest.mark.parametrize("power", [2, 3])
def test_an_abbreviated_power_prints_as_a_power_not_a_repeated_name(power):
    """Issue 14: B_f^2 printed as ``B_{f} B_{f}``."""
    B_f = S.L_sigma * S.B_w * S.B_V * S.B_X
    tex = house_printer(abbreviate=True).doprint(9 * S.d * B_f ** power / S.eps ** 2)
    assert tex == r"\frac{9 d B_{f}^{%d}}{\varepsilon^{2}}" % power
    assert tex.count("B_{f}") == 1


def test_an_abbreviation_takes_what_it_covers_and_leaves_the_rest():
    B_f = S.L_sigma * S.B_w * S.B_V * S.B_X
    tex = house_printer(abbreviate=True).doprint(B_f ** 2 * S.B_X ** 2)       # B_X^4 L^2 B_w^2 B_V^2
    assert tex == r"B_{X}^{2} B_{f}^{2}"
    assert house_printer(abbreviate=True).doprint(S.B_X * S.B_w) == r"B_{X} B_{w}"   # not all factors


@pytest.mark.parametrize("entry", [(2 * S.B_X * S.B_w, "Z"), (S.B_w / S.B_X, "Z"), (sympy.log(S.B_X) * S.B_w, "Z"),
                                   (S.B_X * S.B_w, "Z", "first"), (S.B_X,)])
def test_abbreviations_must_be_products_of_positive_powers_of_symbols_and_sums_or_sums(entry):
    with pytest.raises(LatexError, match="abbreviation"):
        HousePrinter({"abbreviations": (entry,)})


# the names of MATH.md section 8, written here from its definitions (c_sm = 2)
_HEAD = 1 + 2 * 2 * S.B_X ** 2 * S.B_QK
RHO = 1 + S.H * S.B_V * _HEAD
LAM = sympy.sqrt(S.H) * S.L_sigma * S.B_w * S.B_V * _HEAD
M = 1 + 2 * S.H * S.L
DEEP_NAMES = ((LAM, r"\Lambda"), B_F_ABBREVIATION[0], (RHO, r"\rho"), (M, "m"))


@pytest.mark.parametrize("expr, tex", [
    (RHO, r"\rho"),
    (RHO ** (S.L - 2), r"\rho^{L - 2}"),
    (sympy.sqrt(RHO), r"\sqrt{\rho}"),
    (1 / RHO, r"\frac{1}{\rho}"),
    (S.eps * RHO ** (2 - S.L) / S.B_X, r"\frac{\varepsilon}{\rho^{L - 2} B_{X}}"),      # a symbolic negative power
    (RHO ** 2 / M ** 3, r"\frac{\rho^{2}}{m^{3}}"),
    (sympy.Mul(9, M, LAM, RHO ** (S.L - 2), S.B_V, S.B_X), r"9 m \Lambda \rho^{L - 2} B_{V} B_{X}"),   # MATH.md's C
    (S.eps / sympy.Mul(2, M, LAM, RHO ** (S.L - 2), S.B_V, S.B_X ** 3),
     r"\frac{\varepsilon}{2 m \Lambda \rho^{L - 2} B_{V} B_{X}^{3}}"),
    (LAM ** 2 * S.B_X, r"\Lambda^{2} B_{X}"),
    (LAM * S.H, r"\Lambda H"),                           # H^(3/2): one half is Lambda's
    (LAM * sympy.sqrt(S.H), r"\Lambda \sqrt{H}"),
    (sympy.Mul(3, M, sympy.sqrt(S.H), S.L_sigma, S.B_w, S.B_V, S.B_X), r"3 m \sqrt{H} B_{f}"),
    (S.B_V * S.B_w * S.L_sigma * _HEAD, r"B_{V} B_{w} L_{\sigma} \left(4 B_{QK} B_{X}^{2} + 1\right)"),  # no sqrt(H)
])
def test_sums_and_products_with_sums_print_as_their_names(expr, tex):
    assert house_printer(abbreviate=DEEP_NAMES).doprint(expr) == tex


def test_without_names_the_sums_print_in_full():
    assert house_printer(abbreviate=True).doprint(RHO ** (S.L - 2)) == \
        r"\left(B_{V} H \left(4 B_{QK} B_{X}^{2} + 1\right) + 1\right)^{L - 2}"


def test_latex_of_unknown_objects_fails_loudly():
    with pytest.raises(LatexError, match="object"):
        latex(object())


# ------------------------------------------------------------------------------------------------
# round trip
# ------------------------------------------------------------------------------------------------

_X = sympy.Symbol("x", real=True)
_POS = [S.n, S.d, S.B_X, S.L_sigma, S.delta, S.c, sympy.Symbol("c_net", positive=True), S.eps]


def _positive_expressions():
    leaves = st.one_of(st.sampled_from(_POS), st.integers(1, 60).map(sympy.Integer),
                       st.fractions(min_value=0.01, max_value=100).map(
                           lambda f: sympy.Rational(f.numerator, f.denominator)).filter(lambda r: r > 0))
    return st.recursive(leaves, lambda sub: st.one_of(
        st.tuples(sub, sub).map(lambda t: t[0] + t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] * t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] / t[1]),
        sub.map(sympy.sqrt),
        st.tuples(sub, st.integers(2, 3)).map(lambda t: t[0] ** t[1]),
        sub.map(lambda e: sympy.log(1 + e)),
        sub.map(logplus),
        sub.map(sympy.erfc),
    ), max_leaves=8)


def _expressions():
    """Real expressions, possibly negative (x is real), with square roots of possibly negative things."""
    pos = _positive_expressions()
    signed = st.one_of(pos, st.just(_X), st.tuples(pos, pos).map(lambda t: t[0] - t[1]))
    return st.recursive(signed, lambda sub: st.one_of(
        st.tuples(sub, sub).map(lambda t: t[0] + t[1]),
        st.tuples(sub, sub).map(lambda t: t[0] * t[1]),
        st.tuples(sub, pos).map(lambda t: t[0] / t[1]),
        sub.map(sympy.sqrt),
        sub.map(lambda e: -e),
    ), max_leaves=8)


@settings(deadline=None)
@given(expr=_expressions(), data=st.data())
@example(expr=sympy.sqrt(_X) * sympy.sqrt(_X - 3), data=None)        # two possibly-negative radicands
@example(expr=3 * sympy.sqrt(2) * S.c / (2 * sympy.sqrt(S.n)), data=None)
def test_any_expression_reads_back_to_itself(expr, data):
    assume(not expr.has(sympy.zoo, sympy.nan, sympy.oo, sympy.I, -sympy.oo))
    tex = latex(expr)
    parsed = R.read(tex, symbol_table([expr]))
    draw = data.draw if data is not None else (lambda s: 1.7)
    values = {}
    for s in sorted(expr.free_symbols, key=str):
        if s is _X:
            values[s] = draw(st.floats(-50, 50, allow_nan=False).filter(lambda v: abs(v) > 1e-3))
        else:
            values[s] = draw(st.floats(0.01, 100)) if not s.is_integer else draw(st.integers(1, 1000))
    try:
        want = value(expr, values)
    except (ZeroDivisionError, ValueError, TypeError, OverflowError):   # mpmath cannot evaluate it
        assume(False)
    got = value(parsed, values)
    assert close(got, want, rel=mpmath.mpf(10) ** -25), (tex, expr, parsed, values, got, want)


@settings(deadline=None, max_examples=15)
@given(extra=st.lists(st.sampled_from([S.B_X, S.B_w, S.B_V, S.L_sigma, S.d, S.eps]), max_size=4),
       power=st.integers(1, 3), coeff=st.integers(1, 60))
def test_abbreviated_products_read_back_to_themselves(extra, power, coeff):
    """B_f abbreviates L_sigma B_w B_V B_X: reading ``B_{f}`` as that product gives the expression back."""
    B_f = S.L_sigma * S.B_w * S.B_V * S.B_X
    expr = coeff * B_f ** power * sympy.Mul(*extra) / S.n
    tex = house_printer(abbreviate=True).doprint(expr)
    B = sympy.Symbol("B_f", positive=True)
    parsed = R.read(tex, symbol_table([expr]) | {"B_{f}": B}).xreplace({B: B_f})
    assert sympy.simplify(parsed - expr) == 0, (tex, expr, parsed)


@settings(deadline=None, max_examples=25)
@given(powers=st.lists(st.tuples(st.sampled_from([LAM, RHO, M, S.B_X, S.B_w, S.B_V, S.H, S.L_sigma, S.B_QK, S.n,
                                                   S.L + 1]),
                                 st.sampled_from([-2, -1, sympy.Rational(-1, 2), sympy.Rational(1, 2), 1, 2, 3,
                                                  S.L - 2, 2 - S.L])), min_size=1, max_size=6),
       coeff=st.integers(1, 60), values=st.lists(st.floats(0.05, 20), min_size=9, max_size=9),
       layers=st.integers(1, 8))
def test_named_sums_and_products_read_back_to_themselves(powers, coeff, values, layers):
    """Reading rho, Lambda, m and B_f as what they name gives the expression back (at 50 digits)."""
    expr = coeff * sympy.Mul(*[b ** e for b, e in powers])
    tex = house_printer(abbreviate=DEEP_NAMES).doprint(expr)
    names = {name: sympy.Symbol(name.strip("\\{}"), positive=True) for name in (r"\Lambda", r"\rho", "m", "B_{f}")}
    parsed = R.read(tex, symbol_table([expr]) | names).xreplace(
        {names[r"\Lambda"]: LAM, names[r"\rho"]: RHO, names["m"]: M, names["B_{f}"]: B_F_ABBREVIATION[0][0]})
    point = dict(zip([S.B_X, S.B_w, S.B_V, S.H, S.L_sigma, S.B_QK, S.n, S.eps, S.d], values)) | {S.L: layers}
    point = {s_: v for s_, v in point.items() if s_ in expr.free_symbols | parsed.free_symbols}
    want, got = value(expr, point), value(parsed, point)
    assert close(got, want, rel=mpmath.mpf(10) ** -25), (tex, expr, parsed, got, want)
