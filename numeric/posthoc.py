"""Post-hoc bounds for a trained model's measured radii and ranks (MATH.md section 9).

:func:`posthoc` rounds each measured radius up to the grid of :mod:`derive.posthoc` (a theorem: the grid
was fixed in advance and the union bound pays for it through ``delta_cell``), and also evaluates the
fixed-class bound at the measured figures themselves (a what-if: those figures were chosen after seeing
the model, so plugging them in is not a theorem).  Both are reported, each saying which it is.

Examples
--------
>>> r = posthoc({"B_w": 1.3, "B_V": 0.2, "B_QK": 5, "r_w": 3, "r_v": 2}, {"H": 2, "L": 2, "d": 16, "k": 4}, dps=15)
>>> r.cell["radii"]["B_w"], r.cell["indices"]["B_w"]
(2, 11)
>>> r.posthoc > r.fixed_class
True
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

import mpmath
import sympy

from derive.posthoc import B0, cell_of, posthoc_theorem
from lemmas.symbols import B_QK, B_V, B_w, delta, r_v, r_w

from numeric.errors import ParameterError
from numeric.evaluate import Value, check_dps, evaluate, evaluate_expr
from numeric.params import Params, parse_number

__all__ = ["PosthocResult", "posthoc", "MEASURED"]

MEASURED = ("B_w", "B_V", "B_QK", "r_w", "r_v")


@dataclass(frozen=True)
class PosthocResult:
    measured: dict
    cell: dict
    delta_cell: Fraction
    posthoc: Value            # a theorem (the grid union bound pays for choosing the cell after training)
    fixed_class: Value        # a what-if (the class is chosen after seeing the model)
    params: Params

    def to_json(self, strings: bool = False) -> dict:
        """Both bounds, each with its status; ``strings=True`` writes the grid indices and the ranks as decimal
        strings too (as in ``rankbound weights --json``, where every figure is a string)."""
        fmt = lambda v: mpmath.nstr(v, v.dps) if isinstance(v, Value) else str(v)  # noqa: E731
        num = str if strings else (lambda v: v)  # noqa: E731
        return {
            "fixed_class": {"value": fmt(self.fixed_class),
                            "status": "what-if, not a theorem: the class is fixed at radii and ranks measured after "
                                      "training (MATH.md section 9)"},
            "posthoc": {"value": fmt(self.posthoc), "status": "theorem (union bound over a grid fixed in advance)",
                        "radii": {k: str(v) for k, v in self.cell["radii"].items()},
                        "indices": {k: num(v) for k, v in self.cell["indices"].items()},
                        "ranks": {"r_w": num(self.measured["r_w"]), "r_v": num(self.measured["r_v"])},
                        "delta_cell": _dec(self.delta_cell),
                        "grid": f"radii B_0 2^i with B_0 = {B0}, weight 1/((i+1)(i+2)); ranks 1..d, weight 1/d"},
        }


def _dec(q: Fraction) -> str:
    with mpmath.workdps(30):
        return mpmath.nstr(mpmath.mpf(q.numerator) / q.denominator, 20)


def posthoc(measured: Mapping[str, Any], params: Mapping | Params | None = None, dps: int = 30,
            variant: str = "default") -> PosthocResult:
    """The post-hoc bound (a theorem) and the fixed-class bound (a what-if) at measured radii and ranks.

    ``measured`` has B_w, B_V, B_QK (positive numbers: the largest norms over layers and heads) and r_w, r_v
    (the largest numerical ranks, at most d); ``params`` gives the rest (H, L, d, k, n, B_X, ...).
    """
    dps = check_dps(dps)
    missing = [k for k in MEASURED if k not in measured]
    if missing:
        raise ParameterError(missing[0], "is a measured figure the post-hoc bound needs", "(missing)")
    m = {k: parse_number(k, measured[k]) for k in MEASURED}
    if isinstance(params, Params):
        fixed = params.replace(**m)
    else:
        fixed = Params.coerce({**dict(params or {}), **m})
    cell = cell_of(*(sympy.Rational(m[k].numerator, m[k].denominator) for k in ("B_w", "B_V", "B_QK")))
    th = posthoc_theorem(variant)
    idx = {"B_w": th.indices[0], "B_V": th.indices[1], "B_QK": th.indices[2]}
    values = dict(fixed.sympy_values())
    values.update({idx[k]: cell["indices"][k] for k in idx})
    values.update({r_w: int(m["r_w"]), r_v: int(m["r_v"])})
    for s in (B_w, B_V, B_QK):
        values.pop(s, None)                      # the cell's radii replace the measured ones
    p_cell = th.p_cell.xreplace(values)
    delta_cell = Fraction(str(sympy.Rational(values[delta] * p_cell)))
    post = evaluate_expr(th.bound, values, dps=dps)
    fixed_value = evaluate(fixed, dps=dps, variant=variant).value
    return PosthocResult({k: (int(v) if v.denominator == 1 else v) for k, v in m.items()}, cell, delta_cell, post,
                         fixed_value, fixed)
