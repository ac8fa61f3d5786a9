"""The SGD slides checked by Monte Carlo: bound, exactness, tightness, necessity, mean iterate.

Statistics. Every assertion below uses :mod:`sim.check` (or the same construction written out)
with family-wise false-alarm probability DELTA = 1e-9 under the normal approximation: a
per-step z-threshold Phi^{-1}(1 - DELTA/k) with k the number of compared values (Bonferroni),
and tolerances z * stderr with stderr = sigma_hat / sqrt(N) from the N simulated trajectories.
Seeds are fixed (hypothesis draws them, derandomized in CI), so no test can flake.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sim.engines.array as array_engine
from sim import LogisticRegressionProblem, QuadraticProblem, simulate, theory
from sim.check import check_exact, check_upper_bound, z_threshold
from sim_strategies import hessian_with_spectrum, logistic_problems, quadratic_problems, start_point

DELTA = 1e-9
seeds = st.integers(0, 2**32 - 1)
RUN = {"backend": "numpy", "engine": "array"}


def _rounding(problem, result):
    """Absolute float allowance for references that reach exactly 0 (e.g. mu = L, alpha = 1/mu).

    The deterministic part of the error contracts by factors within 64 eps of the exact ones
    (eigenvalues from a backward-stable eigensolver, |d lambda| <~ 10 eps L with alpha L <= 2,
    plus the rounding of 1 - alpha lambda), so with c = max|1 - alpha lambda| the computed
    |e_t|^2 exceeds the exact one by at most e0^2 ((c + 64 eps)^(2t) - c^(2t)).
    """
    c = theory.gd_contraction(problem.mu, problem.L, result.alpha)
    t = np.arange(result.steps + 1)
    e0_sq = float(np.sum((result.w0 - problem.w_star) ** 2))
    return e0_sq * ((c + 64 * np.finfo(float).eps) ** (2 * t) - c ** (2 * t))


def _bound(problem, result):
    e0_sq = float(np.sum((result.w0 - problem.w_star) ** 2))
    return theory.sgd_bound(problem.mu, problem.M / result.batch, result.alpha, e0_sq, result.steps)


@given(quadratic_problems(), st.floats(0.01, 1.0), st.floats(0.0, 5.0), st.integers(1, 3), seeds)
@example(
    QuadraticProblem(hessian=np.diag([1.0, 100.0]), data=[[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]),
    1.0,
    1.0,
    1,
    0,
).via("kappa = 100 at alpha = 2/(L+mu)")
@example(QuadraticProblem(hessian=[[2.0]], data=[[3.0]]), 1.0, 0.0, 1, 0).via(
    "d = n = 1, no noise, w0 = w*"
)
@settings(max_examples=25)
def test_sgd_never_exceeds_the_bound_on_quadratics(problem, frac, dist, batch, seed):
    """Slide "SGD Convergence": E|w_t - w*|^2 <= b_t for 0 < alpha <= 2/(L+mu) (delta = 1e-9)."""
    alpha = frac * theory.max_step(problem.mu, problem.L)
    w0 = start_point(problem, np.random.default_rng(seed), dist) if dist else problem.w_star
    res = simulate(
        problem, alpha=alpha, steps=40, trajectories=2048, seed=seed, w0=w0, batch=batch, **RUN
    )
    check = check_upper_bound(res, _bound(problem, res), delta=DELTA, atol=_rounding(problem, res))
    assert check.passed, (check.worst_z, check.worst_z_step, check.worst_ratio)


def _ill_conditioned_logistic(kappa: float = 150.0) -> LogisticRegressionProblem:
    rng = np.random.default_rng(8)
    a, y = rng.normal(size=(30, 3)), np.where(rng.random(30) < 0.5, -1.0, 1.0)
    curvature = np.linalg.svd(a, compute_uv=False)[0] ** 2 / (4 * 30)
    return LogisticRegressionProblem(features=a, labels=y, l2=curvature / (kappa - 1))


@given(logistic_problems(), st.floats(0.05, 1.0), st.floats(0.1, 5.0), st.integers(1, 2), seeds)
@example(_ill_conditioned_logistic(), 1.0, 3.0, 1, 0).via("kappa = 150 at alpha = 2/(L+mu)")
@settings(max_examples=15)
def test_sgd_never_exceeds_the_bound_on_logistic_regression(problem, frac, dist, batch, seed):
    """The same bound with the valid (not attained) mu, L, M of logistic regression, kappa<=200."""
    alpha = frac * theory.max_step(problem.mu, problem.L)
    w0 = start_point(problem, np.random.default_rng(seed), dist)
    res = simulate(
        problem, alpha=alpha, steps=40, trajectories=2048, seed=seed, w0=w0, batch=batch, **RUN
    )
    check = check_upper_bound(res, _bound(problem, res), delta=DELTA, atol=_rounding(problem, res))
    assert check.passed, (check.worst_z, check.worst_z_step, check.worst_ratio)


@given(quadratic_problems(), st.floats(0.05, 1.5), st.integers(1, 3), seeds)
@example(QuadraticProblem(hessian=np.diag([0.5, 50.0]), data=[[0.0, 0.0], [1.0, -1.0]]), 1.0, 1, 0)
@settings(max_examples=25)
def test_simulation_matches_the_exact_second_moment(problem, frac, batch, seed):
    """Two-sided test against the closed-form recursion, every step, delta = 1e-9 (also for
    steps up to 1.5x the lecture's limit, where the recursion is still exact while it converges)."""
    alpha = frac * theory.max_step(problem.mu, problem.L)
    if alpha * problem.L >= 2:
        alpha = 1.9 / problem.L
    w0 = start_point(problem, np.random.default_rng(seed), 1.0)
    res = simulate(
        problem, alpha=alpha, steps=40, trajectories=2048, seed=seed, w0=w0, batch=batch, **RUN
    )
    exact = problem.exact_mean_sq_dist(alpha=alpha, steps=40, w0=w0, batch=batch)
    check = check_exact(res, exact, delta=DELTA)
    assert check.passed, (check.worst_abs_z, check.worst_step)


def _isotropic_run(seed=1, trajectories=20000, steps=120):
    rng = np.random.default_rng(seed)
    problem = QuadraticProblem(hessian=0.8 * np.eye(3), data=rng.normal(size=(16, 3)))
    alpha = 0.6 / problem.mu  # alpha mu = 0.6: (1 - alpha mu)^2 = 0.16, noise ball reached fast
    res = simulate(
        problem,
        alpha=alpha,
        steps=steps,
        trajectories=trajectories,
        seed=seed,
        w0=problem.w_star,
        **RUN,
    )
    return problem, res


def test_bound_is_attained_for_isotropic_hessian():
    """H = mu I makes every inequality of the slide an equality: b_t is the exact second moment.

    So the two-sided exact check against the lecture's recursion passes (delta = 1e-9) and the
    last step, where b_T equals the noise ball alpha M/(2 mu - alpha mu^2) up to 0.16^120 of it,
    lies within z * stderr of the noise ball (z for delta = 1e-9, two-sided, one test).
    """
    problem, res = _isotropic_run()
    bound = _bound(problem, res)
    np.testing.assert_allclose(
        bound, problem.exact_mean_sq_dist(alpha=res.alpha, steps=res.steps, w0=res.w0), rtol=1e-12
    )
    assert check_exact(res, bound, delta=DELTA).passed
    ball = theory.noise_ball(problem.mu, problem.M, res.alpha)
    assert abs(ball - bound[-1]) <= 1e-12 * ball
    assert (
        abs(res.mean_sq_dist[-1] - ball) <= z_threshold(DELTA, 1, two_sided=True) * res.stderr[-1]
    )


def test_wrong_bounds_are_rejected_on_the_tight_problem():
    """Mutants of the recursion must fail check_upper_bound where the true bound is attained:
    dropping the alpha^2 M term (bound -> 0), and a noise ball alpha M/(2 mu) that forgets the
    -alpha mu^2 (here 30% too small). The statistic exceeds 5 z (delta = 1e-9)."""
    problem, res = _isotropic_run()
    rho, T = (1 - res.alpha * problem.mu) ** 2, res.steps
    no_noise = theory.sgd_bound(problem.mu, 0.0, res.alpha, 0.0, T)
    wrong_ball = res.alpha * problem.M / (2 * problem.mu) * (1 - rho ** np.arange(T + 1))
    for wrong in (no_noise, wrong_ball):
        check = check_upper_bound(res, wrong, delta=DELTA)
        assert not check.passed
        assert check.worst_z > 5 * check.z_threshold


@pytest.mark.parametrize("mutation", ["half step", "sign error"])
def test_wrong_simulator_is_rejected_by_check_exact(monkeypatch, mutation):
    """A simulator with alpha/2 or with the gradient's sign flipped fails the exact check."""
    original = array_engine.run_chunk

    def mutant(spec, *, alpha, **kw):
        return original(spec, alpha=alpha / 2 if mutation == "half step" else -alpha, **kw)

    monkeypatch.setattr(array_engine, "run_chunk", mutant)
    rng = np.random.default_rng(7)
    problem = QuadraticProblem(
        hessian=hessian_with_spectrum(rng, np.array([0.5, 2.0])), data=rng.normal(size=(10, 2))
    )
    w0 = problem.w_star + np.array([1.0, 1.0])
    res = simulate(problem, alpha=0.4, steps=30, trajectories=4096, seed=3, w0=w0, **RUN)
    check = check_exact(res, problem.exact_mean_sq_dist(alpha=0.4, steps=30, w0=w0), delta=DELTA)
    assert not check.passed


@given(st.floats(0.05, 5.0), st.floats(1.0, 500.0), seeds)
@example(1.0, 1.0, 0).via("mu = L: rate 0, converges in one step")
@example(0.1, 100.0, 0).via("kappa = 100")
@settings(max_examples=20)
def test_noise_free_sgd_attains_the_gd_rate(mu, kappa, seed):
    """All x_i equal => M = 0, SGD = GD, and at alpha = 2/(L+mu) with eigenvalues mu and L,
    |w_t - w*| = ((L-mu)/(L+mu))^t |w_0 - w*| exactly (slide "GD Converges (continued)"): every
    trajectory is the same (stderr 0), so the check is exact up to the float allowance of
    _rounding (plus rtol = 1e-9, which covers the rotations). The SGD bound
    (1 - alpha mu)^2t e0 is attained: worst ratio 1."""
    rng = np.random.default_rng(seed)
    L = mu * kappa
    problem = QuadraticProblem(
        hessian=hessian_with_spectrum(rng, np.array([mu, L])),
        data=np.tile(rng.normal(size=2), (4, 1)),
    )
    assert problem.M == 0.0  # four equal rows: their mean is exact in binary floating point
    alpha = theory.optimal_step(mu, L)
    w0 = problem.w_star + rng.normal(size=2)
    res = simulate(problem, alpha=alpha, steps=25, trajectories=64, seed=seed, w0=w0, **RUN)
    rate = theory.gd_contraction(mu, L, alpha)
    assert rate == pytest.approx((L - mu) / (L + mu), rel=1e-12, abs=1e-15)
    e0_sq = float(np.sum((w0 - problem.w_star) ** 2))
    attained = rate ** (2 * np.arange(26)) * e0_sq
    rounding = _rounding(problem, res)
    assert check_exact(res, attained, delta=DELTA, atol=rounding).passed
    bound = check_upper_bound(res, _bound(problem, res), delta=DELTA, atol=rounding)
    assert bound.passed
    assert bound.worst_ratio >= 1 - 1e-9


@given(st.floats(0.05, 5.0), st.floats(2.0, 200.0), st.floats(0.1, 0.9), seeds)
@example(1.0, 100.0, 0.1, 0).via("kappa = 100, just past 2/(L+mu)")
@settings(max_examples=20)
def test_bound_fails_beyond_the_step_condition(mu, kappa, frac, seed):
    """Necessity: for alpha in (2/(L+mu), 2/L) and w0 - w* along the L-eigenvector, the
    simulated E|w_t-w*|^2 exceeds the bound, detected at family-wise level delta = 1e-9.

    Noise only along the L-eigenvector (M = L^2 Var(s)) so that every term of the exact second
    moment dominates the bound's: |1 - alpha L| > 1 - alpha mu. The noise is small, so the
    stderr is small and the excess ((alpha L - 1)/(1 - alpha mu))^(2t) - 1 is many stderrs.
    """
    rng = np.random.default_rng(seed)
    L = mu * kappa
    q = hessian_with_spectrum(rng, np.array([1.0, 2.0]))
    v_mu, v_L = np.linalg.eigh(q)[1].T
    problem = QuadraticProblem(
        hessian=mu * np.outer(v_mu, v_mu) + L * np.outer(v_L, v_L),
        data=1e-3 * rng.normal(size=(12, 1)) * v_L,
    )
    lo, hi = theory.max_step(mu, L), 2 / L
    alpha = lo + frac * (hi - lo)
    w0 = problem.w_star + v_L
    exact = problem.exact_mean_sq_dist(alpha=alpha, steps=200, w0=w0)
    res = simulate(problem, alpha=alpha, steps=200, trajectories=1024, seed=seed, w0=w0, **RUN)
    bound = _bound(problem, res)
    assert np.all(exact[1:] > bound[1:])
    assert not check_upper_bound(res, bound, delta=DELTA).passed


@given(quadratic_problems(max_dim=4), st.floats(0.05, 1.0), seeds)
@settings(max_examples=15)
def test_mean_iterate_is_gradient_descent_on_quadratics(problem, frac, seed):
    """Slide "SGD": E[w_t] = GD path. Tolerance derived exactly: in the eigenbasis coordinate k
    of the mean iterate has variance Var(z_tk)/N with Var(z_tk) = E z_tk^2 - (E z_tk)^2 known in
    closed form; z-threshold for delta = 1e-9 two-sided over (T+1) d values. Where the variance
    is zero (no noise in that coordinate) the agreement must be to float rounding."""
    alpha = frac * theory.max_step(problem.mu, problem.L)
    rng = np.random.default_rng(seed)
    w0 = start_point(problem, rng, 2.0)
    n_traj, steps = 2048, 30
    res = simulate(problem, alpha=alpha, steps=steps, trajectories=n_traj, seed=seed, w0=w0, **RUN)
    gd = problem.gd_path(alpha=alpha, steps=steps, w0=w0)
    mean, second = problem.eigen_moments(alpha=alpha, steps=steps, w0=w0)
    dev = (res.mean_w - gd) @ problem.eigvecs
    var = np.maximum(second - mean**2, 0.0)
    zthr = z_threshold(DELTA, (steps + 1) * problem.dim, two_sided=True)
    rounding = 1e-9 * (1 + np.abs(mean) + np.sqrt(second))
    assert np.all(np.abs(dev) <= zthr * np.sqrt(var / n_traj) + rounding)


def _enumerate_logistic(problem, alpha, steps, w0):
    """Exact E[w_t] and Var[w_t] (d = 1) by enumerating all n^t index paths."""
    means, variances = [], []
    for t in range(steps + 1):
        ws = []
        for seq in itertools.product(range(problem.n), repeat=t):
            w = np.array(w0, dtype=float)
            for i in seq:
                a, y = problem.features[i], problem.labels[i]
                w = w - alpha * (-y / (1 + np.exp(y * (a @ w))) * a + problem.l2 * w)
            ws.append(w[0])
        means.append(np.mean(ws))
        variances.append(np.var(ws))
    return np.array(means), np.array(variances)


def test_mean_iterate_is_not_gradient_descent_on_logistic_regression():
    """The slide's identity uses E[grad f(w_t)] = grad h(E w_t), true only for linear gradients.

    A 1-d logistic problem with two very different examples: the exact E[w_t] (enumeration of
    all 2^t paths) differs from the GD path for t >= 2 (at t = 1 they agree: w0 is fixed). The
    simulation (i) agrees with the enumeration at every step within z * sqrt(Var/N) (two-sided,
    delta = 1e-9 over the steps), and (ii) differs from GD by more than z * stderr at some step,
    with stderr from the simulation itself (Var(w_t) = E(w_t - w*)^2 - (E w_t - w*)^2 in d = 1).
    """
    problem = LogisticRegressionProblem(features=[[4.0], [-0.5]], labels=[1.0, 1.0], l2=0.05)
    alpha, steps, n_traj, w0 = 1.0, 8, 200_000, np.array([-1.5])
    res = simulate(problem, alpha=alpha, steps=steps, trajectories=n_traj, seed=1, w0=w0, **RUN)
    gd = problem.gd_path(alpha=alpha, steps=steps, w0=w0)[:, 0]
    mean, var = _enumerate_logistic(problem, alpha, steps, w0)
    zthr = z_threshold(DELTA, steps + 1, two_sided=True)
    sim_mean = res.mean_w[:, 0]
    assert np.all(np.abs(sim_mean - mean) <= zthr * np.sqrt(var / n_traj) + 1e-12)
    assert abs(mean[1] - gd[1]) <= 1e-12  # one step from a fixed point is a GD step
    sim_var = res.mean_sq_dist - (sim_mean - problem.w_star[0]) ** 2
    z = np.abs(sim_mean - gd)[2:] / np.sqrt(sim_var[2:] / n_traj)
    assert z.max() > zthr
