"""numeric.weights.model: the whole-model section (MATH.md sections 8 and 9) against figures computed here
with numpy on the synthetic models' own arrays, and the post-hoc cell, delta_cell and both bounds by hand."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

import numeric
from derive.posthoc import B0
from numeric.weights import analyse_file
from weights_models import build_model, close, hf_tensors, plain_tensors, write_model, write_tensors

GRID_UNIT = Fraction(B0.p, B0.q)
TOL = 1e-5            # the default rank tolerance, applied here by hand


def rank(M, tol=TOL) -> int:
    s = np.linalg.svd(M, compute_uv=False)
    return int(np.count_nonzero(s > tol * s[0])) if s[0] > 0 else 0


def hf_expected(m, L=None, tol=TOL):
    """The maxima of the hf-bert model section, from the HF tensors themselves: W_QK = W_Q W_K^T per head,
    a hidden head's value map W_O[:, hs] @ value.weight[hs, :], the last layer's W_V,h = value.weight[hs, :]^T."""
    t = hf_tensors(m)
    L = m.L if L is None else L
    out = {"B_QK": [], "r_w": [], "B_V": [], "r_v": []}
    for i in range(L):
        q, k, v = (t[f"bert.encoder.layer.{i}.attention.self.{r}.weight"] for r in ("query", "key", "value"))
        W_O = t[f"bert.encoder.layer.{i}.attention.output.dense.weight"]
        for h in range(m.H):
            hs = slice(h * m.dh, (h + 1) * m.dh)
            qk = q[hs, :].T @ k[hs, :]
            vm = W_O[:, hs] @ v[hs, :] if i < L - 1 else v[hs, :].T
            if i < L - 1:
                assert vm.shape == (m.d, m.d)
            for name, x in (("B_QK", np.linalg.norm(qk)), ("r_w", rank(qk, tol)), ("B_V", np.linalg.norm(vm)),
                            ("r_v", rank(vm, tol))):
                out[name].append((x, i, h))
    return {k: max(v, key=lambda x: x[0]) for k, v in out.items()}


def check_measured(js, want):
    meas = js["measured"]
    for name in ("B_QK", "B_V"):
        assert close(float(meas[name]), want[name][0]), (name, meas[name], want[name])
    for name in ("r_w", "r_v"):
        assert int(meas[name]) == want[name][0], (name, meas[name], want[name])
    for name in ("B_QK", "B_V"):               # where the largest norm is (the norms differ by construction)
        assert (meas["largest_at"][name]["layer"], meas["largest_at"][name]["head"]) == want[name][1:]


@pytest.mark.parametrize("fname,tol", [("hf/model.safetensors", TOL), ("hf/model.npz", TOL),
                                       ("hf/model.npz", 0.9)])
def test_hf_bert_maxima_equal_numpy_on_the_models_arrays(tmp_path, fname, tol):
    m = build_model(seed=31, L=3, H=3)
    rep = analyse_file(write_model(m, tmp_path / fname, "hf-bert"), dps=15, rank_tol=tol)
    js = rep.to_json()["model"]
    assert js["evaluated"] is True
    assert (js["heads"], js["layers"], js["d"], js["k"]) == (str(m.H), str(m.L), str(m.d), str(m.dh))
    assert js["heads_source"] == "num_attention_heads in config.json"
    assert js["layers_source"] == "num_hidden_layers in config.json"
    want = hf_expected(m, tol=tol)
    check_measured(js, want)
    if tol == TOL:        # the value maps of hidden layers are W_V,h W_O,h: the ranks of W_V,h (W_O is dense)
        assert want["r_v"][0] == max(len(x.t) for x in m.heads) == m.dh
    else:                 # numerical ranks, not the rank bound d_head
        assert want["r_w"][0] < m.dh and want["r_v"][0] < m.dh
    assert js["measured"]["B_w"] == "1.0" and js["measured"]["B_w_source"].startswith("default 1")
    assert "W_V,h W_O,h" in js["measured"]["value_maps"]


def test_the_value_map_is_not_the_value_projection_alone(tmp_path):
    """With a hidden layer's output projection scaled by 8, B_V is that layer's largest ||W_V,h W_O,h||_F, far
    above every ||W_V,h||_F (what a measurement of the value projections alone would give)."""
    m = build_model(seed=32, L=2, H=2)
    m.W_O[0] = 8.0 * m.W_O[0]
    js = analyse_file(write_model(m, tmp_path / "m.safetensors", "hf-bert"), dps=12).to_json()["model"]
    want = hf_expected(m)
    check_measured(js, want)
    assert want["B_V"][1] == 0                      # the largest value map is in the scaled hidden layer
    assert float(js["measured"]["B_V"]) > 2 * max(np.linalg.norm(x.W_V) for x in m.heads)


def test_plain_layout_uses_W_V_as_stored_and_the_stacked_readout(tmp_path):
    m = build_model(seed=33, L=2, H=3)
    js = analyse_file(write_model(m, tmp_path / "p.npz", "plain"), dps=15).to_json()["model"]
    assert js["evaluated"] is True and (js["heads"], js["layers"]) == ("3", "2")
    assert js["layers_source"] == "the layers in the file"
    assert close(float(js["measured"]["B_QK"]), max(np.linalg.norm(x.W_Q @ x.W_K.T) for x in m.heads))
    assert close(float(js["measured"]["B_V"]), max(np.linalg.norm(x.W_V) for x in m.heads))
    assert int(js["measured"]["r_v"]) == max(rank(x.W_V) for x in m.heads)
    last = [x.w for x in m.heads if x.layer == m.L - 1]
    assert close(float(js["measured"]["B_w"]), math.sqrt(math.fsum(float(e) ** 2 for w in last for e in w)))
    assert "readout (w_1, ..., w_H) of the last layer" in js["measured"]["B_w_source"]
    assert "no output projection" in js["measured"]["value_maps"] and "no output projection" in js["omitted"][0]


def test_the_post_hoc_cell_delta_cell_and_both_values_by_hand(tmp_path):
    m = build_model(seed=34, L=2, H=2)
    rep = analyse_file(write_model(m, tmp_path / "m.safetensors", "hf-bert"), dps=20, n=10**7, B_w="0.3")
    js = rep.to_json()["model"]
    meas, ph = js["measured"], js["posthoc"]
    assert meas["B_w"] == "0.3" and meas["B_w_source"] == "--B-w"
    for name in ("B_w", "B_V", "B_QK"):
        x, r, i = Fraction(meas[name]), Fraction(ph["radii"][name]), int(ph["indices"][name])
        assert r == GRID_UNIT * 2 ** i                              # a grid value
        assert x <= r and (r < 2 * x or i == 0)                     # contains the model, at most twice the radius
        assert i == 0 or GRID_UNIT * 2 ** (i - 1) < x                # the grid value just above, not one higher
    assert ph["ranks"] == {"r_w": meas["r_w"], "r_v": meas["r_v"]}
    # delta_cell = delta * prod_i 1/((i+1)(i+2)) / d^2, delta = 0.05 from the default preset
    want = Fraction(1, 20) / m.d ** 2
    for i in (int(ph["indices"][k]) for k in ("B_w", "B_V", "B_QK")):
        want /= (i + 1) * (i + 2)
    assert js["delta"] == "0.05"
    with mpmath.workdps(30):
        assert mpmath.almosteq(mpmath.mpf(ph["delta_cell"]), mpmath.mpf(want.numerator) / want.denominator,
                               rel_eps=mpmath.mpf("1e-18"))
    # the fixed-class value is numeric.evaluate at the measured figures with H and L set
    fixed = numeric.evaluate({"n": 10**7, "d": m.d, "k": m.dh, "H": m.H, "L": m.L, "B_X": m.B_X, "B_w": "0.3",
                              "B_V": float(meas["B_V"]), "B_QK": float(meas["B_QK"]), "r_w": int(meas["r_w"]),
                              "r_v": int(meas["r_v"])}, dps=20)
    with mpmath.workdps(20):
        got_fixed, got_post = mpmath.mpf(js["fixed_class"]["value"]), mpmath.mpf(ph["value"])
        assert mpmath.almosteq(got_fixed, fixed.value, rel_eps=mpmath.mpf("1e-15"))
        assert got_post > got_fixed
    # the post-hoc value is the same bound at the grid radii, with delta_cell for delta
    post = numeric.evaluate({"n": 10**7, "d": m.d, "k": m.dh, "H": m.H, "L": m.L, "B_X": m.B_X,
                             **{k: Fraction(ph["radii"][k]) for k in ("B_w", "B_V", "B_QK")},
                             "r_w": int(meas["r_w"]), "r_v": int(meas["r_v"]), "delta": want}, dps=20)
    with mpmath.workdps(20):
        assert mpmath.almosteq(got_post, post.value, rel_eps=mpmath.mpf("1e-15"))
    assert js["fixed_class"]["status"].startswith("what-if, not a theorem")
    assert js["posthoc"]["status"].startswith("theorem")


def test_radii_below_the_grid_unit_take_the_bottom_cell(tmp_path):
    m = build_model(seed=35, L=2, H=2)
    t = {k: np.ldexp(v, -14) if k.endswith("W_V") else v for k, v in plain_tensors(m).items()}
    js = analyse_file(write_tensors(t, tmp_path / "tiny.npz"), dps=12).to_json()["model"]
    assert Fraction(js["measured"]["B_V"]) < GRID_UNIT
    assert js["posthoc"]["radii"]["B_V"] == "1/1024" and js["posthoc"]["indices"]["B_V"] == "0"


def test_heads_and_layers_come_from_config_json(tmp_path):
    m = build_model(seed=36, L=2, H=2)
    path = write_tensors(hf_tensors(m), tmp_path / "a" / "m.safetensors",
                         {"num_attention_heads": m.H, "num_hidden_layers": m.L + 1})
    js = analyse_file(path, dps=12).to_json()["model"]
    assert js["evaluated"] is False and "num_hidden_layers in config.json is 3" in js["reason"]
    assert "fixed_class" not in js and "posthoc" not in js
    path = write_tensors(hf_tensors(m), tmp_path / "b" / "m.safetensors", {"num_attention_heads": m.H})
    js = analyse_file(path, dps=12).to_json()["model"]
    assert js["evaluated"] is True and js["layers"] == "2"
    assert js["layers_source"].startswith("the layers in the file (config.json gives no num_hidden_layers")
    path = write_tensors(hf_tensors(m), tmp_path / "c" / "m.safetensors")          # --heads, no config
    js = analyse_file(path, heads=m.H, dps=12).to_json()["model"]
    assert js["heads_source"] == "--heads" and js["evaluated"] is True


def test_what_cannot_be_bounded_is_a_reason_not_a_number(tmp_path):
    m = build_model(seed=37, L=3, H=2)
    hf = write_model(m, tmp_path / "hf" / "m.safetensors", "hf-bert")
    sel = analyse_file(hf, layer=1, dps=12).to_json()["model"]
    assert sel["evaluated"] is False and "--layer/--head" in sel["reason"]
    t = hf_tensors(m)
    del t["bert.encoder.layer.1.attention.output.dense.weight"]
    js = analyse_file(write_tensors(t, tmp_path / "no" / "m.safetensors", {"num_attention_heads": m.H}),
                      dps=12).to_json()["model"]
    assert js["evaluated"] is False and "'bert.encoder.layer.1.attention.output.dense.weight'" in js["reason"]
    # the last layer's output projection is not needed (it is folded into the readout)
    t = hf_tensors(m)
    del t["bert.encoder.layer.2.attention.output.dense.weight"]
    assert analyse_file(write_tensors(t, tmp_path / "last" / "m.safetensors", {"num_attention_heads": m.H}),
                        dps=12).model.evaluated
    t = {k: v for k, v in plain_tensors(m).items() if not k.startswith("layer1.")}
    js = analyse_file(write_tensors(t, tmp_path / "gap.npz"), dps=12).to_json()["model"]
    assert js["evaluated"] is False and "layers [0, 2] are not 0, 1, ..., L - 1" in js["reason"]
    t = plain_tensors(m)
    for h in range(m.H):
        t[f"layer1.head{h}.W_Q"] = np.zeros_like(t[f"layer1.head{h}.W_Q"])
    for layer in range(m.L):
        for h in range(m.H):
            t[f"layer{layer}.head{h}.W_V"] = np.zeros_like(t[f"layer{layer}.head{h}.W_V"])
    rep = analyse_file(write_tensors(t, tmp_path / "zero.npz"), dps=12)
    js = rep.to_json()["model"]
    assert js["evaluated"] is False and "every value map is zero" in js["reason"] and js["measured"]["B_V"] == "0.0"
    json.dumps(rep.to_json(), allow_nan=False)
    t = plain_tensors(m, with_w=False)
    t["layer0.head1.W_V"] = np.ones((m.d, m.d + 2))            # a hidden value map cannot be d x (d + 2)
    js = analyse_file(write_tensors(t, tmp_path / "wide.npz"), dps=12).to_json()["model"]
    assert js["evaluated"] is False and "layer 0 head 1: W_V has 14 columns, more than d = 12" in js["reason"]


def test_one_layer_one_head_is_the_per_head_bound_of_section_5(tmp_path):
    """At H = L = 1 the fixed-class value is the per-head bound at the numerical ranks (the same class)."""
    m = build_model(seed=40, L=1, H=1)
    rep = analyse_file(write_model(m, tmp_path / "one.npz", "plain", form="bare"), dps=20)
    js = rep.to_json()["model"]
    assert (js["heads"], js["layers"]) == ("1", "1")
    with mpmath.workdps(20):
        assert mpmath.almosteq(mpmath.mpf(js["fixed_class"]["value"]), rep.heads[0].value("numerical_rank"),
                               rel_eps=mpmath.mpf("1e-18"))


def test_a_hidden_value_map_past_float64_stops_the_model_not_the_heads(tmp_path):
    m = build_model(seed=38, L=2, H=2)
    t = hf_tensors(m)
    t["bert.encoder.layer.0.attention.output.dense.weight"] = np.full((m.d, m.H * m.dh), 1e300)
    t["bert.encoder.layer.0.attention.self.value.weight"] = \
        np.ldexp(t["bert.encoder.layer.0.attention.self.value.weight"], 900)
    rep = analyse_file(write_tensors(t, tmp_path / "big" / "m.safetensors", {"num_attention_heads": m.H}), dps=12)
    js = rep.to_json()["model"]
    assert len(rep.heads) == m.L * m.H and js["evaluated"] is False
    assert "value map W_O,h W_V,h^T" in js["reason"] and "outside the float64 range" in js["reason"]
    assert js.get("measured") is None                       # partial maxima are not reported


def test_layernorm_B_X_takes_the_largest_layer(tmp_path):
    m = build_model(seed=39, L=3, H=2)
    rep = analyse_file(write_model(m, tmp_path / "m.safetensors", "hf-bert"), B_X_from="layernorm", dps=12)
    per_layer = {h.measure.layer: h.B_X for h in rep.heads}
    js = rep.to_json()["model"]
    assert js["B_X"]["value"] == repr(max(per_layer.values())) and len(set(per_layer.values())) == m.L
    assert js["B_X"]["source"].startswith("largest over the layers of sqrt(d) max|gamma|")
