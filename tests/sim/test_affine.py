"""The exact moment recursion of :mod:`sim.affine` against brute-force enumeration of every path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim import LeastSquaresProblem, QuadraticProblem, affine


def _problem(n=4, d=2, seed=0, l2=0.3):
    rng = np.random.default_rng(seed)
    return LeastSquaresProblem(features=rng.normal(size=(n, d)), targets=rng.normal(size=n),
                               l2=l2)


def _run_path(problem, w0, batches, alpha, momentum, average_from):
    """One deterministic SGD path for a given sequence of minibatches (plain NumPy)."""
    a, b, lam = problem.features, problem.targets, problem.l2
    w, prev = np.array(w0, dtype=float), np.array(w0, dtype=float)
    e0 = w - problem.w_star
    bar = e0 if average_from == 0 else np.zeros_like(e0)
    sq, sq_bar = [e0 @ e0], [bar @ bar]
    for t, batch in enumerate(batches):
        g = np.mean([a[i] * (a[i] @ w - b[i]) + lam * w for i in batch], axis=0)
        w, prev = w - alpha[t] * g + momentum * (w - prev), w
        e = w - problem.w_star
        if average_from is not None and t + 1 >= average_from:
            gamma = 1 / (t + 2 - average_from)
            bar = (1 - gamma) * bar + gamma * e
        sq.append(e @ e)
        sq_bar.append(bar @ bar)
    return np.array(sq), np.array(sq_bar)


def _enumerate(problem, w0, alpha, batch, sampling, momentum, average_from):
    """Exact expectation over every equally likely sequence of minibatches."""
    n, steps = problem.n, len(alpha)
    if sampling == "with-replacement":
        sequences = itertools.product(itertools.product(range(n), repeat=batch), repeat=steps)
    elif sampling == "without-replacement":
        sequences = itertools.product(itertools.combinations(range(n), batch), repeat=steps)
    else:
        epoch = n // batch
        epochs = -(-steps // epoch)
        orders = list(itertools.permutations(range(n)))
        perms = (itertools.product(orders, repeat=epochs) if sampling == "reshuffle"
                 else ((o,) * epochs for o in orders))
        sequences = ([p[t // epoch][(t % epoch) * batch:(t % epoch + 1) * batch]
                      for t in range(steps)] for p in perms)
    paths = [_run_path(problem, w0, seq, alpha, momentum, average_from) for seq in sequences]
    return np.mean([p[0] for p in paths], axis=0), np.mean([p[1] for p in paths], axis=0)


CASES = [
    ("with-replacement", 1, 0.0, None, 3),
    ("with-replacement", 2, 0.5, 1, 3),
    ("without-replacement", 2, 0.3, 0, 3),
    ("without-replacement", 3, 0.0, 2, 3),
    ("reshuffle", 1, 0.0, None, 6),
    ("reshuffle", 2, 0.4, 2, 4),
    ("reshuffle", 3, 0.0, 1, 2),  # B does not divide n: one index dropped per epoch
    ("shuffle-once", 1, 0.2, 1, 9),
    ("shuffle-once", 3, 0.0, 0, 4),
]


@pytest.mark.parametrize(("sampling", "batch", "momentum", "average_from", "steps"), CASES)
def test_exact_moments_equal_enumeration_of_every_path(sampling, batch, momentum, average_from,
                                                       steps):
    problem, w0 = _problem(), np.array([1.0, -2.0])
    alpha = np.linspace(0.3, 0.1, steps)
    exact = problem.exact_moments(alpha=alpha, steps=steps, w0=w0, batch=batch,
                                  sampling=sampling, momentum=momentum,
                                  average_from=average_from)
    sq, sq_bar = _enumerate(problem, w0, alpha, batch, sampling, momentum, average_from)
    np.testing.assert_allclose(exact.mean_sq_dist, sq, rtol=1e-12, atol=1e-13)
    if average_from is None:
        assert exact.averaged_mean_sq_dist is None and exact.averaged_mean_e is None
    else:
        assert np.all(np.isnan(exact.averaged_mean_sq_dist[:average_from]))
        np.testing.assert_allclose(exact.averaged_mean_sq_dist[average_from:],
                                   sq_bar[average_from:], rtol=1e-12, atol=1e-13)


def test_mean_iterate_follows_gradient_descent_with_momentum():
    """E[e_{t+1}] = (I - alpha_t H) E[e_t] + beta (E e_t - E e_{t-1}): the noise has mean 0."""
    problem, w0, beta = _problem(n=5, d=3, seed=1), np.array([1.0, 0.5, -1.0]), 0.4
    alpha = np.full(20, 0.2)
    exact = problem.exact_moments(alpha=alpha, steps=20, w0=w0, batch=2, momentum=beta)
    e, prev = w0 - problem.w_star, w0 - problem.w_star
    for t in range(21):
        np.testing.assert_allclose(exact.mean_e[t], e, rtol=1e-12, atol=1e-14)
        e, prev = e - alpha[0] * problem.hessian @ e + beta * (e - prev), e


def test_quadratic_special_case_equals_the_eigenbasis_recursion():
    rng = np.random.default_rng(2)
    q = QuadraticProblem(hessian=np.array([[2.0, 0.5], [0.5, 1.0]]), data=rng.normal(size=(5, 2)))
    samples = affine.AffineSamples(np.broadcast_to(q.hessian, (5, 2, 2)),
                                   (q.w_star - q.data) @ q.hessian)
    w0 = np.ones(2)
    exact = affine.exact_moments(samples, alpha=np.full(50, 0.3), e0=w0 - q.w_star, batch=2)
    np.testing.assert_allclose(exact.mean_sq_dist,
                               q.exact_mean_sq_dist(alpha=0.3, steps=50, w0=w0, batch=2),
                               rtol=1e-12)


def test_sampling_without_replacement_changes_the_answer():
    """The finite-population factor matters: with B = n - 1 the two samplings differ by more
    than rounding, so the enumeration test above would catch a mix-up."""
    problem, w0 = _problem(), np.array([1.0, -2.0])
    kw = {"alpha": np.full(3, 0.3), "steps": 3, "w0": w0, "batch": 3}
    with_r = problem.exact_mean_sq_dist(sampling="with-replacement", **kw)
    without = problem.exact_mean_sq_dist(sampling="without-replacement", **kw)
    assert np.all(np.abs(with_r[1:] - without[1:]) > 1e-3 * with_r[1:])
    assert affine.batch_factor("without-replacement", 4, 4) == 0.0  # the full batch is GD
    assert affine.batch_factor("without-replacement", 1, 1) == 0.0
    assert affine.batch_factor("with-replacement", 4, 4) == 0.25
    assert affine.batch_factor("without-replacement", 10, 2) == pytest.approx(8 / 18)


def test_permutation_schemes_are_not_enumerated_beyond_seven_examples():
    problem = _problem(n=8)
    with pytest.raises(ValueError, match="available for n <= 7 only, got n=8"):
        problem.exact_moments(alpha=0.1, steps=3, sampling="reshuffle")
    assert affine.MAX_ENUMERATION_N == 7
    problem.exact_moments(alpha=0.1, steps=3, sampling="without-replacement", batch=3)
