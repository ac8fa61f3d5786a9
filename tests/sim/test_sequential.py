"""Sequential checks: decide on the truth, reject a wrong reference, stop at the budget."""

from __future__ import annotations

import numpy as np
import pytest

from sim import QuadraticProblem, simulate, theory
from sim.almost_sure import quadratic_bound
from sim.betting import ChunkedBettingCS
from sim.sequential import SequentialCheck, chunk_seed, run_until_decided
from sim.stats import Moments, merge_all

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


def _moments(count, mean, m2, mx):
    mean = np.asarray(mean, float)
    return Moments(count, mean, np.asarray(m2, float), np.zeros((mean.size, 1)),
                   np.asarray(mx, float))


def test_interval_is_the_betting_sequence_of_the_scaled_values():
    """Values are divided by the range bound U_t (0 < U_t < 1 included) before the betting
    sequence at level delta / |S|, and its interval is scaled back."""
    ref, bound = np.array([100.0, 0.2, 50.0]), np.array([400.0, 0.5, 1000.0])
    check = SequentialCheck(ref, bound, delta=1e-3)
    twin = ChunkedBettingCS(3, 1e-3 / 3)
    assert check.cs.delta == twin.delta
    for mean, m2 in (([90.0, 0.21, 60.0], [4e5, 1.0, 9e6]), ([110.0, 0.19, 40.0], [5e5, 2.0, 8e6])):
        mean, m2 = np.array(mean), np.array(m2)
        check.update(_moments(5000, mean, m2, bound))
        twin.update(5000, mean / bound, m2 / bound**2)
        lo, hi = check.interval()
        np.testing.assert_allclose(lo, twin.lower * bound, rtol=1e-12)
        np.testing.assert_allclose(hi, twin.upper * bound, rtol=1e-12)
    assert check.moments.count == 10_000


def test_steps_with_a_zero_range_are_exact_zeros():
    check = SequentialCheck([0.0, 1.0], [0.0, 4.0], delta=1e-3, tolerance=0.5)
    assert check.update(_moments(10**6, [0.0, 1.0], [0.0, 2e4], [0.0, 4.0])) != "fail"
    lo, hi = check.interval()
    assert lo[0] == hi[0] == 0.0


def test_decision_logic_with_the_rounding_allowance():
    """Set the interval directly: the reference may sit within rtol |r| outside it (rounding),
    not more; a pass needs the interval within tolerance (+ the same allowance)."""
    ref = np.array([100.0])

    def check_with(lo, hi, kind="exact"):
        c = SequentialCheck(ref, [1000.0], kind=kind, tolerance=0.1)
        c.cs.lower, c.cs.upper = np.array([lo]) / 1000.0, np.array([hi]) / 1000.0
        c.history.append((1, "set"))
        return c

    eps = 1e-9 * 100.0  # rtol |r|
    assert check_with(100 + 0.5 * eps, 105).state() == "pass"
    assert check_with(100 + 2 * eps, 105).state() == "fail"
    assert check_with(95, 100 - 0.5 * eps).state() == "pass"
    assert check_with(95, 100 - 2 * eps).state() == "fail"
    assert check_with(90 - 0.5 * eps, 110 + 0.5 * eps).state() == "pass"
    assert check_with(90 - 2 * eps, 105).state() == "undecided"
    assert check_with(95, 110 + 2 * eps).state() == "undecided"
    # An upper-bound check ignores the lower end for a pass, but fails above the bound.
    assert check_with(0.0, 105, kind="upper-bound").state() == "pass"
    assert check_with(0.0, 105, kind="exact").state() == "undecided"
    assert check_with(0.0, 95, kind="upper-bound").state() == "pass"
    assert check_with(100 + 2 * eps, 105, kind="upper-bound").state() == "fail"
    assert list(check_with(100 + 2 * eps, 105).failing()) == [0]


def test_range_and_divergence_fail_and_stay_failed():
    check = SequentialCheck([1.0, 1.0], [4.0, 4.0], delta=1e-3)
    edge = 4.0 * (1 + check.rtol)
    assert check.update(_moments(100, [1.0, 1.0], [10.0, 10.0], [edge, 3.0])) == "undecided"
    assert check.exceeded.size == 0
    assert check.update(_moments(100, [1.0, np.nan], [10.0, np.nan], [3.0, np.nan])) == "fail"
    assert check.update(_moments(100, [1.0, 1.0], [10.0, 10.0], [3.0, 3.0])) == "fail"
    d = check.decision(3)
    assert d.verdict == "fail" and list(d.range_exceeded_steps) == [1]
    clean = SequentialCheck([1.0], [4.0]).decision(0)
    assert clean.range_exceeded_steps.dtype.kind == "i"


def test_decision_fields_and_defaults():
    check = SequentialCheck([0.0, 1.0, 1.0], [0.0, 1.0, 1.0], kind="upper-bound", steps=[1])
    assert check.tolerance == 0.01 and check.delta == 1e-9
    d = check.decision(0)  # nothing seen yet: undecided whatever the interval
    assert d.verdict == "inconclusive" and d.kind == "upper-bound" and d.rounds == 0
    assert np.isnan(d.lower[0]) and np.isnan(d.upper[2]) and list(d.tested_steps) == [1]
    assert (d.basis, d.method) == ("finite-sample", "betting")


def test_argument_messages():
    with pytest.raises(ValueError, match=r"^tolerance must be a finite number > 0, got 0$"):
        SequentialCheck([1.0], [1.0], tolerance=0)
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\)"):
            SequentialCheck([1.0], [1.0], delta=bad)
    with pytest.raises(ValueError, match=r"^reference and range_bound must have the same shape "
                                         r"\(T\+1,\), got \(2,\) and \(1,\)$"):
        SequentialCheck([1.0, 2.0], [1.0])
    for steps in ([], [2], [-1]):
        with pytest.raises(ValueError, match=r"^steps must be a non-empty set of steps in "
                                             r"\[0, 1\]$"):
            SequentialCheck([1.0, 1.0], [1.0, 1.0], steps=steps)
    problem, w0 = _problem()
    ref = np.ones(4)
    for kw, name in (({"alpha": 0.0}, "alpha"), ({"steps": -1}, "steps"), ({"chunk": 1}, "chunk"),
                     ({"budget": 10, "chunk": 64}, "budget")):
        args = {"alpha": 0.2, "steps": 3, "reference": ref, **kw}
        with pytest.raises(ValueError, match=rf"^{name} must be"):
            run_until_decided(problem, **args)


def test_run_until_decided_options():
    """Defaults (seed 0, tolerance 1%), the smallest chunk and step count, growth 1 and 1.5,
    tested steps, delta, and a last chunk of exactly two trajectories."""
    problem, w0 = _problem()
    ref = problem.exact_mean_sq_dist(alpha=0.2, steps=0, w0=w0)
    d = run_until_decided(problem, alpha=0.2, steps=0, reference=ref, w0=w0, chunk=2,
                          budget=4, growth=1.0, **RUN)
    assert d.tolerance == 0.01 and d.trajectories == 4 and d.rounds in (1, 2)
    exact = problem.exact_mean_sq_dist(alpha=0.2, steps=5, w0=w0)
    common = {"alpha": 0.2, "steps": 5, "reference": exact, "w0": w0, "tolerance": 1e-6, **RUN}
    d = run_until_decided(problem, chunk=1024, budget=1024 + 2, test_steps=[2, 5], delta=1e-4,
                          **common)
    assert d.rounds == 2 and d.trajectories == 1026 and d.delta == 1e-4
    assert list(d.tested_steps) == [2, 5]
    d = run_until_decided(problem, chunk=1024, budget=1024 + 1, **common)
    assert d.rounds == 1 and d.trajectories == 1024
    d = run_until_decided(problem, chunk=1024, budget=1024 + 1536, growth=1.5, **common)
    assert d.rounds == 2 and d.trajectories == 2560
    default = run_until_decided(problem, chunk=1024, budget=1024, **common)
    zero = run_until_decided(problem, chunk=1024, budget=1024, seed=0, **common)
    np.testing.assert_array_equal(default.moments.mean_sq, zero.moments.mean_sq)
    direct = simulate(problem, alpha=0.2, steps=5, trajectories=1024, seed=chunk_seed(0, 0),
                      w0=w0, **RUN)
    np.testing.assert_allclose(default.moments.mean_w, direct.mean_w - problem.w_star,
                               atol=1e-15)


def test_chunk_seed_is_sha256_little_endian():
    import hashlib

    digest = hashlib.sha256(b"9:3").digest()
    assert chunk_seed(9, 3) == int.from_bytes(digest[:8], "little")


def test_pass_boundaries_are_inclusive():
    """An interval end exactly at r (1 +- tolerance) + rtol |r| still passes (range 1, so the
    interval is not rescaled)."""
    ref = np.array([0.5])

    def state(lo, hi):
        c = SequentialCheck(ref, [1.0], tolerance=0.1)
        c.cs.lower, c.cs.upper = np.array([lo]), np.array([hi])
        return c.state()

    top = 0.5 * (1 + 0.1) + 1e-9 * 0.5
    bottom = 0.5 * (1 - 0.1) - 1e-9 * 0.5
    assert state(bottom, top) == "pass"
    assert state(bottom, np.nextafter(top, 1)) == "undecided"
    assert state(np.nextafter(bottom, 0), top) == "undecided"


def test_decision_keeps_the_compared_arrays():
    d = SequentialCheck([1.0, 2.0], [3.0, 4.0], delta=0.5).decision(0)
    np.testing.assert_array_equal(d.reference, [1.0, 2.0])
    np.testing.assert_array_equal(d.range_bound, [3.0, 4.0])
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\), got 1$"):
        SequentialCheck([1.0, 2.0], [3.0, 4.0], delta=1)
