"""``rankbound tighten``: the tightest valid bound, what each free choice buys, and what it would take.

Modules: :mod:`.chain` (a composed chain of ``derive.tighten`` compiled for the optimiser and certified by
Arb), :mod:`.integrals` (the entropy integrals the sharper nets leave open), :mod:`.optimise` (the free
values: eps split, Dudley's alpha), :mod:`.search` (the best value of a set of choices, the smallest n, the
largest r_w / d / B_QK / ...), :mod:`.elasticity` (symbolic d log(bound) / d log(x)), :mod:`.report` (what
the command prints) and :mod:`.plot` (the waterfall).

Examples
--------
>>> import numeric.tighten as NT
>>> NT.WATERFALL_ORDER[-1]              # the trivial cap comes last: a min with the whole Dudley bound
'trivial-cap'
"""

from .report import WATERFALL_ORDER, Outcome, Report, solve, target, tighten

__all__ = ["tighten", "solve", "target", "Report", "Outcome", "WATERFALL_ORDER"]
