"""simulate()'s algorithm options: the general path is plain SGD, reproducible, and validated.

Exact invariants only (no statistics): every option's statistics equal those of a plain
per-trajectory loop with the same indices (:mod:`sim_reference`), to float rounding; the same
seed gives bit-identical results for any chunking and any number of threads; bad values are one
clear error before any work.
"""

from __future__ import annotations

import numpy as np
import pytest
from sim_reference import reference_sgd

from sim import (
    LeastSquaresProblem,
    LogisticRegressionProblem,
    QuadraticProblem,
    schedules,
    simulate,
)
from sim.engines import array as array_engine
from sim.stats import BLOCK


class Shifted:
    """A problem written against the protocol alone: f(w; i) = 1/2 |w - x_i|^2 + |w|^2 / 4."""

    def __init__(self, x):
        self.x, self.n, self.dim = np.asarray(x, dtype=float), len(x), np.shape(x)[1]
        self.w_star = self.x.mean(axis=0) * (2 / 3)

    def sample_gradients(self, w, idx, xp):
        return w - xp.asarray(self.x)[idx] + 0.5 * w


def _problems():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    return {
        "quadratic": QuadraticProblem(hessian=(q * [0.5, 1.0, 2.5]) @ q.T,
                                      data=rng.normal(size=(7, 3))),
        "logistic": LogisticRegressionProblem(features=rng.normal(size=(6, 3)),
                                              labels=[0, 1, 1, 0, 1, 0], l2=0.2),
        "least-squares": LeastSquaresProblem(features=rng.normal(size=(6, 3)),
                                             targets=rng.normal(size=6), l2=0.1),
        "protocol": Shifted(rng.normal(size=(5, 3))),
    }


PROBLEMS = _problems()
OPTIONS = {
    "schedule": {"alpha": schedules.inverse(1.0, 4.0), "batch": 2},
    "without-replacement": {"sampling": "without-replacement", "batch": 2, "momentum": 0.5},
    "reshuffle": {"sampling": "reshuffle", "batch": 2, "average_from": 3},
    "shuffle-once": {"sampling": "shuffle-once", "momentum": 0.3, "average_from": 0,
                     "alpha": np.linspace(0.3, 0.1, 12)},
    "float32": {"dtype": "float32", "momentum": 0.2, "average_from": 5},
}


@pytest.mark.parametrize("name", list(PROBLEMS))
@pytest.mark.parametrize("option", list(OPTIONS))
def test_general_path_is_plain_sgd(name, option):
    """Mean, maximum, mean iterate, averaged iterate and final values equal a per-trajectory
    loop with the same indices (float rounding; float32 to its own precision)."""
    problem, kw = PROBLEMS[name], {"alpha": 0.2, "batch": 1, "sampling": "with-replacement",
                                   "momentum": 0.0, "average_from": None} | OPTIONS[option]
    w0 = np.linspace(-1.0, 2.0, problem.dim)
    res = simulate(problem, steps=12, trajectories=6, seed=11, w0=w0, backend="numpy",
                   keep_final=True, **kw)
    assert res.engine == "array"
    single = kw["dtype"] == "float32" if "dtype" in kw else False
    alphas = schedules.as_array(kw["alpha"], 12)
    sq, sq_bar, means = reference_sgd(
        problem, alphas=alphas, steps=12, trajectories=6, seed=11, w0=w0, batch=kw["batch"],
        sampling=kw["sampling"], momentum=kw["momentum"], average_from=kw["average_from"],
        dtype=np.float32 if single else np.float64)
    rtol, atol = (2e-5, 1e-6) if single else (1e-11, 1e-13)
    np.testing.assert_allclose(res.mean_sq_dist, sq.mean(axis=1), rtol=rtol, atol=atol)
    np.testing.assert_allclose(res.max_sq_dist, sq.max(axis=1), rtol=rtol, atol=atol)
    np.testing.assert_allclose(res.mean_w, means, rtol=rtol, atol=atol)
    np.testing.assert_allclose(res.final_sq_dist, sq[-1], rtol=rtol, atol=atol)
    np.testing.assert_allclose(res.stderr, sq.std(axis=1, ddof=1) / np.sqrt(6), rtol=1e-4 if
                               single else 1e-6, atol=1e-7 if single else 1e-14)
    k = kw["average_from"]
    if k is None:
        assert res.averaged is None
    else:
        assert np.all(np.isnan(res.averaged.mean_sq_dist[:k]))
        np.testing.assert_allclose(res.averaged.mean_sq_dist[k:], sq_bar[k:].mean(axis=1),
                                   rtol=rtol, atol=atol)
        np.testing.assert_allclose(res.averaged.final_sq_dist, sq_bar[-1], rtol=rtol, atol=atol)


def test_float32_really_runs_in_single_precision():
    p = PROBLEMS["least-squares"]
    kw = {"alpha": 0.2, "steps": 30, "trajectories": 2048, "seed": 3, "backend": "numpy"}
    single = simulate(p, dtype="float32", **kw)
    double = simulate(p, **kw)  # a protocol problem: the general path, in float64
    gap = np.max(np.abs(single.mean_sq_dist / double.mean_sq_dist - 1))
    assert 1e-9 < gap < 1e-4
    assert single.dtype == "float32" and "dtype='float32'" in repr(single)


def _fields(res):
    out = [res.mean_sq_dist, res.stderr, res.mean_w, res.max_sq_dist, res.moments.m2_sq,
           res.final_sq_dist]
    if res.averaged is not None:
        out += [res.averaged.mean_sq_dist, res.averaged.stderr, res.averaged.mean_w,
                res.averaged.final_sq_dist]
    return out


@pytest.mark.parametrize("option", list(OPTIONS))
def test_bit_identical_for_any_chunking_and_threads(option, monkeypatch):
    p = PROBLEMS["least-squares"]
    kw = {"alpha": 0.2, "steps": 12, "trajectories": 3 * BLOCK + 300, "seed": 5,
          "backend": "numpy", "keep_final": True} | OPTIONS[option]
    runs = [simulate(p, chunk_size=c, **kw) for c in (BLOCK, 2 * BLOCK, None)]
    monkeypatch.setattr(array_engine, "_workers", lambda: 3)
    runs.append(simulate(p, **kw))
    monkeypatch.setattr(array_engine, "_workers", lambda: 1)
    runs.append(simulate(p, **kw))
    for other in runs[1:]:
        for a, b in zip(_fields(runs[0]), _fields(other), strict=True):
            np.testing.assert_array_equal(a, b)


def test_permutation_memory_budget_splits_pieces_without_changing_results(monkeypatch):
    p = PROBLEMS["protocol"]
    kw = {"alpha": 0.3, "steps": 9, "trajectories": 4 * BLOCK, "seed": 2, "backend": "numpy",
          "sampling": "reshuffle", "keep_final": True}
    whole = simulate(p, **kw)
    monkeypatch.setattr(array_engine, "_PERMUTATION_BYTES", 1)  # one block per piece
    monkeypatch.setattr(array_engine, "_workers", lambda: 1)  # run them one after another
    for a, b in zip(_fields(whole), _fields(simulate(p, **kw)), strict=True):
        np.testing.assert_array_equal(a, b)
    assert array_engine._pieces(4 * BLOCK, 2, 1) == [(k * BLOCK, BLOCK) for k in range(4)]


def test_final_values_are_in_trajectory_order():
    p = PROBLEMS["quadratic"]
    kw = {"alpha": 0.3, "steps": 5, "seed": 1, "backend": "numpy", "keep_final": True}
    big = simulate(p, trajectories=2 * BLOCK + 5, **kw)
    small = simulate(p, trajectories=3, **kw)
    assert big.final_sq_dist.shape == (2 * BLOCK + 5,)
    np.testing.assert_array_equal(big.final_sq_dist[:3], small.final_sq_dist)
    assert np.mean(big.final_sq_dist) == pytest.approx(big.mean_sq_dist[-1], rel=1e-12)
    assert simulate(p, trajectories=3, alpha=0.3, steps=5).final_sq_dist is None


def test_divergence_with_options_is_reported():
    p = PROBLEMS["least-squares"]
    res = simulate(p, alpha=5.0, steps=400, trajectories=2000, momentum=0.5, average_from=2,
                   keep_final=True, backend="numpy")
    t = res.diverged_at
    assert t is not None and res.averaged.diverged_at == t
    assert np.all(np.isnan(res.mean_sq_dist[t:])) and np.all(np.isfinite(res.mean_sq_dist[:t]))
    assert np.all(np.isnan(res.averaged.mean_sq_dist[t:]))
    assert np.all(np.isnan(res.final_sq_dist)) and np.all(np.isnan(res.averaged.final_sq_dist))


def test_trace_since_cuts_the_leading_steps():
    res = simulate(PROBLEMS["quadratic"], alpha=0.2, steps=10, trajectories=64, average_from=4,
                   backend="numpy")
    tail = res.averaged.since(4)
    assert tail.first_step == 4 and tail.mean_sq_dist.shape == (7,)
    np.testing.assert_array_equal(tail.mean_sq_dist, res.averaged.mean_sq_dist[4:])
    np.testing.assert_array_equal(tail.moments.m2_sq, res.averaged.moments.m2_sq[4:])
    assert tail.since(6).mean_sq_dist.shape == (5,)
    with pytest.raises(ValueError, match=r"step must be in \[4, 10\], got 3"):
        tail.since(3)
    np.testing.assert_array_equal(res.trace.since(0).mean_sq_dist, res.mean_sq_dist)


Q = PROBLEMS["quadratic"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0, 1\), got 1.0"),
        ({"momentum": -0.1}, ValueError, "momentum must be a number in"),
        ({"momentum": "0.5"}, TypeError, "momentum must be a real number, got str"),
        ({"average_from": -1}, ValueError, r"average_from must be an integer in \[0, steps\] = "
                                           r"\[0, 3\], got -1"),
        ({"average_from": 4}, ValueError, "average_from must be an integer in"),
        ({"average_from": 1.5}, TypeError, "average_from must be an integer or None, got float"),
        ({"dtype": "float16"}, ValueError, r"dtype must be one of \('float64', 'float32'\)"),
        ({"dtype": None}, ValueError, "dtype must be one of"),
        ({"dtype": "complex"}, ValueError, "dtype must be one of"),
        ({"keep_final": "yes"}, TypeError, "keep_final must be True or False, got str"),
        ({"sampling": "cyclic"}, ValueError, "sampling must be one of"),
        ({"sampling": "reshuffle", "batch": 8}, ValueError, "batch must be <= n = 7"),
        ({"alpha": [0.1, 0.2]}, ValueError, r"alpha as an array must have shape \(steps,\)"),
        ({"alpha": lambda t: -0.1}, ValueError, r"alpha\(t\) must be a finite number > 0"),
    ],
)
def test_bad_options_are_one_clear_error(kwargs, error, match):
    args = {"alpha": 0.1, "steps": 3, "trajectories": 8, "backend": "numpy"} | kwargs
    with pytest.raises(error, match=match):
        simulate(Q, **args)


def test_numpy_dtypes_are_accepted():
    for dtype in (np.float32, np.dtype("float32"), "float32"):
        assert simulate(Q, alpha=0.1, steps=2, trajectories=4, dtype=dtype).dtype == "float32"


def test_general_path_runs_on_a_non_numpy_namespace(monkeypatch):
    """Any namespace that is not ``numpy`` itself drives the CuPy branches of the array engine
    (no einsum, no threads, the generic gather); a NumPy-backed stand-in gives the NumPy
    numbers to rounding for every option."""
    import types

    stand_in = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np)
                                        if not k.startswith("__")})
    p = PROBLEMS["least-squares"]
    for option in OPTIONS.values():
        kw = {"alpha": 0.2, "steps": 12, "seed": 3, "start": 1024, "count": 2 * BLOCK + 7,
              "batch": 1, "e0": np.ones(3) - p.w_star, "keep_final": True} | option
        kw["alpha"] = schedules.as_array(kw["alpha"], 12)
        ref = array_engine.run_chunk(p, **kw)
        monkeypatch.setattr(array_engine, "namespace_of", lambda name: stand_in)
        got = array_engine.run_chunk(p, **kw)
        monkeypatch.undo()
        rtol = 1e-6 if option.get("dtype") == "float32" else 1e-12
        for field in ("mean", "m2", "mean_e", "max", "final"):
            np.testing.assert_allclose(getattr(got, field), getattr(ref, field), rtol=rtol,
                                       atol=1e-12)
        assert (got.averaged is None) == (ref.averaged is None)


def test_protocol_problem_with_options_on_dask_equals_local():
    """A protocol problem with every option on a Dask cluster gives the local result, bit for
    bit; and its chunk runner survives pickling (what a cluster of processes does to it)."""
    pytest.importorskip("distributed")
    import functools
    import pickle

    from distributed import Client, LocalCluster

    from sim.simulate import _run_range

    p = PROBLEMS["least-squares"]
    kw = {"alpha": schedules.inverse(1.0, 4.0), "steps": 10, "trajectories": 2 * BLOCK + 3,
          "seed": 8, "backend": "numpy", "engine": "array", "chunk_size": BLOCK,
          "sampling": "reshuffle", "momentum": 0.2, "average_from": 2, "keep_final": True}
    with (LocalCluster(processes=False, n_workers=2, threads_per_worker=1,
                       dashboard_address=":0") as cluster,
          Client(cluster, set_as_default=False) as client):
        remote = simulate(p, scheduler=client, **kw)
    local = simulate(p, **kw)
    for a, b in zip(_fields(remote), _fields(local), strict=True):
        np.testing.assert_array_equal(a, b)
    options = {"alpha": schedules.as_array(kw["alpha"], 10), "steps": 10, "seed": 8, "batch": 1,
               "e0": -p.w_star, "backend": "numpy", "sampling": "reshuffle", "momentum": 0.2,
               "average_from": 2, "dtype": "float64", "keep_final": True}
    run = functools.partial(_run_range, "array", p, options)
    chunk = pickle.loads(pickle.dumps(run))((BLOCK, BLOCK))
    np.testing.assert_array_equal(chunk.final, run((BLOCK, BLOCK)).final)
