"""Problems for the fused-engine tests: random rotations and data, fixed seeds."""

from __future__ import annotations

import numpy as np

from sim import LogisticRegressionProblem, QuadraticProblem


def quadratic(d: int, n: int, seed: int) -> QuadraticProblem:
    r = np.random.default_rng(seed)
    q, _ = np.linalg.qr(r.standard_normal((d, d)))
    return QuadraticProblem(hessian=(q * np.linspace(0.2, 2.0, d)) @ q.T,
                            data=r.standard_normal((n, d)))


def logistic(d: int, n: int, seed: int) -> LogisticRegressionProblem:
    r = np.random.default_rng(seed)
    a = r.standard_normal((n, d))
    return LogisticRegressionProblem(features=a, labels=np.where(a[:, 0] > 0, 1.0, -1.0), l2=0.3)


def problem_of(kind: str, d: int, n: int, seed: int):
    return quadratic(d, n, seed) if kind == "quadratic" else logistic(d, n, seed)
