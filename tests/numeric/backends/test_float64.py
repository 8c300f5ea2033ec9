"""float64 vectorised evaluation agrees with the mpmath evaluation (numeric.evaluate) to rel 1e-12."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import strategies as S
from numeric import evaluate
from numeric.errors import ParameterError, UsageError
from numeric.backends.float64 import evaluate_array, np_logplus, vectorised

REL = 1e-12


@given(S.parameter_sets(), st.sampled_from(["default", "sharp-softmax", "dudley-half"]))
@example({"B_QK": 1 / 64, "B_X": 1.0}, "default")     # the QK block's C below U: the first Piecewise branch
def test_float64_agrees_with_mpmath(params, variant):
    v = float(evaluate_array(params, variant=variant))
    ref = evaluate(params, dps=30, variant=variant).value
    assert abs(v - float(ref)) <= REL * float(ref), (v, ref)


@given(st.lists(S.sample_sizes(max_value=10**12, huge_max=10**15), min_size=1, max_size=20))
def test_broadcast_over_n_matches_pointwise(ns):
    arr = np.array(ns, dtype=float)
    vals = evaluate_array({"n": arr, "d": 64, "r_w": 8})
    assert vals.shape == arr.shape
    for n, v in zip(ns, vals):
        ref = evaluate({"n": int(np.float64(n)), "d": 64, "r_w": 8}, dps=20).value   # the float64 value of n
        assert abs(v - float(ref)) <= REL * float(ref)


def test_broadcasting_of_two_arrays():
    out = evaluate_array({"n": np.array([[1e4], [1e6]]), "r_w": np.array([1, 8, 64])})
    assert out.shape == (2, 3)
    assert np.all(np.diff(out, axis=1) > 0)          # grows with r_w
    assert np.all(out[0] > out[1])                   # decays with n


def test_logplus_is_vectorised():
    x = np.array([0.5, 1.0, np.e, 10.0])
    assert np.allclose(np_logplus(x), [0.0, 0.0, 1.0, np.log(10.0)])


def test_compiled_once_per_variant():
    assert vectorised("default") is vectorised("default")
    assert vectorised("default") is not vectorised("sharp-softmax")


@pytest.mark.parametrize("params, name", [
    ({"n": np.array([10.0, -1.0])}, "n"),
    ({"n": np.array([10.5])}, "n"),
    ({"delta": 1.5}, "delta"),
    ({"B_X": np.nan}, "B_X"),
    ({"r_w": np.array([10_000])}, "r_w"),
])
def test_bad_input_names_the_parameter(params, name):
    with pytest.raises(ParameterError) as info:
        evaluate_array(params)
    assert info.value.name == name


def test_unknown_parameter_and_variant():
    with pytest.raises(UsageError):
        evaluate_array({"q": 1})
    with pytest.raises(UsageError):
        evaluate_array(variant="nope")


# --- sweep and plot ----------------------------------------------------------------------------------
def test_parse_vary_and_sweep_agree_with_pointwise_evaluation():
    from numeric.compare.sweep import parse_vary, sweep
    name, grid = parse_vary("n=1e2:1e12:log:200")
    assert name == "n" and len(grid) == 200 and grid[0] == 100 and grid[-1] == 10**12
    rows = sweep("truong", name, grid, quiet=True)
    for r in rows[::50]:
        ref = evaluate({"n": r["n"]}, dps=20).value
        assert abs(r["value"] - float(ref)) <= REL * float(ref)
    name, grid = parse_vary("B_QK=0.001:10:lin:7")
    assert name == "B_QK" and grid[0] == 0.001 and len(grid) == 7


@pytest.mark.parametrize("spec, word", [("q=1:2", "--vary"), ("n=5:1", "n"), ("n=0:10:log:5", "n"),
                                         ("n=1:10:log:1", "vary"), ("nonsense", "--vary"), ("delta=0.1:2:lin:3", "delta")])
def test_bad_vary_is_one_line(spec, word, capsys):
    from numeric.cli.main import main
    rc = main(["sweep", "--vary", spec, "--quiet"])
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1 and word in err


def test_cli_sweep_csv_and_json(capsys):
    import json
    from numeric.cli.main import main
    assert main(["sweep", "--vary", "n=1e2:1e4:log:3", "--csv", "--quiet"]) == 0
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert lines[0] == "n,value" and len(lines) == 4 and err == ""
    assert main(["sweep", "--vary", "n=1e8:1e10:log:2", "--bound", "edelman", "--json", "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["bound"] == "edelman" and [p["n"] for p in data["points"]] == [10**8, 10**10]
    assert data["points"][0]["value"] > data["points"][1]["value"]


def test_cli_plot_writes_a_non_blank_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from numeric.cli.main import main
    out = tmp_path / "bounds.png"
    assert main(["plot", "--vary", "n=1e4:1e12:log:6", "--bounds", "truong,edelman", "--out", str(out),
                 "--quiet"]) == 0
    import matplotlib.image as mpimg
    img = mpimg.imread(str(out))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
    rgb = img[..., :3]
    assert np.mean(np.any(rgb < 0.9, axis=-1)) > 0.01        # a fair share of non-white pixels
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 10     # lines in several colours
