r"""LaTeX of composed results, and documents that compile.

The house printer, the line layout and the printing of expressions and lemmas live with the
facts, in :mod:`lemmas.printing`; this package builds on them for what needs derivations:
the final bound in paper form (:func:`bound_latex`, :mod:`.display`), derivation chains
(:func:`derivation_latex`), evaluated bounds (:func:`evaluation_table`, :mod:`.evaluation`) and
the standalone article (:func:`document`, :mod:`.article`).  The printing names of
:mod:`lemmas.printing` are re-exported, so ``from derive import latex as L`` gives them all.

Importing this package registers :func:`~derive.latex.display.theorem_display` with
:func:`lemmas.printing.register_display`, so a composed theorem's lemma prints its bound in
paper form wherever lemmas are printed.

Examples
--------
>>> import sympy
>>> from derive.latex import latex
>>> from lemmas.symbols import c, delta, n
>>> latex(3 * c * sympy.sqrt(sympy.log(2 / delta) / (2 * n)))
'3 c \\sqrt{\\frac{\\log(2/\\delta)}{2 n}}'
>>> from lemmas.objects import logplus
>>> latex(logplus(9 * c / n))
'\\log_+\\!\\left(\\frac{9 c}{n}\\right)'

References
----------
.. [Tru24] L. V. Truong, "On Rank-Dependent Generalisation Error Bounds for Transformers",
   arXiv:2410.11500, 2024 (reconstructed; see MATH.md).
"""

from __future__ import annotations

from lemmas import printing as _printing
from lemmas.printing import (B_F_ABBREVIATION, LINE_WIDTH, SYMBOL_TEX, DudleyIntegral, HousePrinter, LatexError,
                             OrderedAdd, OrderedMul, house_printer, label, lemma_latex, lines_env, pack, pieces,
                             register_display, text, width)

from ..engine import Derivation
from .display import bound_display, bound_latex, derivation_latex, theorem_abbreviations, theorem_display
from .article import PREAMBLE, document
from .evaluation import evaluation_array, evaluation_table

__all__ = ["HousePrinter", "LatexError", "DudleyIntegral", "OrderedMul", "OrderedAdd", "latex", "bound_latex",
           "bound_display", "theorem_abbreviations", "lemma_latex", "derivation_latex", "evaluation_table",
           "document", "label", "text", "PREAMBLE", "B_F_ABBREVIATION", "LINE_WIDTH", "SYMBOL_TEX", "house_printer",
           "lines_env", "pack", "pieces", "width"]

register_display(theorem_display)


def latex(obj, **settings) -> str:
    r"""Math-mode LaTeX of a SymPy expression, a lemma, a derivation, a theorem or an evaluation.

    A lemma prints its conclusion (a composed theorem's lemma with its bound in paper form); a
    derivation prints as an ``aligned`` chain annotated with the lemma names; a theorem prints
    ``sup_f (L(f) - L_S(f)) <= bound`` in paper form; an evaluation prints as an ``array``.
    ``settings`` go to :class:`HousePrinter`.  Expressions and lemmas go to
    :func:`lemmas.printing.latex`.
    """
    from ..theorems import Theorem
    if isinstance(obj, Theorem):
        p = HousePrinter(settings)
        tex = r"%s \le %s" % (p._print(obj.derivation.lhs), p._print(bound_display(obj)))
        return tex if not obj.what_if else r"\text{(what-if, not a theorem)}\quad " + tex
    if isinstance(obj, Derivation):
        return derivation_latex(obj, **settings)
    if hasattr(obj, "blocks") and hasattr(obj, "confidence") and hasattr(obj, "dps"):
        return evaluation_array(obj)
    return _printing.latex(obj, **settings)
