"""Every head of a weights file, measured and bounded: :func:`analyse_file` and :class:`WeightsReport`.

:func:`analyse_file` checks its arguments, opens the file (:mod:`numeric.weights.files`),
recognises the layout (:mod:`numeric.weights.layout`), finds ``B_X``, then measures one head
at a time (:mod:`numeric.weights.measure`) and evaluates its bounds
(:mod:`numeric.weights.bounds`).  Progress over the heads is shown on a terminal
(:mod:`numeric.progress`).

The same pass over the heads feeds the whole-model section (:mod:`numeric.weights.model`): the
largest figures over all heads (reading each hidden hf-bert layer's attention output projection
with its query, key and value), then the post-hoc bound and the fixed-class what-if.  The report's
JSON form is assembled section by section (:meth:`WeightsReport.to_json` calls one method per
top-level part; ``model`` is :meth:`~numeric.weights.model.ModelSection.to_json`).  Every figure in
it is a decimal string (layer and head indices are integers); a figure that is missing is ``null``
or an ``{"evaluated": false, "reason": ...}`` object, never ``NaN``.

Examples
--------
>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "one_head.npz")
>>> e = np.eye(8)
>>> np.savez(path, W_Q=e[:, :2], W_K=e[:, :2], W_V=e[:, :3], w=np.array([0.6, 0.8, 0.0]), W_E=2 * e)
>>> rep = analyse_file(path, dps=15)
>>> h = rep.heads[0]
>>> rep.layout.kind, rep.B_X, h.B_w, h.measure.qk.numerical_rank, h.measure.v.numerical_rank
('plain', 2.0, 1.0, 2, 3)
>>> float(h.value()) > 0, sorted(rep.to_json())[:3]
(True, ['B_X', 'command', 'conventions'])
>>> rep.model.evaluated, rep.model.result.posthoc > rep.model.result.fixed_class   # one layer, one head
(True, True)
>>> analyse_file(path, variant="nonexistent")
Traceback (most recent call last):
...
numeric.weights.common.WeightsError: variant: unknown variant 'nonexistent'; known: default, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numeric.weights.bounds import PRIOR_BOUNDS, HeadBound, bound_head, prior_note
from numeric.weights.common import (DEFAULT_RANK_TOL, WeightsError, check_rank_tol, check_variant, count, dec,
                                    index, positive_number, short, show_path)
from numeric.weights.files import open_tensors, read_config_heads, read_config_layers
from numeric.weights.layout import Layout, detect_layout, iter_heads
from numeric.weights.measure import estimate_B_X, layernorm_B_X, measure_head, measure_value_map
from numeric.weights.model import ModelFigures, ModelSection, model_section, plan_model

__all__ = ["CONVENTIONS", "WeightsReport", "analyse_file", "B_X_SOURCES", "PRIOR_BOUNDS"]

#: where ``B_X`` comes from when it is not given
B_X_SOURCES = ("embedding", "layernorm")

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


@dataclass(frozen=True)
class WeightsReport:
    """Everything ``rankbound weights`` prints: the file, the conventions, every head and the extremes."""

    path: str               # as given, shown with \\xNN escapes for bytes that are not UTF-8
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
    model: ModelSection | None = None     # the whole model (MATH.md sections 8 and 9)

    def extremes(self, at: str = "rank_bound") -> dict:
        """The heads with the smallest and the largest bound (``None`` if no head was evaluated)."""
        ok = [h for h in self.heads if h.value(at) is not None]
        if not ok:
            return {"smallest": None, "largest": None}
        return {"smallest": min(ok, key=lambda h: h.value(at)), "largest": max(ok, key=lambda h: h.value(at))}

    def to_json(self) -> dict:
        """A JSON-ready dict; every figure is a decimal string (layer and head indices are integers)."""
        return {**self._file_json(), "conventions": CONVENTIONS, "heads": [self._head_json(h) for h in self.heads],
                "extremes": self._extremes_json(), "prior_note": self.prior_note,
                "model": None if self.model is None else self.model.to_json()}

    def _file_json(self) -> dict:
        lay = self.layout
        return {
            "command": "weights", "file": self.path, "format": self.format, "layout": lay.kind,
            "layers": [str(x) for x in lay.layers],
            "heads_per_layer": None if lay.num_heads is None else str(lay.num_heads),
            "heads_source": lay.heads_source if lay.kind == "hf-bert" else "tensor names",
            "ignored_tensors": str(len(lay.ignored)),
            "B_X": {"value": None if self.B_X is None else dec(self.B_X, "B_X"), "source": self.B_X_source},
            "n": str(self.n), "rank_tol": dec(self.rank_tol, "rank_tol"), "dps": str(self.dps),
            "variant": self.variant,
        }

    @staticmethod
    def _head_json(h: HeadBound) -> dict:
        return dict(h.measure.to_json(), B_w={"value": dec(h.B_w, "B_w"), "source": h.B_w_source},
                    B_X={"value": dec(h.B_X, "B_X"), "source": h.B_X_source},
                    bounds={"truong_at_rank_bound": h.evaluation_json("rank_bound"),
                            "truong_at_numerical_rank": h.evaluation_json("numerical_rank"),
                            "prior": dict(h.prior)})

    def _extremes_json(self) -> dict:
        def ext(at):
            return {k: None if h is None else {"layer": h.measure.layer, "head": h.measure.head, "value": h.text(at)}
                    for k, h in self.extremes(at).items()}
        return {"at_rank_bound": ext("rank_bound"), "at_numerical_rank": ext("numerical_rank")}


def _check_selection(label: str, layout: Layout, layer, head) -> None:
    """The selected layer and head exist (checked before anything is read)."""
    if layer is not None and layer not in layout.tensors:
        raise WeightsError(f"{label}: no layer {layer} (--layer); layers: {list(layout.layers)}")
    for i in layout.layers if layer is None else [layer]:
        if head is not None and head not in layout.heads(i):
            raise WeightsError(f"{label}: layer {i} has no head {head} (--head); heads: {list(layout.heads(i))}")


def _measured(tf, layout: Layout, layers, heads, hidden, tol: float, output_layers=frozenset()):
    """Yield ``(HeadMeasure, value map, problem)`` per selected head; no head's arrays outlive its measurement.

    The value map ``W_O,h W_V,h^T`` is measured for the heads of ``output_layers`` (else ``None``); a value
    map that cannot be measured (a figure outside the float64 range) is the ``problem`` string, which stops
    the whole-model bound but not the per-head report.
    """
    label = show_path(tf.path.name)
    for hw in iter_heads(tf, layout, layers, heads, hidden, output_layers):
        try:
            m = measure_head(hw, tol)
        except WeightsError as exc:
            raise WeightsError(f"{label}: {exc} (--layer and --head select other heads)") from None
        vm = problem = None
        if hw.W_O is not None:
            try:
                vm = measure_value_map(hw, tol)
            except WeightsError as exc:
                problem = " ".join(str(exc).split())
        hw = None               # drop this head's arrays (views of its layer) before the next layer is read
        yield m, vm, problem


def analyse_file(path, *, heads: int | None = None, layer: int | None = None, head: int | None = None,
                 n: int = 10**6, rank_tol: float = DEFAULT_RANK_TOL, B_X=None, B_w=None, dps: int = 30,
                 variant: str = "default", B_X_from: str | None = None, quiet: bool = False) -> WeightsReport:
    """Measure every (selected) head of the weights file ``path`` and evaluate the bound on it, and (when no
    layer or head is selected) the whole model's post-hoc and fixed-class bounds (:mod:`numeric.weights.model`).

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
        Relative tolerance of the numerical rank, in [0, 1) (default :data:`DEFAULT_RANK_TOL`).
    B_X : number, optional
        Token norm bound; required when the file holds no embedding matrix, and
        when given it replaces the estimate.
    B_X_from : str, optional
        Where ``B_X`` comes from when it is not given: ``"embedding"`` (the default,
        :func:`~numeric.weights.measure.estimate_B_X`, one value for the file) or ``"layernorm"``
        (:func:`~numeric.weights.measure.layernorm_B_X`, a proved bound per layer, hf-bert only).
        Refused together with ``B_X``, which it could not affect.
    B_w : number, optional
        Readout norm bound; default ``||w||_2`` of the plain layout's ``w`` (per head; for the whole model,
        the last layer's ``w`` stacked), else 1.
    dps, variant
        As in :func:`numeric.evaluate` (``variant`` names a variant of the chain).
    quiet : bool
        No progress on stderr (it is shown only on a terminal anyway).
    """
    from numeric.evaluate import check_dps
    from numeric.progress import phase, progress

    dps = check_dps(count("dps", dps))
    tol = check_rank_tol("rank_tol", rank_tol)
    variant = check_variant("variant", variant)
    n = count("n", n)
    heads, layer, head = index("heads", heads, least=1), index("layer", layer), index("head", head)
    B_X_given = None if B_X is None else positive_number("B_X", B_X)
    B_w_given = None if B_w is None else positive_number("B_w", B_w)
    if B_X_from is not None and B_X_from not in B_X_SOURCES:
        raise WeightsError(f"B_X source must be 'embedding' or 'layernorm', got {short(B_X_from)}")
    if B_X_from is not None and B_X_given is not None:
        raise WeightsError(f"B_X source {B_X_from!r} and a given B_X exclude each other: the given B_X would be used "
                           f"and the source ignored; drop one")
    layers_sel, heads_sel = None if layer is None else [layer], None if head is None else [head]
    with open_tensors(path) as tf:
        label = show_path(tf.path.name)
        num_heads, heads_source, hidden = read_config_heads(tf.path, heads)
        layout = detect_layout(tf.names, num_heads, heads_source or "--heads", label)
        _check_selection(label, layout, layer, head)
        per_layer = {}
        if B_X_given is not None:
            bx, bx_source = B_X_given, "--B-X"
        elif B_X_from == "layernorm":
            for i in (layout.layers if layer is None else [layer]):
                if i in layout.tensors:
                    per_layer[i] = layernorm_B_X(tf, layout, i)
            bx, bx_source = None, "per layer: sqrt(d) max|gamma| + ||beta||_2 of the LayerNorm before the layer"
        else:
            with phase(f"reading {layout.embedding!r} for B_X", quiet=quiet or layout.embedding is None):
                est = estimate_B_X(tf, layout)
            if est is None:
                raise WeightsError(f"{label}: no embedding matrix to estimate B_X from (hf-bert: "
                                   f"'...embeddings.word_embeddings.weight'; plain: 'W_E'); pass --B-X")
            bx, bx_source = est
        out = []
        total = layout.count_heads(layers_sel, heads_sel)
        plan = plan_model(layout, read_config_layers(tf.path), layer, head)
        figures = None if plan.reason is not None else ModelFigures(plan)
        measured = _measured(tf, layout, layers_sel, heads_sel, hidden, tol, plan.output_layers)
        for m, vm, problem in progress(measured, total=total, desc="weights: heads", quiet=quiet):
            if figures is not None:
                figures.add(m, vm, problem)
            hbx, hbx_source = per_layer[m.layer] if bx is None else (bx, bx_source)
            if B_w_given is not None:
                bw, bw_source = B_w_given, "--B-w"
            elif m.w_norm is not None:
                bw, bw_source = m.w_norm, "l2 norm of the head's w"
            else:
                bw, bw_source = 1.0, "default 1: no readout w in the file; pass --B-w"
            out.append(bound_head(m, B_X=hbx, B_X_source=hbx_source, B_w=bw, B_w_source=bw_source, n=n, dps=dps,
                                  variant=variant))
        fmt = tf.format
    if bx is None and per_layer:
        model_bx = max(v for v, _src in per_layer.values())
        model_bx_source = "largest over the layers of " + bx_source.removeprefix("per layer: ")
    else:
        model_bx, model_bx_source = bx, bx_source
    with phase("weights: whole-model bound (post-hoc and fixed-class)", quiet=quiet or plan.reason is not None):
        model = model_section(plan, figures, B_X=model_bx, B_X_source=model_bx_source, B_w_given=B_w_given, n=n,
                              dps=dps, variant=variant, rank_tol=tol)
    return WeightsReport(show_path(path), fmt, layout, bx, bx_source, n, tol, dps, variant, tuple(out), prior_note(),
                         model)
