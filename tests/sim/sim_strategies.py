"""Hypothesis strategies for simulator tests: problems with drawn mu, L, dimension and data."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from sim import LogisticRegressionProblem, QuadraticProblem


def random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def hessian_with_spectrum(rng: np.random.Generator, eigvals: np.ndarray) -> np.ndarray:
    q = random_rotation(rng, eigvals.shape[0])
    h = (q * eigvals) @ q.T
    return (h + h.T) / 2


@st.composite
def quadratic_problems(draw, *, max_dim: int = 5, max_n: int = 24, kappa_max: float = 200.0):
    """Quadratic problems with mu in [0.05, 5], L/mu up to ``kappa_max`` (both ends present)."""
    d = draw(st.integers(1, max_dim))
    n = draw(st.integers(1, max_n))
    mu = draw(st.floats(0.05, 5.0))
    kappa = 1.0 if d == 1 else draw(st.floats(1.0, kappa_max))
    scale = draw(st.floats(0.01, 3.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    inner = rng.uniform(mu, mu * kappa, size=max(d - 2, 0))
    eig = np.sort(np.concatenate([[mu], inner, [mu * kappa]])[:d])
    return QuadraticProblem(
        hessian=hessian_with_spectrum(rng, eig),
        data=scale * rng.normal(size=(n, d)) + rng.normal(size=d),
    )


@st.composite
def logistic_problems(draw, *, max_dim: int = 4, kappa_max: float = 200.0):
    """Logistic problems whose condition number L/mu is drawn in [2, kappa_max]."""
    d = draw(st.integers(1, max_dim))
    n = draw(st.integers(4, 40))
    kappa = draw(st.floats(2.0, kappa_max))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = draw(st.floats(0.2, 3.0)) * rng.normal(size=(n, d))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    curvature = np.linalg.svd(a, compute_uv=False)[0] ** 2 / (4 * n)
    return LogisticRegressionProblem(features=a, labels=y, l2=curvature / (kappa - 1))


def start_point(problem, rng: np.random.Generator, distance: float) -> np.ndarray:
    """A start at the given distance from w*, in a random direction."""
    v = rng.normal(size=problem.dim)
    return problem.w_star + distance * v / np.linalg.norm(v)
