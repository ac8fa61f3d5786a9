"""The kernel source runs on the CPU under the real host code, against the array engine.

``emulation.py`` compiles ``cupy_fused.cu`` with g++ (one std::thread per CUDA thread) and
stands in for CuPy's compiled kernels, refusing launches the way CUDA does; ``cupy_standin.py``
stands in for CuPy itself, with the attributes of a chosen device. So the host's launch plan,
shared-memory opt-in, block layout and merge run exactly as on that device. The reference is
the array engine with the emulation's own ``tanh`` (``chunk_compare.py`` gives the tolerances).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from chunk_compare import assert_same_chunk
from cupy_standin import standin
from emulation import BarrierDeadlock, EmulatedKernel, LaunchRefused, build, emulated_tanh, gxx
from fused_cases import problem_of, quadratic

from sim.engines import array as array_engine
from sim.engines import cupy_fused
from sim.engines.launch import KNOWN_DEVICES, block_threads
from sim.stats import BLOCK

DIMS = (2, 3, 10, 32, 40, 64)
LAYOUTS = sorted({(d, block_threads(kind, d)) for d in DIMS for kind in ("quadratic", "logistic")})
SOURCE = cupy_fused.SOURCE.read_text()
# A bug in the loop that shares the D coordinate sums among the warps 1 .. WARPS - 1: warp w
# also takes coordinate w - 1 + WARPS - 1 = w + WARPS - 2 only if the stride is right.
PLANTED = SOURCE.replace("k += WARPS - 1)", "k += WARPS)")


def _library(tmp_path_factory, source: str, name: str):
    if gxx() is None:
        pytest.skip("g++ is not on PATH")
    try:
        return build(source, LAYOUTS, tmp_path_factory.mktemp(name))
    except RuntimeError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return _library(tmp_path_factory, SOURCE, "emulated")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    assert PLANTED != SOURCE
    return _library(tmp_path_factory, PLANTED, "planted")


def run_emulated(monkeypatch, lib, problem, *, device="sm_90", steps_per_launch=2, **kw):
    """``cupy_fused.run_chunk`` on the stand-in for CuPy with the emulated kernels."""
    limits = KNOWN_DEVICES[device]
    kernels: dict = {}

    def compiled(d, threads):
        if (d, threads) not in kernels:
            kernels[d, threads] = tuple(EmulatedKernel(lib, kind, d, threads, limits)
                                        for kind in ("quadratic", "logistic"))
        return kernels[d, threads]

    with monkeypatch.context() as m:
        m.setitem(sys.modules, "cupy", standin(device))
        m.setattr(cupy_fused, "_kernels", compiled)
        m.setattr(cupy_fused, "STEPS_PER_LAUNCH", steps_per_launch)
        out = cupy_fused.run_chunk(problem.spec(), **kw)
    return out, kernels


def reference(monkeypatch, lib, problem, **kw):
    """The array engine on NumPy with the emulation's tanh."""
    with monkeypatch.context() as m:
        m.setattr(np, "tanh", emulated_tanh(lib))
        return array_engine.run_chunk(problem.spec(), **kw)


def _kw(problem, *, steps, count, batch, start=3 * BLOCK, seed=9):
    d = problem.dim
    return {"alpha": 2 / (problem.L + problem.mu), "steps": steps, "seed": seed, "start": start,
            "count": count, "batch": batch, "e0": np.linspace(-1.0, 1.5, d)}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "d", "batch", "count", "steps"),
    [("quadratic", 3, 2, BLOCK + 76, 3), ("logistic", 2, 1, 90, 3), ("quadratic", 2, 1, 30, 0),
     ("quadratic", 32, 2, BLOCK + 76, 3), ("logistic", 32, 1, 300, 3),
     ("quadratic", 40, 1, 200, 2), ("logistic", 40, 2, BLOCK + 3, 2),
     ("quadratic", 64, 1, 600, 2), ("logistic", 64, 1, 300, 3)],
)
def test_emulated_kernels_equal_the_array_engine(monkeypatch, library, kind, d, batch, count,
                                                 steps):
    """Small and large D (several CUDA blocks per statistics block from D = 32 on, with empty
    and partial blocks), minibatches, several launches, logistic, T = 0."""
    problem = problem_of(kind, d, 37, d)
    kw = _kw(problem, steps=steps, count=count, batch=batch)
    fast, kernels = run_emulated(monkeypatch, library, problem, **kw)
    assert {key for key, pair in kernels.items() if any(k.launches for k in pair)} == {
        (d, block_threads(kind, d))}
    assert_same_chunk(fast, reference(monkeypatch, library, problem, **kw))


# The windows where the table fits shared memory only with the opt-in (static + table above
# 48 KiB): d = 10 with n up to 614, d = 40 with n up to 153, d = 64 with n up to 96; and a
# 96 KiB table at d = 64, in shared memory on sm_90 and in global memory on sm_86.
# (kind, d, n, device, table in shared memory, opt-in needed)
WINDOWS = [("quadratic", 10, 614, "sm_75", True, True),
           ("logistic", 10, 600, "sm_86", True, True),
           ("logistic", 40, 153, "sm_80", True, True),
           ("quadratic", 64, 96, "sm_90", True, True),
           ("quadratic", 64, 192, "sm_90", True, True),
           ("logistic", 64, 192, "sm_86", False, False),
           ("quadratic", 10, 500, "sm_90", True, False)]


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "d", "n", "device", "in_shared", "opt_in"), WINDOWS)
def test_shared_memory_windows_launch_and_agree(monkeypatch, library, kind, d, n, device,
                                                in_shared, opt_in):
    problem = problem_of(kind, d, n, n)
    kw = _kw(problem, steps=2, count=100, batch=1)
    fast, kernels = run_emulated(monkeypatch, library, problem, device=device, **kw)
    kernel = kernels[d, block_threads(kind, d)][0 if kind == "quadratic" else 1]
    (_, shared), *_ = kernel.launches
    static = kernel.attributes["shared_size_bytes"]
    assert shared == (8 * d * n if in_shared else 0)
    assert (static + shared > KNOWN_DEVICES[device].shared_per_block) == opt_in
    assert kernel.max_dynamic_shared_size_bytes >= shared  # else the launch was refused
    assert_same_chunk(fast, reference(monkeypatch, library, problem, **kw))


def test_emulated_launch_refuses_what_cuda_refuses(library):
    """The checker can fail: the old host policy (opt in only above 48 KiB of table) at
    d = 10, n = 614, and an opt-in above the device's maximum."""
    kernel = EmulatedKernel(library, "quadratic", 10, block_threads("quadratic", 10),
                            KNOWN_DEVICES["sm_86"])
    table = 10 * 614 * 8
    assert table <= 48 * 1024 < table + kernel.attributes["shared_size_bytes"]
    with pytest.raises(LaunchRefused, match="dynamic shared memory"):
        kernel((1,), (kernel.threads,), (), shared_mem=table)
    with pytest.raises(LaunchRefused, match="opt-in"):
        kernel.max_dynamic_shared_size_bytes = 99 * 1024
    with pytest.raises(LaunchRefused, match="block"):
        kernel((1,), (1024,), (), shared_mem=0)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
def test_planted_bug_in_the_coordinate_loop_is_caught_at_large_d(monkeypatch, planted, kind):
    """With the stride of the coordinate loop wrong, a coordinate is never reduced when
    D >= WARPS; the old emulation (D <= 3, 32 warps) could not see it, D = 32 does."""
    small, large = problem_of(kind, 3, 37, 3), problem_of(kind, 32, 37, 32)
    kw_small = _kw(small, steps=1, count=40, batch=1)
    fast, _ = run_emulated(monkeypatch, planted, small, **kw_small)
    assert_same_chunk(fast, reference(monkeypatch, planted, small, **kw_small))
    kw_large = _kw(large, steps=1, count=40, batch=1)
    fast, _ = run_emulated(monkeypatch, planted, large, **kw_large)
    with pytest.raises(AssertionError, match="mean_e"):
        assert_same_chunk(fast, reference(monkeypatch, planted, large, **kw_large))


@pytest.mark.slow
def test_emulated_comparison_rejects_doubled_alpha(monkeypatch, library):
    problem = quadratic(2, 20, 1)
    kw = {"alpha": 0.5, "steps": 2, "seed": 1, "start": 0, "count": 40, "batch": 1,
          "e0": np.ones(2)}
    wrong, _ = run_emulated(monkeypatch, library, problem, **{**kw, "alpha": 1.0})
    with pytest.raises(AssertionError):
        assert_same_chunk(wrong, reference(monkeypatch, library, problem, **kw))


@pytest.mark.slow
def test_emulated_result_does_not_depend_on_steps_per_launch(monkeypatch, library):
    problem = problem_of("logistic", 10, 50, 3)
    kw = _kw(problem, steps=3, count=100, batch=2)
    one, _ = run_emulated(monkeypatch, library, problem, steps_per_launch=256, **kw)
    split, _ = run_emulated(monkeypatch, library, problem, steps_per_launch=2, **kw)
    for field in ("mean", "m2", "mean_e", "max"):
        np.testing.assert_array_equal(getattr(one, field), getattr(split, field))


@pytest.mark.slow
def test_emulated_divergence_is_reported_like_the_array_engine(monkeypatch, library):
    problem = quadratic(2, 10, 5)
    kw = {"alpha": 50.0, "steps": 40, "seed": 0, "start": 0, "count": 70, "batch": 1,
          "e0": np.ones(2)}
    fast, _ = run_emulated(monkeypatch, library, problem, steps_per_launch=16, **kw)
    ref = reference(monkeypatch, library, problem, **kw)
    assert ref.diverged_at is not None and fast.diverged_at == ref.diverged_at
    for field in ("mean", "m2", "mean_e", "max"):
        assert np.all(np.isnan(getattr(fast, field)[ref.diverged_at:])), field
    assert_same_chunk(fast, ref)


def test_a_barrier_some_threads_skip_is_reported_not_hung(monkeypatch, tmp_path):
    """A ``__syncthreads`` that thread 0 skips leaves the others waiting for ever (on a GPU, a
    hang): the emulation's scheduler finds no thread it may resume and says so."""
    if gxx() is None:
        pytest.skip("g++ is not on PATH")
    skipping = SOURCE.replace("__syncthreads();", "if (threadIdx.x != 0) __syncthreads();")
    assert skipping != SOURCE
    lib = build(skipping, [(2, block_threads("quadratic", 2))], tmp_path)
    problem = quadratic(2, 20, 1)
    kw = {"alpha": 0.5, "steps": 2, "seed": 1, "start": 0, "count": 40, "batch": 1,
          "e0": np.ones(2)}
    with pytest.raises(BarrierDeadlock):
        run_emulated(monkeypatch, lib, problem, **kw)
