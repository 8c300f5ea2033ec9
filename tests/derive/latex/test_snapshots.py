"""Snapshots of every registered lemma's ``lemma`` environment and of each variant's final bound.

Snapshots live in ``tests/snapshots/latex/``: one file per registered lemma and one per variant of
the final bound (``bound.<variant>.tex``).  A missing or changed snapshot fails; to accept a
deliberate change, rerun with ``RANKBOUND_UPDATE_SNAPSHOTS=1`` and review the diff in git before
committing.  (The lemmas include the derived ones, composed by derive/, hence the location.)
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

import derive
import lemmas
from derive.latex import bound_latex, lemma_latex

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots" / "latex"
UPDATE = os.environ.get("RANKBOUND_UPDATE_SNAPSHOTS", "") not in ("", "0")

derive.register_derived()
LEMMA_NAMES = [lem.name for lem in lemmas.all_lemmas() if "[" not in lem.name]
VARIANTS = list(derive.VARIANTS)


def _check_snapshot(filename: str, actual: str):
    path = SNAPSHOTS / filename
    if not path.exists():
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual)
            return
        pytest.fail(f"no snapshot {path}; create it deliberately with RANKBOUND_UPDATE_SNAPSHOTS=1 and review it")
    expected = path.read_text()
    if expected == actual:
        return
    if UPDATE:
        path.write_text(actual)
        return
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        fromfile=f"snapshot {filename}", tofile="printed now", n=1))
    pytest.fail(f"the LaTeX differs from the snapshot {path} (RANKBOUND_UPDATE_SNAPSHOTS=1 accepts a "
                f"deliberate change):\n{diff[:4000]}")


def _snapshot_name(lemma_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", lemma_name) + ".tex"


@pytest.mark.parametrize("name", LEMMA_NAMES)
def test_lemma_latex_matches_snapshot(name):
    _check_snapshot(_snapshot_name(name), lemma_latex(name) + "\n")


@pytest.mark.parametrize("variant", VARIANTS)
def test_bound_latex_matches_snapshot(variant):
    _check_snapshot(f"bound.{variant}.tex", bound_latex(derive.theorem(variant)) + "\n")


def test_no_stale_snapshots():
    expected = {_snapshot_name(n) for n in LEMMA_NAMES} | {f"bound.{v}.tex" for v in VARIANTS}
    stale = sorted(p.name for p in SNAPSHOTS.glob("*.tex") if p.name not in expected)
    if stale and UPDATE:
        for name in stale:
            (SNAPSHOTS / name).unlink()
        return
    assert not stale, f"snapshots with no lemma or bound behind them: {stale} (delete them, or rerun with " \
                      f"RANKBOUND_UPDATE_SNAPSHOTS=1)"
