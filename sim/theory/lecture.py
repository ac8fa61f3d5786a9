"""The lecture's convergence statements as functions, each derived from its slide.

References are to the slides of "Stochastic Gradient Descent: The Workhorse of Machine Learning"
(Cornell CS6787, Lecture 1), by heading.
"""

from __future__ import annotations

import numpy as np

from sim.theory._args import int_at_least, nonneg, positive_float
from sim.theory._args import mu_L as _mu_L

_nonneg = nonneg


def gd_contraction(mu: float, L: float, alpha: float) -> float:
    """Per-step contraction of gradient descent, :math:`\\max(|1-\\alpha\\mu|, |1-\\alpha L|)`.

    Slide "Gradient Descent Converges (continued)": :math:`w_{t+1}-w^* = (I - \\alpha\\nabla^2
    f(\\zeta_t))(w_t - w^*)`, and the spectral norm of :math:`I - \\alpha\\nabla^2 f` with
    :math:`\\mu I \\preceq \\nabla^2 f \\preceq L I` is at most the larger of
    :math:`|1-\\alpha\\lambda|` at the two ends of the spectrum (it is convex in :math:`\\lambda`).
    """
    mu, L = _mu_L(mu, L)
    alpha = positive_float("alpha", alpha)
    return max(abs(1 - alpha * mu), abs(1 - alpha * L))


def optimal_step(mu: float, L: float) -> float:
    """:math:`2/(L+\\mu)`, which balances :math:`1-\\alpha\\mu = \\alpha L - 1` and gives the rate
    :math:`(L-\\mu)/(L+\\mu)` (slide "Gradient Descent Converges (continued)")."""
    mu, L = _mu_L(mu, L)
    return 2.0 / (L + mu)


def max_step(mu: float, L: float) -> float:
    """Largest step for which the SGD recursion holds: :math:`\\alpha \\le 2/(L+\\mu)`.

    Slide "Stochastic Gradient Descent Convergence" ("assuming small enough alpha"): the step
    :math:`\\mathbf E\\|(I-\\alpha\\nabla^2 h)e\\|^2 \\le (1-\\alpha\\mu)^2\\mathbf E\\|e\\|^2`
    needs :math:`\\max(|1-\\alpha\\mu|, |1-\\alpha L|) \\le 1-\\alpha\\mu`, i.e.
    :math:`\\alpha L - 1 \\le 1 - \\alpha\\mu`, i.e. :math:`\\alpha \\le 2/(L+\\mu)` (then
    :math:`1-\\alpha\\mu \\ge 0` too). The
    condition is exact: for larger :math:`\\alpha` an error along the :math:`L`-eigenvector of a
    quadratic contracts by :math:`|1-\\alpha L| > 1-\\alpha\\mu` and the recursion fails.
    """
    return optimal_step(mu, L)


def sgd_bound(mu: float, M: float, alpha: float, e0_sq: float, steps: int) -> np.ndarray:
    """The unrolled SGD recursion from :math:`b_0 = \\|w_0-w^*\\|^2`:
    :math:`b_{t+1} = (1-\\alpha\\mu)^2 b_t + \\alpha^2 M`.

    Slide "Stochastic Gradient Descent Convergence": expanding the square, the cross term has
    zero mean because :math:`\\mathbf E[\\nabla f(w_t; x_{i_t}) - \\nabla h(w_t) \\mid w_t] = 0`,
    the first term is at most :math:`(1-\\alpha\\mu)^2\\mathbf E\\|w_t-w^*\\|^2` for
    :math:`0 < \\alpha \\le 2/(L+\\mu)` (see :func:`max_step`) and the noise term at most
    :math:`\\alpha^2 M`. For a minibatch of :math:`B` indices with replacement pass ``M / B``.

    Args:
        mu: strong-convexity constant ``> 0``. M: noise bound ``>= 0``. alpha: step ``> 0``.
        e0_sq: :math:`\\|w_0 - w^*\\|^2 \\ge 0`. steps: ``T >= 0``.

    Returns:
        ``(T + 1,)`` array :math:`b_0, \\dots, b_T`.
    """
    mu, alpha = positive_float("mu", mu), positive_float("alpha", alpha)
    M, e0_sq = _nonneg("M", M), _nonneg("e0_sq", e0_sq)
    steps = int_at_least("steps", steps, 0)
    rho, noise = (1 - alpha * mu) ** 2, alpha * alpha * M
    b = np.empty(steps + 1)
    b[0] = e0_sq
    with np.errstate(over="ignore"):
        for t in range(steps):
            b[t + 1] = rho * b[t] + noise
    return b


def noise_ball(mu: float, M: float, alpha: float) -> float:
    """Fixed point of the SGD recursion, :math:`\\alpha M / (2\\mu - \\alpha\\mu^2)`.

    Slide "Stochastic Gradient Descent Convergence" (noise ball): :math:`b = (1-\\alpha\\mu)^2 b +
    \\alpha^2 M` gives :math:`b\\,\\alpha\\mu(2 - \\alpha\\mu) = \\alpha^2 M`. Requires
    :math:`0 < \\alpha\\mu < 2`.
    """
    mu, alpha = positive_float("mu", mu), positive_float("alpha", alpha)
    M = _nonneg("M", M)
    if not alpha * mu < 2:
        raise ValueError(f"alpha must be < 2/mu = {2 / mu} for a noise ball, got {alpha}")
    return alpha * M / (2 * mu - alpha * mu * mu)
