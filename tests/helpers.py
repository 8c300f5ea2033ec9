"""Small helpers shared by the library tests (not oracles: they only read lemma values).

``rhs_at`` instantiates a registered lemma's right side at given values (by parameter name, by
Symbol, or by a symbolic atom such as ``MatrixNorm(A, spec)``) with the lemma's *own* default
constants, and evaluates it with ``numeric.evaluate_lemma``.  It refuses to fall back on the
lemma's example or the default preset for a parameter the caller forgot: every free symbol of
the right side must be given.
"""

from __future__ import annotations

import contextlib
import io
from typing import Mapping

import mpmath
import sympy

import numeric
from lemmas.objects import Tag

__all__ = ["rhs_at", "atoms", "atom", "mpf_le", "scaled", "within", "run_cli"]


def rhs_at(lemma, values: Mapping, dps: int = 30):
    """The lemma's right side at ``values`` (constants at their defaults), as an mpf."""
    subs = {}
    for key, v in values.items():
        subs[lemma.param(key) if isinstance(key, str) else key] = v
    rhs = lemma.rhs.xreplace(lemma.constant_values())
    # atoms (MatrixNorm(A, ...), Distance(...), CoveringNumber(...)) count as given when mapped
    left = rhs.xreplace({k: sympy.Integer(1) for k in subs if not isinstance(k, sympy.Symbol)})
    missing = {s for s in left.free_symbols if not isinstance(s, Tag)} - set(subs)
    assert not missing, f"rhs_at({lemma.name}): no value for {sorted(map(str, missing))}"
    v = numeric.evaluate_lemma(lemma, subs, dps=dps)
    assert isinstance(v, mpmath.mpf), f"{lemma.name}: right side evaluated to {v!r}, not a real mpf"
    return v


def atoms(lemma, cls):
    """The atoms of class ``cls`` on the lemma's right side (sorted by their string form)."""
    return sorted(lemma.rhs.atoms(cls), key=str)


def atom(lemma, cls, *labels):
    """The unique atom of ``cls`` on the right side whose arguments' strings include ``labels``."""
    found = [a for a in lemma.rhs.atoms(cls) if all(any(str(x) == lab for x in a.args) for lab in labels)]
    assert len(found) == 1, f"{lemma.name}: expected one {cls.__name__} with {labels}, got {found}"
    return found[0]


def mpf_le(a, b, rel=1e-12, abs_=0.0) -> bool:
    """a <= b up to a relative and absolute tolerance (floats or mpf)."""
    a, b = float(a), float(b)
    return a <= b + rel * abs(b) + abs_


def scaled(n: int) -> int:
    """``n`` examples under the default profile, proportionally more under a larger one (``ci``).

    For slow property tests: ``@settings(max_examples=scaled(6))`` lowers the count locally without
    skipping the thorough run.
    """
    from hypothesis import settings
    return max(1, round(n * settings.default.max_examples / 25))


def within(values, cap, ulps: int = 4) -> bool:
    """Every float in ``values`` is at most ``cap`` up to ``ulps`` units in the last place.

    For membership checks of float64 instances (a norm computed one way against a radius the
    instance was scaled to another way): SIMD code paths round differently by CPU.
    """
    import numpy as np
    return bool(np.all(np.asarray(values, dtype=float) <= float(cap) * (1 + ulps * np.finfo(float).eps)))


def run_cli(argv):
    """``rankbound argv`` in process: (exit code, stdout, stderr)."""
    from numeric.cli.main import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()
