r"""The standalone article: setting, every lemma, both chains, obligations, theorem, values.

:func:`document` composes the theorem of a variant and prints it with everything it rests on;
the values section prints an evaluation the *caller* computed (``rankbound latex`` passes
``numeric.evaluate``'s): this layer prints numbers, it never computes them.  Given the H-head,
L-layer theorem (``derive.deep_theorem()``), the setting restates MATH.md section 8 (the model,
the five groups of parameter blocks, rho and Lambda) and the document uses its names: ``rho``,
``Lambda``, ``m = 1 + 2 H L`` and ``B_f`` (:func:`~derive.latex.display.theorem_abbreviations`).

Examples
--------
>>> tex = document("default")
>>> tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
True
>>> r"\section{The bound at the default parameters}" in tex       # no evaluation passed: no values
False
"""

from __future__ import annotations

import sympy
from sympy import Symbol

import lemmas
from lemmas import depth
from lemmas.core import Lemma
from lemmas.covering import euclidean_ball, lowrank_ball
from lemmas.depth import DEEP_GROUPS, HIDDEN_V_SET, READOUT_W_SET, deep_class, hidden_layer, readout_layer
from lemmas.printing import (LINE_WIDTH, HousePrinter, LatexError, condition_latex, house_printer, label, lemma_latex,
                             lines_env, prose, statement_latex, text)
from lemmas.symbols import B_QK, B_V, B_w, C_SM, d, k, r_v, r_w

from .display import block_map, bound_display, derivation_latex, theorem_abbreviations
from .evaluation import evaluation_rows

__all__ = ["document", "PREAMBLE"]


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{amsthm}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\tolerance=1000
\emergencystretch=3em
\renewcommand{\labelitemi}{$\bullet$}
\newtheorem{theorem}{Theorem}
\theoremstyle{definition}
\newtheorem{lemma}{Lemma}
\newtheorem{assumption}{Assumption}
"""

_FAMILY_ORDER = ("norms", "covering", "attention", "chaining", "generalisation", "theorem", "derived")
_FAMILY_TITLE = {"norms": "Matrix norms", "covering": "Covering numbers", "attention": "Attention",
                 "chaining": "Chaining", "generalisation": "Generalisation", "theorem": "The composed theorem",
                 "derived": "Other derived results"}

_SETTING_TAIL = r"""The loss $\ell(f(X),y)$ takes
values in $[0,c]$ and is $L_\ell$-Lipschitz in its first argument; $L(\theta)$ is the expected loss
and $\widehat{L}_S(\theta)$ the empirical loss on $S$.  The bound holds with probability at least
$1-\delta$.  Norms of covers: $\|\cdot\|_\infty$ is the supremum over all admissible inputs
(parameter-space covers), $L_2(S)$ the empirical norm; $\mathcal{N}^{\mathrm{int}}$ marks internal
covers (the net lies in the set).  $\log_+ x=\max(0,\log x)$.  For $C, U>0$,
\[
  I(C,U) := \int_0^U \sqrt{\log_+(C/\varepsilon)}\,\mathrm{d}\varepsilon
  = U\sqrt{\log_+(C/U)} + C\,\frac{\sqrt{\pi}}{2}\operatorname{erfc}\left(\sqrt{\log_+(C/U)}\right),
\]
which is $C\sqrt{\pi}/2$ when $C\le U$ (Lemma~\ref{%(integral)s}).
"""

_SETTING = r"""
\section{Setting and assumptions}\label{sec:setting}
This section restates MATH.md, section~1.
A sample $S=\{(X_i,y_i)\}_{i=1}^{n}$ is drawn i.i.d.; each input $X\in\mathbb{R}^{T\times d}$ has rows
(tokens) $x_t$ with $\|x_t\|_2\le B_X$.  A single attention head reads a scalar output at a designated
token $x_{\mathrm{cls}}$:
\[
  s = X W_{QK}^{\top} x_{\mathrm{cls}}\in\mathbb{R}^{T},\qquad p=\operatorname{softmax}(s),\qquad
  a = W_V^{\top}X^{\top}p\in\mathbb{R}^{k},\qquad f(X)=w^{\top}\sigma(a),
\]
with $W_{QK}\in\mathbb{R}^{d\times d}$, $W_V\in\mathbb{R}^{d\times k}$, $w\in\mathbb{R}^{k}$, and
$\sigma$ $L_\sigma$-Lipschitz with $\sigma(0)=0$.  The class $\mathcal{F}_{\Theta}$ is indexed by
$\theta=(w, W_V, W_{QK})\in\Theta=\Theta_{w}\times\Theta_{V}\times\Theta_{QK}$, where
\begin{align*}
  \Theta_{w} &= %(Tw)s, \\
  \Theta_{V} &= %(TV)s, \\
  \Theta_{QK} &= %(TQK)s.
\end{align*}
Since $p$ is a convex combination, $|f(X)|\le B_f := L_\sigma B_w B_V B_X$.  """ + _SETTING_TAIL

_DEEP_SETTING = r"""
\section{Setting and assumptions}\label{sec:setting}
This section restates MATH.md, sections~1 and~8.
A sample $S=\{(X_i,y_i)\}_{i=1}^{n}$ is drawn i.i.d.; each input $X\in\mathbb{R}^{T\times d}$ has rows
(tokens) $x_t$ with $\|x_t\|_2\le B_X$, one of them a designated token $x_{\mathrm{cls}}$.  The model has
$L-1$ hidden layers and a readout layer, each with $H$ attention heads.  Hidden layer $l=1,\dots,L-1$
updates every token as
\[
  u_t = \sum_{h=1}^{H} W_{V,l,h}^{\top}X^{\top}\operatorname{softmax}\bigl(X W_{QK,l,h}^{\top} x_t\bigr),\qquad
  x_t \leftarrow \Pi(x_t + u_t),
\]
with $W_{QK,l,h}, W_{V,l,h}\in\mathbb{R}^{d\times d}$ and $\Pi(v) = v\min(1, B_X/\|v\|_2)$ the projection
onto the $B_X$ ball (1-Lipschitz; it keeps every layer's tokens in the ball).  The readout reads the
last hidden layer's output at $x_{\mathrm{cls}}$:
\[
  p_h = \operatorname{softmax}\bigl(X W_{QK,h}^{\top} x_{\mathrm{cls}}\bigr),\qquad
  f(X) = \sum_{h=1}^{H} w_h^{\top}\sigma\bigl(W_{V,h}^{\top}X^{\top}p_h\bigr),
\]
with $W_{QK,h}\in\mathbb{R}^{d\times d}$, $W_{V,h}\in\mathbb{R}^{d\times k}$, $w=(w_1,\dots,w_H)\in\mathbb{R}^{Hk}$,
and $\sigma$ $L_\sigma$-Lipschitz with $\sigma(0)=0$.  In the class $%(F)s$ every score matrix $W_{QK}$
has rank at most $r_w$ and $\|W_{QK}\|_F\le B_{QK}$, every value matrix $W_V$ rank at most $r_v$ and
$\|W_V\|_F\le B_V$, and $\|w\|_2\le B_w$; $\theta$ collects all the weights.  $%(hidden)s$ and $%(readout)s$
denote the maps of token matrices a hidden layer and the readout compute.  The weights form
$m = %(m)s$ parameter blocks in five groups of identical blocks (the groups of the theorem's table):
\begin{center}
\begin{tabular}{lll}
group & blocks & each block in \\ \hline
%(groups)s
\end{tabular}
\end{center}
where
\begin{align*}
%(sets)s
\end{align*}
The layer lemmas of Section~\ref{sec:lemmas} make a hidden layer $\rho$-Lipschitz and the readout
$\Lambda$-Lipschitz in their input tokens (in $\|X\|_{2,\infty}=\max_t\|x_t\|_2$), with
\begin{align*}
  \rho &:= 1 + H B_V\left(1 + 2 c_{\mathrm{sm}} B_X^2 B_{QK}\right) = %(rho)s, \\
  \Lambda &:= \sqrt{H} L_\sigma B_w B_V\left(1 + 2 c_{\mathrm{sm}} B_X^2 B_{QK}\right) = %(Lam)s
\end{align*}
at the softmax constant $c_{\mathrm{sm}} = %(c_sm)s$ of this chain; a change in hidden layer $l$ reaches the
output multiplied by $\Lambda\rho^{L-1-l}\le\Lambda\rho^{L-2}$.  Since each $p_h$ is a convex combination,
$|f(X)|\le\sum_h\|w_h\|_2 L_\sigma B_V B_X\le\sqrt{H} B_f$ with $B_f := L_\sigma B_w B_V B_X$.  """ + _SETTING_TAIL

_NOTE = r"""\noindent\textbf{About this document.}  It is generated by \texttt{rankbound latex}.  The body of
L.~V.~Truong, \emph{On Rank-Dependent Generalisation Error Bounds for Transformers}
(arXiv:2410.11500, 2024) was not available: the chain below is rankbound's \emph{reconstruction} from
the standard results the paper builds on.  The constants of reconstructed and derived steps are
rankbound's choices (named and overridable), not the paper's words; borrowed results are cited.
Variant: \texttt{%(variant)s} (%(description)s).
"""


def _doc_lemmas(th) -> list[Lemma]:
    own = {th.lemma.name, th.covering_lemma.name}
    return [lem for lem in lemmas.all_lemmas() if "[" not in lem.name or lem.name in own]


def document(variant: str = "default", evaluation=None, budget: float = LINE_WIDTH, theorem=None) -> str:
    """A standalone LaTeX article: setting, every lemma, both chains, obligations, theorem, values.

    ``evaluation`` is the value table, as data: an evaluated bound of this variant (what
    ``numeric.evaluate(variant=...)`` returns, or any object with its attributes ``value``,
    ``rademacher``, ``confidence``, ``blocks``, ``dps``, ``params``, ``vacuous``).  Without it the
    document has no values section.  ``budget`` is the display width in
    :func:`lemmas.printing.width` units.  ``theorem`` is the composed theorem to write up (default: the
    single-head ``derive.theorem(variant)``; e.g. ``derive.deep_theorem()`` for H heads and L layers).
    """
    import derive
    from ..theorems import theorem as _single
    derive.register_derived()
    th = theorem if theorem is not None else _single(variant)
    deep = th.lemma.name.startswith("deep-theorem")
    docs = _doc_lemmas(th)
    labels = {}
    for lem in docs:
        lab = label(lem.name)
        if lab in labels.values():
            raise LatexError(f"two lemmas share the label {lab}")
        labels[lem.name] = lab

    def ref(name: str) -> str:
        if name not in labels:
            raise LatexError(f"the document refers to lemma {name!r}, which it does not state")
        return labels[name]

    sets = {euclidean_ball(k, B_w): r"\Theta_{w}", lowrank_ball(d, k, r_v, B_V): r"\Theta_{V}",
            lowrank_ball(d, d, r_w, B_QK): r"\Theta_{QK}"}
    if deep:
        sets.update(_DEEP_NAMES)
    plain = HousePrinter()
    compact = dict(sets)
    compact.update(block_map(th, compact=True))
    names = theorem_abbreviations(th)
    p = house_printer(compact, abbreviate=names)

    heading = (r"\title{A generalisation bound for transformers with $H$ heads and $L$ layers"
               r"\\\large beyond Truong (2024): MATH.md section 8, composed by rankbound}" if deep else
               r"\title{The rank-dependent generalisation bound for single-head transformers"
               r"\\\large a reconstruction of Truong (2024), composed by rankbound}")
    out = [PREAMBLE, heading,
           r"\date{}", r"\begin{document}", r"\maketitle",
           _NOTE % {"variant": text(th.variant.name), "description": text(th.variant.description)}
           + (_DEEP_NOTE if deep else "")]
    if deep:
        out.append(_deep_setting(th, sets, ref("logplus-sqrt-integral")))
    else:
        out.append(_SETTING % {"Tw": plain._print(euclidean_ball(k, B_w)),
                               "TV": plain._print(lowrank_ball(d, k, r_v, B_V)),
                               "TQK": plain._print(lowrank_ball(d, d, r_w, B_QK)),
                               "integral": ref("logplus-sqrt-integral")})

    out.append(r"\section{Lemmas}\label{sec:lemmas}")
    out.append(r"Every registered lemma, by family.  A lemma's hypotheses that are not discharged along a "
               r"derivation become the assumptions of Section~\ref{sec:obligations}.")
    fams = sorted({lem.family for lem in docs}, key=lambda f: (_FAMILY_ORDER.index(f) if f in _FAMILY_ORDER
                                                                 else len(_FAMILY_ORDER), f))
    for fam in fams:
        out.append(r"\subsection{%s}" % text(_FAMILY_TITLE.get(fam, fam.capitalize())))
        for lem in (x for x in docs if x.family == fam):
            out.append(lemma_latex(lem, abbreviate=names, compact=True, display=sets))

    out.append(r"\section{The covering number of the class}\label{sec:covering}")
    out.append(r"The steps of \texttt{%s}; each line is implied by the previous one and the lemma "
               r"named on its right." % text(th.covering_lemma.name))
    out.append(derivation_latex(th.covering, ref=ref, display=compact, abbreviate=names, budget=budget))

    out.append(r"\section{The generalisation bound}\label{sec:chain}")
    out.append(r"The steps of \texttt{%s}, with $I$ as in Section~\ref{sec:setting}." % text(th.lemma.name))
    out.append(derivation_latex(th.derivation, ref=ref, display=compact, abbreviate=names, budget=budget,
                                trailing=(th.confidence,)))

    out.append(r"\section{Assumptions carried by the theorem}\label{sec:obligations}")
    obligations = th.obligations
    if obligations:
        out.append(r"No lemma discharged these hypotheses; the theorem assumes them.")
        for i, o in enumerate(obligations, 1):
            cond = "" if o.condition is None else condition_latex(o.condition, p)
            srcs = ", ".join(r"Lemma~\ref{%s}" % ref(nm) for nm in o.lemma.split(", "))
            out.append(r"\begin{assumption}\label{asm:%d}%s%s \hfill(from %s)\end{assumption}"
                       % (i, statement_latex(o.hypothesis), cond, srcs))
        asm = (r"Under Assumptions~\ref{asm:1}--\ref{asm:%d}" % len(obligations)) if len(obligations) > 1 \
            else r"Under Assumption~\ref{asm:1}"
    else:
        out.append("Every hypothesis was discharged.")
        asm = "Unconditionally"

    out.append(r"\section{The theorem}\label{sec:theorem}")
    out.append(r"\begin{theorem}[%s; constants are rankbound's choices]\label{thm:main}"
               % ("derived beyond Truong (2024)" if deep else "reconstructed"))
    out.append(r"%s, with probability at least $1-\delta$ over $S$, for all %s:"
               % (asm, r"weights $\theta$ of $%s$" % _DEEP_NAMES[deep_class()] if deep else r"$\theta\in\Theta$"))
    out.append(lines_env(r"L(\theta)", r"\le", bound_display(th, compact=True), p, budget,
                          lead=r"\widehat{L}_S(\theta)"))
    if deep:
        rows = r" \\ ".join(r"\text{%s} & %s & %s" % (prose(b.name), p._print(b.D), p._print(b.C))
                            for b in th.blocks)
        out.append(r"where $I$ is as in Section~\ref{sec:setting}, $U = %s$ (the output bound), $B_f$, $\rho$, "
                   r"$\Lambda$ and the number of blocks $m = %s$ are as there, and the five groups of parameter "
                   r"blocks contribute" % (p._print(th.blocks[0].U), plain._print(_blocks(th))))
        out.append(r"\[ \begin{array}{lll} \text{group } j & D_j & C_j \\ \hline %s \end{array} \]" % rows)
    else:
        rows = r" \\ ".join(r"%s & %s & %s" % (b.name if b.name != "QK" else "QK", p._print(b.D), p._print(b.C))
                            for b in th.blocks)
        out.append(r"where $B_f = L_\sigma B_w B_V B_X$, $I$ is as in Section~\ref{sec:setting}, $U = %s$, and"
                   % p._print(th.blocks[0].U))
        out.append(r"\[ \begin{array}{lll} j & D_j & C_j \\ \hline %s \end{array} \]" % rows)
    if deep:        # the named sums of the setting stay named; the rest is written out
        out.append(r"Written out, with $\rho$ and $m$ as in Section~\ref{sec:setting} (\texttt{rankbound latex "
                   r"--expr} prints them expanded):")
        written = house_printer(abbreviate=[(e, t) for e, t in names if isinstance(e, sympy.Add)])
    else:
        out.append(r"Written out (this is \texttt{rankbound latex --expr}):")
        written = house_printer()
    out.append(lines_env(r"L(\theta) - \widehat{L}_S(\theta)", r"\le", bound_display(th), written, budget))
    out.append(r"\end{theorem}")
    out.append(r"\begin{proof} This is Lemma~\ref{%s}, composed in Sections~\ref{sec:covering} "
               r"and~\ref{sec:chain}. \end{proof}" % ref(th.lemma.name))

    if evaluation is not None:
        out += _values_section(evaluation, _DEEP_NAMES[deep_class()] if deep else r"\mathcal{F}_{\Theta}")
    out.append(r"\end{document}")
    return "\n\n".join(out) + "\n"


#: the deep document's names of its class, its layer maps and the sets of its parameter blocks
_DEEP_NAMES = {deep_class(): r"\mathcal{F}_{\mathrm{deep}}", hidden_layer(): r"\mathcal{F}_{\mathrm{hidden}}",
               readout_layer(): r"\mathcal{F}_{\mathrm{readout}}", READOUT_W_SET: r"\Theta_{w}^{(H)}",
               HIDDEN_V_SET: r"\Theta_{V}^{(d)}"}

_DEEP_NOTE = r"""The theorem for $H$ heads and $L$ layers goes beyond the paper, which treats one layer and one
head: its layer lemmas and their constants are rankbound's derivation (MATH.md section~8); at $H=L=1$ it
is the single-head theorem.  Its output bound, and so Dudley's upper limit, is $\sqrt{H} B_f$.
"""


def _blocks(th):
    """The number of parameter blocks of the deep class, ``1 + 2 H L``."""
    return sympy.expand(sympy.Add(*[M for *_, M in DEEP_GROUPS]))


def _deep_setting(th, sets: dict, integral: str) -> str:
    """The setting section of the H-head, L-layer document: the model, the five groups, rho and Lambda
    (``sets``: the document's names of sets, defined here)."""
    plain = HousePrinter()
    named = HousePrinter({"display": sets})
    groups, defs = [], []
    for name, group_set, _, mult in DEEP_GROUPS:
        groups.append(r"%s & $%s$ & $%s$ \\" % (prose(name), plain._print(mult), named._print(group_set)))
        tex = named._print(group_set)
        if tex not in [d_[0] for d_ in defs]:
            defs.append((tex, plain._print(group_set)))
    abbreviations = dict((tex, expr) for expr, tex in theorem_abbreviations(th))
    rho, lam = abbreviations[r"\rho"], abbreviations[r"\Lambda"]
    c_sm = sympy.solve(sympy.Eq(depth.rho, rho), C_SM)
    if len(c_sm) != 1 or sympy.expand(depth.Lam.subs(C_SM, c_sm[0]) - lam) != 0:
        raise LatexError(f"cannot read the softmax constant off rho = {rho} and Lambda = {lam}")
    return _DEEP_SETTING % {
        "F": _DEEP_NAMES[deep_class()], "hidden": _DEEP_NAMES[hidden_layer()],
        "readout": _DEEP_NAMES[readout_layer()], "m": plain._print(_blocks(th)), "groups": "\n".join(groups),
        "sets": " \\\\\n".join(r"  %s &= %s" % d_ for d_ in defs), "rho": plain._print(rho),
        "Lam": plain._print(lam), "c_sm": plain._print(c_sm[0]), "integral": integral}


def _values_section(evaluation, cls: str) -> list[str]:
    """The values section: parameters, the table of :func:`evaluation_rows`, vacuous or not."""
    plain = HousePrinter()
    out = []
    out.append(r"\section{The bound at the default parameters}\label{sec:values}")
    params = evaluation.params.as_strings() if hasattr(evaluation.params, "as_strings") else \
        {k2: str(v) for k2, v in dict(evaluation.params).items()}
    prow = ", ".join(r"$%s = %s$" % (plain._print(Symbol(k2)), text(v)) for k2, v in params.items())
    out.append(r"Parameters: %s.  Values from \texttt{numeric.evaluate} at %d significant digits "
               r"(shown to 10)." % (prow, evaluation.dps))
    out.append(r"\begin{center}")
    out.append(r"\begin{tabular}{lr}")
    out.append(r"quantity & value \\ \hline")
    for lab_, val in evaluation_rows(evaluation, cls=cls):
        out.append(r"$%s$ & $%s$ \\" % (lab_, val))
    out.append(r"\end{tabular}")
    out.append(r"\end{center}")
    vac = bool(evaluation.vacuous)
    out.append(r"The loss takes values in $[0, c]$ with $c = %s$, so at these parameters the bound is %s."
               % (text(params["c"]), r"\emph{vacuous} (it is at least $c$)" if vac else "non-vacuous"))
    return out
