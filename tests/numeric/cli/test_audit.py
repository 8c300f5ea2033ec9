"""``rankbound audit``: the JSON and text outputs, bad input and flags that would change nothing (one line on
stderr, exit code 2), and progress on stderr only when it is a terminal."""

from __future__ import annotations

import json

import pytest

import numeric.progress
from numeric.audit import claims as A
from numeric.audit.slips import DEFAULT_BUDGET
from numeric.cli.audit import MAX_BUDGET
from numeric.cli.main import build_parser, main

VERDICTS = {"holds", "fails", "unknown"}


def test_cli_audit_json_has_six_verdicts_and_slips(capsys):
    assert main(["audit", "--json", "--budget", "120", "--preset", "small"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)
    keys = [c["key"] for c in out["claims"]]
    assert keys == list(A.CLAIM_KEYS)
    assert all(c["verdict"] in VERDICTS for c in out["claims"])
    assert [s["key"] for s in out["slips"]] == list("abcde")
    assert all(s["ok"] for s in out["slips"])
    assert all(s["slip"]["budget"] == 120 for s in out["slips"])
    assert cap.err == ""                   # stderr is not a terminal here: no progress


@pytest.mark.parametrize("argv, needle", [
    (["audit", "--budget", "x"], "--budget"),
    (["audit", "--budget", "0"], "--budget"),
    (["audit", "--budget", str(MAX_BUDGET + 1)], f"[1, {MAX_BUDGET}]"),
    (["audit", "--preset", "nope"], "preset"),
    (["audit", "--variant", "nope"], "--variant"),
    (["audit", "--seed", "-1"], "--seed"),
    (["audit", "--dps", "201"], "--dps"),
    # flags that would change nothing are refused, not ignored
    (["audit", "--no-slips", "--budget", "300"], "--budget"),
    (["audit", "--no-slips", "--seed", "3"], "--seed"),
])
def test_cli_audit_bad_input_is_one_line_exit_2(capsys, argv, needle):
    assert main(argv) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert err.count("\n") == 0 and needle in err and err.startswith("rankbound: error:")
    assert cap.out == ""


def test_cli_audit_help_states_the_default_and_the_maximum_budget():
    parser, _ = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["audit"]
    budget = next(a for a in sub._actions if a.dest == "budget")
    assert f"[1, {MAX_BUDGET}]" in budget.help and f"default {DEFAULT_BUDGET}" in budget.help
    assert "minute" in budget.help


def test_cli_audit_seed_reaches_the_tightness_table_without_slips(capsys):
    assert main(["audit", "--no-slips", "--tightness", "--seed", "5", "--json", "--preset", "small"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["slips"] == [] and out["tightness"]["seed"] == 5


def test_cli_audit_text(capsys):
    assert main(["audit", "--budget", "60", "--preset", "small"]) == 0
    out = capsys.readouterr().out
    for i in range(1, 7):
        assert f"\n{i}. [" in out
    assert out.count("OK: REFUSED") == 5 and "the step it breaks" in out
    assert "budget 60, seed 0" in out


def test_cli_audit_progress_goes_to_stderr_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(numeric.progress, "on_terminal", lambda: True)
    assert main(["audit", "--budget", "30", "--preset", "small", "--json"]) == 0
    cap = capsys.readouterr()
    json.loads(cap.out)                    # stdout stays one JSON object
    assert "rankbound: the claims" in cap.err
    assert "rankbound: the slip checks (12 searches, budget 30)" in cap.err
