"""``rankbound plot``: --out checked before any work, the default range of a bare --vary, every flag honoured
or refused, and the image written (numeric.compare.plot)."""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import run_cli, scaled

pytest.importorskip("matplotlib")

import numeric.cli.plot as cli_plot          # noqa: E402
import numeric.compare.plot as P             # noqa: E402
import numeric.compare.sweep as SW           # noqa: E402
from numeric.cli.main import main            # noqa: E402



@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a sweep starts: the checks must come before the work."""
    def boom(*a, **k):
        raise AssertionError("the sweep ran before the output was checked")
    monkeypatch.setattr(SW, "sweep", boom)


@pytest.mark.parametrize("out, needle", [
    ("/nonexistent-folder/bounds.png", "does not exist"),
    ("{tmp}/bounds.txt", "must end in one of"),
    ("{tmp}/bounds.pgf", "must end in one of"),         # matplotlib lists it but needs LaTeX to write it
    ("{tmp}", "is a folder"),
    ("{tmp}/plain-file/bounds.png", "does not exist"),   # a file where the folder should be
])
def test_out_is_checked_before_any_work(out, needle, tmp_path, no_work):
    (tmp_path / "plain-file").write_text("x")
    rc, stdout, err = run_cli(["plot", "--vary", "n", "--out", out.format(tmp=tmp_path)])
    assert rc == 2 and stdout == "" and err.count("\n") == 1 and "--out" in err and needle in err, err


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_an_unwritable_folder_is_refused(tmp_path, no_work):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        rc, out, err = run_cli(["plot", "--vary", "n", "--out", str(locked / "b.png")])
        assert rc == 2 and "cannot be written" in err
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize("argv, needle", [
    (["--dps", "20"], "--dps"),                                       # float64 plot: no digits to honour
    (["--bounds", "edelman", "--variant", "sharp-softmax"], "--variant"),
    (["--variant", "nope", "--bounds", "truong"], "--variant"),
    (["--bounds", "truong,bogus"], "--bounds"),
    (["--bounds", "truong,truong"], "--bounds"),
    (["--n", "5"], "--n"),                                            # n is the swept parameter
    (["--heads", "2"], "--heads"),                                    # the prior curves are single-head
])
def test_flags_it_cannot_honour_are_refused(argv, needle, tmp_path, no_work):
    rc, out, err = run_cli(["plot", "--vary", "n", "--out", str(tmp_path / "b.png"), *argv])
    assert rc == 2 and out == "" and err.count("\n") == 1 and needle in err, err
    assert not (tmp_path / "b.png").exists()


def test_a_bare_vary_n_plots_the_default_range(tmp_path, monkeypatch):
    drawn = {}

    def capture(series, name, out, c=None, title=""):
        drawn.update(series=series, name=name, out=out)
        return out

    monkeypatch.setattr(P, "plot", capture)
    rc, out, err = run_cli(["plot", "--vary", "n", "--bounds", "truong,trauger-tewari", "--variant", "sharp-softmax",
                        "--out", str(tmp_path / "b.svg")])
    assert rc == 0, err
    assert set(drawn["series"]) == {"truong (sharp-softmax)", "trauger-tewari"}
    xs = [r["n"] for r in drawn["series"]["trauger-tewari"]]
    assert xs[0] == 100 and xs[-1] == 10 ** 14 and len(xs) == 60
    import numeric
    r = drawn["series"]["truong (sharp-softmax)"][0]
    assert r["value"] == pytest.approx(float(numeric.evaluate({"n": 100}, variant="sharp-softmax").value), rel=1e-12)


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_the_image_is_written(suffix, magic, tmp_path):
    path = tmp_path / f"bounds.{suffix}"
    rc, out, err = run_cli(["plot", "--vary", "n=1e4:1e8:log:5", "--bounds", "truong,edelman", "--out", str(path)])
    assert rc == 0 and out.strip() == str(path), err
    assert path.read_bytes().startswith(magic)


def test_the_help_documents_the_default_range(capsys):
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    assert "n: 1e2:1e14:log:60" in " ".join(capsys.readouterr().out.split())      # --vary's help
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "--vary n alone: n=1e2:1e14:log:60" in " ".join(capsys.readouterr().out.split())   # the command list


def test_image_suffixes():
    s = P.image_suffixes()
    assert {"png", "pdf", "svg", "eps"} <= set(s) and "pgf" not in s
    assert cli_plot.NAME == "plot"


def test_check_output_path_accepts_any_case_and_returns_the_path(tmp_path):
    from numeric.cli.common import check_output_path
    path = str(tmp_path / "B.PNG")
    assert check_output_path("--out", path, suffixes=("png",)) == path
    with pytest.raises(Exception, match="--out: give a file name"):
        check_output_path("--out", "", suffixes=("png",))


@settings(max_examples=scaled(15))
@given(name=st.text(alphabet="ab./_- PNGpngsvgtx", max_size=14), bounds=st.sampled_from(
    ["truong", "truong,", ",", "", "TRUONG", "truong, edelman", "edelman,,trauger-tewari", "x"]))
def test_hostile_out_and_bounds(name, bounds):
    """A file written inside the folder given, or one clean line; never a traceback, never a file elsewhere."""
    assume(".." not in name)
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, name)
        rc, stdout, err = run_cli(["plot", "--vary", "n=1e3:1e4:log:2", "--bounds", bounds, "--out", out, "--quiet"])
        assert "Traceback" not in err
        if rc == 0:
            assert stdout.strip() == out and os.path.isfile(out) and os.path.getsize(out) > 100, err
        else:
            assert rc == 2 and stdout == "" and err.count("\n") == 1 and err.startswith("rankbound: error:"), err
