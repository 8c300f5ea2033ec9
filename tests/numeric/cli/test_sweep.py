"""``rankbound sweep``: float64 and --dps modes, grids past float64's range (refused in float64, taken at
--dps), every flag honoured or refused, hostile --vary specs (one line on stderr, exit code 2)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric
import numeric.progress
from helpers import run_cli, scaled
from numeric.cli.main import main
from numeric.compare.priors import evaluate_prior



def one_line_error(rc, out, err, *needles):
    assert rc == 2 and out == "" and err.count("\n") == 1 and err.startswith("rankbound: error:"), (rc, err)
    assert "Traceback" not in err
    for w in needles:
        assert w in err, (w, err)


@pytest.mark.parametrize("argv, needles", [
    (["--vary", "n=1e2:1e400"], ("--vary", "n = 1.0e+400", "float64", "--dps")),
    (["--vary", "B_X=1e-400:1"], ("--vary", "B_X = 1.0e-400", "float64")),
    (["--vary", "n=1e2:1e4:log:3", "--B-X", "1e-400"], ("--B-X", "float64")),
    (["--vary", "n=1e2:1e4:log:3", "--d", "1e400", "--r-w", "1", "--r-v", "1"], ("--d", "float64")),
    (["--vary", "n=1e2:1e400", "--bound", "edelman"], ("--vary", "float64")),
])
def test_values_past_float_range_are_refused_in_float64(argv, needles):
    one_line_error(*run_cli(["sweep", *argv]), *needles)


def test_values_past_float_range_are_taken_at_dps():
    """--dps: the grid and the values at N digits; n up to 1e400, and ours * sqrt(n) constant (ours = Q/sqrt(n))."""
    rc, out, err = run_cli(["sweep", "--vary", "n=1e100:1e400:log:4", "--dps", "25"])
    assert rc == 0, err
    data = json.loads(out)
    assert data["float64"] is False and data["dps"] == 25
    ns = [int(r["n"]) for r in data["points"]]
    assert ns == [10 ** e for e in (100, 200, 300, 400)]
    with mpmath.workdps(30):
        q = [mpmath.mpf(r["value"]) * mpmath.sqrt(n) for r, n in zip(data["points"], ns)]
        assert all(abs(x / q[0] - 1) < mpmath.mpf(10) ** -23 for x in q)
        assert q[0] == pytest.approx(float(numeric.evaluate({"n": 100}, dps=25).value) * 10, rel=1e-15)
    rc, out, err = run_cli(["sweep", "--vary", "n=1e2:1e400:log:3", "--dps", "20", "--bound", "edelman", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rc == 0 and [r["n"] for r in rows] == ["100", "1" + "0" * 201, "1" + "0" * 400]
    assert all(float(r["value"]) > 0 and float(r["alpha"]) > 0 for r in rows)


def test_counts_beyond_int64_are_exact_integers():
    rc, out, err = run_cli(["sweep", "--vary", "n=1e18:1e21:log:4", "--bound", "trauger-tewari"])
    assert rc == 0, err
    assert [r["n"] for r in json.loads(out)["points"]] == [10 ** 18, 10 ** 19, 10 ** 20, 10 ** 21]


def test_float64_overflow_falls_back_to_mpmath():
    """B_X = 1e200: B_X^3 overflows in float64; those points come from numeric.evaluate, not an error."""
    rc, out, err = run_cli(["sweep", "--vary", "B_X=1e100:1e200:log:3"])
    assert rc == 0, err
    for r in json.loads(out)["points"]:
        want = float(numeric.evaluate({"B_X": r["B_X"]}, dps=20).value)
        assert r["value"] == pytest.approx(want, rel=1e-12)


def test_dps_is_honoured_for_every_bound():
    for bound in ("truong", "edelman"):
        rc, out, err = run_cli(["sweep", "--vary", "n=1e8:1e10:log:2", "--dps", "40", "--bound", bound])
        assert rc == 0, err
        points = json.loads(out)["points"]
        ref = (numeric.evaluate({"n": 10**10}, dps=40).value if bound == "truong" else
               evaluate_prior(bound, {"n": 10**10}, dps=40).value)
        with mpmath.workdps(40):
            assert abs(mpmath.mpf(points[-1]["value"]) - ref) <= mpmath.mpf(10) ** -39 * ref
            assert len(points[-1]["value"].replace(".", "").lstrip("0")) > 30


def test_the_variant_is_honoured_for_truong_and_refused_for_the_priors():
    rc, out, _ = run_cli(["sweep", "--vary", "n=1e6:1e8:log:2", "--variant", "sharp-softmax"])
    data = json.loads(out)
    assert rc == 0 and data["variant"] == "sharp-softmax"
    want = float(numeric.evaluate({"n": 10**6}, dps=20, variant="sharp-softmax").value)
    assert data["points"][0]["value"] == pytest.approx(want, rel=1e-12)
    assert want < float(numeric.evaluate({"n": 10**6}, dps=20).value)
    one_line_error(*run_cli(["sweep", "--vary", "n", "--bound", "edelman", "--variant", "sharp-softmax"]), "--variant")
    one_line_error(*run_cli(["sweep", "--vary", "n", "--variant", "nope"]), "--variant", "nope")


def test_a_flag_for_the_swept_parameter_is_refused():
    one_line_error(*run_cli(["sweep", "--vary", "n=1e2:1e4", "--n", "5"]), "--n", "swept")
    one_line_error(*run_cli(["sweep", "--vary", "B_QK", "--B-QK", "2"]), "--B-QK", "swept")


def test_a_bare_name_takes_its_default_range():
    rc, out, _ = run_cli(["sweep", "--vary", "n", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rc == 0 and len(rows) == 60 and rows[0]["n"] == "100" and rows[-1]["n"] == str(10 ** 14)
    rc, out, _ = run_cli(["sweep", "--vary", "r_w", "--d", "32", "--r-v", "8", "--csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rc == 0 and rows[0]["r_w"] == "1" and rows[-1]["r_w"] == "32"       # 1 .. d


def test_help_documents_the_default_ranges(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    assert "n: 1e2:1e14:log:60" in " ".join(capsys.readouterr().out.split())


def test_progress_only_on_a_terminal(monkeypatch):
    rc, out, err = run_cli(["sweep", "--vary", "n=1e2:1e4:log:3", "--bound", "edelman"])
    assert rc == 0 and err == ""
    monkeypatch.setattr(numeric.progress, "on_terminal", lambda: True)
    rc, out, err = run_cli(["sweep", "--vary", "n=1e2:1e4:log:3", "--bound", "edelman", "--quiet"])
    assert rc == 0 and err == ""


VARY = st.one_of(
    st.sampled_from(["", "n", "n=", "n=1:", "n=5:1", "n=0:10", "n=0.5:10", "n=1e2:1e400:log:3", "B_X=-1:1",
                     "B_X=0:1:lin:3", "delta=0.1:2", "delta=1e-9:0.5:log:4", "zz=1:2", "n=1:10:cubic",
                     "n=1:10:log:1", "n=1:10:log:100001", "n=nan:inf", "n=1e99999999:1", "r_w=1:1e9",
                     "T=1:1e400:log:3", "c=1e-320:1:log:3", "__import__('os')=1:2"]),
    st.text(alphabet="nBX_=:.0123456789eE-+loglinx ", max_size=18),
)


@settings(max_examples=scaled(30))
@given(spec=VARY, bound=st.sampled_from(["truong", "edelman"]), dps=st.sampled_from([None, "12"]))
def test_hostile_vary_specs(spec, bound, dps):
    argv = ["sweep", "--bound", bound, "--quiet", f"--vary={spec}"] + ([] if dps is None else ["--dps", dps])
    rc, out, err = run_cli(argv)
    assert "Traceback" not in err
    if rc == 0:
        points = json.loads(out)["points"]
        assert points and all(float(r["value"]) > 0 for r in points) and err == ""
    else:
        one_line_error(rc, out, err)


def test_no_traceback_in_a_new_process():
    """The same one-line error from ``python -m numeric.cli`` (what a user runs; it was an OverflowError)."""
    proc = subprocess.run([sys.executable, "-m", "numeric.cli", "sweep", "--vary", "n=1e2:1e400"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "--vary" in proc.stderr
