"""What every module of :mod:`numeric.weights` shares: the error type, the default rank tolerance,
checked conversions of flag values, and float64 figures that never leave the float64 range silently.

A figure of a weights file is a float64.  Huge but finite weights are measured on a copy scaled
by a power of two (exact: only the exponent changes) and the figure is scaled back with
:func:`scale_back`, which refuses a result outside the normal float64 range instead of returning
``inf`` or a flushed ``0``.  :func:`dec` writes a figure as a decimal string and refuses a
non-finite one, so no ``nan`` or ``inf`` reaches a table or a JSON document.

Examples
--------
>>> import numpy as np
>>> A, e = pow2_scaled(np.array([[3e200, -1e200]]))
>>> float(np.abs(A).max()) <= 1.0, e
(True, 666)
>>> scale_back(0.5, 1025, "the norm")
Traceback (most recent call last):
...
numeric.weights.common.WeightsError: the norm is about 1.80e+308, outside the float64 range ...
>>> check_rank_tol("--rank-tol", "1e400")
Traceback (most recent call last):
...
numeric.weights.common.WeightsError: --rank-tol must be a number in [0, 1), got '1e400'
>>> dec(0.1), dec(2.0)
('0.1', '2.0')
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np

from numeric.errors import UsageError

__all__ = ["WeightsError", "DEFAULT_RANK_TOL", "FLOAT_MIN", "FLOAT_MAX", "dec", "show_path", "pow2_scaled",
           "scale_back", "scaled_norm", "check_rank_tol", "positive_number", "check_variant", "index", "count", "short",
           "MAX_EXP10"]

#: default relative tolerance of the numerical rank: singular values <= tol * largest are not counted.
#: It sits near float32 rounding for d in the hundreds (d * 2**-24 is about 4.6e-5 at d = 768), so
#: it counts only directions that are clearly not storage noise; pass a larger one for an
#: "effective" rank.
DEFAULT_RANK_TOL = 1e-5

#: the smallest positive normal and the largest finite float64
FLOAT_MIN, FLOAT_MAX = sys.float_info.min, sys.float_info.max


class WeightsError(UsageError):
    """A weights file that cannot be read, does not hold a recognised attention layout, or holds a
    figure that float64 cannot represent; also a bad argument of :func:`numeric.weights.analyse_file`."""


def dec(x, what: str = "a figure") -> str:
    """A float as a decimal string that reads back to the same float (a Fraction exactly).

    A non-finite value is refused: it would be ``nan`` or ``inf`` in a report.
    """
    if isinstance(x, Fraction):
        from numeric.params import _fmt_exact
        return _fmt_exact(x)
    x = float(x)
    if not math.isfinite(x):
        raise WeightsError(f"{what} is {x}, not a finite number; refusing to report it")
    return repr(x)


def show_path(path) -> str:
    """``path`` as printable text: bytes that are not UTF-8 (surrogate escapes) become ``\\xNN``.

    >>> show_path(b"caf\\xe9.npz".decode("utf-8", "surrogateescape"))
    'caf\\\\xe9.npz'
    """
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def pow2_scaled(A: np.ndarray) -> tuple:
    """``(A * 2**-e, e)`` with the largest entry of the scaled copy in [0.5, 1) (``e = 0`` for a zero or
    empty ``A``).  Scaling by a power of two changes only exponents, so it is exact (entries more than
    about 2**1000 below the largest may lose bits: they are far below every figure's rounding error)."""
    if A.size == 0:
        return A, 0
    top = float(np.max(np.abs(A)))
    if top == 0.0:
        return A, 0
    if not math.isfinite(top):
        raise WeightsError("a matrix with non-finite entries (nan or inf) cannot be measured")
    e = math.frexp(top)[1]
    return (np.ldexp(A, -e) if e else A), e


def scale_back(x: float, e: int, what: str) -> float:
    """``x * 2**e`` for a figure ``x`` of a scaled matrix; refused unless it is 0 or a normal float64."""
    x = float(x)
    if x == 0.0 or e == 0:
        return x
    m, ex = math.frexp(x)
    if ex + e > sys.float_info.max_exp or ex + e < sys.float_info.min_exp:
        raise WeightsError(f"{what} is about {_approx(m, ex + e)}, outside the float64 range "
                           f"[{FLOAT_MIN:.3g}, {FLOAT_MAX:.3g}] in which figures are reported")
    return math.ldexp(x, e)


def _approx(m: float, e: int) -> str:
    """``m * 2**e`` (any ``e``) as a 3-digit decimal such as ``2.5e+400``."""
    t = math.log10(abs(m)) + e * math.log10(2.0)
    k = math.floor(t)
    mant = 10 ** (t - k)
    if round(mant, 2) >= 10.0:
        mant, k = mant / 10, k + 1
    return f"{'-' if m < 0 else ''}{mant:.2f}e{k:+d}"


def scaled_norm(v: np.ndarray, what: str, axis=None):
    """The l2 norm of ``v`` (along ``axis``) computed on a power-of-two scaled copy, so that entries
    near the float64 limits neither overflow nor underflow when squared; refused if the result is
    outside the float64 range (see :func:`scale_back`).

    >>> scaled_norm(np.array([3.0, 4.0]) * 2.0 ** 1000, "the norm") == 5 * 2.0 ** 1000   # squares would overflow
    True
    """
    s, e = pow2_scaled(np.asarray(v, dtype=np.float64))
    r = np.linalg.norm(s) if axis is None else np.linalg.norm(s, axis=axis)
    if np.ndim(r) == 0:
        return scale_back(float(r), e, what)
    top = float(np.max(r)) if r.size else 0.0
    scale_back(top, e, what)                         # refuses the largest if it is out of range
    return np.ldexp(r, e)


#: numbers read from flags lie within 10^-MAX_EXP10 .. 10^MAX_EXP10, so that their exact decimal prints
#: (Python refuses to print integers of more than 4300 digits)
MAX_EXP10 = 4000
_HUGE, _TINY = Fraction(10) ** MAX_EXP10, Fraction(1, 10 ** MAX_EXP10)


def short(value, limit: int = 40) -> str:
    """``repr(value)``, cut to about ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + "...'" + f" ({len(str(value))} characters)"


def _number(flag: str, value) -> Fraction:
    from numeric.params import MAX_DIGITS, parse_number
    if isinstance(value, str) and len(value.strip().lower().partition("e")[0]) > MAX_DIGITS:
        raise _OutOfRange(f"{flag} has more digits than can be read, got {short(value)}")
    try:
        x = parse_number(flag, value)
    except UsageError as exc:
        if "out of range" in str(exc):        # numeric.params reads numbers within 1e-4000 .. 1e4000 only
            raise _OutOfRange(f"{flag} must lie between 1e-{MAX_EXP10} and 1e{MAX_EXP10} in absolute value, got "
                              f"{short(value)}") from None
        raise WeightsError(f"{flag} must be a decimal number such as 1000, 0.05 or 1e6, got {short(value)}") from None
    except ValueError:            # Python refuses to read integers of more than 4300 digits
        raise _OutOfRange(f"{flag} has more digits than can be read, got {short(value)}") from None
    if x != 0 and not (_TINY <= abs(x) <= _HUGE):
        raise _OutOfRange(f"{flag} must lie between 1e-{MAX_EXP10} and 1e{MAX_EXP10} in absolute value, got "
                          f"{short(value)}")
    return x


class _OutOfRange(WeightsError):
    """A number too long or too large to read and print exactly."""


def index(flag: str, value, least: int = 0) -> int | None:
    """``None``, or ``value`` as an integer in [``least``, 10^9) (layer and head indices have at most 9 digits).

    >>> index("--layer", "3"), index("--layer", None)
    (3, None)
    >>> index("--head", "1e400")
    Traceback (most recent call last):
    ...
    numeric.weights.common.WeightsError: --head must be a non-negative integer below 10^9, got '1e400'
    """
    if value is None:
        return None
    try:
        x = _number(flag, value)
    except WeightsError:
        x = None
    if x is None or x.denominator != 1 or not (least <= x < 10 ** 9):
        kind = "non-negative" if least == 0 else "positive" if least == 1 else f">= {least}"
        raise WeightsError(f"{flag} must be a {kind} integer below 10^9, got {short(value)}")
    return int(x)


def count(flag: str, value) -> int:
    """``value`` as a positive integer (a sample size: no upper limit but :data:`MAX_EXP10`)."""
    try:
        x = _number(flag, value)
    except _OutOfRange:
        raise
    except WeightsError:
        x = None
    if x is None or x.denominator != 1 or x < 1:
        raise WeightsError(f"{flag} must be a positive integer, got {short(value)}")
    return int(x)


def check_rank_tol(flag: str, value) -> float:
    """The rank tolerance as a float in [0, 1); a value that float64 would round to 0 or 1 is refused.

    >>> check_rank_tol("rank_tol", "0.25"), check_rank_tol("rank_tol", 0)
    (0.25, 0.0)
    """
    x = _number(flag, value)
    if not (0 <= x < 1):
        raise WeightsError(f"{flag} must be a number in [0, 1), got {short(value)}")
    tol = float(x)
    if x > 0 and tol < FLOAT_MIN:
        raise WeightsError(f"{flag} must be 0 or at least {FLOAT_MIN!r} (the smallest normal float64), "
                           f"got {short(value)}")
    if tol >= 1.0:
        raise WeightsError(f"{flag} must be a number in [0, 1) that float64 does not round to 1, "
                           f"got {short(value)}")
    return tol


def positive_number(flag: str, value) -> Fraction:
    """``value`` read exactly; refused unless it is > 0."""
    x = _number(flag, value)
    if x <= 0:
        raise WeightsError(f"{flag} must be > 0, got {short(value)}")
    return x


def check_variant(flag: str, variant) -> str:
    """``variant`` if it names a variant of the chain (:data:`derive.theorems.VARIANTS`), else an error."""
    from derive.theorems import VARIANTS
    if not isinstance(variant, str) or variant not in VARIANTS:
        raise WeightsError(f"{flag}: unknown variant {short(variant)}; known: {', '.join(VARIANTS)}")
    return variant
