"""rankbound.numeric: evaluation of the composed bounds.

Examples
--------
>>> import numeric
>>> ev = numeric.evaluate({"n": 10**9}, dps=15)
>>> ev.vacuous
False
"""

from numeric.errors import NotCertified, ParameterError, UsageError
from numeric.evaluate import (Evaluation, Value, compiled, evaluate, evaluate_expr, evaluate_lemma,
                              smallest_nonvacuous_n, stepwise)
from numeric.backends.arb import certify_expr as certify
from numeric.params import DEFAULT_PRESET, PRESETS, SPECS, Params

__all__ = ["NotCertified", "ParameterError", "UsageError", "Evaluation", "Value", "compiled", "evaluate",
           "evaluate_expr", "certify",
           "evaluate_lemma", "smallest_nonvacuous_n", "stepwise", "DEFAULT_PRESET", "PRESETS", "SPECS", "Params"]
