"""LeastSquaresProblem: exact constants, the exact noise covariance, per-sample gradients."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import LeastSquaresProblem, Problem


@st.composite
def least_squares(draw):
    n, d = draw(st.integers(1, 12)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    l2 = draw(st.sampled_from([0.0, 1e-3, 0.5])) if n >= 2 * d else draw(st.floats(0.05, 2.0))
    return LeastSquaresProblem(features=rng.normal(size=(n, d)) * draw(st.floats(0.1, 3.0)),
                               targets=rng.normal(size=n), l2=l2)


def _per_sample(problem, w):
    a, b = problem.features, problem.targets
    return a * (a @ w - b)[:, None] + problem.l2 * w


@given(least_squares(), st.integers(0, 2**32 - 1))
@settings(max_examples=40)
def test_constants_are_exact(problem, seed):
    rng = np.random.default_rng(seed)
    a = problem.features
    h = a.T @ a / problem.n + problem.l2 * np.eye(problem.dim)
    eig = np.linalg.eigvalsh(h)
    assert problem.mu == pytest.approx(eig[0], rel=1e-9)
    assert problem.L == pytest.approx(eig[-1], rel=1e-12)
    assert problem.L_max == pytest.approx(np.max(np.sum(a * a, axis=1)) + problem.l2, rel=1e-12)
    scale = np.max(np.abs(a)) * (np.max(np.abs(a)) * np.linalg.norm(problem.w_star)
                                 + np.max(np.abs(problem.targets))) + 1e-300
    np.testing.assert_allclose(_per_sample(problem, problem.w_star).mean(axis=0), 0,
                               atol=1e-11 * scale)
    # the exact covariance of one sample's gradient at a random w, from its definition
    w = problem.w_star + rng.normal(size=problem.dim)
    g = _per_sample(problem, w)
    direct = np.cov(g.T, bias=True).reshape(problem.dim, problem.dim)
    np.testing.assert_allclose(problem.noise_covariance(w), direct, rtol=1e-9,
                               atol=1e-12 * (1 + np.abs(direct).max()))
    np.testing.assert_allclose(problem.noise_covariance(problem.w_star).trace(),
                               problem.sigma_star_sq, rtol=1e-9, atol=1e-14)
    # sample_gradients is the protocol's per-sample gradient, row by row
    ws = problem.w_star + rng.normal(size=(6, problem.dim))
    idx = rng.integers(0, problem.n, size=6)
    expected = np.stack([_per_sample(problem, ws[k])[idx[k]] for k in range(6)])
    np.testing.assert_allclose(problem.sample_gradients(ws, idx, np), expected, rtol=1e-12,
                               atol=1e-13)
    assert isinstance(problem, Problem)


def test_noise_is_unbounded_unless_all_features_agree_up_to_sign():
    """M = sup_w tr C(w) is infinite in general (the trace grows along the top direction of
    K), and equals the noise at the optimum when every a_i a_i^T is the same."""
    rng = np.random.default_rng(3)
    general = LeastSquaresProblem(features=rng.normal(size=(6, 2)), targets=rng.normal(size=6),
                                  l2=0.1)
    assert general.M == math.inf
    direction = np.linalg.eigh(general._K)[1][:, -1]
    traces = [general.noise_covariance(general.w_star + r * direction).trace()
              for r in (1, 10, 100)]
    assert traces[2] / traces[1] > 50 and traces[1] / traces[0] > 5  # quadratic growth
    flat = LeastSquaresProblem(features=np.array([[1.0, 2.0], [-1.0, -2.0], [1.0, 2.0]]),
                               targets=[1.0, 0.0, -2.0], l2=0.5)
    assert flat.M == pytest.approx(flat.sigma_star_sq, rel=1e-12) and math.isfinite(flat.M)
    for w in rng.normal(size=(5, 2)) * 10:
        assert flat.noise_covariance(w).trace() == pytest.approx(flat.M, rel=1e-9)


def test_sample_gradients_in_float32_and_pickling_drops_the_device_cache():
    p = LeastSquaresProblem(features=np.eye(3), targets=[1.0, 2.0, 3.0], l2=0.1)
    g = p.sample_gradients(np.ones((2, 3), dtype=np.float32), np.array([0, 2]), np)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [[0.1, 0.1, 0.1], [0.1, 0.1, -1.9]], rtol=1e-6)
    assert p._device
    clone = pickle.loads(pickle.dumps(p))
    assert clone._device == {}
    np.testing.assert_array_equal(clone.w_star, p.w_star)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"targets": [1.0, 2.0]}, ValueError, r"targets must have shape \(3,\)"),
        ({"l2": -1.0}, ValueError, "l2 must be a finite number >= 0"),
        ({"l2": "0.1"}, TypeError, "l2 must be a real number, got str"),
        ({"l2": 0.0, "features": np.ones((3, 2))}, ValueError, "must be positive definite"),
        ({"features": [[np.nan, 1.0]] * 3}, ValueError, "features must contain only finite"),
        ({"features": np.ones(3)}, ValueError, "features must have 2 dimension"),
    ],
)
def test_bad_inputs(kwargs, error, match):
    args = {"features": np.eye(3)[:, :2], "targets": [1.0, 2.0, 3.0], "l2": 0.1} | kwargs
    with pytest.raises(error, match=match):
        LeastSquaresProblem(**args)


def test_exact_moments_validate_their_options():
    p = LeastSquaresProblem(features=np.eye(3), targets=[1.0, 2.0, 3.0], l2=0.1)
    with pytest.raises(ValueError, match="momentum must be a number in"):
        p.exact_moments(alpha=0.1, steps=3, momentum=1.0)
    with pytest.raises(ValueError, match=r"w0 must have shape \(3,\)"):
        p.exact_moments(alpha=0.1, steps=3, w0=[1.0])
    with pytest.raises(ValueError, match=r"average_from must be an integer in \[0, steps\]"):
        p.exact_moments(alpha=0.1, steps=3, average_from=4)
    assert "LeastSquaresProblem(dim=3, n=3" in repr(p)
