"""Shared by the LaTeX tests: compiling with pdflatex, a stand-in evaluation, the round trip.

- :func:`compile_tex` compiles generated LaTeX twice and returns the log; without ``pdflatex`` the
  calling test is skipped with the command that installs it, and where ``CI`` is set (``.ci/run``
  installs it) it fails instead, so the LaTeX is always compiled in CI.  :func:`overfull_boxes`
  reads the lines that run into the margin off the log.
- :func:`fake_evaluation` is an evaluated bound with hand-picked numbers, for the layers that
  print numbers but never compute them.
- The round trip: printed LaTeX is read back with :mod:`latex_reader` (independent of the
  printer) and both sides are evaluated with mpmath at 50 digits (:func:`value`, :func:`close`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import mpmath
import pytest
import sympy

from lemmas.printing import HousePrinter

__all__ = ["pdflatex", "compile_tex", "overfull_boxes", "overfull_report", "CI", "fake_evaluation",
           "fake_deep_evaluation", "MODULES",
           "mp_logplus", "symbol_table", "value", "close"]

CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")

_OVERFULL = re.compile(r"^Overfull \\hbox \(([0-9.]+)pt too wide\)(.*)$", re.M)


def pdflatex() -> str:
    exe = shutil.which("pdflatex")
    if exe is None:
        msg = ("pdflatex not found; install it with: apt-get install -y texlive-latex-base "
               "texlive-latex-recommended")
        if CI:
            pytest.fail(msg + " (CI is set: the LaTeX must be compiled there, so this fails instead of skipping)")
        pytest.skip(msg)
    return exe


def compile_tex(tex: str, folder: Path) -> str:
    """Compile ``tex`` twice in ``folder`` (so references resolve) and return the final log."""
    exe = pdflatex()
    (folder / "doc.tex").write_text(tex, encoding="ascii")
    for run in (1, 2):
        proc = subprocess.run([exe, "-halt-on-error", "-interaction=nonstopmode", "doc.tex"], cwd=folder,
                              capture_output=True, text=True, errors="replace", timeout=300)
        log = (folder / "doc.log").read_text(errors="replace")
        assert proc.returncode == 0, f"pdflatex failed (run {run}):\n" + "\n".join(
            ln for ln in log.splitlines() if ln.startswith("!") or "error" in ln.lower())[:3000]
    return log


def overfull_report(log: str, tex: str, tolerance: float = 1.0) -> str:
    """The overfull lines of ``log`` with the source they come from (for a failure message)."""
    src = tex.splitlines()
    out = []
    for line in overfull_boxes(log, tolerance):
        m = re.search(r"at lines? (\d+)", line)
        n = int(m.group(1)) if m else 0
        start = n - 1
        while start > 0 and not src[start - 1].startswith((r"\begin{", r"\item", r"\par")) and n - start < 40:
            start -= 1
        out.append(line + "\n    " + "\n    ".join(ln[:300] for ln in src[max(start - 1, 0):n]))
    return "\n".join(out)


def overfull_boxes(log: str, tolerance: float = 1.0) -> list[str]:
    """The ``Overfull \\hbox (X pt too wide) ...`` lines of a pdflatex log with X > ``tolerance``."""
    return [m.group(0) for m in _OVERFULL.finditer(log) if float(m.group(1)) > tolerance]


# ------------------------------------------------------------------------------------------------
# a stand-in evaluation
# ------------------------------------------------------------------------------------------------

def fake_evaluation(variant: str = "default", vacuous: bool = False):
    """An evaluated bound with hand-picked numbers (the attributes ``numeric.evaluate`` returns)."""
    mpf = mpmath.mpf
    blocks = [SimpleNamespace(name="w", D=mpf(64), C=mpf(9), integral=mpf("71.25")),
              SimpleNamespace(name="V", D=mpf(53312), C=mpf(27), integral=mpf("2718.5")),
              SimpleNamespace(name="QK", D=mpf(98368), C=mpf(54), integral=mpf("4150.125"))]
    return SimpleNamespace(variant=variant, dps=20, value=mpf("0.1234567890123"),
                           rademacher=mpf("0.0234567890123"), confidence=mpf("0.1"), blocks=blocks,
                           vacuous=vacuous,
                           params={"n": "1000000", "d": "768", "c": "1", "L_sigma": "1", "delta": "0.05"})


def fake_deep_evaluation(vacuous: bool = True):
    """A stand-in for an evaluation of the H-head, L-layer theorem at H = 12, L = 6 (hand-picked numbers
    of the right sizes; five blocks named as the theorem's groups)."""
    mpf = mpmath.mpf
    blocks = [SimpleNamespace(name="readout w", D=mpf(768), C=mpf("1506.884203"), integral=mpf("254.7829911")),
              SimpleNamespace(name="readout values", D=mpf(639744), C=mpf(1305), integral=mpf("7277.692059")),
              SimpleNamespace(name="readout scores", D=mpf(1180416), C=mpf(2610), integral=mpf("10372.27313")),
              SimpleNamespace(name="hidden values", D=mpf(5902080), C=mpf("3.129611861e11"),
                              integral=mpf("43091.37714")),
              SimpleNamespace(name="hidden scores", D=mpf(5902080), C=mpf("6.259223722e11"),
                              integral=mpf("43657.47535"))]
    return SimpleNamespace(variant="default", dps=30, value=mpf("2511.69049"), rademacher=mpf("2511.686416"),
                           confidence=mpf("0.004074304547"), blocks=blocks, vacuous=vacuous,
                           params={"n": "1000000", "d": "768", "k": "64", "c": "1", "L_sigma": "1", "delta": "0.05",
                                   "H": "12", "L": "6"})


# ------------------------------------------------------------------------------------------------
# the round trip
# ------------------------------------------------------------------------------------------------


def mp_logplus(x):
    return mpmath.log(x) if x > 1 else mpmath.mpf(0)


MODULES = [{"logplus": mp_logplus, "erfc": mpmath.erfc}, "mpmath"]


def symbol_table(exprs) -> dict:
    """The printed name of every free symbol of ``exprs`` -> the symbol (what the reader looks up)."""
    p = HousePrinter()
    table = {}
    for e in exprs:
        for s in e.free_symbols:
            table[p.doprint(s)] = s
    return table


def value(expr, values: dict, dps: int = 50):
    syms = sorted(values, key=str)
    f = sympy.lambdify(syms, expr, modules=MODULES)
    with mpmath.workdps(dps):
        return f(*[mpmath.mpmathify(values[s]) for s in syms])


def close(a, b, rel=mpmath.mpf(10) ** -30):
    with mpmath.workdps(50):
        return abs(a - b) <= rel * max(abs(a), abs(b), 1)
