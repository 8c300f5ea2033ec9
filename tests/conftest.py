"""Shared test configuration: Hypothesis profiles and the global-precision guard (mpmath and flint).

Profiles: ``default`` (quick, for local runs) and ``ci`` (thorough).  The
``HYPOTHESIS_PROFILE`` environment variable chooses one; without it, ``ci`` is
used when the ``CI`` variable is set (as it is when ``.ci/run`` runs in CI).
"""

import os
import sys
from pathlib import Path

import flint
import mpmath
import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))   # tests/oracles.py and tests/strategies.py

settings.register_profile("default", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if _ci else "default"))


@pytest.fixture(autouse=True)
def _global_precision_unchanged():
    """Fail any test that leaves mpmath's or flint's (Arb's) global precision changed."""
    before = mpmath.mp.prec, flint.ctx.prec
    yield
    after = mpmath.mp.prec, flint.ctx.prec
    mpmath.mp.prec, flint.ctx.prec = before
    assert after[0] == before[0], f"the test changed mpmath's global precision from {before[0]} to {after[0]} bits"
    assert after[1] == before[1], f"the test changed flint's precision from {before[1]} to {after[1]} bits"
