"""A log-log plot of sweeps (:mod:`numeric.compare.sweep`) with the vacuity line c (matplotlib).

matplotlib is an optional extra: :func:`require_matplotlib` says so in one line before any work.
:func:`image_suffixes` lists the file types the plot can be written as (those matplotlib's Agg
canvas writes without outside programs), so a command can check ``--out`` before computing.

Examples
--------
>>> from numeric.compare.plot import image_suffixes
>>> try:
...     ok = {"png", "pdf", "svg"} <= set(image_suffixes()) and "pgf" not in image_suffixes()
... except UsageError as exc:              # without matplotlib: one line that says so
...     ok = "matplotlib is not installed" in str(exc)
>>> ok
True
"""

from __future__ import annotations

from typing import Mapping

from numeric.errors import UsageError

__all__ = ["plot", "image_suffixes", "require_matplotlib"]

#: types matplotlib lists but cannot write alone (pgf needs a LaTeX installation)
_NEEDS_MORE = {"pgf"}


def require_matplotlib():
    """matplotlib.pyplot on the Agg backend, or a one-line UsageError."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("plot: matplotlib is not installed (pip install matplotlib)") from None
    return plt


def image_suffixes() -> tuple:
    """The file suffixes (without the dot, lower case) the plot can be saved as."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    return tuple(sorted(set(FigureCanvasAgg.get_supported_filetypes()) - _NEEDS_MORE))


def plot(series: Mapping[str, list], name: str, out: str, c=None, title: str = ""):
    """Draw several sweeps (``{label: rows}``, rows as :func:`numeric.compare.sweep.sweep` gives them)
    on log-log axes with the vacuity line ``c``, and save to ``out`` (its suffix picks the format)."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=100)
    try:
        for label, rows in series.items():
            ax.plot([float(r[name]) for r in rows], [float(r["value"]) for r in rows], label=label, lw=2)
        if c is not None:
            ax.axhline(float(c), color="grey", ls="--", lw=1, label="c (vacuous above)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(name)
        ax.set_ylabel("bound on L - L_S")
        ax.set_title(title or f"bounds against {name} (priors rebuilt with the same Dudley and generalisation "
                              f"steps)", fontsize=9)
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        try:
            fig.savefig(out)
        except OSError as exc:
            raise UsageError(f"--out: cannot write {out!r}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out
