"""``rankbound weights FILE``: the bounds evaluated on a trained transformer's own weights.

Reads a ``.safetensors`` or ``.npz`` file (layouts and conventions: :mod:`numeric.weights`),
measures every head's ``W_QK = W_Q W_K^T`` and ``W_V`` (rank bound, numerical rank,
spectral, Frobenius and (2,1) norms, stable rank), and evaluates the composed bound per
head at the exact rank bound and at the numerical rank; then the whole model (MATH.md sections 8
and 9, :mod:`numeric.weights.model`): the post-hoc bound, a theorem, and the fixed-class bound at
the measured figures, a what-if, with what the model leaves out.  ``--json`` prints one JSON object
in which every figure is a decimal string (never ``NaN``).  Every flag is checked before the
file is read; a flag value the command would ignore is refused.  Progress over the heads is
shown on a terminal.

Examples
--------
>>> import numpy as np, tempfile, os
>>> from numeric.cli.main import main
>>> path = os.path.join(tempfile.mkdtemp(), "head.npz")
>>> np.savez(path, W_Q=np.eye(4)[:, :1], W_K=np.eye(4)[:, :1], W_V=np.eye(4)[:, :2])
>>> main(["weights", path, "--B-X", "1", "--dps", "10"])      # doctest: +ELLIPSIS
rankbound weights: ...head.npz (npz, layout plain, 1 layer(s), 1 head(s) in all)
...
0
"""

from __future__ import annotations

import json

from numeric.errors import UsageError

NAME = "weights"
HELP = "evaluate the bounds on a trained transformer's weights (.safetensors or .npz)"

__all__ = ["NAME", "HELP", "configure", "run", "format_table", "format_model"]


def configure(parser) -> None:
    from numeric.weights import B_X_SOURCES, DEFAULT_RANK_TOL
    parser.add_argument("file", metavar="FILE", help="a .safetensors or .npz weights file (hf-bert or plain layout)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (every figure a decimal string)")
    parser.add_argument("--layer", default=None, metavar="I", help="only layer I")
    parser.add_argument("--head", default=None, metavar="H", help="only head H (of every selected layer)")
    parser.add_argument("--heads", default=None, metavar="H",
                        help="heads per layer for the hf-bert layout (else num_attention_heads of config.json "
                             "beside FILE); for the plain layout, checked against the heads in the file")
    parser.add_argument("--n", default="1000000", metavar="N", help="sample size of the bound (default 10^6)")
    parser.add_argument("--rank-tol", default=repr(DEFAULT_RANK_TOL), metavar="TOL",
                        help=f"numerical rank: singular values > TOL * largest, TOL in [0, 1) "
                             f"(default {DEFAULT_RANK_TOL:g})")
    parser.add_argument("--B-X", dest="B_X", default=None, metavar="X",
                        help="token l2 norm bound (default: max row norm of the embedding matrix; required "
                             "without one)")
    parser.add_argument("--B-X-from", dest="B_X_from", default=None, choices=B_X_SOURCES,
                        help="without --B-X: 'embedding' (max row norm of the word embeddings, an estimate; "
                             "default) or 'layernorm' (sqrt(d) max|gamma| + ||beta||_2 of the LayerNorm feeding "
                             "each layer: a proved bound for post-LN BERT-family encoders)")
    parser.add_argument("--B-w", dest="B_w", default=None, metavar="X",
                        help="readout norm bound (default: ||w||_2 of the plain layout's w per head, and of the "
                             "last layer's stacked w for the whole model; else 1)")
    parser.add_argument("--dps", default="30", help="decimal digits of the bounds (default 30)")
    parser.add_argument("--variant", default="default", help="named variant of the composed chain (default, "
                                                             "sharp-softmax, dudley-half); the prior bounds have none")


def _checked(args) -> dict:
    """Every flag checked (named in the error), as the keyword arguments of ``analyse_file``."""
    from numeric.evaluate import check_dps
    from numeric.weights.common import check_rank_tol, check_variant, count, index, positive_number
    if args.B_X is not None and args.B_X_from is not None:
        raise UsageError(f"--B-X-from {args.B_X_from} cannot be combined with --B-X, which gives B_X directly "
                         f"(the source would be ignored); drop one")
    return dict(heads=index("--heads", args.heads, least=1), layer=index("--layer", args.layer),
                head=index("--head", args.head), n=count("--n", args.n),
                rank_tol=check_rank_tol("--rank-tol", args.rank_tol),
                B_X=None if args.B_X is None else positive_number("--B-X", args.B_X),
                B_w=None if args.B_w is None else positive_number("--B-w", args.B_w),
                dps=check_dps(count("--dps", args.dps)), variant=check_variant("--variant", args.variant),
                B_X_from=args.B_X_from)


def run(args) -> int:
    from numeric.weights import analyse_file
    rep = analyse_file(args.file, **_checked(args))
    if args.json:
        text = json.dumps(rep.to_json(), indent=2, allow_nan=False)
    else:
        text = format_table(rep)
    print(text)
    return 0


def _g(x, digits: int = 4) -> str:
    """A figure or bound with ``digits`` significant digits ("-" for none); mpf values beyond the
    float64 range keep their exponent (``1.0e+400``), never ``inf``."""
    if x is None:
        return "-"
    import mpmath
    if isinstance(x, mpmath.mpf) and not (mpmath.mpf("1e-300") < abs(x) < mpmath.mpf("1e300")) and x != 0:
        return mpmath.nstr(x, digits)
    return f"{float(x):.{digits}g}"


def _prior_key(value: str):
    import mpmath
    return mpmath.mpf(value)


def format_table(rep) -> str:
    """The human-readable report: header, one row per head, extremes and notes."""
    from numeric.weights.common import dec
    lay = rep.layout
    out = []
    w = out.append
    w(f"rankbound weights: {rep.path} ({rep.format}, layout {lay.kind}, {len(lay.layers)} layer(s), "
      f"{len(rep.heads)} head(s) in all)")
    if lay.kind == "hf-bert":
        w(f"  heads per layer: {lay.num_heads} (from {lay.heads_source})")
    if rep.B_X is not None:
        w(f"  B_X = {dec(rep.B_X, 'B_X')} ({rep.B_X_source})")
    else:
        w(f"  B_X {rep.B_X_source}:")
        for lay_, (bx, src) in sorted({h.measure.layer: (h.B_X, h.B_X_source) for h in rep.heads}.items()):
            w(f"    layer {lay_}: B_X = {dec(bx, 'B_X')} ({src})")
    w(f"  n = {rep.n}; rank tol = {rep.rank_tol:g}; variant {rep.variant}; other parameters from the default preset")
    if rep.heads:
        h0 = rep.heads[0]
        w(f"  B_w = {dec(h0.B_w, 'B_w')} ({h0.B_w_source})" if len({(h.B_w, h.B_w_source) for h in rep.heads}) == 1
          else "  B_w per head (see --json)")
    if lay.ignored:
        w(f"  {len(lay.ignored)} tensor(s) outside the layout ignored (biases, feed-forward, ...)")
    w("  r = rank bound, nr = numerical rank, srank = stable rank, |.|_21 = sum of column l2 norms")
    w("")
    priors = [name for name in (rep.heads[0].prior if rep.heads else {})
              if any(h.prior[name].get("evaluated") for h in rep.heads)]
    cols = ("layer", "head", "r_QK", "nr_QK", "|QK|_2", "|QK|_F", "|QK|_21", "srank_QK",
            "r_V", "nr_V", "|V|_2", "|V|_F", "|V|_21", "srank_V", "bound@r", "bound@nr") + tuple(priors)
    rows = [cols]
    for h in rep.heads:
        m = h.measure
        rows.append((str(m.layer), str(m.head), str(m.qk.rank_bound), str(m.qk.numerical_rank), _g(m.qk.spectral),
                     _g(m.qk.frobenius), _g(m.qk.norm_21), _g(m.qk.stable_rank), str(m.v.rank_bound),
                     str(m.v.numerical_rank), _g(m.v.spectral), _g(m.v.frobenius), _g(m.v.norm_21),
                     _g(m.v.stable_rank), _g(h.value("rank_bound"), 6), _g(h.value("numerical_rank"), 6))
                    + tuple(_g(_prior_key(h.prior[p]["value"]), 6) if h.prior[p].get("evaluated") else "-"
                            for p in priors))
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols))]
    for r in rows:
        w("  ".join(c.rjust(wd) for c, wd in zip(r, widths)))
    w("")
    for at, label in (("rank_bound", "at the rank bound"), ("numerical_rank", "at the numerical rank")):
        e = rep.extremes(at)
        if e["smallest"] is None:
            w(f"bound {label}: no head evaluated")
            continue
        s, g = e["smallest"], e["largest"]
        w(f"bound {label}: smallest layer {s.measure.layer} head {s.measure.head} = {s.text(at)}; "
          f"largest layer {g.measure.layer} head {g.measure.head} = {g.text(at)}")
    for h in rep.heads:
        for at, ev in (("rank bound", h.at_rank_bound), ("numerical rank", h.at_numerical_rank)):
            if isinstance(ev, str):
                w(f"layer {h.measure.layer} head {h.measure.head} not evaluated at the {at}: {ev}")
    for p in priors:
        vals = [(_prior_key(h.prior[p]["value"]), h) for h in rep.heads if h.prior[p].get("evaluated")]
        s, g = min(vals, key=lambda x: x[0])[1], max(vals, key=lambda x: x[0])[1]
        w(f"rebuilt {p} bound (no ranks): smallest layer {s.measure.layer} head {s.measure.head} = "
          f"{s.prior[p]['value']}; largest layer {g.measure.layer} head {g.measure.head} = {g.prior[p]['value']}")
    w("NOTE: the bound at the numerical rank is for the class holding the rank-truncated head (same Frobenius "
      "radii), not the trained head itself.")
    if rep.B_X_source.startswith("max row"):
        w("NOTE: B_X from the word embeddings is an estimate, not a proved bound on the tokens attention reads "
          "(position and segment embeddings and LayerNorm come in between); --B-X-from layernorm gives one.")
    if rep.prior_note:
        w(f"NOTE: {rep.prior_note}")
    if rep.model is not None:
        w("")
        out.extend(format_model(rep.model))
    return "\n".join(out)


def format_model(sec) -> list:
    """The whole-model part of the text report: figures, the post-hoc bound (a THEOREM), the fixed-class
    bound (a WHAT-IF) and what the section 8 model leaves out."""
    from numeric.weights.common import dec
    p = sec.plan
    out = ["WHOLE MODEL (MATH.md section 8: L - 1 hidden layers and a readout layer of H heads; section 9: "
           "post-hoc bound)"]
    w = out.append
    if p.heads is not None:
        w(f"  H = {p.heads} heads ({p.heads_source}); L = {p.layers} layers ({p.layers_source})")
    if not sec.evaluated:
        w(f"  not evaluated: {sec.reason}")
    if sec.d is not None:
        pre = ", ".join(f"{k} = {dec(v)}" for k, v in sec.preset.items())
        w(f"  d = {sec.d}, k = {sec.k} (head dimension), n = {sec.n}; {pre} (default preset); variant {sec.variant}")
        w(f"  B_X = {dec(sec.B_X, 'B_X')} ({sec.B_X_source})")
    js = sec.measured_json()
    if js is not None:
        at = js["largest_at"]
        w(f"  measured (largest over all layers and heads; numerical ranks at rank tol {dec(sec.rank_tol)}):")
        w(f"    B_QK = {js['B_QK']} (||W_Q,h W_K,h^T||_F, layer {at['B_QK']['layer']} head {at['B_QK']['head']}); "
          f"r_w = {js['r_w']}")
        w(f"    B_V = {js['B_V']} (layer {at['B_V']['layer']} head {at['B_V']['head']}); r_v = {js['r_v']}; value "
          f"maps: {js['value_maps']}")
        w(f"    B_w = {js['B_w']} ({js['B_w_source']})")
    if sec.result is not None:
        r = sec.result.to_json(strings=True)
        ph, fc = r["posthoc"], r["fixed_class"]
        cell = ", ".join(f"{k} = {v} (i = {ph['indices'][k]})" for k, v in ph["radii"].items())
        w(f"  post-hoc bound = {ph['value']}")
        how = ph["status"].removeprefix("theorem ").strip("()")
        w(f"    THEOREM (w.p. >= 1 - delta for every cell at once): {how}; {ph['grid']}")
        w(f"    the model's cell: {cell}; r_w = {ph['ranks']['r_w']}, r_v = {ph['ranks']['r_v']}; "
          f"delta_cell = {ph['delta_cell']}")
        w(f"  fixed-class bound at the measured figures = {fc['value']}")
        w(f"    WHAT-IF, not a theorem: {fc['status'].removeprefix('what-if, not a theorem: ')}")
    w("  omitted by the section 8 model (what of the real architecture it leaves out):")
    for item in sec.omitted():
        w(f"    - {item}")
    return out
