"""The bounds of one measured head: the composed (Truong) bound and the rebuilt prior bounds.

:func:`head_params` turns a :class:`~numeric.weights.measure.HeadMeasure` into the parameters of
:func:`numeric.evaluate`; :func:`bound_head` evaluates the bound at the exact rank bound and at
the numerical rank, and the prior bounds of MATH.md section 7, and returns a :class:`HeadBound`.
A bound that cannot be evaluated (a figure outside the bound's domain, a value that is not
certified) is kept as the reason, a string, never as a number.

Examples
--------
>>> import numpy as np
>>> from numeric.weights.layout import HeadWeights
>>> from numeric.weights.measure import measure_head
>>> e = np.eye(6)
>>> m = measure_head(HeadWeights(0, 0, e[:, :2], e[:, :2], e[:, :3], None))
>>> hb = bound_head(m, B_X=1.0, B_X_source="given", B_w=1.0, B_w_source="given", n=10**6, dps=12)
>>> hb.value() > 0, hb.at_numerical_rank is hb.at_rank_bound      # full numerical rank: one evaluation
(True, True)
>>> z = measure_head(HeadWeights(0, 1, 0 * e[:, :2], e[:, :2], e[:, :3], None))
>>> bound_head(z, B_X=1.0, B_X_source="given", B_w=1.0, B_w_source="given", n=10**6, dps=12).at_rank_bound
'layer 0 head 1: W_QK has rank bound 2 and norm 0.0; the bound needs r_w >= 1 and B_QK > 0'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from numeric.errors import NotCertified, UsageError
from numeric.weights.common import WeightsError
from numeric.weights.measure import HeadMeasure

__all__ = ["PRIOR_BOUNDS", "head_params", "HeadBound", "bound_head", "prior_bounds", "prior_note"]

#: the prior bounds of MATH.md section 7 that the report would evaluate per head
PRIOR_BOUNDS = ("edelman", "trauger-tewari")


def head_params(m: HeadMeasure, *, B_X, B_w, n: int, at: str = "rank_bound") -> dict:
    """The parameters of :func:`numeric.evaluate` for head ``m`` (other names come from the default preset).

    ``at`` is ``"rank_bound"`` (``r_w``, ``r_v`` = the exact rank bounds) or
    ``"numerical_rank"``.  ``B_QK = ||W_QK||_F`` and ``B_V = ||W_V||_F`` at both.
    Raises :class:`~numeric.weights.common.WeightsError` when a figure lies outside the
    bound's domain (rank 0, zero norm).

    >>> import numpy as np
    >>> from numeric.weights.layout import HeadWeights
    >>> from numeric.weights.measure import measure_head
    >>> hw = HeadWeights(0, 0, np.eye(3)[:, :1], np.eye(3)[:, :1], np.eye(3)[:, :2], None)
    >>> p = head_params(measure_head(hw), B_X=1.5, B_w=1.0, n=1000)
    >>> p["d"], p["k"], p["r_w"], p["r_v"], p["B_QK"], p["B_V"] ** 2
    (3, 2, 1, 2, 1.0, 2.0...)
    """
    if at not in ("rank_bound", "numerical_rank"):
        raise WeightsError(f"at must be 'rank_bound' or 'numerical_rank', got {at!r}")
    r_w, r_v = getattr(m.qk, at), getattr(m.v, at)
    where = f"layer {m.layer} head {m.head}"
    if r_w < 1 or m.qk.frobenius == 0.0:
        raise WeightsError(f"{where}: W_QK has {at.replace('_', ' ')} {r_w} and norm {m.qk.frobenius}; the bound "
                           f"needs r_w >= 1 and B_QK > 0")
    if r_v < 1 or m.v.frobenius == 0.0:
        raise WeightsError(f"{where}: W_V has {at.replace('_', ' ')} {r_v} and norm {m.v.frobenius}; the bound "
                           f"needs r_v >= 1 and B_V > 0")
    return {"n": n, "d": m.d, "k": m.k, "r_w": r_w, "r_v": r_v, "B_QK": m.qk.frobenius, "B_V": m.v.frobenius,
            "B_w": B_w, "B_X": B_X}


@dataclass(frozen=True)
class HeadBound:
    """The bounds of one head: ``at_rank_bound`` and ``at_numerical_rank`` are Evaluations or error strings;
    ``prior`` maps each prior bound's name to its JSON form (``evaluated`` true with a ``value``, or
    false with a ``reason``)."""

    measure: HeadMeasure
    B_w: Any                # float (measured, default) or Fraction (given exactly)
    B_w_source: str
    B_X: Any
    B_X_source: str
    at_rank_bound: Any
    at_numerical_rank: Any
    prior: Mapping

    def evaluation(self, at: str = "rank_bound"):
        """The Evaluation at ``at`` (``None`` if the bound was not evaluated there)."""
        ev = self.at_rank_bound if at == "rank_bound" else self.at_numerical_rank
        return None if isinstance(ev, str) else ev

    def value(self, at: str = "rank_bound"):
        """The bound's value (an mpf) at ``at``, or ``None``."""
        ev = self.evaluation(at)
        return None if ev is None else ev.value

    def text(self, at: str = "rank_bound") -> str | None:
        """The bound's value as the decimal string of its evaluation, or ``None``."""
        ev = self.evaluation(at)
        return None if ev is None else ev.fmt(ev.value)

    def evaluation_json(self, at: str) -> dict:
        ev = self.evaluation(at)
        if ev is None:
            return {"evaluated": False, "reason": self.at_rank_bound if at == "rank_bound" else self.at_numerical_rank}
        return dict(_strings(ev.to_json()), evaluated=True)


def _strings(js: dict) -> dict:
    """An evaluation's JSON with its integer entries (``dps``, counts) as decimal strings, like every
    figure of the weights report."""
    return {k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in js.items()}


def _reason(exc) -> str:
    return " ".join(str(exc).split())


def _priors():
    """``(PRIORS, evaluate_prior)``, or ``((), None)`` when the prior bounds are not installed."""
    try:
        from derive.prior import PRIORS

        from numeric.compare.priors import evaluate_prior
    except ImportError:
        return (), None
    return PRIORS, evaluate_prior


def prior_note() -> str:
    """What the report says about the prior bounds (which are evaluated, which are not available)."""
    PRIORS, evaluate_prior = _priors()
    if evaluate_prior is None:
        return "prior bounds (edelman, trauger-tewari) are not available: numeric.compare.priors is not installed"
    missing = [n for n in PRIOR_BOUNDS if n not in PRIORS]
    return ("rebuilt prior bounds (MATH.md section 7) are evaluated at each head's Frobenius radii, ranks ignored"
            + (f"; not available yet: {', '.join(missing)}" if missing else ""))


def prior_bounds(m: HeadMeasure, radii: Mapping, dps: int) -> dict:
    """``{name: result}``: the rebuilt prior bounds of MATH.md section 7 at the head's figures.

    Uses ``numeric.compare.priors.evaluate_prior(name, params, dps)`` for every name in
    ``derive.prior.PRIORS`` (the rebuilt classes read ``B_QK``, ``B_V`` as Frobenius
    radii and ignore the ranks, so one value per head); a name of
    :data:`PRIOR_BOUNDS` not rebuilt yet is reported as not available.
    """
    PRIORS, evaluate_prior = _priors()
    if evaluate_prior is None:
        return {name: {"evaluated": False, "reason": "not available"} for name in PRIOR_BOUNDS}
    out = {}
    for name in PRIOR_BOUNDS + tuple(p for p in PRIORS if p not in PRIOR_BOUNDS):
        if name not in PRIORS:
            out[name] = {"evaluated": False, "reason": "not available: not rebuilt yet (numeric.compare.priors)"}
            continue
        try:
            ev = evaluate_prior(name, head_params(m, **radii), dps=dps)
        except (UsageError, NotCertified) as exc:
            out[name] = {"evaluated": False, "reason": _reason(exc)}
            continue
        out[name] = dict(_strings(ev.to_json()), evaluated=True)
    return out


def bound_head(m: HeadMeasure, *, B_X, B_X_source: str, B_w, B_w_source: str, n: int, dps: int,
               variant: str = "default") -> HeadBound:
    """Evaluate the composed bound on head ``m`` at its rank bound and at its numerical rank (``variant``
    of the chain), and the prior bounds (:func:`prior_bounds`)."""
    from numeric.evaluate import evaluate
    evs: dict = {}
    for at in ("rank_bound", "numerical_rank"):
        try:
            p = head_params(m, B_X=B_X, B_w=B_w, n=n, at=at)
            if at == "numerical_rank" and (p["r_w"], p["r_v"]) == (m.qk.rank_bound, m.v.rank_bound) \
                    and not isinstance(evs["rank_bound"], str):
                evs[at] = evs["rank_bound"]
            else:
                evs[at] = evaluate(p, dps=dps, variant=variant)
        except (UsageError, NotCertified) as exc:
            evs[at] = _reason(exc)
    prior = prior_bounds(m, dict(B_X=B_X, B_w=B_w, n=n), dps)
    return HeadBound(m, B_w, B_w_source, B_X, B_X_source, evs["rank_bound"], evs["numerical_rank"], prior)
