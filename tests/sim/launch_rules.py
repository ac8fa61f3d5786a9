"""CUDA's launch rules, restated independently of :mod:`sim.engines.launch` for its tests.

CUDA C++ Programming Guide: at most ``maxThreadsPerBlock`` threads, a multiple of the warp size;
static shared memory at most 48 KiB; dynamic shared memory at most the kernel's
``cudaFuncAttributeMaxDynamicSharedMemorySize``, which defaults to 48 KiB minus the static part
and may be raised to the opt-in maximum (``sharedMemPerBlockOptin``) minus the static part;
registers per thread times threads at most ``regsPerBlock``.
"""

from __future__ import annotations

from sim.engines.launch import DEFAULT_SHARED_PER_BLOCK, DeviceLimits


def launch_is_valid(device: DeviceLimits, *, threads: int, static: int, dynamic: int,
                    opt_in: int | None, registers: int) -> bool:
    max_dynamic = DEFAULT_SHARED_PER_BLOCK - static if opt_in is None else opt_in
    return (threads <= device.max_threads_per_block and threads % device.warp_size == 0
            and static <= DEFAULT_SHARED_PER_BLOCK
            and static + max_dynamic <= device.shared_per_block_optin
            and dynamic <= max_dynamic
            and registers * threads <= device.regs_per_block)


def plan_is_valid(device: DeviceLimits, plan) -> bool:
    return launch_is_valid(device, threads=plan.threads, static=plan.static_shared,
                           dynamic=plan.dynamic_shared, opt_in=plan.opt_in,
                           registers=plan.register_cap)
