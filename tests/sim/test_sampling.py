"""The four sampling schemes: exact index streams, their invariants, and their distributions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sim_reference import reference_indices

from sim.check import normal_quantile_upper
from sim.rng import sample_indices, trajectory_keys
from sim.sampling import (
    MAX_PERMUTATION_N,
    SAMPLINGS,
    IndexStream,
    check_sampling,
    epoch_length,
)


def stream_indices(sampling, seed, start, count, steps, n, batch):
    """``(steps, batch, count)`` indices from :class:`IndexStream`."""
    stream = IndexStream(np, sampling, seed, start, count, n, batch)
    return np.stack([stream.draw(t) for t in range(steps)])


@given(
    sampling=st.sampled_from(SAMPLINGS),
    n=st.integers(1, 12),
    batch=st.integers(1, 4),
    seed=st.integers(0, 2**64 - 1),
    start=st.sampled_from([0, 1024, 2**40]),
)
@example(sampling="reshuffle", n=7, batch=3, seed=0, start=0)  # B does not divide n
@example(sampling="shuffle-once", n=1, batch=1, seed=1, start=0)
def test_stream_equals_the_scalar_reference(sampling, n, batch, seed, start):
    """Every index equals the docstring's formula evaluated on Python integers, per trajectory."""
    if sampling != "with-replacement" and batch > n:
        batch = n
    steps, count = 9, 5
    got = stream_indices(sampling, seed, start, count, steps, n, batch)
    for j in range(count):
        expected = reference_indices(sampling, seed, start + j, steps, n, batch)
        np.testing.assert_array_equal(got[:, :, j], expected)


def test_with_replacement_is_the_lecture_stream():
    keys = trajectory_keys(np, 3, 0, 64)
    got = stream_indices("with-replacement", 3, 0, 64, 4, 10, 2)
    for t in range(4):
        np.testing.assert_array_equal(got[t].T, sample_indices(np, keys, 3, t, 10, 2))


@pytest.mark.parametrize(("n", "batch"), [(5, 1), (5, 2), (6, 3), (7, 3), (4, 4)])
def test_without_replacement_minibatches_are_distinct(n, batch):
    got = stream_indices("without-replacement", 2, 0, 500, 20, n, batch)
    assert got.min() >= 0 and got.max() < n
    ordered = np.sort(got, axis=1)
    assert np.all(np.diff(ordered, axis=1) > 0)


@pytest.mark.parametrize(("n", "batch"), [(6, 1), (6, 2), (7, 3), (5, 5)])
def test_each_reshuffled_epoch_is_a_permutation_drawn_afresh(n, batch):
    epoch = epoch_length(n, batch)
    got = stream_indices("reshuffle", 5, 0, 300, 4 * epoch, n, batch)
    per_epoch = got.reshape(4, epoch * batch, 300)
    assert np.all(np.diff(np.sort(per_epoch, axis=1), axis=1) > 0)  # distinct in an epoch
    # fresh permutations: consecutive epochs differ for most trajectories (n >= 5)
    assert np.mean(np.any(per_epoch[1] != per_epoch[0], axis=0)) > 0.9


def test_shuffle_once_repeats_its_first_epoch():
    n, batch = 7, 2
    epoch = epoch_length(n, batch)
    got = stream_indices("shuffle-once", 8, 1024, 200, 3 * epoch, n, batch)
    per_epoch = got.reshape(3, epoch * batch, 200)
    np.testing.assert_array_equal(per_epoch[1], per_epoch[0])
    np.testing.assert_array_equal(per_epoch[2], per_epoch[0])
    assert np.mean(np.any(per_epoch[0] != per_epoch[0][:, :1], axis=0)) > 0.9  # not one order


def test_indices_do_not_depend_on_how_trajectories_are_grouped():
    whole = stream_indices("reshuffle", 4, 0, 3000, 12, 6, 2)
    parts = [stream_indices("reshuffle", 4, s, c, 12, 6, 2)
             for s, c in ((0, 1024), (1024, 1024), (2048, 952))]
    np.testing.assert_array_equal(whole, np.concatenate(parts, axis=2))


def _assert_uniform(counts: np.ndarray, delta: float) -> float:
    """Each cell's count is Binomial(N, 1/K); a two-sided z-test per cell with Bonferroni over
    the K cells keeps the family-wise false alarm at ``delta`` (normal approximation; every
    cell expects >= 1000 draws here). Returns the detectable relative deviation of one cell
    (power 0.999)."""
    total, cells = counts.sum(), counts.size
    p = 1.0 / cells
    sd = math.sqrt(total * p * (1 - p))
    z = normal_quantile_upper(delta / (2 * cells))
    assert np.max(np.abs(counts - total * p)) <= z * sd, (counts, total * p, z * sd)
    return (z + normal_quantile_upper(1e-3)) * sd / (total * p)


def _cells(codes: np.ndarray, expected: set[int]) -> np.ndarray:
    """Counts of each expected code; every code seen must be an expected one."""
    seen, counts = np.unique(codes, return_counts=True)
    assert set(seen.tolist()) == expected
    return counts


def test_without_replacement_subsets_are_uniform():
    """All C(5, 2) = 10 subsets equally likely (false alarm 1e-9; detects a 6.4% deviation of
    one subset's probability with power 0.999)."""
    n, batch, count = 5, 2, 200_000
    got = np.sort(stream_indices("without-replacement", 11, 0, count, 2, n, batch)[1], axis=0)
    expected = {a * n + b for a, b in itertools.combinations(range(n), batch)}
    mde = _assert_uniform(_cells(got[0] * n + got[1], expected), 1e-9)
    assert mde < 0.065


@pytest.mark.parametrize("sampling", ["reshuffle", "shuffle-once"])
def test_permutations_are_uniform(sampling):
    """All 4! orders equally likely in the second epoch (false alarm 1e-9; detects a 9.6%
    deviation of one order's probability with power 0.999)."""
    n, count = 4, 240_000
    got = stream_indices(sampling, 12, 0, count, 2 * n, n, 1)[n:, 0]  # the second epoch
    weights = n ** np.arange(n)
    expected = {int(np.dot(p, weights)) for p in itertools.permutations(range(n))}
    mde = _assert_uniform(_cells(weights @ got, expected), 1e-9)
    assert mde < 0.097


def test_uniformity_check_can_fail():
    """A 16% excess in one of ten cells is rejected; a sampler that pairs neighbours is too."""
    counts = np.full(10, 5000)
    counts[0] += 800
    with pytest.raises(AssertionError):
        _assert_uniform(counts, 1e-9)
    neighbours = np.arange(10) % 4  # only pairs (a, a + 1): three of the ten subsets missing
    with pytest.raises(AssertionError):
        _cells(neighbours * 5 + neighbours + 1, {a * 5 + b for a, b in
                                                itertools.combinations(range(5), 2)})


def test_draws_must_come_in_order():
    stream = IndexStream(np, "reshuffle", 0, 0, 4, 5, 1)
    stream.draw(0)
    with pytest.raises(ValueError, match="steps must be drawn in order: expected 1, got 2"):
        stream.draw(2)


@pytest.mark.parametrize(
    ("sampling", "batch", "n", "match"),
    [
        ("uniform", 1, 5, "sampling must be one of"),
        ("without-replacement", 6, 5, "batch must be <= n = 5 for sampling='without-replacement'"),
        ("reshuffle", 6, 5, "batch must be <= n = 5"),
        ("reshuffle", 1, MAX_PERMUTATION_N + 1, "needs n <= 65536"),
        ("shuffle-once", 1, MAX_PERMUTATION_N + 1, "needs n <= 65536"),
    ],
)
def test_bad_sampling_is_rejected(sampling, batch, n, match):
    with pytest.raises(ValueError, match=match):
        check_sampling(sampling, batch, n)


def test_good_sampling_is_accepted():
    assert check_sampling("with-replacement", 9, 5) == "with-replacement"
    assert check_sampling("reshuffle", 5, MAX_PERMUTATION_N) == "reshuffle"
    assert epoch_length(7, 3) == 2
