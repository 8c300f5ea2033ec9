"""rankbound eval: proof constants from the command line, and what-ifs that say they are not theorems."""

from __future__ import annotations

import json

import mpmath

from helpers import run_cli


def test_a_raised_constant_is_a_weaker_theorem():
    rc, out, _ = run_cli(["eval", "--json", "--dps", "20", "--constant", "c_net=18"])
    raised = json.loads(out)
    rc0, out0, _ = run_cli(["eval", "--json", "--dps", "20"])
    assert rc == rc0 == 0 and raised["theorem"] is True
    assert mpmath.mpf(raised["value"]) > mpmath.mpf(json.loads(out0)["value"])


def test_a_lowered_constant_needs_what_if_and_says_not_a_theorem():
    rc, _, err = run_cli(["eval", "--constant", "c_net=4"])
    assert rc == 2 and "may be raised but not lowered" in err and len(err.strip().splitlines()) == 1
    rc, out, _ = run_cli(["eval", "--json", "--dps", "20", "--constant", "c_net=4", "--what-if"])
    obj = json.loads(out)
    assert rc == 0 and obj["theorem"] is False and obj["status"].startswith("what-if, not a theorem")
    rc, out, _ = run_cli(["eval", "--dps", "20", "--constant", "c_net=4", "--what-if"])
    assert out.startswith("WHAT-IF, NOT A THEOREM")


def test_constant_flags_are_checked():
    for argv in (["--constant", "c_net"], ["--constant", "foo=1"], ["--constant", "c_net=abc"],
                 ["--constant", "c_net=1", "--constant", "c_net=2"], ["--what-if"],
                 ["--bound", "edelman", "--constant", "c_net=18"]):
        rc, _, err = run_cli(["eval"] + argv)
        assert rc == 2 and len(err.strip().splitlines()) == 1, (argv, err)


def test_a_constant_the_deep_chain_does_not_use_is_refused_not_ignored():
    """c_split is the single-head chain's eps split; the deep chain splits eps by its own weights."""
    rc, out, err = run_cli(["eval", "--heads", "2", "--layers", "2", "--constant", "c_split=3"])
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "c_split" in err and "not constants of this chain" in err
    rc, _, err = run_cli(["eval", "--heads", "2", "--layers", "2", "--constant", "c_net=10", "--dps", "15"])
    assert rc == 0, err
