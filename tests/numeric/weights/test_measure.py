"""numeric.weights.measure: every figure against the construction, at every scale float64 can hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numeric.weights import (WeightsError, detect_layout, estimate_B_X, iter_heads, measure_head, measure_matrix,
                             measure_product, numerical_rank, open_tensors, read_config_heads)
from numeric.weights.layout import HeadWeights
from weights_models import REL, build_model, check_against_construction, close, col_norm_sum, write_model

CASES = [("hf-bert", "model.safetensors", {}), ("hf-bert", "model.npz", {}),
         ("plain", "model.safetensors", {"form": "layer.head"}), ("plain", "model.npz", {"form": "layer.head"}),
         ("plain", "model.npz", {"form": "head"})]


@pytest.mark.parametrize("layout,fname,kw", CASES)
def test_every_figure_matches_the_construction(tmp_path, layout, fname, kw):
    L = 2 if kw.get("form", "layer.head") == "layer.head" else 1     # 'head<h>.' names hold one layer
    m = build_model(seed=1, L=L)
    path = write_model(m, tmp_path / fname, layout, **kw)
    with open_tensors(path) as tf:
        heads, source, hidden = read_config_heads(path)
        lay = detect_layout(tf.names, heads, source or "--heads")
        assert lay.kind == layout and lay.layers == tuple(range(L))
        got = [measure_head(hw) for hw in iter_heads(tf, lay, hidden=hidden)]
        assert estimate_B_X(tf, lay)[0] == pytest.approx(m.B_X, rel=REL)
    assert [(g.layer, g.head) for g in got] == [(x.layer, x.head) for x in m.heads[:L * m.H]]
    for g in got:
        check_against_construction(g, m.head(g.layer, g.head), m.dh, m.d)
        if layout == "plain":
            assert close(g.w_norm, float(np.linalg.norm(m.head(g.layer, g.head).w)))
        else:
            assert g.w_norm is None


def test_rank_tolerance_counts_singular_values_above_tol_times_largest():
    A = np.diag([10.0, 1.0, 0.1, 0.0])
    assert [measure_matrix(A, tol).numerical_rank for tol in (0.0, 0.05, 0.5, 0.99)] == [3, 2, 1, 1]
    assert measure_matrix(np.zeros((3, 2))).numerical_rank == 0
    assert measure_matrix(np.zeros((3, 2))).stable_rank is None
    with pytest.raises(WeightsError, match="rank tolerance"):
        numerical_rank([1.0], 1.5)
    for bad in ("1e400", "-1e400", float("nan"), "abc", True):
        with pytest.raises(WeightsError, match="rank tolerance"):
            measure_matrix(A, bad)
    assert numerical_rank([2.0 ** -1070, 2.0 ** -1074], 0.5) == 1          # subnormal: tol * max does not flush


def test_product_route_agrees_with_a_full_svd():
    rng = np.random.default_rng(5)
    A, B = rng.standard_normal((30, 6)), rng.standard_normal((25, 6))
    q = measure_product(A, B)
    full = np.linalg.svd(A @ B.T, compute_uv=False)
    assert q.shape == (30, 25) and q.rank_bound == 6 and q.numerical_rank == 6
    assert np.allclose(q.singular_values, full[:6], rtol=1e-12)
    wide = measure_product(rng.standard_normal((3, 5)), rng.standard_normal((4, 5)))   # inner dim > rows
    assert wide.rank_bound == 3 and wide.numerical_rank == 3


def test_non_finite_entries_are_refused_with_the_matrix_named():
    W = np.ones((3, 2))
    W[1, 1] = np.inf
    with pytest.raises(WeightsError, match="W_V.*non-finite"):
        measure_matrix(W, name="W_V")
    with pytest.raises(WeightsError, match="left factor.*non-finite"):
        measure_product(W, np.ones((3, 2)))


# ---------------------------------------------------------------------------------------------- range

def _range_of(values) -> tuple:
    """(log2 of the smallest, log2 of the largest) of positive Python floats, by math.frexp (exact)."""
    logs = [math.log2(v) for v in values if v > 0]
    return min(logs), max(logs)


MODEL = build_model(seed=31, d=8, dh=3, H=1, L=1)
HEAD = MODEL.heads[0]
LOW, HIGH = math.log2(2.2250738585072014e-308), 1024.0      # the normal float64 range, in bits


def _figures_qk(x):
    """Independent figures of W_QK = U diag(s) V^T (from the construction), as Python floats."""
    s = [float(v) for v in x.s]
    return s + [math.sqrt(math.fsum(v * v for v in s)), col_norm_sum(x.W_QK), col_norm_sum(x.W_QK.T),
                math.fsum(abs(float(e)) for e in x.W_QK.ravel())]


def _figures_v(x):
    t = [float(v) for v in x.t]
    return t + [math.sqrt(math.fsum(v * v for v in t)), col_norm_sum(x.W_V), col_norm_sum(x.W_V.T),
                math.fsum(abs(float(e)) for e in x.W_V.ravel())]


@given(a=st.integers(-950, 1020), b=st.integers(-950, 1020), c=st.integers(-950, 1020))
def test_huge_and_tiny_weights_give_the_scaled_figures_or_a_range_error(a, b, c):
    """W_Q * 2^a, W_K * 2^b, W_V * 2^c: figures are the construction's times 2^(a+b) and 2^c (checked
    against independent sums), or a WeightsError naming the float64 range when one cannot be held."""
    x = HEAD
    hw = HeadWeights(0, 0, np.ldexp(x.W_Q, a), np.ldexp(x.W_K, b), np.ldexp(x.W_V, c), x.w)
    lo_qk, hi_qk = _range_of(_figures_qk(x))
    lo_v, hi_v = _range_of(_figures_v(x))
    fits = [LOW + 1 <= lo + e and hi + e <= HIGH - 1 for lo, hi, e in ((lo_qk, hi_qk, a + b), (lo_v, hi_v, c))]
    fails = [lo + e < LOW - 1 or hi + e > HIGH + 1 for lo, hi, e in ((lo_qk, hi_qk, a + b), (lo_v, hi_v, c))]
    try:
        m = measure_head(hw)
    except WeightsError as exc:
        assert "outside the float64 range" in str(exc) and "layer 0 head 0" in str(exc), str(exc)
        assert any(fails) or not all(fits), (a, b, c, str(exc))
        return
    assert all(fits) or not any(fails), (a, b, c)
    qk, v = m.qk, m.v
    for got, want, e in ((qk.frobenius, math.sqrt(math.fsum(x.s ** 2)), a + b), (qk.spectral, x.s[0], a + b),
                         (qk.norm_21, col_norm_sum(x.W_QK), a + b), (qk.norm_11, _figures_qk(x)[-1], a + b),
                         (v.frobenius, math.sqrt(math.fsum(x.t ** 2)), c), (v.norm_21, col_norm_sum(x.W_V), c)):
        assert math.isfinite(got) and got > 0 and close(math.ldexp(got, -e), want, 1e-9), (got, want, e)
    assert qk.numerical_rank == len(x.s) and v.numerical_rank == len(x.t)
    assert close(qk.stable_rank, math.fsum(x.s ** 2) / x.s[0] ** 2, 1e-9)
    assert all(math.isfinite(sv) for sv in qk.singular_values + v.singular_values)


@given(e=st.integers(-1000, 1020))
def test_row_norms_of_an_embedding_are_scale_equivariant(tmp_path_factory, e):
    """The token bound of W_E * 2^e is 2.5 * 2^e (the construction's largest row), or a range error."""
    path = tmp_path_factory.mktemp("emb") / "e.npz"
    np.savez(path, W_E=np.ldexp(MODEL.W_E, e))
    with open_tensors(path) as tf:
        assert close(math.ldexp(tf.max_row_norm("W_E"), -e), MODEL.B_X, 1e-12)


def test_a_noise_singular_value_below_the_range_is_zero_not_an_error():
    """W_QK of rank 1 through d_head 2: its second singular value is rounding noise; at the bottom of
    the float64 range it is reported as 0, while the figures that matter are exact."""
    A = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]])
    q = measure_product(np.ldexp(A, -500), np.ldexp(A, -500))
    assert q.numerical_rank == 1 and close(math.ldexp(q.spectral, 1000), 10.0, 1e-12)
    assert q.singular_values[1] == 0.0 or q.singular_values[1] >= 2.2250738585072014e-308


def test_figures_beyond_float64_name_the_figure_and_the_head():
    hw = HeadWeights(3, 1, np.full((4, 2), 1e200), np.full((4, 2), 1e200), np.eye(4)[:, :2], None)
    with pytest.raises(WeightsError, match=r"the Frobenius norm of layer 3 head 1 W_QK = W_Q W_K\^T is about "
                                           r"8\.00e\+400, outside the float64 range"):
        measure_head(hw)
    tiny = HeadWeights(0, 0, np.full((4, 2), 1e-200), np.full((4, 2), 1e-200), np.eye(4)[:, :2], None)
    with pytest.raises(WeightsError, match=r"about 8\.00e-400, outside the float64 range"):
        measure_head(tiny)
    with pytest.raises(WeightsError, match=r"\|\|w\|\|_2 of layer 0 head 0 is about"):
        measure_head(HeadWeights(0, 0, np.eye(4)[:, :2], np.eye(4)[:, :2], np.eye(4)[:, :2],
                                 np.array([1.7e308, 1.7e308])))
