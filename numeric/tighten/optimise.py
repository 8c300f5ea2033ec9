"""Choose the free values of a chain (eps split weights, Dudley's alpha) to make its bound small.

The chain's bound is a theorem for *every* value of its free choices (the split weights need
``sum_j M_j u_j <= 1``, which the values returned here satisfy exactly), so the optimiser only has to find
good values; it need not be exact.  It works on the float64 objective of
:meth:`numeric.tighten.chain.Compiled.objective_float`:

- the split weights as ``u_j = e^{y_j} / sum_k M_k e^{y_k}`` over the groups present at the parameters
  (``M_j > 0``; ``y`` of the first fixed to 0), starting from the equal split of the default chain;
- Dudley's ``alpha = U/(1 + w)`` through ``log w``, started from the best point of a scan;
- Nelder-Mead (restarted once from its result), or bounded Brent in one dimension.

The values are then rounded to short exact rationals -- the split weights *down*, so that
``sum_j M_j u_j <= 1`` holds exactly -- and the value at the rounded choices is returned.

Examples
--------
>>> from numeric.tighten.chain import compiled_chain
>>> from numeric.params import Params
>>> ch = compiled_chain(("dudley-alpha",))
>>> s = optimise(ch, Params.from_preset("small"))     # the default chain gives 8.4313 here
>>> 7.9 < s.value < 7.92 and 0.5 < s.alpha < 0.65
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy

import derive.tighten as T
from numeric.params import Params

__all__ = ["Settings", "optimise", "round_sig", "alpha_value", "split_weights"]

#: log w scanned for Dudley's alpha = U/(1 + w): alpha from U (1 - 1e-13) down to U 1e-13 (beyond, float64
#: loses alpha = U - U w/(1 + w) to cancellation, and the chain is the default one to 13 digits anyway)
_LOG_W_SCAN = np.linspace(-30.0, 30.0, 61)


@dataclass(frozen=True)
class Settings:
    """Exact values of a chain's free choices (Symbol -> Fraction) and the float64 objective there."""

    values: dict = field(default_factory=dict)
    value: float = math.nan
    alpha: float | None = None        # Dudley's lower limit at these values (None: the chain has alpha = 0)


def round_sig(x: float, digits: int = 9, down: bool = False) -> Fraction:
    """``x > 0`` as a Fraction with ``digits`` significant decimal digits (rounded down if ``down``)."""
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"round_sig needs a positive finite number, got {x!r}")
    e = math.floor(math.log10(x))
    k = digits - 1 - e
    scaled = Fraction(x) * (Fraction(10) ** k)
    q = math.floor(scaled) if down else round(scaled)
    q = max(q, 1)
    return Fraction(q) / (Fraction(10) ** k)


def _multiplicities(ch, params: Params) -> list:
    vals = params.sympy_values()
    return [int(sympy.Integer(M.xreplace(vals))) for _name, M in ch.th.groups]


def split_weights(ch, params: Params, y: dict) -> dict:
    """Exact split weights from log-weights ``y`` (group index -> float) of the groups present (M_j > 0)."""
    M = _multiplicities(ch, params)
    active = [j for j, m in enumerate(M) if m > 0]
    raw = {j: math.exp(y.get(j, 0.0)) for j in active}
    total = sum(M[j] * raw[j] for j in active)
    out = {}
    for j, u in enumerate(T.SPLIT_WEIGHTS[:len(M)]):
        out[u] = round_sig(raw[j] / total, down=True) if j in active else Fraction(1)
    assert sum(M[j] * out[T.SPLIT_WEIGHTS[j]] for j in range(len(M))) <= 1
    return out


def alpha_value(ch, params: Params, w) -> float:
    """Dudley's alpha of the chain at the choice value ``w`` (float)."""
    vals = params.sympy_values()
    upper = float(ch.th.upper.xreplace(vals))
    return upper / (1.0 + float(w))


def _w_for_alpha(ch, params: Params, alpha: float) -> float:
    """The w of this chain that gives Dudley's lower limit ``alpha`` (clipped into the chain's range)."""
    upper = float(ch.th.upper.xreplace(params.sympy_values()))
    return min(max(upper / alpha - 1.0, 1e-13), 1e13) if alpha > 0 else 1e13


def optimise(ch, params: Params, n=None, starts: tuple = ()) -> Settings:
    """Good values of the free choices of the compiled chain ``ch`` at ``params`` (``n`` overrides n).

    ``starts`` are :class:`Settings` of other chains (or of this chain at another point), tried as starting
    points: split weights as they are, Dudley's alpha carried over as a value of alpha.
    """
    has_split = any(s in ch.choices for s in T.SPLIT_WEIGHTS)
    has_alpha = T.ALPHA_W in ch.choices
    if not has_split and not has_alpha:
        return Settings({}, ch.value_float(params, {}, n))
    M = _multiplicities(ch, params)
    active = [j for j, m in enumerate(M) if m > 0] if has_split else []
    free = active[1:]

    def decode(x):
        y = {j: float(x[i]) for i, j in enumerate(free)}
        vals = {}
        if has_split:
            total = sum(M[j] * math.exp(y.get(j, 0.0)) for j in active)
            for j, u in enumerate(T.SPLIT_WEIGHTS[:len(M)]):
                vals[u] = math.exp(y.get(j, 0.0)) / total if j in active else 1.0
        if has_alpha:
            vals[T.ALPHA_W] = math.exp(float(x[-1]))
        return vals

    def f(x):
        if not np.all(np.abs(x) < 700) or (has_alpha and abs(x[-1]) > 31):
            return math.inf
        try:
            return ch.objective_float(params, decode(x), n)
        except (ValueError, OverflowError, ZeroDivisionError):
            return math.inf

    candidates = [np.zeros(len(free) + (1 if has_alpha else 0))]
    for st in starts:
        vals = st.values
        x = np.zeros(len(free) + (1 if has_alpha else 0))
        if has_split and all(T.SPLIT_WEIGHTS[j] in vals for j in active):
            base = float(vals[T.SPLIT_WEIGHTS[active[0]]])
            for i, j in enumerate(free):
                x[i] = math.log(float(vals[T.SPLIT_WEIGHTS[j]]) / base)
        if has_alpha:
            x[-1] = math.log(_w_for_alpha(ch, params, st.alpha)) if st.alpha else float(_LOG_W_SCAN[-1])
        candidates.append(x)
    warm = has_alpha and any(st.alpha for st in starts)
    if has_alpha and not warm:          # scan log w from each candidate's split (a warm start needs none)
        scanned = []
        for x in candidates:
            best = None
            for lw in _LOG_W_SCAN:
                x2 = x.copy()
                x2[-1] = lw
                v = f(x2)
                if best is None or v < best[0]:
                    best = (v, x2)
            scanned.append(best[1])
        candidates += scanned
    x0 = min(candidates, key=f)
    x = _minimise(f, x0)
    vals = _exact(ch, params, decode(x), free, active, x)
    alpha = alpha_value(ch, params, vals[T.ALPHA_W]) if has_alpha else None
    return Settings(vals, ch.value_float(params, vals, n), alpha)


def _minimise(f, x0):
    from scipy.optimize import minimize, minimize_scalar
    if len(x0) == 1:
        c_ = float(x0[0])
        res = minimize_scalar(lambda t: f(np.array([t])), bounds=(c_ - 2.0, c_ + 2.0), method="bounded",
                              options={"xatol": 1e-9})
        x = np.array([res.x]) if res.fun <= f(x0) else x0
        if abs(x[0] - c_) > 1.9:                 # at the edge of the bracket: look further out
            res = minimize_scalar(lambda t: f(np.array([t])), bounds=(x[0] - 6.0, x[0] + 6.0), method="bounded",
                                  options={"xatol": 1e-9})
            if res.fun <= f(x):
                x = np.array([res.x])
        return x
    f0 = f(x0)
    scale = abs(f0) if math.isfinite(f0) and f0 != 0 else 1.0
    x = x0
    for _ in range(2):                           # Nelder-Mead, restarted once from its own result
        res = minimize(f, x, method="Nelder-Mead",
                       options={"xatol": 1e-8, "fatol": 1e-13 * scale, "maxiter": 400 * len(x0) + 400,
                                "adaptive": len(x0) > 2, "initial_simplex": _simplex(x, 0.5)})
        if res.fun <= f(x):
            x = res.x
    return x


def _simplex(x, step):
    pts = [x.copy()]
    for i in range(len(x)):
        p = x.copy()
        p[i] += step
        pts.append(p)
    return np.array(pts)


def _exact(ch, params, vals, free, active, x) -> dict:
    out = {}
    if any(s in ch.choices for s in T.SPLIT_WEIGHTS):
        out.update(split_weights(ch, params, {j: float(x[i]) for i, j in enumerate(free)}))
    if T.ALPHA_W in ch.choices:
        out[T.ALPHA_W] = round_sig(vals[T.ALPHA_W])
    return out
