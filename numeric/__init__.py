"""rankbound.numeric: evaluation of the composed bounds.

Examples
--------
>>> import numeric
>>> ev = numeric.evaluate({"n": 10**9}, dps=15)
>>> ev.vacuous
False
"""

from numeric.errors import NotCertified, ParameterError, UsageError
from numeric.evaluate import (Evaluation, compiled, evaluate, evaluate_lemma, smallest_nonvacuous_n, stepwise)
from numeric.params import DEFAULT_PRESET, PRESETS, SPECS, Params

__all__ = ["NotCertified", "ParameterError", "UsageError", "Evaluation", "compiled", "evaluate",
           "evaluate_lemma", "smallest_nonvacuous_n", "stepwise", "DEFAULT_PRESET", "PRESETS", "SPECS", "Params"]
