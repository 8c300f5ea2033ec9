"""Shared machinery of the depth-lemma tests (tests/lemmas/test_depth*.py): reading a lemma's right side
as a number, random classes and instances of the H-head, L-layer model, one lemma's check (measurement
on the oracle's forward pass, moves for the local search) and the search itself.

Nothing here computes a bound: right sides come from the lemmas (``Rhs``), left sides from
``oracles.deep``.
"""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import strategies as st

import lemmas
from lemmas.norms import MatrixNorm
from lemmas.objects import Distance, GroupDistance, Tag

import oracles as O

TOL = 1e-9
SHARP = {"c_sm": 1}
SIGMAS = {"tanh": lambda L: (lambda x: L * np.tanh(x)), "relu": lambda L: (lambda x: L * np.maximum(x, 0.0)),
          "linear": lambda L: (lambda x: L * x)}


# -- reading a lemma's right side --------------------------------------------------------------------------

def _key(a):
    return str(a.args[0])


class Rhs:
    """A lemma instantiated at a class: its right side as a function of the measured atoms (keyed by name)."""

    def __init__(self, lemma, cls, constants=None, extra=None):
        mapping = {p.name: cls[p.name] for p in lemma.params if p.name in cls}
        mapping.update(extra or {})
        self.inst = lemma.instantiate(mapping, constants)
        self.expr = self.inst.conclusion.rhs
        self.atoms = {_key(a): a for a in self.expr.atoms(Distance, GroupDistance, MatrixNorm)}
        self.keys = sorted(self.atoms)
        dummies = [sympy.Dummy(k) for k in self.keys]
        body = self.expr.xreplace({self.atoms[k]: x for k, x in zip(self.keys, dummies)})
        free = {s for s in body.free_symbols - set(dummies) if not isinstance(s, Tag)}
        assert not free, f"{lemma.name}: no value for {free}"
        self.fn = sympy.lambdify(dummies, sympy.N(body, 20), "math")

    def __call__(self, measured):
        assert set(measured) == set(self.atoms), (sorted(measured), sorted(self.atoms))
        return float(self.fn(*[measured[k] for k in self.keys]))

    def exact(self, measured):
        """The right side evaluated by SymPy at 30 digits with the measured numbers substituted."""
        subs = {self.atoms[k]: sympy.Rational(float(v)) for k, v in measured.items()}
        return float(sympy.N(self.expr.xreplace(subs), 30))


def ratio(lhs, rhs, noise):
    """lhs / rhs with the float64 rounding noise of lhs taken off (0 / 0 counts as 0)."""
    num = max(lhs - noise, 0.0)
    return num / rhs if rhs > 0 else (0.0 if num == 0 else np.inf)


def variants(lemma):
    """The constant settings each lemma is checked at: c_sm = 2 (default) and c_sm = 1 (sharp), if it has one."""
    return [None, SHARP] if any(c.name == "c_sm" for c in lemma.constants) else [None]


# -- classes and instances ---------------------------------------------------------------------------------

@st.composite
def classes(draw, L=None):
    d, k, T = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(d=d, k=k, T=T, H=draw(st.integers(1, 3)), L=L or draw(st.integers(1, 3)),
                r_w=draw(st.integers(1, d)), r_v=draw(st.integers(1, min(d, k))), B_X=draw(st.floats(0.2, 3.0)),
                B_w=draw(st.floats(0.1, 3.0)), B_V=draw(st.floats(0.05, 3.0)), B_QK=draw(st.floats(0.05, 3.0)),
                L_sigma=draw(st.sampled_from([0.5, 1.0, 2.0])), sigma=draw(st.sampled_from(sorted(SIGMAS))),
                cls=draw(st.integers(0, T - 1)))


def limits(c):
    return O.deep_limits(c["d"], c["k"], c["r_w"], c["r_v"], c["B_w"], c["B_V"], c["B_QK"])


def theta(rng, c, L=None, full=None):
    return O.random_deep_theta(rng, c["d"], c["k"], c["H"], L or c["L"], c["r_w"], c["r_v"], c["B_w"], c["B_V"],
                               c["B_QK"], full=full)


def sigma(c):
    return SIGMAS[c["sigma"]](c["L_sigma"])


def _eta(rng):
    return 10.0 ** rng.uniform(-4, -0.5)


class Check:
    """One lemma: which pair an instance varies (tokens or weights), the blocks that matter, and the
    measurement (lhs, {atom name: value}) on an instance from the oracle's forward pass."""

    def __init__(self, name, pair, kinds, measure, L=2, scale=None, rhs=None, settings=None):
        self.lemma, self.pair, self.kinds, self.measure, self.L = lemmas.get(name), pair, kinds, measure, L
        self.scale, self._rhs, self.settings = scale, rhs, settings or variants(self.lemma)

    def rhss(self, c):
        """The lemma's right side at the class, once per constant setting (c_sm = 2 and 1 where it has c_sm;
        ``rhs(c, setting)`` builds it when the lemma is instantiated from others)."""
        make = self._rhs or (lambda c_, v: Rhs(self.lemma, c_, v))
        return [make(c, v) for v in self.settings]

    def noise(self, c):
        """An absolute allowance for float64 rounding in lhs (last bits of the values compared)."""
        return 1e-12 * self.scale(c)

    def sample(self, rng, c):
        s = {"X": O._random_tokens(rng, c["T"], c["d"], c["B_X"]), "th": theta(rng, c, self.L)}
        mode = rng.choice(["independent", "near", "one"])
        if self.pair == "X":
            if mode == "independent":
                s["X2"] = O._random_tokens(rng, c["T"], c["d"], c["B_X"])
            else:
                z = rng.standard_normal(s["X"].shape)
                if mode == "one":
                    z[np.arange(c["T"]) != rng.integers(0, c["T"])] = 0.0
                s["X2"] = O.jiggle_tokens(s["X"], z, _eta(rng), c["B_X"])
        elif self.pair == "th":
            if mode == "independent":
                s["th2"] = theta(rng, c, self.L)
            else:
                z = O.theta_noise(rng, s["th"], self.kinds, share=0.5 if mode == "near" else 0.0)
                s["th2"] = O.apply_theta_noise(s["th"], z, _eta(rng), limits(c))
        if self.pair == "score":
            s["X2"] = O.jiggle_tokens(s["X"], rng.standard_normal(s["X"].shape), _eta(rng), c["B_X"])
            s["A"] = rng.standard_normal((c["d"], c["d"])) * rng.uniform(0.1, 3)
            s["tau"], s["t"] = int(rng.integers(0, c["T"])), int(rng.integers(0, c["T"]))
        return s

    def propose(self, c):
        def move(rng, s, eta):
            s = dict(s)
            both = rng.uniform() < 0.4          # a common move keeps the pair's difference
            if self.pair in ("X", "score"):
                z = rng.standard_normal(s["X"].shape)
                s["X2"] = O.jiggle_tokens(s["X2"], z, eta, c["B_X"])
                if both:
                    s["X"] = O.jiggle_tokens(s["X"], z, eta, c["B_X"])
            else:
                s["X"] = O.jiggle_tokens(s["X"], rng.standard_normal(s["X"].shape), eta * (rng.uniform() < 0.3),
                                         c["B_X"])
            if self.kinds:
                z = O.theta_noise(rng, s["th"], self.kinds)
                if self.pair == "th":
                    s["th2"] = O.apply_theta_noise(s["th2"], z, eta, limits(c))
                if self.pair != "th" or both:
                    s["th"] = O.apply_theta_noise(s["th"], z, eta, limits(c))
            if self.pair == "score":
                s["A"] = s["A"] + eta * rng.standard_normal(s["A"].shape) * np.linalg.norm(s["A"], 2)
            return s
        return move


def evaluate(check, c, s, rhss):
    """(worst ratio over the constant variants, lhs, measured atoms) on one instance."""
    lhs, measured = check.measure(s, c)
    return max(ratio(lhs, r(measured), check.noise(c)) for r in rhss), lhs, measured


def assert_holds(check, c, s, rhss, where):
    """The final check at an instance: lhs <= rhs (1 + 1e-9) + rounding noise, rhs evaluated by SymPy."""
    lhs, measured = check.measure(s, c)
    for r in rhss:
        rhs = r.exact(measured)
        assert lhs <= rhs * (1 + TOL) + check.noise(c), (
            f"{check.lemma.name} {where}: lhs {lhs!r} > rhs {rhs!r} (ratio {lhs / rhs if rhs else np.inf:.12g}) "
            f"at {r.inst.subs}, measured {measured}")


def search(check, c, rng, starts, iters, extra=()):
    """Random starts (plus ``extra``), then a local search on the worst ratio from the worst start.
    Every instance over the line is re-checked with the exact right side (which raises with the details);
    returns the worst ratio seen."""
    c = dict(c, L=check.L or c["L"])
    rhss = check.rhss(c)
    objective = lambda s: evaluate(check, c, s, rhss)[0]         # noqa: E731
    pool = [check.sample(rng, c) for _ in range(starts)] + list(extra)
    vals = [objective(s) for s in pool]
    for s, v in zip(pool, vals):
        if v > 1 + TOL:
            assert_holds(check, c, s, rhss, f"on a start (ratio {v:.12g})")
    best, val = O.climb(rng, pool[int(np.argmax(vals))], objective, check.propose(c), iters)
    assert_holds(check, c, best, rhss, f"after the search (worst ratio {val:.12g})")
    return max(max(vals), val)


# -- building blocks of hand-built instances ---------------------------------------------------------------

def e(n, i=0):
    v = np.zeros(n)
    v[min(i, n - 1)] = 1.0
    return v


def zero_theta(c, L=2):
    d, k, H = c["d"], c["k"], c["H"]
    return {"hidden": [[(np.zeros((d, d)), np.zeros((d, d))) for _ in range(H)] for _ in range(L - 1)],
            "readout": [(np.zeros((d, d)), np.zeros((d, k))) for _ in range(H)], "w": np.zeros((H, k))}


def set_heads(th, where, W_QK=None, W_V=None, heads=None):
    """Set W_QK / W_V of the chosen heads (default: all) of ``where`` (a hidden layer index or 'readout')."""
    layer = th["readout"] if where == "readout" else th["hidden"][where]
    for h in range(len(layer)) if heads is None else heads:
        q, v = layer[h]
        layer[h] = (q if W_QK is None else W_QK.copy(), v if W_V is None else W_V.copy())
    return th


def balanced(c):
    """Tokens +-B_X e1 in two equal groups (a zero token if T is odd): X^T p = 0 under uniform attention."""
    X = np.zeros((c["T"], c["d"]))
    half = c["T"] // 2
    X[:half], X[half:2 * half] = c["B_X"] * e(c["d"]), -c["B_X"] * e(c["d"])
    return X


def base_class(**kw):
    """A small class (d = k = 2, T = 4, H = L = 3, ranks 1) near the corner where the bounds are nearly
    attained (B_QK small, sigma linear), with ``kw`` overriding any entry."""
    base = dict(d=2, k=2, T=4, H=3, L=3, r_w=1, r_v=1, B_X=1.0, B_w=1.3, B_V=0.8, B_QK=0.01, L_sigma=1.0,
                sigma="linear", cls=0)
    return dict(base, **kw)
