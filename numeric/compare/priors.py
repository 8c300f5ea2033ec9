"""Evaluate the rebuilt prior bounds: numerical Dudley integral with the optimal alpha.

The expression is the one :func:`derive.prior.prior` composes: ``confidence +
c_rad L_loss (c_alpha alpha + (c_dudley/sqrt(n)) int_alpha^b g(eps) d eps)`` with
g = sqrt(entropy).  It is linear in alpha and in the integral, so its derivative
in alpha is ``dA - dI g(alpha)``; g decreases in eps, so the optimum is the root
of ``g(alpha) = dA/dI`` (bracketed, then bisected to the working precision), or
alpha = b when g(b) >= dA/dI already.  Every alpha in (0, b] gives a valid
bound; the optimum only makes it tightest.  The integral is computed by
``mpmath.quad`` on geometrically spaced pieces of [alpha, b].

:func:`certified_prior` encloses the bound at a given alpha with Arb
(``flint.acb.integral``, rigorous), for the certified comparisons.

Examples
--------
>>> from numeric.compare.priors import evaluate_prior
>>> ev = evaluate_prior("edelman", {"n": 10**8}, dps=15)
>>> 0 < ev.alpha < ev.b
True
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Mapping

import mpmath
import sympy

from derive.engine import DerivationError
from derive.prior import ALPHA, PRIORS, prior
from lemmas.symbols import SETTING_SYMBOLS, eps

from numeric.errors import NotCertified, UsageError
from numeric.evaluate import GUARD_DIGITS, check_dps, mp_args
from numeric.backends.mp import mp_logplus, to_mpf
from numeric.params import Params

__all__ = ["evaluate_prior", "PriorEvaluation", "compiled_prior", "certified_prior", "prior_value_at"]

ARG_ORDER = SETTING_SYMBOLS
_MODULES = [{"logplus": mp_logplus, "erfc": mpmath.erfc}, "mpmath"]


@dataclass(frozen=True, eq=False)
class CompiledPrior:
    bound: Any            # the PriorBound
    outer: Any            # (alpha, I, *args) -> value
    outer_expr: Any
    integrand: Any        # (*args) -> (eps -> g(eps))
    b: Any                # (*args) -> upper limit
    dA: Any               # (*args) -> d value / d alpha
    dI: Any               # (*args) -> d value / d I
    confidence: Any       # (*args) -> confidence term
    I: Any                # the placeholder symbol of the integral


@lru_cache(maxsize=None)
def _compiled(name: str, constants: tuple) -> CompiledPrior:
    pb = prior(name, dict(constants))
    I = sympy.Symbol("I_dudley", positive=True)
    outer = pb.bound.xreplace({pb.integral: I})
    if outer.has(sympy.Integral) or outer.has(eps):
        raise DerivationError(f"the rebuilt {name} bound has more than one integral: {outer}")
    (var, lo, hi), = pb.integral.limits
    if lo != ALPHA:
        raise DerivationError(f"the Dudley integral of {name} does not start at alpha: {pb.integral}")
    dA, dI = sympy.diff(outer, ALPHA), sympy.diff(outer, I)
    if dA.has(ALPHA) or dA.has(I) or dI.has(ALPHA) or dI.has(I):
        raise DerivationError(f"the rebuilt {name} bound is not linear in alpha and the integral")

    def lam(args, expr):
        return sympy.lambdify(args, expr, modules=_MODULES, cse=True)

    # hoist the eps-free subexpressions of the integrand: computed once per parameter point
    hoisted: list = []

    def hoist(expr):
        if not expr.has(var):
            if expr.is_Number:
                return expr
            sym = sympy.Symbol(f"h_{len(hoisted)}")
            hoisted.append(expr)
            return sym
        if not expr.args:
            return expr
        return expr.func(*[hoist(a) for a in expr.args])

    skeleton = hoist(pb.integral.function)
    coeffs = lam(ARG_ORDER, sympy.Tuple(*hoisted)) if hoisted else (lambda *a: ())
    g_skel = lam((var,) + tuple(sympy.Symbol(f"h_{j}") for j in range(len(hoisted))), skeleton)

    def integrand_factory(*args):
        cs = tuple(coeffs(*args))
        return lambda e: g_skel(e, *cs)

    return CompiledPrior(pb, lam((ALPHA, I) + ARG_ORDER, outer), outer, integrand_factory,
                         lam(ARG_ORDER, hi), lam(ARG_ORDER, dA), lam(ARG_ORDER, dI), lam(ARG_ORDER, pb.confidence), I)


def compiled_prior(name: str = "edelman", constants: Mapping | None = None) -> CompiledPrior:
    """The mpmath-compiled rebuilt bound (cached per name and constants)."""
    if name not in PRIORS:
        raise UsageError(f"--bound {name}: no rebuilt prior bound of that name; rebuilt so far: {', '.join(PRIORS)}")
    try:
        return _compiled(name, tuple(sorted((constants or {}).items())))
    except DerivationError as exc:
        raise UsageError(str(exc)) from None


@dataclass(frozen=True)
class PriorEvaluation:
    """A rebuilt prior bound at one parameter point (mpf values at ``dps`` digits)."""

    name: str
    value: Any
    alpha: Any            # the optimal Dudley lower limit
    b: Any                # the upper limit (B_f)
    integral: Any
    rademacher: Any
    confidence: Any
    params: Params
    dps: int
    mapping: str
    obligations: tuple
    alpha_at_upper: bool  # True when the optimum is alpha = b (the entropy is still large at b)

    @property
    def vacuous(self) -> bool:
        with mpmath.workdps(self.dps):
            return self.value >= to_mpf(self.params["c"])

    def fmt(self, x) -> str:
        return mpmath.nstr(x, self.dps, min_fixed=-5, max_fixed=self.dps)

    def to_json(self) -> dict:
        return {
            "bound": self.name,
            "rebuilt": True,
            "dps": self.dps,
            "value": self.fmt(self.value),
            "rademacher": self.fmt(self.rademacher),
            "confidence": self.fmt(self.confidence),
            "vacuous": bool(self.vacuous),
            "alpha": self.fmt(self.alpha),
            "alpha_at_upper_limit": self.alpha_at_upper,
            "dudley_upper_limit": self.fmt(self.b),
            "dudley_integral": self.fmt(self.integral),
            "parameter_mapping": self.mapping,
            "params": self.params.as_strings(),
            "obligations": list(self.obligations),
        }


def _integral(g, a, b):
    """int_a^b g on geometric pieces (g has a 1/eps singularity scale near 0)."""
    if a >= b:
        return mpmath.mpf(0)
    pieces = max(2, int(mpmath.ceil(mpmath.log(b / a, 16))))
    pts = [a * (b / a) ** (mpmath.mpf(i) / pieces) for i in range(pieces + 1)]
    pts[-1] = b
    return mpmath.quad(g, pts)


def _optimal_alpha(comp, args):
    """(alpha*, at_upper): the root of dA - dI g(alpha) = 0 in (0, b], or b."""
    b = comp.b(*args)
    target = comp.dA(*args) / comp.dI(*args)
    g = comp.integrand(*args)

    def h(a):
        return g(a) - target

    if h(b) >= 0:
        return b, True
    hi = b
    lo = b / 2
    steps = 0
    while h(lo) < 0:
        hi, lo = lo, lo / 2
        steps += 1
        if steps > 4000:
            raise NotCertified("could not bracket the optimal alpha (the entropy stays below the threshold)")
    # bisection in log scale down to the working precision (robust: h is monotone, its scale huge)
    tol = mpmath.mpf(2) ** (-mpmath.mp.prec + 4)
    while hi - lo > tol * hi:
        mid = mpmath.sqrt(lo * hi)
        if mid <= lo or mid >= hi:
            break
        if h(mid) >= 0:
            lo = mid
        else:
            hi = mid
    root = (lo + hi) / 2
    return root, False


def prior_value_at(name: str, params: Params, n=None, alpha=None, constants: Mapping | None = None):
    """(value, alpha, at_upper, integral, b) at the current mpmath precision (n may be a real override)."""
    comp = compiled_prior(name, constants)
    args = mp_args(params, n)
    b = comp.b(*args)
    at_upper = False
    if alpha is None:
        alpha, at_upper = _optimal_alpha(comp, args)
    else:
        alpha = to_mpf(alpha)
        if not (0 < alpha <= b):
            raise UsageError(f"parameter alpha: must lie in (0, B_f = {mpmath.nstr(b, 10)}], got {alpha}")
    integral = _integral(comp.integrand(*args), alpha, b)
    return comp.outer(alpha, integral, *args), alpha, at_upper, integral, b


def evaluate_prior(name: str = "edelman", params: Mapping | Params | None = None, dps: int = 30,
                   constants: Mapping | None = None) -> PriorEvaluation:
    """Evaluate the rebuilt prior bound ``name`` at ``params`` with the optimal Dudley alpha."""
    dps = check_dps(dps)
    p = Params.coerce(params)
    comp = compiled_prior(name, constants)
    from numeric.evaluate import open_obligations
    # alpha is chosen in (0, B_f] by the evaluation itself
    obligations = open_obligations(comp.bound.obligations, p, skip=("alpha-nonnegative",))
    with mpmath.workdps(dps + GUARD_DIGITS):
        value, alpha, at_upper, integral, b = prior_value_at(name, p, constants=constants)
        args = mp_args(p)
        conf = comp.confidence(*args)
        if not mpmath.isfinite(value) or value <= 0:
            raise NotCertified(f"the rebuilt {name} bound evaluated to {value}; refusing to return it")
    with mpmath.workdps(dps):
        r = lambda x: +x  # noqa: E731
        return PriorEvaluation(name, r(value), r(alpha), r(b), r(integral), r(value - conf), r(conf), p, dps,
                               comp.bound.mapping, obligations, at_upper)


# -- certified enclosure at a given alpha (Arb) ---------------------------------------------------------
def _acb_eval(expr, values):
    """A complex ball of ``expr`` (Add, Mul, Pow, log, sqrt, exp, numbers); analytic where needed."""
    import flint
    from numeric.backends.arb import to_arb
    if expr in values:
        return values[expr]
    if isinstance(expr, (sympy.Integer, sympy.Rational, sympy.Float)):
        return flint.acb(to_arb(expr))
    if expr is sympy.pi:
        return flint.acb(flint.arb.pi())
    if isinstance(expr, sympy.Add):
        out = flint.acb(0)
        for a in expr.args:
            out = out + _acb_eval(a, values)
        return out
    if isinstance(expr, sympy.Mul):
        out = flint.acb(1)
        for a in expr.args:
            out = out * _acb_eval(a, values)
        return out
    if isinstance(expr, sympy.Pow):
        base, e = expr.args
        x = _acb_eval(base, values)
        if isinstance(e, sympy.Integer):
            return x ** int(e)
        if e == sympy.S.Half:
            return x.sqrt(analytic=True)
        if isinstance(e, sympy.Rational):
            return (x.log(analytic=True) * flint.acb(to_arb(e))).exp()
    if isinstance(expr, sympy.log):
        return _acb_eval(expr.args[0], values).log(analytic=True)
    if isinstance(expr, sympy.exp):
        return _acb_eval(expr.args[0], values).exp()
    raise NotCertified(f"the certified integrator cannot enclose {sympy.sstr(expr)[:200]}")


def certified_prior(name: str, params: Mapping | Params, alpha: Fraction, dps: int = 20,
                    constants: Mapping | None = None, n=None):
    """A certified enclosure (:class:`numeric.certified.CertifiedValue`) of the rebuilt bound at ``alpha``.

    The Dudley integral is enclosed by ``flint.acb.integral`` (rigorous); ``alpha`` must be an
    exact number in (0, B_f].  ``n`` overrides the sample size (an int).
    """
    import math

    import flint

    from numeric.backends.arb import (GUARD_BITS, CertifiedValue, _is_certified, arb_endpoints, arb_eval, to_arb,
                            working_precision)
    dps = check_dps(dps)
    p = Params.coerce(params)
    if n is not None:
        p = p.replace(n=n)
    comp = compiled_prior(name, constants)
    pb = comp.bound
    values = {s: p[s.name] for s in ARG_ORDER}
    (var, lo, hi), = pb.integral.limits
    g = pb.integral.function.xreplace(p.sympy_values())
    outer = comp.outer_expr
    prec = int(dps * math.log2(10)) + GUARD_BITS
    with working_precision(prec):
        balls = {s: to_arb(v) for s, v in values.items()}
        a = to_arb(Fraction(alpha))
        b = arb_eval(hi, balls)
        if not (a > 0 and a <= b):
            raise UsageError(f"parameter alpha: must lie in (0, B_f], got {alpha}")

        def f(z, analytic):
            return _acb_eval(g, {var: z})

        I = flint.acb.integral(f, flint.acb(a), flint.acb(b), rel_tol=2.0 ** (-prec + 8), eval_limit=10**6)
        if not I.imag.contains(0) or not I.real.is_finite():
            raise NotCertified(f"the Arb integral of the rebuilt {name} bound did not converge: {I}")
        val = arb_eval(outer, balls | {ALPHA: a, comp.I: I.real})
        if not val.is_finite():
            raise NotCertified(f"no finite enclosure of the rebuilt {name} bound")
        l, h = arb_endpoints(val)
        return CertifiedValue(l, h, dps, _is_certified(l, h, dps), prec, 1)
