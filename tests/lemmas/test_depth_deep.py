"""Property tests of the deep lemmas (lemmas/depth.py, MATH.md section 8): the telescoping perturbation
bound against the full L-layer forward pass of ``oracles.deep``, the grouped product net with explicit
nets, and a Monte Carlo lower estimate of a small deep class's Rademacher complexity under the composed
bound.

``deep-perturbation`` is instantiated with the constants the layer lemmas prove: each layer lemma is
instantiated at the class, the facts it provides are matched against the telescoping lemma's hypotheses
(which must agree in everything but the unknown constants rho, Lambda, a_V, a_QK, b_w, b_V, b_QK), and the
constants read off the facts are substituted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lemmas
import numeric
from lemmas.objects import CoveringNumber

import oracles as O
from depth_helpers import (SHARP, TOL, Check, Rhs, base_class, classes, e, evaluate, search, set_heads, sigma,
                           zero_theta)
from helpers import scaled, within

DEEP = lemmas.get("deep-perturbation")
GROUP5 = lemmas.get("lipschitz-group-cover-5")
UNKNOWN = {"rho", "Lambda", "a_V", "a_QK", "b_w", "b_V", "b_QK"}


# -- the telescoping lemma, instantiated from the layer lemmas' facts ---------------------------------------

def _unify(pattern, fact, found):
    """Match an instantiated hypothesis of DEEP against a provided fact; record the unknown constants."""
    if isinstance(pattern, sympy.Symbol) and pattern.name in UNKNOWN:
        assert found.setdefault(pattern.name, fact) == fact, (pattern, found[pattern.name], fact)
        return
    if pattern == fact:
        return
    assert type(pattern) is type(fact) and len(pattern.args) == len(fact.args) and pattern.args, (
        f"the fact {fact} does not match the hypothesis {pattern}")
    for a, b in zip(pattern.args, fact.args):
        _unify(a, b, found)


def layer_constants(c, constants=None):
    """rho, Lambda, a_V, a_QK, b_w, b_V, b_QK as the layer lemmas prove them at the class ``c``."""
    mapping = {p.name: c[p.name] for p in DEEP.params if p.name in c}
    found = {}
    for hyp, cond in DEEP.instantiate(mapping).hypotheses:
        if hyp.discharged_by in ("hidden-layer-input-lipschitz", "readout-input-lipschitz",
                                 "hidden-layer-param-lipschitz", "readout-param-lipschitz"):
            layer = lemmas.get(hyp.discharged_by)
            inst = layer.instantiate({p.name: c[p.name] for p in layer.params if p.name in c}, constants)
            facts = [f for f in inst.provides if type(f) is type(cond)]
            assert len(facts) == 1, (hyp.discharged_by, inst.provides)
            _unify(cond, facts[0], found)
    assert set(found) == UNKNOWN, found
    return found


def deep_rhs(c, constants):
    return Rhs(DEEP, c, None, extra=layer_constants(c, constants))


def m_deep(s, c):
    for th in (s["th"], s["th2"]):
        assert all(within(np.linalg.norm(Y, axis=1), c["B_X"]) for Y in O.deep_token_states(s["X"], th, c["B_X"]))
    f1, f2 = (O.deep_forward(s["X"], th, c["B_X"], sigma(c), c["cls"]) for th in (s["th"], s["th2"]))
    return abs(f1 - f2), O.deep_group_distances(s["th"], s["th2"])


def _scale(c):
    """The size of the values compared: the output scale times the growth of the tokens before Pi."""
    return c["L_sigma"] * c["B_w"] * c["B_V"] * c["B_X"] * (1 + c["H"]) * (1 + c["H"] * c["B_V"]) ** (c["L"] - 1)


KINDS = ("hidden W_QK", "hidden W_V", "readout W_QK", "readout W_V", "w")
CHECK = Check("deep-perturbation", "th", KINDS, m_deep, L=None, scale=_scale, rhs=deep_rhs, settings=[None, SHARP])


def chain(c, eps=1e-4, first=0):
    """A hidden value change at layer ``first + 1`` that every later layer amplifies by about rho and the
    readout by about Lambda: tokens B_X e1; the change writes eps B_X e2; later hidden layers copy e2 in
    every head (factor 1 + H B_V); the readout's identical heads read e2 with w spread evenly."""
    d, k, H, L, B_V = c["d"], c["k"], c["H"], c["L"], c["B_V"]
    th, th2 = zero_theta(c, L), zero_theta(c, L)
    for t_ in (th, th2):
        for layer in range(first + 1, L - 1):
            set_heads(t_, layer, W_V=B_V * np.outer(e(d, 1), e(d, 1)))
        set_heads(t_, "readout", W_V=B_V * np.outer(e(d, 1), e(k)))
        t_["w"][:, 0] = c["B_w"] / np.sqrt(H)
    set_heads(th2, first, W_V=eps * np.outer(e(d), e(d, 1)), heads=[0])
    return {"X": np.outer(np.ones(c["T"]), c["B_X"] * e(d)), "th": th, "th2": th2}


def _ratios(c, s):
    return [evaluate(CHECK, c, s, [r])[0] for r in CHECK.rhss(c)]


@pytest.mark.lemma("deep-perturbation")
@pytest.mark.parametrize("c", [base_class(L=2, H=1, B_V=1.0), base_class(L=2, H=3, B_V=2.0),
                               base_class(L=3, H=2, B_V=1.0), base_class(L=3, H=3, B_V=0.5, B_X=2.0, B_QK=0.002)],
                         ids=["L2H1", "L2H3", "L3H2", "L3H3"])
def test_deep_perturbation_chain_is_nearly_attained(c):
    """A first-layer change through the later layers and the readout comes within a few percent of
    Lambda rho^(L-2) a_V ||dW_V|| (B_QK small): one power of rho less, or an H less in rho, fails here."""
    rs = _ratios(c, chain(c))
    assert max(rs) <= 1 + TOL, rs
    assert rs[0] >= 0.9, ("c_sm = 2", rs)
    assert rs[1] >= 0.95, ("c_sm = 1", rs)


@pytest.mark.lemma("deep-perturbation")
@given(c=classes(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=scaled(8))
def test_deep_perturbation_on_random_instances_and_a_short_search(c, seed):
    worst = search(CHECK, c, np.random.default_rng(seed), starts=6, iters=12)
    assert worst <= 1 + TOL, f"worst ratio {worst!r}"


@pytest.mark.lemma("deep-perturbation")
@pytest.mark.parametrize("c", [base_class(L=2, H=2, B_QK=0.3), base_class(L=3, H=2, d=3, k=2, T=3, r_w=2, r_v=2,
                                                                             B_X=1.5, B_V=0.7, sigma="tanh"),
                               base_class(L=3, H=1, d=2, k=1, T=2, B_X=0.8, B_QK=2.0, B_V=2.0, sigma="relu", cls=1)],
                         ids=["L2H2", "L3H2", "L3H1"])
def test_deep_perturbation_adversarial_search(c):
    """Many random starts and the chain configurations of every hidden layer, then a local search from
    the worst; the worst ratio stays <= 1 (reported on failure)."""
    rng = np.random.default_rng(11)
    extra = [chain(c, first=f) for f in range(c["L"] - 1)]
    worst = search(CHECK, c, rng, starts=scaled(12), iters=scaled(60), extra=extra)
    assert worst <= 1 + TOL, f"worst ratio {worst!r}"


def test_deep_oracle_reduces_to_the_single_head_model():
    """At H = L = 1 the deep oracle is the single-head forward pass of oracles.transformers, and its hidden
    layers keep every token in the B_X ball."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        c = dict(base_class(d=3, k=2, T=4, H=1, L=1, r_w=2, r_v=2), B_QK=2.0, B_V=1.5)
        th = O.random_deep_theta(rng, 3, 2, 1, 1, 2, 2, 1.0, 1.5, 2.0)
        X = O._random_tokens(rng, 4, 3, 1.0)
        (W_QK, W_V), w = th["readout"][0], th["w"][0]
        one = O.transformer_forward(X, W_QK, W_V, w, X[2], np.tanh)
        assert abs(O.deep_forward(X, th, 1.0, np.tanh, cls=2) - one) <= 1e-12 * (1 + abs(one)), c
        th3 = O.random_deep_theta(rng, 3, 2, 3, 3, 2, 2, 1.0, 3.0, 3.0)
        assert all(within(np.linalg.norm(Y, axis=1), 1.0) for Y in O.deep_token_states(X, th3, 1.0))


# -- the grouped product net ----------------------------------------------------------------------------

def interval_net(R, s):
    """Internal s-net of [-R, R]: midpoints of m = ceil(R/s) equal cells (covering radius R/m <= s)."""
    m = max(1, math.ceil(R / s))
    return -R + (2 * np.arange(m) + 1) * (R / m)


@pytest.mark.lemma("lipschitz-group-cover-5")
@given(seed=st.integers(0, 2**32 - 1), eps=st.floats(0.05, 2.0),
       M=st.tuples(*[st.integers(0, 3)] * 5).filter(any), slack=st.floats(0.5, 1.0))
@example(seed=0, eps=1.0, M=(0, 0, 0, 0, 1), slack=1.0)      # sum M_j t_j = 1 exactly
@settings(max_examples=scaled(15))
def test_lipschitz_group_cover_product_net(seed, eps, M, slack):
    """f_theta(x) = sum_j sum_{i < M_j} g_j(theta_{j,i} a_{j,i}(x)) on 12 inputs, theta_{j,i} in [-R_j, R_j],
    g_j the identity or tanh: Lipschitz with L_j = max_{i,x} |a_{j,i}(x)| per block of group j.  Weights t_j
    with sum M_j t_j = slack <= 1 (t_j of an empty group arbitrary); internal nets of each block at the
    lemma's scales t_j eps / L_j are built (grids) and their product must cover the class at eps."""
    rng = np.random.default_rng(seed)
    R = rng.uniform(0.2, 3.0, 5)
    u = [sympy.Rational(int(rng.integers(1, 20)), 10) for _ in range(5)]     # exact: sum M_j t_j = slack
    t = [u[j] * sympy.Rational(slack) / sum(m * v for m, v in zip(M, u)) if M[j] else
         sympy.Rational(int(rng.integers(1, 50)), 10) for j in range(5)]
    A = [rng.uniform(-2, 2, size=(m, 12)) * rng.uniform(0.1, 3) for m in M]
    Ls = [float(np.max(np.abs(a))) if a.size else float(rng.uniform(0.5, 2)) for a in A]
    for j, a in enumerate(A):
        a[:, 0] = Ls[j]                       # an input attaining every L_j at once
    blocks = [sympy.Symbol(f"I{j}") for j in range(5)]
    inst = GROUP5.instantiate({**{f"S_{j + 1}": blocks[j] for j in range(5)}, **{f"L_{j + 1}": Ls[j] for j in range(5)},
                               **{f"M_{j + 1}": M[j] for j in range(5)}, **{f"t_{j + 1}": t[j] for j in range(5)},
                               "epsilon": eps})
    split = [cond for hyp, cond in inst.hypotheses if hyp.name == "split-at-most-one"]
    assert len(split) == 1 and sympy.Le(split[0].lhs, split[0].rhs) == sympy.true, split
    over = GROUP5.instantiate({**{f"M_{j + 1}": M[j] for j in range(5)}, **{f"t_{j + 1}": 3 * t[j] for j in range(5)}})
    assert [sympy.Le(c.lhs, c.rhs) for h, c in over.hypotheses if h.name == "split-at-most-one"] == [sympy.false]
    nets, sizes = {}, {}
    for cov in inst.conclusion.rhs.atoms(CoveringNumber):
        j = blocks.index(cov.args[0])
        nets[j] = interval_net(R[j], float(cov.args[1]))
        sizes[cov] = len(nets[j])
    assert sorted(nets) == [j for j in range(5) if M[j] > 0]
    rhs = float(sympy.N(inst.conclusion.rhs.xreplace(sizes), 30))
    assert sum(M[j] * math.log(len(nets[j])) for j in nets) <= rhs * (1 + 1e-12) + 1e-12
    g = [(lambda x: x) if j % 2 else np.tanh for j in range(5)]

    def f(th):                                # th[j]: the M_j parameters of group j
        return sum(g[j](th[j][i] * A[j][i]) for j in range(5) for i in range(M[j]))

    def nearest(th):
        return [np.array([nets[j][np.argmin(np.abs(nets[j] - x))] for x in th[j]]) for j in range(5)]

    cands = [[rng.uniform(-1, 1, M[j]) * R[j] for j in range(5)] for _ in range(60)]
    cands += [[s * R[j] * np.ones(M[j]) for j in range(5)] for s in (-1.0, 1.0)]
    for _ in range(20):                       # every block on a cell boundary: the worst rounding
        th = []
        for j in range(5):
            net = nets.get(j, np.zeros(1))
            mids = np.concatenate([(net[:-1] + net[1:]) / 2, [-R[j], R[j]]])
            th.append(rng.choice(mids, M[j]))
        cands.append(th)
    worst = max(float(np.max(np.abs(f(th) - f(nearest(th))))) for th in cands)
    assert worst <= eps * (1 + TOL), (worst, eps)


# -- the Rademacher complexity of a small deep class, estimated from below ---------------------------------

def test_rademacher_estimate_below_the_deep_bound():
    """(1/n) E_sigma sup_f sum_i sigma_i f(X_i) over a deep class (n = 8, d = 3, k = 2, T = 3, H = 2, L = 2,
    radii 1, sigma = tanh), the sup estimated from below by random weights and a local search per sign draw,
    stays below numeric.evaluate(...).rademacher_complexity (the bound on R_S(l o F), L_loss = 1)."""
    n, d, k, T, H, L = 8, 3, 2, 3, 2, 2
    c = dict(base_class(d=d, k=k, T=T, H=H, L=L, r_w=3, r_v=2, B_X=1.0, B_w=1.0, B_V=1.0, B_QK=1.0),
             sigma="tanh")
    bound = numeric.evaluate(dict(n=n, d=d, k=k, r_w=3, r_v=2, T=T, B_X=1, B_w=1, B_V=1, B_QK=1, L_sigma=1,
                                  L_loss=1, c=1, delta="0.05", H=H, L=L)).rademacher_complexity
    rng = np.random.default_rng(3)
    Xs = [O._random_tokens(rng, T, d, 1.0) for _ in range(n)]
    lim = O.deep_limits(d, k, 3, 2, 1.0, 1.0, 1.0)

    def corr(th, signs):
        return float(np.mean([s * O.deep_forward(X, th, 1.0, np.tanh) for s, X in zip(signs, Xs)]))

    sups = []
    for _ in range(4):
        signs = rng.choice([-1.0, 1.0], n)
        draws = [O.random_deep_theta(rng, d, k, H, L, 3, 2, 1.0, 1.0, 1.0) for _ in range(scaled(60))]
        start = max(draws, key=lambda th: corr(th, signs))
        move = lambda r, th, eta: O.apply_theta_noise(th, O.theta_noise(r, th, KINDS), eta, lim)  # noqa: E731
        _, best = O.climb(rng, start, lambda th: corr(th, signs), move, scaled(40))
        sups.append(best)
    estimate = float(np.mean(sups))
    B_f = math.sqrt(H)                        # |f| <= sqrt(H) L_sigma B_w B_V B_X
    assert 0 < estimate <= B_f, (estimate, sups)
    assert estimate <= float(bound), (estimate, bound, c)
