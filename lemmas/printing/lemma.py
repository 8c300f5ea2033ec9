r"""Facts in LaTeX: :func:`latex` (an expression or a lemma, math mode) and :func:`lemma_latex`.

A lemma prints its conclusion; :func:`lemma_latex` prints the whole fact as a numbered
``lemma`` environment (hypotheses, conclusion, constants, source).  Layers above the facts
can change how a lemma's conclusion is displayed without this package knowing them: a
*display provider* registered with :func:`register_display` maps a lemma to a display map and
trailing terms (the composed theorem's lemma, for instance, prints its Dudley blocks in the
paper's ``log+`` form rather than as SymPy's cases).

Examples
--------
>>> import sympy
>>> from lemmas.printing import latex, lemma_latex
>>> from lemmas.symbols import c, delta, n
>>> latex(3 * c * sympy.sqrt(sympy.log(2 / delta) / (2 * n)))
'3 c \\sqrt{\\frac{\\log(2/\\delta)}{2 n}}'
>>> import lemmas
>>> latex(lemmas.get("contraction"))
'\\widehat{\\mathfrak{R}}_{S}\\left(\\ell\\circ F\\right) \\le L_{\\ell} \\widehat{\\mathfrak{R}}_{S}\\left(F\\right)'
>>> lemma_latex("contraction").splitlines()[0]
'\\begin{lemma}[{\\texttt{contraction}}]\\label{lem:contraction}'
"""

from __future__ import annotations

from typing import Callable, Mapping

import sympy
from sympy import Basic

from ..core import Hypothesis, Lemma, LemmaError, get, names
from .layout import LINE_WIDTH, lines_env, width
from .printer import HousePrinter, LatexError, house_printer, relation_tex
from .prose import prose
from .text import label, text, tt

__all__ = ["latex", "lemma_latex", "hypothesis_latex", "statement_latex", "condition_latex",
           "register_display", "lemma_display"]

#: ``provider(lemma, compact) -> (display map, trailing terms)`` or None, first answer wins
_PROVIDERS: list[Callable] = []


def register_display(provider: Callable) -> Callable:
    """Register a display provider (idempotent) and return it.

    ``provider(lemma, compact)`` returns ``None`` for lemmas it does not know, else a pair
    ``(display, trailing)``: a :class:`~lemmas.printing.printer.HousePrinter` ``display`` map
    (exact subexpression -> expression or raw LaTeX printed instead; ``compact`` asks for the
    document's short forms) and the terms to print last in any sum.  Providers must print
    expressions *equal* to the ones they replace.
    """
    if not callable(provider):
        raise TypeError(f"register_display() takes a callable, got {type(provider).__name__}")
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def lemma_display(lemma: Lemma, compact: bool = False) -> tuple[dict, tuple]:
    """The display map and trailing terms the registered providers give ``lemma`` (empty if none)."""
    for provider in _PROVIDERS:
        got = provider(lemma, compact)
        if got is not None:
            display, trailing = got
            return dict(display), tuple(trailing)
    return {}, ()


def latex(obj, **settings) -> str:
    r"""Math-mode LaTeX of a SymPy expression (or Python number) or of a lemma's conclusion.

    ``settings`` go to :class:`~lemmas.printing.printer.HousePrinter`; a lemma's conclusion is
    printed with the display its providers give (see :func:`register_display`).
    """
    if isinstance(obj, Lemma):
        display = dict(settings.pop("display", None) or {})
        display.update(lemma_display(obj, compact=False)[0])
        return HousePrinter(dict(settings, display=display))._print(obj.conclusion)
    if isinstance(obj, (Basic, int, float)):
        return HousePrinter(settings).doprint(sympy.sympify(obj))
    raise LatexError(f"latex() cannot typeset a {type(obj).__name__}")


def statement_latex(hypothesis: Hypothesis) -> str:
    """A hypothesis' statement as LaTeX text: its ``latex`` if given, else its ``statement`` typeset."""
    return hypothesis.latex or prose(hypothesis.statement)


def hypothesis_latex(hypothesis: Hypothesis, printer: HousePrinter | None = None) -> str:
    r"""A hypothesis as LaTeX text: its statement, then its SymPy condition (if any) in brackets.

    The statement is the hypothesis' ``latex`` when it has one, else its ASCII ``statement``
    typeset by :func:`~lemmas.printing.prose.prose`; the condition is printed by ``printer``
    (the house printer by default).

    >>> from lemmas.core import Hypothesis
    >>> from lemmas.symbols import delta
    >>> hypothesis_latex(Hypothesis("delta", "0 < delta < 1", delta < 1))
    '$0 < \\delta < 1$ \\quad $\\bigl[\\delta < 1\\bigr]$'
    """
    if hypothesis.condition is None:
        return statement_latex(hypothesis)
    return statement_latex(hypothesis) + condition_latex(hypothesis.condition, printer)


#: conditions wider than this (in :func:`~lemmas.printing.layout.width` units) start a new line
WIDE_CONDITION = 0.45 * LINE_WIDTH


def condition_latex(condition, printer: HousePrinter | None = None) -> str:
    r"""A hypothesis' SymPy condition, to follow its statement: `` \quad $\bigl[...\bigr]$``.

    A wide condition starts a line of its own (``\newline``), where LaTeX can break it at its
    relations and at its arguments' commas.
    """
    printer = printer if printer is not None else HousePrinter()
    tex = printer._print(condition)
    sep = r"\newline " if width(tex) > WIDE_CONDITION else r" \quad "
    return r"%s$\bigl[%s\bigr]$" % (sep, tex)


_KIND_NOTE = {
    "borrowed": "",
    "reconstructed": ("Reconstructed in rankbound (the paper's text was not available); its constants are "
                      "rankbound's choices, not the paper's words."),
    "derived": "Derived in rankbound; its constants are rankbound's choices, not the paper's words.",
}


def lemma_latex(lemma: Lemma | str, abbreviate=False, compact: bool = False,
                display: Mapping | None = None, budget: float = LINE_WIDTH) -> str:
    r"""A lemma as a numbered ``lemma`` environment: hypotheses, conclusion, constants, source.

    The environment is the one the document's preamble defines (amsthm ``\newtheorem{lemma}``);
    its label is :func:`~lemmas.printing.text.label` of the lemma's name.  With
    ``abbreviate``/``compact`` the conclusion uses the document's abbreviations (``B_f``,
    ``I(C, U)``), defined there; ``abbreviate`` may also be the printer's ``abbreviations``
    setting itself (the H-head, L-layer document's ``Lambda``, ``B_f``, ``rho``, ``m``).
    """
    if isinstance(lemma, str):
        try:
            lemma = get(lemma)
        except LemmaError as exc:
            raise LatexError(str(exc)) from None
    disp = dict(display or {})
    extra, trailing = lemma_display(lemma, compact=compact)
    disp.update(extra)
    p = house_printer(disp, abbreviate, trailing=trailing)
    # the head holds only the name (braced: a name may hold brackets); the title, which may hold
    # mathematics, goes in the body, where LaTeX can break its lines (amsthm sets the head in a box)
    raw_title = lemma.title
    prefix = "WHAT-IF, NOT A THEOREM: "
    if raw_title.startswith(prefix):
        raw_title = raw_title[len(prefix):]
    title = prose(raw_title)
    out = [r"\begin{lemma}[{\texttt{%s}}]\label{%s}" % (tt(lemma.name), label(lemma.name))]
    if lemma.what_if:
        out.append(r"\textbf{What-if, not a theorem:} %s." % text(lemma.what_if))
    out.append(r"\emph{%s%s}" % (title, "" if title.endswith(".") else "."))

    if lemma.hypotheses:
        out.append(r"\par\noindent If")
        out.append(r"\begin{itemize}")
        for h in lemma.hypotheses:
            item = hypothesis_latex(h, p)
            out.append(r"\item %s%s" % ("{}" if item.startswith("[") else "", item))  # not \item's [label]
        out.append(r"\end{itemize}")
        out.append("then" if lemma.failure == 0 else
                   r"then, with probability at least $1 - %s$ over the sample," % p._print(lemma.failure))
    elif lemma.failure != 0:
        out.append(r"With probability at least $1 - %s$ over the sample," % p._print(lemma.failure))
    concl = lemma.conclusion
    if isinstance(concl, sympy.core.relational.Relational):
        out.append(lines_env(p._print(concl.lhs), relation_tex(concl.rel_op), concl.rhs, p, budget))
    else:
        out.append(r"\[ %s \]" % p._print(concl))
    if lemma.constants:
        consts = "; ".join(r"$%s = %s$ (%s)" % (p._print(c.symbol), p._print(sympy.sympify(c.default)),
                                                  text(c.description)) for c in lemma.constants)
        out.append(r"\par\noindent\emph{Constants} (named, overridable): %s." % consts)
    src = lemma.source
    out.append(r"\par\noindent\emph{Source:} %s." % text(src.citation))
    if src.derivation:
        out.append(r"\emph{Derivation:} %s." % text(src.derivation))
    if _KIND_NOTE[src.kind]:
        out.append(r"\emph{%s}" % _KIND_NOTE[src.kind])
    if lemma.variant_of:
        out.append(r"Variant of Lemma~\ref{%s}." % label(lemma.variant_of)
                   if lemma.variant_of in names() else r"Variant of \texttt{%s}." % text(lemma.variant_of))
    if lemma.wrong:
        out.append(r"\textbf{Deliberately wrong}: kept only to test the checkers; never used by a derivation.")
    if lemma.notes:
        out.append(text(lemma.notes))
    out.append(r"\end{lemma}")
    return "\n".join(out)
