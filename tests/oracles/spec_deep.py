"""The H-head, L-layer bound of MATH.md section 8, evaluated straight from its block table (by quadrature).

Written from /work/shared/MATH.md section 8 only; the integrals are computed by mpmath quadrature
(split at eps = C where log+ switches off), not by the erfc closed form the library derives.
"""

from __future__ import annotations

from .common import _ctx, _export

__all__ = ["deep_bound_spec"]


def deep_bound_spec(params: dict, H: int, L: int, dps: int = 30, c_sm: int = 2) -> dict:
    """The bound of MATH.md section 8 at ``params`` (keys as in ``rademacher_bound_spec``), H heads, L layers.

      m = 1 + 2 H L,  rho = 1 + H B_V (1 + 2 c_sm B_X^2 B_QK),  Lambda = sqrt(H) L_sigma B_w B_V (1 + 2 c_sm B_X^2 B_QK)
      B_f = sqrt(H) L_sigma B_w B_V B_X
      blocks (D, C):
        readout w       H k                    3 m sqrt(H) L_sigma B_V B_X B_w
        readout values  H (d+k+1) r_v          9 m L_sigma B_w B_X B_V
        readout scores  H (2d+1) r_w           9 m c_sm L_sigma B_w B_V B_X^3 B_QK
        hidden values   (L-1) H (2d+1) r_v     9 m Lambda rho^(L-2) B_X B_V
        hidden scores   (L-1) H (2d+1) r_w     9 m Lambda rho^(L-2) c_sm B_V B_X^3 B_QK
      R_S <= (12 L_loss / sqrt(n)) sum_blocks int_0^{B_f} sqrt(D log+(C/eps)) d eps
      bound = 2 R_S + 3 c sqrt(log(2/delta) / (2n))
    """
    ctx = _ctx(dps + 15)
    P = {key: ctx.mpf(params[key]) for key in
         ("n", "d", "k", "r_w", "r_v", "B_X", "B_w", "B_V", "B_QK", "L_sigma", "L_loss", "c", "delta")}
    n, d, k, r_w, r_v = P["n"], P["d"], P["k"], P["r_w"], P["r_v"]
    B_X, B_w, B_V, B_QK = P["B_X"], P["B_w"], P["B_V"], P["B_QK"]
    Ls, Ll, c, delta = P["L_sigma"], P["L_loss"], P["c"], P["delta"]
    Hm, Lm, csm = ctx.mpf(H), ctx.mpf(L), ctx.mpf(c_sm)
    m = 1 + 2 * Hm * Lm
    head = 1 + 2 * csm * B_X ** 2 * B_QK
    rho = 1 + Hm * B_V * head
    lam = ctx.sqrt(Hm) * Ls * B_w * B_V * head
    far = lam * rho ** (Lm - 2)
    B_f = ctx.sqrt(Hm) * Ls * B_w * B_V * B_X
    table = [
        ("readout w", Hm * k, 3 * m * ctx.sqrt(Hm) * Ls * B_V * B_X * B_w),
        ("readout values", Hm * (d + k + 1) * r_v, 9 * m * Ls * B_w * B_X * B_V),
        ("readout scores", Hm * (2 * d + 1) * r_w, 9 * m * csm * Ls * B_w * B_V * B_X ** 3 * B_QK),
        ("hidden values", (Lm - 1) * Hm * (2 * d + 1) * r_v, 9 * m * far * B_X * B_V),
        ("hidden scores", (Lm - 1) * Hm * (2 * d + 1) * r_w, 9 * m * far * csm * B_V * B_X ** 3 * B_QK),
    ]
    blocks, total = [], ctx.mpf(0)
    for name, D, C in table:
        top = min(C, B_f)                                 # log+ vanishes past eps = C
        f = lambda e, D=D, C=C: ctx.sqrt(D * ctx.log(C / e)) if e < C else ctx.mpf(0)  # noqa: E731
        integral = ctx.quad(f, [0, top]) if D > 0 else ctx.mpf(0)
        blocks.append((name, _export(D), _export(C), _export(integral)))
        total += integral
    rc = 12 * Ll / ctx.sqrt(n) * total
    conf = 3 * c * ctx.sqrt(ctx.log(2 / delta) / (2 * n))
    return {"value": _export(2 * rc + conf), "rademacher_complexity": _export(rc), "confidence": _export(conf),
            "B_f": _export(B_f), "blocks": blocks}
