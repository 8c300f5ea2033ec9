"""Slip detection: search for counterexamples to a lemma, confirmed at high precision.

Every slip of MATH.md section 6.4 is a deliberately wrong lemma in
:mod:`lemmas.slips`.  This package refuses each one with a concrete
counterexample found by search, and runs the *same* search (same arena, same
budget, same seed) on the true lemma it varies, which must survive.

An **arena** is the search space shared by a slip and its true lemma: it draws
parameter points, perturbs them, computes a certified value (or lower bound)
of the lemma's left side at a point -- a covering number of an explicit set, a
quadrature, a forward pass of a transformer -- and the numeric values of the
objects that appear on the right side (covering numbers, distances).  The right
side itself is always the lemma's own conclusion, evaluated with
:func:`numeric.backends.mp.mp_eval`; so the search checks the lemma value, not a
retyped formula.

Modules
-------
- :mod:`.common`: the constants, the :class:`Arena` protocol, small helpers;
- :mod:`.arenas`: one module per arena (``ball``, ``dudley``, ``planar``, ``loss``, ``perturbation``);
- :mod:`.transformer`: the forward passes and the instances of the perturbation arena;
- :mod:`.margin`: the violation margin, the right side taken from the lemma value;
- :mod:`.search`: the search with restarts and hill climbing, and the confirmation at ``CONFIRM_DPS``;
- :mod:`.checks`: the slip table, :func:`check_slips`, and the witness of what slip (c) breaks.

Examples
--------
>>> from numeric.audit.slips import search, ARENAS
>>> from lemmas.slips import slip
>>> res = search(slip("d"), "loss-cover", budget=200, seed=0)
>>> res.refused
True
>>> import lemmas
>>> search(lemmas.get("low-rank-net-ball"), "lowrank-ball-cover", budget=200, seed=0).refused
False
"""

from __future__ import annotations

from .arenas import ARENAS
from .arenas.planar import external_cover_number, internal_cover_number
from .checks import CHECKS, SlipCheck, SlipVerdict, check_slips, external_centre_breaks_perturbation, true_lemmas_for
from .common import CONFIRM_DPS, DEFAULT_BUDGET, Arena
from .search import SearchResult, confirm, search
from .transformer import build_instance, forward, forward_mp, shrink_to

__all__ = ["Arena", "ARENAS", "SearchResult", "SlipCheck", "search", "confirm", "check_slips", "CHECKS",
           "DEFAULT_BUDGET", "CONFIRM_DPS", "true_lemmas_for", "forward", "forward_mp", "build_instance",
           "shrink_to", "SlipVerdict", "external_centre_breaks_perturbation", "internal_cover_number",
           "external_cover_number"]
