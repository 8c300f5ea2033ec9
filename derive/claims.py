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

__all__ = ["Claim", "check_claims", "claims_of", "positive"]


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
    """Use conditions ``a < b`` (a, b > 0) known on a Piecewise branch: log(b/a) is then positive."""
    reps = {}
    for cond in conds:
        if isinstance(cond, sympy.StrictLessThan) or isinstance(cond, sympy.LessThan):
            a, b = cond.lhs, cond.rhs
        elif isinstance(cond, (sympy.StrictGreaterThan, sympy.GreaterThan)):
            a, b = cond.rhs, cond.lhs
        else:
            continue
        if a.is_positive and b.is_positive:
            ratio = sympy.cancel(b / a)
            strict = isinstance(cond, (sympy.StrictLessThan, sympy.StrictGreaterThan))
            reps[log(ratio)] = Dummy("l", positive=True) if strict else Dummy("l", nonnegative=True)
    return expr.xreplace(reps) if reps else expr


def positive(expr) -> bool | None:
    """``expr > 0``, three-valued, by structure (Piecewise: every branch, under its condition)."""
    if isinstance(expr, Piecewise):
        vals, previous = [], []
        for e, cond in expr.args:
            known = [sympy.Not(p) for p in previous] + ([cond] if cond is not sympy.true else [])
            vals.append(positive(_under(e, [k for k in known if k is not sympy.true])))
            previous.append(cond)
        return True if all(v is True for v in vals) else (False if all(v is False for v in vals) else None)
    if isinstance(expr, Add):
        vals = [positive(a) for a in expr.args]
        if all(v is True for v in vals):
            return True
        nonneg = [v is True or a.is_nonnegative for v, a in zip(vals, expr.args)]
        if all(nonneg) and any(v is True for v in vals):
            return True
        return expr.is_positive
    if isinstance(expr, Mul):
        vals = [positive(a) for a in expr.args]
        if all(v is True for v in vals):
            return True
        return expr.is_positive
    if isinstance(expr, sympy.erfc) and expr.args[0].is_extended_real:
        return True          # erfc(x) = (2/sqrt(pi)) int_x^oo e^{-t^2} dt > 0 for real x
    if isinstance(expr, Pow) and expr.exp.is_real:
        if positive(expr.base) is True:
            return True
    return expr.is_positive


def _with_delta_below_one(expr):
    """Substitute delta = 1/(1+s), s > 0: a bijection onto (0, 1), the hypothesis delta-below-1."""
    s = Dummy("s", positive=True)
    return expr.xreplace({delta: 1 / (1 + s)})


@lru_cache(maxsize=None)
def _check(bound) -> tuple:
    claims = []
    # 1. rate in n: bound = K / sqrt(n) with K free of n and K > 0
    K = sympy.powsimp(sympy.expand_mul(bound * sqrt(n)))
    dK = sympy.diff(K, n)
    if dK != 0:
        dK = sympy.simplify(dK)
    pos = positive(_with_delta_below_one(K))
    rate_conditions = (("d/dn (sqrt(n) * bound) = 0 identically (K = sqrt(n) * bound is free of n)", dK == 0),
                       ("K > 0 for every admissible parameter (0 < delta < 1)", pos))
    refuted = None
    if dK != 0 and sympy.limit(bound * sqrt(n), n, oo) == oo:
        refuted = "sqrt(n) * bound -> oo as n -> oo: the bound is not O(1/sqrt(n))"
    claims.append(_claim("rate-n", "the bound is O(1/sqrt(n)) with no log n", rate_conditions,
                         "bound = K / sqrt(n) with K > 0 independent of n: Theta(1/sqrt(n)), no log n", refuted))
    # 2. sequence length
    dT = sympy.diff(bound, T)
    claims.append(_claim("T-free", "the bound does not depend on the sequence length T",
                         (("d bound / dT = 0 identically", dT == 0),),
                         "T is a parameter of the class and of every lemma that mentions it, and drops out at the "
                         "perturbation lemma",
                         None if dT == 0 else f"d bound / dT = {dT}"))
    # 3. growth in r_w: bound = A + h sqrt(r_w) with A > 0, h > 0, both free of r_w
    h = sympy.powsimp(sympy.expand_mul(2 * sqrt(r_w) * sympy.diff(bound, r_w)))
    dh = sympy.diff(h, r_w)
    if dh != 0:
        h = sympy.simplify(h)
        dh = sympy.simplify(sympy.diff(h, r_w))
    hpos = positive(h)
    A = bound.xreplace({r_w: sympy.S.Zero})     # bound = A + h sqrt(r_w) when h does not depend on r_w
    Apos = positive(_with_delta_below_one(A))
    growth_conditions = (("h = 2 sqrt(r_w) d bound/d r_w is free of r_w (so bound = A + h sqrt(r_w))", dh == 0),
                         ("h > 0", hpos), ("A = bound at r_w = 0 is > 0 (0 < delta < 1)", Apos))
    growth = _claim("growth-r_w", "the bound grows as Theta(sqrt(r_w))", growth_conditions,
                    f"bound = A + h sqrt(r_w) with A > 0 and h > 0 independent of r_w; h = {sympy.sstr(h)}")
    claims.append(growth)
    ratio = sympy.limit(sqrt(r_w) / log(r_w), r_w, oo)
    log_conditions = growth_conditions + (("sqrt(r_w) / log(r_w) -> oo", ratio == oo),)
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
