"""The paper's structural claims, checked symbolically on the composed bound.

Each claim gets a verdict, ``proved``, ``refuted`` or ``unknown``, with its
evidence; nothing is assumed.  The checks use the theorem's own hypotheses
(``0 < delta < 1``) and nothing else.

Examples
--------
>>> from derive import theorem
>>> from derive.claims import check_claims
>>> [c.verdict for c in check_claims(theorem())]
['proved', 'proved', 'proved', 'refuted']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy
from sympy import Add, Dummy, Mul, Piecewise, Pow, log, oo, sqrt

from lemmas.symbols import T, delta, n, r_w

__all__ = ["Claim", "check_claims", "claims_of", "positive", "rate_in_n", "independent_of", "sqrt_growth"]


@dataclass(frozen=True)
class Claim:
    """A verdict on one claim, with every condition it relies on and how each was decided.

    ``conditions`` is a tuple of ``(statement, value)`` with value True, False or None; a claim is
    ``proved`` only when every condition is True (:func:`verdict_from`), and the evidence lists them.
    """

    key: str
    statement: str
    verdict: str        # proved | refuted | unknown
    evidence: str
    conditions: tuple = ()

    def __str__(self):
        return f"[{self.verdict}] {self.statement}: {self.evidence}"


def _conditions_text(conditions) -> str:
    word = {True: "yes", False: "NO", None: "undecided"}
    return "; ".join(f"{text}: {word[v]}" for text, v in conditions)


def _claim(key, statement, conditions, proved_evidence, refuted=None):
    """``proved`` iff every condition is True; ``refuted`` when ``refuted`` (a text) is given; else unknown."""
    if all(v is True for _, v in conditions):
        return Claim(key, statement, "proved", proved_evidence + " [conditions: " + _conditions_text(conditions) + "]",
                     tuple(conditions))
    if refuted:
        return Claim(key, statement, "refuted", refuted, tuple(conditions))
    return Claim(key, statement, "unknown", "not every condition is decided: " + _conditions_text(conditions),
                 tuple(conditions))


def _under(expr, conds):
    """Use conditions ``a < b`` (a, b > 0) known on a Piecewise branch: ``log(x)`` with ``x = b/a`` (decided by
    cancelling ``x a / b``, not by the printed form) is then positive."""
    ratios = []
    for cond in conds:
        if isinstance(cond, sympy.StrictLessThan) or isinstance(cond, sympy.LessThan):
            a, b = cond.lhs, cond.rhs
        elif isinstance(cond, (sympy.StrictGreaterThan, sympy.GreaterThan)):
            a, b = cond.rhs, cond.lhs
        else:
            continue
        if a.is_positive and b.is_positive:
            ratios.append((a, b, isinstance(cond, (sympy.StrictLessThan, sympy.StrictGreaterThan))))
    if not ratios:
        return expr
    reps = {}
    for lg in expr.atoms(log):
        x = lg.args[0]
        for a, b, strict in ratios:
            if sympy.cancel(sympy.powsimp(sympy.expand_power_base(x * a / b, force=False))) == 1 or \
                    sympy.simplify(x * a / b - 1) == 0:
                reps[lg] = Dummy("l", positive=True) if strict else Dummy("l", nonnegative=True)
                break
    return expr.xreplace(reps) if reps else expr


def positive(expr) -> bool | None:
    """``expr > 0``, three-valued, by structure (Piecewise: every branch, under its condition)."""
    sg = _sign(expr)
    if sg == 2:
        return True
    return expr.is_positive


def nonnegative_by_structure(expr) -> bool:
    """``expr >= 0`` shown by structure (the same rules as :func:`positive`)."""
    return _sign(expr) is not None


def _sign(expr):
    """2 if ``expr > 0`` is shown by structure, 1 if only ``expr >= 0`` is, None otherwise."""
    if isinstance(expr, Piecewise):
        vals, previous = [], []
        for e, cond in expr.args:
            known = [sympy.Not(p) for p in previous] + ([cond] if cond is not sympy.true else [])
            vals.append(_sign(_under(e, [k for k in known if k is not sympy.true])))
            previous.append(cond)
        return None if any(v is None for v in vals) else min(vals)
    if isinstance(expr, Add):
        vals = [_sign(a) for a in expr.args]
        if any(v is None for v in vals):
            return _atomic(expr)
        return 2 if any(v == 2 for v in vals) else 1          # nonnegative terms, one of them positive
    if isinstance(expr, Mul):
        vals = [_sign(a) for a in expr.args]
        if any(v is None for v in vals):
            return _atomic(expr)
        return min(vals)                                      # a factor that may vanish makes it >= 0 only
    if isinstance(expr, sympy.erfc) and expr.args[0].is_extended_real:
        return 2             # erfc(x) = (2/sqrt(pi)) int_x^oo e^{-t^2} dt > 0 for real x
    if isinstance(expr, Pow) and expr.exp.is_real:
        base = _sign(expr.base)
        if base == 2:
            return 2
        if base == 1 and expr.exp.is_positive:
            return 1
    return _atomic(expr)


def _atomic(expr):
    if expr.is_positive:
        return 2
    if expr.is_nonnegative:
        return 1
    return None


def _with_delta_below_one(expr):
    """Substitute delta = 1/(1+s), s > 0: a bijection onto (0, 1), the hypothesis delta-below-1."""
    s = Dummy("s", positive=True)
    return expr.xreplace({delta: 1 / (1 + s)})


def rate_in_n(bound, n_symbol=n) -> Claim:
    """``bound = K / sqrt(n)`` with ``K > 0`` free of ``n``: Theta(1/sqrt(n)), no log n."""
    K = sympy.powsimp(sympy.expand_mul(bound * sqrt(n_symbol)))
    dK = sympy.diff(K, n_symbol)
    if dK != 0:
        dK = sympy.simplify(dK)
    pos = positive(_with_delta_below_one(K))
    conditions = ((f"d/d{n_symbol} (sqrt({n_symbol}) * bound) = 0 identically (K = sqrt({n_symbol}) * bound is free "
                   f"of {n_symbol})", dK == 0),
                  ("K > 0 for every admissible parameter (0 < delta < 1)", pos))
    refuted = None
    if dK != 0 and sympy.limit(bound * sqrt(n_symbol), n_symbol, oo) == oo:
        refuted = f"sqrt({n_symbol}) * bound -> oo as {n_symbol} -> oo: the bound is not O(1/sqrt({n_symbol}))"
    return _claim("rate-n", f"the bound is O(1/sqrt({n_symbol})) with no log {n_symbol}", conditions,
                  f"bound = K / sqrt({n_symbol}) with K > 0 independent of {n_symbol}: Theta(1/sqrt({n_symbol})), "
                  f"no log {n_symbol}", refuted)


def independent_of(bound, symbol, key: str | None = None, why: str = "") -> Claim:
    """The bound does not depend on ``symbol`` (its derivative vanishes identically)."""
    dT = sympy.diff(bound, symbol)
    return _claim(key or f"{symbol}-free", f"the bound does not depend on {symbol}",
                  ((f"d bound / d{symbol} = 0 identically", dT == 0),),
                  why or f"{symbol} does not occur in the bound",
                  None if dT == 0 else f"d bound / d{symbol} = {dT}")


def sqrt_growth(bound, symbol, key: str | None = None) -> Claim:
    """``bound = A + h sqrt(symbol)`` with ``A > 0`` and ``h > 0`` both free of ``symbol``: Theta(sqrt)."""
    h = sympy.powsimp(sympy.expand_mul(2 * sqrt(symbol) * sympy.diff(bound, symbol)))
    dh = sympy.diff(h, symbol)
    if dh != 0:
        h = sympy.simplify(h)
        dh = sympy.simplify(sympy.diff(h, symbol))
    hpos = positive(h)
    A = bound.xreplace({symbol: sympy.S.Zero})     # bound = A + h sqrt(symbol) when h is free of symbol
    Apos = positive(_with_delta_below_one(A))
    conditions = ((f"h = 2 sqrt({symbol}) d bound/d{symbol} is free of {symbol} (so bound = A + h sqrt({symbol}))",
                   dh == 0),
                  ("h > 0", hpos), (f"A = bound at {symbol} = 0 is > 0 (0 < delta < 1)", Apos))
    return _claim(key or f"growth-{symbol}", f"the bound grows as Theta(sqrt({symbol}))", conditions,
                  f"bound = A + h sqrt({symbol}) with A > 0 and h > 0 independent of {symbol}; h = {sympy.sstr(h)}")


@lru_cache(maxsize=None)
def _check(bound) -> tuple:
    claims = [rate_in_n(bound),
              independent_of(bound, T, "T-free", "T is a parameter of the class and of every lemma that mentions "
                                                 "it, and drops out at the perturbation lemma")]
    claims[-1] = Claim(claims[-1].key, "the bound does not depend on the sequence length T", claims[-1].verdict,
                       claims[-1].evidence, claims[-1].conditions)
    growth = sqrt_growth(bound, r_w, "growth-r_w")
    claims.append(growth)
    ratio = sympy.limit(sqrt(r_w) / log(r_w), r_w, oo)
    log_conditions = growth.conditions + (("sqrt(r_w) / log(r_w) -> oo", ratio == oo),)
    if all(v is True for _, v in log_conditions):
        claims.append(Claim("log-r_w", "the bound depends on r_w only as O(log r_w) (abstract of Truong 2024)",
                            "refuted",
                            "bound >= h sqrt(r_w) with h > 0 and sqrt(r_w)/log(r_w) -> oo; the bound grows (it "
                            "does not decay) like sqrt(r_w). A log r_w appears only inside the logarithm under a "
                            "spectral-norm constraint (lemma linear-cover-spectral) [conditions: "
                            + _conditions_text(log_conditions) + "]", log_conditions))
    else:
        claims.append(Claim("log-r_w", "the bound depends on r_w only as O(log r_w) (abstract of Truong 2024)",
                            "unknown", "the growth in r_w could not be decided: " + _conditions_text(log_conditions),
                            log_conditions))
    return tuple(claims)


def claims_of(bound) -> tuple:
    """The verdicts of :func:`check_claims` for any expression in the setting's symbols."""
    return _check(bound)


def check_claims(theorem) -> tuple:
    """Verdicts on the rate in n, independence of T and the growth in r_w of ``theorem.bound``."""
    return _check(theorem.bound)
