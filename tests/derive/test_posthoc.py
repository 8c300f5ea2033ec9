"""Post-hoc bounds (MATH.md section 9): the grid, its weights, the union bound, and the cell of a model."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import derive
from derive import Derivation, DerivationError
from derive.posthoc import B0, cell_of, posthoc_theorem
from lemmas.symbols import delta
from numeric.posthoc import posthoc


def test_the_post_hoc_theorem_holds_with_probability_one_minus_delta():
    th = posthoc_theorem()
    assert th.failure == delta
    assert [s.kind for s in th.derivation.steps] == ["apply", "union"]
    assert "grid-fixed-in-advance" in {o.hypothesis.name for o in th.obligations}


def test_a_grid_whose_weights_do_not_sum_to_one_is_refused():
    i = sympy.Symbol("i", nonnegative=True, integer=True)
    der = Derivation("bad-grid", sympy.Symbol("x", positive=True))
    der.failure = delta / (sympy.Symbol("j", nonnegative=True, integer=True) + 1)
    bad_total = sympy.Sum(1 / (i + 1), (i, 0, sympy.oo))            # diverges
    with pytest.raises(derive.HypothesisRefused, match="weights-sum-at-most-one"):
        der.union_over_grid(delta=delta, p=1 / (sympy.Symbol("j", nonnegative=True, integer=True) + 1), W=bad_total)


def test_the_grid_union_needs_the_cells_share_of_delta():
    der = Derivation("no-share", sympy.Symbol("x", positive=True))
    der.failure = delta                                              # the whole delta, not delta * p
    with pytest.raises(DerivationError, match="share of delta"):
        der.union_over_grid(delta=delta, p=sympy.Rational(1, 2), W=1)


@given(st.fractions(min_value=Fraction(1, 10**6), max_value=Fraction(10**6)))
def test_the_cell_radius_is_the_grid_value_just_above(x):
    cell = cell_of(x, x, x)
    r, i = Fraction(str(cell["radii"]["B_w"])), cell["indices"]["B_w"]
    assert r >= x and r == Fraction(str(B0)) * 2 ** i
    assert i == 0 or Fraction(str(B0)) * 2 ** (i - 1) < x          # not one step higher than needed


@pytest.mark.lemma("posthoc-deep-theorem")
@given(st.floats(0.01, 50), st.floats(0.01, 50), st.floats(0.01, 50), st.integers(1, 8), st.integers(1, 4))
def test_the_model_lies_in_its_cell_and_the_post_hoc_value_is_larger(bw, bv, bqk, rw, rv):
    r = posthoc({"B_w": bw, "B_V": bv, "B_QK": bqk, "r_w": rw, "r_v": rv}, {"H": 2, "L": 2, "d": 8, "k": 4},
                dps=15)
    for name, x in (("B_w", bw), ("B_V", bv), ("B_QK", bqk)):
        rad = Fraction(str(r.cell["radii"][name]))
        assert Fraction(x) <= rad < 2 * Fraction(x) or rad == Fraction(str(B0))
    # delta_cell by hand: delta * prod 1/((i+1)(i+2)) / d^2, d = 8, delta = 1/20
    want = Fraction(1, 20) / 64
    for i in r.cell["indices"].values():
        want /= (i + 1) * (i + 2)
    assert r.delta_cell == want
    assert r.posthoc > r.fixed_class
    assert r.to_json()["fixed_class"]["status"].startswith("what-if, not a theorem")
    assert r.to_json()["posthoc"]["status"].startswith("theorem")
