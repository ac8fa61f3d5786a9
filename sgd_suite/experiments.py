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

Every run draws its Monte Carlo seed from the report's root seed and its own id
(:func:`experiment_seed`), so the runs are independent of each other and each can be re-run
alone. Quadratic runs are checked against the exact :math:`\\mathbf E\\|w_t-w^*\\|^2` (two-sided,
so a simulator that is too good fails too) as well as against the bound; where the bound holds
with equality (:math:`H = \\mu I`, and the one-dimensional two-point case) the lecture's
recursion itself is the reference of the two-sided check.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

Expect = Literal["pass", "violate"]
CheckKind = Literal["exact", "upper-bound", "violation"]

TOLERANCE = 0.01
"""Largest minimum detectable relative error (mde) for which a report check decides; the
sample sizes of the catalogue are chosen so that every check meets it."""


def experiment_seed(root: int, exp_id: str) -> int:
    """The Monte Carlo seed of run ``exp_id`` under root seed ``root``: the first 8 bytes of
    SHA-256 of ``"root:exp_id"``, a 64-bit integer (distinct runs get unrelated streams)."""
    digest = hashlib.sha256(f"{int(root)}:{exp_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


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
        points: "gaussian" (a cloud of n examples) or "two-point" (n = 2 examples at
            centre +- spread along the diagonal direction).
        data_seed: seed of the problem's data (independent of the Monte Carlo seed).
        expect: "pass" if the bound must hold, "violate" if the run is outside the condition.
        test_from: first step tested (steps before it are the transient of a noise-ball run).
        reference: what the one-sided check compares with: "recursion" (the lecture's b_t) or
            "level" (its fixed point alpha M/(2 mu - alpha mu^2), for noise-ball runs).
        tight: the bound holds with equality (H = mu I, or one dimension), so the two-sided
            check compares with the lecture's recursion itself.
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
    points: Literal["gaussian", "two-point"] = "gaussian"
    data_seed: int = 0
    expect: Expect = "pass"
    test_from: int = 0
    reference: Literal["recursion", "level"] = "recursion"
    tight: bool = False
    quick: bool = False
    claims: tuple[str, ...] = ()

    @property
    def check(self) -> CheckKind:
        """The run's main check: "exact" (quadratic, against exact theory), "upper-bound"
        (no exact theory) or "violation" (outside the step-size condition)."""
        if self.expect == "violate":
            return "violation"
        return "exact" if self.problem == "quadratic" else "upper-bound"

    def as_dict(self) -> dict:
        return asdict(self)


def quadratic_problem(*, dim: int, n: int, mu: float, L: float, spread: float, data_seed: int,
                      points: str = "gaussian"):
    """A quadratic :math:`f(w;x_i)=\\tfrac12 (w-x_i)^\\top H (w-x_i)` with spectrum in [mu, L].

    The eigenvalues of ``H`` are evenly spaced from ``mu`` to ``L`` (so the problem's strong
    convexity and smoothness constants are exactly ``mu`` and ``L``) in a random orthonormal
    basis (``H = mu I`` exactly when ``mu == L``); the examples are a Gaussian cloud of standard
    deviation ``spread`` (``points="gaussian"``) or the two points
    :math:`c \\pm \\text{spread}\\cdot\\mathbf 1/\\sqrt d` (``points="two-point"``, ``n = 2``).

    Returns:
        (problem, eigvecs) with ``eigvecs[:, k]`` the eigenvector of the k-th eigenvalue.
    """
    from sim import QuadraticProblem

    if dim == 1 and mu != L:
        raise ValueError(f"a one-dimensional quadratic has mu == L, got mu={mu}, L={L}")
    if points == "two-point" and n != 2:
        raise ValueError(f"the two-point case has n == 2, got n={n}")
    rng = np.random.default_rng(data_seed)
    eigvals = np.linspace(mu, L, dim)
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    q = q * np.sign(np.diag(r))
    hessian = mu * np.eye(dim) if mu == L else (q * eigvals) @ q.T
    hessian = (hessian + hessian.T) / 2
    centre = rng.standard_normal(dim)
    if points == "two-point":
        data = centre + spread * np.outer([-1.0, 1.0], np.ones(dim) / np.sqrt(dim))
    else:
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
                                       spread=exp.spread, data_seed=exp.data_seed,
                                       points=exp.points)
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
    common = {"group": "bound", "problem": "quadratic", "steps": 120}
    return [
        Experiment(id="quad-d1-two-point", dim=1, n=2, mu=1.0, L=1.0, alpha=0.2,
                   points="two-point", tight=True, trajectories=3 * 2**20, quick=True,
                   purpose="one dimension, two examples (the noise is ±μc): every step of the "
                   "recursion is an equality, so the bound itself is checked two-sided",
                   **common),
        Experiment(id="quad-isotropic", dim=3, n=64, mu=1.0, L=1.0, alpha=0.2, tight=True,
                   trajectories=3 * 2**20, purpose="H = μI in three dimensions, noise "
                   "independent of the state: the bound is attained and checked two-sided",
                   **common),
        Experiment(id="quad-d5", dim=5, n=64, mu=1.0, L=4.0, alpha=0.1, trajectories=3 * 2**19,
                   quick=True, purpose="well-conditioned quadratic, step size well inside the "
                   "condition", **common),
        Experiment(id="quad-d10-edge", dim=10, n=64, mu=0.5, L=10.0, alpha=2 / 10.5,
                   trajectories=2**21, purpose="ill-conditioned quadratic at the edge of the "
                   "condition, α = 2/(L+μ)", **common),
        Experiment(id="quad-d5-batch8", dim=5, n=64, mu=1.0, L=4.0, alpha=0.3, batch=8,
                   trajectories=2**21,
                   purpose="minibatch of 8 (with replacement): the same bound with M/8",
                   **common),
    ]


NOISE_BALL_ALPHAS = (0.025, 0.05, 0.1, 0.2, 0.3, 0.4)
NOISE_BALL_PROBLEM = {"problem": "quadratic", "dim": 2, "n": 64, "mu": 1.0, "L": 4.0}
NOISE_BALL_MIXED = 1e-4
"""Largest relative distance :math:`(1-\\alpha\\mu)^{2t}` of the exact curve from its limit at
the first tested step of a noise-ball run: a hundredth of the 1% the checks resolve."""
NOISE_BALL_WINDOW = 20
"""Steps tested after mixing, each on the same independent trajectories (Bonferroni)."""


def mixing_steps(alpha: float, mu: float, tol: float = NOISE_BALL_MIXED) -> int:
    """Fewest steps :math:`t` with :math:`(1-\\alpha\\mu)^{2t} \\le` ``tol`` (needs
    :math:`0 < \\alpha\\mu < 1`).

    From :math:`w^*` every eigen-coordinate's second moment is its limit times
    :math:`1 - r_k^{2t}`, :math:`|r_k| \\le 1 - \\alpha\\mu` for :math:`\\alpha \\le 2/(L+\\mu)`,
    so from that step on the exact curve is within ``tol`` (relative) of its limit.
    """
    return math.ceil(math.log(tol) / (2 * math.log1p(-alpha * mu)))


NOISE_BALL_TRAJECTORIES = {0.025: 5 * 2**20, 0.05: 3 * 2**20, 0.1: 2**21, 0.2: 2**21,
                           0.3: 2**21, 0.4: 2**21}


def _noise_ball_runs() -> list[Experiment]:
    # Start at the optimum, so the exact curve rises monotonically to the level; test the
    # window of steps after it is within NOISE_BALL_MIXED of it.
    runs = []
    for a in NOISE_BALL_ALPHAS:
        mixed = mixing_steps(a, NOISE_BALL_PROBLEM["mu"])
        runs.append(Experiment(
            id=f"noise-ball-a{a:g}", group="noise-ball", alpha=a,
            steps=mixed + NOISE_BALL_WINDOW, test_from=mixed, reference="level",
            trajectories=NOISE_BALL_TRAJECTORIES[a], **NOISE_BALL_PROBLEM, start="optimum",
            quick=(a == 0.2),
            purpose=f"noise ball at α = {a:g}, started at w*: the level reached after {mixed} "
            f"steps (within 10⁻⁴ of the limit) is checked at steps {mixed}–"
            f"{mixed + NOISE_BALL_WINDOW} against its exact value (two-sided) and the lecture's "
            "αM/(2μ − αμ²) (one-sided)"))
    return runs


def _step_size_runs() -> list[Experiment]:
    common = {"group": "step-size", "problem": "quadratic", "dim": 2, "n": 64, "mu": 1.0,
              "L": 10.0, "steps": 80, "start": "top", "r0": 3.0,
              "spread": 0.3, "quick": True}
    return [
        Experiment(id="step-inside", alpha=0.18, expect="pass", trajectories=3 * 2**20,
                   purpose="α = 0.18, just inside 2/(L+μ) = 0.1818: the bound holds",
                   **common),
        Experiment(id="step-outside", alpha=0.19, expect="violate", trajectories=5 * 2**20,
                   purpose="α = 0.19, just outside 2/(L+μ): the stiff direction contracts "
                   "by |1 − αL| = 0.9 > 1 − αμ = 0.81, so the bound is expected to fail", **common),
    ]


def _logistic_runs() -> list[Experiment]:
    return [
        Experiment(id="logistic-d2", group="logistic", problem="logistic", dim=2, n=200,
                   spread=1.5, l2=0.1, alpha=0.5, steps=100, trajectories=2**17, r0=4.0,
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
