"""Heavy-ball momentum on a quadratic: stability region, exact transient and stationary moments.

Setting: :math:`w_{t+1} = w_t - \\alpha(\\nabla h(w_t) + \\xi_t) + \\beta(w_t - w_{t-1})`,
:math:`w_{-1} = w_0`, with :math:`\\nabla h(w) = H(w-w^*)` and the state-independent noise of
:mod:`sim.theory.schedules` (:math:`\\operatorname{Cov}\\xi_t = C`). With :math:`e_t = w_t-w^*`
the pair :math:`z_t = (e_t, e_{t-1})` is a :math:`2d`-dimensional linear system

.. math::

    z_{t+1} = T z_t + \\begin{pmatrix}-\\alpha\\xi_t\\\\ 0\\end{pmatrix}, \\qquad
    T = \\begin{pmatrix}(1+\\beta)I-\\alpha H & -\\beta I\\\\ I & 0\\end{pmatrix},
    \\qquad z_0 = (e_0, e_0).

References:
    [1] B. T. Polyak (1964). Some methods of speeding up the convergence of iteration methods.
        USSR Comput. Math. Math. Phys. 4(5):1-17.
    [2] E. I. Jury (1964). Theory and Application of the z-Transform Method. Wiley (the
        stability criterion of a real quadratic :math:`z^2+a_1z+a_0`: :math:`|a_0|<1`,
        :math:`|a_1|<1+a_0`).
    [3] G. E. P. Box, G. M. Jenkins (1976). Time Series Analysis: Forecasting and Control,
        Sec. 3.2.4 (variance of a stationary AR(2) process).
    [4] SciPy, ``scipy.linalg.solve_discrete_lyapunov``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sim.theory._args import (
    spectrum,
    diverged,
    eigen_noise,
    int_at_least,
    positive_float,
    symmetric_psd,
)

__all__ = [
    "heavy_ball_mean_sq_dist",
    "heavy_ball_matrix",
    "heavy_ball_stable",
    "heavy_ball_stationary_covariance",
    "heavy_ball_stationary_mean_sq_dist",
]


def _beta(beta: Any) -> float:
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"beta must be a real number, got {type(beta).__name__}")
    b = float(beta)
    if not (np.isfinite(b) and -1 < b < 1):
        raise ValueError(f"beta must be a number in (-1, 1), got {beta}")
    return b


def heavy_ball_matrix(hessian: Any, alpha: float, beta: float) -> np.ndarray:
    """The ``(2d, 2d)`` transition matrix :math:`T` of the module docstring."""
    h = symmetric_psd("hessian", hessian, definite=True)
    alpha, beta = positive_float("alpha", alpha), _beta(beta)
    d = h.shape[0]
    eye = np.eye(d)
    return np.block([[(1 + beta) * eye - alpha * h, -beta * eye], [eye, np.zeros((d, d))]])


def heavy_ball_stable(alpha: float, beta: float, L: float) -> bool:
    """Whether :math:`\\rho(T) < 1` for every :math:`H` with spectrum in :math:`(0, L]`:

    .. math:: -1 < \\beta < 1 \\quad\\text{and}\\quad 0 < \\alpha L < 2(1+\\beta).

    Derivation. :math:`T` is similar to a block diagonal of :math:`2\\times2` blocks, one per
    eigenvalue :math:`\\lambda` of :math:`H`, with characteristic polynomial
    :math:`z^2 - (1+\\beta-\\alpha\\lambda)z + \\beta`. By the Jury criterion ([2]) both roots
    lie in the open unit disc iff :math:`|\\beta| < 1` and
    :math:`|1+\\beta-\\alpha\\lambda| < 1+\\beta`,
    i.e. :math:`0 < \\alpha\\lambda < 2(1+\\beta)`; the binding eigenvalue is :math:`\\lambda = L`.
    At :math:`\\beta = 0` this is plain SGD's :math:`\\alpha < 2/L`. (``beta`` outside
    :math:`(-1, 1)` returns False.)
    """
    alpha, L = positive_float("alpha", alpha), positive_float("L", L)
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"beta must be a real number, got {type(beta).__name__}")
    b = float(beta)
    # beta > -1 is implied: alpha L > 0 makes alpha L < 2 (1 + beta) fail for beta <= -1.
    return bool(b < 1 and alpha * L < 2 * (1 + b))


def heavy_ball_stationary_covariance(hessian: Any, noise_cov: Any, alpha: float, beta: float):
    """Stationary covariance :math:`P` of :math:`z_t = (e_t, e_{t-1})`, the solution of the discrete
    Lyapunov equation

    .. math:: P = T P T^T + \\begin{pmatrix}\\alpha^2 C & 0\\\\ 0 & 0\\end{pmatrix}

    by ``scipy.linalg.solve_discrete_lyapunov`` ([4]). Hypotheses: :math:`H \\succ 0`,
    :math:`C \\succeq 0`, :math:`(\\alpha, \\beta)` in the region of :func:`heavy_ball_stable`, so
    :math:`\\rho(T) < 1` and the solution is unique and is the limit of the covariance from any
    start (its mean :math:`T^t z_0 \\to 0`). The top-left block is the stationary covariance of
    :math:`e_t`; its trace is :func:`heavy_ball_stationary_mean_sq_dist`.
    """
    from scipy.linalg import solve_discrete_lyapunov

    lam, _, _ = eigen_noise(hessian, noise_cov)
    alpha, beta = positive_float("alpha", alpha), _beta(beta)
    if not heavy_ball_stable(alpha, beta, float(lam[-1])):
        raise ValueError(
            f"(alpha, beta) = ({alpha}, {beta}) is outside the stability region "
            f"alpha * L < 2 (1 + beta) with L = {lam[-1]:.6g}"
        )
    t = heavy_ball_matrix(hessian, alpha, beta)
    d = lam.size
    c = np.asarray(noise_cov, dtype=np.float64)
    q = np.zeros((2 * d, 2 * d))
    q[:d, :d] = alpha * alpha * (c + c.T) / 2
    p = solve_discrete_lyapunov(t, q)
    return (p + p.T) / 2


def heavy_ball_stationary_mean_sq_dist(eigvals: Any, noise_var: Any, alpha: float, beta: float):
    """Closed form of :math:`\\lim_t\\mathbf E\\|w_t-w^*\\|^2` under heavy ball:

    .. math::

        \\sum_k \\frac{(1+\\beta)\\,\\alpha\\,c_k}{(1-\\beta)\\,\\lambda_k\\,
        (2(1+\\beta)-\\alpha\\lambda_k)}, \\qquad c_k = (Q^TCQ)_{kk}.

    Derivation. Each eigen-coordinate is the AR(2) process :math:`x_{t+1} = \\phi_1x_t +
    \\phi_2x_{t-1} + \\varepsilon_t` with :math:`\\phi_1 = 1+\\beta-\\alpha\\lambda_k`,
    :math:`\\phi_2 = -\\beta`, :math:`\\operatorname{Var}\\varepsilon = \\alpha^2c_k`, whose
    stationary variance is :math:`\\frac{(1-\\phi_2)\\operatorname{Var}\\varepsilon}{(1+\\phi_2)
    ((1-\\phi_2)^2-\\phi_1^2)}` ([3]); here :math:`(1+\\beta)^2-\\phi_1^2 =
    \\alpha\\lambda_k(2(1+\\beta)-\\alpha\\lambda_k)`. At :math:`\\beta = 0` it is the lecture's
    noise ball :math:`\\alpha c_k/(2\\lambda_k-\\alpha\\lambda_k^2)` per coordinate; for small
    :math:`\\alpha` it is about :math:`\\frac{1}{1-\\beta}` times the plain-SGD level at the same
    :math:`\\alpha` (the effective step :math:`\\alpha/(1-\\beta)`).
    """
    lam, c = spectrum(eigvals, noise_var)
    alpha, beta = positive_float("alpha", alpha), _beta(beta)
    if not heavy_ball_stable(alpha, beta, float(lam.max())):
        raise ValueError(
            f"(alpha, beta) = ({alpha}, {beta}) is outside the stability region "
            f"alpha * L < 2 (1 + beta) with L = {lam.max():.6g}"
        )
    terms = (1 + beta) * alpha * c / ((1 - beta) * lam * (2 * (1 + beta) - alpha * lam))
    return float(np.sum(terms))


def heavy_ball_mean_sq_dist(
    eigvals: Any, noise_var: Any, alpha: float, beta: float, e0_eig: Any, steps: int
) -> np.ndarray:
    """Exact transient :math:`\\mathbf E\\|w_t-w^*\\|^2`, ``t = 0..steps``, by iterating the second
    moment :math:`P_{t+1} = TP_tT^T + \\mathrm{diag}(\\alpha^2C, 0)` from
    :math:`P_0 = z_0z_0^T`, :math:`z_0 = (e_0, e_0)` (i.e. :math:`w_{-1} = w_0`).

    In the eigenbasis each coordinate keeps three numbers,
    :math:`(u, v, s) = (\\mathbf E x_t^2, \\mathbf E x_tx_{t-1}, \\mathbf E x_{t-1}^2)`, with
    :math:`a = 1+\\beta-\\alpha\\lambda_k`:
    :math:`u' = a^2u - 2a\\beta v + \\beta^2 s + \\alpha^2c_k`, :math:`v' = au - \\beta v`,
    :math:`s' = u` (the cross-coordinate entries of :math:`P` do not enter the trace). No
    stability condition is needed; outside the region the moments grow, and from the first one
    beyond the float range on they are reported as +inf (never ``inf - inf = NaN``).
    """
    lam, c, z0 = spectrum(eigvals, noise_var, e0_eig)
    alpha, beta = positive_float("alpha", alpha), _beta(beta)
    steps = int_at_least("steps", steps, 0)
    a = 1 + beta - alpha * lam
    u = z0 * z0
    v = u.copy()
    s = u.copy()
    out = np.empty(steps + 1)
    out[0] = u.sum()
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            u, v, s = (
                a * a * u - 2 * a * beta * v + beta * beta * s + alpha * alpha * c,
                (a * u - beta * v),
                u,
            )
            out[t + 1] = u.sum()
    return diverged(out)
