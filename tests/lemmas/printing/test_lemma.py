"""Lemma values in LaTeX (lemmas/printing/lemma.py): the ``lemma`` environment, display providers."""

from __future__ import annotations

import pytest
import sympy

import lemmas
from lemmas.core import Constant, Hypothesis, Lemma, Source
from lemmas.printing import LatexError, latex, lemma_latex, register_display
from lemmas.printing import lemma as lemma_module

x = sympy.Symbol("x", real=True)
y = sympy.Symbol("y", positive=True)
a = sympy.Symbol("a_toy", positive=True)

TOY = Lemma(
    name="toy-lemma[v]", title="a toy: for every x in (0, 1], x <= a_toy x", params=(x, y),
    hypotheses=(Hypothesis("pos", "x >= 0", x >= 0), Hypothesis("iid", "S consists of n i.i.d. draws"),
                Hypothesis("bracket", "[lo, hi] is an interval", None),
                Hypothesis("own", "ignored", None, latex=r"$\mathcal{X}$ is compact")),
    conclusion=sympy.Le(x, a * x), constants=(Constant(a, 2, "slack factor"),),
    source=Source("nowhere", kind="reconstructed"), family="toy", variant_of="no-such-base", notes="a note",
    wrong=True)


def test_the_environment_states_everything_the_lemma_holds():
    tex = lemma_latex(TOY)
    lines = tex.splitlines()
    assert lines[0] == r"\begin{lemma}[{\texttt{toy-\allowbreak{}lemma[v]}}]\label{lem:toy-lemma.v}"
    assert lines[1] == r"\emph{a toy: for every $x \in (0, 1]$, $x \le a_{\mathrm{toy}} x$.}"   # the ] stays inside
    assert lines[2] == r"\par\noindent If"
    assert lines[-1] == r"\end{lemma}"
    items = [ln for ln in lines if ln.startswith(r"\item")]
    assert items == [r"\item $x \ge 0$ \quad $\bigl[x \ge 0\bigr]$",
                     r"\item $S$ consists of $n$ i.i.d. draws",
                     r"\item {}[lo, hi] is an interval",                     # not \item's optional label
                     r"\item $\mathcal{X}$ is compact"]                    # the hypothesis' own LaTeX
    assert r"x &\le a_{\mathrm{toy}} x" in tex
    assert r"$a_{\mathrm{toy}} = 2$ (slack factor)" in tex
    assert r"Variant of \texttt{no-such-base}." in tex                   # not registered: no \ref
    assert r"\textbf{Deliberately wrong}" in tex and "Reconstructed in rankbound" in tex and "a note" in tex


def test_a_registered_variant_base_is_referenced():
    base = lemmas.get("softmax-lipschitz")
    variant = Lemma(name="toy-variant", title="t", params=(), hypotheses=(), conclusion=sympy.Le(1, 2),
                    source=Source("nowhere"), variant_of=base.name)
    assert r"Variant of Lemma~\ref{lem:softmax-lipschitz}." in lemma_latex(variant)


def test_registered_lemmas_are_found_by_name_and_unknown_names_refused():
    assert lemma_latex("contraction") == lemma_latex(lemmas.get("contraction"))
    with pytest.raises(LatexError, match="no-such-lemma"):
        lemma_latex("no-such-lemma")


def test_repr_latex_prints_the_conclusion_in_display_style():
    assert TOY._repr_latex_() == r"$\displaystyle x \le a_{\mathrm{toy}} x$"
    assert latex(TOY) == r"x \le a_{\mathrm{toy}} x"


def test_display_providers_change_how_a_lemma_prints(monkeypatch):
    monkeypatch.setattr(lemma_module, "_PROVIDERS", list(lemma_module._PROVIDERS))
    seen = []

    def provider(lem, compact):
        seen.append(compact)
        if lem is not TOY:
            return None
        return {a * x: r"\mathrm{AX}"}, ()

    assert register_display(provider) is provider and register_display(provider) is provider
    assert lemma_module._PROVIDERS.count(provider) == 1
    assert latex(TOY) == r"x \le \mathrm{AX}"
    assert r"x &\le \mathrm{AX}" in lemma_latex(TOY, compact=True) and seen[-1] is True
    assert latex(lemmas.get("contraction")) == latex(lemmas.get("contraction").conclusion)   # others unchanged
    with pytest.raises(TypeError):
        register_display("not callable")
