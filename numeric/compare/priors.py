"""Evaluate the rebuilt prior bounds: the Dudley integral with the optimal alpha.

The expression is the one :func:`derive.prior.prior` composes: ``confidence +
c_rad L_loss (c_alpha alpha + (c_dudley/sqrt(n)) int_alpha^b g(eps) d eps)`` with
g = sqrt(entropy).  It is linear in alpha and in the integral, so its derivative
in alpha is ``dA - dI g(alpha)``; g decreases in eps, so the optimum is the root
of ``g(alpha) = dA/dI`` (bracketed in log alpha, then secant steps to the working
precision), or alpha = b when g(b) >= dA/dI already.  Every alpha in (0, b] gives a
valid bound; the optimum only makes it tightest.

The work runs in Arb arithmetic (:mod:`numeric.compare.kernels`; Arb's logarithms are some
30 times faster than mpmath's at 1000 digits): the integrand is compiled once per bound, its
eps-free parts evaluated once per parameter point, and the integral is taken over u = log eps,
``int_{log alpha}^{log b} g(e^u) e^u du``, by Gauss-Legendre on pieces that double in length away
from b (a lower limit of 1e-300 costs a dozen pieces, not hundreds).  Results are returned as
mpf at mpmath's current precision (:func:`prior_value_at`) or at ``dps`` digits
(:func:`evaluate_prior`).

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
from numeric.evaluate import GUARD_DIGITS, check_dps
from numeric.backends.mp import to_mpf
from numeric.params import Params

__all__ = ["evaluate_prior", "PriorEvaluation", "compiled_prior", "certified_prior", "prior_value_at",
           "PriorPoint", "prior_point"]

ARG_ORDER = SETTING_SYMBOLS
#: the log-variable of the Dudley integral: eps = exp(U)
U = sympy.Symbol("u_log_eps", real=True)
#: bits carried beyond mpmath's precision in the Arb work
GUARD_BITS = 24


@dataclass(frozen=True, eq=False)
class CompiledPrior:
    bound: Any            # the PriorBound
    outer_expr: Any       # the bound with the integral replaced by the symbol I
    g: Any                # the Dudley integrand g(eps) (SymPy)
    b_expr: Any           # Dudley's upper limit
    dA: Any               # d value / d alpha (SymPy, free of alpha and I)
    dI: Any               # d value / d I
    I: Any                # the placeholder symbol of the integral
    program: Any          # kernels.Program of f(u) = g(e^u) e^u


def _log_integrand(g, var):
    """g(e^u) e^u; for g = sqrt(X) as sqrt(X e^{2u}) with the eps^2 taken into each term of X (the form
    analytic in the widest strip around the real u-axis, which Arb's rigorous integrator needs)."""
    if isinstance(g, sympy.Pow) and g.exp == sympy.S.Half:
        inner = sympy.Add(*[sympy.expand_mul(t * var ** 2, deep=False) for t in sympy.Add.make_args(g.base)])
        return sympy.sqrt(inner.xreplace({var: sympy.exp(U)}))
    return g.xreplace({var: sympy.exp(U)}) * sympy.exp(U)


@lru_cache(maxsize=None)
def _compiled(name: str, constants: tuple) -> CompiledPrior:
    from numeric.compare.kernels import Program
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
    g = pb.integral.function
    try:
        program = Program(_log_integrand(g, var), U)
    except NotCertified as exc:
        raise DerivationError(f"the Dudley integrand of {name} cannot be compiled: {exc}") from None
    return CompiledPrior(pb, outer, g, hi, dA, dI, I, program)


def compiled_prior(name: str = "edelman", constants: Mapping | None = None) -> CompiledPrior:
    """The compiled rebuilt bound (cached per name and constants)."""
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


@dataclass(frozen=True)
class PriorPoint:
    """The rebuilt bound at one point (mpf at mpmath's precision when it was computed)."""

    value: Any
    alpha: Any
    at_upper: bool        # the optimum is alpha = b: the bound sits at its trivial value c_alpha b + confidence
    integral: Any
    b: Any
    confidence: Any


def _balls(params: Params, n=None) -> dict:
    """Symbol -> exact ball of each parameter (``n`` overridden by an int, Fraction or mpf if given)."""
    from numeric.backends.arb import to_arb
    from numeric.compare.kernels import from_mpf
    out = {s: to_arb(params[s.name]) for s in ARG_ORDER}
    if n is not None:
        out[ARG_ORDER[0]] = from_mpf(n) if isinstance(n, mpmath.mpf) else to_arb(Fraction(n))
    return out


def _optimal_alpha(f, target, log_b):
    """(log alpha*, at_upper): the root v of g(e^v) = f(v) e^-v = target below log b, or log b itself."""
    from numeric.compare.kernels import bracketed_root, from_mpf, to_mpf as mid

    def h(v):
        return mid(f(from_mpf(v)) * (-from_mpf(v)).exp()) - target

    if h(log_b) >= 0:
        return log_b, True
    hi, step = log_b, mpmath.mpf(1)
    lo = hi - step
    h_lo = h(lo)
    while h_lo < 0:
        hi, step = lo, 2 * step
        if step > 2 ** 40:
            raise NotCertified("could not bracket the optimal alpha (the entropy stays below the threshold)")
        lo = hi - step
        h_lo = h(lo)
    if h_lo == 0:
        return lo, False
    tol = mpmath.mpf(2) ** (4 - mpmath.mp.prec) * max(abs(lo), 1)
    return bracketed_root(h, lo, h_lo, hi, h(hi), tol), False


def prior_point(name: str, params: Params, n=None, alpha=None, constants: Mapping | None = None) -> PriorPoint:
    """The rebuilt bound at the current mpmath precision (``n`` may be a real override, ``alpha`` given)."""
    from numeric.backends.arb import arb_eval, to_arb, working_precision
    from numeric.compare.kernels import from_mpf, integrate, log_pieces, to_mpf as mid
    comp = compiled_prior(name, constants)
    digits = int(mpmath.mp.dps) + 3
    with working_precision(mpmath.mp.prec + GUARD_BITS):
        balls = _balls(params, n)
        b = arb_eval(comp.b_expr, balls)
        log_b = mid(b.log())
        f = comp.program.bind(balls)
        at_upper = False
        if alpha is None:
            target = mid(arb_eval(comp.dA, balls) / arb_eval(comp.dI, balls))
            v, at_upper = _optimal_alpha(f, target, log_b)
            a = b if at_upper else from_mpf(v).exp()
        else:
            a = from_mpf(alpha) if isinstance(alpha, mpmath.mpf) else to_arb(Fraction(alpha))
            if not (a > 0 and a <= b):
                raise UsageError(f"parameter alpha: must lie in (0, B_f = {mpmath.nstr(mid(b), 10)}], got {alpha}")
        if at_upper or not a < b:
            integral = to_arb(0)
        else:
            ua, ub = a.log(), b.log()
            integral = integrate(f, ua, ub, digits, breakpoints=log_pieces(ua, ub))
        value = arb_eval(comp.outer_expr, {**balls, ALPHA: a, comp.I: integral})
        conf = arb_eval(comp.bound.confidence, balls)
        return PriorPoint(mid(value), mid(a), at_upper, mid(integral), mid(b), mid(conf))


def prior_value_at(name: str, params: Params, n=None, alpha=None, constants: Mapping | None = None):
    """(value, alpha, at_upper, integral, b) at the current mpmath precision (n may be a real override)."""
    pt = prior_point(name, params, n=n, alpha=alpha, constants=constants)
    return pt.value, pt.alpha, pt.at_upper, pt.integral, pt.b


def evaluate_prior(name: str = "edelman", params: Mapping | Params | None = None, dps: int = 30,
                   constants: Mapping | None = None) -> PriorEvaluation:
    """Evaluate the rebuilt prior bound ``name`` at ``params`` with the optimal Dudley alpha."""
    dps = check_dps(dps)
    p = Params.coerce(params)
    for key, flag in (("H", "--heads"), ("L", "--layers")):
        if p.get(key, 1) != 1:
            raise UsageError(f"{flag}: the rebuilt prior bounds are for one head in one layer; got {key} = {p[key]}")
    comp = compiled_prior(name, constants)
    from numeric.evaluate import open_obligations
    # alpha is chosen in (0, B_f] by the evaluation itself
    obligations = open_obligations(comp.bound.obligations, p, skip=("alpha-nonnegative",))
    with mpmath.workdps(dps + GUARD_DIGITS):
        pt = prior_point(name, p, constants=constants)
        if not mpmath.isfinite(pt.value) or pt.value <= 0:
            raise NotCertified(f"the rebuilt {name} bound evaluated to {pt.value}; refusing to return it")
    with mpmath.workdps(dps):
        r = lambda x: +x  # noqa: E731
        return PriorEvaluation(name, r(pt.value), r(pt.alpha), r(pt.b), r(pt.integral), r(pt.value - pt.confidence),
                               r(pt.confidence), p, dps, comp.bound.mapping, obligations, pt.at_upper)


# -- certified enclosure at a given alpha (Arb) ---------------------------------------------------------
def certified_integral(comp: CompiledPrior, balls: dict, a, b, prec: int):
    """A rigorous ball of int_a^b g (a, b balls, 0 < a <= b), at flint's current precision.

    Over u = log eps between exact dyadic points u_a ~ log a and u_b ~ log b, on the pieces of
    :func:`~numeric.compare.kernels.log_pieces`, each by ``flint.acb.integral``; the two end
    pieces between a and e^{u_a} (and e^{u_b} and b) by their length times g over their hull
    (the mean value of g there lies in that ball).
    """
    import flint

    from numeric.compare.kernels import log_pieces
    if not a < b:
        return flint.arb(0)
    ua, ub = a.log().mid(), b.log().mid()
    if not ua < ub:
        raise NotCertified("the Dudley interval is too short to enclose at this precision")
    F = comp.program.bind(balls, complex_=True)
    f_real = comp.program.bind(balls)

    def g_over(lo, hi):                   # g over the hull of two balls: f(log x) / x
        x = lo.union(hi)
        return f_real(x.log()) / x

    pts = [ua] + [p.mid() for p in log_pieces(flint.arb(ua), flint.arb(ub))] + [ub]
    total = flint.arb(0)
    for lo, hi in zip(pts, pts[1:]):
        piece = flint.acb.integral(lambda z, analytic: F(z), flint.acb(lo), flint.acb(hi),
                                   rel_tol=2.0 ** (-prec + 8), eval_limit=10 ** 6)
        if not piece.imag.contains(0) or not piece.real.is_finite():
            raise NotCertified(f"the Arb integral of the Dudley integrand did not converge: {piece}")
        total += piece.real
    ea, eb = flint.arb(ua).exp(), flint.arb(ub).exp()
    total += (ea - a) * g_over(a, ea) + (b - eb) * g_over(eb, b)
    if not total.is_finite():
        raise NotCertified("no finite enclosure of the Dudley integral")
    return total


def certified_prior(name: str, params: Mapping | Params, alpha: Fraction, dps: int = 20,
                    constants: Mapping | None = None, n=None):
    """A certified enclosure (:class:`numeric.backends.arb.CertifiedValue`) of the rebuilt bound at ``alpha``.

    The Dudley integral is enclosed by ``flint.acb.integral`` (rigorous, :func:`certified_integral`);
    ``alpha`` must be an exact number in (0, B_f].  ``n`` overrides the sample size (an int).
    """
    from numeric.backends.arb import CertifiedValue, arb_endpoints, arb_eval, start_bits, to_arb, working_precision
    dps = check_dps(dps)
    p = Params.coerce(params)
    if n is not None:
        p = p.replace(n=n)
    comp = compiled_prior(name, constants)
    prec = start_bits(dps)
    with working_precision(prec):
        balls = _balls(p)
        a = to_arb(Fraction(alpha))
        b = arb_eval(comp.b_expr, balls)
        if not (a > 0 and a <= b):
            raise UsageError(f"parameter alpha: must lie in (0, B_f], got {alpha}")
        I = certified_integral(comp, balls, a, b, prec)
        val = arb_eval(comp.outer_expr, {**balls, ALPHA: a, comp.I: I})
        if not val.is_finite():
            raise NotCertified(f"no finite enclosure of the rebuilt {name} bound")
        l, h = arb_endpoints(val)
        return CertifiedValue.of(l, h, dps, prec)
