"""Property tests of the matrix norm relations (MATH.md section 2) on random matrices (numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lemmas
from lemmas.norms import MatrixNorm, Rank

import oracles as O
from helpers import rhs_at


def norms_of(A):
    """Independent numpy values: spectral, Frobenius, (2,1) (sum of column 2-norms), (1,1), rank."""
    return {
        "spec": float(np.linalg.norm(A, 2)),
        "fro": float(np.linalg.norm(A)),
        "21": float(np.sum(np.linalg.norm(A, axis=0))),
        "11": float(np.sum(np.abs(A))),
        "rank": int(np.linalg.matrix_rank(A)),
    }


def rhs_for(lem, A):
    """The lemma's right side with its MatrixNorm / Rank atoms replaced by A's values."""
    vals = norms_of(A)
    subs = {}
    for a in lem.rhs.atoms(MatrixNorm):
        subs[a] = vals[str(a.args[1])]
    for a in lem.rhs.atoms(Rank):
        subs[a] = vals["rank"]
    return float(rhs_at(lem, subs))


def lhs_for(lem, A):
    (a,) = [x for x in lem.lhs.atoms(MatrixNorm)] if isinstance(lem.lhs, MatrixNorm) else [lem.lhs]
    return norms_of(A)[str(a.args[1])]


KINDS = ("gaussian", "low-rank", "flat-spectrum", "one-column", "one-entry-per-column", "sparse")


@st.composite
def matrices(draw):
    n1, n2 = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kind = draw(st.sampled_from(KINDS))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = 10.0 ** draw(st.floats(-3, 3))
    if kind == "gaussian":
        A = rng.standard_normal((n1, n2))
    elif kind == "low-rank":
        A = O.random_low_rank(rng, n1, n2, int(rng.integers(1, min(n1, n2) + 1)))
    elif kind == "flat-spectrum":        # equal singular values: ||A||_F = sqrt(rank) ||A||_2
        r = int(rng.integers(1, min(n1, n2) + 1))
        U = np.linalg.qr(rng.standard_normal((n1, r)))[0]
        V = np.linalg.qr(rng.standard_normal((n2, r)))[0]
        A = U @ V.T
    elif kind == "one-column":           # ||A||_F = ||A||_{2,1}
        A = np.zeros((n1, n2)); A[:, int(rng.integers(0, n2))] = rng.standard_normal(n1)
    elif kind == "one-entry-per-column":  # ||A||_{2,1} = ||A||_{1,1}
        A = np.zeros((n1, n2)); A[rng.integers(0, n1, size=n2), np.arange(n2)] = rng.standard_normal(n2)
    else:
        A = rng.standard_normal((n1, n2)) * (rng.uniform(size=(n1, n2)) < 0.3)
    return kind, A * scale


NAMES = ["norm-spec-le-fro", "norm-fro-le-sqrt-rank-spec", "norm-fro-le-21", "norm-21-le-11"]


@pytest.mark.lemma("norm-spec-le-fro")
@pytest.mark.lemma("norm-fro-le-sqrt-rank-spec")
@pytest.mark.lemma("norm-fro-le-21")
@pytest.mark.lemma("norm-21-le-11")
@given(m=matrices())
def test_norm_relations_on_random_matrices(m):
    kind, A = m
    for name in NAMES:
        lem = lemmas.get(name)
        lhs, rhs = lhs_for(lem, A), rhs_for(lem, A)
        assert lhs <= rhs * (1 + 1e-12) + 1e-300, (name, kind, lhs, rhs)


@pytest.mark.lemma("norm-spec-le-fro")
@pytest.mark.lemma("norm-fro-le-sqrt-rank-spec")
@pytest.mark.lemma("norm-fro-le-21")
@pytest.mark.lemma("norm-21-le-11")
@pytest.mark.parametrize("name,build", [
    ("norm-spec-le-fro", lambda rng: np.outer(rng.standard_normal(4), rng.standard_normal(3))),
    ("norm-fro-le-sqrt-rank-spec", lambda rng: 2.5 * np.linalg.qr(rng.standard_normal((5, 3)))[0]),
    ("norm-fro-le-21", lambda rng: np.c_[rng.standard_normal(4), np.zeros((4, 2))]),
    ("norm-21-le-11", lambda rng: np.diag(rng.standard_normal(3))),
])
def test_norm_relations_are_attained(name, build):
    """Each relation holds with equality on its extremal matrices (so no constant can be lowered)."""
    A = build(np.random.default_rng(3))
    lem = lemmas.get(name)
    assert lhs_for(lem, A) == pytest.approx(rhs_for(lem, A), rel=1e-12)
