"""float64 evaluation of the composed bound over numpy arrays (for sweeps and plots).

The expression is the one :func:`derive.theorem` composes; it is compiled once per
(variant, constants) by ``lambdify`` to numpy, with ``logplus`` as
``np.maximum(0, np.log(x))`` and ``Piecewise`` as ``np.select``.  Parameters
broadcast against each other; those not given come from the default preset.
This is float64 arithmetic (about 15 digits): use :func:`numeric.evaluate` or
:func:`numeric.certified.certified_evaluate` for more.

Examples
--------
>>> import numpy as np
>>> from numeric.backends.float64 import evaluate_array
>>> v = evaluate_array({"n": np.array([1e6, 4e6])})
>>> bool(abs(v[0] / v[1] - 2) < 1e-12)
True
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Mapping

import numpy as np
import sympy

import derive
from lemmas.symbols import SETTING_SYMBOLS

from numeric.errors import ParameterError, UsageError
from numeric.params import DEFAULT_PRESET, PRESETS, SPECS, Params

__all__ = ["vectorised", "evaluate_array", "np_logplus", "ARG_ORDER"]

ARG_ORDER = SETTING_SYMBOLS


def np_logplus(x):
    """max(0, log x), elementwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(0.0, np.log(x))


def _erfc():
    try:
        from scipy.special import erfc
        return erfc
    except ImportError:  # pragma: no cover - scipy is optional
        return np.vectorize(math.erfc, otypes=[float])


@lru_cache(maxsize=None)
def _vectorised(variant: str, constants: tuple, deep: bool = False):
    from numeric.evaluate import arg_order, theorem_for
    th = theorem_for(variant, dict(constants), deep=deep)     # the same theorem every evaluator uses
    mods = [{"logplus": np_logplus, "erfc": _erfc()}, "numpy"]
    return sympy.lambdify(arg_order(deep), th.bound, modules=mods)


def vectorised(variant: str = "default", constants: Mapping | None = None, deep: bool = False):
    """The numpy function of the bound, positional arguments in :data:`ARG_ORDER` (and H, L when ``deep``)."""
    try:
        return _vectorised(variant, tuple(sorted((constants or {}).items())), bool(deep))
    except derive.DerivationError as exc:
        raise UsageError(str(exc)) from None


def _check(name: str, kind: str, a: np.ndarray):
    if not np.all(np.isfinite(a)):
        raise ParameterError(name, "must be finite", a[~np.isfinite(a)].flat[0])
    if kind == "unit":
        bad = (a <= 0) | (a >= 1)
        if np.any(bad):
            raise ParameterError(name, "must lie in the open interval (0, 1)", float(a[bad].flat[0]))
    else:
        bad = a <= 0
        if np.any(bad):
            raise ParameterError(name, "must be > 0", float(a[bad].flat[0]))
    if kind == "count":
        bad = (a < 1) | (a != np.floor(a))
        if np.any(bad):
            raise ParameterError(name, "must be a positive integer (>= 1)", float(a[bad].flat[0]))


def evaluate_array(params: Mapping | None = None, variant: str = "default", constants: Mapping | None = None,
                   preset: str = DEFAULT_PRESET) -> np.ndarray:
    """The bound in float64, broadcast over array-valued parameters.

    Parameters
    ----------
    params : mapping
        Parameter name -> number or array (anything ``np.asarray`` accepts); missing names come
        from ``preset``.  Values are validated like :class:`numeric.Params` (one error naming
        the parameter).
    variant, constants
        As for :func:`numeric.evaluate`.
    """
    params = dict(params or {})
    unknown = set(params) - {s.name for s in SPECS}
    if unknown:
        raise UsageError(f"unknown parameters {sorted(unknown)}; known: {', '.join(s.name for s in SPECS)}")
    base = Params.from_preset(preset)
    arrays = {}
    for spec in SPECS:
        if spec.name in params:
            try:
                a = np.asarray(params[spec.name], dtype=float)
            except (TypeError, ValueError):
                raise ParameterError(spec.name, "must be numeric", params[spec.name]) from None
        else:
            a = np.asarray(float(base[spec.name]))
        _check(spec.name, spec.kind, a)
        arrays[spec.name] = a
    if np.any(arrays["r_w"] > arrays["d"]):
        raise ParameterError("r_w", "must be at most d (W_QK is d x d)", "an array entry above d")
    if np.any(arrays["r_v"] > np.minimum(arrays["d"], arrays["k"])):
        raise ParameterError("r_v", "must be at most min(d, k) (W_V is d x k)", "an array entry above min(d, k)")
    from numeric.evaluate import arg_order
    deep = bool(np.any(arrays["H"] != 1) or np.any(arrays["L"] != 1))
    f = vectorised(variant, constants, deep)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):   # np.select evaluates inactive branches
        out = np.asarray(f(*(arrays[s.name] for s in arg_order(deep))), dtype=float)
    shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    out = np.broadcast_to(out, shape).copy()
    if not np.all(np.isfinite(out)):
        from numeric.errors import NotCertified
        raise NotCertified("the float64 bound is not finite at some parameter points (overflow?); "
                           "use numeric.evaluate for these")
    return out
