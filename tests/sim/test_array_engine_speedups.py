"""The shortcuts of the array engine are exact: same indices, same roundings as the plain forms.

Two shortcuts of :mod:`sim.engines.array` are checked bit for bit against plain references:

* for ``n = 2**k`` the index is ``z >> (64 - k)`` without the last xor-shift of the finaliser,
  which must equal :func:`sim.rng.sample_indices` exactly;
* on NumPy the quadratic table is gathered two rows at a time (one complex128 item per pair of
  rows) and the strided view is added to the state; the state must be exactly the one of
  ``z <- decay * z + sum_b table[:, i_b]`` computed with one plain gather per row.

Each equality has a companion test that feeds a wrong variant and sees it rejected.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sim import QuadraticProblem
from sim.engines import array as array_engine
from sim.rng import MAX_N, draw_key, sample_indices, trajectory_keys


def engine_indices(keys: np.ndarray, seed: int, step: int, n: int, batch: int) -> np.ndarray:
    """The engine's in-place index computation, shaped like :func:`sample_indices`."""
    draws = np.asarray([draw_key(seed, step * batch + b) for b in range(batch)], dtype=np.uint64)
    out = np.empty((batch, keys.shape[0]), dtype=np.uint64)
    tmp = np.empty_like(out)
    return array_engine._indices(np, keys, draws, n, out, tmp).T


@given(
    k=st.integers(0, 30),
    seed=st.integers(0, 2**64 - 1),
    start=st.integers(0, 2**40),
    step=st.integers(0, 2**20),
    batch=st.integers(1, 3),
)
@example(k=30, seed=2**64 - 1, start=0, step=0, batch=1)  # largest power of two <= MAX_N
@example(k=0, seed=0, start=0, step=0, batch=2)  # n = 1: every index is 0
def test_power_of_two_shortcut_equals_sample_indices(k, seed, start, step, batch):
    n = 2**k
    assert n <= MAX_N
    keys = trajectory_keys(np, seed, start, 257)
    expected = sample_indices(np, keys, seed, step, n, batch)
    np.testing.assert_array_equal(engine_indices(keys, seed, step, n, batch), expected)


@given(n=st.integers(1, MAX_N), seed=st.integers(0, 2**64 - 1), step=st.integers(0, 2**20))
@example(n=MAX_N, seed=0, step=0)
@example(n=3, seed=1, step=5)
def test_general_n_equals_sample_indices(n, seed, step):
    keys = trajectory_keys(np, seed, 0, 129)
    np.testing.assert_array_equal(
        engine_indices(keys, seed, step, n, 2), sample_indices(np, keys, seed, step, n, 2)
    )


def test_skipping_the_xor_shift_is_wrong_when_n_is_not_a_power_of_two():
    """The shortcut is not vacuous: without the last xor-shift the limb formula differs."""
    from sim.rng import index_from_u64, mix64

    keys = trajectory_keys(np, 7, 0, 4096)
    z = keys + np.uint64(draw_key(7, 0))
    u = mix64(np, z)
    shortcut_z = z
    for shift, mul in ((30, array_engine._MUL1), (27, array_engine._MUL2)):
        shortcut_z = (shortcut_z ^ (shortcut_z >> np.uint64(shift))) * np.uint64(mul)
    n = 3 * 2**28  # not a power of two: the low bits of u matter
    assert np.any(index_from_u64(np, shortcut_z, n) != index_from_u64(np, u, n))
    # and for a power of two the top bits of z and u agree, as the engine assumes
    np.testing.assert_array_equal(shortcut_z >> np.uint64(34), u >> np.uint64(34))


def plain_step(table: np.ndarray, decay: np.ndarray, z: np.ndarray, idx: np.ndarray) -> None:
    """z <- decay * z + sum_b table[:, idx[b]], one gather per row and draw."""
    acc = table[:, idx[0]].copy()
    for b in range(1, idx.shape[0]):
        acc += table[:, idx[b]]
    z *= decay
    z += acc


def quadratic_model(d: int, n: int, batch: int, seed: int) -> array_engine._Quadratic:
    r = np.random.default_rng(seed)
    q, _ = np.linalg.qr(r.standard_normal((d, d)))
    problem = QuadraticProblem(
        hessian=(q * np.linspace(0.5, 4.0, d)) @ q.T, data=r.standard_normal((n, d))
    )
    return array_engine._Quadratic(np, problem.spec(), 0.2, batch)


def run_bound(model, z0: np.ndarray, draws: np.ndarray) -> np.ndarray:
    state = z0.copy()
    buf, acc = np.empty_like(state), np.empty_like(state)
    step = model.bind(state, buf, acc)
    for idx in draws:
        step(idx)
    return state


@given(
    d=st.integers(1, 11),
    n=st.integers(1, 50),
    batch=st.integers(1, 3),
    count=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
)
@example(d=10, n=256, batch=1, count=300, seed=0)  # the benchmark's shape
@example(d=1, n=1, batch=2, count=1, seed=1)  # no pair at all, odd last row only
@example(d=3, n=2, batch=3, count=5, seed=2)  # one pair and an odd last row
def test_pair_gather_equals_plain_gather(d, n, batch, count, seed):
    model = quadratic_model(d, n, batch, seed)
    assert model.pairs == d // 2
    r = np.random.default_rng(seed)
    z0 = r.standard_normal((d, count))
    draws = r.integers(0, n, size=(4, batch, count))
    expected = z0.copy()
    for idx in draws:
        plain_step(model.table, model.decay, expected, idx)
    np.testing.assert_array_equal(run_bound(model, z0, draws), expected)


def test_wrongly_paired_table_is_detected():
    """Swapping the two rows inside each packed pair changes the state: the check can fail."""
    model = quadratic_model(4, 16, 1, 3)
    r = np.random.default_rng(3)
    z0 = r.standard_normal((4, 64))
    draws = r.integers(0, 16, size=(3, 1, 64))
    expected = z0.copy()
    for idx in draws:
        plain_step(model.table, model.decay, expected, idx)
    model.pair_table = 1j * np.conj(model.pair_table)  # a + ib -> b + ia
    assert not np.array_equal(run_bound(model, z0, draws), expected)


@pytest.mark.parametrize("d", [1, 2, 5, 10])
def test_engine_paths_agree_bit_for_bit(d):
    """run_chunk with the pair gather equals run_chunk with the plain per-row gather."""
    r = np.random.default_rng(d)
    q, _ = np.linalg.qr(r.standard_normal((d, d)))
    problem = QuadraticProblem(
        hessian=(q * np.linspace(1.0, 3.0, d)) @ q.T, data=r.standard_normal((64, d))
    )
    kw = {
        "alpha": 0.3,
        "steps": 20,
        "seed": 9,
        "start": 1024,
        "count": 1500,
        "batch": 2,
        "e0": np.ones(d),
    }
    fast = array_engine.run_chunk(problem.spec(), **kw)
    original = array_engine._Quadratic.__init__

    def without_pairs(self, *args):
        original(self, *args)
        self.pairs = 0

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(array_engine._Quadratic, "__init__", without_pairs)
        plain = array_engine.run_chunk(problem.spec(), **kw)
    for field in ("count", "mean", "m2", "mean_e", "max"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(plain, field))


@pytest.mark.parametrize("workers", [2, 3, 64])
@pytest.mark.parametrize(
    ("alpha", "count"), [(0.3, 3 * 1024 + 17), (0.3, 1), (1.9, 4 * 1024)]
)  # stable with a partial last block; one trajectory; diverging (alpha > 2/L = 1)
def test_parallel_pieces_equal_one_piece(workers, alpha, count, monkeypatch):
    """Whole-block pieces on threads give the ChunkResult of one piece, bit for bit."""
    problem = QuadraticProblem(hessian=np.diag([0.5, 1.0, 2.0]), data=np.eye(3) * 40.0)
    kw = {
        "alpha": alpha,
        "steps": 300,
        "seed": 4,
        "start": 2048,
        "count": count,
        "batch": 1,
        "e0": np.ones(3),
    }
    monkeypatch.setattr(array_engine, "_workers", lambda: 1)
    single = array_engine.run_chunk(problem.spec(), **kw)
    monkeypatch.setattr(array_engine, "_workers", lambda: workers)
    split = array_engine.run_chunk(problem.spec(), **kw)
    assert (single.diverged_at is None) == (alpha < 1.0)
    assert split.diverged_at == single.diverged_at
    for field in ("count", "mean", "m2", "mean_e", "max"):
        np.testing.assert_array_equal(getattr(split, field), getattr(single, field))


@pytest.mark.parametrize("workers", [1, 2, 5, 100])
def test_pieces_are_whole_blocks_covering_the_chunk(workers):
    for count in (1, 1024, 1025, 10_000, 64 * 1024):
        pieces = array_engine._pieces(count, workers)
        assert len(pieces) <= workers
        assert [off for off, _ in pieces] == list(np.cumsum([0] + [s for _, s in pieces[:-1]]))
        assert sum(size for _, size in pieces) == count
        assert all(off % 1024 == 0 and size > 0 for off, size in pieces)


def test_concatenate_masks_every_piece_from_the_first_divergence():
    """A piece that diverged at step 3 makes rows 3.. NaN in the others too; step 5 is later."""
    from sim.engines import ChunkResult

    def piece(diverged):
        rows = np.arange(8.0)[:, None]
        mean = np.where(rows < (diverged if diverged is not None else 8), rows, np.nan)
        return ChunkResult(
            np.array([1024]),
            mean,
            mean.copy(),
            np.repeat(mean[:, :, None], 2, 2),
            mean.copy(),
            diverged,
        )

    joined = array_engine._concatenate([piece(None), piece(5), piece(3)])
    assert joined.diverged_at == 3
    np.testing.assert_array_equal(joined.count, [1024] * 3)
    assert joined.mean_e.shape == (8, 3, 2)
    for arr in (joined.mean, joined.m2, joined.mean_e, joined.max):
        assert np.isnan(arr[3:]).all()
        assert np.array_equal(arr[:3, 0].reshape(3, -1)[:, 0], np.arange(3.0))
    assert array_engine._concatenate([piece(None), piece(None)]).diverged_at is None
