"""Coverage of the finite-sample bounds on distributions with a known mean.

Each coverage test draws R independent samples, counts how often the bound misses the true mean,
and allows at most ``allowed_count(R, delta)`` misses: a bound whose miss probability is at most
delta exceeds that with probability <= 1e-9 (exact binomial tail, ``binomial.py``). delta is large
(0.1) so that the count is informative; each test also shows that a bound that is not valid
(a normal interval on a skewed law, or a fixed-n interval looked at after every chunk) is caught
by the same count.
"""

from __future__ import annotations

import numpy as np
import pytest
from binomial import allowed_count

from sim import bernstein
from sim.betting import ChunkedBettingCS, hedged_capital, hedged_interval, psi
from sim.check import normal_quantile_upper

DELTA = 0.1

LAWS = {
    # name: (sampler(rng, shape), mean); every law lives in [0, 1]
    "bernoulli(0.02)": (lambda rng, shape: (rng.random(shape) < 0.02).astype(float), 0.02),
    "bernoulli(0.5)": (lambda rng, shape: (rng.random(shape) < 0.5).astype(float), 0.5),
    "beta(0.5, 0.5)": (lambda rng, shape: rng.beta(0.5, 0.5, shape), 0.5),
    "beta(1, 30)": (lambda rng, shape: rng.beta(1.0, 30.0, shape), 1 / 31),
    "uniform": (lambda rng, shape: rng.random(shape), 0.5),
}


@pytest.mark.parametrize("law", LAWS)
def test_empirical_bernstein_covers_the_mean(law):
    """Maurer-Pontil, each side at delta: the false-alarm rate is at most delta (plus margin)."""
    sampler, mean = LAWS[law]
    rng = np.random.default_rng(sum(map(ord, law)))
    reps, n = 20_000, 40
    x = sampler(rng, (reps, n))
    xbar, var = x.mean(axis=1), x.var(axis=1, ddof=1)
    dev = bernstein.deviation(var, n, 1.0, DELTA)
    limit = allowed_count(reps, DELTA)
    assert np.sum(mean > xbar + dev) <= limit
    assert np.sum(mean < xbar - dev) <= limit
    lo, hi = bernstein.interval(xbar, var, n, 0.0, 1.0, 2 * DELTA)
    assert np.sum((mean < lo) | (mean > hi)) <= allowed_count(reps, 2 * DELTA)


def test_the_coverage_count_catches_an_invalid_bound():
    """Dropping the range term (a normal-like interval) on a skewed law misses far more often."""
    sampler, mean = LAWS["bernoulli(0.02)"]
    rng = np.random.default_rng(1)
    reps, n = 20_000, 40
    x = sampler(rng, (reps, n))
    var = x.var(axis=1, ddof=1)
    no_range_term = np.sqrt(2 * var * np.log(2 / DELTA) / n)
    assert np.sum(mean > x.mean(axis=1) + no_range_term) > allowed_count(reps, DELTA)


def test_empirical_bernstein_deviation_and_power():
    assert bernstein.deviation(0.0, 11, 1.0, 0.5) == pytest.approx(7 * np.log(4) / 30)
    dev = bernstein.deviation(np.array([0.25, 0.0]), 100, np.array([1.0, 2.0]), 0.05)
    np.testing.assert_allclose(dev, [np.sqrt(0.5 * np.log(40) / 100) + 7 * np.log(40) / 297,
                                     14 * np.log(40) / 297])
    with pytest.raises(ValueError, match="count must be >= 2"):
        bernstein.deviation(0.1, 1, 1.0, 0.1)
    with pytest.raises(ValueError, match="delta must be in"):
        bernstein.deviation(0.1, 10, 1.0, 1.0)
    # Power: with n = 10^5 values of a uniform law the bound is within 0.01 of the mean.
    rng = np.random.default_rng(3)
    x = rng.random(100_000)
    lo, hi = bernstein.interval(x.mean(), x.var(ddof=1), x.size, 0.0, 1.0, 1e-9)
    assert lo < 0.5 < hi and hi - lo < 0.02
    assert bernstein.interval(0.5, 0.0, 2, 0.0, 1.0, 0.1) == (0.0, 1.0)


@pytest.mark.parametrize("law", ["bernoulli(0.02)", "beta(0.5, 0.5)", "beta(1, 30)"])
def test_hedged_capital_sequence_covers_the_mean_at_every_time(law):
    """Waudby-Smith-Ramdas hedged capital: the probability that the true mean is ever rejected,
    over 300 looks, is at most delta (plus margin)."""
    sampler, mean = LAWS[law]
    rng = np.random.default_rng(sum(map(ord, law)) + 1)
    reps, n = 2000, 300
    x = sampler(rng, (reps, n))
    ever = np.any(hedged_capital(x, mean, delta=DELTA) >= np.log(1 / DELTA), axis=1)
    assert np.sum(ever) <= allowed_count(reps, DELTA)


def test_looking_after_every_step_inflates_a_fixed_n_interval():
    """The same count catches a fixed-n normal interval checked after every one of 300 values:
    the probability of ever excluding the mean is far above delta (why sequences are needed)."""
    sampler, mean = LAWS["beta(0.5, 0.5)"]
    rng = np.random.default_rng(11)
    reps, n = 2000, 300
    x = sampler(rng, (reps, n))
    t = np.arange(1, n + 1)
    run_mean = np.cumsum(x, axis=1) / t
    run_var = (np.cumsum(x * x, axis=1) - t * run_mean**2) / np.maximum(t - 1, 1)
    z = normal_quantile_upper(DELTA / 2)
    half = z * np.sqrt(np.maximum(run_var, 0) / t)
    ever = np.any((np.abs(run_mean - mean) > half)[:, 9:], axis=1)
    assert np.sum(ever) > allowed_count(reps, DELTA)


def test_hedged_interval_contains_the_truth_and_shrinks():
    rng = np.random.default_rng(4)
    x = rng.beta(2.0, 5.0, 4000)
    lo, hi = hedged_interval(x, delta=0.05, grid=400)
    assert np.all(lo <= 2 / 7) and np.all(hi >= 2 / 7)
    assert hi[-1] - lo[-1] < 0.06 < hi[9] - lo[9]
    with pytest.raises(ValueError, match="one-dimensional"):
        hedged_interval(x.reshape(2, -1), delta=0.05)
    with pytest.raises(ValueError, match="values must lie"):
        hedged_capital(np.array([1.5]), 0.5, delta=0.1)
    with pytest.raises(ValueError, match="candidate means"):
        hedged_capital(np.array([0.5]), 1.0, delta=0.1)


@pytest.mark.parametrize("law", ["bernoulli(0.02)", "beta(0.5, 0.5)", "beta(1, 30)"])
def test_chunked_betting_sequence_covers_the_mean_over_all_looks(law):
    """2000 independent sequences (one per slot of the vectorised state), 20 chunks of 50
    values each: the true mean must be excluded after some chunk in at most delta of them."""
    sampler, mean = LAWS[law]
    rng = np.random.default_rng(sum(map(ord, law)) + 2)
    reps, chunks, size = 2000, 20, 50
    cs = ChunkedBettingCS(reps, DELTA)
    ever = np.zeros(reps, dtype=bool)
    for _ in range(chunks):
        x = sampler(rng, (reps, size))
        m = x.mean(axis=1)
        cs.update(size, m, ((x - m[:, None]) ** 2).sum(axis=1))
        ever |= (cs.lower > mean) | (cs.upper < mean)
    assert np.sum(ever) <= allowed_count(reps, DELTA)
    assert np.all(cs.lower <= cs.upper)


def test_chunk_bound_is_below_the_exact_capital():
    """The quadratic of the chunked sequence is a lower bound of the exact log-capital of the same
    bets (Fan et al.'s inequality), and the moments merge exactly."""
    rng = np.random.default_rng(6)
    cands = np.linspace(0.01, 0.99, 99)
    cs = ChunkedBettingCS(cands.size, 0.05)
    exact_up, exact_down, seen = np.zeros(cands.size), np.zeros(cands.size), []
    for size in (30, 200, 1000):
        x = rng.beta(2.0, 3.0, size)
        seen.append(x)
        lam = cs.next_bet(size)
        assert np.all((lam > 0) & (lam <= 0.5))
        exact_up += np.log1p(lam[:, None] * (x - cands[:, None])).sum(axis=1)
        exact_down += np.log1p(-lam[:, None] * (x - cands[:, None])).sum(axis=1)
        m = np.full(cands.size, x.mean())
        cs.update(size, m, np.full(cands.size, ((x - x.mean()) ** 2).sum()))
        up, down = cs.log_capital(cands)
        assert np.all(up <= exact_up + 1e-9) and np.all(down <= exact_down + 1e-9)
    allx = np.concatenate(seen)
    np.testing.assert_allclose(cs.mean, allx.mean(), rtol=1e-12)
    np.testing.assert_allclose(cs.m2, ((allx - allx.mean()) ** 2).sum(), rtol=1e-10)
    assert psi(0.5) == pytest.approx(np.log(2) - 0.5)


def test_chunked_sequence_shrinks_to_the_mean_and_rejects_arguments():
    rng = np.random.default_rng(8)
    cs = ChunkedBettingCS(1, 1e-9)
    for _ in range(20):
        x = rng.random(20_000)
        cs.update(x.size, [x.mean()], [((x - x.mean()) ** 2).sum()])
    assert cs.lower[0] < 0.5 < cs.upper[0] and cs.upper[0] - cs.lower[0] < 0.02
    with pytest.raises(ValueError, match="delta must be"):
        ChunkedBettingCS(1, 0.0)
    with pytest.raises(ValueError, match="c must be"):
        ChunkedBettingCS(1, 0.1, c=0.9)


def test_binomial_margin_is_the_exact_tail():
    from math import comb

    from binomial import upper_tail

    assert upper_tail(10, 0.5, 4) == pytest.approx(sum(comb(10, j) for j in range(5, 11)) / 1024)
    k = allowed_count(2000, 0.1)
    assert upper_tail(2000, 0.1, k) <= 1e-9 < upper_tail(2000, 0.1, k - 1)


def test_interval_on_a_shifted_range():
    """Values in [1, 3]: the deviation uses the width 2 and delta / 2 on each side."""
    lo, hi = bernstein.interval(2.0, 0.3, 500, 1.0, 3.0, 0.01)
    dev = bernstein.deviation(0.3, 500, 2.0, 0.005)
    assert (lo, hi) == pytest.approx((2.0 - dev, 2.0 + dev), rel=1e-14)
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\), got 0$"):
        bernstein.deviation(0.1, 10, 1.0, 0)


def test_hedged_interval_is_the_grid_method():
    """On a coarse grid, the interval is [first kept candidate - 1/grid, last + 1/grid] clipped
    to [0, 1], kept meaning log-capital below ln(1/delta); (0, 1) when no candidate is kept."""
    rng = np.random.default_rng(10)
    x = rng.beta(2.0, 5.0, 60)
    grid, delta = 20, 0.2
    lo, hi = hedged_interval(x, delta=delta, grid=grid)
    cand = np.arange(1, grid) / grid
    keep = np.array([hedged_capital(x, c, delta=delta) < np.log(1 / delta) for c in cand])
    for n in (0, 9, 59):
        kept = cand[keep[:, n]]
        assert lo[n] == pytest.approx(max(kept[0] - 1 / grid, 0.0))
        assert hi[n] == pytest.approx(min(kept[-1] + 1 / grid, 1.0))
    default_lo, default_hi = hedged_interval(x[:30], delta=delta)  # grid 1000 by default
    np.testing.assert_allclose(default_lo * 1000, np.round(default_lo * 1000), atol=1e-9)
    np.testing.assert_allclose(default_hi * 1000, np.round(default_hi * 1000), atol=1e-9)
    assert np.any(default_lo * 1001 % 1 > 1e-6)
    ones_lo, ones_hi = hedged_interval(np.ones(300), delta=delta, grid=grid)
    assert ones_hi[0] == 1.0 and ones_lo[0] < 1.0
    assert (ones_lo[-1], ones_hi[-1]) == (0.0, 1.0)  # every candidate rejected
    assert ones_lo[30] > 0.5  # ... though earlier some were kept


def test_log_capital_is_the_sum_of_the_chunk_quadratics():
    rng = np.random.default_rng(13)
    cs = ChunkedBettingCS(1, 0.01)
    terms = []
    for size in (100, 400):
        x = rng.random(size)
        lam = cs.next_bet(size)[0]
        terms.append((lam, size, x.mean(), ((x - x.mean()) ** 2).sum()))
        cs.update(size, [x.mean()], [terms[-1][3]])
    m = np.array([0.2, 0.35, 0.8])
    up = sum(lam * n * (xb - m) - psi(lam) * (m2 + n * (xb - m) ** 2) for lam, n, xb, m2 in terms)
    down = sum(lam * n * (m - xb) - psi(lam) * (m2 + n * (xb - m) ** 2)
               for lam, n, xb, m2 in terms)
    got_up, got_down = cs.log_capital(m[:, None])
    np.testing.assert_allclose(got_up[:, 0], up, rtol=1e-12)
    np.testing.assert_allclose(got_down[:, 0], down, rtol=1e-12)


def _reference_hedged(x, m, delta, theta=0.5, c=0.5):
    """Waudby-Smith-Ramdas hedged capital written out one observation at a time."""
    log_up = log_down = 0.0
    total, dev2, out = 0.0, 0.0, []
    sigma2_prev = 0.25
    for i, xi in enumerate(x, start=1):
        lam = np.sqrt(2 * np.log(2 / delta) / (sigma2_prev * i * np.log(1 + i)))
        log_up += np.log(1 + min(lam, c / m) * (xi - m))
        log_down += np.log(1 - min(lam, c / (1 - m)) * (xi - m))
        out.append(max(np.log(theta) + log_up, np.log(1 - theta) + log_down))
        total += xi
        mu_hat = (0.5 + total) / (i + 1)
        dev2 += (xi - mu_hat) ** 2
        sigma2_prev = (0.25 + dev2) / (i + 1)
    return np.array(out)


def test_hedged_capital_matches_the_paper_written_out():
    rng = np.random.default_rng(14)
    x = rng.beta(0.7, 2.0, 50)
    for m in (0.05, 0.3, 0.9):
        np.testing.assert_allclose(hedged_capital(x, m, delta=0.05), _reference_hedged(x, m, 0.05),
                                   rtol=1e-12, atol=1e-12)
    batch = np.stack([x, x[::-1]])[None]  # (1, 2, 50): the last axis is time whatever the rank
    np.testing.assert_allclose(hedged_capital(batch, 0.3, delta=0.05)[0, 1],
                               _reference_hedged(x[::-1], 0.3, 0.05), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"^values must lie in \[0, 1\]$"):
        hedged_capital(np.array([-0.1]), 0.5, delta=0.1)
    with pytest.raises(ValueError, match=r"^candidate means must lie in \(0, 1\)$"):
        hedged_capital(np.array([0.5]), 0.0, delta=0.1)


def test_chunked_sequence_bets_thresholds_and_ends():
    """The bet is min(c, sqrt(2 ln(2/delta) / (sigma2 * n_after))) with sigma2 = (1/4 + M2) /
    (n_before + 1); the interval ends are where the monotone log-capital bounds cross
    ln(2/delta), checked against a brute-force scan of candidate means."""
    cs = ChunkedBettingCS(1, 0.01)
    assert cs.threshold == np.log(200)
    assert cs.next_bet(100)[0] == pytest.approx(min(0.5, np.sqrt(2 * np.log(200) / (0.25 * 100))))
    rng = np.random.default_rng(15)
    x = rng.beta(2.0, 6.0, 3000)
    cs.update(x.size, [x.mean()], [((x - x.mean()) ** 2).sum()])
    sigma2 = (0.25 + ((x - x.mean()) ** 2).sum()) / 3001
    assert cs.next_bet(500)[0] == pytest.approx(np.sqrt(2 * np.log(200) / (sigma2 * 3500)))
    grid = np.linspace(0, 1, 200_001)
    up, down = cs.log_capital(grid[:, None])
    kept = grid[(up[:, 0] < cs.threshold) & (down[:, 0] < cs.threshold)]
    assert cs.lower[0] == pytest.approx(kept[0], abs=1e-5) and cs.lower[0] <= kept[0]
    assert cs.upper[0] == pytest.approx(kept[-1], abs=1e-5) and cs.upper[0] >= kept[-1]
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\), got 1$"):
        ChunkedBettingCS(1, 1)
    with pytest.raises(ValueError, match=r"^c must be in \(0, 0.5\], got 0$"):
        ChunkedBettingCS(1, 0.1, c=0)


def test_upper_end_when_the_capital_bound_turns_down_beyond_one():
    """Eleven values of 0.1 at delta = 0.1 (bet 1/2): the log-capital bound of K- is a concave
    quadratic whose vertex lies beyond 1, so it rejects m = 1 but not m = 2; the upper end must
    come from [0, 1] alone."""
    cs = ChunkedBettingCS(1, 0.1)
    cs.update(11, [0.1], [0.0])
    _, down = cs.log_capital(np.array([[1.0], [2.0]]))
    assert down[0, 0] >= cs.threshold > down[1, 0]
    grid = np.linspace(0, 1, 100_001)
    kept = grid[cs.log_capital(grid[:, None])[1][:, 0] < cs.threshold]
    assert cs.upper[0] == pytest.approx(kept[-1], abs=1e-5) and cs.upper[0] < 1
