"""The array engine's fused-table path: built-in problems, constant step, with replacement.

Quadratic problems run in the eigenbasis of ``H`` (see :class:`sim.quadratic.QuadraticSpec`):
with the table :math:`\\alpha\\lambda_k c_{ik} / B` precomputed the update is
:math:`z \\leftarrow (1-\\alpha\\lambda) \\odot z + \\sum_b \\mathrm{table}[:, i_b]`, one gather
and two in-place passes per step. On NumPy the table rows are gathered in pairs (one complex128
item per pair of rows, about twice as fast as one gather per row; the arithmetic is unchanged).
Logistic regression updates the error :math:`e = w - w^*` directly:
:math:`e \\leftarrow (1-\\alpha\\lambda)e - \\alpha\\lambda w^* + \\frac{\\alpha}{B}\\sum_b
\\sigma(-y_{i_b} a_{i_b}^T w)\\, y_{i_b} a_{i_b}`. The numba and CuPy kernels use the same
tables and the same order of IEEE operations.

The sample indices of a group of steps are computed in one set of in-place passes with the
formula of :mod:`sim.rng` (:func:`indices`: no temporaries; when ``n`` is a power of two one
shift replaces the last xor-shift and the reduction).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.logistic import LogisticSpec
from sim.quadratic import QuadraticSpec
from sim.rng import _MUL1, _MUL2


def _take(xp: Any, table: Any, idx: Any, out: Any) -> Any:
    if xp is np:
        # The indices are in range by construction; mode="wrap" skips the buffered bounds check
        # of mode="raise" and is the fastest unchecked gather.
        return np.take(table, idx, axis=1, out=out, mode="wrap")
    return xp.take(table, idx, axis=1, out=out)


class Quadratic:
    def __init__(self, xp: Any, spec: QuadraticSpec, alpha: float, batch: int) -> None:
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        self.xp = xp
        self.n, self.d = spec.centered.shape
        self.basis = np.asarray(spec.eigvecs, dtype=np.float64)
        self.decay = xp.asarray((1.0 - alpha * lam)[:, None])
        table = np.ascontiguousarray((alpha * lam / batch) * spec.centered).T
        self.table = xp.asarray(np.ascontiguousarray(table))
        # Rows 2a and 2a+1 of the table as one complex128 row: on NumPy a gather of 16-byte
        # items takes about half the time of two gathers of 8-byte items.
        self.pairs = self.d // 2 if xp is np else 0
        if self.pairs:
            interleaved = table[: 2 * self.pairs].reshape(self.pairs, 2, self.n).transpose(0, 2, 1)
            self.pair_table = np.ascontiguousarray(interleaved).view(np.complex128)[..., 0]

    def initial(self, e0: np.ndarray) -> np.ndarray:
        return self.basis.T @ e0

    def bind(self, state: Any, buf: Any, acc: Any) -> Callable[[Any], None]:
        """The step ``state <- decay * state + sum_b table[:, idx[b]]`` for these buffers."""
        xp, decay = self.xp, self.decay
        if not self.pairs:

            def step(idx: Any) -> None:
                _take(xp, self.table, idx[0], acc)
                for b in range(1, idx.shape[0]):
                    xp.add(acc, _take(xp, self.table, idx[b], buf), out=acc)
                xp.multiply(state, decay, out=state)
                xp.add(state, acc, out=state)

            return step

        p, count = self.pairs, state.shape[1]
        packed = buf.reshape(-1)[: 2 * p * count].view(np.complex128).reshape(p, count)
        # the gathered pairs seen as rows 0 .. 2p-1 of a (d, N) array (stride 16 bytes)
        unpacked = packed.view(np.float64).reshape(p, count, 2).transpose(0, 2, 1)
        # an odd last row is gathered alone, into the row of ``buf`` that ``packed`` leaves free
        last = buf[-1] if self.d % 2 else None
        state_last, acc_last = state[-1], acc[-1]
        head_state = state[: 2 * p].reshape(p, 2, count)
        head_acc = acc[: 2 * p].reshape(p, 2, count)

        def gather(i: Any) -> None:
            self.pair_table.take(i, axis=1, out=packed, mode="wrap")
            if last is not None:
                self.table[-1].take(i, out=last, mode="wrap")

        def step(idx: Any) -> None:
            gather(idx[0])
            if idx.shape[0] == 1:
                # no accumulator: the strided view is added straight into the state
                xp.multiply(state, decay, out=state)
                xp.add(head_state, unpacked, out=head_state)
                if last is not None:
                    xp.add(state_last, last, out=state_last)
                return
            head_acc[...] = unpacked
            if last is not None:
                acc_last[...] = last
            for b in range(1, idx.shape[0]):
                gather(idx[b])
                xp.add(head_acc, unpacked, out=head_acc)
                if last is not None:
                    xp.add(acc_last, last, out=acc_last)
            xp.multiply(state, decay, out=state)
            xp.add(state, acc, out=state)

        return step


class Logistic:
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

    def bind(self, state: Any, buf: Any, acc: Any) -> Callable[[Any], None]:
        """The logistic step (see the module docstring) for these buffers."""
        xp = self.xp

        def step(idx: Any) -> None:
            w = state + self.w_star
            acc.fill(0.0)
            for b in range(idx.shape[0]):
                rows = _take(xp, self.table, idx[b], buf)
                margin = (rows * w).sum(axis=0)
                # sigma(-m) = (1 - tanh(m/2)) / 2: no overflow for any margin.
                weight = xp.tanh(0.5 * margin)
                xp.multiply(weight, -0.5, out=weight)
                xp.add(weight, 0.5, out=weight)
                xp.multiply(rows, weight, out=rows)
                xp.add(acc, rows, out=acc)
            xp.multiply(state, self.decay, out=state)
            xp.add(state, self.shift, out=state)
            xp.multiply(acc, self.gain, out=acc)
            xp.add(state, acc, out=state)

        return step


def indices(xp: Any, keys: Any, draws: Any, n: int, out: Any, tmp: Any) -> Any:
    """:func:`sim.rng.sample_indices` in place: ``out[m, j]`` from ``draws[m]`` and ``keys[j]``.

    The same formula as :mod:`sim.rng`, without temporaries; ``out`` and ``tmp`` are uint64
    arrays of shape ``(len(draws), len(keys))``.
    """
    xp.add(draws[:, None], keys[None, :], out=out)
    for shift, mul in ((30, _MUL1), (27, _MUL2)):
        xp.right_shift(out, xp.uint64(shift), out=tmp)
        xp.bitwise_xor(out, tmp, out=out)
        xp.multiply(out, xp.uint64(mul), out=out)
    if n & (n - 1) == 0:
        # For n = 2^k (k <= 30 as n <= MAX_N) floor(u n / 2^64) = u >> (64 - k): the top k
        # bits of u = z ^ (z >> 31). The top 31 bits of z >> 31 are zero and k <= 31, so
        # those bits of u are the top k bits of z: the last xor-shift (two passes) is skipped.
        if n == 1:
            out.fill(0)
        else:
            xp.right_shift(out, xp.uint64(64 - (n.bit_length() - 1)), out=out)
    else:
        xp.right_shift(out, xp.uint64(31), out=tmp)
        xp.bitwise_xor(out, tmp, out=out)
        xp.right_shift(out, xp.uint64(32), out=tmp)
        xp.bitwise_and(out, xp.uint64(0xFFFFFFFF), out=out)
        xp.multiply(tmp, xp.uint64(n), out=tmp)
        xp.multiply(out, xp.uint64(n), out=out)
        xp.right_shift(out, xp.uint64(32), out=out)
        xp.add(out, tmp, out=out)
        xp.right_shift(out, xp.uint64(32), out=out)
    return out.view(xp.int64)
