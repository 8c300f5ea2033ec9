"""The registry is checked by tests, not memory: every registered lemma is exported, cites a source,
renders to LaTeX, evaluates numerically, and has a property test (a ``lemma`` marker with its name)."""

from __future__ import annotations

import re
from pathlib import Path

import mpmath
import pytest
import sympy

import derive
import lemmas
import numeric
from lemmas import objects

DERIVED = derive.register_derived()
THEOREMS = [derive.theorem(v) for v in derive.VARIANTS]
TESTS = Path(__file__).parent
MARKED = set()
FACT_TESTS = set()
for path in TESTS.rglob("*.py"):
    MARKED |= set(re.findall(r"""lemma\(\s*["']([^"']+)["']\s*\)""", path.read_text()))
    FACT_TESTS |= set(re.findall(r"""mark\.fact\(\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']\s*\)""",
                                 path.read_text()))

# symbolic classes whose names must never leak into LaTeX (a missing _latex prints them verbatim)
OWN_CLASSES = sorted({name for name in dir(objects) if isinstance(getattr(objects, name), type)
                      and issubclass(getattr(objects, name), sympy.Basic)} | {"MatrixNorm", "Rank"})


def _exported(lem) -> bool:
    for mod in (lemmas, derive):
        if any(v is lem for v in vars(mod).values()):
            return True
    if any(lem is d for d in DERIVED):
        return True
    return any(lem is th.lemma or lem is th.covering_lemma for th in THEOREMS)


def _base(name: str) -> str:
    """'truong-theorem[default,c_dudley=6]' -> 'truong-theorem' for constant overrides made by tests."""
    if "[" in name and "=" in name:
        return name.split("[")[0]
    return name


def registered():
    return [lem for lem in lemmas.all_lemmas() if "=" not in lem.name]


def test_the_registry_holds_every_lemma_of_MATH_md():
    names = set(lemmas.names())
    for must in ("low-rank-net-sphere", "low-rank-net-ball", "volumetric-net", "softmax-lipschitz",
                 "softmax-lipschitz-sharp", "dudley", "contraction", "rademacher-generalisation",
                 "transformer-perturbation", "transformer-perturbation-sharp", "logplus-sqrt-integral",
                 "transformer-covering", "truong-theorem", "linear-cover-frobenius", "linear-cover-spectral",
                 "linear-cover-21", "linear-cover-11", "linear-cover-input-inf", "linear-cover-input-l1",
                 "linear-cover-vector", "bilinear-score-cover", "norm-spec-le-fro", "norm-fro-le-sqrt-rank-spec",
                 "norm-fro-le-21", "norm-21-le-11", "dudley-half", "sqrt-subadditive-3", "integral-linearity-3",
                 "cover-spec-by-fro", "cover-L2S-by-sup", "lipschitz-parameter-cover", "transformer-output-bound"):
        assert must in names, must


@pytest.mark.parametrize("lem", registered(), ids=lambda lem: lem.name)
def test_exported(lem):
    assert _exported(lem), f"{lem.name} is not reachable from the lemmas or derive packages"


@pytest.mark.parametrize("lem", registered(), ids=lambda lem: lem.name)
def test_cites_a_source(lem):
    src = lem.source
    assert src.citation.strip()
    assert src.kind in ("borrowed", "reconstructed", "derived")
    if src.kind == "derived":
        assert src.derivation.strip()
    assert str(src)


@pytest.mark.parametrize("lem", registered(), ids=lambda lem: lem.name)
def test_renders_to_latex(lem):
    tex = sympy.latex(lem)
    assert tex.strip()
    assert "Function" not in tex
    for cls in OWN_CLASSES:
        assert cls not in tex, (cls, tex)


@pytest.mark.parametrize("lem", registered(), ids=lambda lem: lem.name)
def test_evaluates_numerically(lem):
    v = numeric.evaluate_lemma(lem)
    assert isinstance(v, mpmath.mpf) and mpmath.isfinite(v)


@pytest.mark.parametrize("lem", lemmas.all_lemmas(), ids=lambda lem: lem.name)
def test_has_a_property_test(lem):
    assert lem.name in MARKED or _base(lem.name) in MARKED, \
        f"no test is marked @pytest.mark.lemma({lem.name!r})"


@pytest.mark.parametrize("lem", [lem for lem in registered() if lem.provides and not lem.composed],
                         ids=lambda lem: lem.name)
def test_every_provided_fact_is_checked(lem):
    """A fact a lemma provides is read off its conclusion (``follows_from``) or has a property test of its own."""
    for fact in lem.provides:
        follows = getattr(type(fact), "follows_from", None)
        if follows is not None:
            assert follows(fact, lem.conclusion) is True, (lem.name, fact)
        else:
            assert (lem.name, type(fact).__name__) in FACT_TESTS, \
                f"{lem.name} provides {type(fact).__name__}, which neither follows from its conclusion nor has a " \
                f"test marked @pytest.mark.fact({lem.name!r}, {type(fact).__name__!r})"
