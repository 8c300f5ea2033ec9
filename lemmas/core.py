"""The lemma value, its hypotheses and source, the three-valued truth test, and the registry.

A lemma is a small frozen value: a name, its parameters (SymPy symbols with
declared assumptions), hypotheses, a conclusion (a SymPy relational), named
constants with defaults, and a source.  Users add a lemma by building a value
and calling :func:`register`; nothing is subclassed.

Examples
--------
>>> import sympy
>>> from lemmas.core import Lemma, Hypothesis, Source, Constant, truth
>>> x = sympy.Symbol("x", positive=True)
>>> a = sympy.Symbol("a_const", positive=True)
>>> lem = Lemma(name="toy", title="Toy", params=(x,), hypotheses=(),
...             conclusion=sympy.Le(x, a * x), constants=(Constant(a, 2, "slack"),),
...             source=Source("nowhere", kind="derived", derivation="trivial"),
...             family="toy", example={x: 1})
>>> lem.instantiate({x: 3}).conclusion
True
>>> truth(sympy.Le(x, 2 * x))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import sympy
from sympy import Basic, Symbol
from sympy.core.relational import Relational
from sympy.logic.boolalg import And, BooleanFalse, BooleanTrue, Or, Not

__all__ = [
    "Source",
    "Constant",
    "Hypothesis",
    "Lemma",
    "Instance",
    "truth",
    "register",
    "get",
    "names",
    "all_lemmas",
    "LemmaError",
]


class LemmaError(ValueError):
    """Raised for a malformed lemma or a bad instantiation."""


@dataclass(frozen=True)
class Source:
    """Where a lemma comes from.

    ``kind`` is ``"borrowed"`` (a standard published result, cited),
    ``"reconstructed"`` (our reconstruction of a step of Truong (2024), whose
    text we did not have; constants are our choices) or ``"derived"`` (derived
    in rankbound; ``derivation`` says how).
    """

    citation: str
    kind: str = "borrowed"
    derivation: str = ""

    def __post_init__(self):
        if self.kind not in ("borrowed", "reconstructed", "derived"):
            raise LemmaError(f"Source.kind must be borrowed, reconstructed or derived, got {self.kind!r}")
        if not self.citation.strip():
            raise LemmaError("Source.citation must not be empty")
        if self.kind == "derived" and not self.derivation.strip():
            raise LemmaError("a derived lemma must say how it was derived (Source.derivation)")

    def __str__(self) -> str:
        if self.kind == "derived":
            return f"derived in rankbound ({self.citation}): {self.derivation}"
        if self.kind == "reconstructed":
            return f"reconstructed in rankbound after {self.citation} (constants are our choices)"
        return self.citation


@dataclass(frozen=True)
class Constant:
    """A named, overridable numeric constant appearing in a conclusion as a symbol."""

    symbol: Symbol
    default: Any
    description: str

    @property
    def name(self) -> str:
        return self.symbol.name


def truth(cond: Any, facts: Iterable[Basic] = ()) -> bool | None:
    """Three-valued truth of a SymPy condition: True, False, or None (unknown).

    A condition is True if it is one of ``facts`` (atoms established by earlier
    lemmas), or if SymPy can decide it from the symbols' assumptions.  Unknown
    is never turned into True.
    """
    facts = set(facts)
    if cond is True or isinstance(cond, BooleanTrue):
        return True
    if cond is False or isinstance(cond, BooleanFalse):
        return False
    if cond in facts:
        return True
    if isinstance(cond, And):
        vals = [truth(a, facts) for a in cond.args]
        if any(v is False for v in vals):
            return False
        return True if all(v is True for v in vals) else None
    if isinstance(cond, Or):
        vals = [truth(a, facts) for a in cond.args]
        if any(v is True for v in vals):
            return True
        return False if all(v is False for v in vals) else None
    if isinstance(cond, Not):
        v = truth(cond.args[0], facts)
        return None if v is None else (not v)
    if isinstance(cond, Relational):
        lhs, rhs = cond.lhs, cond.rhs
        op = cond.rel_op
        if op in ("<=", "<", ">=", ">"):
            diff = sympy.expand(rhs - lhs) if op in ("<=", "<") else sympy.expand(lhs - rhs)
            if op in ("<=", ">="):
                res = diff.is_nonnegative
                if res is None and diff.is_number:
                    res = bool(diff.evalf(30) >= 0) if diff.evalf(30).is_comparable else None
                return res
            res = diff.is_positive
            if res is None and diff.is_number:
                res = bool(diff.evalf(30) > 0) if diff.evalf(30).is_comparable else None
            return res
        if op == "==":
            d = sympy.simplify(lhs - rhs)
            return True if d == 0 else (False if d.is_nonzero else None)
        if op == "!=":
            v = truth(sympy.Eq(lhs, rhs), facts)
            return None if v is None else (not v)
    return None


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis of a lemma.

    ``condition`` is a SymPy condition in the lemma's parameters, or a fact atom
    (e.g. :class:`lemmas.objects.OutputBound`) that an earlier lemma must
    establish, or ``None`` when it is a modelling assumption SymPy cannot state
    (i.i.d. sampling, Lipschitz activations).  A ``None`` condition is never
    discharged automatically: it becomes an open obligation unless the
    derivation is told to assume it.
    """

    name: str
    statement: str
    condition: Any = None
    discharged_by: str = ""   # which lemma would discharge it, when known

    def instantiate(self, subs: Mapping) -> Any:
        if self.condition is None:
            return None
        return _subst(self.condition, subs)


def _as_basic(v: Any, what: str) -> Basic:
    """A SymPy object from a SymPy object or a Python number; strings are refused (never sympified)."""
    from fractions import Fraction
    if isinstance(v, Basic):
        return v
    if isinstance(v, bool) or isinstance(v, str):
        raise LemmaError(f"{what}: pass a SymPy expression or a number, not {v!r}")
    if isinstance(v, int):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, float):
        return sympy.Float(v)
    raise LemmaError(f"{what}: cannot use {v!r} ({type(v).__name__})")


def _subst(expr: Any, subs: Mapping) -> Any:
    """Simultaneous structural substitution (symbols, including bound ones)."""
    if not subs:
        return expr
    if isinstance(expr, sympy.Eq):
        # an equality is a rewriting rule: keep it unevaluated.  Rebuilding it evaluated makes SymPy
        # try to decide it, which for an Integral side means quadrature by evalf (minutes per call,
        # e.g. logplus-sqrt-integral at D=2, C=1/4, U=1)
        return sympy.Eq(_subst(expr.lhs, subs), _subst(expr.rhs, subs), evaluate=False)
    if isinstance(expr, Basic):
        return expr.xreplace(dict(subs))
    return expr


@dataclass(frozen=True, eq=False)
class Lemma:
    """A registered fact: hypotheses => conclusion, with a source.

    Parameters
    ----------
    name : str
        Registry key, kebab-case (``"low-rank-net-ball"``).
    title : str
        One line for humans.
    params : tuple of Symbol
        The lemma's free parameters (with SymPy assumptions).
    hypotheses : tuple of Hypothesis
    conclusion : sympy Relational
        Usually ``lhs <= rhs`` or ``Eq(lhs, rhs)``.
    source : Source
    constants : tuple of Constant
        Named numeric constants; they appear in ``conclusion`` as symbols and
        are replaced by their value (default or override) on instantiation.
    family : str
        The module family (covering, chaining, attention, generalisation, ...).
    provides : tuple
        Fact atoms (in the params) that the lemma establishes when applied.
    example : dict
        A parameter point at which the right-hand side evaluates numerically.
    variant_of : str
        For named variants, the lemma they vary.
    wrong : bool
        True for deliberately wrong variants kept to test the checkers; they
        are never used by the default derivation.
    """

    name: str
    title: str
    params: tuple
    hypotheses: tuple
    conclusion: Any
    source: Source
    constants: tuple = ()
    family: str = ""
    provides: tuple = ()
    example: dict = field(default_factory=dict)
    variant_of: str = ""
    notes: str = ""
    wrong: bool = False

    def __post_init__(self):
        if not isinstance(self.conclusion, (Relational, BooleanTrue)):
            raise LemmaError(f"lemma {self.name!r}: conclusion must be a SymPy relational")
        for p in self.params:
            if not isinstance(p, Symbol):
                raise LemmaError(f"lemma {self.name!r}: parameter {p!r} is not a Symbol")
        known = set(self.params) | {c.symbol for c in self.constants}
        free = self.conclusion.free_symbols
        bound = set()
        for integ in self.conclusion.atoms(sympy.Integral):
            bound |= {lim[0] for lim in integ.limits}
        from .objects import Tag
        stray = {s for s in free - known - bound if not isinstance(s, Tag)}
        if stray:
            raise LemmaError(f"lemma {self.name!r}: conclusion uses undeclared symbols {sorted(map(str, stray))}")

    # -- views ---------------------------------------------------------------------------------
    @property
    def lhs(self):
        return self.conclusion.lhs

    @property
    def rhs(self):
        return self.conclusion.rhs

    def constant(self, name: str) -> Constant:
        for c in self.constants:
            if c.name == name:
                return c
        raise LemmaError(f"lemma {self.name!r} has no constant {name!r}; it has {[c.name for c in self.constants]}")

    def param(self, name: str) -> Symbol:
        for p in self.params:
            if p.name == name:
                return p
        raise LemmaError(f"lemma {self.name!r} has no parameter {name!r}; it has {[p.name for p in self.params]}")

    def constant_values(self, overrides: Mapping[str, Any] | None = None) -> dict:
        overrides = dict(overrides or {})
        vals = {}
        for c in self.constants:
            v = overrides.pop(c.name, c.default)
            vals[c.symbol] = _as_basic(v, f"constant {c.name} of lemma {self.name!r}")
        return vals

    def instantiate(self, mapping: Mapping | None = None, constants: Mapping[str, Any] | None = None) -> "Instance":
        """Substitute parameters (by Symbol or by name) and constants into the lemma."""
        subs = {}
        for k, v in (mapping or {}).items():
            sym = self.param(k) if isinstance(k, str) else k
            if sym not in self.params:
                raise LemmaError(f"lemma {self.name!r} has no parameter {sym}")
            subs[sym] = _as_basic(v, f"parameter {sym} of lemma {self.name!r}")
        unknown = set(constants or {}) - {c.name for c in self.constants}
        if unknown:
            raise LemmaError(f"lemma {self.name!r} has no constants {sorted(unknown)}; "
                             f"it has {[c.name for c in self.constants]}")
        subs.update(self.constant_values(constants))
        concl = _subst(self.conclusion, subs)
        hyps = tuple((h, h.instantiate(subs)) for h in self.hypotheses)
        provides = tuple(_subst(p, subs) for p in self.provides)
        return Instance(self, subs, concl, hyps, provides)

    # -- printing ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"lemmas.get({self.name!r})"

    def _latex(self, printer):
        return printer._print(self.conclusion)

    def _repr_latex_(self) -> str:
        from derive.latex import latex     # the house printer (derive/latex.py)
        return "$\\displaystyle %s$" % latex(self)

    def describe(self) -> str:
        lines = [f"{self.name}: {self.title}", f"  source: {self.source}"]
        for h in self.hypotheses:
            lines.append(f"  if {h.statement}")
        lines.append(f"  then {sympy.sstr(self.conclusion)}")
        if self.constants:
            lines.append("  constants: " + ", ".join(f"{c.name}={c.default} ({c.description})" for c in self.constants))
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Instance:
    """A lemma with its parameters and constants substituted."""

    lemma: Lemma
    subs: dict
    conclusion: Any
    hypotheses: tuple   # (Hypothesis, instantiated condition or None)
    provides: tuple


# -- registry ----------------------------------------------------------------------------------
_REGISTRY: dict[str, Lemma] = {}


def register(lemma: Lemma) -> Lemma:
    """Add a lemma to the registry (names are unique) and return it."""
    if not isinstance(lemma, Lemma):
        raise LemmaError(f"register() takes a Lemma, got {type(lemma).__name__}")
    old = _REGISTRY.get(lemma.name)
    if old is not None and old is not lemma:
        if _same(old, lemma):        # the same fact derived twice
            return old
        raise LemmaError(f"a lemma named {lemma.name!r} is already registered")
    _REGISTRY[lemma.name] = lemma
    return lemma


def _same(a: Lemma, b: Lemma) -> bool:
    return (a.conclusion == b.conclusion and a.source == b.source and a.params == b.params
            and a.hypotheses == b.hypotheses and a.constants == b.constants and a.wrong == b.wrong)


def get(name: str) -> Lemma:
    """The registered lemma called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LemmaError(f"no lemma named {name!r}; registered: {', '.join(sorted(_REGISTRY))}") from None


def names() -> list[str]:
    return sorted(_REGISTRY)


def all_lemmas() -> list[Lemma]:
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
