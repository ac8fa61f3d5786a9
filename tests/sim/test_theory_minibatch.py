"""Minibatch noise against an exhaustive enumeration of every minibatch, in exact rationals."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import theory

# Small integer gradient tables: n <= 6 rows keeps the enumeration exact and fast.
tables = st.integers(1, 6).flatmap(
    lambda n: st.integers(1, 3).flatmap(
        lambda d: st.lists(
            st.lists(st.integers(-5, 5), min_size=d, max_size=d), min_size=n, max_size=n
        )
    )
)


def _noise_sq(batch_rows, table):
    """||g_S - gbar||^2 in Fractions for the rows batch_rows (a tuple of indices)."""
    n, d = len(table), len(table[0])
    gbar = [Fraction(sum(row[k] for row in table), n) for k in range(d)]
    b = len(batch_rows)
    return sum((Fraction(sum(table[i][k] for i in batch_rows), b) - gbar[k]) ** 2 for k in range(d))


def _sigma2(table):
    """(1/n) sum_i ||g_i - gbar||^2, exactly."""
    return sum(_noise_sq((i,), table) for i in range(len(table))) / len(table)


def _enumerate_without(table, b):
    subsets = list(itertools.combinations(range(len(table)), b))
    return sum(_noise_sq(s, table) for s in subsets) / len(subsets)


def _enumerate_with(table, b):
    tuples = list(itertools.product(range(len(table)), repeat=b))
    return sum(_noise_sq(t, table) for t in tuples) / len(tuples)


def _exact_factor(n, b, sampling):
    if sampling == "with-replacement":
        return Fraction(1, b)
    return Fraction(0) if n == 1 else Fraction(n - b, b * (n - 1))


@given(tables)
@example([[1], [-1]]).via("n = 2, d = 1: b = 2 is the whole sum, noise 0")
@example([[3, 0, 1]]).via("n = 1: no noise at all")
@settings(max_examples=25)
def test_without_replacement_matches_every_subset(table):
    n = len(table)
    sigma2 = _sigma2(table)
    for b in range(1, n + 1):
        exact = _enumerate_without(table, b)
        assert exact == _exact_factor(n, b, "without-replacement") * sigma2  # exact identity
        assert theory.minibatch_noise(float(sigma2), n, b, "without-replacement") == (
            pytest.approx(float(exact), rel=1e-12, abs=1e-300)
        )


@given(tables)
@settings(max_examples=15)
def test_with_replacement_matches_every_ordered_draw(table):
    n = len(table)
    sigma2 = _sigma2(table)
    for b in range(1, 4):
        exact = _enumerate_with(table, b)
        assert exact == Fraction(1, b) * sigma2
        assert theory.minibatch_noise(float(sigma2), n, b) == pytest.approx(
            float(exact), rel=1e-12, abs=1e-300
        )


def test_covariance_scales_by_the_same_factor():
    """Cov(g_S) = kappa C entrywise (the finite population correction holds for the matrix)."""
    table = [[2, -1], [0, 3], [-4, 1], [1, 1], [5, -2]]
    n = len(table)
    gbar = [Fraction(sum(r[k] for r in table), n) for k in range(2)]
    cov = [
        [sum((r[i] - gbar[i]) * (r[j] - gbar[j]) for r in table) / n for j in range(2)]
        for i in range(2)
    ]
    _, cov_float = theory.per_sample_noise(np.array(table, dtype=float))
    np.testing.assert_allclose(cov_float, np.array(cov, dtype=float), rtol=1e-14)
    for b in range(1, n + 1):
        subsets = list(itertools.combinations(range(n), b))
        for i, j in itertools.product(range(2), repeat=2):
            enum = sum(
                (Fraction(sum(table[s][i] for s in sub), b) - gbar[i])
                * (Fraction(sum(table[s][j] for s in sub), b) - gbar[j])
                for sub in subsets
            ) / len(subsets)
            assert enum == _exact_factor(n, b, "without-replacement") * cov[i][j]


WRONG_FACTORS = {
    "1/b (ignores the correction)": lambda n, b: Fraction(1, b),
    "(n-b)/(b n) (divisor n, not n - 1)": lambda n, b: Fraction(n - b, b * n),
    "(n-b)/(n-1) (no 1/b)": lambda n, b: Fraction(n - b, n - 1),
}


@pytest.mark.parametrize("wrong", WRONG_FACTORS.values(), ids=WRONG_FACTORS.keys())
def test_enumeration_rejects_a_wrong_factor(wrong):
    table = [[1, 2], [-3, 0], [2, -2], [0, 0]]
    n, sigma2 = len(table), _sigma2(table)
    mismatches = [
        b for b in range(1, n + 1) if _enumerate_without(table, b) != wrong(n, b) * sigma2
    ]
    assert mismatches, "the enumeration failed to reject a wrong finite-population factor"


def test_defaults_and_the_single_example_edge():
    assert theory.minibatch_noise_factor(5, 2) == 0.5  # with replacement by default
    assert theory.minibatch_noise(3.0, 5, 2) == 1.5
    # n = 1: the only minibatch is the whole (one-term) sum, so the gradient is exact.
    assert theory.minibatch_noise_factor(1, 1, "without-replacement") == 0.0


def test_noise_is_monotone_and_spans_sigma2_to_zero():
    n = 10
    f = [theory.minibatch_noise_factor(n, b, "without-replacement") for b in range(1, n + 1)]
    assert f[0] == 1.0
    assert f[-1] == 0.0
    assert all(a > b for a, b in zip(f, f[1:], strict=False))
    # Without replacement is never noisier than with, and strictly quieter for 2 <= b.
    for b in range(2, n + 1):
        assert theory.minibatch_noise_factor(n, b, "without-replacement") < 1 / b


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: theory.minibatch_noise_factor(4, 5, "without-replacement"),
            r"batch must be .* \[1, n=4\]",
        ),
        (lambda: theory.minibatch_noise_factor(4, 0), "batch must be"),
        (lambda: theory.minibatch_noise_factor(0, 1), "n must be"),
        (lambda: theory.minibatch_noise_factor(4, 2, "reshuffle"), "sampling must be"),
        (lambda: theory.minibatch_noise(-1.0, 4, 2), "sigma2 must be"),
        (lambda: theory.per_sample_noise(np.ones(3)), "gradients must have 2"),
    ],
)
def test_bad_minibatch_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
