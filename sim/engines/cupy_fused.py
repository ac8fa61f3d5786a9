"""Fused GPU engine: one CUDA thread per trajectory, reduced per statistics block on the device.

The kernels (``cupy_fused.cu`` beside this module, compiled by NVRTC through
:class:`cupy.RawModule`, one instantiation per dimension ``d`` and block size) keep each
trajectory's state in registers over many steps per launch, generate its sample indices in
registers with the counter-based formula of :mod:`sim.rng` (so the indices are those of the
NumPy path whatever the launch geometry or the split of steps into launches), and reduce every
step over each CUDA block into partial sums. A statistics block of :data:`sim.stats.BLOCK`
trajectories is ``parts`` consecutive CUDA blocks; :func:`merge_parts` combines their partials
into the semantics of :func:`sim.stats.block_reduce` (mean and :math:`M_2` about the block
mean, maximum, mean error). The block size, the table's place (shared or global memory) and
the shared-memory opt-in come from :func:`sim.engines.launch.plan_launch`, fed with the
device's attributes and the compiled kernel's registers and static shared memory.
The trajectory update uses the same tables and IEEE operation order as
:mod:`sim.engines.array` (round-to-nearest intrinsics, never contracted to FMA).

The module imports without CuPy; :func:`available` is False unless CuPy imports and a CUDA
device answers.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from sim import rng
from sim.engines import ChunkResult
from sim.engines._chunk import check_chunk, spec_kind
from sim.engines.launch import MAX_DIM, DeviceLimits, LaunchPlan, block_threads, plan_launch
from sim.stats import BLOCK

__all__ = ["MAX_DIM", "SOURCE", "available", "launch_for", "merge_parts", "run_chunk"]

SOURCE = Path(__file__).with_name("cupy_fused.cu")
"""The CUDA source of the kernels."""

COMPILE_OPTIONS = ("-std=c++17",)
"""NVRTC options (CuPy adds the target architecture)."""

STEPS_PER_LAUNCH = 256
"""Steps advanced per kernel launch (bounds a launch's duration; results do not depend on it)."""

_MAX_COUNT = 2**31 - BLOCK


def available() -> bool:
    """True when CuPy imports and at least one CUDA device answers."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # noqa: BLE001 - any failure means "no usable device"
        return False


def kernel_names(d: int, threads: int) -> tuple[str, str]:
    """The name expressions of the quadratic and logistic kernels compiled for ``(d, threads)``."""
    return f"sgd_quadratic<{d}, {threads}>", f"sgd_logistic<{d}, {threads}>"


@functools.cache
def _kernels(d: int, threads: int):
    import cupy

    names = kernel_names(d, threads)
    module = cupy.RawModule(code=SOURCE.read_text(), options=COMPILE_OPTIONS,
                            name_expressions=names)
    return tuple(module.get_function(name) for name in names)


def device_limits() -> DeviceLimits:
    """The limits of the current CUDA device, read from CuPy."""
    import cupy

    return DeviceLimits.from_properties(
        cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id))


class Launch(NamedTuple):
    """A compiled kernel, its plan, and the compiled footprint the plan was made with."""

    kernel: Any
    plan: LaunchPlan
    attributes: dict


def launch_for(kind: str, d: int, n: int) -> Launch:
    """Compile (cached) the ``kind`` kernel for dimension ``d`` and plan its launch for an
    ``(d, n)`` table on the current device; set the shared-memory opt-in the plan asks for."""
    kernel = _kernels(d, block_threads(kind, d))[0 if kind == "quadratic" else 1]
    attributes = dict(kernel.attributes)
    plan = plan_launch(device_limits(), kind=kind, d=d, n=n,
                       static_shared=int(attributes["shared_size_bytes"]),
                       registers=int(attributes["num_regs"]))
    if plan.opt_in is not None:
        kernel.max_dynamic_shared_size_bytes = plan.opt_in
    return Launch(kernel, plan, attributes)


def part_counts(count: int, threads: int, parts: int) -> np.ndarray:
    """``(nb, parts)`` active trajectories of each CUDA block of each statistics block."""
    grid = -(-count // BLOCK) * parts
    return np.clip(count - threads * np.arange(grid), 0, threads).reshape(-1, parts)


def merge_parts(xp: Any, part_sum, part_m2, part_max, part_vec, counts: np.ndarray):
    """Statistics blocks from the partial statistics of their CUDA blocks.

    Args:
        xp: array namespace of the partials.
        part_sum, part_m2, part_max: ``(rows, nb * P)`` sum, :math:`M_2` about the CUDA
            block's own mean, and maximum of :math:`\\|e\\|^2`, as the kernels write them.
        part_vec: ``(rows, nb * P, d)`` coordinate sums.
        counts: ``(nb, P)`` active trajectories per CUDA block (:func:`part_counts`).

    Returns:
        ``(mean, m2, max, mean_v)`` of shapes ``(rows, nb)`` and ``(rows, nb, d)``, combined
        in the order ``p = 0 .. P - 1`` with the exact identity
        :math:`M_2 = \\sum_p [M_{2,p} + n_p (S_p / n_p - S / N)^2]` (Chan, Golub & LeVeque
        1983), which the kernels also use across warps. For ``P = 1`` the results are the
        kernel's own numbers divided by the count (the correction term is an exact zero).
    """
    nb, parts = counts.shape
    rows = part_sum.shape[0]
    shape = (rows, nb, parts)
    s, m2_p, top_p = (a.reshape(shape) for a in (part_sum, part_m2, part_max))
    v = part_vec.reshape(rows, nb, parts, -1)
    n = xp.asarray(counts.astype(np.float64))
    size = xp.asarray(counts.sum(axis=1).astype(np.float64))
    total, vec, top = s[:, :, 0], v[:, :, 0], top_p[:, :, 0]
    for p in range(1, parts):
        total = total + s[:, :, p]
        vec = vec + v[:, :, p]
        top = xp.maximum(top, top_p[:, :, p])
    mean = total / size
    m2 = xp.zeros_like(mean)
    for p in range(parts):
        n_p = n[:, p]
        dm = xp.where(n_p > 0, s[:, :, p] / xp.maximum(n_p, 1.0) - mean, 0.0)
        m2 = m2 + (m2_p[:, :, p] + n_p * dm * dm)
    return mean, m2, top, vec / size[:, None]


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
    stream_key, _ = rng.seed_keys(seed)
    draws = cp.asarray(rng.draw_keys(np, seed, 0, steps * batch))
    if kind == "quadratic":
        lam = np.asarray(spec.eigvals, dtype=np.float64)
        q = np.asarray(spec.eigvecs, dtype=np.float64)
        # the array engine's tables, so that the trajectories are the same roundings
        table = np.ascontiguousarray(((alpha * lam / batch) * spec.centered).T)
        start_state = q.T @ e0
        head = (cp.asarray(table), cp.asarray(1.0 - alpha * lam))
    else:
        w_star = np.asarray(spec.w_star, dtype=np.float64)
        table = np.ascontiguousarray(
            (np.asarray(spec.labels, dtype=np.float64)[:, None] * spec.features).T)
        start_state = e0
        head = (cp.asarray(table), cp.asarray(w_star), cp.asarray(-alpha * spec.l2 * w_star),
                np.float64(1.0 - alpha * spec.l2), np.float64(alpha / batch))
    n = table.shape[1]
    kernel, plan, _ = launch_for(kind, d, n)
    counts = part_counts(count, plan.threads, plan.parts)
    nb, grid = counts.shape[0], counts.size
    state = cp.empty((d, count))
    state[...] = cp.asarray(start_state)[:, None]
    mean, m2, top = (cp.empty((steps + 1, nb)) for _ in range(3))
    mean_v = cp.empty((steps + 1, nb, d))
    rows = min(steps, STEPS_PER_LAUNCH) + 1
    parts = [cp.empty((rows, grid)) for _ in range(3)] + [cp.empty((rows, grid, d))]
    diverged = cp.full(1, steps + 1, dtype=cp.int32)
    t0 = 0
    while True:
        t1 = min(steps, t0 + STEPS_PER_LAUNCH)
        kernel((grid,), (plan.threads,),
               (*head, draws, state, np.int32(n), np.int32(batch), np.uint64(stream_key),
                np.int64(start), np.int32(count), np.int32(t0), np.int32(t1),
                np.int32(plan.table_in_shared), *parts, diverged),
               shared_mem=plan.dynamic_shared)
        # row r of the partials holds step t0 + r; step t0 itself only in the first launch
        first = 0 if t0 == 0 else 1
        merged = merge_parts(cp, *(a[first : t1 - t0 + 1] for a in parts), counts)
        for out, part in zip((mean, m2, top, mean_v), merged, strict=True):
            out[t0 + first : t1 + 1] = part
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
    sizes = counts.sum(axis=1).astype(np.int64)
    if first_bad > steps:
        return ChunkResult(sizes, mean, m2, mean_v, top, None)
    for arr in (mean, m2, mean_v, top):
        arr[first_bad:] = np.nan
    return ChunkResult(sizes, mean, m2, mean_v, top, first_bad)
