"""The catalogue of Monte Carlo experiments in the report, and the problems they run on.

Each :class:`Experiment` fixes a problem (by a data seed, so it is the same on every machine),
a step size, a start and a Monte Carlo budget, and says which statement of the lecture it
tests and whether the bound is expected to hold. The lecture's bound (slide "Stochastic
Gradient Descent Convergence") is the unrolled recursion

.. math::

    b_0 = \\|w_0-w^*\\|^2, \\qquad b_{t+1} = (1-\\alpha\\mu)^2 b_t + \\alpha^2 M,

claimed "assuming small enough :math:`\\alpha`"; the exact condition is
:math:`0<\\alpha\\le 2/(L+\\mu)` (``sim.theory.max_step``). Runs inside it must confirm the
bound; runs just outside it are expected to violate it, which shows the condition is needed.
A minibatch of :math:`B` indices drawn independently (with replacement) has gradient-noise
second moment exactly :math:`M/B`, so batched runs are checked against the bound with
:math:`M/B`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

Expect = Literal["pass", "violate"]


@dataclass(frozen=True)
class Experiment:
    """One Monte Carlo run of the report.

    Attributes:
        id: short name used in the report and the JSON.
        group: which figure it feeds ("bound", "noise-ball", "step-size", "logistic").
        purpose: the statement of the lecture it tests, one sentence.
        problem: "quadratic" (spectrum evenly spaced in [mu, L]) or "logistic".
        dim, n: dimension and number of training examples.
        mu, L: quadratic spectrum (ignored for logistic, whose constants come from the data).
        spread: standard deviation of the training examples around their centre (quadratic)
            or of the features (logistic).
        l2: ridge weight of the logistic problem.
        alpha, batch, steps, trajectories: SGD step size, minibatch size, steps, sample size.
        start: "spread" (w0 - w* along a fixed mix of all eigenvectors), "top" (along the
            eigenvector of L, the slowest direction once alpha > 2/(L+mu)), or "optimum".
        r0: distance of w0 from w*.
        data_seed: seed of the problem's data (independent of the Monte Carlo seed).
        expect: "pass" if the bound must hold, "violate" if the run is outside the condition.
        quick: part of the quick report (identical parameters in both reports).
        claims: ids of the lecture's claims (``verify``) that the run tests.
    """

    id: str
    group: str
    purpose: str
    problem: Literal["quadratic", "logistic"]
    dim: int
    n: int
    alpha: float
    steps: int
    trajectories: int
    mu: float | None = None
    L: float | None = None
    spread: float = 1.0
    l2: float = 0.0
    batch: int = 1
    start: Literal["spread", "top", "optimum"] = "spread"
    r0: float = 3.0
    data_seed: int = 0
    expect: Expect = "pass"
    quick: bool = False
    claims: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)


def quadratic_problem(*, dim: int, n: int, mu: float, L: float, spread: float, data_seed: int):
    """A quadratic :math:`f(w;x_i)=\\tfrac12 (w-x_i)^\\top H (w-x_i)` with spectrum in [mu, L].

    The eigenvalues of ``H`` are evenly spaced from ``mu`` to ``L`` (so the problem's strong
    convexity and smoothness constants are exactly ``mu`` and ``L``) in a random orthonormal
    basis; the examples are a Gaussian cloud of standard deviation ``spread``.

    Returns:
        (problem, eigvecs) with ``eigvecs[:, k]`` the eigenvector of the k-th eigenvalue.
    """
    from sim import QuadraticProblem

    if dim == 1 and mu != L:
        raise ValueError(f"a one-dimensional quadratic has mu == L, got mu={mu}, L={L}")
    rng = np.random.default_rng(data_seed)
    eigvals = np.linspace(mu, L, dim)
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    q = q * np.sign(np.diag(r))
    hessian = (q * eigvals) @ q.T
    hessian = (hessian + hessian.T) / 2
    centre = rng.standard_normal(dim)
    data = centre + spread * rng.standard_normal((n, dim))
    return QuadraticProblem(hessian=hessian, data=data), q


def logistic_problem(*, dim: int, n: int, spread: float, l2: float, data_seed: int):
    """Ridge-regularised logistic regression on a planted linear model.

    Features are Gaussian with standard deviation ``spread``; labels are drawn from the
    logistic model with a fixed planted weight vector, so the classes overlap and the
    minimiser is finite even for small ``l2``.
    """
    from sim import LogisticRegressionProblem

    rng = np.random.default_rng(data_seed)
    features = spread * rng.standard_normal((n, dim))
    planted = np.linspace(1.0, -1.0, dim) if dim > 1 else np.ones(1)
    p = 1.0 / (1.0 + np.exp(-features @ planted))
    labels = np.where(rng.random(n) < p, 1.0, -1.0)
    return LogisticRegressionProblem(features=features, labels=labels, l2=l2)


def build(exp: Experiment):
    """The problem of ``exp`` and its start ``w0``."""
    if exp.problem == "quadratic":
        problem, q = quadratic_problem(dim=exp.dim, n=exp.n, mu=exp.mu, L=exp.L,
                                       spread=exp.spread, data_seed=exp.data_seed)
        if exp.start == "top":
            direction = q[:, -1]
        else:
            direction = q.sum(axis=1) / np.sqrt(exp.dim)
    else:
        problem = logistic_problem(dim=exp.dim, n=exp.n, spread=exp.spread, l2=exp.l2,
                                   data_seed=exp.data_seed)
        direction = np.ones(exp.dim) / np.sqrt(exp.dim)
    r0 = 0.0 if exp.start == "optimum" else exp.r0
    return problem, np.asarray(problem.w_star) + r0 * direction


def _bound_runs() -> list[Experiment]:
    common = {"group": "bound", "problem": "quadratic", "n": 64, "steps": 120}
    return [
        Experiment(id="quad-d1-tight", dim=1, mu=1.0, L=1.0, alpha=0.2, trajectories=16384,
                   quick=True, purpose="one dimension: the recursion is an equality, so the "
                   "bound is attained and the check is at its sharpest", **common),
        Experiment(id="quad-d5", dim=5, mu=1.0, L=4.0, alpha=0.1, trajectories=16384, quick=True,
                   purpose="well-conditioned quadratic, step size well inside the condition",
                   **common),
        Experiment(id="quad-d10-edge", dim=10, mu=0.5, L=10.0, alpha=2 / 10.5, trajectories=262144,
                   purpose="ill-conditioned quadratic at the edge of the condition, "
                   "α = 2/(L+μ)", **common),
        Experiment(id="quad-d5-batch8", dim=5, mu=1.0, L=4.0, alpha=0.3, batch=8,
                   trajectories=262144,
                   purpose="minibatch of 8 (with replacement): the same bound with M/8",
                   **common),
    ]


NOISE_BALL_ALPHAS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.4)
NOISE_BALL_PROBLEM = {"problem": "quadratic", "dim": 2, "n": 64, "mu": 1.0, "L": 4.0}


def _noise_ball_runs() -> list[Experiment]:
    # Start at the optimum so the recursion rises monotonically to the noise ball; 400 steps
    # make (1 - alpha mu)^(2T) < 1e-8 for the smallest step size.
    return [
        Experiment(id=f"noise-ball-a{a:g}", group="noise-ball", alpha=a, steps=400,
                   trajectories=131072, **NOISE_BALL_PROBLEM,
                   start="optimum", quick=(a == 0.2),
                   purpose=f"noise ball at α = {a:g}, started at w*: the limit αM/(2μ − αμ²); "
                   "the first step from w* has mean exactly α²M, the bound's value, so the "
                   "estimate/bound ratio is read at t = 1 and is the same for every α")
        for a in NOISE_BALL_ALPHAS
    ]


def _step_size_runs() -> list[Experiment]:
    common = {"group": "step-size", "problem": "quadratic", "dim": 2, "n": 64, "mu": 1.0,
              "L": 10.0, "steps": 80, "trajectories": 16384, "start": "top", "r0": 3.0,
              "spread": 0.3, "quick": True}
    return [
        Experiment(id="step-inside", alpha=0.18, expect="pass",
                   purpose="α = 0.18, just inside 2/(L+μ) = 0.1818: the bound holds",
                   **common),
        Experiment(id="step-outside", alpha=0.19, expect="violate",
                   purpose="α = 0.19, just outside 2/(L+μ): the stiff direction contracts "
                   "by |1 − αL| = 0.9 > 1 − αμ = 0.81, so the bound is expected to fail", **common),
    ]


def _logistic_runs() -> list[Experiment]:
    return [
        Experiment(id="logistic-d2", group="logistic", problem="logistic", dim=2, n=200,
                   spread=1.5, l2=0.1, alpha=0.5, steps=100, trajectories=16384, r0=4.0,
                   quick=True, purpose="logistic regression (λ = 0.1): the bound with the valid "
                   "constant M = mean ‖a_i‖² ≥ sup over w of the gradient-noise second moment; "
                   "mean iterate against gradient descent"),
    ]


CLAIMS_TESTED = {
    "bound": ("sgd.second-moment.line4", "sgd.second-moment.small-alpha"),
    "noise-ball": ("sgd.noise-ball.fixed-point", "sgd.noise-ball.limit"),
    "step-size": ("sgd.second-moment.small-alpha",),
    "logistic": ("sgd.second-moment.line4", "sgd.expectation.gd-path"),
}
"""Claim ids (``verify``) that each group of runs tests, shown next to the runs in the report."""

GD_RATE_CLAIMS = ("gd.linear-rate",)


def catalogue(*, quick: bool = False) -> list[Experiment]:
    """Experiments of the report in the order shown; ``quick`` keeps the quick subset."""
    runs = _bound_runs() + _noise_ball_runs() + _step_size_runs() + _logistic_runs()
    runs = [replace(e, claims=CLAIMS_TESTED.get(e.group, ())) for e in runs]
    return [e for e in runs if e.quick] if quick else runs
