"""Where a head's matrices live in a weights file, and reading them one layer at a time.

Layouts (the exact naming)
--------------------------
``hf-bert`` (Hugging Face BERT family: BERT, RoBERTa, ELECTRA, ...): tensors named
``<prefix>layer.<i>.attention.self.{query,key,value}.weight`` (``<prefix>`` is
anything, e.g. ``bert.encoder.``, and must be the same for every tensor; the
``.bias`` tensors are ignored), and, optionally, the attention output projection
``<prefix>layer.<i>.attention.output.dense.weight`` (d x H d_head; head ``h`` owns its
columns ``h*d_head:(h+1)*d_head``), read only for the whole-model bound
(:mod:`numeric.weights.model`).  Linear weights are stored (out, in), so for head
``h`` of ``H`` with ``d_head = out / H``:
``W_Q = query.weight[h*d_head:(h+1)*d_head, :].T`` (d x d_head), likewise ``W_K``
and ``W_V``.  ``H`` is ``num_attention_heads`` of a ``config.json`` in the same
directory as the file, or ``--heads`` (if both are given they must agree).  The
readout ``w`` is not part of a BERT layer: ``B_w`` comes from the caller
(default 1).  The token bound ``B_X`` is estimated from
``<prefix'>embeddings.word_embeddings.weight`` when present (see
:func:`numeric.weights.measure.estimate_B_X`), or bounded per layer from the LayerNorm that
feeds the layer (:func:`numeric.weights.measure.layernorm_B_X`).

``plain``: tensors named ``[layer<i>.][head<h>.]<ROLE>`` with ``ROLE`` in ``W_Q``,
``W_K`` (both d x d_qk), ``W_V`` (d x k) and the optional readout ``w`` (shape (k,));
``<i>`` and ``<h>`` are decimal integers.  Every head tensor of a file uses the same
form (with or without ``layer<i>.``, with or without ``head<h>.``); a missing
``layer`` means layer 0 and a missing ``head`` means head 0, so bare ``W_Q``,
``W_K``, ``W_V``, ``w`` is the single-head setting of MATH.md.  An optional ``W_E``
(vocabulary x d) holds token embeddings.

Tensors that belong to neither layout are ignored (they are counted in the
report); a file in which no layout is found is refused with the list of the
names it holds.

Examples
--------
>>> lay = detect_layout(["layer0.head0.W_Q", "layer0.head0.W_K", "layer0.head0.W_V", "layer0.head1.W_Q",
...                      "layer0.head1.W_K", "layer0.head1.W_V", "W_E", "notes"])
>>> lay.kind, lay.layers, lay.heads(0), lay.embedding, lay.ignored, lay.count_heads()
('plain', (0,), (0, 1), 'W_E', ('notes',), 2)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from numeric.weights.common import WeightsError, show_path
from numeric.weights.files import TensorFile

__all__ = ["Layout", "detect_layout", "HeadWeights", "iter_heads", "ROLES"]

#: the roles of the plain layout
ROLES = ("W_Q", "W_K", "W_V", "w")

# indices are ASCII digits, at most 9 of them (longer ones, and names over _MAX_NAME characters, are
# not layout tensors: they are ignored like any other tensor)
_HF = re.compile(r"^(?P<prefix>.*?)layer\.(?P<layer>[0-9]{1,9})\.attention\.self\.(?P<role>query|key|value)\.weight$")
_HF_OUT = re.compile(r"^(?P<prefix>.*?)layer\.(?P<layer>[0-9]{1,9})\.attention\.output\.dense\.weight$")
_PLAIN = re.compile(r"^(?:layer(?P<layer>[0-9]{1,9})\.)?(?:head(?P<head>[0-9]{1,9})\.)?(?P<role>W_Q|W_K|W_V|w)$")
_MAX_NAME = 1000


@dataclass(frozen=True)
class Layout:
    """Where each head's matrices live in a file.

    ``tensors[layer]`` maps a role to a tensor name: ``"query"``, ``"key"``,
    ``"value"`` for ``hf-bert`` (split into ``num_heads`` heads; ``"output"``, the attention
    output projection, where the file has it), and
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

    def layer_names(self, layer: int, head: int | None = None, output: bool = False) -> tuple:
        """The tensor names needed for ``layer`` (only ``head``'s, if given, in the plain layout); with
        ``output``, also the attention output projection of an ``hf-bert`` layer that has one."""
        t = self.tensors[layer]
        if self.kind == "hf-bert":
            return tuple(t[r] for r in ("query", "key", "value") + (("output",) if output and "output" in t else ()))
        return tuple(name for (h, _r), name in sorted(t.items()) if head is None or h == head)

    def count_heads(self, layers=None, heads=None) -> int:
        """How many heads ``iter_heads(..., layers, heads)`` yields (for progress; 0 for unknown layers)."""
        total = 0
        for layer in self.layers if layers is None else layers:
            if layer in self.tensors:
                have = self.heads(layer)
                total += len(have) if heads is None else sum(1 for h in heads if h in have)
        return total


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
    numeric.weights.common.WeightsError: the file: no recognised attention layout ...; found 'foo', 'bar'
    """
    names = list(names)
    hf = [(m, n) for n in names if len(n) <= _MAX_NAME and (m := _HF.match(n))]
    plain = [(m, n) for n in names if len(n) <= _MAX_NAME and (m := _PLAIN.match(n))]
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


def _put(roles: dict, key, name: str, file_label: str) -> None:
    if key in roles:
        raise WeightsError(f"{file_label}: tensors {roles[key]!r} and {name!r} name the same matrix (indices are "
                           f"read as integers); keep one")
    roles[key] = name


def _hf_layout(names, hits, num_heads, heads_source, file_label) -> Layout:
    prefixes = sorted({m["prefix"] for m, _n in hits})
    if len(prefixes) > 1:
        raise WeightsError(f"{file_label}: attention tensors under several prefixes {prefixes}; one model per file")
    tensors: dict = {}
    for m, n in hits:
        _put(tensors.setdefault(int(m["layer"]), {}), m["role"], n, file_label)
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
    for n in names:                      # the attention output projections (same prefix, layers with q/k/v)
        m = _HF_OUT.match(n) if len(n) <= _MAX_NAME else None
        if m and m["prefix"] == prefix and int(m["layer"]) in tensors:
            _put(tensors[int(m["layer"])], "output", n, file_label)
    base = prefix[:-len("encoder.")] if prefix.endswith("encoder.") else prefix
    embedding = next((c for c in (f"{base}embeddings.word_embeddings.weight",
                                  f"{prefix}embeddings.word_embeddings.weight") if c in names), None)
    used = {n for roles in tensors.values() for n in roles.values()}
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
        _put(tensors.setdefault(layer, {}), (head, m["role"]), n, file_label)
    for layer, t in sorted(tensors.items()):
        heads = sorted({h for h, _r in t})
        for h in heads:
            missing = [r for r in ("W_Q", "W_K", "W_V") if (h, r) not in t]
            if missing:
                raise WeightsError(f"{file_label}: layer {layer} head {h} lacks {missing} "
                                   f"(has {sorted(t[(h, r)] for r in ROLES if (h, r) in t)})")
        if num_heads is not None and num_heads != len(heads):
            raise WeightsError(f"{file_label}: layer {layer} holds {len(heads)} heads, but {heads_source} "
                               f"says {num_heads}")
    embedding = "W_E" if "W_E" in names else None
    used = {n for _m, n in hits}
    ignored = tuple(n for n in names if n not in used and n != embedding)
    return Layout("plain", tuple(sorted(tensors)), tensors, num_heads, heads_source, embedding, ignored)


# ----------------------------------------------------------------------------------------------
# heads, one layer at a time


@dataclass(frozen=True, eq=False)
class HeadWeights:
    """One head's matrices in the orientation of MATH.md section 1 (``W_Q``, ``W_K``: d x d_qk; ``W_V``: d x k).

    ``W_O`` (``hf-bert``, when asked for) is the head's slice of the attention output projection,
    ``output.dense.weight[:, h*d_head:(h+1)*d_head]`` (d x k): the head adds
    ``W_O W_V^T X^T p`` to the token, so its value map is the d x d matrix ``W_O W_V^T``.
    """

    layer: int
    head: int
    W_Q: np.ndarray
    W_K: np.ndarray
    W_V: np.ndarray
    w: np.ndarray | None
    W_O: np.ndarray | None = None


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
    o = arrays.get(t.get("output"))
    if o is not None and o.shape != (d, v.shape[0]):
        raise WeightsError(f"{tf_label}: layer {layer}: the attention output projection {t['output']!r} has shape "
                           f"{o.shape}; expected (d, value features) = ({d}, {v.shape[0]})")
    out = []
    for h in range(H) if heads is None else heads:
        out.append(HeadWeights(layer, h, q[h * dq:(h + 1) * dq, :].T, k[h * dq:(h + 1) * dq, :].T,
                               v[h * dv:(h + 1) * dv, :].T, None,
                               None if o is None else o[:, h * dv:(h + 1) * dv]))
    return out


def _split_plain(tf_label, layout: Layout, layer: int, arrays: Mapping, heads=None) -> list:
    t = layout.tensors[layer]
    out = []
    for h in layout.heads(layer) if heads is None else heads:
        a = {r: arrays[t[(h, r)]] for r in ROLES if (h, r) in t}
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


def iter_heads(tf: TensorFile, layout: Layout, layers=None, heads=None, hidden: int | None = None,
               output_layers=()) -> Iterator[HeadWeights]:
    """Yield every selected head, reading one layer's tensors at a time.

    ``layers`` and ``heads`` (iterables of indices, default all) select what is
    read; for the ``hf-bert`` layers in ``output_layers`` that have an attention output
    projection it is read too and each head carries its slice (``HeadWeights.W_O``).  A
    layer's arrays are dropped before the next layer is read, so at most one layer's
    tensors are resident (plus what the caller keeps).  Every head of the file must share
    the input dimension d.
    """
    label = show_path(tf.path.name)
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
        names = layout.layer_names(layer, output=layer in output_layers) if layout.kind == "hf-bert" else \
            layout.layer_names(layer) if sel is None else \
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
