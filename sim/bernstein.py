"""The empirical Bernstein bound: a finite-sample confidence bound for the mean of bounded values.

**Theorem** (Maurer and Pontil [1]_, Theorem 4). Let :math:`n \\ge 2` and
:math:`X_1, \\dots, X_n` be i.i.d. with values in :math:`[0, 1]`, mean :math:`m`, sample mean
:math:`\\bar X` and unbiased sample variance
:math:`V_n = \\frac1{n-1}\\sum_i (X_i - \\bar X)^2`. For every :math:`\\delta \\in (0, 1)`,

.. math::

    \\Pr\\Bigl[\\, m > \\bar X + \\sqrt{\\frac{2 V_n \\ln(2/\\delta)}{n}}
    + \\frac{7\\ln(2/\\delta)}{3(n-1)} \\Bigr] \\le \\delta .

Applied to :math:`1 - X_i` it bounds :math:`m` from below with the same deviation. For values
in :math:`[a, b]`, apply it to :math:`(X_i - a)/(b - a)` and scale back: the deviation is

.. math::

    D_n(\\delta) = \\sqrt{\\frac{2 \\hat\\sigma^2 \\ln(2/\\delta)}{n}}
    + \\frac{7 (b - a) \\ln(2/\\delta)}{3(n-1)},

with :math:`\\hat\\sigma^2` the unbiased sample variance of the :math:`X_i` themselves, i.e.
:math:`\\sqrt{2\\ln(2/\\delta)}` standard errors plus a range term of order :math:`1/n`. The
guarantee needs nothing but independence and the range: no normal approximation, any
:math:`n \\ge 2`.

References:
    .. [1] A. Maurer, M. Pontil, "Empirical Bernstein bounds and sample variance
       penalization", COLT 2009 (arXiv:0907.3740).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def deviation(variance: Any, count: int, width: Any, delta: float) -> np.ndarray:
    """:math:`D_n(\\delta)`: one side of the empirical Bernstein bound (module docstring).

    Args:
        variance: unbiased sample variance of the values (scalar or per step).
        count: number of i.i.d. values ``n >= 2``.
        width: ``b - a``, the length of the interval that holds every value (scalar or per step).
        delta: probability that the mean lies beyond this side, in ``(0, 1)``.

    Returns:
        The deviation, broadcast over ``variance`` and ``width``.
    """
    if count < 2:
        raise ValueError(f"count must be >= 2 for the empirical Bernstein bound, got {count}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    log_term = np.log(2.0 / delta)
    var = np.maximum(np.asarray(variance, dtype=np.float64), 0.0)
    return (np.sqrt(2.0 * var * log_term / count)
            + 7.0 * np.asarray(width, dtype=np.float64) * log_term / (3.0 * (count - 1)))


def interval(mean: Any, variance: Any, count: int, lower: Any, upper: Any,
             delta: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided confidence interval for the mean, each side at level ``delta / 2``.

    Values are assumed to lie in ``[lower, upper]``; the interval is clipped to that range.
    """
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    dev = deviation(variance, count, hi - lo, delta / 2)
    m = np.asarray(mean, dtype=np.float64)
    return np.maximum(m - dev, lo), np.minimum(m + dev, hi)
