"""The array engine's CuPy branch runs on the CPU, through a NumPy-backed stand-in for CuPy.

With the stand-in (``cupy_standin.py``) installed as the ``cupy`` module, ``backend="cupy"``
resolves to it and the array engine takes every branch it takes on CuPy (``xp is not np``):
CuPy's ``take``, no complex-pair gathers, no thread pieces, the CuPy group size, squares and
sums as separate passes. The test is generic: the same public call with ``backend="numpy"``
and ``backend="cupy"`` on the same inputs, results compared.

Both branches compute every trajectory with the same IEEE operations, so the means, mean
iterates and maxima must be bit-identical. :math:`M_2` is summed in a different order (the
NumPy branch uses ``einsum``, the CuPy branch ``(dev * dev).sum``) over the same squared
deviations, so each block's :math:`M_2` may differ by :math:`2\\gamma_{N-1} M_{2,b}`
(:math:`N \\le 1024`); the fold over the :math:`n_b` blocks adds nonnegative terms computed
identically, so the totals differ by at most :math:`(2\\gamma_{1023} + 2\\gamma_{2 n_b})`
times the total, to first order (Higham, *Accuracy and Stability*, sec. 4.2).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from chunk_compare import gamma
from cupy_standin import CupyStandIn, DeviceArray, standin
from fused_cases import problem_of

from sim import simulate
from sim.stats import BLOCK

CASES = [("quadratic", 1, 30, 1, 2000, 12), ("quadratic", 7, 41, 3, 3 * BLOCK + 5, 9),
         ("quadratic", 10, 256, 1, 700, 20), ("logistic", 3, 50, 2, BLOCK + 17, 8),
         ("logistic", 12, 64, 1, 900, 15), ("quadratic", 4, 16, 2, 300, 0)]


class _CountingStandIn(CupyStandIn):
    """Counts the attributes the engine looks up on the namespace (NumPy's forwarded ones)."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def __getattr__(self, name):
        if name != "lookups":
            self.__dict__["lookups"] = self.__dict__.get("lookups", 0) + 1
        return super().__getattr__(name)


def _run(problem, backend, **kw):
    return simulate(problem, backend=backend, engine="array", **kw)


def assert_same_result(cupy_branch, numpy_branch) -> None:
    for field in ("mean_sq_dist", "mean_w", "max_sq_dist"):
        np.testing.assert_array_equal(getattr(cupy_branch, field),
                                      getattr(numpy_branch, field), err_msg=field)
    a, b = cupy_branch.moments, numpy_branch.moments
    assert a.count == b.count
    blocks = -(-a.count // BLOCK)
    tol = (2 * gamma(BLOCK - 1) + 2 * gamma(2 * blocks)) * (1 + 1e-3) * np.abs(b.m2_sq)
    assert np.all(np.abs(a.m2_sq - b.m2_sq) <= tol), "m2"


@pytest.mark.parametrize(("kind", "d", "n", "batch", "trajectories", "steps"), CASES)
def test_cupy_branch_equals_numpy_branch(monkeypatch, kind, d, n, batch, trajectories, steps):
    problem = problem_of(kind, d, n, d + n)
    kw = {"alpha": 1.5 / (problem.L + problem.mu), "steps": steps,
          "trajectories": trajectories, "seed": 5, "batch": batch,
          "w0": np.asarray(problem.w_star) + np.linspace(-1.0, 1.0, d)}
    numpy_branch = _run(problem, "numpy", **kw)
    fake = _CountingStandIn()
    monkeypatch.setitem(sys.modules, "cupy", fake)
    cupy_branch = _run(problem, "cupy", **kw)
    assert cupy_branch.backend == "cupy" and numpy_branch.backend == "numpy"
    assert fake.lookups > 0  # the stand-in was the engine's namespace
    assert_same_result(cupy_branch, numpy_branch)


def test_comparison_rejects_a_wrong_cupy_branch(monkeypatch):
    """The check can fail: a stand-in whose ``take`` gathers the neighbouring data point."""

    class Shifted(CupyStandIn):
        def take(self, a, indices, axis=None, out=None):
            return np.take(a, (np.asarray(indices) + 1) % a.shape[axis], axis=axis, out=out)

    problem = problem_of("quadratic", 3, 20, 1)
    kw = {"alpha": 0.3, "steps": 5, "trajectories": 300, "seed": 1, "w0": np.ones(3)}
    numpy_branch = _run(problem, "numpy", **kw)
    monkeypatch.setitem(sys.modules, "cupy", Shifted())
    with pytest.raises(AssertionError):
        assert_same_result(_run(problem, "cupy", **kw), numpy_branch)


def test_standin_behaves_like_cupy_where_it_matters():
    fake = standin("sm_86")
    host = np.arange(4.0)
    device = fake.asarray(host)
    device[0] = 7.0
    assert host[0] == 0.0  # a transfer copies
    assert isinstance(device, DeviceArray) and fake.asarray(device) is device
    assert type(device.get()) is np.ndarray and fake.asnumpy(device)[0] == 7.0
    assert fake is not np and fake.float64 is np.float64
    assert fake.cuda.runtime.getDeviceCount() == 1
    assert fake.cuda.runtime.getDeviceProperties(0)["sharedMemPerBlockOptin"] == 99 * 1024
    with pytest.raises(AttributeError, match="cannot compile"):
        fake.RawModule  # noqa: B018
    with pytest.raises(TypeError):
        fake.take(device, [0], axis=0, mode="wrap")  # CuPy's take has no mode
