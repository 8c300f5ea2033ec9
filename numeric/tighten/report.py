"""``rankbound tighten``: the default bound, what each free choice buys alone, the tightest valid bound, the
elasticities of the bound in its constants, and the sample sizes it takes.

Every value reported is a certified Arb enclosure of a composed theorem (``derive.tighten``) at exact
parameters and exact choice values; the float64 optimiser only chooses those values.

Examples
--------
>>> from numeric.params import Params
>>> r = tighten(Params.from_preset("small"), dps=15, elasticity=False, sample_sizes=False)
>>> float(r.tightest.certified.hi) <= min(float(c.certified.hi) for c in r.choices)
True
>>> r.tightest.is_theorem
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import derive.tighten as T
from numeric.evaluate import check_dps
from numeric.params import Params
from numeric.progress import phase

from .chain import compiled_chain
from .elasticity import elasticities
from .search import Best, best, largest_value, smallest_n

__all__ = ["Outcome", "Report", "tighten", "outcome", "solve", "target", "WATERFALL_ORDER"]

#: the order in which the waterfall adds the choices: first those that sharpen the entropy integral, then the
#: confidence term, then Dudley's alpha (which trades the integral for 4 alpha) and last the trivial cap (a min
#: with the whole Dudley bound): so that no earlier step hides what a later one buys
WATERFALL_ORDER = ("sharp-softmax", "sharp-nets", "optimal-split", "dudley-half", "expected-confidence",
                   "dudley-alpha", "trivial-cap")


@dataclass(frozen=True, eq=False)
class Outcome:
    """One chain at its chosen values, with its certified value."""

    name: str
    description: str
    source: str
    best: Best
    certified: object        # CertifiedValue
    params: Params
    requested: tuple = ()    # the choices asked for (best() may drop dudley-alpha when alpha = 0 does better)
    obligations: tuple = ()  # the theorem's assumptions left open at the numbers (modelling assumptions)

    @property
    def is_theorem(self) -> bool:
        return self.best.chain.th.is_theorem

    @property
    def value(self) -> str:
        """The value to the requested digits: the midpoint of the certified interval, rounded to nearest (the
        interval, with three more digits rounded outward, is the enclosure)."""
        import mpmath
        dps = self.certified.dps
        mid = self.certified.mid
        with mpmath.workdps(dps + 10):
            x = mpmath.mpf(mid.numerator) / mid.denominator
            return mpmath.nstr(x, dps, min_fixed=-5, max_fixed=dps)

    def settings_json(self) -> dict:
        """The values of the free choices this value uses (split weights by group, alpha)."""
        th = self.best.chain.th
        vals = self.best.settings.values
        out = {"applied": list(self.requested)}
        if any(s in vals for s in T.SPLIT_WEIGHTS):
            out["split"] = {name: _frac(vals[u]) for (name, _M), u in zip(th.groups, T.SPLIT_WEIGHTS)}
        if T.ALPHA_W in vals:
            out["w_alpha"] = _frac(vals[T.ALPHA_W])
            out["alpha"] = f"{self.best.settings.alpha:.9g}"
            out["alpha_over_upper_limit"] = f"{1 / (1 + float(vals[T.ALPHA_W])):.9g}"
        elif "dudley-alpha" in self.requested:
            out["alpha"] = "0"
            out["note"] = "no alpha > 0 found gives a smaller bound here"
        return out

    def to_json(self) -> dict:
        lo, hi = self.certified.interval_strings()
        out = {"value": self.value, "interval": [lo, hi], "certified": bool(self.certified.certified),
               "theorem": self.is_theorem}
        if self.description:
            out = {"name": self.name, **out, "description": self.description, "source": self.source}
        out["settings"] = self.settings_json()
        return out


def _as_choices(d: dict) -> dict:
    """The tightest bound's JSON: its settings under the key ``choices``."""
    d = dict(d)
    d["choices"] = d.pop("settings")
    return d


def _frac(f) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def outcome(name: str, choices, params: Params, dps: int, starts=(), description: str = "", source: str = ""):
    b = best(choices, params, None, starts)
    cv = b.chain.certify(params, b.settings.values, dps)
    open_ = b.chain.open_obligations(params, b.settings.values)    # a false condition refuses the values
    return Outcome(name, description, source, b, cv, params, tuple(c for c in T.CHOICE_ORDER if c in set(choices)),
                   open_)


@dataclass(frozen=True, eq=False)
class Report:
    params: Params
    dps: int
    default: Outcome
    choices: tuple
    tightest: Outcome
    waterfall: tuple                     # ((label, Outcome), ...) from the default to the tightest
    elasticities: object = None          # Elasticities of the default chain
    tightest_elasticities: object = None
    sample_sizes: dict = field(default_factory=dict)     # "default"/"tightest" -> smallest_n result or None
    extra: dict = field(default_factory=dict)            # "solve" / "target" results

    def fmt(self, v) -> str:
        import mpmath
        return mpmath.nstr(v, self.dps, min_fixed=-5, max_fixed=self.dps)

    def to_json(self) -> dict:
        out = {
            "params": self.params.as_strings(), "heads": self.params["H"], "layers": self.params["L"],
            "dps": self.dps,
            "default": {**self.default.to_json(), "obligations": list(self.default.obligations)},
            "choices": [c.to_json() for c in self.choices],
            "tightest": {**_as_choices(self.tightest.to_json()), "obligations": list(self.tightest.obligations)},
            "waterfall": [{"name": "default", "value": self.default.value}]
            + [{"name": label, "value": o.value} for label, o in self.waterfall],
        }
        if self.elasticities is not None:
            e = self.elasticities.to_json(self.fmt)
            out["elasticities"] = e["constants"]
            out["parameter_elasticities"] = e["parameters"]
        if self.tightest_elasticities is not None:
            e = self.tightest_elasticities.to_json(self.fmt)
            out["tightest"]["elasticities"] = e["constants"]
            out["tightest"]["parameter_elasticities"] = e["parameters"]
        if self.sample_sizes:
            out["smallest_nonvacuous_n"] = {k: (None if v is None else v["n"]) for k, v in self.sample_sizes.items()}
        out.update(self.extra)
        return out


def tighten(params: Params, dps: int = 30, elasticity: bool = True, sample_sizes: bool = True,
            quiet: bool = False) -> Report:
    """Everything ``rankbound tighten`` prints, at ``params``."""
    dps = check_dps(dps)
    with phase("composing and certifying the default chain and each choice alone", quiet):
        default = outcome("default", (), params, dps)
        singles = []
        for name in T.CHOICE_ORDER:
            ch = T.CHOICES[name]
            singles.append(outcome(name, (name,), params, dps, description=ch.description, source=ch.source))
    with phase("the tightest bound (every choice, split and alpha optimised together)", quiet):
        order = list(WATERFALL_ORDER)
        steps, prev = [], tuple(o.best.settings for o in singles)
        for k in range(1, len(order) + 1):
            o = outcome("+".join(order[:k]), order[:k], params, dps, starts=prev)
            steps.append((order[k - 1], o))
            prev = (o.best.settings,) + tuple(s.best.settings for s in singles)
        tightest = steps[-1][1]
        tightest = Outcome("tightest", "", "", tightest.best, tightest.certified, params, T.CHOICE_ORDER,
                           tightest.obligations)
    e_default = e_tight = None
    if elasticity:
        with phase("elasticities (symbolic derivatives of the bound)", quiet):
            e_default = elasticities((), params, {}, dps)
            e_tight = elasticities(tightest.best.choices, params, tightest.best.settings.values, dps)
    sizes = {}
    if sample_sizes:
        with phase("smallest non-vacuous n (default and tightest)", quiet):
            sizes = {"default": smallest_n((), params, params["c"]),
                     "tightest": smallest_n(T.CHOICE_ORDER, params, params["c"])}
    return Report(params, dps, default, tuple(singles), tightest, tuple(steps), e_default, e_tight, sizes)


def solve(params: Params, name: str, dps: int = 30) -> dict:
    """``--solve NAME``: the largest value of NAME at which the default and the tightest bounds are non-vacuous."""
    out = {}
    for label, choices in (("default", ()), ("tightest", T.CHOICE_ORDER)):
        r = largest_value(choices, params, name)
        if r is None:
            out[label] = {"value": None, "note": f"vacuous at every admissible {name} (the smallest included)"}
            continue
        cv = r["chain"].certify(r["params"], r["settings"].values, dps)
        lo, hi = cv.interval_strings()
        v = r["value"]
        out[label] = {"value": str(v) if isinstance(v, int) else f"{float(v):.10g}",
                      "at_limit": bool(r["at_limit"]), "bound_interval": [lo, hi]}
    return {"parameter": name, "n": params["n"], **out}


def target(params: Params, gap, dps: int = 30, label: str | None = None) -> dict:
    """``--target X``: the smallest n at which the default and the tightest bounds are at most X."""
    out = {"target": label if label is not None else str(gap)}
    for label, choices in (("default", ()), ("tightest", T.CHOICE_ORDER)):
        r = smallest_n(choices, params, float(gap), strict=False)
        if r is None:
            out[label] = None
            continue
        p = params.replace(n=r["n"])
        cv = r["chain"].certify(p, r["settings"].values, dps)
        lo, hi = cv.interval_strings()
        out[label] = {"n": r["n"], "bound_interval": [lo, hi]}
    return out


def compiled(choices):
    """The compiled chain with ``choices`` (re-exported for the tests)."""
    return compiled_chain(tuple(c for c in T.CHOICE_ORDER if c in set(choices)))
