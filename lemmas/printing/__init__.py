r"""The printing of facts: rankbound's house LaTeX printer, line layout, lemmas in LaTeX.

Everything here needs only :mod:`lemmas`: the printer class
(:class:`~lemmas.printing.printer.HousePrinter`), the line layout of wide displays
(:mod:`lemmas.printing.layout`), text-mode escaping (:func:`text`, :func:`label`), ASCII
statements typeset with inline math (:func:`prose`) and the printing of SymPy expressions and
lemma values (:func:`latex`, :func:`lemma_latex`, :func:`hypothesis_latex`).
Derivations, theorems and documents are printed by :mod:`derive.latex`, which builds on this.

Examples
--------
>>> from lemmas.printing import latex
>>> from lemmas.objects import logplus
>>> from lemmas.symbols import c, n
>>> latex(logplus(9 * c / n))
'\\log_+\\!\\left(\\frac{9 c}{n}\\right)'
"""

from .printer import (B_F_ABBREVIATION, SYMBOL_TEX, DudleyIntegral, HousePrinter, LatexError, OrderedAdd,
                      OrderedMul, house_printer, relation_tex)
from .layout import LINE_WIDTH, lines_env, name_subexpressions, pack, pieces, width
from .text import label, text, tt
from .prose import prose
from .lemma import (condition_latex, hypothesis_latex, latex, lemma_display, lemma_latex, register_display,
                    statement_latex)

__all__ = ["HousePrinter", "LatexError", "DudleyIntegral", "OrderedMul", "OrderedAdd", "house_printer",
           "relation_tex", "SYMBOL_TEX", "B_F_ABBREVIATION", "LINE_WIDTH", "lines_env", "name_subexpressions",
           "pack", "pieces", "width", "label", "text", "tt", "prose", "latex", "lemma_latex", "hypothesis_latex",
           "statement_latex", "condition_latex", "register_display", "lemma_display"]
