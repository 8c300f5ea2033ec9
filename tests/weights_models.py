"""Small synthetic transformers with known ranks and norms, written in both layouts and both formats.

Every head is built from its singular value decomposition, so its figures are known by
construction: ``W_Q = [U diag(s), 0] O`` and ``W_K = [V, 0] O`` with ``U``, ``V`` (d x r)
orthonormal columns and ``O`` a random orthogonal d_head x d_head matrix, so
``W_QK = W_Q W_K^T = U diag(s) V^T`` (rank r, singular values s) although both factors are
dense; ``W_V = P diag(t) R^T`` (rank r_v, singular values t).  The expected (2,1) norms
are computed here column by column in plain Python, independently of numeric.weights.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Head", "Model", "build_model", "write_model", "col_norm_sum"]


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
    return Model(d, dh, H, L, heads, W_E, 2.5)


def layernorm_params(m: Model, layer: int):
    """(gamma, beta) of the LayerNorm before attention layer ``layer`` (layer 0: the embeddings' LayerNorm)."""
    rng = np.random.default_rng(1000 + layer)
    return rng.uniform(-1.5, 1.5, m.d), rng.uniform(-0.2, 0.2, m.d)


def layernorm(x, gamma, beta, eps=1e-12):
    """BERT's LayerNorm over the last axis."""
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def hf_tensors(m: Model, prefix="bert.", dtype=np.float64, ln_names=("weight", "bias")) -> dict:
    t = {}
    for layer in range(m.L):
        stem = f"{prefix}embeddings.LayerNorm" if layer == 0 else f"{prefix}encoder.layer.{layer - 1}.output.LayerNorm"
        g, b = layernorm_params(m, layer)
        t[f"{stem}.{ln_names[0]}"], t[f"{stem}.{ln_names[1]}"] = g.astype(dtype), b.astype(dtype)
        for role, attr in (("query", "W_Q"), ("key", "W_K"), ("value", "W_V")):
            W = np.vstack([getattr(m.head(layer, h), attr).T for h in range(m.H)])   # (out = H*dh, in = d)
            t[f"{prefix}encoder.layer.{layer}.attention.self.{role}.weight"] = W.astype(dtype)
            t[f"{prefix}encoder.layer.{layer}.attention.self.{role}.bias"] = np.ones(m.H * m.dh, dtype)
        t[f"{prefix}encoder.layer.{layer}.output.dense.weight"] = np.ones((m.d, m.d), dtype)
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
        cfg = {"num_attention_heads": m.H, "hidden_size": m.d} if config else None
        return write_tensors(hf_tensors(m, **kw), path, cfg)
    return write_tensors(plain_tensors(m, **kw), path, None)
