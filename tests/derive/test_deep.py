"""The H-head, L-layer theorem (derive.deep): composed, equal to MATH.md section 8 and to the single-head
theorem at H = L = 1, monotone in H and L, free of T; its CLI value agrees with the section 8 spec."""

from __future__ import annotations

import json

import mpmath
import pytest
import sympy

import derive
import numeric
import oracles as O
from lemmas.symbols import H, L, T, n
from numeric.cli.main import main

DEEP = derive.deep_theorem()


def test_H1_L1_is_the_single_head_theorem_exactly():
    assert DEEP.bound.xreplace({H: 1, L: 1}) == derive.theorem().bound
    assert DEEP.failure == derive.theorem().failure


def test_the_deep_bound_is_free_of_T_at_every_depth():
    assert not DEEP.bound.has(T) and DEEP.bound.has(L) and DEEP.bound.has(H)


def test_the_chain_is_composed_from_the_layer_lemmas():
    names = [s.lemma.name for s in DEEP.covering.steps]
    for must in ("hidden-layer-input-lipschitz", "readout-input-lipschitz", "hidden-layer-param-lipschitz",
                 "readout-param-lipschitz", "deep-perturbation", "lipschitz-group-cover-5"):
        assert must in names, names
    # the telescoping lemma's hypotheses were discharged by the layer lemmas' facts, not left open
    open_ = {o.hypothesis.name for o in DEEP.obligations}
    assert not open_ & {"hidden-input-lipschitz", "readout-input-lipschitz", "hidden-param-lipschitz",
                        "readout-param-lipschitz", "rho-at-least-1", "split-at-most-one", "group-lipschitz"}


def _close(a, b, digits):
    with mpmath.workdps(digits + 10):
        return abs(mpmath.mpf(a) - mpmath.mpf(b)) <= mpmath.mpf(10) ** (1 - digits) * abs(mpmath.mpf(b))


@pytest.mark.lemma("deep-theorem")
@pytest.mark.lemma("deep-covering")         # its blocks (D, C) are checked against the table too
@pytest.mark.parametrize("preset,heads,layers,ref", [
    ("bert-base-head", 12, 1, "374.02"), ("bert-base-head", 1, 2, "69.09"), ("bert-base-head", 12, 6, "2511.7"),
    ("bert-base-head", 3, 4, None), ("small", 12, 6, None), ("small", 2, 3, None), ("bert-base", 12, 12, None),
    ("minilm", 12, 6, None)])
def test_the_bound_equals_the_section_8_table_to_30_digits(preset, heads, layers, ref):
    p = numeric.Params.from_preset(preset, H=heads, L=layers)
    ev = numeric.evaluate(p, dps=30)
    spec = O.deep_bound_spec(p.as_strings(), heads, layers, dps=40)
    assert _close(ev.value, spec["value"], 30), (ev.value, spec["value"])
    for b, (name, D, C, integral) in zip(ev.blocks, spec["blocks"]):
        assert b.name == name and _close(b.C, C, 30)
        assert (b.D == 0 and D == 0) or _close(b.D, D, 30)
    if ref is not None:                   # the reference values printed in MATH.md section 8
        assert mpmath.nstr(ev.value, len(ref.replace(".", ""))) == ref


def test_the_small_preset_reference_of_MATH_md_is_at_n_1e6():
    """MATH.md section 8 quotes 66.81 for 'the small preset at H = 12, L = 6'; the small preset has n = 10^4,
    where the bound is 668.12 (ten times more: it is exactly K / sqrt(n)); 66.81 is the value at n = 10^6."""
    at_1e4 = numeric.evaluate(numeric.Params.from_preset("small", H=12, L=6), dps=10).value
    at_1e6 = numeric.evaluate(numeric.Params.from_preset("small", H=12, L=6, n=10**6), dps=10).value
    assert mpmath.nstr(at_1e6, 4) == "66.81" and mpmath.nstr(at_1e4, 5) == "668.12"


def test_the_bound_grows_with_heads_and_layers():
    p = numeric.Params.from_preset("small")
    grid = {(h, l): numeric.evaluate(p.replace(H=h, L=l), dps=15).value for h in (1, 2, 3, 5, 8) for l in (1, 2, 3, 5)}
    for (h, l), v in grid.items():
        if (h + 1, l) in grid:
            assert v < grid[(h + 1, l)]
        for h2 in (2, 3, 5, 8):
            if h2 > h:
                assert v < grid[(h2, l)]
        for l2 in (2, 3, 5):
            if l2 > l:
                assert v < grid[(h, l2)]


def test_the_deep_rate_in_n_is_one_over_sqrt_n():
    K = sympy.expand(DEEP.bound * sympy.sqrt(n))
    assert sympy.diff(K, n) == 0


def test_eval_heads_layers_json_agrees_with_the_spec(capsys):
    assert main(["eval", "--heads", "12", "--layers", "6", "--json", "--dps", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["bound"] == "deep" and out["heads"] == 12 and out["layers"] == 6 and out["certified"] is True
    spec = O.deep_bound_spec(numeric.Params.from_preset().as_strings(), 12, 6, dps=40)
    assert _close(out["value"], spec["value"], 30)
    assert [b["name"] for b in out["blocks"]] == ["readout w", "readout values", "readout scores", "hidden values",
                                                  "hidden scores"]
    with mpmath.workdps(40):
        lo, hi = (mpmath.mpf(x) for x in out["interval"])
        assert lo <= spec["value"] <= hi


@pytest.mark.parametrize("variant", ["sharp-softmax", "dudley-half"])
def test_variants_compose_for_the_deep_chain(variant):
    th = derive.deep_theorem(variant)
    assert th.is_theorem and th.bound.xreplace({H: 1, L: 1}) == derive.theorem(variant).bound
