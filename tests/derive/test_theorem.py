"""The composed theorem (MATH.md sections 4-5): its blocks, the spec oracle, the step-by-step chain,
and numeric checks of the derived covering lemma of the transformer class.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
import lemmas
import numeric
from lemmas import symbols as Sy
from lemmas.objects import CoveringNumber

import oracles as O
import strategies as S
from helpers import rhs_at, scaled

derive.register_derived()
THEOREMS = {v: derive.theorem(v) for v in derive.VARIANTS}     # registers the variants' lemmas
SOFTMAX_CONST = {"default": 2, "sharp-softmax": 1}
LEMMA_NAME = {"default": "truong-theorem", "sharp-softmax": "truong-theorem[sharp-softmax]"}
B_f = Sy.L_sigma * Sy.B_w * Sy.B_V * Sy.B_X


def _close(a, b, dps, factor=1):
    """factor * a == b to dps digits (the product formed at full precision)."""
    with mpmath.workdps(dps + 10):
        return abs(factor * mpmath.mpf(a) - mpmath.mpf(b)) <= mpmath.mpf(10) ** (1 - dps) * abs(mpmath.mpf(b))


def _values(params):
    return {getattr(Sy, k): v for k, v in params.items()}


# -- structure, read against MATH.md section 5 ------------------------------------------------------

@pytest.mark.parametrize("variant,qk,U", [("default", 54, B_f), ("sharp-softmax", 27, B_f),
                                          ("dudley-half", 54, B_f / 2)])
def test_blocks_are_those_of_MATH_md(variant, qk, U):
    th = derive.theorem(variant)
    d, k, r_v, r_w = Sy.d, Sy.k, Sy.r_v, Sy.r_w
    want = {
        "w": (k, 9 * B_f),
        "V": ((d + k + 1) * r_v, 27 * Sy.L_sigma * Sy.B_w * Sy.B_X * Sy.B_V),
        "QK": ((2 * d + 1) * r_w, qk * Sy.L_sigma * Sy.B_w * Sy.B_V * Sy.B_X ** 3 * Sy.B_QK),
    }
    assert [b.name for b in th.blocks] == ["w", "V", "QK"]
    for b in th.blocks:
        D, C = want[b.name]
        assert sympy.simplify(b.D - D) == 0 and sympy.simplify(b.C - C) == 0, (b.name, b.D, b.C)
        assert sympy.simplify(b.U - U) == 0


@pytest.mark.parametrize("variant", sorted(derive.VARIANTS))
def test_bound_is_free_of_T_and_exactly_one_over_sqrt_n(variant):
    th = derive.theorem(variant)
    assert not th.bound.has(Sy.T)
    K = sympy.expand(th.bound * sympy.sqrt(Sy.n))
    assert sympy.diff(K, Sy.n) == 0
    assert th.lemma.conclusion.lhs.func.__name__ == "GeneralisationGap"
    open_ = {o.hypothesis.name for o in th.obligations}
    assert open_ >= {"iid-sample", "bounded-loss", "loss-lipschitz", "sigma-lipschitz", "tokens-bounded",
                     "delta-below-1"}      # delta is a symbol: 0 < delta < 1 stays a hypothesis
    # the chain's own facts discharge these: the softmax constant the perturbation lemma uses is the one
    # the softmax lemma proves, the class is Lipschitz in its parameters, the outputs are bounded
    assert not open_ & {"softmax-lipschitz", "lipschitz-in-parameters", "output-bounded",
                        "alpha-nonnegative", "alpha-below-upper-limit", "monotone-context"}, open_


# -- the theorem against the spec oracle (MATH.md section 5, written independently) ------------------

@pytest.mark.lemma("truong-theorem")
@pytest.mark.lemma("truong-theorem[sharp-softmax]")
@given(params=S.parameter_sets(), variant=st.sampled_from(["default", "sharp-softmax"]),
       dps=st.sampled_from([30, 50]))
def test_theorem_lemma_equals_spec(params, variant, dps):
    lem = lemmas.get(LEMMA_NAME[variant])
    assert lem is derive.theorem(variant).lemma
    got = rhs_at(lem, {k: v for k, v in params.items() if k != "T"}, dps=dps)
    want = O.rademacher_bound_spec(params, dps=dps + 10, softmax_const=SOFTMAX_CONST[variant])["value"]
    assert _close(got, want, dps), (got, want)


@pytest.mark.lemma("truong-theorem[dudley-half]")
@given(params=S.parameter_sets(), dps=st.sampled_from([30, 50]))
@settings(max_examples=scaled(10))
def test_dudley_half_variant_against_MATH_md(params, dps):
    """Section 7's variant: the integral stops at B_f/2; each block by the oracle's quadrature."""
    lem = lemmas.get("truong-theorem[dudley-half]")
    assert lem is derive.theorem("dudley-half").lemma
    got = rhs_at(lem, {k: v for k, v in params.items() if k != "T"}, dps=dps)
    with mpmath.workdps(dps + 20):
        P = {k: mpmath.mpf(v) for k, v in params.items()}     # exact: n may exceed 2^53
        B_f_ = P["L_sigma"] * P["B_w"] * P["B_V"] * P["B_X"]
        blocks = [(P["k"], 9 * B_f_), ((P["d"] + P["k"] + 1) * P["r_v"], 27 * B_f_),
                  ((2 * P["d"] + 1) * P["r_w"], 54 * B_f_ * P["B_X"] ** 2 * P["B_QK"])]
        total = mpmath.fsum(O.dudley_logplus_integral_gammainc(D, C, B_f_ / 2, dps=dps + 20) for D, C in blocks)
        want = 2 * 12 * P["L_loss"] / mpmath.sqrt(P["n"]) * total \
            + 3 * P["c"] * mpmath.sqrt(mpmath.log(2 / P["delta"]) / (2 * P["n"]))
    assert _close(got, want, dps), (got, want)


@given(params=S.parameter_sets(max_dimension=64), variant=st.sampled_from(["default", "sharp-softmax"]),
       dps=st.sampled_from([30, 50]))
@settings(max_examples=scaled(4))
def test_stepwise_chain_agrees_with_the_final_value(params, variant, dps):
    """Every step of the chain evaluated on its own (integrals by quadrature): the equality steps agree
    with the final value to dps digits and the inequality steps never decrease."""
    p = numeric.Params(params)
    steps = numeric.stepwise(p, dps=dps, variant=variant)
    final = numeric.evaluate(p, dps=dps, variant=variant).value
    assert steps, "no numeric step"
    assert steps[-1][2] == "=" and [s[1] for s in steps[-3:]] == ["logplus-sqrt-integral"] * 3
    for (_, name, rel, v), (_, _, rel2, v2) in zip(steps, steps[1:]):
        if rel2 == "=":
            assert _close(v, v2, dps), (name, v, v2)
        else:
            with mpmath.workdps(dps + 10):
                assert v <= v2 * (1 + mpmath.mpf(10) ** (1 - dps)), (name, v, v2)
    assert _close(steps[-1][3], final, dps)


# -- the derived covering lemma of the class ---------------------------------------------------------

COVER = lemmas.get("transformer-covering")


def _forward_many(Xs, xcls, W_QK, W_V, w, L):
    return np.array([O.transformer_forward(X, W_QK, W_V, w, xc, lambda a: np.tanh(L * a))
                     for X, xc in zip(Xs, xcls)])


def _cover_rhs(vals, eps):
    return float(rhs_at(COVER, {**{k: v for k, v in vals.items()}, "epsilon": eps}))


@pytest.mark.lemma("transformer-covering")
@pytest.mark.parametrize("d,k", [(1, 1), (2, 1), (2, 2)])
def test_transformer_covering_packing_lower_bound(d, k):
    """Outputs of random members of a tiny class on 4 fixed inputs: a sup-norm packing at 2 eps proves
    N(eps) >= M, so the lemma's bound must be >= log M."""
    rng = np.random.default_rng(10 * d + k)
    vals = dict(d=d, k=k, r_w=1, r_v=1, T=3, B_X=1.5, B_w=1.0, B_V=1.2, B_QK=2.0, L_sigma=1.0)
    Xs = [O._random_tokens(rng, 3, d, vals["B_X"]) for _ in range(4)]
    xcls = [X[0] for X in Xs]
    outs = []
    for _ in range(1500):
        th = O._random_theta(rng, d, k, 1, 1, vals["B_w"], vals["B_V"], vals["B_QK"])
        outs.append(_forward_many(Xs, xcls, th["W_QK"], th["W_V"], th["w"], 1.0))
    outs = np.array(outs)
    for eps in (0.02, 0.1, 0.5):
        M = len(O.greedy_packing(outs, 2 * eps, "sup"))
        assert M >= 1
        assert math.log(M) <= _cover_rhs(vals, eps)


@pytest.mark.lemma("transformer-covering")
@given(seed=st.integers(0, 2**32 - 1), eps=st.floats(0.05, 1.0),
       radii=st.tuples(*[st.floats(0.3, 2.0)] * 4), L=st.sampled_from([0.5, 1.0, 2.0]))
@settings(max_examples=scaled(10))
def test_transformer_covering_product_net(seed, eps, radii, L):
    """d = k = r = 1: the parameter blocks are intervals.  Grid nets at the scales of the chain's own
    parameter-cover step (read from the derivation) cover the class at eps on random inputs of any
    length, and the product's size is within the lemma's bound."""
    B_X, B_w, B_V, B_QK = radii
    vals = dict(d=1, k=1, r_w=1, r_v=1, T=1, B_X=B_X, B_w=B_w, B_V=B_V, B_QK=B_QK, L_sigma=L)
    cov = derive.theorem().covering
    (step,) = [s for s in cov.steps if s.lemma.name == "lipschitz-parameter-cover"]
    sub = {getattr(Sy, k2): v for k2, v in vals.items()}
    sub[Sy.eps] = eps
    nets = {}
    for atom_ in step.instance.conclusion.rhs.atoms(CoveringNumber):
        pset, scale = atom_.args[0], float(atom_.args[1].xreplace(sub))
        radius = pset.args[-1]                     # the symbolic radius names the block: B_w, B_V, B_QK
        R = float(radius.xreplace(sub))
        m = max(1, math.ceil(R / scale))
        nets[str(radius)] = -R + (2 * np.arange(m) + 1) * (R / m)
    assert sorted(nets) == ["B_QK", "B_V", "B_w"]
    g_w, g_V, g_QK = nets["B_w"], nets["B_V"], nets["B_QK"]
    assert math.log(len(g_w) * len(g_V) * len(g_QK)) <= _cover_rhs(vals, eps) * (1 + 1e-12)
    rng = np.random.default_rng(seed)
    for _ in range(40):
        T = int(rng.choice([1, 2, 7, 300]))
        X = rng.uniform(-B_X, B_X, size=(T, 1))
        X[0, 0] = B_X * rng.choice([-1.0, 1.0])
        xc = np.array([B_X * rng.choice([-1.0, 1.0])])
        th = (rng.uniform(-B_QK, B_QK), rng.uniform(-B_V, B_V), rng.uniform(-B_w, B_w))
        hat = tuple(g[np.argmin(np.abs(g - x))] for g, x in zip((g_QK, g_V, g_w), th))
        f1 = O.transformer_forward(X, np.array([[th[0]]]), np.array([[th[1]]]), np.array([th[2]]), xc,
                                   lambda a: np.tanh(L * a))
        f2 = O.transformer_forward(X, np.array([[hat[0]]]), np.array([[hat[1]]]), np.array([hat[2]]), xc,
                                   lambda a: np.tanh(L * a))
        assert abs(f1 - f2) <= eps * (1 + 1e-9)


@pytest.mark.lemma("transformer-covering[sharp-softmax]")
@pytest.mark.lemma("transformer-covering[dudley-half]")
@pytest.mark.parametrize("variant,qk", [("sharp-softmax", 27), ("dudley-half", 54)])
def test_variant_covering_lemmas(variant, qk):
    """The variants' covering lemmas: MATH.md's entropy with the QK constant 27 (sharp) or 54, and the
    same packing lower bound as above."""
    th = derive.theorem(variant)
    lem = lemmas.get(f"transformer-covering[{variant}]")
    assert lem is th.covering_lemma
    vals = dict(d=2, k=1, r_w=1, r_v=1, B_X=1.5, B_w=1.0, B_V=1.2, B_QK=2.0, L_sigma=1.0)
    for eps in (0.01, 0.3, 3.0, 300.0):
        got = rhs_at(lem, {**vals, "epsilon": eps})
        B_f_ = 1.0 * 1.0 * 1.2 * 1.5
        lp = lambda x: max(0.0, math.log(x))     # noqa: E731
        want = 1 * lp(9 * B_f_ / eps) + (2 + 1 + 1) * lp(27 * B_f_ / eps) + 5 * lp(qk * B_f_ * 1.5 ** 2 * 2.0 / eps)
        assert float(got) == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_constant_overrides_rescale_exactly():
    """c_dudley = 24 doubles the Rademacher term (the confidence term stays), to the requested digits; the
    what-if c_dudley = 6 halves it and says it is not a theorem."""
    p = numeric.Params.from_preset("small")
    a = numeric.evaluate(p, dps=40)
    b = numeric.evaluate(p, dps=40, constants={"c_dudley": 24})
    assert _close(a.rademacher, b.rademacher, 40, factor=2)
    assert _close(b.confidence, a.confidence, 40)
    th = derive.theorem(constants={"c_dudley": 24})
    assert th.lemma.name.startswith("truong-theorem[") and th.lemma.source.kind == "derived" and th.is_theorem
    w = numeric.evaluate(p, dps=40, constants={"c_dudley": 6}, what_if=True)
    assert _close(w.rademacher, a.rademacher, 40, factor=2)
    assert not w.is_theorem and w.to_json()["theorem"] is False and "not a theorem" in w.to_json()["status"]
