"""``rankbound latex``: what each option prints, one-line errors with exit code 2, and the document
it writes (with numeric's values) compiling without errors or lines in the margin."""

from __future__ import annotations

import mpmath
import pytest

import derive
import numeric
from derive import latex as L

from helpers import run_cli
from latex_helpers import compile_tex, overfull_boxes, overfull_report


def _run(*argv):
    return run_cli(["latex", *argv])


def test_expr_prints_the_final_bound_in_paper_form():
    rc, out, err = _run("--expr")
    assert rc == 0 and err == ""
    assert out == L.bound_latex(derive.theorem()) + "\n"
    assert out.rstrip().endswith(r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}")


def test_variant_selects_the_chain():
    _, default, _ = _run("--expr")
    rc, sharp, _ = _run("--expr", "--variant", "sharp-softmax")
    assert rc == 0 and sharp != default
    assert sharp == L.bound_latex(derive.theorem("sharp-softmax")) + "\n"


def test_lemma_prints_one_lemma_environment():
    rc, out, err = _run("--lemma", "dudley")
    assert rc == 0 and err == ""
    assert out.startswith(r"\begin{lemma}[{\texttt{dudley}}]") and out.rstrip().endswith(r"\end{lemma}")
    assert out == L.lemma_latex("dudley") + "\n"


def test_out_writes_the_standalone_document_with_numerics_values(tmp_path):
    target = tmp_path / "bound.tex"
    rc, out, err = _run("--out", str(target))
    assert rc == 0 and out == "" and err == ""
    tex = target.read_text()
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    for pkg in ("amsmath", "amssymb", "amsthm"):
        assert r"\usepackage{%s}" % pkg in tex
    assert r"\begin{theorem}" in tex and r"\begin{tabular}" in tex
    ev = numeric.evaluate()
    assert tex == L.document("default", evaluation=ev)
    assert "$%s$" % mpmath.nstr(ev.value, 10) in tex


@pytest.mark.parametrize("variant", ["default", "sharp-softmax"])
def test_the_written_document_compiles_with_no_line_in_the_margin(tmp_path, variant):
    """Issue 14: ``rankbound latex --out x.tex`` then pdflatex: no overfull \\hbox over 1 pt."""
    target = tmp_path / "x.tex"
    assert _run("--out", str(target), "--variant", variant)[0] == 0
    tex = target.read_text()
    log = compile_tex(tex, tmp_path)
    assert "undefined" not in log.lower()
    over = overfull_boxes(log)
    assert not over, f"{len(over)} lines run into the margin by more than 1 pt:\n" + overfull_report(log, tex)


def test_out_with_expr_writes_only_the_expression(tmp_path):
    target = tmp_path / "expr.tex"
    rc, out, _ = _run("--expr", "--out", str(target))
    assert rc == 0 and out == ""
    assert target.read_text() == L.bound_latex(derive.theorem()) + "\n"


@pytest.mark.parametrize("argv, names", [
    (["--lemma", "no-such-lemma"], "--lemma"),
    (["--variant", "no-such-variant"], "--variant"),
    (["--out", "/no/such/folder/x.tex"], "--out"),
    (["--lemma", "dudley", "--expr"], "--expr"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(argv, names):
    rc, out, err = _run(*argv)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and names in err, err


def test_out_pointing_at_a_folder_is_refused(tmp_path):
    rc, _, err = _run("--out", str(tmp_path))
    assert rc == 2 and "--out" in err and "folder" in err


def test_an_evaluations_repr_latex_is_the_evaluation_table():
    ev = numeric.evaluate(dps=20)
    tab = ev._repr_latex_()
    assert tab == L.evaluation_table(ev)
    assert mpmath.nstr(ev.value, 10) in tab
    assert r"64,\ 9," in tab                       # block w: D = k = 64, C = 9 B_f = 9 at the preset
