"""The counter-based index generator (sim.rng) and the mergeable moments (sim.stats).

Exact tiers only: each vectorised formula against a scalar reference written with Python
integers, and each merge against the direct two-pass statistics of the pooled data.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sim import rng, stats

U64 = st.integers(min_value=0, max_value=2**64 - 1)


def _mix_reference(z: int) -> int:
    """SplitMix64's finaliser written from its definition with Python integers."""
    mask = 2**64 - 1
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


@given(seed=U64, start=st.integers(0, 2**40), count=st.integers(1, 64))
@example(seed=2**64 - 1, start=0, count=3)
def test_draw_keys_match_the_scalar_definition(seed, start, count):
    s = _mix_reference(seed)
    s2 = _mix_reference(s ^ 0x5851F42D4C957F2D)
    expected = [_mix_reference((s2 + (m + 1) * rng.GAMMA) & (2**64 - 1))
                for m in range(start, start + count)]
    got = rng.draw_keys(np, seed, start, count)
    assert got.dtype == np.uint64
    assert [int(v) for v in got] == expected
    assert [rng.draw_key(seed, m) for m in range(start, start + count)] == expected


@given(u=st.lists(U64, min_size=1, max_size=32), n=st.integers(1, rng.MAX_N))
@example(u=[0, 2**64 - 1, 2**63, 2**32 - 1, 2**32], n=rng.MAX_N)
def test_index_is_exact_floor_of_u_n_over_2_64(u, n):
    got = rng.index_from_u64(np, np.array(u, dtype=np.uint64), n)
    assert [int(v) for v in got] == [(x * n) >> 64 for x in u]


def test_the_32_bit_shortcut_would_be_caught():
    """floor((u >> 32) n / 2^32) drops the low limb's carry; the exact reduction differs."""
    u, n = (2 << 32) + 2**32 - 1, 2**31 - 1
    shortcut = ((u >> 32) * n) >> 32
    exact = int(rng.index_from_u64(np, np.array([u], dtype=np.uint64), n)[0])
    assert exact == (u * n) >> 64
    assert shortcut != exact


def test_indices_do_not_depend_on_chunking():
    seed, n, batch = 11, 37, 3
    whole = rng.sample_indices(np, rng.trajectory_keys(np, seed, 0, 3000), seed, 5, n, batch)
    part = rng.sample_indices(np, rng.trajectory_keys(np, seed, 1024, 700), seed, 5, n, batch)
    np.testing.assert_array_equal(part, whole[1024:1724])
    assert whole.min() >= 0
    assert whole.max() < n


@pytest.mark.parametrize(
    ("seed", "error"), [(-1, ValueError), (2**64, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_bad_seed_is_named(seed, error):
    with pytest.raises(error, match="seed"):
        rng.seed_keys(seed)


@pytest.mark.parametrize(("n", "batch"), [(0, 1), (rng.MAX_N + 1, 1), (5, 0)])
def test_bad_sampling_arguments_are_named(n, batch):
    keys = rng.trajectory_keys(np, 0, 0, 4)
    with pytest.raises(ValueError, match="n must be" if batch else "batch must be"):
        rng.sample_indices(np, keys, 0, 0, n, batch)


@given(sizes=st.lists(st.integers(1, 2500), min_size=1, max_size=4), seed=st.integers(0, 99))
def test_block_fold_equals_the_pooled_two_pass_statistics(sizes, seed):
    """Moments merged block by block agree with numpy on the pooled sample to rounding."""
    gen = np.random.default_rng(seed)
    steps, d = 3, 2
    sq = gen.exponential(size=(steps + 1, sum(sizes)))
    w = gen.normal(size=(steps + 1, sum(sizes), d))
    blocks, first = [], 0
    for size in sizes:  # groups of trajectories, each reduced block by block
        part = slice(first, first + size)
        per_step = [stats.block_reduce(np, sq[t, part], w[t, part]) for t in range(steps + 1)]
        blocks += stats.blocks_to_moments(
            per_step[0][0], *(np.stack([p[i] for p in per_step]) for i in (1, 2, 3, 4)))
        first += size
    total = stats.merge_all(blocks)
    assert total.count == sq.shape[1]
    np.testing.assert_allclose(total.mean_sq, sq.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(total.mean_w, w.mean(axis=1), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(total.max_sq, sq.max(axis=1))
    if total.count >= 2:
        np.testing.assert_allclose(stats.variance(total), sq.var(axis=1, ddof=1), rtol=1e-10)
        np.testing.assert_allclose(
            stats.stderr(total), sq.std(axis=1, ddof=1) / np.sqrt(total.count), rtol=1e-10)


def test_a_wrong_merge_is_detected():
    """Dropping the between-group term of M2 (a classic slip) changes the variance."""
    a = stats.Moments(2, np.array([0.0]), np.array([0.0]), np.zeros((1, 1)), np.array([0.0]))
    b = stats.Moments(2, np.array([2.0]), np.array([0.0]), np.zeros((1, 1)), np.array([2.0]))
    right = stats.merge(a, b)
    assert stats.variance(right)[0] == pytest.approx(np.var([0, 0, 2, 2], ddof=1))
    assert right.m2_sq[0] != a.m2_sq[0] + b.m2_sq[0]


def test_moments_errors_are_clear():
    one = stats.Moments(1, np.zeros(2), np.zeros(2), np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="count >= 2"):
        stats.variance(one)
    with pytest.raises(ValueError, match="at least one"):
        stats.merge_all([])
    other = stats.Moments(1, np.zeros(3), np.zeros(3), np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="shapes"):
        stats.merge(one, other)


def test_merge_all_of_nothing_is_an_error():
    with pytest.raises(ValueError, match=r"^merge_all needs at least one group$"):
        stats.merge_all([])


def test_merge_checks_both_shapes_and_variance_needs_two():
    a = stats.Moments(2, np.zeros(3), np.ones(3), np.zeros((3, 2)), np.zeros(3))
    b = a._replace(mean_w=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="cannot merge moments of shapes"):
        stats.merge(a, b)
    np.testing.assert_array_equal(stats.variance(a), np.ones(3))
    with pytest.raises(ValueError, match=r"^variance needs count >= 2, got 1$"):
        stats.variance(a._replace(count=1))
