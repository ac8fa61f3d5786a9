"""Betting confidence sequences for the mean of bounded values, valid at every sample size at once.

Setting: :math:`X_1, X_2, \\dots` i.i.d. in :math:`[0, 1]` with mean :math:`m`. For a candidate
mean :math:`m'`, a gambler who starts with capital 1 and stakes the predictable fraction
:math:`\\lambda_i` (chosen from :math:`X_1..X_{i-1}`) on :math:`X_i - m'` holds

.. math::

    K_n^+(m') = \\prod_{i \\le n} \\bigl(1 + \\lambda_i^+ (X_i - m')\\bigr), \\qquad
    K_n^-(m') = \\prod_{i \\le n} \\bigl(1 - \\lambda_i^- (X_i - m')\\bigr),

with :math:`\\lambda_i^+ \\in [0, 1/m')`, :math:`\\lambda_i^- \\in [0, 1/(1-m'))` so that every
factor is positive. At :math:`m' = m` both are nonnegative martingales with mean 1, and so is the hedged
capital :math:`\\theta K^+ + (1-\\theta) K^-`, which dominates
:math:`K_n^\\pm = \\max(\\theta K_n^+, (1-\\theta) K_n^-)`. Ville's inequality gives
:math:`\\Pr[\\exists n: K_n^\\pm(m) \\ge 1/\\delta] \\le \\delta`, so

.. math::

    C_n = \\{ m' \\in [0, 1] : K_n^\\pm(m') < 1/\\delta \\}

is a :math:`(1-\\delta)` confidence sequence: it covers :math:`m` at all :math:`n` simultaneously,
so a decision may be taken after any look, however many looks there are (Waudby-Smith and
Ramdas [1]_, Theorem 3, the hedged capital process).

:func:`hedged_capital` computes :math:`K_n^\\pm` from the raw values with the paper's predictable
plug-in bets :math:`\\lambda_i = \\min\\bigl(\\sqrt{2\\ln(2/\\delta)/(\\hat\\sigma^2_{i-1}\\, i
\\ln(1+i))},\\ c/m'\\bigr)` (and :math:`c/(1-m')` for :math:`K^-`), :math:`c = 1/2`,
:math:`\\theta = 1/2`, with :math:`\\hat\\mu_i = (1/2 + \\sum_{j \\le i} X_j)/(i+1)` and
:math:`\\hat\\sigma_i^2 = (1/4 + \\sum_{j \\le i} (X_j - \\hat\\mu_j)^2)/(i+1)`.

:class:`ChunkedBettingCS` works from the mergeable moments of chunks (:mod:`sim.stats`), where the
raw values are never seen. The bet is constant within a chunk, :math:`\\lambda_c \\le 1/2`, fixed
before the chunk from the earlier ones (so it is predictable), and the log-capital of a chunk is
bounded below with Fan et al.'s inequality [2]_
:math:`\\ln(1 + \\lambda u) \\ge \\lambda u - \\psi(\\lambda) u^2` for :math:`u \\ge -1`,
:math:`\\lambda \\in [0, 1)`, :math:`\\psi(\\lambda) = -\\ln(1-\\lambda) - \\lambda`, by

.. math::

    \\ln K^+_{\\text{chunk}}(m') \\ge \\lambda_c n_c (\\bar X_c - m')
    - \\psi(\\lambda_c)\\bigl(M_{2,c} + n_c(\\bar X_c - m')^2\\bigr),

a quadratic in :math:`m'` whose coefficients add over chunks. A lower bound of the capital keeps
the guarantee (it crosses :math:`1/\\delta` only when the capital does). With
:math:`\\lambda \\le 1/2`, :math:`2\\psi(\\lambda) \\le \\lambda`, so the bound for :math:`K^+` is
nonincreasing in :math:`m' \\in [0, 1]` and that for :math:`K^-` nondecreasing: the confidence set
is an interval whose ends are found by bisection. This is the betting counterpart of the
predictable plug-in empirical Bernstein sequence of [1]_ (Theorem 2).

References:
    .. [1] I. Waudby-Smith, A. Ramdas, "Estimating means of bounded random variables by
       betting", J. R. Stat. Soc. B 86(1), 2024 (arXiv:2010.09686).
    .. [2] X. Fan, I. Grama, Q. Liu, "Exponential inequalities for martingales with
       applications", Electron. J. Probab. 20, 2015.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TRUNCATION = 0.5
"""Largest bet :math:`c` (as a fraction of the largest bet that keeps the capital positive)."""


def psi(lam: Any) -> np.ndarray:
    """:math:`\\psi(\\lambda) = -\\ln(1-\\lambda) - \\lambda` for :math:`\\lambda \\in [0, 1)`."""
    lam = np.asarray(lam, dtype=np.float64)
    return -np.log1p(-lam) - lam


def plug_in_bets(x: Any, delta: float) -> np.ndarray:
    """The predictable plug-in bets :math:`\\dot\\lambda_i` of the module docstring (last axis is
    time), before truncation."""
    x = np.asarray(x, dtype=np.float64)
    t = np.arange(1, x.shape[-1] + 1)
    mu_hat = (0.5 + np.cumsum(x, axis=-1)) / (t + 1)
    sigma2 = (0.25 + np.cumsum((x - mu_hat) ** 2, axis=-1)) / (t + 1)
    prev = np.concatenate([np.full((*x.shape[:-1], 1), 0.25), sigma2[..., :-1]], axis=-1)
    return np.sqrt(2 * np.log(2 / delta) / (prev * t * np.log1p(t)))


def hedged_capital(x: Any, m: Any, *, delta: float, theta: float = 0.5,
                   c: float = TRUNCATION) -> np.ndarray:
    """:math:`\\ln K_n^\\pm(m)` for ``n = 1..T`` (last axis of ``x`` is time; ``m`` broadcasts over
    the leading axes). ``x`` must lie in ``[0, 1]`` and ``m`` in ``(0, 1)``."""
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)[..., None]
    if np.any((x < 0) | (x > 1)):
        raise ValueError("values must lie in [0, 1]")
    if np.any((m <= 0) | (m >= 1)):
        raise ValueError("candidate means must lie in (0, 1)")
    lam = plug_in_bets(x, delta)
    up = np.cumsum(np.log1p(np.minimum(lam, c / m) * (x - m)), axis=-1)
    down = np.cumsum(np.log1p(-np.minimum(lam, c / (1 - m)) * (x - m)), axis=-1)
    return np.maximum(np.log(theta) + up, np.log1p(-theta) + down)


def hedged_interval(x: Any, *, delta: float, grid: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The hedged confidence sequence of a 1-D sample on a grid of candidate means.

    Returns ``(lower, upper)`` over ``n = 1..T``, widened by one grid step so that they contain
    the exact interval (grid method of [1]_).
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be one-dimensional, got shape {x.shape}")
    cand = np.arange(1, grid) / grid  # candidate k / grid is row k - 1
    inside = hedged_capital(np.broadcast_to(x, (cand.size, x.size)), cand,
                            delta=delta) < np.log(1 / delta)
    # First and last kept rows; with no row kept they are 0 and grid - 2, giving [0, 1].
    first = np.argmax(inside, axis=0)
    last = cand.size - 1 - np.argmax(inside[::-1], axis=0)
    return first / grid, (last + 2) / grid


class ChunkedBettingCS:
    """Betting confidence sequences for ``size`` means at once, fed chunk moments of values in
    [0, 1] (module docstring). Each mean gets its own sequence at level ``delta`` (two-sided,
    :math:`\\theta = 1/2`).

    Attributes:
        count, mean, m2: the merged moments of everything seen so far.
        lower, upper: the current interval of each mean.
    """

    def __init__(self, size: int, delta: float, *, c: float = TRUNCATION) -> None:
        if not 0 < delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {delta}")
        if not 0 < c <= TRUNCATION:
            raise ValueError(f"c must be in (0, {TRUNCATION}], got {c}")
        self.delta, self.c = float(delta), float(c)
        self.threshold = float(np.log(2 / delta))
        self.count = 0
        self.mean = np.zeros(size)
        self.m2 = np.zeros(size)
        self._up = np.zeros((3, size))    # L+(m) = up[0] + up[1] m + up[2] m^2
        self._down = np.zeros((3, size))
        self.lower = np.zeros(size)
        self.upper = np.ones(size)

    def next_bet(self, count: int) -> np.ndarray:
        """The bet for the next chunk of ``count`` values, from the values seen so far only."""
        sigma2 = (0.25 + self.m2) / (self.count + 1)
        total = self.count + count
        return np.minimum(self.c, np.sqrt(2 * self.threshold / (sigma2 * total)))

    def update(self, count: int, mean: Any, m2: Any) -> None:
        """Add a chunk of ``count`` values with per-mean sample mean ``mean`` and sum of squared
        deviations ``m2`` (all values in [0, 1])."""
        mean, m2 = np.asarray(mean, dtype=np.float64), np.asarray(m2, dtype=np.float64)
        lam = self.next_bet(count)
        p = psi(lam)
        for coef, sign in ((self._up, 1.0), (self._down, -1.0)):
            coef[0] += sign * lam * count * mean - p * (m2 + count * mean * mean)
            coef[1] += -sign * lam * count + 2 * p * count * mean
            coef[2] += -p * count
        n = self.count + count
        delta = mean - self.mean
        self.m2 = self.m2 + m2 + delta * delta * (self.count * count / n)
        self.mean = self.mean + delta * (count / n)
        self.count = n
        # Running intersection: the sequence covers the mean at every n at once, so it covers
        # it in the intersection of the intervals too.
        self.lower = np.maximum(self.lower, self._end(self._up, rising=False))
        self.upper = np.minimum(self.upper, self._end(self._down, rising=True))

    def log_capital(self, m: Any) -> tuple[np.ndarray, np.ndarray]:
        """The lower bounds of :math:`\\ln K^+(m)` and :math:`\\ln K^-(m)` per mean."""
        m = np.asarray(m, dtype=np.float64)
        return tuple(c[0] + c[1] * m + c[2] * m * m for c in (self._up, self._down))

    def _end(self, coef: np.ndarray, *, rising: bool, iterations: int = 60) -> np.ndarray:
        """One end of the intervals: bisection on the monotone bound of the log-capital of one
        side (:math:`K^+` rejects small means, :math:`K^-` large ones), keeping the rejected side
        of the bracket, so the interval returned contains the exact one."""
        def rejected(m):
            return coef[0] + coef[1] * m + coef[2] * m * m >= self.threshold

        # If the extreme itself is kept, nothing is rejected (monotone) and bad stays there.
        bad = np.full(coef.shape[1], 1.0 if rising else 0.0)
        good = 1.0 - bad
        for _ in range(iterations):
            mid = 0.5 * (bad + good)
            rej = rejected(mid)
            bad = np.where(rej, mid, bad)
            good = np.where(rej, good, mid)
        return bad
