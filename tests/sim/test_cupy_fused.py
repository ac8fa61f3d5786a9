"""The fused CUDA engine: the kernel source compiles, runs emulated, and on a GPU equals NumPy.

Without a GPU four things run. The compile check builds PTX for sm_90 with the local nvcc
(warnings are errors) from the exact source CuPy compiles with NVRTC, plus explicit
instantiations of both kernels for d in {1, 3, 10, 64} with the parameter types read from that
source. The launch check replaces CuPy by NumPy stand-ins and the kernels by recorders that
compare every launch with that C signature (count, dtype and layout of each argument), so the
host side and the kernels cannot drift apart. The emulation compiles the same kernel source for
the CPU (g++; one thread per CUDA thread) and runs it under the real host code against the
array engine. And the module imports without CuPy.

The emulated and GPU tests use the tolerances derived in ``test_engine_numba.py``: the kernels
apply the array engine's tables with round-to-nearest intrinsics in the same order (never
contracted to FMA), so quadratic trajectories are the same roundings; CUDA's ``tanh`` may
differ from NumPy's by an ulp; the engines differ otherwise only in the summation order of the
block reductions (relative error <= 1023 u < 1.2e-13 for the means).
"""

from __future__ import annotations

import ctypes
import importlib.util
import re
import shutil
import subprocess
import sys
import types

import numpy as np
import pytest

from sim import LogisticRegressionProblem, QuadraticProblem, simulate
from sim import rng as sim_rng
from sim.engines import array as array_engine
from sim.engines import cupy_fused
from sim.stats import BLOCK

NVCC = shutil.which("nvcc")
DIMS = (1, 3, 10, cupy_fused.MAX_DIM)
KERNELS = ("sgd_quadratic", "sgd_logistic")


def kernel_parameters(name: str) -> list[tuple[str, str]]:
    """``(C type, name)`` of each parameter of a kernel, read from the CUDA source."""
    found = re.search(rf"^{name}\((.*?)\)\s*\{{", cupy_fused.SOURCE.read_text(), re.S | re.M)
    assert found, name
    words = [p.replace("__restrict__", "").split() for p in found.group(1).split(",")]
    return [(" ".join(w[:-1]), w[-1]) for w in words]


def _compile_ptx(source: str, tmp_path) -> subprocess.CompletedProcess:
    lines = [source]
    for d in DIMS:
        for name in KERNELS:
            lines.append(f"template __global__ void {name}<{d}>"
                         f"({', '.join(t for t, _ in kernel_parameters(name))});")
    src = tmp_path / "kernels.cu"
    src.write_text("\n".join(lines) + "\n")
    return subprocess.run(
        [NVCC, "-arch=sm_90", "-std=c++17", "--ptx", "-Werror", "all-warnings", "-o",
         str(tmp_path / "kernels.ptx"), str(src)], capture_output=True, text=True, check=False)


@pytest.mark.skipif(NVCC is None, reason="nvcc is not on PATH")
def test_kernel_source_compiles_to_ptx_for_sm90(tmp_path):
    done = _compile_ptx(cupy_fused.SOURCE.read_text(), tmp_path)
    assert done.returncode == 0, done.stderr
    ptx = (tmp_path / "kernels.ptx").read_text()
    for d in DIMS:
        for name in KERNELS:
            mangled = f"{len(name)}{name}ILi{d}E"
            assert any(mangled in line for line in ptx.splitlines() if ".entry" in line), mangled


@pytest.mark.skipif(NVCC is None, reason="nvcc is not on PATH")
def test_compile_check_rejects_a_broken_kernel(tmp_path):
    """The check can fail: the same source with the update calling an undeclared function."""
    source = cupy_fused.SOURCE.read_text()
    broken = source.replace("__dmul_rn(z[a], decay[a])", "__dmul_rn(z[a], undeclared(a))")
    assert broken != source
    assert _compile_ptx(broken, tmp_path).returncode != 0


def test_module_imports_and_is_unavailable_without_cupy():
    if importlib.util.find_spec("cupy") is None:
        assert cupy_fused.available() is False
    assert cupy_fused.SOURCE.is_file()


_DTYPES = {"double": np.float64, "int": np.int32, "long long": np.int64, "u64": np.uint64}


class _DeviceArray(np.ndarray):
    """A NumPy array standing in for a CuPy one (``.get()`` copies to the host)."""

    def get(self):
        return np.array(self)


def _fake_cupy() -> types.ModuleType:
    fake = types.ModuleType("cupy")
    fake.empty = lambda shape, dtype=np.float64: np.empty(shape, dtype).view(_DeviceArray)
    fake.full = lambda shape, value, dtype=None: np.full(shape, value, dtype).view(_DeviceArray)
    fake.asarray = lambda a: np.array(a).view(_DeviceArray)
    fake.zeros_like = lambda a: np.zeros_like(a).view(_DeviceArray)
    fake.int32 = np.int32
    return fake


class _RecordingKernel:
    """Checks every launch against the kernel's C signature, then records it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.params = kernel_parameters(name)
        self.launches: list[tuple] = []

    def __call__(self, grid, block, args, *, shared_mem=0):
        assert len(args) == len(self.params), (self.name, len(args), len(self.params))
        for (ctype, pname), arg in zip(self.params, args, strict=True):
            base = ctype.replace("const", "").replace("*", "").strip()
            if ctype.endswith("*"):
                assert isinstance(arg, np.ndarray), (pname, type(arg))
                assert arg.flags.c_contiguous, pname
            else:
                assert isinstance(arg, np.generic), (pname, type(arg))
            assert arg.dtype == _DTYPES[base], (pname, ctype, arg.dtype)
        names = [pname for _, pname in self.params]
        self.launches.append((grid, block, dict(zip(names, args, strict=True)), shared_mem))


@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
def test_host_launches_match_the_kernel_signature(monkeypatch, kind):
    """Without a GPU: the host passes each kernel exactly its C parameter types, covers the
    steps with consecutive launches, and sizes grid, block, shared memory and buffers right."""
    kernels = {name: _RecordingKernel(name) for name in KERNELS}
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy())
    monkeypatch.setattr(cupy_fused, "_kernels", lambda d: tuple(kernels.values()))
    monkeypatch.setattr(cupy_fused, "STEPS_PER_LAUNCH", 7)
    d, n, steps, count, start, seed = 3, 40, 20, 2 * BLOCK + 5, 4 * BLOCK, 17
    problem = quadratic(d, n, 0) if kind == "quadratic" else logistic(d, n, 0)
    out = cupy_fused.run_chunk(problem.spec(), alpha=0.1, steps=steps, seed=seed, start=start,
                               count=count, batch=2, e0=np.ones(d))
    launches = kernels[f"sgd_{kind}"].launches
    assert not kernels["sgd_logistic" if kind == "quadratic" else "sgd_quadratic"].launches
    assert [(a["t0"], a["t1"]) for _, _, a, _ in launches] == [(0, 7), (7, 14), (14, 20)]
    for grid, block, args, shared in launches:
        assert grid == (3,)
        assert block == (BLOCK,)
        assert (args["n"], args["batch"], args["count"], args["start"]) == (n, 2, count, start)
        assert args["stream_key"] == sim_rng.seed_keys(seed)[0]
        assert args["state"].shape == (d, count)
        assert args["draws"].shape == (steps * 2,)
        assert args["out_mean"].shape == (steps + 1, 3)
        assert args["out_vec"].shape == (steps + 1, 3, d)
        assert shared == d * n * 8
        assert args["use_shared"] == 1
    assert out.mean_e.shape == (steps + 1, 3, d)
    np.testing.assert_array_equal(out.count, [BLOCK, BLOCK, 5])


@pytest.mark.parametrize(
    ("d", "count", "match"), [(cupy_fused.MAX_DIM + 1, 5, "dimension"), (2, 2**31, "count")]
)
def test_sizes_beyond_the_kernels_are_rejected(monkeypatch, d, count, match):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy())
    with pytest.raises(ValueError, match=match):
        cupy_fused.run_chunk(quadratic(d, 3, 0).spec(), alpha=0.1, steps=1, seed=0, start=0,
                             count=count, batch=1, e0=np.zeros(d))


def _valid_quadratic_args() -> list:
    return [np.zeros((2, 5)), np.zeros(2), np.zeros(4, np.uint64), np.zeros((2, 3)),
            np.int32(5), np.int32(1), np.uint64(1), np.int64(0), np.int32(3), np.int32(0),
            np.int32(4), np.int32(1), np.zeros((5, 1)), np.zeros((5, 1)), np.zeros((5, 1)),
            np.zeros((5, 1, 2)), np.zeros(1, np.int32)]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a[:-1],                                    # a parameter missing
        lambda a: [*a[:4], np.int64(5), *a[5:]],             # n as int64, the kernel takes int
        lambda a: [*a[:2], np.zeros(4, np.int64), *a[3:]],   # draws not uint64
        lambda a: [*a[:3], np.zeros((3, 2)).T, *a[4:]],      # state not C-contiguous
    ],
)
def test_signature_check_rejects_a_wrong_launch(mutate):
    kernel = _RecordingKernel("sgd_quadratic")
    kernel((1,), (BLOCK,), tuple(_valid_quadratic_args()))
    with pytest.raises(AssertionError):
        kernel((1,), (BLOCK,), tuple(mutate(_valid_quadratic_args())))


# ---------------------------------------------------------------------------------------------
# The kernels run on the CPU: one std::thread per CUDA thread, barriers for __syncthreads and
# for each warp exchange. This executes the real kernel source and the real host code, so it
# checks the arithmetic, the indices, the reductions, the buffers and the launch splitting;
# it cannot check the GPU memory model, NVRTC or speed.

_SHIM = r"""
#include <algorithm>
#include <barrier>
#include <cmath>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>
using std::fmax; using std::min; using std::tanh;
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
static double g_smem[1 << 14];
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
template <class F> int launch(int grid, F body) {
    gridDim.x = grid;
    for (int b = 0; b < grid; ++b) {
        std::barrier<> blk(1024);
        block_barrier = &blk;
        for (auto& w : warp_barrier) w = new std::barrier<>(32);
        std::vector<std::thread> threads;
        int started = 0;
        try {
            for (; started < 1024; ++started)
                threads.emplace_back([=] { threadIdx.x = started; blockIdx.x = b; body(); });
        } catch (const std::system_error&) {
            // too few threads allowed: release the started ones, report failure
            for (int t = started; t < 1024; ++t) {
                blk.arrive_and_drop();
                warp_barrier[t >> 5]->arrive_and_drop();
            }
        }
        for (auto& t : threads) t.join();
        for (auto& w : warp_barrier) delete w;
        if (started < 1024) return 1;
    }
    return 0;
}
"""
EMULATED_DIMS = (2, 3)


@pytest.fixture(scope="module")
def emulated_kernels(tmp_path_factory):
    """The kernel source compiled for the CPU with the shim above (g++, C++20)."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ is not on PATH")
    source = cupy_fused.SOURCE.read_text()
    source = source.replace("extern __shared__ double smem[];", "double* smem = g_smem;")
    source = source.replace("__shared__ Partials<D> partials;", "static Partials<D> partials;")
    lines = [_SHIM, source]
    for d in EMULATED_DIMS:
        for name, short in zip(KERNELS, ("quad", "logi"), strict=True):
            params = kernel_parameters(name)
            signature = ", ".join(f"{t} {p}" for t, p in params)
            call = f"{name}<{d}>({', '.join(p for _, p in params)})"
            lines.append(f'extern "C" int {short}_{d}(int grid, {signature}) '
                         f"{{ return launch(grid, [=] {{ {call}; }}); }}")
    folder = tmp_path_factory.mktemp("emulated")
    (folder / "kernels.cpp").write_text("\n".join(lines))
    done = subprocess.run(
        [gxx, "-std=c++20", "-O1", "-ffp-contract=off", "-fPIC", "-shared", "-pthread",
         "-Wno-unknown-pragmas", "-o", str(folder / "kernels.so"), str(folder / "kernels.cpp")],
        capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"g++ cannot build the emulation (C++20 <barrier> needed): {done.stderr}")
    return ctypes.CDLL(str(folder / "kernels.so"))


class _EmulatedKernel:
    _CTYPES = {np.dtype(np.int32): ctypes.c_int32, np.dtype(np.int64): ctypes.c_int64,
               np.dtype(np.uint64): ctypes.c_uint64, np.dtype(np.float64): ctypes.c_double}

    def __init__(self, function) -> None:
        self.function = function

    def __call__(self, grid, block, args, *, shared_mem=0):
        assert block == (BLOCK,)
        failed = self.function(ctypes.c_int(grid[0]),
                               *(ctypes.c_void_p(a.ctypes.data) if isinstance(a, np.ndarray)
                                 else self._CTYPES[a.dtype](a) for a in args))
        if failed:
            pytest.skip("the emulation needs 1024 threads per block; the system refused")


def _run_emulated(monkeypatch, kernels, problem, **kw):
    monkeypatch.setitem(sys.modules, "cupy", _fake_cupy())
    monkeypatch.setattr(cupy_fused, "_kernels", lambda dim: (
        _EmulatedKernel(getattr(kernels, f"quad_{dim}")),
        _EmulatedKernel(getattr(kernels, f"logi_{dim}"))))
    monkeypatch.setattr(cupy_fused, "STEPS_PER_LAUNCH", 2)
    return cupy_fused.run_chunk(problem.spec(), **kw)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "d", "batch", "count", "steps"),
    [("quadratic", 3, 2, BLOCK + 76, 3), ("logistic", 2, 1, 90, 3), ("quadratic", 2, 1, 30, 0)],
)
def test_emulated_kernels_equal_the_array_engine(monkeypatch, emulated_kernels, kind, d, batch,
                                                 count, steps):
    """Two blocks (the last partial), minibatches, several launches, logistic, T = 0."""
    problem = quadratic(d, 37, d) if kind == "quadratic" else logistic(d, 37, d)
    kw = {"alpha": 2 / (problem.L + problem.mu), "steps": steps, "seed": 9,
          "start": 3 * BLOCK, "count": count, "batch": batch, "e0": np.linspace(-1.0, 1.5, d)}
    assert_same_chunk(_run_emulated(monkeypatch, emulated_kernels, problem, **kw),
                      array_engine.run_chunk(problem.spec(), **kw))


@pytest.mark.slow
def test_emulated_comparison_rejects_doubled_alpha(monkeypatch, emulated_kernels):
    problem = quadratic(2, 20, 1)
    kw = {"alpha": 0.5, "steps": 2, "seed": 1, "start": 0, "count": 40, "batch": 1,
          "e0": np.ones(2)}
    wrong = _run_emulated(monkeypatch, emulated_kernels, problem, **{**kw, "alpha": 1.0})
    with pytest.raises(AssertionError):
        assert_same_chunk(wrong, array_engine.run_chunk(problem.spec(), **kw))


# ---------------------------------------------------------------------------------------------
# Behaviour on a device (skipped without CuPy and a GPU).

def quadratic(d: int, n: int, seed: int) -> QuadraticProblem:
    r = np.random.default_rng(seed)
    q, _ = np.linalg.qr(r.standard_normal((d, d)))
    return QuadraticProblem(hessian=(q * np.linspace(0.2, 2.0, d)) @ q.T,
                            data=r.standard_normal((n, d)))


def logistic(d: int, n: int, seed: int) -> LogisticRegressionProblem:
    r = np.random.default_rng(seed)
    a = r.standard_normal((n, d))
    return LogisticRegressionProblem(features=a, labels=np.where(a[:, 0] > 0, 1.0, -1.0), l2=0.3)


def assert_same_chunk(fast, ref) -> None:
    np.testing.assert_array_equal(fast.count, ref.count)
    assert fast.diverged_at == ref.diverged_at
    np.testing.assert_allclose(fast.mean, ref.mean, rtol=1e-12, atol=0)
    scale = ref.count[None, :] * (1e-12 * ref.mean) ** 2
    assert np.all(np.abs(fast.m2 - ref.m2) <= 1e-12 * np.abs(ref.m2) + scale), "m2"
    assert np.all(np.abs(fast.mean_e - ref.mean_e) <= 1e-12 * np.sqrt(ref.max)[:, :, None])
    np.testing.assert_allclose(fast.max, ref.max, rtol=1e-12, atol=0)


@pytest.mark.gpu
@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("d", [1, 10, 40])
def test_equals_the_array_engine(kind, batch, d):
    problem = quadratic(d, 300, d) if kind == "quadratic" else logistic(d, 300, d)
    alpha = 2 / (problem.L + problem.mu)
    kw = {"alpha": alpha, "steps": 300, "seed": 9, "start": 3 * BLOCK,
          "count": 2 * BLOCK + 300, "batch": batch, "e0": np.full(d, 0.5)}
    assert_same_chunk(cupy_fused.run_chunk(problem.spec(), **kw),
                      array_engine.run_chunk(problem.spec(), **kw))


@pytest.mark.gpu
def test_large_table_read_from_global_memory_equals_the_array_engine():
    problem = quadratic(10, 2000, 1)  # 160 KB table: above the shared-memory limit
    kw = {"alpha": 0.5, "steps": 50, "seed": 2, "start": 0, "count": BLOCK + 1, "batch": 2,
          "e0": np.ones(10)}
    assert_same_chunk(cupy_fused.run_chunk(problem.spec(), **kw),
                      array_engine.run_chunk(problem.spec(), **kw))


@pytest.mark.gpu
def test_result_does_not_depend_on_steps_per_launch(monkeypatch):
    spec = quadratic(4, 50, 3).spec()
    kw = {"alpha": 0.4, "steps": 40, "seed": 1, "start": 0, "count": 1500, "batch": 2,
          "e0": np.ones(4)}
    whole = cupy_fused.run_chunk(spec, **kw)
    monkeypatch.setattr(cupy_fused, "STEPS_PER_LAUNCH", 7)
    split = cupy_fused.run_chunk(spec, **kw)
    for field in ("mean", "m2", "mean_e", "max"):
        np.testing.assert_array_equal(getattr(whole, field), getattr(split, field))


@pytest.mark.gpu
def test_comparison_rejects_doubled_alpha():
    spec = quadratic(3, 40, 4).spec()
    kw = {"alpha": 0.3, "steps": 20, "seed": 5, "start": 0, "count": BLOCK, "batch": 1,
          "e0": np.ones(3)}
    ref = array_engine.run_chunk(spec, **kw)
    with pytest.raises(AssertionError):
        assert_same_chunk(cupy_fused.run_chunk(spec, **{**kw, "alpha": 0.6}), ref)


@pytest.mark.gpu
def test_divergence_is_reported_like_the_array_engine():
    spec = quadratic(2, 10, 5).spec()
    kw = {"alpha": 50.0, "steps": 400, "seed": 0, "start": 0, "count": 1100, "batch": 1,
          "e0": np.ones(2)}
    fast, ref = cupy_fused.run_chunk(spec, **kw), array_engine.run_chunk(spec, **kw)
    assert ref.diverged_at is not None
    assert fast.diverged_at == ref.diverged_at
    assert np.all(np.isnan(fast.mean[fast.diverged_at:]))


@pytest.mark.gpu
def test_agrees_with_the_exact_quadratic_second_moment():
    """check_exact: Bonferroni over 201 steps, family-wise false-alarm probability 1e-9."""
    from sim.check import check_exact

    problem = quadratic(5, 64, 6)
    alpha = 1 / problem.L
    result = simulate(problem, alpha=alpha, steps=200, trajectories=200_000, seed=3,
                      backend="cupy", engine="cupy-fused", w0=np.ones(5))
    exact = problem.exact_mean_sq_dist(alpha=alpha, steps=200, w0=np.ones(5))
    assert result.engine == "cupy-fused"
    assert check_exact(result, exact, delta=1e-9).passed
    assert not check_exact(result, 1.5 * exact, delta=1e-9).passed
