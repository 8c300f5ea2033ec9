"""numeric.weights.report and .bounds: the bound's wiring per head, the JSON form, B_X, and arguments."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import numeric
import numeric.progress
from numeric.weights import PRIOR_BOUNDS, WeightsError, analyse_file, head_params
from numeric.weights import report as R
from weights_models import (CountingFile, build_model, check_against_construction, close, hf_tensors, layer_of_names,
                            layernorm, layernorm_params, plain_tensors, write_model, write_tensors)


def test_bare_plain_names_are_the_single_head_setting(tmp_path):
    m = build_model(seed=2, L=1, H=1)
    path = write_model(m, tmp_path / "one.safetensors", "plain", form="bare")
    rep = analyse_file(path, dps=15)
    assert len(rep.heads) == 1 and (rep.heads[0].measure.layer, rep.heads[0].measure.head) == (0, 0)
    check_against_construction(rep.heads[0].measure, m.heads[0], m.dh, m.d)


def test_float32_storage_keeps_numerical_ranks_at_the_default_tolerance(tmp_path):
    m = build_model(seed=3)
    path = write_model(m, tmp_path / "f32.safetensors", "hf-bert", dtype=np.float32)
    rep = analyse_file(path, dps=15)
    for h in rep.heads:
        x = m.head(h.measure.layer, h.measure.head)
        assert h.measure.qk.numerical_rank == len(x.s) and h.measure.v.numerical_rank == len(x.t)
        assert h.measure.qk.rank_bound == m.dh
        assert math.isclose(h.measure.qk.frobenius, math.sqrt(math.fsum(x.s ** 2)), rel_tol=1e-6)


@pytest.mark.parametrize("fname", ["model.safetensors", "model.npz"])
def test_bounds_are_numeric_evaluate_at_the_constructed_figures(tmp_path, fname):
    m = build_model(seed=4)
    path = write_model(m, tmp_path / fname, "plain")
    rep = analyse_file(path, n=10**7, dps=20, B_X="1.5")
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
    rep = analyse_file(hf, dps=15)
    assert {h.B_w for h in rep.heads} == {1.0} and rep.B_X_source.endswith("'bert.embeddings.word_embeddings.weight'")
    rep2 = analyse_file(hf, dps=15, B_w="0.5", layer=0, head=1)
    assert [(h.measure.layer, h.measure.head) for h in rep2.heads] == [(0, 1)]
    assert rep2.heads[0].B_w == 0.5 and rep2.heads[0].value() < rep.heads[1].value()


def test_a_zero_head_is_reported_not_evaluated(tmp_path):
    m = build_model(seed=7, L=1, H=2)
    t = {"head0.W_Q": np.zeros((m.d, m.dh)), "head0.W_K": m.heads[0].W_K, "head0.W_V": m.heads[0].W_V,
         "head1.W_Q": m.heads[1].W_Q, "head1.W_K": m.heads[1].W_K, "head1.W_V": m.heads[1].W_V}
    rep = analyse_file(write_tensors(t, tmp_path / "z.npz"), B_X=1, dps=15)
    zero, ok = rep.heads
    assert zero.measure.qk.numerical_rank == 0 and zero.measure.qk.stable_rank is None
    assert isinstance(zero.at_rank_bound, str) and "B_QK > 0" in zero.at_rank_bound
    assert zero.value() is None and ok.value() is not None
    assert rep.extremes()["smallest"] is ok and rep.to_json()["heads"][0]["bounds"]["truong_at_rank_bound"] == \
        {"evaluated": False, "reason": zero.at_rank_bound}


def leaves(x, key=None):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from leaves(v, k)
    elif isinstance(x, list):
        for v in x:
            yield from leaves(v, key)
    else:
        yield key, x


def test_json_every_figure_is_a_decimal_string(tmp_path):
    m = build_model(seed=8, L=1, H=2)
    rep = analyse_file(write_model(m, tmp_path / "m.safetensors", "hf-bert"), dps=12)
    js = rep.to_json()
    for key, v in leaves(js):
        if key in ("layer", "head"):
            assert isinstance(v, int)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            pytest.fail(f"{key} = {v!r} is a JSON number, not a decimal string")
    h = js["heads"][0]
    assert float(h["W_QK"]["frobenius"]) == rep.heads[0].measure.qk.frobenius      # round-trips exactly
    assert js["extremes"]["at_rank_bound"]["smallest"]["value"] in {
        x["bounds"]["truong_at_rank_bound"]["value"] for x in js["heads"]}
    assert set(PRIOR_BOUNDS) <= set(js["heads"][0]["bounds"]["prior"])


@pytest.mark.parametrize("exp", [-150, 150])
def test_huge_and_tiny_weights_keep_the_json_finite(tmp_path, exp):
    """Weights scaled by 2^exp: W_V's figures scale by 2^exp and W_QK's by 2^(2 exp), exactly as the
    construction's; the bounds are evaluated at them and no JSON value is nan or inf."""
    m = build_model(seed=16, L=1, H=2)
    t = {k: np.ldexp(v, exp) if "W_" in k and k != "W_E" else v
         for k, v in plain_tensors(m, form="head").items()}
    rep = analyse_file(write_tensors(t, tmp_path / "s.npz"), dps=12)
    text = json.dumps(rep.to_json(), allow_nan=False)
    for bad in ("nan", "inf", "NaN", "Infinity"):
        assert f'"{bad}"' not in text and f": {bad}" not in text
    for h in rep.heads:
        x = m.head(0, h.measure.head)
        assert close(math.ldexp(h.measure.qk.frobenius, -2 * exp), math.sqrt(math.fsum(x.s ** 2)))
        assert close(math.ldexp(h.measure.v.spectral, -exp), x.t[0])
        assert h.value() is not None and mpmath.isfinite(h.value())


def test_prior_bounds_are_evaluated_at_the_head_figures_or_reported_missing(tmp_path):
    """Each rebuilt prior bound is numeric.compare.priors.evaluate_prior at the head's figures, or says why not."""
    m = build_model(seed=12, L=1, H=2)
    rep = analyse_file(write_model(m, tmp_path / "m.npz", "plain"), B_X="1.25", n=10**8, dps=15)
    try:
        from derive.prior import PRIORS
        from numeric.compare.priors import evaluate_prior
    except ImportError:
        PRIORS, evaluate_prior = (), None
    for h in rep.heads:
        x = m.head(h.measure.layer, h.measure.head)
        assert set(PRIOR_BOUNDS) | set(PRIORS) == set(h.prior)
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
    assert ("not available yet" in rep.prior_note) == any(p not in PRIORS for p in PRIOR_BOUNDS)


# ---------------------------------------------------------------------------------------------- B_X from LayerNorm


@pytest.mark.parametrize("ln_names", [("weight", "bias"), ("gamma", "beta")])
def test_layernorm_B_X_per_layer_matches_the_construction_and_bounds_real_outputs(tmp_path, ln_names):
    m = build_model(seed=13, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert", ln_names=ln_names)
    rep = analyse_file(path, dps=15, B_X_from="layernorm")
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
        want = numeric.evaluate(head_params(h.measure, B_X=h.B_X, B_w=1.0, n=10**6), dps=15).value
        assert mpmath.almosteq(h.value(), want, rel_eps=mpmath.mpf("1e-12"))


def test_layernorm_B_X_refuses_what_it_cannot_bound(tmp_path):
    m = build_model(seed=15)
    plain = write_model(m, tmp_path / "p.npz", "plain")
    with pytest.raises(WeightsError, match="needs the hf-bert layout"):
        analyse_file(plain, B_X_from="layernorm")
    t = hf_tensors(m)
    del t["bert.encoder.layer.0.output.LayerNorm.bias"]
    path = write_tensors(t, tmp_path / "h" / "m.safetensors", {"num_attention_heads": m.H})
    with pytest.raises(WeightsError, match=r"LayerNorm before layer 1 is missing: expected "
                                           r"'bert.encoder.layer.0.output.LayerNorm.weight'"):
        analyse_file(path, B_X_from="layernorm")
    assert analyse_file(path, B_X_from="layernorm", layer=0).heads      # layer 0 alone needs only the embeddings'
    t = hf_tensors(m)
    t["bert.embeddings.LayerNorm.weight"] = np.full(m.d, 1e308)
    path = write_tensors(t, tmp_path / "big" / "m.safetensors", {"num_attention_heads": m.H})
    with pytest.raises(WeightsError, match="exceeds the float64 range"):
        analyse_file(path, B_X_from="layernorm", layer=0)


# ---------------------------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("kw,phrase", [
    (dict(variant="nonexistent"), "variant: unknown variant 'nonexistent'; known: default"),
    (dict(rank_tol="1e400"), "rank_tol must be a number in [0, 1)"),
    (dict(rank_tol=1e-320), "rank_tol must be 0 or at least"),
    (dict(n="1e-400"), "n must be a positive integer"),
    (dict(B_X="1e-400x"), "B_X must be a decimal number"),
    (dict(B_w=0), "B_w must be > 0"),
    (dict(B_X=1, B_X_from="layernorm"), "exclude each other"),
    (dict(B_X_from="vibes"), "B_X source must be"),
    (dict(heads=0), "heads must be a positive integer"),
    (dict(layer=-1), "layer must be a non-negative integer"),
    (dict(head="0.5"), "head must be a non-negative integer"),
    (dict(dps=0), "dps must be a positive integer"),
    (dict(dps=10**5), "parameter dps: must be an integer in [1, 10000]"),
])
def test_arguments_are_checked_before_the_file_is_read(tmp_path, kw, phrase):
    missing = tmp_path / "not-there.npz"            # would be 'no such file' if the arguments got through
    with pytest.raises(numeric.errors.UsageError) as info:
        analyse_file(missing, **kw)
    assert phrase in str(info.value)


def test_progress_on_a_terminal_keeps_one_layer_resident(tmp_path, monkeypatch, capsys):
    """With the progress bar on (a terminal), analyse_file still drops each layer before reading the next."""
    m = build_model(seed=17, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert")
    made = []
    real_open = R.open_tensors

    def counting_open(p):
        tf = real_open(p)
        from numeric.weights import detect_layout
        cf = CountingFile(tf, layer_of_names(detect_layout(tf.names, m.H)))
        made.append(cf)
        return cf

    monkeypatch.setattr(R, "open_tensors", counting_open)
    monkeypatch.setattr(numeric.progress, "on_terminal", lambda: True)
    rep = analyse_file(path, B_X=1, dps=8)
    err = capsys.readouterr().err
    assert len(rep.heads) == m.L * m.H and "weights: heads" in err and "whole-model bound" in err
    # query, key, value of every layer and the output projection of every hidden layer, each read once
    assert made and made[0].violations == [] and len(made[0].reads) == 3 * m.L + (m.L - 1)
    assert sorted(n for _i, n in made[0].reads if "attention.output" in n) == \
        [f"bert.encoder.layer.{i}.attention.output.dense.weight" for i in range(m.L - 1)]
    analyse_file(path, B_X=1, dps=8, quiet=True)
    assert capsys.readouterr().err == ""
