"""Evaluated bounds as LaTeX (derive/latex/evaluation.py): numbers, rows, the Jupyter table.

The evaluation here is a stand-in with hand-picked numbers (this layer prints numbers, it never
computes them); ``numeric.evaluate``'s own ``_repr_latex_`` is tested with numeric.
"""

from __future__ import annotations

import re

import mpmath
import pytest

from derive import latex as L
from derive.latex.evaluation import evaluation_rows, number_tex

from latex_helpers import fake_evaluation


@pytest.mark.parametrize("x, tex", [
    (64, "64"),
    (mpmath.mpf(10) ** 14, "100000000000000"),
    (mpmath.mpf("0.1234567890123"), "0.123456789"),
    (mpmath.mpf("1.5e-5"), r"1.5 \times 10^{-5}"),
    (mpmath.mpf("2.5e20"), r"2.5 \times 10^{20}"),
    (-3, "-3"),
])
def test_number_tex(x, tex):
    assert number_tex(x) == tex


def test_rows_carry_every_term_and_block():
    rows = evaluation_rows(fake_evaluation())
    values = [v for _, v in rows]
    assert values[:3] == ["0.123456789", "0.02345678901", "0.1"]
    assert values[3:] == [r"64,\ 9,\ 71.25", r"53312,\ 27,\ 2718.5", r"98368,\ 54,\ 4150.125"]
    assert [re.match(r"\\text\{block \} (\w+):", lab).group(1) for lab, _ in rows[3:]] == ["w", "V", "QK"]


def test_evaluation_table_is_one_math_mode_array():
    tab = L.evaluation_table(fake_evaluation("sharp-softmax"))
    assert tab.startswith(r"$\displaystyle \begin{array}{lr}") and tab.endswith(r"\end{array}$")
    assert r"\text{variant sharp-softmax, 20 digits}" in tab
    assert tab.count(r" \\ ") == 1 + 5                       # heading, then 6 rows
    assert "$%s$" % L.latex(fake_evaluation("sharp-softmax")) == tab.replace(r"\displaystyle ", "", 1)
