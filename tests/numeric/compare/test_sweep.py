"""numeric.compare.sweep: the grids (float64 and exact), the default ranges, the refusals, and sweep's rows
against pointwise evaluations."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

import numeric
from numeric.compare.sweep import DEFAULT_RANGES, default_range, parse_vary, sweep
from numeric.errors import UsageError
from numeric.params import SPECS, Params


def test_every_parameter_has_a_default_range_that_sweeps():
    p = Params.from_preset("small")
    for spec in SPECS:
        name, grid = parse_vary(spec.name, params=p)
        assert name == spec.name and len(grid) >= 2
        # the ends are valid values with the other parameters as given
        p.replace(**{name: int(grid[0]) if spec.kind == "count" else float(grid[0])})
        p.replace(**{name: int(grid[-1]) if spec.kind == "count" else float(grid[-1])})
    assert default_range("r_w", p) == "1:16:log:60" and DEFAULT_RANGES["n"] == "1e2:1e14:log:60"


def test_float_grid_ends_are_the_given_numbers():
    name, grid = parse_vary("B_X=0.3:7:log:9")
    assert grid[0] == 0.3 and grid[-1] == 7.0 and all(a < b for a, b in zip(grid, grid[1:]))


def test_exact_grid_at_dps():
    name, grid = parse_vary("B_QK=1e-500:1e500:log:3", dps=30)
    assert grid == [Fraction(1, 10 ** 500), 1, Fraction(10 ** 500)]
    name, grid = parse_vary("n=1:10:lin:4", dps=30)
    assert grid == [1, 4, 7, 10]


@pytest.mark.parametrize("spec, needle", [
    ("n=1e2:1e309", "float64"), ("B_V=1e-310:1", "float64"), ("n=1:10:log:1", "number of points"),
    ("n=0.5:10", "count"), ("B_X=0:1", "log sweep"), ("k=7:3", "start < stop"), ("H_2=1:2", "--vary"),
])
def test_parse_vary_refuses_with_the_flag(spec, needle):
    with pytest.raises(UsageError, match="--vary") as exc:
        parse_vary(spec)
    assert needle in str(exc.value)


def test_exact_sweep_matches_pointwise_evaluation_and_float_sweep():
    name, grid = parse_vary("n=1e3:1e9:log:4", dps=25)
    rows = sweep("truong", name, grid, dps=25, quiet=True)
    name, fgrid = parse_vary("n=1e3:1e9:log:4")
    frows = sweep("truong", name, fgrid, quiet=True)
    for r, f in zip(rows, frows):
        want = numeric.evaluate({"n": r["n"]}, dps=25).value
        with mpmath.workdps(25):
            assert abs(r["value"] - want) <= mpmath.mpf(10) ** -24 * want
        assert f["n"] == r["n"] and f["value"] == pytest.approx(float(want), rel=1e-13)


def test_a_prior_sweep_reports_alpha_and_refuses_variants_and_heads():
    rows = sweep("trauger-tewari", "n", [10 ** 6, 10 ** 30], quiet=True)
    assert all(0 < r["alpha"] and 0 < r["value"] for r in rows)
    with pytest.raises(UsageError, match="--variant"):
        sweep("edelman", "n", [10 ** 6, 10 ** 7], variant="sharp-softmax", quiet=True)
    if "H" in Params.from_preset():
        with pytest.raises(UsageError, match="--heads"):
            sweep("edelman", "n", [10 ** 6, 10 ** 7], params=Params.from_preset(H=2), quiet=True)
        with pytest.raises(UsageError, match="--vary L"):
            sweep("trauger-tewari", "L", [1, 2], quiet=True)


def test_sweep_refuses_a_fixed_parameter_outside_float_range_in_float64_only():
    p = Params.from_preset(B_X="1e-400")
    with pytest.raises(UsageError, match="--B-X"):
        sweep("truong", "n", [10 ** 6, 10 ** 7], params=p, quiet=True)
    rows = sweep("truong", "n", [10 ** 6, 10 ** 7], params=p, dps=20, quiet=True)
    assert rows[0]["value"] == numeric.evaluate(p, dps=20).value
