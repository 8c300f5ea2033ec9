"""Every docstring example in lemmas/, derive/ and numeric/ runs as a doctest."""

import doctest
import importlib
import pkgutil

import pytest

import derive
import lemmas
import numeric

MODULES = sorted(
    m.name for pkg in (lemmas, derive, numeric)
    for m in pkgutil.walk_packages(pkg.__path__, prefix=pkg.__name__ + ".")
    if not m.name.endswith(".__main__")
) + ["lemmas", "derive", "numeric"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             extraglobs={"sympy": importlib.import_module("sympy")})
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"


def test_doctests_exist():
    total = 0
    for name in MODULES:
        finder = doctest.DocTestFinder()
        total += sum(len(t.examples) for t in finder.find(importlib.import_module(name)))
    assert total >= 20, f"only {total} docstring examples: the docstring template asks for examples"
