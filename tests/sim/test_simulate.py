"""Exact invariants of simulate(): shapes, the SGD update itself, chunk invariance, errors."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim import LogisticRegressionProblem, QuadraticProblem, simulate
from sim.backend import cupy_available, resolve_backend
from sim.engines import OVERFLOW_GUARD, resolve_engine
from sim.rng import sample_indices, trajectory_keys
from sim.stats import BLOCK


def _quadratic(seed=0, d=3, n=7):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return QuadraticProblem(
        hessian=(q * np.linspace(0.5, 4.0, d)) @ q.T, data=rng.normal(size=(n, d))
    )


def _logistic(seed=0, d=3, n=9):
    rng = np.random.default_rng(seed)
    return LogisticRegressionProblem(
        features=rng.normal(size=(n, d)), labels=np.where(rng.random(n) < 0.5, -1.0, 1.0), l2=0.1
    )


def _reference_run(problem, *, alpha, steps, trajectories, seed, w0, batch):
    """Plain per-trajectory SGD in the original coordinates with the same index stream."""
    keys = trajectory_keys(np, seed, 0, trajectories)
    sq = np.empty((steps + 1, trajectories))
    ws = np.empty((steps + 1, trajectories, problem.dim))
    for j in range(trajectories):
        w = np.array(w0, dtype=float)
        for t in range(steps + 1):
            ws[t, j], sq[t, j] = w, np.sum((w - problem.w_star) ** 2)
            if t == steps:
                break
            idx = sample_indices(np, keys[j : j + 1], seed, t, problem.n, batch)[0]
            if isinstance(problem, QuadraticProblem):
                grads = (w - problem.data[idx]) @ problem.hessian
            else:
                a, y = problem.features[idx], problem.labels[idx]
                s = 1 / (1 + np.exp(y * (a @ w)))
                grads = -(s * y)[:, None] * a + problem.l2 * w
            w = w - alpha * grads.mean(axis=0)
    return sq, ws


@pytest.mark.parametrize("make", [_quadratic, _logistic])
@pytest.mark.parametrize("batch", [1, 3])
def test_array_engine_is_plain_sgd(make, batch):
    """Mean, variance and mean iterate equal those of a per-trajectory loop (float rounding)."""
    problem = make()
    w0 = np.linspace(-1.0, 2.0, problem.dim)
    res = simulate(
        problem,
        alpha=0.3,
        steps=12,
        trajectories=6,
        seed=11,
        w0=w0,
        batch=batch,
        backend="numpy",
        engine="array",
    )
    sq, ws = _reference_run(
        problem, alpha=0.3, steps=12, trajectories=6, seed=11, w0=w0, batch=batch
    )
    np.testing.assert_allclose(res.mean_sq_dist, sq.mean(axis=1), rtol=1e-11)
    np.testing.assert_allclose(
        res.stderr, sq.std(axis=1, ddof=1) / np.sqrt(6), rtol=1e-6, atol=1e-14
    )
    np.testing.assert_allclose(res.mean_w, ws.mean(axis=1), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(res.max_sq_dist, sq.max(axis=1), rtol=1e-11)


@pytest.mark.parametrize("make", [_quadratic, _logistic])
def test_results_are_bit_identical_for_any_chunking(make):
    problem = make()
    runs = [
        simulate(
            problem,
            alpha=0.2,
            steps=15,
            trajectories=3 * BLOCK + 300,
            seed=5,
            batch=2,
            backend="numpy",
            engine="array",
            chunk_size=c,
        )
        for c in (BLOCK, 2 * BLOCK, 3 * BLOCK, 4 * BLOCK, None)
    ]
    for other in runs[1:]:
        for field in ("mean_sq_dist", "stderr", "mean_w", "max_sq_dist"):
            assert np.array_equal(getattr(runs[0], field), getattr(other, field)), field
        assert np.array_equal(runs[0].moments.m2_sq, other.moments.m2_sq)


def test_result_fields_and_provenance():
    problem = _quadratic()
    res = simulate(
        problem,
        alpha=0.1,
        steps=4,
        trajectories=10,
        seed=2,
        backend="numpy",
        engine="array",
        w0=np.ones(3),
    )
    assert res.mean_sq_dist.shape == res.stderr.shape == res.max_sq_dist.shape == (5,)
    assert res.mean_w.shape == (5, 3)
    assert (res.trajectories, res.steps, res.batch, res.seed) == (10, 4, 1, 2)
    assert (res.backend, res.engine, res.device) == ("numpy", "array", "cpu")
    assert res.diverged_at is None
    assert not res.diverged
    assert res.problem is problem
    assert res.moments.count == 10
    np.testing.assert_allclose(res.mean_w[0], np.ones(3), rtol=1e-14)  # via the eigenbasis
    assert "SimulationResult" in repr(res)
    with pytest.raises(AttributeError):
        res.alpha = 1.0  # frozen


def test_same_seed_same_numbers_and_seeds_differ():
    problem = _quadratic()
    kw = {"alpha": 0.1, "steps": 5, "trajectories": 50, "backend": "numpy", "engine": "array"}
    a, b, c = (
        simulate(problem, seed=1, **kw),
        simulate(problem, seed=1, **kw),
        simulate(problem, seed=2, **kw),
    )
    assert np.array_equal(a.mean_sq_dist, b.mean_sq_dist)
    assert not np.array_equal(a.mean_sq_dist[1:], c.mean_sq_dist[1:])


@pytest.mark.parametrize("alpha", [2.0, 1e200])
def test_divergence_is_reported_not_silent(alpha):
    """A step far beyond 2/L is flagged at the first step over the guard; later values are NaN."""
    problem = QuadraticProblem(
        hessian=np.diag([1.0, 10.0]), data=np.random.default_rng(0).normal(size=(4, 2))
    )
    res = simulate(
        problem,
        alpha=alpha,
        steps=400,
        trajectories=2000,
        backend="numpy",
        engine="array",
        w0=[1.0, 1.0],
    )
    assert res.diverged
    assert res.diverged_at is not None
    t = res.diverged_at
    assert np.all(np.isnan(res.mean_sq_dist[t:]))
    assert np.all(np.isnan(res.mean_w[t:]))
    assert np.all(np.isfinite(res.mean_sq_dist[:t]))
    assert np.all(res.max_sq_dist[:t] <= OVERFLOW_GUARD)
    if alpha == 2.0:
        # |1 - 20|^2 = 361 per step: the guard 1e150 is first crossed near t = log(1e150)/log(361).
        assert abs(t - np.log(1e150) / np.log(361)) <= 3
    assert "diverged_at" in repr(res)


def test_progress_bar_runs(capsys):
    res = simulate(
        _quadratic(),
        alpha=0.1,
        steps=3,
        trajectories=2 * BLOCK,
        chunk_size=BLOCK,
        backend="numpy",
        engine="array",
        progress=True,
    )
    assert res.trajectories == 2 * BLOCK


def test_auto_engine_and_backend_resolve():
    backend = resolve_backend("auto")
    name, module = resolve_engine("auto", backend.name)
    assert module.available()
    assert name in ("array", "numba", "cupy-fused")
    assert resolve_engine("array", "numpy")[0] == "array"


@pytest.mark.skipif(cupy_available(), reason="a CUDA device is present")
def test_cupy_without_device_is_a_clear_error():
    with pytest.raises(ValueError, match="backend='cupy' needs CuPy and a CUDA device"):
        simulate(_quadratic(), alpha=0.1, steps=2, trajectories=4, backend="cupy")


P = _quadratic()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"alpha": 0.0}, ValueError, "alpha must be a finite number > 0"),
        ({"alpha": -1.0}, ValueError, "alpha must be"),
        ({"alpha": np.inf}, ValueError, "alpha must be"),
        ({"trajectories": 1}, ValueError, "trajectories must be an integer >= 2"),
        ({"steps": -1}, ValueError, "steps must be an integer >= 0"),
        ({"batch": 0}, ValueError, "batch must be an integer >= 1"),
        ({"steps": 2.5}, TypeError, "steps must be an integer"),
        ({"backend": "tpu"}, ValueError, "backend must be one of"),
        ({"engine": "fortran"}, ValueError, "engine must be one of"),
        ({"engine": "cupy-fused", "backend": "numpy"}, ValueError, "does not run on backend"),
        ({"chunk_size": 1000}, ValueError, "chunk_size must be"),
        ({"w0": [1.0, 2.0]}, ValueError, "w0 must have shape"),
        ({"w0": [np.nan, 0.0, 0.0]}, ValueError, "w0 must contain only finite"),
        ({"seed": -1}, ValueError, "seed must be in"),
    ],
)
def test_bad_simulate_inputs(kwargs, error, match):
    args = {
        "alpha": 0.1,
        "steps": 3,
        "trajectories": 8,
        "backend": "numpy",
        "engine": "array",
    } | kwargs
    with pytest.raises(error, match=match):
        simulate(P, **args)


def test_problem_type_is_checked():
    with pytest.raises(TypeError, match="problem must have dim, n, w_star and sample_gradients"):
        simulate(object(), alpha=0.1, steps=2, trajectories=4)


def test_public_names():
    assert {"QuadraticProblem", "LogisticRegressionProblem", "simulate", "SimulationResult"} <= set(
        sim.__all__
    )


@pytest.mark.gpu
@pytest.mark.parametrize("make", [_quadratic, _logistic])
def test_gpu_backend_agrees_with_numpy(make, backend):
    """Same index stream on both backends, so results agree to float rounding."""
    problem = make()
    kw = {
        "alpha": 0.2,
        "steps": 30,
        "trajectories": 3 * BLOCK + 7,
        "seed": 9,
        "batch": 2,
        "engine": "array",
    }
    ref = simulate(problem, backend="numpy", **kw)
    res = simulate(problem, backend=backend, **kw)
    assert res.backend == backend
    np.testing.assert_allclose(res.mean_sq_dist, ref.mean_sq_dist, rtol=1e-10)
    np.testing.assert_allclose(res.mean_w, ref.mean_w, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.stderr, ref.stderr, rtol=1e-6, atol=1e-15)
