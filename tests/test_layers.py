"""The architecture, checked: imports point only downward (lemmas -> derive -> numeric), and every
source file is small enough to read in one sitting.

Every module is parsed (function bodies included, where lazy imports hide), each import is resolved
to its top-level package, and an import of a higher layer fails the test with the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"lemmas": 0, "derive": 1, "numeric": 2}
MAX_LINES = 650          # "no file over ~600 lines"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_packages(source: str, module: str, is_package: bool = False) -> list[tuple[str, int]]:
    """(top-level package, line) of every import in ``source`` (absolute and relative, at any depth)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                out.append((node.module.split(".")[0], node.lineno))
            else:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                out.append((target.split(".")[0], node.lineno))
    return out


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    own = LAYERS[module.split(".")[0]]
    return [f"line {line}: imports {pkg}" for pkg, line in imported_packages(source, module, is_package)
            if LAYERS.get(pkg, -1) > own]


def _sources(*packages):
    for pkg in packages:
        yield from sorted((ROOT / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", list(_sources(*LAYERS)), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_import(path):
    bad = upward_imports(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")
    assert not bad, f"{path.relative_to(ROOT)} imports a higher layer (lemmas -> derive -> numeric): {bad}"


def test_the_check_catches_upward_imports():
    lazy = "def f():\n    from derive.latex import latex\n    return latex\n"
    assert upward_imports(lazy, "lemmas.core") == ["line 2: imports derive"]
    relative = "from ..numeric import evaluate\n"
    assert upward_imports(relative, "derive.latex.document") == []       # resolves to derive.numeric
    assert upward_imports("import numeric.evaluate as E\n", "derive.claims") == ["line 1: imports numeric"]
    assert upward_imports("from lemmas import get\n", "numeric.evaluate") == []
    assert upward_imports("from . import core\n", "lemmas", is_package=True) == []


def test_every_layer_has_modules():
    for pkg in LAYERS:
        assert len(list(_sources(pkg))) >= 3, f"{pkg}/ has almost no modules: is the layout table stale?"


@pytest.mark.parametrize("path", list(_sources(*LAYERS, "tests", "benchmarks")), ids=lambda p: str(p.relative_to(ROOT)))
def test_file_is_readable_in_one_sitting(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (> {MAX_LINES}): split it"
