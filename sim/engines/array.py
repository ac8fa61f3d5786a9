"""The portable engine: all trajectories of a chunk advance together as one array.

Written once against the array namespace ``xp`` (NumPy or CuPy). Trajectories are stored as
columns of a ``(d, N)`` array so that every per-step operation is a long elementwise pass, and
the per-step reductions over coordinates run across rows.

Quadratic problems run in the eigenbasis of ``H`` (see :class:`sim.quadratic.QuadraticSpec`):
with the table :math:`\\alpha\\lambda_k c_{ik} / B` precomputed the update is
:math:`z \\leftarrow (1-\\alpha\\lambda) \\odot z + \\sum_b \\mathrm{table}[:, i_b]`, one gather
and two in-place passes per step. On NumPy the table rows are gathered in pairs (one complex128
item per pair of rows, about twice as fast as one gather per row; the arithmetic is unchanged).
Logistic regression updates the error :math:`e = w - w^*` directly:
:math:`e \\leftarrow (1-\\alpha\\lambda)e - \\alpha\\lambda w^* + \\frac{\\alpha}{B}\\sum_b
\\sigma(-y_{i_b} a_{i_b}^T w)\\, y_{i_b} a_{i_b}`.

Speed comes from few, cache-sized passes: the sample indices of a group of steps are computed
in one set of in-place passes with the formula of :mod:`sim.rng` (no temporaries; when ``n``
is a power of two one shift replaces the last xor-shift and the reduction), the squared norms
go into a ``(steps, N)`` buffer of about 512 KiB, and every group of steps that fills it is
reduced per block at once with the formulas of :func:`sim.stats.block_reduce`, so each block's
numbers depend only on its own trajectories. That also lets a NumPy chunk run as whole-block
pieces on a thread per CPU core (NumPy releases the GIL inside each pass), with results
bit-identical to one piece. (The per-block mean iterate is summed directly:
the linear recursion :math:`S_t = \\mathrm{decay}\\, S_{t-1} + T H_t` from index histograms
:math:`H_t` would amplify roundings by up to :math:`1/(\\alpha\\lambda_{\\min})`.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from sim.backend import namespace_of
from sim.engines import ChunkResult
from sim.engines._general import (
    LogisticGradient,
    ProtocolGradient,
    QuadraticGradient,
    stepper,
)
from sim.engines._recorder import Recorder
from sim.logistic import LogisticSpec
from sim.quadratic import QuadraticSpec
from sim.rng import _MUL1, _MUL2, draw_keys, trajectory_keys
from sim.sampling import IndexStream
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


SUPPORTS = frozenset(
    {"protocol", "schedule", "sampling", "momentum", "average_from", "dtype", "keep_final"}
)
"""Everything beyond the fused kernels' constant step, with-replacement float64 SGD on the
built-in problems (see :func:`sim.engines.resolve_engine`)."""

_PERMUTATION_BYTES = 256 << 20
"""Budget for the permutations of one piece (``"reshuffle"``, ``"shuffle-once"``)."""


class _Plan(NamedTuple):
    """Everything a piece needs besides its trajectory range."""

    model: Any
    fast: bool
    d: int
    n: int
    steps: int
    seed: int
    batch: int
    e0: np.ndarray
    alphas: np.ndarray
    sampling: str
    momentum: float
    average_from: int | None
    dtype: str
    keep_final: bool


def run_chunk(
    spec: Any,
    *,
    alpha: Any,
    steps: int,
    seed: int,
    start: int,
    count: int,
    batch: int,
    e0: np.ndarray,
    backend: str = "numpy",
    sampling: str = "with-replacement",
    momentum: float = 0.0,
    average_from: int | None = None,
    dtype: str = "float64",
    keep_final: bool = False,
) -> ChunkResult:
    """Simulate trajectories ``start .. start + count - 1`` for ``steps`` steps.

    Args:
        spec: ``problem.spec()`` for the built-in quadratic and logistic problems, else the
            problem itself (any :class:`sim.Problem`).
        alpha: step size, or a ``(steps,)`` array of step sizes (already validated).
        steps, seed, batch: number of steps, seed, minibatch size.
        start: first global trajectory number, a multiple of :data:`sim.stats.BLOCK`.
        count: number of trajectories (a multiple of ``BLOCK`` unless the chunk is the last).
        e0: ``(d,)`` initial error :math:`w_0 - w^*` in the original coordinates.
        backend: ``"numpy"`` or ``"cupy"``; on NumPy the chunk is split into whole-block
            pieces run on one thread per available CPU core.
        sampling, momentum, average_from, dtype, keep_final: as in :func:`sim.simulate`.
            A built-in problem with a scalar ``alpha`` and the defaults of the others runs the
            fused-table update of the module docstring; anything else runs the general update
            of :mod:`sim.engines._general`.
    """
    if start % BLOCK or start < 0:
        raise ValueError(f"start must be a non-negative multiple of {BLOCK}, got {start}")
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    xp = namespace_of(backend)
    builtin = isinstance(spec, (QuadraticSpec, LogisticSpec))
    fast = (builtin and np.ndim(alpha) == 0 and sampling == "with-replacement"
            and momentum == 0 and average_from is None and dtype == "float64")
    if fast:
        model = (_Quadratic if isinstance(spec, QuadraticSpec) else _Logistic)(
            xp, spec, alpha, batch)
        alphas = np.empty(0)
    else:
        kind = np.dtype(dtype)
        if isinstance(spec, QuadraticSpec):
            model = QuadraticGradient(xp, spec, kind)
        elif isinstance(spec, LogisticSpec):
            model = LogisticGradient(xp, spec, kind)
        elif hasattr(spec, "sample_gradients"):
            model = ProtocolGradient(xp, spec, kind)
        else:
            raise TypeError(f"spec must be a QuadraticSpec, a LogisticSpec or a problem with "
                            f"sample_gradients, got {type(spec).__name__}")
        alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (steps,))
    e0 = np.asarray(e0, dtype=np.float64)
    n = _size(spec)
    plan = _Plan(model, fast, e0.shape[0], n, steps, seed, batch, e0, alphas, sampling,
                 float(momentum), average_from, dtype, bool(keep_final))

    def run_piece(piece: tuple[int, int]) -> ChunkResult:
        # Overflow of a diverging trajectory is reported (``diverged_at``), not warned; the
        # error state is per thread, so it is set here.
        with np.errstate(over="ignore", invalid="ignore"):
            return _run(xp, plan, start + piece[0], piece[1])

    workers = _workers() if xp is np else 1
    max_blocks = None
    if sampling in ("reshuffle", "shuffle-once"):
        max_blocks = max(1, _PERMUTATION_BYTES // (4 * n * BLOCK))
    pieces = _pieces(count, workers, max_blocks)
    if len(pieces) == 1:
        return run_piece(pieces[0])
    if workers == 1:
        return _concatenate([run_piece(p) for p in pieces])
    # NumPy releases the GIL inside each pass, so whole-block pieces advance in parallel on
    # the CPU cores; every block's numbers depend only on its own trajectories.
    with ThreadPoolExecutor(max_workers=min(workers, len(pieces))) as pool:
        return _concatenate(list(pool.map(run_piece, pieces)))


def _size(spec: Any) -> int:
    if isinstance(spec, QuadraticSpec):
        return spec.centered.shape[0]
    if isinstance(spec, LogisticSpec):
        return spec.features.shape[0]
    return int(spec.n)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _pieces(count: int, workers: int, max_blocks: int | None = None) -> list[tuple[int, int]]:
    """``(offset, size)`` of runs of whole blocks covering ``count``: at most ``workers`` of
    them, unless a run may hold at most ``max_blocks`` blocks."""
    nb = -(-count // BLOCK)
    per = -(-nb // max(1, min(workers, nb)))
    if max_blocks is not None:
        per = min(per, max_blocks)
    per *= BLOCK
    return [(offset, min(per, count - offset)) for offset in range(0, count, per)]


def _concatenate(parts: list[ChunkResult]) -> ChunkResult:
    """One ChunkResult from those of consecutive pieces; NaN from the first diverged step."""
    joined = [
        np.concatenate([getattr(p, f) for p in parts], axis=1)
        for f in ("mean", "m2", "mean_e", "max")
    ]
    bad = [p.diverged_at for p in parts if p.diverged_at is not None]
    diverged = min(bad) if bad else None
    if diverged is not None:
        for arr in joined:
            arr[diverged:] = np.nan
    mean, m2, mean_e, top = joined
    averaged = None
    if parts[0].averaged is not None:
        averaged = _concatenate([p.averaged for p in parts])
    final = None
    if parts[0].final is not None:
        final = np.concatenate([p.final for p in parts])
        if diverged is not None:
            final[:] = np.nan
    return ChunkResult(np.concatenate([p.count for p in parts]), mean, m2, mean_e, top, diverged,
                       averaged, final)


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


def _run(xp: Any, plan: _Plan, start: int, count: int) -> ChunkResult:
    model, d, n, steps, batch, seed = plan.model, plan.d, plan.n, plan.steps, plan.batch, plan.seed
    dtype = xp.float64 if plan.dtype == "float64" else xp.float32
    state = xp.empty((d, count), dtype=dtype)
    state[...] = xp.asarray(model.initial(plan.e0).astype(plan.dtype))[:, None]
    group = max(1, min(max(steps, 1), _GROUP_ELEMENTS["numpy" if xp is np else "cupy"] // count))
    main = Recorder(xp, state, steps, group)
    recorders = [main]
    averaged = None
    k = plan.average_from
    if k is not None:
        averaged = xp.zeros((d, count), dtype=dtype)
        if k == 0:
            averaged[...] = state
        recorders.append(Recorder(xp, averaged, steps, group))
    if plan.fast:
        advance = _ignore_step(model.bind(state, xp.empty((d, count)), xp.empty((d, count))))
    else:
        advance = stepper(xp, model, state, plan.alphas, plan.momentum, k, averaged)
    stream = None
    if plan.sampling == "with-replacement":
        keys = trajectory_keys(xp, seed, start, count)
        idx = xp.empty((group * batch, count), dtype=xp.uint64)
        scratch = xp.empty((group * batch, count), dtype=xp.uint64)
    else:
        stream = IndexStream(xp, plan.sampling, seed, start, count, n, batch)

    def record(row: int, slot: int) -> None:
        for r in recorders:
            r.record(row, slot)

    def reduce(first: int, k: int) -> int | None:
        bad = [b for b in (r.reduce(first, k) for r in recorders) if b is not None]
        return min(bad) if bad else None

    if len(recorders) == 1:
        record, reduce = main.record, main.reduce
    record(0, 0)
    diverged = reduce(0, 1)
    t = 0
    while diverged is None and t < steps:
        k_steps = min(group, steps - t)
        if stream is None:
            draws = draw_keys(xp, seed, t * batch, k_steps * batch)
            drawn = _indices(xp, keys, draws, n, idx[: k_steps * batch],
                             scratch[: k_steps * batch])
            for j in range(k_steps):
                advance(t + j, drawn[j * batch: (j + 1) * batch])
                record(t + j + 1, j)
        else:
            for j in range(k_steps):
                advance(t + j, stream.draw(t + j))
                record(t + j + 1, j)
        diverged = reduce(t + 1, k_steps)
        t += k_steps

    results = []
    for r in recorders:
        mean, m2, mean_e, top = r.finish(diverged, model.basis)
        final = None
        if plan.keep_final:
            final = r.final()
            if diverged is not None:
                final[:] = np.nan
        results.append(ChunkResult(r.sizes, mean, m2, mean_e, top, diverged, None, final))
    if k is not None:
        # the average is defined from step k on
        for arr in results[1][1:5]:
            arr[:k] = np.nan
        return results[0]._replace(averaged=results[1])
    return results[0]


def _ignore_step(step: Callable[[Any], None]) -> Callable[[int, Any], None]:
    def advance(t: int, rows: Any) -> None:
        step(rows)

    return advance
