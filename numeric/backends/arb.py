"""Certified evaluation of the composed bound with Arb ball arithmetic (python-flint).

The expression is the one :func:`derive.theorem` composes (``Theorem.bound``); it is
never retyped.  :func:`arb_eval` walks its SymPy tree with ``flint.arb`` balls:
parameters enter as exact balls (a ``Fraction`` p/q as ``arb(p)/q``), every
operation returns a ball that contains the exact result, ``Piecewise``
conditions are decided by ball comparisons, and ``logplus`` is enclosed even when
the ball of its argument contains 1.

A ``Piecewise`` condition the balls cannot decide (the parameters sit on the
boundary) is decided exactly by SymPy when its sides are rational in the
parameters; otherwise every branch that may hold is evaluated and the union of
their balls is returned (a non-finite candidate branch raises
:class:`~numeric.errors.NotCertified`).

:func:`certified_evaluate` raises the working precision a few times until the
ball's relative width is below ``10**-dps`` (``certified=True``); if it never is,
the enclosure is still returned, with ``certified=False``.  flint's global
precision is saved and restored around every evaluation (``try/finally``).

Examples
--------
>>> from numeric.backends.arb import certified_evaluate
>>> cv = certified_evaluate({"n": 10**8}, dps=20)
>>> cv.certified
True
>>> lo, hi = cv.interval_strings()
>>> float(lo) <= float(hi)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Mapping

import flint
import mpmath
import sympy
from sympy import Piecewise
from sympy.core.relational import Relational

from lemmas.core import LemmaError, as_number, truth
from lemmas.objects import logplus

from numeric.errors import NotCertified, UsageError
from numeric.evaluate import check_dps
from numeric.params import Params

__all__ = ["arb_eval", "certified_evaluate", "certify_expr", "CertifiedValue", "to_arb", "arb_endpoints",
           "decimal_round", "working_precision", "Undecided", "start_bits"]

#: bits added to the requested digits at the first attempt; each further attempt doubles the precision
GUARD_BITS = 32
#: the largest binary exponent of an endpoint printed exactly (about 600,000 decimal digits)
MAX_EXPONENT_BITS = 2_000_000
MAX_ATTEMPTS = 4


class Undecided(NotCertified):
    """A condition (a Piecewise branch) could not be decided and no enclosure is possible."""


class working_precision:
    """Context manager: run with flint's precision at ``prec`` bits, then restore the previous value."""

    def __init__(self, prec: int):
        self.prec = int(prec)

    def __enter__(self):
        self._saved = flint.ctx.prec
        flint.ctx.prec = self.prec
        return self

    def __exit__(self, *exc):
        flint.ctx.prec = self._saved
        return False


def to_arb(v) -> "flint.arb":
    """An exact number (int, Fraction, SymPy Integer/Rational/Float) as a ball at the current precision."""
    if isinstance(v, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(v, int):
        return flint.arb(v)
    if isinstance(v, Fraction):
        return flint.arb(v.numerator) / v.denominator
    if isinstance(v, sympy.Integer):
        return flint.arb(int(v))
    if isinstance(v, sympy.Rational):
        return flint.arb(int(v.p)) / int(v.q)
    if isinstance(v, sympy.Float):
        r = sympy.Rational(v)                  # the Float's exact binary value
        return flint.arb(int(r.p)) / int(r.q)
    if isinstance(v, flint.arb):
        return v
    raise TypeError(f"cannot make an exact ball of {v!r}")


def _logplus(x):
    """max(0, log x) as a ball; when the ball of x contains 1: [0, max(0, upper(log x))]."""
    one = flint.arb(1)
    if x > one:
        return x.log()
    if x <= one:
        return flint.arb(0)
    if not x.is_finite():
        return flint.arb.nan()
    # straddles 1: the union of 0 and log's ball, cut at 0 (log+ is nonnegative)
    upper = x.upper().log().upper() if x.upper() > 0 else flint.arb(0)
    return flint.arb(0).union(upper.max(flint.arb(0))).nonnegative_part()


def _sqrt(x):
    return x.sqrt()


_FUNCS = {
    sympy.log: lambda x: x.log(),
    sympy.exp: lambda x: x.exp(),
    sympy.erfc: lambda x: x.erfc(),
    sympy.erf: lambda x: x.erf(),
    sympy.Abs: lambda x: abs(x),
    sympy.ceiling: lambda x: x.ceil(),
    sympy.floor: lambda x: x.floor(),
    logplus: _logplus,
}


def arb_eval(expr, values: Mapping, exact: Mapping | None = None):
    """A ball containing ``expr`` at ``values`` (Symbol -> arb), at flint's current precision.

    ``exact`` (Symbol -> SymPy Rational) lets undecidable ``Piecewise`` conditions be
    decided exactly.  Raises :class:`NotCertified` on anything it cannot enclose.
    """
    if expr in values:
        return values[expr]
    if isinstance(expr, (sympy.Integer, sympy.Rational, sympy.Float)):
        return to_arb(expr)
    if expr is sympy.pi:
        return flint.arb.pi()
    if expr is sympy.E:
        return flint.arb(1).exp()
    if isinstance(expr, sympy.Add):
        out = flint.arb(0)
        for a in expr.args:
            out = out + arb_eval(a, values, exact)
        return out
    if isinstance(expr, sympy.Mul):
        out = flint.arb(1)
        for a in expr.args:
            out = out * arb_eval(a, values, exact)
        return out
    if isinstance(expr, sympy.Pow):
        base, e = expr.args
        b = arb_eval(base, values, exact)
        if isinstance(e, sympy.Integer):
            return b ** int(e)
        if e == sympy.S.Half:
            return b.sqrt()
        if e == -sympy.S.Half:
            return b.rsqrt()
        if isinstance(e, sympy.Rational):
            p, q = int(e.p), int(e.q)
            return b.root(q) ** p
        return (arb_eval(e, values, exact) * b.log()).exp()
    for f, g in _FUNCS.items():
        if isinstance(expr, f):
            (a,) = expr.args
            return g(arb_eval(a, values, exact))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        args = [arb_eval(a, values, exact) for a in expr.args]
        out = args[0]
        for a in args[1:]:
            out = out.max(a) if isinstance(expr, sympy.Max) else out.min(a)
        return out
    if isinstance(expr, Piecewise):
        return _piecewise(expr, values, exact)
    if isinstance(expr, sympy.Symbol):
        raise NotCertified(f"no value for the symbol {expr} in the certified evaluation")
    raise NotCertified(f"the certified evaluator cannot enclose {type(expr).__name__}: {sympy.sstr(expr)[:200]}")


def _decide(cond, values, exact):
    """True / False when the balls decide ``cond``; None when they straddle it."""
    if cond is sympy.true or cond is True:
        return True
    if cond is sympy.false or cond is False:
        return False
    if isinstance(cond, sympy.And):
        vals = [_decide(a, values, exact) for a in cond.args]
        return False if False in vals else (True if all(v is True for v in vals) else None)
    if isinstance(cond, sympy.Or):
        vals = [_decide(a, values, exact) for a in cond.args]
        return True if True in vals else (False if all(v is False for v in vals) else None)
    if isinstance(cond, sympy.Not):
        v = _decide(cond.args[0], values, exact)
        return None if v is None else not v
    if isinstance(cond, Relational):
        a, b = arb_eval(cond.lhs, values, exact), arb_eval(cond.rhs, values, exact)
        op = cond.rel_op
        if op in (">=", ">"):
            a, b, op = b, a, {">=": "<=", ">": "<"}[op]
        if op == "<=":
            if a <= b:
                return True
            if a > b:
                return False
        elif op == "<":
            if a < b:
                return True
            if a >= b:
                return False
        else:
            raise NotCertified(f"cannot decide the condition {cond} with balls")
        # the balls straddle the boundary: decide exactly when the sides are rational in exact values
        if exact is not None:
            v = truth(cond.xreplace(dict(exact)))
            if v is not None:
                return v
        return None
    raise NotCertified(f"cannot decide the condition {cond}")


def _piecewise(expr, values, exact):
    candidates = []
    for e, cond in expr.args:
        v = _decide(cond, values, exact)
        if v is False:
            continue
        ball = arb_eval(e, values, exact)
        candidates.append(ball)
        if v is True:
            break
    else:
        if not candidates:
            raise Undecided(f"no branch of {sympy.sstr(expr)[:200]} holds")
    if len(candidates) > 1:
        if not all(c.is_finite() for c in candidates):
            raise Undecided(f"the parameters sit on a branch boundary of {sympy.sstr(expr)[:200]} and a "
                            f"candidate branch is not finite there")
        out = candidates[0]
        for c in candidates[1:]:
            out = out.union(c)
        return out
    return candidates[0]


def arb_endpoints(ball) -> tuple[Fraction, Fraction]:
    """The exact dyadic endpoints of a finite ball."""
    if not ball.is_finite():
        raise NotCertified(f"the ball {ball} is not finite")

    def frac(x):
        m, e = x.man_exp()
        m, e = int(m), int(e)
        if abs(e) > MAX_EXPONENT_BITS:
            raise NotCertified(f"the enclosure is about 2^{e} (10^{e * 0.30103:.4g}): an astronomically "
                               f"{'large' if e > 0 else 'small'} bound, beyond the {MAX_EXPONENT_BITS} binary digits "
                               f"rankbound prints exactly")
        return Fraction(m) * (Fraction(2) ** e)

    return frac(ball.lower()), frac(ball.upper())


def decimal_round(x: Fraction, digits: int, direction: str) -> str:
    """``x`` rounded to ``digits`` significant decimal digits, ``"down"`` (floor) or ``"up"`` (ceil)."""
    if direction not in ("down", "up"):
        raise ValueError("direction must be 'down' or 'up'")
    if x == 0:
        return "0"
    a = abs(x)
    bits = abs(a.numerator.bit_length() - a.denominator.bit_length())
    if bits > 20000:                      # astronomically large or small: exact powers of 10 would take minutes
        return _decimal_round_far(x, digits, direction)
    # the decimal exponent from the bit lengths (no int -> str conversion of huge numbers)
    e = math.floor((a.numerator.bit_length() - a.denominator.bit_length()) * math.log10(2))
    while a < Fraction(10) ** e:
        e -= 1
    while a >= Fraction(10) ** (e + 1):
        e += 1
    shift = digits - 1 - e
    m = x * Fraction(10) ** shift
    q = math.floor(m) if direction == "down" else math.ceil(m)
    return _scaled_decimal(q, -shift)


def _decimal_round_far(x: Fraction, digits: int, direction: str) -> str:
    """Directed decimal rounding of a number with a huge exponent, in mpmath at 30 guard digits.

    The scaled value ``x 10^shift`` is computed with a relative error below 10^-(digits + 25); the last
    decimal digit is then moved one more unit outward, so the result is rounded in ``direction`` whatever
    that error did (the interval gets at most one unit in the last place wider).
    """
    ctx = mpmath.MPContext()
    ctx.dps = digits + 30
    mant, exp2 = _dyadic(x)
    v = ctx.ldexp(ctx.mpf(mant), exp2)
    e = int(ctx.floor(ctx.log10(abs(v))))
    shift = digits - 1 - e
    m = v * ctx.power(10, shift)
    q = int(ctx.floor(m)) - 1 if direction == "down" else int(ctx.ceil(m)) + 1
    return _scaled_decimal(q, -shift)


def _int_str(q: int) -> str:
    """``str(q)`` for integers of any length (Python refuses more than 4300 digits at once)."""
    if abs(q) < 10 ** 4000:
        return str(q)
    sign, q = ("-", -q) if q < 0 else ("", q)
    m = int(q.bit_length() * 0.30103) // 2
    hi, lo = divmod(q, 10 ** m)
    return sign + _int_str(hi) + _int_str(lo).rjust(m, "0")


def _scaled_decimal(q: int, exp10: int) -> str:
    """The exact decimal string of ``q * 10^exp10`` (as Decimal would print it, without its digit limit)."""
    if abs(q) < 10 ** 4000:
        return str(Decimal(f"{q}e{exp10}")).replace("E", "e")    # exact: a Decimal from a string does not round
    return str(Decimal(f"{_int_str(q)}e{exp10}")).replace("E", "e")


def _dyadic(x: Fraction) -> tuple[int, int]:
    """``x = m 2^e`` exactly for a dyadic fraction (Arb endpoints are dyadic)."""
    den = x.denominator
    if den & (den - 1):
        raise ValueError("not a dyadic fraction")
    return x.numerator, -(den.bit_length() - 1)


@dataclass(frozen=True)
class CertifiedValue:
    """A rigorous enclosure ``lo <= value <= hi`` (exact dyadic endpoints).

    ``certified`` is True when the relative width ``(hi - lo) / min(|lo|, |hi|)`` is at most
    ``10**-dps`` and the ball does not contain 0, i.e. the requested ``dps`` digits are determined
    (up to the usual rounding ambiguity of the last digit).
    """

    lo: Fraction
    hi: Fraction
    dps: int
    certified: bool
    prec: int          # the working precision (bits) of the returned enclosure
    attempts: int

    @classmethod
    def of(cls, lo: Fraction, hi: Fraction, dps: int, prec: int, attempts: int = 1) -> "CertifiedValue":
        """The enclosure [lo, hi], certified when it determines ``dps`` digits."""
        return cls(lo, hi, dps, _is_certified(lo, hi, dps), prec, attempts)

    @property
    def mid(self) -> Fraction:
        return (self.lo + self.hi) / 2

    def contains(self, x) -> bool:
        """Whether the exact value of ``x`` (int, Fraction, float, mpf) lies in [lo, hi]."""
        from numeric.params import parse_number
        return self.lo <= parse_number("x", x) <= self.hi

    def interval_strings(self, digits: int | None = None) -> tuple[str, str]:
        """Decimal strings with ``digits`` (default ``dps + 3``) significant digits, rounded outward."""
        digits = self.dps + 3 if digits is None else digits
        return decimal_round(self.lo, digits, "down"), decimal_round(self.hi, digits, "up")

    def to_json(self) -> dict:
        lo, hi = self.interval_strings()
        return {"interval": [lo, hi], "certified": bool(self.certified)}


def _is_certified(lo: Fraction, hi: Fraction, dps: int) -> bool:
    if lo <= 0 <= hi:
        return False
    return (hi - lo) <= Fraction(1, 10 ** dps) * min(abs(lo), abs(hi))


def start_bits(dps: int) -> int:
    """The working precision (bits) of a first attempt at ``dps`` digits: dps log2(10) + GUARD_BITS."""
    return int(dps * math.log2(10)) + GUARD_BITS


def certify_expr(expr, values: Mapping, dps: int = 30, max_attempts: int = MAX_ATTEMPTS,
                 extend=None) -> CertifiedValue:
    """Enclose ``expr`` at exact ``values`` (Symbol -> int / Fraction / SymPy rational).

    Starts at ``dps * log2(10) + GUARD_BITS`` bits and doubles the precision up to
    ``max_attempts`` times until the enclosure determines ``dps`` digits.  Raises
    :class:`NotCertified` if no finite enclosure is found.  ``extend(balls, exact)``, if given, adds
    balls for atoms of ``expr`` that are enclosed separately (e.g. integrals by certified quadrature)
    at each working precision.
    """
    dps = check_dps(dps)
    try:      # numbers only: a string is never sympified
        exact = {s: as_number(v, f"value of {s}") for s, v in values.items()}
    except LemmaError as exc:
        raise UsageError(str(exc)) from None
    prec = start_bits(dps)
    last_error = None
    best = None
    for attempt in range(1, max_attempts + 1):
        with working_precision(prec):
            balls = {s: to_arb(v) for s, v in values.items()}
            if extend is not None:
                extend(balls, exact)
            ball = arb_eval(expr, balls, exact)
            if ball.is_finite():
                lo, hi = arb_endpoints(ball)
                best = CertifiedValue.of(lo, hi, dps, prec, attempt)
                if best.certified:
                    return best
            else:
                last_error = f"the enclosure at {prec} bits is {ball}"
        prec *= 2
    if best is not None:
        return best
    raise NotCertified(f"no finite enclosure of the bound after {max_attempts} attempts up to {prec // 2} bits"
                       + (f": {last_error}" if last_error else ""))


def certified_evaluate(params: Mapping | Params | None = None, dps: int = 30, variant: str = "default",
                       constants: Mapping | None = None, max_attempts: int = MAX_ATTEMPTS,
                       what_if: bool = False) -> CertifiedValue:
    """A certified enclosure of ``derive.theorem(variant, constants).bound`` at ``params``.

    Parameters
    ----------
    params : mapping or Params, optional
        As for :func:`numeric.evaluate` (missing names come from the default preset).
    dps : int
        Digits to determine; ``certified`` says whether they were.
    variant, constants
        As for :func:`numeric.evaluate`.
    """
    from numeric.evaluate import arg_order, is_deep, theorem_for
    p = Params.coerce(params)
    deep = is_deep(p)
    th = theorem_for(variant, constants, what_if, deep)
    values = {s: p[s.name] for s in arg_order(deep)}
    return certify_expr(th.bound, values, dps=dps, max_attempts=max_attempts)
