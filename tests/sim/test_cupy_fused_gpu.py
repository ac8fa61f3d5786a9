"""The fused CUDA engine on a device (every test here carries the ``gpu`` marker).

The reference is the array engine on NumPy with CUDA's own ``tanh`` (``cupy.tanh``, the same
libdevice function the kernels call; checked bit for bit below), so the trajectories are the
same roundings and ``chunk_compare.py`` gives tolerances from the reductions' summation order
alone, whatever the number of steps.
"""

from __future__ import annotations

import numpy as np
import pytest
from chunk_compare import assert_same_chunk
from fused_cases import problem_of, quadratic
from launch_rules import plan_is_valid

from sim import simulate
from sim.engines import array as array_engine
from sim.engines import cupy_fused
from sim.engines.launch import static_shared_bytes
from sim.stats import BLOCK

pytestmark = pytest.mark.gpu

_TANH = r"""
extern "C" __global__ void tanh_of(const double* x, double* y, int n) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = tanh(x[i]);
}
"""


def cuda_tanh(x, out=None):
    import cupy

    y = cupy.tanh(cupy.asarray(x)).get()
    if out is None:
        return y
    out[...] = y
    return out


def reference(monkeypatch, spec, **kw):
    with monkeypatch.context() as m:
        m.setattr(np, "tanh", cuda_tanh)
        return array_engine.run_chunk(spec, **kw)


def test_kernel_tanh_is_cupy_tanh():
    import cupy

    x = np.concatenate([np.linspace(-40.0, 40.0, 200_001), np.geomspace(1e-300, 1e3, 10_001),
                        -np.geomspace(1e-300, 1e3, 10_001), [0.0, -0.0, np.inf, -np.inf]])
    kernel = cupy.RawKernel(_TANH, "tanh_of", options=cupy_fused.COMPILE_OPTIONS)
    xd, yd = cupy.asarray(x), cupy.empty(x.size)
    kernel((-(-x.size // 256),), (256,), (xd, yd, np.int32(x.size)))
    np.testing.assert_array_equal(yd.get(), cupy.tanh(xd).get())


@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
@pytest.mark.parametrize("d", [1, 10, 16, 40, 64])
def test_plan_on_this_device_is_valid_and_spill_free_up_to_d16(kind, d):
    launch = cupy_fused.launch_for(kind, d, 300)
    assert plan_is_valid(cupy_fused.device_limits(), launch.plan)
    assert launch.attributes["shared_size_bytes"] == static_shared_bytes(launch.plan.threads, d)
    if d <= 16:
        assert launch.attributes["local_size_bytes"] == 0, launch.attributes


@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("d", [1, 10, 16, 40, 64])
def test_equals_the_array_engine(monkeypatch, kind, batch, d):
    problem = problem_of(kind, d, 300, d)
    kw = {"alpha": 2 / (problem.L + problem.mu), "steps": 300, "seed": 9, "start": 3 * BLOCK,
          "count": 2 * BLOCK + 300, "batch": batch, "e0": np.full(d, 0.5)}
    assert_same_chunk(cupy_fused.run_chunk(problem.spec(), **kw),
                      reference(monkeypatch, problem.spec(), **kw))


@pytest.mark.parametrize(("kind", "d", "n"), [("quadratic", 10, 614), ("logistic", 40, 153),
                                              ("quadratic", 64, 96), ("quadratic", 64, 192),
                                              ("logistic", 10, 4000)])
def test_shared_memory_windows_and_global_tables_equal_the_array_engine(monkeypatch, kind, d,
                                                                        n):
    problem = problem_of(kind, d, n, 1)
    kw = {"alpha": 0.5 / problem.L, "steps": 50, "seed": 2, "start": 0, "count": BLOCK + 1,
          "batch": 2, "e0": np.ones(d)}
    assert_same_chunk(cupy_fused.run_chunk(problem.spec(), **kw),
                      reference(monkeypatch, problem.spec(), **kw))


def test_result_does_not_depend_on_steps_per_launch(monkeypatch):
    spec = quadratic(4, 50, 3).spec()
    kw = {"alpha": 0.4, "steps": 40, "seed": 1, "start": 0, "count": 1500, "batch": 2,
          "e0": np.ones(4)}
    whole = cupy_fused.run_chunk(spec, **kw)
    monkeypatch.setattr(cupy_fused, "STEPS_PER_LAUNCH", 7)
    split = cupy_fused.run_chunk(spec, **kw)
    for field in ("mean", "m2", "mean_e", "max"):
        np.testing.assert_array_equal(getattr(whole, field), getattr(split, field))


def test_comparison_rejects_doubled_alpha(monkeypatch):
    spec = quadratic(3, 40, 4).spec()
    kw = {"alpha": 0.3, "steps": 20, "seed": 5, "start": 0, "count": BLOCK, "batch": 1,
          "e0": np.ones(3)}
    ref = reference(monkeypatch, spec, **kw)
    with pytest.raises(AssertionError):
        assert_same_chunk(cupy_fused.run_chunk(spec, **{**kw, "alpha": 0.6}), ref)


def test_divergence_is_reported_like_the_array_engine():
    spec = quadratic(2, 10, 5).spec()
    kw = {"alpha": 50.0, "steps": 400, "seed": 0, "start": 0, "count": 1100, "batch": 1,
          "e0": np.ones(2)}
    fast, ref = cupy_fused.run_chunk(spec, **kw), array_engine.run_chunk(spec, **kw)
    assert ref.diverged_at is not None
    assert fast.diverged_at == ref.diverged_at
    assert np.all(np.isnan(fast.mean[fast.diverged_at:]))


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
