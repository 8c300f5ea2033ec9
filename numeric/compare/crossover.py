"""Compare the composed bound with a rebuilt prior bound: ratio, vacuity, crossover n*.

Both bounds are read as functions of a real sample size n, the other parameters fixed.
Ours is ``Q / sqrt(n)`` (Q constant); the prior's ``value * sqrt(n)`` is nondecreasing in n
(its entropy grows with n and Dudley's optimum is a minimum of nondecreasing functions), so
``D(x) = log ours(e^x) - log prior(e^x)`` is nonincreasing in x = log n and there is at most
one crossover n*: the prior is smaller below it, ours above it.  n* is bracketed in log n at
20 digits, then found by safeguarded secant steps whose working precision rises with the digits
already settled (:func:`numeric.compare.kernels.ramped_root`): 1000 digits cost about two
evaluations at 1000 digits.

The sign of ours - prior is certified with Arb on either side of n*: at the integers around n*
when n* < 10^CERT_DIGITS, otherwise at n*(1 -+ 10^-CERT_DIGITS) rounded outward (the integers
next to n* = 1e357 differ from it in the 358th digit, which no enclosure resolves cheaply).
Either way the certified signs put n* in the stated interval (:func:`prior_enclosure` encloses
the prior at its optimal alpha rigorously, using the convexity of Dudley's objective in alpha).

"No crossover" is explained: either ours is already smaller at n = 1 (so at every n), or the
prior stays smaller up to ``n_max``.

Examples
--------
>>> from numeric.compare.crossover import compare
>>> cmp = compare("edelman", {"n": 10**8}, dps=15, certify=False)
>>> cmp.ratio < 1       # ours / prior at n = 10^8
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction
from typing import Any, Mapping

import mpmath
import sympy

from derive.prior import ALPHA, PRIORS
from lemmas.symbols import eps

from numeric.errors import NotCertified, UsageError
from numeric.evaluate import GUARD_DIGITS, check_dps, compiled, evaluate, mp_args
from numeric.backends.mp import to_mpf
from numeric.params import Params
from numeric.progress import phase
from numeric.compare.kernels import ramped_root
from numeric.compare.priors import compiled_prior, evaluate_prior, prior_point, prior_value_at

__all__ = ["compare", "Comparison", "prior_enclosure", "crossover", "CERT_DIGITS"]

N_MAX_EXP = 1000      # look for a crossover up to n = 10^1000
#: the certified interval around n* pins it to this many significant digits (or to an integer below 10^this)
CERT_DIGITS = 12
LOW_DIGITS = 20       # the bracketing phase


def _ours_at(params: Params, n, variant="default"):
    """Our bound at a real n (mpmath, current precision)."""
    comp = compiled(variant)
    return comp.value(*mp_args(params, n))


@lru_cache(maxsize=None)
def _inverse_sqrt_n(variant: str) -> bool:
    """Whether ours * sqrt(n) is free of n (structurally): the fact the uniqueness of n* rests on."""
    import derive
    from lemmas.symbols import n
    return not sympy.expand(derive.theorem(variant).bound * sympy.sqrt(n)).has(n)


def _single_head(p: Params, what: str):
    """The rebuilt prior bounds are for one head in one layer: refuse H or L other than 1."""
    for key, flag in (("H", "--heads"), ("L", "--layers")):
        if p.get(key, 1) != 1:
            raise UsageError(f"{flag}: {what} compares one head in one layer (the rebuilt prior bounds' model); "
                             f"got {key} = {p[key]}")


def _D(x, vs, params, variant="default"):
    n = mpmath.exp(x)
    return mpmath.log(_ours_at(params, n, variant)) - mpmath.log(prior_value_at(vs, params, n=n)[0])


@dataclass(frozen=True)
class _Crossover:
    n_star: Any                 # mpf (dps digits) or None
    why: str
    prior_trivial: Any = None   # the prior is at its trivial value (alpha = b) at n*


def _crossover(vs: str, params: Params, dps: int, variant: str = "default") -> _Crossover:
    _single_head(params, "the crossover")
    if not _inverse_sqrt_n(variant):
        raise NotCertified(f"the {variant} bound times sqrt(n) depends on n: the crossover argument (at most one "
                           f"n*) does not apply")
    last = {}

    def D(x, digits):
        with mpmath.workdps(digits):
            n = mpmath.exp(x)
            pt = prior_point(vs, params, n=n)
            last["trivial"] = pt.at_upper
            return mpmath.log(_ours_at(params, n, variant)) - mpmath.log(pt.value)

    with mpmath.workdps(LOW_DIGITS):
        d0 = D(mpmath.mpf(0), LOW_DIGITS)
        if d0 <= 0:
            return _Crossover(None, "no crossover: ours is already <= the rebuilt bound at n = 1, and ours * sqrt(n) "
                                    "is constant while the rebuilt bound * sqrt(n) is nondecreasing in n, so ours is "
                                    "smaller at every n")
        lo, d_lo, hi = mpmath.mpf(0), d0, mpmath.mpf(1)
        x_max = N_MAX_EXP * mpmath.log(10)
        d_hi = D(hi, LOW_DIGITS)
        while d_hi > 0:
            lo, d_lo, hi = hi, d_hi, 2 * hi
            if lo > x_max:
                return _Crossover(None, f"no crossover up to n = 1e{N_MAX_EXP}: the rebuilt bound stays smaller (its "
                                        f"log-factor growth is too slow to overtake ours before then)")
            d_hi = D(hi, LOW_DIGITS)
    # n* = e^x to dps digits needs x to 10^-(dps + 2) absolutely, i.e. dps + 2 + log10(x) digits of x
    digits = dps + GUARD_DIGITS + int(mpmath.log10(max(hi, 1))) + 1
    with mpmath.workdps(digits):
        x = ramped_root(D, lo, d_lo, hi, d_hi, digits, mpmath.mpf(10) ** -(dps + 3), min_digits=LOW_DIGITS)
        n_star = mpmath.exp(x)
    with mpmath.workdps(dps):
        return _Crossover(+n_star, "ours < rebuilt bound for n > n*, ours > rebuilt bound for n < n*",
                          last.get("trivial"))


def crossover(vs: str, params: Params, dps: int = 30, variant: str = "default"):
    """(n*, explanation): the real n where ours = prior, or None with the reason."""
    cx = _crossover(vs, Params.coerce(params), check_dps(dps), variant)
    return cx.n_star, cx.why


@lru_cache(maxsize=None)
def _g_decreasing(g) -> bool:
    """Whether g (the Dudley integrand) is nonincreasing in eps: nondecreasing in z = 1/eps, structurally."""
    from derive.monotone import nondecreasing_in
    z = sympy.Symbol("z_inv", positive=True)
    h = sympy.expand(g.xreplace({eps: 1 / z}), deep=True, log=False, power_base=False)
    return nondecreasing_in(h, z) is True


def prior_enclosure(vs: str, params: Mapping | Params, n: int | None = None, dps: int = 20,
                    constants: Mapping | None = None):
    """A certified enclosure (CertifiedValue) of the rebuilt prior bound at its OPTIMAL alpha.

    Dudley's objective F(alpha) = outer(alpha, int_alpha^b g) is convex in alpha because g is
    nonincreasing in eps (checked structurally); so with alpha_L < alpha* < alpha_U certified by
    the signs of F' = dA - dI g, min F >= F(alpha_0) + min(F'(alpha_0)(alpha_L - alpha_0),
    F'(alpha_0)(alpha_U - alpha_0)) and min F <= F(alpha_0).
    """
    from numeric.backends.arb import CertifiedValue, arb_endpoints, arb_eval, start_bits, to_arb, working_precision
    from numeric.compare.priors import _balls, certified_prior
    dps = check_dps(dps)
    p = Params.coerce(params)
    if n is not None:
        p = p.replace(n=n)
    comp = compiled_prior(vs, constants)
    if not _g_decreasing(comp.g):
        raise NotCertified(f"could not prove the {vs} entropy nonincreasing in eps; no certified enclosure")
    with mpmath.workdps(dps + GUARD_DIGITS):
        pt = prior_point(vs, p, constants=constants)
        alpha0 = Fraction(mpmath.nstr(pt.alpha, dps + 10))
        spread = Fraction(mpmath.nstr(pt.alpha * mpmath.mpf(10) ** -(dps + 4), 5))
    prec = start_bits(dps)
    with working_precision(prec):
        balls = _balls(p)
        dA_b, dI_b = arb_eval(comp.dA, balls), arb_eval(comp.dI, balls)

        def Fprime(a):
            return dA_b - dI_b * arb_eval(comp.g, {**balls, eps: to_arb(a)})

        if pt.at_upper:
            # F' is nondecreasing (F convex): F'(b) <= 0 puts the minimum at alpha = b, where the integral is 0
            b_ball = arb_eval(comp.b_expr, balls)
            if not Fprime(b_ball) <= 0:
                raise NotCertified("could not certify that the optimal alpha is the upper limit b")
            val = arb_eval(comp.outer_expr, {**balls, ALPHA: b_ball, comp.I: to_arb(0)})
            lo, hi = arb_endpoints(val)
            return CertifiedValue.of(lo, hi, dps, prec)
        aL, aU = alpha0 - spread, alpha0 + spread
        if not (Fprime(aL) < 0 and Fprime(aU) > 0):
            raise NotCertified("could not bracket the optimal alpha with certified signs of the derivative")
        F0 = certified_prior(vs, p, alpha0, dps=dps, constants=constants)
        d0 = Fprime(alpha0)
        drop = (d0 * to_arb(aL - alpha0)).min(d0 * to_arb(aU - alpha0))
        lo = min(arb_endpoints(to_arb(F0.lo) + drop)[0], F0.lo)
        return CertifiedValue.of(lo, F0.hi, dps, prec)


def certification_points(n_star) -> tuple:
    """The two sample sizes (below, above) at which the signs around n* are certified (ints, below < n* < above).

    The integers around n* when n* < 10^CERT_DIGITS; otherwise n*(1 -+ 10^-CERT_DIGITS) rounded outward.
    """
    with mpmath.workdps(max(30, int(mpmath.log10(max(n_star, 1))) + 10)):
        if n_star < mpmath.mpf(10) ** CERT_DIGITS:
            below = int(mpmath.floor(n_star))
            return below, below + 1
        r = mpmath.mpf(10) ** -CERT_DIGITS
        return int(mpmath.floor(n_star * (1 - r))), int(mpmath.ceil(n_star * (1 + r)))


def _certify_side(vs, p, side, n_int, variant="default"):
    """The certified sign of ours - prior at n_int (a dict for the report)."""
    from numeric.backends.arb import certified_evaluate
    with mpmath.workdps(30):                  # the relative gap decides the digits the enclosures need
        gap = abs(_D(mpmath.log(n_int), vs, p, variant))
    digits = 15 if gap == 0 else min(200, max(15, int(-mpmath.log10(gap)) + 6))
    want = "prior" if side == "below" else "ours"
    out = {"n": str(n_int), "side": side, "smaller": want}
    o = certified_evaluate(p.replace(n=n_int), dps=digits, variant=variant)
    try:
        q = prior_enclosure(vs, p, n=n_int, dps=digits)
    except NotCertified as exc:
        return out | {"certified": False, "reason": str(exc)}
    ok = (o.lo > q.hi) if side == "below" else (o.hi < q.lo)
    out |= {"certified": bool(ok), "ours_interval": list(o.interval_strings(digits + 3)),
            "prior_interval": list(q.interval_strings(digits + 3))}
    if not ok:
        out["reason"] = (f"the enclosures at {digits} digits do not separate the bounds (relative gap "
                         f"{mpmath.nstr(gap, 3)})")
    return out


@dataclass(frozen=True)
class Comparison:
    vs: str
    params: Params
    dps: int
    ours: Any
    prior: Any
    alpha: Any
    ours_vacuous: bool
    prior_vacuous: bool
    crossover: Any              # mpf or None
    explanation: str
    mapping: str
    checks: tuple = field(default=())   # certified sign checks: dicts
    vacuous_at_crossover: Any = None    # both bounds are >= c at n* (they are equal there)
    prior_trivial_at_crossover: Any = None   # the prior is at its trivial value (alpha = b) at n*
    prior_trivial: bool = False         # the prior is at its trivial value (alpha = b) at the queried n
    variant: str = "default"            # the chain of ours

    @property
    def ratio(self):
        return self.ours / self.prior

    def fmt(self, x):
        return mpmath.nstr(x, self.dps, min_fixed=-5, max_fixed=self.dps)

    def to_json(self) -> dict:
        with mpmath.workdps(self.dps):
            return {
                "vs": self.vs,
                "variant": self.variant,
                "rebuilt": True,
                "dps": self.dps,
                "n": str(self.params["n"]),
                "ours": self.fmt(self.ours),
                "prior": self.fmt(self.prior),
                "ratio_ours_over_prior": self.fmt(self.ratio),
                "smaller": "ours" if self.ours < self.prior else "prior",
                "prior_alpha": self.fmt(self.alpha),
                "prior_trivial": self.prior_trivial,
                "ours_vacuous": self.ours_vacuous,
                "prior_vacuous": self.prior_vacuous,
                "crossover_n": None if self.crossover is None else self.fmt(self.crossover),
                "vacuous_at_crossover": self.vacuous_at_crossover,
                "prior_trivial_at_crossover": self.prior_trivial_at_crossover,
                "crossover": self.explanation,
                "certified_signs": list(self.checks),
                "parameter_mapping": self.mapping,
                "params": self.params.as_strings(),
            }


TRIVIAL_NOTE = ("the rebuilt bound sits at its trivial value (Dudley's optimum is alpha = b, i.e. R_S <= c_alpha b: "
                "the entropy integral contributes nothing)")


def compare(vs: str = "edelman", params: Mapping | Params | None = None, dps: int = 30,
            certify: bool = True, quiet: bool = False, variant: str = "default") -> Comparison:
    """Compare our bound (chain ``variant``) with the rebuilt prior bound ``vs`` at ``params`` (and find n*).

    Long steps say so on stderr when it is a terminal (:func:`numeric.progress.phase`; ``quiet`` silences).
    """
    import derive
    if vs not in PRIORS:
        raise UsageError(f"--vs {vs}: no rebuilt prior bound of that name; rebuilt so far: {', '.join(PRIORS)}")
    if variant not in derive.VARIANTS:
        raise UsageError(f"--variant: unknown variant {variant!r}; known: {', '.join(derive.VARIANTS)}")
    dps = check_dps(dps)
    p = Params.coerce(params)
    _single_head(p, "compare")
    with phase(f"both bounds at n = {p['n']} ({dps} digits)", quiet):
        ours = evaluate(p, dps=dps, variant=variant)
        pr = evaluate_prior(vs, p, dps=dps)
    with phase(f"crossover n* against {vs} ({dps} digits)", quiet):
        cx = _crossover(vs, p, dps, variant)
    n_star, why = cx.n_star, cx.why
    checks = []
    if certify and n_star is not None:
        with phase("Arb certification of the signs around n*", quiet):
            for side, n_int in zip(("below", "above"), certification_points(n_star)):
                if n_int >= 1:
                    checks.append(_certify_side(vs, p, side, n_int, variant))
    vac = None
    if n_star is not None:
        with mpmath.workdps(dps + GUARD_DIGITS):
            vac = bool(_ours_at(p, n_star, variant) >= to_mpf(p["c"]))
        if cx.prior_trivial:
            why += (f". NOTE: at n* {TRIVIAL_NOTE}: this n* is where ours falls below that trivial value, which ours "
                    "admits too; it is not a comparison of the entropies")
    return Comparison(vs, p, dps, ours.value, pr.value, pr.alpha, bool(ours.vacuous), bool(pr.vacuous), n_star, why,
                      pr.mapping, tuple(checks), vac, cx.prior_trivial, bool(pr.alpha_at_upper), variant)
