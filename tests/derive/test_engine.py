"""The derivation engine: three-valued hypotheses, obligations, refusals, monotonicity, as_lemma."""

from __future__ import annotations

import pytest
import sympy
from sympy import Rational, Symbol, log

import lemmas
from derive import Derivation, DerivationError, HypothesisRefused
from lemmas.core import Hypothesis, Lemma, LemmaError, Source, truth
from lemmas.covering import lowrank_sphere
from lemmas.objects import (NORMS, CoveringNumber, FunctionClass, GeneralisationGap, LossClass,
                            RademacherComplexity, Tag)

F = FunctionClass(Tag("toy"))
n = Symbol("n", positive=True, integer=True)


def sphere_derivation(n1=3, n2=2, r=1, eps=Rational(1, 2)):
    return Derivation("sphere", log(CoveringNumber(lowrank_sphere(n1, n2, r), eps, NORMS["fro"], 1)))


def test_false_hypothesis_refuses_the_step_naming_lemma_hypothesis_and_value():
    der = sphere_derivation(eps=2)
    with pytest.raises(HypothesisRefused) as info:
        der.apply("low-rank-net-sphere", n_1=3, n_2=2, r=1, epsilon=2)
    msg = str(info.value)
    assert "low-rank-net-sphere" in msg and "eps-at-most-1" in msg and "epsilon = 2" in msg
    assert "Candes" in msg                       # the lemma's source is named
    assert info.value.lemma is lemmas.get("low-rank-net-sphere")
    assert der.steps == [] and der.rhs == der.lhs      # nothing was applied


def test_delta_outside_unit_interval_refused():
    der = Derivation("gen", GeneralisationGap(F, n))
    with pytest.raises(HypothesisRefused) as info:
        der.apply("rademacher-generalisation", F=F, n=n, c=1, delta=Rational(3, 2))
    msg = str(info.value)
    assert "rademacher-generalisation" in msg and "delta-below-1" in msg and "3/2" in msg


def test_true_hypothesis_is_discharged_and_bound_replaced():
    der = sphere_derivation()
    der.apply("low-rank-net-sphere", n_1=3, n_2=2, r=1, epsilon=Rational(1, 2))
    step = der.steps[-1]
    assert [h.name for h, _ in step.discharged][0] == "eps-at-most-1"
    assert der.obligations == ()
    # the new bound is the lemma's right side at these values: (3 + 2 + 1) * 1 * log(9 / (1/2))
    assert sympy.simplify(der.rhs - 6 * log(18)) == 0
    assert der.relation == "<="


def test_unknown_hypothesis_records_an_obligation():
    eps = Symbol("e", positive=True)
    der = sphere_derivation(eps=eps)
    der.apply("low-rank-net-sphere", n_1=3, n_2=2, r=1, epsilon=eps)
    names = [o.hypothesis.name for o in der.obligations]
    assert names == ["eps-at-most-1"]
    assert der.obligations[0].condition == sympy.Le(eps, 1, evaluate=False)
    assert "low-rank-net-sphere" in str(der.obligations[0])


def test_modelling_assumptions_are_obligations_never_truths():
    der = Derivation("toy", RademacherComplexity(LossClass(F), n))
    der.apply("contraction", F=F, n=n)
    assert {o.hypothesis.name for o in der.obligations} == {"loss-lipschitz", "scalar-class"}
    assumed = Derivation("toy", RademacherComplexity(LossClass(F), n), assume=frozenset({"scalar-class"}))
    assumed.apply("contraction", F=F, n=n)
    assert [o.hypothesis.name for o in assumed.obligations] == ["loss-lipschitz"]


def test_absent_left_side_raises():
    der = Derivation("toy", GeneralisationGap(F, n))
    with pytest.raises(DerivationError, match="does not apply"):
        der.apply("contraction", F=F, n=n)


def test_upper_bound_in_decreasing_context_is_refused():
    R = RademacherComplexity(LossClass(F), n)
    for lhs in (1 - R, 1 / (1 + R), -3 * R):
        der = Derivation("dec", lhs)
        with pytest.raises(DerivationError, match="nonincreasing"):
            der.apply("contraction", F=F, n=n)


def test_unknown_monotonicity_is_an_obligation():
    R = RademacherComplexity(LossClass(F), n)
    der = Derivation("sin", sympy.sin(R))
    der.apply("contraction", F=F, n=n)
    assert "monotone-context" in [o.hypothesis.name for o in der.obligations]


def test_facts_discharge_hypotheses():
    """transformer-output-bound establishes OutputBound(F_Theta, B_f), which discharges Dudley's
    output-bounded hypothesis; without it the hypothesis stays open."""
    from lemmas.attention import transformer_class
    from lemmas.symbols import B_f
    Fth = transformer_class()
    start = RademacherComplexity(Fth, n)
    bare = Derivation("bare", start)
    bare.apply("dudley", F=Fth, n=n, alpha=0, b=B_f)
    assert "output-bounded" in [o.hypothesis.name for o in bare.obligations]
    der = Derivation("with-fact", start)
    der.establish("transformer-output-bound")
    der.apply("dudley", F=Fth, n=n, alpha=0, b=B_f)
    assert "output-bounded" not in [o.hypothesis.name for o in der.obligations]
    assert any(h.name == "output-bounded" and "transformer-output-bound" in how
               for h, how in der.steps[-1].discharged)


def test_finished_derivation_is_a_lemma_with_open_obligations_as_hypotheses():
    eps = Symbol("e", positive=True)
    der = sphere_derivation(eps=eps)
    der.apply("low-rank-net-sphere", n_1=3, n_2=2, r=1, epsilon=eps)
    lem = der.as_lemma("test-sphere-derived", register=False)
    assert isinstance(lem, Lemma)
    assert [h.name for h in lem.hypotheses] == [o.hypothesis.name for o in der.obligations] == ["eps-at-most-1"]
    assert lem.conclusion == sympy.Le(der.lhs, der.rhs, evaluate=False)
    assert lem.source.kind == "derived" and "low-rank-net-sphere" in lem.source.derivation
    assert eps in lem.params
    # it composes: apply the derived lemma in a new derivation (its hypothesis is open there too)
    der2 = sphere_derivation(eps=eps)
    der2.apply(lem)
    assert der2.rhs == der.rhs and [o.hypothesis.name for o in der2.obligations] == ["eps-at-most-1"]


def test_unknown_parameter_or_constant_raises():
    der = sphere_derivation()
    with pytest.raises(DerivationError):
        der.apply("low-rank-net-sphere", no_such_param=1)
    with pytest.raises(DerivationError):
        der.apply("low-rank-net-sphere", constants={"c_nope": 3}, n_1=3, n_2=2, r=1, epsilon=Rational(1, 2))


def test_constants_are_overridable_per_application():
    """A proof constant may be raised (a weaker, valid step); lowering it is refused, or a what-if."""
    der = sphere_derivation()
    der.apply("low-rank-net-sphere", constants={"c_net": 18}, n_1=3, n_2=2, r=1, epsilon=Rational(1, 2))
    assert sympy.simplify(der.rhs - 6 * log(36)) == 0
    with pytest.raises(DerivationError, match="below 9, the value it is proved for"):
        sphere_derivation().apply("low-rank-net-sphere", constants={"c_net": 4}, n_1=3, n_2=2, r=1,
                                  epsilon=Rational(1, 2))
    wi = sphere_derivation()
    wi.what_if = True
    wi.apply("low-rank-net-sphere", constants={"c_net": 4}, n_1=3, n_2=2, r=1, epsilon=Rational(1, 2))
    assert sympy.simplify(wi.rhs - 6 * log(8)) == 0
    assert wi.what_if_reasons and "c_net = 4" in wi.what_if_reasons[0]
    lem = wi.as_lemma("sphere-what-if")
    assert lem.what_if and lem.title.startswith("WHAT-IF, NOT A THEOREM") and "sphere-what-if" not in lemmas.names()


def test_truth_is_three_valued():
    x = Symbol("x", positive=True)
    y = Symbol("y", real=True)
    assert truth(sympy.Le(x, 2 * x)) is True
    assert truth(sympy.Lt(Rational(3, 2), 1, evaluate=False)) is False
    assert truth(sympy.Le(y, 1, evaluate=False)) is None
    assert truth(sympy.And(sympy.Le(x, 2 * x), sympy.Le(y, 1))) is None
    assert truth(sympy.Or(sympy.Le(x, 2 * x), sympy.Le(y, 1))) is True
    assert truth(sympy.Le(y, 1), facts={sympy.Le(y, 1)}) is True


def test_registry_rejects_duplicates_and_bad_sources():
    with pytest.raises(LemmaError):
        lemmas.register(Lemma(name="contraction", title="dup", params=(), hypotheses=(),
                              conclusion=sympy.Le(n, 2 * n), source=Source("x")))
    with pytest.raises(LemmaError):
        Source("x", kind="folklore")
    with pytest.raises(LemmaError):
        Source("x", kind="derived")          # a derived lemma must say how
    with pytest.raises(LemmaError):
        Lemma(name="stray", title="", params=(), hypotheses=(), conclusion=sympy.Le(n, Symbol("q")),
              source=Source("x"))


def test_equality_lemma_instantiates_at_numbers_without_deciding_it():
    """Regression: instantiating an Eq conclusion with numbers used to make SymPy decide the equality by
    quadrature through evalf (it ran for minutes for logplus-sqrt-integral at D=2, C=1/4, U=1)."""
    import time
    import derive
    derive.register_derived()
    lem = lemmas.get("logplus-sqrt-integral")
    t0 = time.perf_counter()
    inst = lem.instantiate(dict(D=2, C=Rational(1, 4), U=1))
    assert time.perf_counter() - t0 < 5
    assert isinstance(inst.conclusion, sympy.Eq)
    # C <= U: the closed form is sqrt(D) C sqrt(pi)/2 (MATH.md section 5)
    assert sympy.simplify(inst.conclusion.rhs - sympy.sqrt(2) * Rational(1, 4) * sympy.sqrt(sympy.pi) / 2) == 0
    der = Derivation("num", inst.conclusion.lhs)
    der.apply(lem, D=2, C=Rational(1, 4), U=1)
    assert der.relation == "=" and sympy.simplify(der.rhs - inst.conclusion.rhs) == 0
