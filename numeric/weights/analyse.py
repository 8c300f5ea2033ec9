"""Read a trained transformer's attention weights and measure what the bound needs.

Explanation
-----------
The bound (MATH.md sections 1, 4, 5) is stated for one head: ``W_QK = W_Q W_K^T``
(d x d) of rank at most ``r_w`` and Frobenius norm at most ``B_QK``, ``W_V`` (d x k)
of rank at most ``r_v`` and Frobenius norm at most ``B_V``, a readout ``||w||_2 <= B_w``
and tokens ``||x_t||_2 <= B_X``.  This module reads those matrices from a weights
file, one layer at a time, and measures for each head:

- ``rank_bound``: the rank the factorisation guarantees, ``min(d, d_head)`` (exact:
  ``W_QK`` is a product through the head dimension, ``W_V`` has ``d_head`` columns);
- ``numerical_rank``: the number of singular values ``> rank_tol * largest``;
- ``spectral`` ``||W||_2``, ``frobenius`` ``||W||_F`` and ``stable_rank``
  ``||W||_F^2 / ||W||_2^2`` (``None`` for a zero matrix);
- ``norm_21``: the (2,1) norm **as a sum of column l2 norms**,
  ``||W||_{2,1} = sum_j ||W[:, j]||_2`` (the convention of Edelman et al. 2022,
  ``||A||_{p,q} = ||(||A_{:,1}||_p, ..., ||A_{:,m}||_p)||_q``); ``norm_21_rows`` is the
  same norm of ``W^T`` (sum of row norms; Edelman's score constraint is on
  ``||W_QK^T||_{2,1}``); ``norm_11`` is the entrywise l1 norm (Trauger-Tewari).

All arithmetic is float64 (weights stored in lower precision are widened first).
The singular values of ``W_QK`` come from the small core ``R_Q R_K^T`` of the QR
factorisations ``W_Q = Q_Q R_Q``, ``W_K = Q_K R_K`` (the same nonzero singular
values as the d x d product, at the cost of a d_head x d_head SVD); its
Frobenius and (2,1) norms come from the explicit product.

File formats
------------
``.safetensors`` is read with the ``safetensors`` package's numpy API
(``safe_open(path, framework="np")`` and ``get_tensor`` per name; no torch);
``.npz`` with ``numpy.load`` (an ``NpzFile`` reads one member per access).  Only
the tensors of the layer being measured are resident at a time; the embedding
matrix of a ``.safetensors`` file is read in blocks of rows.

Layouts (the exact naming)
--------------------------
``hf-bert`` (Hugging Face BERT family: BERT, RoBERTa, ELECTRA, ...): tensors named
``<prefix>layer.<i>.attention.self.{query,key,value}.weight`` (``<prefix>`` is
anything, e.g. ``bert.encoder.``, and must be the same for every tensor; the
``.bias`` tensors are ignored).  Linear weights are stored (out, in), so for head
``h`` of ``H`` with ``d_head = out / H``:
``W_Q = query.weight[h*d_head:(h+1)*d_head, :].T`` (d x d_head), likewise ``W_K``
and ``W_V``.  ``H`` is ``num_attention_heads`` of a ``config.json`` in the same
directory as the file, or ``--heads`` (if both are given they must agree).  The
readout ``w`` is not part of a BERT layer: ``B_w`` comes from the caller
(default 1).  The token bound ``B_X`` is estimated from
``<prefix'>embeddings.word_embeddings.weight`` when present (see
:func:`estimate_B_X`), or bounded per layer from the LayerNorm that feeds the
layer (:func:`layernorm_B_X`).

``plain``: tensors named ``[layer<i>.][head<h>.]<ROLE>`` with ``ROLE`` in ``W_Q``,
``W_K`` (both d x d_qk), ``W_V`` (d x k) and the optional readout ``w`` (shape (k,));
``<i>`` and ``<h>`` are decimal integers.  Every head tensor of a file uses the same
form (with or without ``layer<i>.``, with or without ``head<h>.``); a missing
``layer`` means layer 0 and a missing ``head`` means head 0, so bare ``W_Q``,
``W_K``, ``W_V``, ``w`` is the single-head setting of MATH.md.  An optional ``W_E``
(vocabulary x d) holds token embeddings for :func:`estimate_B_X`.

Tensors that belong to neither layout are ignored (they are counted in the
report); a file in which no layout is found is refused with the list of the
names it holds.  Every error is a :class:`WeightsError` (a
:class:`~numeric.errors.UsageError`: one line, naming the file, the tensor and
the constraint).

Examples
--------
>>> import numpy as np
>>> from numeric.weights.analyse import measure_matrix, measure_product
>>> W = np.outer([1.0, 2.0, 2.0], [3.0, 4.0])        # rank 1, ||W||_F = 3 * 5
>>> m = measure_matrix(W)
>>> m.rank_bound, m.numerical_rank, round(m.frobenius, 12), round(m.stable_rank, 12)
(2, 1, 15.0, 1.0)
>>> round(m.norm_21, 12), round(m.norm_21_rows, 12)   # columns 9 + 12; rows 5 + 10 + 10
(21.0, 25.0)
>>> A = np.eye(4)[:, :2]                              # W_Q = W_K: W_QK is a rank-2 projection
>>> q = measure_product(A, A)
>>> q.shape, q.rank_bound, q.numerical_rank, round(q.spectral, 12), round(q.stable_rank, 12)
((4, 4), 2, 2, 1.0, 2.0)

References
----------
MATH.md sections 1 and 7; Edelman, Goel, Kakade, Zhang (ICML 2022) for the (p,q) norms.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from numeric.errors import NotCertified, UsageError

__all__ = ["WeightsError", "DEFAULT_RANK_TOL", "MatrixStats", "numerical_rank", "measure_matrix",
           "measure_product", "TensorFile", "open_tensors", "Layout", "detect_layout", "read_config_heads",
           "HeadWeights", "iter_heads", "HeadMeasure", "measure_head", "estimate_B_X", "layernorm_B_X", "head_params",
           "PRIOR_BOUNDS", "CONVENTIONS", "HeadBound", "WeightsReport", "analyse_file"]

#: default relative tolerance of the numerical rank: singular values <= tol * largest are not counted.
#: It sits near float32 rounding for d in the hundreds (d * 2**-24 is about 4.6e-5 at d = 768), so
#: it counts only directions that are clearly not storage noise; pass a larger one for an
#: "effective" rank.
DEFAULT_RANK_TOL = 1e-5

_EMBED_CHUNK_ROWS = 1024
_ROLES = ("W_Q", "W_K", "W_V", "w")


class WeightsError(UsageError):
    """A weights file that cannot be read or does not hold a recognised attention layout."""


# ----------------------------------------------------------------------------------------------
# measuring one matrix


@dataclass(frozen=True)
class MatrixStats:
    """Rank and norm figures of one matrix (float64; see the module docstring for conventions)."""

    shape: tuple
    rank_bound: int
    numerical_rank: int
    rank_tol: float
    singular_values: tuple      # the (at most rank_bound) candidate nonzero singular values, descending
    spectral: float
    frobenius: float
    norm_21: float              # sum of column l2 norms
    norm_21_rows: float         # sum of row l2 norms = ||W^T||_{2,1}
    norm_11: float              # sum of absolute entries

    @property
    def stable_rank(self) -> float | None:
        """``||W||_F^2 / ||W||_2^2``; ``None`` for the zero matrix (where it is undefined)."""
        if self.spectral == 0.0:
            return None
        return (self.frobenius / self.spectral) ** 2

    def to_json(self) -> dict:
        """Every figure as a decimal string (floats at their shortest round-trip repr)."""
        sr = self.stable_rank
        return {"shape": [str(s) for s in self.shape], "rank_bound": str(self.rank_bound),
                "numerical_rank": str(self.numerical_rank), "rank_tol": _dec(self.rank_tol),
                "spectral": _dec(self.spectral), "frobenius": _dec(self.frobenius),
                "norm_21": _dec(self.norm_21), "norm_21_rows": _dec(self.norm_21_rows),
                "norm_11": _dec(self.norm_11), "stable_rank": None if sr is None else _dec(sr),
                "singular_values": [_dec(s) for s in self.singular_values]}


def _dec(x) -> str:
    """A float as a decimal string that reads back to the same float (a Fraction exactly)."""
    if isinstance(x, Fraction):
        from numeric.params import _fmt_exact
        return _fmt_exact(x)
    return repr(float(x))


def _check_tol(rank_tol) -> float:
    tol = float(rank_tol)
    if not (math.isfinite(tol) and 0.0 <= tol < 1.0):
        raise WeightsError(f"rank tolerance must be a number in [0, 1), got {rank_tol!r}")
    return tol


def numerical_rank(singular_values, rank_tol: float = DEFAULT_RANK_TOL) -> int:
    """The number of singular values ``> rank_tol * max(singular_values)`` (0 for a zero matrix).

    >>> numerical_rank([3.0, 1e-3, 1e-9], 1e-6)
    2
    >>> numerical_rank([0.0, 0.0])
    0
    """
    s = np.asarray(singular_values, dtype=np.float64)
    tol = _check_tol(rank_tol)
    if s.size == 0 or s.max() == 0.0:
        return 0
    return int(np.count_nonzero(s > tol * s.max()))


def _stats(P: np.ndarray, sv: np.ndarray, rank_bound: int, tol: float) -> MatrixStats:
    sv = np.sort(np.asarray(sv, dtype=np.float64))[::-1]
    return MatrixStats(
        shape=tuple(int(x) for x in P.shape), rank_bound=int(rank_bound),
        numerical_rank=numerical_rank(sv, tol), rank_tol=tol,
        singular_values=tuple(float(x) for x in sv[:rank_bound]),
        spectral=float(sv[0]) if sv.size else 0.0,
        frobenius=float(np.linalg.norm(P)),
        norm_21=float(np.linalg.norm(P, axis=0).sum()),
        norm_21_rows=float(np.linalg.norm(P, axis=1).sum()),
        norm_11=float(np.abs(P).sum()))


def measure_matrix(W, rank_tol: float = DEFAULT_RANK_TOL, rank_bound: int | None = None) -> MatrixStats:
    """Rank and norm figures of a 2-D matrix ``W`` (``rank_bound`` defaults to ``min(W.shape)``).

    >>> m = measure_matrix(np.diag([2.0, 1.0, 0.0]))
    >>> m.numerical_rank, m.spectral, round(m.frobenius ** 2, 12), round(m.stable_rank, 12)
    (2, 2.0, 5.0, 1.25)
    """
    tol = _check_tol(rank_tol)
    W = np.ascontiguousarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise WeightsError(f"expected a 2-D matrix, got shape {W.shape}")
    sv = np.linalg.svd(W, compute_uv=False) if W.size else np.zeros(0)
    return _stats(W, sv, min(W.shape) if rank_bound is None else rank_bound, tol)


def measure_product(A, B, rank_tol: float = DEFAULT_RANK_TOL) -> MatrixStats:
    """Figures of ``A @ B.T`` (``A``: d1 x m, ``B``: d2 x m); ``rank_bound = min(d1, d2, m)``.

    The singular values are those of the m x m core ``R_A R_B^T`` (QR of each
    factor) when both factors are tall, so the d1 x d2 SVD is never formed.

    >>> m = measure_product(np.ones((5, 1)), np.ones((3, 1)))     # the all-ones 5 x 3 matrix
    >>> m.shape, m.rank_bound, m.numerical_rank, round(m.spectral ** 2, 12)
    ((5, 3), 1, 1, 15.0)
    """
    tol = _check_tol(rank_tol)
    A = np.ascontiguousarray(A, dtype=np.float64)      # LAPACK on a strided view is ~50x slower
    B = np.ascontiguousarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[1]:
        raise WeightsError(f"factors of A @ B.T must be 2-D with equal column counts, got {A.shape} and {B.shape}")
    P = A @ B.T
    m = A.shape[1]
    if A.shape[0] >= m and B.shape[0] >= m and m > 0:
        ra = np.linalg.qr(A, mode="r")
        rb = np.linalg.qr(B, mode="r")
        sv = np.linalg.svd(ra @ rb.T, compute_uv=False)
    else:
        sv = np.linalg.svd(P, compute_uv=False) if P.size else np.zeros(0)
    return _stats(P, sv, min(A.shape[0], B.shape[0], m), tol)


# ----------------------------------------------------------------------------------------------
# reading files lazily


class TensorFile:
    """Lazy, read-only access to the named arrays of a ``.safetensors`` or ``.npz`` file.

    ``names`` lists the tensors without reading them; :meth:`get` reads one
    tensor (as float64, refused if it is not real floating point or not finite);
    :meth:`max_row_norm` reads a 2-D tensor in blocks of rows where the format
    allows it.  Use as a context manager (or call :meth:`close`).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> np.savez(path, W_E=np.array([[3.0, 4.0], [0.0, 1.0]]))
    >>> with open_tensors(path) as tf:
    ...     tf.names, tf.max_row_norm("W_E")
    (('W_E',), 5.0)
    """

    def __init__(self, path: Path, fmt: str, handle: Any, names: tuple):
        self.path, self.format, self._h, self.names = path, fmt, handle, names

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.format == "npz" and self._h is not None:
            self._h.close()
        self._h = None

    def _fail(self, name, what):
        return WeightsError(f"{self.path.name}: tensor {name!r}: {what}")

    def _raw(self, name: str):
        if name not in self.names:
            raise self._fail(name, "not in the file")
        try:
            if self.format == "safetensors":
                return self._h.get_tensor(name)
            return self._h[name]
        except WeightsError:
            raise
        except Exception as exc:      # the libraries raise their own types for damaged data
            raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None

    def _as_float(self, name, a) -> np.ndarray:
        a = np.asarray(a)
        if a.dtype.kind != "f":
            raise self._fail(name, f"has dtype {a.dtype}; a real floating-point tensor is required")
        a = a.astype(np.float64, copy=False)
        if not np.all(np.isfinite(a)):
            raise self._fail(name, "holds non-finite values (nan or inf); refusing to measure it")
        return a

    def get(self, name: str) -> np.ndarray:
        """The tensor ``name`` as a float64 array."""
        return self._as_float(name, self._raw(name))

    def shape(self, name: str) -> tuple:
        """The shape of ``name`` (read from the header for ``.safetensors``; ``.npz`` reads the member)."""
        if self.format == "safetensors":
            try:
                return tuple(int(s) for s in self._h.get_slice(name).get_shape())
            except Exception as exc:
                raise self._fail(name, f"cannot be read ({type(exc).__name__}: {exc})") from None
        return tuple(self._raw(name).shape)

    def max_row_norm(self, name: str, chunk_rows: int = _EMBED_CHUNK_ROWS) -> float:
        """The largest l2 norm of a row of the 2-D tensor ``name`` (blocks of rows for .safetensors)."""
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
                best = max(best, math.sqrt(float(np.einsum("ij,ij->i", block, block).max())))
            return best
        a = self.get(name)
        if a.ndim != 2 or a.shape[0] == 0:
            raise self._fail(name, f"expected a non-empty 2-D matrix (rows = tokens), got shape {a.shape}")
        return float(np.linalg.norm(a, axis=1).max())


def open_tensors(path) -> TensorFile:
    """Open ``path`` (``.safetensors`` or ``.npz``) without reading any tensor."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".safetensors":
            from safetensors import safe_open
            h = safe_open(str(path), framework="np")
            return TensorFile(path, "safetensors", h, tuple(h.keys()))
        if suffix == ".npz":
            h = np.load(path, allow_pickle=False)
            if not hasattr(h, "files"):
                raise WeightsError(f"{path.name}: a .npz archive was expected, found a single array")
            return TensorFile(path, "npz", h, tuple(h.files))
    except WeightsError:
        raise
    except ImportError:
        raise WeightsError("reading .safetensors needs the 'safetensors' package (pip install safetensors)") from None
    except Exception as exc:
        raise WeightsError(f"{path.name}: not a readable {suffix} file ({type(exc).__name__}: {exc})") from None
    raise WeightsError(f"{path.name}: unsupported file type {suffix!r}; expected .safetensors or .npz")


# ----------------------------------------------------------------------------------------------
# layouts

_HF = re.compile(r"^(?P<prefix>.*?)layer\.(?P<layer>\d+)\.attention\.self\.(?P<role>query|key|value)\.weight$")
_PLAIN = re.compile(r"^(?:layer(?P<layer>\d+)\.)?(?:head(?P<head>\d+)\.)?(?P<role>W_Q|W_K|W_V|w)$")


@dataclass(frozen=True)
class Layout:
    """Where each head's matrices live in a file.

    ``tensors[layer]`` maps a role to a tensor name: ``"query"``, ``"key"``,
    ``"value"`` for ``hf-bert`` (split into ``num_heads`` heads), and
    ``(head, role)`` with role in ``W_Q``, ``W_K``, ``W_V``, ``w`` for ``plain``.
    """

    kind: str
    layers: tuple
    tensors: Mapping
    num_heads: int | None
    heads_source: str
    embedding: str | None
    ignored: tuple = field(default=())
    prefix: str = ""           # hf-bert: the text before 'layer.<i>.attention...' (e.g. 'bert.encoder.')

    def heads(self, layer: int) -> tuple:
        """The head indices of ``layer``."""
        if self.kind == "hf-bert":
            return tuple(range(self.num_heads))
        return tuple(sorted({h for (h, _r) in self.tensors[layer]}))

    def layer_names(self, layer: int, head: int | None = None) -> tuple:
        """The tensor names needed for ``layer`` (only ``head``'s, if given, in the plain layout)."""
        t = self.tensors[layer]
        if self.kind == "hf-bert":
            return tuple(t[r] for r in ("query", "key", "value"))
        return tuple(name for (h, _r), name in sorted(t.items()) if head is None or h == head)


def _names_list(names, limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in list(names)[:limit])
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return (shown + more) if names else "no tensors at all"


def detect_layout(names, num_heads: int | None = None, heads_source: str = "--heads",
                  file_label: str = "the file") -> Layout:
    """Recognise the layout of a file from its tensor names alone.

    ``num_heads`` is needed by the ``hf-bert`` layout (its query/key/value
    matrices hold every head of a layer); in the ``plain`` layout the heads are
    named, and a given ``num_heads`` must equal each layer's head count.

    >>> detect_layout(["layer0.head1.W_Q", "layer0.head1.W_K", "layer0.head1.W_V"]).tensors[0][(1, "W_V")]
    'layer0.head1.W_V'
    >>> lay = detect_layout([f"enc.layer.0.attention.self.{r}.weight" for r in ("query", "key", "value")], 2)
    >>> lay.kind, lay.layers, lay.heads(0)
    ('hf-bert', (0,), (0, 1))
    >>> detect_layout(["foo", "bar"])
    Traceback (most recent call last):
    ...
    numeric.weights.analyse.WeightsError: the file: no recognised attention layout ...; found 'foo', 'bar'
    """
    names = list(names)
    hf = [(m, n) for n in names if (m := _HF.match(n))]
    plain = [(m, n) for n in names if (m := _PLAIN.match(n))]
    if hf and plain:
        raise WeightsError(f"{file_label}: holds tensors of both the hf-bert layout ({hf[0][1]!r}) and the plain "
                           f"layout ({plain[0][1]!r}); keep one")
    if hf:
        return _hf_layout(names, hf, num_heads, heads_source, file_label)
    if plain:
        return _plain_layout(names, plain, num_heads, heads_source, file_label)
    raise WeightsError(f"{file_label}: no recognised attention layout (hf-bert: "
                       f"'...layer.<i>.attention.self.{{query,key,value}}.weight'; plain: "
                       f"'[layer<i>.][head<h>.]W_Q|W_K|W_V|w'); found {_names_list(names)}")


def _hf_layout(names, hits, num_heads, heads_source, file_label) -> Layout:
    prefixes = sorted({m["prefix"] for m, _n in hits})
    if len(prefixes) > 1:
        raise WeightsError(f"{file_label}: attention tensors under several prefixes {prefixes}; one model per file")
    tensors: dict = {}
    for m, n in hits:
        tensors.setdefault(int(m["layer"]), {})[m["role"]] = n
    for layer, roles in sorted(tensors.items()):
        missing = [r for r in ("query", "key", "value") if r not in roles]
        if missing:
            want = ", ".join(f"'{prefixes[0]}layer.{layer}.attention.self.{r}.weight'" for r in missing)
            raise WeightsError(f"{file_label}: layer {layer} lacks {want}")
    if num_heads is None:
        raise WeightsError(f"{file_label}: the hf-bert layout needs the number of heads per layer: put a "
                           f"config.json with num_attention_heads beside the file, or pass --heads")
    if isinstance(num_heads, bool) or not isinstance(num_heads, int) or num_heads < 1:
        raise WeightsError(f"number of heads must be a positive integer, got {num_heads!r} (from {heads_source})")
    prefix = prefixes[0]
    base = prefix[:-len("encoder.")] if prefix.endswith("encoder.") else prefix
    embedding = next((c for c in (f"{base}embeddings.word_embeddings.weight",
                                  f"{prefix}embeddings.word_embeddings.weight") if c in names), None)
    used = {n for _m, n in hits}
    ignored = tuple(n for n in names if n not in used and n != embedding)
    return Layout("hf-bert", tuple(sorted(tensors)), tensors, num_heads, heads_source, embedding, ignored, prefix)


def _plain_layout(names, hits, num_heads, heads_source, file_label) -> Layout:
    forms = {(m["layer"] is not None, m["head"] is not None) for m, _n in hits}
    if len(forms) > 1:
        raise WeightsError(f"{file_label}: plain-layout names mix forms (with and without 'layer<i>.' or "
                           f"'head<h>.'): {_names_list([n for _m, n in hits])}")
    tensors: dict = {}
    for m, n in hits:
        layer = int(m["layer"]) if m["layer"] is not None else 0
        head = int(m["head"]) if m["head"] is not None else 0
        tensors.setdefault(layer, {})[(head, m["role"])] = n
    for layer, t in sorted(tensors.items()):
        heads = sorted({h for h, _r in t})
        for h in heads:
            missing = [r for r in ("W_Q", "W_K", "W_V") if (h, r) not in t]
            if missing:
                raise WeightsError(f"{file_label}: layer {layer} head {h} lacks {missing} "
                                   f"(has {sorted(t[(h, r)] for r in _ROLES if (h, r) in t)})")
        if num_heads is not None and num_heads != len(heads):
            raise WeightsError(f"{file_label}: layer {layer} holds {len(heads)} heads, but {heads_source} "
                               f"says {num_heads}")
    embedding = "W_E" if "W_E" in names else None
    used = {n for _m, n in hits}
    ignored = tuple(n for n in names if n not in used and n != embedding)
    return Layout("plain", tuple(sorted(tensors)), tensors, num_heads, heads_source, embedding, ignored)


def read_config_heads(path, heads: int | None = None) -> tuple:
    """``(num_heads, source, hidden_size)`` from ``--heads`` and/or ``config.json`` beside ``path``.

    Either may be missing (``(None, None, None)`` when both are); when both are
    present they must agree.  ``hidden_size`` is ``None`` without a config.
    """
    cfg_path = Path(path).with_name("config.json")
    cfg_heads = hidden = None
    if cfg_path.is_file():
        try:
            cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise WeightsError(f"{cfg_path}: not readable JSON ({exc})") from None
        if not isinstance(cfg, dict):
            raise WeightsError(f"{cfg_path}: expected a JSON object")
        cfg_heads = cfg.get("num_attention_heads")
        hidden = cfg.get("hidden_size")
        for key, v in (("num_attention_heads", cfg_heads), ("hidden_size", hidden)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise WeightsError(f"{cfg_path}: {key} must be a positive integer, got {v!r}")
    if heads is not None and cfg_heads is not None and heads != cfg_heads:
        raise WeightsError(f"--heads {heads} disagrees with num_attention_heads = {cfg_heads} in {cfg_path}; "
                           f"drop one")
    if heads is not None:
        return heads, "--heads", hidden
    if cfg_heads is not None:
        return cfg_heads, f"num_attention_heads in {cfg_path.name}", hidden
    return None, None, hidden


# ----------------------------------------------------------------------------------------------
# heads, one layer at a time


@dataclass(frozen=True, eq=False)
class HeadWeights:
    """One head's matrices in the orientation of MATH.md section 1 (``W_Q``, ``W_K``: d x d_qk; ``W_V``: d x k)."""

    layer: int
    head: int
    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    w: np.ndarray | None


def _split_hf(tf_label, layout: Layout, layer: int, arrays: Mapping, hidden: int | None, heads=None) -> list:
    t = layout.tensors[layer]
    q, k, v = (arrays[t[r]] for r in ("query", "key", "value"))
    for r, a in zip(("query", "key", "value"), (q, k, v)):
        if a.ndim != 2:
            raise WeightsError(f"{tf_label}: tensor {t[r]!r} has shape {a.shape}; a Linear weight (out, in) "
                               f"is 2-D")
    d = q.shape[1]
    if k.shape != q.shape or v.shape[1] != d:
        raise WeightsError(f"{tf_label}: layer {layer}: shapes query {q.shape}, key {k.shape}, value {v.shape} "
                           f"do not match (query and key equal, all with the same input dimension)")
    if hidden is not None and d != hidden:
        raise WeightsError(f"{tf_label}: layer {layer}: input dimension {d} differs from hidden_size = {hidden} "
                           f"in config.json")
    H = layout.num_heads
    for r, a in (("query/key", q), ("value", v)):
        if a.shape[0] % H:
            raise WeightsError(f"{tf_label}: layer {layer}: {r} has {a.shape[0]} output features, not divisible "
                               f"by {H} heads ({layout.heads_source})")
    dq, dv = q.shape[0] // H, v.shape[0] // H
    out = []
    for h in range(H) if heads is None else heads:
        out.append(HeadWeights(layer, h, q[h * dq:(h + 1) * dq, :].T, k[h * dq:(h + 1) * dq, :].T,
                               v[h * dv:(h + 1) * dv, :].T, None))
    return out


def _split_plain(tf_label, layout: Layout, layer: int, arrays: Mapping, heads=None) -> list:
    t = layout.tensors[layer]
    out = []
    for h in layout.heads(layer) if heads is None else heads:
        a = {r: arrays[t[(h, r)]] for r in _ROLES if (h, r) in t}
        where = f"{tf_label}: layer {layer} head {h}"
        for r in ("W_Q", "W_K", "W_V"):
            if a[r].ndim != 2:
                raise WeightsError(f"{where}: {t[(h, r)]!r} has shape {a[r].shape}; a 2-D matrix is required")
        d = a["W_Q"].shape[0]
        if a["W_K"].shape != a["W_Q"].shape or a["W_V"].shape[0] != d:
            raise WeightsError(f"{where}: shapes W_Q {a['W_Q'].shape}, W_K {a['W_K'].shape}, W_V {a['W_V'].shape} "
                               f"do not match (W_Q, W_K: d x d_qk; W_V: d x k)")
        w = a.get("w")
        if w is not None and w.shape != (a["W_V"].shape[1],):
            raise WeightsError(f"{where}: {t[(h, 'w')]!r} has shape {w.shape}; expected ({a['W_V'].shape[1]},) "
                               f"(one entry per column of W_V)")
        out.append(HeadWeights(layer, h, a["W_Q"], a["W_K"], a["W_V"], w))
    return out


def iter_heads(tf: TensorFile, layout: Layout, layers=None, heads=None, hidden: int | None = None) \
        -> Iterator[HeadWeights]:
    """Yield every selected head, reading one layer's tensors at a time.

    ``layers`` and ``heads`` (iterables of indices, default all) select what is
    read; a layer's arrays are dropped before the next layer is read, so at
    most one layer's tensors are resident (plus what the caller keeps).  Every
    head of the file must share the input dimension d.
    """
    label = tf.path.name
    d_seen = None
    for layer in layout.layers if layers is None else layers:
        if layer not in layout.tensors:
            raise WeightsError(f"{label}: no layer {layer}; layers: {list(layout.layers)}")
        sel = None
        if heads is not None:
            sel = list(heads)
            bad = [h for h in sel if h not in layout.heads(layer)]
            if bad:
                raise WeightsError(f"{label}: layer {layer} has no head {bad[0]}; heads: {list(layout.heads(layer))}")
        names = layout.layer_names(layer) if layout.kind == "hf-bert" or sel is None else \
            tuple(n for h in sel for n in layout.layer_names(layer, h))
        arrays = {n: tf.get(n) for n in names}
        if layout.kind == "hf-bert":
            out = _split_hf(label, layout, layer, arrays, hidden, sel)
        else:
            out = _split_plain(label, layout, layer, arrays, sel)
        del arrays
        for hw in out:
            if d_seen is not None and hw.W_Q.shape[0] != d_seen:
                raise WeightsError(f"{label}: layer {hw.layer} head {hw.head} has input dimension "
                                   f"{hw.W_Q.shape[0]}, earlier heads {d_seen}")
            d_seen = hw.W_Q.shape[0]
        hw = None              # the loop variable would keep this layer's arrays alive into the next layer
        while out:
            yield out.pop(0)


@dataclass(frozen=True)
class HeadMeasure:
    """The figures of one head: ``qk`` for ``W_QK = W_Q W_K^T``, ``v`` for ``W_V``, ``w_norm`` for ``||w||_2``."""

    layer: int
    head: int
    d: int
    k: int
    qk: MatrixStats
    v: MatrixStats
    w_norm: float | None

    def to_json(self) -> dict:
        return {"layer": self.layer, "head": self.head, "d": str(self.d), "k": str(self.k),
                "W_QK": self.qk.to_json(), "W_V": self.v.to_json(),
                "w_norm": None if self.w_norm is None else _dec(self.w_norm)}


def measure_head(hw: HeadWeights, rank_tol: float = DEFAULT_RANK_TOL) -> HeadMeasure:
    """Measure one head (``W_QK`` through :func:`measure_product`, ``W_V`` through :func:`measure_matrix`).

    >>> hw = HeadWeights(0, 0, np.eye(3)[:, :1], 2 * np.eye(3)[:, :1], np.ones((3, 2)), np.array([3.0, 4.0]))
    >>> m = measure_head(hw)
    >>> m.d, m.k, m.qk.rank_bound, m.qk.frobenius, m.v.rank_bound, m.v.numerical_rank, m.w_norm
    (3, 2, 1, 2.0, 2, 1, 5.0)
    """
    qk = measure_product(hw.W_Q, hw.W_K, rank_tol)
    v = measure_matrix(hw.W_V, rank_tol)
    w_norm = None if hw.w is None else float(np.linalg.norm(hw.w))
    return HeadMeasure(hw.layer, hw.head, int(hw.W_Q.shape[0]), int(hw.W_V.shape[1]), qk, v, w_norm)


def estimate_B_X(tf: TensorFile, layout: Layout) -> tuple | None:
    """``(B_X, description)`` from the largest row l2 norm of the layout's embedding matrix, or ``None``.

    An estimate, not a proof of ``||x_t||_2 <= B_X``: it is the norm of the raw
    token embeddings; the vectors a layer attends over also carry position and
    segment embeddings and (in BERT) a LayerNorm.
    """
    if layout.embedding is None:
        return None
    value = tf.max_row_norm(layout.embedding)
    if not value > 0.0:
        raise WeightsError(f"{tf.path.name}: tensor {layout.embedding!r} is zero; it gives no token bound B_X")
    return value, f"max row l2 norm of tensor {layout.embedding!r}"


def _ln_pair(tf: TensorFile, stem: str):
    for w, b in (("weight", "bias"), ("gamma", "beta")):
        if f"{stem}.{w}" in tf.names and f"{stem}.{b}" in tf.names:
            return f"{stem}.{w}", f"{stem}.{b}"
    return None


def layernorm_B_X(tf: TensorFile, layout: Layout, layer: int) -> tuple:
    """``(B_X, description)``: a proved bound on the tokens attention layer ``layer`` reads (post-LN encoders).

    In a post-LN BERT-family encoder (BERT, RoBERTa, ELECTRA) the tokens layer 0
    attends over are the output of ``embeddings.LayerNorm`` and those of layer
    ``i > 0`` the output of ``layer.<i-1>.output.LayerNorm``.  A LayerNorm output is
    ``y = gamma * z + beta`` with ``z = (x - mean) / sqrt(var + eps)``, so
    ``||z||_2^2 = d var / (var + eps) < d`` and
    ``||y||_2 <= sqrt(d) max_i |gamma_i| + ||beta||_2`` for every input (at
    inference; training-time dropout rescales by ``1 / (1 - p)``).  The names
    ``.weight``/``.bias`` and the older ``.gamma``/``.beta`` are accepted.  Not
    valid for pre-LN models, whose attention inputs are not LayerNorm outputs of
    this form.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "ln.npz")
    >>> np.savez(path, **{"embeddings.LayerNorm.weight": np.array([0.5, -2.0, 1.0, 1.0]),
    ...                   "embeddings.LayerNorm.bias": np.array([0.0, 0.0, 3.0, 4.0])})
    >>> lay = Layout("hf-bert", (0,), {0: {}}, 1, "--heads", None, (), "encoder.")
    >>> with open_tensors(path) as tf:
    ...     layernorm_B_X(tf, lay, 0)[0]                     # sqrt(4) * 2 + 5
    9.0
    """
    if layout.kind != "hf-bert":
        raise WeightsError(f"{tf.path.name}: a LayerNorm bound on B_X needs the hf-bert layout (the plain layout "
                           f"has no LayerNorm); pass --B-X")
    prefix = layout.prefix
    base = prefix[:-len("encoder.")] if prefix.endswith("encoder.") else prefix
    stem = f"{base}embeddings.LayerNorm" if layer == 0 else f"{prefix}layer.{layer - 1}.output.LayerNorm"
    pair = _ln_pair(tf, stem)
    if pair is None:
        raise WeightsError(f"{tf.path.name}: the LayerNorm before layer {layer} is missing: expected "
                           f"'{stem}.weight' and '{stem}.bias' (or .gamma and .beta); pass --B-X")
    gamma, beta = tf.get(pair[0]), tf.get(pair[1])
    if gamma.ndim != 1 or beta.shape != gamma.shape:
        raise WeightsError(f"{tf.path.name}: LayerNorm {stem!r}: weight {gamma.shape} and bias {beta.shape} must be "
                           f"vectors of the same length")
    d = gamma.shape[0]
    value = math.sqrt(d) * float(np.abs(gamma).max()) + float(np.linalg.norm(beta))
    if not value > 0.0:
        raise WeightsError(f"{tf.path.name}: LayerNorm {stem!r} is zero; it gives no token bound B_X")
    return value, f"sqrt(d) max|gamma| + ||beta||_2 of LayerNorm {stem!r} (a proved bound, post-LN encoder)"


def head_params(m: HeadMeasure, *, B_X: float, B_w: float, n: int, at: str = "rank_bound") -> dict:
    """The parameters of :func:`numeric.evaluate` for head ``m`` (other names come from the default preset).

    ``at`` is ``"rank_bound"`` (``r_w``, ``r_v`` = the exact rank bounds) or
    ``"numerical_rank"``.  ``B_QK = ||W_QK||_F`` and ``B_V = ||W_V||_F`` at both.
    Raises :class:`WeightsError` when a figure lies outside the bound's domain
    (rank 0, zero norm).

    >>> hw = HeadWeights(0, 0, np.eye(3)[:, :1], np.eye(3)[:, :1], np.eye(3)[:, :2], None)
    >>> p = head_params(measure_head(hw), B_X=1.5, B_w=1.0, n=1000)
    >>> p["d"], p["k"], p["r_w"], p["r_v"], p["B_QK"], p["B_V"] ** 2
    (3, 2, 1, 2, 1.0, 2.0...)
    """
    if at not in ("rank_bound", "numerical_rank"):
        raise WeightsError(f"at must be 'rank_bound' or 'numerical_rank', got {at!r}")
    r_w, r_v = getattr(m.qk, at), getattr(m.v, at)
    where = f"layer {m.layer} head {m.head}"
    if r_w < 1 or m.qk.frobenius == 0.0:
        raise WeightsError(f"{where}: W_QK has {at.replace('_', ' ')} {r_w} and norm {m.qk.frobenius}; the bound "
                           f"needs r_w >= 1 and B_QK > 0")
    if r_v < 1 or m.v.frobenius == 0.0:
        raise WeightsError(f"{where}: W_V has {at.replace('_', ' ')} {r_v} and norm {m.v.frobenius}; the bound "
                           f"needs r_v >= 1 and B_V > 0")
    return {"n": n, "d": m.d, "k": m.k, "r_w": r_w, "r_v": r_v, "B_QK": m.qk.frobenius, "B_V": m.v.frobenius,
            "B_w": B_w, "B_X": B_X}


# ----------------------------------------------------------------------------------------------
# the bound on every head of a file

#: the prior bounds of MATH.md section 7 that the report would evaluate per head
PRIOR_BOUNDS = ("edelman", "trauger-tewari")


@dataclass(frozen=True)
class HeadBound:
    """The bounds of one head: ``at_rank_bound`` and ``at_numerical_rank`` are Evaluations or error strings."""

    measure: HeadMeasure
    B_w: Any                # float (measured, default) or Fraction (given exactly)
    B_w_source: str
    B_X: Any
    B_X_source: str
    at_rank_bound: Any
    at_numerical_rank: Any
    prior: Mapping

    def value(self, at: str = "rank_bound"):
        ev = self.at_rank_bound if at == "rank_bound" else self.at_numerical_rank
        return None if isinstance(ev, str) else ev.value


@dataclass(frozen=True)
class WeightsReport:
    """Everything ``rankbound weights`` prints: the file, the conventions, every head and the extremes."""

    path: str
    format: str
    layout: Layout
    B_X: Any                # float (estimated) or Fraction (given exactly); None when it differs per layer
    B_X_source: str
    n: int
    rank_tol: float
    dps: int
    variant: str
    heads: tuple           # HeadBound, in file order
    prior_note: str | None

    def extremes(self, at: str = "rank_bound") -> dict:
        """The heads with the smallest and the largest bound (``None`` if no head was evaluated)."""
        ok = [h for h in self.heads if h.value(at) is not None]
        if not ok:
            return {"smallest": None, "largest": None}
        return {"smallest": min(ok, key=lambda h: h.value(at)), "largest": max(ok, key=lambda h: h.value(at))}

    def to_json(self) -> dict:
        """A JSON-ready dict; every figure is a decimal string (layer and head indices are integers)."""
        def ev_json(ev):
            if isinstance(ev, str):
                return {"evaluated": False, "reason": ev}
            out = ev.to_json()
            out["dps"] = str(out["dps"])
            out["evaluated"] = True
            return out

        def ext(at):
            e = self.extremes(at)
            return {k: None if h is None else {"layer": h.measure.layer, "head": h.measure.head,
                                               "value": _ev_fmt(h, at)} for k, h in e.items()}

        return {
            "command": "weights", "file": self.path, "format": self.format, "layout": self.layout.kind,
            "layers": [str(x) for x in self.layout.layers],
            "heads_per_layer": None if self.layout.num_heads is None else str(self.layout.num_heads),
            "heads_source": self.layout.heads_source if self.layout.kind == "hf-bert" else "tensor names",
            "ignored_tensors": str(len(self.layout.ignored)),
            "B_X": {"value": None if self.B_X is None else _dec(self.B_X), "source": self.B_X_source},
            "n": str(self.n), "rank_tol": _dec(self.rank_tol), "dps": str(self.dps), "variant": self.variant,
            "conventions": CONVENTIONS,
            "heads": [dict(h.measure.to_json(), B_w={"value": _dec(h.B_w), "source": h.B_w_source},
                           B_X={"value": _dec(h.B_X), "source": h.B_X_source},
                           bounds={"truong_at_rank_bound": ev_json(h.at_rank_bound),
                                   "truong_at_numerical_rank": ev_json(h.at_numerical_rank),
                                   "prior": dict(h.prior)})
                      for h in self.heads],
            "extremes": {"at_rank_bound": ext("rank_bound"), "at_numerical_rank": ext("numerical_rank")},
            "prior_note": self.prior_note,
        }


def _ev_fmt(h: HeadBound, at: str) -> str:
    ev = h.at_rank_bound if at == "rank_bound" else h.at_numerical_rank
    return ev.fmt(ev.value)


CONVENTIONS = {
    "W_QK": "W_Q W_K^T (d x d), W_Q and W_K d x d_head; HF Linear weights are (out, in), so W_Q = "
            "query.weight[h*d_head:(h+1)*d_head, :].T",
    "rank_bound": "min(d, d_head): the rank the factorisation guarantees (exact)",
    "numerical_rank": "number of singular values > rank_tol * largest singular value",
    "stable_rank": "||W||_F^2 / ||W||_2^2 (null for a zero matrix)",
    "norm_21": "sum of the l2 norms of the columns of W (Edelman et al. 2022's ||W||_{2,1})",
    "norm_21_rows": "sum of the l2 norms of the rows of W, i.e. ||W^T||_{2,1}",
    "norm_11": "sum of the absolute values of the entries",
    "bound": "numeric.evaluate with d, k = d_head of W_V, r_w, r_v, B_QK = ||W_QK||_F, B_V = ||W_V||_F, B_w, "
             "B_X, n; T, L_sigma, L_loss, c, delta from the default preset",
    "at_numerical_rank": "r_w, r_v = numerical ranks with the same Frobenius radii: a bound for the class that "
                         "contains the rank-truncated head, not the trained head itself",
}


def _prior_bounds(m: HeadMeasure, radii: Mapping, dps: int) -> tuple:
    """``({name: result}, note)``: the rebuilt prior bounds of MATH.md section 7 at the head's figures.

    Uses ``numeric.prior.evaluate_prior(name, params, dps)`` for every name in
    ``derive.prior.PRIORS`` (the rebuilt classes read ``B_QK``, ``B_V`` as Frobenius
    radii and ignore the ranks, so one value per head); a name of
    :data:`PRIOR_BOUNDS` not rebuilt yet is reported as not available.
    """
    try:
        from derive.prior import PRIORS

        from numeric.compare.priors import evaluate_prior
    except ImportError:
        note = "prior bounds (edelman, trauger-tewari) are not available: numeric.compare.priors is not installed"
        return {name: {"evaluated": False, "reason": "not available"} for name in PRIOR_BOUNDS}, note
    out = {}
    for name in PRIOR_BOUNDS + tuple(p for p in PRIORS if p not in PRIOR_BOUNDS):
        if name not in PRIORS:
            out[name] = {"evaluated": False, "reason": "not available: not rebuilt yet (numeric.compare.priors)"}
            continue
        try:
            ev = evaluate_prior(name, head_params(m, **radii), dps=dps)
        except (UsageError, NotCertified) as exc:
            out[name] = {"evaluated": False, "reason": " ".join(str(exc).split())}
            continue
        js = ev.to_json()
        js["dps"] = str(js["dps"])
        out[name] = dict(js, evaluated=True)
    missing = [n for n in PRIOR_BOUNDS if n not in PRIORS]
    note = ("rebuilt prior bounds (MATH.md section 7) are evaluated at each head's Frobenius radii, ranks ignored"
            + (f"; not available yet: {', '.join(missing)}" if missing else ""))
    return out, note


def analyse_file(path, *, heads: int | None = None, layer: int | None = None, head: int | None = None,
                 n: int = 10**6, rank_tol: float = DEFAULT_RANK_TOL, B_X=None, B_w=None, dps: int = 30,
                 variant: str = "default", B_X_from: str = "embedding") -> WeightsReport:
    """Measure every (selected) head of the weights file ``path`` and evaluate the bound on it.

    Parameters
    ----------
    path : str or Path
        A ``.safetensors`` or ``.npz`` file in the ``hf-bert`` or ``plain`` layout.
    heads : int, optional
        Heads per layer for the ``hf-bert`` layout (else ``config.json`` beside the file).
    layer, head : int, optional
        Restrict to one layer and/or one head index.
    n : int
        Sample size of the bound (default 10^6).
    rank_tol : float
        Relative tolerance of the numerical rank (default :data:`DEFAULT_RANK_TOL`).
    B_X : number, optional
        Token norm bound; required when the file holds no embedding matrix, and
        when given it replaces the estimate.
    B_X_from : str
        Where ``B_X`` comes from when it is not given: ``"embedding"`` (default,
        :func:`estimate_B_X`, one value for the file) or ``"layernorm"``
        (:func:`layernorm_B_X`, a proved bound per layer, hf-bert only).
    B_w : number, optional
        Readout norm bound; default ``||w||_2`` of the plain layout's ``w``, else 1.
    dps, variant
        As in :func:`numeric.evaluate`.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "one_head.npz")
    >>> e = np.eye(8)
    >>> np.savez(path, W_Q=e[:, :2], W_K=e[:, :2], W_V=e[:, :3], w=np.array([0.6, 0.8, 0.0]), W_E=2 * e)
    >>> rep = analyse_file(path, dps=15)
    >>> h = rep.heads[0]
    >>> rep.layout.kind, rep.B_X, h.B_w, h.measure.qk.numerical_rank, h.measure.v.numerical_rank
    ('plain', 2.0, 1.0, 2, 3)
    >>> float(h.value()) > 0
    True
    """
    from numeric.evaluate import check_dps, evaluate
    from numeric.params import parse_number

    dps = check_dps(dps)
    tol = _check_tol(rank_tol)
    n_frac = parse_number("n", n)
    if n_frac.denominator != 1 or n_frac < 1:
        raise WeightsError(f"n must be a positive integer, got {n!r}")
    n = int(n_frac)
    B_X_given = None if B_X is None else _positive("B_X", B_X)
    B_w_given = None if B_w is None else _positive("B_w", B_w)
    if B_X_from not in ("embedding", "layernorm"):
        raise WeightsError(f"B_X source must be 'embedding' or 'layernorm', got {B_X_from!r}")
    with open_tensors(path) as tf:
        num_heads, heads_source, hidden = read_config_heads(tf.path, heads)
        layout = detect_layout(tf.names, num_heads, heads_source or "--heads", tf.path.name)
        per_layer = {}
        if B_X_given is not None:
            bx, bx_source = B_X_given, "--B-X"
        elif B_X_from == "layernorm":
            for i in (layout.layers if layer is None else [layer]):
                if i in layout.tensors:
                    per_layer[i] = layernorm_B_X(tf, layout, i)
            bx, bx_source = None, "per layer: sqrt(d) max|gamma| + ||beta||_2 of the LayerNorm before the layer"
        else:
            est = estimate_B_X(tf, layout)
            if est is None:
                raise WeightsError(f"{tf.path.name}: no embedding matrix to estimate B_X from (hf-bert: "
                                   f"'...embeddings.word_embeddings.weight'; plain: 'W_E'); pass --B-X")
            bx, bx_source = est
        out = []
        note = None
        for hw in iter_heads(tf, layout, None if layer is None else [layer], None if head is None else [head],
                             hidden):
            m = measure_head(hw, tol)
            del hw
            hbx, hbx_source = per_layer[m.layer] if bx is None else (bx, bx_source)
            if B_w_given is not None:
                bw, bw_source = B_w_given, "--B-w"
            elif m.w_norm is not None:
                bw, bw_source = m.w_norm, "l2 norm of the head's w"
            else:
                bw, bw_source = 1.0, "default 1: no readout w in the file; pass --B-w"
            evs = {}
            for at in ("rank_bound", "numerical_rank"):
                try:
                    p = head_params(m, B_X=hbx, B_w=bw, n=n, at=at)
                    if at == "numerical_rank" and (p["r_w"], p["r_v"]) == (m.qk.rank_bound, m.v.rank_bound) \
                            and not isinstance(evs["rank_bound"], str):
                        evs[at] = evs["rank_bound"]
                    else:
                        evs[at] = evaluate(p, dps=dps, variant=variant)
                except UsageError as exc:
                    evs[at] = " ".join(str(exc).split())
            prior, note = _prior_bounds(m, dict(B_X=hbx, B_w=bw, n=n), dps)
            out.append(HeadBound(m, bw, bw_source, hbx, hbx_source, evs["rank_bound"], evs["numerical_rank"], prior))
    return WeightsReport(str(path), tf.format, layout, bx, bx_source, n, tol, dps, variant, tuple(out), note)


def _positive(name, value) -> float:
    from numeric.params import parse_number
    x = parse_number(name, value)
    if x <= 0:
        raise WeightsError(f"{name} must be > 0, got {value!r}")
    return x
