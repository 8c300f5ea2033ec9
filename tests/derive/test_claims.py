"""Verdicts on the paper's structural claims (MATH.md section 6), and that the checker can say no."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sympy
from sympy import log, sqrt

import derive
from derive.claims import check_claims
from lemmas.symbols import B_QK, B_X, T, c, d, delta, k, n, r_v, r_w

EXPECTED = {"rate-n": "proved", "T-free": "proved", "growth-r_w": "proved", "log-r_w": "refuted"}


@pytest.mark.parametrize("variant", ["default", "sharp-softmax", "dudley-half"])
def test_verdicts_on_the_composed_theorem(variant):
    claims = {cl.key: cl for cl in check_claims(derive.theorem(variant))}
    assert {key: cl.verdict for key, cl in claims.items()} == EXPECTED
    assert all(cl.evidence for cl in claims.values())


def fake(bound):
    """A theorem-like object (no derivation behind it): the checker reads only ``.bound``."""
    return SimpleNamespace(bound=bound)


def verdicts(bound):
    return {cl.key: cl.verdict for cl in check_claims(fake(bound))}


CONF = 3 * c * sqrt(log(2 / delta) / (2 * n))


def test_a_log_n_is_not_proved_O_one_over_sqrt_n():
    bound = sqrt(d * r_w) * log(n) / sqrt(n) + CONF
    v = verdicts(bound)
    assert v["rate-n"] != "proved"
    assert v["rate-n"] == "refuted"


def test_norm_based_shape_with_log_n_inside_is_not_proved():
    """MATH.md section 5's comparison shape 12 (K/sqrt(n)) (1 + log(b sqrt(n)/(3K)))."""
    K = B_QK * B_X ** 2
    bound = 12 * K / sqrt(n) * (1 + log(sqrt(n) / (3 * K))) + CONF
    assert verdicts(bound)["rate-n"] != "proved"


def test_a_T_dependence_is_refuted():
    bound = sqrt(d * r_w * log(T + 1)) / sqrt(n) + CONF
    assert verdicts(bound)["T-free"] == "refuted"


def test_a_log_r_w_bound_is_not_called_sqrt_growth():
    bound = (sqrt(d + k) + log(1 + r_w)) / sqrt(n) + CONF
    v = verdicts(bound)
    assert v["growth-r_w"] != "proved"
    assert v["log-r_w"] != "refuted"


def test_rank_free_bound_is_not_called_sqrt_growth():
    bound = sqrt(d * k * r_v) / sqrt(n) + CONF
    assert verdicts(bound)["growth-r_w"] != "proved"
