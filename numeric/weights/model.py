"""The whole model of a weights file: the H-head, L-layer bound of MATH.md section 8 at the file's
measured figures, as a post-hoc bound (a theorem) and as a fixed-class bound (a what-if), MATH.md
section 9 (:func:`numeric.posthoc.posthoc`).

What is measured
----------------
Every head of every layer, in one pass (one layer in memory at a time):
``B_QK`` and ``r_w`` are the largest Frobenius norm and numerical rank of ``W_QK,l,h = W_Q W_K^T``;
``B_V`` and ``r_v`` those of the value maps:

- ``hf-bert``: a hidden layer's (``l < L - 1``) head adds ``W_O,h W_V,h^T X^T p`` to the token
  (``W_V,h = value.weight[hs, :]^T``, ``W_O,h = attention.output.dense.weight[:, hs]``,
  ``hs = h*d_head:(h+1)*d_head``), so its value map is the d x d matrix ``W_O,h W_V,h^T`` of rank at
  most ``d_head``, measured through its thin factors (:func:`~numeric.weights.measure.measure_value_map`).
  The last layer is section 8's readout layer: its value maps are ``W_V,h`` (d x k, ``k = d_head``) and
  its output projection is folded into the readout ``w`` (``w_h = W_O,h^T w_out``, so
  ``||w||_2 = ||W_O^T w_out||_2``).
- ``plain``: the layout has no output projection; each head's ``W_V`` is its value map as stored (in a
  hidden layer a d x k ``W_V`` stands for the d x d map with zero columns appended: same norm, same rank).

``H`` and ``L`` come from ``config.json`` (``num_attention_heads``, ``num_hidden_layers``) or ``--heads``
for ``hf-bert``, and from the tensor names for ``plain`` (``H`` the most heads in a layer: a layer with
fewer holds zero heads, which lie in the class).  ``B_w`` is ``--B-w``, else the l2 norm of the stacked
readouts ``w`` of the last layer (``plain``, when every head there has one), else 1: no readout is
invented.  ``B_X`` is the report's (the largest over the layers when it is bounded per layer).
``L_sigma``, ``L_loss``, ``c`` and ``delta`` come from the default preset.

Examples
--------
>>> from numeric.weights.layout import detect_layout
>>> plan = plan_model(detect_layout(["layer0.W_Q", "layer0.W_K", "layer0.W_V", "layer1.W_Q", "layer1.W_K",
...                                  "layer1.W_V"]), None, None, None)
>>> plan.layers, plan.heads, plan.reason
(2, 1, None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from numeric.errors import NotCertified, UsageError
from numeric.weights.common import dec, scaled_norm
from numeric.weights.layout import Layout
from numeric.weights.measure import HeadMeasure, MatrixStats

__all__ = ["ModelPlan", "plan_model", "ModelFigures", "ModelSection", "model_section", "omitted", "value_maps"]

_OMITTED = (
    "the feed-forward (MLP) blocks are not modelled",
    "biases (query, key, value, output projection, feed-forward) are not modelled",
    "LayerNorm is not modelled: the projection Pi onto the B_X ball (MATH.md section 8) stands in for a "
    "normalisation step after each hidden layer",
    "B_X is an assumption about the tokens every layer reads (||x_t||_2 <= B_X at every layer), not a fact "
    "about the network",
)


def omitted(kind: str) -> tuple:
    """What of the real architecture the section 8 model leaves out (``kind`` is the layout)."""
    if kind == "hf-bert":
        return ("the attention output projection is folded into the value maps (a hidden head's value map is "
                "W_V,h W_O,h) and, in the last layer, into the readout w (w_h = W_O,h^T w_out)",) + _OMITTED + (
                "the pooler and any classifier are not read: the readout is a linear w (norm B_w) on the last "
                "layer's attention output at one token",)
    return ("the plain layout has no output projection: each head's W_V is its value map as stored",) + _OMITTED


def value_maps(kind: str) -> str:
    """How ``B_V`` and ``r_v`` are measured in layout ``kind``."""
    if kind == "hf-bert":
        return ("hidden layers: W_V,h W_O,h (d x d, rank <= d_head; W_O,h = the head's columns of "
                "attention.output.dense.weight), measured through its thin factors; last (readout) layer: W_V,h "
                "(d x k, k = d_head)")
    return ("W_V of each head as stored (no output projection in the plain layout); in a hidden layer a d x k W_V "
            "stands for the d x d map with zero columns appended (same norm and rank)")


@dataclass(frozen=True)
class ModelPlan:
    """What the whole-model section needs, decided from the layout before any tensor is read."""

    kind: str
    layers: int | None
    layers_source: str | None
    heads: int | None
    heads_source: str | None
    output_layers: frozenset = field(default_factory=frozenset)   # hf-bert layers whose W_O is read
    reason: str | None = None                                     # set: the section is not evaluated


def plan_model(layout: Layout, config_layers, layer, head) -> ModelPlan:
    """The model's ``L`` and ``H`` (with their sources) and the layers whose output projection is read, or a
    reason why the whole-model bound cannot be evaluated on this file (``config_layers`` is the pair of
    :func:`~numeric.weights.files.read_config_layers`)."""
    kind = layout.kind
    if layer is not None or head is not None:
        return ModelPlan(kind, None, None, None, None, reason="a layer or head was selected (--layer/--head); the "
                         "whole-model bound needs every head of every layer")
    found = tuple(layout.layers)
    if found != tuple(range(len(found))):
        return ModelPlan(kind, None, None, None, None, reason=f"the file's layers {list(found)} are not 0, 1, ..., "
                         f"L - 1: a layer is missing")
    L = len(found)
    cfg_L, cfg_source = config_layers if config_layers is not None else (None, None)
    if kind == "hf-bert" and cfg_L is not None:
        if cfg_L != L:
            return ModelPlan(kind, None, None, None, None, reason=f"{cfg_source} is {cfg_L} but the file holds "
                             f"{L} layer(s); the whole-model bound needs every layer")
        layers_source = cfg_source
    else:
        layers_source = "the layers in the file" + (" (config.json gives no num_hidden_layers)"
                                                    if kind == "hf-bert" else "")
    if kind == "hf-bert":
        H, heads_source = layout.num_heads, layout.heads_source
        for i in range(L - 1):
            if "output" not in layout.tensors[i]:
                return ModelPlan(kind, L, layers_source, H, heads_source, reason=f"hidden layer {i} lacks "
                                 f"'{layout.prefix}layer.{i}.attention.output.dense.weight': a hidden head's value "
                                 f"map is W_V,h W_O,h")
        return ModelPlan(kind, L, layers_source, H, heads_source, frozenset(range(L - 1)))
    counts = [len(layout.heads(i)) for i in found]
    H = max(counts)
    heads_source = "the most heads in a layer of the file" + (
        "" if len(set(counts)) == 1 else f" (layers hold {', '.join(map(str, counts))}; a missing head is a zero "
                                         f"head, which lies in the class)")
    return ModelPlan(kind, L, layers_source, H, heads_source)


@dataclass
class _Max:
    value: Any = None
    layer: int | None = None
    head: int | None = None

    def offer(self, v, layer, head):
        if self.value is None or v > self.value:
            self.value, self.layer, self.head = v, layer, head


class ModelFigures:
    """Running maxima over the heads of a file (fed head by head, so no head's arrays are kept)."""

    def __init__(self, plan: ModelPlan):
        self.plan = plan
        self.B_QK, self.r_w, self.B_V, self.r_v = _Max(), _Max(), _Max(), _Max()
        self.d = self.k = None
        self.readout_w: list = []            # ||w_h||_2 of the last layer's heads (plain), None where absent
        self.hidden_w = False
        self.problem: str | None = None      # set: the model bound is not evaluated (the first reason)
        self.complete = True                 # False: a value map could not be measured, the maxima are partial

    def add(self, m: HeadMeasure, value_map: MatrixStats | None = None, problem: str | None = None) -> None:
        """Take head ``m`` into the maxima; ``value_map`` is its ``W_O,h W_V,h^T`` (hf-bert hidden layers), or
        ``problem`` says why it could not be measured."""
        if problem is not None:
            self.problem, self.complete = self.problem or problem, False
            return
        last = m.layer == self.plan.layers - 1
        self.d = m.d
        self.k = m.k if self.k is None else max(self.k, m.k)
        if self.plan.kind == "hf-bert" and not last:
            vm = value_map
        else:
            vm = m.v
            if not last and m.k > m.d and self.problem is None:
                self.problem = (f"layer {m.layer} head {m.head}: W_V has {m.k} columns, more than d = {m.d}; a "
                                f"hidden layer's value map must be d x d")
        if vm is None:                        # cannot happen after plan_model; never report a partial maximum
            raise UsageError(f"layer {m.layer} head {m.head}: the value map W_V,h W_O,h was not measured")
        self.B_QK.offer(m.qk.frobenius, m.layer, m.head)
        self.r_w.offer(m.qk.numerical_rank, m.layer, m.head)
        self.B_V.offer(vm.frobenius, m.layer, m.head)
        self.r_v.offer(vm.numerical_rank, m.layer, m.head)
        if last:
            self.readout_w.append(m.w_norm)
        elif m.w_norm is not None:
            self.hidden_w = True

    def readout_norm(self):
        """``(||(w_1, ..., w_H)||_2, source)`` of the last layer (plain layout, every head with a ``w``), or None."""
        if self.plan.kind != "plain" or not self.readout_w or any(x is None for x in self.readout_w):
            return None
        value = scaled_norm(np.array(self.readout_w), "||(w_1, ..., w_H)||_2 of the last layer")
        note = "; the w of hidden layers are not part of the section 8 model" if self.hidden_w else ""
        return value, f"l2 norm of the readout (w_1, ..., w_H) of the last layer's heads{note}"


def _default_B_w(kind: str, figures: ModelFigures) -> str:
    if kind == "hf-bert":
        return ("default 1: no readout in the file (not measured); B_w bounds ||W_O^T w_out||_2 for a linear readout "
                "w_out of the last layer's attention output; pass --B-w")
    if figures.readout_w and any(x is not None for x in figures.readout_w):
        return "default 1: not every head of the last layer has a readout w; pass --B-w"
    return "default 1: no readout w in the file; pass --B-w"


@dataclass(frozen=True)
class ModelSection:
    """The ``model`` section of the report: the whole model's figures and both bounds, or why not."""

    plan: ModelPlan
    reason: str | None                   # None: evaluated
    d: int | None = None
    k: int | None = None
    n: int | None = None
    B_X: Any = None
    B_X_source: str | None = None
    B_w: Any = None
    B_w_source: str | None = None
    preset: dict = field(default_factory=dict)      # L_sigma, L_loss, c, delta
    figures: ModelFigures | None = None
    result: Any = None                   # numeric.posthoc.PosthocResult
    rank_tol: float | None = None
    variant: str | None = None

    @property
    def evaluated(self) -> bool:
        return self.reason is None

    def omitted(self) -> tuple:
        return omitted(self.plan.kind)

    def measured_json(self) -> dict | None:
        f = self.figures
        if f is None or f.B_QK.value is None or not f.complete:
            return None
        where = {name: {"layer": x.layer, "head": x.head}
                 for name, x in (("B_V", f.B_V), ("B_QK", f.B_QK), ("r_w", f.r_w), ("r_v", f.r_v))}
        return {"B_w": dec(self.B_w, "B_w"), "B_V": dec(f.B_V.value, "B_V"), "B_QK": dec(f.B_QK.value, "B_QK"),
                "r_w": str(f.r_w.value), "r_v": str(f.r_v.value), "B_w_source": self.B_w_source,
                "B_QK_source": "largest ||W_Q,h W_K,h^T||_F over all layers and heads",
                "B_V_source": "largest Frobenius norm of a value map over all layers and heads",
                "ranks": f"largest numerical ranks (singular values > rank_tol * largest, rank_tol = "
                         f"{dec(self.rank_tol, 'rank_tol')})",
                "value_maps": value_maps(self.plan.kind), "largest_at": where}

    def to_json(self) -> dict:
        p = self.plan
        out = {"evaluated": self.evaluated}
        if not self.evaluated:
            out["reason"] = self.reason
        out.update({"bound": "deep (MATH.md section 8: L - 1 hidden layers and a readout layer, H heads each)",
                    "heads": None if p.heads is None else str(p.heads), "heads_source": p.heads_source,
                    "layers": None if p.layers is None else str(p.layers), "layers_source": p.layers_source})
        if self.figures is not None and self.d is not None:
            out.update({"d": str(self.d), "k": str(self.k), "n": str(self.n),
                        "B_X": {"value": dec(self.B_X, "B_X"), "source": self.B_X_source},
                        **{k: dec(v) for k, v in self.preset.items()}, "variant": self.variant,
                        "measured": self.measured_json()})
        if self.result is not None:
            out.update(self.result.to_json(strings=True))
        out["omitted"] = list(self.omitted())
        return out


def model_section(plan: ModelPlan, figures: ModelFigures | None, *, B_X, B_X_source: str, B_w_given, n: int,
                  dps: int, variant: str, rank_tol: float) -> ModelSection:
    """Both bounds of the whole model at the measured figures (:func:`numeric.posthoc.posthoc`), or the reason
    they cannot be evaluated (kept as text, never a number)."""
    from numeric.params import DEFAULT_PRESET, Params
    from numeric.posthoc import posthoc
    if plan.reason is not None or figures is None:
        return ModelSection(plan, plan.reason or "no head was measured")
    if B_w_given is not None:
        bw, bw_source = B_w_given, "--B-w"
    else:
        bw, bw_source = figures.readout_norm() or (1.0, _default_B_w(plan.kind, figures))
    pre = Params.from_preset(DEFAULT_PRESET)
    preset = {k: pre[k] for k in ("L_sigma", "L_loss", "c", "delta")}
    kw = dict(d=figures.d, k=figures.k, n=n, B_X=B_X, B_X_source=B_X_source, B_w=bw, B_w_source=bw_source,
              preset=preset, figures=figures, rank_tol=rank_tol, variant=variant)
    reason = figures.problem
    for name, r_name, what in (("B_QK", "r_w", "W_QK"), ("B_V", "r_v", "value map")):
        top, rank = getattr(figures, name).value, getattr(figures, r_name).value
        if reason is None and (top is None or top == 0.0 or rank == 0):
            reason = (f"every {what} is zero (largest norm {top}, largest numerical rank {rank}); the bound needs "
                      f"{name} > 0 and {r_name} >= 1")
    if reason is not None:
        return ModelSection(plan, reason, **kw)
    measured = {"B_w": bw, "B_V": figures.B_V.value, "B_QK": figures.B_QK.value, "r_w": figures.r_w.value,
                "r_v": figures.r_v.value}
    params = {"H": plan.heads, "L": plan.layers, "d": figures.d, "k": figures.k, "n": n, "B_X": B_X, **preset}
    try:
        result = posthoc(measured, params, dps=dps, variant=variant)
    except (UsageError, NotCertified, ValueError, OverflowError) as exc:
        why = " ".join(str(exc).split())
        return ModelSection(plan, f"the bound cannot be evaluated at the measured figures: {why}", **kw)
    return ModelSection(plan, None, result=result, **kw)

