"""``rankbound compare``: JSON and text, the trivial value at the queried n, every flag honoured or refused,
hostile values (one line on stderr, exit code 2), progress on stderr only on a terminal."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.progress
from helpers import run_cli, scaled
from numeric.params import SPECS

SMALL = ["--d", "16", "--k", "4", "--r-w", "2", "--r-v", "2"]


def test_cli_compare_json():
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--json", "--no-certify", "--dps", "15", "--n", "1e8"]
                           + SMALL)
    assert rc == 0, err
    data = json.loads(out)
    for key in ("ours", "prior", "ratio_ours_over_prior", "crossover_n", "crossover", "parameter_mapping",
                "ours_vacuous", "prior_vacuous", "prior_alpha", "prior_trivial", "variant"):
        assert key in data
    assert "NO rank constraints" in data["parameter_mapping"]
    assert float(data["crossover_n"]) == pytest.approx(11000.1978925, rel=1e-9)
    # here the rebuilt bound is still at its trivial value (alpha = b) at n*: said, not hidden
    assert data["prior_trivial_at_crossover"] is True and "trivial value" in data["crossover"]
    assert err == ""                                   # stderr is not a terminal here: no progress


@pytest.mark.parametrize("n, trivial", [("1e6", True), ("1e10", False)])
def test_cli_compare_says_when_the_prior_is_trivial_at_the_queried_n(n, trivial):
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--no-certify", "--dps", "15", "--n", n])
    assert rc == 0, err
    assert ("NOTE: at this n the rebuilt bound sits at its trivial value" in out) is trivial
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--no-certify", "--dps", "15", "--n", n, "--json"])
    data = json.loads(out)
    assert data["prior_trivial"] is trivial
    assert (data["prior_alpha"] == "1.0") is trivial         # b = B_f = 1 at the default preset


def test_cli_compare_honours_the_variant():
    rc, out, _ = run_cli(["compare", "--vs", "edelman", "--json", "--no-certify", "--dps", "20", "--n", "1e8",
                       "--variant", "sharp-softmax"])
    assert rc == 0
    data = json.loads(out)
    rc, out, _ = run_cli(["eval", "--json", "--dps", "20", "--n", "1e8", "--variant", "sharp-softmax"])
    assert data["variant"] == "sharp-softmax" and data["ours"] == json.loads(out)["value"]


@pytest.mark.parametrize("argv, word", [
    (["compare", "--vs", "nope"], "--vs"),
    (["compare", "--vs", "edelman", "--n", "-3"], "n"),
    (["compare", "--vs", "edelman", "--variant", "nope"], "--variant"),
    (["compare", "--vs", "edelman", "--dps", "0"], "dps"),
    (["compare", "--vs", "edelman", "--dps", "1e5"], "dps"),
])
def test_cli_compare_errors_are_one_line(argv, word):
    rc, out, err = run_cli(argv)
    assert rc == 2 and out == "" and err.count("\n") == 1 and word in err


@pytest.mark.parametrize("flag", ["--heads", "--layers"])
def test_cli_compare_refuses_more_than_one_head(flag):
    if flag not in {s.flag for s in SPECS}:
        pytest.skip("no multi-head parameters in this tree")
    rc, out, err = run_cli(["compare", "--vs", "edelman", flag, "2"])
    assert rc == 2 and out == "" and err.count("\n") == 1 and flag in err


def test_huge_certification_points_print_short_and_stay_exact_in_json():
    from numeric.cli.compare import _n_text
    n = "4862041429774487798" + "7" * 339                         # 358 digits, as at d = 1e9
    assert _n_text(n) == "4.862041429774487e+357 (exact in --json)"
    assert _n_text("23348692") == "23348692"


def test_cli_compare_progress_goes_to_stderr_on_a_terminal(monkeypatch):
    monkeypatch.setattr(numeric.progress, "on_terminal", lambda: True)
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--no-certify", "--dps", "15"])
    assert rc == 0 and "rankbound: crossover n* against edelman" in err and "crossover n*" in out
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--no-certify", "--dps", "15", "--quiet"])
    assert rc == 0 and err == ""


HOSTILE = ["0", "-1", "nan", "inf", "1e999999", "abc", "", "1/3", "1e400", "1e-400", "0x10", "__import__('os')"]
FLAGS = [s.flag for s in SPECS if s.name not in ("H", "L")] + ["--dps"]


@settings(max_examples=scaled(12))
@given(flag=st.sampled_from(FLAGS), value=st.one_of(st.sampled_from(HOSTILE), st.floats().map(repr),
                                                    st.integers(-10, 10**40).map(str)))
def test_cli_compare_survives_hostile_values(flag, value):
    if flag == "--dps":
        try:                                    # a valid huge dps is slow, not wrong
            value = str(min(int(value), 60))
        except ValueError:
            pass
    rc, out, err = run_cli(["compare", "--vs", "edelman", "--json", "--no-certify", f"{flag}={value}"])
    assert "Traceback" not in err
    if rc == 0:
        data = json.loads(out)
        assert float(data["ours"]) > 0 and float(data["prior"]) > 0 and err == ""
    else:
        assert rc == 2 and out == "" and err.count("\n") == 1 and err.startswith("rankbound: error:"), err
