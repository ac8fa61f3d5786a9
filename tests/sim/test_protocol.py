"""The problem protocol: what is accepted, what is refused (one clear line), and engine choice."""

from __future__ import annotations

import numpy as np
import pytest

from sim import LeastSquaresProblem, LogisticRegressionProblem, Problem, QuadraticProblem, simulate
from sim.engines import FEATURES, load_engine, resolve_engine
from sim.protocol import check_gradients, check_problem


class Tiny:
    """f(w; i) = 1/2 |w - x_i|^2 on three points in the plane (w* = their mean)."""

    def __init__(self, **overrides):
        self.x = np.array([[0.0, 1.0], [2.0, -1.0], [1.0, 3.0]])
        self.dim, self.n, self.w_star = 2, 3, self.x.mean(axis=0)
        self.__dict__.update(overrides)

    def sample_gradients(self, w, idx, xp):
        return w - xp.asarray(self.x)[idx]


def test_builtins_and_a_plain_class_satisfy_the_protocol():
    rng = np.random.default_rng(0)
    problems = [
        Tiny(),
        QuadraticProblem(hessian=np.eye(2), data=rng.normal(size=(4, 2))),
        LogisticRegressionProblem(features=rng.normal(size=(4, 2)), labels=[0, 1, 1, 0], l2=0.1),
        LeastSquaresProblem(features=rng.normal(size=(4, 2)), targets=np.ones(4), l2=0.1),
    ]
    for p in problems:
        assert isinstance(p, Problem)
        dim, n, w_star = check_problem(p)
        assert (dim, n, w_star.shape) == (2, p.n, (2,))
        check_gradients(p, np, np.float64, np.ones(2))
    assert not isinstance(object(), Problem)


def test_a_one_example_problem_runs():
    """n = 1: the preflight call uses index 0 (= n - 1) only, and every draw is 0."""
    one = Tiny(n=1, x=np.array([[1.0, 2.0]]), w_star=np.array([1.0, 2.0]))
    r = simulate(one, alpha=0.5, steps=3, trajectories=4, w0=[0.0, 0.0], backend="numpy")
    np.testing.assert_allclose(r.mean_sq_dist, 5.0 * 0.25 ** np.arange(4))


def test_builtin_sample_gradients_are_the_per_sample_gradients():
    rng = np.random.default_rng(1)
    q = QuadraticProblem(hessian=np.array([[2.0, 0.5], [0.5, 1.0]]), data=rng.normal(size=(5, 2)))
    w, idx = rng.normal(size=(7, 2)), rng.integers(0, 5, size=7)
    np.testing.assert_allclose(q.sample_gradients(w, idx, np), (w - q.data[idx]) @ q.hessian,
                               rtol=1e-13, atol=1e-15)
    lg = LogisticRegressionProblem(features=rng.normal(size=(5, 2)), labels=[1, -1, 1, 1, -1],
                                   l2=0.2)
    for k in range(7):  # finite differences of f(w; i) = log(1 + exp(-y a.w)) + l2/2 |w|^2
        a, y = lg.features[idx[k]], lg.labels[idx[k]]

        def f(v, a=a, y=y):
            return np.logaddexp(0.0, -y * a @ v) + 0.1 * v @ v

        fd = [(f(w[k] + 1e-6 * e) - f(w[k] - 1e-6 * e)) / 2e-6 for e in np.eye(2)]
        np.testing.assert_allclose(lg.sample_gradients(w, idx, np)[k], fd, rtol=1e-6, atol=1e-9)


class NoGradients:
    dim, n, w_star = 2, 3, np.zeros(2)


@pytest.mark.parametrize(
    ("problem", "error", "match"),
    [
        (object(), TypeError, "object lacks dim, n, w_star, sample_gradients"),
        (NoGradients(), TypeError, "NoGradients lacks sample_gradients"),
        (Tiny(sample_gradients=3), TypeError, "sample_gradients must be callable, got int"),
        (Tiny(dim=2.0), TypeError, "problem.dim must be an integer, got float"),
        (Tiny(dim=0), ValueError, "problem.dim must be an integer >= 1, got 0"),
        (Tiny(n=True), TypeError, "problem.n must be an integer, got bool"),
        (Tiny(n=2**31), ValueError, r"problem.n must be an integer in \[1, 2147483647\]"),
        (Tiny(w_star=np.zeros(3)), ValueError, r"problem.w_star must have shape \(2,\)"),
        (Tiny(w_star=[np.inf, 0.0]), ValueError, "problem.w_star must contain only finite"),
        (Tiny(w_star="xy"), TypeError, "problem.w_star must be a real array, got str"),
    ],
)
def test_incomplete_problems_are_named_clearly(problem, error, match):
    with pytest.raises(error, match=match):
        check_problem(problem)
    with pytest.raises(error, match=match):  # and simulate says the same, before any work
        simulate(problem, alpha=0.1, steps=2, trajectories=4, backend="numpy")


class WrongShape(Tiny):
    def sample_gradients(self, w, idx, xp):
        return xp.zeros((w.shape[0], 3))  # one column too many


class IntegerGradients(Tiny):
    def sample_gradients(self, w, idx, xp):
        return xp.zeros(w.shape, dtype=xp.int64)


class NanGradients(Tiny):
    def sample_gradients(self, w, idx, xp):
        return w * np.nan


class ShapeChangesLater(Tiny):
    def sample_gradients(self, w, idx, xp):
        return w if w.shape[0] <= 2 else w[:-1]


@pytest.mark.parametrize(
    ("problem", "error", "match"),
    [
        (WrongShape(), ValueError,
         r"must return shape \(N, d\) = \(2, 2\) for w of shape \(2, 2\) .* got \(2, 3\)"),
        (IntegerGradients(), TypeError, "must return real floating-point values, got dtype int64"),
        (NanGradients(), ValueError, "returned non-finite values at w0 or w_star"),
        (ShapeChangesLater(), ValueError, r"must return shape \(N, d\) = \(4, 2\), got \(3, 2\)"),
    ],
)
def test_wrong_gradients_are_one_clear_error(problem, error, match):
    with pytest.raises(error, match=match):
        simulate(problem, alpha=0.1, steps=2, trajectories=4, backend="numpy")


def test_auto_picks_a_fused_engine_only_for_what_it_supports():
    q = QuadraticProblem(hessian=np.eye(2), data=np.random.default_rng(2).normal(size=(4, 2)))
    base = {"alpha": 0.1, "steps": 3, "trajectories": 8, "backend": "numpy"}
    fused = "numba" if load_engine("numba") is not None else "array"
    assert simulate(q, **base).engine == fused
    for option in ({"momentum": 0.5}, {"average_from": 1}, {"dtype": "float32"},
                   {"keep_final": True}, {"sampling": "reshuffle"}, {"alpha": [0.1, 0.2, 0.1]}):
        assert simulate(q, **(base | option)).engine == "array"
    assert simulate(Tiny(), **base).engine == "array"


@pytest.mark.skipif(load_engine("numba") is None, reason="numba is not installed")
@pytest.mark.parametrize(
    ("problem", "option", "match"),
    [
        (Tiny(), {}, "engine 'numba' does not support problem Tiny \\(no fused kernel\\); use "
                     "engine='array' or engine='auto'"),
        (None, {"momentum": 0.9, "dtype": "float32"},
         "does not support momentum=0.9, dtype='float32'; use engine='array'"),
        (None, {"alpha": lambda t: 0.1}, "does not support a step-size schedule"),
        (None, {"sampling": "shuffle-once"}, "does not support sampling='shuffle-once'"),
        (None, {"average_from": 2, "keep_final": True},
         "does not support average_from=2, keep_final=True"),
    ],
)
def test_naming_a_fused_engine_for_an_unsupported_option_is_one_line(problem, option, match):
    q = QuadraticProblem(hessian=np.eye(2), data=np.ones((4, 2)))
    kw = {"alpha": 0.1, "steps": 3, "trajectories": 8, "backend": "numpy", "engine": "numba"}
    with pytest.raises(ValueError, match=match):
        simulate(problem or q, **(kw | option))


def test_resolve_engine_lists_features_in_a_fixed_order():
    needs = {f: f for f in reversed(FEATURES)}
    name, module = resolve_engine("auto", "numpy", needs)
    assert name == "array" and set(FEATURES) <= module.SUPPORTS
    if load_engine("numba") is not None:
        with pytest.raises(ValueError, match="does not support " + ", ".join(FEATURES)):
            resolve_engine("numba", "numpy", needs)
