"""Fast numerical kernels of the comparisons, in Arb arithmetic (python-flint).

The rebuilt prior bounds need a Dudley integral and a one-dimensional root at every parameter
point, often at high precision (``compare --dps 1000``) or with a tiny lower limit (a crossover
at n ~ 1e357).  mpmath in pure Python costs milliseconds per logarithm at 1000 digits; Arb's
are some 30 times faster, so the hot loops run on flint balls:

- :class:`Program`: a SymPy expression in one variable compiled to a short list of flint
  operations (common subexpressions computed once); the subtrees free of the variable are
  hoisted and evaluated once per parameter point (:meth:`Program.bind`, with
  :func:`numeric.backends.arb.arb_eval`).  Real balls (``arb``) for the values, complex balls
  (``acb``, branch cuts checked) for Arb's rigorous integrator.
- :func:`integrate`: Gauss-Legendre on pieces of an interval, of degree 8, 16, 32, ... on each
  piece until two successive rules agree, or three fall geometrically with an extrapolated error
  below the tolerance (relative to the piece's integral: meant for positive integrands); a piece
  that does not converge is halved.  Not rigorous (the certified integrals use
  ``flint.acb.integral``), but never silent: a piece that does not converge after a few halvings
  raises :class:`~numeric.errors.NotCertified`.  The nodes are cached per degree.
- :func:`log_pieces`: breakpoints for an integral over log(eps) from a tiny lower limit: the
  integrands' singularities sit near the upper end, so the pieces double in length away from it.
- :func:`bracketed_root` and :func:`ramped_root`: safeguarded secant steps in a sign bracket; the
  ramped version raises the working precision with the digits already found, so a root to 1000
  digits costs about three evaluations at 1000 digits (one step and two probes that confirm the
  sign change within the tolerance).

Examples
--------
>>> import flint, sympy
>>> from numeric.backends.arb import working_precision
>>> x, a = sympy.symbols("x a", positive=True)
>>> prog = Program(sympy.sqrt(a * x + 1) / x, x)
>>> with working_precision(200):
...     f = prog.bind({a: flint.arb(3)})
...     q = integrate(f, flint.arb(1), flint.arb(2), digits=50)
>>> import mpmath
>>> with mpmath.workdps(60):                  # the antiderivative 2 s + log((s - 1)/(s + 1)), s = sqrt(3x + 1)
...     s7 = mpmath.sqrt(7)
...     exact = 2 * s7 - 4 + mpmath.log(3 * (s7 - 1) / (s7 + 1))
...     bool(abs(to_mpf(q) - exact) < mpmath.mpf(10) ** -49)
True
"""

from __future__ import annotations

import operator

import flint
import mpmath
import sympy

from numeric.errors import NotCertified

__all__ = ["Program", "integrate", "log_pieces", "bracketed_root", "ramped_root", "to_mpf", "from_mpf"]


# -- conversions (exact) ----------------------------------------------------------------------------------
def from_mpf(x) -> "flint.arb":
    """An mpf as an exact ball (its dyadic value; no rounding when flint's precision >= the mpf's)."""
    x = mpmath.mpf(x)
    if not mpmath.isfinite(x):
        raise NotCertified(f"a non-finite number {x} where a finite one was expected")
    sign, man, exp, _ = x._mpf_
    m = flint.arb(-int(man) if sign else int(man))
    return m * flint.arb(2) ** int(exp) if exp >= 0 else m / flint.arb(2) ** int(-exp)


def to_mpf(ball) -> "mpmath.mpf":
    """The midpoint of a finite ball as an mpf (rounded to mpmath's current precision)."""
    if not ball.is_finite():
        raise NotCertified(f"a non-finite ball {ball} where a number was expected")
    man, exp = ball.mid().man_exp()
    return mpmath.mpf((int(man), int(exp)))


# -- compiled programs --------------------------------------------------------------------------------------
class Program:
    """``expr`` as a function of ``var``: a list of flint operations, the ``var``-free subtrees hoisted.

    ``bind(values)`` evaluates the hoisted subtrees at ``values`` (Symbol -> arb, at flint's current
    precision) and returns ``f(z)``; with ``complex_=True`` the balls are ``acb`` and ``sqrt``/``log``
    check their branch cuts (``analytic=True``), as ``flint.acb.integral`` requires.
    """

    def __init__(self, expr, var):
        self.expr, self.var = expr, var
        self.hoisted: list = []          # SymPy expressions free of var (their values: registers 1..m)
        self._code: list = []            # (kind, register indices or an int power)
        regs: dict = {}
        consts: dict = {}

        def const(e):
            if e not in consts:
                consts[e] = len(self.hoisted)
                self.hoisted.append(e)
            return ("c", consts[e])

        def emit(op):
            if op not in regs:
                regs[op] = len(self._code)
                self._code.append(op)
            return ("r", regs[op])

        def walk(e):
            if e == var:
                return ("z", 0)
            if not e.has(var):
                return const(e)
            if isinstance(e, (sympy.Add, sympy.Mul)):
                fixed = [a for a in e.args if not a.has(var)]        # folded into one hoisted constant
                args = ([const(e.func(*fixed))] if fixed else []) + [walk(a) for a in e.args if a.has(var)]
                out = args[0]
                for a in args[1:]:
                    out = emit(("add" if isinstance(e, sympy.Add) else "mul", out, a))
                return out
            if isinstance(e, sympy.Pow):
                base, ex = e.args
                b = walk(base)
                if ex.has(var):
                    return emit(("exp", emit(("mul", emit(("log", b)), walk(ex)))))
                if ex.is_Integer:
                    return emit(("ipow", b, int(ex)))
                if ex == sympy.S.Half:
                    return emit(("sqrt", b))
                if ex == -sympy.S.Half:
                    return emit(("rsqrt", b))
                return emit(("exp", emit(("mul", emit(("log", b)), const(ex)))))
            if isinstance(e, sympy.log) and len(e.args) == 1:
                return emit(("log", walk(e.args[0])))
            if isinstance(e, sympy.exp):
                k = sympy.simplify(e.args[0] / var)
                if k.is_Integer and k != 1:                     # exp(k u) = exp(u)^k: one exp per point
                    return emit(("ipow", walk(sympy.exp(var)), int(k)))
                return emit(("exp", walk(e.args[0])))
            raise NotCertified(f"the Arb kernels cannot compile {type(e).__name__}: {sympy.sstr(e)[:200]}")

        self._out = walk(expr)

    def bind(self, values, complex_: bool = False):
        """``f(z)`` with the hoisted subtrees evaluated at ``values`` (Symbol -> arb)."""
        from numeric.backends.arb import arb_eval
        cs = [arb_eval(h, values) for h in self.hoisted]
        if complex_:
            cs = [flint.acb(c) for c in cs]
            sqrt = lambda x: x.sqrt(analytic=True)        # noqa: E731
            log = lambda x: x.log(analytic=True)          # noqa: E731
        else:
            sqrt, log = flint.arb.sqrt, flint.arb.log
        unary = {"sqrt": sqrt, "log": log, "exp": lambda x: x.exp(), "rsqrt": lambda x: x.rsqrt()}
        binary = {"add": operator.add, "mul": operator.mul}

        def ref(a):
            kind, i = a
            if kind == "c":
                v = cs[i]
                return lambda R, z: v
            if kind == "z":
                return lambda R, z: z
            return lambda R, z: R[i]

        ops = []
        for op in self._code:
            kind = op[0]
            if kind in binary:
                f, x, y = binary[kind], ref(op[1]), ref(op[2])
                ops.append(lambda R, z, f=f, x=x, y=y: f(x(R, z), y(R, z)))
            elif kind == "ipow":
                x, k = ref(op[1]), op[2]
                ops.append(lambda R, z, x=x, k=k: x(R, z) ** k)
            else:
                f, x = unary[kind], ref(op[1])
                ops.append(lambda R, z, f=f, x=x: f(x(R, z)))
        out = ref(self._out)

        def f(z):
            R = []
            for op in ops:
                R.append(op(R, z))
            return out(R, z)

        return f


# -- quadrature ---------------------------------------------------------------------------------------------
_NODES: dict = {}          # degree -> (prec, [(x_k, w_k) for the nonnegative roots])


def _gl_nodes(degree: int, prec: int):
    cached = _NODES.get(degree)
    if cached is not None and cached[0] >= prec:
        return cached[1]
    saved = flint.ctx.prec
    flint.ctx.prec = prec + 16
    try:
        nodes = [flint.arb.legendre_p_root(degree, k, weight=True) for k in range((degree + 1) // 2)]
    finally:
        flint.ctx.prec = saved
    _NODES[degree] = (prec, nodes)
    return nodes


def _gl(f, a, b, degree, prec):
    nodes = _gl_nodes(degree, prec)
    c, h = (a + b) / 2, (b - a) / 2
    s = 0
    for k, (x, w) in enumerate(nodes):
        if degree % 2 == 1 and k == len(nodes) - 1:        # the middle root, 0
            s += w * f(c)
        else:
            hx = h * x
            s += w * (f(c + hx) + f(c - hx))
    return h * s


def _piece(f, lo, hi, tol, prec, max_degree):
    """Gauss-Legendre of degree 8, 16, 32, ... on [lo, hi] until converged; None if not by max_degree.

    Accepted when two successive rules agree to ``tol`` (relative), or when the last three fall
    geometrically and the extrapolated error of the last, d2 (d2/d1)^2, is below ``tol``.
    """
    q0 = q1 = None
    degree = 8
    while degree <= max_degree:
        q2 = _gl(f, lo, hi, degree, prec)
        if not q2.is_finite():
            raise NotCertified(f"the integrand is not finite on [{lo.mid().str(8)}, {hi.mid().str(8)}]")
        q2 = q2.mid()
        if q1 is not None:
            scale = tol * abs(q2)
            d2 = abs(q2 - q1)
            if d2 <= scale:
                return q2
            if q0 is not None:
                d1 = abs(q1 - q0)
                if d2 < d1 and d2 * (d2 / d1) ** 2 <= scale:
                    return q2
        q0, q1 = q1, q2
        degree *= 2
    return None


def integrate(f, a, b, digits: int, breakpoints=(), max_depth: int = 16):
    """``int_a^b f`` (f real-valued on arb balls) to about ``digits`` relative digits, as an exact arb
    (the quadrature's value; its error is estimated, not enclosed in a radius).

    Each piece between consecutive breakpoints gets Gauss-Legendre rules of doubling degree until
    they converge (:func:`_piece`); a piece that does not converge by degree ~2 digits + 64 is
    halved, at most ``max_depth`` times, then :class:`NotCertified` is raised.
    """
    prec = flint.ctx.prec
    tol = flint.arb(10) ** (-digits)
    max_degree = 2 * digits + 64
    pts = [a] + [p for p in breakpoints if a < p < b] + [b]
    total = flint.arb(0)
    stack = [(pts[i], pts[i + 1], 0) for i in range(len(pts) - 1)]
    while stack:
        lo, hi, depth = stack.pop()
        q = _piece(f, lo, hi, tol, prec, max_degree)
        if q is not None:
            total += q
            continue
        if depth >= max_depth:
            raise NotCertified(f"the quadrature did not converge to {digits} digits on "
                               f"[{lo.mid().str(8)}, {hi.mid().str(8)}]")
        mid = ((lo + hi) / 2).mid()
        stack += [(lo, mid, depth + 1), (mid, hi, depth + 1)]
    return total


def log_pieces(ua, ub, first: float = 2.0):
    """Breakpoints in (ua, ub) at ub - first * 2^j: pieces that double in length away from ub."""
    out = []
    step = first
    while True:
        p = ub - step
        if not p > ua:
            break
        out.append(p)
        step *= 2
    return sorted(out, key=lambda x: x.mid())


# -- roots --------------------------------------------------------------------------------------------------
def _secant(x0, f0, x1, f1):
    """The secant point from (x0, f0), (x1, f1), or None."""
    return None if f1 == f0 else x1 - f1 * (x1 - x0) / (f1 - f0)


def _search(F, lo, f_lo, hi, f_hi, tol, digits_for, trusted, max_steps):
    """The root search shared by :func:`bracketed_root` and :func:`ramped_root` (see there)."""
    x0, f0, x1, f1 = lo, f_lo, hi, f_hi
    slow = False
    for _ in range(max_steps):
        if hi - lo <= 3 * tol:          # 2 tol after the probes, up to rounding
            x = _secant(lo, f_lo, hi, f_hi)
            return x if x is not None and lo <= x <= hi else (lo + hi) / 2
        x2 = None if slow else _secant(x0, f0, x1, f1)
        if x2 is not None and abs(x2 - x1) < tol and lo <= x2 <= hi:
            # converged, by the step: confirm by the signs at x2 -+ tol (a short step alone proves nothing,
            # a steep far bracket end makes one too)
            probes = [(p, F(p, digits_for(tol, tol, p))) for p in (x2 - tol, x2 + tol) if lo < p < hi]
            for p, fp in probes:
                if not trusted(fp, p, digits_for(tol, tol, p)):
                    return x2                  # f is at its noise level within tol of x2: the root is there
                if fp > 0:
                    lo, f_lo = p, fp
                else:
                    hi, f_hi = p, fp
            if len(probes) == 2:
                (x0, f0), (x1, f1) = probes
            slow = False
            continue
        if x2 is None or not lo < x2 < hi:
            x2 = (lo + hi) / 2
        digits = digits_for(abs(x2 - x1), abs(x1 - x0), x2)
        f2 = F(x2, digits)
        slow = not slow and abs(f2) > abs(f1) / 2
        if trusted(f2, x2, digits):
            if f2 > 0:
                lo, f_lo = x2, f2
            else:
                hi, f_hi = x2, f2
        x0, f0, x1, f1 = x1, f1, x2, f2
    raise NotCertified(f"the root was not found to {mpmath.nstr(tol, 3)} in {max_steps} steps")


def bracketed_root(f, lo, f_lo, hi, f_hi, tol, max_steps: int = 400):
    """A root of f in [lo, hi] with f(lo) > 0 >= f(hi) (mpf), to ``tol``: the bracket ends within 3 tol.

    Secant steps from the last two points, kept inside the shrinking bracket; a bisection instead
    when a step leaves it or the last step did not halve |f| (a slow secant phase costs at most
    every other step; the fast phase is untouched).  A step smaller than ``tol`` is lengthened to
    ``tol``, so convergence is confirmed by a sign change, never assumed from a short step (which
    a far, steep bracket end produces too).
    """
    return _search(lambda x, _: f(x), lo, f_lo, hi, f_hi, tol, lambda s1, s0, x: None,
                   lambda fx, x, d: fx != 0, max_steps)


def _rel_digits(step, x, cap):
    if step == 0:
        return cap
    return max(0, min(cap, int(-mpmath.log10(step / max(abs(x), 1)))))


def ramped_root(F, lo, f_lo, hi, f_hi, dps: int, tol, guard: int = 10, min_digits: int = 20,
                max_steps: int = 400):
    """As :func:`bracketed_root`, with F evaluated at a precision that rises with the digits settled.

    ``F(x, digits)`` evaluates at ``digits`` significant digits (``f_lo``, ``f_hi`` at ``min_digits``).
    The error of a secant step is about the product of the last two steps, so each new point is
    evaluated at the digits those two settled plus ``guard``, from ``min_digits`` up to ``dps``: a
    root to 1000 digits costs about three evaluations at 1000 digits.  A value too small for its
    sign to be trusted at its precision does not move the bracket.
    """
    def digits_for(s1, s0, x):
        return min(dps, max(min_digits, _rel_digits(s1, x, dps) + _rel_digits(s0, x, dps) + guard))

    def trusted(fx, x, digits):
        with mpmath.workdps(digits):
            return fx != 0 and abs(fx) > mpmath.mpf(10) ** (guard - digits) * max(abs(x), 1)

    return _search(F, lo, f_lo, hi, f_hi, tol, digits_for, trusted, max_steps)
