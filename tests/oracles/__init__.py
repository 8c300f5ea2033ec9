"""Independent test oracles for ``rankbound``.

Everything here is written directly from ``/work/shared/MATH.md`` (sections 1-5) using only
numpy and mpmath.  Nothing in this package imports the library packages (``lemmas``, ``derive``,
``numeric``): the point of an oracle is that it shares no code with what it checks.

Conventions
-----------
* Randomness: every random function takes a ``numpy.random.Generator`` (``rng``) and is
  deterministic given it.
* Precision: every mpmath computation runs in a *private* context (``mpmath.MPContext``) at the
  requested ``dps``; the global ``mpmath.mp`` precision is never read or changed.  High-precision
  results are handed back as ordinary ``mpmath.mpf`` objects that carry the full precision of the
  private computation (built with ``mpmath.mp.make_mpf``, which does not round).  Note that any
  further arithmetic on them in the global context rounds to the global precision, so do such
  arithmetic inside ``mpmath.workdps`` or convert with ``float``.
* Matrix norms: ``'fro'`` Frobenius, ``'spec'`` spectral (largest singular value), ``'sup'`` max
  absolute entry; ``||U||_{1,2}`` is the largest column 2-norm (Candes & Plan's notation).

Modules
-------
* ``transformers``: softmax (float64 and mpmath), the forward pass, both sides of the perturbation lemma;
* ``instances``: random low-rank matrices, random and adversarial transformer instances;
* ``quadrature``: the Dudley log+ integral by quadrature and by the incomplete gamma function;
* ``packing``: greedy packings and empirical covering radii;
* ``nets``: the volumetric ball net and the Candes-Plan net of low-rank matrices;
* ``spec``: the theorem of MATH.md section 5 evaluated from its formulas;
* ``common``: private mpmath contexts and norm-safe rescaling.

Everything is re-exported here, so ``import oracles as O; O.name`` reaches every oracle (and the
private helpers some tests use).
"""

from __future__ import annotations

# the private helpers are re-exported too: some tests build on them (O._unit, O._ball_samples, ...)
from .common import _ctx, _export, _fro, _scale_to, _spec, _unit  # noqa: F401
from .deep import (apply_theta_noise, attention_head, climb, deep_forward, deep_group_distances,  # noqa: F401
                   deep_limits, deep_theta_from_leaves, deep_theta_leaves, deep_token_states, hidden_layer_forward,
                   jiggle_tokens, norm_2inf, project_ball, project_low_rank, random_deep_theta, readout_forward,
                   theta_noise)
from .instances import (INSTANCE_MODES, _perturb_low_rank, _random_theta, _random_tokens,  # noqa: F401
                        random_low_rank, random_transformer_instance)
from .nets import (_haar_stiefel, _sigma_net, _stiefel_net, candes_plan_net,  # noqa: F401
                   candes_plan_net_size_bound, volumetric_ball_net)
from .packing import _ball_samples, _greedy_select, _pairdist_fn, greedy_packing, max_cover_distance  # noqa: F401
from .quadrature import dudley_logplus_integral_gammainc, dudley_logplus_integral_quad
from .spec import _I, rademacher_bound_spec  # noqa: F401
from .transformers import perturbation_lhs_rhs, softmax, softmax_mp, transformer_forward

__all__ = [
    "softmax",
    "softmax_mp",
    "random_low_rank",
    "transformer_forward",
    "random_transformer_instance",
    "perturbation_lhs_rhs",
    "dudley_logplus_integral_quad",
    "dudley_logplus_integral_gammainc",
    "candes_plan_net",
    "candes_plan_net_size_bound",
    "max_cover_distance",
    "greedy_packing",
    "volumetric_ball_net",
    "rademacher_bound_spec",
    "INSTANCE_MODES",
]

from .spec_deep import deep_bound_spec  # noqa: F401
