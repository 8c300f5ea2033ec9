"""ASCII statements typeset with inline math (lemmas/printing/prose.py): hypotheses and titles."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lemmas.core import Hypothesis
from lemmas.printing import LatexError, hypothesis_latex, prose, statement_latex, text
from lemmas.symbols import delta

from latex_helpers import compile_tex


@pytest.mark.parametrize("ascii_, tex", [
    ("sup_{f in F} ||f||_{L2(S)} <= b", r"$\sup_{f \in F} \|f\|_{L_{2}(S)} \le b$"),
    ("0 < delta < 1", r"$0 < \delta < 1$"),
    ("the loss is L_loss-Lipschitz in its first argument", r"the loss is $L_{\ell}$-Lipschitz in its first argument"),
    ("F is a class of real-valued functions", r"$F$ is a class of real-valued functions"),
    ("S consists of n i.i.d. draws", r"$S$ consists of $n$ i.i.d. draws"),
    ("the loss takes values in [0, c]", r"the loss takes values in $[0, c]$"),
    ("every token x_t (and x_cls) has ||x_t||_2 <= B_X",
     r"every token $x_{t}$ (and $x_{\mathrm{cls}}$) has $\|x_{t}\|_{2} \le B_{X}$"),
    ("f in F implies -f in F", r"$f \in F$ implies $-f \in F$"),
    ("theta and theta' both lie in Theta", r"$\theta$ and $\theta'$ both lie in $\Theta$"),
    ("softmax is c_sm-Lipschitz from l_inf to l_1 (c_sm = 2)",
     r"softmax is $c_{\mathrm{sm}}$-Lipschitz from $\ell_{\infty}$ to $\ell_{1}$ ($c_{\mathrm{sm}} = 2$)"),
    ("for theta, theta' in S_1 x S_2 x S_3", r"for $\theta$, $\theta' \in S_{1} \times S_{2} \times S_{3}$"),
    ("theta in S_1 x ... x S_5, and so on...", r"$\theta \in S_{1} \times \dots \times S_{5}$, and so on..."),
    ("Talagrand's contraction: R_S(l o F) <= L_l R_S(F)",
     r"Talagrand's contraction: $R_{S}(\ell \circ F) \le L_{l} R_{S}(F)$"),
    ("ceil(x) <= x + 1", r"$\lceil x \rceil \le x + 1$"),
    ("int_0^U sqrt(D log+(C/eps)) d eps", r"$\int_{0}^{U} \sqrt{D \log_+(C/\varepsilon)} d \varepsilon$"),
    ("log N_inf(F_Theta, eps) <= sum over blocks",
     r"$\log N_{\infty}(F_{\Theta}, \varepsilon) \le$ sum over blocks"),
    ("internal eps-net of the radius-R Euclidean ball in R^k",
     r"internal $\varepsilon$-net of the radius-$R$ Euclidean ball in $\mathbb{R}^{k}$"),
    ("L3': rank-r linear maps, (1,1)-norm radius B_W", r"L3': rank-$r$ linear maps, $(1,1)$-norm radius $B_{W}$"),
    ("Zhang 2002, Theorem 4, p = q = 2", r"Zhang 2002, Theorem 4, $p = q = 2$"),
    ("a<=b and a class", r"$a\le b$ and a class"),
    ("B_V*B_X - alpha", r"$B_{V}\cdot B_{X} - \alpha$"),
    # SymPy's ASCII (engine obligations, issue 12): ** is a power, its exponent braced; logplus is log_+
    ("here a = 9*B_V**2*logplus(B_X**3*(H + 1)**(L - 2)/eps)",
     r"here $a = 9\cdot B_{V}^{2}\cdot\log_+(B_{X}^{3}\cdot(H + 1)^{(L - 2)}/\varepsilon)$"),
    ("uniform deviation bound from the empirical Rademacher complexity",
     "uniform deviation bound from the empirical Rademacher complexity"),
])
def test_statements_are_typeset(ascii_, tex):
    assert prose(ascii_) == tex


@pytest.mark.parametrize("ascii_", ["||a$b|| <= c", "sqrt(x % 2)", "|x \\ y|", "f(a & b)"])
def test_what_cannot_be_typeset_safely_falls_back_to_escaped_text(ascii_):
    assert prose(ascii_) == text(ascii_)


def test_non_ascii_is_refused_as_text_refuses_it():
    with pytest.raises(LatexError, match="ASCII"):
        prose("\u03b5 > 0")


def test_a_hypothesis_prints_its_latex_when_it_has_one_and_its_condition_in_brackets():
    h = Hypothesis("delta", "0 < delta < 1", delta < 1)
    assert hypothesis_latex(h) == r"$0 < \delta < 1$ \quad $\bigl[\delta < 1\bigr]$"
    own = Hypothesis("compact", "X is compact", None, latex=r"$\mathcal{X}$ is compact")
    assert statement_latex(own) == hypothesis_latex(own) == r"$\mathcal{X}$ is compact"


def _math_pieces(out: str) -> list[str]:
    """The $...$ pieces of prose()'s output (escaped dollars skipped)."""
    pieces, i, start = [], 0, None
    while i < len(out):
        if out[i] == "\\":
            i += 2
            continue
        if out[i] == "$":
            if start is None:
                start = i + 1
            else:
                pieces.append(out[start:i])
                start = None
        i += 1
    assert start is None, f"unclosed math in {out!r}"
    return pieces


_VOCABULARY = ["x_t", "||", "|", "...", "<=", ">=", "(", ")", "[", "]", "{", "}", "alpha", "a", "the", "in", "sqrt(",
               "log+(", "ceil(", "-", " - ", "eps-net", "L2(S)", "^", "_", "_{", "i.i.d.", "Dudley's", "2", "3.5",
               "=", "->", ",", ":", "x", "o", "R^k", "N_inf", "sup_{f in F}", "$", "%", "&", "#", "~", "\\",
               "'", "theta'", "*", "/", "int_0^U", "l_1", "L_loss-Lipschitz", "rank", "W", "B_QK", "T"]


@given(st.lists(st.sampled_from(_VOCABULARY), max_size=12), st.lists(st.booleans(), min_size=12, max_size=12))
def test_math_pieces_are_balanced(words, spaces):
    s = "".join(w + (" " if sp else "") for w, sp in zip(words, spaces))
    for piece in _math_pieces(prose(s)):
        depth = 0
        for ch in re.sub(r"\\[{}$]", "", piece):
            depth += (ch == "{") - (ch == "}")
            assert depth >= 0, (s, piece)
        assert depth == 0 and piece.strip(), (s, piece)


def test_typeset_statements_compile(tmp_path):
    """Random sentences from the vocabulary, and every registered statement, compile without errors."""
    import derive
    import lemmas
    derive.register_derived()
    rng = random.Random(20241)
    sentences = ["".join(rng.choice(_VOCABULARY) + rng.choice(["", " "]) for _ in range(rng.randint(1, 10)))
                 for _ in range(300)]
    sentences += [s for lem in lemmas.all_lemmas() for s in [lem.title] + [h.statement for h in lem.hypotheses]]
    items = "\n".join(r"\item{} %s" % prose(s) for s in sentences)
    doc = ("\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\begin{document}\n"
           "\\begin{itemize}\n%s\n\\end{itemize}\n\\end{document}\n" % items)
    log = compile_tex(doc, tmp_path)
    assert "Missing" not in log and "Undefined control sequence" not in log
