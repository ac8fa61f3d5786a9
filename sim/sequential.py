"""Sequential checks: add chunks of trajectories until a check decides or a budget runs out.

A fixed-size check must choose :math:`N` in advance; looking at the result after every chunk
and stopping when it looks decided would inflate the false-alarm probability of a fixed-size
test. Here every look is covered by an anytime-valid boundary instead: at each tested step
:math:`t` the values :math:`X_t = \\|w_t - w^*\\|^2 / U_t \\in [0, 1]` (:math:`U_t` the
almost-sure bound of :mod:`sim.almost_sure`) feed a betting confidence sequence
(:class:`sim.betting.ChunkedBettingCS`, from the chunks' mergeable moments) at level
:math:`\\delta / |S|`, so with probability at least :math:`1 - \\delta` every sequence covers its
mean at every look at once (Ville's inequality and Bonferroni over the tested steps :math:`S`).
After each chunk, with :math:`[\\ell_t, u_t]` the current interval (scaled back by :math:`U_t`) and
:math:`r_t` the reference:

- ``kind="exact"`` fails when some :math:`r_t \\notin [\\ell_t, u_t]` and passes when every
  :math:`[\\ell_t, u_t] \\subseteq [r_t(1-\\varepsilon), r_t(1+\\varepsilon)]` (the mean is
  within the relative tolerance :math:`\\varepsilon` of the reference at every tested step);
- ``kind="upper-bound"`` fails when some :math:`\\ell_t > r_t` and passes when every
  :math:`u_t \\le r_t(1 + \\varepsilon)`.

A value above :math:`U_t`, or a diverged trajectory (whose maximum is NaN), fails at once.
When the budget is spent undecided the verdict is "inconclusive". So a true reference is failed with probability at most
:math:`\\delta`, and a reference off by more than :math:`\\varepsilon` (relative, at some step) is
passed with probability at most :math:`\\delta`, however many chunks are looked at. The basis is
"finite-sample". Chunks are independent :func:`sim.simulate` runs with seeds derived from
``seed`` and the chunk number; any engine, backend or scheduler can run them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.almost_sure import ROUNDING, sq_dist_bound
from sim.betting import ChunkedBettingCS
from sim.stats import Moments, merge
from sim.validation import int_at_least, positive_float


@dataclass(frozen=True)
class Decision:
    """Outcome of a sequential check.

    Attributes:
        verdict: "pass", "fail" or "inconclusive" (budget spent). kind: "exact" or
        "upper-bound". basis: "finite-sample"; method: "betting". delta, tolerance: as given.
        trajectories: trajectories used. rounds: chunks run. failing_steps: steps whose
        interval excludes the reference (exact) or lies above it (upper-bound).
        range_exceeded_steps: steps with a value above the almost-sure bound.
        lower, upper: ``(T+1,)`` interval for :math:`\\mathbf E\\|w_t-w^*\\|^2` (NaN where not
        tested). reference, range_bound, tested_steps: the compared arrays. history:
        ``(trajectories, state)`` after each chunk. moments: the merged moments of all chunks.
    """

    verdict: str
    kind: str
    basis: str
    method: str
    delta: float
    tolerance: float
    trajectories: int
    rounds: int
    failing_steps: np.ndarray
    range_exceeded_steps: np.ndarray
    lower: np.ndarray = field(repr=False)
    upper: np.ndarray = field(repr=False)
    reference: np.ndarray = field(repr=False)
    range_bound: np.ndarray = field(repr=False)
    tested_steps: np.ndarray = field(repr=False)
    history: tuple = field(repr=False)
    moments: Moments | None = field(repr=False)


class SequentialCheck:
    """The state of a sequential check; feed it the moments of each chunk with :meth:`update`.

    Args:
        reference: ``(T+1,)`` exact values or bound. range_bound: ``(T+1,)`` almost-sure bound
            on every :math:`\\|w_t-w^*\\|^2`. kind: "exact" or "upper-bound". delta:
            family-wise false-alarm probability over all looks. tolerance: relative
            :math:`\\varepsilon` of a pass. steps: steps tested (default all). rtol: rounding
            allowance on comparisons with the reference.
    """

    def __init__(self, reference: Any, range_bound: Any, *, kind: str = "exact",
                 delta: float = 1e-9, tolerance: float = 0.01, steps: Any = None,
                 rtol: float = ROUNDING) -> None:
        if kind not in ("exact", "upper-bound"):
            raise ValueError(f"kind must be 'exact' or 'upper-bound', got {kind!r}")
        if not 0 < delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {delta}")
        self.tolerance = positive_float("tolerance", tolerance)
        self.reference = np.asarray(reference, dtype=np.float64)
        self.range_bound = np.asarray(range_bound, dtype=np.float64)
        if self.reference.shape != self.range_bound.shape or self.reference.ndim != 1:
            raise ValueError("reference and range_bound must have the same shape (T+1,), got "
                             f"{self.reference.shape} and {self.range_bound.shape}")
        size = self.reference.shape[0]
        self.tested = np.arange(size) if steps is None else np.unique(np.asarray(steps))
        if self.tested.size == 0 or self.tested[0] < 0 or self.tested[-1] >= size:
            raise ValueError(f"steps must be a non-empty set of steps in [0, {size - 1}]")
        self.kind, self.delta, self.rtol = kind, float(delta), float(rtol)
        self.cs = ChunkedBettingCS(self.tested.size, self.delta / self.tested.size)
        self.moments: Moments | None = None
        self.exceeded = np.empty(0, dtype=np.int64)
        self.history: list[tuple[int, str]] = []

    def update(self, moments: Moments) -> str:
        """Add one chunk; returns the state: "pass", "fail" or "undecided"."""
        self.moments = moments if self.moments is None else merge(self.moments, moments)
        t = self.tested
        scale = self.range_bound[t]
        # A diverged chunk has NaN statistics from its first diverged step on, and a NaN
        # maximum compares False: it exceeds the bound too.
        over = ~(moments.max_sq[t] <= scale * (1 + self.rtol))
        self.exceeded = np.union1d(self.exceeded, t[over])
        if self.exceeded.size == 0:
            safe = np.where(scale > 0, scale, 1.0)
            self.cs.update(moments.count, np.clip(moments.mean_sq[t] / safe, 0.0, 1.0),
                           moments.m2_sq[t] / (safe * safe))
        state = self.state()
        self.history.append((self.cs.count, state))
        return state

    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Current ``(lower, upper)`` at the tested steps, in the units of the reference."""
        scale = self.range_bound[self.tested]
        return self.cs.lower * scale, self.cs.upper * scale

    def failing(self) -> np.ndarray:
        lo, hi = self.interval()
        ref = self.reference[self.tested]
        allow = self.rtol * np.abs(ref)
        bad = lo > ref + allow
        if self.kind == "exact":
            bad |= hi < ref - allow
        return self.tested[bad]

    def state(self) -> str:
        if self.exceeded.size or self.failing().size:
            return "fail"
        lo, hi = self.interval()
        ref = self.reference[self.tested]
        ok = hi <= ref * (1 + self.tolerance) + self.rtol * np.abs(ref)
        if self.kind == "exact":
            ok &= lo >= ref * (1 - self.tolerance) - self.rtol * np.abs(ref)
        return "pass" if bool(np.all(ok)) else "undecided"

    def decision(self, rounds: int) -> Decision:
        state = self.state() if self.history else "undecided"
        size = self.reference.shape[0]
        lower, upper = np.full(size, np.nan), np.full(size, np.nan)
        lower[self.tested], upper[self.tested] = self.interval()
        return Decision(
            verdict="inconclusive" if state == "undecided" else state, kind=self.kind,
            basis="finite-sample", method="betting", delta=self.delta,
            tolerance=self.tolerance, trajectories=self.cs.count, rounds=rounds,
            failing_steps=self.failing(), range_exceeded_steps=self.exceeded, lower=lower,
            upper=upper, reference=self.reference, range_bound=self.range_bound,
            tested_steps=self.tested, history=tuple(self.history), moments=self.moments)


def chunk_seed(seed: int, index: int) -> int:
    """Seed of chunk ``index``: the first 8 bytes of SHA-256 of ``"seed:index"``."""
    digest = hashlib.sha256(f"{int(seed)}:{int(index)}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def run_until_decided(problem: Any, *, alpha: float, steps: int, reference: Any,
                      kind: str = "exact", delta: float = 1e-9, tolerance: float = 0.01,
                      test_steps: Any = None, w0: Any = None, seed: int = 0,
                      chunk: int = 2**16, growth: float = 2.0, budget: int = 2**24,
                      **simulate_kwargs: Any) -> Decision:
    """Simulate chunks of trajectories until the check decides or ``budget`` is spent.

    Chunk ``k`` has ``chunk * growth**k`` trajectories (the last one cut to the budget) and
    seed :func:`chunk_seed` ``(seed, k)``; ``simulate_kwargs`` go to :func:`sim.simulate`
    (``batch``, ``engine``, ``backend``, ...). See the module docstring for the guarantee.

    Returns:
        The :class:`Decision`.
    """
    from sim.simulate import simulate

    alpha = positive_float("alpha", alpha)
    steps = int_at_least("steps", steps, 0)
    chunk = int_at_least("chunk", chunk, 2)
    budget = int_at_least("budget", budget, chunk)
    if not growth >= 1:
        raise ValueError(f"growth must be >= 1, got {growth}")
    bound = sq_dist_bound(problem, alpha=alpha, steps=steps, w0=w0)
    check = SequentialCheck(reference, bound, kind=kind, delta=delta, tolerance=tolerance,
                            steps=test_steps)
    used, rounds, size = 0, 0, float(chunk)
    while (n := min(int(size), budget - used)) >= 2:
        result = simulate(problem, alpha=alpha, steps=steps, trajectories=n,
                          seed=chunk_seed(seed, rounds), w0=w0, **simulate_kwargs)
        moments = result.moments._replace(mean_w=result.moments.mean_w - problem.w_star)
        rounds += 1
        used += n
        if check.update(moments) != "undecided":
            break
        size *= growth
    return check.decision(rounds)
