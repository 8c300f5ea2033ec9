"""rankbound.lemmas: the library of facts.

Every result of MATH.md sections 2-4 is a registered :class:`~lemmas.core.Lemma`
value (name, parameters, hypotheses, conclusion, source).  The constants are
named and overridable; those of the reconstructed steps are our choices, not
the words of Truong (2024), whose text we did not have.

Examples
--------
>>> import lemmas
>>> lem = lemmas.get("low-rank-net-ball")
>>> lem.source.kind
'derived'
>>> [c.default for c in lem.constants]
[9]
"""

from .core import (Constant, Hypothesis, Instance, Lemma, LemmaError, Source, all_lemmas, get, names,
                   register, truth)
from . import objects, symbols
from .objects import (CoveringNumber, Distance, FunctionClass, GeneralisationGap, LipschitzInParameters,
                      LossClass, Norm, OutputBound, ParameterSet, RademacherComplexity, SoftmaxLipschitz,
                      SupNorm, logplus)
from .norms import (NORM_21_LE_11, NORM_FRO_LE_21, NORM_FRO_LE_SQRT_RANK_SPEC, NORM_SPEC_LE_FRO, MatrixNorm,
                    Rank)
from .covering import (BILINEAR_SCORE_COVER, COVER_L2S_BY_SUP, COVER_SPEC_BY_FRO, LINEAR_COVER_11,
                       LINEAR_COVER_21, LINEAR_COVER_FROBENIUS, LINEAR_COVER_INPUT_INF, LINEAR_COVER_INPUT_L1,
                       LINEAR_COVER_SPECTRAL, LINEAR_COVER_VECTOR, LIPSCHITZ_PARAMETER_COVER, LIPSCHITZ_PARAMETER_COVER_2, LOW_RANK_NET_BALL,
                       lipschitz_parameter_cover,
                       LOW_RANK_NET_SPHERE, VOLUMETRIC_NET, euclidean_ball, linear_class, lowrank_ball,
                       lowrank_sphere)
from .chaining import (DUDLEY, DUDLEY_HALF, INTEGRAL_LINEARITY_2, INTEGRAL_LINEARITY_3, INTEGRAL_LINEARITY_5,
                       SQRT_SUBADDITIVE_2, SQRT_SUBADDITIVE_3, SQRT_SUBADDITIVE_5, integral_linearity, sqrt_subadditive)
from .depth import (DEEP_OUTPUT_BOUND, DEEP_PERTURBATION, HIDDEN_INPUT_LIPSCHITZ, HIDDEN_PARAM_LIPSCHITZ,
                    LIPSCHITZ_GROUP_COVER_5, READOUT_INPUT_LIPSCHITZ, READOUT_PARAM_LIPSCHITZ, SCORE_PERTURBATION,
                    deep_class, lipschitz_group_cover)
from .generalisation import CONTRACTION, RADEMACHER_GENERALISATION, UNION_BOUND, UNION_BOUND_GRID
from .attention import (SOFTMAX_LIPSCHITZ, SOFTMAX_LIPSCHITZ_SHARP, TRANSFORMER_OUTPUT_BOUND,
                        TRANSFORMER_PERTURBATION, TRANSFORMER_PERTURBATION_SHARP, transformer_class)
from . import depth, prior
from .prior import (CEILING_LE_PLUS_ONE, COVER_L2S_BY_SUPS, DUDLEY_INVERSE_SQUARE, EDELMAN_LAYER_COVER,
                    MAUREY_L1_BALL_NET, TT_PERTURBATION, ZHANG_LINEAR_COVER_L2, ZHANG_MAUREY_COVER)
from . import tightness
from .tightness import (LOGPLUS_INTEGRAL_ADDITIVITY, LOW_RANK_NET_BALL_SHARP, RADEMACHER_GENERALISATION_EXPECTED,
                        RADEMACHER_TRIVIAL_CAP, VOLUMETRIC_NET_SHARP, SampleExpectation)

__all__ = [
    "Constant", "Hypothesis", "Instance", "Lemma", "LemmaError", "Source", "all_lemmas", "get", "names",
    "register", "truth", "objects", "symbols",
    "CoveringNumber", "Distance", "FunctionClass", "GeneralisationGap", "LipschitzInParameters", "LossClass",
    "Norm", "OutputBound", "ParameterSet", "RademacherComplexity", "SoftmaxLipschitz", "SupNorm", "logplus",
    "MatrixNorm", "Rank",
    "NORM_21_LE_11", "NORM_FRO_LE_21", "NORM_FRO_LE_SQRT_RANK_SPEC", "NORM_SPEC_LE_FRO",
    "BILINEAR_SCORE_COVER", "COVER_L2S_BY_SUP", "COVER_SPEC_BY_FRO", "LINEAR_COVER_11", "LINEAR_COVER_21",
    "LINEAR_COVER_FROBENIUS", "LINEAR_COVER_INPUT_INF", "LINEAR_COVER_INPUT_L1", "LINEAR_COVER_SPECTRAL",
    "LINEAR_COVER_VECTOR", "LIPSCHITZ_PARAMETER_COVER", "LOW_RANK_NET_BALL", "LOW_RANK_NET_SPHERE",
    "VOLUMETRIC_NET", "euclidean_ball", "linear_class", "lowrank_ball", "lowrank_sphere",
    "DUDLEY", "DUDLEY_HALF", "INTEGRAL_LINEARITY_2", "INTEGRAL_LINEARITY_3", "SQRT_SUBADDITIVE_2", "SQRT_SUBADDITIVE_3",
    "integral_linearity", "sqrt_subadditive", "INTEGRAL_LINEARITY_5", "SQRT_SUBADDITIVE_5",
    "DEEP_OUTPUT_BOUND", "DEEP_PERTURBATION", "HIDDEN_INPUT_LIPSCHITZ", "HIDDEN_PARAM_LIPSCHITZ",
    "LIPSCHITZ_GROUP_COVER_5", "READOUT_INPUT_LIPSCHITZ", "READOUT_PARAM_LIPSCHITZ", "SCORE_PERTURBATION",
    "deep_class", "lipschitz_group_cover", "lipschitz_parameter_cover", "LIPSCHITZ_PARAMETER_COVER_2",
    "CONTRACTION", "RADEMACHER_GENERALISATION", "UNION_BOUND", "UNION_BOUND_GRID",
    "SOFTMAX_LIPSCHITZ", "SOFTMAX_LIPSCHITZ_SHARP", "TRANSFORMER_OUTPUT_BOUND", "TRANSFORMER_PERTURBATION",
    "TRANSFORMER_PERTURBATION_SHARP", "transformer_class",
    "depth", "prior", "CEILING_LE_PLUS_ONE", "COVER_L2S_BY_SUPS", "DUDLEY_INVERSE_SQUARE", "EDELMAN_LAYER_COVER",
    "ZHANG_LINEAR_COVER_L2", "ZHANG_MAUREY_COVER", "MAUREY_L1_BALL_NET", "TT_PERTURBATION",
    "tightness", "LOGPLUS_INTEGRAL_ADDITIVITY", "LOW_RANK_NET_BALL_SHARP", "RADEMACHER_GENERALISATION_EXPECTED",
    "RADEMACHER_TRIVIAL_CAP", "VOLUMETRIC_NET_SHARP", "SampleExpectation",
]
