"""Line layout (lemmas/printing/layout.py): width estimates, break points, packing."""

from __future__ import annotations

import sympy
from hypothesis import given
from hypothesis import strategies as st

from lemmas import symbols as S
from lemmas.printing import house_printer, lines_env, pack, pieces, width


def test_width_grows_with_content_and_reads_fractions_as_their_wider_part():
    assert width("a") < width("a + b") < width("a + b + c")
    assert width(r"\frac{a + b}{c}") < width("a + b + c")
    assert width(r"\left(a\right)") == width("(a)")


@given(parts=st.lists(st.sampled_from(["a", "+ b", r"+ \frac{c}{d}", "- 12 x y", r"+ \sqrt{n}"]), max_size=12),
       budget=st.integers(3, 30))
def test_pack_keeps_order_and_respects_the_budget(parts, budget):
    lines = pack(parts, budget)
    assert " ".join(lines) == " ".join(parts)
    for ln in lines:                       # a line over budget is a single piece that is itself too wide
        assert width(ln) <= budget or ln in parts


def test_pieces_break_at_top_level_sums_and_open_one_wide_bracket():
    p = house_printer()
    terms = sum(sympy.sqrt(sympy.Symbol(f"x_{i}", positive=True)) for i in range(12))
    expr = 2 * S.c * terms
    assert pieces(expr, p, budget=200) == [p._print(expr)]      # fits: one piece
    parts = pieces(expr, p, budget=20)
    assert parts[0].startswith(r"2 c \Bigl( \sqrt{x_{0}}") and parts[-1].endswith(r"\Bigr)") and len(parts) == 12
    assert all(q.startswith(r"+ \sqrt{x_{") for q in parts[1:])
    assert pieces(S.c + S.n, p, budget=1) == ["c", "+ n"]


def test_lines_env_aligns_continuation_lines():
    p = house_printer()
    rhs = sum(sympy.Symbol(f"y_{i}", positive=True) * S.n for i in range(30))
    env = lines_env("Z", r"\le", rhs, p, budget=40)
    rows = env.split("\n")[1:-1]
    assert env.startswith(r"\begin{align*}") and env.endswith(r"\end{align*}")
    assert rows[0].startswith(r"Z &\le ") and all(r.startswith(r"&\quad ") for r in rows[1:])
    assert len(rows) > 1


def _b(i):
    return sympy.Symbol(f"b_{i}", positive=True)


def test_a_wide_root_of_a_sum_opens_as_a_power_one_half():
    p = house_printer()
    root = sympy.sqrt(sum(_b(i) * S.n for i in range(20)))
    parts = pieces(sympy.Integral(root, (S.eps, 0, 1)), p, budget=30)
    assert parts[0].startswith(r"\int_{0}^{1} \Bigl(") and parts[-1].endswith(r"\Bigr)^{1/2} \,\mathrm{d}\varepsilon")
    assert all(width(q) <= 30 for q in parts)


def test_naming_replaces_repeated_and_wide_sums_and_gives_the_expression_back():
    from lemmas.printing import name_subexpressions
    p = house_printer()
    s = sum(_b(i) for i in range(12))                              # printed ~40 units wide
    t = sum(_b(i) * S.eps for i in range(12, 24))                  # depends on the integration variable
    expr = 3 * S.c * sympy.Integral(sympy.sqrt(s ** 2 * sympy.log(s + 1) * t / S.eps), (S.eps, 0, 1))
    e, p2, names = name_subexpressions(expr, p, budget=40)
    assert [n.split("(")[0] for n, _, _ in names] == ["A_{%d}" % i for i in range(1, len(names) + 1)]
    assert any(n.endswith(r"(\varepsilon)") for n, _, _ in names)     # t names as a function of eps
    assert all(width(ln) <= 40 for ln in pack(pieces(e, p2, 40), 40))
    back = {sym: sub for _, sym, sub in names}
    while e.has(*back):
        e = e.xreplace(back)
    assert e == expr
    fits = S.c + S.n
    assert name_subexpressions(fits, p, budget=40)[2] == []                # nothing to name when it fits


def test_a_display_with_names_defines_them_after_where():
    p = house_printer()
    s = sum(_b(i) for i in range(12))
    env = lines_env("Z", r"\le", sympy.sqrt(S.n * s) * sympy.log(s) * sympy.exp(s), p, budget=40)
    body = env.split("\n")
    assert r"\intertext{where}" in body
    defs = body[body.index(r"\intertext{where}") + 1:-1]
    assert defs[0].startswith(r"A_{1} &= b_{0} + b_{1}")
    assert body[1].startswith(r"Z &\le ") and "A_{1}" in body[1]
