r"""Evaluated bounds as LaTeX tables (for ``_repr_latex_`` and the document's values section).

Everything here reads an evaluation object's attributes (``value``, ``rademacher``,
``confidence``, ``blocks`` with ``name``/``D``/``C``/``integral``, ``variant``, ``dps``); nothing
evaluates: the numbers come from the caller (``numeric.evaluate``, a layer above).

Examples
--------
>>> number_tex(64)
'64'
>>> number_tex(0.000123456789012, digits=4)
'1.235 \\times 10^{-4}'
"""

from __future__ import annotations

import mpmath

from lemmas.printing import prose, text

__all__ = ["number_tex", "evaluation_rows", "evaluation_array", "evaluation_table"]


def number_tex(x, digits: int = 10) -> str:
    """A number as LaTeX: integers exactly, others to ``digits`` significant digits."""
    x = mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x
    if mpmath.isint(x) and abs(x) < mpmath.mpf(10) ** 15:
        return str(int(x))
    s = mpmath.nstr(x, digits, min_fixed=-4, max_fixed=digits)
    if "e" in s:
        mant, exp = s.split("e")
        return r"%s \times 10^{%d}" % (mant, int(exp))
    return s


def evaluation_rows(ev, digits: int = 10, cls: str = r"\mathcal{F}_{\Theta}") -> list[tuple[str, str]]:
    """``(label, value)`` pairs, both math-mode LaTeX: the bound, its two terms, then each block.

    ``cls`` is the LaTeX of the class (the H-head, L-layer document's is ``\\mathcal{F}_{\\mathrm{deep}}``);
    a block named in words (``readout w``) is typeset as prose."""
    rows = [
        (r"\text{bound on } L(\theta) - \widehat{L}_S(\theta)", number_tex(ev.value, digits)),
        (r"\text{Rademacher term } 2\,\widehat{\mathfrak{R}}_{S}(\ell\circ%s)" % cls,
         number_tex(ev.rademacher, digits)),
        (r"\text{confidence term}", number_tex(ev.confidence, digits)),
    ]
    for b in ev.blocks:
        head = r"\text{block } %s:" % b.name if " " not in b.name else r"\text{block %s:}" % prose(b.name)
        rows.append((r"%s\ D,\ C,\ \sqrt{D}\,I(C, U)" % head,
                     r"%s,\ %s,\ %s" % (number_tex(b.D, digits), number_tex(b.C, digits),
                                          number_tex(b.integral, digits))))
    return rows


def evaluation_array(ev, digits: int = 10) -> str:
    """The rows of :func:`evaluation_rows` under a heading, as a math-mode ``array``."""
    rows = evaluation_rows(ev, digits)
    head = r"\text{variant %s, %d digits}" % (text(str(ev.variant)), ev.dps)
    if getattr(ev, "what_if", ""):
        head = r"\text{WHAT-IF, NOT A THEOREM: lowered proof constants; }" + head
    body = r" \\ ".join("%s & %s" % r for r in rows)
    return r"\begin{array}{lr} %s & \\ \hline %s \end{array}" % (head, body)


def evaluation_table(evaluation, digits: int = 10) -> str:
    r"""An evaluated bound as ``$\displaystyle\begin{array}...\end{array}$`` (ready for ``_repr_latex_``).

    Works in Jupyter (MathJax) and in a LaTeX document alike.
    """
    return r"$\displaystyle %s$" % evaluation_array(evaluation, digits)
