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
from lemmas.printing import (B_F_ABBREVIATION, LINE_WIDTH, DudleyIntegral, LatexError, OrderedAdd, OrderedMul,
                             house_printer, pack, pieces, text, width)

from ..engine import Derivation

__all__ = ["bound_display", "bound_latex", "block_map", "ratio", "theorem_abbreviations", "theorem_of",
           "theorem_display", "derivation_latex"]


def _block_display(block, compact: bool):
    """``sqrt(D) I(C, U)``: compact with :class:`DudleyIntegral`, else I written out with log+.

    ``I(C, U) = U sqrt(log+(C/U)) + C (sqrt(pi)/2) erfc(sqrt(log+(C/U)))`` for all C, U > 0: for
    C > U it is MATH.md's closed form, and for C <= U log+ vanishes and it is C sqrt(pi)/2.
    """
    C, U = block.C, block.U
    root = Pow(block.D, S.Half, evaluate=False)
    if compact:
        return OrderedMul(root, DudleyIntegral(C, U))
    lp = logplus(ratio(C, U))
    I = OrderedAdd(OrderedMul(U, sqrt(lp)), OrderedMul(C, sqrt(pi) / 2, sympy.erfc(sqrt(lp))))
    return OrderedMul(root, I)


def ratio(C, U):
    """``C / U`` in the form the theorem has ``C``: the common factors cancelled, nothing expanded.

    SymPy cancels equal bases by itself (``rho^(L-2)`` stays a power); only a number it would
    distribute over a sum (``3 (2 H L + 1)`` as ``6 H L + 3``) is kept as a product, unevaluated.

    >>> from lemmas.symbols import B_f, H, L
    >>> ratio(3 * B_f * (2 * H * L + 1), B_f), 3 * B_f * (2 * H * L + 1) / B_f
    (3*(2*H*L + 1), 6*H*L + 3)
    """
    r = C / U
    if not isinstance(r, Add):
        return r
    powers: dict = {}
    for sign, side in ((1, C), (-1, U)):
        for f in Mul.make_args(side):
            b, e = f.as_base_exp()
            powers[b] = powers.get(b, 0) + sign * e
    factors = [Pow(b, e) for b, e in powers.items() if e != 0]
    kept = Mul(*factors, evaluate=False) if len(factors) > 1 else r
    return kept if Mul(*factors) == r else r


def theorem_abbreviations(theorem) -> tuple:
    r"""The document's abbreviations for ``theorem`` (the printer's ``abbreviations`` setting).

    ``B_f = L_sigma B_w B_V B_X``; for H heads and L layers also (first) ``Lambda`` and ``rho``, the
    Lipschitz constants the layer lemmas established in the theorem's covering derivation (at the
    chain's softmax constant), and the number of parameter blocks ``m = 1 + 2 H L`` (MATH.md
    section 8).

    >>> import derive
    >>> [tex for _, tex in theorem_abbreviations(derive.deep_theorem())] == [r"\Lambda", "B_{f}", r"\rho", "m"]
    True
    """
    from ..deep import DeepTheorem
    if not isinstance(theorem, DeepTheorem):
        return B_F_ABBREVIATION
    from lemmas.depth import DEEP_GROUPS, hidden_layer, readout_layer
    from lemmas.objects import InputLipschitz

    def constant(layer):
        found = [a.args[1] for a in theorem.covering.facts if isinstance(a, InputLipschitz) and a.args[0] == layer]
        if len(found) != 1:
            raise LatexError(f"the covering derivation has {len(found)} input-Lipschitz facts for {layer}")
        return found[0]
    m = sympy.expand(Add(*[M for *_, M in DEEP_GROUPS]))
    return ((constant(readout_layer()), r"\Lambda"),) + B_F_ABBREVIATION + \
        ((constant(hidden_layer()), r"\rho"), (m, "m"))


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
    abbreviations = theorem_abbreviations(theorem) if abbreviate else ()
    return house_printer(abbreviate=abbreviations)._print(bound_display(theorem, compact))


def theorem_of(lemma: Lemma):
    """The composed theorem whose lemma this is (single-head or H-head L-layer, default constants), or None."""
    if lemma.family != "theorem":
        return None
    from ..deep import deep_theorem
    from ..theorems import VARIANTS, theorem
    name = lemma.name
    variant = "default"
    if "[" in name:
        variant = name[name.index("[") + 1:-1]
        if variant not in VARIANTS:
            return None
    base = name.split("[")[0]
    compose = {"truong-theorem": theorem, "deep-theorem": deep_theorem}.get(base)
    if compose is None:
        return None
    th = compose(variant)
    return th if th.lemma is lemma else None


def derivation_latex(der: Derivation, ref: Callable[[str], str] | None = None, display: Mapping | None = None,
                     abbreviate=False, budget: float = LINE_WIDTH, env: str | None = None,
                     trailing: Iterable = ()) -> str:
    r"""A derivation as a chain of (in)equalities, each step annotated with the lemma it applies.

    Without ``ref`` the chain is an ``aligned`` block (math mode, for Jupyter) annotated
    ``\text{by name}``; with ``ref`` (a function from a lemma name to a ``\ref`` target) it is
    an ``align*`` environment with ``\tag*{by Lemma~\ref{...}}`` and ``\intertext`` lines for
    the steps that establish facts and for a union over a grid (text mode, for documents).  A
    union step changes no bound: it says the statement now holds for every cell of the grid at
    once, and with what failure probability.  A left side wider than 0.4 of the line gets a row
    of its own.  ``abbreviate`` is ``True`` for ``B_f`` or the printer's ``abbreviations``.

    >>> from derive.posthoc import posthoc_theorem
    >>> tex = derivation_latex(posthoc_theorem().derivation, ref=lambda name: "lem:" + name)
    >>> tex.count(r"\tag*"), r"every cell of the grid at once" in tex
    (1, True)
    """
    p = house_printer(display, abbreviate, trailing=trailing)
    document_mode = ref is not None
    env = env or ("align*" if document_mode else "aligned")
    lhs = p._print(der.lhs)
    wide = width(lhs) > 0.4 * budget
    budget = max(budget - (4 if wide else width(lhs)) - 12, 30)   # room for the left side and the annotation
    rows, pre = [], []
    started = False

    def note(line: str) -> None:
        (rows.append(r"\intertext{%s}" % line) if rows else pre.append(line))

    for s in der.steps:
        if s.kind == "establish":
            facts = ", ".join("$%s$" % p._print(a) for a in s.instance.provides) or "its hypotheses"
            if document_mode:
                note(r"Lemma~\ref{%s} establishes %s." % (ref(s.lemma.name), facts))
            else:
                rows.append(r"&& \text{(%s establishes its facts)}" % text(s.lemma.name))
            continue
        if s.kind == "union":
            fail = s.instance.conclusion.rhs
            fail = p._print(fail.doit() if fail.has(sympy.Sum) else fail)
            if document_mode:
                note(r"By Lemma~\ref{%s}, the statement holds for every cell of the grid at once, with "
                     r"probability at least $1 - %s$." % (ref(s.lemma.name), fail))
            else:
                rows.append(r"&& \text{(by %s: for every cell of the grid at once, w.p. } \ge 1 - %s\text{)}"
                            % (text(s.lemma.name), fail))
            continue
        rel = r"\le" if s.relation == "<=" else "="
        lines = pack(pieces(s.after, p, budget), budget)
        for i, ln in enumerate(lines):
            if not started and wide:
                rows.append("&" + lhs)
            head = (lhs + " ") if not started and not wide else ""
            started = True
            body = (r"%s&%s%s %s" % (head, r"\quad " if wide else "", rel, ln)) if i == 0 else \
                r"&%s %s" % (r"\qquad" if wide else r"\quad", ln)
            if i == 0:
                body += (r" \tag*{by Lemma~\ref{%s}}" % ref(s.lemma.name)) if document_mode else \
                    r" && \text{by %s}" % text(s.lemma.name)
            rows.append(body)
    post = []
    while rows and rows[-1].startswith(r"\intertext{"):     # notes after the last line follow the display
        post.insert(0, rows.pop()[len(r"\intertext{"):-1])
    body = ""
    for r in rows:
        if body:
            body += "\n" if body.endswith("}") and body.rsplit("\n", 1)[-1].startswith(r"\intertext") \
                else " \\\\\n"
        body += r
    out = "\\begin{%s}\n%s\n\\end{%s}" % (env, body, env)
    if pre:
        out = "\n".join(pre) + "\n" + out
    if post:
        out += "\n" + "\n".join(post)
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
