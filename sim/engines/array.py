"""The portable engine: all trajectories of a chunk advance together as one array.

Written once against the array namespace ``xp`` (NumPy or CuPy). Trajectories are stored as
columns of a ``(d, N)`` array so that every per-step operation is a long elementwise pass, and
the per-step reductions over coordinates run across rows.

Two update paths share the bookkeeping. Built-in problems with a constant step, sampling with
replacement and no further options run the fused-table update of :mod:`sim.engines._fast` (the
one the numba and CuPy kernels reproduce); everything else (any :class:`sim.Problem`,
schedules, the other samplings of :mod:`sim.sampling`, momentum, averaging, float32) runs the
general update of :mod:`sim.engines._general`.

Speed comes from few, cache-sized passes: the squared norms go into a ``(steps, N)`` buffer of
about 512 KiB, and every group of steps that fills it is reduced per block at once
(:class:`sim.engines._recorder.Recorder`), so each block's numbers depend only on its own
trajectories. That also lets a NumPy chunk run as whole-block pieces on a thread per CPU core
(NumPy releases the GIL inside each pass), with results bit-identical to one piece. (The
per-block mean iterate is summed directly: the linear recursion
:math:`S_t = \\mathrm{decay}\\, S_{t-1} + T H_t` from index histograms :math:`H_t` would amplify
roundings by up to :math:`1/(\\alpha\\lambda_{\\min})`.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np

from sim.backend import namespace_of
from sim.engines import ChunkResult
from sim.engines._fast import Logistic as _Logistic
from sim.engines._fast import Quadratic as _Quadratic
from sim.engines._fast import indices as _indices
from sim.engines._general import (
    LogisticGradient,
    ProtocolGradient,
    QuadraticGradient,
    stepper,
)
from sim.engines._recorder import Recorder
from sim.logistic import LogisticSpec
from sim.quadratic import QuadraticSpec
from sim.rng import _MUL1, _MUL2, draw_keys, trajectory_keys  # noqa: F401 (re-exported)
from sim.sampling import IndexStream
from sim.stats import BLOCK

# Elements of the (steps x trajectories) squared-distance buffer reduced at once: on the CPU it
# should stay in the L2 cache (512 KiB); on a GPU it amortises the host check for divergence.
_GROUP_ELEMENTS = {"numpy": 1 << 16, "cupy": 1 << 24}


def available() -> bool:
    """The array engine needs nothing beyond NumPy."""
    return True


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
