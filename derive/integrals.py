"""The Dudley integral of a log+ entropy, integrated symbolically.

SymPy does not integrate ``sqrt(log(C/eps))`` directly.  The substitution
``eps = C e^{-t}`` (its inverse checked symbolically) turns it into
``C * int_{log(C/U)}^oo sqrt(t) e^{-t} dt = C * Gamma(3/2, log(C/U))``, the upper
incomplete gamma function, whose closed form is checked here by the
fundamental theorem of calculus (derivative and limit at infinity).  When
``C <= U`` the integrand vanishes past ``eps = C`` (log+), so the integral is
``C Gamma(3/2) = C sqrt(pi)/2``.  The result is registered as the derived
lemma ``logplus-sqrt-integral``.

Examples
--------
>>> from derive.integrals import logplus_integral
>>> lem = logplus_integral()
>>> lem.source.kind
'derived'
"""

from __future__ import annotations

from functools import lru_cache

import sympy
from sympy import Integral, Piecewise, Rational, Symbol, erf, erfc, exp, log, oo, sqrt

import lemmas
from lemmas.core import Lemma, Source
from lemmas.objects import logplus
from lemmas.symbols import C, D, U, eps

__all__ = ["logplus_integral", "incomplete_gamma_closed_form", "SubstitutionFailed"]

t = Symbol("t", positive=True)
a = Symbol("a", positive=True)


class SubstitutionFailed(RuntimeError):
    """SymPy did not confirm a step of the symbolic integration (never silently ignored)."""


@lru_cache(maxsize=None)
def incomplete_gamma_closed_form():
    """``Gamma(3/2, a) = sqrt(a) e^{-a} + (sqrt(pi)/2) erfc(sqrt(a))``, checked by the FTC."""
    G = sympy.expand_func(sympy.uppergamma(Rational(3, 2), a))
    G = G.subs(erf(sqrt(a)), 1 - erfc(sqrt(a)))
    G = sympy.expand(G)
    # d/da int_a^oo sqrt(t) e^{-t} dt = -sqrt(a) e^{-a}, and the integral vanishes as a -> oo
    if sympy.simplify(sympy.diff(G, a) + sqrt(a) * exp(-a)) != 0:
        raise SubstitutionFailed("d/da of the closed form is not -sqrt(a) e^{-a}")
    if sympy.limit(G, a, oo) != 0:
        raise SubstitutionFailed("the closed form does not vanish as a -> oo")
    if sympy.simplify(G.subs(a, 0) - sympy.gamma(Rational(3, 2))) != 0 and \
            sympy.limit(G, a, 0, "+") != sympy.gamma(Rational(3, 2)):
        raise SubstitutionFailed("the closed form does not tend to Gamma(3/2) at a = 0")
    return G


def _substitute():
    """Change of variables eps = phi(t) = C e^{-t} in int_0^U sqrt(log(C/eps)) d eps.

    The inverse t = log(C/eps) is checked to invert phi; the new integrand is
    f(phi(t)) |phi'(t)| and the limits are the images of U and of 0+ (phi is
    decreasing, so the orientation flips and |phi'| absorbs the sign).
    """
    phi = C * exp(-t)
    inverse = log(C / eps)
    if sympy.simplify(inverse.xreplace({eps: phi}) - t) != 0 or sympy.simplify(phi.xreplace({t: inverse}) - eps) != 0:
        raise SubstitutionFailed("t = log(C/eps) does not invert eps = C e^-t")
    integrand = sqrt(log(C / eps)).xreplace({eps: phi}) * (-sympy.diff(phi, t))
    lo = inverse.xreplace({eps: U})
    hi = sympy.limit(inverse, eps, 0, "+")
    return sympy.expand_log(integrand, force=False), lo, hi


def excess_over_one(x):
    """``x - 1`` simplified, for deciding where ``log+(x)`` is ``log(x)`` (``x >= 1``) or 0 (``x <= 1``)."""
    return sympy.factor(sympy.cancel(x - 1))


def log_plus_branches() -> dict:
    """Prove the two facts about log+ the closed form relies on, each decided by SymPy's assumptions.

    Points of an interval are written through positive dummies, so that "for every eps in the
    interval" becomes "for every value of the dummies":

    - ``C > U`` and ``0 < eps < U``: ``eps = U/(1 + w)``, ``C = U (1 + s)`` (``w, s > 0``), and
      ``C/eps - 1 > 0``, so ``log+(C/eps) = log(C/eps)`` on the whole range of integration;
    - ``C <= U``: on ``(0, C)`` (``eps = C/(1 + w)``) ``C/eps - 1 > 0``; on ``[C, U]``
      (``eps = C (1 + w)``, ``w >= 0``) ``C/eps - 1 <= 0``, so ``log+`` vanishes there.

    Returns the three decided signs; raises :class:`SubstitutionFailed` if SymPy does not confirm one.
    """
    w, s_, Cd, Ud = (sympy.Dummy(nm, positive=True) for nm in ("w", "s", "C", "U"))
    w0 = sympy.Dummy("w0", nonnegative=True)
    facts = {
        "C > U, 0 < eps < U: C/eps > 1": excess_over_one((Ud * (1 + s_)) / (Ud / (1 + w))).is_positive,
        "C <= U, 0 < eps < C: C/eps > 1": excess_over_one(Cd / (Cd / (1 + w))).is_positive,
        "C <= U, C <= eps: C/eps <= 1": excess_over_one(Cd / (Cd * (1 + w0))).is_nonpositive,
    }
    for what, ok in facts.items():
        if ok is not True:
            raise SubstitutionFailed(f"SymPy did not confirm {what}")
    return facts


@lru_cache(maxsize=None)
def logplus_integral() -> Lemma:
    """Derive and register ``int_0^U sqrt(D log+(C/eps)) d eps = sqrt(D) I(C, U)``."""
    return lemmas.register(_derive_logplus_integral())


def _derive_logplus_integral() -> Lemma:
    f, lo, hi = _substitute()
    if sympy.simplify(f - C * sqrt(t) * exp(-t)) != 0 or hi != oo or sympy.simplify(lo - log(C / U)) != 0:
        raise SubstitutionFailed(f"eps = C e^-t gave int_{lo}^{hi} {f} dt, not C int_log(C/U)^oo sqrt(t) e^-t dt")
    G = incomplete_gamma_closed_form()
    log_plus_branches()                              # log+ is log below C and 0 above it: proved, not assumed
    closed = C * G.subs(a, log(C / U))
    # C <= U: int_0^U = int_0^C sqrt(D log(C/eps)) + int_C^U 0 (additivity over [0, C] u [C, U]); the first is
    # the substitution above with U = C, i.e. C Gamma(3/2, log(C/C)) = C Gamma(3/2, 0)
    whole = C * sympy.limit(G, a, 0, "+")
    if sympy.simplify(whole - C * sympy.gamma(Rational(3, 2))) != 0:
        raise SubstitutionFailed(f"C Gamma(3/2, 0) came out as {whole}, not C Gamma(3/2)")
    rhs = sqrt(D) * Piecewise((whole, C <= U), (closed, True))
    lemma = Lemma(
        name="logplus-sqrt-integral",
        title="int_0^U sqrt(D log+(C/eps)) d eps = sqrt(D) I(C, U)",
        params=(D, C, U),
        hypotheses=(),
        conclusion=sympy.Eq(Integral(sqrt(D * logplus(C / eps)), (eps, 0, U)), rhs),
        source=Source("MATH.md section 5", kind="derived", derivation=(
            "SymPy: the substitution eps = C exp(-t) (inverse checked) gives C int_{log(C/U)}^oo sqrt(t) exp(-t) dt = "
            "C uppergamma(3/2, log(C/U)); expand_func and erf -> 1 - erfc give U sqrt(log(C/U)) + C (sqrt(pi)/2) "
            "erfc(sqrt(log(C/U))), confirmed by d/da and the limit a -> oo. log+(C/eps) = log(C/eps) on (0, U) "
            "when C > U, and on (0, C) when C <= U, while log+(C/eps) = 0 on [C, U]: each decided by SymPy "
            "(log_plus_branches); so for C <= U the integral is C Gamma(3/2, 0) = C sqrt(pi)/2")),
        family="chaining",
        example={D: 3, C: 2, U: 1},
    )
    return lemma
