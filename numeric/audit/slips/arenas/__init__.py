"""The arenas of the slip search, one module per slip of MATH.md section 6.4.

=====  ==============================  =============================================================
slip   arena (module)                  search space
=====  ==============================  =============================================================
(a)    lowrank-ball-cover (ball)       covering numbers of the rank-r Frobenius ball
(b)    dudley-integral (dudley)        the Dudley integral of a log+ entropy
(c)    internal-external (planar)      internal and external covers of finite planar sets
(d)    loss-cover (loss)               the loss class of a one-parameter linear class
(e)    transformer-perturbation        two parameter sets of a single-head transformer
       (perturbation)
=====  ==============================  =============================================================

Examples
--------
>>> sorted(ARENAS)
['dudley-integral', 'internal-external', 'loss-cover', 'lowrank-ball-cover', 'transformer-perturbation']
"""

from __future__ import annotations

from . import ball, dudley, loss, perturbation, planar

__all__ = ["ARENAS", "ball", "dudley", "planar", "loss", "perturbation"]

#: every arena by key
ARENAS = {m.ARENA.key: m.ARENA for m in (ball, dudley, planar, loss, perturbation)}
