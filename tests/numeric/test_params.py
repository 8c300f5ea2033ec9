"""Parameter validation: exact storage, and a clear error naming the parameter for every bad value."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import numeric
from numeric.errors import ParameterError, UsageError
from numeric.params import Params

import strategies as S

BASE = dict(Params.from_preset("small").as_dict())

BAD = [
    # (parameter, value, words the message must contain)
    ("n", 0, "positive integer"), ("n", -5, "positive integer"), ("n", "-1", "positive integer"),
    ("n", 2.5, "integer"), ("n", "1e-3", "integer"),
    ("d", 3.5, "integer"), ("k", "2.5", "integer"), ("T", 0, "positive"),
    ("delta", 0, "(0, 1)"), ("delta", 1, "(0, 1)"), ("delta", 1.5, "(0, 1)"), ("delta", "-0.1", "(0, 1)"),
    ("delta", "3/2", "decimal"),
    ("r_w", 0, "positive"), ("r_w", 17, "at most d"), ("r_v", 5, "at most min(d, k)"),
    ("B_X", -1, "> 0"), ("B_w", 0, "> 0"), ("B_V", "-2.5", "> 0"), ("c", -0.5, "> 0"),
    ("L_sigma", 0.0, "> 0"), ("L_loss", "-1e-9", "> 0"),
    ("B_QK", float("nan"), "finite"), ("B_X", float("inf"), "finite"), ("c", float("-inf"), "finite"),
    ("B_X", "nan", "decimal"), ("B_w", "inf", "decimal"), ("n", "infinity", "decimal"),
    ("n", "abc", "decimal"), ("d", "", "decimal"), ("k", "1e", "decimal"), ("B_X", "1,5", "decimal"),
    ("delta", "0x10", "decimal"), ("n", "10**6", "decimal"), ("B_V", "1e999999", "exponent"),
    ("n", True, "boolean"), ("d", None, "number"), ("c", [1], "number"),
    ("B_QK", "__import__('os').system('echo pwned')", "decimal"),
]


@pytest.mark.parametrize("name,value,words", BAD)
def test_bad_values_raise_naming_the_parameter(name, value, words):
    with pytest.raises(ParameterError) as info:
        Params({**BASE, name: value})
    msg = str(info.value)
    assert msg.startswith(f"parameter {name}:"), msg
    assert words in msg, msg
    assert info.value.name == name


def test_code_in_a_value_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    for name in ("n", "B_X", "delta"):
        with pytest.raises(ParameterError):
            Params({**BASE, name: f"__import__('os').system('touch {marker}')"})
        with pytest.raises(UsageError):
            numeric.evaluate({name: f"__import__('os').system('touch {marker}')"})
    assert not marker.exists()


def test_unknown_and_missing_parameters():
    with pytest.raises(UsageError, match="unknown parameters"):
        Params({**BASE, "bogus": 1})
    missing = dict(BASE)
    del missing["delta"]
    with pytest.raises(UsageError, match="missing parameters"):
        Params(missing)
    with pytest.raises(UsageError, match="preset"):
        Params.from_preset("nope")
    with pytest.raises(UsageError, match="mapping"):
        Params.coerce([1, 2, 3])


def test_decimal_strings_are_exact():
    p = Params({**BASE, "delta": "0.1", "B_X": "1e-3", "n": "4e6", "c": "2.50"})
    assert p["delta"] == Fraction(1, 10) and p["B_X"] == Fraction(1, 1000)
    assert p["n"] == 4_000_000 and isinstance(p["n"], int)
    assert p["c"] == Fraction(5, 2)
    assert p.as_strings()["delta"] == "0.1" and p.as_strings()["B_X"] == "0.001"
    assert Params({**BASE, "delta": Fraction(1, 3)}).as_strings()["delta"] == "1/3"


@given(params=S.parameter_sets())
def test_valid_parameter_sets_are_stored_exactly(params):
    p = Params(params)
    for name, v in params.items():
        assert p[name] == (v if isinstance(v, int) else Fraction(v)), name
    assert Params(p.as_strings()).as_dict() == p.as_dict()       # the strings round-trip exactly
    assert list(p) == [s.name for s in numeric.SPECS]


@given(params=S.parameter_sets(), extra=st.integers(1, 100))
def test_rank_constraints(params, extra):
    with pytest.raises(ParameterError, match="r_w"):
        Params({**params, "r_w": params["d"] + extra})
    with pytest.raises(ParameterError, match="r_v"):
        Params({**params, "r_v": min(params["d"], params["k"]) + extra})
