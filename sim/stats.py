"""Streaming, mergeable per-step moments of many SGD trajectories.

For every step ``t`` we keep, over a group of trajectories, the count, the mean and the sum of
squared deviations (``M2``) of the squared distance :math:`s_t = \\|w_t - w^*\\|^2`, the mean
iterate :math:`\\bar w_t` and the maximum of :math:`s_t`. Two groups merge exactly with the
pairwise update of Chan, Golub and LeVeque [1]_:

.. math::

    n = n_a + n_b,\\quad \\delta = \\bar s_b - \\bar s_a,\\quad
    \\bar s = \\bar s_a + \\delta\\, n_b / n,\\quad
    M_2 = M_{2,a} + M_{2,b} + \\delta^2 n_a n_b / n.

Trajectories are grouped in fixed blocks of :data:`BLOCK` consecutive trajectory numbers. Each
block is reduced on its own and blocks are folded into the total strictly in block order, so the
result is bit-for-bit the same however blocks are grouped into chunks (or where chunks ran).

References:
    .. [1] T. F. Chan, G. H. Golub, R. J. LeVeque, "Algorithms for computing the sample
       variance: analysis and recommendations", The American Statistician 37(3), 1983.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np

BLOCK = 1024
"""Trajectories per reduction block; chunk boundaries must be multiples of it."""


class Moments(NamedTuple):
    """Per-step moments of a group of ``count`` trajectories (NumPy arrays).

    Attributes:
        count: number of trajectories in the group.
        mean_sq: shape ``(T + 1,)``, mean of :math:`\\|w_t - w^*\\|^2`.
        m2_sq: shape ``(T + 1,)``, sum of squared deviations of :math:`\\|w_t - w^*\\|^2`.
        mean_w: shape ``(T + 1, d)``, mean iterate.
        max_sq: shape ``(T + 1,)``, largest :math:`\\|w_t - w^*\\|^2` in the group.
    """

    count: int
    mean_sq: np.ndarray
    m2_sq: np.ndarray
    mean_w: np.ndarray
    max_sq: np.ndarray


def merge(a: Moments, b: Moments) -> Moments:
    """Moments of the union of two disjoint groups (exact pairwise update)."""
    if a.mean_sq.shape != b.mean_sq.shape or a.mean_w.shape != b.mean_w.shape:
        raise ValueError(
            f"cannot merge moments of shapes {a.mean_w.shape} and {b.mean_w.shape}"
        )
    n = a.count + b.count
    frac = b.count / n
    delta = b.mean_sq - a.mean_sq
    return Moments(
        count=n,
        mean_sq=a.mean_sq + delta * frac,
        m2_sq=a.m2_sq + b.m2_sq + delta * delta * (a.count * frac),
        mean_w=a.mean_w + (b.mean_w - a.mean_w) * frac,
        max_sq=np.maximum(a.max_sq, b.max_sq),
    )


def merge_all(groups: Iterable[Moments]) -> Moments:
    """Left fold of :func:`merge` over ``groups`` in the order given."""
    it = iter(groups)
    try:
        total = next(it)
    except StopIteration:
        raise ValueError("merge_all needs at least one group") from None
    for g in it:
        total = merge(total, g)
    return total


def variance(m: Moments) -> np.ndarray:
    """Unbiased per-step sample variance of :math:`\\|w_t - w^*\\|^2` (needs ``count >= 2``)."""
    if m.count < 2:
        raise ValueError(f"variance needs count >= 2, got {m.count}")
    return m.m2_sq / (m.count - 1)


def stderr(m: Moments) -> np.ndarray:
    """Standard error of the per-step mean, :math:`\\sqrt{\\hat\\sigma^2_t / N}`."""
    return np.sqrt(variance(m) / m.count)


def block_reduce(xp: Any, sq: Any, w: Any, block: int = BLOCK) -> tuple[Any, Any, Any, Any, Any]:
    """Reduce one step's values block by block.

    Args:
        xp: array namespace.
        sq: shape ``(N,)``, squared distances of N consecutive trajectories, the first of which
            starts a block.
        w: shape ``(N, d)``, their iterates (or iterate errors; the caller decides).
        block: block length.

    Returns:
        ``(count, mean, m2, mean_w, max)`` with shapes ``(nb,)``, ``(nb,)``, ``(nb,)``,
        ``(nb, d)``, ``(nb,)`` where ``nb = ceil(N / block)``; the last block may be partial.
    """
    n_traj = sq.shape[0]
    full, tail = divmod(n_traj, block)
    parts = []
    if full:
        parts.append(_reduce_equal(xp, sq[: full * block].reshape(full, block),
                                   w[: full * block].reshape(full, block, -1)))
    if tail:
        parts.append(_reduce_equal(xp, sq[full * block:].reshape(1, tail),
                                   w[full * block:].reshape(1, tail, -1)))
    if len(parts) == 1:
        return parts[0]
    return tuple(xp.concatenate([p[i] for p in parts]) for i in range(5))


def _reduce_equal(xp: Any, sq: Any, w: Any) -> tuple[Any, Any, Any, Any, Any]:
    size = sq.shape[1]
    mean = sq.sum(axis=1) / size
    dev = sq - mean[:, None]
    m2 = (dev * dev).sum(axis=1)
    count = xp.full(sq.shape[0], size, dtype=xp.int64)
    return count, mean, m2, w.sum(axis=1) / size, sq.max(axis=1)


def blocks_to_moments(count: np.ndarray, mean: np.ndarray, m2: np.ndarray,
                      mean_w: np.ndarray, max_sq: np.ndarray) -> list[Moments]:
    """Split per-step, per-block buffers into one :class:`Moments` per block.

    Args:
        count: shape ``(nb,)``; mean, m2, max_sq: shape ``(T + 1, nb)``; mean_w: ``(T + 1, nb, d)``.
    """
    return [
        Moments(int(count[k]), mean[:, k].copy(), m2[:, k].copy(),
                mean_w[:, k, :].copy(), max_sq[:, k].copy())
        for k in range(count.shape[0])
    ]
