"""The house LaTeX printer, the lemma/bound snapshots, the round trip and the compiled document.

Snapshots live in ``tests/snapshots/latex/``: one file per registered lemma (its ``lemma``
environment) and one per variant of the final bound (``bound.<variant>.tex``).  A missing or
changed snapshot fails; to accept a deliberate change, rerun with
``RANKBOUND_UPDATE_SNAPSHOTS=1`` and review the diff in git before committing.

The round trip reads the printed bound back with ``tests/latex_reader.py`` (why not
``sympy.parsing.latex.parse_latex``: see that module) and compares it with
``derive.theorem().bound`` numerically, with mpmath at 50 digits, at Hypothesis-drawn parameters.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

import derive
import lemmas
from derive import latex as L
from derive.latex import HousePrinter, LatexError, bound_latex, latex, lemma_latex
from lemmas import symbols as S
from lemmas.objects import (NORMS, CoveringNumber, FunctionClass, LossClass, RademacherComplexity, Tag,
                            logplus)

try:
    import latex_reader as R
    import strategies as ST
except ImportError:  # pragma: no cover - depends on how pytest was invoked
    from tests import latex_reader as R
    from tests import strategies as ST

SNAPSHOTS = Path(__file__).resolve().parent.parent / "snapshots" / "latex"
UPDATE = os.environ.get("RANKBOUND_UPDATE_SNAPSHOTS", "") not in ("", "0")
CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")

derive.register_derived()
LEMMA_NAMES = [lem.name for lem in lemmas.all_lemmas() if "[" not in lem.name]
VARIANTS = list(derive.VARIANTS)


# ------------------------------------------------------------------------------------------------
# snapshots
# ------------------------------------------------------------------------------------------------

def _check_snapshot(filename: str, actual: str):
    path = SNAPSHOTS / filename
    if not path.exists():
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual)
            return
        pytest.fail(f"no snapshot {path}; create it deliberately with RANKBOUND_UPDATE_SNAPSHOTS=1 and review it")
    expected = path.read_text()
    if expected == actual:
        return
    if UPDATE:
        path.write_text(actual)
        return
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        fromfile=f"snapshot {filename}", tofile="printed now", n=1))
    pytest.fail(f"the LaTeX differs from the snapshot {path} (RANKBOUND_UPDATE_SNAPSHOTS=1 accepts a "
                f"deliberate change):\n{diff[:4000]}")


def _snapshot_name(lemma_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", lemma_name) + ".tex"


@pytest.mark.parametrize("name", LEMMA_NAMES)
def test_lemma_latex_matches_snapshot(name):
    _check_snapshot(_snapshot_name(name), lemma_latex(name) + "\n")


@pytest.mark.parametrize("variant", VARIANTS)
def test_bound_latex_matches_snapshot(variant):
    _check_snapshot(f"bound.{variant}.tex", bound_latex(derive.theorem(variant)) + "\n")


def test_no_stale_snapshots():
    expected = {_snapshot_name(n) for n in LEMMA_NAMES} | {f"bound.{v}.tex" for v in VARIANTS}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.tex") if p.name not in expected)
    if stale and UPDATE:
        for name in stale:
            (SNAPSHOTS / name).unlink()
        return
    assert not stale, f"snapshots with no lemma or bound behind them: {stale} (delete them, or rerun with " \
                      f"RANKBOUND_UPDATE_SNAPSHOTS=1)"


# ------------------------------------------------------------------------------------------------
# the printer
# ------------------------------------------------------------------------------------------------

def test_confidence_term_keeps_the_paper_form():
    th = derive.theorem()
    assert latex(th.confidence) == r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}"
    # SymPy's own printer splits it into a product of square roots; ours must not
    assert r"\sqrt{2}" in sympy.latex(th.confidence)


def test_bound_is_sum_of_blocks_in_paper_form():
    tex = bound_latex(derive.theorem())
    assert tex.startswith(r"\frac{24 L_{\ell}}{\sqrt{n}} \left(\sqrt{k} \left(")
    assert r"\sqrt{\left(d + k + 1\right) r_{v}}" in tex          # sqrt(D_j), one root over the product
    assert r"\sqrt{\left(2 d + 1\right) r_{w}}" in tex
    assert r"\log_+\!\left(54 B_{QK} B_{X}^{2}\right)" in tex       # log+, as in MATH.md
    assert r"\operatorname{erfc}\left(\sqrt{\log(9)}\right)" in tex
    assert r"\begin{cases}" not in tex                              # the log+ form needs no cases
    assert tex.endswith(r"+ 3 c \sqrt{\frac{\log(2/\delta)}{2 n}}")


def test_sharp_softmax_variant_prints_27_for_54():
    assert "54 B_{QK}" in bound_latex(derive.theorem())
    tex = bound_latex(derive.theorem("sharp-softmax"))
    assert "54" not in tex and "27 B_{QK}" in tex


@pytest.mark.parametrize("expr, tex", [
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
    p = HousePrinter({"abbreviations": L.B_F_ABBREVIATION})
    assert p.doprint(54 * S.B_QK * S.B_X ** 2 * B_f / S.eps) == r"\frac{54 B_{QK} B_{X}^{2} B_{f}}{\varepsilon}"
    p = HousePrinter({"display": {S.n: r"\mathsf{N}"}})
    assert p.doprint(S.c / S.n) == r"\frac{c}{\mathsf{N}}"


def test_latex_of_unknown_objects_fails_loudly():
    with pytest.raises(LatexError):
        latex(object())
    with pytest.raises(LatexError):
        L.text("caf\u00e9 \u03b5")
    with pytest.raises(LatexError):
        lemma_latex("no-such-lemma")


def test_text_escaping_and_labels():
    assert L.text("a_b <= c & 50% {x}^2") == r"a\_b $\le$ c \& 50\% \{x\}$^{\wedge}$2"
    assert L.label("truong-theorem[sharp-softmax]") == "lem:truong-theorem.sharp-softmax"


# ------------------------------------------------------------------------------------------------
# Jupyter
# ------------------------------------------------------------------------------------------------

def test_repr_latex_goes_through_the_house_printer():
    th = derive.theorem()
    assert lemmas.get("contraction")._repr_latex_() == \
        r"$\displaystyle \widehat{\mathfrak{R}}_{S}\left(\ell\circ F\right) \le L_{\ell} \widehat{\mathfrak{R}}_{S}\left(F\right)$"
    rep = th._repr_latex_()
    assert rep.startswith(r"$\displaystyle \sup_{f\in \mathcal{F}_{\Theta}}") and rep.endswith(
        r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}$")
    chain = th.derivation._repr_latex_()
    assert chain.startswith(r"$\displaystyle \begin{aligned}") and r"\text{by contraction}" in chain
    assert chain.count(r"\text{by ") == sum(1 for s in th.derivation.steps if s.kind == "apply")
    # the theorem's own lemma prints its bound in paper form, not as SymPy's cases
    assert r"\begin{cases}" not in lemmas.get("truong-theorem")._repr_latex_()


def test_evaluation_table_renders_the_values():
    import numeric
    ev = numeric.evaluate(dps=20)
    tab = L.evaluation_table(ev)
    assert tab.startswith(r"$\displaystyle \begin{array}{lr}") and tab.endswith(r"\end{array}$")
    assert mpmath.nstr(ev.value, 10) in tab
    assert r"64,\ 9," in tab                       # block w: D = k = 64, C = 9 B_f = 9
    assert ev._repr_latex_() == tab


# ------------------------------------------------------------------------------------------------
# round trip
# ------------------------------------------------------------------------------------------------

def _mp_logplus(x):
    return mpmath.log(x) if x > 1 else mpmath.mpf(0)


_MODULES = [{"logplus": _mp_logplus, "erfc": mpmath.erfc}, "mpmath"]


def _symbol_table(exprs) -> dict:
    p = HousePrinter()
    table = {}
    for e in exprs:
        for s in e.free_symbols:
            table[p.doprint(s)] = s
    return table


def _value(expr, values: dict, dps: int = 50):
    syms = sorted(values, key=str)
    f = sympy.lambdify(syms, expr, modules=_MODULES)
    with mpmath.workdps(dps):
        return f(*[mpmath.mpmathify(values[s]) for s in syms])


def _close(a, b, rel=mpmath.mpf(10) ** -30):
    with mpmath.workdps(50):
        return abs(a - b) <= rel * max(abs(a), abs(b), 1)


_BOUNDARY = dict(n=1000, d=8, k=4, r_w=2, r_v=2, T=16, B_X=1.0, B_w=1.0, B_V=1.0, B_QK=1 / 54, L_sigma=1.0,
                 L_loss=1.0, c=1.0, delta=0.05)


@functools.lru_cache(maxsize=None)
def _bound_functions(variant: str):
    """(symbols, f_bound, [(tex, f_read)]): the bound and its two printed forms read back, compiled once."""
    th = derive.theorem(variant)
    syms = sorted(th.bound.free_symbols, key=str)
    table = _symbol_table([th.bound])
    forms = []
    for tex in (bound_latex(th), latex(th.bound)):        # paper form, and the generic printer
        forms.append((tex, sympy.lambdify(syms, R.read(tex, table), modules=_MODULES)))
    return syms, sympy.lambdify(syms, th.bound, modules=_MODULES), forms


@settings(deadline=None)
@given(params=ST.parameter_sets(), variant=st.sampled_from(VARIANTS))
@example(params=_BOUNDARY, variant="default")          # C_QK = U: log+ and the cases meet at 0
@example(params=dict(_BOUNDARY, B_QK=1e-3), variant="default")   # C_QK < U: the other branch
def test_bound_latex_reads_back_to_the_theorem_bound(params, variant):
    syms, f_bound, forms = _bound_functions(variant)
    with mpmath.workdps(50):
        args = [mpmath.mpmathify(params[s.name]) for s in syms]
        want = f_bound(*args)
        for tex, f in forms:
            got = f(*args)
            assert _close(got, want), (variant, params, got, want, tex)


def _dudley_I(C, U):
    """int_0^U sqrt(log+(C/eps)) d eps by quadrature (independent of the closed form)."""
    with mpmath.workdps(25):
        f = lambda e: mpmath.sqrt(_mp_logplus(C / e))  # noqa: E731
        return mpmath.quad(f, [0, min(C, U), U]) if C < U else mpmath.quad(f, [0, U])


@settings(deadline=None, max_examples=10)
@given(params=ST.parameter_sets(), variant=st.sampled_from(VARIANTS))
def test_compact_abbreviated_bound_reads_back_with_quadrature(params, variant):
    """The document's form (B_f, I(C, U)) denotes the bound: I by numerical quadrature."""
    th = derive.theorem(variant)
    vals = {getattr(S, k): v for k, v in params.items()}
    B_f = sympy.Symbol("B_f", positive=True)
    table = _symbol_table([th.bound]) | {"B_{f}": B_f}
    parsed = R.read(bound_latex(th, compact=True, abbreviate=True), table)
    parsed = parsed.xreplace({B_f: S.L_sigma * S.B_w * S.B_V * S.B_X})
    with mpmath.workdps(30):
        numeric_I = parsed.replace(
            lambda e: isinstance(e, R.dudley_I),
            lambda e: sympy.Float(_dudley_I(*[mpmath.mpf(str(sympy.N(a.xreplace(
                {s: sympy.Float(v, 30) for s, v in vals.items()}), 30))) for a in e.args]), 30))
    want = _value(th.bound, {s: v for s, v in vals.items() if s in th.bound.free_symbols})
    got = _value(numeric_I, {s: v for s, v in vals.items() if s in numeric_I.free_symbols})
    with mpmath.workdps(30):
        assert abs(got - want) <= mpmath.mpf(10) ** -12 * abs(want), (params, got, want)


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
    parsed = R.read(tex, _symbol_table([expr]))
    draw = data.draw if data is not None else (lambda s: 1.7)
    values = {}
    for s in sorted(expr.free_symbols, key=str):
        if s is _X:
            values[s] = draw(st.floats(-50, 50, allow_nan=False).filter(lambda v: abs(v) > 1e-3))
        else:
            values[s] = draw(st.floats(0.01, 100)) if not s.is_integer else draw(st.integers(1, 1000))
    try:
        want = _value(expr, values)
    except (ZeroDivisionError, ValueError, TypeError):
        assume(False)
    got = _value(parsed, values)
    assert _close(got, want, rel=mpmath.mpf(10) ** -25), (tex, expr, parsed, values, got, want)


@pytest.mark.xfail(strict=True, raises=(ImportError, Exception),
                   reason="sympy.parsing.latex.parse_latex cannot read the bound here: the ANTLR backend needs "
                          "antlr4-python3-runtime 4.11 (4.13 installed) and the Lark backend reads no Greek "
                          "letters, no \\pi, no erfc, and takes d as a differential. When this passes, the "
                          "round trip can use parse_latex (with a pre-pass for \\log_+ and erfc) instead of "
                          "tests/latex_reader.py.")
def test_sympy_parse_latex_reads_the_bound():
    from sympy.parsing.latex import parse_latex
    tex = bound_latex(derive.theorem())
    tex = tex.replace(r"\log_+\!", r"\operatorname{logplus}")
    parse_latex(tex)


# ------------------------------------------------------------------------------------------------
# the document compiles
# ------------------------------------------------------------------------------------------------

def _pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        msg = ("pdflatex not found; install it with: apt-get install -y texlive-latex-base "
               "texlive-latex-recommended")
        if CI:
            pytest.fail(msg + " (CI is set: the LaTeX must be compiled there, so this fails instead of skipping)")
        pytest.skip(msg)
    return exe


def _compile(tex: str, folder: Path) -> str:
    exe = _pdflatex()
    (folder / "doc.tex").write_text(tex, encoding="ascii")
    for run in (1, 2):                                   # twice, so references resolve
        proc = subprocess.run([exe, "-halt-on-error", "-interaction=nonstopmode", "doc.tex"], cwd=folder,
                              capture_output=True, text=True, errors="replace", timeout=300)
        log = (folder / "doc.log").read_text(errors="replace")
        assert proc.returncode == 0, f"pdflatex failed (run {run}):\n" + "\n".join(
            ln for ln in log.splitlines() if ln.startswith("!") or "error" in ln.lower())[:3000]
    return log


@pytest.mark.parametrize("variant", VARIANTS)
def test_document_compiles_without_errors_or_undefined_references(variant, tmp_path):
    tex = L.document(variant)
    log = _compile(tex, tmp_path)
    assert "undefined" not in log.lower(), [ln for ln in log.splitlines() if "undefined" in ln.lower()]
    assert "Warning: Reference" not in log
    assert "Rerun to get" not in log
    assert (tmp_path / "doc.pdf").stat().st_size > 10_000


def test_document_states_every_lemma_step_and_obligation():
    th = derive.theorem()
    tex = L.document()
    for name in LEMMA_NAMES:
        assert r"\label{%s}" % L.label(name) in tex, name
    applied = [s for d in (th.covering, th.derivation) for s in d.steps if s.kind == "apply"]
    assert tex.count(r"\tag*{by Lemma~\ref{") == len(applied)
    for s in applied:
        assert r"\tag*{by Lemma~\ref{%s}}" % L.label(s.lemma.name) in tex
    assert tex.count(r"\begin{assumption}") == len(th.obligations)
    assert "rankbound's choices" in tex and "not the paper's words" in tex
    assert bound_latex(th).split(" + 3 c")[0][:40] in tex.replace("\n", " ")
    assert r"\begin{tabular}" in tex and mpmath.nstr(__import__("numeric").evaluate().value, 10) in tex


def test_document_does_not_depend_on_which_variants_were_computed_before():
    before = L.document("default")
    for v in VARIANTS:
        derive.theorem(v)
    assert L.document("default") == before
