r"""The house LaTeX printer: :class:`HousePrinter`, a SymPy ``LatexPrinter``.

One printer class owns the layout of every formula rankbound prints: products keep the paper's
form (a single square root over a quotient, scalar factors in one fraction before a bracketed
sum), ``log+`` and ``erfc`` print as in MATH.md, and our symbolic objects (covering numbers,
Rademacher complexities, function classes) have house ``_print_`` methods that take precedence
over their own ``_latex`` hooks.  Two printer settings serve documents: ``display`` (a map from
exact subexpressions to what to print instead, e.g. a Dudley block as ``\sqrt{D} I(C, U)``) and
``abbreviations`` (products printed as one name, e.g. ``L_sigma B_w B_V B_X`` as ``B_f``); both
print expressions equal to the ones given, which the round-trip tests check numerically.

Examples
--------
>>> import sympy
>>> from lemmas.printing.printer import HousePrinter
>>> from lemmas.symbols import c, delta, n
>>> HousePrinter().doprint(3 * c * sympy.sqrt(sympy.log(2 / delta) / (2 * n)))
'3 c \\sqrt{\\frac{\\log(2/\\delta)}{2 n}}'
>>> house_printer(abbreviate=True).doprint(9 * L_sigma * B_w * B_V * B_X)
'9 B_{f}'
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import sympy
from sympy import Add, Basic, Function, Integral, Mul, Piecewise, Pow, Rational, S, Sum, Symbol, pi
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter, greek_letters_set, other_symbols

from ..symbols import B_V, B_X, B_w, L_sigma
from .names import match_products, parse_abbreviations

__all__ = ["HousePrinter", "LatexError", "DudleyIntegral", "OrderedMul", "OrderedAdd", "house_printer",
           "relation_tex", "SYMBOL_TEX", "B_F_ABBREVIATION"]

class LatexError(ValueError):
    """Something cannot be typeset faithfully (raised, never papered over)."""



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
        sequence of ``(expression, tex)`` or ``(expression, tex, "lead")``, matched in order.  A
        product of symbol powers is printed as ``tex`` wherever a product contains it, the name
        after the other factors (``L_sigma B_w B_V B_X`` as ``B_f``: ``54 B_QK B_X^2 B_f``).  A
        product of positive powers of symbols and sums (``Lambda = sqrt(H) L_sigma B_w B_V (1 +
        4 B_QK B_X^2)``), or any product marked ``"lead"``, is matched on a product's factors
        before anything else and its name leads.  A sum (``rho = 1 + H B_V (...)``) is printed as
        ``tex`` wherever it occurs, as a factor, a term or the base of a power (``\rho^{L - 2}``),
        and leads a product as the names do.
    ``trailing``
        terms printed last in any sum that contains them (the confidence term, as in the paper).

    House ``_print_<Class>`` methods defined on this class (or a subclass) take precedence
    over an object's own ``_latex`` hook; other objects print themselves.
    """

    printmethod = "_latex"
    _default_settings = dict(LatexPrinter._default_settings, display=None, abbreviations=(), trailing=())

    def __init__(self, settings=None):
        super().__init__(settings)
        self._given = dict(settings or {})
        self._display = dict(self._settings["display"] or {})
        self._trailing = tuple(self._settings["trailing"] or ())
        try:
            abbr, products, names = parse_abbreviations(self._settings["abbreviations"])
        except ValueError as exc:
            raise LatexError(str(exc)) from None
        self._abbreviations = tuple(abbr)
        self._products = tuple(products)
        self._names = names

    def with_display(self, extra: Mapping) -> "HousePrinter":
        """A printer with these settings and ``extra`` added to the ``display`` map."""
        return type(self)(dict(self._given, display={**self._display, **extra}))

    # -- dispatch ------------------------------------------------------------------------------
    def _print(self, expr, **kwargs) -> str:
        if self._names and isinstance(expr, Add) and expr in self._names:
            return self._names[expr]
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
        factors, lead_num, lead_den = match_products(self._products, self._factors(expr))
        for f in factors:
            if self._is_named(f):        # rho^(L-2), m: a name, printed with the scalar factors
                num.append(f)
                continue
            if isinstance(f, Pow) and self._is_named(f.base) and f.exp.could_extract_minus_sign():
                den.append(Pow(f.base, -f.exp))     # eps rho^(2-L) / m as eps / (m rho^(L-2))
                continue
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
        if self._names:                  # named sums lead: m Lambda rho^(L-2) B_V B_X, as in MATH.md
            num, lead_num = self._named_first(num, lead_num), []
            den, lead_den = self._named_first(den, lead_den), []
        num = lead_num + self._abbreviate(num)
        den = lead_den + self._abbreviate(den)
        if merged is not None:
            if merged[0] == 1:
                den.append(r"\sqrt{%s}" % self._print(merged[1]))
            else:
                num.append(r"\sqrt{%s}" % self._print(merged[0] / merged[1]))
        return coeff, num, den, groups

    def _named_first(self, items: list, names: list) -> list:
        """Named sums (``m``), then the product abbreviations' ``names``, then powers of named sums
        (``rho^(L-2)``), then the rest."""
        plain = [x for x in items if self._is_named(x) and not isinstance(x, Pow)]
        powers = [x for x in items if self._is_named(x) and isinstance(x, Pow)]
        return plain + names + powers + [x for x in items if not self._is_named(x)]

    def _is_named(self, f) -> bool:
        """Whether ``f`` is a named sum or a power of one (``rho``, ``rho^(L-2)``)."""
        if not self._names:
            return False
        b = f.base if isinstance(f, Pow) else f
        return isinstance(b, Add) and b in self._names and not (isinstance(f, Pow) and
                                                                f.exp.could_extract_minus_sign())

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
            times = 0
            while all(s in powers and powers[s][1] >= m for s, m in need.items()):
                for s, m in need.items():
                    powers[s][1] -= m
                times += 1
            if times:               # B_f^2, not B_f B_f
                names.append(tex if times == 1 else r"%s^{%d}" % (tex if "^" not in tex else "{%s}" % tex, times))
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
        if isinstance(it, Add) and it not in self._names:
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
        if self._names and isinstance(b, Add) and b in self._names and not (e.is_Rational and e.is_negative):
            name = self._names[b]
            return name if e == 1 else r"\sqrt{%s}" % name if e == S.Half else r"%s^{%s}" % (name, self._print(e))
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
        rel = relation_tex(expr.rel_op)
        return "%s %s %s" % (self._print(expr.lhs), rel, self._print(expr.rhs))

    def _print_Function(self, expr, exp=None):
        """A function of ours with no house method and no ``_latex`` hook, and three or more
        arguments (a fact atom), prints with a break allowed after each comma; SymPy's own
        functions print as SymPy prints them."""
        if isinstance(expr, AppliedUndef) or (type(expr).__module__ or "").startswith("sympy") or len(expr.args) < 3:
            return super()._print_Function(expr, exp=exp)
        name = type(expr).__name__.replace("_", r"\_")
        tex = r"\operatorname{%s}\bigl(%s\bigr)" % (name, r",\allowbreak ".join(self._print(a) for a in expr.args))
        return tex if exp is None else r"\left(%s\right)^{%s}" % (tex, exp)

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




def relation_tex(rel: str) -> str:
    """The LaTeX of a SymPy relational operator (``"<="`` -> ``\\le``)."""
    return {"<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", "==": "=", "!=": r"\ne"}[rel]


def house_printer(display=None, abbreviate=False, trailing=(), **settings) -> HousePrinter:
    """A :class:`HousePrinter` with a ``display`` map, abbreviations and ``trailing`` terms (printed
    last in any sum); other ``settings`` go to SymPy's printer.

    ``abbreviate`` is ``True`` for the ``B_f`` abbreviation, or the ``abbreviations`` setting itself
    (a sequence of ``(expression, tex)`` or ``(expression, tex, "lead")``).
    """
    abbreviations = B_F_ABBREVIATION if abbreviate is True else tuple(abbreviate or ())
    return HousePrinter(dict(settings, display=display or None, trailing=tuple(trailing),
                             abbreviations=abbreviations))

