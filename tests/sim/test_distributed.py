"""Chunks on a Dask cluster give the single-process result bit for bit.

Exact equality is the right assertion: each chunk is a deterministic function of its inputs
(counter-based indices), and :func:`sim.simulate` folds the blocks in global block order, so
the only way the distributed result can differ is a chunk computed with other inputs or
results merged in another order; both are bugs.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

from sim import LogisticRegressionProblem, QuadraticProblem, simulate  # noqa: E402
from sim.distributed import iter_chunks, map_chunks  # noqa: E402
from sim.engines import available_engines  # noqa: E402
from sim.stats import BLOCK  # noqa: E402

FIELDS = ("mean_sq_dist", "stderr", "mean_w", "max_sq_dist")


@pytest.fixture(scope="module")
def client():
    """Two single-threaded workers in this process, so chunks really run concurrently."""
    with (LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                       dashboard_address=":0") as cluster,
          Client(cluster, set_as_default=False) as c):
        yield c


def problems():
    r = np.random.default_rng(4)
    q = QuadraticProblem(hessian=np.diag([0.5, 1.0, 2.0]), data=r.standard_normal((25, 3)))
    a = r.standard_normal((30, 2))
    lr = LogisticRegressionProblem(features=a, labels=np.where(a[:, 0] > 0, 1.0, -1.0), l2=0.2)
    return {"quadratic": q, "logistic": lr}


def assert_identical(a, b) -> None:
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)
    assert a.diverged_at == b.diverged_at


@pytest.mark.parametrize("kind", ["quadratic", "logistic"])
@pytest.mark.parametrize("engine", available_engines("numpy"))
def test_cluster_result_equals_single_process(client, kind, engine):
    problem = problems()[kind]
    kw = {"alpha": 0.4, "steps": 40, "trajectories": 5 * BLOCK + 77, "seed": 12, "batch": 2,
          "chunk_size": BLOCK, "engine": engine, "backend": "numpy"}
    assert_identical(simulate(problem, scheduler=client, **kw), simulate(problem, **kw))


def test_dask_local_equals_single_process():
    problem = problems()["quadratic"]
    kw = {"alpha": 0.3, "steps": 30, "trajectories": 3 * BLOCK + 5, "seed": 2,
          "chunk_size": BLOCK, "backend": "numpy"}
    assert_identical(simulate(problem, scheduler="dask-local", **kw), simulate(problem, **kw))


def test_comparison_detects_a_chunk_run_with_other_inputs(client):
    """The bitwise comparison above fails when one input differs (here the seed)."""
    problem = problems()["quadratic"]
    kw = {"alpha": 0.4, "steps": 20, "trajectories": 2 * BLOCK, "chunk_size": BLOCK,
          "backend": "numpy"}
    with pytest.raises(AssertionError):
        assert_identical(simulate(problem, scheduler=client, seed=1, **kw),
                         simulate(problem, seed=2, **kw))


def _slow_first(k: int) -> int:
    # the earliest chunks finish last, so completion order is the reverse of chunk order
    time.sleep(0.02 * (6 - k))
    return k * k


def test_results_come_back_in_chunk_order_not_completion_order(client):
    assert map_chunks(client, _slow_first, range(6)) == [k * k for k in range(6)]
    assert list(iter_chunks(client, _slow_first, range(6), window=2)) == [k * k for k in range(6)]


def _fail_on_three(k: int) -> int:
    if k == 3:
        raise ArithmeticError("chunk 3 failed")
    return k


def test_a_failing_chunk_raises_its_error(client):
    with pytest.raises(ArithmeticError, match="chunk 3"):
        map_chunks(client, _fail_on_three, range(5))


@pytest.mark.parametrize(
    ("scheduler", "window", "error", "match"),
    [
        ("dask-remote", None, ValueError, "dask-local"),
        (4, None, TypeError, "Client"),
        ("dask-local", 0, ValueError, "window"),
    ],
)
def test_bad_scheduler_or_window_is_rejected_at_the_call(scheduler, window, error, match):
    with pytest.raises(error, match=match):
        iter_chunks(scheduler, abs, range(3), window=window)
