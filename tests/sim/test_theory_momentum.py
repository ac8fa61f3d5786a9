"""Heavy ball on quadratics: the stability region against the spectral radius of T, the stationary
level against SciPy's Lyapunov solver and an exact SymPy fixed point, the transient against the
2d-dimensional matrix recursion and every index path of a small finite sum."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import theory


def _problem(seed, d):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.sort(rng.uniform(0.2, 4.0, size=d))
    root = rng.normal(size=(d, d))
    cov = root @ root.T
    return q @ np.diag(lam) @ q.T, cov, lam, q, np.einsum("ik,ij,jk->k", q, cov, q)


@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(0.01, 5.0), st.floats(-0.99, 0.99))
@example(1, 0, 1.0, 0.0).via("beta = 0: plain SGD")
@settings(max_examples=80)
def test_stability_region_is_the_spectral_radius_condition(d, seed, x, beta):
    h, _, lam, _, _ = _problem(seed, d)
    alpha = x / lam[-1]
    rho = max(abs(np.linalg.eigvals(theory.heavy_ball_matrix(h, alpha, beta))))
    if abs(rho - 1) < 1e-7:
        return  # on the boundary floating point cannot decide
    assert theory.heavy_ball_stable(alpha, beta, lam[-1]) == (rho < 1)


def test_stability_region_rejects_the_plain_sgd_condition():
    """alpha L < 2 is not the region: at beta = 0.5, alpha L = 2.5 is stable, and at beta = -0.5,
    alpha L = 1.5 is not."""
    for alpha, beta, stable in ((2.5, 0.5, True), (1.5, -0.5, False)):
        rho = max(abs(np.linalg.eigvals(theory.heavy_ball_matrix(np.eye(1), alpha, beta))))
        assert (rho < 1) == stable == theory.heavy_ball_stable(alpha, beta, 1.0)
        assert (alpha * 1.0 < 2) != stable
    assert not theory.heavy_ball_stable(0.1, 1.0, 1.0)


@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(0.05, 0.95), st.floats(0.0, 0.95))
@settings(max_examples=30)
def test_stationary_closed_form_matches_the_lyapunov_solver(d, seed, frac, beta):
    h, cov, lam, _, c = _problem(seed, d)
    alpha = frac * 2 * (1 + beta) / lam[-1]
    p = theory.heavy_ball_stationary_covariance(h, cov, alpha, beta)
    t = theory.heavy_ball_matrix(h, alpha, beta)
    noise = np.zeros_like(p)
    noise[:d, :d] = alpha**2 * cov
    scale = np.max(np.abs(p))
    np.testing.assert_allclose(t @ p @ t.T + noise, p, atol=1e-9 * scale)
    level = theory.heavy_ball_stationary_mean_sq_dist(lam, c, alpha, beta)
    assert level == pytest.approx(np.trace(p[:d, :d]), rel=1e-8)


def test_exact_ar2_fixed_point_in_rationals():
    """Solve the 3x3 linear fixed point of (E x^2, E x x_, E x_^2) exactly; compare the formula."""
    a_, b_, lam_, c_ = sp.Rational(1, 3), sp.Rational(3, 5), sp.Rational(2), sp.Rational(7, 4)
    a = 1 + b_ - a_ * lam_
    u, v, s = sp.symbols("u v s")
    sol = sp.solve(
        [a**2 * u - 2 * a * b_ * v + b_**2 * s + a_**2 * c_ - u, a * u - b_ * v - v, u - s],
        [u, v, s],
    )
    formula = (1 + b_) * a_ * c_ / ((1 - b_) * lam_ * (2 * (1 + b_) - a_ * lam_))
    assert sol[u] == formula
    got = theory.heavy_ball_stationary_mean_sq_dist([2.0], [1.75], 1 / 3, 0.6)
    assert got == pytest.approx(float(formula), rel=1e-14)


def _matrix_transient(h, cov, alpha, beta, e0, steps):
    """tr of the top-left block of P_{t+1} = T P_t T^T + diag(a^2 C, 0), z_0 = (e0, e0)."""
    d = h.shape[0]
    t = theory.heavy_ball_matrix(h, alpha, beta)
    z0 = np.concatenate([e0, e0])
    p = np.outer(z0, z0)
    noise = np.zeros_like(p)
    noise[:d, :d] = alpha**2 * cov
    out = [np.trace(p[:d, :d])]
    for _ in range(steps):
        p = t @ p @ t.T + noise
        out.append(np.trace(p[:d, :d]))
    return np.array(out)


@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(0.05, 1.2), st.floats(0.0, 0.95))
@settings(max_examples=30)
def test_transient_matches_the_matrix_recursion(d, seed, frac, beta):
    h, cov, lam, q, c = _problem(seed, d)
    alpha = frac * 2 * (1 + beta) / lam[-1]  # frac > 1: unstable, the identity still holds
    e0 = np.random.default_rng(seed + 1).normal(size=d)
    got = theory.heavy_ball_mean_sq_dist(lam, c, alpha, beta, q.T @ e0, 60)
    want = _matrix_transient(h, cov, alpha, beta, e0, 60)
    np.testing.assert_allclose(got, want, rtol=1e-9)


def test_transient_over_every_index_path_with_w_minus_one_equal_w0():
    """f_i = mu/2 (w - x_i)^2, heavy ball with w_{-1} = w_0, all n^T index paths, exactly."""
    mu, alpha, beta = Fraction(3, 2), Fraction(1, 4), Fraction(1, 2)
    xs, w0 = [Fraction(-2), Fraction(1), Fraction(3)], Fraction(5)
    n, xbar = len(xs), sum(xs) / len(xs)
    var = sum((mu * (x - xbar)) ** 2 for x in xs) / n
    got = theory.heavy_ball_mean_sq_dist([1.5], [float(var)], 0.25, 0.5, [float(w0 - xbar)], 5)
    for steps in range(6):
        total = Fraction(0)
        for path in itertools.product(range(n), repeat=steps):
            prev, w = w0, w0
            for i in path:
                prev, w = w, w - alpha * mu * (w - xs[i]) + beta * (w - prev)
            total += (w - xbar) ** 2
        assert got[steps] == pytest.approx(float(total / n**steps), rel=1e-13)


def test_long_transient_reaches_the_stationary_level():
    _, _, lam, _, c = _problem(11, 3)
    alpha, beta = 0.5 / lam[-1], 0.8
    path = theory.heavy_ball_mean_sq_dist(lam, c, alpha, beta, np.ones(3), 5000)
    level = theory.heavy_ball_stationary_mean_sq_dist(lam, c, alpha, beta)
    assert path[-1] == pytest.approx(level, rel=1e-10)


def test_beta_zero_is_plain_sgd():
    lam, c = np.array([0.5, 2.0]), np.array([1.0, 0.3])
    np.testing.assert_allclose(
        theory.heavy_ball_mean_sq_dist(lam, c, 0.3, 0.0, [1.0, -2.0], 40),
        theory.schedule_mean_sq_dist(lam, c, 0.3, [1.0, -2.0], 40),
        rtol=1e-13,
    )
    assert theory.heavy_ball_stationary_mean_sq_dist([0.5], [2.0], 0.3, 0.0) == pytest.approx(
        theory.noise_ball(0.5, 2.0, 0.3), rel=1e-14
    )


@pytest.mark.parametrize(
    "wrong",
    [
        lambda a, b, lam, c: np.sum(a * c / (lam * (2 - a * lam))),  # no momentum factor
        lambda a, b, lam, c: np.sum((1 + b) * a * c / ((1 - b) * lam * (2 - a * lam))),
        lambda a, b, lam, c: np.sum(a * c / ((1 - b) * lam * (2 * (1 + b) - a * lam))),
    ],
    ids=["plain SGD level", "2 - alpha lambda", "no (1 + beta)"],
)
def test_lyapunov_solver_rejects_a_wrong_stationary_formula(wrong):
    h, cov, lam, _, c = _problem(5, 2)
    alpha, beta = 0.6 / lam[-1], 0.7
    p = theory.heavy_ball_stationary_covariance(h, cov, alpha, beta)
    assert wrong(alpha, beta, lam, c) != pytest.approx(np.trace(p[:2, :2]), rel=1e-3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: theory.heavy_ball_matrix(np.eye(2), 0.1, 1.0),
            r"beta must be a number in \(-1, 1\)",
        ),
        (
            lambda: theory.heavy_ball_stationary_covariance(np.eye(2), np.eye(2), 4.5, 0.5),
            "stability region",
        ),
        (
            lambda: theory.heavy_ball_stationary_mean_sq_dist([1.0], [1.0], 4.5, 0.5),
            "stability region",
        ),
        (
            lambda: theory.heavy_ball_mean_sq_dist([1.0], [1.0], 0.1, 0.5, [1.0], -1),
            "steps must be",
        ),
        (lambda: theory.heavy_ball_stable(0.0, 0.5, 1.0), "alpha must be"),
    ],
)
def test_bad_momentum_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_beta_of_the_wrong_type_is_named():
    with pytest.raises(TypeError, match="beta must be a real number, got str"):
        theory.heavy_ball_stable(0.1, "0.5", 1.0)
    with pytest.raises(TypeError, match="beta must be a real number, got bool"):
        theory.heavy_ball_matrix(np.eye(1), 0.1, True)
