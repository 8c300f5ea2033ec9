"""Text mode (lemmas/printing/text.py): escaping prose, labels, breakable registry names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lemmas.printing import LatexError, label, text, tt


def test_text_escaping():
    assert text("a_b <= c & 50% {x}^2") == r"a\_b $\le$ c \& 50\% \{x\}$^{\wedge}$2"
    assert text("x >= 1, y < 2, |z| > 3, #4 $5 ~6 \\") == \
        r"x $\ge$ 1, y $<$ 2, $|$z$|$ $>$ 3, \#4 \$5 \textasciitilde{}6 \textbackslash{}"


def test_text_refuses_what_it_cannot_typeset_faithfully():
    with pytest.raises(LatexError, match="ASCII"):
        text("caf\u00e9 \u03b5")


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)))
def test_escaped_text_has_no_active_characters_outside_math(s):
    out = text(s)
    # outside the $...$ pieces text() itself emits, no character LaTeX treats specially survives
    prose = re.sub(r"\\(?:textbackslash|textasciitilde)\{\}|\\[{}_&%$#]", "", out)
    prose = re.sub(r"\$[^$]*\$", "", prose)
    assert not set(prose) & set("{}_^&%$#~\\"), (s, out)


def test_labels():
    assert label("truong-theorem[sharp-softmax]") == "lem:truong-theorem.sharp-softmax"
    assert label("cover-L2S-by-sup", prefix="eq") == "eq:cover-L2S-by-sup"


def test_tt_allows_breaks_after_hyphens():
    assert tt("low-rank_net") == r"low-\allowbreak{}rank\_net"
