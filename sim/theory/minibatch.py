"""Gradient noise of a minibatch: with replacement, and without replacement (b-nice sampling).

Setting. A finite sum :math:`h = \\frac1n\\sum_{i=1}^n f_i` and a point :math:`w`; the per-sample
gradients :math:`g_i = \\nabla f_i(w)` have mean :math:`\\bar g = \\nabla h(w)`, covariance
:math:`C = \\frac1n\\sum_i (g_i-\\bar g)(g_i-\\bar g)^T` and second moment of the noise
:math:`\\sigma^2 = \\operatorname{tr} C = \\frac1n\\sum_i\\|g_i-\\bar g\\|^2`. A minibatch
:math:`S` of size :math:`b` gives :math:`g_S = \\frac1b\\sum_{i\\in S} g_i`.

References:
    [1] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin, P. Richtárik (2019).
        SGD: General Analysis and Improved Rates. ICML 2019, PMLR 97:5200-5209. Section 3.3,
        b-nice sampling.
    [2] W. G. Cochran (1977). Sampling Techniques, 3rd ed., Theorem 2.2 (variance of the mean
        of a simple random sample without replacement: the finite population correction).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from sim.theory._args import finite_array, int_at_least, nonneg

__all__ = ["minibatch_noise", "minibatch_noise_factor", "per_sample_noise"]

Sampling = Literal["with-replacement", "without-replacement"]


def minibatch_noise_factor(n: int, batch: int, sampling: Sampling = "with-replacement") -> float:
    """The factor :math:`\\kappa` with :math:`\\mathbf E\\|g_S-\\bar g\\|^2 = \\kappa\\,\\sigma^2`
    (and :math:`\\operatorname{Cov} g_S = \\kappa\\, C`).

    .. math::

        \\kappa_{\\text{with}} = \\frac1b, \\qquad
        \\kappa_{\\text{without}} = \\frac{n-b}{b\\,(n-1)} \\quad (n \\ge 2).

    Hypotheses: ``with-replacement`` draws :math:`b` indices i.i.d. uniform on
    :math:`\\{1..n\\}`; ``without-replacement`` draws :math:`S` uniform over the
    :math:`\\binom nb` subsets of size :math:`b` (b-nice sampling, [1] Sec. 3.3).

    Derivation. With replacement, :math:`g_S-\\bar g` is the mean of :math:`b` i.i.d. zero-mean
    vectors of covariance :math:`C`, so its covariance is :math:`C/b`. Without replacement,
    :math:`\\Pr(i\\in S) = b/n` and :math:`\\Pr(i,j\\in S) = b(b-1)/(n(n-1))` for :math:`i\\neq j`;
    writing :math:`u_i = g_i-\\bar g` with :math:`\\sum_i u_i = 0`,
    :math:`\\mathbf E[(\\sum_{i\\in S}u_i)(\\sum_{j\\in S}u_j)^T] = \\frac bn\\sum_i u_iu_i^T
    + \\frac{b(b-1)}{n(n-1)}\\sum_{i\\ne j}u_iu_j^T = bC - \\frac{b(b-1)}{n-1}C
    = \\frac{b(n-b)}{n-1}C`; divide by :math:`b^2` ([2] Thm 2.2). At :math:`b=n` the batch is the
    whole sum and the noise vanishes; at :math:`b=1` both samplings agree.

    Args:
        n: number of examples ``>= 1``. batch: ``b``, ``1 <= b`` (``<= n`` without replacement).
        sampling: ``"with-replacement"`` or ``"without-replacement"``.
    """
    n = int_at_least("n", n, 1)
    b = int_at_least("batch", batch, 1)
    if sampling == "with-replacement":
        return 1.0 / b
    if sampling != "without-replacement":
        raise ValueError(
            f"sampling must be 'with-replacement' or 'without-replacement', got {sampling!r}"
        )
    if b > n:
        raise ValueError(f"batch must be an integer in [1, n={n}] without replacement, got {b}")
    if n == 1:
        return 0.0
    return (n - b) / (b * (n - 1))


def minibatch_noise(
    sigma2: float, n: int, batch: int, sampling: Sampling = "with-replacement"
) -> float:
    """Noise second moment of a minibatch gradient, :math:`\\kappa\\,\\sigma^2`
    (:func:`minibatch_noise_factor`).

    With replacement this is the lecture's :math:`M` divided by :math:`B`: exact at every
    :math:`w` with :math:`\\sigma^2 = \\sigma^2(w)`, hence exactly :math:`M/B` whenever the noise
    does not depend on :math:`w` (quadratic finite sums with a common Hessian), and a bound
    :math:`M/B` when :math:`M \\ge \\sup_w \\sigma^2(w)`. Without replacement it is
    :math:`\\sigma^2(n-b)/(b(n-1))` ([1] Sec. 3.3), smaller than :math:`\\sigma^2/b` for
    :math:`b \\ge 2`.
    """
    return nonneg("sigma2", sigma2) * minibatch_noise_factor(n, batch, sampling)


def per_sample_noise(gradients: Any) -> tuple[float, np.ndarray]:
    """``(sigma2, C)`` of an ``(n, d)`` table of per-sample gradients ``g_i`` at one point.

    :math:`C = \\frac1n\\sum_i (g_i-\\bar g)(g_i-\\bar g)^T` (population covariance, divisor
    :math:`n`) and :math:`\\sigma^2 = \\operatorname{tr} C`.
    """
    g = finite_array("gradients", gradients, ndim=2)
    u = g - g.mean(axis=0)
    cov = u.T @ u / g.shape[0]
    return float(np.trace(cov)), cov
