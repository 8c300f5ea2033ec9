"""``rankbound latex``: the derivation as LaTeX that compiles.

Without options the whole standalone document goes to stdout; ``--out FILE`` writes it to a
file instead.  The document's value table is ``numeric.evaluate`` at the default preset,
computed here and passed to :func:`derive.latex.document` (which prints numbers, never computes
them).  ``--lemma NAME`` prints one lemma's ``lemma`` environment and ``--expr`` the
final bound in paper form (math mode); ``--variant`` picks the named variant of the chain.

Examples
--------
>>> from numeric.cli.main import main
>>> main(["latex", "--expr"])                                   # doctest: +ELLIPSIS
\\frac{24 L_{\\ell}}{\\sqrt{n}} ... + 3 c \\sqrt{\\frac{\\log(2/\\delta)}{2 n}}
0
"""

from __future__ import annotations

import sys

from numeric.errors import UsageError

NAME = "latex"
HELP = "LaTeX of the derivation: a standalone document (--out FILE), one lemma (--lemma) or the bound (--expr)"


def configure(parser) -> None:
    parser.add_argument("--out", metavar="FILE", default=None,
                        help="write to FILE instead of stdout (the document, or what --lemma/--expr select)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--lemma", metavar="NAME", default=None, help="print one registered lemma's LaTeX")
    what.add_argument("--expr", action="store_true", help="print only the final bound expression (math mode)")
    parser.add_argument("--variant", default="default",
                        help="named variant of the chain (default, sharp-softmax, dudley-half)")
    parser.add_argument("--heads", default=None, metavar="H",
                        help="with --layers: write up the H-head, L-layer theorem (MATH.md section 8)")
    parser.add_argument("--layers", default=None, metavar="L", help="see --heads")


def _content(args) -> str:
    import derive
    from derive import latex as L

    if args.variant not in derive.VARIANTS:
        raise UsageError(f"--variant: unknown variant {args.variant!r}; known: {', '.join(derive.VARIANTS)}")
    derive.register_derived()
    from numeric.params import Params
    hl = Params.from_preset(H=args.heads, L=args.layers)      # checked like every other parameter
    deep = hl["H"] != 1 or hl["L"] != 1
    th = derive.deep_theorem(args.variant) if deep else derive.theorem(args.variant)   # registers its lemmas too
    if args.expr:
        return L.bound_latex(th) + "\n"
    if args.lemma is not None:
        import lemmas
        if args.lemma not in lemmas.names():
            raise UsageError(f"--lemma: no lemma named {args.lemma!r}; registered: {', '.join(lemmas.names())}")
        return L.lemma_latex(args.lemma) + "\n"
    import numeric
    evaluation = numeric.evaluate(hl, variant=th.variant.name)     # the values section: default preset, H, L
    return L.document(th.variant.name, evaluation=evaluation, theorem=th)


def run(args) -> int:
    if args.out is not None:
        from numeric.cli.common import check_output_path
        check_output_path("--out", args.out, example="bound.tex")     # before the work; pipes and devices refused
    tex = _content(args)
    if args.out is None:
        sys.stdout.write(tex)
        return 0
    try:
        with open(args.out, "w", encoding="ascii") as fh:
            fh.write(tex)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {args.out!r}: {exc.strerror}") from None
    return 0
