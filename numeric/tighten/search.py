"""The best value of a set of choices at a point, and the inverse questions built on it.

- :func:`best`: the chain with ``choices`` made, its free values optimised (:mod:`.optimise`).  With
  ``dudley-alpha`` among the choices, alpha = 0 (the chain without the additivity step) is one of the
  admissible values: it is compared with the best alpha > 0 found, and the smaller bound is kept.
- :func:`smallest_n`: the smallest sample size at which the (optimised) bound is below a target (strictly
  below c: non-vacuous), found in log n by safeguarded secant steps and settled on the integers; the value
  there is certified.
- :func:`largest_value`: the largest value of a parameter (r_w, d, B_QK, ...) at which the bound is still
  non-vacuous at the given n (the bound increases in each of them).

The optimised bound is a theorem at every point (the choices are fixed before the sample is drawn: they
depend only on the parameters), and it decreases in n and increases in the solved parameters, so both
searches are bisections on a monotone function.

Examples
--------
>>> from numeric.params import Params
>>> r = smallest_n((), Params.from_preset(), 1)
>>> r["n"]                  # numeric.smallest_nonvacuous_n() gives the same
812371577
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import derive.tighten as T
from numeric.errors import UsageError
from numeric.evaluate import integer_boundary
from numeric.params import MAX_COUNT, Params, SPECS

from .chain import Compiled, compiled_chain
from .optimise import Settings, optimise, round_sig

__all__ = ["Best", "best", "smallest_n", "largest_value", "SOLVABLE"]


@dataclass(frozen=True)
class Best:
    """A chain with good values of its free choices at one point."""

    chain: Compiled
    settings: Settings

    @property
    def value(self) -> float:
        return self.settings.value

    @property
    def choices(self) -> tuple:
        return self.chain.th.choices


def _key(choices) -> tuple:
    chosen = set(choices)
    return tuple(c for c in T.CHOICE_ORDER if c in chosen)


def best(choices, params: Params, n=None, starts: tuple = ()) -> Best:
    """The chain with ``choices`` at ``params`` (``n`` overrides n) with its choices optimised."""
    key = _key(choices)
    ch = compiled_chain(key)
    out = Best(ch, optimise(ch, params, n, starts))
    if "dudley-alpha" in key:             # alpha = 0 is admissible too: the chain without the additivity step
        ch0 = compiled_chain(tuple(c for c in key if c != "dudley-alpha"))
        alt = Best(ch0, optimise(ch0, params, n, starts))
        if alt.value < out.value:
            out = alt
    return out


def _illinois(h, a: float, ha: float, b: float, hb: float, tol: float, max_steps: int = 100):
    """A bracket (a, b) of the sign change of a monotone ``h`` (h(a) > 0 >= h(b)), shrunk by Illinois
    regula falsi until ``|b - a| <= tol``."""
    side = 0
    for _ in range(max_steps):
        if abs(b - a) <= tol:
            break
        t = b - hb * (b - a) / (hb - ha) if hb != ha else 0.5 * (a + b)
        if not (min(a, b) < t < max(a, b)):
            t = 0.5 * (a + b)
        ht = h(t)
        if ht > 0:
            a, ha = t, ht
            if side == -1:
                hb /= 2
            side = -1
        else:
            b, hb = t, ht
            if side == 1:
                ha /= 2
            side = 1
    return a, b


def _bracket(h, t0: float, t_min: float, t_max: float, direction: int):
    """From t0, walk in ``direction`` (+1: h decreases that way) with growing steps until h changes sign.

    Returns (a, ha, b, hb) with h(a) > 0 >= h(b), or None if the walk leaves [t_min, t_max] first."""
    h0 = h(t0)
    step = 1.0
    t, ht = t0, h0
    while True:                                # h > 0: the sign change lies further along +direction
        nxt = t + direction * step if ht > 0 else t - direction * step
        nxt = min(max(nxt, t_min), t_max)
        if nxt == t:
            return None
        hn = h(nxt)
        if (ht > 0) != (hn > 0):
            return (t, ht, nxt, hn) if ht > 0 else (nxt, hn, t, ht)
        t, ht = nxt, hn
        step *= 2


def smallest_n(choices, params: Params, target, strict: bool = True, n_max: int = 10**200) -> dict | None:
    """The smallest n at which the optimised bound is < ``target`` (``<=`` when not ``strict``).

    Returns ``{"n", "value", "settings", "chain"}`` (value: the float objective at n) or None if no n up to
    ``n_max`` gives it.
    """
    target = float(target)
    cache: dict = {}
    last = {"starts": ()}

    def at(n):
        if n not in cache:
            b = best(choices, params, n, last["starts"])
            last["starts"] = (b.settings,)
            cache[n] = b
        return cache[n]

    def ok(n: int) -> bool:
        v = at(n).value
        return v < target if strict else v <= target

    if ok(1):
        return _found(1, cache)

    def h(t):                                   # log(bound / target) at n = e^t: decreasing in t
        v = at(math.exp(t)).value
        return math.log(v / target) if v > 0 else -math.inf

    t_max = math.log(n_max)
    br = _bracket(h, math.log(max(2, params["n"])), 0.0, t_max, +1)
    if br is None:
        return None
    a, ha, b, hb = br
    a, b = _illinois(h, a, ha, b, hb, tol=1e-14 * max(1.0, b))
    n_hi = max(1, int(math.ceil(math.exp(b))))
    while not ok(n_hi):                         # settle on the integers (the float bracket is within ~1e-13)
        n_hi = n_hi + max(1, n_hi // 10**9)
        if n_hi > n_max:
            return None
    step = max(1, n_hi // 10**9)
    while n_hi > 1 and ok(n_hi - step):
        n_hi -= step
    if step > 1:                                # exact integer: bisect the last step
        n_hi = integer_boundary(ok, n_hi - step, n_hi)[1]
    # settle on certified values: n must pass with its choices certified by Arb, and n - 1 must fail even from
    # a cold start of the optimiser (which must not find there what the warm-started search missed)
    def certified_ok(n, b):
        hi = float(b.chain.certify(params.replace(n=n), b.settings.values, dps=20).hi)
        return hi < target if strict else hi <= target

    for _ in range(100):
        if certified_ok(n_hi, at(n_hi)):
            break
        n_hi += 1
    for _ in range(100):
        if n_hi == 1:
            break
        cold = best(choices, params, n_hi - 1)
        if not certified_ok(n_hi - 1, cold):
            break
        cache[n_hi - 1] = cold
        n_hi -= 1
    return _found(n_hi, cache)


def _found(n: int, cache: dict) -> dict:
    b = cache[n]
    return {"n": n, "value": b.value, "settings": b.settings, "chain": b.chain}


#: parameters --solve accepts (the bound increases in each), with how their range is limited
SOLVABLE = ("d", "k", "r_w", "r_v", "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "H", "L")
_COUNTS = {s.name for s in SPECS if s.kind == "count"}


def _range(name: str, params: Params):
    """The admissible range of parameter ``name`` with the others fixed: (low, high or None)."""
    if name == "d":
        return max(params["r_w"], params["r_v"]), None
    if name == "k":
        return params["r_v"], None
    if name == "r_w":
        return 1, params["d"]
    if name == "r_v":
        return 1, min(params["d"], params["k"])
    if name in MAX_COUNT:
        return 1, MAX_COUNT[name]
    return None, None


def largest_value(choices, params: Params, name: str, count_max: int = 10**18, real_range=(1e-100, 1e100)):
    """The largest value of ``name`` at which the optimised bound is < c (others fixed).

    Returns ``{"value", "at_limit", "settings", "chain"}``: ``value`` is an int for counts and a Fraction
    (10 significant digits, rounded down) for reals; ``at_limit`` says the search stopped at the largest value
    admissible (or searched); None when the bound is vacuous at the smallest value.
    """
    if name not in SOLVABLE:
        raise UsageError(f"--solve {name}: solve for one of {', '.join(SOLVABLE)} (the bound increases in each; "
                         f"for n use --target)")
    c = float(params["c"])
    last = {"starts": ()}
    cache: dict = {}

    def at(x):
        key = x
        if key not in cache:
            p = params.replace(**{name: x})
            b = best(choices, p, None, last["starts"])
            last["starts"] = (b.settings,)
            cache[key] = (p, b)
        return cache[key]

    def ok(x) -> bool:
        return at(x)[1].value < c

    if name in _COUNTS:
        lo, hi = _range(name, params)
        if not ok(lo):
            return None
        limit = hi if hi is not None else count_max
        good, bad = lo, None
        x = lo
        while bad is None:                  # grow geometrically to a vacuous value (the limit only if reached)
            if x >= limit:
                return _solved(limit, True, at(limit))
            x = min(max(2 * x, x + 1), limit)
            if ok(x):
                good = x
            else:
                bad = x
        good = integer_boundary(ok, good, bad)[0]
        return _solved(good, False, at(good))
    lo_r, hi_r = real_range
    as_frac = lambda t: _round_down(math.exp(t))          # noqa: E731
    t_lo, t_hi = math.log(lo_r), math.log(hi_r)
    if not ok(as_frac(t_lo)):
        return None
    if ok(as_frac(t_hi)):
        x = as_frac(t_hi)
        return _solved(x, True, at(x))

    def h(t):                                  # log(c / bound): decreasing in t, > 0 where non-vacuous
        v = at(as_frac(t))[1].value
        return math.log(c / v) if v > 0 else math.inf

    br = _bracket(h, math.log(float(params[name])), t_lo, t_hi, +1)
    if br is None:
        raise UsageError(f"--solve {name}: no change of vacuity found in [{lo_r:g}, {hi_r:g}]")
    a, ha, b, hb = br
    a, b = _illinois(h, a, ha, b, hb, tol=1e-11)
    x = as_frac(a)
    while not ok(x):                           # the rounded value must still be non-vacuous
        a -= 1e-11
        x = as_frac(a)
    return _solved(x, False, at(x))


def _round_down(x: float) -> Fraction:
    return round_sig(x, 10, down=True)


def _solved(x, at_limit, pb) -> dict:
    p, b = pb
    return {"value": x, "at_limit": at_limit, "params": p, "settings": b.settings, "chain": b.chain}
