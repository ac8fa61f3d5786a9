"""Sequential checks: decide on the truth, reject a wrong reference, stop at the budget."""

from __future__ import annotations

import numpy as np
import pytest

from sim import QuadraticProblem, simulate, theory
from sim.almost_sure import quadratic_bound
from sim.sequential import SequentialCheck, chunk_seed, run_until_decided
from sim.stats import merge_all

RUN = {"backend": "numpy", "engine": "array"}


def _problem():
    rng = np.random.default_rng(12)
    problem = QuadraticProblem(hessian=np.diag([1.0, 3.0]), data=rng.normal(size=(16, 2)))
    return problem, problem.w_star + np.array([2.0, -1.0])


def test_the_truth_passes_and_a_wrong_reference_fails():
    problem, w0 = _problem()
    exact = problem.exact_mean_sq_dist(alpha=0.2, steps=30, w0=w0)
    kw = {"alpha": 0.2, "steps": 30, "w0": w0, "seed": 3, "chunk": 8192, "budget": 2**20, **RUN}
    good = run_until_decided(problem, reference=exact, tolerance=0.05, **kw)
    assert good.verdict == "pass" and good.basis == "finite-sample" and good.method == "betting"
    assert good.trajectories < 2**20
    assert np.all(good.lower[good.tested_steps] <= exact * (1 + 1e-9))
    assert np.all(good.upper[good.tested_steps] >= exact * (1 - 1e-9))
    for factor in (0.98, 1.02):
        bad = run_until_decided(problem, reference=exact * factor, tolerance=0.05, **kw)
        assert bad.verdict == "fail" and bad.failing_steps.size > 0
    bound = theory.sgd_bound(problem.mu, problem.M, 0.2, 5.0, 30)
    up = run_until_decided(problem, reference=bound, kind="upper-bound", tolerance=0.05, **kw)
    assert up.verdict == "pass"
    low = run_until_decided(problem, reference=0.5 * bound, kind="upper-bound", **kw)
    assert low.verdict == "fail"


def test_budget_spent_is_inconclusive():
    problem, w0 = _problem()
    exact = problem.exact_mean_sq_dist(alpha=0.2, steps=30, w0=w0)
    d = run_until_decided(problem, alpha=0.2, steps=30, reference=exact, w0=w0, chunk=1024,
                          budget=3000, tolerance=1e-3, **RUN)
    assert d.verdict == "inconclusive"
    assert d.trajectories == 3000 and d.rounds == 2  # 1024, then 1976 (cut to the budget)
    assert [n for n, _ in d.history] == [1024, 3000]


def test_chunks_merge_exactly_into_the_moments_of_their_simulations():
    problem, w0 = _problem()
    exact = problem.exact_mean_sq_dist(alpha=0.2, steps=10, w0=w0)
    d = run_until_decided(problem, alpha=0.2, steps=10, reference=exact, w0=w0, seed=9,
                          chunk=2048, budget=2048 * 7, tolerance=1e-4, **RUN)
    sizes = [2048, 4096, 8192]  # doubling; the third fills the budget exactly
    assert d.rounds == 3 and d.trajectories == sum(sizes)
    parts = [simulate(problem, alpha=0.2, steps=10, trajectories=n, seed=chunk_seed(9, k), w0=w0,
                      **RUN).moments for k, n in enumerate(sizes)]
    total = merge_all(parts)
    np.testing.assert_array_equal(d.moments.mean_sq, total.mean_sq)
    np.testing.assert_array_equal(d.moments.m2_sq, total.m2_sq)
    assert len({chunk_seed(9, k) for k in range(100)}) == 100


def test_value_above_the_range_bound_fails_at_once():
    problem, w0 = _problem()
    bound = quadratic_bound(problem, alpha=0.2, steps=5, w0=w0)
    check = SequentialCheck(bound, bound / 2, kind="upper-bound", delta=1e-9)
    res = simulate(problem, alpha=0.2, steps=5, trajectories=1024, seed=0, w0=w0, **RUN)
    assert check.update(res.moments) == "fail"
    assert check.decision(1).verdict == "fail" and check.exceeded.size > 0


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be"):
        SequentialCheck([1.0], [1.0], kind="lower")
    with pytest.raises(ValueError, match="same shape"):
        SequentialCheck([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="steps must be"):
        SequentialCheck([1.0], [1.0], steps=[3])
    with pytest.raises(ValueError, match="delta must be"):
        SequentialCheck([1.0], [1.0], delta=2.0)
    problem, w0 = _problem()
    with pytest.raises(ValueError, match="growth must be"):
        run_until_decided(problem, alpha=0.2, steps=3, reference=np.ones(4), growth=0.5)
    assert SequentialCheck([1.0], [1.0]).decision(0).verdict == "inconclusive"
