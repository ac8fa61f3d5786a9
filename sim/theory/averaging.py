"""Polyak-Ruppert averaging of constant-step SGD on a quadratic: exact second moments and the limit.

Setting: the state-independent noise model of :mod:`sim.theory.schedules` with a constant step,
:math:`e_{t+1} = (I-\\alpha H)e_t - \\alpha\\xi_t`. Two indexings of the average:

* the classical :math:`\\bar w_n = \\frac1n\\sum_{t=0}^{n-1} w_t` (:math:`n \\ge 1` iterates,
  the first one :math:`w_0`), used by :func:`polyak_ruppert_isotropic`;
* the simulator's ``average_from=k``: :math:`\\bar w_t = \\frac{1}{t-k+1}\\sum_{s=k}^{t} w_s` for
  :math:`t \\ge k` (NaN before), used by :func:`averaged_mean_sq_dist`. With :math:`k = 0`,
  entry :math:`t` is the classical :math:`\\bar w_{n}` with :math:`n = t+1`.

References:
    [1] B. T. Polyak, A. B. Juditsky (1992). Acceleration of stochastic approximation by
        averaging. SIAM J. Control Optim. 30(4):838-855, Theorem 1 (linear case: asymptotic
        covariance :math:`A^{-1}VA^{-T}` of :math:`\\sqrt t(\\bar x_t - x^*)`).
    [2] D. Ruppert (1988). Efficient estimations from a slowly convergent Robbins-Monro process.
        Technical Report 781, Cornell University ORIE.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.theory._args import (
    spectrum,
    eigen_noise,
    int_at_least,
    nonneg,
    positive_float,
    times,
)

__all__ = ["averaged_mean_sq_dist", "polyak_juditsky_limit", "polyak_ruppert_isotropic"]


def polyak_ruppert_isotropic(mu: float, M: float, alpha: float, e0_sq: float, n: int) -> float:
    """Exact :math:`\\mathbf E\\|\\bar w_n-w^*\\|^2` with
    :math:`\\bar w_n = \\frac1n\\sum_{t=0}^{n-1}w_t`, on :math:`H = \\mu I`, with
    :math:`q = 1-\\alpha\\mu`:

    .. math::

        \\mathbf E\\|\\bar w_n-w^*\\|^2 = \\Big(\\frac{1-q^n}{n\\alpha\\mu}\\Big)^2\\|e_0\\|^2
        + \\frac{M}{n^2\\mu^2}\\sum_{m=1}^{n-1}(1-q^m)^2 .

    Hypotheses: state-independent noise, :math:`\\mathbf E\\|\\xi_t\\|^2 = M`; any
    :math:`\\alpha > 0` (no stability condition: the identity is exact for every finite
    :math:`n`); :math:`e_0 = w_0 - w^*` deterministic (or independent of the noise, with
    :math:`\\|e_0\\|^2` replaced by its mean).

    Derivation. :math:`e_t = q^te_0 - \\alpha\\sum_{s<t}q^{t-1-s}\\xi_s`. Summing
    :math:`t = 0..n-1`: :math:`\\sum_t q^t = (1-q^n)/(\\alpha\\mu)`, and :math:`\\xi_s` collects
    :math:`-\\alpha\\sum_{t=s+1}^{n-1}q^{t-1-s} = -(1-q^{n-1-s})/\\mu`. With :math:`m = n-1-s`
    (:math:`m = 1..n-1`; :math:`\\xi_{n-1}` does not enter) the terms are orthogonal in
    :math:`L^2` (independent, mean zero), which gives the formula after dividing by :math:`n^2`.
    As :math:`n\\to\\infty` with :math:`|q|<1`, :math:`n\\,\\mathbf E\\|\\bar w_n-w^*\\|^2 \\to
    M/\\mu^2`, the Polyak-Juditsky constant :math:`\\operatorname{tr}(H^{-1}CH^{-1})` at
    :math:`H=\\mu I` (:func:`polyak_juditsky_limit`).
    """
    mu, alpha = positive_float("mu", mu), positive_float("alpha", alpha)
    M, e0_sq = nonneg("M", M), nonneg("e0_sq", e0_sq)
    n = int_at_least("n", n, 1)
    x = np.array([alpha * mu])
    with np.errstate(over="ignore", invalid="ignore"):
        bias = times(e0_sq, (_one_minus_q_pow(x, n)[0] / (n * alpha * mu)) ** 2)
        m = np.arange(1, n, dtype=np.float64)[:, None]
        noise = times(M / (n * n * mu * mu), np.sum(_one_minus_q_pow(x, m) ** 2))
    return float(bias + noise)


def _one_minus_q_pow(x: np.ndarray, m) -> np.ndarray:
    """:math:`1 - (1-x)^m` without cancellation when :math:`0 < x < 1` (via expm1/log1p)."""
    q = 1.0 - x
    safe = np.where(x < 1, x, 0.5)
    accurate = -np.expm1(m * np.log1p(-safe))
    return np.where(x < 1, accurate, 1.0 - q**m)


def averaged_mean_sq_dist(
    eigvals: Any, noise_var: Any, alpha: float, e0_eig: Any, steps: int, start: int = 0
) -> np.ndarray:
    """Exact :math:`\\mathbf E\\|\\bar w_t-w^*\\|^2` with :math:`\\bar w_t` the mean of
    :math:`w_{k}..w_t` (``start`` = k), ``t = 0..steps``; NaN for ``t < k``.

    Per eigen-coordinate (:math:`q_j = 1-\\alpha\\lambda_j`, :math:`c_j = (Q^TCQ)_{jj}`,
    :math:`N = t-k+1` averaged iterates):

    .. math::

        \\mathbf E\\bar z_{t,j}^2 = \\Big(\\frac{1-q_j^N}{N\\alpha\\lambda_j}\\Big)^2
        \\mathbf E z_{k,j}^2 + \\frac{c_j}{N^2\\lambda_j^2}\\sum_{m=1}^{N-1}(1-q_j^m)^2, \\qquad
        \\mathbf E z_{k,j}^2 = q_j^{2k}z_{0,j}^2 + \\alpha^2c_j\\sum_{s<k}q_j^{2s},

    summed over :math:`j`. Derivation: the process restarted at :math:`w_k` is the one of
    :func:`polyak_ruppert_isotropic` in each coordinate, with initial error :math:`z_k`, which is
    independent of the later noise; the cross term vanishes and
    :math:`\\mathbf E z_{k,j}^2` follows the recursion of :func:`schedule_mean_sq_dist`.

    Args:
        eigvals: ``(d,)`` :math:`\\lambda_j > 0`. noise_var: ``(d,)`` :math:`c_j \\ge 0`.
        alpha: constant step ``> 0``. e0_eig: ``(d,)`` :math:`Q^T(w_0-w^*)`.
        steps: ``T >= 0``. start: ``0 <= k``.
    """
    lam, c, z0 = spectrum(eigvals, noise_var, e0_eig)
    alpha = positive_float("alpha", alpha)
    steps = int_at_least("steps", steps, 0)
    start = int_at_least("start", start, 0)
    out = np.full(steps + 1, np.nan)
    if start > steps:
        return out
    q = 1.0 - alpha * lam
    with np.errstate(over="ignore", invalid="ignore"):
        zk = z0 * z0
        for _ in range(start):
            zk = times(q * q, zk) + alpha * alpha * c
        x = alpha * lam
        noise_sum = np.zeros_like(q)  # sum_{m=1}^{N-1} (1 - q^m)^2
        for i in range(steps - start + 1):
            n_avg = i + 1
            one_minus = _one_minus_q_pow(x, n_avg)  # 1 - q^N
            per = (
                times((one_minus / (n_avg * x)) ** 2, zk) + times(c, noise_sum) / (n_avg * lam) ** 2
            )
            out[start + i] = per.sum()
            noise_sum = noise_sum + one_minus**2
    return out


def polyak_juditsky_limit(hessian: Any, noise_cov: Any) -> float:
    """:math:`\\lim_n n\\,\\mathbf E\\|\\bar w_n-w^*\\|^2 = \\operatorname{tr}(H^{-1}CH^{-1})
    = \\sum_j c_j/\\lambda_j^2` ([1] Thm 1: the trace of the asymptotic covariance
    :math:`H^{-1}CH^{-1}` of :math:`\\sqrt n(\\bar w_n - w^*)`).

    Hypotheses: :math:`H \\succ 0`, :math:`C \\succeq 0`, :math:`0 < \\alpha < 2/L` (any such
    constant step gives the same limit, independent of :math:`\\alpha` and :math:`w_0`). For the
    quadratic model the limit of the second moment (not only in distribution) follows from
    :func:`averaged_mean_sq_dist`: :math:`n\\cdot` the bias term is :math:`O(1/n)` and
    :math:`\\frac1n\\sum_{m<n}(1-q^m)^2 \\to 1` when :math:`|q| < 1`.
    """
    lam, _, c = eigen_noise(hessian, noise_cov)
    return float(np.sum(c / (lam * lam)))
