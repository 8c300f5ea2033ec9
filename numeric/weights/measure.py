"""Measuring what the bound needs: ranks and norms of ``W_QK`` and ``W_V``, ``||w||_2`` and ``B_X``.

Explanation
-----------
The bound (MATH.md sections 1, 4, 5) is stated for one head: ``W_QK = W_Q W_K^T``
(d x d) of rank at most ``r_w`` and Frobenius norm at most ``B_QK``, ``W_V`` (d x k)
of rank at most ``r_v`` and Frobenius norm at most ``B_V``, a readout ``||w||_2 <= B_w``
and tokens ``||x_t||_2 <= B_X``.  For each head this module measures:

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

Range: every figure is computed on copies scaled by powers of two (largest entry in
[0.5, 1), an exact change of exponent) and scaled back; ranks and ratios are scale-free.
So weights near ``1e200`` or ``1e-200`` give the right figures, and a figure that float64
cannot hold (``||W_Q W_K^T||_F`` of two ``1e200`` factors is ``1e400``) is a
:class:`~numeric.weights.common.WeightsError` naming it, never ``inf``, ``nan`` or ``0``.  The one
exception: a singular value below the SVD's own accuracy (``eps * largest * max(shape)``)
that would fall below the normal float64 range is reported as 0, which it is to that accuracy.

Examples
--------
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
>>> measure_matrix(1e300 * W).frobenius == 15e300     # scale-equivariant, no overflow
True

References
----------
MATH.md sections 1 and 7; Edelman, Goel, Kakade, Zhang (ICML 2022) for the (p,q) norms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numeric.weights.common import (DEFAULT_RANK_TOL, WeightsError, check_rank_tol, dec, pow2_scaled, scale_back,
                                    scaled_norm, show_path)
from numeric.weights.files import TensorFile
from numeric.weights.layout import HeadWeights, Layout

__all__ = ["MatrixStats", "numerical_rank", "measure_matrix", "measure_product", "HeadMeasure", "measure_head",
           "measure_value_map", "estimate_B_X", "layernorm_B_X"]


@dataclass(frozen=True)
class MatrixStats:
    """Rank and norm figures of one matrix (finite float64; see the module docstring for conventions)."""

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
                "numerical_rank": str(self.numerical_rank), "rank_tol": dec(self.rank_tol),
                "spectral": dec(self.spectral), "frobenius": dec(self.frobenius),
                "norm_21": dec(self.norm_21), "norm_21_rows": dec(self.norm_21_rows),
                "norm_11": dec(self.norm_11), "stable_rank": None if sr is None else dec(sr),
                "singular_values": [dec(s) for s in self.singular_values]}


def numerical_rank(singular_values, rank_tol: float = DEFAULT_RANK_TOL) -> int:
    """The number of singular values ``> rank_tol * max(singular_values)`` (0 for a zero matrix).

    >>> numerical_rank([3.0, 1e-3, 1e-9], 1e-6)
    2
    >>> numerical_rank([0.0, 0.0])
    0
    """
    s = np.asarray(singular_values, dtype=np.float64)
    tol = check_rank_tol("rank tolerance", rank_tol)
    if s.size and not np.all(np.isfinite(s)):
        raise WeightsError("singular values must be finite")
    if s.size == 0 or s.max() == 0.0:
        return 0
    top, _ = pow2_scaled(s)                       # tol * max neither overflows nor underflows
    return int(np.count_nonzero(top > tol * top.max()))


def _finite_matrix(W, what: str) -> np.ndarray:
    W = np.ascontiguousarray(W, dtype=np.float64)      # LAPACK on a strided view is ~50x slower
    if W.ndim != 2:
        raise WeightsError(f"{what}: expected a 2-D matrix, got shape {W.shape}")
    if not np.all(np.isfinite(W)):
        raise WeightsError(f"{what}: holds non-finite entries (nan or inf); refusing to measure it")
    return W


def _stats(P: np.ndarray, sv: np.ndarray, e: int, rank_bound: int, tol: float, name: str) -> MatrixStats:
    """The figures of ``P * 2**e`` from the scaled ``P`` and its singular values ``sv``."""
    sv = np.sort(np.asarray(sv, dtype=np.float64))[::-1]
    if sv.size and not np.all(np.isfinite(sv)):         # cannot happen on finite entries <= 1; never pass it on
        raise WeightsError(f"{name}: the SVD did not converge to finite singular values")

    def back(x, figure):
        return scale_back(x, e, f"{figure} of {name}")

    noise = float(sv[0]) * np.finfo(np.float64).eps * max(P.shape) if sv.size else 0.0

    def back_sv(x, i):
        # a singular value below the SVD's own accuracy is 0 to that accuracy: when scaling it back
        # would leave the normal range, it is reported as 0 rather than refusing the whole matrix
        try:
            return back(x, f"singular value {i + 1}")
        except WeightsError:
            if x <= noise and sv[0] > noise:
                return 0.0
            raise

    # the figures the bound reads first, so an error names the most telling one
    frobenius = back(np.linalg.norm(P), "the Frobenius norm")
    spectral = back(sv[0], "the spectral norm") if sv.size else 0.0
    return MatrixStats(
        shape=tuple(int(x) for x in P.shape), rank_bound=int(rank_bound),
        numerical_rank=numerical_rank(sv, tol), rank_tol=tol,
        singular_values=tuple(back_sv(x, i) for i, x in enumerate(sv[:rank_bound])),
        spectral=spectral, frobenius=frobenius,
        norm_21=back(np.linalg.norm(P, axis=0).sum(), "the (2,1) norm (sum of column norms)"),
        norm_21_rows=back(np.linalg.norm(P, axis=1).sum(), "the (2,1) norm of the transpose (sum of row norms)"),
        norm_11=back(np.abs(P).sum(), "the entrywise l1 norm"))


def measure_matrix(W, rank_tol: float = DEFAULT_RANK_TOL, rank_bound: int | None = None,
                   name: str = "W") -> MatrixStats:
    """Rank and norm figures of a 2-D matrix ``W`` (``rank_bound`` defaults to ``min(W.shape)``).

    ``name`` labels ``W`` in errors (a non-finite entry, a figure outside the float64 range).

    >>> m = measure_matrix(np.diag([2.0, 1.0, 0.0]))
    >>> m.numerical_rank, m.spectral, round(m.frobenius ** 2, 12), round(m.stable_rank, 12)
    (2, 2.0, 5.0, 1.25)
    """
    tol = check_rank_tol("rank tolerance", rank_tol)
    W = _finite_matrix(W, name)
    S, e = pow2_scaled(W)
    sv = np.linalg.svd(S, compute_uv=False) if S.size else np.zeros(0)
    return _stats(S, sv, e, min(W.shape) if rank_bound is None else rank_bound, tol, name)


def measure_product(A, B, rank_tol: float = DEFAULT_RANK_TOL, name: str = "A B^T") -> MatrixStats:
    """Figures of ``A @ B.T`` (``A``: d1 x m, ``B``: d2 x m); ``rank_bound = min(d1, d2, m)``.

    The singular values are those of the m x m core ``R_A R_B^T`` (QR of each
    factor) when both factors are tall, so the d1 x d2 SVD is never formed.
    Each factor is scaled by its own power of two, so the product of two huge
    factors is measured without overflow (and refused if a figure exceeds float64).

    >>> m = measure_product(np.ones((5, 1)), np.ones((3, 1)))     # the all-ones 5 x 3 matrix
    >>> m.shape, m.rank_bound, m.numerical_rank, round(m.spectral ** 2, 12)
    ((5, 3), 1, 1, 15.0)
    >>> measure_product(np.full((2, 1), 1e200), np.full((2, 1), 1e200))
    Traceback (most recent call last):
    ...
    numeric.weights.common.WeightsError: the Frobenius norm of A B^T is about 2.00e+400, outside the float64 range ...
    """
    tol = check_rank_tol("rank tolerance", rank_tol)
    A, B = _finite_matrix(A, f"{name}: the left factor"), _finite_matrix(B, f"{name}: the right factor")
    if A.shape[1] != B.shape[1]:
        raise WeightsError(f"{name}: factors of A @ B.T must have equal column counts, got {A.shape} and {B.shape}")
    (As, ea), (Bs, eb) = pow2_scaled(A), pow2_scaled(B)
    P = As @ Bs.T                      # entries at most m in absolute value
    m = A.shape[1]
    if A.shape[0] >= m and B.shape[0] >= m and m > 0:
        ra = np.linalg.qr(As, mode="r")
        rb = np.linalg.qr(Bs, mode="r")
        sv = np.linalg.svd(ra @ rb.T, compute_uv=False)
    else:
        sv = np.linalg.svd(P, compute_uv=False) if P.size else np.zeros(0)
    return _stats(P, sv, ea + eb, min(A.shape[0], B.shape[0], m), tol, name)


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
                "w_norm": None if self.w_norm is None else dec(self.w_norm)}


def measure_head(hw: HeadWeights, rank_tol: float = DEFAULT_RANK_TOL) -> HeadMeasure:
    """Measure one head (``W_QK`` through :func:`measure_product`, ``W_V`` through :func:`measure_matrix`).

    >>> hw = HeadWeights(0, 0, np.eye(3)[:, :1], 2 * np.eye(3)[:, :1], np.ones((3, 2)), np.array([3.0, 4.0]))
    >>> m = measure_head(hw)
    >>> m.d, m.k, m.qk.rank_bound, m.qk.frobenius, m.v.rank_bound, m.v.numerical_rank, m.w_norm
    (3, 2, 1, 2.0, 2, 1, 5.0)
    """
    where = f"layer {hw.layer} head {hw.head}"
    qk = measure_product(hw.W_Q, hw.W_K, rank_tol, name=f"{where} W_QK = W_Q W_K^T")
    v = measure_matrix(hw.W_V, rank_tol, name=f"{where} W_V")
    w_norm = None if hw.w is None else scaled_norm(np.ravel(hw.w), f"||w||_2 of {where}")
    return HeadMeasure(hw.layer, hw.head, int(hw.W_Q.shape[0]), int(hw.W_V.shape[1]), qk, v, w_norm)


def measure_value_map(hw: HeadWeights, rank_tol: float = DEFAULT_RANK_TOL) -> MatrixStats:
    """Figures of a head's value map ``W_O,h W_V,h^T`` (d x d, rank at most d_head), through the thin factors.

    ``hw.W_O`` is the head's slice of the attention output projection (d x d_head) and ``hw.W_V`` its value
    projection (d x d_head), so the d x d matrix is measured by :func:`measure_product` (a QR of each
    factor and a d_head x d_head SVD); its norms and rank are those of MATH.md section 8's ``W_V,l,h``
    (the same matrix transposed).

    >>> e = np.eye(4)
    >>> hw = HeadWeights(1, 0, e[:, :2], e[:, :2], e[:, :2], None, 3 * e[:, 2:])   # W_O W_V^T: rank 2, entries 3
    >>> s = measure_value_map(hw)
    >>> s.shape, s.rank_bound, s.numerical_rank, round(s.frobenius ** 2, 12)
    ((4, 4), 2, 2, 18.0)
    """
    if hw.W_O is None:
        raise WeightsError(f"layer {hw.layer} head {hw.head}: no output projection was read; the value map "
                           f"W_O,h W_V,h^T needs it")
    return measure_product(hw.W_O, hw.W_V, rank_tol, name=f"layer {hw.layer} head {hw.head} value map W_O,h W_V,h^T")


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
        raise WeightsError(f"{show_path(tf.path.name)}: tensor {layout.embedding!r} is zero; it gives no token "
                           f"bound B_X")
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
    >>> from numeric.weights.files import open_tensors
    >>> path = os.path.join(tempfile.mkdtemp(), "ln.npz")
    >>> np.savez(path, **{"embeddings.LayerNorm.weight": np.array([0.5, -2.0, 1.0, 1.0]),
    ...                   "embeddings.LayerNorm.bias": np.array([0.0, 0.0, 3.0, 4.0])})
    >>> lay = Layout("hf-bert", (0,), {0: {}}, 1, "--heads", None, (), "encoder.")
    >>> with open_tensors(path) as tf:
    ...     layernorm_B_X(tf, lay, 0)[0]                     # sqrt(4) * 2 + 5
    9.0
    """
    label = show_path(tf.path.name)
    if layout.kind != "hf-bert":
        raise WeightsError(f"{label}: a LayerNorm bound on B_X needs the hf-bert layout (the plain layout "
                           f"has no LayerNorm); pass --B-X")
    prefix = layout.prefix
    base = prefix[:-len("encoder.")] if prefix.endswith("encoder.") else prefix
    stem = f"{base}embeddings.LayerNorm" if layer == 0 else f"{prefix}layer.{layer - 1}.output.LayerNorm"
    pair = _ln_pair(tf, stem)
    if pair is None:
        raise WeightsError(f"{label}: the LayerNorm before layer {layer} is missing: expected "
                           f"'{stem}.weight' and '{stem}.bias' (or .gamma and .beta); pass --B-X")
    gamma, beta = tf.get(pair[0]), tf.get(pair[1])
    if gamma.ndim != 1 or beta.shape != gamma.shape:
        raise WeightsError(f"{label}: LayerNorm {stem!r}: weight {gamma.shape} and bias {beta.shape} must be "
                           f"vectors of the same length")
    d = gamma.shape[0]
    what = f"{label}: the LayerNorm bound sqrt(d) max|gamma| + ||beta||_2 of {stem!r}"
    value = math.sqrt(d) * float(np.abs(gamma).max()) + scaled_norm(beta, what)
    if not math.isfinite(value):
        raise WeightsError(f"{what} exceeds the float64 range")
    if not value > 0.0:
        raise WeightsError(f"{label}: LayerNorm {stem!r} is zero; it gives no token bound B_X")
    return value, f"sqrt(d) max|gamma| + ||beta||_2 of LayerNorm {stem!r} (a proved bound, post-LN encoder)"
