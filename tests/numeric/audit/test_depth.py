"""The audit's depth claims: verdicts decided on the composed deep bound, numbers as MATH.md section 8 quotes."""

from __future__ import annotations

import mpmath

from numeric.audit.depth import DEPTH_CLAIM_KEYS, depth_claims

CLAIMS = {c.key: c for c in depth_claims(dps=20)}


def test_every_depth_claim_is_decided():
    assert tuple(CLAIMS) == DEPTH_CLAIM_KEYS
    assert all(c.verdict == "holds" for c in CLAIMS.values()), {k: c.verdict for k, c in CLAIMS.items()}


def test_growth_statements():
    assert "Theta(H*sqrt(log(H)))" in CLAIMS["growth-H"].evidence[0].text
    assert "Theta(L)" in CLAIMS["growth-L"].evidence[0].text


def test_numeric_evidence_matches_MATH_md_section_8():
    """MATH.md: 13.1x from H = 1 to 12 at L = 1; 1.90x from L = 6 to L = 12 (at H = 12)."""
    assert mpmath.nstr(CLAIMS["growth-H"].evidence[1].data["ratio"], 3) == "13.1"
    assert mpmath.nstr(CLAIMS["growth-L"].evidence[1].data["ratio"], 3) == "1.9"
    rate = CLAIMS["deep-rate-n"].evidence[1].data["ratio"]
    assert abs(rate - 1000) < 1e-12
    assert "(equal)" in CLAIMS["deep-T-free"].evidence[1].text
