"""The experiment catalogue: consistency with the theory it tests and with the claim registry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import verify
from sgd_suite import experiments as ex
from sgd_suite import runs


def test_quick_runs_are_full_runs_with_identical_parameters():
    full = {e.id: e for e in ex.catalogue()}
    quick = ex.catalogue(quick=True)
    assert len(full) == len(ex.catalogue())  # ids are unique
    assert quick
    for e in quick:
        assert full[e.id] == e


@pytest.mark.parametrize("exp", ex.catalogue(), ids=lambda e: e.id)
def test_expectation_follows_the_step_size_condition(exp):
    """A run must be expected to pass exactly when alpha <= 2/(L+mu) for its problem."""
    problem, w0 = ex.build(exp)
    inside = exp.alpha <= 2 / (problem.L + problem.mu) * (1 + 1e-12)
    assert (exp.expect == "pass") is inside
    assert w0.shape == (exp.dim,)
    r0 = 0.0 if exp.start == "optimum" else exp.r0
    assert np.linalg.norm(w0 - problem.w_star) == pytest.approx(r0, abs=1e-12)


def test_claims_tested_exist_in_the_registry():
    known = {c.id for c in verify.all_claims()}
    referenced = {i for ids in ex.CLAIMS_TESTED.values() for i in ids} | set(ex.GD_RATE_CLAIMS)
    assert referenced <= known, referenced - known
    groups = {e.group for e in ex.catalogue()}
    assert groups <= set(ex.CLAIMS_TESTED)


@given(dim=st.integers(2, 8), mu=st.floats(0.05, 5.0), ratio=st.floats(1.0, 50.0),
       seed=st.integers(0, 2**32 - 1))
@example(dim=2, mu=1.0, ratio=1.0, seed=0)
def test_quadratic_problem_has_the_requested_constants(dim, mu, ratio, seed):
    L = mu * ratio
    problem, q = ex.quadratic_problem(dim=dim, n=8, mu=mu, L=L, spread=1.0, data_seed=seed)
    assert problem.mu == pytest.approx(mu, rel=1e-10)
    assert problem.L == pytest.approx(L, rel=1e-10)
    # q[:, -1] is the eigenvector of L (the direction of the "top" start).
    np.testing.assert_allclose(problem.hessian @ q[:, -1], L * q[:, -1], atol=1e-10 * L)


def test_one_dimensional_quadratic_needs_mu_equal_L():
    with pytest.raises(ValueError, match="mu == L"):
        ex.quadratic_problem(dim=1, n=4, mu=1.0, L=2.0, spread=1.0, data_seed=0)


def test_gd_rate_runs_hold_and_a_faster_claimed_rate_is_rejected():
    gd = runs.gd_rate_runs(max_steps=40)
    assert all(r["passed"] for r in gd)
    for r in gd:
        t = np.arange(len(r["dist"]))
        kappa = (r["L"] - r["mu"]) / (r["L"] + r["mu"])
        too_fast = (0.9 * kappa) ** t * r["dist"][0]
        assert not runs.within_rate(r["dist"], too_fast)


def test_noise_ball_curve_matches_the_runs_exact_values():
    """The figure's exact curve, evaluated at a run's step size, is that run's exact limit."""
    curve = runs.noise_ball_curve(points=8)
    assert np.all(curve["exact_limit"] <= curve["lecture_limit"] * (1 + 1e-12))
    # At alpha = 2/(L+mu) on the spectrum {mu, L} the lecture's limit is attained.
    assert curve["exact_limit"][-1] == pytest.approx(curve["lecture_limit"][-1], rel=1e-9)
    compared = 0
    for exp in (e for e in ex.catalogue() if e.group == "noise-ball"):
        problem, w0 = ex.build(exp)
        exact = problem.exact_mean_sq_dist(alpha=exp.alpha, steps=exp.steps, w0=w0)
        i = np.argmin(np.abs(curve["alpha"] - exp.alpha))
        if np.isclose(curve["alpha"][i], exp.alpha):
            # Every tested step is within NOISE_BALL_MIXED (relative) below the limit.
            tested = exact[exp.test_from:]
            assert np.all(tested <= curve["exact_limit"][i] * (1 + 1e-12))
            assert np.all(tested >= curve["exact_limit"][i] * (1 - ex.NOISE_BALL_MIXED))
            compared += 1
    assert compared >= 3


def test_experiment_seeds_are_distinct_and_follow_the_root():
    ids = [e.id for e in ex.catalogue()]
    seeds = [ex.experiment_seed(0, i) for i in ids]
    assert len(set(seeds)) == len(ids)
    assert all(0 <= s < 2**64 for s in seeds)
    assert seeds == [ex.experiment_seed(0, i) for i in ids]
    assert ex.experiment_seed(1, ids[0]) != seeds[0]


def test_noise_ball_runs_test_their_own_level_after_mixing():
    """Each step size has its own level alpha M/(2 mu - alpha mu^2), its own seed, and a tested
    window that starts at the first step where (1 - alpha mu)^(2t) <= NOISE_BALL_MIXED."""
    from sim.theory import noise_ball

    runs = [e for e in ex.catalogue() if e.group == "noise-ball"]
    levels = []
    for e in runs:
        mu = e.mu
        t = e.test_from
        assert (1 - e.alpha * mu) ** (2 * t) <= ex.NOISE_BALL_MIXED
        assert (1 - e.alpha * mu) ** (2 * (t - 1)) > ex.NOISE_BALL_MIXED
        assert e.steps == t + ex.NOISE_BALL_WINDOW and e.reference == "level"
        problem, _ = ex.build(e)
        levels.append(noise_ball(problem.mu, problem.M, e.alpha))
    assert len(set(np.round(levels, 12))) == len(runs)


def test_tight_runs_have_the_bound_equal_to_the_exact_value():
    """Where the experiments compare the lecture's recursion two-sided, it is the exact value."""
    from sim.theory import sgd_bound

    tight = [e for e in ex.catalogue() if e.tight]
    assert {e.points for e in tight} == {"gaussian", "two-point"}
    for e in tight:
        problem, w0 = ex.build(e)
        assert problem.mu == problem.L
        e0_sq = float(np.sum((w0 - problem.w_star) ** 2))
        bound = sgd_bound(problem.mu, problem.M / e.batch, e.alpha, e0_sq, e.steps)
        exact = problem.exact_mean_sq_dist(alpha=e.alpha, steps=e.steps, w0=w0, batch=e.batch)
        np.testing.assert_allclose(bound, exact, rtol=1e-12)
    # A spectrum with mu < L makes the bound loose, so such a run must not claim tightness.
    loose = next(e for e in ex.catalogue() if e.id == "quad-d5")
    problem, w0 = ex.build(loose)
    exact = problem.exact_mean_sq_dist(alpha=loose.alpha, steps=loose.steps, w0=w0)
    bound = sgd_bound(problem.mu, problem.M, loose.alpha, loose.r0**2, loose.steps)
    assert np.max(np.abs(exact / bound - 1)) > 0.1


def test_check_kinds():
    kinds = {e.id: e.check for e in ex.catalogue()}
    assert kinds["step-outside"] == "violation"
    assert kinds["logistic-d2"] == "upper-bound"
    assert all(k == "exact" for i, k in kinds.items()
               if i not in ("step-outside", "logistic-d2"))


def test_two_point_problem():
    problem, _ = ex.quadratic_problem(dim=1, n=2, mu=2.0, L=2.0, spread=0.5, data_seed=0,
                                      points="two-point")
    np.testing.assert_allclose(np.abs(problem.centered), 0.5)
    assert problem.M == pytest.approx(4.0 * 0.25)
    with pytest.raises(ValueError, match="n == 2"):
        ex.quadratic_problem(dim=1, n=3, mu=1.0, L=1.0, spread=1.0, data_seed=0,
                             points="two-point")
