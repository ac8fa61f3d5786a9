"""The stationary law of constant-step SGD on a quadratic: Σ = (I − αH)Σ(I − αH) + α²C.

Setting: the state-independent noise model of :mod:`sim.theory.schedules` with a constant step
:math:`\\alpha`: :math:`e_{t+1} = (I-\\alpha H)e_t - \\alpha\\xi_t`,
:math:`\\operatorname{Cov}\\xi_t = C`.

References:
    [1] G. Ch. Pflug (1986). Stochastic minimization with constant step-size: asymptotic laws.
        SIAM J. Control Optim. 24(4):655-666 (the stationary covariance of constant-step SGD on
        a quadratic as the solution of a Lyapunov equation).
    [2] SciPy, ``scipy.linalg.solve_discrete_lyapunov`` (solves :math:`AXA^H - X + Q = 0`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.theory._args import eigen_noise, positive_float, spectrum

__all__ = [
    "eigen_noise",
    "stationary_covariance",
    "stationary_covariance_lyapunov",
    "stationary_mean_sq_dist",
]


def _check_step(alpha: float, L: float) -> float:
    alpha = positive_float("alpha", alpha)
    if not alpha * L < 2:
        raise ValueError(
            f"alpha must be in (0, 2/L) = (0, {2 / L}) for a stationary law, got {alpha}"
        )
    return alpha


def stationary_covariance(hessian: Any, noise_cov: Any, alpha: float) -> np.ndarray:
    """Closed form of the stationary covariance of :math:`e_t = w_t - w^*`.

    .. math::

        \\Sigma = Q S Q^T, \\qquad S_{jk} = \\frac{\\alpha^2 \\tilde C_{jk}}{1 - q_j q_k}, \\qquad
        q_k = 1 - \\alpha\\lambda_k, \\quad \\tilde C = Q^T C Q,

    the unique solution of :math:`\\Sigma = (I-\\alpha H)\\Sigma(I-\\alpha H) + \\alpha^2 C`.

    Hypotheses: :math:`H = Q\\,\\mathrm{diag}(\\lambda)Q^T \\succ 0`, :math:`C \\succeq 0`,
    :math:`0 < \\alpha < 2/L` (:math:`L = \\lambda_{\\max}`), so :math:`|q_k| < 1`.

    Derivation. :math:`\\operatorname{Cov} e_{t+1} = (I-\\alpha H)\\operatorname{Cov}
    e_t(I-\\alpha H) + \\alpha^2 C` (noise independent of :math:`e_t`); in the eigenbasis the map
    :math:`S \\mapsto D S D + \\alpha^2\\tilde C` with :math:`D = \\mathrm{diag}(q)` acts entrywise,
    :math:`S_{jk} \\mapsto q_jq_kS_{jk} + \\alpha^2\\tilde C_{jk}`, a contraction when all
    :math:`|q_k| < 1`, whose fixed point is the formula; the covariance converges to it from any
    start. Its trace is :func:`stationary_mean_sq_dist`; at :math:`H = \\mu I`,
    :math:`\\Sigma = \\alpha C/(2\\mu-\\alpha\\mu^2)` and :math:`\\operatorname{tr}\\Sigma =
    \\alpha M/(2\\mu-\\alpha\\mu^2)`, the lecture's noise ball. ([1])
    """
    lam, q, c = eigen_noise(hessian, noise_cov)
    alpha = _check_step(alpha, float(lam[-1]))
    r = 1 - alpha * lam
    c_tilde = q.T @ np.asarray(noise_cov, dtype=np.float64) @ q
    c_tilde = (c_tilde + c_tilde.T) / 2
    s = alpha * alpha * c_tilde / (1 - np.outer(r, r))
    return q @ s @ q.T


def stationary_covariance_lyapunov(hessian: Any, noise_cov: Any, alpha: float) -> np.ndarray:
    """The same :math:`\\Sigma` from SciPy's discrete Lyapunov solver ([2]):
    ``solve_discrete_lyapunov(I - alpha H, alpha**2 C)``, an independent computation (a
    Kronecker-product linear solve for d < 10, the bilinear transformation to a continuous
    Lyapunov equation above; not the eigenbasis formula of :func:`stationary_covariance`)."""
    from scipy.linalg import solve_discrete_lyapunov

    lam, _, _ = eigen_noise(hessian, noise_cov)
    alpha = _check_step(alpha, float(lam[-1]))
    h = np.asarray(hessian, dtype=np.float64)
    a = np.eye(h.shape[0]) - alpha * (h + h.T) / 2
    c = np.asarray(noise_cov, dtype=np.float64)
    sigma = solve_discrete_lyapunov(a, alpha * alpha * (c + c.T) / 2)
    return (sigma + sigma.T) / 2


def stationary_mean_sq_dist(eigvals: Any, noise_var: Any, alpha: float) -> float:
    """:math:`\\lim_t \\mathbf E\\|w_t-w^*\\|^2 = \\operatorname{tr}\\Sigma =
    \\sum_k \\dfrac{\\alpha c_k}{2\\lambda_k - \\alpha\\lambda_k^2}`, :math:`c_k = (Q^TCQ)_{kk}`.

    The diagonal of :func:`stationary_covariance` in the eigenbasis,
    :math:`\\alpha^2c_k/(1-q_k^2)` with :math:`1-q_k^2 = \\alpha\\lambda_k(2-\\alpha\\lambda_k)`.
    Requires :math:`0 < \\alpha < 2/\\lambda_{\\max}`. Each term is the lecture's noise ball for
    the one-dimensional problem along eigenvector :math:`k`; with :math:`\\lambda_k = \\mu` for
    all :math:`k` the sum is :math:`\\alpha M/(2\\mu-\\alpha\\mu^2)`.
    """
    lam, c = spectrum(eigvals, noise_var)
    alpha = _check_step(alpha, float(lam.max()))
    return float(np.sum(alpha * c / (2 * lam - alpha * lam * lam)))
