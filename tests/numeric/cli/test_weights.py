"""``rankbound weights``: output on good files; one-line errors and exit code 2 on bad ones and bad flags.

Hypothesis-driven fuzzing of the flags and of the weights' scale is in test_weights_fuzz.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from numeric.cli.main import main
from weights_models import build_model, hf_tensors, plain_tensors, write_model, write_tensors


def run_main(capsys, *argv):
    rc = main(["weights", *map(str, argv)])
    out, err = capsys.readouterr()
    return rc, out, err


def assert_usage_error(capsys, argv, *phrases):
    rc, out, err = run_main(capsys, *argv)
    assert rc == 2, (rc, out, err)
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rankbound: error: "), err
    for p in phrases:
        assert p in lines[0], (p, lines[0])
    return lines[0]


@pytest.fixture(scope="module")
def model():
    return build_model(seed=21)


@pytest.fixture
def hf_file(tmp_path, model):
    return write_model(model, tmp_path / "hf" / "model.safetensors", "hf-bert")


# ---------------------------------------------------------------------------------------------- good files


def test_table_lists_every_head_and_the_extremes(capsys, hf_file, model):
    rc, out, err = run_main(capsys, hf_file, "--dps", "12")
    assert rc == 0 and err == ""
    assert "layout hf-bert" in out and f"{model.L * model.H} head(s)" in out
    assert "num_attention_heads in config.json" in out
    assert "'bert.embeddings.word_embeddings.weight'" in out
    rows = [r for r in map(str.split, out.splitlines()) if len(r) >= 16 and r[0].isdigit() and r[1].isdigit()]
    assert [(int(r[0]), int(r[1])) for r in rows] == [(x.layer, x.head) for x in model.heads]
    for r in rows:
        x = model.head(int(r[0]), int(r[1]))
        assert (int(r[2]), int(r[3]), int(r[8]), int(r[9])) == (model.dh, len(x.s), model.dh, len(x.t))
    assert "bound at the rank bound: smallest layer" in out and "bound at the numerical rank: smallest" in out
    assert "NOTE:" in out and "prior bounds" in out


def test_json_layer_head_selection_and_flags(capsys, hf_file, model):
    rc, out, _ = run_main(capsys, hf_file, "--json", "--layer", 1, "--head", 2, "--n", "1e7", "--B-X", "2",
                          "--B-w", "0.25", "--rank-tol", "0.5", "--dps", 15)
    assert rc == 0
    js = json.loads(out)
    assert [(h["layer"], h["head"]) for h in js["heads"]] == [(1, 2)]
    h = js["heads"][0]
    x = model.head(1, 2)
    assert js["n"] == "10000000" and js["B_X"] == {"value": "2", "source": "--B-X"} and js["rank_tol"] == "0.5"
    assert h["B_w"] == {"value": "0.25", "source": "--B-w"}
    assert h["W_QK"]["numerical_rank"] == str(int(np.count_nonzero(x.s > 0.5 * x.s[0])))
    assert h["bounds"]["truong_at_rank_bound"]["params"]["n"] == "10000000"
    assert h["bounds"]["truong_at_rank_bound"]["params"]["B_X"] == "2"


def test_heads_flag_replaces_a_missing_config(capsys, tmp_path, model):
    path = write_tensors(hf_tensors(model), tmp_path / "m.npz")          # no config.json
    rc, out, _ = run_main(capsys, path, "--heads", model.H, "--json", "--dps", 10)
    assert rc == 0 and json.loads(out)["heads_source"] == "--heads"


def test_subprocess_success(tmp_path, model):
    path = write_model(model, tmp_path / "p.npz", "plain")
    r = subprocess.run([sys.executable, "-m", "numeric.cli", "weights", str(path), "--json", "--dps", "10"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    js = json.loads(r.stdout)
    assert js["layout"] == "plain" and len(js["heads"]) == model.L * model.H


def test_whole_model_text_says_which_bound_is_a_theorem_and_what_is_omitted(capsys, hf_file, model):
    rc, out, err = run_main(capsys, hf_file, "--dps", 12)
    assert rc == 0 and err == ""
    part = out[out.index("WHOLE MODEL"):]
    assert f"H = {model.H} heads (num_attention_heads in config.json)" in part
    assert f"L = {model.L} layers (num_hidden_layers in config.json)" in part
    theorem = next(line for line in part.splitlines() if "THEOREM" in line)
    what_if = next(line for line in part.splitlines() if "WHAT-IF, not a theorem" in line)
    assert part.index("post-hoc bound =") < part.index(theorem) < part.index("fixed-class bound at the measured")
    assert part.index("fixed-class bound at the measured") < part.index(what_if)
    assert "B_0 = 1/1024" in theorem and "delta_cell = " in part and "B_w = 1.0 (default 1" in part
    omitted = part[part.index("omitted by the section 8 model"):].splitlines()[1:]
    assert len(omitted) >= 5 and all(line.startswith("    - ") for line in omitted)
    for phrase in ("output projection is folded into the value maps", "feed-forward", "biases", "LayerNorm",
                   "projection Pi", "B_X is an assumption about the tokens every layer reads"):
        assert phrase in part, phrase


def test_whole_model_json_section(capsys, hf_file, model):
    rc, out, _ = run_main(capsys, hf_file, "--json", "--dps", 12, "--B-w", "2")
    assert rc == 0
    js = json.loads(out)["model"]
    assert set(js) >= {"heads", "layers", "d", "k", "n", "B_X", "L_sigma", "L_loss", "c", "delta", "measured",
                       "fixed_class", "posthoc", "omitted"}
    assert (js["heads"], js["layers"], js["k"], js["L_sigma"], js["c"]) == (str(model.H), str(model.L),
                                                                            str(model.dh), "1", "1")
    assert set(js["measured"]) >= {"B_w", "B_V", "B_QK", "r_w", "r_v"} and js["measured"]["B_w"] == "2"
    assert set(js["posthoc"]) == {"value", "radii", "ranks", "delta_cell", "indices", "status", "grid"}
    assert set(js["fixed_class"]) == {"value", "status"}
    rc, out, _ = run_main(capsys, hf_file, "--layer", 0, "--dps", 10)
    assert rc == 0 and "not evaluated: a layer or head was selected" in out and "THEOREM" not in out


# ---------------------------------------------------------------------------------------------- bad files


def test_corrupt_safetensors_subprocess(tmp_path):
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}" * 3)
    r = subprocess.run([sys.executable, "-m", "numeric.cli", "weights", str(bad)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "bad.safetensors: not a readable .safetensors file" in r.stderr


def test_missing_config_and_heads_subprocess(tmp_path, model):
    path = write_tensors(hf_tensors(model), tmp_path / "m.safetensors")
    r = subprocess.run([sys.executable, "-m", "numeric.cli", "weights", str(path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert "needs the number of heads" in r.stderr and "--heads" in r.stderr


def test_truncated_files(capsys, tmp_path, hf_file):
    data = hf_file.read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(data[: len(data) // 2])
    assert_usage_error(capsys, [cut], "cut.safetensors", "not a readable .safetensors file")
    npz = write_tensors(plain_tensors(build_model(seed=3)), tmp_path / "p.npz")
    blob = npz.read_bytes()
    cutz = tmp_path / "cut.npz"
    cutz.write_bytes(blob[: len(blob) // 2])
    assert_usage_error(capsys, [cutz, "--B-X", 1], "cut.npz", "not a readable .npz file")


def test_corrupt_member_of_an_npz(capsys, tmp_path, model):
    path = tmp_path / "z.npz"
    with zipfile.ZipFile(path, "w") as z:
        for name, a in plain_tensors(model).items():
            if name == "layer0.head1.W_K":
                z.writestr(name + ".npy", b"\x93NUMPY garbage")
            else:
                import io
                buf = io.BytesIO()
                np.save(buf, a)
                z.writestr(name + ".npy", buf.getvalue())
    assert_usage_error(capsys, [path], "tensor 'layer0.head1.W_K'", "cannot be read")


def test_missing_tensors(capsys, tmp_path, model):
    t = hf_tensors(model)
    del t["bert.encoder.layer.1.attention.self.key.weight"]
    path = write_tensors(t, tmp_path / "a" / "m.safetensors", {"num_attention_heads": model.H})
    assert_usage_error(capsys, [path], "layer 1 lacks", "'bert.encoder.layer.1.attention.self.key.weight'")
    p = plain_tensors(model)
    del p["layer0.head2.W_V"]
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "b.npz")], "layer 0 head 2 lacks ['W_V']")


def test_shape_mismatches(capsys, tmp_path, model):
    t = hf_tensors(model)
    t["bert.encoder.layer.0.attention.self.key.weight"] = t["bert.encoder.layer.0.attention.self.key.weight"][:, :-1]
    path = write_tensors(t, tmp_path / "a" / "m.safetensors", {"num_attention_heads": model.H})
    assert_usage_error(capsys, [path], "layer 0: shapes query", "do not match")
    path = write_tensors(hf_tensors(model), tmp_path / "c" / "m.safetensors",
                         {"num_attention_heads": model.H, "hidden_size": model.d + 1})
    assert_usage_error(capsys, [path], f"input dimension {model.d} differs from hidden_size = {model.d + 1}")
    p = plain_tensors(model)
    p["layer1.head0.W_V"] = p["layer1.head0.W_V"][:-1]
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "b.npz")], "layer 1 head 0: shapes W_Q")
    p = plain_tensors(model)
    p["layer0.head0.w"] = np.ones(model.dh + 1)
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "w.npz")], "'layer0.head0.w' has shape (5,)")
    p = plain_tensors(model)
    p["layer0.head0.W_Q"] = np.ones((model.d, model.dh, 1))
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "q.npz")], "2-D matrix is required")


def test_head_counts(capsys, tmp_path, model):
    path = write_tensors(hf_tensors(model), tmp_path / "a" / "m.safetensors")
    assert_usage_error(capsys, [path, "--heads", 5], f"{model.H * model.dh} output features, not divisible by 5 heads")
    path = write_tensors(hf_tensors(model), tmp_path / "b" / "m.safetensors", {"num_attention_heads": 5})
    assert_usage_error(capsys, [path], "not divisible by 5 heads (num_attention_heads in config.json)")
    path = write_model(model, tmp_path / "c" / "m.safetensors", "hf-bert")
    assert_usage_error(capsys, [path, "--heads", 4], "--heads 4 disagrees with num_attention_heads = 3")
    path = write_model(model, tmp_path / "p.npz", "plain")
    assert_usage_error(capsys, [path, "--heads", 2], "layer 0 holds 3 heads, but --heads says 2")
    assert_usage_error(capsys, [path, "--heads", 0], "--heads must be a positive integer")


def test_bad_config(capsys, tmp_path, model):
    path = write_tensors(hf_tensors(model), tmp_path / "m.safetensors")
    (tmp_path / "config.json").write_text("{oops")
    assert_usage_error(capsys, [path], "config.json: not readable JSON")
    (tmp_path / "config.json").write_text('{"num_attention_heads": "twelve"}')
    assert_usage_error(capsys, [path], "num_attention_heads must be a positive integer, got 'twelve'")


def test_unknown_layout_lists_the_names(capsys, tmp_path):
    path = write_tensors({"encoder.blocks.0.attn.c_attn.weight": np.ones((4, 12)), "lm_head": np.ones(3)},
                         tmp_path / "gpt.safetensors")
    line = assert_usage_error(capsys, [path], "no recognised attention layout",
                              "'encoder.blocks.0.attn.c_attn.weight', 'lm_head'")
    assert "hf-bert" in line and "plain" in line


def test_mixed_plain_forms_and_mixed_layouts(capsys, tmp_path, model):
    p = plain_tensors(model)
    p["head9.W_Q"] = p.pop("layer0.head0.W_Q")
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "a.npz")], "plain-layout names mix forms")
    both = dict(plain_tensors(model), **hf_tensors(model))
    assert_usage_error(capsys, [write_tensors(both, tmp_path / "b.npz"), "--heads", 3],
                       "both the hf-bert layout", "and the plain layout")


def test_B_X_required_without_an_embedding(capsys, tmp_path, model):
    path = write_tensors(plain_tensors(model, with_embedding=False), tmp_path / "m.npz")
    assert_usage_error(capsys, [path], "no embedding matrix to estimate B_X", "pass --B-X")
    assert_usage_error(capsys, [path, "--B-X", "-1"], "--B-X must be > 0")
    assert_usage_error(capsys, [path, "--B-X", "abc"], "--B-X must be a decimal number")


def test_files_and_values_that_cannot_be_measured(capsys, tmp_path, model):
    assert_usage_error(capsys, [tmp_path / "nope.safetensors"], "no such file")
    other = tmp_path / "m.pt"
    other.write_bytes(b"x")
    assert_usage_error(capsys, [other], "unsupported file type '.pt'")
    p = plain_tensors(model)
    p["layer0.head0.W_K"] = p["layer0.head0.W_K"].copy()
    p["layer0.head0.W_K"][0, 0] = np.nan
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "nan.npz")], "non-finite values")
    p = plain_tensors(model)
    p["layer0.head0.W_V"] = np.ones((model.d, model.dh), dtype=np.int32)
    assert_usage_error(capsys, [write_tensors(p, tmp_path / "int.safetensors")], "has dtype int32")


def test_bad_selections_and_flags(capsys, tmp_path, model):
    path = write_model(model, tmp_path / "p.npz", "plain")
    assert_usage_error(capsys, [path, "--layer", 7], "no layer 7 (--layer); layers: [0, 1]")
    assert_usage_error(capsys, [path, "--head", 9], "layer 0 has no head 9 (--head); heads: [0, 1, 2]")
    assert_usage_error(capsys, [path, "--layer", "x"], "--layer must be a non-negative integer")
    assert_usage_error(capsys, [path, "--rank-tol", 2], "--rank-tol must be a number in [0, 1)")
    assert_usage_error(capsys, [path, "--n", "0.5"], "--n must be a positive integer")
    assert_usage_error(capsys, [path, "--dps", 0], "--dps must be a positive integer")
    assert_usage_error(capsys, [path, "--dps", 10001], "parameter dps: must be an integer in [1, 10000]")
    assert_usage_error(capsys, [], "the following arguments are required: FILE")


def test_B_X_from_layernorm(capsys, hf_file, model):
    rc, out, _ = run_main(capsys, hf_file, "--B-X-from", "layernorm", "--dps", 10)
    assert rc == 0
    assert all(f"layer {i}: B_X = " in out for i in range(model.L)) and "a proved bound" in out
    assert "is an estimate" not in out
    assert_usage_error(capsys, [hf_file, "--B-X-from", "vibes"], "invalid choice: 'vibes'")


# ---------------------------------------------------------------------------------------------- flags


def test_every_flag_is_checked_and_named(capsys, tmp_path, model):
    path = write_model(model, tmp_path / "p.npz", "plain")
    assert_usage_error(capsys, [path, "--variant", "nonexistent"],
                       "--variant: unknown variant 'nonexistent'; known: default, sharp-softmax, dudley-half")
    for value in ("1e400", "-1e400", "nan", "inf", "1e-400"):
        line = assert_usage_error(capsys, [path, f"--rank-tol={value}"], "--rank-tol must be")
        assert value in line
    assert_usage_error(capsys, [path, "--rank-tol", "0.99999999999999999999"], "float64 does not round to 1")
    for flag in ("--B-X", "--B-w"):
        assert_usage_error(capsys, [path, flag, "nan"], f"{flag} must be a decimal number")
        assert_usage_error(capsys, [path, flag, "0"], f"{flag} must be > 0")
    for flag in ("--n", "--heads"):
        assert_usage_error(capsys, [path, flag, "1e-400"], f"{flag} must be a positive integer")
    for flag in ("--layer", "--head"):
        assert_usage_error(capsys, [path, flag, "-1"], f"{flag} must be a non-negative integer")
    assert_usage_error(capsys, [path, "--dps", "1e400"], "parameter dps")
    assert_usage_error(capsys, [path, "--dps", "9" * 5000], "--dps has more digits than can be read",
                       "(5000 characters)")
    assert_usage_error(capsys, [path, "--layer", "1e400"], "--layer must be a non-negative integer below 10^9")
    assert_usage_error(capsys, [path, "--B-X", "1e5000"], "--B-X must lie between 1e-4000 and 1e4000")


def test_a_flag_that_would_be_ignored_is_refused(capsys, tmp_path, model):
    path = write_model(model, tmp_path / "p.npz", "plain")
    for source in ("embedding", "layernorm"):
        assert_usage_error(capsys, [path, "--B-X", "2", "--B-X-from", source],
                           f"--B-X-from {source} cannot be combined with --B-X")
    rc, out, _ = run_main(capsys, path, "--B-X-from", "embedding", "--json", "--dps", 8)   # explicit default: fine
    assert rc == 0 and json.loads(out)["B_X"]["source"] == "max row l2 norm of tensor 'W_E'"


def test_numbers_past_float_range_are_read_exactly(capsys, tmp_path, model):
    """--n 1e400 and --B-X 1e-400 are valid exact numbers: the bound is evaluated at them (no overflow)."""
    path = write_model(model, tmp_path / "p.npz", "plain")
    rc, out, err = run_main(capsys, path, "--n", "1e400", "--B-X", "1e-400", "--layer", 0, "--head", 0, "--json",
                            "--dps", 8)
    assert rc == 0, err
    js = json.loads(out, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    ev = js["heads"][0]["bounds"]["truong_at_rank_bound"]
    assert js["n"] == "1" + "0" * 400 and ev["evaluated"] is True and ev["params"]["n"] == js["n"]


# ---------------------------------------------------------------------------------------------- odd files


def test_huge_finite_weights_give_figures_or_one_line(capsys, tmp_path, model):
    """Entries near 1e200: W_V's figures are reported; W_QK = W_Q W_K^T (about 1e400) is one error line."""
    t = {k: (v * 1e150 if k.endswith("W_V") else v) for k, v in plain_tensors(model).items()}
    rc, out, err = run_main(capsys, write_tensors(t, tmp_path / "v.npz"), "--json", "--dps", 8)
    assert rc == 0 and err == ""
    js = json.loads(out, parse_constant=lambda c: pytest.fail(f"JSON holds {c}"))
    assert len(js["heads"]) == model.L * model.H
    for h in js["heads"]:
        x = model.head(h["layer"], h["head"])
        assert abs(float(h["W_V"]["spectral"]) / (x.t[0] * 1e150) - 1) < 1e-9
    t = {k: (v * 1e200 if k.endswith(("W_Q", "W_K")) else v) for k, v in plain_tensors(model).items()}
    line = assert_usage_error(capsys, [write_tensors(t, tmp_path / "qk.npz")], "qk.npz: the Frobenius norm of layer 0 "
                              "head 0 W_QK = W_Q W_K^T is about", "outside the float64 range")
    assert "nan" not in line and "LAPACK" not in line


def test_directories_empty_files_and_fifos(capsys, tmp_path):
    assert_usage_error(capsys, [tmp_path], "is a directory, not a weights file")
    (tmp_path / "e.safetensors").write_bytes(b"")
    assert_usage_error(capsys, [tmp_path / "e.safetensors"], "e.safetensors: is an empty file")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "p.safetensors")
        r = subprocess.run([sys.executable, "-m", "numeric.cli", "weights", str(tmp_path / "p.safetensors")],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
        assert r.stderr.strip().splitlines() == [f"rankbound: error: {tmp_path / 'p.safetensors'}: is a FIFO (named "
                                                 f"pipe), not a weights file"]


def test_object_arrays_in_an_npz(capsys, tmp_path, model):
    t = plain_tensors(model)
    t["layer0.head0.W_V"] = np.array([[1, "a"]], dtype=object)
    path = tmp_path / "obj.npz"
    np.savez(path, **t)
    assert_usage_error(capsys, [path], "tensor 'layer0.head0.W_V': is an array of Python objects")


def test_a_path_that_is_not_utf8_subprocess(capsys, tmp_path, model):
    """A file name with a byte that is not UTF-8: the table and the error print it escaped (real encoded
    streams, in a subprocess), and so does the JSON; no traceback."""
    if sys.platform == "win32" or sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
        pytest.skip("needs a POSIX file system with UTF-8 names")
    raw = os.fsencode(str(tmp_path)) + b"/m\xff.npz"
    try:
        write_model(build_model(seed=22, L=1, H=1), os.fsdecode(raw), "plain")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    for args, rc in (([raw, b"--dps", b"8"], 0), ([raw + b"x"], 2)):
        r = subprocess.run([sys.executable, "-m", "numeric.cli", "weights", *args], capture_output=True, timeout=120,
                           env=env)
        out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")
        assert r.returncode == rc and "Traceback" not in err, err
        assert "m\\xff.npz" in out + err
    rc, out, _ = run_main(capsys, os.fsdecode(raw), "--json", "--dps", 8)
    assert rc == 0 and json.loads(out)["file"].endswith("m\\xff.npz")
