"""Per-block statistics of a ``(d, N)`` state, recorded step by step and reduced in groups.

The array engine's bookkeeping: the squared norms of a group of steps go into a ``(steps, N)``
buffer (about 512 KiB on the CPU) and every full group is reduced per block at once with the
formulas of :func:`sim.stats.block_reduce` (two-pass mean and :math:`M_2`, maximum; the mean
of the state is summed directly), so each block's numbers depend only on its own trajectories.
Statistics are always kept in float64; a float32 state is widened before it is measured.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.backend import to_numpy
from sim.engines import OVERFLOW_GUARD
from sim.stats import BLOCK


def square_norms(xp: Any, state: Any, out: Any, buf: Any) -> None:
    """``out[j] = sum_a state[a, j]^2``, summed over ``a`` in order."""
    if xp is np:
        np.einsum("ij,ij->j", state, state, out=out)
    else:
        xp.multiply(state, state, out=buf)
        buf.sum(axis=0, out=out)


def sum_of_squares(xp: Any, dev: Any) -> Any:
    """Sum of squares over the last axis (one pass, no temporary, on NumPy)."""
    if xp is np:
        return np.einsum("kbj,kbj->kb", dev, dev)
    return (dev * dev).sum(axis=2)


class Recorder:
    """Statistics of ``state`` (``(d, count)``, any float dtype) at steps ``0..steps``.

    ``record(row, slot)`` measures the state as step ``row`` into slot ``slot`` of the group
    buffer; ``reduce(first, k)`` reduces slots ``0..k-1`` into rows ``first..first+k-1`` and
    returns the first step whose maximum is non-finite or above :data:`OVERFLOW_GUARD`.
    """

    def __init__(self, xp: Any, state: Any, steps: int, group: int) -> None:
        d, count = state.shape
        self.xp, self.state, self.count = xp, state, count
        self.full, self.tail = divmod(count, BLOCK)
        nb = self.full + (self.tail > 0)
        self.sizes = np.array([BLOCK] * self.full + ([self.tail] if self.tail else []),
                              dtype=np.int64)
        # a float32 state is copied into float64 before it is measured
        self.wide = None if state.dtype == xp.float64 else xp.empty((d, count))
        src = state if self.wide is None else self.wide
        self.src = src
        self.buf = None if xp is np else xp.empty((d, count))
        self.sq = xp.empty((group, count))
        self.devs = xp.empty(group * count)
        self.mean = xp.full((steps + 1, nb), xp.nan)
        self.m2 = xp.full((steps + 1, nb), xp.nan)
        self.top = xp.full((steps + 1, nb), xp.nan)
        self.sums = xp.full((steps + 1, d, nb), xp.nan)
        # views made once: record() runs every step, where each Python-level call costs ~1 us
        self.blocks = src[:, : self.full * BLOCK].reshape(d, self.full, BLOCK)
        self.last_block = src[:, self.full * BLOCK:]
        self.last_slot = 0

    def record(self, row: int, slot: int) -> None:
        xp = self.xp
        if self.wide is not None:
            self.wide[...] = self.state
        square_norms(xp, self.src, self.sq[slot], self.buf)
        if self.full:
            self.blocks.sum(axis=2, out=self.sums[row, :, : self.full])
        if self.tail:
            self.last_block.sum(axis=1, out=self.sums[row, :, self.full])
        self.last_slot = slot

    def reduce(self, first: int, k: int) -> int | None:
        xp, full, tail, sq = self.xp, self.full, self.tail, self.sq
        parts = []
        if full:
            parts.append(sq[:k, : full * BLOCK].reshape(k, full, BLOCK))
        if tail:
            parts.append(sq[:k, full * BLOCK:].reshape(k, 1, tail))
        col = 0
        for part in parts:
            nblk, size = part.shape[1], part.shape[2]
            rows, cols = slice(first, first + k), slice(col, col + nblk)
            mu = part.sum(axis=2)
            mu /= size
            dev = self.devs[: k * nblk * size].reshape(k, nblk, size)
            xp.subtract(part, mu[:, :, None], out=dev)
            self.mean[rows, cols] = mu
            self.m2[rows, cols] = sum_of_squares(xp, dev)
            self.top[rows, cols] = part.max(axis=2)
            col += nblk
        worst = self.top[first: first + k].max(axis=1)
        bad = to_numpy(~(worst <= OVERFLOW_GUARD))  # also catches NaN
        return first + int(np.argmax(bad)) if bad.any() else None

    def final(self) -> np.ndarray:
        """The last recorded squared norms, one per trajectory (a NumPy copy)."""
        return np.array(to_numpy(self.sq[self.last_slot]), dtype=np.float64)

    def finish(self, diverged: int | None, basis: np.ndarray | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(mean, m2, mean_e, max)`` as NumPy arrays, NaN from step ``diverged`` on.

        ``mean_e`` is rotated back to the original coordinates by ``basis`` when given.
        """
        xp = self.xp
        if diverged is not None:
            for arr in (self.mean, self.m2, self.top, self.sums):
                arr[diverged:] = xp.nan
        mean_z = to_numpy(self.sums).transpose(0, 2, 1) / self.sizes[None, :, None]
        if basis is None:
            mean_e = np.ascontiguousarray(mean_z)
        else:
            # An explicit sum over k (not BLAS) keeps each block's rotation independent of the
            # chunk.
            mean_e = np.zeros_like(mean_z)
            for k in range(mean_z.shape[2]):
                mean_e += mean_z[:, :, k, None] * basis[None, None, :, k]
        return to_numpy(self.mean), to_numpy(self.m2), mean_e, to_numpy(self.top)
