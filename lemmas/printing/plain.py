"""Plain text in the paper's notation, for terminals (``rankbound report``): the house objects print as
symbols a reader knows (``N_int(F_Theta, eps, sup)``, ``R_S(l o F)``, ``log+``), products without ``*``
and powers with ``^``.

Examples
--------
>>> import sympy
>>> from lemmas.objects import logplus
>>> from lemmas.symbols import B_X, eps, k
>>> plain(k * logplus(9 * B_X ** 3 / eps))
'k log+(9 B_X^3/eps)'
"""

from __future__ import annotations

import re

from sympy.printing.str import StrPrinter

__all__ = ["plain", "NOTATION"]

#: what the plain-text notation means (printed once by rankbound report)
NOTATION = (
    ("N_int(F, eps, sup)", "the smallest number of points of F (internal) such that every f in F is within eps of "
                           "one of them in the sup norm over all admissible inputs; N(F, eps, L2(S)) uses the "
                           "empirical L2 norm on the sample and any centres (external)"),
    ("R_S(F)", "the empirical Rademacher complexity of F on the sample S"),
    ("l o F", "the loss class {(x, y) -> l(f(x), y) : f in F}"),
    ("gap(F)", "sup over f in F of L(f) - L_S(f): true risk minus empirical risk"),
    ("log+(x)", "max(0, log x)"),
    ("F_Theta, F_Deep", "the single-head class of MATH.md section 1 and the H-head, L-layer class of section 8"),
    ("{W in R^{a x b}: rank <= r, ||W||_F <= B}", "a parameter set (a ball of low-rank matrices)"),
)


class PlainPrinter(StrPrinter):
    """SymPy's str printer with the house objects in paper notation."""

    def _print_logplus(self, e):
        return "log+(%s)" % self._print(e.args[0])

    def _print_FunctionClass(self, e):
        return "F_%s" % e.args[0]

    def _print_LossClass(self, e):
        return "l o %s" % self._print(e.args[0])

    def _print_CoveringNumber(self, e):
        F, eps, norm, internal = e.args
        return "N%s(%s, %s, %s)" % ("_int" if internal == 1 else "", self._print(F), self._print(eps),
                                    {"L2S": "L2(S)", "supS": "sup on S"}.get(str(norm), str(norm)))

    def _print_RademacherComplexity(self, e):
        return "R_S(%s)" % self._print(e.args[0])

    def _print_GeneralisationGap(self, e):
        return "gap(%s)" % self._print(e.args[0])

    def _print_ParameterSet(self, e):
        kind, *a = e.args
        a = [self._print(x) for x in a]
        if str(kind) == "lowrank":
            return "{W in R^{%s x %s}: rank <= %s, ||W||_F <= %s}" % tuple(a)
        if str(kind) == "ball":
            return "{v in R^%s: ||v||_2 <= %s}" % tuple(a)
        return "%s(%s)" % (kind, ", ".join(a))

    def _print_OutputBound(self, e):
        return "|f| <= %s on %s" % (self._print(e.args[1]), self._print(e.args[0]))

    def _print_SoftmaxLipschitz(self, e):
        return "softmax is %s-Lipschitz (l_inf -> l_1)" % self._print(e.args[0])

    def _print_GroupDistance(self, e):
        name, norm, M = e.args
        return "sum_{i <= %s} ||%s_i - %s_i'||_%s" % (self._print(M), name, name, norm)

    def _print_Distance(self, e):
        name, norm = (str(a) for a in e.args)
        return "|f(X) - f'(X)|" if name == "f" else "||%s - %s'||_%s" % (name, name, norm)

    def _print_LipschitzInParameters(self, e):
        terms = ["%s ||d theta_%d||_%s" % (self._print(L), j, norm) for j, (_S, norm, L) in enumerate(e.blocks, 1)]
        return "%s is Lipschitz in its parameters: |df| <= %s, theta_j in %s" % (
            self._print(e.args[0]), " + ".join(terms), ", ".join(self._print(S) for S, _n, _L in e.blocks))

    def _print_GroupLipschitz(self, e):
        terms = ["%s sum_{i <= %s} ||d theta_%d,i||_%s" % (self._print(L), self._print(M), j, norm)
                 for j, (_S, norm, L, M) in enumerate(e.groups, 1)]
        return "%s is Lipschitz in its parameter groups: |df| <= %s" % (self._print(e.args[0]), " + ".join(terms))

    def _print_InputLipschitz(self, e):
        K = self._print(e.args[1])
        return "%s is %s-Lipschitz in its input tokens" % (self._print(e.args[0]), K if " " not in K else "(%s)" % K)

    def _print_Integral(self, e):
        (x, lo, hi), = e.limits
        lo_s, hi_s = (self._print(v) for v in (lo, hi))
        wrap = lambda t: t if re.fullmatch(r"[\w.]+", t) else "(%s)" % t  # noqa: E731
        return "int_%s^%s %s d%s" % (wrap(lo_s), wrap(hi_s), self._print(e.function), self._print(x))

    def _print_Symbol(self, e):
        return "eps" if e.name == "epsilon" else super()._print_Symbol(e)


def plain(expr) -> str:
    """``expr`` in plain paper notation: no ``*`` between factors, ``^`` for powers."""
    s = PlainPrinter({"order": "none"}).doprint(expr)
    s = s.replace("**", "^")
    return re.sub(r"\s*\*\s*", " ", s)
