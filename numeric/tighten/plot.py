"""The waterfall of ``rankbound tighten --plot FILE``: from the default bound to the tightest, one bar per choice.

The first bar is the default bound, each following bar the drop (or rise) when one more choice is added
(in :data:`numeric.tighten.report.WATERFALL_ORDER`), the last the tightest bound; a dashed line marks the
loss range c (the bound is vacuous above it).  A log scale is used when the bars span more than a factor 20.

Examples
--------
>>> import os, tempfile
>>> from numeric.params import Params
>>> from numeric.tighten.report import tighten
>>> r = tighten(Params.from_preset("small"), dps=10, elasticity=False, sample_sizes=False)
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = waterfall(r, os.path.join(tmp, "w.png"))
...     os.path.getsize(path) > 1000
True
"""

from __future__ import annotations

__all__ = ["waterfall"]


def waterfall(report, path: str) -> str:
    """Draw the waterfall of ``report`` (a :class:`numeric.tighten.report.Report`) to ``path``."""
    from numeric.compare.plot import require_matplotlib
    plt = require_matplotlib()
    labels = ["default"] + [f"+ {name}" for name, _ in report.waterfall] + ["tightest"]
    values = [float(report.default.value)] + [float(o.value) for _, o in report.waterfall]
    values.append(float(report.tightest.value))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(labels)), 4.5))
    prev = values[0]
    for i, (label, v) in enumerate(zip(labels, values)):
        if i == 0 or i == len(labels) - 1:
            ax.bar(i, v, color="tab:blue" if i == 0 else "tab:green")
        else:
            lo, hi = min(prev, v), max(prev, v)
            ax.bar(i, max(hi - lo, 1e-300), bottom=lo, color="tab:orange" if v <= prev else "tab:red")
        ax.annotate(f"{v:.4g}", (i, v), ha="center", va="bottom", fontsize=8)
        prev = v
    c = float(report.params["c"])
    ax.axhline(c, color="k", linestyle="--", linewidth=1, label=f"c = {c:g} (vacuous above)")
    if max(values) / max(min(values), 1e-300) > 20:
        ax.set_yscale("log")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    p = report.params
    ax.set_ylabel("bound on L(theta) - L_S(theta)")
    ax.set_title(f"rankbound tighten: n = {p['n']}, d = {p['d']}, r_w = {p['r_w']}, H = {p['H']}, L = {p['L']}",
                 fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
