"""The audit's verdicts for H heads and L layers (MATH.md section 8), decided on the composed deep bound.

Each claim is decided symbolically on ``derive.deep_theorem()`` (rate in n, independence of T at every
depth, growth in H and in L, block by block: :mod:`derive.asymptotics`) and illustrated by values of the
bound at the preset, computed at the requested precision.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath

import derive
from derive.asymptotics import growth_claim
from derive.claims import independent_of, rate_in_n
from lemmas.symbols import H, L, T

from numeric.audit.claims import _VERDICT, AuditClaim, Evidence, _s
from numeric.evaluate import evaluate
from numeric.params import DEFAULT_PRESET, Params

__all__ = ["DEPTH_CLAIM_KEYS", "depth_claims"]

DEPTH_CLAIM_KEYS = ("deep-rate-n", "deep-T-free", "growth-H", "growth-L")
_SOURCE = "MATH.md section 8 (beyond the paper: H heads, L layers; rankbound's derivation)"


@lru_cache(maxsize=None)
def _symbolic(variant: str) -> dict:
    th = derive.deep_theorem(variant)
    return {"deep-rate-n": rate_in_n(th.bound),
            "deep-T-free": independent_of(th.bound, T, "deep-T-free",
                                          "T is a parameter of the deep class and of every layer lemma; it drops out "
                                          "at the score perturbation and the softmax lemma, for every number of layers"),
            "growth-H": growth_claim(th, H, "growth-H"),
            "growth-L": growth_claim(th, L, "growth-L")}


def _value(p, dps, variant):
    return evaluate(p, dps=dps, variant=variant).value


def depth_claims(preset: str = DEFAULT_PRESET, variant: str = "default", dps: int = 30) -> tuple:
    """The four depth claims, each with its symbolic verdict and numeric illustration at ``preset``."""
    sym = _symbolic(variant)
    p = Params.from_preset(preset)
    out = []
    c = sym["deep-rate-n"]
    vals = [_value(p.replace(n=nn, H=12, L=6), dps, variant) for nn in (10**6, 10**12)]
    with mpmath.workdps(dps):
        ratio = vals[0] / vals[1]
    out.append(AuditClaim("deep-rate-n", "the H-head, L-layer bound is O(1/sqrt(n)) with no log n", _SOURCE,
                          _VERDICT[c.verdict], (
                              Evidence("symbolic", c.evidence),
                              Evidence("numeric", f"at H = 12, L = 6: bound(n = 1e6) / bound(n = 1e12) = {_s(ratio)} "
                                                  f"(1/sqrt(n) scaling gives exactly 1000)",
                                       {"ratio": ratio}))))
    c = sym["deep-T-free"]
    vals = {(ll, tt): _value(p.replace(T=tt, H=2, L=ll), dps, variant) for ll in (1, 3) for tt in (8, 4096)}
    agree = all(vals[(ll, 8)] == vals[(ll, 4096)] for ll in (1, 3))
    out.append(AuditClaim("deep-T-free", "the deep bound does not depend on the sequence length T, at every L",
                          _SOURCE, _VERDICT[c.verdict], (
                              Evidence("symbolic", c.evidence),
                              Evidence("numeric", "H = 2: " + "; ".join(
                                  f"L = {ll}: T = 8 gives {_s(vals[(ll, 8)])}, T = 4096 gives {_s(vals[(ll, 4096)])}"
                                  for ll in (1, 3)) + (" (equal)" if agree else " (NOT equal)"),
                                       {f"L={ll},T={tt}": v for (ll, tt), v in vals.items()}))))
    c = sym["growth-H"]
    h1, h12 = (_value(p.replace(H=h, L=1), dps, variant) for h in (1, 12))
    with mpmath.workdps(dps):
        rh = h12 / h1
    out.append(AuditClaim("growth-H", "growth of the bound in the number of heads H (MATH.md: about H)", _SOURCE,
                          _VERDICT[c.verdict], (
                              Evidence("symbolic", f"{c.statement}: {c.evidence}"),
                              Evidence("numeric", f"at L = 1, bound(H = 12) / bound(H = 1) = {_s(rh, 4)}",
                                       {"ratio": rh}))))
    c = sym["growth-L"]
    l6, l12 = (_value(p.replace(H=12, L=ll), dps, variant) for ll in (6, 12))
    with mpmath.workdps(dps):
        rl = l12 / l6
    out.append(AuditClaim("growth-L", "growth of the bound in the number of layers L (MATH.md: about linear)",
                          _SOURCE, _VERDICT[c.verdict], (
                              Evidence("symbolic", f"{c.statement}: {c.evidence}"),
                              Evidence("numeric", f"at H = 12, bound(L = 12) / bound(L = 6) = {_s(rl, 4)}",
                                       {"ratio": rl}))))
    return tuple(out)
