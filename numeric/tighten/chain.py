"""One composed chain of ``derive.tighten``, compiled for the optimiser and certified by Arb.

:class:`Compiled` holds the chain's bound (never retyped) with its open entropy integrals read by
:mod:`numeric.tighten.integrals`, and gives

- :meth:`Compiled.value_float`: the bound in float64 at a parameter point and values of the free choices
  (a fixed Gauss-Legendre rule for the open integrals; mpmath at 30 digits where float64 overflows, e.g. the
  factor rho^(L-2) at large L).  For the
  optimiser only: nothing reported as a bound comes from it.
- :meth:`Compiled.objective_float`: the same with the trivial cap's ``min(B_f, Dudley)`` read as its
  Dudley argument, so that the choices keep a gradient where the cap is active;
- :meth:`Compiled.certify`: an Arb enclosure of the bound at exact values (parameters and choices), the open
  integrals by ``flint.acb.integral`` -- the value reported, like ``rankbound eval``'s interval;
- :meth:`Compiled.open_obligations`: the chain's conditions decided at the numbers (a false one refuses the
  choice values).

Examples
--------
>>> from numeric.tighten.chain import compiled_chain
>>> from numeric.params import Params
>>> ch = compiled_chain(())
>>> p = Params.from_preset()
>>> cv = ch.certify(p, {}, dps=20)
>>> 28.50213283 < float(cv.lo) <= float(cv.hi) < 28.50213284
True
>>> abs(ch.value_float(p, {}) - 28.502132838) < 1e-6
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy

import derive.tighten as T
from lemmas.tightness import Cap
from numeric.backends.arb import CertifiedValue, certify_expr
from numeric.backends.mp import MP_MODULES, to_mpf
from numeric.errors import UsageError
from numeric.evaluate import DEEP_ARG_ORDER, mp_args, open_obligations
from numeric.params import Params

from .integrals import certified_integral, float_integral, plan_integral

__all__ = ["Compiled", "compiled_chain", "CHOICE_SYMBOLS", "exact_choices"]

#: the free choices of every chain, in a fixed order (split weights u_1..u_5, then w for Dudley's alpha)
CHOICE_SYMBOLS = (*T.SPLIT_WEIGHTS, T.ALPHA_W)


def _float_logplus(x):
    return math.log(x) if x > 1 else 0.0


_FLOAT = [{"logplus": _float_logplus, "erfc": math.erfc, "erf": math.erf}, "math"]


def _plain(expr):
    """``expr`` with every :class:`Cap` written as SymPy's ``Min`` (unevaluated), which lambdify prints."""
    return expr.replace(lambda e: isinstance(e, Cap), lambda e: sympy.Min(*e.args, evaluate=False))


def exact_choices(values: dict) -> dict:
    """Choice values as exact SymPy rationals (Symbol -> Rational)."""
    out = {}
    for s, v in values.items():
        f = v if isinstance(v, Fraction) else Fraction(v)
        out[s] = sympy.Rational(f.numerator, f.denominator)
    return out


class Compiled:
    """A chain compiled once: see the module docstring."""

    def __init__(self, th: T.Tightened):
        self.th = th
        self.bound = th.bound
        self.choices = tuple(s for s in CHOICE_SYMBOLS if self.bound.has(s))
        self.args = tuple(DEEP_ARG_ORDER) + self.choices
        self.integrals = tuple(sorted(self.bound.atoms(sympy.Integral), key=sympy.default_sort_key))
        self.plans = [plan_integral(i) for i in self.integrals]
        zs = sympy.symbols(f"_z0:{len(self.integrals)}", real=True)
        outer = self.bound.xreplace(dict(zip(self.integrals, zs)))
        obj = _plain(self._uncapped(outer, zs))
        outer = _plain(outer)
        self._outer = sympy.lambdify(self.args + tuple(zs), outer, modules=_FLOAT)
        self._outer_mp = sympy.lambdify(self.args + tuple(zs), outer, modules=MP_MODULES)
        self._objective = sympy.lambdify(self.args + tuple(zs), obj, modules=_FLOAT)
        self._objective_mp = sympy.lambdify(self.args + tuple(zs), obj, modules=MP_MODULES)
        self._fns = [self._compile_plan(p) for p in self.plans]
        self._fns_mp = [self._compile_plan(p, MP_MODULES) for p in self.plans]

    def _uncapped(self, outer, zs):
        """``outer`` with the trivial cap min(B_f, X) read as X when only X depends on the choices."""
        moving = set(self.choices)
        for z, plan in zip(zs, self.plans):
            if plan.integral.free_symbols & moving:
                moving.add(z)
        reps = {}
        for cap in outer.atoms(Cap):
            dep = [a for a in cap.args if a.free_symbols & moving]
            if len(dep) == 1 and len(cap.args) == 2:
                reps[cap] = dep[0]
        return outer.xreplace(reps)

    def _compile_plan(self, plan, modules=_FLOAT):
        lam = lambda e: sympy.lambdify(self.args, e, modules=modules)       # noqa: E731
        return {"lo": lam(plan.lo), "hi": lam(plan.hi), "cuts": [lam(c_) for c_ in plan.cuts],
                "forms": {k: (None if v is None else (lam(v[0]), lam(v[1]))) for k, v in plan.forms.items()}}

    # -- float64 (the optimiser) ------------------------------------------------------------------------
    def _arg_values(self, params: Params, choices: dict, n=None) -> tuple:
        vals = []
        for s in DEEP_ARG_ORDER:
            v = params[s.name] if not (s.name == "n" and n is not None) else n
            vals.append(float(v))
        for s in self.choices:
            if s not in choices:
                raise UsageError(f"no value for the choice {s}")
            vals.append(float(choices[s]))
        return tuple(vals)

    def _eval(self, fn, fn_mp, params, choices, n):
        args = self._arg_values(params, choices, n)
        try:
            zs = tuple(float_integral(p, f, args) for p, f in zip(self.plans, self._fns))
            v = float(fn(*(args + zs)))
            if math.isfinite(v):
                return v
        except (OverflowError, ValueError, ZeroDivisionError):
            pass
        return self._eval_mp(fn_mp, params, choices, n)

    def _eval_mp(self, fn_mp, params, choices, n):
        with mpmath.workdps(30):
            args = mp_args(params, n, deep=True) + [to_mpf(choices[s]) for s in self.choices]
            zs = [float_integral(p, f, tuple(args), mp=True) for p, f in zip(self.plans, self._fns_mp)]
            v = fn_mp(*(args + zs))
            return float(v) if mpmath.isfinite(v) and abs(v) < 1e300 else math.inf

    def value_float(self, params: Params, choices: dict, n=None) -> float:
        """The bound in float64 (``n`` overrides the sample size): for the optimiser, never reported."""
        return self._eval(self._outer, self._outer_mp, params, choices, n)

    def objective_float(self, params: Params, choices: dict, n=None) -> float:
        """As :meth:`value_float`, with the trivial cap read as its Dudley argument."""
        return self._eval(self._objective, self._objective_mp, params, choices, n)

    # -- exact -----------------------------------------------------------------------------------------
    def exact_values(self, params: Params, choices: dict) -> dict:
        vals = dict(params.sympy_values())
        vals.update(exact_choices({s: choices[s] for s in self.choices}))
        return vals

    def open_obligations(self, params: Params, choices: dict) -> tuple:
        """The chain's obligations at the numbers: conditions decided (a false one raises ParameterError),
        the rest (modelling assumptions) returned as text."""
        return open_obligations(self.th.obligations, params, values=self.exact_values(params, choices))

    def certify(self, params: Params, choices: dict, dps: int = 30) -> CertifiedValue:
        """An Arb enclosure of the bound at the exact parameters and choice values (its entropy integrals by
        certified quadrature at each working precision)."""
        def integrals(balls, exact):
            for integral in self.integrals:
                balls[integral] = certified_integral(integral, balls, exact)

        return certify_expr(self.bound, self.exact_values(params, choices), dps=dps, extend=integrals)


@lru_cache(maxsize=None)
def compiled_chain(choices: tuple) -> Compiled:
    """The chain with ``choices`` made (names of ``derive.tighten.CHOICES``), compiled once."""
    try:
        th = T.tightened(choices)
    except T.DerivationError as exc:
        raise UsageError(str(exc)) from None
    return Compiled(th)
