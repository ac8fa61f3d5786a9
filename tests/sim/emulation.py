"""The CUDA kernels run on the CPU: one fiber per CUDA thread, under CUDA's launch rules.

:func:`build` compiles the kernel source (g++, C++20) with a shim that runs each CUDA block as
``THREADS`` fibers (``ucontext``) in one operating-system thread, maps ``__syncthreads`` and every
warp exchange (shuffle, ballot) to barriers at which a fiber waits until all the threads of its
block or warp have arrived, ``__shared__`` to host memory and the round-to-nearest intrinsics
to the IEEE operations. (Fibers, not threads: a barrier is then a switch of a few hundred
nanoseconds, not a wake-up through the kernel, which made the emulation eight times slower.)
:class:`EmulatedKernel` then stands in for a compiled CuPy kernel: it has the
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
#include <cmath>
#include <cstdlib>
#include <functional>
#include <ucontext.h>
#include <vector>
using std::fmax; using std::max; using std::min; using std::tanh;
struct Dim3 { unsigned x; };
// One operating-system thread runs every CUDA thread of a block as a fiber (ucontext); the
// scheduler sets threadIdx before it resumes one, so these are plain globals.
Dim3 threadIdx, blockIdx, gridDim;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(a, b)
// A barrier with generations: the last of n arrivals starts the next generation and goes on; a
// fiber that arrives earlier waits (is not resumed) until the generation it arrived in is over.
struct Barrier { int n, count; unsigned gen; };
struct Fiber { ucontext_t ctx; Barrier* waiting; unsigned gen; bool done; };
static Barrier block_barrier, warp_barrier[32];
static std::vector<Fiber> fibers;
static ucontext_t scheduler;
static int current;
static std::function<void()> body_of_launch;
static double slot_d[32][32];
static unsigned slot_b[32][32];
static double g_smem[SMEM_DOUBLES];
static const size_t STACK_BYTES = 1 << 17;
static void arrive(Barrier& b) {
    if (++b.count == b.n) { b.count = 0; ++b.gen; return; }
    Fiber& me = fibers[current];
    me.waiting = &b; me.gen = b.gen;
    swapcontext(&me.ctx, &scheduler);
}
inline void __syncthreads() { arrive(block_barrier); }
inline double __shfl_xor_sync(unsigned, double v, int o) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    slot_d[w][lane] = v; arrive(warp_barrier[w]);
    double r = slot_d[w][lane ^ o]; arrive(warp_barrier[w]);
    return r;
}
inline unsigned __ballot_sync(unsigned, bool p) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
    slot_b[w][lane] = p; arrive(warp_barrier[w]);
    unsigned m = 0;
    for (int l = 0; l < 32; ++l) m |= slot_b[w][l] ? 1u << l : 0u;
    arrive(warp_barrier[w]);
    return m;
}
inline bool __any_sync(unsigned mask, bool p) { return __ballot_sync(mask, p) != 0; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int atomicMin(int* a, int v) { int o = *a; *a = std::min(o, v); return o; }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
static void fiber_main() { body_of_launch(); fibers[current].done = true; }
// Runs grid blocks of `threads` threads one block after the other. Returns 2 when the threads
// of a block wait at a barrier that the others never reach (a hang on a GPU), else 0.
template <class F> int launch(int grid, int threads, F body) {
    gridDim.x = grid;
    body_of_launch = body;
    const int warps = threads / 32;
    fibers.assign(threads, Fiber{});
    char* stacks = static_cast<char*>(std::malloc(STACK_BYTES * threads));
    int status = 0;
    for (int b = 0; b < grid && status == 0; ++b) {
        blockIdx.x = b;
        block_barrier = {threads, 0, 0};
        for (int w = 0; w < warps; ++w) warp_barrier[w] = {32, 0, 0};
        for (int t = 0; t < threads; ++t) {
            Fiber& f = fibers[t];
            f.waiting = nullptr; f.done = false;
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = stacks + STACK_BYTES * t;
            f.ctx.uc_stack.ss_size = STACK_BYTES;
            f.ctx.uc_link = &scheduler;
            makecontext(&f.ctx, fiber_main, 0);
        }
        for (int left = threads; left > 0 && status == 0;) {
            bool resumed = false;
            for (int t = 0; t < threads; ++t) {
                Fiber& f = fibers[t];
                if (f.done || (f.waiting != nullptr && f.waiting->gen == f.gen)) continue;
                f.waiting = nullptr; current = t; threadIdx.x = t; resumed = true;
                swapcontext(&scheduler, &f.ctx);
                if (f.done) --left;
            }
            if (!resumed) status = 2;
        }
    }
    std::free(stacks);
    return status;
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
        [gxx(), "-std=c++20", "-O1", "-ffp-contract=off", "-fPIC", "-shared",
         "-Wno-unknown-pragmas", "-o", str(folder / "kernels.so"), str(folder / "kernels.cpp")],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"g++ cannot build the emulation (C++20 and <ucontext.h> needed): "
                           f"{done.stderr[-2000:]}")
    return ctypes.CDLL(str(folder / "kernels.so"))


class LaunchRefused(RuntimeError):
    """A launch CUDA would refuse (the error a RawKernel raises: invalid argument)."""


class BarrierDeadlock(RuntimeError):
    """Threads of a block wait at a barrier the others never reach (on a GPU: a hang)."""


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
        status = self.function(ctypes.c_int(grid[0]),
                               *(ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                                 else self._CTYPES[a.dtype](a) for a in args))
        if status:
            raise BarrierDeadlock(f"a block of {self.threads} threads waits at a barrier that "
                                  "some of its threads never reach")


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
