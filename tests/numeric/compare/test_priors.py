"""The prior-bound lemmas (lemmas/prior.py), the rebuilt Edelman-type bound and its structural claims.

Each lemma's right side is instantiated from the registered lemma (constants at their
defaults) and compared with an independent computation: packings, Maurey's sampling
construction, quadrature and golden-section minimisation, random transformer instances.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lemmas
import lemmas.prior as P
from numeric import evaluate, evaluate_lemma

seeds = st.integers(0, 2**32 - 1)


def rhs(lemma, values, dps=30):
    """The lemma's right side at ``values`` (by parameter name), constants at their defaults."""
    vals = {lemma.param(k) if isinstance(k, str) else k: v for k, v in values.items()}
    return evaluate_lemma(lemma, vals, dps=dps)


# -- zhang-linear-cover-l2 ------------------------------------------------------------------------------
def _greedy_sup_packing(V, radius):
    """Indices of a greedy subset of the rows of V pairwise > radius apart in sup norm."""
    chosen = []
    for i in range(len(V)):
        if not chosen or np.min(np.max(np.abs(V[chosen] - V[i]), axis=1)) > radius:
            chosen.append(i)
    return chosen


@pytest.mark.lemma("zhang-linear-cover-l2")
@settings(max_examples=15)
@given(seed=seeds, dim=st.integers(1, 3), N=st.integers(1, 5), a=st.floats(0.1, 10), b=st.floats(0.1, 10),
       frac=st.floats(0.05, 1.0))
def test_zhang_theorem4_dominates_a_packing(seed, dim, N, a, b, frac):
    """A 2 eps-separated set of the class's value vectors needs one cover point each: log M <= bound."""
    rng = np.random.default_rng(seed)
    eps = frac * a * b
    X = rng.standard_normal((N, dim))
    X *= (b * rng.uniform(0.5, 1.0, size=(N, 1))) / np.linalg.norm(X, axis=1, keepdims=True)
    W = rng.standard_normal((400, dim))
    W *= (a * rng.uniform(0, 1, size=(400, 1)) ** (1 / dim)) / np.linalg.norm(W, axis=1, keepdims=True)
    V = W @ X.T
    M = len(_greedy_sup_packing(V, 2 * eps))
    bound = rhs(P.ZHANG_LINEAR_COVER_L2, {"a": a, "b": b, "N": N, "epsilon": eps})
    assert math.log(M) <= bound
    # the right side is Zhang's formula (typed here independently, natural logs on both sides)
    q = Fraction(a) * Fraction(b) / Fraction(eps)          # exact, as the lemma sees the float inputs
    ref = 36 * float(q) ** 2 * math.log(2 * math.ceil(4 * q + 2) * N + 1)
    assert float(bound) == pytest.approx(ref, rel=1e-9)


# -- zhang-maurey-cover ----------------------------------------------------------------------------------
@pytest.mark.lemma("zhang-maurey-cover")
@settings(max_examples=20)
@given(seed=seeds, m=st.integers(1, 40), npts=st.integers(1, 30), a=st.floats(0.1, 10), b=st.floats(0.1, 10),
       frac=st.floats(0.2, 1.0), kind=st.sampled_from(["dense", "sparse", "interior"]))
def test_maurey_construction_reaches_eps_with_the_lemmas_count(seed, m, npts, a, b, frac, kind):
    """Maurey: an average of K = ceil(a^2 b^2/eps^2) draws from {0, +-a e_i} is within eps in L2(S)."""
    rng = np.random.default_rng(seed)
    eps = frac * a * b
    bound = rhs(P.ZHANG_MAUREY_COVER, {"a": a, "b": b, "m": m, "epsilon": eps})
    K = int(round(float(bound) / math.log(2 * m + 1)))          # the count the lemma pays for
    q = Fraction(a) * Fraction(b) / Fraction(eps)             # exact, as the lemma sees the float inputs
    assert K == math.ceil(q * q)
    w = rng.standard_normal(m) if kind != "sparse" else np.eye(m)[0] * rng.choice([-1, 1])
    w *= a / np.sum(np.abs(w)) * (rng.uniform(0.3, 1.0) if kind == "interior" else 1.0)
    X = rng.choice([-b, b], size=(npts, m)) * (rng.uniform(0.5, 1, size=(npts, m)) if kind == "interior" else 1)
    probs = np.append(np.abs(w) / a, max(0.0, 1 - np.sum(np.abs(w)) / a))
    probs /= probs.sum()
    atoms = np.vstack([np.diag(a * np.sign(w + (w == 0))), np.zeros((1, m))])
    best = np.inf
    for _ in range(40):
        idx = rng.choice(m + 1, size=K, p=probs)
        w_hat = atoms[idx].mean(axis=0)
        err = math.sqrt(np.mean((X @ (w - w_hat)) ** 2))
        best = min(best, err)
    assert best <= eps * (1 + 1e-9)


# -- ceiling-le-plus-one, cover-L2S-by-supS ---------------------------------------------------------------
@pytest.mark.lemma("ceiling-le-plus-one")
@given(st.one_of(st.fractions(), st.floats(-1e9, 1e9, allow_nan=False).map(Fraction)))
def test_ceiling_le_plus_one(x):
    inst = P.CEILING_LE_PLUS_ONE.instantiate({"x": sympy.Rational(x.numerator, x.denominator)})
    assert lemmas.truth(inst.conclusion) is True
    assert math.ceil(x) <= x + 1
    v = rhs(P.CEILING_LE_PLUS_ONE, {"x": sympy.Rational(x.numerator, x.denominator)})
    with mpmath.workdps(40):
        assert abs(v - (mpmath.mpf(x.numerator) / x.denominator + 1)) <= mpmath.mpf(10) ** -25 * (1 + abs(v))


@pytest.mark.lemma("cover-L2S-by-supS")
@given(seed=seeds, n=st.integers(1, 50), nfun=st.integers(1, 60), eps=st.floats(0.01, 2.0))
def test_a_sup_net_on_the_sample_is_an_L2S_net(seed, n, nfun, eps):
    rng = np.random.default_rng(seed)
    Fv = rng.uniform(-1, 1, size=(nfun, n))            # a finite class, as its values on the n sample points
    net = Fv[_greedy_sup_packing(Fv, eps)]             # a maximal eps-separated set is an eps-net in sup norm
    for f in Fv:
        sup = np.min(np.max(np.abs(net - f), axis=1))
        l2 = np.min(np.sqrt(np.mean((net - f) ** 2, axis=1)))
        assert sup <= eps and l2 <= sup + 1e-15
    N_sup = len(net)
    assert float(rhs(P.COVER_L2S_BY_SUPS, {lemmas.objects.CoveringNumber(sympy.Symbol("F"), sympy.Symbol(
        "epsilon", positive=True), P.SUP_S, 0): N_sup})) == pytest.approx(math.log(N_sup))


# -- dudley-inverse-square ---------------------------------------------------------------------------------
def _golden_min(f, lo, hi, iters=60):
    g = (mpmath.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    for _ in range(iters):
        if f(c) < f(d):
            b = d
        else:
            a = c
        c, d = b - g * (b - a), a + g * (b - a)
    return (a + b) / 2


@pytest.mark.lemma("dudley-inverse-square")
@settings(max_examples=8)
@given(n=st.integers(10, 10**12), K=st.floats(0.01, 100), b=st.floats(0.01, 100))
@example(n=10**6, K=10.0, b=1.0)
def test_dudley_inverse_square_is_the_minimum_over_alpha(n, K, b):
    if 3 * K / math.sqrt(n) > b:
        return      # outside the hypothesis alpha* <= b (checked to be refused below)
    with mpmath.workdps(20):
        Km, bm, nm = mpmath.mpf(K), mpmath.mpf(b), mpmath.mpf(n)

        def dudley(alpha):   # 4 alpha + 12/sqrt(n) int_alpha^b sqrt(K^2/eps^2), by quadrature
            return 4 * alpha + 12 / mpmath.sqrt(nm) * mpmath.quad(lambda e: Km / e, [alpha, bm])

        a_star = _golden_min(dudley, bm * mpmath.mpf(10) ** -12, bm)
        best = dudley(a_star)
        val = rhs(P.DUDLEY_INVERSE_SQUARE, {"n": n, "K": K, "b": b})
        assert abs(best - val) <= mpmath.mpf(10) ** -12 * val
        assert best >= val * (1 - mpmath.mpf(10) ** -15)     # the closed form is the minimum
        assert abs(a_star - 3 * Km / mpmath.sqrt(nm)) <= mpmath.mpf(10) ** -6 * bm


def test_dudley_inverse_square_refuses_alpha_above_b():
    from derive.engine import Derivation, HypothesisRefused
    from lemmas.objects import RademacherComplexity
    F = sympy.Symbol("F")
    der = Derivation("t", RademacherComplexity(F, 100))
    with pytest.raises(HypothesisRefused):
        der.apply("dudley-inverse-square", F=F, n=100, K=10, b=1)


# -- edelman-layer-cover -----------------------------------------------------------------------------------
def _softmax(u):
    e = np.exp(u - u.max())
    return e / e.sum()


@pytest.mark.lemma("edelman-layer-cover")
@settings(max_examples=40)
@given(seed=seeds, T=st.integers(1, 40), d=st.integers(1, 12), k=st.integers(1, 8),
       B_X=st.floats(0.2, 3), B_w=st.floats(0.2, 3), B_V=st.floats(0.2, 3), B_QK=st.floats(0.2, 3),
       scale=st.floats(1e-4, 1.0), mode=st.sampled_from(["random", "adversarial"]),
       act=st.sampled_from(["tanh", "relu2"]))
def test_layer_cover_error_propagation(seed, T, d, k, B_X, B_w, B_V, B_QK, scale, mode, act):
    """|f - f^| <= B_w L_s (sqrt(k) eps_v + c_sm B_V B_X eps_s) + eps_w, and ||sigma(a^)|| <= the readout radius."""
    rng = np.random.default_rng(seed)
    L_s = 1.0 if act == "tanh" else 2.0
    sigma = np.tanh if act == "tanh" else (lambda z: 2 * np.maximum(z, 0))
    X = rng.standard_normal((T, d))
    X *= B_X * rng.uniform(0.5, 1, size=(T, 1)) / np.linalg.norm(X, axis=1, keepdims=True)
    x_cls = X[0]
    W_QK = rng.standard_normal((d, d)); W_QK *= B_QK / np.linalg.norm(W_QK)
    W_V = rng.standard_normal((d, k)); W_V *= B_V / np.linalg.norm(W_V)
    w = rng.standard_normal(k); w *= B_w / np.linalg.norm(w)
    s = X @ W_QK.T @ x_cls
    V = X @ W_V                                          # rows v_t
    a = V.T @ _softmax(s)
    f = w @ sigma(a)
    eps_s, eps_v = scale * rng.uniform(0.1, 1), scale * rng.uniform(0.1, 1)
    if mode == "adversarial":                            # push the scores of the heaviest tokens, saturate noise
        ds = eps_s * np.sign(V @ w + 1e-300) * np.where(rng.uniform(size=T) < 0.5, 1, -1)
        dV = eps_v * np.sign(rng.standard_normal((T, k)))
    else:
        ds = rng.uniform(-eps_s, eps_s, size=T)
        dV = rng.uniform(-eps_v, eps_v, size=(T, k))
    s_hat, V_hat = s + ds, V + dV
    a_hat = V_hat.T @ _softmax(s_hat)
    w_hat = w + rng.uniform(-scale, scale, size=k)
    f_hat = w_hat @ sigma(a_hat)
    eps_w = abs((w - w_hat) @ sigma(a_hat))              # what the readout cover guarantees, realised
    c_sm = lemmas.get("edelman-layer-cover").constant("c_sm").default
    eps_a = math.sqrt(k) * eps_v + c_sm * B_V * B_X * eps_s
    assert np.linalg.norm(a - a_hat) <= eps_a * (1 + 1e-9) + 1e-15
    assert abs(f - f_hat) <= B_w * L_s * eps_a + eps_w + 1e-12
    assert np.linalg.norm(sigma(a_hat)) <= L_s * (B_V * B_X + np.linalg.norm(a - a_hat)) + 1e-12


@pytest.mark.lemma("edelman-layer-cover")
def test_layer_cover_scales_add_up_to_eps():
    """The lemma's own cover scales: B_w L_s (sqrt(k) eps_v + c_sm B_V B_X eps_s) + eps_w = eps."""
    lem = lemmas.get("edelman-layer-cover")
    inst = lem.instantiate({}, None)
    covers = [a.args[0] for a in sympy.Add.make_args(inst.conclusion.rhs)]
    scales = {str(N.args[0].args[2]): N.args[1] for N in covers}   # keyed by the feature radius
    from lemmas.symbols import B_QK, B_V, B_X, B_w, L_sigma, eps, k
    e_s, e_v = scales[str(B_X ** 2)], scales[str(B_X)]
    (e_w,) = [v for key, v in scales.items() if key not in (str(B_X ** 2), str(B_X))]
    total = B_w * L_sigma * (sympy.sqrt(k) * e_v + 2 * B_V * B_X * e_s) + e_w
    t = sympy.symbols("t_s t_v t_w", positive=True)
    assert sympy.simplify(total.subs(t[2], 1 - t[0] - t[1]) - eps) == 0


# -- the rebuilt Edelman-type bound ---------------------------------------------------------------------
@pytest.mark.lemma("edelman-rebuilt")
def test_rebuilt_edelman_optimal_alpha_and_arb_enclosure():
    from numeric.compare.priors import certified_prior, evaluate_prior, prior_value_at
    ev = evaluate_prior("edelman", {"n": 10**10}, dps=25)
    assert not ev.alpha_at_upper and 0 < ev.alpha < ev.b
    with mpmath.workdps(40):
        for factor in ("0.9", "1.1", "0.5", "2"):
            other = prior_value_at("edelman", ev.params, alpha=ev.alpha * mpmath.mpf(factor))[0]
            assert other > ev.value
    alpha = Fraction(mpmath.nstr(ev.alpha, 25))
    cv = certified_prior("edelman", {"n": 10**10}, alpha, dps=20)
    with mpmath.workdps(45):       # mpmath quadrature at 45 digits, same alpha: inside the Arb enclosure
        v45 = prior_value_at("edelman", ev.params, alpha=alpha)[0]
    assert cv.certified and cv.contains(v45)
    assert abs(Fraction(mpmath.nstr(ev.value, 25)) - cv.mid) <= Fraction(1, 10**22)
    # the registered lemma evaluates at its example point (alpha = 1/2) by quadrature
    lem = lemmas.get("edelman-rebuilt")
    with mpmath.workdps(20):
        v = evaluate_lemma(lem, dps=15)
        assert v == pytest.approx(float(prior_value_at("edelman", ev.params.replace(n=10**6),
                                                        alpha=Fraction(1, 2))[0]), rel=1e-12)


def test_rebuilt_edelman_structure():
    """The rebuilt Edelman-type Rademacher term decays as log(n)^(3/2)/sqrt(n), grows with T; ours is c/sqrt(n).

    Zhang's entropy carries log(N/eps) with N = n T, and Dudley integrates sqrt(log(n/eps))/eps from
    alpha ~ 1/sqrt(n): that is (log n)^(3/2), not the log n one gets by holding the log factor fixed.
    """
    from numeric.compare.priors import evaluate_prior
    r = {}
    for n in (10**20, 10**40):
        ev = evaluate_prior("edelman", {"n": n}, dps=15)
        r[n] = ev.rademacher * mpmath.sqrt(n)
    L = {n: mpmath.log(n) for n in r}
    r32 = {n: r[n] / L[n] ** mpmath.mpf(1.5) for n in r}
    r1 = {n: r[n] / L[n] for n in r}
    assert abs(r32[10**40] / r32[10**20] - 1) < 0.2          # log^(3/2) n / sqrt(n), up to a slow drift
    assert r1[10**40] / r1[10**20] > 1.4                     # log n / sqrt(n) is not its rate
    growth = [evaluate_prior("edelman", {"n": 10**12, "T": T}, dps=15).value for T in (16, 512, 10**6)]
    assert growth[0] < growth[1] < growth[2]
    ours = [evaluate({"n": n}, dps=20).rademacher * mpmath.sqrt(n) for n in (10**4, 10**12)]
    assert abs(ours[0] - ours[1]) <= mpmath.mpf(10) ** -15 * ours[0]
    assert evaluate({"n": 10**12, "T": 16}, dps=20).value == evaluate({"n": 10**12, "T": 10**6}, dps=20).value


# -- Trauger-Tewari-type: Maurey nets of l1 balls, the perturbation lemma with l1 radii ------------------
@pytest.mark.lemma("maurey-l1-ball-net")
@settings(max_examples=20)
@given(seed=seeds, m1=st.integers(1, 12), m2=st.integers(1, 12), M=st.floats(0.1, 10), frac=st.floats(0.15, 1.0),
       kind=st.sampled_from(["dense", "sparse", "interior"]))
def test_maurey_net_is_internal_and_within_eps(seed, m1, m2, M, frac, kind):
    rng = np.random.default_rng(seed)
    eps = frac * M
    bound = rhs(P.MAUREY_L1_BALL_NET, {"m_1": m1, "m_2": m2, "M": M, "epsilon": eps})
    m = m1 * m2
    K = int(round(float(bound) / math.log(2 * m + 1)))
    q = Fraction(M) / Fraction(eps)
    assert K == math.ceil(q * q)
    W = rng.standard_normal(m) if kind != "sparse" else np.eye(m)[int(rng.integers(0, m))]
    W *= M / np.sum(np.abs(W)) * (rng.uniform(0.2, 1.0) if kind == "interior" else 1.0)
    probs = np.append(np.abs(W) / M, max(0.0, 1 - np.sum(np.abs(W)) / M))
    probs /= probs.sum()
    atoms = np.vstack([np.diag(M * np.where(W < 0, -1.0, 1.0)), np.zeros((1, m))])
    best = np.inf
    for _ in range(40):
        avg = atoms[rng.choice(m + 1, size=K, p=probs)].mean(axis=0)
        assert np.sum(np.abs(avg)) <= M * (1 + 1e-12)          # internal: the average stays in the ball
        best = min(best, float(np.linalg.norm(W - avg)))
    assert best <= eps * (1 + 1e-9)


@pytest.mark.lemma("tt-perturbation")
@settings(max_examples=40)
@given(seed=seeds, d=st.integers(1, 8), k=st.integers(1, 6), T=st.integers(1, 24), B_X=st.floats(0.2, 3),
       mode=st.sampled_from(["generic", "perturb", "saturated", "aligned"]))
def test_tt_perturbation_with_l1_radii(seed, d, k, T, B_X, mode):
    import oracles as O
    rng = np.random.default_rng(seed)
    inst = O.random_transformer_instance(rng, d, k, T, min(d, 3), min(d, k, 3), B_X, 1.0, 1.0, 1.0, mode=mode)
    th, th2 = inst["theta"], inst["theta2"]
    M_w = max(np.sum(np.abs(th["w"])), np.sum(np.abs(th2["w"])))
    M_V = max(np.sum(np.abs(th["W_V"])), np.sum(np.abs(th2["W_V"])))
    f1 = O.transformer_forward(inst["X"], th["W_QK"], th["W_V"], th["w"], inst["x_cls"])
    f2 = O.transformer_forward(inst["X"], th2["W_QK"], th2["W_V"], th2["w"], inst["x_cls"])
    from lemmas.objects import Distance, Tag
    val = rhs(P.TT_PERTURBATION, {"L_sigma": 1, "M_w": M_w, "M_V": M_V, "B_X": inst["B_X"],
                                  Distance(Tag("w"), Tag("l2")): float(np.linalg.norm(th["w"] - th2["w"])),
                                  Distance(Tag("W_V"), Tag("spec")): float(np.linalg.norm(th["W_V"] - th2["W_V"], 2)),
                                  Distance(Tag("W_QK"), Tag("spec")): float(np.linalg.norm(th["W_QK"] - th2["W_QK"], 2))})
    assert abs(f1 - f2) <= float(val) * (1 + 1e-9) + 1e-12


def test_rebuilt_tt_structure():
    """TT: value sqrt(n) is asymptotically affine in log n (the log n / sqrt(n) rate), and free of T."""
    from numeric.compare.priors import evaluate_prior
    ns = (10**30, 10**60, 10**90)
    s = [evaluate_prior("trauger-tewari", {"n": n}, dps=15).rademacher * mpmath.sqrt(n) for n in ns]
    slope1 = (s[1] - s[0]) / (mpmath.log(ns[1]) - mpmath.log(ns[0]))
    slope2 = (s[2] - s[1]) / (mpmath.log(ns[2]) - mpmath.log(ns[1]))
    assert abs(slope2 / slope1 - 1) < 0.02
    from derive.prior import prior
    from lemmas.symbols import T
    assert not prior("trauger-tewari").bound.has(T) and prior("edelman").bound.has(T)
    v = [evaluate_prior("trauger-tewari", {"n": 10**12, "T": T_}, dps=15).value for T_ in (16, 10**6)]
    assert v[0] == v[1]


@pytest.mark.lemma("trauger-tewari-rebuilt")
def test_rebuilt_tt_optimal_alpha_and_arb_enclosure():
    from numeric.compare.crossover import prior_enclosure
    from numeric.compare.priors import evaluate_prior, prior_value_at
    ev = evaluate_prior("trauger-tewari", {"n": 10**30}, dps=20)
    assert not ev.alpha_at_upper
    with mpmath.workdps(35):
        for factor in ("0.8", "1.25"):
            assert prior_value_at("trauger-tewari", ev.params, alpha=ev.alpha * mpmath.mpf(factor))[0] > ev.value
    with mpmath.workdps(45):
        v45 = prior_value_at("trauger-tewari", ev.params)[0]
    cv = prior_enclosure("trauger-tewari", {"n": 10**30}, dps=15)
    assert cv.certified and cv.contains(v45)
    from derive.prior import prior
    lem = prior("trauger-tewari").lemma
    assert lem.name == "trauger-tewari-rebuilt" and lem.source.kind == "derived"
    assert float(evaluate_lemma(lem, dps=15)) == pytest.approx(float(prior_value_at(
        "trauger-tewari", ev.params.replace(n=10**6), alpha=Fraction(1, 2))[0]), rel=1e-12)
