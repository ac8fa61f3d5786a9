"""Binomial margins for tests that count events: how many are allowed before the test fails."""

from __future__ import annotations

import functools
import math


def upper_tail(trials: int, p: float, k: int) -> float:
    """:math:`\\Pr[\\mathrm{Bin}(n, p) > k]`, summing the pmf in log space (lgamma); the terms
    beyond the mode decrease geometrically, so the sum stops once they no longer matter."""
    if k >= trials:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    head = math.lgamma(trials + 1)
    total = 0.0
    for j in range(k + 1, trials + 1):
        term = math.exp(head - math.lgamma(j + 1) - math.lgamma(trials - j + 1)
                        + j * log_p + (trials - j) * log_q)
        total += term
        if j > trials * p and term < 1e-18 * total:
            break
    return total


@functools.lru_cache(maxsize=256)
def allowed_count(trials: int, p: float, alpha: float = 1e-9) -> int:
    """Smallest ``k`` with :math:`\\Pr[\\mathrm{Bin}(n, p) > k] \\le \\alpha`.

    A test that fails when more than ``k`` of ``trials`` independent events of probability at
    most ``p`` occur has false-alarm probability at most ``alpha`` (the tail is increasing in p).
    """
    lo, hi = 0, trials
    while lo < hi:
        mid = (lo + hi) // 2
        if upper_tail(trials, p, mid) <= alpha:
            hi = mid
        else:
            lo = mid + 1
    return lo
