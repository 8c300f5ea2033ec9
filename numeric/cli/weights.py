"""``rankbound weights FILE``: the bounds evaluated on a trained transformer's own weights.

Reads a ``.safetensors`` or ``.npz`` file (layouts and conventions: :mod:`numeric.weights.analyse`),
measures every head's ``W_QK = W_Q W_K^T`` and ``W_V`` (rank bound, numerical rank,
spectral, Frobenius and (2,1) norms, stable rank), and evaluates the composed bound per
head at the exact rank bound and at the numerical rank.  ``--json`` prints one JSON object
in which every figure is a decimal string.

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

__all__ = ["NAME", "HELP", "configure", "run", "format_table"]


def configure(parser) -> None:
    from numeric.weights.analyse import DEFAULT_RANK_TOL
    parser.add_argument("file", metavar="FILE", help="a .safetensors or .npz weights file (hf-bert or plain layout)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (every figure a decimal string)")
    parser.add_argument("--layer", default=None, metavar="I", help="only layer I")
    parser.add_argument("--head", default=None, metavar="H", help="only head H (of every selected layer)")
    parser.add_argument("--heads", default=None, metavar="H",
                        help="heads per layer for the hf-bert layout (else num_attention_heads of config.json "
                             "beside FILE)")
    parser.add_argument("--n", default="1000000", metavar="N", help="sample size of the bound (default 10^6)")
    parser.add_argument("--rank-tol", default=repr(DEFAULT_RANK_TOL), metavar="TOL",
                        help=f"numerical rank: singular values > TOL * largest (default {DEFAULT_RANK_TOL:g})")
    parser.add_argument("--B-X", dest="B_X", default=None, metavar="X",
                        help="token l2 norm bound (default: max row norm of the embedding matrix; required "
                             "without one)")
    parser.add_argument("--B-X-from", dest="B_X_from", default="embedding", choices=("embedding", "layernorm"),
                        help="without --B-X: 'embedding' (max row norm of the word embeddings, an estimate; "
                             "default) or 'layernorm' (sqrt(d) max|gamma| + ||beta||_2 of the LayerNorm feeding "
                             "each layer: a proved bound for post-LN BERT-family encoders)")
    parser.add_argument("--B-w", dest="B_w", default=None, metavar="X",
                        help="readout norm bound (default: ||w||_2 of the plain layout's w, else 1)")
    parser.add_argument("--dps", default="30", help="decimal digits of the bounds (default 30)")
    parser.add_argument("--variant", default="default", help="named variant of the chain (default, "
                                                             "sharp-softmax, dudley-half)")


def _index(flag: str, value):
    if value is None:
        return None
    from numeric.params import parse_number
    try:
        x = parse_number(flag, value)
    except UsageError:
        x = None
    if x is None or x.denominator != 1 or x < 0:
        raise UsageError(f"{flag} must be a non-negative integer, got {value!r}")
    return int(x)


def run(args) -> int:
    from numeric.weights.analyse import analyse_file
    heads = _index("--heads", args.heads)
    if heads is not None and heads < 1:
        raise UsageError(f"--heads must be a positive integer, got {args.heads!r}")
    from numeric.params import parse_number
    tol = parse_number("rank_tol", args.rank_tol)
    rep = analyse_file(args.file, heads=heads, layer=_index("--layer", args.layer),
                       head=_index("--head", args.head), n=args.n, rank_tol=float(tol), B_X=args.B_X,
                       B_w=args.B_w, dps=args.dps, variant=args.variant, B_X_from=args.B_X_from)
    if args.json:
        print(json.dumps(rep.to_json(), indent=2))
    else:
        print(format_table(rep))
    return 0


def _g(x, digits: int = 4) -> str:
    return "-" if x is None else f"{float(x):.{digits}g}"


def format_table(rep) -> str:
    """The human-readable report: header, one row per head, extremes and notes."""
    from numeric.weights.analyse import _dec
    lay = rep.layout
    out = []
    w = out.append
    w(f"rankbound weights: {rep.path} ({rep.format}, layout {lay.kind}, {len(lay.layers)} layer(s), "
      f"{len(rep.heads)} head(s) in all)")
    if lay.kind == "hf-bert":
        w(f"  heads per layer: {lay.num_heads} (from {lay.heads_source})")
    if rep.B_X is not None:
        w(f"  B_X = {_dec(rep.B_X)} ({rep.B_X_source})")
    else:
        w(f"  B_X {rep.B_X_source}:")
        for lay_, (bx, src) in sorted({h.measure.layer: (h.B_X, h.B_X_source) for h in rep.heads}.items()):
            w(f"    layer {lay_}: B_X = {_dec(bx)} ({src})")
    w(f"  n = {rep.n}; rank tol = {rep.rank_tol:g}; variant {rep.variant}; other parameters from the default preset")
    if rep.heads:
        h0 = rep.heads[0]
        w(f"  B_w = {_dec(h0.B_w)} ({h0.B_w_source})" if len({(h.B_w, h.B_w_source) for h in rep.heads}) == 1
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
                    + tuple(_g(h.prior[p]["value"], 6) if h.prior[p].get("evaluated") else "-" for p in priors))
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
        from numeric.weights.analyse import _ev_fmt
        w(f"bound {label}: smallest layer {s.measure.layer} head {s.measure.head} = {_ev_fmt(s, at)}; "
          f"largest layer {g.measure.layer} head {g.measure.head} = {_ev_fmt(g, at)}")
    for h in rep.heads:
        for at, ev in (("rank bound", h.at_rank_bound), ("numerical rank", h.at_numerical_rank)):
            if isinstance(ev, str):
                w(f"layer {h.measure.layer} head {h.measure.head} not evaluated at the {at}: {ev}")
    for p in priors:
        vals = [(float(h.prior[p]["value"]), h) for h in rep.heads if h.prior[p].get("evaluated")]
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
    return "\n".join(out)
