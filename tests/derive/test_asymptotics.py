"""derive.asymptotics: growth claims decided block by block, on synthetic blocks with known growth."""

from __future__ import annotations

from types import SimpleNamespace

import sympy
from sympy import exp, log, sqrt

import derive
from derive.asymptotics import block_growth, g_is_sqrt_log, growth_claim
from derive.theorems import Block

s = sympy.Symbol("s", positive=True)
a = sympy.Symbol("a", positive=True)


def fake(*blocks, confidence=sympy.Integer(1)):
    return SimpleNamespace(blocks=[Block(f"b{i}", *b, integral=None) for i, b in enumerate(blocks)],
                           confidence=confidence)


def test_the_asymptotic_of_g_is_decided():
    assert g_is_sqrt_log() is True


def test_known_growths():
    # D ~ s, U ~ sqrt(s), C/U ~ s: s^(1/2 + 1/2) sqrt(log s)
    c = growth_claim(fake((a * s, 3 * s * sqrt(s), sqrt(s))), s)
    assert c.verdict == "proved" and c.statement == "the bound grows as Theta(s*sqrt(log(s)))"
    # D constant, U constant, log(C/U) ~ s: sqrt(s)
    c = growth_claim(fake((a, 2 * exp(3 * s), sympy.Integer(1))), s)
    assert c.statement == "the bound grows as Theta(sqrt(s))"
    # D ~ s^2, C/U bounded: s
    c = growth_claim(fake((s ** 2, 5 * a, a)), s)
    assert c.statement == "the bound grows as Theta(s)"
    # the largest block wins
    c = growth_claim(fake((s ** 2, 5 * a, a), (a, 2 * exp(3 * s), sympy.Integer(1))), s)
    assert c.statement == "the bound grows as Theta(s)"


def test_an_undecidable_block_leaves_the_claim_unknown():
    c = growth_claim(fake((2 + sympy.sin(s), 5 * a, a)), s)
    assert c.verdict == "unknown"
    c = growth_claim(fake((a, 5 * a, a), confidence=log(s)), s)        # the confidence term grows too
    assert c.verdict == "unknown"


def test_a_vanishing_block_is_skipped():
    assert block_growth(Block("z", sympy.Integer(0), a, a, None), s).vanishes


def test_the_single_head_bound_grows_as_sqrt_r_w():
    from lemmas.symbols import r_w
    assert growth_claim(derive.theorem(), r_w).statement == "the bound grows as Theta(sqrt(r_w))"
