"""Symbolic objects the lemmas talk about.

These stay unevaluated until :mod:`derive` applies a lemma that bounds them, so
every step of a derivation can be printed and checked on its own.

Examples
--------
>>> from lemmas.objects import logplus
>>> logplus(3)
log(3)
>>> logplus(sympy.Rational(1, 2))
0
"""

from __future__ import annotations

import sympy
from sympy import Function, S, Symbol

__all__ = [
    "logplus",
    "FunctionClass",
    "ParameterSet",
    "Norm",
    "Tag",
    "CoveringNumber",
    "RademacherComplexity",
    "GeneralisationGap",
    "LossClass",
    "OutputBound",
    "LipschitzInParameters",
    "NORMS",
    "SoftmaxLipschitz",
    "Distance",
    "SupNorm",
    "log_covering",
    "GroupDistance",
    "GroupLipschitz",
    "InputLipschitz",
    "sum_norm",
]


class logplus(Function):
    r"""``log+(x) = max(0, log x)`` for ``x > 0``.

    Nonnegative and nondecreasing; it vanishes for ``x <= 1``, which is what
    makes the Dudley integral stop at ``eps = C``.
    """

    nargs = 1
    is_extended_real = True
    is_extended_nonnegative = True
    monotonicity = (1,)          # nondecreasing in its argument (read by derive.monotone)

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_positive:
            if (x - 1).is_nonpositive:
                return S.Zero
            if (x - 1).is_positive:
                return sympy.log(x)
        return None

    def _eval_is_zero(self):
        x = self.args[0]
        if (x - 1).is_nonpositive:
            return True
        if (x - 1).is_positive:
            return False
        return None

    def _latex(self, printer):
        return r"\log_+\!\left(%s\right)" % printer._print(self.args[0])


class _Named(Function):
    """A symbolic object identified by a name and parameters (no evaluation)."""

    _latex_template = None

    @property
    def label(self) -> str:
        return str(self.args[0])


class FunctionClass(_Named):
    r"""A function class, e.g. ``FunctionClass(Symbol('Theta'), d, k, ...)``.

    The first argument is the class's name, the rest its parameters.
    """

    def _latex(self, printer):
        name = str(self.args[0])
        return r"\mathcal{F}_{\mathrm{%s}}" % name.replace("_", r"\_")


class ParameterSet(_Named):
    r"""A set of parameters (matrices or vectors), e.g. a rank-r Frobenius ball.

    ``ParameterSet(Symbol('lowrank'), n1, n2, r, B)`` is
    ``{W in R^{n1 x n2}: rank W <= r, ||W||_F <= B}``;
    ``ParameterSet(Symbol('lowrank_sphere'), n1, n2, r)`` its unit sphere;
    ``ParameterSet(Symbol('ball'), k, R)`` the radius-R Euclidean ball in R^k.
    """

    def _latex(self, printer):
        kind = str(self.args[0])
        a = [printer._print(x) for x in self.args[1:]]
        if kind == "lowrank":
            return (r"\{W\in\mathbb{R}^{%s\times %s}:\operatorname{rank}W\le %s,\ \|W\|_F\le %s\}"
                    % tuple(a))
        if kind == "lowrank_sphere":
            return (r"\{W\in\mathbb{R}^{%s\times %s}:\operatorname{rank}W\le %s,\ \|W\|_F=1\}"
                    % tuple(a))
        if kind == "ball":
            return r"\{v\in\mathbb{R}^{%s}:\|v\|_2\le %s\}" % tuple(a)
        return r"\Theta_{\mathrm{%s}}(%s)" % (kind.replace("_", r"\_"), ", ".join(a))


class Tag(Symbol):
    """A label inside a symbolic object (a class name, a norm kind): not a parameter."""


class Norm(Tag):
    """A norm marker used as the metric of a covering number."""


NORMS = {
    "sup": Norm("sup"),          # sup over all admissible inputs (parameter-space covers)
    "L2S": Norm("L2S"),          # empirical L2(S) norm
    "fro": Norm("fro"),          # Frobenius norm on matrices / Euclidean on vectors
    "spec": Norm("spec"),        # spectral norm
}

_NORM_LATEX = {
    "sup": r"\|\cdot\|_\infty",
    "L2S": r"L_2(S)",
    "fro": r"\|\cdot\|_F",
    "spec": r"\|\cdot\|_2",
}


class CoveringNumber(Function):
    r"""``CoveringNumber(F, eps, norm, internal)``: the eps-covering number.

    ``internal`` is 1 when the net must lie inside ``F`` (the perturbation lemma
    needs both parameters in the class), 0 for external covers.
    """

    nargs = 4
    is_extended_real = True
    is_extended_positive = True
    #: nonincreasing in the scale eps; the class, the norm and the internal flag are not numbers
    monotonicity = (None, -1, None, None)

    def _latex(self, printer):
        F, eps, norm, internal = self.args
        sub = r"^{\mathrm{int}}" if internal == 1 else ""
        return r"\mathcal{N}%s\left(%s, %s, %s\right)" % (
            sub, printer._print(F), printer._print(eps), _NORM_LATEX.get(str(norm), str(norm)))


class RademacherComplexity(Function):
    r"""``RademacherComplexity(F, n)``: the empirical Rademacher complexity R_S(F)."""

    nargs = 2
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        return r"\widehat{\mathfrak{R}}_S\left(%s\right)" % printer._print(self.args[0])


class LossClass(Function):
    r"""``LossClass(F)``: the loss class l o F."""

    nargs = 1

    def _latex(self, printer):
        return r"\ell\circ %s" % printer._print(self.args[0])


class GeneralisationGap(Function):
    r"""``GeneralisationGap(F, n)``: sup over f in F of L(f) - L_S(f)."""

    nargs = 2
    is_extended_real = True

    def _latex(self, printer):
        return r"\sup_{f\in %s}\big(L(f)-\widehat{L}_S(f)\big)" % printer._print(self.args[0])


class OutputBound(Function):
    """Fact atom: every f in ``F`` satisfies ``|f| <= b`` (so ``||f||_{L2(S)} <= b``)."""

    nargs = 2

    def follows_from(self, conclusion) -> bool:
        """Read off ``SupNorm(F) <= b``."""
        F, b = self.args
        return _is_le(conclusion, SupNorm(F), b)

    def _latex(self, printer):
        return r"\sup_{f\in %s}\|f\|_\infty\le %s" % tuple(printer._print(a) for a in self.args)


class LipschitzInParameters(Function):
    """Fact atom: ``|f_theta - f_theta'| <= sum_j L_j ||theta_j - theta_j'||`` on ``F``.

    Arguments: the class, then alternating (parameter set, its norm, L_j) triples.  It is read off a
    conclusion ``Distance(f, abs) <= sum_j L_j Distance(theta_j, norm_j)``: the Lipschitz
    constants and norms of the fact must be exactly the conclusion's coefficients (the parameter
    sets are the class's own, stated by its hypotheses).
    """

    @property
    def blocks(self) -> tuple:
        """The (parameter set, norm, Lipschitz constant) triples."""
        rest = self.args[1:]
        return tuple(tuple(rest[i:i + 3]) for i in range(0, len(rest), 3))

    def follows_from(self, conclusion) -> bool:
        return not self.explain(conclusion)

    def explain(self, conclusion) -> str:
        """Why the fact does not follow from ``conclusion`` ('' when it does)."""
        bad = [str(norm) for _S, norm, _L in self.blocks if not isinstance(norm, Norm)]
        if bad:
            return (f"the norms {bad} are not Norm objects: use lemmas.objects.NORMS['fro'], NORMS['spec'] (a plain Tag "
                    f"prints the same but is another object, so the net lemmas would not match)")
        if not self._matches(conclusion):
            return ("its Lipschitz constants and norms are not the coefficients of Distance(f, abs) <= "
                    "sum_j L_j Distance(theta_j, norm_j) in the conclusion")
        return ""

    def _matches(self, conclusion) -> bool:
        if not (isinstance(conclusion, sympy.core.relational.Relational) and conclusion.rel_op in ("<=", "<")):
            return False
        if conclusion.lhs != Distance(Tag("f"), Tag("abs")):
            return False
        terms = {}
        for term in sympy.Add.make_args(sympy.expand(conclusion.rhs)):
            dists = [a for a in sympy.Mul.make_args(term) if isinstance(a, Distance)]
            if len(dists) != 1:
                return False
            coeff = sympy.Mul(*[a for a in sympy.Mul.make_args(term) if not isinstance(a, Distance)])
            kind = _DIST_NORM.get(str(dists[0].args[1]))
            terms.setdefault(kind, []).append(coeff)
        want = {}
        for _S, norm, L in self.blocks:
            want.setdefault(str(norm), []).append(L)
        if set(terms) != set(want):
            return False
        return all(sorted(map(sympy.srepr, map(sympy.expand, terms[k]))) ==
                   sorted(map(sympy.srepr, map(sympy.expand, want[k]))) for k in want)


    def _latex(self, printer):
        F = self.args[0]
        rest = self.args[1:]
        terms = []
        for i in range(0, len(rest), 3):
            terms.append(r"%s\,\|\Delta\theta_{%d}\|" % (printer._print(rest[i + 2]), i // 3 + 1))
        return r"%s\text{ is Lipschitz: } |\Delta f|\le %s" % (printer._print(F), " + ".join(terms))


class SoftmaxLipschitz(Function):
    """Fact atom: ||softmax(u) - softmax(u')||_1 <= c ||u - u'||_inf for all T and u, u' in R^T."""

    nargs = 1

    def follows_from(self, conclusion) -> bool:
        """Read off ``Distance(softmax, l1) <= c Distance(u, inf)``."""
        return _is_le(conclusion, Distance(Tag("softmax"), Tag("l1")), self.args[0] * Distance(Tag("u"), Tag("inf")))

    def _latex(self, printer):
        return r"\|\operatorname{softmax}(u)-\operatorname{softmax}(u')\|_1\le %s\|u-u'\|_\infty" % (
            printer._print(self.args[0]))


class Distance(Function):
    r"""``Distance(name, norm)``: the distance between two instances of a quantity.

    ``Distance(Symbol('W_V'), Symbol('spec'))`` is ``||W_V - W_V'||_2``;
    ``Distance(Symbol('f'), Symbol('abs'))`` is ``|f_theta(X) - f_theta'(X)|``;
    ``Distance(Symbol('softmax'), Symbol('l1'))`` is ``||softmax(u) - softmax(u')||_1``.
    """

    nargs = 2
    is_extended_real = True
    is_extended_nonnegative = True

    _SUB = {"spec": "_2", "fro": "_F", "l2": "_2", "l1": "_1", "inf": r"_\infty", "abs": ""}
    _NAME = {"f": r"f_\theta(X)", "fp": r"f_{\theta'}(X)", "softmax": r"\operatorname{softmax}(u)",
             "u": "u", "w": "w", "W_V": "W_V", "W_QK": "W_{QK}"}

    def _latex(self, printer):
        name, norm = str(self.args[0]), str(self.args[1])
        if name == "f":
            return r"\left|f_\theta(X)-f_{\theta'}(X)\right|"
        if name == "softmax":
            return r"\left\|\operatorname{softmax}(u)-\operatorname{softmax}(u')\right\|_1"
        base = self._NAME.get(name, name)
        return r"\left\|%s-%s'\right\|%s" % (base, base, self._SUB.get(norm, ""))


class SupNorm(Function):
    """``SupNorm(F)``: sup over f in F and admissible inputs X of |f(X)|."""

    nargs = 1
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        return r"\sup_{f\in %s}\|f\|_\infty" % printer._print(self.args[0])


def log_covering(F, eps, norm, internal=1):
    """``log N(F, eps, norm)``: ``norm`` a :class:`Norm` or a key of :data:`NORMS`; ``internal`` 1 or 0.

    >>> log_covering(FunctionClass(Tag("toy")), Symbol("e", positive=True), "sup")
    log(CoveringNumber(FunctionClass(toy), e, sup, 1))
    """
    if isinstance(norm, str):
        norm = NORMS[norm]
    return sympy.log(CoveringNumber(F, eps, norm, internal))


#: the norm of a parameter distance, by the Distance atom's norm tag (vectors: l2 is Frobenius)
_DIST_NORM = {"l2": "fro", "fro": "fro", "spec": "spec", "l1": "l1", "inf": "inf"}


def _is_le(conclusion, lhs, rhs) -> bool:
    """``conclusion`` is ``lhs <= rhs`` (or ``<``) up to expansion."""
    if not (isinstance(conclusion, sympy.core.relational.Relational) and conclusion.rel_op in ("<=", "<")):
        return False
    return conclusion.lhs == lhs and sympy.expand(conclusion.rhs - rhs) == 0


class GroupDistance(Function):
    r"""``GroupDistance(name, norm, M)``: the sum over ``M`` parameter blocks of one kind of ``||theta_i - theta_i'||``.

    ``GroupDistance(Tag("W_V"), Tag("spec"), H)`` is ``sum_{h=1}^{H} ||W_{V,h} - W_{V,h}'||_2``.
    """

    nargs = 3
    is_extended_real = True
    is_extended_nonnegative = True

    def _latex(self, printer):
        name, norm, M = self.args
        sub = Distance._SUB.get(str(norm), "")
        return r"\sum_{i=1}^{%s}\left\|%s_i-%s_i'\right\|%s" % (printer._print(M), str(name).replace("_", r"\_"),
                                                                 str(name).replace("_", r"\_"), sub)


class GroupLipschitz(Function):
    """Fact atom: ``|f_theta - f_theta'| <= sum_j L_j sum_{i=1}^{M_j} ||theta_{j,i} - theta_{j,i}'||`` on ``F``.

    The parameters come in groups of identical blocks (heads, layers): group j has ``M_j`` blocks, each
    ranging over the set ``S_j`` with distances in ``norm_j``.  Arguments: the class, then
    (S_j, norm_j, L_j, M_j) quadruples.  It is read off a conclusion
    ``Distance(f, abs) <= sum_j L_j GroupDistance(name_j, norm_j, M_j)``.
    """

    def _latex(self, printer):
        terms = [r"%s\sum_{i\le %s}\|\Delta\theta_{%d,i}\|" % (printer._print(L), printer._print(M), j)
                 for j, (_S, _n, L, M) in enumerate(self.groups, 1)]
        return r"%s\text{ is Lipschitz: } |\Delta f|\le %s" % (printer._print(self.args[0]), " + ".join(terms))

    @property
    def groups(self) -> tuple:
        """The (parameter set, norm, Lipschitz constant, multiplicity) quadruples."""
        rest = self.args[1:]
        return tuple(tuple(rest[i:i + 4]) for i in range(0, len(rest), 4))

    def follows_from(self, conclusion) -> bool:
        return not self.explain(conclusion)

    def explain(self, conclusion) -> str:
        bad = [str(norm) for _S, norm, _L, _M in self.groups if not isinstance(norm, Norm)]
        if bad:
            return f"the norms {bad} are not Norm objects (use lemmas.objects.NORMS)"
        lhs = self.args[0]
        want_lhs = Distance(Tag("f"), Tag("abs")) if not _is_layer(lhs) else Distance(Tag(str(lhs.args[0]) + "(X)"),
                                                                                      Tag("2inf"))
        if not (isinstance(conclusion, sympy.core.relational.Relational) and conclusion.rel_op in ("<=", "<")
                and conclusion.lhs == want_lhs):
            return f"the conclusion is not an upper bound on {want_lhs}"
        have = {}
        for term in sympy.Add.make_args(sympy.expand(conclusion.rhs)):
            dists = [a for a in sympy.Mul.make_args(term) if isinstance(a, GroupDistance)]
            if len(dists) != 1:
                return f"the term {term} of the conclusion is not L * GroupDistance(...)"
            coeff = sympy.Mul(*[a for a in sympy.Mul.make_args(term) if not isinstance(a, GroupDistance)])
            _name, norm, M = dists[0].args
            have.setdefault((_DIST_NORM.get(str(norm)), sympy.srepr(sympy.expand(M))), []).append(
                sympy.srepr(sympy.expand(coeff)))
        want = {}
        for _S, norm, L, M in self.groups:
            want.setdefault((str(norm), sympy.srepr(sympy.expand(M))), []).append(sympy.srepr(sympy.expand(L)))
        if {k: sorted(v) for k, v in have.items()} != {k: sorted(v) for k, v in want.items()}:
            return ("its Lipschitz constants, norms and multiplicities are not those of the conclusion "
                    f"(conclusion: {have}; fact: {want})")
        return ""


def _is_layer(F) -> bool:
    return isinstance(F, FunctionClass) and str(F.args[0]) in ("HiddenLayer", "Readout")


class InputLipschitz(Function):
    """Fact atom: the layer map ``G`` is ``K``-Lipschitz in its input tokens in ``||.||_{2,inf}``
    (the largest token norm), read off ``Distance(G(X), 2inf) <= K Distance(X, 2inf)``."""

    nargs = 2

    def _latex(self, printer):
        G, K = self.args
        return r"%s\text{ is }%s\text{-Lipschitz in its input}" % (printer._print(G), printer._print(K))

    def follows_from(self, conclusion) -> bool:
        G, K = self.args
        lhs = Distance(Tag(str(G.args[0]) + "(X)"), Tag("2inf")) if isinstance(G, FunctionClass) else None
        return lhs is not None and _is_le(conclusion, lhs, K * Distance(Tag("X"), Tag("2inf")))


def sum_norm(norm) -> "Norm":
    """The norm of a group of blocks: the sum of the blocks' ``norm`` distances."""
    return Norm("sum_" + str(norm))
