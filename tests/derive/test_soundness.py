"""A proof checker is judged by what it refuses.

For each class of invalid step found by using the public API as a new user would (issue 11), a
deliberately invalid derivation that must be refused (or carried as an explicit obligation that
names the problem, where it cannot be decided), and its valid twin, which must pass.  The last
tests make the engine itself unsound on purpose (unknown treated as true, no monotonicity check,
no parameter domains) and check that the cases above notice.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy
from sympy import Rational, Symbol, log, sqrt

import derive
import derive.engine as engine
import lemmas
import numeric
from derive import Derivation, DerivationError, HypothesisRefused
from derive.claims import claims_of
from derive.prior import prior as rebuilt_prior
from lemmas import Hypothesis, Lemma, LemmaError, Source
from lemmas.objects import (Distance, FunctionClass, GeneralisationGap, LipschitzInParameters, OutputBound,
                            RademacherComplexity, SupNorm, Tag)
from lemmas.symbols import T, delta, n, r_w

ROOT = Path(__file__).resolve().parents[2]
x, y, zz = sympy.symbols("x y z", positive=True)
u = Symbol("u", real=True)


def toy(name, lhs, rhs, params, hypotheses=(), **kw):
    """A lemma built through the public API (not registered)."""
    return Lemma(name=name, title=name, params=params, hypotheses=hypotheses, conclusion=sympy.Le(lhs, rhs),
                 source=Source("test", kind="derived", derivation="a test lemma"), **kw)


# -- 1. parameter domains --------------------------------------------------------------------------------------

def net_derivation(B, r=2, eps=Rational(1, 2)):
    from lemmas.covering import lowrank_ball
    from lemmas.objects import CoveringNumber, NORMS
    start = log(CoveringNumber(lowrank_ball(4, 3, r, B), eps, NORMS["fro"], 1))
    return Derivation("net", start), dict(n_1=4, n_2=3, r=r, B=B, epsilon=eps)


@pytest.mark.parametrize("B,r", [(-2, 2), (0, 2), (2, Rational(3, 2)), (2, 0), (2, -1)])
def test_a_value_outside_a_parameter_domain_is_refused(B, r):
    der, m = net_derivation(B, r)
    with pytest.raises(HypothesisRefused, match="domain-of-"):
        der.apply("low-rank-net-ball", **m)


def test_a_value_inside_the_domains_passes():
    der, m = net_derivation(2, 2)
    der.apply("low-rank-net-ball", **m)
    assert der.rhs == (4 + 3 + 1) * 2 * lemmas.logplus(36)
    assert not [o for o in der.obligations if o.hypothesis.name.startswith("domain-of-")]


def test_a_value_of_unknown_sign_is_an_obligation_naming_the_domain():
    der, m = net_derivation(u, 2)
    der.apply("low-rank-net-ball", **m)
    names = [o.hypothesis.name for o in der.obligations]
    assert "domain-of-B" in names
    (ob,) = [o for o in der.obligations if o.hypothesis.name == "domain-of-B"]
    assert "positive" in ob.statement and "u" in ob.statement


def test_the_closed_form_integral_is_refused_at_a_negative_C():
    lem = derive.logplus_integral()
    D, C, U = lem.params
    eps = lemmas.symbols.eps
    bad = sympy.Integral(sqrt(3 * lemmas.logplus(-1 / eps)), (eps, 0, 1))
    with pytest.raises(HypothesisRefused, match="domain-of-C"):
        Derivation("neg", bad).apply(lem, D=3, C=-1, U=1)
    good = sympy.Integral(sqrt(3 * lemmas.logplus(2 / eps)), (eps, 0, 1))
    Derivation("pos", good).apply(lem, D=3, C=2, U=1)


def test_lemma_instantiate_records_the_domain_hypotheses():
    inst = lemmas.get("volumetric-net").instantiate({"k": Rational(5, 2), "R": 1})
    conds = {h.name: c for h, c in inst.hypotheses}
    assert lemmas.truth(conds["domain-of-k"]) is False
    assert lemmas.truth(conds["domain-of-R"]) is True


# -- 2. a step that claims to apply and changes nothing ---------------------------------------------------------

SUM_LEMMA = toy("sum-bound", x + y, 2 * x, (x, y), (Hypothesis("y-le-x", "y <= x", sympy.Le(y, x)),))


def test_a_sub_sum_is_substituted_not_skipped():
    der = Derivation("sub-sum", x + y + zz)
    der.apply(SUM_LEMMA)
    assert der.rhs == 2 * x + zz
    step = der.steps[-1]
    assert step.after != step.before


def test_a_sub_product_is_substituted():
    lem = Lemma(name="prod", title="prod", params=(x, y), hypotheses=(), conclusion=sympy.Le(x * y, x + y),
                source=Source("test", kind="derived", derivation="AM-GM-ish test lemma (only shape matters)"))
    der = Derivation("sub-product", 3 * x * y * zz)
    der.apply(lem)
    assert der.rhs == 3 * zz * (x + y)


def test_a_pattern_that_does_not_occur_is_refused():
    der = Derivation("absent", x + 2 * y)
    with pytest.raises(DerivationError, match="does not occur"):
        der.apply(SUM_LEMMA)
    assert not der.steps


def test_a_symbol_free_beside_an_integral_over_it_stays_a_parameter_of_the_composed_lemma():
    """x + int_0^1 sqrt(x) dx is free in x: the composed lemma must keep x as a parameter (only the
    integration variable inside the integral is bound)."""
    lem = toy("free-and-bound", y, x + sympy.Integral(sqrt(x), (x, 0, 1)), (x, y))
    der = Derivation("mixed", 3 * y)            # 3 y <= 3 (x + int_0^1 sqrt(x) dx)
    der.apply(lem)
    composed = der.as_lemma("mixed-composed", register=False)
    assert set(composed.params) == {x, y}


def test_every_recorded_step_of_the_theorem_changed_the_bound():
    th = derive.theorem()
    for der in (th.covering, th.derivation):
        for s in der.steps:
            if s.kind == "apply":
                assert s.after != s.before, s.lemma.name


# -- 3. monotonicity on a placeholder with the replaced quantity's sign ----------------------------------------

@pytest.mark.parametrize("context", [lambda q: 1 / q, lambda q: 1 / (1 + q), lambda q: -sqrt(q), lambda q: 5 / (1 + q ** 2),
                                     lambda q: sympy.erfc(q), lambda q: log(1 / q)])
def test_an_upper_bound_in_a_decreasing_context_is_refused(context):
    der = Derivation("dec", context(x + y))
    with pytest.raises(DerivationError, match="nonincreasing"):
        der.apply(SUM_LEMMA)


@pytest.mark.parametrize("context", [lambda q: q, lambda q: sqrt(q), lambda q: 3 * q ** 2 + 1, lambda q: log(q),
                                     lambda q: lemmas.logplus(q * zz), lambda q: sympy.exp(q) * q])
def test_an_upper_bound_in_an_increasing_context_passes(context):
    der = Derivation("inc", context(x + y))
    der.apply(SUM_LEMMA)
    assert "monotone-context" in [h.name for h, _ in der.steps[-1].discharged]


def test_an_undecided_context_is_an_obligation():
    der = Derivation("sin", sympy.sin(x + y))
    der.apply(SUM_LEMMA)
    assert "monotone-context" in [o.hypothesis.name for o in der.obligations]


def test_a_function_declares_its_own_monotonicity():
    class dropping(sympy.Function):
        monotonicity = (-1,)

    class rising(sympy.Function):
        monotonicity = (1,)

    with pytest.raises(DerivationError, match="nonincreasing"):
        Derivation("own", dropping(x + y)).apply(SUM_LEMMA)
    der = Derivation("own", rising(x + y))
    der.apply(SUM_LEMMA)
    assert not der.obligations or "monotone-context" not in [o.hypothesis.name for o in der.obligations]


# -- 4. proof constants may be raised, not lowered; what-ifs say so --------------------------------------------

@pytest.mark.parametrize("consts", [{"c_net": 4}, {"c_dudley": 1}, {"c_vol": 2}, {"c_sm": 1}, {"c_split": 2},
                                    {"c_conf": 1}, {"c_rad": 1}, {"c_alpha": 1}])
def test_lowering_a_proof_constant_is_not_a_theorem(consts):
    with pytest.raises(DerivationError, match="may be raised but not lowered"):
        derive.theorem(constants=consts)
    with pytest.raises(numeric.UsageError, match="may be raised but not lowered"):
        numeric.evaluate(dps=15, constants=consts)
    w = derive.what_if(constants=consts)
    assert not w.is_theorem and w.lemma.what_if and w.lemma.name not in lemmas.names()
    assert "NOT A THEOREM" in w.lemma.describe() and "NOT A THEOREM" in w.lemma.title
    ev = numeric.evaluate(dps=15, constants=consts, what_if=True)
    assert ev.to_json()["theorem"] is False and ev.to_json()["status"].startswith("what-if, not a theorem")


@pytest.mark.parametrize("consts", [{"c_net": 10}, {"c_dudley": 13}, {"c_sm": 3}, {"c_conf": 4}])
def test_raising_a_proof_constant_is_a_weaker_theorem(consts):
    th = derive.theorem(constants=consts)
    assert th.is_theorem and not th.lemma.what_if
    assert numeric.evaluate(dps=20, constants=consts).value > numeric.evaluate(dps=20).value


def test_the_sharp_softmax_constant_comes_from_its_own_lemma():
    with pytest.raises(DerivationError):
        derive.theorem(constants={"c_sm": 1})
    assert derive.theorem("sharp-softmax").is_theorem


@pytest.mark.parametrize("build, name", [
    (lambda c: derive.deep_theorem(constants=c), "c_split"),            # the deep chain splits eps by free t_j
    (lambda c: derive.deep_what_if(constants=c), "c_split"),
    (lambda c: derive.tightened((), c), "c_conf_expected"),              # only the expected-confidence chain has it
    (lambda c: derive.tightened(("sharp-nets",), c), "c_net"),           # the sharp nets have c_net_sharp instead
    (lambda c: derive.tightened((), c), "c_nonexistent"),
    (lambda c: rebuilt_prior("trauger-tewari", c), "c_zhang"),          # no Zhang cover in this chain
])
def test_an_override_of_a_constant_the_chain_does_not_use_is_refused(build, name):
    """A chain hands each lemma only the overrides it has: one no step uses would vanish without a word."""
    with pytest.raises(DerivationError, match=rf"\['{name}'\] are not constants of this chain"):
        build({name: 100})


def test_an_override_the_chain_uses_is_taken():
    base = derive.tightened(("expected-confidence",))
    raised = derive.tightened(("expected-confidence",), {"c_conf_expected": 2})
    assert raised.is_theorem and raised.confidence == 2 * base.confidence
    assert derive.deep_theorem(constants={"c_net": 10}).bound != derive.deep_theorem().bound


def test_float64_and_mpmath_agree_on_raised_constants():
    from numeric.backends.float64 import evaluate_array
    for consts in ({"c_net": 18}, {"c_dudley": 20, "c_vol": 4}, {"c_sm": 5}):
        a = float(evaluate_array({}, constants=consts))
        b = float(numeric.evaluate(dps=20, constants=consts).value)
        assert a == pytest.approx(b, rel=1e-12), consts
    with pytest.raises(numeric.UsageError):
        evaluate_array({}, constants={"c_net": 3})


# -- 5. provided facts follow from the conclusion --------------------------------------------------------------

F = FunctionClass(Tag("toy"))
dw, dv = Distance(Tag("w"), Tag("l2")), Distance(Tag("W_V"), Tag("spec"))
df = Distance(Tag("f"), Tag("abs"))


def test_a_fact_that_does_not_follow_from_the_conclusion_is_refused():
    with pytest.raises(LemmaError, match="does not follow from its conclusion"):
        toy("bad-lip", df, 2 * x * dw + x * dv, (x,),
            provides=(LipschitzInParameters(F, Tag("S1"), lemmas.objects.NORMS["fro"], x, Tag("S2"),
                                            lemmas.objects.NORMS["spec"], x),))
    with pytest.raises(LemmaError, match="does not follow"):
        Lemma(name="bad-out", title="t", params=(x,), hypotheses=(), conclusion=sympy.Le(SupNorm(F), 2 * x),
              provides=(OutputBound(F, x),), source=Source("t", kind="derived", derivation="t"))


def test_a_fact_read_off_the_conclusion_is_accepted():
    from lemmas.objects import NORMS
    lem = toy("good-lip", df, 2 * x * dw + x * dv, (x,),
              provides=(LipschitzInParameters(F, Tag("S1"), NORMS["fro"], 2 * x, Tag("S2"), NORMS["spec"], x),))
    assert lem.provides
    with pytest.raises(LemmaError, match="not Norm objects"):       # a Tag prints like the Norm but is not it
        toy("tag-lip", df, 2 * x * dw + x * dv, (x,),
            provides=(LipschitzInParameters(F, Tag("S1"), Tag("fro"), 2 * x, Tag("S2"), Tag("spec"), x),))


# -- 6. no hand rewriting outside the engine -------------------------------------------------------------------

def test_derive_rewrites_lemmas_only_through_the_engine():
    for path in sorted((ROOT / "derive").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "replace" and \
                    isinstance(node.value, ast.Name) and node.value.id == "dataclasses":
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} rewrites a value with dataclasses.replace")


def test_the_rebuilt_prior_reads_alpha_by_instantiating_its_gap_lemma():
    from derive.prior import prior
    lem = prior("edelman").lemma
    assert "edelman-rebuilt-gap" in lem.source.derivation
    names = {h.name for h in lem.hypotheses}
    assert "domain-of-g_alpha" in names            # alpha <= b, from the gap's declared domain
    assert "alpha-nonnegative" not in names        # discharged: alpha is declared nonnegative
    (gap,) = [h for h in lem.hypotheses if h.name == "domain-of-g_alpha"]
    alpha = lemmas.symbols.alpha
    assert lemmas.truth(gap.condition.xreplace({alpha: 0})) is True


# -- 7. the branches of the closed-form integral are derived -------------------------------------------------

def test_the_log_plus_branches_are_decided_and_a_wrong_one_would_not_be():
    from derive.integrals import excess_over_one, log_plus_branches
    assert all(v is True for v in log_plus_branches().values())
    w = Symbol("w", positive=True)
    Cs = Symbol("C", positive=True)
    assert excess_over_one(Cs / (Cs * (1 + w))).is_positive is False     # past C, log+ is not log


# -- 8. claims state and check every condition ----------------------------------------------------------------

K_unknown = Symbol("K_u", real=True)


def test_the_rate_is_not_proved_when_the_constant_is_not_provably_positive():
    (rate, *_) = claims_of(K_unknown / sqrt(n) + r_w / sqrt(n))
    assert rate.verdict == "unknown"
    assert any(v is None for _, v in rate.conditions)


def test_the_rate_is_refuted_with_a_log_n():
    (rate, *_) = claims_of(log(n) / sqrt(n))
    assert rate.verdict == "refuted"


def test_growth_in_r_w_needs_a_positive_intercept():
    claims = {c.key: c for c in claims_of((K_unknown + sqrt(r_w)) / sqrt(n))}
    assert claims["growth-r_w"].verdict == "unknown" and claims["log-r_w"].verdict == "unknown"
    claims = {c.key: c for c in claims_of((1 + sqrt(r_w)) / sqrt(n))}
    assert claims["growth-r_w"].verdict == "proved" and claims["log-r_w"].verdict == "refuted"


def test_T_dependence_is_refuted():
    claims = {c.key: c for c in claims_of(log(T) / sqrt(n))}
    assert claims["T-free"].verdict == "refuted"


def test_every_proved_claim_lists_its_conditions():
    for c in derive.claims.check_claims(derive.theorem()):
        assert c.conditions and "conditions:" in c.evidence
        if c.verdict == "proved":
            assert all(v is True for _, v in c.conditions)


# -- 9. probability is part of the statement ------------------------------------------------------------------

def _generalisation_twice(union=None):
    d1, d2 = Symbol("delta_a", positive=True), Symbol("delta_b", positive=True)
    G1 = GeneralisationGap(F, n)
    der = Derivation("twice", G1 + GeneralisationGap(FunctionClass(Tag("other")), n))
    der.apply("rademacher-generalisation", F=F, n=n, c=1, delta=d1)
    der.apply("rademacher-generalisation", F=FunctionClass(Tag("other")), n=n, c=1, delta=d2, union=union)
    return der, d1, d2


def test_two_high_probability_statements_need_a_union_bound():
    with pytest.raises(DerivationError, match="union bound"):
        _generalisation_twice()
    der, d1, d2 = _generalisation_twice(union="union-bound")
    assert der.failure == d1 + d2
    lem = der.as_lemma("twice-lemma", register=False)
    assert lem.failure == d1 + d2 and "with probability >= 1 - delta_a + delta_b" in lem.describe()


def test_a_probabilistic_lemma_cannot_be_established_as_a_sure_fact():
    with pytest.raises(DerivationError, match="probability"):
        Derivation("est", x).establish("rademacher-generalisation", F=F, n=n, c=1, delta=delta)


def test_the_theorem_holds_with_probability_one_minus_delta():
    th = derive.theorem()
    assert th.failure == delta and th.lemma.failure == delta
    assert numeric.evaluate(dps=10).to_json()["failure_probability"] == "delta"


# -- the suite catches an unsound engine ---------------------------------------------------------------------

def test_treating_unknown_as_true_is_caught(monkeypatch):
    real = engine.truth
    monkeypatch.setattr(engine, "truth", lambda c, f=(): True if real(c, f) is None else real(c, f))
    der, m = net_derivation(u, 2)
    der.apply("low-rank-net-ball", **m)
    assert "domain-of-B" not in [o.hypothesis.name for o in der.obligations]   # the unsound engine hides it


def test_dropping_the_monotonicity_check_is_caught(monkeypatch):
    monkeypatch.setattr(engine, "nondecreasing_in", lambda e, z: True)
    Derivation("dec", 1 / (x + y)).apply(SUM_LEMMA)      # accepted by the unsound engine: the test above fails


def test_skipping_parameter_domains_is_caught(monkeypatch):
    monkeypatch.setattr(lemmas.core, "domain_condition", lambda p, v: None)
    der, m = net_derivation(-2, 2)
    der.apply("low-rank-net-ball", **m)                  # accepted by the unsound engine: the test above fails


def test_every_output_of_a_what_if_says_not_a_theorem():
    from derive import latex as L
    w = derive.what_if(constants={"c_net": 4})
    ev = numeric.evaluate(dps=10, constants={"c_net": 4}, what_if=True)
    assert "NOT A THEOREM" in w.lemma.describe()                                   # text
    assert ev.to_json()["theorem"] is False                                        # JSON
    assert "What-if, not a theorem" in L.lemma_latex(w.lemma)                      # LaTeX: the lemma
    assert "what-if, not a theorem" in L.latex(w)                                  # LaTeX: the theorem
    assert "NOT A THEOREM" in ev._repr_latex_()                                    # LaTeX: the values
    th = derive.theorem()
    assert "not a theorem" not in L.latex(th) and "NOT A THEOREM" not in th.lemma.describe()
