r"""ASCII statements typeset as LaTeX prose with inline math (hypotheses, lemma titles).

Lemma values state hypotheses and titles in ASCII (``sup_{f in F} ||f||_{L2(S)} <= b``, ``0 <
delta < 1``, ``sigma is L_sigma-Lipschitz``).  :func:`prose` finds the mathematics in such a
sentence and typesets it: identifiers with a subscript or superscript, Greek names, single
letters, operators (``<=``, ``->``, ``+``), norm bars, function calls (``sqrt(n)``, ``sigma(0)``)
and bracket groups whose content is all mathematics go to math mode; English words,
abbreviations (``i.i.d.``), hyphenated words (``L_loss-Lipschitz``: the hyphen and
``Lipschitz`` stay prose) and everything else stay text.  Identifiers print as the house printer
prints the symbol of that name (``L_loss`` as ``L_{\ell}``, ``c_sm`` as ``c_{\mathrm{sm}}``).

It is a reading of conventions, not a parser of a grammar: what it cannot read confidently stays
prose, and a sentence it cannot typeset safely at all (a character LaTeX would treat specially
inside mathematics) falls back to :func:`~lemmas.printing.text.text`, which escapes everything.

Examples
--------
>>> prose("sup_{f in F} ||f||_{L2(S)} <= b")
'$\\sup_{f \\in F} \\|f\\|_{L_{2}(S)} \\le b$'
>>> prose("sigma is L_sigma-Lipschitz with sigma(0) = 0")
'$\\sigma$ is $L_{\\sigma}$-Lipschitz with $\\sigma(0) = 0$'
>>> prose("S consists of n i.i.d. draws from the data distribution")
'$S$ consists of $n$ i.i.d. draws from the data distribution'
>>> prose("rebuilt edelman bound: for every alpha in (0, b], w.p. >= 1 - delta")
'rebuilt edelman bound: for every $\\alpha \\in (0, b]$, w.p. $\\ge 1 - \\delta$'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sympy import Symbol

from .printer import HousePrinter
from .text import text

__all__ = ["prose"]

_SCRIPT = r"[_^](?:\{[^{}]*\}|[A-Za-z0-9]+)"
_TOKEN = re.compile(
    r"(?P<abbr>(?:[A-Za-z]\.){2,})"                       # i.i.d., w.p., e.g.
    r"|(?P<word>[A-Za-z]+'s\b)"                             # Dudley's
    r"|(?P<ident>log\+(?=\()|[A-Za-z][A-Za-z0-9]*(?:%s){0,2}(?:'+(?![A-Za-z]))?)"
    r"|(?P<script>%s)"                                      # ||x||_2
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<op><=|>=|->|\|\||\*\*|[<>=+\-*/|^])"
    r"|(?P<open>[(\[{])|(?P<close>[)\]}])"
    r"|(?P<space>\s+)"
    r"|(?P<dots>\.\.\.)"
    r"|(?P<punct>[,.:;'!?])"
    r"|(?P<other>.)" % (_SCRIPT, _SCRIPT), re.S)

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
          "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
          "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"}
_FUNCTIONS = {"sqrt": r"\operatorname{sqrt}", "log": r"\log", "log+": r"\log_+", "logplus": r"\log_+",
              "exp": r"\exp", "sup": r"\sup",
              "inf": r"\inf", "max": r"\max", "min": r"\min", "int": r"\int", "ceil": r"\lceil",
              "floor": r"\lfloor", "softmax": r"\operatorname{softmax}", "rank": r"\operatorname{rank}",
              "erfc": r"\operatorname{erfc}", "sum": r"\sum"}
_PREFIX_FUNCTIONS = {"log", "rank", "sup", "exp"}          # may take an argument without parentheses
_OPS = {"<=": r"\le", ">=": r"\ge", "->": r"\to", "||": r"\|", "*": r"\cdot", "^": r"{}^{\wedge}", "**": "^"}
_RELATIONS = {"<=", ">=", "<", ">", "=", "->"}


class _Fallback(Exception):
    """The sentence cannot be typeset safely: escape it as plain text instead."""


@dataclass
class _Tok:
    kind: str
    text: str
    math: bool = False
    forced: bool = False      # inside a function call, a norm or a subscript: mathematics by position
    tex: str | None = None    # the math rendering, when not the default one


def prose(s: str) -> str:
    """Text-mode LaTeX of an ASCII statement, its mathematics in ``$...$`` (see the module docstring)."""
    text(s)                       # refuses what cannot be typeset at all (non-ASCII), as text() does
    try:
        return _typeset(s)
    except _Fallback:
        return text(s)


def _typeset(s: str) -> str:
    toks = [_Tok(m.lastgroup, m.group()) for m in _TOKEN.finditer(s)]
    _classify(toks)
    out, run = [], []

    def flush():
        if run:
            body = _join(t.tex if t.tex is not None else _math(t) for t in run).strip()
            out.append("$%s$" % _checked(body))
            run.clear()

    for i, t in enumerate(toks):
        if t.math or (t.kind == "space" and run and _next_math(toks, i)):
            run.append(t)
        else:
            flush()
            out.append(text(t.text))
    flush()
    return "".join(out)


def _join(parts) -> str:
    """Concatenate math pieces, with a space where a control word would run into a letter."""
    out = ""
    for piece in parts:
        if out and piece and piece[0].isalpha() and re.search(r"\\[A-Za-z]+$", out):
            out += " "
        out += piece
    return out


def _next_math(toks: list[_Tok], i: int) -> bool:
    j = _skip(toks, i + 1, 1)
    return j is not None and toks[j].math


def _skip(toks: list[_Tok], i: int, step: int) -> int | None:
    """The index of the first non-space token from ``i`` in direction ``step``, or None."""
    while 0 <= i < len(toks):
        if toks[i].kind != "space":
            return i
        i += step
    return None


def _base(ident: str) -> tuple[str, list[str], str]:
    """``x_cls^T'`` -> (``x``, [``_cls``, ``^T``], ``'``)."""
    primes = len(ident) - len(ident.rstrip("'"))
    core = ident[:len(ident) - primes]
    m = re.match(r"log\+|[A-Za-z][A-Za-z0-9]*", core)
    return m.group(), re.findall(_SCRIPT, core[m.end():]), "'" * primes


def _ident_is_math(toks: list[_Tok], i: int) -> bool:
    base, scripts, _ = _base(toks[i].text)
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if base in _FUNCTIONS:
        if scripts or (nxt is not None and nxt.kind == "open"):
            return True
        j = _skip(toks, i + 1, 1)
        return base in _PREFIX_FUNCTIONS and j is not None and j > i + 1 and toks[j].kind == "ident" \
            and _ident_is_math(toks, j)
    if scripts or base in _GREEK or base in ("eps", "l"):
        return True
    if len(base) == 1:
        return base != "a" or (nxt is not None and nxt.kind == "open")
    if re.fullmatch(r"[a-z]\d+", base):                 # a1, l2
        return True
    if re.fullmatch(r"L\d+", base):                     # L2(S); L6 is a lemma's label
        return nxt is not None and nxt.text == "("
    return False


def _classify(toks: list[_Tok]) -> None:
    for i, t in enumerate(toks):
        if t.kind == "ident":
            t.math = _ident_is_math(toks, i)
        elif t.kind == "op":
            t.math = True
        elif t.kind == "script":            # ||x||_2, (a)^2; after anything else it would be a double script
            t.math = i > 0 and (toks[i - 1].kind == "close" or toks[i - 1].text in ("|", "||"))
            if not t.math:
                t.kind = "other"
    # hyphen or minus: a '-' between two characters with no space is a hyphen next to an English word
    for i, t in enumerate(toks):
        if t.text == "-" and 0 < i < len(toks) - 1 and toks[i - 1].kind != "space" and toks[i + 1].kind != "space":
            words = [x for x in (toks[i - 1], toks[i + 1]) if x.kind in ("ident", "word") and not x.math]
            if words:
                t.math = False
    _bars(toks)
    _groups(toks)
    for i, t in enumerate(toks):            # a number, or "a", next to an operator is mathematics
        if (t.kind == "num" or (t.kind == "ident" and len(t.text) == 1)) and not t.math:
            for j in (_skip(toks, i - 1, -1), _skip(toks, i + 1, 1)):
                if j is not None and toks[j].math and toks[j].kind == "op":
                    t.math = True
    for i, t in enumerate(toks):            # S_1 x ... x S_3
        if t.kind == "dots":
            a, b = _skip(toks, i - 1, -1), _skip(toks, i + 1, 1)
            if a is not None and b is not None and toks[a].math and toks[b].math:
                t.math, t.tex = True, r"\dots"
    for i, t in enumerate(toks):
        if t.kind == "ident" and t.text in ("in", "o", "x"):
            a, b = _skip(toks, i - 1, -1), _skip(toks, i + 1, 1)
            between = a is not None and b is not None and a < i - 1 and b > i + 1 and toks[a].math \
                and toks[b].math
            if t.text == "in" and (between or t.forced):
                t.math, t.tex = True, r"\in"
            elif t.text == "o" and between:
                t.tex = r"\circ"
            elif t.text == "x" and between and all(toks[j].text[:1].isupper() or toks[j].kind == "dots"
                                                   for j in (a, b)):
                t.tex = r"\times"
    _powers(toks)
    for t in toks:
        if t.math and t.kind == "other":
            raise _Fallback(t.text)


def _powers(toks: list[_Tok]) -> None:
    """``x**2``, ``(a + b)**(L - 2)`` (SymPy's ASCII powers): the exponent, braced, becomes a superscript."""
    for i, t in enumerate(toks):
        if t.text != "**":
            continue
        j = i + 1
        if j >= len(toks) or toks[j].kind == "space":
            raise _Fallback(t.text)
        nxt = toks[j]
        if nxt.kind in ("num", "ident"):
            nxt.math = True
            nxt.tex = "{%s}" % _math(nxt)
        elif nxt.text == "(":
            depth = 0
            for k in range(j, len(toks)):
                depth += (toks[k].text == "(") - (toks[k].text == ")")
                if depth == 0:
                    break
            else:
                raise _Fallback(t.text)
            _force(toks, j, k)
            nxt.tex, toks[k].tex = "{(", ")}"
        else:
            raise _Fallback(t.text)


def _force(toks: list[_Tok], lo: int, hi: int) -> None:
    for t in toks[lo:hi + 1]:
        if t.kind != "space":
            t.math = True
            t.forced = True


def _bars(toks: list[_Tok]) -> None:
    """Norms and absolute values: everything between matching bars is mathematics."""
    stack = []
    for i, t in enumerate(toks):
        if t.text in ("|", "||"):
            if stack and toks[stack[-1]].text == t.text:
                _force(toks, stack.pop(), i)
            else:
                stack.append(i)


def _groups(toks: list[_Tok]) -> None:
    """Brackets: a function call's argument is mathematics; so is a group of only mathematics."""
    pairs, stack = [], []
    for i, t in enumerate(toks):
        if t.kind == "open":
            stack.append(i)
        elif t.kind == "close" and stack:
            pairs.append((stack.pop(), i))            # innermost first
    for lo, hi in pairs:
        prev = toks[lo - 1] if lo > 0 else None
        if prev is not None and prev.math and prev.kind in ("ident", "script", "close") and \
                not (prev.kind == "close" and not prev.forced):
            _force(toks, lo, hi)
            base = _base(prev.text)[0] if prev.kind == "ident" else ""
            if base == "sqrt" and toks[lo].text == "(" and toks[hi].text == ")":
                prev.tex = r"\sqrt"
                toks[lo].tex, toks[hi].tex = "{", "}"
            elif base in ("ceil", "floor") and toks[lo].text == "(" and toks[hi].text == ")":
                toks[lo].tex, toks[hi].tex = "", r" \rceil" if base == "ceil" else r" \rfloor"
                prev.tex = r"\lceil " if base == "ceil" else r"\lfloor "
            continue
        inner = [t for t in toks[lo + 1:hi] if t.kind != "space"]
        if inner and all(t.math or t.kind == "num" or t.text == "," for t in inner) and \
                any(t.math or t.kind == "num" for t in inner):
            _force(toks, lo, hi)
            if any(t.text in _RELATIONS for t in inner):      # a parenthetical statement: (c_sm = 2)
                toks[lo].math = toks[hi].math = False


def _checked(body: str) -> str:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", body):
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            raise _Fallback(body)
    if depth or not body or body.endswith("\\"):
        raise _Fallback(body)
    return body


def _math(t: _Tok) -> str:
    if t.kind == "ident":
        return _ident_tex(t.text, forced=t.forced)
    if t.kind == "script":
        return _script_tex(t.text)
    if t.kind == "op":
        return _OPS.get(t.text, t.text)
    if t.kind in ("open", "close"):
        return {"{": r"\{", "}": r"\}"}.get(t.text, t.text)
    if t.kind == "space":
        return " "
    if t.kind == "punct" and t.text == "'":
        return "{}'"                                # a lone prime: never a second superscript
    if t.kind == "dots":
        return r"\dots"
    if t.kind in ("num", "punct"):
        return t.text
    raise _Fallback(t.text)


_PRINTER = HousePrinter()


def _name_tex(name: str) -> str:
    """An identifier without scripts: Greek, the house printer's symbols, ``l1`` as ``\\ell_{1}``."""
    if name in ("eps", "epsilon"):
        return r"\varepsilon"
    if name == "inf":
        return r"\infty"
    if name == "l":
        return r"\ell"
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return r"%s_{%s}" % (_name_tex(m.group(1)), m.group(2))
    if name in _GREEK:
        return "\\" + name
    if len(name) == 1:
        return _PRINTER._print_Symbol(Symbol(name))
    return r"\mathrm{%s}" % name


def _ident_tex(ident: str, forced: bool = False) -> str:
    base, scripts, primes = _base(ident)
    if primes and any(sc[0] == "^" for sc in scripts):  # x^k': a prime is a second superscript
        raise _Fallback(ident)
    if base in _FUNCTIONS:
        if len(scripts) > 2 or len({sc[0] for sc in scripts}) < len(scripts):
            raise _Fallback(ident)
        return _FUNCTIONS[base] + "".join(_script_tex(sc) for sc in scripts) + primes
    subs = [sc for sc in scripts if sc[0] == "_"]
    sups = [sc for sc in scripts if sc[0] == "^"]
    if len(subs) > 1 or len(sups) > 1:                # x_a_b: a double subscript, not mathematics we read
        raise _Fallback(ident)
    if base == "R" and sups and not subs:
        head = r"\mathbb{R}"
    elif len(subs) == 1 and re.fullmatch(r"_[A-Za-z0-9]+", subs[0]) and base not in ("l", "eps") \
            and subs[0][1:] not in ("inf",):
        head = _PRINTER._print_Symbol(Symbol(base + subs[0]))      # L_loss, c_sm, x_cls, B_QK, theta_1
        subs = []
    else:
        head = _name_tex(base)
    return head + "".join(_script_tex(sc) for sc in subs + sups) + primes


def _script_tex(sc: str) -> str:
    """``_2`` -> ``_{2}``, ``_inf`` -> ``_{\\infty}``, ``_{f in F}`` -> ``_{f \\in F}`` (braces: all mathematics)."""
    mark, body = sc[0], sc[1:]
    if not body.startswith("{"):
        return "%s{%s}" % (mark, body if body.isdigit() else _name_tex(body))
    toks = [_Tok(m.lastgroup, m.group()) for m in _TOKEN.finditer(body[1:-1])]
    for j, t in enumerate(toks):
        if t.kind == "other" or (t.kind == "script" and not (
                j and (toks[j - 1].kind == "close" or toks[j - 1].text in ("|", "||")))):
            raise _Fallback(body)
        t.forced = t.math = t.kind != "space"
        if t.kind == "ident" and t.text == "in":
            t.tex = r"\in"
    return "%s{%s}" % (mark, _join(t.tex if t.tex is not None else _math(t) for t in toks).strip())
