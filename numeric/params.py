"""Parameters of the setting: validation, presets and exact storage.

Counts are stored as ``int``; reals as exact ``fractions.Fraction`` (a decimal
string is read exactly; a float is taken at its exact binary value).  Nothing
is clamped: a bad value raises :class:`numeric.errors.ParameterError` naming
the parameter and the constraint.  Strings are parsed by a whitelist regular
expression, never by ``eval`` or ``sympify``.

Examples
--------
>>> from numeric.params import Params
>>> p = Params.from_preset("bert-base-head", n="4e6")
>>> p["n"], p["delta"]
(4000000, Fraction(1, 20))
>>> Params.from_preset("bert-base-head", r_w=1000)
Traceback (most recent call last):
...
numeric.errors.ParameterError: parameter r_w: must be at most d = 768 (W_QK is d x d), got 1000
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy

from lemmas import symbols as S

from numeric.errors import ParameterError, UsageError

__all__ = ["ParamSpec", "SPECS", "PRESETS", "DEFAULT_PRESET", "Params", "parse_number", "MAX_DPS", "OPTIONAL"]


@dataclass(frozen=True)
class ParamSpec:
    name: str
    symbol: sympy.Symbol
    kind: str          # count | positive | unit
    flag: str
    help: str


SPECS = (
    ParamSpec("n", S.n, "count", "--n", "sample size"),
    ParamSpec("d", S.d, "count", "--d", "token (embedding) dimension"),
    ParamSpec("k", S.k, "count", "--k", "value (head) dimension"),
    ParamSpec("r_w", S.r_w, "count", "--r-w", "rank bound of W_QK (<= d)"),
    ParamSpec("r_v", S.r_v, "count", "--r-v", "rank bound of W_V (<= min(d, k))"),
    ParamSpec("T", S.T, "count", "--T", "sequence length (the bound must not depend on it)"),
    ParamSpec("B_X", S.B_X, "positive", "--B-X", "bound on every token's l2 norm"),
    ParamSpec("B_w", S.B_w, "positive", "--B-w", "l2 radius of the readout w"),
    ParamSpec("B_V", S.B_V, "positive", "--B-V", "Frobenius radius of W_V"),
    ParamSpec("B_QK", S.B_QK, "positive", "--B-QK", "Frobenius radius of W_QK"),
    ParamSpec("L_sigma", S.L_sigma, "positive", "--L-sigma", "Lipschitz constant of sigma"),
    ParamSpec("L_loss", S.L_loss, "positive", "--L-loss", "Lipschitz constant of the loss"),
    ParamSpec("c", S.c, "positive", "--c", "the loss takes values in [0, c]"),
    ParamSpec("delta", S.delta, "unit", "--delta",
              "failure probability: the bound holds with probability at least 1 - delta"),
    ParamSpec("H", S.H, "count", "--heads", "attention heads per layer (MATH.md section 8; default 1)"),
    ParamSpec("L", S.L, "count", "--layers", "layers: L - 1 hidden layers and the readout (default 1)"),
)
#: counts that enter as exponents or multiplicities of the chain, with the largest value accepted
MAX_COUNT = {"H": 10**6, "L": 10**6}
#: parameters a mapping may leave out, with the value they then take (one head, one layer: the paper's model)
OPTIONAL = {"H": 1, "L": 1}
_BY_NAME = {s.name: s for s in SPECS}

#: presets: every value is documented in README.md
PRESETS = {
    "bert-base-head": dict(n=10**6, d=768, k=64, r_w=64, r_v=64, T=512, B_X=1, B_w=1, B_V=1, B_QK=1,
                           L_sigma=1, L_loss=1, c=1, delta="0.05", H=1, L=1),
    "small": dict(n=10**4, d=16, k=4, r_w=2, r_v=2, T=32, B_X=1, B_w=1, B_V=1, B_QK=1,
                  L_sigma=1, L_loss=1, c=1, delta="0.05", H=1, L=1),
    # BERT-base: 12 layers of 12 heads, d = 768, head dimension 64 (ranks of W_Q W_K^T and of a head's value map
    # are at most 64)
    "bert-base": dict(n=10**6, d=768, k=64, r_w=64, r_v=64, T=512, B_X=1, B_w=1, B_V=1, B_QK=1,
                      L_sigma=1, L_loss=1, c=1, delta="0.05", H=12, L=12),
    # all-MiniLM-L6 style: d = 384, 12 heads of dimension 32, 6 layers
    "minilm": dict(n=10**6, d=384, k=32, r_w=32, r_v=32, T=256, B_X=1, B_w=1, B_V=1, B_QK=1,
                   L_sigma=1, L_loss=1, c=1, delta="0.05", H=12, L=6),
}
DEFAULT_PRESET = "bert-base-head"
MAX_DPS = 10000
#: the longest digit string a number may have, and the largest decimal exponent (Python converts at most 4300
#: digits between int and str at once, and exact values are printed back)
MAX_DIGITS = 4000
MAX_EXPONENT = 4000

#: ASCII digits only: "１０" (full-width) or "١٠" (Arabic-Indic) are refused, not read as 10
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$", re.ASCII)


def parse_number(name: str, value) -> Fraction:
    """Read a number exactly from an int, a finite float, a Fraction or a decimal string.

    Numbers lie within 1e-4000 .. 1e4000 and are written with at most 4000 digits (exact values are
    printed back, and Python converts at most 4300 digits between int and str at once).
    """
    x = _parse_number(name, value)
    if x and max(abs(x.numerator), x.denominator).bit_length() > MAX_EXPONENT * 3.3219 + 8:
        raise ParameterError(name, f"is out of range (numbers lie within 1e-{MAX_EXPONENT} .. 1e{MAX_EXPONENT} and "
                                   f"have at most {MAX_DIGITS} digits)", value)
    return x


def _parse_number(name: str, value) -> Fraction:
    if isinstance(value, bool):
        raise ParameterError(name, "must be a number, not a boolean", value)
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParameterError(name, "must be a finite number", value)
        return Fraction(value)
    if isinstance(value, (sympy.Integer, sympy.Rational)):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.match(text):
            raise ParameterError(name, "must be a decimal number such as 1000, 0.05 or 1e6", value)
        mant, _, exp = text.lower().partition("e")
        if len(mant) > MAX_DIGITS:
            raise ParameterError(name, f"has {len(mant)} digits; numbers are read with at most {MAX_DIGITS} digits",
                                 text)
        if exp and (len(exp) > 7 or abs(int(exp)) > MAX_EXPONENT):
            raise ParameterError(name, f"exponent out of range (numbers lie within 1e-{MAX_EXPONENT} .. "
                                       f"1e{MAX_EXPONENT})", value)
        return Fraction(text)
    try:
        import mpmath
        if isinstance(value, mpmath.mpf):
            if not mpmath.isfinite(value):
                raise ParameterError(name, "must be a finite number", value)
            man, exp = value.man_exp
            return Fraction(man) * (Fraction(2) ** exp)
    except ImportError:  # pragma: no cover
        pass
    raise ParameterError(name, "must be a number", value)


def _label(spec: ParamSpec) -> str:
    """How errors name a parameter: its name, with its flag when the two differ (``H (--heads)``)."""
    plain = spec.flag.lstrip("-").replace("-", "_")
    return spec.name if plain == spec.name else f"{spec.name} ({spec.flag})"


class Params(Mapping):
    """A validated parameter point (name -> int or Fraction)."""

    def __init__(self, values: Mapping):
        unknown = set(values) - set(_BY_NAME)
        if unknown:
            raise UsageError(f"unknown parameters {sorted(unknown)}; known: {', '.join(_BY_NAME)}")
        values = {**OPTIONAL, **dict(values)}
        missing = [s.name for s in SPECS if s.name not in values]
        if missing:
            raise UsageError(f"missing parameters {missing}")
        out = {}
        for spec in SPECS:
            raw = values[spec.name]
            label = _label(spec)
            x = parse_number(label, raw)
            if spec.kind == "count":
                if x.denominator != 1:
                    raise ParameterError(label, "must be an integer", raw)
                if x < 1:
                    raise ParameterError(label, "must be a positive integer (>= 1)", raw)
                if spec.name in MAX_COUNT and x > MAX_COUNT[spec.name]:
                    raise ParameterError(label, f"must be at most {MAX_COUNT[spec.name]:.0e} (the bound grows like "
                                                f"rho^(L-2) in the layers; larger models are beyond this tool)", raw)
                out[spec.name] = int(x)
            elif spec.kind == "positive":
                if x <= 0:
                    raise ParameterError(label, "must be > 0", raw)
                out[spec.name] = x
            else:
                if not (0 < x < 1):
                    raise ParameterError(label, "must lie in the open interval (0, 1)", raw)
                out[spec.name] = x
        if out["r_w"] > out["d"]:
            raise ParameterError("r_w", f"must be at most d = {out['d']} (W_QK is d x d)", out["r_w"])
        if out["r_v"] > min(out["d"], out["k"]):
            raise ParameterError("r_v", f"must be at most min(d, k) = {min(out['d'], out['k'])} (W_V is d x k)",
                                 out["r_v"])
        self._values = out

    @classmethod
    def from_preset(cls, preset: str = DEFAULT_PRESET, **overrides) -> "Params":
        if preset not in PRESETS:
            raise UsageError(f"parameter preset: unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        values = dict(PRESETS[preset])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(values)

    @classmethod
    def coerce(cls, params) -> "Params":
        if params is None:
            return cls.from_preset()
        if isinstance(params, Params):
            return params
        if isinstance(params, Mapping):
            return cls.from_preset(DEFAULT_PRESET, **dict(params)) if set(params) | set(OPTIONAL) != set(_BY_NAME) \
                else cls(params)
        raise UsageError(f"params must be a mapping of parameter names to numbers, got {type(params).__name__}")

    def replace(self, **changes) -> "Params":
        vals = dict(self._values)
        vals.update(changes)
        return Params(vals)

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self):
        return iter(s.name for s in SPECS)

    def __len__(self):
        return len(SPECS)

    def as_dict(self) -> dict:
        return dict(self._values)

    def as_strings(self) -> dict:
        """Exact decimal-like strings (fractions that are not finite decimals are written p/q)."""
        return {k: _fmt_exact(v) for k, v in self._values.items()}

    def sympy_values(self) -> dict:
        return {_BY_NAME[k].symbol: sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction)
                else sympy.Integer(v) for k, v in self._values.items()}

    def __repr__(self):
        inner = ", ".join(f"{k}={_fmt_exact(v)!r}" for k, v in self._values.items())
        return f"Params({{{inner}}})"


def _fmt_exact(v) -> str:
    if isinstance(v, int):
        return str(v)
    if v.denominator == 1:
        return str(v.numerator)
    # finite decimal?
    den = v.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den == 1:
        digits = max(twos, fives)
        scaled = v * 10**digits
        s = str(abs(scaled.numerator)).rjust(digits + 1, "0")
        out = s[:-digits] + "." + s[-digits:]
        return ("-" if v < 0 else "") + out.rstrip("0").rstrip(".")
    return f"{v.numerator}/{v.denominator}"
