"""What every part of the slip search shares: the constants, the arena protocol and small helpers.

An **arena** is the search space shared by a slip and its true lemma: it draws parameter points,
perturbs them, computes a certified value (or lower bound) of the lemma's left side at a point and the
numeric values of the objects that appear on the right side (covering numbers, distances).

Examples
--------
>>> from fractions import Fraction
>>> frac(0.5), frac(3)
(Fraction(1, 2), Fraction(3, 1))
>>> jsonable({"a": Fraction(1, 3), "b": Fraction(2), "c": 0.1})
{'a': '1/3', 'b': 2, 'c': '0.1'}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

__all__ = ["Arena", "DEFAULT_BUDGET", "CONFIRM_DPS", "FLOAT_TOL", "frac", "loguniform", "jitter", "step_int",
           "jsonable"]

#: evaluations per search unless asked otherwise
DEFAULT_BUDGET = 300
#: digits at which a candidate counterexample is confirmed
CONFIRM_DPS = 50
#: margin (double precision) above which a point is a candidate
FLOAT_TOL = 1e-9


@dataclass(frozen=True)
class Arena:
    """A search space shared by a slip and its true lemma.

    ``lhs(point, dps)`` returns a certified value or lower bound of the left side
    (``dps=None``: float64, for the search); ``atom(atom, exact_args, point,
    dps)`` the value of a covering number or distance on the right side;
    ``values(point)`` the lemma's parameters by name (exact numbers);
    ``violations(point, dps)`` (optional) the ways a point leaves the class the
    lemma is about, checked at ``dps`` digits before a candidate is confirmed.
    """

    key: str
    title: str
    lhs_description: str
    sample: Callable
    perturb: Callable
    lhs: Callable
    values: Callable
    atom: Callable = None
    witness: Callable = None
    shrink: Callable = None      # simpler variants of a point, tried after a confirmed counterexample
    violations: Callable = None  # (point, dps) -> list of reasons the point is not admissible


def frac(x) -> Fraction:
    """The exact value of a float, int or Fraction."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    return Fraction(float(x))


def loguniform(rng, lo, hi) -> float:
    """A draw uniform in log between ``lo`` and ``hi``."""
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def jitter(rng, x, lo, hi, s=0.3) -> float:
    """``x`` times a log-normal factor, kept in ``[lo, hi]``."""
    return float(min(hi, max(lo, x * math.exp(rng.normal(0.0, s)))))


def step_int(rng, v, lo, hi) -> int:
    """``v`` moved by -1, 0 or 1, kept in ``[lo, hi]``."""
    return int(min(hi, max(lo, v + int(rng.integers(-1, 2)))))


def jsonable(v):
    """``v`` with Fractions, numpy numbers and arrays turned into JSON values (floats as exact reprs)."""
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else int(v.numerator)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, np.ndarray):
        return [jsonable(x) for x in v.tolist()] if v.ndim else jsonable(v.item())
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    return v
