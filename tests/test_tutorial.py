"""The tutorial's second proof (examples/two_layer.py, docs/tutorial.md) composes, renders and evaluates,
and its lemmas and its bound are checked against independent computations like the library's own."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "two_layer.py"


def _load():
    spec = importlib.util.spec_from_file_location("two_layer_example", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


EX = _load()
COV, CHAIN, THEOREM, BLOCKS, CONFIDENCE = EX.compose()


def test_the_example_runs_as_a_script():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--json"], capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["certified"] is True
    lo, hi = (mpmath.mpf(x) for x in out["interval"])
    assert lo <= mpmath.mpf(out["value"]) * (1 + mpmath.mpf(10) ** -25) and lo <= hi
    assert out["claims"] == {"rate-n": "proved", "growth-m": "proved"}
    assert out["failure_probability"] == "delta"
    assert any("sigma is L_sigma-Lipschitz" in o for o in out["obligations"])
    steps = [r["step"] for r in out["refusals"]]
    assert len(steps) == 3, steps
    msgs = " ".join(r["message"] for r in out["refusals"])
    assert "domain-of-R" in msgs and "may be raised but not lowered" in msgs and "nonincreasing" in msgs


def _oracle(values, dps=30):
    """The bound from MATH-style hand calculation: 2 L_loss (12/sqrt(n)) sum_j int_0^{B_f} sqrt(D_j log+(C_j/eps))
    + 3 c sqrt(log(2/delta)/(2n)), with D = (m, m d) and C_j = c_vol * c_split * L_j * R_j = 3 * 2 * B_f."""
    with mpmath.workdps(dps + 10):
        v = {k: mpmath.mpf(sympy.Rational(x).p) / sympy.Rational(x).q for k, x in values.items()}
        Bf = v["L_sigma"] * v["B_v"] * v["B_W"] * v["B_x"]
        C = 6 * Bf
        total = 0
        for D in (v["m"], v["m"] * v["d"]):
            f = lambda e, D=D: mpmath.sqrt(D * max(mpmath.mpf(0), mpmath.log(C / e)))  # noqa: E731
            total += mpmath.quad(f, [0, Bf])
        rad = 2 * v["L_loss"] * 12 / mpmath.sqrt(v["n"]) * total
        conf = 3 * v["c"] * mpmath.sqrt(mpmath.log(2 / v["delta"]) / (2 * v["n"]))
        return rad + conf


@given(st.integers(1, 300), st.integers(1, 800), st.integers(1, 10**9), st.floats(0.05, 20), st.floats(0.05, 20),
       st.floats(0.05, 20), st.floats(0.1, 3))
@settings(max_examples=15)
def test_the_composed_bound_equals_the_hand_calculation(m, d, n, B_x, B_W, B_v, L_sigma):
    import lemmas.symbols as S
    values = {"m": m, "d": d, "n": n, "B_x": B_x, "B_W": B_W, "B_v": B_v, "L_sigma": L_sigma, "L_loss": 1.5,
              "c": 1, "delta": 0.05}
    syms = {EX.m: m, EX.d: d, S.n: n, EX.B_x: B_x, EX.B_W: B_W, EX.B_v: B_v, S.L_sigma: L_sigma, S.L_loss: 1.5,
            S.c: 1, S.delta: 0.05}
    got = EX.numeric.evaluate_expr(CHAIN.rhs, syms, dps=25)
    want = _oracle(values)
    with mpmath.workdps(30):
        assert abs(got - want) <= mpmath.mpf(10) ** -18 * want


def _net(rng, m, d, B_W, B_v):
    W = rng.standard_normal((m, d))
    W *= B_W * rng.uniform(0, 1) ** 0.2 / np.linalg.norm(W)
    v = rng.standard_normal(m)
    v *= B_v * rng.uniform(0, 1) ** 0.2 / np.linalg.norm(v)
    return W, v


ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0), "identity": lambda z: z}


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
def test_the_perturbation_and_output_lemmas_on_random_and_aligned_networks(act):
    """|f - f'| against the lemma's right side (L_sigma = 1 activations), random pairs and an adversarial
    aligned pair that attains the bound for the identity: the worst ratio is reported and must be <= 1."""
    sigma = ACTIVATIONS[act]
    rng = np.random.default_rng(7)
    worst = 0.0
    for _ in range(400):
        m, d = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        B_x, B_W, B_v = (float(x) for x in 10.0 ** rng.uniform(-1, 1, 3))
        W, v = _net(rng, m, d, B_W, B_v)
        W2, v2 = _net(rng, m, d, B_W, B_v)
        if rng.uniform() < 0.3:                      # aligned: rank-one W along x, v along W x
            x = rng.standard_normal(d); x *= B_x / np.linalg.norm(x)
            u = rng.standard_normal(m); u /= np.linalg.norm(u)
            W = B_W * np.outer(u, x / B_x); v = B_v * u
            W2 = 0.5 * W; v2 = -v
        else:
            x = rng.standard_normal(d); x *= B_x * rng.uniform() ** 0.3 / np.linalg.norm(x)
        f1, f2 = v @ sigma(W @ x), v2 @ sigma(W2 @ x)
        radii = {EX.B_W: B_W, EX.B_x: B_x, EX.B_v: B_v, EX.L_sigma: 1}
        rhs = float(EX.PERTURBATION.rhs.xreplace({**radii, EX.dv: float(np.linalg.norm(v - v2)),
                                                  EX.dW: float(np.linalg.norm(W - W2, 2))}))
        worst = max(worst, abs(f1 - f2) / rhs if rhs > 0 else 0.0)
        assert abs(f1) <= float(EX.OUTPUT_BOUND.rhs.xreplace(radii)) * (1 + 1e-12)      # the output bound
    assert worst <= 1 + 1e-9, worst
    if act == "identity":
        assert worst >= 0.5                          # the aligned pairs come close: the check has power


def test_the_tutorial_chain_leaves_only_modelling_obligations():
    names = {o.hypothesis.name for o in CHAIN.obligations}
    assert names == {"delta-below-1", "iid-sample", "bounded-loss", "loss-lipschitz", "scalar-class",
                     "sigma-lipschitz", "inputs-bounded", "both-in-class"}


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (CI installs it)")
def test_the_tutorial_latex_compiles(tmp_path):
    import derive.latex as L
    body = L.derivation_latex(CHAIN)
    doc = L.PREAMBLE + "\n\\begin{document}\n\\[\n" + body + "\n\\]\n\\end{document}\n"
    (tmp_path / "t.tex").write_text(doc)
    proc = subprocess.run(["pdflatex", "-halt-on-error", "-interaction=nonstopmode", "t.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:]
