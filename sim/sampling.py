"""How each step's minibatch is drawn: four schemes, all from the counter-based generator.

Every scheme uses the same uniform 64-bit words as :mod:`sim.rng`,
:math:`u_{j,m} = \\operatorname{mix}(k_j + c_m)` for trajectory :math:`j` and draw number
:math:`m = tB + b` (step :math:`t`, slot :math:`b` of a minibatch of size :math:`B`), and the
exact reduction :math:`U(u, r) = \\lfloor u r / 2^{64} \\rfloor \\in [0, r)`. So a trajectory's
indices depend only on (seed, j, t): never on chunking, threads or the backend.

``"with-replacement"``
    :math:`i_{t,b} = U(u_{j,tB+b}, n)`: :math:`B` independent uniform indices (the lecture's SGD).
``"without-replacement"``
    :math:`B` distinct indices, uniform over the :math:`\\binom nB` subsets, fresh every step
    (the ":math:`b`-nice" sampling of Gower et al. [1]_), by Floyd's algorithm [2]_: for
    :math:`b = 0..B-1` let :math:`J = n - B + b` and :math:`r = U(u_{j,tB+b}, J + 1)`; take
    :math:`r` unless an earlier slot took it, else take :math:`J`.
``"reshuffle"``
    Epochs of :math:`E = \\lfloor n/B \\rfloor` steps. Each trajectory keeps an arrangement
    :math:`\\pi` of :math:`0..n-1` (initially the identity); step :math:`t` of epoch
    :math:`e = \\lfloor t/E \\rfloor` uses positions :math:`p = (t - eE)B + b`, and at each
    position a forward Fisher-Yates swap :math:`\\pi_p \\leftrightarrow \\pi_r` with
    :math:`r = p + U(u_{j,tB+b}, n - p)` precedes the draw :math:`i_{t,b} = \\pi_p`. Fisher-Yates
    from *any* arrangement gives every ordering with probability :math:`1/n!` given the past,
    so each epoch visits a fresh uniform random permutation, independent of the earlier ones.
    When :math:`B` does not divide :math:`n`, the last :math:`n - EB` entries of each epoch's
    permutation are dropped (each epoch still draws distinct indices).
``"shuffle-once"``
    As ``"reshuffle"`` in epoch 0; later epochs reuse epoch 0's permutation (no more swaps).

The permutation schemes hold :math:`4n` bytes per trajectory in flight, hence
:data:`MAX_PERMUTATION_N`.

References:
    .. [1] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin, P. Richtarik, "SGD:
       general analysis and improved rates", ICML 2019.
    .. [2] J. Bentley, R. Floyd, "Programming pearls: a sample of brilliance", Commun. ACM
       30(9), 1987.
"""

from __future__ import annotations

from typing import Any

from sim.rng import draw_keys, index_from_u64, mix64, trajectory_keys

SAMPLINGS = ("with-replacement", "without-replacement", "reshuffle", "shuffle-once")
"""The accepted values of ``sampling``."""

MAX_PERMUTATION_N = 65536
"""Largest ``n`` for ``"reshuffle"`` and ``"shuffle-once"``: a chunk piece of 1024
trajectories then holds at most 256 MiB of permutations."""


def check_sampling(sampling: Any, batch: int, n: int) -> str:
    """Validate ``sampling`` against the minibatch size and the number of examples."""
    if sampling not in SAMPLINGS:
        raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
    if sampling != "with-replacement" and batch > n:
        raise ValueError(f"batch must be <= n = {n} for sampling={sampling!r} (distinct "
                         f"indices in a minibatch), got {batch}")
    if sampling in ("reshuffle", "shuffle-once") and n > MAX_PERMUTATION_N:
        raise ValueError(f"sampling={sampling!r} keeps a permutation of the n examples per "
                         f"trajectory and needs n <= {MAX_PERMUTATION_N}, got n={n}; use "
                         "'without-replacement' or 'with-replacement'")
    return sampling


def epoch_length(n: int, batch: int) -> int:
    """Steps per epoch of the permutation schemes, :math:`\\lfloor n/B \\rfloor`."""
    return n // batch


class IndexStream:
    """The indices of trajectories ``start .. start + count - 1``, one step at a time.

    Written against the array namespace ``xp``. ``draw(t)`` must be called for
    ``t = 0, 1, 2, ...`` in order (the permutation schemes carry state from step to step).
    """

    def __init__(self, xp: Any, sampling: str, seed: int, start: int, count: int, n: int,
                 batch: int) -> None:
        self.xp, self.sampling, self.seed = xp, sampling, seed
        self.n, self.batch, self.count = n, batch, count
        self.keys = trajectory_keys(xp, seed, start, count)
        self.next_step = 0
        self.perm = None
        if sampling in ("reshuffle", "shuffle-once"):
            self.perm = xp.empty((n, count), dtype=xp.int32)
            self.perm[...] = xp.arange(n, dtype=xp.int32)[:, None]
            self.flat = self.perm.reshape(-1)
            self.columns = xp.arange(count, dtype=xp.int64)
            self.epoch = epoch_length(n, batch)

    def draw(self, t: int) -> Any:
        """The ``(batch, count)`` int64 indices of step ``t``."""
        if t != self.next_step:
            raise ValueError(f"steps must be drawn in order: expected {self.next_step}, got {t}")
        self.next_step += 1
        xp, n, batch = self.xp, self.n, self.batch
        c = draw_keys(xp, self.seed, t * batch, batch)
        u = mix64(xp, self.keys[None, :] + c[:, None])
        if self.sampling == "with-replacement":
            return index_from_u64(xp, u, n).astype(xp.int64)
        out = xp.empty((batch, self.count), dtype=xp.int64)
        if self.sampling == "without-replacement":
            for b in range(batch):
                top = n - batch + b
                r = index_from_u64(xp, u[b], top + 1).astype(xp.int64)
                clash = xp.zeros(self.count, dtype=bool)
                for c_ in range(b):
                    clash |= out[c_] == r
                out[b] = xp.where(clash, top, r)
            return out
        epoch, within = divmod(t, self.epoch)
        shuffle = self.sampling == "reshuffle" or epoch == 0
        for b in range(batch):
            p = within * batch + b
            if shuffle:
                r = index_from_u64(xp, u[b], n - p).astype(xp.int64) + p
                flat_r = r * self.count + self.columns
                here = self.perm[p].copy()
                self.perm[p] = xp.take(self.flat, flat_r)
                self.flat[flat_r] = here
            out[b] = self.perm[p]
        return out
