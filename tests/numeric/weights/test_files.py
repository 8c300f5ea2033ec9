"""numeric.weights.files: odd paths and damaged files are WeightsErrors that say what is wrong."""

from __future__ import annotations

import io
import os
import sys
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from numeric.weights import WeightsError, open_tensors, read_config_heads
from numeric.weights import files as F
from weights_models import build_model, plain_tensors, write_model, write_tensors

MODEL = build_model(seed=41, d=6, dh=2, H=2, L=1)


def read_everything(path):
    """Open ``path`` and read every tensor (the errors that may come out are WeightsErrors only)."""
    with open_tensors(path) as tf:
        for name in tf.names:
            try:
                tf.get(name)
            except WeightsError:
                pass
        return tf.names


def test_a_directory_is_not_a_weights_file(tmp_path):
    (tmp_path / "model.safetensors").mkdir()
    for p in (tmp_path, tmp_path / "model.safetensors"):
        with pytest.raises(WeightsError, match="is a directory, not a weights file"):
            open_tensors(p)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(WeightsError, match="nope.npz: no such file"):
        open_tensors(tmp_path / "nope.npz")
    for suffix in (".npz", ".safetensors"):
        (tmp_path / f"e{suffix}").write_bytes(b"")
        with pytest.raises(WeightsError, match=rf"e{suffix}: is an empty file, not a \{suffix} file"):
            open_tensors(tmp_path / f"e{suffix}")
    (tmp_path / "e.pt").write_bytes(b"")
    with pytest.raises(WeightsError, match="unsupported file type '.pt'"):
        open_tensors(tmp_path / "e.pt")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_fifo_is_refused_without_being_opened(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: it must be refused from its type alone."""
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(WeightsError, match=r"pipe.npz: is a FIFO \(named pipe\), not a weights file"):
        open_tensors(fifo)
    model = write_model(MODEL, tmp_path / "m" / "model.safetensors", "hf-bert", config=False)
    os.mkfifo(model.parent / "config.json")
    with pytest.raises(WeightsError, match="config.json: is a FIFO"):
        read_config_heads(model)


def test_config_json_that_is_not_a_file_is_not_skipped(tmp_path):
    model = write_model(MODEL, tmp_path / "model.safetensors", "hf-bert", config=False)
    (tmp_path / "config.json").mkdir()
    with pytest.raises(WeightsError, match="config.json: is a directory, not a JSON file"):
        read_config_heads(model)


def test_permission_denied_names_the_reason(tmp_path, monkeypatch):
    path = write_model(MODEL, tmp_path / "m.npz", "plain")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(F, "open", denied, raising=False)      # the module's probe uses open()
    with pytest.raises(WeightsError, match="m.npz: cannot be read \\(permission denied\\)"):
        open_tensors(path)


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="file modes do not stop this user from reading")
def test_permission_denied_on_a_real_file(tmp_path):
    path = write_model(MODEL, tmp_path / "m.npz", "plain")
    path.chmod(0)
    try:
        with pytest.raises(WeightsError, match="cannot be read \\(permission denied\\)"):
            open_tensors(path)
    finally:
        path.chmod(0o600)


def test_non_utf8_file_names_are_shown_escaped(tmp_path):
    if sys.platform == "win32" or sys.getfilesystemencoding().lower() not in ("utf-8", "utf8"):
        pytest.skip("needs a POSIX file system with UTF-8 names")
    raw = os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.npz")       # a surrogate-escaped str
    try:
        write_tensors(plain_tensors(MODEL), raw)
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses names that are not UTF-8")
    with open_tensors(raw) as tf:
        assert tf.label == "caf\\xe9.npz" and "W_E" in tf.names
        tf.label.encode("utf-8")                       # printable: no lone surrogates left
    with pytest.raises(WeightsError) as info:
        open_tensors(raw[:-4] + "x.npz")
    assert "caf\\xe9x.npz: no such file" in str(info.value)
    str(info.value).encode("utf-8")


def test_object_arrays_in_an_npz_are_refused_not_unpickled(tmp_path):
    path = tmp_path / "obj.npz"
    t = plain_tensors(MODEL)
    t["layer0.head0.W_K"] = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, **t)                                # numpy pickles object arrays into the archive
    with open_tensors(path) as tf:
        with pytest.raises(WeightsError, match=r"tensor 'layer0.head0.W_K': is an array of Python objects"):
            tf.get("layer0.head0.W_K")


def test_damaged_members_and_values(tmp_path):
    path = tmp_path / "z.npz"
    with zipfile.ZipFile(path, "w") as z:
        buf = io.BytesIO()
        np.save(buf, np.array([[1.0, np.nan], [np.inf, 2.0]]))
        z.writestr("W_Q.npy", buf.getvalue())
        z.writestr("W_K.npy", b"\x93NUMPY garbage")
        buf = io.BytesIO()
        np.save(buf, np.ones((2, 2), dtype=np.int64))
        z.writestr("W_V.npy", buf.getvalue())
    with open_tensors(path) as tf:
        with pytest.raises(WeightsError, match=r"tensor 'W_Q': holds non-finite values \(nan at index \(0, 1\)\)"):
            tf.get("W_Q")
        with pytest.raises(WeightsError, match="tensor 'W_K': cannot be read"):
            tf.get("W_K")
        with pytest.raises(WeightsError, match="tensor 'W_V': has dtype int64"):
            tf.get("W_V")
        with pytest.raises(WeightsError, match="tensor 'w': not in the file"):
            tf.get("w")


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_every_truncation_is_a_weights_error(tmp_path, suffix):
    good = write_tensors(plain_tensors(MODEL), tmp_path / f"good{suffix}")
    data = good.read_bytes()
    for cut in sorted({1, 7, 8, 9, 20, len(data) // 3, len(data) // 2, len(data) - 1}):
        bad = tmp_path / f"cut{cut}{suffix}"
        bad.write_bytes(data[:cut])
        try:
            read_everything(bad)
        except WeightsError as exc:
            assert bad.name in str(exc)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_damage_to_a_safetensors_file(tmp_path, data):
    """Bytes overwritten anywhere (header or data): the file reads, or a WeightsError says why."""
    good = tmp_path / "good.safetensors"
    if not good.exists():
        write_tensors(plain_tensors(MODEL), good)
    blob = bytearray(good.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(bytes(blob))
    try:
        read_everything(bad)
    except WeightsError as exc:
        assert "bad.safetensors" in str(exc)


def test_bfloat16_tensors_say_what_to_do(tmp_path):
    """safetensors' numpy reader has no bfloat16: the error says so and how to convert (no traceback)."""
    import json
    import struct
    header = {"W_Q": {"dtype": "BF16", "shape": [4, 2], "data_offsets": [0, 16]},
              "W_K": {"dtype": "F32", "shape": [4, 2], "data_offsets": [16, 48]}}
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    path = tmp_path / "bf16.safetensors"
    path.write_bytes(struct.pack("<Q", len(h)) + h + bytes(16) + np.ones(8, np.float32).tobytes())
    with open_tensors(path) as tf:
        assert tf.get("W_K").shape == (4, 2)
        with pytest.raises(WeightsError, match="tensor 'W_Q': is stored as bfloat16.*convert the file"):
            tf.get("W_Q")
