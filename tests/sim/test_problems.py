"""Exact invariants of the problems: constants, minimisers, the exact second-moment recursion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim import LogisticRegressionProblem, QuadraticProblem
from sim_strategies import logistic_problems, quadratic_problems


@given(quadratic_problems(), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_quadratic_constants_match_definitions(problem, seed):
    """mu, L are the extreme eigenvalues of H; M is E||grad f_i(w) - grad h(w)||^2 at any w."""
    rng = np.random.default_rng(seed)
    eig = np.linalg.eigvalsh(problem.hessian)
    assert problem.mu == pytest.approx(eig[0], rel=1e-12)
    assert problem.L == pytest.approx(eig[-1], rel=1e-12)
    np.testing.assert_allclose(problem.gradient(problem.w_star), 0, atol=1e-12 * (1 + problem.L))
    w = problem.w_star + rng.normal(size=problem.dim)
    grads = (w - problem.data) @ problem.hessian  # H symmetric: rows are H (w - x_i)
    noise = np.mean(np.sum((grads - grads.mean(axis=0)) ** 2, axis=1))
    assert noise == pytest.approx(problem.M, rel=1e-9, abs=1e-12 * (1 + problem.M))


def _enumerated_second_moment(problem, alpha, steps, w0, batch):
    """E||w_t - w*||^2 by enumerating all n^(B t) index sequences (exact, no recursion)."""
    n, out = problem.n, []
    for t in range(steps + 1):
        total = 0.0
        for seq in itertools.product(range(n), repeat=batch * t):
            w = np.array(w0, dtype=float)
            for s in range(t):
                idx = list(seq[s * batch : (s + 1) * batch])
                w = w - alpha * np.mean((w - problem.data[idx]) @ problem.hessian, axis=0)
            total += np.sum((w - problem.w_star) ** 2)
        out.append(total / n ** (batch * t))
    return np.array(out)


@pytest.mark.parametrize("batch", [1, 2])
def test_exact_second_moment_matches_enumeration(batch):
    """The eigenbasis recursion equals brute-force enumeration of every index path."""
    rng = np.random.default_rng(3)
    h = np.array([[2.0, 0.7, 0.0], [0.7, 1.0, 0.2], [0.0, 0.2, 3.0]])
    problem = QuadraticProblem(hessian=h, data=rng.normal(size=(3, 3)))
    w0 = rng.normal(size=3)
    steps = 4 if batch == 1 else 2
    exact = problem.exact_mean_sq_dist(alpha=0.3, steps=steps, w0=w0, batch=batch)
    np.testing.assert_allclose(
        exact, _enumerated_second_moment(problem, 0.3, steps, w0, batch), rtol=1e-12
    )


def test_gd_path_is_gradient_descent():
    rng = np.random.default_rng(4)
    problem = QuadraticProblem(hessian=np.diag([1.0, 4.0]), data=rng.normal(size=(5, 2)))
    path = problem.gd_path(alpha=0.2, steps=6, w0=[1.0, -2.0])
    w = np.array([1.0, -2.0])
    for t in range(7):
        np.testing.assert_allclose(path[t], w, rtol=1e-12, atol=1e-14)
        w = w - 0.2 * problem.gradient(w)


@given(logistic_problems(), st.integers(0, 2**32 - 1))
@example(None, 0).via("pinned: well-separated data, where w* is large")
@settings(max_examples=25)
def test_logistic_constants_are_valid(problem, seed):
    """grad h(w*) ~ 0; mu I <= Hessian <= L I and the noise variance <= M at random points."""
    if problem is None:
        a = np.array([[3.0, 0.0], [2.0, 1.0], [-3.0, 0.5], [-2.0, -1.0]])
        problem = LogisticRegressionProblem(features=a, labels=[1, 1, -1, -1], l2=1e-3)
    rng = np.random.default_rng(seed)
    scale = np.mean(np.linalg.norm(problem.features, axis=1))
    assert np.linalg.norm(problem.gradient(problem.w_star)) <= 1e-12 * (1 + scale)
    for radius in (0.1, 1.0, 10.0, 1000.0):
        w = problem.w_star + radius * rng.normal(size=problem.dim)
        eig = np.linalg.eigvalsh(problem.hessian(w))
        assert eig[0] >= problem.mu * (1 - 1e-9)
        assert eig[-1] <= problem.L * (1 + 1e-9)
        s = 0.5 * (1 + np.tanh(-0.5 * problem.labels * (problem.features @ w)))
        g = -(s * problem.labels)[:, None] * problem.features
        assert np.mean(np.sum((g - g.mean(axis=0)) ** 2, axis=1)) <= problem.M * (1 + 1e-12)


def test_logistic_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    problem = LogisticRegressionProblem(
        features=rng.normal(size=(20, 3)), labels=np.sign(rng.normal(size=20)), l2=0.05
    )
    w, h = rng.normal(size=3), 1e-6
    fd = [
        (problem.objective(w + h * e) - problem.objective(w - h * e)) / (2 * h) for e in np.eye(3)
    ]
    np.testing.assert_allclose(problem.gradient(w), fd, rtol=1e-6, atol=1e-9)


GOOD_H, GOOD_X = np.eye(2), np.zeros((3, 2))
GOOD_A, GOOD_Y = np.ones((3, 2)), np.array([1.0, -1.0, 1.0])


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: QuadraticProblem(hessian=[[1.0, 2.0], [0.0, 1.0]], data=GOOD_X),
            ValueError,
            "symmetric",
        ),
        (
            lambda: QuadraticProblem(hessian=[[1.0, 0.0], [0.0, -1.0]], data=GOOD_X),
            ValueError,
            "positive definite",
        ),
        (
            lambda: QuadraticProblem(hessian=np.zeros((2, 2)), data=GOOD_X),
            ValueError,
            "positive definite",
        ),
        (
            lambda: QuadraticProblem(hessian=np.eye(3), data=GOOD_X),
            ValueError,
            "data must have shape",
        ),
        (lambda: QuadraticProblem(hessian=np.ones((2, 3)), data=GOOD_X), ValueError, "square"),
        (
            lambda: QuadraticProblem(hessian=GOOD_H, data=[[np.nan, 0.0]]),
            ValueError,
            "data must contain only finite",
        ),
        (
            lambda: QuadraticProblem(hessian=[[np.inf, 0], [0, 1]], data=GOOD_X),
            ValueError,
            "hessian must contain only finite",
        ),
        (
            lambda: QuadraticProblem(hessian=GOOD_H, data=np.zeros(2)),
            ValueError,
            "data must have 2 dimension",
        ),
        (
            lambda: LogisticRegressionProblem(features=GOOD_A, labels=[1, 0, -1], l2=1.0),
            ValueError,
            "labels must take at most two values",
        ),
        (
            lambda: LogisticRegressionProblem(features=GOOD_A, labels=[1, 1], l2=1.0),
            ValueError,
            "labels must have shape",
        ),
        (
            lambda: LogisticRegressionProblem(features=GOOD_A, labels=GOOD_Y, l2=0.0),
            ValueError,
            "l2 must be a finite number > 0",
        ),
        (
            lambda: LogisticRegressionProblem(features=GOOD_A, labels=GOOD_Y, l2=-1.0),
            ValueError,
            "l2 must be",
        ),
        (
            lambda: LogisticRegressionProblem(features=GOOD_A * np.nan, labels=GOOD_Y, l2=1.0),
            ValueError,
            "features must contain only finite",
        ),
        (
            lambda: QuadraticProblem(hessian=GOOD_H, data=GOOD_X).exact_mean_sq_dist(
                alpha=0.0, steps=3
            ),
            ValueError,
            "alpha must be",
        ),
        (
            lambda: QuadraticProblem(hessian=GOOD_H, data=GOOD_X).gd_path(alpha=0.1, steps=-1),
            ValueError,
            "steps must be",
        ),
        (
            lambda: QuadraticProblem(hessian=GOOD_H, data=GOOD_X).gd_path(
                alpha=0.1, steps=2, w0=[1.0]
            ),
            ValueError,
            "w0 must have shape",
        ),
    ],
)
def test_bad_problem_inputs_are_rejected(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("labels", "classes"),
    [
        ([-1, 1, 1, -1, 1], (-1, 1)),
        ([0, 1, 1, 0, 1], (0, 1)),
        ([0.0, 1.0, 1.0, 0.0, 1.0], (0, 1)),
        ([False, True, True, False, True], (False, True)),
        (["no", "yes", "yes", "no", "yes"], ("no", "yes")),
        ([2, 7, 7, 2, 7], (2, 7)),
    ],
)
def test_logistic_labels_of_any_two_classes_map_to_the_same_problem(labels, classes):
    """Each encoding of the same two classes gives the +-1 problem (smaller value -> -1)."""
    a = np.random.default_rng(6).normal(size=(5, 2))
    ref = LogisticRegressionProblem(features=a, labels=[-1.0, 1.0, 1.0, -1.0, 1.0], l2=0.1)
    p = LogisticRegressionProblem(features=a, labels=labels, l2=0.1)
    assert p.classes == classes
    np.testing.assert_array_equal(p.labels, ref.labels)
    np.testing.assert_array_equal(p.w_star, ref.w_star)
    assert (p.mu, p.L, p.M) == (ref.mu, ref.L, ref.M)


def test_single_class_labels_keep_their_meaning():
    a = np.ones((3, 2))
    assert LogisticRegressionProblem(features=a, labels=[1, 1, 1], l2=1.0).labels.tolist() == [
        1.0, 1.0, 1.0]
    assert LogisticRegressionProblem(features=a, labels=[0, 0, 0], l2=1.0).labels.tolist() == [
        -1.0, -1.0, -1.0]
    assert LogisticRegressionProblem(features=a, labels=[-1] * 3, l2=1.0).classes == (-1, 1)


@pytest.mark.parametrize(
    ("labels", "error", "match"),
    [
        ([1, 0, -1], ValueError, "labels must take at most two values \\(two classes\\), got 3"),
        ([5, 5, 5], ValueError, "labels with a single value must be -1, \\+1, 0 or 1"),
        ([0.0, np.nan, 1.0], ValueError, "labels must contain only finite values"),
        ([[1, 0, 1]], ValueError, "labels must be a non-empty 1-dimensional array"),
        ([1 + 1j, 0, 1], TypeError, "labels must be numbers, booleans or strings"),
        ([None, 1, 0], TypeError, "labels must be numbers, booleans or strings"),
    ],
)
def test_bad_labels_are_one_clear_error(labels, error, match):
    with pytest.raises(error, match=match):
        LogisticRegressionProblem(features=np.ones((3, 2)), labels=labels, l2=1.0)
