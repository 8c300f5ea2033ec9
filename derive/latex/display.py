r"""Displays of composed results: the final bound in paper form, derivation chains, theorems.

:func:`bound_display` reads the theorem's blocks off its bound and rebuilds it, unevaluated, as
``prefactor (sum_j sqrt(D_j) I(C_j, U)) + confidence`` (checking the pieces recompose the bound
exactly); :func:`bound_latex` prints it; :func:`derivation_latex` prints a chain of
(in)equalities annotated with the lemmas applied.  :func:`theorem_display` is the display
provider (see :func:`lemmas.printing.register_display`) through which a composed theorem's
lemma prints its bound in paper form wherever lemmas are printed.

Examples
--------
>>> import derive
>>> from derive.latex.display import bound_latex
>>> bound_latex(derive.theorem()).endswith(r"+ 3 c \sqrt{\frac{\log(2/\delta)}{2 n}}")
True
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import sympy
from sympy import Add, Mul, Pow, S, pi, sqrt

from lemmas.core import Lemma
from lemmas.objects import logplus
from lemmas.printing import (LINE_WIDTH, DudleyIntegral, LatexError, OrderedAdd, OrderedMul, house_printer, pack,
                             pieces, text, width)

from ..engine import Derivation

__all__ = ["bound_display", "bound_latex", "block_map", "theorem_of", "theorem_display", "derivation_latex"]


def _block_display(block, compact: bool):
    """``sqrt(D) I(C, U)``: compact with :class:`DudleyIntegral`, else I written out with log+.

    ``I(C, U) = U sqrt(log+(C/U)) + C (sqrt(pi)/2) erfc(sqrt(log+(C/U)))`` for all C, U > 0: for
    C > U it is MATH.md's closed form, and for C <= U log+ vanishes and it is C sqrt(pi)/2.
    """
    C, U = block.C, block.U
    root = Pow(block.D, S.Half, evaluate=False)
    if compact:
        return OrderedMul(root, DudleyIntegral(C, U))
    lp = logplus(sympy.cancel(C / U))
    I = OrderedAdd(OrderedMul(U, sqrt(lp)), OrderedMul(C, sqrt(pi) / 2, sympy.erfc(sqrt(lp))))
    return OrderedMul(root, I)


def bound_display(theorem, compact: bool = False):
    """The final bound as an (unevaluated) expression in the paper's form.

    ``prefactor * (sum_j sqrt(D_j) I(C_j, U)) + confidence``, read off the theorem's blocks; the
    function checks that the pieces recompose the theorem's bound exactly and raises
    :class:`LatexError` if they do not.
    """
    integrals = [b.integral for b in theorem.blocks]
    rad = theorem.rademacher_term
    if Add(rad, theorem.confidence) != theorem.bound:
        raise LatexError("the theorem's bound is not its Rademacher term plus its confidence term")
    group = [f for f in Mul.make_args(rad) if isinstance(f, Add) and set(f.args) == set(integrals)]
    if len(group) != 1:
        raise LatexError(f"cannot find the Dudley blocks {integrals} as one sum in the Rademacher term {rad}")
    prefactor = Mul(*[f for f in Mul.make_args(rad) if f is not group[0]])
    if Mul(prefactor, group[0]) != rad:
        raise LatexError("the Rademacher term is not prefactor * (sum of blocks)")
    blocks = OrderedAdd(*[_block_display(b, compact) for b in theorem.blocks])
    return OrderedAdd(OrderedMul(prefactor, blocks), theorem.confidence)


def block_map(theorem, compact: bool) -> dict:
    """The display map of the theorem's Dudley blocks: each block's integral -> ``sqrt(D) I(C, U)``."""
    return {b.integral: _block_display(b, compact) for b in theorem.blocks}


def bound_latex(theorem=None, variant: str = "default", compact: bool = False, abbreviate: bool = False) -> str:
    r"""The final bound in paper form (math mode; what ``rankbound latex --expr`` prints).

    >>> from derive.latex import bound_latex
    >>> tex = bound_latex()
    >>> tex.endswith(r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}")
    True
    """
    if theorem is None:
        from ..theorems import theorem as _theorem
        theorem = _theorem(variant)
    return house_printer(abbreviate=abbreviate)._print(bound_display(theorem, compact))


def theorem_of(lemma: Lemma):
    """The composed theorem whose lemma this is (default constants), or None."""
    if lemma.family != "theorem":
        return None
    from ..theorems import VARIANTS, theorem
    name = lemma.name
    variant = "default"
    if "[" in name:
        variant = name[name.index("[") + 1:-1]
        if variant not in VARIANTS:
            return None
    th = theorem(variant)
    return th if th.lemma is lemma else None


def derivation_latex(der: Derivation, ref: Callable[[str], str] | None = None, display: Mapping | None = None,
                     abbreviate: bool = False, budget: float = LINE_WIDTH, env: str | None = None,
                     trailing: Iterable = ()) -> str:
    r"""A derivation as a chain of (in)equalities, each step annotated with the lemma it applies.

    Without ``ref`` the chain is an ``aligned`` block (math mode, for Jupyter) annotated
    ``\text{by name}``; with ``ref`` (a function from a lemma name to a ``\ref`` target) it is
    an ``align*`` environment with ``\tag*{by Lemma~\ref{...}}`` and ``\intertext`` lines for
    the steps that establish facts (text mode, for documents).
    """
    p = house_printer(display, abbreviate, trailing=trailing)
    document_mode = ref is not None
    env = env or ("align*" if document_mode else "aligned")
    lhs = p._print(der.lhs)
    budget = max(budget - width(lhs) - 12, 30)      # room for the left side and the annotation
    rows, pre = [], []
    started = False
    for s in der.steps:
        if s.kind == "establish":
            facts = ", ".join("$%s$" % p._print(a) for a in s.instance.provides) or "its hypotheses"
            if document_mode:
                line = r"Lemma~\ref{%s} establishes %s." % (ref(s.lemma.name), facts)
                (rows.append(r"\intertext{%s}" % line) if rows else pre.append(line))
            else:
                rows.append(r"&& \text{(%s establishes its facts)}" % text(s.lemma.name))
            continue
        rel = r"\le" if s.relation == "<=" else "="
        lines = pack(pieces(s.after, p, budget), budget)
        for i, ln in enumerate(lines):
            head = (lhs + " ") if not started else ""
            started = True
            body = (r"%s&%s %s" % (head, rel, ln)) if i == 0 else r"&\quad %s" % ln
            if i == 0:
                body += (r" \tag*{by Lemma~\ref{%s}}" % ref(s.lemma.name)) if document_mode else \
                    r" && \text{by %s}" % text(s.lemma.name)
            rows.append(body)
    body = ""
    for r in rows:
        if body:
            body += "\n" if body.endswith("}") and body.rsplit("\n", 1)[-1].startswith(r"\intertext") \
                else " \\\\\n"
        body += r
    out = "\\begin{%s}\n%s\n\\end{%s}" % (env, body, env)
    if pre:
        out = "\n".join(pre) + "\n" + out
    return out


def theorem_display(lemma: Lemma, compact: bool = False):
    """Display provider: a composed theorem's lemma prints its Dudley blocks in paper form.

    Returns ``(display, trailing)`` for the lemma of a composed theorem (its blocks as
    ``sqrt(D) I(C, U)``, the confidence term last) and ``None`` for any other lemma.
    """
    th = theorem_of(lemma)
    if th is None:
        return None
    return block_map(th, compact=compact), (th.confidence,)
