"""Small synthetic transformers with known ranks and norms, written in both layouts and both formats.

Every head is built from its singular value decomposition, so its figures are known by
construction: ``W_Q = [U diag(s), 0] O`` and ``W_K = [V, 0] O`` with ``U``, ``V`` (d x r)
orthonormal columns and ``O`` a random orthogonal d_head x d_head matrix, so
``W_QK = W_Q W_K^T = U diag(s) V^T`` (rank r, singular values s) although both factors are
dense; ``W_V = P diag(t) R^T`` (rank r_v, singular values t).  The expected (2,1) norms
are computed here column by column in plain Python, independently of numeric.weights.

Each layer also has an attention output projection ``W_O`` (d x H d_head, dense Gaussian, so of full
rank: head h's value map ``W_O[:, hs] @ W_V,h^T`` has the rank of ``W_V,h``); the hf-bert writer
stores it as ``...layer.<i>.attention.output.dense.weight`` unless ``with_output=False``, and the
config.json it writes holds ``num_hidden_layers`` as well as ``num_attention_heads``.
"""

from __future__ import annotations

import json
import math
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Head", "Model", "build_model", "write_model", "write_tensors", "hf_tensors", "plain_tensors",
           "col_norm_sum", "layernorm", "layernorm_params", "close", "check_against_construction", "CountingFile",
           "layer_of_names", "REL"]


def _orthonormal(rng, rows, cols):
    q, _ = np.linalg.qr(rng.standard_normal((rows, cols)))
    return q[:, :cols]


def col_norm_sum(M) -> float:
    """sum_j ||M[:, j]||_2, one column at a time with math.fsum (independent of numpy's norm)."""
    rows, cols = len(M), len(M[0])
    return math.fsum(math.sqrt(math.fsum(float(M[i][j]) ** 2 for i in range(rows))) for j in range(cols))


@dataclass
class Head:
    layer: int
    head: int
    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    w: np.ndarray
    s: np.ndarray       # singular values of W_QK
    t: np.ndarray       # singular values of W_V
    W_QK: np.ndarray    # U diag(s) V^T, built from the factors of the construction


@dataclass
class Model:
    d: int
    dh: int
    H: int
    L: int
    heads: list
    W_E: np.ndarray
    B_X: float          # the largest row norm of W_E, set by construction
    W_O: list           # per layer, the attention output projection (d x H*dh, HF orientation: out x in)

    def head(self, layer, h) -> Head:
        return next(x for x in self.heads if (x.layer, x.head) == (layer, h))


def build_model(seed=0, d=12, dh=4, H=3, L=2, vocab=20) -> Model:
    """Heads with ranks cycling through 1..dh (W_QK) and dh..1 (W_V), singular values in [0.5, 3]."""
    rng = np.random.default_rng(seed)
    heads = []
    for layer in range(L):
        for h in range(H):
            r = 1 + (layer * H + h) % dh
            rv = dh - (layer * H + h) % dh
            s = np.sort(rng.uniform(0.5, 3.0, r))[::-1]
            t = np.sort(rng.uniform(0.5, 3.0, rv))[::-1]
            U, V = _orthonormal(rng, d, r), _orthonormal(rng, d, r)
            O = _orthonormal(rng, dh, dh)
            pad = np.zeros((d, dh - r))
            W_Q = np.hstack([U * s, pad]) @ O
            W_K = np.hstack([V, pad]) @ O
            P, R = _orthonormal(rng, d, rv), _orthonormal(rng, dh, rv)
            W_V = (P * t) @ R.T
            w = rng.standard_normal(dh)
            heads.append(Head(layer, h, W_Q, W_K, W_V, w, s, t, (U * s) @ V.T))
    W_E = rng.standard_normal((vocab, d))
    W_E /= np.linalg.norm(W_E, axis=1, keepdims=True)          # unit rows ...
    W_E[7] *= 2.5                                              # ... but one of norm 2.5
    W_O = [rng.standard_normal((d, H * dh)) / math.sqrt(d) for _ in range(L)]   # drawn last: heads, W_E unchanged
    return Model(d, dh, H, L, heads, W_E, 2.5, W_O)


def layernorm_params(m: Model, layer: int):
    """(gamma, beta) of the LayerNorm before attention layer ``layer`` (layer 0: the embeddings' LayerNorm)."""
    rng = np.random.default_rng(1000 + layer)
    return rng.uniform(-1.5, 1.5, m.d), rng.uniform(-0.2, 0.2, m.d)


def layernorm(x, gamma, beta, eps=1e-12):
    """BERT's LayerNorm over the last axis."""
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def hf_tensors(m: Model, prefix="bert.", dtype=np.float64, ln_names=("weight", "bias"), with_output=True) -> dict:
    t = {}
    for layer in range(m.L):
        stem = f"{prefix}embeddings.LayerNorm" if layer == 0 else f"{prefix}encoder.layer.{layer - 1}.output.LayerNorm"
        g, b = layernorm_params(m, layer)
        t[f"{stem}.{ln_names[0]}"], t[f"{stem}.{ln_names[1]}"] = g.astype(dtype), b.astype(dtype)
        for role, attr in (("query", "W_Q"), ("key", "W_K"), ("value", "W_V")):
            W = np.vstack([getattr(m.head(layer, h), attr).T for h in range(m.H)])   # (out = H*dh, in = d)
            t[f"{prefix}encoder.layer.{layer}.attention.self.{role}.weight"] = W.astype(dtype)
            t[f"{prefix}encoder.layer.{layer}.attention.self.{role}.bias"] = np.ones(m.H * m.dh, dtype)
        t[f"{prefix}encoder.layer.{layer}.output.dense.weight"] = np.ones((m.d, m.d), dtype)   # feed-forward's
        if with_output:
            t[f"{prefix}encoder.layer.{layer}.attention.output.dense.weight"] = m.W_O[layer].astype(dtype)
    t[f"{prefix}embeddings.word_embeddings.weight"] = m.W_E.astype(dtype)
    return t


def plain_tensors(m: Model, form="layer.head", dtype=np.float64, with_w=True, with_embedding=True) -> dict:
    t = {}
    for x in m.heads:
        pre = {"layer.head": f"layer{x.layer}.head{x.head}.", "head": f"head{x.head}.", "bare": ""}[form]
        for role in ("W_Q", "W_K", "W_V") + (("w",) if with_w else ()):
            t[pre + role] = getattr(x, role).astype(dtype)
    if with_embedding:
        t["W_E"] = m.W_E.astype(dtype)
    return t


def write_tensors(tensors: dict, path: Path, config: dict | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".safetensors":
        from safetensors.numpy import save_file
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(path))
    else:
        np.savez(path, **tensors)
    if config is not None:
        (path.parent / "config.json").write_text(json.dumps(config))
    return path


def write_model(m: Model, path: Path, layout="hf-bert", config=True, **kw) -> Path:
    """Write ``m`` in ``layout`` ('hf-bert', or 'plain' with ``form``) to ``path`` (.safetensors or .npz)."""
    if layout == "hf-bert":
        cfg = {"num_attention_heads": m.H, "num_hidden_layers": m.L, "hidden_size": m.d} if config else None
        return write_tensors(hf_tensors(m, **kw), path, cfg)
    return write_tensors(plain_tensors(m, **kw), path, None)


# ---------------------------------------------------------------------------------------------- checks

REL = 1e-10


def close(a, b, rel=REL):
    """a == b up to a relative tolerance (no absolute slack)."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


def check_against_construction(meas, x: Head, dh: int, d: int):
    """Every figure of a HeadMeasure against the construction of head ``x`` (sums computed here)."""
    s, t = x.s, x.t
    qk, v = meas.qk, meas.v
    assert (meas.d, meas.k) == (d, dh)
    assert qk.shape == (d, d) and v.shape == (d, dh)
    assert qk.rank_bound == dh and v.rank_bound == dh
    assert qk.numerical_rank == len(s), (meas.layer, meas.head)
    assert v.numerical_rank == len(t)
    assert close(qk.spectral, s[0]) and close(v.spectral, t[0])
    fro_qk, fro_v = math.sqrt(math.fsum(s ** 2)), math.sqrt(math.fsum(t ** 2))
    assert close(qk.frobenius, fro_qk) and close(v.frobenius, fro_v)
    assert close(qk.stable_rank, fro_qk ** 2 / s[0] ** 2) and close(v.stable_rank, fro_v ** 2 / t[0] ** 2)
    assert close(qk.norm_21, col_norm_sum(x.W_QK)), "(2,1) norm of W_QK: columns"
    assert close(qk.norm_21_rows, col_norm_sum(x.W_QK.T)), "(2,1) norm of W_QK^T: rows"
    assert close(v.norm_21, col_norm_sum(x.W_V))
    assert close(qk.norm_11, math.fsum(abs(float(e)) for e in x.W_QK.ravel()))
    # every nonzero singular value, not only the largest
    assert all(close(a, b, 1e-9) for a, b in zip(qk.singular_values, s))
    assert all(c < 1e-12 * s[0] for c in qk.singular_values[len(s):])


class CountingFile:
    """Wrap a TensorFile: record which layer each get() reads and which returned arrays are still alive."""

    def __init__(self, tf, layer_of):
        self.tf, self.layer_of = tf, layer_of
        self.path, self.names, self.format = tf.path, tf.names, tf.format
        self.reads, self.alive, self.violations = [], [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tf.close()

    def get(self, name):
        layer = self.layer_of(name)
        others = [(n, lay) for n, lay, ref in self.alive if ref() is not None and lay != layer]
        if others:
            self.violations.append((name, others))
        a = self.tf.get(name)
        self.reads.append((layer, name))
        self.alive.append((name, layer, weakref.ref(a)))
        return a


def layer_of_names(lay):
    """name -> the layer of a Layout whose tensors include it (the output projection included)."""
    return lambda name: next(i for i in lay.layers if name in lay.layer_names(i, output=True))

