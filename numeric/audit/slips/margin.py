"""The violation margin of a lemma at an arena point: the left side from the arena, the right side from
the lemma value itself.

The right side is always the lemma's own conclusion with its constants at their defaults: compiled once
per lemma for the search (15 digits), and walked by :func:`numeric.backends.mp.mp_eval` at the
confirmation's precision; so the search checks the lemma value, not a retyped formula.  Points where a
hypothesis of the lemma is false, or where its right side is not a real number, do not count.

Examples
--------
>>> from lemmas.slips import slip
>>> from numeric.audit.slips.arenas import ARENAS
>>> p = {"L_loss": 4.0, "R": 1.0, "epsilon": 1.0}       # N(l o F, 1) = 4 > N(F, 1)^4 = 1
>>> g, lhs, rhs = margin(slip("d"), ARENAS["loss-cover"], p)
>>> g > 0
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy

from lemmas.core import Lemma
from lemmas.objects import CoveringNumber, Distance

from numeric.backends.mp import MP_MODULES, mp_eval, to_mpf

from .common import Arena, frac

__all__ = ["margin"]


def _point_subs(lemma: Lemma, arena: Arena, p) -> dict:
    vals = arena.values(p)
    out = {}
    for sym in lemma.params:
        if sym.name in vals:
            out[sym] = vals[sym.name]
    return out


def _is_relation(cond) -> bool:
    # modelling assumptions (None) and fact atoms established by other lemmas (the softmax lemma for the
    # perturbation lemma) are not conditions on the point; only relations between parameters are
    return cond is not None and isinstance(cond, (sympy.core.relational.Relational, sympy.And, sympy.Or,
                                                  sympy.Not))


@lru_cache(maxsize=None)
def _prepared(lemma: Lemma):
    """Per lemma, once: the right side with the default constants, its objects, compiled evaluators."""
    consts = lemma.constant_values()
    rhs = lemma.rhs.xreplace(consts)
    params = tuple(lemma.params)
    atoms = tuple(sorted(rhs.atoms(CoveringNumber, Distance), key=sympy.default_sort_key))
    dummies = tuple(sympy.Dummy(f"a{i}") for i in range(len(atoms)))
    body = rhs.xreplace(dict(zip(atoms, dummies)))
    fn = sympy.lambdify(params + dummies, body, modules=MP_MODULES) if not body.free_symbols - set(params) - set(
        dummies) else None
    # exact radius arguments of covering numbers (e.g. eps/2, eps/L_loss), evaluated on Fractions
    radius = tuple(sympy.lambdify(params, a.args[1].xreplace(consts), modules=[{}]) if isinstance(a, CoveringNumber)
                   else None for a in atoms)
    hyps = tuple(sympy.lambdify(params, h.condition) for h in lemma.hypotheses if _is_relation(h.condition))
    return rhs, params, atoms, fn, radius, hyps


def _hypotheses_hold(lemma, subs) -> bool:
    _, params, _, _, _, hyps = _prepared(lemma)
    if not hyps:
        return True
    args = [frac(subs[s]) if s in subs else None for s in params]
    for h in hyps:
        try:
            ok = bool(h(*args))
        except TypeError:            # a parameter the arena does not set: unknown is never true
            return False
        if not ok:
            return False
    return True


def _atom_values(lemma, arena, p, subs, dps):
    _, params, atoms, _, radius, _ = _prepared(lemma)
    fargs = [frac(subs[s]) if s in subs else None for s in params]
    vals = []
    for atom, rad in zip(atoms, radius):
        args = list(atom.args)
        if rad is not None:
            args[1] = Fraction(rad(*fargs))
        vals.append(arena.atom(atom, args, p, dps))
    return atoms, vals


def _side_value(lemma, arena, p, subs, dps):
    """The right side of ``lemma`` at the point: constants at their defaults, objects via the arena.

    ``dps=None`` (the search): the compiled right side at 15 digits; otherwise the independent tree walker
    :func:`numeric.backends.mp.mp_eval` at ``dps`` digits.
    """
    rhs, params, _, fn, _, _ = _prepared(lemma)
    atoms, avals = _atom_values(lemma, arena, p, subs, dps)
    work = 15 if dps is None else dps
    with mpmath.workdps(work):
        conv = lambda v: v if isinstance(v, mpmath.mpf) else to_mpf(frac(v))  # noqa: E731
        if dps is None and fn is not None:
            v = fn(*([conv(subs[s]) if s in subs else mpmath.nan for s in params] + [conv(a) for a in avals]))
        else:
            mv = {k: conv(v) for k, v in subs.items()}
            mv.update({a: conv(v) for a, v in zip(atoms, avals)})
            v = mp_eval(rhs, mv)
        if isinstance(v, mpmath.mpc):
            if abs(v.imag) > 0:
                return None
            v = v.real
        if mpmath.isnan(v):
            return None
        return float(v) if dps is None else +v


def margin(lemma, arena, p, dps=None):
    """``(gap / scale, lhs, rhs)`` (gap > 0: the lemma is false here), or None where it does not apply.

    ``gap`` is ``lhs - rhs`` for an inequality, ``|lhs - rhs|`` for an equation; ``scale`` is
    ``max(|lhs|, |rhs|)``.  ``dps=None``: floats (the search); otherwise mpmath numbers at the current
    working precision, which the caller sets.
    """
    subs = _point_subs(lemma, arena, p)
    if not _hypotheses_hold(lemma, subs):
        return None
    rhs = _side_value(lemma, arena, p, subs, dps)
    if rhs is None:
        return None
    lhs = arena.lhs(p, dps)
    if dps is None:
        if not (math.isfinite(lhs) and math.isfinite(rhs)):
            return None
        scale = max(abs(lhs), abs(rhs), 1e-300)
        gap = abs(lhs - rhs) if lemma.conclusion.rel_op == "==" else lhs - rhs
        return gap / scale, lhs, rhs
    scale = max(abs(lhs), abs(rhs), mpmath.mpf(10) ** -300)
    gap = abs(lhs - rhs) if lemma.conclusion.rel_op == "==" else lhs - rhs
    return gap / scale, lhs, rhs
