r"""Line layout for displays: a rough width measure, break points at top-level sums, packing.

A display too wide for the page is broken between the terms of a top-level sum; a term that is
itself too wide and is a product with one bracketed sum (or one integral of a sum, or of the
square root of a sum) is opened up (``prefactor \Bigl( t_1`` / ``+ t_2`` / ... ``\Bigr)``).
What still does not fit is named and defined after ``where`` (:func:`name_subexpressions`).
Widths are estimates in units of about 6 pt of 10 pt math (:func:`width`); :data:`LINE_WIDTH`
is the document's display width.

Examples
--------
>>> width(r"\frac{a}{b}") < width("a + b")
True
>>> pack(["a", "+ b", "+ c"], budget=6)
['a + b', '+ c']
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Mapping

from sympy import Add, Basic, Dummy, Integral, Mul, Piecewise, Pow, S, true

from .printer import HousePrinter

__all__ = ["LINE_WIDTH", "width", "pieces", "pack", "lines_env", "name_subexpressions", "NAME_LETTERS"]

#: the width of a display line in the document, in :func:`width` units (17 cm of 10 pt math)
LINE_WIDTH = 80

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


_ENV = re.compile(r"\\(begin|end)\{([A-Za-z*]+)\}")


def _environment(tex: str, i: int) -> tuple[str, int]:
    """At ``tex[i:]`` == ``{name}...\\end{name}``: the body, and the index after ``\\end{name}``."""
    name, j = _group(tex, i)
    depth = 1
    for m in _ENV.finditer(tex, j):
        if m.group(2) != name:
            continue
        depth += 1 if m.group(1) == "begin" else -1
        if depth == 0:
            return tex[j:m.start()], m.end()
    return tex[j:], len(tex)


def _split_top(tex: str, sep: str) -> list[str]:
    """``tex`` split at ``sep`` outside braces and environments."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(tex):
        if tex.startswith(r"\begin{", i):
            depth += 1
        elif tex.startswith(r"\end{", i):
            depth -= 1
        if depth == 0 and tex.startswith(sep, i) and not (sep == "&" and i and tex[i - 1] == "\\"):
            out.append(tex[start:i])
            i += len(sep)
            start = i
            continue
        if tex[i] == "\\":
            i += 2
            continue
        depth += (tex[i] == "{") - (tex[i] == "}")
        i += 1
    out.append(tex[start:])
    return out


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
            elif name == "begin":                   # cases, array
                inner, i = _environment(tex, i)
                rows = [[width(c) for c in _split_top(r, "&")] for r in _split_top(inner, r"\\")]
                cols = [max(r[j] for r in rows if len(r) > j) for j in range(max(map(len, rows)))]
                w += sum(cols) + 3 * (len(cols) - 1) + 3      # columns as wide as their widest cell
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
            elif name in ("int", "sqrt"):
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
            w += 1.25 if ch.isupper() else 1
            i += 1
    return w


def pieces(expr, printer: HousePrinter, budget: float) -> list[str]:
    """Break ``expr`` into pieces with a line break allowed between any two (top-level sums).

    A term wider than ``budget`` that is a product with one bracketed sum, one integral of a sum
    or of the square root of a sum (or is such an integral, or such a root) is opened up:
    ``prefactor \\Bigl( t_1`` / ``+ t_2`` / ... / ``t_m \\Bigr)``, a root as ``\\Bigl( ...
    \\Bigr)^{1/2}``.
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


def _root_of_sum(e) -> bool:
    return isinstance(e, Pow) and e.exp == S.Half and isinstance(e.base, Add)


def _open_product(term, printer: HousePrinter, budget: float, sign: str) -> list[str]:
    tex = printer._print(term)
    if isinstance(term, Add):
        tex = r"\left(%s\right)" % tex
    disp = printer._display.get(term) if printer._display else None
    if disp is not None and not isinstance(disp, str):
        term = disp
    if width(tex) <= budget:
        return [sign + tex]
    if isinstance(term, Mul):
        coeff, num, den, groups = printer.mul_parts(term)
        if len(groups) != 1:
            return [sign + tex]
        g = groups[0]
        head = printer.scalar_tex(coeff, num, den)
    elif isinstance(term, Integral) or _root_of_sum(term):
        g, head = term, ""
    else:
        return [sign + tex]
    if isinstance(g, Add):
        inner, tail = pieces(g, printer, budget), r" \Bigr)"
        head = printer.join([head, r"\Bigl("])
    elif _root_of_sum(g):
        inner, tail = pieces(g.base, printer, budget), r" \Bigr)^{1/2}"
        head = printer.join([head, r"\Bigl("])
    elif isinstance(g, Integral) and len(g.limits) == 1 and len(g.limits[0]) == 3 and \
            (isinstance(g.function, Add) or _root_of_sum(g.function)):
        x, lo, hi = g.limits[0]
        root = _root_of_sum(g.function)
        inner = pieces(g.function.base if root else g.function, printer, budget)
        head = printer.join([head, r"\int_{%s}^{%s} \Bigl(" % (printer._print(lo), printer._print(hi))])
        tail = r" \Bigr)%s \,\mathrm{d}%s" % ("^{1/2}" if root else "", printer._print(x))
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


def lines_env(lhs_tex: str, rel: str, rhs, printer: HousePrinter, budget: float, env: str = "align*",
              lead: str | None = None) -> str:
    """``lhs rel [lead +] rhs`` broken into lines at top-level sums, in an alignment environment.

    ``budget`` is the width of a whole line; the right side gets what the left side leaves.  When
    some line is still too wide, subexpressions are named (see :func:`name_subexpressions`) and
    defined after ``where``, in the same environment.
    """
    wide = width(lhs_tex) > 0.4 * budget
    inner = max(budget - (4 if wide else width(lhs_tex) + 3), 30)
    rhs, printer, names = name_subexpressions(rhs, printer, inner, lead=lead, line=budget)
    rows = _rows(lhs_tex, rel, rhs, printer, budget, lead)
    if names:
        defs = [r for name, _, sub in names for r in _definition_rows(name, sub, printer, budget)]
        body = " \\\\\n".join(rows) + " \\\\\n\\intertext{where}\n" + " \\\\\n".join(defs)
    else:
        body = " \\\\\n".join(rows)
    return "\\begin{%s}\n%s\n\\end{%s}" % (env, body, env)


def _rows(lhs_tex: str, rel: str, rhs, printer: HousePrinter, budget: float, lead: str | None) -> list[str]:
    wide = width(lhs_tex) > 0.4 * budget
    budget = max(budget - (4 if wide else width(lhs_tex) + 3), 30)
    lines = pack(_parts(rhs, printer, budget, lead), budget)
    rows = [r"&%s" % lhs_tex] if wide else []
    for i, ln in enumerate(lines):
        if i == 0:
            rows.append((r"&\quad %s %s" % (rel, ln)) if wide else (r"%s &%s %s" % (lhs_tex, rel, ln)))
        else:
            rows.append(r"&\qquad %s" % ln if wide else r"&\quad %s" % ln)
    return rows


def _definition_rows(name: str, sub, printer: HousePrinter, budget: float) -> list[str]:
    """``name = sub`` in rows; a piecewise definition too wide for cases gets one row per case."""
    if not isinstance(sub, Piecewise) or _fits(sub, printer, max(budget - width(name) - 3, 30), None):
        return _rows(name, "=", sub, printer, budget, None)
    rows = []
    for e, c in sub.args:
        cond = r"\text{otherwise}" if c == true else r"\text{if } %s" % printer._print(c)
        rows += _rows(name, "=", e, printer, budget, None)
        if width(rows[-1] + cond) + 3 <= budget:
            rows[-1] += r", \quad " + cond
        else:
            rows[-1] += ","
            rows.append(r"&\qquad " + cond)
    return rows


def _parts(rhs, printer: HousePrinter, budget: float, lead: str | None) -> list[str]:
    parts = pieces(rhs, printer, budget)
    if lead is not None:
        parts = [lead] + [("+ " + parts[0]) if not parts[0].startswith("-") else parts[0]] + parts[1:]
    return parts


#: letters for the names of subexpressions, the first one not already printed in the expression
NAME_LETTERS = ("A", "H", "G", "Q", "Z")


def name_subexpressions(expr, printer: HousePrinter, budget: float, lead: str | None = None, most: int = 24,
                        line: float | None = None):
    """Name subexpressions until ``expr`` breaks into lines of at most ``budget``.

    While some line is too wide, the sum (or piecewise expression) whose naming saves most width
    is replaced by a name ``A_{1}``, ``A_{2}``, ... (``A_{2}(\\varepsilon)`` when it depends on a
    variable of integration): one that occurs more than once first (it is then printed once, in
    its definition), else the widest inside the expression.  The definitions are laid out the
    same way (in lines of ``line``, the whole width, less the name), so a definition too wide
    gets names of its own.  Returns the rewritten expression, a printer that prints the names,
    and the list of ``(name, symbol, definition)``.  The symbols are display-only
    :class:`~sympy.Dummy` symbols: substituting the definitions for them until none is left
    gives ``expr`` back.

    >>> import sympy
    >>> from lemmas.printing import house_printer
    >>> x, y = sympy.symbols("x y", positive=True)
    >>> s = sum(sympy.Symbol(f"b_{i}", positive=True) for i in range(9))
    >>> e, p, names = name_subexpressions(sympy.sqrt(x * s) / y + sympy.log(s), house_printer(), 30)
    >>> [(name, p._print(sub)) for name, _, sub in names]
    [('A_{1}', 'b_{0} + b_{1} + b_{2} + b_{3} + b_{4} + b_{5} + b_{6} + b_{7} + b_{8}')]
    >>> p._print(e)
    '\\\\frac{\\\\sqrt{A_{1} x}}{y} + \\\\log(A_{1})'
    """
    if isinstance(expr, str) or not isinstance(expr, Basic):
        return expr, printer, []
    line = budget if line is None else line
    bound = {lim[0] for integ in expr.atoms(Integral) for lim in integ.limits}
    taken = {printer._print(sym).split("_")[0].split("(")[0] for sym in expr.free_symbols}
    letter = next((c for c in NAME_LETTERS if c not in taken), "A")
    names, hopeless = [], set()
    while len(names) < most:
        targets = [(-1, expr, budget, lead)] + [(k, sub, max(line - width(tex) - 3, 30), None)
                                                  for k, (tex, _, sub) in enumerate(names)]
        target = next(((k, e, b) for k, e, b, ld in targets
                       if k not in hopeless and not _fits(e, printer, b, ld, definition=k >= 0)), None)
        if target is None:
            break
        k, e, _ = target
        sub, inside = _best_to_name(e, printer), False
        if sub is None:             # a sum inside what the display map prints instead (a Dudley block)
            sub, inside = _best_to_name(e, printer, enter_display=True), True
        if sub is None:
            hopeless.add(k)
            continue
        deps = sorted(sub.free_symbols & bound, key=str)
        tex = "%s_{%d}" % (letter, len(names) + 1)
        if deps:
            tex += "(%s)" % ", ".join(printer._print(v) for v in deps)
        sym = Dummy(letter)
        keep = dict(printer._names)
        extra = {sym: tex}
        if inside:                  # the displayed forms change, the expressions they stand for stay whole
            shown = {key: v for key, v in printer._display.items() if isinstance(v, Basic)}
            keep.update(shown)
            extra.update({key: _replace(v, sub, sym, printer._names) for key, v in shown.items()})
        expr = _replace(expr, sub, sym, keep)
        names = [(t, y, _replace(d, sub, sym, keep)) for t, y, d in names] + [(tex, sym, sub)]
        printer = printer.with_display(extra)
    return expr, printer, names


def _fits(expr, printer: HousePrinter, budget: float, lead: str | None, definition: bool = False) -> bool:
    if definition and isinstance(expr, Piecewise):          # laid out one case per row if need be
        return all(_fits(e, printer, budget, None) and width(printer._print(c)) + 4 <= budget
                   for e, c in expr.args)
    return all(width(ln) <= budget for ln in pack(_parts(expr, printer, budget, lead), budget))


def _best_to_name(expr, printer: HousePrinter, enter_display: bool = False):
    """The sum (or cases) whose name saves most: repeated by (count - 1) x width, else the widest.

    With ``enter_display``, the sums of what the display map prints instead are candidates too."""
    counts = Counter(e for e in _shown(expr, printer._display, printer._names, enter_display)
                     if isinstance(e, (Add, Piecewise)) and e != expr)
    best, gain = None, 0.0
    for e, c in counts.items():
        w = width(printer._print(e))
        if c > 1 and w >= 6 and (c - 1) * w > gain:
            best, gain = e, (c - 1) * w
    if best is not None:
        return best
    for e in counts:                        # a sum inside a term: the widest that is not the term itself
        w = width(printer._print(e))
        if w > gain and w >= 10 and not _is_top_term(expr, e) and \
                not (enter_display and _is_top_term(_as_shown(expr, printer._display), e)):
            best, gain = e, w
    return best


def _shown(expr, display: Mapping, named: Mapping = None, enter: bool = False):
    """The subexpressions of ``expr`` as printed: what the ``display`` map replaces (unless ``enter``:
    then what it prints instead is entered), and the sums the printer prints as names (``rho``), are not."""
    yield expr
    for a in expr.args:
        if named and _displayed(a, named):
            continue
        if display and _displayed(a, display):
            if enter and isinstance(display[a], Basic):
                yield from _shown(display[a], display, named, enter)
            continue
        yield from _shown(a, display, named, enter)


def _as_shown(expr, display: Mapping):
    """``expr`` with what the display map prints instead of its subexpressions (for the layout's analysis)."""
    shown = {key: v for key, v in (display or {}).items() if isinstance(v, Basic)}
    return expr.xreplace(shown) if shown else expr


def _replace(expr, sub, sym, named: Mapping):
    """``expr.xreplace({sub: sym})``, leaving the sums the printer prints as names (``rho``) whole."""
    if not named:
        return expr.xreplace({sub: sym})
    if expr == sub:
        return sym
    if not expr.args or _displayed(expr, named):
        return expr
    args = [_replace(a, sub, sym, named) for a in expr.args]
    return expr.func(*args) if any(a is not b for a, b in zip(args, expr.args)) else expr


def _displayed(e, display: Mapping) -> bool:
    try:
        return e in display
    except TypeError:
        return False


def _is_top_term(expr, e) -> bool:
    """Whether the layout already breaks ``e`` into lines (a top-level sum, or one opened up)."""
    return e in Add.make_args(expr) or any(e == g or (isinstance(g, Pow) and e == g.base)
                                           for g in _opened_groups(expr))


def _opened_groups(expr):
    for term in Add.make_args(expr):
        for f in Mul.make_args(term):
            if isinstance(f, Integral):
                yield f.function
                f = f.function
            if isinstance(f, (Add, Pow)):
                yield f
                if isinstance(f, Add):
                    yield from _opened_groups(f)
