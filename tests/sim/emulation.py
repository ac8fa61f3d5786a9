"""The CUDA kernels run on the CPU: one std::thread per CUDA thread, under CUDA's launch rules.

:func:`build` compiles the kernel source (g++, C++20) with a shim that maps each CUDA block to
``THREADS`` std::threads, ``__syncthreads`` and every warp exchange (shuffle, ballot) to
barriers, ``__shared__`` to host memory and the round-to-nearest intrinsics to the IEEE
operations. :class:`EmulatedKernel` then stands in for a compiled CuPy kernel: it has the
``attributes`` and the settable ``max_dynamic_shared_size_bytes`` of a ``RawKernel``, with the
static shared size measured from the compiled source (``sizeof(Partials<D, WARPS>)``), and it
refuses a launch the way CUDA does (wrong block size; dynamic shared memory above the kernel's
current maximum, which defaults to the 48 KiB per-block limit minus the static shared memory;
an opt-in above the device's ``sharedMemPerBlockOptin`` minus the static shared memory).

This executes the real kernel source under the real host code, so it checks the arithmetic, the
indices, the reductions, the block layout, the buffers, the launch splitting and the shared
memory requests; it cannot check the GPU memory model, NVRTC or speed.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np

from sim.engines.launch import DEFAULT_SHARED_PER_BLOCK, DeviceLimits, register_cap

from cuda_compile import kernel_parameters

KERNELS = {"quadratic": "sgd_quadratic", "logistic": "sgd_logistic"}
SMEM_DOUBLES = 1 << 14  # emulated dynamic shared memory: 128 KiB

_SHIM = r"""
#include <algorithm>
#include <barrier>
#include <cmath>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>
using std::fmax; using std::max; using std::min; using std::tanh;
struct Dim3 { unsigned x; };
thread_local Dim3 threadIdx, blockIdx;
Dim3 gridDim;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(a, b)
static std::barrier<>* block_barrier;
static std::barrier<>* warp_barrier[32];
static double slot_d[32][32];
static unsigned slot_b[32][32];
static double g_smem[SMEM_DOUBLES];
static std::mutex atomic_lock;
inline void __syncthreads() { block_barrier->arrive_and_wait(); }
inline double __shfl_xor_sync(unsigned, double v, int o) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    slot_d[w][lane] = v; warp_barrier[w]->arrive_and_wait();
    double r = slot_d[w][lane ^ o]; warp_barrier[w]->arrive_and_wait();
    return r;
}
inline unsigned __ballot_sync(unsigned, bool p) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    slot_b[w][lane] = p; warp_barrier[w]->arrive_and_wait();
    unsigned m = 0;
    for (int l = 0; l < 32; ++l) m |= slot_b[w][l] ? 1u << l : 0u;
    warp_barrier[w]->arrive_and_wait();
    return m;
}
inline bool __any_sync(unsigned mask, bool p) { return __ballot_sync(mask, p) != 0; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int atomicMin(int* a, int v) {
    std::lock_guard<std::mutex> g(atomic_lock); int o = *a; *a = std::min(o, v); return o;
}
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
// Runs grid blocks of `threads` threads one block after the other; 1 if threads were refused.
template <class F> int launch(int grid, int threads, F body) {
    gridDim.x = grid;
    const int warps = threads / 32;
    for (int b = 0; b < grid; ++b) {
        std::barrier<> blk(threads);
        block_barrier = &blk;
        for (int w = 0; w < warps; ++w) warp_barrier[w] = new std::barrier<>(32);
        std::vector<std::thread> pool;
        int started = 0;
        try {
            for (; started < threads; ++started)
                pool.emplace_back([=] { threadIdx.x = started; blockIdx.x = b; body(); });
        } catch (const std::system_error&) {
            // too few threads allowed: release the started ones, report failure
            for (int t = started; t < threads; ++t) {
                blk.arrive_and_drop();
                warp_barrier[t >> 5]->arrive_and_drop();
            }
        }
        for (auto& t : pool) t.join();
        for (int w = 0; w < warps; ++w) delete warp_barrier[w];
        if (started < threads) return 1;
    }
    return 0;
}
extern "C" void emulated_tanh(const double* x, double* y, long n) {
    for (long i = 0; i < n; ++i) y[i] = tanh(x[i]);
}
"""


def gxx() -> str | None:
    return shutil.which("g++")


def build(source: str, layouts: list[tuple[int, int]], folder: Path) -> ctypes.CDLL:
    """Compile ``source`` for the CPU with entry points for each ``(d, threads)``.

    Exports ``quadratic_<d>_<threads>(grid, <kernel parameters>)``, the same for logistic
    (returning 1 when the system refused the threads), ``partials_<d>_<threads>()`` (the
    static shared bytes) and ``emulated_tanh``. Raises RuntimeError when g++ fails.
    """
    source = source.replace("extern __shared__ double smem[];", "double* smem = g_smem;")
    source = source.replace("__shared__ Partials<D, THREADS / 32> partials;",
                            "static Partials<D, THREADS / 32> partials;")
    lines = [_SHIM.replace("SMEM_DOUBLES", str(SMEM_DOUBLES)), source]
    for d, threads in layouts:
        lines.append(f'extern "C" int partials_{d}_{threads}() '
                     f"{{ return sizeof(Partials<{d}, {threads // 32}>); }}")
        for kind, name in KERNELS.items():
            params = kernel_parameters(name, source)
            signature = ", ".join(f"{t} {p}" for t, p in params)
            call = f"{name}<{d}, {threads}>({', '.join(p for _, p in params)})"
            lines.append(f'extern "C" int {kind}_{d}_{threads}(int grid, {signature}) '
                         f"{{ return launch(grid, {threads}, [=] {{ {call}; }}); }}")
    (folder / "kernels.cpp").write_text("\n".join(lines))
    done = subprocess.run(
        [gxx(), "-std=c++20", "-O1", "-ffp-contract=off", "-fPIC", "-shared", "-pthread",
         "-Wno-unknown-pragmas", "-o", str(folder / "kernels.so"), str(folder / "kernels.cpp")],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"g++ cannot build the emulation (C++20 <barrier> needed): "
                           f"{done.stderr[-2000:]}")
    return ctypes.CDLL(str(folder / "kernels.so"))


class LaunchRefused(RuntimeError):
    """A launch CUDA would refuse (the error a RawKernel raises: invalid argument)."""


class ThreadsRefused(RuntimeError):
    """The operating system would not start the threads of one emulated block."""


class EmulatedKernel:
    """A compiled kernel of :func:`build`, with the interface of a CuPy ``RawKernel``."""

    _CTYPES = {np.dtype(np.int32): ctypes.c_int32, np.dtype(np.int64): ctypes.c_int64,
               np.dtype(np.uint64): ctypes.c_uint64, np.dtype(np.float64): ctypes.c_double}

    def __init__(self, library: ctypes.CDLL, kind: str, d: int, threads: int,
                 device: DeviceLimits) -> None:
        self.function = getattr(library, f"{kind}_{d}_{threads}")
        self.threads, self.device = threads, device
        static = getattr(library, f"partials_{d}_{threads}")()
        self.attributes = {"num_regs": register_cap(threads, device.regs_per_block),
                           "shared_size_bytes": static, "local_size_bytes": 0,
                           "max_threads_per_block": threads}
        self._max_dynamic = DEFAULT_SHARED_PER_BLOCK - static
        self.launches: list[tuple[int, int]] = []

    @property
    def max_dynamic_shared_size_bytes(self) -> int:
        return self._max_dynamic

    @max_dynamic_shared_size_bytes.setter
    def max_dynamic_shared_size_bytes(self, value: int) -> None:
        if value > self.device.shared_per_block_optin - self.attributes["shared_size_bytes"]:
            raise LaunchRefused(f"cudaFuncSetAttribute: {value} dynamic bytes exceed the "
                                f"opt-in maximum of {self.device.name}")
        self._max_dynamic = value

    def __call__(self, grid, block, args, *, shared_mem=0):
        if block != (self.threads,):
            raise LaunchRefused(f"block {block}: the kernel was compiled for {self.threads}")
        if shared_mem > self._max_dynamic:
            raise LaunchRefused(f"{shared_mem} bytes of dynamic shared memory above the "
                                f"kernel's maximum of {self._max_dynamic}")
        assert shared_mem <= SMEM_DOUBLES * 8, "enlarge the emulated shared memory"
        self.launches.append((grid[0], shared_mem))
        failed = self.function(ctypes.c_int(grid[0]),
                               *(ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                                 else self._CTYPES[a.dtype](a) for a in args))
        if failed:
            raise ThreadsRefused(f"the emulation needs {self.threads} threads per block")


def emulated_tanh(library: ctypes.CDLL):
    """The emulation's ``tanh`` (the C library's, as the kernels call it) on NumPy arrays."""
    fn = library.emulated_tanh

    def tanh(x, out=None):
        x = np.ascontiguousarray(x, dtype=np.float64)
        y = np.empty_like(x) if out is None else out
        fn(ctypes.c_void_p(x.ctypes.data), ctypes.c_void_p(y.ctypes.data),
           ctypes.c_long(x.size))
        return y

    return tanh
