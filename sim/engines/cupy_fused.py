"""Fused GPU engine: one CUDA thread per trajectory, one CUDA block per statistics block.

The kernels (``cupy_fused.cu`` beside this module, compiled by NVRTC through
:class:`cupy.RawModule`, one instantiation per dimension ``d``) keep each trajectory's state in
registers over many steps per launch, generate its sample indices in registers with the
counter-based formula of :mod:`sim.rng` (so the indices are those of the NumPy path whatever
the launch geometry or the split of steps into launches), and reduce every step over the
block of :data:`sim.stats.BLOCK` = 1024 threads into per-block buffers with the semantics of
:func:`sim.stats.block_reduce`: mean and :math:`M_2` about the block mean, maximum, mean error.
The trajectory update uses the same tables and IEEE operation order as
:mod:`sim.engines.array` (round-to-nearest intrinsics, never contracted to FMA).

The module imports without CuPy; :func:`available` is False unless CuPy imports and a CUDA
device answers.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from sim import rng
from sim.engines import ChunkResult
from sim.engines._chunk import check_chunk, spec_kind
from sim.stats import BLOCK

SOURCE = Path(__file__).with_name("cupy_fused.cu")
"""The CUDA source of the kernels."""

MAX_DIM = 64
"""Largest dimension compiled: the per-warp partials live in static shared memory."""

STEPS_PER_LAUNCH = 256
"""Steps advanced per kernel launch (bounds a launch's duration; results do not depend on it)."""

_MAX_COUNT = 2**31 - BLOCK

_SHARED_TABLE_BYTES = 96 * 1024
"""Data tables up to this size are staged in shared memory, larger ones read from global."""


def available() -> bool:
    """True when CuPy imports and at least one CUDA device answers."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any failure means "no usable device"
        return False


@functools.cache
def _kernels(d: int):
    import cupy

    names = (f"sgd_quadratic<{d}>", f"sgd_logistic<{d}>")
    module = cupy.RawModule(code=SOURCE.read_text(), options=("-std=c++17",),
                            name_expressions=names)
    return tuple(module.get_function(name) for name in names)


def run_chunk(spec, *, alpha: float, steps: int, seed: int, start: int, count: int,
              batch: int, e0) -> ChunkResult:
    """Simulate trajectories ``start, ..., start + count - 1`` on the GPU, reduced per block.

    Arguments and result as :func:`sim.engines.numba_cpu.run_chunk`; the problem dimension
    must be at most :data:`MAX_DIM`.
    """
    import cupy as cp

    kind = spec_kind(spec)
    e0 = check_chunk(spec, alpha=alpha, steps=steps, start=start, count=count, batch=batch,
                     e0=e0)
    d = e0.shape[0]
    if d > MAX_DIM:
        raise ValueError(f"the fused GPU kernels support dimension d <= {MAX_DIM}, got d={d}; "
                         "use engine='array'")
    if count > _MAX_COUNT:
        raise ValueError(f"count must be <= {_MAX_COUNT} per chunk (32-bit thread indices), "
                         f"got {count}; use a smaller chunk_size")
    quadratic_kernel, logistic_kernel = _kernels(d)
    stream_key, _ = rng.seed_keys(seed)
    nb = -(-count // BLOCK)
    mean = cp.empty((steps + 1, nb))
    m2 = cp.empty((steps + 1, nb))
    top = cp.empty((steps + 1, nb))
    mean_v = cp.empty((steps + 1, nb, d))
    diverged = cp.full(1, steps + 1, dtype=cp.int32)
    draws = cp.asarray(rng.draw_keys(np, seed, 0, steps * batch))
    if kind == "quadratic":
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        q = np.asarray(spec.eigvecs, dtype=np.float64)
        # the array engine's tables, so that the trajectories are the same roundings
        table = np.ascontiguousarray(((alpha * lam / batch) * spec.centered).T)
        state = cp.empty((d, count))
        state[...] = cp.asarray(q.T @ e0)[:, None]
        kernel = quadratic_kernel
        head = (cp.asarray(table), cp.asarray(1.0 - alpha * lam))
    else:
        w_star = np.asarray(spec.w_star, dtype=np.float64)
        table = np.ascontiguousarray(
            (np.asarray(spec.labels, dtype=np.float64)[:, None] * spec.features).T)
        state = cp.empty((d, count))
        state[...] = cp.asarray(e0)[:, None]
        kernel = logistic_kernel
        head = (cp.asarray(table), cp.asarray(w_star), cp.asarray(-alpha * spec.l2 * w_star),
                np.float64(1.0 - alpha * spec.l2), np.float64(alpha / batch))
    n = table.shape[1]
    shared = table.nbytes if table.nbytes <= _SHARED_TABLE_BYTES else 0
    if shared > 48 * 1024:
        kernel.max_dynamic_shared_size_bytes = shared
    t0 = 0
    while True:
        t1 = min(steps, t0 + STEPS_PER_LAUNCH)
        kernel((nb,), (BLOCK,),
               (*head, draws, state, np.int32(n), np.int32(batch), np.uint64(stream_key),
                np.int64(start), np.int32(count), np.int32(t0), np.int32(t1),
                np.int32(shared > 0), mean, m2, top, mean_v, diverged),
               shared_mem=shared)
        if t1 == steps:
            break
        t0 = t1
    if kind == "quadratic":
        # mean_e = Q mean_z as an explicit sum over k, as in the array engine
        mean_z, mean_v = mean_v, cp.zeros_like(mean_v)
        q_dev = cp.asarray(q)
        for k in range(d):
            mean_v += mean_z[:, :, k, None] * q_dev[None, None, :, k]
    first_bad = int(diverged.get()[0])
    mean, m2, mean_v, top = (a.get() for a in (mean, m2, mean_v, top))
    sizes = np.minimum(BLOCK, count - BLOCK * np.arange(nb)).astype(np.int64)
    if first_bad > steps:
        return ChunkResult(sizes, mean, m2, mean_v, top, None)
    for arr in (mean, m2, mean_v, top):
        arr[first_bad:] = np.nan
    return ChunkResult(sizes, mean, m2, mean_v, top, first_bad)
