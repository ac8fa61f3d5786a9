"""The theory functions against independent closed forms and each other."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import theory

mus = st.floats(0.01, 10.0)
kappas = st.floats(1.0, 1000.0)
fracs = st.floats(0.001, 1.0)


@given(mus, kappas, fracs, st.floats(0.0, 100.0), st.floats(0.0, 10.0), st.integers(0, 300))
@example(1.0, 1.0, 1.0, 1.0, 1.0, 5).via("mu = L at alpha = 2/(L+mu) = 1/mu: one-step convergence")
@settings(max_examples=40)
def test_sgd_bound_matches_closed_form(mu, kappa, frac, M, e0_sq, steps):
    """b_t = rho^t b_0 + alpha^2 M (1 - rho^t)/(1 - rho), rho = (1 - alpha mu)^2 (geometric sum)."""
    L = mu * kappa
    alpha = frac * theory.max_step(mu, L)
    rho = (1 - alpha * mu) ** 2
    t = np.arange(steps + 1)
    geometric = t.astype(float) if rho == 1 else (1 - rho**t) / (1 - rho)
    closed = rho**t * e0_sq + alpha**2 * M * geometric
    np.testing.assert_allclose(
        theory.sgd_bound(mu, M, alpha, e0_sq, steps), closed, rtol=1e-9, atol=1e-300
    )


@given(mus, st.floats(0.0, 100.0), st.floats(0.001, 1.999))
def test_noise_ball_is_the_fixed_point_of_the_recursion(mu, M, x):
    alpha = x / mu
    b = theory.noise_ball(mu, M, alpha)
    assert (1 - alpha * mu) ** 2 * b + alpha**2 * M == pytest.approx(b, rel=1e-9, abs=1e-300)


def test_noise_ball_without_noise_is_the_optimum():
    """At M = 0 SGD is GD and its fixed point is w* (distance 0)."""
    assert theory.noise_ball(2.0, 0.0, 0.3) == 0.0


@given(mus, kappas)
def test_optimal_step_gives_the_slide_rate(mu, kappa):
    L = mu * kappa
    alpha = theory.optimal_step(mu, L)
    assert theory.gd_contraction(mu, L, alpha) == pytest.approx(
        (L - mu) / (L + mu), rel=1e-12, abs=1e-15
    )
    assert theory.max_step(mu, L) == alpha
    # Any other step contracts no better (convex max of |1 - alpha lambda|).
    for other in (0.5 * alpha, 0.99 * alpha, 1.01 * alpha, 1.5 * alpha):
        assert theory.gd_contraction(mu, L, other) >= theory.gd_contraction(mu, L, alpha) * (
            1 - 1e-12
        )


@given(mus, st.floats(1.01, 1000.0), st.floats(0.01, 0.99))
def test_beyond_max_step_the_contraction_exceeds_one_minus_alpha_mu(mu, kappa, f):
    """The condition alpha <= 2/(L+mu) is exactly what (1 - alpha mu) >= contraction needs."""
    L = mu * kappa
    alpha = theory.max_step(mu, L) + f * (2 / L - theory.max_step(mu, L))
    assert theory.gd_contraction(mu, L, alpha) > 1 - alpha * mu


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: theory.sgd_bound(0.0, 1.0, 0.1, 1.0, 3), "mu must be"),
        (lambda: theory.sgd_bound(1.0, -1.0, 0.1, 1.0, 3), "M must be"),
        (lambda: theory.sgd_bound(1.0, 1.0, -0.1, 1.0, 3), "alpha must be"),
        (lambda: theory.sgd_bound(1.0, 1.0, 0.1, 1.0, -3), "steps must be"),
        (lambda: theory.noise_ball(1.0, 1.0, 2.0), "alpha must be < 2/mu"),
        (lambda: theory.optimal_step(2.0, 1.0), "mu must be <= L"),
        (lambda: theory.gd_contraction(1.0, 2.0, np.nan), "alpha must be"),
    ],
)
def test_bad_theory_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
