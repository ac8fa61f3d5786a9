"""Monte Carlo simulation of SGD with streaming, mergeable per-step statistics.

The trajectories are cut into chunks of whole :data:`sim.stats.BLOCK` blocks. A chunk is a pure
function of (problem spec, parameters, seed, trajectory range), so chunks may run anywhere, in
any order; their per-block statistics are folded into the total strictly in global block order,
which makes the result bit-for-bit independent of the chunking. Memory is
O(chunk * d + steps * d * blocks-per-chunk) whatever the number of trajectories.
"""

from __future__ import annotations

import functools
import numbers
import time
from typing import Any

import numpy as np

from sim import preflight
from sim.backend import resolve_backend
from sim.engines import ChunkResult, resolve_engine
from sim.logistic import LogisticRegressionProblem
from sim.options import check_dtype, check_options
from sim.protocol import check_gradients, check_problem
from sim.quadratic import QuadraticProblem
from sim.result import SimulationResult, Trace
from sim.rng import seed_keys
from sim.schedules import as_array
from sim.stats import BLOCK, Moments, blocks_to_moments, merge, stderr
from sim.validation import finite_array, int_at_least

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
    alpha: Any,
    steps: int,
    trajectories: int,
    seed: int = 0,
    backend: str = "auto",
    w0: Any = None,
    batch: int = 1,
    sampling: str = "with-replacement",
    momentum: float = 0.0,
    average_from: int | None = None,
    dtype: str = "float64",
    keep_final: bool = False,
    chunk_size: int | None = None,
    engine: str = "auto",
    scheduler: Any = None,
    progress: bool = False,
) -> SimulationResult:
    """Run ``trajectories`` independent SGD trajectories on ``problem`` for ``steps`` steps.

    Step ``t`` draws a minibatch :math:`S_t` of ``batch`` indices (``sampling``) and moves by
    :math:`w_{t+1} = w_t - \\alpha_t g_t + \\beta (w_t - w_{t-1})`, :math:`w_{-1} = w_0`, where
    :math:`g_t` is the mean of the ``batch`` per-sample gradients (slide "Stochastic Gradient
    Descent" when :math:`\\beta = 0`, B = 1 and :math:`\\alpha_t = \\alpha`).

    Args:
        problem: any :class:`sim.Problem` (``dim``, ``n``, ``w_star``,
            ``sample_gradients(w, idx, xp)``); the built-in :class:`sim.QuadraticProblem` and
            :class:`sim.LogisticRegressionProblem` also run on the fused engines.
        alpha: step size: a number ``> 0``, an array of length ``steps`` or a callable
            ``t -> alpha_t`` (see :mod:`sim.schedules`); every :math:`\\alpha_t` finite and ``> 0``.
        steps: number of steps ``T >= 0``.
        trajectories: number of trajectories ``N >= 2`` (the variance needs two).
        seed: integer in ``[0, 2**64)``.
        backend: ``"auto"`` (CuPy with a device, else NumPy), ``"numpy"`` or ``"cupy"``.
        w0: ``(d,)`` starting point, the same for every trajectory; default the origin.
        batch: minibatch size ``B >= 1`` (``B <= n`` unless sampling with replacement).
        sampling: ``"with-replacement"`` (default), ``"without-replacement"`` (``B`` distinct
            indices, uniform over subsets, every step), ``"reshuffle"`` (a fresh permutation
            every epoch of ``n // B`` steps) or ``"shuffle-once"`` (one permutation per
            trajectory); see :mod:`sim.sampling`.
        momentum: heavy-ball coefficient :math:`\\beta \\in [0, 1)`.
        average_from: None, or ``k`` in ``[0, steps]``: also estimate
            :math:`\\mathbf E\\|\\bar w_t - w^*\\|^2` for the Polyak-Ruppert average
            :math:`\\bar w_t` of :math:`w_k..w_t` (``result.averaged``; NaN before ``k``).
        dtype: ``"float64"`` or ``"float32"``, the precision of the trajectories (the
            statistics are accumulated in float64 either way).
        keep_final: also return each trajectory's final :math:`\\|w_T - w^*\\|^2`
            (``result.final_sq_dist``, ``N`` floats; for histograms and quantiles).
        chunk_size: trajectories per chunk, a positive multiple of ``BLOCK`` (1024); default
            65536 on NumPy, 1048576 on CuPy.
        engine: ``"auto"``, ``"array"``, ``"numba"`` or ``"cupy-fused"`` (see
            :mod:`sim.engines`). The fused engines run the built-in problems with a constant
            step, with-replacement sampling, no momentum or averaging, float64; ``"auto"``
            picks one only then, and naming one for anything else is an error.
        scheduler: None to run the chunks here in order; a ``dask.distributed.Client`` or
            ``"dask-local"`` to spread them (:func:`sim.distributed.iter_chunks`; the problem
            must pickle).
        progress: show a progress bar over chunks (silent when not on a terminal).

    Returns:
        :class:`sim.SimulationResult`; if a trajectory diverges its ``diverged_at`` says where
        and the statistics from there on are NaN. The same seed, engine and backend give
        bit-identical numbers for any ``chunk_size`` and ``scheduler`` (for a protocol
        problem, when its ``sample_gradients`` is row-wise pure: :mod:`sim.protocol`).

    Raises:
        sim.preflight.InsufficientMemory: before any work, when the run's estimated memory
            (:func:`sim.preflight.estimate`) exceeds what is available; the message says what
            would fit.
    """
    steps = int_at_least("steps", steps, 0)
    trajectories = int_at_least("trajectories", trajectories, 2)
    seed_keys(seed)  # validates the seed before any chunk runs
    builtin = isinstance(problem, (QuadraticProblem, LogisticRegressionProblem))
    dim, n, w_star = check_problem(problem)
    options = check_options(n=n, steps=steps, batch=batch, sampling=sampling,
                            momentum=momentum, average_from=average_from)
    scalar = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    alphas = as_array(alpha, steps)
    dtype = check_dtype(dtype)
    if not isinstance(keep_final, (bool, np.bool_)):
        raise TypeError(f"keep_final must be True or False, got {type(keep_final).__name__}")
    if w0 is None:
        w0 = np.zeros(dim)
    w0 = finite_array("w0", w0, ndim=1)
    if w0.shape != (dim,):
        raise ValueError(f"w0 must have shape ({dim},), got {w0.shape}")
    chosen = resolve_backend(backend)
    needs = _needs(problem, builtin, scalar, options, dtype, bool(keep_final))
    engine_name, _ = resolve_engine(engine, chosen.name, needs)
    if chunk_size is None:
        chunk_size = _DEFAULT_CHUNK[chosen.name]
    chunk_size = int_at_least("chunk_size", chunk_size, BLOCK)
    if chunk_size % BLOCK:
        raise ValueError(f"chunk_size must be a positive multiple of {BLOCK}, got {chunk_size}")
    if not builtin:
        check_gradients(problem, chosen.xp, np.dtype(dtype), w0)
    preflight.require(preflight.estimate(
        kind=preflight.problem_kind(problem), dim=dim, n=n, steps=steps,
        trajectories=trajectories, batch=batch, engine=engine_name, backend=chosen.name,
        chunk_size=chunk_size))

    run_options = {
        "alpha": float(alpha) if scalar else alphas,
        "steps": steps,
        "seed": seed,
        "batch": options["batch"],
        "e0": w0 - w_star,
        "backend": chosen.name,
    }
    extra = {"sampling": options["sampling"], "momentum": options["momentum"],
             "average_from": options["average_from"], "dtype": dtype,
             "keep_final": bool(keep_final)}
    run_options.update({key: value for key, value in extra.items()
                        if engine_name == "array" or key in needs})
    chunks = preflight.chunk_ranges(trajectories, chunk_size)  # lazy: never a list of all chunks
    spec = problem.spec() if builtin else problem
    run = functools.partial(_run_range, engine_name, spec, run_options)

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
    total, averaged, finals, diverged = _fold(results)
    elapsed = time.perf_counter() - began

    main = _trace(total, w_star, diverged, finals[0])
    avg = None if averaged is None else _trace(averaged, w_star, diverged, finals[1])
    return SimulationResult(
        mean_sq_dist=main.mean_sq_dist,
        stderr=main.stderr,
        mean_w=main.mean_w,
        max_sq_dist=main.max_sq_dist,
        moments=main.moments,
        trajectories=trajectories,
        steps=steps,
        alpha=float(alpha) if scalar else alphas,
        batch=options["batch"],
        seed=int(seed),
        w0=w0,
        backend=chosen.name,
        engine=engine_name,
        device=chosen.device,
        diverged_at=diverged,
        elapsed_s=elapsed,
        problem=problem,
        sampling=options["sampling"],
        momentum=options["momentum"],
        average_from=options["average_from"],
        dtype=dtype,
        averaged=avg,
        final_sq_dist=main.final_sq_dist,
        problem_info=problem_info(problem, w_star),
    )


def _needs(problem: Any, builtin: bool, scalar: bool, options: dict[str, Any], dtype: str,
           keep_final: bool) -> dict[str, str]:
    """The features of :data:`sim.engines.FEATURES` this run needs, with how they were asked."""
    needs = {}
    if not builtin:
        needs["protocol"] = f"problem {type(problem).__name__} (no fused kernel)"
    if not scalar:
        needs["schedule"] = "a step-size schedule"
    if options["sampling"] != "with-replacement":
        needs["sampling"] = f"sampling={options['sampling']!r}"
    if options["momentum"] != 0:
        needs["momentum"] = f"momentum={options['momentum']:g}"
    if options["average_from"] is not None:
        needs["average_from"] = f"average_from={options['average_from']}"
    if dtype != "float64":
        needs["dtype"] = f"dtype={dtype!r}"
    if keep_final:
        needs["keep_final"] = "keep_final=True"
    return needs


def problem_info(problem: Any, w_star: np.ndarray) -> dict[str, Any]:
    """What a saved result keeps of its problem: type, repr, dim, n, w_star, mu, L, M."""
    info: dict[str, Any] = {"type": type(problem).__name__, "repr": repr(problem),
                            "dim": int(problem.dim), "n": int(problem.n),
                            "w_star": w_star.tolist()}
    for name in ("mu", "L", "M"):
        value = getattr(problem, name, None)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            info[name] = float(value)
    return info


def _trace(total: Moments, w_star: np.ndarray, diverged: int | None,
           final: np.ndarray | None) -> Trace:
    with np.errstate(invalid="ignore"):
        err = stderr(total)
    moments = total._replace(mean_w=total.mean_w + w_star)
    return Trace(total.mean_sq, err, moments.mean_w, total.max_sq, moments, diverged, final)


def _fold(results: Any) -> tuple[Moments, Moments | None, list, int | None]:
    """Merge per-block moments of all chunks in block order; NaN from the first diverged step.

    Returns the iterates' moments, the averaged iterates' moments (or None), the final squared
    distances ``[main, averaged]`` in trajectory order (or Nones) and ``diverged_at``.
    """
    totals: list[Moments | None] = [None, None]
    finals: list[list] = [[], []]
    diverged: int | None = None
    with np.errstate(invalid="ignore", over="ignore"):
        for chunk in results:
            if chunk.diverged_at is not None:
                diverged = (
                    chunk.diverged_at if diverged is None else min(diverged, chunk.diverged_at)
                )
            for i, part in enumerate((chunk, chunk.averaged)):
                if part is None:
                    continue
                if part.final is not None:
                    finals[i].append(part.final)
                for block in blocks_to_moments(part.count, part.mean, part.m2, part.mean_e,
                                               part.max):
                    totals[i] = block if totals[i] is None else merge(totals[i], block)
    assert totals[0] is not None
    if diverged is not None:
        totals = [None if m is None else Moments(m.count, *(_nan_from(a, diverged) for a in m[1:]))
                  for m in totals]
    kept = [None if not f else np.concatenate(f) for f in finals]
    if diverged is not None:
        kept = [None if f is None else np.full_like(f, np.nan) for f in kept]
    return totals[0], totals[1], kept, diverged


def _nan_from(a: np.ndarray, step: int) -> np.ndarray:
    a = a.copy()
    a[step:] = np.nan
    return a
