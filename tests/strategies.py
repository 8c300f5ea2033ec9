"""Hypothesis strategies for ``rankbound`` tests (plural nouns, one per kind of quantity).

Written from ``/work/shared/MATH.md``; independent of the library packages.  Ranges are chosen so
that every generated value is valid for the mathematics (positive radii, delta in (0, 1),
r_w <= d, r_v <= min(d, k)) and so that plain float64 arithmetic on them cannot overflow
(e.g. ``2 / delta`` stays finite: subnormal deltas are excluded).
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = [
    "sample_sizes",
    "dimensions",
    "ranks",
    "radii",
    "deltas",
    "lipschitz_constants",
    "precisions",
    "parameter_sets",
    "dudley_triples",
]


def sample_sizes(max_value: int = 10 ** 12, huge_max: int = 10 ** 30):
    """Sample sizes n: ints in [1, max_value] (mostly), occasionally huge (up to ``huge_max``).

    The huge branch exercises exact-integer / high-precision handling of sqrt(n) and log terms.
    One huge branch against three ordinary ones makes huge values occasional.
    """
    ordinary = st.integers(min_value=1, max_value=max_value)
    huge = st.integers(min_value=max_value + 1, max_value=max(huge_max, max_value + 1))
    return st.one_of(ordinary, ordinary, ordinary, huge)


def dimensions(max_value: int = 4096, min_value: int = 1):
    """Dimensions (d, k, n1, n2, ...): ints in [min_value, max_value]."""
    return st.integers(min_value=min_value, max_value=max_value)


def ranks(max_value: int = 64, min_value: int = 1):
    """Ranks: ints in [min_value, max_value] (pass max_value = the ambient bound, e.g. min(d, k))."""
    return st.integers(min_value=min_value, max_value=max(min_value, max_value))


def radii(min_value: float = 1e-3, max_value: float = 1e3):
    """Norm radii (B_X, B_w, B_V, B_QK, c, ...): finite positive floats in [1e-3, 1e3]."""
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False,
                     allow_infinity=False, exclude_min=(min_value <= 0))


def deltas():
    """Confidence parameters delta in the open interval (0, 1), no subnormals.

    Excluding subnormals keeps 2/delta finite in float64 (smallest value ~2.2e-308).
    """
    return st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True,
                     allow_nan=False, allow_infinity=False, allow_subnormal=False)


def lipschitz_constants(min_value: float = 1e-2, max_value: float = 1e2):
    """Lipschitz constants (L_sigma, L_loss): 1.0 often (tanh, ReLU, clipped losses), else in
    [min_value, max_value]."""
    return st.one_of(st.just(1.0),
                     st.floats(min_value=min_value, max_value=max_value, allow_nan=False,
                               allow_infinity=False))


def precisions(min_value: int = 15, max_value: int = 60):
    """mpmath decimal precisions (dps) in [15, 60]."""
    return st.integers(min_value=min_value, max_value=max_value)


@st.composite
def parameter_sets(draw, max_dimension: int = 4096, max_rank: int = 256,
                   max_T: int = 10 ** 6):
    """A valid parameter dict for ``oracles.rademacher_bound_spec`` (and the library's theorem).

    Keys: n, d, k, r_w, r_v, B_X, B_w, B_V, B_QK, L_sigma, L_loss, c, delta, T, with
    1 <= r_w <= min(d, max_rank), 1 <= r_v <= min(d, k, max_rank), T in [1, max_T]
    (T does not enter the bound; it is present so tests can vary it and check independence).
    """
    d = draw(dimensions(max_value=max_dimension))
    k = draw(dimensions(max_value=max_dimension))
    r_w = draw(ranks(max_value=min(d, max_rank)))
    r_v = draw(ranks(max_value=min(d, k, max_rank)))
    return {
        "n": draw(sample_sizes()),
        "d": d,
        "k": k,
        "r_w": r_w,
        "r_v": r_v,
        "B_X": draw(radii()),
        "B_w": draw(radii()),
        "B_V": draw(radii()),
        "B_QK": draw(radii()),
        "L_sigma": draw(lipschitz_constants()),
        "L_loss": draw(lipschitz_constants()),
        "c": draw(radii()),
        "delta": draw(deltas()),
        "T": draw(st.integers(min_value=1, max_value=max_T)),
    }


@st.composite
def dudley_triples(draw, max_D: int = 10 ** 6):
    """(D, C, U) for integral_0^U sqrt(D log+(C/eps)) d eps: D int in [1, max_D], C, U > 0.

    Covers both regimes of MATH.md section 5: C < U (log+ vanishes on [C, U]) and C >= U
    (including C == U exactly and C/U up to 1e6), chosen with equal probability.
    """
    D = draw(st.integers(min_value=1, max_value=max_D))
    U = draw(radii())
    case = draw(st.sampled_from(["C<U", "C=U", "C>U"]))
    if case == "C=U":
        C = U
    elif case == "C<U":
        ratio = draw(st.floats(min_value=1e-6, max_value=1.0, exclude_max=True))
        C = U * ratio
        if not C < U:  # rounding of U * ratio (ratio just below 1)
            C = U * 0.5
    else:
        ratio = draw(st.floats(min_value=1.0, max_value=1e6, exclude_min=True))
        C = U * ratio
        if not C > U:
            C = U * 2.0
    return (D, C, U)
