"""numeric.weights.analyse: every measured figure against the construction, laziness, and the bound's wiring."""

from __future__ import annotations

import math
import tracemalloc
import weakref
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import numeric
from numeric.weights import analyse as W
from weights_models import build_model, col_norm_sum, layernorm, layernorm_params, write_model, write_tensors

REL = 1e-10
CASES = [("hf-bert", "model.safetensors", {}), ("hf-bert", "model.npz", {}),
         ("plain", "model.safetensors", {"form": "layer.head"}), ("plain", "model.npz", {"form": "layer.head"}),
         ("plain", "model.npz", {"form": "head"})]


def close(a, b, rel=REL):
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def check_against_construction(meas, x, dh, d):
    s, t = x.s, x.t
    qk, v = meas.qk, meas.v
    assert (meas.d, meas.k) == (d, dh)
    assert qk.shape == (d, d) and v.shape == (d, dh)
    assert qk.rank_bound == dh and v.rank_bound == dh
    assert qk.numerical_rank == len(s), (meas.layer, meas.head)
    assert v.numerical_rank == len(t)
    assert close(qk.spectral, s[0]) and close(v.spectral, t[0])
    fro_qk, fro_v = math.sqrt(math.fsum(s ** 2)), math.sqrt(math.fsum(t ** 2))
    assert close(qk.frobenius, fro_qk) and close(v.frobenius, fro_v)
    assert close(qk.stable_rank, fro_qk ** 2 / s[0] ** 2) and close(v.stable_rank, fro_v ** 2 / t[0] ** 2)
    assert close(qk.norm_21, col_norm_sum(x.W_QK)), "(2,1) norm of W_QK: columns"
    assert close(qk.norm_21_rows, col_norm_sum(x.W_QK.T)), "(2,1) norm of W_QK^T: rows"
    assert close(v.norm_21, col_norm_sum(x.W_V))
    assert close(qk.norm_11, math.fsum(abs(float(e)) for e in x.W_QK.ravel()))
    # every nonzero singular value, not only the largest
    assert all(close(a, b, 1e-9) for a, b in zip(qk.singular_values, s))
    assert all(c < 1e-12 * s[0] for c in qk.singular_values[len(s):])


@pytest.mark.parametrize("layout,fname,kw", CASES)
def test_every_figure_matches_the_construction(tmp_path, layout, fname, kw):
    L = 2 if kw.get("form", "layer.head") == "layer.head" else 1     # 'head<h>.' names hold one layer
    m = build_model(seed=1, L=L)
    path = write_model(m, tmp_path / fname, layout, **kw)
    with W.open_tensors(path) as tf:
        heads, source, hidden = W.read_config_heads(path)
        lay = W.detect_layout(tf.names, heads, source or "--heads")
        assert lay.kind == layout and lay.layers == tuple(range(L))
        got = [W.measure_head(hw) for hw in W.iter_heads(tf, lay, hidden=hidden)]
        assert W.estimate_B_X(tf, lay)[0] == pytest.approx(m.B_X, rel=REL)
    assert [(g.layer, g.head) for g in got] == [(x.layer, x.head) for x in m.heads[:L * m.H]]
    for g in got:
        check_against_construction(g, m.head(g.layer, g.head), m.dh, m.d)
        if layout == "plain":
            assert close(g.w_norm, float(np.linalg.norm(m.head(g.layer, g.head).w)))
        else:
            assert g.w_norm is None


def test_bare_plain_names_are_the_single_head_setting(tmp_path):
    m = build_model(seed=2, L=1, H=1)
    path = write_model(m, tmp_path / "one.safetensors", "plain", form="bare")
    rep = W.analyse_file(path, dps=15)
    assert len(rep.heads) == 1 and (rep.heads[0].measure.layer, rep.heads[0].measure.head) == (0, 0)
    check_against_construction(rep.heads[0].measure, m.heads[0], m.dh, m.d)


def test_float32_storage_keeps_numerical_ranks_at_the_default_tolerance(tmp_path):
    m = build_model(seed=3)
    path = write_model(m, tmp_path / "f32.safetensors", "hf-bert", dtype=np.float32)
    rep = W.analyse_file(path, dps=15)
    for h in rep.heads:
        x = m.head(h.measure.layer, h.measure.head)
        assert h.measure.qk.numerical_rank == len(x.s) and h.measure.v.numerical_rank == len(x.t)
        assert h.measure.qk.rank_bound == m.dh
        assert math.isclose(h.measure.qk.frobenius, math.sqrt(math.fsum(x.s ** 2)), rel_tol=1e-6)


def test_rank_tolerance_counts_singular_values_above_tol_times_largest():
    A = np.diag([10.0, 1.0, 0.1, 0.0])
    assert [W.measure_matrix(A, tol).numerical_rank for tol in (0.0, 0.05, 0.5, 0.99)] == [3, 2, 1, 1]
    assert W.measure_matrix(np.zeros((3, 2))).numerical_rank == 0
    assert W.measure_matrix(np.zeros((3, 2))).stable_rank is None
    with pytest.raises(W.WeightsError, match="rank tolerance"):
        W.numerical_rank([1.0], 1.5)


def test_product_route_agrees_with_a_full_svd():
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((30, 6)), rng.standard_normal((25, 6))
    q = W.measure_product(A, B)
    full = np.linalg.svd(A @ B.T, compute_uv=False)
    assert q.shape == (30, 25) and q.rank_bound == 6 and q.numerical_rank == 6
    assert np.allclose(q.singular_values, full[:6], rtol=1e-12)
    wide = W.measure_product(rng.standard_normal((3, 5)), rng.standard_normal((4, 5)))   # inner dim > rows
    assert wide.rank_bound == 3 and wide.numerical_rank == 3


@pytest.mark.parametrize("fname", ["model.safetensors", "model.npz"])
def test_bounds_are_numeric_evaluate_at_the_constructed_figures(tmp_path, fname):
    m = build_model(seed=4)
    path = write_model(m, tmp_path / fname, "plain")
    rep = W.analyse_file(path, n=10**7, dps=20, B_X="1.5")
    assert rep.B_X_source == "--B-X" and len(rep.heads) == m.L * m.H
    for h in rep.heads:
        x = m.head(h.measure.layer, h.measure.head)
        bw = float(np.linalg.norm(x.w))
        assert close(h.B_w, bw)
        for at, (r_w, r_v) in (("rank_bound", (m.dh, m.dh)), ("numerical_rank", (len(x.s), len(x.t)))):
            want = numeric.evaluate({"n": 10**7, "d": m.d, "k": m.dh, "r_w": r_w, "r_v": r_v,
                                     "B_QK": math.sqrt(math.fsum(x.s ** 2)), "B_V": math.sqrt(math.fsum(x.t ** 2)),
                                     "B_w": bw, "B_X": "1.5"}, dps=20)
            got = h.value(at)
            with mpmath.workdps(20):
                assert mpmath.almosteq(got, want.value, rel_eps=mpmath.mpf("1e-9")), (at, got, want.value)
    e = rep.extremes("rank_bound")
    vals = [h.value("rank_bound") for h in rep.heads]
    assert e["smallest"].value() == min(vals) and e["largest"].value() == max(vals)
    # rank matters: where the numerical rank is below the bound, so is the bound
    for h in rep.heads:
        lower = (h.measure.qk.numerical_rank, h.measure.v.numerical_rank) != (m.dh, m.dh)
        assert (h.value("numerical_rank") < h.value("rank_bound")) == lower


def test_B_w_flag_and_default(tmp_path):
    m = build_model(seed=6, L=1)
    hf = write_model(m, tmp_path / "hf" / "m.safetensors", "hf-bert")
    rep = W.analyse_file(hf, dps=15)
    assert {h.B_w for h in rep.heads} == {1.0} and rep.B_X_source.endswith("'bert.embeddings.word_embeddings.weight'")
    rep2 = W.analyse_file(hf, dps=15, B_w="0.5", layer=0, head=1)
    assert [(h.measure.layer, h.measure.head) for h in rep2.heads] == [(0, 1)]
    assert rep2.heads[0].B_w == 0.5 and rep2.heads[0].value() < rep.heads[1].value()


def test_a_zero_head_is_reported_not_evaluated(tmp_path):
    m = build_model(seed=7, L=1, H=2)
    t = {"head0.W_Q": np.zeros((m.d, m.dh)), "head0.W_K": m.heads[0].W_K, "head0.W_V": m.heads[0].W_V,
         "head1.W_Q": m.heads[1].W_Q, "head1.W_K": m.heads[1].W_K, "head1.W_V": m.heads[1].W_V}
    rep = W.analyse_file(write_tensors(t, tmp_path / "z.npz"), B_X=1, dps=15)
    zero, ok = rep.heads
    assert zero.measure.qk.numerical_rank == 0 and zero.measure.qk.stable_rank is None
    assert isinstance(zero.at_rank_bound, str) and "B_QK > 0" in zero.at_rank_bound
    assert zero.value() is None and ok.value() is not None
    assert rep.extremes()["smallest"] is ok and rep.to_json()["heads"][0]["bounds"]["truong_at_rank_bound"] == \
        {"evaluated": False, "reason": zero.at_rank_bound}


def test_json_every_figure_is_a_decimal_string(tmp_path):
    m = build_model(seed=8, L=1, H=2)
    rep = W.analyse_file(write_model(m, tmp_path / "m.safetensors", "hf-bert"), dps=12)
    js = rep.to_json()

    def leaves(x, key=None):
        if isinstance(x, dict):
            for k, v in x.items():
                yield from leaves(v, k)
        elif isinstance(x, list):
            for v in x:
                yield from leaves(v, key)
        else:
            yield key, x

    for key, v in leaves(js):
        if key in ("layer", "head"):
            assert isinstance(v, int)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            pytest.fail(f"{key} = {v!r} is a JSON number, not a decimal string")
    h = js["heads"][0]
    assert float(h["W_QK"]["frobenius"]) == rep.heads[0].measure.qk.frobenius      # round-trips exactly
    assert js["extremes"]["at_rank_bound"]["smallest"]["value"] in {
        x["bounds"]["truong_at_rank_bound"]["value"] for x in js["heads"]}
    assert set(W.PRIOR_BOUNDS) <= set(js["heads"][0]["bounds"]["prior"])


def test_prior_bounds_are_evaluated_at_the_head_figures_or_reported_missing(tmp_path):
    """Each rebuilt prior bound is numeric.prior.evaluate_prior at the head's figures, or says why not."""
    m = build_model(seed=12, L=1, H=2)
    rep = W.analyse_file(write_model(m, tmp_path / "m.npz", "plain"), B_X="1.25", n=10**8, dps=15)
    try:
        from derive.prior import PRIORS
        from numeric.compare.priors import evaluate_prior
    except ImportError:
        PRIORS, evaluate_prior = (), None
    for h in rep.heads:
        x = m.head(h.measure.layer, h.measure.head)
        assert set(W.PRIOR_BOUNDS) | set(PRIORS) == set(h.prior)
        for name, res in h.prior.items():
            if name not in PRIORS:
                assert res["evaluated"] is False and res["reason"].startswith("not available"), res
                continue
            assert res["evaluated"] is True, res
            want = evaluate_prior(name, {"n": 10**8, "d": m.d, "k": m.dh, "r_w": m.dh, "r_v": m.dh,
                                         "B_QK": math.sqrt(math.fsum(x.s ** 2)), "B_V": math.sqrt(math.fsum(x.t ** 2)),
                                         "B_w": float(np.linalg.norm(x.w)), "B_X": "1.25"}, dps=15)
            with mpmath.workdps(15):
                assert mpmath.almosteq(mpmath.mpf(res["value"]), want.value, rel_eps=mpmath.mpf("1e-9"))
    assert ("not available yet" in rep.prior_note) == any(p not in PRIORS for p in W.PRIOR_BOUNDS)


# ---------------------------------------------------------------------------------------------- laziness


class CountingFile:
    """Wrap a TensorFile: record which layer each get() reads and which returned arrays are still alive."""

    def __init__(self, tf, layer_of):
        self.tf, self.layer_of = tf, layer_of
        self.path, self.names, self.format = tf.path, tf.names, tf.format
        self.reads, self.alive, self.violations = [], [], []

    def get(self, name):
        layer = self.layer_of(name)
        others = [(n, lay) for n, lay, ref in self.alive if ref() is not None and lay != layer]
        if others:
            self.violations.append((name, others))
        a = self.tf.get(name)
        self.reads.append((layer, name))
        self.alive.append((name, layer, weakref.ref(a)))
        return a


@pytest.mark.parametrize("layout,fname", [("hf-bert", "m.safetensors"), ("plain", "m.npz")])
def test_only_one_layers_tensors_are_resident(tmp_path, layout, fname):
    m = build_model(seed=9, L=4)
    path = write_model(m, tmp_path / fname, layout)
    with W.open_tensors(path) as tf:
        lay = W.detect_layout(tf.names, m.H if layout == "hf-bert" else None)
        layer_of = lambda name: next(i for i in lay.layers if name in lay.layer_names(i))  # noqa: E731
        cf = CountingFile(tf, layer_of)
        n = 0
        for hw in W.iter_heads(cf, lay):
            W.measure_head(hw)
            del hw
            n += 1
    assert n == m.L * m.H
    layers_read = [lay_ for lay_, _ in cf.reads]
    assert layers_read == sorted(layers_read), "layers are read in order, each once"
    per_layer = {i: sum(1 for x in layers_read if x == i) for i in range(m.L)}
    assert per_layer == {i: len(lay.layer_names(i)) for i in range(m.L)}, "each tensor read exactly once"
    assert cf.violations == [], f"a layer's tensors were still alive when the next was read: {cf.violations[:2]}"


def test_iter_heads_reads_nothing_of_unselected_layers(tmp_path):
    m = build_model(seed=10, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert")
    with W.open_tensors(path) as tf:
        lay = W.detect_layout(tf.names, m.H)
        cf = CountingFile(tf, lambda name: next(i for i in lay.layers if name in lay.layer_names(i)))
        got = [(hw.layer, hw.head) for hw in W.iter_heads(cf, lay, layers=[1], heads=[2])]
    assert got == [(1, 2)] and {lay_ for lay_, _ in cf.reads} == {1}


def test_peak_memory_is_about_one_layer(tmp_path):
    """tracemalloc peak while measuring an 8-layer file stays near one layer's bytes, far below the file's."""
    d, dh, H, L = 128, 16, 8, 6
    rng = np.random.default_rng(11)
    t = {f"encoder.layer.{i}.attention.self.{r}.weight": rng.standard_normal((d, d))
         for i in range(L) for r in ("query", "key", "value")}
    path = write_tensors(t, tmp_path / "big.safetensors", {"num_attention_heads": H})
    one_layer = 3 * d * d * 8
    with W.open_tensors(path) as tf:
        lay = W.detect_layout(tf.names, H)
        tracemalloc.start()
        try:
            for hw in W.iter_heads(tf, lay):
                W.measure_head(hw)
                del hw
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * one_layer, f"peak {peak} bytes; one layer is {one_layer}, the file {L * one_layer}"


# ---------------------------------------------------------------------------------------------- B_X from LayerNorm


@pytest.mark.parametrize("ln_names", [("weight", "bias"), ("gamma", "beta")])
def test_layernorm_B_X_per_layer_matches_the_construction_and_bounds_real_outputs(tmp_path, ln_names):
    m = build_model(seed=13, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert", ln_names=ln_names)
    rep = W.analyse_file(path, dps=15, B_X_from="layernorm")
    assert rep.B_X is None and "per layer" in rep.B_X_source
    rng = np.random.default_rng(14)
    for layer in range(m.L):
        g, b = layernorm_params(m, layer)
        want = math.sqrt(m.d) * max(abs(float(x)) for x in g) + math.sqrt(math.fsum(float(x) ** 2 for x in b))
        got = {h.B_X for h in rep.heads if h.measure.layer == layer}
        assert len(got) == 1 and close(got.pop(), want)
        # the bound holds on LayerNorm outputs: random, huge, nearly constant and spiky inputs
        X = np.vstack([rng.standard_normal((200, m.d)) * 1e3, 1 + 1e-9 * rng.standard_normal((50, m.d)),
                       np.eye(m.d) * 1e6, rng.standard_normal((50, m.d)) * np.sign(g)])
        assert np.linalg.norm(layernorm(X, g, b), axis=1).max() <= want * (1 + 1e-12)
    # per-layer B_X reaches the evaluation
    h = rep.heads[-1]
    assert h.at_rank_bound.params["B_X"] == Fraction(h.B_X) and h.measure.layer == m.L - 1
    with mpmath.workdps(15):
        want = numeric.evaluate(W.head_params(h.measure, B_X=h.B_X, B_w=1.0, n=10**6), dps=15).value
        assert mpmath.almosteq(h.value(), want, rel_eps=mpmath.mpf("1e-12"))


def test_layernorm_B_X_refuses_what_it_cannot_bound(tmp_path):
    m = build_model(seed=15)
    plain = write_model(m, tmp_path / "p.npz", "plain")
    with pytest.raises(W.WeightsError, match="needs the hf-bert layout"):
        W.analyse_file(plain, B_X_from="layernorm")
    from weights_models import hf_tensors
    t = hf_tensors(m)
    del t["bert.encoder.layer.0.output.LayerNorm.bias"]
    path = write_tensors(t, tmp_path / "h" / "m.safetensors", {"num_attention_heads": m.H})
    with pytest.raises(W.WeightsError, match=r"LayerNorm before layer 1 is missing: expected "
                                             r"'bert.encoder.layer.0.output.LayerNorm.weight'"):
        W.analyse_file(path, B_X_from="layernorm")
    assert W.analyse_file(path, B_X_from="layernorm", layer=0).heads      # layer 0 alone needs only the embeddings'
