"""The command line: ``eval --json`` against MATH.md section 5 (the spec oracle), ``report``, and bad input
(exactly one line on stderr, exit code 2, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric.params import SPECS

import oracles as O
import strategies as S
from helpers import run_cli, scaled

FLAG = {s.name: s.flag for s in SPECS}


def exact(x) -> str:
    """The exact decimal expansion of an int or a binary float (so the CLI reads the same number)."""
    return str(x) if isinstance(x, int) else format(Decimal(x), "f") if abs(x) >= 1e-6 else str(Decimal(x))



def close(a, b, dps):
    with mpmath.workdps(dps + 10):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        return abs(a - b) <= mpmath.mpf(10) ** (1 - dps) * abs(b)


@given(params=S.parameter_sets(), variant=st.sampled_from(["default", "sharp-softmax"]),
       dps=st.sampled_from([30, 50]))
@settings(max_examples=scaled(15))
def test_eval_json_agrees_with_MATH_md(params, variant, dps):
    argv = ["eval", "--json", "--dps", str(dps), "--variant", variant]
    for name, v in params.items():
        argv += [FLAG[name], exact(v)]
    code, out, err = run_cli(argv)
    assert code == 0 and err == ""
    js = json.loads(out)
    spec = O.rademacher_bound_spec(params, dps=dps + 10, softmax_const={"default": 2, "sharp-softmax": 1}[variant])
    assert close(js["value"], spec["value"], dps - 1)
    assert close(js["rademacher"], spec["rademacher_term"], dps - 1)
    assert close(js["confidence"], spec["confidence"], dps - 1)
    assert js["params"]["T"] == str(params["T"]) and js["variant"] == variant and js["dps"] == dps


def test_eval_json_in_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "numeric.cli", "eval", "--json", "--preset", "small",
                           "--n", "123456", "--dps", "40"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    js = json.loads(proc.stdout)
    from numeric.params import PRESETS
    spec = O.rademacher_bound_spec({**{k: str(v) for k, v in PRESETS["small"].items()}, "n": 123456}, dps=50)
    assert close(js["value"], spec["value"], 39)


def test_eval_plain_text_and_report():
    code, out, err = run_cli(["eval", "--preset", "small"])
    assert code == 0 and "bound on L(theta) - L_S(theta)" in out and err == ""
    code, out, err = run_cli(["report", "--preset", "small", "--dps", "20"])
    assert code == 0 and err == ""
    for needle in ("THEOREM", "CHAIN", "OPEN OBLIGATIONS", "CLAIMS", "[proved]", "[refuted]",
                   "low-rank-net-ball", "Candes", "reconstruction"):
        assert needle in out, needle
    assert ("NON-VACUOUS" in out) != ("\nVACUOUS" in out)


BAD_ARGV = [
    (["eval", "--n", "0"], "n"),
    (["eval", "--n", "-3"], "n"),
    (["eval", "--delta", "1.5"], "delta"),
    (["eval", "--delta", "0"], "delta"),
    (["eval", "--r-w", "1000"], "r_w"),
    (["eval", "--r-v", "0"], "r_v"),
    (["eval", "--d", "2.5"], "d"),
    (["eval", "--B-X", "-1"], "B_X"),
    (["eval", "--B-QK", "nan"], "B_QK"),
    (["eval", "--c", "inf"], "c"),
    (["eval", "--L-loss", "garbage"], "L_loss"),
    (["eval", "--B-w", "__import__('os').system('echo pwned')"], "B_w"),
    (["eval", "--dps", "0"], "dps"),
    (["eval", "--dps", "many"], "dps"),
    (["eval", "--variant", "nope"], "variant"),
    (["eval", "--preset", "nope"], "preset"),
    (["eval", "--no-such-flag", "1"], "no-such-flag"),
    (["report", "--n", "-1"], "n"),
    (["frobnicate"], "frobnicate"),
]


@pytest.mark.parametrize("argv,name", BAD_ARGV)
def test_bad_input_is_one_line_exit_2(argv, name):
    code, out, err = run_cli(argv)
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rankbound: error:"), err
    assert name in lines[0]
    assert "Traceback" not in err and out == ""
    assert "pwned" not in out


@pytest.mark.parametrize("argv,name", [
    (["eval", "--n", "0"], "parameter n"),
    (["report", "--delta", "__import__('os').system('echo pwned')"], "parameter delta"),
])
def test_bad_input_in_a_subprocess(argv, name):
    proc = subprocess.run([sys.executable, "-m", "numeric.cli", *argv], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == "" and "pwned" not in proc.stdout + proc.stderr.replace("echo pwned", "")
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and name in lines[0] and "Traceback" not in proc.stderr, proc.stderr


def test_no_command_is_usage_exit_2():
    code, out, err = run_cli([])
    assert code == 2
