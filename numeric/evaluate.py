"""Evaluate the composed theorem at a parameter point, at a requested precision.

The expression evaluated is the one that comes out of :func:`derive.theorem`;
it is compiled once per (variant, constants) with ``lambdify`` to mpmath and
evaluated in a local precision context with guard digits.  Global mpmath
precision is never changed.

Examples
--------
>>> from numeric import evaluate
>>> ev = evaluate(dps=20)
>>> ev.vacuous                       # the default preset is vacuous at n = 10^6
True
>>> q = evaluate({"n": 4 * 10**6}, dps=20)
>>> import mpmath
>>> with mpmath.workdps(20):
...     mpmath.almosteq(q.rademacher * 2, ev.rademacher, rel_eps=mpmath.mpf(10)**-18)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import mpmath
import sympy

import derive
from lemmas.core import LemmaError, as_number, truth
from lemmas.symbols import SETTING_SYMBOLS, H, L

from numeric.errors import NotCertified, ParameterError, UsageError
from numeric.backends.mp import MP_MODULES, NotEvaluable, mp_eval, to_mpf
from numeric.params import MAX_DPS, Params

__all__ = ["evaluate", "evaluate_expr", "Evaluation", "BlockValue", "Value", "compiled", "GUARD_DIGITS", "smallest_nonvacuous_n",
           "stepwise", "evaluate_lemma", "check_dps", "integer_boundary"]

GUARD_DIGITS = 15
ARG_ORDER = SETTING_SYMBOLS          # (n, d, k, r_w, r_v, T, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta)
DEEP_ARG_ORDER = SETTING_SYMBOLS + (H, L)


class Value(mpmath.mpf):
    """An mpf that remembers the digits it was computed to and prints them.

    ``str`` and ``repr`` show ``dps`` significant digits whatever mpmath's global precision is
    (a plain mpf prints at the global precision, 15 digits by default).  Arithmetic on it gives
    plain mpf values at the precision of the context it runs in, as for any mpf.

    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     v = Value(mpmath.mpf(1) / 3, 30)
    >>> v
    Value('0.333333333333333333333333333333', dps=30)
    """

    __slots__ = ("dps",)

    def __new__(cls, x, dps: int):
        v = object.__new__(cls)
        v._mpf_ = mpmath.mpf(x)._mpf_ if not isinstance(x, mpmath.mpf) else x._mpf_
        v.dps = int(dps)
        return v

    def decimal(self) -> str:
        with mpmath.workdps(self.dps):
            return mpmath.nstr(mpmath.mpf(self._mpf_), self.dps)

    def __str__(self) -> str:
        return self.decimal()

    def __repr__(self) -> str:
        return f"Value({self.decimal()!r}, dps={self.dps})"

    def __reduce__(self):
        return (_value_from, (self._mpf_, self.dps))


def _value_from(mpf_tuple, dps):
    v = object.__new__(Value)
    v._mpf_, v.dps = mpf_tuple, dps
    return v


@dataclass(frozen=True)
class BlockValue:
    name: str
    D: Any
    C: Any
    U: Any
    integral: Any


@dataclass(frozen=True)
class Evaluation:
    """The bound at one parameter point, with its breakdown (mpf values at ``dps`` digits)."""

    value: Any
    rademacher: Any               # the Rademacher term of the bound: 2 * (bound on R_S(l o F))
    rademacher_complexity: Any    # the bound on R_S(l o F)
    confidence: Any
    blocks: tuple
    params: Params
    dps: int
    variant: str
    obligations: tuple
    what_if: str = ""              # non-empty: lowered proof constants, NOT a theorem (says which)
    failure: str = "delta"         # the bound holds with probability >= 1 - failure

    @property
    def is_theorem(self) -> bool:
        return not self.what_if

    @property
    def status(self) -> str:
        return "theorem" if not self.what_if else f"what-if, not a theorem: {self.what_if}"

    @property
    def vacuous(self) -> bool:
        """The bound says nothing when it is >= c (the loss range)."""
        return self.value >= to_mpf_at(self.params["c"], self.dps)

    def fmt(self, x) -> str:
        """A decimal string with ``dps`` significant digits (integers exactly)."""
        if mpmath.isint(x) and abs(x) < mpmath.mpf(10) ** self.dps:
            return str(int(x))
        return mpmath.nstr(x, self.dps, min_fixed=-5, max_fixed=self.dps)

    def to_json(self) -> dict:
        return {
            "bound": "truong" if not is_deep(self.params) else "deep",
            "heads": self.params["H"],
            "layers": self.params["L"],
            "status": self.status,
            "theorem": self.is_theorem,
            "failure_probability": self.failure,
            "variant": self.variant,
            "dps": self.dps,
            "value": self.fmt(self.value),
            "rademacher": self.fmt(self.rademacher),
            "rademacher_complexity": self.fmt(self.rademacher_complexity),
            "confidence": self.fmt(self.confidence),
            "vacuous": bool(self.vacuous),
            "blocks": [{"name": b.name, "D": self.fmt(b.D), "C": self.fmt(b.C), "U": self.fmt(b.U),
                        "integral": self.fmt(b.integral)} for b in self.blocks],
            "params": self.params.as_strings(),
            "obligations": list(self.obligations),
        }

    def _repr_latex_(self):
        try:
            from derive.latex import evaluation_table
        except ImportError:  # pragma: no cover - the printer ships with derive
            return None
        return evaluation_table(self)


def to_mpf_at(v, dps):
    with mpmath.workdps(dps):
        return to_mpf(v)


def is_deep(params: Params) -> bool:
    """Whether ``params`` ask for more than one head or layer (the chain of MATH.md section 8)."""
    return params["H"] != 1 or params["L"] != 1


def arg_order(deep: bool) -> tuple:
    """The symbols of the compiled functions' positional arguments."""
    return DEEP_ARG_ORDER if deep else ARG_ORDER


def theorem_for(variant: str = "default", constants: Mapping | None = None, what_if: bool = False,
                deep: bool = False):
    """The one composed theorem every evaluator (mpmath, Arb, float64) evaluates."""
    constants = dict(constants or {})
    try:
        if deep:
            return (derive.deep_what_if if what_if else derive.deep_theorem)(variant, constants)
        return (derive.what_if if what_if else derive.theorem)(variant, constants)
    except derive.DerivationError as exc:
        raise UsageError(str(exc)) from None


def mp_args(params: Params, n=None, deep: bool | None = None) -> list:
    """The parameter values in the compiled argument order as mpf (``n`` overridden if given)."""
    deep = is_deep(params) if deep is None else deep
    return [to_mpf(n) if (s.name == "n" and n is not None) else to_mpf(params[s.name]) for s in arg_order(deep)]


def check_dps(dps) -> int:
    if isinstance(dps, bool) or not isinstance(dps, int):
        from numeric.params import parse_number
        x = parse_number("dps", dps)
        if x.denominator != 1:
            raise ParameterError("dps", "must be an integer", dps)
        dps = int(x)
    if not (1 <= dps <= MAX_DPS):
        raise ParameterError("dps", f"must be an integer in [1, {MAX_DPS}]", dps)
    return dps


@dataclass(frozen=True, eq=False)
class Compiled:
    theorem: Any
    value: Any
    rademacher: Any
    confidence: Any
    blocks: tuple          # (name, D_fn, C_fn, U_fn, integral_fn)
    c_rad: Any             # the symmetrisation constant: rademacher term = c_rad * complexity


@lru_cache(maxsize=None)
def _compiled(variant: str, constants: tuple, what_if: bool = False, deep: bool = False) -> Compiled:
    th = theorem_for(variant, dict(constants), what_if, deep)
    args = arg_order(deep)

    def lam(expr):
        return sympy.lambdify(args, expr, modules=MP_MODULES)

    blocks = tuple((b.name, lam(b.D), lam(b.C), lam(b.U), lam(b.integral)) for b in th.blocks)
    c_rad = sympy.nsimplify(th.rademacher_term / th.rademacher_complexity)
    return Compiled(th, lam(th.bound), lam(th.rademacher_term), lam(th.confidence), blocks, c_rad)


def compiled(variant: str = "default", constants: Mapping | None = None, what_if: bool = False,
             deep: bool = False) -> Compiled:
    """The mpmath-compiled theorem (cached per variant and constants); ``what_if`` allows lowered proof
    constants (the result is then not a theorem, and says so); ``deep`` takes the H-head, L-layer chain,
    whose functions take H and L as two more arguments."""
    key = tuple(sorted((constants or {}).items()))
    try:
        return _compiled(variant, key, bool(what_if), bool(deep))
    except derive.DerivationError as exc:
        raise UsageError(str(exc)) from None


def open_obligations(obligations, params: Params, skip=(), values: Mapping | None = None) -> tuple:
    """The obligations still open at ``params``: those with a condition are decided at the numbers
    (a false one is a ParameterError naming the hypothesis); the rest are carried as text.
    ``skip`` names hypotheses the evaluation itself discharges (e.g. the choice of alpha); ``values``
    (Symbol -> exact number) replaces ``params``' own when the chain has more symbols (free choices)."""
    vals = params.sympy_values() if values is None else values
    out = []
    for o in obligations:
        if o.hypothesis.name in skip:
            continue
        if o.condition is not None:
            v = truth(o.condition.xreplace(vals))
            if v is False:
                raise ParameterError(str(o.hypothesis.name), f"violates the hypothesis {o.statement}", "")
            if v is True:
                continue
        out.append(f"{o.hypothesis.statement} (from {o.lemma})")
    return tuple(out)


def evaluate(params: Mapping | Params | None = None, dps: int = 30, variant: str = "default",
             constants: Mapping | None = None, what_if: bool = False) -> Evaluation:
    """Evaluate the composed bound at ``params`` (missing names come from the default preset).

    Parameters
    ----------
    params : mapping or Params, optional
        Parameter values by name (``n``, ``d``, ``k``, ``r_w``, ``r_v``, ``T``, ``B_X``, ``B_w``,
        ``B_V``, ``B_QK``, ``L_sigma``, ``L_loss``, ``c``, ``delta``).
    dps : int
        Decimal digits of the result; the computation carries ``GUARD_DIGITS`` more.
    variant : str
        A name in :data:`derive.VARIANTS`.
    constants : mapping, optional
        Overrides of the chain's named constants (``c_net``, ``c_sm``, ...).  A proof constant may be
        raised; lowering one below what its lemma proves is refused unless ``what_if`` is set.
    what_if : bool
        Allow lowered proof constants: the result is then a what-if, not a theorem, and says so
        (``status``, ``is_theorem``, the JSON's ``status`` and ``theorem`` keys).
    """
    dps = check_dps(dps)
    p = Params.coerce(params)
    deep = is_deep(p)
    comp = compiled(variant, constants, what_if, deep)
    obligations = open_obligations(comp.theorem.obligations, p)
    with mpmath.workdps(dps + GUARD_DIGITS):
        args = mp_args(p, deep=deep)
        value = comp.value(*args)
        rad = comp.rademacher(*args)
        conf = comp.confidence(*args)
        blocks = tuple(BlockValue(name, D(*args), C(*args), U(*args), I(*args))
                       for name, D, C, U, I in comp.blocks)
        _check_finite(value, "value")
        complexity = rad / to_mpf(comp.c_rad)
    with mpmath.workdps(dps):
        r = lambda x: Value(+x, dps)  # noqa: E731 - round to the requested precision, keep the digits
        th = comp.theorem
        return Evaluation(r(value), r(rad), r(complexity), r(conf),
                          tuple(BlockValue(b.name, r(b.D), r(b.C), r(b.U), r(b.integral)) for b in blocks),
                          p, dps, variant, obligations, th.what_if, sympy.sstr(th.failure))


def _check_finite(x, what):
    if not mpmath.isfinite(x) or mpmath.isnan(x):
        raise NotCertified(f"the {what} evaluated to {x}; refusing to return it as a bound")
    if x <= 0:
        raise NotCertified(f"the {what} evaluated to {x} <= 0; a bound on a gap must be positive here")


def smallest_nonvacuous_n(params: Mapping | Params | None = None, variant: str = "default",
                          constants: Mapping | None = None, dps: int = 30, n_max: int = 10**200) -> int | None:
    """The smallest sample size n at which the bound is < c (None if none up to ``n_max``)."""
    p = Params.coerce(params)
    comp = compiled(variant, constants, deep=is_deep(p))
    with mpmath.workdps(dps + GUARD_DIGITS):
        c = to_mpf(p["c"])

        def f(n):
            args = mp_args(p, n)
            return comp.value(*args) < c

        if f(1):
            return 1
        lo, hi = 1, 2
        while not f(hi):
            lo, hi = hi, hi * 2
            if hi > n_max:
                return None
        return integer_boundary(f, lo, hi)[1]      # f(lo) false, f(hi) true: the bound decreases in n


def integer_boundary(pred, a: int, b: int) -> tuple[int, int]:
    """Bisect a monotone predicate on the integers between ``a`` and ``b`` (``pred(a) != pred(b)``, either order):
    adjacent ``(a', b')`` with ``pred(a') == pred(a)`` and ``pred(b') == pred(b)``.

    >>> integer_boundary(lambda x: x * x >= 50, 1, 100)
    (7, 8)
    >>> integer_boundary(lambda x: x < 10, 0, 37)
    (9, 10)
    """
    side_b = pred(b)
    while b - a > 1:
        mid = (a + b) // 2
        if pred(mid) == side_b:
            b = mid
        else:
            a = mid
    return a, b


def stepwise(params: Mapping | Params | None = None, dps: int = 30, variant: str = "default",
             constants: Mapping | None = None) -> list:
    """Evaluate every step of the chain whose right side is numeric (integrals by quadrature).

    Returns a list of ``(index, lemma name, relation, value)``; steps whose
    bound still holds an unevaluated covering number or complexity are skipped.
    """
    p = Params.coerce(params)
    th = theorem_for(variant, constants, deep=is_deep(p))
    vals = p.sympy_values()
    out = []
    with mpmath.workdps(dps + GUARD_DIGITS):
        mvals = {k: to_mpf(v) for k, v in vals.items()}
        for i, s in enumerate(th.derivation.steps, 1):
            if s.kind != "apply":
                continue
            try:
                v = mp_eval(s.after, mvals)
            except NotEvaluable:
                continue
            out.append((i, s.lemma.name, s.relation, +v))
    return out


def evaluate_expr(expr, values: Mapping, dps: int = 30) -> Value:
    """Any derived expression at ``values`` (Symbol -> number), at ``dps`` digits (integrals by quadrature).

    For chains of your own (the tutorial's two-layer bound); a certified enclosure of the same expression
    is :func:`numeric.certify`.  Values are numbers, never strings.
    """
    dps = check_dps(dps)
    try:
        vals = {k: as_number(v, f"value of {k}") for k, v in values.items()}
    except LemmaError as exc:
        raise UsageError(str(exc)) from None
    missing = {s for s in expr.free_symbols if s not in vals}        # integration variables are not free
    if missing:
        raise UsageError(f"no value for {sorted(map(str, missing))}")
    with mpmath.workdps(dps + GUARD_DIGITS):
        v = mp_eval(expr, {k: to_mpf(x) for k, x in vals.items()})
        _check_finite(v, "expression")
    with mpmath.workdps(dps):
        return Value(+v, dps)



def evaluate_lemma(lemma, values: Mapping | None = None, dps: int = 30):
    """The numeric value of a lemma's right side at ``values`` (default: its example), constants at default."""
    vals = dict(Params.coerce(None).sympy_values())   # setting symbols not in the example: default preset
    vals.update(lemma.example)
    vals.update(values or {})
    consts = lemma.constant_values()
    rhs = lemma.rhs.xreplace(consts)
    with mpmath.workdps(dps + GUARD_DIGITS):
        v = mp_eval(rhs, vals)
    with mpmath.workdps(dps):
        return +v
