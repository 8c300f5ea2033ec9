"""Hostile input, widened (issue 14): long strings, values past float range, the whole advertised precision
range, non-ASCII digits, odd output paths; every command answers with a result or one short error line."""

from __future__ import annotations

import json
import os
from decimal import Decimal, localcontext

import mpmath
import pytest

from helpers import run_cli
from numeric.cli.main import main
from numeric.params import MAX_DPS, SPECS

LONG = "9" * 10_000
WIDE = ["1e400", "-1e400", "1e-400", "1e3999", "1e-3999", "1e4001", "1e100001", "123456789e3999",
        "0.000000000000000000000000000000000000001"]



def _one_short_line(rc, err):
    assert rc == 2, (rc, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rankbound: error:"), err
    assert len(lines[0]) < 700, len(lines[0])
    assert "Traceback" not in err


@pytest.mark.parametrize("flag", [s.flag for s in SPECS] + ["--dps"])
def test_a_very_long_value_is_one_short_line(flag):
    rc, out, err = run_cli(["eval", "--json", flag, LONG])
    _one_short_line(rc, err)
    assert "characters)" in err            # the value is shortened, with its length


@pytest.mark.parametrize("command", [["report"], ["compare", "--vs", "edelman"], ["latex", "--expr"],
                                     ["sweep", "--vary", "n=1e2:1e4:log:3"]])
def test_long_values_in_other_commands(command):
    rc, out, err = run_cli(command + ["--n", "x" * 5000])
    _one_short_line(rc, err)


@pytest.mark.parametrize("value", WIDE)
@pytest.mark.parametrize("flag", ["--n", "--B-X", "--B-QK", "--delta", "--d", "--heads", "--L-loss"])
def test_values_past_float_range(flag, value):
    rc, out, err = run_cli(["eval", "--json", "--dps", "15", flag, value])
    if rc == 0:
        obj = json.loads(out)
        with mpmath.workdps(30):
            v = mpmath.mpf(obj["value"])
            assert mpmath.isfinite(v) and v > 0
    else:
        _one_short_line(rc, err)


@pytest.mark.parametrize("dps", [1, 2, 15, 4299, 4301, MAX_DPS])
def test_the_whole_advertised_precision_range(dps):
    rc, out, err = run_cli(["eval", "--json", "--preset", "small", "--dps", str(dps)])
    assert rc == 0, err
    obj = json.loads(out)
    digits = obj["value"].replace(".", "").lstrip("0")
    assert len(digits) >= min(dps, 15) and obj["certified"] is True
    lo, hi = (Decimal(x) for x in obj["interval"])       # Decimal reads any length (int(str) stops at 4300)
    value = Decimal(obj["value"])
    with localcontext() as ctx:
        ctx.prec = dps + 10
        assert lo <= hi and lo <= value * (1 + Decimal(10) ** (1 - dps)) and value <= hi * (1 + Decimal(10) ** (1 - dps))


def test_precision_past_the_range_is_refused():
    rc, out, err = run_cli(["eval", "--dps", str(MAX_DPS + 1)])
    _one_short_line(rc, err)
    assert str(MAX_DPS) in err


@pytest.mark.parametrize("value", ["１０", "١٠", "1０", "１e6", "٣"])
def test_non_ascii_digits_are_refused(value):
    rc, out, err = run_cli(["eval", "--n", value])
    _one_short_line(rc, err)
    assert "parameter n" in err


def test_odd_output_paths_are_refused_before_the_work(tmp_path):
    fifo = tmp_path / "fifo.tex"
    os.mkfifo(fifo)
    for out in (str(tmp_path / "missing" / "x.tex"), str(tmp_path), str(fifo), ""):
        rc, _, err = run_cli(["latex", "--out", out])
        _one_short_line(rc, err)
    for out in (str(tmp_path / "missing" / "x.png"), str(tmp_path), str(tmp_path / "plot.nope")):
        rc, _, err = run_cli(["plot", "--vary", "n=1e2:1e4:log:3", "--out", out])
        _one_short_line(rc, err)


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.startswith("rankbound ")


def test_the_api_refuses_integers_too_large_to_print():
    import numeric
    with pytest.raises(numeric.UsageError, match="an integer of about 5001 digits"):
        numeric.evaluate({"n": 10 ** 5000})
