"""numeric.weights.layout: naming rules, and one layer's tensors resident at a time."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from numeric.weights import WeightsError, detect_layout, iter_heads, measure_head, measure_value_map, open_tensors
from weights_models import CountingFile, build_model, hf_tensors, layer_of_names, write_model, write_tensors


@pytest.mark.parametrize("layout,fname", [("hf-bert", "m.safetensors"), ("plain", "m.npz")])
def test_only_one_layers_tensors_are_resident(tmp_path, layout, fname):
    m = build_model(seed=9, L=4)
    path = write_model(m, tmp_path / fname, layout)
    with open_tensors(path) as tf:
        lay = detect_layout(tf.names, m.H if layout == "hf-bert" else None)
        cf = CountingFile(tf, layer_of_names(lay))
        n = 0
        for hw in iter_heads(cf, lay, output_layers=set(lay.layers)):       # with the output projections
            measure_head(hw)
            if hw.W_O is not None:
                measure_value_map(hw)
            del hw
            n += 1
    assert n == m.L * m.H == lay.count_heads()
    layers_read = [lay_ for lay_, _ in cf.reads]
    assert layers_read == sorted(layers_read), "layers are read in order, each once"
    per_layer = {i: sum(1 for x in layers_read if x == i) for i in range(m.L)}
    assert per_layer == {i: len(lay.layer_names(i, output=True)) for i in range(m.L)}, "each tensor read once"
    assert len(lay.layer_names(0, output=True)) == 4 * (1 if layout == "hf-bert" else m.H)   # q k v o; Q K V w
    assert cf.violations == [], f"a layer's tensors were still alive when the next was read: {cf.violations[:2]}"


def test_iter_heads_reads_nothing_of_unselected_layers(tmp_path):
    m = build_model(seed=10, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert")
    with open_tensors(path) as tf:
        lay = detect_layout(tf.names, m.H)
        cf = CountingFile(tf, layer_of_names(lay))
        got = [(hw.layer, hw.head) for hw in iter_heads(cf, lay, layers=[1], heads=[2])]
    assert got == [(1, 2)] and {lay_ for lay_, _ in cf.reads} == {1}
    assert lay.count_heads([1], [2]) == 1 and lay.count_heads([7]) == 0


def test_peak_memory_is_about_one_layer(tmp_path):
    """tracemalloc peak while measuring a 6-layer file stays near one layer's bytes, far below the file's."""
    d, H, L = 128, 8, 6
    rng = np.random.default_rng(11)
    t = {f"encoder.layer.{i}.attention.self.{r}.weight": rng.standard_normal((d, d))
         for i in range(L) for r in ("query", "key", "value")}
    path = write_tensors(t, tmp_path / "big.safetensors", {"num_attention_heads": H})
    one_layer = 3 * d * d * 8
    with open_tensors(path) as tf:
        lay = detect_layout(tf.names, H)
        tracemalloc.start()
        try:
            for hw in iter_heads(tf, lay):
                measure_head(hw)
                del hw
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * one_layer, f"peak {peak} bytes; one layer is {one_layer}, the file {L * one_layer}"


def test_two_names_for_one_matrix_are_refused_not_overwritten():
    with pytest.raises(WeightsError, match="'layer0.W_Q' and 'layer00.W_Q' name the same matrix"):
        detect_layout(["layer0.W_Q", "layer0.W_K", "layer0.W_V", "layer00.W_Q"])
    hf = [f"e.layer.{i}.attention.self.{r}.weight" for i in ("1", "01") for r in ("query", "key", "value")]
    with pytest.raises(WeightsError, match="name the same matrix"):
        detect_layout(hf, 2)


def test_odd_indices_and_long_names_are_not_layout_tensors():
    """Non-ASCII digits, indices of 10+ digits and very long names are ignored like any other tensor."""
    base = ["W_Q", "W_K", "W_V"]
    odd = ["layer\u0663.W_Q", "layer1234567890.W_Q", "x" * 5000 + "layer.0.attention.self.query.weight"]
    lay = detect_layout(base + odd)
    assert lay.kind == "plain" and lay.layers == (0,) and set(lay.ignored) == set(odd)


def test_output_projections_are_read_only_when_asked_and_sliced_per_head(tmp_path):
    m = build_model(seed=12, L=3)
    path = write_model(m, tmp_path / "m.safetensors", "hf-bert")
    with open_tensors(path) as tf:
        lay = detect_layout(tf.names, m.H)
        outs = [f"bert.encoder.layer.{i}.attention.output.dense.weight" for i in range(m.L)]
        assert [lay.tensors[i]["output"] for i in range(m.L)] == outs and not set(outs) & set(lay.ignored)
        assert "bert.encoder.layer.0.output.dense.weight" in lay.ignored          # the feed-forward's, not W_O
        cf = CountingFile(tf, layer_of_names(lay))
        heads = list(iter_heads(cf, lay, output_layers={0, 1}))
    assert [n for _i, n in cf.reads if "attention.output" in n] == outs[:2]
    for hw in heads:
        hs = slice(hw.head * m.dh, (hw.head + 1) * m.dh)
        if hw.layer < 2:
            assert np.array_equal(hw.W_O, m.W_O[hw.layer][:, hs])
        else:
            assert hw.W_O is None
    with open_tensors(path) as tf:
        assert all(hw.W_O is None for hw in iter_heads(tf, lay))                  # not asked: not read


def test_an_output_projection_of_the_wrong_shape_is_refused(tmp_path):
    m = build_model(seed=13, L=2)
    t = hf_tensors(m)
    t["bert.encoder.layer.0.attention.output.dense.weight"] = np.ones((m.d + 1, m.H * m.dh))
    with open_tensors(write_tensors(t, tmp_path / "m.npz")) as tf:
        lay = detect_layout(tf.names, m.H)
        assert list(iter_heads(tf, lay))                                  # the per-head report does not read it
        with pytest.raises(WeightsError, match=r"layer 0: the attention output projection "
                                               r"'bert.encoder.layer.0.attention.output.dense.weight' has shape "
                                               r"\(13, 12\); expected \(d, value features\) = \(12, 12\)"):
            list(iter_heads(tf, lay, output_layers={0}))
