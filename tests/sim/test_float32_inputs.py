"""Single-precision inputs (for example from a float32 simulation) give the double-precision
answers: every check and bound converts its arrays to float64 before computing. Each function is
called on float32 arrays and on the same values widened to float64; the results must be equal."""

from __future__ import annotations

import numpy as np

from sim import bernstein
from sim.almost_sure import exceeds
from sim.betting import ChunkedBettingCS, hedged_capital, hedged_interval, plug_in_bets, psi
from sim.check import Sample, check_exact, check_upper_bound, check_violation, standardized_excess
from sim.sequential import SequentialCheck
from sim.stats import Moments

RNG = np.random.default_rng(21)
EST = RNG.random(12).astype(np.float32) + np.float32(1.0)
SE = (RNG.random(12) * 1e-3).astype(np.float32)
REF = EST * np.float32(1.0001)
MAX = EST * np.float32(3.0)
BOUND = MAX * np.float32(2.0)
X = RNG.random(40).astype(np.float32)


def _both(fn):
    """``fn(f)`` with ``f`` keeping float32 values, and with ``f`` widening them to float64."""
    def single(v):
        return np.asarray(v, dtype=np.float32)

    def double(v):
        return np.asarray(v, dtype=np.float32).astype(np.float64)

    return fn(single), fn(double)


def _same(a, b):
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple):
            _same(x, y)
        else:
            np.testing.assert_array_equal(np.asarray(x, dtype=np.float64), y)


class _Result:
    def __init__(self, s):
        self.mean_sq_dist, self.stderr, self.trajectories = s.estimate, s.stderr, s.count
        self.max_sq_dist, self.diverged_at = s.maximum, None


def test_checks():
    def run(f):
        s = Sample(f(EST), f(SE), 5000, f(MAX))
        out = []
        for c in (check_exact(s, f(REF), atol=f(1e-6)),
                  check_upper_bound(s, f(REF), range_bound=f(BOUND)),
                  check_violation(s, f(REF), f(REF) * f(1.5), range_bound=f(BOUND)),
                  check_exact(Sample.of(_Result(s)), f(REF), steps=[1, 3])):
            out += [c.mde_steps, c.halfwidth, c.worst_score, c.worst_ratio, c.estimate]
        out.append(standardized_excess(f(EST), f(SE), f(REF), atol=f(1e-6)))
        return out

    _same(*_both(run))


def test_bounds_and_sequences():
    def run(f):
        cs = ChunkedBettingCS(2, 0.01)
        cs.update(50, f([0.3, 0.6]), f([2.0, 3.0]))
        seq = SequentialCheck(f(REF), f(BOUND), delta=0.01)
        seq.update(Moments(100, f(EST), f(SE * SE * 9900), np.zeros((12, 1)), f(MAX)))
        return [bernstein.deviation(f(0.02), 100, f(0.8), 0.05),
                bernstein.interval(f(0.3), f(0.02), 100, f(0.1), f(0.9), 0.05),
                hedged_capital(f(X), f(0.37), delta=0.05),
                hedged_interval(f(X), delta=0.05, grid=50),
                plug_in_bets(f(X), 0.05), psi(f(0.3)),
                cs.lower, cs.upper, cs.log_capital(f([0.2])),
                seq.interval(), exceeds(f(MAX), f(MAX) * f(1 + 5e-10))]

    _same(*_both(run))
