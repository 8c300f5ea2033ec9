r"""The house LaTeX printer, and documents that compile.

One printer class, :class:`HousePrinter` (a SymPy ``LatexPrinter``), owns the
layout of every formula rankbound prints: products keep the paper's form
(a single square root over a quotient, scalar factors in one fraction before a
bracketed sum), ``log+`` and ``erfc`` print as in MATH.md, and our symbolic
objects (covering numbers, Rademacher complexities, function classes) have
house ``_print_`` methods that take precedence over their own ``_latex`` hooks.
Two printer settings serve documents: ``display`` (a map from exact
subexpressions to what to print instead, e.g. a Dudley block as
``\sqrt{D} I(C, U)``) and ``abbreviations`` (products printed as one name,
e.g. ``L_sigma B_w B_V B_X`` as ``B_f``); both print expressions equal to the
ones given, which the round-trip tests check numerically.

Public functions: :func:`latex` (math-mode LaTeX of an expression, lemma,
derivation, theorem or evaluation), :func:`bound_latex` (the final bound in
paper form), :func:`lemma_latex` (a lemma as a numbered ``lemma``
environment), :func:`derivation_latex` (a chain of inequalities),
:func:`evaluation_table` (an evaluated bound, for ``_repr_latex_``) and
:func:`document` (a standalone article).

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
.. [Tru24] L. V. Truong, "On Rank-Dependent Generalisation Error Bounds for
   Transformers", arXiv:2410.11500, 2024 (reconstructed; see MATH.md).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

import sympy
from sympy import Add, Basic, Function, Integral, Mul, Piecewise, Pow, Rational, S, Sum, Symbol, pi, sqrt
from sympy.printing.latex import LatexPrinter, greek_letters_set, other_symbols

import lemmas
from lemmas.core import Lemma
from lemmas.covering import euclidean_ball, lowrank_ball
from lemmas.objects import logplus
from lemmas.symbols import B_QK, B_V, B_X, B_w, L_sigma, d, k, r_v, r_w

from .engine import Derivation, Step

__all__ = ["HousePrinter", "LatexError", "DudleyIntegral", "OrderedMul", "OrderedAdd", "latex", "bound_latex", "bound_display",
           "lemma_latex", "derivation_latex", "evaluation_table", "document", "label", "text",
           "PREAMBLE", "B_F_ABBREVIATION"]


class LatexError(ValueError):
    """Something cannot be typeset faithfully (raised, never papered over)."""


# ------------------------------------------------------------------------------------------------
# the printer
# ------------------------------------------------------------------------------------------------

#: names printed differently from SymPy's default
SYMBOL_TEX = {
    "epsilon": r"\varepsilon",
    "L_loss": r"L_{\ell}",
    "B_f": r"B_{f}",
}

_GREEK = greek_letters_set | other_symbols | {"lambda", "Lambda", "varepsilon", "vartheta", "varphi"}

#: the output bound of MATH.md section 1, as a printer abbreviation
B_F_ABBREVIATION = ((L_sigma * B_w * B_V * B_X, r"B_{f}"),)

_NORM_TEX = {"sup": r"\|\cdot\|_{\infty}", "supS": r"\|\cdot\|_{\infty,S}", "L2S": r"L_2(S)",
             "fro": r"\|\cdot\|_{F}", "spec": r"\|\cdot\|_{2}"}


class DudleyIntegral(Function):
    r"""Display-only: ``I(C, U) = int_0^U sqrt(log+(C/eps)) d eps`` (MATH.md section 5).

    Used by documents to print a Dudley block compactly as ``\sqrt{D}\, I(C, U)``; the
    document defines ``I`` where it is used.  Never evaluated.
    """

    nargs = 2

    def _latex(self, printer):
        return r"I\!\left(%s, %s\right)" % tuple(printer._print(a) for a in self.args)


class OrderedMul(Mul):
    """Display-only product printed in the order its factors were given (never evaluated)."""

    def __new__(cls, *args):
        return Mul.__new__(cls, *args, evaluate=False)


class OrderedAdd(Add):
    """Display-only sum printed in the order its terms were given (never evaluated)."""

    def __new__(cls, *args):
        return Add.__new__(cls, *args, evaluate=False)


_NAMED_CONSTANT = re.compile(r"^c_[a-z]+$")


def _is_named_constant(f) -> bool:
    b = f.as_base_exp()[0]
    return b.is_Symbol and bool(_NAMED_CONSTANT.match(b.name))


def _is_count_polynomial(expr) -> bool:
    """A sum of integer multiples of symbols and integers (``d + k + 1``, ``2 d + 1``)."""
    for t in Add.make_args(expr):
        c, rest = t.as_coeff_Mul()
        if not c.is_Integer or not (rest == 1 or rest.is_Symbol):
            return False
    return True


class HousePrinter(LatexPrinter):
    r"""rankbound's LaTeX printer.

    Settings (besides SymPy's):

    ``display``
        mapping from exact subexpressions to a replacement expression (printed with this
        printer) or a raw LaTeX string.
    ``abbreviations``
        sequence of ``(product, tex)``: wherever a product of symbols contains ``product``,
        print ``tex`` for it (``L_sigma B_w B_V B_X`` as ``B_f``).
    ``trailing``
        terms printed last in any sum that contains them (the confidence term, as in the paper).

    House ``_print_<Class>`` methods defined on this class (or a subclass) take precedence
    over an object's own ``_latex`` hook; other objects print themselves.
    """

    printmethod = "_latex"
    _default_settings = dict(LatexPrinter._default_settings, display=None, abbreviations=(), trailing=())

    def __init__(self, settings=None):
        super().__init__(settings)
        self._display = dict(self._settings["display"] or {})
        self._trailing = tuple(self._settings["trailing"] or ())
        abbr = []
        for prod, tex in self._settings["abbreviations"]:
            powers = sympy.Mul.make_args(prod)
            need = {}
            for f in powers:
                b, e = f.as_base_exp()
                if not (b.is_Symbol and e.is_Integer and e > 0):
                    raise LatexError(f"abbreviation {prod} must be a product of symbol powers")
                need[b] = int(e)
            abbr.append((need, tex))
        self._abbreviations = tuple(abbr)

    # -- dispatch ------------------------------------------------------------------------------
    def _print(self, expr, **kwargs) -> str:
        if self._display:
            try:
                hit = self._display.get(expr)
            except TypeError:
                hit = None
            if hit is not None:
                return hit if isinstance(hit, str) else super()._print(hit, **kwargs)
        name = "_print_" + type(expr).__name__
        for klass in type(self).__mro__:
            if klass is LatexPrinter:
                break
            if name in klass.__dict__:
                return getattr(self, name)(expr, **kwargs)
        return super()._print(expr, **kwargs)

    # -- atoms ---------------------------------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        name = self._settings["symbol_names"].get(expr)
        if name is not None:
            return name
        if expr.name in SYMBOL_TEX:
            return SYMBOL_TEX[expr.name]
        base, sep, sub = expr.name.partition("_")
        if sep and sub.isalpha() and len(sub) > 1 and sub.islower() and sub not in _GREEK:
            return r"%s_{\mathrm{%s}}" % (self._print_Symbol(Symbol(base)), sub)
        if not sep and len(base) > 1 and base.isalpha() and base not in _GREEK:
            return r"\mathit{%s}" % base
        return super()._print_Symbol(expr, style=style)

    # -- sums ------------------------------------------------------------------------------------
    def _add_terms(self, expr) -> list:
        if isinstance(expr, OrderedAdd):
            return list(expr.args)
        terms = list(self._as_ordered_terms(expr, order=None))
        if self._trailing:
            terms = [t for t in terms if t not in self._trailing] + [t for t in terms if t in self._trailing]
        return terms

    def add_pieces(self, expr) -> list[str]:
        """The terms of a sum, printed, the second on with their sign (``"+ x"``, ``"- y"``)."""
        pieces = []
        for i, term in enumerate(self._add_terms(expr)):
            neg = term.could_extract_minus_sign()
            if neg:
                term = -term
            tex = self._print(term)
            if isinstance(term, Add):
                tex = r"\left(%s\right)" % tex
            if i == 0:
                pieces.append(("-" if neg else "") + tex)
            else:
                pieces.append(("- " if neg else "+ ") + tex)
        return pieces

    def _print_Add(self, expr, order=None):
        return " ".join(self.add_pieces(expr))

    # -- products --------------------------------------------------------------------------------
    def _factors(self, expr) -> list:
        if not isinstance(expr, Mul):
            return [expr]
        if isinstance(expr, OrderedMul):
            return list(expr.args)
        factors = list(expr.as_ordered_factors())
        # named constants (c_net, c_dudley, ...) lead, as numbers do: c_net B / eps, not B c_net / eps
        return sorted(factors, key=lambda f: 0 if f.is_Number else (1 if _is_named_constant(f) else 2))

    def mul_parts(self, expr):
        """Split a product into (coefficient, numerator, denominator, groups) for the paper layout.

        Numerator and denominator are lists of expressions or raw LaTeX strings; square roots of
        two or more non-constant quantities are merged into one ``\\sqrt{num/den}``; sums,
        piecewise expressions and integrals are groups printed after the fraction.
        """
        coeff = S.One
        num, den, groups = [], [], []
        sq_num, sq_den = [], []          # square roots, also kept in place in num / den
        for f in self._factors(expr):
            if f.is_Rational:
                coeff *= f
                continue
            if isinstance(f, Pow):
                b, e = f.base, f.exp
                if e == S.Half and b is not pi:
                    sq_num.append(f)
                    num.append(f)
                    continue
                if e == -S.Half:
                    g = Pow(b, S.Half, evaluate=False)
                    sq_den.append(g)
                    den.append(g)
                    continue
                if e.is_Rational and e.is_negative:
                    den.append(Pow(b, -e))
                    continue
            if isinstance(f, Add) and _is_count_polynomial(f):
                num.append(f)
                continue
            if isinstance(f, (Add, Piecewise, Integral, Sum)):
                groups.append(f)
                continue
            num.append(f)
        symbolic = [g for g in sq_num + sq_den if not g.base.is_number]
        numeric = [g for g in sq_num + sq_den if g.base.is_Integer]
        # sqrt(a) sqrt(b) = sqrt(a b) needs one of a, b >= 0; sqrt(a) / sqrt(b) = sqrt(a / b) needs b > 0
        mergeable = (sum(1 for g in sq_num if g.base.is_nonnegative is not True) <= 1
                     and all(g.base.is_positive for g in sq_den))
        merged = None
        if mergeable and (len(symbolic) >= 2 or (symbolic and numeric)):
            num = [x for x in num if not any(x is g for g in sq_num)]
            den = [x for x in den if not any(x is g for g in sq_den)]
            r_num, r_den = [], []
            for b in (g.base for g in sq_num):
                if b.is_Integer and coeff.q % int(b) == 0:
                    coeff *= b          # (p/q) sqrt(m) = (p m / q) sqrt(1/m)
                    r_den.append(b)
                else:
                    r_num.append(b)
            for b in (g.base for g in sq_den):
                if b.is_Integer and coeff.p % int(b) == 0:
                    coeff /= b          # (p/q) / sqrt(m) = (p / (q m)) sqrt(m)
                    r_num.append(b)
                else:
                    r_den.append(b)
            merged = (Mul(*r_num), Mul(*r_den))
        if not isinstance(expr, OrderedMul):
            # the paper's order: named constants, square roots, count polynomials, the rest
            # (c_net sqrt(r) B_W B_x, (d + k + 1) r_v, sqrt(rank A) ||A||_2)
            num.sort(key=lambda x: 0 if _is_named_constant(x) else 1 if (isinstance(x, Pow) and x.exp == S.Half)
                     else 2 if isinstance(x, Add) else 3)
        num = self._abbreviate(num)
        den = self._abbreviate(den)
        if merged is not None:
            if merged[0] == 1:
                den.append(r"\sqrt{%s}" % self._print(merged[1]))
            else:
                num.append(r"\sqrt{%s}" % self._print(merged[0] / merged[1]))
        return coeff, num, den, groups

    def _abbreviate(self, items: list) -> list:
        if not self._abbreviations:
            return items
        powers = {}
        for i, it in enumerate(items):
            if isinstance(it, Basic):
                b, e = it.as_base_exp()
                if b.is_Symbol and e.is_Integer and e > 0:
                    powers[b] = [i, int(e)]
        names = []
        for need, tex in self._abbreviations:
            while all(s in powers and powers[s][1] >= m for s, m in need.items()):
                for s, m in need.items():
                    powers[s][1] -= m
                names.append(tex)
        if not names:
            return items
        out = []
        by_index = {i: (s, e) for s, (i, e) in powers.items()}
        for i, it in enumerate(items):
            if i in by_index:
                s, e = by_index[i]
                if e:
                    out.append(s if e == 1 else Pow(s, e))
            else:
                out.append(it)
        return out + names

    def _item(self, it) -> str:
        if isinstance(it, str):
            return it
        tex = self._print(it)
        if isinstance(it, Add):
            tex = r"\left(%s\right)" % tex
        return tex

    @staticmethod
    def join(texs: Iterable[str]) -> str:
        """Juxtapose factors, with ``\\cdot`` where a factor starts with a digit."""
        out = ""
        for t in texs:
            if not t:
                continue
            if not out:
                out = t
            elif t[0].isdigit():
                out += r" \cdot " + t
            else:
                out += " " + t
        return out

    def group_tex(self, g, last: bool) -> str:
        tex = self._print(g)
        if isinstance(g, (Add, Piecewise)) or (isinstance(g, (Integral, Sum)) and not last):
            tex = r"\left(%s\right)" % tex
        return tex

    def scalar_tex(self, coeff, num, den) -> str:
        """The fraction (or product) of the coefficient and the scalar factors."""
        p, q = coeff.p, coeff.q
        num_tex = self.join(([str(p)] if p != 1 else []) + [self._item(x) for x in num])
        if q == 1 and not den:
            return num_tex
        den_tex = self.join(([str(q)] if q != 1 else []) + [self._item(x) for x in den])
        return r"\frac{%s}{%s}" % (num_tex or "1", den_tex)

    def _print_Mul(self, expr):
        if not isinstance(expr, Mul):
            return self._print(expr)
        factors = self._factors(expr)
        if factors and factors[0].is_Number and factors[0].is_negative:
            rest = ([-factors[0]] if factors[0] != -1 else []) + factors[1:]
            inner = rest[0] if len(rest) == 1 else OrderedMul(*rest) if isinstance(expr, OrderedMul) else Mul(*rest)
            tex = self._print(inner)
            return "-" + (r"\left(%s\right)" % tex if isinstance(inner, Add) else tex)
        coeff, num, den, groups = self.mul_parts(expr)
        core = self.scalar_tex(coeff, num, den)
        gtex = [self.group_tex(g, i == len(groups) - 1) for i, g in enumerate(groups)]
        out = self.join([core] + gtex)
        return out or "1"

    def _print_Pow(self, expr):
        b, e = expr.base, expr.exp
        if e == S.Half:
            return r"\sqrt{%s}" % self._print(b)
        if e.is_Rational and e.is_negative:
            return r"\frac{1}{%s}" % self._print(Pow(b, -e, evaluate=False))
        return super()._print_Pow(expr)

    # -- functions -------------------------------------------------------------------------------
    def _short_fraction(self, arg):
        """``a/b`` for a quotient of two atoms (numbers, symbols, symbol powers), else None."""
        if not isinstance(arg, (Mul, Rational)) or arg.is_Integer:
            return None
        nu, de = sympy.fraction(arg)
        if de == 1:
            return None

        def atomic(x):
            return x.is_Integer or x.is_Symbol or (isinstance(x, Pow) and x.base.is_Symbol and x.exp.is_Integer)
        if atomic(nu) and atomic(de):
            return "%s/%s" % (self._print(nu), self._print(de))
        return None

    def _print_log(self, expr, exp=None):
        arg = expr.args[0]
        short = self._short_fraction(arg)
        if type(arg).__name__ == "CoveringNumber":
            tex = r"\log %s" % self._print(arg)
        elif short is not None:
            tex = r"\log(%s)" % short
        elif arg.is_Atom:
            tex = r"\log(%s)" % self._print(arg)
        else:
            tex = r"\log\left(%s\right)" % self._print(arg)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_logplus(self, expr, exp=None):
        arg = expr.args[0]
        short = self._short_fraction(arg)
        tex = r"\log_+(%s)" % short if short is not None else r"\log_+\!\left(%s\right)" % self._print(arg)
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_erfc(self, expr, exp=None):
        tex = r"\operatorname{erfc}\left(%s\right)" % self._print(expr.args[0])
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

    def _print_Integral(self, expr):
        if len(expr.limits) == 1 and len(expr.limits[0]) == 3:
            x, a, b = expr.limits[0]
            f = expr.function
            ftex = self._print(f)
            if isinstance(f, Add):
                ftex = r"\left(%s\right)" % ftex
            return r"\int_{%s}^{%s} %s \,\mathrm{d}%s" % (self._print(a), self._print(b), ftex, self._print(x))
        return super()._print_Integral(expr)

    def _print_Piecewise(self, expr):
        rows = []
        for e, c in expr.args:
            cond = r"\text{otherwise}" if c == sympy.true else r"\text{if } %s" % self._print(c)
            rows.append(r"%s & %s" % (self._print(e), cond))
        return r"\begin{cases} %s \end{cases}" % r" \\ ".join(rows)

    def _print_Relational(self, expr):
        rel = _relation_tex(expr.rel_op)
        return "%s %s %s" % (self._print(expr.lhs), rel, self._print(expr.rhs))

    # -- our objects -----------------------------------------------------------------------------
    _CLASS_TEX = {
        "fro": (r"\|W\|_{F}\le %(B)s,\ \|x\|_{2}\le %(X)s"),
        "spec": (r"\|W\|_{2}\le %(B)s,\ \|x\|_{2}\le %(X)s"),
        "21": (r"\|W\|_{2,1}\le %(B)s,\ \|x\|_{2}\le %(X)s"),
        "11": (r"\|W\|_{1,1}\le %(B)s,\ \|x\|_{2}\le %(X)s"),
        "xinf": (r"\|W\|_{F}\le %(B)s,\ \|x\|_{\infty}\le %(X)s"),
        "xl1": (r"\|W\|_{F}\le %(B)s,\ \|x\|_{1}\le %(X)s"),
    }

    def _print_FunctionClass(self, expr):
        kind = str(expr.args[0])
        a = [self._print(x) for x in expr.args[1:]]
        if kind == "Theta":
            return r"\mathcal{F}_{\Theta}"
        if kind.startswith("lin_") and kind[4:] in self._CLASS_TEX and len(a) == 5:
            d1, d2, r, B, X = a
            cons = self._CLASS_TEX[kind[4:]] % {"B": B, "X": X}
            return (r"\{x\mapsto Wx:\ W\in\mathbb{R}^{%s\times %s},\ \operatorname{rank}W\le %s,\ %s\}"
                    % (d1, d2, r, cons))
        if kind == "lin_vec" and len(a) == 3:
            return r"\{z\mapsto w^{\top}z:\ w\in\mathbb{R}^{%s},\ \|w\|_{2}\le %s,\ \|z\|_{2}\le %s\}" % tuple(a)
        if kind == "lin_bilinear" and len(a) == 4:
            return (r"\{(x,y)\mapsto x^{\top}Wy:\ W\in\mathbb{R}^{%s\times %s},\ \operatorname{rank}W\le %s,\ "
                    r"\|W\|_{F}\le %s,\ \|x\|_{2},\|y\|_{2}\le %s\}" % (a[0], a[0], a[1], a[2], a[3]))
        args = "(%s)" % ", ".join(a) if a else ""
        return r"\mathcal{F}_{\mathrm{%s}}%s" % (kind.replace("_", r"\_"), args)

    def _print_CoveringNumber(self, expr):
        F, e, norm, internal = expr.args
        sup = r"^{\mathrm{int}}" if internal == 1 else ""
        metric = _NORM_TEX.get(str(norm)) if isinstance(norm, Symbol) else None
        if metric is None:
            metric = self._print(norm)
        return r"\mathcal{N}%s\left(%s, %s, %s\right)" % (sup, self._print(F), self._print(e), metric)

    def _print_RademacherComplexity(self, expr):
        return r"\widehat{\mathfrak{R}}_{S}\left(%s\right)" % self._print(expr.args[0])

    def _print_DudleyIntegral(self, expr):
        return r"I\!\left(%s, %s\right)" % tuple(self._print(a) for a in expr.args)


# ------------------------------------------------------------------------------------------------
# line breaking (a rough measure of printed width; overfull lines are warnings, never errors)
# ------------------------------------------------------------------------------------------------

_CMD = re.compile(r"\\([A-Za-z]+|.)")


def _group(tex: str, i: int) -> tuple[str, int]:
    """The brace group starting at ``tex[i] == '{'`` and the index after it."""
    depth, j = 0, i
    while j < len(tex):
        if tex[j] == "\\":
            j += 2
            continue
        if tex[j] == "{":
            depth += 1
        elif tex[j] == "}":
            depth -= 1
            if depth == 0:
                return tex[i + 1:j], j + 1
        j += 1
    return tex[i + 1:], len(tex)


_REL = {"le", "leq", "ge", "geq", "mapsto", "in", "to"}


def width(tex: str) -> float:
    """An estimate of the printed width of math LaTeX, in units of about 6 pt (10 pt math)."""
    w, i = 0.0, 0
    while i < len(tex):
        ch = tex[i]
        if ch == "\\":
            m = _CMD.match(tex, i)
            name = m.group(1)
            i = m.end()
            if name in ("left", "right", "Bigl", "Bigr", "bigl", "bigr", "!", "displaystyle"):
                continue
            if name in (",", ";", ":", " "):
                w += 0.4
            elif name == "frac":
                a, i = _group(tex, i)
                b, i = _group(tex, i)
                w += max(width(a), width(b)) + 0.6
            elif name in ("operatorname", "mathrm", "text", "mathit", "texttt"):
                a, i = _group(tex, i)
                w += 0.9 * len(a) + 0.5
            elif name in ("log", "exp", "sup", "erfc"):
                w += 3
            elif name in ("quad",):
                w += 2
            elif name == "qquad":
                w += 4
            elif name in _REL:
                w += 2.5
            elif name == "cdot":
                w += 1.5
            elif name == "int":
                w += 1.5
            else:
                w += 1
        elif ch in "_^":
            i += 1
            if i < len(tex) and tex[i] == "{":
                a, i = _group(tex, i)
                w += 0.7 * width(a)
            else:
                w += 0.7
                i += 1
        elif ch in "{} ":
            i += 1
        elif ch in "+-":
            w += 2.2
            i += 1
        elif ch in "=<>":
            w += 2.5
            i += 1
        elif ch in ",;":
            w += 0.8
            i += 1
        else:
            w += 1
            i += 1
    return w


def pieces(expr, printer: HousePrinter, budget: float) -> list[str]:
    """Break ``expr`` into pieces with a line break allowed between any two (top-level sums).

    A term wider than ``budget`` that is a product with one bracketed sum (or one integral of a
    sum) is opened up: ``prefactor \\Bigl( t_1`` / ``+ t_2`` / ... / ``t_m \\Bigr)``.
    """
    if isinstance(expr, str):
        return [expr]
    disp = printer._display.get(expr) if printer._display else None
    if disp is not None and not isinstance(disp, str):
        return pieces(disp, printer, budget)
    if not isinstance(expr, Add):
        return _open_product(expr, printer, budget, "")
    out = []
    for i, term in enumerate(printer._add_terms(expr)):
        neg = term.could_extract_minus_sign()
        if neg:
            term = -term
        sign = ("-" if neg else "") if i == 0 else ("- " if neg else "+ ")
        out += _open_product(term, printer, budget, sign)
    return out


def _open_product(term, printer: HousePrinter, budget: float, sign: str) -> list[str]:
    tex = printer._print(term)
    if isinstance(term, Add):
        tex = r"\left(%s\right)" % tex
    disp = printer._display.get(term) if printer._display else None
    if disp is not None and not isinstance(disp, str):
        term = disp
    if width(tex) <= budget or not isinstance(term, Mul):
        return [sign + tex]
    coeff, num, den, groups = printer.mul_parts(term)
    if len(groups) != 1:
        return [sign + tex]
    g = groups[0]
    head = printer.scalar_tex(coeff, num, den)
    if isinstance(g, Add):
        inner, tail = pieces(g, printer, budget), r" \Bigr)"
        head = printer.join([head, r"\Bigl("])
    elif isinstance(g, Integral) and len(g.limits) == 1 and len(g.limits[0]) == 3 and isinstance(g.function, Add):
        x, lo, hi = g.limits[0]
        inner = pieces(g.function, printer, budget)
        head = printer.join([head, r"\int_{%s}^{%s} \Bigl(" % (printer._print(lo), printer._print(hi))])
        tail = r" \Bigr) \,\mathrm{d}%s" % printer._print(x)
    else:
        return [sign + tex]
    inner[0] = sign + head + " " + inner[0]
    inner[-1] = inner[-1] + tail
    return inner


def pack(parts: list[str], budget: float) -> list[str]:
    """Greedily pack pieces into lines of at most ``budget`` (a piece wider than that gets its own line)."""
    lines, cur = [], ""
    for p in parts:
        if cur and width(cur + " " + p) > budget:
            lines.append(cur)
            cur = p
        else:
            cur = (cur + " " + p) if cur else p
    if cur:
        lines.append(cur)
    return lines


# ------------------------------------------------------------------------------------------------
# paper forms
# ------------------------------------------------------------------------------------------------

#: the width of a display line in the document, in :func:`width` units (17 cm of 10 pt math)
LINE_WIDTH = 80


def _printer(display=None, abbreviate: bool = False, trailing=(), **settings) -> HousePrinter:
    return HousePrinter(dict(settings, display=display or None, trailing=tuple(trailing),
                             abbreviations=B_F_ABBREVIATION if abbreviate else ()))


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


def _block_map(theorem, compact: bool) -> dict:
    return {b.integral: _block_display(b, compact) for b in theorem.blocks}


def bound_latex(theorem=None, variant: str = "default", compact: bool = False, abbreviate: bool = False) -> str:
    r"""The final bound in paper form (math mode; what ``rankbound latex --expr`` prints).

    >>> from derive.latex import bound_latex
    >>> tex = bound_latex()
    >>> tex.endswith(r"3 c \sqrt{\frac{\log(2/\delta)}{2 n}}")
    True
    """
    if theorem is None:
        from .theorems import theorem as _theorem
        theorem = _theorem(variant)
    return _printer(abbreviate=abbreviate)._print(bound_display(theorem, compact))


def _theorem_of(lemma: Lemma):
    """The composed theorem whose lemma this is (default constants), or None."""
    if lemma.family != "theorem":
        return None
    from .theorems import VARIANTS, theorem
    name = lemma.name
    variant = "default"
    if "[" in name:
        variant = name[name.index("[") + 1:-1]
        if variant not in VARIANTS:
            return None
    th = theorem(variant)
    return th if th.lemma is lemma else None


def _relation_tex(rel) -> str:
    return {"<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", "==": "=", "!=": r"\ne"}[rel]


# ------------------------------------------------------------------------------------------------
# public entry points
# ------------------------------------------------------------------------------------------------

def latex(obj, **settings) -> str:
    r"""Math-mode LaTeX of a SymPy expression, a lemma, a derivation, a theorem or an evaluation.

    A lemma prints its conclusion (a composed theorem's lemma with its bound in paper form); a
    derivation prints as an ``aligned`` chain annotated with the lemma names; a theorem prints
    ``sup_f (L(f) - L_S(f)) <= bound`` in paper form; an evaluation prints as an ``array``.
    ``settings`` go to :class:`HousePrinter`.
    """
    from .theorems import Theorem
    if isinstance(obj, Theorem):
        p = HousePrinter(settings)
        return r"%s \le %s" % (p._print(obj.derivation.lhs), p._print(bound_display(obj)))
    if isinstance(obj, Lemma):
        th = _theorem_of(obj)
        display = dict(settings.pop("display", None) or {})
        if th is not None:
            display.update(_block_map(th, compact=False))
        return HousePrinter(dict(settings, display=display))._print(obj.conclusion)
    if isinstance(obj, Derivation):
        return derivation_latex(obj, **settings)
    if hasattr(obj, "blocks") and hasattr(obj, "confidence") and hasattr(obj, "dps"):
        return _evaluation_array(obj)
    if isinstance(obj, (Basic, int, float)):
        return HousePrinter(settings).doprint(sympy.sympify(obj))
    raise LatexError(f"latex() cannot typeset a {type(obj).__name__}")


def label(name: str, prefix: str = "lem") -> str:
    """A LaTeX label for a registry name (``truong-theorem[sharp-softmax]`` -> ``lem:truong-theorem.sharp-softmax``)."""
    clean = re.sub(r"[^A-Za-z0-9.-]+", ".", name).strip(".")
    return f"{prefix}:{clean}"


_TEXT_ESCAPES = [
    ("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("_", r"\_"), ("^", r"$^{\wedge}$"), ("&", r"\&"),
    ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("~", r"\textasciitilde{}"),
]


def text(s: str) -> str:
    """Escape plain (ASCII) prose for LaTeX text mode; ``<=``, ``>=``, ``<``, ``>``, ``|`` become math."""
    bad = sorted({ch for ch in s if ord(ch) > 126 or (ord(ch) < 32 and ch not in "\n\t")})
    if bad:
        raise LatexError(f"cannot typeset the characters {bad!r} in {s!r}; write them in ASCII")
    out = []
    i = 0
    while i < len(s):
        two = s[i:i + 2]
        if two in ("<=", ">="):
            out.append(r"$\le$" if two == "<=" else r"$\ge$")
            i += 2
            continue
        ch = s[i]
        if ch in "<>|":
            out.append({"<": "$<$", ">": "$>$", "|": r"$|$"}[ch])
        else:
            for a, b in _TEXT_ESCAPES:
                if ch == a:
                    ch = b
                    break
            out.append(ch)
        i += 1
    return "".join(out)


def _lines_env(lhs_tex: str, rel: str, rhs, printer: HousePrinter, budget: float, env: str = "align*",
               lead: str | None = None) -> str:
    """``lhs rel [lead +] rhs`` broken into lines at top-level sums, in an alignment environment.

    ``budget`` is the width of a whole line; the right side gets what the left side leaves.
    """
    wide = width(lhs_tex) > 0.4 * budget
    budget = max(budget - (4 if wide else width(lhs_tex) + 3), 30)
    parts = pieces(rhs, printer, budget)
    if lead is not None:
        parts = [lead] + [("+ " + parts[0]) if not parts[0].startswith("-") else parts[0]] + parts[1:]
    lines = pack(parts, budget)
    rows = [r"&%s" % lhs_tex] if wide else []
    for i, ln in enumerate(lines):
        if i == 0:
            rows.append((r"&\quad %s %s" % (rel, ln)) if wide else (r"%s &%s %s" % (lhs_tex, rel, ln)))
        else:
            rows.append(r"&\qquad %s" % ln if wide else r"&\quad %s" % ln)
    return "\\begin{%s}\n%s\n\\end{%s}" % (env, " \\\\\n".join(rows), env)


_KIND_NOTE = {
    "borrowed": "",
    "reconstructed": ("Reconstructed in rankbound (the paper's text was not available); its constants are "
                      "rankbound's choices, not the paper's words."),
    "derived": "Derived in rankbound; its constants are rankbound's choices, not the paper's words.",
}


def lemma_latex(lemma: Lemma | str, abbreviate: bool = False, compact: bool = False,
                display: Mapping | None = None, budget: float = LINE_WIDTH) -> str:
    r"""A lemma as a numbered ``lemma`` environment: hypotheses, conclusion, constants, source.

    The environment is the one the document's preamble defines (amsthm ``\newtheorem{lemma}``);
    its label is :func:`label` of the lemma's name.  With ``abbreviate``/``compact`` the
    conclusion uses the document's abbreviations (``B_f``, ``I(C, U)``), defined there.
    """
    if isinstance(lemma, str):
        try:
            lemma = lemmas.get(lemma)
        except lemmas.LemmaError as exc:
            raise LatexError(str(exc)) from None
    disp = dict(display or {})
    th = _theorem_of(lemma)
    if th is not None:
        disp.update(_block_map(th, compact=compact))
    p = _printer(disp, abbreviate, trailing=(th.confidence,) if th is not None else ())
    out = [r"\begin{lemma}[\texttt{%s}: %s]\label{%s}" % (_tt(lemma.name), text(lemma.title), label(lemma.name))]
    if lemma.hypotheses:
        out.append(r"If")
        out.append(r"\begin{itemize}")
        for h in lemma.hypotheses:
            cond = "" if h.condition is None else r" \quad $\bigl[%s\bigr]$" % p._print(h.condition)
            out.append(r"\item %s%s" % (text(h.statement), cond))
        out.append(r"\end{itemize}")
        out.append("then")
    concl = lemma.conclusion
    if isinstance(concl, sympy.core.relational.Relational):
        out.append(_lines_env(p._print(concl.lhs), _relation_tex(concl.rel_op), concl.rhs, p, budget))
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
                   if _registered(lemma.variant_of) else r"Variant of \texttt{%s}." % text(lemma.variant_of))
    if lemma.wrong:
        out.append(r"\textbf{Deliberately wrong}: kept only to test the checkers; never used by a derivation.")
    if lemma.notes:
        out.append(text(lemma.notes))
    out.append(r"\end{lemma}")
    return "\n".join(out)


def _tt(name: str) -> str:
    """A registry name for ``\\texttt``, breakable after its hyphens."""
    return text(name).replace("-", r"-\allowbreak{}")


def _registered(name: str) -> bool:
    return name in lemmas.names()


def derivation_latex(der: Derivation, ref: Callable[[str], str] | None = None, display: Mapping | None = None,
                     abbreviate: bool = False, budget: float = LINE_WIDTH, env: str | None = None,
                     trailing: Iterable = ()) -> str:
    r"""A derivation as a chain of (in)equalities, each step annotated with the lemma it applies.

    Without ``ref`` the chain is an ``aligned`` block (math mode, for Jupyter) annotated
    ``\text{by name}``; with ``ref`` (a function from a lemma name to a ``\ref`` target) it is
    an ``align*`` environment with ``\tag*{by Lemma~\ref{...}}`` and ``\intertext`` lines for
    the steps that establish facts (text mode, for documents).
    """
    p = _printer(display, abbreviate, trailing=trailing)
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


# ------------------------------------------------------------------------------------------------
# evaluations
# ------------------------------------------------------------------------------------------------

def _num(x, digits: int = 10) -> str:
    """A number as LaTeX: integers exactly, others to ``digits`` significant digits."""
    import mpmath
    x = mpmath.mpf(x) if not isinstance(x, mpmath.mpf) else x
    if mpmath.isint(x) and abs(x) < mpmath.mpf(10) ** 15:
        return str(int(x))
    s = mpmath.nstr(x, digits, min_fixed=-4, max_fixed=digits)
    if "e" in s:
        mant, exp = s.split("e")
        return r"%s \times 10^{%d}" % (mant, int(exp))
    return s


def _evaluation_rows(ev, digits: int = 10) -> list[tuple[str, str]]:
    rows = [
        (r"\text{bound on } L(\theta) - \widehat{L}_S(\theta)", _num(ev.value, digits)),
        (r"\text{Rademacher term } 2\,\widehat{\mathfrak{R}}_{S}(\ell\circ\mathcal{F}_{\Theta})",
         _num(ev.rademacher, digits)),
        (r"\text{confidence term}", _num(ev.confidence, digits)),
    ]
    for b in ev.blocks:
        name = {"w": "w", "V": "V", "QK": "QK"}.get(b.name, b.name)
        rows.append((r"\text{block } %s:\ D,\ C,\ \sqrt{D}\,I(C, U)" % name,
                     r"%s,\ %s,\ %s" % (_num(b.D, digits), _num(b.C, digits), _num(b.integral, digits))))
    return rows


def _evaluation_array(ev, digits: int = 10) -> str:
    rows = _evaluation_rows(ev, digits)
    head = r"\text{variant %s, %d digits}" % (text(str(ev.variant)), ev.dps)
    body = r" \\ ".join("%s & %s" % r for r in rows)
    return r"\begin{array}{lr} %s & \\ \hline %s \end{array}" % (head, body)


def evaluation_table(evaluation, digits: int = 10) -> str:
    r"""An evaluated bound as ``$\displaystyle\begin{array}...\end{array}$`` (ready for ``_repr_latex_``).

    Works in Jupyter (MathJax) and in a LaTeX document alike.
    """
    return r"$\displaystyle %s$" % _evaluation_array(evaluation, digits)


# ------------------------------------------------------------------------------------------------
# the document
# ------------------------------------------------------------------------------------------------

PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{amsthm}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
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
Since $p$ is a convex combination, $|f(X)|\le B_f := L_\sigma B_w B_V B_X$.  The loss $\ell(f(X),y)$ takes
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


def document(variant: str = "default", evaluation=None, budget: float = LINE_WIDTH) -> str:
    """A standalone LaTeX article: setting, every lemma, both chains, obligations, theorem, values.

    ``evaluation`` defaults to ``numeric.evaluate(variant=variant)`` (the default preset).
    """
    import derive
    from .theorems import VARIANTS, theorem
    derive.register_derived()
    th = theorem(variant)
    if evaluation is None:
        import numeric
        evaluation = numeric.evaluate(variant=th.variant.name)
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
    plain = HousePrinter()
    compact = dict(sets)
    compact.update(_block_map(th, compact=True))
    p = _printer(compact, abbreviate=True)

    out = [PREAMBLE, r"\title{The rank-dependent generalisation bound for single-head transformers"
                     r"\\\large a reconstruction of Truong (2024), composed by rankbound}",
           r"\date{}", r"\begin{document}", r"\maketitle",
           _NOTE % {"variant": text(th.variant.name), "description": text(th.variant.description)}]
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
            out.append(lemma_latex(lem, abbreviate=True, compact=True, display=sets))

    out.append(r"\section{The covering number of the class}\label{sec:covering}")
    out.append(r"The steps of \texttt{%s}; each line is implied by the previous one and the lemma "
               r"named on its right." % text(th.covering_lemma.name))
    out.append(derivation_latex(th.covering, ref=ref, display=compact, abbreviate=True, budget=budget))

    out.append(r"\section{The generalisation bound}\label{sec:chain}")
    out.append(r"The steps of \texttt{%s}, with $I$ as in Section~\ref{sec:setting}." % text(th.lemma.name))
    out.append(derivation_latex(th.derivation, ref=ref, display=compact, abbreviate=True, budget=budget,
                                trailing=(th.confidence,)))

    out.append(r"\section{Assumptions carried by the theorem}\label{sec:obligations}")
    obligations = th.obligations
    if obligations:
        out.append(r"No lemma discharged these hypotheses; the theorem assumes them.")
        for i, o in enumerate(obligations, 1):
            cond = "" if o.condition is None else r" \quad $\bigl[%s\bigr]$" % p._print(o.condition)
            srcs = ", ".join(r"Lemma~\ref{%s}" % ref(nm) for nm in o.lemma.split(", "))
            out.append(r"\begin{assumption}\label{asm:%d}%s%s \hfill(from %s)\end{assumption}"
                       % (i, text(o.hypothesis.statement), cond, srcs))
        asm = (r"Under Assumptions~\ref{asm:1}--\ref{asm:%d}" % len(obligations)) if len(obligations) > 1 \
            else r"Under Assumption~\ref{asm:1}"
    else:
        out.append("Every hypothesis was discharged.")
        asm = "Unconditionally"

    out.append(r"\section{The theorem}\label{sec:theorem}")
    out.append(r"\begin{theorem}[reconstructed; constants are rankbound's choices]\label{thm:main}")
    out.append(r"%s, with probability at least $1-\delta$ over $S$, for all $\theta\in\Theta$:" % asm)
    out.append(_lines_env(r"L(\theta)", r"\le", bound_display(th, compact=True), p, budget,
                          lead=r"\widehat{L}_S(\theta)"))
    rows = r" \\ ".join(r"%s & %s & %s" % (b.name if b.name != "QK" else "QK", p._print(b.D), p._print(b.C))
                        for b in th.blocks)
    out.append(r"where $B_f = L_\sigma B_w B_V B_X$, $I$ is as in Section~\ref{sec:setting}, $U = %s$, and"
               % p._print(th.blocks[0].U))
    out.append(r"\[ \begin{array}{lll} j & D_j & C_j \\ \hline %s \end{array} \]" % rows)
    out.append(r"Written out (this is \texttt{rankbound latex --expr}):")
    out.append(_lines_env(r"L(\theta) - \widehat{L}_S(\theta)", r"\le", bound_display(th), _printer(), budget))
    out.append(r"\end{theorem}")
    out.append(r"\begin{proof} This is Lemma~\ref{%s}, composed in Sections~\ref{sec:covering} "
               r"and~\ref{sec:chain}. \end{proof}" % ref(th.lemma.name))

    out.append(r"\section{The bound at the default parameters}\label{sec:values}")
    params = evaluation.params.as_strings() if hasattr(evaluation.params, "as_strings") else \
        {k2: str(v) for k2, v in dict(evaluation.params).items()}
    prow = ", ".join(r"$%s = %s$" % (plain._print(Symbol(k2)), text(v)) for k2, v in params.items())
    out.append(r"Parameters: %s.  Values from \texttt{numeric.evaluate} at %d significant digits "
               r"(shown to 10)." % (prow, evaluation.dps))
    out.append(r"\begin{center}")
    out.append(r"\begin{tabular}{lr}")
    out.append(r"quantity & value \\ \hline")
    for lab_, val in _evaluation_rows(evaluation):
        out.append(r"$%s$ & $%s$ \\" % (lab_, val))
    out.append(r"\end{tabular}")
    out.append(r"\end{center}")
    vac = bool(evaluation.vacuous)
    out.append(r"The loss takes values in $[0, c]$ with $c = %s$, so at these parameters the bound is %s."
               % (text(params["c"]), r"\emph{vacuous} (it is at least $c$)" if vac else "non-vacuous"))
    out.append(r"\end{document}")
    return "\n\n".join(out) + "\n"
