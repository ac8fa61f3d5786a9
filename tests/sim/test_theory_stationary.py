"""The stationary covariance Σ = (I − αH)Σ(I − αH) + α²C: closed form, SciPy's Lyapunov solver, the
iterated covariance recursion and an exact SymPy solve of the linear system."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import theory


def _random_problem(seed, d):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.sort(rng.uniform(0.2, 5.0, size=d))
    root = rng.normal(size=(d, d))
    return q @ np.diag(lam) @ q.T, root @ root.T, lam


@given(st.integers(1, 6), st.integers(0, 2**32 - 1), st.floats(0.01, 0.99))
@settings(max_examples=30)
def test_closed_form_solver_and_iteration_agree(d, seed, frac):
    h, cov, lam = _random_problem(seed, d)
    alpha = frac * 2 / lam[-1]
    closed = theory.stationary_covariance(h, cov, alpha)
    solver = theory.stationary_covariance_lyapunov(h, cov, alpha)
    scale = np.max(np.abs(closed))
    np.testing.assert_allclose(solver, closed, rtol=1e-8, atol=1e-10 * scale)
    m = np.eye(d) - alpha * h
    np.testing.assert_allclose(m @ closed @ m + alpha**2 * cov, closed, atol=1e-10 * scale)
    lam_h, q = np.linalg.eigh(h)
    noise_var = np.einsum("ik,ij,jk->k", q, cov, q)
    assert theory.stationary_mean_sq_dist(lam_h, noise_var, alpha) == pytest.approx(
        np.trace(closed), rel=1e-9
    )


def test_iterating_the_covariance_recursion_converges_to_it():
    h, cov, lam = _random_problem(7, 3)
    alpha = 1.5 / lam[-1]
    p = np.zeros((3, 3))
    m = np.eye(3) - alpha * h
    for _ in range(4000):
        p = m @ p @ m + alpha**2 * cov
    np.testing.assert_allclose(p, theory.stationary_covariance(h, cov, alpha), rtol=1e-10)


def test_exact_sympy_solution_of_the_linear_system():
    """vec(S) = (I - A (x) A)^{-1} vec(a^2 C) solved in rationals for a non-diagonal H."""
    h = sp.Matrix([[3, 1], [1, 2]]) / 2
    c = sp.Matrix([[2, sp.Rational(1, 2)], [sp.Rational(1, 2), 1]])
    alpha = sp.Rational(1, 3)
    a = sp.eye(2) - alpha * h
    kron = sp.Matrix(sp.BlockMatrix([[a[i, j] * a for j in range(2)] for i in range(2)]))
    vec = (sp.eye(4) - kron).solve(alpha**2 * c.reshape(4, 1))
    exact = vec.reshape(2, 2)
    assert sp.simplify(a * exact * a.T + alpha**2 * c - exact) == sp.zeros(2, 2)
    got = theory.stationary_covariance(np.array(h, dtype=float), np.array(c, dtype=float), 1 / 3)
    np.testing.assert_allclose(got, np.array(exact, dtype=float), rtol=1e-13)


@given(st.floats(0.01, 10.0), st.floats(0.01, 1.99), st.integers(1, 5), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_reduces_to_the_lecture_noise_ball_at_h_mu_i(mu, x, d, seed):
    rng = np.random.default_rng(seed)
    root = rng.normal(size=(d, d))
    cov = root @ root.T
    alpha = x / mu
    sigma = theory.stationary_covariance(mu * np.eye(d), cov, alpha)
    np.testing.assert_allclose(sigma, alpha * cov / (2 * mu - alpha * mu**2), rtol=1e-10)
    M = float(np.trace(cov))
    assert np.trace(sigma) == pytest.approx(theory.noise_ball(mu, M, alpha), rel=1e-10)
    assert theory.stationary_mean_sq_dist(np.full(d, mu), np.diag(cov), alpha) == pytest.approx(
        theory.noise_ball(mu, M, alpha), rel=1e-12
    )


@pytest.mark.parametrize(
    "wrong",
    [
        lambda lam, q, ct, a: (
            q @ (a * a * ct / (1 - np.outer(1 - a * lam, 1 - a * lam) ** 2)) @ q.T
        ),
        lambda lam, q, ct, a: q @ np.diag(a * a * np.diag(ct) / (1 - (1 - a * lam) ** 2)) @ q.T,
        lambda lam, q, ct, a: a * (q @ ct @ q.T) / (2 * lam.min()),
    ],
    ids=["(1 - q_j q_k)^2", "diagonal only", "alpha C / (2 mu)"],
)
def test_fixed_point_residual_rejects_a_wrong_formula(wrong):
    h, cov, lam = _random_problem(3, 3)
    lam, q = np.linalg.eigh(h)
    alpha = 0.7 / lam[-1]
    bad = wrong(lam, q, q.T @ cov @ q, alpha)
    m = np.eye(3) - alpha * h
    assert np.max(np.abs(m @ bad @ m + alpha**2 * cov - bad)) > 1e-3 * np.max(np.abs(bad))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: theory.stationary_covariance(np.eye(2), np.eye(2), 2.0),
            r"alpha must be in \(0, 2/L\)",
        ),
        (lambda: theory.stationary_covariance_lyapunov(np.eye(2), np.eye(2), 0.0), "alpha must be"),
        (lambda: theory.stationary_covariance(np.eye(2), -np.eye(2), 0.1), "positive semidefinite"),
        (
            lambda: theory.stationary_covariance(np.array([[1, 1], [0, 1.0]]), np.eye(2), 0.1),
            "symmetric",
        ),
        (lambda: theory.stationary_covariance(np.eye(2), np.eye(3), 0.1), "match"),
        (lambda: theory.stationary_mean_sq_dist([1.0, 4.0], [1.0, 1.0], 0.5), r"\(0, 2/L\)"),
        (lambda: theory.stationary_mean_sq_dist([1.0, -1.0], [1.0, 1.0], 0.1), "eigvals"),
    ],
)
def test_bad_stationary_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
