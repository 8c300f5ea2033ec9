"""The composed theorem of MATH.md section 5, evaluated straight from its formulas (the spec oracle)."""

from __future__ import annotations

from .common import _ctx, _export

__all__ = ["rademacher_bound_spec"]


def _I(ctx, C, U):
    """I(C, U) of MATH.md section 5 (closed form with erfc; C sqrt(pi)/2 when C <= U)."""
    if C <= U:
        return C * ctx.sqrt(ctx.pi) / 2
    L = ctx.log(C / U)
    return U * ctx.sqrt(L) + C * (ctx.sqrt(ctx.pi) / 2) * ctx.erfc(ctx.sqrt(L))


def rademacher_bound_spec(params: dict, dps: int | None = None, softmax_const=2) -> dict:
    """The generalisation theorem of MATH.md section 5, evaluated directly from its formulas.

    ``params`` keys: n, d, k, r_w, r_v, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta (others,
    e.g. T, are ignored: the bound does not depend on T).  ``dps`` defaults to
    ``params.get('dps', 30)``; all arithmetic happens in a private mpmath context.

      B_f = L_sigma B_w B_V B_X
      blocks (name, D, C):
        ('w',  k,               9 B_f)
        ('V',  (d+k+1) r_v,     27 L_sigma B_w B_X B_V)
        ('QK', (2d+1) r_w,      27*softmax_const L_sigma B_w B_V B_X^3 B_QK)   [54 if const 2,
                                                                               27 if const 1]
      integral_j = sqrt(D_j) I(C_j, B_f),
        I(C, U) = U sqrt(log(C/U)) + C (sqrt(pi)/2) erfc(sqrt(log(C/U)))  (C > U),
                  C sqrt(pi)/2                                             (C <= U)
      rademacher_complexity R = (12 L_loss / sqrt(n)) * sum_j integral_j     (Dudley, alpha = 0,
                                                                              b = B_f; contraction)
      rademacher_term = 2 R
      confidence = 3 c sqrt(log(2/delta) / (2n))
      value = rademacher_term + confidence   (the bound on L(theta) - L_S(theta))

    Returns a dict with those keys (mpmath.mpf values at full precision), plus ``B_f`` and
    ``blocks`` = [(name, D, C, integral), ...] in the order w, V, QK.
    """
    dps = int(params.get("dps", 30) if dps is None else dps)
    ctx = _ctx(dps)
    P = {key: ctx.mpf(params[key]) for key in
         ("n", "d", "k", "r_w", "r_v", "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c",
          "delta")}
    n, d, k, r_w, r_v = P["n"], P["d"], P["k"], P["r_w"], P["r_v"]
    B_X, B_w, B_V, B_QK = P["B_X"], P["B_w"], P["B_V"], P["B_QK"]
    Ls, Ll, c, delta = P["L_sigma"], P["L_loss"], P["c"], P["delta"]
    sc = ctx.mpf(softmax_const)
    qk_const = ctx.mpf(54) if sc == 2 else (ctx.mpf(27) if sc == 1 else 27 * sc)

    B_f = Ls * B_w * B_V * B_X
    spec = [
        ("w", k, 9 * B_f),
        ("V", (d + k + 1) * r_v, 27 * Ls * B_w * B_X * B_V),
        ("QK", (2 * d + 1) * r_w, qk_const * Ls * B_w * B_V * B_X ** 3 * B_QK),
    ]
    blocks = []
    total = ctx.zero
    for name, D, C in spec:
        integral = ctx.sqrt(D) * _I(ctx, C, B_f)
        total += integral
        blocks.append((name, _export(D), _export(C), _export(integral)))
    R = 12 * Ll / ctx.sqrt(n) * total
    conf = 3 * c * ctx.sqrt(ctx.log(2 / delta) / (2 * n))
    return {
        "value": _export(2 * R + conf),
        "rademacher_term": _export(2 * R),
        "rademacher_complexity": _export(R),
        "confidence": _export(conf),
        "B_f": _export(B_f),
        "blocks": blocks,
        "dps": dps,
        "softmax_const": softmax_const,
    }
