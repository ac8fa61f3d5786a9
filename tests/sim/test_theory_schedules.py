"""Step schedules: exact rational recursions, every index path of a small finite sum, the matrix
covariance recursion, and the θ/t bound of Nemirovski, Juditsky, Lan and Shapiro."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import theory

rationals = st.fractions(min_value=Fraction(1, 10), max_value=10, max_denominator=20)


def _exact_isotropic(mu, M, b0, alphas):
    """b_{t+1} = (1 - alpha_t mu)^2 b_t + alpha_t^2 M in Fractions."""
    out = [b0]
    for a in alphas:
        out.append((1 - a * mu) ** 2 * out[-1] + a * a * M)
    return out


@given(rationals, rationals, st.fractions(0, 100, max_denominator=20), st.integers(1, 40))
@example(Fraction(1), Fraction(1), Fraction(0), 1).via("e0 = 0, one step")
@settings(max_examples=30)
def test_inverse_time_is_exact_for_every_start(mu, M, b0, steps):
    alphas = [1 / (mu * (t + 1)) for t in range(steps)]
    exact = _exact_isotropic(mu, M, b0, alphas)
    for t in range(1, steps + 1):
        assert exact[t] == M / (mu * mu * t)  # the identity, exactly
    got = theory.inverse_time_isotropic(float(mu), float(M), steps)
    assert np.isnan(got[0])
    np.testing.assert_allclose(got[1:], [float(x) for x in exact[1:]], rtol=1e-13)


def test_inverse_time_over_every_index_path_of_a_finite_sum():
    """E over all n^T index sequences of (w_T - w*)^2 for f_i = mu/2 (w - x_i)^2, exactly."""
    mu, xs, w0 = Fraction(3, 2), [Fraction(-2), Fraction(1), Fraction(4)], Fraction(7)
    n, xbar = len(xs), sum(xs) / len(xs)
    M = sum((mu * (x - xbar)) ** 2 for x in xs) / n  # E (grad f_i - grad h)^2, state-free
    for steps in range(1, 6):
        total = Fraction(0)
        for path in itertools.product(range(n), repeat=steps):
            w = w0
            for t, i in enumerate(path):
                w -= mu * (w - xs[i]) / (mu * (t + 1))
            total += (w - xbar) ** 2
        assert total / n**steps == M / (mu * mu * steps)


def test_the_formula_needs_the_first_step_one_over_mu_and_an_isotropic_hessian():
    mu, M, b0 = Fraction(2), Fraction(3), Fraction(5)
    # Shifted schedule 1/(mu (t + 2)): e0 is not erased and the law is no longer M/(mu^2 t).
    shifted = _exact_isotropic(mu, M, b0, [1 / (mu * (t + 2)) for t in range(5)])
    assert all(shifted[t] != M / (mu * mu * t) for t in range(1, 6))
    # A second eigenvalue 2 mu: 1 - 2 mu alpha_0 = -1 keeps e0 along that direction.
    lam, c = np.array([2.0, 4.0]), np.array([1.5, 1.5])
    got = theory.schedule_mean_sq_dist(lam, c, lambda t: 1 / (2.0 * (t + 1)), [1.0, 1.0], 5)
    assert not np.allclose(got[1:], theory.inverse_time_isotropic(2.0, 3.0, 5)[1:], rtol=1e-3)


@pytest.mark.parametrize(
    "wrong",
    [lambda mu, M, t: M / (mu * mu * (t + 1)), lambda mu, M, t: M / (mu * t), lambda mu, M, t: 0],
    ids=["M/(mu^2 (t+1))", "M/(mu t)", "zero"],
)
def test_the_exact_recursion_rejects_a_wrong_law(wrong):
    mu, M = Fraction(5, 2), Fraction(3)
    exact = _exact_isotropic(mu, M, Fraction(1), [1 / (mu * (t + 1)) for t in range(6)])
    assert any(exact[t] != wrong(mu, M, t) for t in range(1, 7))


@given(
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["constant", "array", "callable"]),
)
@settings(max_examples=20)
def test_eigen_recursion_matches_the_matrix_covariance_recursion(d, seed, kind):
    """tr of P_{t+1} = (I - a_t H) P_t (I - a_t H) + a_t^2 C, P_0 = e0 e0^T (no eigenbasis)."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = rng.uniform(0.2, 3.0, size=d)
    h = q @ np.diag(lam) @ q.T
    root = rng.normal(size=(d, d))
    cov = root @ root.T  # not diagonal in H's eigenbasis
    e0 = rng.normal(size=d)
    steps = 30
    a = rng.uniform(0.01, 0.6, size=steps)
    alpha = {"constant": 0.3, "array": a, "callable": lambda t: float(a[t])}[kind]
    seq = np.full(steps, 0.3) if kind == "constant" else a
    p, want = np.outer(e0, e0), [float(e0 @ e0)]
    for at in seq:
        m = np.eye(d) - at * h
        p = m @ p @ m.T + at * at * cov
        want.append(np.trace(p))
    got = theory.schedule_mean_sq_dist(
        lam, np.einsum("ik,ij,jk->k", q, cov, q), alpha, q.T @ e0, steps
    )
    np.testing.assert_allclose(got, want, rtol=1e-11)


def test_constant_step_on_isotropic_is_the_lecture_recursion():
    got = theory.schedule_mean_sq_dist([0.5, 0.5], [1.0, 2.0], 0.4, [1.0, 2.0], 50)
    np.testing.assert_allclose(got, theory.sgd_bound(0.5, 3.0, 0.4, 5.0, 50), rtol=1e-13)


# --- the theta/t bound ------------------------------------------------------------------------


def test_nemirovski_bound_is_the_published_formula_in_our_indexing():
    """Entry t is Q(theta)/j with j = t + 1 (x_j = w_{j-1})."""
    c, theta, M, r1 = Fraction(2), Fraction(3, 4), Fraction(5, 3), Fraction(7)
    q = max(theta**2 * M**2 / (2 * c * theta - 1), r1)
    got = theory.nemirovski_bound(c=2.0, theta=0.75, M=5 / 3, x1_dist_sq=7.0, steps=4)
    np.testing.assert_allclose(got, [float(q / j) for j in range(1, 6)], rtol=1e-14)


def test_repaired_bound_is_its_formula():
    """Q~ = max(theta^2 M^2 / (2 c theta - 1), r1, ceil(2 c theta) M^2 / c^2), each term winning."""
    for c, theta, M, r1, winner in (
        (Fraction(2), Fraction(51, 200), Fraction(3), Fraction(1), "first"),  # 2c theta - 1 small
        (Fraction(1), Fraction(3, 2), Fraction(1, 3), Fraction(9), "r1"),
        (Fraction(1, 2), Fraction(7), Fraction(2), Fraction(1), "ceil"),  # 2c theta = 7
    ):
        terms = {
            "first": theta**2 * M**2 / (2 * c * theta - 1),
            "r1": r1,
            "ceil": math.ceil(2 * c * theta) * M**2 / c**2,
        }
        assert max(terms, key=terms.get) == winner
        got = theory.nemirovski_bound_repaired(
            c=float(c), theta=float(theta), M=float(M), x1_dist_sq=float(r1), steps=3
        )
        np.testing.assert_allclose(got, [float(terms[winner] / j) for j in range(1, 5)], rtol=1e-14)


def _projected_deterministic(c, theta, x1, steps):
    """X = [-1, 1], f = c x^2 / 2, G = grad f: x_{j+1} = Pi_X(x_j - theta/j * c x_j)."""
    xs = [x1]
    for j in range(1, steps):
        xs.append(max(Fraction(-1), min(Fraction(1), xs[-1] - theta / j * c * xs[-1])))
    return xs


def test_the_published_bound_is_false_for_theta_two_over_c():
    """Counterexample to (2.9): ||x_2 - x*||^2 = 1 > Q(2)/2 = 2/3; the repaired bound holds."""
    xs = _projected_deterministic(Fraction(1), Fraction(2), Fraction(1), 3)
    assert xs[1] == -1
    published = theory.nemirovski_bound(c=1.0, theta=2.0, M=1.0, x1_dist_sq=1.0, steps=2)
    assert float(xs[1] ** 2) > published[1] == pytest.approx(2 / 3, rel=1e-15)
    repaired = theory.nemirovski_bound_repaired(c=1.0, theta=2.0, M=1.0, x1_dist_sq=1.0, steps=2)
    assert all(float(x * x) <= b for x, b in zip(xs, repaired, strict=True))


def _path_instance(mu, sigma2, theta, b0, steps):
    """Exact isotropic path and the smallest M^2 valid at its iterates: sigma2 + mu^2 max b_t."""
    alphas = theta / np.arange(1, steps + 1)
    b = theory.schedule_mean_sq_dist([mu], [sigma2], alphas, [np.sqrt(b0)], steps)
    return b, np.sqrt(sigma2 + mu * mu * b.max())


@given(
    st.floats(0.1, 10.0),
    st.floats(1e-3, 1e3),
    st.floats(0.5001, 20.0),
    st.floats(0.0, 1e4),
)
@example(1.0, 0.05, 2.0, 3000.0).via("theta = 2/mu, large start: the published bound fails")
@settings(max_examples=60)
def test_repaired_bound_holds_on_the_exact_path(mu, sigma2, u, b0):
    theta = u / mu
    b, M = _path_instance(mu, sigma2, theta, b0, 200)
    bound = theory.nemirovski_bound_repaired(c=mu, theta=theta, M=M, x1_dist_sq=b0, steps=200)
    assert np.all(b <= bound * (1 + 1e-12))


@given(st.floats(0.1, 10.0), st.floats(1e-3, 1e3), st.floats(0.5001, 0.75), st.floats(0.0, 1e4))
@settings(max_examples=40)
def test_published_bound_holds_for_theta_up_to_three_quarters_over_c(mu, sigma2, u, b0):
    theta = u / mu
    b, M = _path_instance(mu, sigma2, theta, b0, 200)
    bound = theory.nemirovski_bound(c=mu, theta=theta, M=M, x1_dist_sq=b0, steps=200)
    assert np.all(b <= bound * (1 + 1e-12))


def test_published_bound_fails_on_the_exact_path_at_theta_two_over_mu():
    b, M = _path_instance(1.0, 0.05, 2.0, 3000.0, 20)
    bound = theory.nemirovski_bound(c=1.0, theta=2.0, M=M, x1_dist_sq=3000.0, steps=20)
    assert b[1] > 1.4 * bound[1]


def test_at_theta_one_over_mu_the_bound_sits_above_the_exact_law():
    mu, sigma2, b0, steps = 2.0, 3.0, 0.5, 100
    b, M = _path_instance(mu, sigma2, 1 / mu, b0, steps)
    np.testing.assert_allclose(
        b[1:], theory.inverse_time_isotropic(mu, sigma2, steps)[1:], rtol=1e-12
    )
    bound = theory.nemirovski_bound(c=mu, theta=1 / mu, M=M, x1_dist_sq=b0, steps=steps)
    # Attained at t = 1 here (b_1 = M_lecture / mu^2 = Q / 2), within a factor 2 at t = 100.
    assert np.all(b <= bound * (1 + 1e-12))
    assert b[1] == pytest.approx(bound[1], rel=1e-12)
    assert bound[steps] / b[steps] < 2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: theory.nemirovski_bound(c=1.0, theta=0.5, M=1.0, x1_dist_sq=1.0, steps=3),
            "theta must be > 1/\\(2c\\)",
        ),
        (
            lambda: theory.nemirovski_bound_repaired(
                c=0.0, theta=1.0, M=1.0, x1_dist_sq=1.0, steps=3
            ),
            "c must be",
        ),
        (lambda: theory.inverse_time_isotropic(1.0, -1.0, 3), "M must be"),
        (
            lambda: theory.schedule_mean_sq_dist([1.0], [1.0], [0.1, 0.2], [1.0], 3),
            "alpha must be a number or have shape \\(3,\\)",
        ),
        (
            lambda: theory.schedule_mean_sq_dist([1.0], [1.0], lambda t: -1.0, [1.0], 3),
            "alpha must be finite and > 0",
        ),
        (lambda: theory.schedule_mean_sq_dist([0.0], [1.0], 0.1, [1.0], 3), "eigvals"),
    ],
)
def test_bad_schedule_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
