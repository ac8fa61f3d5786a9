"""Polyak-Ruppert averaging: exact rational recursions of the joint (iterate, running sum) moments,
every index path of a small finite sum, the augmented matrix recursion, mpmath, and the limit."""

from __future__ import annotations

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import theory

small = st.fractions(min_value=Fraction(1, 20), max_value=3, max_denominator=20)


def _joint_recursion(q, alpha, M, e0_sq, n):
    """E s_n^2 / n^2 with s_n = e_0 + ... + e_{n-1}, e_{t+1} = q e_t - alpha xi_t, exactly.

    Tracks (E e_t^2, E e_t s_t, E s_t^2) for s_t = sum_{j<t} e_j: s_{t+1} = s_t + e_t.
    """
    ee, es, ss = e0_sq, Fraction(0), Fraction(0)
    for _ in range(n):
        ee, es, ss = q * q * ee + alpha * alpha * M, q * (es + ee), ss + 2 * es + ee
    return ss / (n * n)


def _issue_formula(mu, M, alpha, e0_sq, n):
    q = 1 - alpha * mu
    return ((1 - q**n) / (n * alpha * mu)) ** 2 * e0_sq + M / (n * n * mu * mu) * sum(
        (1 - q**m) ** 2 for m in range(1, n)
    )


@given(small, small, small, st.fractions(0, 10, max_denominator=10), st.integers(1, 25))
@example(Fraction(1), Fraction(1), Fraction(1), Fraction(1), 1).via("n = 1: the average is w_0")
@example(Fraction(1), Fraction(1), Fraction(2), Fraction(1), 4).via("q = -1: unstable, still exact")
@settings(max_examples=40)
def test_closed_form_is_the_exact_joint_recursion(mu, M, alpha, e0_sq, n):
    exact = _joint_recursion(1 - alpha * mu, alpha, M, e0_sq, n)
    assert exact == _issue_formula(mu, M, alpha, e0_sq, n)  # the identity, exactly
    got = theory.polyak_ruppert_isotropic(float(mu), float(M), float(alpha), float(e0_sq), n)
    assert got == pytest.approx(float(exact), rel=1e-12, abs=1e-300)


def test_over_every_index_path_of_a_finite_sum():
    """f_i = mu/2 (w - x_i)^2 in 1-D: average w_0..w_{n-1} over all index sequences, exactly."""
    mu, alpha, xs, w0 = Fraction(2), Fraction(1, 3), [Fraction(-1), Fraction(0), Fraction(4)], 2
    k, xbar = len(xs), sum(xs) / len(xs)
    M = sum((mu * (x - xbar)) ** 2 for x in xs) / k
    for n in range(1, 6):
        total = Fraction(0)
        for path in itertools.product(range(k), repeat=n - 1):  # xi_{n-1} does not enter
            w, acc = Fraction(w0), Fraction(0)
            for i in path:
                acc += w
                w -= alpha * mu * (w - xs[i])
            acc += w
            total += (acc / n - xbar) ** 2
        assert total / k ** (n - 1) == _issue_formula(mu, M, alpha, (w0 - xbar) ** 2, n)


def _augmented_matrix_recursion(h, cov, alpha, e0, steps, start):
    """E||mean(w_k..w_t) - w*||^2 from the 2d-dimensional second moment of (e_t, A_t),
    A_t = sum_{s=k}^{t} e_s, with no eigenbasis."""
    d = h.shape[0]
    m = np.eye(d) - alpha * h
    p = np.zeros((2 * d, 2 * d))
    p[:d, :d] = np.outer(e0, e0)
    if start == 0:
        p[d:, :d] = p[:d, d:] = p[d:, d:] = np.outer(e0, e0)
    out = [np.nan] * (steps + 1)
    if start == 0:
        out[0] = float(e0 @ e0)
    for t in range(steps):
        include = 1.0 if t + 1 >= start else 0.0
        fresh = 1.0 if t + 1 == start else 0.0
        # e' = m e - a xi; A' = keep * A + include * e'  (A restarts at k).
        keep = 0.0 if fresh else 1.0
        top = np.hstack([m, np.zeros((d, d))])
        bottom = np.hstack([include * m, keep * np.eye(d)])
        t_mat = np.vstack([top, bottom])
        g = np.vstack([-alpha * np.eye(d), -include * alpha * np.eye(d)])
        p = t_mat @ p @ t_mat.T + g @ cov @ g.T
        if t + 1 >= start:
            out[t + 1] = np.trace(p[d:, d:]) / (t + 2 - start) ** 2
    return np.array(out)


@given(st.integers(1, 3), st.integers(0, 2**32 - 1), st.integers(0, 6), st.floats(0.05, 1.2))
@settings(max_examples=25)
def test_start_k_matches_the_augmented_matrix_recursion(d, seed, start, a_lam):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = rng.uniform(0.3, 2.0, size=d)
    h = q @ np.diag(lam) @ q.T
    root = rng.normal(size=(d, d))
    cov = root @ root.T
    e0 = rng.normal(size=d)
    alpha, steps = a_lam / lam.max(), 25
    got = theory.averaged_mean_sq_dist(
        lam, np.einsum("ik,ij,jk->k", q, cov, q), alpha, q.T @ e0, steps, start
    )
    want = _augmented_matrix_recursion(h, cov, alpha, e0, steps, start)
    assert np.all(np.isnan(got[:start]))
    assert not np.any(np.isnan(got[start:]))
    np.testing.assert_allclose(got[start:], want[start:], rtol=1e-10)


def test_start_zero_entry_t_is_the_classical_average_of_t_plus_one_iterates():
    got = theory.averaged_mean_sq_dist([0.7], [2.0], 0.3, [1.5], 40)
    want = [theory.polyak_ruppert_isotropic(0.7, 2.0, 0.3, 2.25, t + 1) for t in range(41)]
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_small_steps_keep_full_precision_against_mpmath():
    """alpha mu = 1e-7: 1 - q^m must not cancel; mpmath at 50 digits is the reference."""
    mu, M, alpha, e0_sq, n = 1.0, 1.0, 1e-7, 4.0, 2000
    mpmath.mp.dps = 50
    q = 1 - mpmath.mpf(alpha) * mu
    want = ((1 - q**n) / (n * mpmath.mpf(alpha) * mu)) ** 2 * e0_sq + mpmath.mpf(M) / (
        n * n * mu * mu
    ) * mpmath.fsum((1 - q**m) ** 2 for m in range(1, n))
    assert theory.polyak_ruppert_isotropic(mu, M, alpha, e0_sq, n) == pytest.approx(
        float(want), rel=1e-12
    )
    got = theory.averaged_mean_sq_dist([mu], [M], alpha, [2.0], n - 1)[-1]
    assert got == pytest.approx(float(want), rel=1e-11)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda mu, M, a, e, n: (
            _issue_formula(mu, M, a, e, n) + M / (n * n * mu * mu) * (1 - (1 - a * mu) ** n) ** 2
        ),  # sum to n, not n - 1
        lambda mu, M, a, e, n: (
            ((1 - (1 - a * mu) ** n) / (n * a * mu)) * e
            + M / (n * n * mu * mu) * sum((1 - (1 - a * mu) ** m) ** 2 for m in range(1, n))
        ),
        lambda mu, M, a, e, n: _issue_formula(mu, M, a, e, n) * mu,  # M/(n^2 mu) scaling
    ],
    ids=["sum to n", "bias not squared", "M/mu not M/mu^2"],
)
def test_the_exact_recursion_rejects_a_wrong_formula(wrong):
    mu, M, a, e = Fraction(3, 2), Fraction(2), Fraction(1, 5), Fraction(3)
    assert any(
        _joint_recursion(1 - a * mu, a, M, e, n) != wrong(mu, M, a, e, n) for n in range(2, 8)
    )


@given(st.integers(1, 4), st.integers(0, 2**32 - 1), st.floats(0.05, 1.9))
@settings(max_examples=10)
def test_polyak_juditsky_limit(d, seed, a_l):
    """n E||wbar_n - w*||^2 -> tr(H^-1 C H^-1), the error shrinking like 1/n."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = rng.uniform(0.5, 2.0, size=d)
    h = q @ np.diag(lam) @ q.T
    root = rng.normal(size=(d, d))
    cov = root @ root.T
    limit = theory.polyak_juditsky_limit(h, cov)
    hinv = np.linalg.inv(h)
    assert limit == pytest.approx(np.trace(hinv @ cov @ hinv), rel=1e-10)
    c = np.einsum("ik,ij,jk->k", q, cov, q)
    alpha, z0 = a_l / lam.max(), q.T @ rng.normal(size=d)
    n = 2000
    path = theory.averaged_mean_sq_dist(lam, c, alpha, z0, n - 1)
    err_small, err_big = abs(n / 4 * path[n // 4 - 1] - limit), abs(n * path[n - 1] - limit)
    assert err_big < 0.3 * err_small + 1e-12 * limit  # 1/n decay: a factor 4 in n, about 4 in error


def test_limit_rejects_the_wrong_constant():
    """A plain constant-step iterate has n E||e_n||^2 -> infinity; tr(H^-1 C) is not the limit."""
    h, cov = np.diag([0.5, 2.0]), np.diag([1.0, 3.0])
    n = 5000
    got = n * theory.averaged_mean_sq_dist([0.5, 2.0], [1.0, 3.0], 0.2, [0.0, 0.0], n - 1)[-1]
    assert got == pytest.approx(theory.polyak_juditsky_limit(h, cov), rel=5e-3)
    assert abs(got - np.trace(np.linalg.inv(h) @ cov)) > 1.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: theory.polyak_ruppert_isotropic(1.0, 1.0, 0.1, 1.0, 0), "n must be"),
        (lambda: theory.polyak_ruppert_isotropic(1.0, 1.0, 0.0, 1.0, 3), "alpha must be"),
        (lambda: theory.averaged_mean_sq_dist([1.0], [1.0], 0.1, [1.0], 3, -1), "start must be"),
        (lambda: theory.averaged_mean_sq_dist([1.0, 2.0], [1.0], 0.1, [1.0], 3), "alike"),
        (lambda: theory.polyak_juditsky_limit(np.diag([1.0, 0.0]), np.eye(2)), "positive definite"),
    ],
)
def test_bad_averaging_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
