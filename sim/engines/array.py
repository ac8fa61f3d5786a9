"""The portable engine: all trajectories of a chunk advance together as one array.

Written once against the array namespace ``xp`` (NumPy or CuPy). Trajectories are stored as
columns of a ``(d, N)`` array so that every per-step operation is a long elementwise pass, and
the per-step reductions over coordinates run across rows.

Quadratic problems run in the eigenbasis of ``H`` (see :class:`sim.quadratic.QuadraticSpec`):
with the table :math:`\\alpha\\lambda_k c_{ik} / B` precomputed the update is
:math:`z \\leftarrow (1-\\alpha\\lambda) \\odot z + \\sum_b \\mathrm{table}[:, i_b]`, one gather
and two fused in-place passes per step. Logistic regression updates the error
:math:`e = w - w^*` directly:
:math:`e \\leftarrow (1-\\alpha\\lambda)e - \\alpha\\lambda w^* + \\frac{\\alpha}{B}\\sum_b
\\sigma(-y_{i_b} a_{i_b}^T w)\\, y_{i_b} a_{i_b}`.

Speed comes from few, cache-sized passes: the sample indices of a group of steps are computed
in one set of in-place passes with the formula of :mod:`sim.rng` (no temporaries; a single
shift when ``n`` is a power of two), the squared norms go into a ``(steps, N)`` buffer of
about 512 KiB, and every group of steps that fills it is reduced per block at once with the
formulas of :func:`sim.stats.block_reduce`, so each block's numbers depend only on its own
trajectories.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.backend import namespace_of, to_numpy
from sim.engines import OVERFLOW_GUARD, ChunkResult
from sim.logistic import LogisticSpec
from sim.quadratic import QuadraticSpec
from sim.rng import _MUL1, _MUL2, draw_key, trajectory_keys
from sim.stats import BLOCK

# Elements of the (steps x trajectories) squared-distance buffer reduced at once: on the CPU it
# should stay in the L2 cache (512 KiB); on a GPU it amortises the host check for divergence.
_GROUP_ELEMENTS = {"numpy": 1 << 16, "cupy": 1 << 24}


def available() -> bool:
    """The array engine needs nothing beyond NumPy."""
    return True


def _take(xp: Any, table: Any, idx: Any, out: Any) -> Any:
    if xp is np:
        # The indices are in range by construction; mode="wrap" skips the buffered bounds check
        # of mode="raise" and is the fastest unchecked gather.
        return np.take(table, idx, axis=1, out=out, mode="wrap")
    return xp.take(table, idx, axis=1, out=out)


class _Quadratic:
    def __init__(self, xp: Any, spec: QuadraticSpec, alpha: float, batch: int) -> None:
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        self.xp = xp
        self.n, self.d = spec.centered.shape
        self.basis = np.asarray(spec.eigvecs, dtype=np.float64)
        self.decay = xp.asarray((1.0 - alpha * lam)[:, None])
        self.table = xp.asarray(np.ascontiguousarray((alpha * lam / batch) * spec.centered).T)

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return self.basis.T @ e0

    def step(self, state: Any, idx: Any, buf: Any, acc: Any) -> None:
        xp = self.xp
        _take(xp, self.table, idx[0], acc)
        for b in range(1, idx.shape[0]):
            acc += _take(xp, self.table, idx[b], buf)
        state *= self.decay
        state += acc


class _Logistic:
    def __init__(self, xp: Any, spec: LogisticSpec, alpha: float, batch: int) -> None:
        self.xp = xp
        self.n, self.d = spec.features.shape
        self.basis = None
        ya = np.asarray(spec.labels, dtype=np.float64)[:, None] * spec.features
        self.table = xp.asarray(np.ascontiguousarray(ya.T))
        self.w_star = xp.asarray(np.asarray(spec.w_star, dtype=np.float64)[:, None])
        self.decay = 1.0 - alpha * spec.l2
        self.shift = xp.asarray(
            -alpha * spec.l2 * np.asarray(spec.w_star, dtype=np.float64)[:, None]
        )
        self.gain = alpha / batch

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return e0

    def step(self, state: Any, idx: Any, buf: Any, acc: Any) -> None:
        xp = self.xp
        w = state + self.w_star
        acc.fill(0.0)
        for b in range(idx.shape[0]):
            rows = _take(xp, self.table, idx[b], buf)
            margin = (rows * w).sum(axis=0)
            # sigma(-m) = (1 - tanh(m/2)) / 2: no overflow for any margin.
            weight = xp.tanh(0.5 * margin)
            weight *= -0.5
            weight += 0.5
            rows *= weight
            acc += rows
        state *= self.decay
        state += self.shift
        acc *= self.gain
        state += acc


def run_chunk(
    spec: QuadraticSpec | LogisticSpec,
    *,
    alpha: float,
    steps: int,
    seed: int,
    start: int,
    count: int,
    batch: int,
    e0: np.ndarray,
    backend: str = "numpy",
) -> ChunkResult:
    """Simulate trajectories ``start .. start + count - 1`` for ``steps`` steps.

    Args:
        spec: ``problem.spec()``.
        alpha, steps, seed, batch: step size, number of steps, seed, minibatch size.
        start: first global trajectory number, a multiple of :data:`sim.stats.BLOCK`.
        count: number of trajectories (a multiple of ``BLOCK`` unless the chunk is the last).
        e0: ``(d,)`` initial error :math:`w_0 - w^*` in the original coordinates.
        backend: ``"numpy"`` or ``"cupy"``.
    """
    if start % BLOCK or start < 0:
        raise ValueError(f"start must be a non-negative multiple of {BLOCK}, got {start}")
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    xp = namespace_of(backend)
    if isinstance(spec, QuadraticSpec):
        model = _Quadratic(xp, spec, alpha, batch)
    elif isinstance(spec, LogisticSpec):
        model = _Logistic(xp, spec, alpha, batch)
    else:
        raise TypeError(f"spec must be a QuadraticSpec or LogisticSpec, got {type(spec).__name__}")
    # Overflow of a diverging trajectory is detected and reported (``diverged_at``), not warned.
    with np.errstate(over="ignore", invalid="ignore"):
        return _run(xp, model, steps, seed, start, count, batch, np.asarray(e0, dtype=np.float64))


def _indices(xp: Any, keys: Any, draws: Any, n: int, out: Any, tmp: Any) -> Any:
    """:func:`sim.rng.sample_indices` in place: ``out[m, j]`` from ``draws[m]`` and ``keys[j]``.

    The same formula as :mod:`sim.rng`, without temporaries; ``out`` and ``tmp`` are uint64
    arrays of shape ``(len(draws), len(keys))``.
    """
    xp.add(draws[:, None], keys[None, :], out=out)
    for shift, mul in ((30, _MUL1), (27, _MUL2)):
        xp.right_shift(out, xp.uint64(shift), out=tmp)
        xp.bitwise_xor(out, tmp, out=out)
        xp.multiply(out, xp.uint64(mul), out=out)
    xp.right_shift(out, xp.uint64(31), out=tmp)
    xp.bitwise_xor(out, tmp, out=out)
    if n & (n - 1) == 0:
        # floor(u n / 2^64) is the top log2(n) bits when n is a power of two.
        if n == 1:
            out.fill(0)
        else:
            xp.right_shift(out, xp.uint64(64 - (n.bit_length() - 1)), out=out)
    else:
        xp.right_shift(out, xp.uint64(32), out=tmp)
        xp.bitwise_and(out, xp.uint64(0xFFFFFFFF), out=out)
        xp.multiply(tmp, xp.uint64(n), out=tmp)
        xp.multiply(out, xp.uint64(n), out=out)
        xp.right_shift(out, xp.uint64(32), out=out)
        xp.add(out, tmp, out=out)
        xp.right_shift(out, xp.uint64(32), out=out)
    return out.view(xp.int64)


def _square_norms(xp: Any, state: Any, out: Any, buf: Any) -> None:
    if xp is np:
        np.einsum("ij,ij->j", state, state, out=out)
    else:
        xp.multiply(state, state, out=buf)
        buf.sum(axis=0, out=out)


def _sum_of_squares(xp: Any, dev: Any) -> Any:
    """Sum of squares over the last axis (one pass, no temporary, on NumPy)."""
    if xp is np:
        return np.einsum("kbj,kbj->kb", dev, dev)
    return (dev * dev).sum(axis=2)


def _run(
    xp: Any, model: Any, steps: int, seed: int, start: int, count: int, batch: int, e0: np.ndarray
) -> ChunkResult:
    d, n = model.d, model.n
    full, tail = divmod(count, BLOCK)
    nb = full + (tail > 0)
    sizes = np.array([BLOCK] * full + ([tail] if tail else []), dtype=np.int64)

    state = xp.empty((d, count))
    state[...] = xp.asarray(model.initial(e0))[:, None]
    buf, acc = xp.empty((d, count)), xp.empty((d, count))
    keys = trajectory_keys(xp, seed, start, count)
    group = max(1, min(max(steps, 1), _GROUP_ELEMENTS["numpy" if xp is np else "cupy"] // count))
    sq = xp.empty((group, count))
    devs = xp.empty(group * count)
    idx = xp.empty((group * batch, count), dtype=xp.uint64)
    scratch = xp.empty((group * batch, count), dtype=xp.uint64)
    mean = xp.full((steps + 1, nb), xp.nan)
    m2, top = xp.full((steps + 1, nb), xp.nan), xp.full((steps + 1, nb), xp.nan)
    sums = xp.full((steps + 1, d, nb), xp.nan)

    def record(row: int, slot: int) -> None:
        _square_norms(xp, state, sq[slot], buf)
        if full:
            state[:, : full * BLOCK].reshape(d, full, BLOCK).sum(axis=2, out=sums[row, :, :full])
        if tail:
            state[:, full * BLOCK :].sum(axis=1, out=sums[row, :, full])

    def reduce(first: int, k: int) -> int | None:
        """Reduce ``k`` recorded steps into rows ``first..``; return the first diverged step."""
        parts = []
        if full:
            parts.append(sq[:k, : full * BLOCK].reshape(k, full, BLOCK))
        if tail:
            parts.append(sq[:k, full * BLOCK :].reshape(k, 1, tail))
        col = 0
        for part in parts:
            nblk, size = part.shape[1], part.shape[2]
            rows, cols = slice(first, first + k), slice(col, col + nblk)
            mu = part.sum(axis=2)
            mu /= size
            dev = devs[: k * nblk * size].reshape(k, nblk, size)
            xp.subtract(part, mu[:, :, None], out=dev)
            mean[rows, cols] = mu
            m2[rows, cols] = _sum_of_squares(xp, dev)
            top[rows, cols] = part.max(axis=2)
            col += nblk
        worst = top[first : first + k].max(axis=1)
        bad = to_numpy(~(worst <= OVERFLOW_GUARD))  # also catches NaN
        return first + int(np.argmax(bad)) if bad.any() else None

    record(0, 0)
    diverged = reduce(0, 1)
    t = 0
    while diverged is None and t < steps:
        k = min(group, steps - t)
        draws = xp.asarray(
            [draw_key(seed, m) for m in range(t * batch, (t + k) * batch)], dtype=xp.uint64
        )
        drawn = _indices(xp, keys, draws, n, idx[: k * batch], scratch[: k * batch])
        for j in range(k):
            model.step(state, drawn[j * batch : (j + 1) * batch], buf, acc)
            record(t + j + 1, j)
        diverged = reduce(t + 1, k)
        t += k
    if diverged is not None:
        for arr in (mean, m2, top, sums):
            arr[diverged:] = xp.nan

    mean_z = to_numpy(sums).transpose(0, 2, 1) / sizes[None, :, None]
    if model.basis is None:
        mean_e = np.ascontiguousarray(mean_z)
    else:
        # An explicit sum over k (not BLAS) keeps each block's rotation independent of the chunk.
        mean_e = np.zeros_like(mean_z)
        for k in range(d):
            mean_e += mean_z[:, :, k, None] * model.basis[None, None, :, k]
    return ChunkResult(sizes, to_numpy(mean), to_numpy(m2), mean_e, to_numpy(top), diverged)
