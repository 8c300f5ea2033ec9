"""``rankbound tighten``: end to end (JSON, text, the waterfall image, --solve, --target), and every bad input
refused in one line on stderr with exit code 2 before any work."""

from __future__ import annotations

import json

import pytest

import numeric.tighten as NT
from helpers import run_cli
from numeric.cli.main import COMMANDS



@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if the computation starts: every check must come first."""
    def boom(*a, **k):
        raise AssertionError("tighten ran before the flags were checked")
    monkeypatch.setattr(NT, "tighten", boom)


def test_registered():
    assert "tighten" in COMMANDS
    from numeric.cli.main import build_parser
    parser, handlers = build_parser()
    assert "tighten" in handlers


def test_json_end_to_end_with_plot_solve_and_target(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "waterfall.png"
    rc, out, err = run_cli(["tighten", "--preset", "small", "--n", "1e6", "--dps", "15", "--json", "--quiet", "--plot",
                        str(png), "--solve", "r_w", "--target", "0.5"])
    assert rc == 0, err
    j = json.loads(out)
    assert {"default", "choices", "tightest", "elasticities", "smallest_nonvacuous_n", "solve", "target"} <= set(j)
    assert float(j["tightest"]["value"]) <= min(float(c["value"]) for c in j["choices"]) * (1 + 1e-12)
    assert j["tightest"]["certified"] and j["tightest"]["theorem"]
    lo, hi = (float(x) for x in j["tightest"]["interval"])
    assert abs(float(j["tightest"]["value"]) - (lo + hi) / 2) <= 1e-14 * hi
    assert j["smallest_nonvacuous_n"]["tightest"] < j["smallest_nonvacuous_n"]["default"]
    assert j["solve"]["parameter"] == "r_w" and int(j["solve"]["tightest"]["value"]) >= int(j["solve"]["default"]["value"])
    assert float(j["solve"]["default"]["bound_interval"][1]) < 1
    assert j["target"]["target"] == "0.5" and j["target"]["tightest"]["n"] <= j["target"]["default"]["n"]
    assert float(j["target"]["default"]["bound_interval"][1]) <= 0.5
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000


def test_text_output():
    rc, out, err = run_cli(["tighten", "--preset", "small", "--dps", "12", "--quiet"])
    assert rc == 0, err
    for needle in ("default bound:", "tightest (every choice):", "optimal-split", "sharp-softmax", "waterfall:",
                   "elasticities", "smallest n with a non-vacuous bound"):
        assert needle in out, needle
    assert err == ""


@pytest.mark.parametrize("argv, needle", [
    (["--solve", "n"], "--solve n"),
    (["--solve", "T"], "--solve T"),
    (["--solve", "bogus"], "--solve bogus"),
    (["--target", "-1"], "--target"),
    (["--target", "0"], "--target"),
    (["--target", "abc"], "--target"),
    (["--target", "nan"], "--target"),
    (["--variant", "sharp-softmax"], "--variant"),
    (["--dps", "0"], "dps"),
    (["--dps", "1.5"], "dps"),
    (["--r-w", "1000"], "r_w"),
    (["--heads", "0"], "H (--heads)"),
    (["--n", "-5"], "parameter n"),
    (["--plot", "/nonexistent-folder/w.png"], "does not exist"),
    (["--plot", "{tmp}/w.txt"], "must end in one of"),
    (["--plot", "{tmp}"], "is a folder"),
    (["--bogus-flag"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_and_exit_2_before_any_work(argv, needle, tmp_path, no_work):
    pytest.importorskip("matplotlib")
    argv = [a.format(tmp=tmp_path) for a in argv]
    rc, out, err = run_cli(["tighten", *argv])
    assert rc == 2 and out == "", (out, err)
    assert err.count("\n") == 1 and err.startswith("rankbound: error:") and needle in err, err
