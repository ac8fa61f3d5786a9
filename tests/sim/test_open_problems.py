"""Problems the project has never seen, written here against the protocol alone.

``PerSampleLeastSquares`` and ``Huber`` know nothing of the simulator beyond :class:`sim.Problem`
(``dim``, ``n``, ``w_star``, ``sample_gradients``). Both run with every option of
:func:`sim.simulate`. The least-squares Monte Carlo is checked against the exact mean/covariance
recursion of :class:`sim.LeastSquaresProblem` (:mod:`sim.affine`); Huber with a threshold above
every residual is least squares, and with a small one it is measurably not.

Statistical design. Each statistical assertion is :func:`sim.check.check_exact` with
``delta = 1e-9``: a two-sided z-test at each of the T + 1 steps with Bonferroni's correction, so
a correct simulator fails it with probability at most 1e-9 (under the normal approximation of a
mean of N = 2^17 i.i.d. squared distances; seeds are fixed, so each run is deterministic).
Power: at step t a true relative error of ``(z_thr + z_0.999) * stderr_t / exact_t`` is detected
with probability 0.999; every test computes this minimum detectable error over t >= 1 and
asserts it is below 5% (it is 2-4.5% here). The "mutant" tests show the same check rejecting a
wrong sampling scheme or a wrong momentum by a wide margin.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import LeastSquaresProblem, schedules, simulate
from sim.backend import cupy_available
from sim.check import check_exact, normal_quantile_upper

DELTA = 1e-9
N = 2**17
RESOLUTION = 0.05


class PerSampleLeastSquares:
    """f(w; i) = 1/2 (a_i.w - b_i)^2 + l2/2 |w|^2; w* by least squares on [A; sqrt(n l2) I]."""

    def __init__(self, features, targets, l2):
        self.a, self.b, self.l2 = np.asarray(features), np.asarray(targets), float(l2)
        self.n, self.dim = self.a.shape
        stacked = np.vstack([self.a, np.sqrt(self.n * self.l2) * np.eye(self.dim)])
        rhs = np.concatenate([self.b, np.zeros(self.dim)])
        self.w_star = np.linalg.lstsq(stacked, rhs, rcond=None)[0]

    def sample_gradients(self, w, idx, xp):
        rows = xp.asarray(self.a, dtype=w.dtype)[idx]
        residual = (rows * w).sum(axis=1) - xp.asarray(self.b, dtype=w.dtype)[idx]
        return rows * residual[:, None] + self.l2 * w


class Huber:
    """f(w; i) = rho(a_i.w - b_i) + l2/2 |w|^2, rho(r) = r^2/2 for |r| <= delta, else
    delta (|r| - delta/2); w* by semismooth Newton with backtracking."""

    def __init__(self, features, targets, l2, delta):
        self.a, self.b, self.l2, self.delta = np.asarray(features), np.asarray(targets), l2, delta
        self.n, self.dim = self.a.shape
        self.w_star = self._newton()

    def sample_gradients(self, w, idx, xp):
        rows = xp.asarray(self.a, dtype=w.dtype)[idx]
        residual = (rows * w).sum(axis=1) - xp.asarray(self.b, dtype=w.dtype)[idx]
        return rows * xp.clip(residual, -self.delta, self.delta)[:, None] + self.l2 * w

    def _objective(self, w):
        r = np.abs(self.a @ w - self.b)
        rho = np.where(r <= self.delta, r * r / 2, self.delta * (r - self.delta / 2))
        return rho.mean() + self.l2 / 2 * w @ w

    def _newton(self):
        w = np.zeros(self.dim)
        for _ in range(100):
            r = self.a @ w - self.b
            g = self.a.T @ np.clip(r, -self.delta, self.delta) / self.n + self.l2 * w
            if np.linalg.norm(g) <= 1e-14:
                return w
            inside = np.abs(r) < self.delta
            h = self.a[inside].T @ self.a[inside] / self.n + self.l2 * np.eye(self.dim)
            step, t = np.linalg.solve(h, -g), 1.0
            while self._objective(w + t * step) > self._objective(w) + 1e-4 * t * g @ step:
                t /= 2
                if t < 1e-12:
                    return w + step  # objective flat to rounding: take the full step
            w = w + t * step
        raise AssertionError("Newton did not converge")


def _data():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(6, 3))
    return a, a @ rng.normal(size=3) + 0.5 * rng.normal(size=6), 0.1


A, B, L2 = _data()
LSQ = PerSampleLeastSquares(A, B, L2)
REFERENCE = LeastSquaresProblem(features=A, targets=B, l2=L2)
W0 = REFERENCE.w_star + np.array([1.5, -1.0, 0.5])

OPTIONS = {
    "constant": {"alpha": 0.15, "steps": 40},
    "schedule 1/(mu (t + 8))": {"alpha": schedules.inverse(1 / REFERENCE.mu, 8.0), "steps": 40,
                                "batch": 2},
    "power schedule": {"alpha": schedules.power(0.3, 0.6), "steps": 40},
    "step decay": {"alpha": schedules.step_decay(0.25, 0.5, 10), "steps": 40},
    "without replacement": {"alpha": 0.2, "steps": 40, "batch": 3,
                            "sampling": "without-replacement"},
    "momentum": {"alpha": 0.08, "steps": 40, "momentum": 0.6},
    "averaging": {"alpha": 0.15, "steps": 40, "average_from": 10},
    "reshuffle": {"alpha": 0.2, "steps": 36, "batch": 2, "sampling": "reshuffle"},
    "shuffle once": {"alpha": 0.15, "steps": 36, "sampling": "shuffle-once"},
    "float32": {"alpha": 0.15, "steps": 40, "dtype": "float32"},
    "all at once": {"alpha": schedules.inverse(1.0, 6.0), "steps": 30, "batch": 2,
                    "sampling": "reshuffle", "momentum": 0.3, "average_from": 5,
                    "dtype": "float32"},
}


def _exact_kwargs(kw):
    return {k: v for k, v in kw.items() if k != "dtype"}


def _assert_matches(trace, exact, *, rtol):
    """check_exact at delta = 1e-9, and the stated power (module docstring)."""
    check = check_exact(trace, exact, delta=DELTA, rtol=rtol)
    assert check.passed, (check.worst_abs_z, check.worst_step, check.z_threshold)
    mde = (check.z_threshold + normal_quantile_upper(1e-3)) * trace.stderr[1:] / exact[1:]
    assert np.max(mde) < RESOLUTION
    return check


@pytest.mark.parametrize("option", list(OPTIONS))
def test_monte_carlo_matches_the_exact_recursion(option):
    kw = OPTIONS[option]
    result = simulate(LSQ, trajectories=N, seed=2024, w0=W0, backend="numpy", keep_final=True,
                      **kw)
    assert result.engine == "array" and not result.diverged
    exact = REFERENCE.exact_moments(w0=W0, **_exact_kwargs(kw))
    # float32 trajectories round each step to 2^-24: a relative allowance of 1e-5 covers the
    # accumulated rounding and is far below the 5% resolution of the test
    rtol = 1e-5 if kw.get("dtype") == "float32" else 1e-9
    _assert_matches(result, exact.mean_sq_dist, rtol=rtol)
    k = kw.get("average_from")
    if k is not None:
        _assert_matches(result.averaged.since(k), exact.averaged_mean_sq_dist[k:], rtol=rtol)
    assert result.final_sq_dist.shape == (N,)
    assert np.mean(result.final_sq_dist) == pytest.approx(result.mean_sq_dist[-1], rel=1e-9)


@pytest.mark.parametrize(
    ("simulated", "assumed"),
    [
        ({"sampling": "without-replacement"}, {"sampling": "with-replacement"}),
        ({"sampling": "shuffle-once"}, {"sampling": "reshuffle"}),
        ({"momentum": 0.6, "alpha": 0.08}, {"momentum": 0.5, "alpha": 0.08}),
        ({"average_from": 10}, {"average_from": 9}),
    ],
)
def test_a_wrong_reference_is_rejected(simulated, assumed):
    base = {"alpha": 0.2, "steps": 36,
            "batch": 3 if simulated.get("sampling") == "without-replacement" else 1}
    result = simulate(LSQ, trajectories=N, seed=7, w0=W0, backend="numpy", **base | simulated)
    exact = REFERENCE.exact_moments(w0=W0, **base | assumed)
    if "average_from" in simulated:
        trace, values = result.averaged.since(10), exact.averaged_mean_sq_dist[10:]
    else:
        trace, values = result, exact.mean_sq_dist
    check = check_exact(trace, values, delta=DELTA)
    assert not check.passed and check.worst_abs_z > 2 * check.z_threshold


def test_huber_above_every_residual_is_least_squares():
    huber = Huber(A, B, L2, delta=1e6)
    np.testing.assert_allclose(huber.w_star, LSQ.w_star, rtol=1e-12, atol=1e-14)
    kw = {"alpha": 0.15, "steps": 40, "trajectories": 4096, "seed": 3, "w0": W0,
          "backend": "numpy", "momentum": 0.4, "sampling": "reshuffle"}
    np.testing.assert_allclose(simulate(huber, **kw).mean_sq_dist,
                               simulate(LSQ, **kw).mean_sq_dist, rtol=1e-10)


def test_huber_with_a_small_threshold_is_not_least_squares():
    huber = Huber(A, B, L2, delta=0.2)
    kw = {"alpha": 0.15, "steps": 40}
    result = simulate(huber, trajectories=N, seed=5, w0=W0, backend="numpy", **kw)
    check = check_exact(result, REFERENCE.exact_mean_sq_dist(w0=W0, **kw), delta=DELTA)
    assert not check.passed


@pytest.mark.parametrize("option", list(OPTIONS))
def test_huber_runs_with_every_option(option):
    huber = Huber(A, B, L2, delta=0.5)
    grad = np.mean([huber.sample_gradients(huber.w_star[None, :], np.array([i]), np)[0]
                    for i in range(huber.n)], axis=0)
    np.testing.assert_allclose(grad, 0, atol=1e-13)
    kw = OPTIONS[option]
    result = simulate(huber, trajectories=2048, seed=1, w0=W0, backend="numpy",
                      keep_final=True, **kw)
    assert np.all(np.isfinite(result.mean_sq_dist)) and not result.diverged
    assert result.mean_sq_dist[-1] < result.mean_sq_dist[0]
    again = simulate(huber, trajectories=2048, seed=1, w0=W0, backend="numpy",
                     keep_final=True, chunk_size=1024, **kw)
    np.testing.assert_array_equal(result.final_sq_dist, again.final_sq_dist)


@pytest.mark.gpu
@pytest.mark.skipif(not cupy_available(), reason="no CUDA device")
@pytest.mark.parametrize("option", ["constant", "momentum", "reshuffle", "all at once"])
def test_protocol_problem_on_cupy(option):
    """The same indices on the GPU: agreement with NumPy to rounding, and with the exact value."""
    kw = OPTIONS[option]
    gpu = simulate(LSQ, trajectories=N, seed=2024, w0=W0, backend="cupy", **kw)
    cpu = simulate(LSQ, trajectories=N, seed=2024, w0=W0, backend="numpy", **kw)
    rtol = 1e-4 if kw.get("dtype") == "float32" else 1e-10
    np.testing.assert_allclose(gpu.mean_sq_dist, cpu.mean_sq_dist, rtol=rtol)
    exact = REFERENCE.exact_moments(w0=W0, **_exact_kwargs(kw))
    _assert_matches(gpu, exact.mean_sq_dist, rtol=1e-5)
