"""The almost-sure bound on ||w_t - w*||^2: never exceeded, attained where the proof is tight."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sim_strategies import logistic_problems, quadratic_problems, start_point

from sim import QuadraticProblem, simulate, theory
from sim.almost_sure import (
    ROUNDING,
    exceeds,
    logistic_bound,
    norm_bound,
    quadratic_bound,
    sq_dist_bound,
)

RUN = {"backend": "numpy", "engine": "array"}
seeds = st.integers(0, 2**32 - 1)


@given(quadratic_problems(), st.floats(0.02, 1.9), st.floats(0.0, 5.0), st.integers(1, 3), seeds)
@example(QuadraticProblem(hessian=np.diag([1.0, 100.0]), data=[[0.0, 1.0], [1.0, 0.0],
                                                             [2.0, 2.0]]), 1.0, 1.0, 1, 0)
@settings(max_examples=30)
def test_quadratic_bound_is_never_exceeded(problem, frac, dist, batch, seed):
    """Every simulated trajectory stays below U_t at every step (max over 2048 trajectories),
    for step sizes inside the condition and beyond it (up to 1.9 x 2/(L+mu), where U_t may
    grow): the bound is a theorem about every path, not a statistical statement."""
    alpha = frac * theory.max_step(problem.mu, problem.L)
    w0 = start_point(problem, np.random.default_rng(seed), dist) if dist else problem.w_star
    res = simulate(problem, alpha=alpha, steps=30, trajectories=2048, seed=seed, w0=w0,
                   batch=batch, **RUN)
    bound = quadratic_bound(problem, alpha=alpha, steps=30, w0=w0)
    assert exceeds(res.max_sq_dist, bound).size == 0, np.max(res.max_sq_dist / bound)


@given(logistic_problems(), st.floats(0.05, 1.0), st.floats(0.1, 4.0), seeds)
@settings(max_examples=15)
def test_logistic_bound_is_never_exceeded(problem, frac, dist, seed):
    alpha = frac * theory.max_step(problem.mu, problem.L)
    w0 = start_point(problem, np.random.default_rng(seed), dist)
    res = simulate(problem, alpha=alpha, steps=30, trajectories=1024, seed=seed, w0=w0, **RUN)
    bound = logistic_bound(problem, alpha=alpha, steps=30, w0=w0)
    assert exceeds(res.max_sq_dist, bound).size == 0


def _two_point(alpha=0.2, c=1.5, z0=2.0):
    return QuadraticProblem(hessian=[[1.0]], data=[[-c], [c]]), alpha, c, z0


def test_bound_is_attained_by_the_extreme_path_in_the_two_point_case():
    """x = +-c in one dimension, 0 < alpha lambda <= 1, z0 >= 0: the path that always draws +c
    reaches U_t exactly, so no smaller function of t bounds every path."""
    problem, alpha, c, z0 = _two_point()
    steps = 40
    z, path = z0, [z0 * z0]
    for _ in range(steps):
        z = (1 - alpha) * z + alpha * c  # the gradient step towards the data point +c
        path.append(z * z)
    bound = quadratic_bound(problem, alpha=alpha, steps=steps, w0=[z0])
    np.testing.assert_allclose(bound, path, rtol=1e-13)
    # The simulation finds it too: at t = 1 half the trajectories drew +c.
    res = simulate(problem, alpha=alpha, steps=3, trajectories=1024, seed=0, w0=[z0], **RUN)
    assert res.max_sq_dist[1] == pytest.approx(bound[1], rel=1e-14)
    # A bound 1e-6 smaller is exceeded by the simulated maximum: the comparison has teeth.
    assert list(exceeds(res.max_sq_dist, bound[:4] * (1 - 1e-6))) == [0, 1, 2, 3]


def test_bound_is_the_minimum_of_the_norm_and_coordinate_forms():
    rng = np.random.default_rng(5)
    h = np.diag([0.5, 2.0, 8.0])
    problem = QuadraticProblem(hessian=h, data=rng.normal(size=(20, 3)))
    alpha, steps, w0 = 0.2, 50, problem.w_star + np.array([1.0, -2.0, 0.5])
    bound = quadratic_bound(problem, alpha=alpha, steps=steps, w0=w0)
    lam, c = problem.eigvals, problem.centered
    e0 = w0 - problem.w_star
    rho = np.max(np.abs(1 - alpha * lam))
    g = np.max(np.linalg.norm(c * lam, axis=1))
    t = np.arange(steps + 1)[:, None]
    r = np.abs(1 - alpha * lam)
    geo = np.where(r == 1, t, (1 - r**t) / (1 - r))
    beta = r**t * np.abs(problem.eigvecs.T @ e0) + alpha * lam * np.abs(c).max(axis=0) * geo
    a = rho ** t[:, 0] * np.linalg.norm(e0) + alpha * g * (1 - rho ** t[:, 0]) / (1 - rho)
    np.testing.assert_allclose(bound, np.minimum(a**2, (beta**2).sum(axis=1)), rtol=1e-12)
    # Inside the condition, the uniform bound (|e0| + G/mu)^2 holds at every step.
    assert alpha <= theory.max_step(problem.mu, problem.L)
    assert np.all(bound <= (np.linalg.norm(e0) + g / problem.mu) ** 2 * (1 + 1e-12))
    np.testing.assert_allclose(norm_bound(rho, np.linalg.norm(e0), g, alpha, steps), a,
                               rtol=1e-12)


def test_dispatch_and_errors():
    problem, alpha, _, z0 = _two_point()
    np.testing.assert_array_equal(sq_dist_bound(problem, alpha=alpha, steps=3, w0=[z0]),
                                  quadratic_bound(problem, alpha=alpha, steps=3, w0=[z0]))
    with pytest.raises(TypeError, match="no almost-sure bound"):
        sq_dist_bound(object(), alpha=0.1, steps=3)
    with pytest.raises(ValueError, match="w0 must have shape"):
        quadratic_bound(problem, alpha=alpha, steps=3, w0=[1.0, 2.0])
    with pytest.raises(ValueError, match="alpha must be"):
        quadratic_bound(problem, alpha=-1.0, steps=3)
    assert quadratic_bound(problem, alpha=alpha, steps=0)[0] == pytest.approx(0.0)


def test_exceeds_allows_rounding_only():
    bound = np.array([1.0, 2.0, 3.0, 4.0])
    mx = np.array([1.0 * (1 + ROUNDING / 2), 2.0 * (1 + 2 * ROUNDING), np.nan, np.inf])
    assert list(exceeds(mx, bound)) == [1, 2, 3]


def test_logistic_bound_formula():
    """a_t^2 with rho = max(|1 - alpha mu|, |1 - alpha L|) and
    G = max_i ((1 - 2/n)|a_i| + mean_j |a_j|) + |grad h(w_hat)|, checked with a minimiser
    moved off w* so that the gradient term is visible; G bounds |g_i - g_bar| at any w."""
    from sim import LogisticRegressionProblem

    rng = np.random.default_rng(2)
    a = rng.normal(size=(7, 2)) * np.array([1.0, 3.0])
    problem = LogisticRegressionProblem(features=a, labels=np.where(rng.random(7) < 0.5, -1.0,
                                                                    1.0), l2=0.3)
    problem.w_star = problem.w_star + np.array([0.4, -0.2])
    alpha, steps, w0 = 1.5, 12, np.array([2.0, 1.0])
    norms = np.linalg.norm(a, axis=1)
    g = np.max((1 - 2 / 7) * norms + norms.mean())
    grad = np.linalg.norm(problem.gradient(problem.w_star))
    assert grad > 0.01
    rho = max(abs(1 - alpha * problem.mu), abs(1 - alpha * problem.L))
    assert rho == abs(1 - alpha * problem.L) or alpha * problem.L <= 1
    t = np.arange(steps + 1)
    e0 = np.linalg.norm(w0 - problem.w_star)
    a_t = rho**t * e0 + alpha * (g + grad) * (1 - rho**t) / (1 - rho)
    np.testing.assert_allclose(logistic_bound(problem, alpha=alpha, steps=steps, w0=w0), a_t**2,
                               rtol=1e-12)
    np.testing.assert_array_equal(sq_dist_bound(problem, alpha=alpha, steps=steps, w0=w0),
                                  logistic_bound(problem, alpha=alpha, steps=steps, w0=w0))
    # The noise constant bounds every |g_i(w) - g_bar(w)|.
    for w in rng.normal(size=(50, 2)) * 5:
        s = 0.5 * (1 + np.tanh(-0.5 * problem.labels * (a @ w)))
        gi = -(problem.labels * s)[:, None] * a
        assert np.all(np.linalg.norm(gi - gi.mean(axis=0), axis=1) <= (1 - 2 / 7) * norms
                      + norms.mean() + 1e-12)


def test_bounds_validate_their_arguments_and_survive_overflow():
    problem, alpha, _, z0 = _two_point()
    for fn in (quadratic_bound, logistic_bound):
        with pytest.raises(ValueError, match=r"^alpha must be a finite number > 0"):
            fn(problem, alpha=0.0, steps=3)
        with pytest.raises(ValueError, match=r"^steps must be an integer >= 0"):
            fn(problem, alpha=0.1, steps=-1)
    from sim import LogisticRegressionProblem

    logistic = LogisticRegressionProblem(features=[[1.0], [-2.0]], labels=[1.0, 1.0], l2=0.1)
    assert logistic_bound(logistic, alpha=0.1, steps=0, w0=[1.0]).shape == (1,)
    # Far outside the condition the bound overflows to inf, silently (filterwarnings = error).
    big = logistic_bound(logistic, alpha=50.0, steps=400, w0=[1.0])
    assert np.isinf(big[-1]) and np.all(big[1:-1] <= big[2:])
    assert np.isinf(quadratic_bound(problem, alpha=50.0, steps=400, w0=[z0])[-1])


def test_either_form_can_be_the_smaller():
    """H = I with examples on the axes: the norm form G = max_i |x_i - xbar| = 1 beats the
    coordinate form sum_k max_i |c_ik|^2 = 2; an ill-conditioned H is the other way round."""
    problem = QuadraticProblem(hessian=np.eye(2), data=[[1.0, 0], [-1, 0], [0, 1], [0, -1]])
    bound = quadratic_bound(problem, alpha=0.5, steps=30, w0=problem.w_star)
    a = 0.5 * (1 - 0.5 ** np.arange(31)) / 0.5
    np.testing.assert_allclose(bound, a**2, rtol=1e-12)
    stiff = QuadraticProblem(hessian=np.diag([1.0, 50.0]), data=[[1.0, 1.0], [-1.0, -1.0]])
    alpha, lam = 1 / 50, np.array([1.0, 50.0])
    bound = quadratic_bound(stiff, alpha=alpha, steps=30, w0=stiff.w_star)
    t = np.arange(31)
    r = np.abs(1 - alpha * lam)[:, None]
    geo = np.where(r == 0, np.minimum(t, 1), (1 - r**t) / np.where(r == 1, 1.0, 1 - r))
    beta = alpha * lam[:, None] * geo
    np.testing.assert_allclose(bound, (beta**2).sum(axis=0), rtol=1e-12)
    assert bound[-1] < 2.01  # the norm form would give about (G / mu)^2 = 2500


def test_overflow_from_the_optimum_gives_inf_not_nan():
    """Outside the condition from w* itself: zero start and a noise-free coordinate times an
    infinite growth factor must count as 0, not NaN; a huge start overflows silently."""
    problem = QuadraticProblem(hessian=np.diag([1.0, 30.0]), data=[[0.0, 1.0], [0.0, -1.0]])
    at_opt = quadratic_bound(problem, alpha=1.0, steps=400, w0=problem.w_star)
    assert not np.any(np.isnan(at_opt)) and np.isinf(at_opt[-1]) and at_opt[0] == 0.0
    far = quadratic_bound(problem, alpha=1.0, steps=300, w0=problem.w_star + [0.0, 1e150])
    assert not np.any(np.isnan(far)) and np.isinf(far[-1])


def test_logistic_bound_inside_the_condition_and_messages():
    from sim import LogisticRegressionProblem

    problem = LogisticRegressionProblem(features=[[1.0], [-2.0], [0.5]], labels=[1.0, 1.0, -1.0],
                                        l2=0.5)
    alpha = 0.5 * theory.max_step(problem.mu, problem.L)
    rho = 1 - alpha * problem.mu
    norms = np.array([1.0, 2.0, 0.5])
    g = np.max((1 - 2 / 3) * norms + norms.mean()) + np.linalg.norm(
        problem.gradient(problem.w_star))
    t = np.arange(21)
    a = rho**t * 2.0 + alpha * g * (1 - rho**t) / (1 - rho)
    np.testing.assert_allclose(logistic_bound(problem, alpha=alpha, steps=20,
                                              w0=problem.w_star + 2.0), a**2, rtol=1e-12)
    with pytest.raises(ValueError, match=r"^w0 must contain only finite values"):
        logistic_bound(problem, alpha=alpha, steps=2, w0=[np.nan])
    with pytest.raises(TypeError, match=r"^no almost-sure bound is known for object; expected a "
                                        r"QuadraticProblem or a LogisticRegressionProblem$"):
        sq_dist_bound(object(), alpha=0.1, steps=1)
