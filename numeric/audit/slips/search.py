"""The counterexample search: random restarts and hill climbing on the violation margin, then
confirmation at high precision.

The search is seeded and multiplicative: each restart draws a point of the arena and climbs the margin
``(lhs - rhs) / max(|lhs|, |rhs|)`` by perturbing it.  A candidate (margin > ``FLOAT_TOL`` in double
precision) is confirmed with mpmath at ``CONFIRM_DPS`` digits before it is reported: the confirmed margin
must exceed ``10**-(dps - 10)``.  The same ``(arena, budget, seed)`` draws the same points whatever the
lemma, so a slip and its true lemma meet the same search.

Examples
--------
>>> from lemmas.slips import slip
>>> res = search(slip("d"), "loss-cover", budget=200, seed=0)
>>> res.refused, res.lemma == slip("d").name
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from lemmas.core import Lemma

from numeric.progress import progress

from .arenas import ARENAS
from .common import CONFIRM_DPS, DEFAULT_BUDGET, FLOAT_TOL, Arena, jsonable
from .margin import margin

__all__ = ["SearchResult", "search", "confirm"]


@dataclass(frozen=True)
class SearchResult:
    """The outcome of a counterexample search on one lemma."""

    lemma: str
    wrong: bool
    arena: str
    seed: int
    budget: int
    evaluations: int
    refused: bool
    best_margin: float | None
    counterexample: dict | None = None
    lhs: str | None = None          # at the counterexample, CONFIRM_DPS digits
    rhs: str | None = None
    reason: str = ""
    lhs_description: str = ""

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in ("lemma", "wrong", "arena", "seed", "budget", "evaluations",
                                               "refused", "best_margin", "counterexample", "lhs", "rhs",
                                               "reason", "lhs_description")}

    def summary(self) -> str:
        if self.refused:
            return (f"REFUSED {self.lemma}: counterexample after {self.evaluations} evaluations "
                    f"(lhs = {self.lhs[:24]} > rhs = {self.rhs[:24]} at dps {CONFIRM_DPS})")
        return (f"survives {self.lemma}: no counterexample in {self.evaluations} evaluations "
                f"(best margin {self.best_margin:.3g})" if self.best_margin is not None else
                f"survives {self.lemma}: no admissible point in {self.evaluations} evaluations")


def _arena(arena: str | Arena) -> Arena:
    return ARENAS[arena] if isinstance(arena, str) else arena


def confirm(lemma: Lemma, arena: str | Arena, point: dict, dps: int = CONFIRM_DPS):
    """Both sides at ``dps`` digits: ``(violated, lhs, rhs)`` (violated: lhs > rhs beyond 10^-(dps-10)).

    A point the arena finds outside the lemma's class (``Arena.violations``) is never a counterexample.
    """
    ar = _arena(arena)
    if ar.violations is not None and ar.violations(point, dps):
        return False, None, None
    with mpmath.workdps(dps + 10):
        m = margin(lemma, ar, point, dps + 10)
        if m is None:
            return False, None, None
        g, lhs, rhs = m
        violated = bool(g > mpmath.mpf(10) ** (-(dps - 10)))
    with mpmath.workdps(dps):
        return violated, +lhs, +rhs


def search(lemma: Lemma, arena: str | Arena, budget: int = DEFAULT_BUDGET, seed: int = 0,
           restarts: int | None = None, stop_at_first: bool = True, quiet: bool = False) -> SearchResult:
    """Random search with restarts and hill climbing on the violation margin, then confirmation.

    The same ``(arena, budget, seed)`` draws the same points whatever the lemma,
    so a slip and its true lemma meet the same search.  Progress (one step per restart) on stderr when
    it is a terminal, unless ``quiet``.
    """
    ar = _arena(arena)
    rng = np.random.default_rng(seed)
    restarts = restarts or max(1, budget // 25)
    per = max(1, budget // restarts)
    evals = 0
    best = None
    tried = set()
    for _ in progress(range(restarts), total=restarts, desc=lemma.name, quiet=quiet):
        p = ar.sample(rng)
        m = margin(lemma, ar, p)
        evals += 1
        cur = -math.inf if m is None else m[0]
        for _ in range(per - 1):
            if cur > FLOAT_TOL:
                break
            q = ar.perturb(p, rng)
            mq = margin(lemma, ar, q)
            evals += 1
            vq = -math.inf if mq is None else mq[0]
            if vq >= cur:
                p, cur = q, vq
        if best is None or cur > best[0]:
            best = (cur, p)
        if cur > FLOAT_TOL:
            key = repr(p)
            if key not in tried:
                tried.add(key)
                violated, lhs, rhs = confirm(lemma, ar, p)
                if violated and ar.shrink is not None:
                    p, lhs, rhs = _shrunk(lemma, ar, p, lhs, rhs)
                if violated:
                    return SearchResult(lemma.name, lemma.wrong, ar.key, seed, budget, evals, True, float(cur),
                                        ar.witness(p) if ar.witness else jsonable(p),
                                        mpmath.nstr(lhs, CONFIRM_DPS), mpmath.nstr(rhs, CONFIRM_DPS),
                                        lemma.source.derivation or str(lemma.source), ar.lhs_description)
        if evals >= budget and stop_at_first:
            break
    bm = None if best is None or best[0] == -math.inf else float(best[0])
    return SearchResult(lemma.name, lemma.wrong, ar.key, seed, budget, evals, False, bm, None, None, None,
                        "" if not lemma.wrong else "no counterexample found within the budget",
                        ar.lhs_description)


def _shrunk(lemma, ar, p, lhs, rhs):
    """Greedily replace a confirmed counterexample by simpler ones that are still confirmed."""
    changed = True
    while changed:
        changed = False
        for q in ar.shrink(p):
            ok, l2, r2 = confirm(lemma, ar, q)
            if ok:
                p, lhs, rhs, changed = q, l2, r2, True
                break
    return p, lhs, rhs
