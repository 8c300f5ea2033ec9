"""Sweeps of a bound over one parameter (the plot of them: :mod:`numeric.compare.plot`).

``parse_vary("n=1e2:1e12:log:200")`` gives the grid (a bare ``"n"`` takes :data:`DEFAULT_RANGES`);
:func:`sweep` evaluates a bound on it.  Two modes:

- float64 (``dps=None``, the default): the grid and the values are floats.  Ours is evaluated by
  the vectorised float64 expression (:mod:`numeric.backends.float64`, the same derived expression;
  points where float64 overflows are redone by :func:`numeric.evaluate`), the rebuilt prior bounds
  point by point at 15 digits (:func:`numeric.compare.priors.evaluate_prior`, optimal alpha at each
  point).  Every value must lie in float64's range: a grid end or a fixed parameter outside it is
  refused with the flag that set it (one line, exit 2), never an OverflowError.
- exact (``dps=N``): the grid is computed at N digits (its ends exactly as given, any size: n up
  to 1e400 is fine) and every bound at N digits (ours by :func:`numeric.evaluate`); grid values are
  exact (ints, Fractions), bound values mpf.

Count parameters are rounded to integers (duplicates removed).

Examples
--------
>>> from numeric.compare.sweep import parse_vary, sweep
>>> name, grid = parse_vary("n=1e2:1e6:log:5")
>>> name, [int(x) for x in grid]
('n', [100, 1000, 10000, 100000, 1000000])
>>> rows = sweep("truong", name, grid, quiet=True)
>>> rows[0]["n"], rows[0]["value"] > rows[-1]["value"]
(100, True)
>>> name, grid = parse_vary("n=1e2:1e400:log:3", dps=20)       # exact mode: past float range
>>> [x == 10 ** e for x, e in zip(grid, (2, 201, 400))]
[True, True, True]
"""

from __future__ import annotations

import re
import sys
from fractions import Fraction
from typing import Mapping

import mpmath
import numpy as np

from numeric.errors import NotCertified, UsageError
from numeric.params import DEFAULT_PRESET, SPECS, Params, parse_number

__all__ = ["parse_vary", "sweep", "check", "BOUND_NAMES", "DEFAULT_RANGES", "MAX_POINTS", "FLOAT_MIN", "FLOAT_MAX"]

BOUND_NAMES = ("truong", "edelman", "trauger-tewari")
_KIND = {s.name: s.kind for s in SPECS}
_FLAG = {s.name: s.flag for s in SPECS}
MAX_POINTS = 100000
DEFAULT_COUNT = 50
#: float64's normal range: the float mode takes values inside it only
FLOAT_MIN, FLOAT_MAX = Fraction(sys.float_info.min), Fraction(sys.float_info.max)

#: ranges a bare ``--vary NAME`` takes; ``{d}`` and ``{dk}`` (min(d, k)) are filled from the other parameters
DEFAULT_RANGES = {
    "n": "1e2:1e14:log:60",
    "d": "{r}:1e5:log:60",
    "k": "{r_v}:1e4:log:60",
    "r_w": "1:{d}:log:60",
    "r_v": "1:{dk}:log:60",
    "T": "1:1e6:log:60",
    "c": "1e-2:1e2:log:60",
    "delta": "1e-9:0.5:log:60",
}
_DEFAULT_BY_KIND = {"count": "1:64:lin:64", "positive": "1e-3:1e3:log:60", "unit": "1e-9:0.5:log:60"}


def default_range(name: str, params: Mapping | None = None) -> str:
    """The range ``--vary NAME`` takes without one (see :data:`DEFAULT_RANGES`); ``params`` may be raw values
    (the other parameters are read from it, the swept one is not)."""
    p = params if params is not None else Params.from_preset()
    spec = DEFAULT_RANGES.get(name, _DEFAULT_BY_KIND[_KIND[name]])
    if "{" not in spec:
        return spec
    v = {key: int(parse_number(key, p[key])) for key in ("d", "k", "r_w", "r_v")}
    return spec.format(d=v["d"], dk=min(v["d"], v["k"]), r=max(v["r_w"], v["r_v"]), r_v=v["r_v"])


def _in_float_range(name: str, flag: str, x: Fraction):
    if not (FLOAT_MIN <= abs(x) <= FLOAT_MAX):
        raise UsageError(f"{flag}: {name} = {_short(x)} is outside float64's range [2.2e-308, 1.8e308]; the "
                         f"float64 sweep cannot take it (give --dps N to sweep at N digits instead)")


def _short(x: Fraction) -> str:
    with mpmath.workdps(6):
        return mpmath.nstr(mpmath.mpf(x.numerator) / x.denominator, 3)


#: names that --vary also accepts (the flags' words for the count parameters H and L)
ALIASES = {"heads": "H", "layers": "L"}


def parse_vary(spec: str, dps: int | None = None, params: Mapping | None = None):
    """``name=start:stop[:lin|log[:count]]`` or a bare ``name`` -> (name, grid).

    ``dps=None``: a float64 numpy grid (the ends must lie in float64's range); ``dps=N``: a list of
    exact values (ints for counts, Fractions otherwise; the inner points at N significant digits).
    """
    text = (spec or "").strip()
    head, sep, tail = text.partition("=")
    if head.strip() in ALIASES:                       # --vary heads=1:12 is --vary H=1:12
        text = ALIASES[head.strip()] + sep + tail
    if re.fullmatch(r"[A-Za-z_]+", text) and text in _KIND:
        text = f"{text}={default_range(text, params)}"
    m = re.fullmatch(r"([A-Za-z_]+)\s*=\s*([^:]+):([^:]+)(?::(lin|log))?(?::(\d+))?", text)
    if not m:
        raise UsageError(f"--vary: expected name=start:stop[:lin|log[:count]] or a bare name, got {spec!r}")
    name, a, b, scale, count = m.groups()
    if name not in _KIND:
        raise UsageError(f"--vary: unknown parameter {name!r}; known: {', '.join(_KIND)}")
    lo, hi = parse_number(name, a.strip()), parse_number(name, b.strip())
    count = int(count or DEFAULT_COUNT)
    if not (2 <= count <= MAX_POINTS):
        raise UsageError(f"--vary: the number of points must be in [2, {MAX_POINTS}], got {count}")
    if not lo < hi:
        raise UsageError(f"--vary: {name}: the sweep needs start < stop, got {a.strip()}:{b.strip()}")
    scale = scale or "log"
    if scale == "log" and lo <= 0:
        raise UsageError(f"--vary: {name}: a log sweep needs start > 0, got {a.strip()}")
    if _KIND[name] == "count" and lo < 1:
        raise UsageError(f"--vary: {name} is a count: the sweep needs start >= 1, got {a.strip()}")
    if dps is None:
        for x in (lo, hi):
            if x != 0:
                _in_float_range(name, "--vary", x)
        with np.errstate(over="raise", under="ignore"):
            if scale == "log":
                grid = np.logspace(np.log10(float(lo)), np.log10(float(hi)), count)
            else:
                grid = np.linspace(float(lo), float(hi), count)
        grid[0], grid[-1] = float(lo), float(hi)
        if _KIND[name] == "count":
            grid = np.unique(np.round(grid))
        return name, grid
    with mpmath.workdps(dps + 10):
        a_, b_ = mpmath.mpf(lo.numerator) / lo.denominator, mpmath.mpf(hi.numerator) / hi.denominator
        if scale == "log":
            la, lb = mpmath.log(a_), mpmath.log(b_)
            inner = [mpmath.exp(la + (lb - la) * i / (count - 1)) for i in range(1, count - 1)]
        else:
            inner = [a_ + (b_ - a_) * i / (count - 1) for i in range(1, count - 1)]
        # the inner points rounded to dps significant decimal digits, then held exactly
        inner = [Fraction(mpmath.nstr(x, dps, min_fixed=1, max_fixed=0)) for x in inner]
    if _KIND[name] == "count":
        return name, sorted({int(lo), *(int(round(x)) for x in inner), int(hi)})
    return name, [lo] + inner + [hi]


def _progress(iterable, total, quiet, desc):
    from numeric.progress import progress
    return progress(iterable, total=total, desc=desc, quiet=quiet)


def _check_base(base: Params, name: str, exact: bool, bound: str):
    """Refuse fixed parameters the mode cannot take (one error naming the flag)."""
    if bound != "truong":
        if name in ("H", "L"):
            raise UsageError(f"--vary {name}: the rebuilt prior bound {bound} is for one head in one layer; "
                             f"heads and layers can be swept for truong only")
        for key, flag in (("H", "--heads"), ("L", "--layers")):
            if base.get(key, 1) != 1:
                raise UsageError(f"{flag}: the rebuilt prior bound {bound} is for one head in one layer; "
                                 f"{flag} applies to truong only")
    if exact:
        return
    for spec in SPECS:
        if spec.name != name:
            x = Fraction(base[spec.name])
            _in_float_range(spec.name, spec.flag, x)


def check(bound: str, name: str, grid, params: Mapping | Params | None = None, dps: int | None = None,
          preset: str = DEFAULT_PRESET, variant: str = "default") -> tuple:
    """Every refusal :func:`sweep` would make, before any work: returns (base params, grid values)."""
    import derive
    if bound not in BOUND_NAMES:
        raise UsageError(f"--bound {bound}: choose one of {', '.join(BOUND_NAMES)}")
    if variant not in derive.VARIANTS:
        raise UsageError(f"--variant: unknown variant {variant!r}; known: {', '.join(derive.VARIANTS)}")
    if variant != "default" and bound != "truong":
        raise UsageError(f"--variant: the rebuilt prior bound {bound} has no variants (--variant applies to truong)")
    if name not in _KIND:
        raise UsageError(f"--vary: unknown parameter {name!r}; known: {', '.join(_KIND)}")
    base = Params.coerce(params) if params is not None else Params.from_preset(preset)
    xs = [int(x) if _KIND[name] == "count" else x for x in grid]
    if not xs:
        raise UsageError("--vary: the grid is empty")
    _check_base(base, name, dps is not None, bound)
    for x in (xs[0], xs[-1]):                  # the constraints are intervals: the ends decide them all
        base.replace(**{name: x})
    return base, xs


def sweep(bound: str, name: str, grid, params: Mapping | Params | None = None, dps: int | None = None,
          quiet: bool = False, preset: str = DEFAULT_PRESET, variant: str = "default") -> list:
    """Rows ``{name: x, "value": bound}`` (priors add ``"alpha"``) over the grid.

    Other parameters from ``params`` (or ``preset``).  ``dps=None``: float values (float64 for
    ours); ``dps=N``: mpf values at N digits.  ``variant`` names the chain of ours (truong only).
    """
    base, xs = check(bound, name, grid, params, dps, preset, variant)
    if dps is not None:
        return _sweep_exact(bound, name, xs, base, dps, quiet, variant)
    xs = [x if isinstance(x, int) else float(x) for x in xs]
    if bound == "truong":
        return _sweep_truong(name, xs, base, quiet, variant)
    from numeric.compare.priors import evaluate_prior
    rows = []
    for x in _progress(xs, len(xs), quiet, bound):
        ev = evaluate_prior(bound, base.replace(**{name: x}), dps=15)
        rows.append({name: x, "value": _float(ev.value, bound, name, x), "alpha": _float(ev.alpha, bound, name, x)})
    return rows


def _float(v, bound, name, x) -> float:
    f = float(v)
    if not (np.isfinite(f) and (f == 0 or abs(f) >= sys.float_info.min)):
        raise UsageError(f"--vary: the {bound} bound at {name} = {x} is {mpmath.nstr(v, 5)}, outside float64's "
                         f"range (give --dps N for decimal values)")
    return f


def _sweep_truong(name, xs, base, quiet, variant):
    from numeric.backends.float64 import evaluate_array
    fixed = {k: float(v) for k, v in base.items() if k != name}
    try:
        vals = evaluate_array({**fixed, name: np.asarray(xs, dtype=float)}, variant=variant)
    except NotCertified:                        # float64 overflowed somewhere: those points by mpmath
        from numeric.evaluate import evaluate
        vals = [_float(evaluate(base.replace(**{name: x}), dps=17, variant=variant).value, "truong", name, x)
                for x in _progress(xs, len(xs), quiet, "truong (mpmath)")]
    return [{name: x, "value": float(v)} for x, v in zip(xs, vals)]


def _sweep_exact(bound, name, xs, base, dps, quiet, variant):
    rows = []
    if bound == "truong":
        from numeric.evaluate import evaluate
        for x in _progress(xs, len(xs), quiet, f"truong ({dps} digits)"):
            rows.append({name: x, "value": evaluate(base.replace(**{name: x}), dps=dps, variant=variant).value})
        return rows
    from numeric.compare.priors import evaluate_prior
    for x in _progress(xs, len(xs), quiet, f"{bound} ({dps} digits)"):
        ev = evaluate_prior(bound, base.replace(**{name: x}), dps=dps)
        rows.append({name: x, "value": ev.value, "alpha": ev.alpha})
    return rows
