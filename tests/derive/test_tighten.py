"""The chains of derive.tighten: composed by the engine from registered lemmas, each a theorem, none lowering a
proof constant; the default is the deep chain itself; the symbolic-constant chain is the same bound."""

from __future__ import annotations

import mpmath
import pytest
import sympy

import derive
import derive.tighten as T
import lemmas
from lemmas.objects import RademacherComplexity
from lemmas.symbols import H, L
from lemmas.tightness import Cap, SampleExpectation
from numeric.backends.mp import mp_eval
from numeric.params import Params

ALL = T.CHOICE_ORDER
CHAINS = [(), *((name,) for name in ALL), ALL]


def _steps(th):
    return [s for der in (th.covering, th.derivation) for s in der.steps]


def test_the_default_is_the_deep_chain():
    assert T.tightened(()).bound == derive.deep_theorem().bound
    assert T.tightened(()).bound.xreplace({H: 1, L: 1}) == derive.deep_theorem().bound.xreplace({H: 1, L: 1})


@pytest.mark.parametrize("choices", CHAINS, ids=lambda c: "+".join(c) or "default")
def test_every_chain_is_a_theorem_and_no_proof_constant_is_lowered(choices):
    """Enumerate every step of every chain: the result is a theorem, and each proof constant the chain used is at
    or above the value its lemma proves (a lowered one would make it a what-if)."""
    th = T.tightened(choices)
    assert th.is_theorem and not th.what_if and th.failure == lemmas.symbols.delta
    for s in _steps(th):
        for const in s.lemma.constants:
            v = s.instance.subs.get(const.symbol, const.default)
            if const.kind == "proof":
                assert sympy.Ge(v, const.default) == sympy.true, (s.lemma.name, const.name, v)
            assert v.is_number and v > 0
    names = {s.lemma.name for s in _steps(th)}
    if len(choices) == 1:                      # alone, a choice uses the lemmas it names
        assert set(T.CHOICES[choices[0]].lemmas) <= names, (choices, T.CHOICES[choices[0]].lemmas)


@pytest.mark.parametrize("name", ALL)
def test_each_choice_swaps_only_its_own_steps(name):
    default = [s.lemma.name for s in _steps(T.tightened(()))]
    chosen = [s.lemma.name for s in _steps(T.tightened((name,)))]
    swapped = {
        "sharp-nets": {"volumetric-net", "low-rank-net-ball"},
        "sharp-softmax": {"softmax-lipschitz"},
        "dudley-half": {"dudley"},
        "expected-confidence": {"rademacher-generalisation"},
    }.get(name, set())
    assert not swapped & set(chosen), name
    extra = set(chosen) - set(default) - {n.split("[")[0] for n in chosen if "[" in n}
    assert extra <= set(T.CHOICES[name].lemmas) | {c for c in chosen if c.startswith(("deep-covering", "deep-theorem"))}


def test_new_obligations_are_only_the_choices_own_conditions():
    base = {o.hypothesis.name for o in T.tightened(()).obligations}
    allowed = {"split-at-most-one", "closed-under-negation"}
    for name in ALL:
        new = {o.hypothesis.name for o in T.tightened((name,)).obligations} - base
        assert new <= allowed, (name, new)
    split = [o for o in T.tightened(("optimal-split",)).obligations if o.hypothesis.name == "split-at-most-one"]
    assert len(split) == 1 and split[0].condition.has(*T.SPLIT_WEIGHTS[:3])


def test_lowering_a_proof_constant_of_a_sharper_step_is_refused_and_raising_it_weakens():
    with pytest.raises(derive.DerivationError, match="c_net_sharp"):
        T.tightened(("sharp-nets",), constants={"c_net_sharp": 5})
    wi = T.tightened(("sharp-nets",), constants={"c_net_sharp": 5}, what_if=True)
    assert not wi.is_theorem and "c_net_sharp" in wi.what_if
    raised = T.tightened(("sharp-nets",), constants={"c_net_sharp": 7})
    assert raised.is_theorem
    with pytest.raises(derive.DerivationError, match="c_conf_expected"):
        T.tightened(("expected-confidence",), constants={"c_conf_expected": sympy.Rational(1, 2)})


def test_unknown_choices_are_refused():
    with pytest.raises(derive.DerivationError, match="unknown choices"):
        T.tightened(("sharper-than-sharp",))


def test_dudley_alpha_closes_every_block_from_alpha_by_additivity():
    th = T.tightened(("dudley-alpha",))
    names = [s.lemma.name for s in th.derivation.steps]
    assert names.count("logplus-sqrt-integral-additivity") == 5
    assert names.count("logplus-sqrt-integral") == 10
    assert not th.bound.has(sympy.Integral) and th.bound.has(T.ALPHA_W)
    # the lower limit is U/(1 + w), written so that alpha <= U is structural
    U = th.upper
    assert sympy.simplify(th.alpha - U / (1 + T.ALPHA_W)) == 0 and (U - th.alpha).is_nonnegative


def test_the_sharper_nets_leave_integrals_and_the_cap_and_expectation_have_their_shape():
    th = T.tightened(("sharp-nets",))
    assert len(th.bound.atoms(sympy.Integral)) == 5
    cap = T.tightened(("trivial-cap",)).bound
    outer = [c for c in cap.atoms(Cap) if not any(isinstance(a, sympy.floor) for a in c.args)]
    assert len(outer) == 1 and lemmas.get("deep-output-bound").rhs in outer[0].args
    exp_ = T.tightened(("expected-confidence",)).bound
    assert not exp_.has(SampleExpectation) and not exp_.has(RademacherComplexity)


def _mp_at(expr, values, dps=40):
    with mpmath.workdps(dps):
        return mp_eval(expr, {k: mpmath.mpf(v.p) / v.q if isinstance(v, sympy.Rational) else mpmath.mpf(v)
                              for k, v in values.items()})


@pytest.mark.parametrize("choices", [(), ("sharp-softmax", "dudley-half", "expected-confidence"),
                                     ("optimal-split", "dudley-alpha")], ids=str)
def test_the_symbolic_constant_chain_is_the_same_bound(choices):
    th = T.tightened(choices)
    sym, syms, values = T.symbolic_constants(th)
    assert not sym.is_theorem                         # constants that are symbols: a what-if, never a theorem
    assert set(values.values()) and all(v.is_number for v in values.values())
    point = dict(Params.from_preset("small").sympy_values())
    point.update({u: sympy.Rational(1, 7) for u in T.SPLIT_WEIGHTS})
    point[T.ALPHA_W] = sympy.Integer(3)
    a = _mp_at(th.bound, point)
    b = _mp_at(sym.bound, {**point, **values})
    with mpmath.workdps(40):
        assert mpmath.almosteq(a, b, rel_eps=mpmath.mpf(10) ** -35), (a, b)
    assert T.chain_constants(th) == {s.name: v for s, v in values.items()}
