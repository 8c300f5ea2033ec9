"""The standalone article (derive/latex/article.py): what it states, that it compiles cleanly.

The value table is data passed in by the caller (here a stand-in with hand-picked numbers; the
CLI's document, with numeric's values, is compiled in tests/numeric/cli/test_latex.py).
"""

from __future__ import annotations

import re

import pytest

import derive
import lemmas
from derive import latex as L
from derive.latex import bound_latex

from latex_helpers import compile_tex, fake_deep_evaluation, fake_evaluation, overfull_boxes, overfull_report

derive.register_derived()
LEMMA_NAMES = [lem.name for lem in lemmas.all_lemmas() if "[" not in lem.name]
VARIANTS = list(derive.VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_document_compiles_without_errors_undefined_references_or_overfull_lines(variant, tmp_path):
    tex = L.document(variant, evaluation=fake_evaluation(variant))
    log = compile_tex(tex, tmp_path)
    assert "undefined" not in log.lower(), [ln for ln in log.splitlines() if "undefined" in ln.lower()]
    assert "Warning: Reference" not in log
    assert "Rerun to get" not in log
    assert (tmp_path / "doc.pdf").stat().st_size > 10_000
    over = overfull_boxes(log)
    assert not over, f"{len(over)} lines run into the margin by more than 1 pt:\n" + overfull_report(log, tex)


def test_deep_document_compiles_without_errors_undefined_references_or_overfull_lines(tmp_path):
    """Issue 12: the H-head, L-layer document ran up to ~300 pt into the margin (chains, written-out bound)."""
    tex = L.document(theorem=derive.deep_theorem(), evaluation=fake_deep_evaluation())
    log = compile_tex(tex, tmp_path)
    assert "undefined" not in log.lower(), [ln for ln in log.splitlines() if "undefined" in ln.lower()]
    assert "Warning: Reference" not in log
    assert (tmp_path / "doc.pdf").stat().st_size > 10_000
    over = overfull_boxes(log)
    assert not over, f"{len(over)} lines run into the margin by more than 1 pt:\n" + overfull_report(log, tex)


def test_overfull_boxes_are_read_from_the_log():
    log = ("Overfull \\hbox (3056.71358pt too wide) detected at line 597\n[]\n"
           "Overfull \\hbox (0.5pt too wide) in paragraph at lines 3--4\n"
           "Underfull \\hbox (badness 10000) in paragraph at lines 5--6\n"
           "Overfull \\hbox (1.93349pt too wide) in paragraph at lines 624--627\n")
    assert overfull_boxes(log) == ["Overfull \\hbox (3056.71358pt too wide) detected at line 597",
                                   "Overfull \\hbox (1.93349pt too wide) in paragraph at lines 624--627"]
    assert len(overfull_boxes(log, tolerance=0.1)) == 3


def test_document_states_every_lemma_step_and_obligation():
    th = derive.theorem()
    tex = L.document(evaluation=fake_evaluation())
    for name in LEMMA_NAMES:
        assert r"\label{%s}" % L.label(name) in tex, name
    applied = [s for d in (th.covering, th.derivation) for s in d.steps if s.kind == "apply"]
    assert tex.count(r"\tag*{by Lemma~\ref{") == len(applied)
    for s in applied:
        assert r"\tag*{by Lemma~\ref{%s}}" % L.label(s.lemma.name) in tex
    assert tex.count(r"\begin{assumption}") == len(th.obligations)
    assert "rankbound's choices" in tex and "not the paper's words" in tex
    assert bound_latex(th).split(" + 3 c")[0][:40] in tex.replace("\n", " ")
    assert r"\begin{tabular}" in tex and "$0.123456789$" in tex and "non-vacuous" in tex


def test_the_value_table_is_what_the_caller_passes():
    without = L.document()
    assert r"\begin{tabular}" not in without and "sec:values" not in without
    vacuous = L.document(evaluation=fake_evaluation(vacuous=True))
    assert r"\emph{vacuous}" in vacuous and vacuous.startswith(without.rsplit(r"\end{document}", 1)[0])


def test_every_lemma_head_closes_before_its_label_and_its_title_follows():
    """Issue 14: a ``]`` in a title ended ``\\begin{lemma}[...]`` early (edelman-rebuilt).  The head
    now holds only the name (braced); the title, typeset, is the first line of the body."""
    from lemmas.printing import prose
    tex = L.document()
    lines = tex.splitlines()
    heads = [i for i, ln in enumerate(lines) if ln.startswith(r"\begin{lemma}[")]
    assert len(heads) == len(LEMMA_NAMES)
    titles = {prose(lem.title) for lem in lemmas.all_lemmas()}
    assert any("]" in t for t in titles)                     # the case of the issue is still covered
    for i in heads:
        ln = lines[i]
        depth, j = 0, len(r"\begin{lemma}")
        for j in range(j + 1, len(ln)):             # the optional argument ends at the first ] at depth 0
            if ln[j] == "{" and ln[j - 1] != "\\":
                depth += 1
            elif ln[j] == "}" and ln[j - 1] != "\\":
                depth -= 1
            elif ln[j] == "]" and depth == 0:
                break
        assert ln[j + 1:].startswith(r"\label{lem:"), ln
        body = lines[i + 1]
        assert body.startswith(r"\emph{") and body.endswith(".}") and body[len(r"\emph{"):-2].rstrip(".") in \
            {t.rstrip(".") for t in titles}, body


def test_no_hypothesis_is_left_in_ascii_notation():
    """Issue 14: ``sup_{f in F} ||f||_{L2(S)}`` printed as text; hypotheses are typeset as math."""
    tex = L.document()
    items = [ln for ln in tex.splitlines() if ln.startswith(r"\item ")]
    items += re.findall(r"\\begin\{assumption\}\\label\{asm:\d+\}(.*?)\\hfill", tex)
    assert items
    for it in items:
        prose = re.sub(r"\$[^$]*\$", "", it)
        for ascii_math in ("||", "$|$", r"\_", "<=", ">=", "sup", "L2(S)", "delta", "sigma", "theta", "alpha"):
            assert ascii_math not in prose, (ascii_math, it)


def test_document_does_not_depend_on_which_variants_were_computed_before():
    before = L.document("default")
    for v in VARIANTS:
        derive.theorem(v)
    assert L.document("default") == before
