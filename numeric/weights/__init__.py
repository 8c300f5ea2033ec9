"""A trained transformer's own weights: reading files, detecting the layout, measuring norms and
ranks, and reporting the bounds at the measured figures.

Modules, bottom up: :mod:`~numeric.weights.common` (the error type, checked flag values, float64
range checks), :mod:`~numeric.weights.files` (``.safetensors`` / ``.npz`` and ``config.json``),
:mod:`~numeric.weights.layout` (the ``hf-bert`` and ``plain`` layouts, heads one layer at a time),
:mod:`~numeric.weights.measure` (ranks, norms, ``B_X``), :mod:`~numeric.weights.bounds` (the bounds
of one head), :mod:`~numeric.weights.model` (the whole model of MATH.md section 8 at the measured
figures: the post-hoc bound and the fixed-class what-if) and :mod:`~numeric.weights.report`
(:func:`analyse_file`, the report and its JSON).
The public names of all of them are re-exported here.

Examples
--------
>>> import numpy as np
>>> from numeric.weights import measure_matrix
>>> measure_matrix(np.diag([3.0, 4.0])).frobenius
5.0
"""

from numeric.weights.bounds import PRIOR_BOUNDS, HeadBound, bound_head, head_params, prior_bounds, prior_note
from numeric.weights.common import DEFAULT_RANK_TOL, WeightsError
from numeric.weights.files import TensorFile, open_tensors, read_config_heads, read_config_layers
from numeric.weights.layout import HeadWeights, Layout, detect_layout, iter_heads
from numeric.weights.measure import (HeadMeasure, MatrixStats, estimate_B_X, layernorm_B_X, measure_head,
                                     measure_matrix, measure_product, measure_value_map, numerical_rank)
from numeric.weights.model import ModelFigures, ModelPlan, ModelSection, model_section, plan_model
from numeric.weights.report import B_X_SOURCES, CONVENTIONS, WeightsReport, analyse_file

__all__ = ["WeightsError", "DEFAULT_RANK_TOL", "MatrixStats", "numerical_rank", "measure_matrix",
           "measure_product", "measure_value_map", "TensorFile", "open_tensors", "Layout", "detect_layout",
           "read_config_heads", "read_config_layers", "ModelPlan", "ModelFigures", "ModelSection", "model_section",
           "plan_model", "HeadWeights", "iter_heads", "HeadMeasure", "measure_head", "estimate_B_X", "layernorm_B_X",
           "head_params",
           "PRIOR_BOUNDS", "CONVENTIONS", "HeadBound", "WeightsReport", "analyse_file", "bound_head", "prior_bounds",
           "prior_note", "B_X_SOURCES"]
