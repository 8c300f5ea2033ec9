"""Matrix norm relations (MATH.md section 2).

References
----------
.. [HJ13] R. A. Horn, C. R. Johnson, Matrix Analysis, 2nd ed., 2013, section 5.6.
"""

from __future__ import annotations

import sympy
from sympy import Function, Symbol, sqrt

from .core import Lemma, Source, register
from .objects import Tag

__all__ = ["MatrixNorm", "Rank", "NORM_SPEC_LE_FRO", "NORM_FRO_LE_SQRT_RANK_SPEC", "NORM_FRO_LE_21",
           "NORM_21_LE_11"]


class MatrixNorm(Function):
    r"""``MatrixNorm(A, kind)`` with kind one of spec, fro, 21, 11 (columns for (2,1))."""

    nargs = 2
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        A, kind = self.args
        sub = {"spec": "2", "fro": "F", "21": "2,1", "11": "1,1"}[str(kind)]
        return r"\left\|%s\right\|_{%s}" % (printer._print(A), sub)


class Rank(Function):
    """``Rank(A)``: the rank of the matrix A."""

    nargs = 1
    is_integer = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        return r"\operatorname{rank}\left(%s\right)" % printer._print(self.args[0])


A = Symbol("A")
_HJ = "Horn & Johnson (2013), Matrix Analysis, 2nd ed., section 5.6"


def _norm(kind):
    return MatrixNorm(A, Tag(kind))


def _ex(**vals):
    return {_norm(k): v for k, v in vals.items()}


NORM_SPEC_LE_FRO = register(Lemma(
    name="norm-spec-le-fro", title="||A||_2 <= ||A||_F", params=(A,), hypotheses=(),
    conclusion=sympy.Le(_norm("spec"), _norm("fro")), source=Source(_HJ), family="norms",
    example=_ex(fro=3)))

NORM_FRO_LE_SQRT_RANK_SPEC = register(Lemma(
    name="norm-fro-le-sqrt-rank-spec", title="||A||_F <= sqrt(rank A) ||A||_2", params=(A,), hypotheses=(),
    conclusion=sympy.Le(_norm("fro"), sqrt(Rank(A)) * _norm("spec")), source=Source(_HJ), family="norms",
    example={**_ex(spec=2), Rank(A): 4}))

NORM_FRO_LE_21 = register(Lemma(
    name="norm-fro-le-21", title="||A||_F <= ||A||_{2,1} (sum of column norms)", params=(A,), hypotheses=(),
    conclusion=sympy.Le(_norm("fro"), _norm("21")), source=Source(_HJ), family="norms",
    example=_ex(**{"21": 5})))

NORM_21_LE_11 = register(Lemma(
    name="norm-21-le-11", title="||A||_{2,1} <= ||A||_{1,1} (entrywise l1)", params=(A,), hypotheses=(),
    conclusion=sympy.Le(_norm("21"), _norm("11")), source=Source(_HJ), family="norms",
    example=_ex(**{"11": 7})))
