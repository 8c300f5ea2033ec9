"""The slip table: each slip of MATH.md section 6.4 with its arena and the true lemmas that must survive
the same search, and the hand-built witness of what slip (c) breaks further down the chain.

Examples
--------
>>> [(c.key, c.arena) for c in CHECKS][:2]
[('a', 'lowrank-ball-cover'), ('b', 'dudley-integral')]
>>> [v.ok for v in check_slips(budget=50, seed=0, keys="d")]
[True]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from lemmas.core import Lemma

from .common import CONFIRM_DPS, DEFAULT_BUDGET, jsonable
from .search import SearchResult, search
from .transformer import forward_mp

__all__ = ["SlipCheck", "CHECKS", "SlipVerdict", "true_lemmas_for", "check_slips",
           "external_centre_breaks_perturbation"]


@dataclass(frozen=True)
class SlipCheck:
    """A slip, its arena and the true lemmas that must survive the same search."""

    key: str
    slip: Lemma
    arena: str
    true_names: tuple


def true_lemmas_for(check: SlipCheck) -> list:
    """The true lemma values a slip varies (registered ones from the registry, the others from CONTROLS)."""
    import lemmas
    from lemmas.slips import CONTROLS
    if "logplus-sqrt-integral" in check.true_names:
        from derive.integrals import logplus_integral
        logplus_integral()
    ctrl = {c.name: c for c in CONTROLS}
    return [ctrl[n] if n in ctrl else lemmas.get(n) for n in check.true_names]


@lru_cache(maxsize=None)
def _checks():
    from lemmas.slips import slip
    return (
        SlipCheck("a", slip("a"), "lowrank-ball-cover", ("low-rank-net-ball",)),
        SlipCheck("b", slip("b"), "dudley-integral", ("dudley-cauchy-schwarz", "logplus-sqrt-integral")),
        SlipCheck("c", slip("c"), "internal-external", ("internal-by-external-half",)),
        SlipCheck("d", slip("d"), "loss-cover", ("loss-cover-rescaled-eps",)),
        SlipCheck("e", slip("e"), "transformer-perturbation",
                  ("transformer-perturbation", "transformer-perturbation-sharp")),
    )


class _Checks:
    def __iter__(self):
        return iter(_checks())

    def __len__(self):
        return len(_checks())

    def __getitem__(self, i):
        return _checks()[i]


#: the slips of MATH.md section 6.4 with their arenas and true lemmas
CHECKS = _Checks()


@dataclass(frozen=True)
class SlipVerdict:
    key: str
    slip: SearchResult
    controls: tuple          # SearchResult of each true lemma under the same search
    consequence: dict | None = None   # where known, the step of the chain that the slip breaks

    @property
    def ok(self) -> bool:
        return self.slip.refused and not any(c.refused for c in self.controls)

    def to_json(self) -> dict:
        out = {"key": self.key, "ok": self.ok, "slip": self.slip.to_json(),
               "true_lemmas": [c.to_json() for c in self.controls]}
        if self.consequence is not None:
            out["consequence"] = self.consequence
        return out


def external_centre_breaks_perturbation(B_X=1.0, B_w=1.0, B_V=0.25, delta=0.125, scale=3.0, d=2, k=1, T=2,
                                        dps: int = CONFIRM_DPS) -> dict:
    """Slip (c) in the chain: an external net point breaks the perturbation step.

    theta in Theta: x_cls and all tokens B_X e_1, W_QK = 0, W_V = B_V e_1 e_1^T, w = B_w e_1.  An external
    centre theta' (a point of a cover of the *parameter sets* taken outside them) with w' = scale B_w e_1
    (||w'|| > B_w) and W_V' = (B_V + delta) e_1 e_1^T.  The perturbation lemma's right side uses the class
    radii B_w, B_V, so |f_theta - f_theta'| exceeds it: the step needs internal centres.  Both sides at
    ``dps`` digits (the forward pass from the exact float64 entries).
    """
    e1d, e1k = np.eye(d)[0], np.eye(k)[0]
    X = np.tile(B_X * e1d, (T, 1))
    th = {"W_QK": np.zeros((d, d)), "W_V": B_V * np.outer(e1d, e1k), "w": B_w * e1k}
    th2 = {"W_QK": np.zeros((d, d)), "W_V": (B_V + delta) * np.outer(e1d, e1k), "w": scale * B_w * e1k}
    with mpmath.workdps(dps + 10):
        f1 = forward_mp(X, B_X * e1d, th["W_QK"], th["W_V"], th["w"])
        f2 = forward_mp(X, B_X * e1d, th2["W_QK"], th2["W_V"], th2["w"])
        lhs = abs(f1 - f2)
        m = lambda v: mpmath.mpf(float(v))  # noqa: E731
        rhs = m(B_V) * m(B_X) * m((scale - 1) * B_w) + m(B_w) * m(B_X) * m(delta)   # + 2 ... * 0 (W_QK fixed)
        broken = bool(lhs > rhs)
    with mpmath.workdps(dps):
        return {"statement": "transformer-perturbation with theta' an external centre outside Theta (||w'|| > B_w)",
                "B_X": B_X, "B_w": B_w, "B_V": B_V, "L_sigma": 1, "sigma": "tanh",
                "theta": jsonable(th), "theta_prime": jsonable(th2), "x_cls": jsonable(B_X * e1d),
                "X": jsonable(X), "lhs |f - f'|": mpmath.nstr(+lhs, dps),
                "rhs (class radii)": mpmath.nstr(+rhs, dps), "broken": broken}


def check_slips(budget: int = DEFAULT_BUDGET, seed: int = 0, keys: str = "abcde", quiet: bool = False) -> list:
    """Search every slip and its true lemmas with the same budget and seed.

    Each search shows its progress on stderr when it is a terminal, unless ``quiet``.
    """
    out = []
    for ch in CHECKS:
        if ch.key not in keys:
            continue
        s = search(ch.slip, ch.arena, budget, seed, quiet=quiet)
        ctrl = tuple(search(t, ch.arena, budget, seed, stop_at_first=False, quiet=quiet)
                     for t in true_lemmas_for(ch))
        out.append(SlipVerdict(ch.key, s, ctrl, external_centre_breaks_perturbation() if ch.key == "c" else None))
    return out
