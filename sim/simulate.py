"""Monte Carlo simulation of SGD with streaming, mergeable per-step statistics.

The trajectories are cut into chunks of whole :data:`sim.stats.BLOCK` blocks. A chunk is a pure
function of (problem spec, parameters, seed, trajectory range), so chunks may run anywhere, in
any order; their per-block statistics are folded into the total strictly in global block order,
which makes the result bit-for-bit independent of the chunking. Memory is
O(chunk * d + steps * d * blocks-per-chunk) whatever the number of trajectories.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from sim import preflight
from sim.backend import resolve_backend
from sim.engines import ChunkResult, resolve_engine
from sim.result import SimulationResult
from sim.rng import seed_keys
from sim.stats import BLOCK, Moments, blocks_to_moments, merge, stderr
from sim.validation import finite_array, int_at_least, positive_float

_DEFAULT_CHUNK = preflight.DEFAULT_CHUNK


def _run_range(
    engine: str, spec: Any, options: dict[str, Any], chunk: tuple[int, int]
) -> ChunkResult:
    """Run one chunk ``(start, count)``; module-level so that it pickles for remote schedulers."""
    _, module = resolve_engine(engine, options.get("backend", "numpy"))
    kwargs = dict(options)
    if engine != "array":
        kwargs.pop("backend", None)
    start, count = chunk
    return module.run_chunk(spec, start=start, count=count, **kwargs)


def simulate(
    problem: Any,
    *,
    alpha: float,
    steps: int,
    trajectories: int,
    seed: int = 0,
    backend: str = "auto",
    w0: Any = None,
    batch: int = 1,
    chunk_size: int | None = None,
    engine: str = "auto",
    scheduler: Any = None,
    progress: bool = False,
) -> SimulationResult:
    """Run ``trajectories`` independent SGD trajectories on ``problem`` for ``steps`` steps.

    Each step draws ``batch`` indices uniformly with replacement (slide "Stochastic Gradient
    Descent") and moves by ``alpha`` times the minibatch gradient.

    Args:
        problem: a :class:`sim.QuadraticProblem` or :class:`sim.LogisticRegressionProblem`.
        alpha: step size ``> 0``.
        steps: number of steps ``T >= 0``.
        trajectories: number of trajectories ``N >= 2`` (the variance needs two).
        seed: integer in ``[0, 2**64)``.
        backend: ``"auto"`` (CuPy with a device, else NumPy), ``"numpy"`` or ``"cupy"``.
        w0: ``(d,)`` starting point, the same for every trajectory; default the origin.
        batch: minibatch size ``B >= 1``.
        chunk_size: trajectories per chunk, a positive multiple of ``BLOCK`` (1024); default
            65536 on NumPy, 1048576 on CuPy.
        engine: ``"auto"``, ``"array"``, ``"numba"`` or ``"cupy-fused"`` (see :mod:`sim.engines`).
        scheduler: None to run the chunks here in order; a ``dask.distributed.Client`` or
            ``"dask-local"`` to spread them (:func:`sim.distributed.iter_chunks`).
        progress: show a progress bar over chunks (silent when not on a terminal).

    Returns:
        :class:`sim.SimulationResult`; if a trajectory diverges its ``diverged_at`` says where
        and the statistics from there on are NaN.

    Raises:
        sim.preflight.InsufficientMemory: before any work, when the run's estimated memory
            (:func:`sim.preflight.estimate`) exceeds what is available; the message says what
            would fit.
    """
    alpha = positive_float("alpha", alpha)
    steps = int_at_least("steps", steps, 0)
    trajectories = int_at_least("trajectories", trajectories, 2)
    batch = int_at_least("batch", batch, 1)
    seed_keys(seed)  # validates the seed before any chunk runs
    if not hasattr(problem, "spec"):
        raise TypeError(
            f"problem must be a simulator problem with .spec(), got {type(problem).__name__}"
        )
    if w0 is None:
        w0 = np.zeros(problem.dim)
    w0 = finite_array("w0", w0, ndim=1)
    if w0.shape != (problem.dim,):
        raise ValueError(f"w0 must have shape ({problem.dim},), got {w0.shape}")
    chosen = resolve_backend(backend)
    engine_name, _ = resolve_engine(engine, chosen.name)
    if chunk_size is None:
        chunk_size = _DEFAULT_CHUNK[chosen.name]
    chunk_size = int_at_least("chunk_size", chunk_size, BLOCK)
    if chunk_size % BLOCK:
        raise ValueError(f"chunk_size must be a positive multiple of {BLOCK}, got {chunk_size}")
    preflight.require(preflight.estimate(
        kind=preflight.problem_kind(problem), dim=problem.dim, n=problem.n, steps=steps,
        trajectories=trajectories, batch=batch, engine=engine_name, backend=chosen.name,
        chunk_size=chunk_size))

    options = {
        "alpha": alpha,
        "steps": steps,
        "seed": seed,
        "batch": batch,
        "e0": w0 - problem.w_star,
        "backend": chosen.name,
    }
    chunks = preflight.chunk_ranges(trajectories, chunk_size)  # lazy: never a list of all chunks
    run = functools.partial(_run_range, engine_name, problem.spec(), options)

    began = time.perf_counter()
    if scheduler is None:
        results = map(run, chunks)
    else:
        from sim.distributed import iter_chunks

        # Streamed in chunk order, so only a bounded window of chunk results is held at once.
        results = iter_chunks(scheduler, run, chunks)
    if progress:
        from tqdm.auto import tqdm

        results = tqdm(results, total=preflight.chunk_count(trajectories, chunk_size),
                       unit="chunk", disable=None)
    total, diverged = _fold(results)
    elapsed = time.perf_counter() - began

    with np.errstate(invalid="ignore"):
        err = stderr(total)
    mean_w = total.mean_w + problem.w_star
    moments = total._replace(mean_w=mean_w)
    return SimulationResult(
        mean_sq_dist=total.mean_sq,
        stderr=err,
        mean_w=mean_w,
        max_sq_dist=total.max_sq,
        moments=moments,
        trajectories=trajectories,
        steps=steps,
        alpha=alpha,
        batch=batch,
        seed=int(seed),
        w0=w0,
        backend=chosen.name,
        engine=engine_name,
        device=chosen.device,
        diverged_at=diverged,
        elapsed_s=elapsed,
        problem=problem,
    )


def _fold(results: Any) -> tuple[Moments, int | None]:
    """Merge per-block moments of all chunks in block order; NaN from the first diverged step."""
    total: Moments | None = None
    diverged: int | None = None
    with np.errstate(invalid="ignore", over="ignore"):
        for chunk in results:
            if chunk.diverged_at is not None:
                diverged = (
                    chunk.diverged_at if diverged is None else min(diverged, chunk.diverged_at)
                )
            for block in blocks_to_moments(
                chunk.count, chunk.mean, chunk.m2, chunk.mean_e, chunk.max
            ):
                total = block if total is None else merge(total, block)
    assert total is not None
    if diverged is not None:
        total = Moments(total.count, *(_nan_from(a, diverged) for a in total[1:]))
    return total, diverged


def _nan_from(a: np.ndarray, step: int) -> np.ndarray:
    a = a.copy()
    a[step:] = np.nan
    return a
