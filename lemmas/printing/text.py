r"""Text mode: escaping prose for LaTeX, labels and typewriter names.

Examples
--------
>>> text("a_b <= c & 50%")
'a\\_b $\\le$ c \\& 50\\%'
>>> label("truong-theorem[sharp-softmax]")
'lem:truong-theorem.sharp-softmax'
>>> tt("low-rank-net")
'low-\\allowbreak{}rank-\\allowbreak{}net'
"""

from __future__ import annotations

import re

from .printer import LatexError

__all__ = ["text", "label", "tt"]


def label(name: str, prefix: str = "lem") -> str:
    """A LaTeX label for a registry name (``truong-theorem[sharp-softmax]`` -> ``lem:truong-theorem.sharp-softmax``)."""
    clean = re.sub(r"[^A-Za-z0-9.-]+", ".", name).strip(".")
    return f"{prefix}:{clean}"


_TEXT_ESCAPES = [
    ("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("_", r"\_"), ("^", r"$^{\wedge}$"), ("&", r"\&"),
    ("%", r"\%"), ("$", r"\$"), ("#", r"\#"), ("~", r"\textasciitilde{}"),
]


def text(s: str) -> str:
    """Escape plain (ASCII) prose for LaTeX text mode; ``<=``, ``>=``, ``<``, ``>``, ``|`` become math."""
    bad = sorted({ch for ch in s if ord(ch) > 126 or (ord(ch) < 32 and ch not in "\n\t")})
    if bad:
        raise LatexError(f"cannot typeset the characters {bad!r} in {s!r}; write them in ASCII")
    out = []
    i = 0
    while i < len(s):
        two = s[i:i + 2]
        if two in ("<=", ">="):
            out.append(r"$\le$" if two == "<=" else r"$\ge$")
            i += 2
            continue
        ch = s[i]
        if ch in "<>|":
            out.append({"<": "$<$", ">": "$>$", "|": r"$|$"}[ch])
        else:
            for a, b in _TEXT_ESCAPES:
                if ch == a:
                    ch = b
                    break
            out.append(ch)
        i += 1
    return "".join(out)


def tt(name: str) -> str:
    """A registry name for ``\\texttt``, breakable after its hyphens."""
    return text(name).replace("-", r"-\allowbreak{}")
