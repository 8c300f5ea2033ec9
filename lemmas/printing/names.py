r"""The printer's abbreviations: names a document gives to products and sums (``B_f``, ``Lambda``, ``rho``).

An abbreviation is ``(expression, tex)`` or ``(expression, tex, "lead")``.  Three kinds, told apart by
:func:`parse_abbreviations`:

- a product of positive integer powers of symbols (``L_sigma B_w B_V B_X`` as ``B_f``): printed
  where a product's scalar factors contain it, the name after the other factors;
- a product of positive rational powers of symbols and sums (``Lambda = sqrt(H) L_sigma B_w B_V
  (1 + 4 B_QK B_X^2)``), or any product marked ``"lead"``: matched on a product's factors before
  anything else (:func:`match_products`), the name leading;
- a sum (``rho = 1 + H B_V (...)``): printed as its name wherever it occurs.

Everything here is plain data; :class:`~lemmas.printing.printer.HousePrinter` does the printing.

Examples
--------
>>> from sympy import S
>>> from lemmas.symbols import B_V, B_X, H
>>> symbols_, products, sums = parse_abbreviations([(B_V * B_X, "P"), (1 + H, r"\rho"), (H * (1 + B_V), "Q")])
>>> symbols_
(({B_V: 1, B_X: 1}, 'P'),)
>>> sums
{H + 1: '\\rho'}
>>> match_products(products, [S(3), H ** 2, B_V + 1])
([3, H], ['Q'], [])
"""

from __future__ import annotations

from typing import Iterable

from sympy import Add, Mul, Pow, S

__all__ = ["parse_abbreviations", "match_products"]


def _entry(entry) -> tuple:
    """``(expression, tex)`` or ``(expression, tex, "lead")`` -> (expression, tex, lead)."""
    if isinstance(entry, (tuple, list)) and len(entry) == 2:
        return entry[0], entry[1], False
    if isinstance(entry, (tuple, list)) and len(entry) == 3 and entry[2] in ("lead", "end"):
        return entry[0], entry[1], entry[2] == "lead"
    raise ValueError(f"an abbreviation is (expression, tex) or (expression, tex, 'lead'), got {entry!r}")


def parse_abbreviations(entries: Iterable) -> tuple[tuple, tuple, dict]:
    """``(symbol products, products, sums)``: ``({symbol: power}, tex)`` pairs, ``({base: power}, tex)``
    pairs, and ``{sum: tex}``; a :class:`ValueError` names an entry that is none of the three kinds."""
    symbols_, products, sums = [], [], {}
    for entry in entries:
        expr, tex, lead = _entry(entry)
        if isinstance(expr, Add) and not expr.is_number:
            sums[expr] = tex
            continue
        need: dict = {}
        for f in Mul.make_args(expr):
            b, e = f.as_base_exp()
            if not (b.is_Symbol or (isinstance(b, Add) and not b.is_number)) or not (e.is_Rational and e > 0):
                raise ValueError(f"abbreviation {expr} must be a product of positive powers of symbols or sums, "
                                 f"or a sum")
            need[b] = need.get(b, 0) + e
        if all(b.is_Symbol and e.is_Integer for b, e in need.items()) and not lead:
            symbols_.append(({b: int(e) for b, e in need.items()}, tex))
        else:
            products.append((need, tex))
    return tuple(symbols_), tuple(products), sums


def match_products(products: tuple, factors: list) -> tuple[list, list, list]:
    """Replace the factors of each product abbreviation by its name, as often as it fits.

    ``factors`` are a product's factors; returns the remaining factors and the names (LaTeX) taken
    from the numerator and from the denominator (``\\Lambda^{2}`` for two copies).
    """
    if not products:
        return factors, [], []
    powers: dict = {}
    order = []
    for f in factors:
        b, e = f.as_base_exp()
        if f.is_Number or not e.is_Rational:
            order.append(f)
            continue
        if b not in powers:
            order.append(b)
            powers[b] = S.Zero
        powers[b] += e
    names: tuple[list, list] = ([], [])
    for need, tex in products:
        for side, sign in ((0, 1), (1, -1)):
            times = 0
            while all(sign * powers.get(b, 0) >= e for b, e in need.items()):
                for b, e in need.items():
                    powers[b] -= sign * e
                times += 1
            if times:
                names[side].append(tex if times == 1 else r"%s^{%d}" % (tex, times))
    if not names[0] and not names[1]:
        return factors, [], []
    rest = [(Pow(f, powers[f]) if f in powers else f) for f in order if f not in powers or powers[f] != 0]
    return rest, names[0], names[1]
