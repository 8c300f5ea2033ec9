"""The one composition mechanism: apply a lemma to the current bound.

A :class:`Derivation` holds ``lhs <= rhs`` (initially ``lhs <= lhs``).  Applying
a lemma instantiates it, checks each hypothesis three-valued (True discharges
it; False refuses the step with :class:`HypothesisRefused`; None records an
open :class:`Obligation`), and substitutes the lemma's right side for every
occurrence of its left side in the current bound.  An inequality may only be
substituted where the bound is nondecreasing in the replaced quantity; that
is itself checked three-valued.  A finished derivation is a lemma
(:meth:`Derivation.as_lemma`).

Examples
--------
>>> import lemmas
>>> from derive.engine import Derivation
>>> from lemmas.objects import RademacherComplexity, LossClass, FunctionClass, Tag
>>> from sympy import Symbol
>>> F = FunctionClass(Tag("toy"))
>>> n = Symbol("n", positive=True, integer=True)
>>> der = Derivation("toy", RademacherComplexity(LossClass(F), n))
>>> _ = der.apply("contraction", F=F, n=n)
>>> der.rhs
L_loss*RademacherComplexity(FunctionClass(toy), n)
>>> [o.hypothesis.name for o in der.obligations]
['loss-lipschitz', 'scalar-class']
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy
from sympy import Dummy

import lemmas
from lemmas.core import Hypothesis, Instance, Lemma, LemmaError, Source, truth

from .monotone import nondecreasing_in, nonnegative

__all__ = ["Composed", "Derivation", "Step", "Obligation", "DerivationError", "HypothesisRefused", "replace", "placeholder",
           "constants_used", "refuse_unused_constants"]


class DerivationError(ValueError):
    """A step that cannot be taken (the lemma does not apply to the current bound)."""


class HypothesisRefused(DerivationError):
    """A hypothesis of the applied lemma is false at the instantiated values."""

    def __init__(self, lemma: Lemma, hypothesis: Hypothesis, condition: Any, subs: Mapping):
        self.lemma, self.hypothesis, self.condition = lemma, hypothesis, condition
        vals = ", ".join(f"{k} = {v}" for k, v in subs.items() if not str(k).startswith("c_"))
        hint = f"; it would be discharged by lemma {hypothesis.discharged_by!r}" if hypothesis.discharged_by else ""
        super().__init__(
            f"lemma {lemma.name!r} refused: hypothesis {hypothesis.name!r} ({hypothesis.statement}) is false: "
            f"{sympy.sstr(condition)} with {vals}; source: {lemma.source}{hint}")


@dataclass(frozen=True)
class Obligation:
    """A hypothesis that was neither proved nor refused: carried to the end."""

    lemma: str
    hypothesis: Hypothesis
    condition: Any = None

    @property
    def statement(self) -> str:
        if self.condition is not None:
            return f"{self.hypothesis.statement}  [{sympy.sstr(self.condition)}]"
        return self.hypothesis.statement

    def __str__(self) -> str:
        return f"{self.statement} (from {self.lemma})"


@dataclass(frozen=True, eq=False)
class Step:
    """One application of a lemma: the bound before and after, and what was checked."""

    lemma: Lemma
    instance: Instance
    kind: str                 # "apply" or "establish"
    relation: str             # "<=" or "=" (how `after` relates to `before`)
    before: Any
    after: Any
    replaced: Any = None      # the subexpression the lemma bounded
    discharged: tuple = ()    # (Hypothesis, how)
    obligations: tuple = ()
    note: str = ""


@dataclass(eq=False)
class Derivation:
    """A chain ``lhs <= rhs`` built by applying lemmas.

    ``failure`` is the probability with which the chain may fail (0 while every step is a sure
    fact): a step whose lemma holds only with probability ``1 - delta`` sets it, and a second such
    step is refused unless a union-bound lemma combines the two (``apply(..., union=...)``).
    ``what_if`` marks a chain built with lowered proof constants (:meth:`Lemma.instantiate`): its
    result is not a theorem and :meth:`as_lemma` never registers it.  ``constants`` are chain-wide
    overrides of named constants: every lemma applied without its own ``constants=`` takes those it has.
    """

    name: str
    lhs: Any
    title: str = ""
    assume: frozenset = frozenset()   # hypothesis names taken as assumptions of the final result
    rhs: Any = None
    steps: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)   # fact atom -> lemma name that established it
    failure: Any = sympy.S.Zero
    what_if: bool = False
    what_if_reasons: list = field(default_factory=list)
    constants: dict = field(default_factory=dict)   # chain-wide overrides: each lemma takes its own

    def __post_init__(self):
        if self.rhs is None:
            self.rhs = self.lhs

    # -- checking ------------------------------------------------------------------------------
    def _check(self, inst: Instance) -> tuple[tuple, tuple]:
        discharged, open_ = [], []
        for hyp, cond in inst.hypotheses:
            if cond is None:
                open_.append(Obligation(inst.lemma.name, hyp, None))
                continue
            if cond in self.facts:
                discharged.append((hyp, f"by {self.facts[cond]}"))
                continue
            v = truth(cond, self.facts)
            if v is True:
                discharged.append((hyp, "by SymPy from the symbols' assumptions"))
            elif v is False:
                raise HypothesisRefused(inst.lemma, hyp, cond, inst.subs)
            else:
                open_.append(Obligation(inst.lemma.name, hyp, cond))
        return tuple(discharged), tuple(open_)

    @staticmethod
    def _resolve(lemma: Lemma | str) -> Lemma:
        return lemmas.get(lemma) if isinstance(lemma, str) else lemma

    def _instantiate(self, lem: Lemma, mapping, constants) -> Instance:
        if constants is None and self.constants:
            own = {c.name for c in lem.constants}
            constants = {k: v for k, v in self.constants.items() if k in own}
        try:
            inst = lem.instantiate(mapping, constants, what_if=self.what_if)
        except LemmaError as exc:
            raise DerivationError(str(exc)) from None
        if inst.what_if:
            self.what_if_reasons.extend(r for r in inst.what_if if r not in self.what_if_reasons)
        if lem.what_if:
            if not self.what_if:
                raise DerivationError(f"lemma {lem.name!r} is a what-if ({lem.what_if}), not a theorem: it can only "
                                      f"be used in a what-if derivation (Derivation(..., what_if=True))")
            if lem.what_if not in self.what_if_reasons:
                self.what_if_reasons.append(lem.what_if)
        return inst

    def _probability(self, inst: Instance, union: Lemma | str | None) -> tuple:
        """Account for a step that may fail: returns (new failure, discharged entries)."""
        if inst.failure == 0:
            if union is not None:
                raise DerivationError(f"lemma {inst.lemma.name!r} holds surely: there is nothing to union-bound")
            return self.failure, ()
        if self.failure == 0:
            if union is not None:
                raise DerivationError(f"the chain holds surely so far: applying {inst.lemma.name!r} needs no union "
                                      f"bound")
            return inst.failure, ()
        if union is None:
            raise DerivationError(
                f"lemma {inst.lemma.name!r} holds with probability >= 1 - {sympy.sstr(inst.failure)}, and the chain "
                f"already holds only with probability >= 1 - {sympy.sstr(self.failure)}: two high-probability "
                f"statements combine only through a union bound (apply(..., union='union-bound'), which splits delta)")
        ub = self._resolve(union)
        if ub.family != "probability" or not ub.name.startswith("union-bound"):
            raise DerivationError(f"lemma {ub.name!r} is not a union bound (family 'probability')")
        names = [p_.name for p_ in ub.params]
        ub_inst = self._instantiate(ub, dict(zip(names, (self.failure, inst.failure))), None)
        _, open_ = self._check(ub_inst)
        if open_:
            raise DerivationError(f"the union bound {ub.name!r} does not apply: {[str(o) for o in open_]}")
        return ub_inst.conclusion.rhs, ((Hypothesis("union-bound", "the failure probabilities add up"), f"by {ub.name}"),)

    # -- the two moves -------------------------------------------------------------------------
    def establish(self, lemma: Lemma | str, constants: Mapping | None = None, **mapping) -> "Derivation":
        """Check a lemma's hypotheses and record the facts it provides (the bound is unchanged)."""
        lem = self._resolve(lemma)
        inst = self._instantiate(lem, mapping, constants)
        if inst.failure != 0:
            raise DerivationError(f"lemma {lem.name!r} holds only with probability >= 1 - {sympy.sstr(inst.failure)}: "
                                  f"its facts cannot be established as sure facts")
        discharged, open_ = self._check(inst)
        for atom in inst.provides:
            self.facts[atom] = lem.name
        self.steps.append(Step(lem, inst, "establish", "=", self.rhs, self.rhs, None, discharged, open_,
                               note="establishes " + ", ".join(sympy.sstr(a) for a in inst.provides)))
        return self

    def apply(self, lemma: Lemma | str, constants: Mapping | None = None, union: Lemma | str | None = None,
              **mapping) -> "Derivation":
        """Substitute the lemma's conclusion into the current bound.

        The lemma's left side (right side for ``>=``) must occur in the current bound, as a
        subexpression or as a sub-sum / sub-product of it; otherwise the step is refused.  An upper
        bound may only be substituted where the bound is nondecreasing in the replaced quantity
        (decided on a placeholder that carries the quantity's sign): a nonincreasing context is
        refused, an undecided one becomes an open obligation.
        """
        lem = self._resolve(lemma)
        inst = self._instantiate(lem, mapping, constants)
        concl = inst.conclusion
        if not isinstance(concl, sympy.core.relational.Relational):
            raise DerivationError(f"lemma {lem.name!r} instantiates to {concl}: nothing to substitute")
        op = concl.rel_op
        if op in ("<=", "<"):
            pattern, replacement, relation = concl.lhs, concl.rhs, "<="
        elif op in (">=", ">"):
            pattern, replacement, relation = concl.rhs, concl.lhs, "<="
        elif op == "==":
            pattern, replacement, relation = concl.lhs, concl.rhs, "="
        else:
            raise DerivationError(f"lemma {lem.name!r}: cannot substitute a {op!r} conclusion")
        after, count = replace(self.rhs, pattern, replacement)
        if count == 0:
            raise DerivationError(
                f"lemma {lem.name!r} does not apply: its left side {sympy.sstr(pattern)} does not occur in the "
                f"current bound {sympy.sstr(self.rhs)} (as a subexpression, a sub-sum or a sub-product)"
                + _lookalike(self.rhs, pattern))
        discharged, open_ = self._check(inst)
        if relation == "<=":
            z = placeholder(pattern)
            context, _ = replace(self.rhs, pattern, z)
            mono = nondecreasing_in(context, z)
            hyp = Hypothesis("monotone-context", f"the bound is nondecreasing in {sympy.sstr(pattern)}")
            if mono is False:
                raise DerivationError(
                    f"lemma {lem.name!r} refused: the current bound {sympy.sstr(self.rhs)} is nonincreasing in "
                    f"{sympy.sstr(pattern)} (a {_sign_words(z)} quantity), so an upper bound on it cannot be "
                    f"substituted; source: {lem.source}")
            if mono is None:
                open_ = open_ + (Obligation(lem.name, hyp, None),)
            else:
                discharged = discharged + ((hyp, "by the structural monotonicity check"),)
        failure, extra = self._probability(inst, union)
        before, self.rhs, self.failure = self.rhs, after, failure
        self.steps.append(Step(lem, inst, "apply", relation, before, after, pattern, discharged + extra, open_))
        return self

    def union_over_grid(self, lemma: Lemma | str = "union-bound-grid", **mapping) -> "Derivation":
        """Turn the statement of one cell of a grid fixed in advance into one for every cell simultaneously.

        The chain must currently fail with probability ``delta * p`` (the cell's share); the grid lemma's
        hypotheses (the weights sum to at most 1, ...) are checked, and the failure probability becomes
        the lemma's bound ``delta * W``.  The bound itself is unchanged: it now holds for every cell (every
        value of the cell's free indices) at once.
        """
        lem = self._resolve(lemma)
        if lem.family != "probability" or not lem.name.startswith("union-bound-grid"):
            raise DerivationError(f"lemma {lem.name!r} is not a union bound over a grid (family 'probability')")
        inst = self._instantiate(lem, mapping, None)
        delta_, p_, _W = (inst.subs[s] for s in lem.params)
        if sympy.expand(self.failure - delta_ * p_) != 0:
            raise DerivationError(
                f"the chain fails with probability {sympy.sstr(self.failure)}, not delta * p = {sympy.sstr(delta_ * p_)}: "
                f"a grid union needs each cell's statement at its share of delta")
        discharged, open_ = self._check(inst)
        self.failure = inst.conclusion.rhs.doit() if inst.conclusion.rhs.has(sympy.Sum) else inst.conclusion.rhs
        self.steps.append(Step(lem, inst, "union", "=", self.rhs, self.rhs, None, discharged, open_,
                               note=f"for every cell of the grid at once: failure <= {sympy.sstr(self.failure)}"))
        return self

    # -- results -------------------------------------------------------------------------------
    @property
    def obligations(self) -> tuple:
        """Open obligations, one per hypothesis (the lemmas that raised it joined in ``lemma``)."""
        merged: dict = {}
        for s in self.steps:
            for o in s.obligations:
                if o.hypothesis.name in self.assume:
                    continue
                key = (o.hypothesis.name, o.hypothesis.statement.split(" (from ")[0], o.condition)
                if key in merged:
                    prev = merged[key]
                    if o.lemma not in prev.lemma.split(", "):
                        merged[key] = Obligation(prev.lemma + ", " + o.lemma, prev.hypothesis, prev.condition)
                else:
                    merged[key] = o
        return tuple(merged.values())

    @property
    def relation(self) -> str:
        return "<=" if any(s.relation == "<=" for s in self.steps) else "="

    @property
    def conclusion(self):
        return sympy.Le(self.lhs, self.rhs, evaluate=False) if self.relation == "<=" else \
            sympy.Eq(self.lhs, self.rhs, evaluate=False)

    def as_lemma(self, name: str, title: str = "", citation: str = "composition in rankbound",
                 register: bool = True, example: dict | None = None, family: str = "derived",
                 constants: tuple = (), variant_of: str = "") -> Lemma:
        """The derivation as a lemma: open obligations become its hypotheses.

        Its source is ``derived`` from ``citation``, with the chain of lemmas as the derivation; it
        holds with probability at least ``1 - failure``.  A what-if derivation gives a lemma marked
        as a what-if, which is never registered.
        """
        chain = ", then ".join(f"{s.lemma.name}" for s in self.steps)
        src = Source(citation, kind="derived", derivation="by " + chain)
        hyps = tuple(Hypothesis(o.hypothesis.name, o.hypothesis.statement, o.condition,
                                discharged_by=o.lemma) for o in self.obligations)
        concl = self.conclusion
        free = sorted(concl.free_symbols | _free(self.failure), key=str)     # integration variables are not free
        from lemmas.objects import Tag
        params = tuple(s for s in free if not isinstance(s, Tag))
        what_if = "; ".join(self.what_if_reasons) if self.what_if else ""
        if what_if:
            title = "WHAT-IF, NOT A THEOREM: " + (title or self.title)
            register = False
        lem = Lemma(name=name, title=title or self.title, params=params, hypotheses=hyps, conclusion=concl,
                    source=src, family=family, example=dict(example or {}), constants=constants,
                    provides=tuple(self.facts), variant_of=variant_of, failure=self.failure, composed=True,
                    what_if=what_if)
        return lemmas.register(lem) if register else lem

    def _repr_latex_(self) -> str:
        from .latex import latex           # the house printer: an aligned chain
        return "$\\displaystyle %s$" % latex(self)

    def describe(self) -> str:
        lines = [f"{self.name}: {sympy.sstr(self.lhs)}"]
        for i, s in enumerate(self.steps, 1):
            if s.kind in ("establish", "union"):
                lines.append(f"  ({i}) {s.kind} {s.lemma.name}: {s.note}")
            else:
                lines.append(f"  ({i}) {s.relation} {sympy.sstr(s.after)}   [by {s.lemma.name}]")
        return "\n".join(lines)


class Composed:
    """What a composed result (a theorem, a tightened chain, a post-hoc theorem) reads off the derivation and the
    lemma it holds: subclasses have ``derivation`` and ``lemma`` attributes."""

    @property
    def bound(self):
        return self.derivation.rhs

    @property
    def obligations(self) -> tuple:
        return self.derivation.obligations

    @property
    def failure(self):
        """The bound holds with probability at least 1 - failure (over the sample)."""
        return self.lemma.failure

    @property
    def what_if(self) -> str:
        """Non-empty when proof constants were lowered: NOT a theorem (it says why)."""
        return self.lemma.what_if

    @property
    def is_theorem(self) -> bool:
        return not self.what_if


def constants_used(*derivations: Derivation) -> dict:
    """The named constants of the derivations' lemmas with the values their steps used (name -> value).

    A constant that two steps used with different values raises :class:`DerivationError`.
    """
    out: dict = {}
    for der in derivations:
        for s in der.steps:
            for const in s.lemma.constants:
                val = s.instance.subs.get(const.symbol, const.default)
                if const.name in out and out[const.name] != val:
                    raise DerivationError(f"constant {const.name} takes two values in the chain: {out[const.name]} "
                                          f"and {val}")
                out[const.name] = val
    return out


def refuse_unused_constants(constants: Mapping, *derivations: Derivation) -> None:
    """Refuse chain-wide overrides of constants that no step of ``derivations`` has.

    A :class:`Derivation` hands each lemma the overrides it has and no other, so an override of a constant
    the chain never uses would be dropped without a word, and the caller would read a bound it did not ask for.
    """
    used = constants_used(*derivations)
    unused = sorted(set(constants) - set(used))
    if unused:
        raise DerivationError(f"constants {unused} are not constants of this chain: no step uses them (its constants: "
                              f"{', '.join(sorted(used))})")


def _lookalike(expr, pattern) -> str:
    """A hint when a subexpression prints like ``pattern`` but is another object (say, a symbol with other
    assumptions, or a Tag where a Norm is meant)."""
    text = sympy.sstr(pattern)
    for node in sympy.preorder_traversal(expr):
        if node != pattern and sympy.sstr(node) == text:
            return (f"; a subexpression prints the same but is another object: {sympy.srepr(node)} in the bound, "
                    f"{sympy.srepr(pattern)} in the lemma (symbols with other assumptions, or a Tag where a Norm is "
                    f"meant?)")
    return ""


def _free(expr) -> set:
    return expr.free_symbols if isinstance(expr, sympy.Basic) else set()


def placeholder(pattern) -> Dummy:
    """A symbol standing for ``pattern`` in the monotonicity check, with the sign ``pattern`` is known to have."""
    if pattern.is_extended_positive:          # a quantity that may be +oo is covered by the limit z -> oo
        return Dummy("z", positive=True)
    if pattern.is_extended_nonnegative or nonnegative(pattern) is True:
        return Dummy("z", nonnegative=True)
    if pattern.is_extended_real:
        return Dummy("z", real=True)
    return Dummy("z")


def _sign_words(z) -> str:
    return "positive" if z.is_positive else "nonnegative" if z.is_nonnegative else \
        "real" if z.is_real else "possibly complex"


def replace(expr, pattern, replacement) -> tuple:
    """Replace every occurrence of ``pattern`` in ``expr``: as a subexpression, or as a sub-sum (sub-product)
    of a larger sum (product).  Returns ``(new expression, number of occurrences replaced)``."""
    count = 0
    p_args = None
    if isinstance(pattern, (sympy.Add, sympy.Mul)):
        p_args = Counter(pattern.args)

    def walk(node):
        nonlocal count
        if node == pattern:
            count += 1
            return replacement
        if not node.args or isinstance(node, sympy.Symbol):
            return node
        if p_args is not None and type(node) is type(pattern) and len(node.args) > len(pattern.args):
            have = Counter(node.args)
            if all(have[a] >= m for a, m in p_args.items()):
                count += 1
                others = [walk(a) for a in (have - p_args).elements()]
                return type(node)(replacement, *others)
        new_args = [walk(a) for a in node.args]
        if all(a is b for a, b in zip(new_args, node.args)):
            return node
        return node.func(*new_args)

    return walk(expr), count

