"""Fuzzing ``rankbound weights``: hostile flag values, weights at every scale, damaged files.

Every run ends with exit code 0 and a report free of ``nan``/``inf`` (JSON that a strict parser
reads), or exit code 2 and one line on stderr that names the culprit; never a traceback or
LAPACK chatter.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import run_cli
from weights_models import build_model, plain_tensors, write_tensors

MODEL = build_model(seed=51, d=6, dh=2, H=1, L=1, vocab=8)
FLAGS = {"--n": "1000", "--rank-tol": "0.001", "--B-X": "1", "--B-w": "2", "--dps": "6", "--layer": "0",
         "--head": "0", "--heads": "1"}
EXTREMES = ["1e400", "-1e400", "1e-400", "-1e-400", "1e308", "1.8e308", "2e308", "4.9e-324", "1e100000",
            "1e100001", "nan", "NaN", "inf", "-inf", "Infinity", "0", "-0", "0.0", "1", "0.5", "0x10", "1_000",
            "", " ", "1e", "--", "9" * 5000, "1/2", "\u0663", "1e-5\n", "\x00"]


def strict_json(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"the JSON holds {c}"))


def run(argv):
    rc, out, err = run_cli(["weights", *argv])
    assert rc in (0, 2), (rc, argv)
    assert "Traceback" not in err and "LAPACK" not in err and "illegal value" not in err
    return rc, out, err


def check_clean_output(out: str, as_json: bool):
    if as_json:
        js = strict_json(out)
        text = json.dumps(js)
    else:
        text = out
    for token in ("nan", "inf"):
        assert not any(w.strip("(),;:'\"").lower() in (token, "-" + token) for w in text.split()), token


@pytest.fixture(scope="module")
def plain_file(tmp_path_factory):
    return write_tensors(plain_tensors(MODEL), tmp_path_factory.mktemp("fuzz") / "p.npz")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flag=st.sampled_from(sorted(FLAGS)),
       value=st.one_of(st.sampled_from(EXTREMES), st.text(alphabet="0123456789.eE+-_ x", max_size=12)),
       as_json=st.booleans())
def test_hostile_flag_values(plain_file, flag, value, as_json):
    argv = [str(plain_file)] + [f"{f}={v}" for f, v in FLAGS.items() if f != flag] + [f"{flag}={value}"]
    rc, out, err = run(argv + (["--json"] if as_json else []))
    if rc == 2:
        lines = err.strip().splitlines()
        assert out == "" and len(lines) == 1 and lines[0].startswith("rankbound: error: "), err
        named = "dps" if flag == "--dps" else flag
        assert named in lines[0], (flag, value, lines[0])
    else:
        assert err == ""
        check_clean_output(out, as_json)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15)
@given(kq=st.integers(-320, 320), kk=st.integers(-320, 320), kv=st.integers(-320, 320), ke=st.integers(-320, 320))
def test_weights_at_every_scale(tmp_path, kq, kk, kv, ke):
    """W_Q, W_K, W_V, W_E scaled by 10^k each (some entries overflow to inf, or underflow): figures that
    float64 holds are reported and right; anything else is one line naming the tensor or the figure."""
    x = MODEL.heads[0]
    with np.errstate(over="ignore", under="ignore"):
        scale = lambda A, k: (A * np.power(10.0, k / 2)) * np.power(10.0, k / 2)    # noqa: E731 - inf past 1e308
        t = {"W_Q": scale(x.W_Q, kq), "W_K": scale(x.W_K, kk), "W_V": scale(x.W_V, kv), "W_E": scale(MODEL.W_E, ke)}
    path = write_tensors(t, tmp_path / f"s{kq}_{kk}_{kv}_{ke}.npz")
    rc, out, err = run([str(path), "--json", "--dps", "6"])
    if rc == 2:
        line = err.strip()
        assert len(line.splitlines()) == 1 and "nan" not in line.lower().replace("non-finite", ""), line
        assert any(p in line for p in ("outside the float64 range", "non-finite values", "is zero")), line
        return
    js = strict_json(out)
    h = js["heads"][0]
    fro = float(h["W_V"]["frobenius"])
    assert math.isclose(math.log10(fro), math.log10(math.sqrt(math.fsum(x.t ** 2))) + kv, abs_tol=1e-9), (fro, kv)
    assert h["W_V"]["numerical_rank"] == str(len(x.t))
    assert float(js["B_X"]["value"]) > 0


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15)
@given(data=st.data())
def test_damaged_files(tmp_path, data):
    """A valid file with bytes overwritten or cut off, in either format."""
    suffix = data.draw(st.sampled_from([".npz", ".safetensors"]))
    good = tmp_path / f"good{suffix}"
    if not good.exists():
        write_tensors(plain_tensors(MODEL), good)
    blob = bytearray(good.read_bytes())
    for _ in range(data.draw(st.integers(0, 3))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    blob = blob[:data.draw(st.integers(0, len(blob)))]
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(bytes(blob))
    rc, out, err = run([str(bad), "--dps", "6"])
    if rc == 2:
        assert len(err.strip().splitlines()) == 1 and f"bad{suffix}" in err, err
    else:
        check_clean_output(out, False)
