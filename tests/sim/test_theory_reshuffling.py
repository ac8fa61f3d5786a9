"""Random reshuffling: the shuffling radius against brute force over every permutation (Bregman
divergences from function values, in exact rationals), the sandwich bounds, and the RR/SO bound
against the exact second moment over every permutation of every epoch."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import theory


def _radius_brute_force(hessians, centers, gamma):
    """max_i (1/gamma^2) E_pi D_{f_pi_i}(x_*^i, x_*) for f_k = 1/2 (x - c_k)^T A_k (x - c_k),
    with D evaluated from function values (not from the quadratic form), in Fractions."""
    n, d = len(centers), len(centers[0])

    def f(k, x):
        y = [x[r] - centers[k][r] for r in range(d)]
        return sum(y[r] * hessians[k][r][s] * y[s] for r in range(d) for s in range(d)) / 2

    def grad(k, x):
        y = [x[r] - centers[k][r] for r in range(d)]
        return [sum(hessians[k][r][s] * y[s] for s in range(d)) for r in range(d)]

    # x_* solves sum_k A_k (x - c_k) = 0 (2 x 2 at most here: Cramer's rule).
    h = [[Fraction(sum(hessians[k][r][s] for k in range(n))) for s in range(d)] for r in range(d)]
    rhs = [
        Fraction(sum(hessians[k][r][s] * centers[k][s] for k in range(n) for s in range(d)))
        for r in range(d)
    ]
    if d == 1:
        x_star = [rhs[0] / h[0][0]]
    else:
        det = h[0][0] * h[1][1] - h[0][1] * h[1][0]
        x_star = [
            (rhs[0] * h[1][1] - h[0][1] * rhs[1]) / det,
            (h[0][0] * rhs[1] - h[1][0] * rhs[0]) / det,
        ]
    g = [grad(k, x_star) for k in range(n)]
    best = Fraction(0)
    perms = list(itertools.permutations(range(n)))
    for i in range(n):
        total = Fraction(0)
        for pi in perms:
            xi = [x_star[r] - gamma * sum(g[pi[j]][r] for j in range(i)) for r in range(d)]
            k = pi[i]
            gk = g[k]
            total += f(k, xi) - f(k, x_star) - sum(gk[r] * (xi[r] - x_star[r]) for r in range(d))
        best = max(best, total / len(perms) / gamma**2)
    return best, x_star, g


def _integer_instance(draw_n, draw_d, seed):
    rng = np.random.default_rng(seed)
    hess, centers = [], []
    for _ in range(draw_n):
        r = rng.integers(-2, 3, size=(draw_d, draw_d))
        hess.append([[int(v) for v in row] for row in (r @ r.T + np.eye(draw_d, dtype=int))])
        centers.append([int(v) for v in rng.integers(-5, 6, size=draw_d)])
    return hess, centers


@given(st.integers(2, 5), st.integers(1, 2), st.integers(0, 2**32 - 1))
@settings(max_examples=20)
def test_closed_form_radius_matches_every_permutation(n, d, seed):
    hess, centers = _integer_instance(n, d, seed)
    exact, _, g = _radius_brute_force(hess, centers, Fraction(1, 3))
    got = theory.shuffling_radius(np.array(hess, dtype=float), np.array(g, dtype=float))
    assert got == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    # The radius of a quadratic does not depend on gamma (D scales like gamma^2).
    assert _radius_brute_force(hess, centers, Fraction(2))[0] == exact
    assert theory.shuffling_variance(np.array(hess, float), np.array(g, float), 0.25) == (
        pytest.approx(0.25 * float(exact), rel=1e-12, abs=1e-300)
    )


def test_closed_form_holds_for_gradients_that_do_not_sum_to_zero():
    """The expectation formula is general (the proximal setting of [2] has sum g_k != 0):
    average (1/2) S_i^T A_{pi_i} S_i over every permutation, S_i = g_{pi_0} + ... + g_{pi_{i-1}}."""
    rng = np.random.default_rng(8)
    for n in (2, 3, 4, 5):
        g = rng.integers(-4, 5, size=(n, 2)).astype(float)
        a = np.array([np.diag(rng.integers(1, 4, size=2)).astype(float) for _ in range(n)])
        a[:, 0, 1] = 1.0  # not symmetric: only the quadratic form (its symmetric part) enters
        best = 0.0
        for i in range(n):
            vals = []
            for pi in itertools.permutations(range(n)):
                s = g[list(pi[:i])].sum(axis=0)
                vals.append(0.5 * s @ a[pi[i]] @ s)
            best = max(best, float(np.mean(vals)))
        assert theory.shuffling_radius(a, g) == pytest.approx(best, rel=1e-12, abs=1e-300)


def test_common_hessian_and_least_squares_helpers():
    rng = np.random.default_rng(4)
    a, b, lam = rng.normal(size=(6, 3)), rng.normal(size=6), 0.3
    w_star = np.linalg.lstsq(
        np.vstack([a / np.sqrt(6), np.sqrt(lam) * np.eye(3)]),
        np.concatenate([b / np.sqrt(6), np.zeros(3)]),
        rcond=None,
    )[0]
    grads = (a @ w_star - b)[:, None] * a + lam * w_star
    np.testing.assert_allclose(grads.mean(axis=0), 0, atol=1e-12)  # w_* is the minimiser
    hess = np.array([np.outer(r, r) + lam * np.eye(3) for r in a])
    assert theory.least_squares_shuffling_radius(a, b, lam) == pytest.approx(
        theory.shuffling_radius(hess, grads), rel=1e-10
    )
    # A common Hessian may be passed once.
    h = np.diag([1.0, 2.0, 3.0])
    assert theory.shuffling_radius(h, grads) == theory.shuffling_radius(np.array([h] * 6), grads)


@given(st.integers(2, 6), st.integers(1, 3), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_radius_lies_in_the_sandwich(n, d, seed):
    rng = np.random.default_rng(seed)
    hess = []
    for _ in range(n):
        r = rng.normal(size=(d, d))
        hess.append(r @ r.T + rng.uniform(0.1, 1.0) * np.eye(d))
    hess = np.array(hess)
    grads = rng.normal(size=(n, d))
    grads -= grads.mean(axis=0)  # gradients at the optimum of the sum average to zero
    mu = min(np.linalg.eigvalsh(a)[0] for a in hess)
    L = max(np.linalg.eigvalsh(a)[-1] for a in hess)
    low, high = theory.shuffling_radius_bounds(mu, L, n, float(np.mean(np.sum(grads**2, axis=1))))
    rad = theory.shuffling_radius(hess, grads)
    assert low * (1 - 1e-12) <= rad <= high * (1 + 1e-12)


# --- the RR / SO bound against the exact second moment ----------------------------------------


def _epoch_maps(hess, grads, gamma):
    """Every permutation's epoch map y -> P y + v, y = x - x_*."""
    n, d = grads.shape
    maps = []
    for perm in itertools.permutations(range(n)):
        p, v = np.eye(d), np.zeros(d)
        for i in perm:
            m = np.eye(d) - gamma * hess[i]
            p, v = m @ p, m @ v - gamma * grads[i]
        maps.append((p, v))
    return maps


def _exact_rr(maps, y0, epochs):
    """Fresh permutation each epoch: mean and second-moment recursions averaged over all maps."""
    m, x = y0.copy(), np.outer(y0, y0)
    out = [np.trace(x)]
    for _ in range(epochs):
        x = sum(
            p @ x @ p.T + np.outer(p @ m, v) + np.outer(v, p @ m) + np.outer(v, v) for p, v in maps
        )
        m = sum(p @ m + v for p, v in maps)
        x, m = x / len(maps), m / len(maps)
        out.append(np.trace(x))
    return np.array(out)


def _exact_so(maps, y0, epochs):
    """One permutation for all epochs: average the deterministic runs."""
    acc = np.zeros(epochs + 1)
    for p, v in maps:
        y, row = y0.copy(), [y0 @ y0]
        for _ in range(epochs):
            y = p @ y + v
            row.append(y @ y)
        acc += row
    return acc / len(maps)


def _instance(seed, n, d):
    rng = np.random.default_rng(seed)
    hess = []
    for _ in range(n):
        r = rng.normal(size=(d, d))
        hess.append(r @ r.T + rng.uniform(0.05, 1.0) * np.eye(d))
    hess = np.array(hess)
    centers = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0)
    x_star = np.linalg.solve(hess.sum(axis=0), np.einsum("kij,kj->i", hess, centers))
    grads = np.einsum("kij,kj->ki", hess, x_star - centers)
    mu = min(np.linalg.eigvalsh(a)[0] for a in hess)
    L = max(np.linalg.eigvalsh(a)[-1] for a in hess)
    return hess, grads, mu, L, rng


@given(st.integers(2, 4), st.integers(1, 2), st.integers(0, 2**32 - 1), st.floats(0.05, 1.0))
@settings(max_examples=15)
def test_bound_holds_for_rr_and_so(n, d, seed, frac):
    hess, grads, mu, L, rng = _instance(seed, n, d)
    gamma = frac / L
    y0 = rng.normal(size=d) * rng.choice([0.0, 1.0, 10.0])
    bound = theory.reshuffling_bound(
        mu, L, gamma, n, 25, float(y0 @ y0), theory.shuffling_radius(hess, grads)
    )
    maps = _epoch_maps(hess, grads, gamma)
    for exact in (_exact_rr(maps, y0, 25), _exact_so(maps, y0, 25)):
        assert np.all(exact <= bound * (1 + 1e-10))


def test_bound_in_the_2020_normalisation_is_2_gamma_sigma_shuffle_over_mu():
    hess, grads, mu, L, _ = _instance(1, 3, 2)
    gamma = 0.3 / L
    rad = theory.shuffling_radius(hess, grads)
    shuffle = theory.shuffling_variance(hess, grads, gamma)
    bound = theory.reshuffling_bound(mu, L, gamma, 3, 5, 0.0, rad)
    assert bound[-1] == pytest.approx(2 * gamma * shuffle / mu, rel=1e-14)


def test_exact_moments_reject_the_bound_with_the_radius_and_variance_confused():
    """2 gamma^2 sigma_Shuffle^2 / mu (the 1/gamma normalisation in the 1/gamma^2 formula) is
    gamma times too small: the exact shuffle-once second moment exceeds it."""
    hess, grads, mu, L, _ = _instance(3, 4, 1)
    gamma = 0.07 / L
    shuffle = theory.shuffling_variance(hess, grads, gamma)
    maps = _epoch_maps(hess, grads, gamma)
    exact = _exact_so(maps, np.zeros(1), 40)
    assert exact[-1] > 2 * gamma**2 * shuffle / mu
    assert exact[-1] <= theory.reshuffling_bound(mu, L, gamma, 4, 40, 0.0, shuffle / gamma)[-1]


def test_contraction_term_is_valid_but_not_squared():
    """With no noise (f_i = f = |x|^2 / 2) RR contracts |x - x_*|^2 by (1 - gamma mu)^2 per step,
    while the theorem keeps (1 - gamma mu): the bound holds with room (the square root)."""
    hess = np.array([np.eye(2)] * 3)
    y0 = np.array([3.0, -4.0])
    exact = _exact_rr(_epoch_maps(hess, np.zeros((3, 2)), 0.5), y0, 6)
    bound = theory.reshuffling_bound(1.0, 1.0, 0.5, 3, 6, 25.0, 0.0)
    t = np.arange(7)
    np.testing.assert_allclose(exact, 25.0 * 0.25 ** (3 * t), rtol=1e-13)
    np.testing.assert_allclose(bound, 25.0 * 0.5 ** (3 * t), rtol=1e-13)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: theory.reshuffling_bound(1.0, 2.0, 0.6, 3, 5, 1.0, 1.0),
            r"gamma must be in \(0, 1/L_max\]",
        ),
        (lambda: theory.reshuffling_bound(3.0, 2.0, 0.1, 3, 5, 1.0, 1.0), "mu must be <= L_max"),
        (lambda: theory.reshuffling_bound(1.0, 2.0, 0.1, 3, 5, 1.0, -1.0), "radius must be"),
        (lambda: theory.shuffling_radius(np.eye(2), np.ones((1, 2))), "n >= 2"),
        (lambda: theory.shuffling_radius(np.eye(3), np.ones((4, 2))), "hessians must be"),
        (lambda: theory.shuffling_variance(np.eye(2), np.ones((3, 2)), 0.0), "gamma must be"),
        (
            lambda: theory.least_squares_shuffling_radius(np.ones((3, 2)), np.ones(2), 0.1),
            "targets",
        ),
        (lambda: theory.shuffling_radius_bounds(1.0, 2.0, 1, 1.0), "n must be"),
    ],
)
def test_bad_reshuffling_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()
