"""The H-head, L-layer theorem in LaTeX (issue 12): its bound in the theorem's form, the document's
names rho, Lambda and m, its block table and its setting.

Printed forms are read back with ``tests/latex_reader.py`` and compared numerically with the
theorem's bound (mpmath, 50 digits).  The names are checked against MATH.md section 8, written out
here from its definitions, not taken from the code under test.
"""

from __future__ import annotations

import functools

import mpmath
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive import latex as L
from derive.latex import bound_latex, latex
from lemmas import symbols as S

import latex_reader as R
import strategies as ST
from latex_helpers import MODULES, close, fake_deep_evaluation, mp_logplus, symbol_table, value

# MATH.md section 8 at the default softmax constant c_sm = 2
_HEAD = 1 + 2 * 2 * S.B_X ** 2 * S.B_QK
RHO = 1 + S.H * S.B_V * _HEAD
LAM = sympy.sqrt(S.H) * S.L_sigma * S.B_w * S.B_V * _HEAD
M = 1 + 2 * S.H * S.L
B_F = S.L_sigma * S.B_w * S.B_V * S.B_X
#: MATH.md's table: (D, C) of each group
TABLE = {"readout w": (S.H * S.k, 3 * M * sympy.sqrt(S.H) * S.L_sigma * S.B_V * S.B_X * S.B_w),
         "readout values": (S.H * (S.d + S.k + 1) * S.r_v, 9 * M * S.L_sigma * S.B_w * S.B_X * S.B_V),
         "readout scores": (S.H * (2 * S.d + 1) * S.r_w, 9 * M * 2 * S.L_sigma * S.B_w * S.B_V * S.B_X ** 3 * S.B_QK),
         "hidden values": ((S.L - 1) * S.H * (2 * S.d + 1) * S.r_v, 9 * M * LAM * RHO ** (S.L - 2) * S.B_X * S.B_V),
         "hidden scores": ((S.L - 1) * S.H * (2 * S.d + 1) * S.r_w,
                           9 * M * LAM * RHO ** (S.L - 2) * 2 * S.B_V * S.B_X ** 3 * S.B_QK)}
NAMES = {r"\Lambda": LAM, r"\rho": RHO, "m": M, "B_{f}": B_F}


def _read_named(tex: str, exprs) -> sympy.Expr:
    """``tex`` read back, the names rho, Lambda, m and B_f replaced by what MATH.md defines them as."""
    placeholders = {name: sympy.Symbol("name%d" % i, positive=True) for i, name in enumerate(NAMES)}
    parsed = R.read(tex, symbol_table(exprs) | placeholders)
    return parsed.xreplace({placeholders[name]: NAMES[name] for name in NAMES})


def _point(params, heads, layers):
    return {getattr(S, key): v for key, v in params.items()} | {S.H: heads, S.L: layers}


@functools.lru_cache(maxsize=None)
def _bound_functions():
    th = derive.deep_theorem()
    syms = sorted(th.bound.free_symbols, key=str)
    table = symbol_table([th.bound])
    forms = [(tex, sympy.lambdify(syms, R.read(tex, table), modules=MODULES)) for tex in (bound_latex(th),)]
    return syms, sympy.lambdify(syms, th.bound, modules=MODULES), forms


@settings(deadline=None, max_examples=40)
@given(params=ST.parameter_sets(), heads=st.integers(1, 32), layers=st.integers(1, 12))
def test_the_deep_bound_reads_back_to_the_theorem_bound(params, heads, layers):
    syms, f_bound, forms = _bound_functions()
    point = _point(params, heads, layers)
    with mpmath.workdps(50):
        args = [mpmath.mpmathify(point[s]) for s in syms]
        want = f_bound(*args)
        for tex, f in forms:
            assert close(f(*args), want), (params, heads, layers, tex[:300])


def test_the_deep_bound_keeps_the_theorems_form():
    """Issue 12: C/U of the hidden blocks printed as a long rational function (rho^(L-2) as rho^L over
    an expanded quadratic); it keeps the power, and a number is not distributed over m."""
    tex = bound_latex(derive.deep_theorem())
    power = r"\left(B_{V} H \left(4 B_{QK} B_{X}^{2} + 1\right) + 1\right)^{L - 2}"
    assert tex.count(power) == 6                            # C and C/U of both hidden blocks, twice each
    assert r"^{L}" not in tex and "B_{QK}^{2}" not in tex and "B_{V}^{2} H^{2}" not in tex
    assert r"\log_+\!\left(3 \left(2 H L + 1\right)\right)" in tex          # not 6 H L + 3
    assert len(tex) < 4000


def test_latex_of_the_deep_bound_reads_back():
    """The generic printer (SymPy's cases) of the deep bound, read back, is the bound."""
    th = derive.deep_theorem()
    parsed = R.read(latex(th.bound), symbol_table([th.bound]))
    point = _point(dict(n=10 ** 6, d=768, k=64, r_w=64, r_v=64, B_X=1.0, B_w=1.0, B_V=1.0, B_QK=1.0, L_sigma=1.0,
                        L_loss=1.0, c=1.0, delta=0.05), 12, 6)
    want = value(th.bound, {s: v for s, v in point.items() if s in th.bound.free_symbols})
    assert close(value(parsed, {s: v for s, v in point.items() if s in parsed.free_symbols}), want)
    assert abs(want - mpmath.mpf("2511.7")) < 0.05               # MATH.md section 8's reference value


def test_the_document_names_are_those_of_math_md():
    names = dict((tex, expr) for expr, tex in L.theorem_abbreviations(derive.deep_theorem()))
    assert set(names) == set(NAMES)
    for tex, expr in NAMES.items():
        assert sympy.expand(names[tex] - expr) == 0, tex
    assert L.theorem_abbreviations(derive.theorem()) == L.B_F_ABBREVIATION


@settings(deadline=None, max_examples=8)
@given(params=ST.parameter_sets(), heads=st.integers(1, 16), layers=st.integers(1, 8))
def test_the_documents_form_of_the_deep_bound_reads_back_with_quadrature(params, heads, layers):
    """``\\sqrt{D} I(C, U)`` with rho, Lambda, m and B_f as MATH.md defines them denotes the bound."""
    th = derive.deep_theorem()
    point = _point(params, heads, layers)
    parsed = _read_named(bound_latex(th, compact=True, abbreviate=True), [th.bound])

    def quad(C, U):
        with mpmath.workdps(25):
            f = lambda e: mpmath.sqrt(mp_logplus(C / e))  # noqa: E731
            return mpmath.quad(f, [0, min(C, U), U]) if C < U else mpmath.quad(f, [0, U])
    with mpmath.workdps(30):
        subs = {s: sympy.Float(v, 30) for s, v in point.items()}
        parsed = parsed.replace(lambda e: isinstance(e, R.dudley_I), lambda e: sympy.Float(
            quad(*[mpmath.mpf(str(sympy.N(a.xreplace(subs), 30))) for a in e.args]), 30))
    want = value(th.bound, {s: v for s, v in point.items() if s in th.bound.free_symbols})
    got = value(parsed, {s: v for s, v in point.items() if s in parsed.free_symbols})
    with mpmath.workdps(30):
        assert abs(got - want) <= mpmath.mpf(10) ** -12 * abs(want), (params, heads, layers, got, want)


@functools.lru_cache(maxsize=None)
def _document():
    return L.document(theorem=derive.deep_theorem(), evaluation=fake_deep_evaluation())


def test_the_block_table_has_the_five_groups_in_paper_form():
    """Each row's D and C, read back with the document's names, are MATH.md's table."""
    th = derive.deep_theorem()
    tex = _document()
    table = tex.split(r"\text{group } j & D_j & C_j \\ \hline", 1)[1].split(r"\end{array}", 1)[0]
    rows = [r.strip() for r in table.split(r"\\")]
    assert [r.split("&")[0].strip() for r in rows] == [r"\text{%s}" % L.text(b.name).replace(" w", " $w$")
                                                      for b in th.blocks]
    point = {S.H: 12, S.L: 6, S.d: 768, S.k: 64, S.r_w: 64, S.r_v: 32, S.B_X: 1.5, S.B_w: 0.7, S.B_V: 1.3,
             S.B_QK: 0.2, S.L_sigma: 1.1}
    for row, block in zip(rows, th.blocks):
        _, D_tex, C_tex = (c.strip() for c in row.split("&"))
        assert r"\left(" not in C_tex or block.name.startswith("readout"), C_tex    # no bracketed sums in C
        for tex_, want in ((D_tex, TABLE[block.name][0]), (C_tex, TABLE[block.name][1])):
            got = _read_named(tex_, [block.D, block.C])
            assert close(value(got, point), value(want, point)), (block.name, tex_)
    assert r"9 m \Lambda \rho^{L - 2} B_{V} B_{X}" in table


def test_the_setting_describes_the_deep_class_and_its_groups():
    tex = _document()
    setting = tex.split(r"\section{Setting and assumptions}", 1)[1].split(r"\section{Lemmas}", 1)[0]
    assert "A single attention head" not in setting and "$L-1$ hidden layers" in setting
    groups = setting.split(r"group & blocks & each block in \\ \hline", 1)[1].split(r"\end{tabular}", 1)[0]
    assert [ln.split("&")[0].strip() for ln in groups.strip().splitlines()] == \
        ["readout $w$", "readout values", "readout scores", "hidden values", "hidden scores"]
    assert r"\rho &:= 1 + H B_V" in setting and r"\Lambda &:= \sqrt{H} L_\sigma" in setting
    assert r"c_{\mathrm{sm}} = 2$ of this chain" in setting
    assert r"B_f := L_\sigma B_w B_V B_X" in setting and r"\sqrt{H} B_f" in setting
    assert r"\mathcal{F}_{\mathrm{deep}}" in setting
    # the chains and the theorem use the names the setting defines
    body = tex.split(r"\section{The covering number of the class}", 1)[1].split(r"\section{The bound at", 1)[0]
    expanded_rho = r"B_{V} H \left(4 B_{QK} B_{X}^{2} + 1\right) + 1"
    assert expanded_rho not in body and r"\rho^{L - 2}" in body and r"\Lambda" in body
    assert r"\mathcal{F}_{\mathrm{Deep}}" not in body
    assert r"\text{block readout $w$:}" in tex and r"\ell\circ\mathcal{F}_{\mathrm{deep}}" in tex


def test_the_single_head_document_keeps_its_setting():
    tex = L.document()
    assert "A single attention head" in tex and r"\rho &:=" not in tex and r"\Lambda" not in tex.split(
        r"\section{Lemmas}")[0]


def test_a_wide_left_side_gets_a_row_of_its_own():
    """Without the document's names the deep class prints with its twelve parameters: too wide to share
    the first row with the right side."""
    tex = L.derivation_latex(derive.deep_theorem().covering)
    first, second = [ln for ln in tex.splitlines()[1:] if "establishes its facts" not in ln][:2]
    assert first.startswith(r"&\log \mathcal{N}^{\mathrm{int}}\left(\mathcal{F}_{\mathrm{Deep}}(d, k,")
    assert r"\le " not in first and second.startswith(r"&\quad \le ")
