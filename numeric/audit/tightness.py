"""Tightness: how much slack each step of the chain leaves, measured on real instances.

Every row compares a bound with a *lower* estimate of the quantity it bounds:

- covering numbers: the bound of a registered lemma against the size of a greedy
  2 eps-packing of the class restricted to a random sample of inputs (members
  pairwise more than 2 eps apart need distinct eps-balls, so ``log |packing|``
  is a lower bound on ``log N``);
- Rademacher complexity: the composed Dudley bound on ``R_S(F)`` against Monte
  Carlo estimates of the empirical Rademacher complexity of the transformer
  class on a random sample: for each sign draw the supremum over ``Theta`` is
  bounded below by the best of a few restarts of projected finite-difference
  gradient ascent (the readout ``w`` is optimised exactly), so each draw's
  value is a lower bound and the mean estimates a lower bound of ``R_S(F)``;
  reported with a 95% normal confidence interval;
- softmax and perturbation constants: the worst ratio found by random search
  with hill climbing, against the constant used.

Everything is seeded (``numpy.random.default_rng(seed)``): the same seed gives
the same table.  Small dimensions only; this runs only on request
(``rankbound audit --tightness``).

Examples
--------
>>> from numeric.audit.tightness import softmax_ratio
>>> row = softmax_ratio(seed=0, budget=200)
>>> 0.5 < row.lower <= 1.0 + 1e-12
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath
import numpy as np

import lemmas

from numeric.evaluate import evaluate_lemma
from numeric.audit.slips.arenas import perturbation as perturbation_arena
from numeric.audit.slips.transformer import build_instance, forward, forward_mp, shrink_to

__all__ = ["Row", "Table", "tightness_table", "covering_linear", "covering_vector", "softmax_ratio",
           "perturbation_ratio", "rademacher_mc", "greedy_packing_size", "mc_objective"]


@dataclass(frozen=True)
class Row:
    step: str
    bound: float
    lower: float
    detail: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.bound / self.lower if self.lower > 0 else math.inf

    def to_json(self) -> dict:
        return {"step": self.step, "bound": self.bound, "lower": self.lower, "ratio": self.ratio,
                "detail": self.detail}


@dataclass(frozen=True)
class Table:
    rows: tuple
    seed: int

    def to_json(self) -> dict:
        return {"seed": self.seed, "rows": [r.to_json() for r in self.rows]}

    def text(self) -> str:
        w = max(len(r.step) for r in self.rows)
        out = [f"{'step':<{w}} {'bound':>10} {'best lower':>11} {'ratio':>7}"]
        for r in self.rows:
            out.append(f"{r.step:<{w}} {r.bound:>10.6g} {r.lower:>11.6g} {r.ratio:>7.3g}")
        return "\n".join(out)


# -- packings ------------------------------------------------------------------------------------------

def greedy_packing_size(V: np.ndarray, sep: float) -> int:
    """Size of a greedy maximal subset with pairwise distances > sep; V is (M, n, m): distance = max over
    the n sample points of the Euclidean distance of the m outputs (the sup norm over the sample)."""
    remaining = np.arange(len(V))
    count = 0
    while remaining.size:
        i = remaining[0]
        count += 1
        rest = remaining[1:]
        if not rest.size:
            break
        dist = np.max(np.linalg.norm(V[rest] - V[i], axis=-1), axis=-1)
        remaining = rest[dist > sep]
    return count


def _ball_points(rng, M, dim, R):
    G = rng.standard_normal((M, dim))
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    return G * (R * rng.uniform(size=M) ** (1.0 / dim))[:, None]


def covering_linear(d1=2, d2=2, r=1, B_W=1.0, B_x=1.0, eps=0.25, n_inputs=8, members=3000, seed=0) -> Row:
    """L1 (linear-cover-frobenius) against a greedy packing of the class restricted to n_inputs random inputs."""
    rng = np.random.default_rng(seed)
    X = _ball_points(rng, n_inputs, d2, B_x)
    X[0] *= B_x / np.linalg.norm(X[0])
    A = rng.standard_normal((members, d1, r)) @ rng.standard_normal((members, r, d2))
    A /= np.linalg.norm(A, axis=(1, 2), keepdims=True)
    A *= (B_W * rng.uniform(size=members) ** (1.0 / (d1 * r + d2 * r)))[:, None, None]
    V = np.einsum("mij,nj->mni", A, X)
    P = greedy_packing_size(V, 2 * eps)
    lem = lemmas.get("linear-cover-frobenius")
    vals = {lem.param(k): v for k, v in dict(d_1=d1, d_2=d2, r=r, B_W=B_W, B_x=B_x, epsilon=eps).items()}
    bound = float(evaluate_lemma(lem, vals, dps=20))
    return Row(f"covering L1 linear-cover-frobenius (d1={d1}, d2={d2}, r={r}, eps={eps})", bound,
               math.log(P), {"packing_size": P, "n_inputs": n_inputs, "members": members, "seed": seed,
                             "quantity": "log N_inf"})


def covering_vector(k=2, B_w=1.0, B_z=1.0, eps=0.2, n_inputs=8, members=3000, seed=0) -> Row:
    """L5 (linear-cover-vector) against a greedy packing restricted to n_inputs random inputs."""
    rng = np.random.default_rng(seed)
    Z = _ball_points(rng, n_inputs, k, B_z)
    Z[0] *= B_z / np.linalg.norm(Z[0])
    W = _ball_points(rng, members, k, B_w)
    V = (W @ Z.T)[:, :, None]
    P = greedy_packing_size(V, 2 * eps)
    lem = lemmas.get("linear-cover-vector")
    vals = {lem.param(kk): v for kk, v in dict(k=k, B_W=B_w, B_z=B_z, epsilon=eps).items()}
    bound = float(evaluate_lemma(lem, vals, dps=20))
    return Row(f"covering L5 linear-cover-vector (k={k}, eps={eps})", bound, math.log(P),
               {"packing_size": P, "n_inputs": n_inputs, "members": members, "seed": seed, "quantity": "log N_inf"})


# -- softmax ----------------------------------------------------------------------------------------------

def _sm(u):
    e = np.exp(u - np.max(u))
    return e / e.sum()


def softmax_ratio(seed=0, budget=2000, constant=None) -> Row:
    """Worst ||softmax(u) - softmax(u')||_1 / ||u - u'||_inf found, against the softmax lemma's constant."""
    rng = np.random.default_rng(seed)

    def ratio(u, v):
        den = np.max(np.abs(u - v))
        return float(np.sum(np.abs(_sm(u) - _sm(v))) / den) if den > 0 else 0.0

    best, arg = 0.0, None
    restarts = max(1, budget // 50)
    for _ in range(restarts):
        T = int(rng.integers(2, 17))
        u = rng.normal(0, rng.choice([0.1, 1.0, 5.0]), T)
        v = u + rng.normal(0, 10 ** rng.uniform(-4, 0.5), T)
        cur = ratio(u, v)
        for _ in range(49):
            s = 10 ** rng.uniform(-3, 0)
            u2 = u + s * rng.normal(0, 1, T)
            v2 = v + s * rng.normal(0, 1, T)
            c2 = ratio(u2, v2)
            if c2 >= cur:
                u, v, cur = u2, v2, c2
        if cur > best:
            best, arg = cur, (u.tolist(), v.tolist())
    rows = []
    for name in ("softmax-lipschitz", "softmax-lipschitz-sharp") if constant is None else (constant,):
        c = float(lemmas.get(name).constants[0].default)
        rows.append((name, c))
    name, c = rows[0]
    return Row(f"softmax constant ({name}, c = {c:g})", c, best,
               {"worst_ratio": best, "witness": arg, "seed": seed, "budget": budget})


# -- perturbation ------------------------------------------------------------------------------------------------

def perturbation_ratio(seed=0, budget=600, softmax_const=2.0) -> Row:
    """Worst |f - f'| / RHS of the perturbation lemma over random and aligned instances (B_X in [0.25, 4])."""
    rng = np.random.default_rng(seed)
    best, arg = 0.0, None

    def ratio(p):
        inst = build_instance(p)
        t1, t2 = inst["theta"], inst["theta2"]
        lhs = abs(forward(inst["X"], inst["x_cls"], t1["W_QK"], t1["W_V"], t1["w"])
                  - forward(inst["X"], inst["x_cls"], t2["W_QK"], t2["W_V"], t2["w"]))
        dw = np.linalg.norm(t1["w"] - t2["w"])
        dV = np.linalg.norm(t1["W_V"] - t2["W_V"], 2)
        dQ = np.linalg.norm(t1["W_QK"] - t2["W_QK"], 2)
        rhs = (p["B_V"] * p["B_X"] * dw + p["B_w"] * p["B_X"] * dV
               + softmax_const * p["B_w"] * p["B_V"] * p["B_X"] ** 3 * dQ)
        return lhs / rhs if rhs > 0 else 0.0

    def ratio_mp(p):
        # re-evaluated at 50 digits: at tiny moves the float64 difference of outputs cancels
        inst = build_instance(p)
        t1, t2 = inst["theta"], inst["theta2"]
        with mpmath.workdps(50):
            lhs = abs(forward_mp(inst["X"], inst["x_cls"], t1["W_QK"], t1["W_V"], t1["w"])
                      - forward_mp(inst["X"], inst["x_cls"], t2["W_QK"], t2["W_V"], t2["w"]))
            nv = lambda a, b: mpmath.sqrt(mpmath.fsum((mpmath.mpf(float(x)) - mpmath.mpf(float(y))) ** 2
                                                      for x, y in zip(a, b)))  # noqa: E731

            def sp(A, B):
                M = mpmath.matrix([[mpmath.mpf(float(x)) - mpmath.mpf(float(y)) for x, y in zip(ra, rb)]
                                   for ra, rb in zip(A, B)])
                return max(mpmath.svd_r(M, compute_uv=False))
            P = {key: mpmath.mpf(p[key]) for key in ("B_X", "B_w", "B_V")}
            rhs = (P["B_V"] * P["B_X"] * nv(t1["w"], t2["w"]) + P["B_w"] * P["B_X"] * sp(t1["W_V"], t2["W_V"])
                   + mpmath.mpf(softmax_const) * P["B_w"] * P["B_V"] * P["B_X"] ** 3 * sp(t1["W_QK"], t2["W_QK"]))
            return float(lhs / rhs) if rhs > 0 else 0.0

    restarts = max(1, budget // 20)
    for _ in range(restarts):
        p = perturbation_arena.sample(rng)
        p["B_X"] = min(p["B_X"], 4.0)
        p["gamma"] = min(p["gamma"], 1e-3)
        cur = ratio(p)
        for _ in range(19):
            q = perturbation_arena.perturb(p, rng)
            q["B_X"] = min(q["B_X"], 4.0)
            q["gamma"] = max(min(q["gamma"], 1e-3), 1e-6)
            c2 = ratio(q)
            if c2 >= cur:
                p, cur = q, c2
        cur = ratio_mp(p)
        if cur > best:
            best, arg = cur, p
    name = "transformer-perturbation" if softmax_const == 2 else "transformer-perturbation-sharp"
    return Row(f"perturbation |f - f'| / RHS ({name}, c_sm = {softmax_const:g})", 1.0, best,
               {"worst_ratio_lhs_over_rhs": best, "witness_recipe": {k: (v if not isinstance(v, float) else repr(v))
                                                                   for k, v in (arg or {}).items()},
                "seed": seed, "budget": budget, "note": "bound column is 1: the lemma says lhs/rhs <= 1"})


# -- Rademacher complexity ---------------------------------------------------------------------------------------

def _forward_batch(Xs, x_cls, W_QK, W_V):
    """a_i = W_V^T X_i^T softmax(X_i W_QK^T x_cls_i) for a batch: Xs (n, T, d), x_cls (n, d)."""
    s = np.einsum("ntd,nd->nt", Xs, x_cls @ W_QK)           # s_t = x_t^T W_QK^T x_cls = x_cls^T W_QK x_t
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    return np.einsum("ntd,nt->nd", Xs, p) @ W_V


def mc_objective(params, sigma, Xs, x_cls, dims, radii):
    """sup over w of (1/n) sum_i sigma_i w^T tanh(a_i) = (B_w/n) ||sum_i sigma_i tanh(a_i)||_2 (exact in w)."""
    d, k, r_w, r_v = dims
    B_w, B_V, B_QK = radii
    W_QK, W_V = _unpack(params, dims, radii)
    a = _forward_batch(Xs, x_cls, W_QK, W_V)
    return B_w / len(sigma) * float(np.linalg.norm(sigma @ np.tanh(a)))


def _unpack(params, dims, radii):
    d, k, r_w, r_v = dims
    _, B_V, B_QK = radii
    i = 0
    A = params[i:i + d * r_w].reshape(d, r_w); i += d * r_w
    B = params[i:i + d * r_w].reshape(d, r_w); i += d * r_w
    C = params[i:i + d * r_v].reshape(d, r_v); i += d * r_v
    E = params[i:i + k * r_v].reshape(k, r_v)
    W_QK = shrink_to(A @ B.T, B_QK, lambda M: float(np.linalg.norm(M)))   # projection onto the ball
    W_V = shrink_to(C @ E.T, B_V, lambda M: float(np.linalg.norm(M)))
    return W_QK, W_V


def rademacher_mc(n=16, d=3, k=2, r_w=1, r_v=1, T=4, B_X=1.0, B_w=1.0, B_V=1.0, B_QK=1.0, draws=20,
                  restarts=3, steps=25, seed=0, with_priors: bool = False):
    """The composed Dudley bound on R_S(F) against Monte Carlo lower estimates on a random sample.

    Returns a Row; with ``with_priors=True`` a list of rows: ours, then each rebuilt prior bound (if available)
    against the same estimates.
    """
    from numeric.evaluate import evaluate
    rng = np.random.default_rng(seed)
    Xs = rng.standard_normal((n, T, d))
    Xs *= (B_X / np.linalg.norm(Xs, axis=2))[:, :, None]
    Xs = np.array([[shrink_to(x, B_X, lambda v: float(np.linalg.norm(v))) for x in X] for X in Xs])
    x_cls = Xs[:, 0, :].copy()
    dims, radii = (d, k, r_w, r_v), (B_w, B_V, B_QK)
    m = 2 * d * r_w + (d + k) * r_v
    vals = []
    for _ in range(draws):
        sigma = rng.choice([-1.0, 1.0], size=n)
        best = 0.0
        for _ in range(restarts):
            x = rng.standard_normal(m)
            f = mc_objective(x, sigma, Xs, x_cls, dims, radii)
            lr = 0.5
            for _ in range(steps):
                g = np.zeros(m)
                h = 1e-5
                for j in range(m):
                    e = np.zeros(m)
                    e[j] = h
                    g[j] = (mc_objective(x + e, sigma, Xs, x_cls, dims, radii) - f) / h
                gn = np.linalg.norm(g)
                if gn == 0:
                    break
                x2 = x + lr * g / gn
                f2 = mc_objective(x2, sigma, Xs, x_cls, dims, radii)
                if f2 > f:
                    x, f = x2, f2
                else:
                    lr *= 0.5
            best = max(best, f)
        vals.append(best)
    vals = np.array(vals)
    mean = float(vals.mean())
    half = float(1.96 * vals.std(ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else math.inf
    P = {"n": n, "d": d, "k": k, "r_w": r_w, "r_v": r_v, "T": T, "B_X": B_X, "B_w": B_w, "B_V": B_V,
         "B_QK": B_QK, "L_sigma": 1, "L_loss": 1, "c": 1, "delta": "0.05"}
    ev = evaluate(P, dps=20)
    bound = float(ev.rademacher_complexity)      # with L_loss = 1: Dudley's bound on R_S(F) itself
    detail = {"mc_mean": mean, "ci95": [mean - half, mean + half], "draws": draws, "restarts": restarts,
              "steps": steps, "seed": seed, "per_draw": vals.tolist(), "B_f": B_w * B_V * B_X}
    row = Row(f"Rademacher: Dudley chain vs Monte Carlo (n={n}, d={d}, k={k}, r_w={r_w}, T={T})", bound, mean,
              detail)
    if not with_priors:
        return row
    return [row] + _prior_rows(P, mean, detail)


def _prior_rows(P, mean, detail) -> list:
    """The same Monte Carlo lower estimates against the rebuilt prior bounds' Rademacher parts (their classes
    contain ours, so the estimates bound their R_S from below too: a validity check of the comparators)."""
    try:
        from numeric.compare.priors import evaluate_prior
        from derive.prior import PRIORS
    except ImportError:
        return []
    c_rad = float(lemmas.get("rademacher-generalisation").constant("c_rad").default)
    rows = []
    for name in PRIORS:
        pe = evaluate_prior(name, P, dps=20)
        rows.append(Row(f"Rademacher: rebuilt {name} Dudley vs the same Monte Carlo", float(pe.rademacher) / c_rad,
                        mean, {**detail, "note": "rebuilt prior bound's Rademacher term / c_rad (L_loss = 1)",
                               "mapping": pe.mapping}))
    return rows


def tightness_table(seed: int = 0, quick: bool = False) -> Table:
    """The table of bound / best lower estimate, per step (seeded)."""
    rows = [
        covering_linear(eps=0.25, seed=seed, members=1500 if quick else 3000),
        covering_linear(eps=0.5, seed=seed, members=1500 if quick else 3000),
        covering_vector(eps=0.2, seed=seed, members=1500 if quick else 3000),
        softmax_ratio(seed=seed, budget=500 if quick else 2000),
        softmax_ratio(seed=seed, budget=500 if quick else 2000, constant="softmax-lipschitz-sharp"),
        perturbation_ratio(seed=seed, budget=200 if quick else 600, softmax_const=2.0),
        perturbation_ratio(seed=seed, budget=200 if quick else 600, softmax_const=1.0),
    ]
    rows += rademacher_mc(seed=seed, draws=8 if quick else 20, with_priors=True)
    return Table(tuple(rows), seed)
