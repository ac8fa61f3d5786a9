"""Launch plans for the fused CUDA kernels, from the device's own limits (pure host code).

A launch of ``sgd_quadratic<D, THREADS>`` or ``sgd_logistic<D, THREADS>`` (``cupy_fused.cu``)
is valid only within the device's limits, which this module checks before any work starts:

- **Threads.** ``THREADS`` (:func:`block_threads`) depends on the kernel kind and ``D`` only,
  so the order of the block reductions, hence every rounding, is the same on every device.
  ``__launch_bounds__(THREADS, 1)`` lets the compiler use up to ``min(255, 65536 / THREADS)``
  registers per thread: 64 at 1024 threads, 128 at 512, 255 at 256. The thresholds below are
  the largest ``D`` whose kernel compiles without spills at that cap, measured with
  ``ptxas -v`` for sm_75, sm_80, sm_86 (nvcc 13.0) and sm_90 (nvcc 13.0 and NVRTC 13.5); the
  compile test re-measures them and fails on a spill at ``d <= 16`` for sm_90.
- **Shared memory.** The kernel's static shared memory is its ``Partials<D, WARPS>``,
  ``WARPS (56 + 16 D)`` bytes with ``WARPS = THREADS / 32`` (:func:`static_shared_bytes`; the
  host passes the value read from the compiled kernel when it has one, and a test checks the
  formula against ptxas). The data table (``D x n`` float64) goes to dynamic shared memory when
  static + dynamic bytes fit the block's opt-in maximum *and* the table costs no resident
  block per SM (the blocks the register file and thread limit allow still fit the SM's shared
  memory, counting the per-block reservation); otherwise the kernel reads it from global
  memory. Static + dynamic bytes above the default per-block limit (48 KiB) need the opt-in
  ``cudaFuncAttributeMaxDynamicSharedMemorySize`` set to the dynamic size before the launch
  (CUDA C++ Programming Guide, "Shared Memory" of compute capabilities 7.x-9.0).

The device's attributes come from ``cudaGetDeviceProperties`` (CuPy's
``cupy.cuda.runtime.getDeviceProperties``) through :meth:`DeviceLimits.from_properties`; the
values of common devices, for tests without a GPU, are in :data:`KNOWN_DEVICES`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.stats import BLOCK

KINDS = ("quadratic", "logistic")
MAX_DIM = 64
"""Largest dimension the kernels are compiled for."""

DEFAULT_SHARED_PER_BLOCK = 48 * 1024
"""Static shared memory is limited to 48 KiB on every device; so is static + dynamic without
the opt-in."""

# (largest D at 1024 threads, largest D at 512 threads); 256 threads above. See the docstring.
_THRESHOLDS = {"quadratic": (5, 16), "logistic": (4, 12)}
_REGISTER_GRANULE = 8  # registers per thread are allocated in multiples of 8 (sm_70 .. sm_90)


@dataclass(frozen=True)
class DeviceLimits:
    """The attributes of a CUDA device that bound a launch (``cudaDeviceProp`` names)."""

    name: str
    compute_capability: tuple[int, int]
    warp_size: int
    max_threads_per_block: int
    max_threads_per_sm: int
    regs_per_block: int
    regs_per_sm: int
    shared_per_block: int
    """Default limit of static + dynamic shared memory per block (``sharedMemPerBlock``)."""
    shared_per_block_optin: int
    """The opt-in maximum per block (``sharedMemPerBlockOptin``)."""
    shared_per_sm: int
    reserved_shared_per_block: int = 0
    """Shared memory the system reserves per resident block (1 KiB from sm_80 on)."""

    @classmethod
    def from_properties(cls, props: Mapping[str, Any]) -> DeviceLimits:
        """From ``cupy.cuda.runtime.getDeviceProperties(device)`` (a ``cudaDeviceProp`` dict)."""
        name = props.get("name", "CUDA device")
        name = name.decode() if isinstance(name, bytes) else str(name)
        per_block = int(props["sharedMemPerBlock"])
        optin = int(props.get("sharedMemPerBlockOptin", per_block))  # absent before CUDA 9
        return cls(
            name=name,
            compute_capability=(int(props["major"]), int(props["minor"])),
            warp_size=int(props["warpSize"]),
            max_threads_per_block=int(props["maxThreadsPerBlock"]),
            max_threads_per_sm=int(props["maxThreadsPerMultiProcessor"]),
            regs_per_block=int(props["regsPerBlock"]),
            regs_per_sm=int(props["regsPerMultiprocessor"]),
            shared_per_block=per_block,
            shared_per_block_optin=max(per_block, optin),
            shared_per_sm=int(props["sharedMemPerMultiprocessor"]),
            reserved_shared_per_block=int(props.get("reservedSharedMemPerBlock", 0)),
        )


KNOWN_DEVICES: dict[str, DeviceLimits] = {
    # CUDA C++ Programming Guide, "Technical Specifications per Compute Capability" (shared
    # memory per SM and per block, threads and registers) and the Turing, Ampere, Ada and
    # Hopper tuning guides (opt-in maxima 64, 163, 99, 99, 227 KB; 1 KB reserved per block
    # from 8.0 on). Every one has warps of 32, 1024 threads and 65536 registers per block,
    # 65536 registers per SM, and 48 KiB of shared memory per block without the opt-in.
    "sm_75": DeviceLimits("sm_75 (Turing, e.g. T4)", (7, 5), 32, 1024, 1024, 65536, 65536,
                          49152, 65536, 65536, 0),
    "sm_80": DeviceLimits("sm_80 (A100)", (8, 0), 32, 1024, 2048, 65536, 65536,
                          49152, 166912, 167936, 1024),
    "sm_86": DeviceLimits("sm_86 (GA10x, e.g. A10, RTX 30xx)", (8, 6), 32, 1024, 1536, 65536,
                          65536, 49152, 101376, 102400, 1024),
    "sm_89": DeviceLimits("sm_89 (Ada, e.g. L4, L40)", (8, 9), 32, 1024, 1536, 65536, 65536,
                          49152, 101376, 102400, 1024),
    "sm_90": DeviceLimits("sm_90 (H100)", (9, 0), 32, 1024, 2048, 65536, 65536,
                          49152, 232448, 233472, 1024),
}


@dataclass(frozen=True)
class LaunchPlan:
    """How to launch one chunk: block layout, table placement, shared memory, opt-in."""

    kind: str
    d: int
    n: int
    threads: int
    """Threads per CUDA block."""
    parts: int
    """CUDA blocks per statistics block of :data:`sim.stats.BLOCK` trajectories."""
    table_in_shared: bool
    static_shared: int
    dynamic_shared: int
    """Bytes of dynamic shared memory to launch with (the table, or 0)."""
    opt_in: int | None
    """Value for ``cudaFuncAttributeMaxDynamicSharedMemorySize``; None when the default
    per-block limit already holds static + dynamic."""
    register_cap: int
    """Registers per thread the kernel may use under ``__launch_bounds__(threads, 1)``."""
    resident_blocks: int
    """Blocks per SM allowed by threads, registers and shared memory (an occupancy estimate)."""

    def grid(self, count: int) -> int:
        """CUDA blocks for ``count`` trajectories: whole statistics blocks of ``parts`` each."""
        return -(-count // BLOCK) * self.parts


def block_threads(kind: str, d: int) -> int:
    """Threads per CUDA block for ``kind`` at dimension ``d`` (see the module docstring)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if not 1 <= d <= MAX_DIM:
        raise ValueError(f"d must be in [1, {MAX_DIM}], got {d}")
    at_1024, at_512 = _THRESHOLDS[kind]
    return 1024 if d <= at_1024 else 512 if d <= at_512 else 256


def register_cap(threads: int, regs_per_block: int) -> int:
    """Registers per thread under ``__launch_bounds__(threads, 1)``: at most 255."""
    return min(255, (regs_per_block // threads) // _REGISTER_GRANULE * _REGISTER_GRANULE)


def static_shared_bytes(threads: int, d: int) -> int:
    """Bytes of ``Partials<d, threads / 32>``: two buffers of sum, M2, max (double), count
    (int) and d coordinate sums (double) per warp, i.e. ``WARPS (56 + 16 d)``."""
    return threads // 32 * (56 + 16 * d)


def plan_launch(device: DeviceLimits, *, kind: str, d: int, n: int, dtype: Any = np.float64,
                static_shared: int | None = None, registers: int | None = None) -> LaunchPlan:
    """The launch of the ``kind`` kernel for a ``(d, n)`` table on ``device``.

    Args:
        device: the device's limits.
        kind: ``"quadratic"`` or ``"logistic"``.
        d, n: dimension and number of data points.
        dtype: the table's dtype; the kernels are compiled for float64 only.
        static_shared: the kernel's static shared bytes as compiled (``shared_size_bytes``);
            default :func:`static_shared_bytes`.
        registers: the kernel's registers per thread as compiled (``num_regs``); default the
            cap of ``__launch_bounds__``.

    Raises:
        ValueError: a parameter out of range, or a kernel the device cannot run.
    """
    threads = block_threads(kind, d)
    if np.dtype(dtype) != np.float64:
        raise ValueError(f"dtype must be float64 for the fused kernels, got {np.dtype(dtype)}")
    if not 1 <= n <= 2**31 - 1:
        raise ValueError(f"n must be in [1, 2**31 - 1], got {n}")
    if device.warp_size != 32:
        raise ValueError(f"the kernels need a warp size of 32, the device has {device.warp_size}")
    if threads > device.max_threads_per_block:
        raise ValueError(f"the kernel needs {threads} threads per block; {device.name} allows "
                         f"{device.max_threads_per_block}")
    cap = register_cap(threads, device.regs_per_block)
    used = cap if registers is None else -(-registers // _REGISTER_GRANULE) * _REGISTER_GRANULE
    if used * threads > device.regs_per_block:
        raise ValueError(f"the kernel needs {used} registers x {threads} threads; "
                         f"{device.name} has {device.regs_per_block} per block")
    static = static_shared_bytes(threads, d) if static_shared is None else static_shared
    if static > min(DEFAULT_SHARED_PER_BLOCK, device.shared_per_block_optin):
        raise ValueError(f"the kernel's {static} bytes of static shared memory exceed the "
                         f"limit of {device.name}")
    table = 8 * d * n  # float64
    # resident blocks per SM allowed by threads and registers; the table may use shared
    # memory only if these still fit the SM with it
    limit = max(1, min(device.max_threads_per_sm // threads,
                       device.regs_per_sm // (used * threads)))
    in_shared = (static + table <= device.shared_per_block_optin
                 and limit * (static + table + device.reserved_shared_per_block)
                 <= device.shared_per_sm)
    dynamic = table if in_shared else 0
    resident = min(limit, device.shared_per_sm
                   // (static + dynamic + device.reserved_shared_per_block))
    opt_in = dynamic if static + dynamic > device.shared_per_block else None
    return LaunchPlan(kind=kind, d=d, n=n, threads=threads, parts=BLOCK // threads,
                      table_in_shared=in_shared, static_shared=static, dynamic_shared=dynamic,
                      opt_in=opt_in, register_cap=cap, resident_blocks=resident)
