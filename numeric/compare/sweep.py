"""Sweeps of a bound over one parameter, and a plot of them.

``parse_vary("n=1e2:1e12:log:200")`` gives the grid; :func:`sweep` evaluates a bound on it:
ours by the float64 vectorised expression (:mod:`numeric.backends.float64`, the same derived
expression), the rebuilt prior bounds point by point (:func:`numeric.prior.evaluate_prior`,
optimal alpha at each point).  Count parameters are rounded to integers (duplicates removed).

Examples
--------
>>> from numeric.compare.sweep import parse_vary, sweep
>>> name, grid = parse_vary("n=1e2:1e6:log:5")
>>> name, [int(x) for x in grid]
('n', [100, 1000, 10000, 100000, 1000000])
>>> rows = sweep("truong", name, grid, quiet=True)
>>> rows[0]["n"], rows[0]["value"] > rows[-1]["value"]
(100, True)
"""

from __future__ import annotations

import re
from typing import Mapping

import numpy as np

from numeric.errors import ParameterError, UsageError
from numeric.params import DEFAULT_PRESET, SPECS, Params, parse_number

__all__ = ["parse_vary", "sweep", "plot", "BOUND_NAMES"]

BOUND_NAMES = ("truong", "edelman", "trauger-tewari")
_KIND = {s.name: s.kind for s in SPECS}
MAX_POINTS = 100000


def parse_vary(spec: str):
    """``name=start:stop[:lin|log[:count]]`` -> (name, numpy grid)."""
    m = re.fullmatch(r"\s*([A-Za-z_]+)\s*=\s*([^:]+):([^:]+)(?::(lin|log))?(?::(\d+))?\s*", spec or "")
    if not m:
        raise UsageError(f"parameter --vary: expected name=start:stop[:lin|log[:count]], got {spec!r}")
    name, a, b, scale, count = m.groups()
    if name not in _KIND:
        raise UsageError(f"parameter --vary: unknown parameter {name!r}; known: {', '.join(_KIND)}")
    lo, hi = float(parse_number(name, a)), float(parse_number(name, b))
    count = int(count or 50)
    if not (2 <= count <= MAX_POINTS):
        raise ParameterError("vary", f"the number of points must be in [2, {MAX_POINTS}]", count)
    if not lo < hi:
        raise ParameterError(name, "the sweep needs start < stop", spec)
    scale = scale or "log"
    if scale == "log":
        if lo <= 0:
            raise ParameterError(name, "a log sweep needs start > 0", lo)
        grid = np.logspace(np.log10(lo), np.log10(hi), count)
    else:
        grid = np.linspace(lo, hi, count)
    if _KIND[name] == "count":
        grid = np.unique(np.round(grid))
    return name, grid


def _progress(iterable, total, quiet, desc):
    if quiet:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return iterable
    return tqdm(iterable, total=total, desc=desc, file=__import__("sys").stderr, leave=False)


def sweep(bound: str, name: str, grid, params: Mapping | Params | None = None, dps: int = 15,
          quiet: bool = False, preset: str = DEFAULT_PRESET) -> list:
    """Rows ``{name: x, "value": bound}`` over the grid (other parameters from ``params``/preset)."""
    if bound not in BOUND_NAMES:
        raise UsageError(f"--bound {bound}: choose one of {', '.join(BOUND_NAMES)}")
    base = Params.coerce(params) if params is not None else Params.from_preset(preset)
    xs = [int(x) if _KIND[name] == "count" else float(x) for x in grid]
    for x in xs:                                        # validate every point (one error naming the parameter)
        base.replace(**{name: x})
    if bound == "truong":
        from numeric.backends.float64 import evaluate_array
        vals = evaluate_array({**{k: float(v) for k, v in base.items()}, name: np.asarray(xs, dtype=float)})
        return [{name: x, "value": float(v)} for x, v in zip(xs, _progress(vals, len(xs), quiet, "truong"))]
    from numeric.compare.priors import evaluate_prior
    rows = []
    for x in _progress(xs, len(xs), quiet, bound):
        ev = evaluate_prior(bound, base.replace(**{name: x}), dps=dps)
        rows.append({name: x, "value": float(ev.value), "alpha": float(ev.alpha)})
    return rows


def plot(series: Mapping[str, list], name: str, out: str, c=None, title: str = ""):
    """A log-log PNG of several sweeps (``{bound: rows}``) with the vacuity line ``c``."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("plot: matplotlib is not installed (pip install matplotlib)") from None
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    for label, rows in series.items():
        ax.plot([r[name] for r in rows], [r["value"] for r in rows], label=label, lw=2)
    if c is not None:
        ax.axhline(float(c), color="grey", ls="--", lw=1, label="c (vacuous above)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(name)
    ax.set_ylabel("bound on L - L_S")
    ax.set_title(title or f"bounds against {name} (priors rebuilt with the same Dudley and generalisation steps)",
                 fontsize=9)
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
