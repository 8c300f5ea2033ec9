"""The rank-dependent bound for single-head transformers, composed from the lemma library.

Nothing here types the final formula: the covering number of the class comes
out of the perturbation lemma, the parameter-cover lemma and the nets; the
bound comes out of the generalisation theorem, contraction, Dudley, the cover
comparison, the covering number, sqrt-subadditivity, linearity and the
symbolic log+ integral.  Named variants swap one lemma (the sharp softmax
constant, Dudley's b/2 upper limit) or override named constants.

Examples
--------
>>> from derive.theorems import theorem
>>> th = theorem()
>>> [b.name for b in th.blocks]
['w', 'V', 'QK']
>>> from lemmas.symbols import T
>>> th.bound.has(T)
False
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import sympy
from sympy import log

import lemmas
from lemmas.attention import TRANSFORMER_PARAMS, transformer_class
from lemmas.core import Lemma, LemmaError, as_number
from lemmas.objects import NORMS, CoveringNumber, GeneralisationGap, LipschitzInParameters, logplus
from lemmas.symbols import B_f, L_loss, c, delta, eps, n

from .engine import Derivation, DerivationError
from .integrals import logplus_integral

__all__ = ["Variant", "VARIANTS", "Block", "Theorem", "theorem", "what_if", "transformer_covering", "ALL_CONSTANTS",
           "constants_key"]


@dataclass(frozen=True)
class Variant:
    """Which lemma to use at each swappable step."""

    name: str
    description: str
    softmax: str = "softmax-lipschitz"
    perturbation: str = "transformer-perturbation"
    dudley: str = "dudley"


VARIANTS = {
    v.name: v for v in (
        Variant("default", "MATH.md section 5: cited softmax constant 2, Dudley upper limit b = B_f"),
        Variant("sharp-softmax", "sharp softmax constant 1 (54 becomes 27)",
                softmax="softmax-lipschitz-sharp", perturbation="transformer-perturbation-sharp"),
        Variant("dudley-half", "Dudley's integral up to B_f/2 (StatsMLlib's statement; the class is closed "
                               "under negation since w -> -w stays in it)", dudley="dudley-half"),
    )
}

#: every named constant of the chain, with the lemma that owns it
ALL_CONSTANTS = ("c_net", "c_vol", "c_split", "c_sm", "c_alpha", "c_dudley", "c_rad", "c_conf")

BLOCK_NAMES = ("w", "V", "QK")   # the order of the blocks in the perturbation lemma's Lipschitz fact


@dataclass(frozen=True)
class Block:
    """One parameter block of the chain: entropy D log+(C/eps), integrated up to U."""

    name: str
    D: Any
    C: Any
    U: Any
    integral: Any     # sqrt(D) I(C, U)


@dataclass(frozen=True, eq=False)
class Theorem:
    """The composed theorem with the pieces a user inspects."""

    variant: Variant
    constants: tuple
    covering: Derivation
    covering_lemma: Lemma
    derivation: Derivation
    lemma: Lemma
    blocks: tuple
    confidence: Any
    rademacher_term: Any
    rademacher_complexity: Any
    what_if: str = ""          # non-empty: proof constants were lowered; NOT a theorem (says why)

    @property
    def is_theorem(self) -> bool:
        return not self.what_if

    @property
    def failure(self):
        """The bound holds with probability at least 1 - failure (over the sample)."""
        return self.lemma.failure

    @property
    def bound(self):
        return self.derivation.rhs

    @property
    def obligations(self):
        return self.derivation.obligations

    def __repr__(self):
        consts = dict(self.constants)
        extra = f", constants={consts!r}" if consts else ""
        fn = "what_if" if self.what_if else "theorem"
        return f"derive.{fn}({self.variant.name!r}{extra})"

    def _latex(self, printer):
        return printer._print(self.derivation.conclusion)

    def _repr_latex_(self):
        from .latex import latex           # the house printer: the bound in paper form
        return "$\\displaystyle %s$" % latex(self)


def _split_constants(constants: Mapping[str, Any], lemma: Lemma) -> dict:
    own = {c.name for c in lemma.constants}
    return {k: v for k, v in constants.items() if k in own}


def constants_key(constants: Mapping[str, Any] | None, allowed) -> tuple:
    """Validated constant overrides as a sorted tuple of (name, exact positive number).

    Only the names in ``allowed`` are known; values are numbers (never strings: nothing is
    sympified).  Whether a value is *proved* (not below the value its lemma proves) is decided by
    the lemma when it is instantiated, so that the refusal names the lemma.
    """
    constants = dict(constants or {})
    unknown = set(constants) - set(allowed)
    if unknown:
        raise DerivationError(f"unknown constants {sorted(unknown)}; the chain's constants are {list(allowed)}")
    out = []
    for k2, v in sorted(constants.items()):
        try:
            val = as_number(v, f"constant {k2}")
        except LemmaError as exc:
            raise DerivationError(str(exc)) from None
        if not (val.is_number and val.is_finite and val.is_positive):
            raise DerivationError(f"constant {k2} must be a positive finite number, got {v!r}")
        out.append((k2, val))
    return tuple(out)


def _key(constants: Mapping[str, Any] | None) -> tuple:
    return constants_key(constants, ALL_CONSTANTS)


def transformer_covering(variant: str = "default", constants: Mapping[str, Any] | None = None,
                         what_if: bool = False):
    """The covering-number derivation of the transformer class (MATH.md section 4)."""
    return _transformer_covering(_variant(variant).name, _key(constants), what_if)


def _variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise DerivationError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}") from None


@lru_cache(maxsize=None)
def _transformer_covering(variant_name: str, constants: tuple, what_if: bool = False):
    var = VARIANTS[variant_name]
    consts = dict(constants)
    F = transformer_class()
    cov = Derivation("transformer-covering", log(CoveringNumber(F, eps, NORMS["sup"], 1)),
                     title="log N_inf(F_Theta, eps) for the single-head class", what_if=what_if)

    def use(name, **mapping):
        lem = lemmas.get(name)
        return lem, _split_constants(consts, lem), mapping

    lem, cc, _ = use(var.softmax)
    cov.establish(lem, constants=cc)
    lem, cc, _ = use(var.perturbation)
    cov.establish(lem, constants=cc)
    facts = [a for a in cov.facts if isinstance(a, LipschitzInParameters)]
    if len(facts) != 1:
        raise DerivationError(f"expected one Lipschitz fact from {var.perturbation}, got {facts}")
    fact = facts[0]
    _, *triples = fact.args
    mapping = {"F": F, "epsilon": eps}
    for j in range(3):
        S, m, L = triples[3 * j: 3 * j + 3]
        mapping.update({f"S_{j + 1}": S, f"m_{j + 1}": m, f"L_{j + 1}": L})
    lem, cc, _ = use("lipschitz-parameter-cover")
    cov.apply(lem, constants=cc, **mapping)

    terms = {}
    covers = cov.steps[-1].instance.conclusion.rhs
    atoms = [a for a in sympy.Add.make_args(covers)]
    for name, atom in zip(BLOCK_NAMES, atoms_in_order(atoms, triples)):
        N = atom.args[0]
        S, e, norm, _internal = N.args
        if norm == NORMS["spec"]:
            lem, cc, _ = use("cover-spec-by-fro")
            cov.apply(lem, constants=cc, S=S, epsilon=e)
        kind = str(S.args[0])
        if kind == "lowrank":
            n1, n2, r, B = S.args[1:]
            lem, cc, _ = use("low-rank-net-ball")
            cov.apply(lem, constants=cc, n_1=n1, n_2=n2, r=r, B=B, epsilon=e)
        elif kind == "ball":
            kk, R = S.args[1:]
            lem, cc, _ = use("volumetric-net")
            cov.apply(lem, constants=cc, k=kk, R=R, epsilon=e)
        else:
            raise DerivationError(f"no net lemma for the parameter set {S}")
        terms[name] = cov.steps[-1].instance.conclusion.rhs
    cov_lemma = cov.as_lemma(
        "transformer-covering" if variant_name == "default" and not constants else
        f"transformer-covering[{variant_name}{_suffix(constants)}{',what-if' if what_if else ''}]",
        title="log N_inf(F_Theta, eps) <= sum over blocks of D_j log+(C_j/eps)",
        citation="Truong (2024), arXiv:2410.11500 (reconstructed; constants are our choices)",
        family="attention",
        example={sym: 1 for sym in TRANSFORMER_PARAMS} | {eps: sympy.Rational(1, 10)},
    )
    return cov, cov_lemma, terms


def atoms_in_order(atoms, triples):
    """The log N terms of the parameter-cover conclusion, in the order of the Lipschitz fact's blocks."""
    out = []
    for j in range(3):
        S = triples[3 * j]
        match = [a for a in atoms if isinstance(a, log) and a.args[0].args[0] == S]
        if len(match) != 1:
            raise DerivationError(f"could not find the cover of block {BLOCK_NAMES[j]} in {atoms}")
        out.append(match[0])
    return out


def _suffix(constants: tuple) -> str:
    return "".join(f",{k}={v}" for k, v in constants)


def theorem(variant: str = "default", constants: Mapping[str, Any] | None = None) -> Theorem:
    """Compose the generalisation bound of MATH.md section 5 (kept in memory per variant and constants).

    ``constants`` may raise a proof constant (a weaker, still valid theorem), never lower it: a value
    below the one its lemma proves is refused with a :class:`DerivationError` naming the lemma; see
    :func:`what_if` for that.
    """
    return _theorem(_variant(variant).name, _key(constants), False)


def what_if(variant: str = "default", constants: Mapping[str, Any] | None = None) -> Theorem:
    """The chain with proof constants set as given, even below what their lemmas prove: NOT a theorem.

    The result says so (``Theorem.what_if`` names every lowered constant, ``is_theorem`` is False),
    its lemma is never registered, and every output made from it (text, JSON, LaTeX) carries the
    words "not a theorem".  With no lowered constant it is the theorem itself.
    """
    var = _variant(variant).name
    key = _key(constants)
    try:
        return _theorem(var, key, False)
    except DerivationError:
        return _theorem(var, key, True)


@lru_cache(maxsize=None)
def _theorem(variant_name: str, constants: tuple, what_if: bool = False) -> Theorem:
    var = VARIANTS[variant_name]
    consts = dict(constants)
    cov, cov_lemma, terms = _transformer_covering(variant_name, constants, what_if)
    F = transformer_class()
    closed_form = logplus_integral()

    main = Derivation("truong-theorem", GeneralisationGap(F, n),
                      title="rank-dependent generalisation bound for single-head transformers", what_if=what_if)

    def step(name_or_lemma, kind="apply", **mapping):
        lem = lemmas.get(name_or_lemma) if isinstance(name_or_lemma, str) else name_or_lemma
        getattr(main, kind)(lem, constants=_split_constants(consts, lem), **mapping)
        return main.steps[-1]

    gen = step("rademacher-generalisation", F=F, n=n, c=c, delta=delta)
    confidence = _confidence_part(gen)
    step("contraction", F=F, n=n, L_loss=L_loss)
    step("transformer-output-bound", kind="establish")
    dud = step(var.dudley, F=F, n=n, alpha=0, b=B_f)
    U = [lim for integ in dud.instance.conclusion.rhs.atoms(sympy.Integral) for lim in integ.limits][0][2]
    step("cover-L2S-by-sup", F=F, epsilon=eps)
    step(cov_lemma)
    t = [terms[b] for b in BLOCK_NAMES]
    step("sqrt-subadditive-3", a_1=t[0], a_2=t[1], a_3=t[2])
    step("integral-linearity-3", f_1=sympy.sqrt(t[0]), f_2=sympy.sqrt(t[1]), f_3=sympy.sqrt(t[2]), lo=0, hi=U)
    blocks = []
    for name, term in zip(BLOCK_NAMES, t):
        (lp,) = term.atoms(logplus)
        D = term.xreplace({lp: 1})
        C = lp.args[0] * eps
        s = step(closed_form, D=D, C=C, U=U)
        blocks.append(Block(name, D, C, U, s.instance.conclusion.rhs))
    if main.rhs.has(sympy.Integral) or main.rhs.has(CoveringNumber):
        raise DerivationError(f"the chain did not close: {main.rhs}")
    suffix = "" if variant_name == "default" and not constants else \
        f"[{variant_name}{_suffix(constants)}{',what-if' if what_if else ''}]"
    lem = main.as_lemma(
        "truong-theorem" + suffix,
        title="w.p. >= 1 - delta, for all theta in Theta: L(theta) <= L_S(theta) + bound",
        citation="Truong (2024), arXiv:2410.11500, main theorem (reconstructed; constants are our choices)",
        family="theorem",
        example={},
        variant_of="" if not suffix else "truong-theorem",
    )
    rad_term = sympy.Add(main.rhs, -confidence)
    c_rad = dict(constants).get("c_rad", lemmas.get("rademacher-generalisation").constant("c_rad").default)
    return Theorem(var, constants, cov, cov_lemma, main, lem, tuple(blocks), confidence, rad_term,
                   rad_term / c_rad, lem.what_if)


def _confidence_part(gen_step):
    """The confidence term of the generalisation step: its right side with the Rademacher complexity at 0."""
    from lemmas.objects import RademacherComplexity
    rhs = gen_step.instance.conclusion.rhs
    return rhs.xreplace({a: 0 for a in rhs.atoms(RademacherComplexity)})
