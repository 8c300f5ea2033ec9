"""Shared helpers of the oracles: private mpmath contexts and norm-safe rescaling.

Every mpmath computation of the oracles runs in a private context from :func:`_ctx`; results leave it
through :func:`_export`, which does not round.  :func:`_scale_to` rescales to a norm without ever
exceeding it after rounding.
"""

from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np


def _ctx(dps: int) -> mpmath.MPContext:
    """A fresh private mpmath context at ``dps`` decimal digits (global ``mp`` is untouched)."""
    ctx = mpmath.MPContext()
    ctx.dps = int(dps)
    return ctx


def _export(x) -> mpmath.mpf:
    """Turn a private-context real into a global-type ``mpmath.mpf`` *without rounding*."""
    return mpmath.mp.make_mpf(x._mpf_)


def _scale_to(A: np.ndarray, target: float, normfn: Callable[[np.ndarray], float]) -> np.ndarray:
    """Rescale ``A`` so that ``normfn(A)`` equals ``target`` up to rounding but never exceeds it.

    Rounding in ``A * (target / norm)`` can leave the computed norm one ulp above ``target``;
    constraint checks such as ``norm <= B`` must not fail for that reason, so shrink by ulps.
    """
    A = np.asarray(A, dtype=np.float64)
    n = normfn(A)
    if n == 0.0 or target == 0.0:
        return np.zeros_like(A)
    B = A * (target / n)
    shrink = 1.0
    while normfn(B) > target:
        shrink *= 1.0 - 4 * np.finfo(float).eps
        B = A * (target / n) * shrink
    return B


def _fro(A):
    return float(np.linalg.norm(A))


def _spec(A):
    A = np.asarray(A)
    return float(np.linalg.norm(A, 2)) if A.ndim == 2 else float(np.linalg.norm(A))


def _unit(rng: np.random.Generator, dim: int) -> np.ndarray:
    v = rng.standard_normal(dim)
    while np.linalg.norm(v) == 0.0:  # pragma: no cover - probability zero
        v = rng.standard_normal(dim)
    return v / np.linalg.norm(v)
