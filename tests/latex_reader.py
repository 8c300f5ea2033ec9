r"""A small reader for the LaTeX that rankbound's house printer emits (the round-trip oracle).

Why not ``sympy.parsing.latex.parse_latex``: in this environment neither backend reads our
output.  SymPy 1.14's ANTLR backend requires ``antlr4-python3-runtime`` 4.11 exactly (4.13 is
installed, and the generated parser refuses other runtimes), and its Lark backend reads neither
Greek letters (``\sigma``, ``\pi``) nor ``d`` as a variable (it is the differential), nor
undefined functions such as ``erfc``.  So the round trip goes through this *canonical form*
reader instead: it is written independently of the printer (it shares no code with
``lemmas/printing``), reads exactly the subset the printer uses for bounds, and fails loudly on
anything else.  ``tests/derive/latex/test_display.py`` has a strict xfail that turns into a failure the
day ``parse_latex`` can read the bound, so this module can then be retired.

Grammar (whitespace and ``\left``, ``\right``, ``\Bigl``, ``\Bigr``, ``\!``, ``\,``, ``\quad``
ignored)::

    expr     := ['-'] term (('+' | '-') term)*
    term     := power ((['\cdot'] power) | ('/' power))*        juxtaposition multiplies
    power    := primary ['^' (group | digit | letter)]
    primary  := number | symbol | '\pi' | '\frac' group group | '\sqrt' ['[' expr ']'] group
              | '(' expr ')' | '{' expr '}' | '\log' arg | '\log_+' arg
              | '\operatorname{erfc}' arg | 'I' '(' expr ',' expr ')' | cases
              | '\left|' expr '\right|'
    cases    := '\begin{cases}' row ('\\' row)* '\end{cases}'
    row      := expr '&' ('\text{if }' expr rel expr | '\text{otherwise}')

Symbols are read as their exact LaTeX text (``B_{QK}``, ``L_{\sigma}``, ``c_{\mathrm{net}}``) and
looked up in a table the caller supplies; an unknown symbol is an error.
"""

from __future__ import annotations

import re

import sympy

from lemmas.objects import logplus

__all__ = ["read", "ReaderError", "dudley_I"]


class ReaderError(ValueError):
    """The text is outside the subset this reader accepts."""


class dudley_I(sympy.Function):
    """I(C, U) of MATH.md section 5, kept symbolic; tests evaluate it by quadrature."""

    nargs = 2


_TOKEN = re.compile(r"\\left\||\\right\||\\\\|\\[A-Za-z]+|\\.|\d+(?:\.\d+)?|[A-Za-z]|[{}()\[\]^_+\-/&,<>='|]|\s+")
_SKIP = {r"\left", r"\right", r"\Bigl", r"\Bigr", r"\bigl", r"\bigr", r"\!", r"\,", r"\;", r"\quad",
         r"\qquad", r"\displaystyle"}
_GREEK = {r"\alpha", r"\beta", r"\gamma", r"\delta", r"\varepsilon", r"\epsilon", r"\sigma", r"\ell",
          r"\theta", r"\lambda", r"\mu", r"\tau", r"\rho", r"\Lambda"}
_REL = {r"\le": sympy.Le, r"\leq": sympy.Le, r"\ge": sympy.Ge, r"\geq": sympy.Ge, "<": sympy.Lt, ">": sympy.Gt}


def _tokens(tex: str) -> list[str]:
    out, i = [], 0
    while i < len(tex):
        m = _TOKEN.match(tex, i)
        if not m:
            raise ReaderError(f"cannot read {tex[i:i + 20]!r}")
        t = m.group(0)
        i = m.end()
        if t.isspace() or t in _SKIP:
            continue
        out.append(t)
    return out


class _Reader:
    def __init__(self, tex: str, symbols: dict):
        self.toks = _tokens(tex)
        self.i = 0
        self.symbols = symbols

    # -- cursor --------------------------------------------------------------------------------
    def peek(self, k: int = 0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        t = self.peek()
        if t is None or (expected is not None and t != expected):
            raise ReaderError(f"expected {expected!r} at token {self.i}, got {t!r}: {' '.join(self.toks[self.i:self.i + 8])}")
        self.i += 1
        return t

    def raw_group(self) -> str:
        """The raw text of a brace group (tokens joined), for symbol names."""
        self.take("{")
        depth, parts = 1, []
        while True:
            t = self.take()
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    return "".join(parts)
            parts.append(t)

    # -- grammar -------------------------------------------------------------------------------
    def expr(self):
        sign = 1
        if self.peek() == "-":
            self.take()
            sign = -1
        value = sign * self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            t = self.term()
            value = value + t if op == "+" else value - t
        return value

    _STOP = {"+", "-", "}", ")", "]", "&", r"\right|", r"\\", ",", r"\end", r"\le", r"\leq", r"\ge", r"\geq", "<", ">", "=", None}

    def term(self):
        value = self.power()
        while True:
            t = self.peek()
            if t == "/":
                self.take()
                value = value / self.power()
            elif t == r"\cdot":
                self.take()
                value = value * self.power()
            elif t in self._STOP or t == r"\text":
                return value
            else:
                value = value * self.power()

    def power(self):
        base = self.primary()
        if self.peek() == "^":
            self.take()
            if self.peek() == "{":
                self.take("{")
                e = self.expr()
                self.take("}")
            else:
                e = sympy.sympify(self.take())
            return base ** e
        return base

    def paren_arg(self):
        self.take("(")
        e = self.expr()
        self.take(")")
        return e

    def primary(self):
        t = self.peek()
        if t is None:
            raise ReaderError("unexpected end of input")
        if re.fullmatch(r"\d+(?:\.\d+)?", t):
            self.take()
            return sympy.Rational(t)
        if t == r"\frac":
            self.take()
            self.take("{")
            a = self.expr()
            self.take("}")
            self.take("{")
            b = self.expr()
            self.take("}")
            return a / b
        if t == r"\sqrt":
            self.take()
            index = 2
            if self.peek() == "[":
                self.take("[")
                index = self.expr()
                self.take("]")
            self.take("{")
            a = self.expr()
            self.take("}")
            return a ** (sympy.Integer(1) / index)
        if t == "(":
            return self.paren_arg()
        if t == "{":
            self.take()
            a = self.expr()
            self.take("}")
            return a
        if t == r"\pi":
            self.take()
            return sympy.pi
        if t == r"\left|":
            self.take()
            a = self.expr()
            self.take(r"\right|")
            return sympy.Abs(a)
        if t == r"\log":
            self.take()
            if self.peek() == "_":
                self.take()
                if self.peek() == "{":
                    if self.raw_group() != "+":
                        raise ReaderError("only \\log_+ is known")
                else:
                    self.take("+")
                return logplus(self.paren_arg())
            if self.peek() == "(":
                return sympy.log(self.paren_arg())
            return sympy.log(self.primary())
        if t == r"\operatorname":
            self.take()
            name = self.raw_group()
            if name != "erfc":
                raise ReaderError(f"unknown operator {name!r}")
            return sympy.erfc(self.paren_arg())
        if t == "I" and self.peek(1) == "(":
            self.take()
            self.take("(")
            a = self.expr()
            self.take(",")
            b = self.expr()
            self.take(")")
            return dudley_I(a, b)
        if t == r"\begin":
            return self.cases()
        return self.symbol()

    def symbol(self):
        t = self.take()
        if t == r"\mathit":
            name = r"\mathit{%s}" % self.raw_group()
        elif re.fullmatch(r"[A-Za-z]", t) or t in _GREEK:
            name = t
        else:
            raise ReaderError(f"unexpected token {t!r}: {' '.join(self.toks[self.i - 1:self.i + 8])}")
        if self.peek() == "_":
            self.take()
            sub = self.raw_group() if self.peek() == "{" else self.take()
            name = "%s_{%s}" % (name, sub)
        if name not in self.symbols:
            raise ReaderError(f"unknown symbol {name!r}; known: {sorted(self.symbols)}")
        return self.symbols[name]

    def cases(self):
        self.take(r"\begin")
        if self.raw_group() != "cases":
            raise ReaderError("only the cases environment is known")
        pairs = []
        while True:
            value = self.expr()
            self.take("&")
            self.take(r"\text")
            word = self.raw_group().strip()
            if word == "otherwise":
                pairs.append((value, True))
            elif word == "if":
                lhs = self.expr()
                rel = self.take()
                if rel not in _REL:
                    raise ReaderError(f"unknown relation {rel!r}")
                pairs.append((value, _REL[rel](lhs, self.expr())))
            else:
                raise ReaderError(f"unknown condition word {word!r}")
            if self.peek() == r"\\":
                self.take()
                continue
            self.take(r"\end")
            if self.raw_group() != "cases":
                raise ReaderError("unbalanced cases environment")
            return sympy.Piecewise(*pairs)


def read(tex: str, symbols: dict):
    """The SymPy expression denoted by ``tex`` (symbols looked up by their exact LaTeX)."""
    r = _Reader(tex, symbols)
    e = r.expr()
    if r.peek() is not None:
        raise ReaderError(f"trailing input: {' '.join(r.toks[r.i:r.i + 10])}")
    return e
