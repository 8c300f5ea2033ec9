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
3 <= 6
>>> truth(lem.instantiate({x: 3}).conclusion)
True
>>> truth(sympy.Le(x, 2 * x))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
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
    "as_number",
    "domain_condition",
    "CONSTANT_KINDS",
    "lemma_family",
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


CONSTANT_KINDS = ("proof", "choice", "hypothesis")


@dataclass(frozen=True)
class Constant:
    """A named numeric constant appearing in a conclusion as a symbol.

    ``kind`` says what may be done with it (MATH.md section 10):

    - ``"proof"``: the lemma is proved for the value ``default`` and every larger value (the
      conclusion only gets weaker).  It may be raised, never lowered: lowering it is a *what-if*,
      which :meth:`Lemma.instantiate` refuses unless asked for one explicitly.
    - ``"choice"``: a free choice of the proof; any value in the symbol's declared domain is valid.
    - ``"hypothesis"``: the lemma holds for every value at which its hypotheses hold, and one of them
      names the constant (the softmax constant ``c_sm`` of a perturbation lemma: the fact
      ``SoftmaxLipschitz(c_sm)`` must be established at that value).  The hypothesis decides it.
    """

    symbol: Symbol
    default: Any
    description: str
    kind: str = "proof"

    def __post_init__(self):
        if self.kind not in CONSTANT_KINDS:
            raise LemmaError(f"constant {self.symbol}: kind must be one of {CONSTANT_KINDS}, got {self.kind!r}")

    @property
    def name(self) -> str:
        return self.symbol.name

    def proved_for(self, value) -> bool | None:
        """Whether the lemma is proved with this constant at ``value`` (three-valued)."""
        value = as_number(value, f"constant {self.name}")
        if self.kind in ("choice", "hypothesis"):
            return domain_truth(self.symbol, value)
        return truth(sympy.Ge(value, self.default, evaluate=False))


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
    if cond in facts or (isinstance(cond, Relational) and cond.reversed in facts):
        return True
    if isinstance(cond, Basic) and cond.has(sympy.Sum):
        try:                        # a sum over a grid (e.g. of the post-hoc weights) evaluated by SymPy
            cond = cond.doit()
        except (ValueError, NotImplementedError):     # SymPy proves divergence by raising
            return None if not isinstance(cond, Relational) else _divergent(cond)
        if cond is sympy.true or cond is sympy.false:
            return bool(cond)
    if isinstance(cond, sympy.Contains):
        elem, where = cond.args
        if where == sympy.S.Integers:
            return elem.is_integer
        if where == sympy.S.Reals:
            return elem.is_extended_real if elem.is_finite is not False else False
        return None
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
            raw = (rhs - lhs) if op in ("<=", "<") else (lhs - rhs)
            # the unexpanded difference first: a product such as (L - 1) * (...) >= 0 is decided factor by factor,
            # while its expansion is a sum of terms of both signs
            quick = raw.is_extended_nonnegative if op in ("<=", ">=") else raw.is_extended_positive
            if quick is not None:
                return quick
            diff = sympy.expand(raw)
            if diff.is_extended_nonnegative is None and diff.is_extended_positive is None and not diff.is_number \
                    and _small(diff):
                diff = sympy.factor(sympy.cancel(sympy.together(diff)))     # e.g. 1 - (1 + 2H L)/(1 + 2H L)
            if op in ("<=", ">="):
                res = diff.is_extended_nonnegative
                if res is None and diff.is_number:
                    res = bool(diff.evalf(30) >= 0) if diff.evalf(30).is_comparable else None
                return res
            res = diff.is_extended_positive
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


def _small(expr) -> bool:
    """Small enough to factor quickly: few operations and no rational with hundreds of digits."""
    if expr.count_ops() > 200:
        return False
    return all(max(abs(r.p), abs(r.q)).bit_length() < 1000 for r in expr.atoms(sympy.Rational))


def _divergent(cond) -> bool | None:
    """A relational with a sum SymPy proved divergent (to +oo for nonnegative terms): ``sum <= x`` is false."""
    for side, other, op_ok in ((cond.lhs, cond.rhs, ("<=", "<")), (cond.rhs, cond.lhs, (">=", ">"))):
        if isinstance(side, sympy.Sum) and cond.rel_op in op_ok and side.function.is_nonnegative \
                and other.is_finite:
            try:
                if side.is_convergent() is sympy.false:
                    return False
            except (ValueError, NotImplementedError):
                return False         # is_convergent raises "diverges like ..." for these series
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
    latex: str = ""           # the statement as LaTeX text (inline math in $...$); empty: typeset from statement

    def instantiate(self, subs: Mapping) -> Any:
        if self.condition is None:
            return None
        return _subst(self.condition, subs)


def as_number(v: Any, what: str) -> Basic:
    """A SymPy object from a SymPy object or a Python number; strings are refused (never sympified).

    Floats are converted exactly (``0.1`` is the binary fraction it denotes), NaN and infinities
    are refused: a parameter or constant is a finite number or a symbolic expression.
    """
    if isinstance(v, Basic):
        return v
    if isinstance(v, bool) or isinstance(v, str):
        raise LemmaError(f"{what}: pass a SymPy expression or a number, not {v!r}")
    if isinstance(v, int):
        return sympy.Integer(v)
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise LemmaError(f"{what}: must be finite, got {v!r}")
        return sympy.Rational(*Fraction(v).as_integer_ratio())
    raise LemmaError(f"{what}: cannot use {v!r} ({type(v).__name__})")


def domain_condition(param: Symbol, value: Basic):
    """The condition that ``value`` lies in ``param``'s declared domain (None when it declares none).

    A parameter declared ``positive`` needs ``value > 0``, ``nonnegative`` ``value >= 0``,
    ``integer`` an integer value, ``real`` a real one.  These are hypotheses of the lemma like any
    other: :meth:`Lemma.instantiate` adds them, the engine decides them three-valued.
    """
    conds = []
    if param.is_integer:
        conds.append(sympy.Contains(value, sympy.S.Integers, evaluate=False))
    if param.is_positive:
        conds.append(sympy.Gt(value, 0, evaluate=False))
    elif param.is_nonnegative:
        conds.append(sympy.Ge(value, 0, evaluate=False))
    elif param.is_extended_real and not conds:
        conds.append(sympy.Contains(value, sympy.S.Reals, evaluate=False))
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else And(*conds, evaluate=False)


def domain_words(param: Symbol) -> str:
    """``positive integer``, ``nonnegative real``, ... (what :func:`domain_condition` asks for)."""
    if param.is_integer:
        return "a positive integer" if param.is_positive else (
            "a nonnegative integer" if param.is_nonnegative else "an integer")
    if param.is_positive:
        return "positive"
    if param.is_nonnegative:
        return "nonnegative"
    return "real" if param.is_extended_real else "unrestricted"


def domain_truth(param: Symbol, value) -> bool | None:
    cond = domain_condition(param, value)
    return True if cond is None else truth(cond)


def _subst(expr: Any, subs: Mapping) -> Any:
    """Simultaneous structural substitution (symbols, including bound ones)."""
    if not subs:
        return expr
    if isinstance(expr, Relational):
        # keep a relational unevaluated: rebuilding it evaluated makes SymPy try to decide it, which for an
        # Integral side means quadrature by evalf (minutes per call, e.g. logplus-sqrt-integral at D=2, C=1/4,
        # U=1) and for a divergent Sum an exception; deciding it is truth()'s job
        return type(expr)(_subst(expr.lhs, subs), _subst(expr.rhs, subs), evaluate=False)
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
    failure : SymPy expression
        The conclusion holds with probability at least ``1 - failure`` over the sample (0 for a
        deterministic fact).  It is part of the statement: the engine refuses to combine two
        statements that each may fail without a union bound.
    composed : bool
        True for a lemma made by :meth:`derive.Derivation.as_lemma`: its ``provides`` are the facts
        its chain established (each checked at the lemma that established it).  A lemma that is
        not composed must provide only facts that follow from its conclusion (checked here by the
        fact's own ``follows_from``), or facts with a property test of their own (the registry
        meta-test asks for one).
    what_if : str
        Non-empty for a *what-if*: a statement made with a proof constant lowered below what its
        lemma proves.  It says why; it is not a theorem and is never registered.
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
    failure: Any = sympy.S.Zero
    composed: bool = False
    what_if: str = ""

    def __post_init__(self):
        if not isinstance(self.conclusion, (Relational, BooleanTrue)):
            raise LemmaError(f"lemma {self.name!r}: conclusion must be a SymPy relational")
        object.__setattr__(self, "failure", as_number(self.failure, f"lemma {self.name!r}: failure"))
        if self.failure.free_symbols - set(self.params):
            raise LemmaError(f"lemma {self.name!r}: its failure probability {self.failure} uses symbols that are "
                             f"not parameters")
        if not self.composed:
            for fact in self.provides:
                follows = getattr(type(fact), "follows_from", None)
                if follows is not None and follows(fact, self.conclusion) is not True:
                    why = getattr(fact, "explain", lambda c: "")(self.conclusion)
                    raise LemmaError(
                        f"lemma {self.name!r} provides {sympy.sstr(fact)}, which does not follow from its conclusion "
                        f"{sympy.sstr(self.conclusion)}: a provided fact must be read off the conclusion"
                        + (f" ({why})" if why else ""))
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
            vals[c.symbol] = as_number(v, f"constant {c.name} of lemma {self.name!r}")
        return vals

    def instantiate(self, mapping: Mapping | None = None, constants: Mapping[str, Any] | None = None,
                    what_if: bool = False) -> "Instance":
        """Substitute parameters (by Symbol or by name) and constants into the lemma.

        Each substituted parameter must lie in its declared domain: the condition (``value > 0`` for a
        positive parameter, an integer value for an integer one, ...) is added to the instance's
        hypotheses, to be decided three-valued like the others.  A proof constant may be raised,
        never lowered: a value below the proved one raises :class:`LemmaError`, unless ``what_if``
        is set, in which case the instance records why it is not a theorem (``Instance.what_if``).
        """
        subs, domains = {}, []
        for k, v in (mapping or {}).items():
            sym = self.param(k) if isinstance(k, str) else k
            if sym not in self.params:
                raise LemmaError(f"lemma {self.name!r} has no parameter {sym}")
            val = as_number(v, f"parameter {sym} of lemma {self.name!r}")
            subs[sym] = val
            cond = None if val == sym else domain_condition(sym, val)
            if cond is not None:
                domains.append((Hypothesis(f"domain-of-{sym}", f"the parameter {sym} must be {domain_words(sym)} "
                                           f"(its declared domain); here {sym} = {sympy.sstr(val)}", cond), cond))
        unknown = set(constants or {}) - {c.name for c in self.constants}
        if unknown:
            raise LemmaError(f"lemma {self.name!r} has no constants {sorted(unknown)}; "
                             f"it has {[c.name for c in self.constants]}")
        values = self.constant_values(constants)
        lowered = []
        for c in self.constants:
            v = values[c.symbol]
            ok = c.proved_for(v)
            if ok is True:
                continue
            what = (f"constant {c.name} = {sympy.sstr(v)} of lemma {self.name!r} is below {c.default}, the value "
                    f"it is proved for" if ok is False and c.kind == "proof" else
                    f"constant {c.name} = {sympy.sstr(v)} of lemma {self.name!r} is not shown to be a valid "
                    f"{'value (>= ' + str(c.default) + ')' if c.kind == 'proof' else 'choice'}")
            if not what_if:
                raise LemmaError(what + ": a proof constant may be raised but not lowered; lowering it is a "
                                        "what-if (derive.what_if, eval --what-if), not a theorem")
            lowered.append(what)
        subs.update(values)
        concl = _subst(self.conclusion, subs)
        hyps = tuple((h, h.instantiate(subs)) for h in self.hypotheses) + tuple(domains)
        provides = tuple(_subst(p, subs) for p in self.provides)
        failure = _subst(self.failure, subs)
        return Instance(self, subs, concl, hyps, provides, failure, tuple(lowered))

    # -- printing ------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"lemmas.get({self.name!r})"

    def _latex(self, printer):
        return printer._print(self.conclusion)

    def _repr_latex_(self) -> str:
        from .printing import latex        # the house printer (lemmas/printing)
        return "$\\displaystyle %s$" % latex(self)

    def describe(self) -> str:
        lines = [f"{self.name}: {self.title}", f"  source: {self.source}"]
        for h in self.hypotheses:
            lines.append(f"  if {h.statement}")
        prob = "" if self.failure == 0 else f"with probability >= 1 - {sympy.sstr(self.failure)}, "
        lines.append(f"  then {prob}{sympy.sstr(self.conclusion)}")
        if self.what_if:
            lines.append(f"  WHAT-IF, NOT A THEOREM: {self.what_if}")
        if self.constants:
            lines.append("  constants: " + ", ".join(f"{c.name}={c.default} ({c.description}; {c.kind})"
                                                     for c in self.constants))
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class Instance:
    """A lemma with its parameters and constants substituted."""

    lemma: Lemma
    subs: dict
    conclusion: Any
    hypotheses: tuple   # (Hypothesis, instantiated condition or None)
    provides: tuple
    failure: Any = sympy.S.Zero     # the conclusion holds with probability >= 1 - failure
    what_if: tuple = ()             # why this instance is not a theorem (proof constants lowered)


# -- registry ----------------------------------------------------------------------------------
_REGISTRY: dict[str, Lemma] = {}


def register(lemma: Lemma) -> Lemma:
    """Add a lemma to the registry (names are unique) and return it."""
    if not isinstance(lemma, Lemma):
        raise LemmaError(f"register() takes a Lemma, got {type(lemma).__name__}")
    if lemma.what_if:
        raise LemmaError(f"lemma {lemma.name!r} is a what-if ({lemma.what_if}), not a theorem: it is never registered")
    old = _REGISTRY.get(lemma.name)
    if old is not None and old is not lemma:
        if _same(old, lemma):        # the same fact derived twice
            return old
        raise LemmaError(f"a lemma named {lemma.name!r} is already registered")
    _REGISTRY[lemma.name] = lemma
    return lemma


def _same(a: Lemma, b: Lemma) -> bool:
    return (a.conclusion == b.conclusion and a.source == b.source and a.params == b.params
            and a.hypotheses == b.hypotheses and a.constants == b.constants and a.wrong == b.wrong
            and a.failure == b.failure)


def lemma_family(naming, least: int = 1):
    """Decorator for a factory of lemmas indexed by an integer ``m >= least`` (m blocks, m terms, ...).

    The decorated function ``build(name, m) -> Lemma`` runs once per ``m``; its lemma is registered under
    ``naming(m)``, and later calls return the registered value.  A bad ``m`` raises :class:`LemmaError`.
    """
    import functools

    def wrap(build):
        @functools.wraps(build)
        def factory(m):
            if isinstance(m, bool) or not isinstance(m, int) or m < least:
                raise LemmaError(f"{build.__name__}(m): m must be an integer >= {least}, got {m!r}")
            name = naming(m)
            if name in _REGISTRY:
                return _REGISTRY[name]
            return register(build(name, m))
        return factory
    return wrap


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
