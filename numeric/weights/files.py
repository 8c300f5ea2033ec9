"""Reading weights files lazily: ``.safetensors`` and ``.npz``, and the ``config.json`` beside them.

File formats
------------
``.safetensors`` is read with the ``safetensors`` package's numpy API
(``safe_open(path, framework="np")`` and ``get_tensor`` per name; no torch);
``.npz`` with ``numpy.load`` (an ``NpzFile`` reads one member per access; pickled object
arrays are refused).  Only the tensors the caller asks for are read; the embedding matrix of
a ``.safetensors`` file is read in blocks of rows.

Before anything is opened the path must name an existing, non-empty, readable regular file: a
directory, a FIFO or a device is refused without being opened (a FIFO would block).  Every
failure is a :class:`~numeric.weights.common.WeightsError`, one line naming the file (paths that
are not UTF-8 are shown with ``\\xNN`` escapes), the tensor and the constraint.

Examples
--------
>>> import numpy as np, tempfile, os
>>> folder = tempfile.mkdtemp()
>>> open_tensors(folder)
Traceback (most recent call last):
...
numeric.weights.common.WeightsError: ...: is a directory, not a weights file
>>> path = os.path.join(folder, "m.npz")
>>> np.savez(path, W_E=np.array([[3.0, 4.0], [0.0, 1.0]]))
>>> with open_tensors(path) as tf:
...     tf.names, tf.shape("W_E"), tf.max_row_norm("W_E")
(('W_E',), (2, 2), 5.0)
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from numeric.weights.common import WeightsError, scaled_norm, show_path

__all__ = ["TensorFile", "open_tensors", "read_config_heads", "read_config_layers", "check_regular_file"]

_EMBED_CHUNK_ROWS = 1024
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _os_reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else type(exc).__name__


def check_regular_file(path: Path, what: str = "weights file") -> int:
    """The size of ``path`` if it is a readable regular file, else a :class:`WeightsError` saying why.

    Nothing that could block (a FIFO, a device) is opened.
    """
    shown = show_path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise WeightsError(f"{shown}: no such file") from None
    except OSError as exc:
        raise WeightsError(f"{shown}: cannot be examined ({_os_reason(exc)})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((label for test, label in _KINDS if test(st.st_mode)), "not a regular file")
        raise WeightsError(f"{shown}: is {kind}, not a {what}")
    try:
        with open(path, "rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise WeightsError(f"{shown}: cannot be read ({_os_reason(exc)})") from None
    return st.st_size


class TensorFile:
    """Lazy, read-only access to the named arrays of a ``.safetensors`` or ``.npz`` file.

    ``names`` lists the tensors without reading them; :meth:`get` reads one
    tensor (as float64, refused if it is not real floating point or not finite);
    :meth:`max_row_norm` reads a 2-D tensor in blocks of rows where the format
    allows it.  Use as a context manager (or call :meth:`close`).
    """

    def __init__(self, path: Path, fmt: str, handle: Any, names: tuple):
        self.path, self.format, self._h, self.names = path, fmt, handle, names
        self.label = show_path(path.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.format == "npz" and self._h is not None:
            self._h.close()
        self._h = None

    def _fail(self, name, what):
        return WeightsError(f"{self.label}: tensor {name!r}: {what}")

    def _raw(self, name: str):
        if name not in self.names:
            raise self._fail(name, "not in the file")
        try:
            if self.format == "safetensors":
                return self._h.get_tensor(name)
            return self._h[name]
        except WeightsError:
            raise
        except TypeError as exc:
            if "bfloat16" in str(exc):
                raise self._fail(name, "is stored as bfloat16, which the numpy reader of safetensors cannot read; "
                                       "convert the file to float32 or float16") from None
            raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise self._fail(name, "is an array of Python objects (pickled); only numeric arrays are "
                                       "read") from None
            raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None
        except Exception as exc:      # the libraries raise their own types for damaged data
            raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None

    def _as_float(self, name, a) -> np.ndarray:
        a = np.asarray(a)
        if a.dtype.kind != "f":
            raise self._fail(name, f"has dtype {a.dtype}; a real floating-point tensor is required")
        a = a.astype(np.float64, copy=False)
        if not np.all(np.isfinite(a)):
            bad = np.argwhere(~np.isfinite(a))[0]
            raise self._fail(name, f"holds non-finite values ({a[tuple(bad)]} at index {tuple(int(i) for i in bad)}); "
                                   f"refusing to measure it")
        return a

    def get(self, name: str) -> np.ndarray:
        """The tensor ``name`` as a float64 array."""
        return self._as_float(name, self._raw(name))

    def shape(self, name: str) -> tuple:
        """The shape of ``name`` (read from the header for ``.safetensors``; ``.npz`` reads the member)."""
        if self.format == "safetensors":
            if name not in self.names:
                raise self._fail(name, "not in the file")
            try:
                return tuple(int(s) for s in self._h.get_slice(name).get_shape())
            except Exception as exc:
                raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None
        return tuple(self._raw(name).shape)

    def max_row_norm(self, name: str, chunk_rows: int = _EMBED_CHUNK_ROWS) -> float:
        """The largest l2 norm of a row of the 2-D tensor ``name`` (blocks of rows for .safetensors).

        Rows are measured on power-of-two scaled copies, so entries near the float64 limits give the
        right norm or an error, never ``inf``.
        """
        what = f"{self.label}: the largest row l2 norm of tensor {name!r}"
        if self.format == "safetensors":
            shape = self.shape(name)
            if len(shape) != 2 or shape[0] == 0:
                raise self._fail(name, f"expected a non-empty 2-D matrix (rows = tokens), got shape {shape}")
            best = 0.0
            for start in range(0, shape[0], chunk_rows):
                try:
                    block = self._h.get_slice(name)[start:min(start + chunk_rows, shape[0])]
                except Exception as exc:
                    raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None
                block = self._as_float(name, block)
                best = max(best, float(np.max(scaled_norm(block, what, axis=1))))
            return best
        a = self.get(name)
        if a.ndim != 2 or a.shape[0] == 0:
            raise self._fail(name, f"expected a non-empty 2-D matrix (rows = tokens), got shape {a.shape}")
        return float(np.max(scaled_norm(a, what, axis=1)))


def open_tensors(path) -> TensorFile:
    """Open ``path`` (``.safetensors`` or ``.npz``) without reading any tensor."""
    path = Path(path)
    suffix = path.suffix.lower()
    size = check_regular_file(path)
    shown = show_path(path.name)
    if suffix not in (".safetensors", ".npz"):
        raise WeightsError(f"{shown}: unsupported file type {show_path(suffix)!r}; expected .safetensors or .npz")
    if size == 0:
        raise WeightsError(f"{shown}: is an empty file, not a {suffix} file")
    try:
        if suffix == ".safetensors":
            from safetensors import safe_open
            h = safe_open(str(path), framework="np")
            return TensorFile(path, "safetensors", h, tuple(h.keys()))
        h = np.load(path, allow_pickle=False)
        if not hasattr(h, "files"):
            raise WeightsError(f"{shown}: a .npz archive was expected, found a single array")
        return TensorFile(path, "npz", h, tuple(h.files))
    except WeightsError:
        raise
    except ImportError:
        raise WeightsError("reading .safetensors needs the 'safetensors' package (pip install safetensors)") from None
    except Exception as exc:
        raise WeightsError(f"{shown}: not a readable {suffix} file ({type(exc).__name__}: {exc})") from None


def _read_config(path) -> tuple:
    """``(config, shown path)``: the checked JSON object of the ``config.json`` beside ``path`` (``None`` if
    there is none).  ``num_attention_heads``, ``num_hidden_layers`` and ``hidden_size``, where present, are
    positive integers."""
    cfg_path = Path(path).with_name("config.json")
    shown = show_path(cfg_path)
    if not os.path.lexists(cfg_path):
        return None, shown
    check_regular_file(cfg_path, "JSON file")
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WeightsError(f"{shown}: not readable JSON ({type(exc).__name__}: {exc})") from None
    if not isinstance(cfg, dict):
        raise WeightsError(f"{shown}: expected a JSON object")
    for key in ("num_attention_heads", "num_hidden_layers", "hidden_size"):
        v = cfg.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
            raise WeightsError(f"{shown}: {key} must be a positive integer, got {v!r}")
    return cfg, shown


def read_config_heads(path, heads: int | None = None) -> tuple:
    """``(num_heads, source, hidden_size)`` from ``--heads`` and/or ``config.json`` beside ``path``.

    Either may be missing (``(None, None, None)`` when both are); when both are
    present they must agree.  ``hidden_size`` is ``None`` without a config.  A
    ``config.json`` that exists but is not a readable regular file is an error,
    never silently skipped.
    """
    cfg, shown = _read_config(path)
    cfg_heads = hidden = None
    if cfg is not None:
        cfg_heads, hidden = cfg.get("num_attention_heads"), cfg.get("hidden_size")
    if heads is not None and cfg_heads is not None and heads != cfg_heads:
        raise WeightsError(f"--heads {heads} disagrees with num_attention_heads = {cfg_heads} in {shown}; drop one")
    if heads is not None:
        return heads, "--heads", hidden
    if cfg_heads is not None:
        return cfg_heads, f"num_attention_heads in {show_path(Path(path).with_name('config.json').name)}", hidden
    return None, None, hidden


def read_config_layers(path) -> tuple:
    """``(num_hidden_layers, source)`` from the ``config.json`` beside ``path``, or ``(None, None)``.

    >>> import tempfile, os, json
    >>> folder = tempfile.mkdtemp()
    >>> with open(os.path.join(folder, "config.json"), "w") as fh:
    ...     json.dump({"num_hidden_layers": 12}, fh)
    >>> read_config_layers(os.path.join(folder, "m.safetensors"))
    (12, 'num_hidden_layers in config.json')
    """
    cfg, _shown = _read_config(path)
    layers = None if cfg is None else cfg.get("num_hidden_layers")
    if layers is None:
        return None, None
    return layers, f"num_hidden_layers in {show_path(Path(path).with_name('config.json').name)}"
