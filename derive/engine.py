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

from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy
from sympy import Dummy

import lemmas
from lemmas.core import Hypothesis, Instance, Lemma, LemmaError, Source, truth

from .monotone import nondecreasing_in

__all__ = ["Derivation", "Step", "Obligation", "DerivationError", "HypothesisRefused"]


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
    """A chain ``lhs <= rhs`` built by applying lemmas."""

    name: str
    lhs: Any
    title: str = ""
    assume: frozenset = frozenset()   # hypothesis names taken as assumptions of the final result
    rhs: Any = None
    steps: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)   # fact atom -> lemma name that established it

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

    # -- the two moves -------------------------------------------------------------------------
    def establish(self, lemma: Lemma | str, constants: Mapping | None = None, **mapping) -> "Derivation":
        """Check a lemma's hypotheses and record the facts it provides (the bound is unchanged)."""
        lem = self._resolve(lemma)
        inst = lem.instantiate(mapping, constants)
        discharged, open_ = self._check(inst)
        for atom in inst.provides:
            self.facts[atom] = lem.name
        self.steps.append(Step(lem, inst, "establish", "=", self.rhs, self.rhs, None, discharged, open_,
                               note="establishes " + ", ".join(sympy.sstr(a) for a in inst.provides)))
        return self

    def apply(self, lemma: Lemma | str, constants: Mapping | None = None, **mapping) -> "Derivation":
        """Substitute the lemma's conclusion into the current bound."""
        lem = self._resolve(lemma)
        try:
            inst = lem.instantiate(mapping, constants)
        except LemmaError as exc:
            raise DerivationError(str(exc)) from None
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
        if not self.rhs.has(pattern):
            raise DerivationError(
                f"lemma {lem.name!r} does not apply: its left side {sympy.sstr(pattern)} does not occur in the "
                f"current bound {sympy.sstr(self.rhs)}")
        discharged, open_ = self._check(inst)
        if relation == "<=":
            z = Dummy("z", nonnegative=True)
            mono = nondecreasing_in(self.rhs.xreplace({pattern: z}), z)
            if mono is False:
                raise DerivationError(
                    f"lemma {lem.name!r} refused: the current bound decreases in {sympy.sstr(pattern)}, so an upper "
                    f"bound on it cannot be substituted")
            if mono is None:
                open_ = open_ + (Obligation(lem.name, Hypothesis(
                    "monotone-context", f"the bound is nondecreasing in {sympy.sstr(pattern)}"), None),)
            else:
                discharged = discharged + ((Hypothesis(
                    "monotone-context", f"the bound is nondecreasing in {sympy.sstr(pattern)}"),
                    "by the structural monotonicity check"),)
        before = self.rhs
        self.rhs = before.xreplace({pattern: replacement})
        self.steps.append(Step(lem, inst, "apply", relation, before, self.rhs, pattern, discharged, open_))
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

        Its source is ``derived`` from ``citation``, with the chain of lemmas as the derivation.
        """
        chain = ", then ".join(f"{s.lemma.name}" for s in self.steps)
        src = Source(citation, kind="derived", derivation="by " + chain)
        hyps = tuple(Hypothesis(o.hypothesis.name, o.hypothesis.statement, o.condition,
                                discharged_by=o.lemma) for o in self.obligations)
        concl = self.conclusion
        free = sorted(concl.free_symbols - _bound_symbols(concl), key=str)
        from lemmas.objects import Tag
        params = tuple(s for s in free if not isinstance(s, Tag))
        lem = Lemma(name=name, title=title or self.title, params=params, hypotheses=hyps, conclusion=concl,
                    source=src, family=family, example=dict(example or {}), constants=constants,
                    provides=tuple(self.facts), variant_of=variant_of)
        return lemmas.register(lem) if register else lem

    def _repr_latex_(self) -> str:
        from .latex import latex           # the house printer: an aligned chain
        return "$\\displaystyle %s$" % latex(self)

    def describe(self) -> str:
        lines = [f"{self.name}: {sympy.sstr(self.lhs)}"]
        for i, s in enumerate(self.steps, 1):
            if s.kind == "establish":
                lines.append(f"  ({i}) establish {s.lemma.name}: {s.note}")
            else:
                lines.append(f"  ({i}) {s.relation} {sympy.sstr(s.after)}   [by {s.lemma.name}]")
        return "\n".join(lines)


def _bound_symbols(expr) -> set:
    out = set()
    for integ in expr.atoms(sympy.Integral):
        out |= {lim[0] for lim in integ.limits}
    return out
